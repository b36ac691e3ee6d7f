/* polyverify info — a network's summary. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "polyverify/json.h"

static const char *act_name(pv_activation a) { return a == PV_RELU ? "relu" : "linear"; }

static void info_json(const pv_net *net)
{
    pv_json j;
    pv_json_init(&j, stdout);
    pv_json_begin_object(&j, NULL);
    const char *dialect = pv_net_dialect(net);
    pv_json_string(&j, "format", pv_net_format(net));
    if (dialect)
        pv_json_string(&j, "dialect", dialect);
    else
        pv_json_null(&j, "dialect");
    pv_json_int(&j, "input_dim", pv_net_input_dim(net));
    if (pv_net_input_shape(net))
        pv_json_string(&j, "input_shape", pv_net_input_shape(net));
    else
        pv_json_null(&j, "input_shape");
    if (pv_net_output_head(net))
        pv_json_string(&j, "output_head", pv_net_output_head(net));
    else
        pv_json_null(&j, "output_head");
    pv_json_int(&j, "neurons", pv_net_neurons(net));
    pv_json_begin_array(&j, "layers");
    for (int k = 0; k < pv_net_nlayers(net); k++) {
        pv_json_begin_object(&j, NULL);
        pv_json_string(&j, "activation", act_name(pv_net_layer_activation(net, k)));
        pv_json_int(&j, "width", pv_net_layer_out(net, k));
        pv_json_end_object(&j);
    }
    pv_json_end_array(&j);
    pv_json_end_object(&j);
}

/* Row k of a domain as text: "x0 - 2 x1 + 1/2 >= 0". */
static void print_row(const pv_box *box, int k)
{
    int any = 0;
    for (int i = 0; i < box->dim; i++) {
        const mpq_t *q = &PV_BOX_A(box, k, i);
        int s = mpq_sgn(*q);
        if (!s)
            continue;
        printf("%s", s < 0 ? (any ? " - " : "-") : (any ? " + " : ""));
        if (mpz_cmpabs_ui(mpq_numref(*q), 1) || mpz_cmp_ui(mpq_denref(*q), 1)) {
            mpq_t t;
            mpq_init(t);
            mpq_abs(t, *q);
            gmp_printf("%Qd ", t);
            mpq_clear(t);
        }
        printf("x%d", i);
        any = 1;
    }
    int s = mpq_sgn(box->c[k]);
    if (s || !any) {
        mpq_t t;
        mpq_init(t);
        mpq_abs(t, box->c[k]);
        gmp_printf("%s%Qd", s < 0 ? (any ? " - " : "-") : (any ? " + " : ""), t);
        mpq_clear(t);
    }
    printf(" %s 0", box->eq[k] ? "=" : ">=");
}

static void domain_json(const pv_box *box, const pv_domain_info *di, const char *path,
                        int flat, int neq)
{
    int m = box->dim;
    pv_json j;
    pv_json_init(&j, stdout);
    pv_json_begin_object(&j, NULL);
    pv_json_string(&j, "domain", path);
    pv_json_string(&j, "format", di->format);
    pv_json_string(&j, "kind", pv_box_is_box(box) ? "box" : "polyhedron");
    pv_json_int(&j, "inputs", m);
    pv_json_int(&j, "constraints", di->constraints);
    pv_json_bool(&j, "intervals", box->intervals);
    if (box->intervals) {
        pv_json_int(&j, "fixed_inputs", flat);
        pv_json_rationals(&j, "lo", box->lo, m);
        pv_json_rationals(&j, "hi", box->hi, m);
    } else {
        pv_json_null(&j, "fixed_inputs");
        pv_json_null(&j, "lo");
        pv_json_null(&j, "hi");
    }
    pv_json_int(&j, "rows", box->nrows);
    pv_json_int(&j, "equality_rows", neq);
    pv_json_begin_array(&j, "row_list");          /* row k: a.x + c >= 0 (= 0) */
    for (int k = 0; k < box->nrows; k++) {
        pv_json_begin_object(&j, NULL);
        pv_json_rationals(&j, "a", &PV_BOX_A(box, k, 0), m);
        pv_json_rational(&j, "c", box->c[k]);
        pv_json_bool(&j, "eq", box->eq[k]);
        pv_json_end_object(&j);
    }
    pv_json_end_array(&j);
    pv_json_int(&j, "output_constraints_ignored", di->output_constraints);
    pv_json_end_object(&j);
    printf("\n");
}

/* info --domain FILE: what the domain file says, for this network. */
static int domain_info(const pv_net *net, const cli_args *a)
{
    pv_error err = {0};
    pv_box box;
    pv_box_init(&box, 0);
    pv_domain_info di;
    int m = pv_net_input_dim(net);
    if (pv_box_load(&box, m, a->domain, &di, &err) != PV_OK) {
        pv_box_clear(&box);
        return cli_fail(&err);
    }
    int flat = 0, neq = 0;
    for (int i = 0; box.intervals && i < m; i++)
        flat += mpq_equal(box.lo[i], box.hi[i]) != 0;
    for (int k = 0; k < box.nrows; k++)
        neq += box.eq[k];
    if (a->given[OPT_JSON]) {
        domain_json(&box, &di, a->domain, flat, neq);
    } else {
        printf("domain     %s (%s, %d input constraint(s))\n", a->domain, di.format,
               di.constraints);
        if (pv_box_is_box(&box))
            printf("kind       a box: every one of the %d inputs in an interval (%d "
                   "of them fixed)\n", m, flat);
        else if (box.intervals)
            printf("kind       a polyhedron: every one of the %d inputs in an interval "
                   "(%d of them fixed), and %d general row(s) (%d equalities)\n",
                   m, flat, box.nrows, neq);
        else
            printf("kind       a polyhedron: %d row(s) (%d equalities) and no interval "
                   "part (not every input is bounded on both sides by constraints "
                   "on it alone)\n", box.nrows, neq);
        for (int k = 0; k < box.nrows && k < 20; k++) {
            printf("row %-6d ", k);
            print_row(&box, k);
            printf("\n");
        }
        if (box.nrows > 20)
            printf("           ... (%d rows in all; --json lists them)\n", box.nrows);
        if (di.output_constraints)
            printf("outputs    %d output constraint(s) on Y_j: not part of the "
                   "input domain, not read\n", di.output_constraints);
    }
    pv_box_clear(&box);
    return 0;
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    (void)cmd;
    if (a->domain)
        return domain_info(net, a);
    if (a->given[OPT_JSON]) {
        info_json(net);
        return 0;
    }
    const char *dialect = pv_net_dialect(net);
    printf("format     %s", pv_net_format(net));
    if (dialect && !strcmp(dialect, "NeuralVerification.jl"))
        printf(" (NeuralVerification.jl dialect: no normalisation, no default box)");
    else if (dialect)
        printf(" (%s dialect)", dialect);
    printf("\ninput_dim  %d", pv_net_input_dim(net));
    if (pv_net_input_shape(net))
        printf(" (input tensor %s, flattened in row-major order)",
               pv_net_input_shape(net));
    printf("\nneurons    %d (ReLU, the code length)\nlayers    ",
           pv_net_neurons(net));
    for (int k = 0; k < pv_net_nlayers(net); k++)
        printf(" %s %d", act_name(pv_net_layer_activation(net, k)),
               pv_net_layer_out(net, k));
    printf("\n");
    if (pv_net_output_head(net))
        printf("head       %s (the final op, ignored for geometry: it cannot "
               "change a cell; the outputs are its inputs)\n",
               pv_net_output_head(net));
    return 0;
}

static const cli_opt opts[] = {
    { OPT_DOMAIN, "--domain", "FILE", 0,
      "summarise an input domain (.vnnlib or .ine) for this network\n"
      "instead: its bounds, its general rows (numbered from 0, as cells'\n"
      "facets name them), and the output constraints it also holds" },
    { OPT_JSON, "--json", NULL, 0, "JSON: format, dialect (.nnet: standard or NeuralVerification.jl;\n"
      "null for other formats), input_dim, input_shape and output_head\n"
      "(ONNX; else null), neurons, layers" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_info = {
    "info", "polyverify info NET [--domain FILE] [--json]",
    "Prints the network's format, input dimension, layers and N, the number\n"
    "of ReLU neurons (the code length).",
    opts, run, 0,
};
