/* polyverify info — a network's summary. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "polyverify/json.h"

static const char *act_name(pv_activation a)
{
    return a == PV_RELU ? "relu" : a == PV_MIXED ? "mixed" : "linear";
}

/* Layer k's stored weights: in x out when dense, its entries when sparse
 * (pv_net_layer_weights is NULL for those). */
static long layer_nnz(const pv_net *net, int k)
{
    long n = 0;
    const int *cols;
    const mpq_t *w;
    for (int i = 0; i < pv_net_layer_out(net, k); i++)
        n += pv_net_layer_row(net, k, i, &cols, &w);
    return n;
}

static int layer_sparse(const pv_net *net, int k)
{
    return pv_net_layer_weights(net, k) == NULL;
}

/* The code layout: the network's parts (an ONNX graph's activation nodes,
 * pvnet 2 `code` lines) or, without them, one entry per layer with ReLU
 * rows. Entry e: bits *first..*last; part e, or NULL and *layer. Returns
 * 0 past the last entry. */
static int layout_entry(const pv_net *net, int e, int *first, int *last,
                        const pv_code_part **part, int *layer)
{
    *part = NULL;
    *layer = -1;
    if (pv_net_code_nparts(net) > 0) {
        *part = pv_net_code_part(net, e);
        if (*part == NULL)
            return 0;
        *first = (*part)->first;
        *last = (*part)->first + (*part)->count - 1;
        return 1;
    }
    for (int k = 0, seen = 0; k < pv_net_nlayers(net); k++) {
        int r = pv_net_layer_relus(net, k);
        if (r > 0 && seen++ == e) {
            *layer = k;
            *first = pv_net_layer_first_neuron(net, k);
            *last = *first + r - 1;
            return 1;
        }
    }
    return 0;
}

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
        pv_json_int(&j, "relus", pv_net_layer_relus(net, k));
        pv_json_bool(&j, "sparse", layer_sparse(net, k));
        pv_json_int(&j, "nnz", layer_nnz(net, k));
        pv_json_end_object(&j);
    }
    pv_json_end_array(&j);
    pv_json_begin_array(&j, "code_layout");
    int first, last, layer;
    const pv_code_part *P;
    for (int e = 0; layout_entry(net, e, &first, &last, &P, &layer); e++) {
        char shape[32];
        snprintf(shape, sizeof shape, "[%d]", last - first + 1);
        pv_json_begin_object(&j, NULL);
        pv_json_int(&j, "first", first);
        pv_json_int(&j, "last", last);
        pv_json_string(&j, "op", P ? P->op : "Relu");
        pv_json_int(&j, "per_element", P ? P->per_element : 1);
        pv_json_string(&j, "shape", P ? P->shape : shape);
        if (P)
            pv_json_string(&j, "node", P->node);
        else
            pv_json_null(&j, "node");
        if (P)
            pv_json_null(&j, "layer");
        else
            pv_json_int(&j, "layer", layer + 1);
        pv_json_end_object(&j);
    }
    pv_json_end_array(&j);
    pv_json_end_object(&j);
}

/* The `layers` line: "relu 2 linear 1" as always for dense relu/linear
 * layers; with a mixed or a sparse layer, "relu 3 + linear 1 (sparse, 7
 * weights), linear 1". */
static void print_layers(const pv_net *net)
{
    int plain = 1;
    for (int k = 0; k < pv_net_nlayers(net); k++)
        plain = plain && !layer_sparse(net, k) &&
                pv_net_layer_activation(net, k) != PV_MIXED;
    printf("layers    ");
    for (int k = 0; k < pv_net_nlayers(net); k++) {
        int out = pv_net_layer_out(net, k), r = pv_net_layer_relus(net, k);
        printf("%s ", plain || k == 0 ? "" : ",");
        if (r > 0 && r < out)
            printf("relu %d + linear %d", r, out - r);
        else
            printf("%s %d", r > 0 ? "relu" : "linear", out);
        if (layer_sparse(net, k))
            printf(" (sparse, %ld weights)", layer_nnz(net, k));
    }
    printf("\n");
}

/* One line per code layout entry: its bits, then the part (op, bits per
 * element, shape, node) or the layer. */
static void print_layout(const pv_net *net)
{
    int first, last, layer;
    const pv_code_part *P;
    const char *head = "code       ";
    for (int e = 0; layout_entry(net, e, &first, &last, &P, &layer); e++) {
        printf("%sbits %d..%d: ", head, first, last);
        head = "           ";
        if (P == NULL) {
            int r = pv_net_layer_relus(net, layer), out = pv_net_layer_out(net, layer);
            printf("layer %d relu %d", layer + 1, r);
            if (r < out)
                printf(" + linear %d", out - r);
        } else if (P->per_element == 0) {
            printf("%s, %d bits (tournament), %s, %s", P->op, P->count,
                   P->shape, P->node);
        } else {
            printf("%s, %d bit%s (%d per element), %s, %s", P->op, P->count,
                   P->count == 1 ? "" : "s", P->per_element, P->shape, P->node);
        }
        printf("\n");
    }
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
    printf("\nneurons    %d (ReLU, the code length)\n", pv_net_neurons(net));
    print_layers(net);
    print_layout(net);
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
      "(ONNX; else null), neurons, layers (activation relu, linear or\n"
      "mixed, width, relus, sparse, nnz), code_layout (first, last, op,\n"
      "per_element: 0 for a MaxPool tournament, shape; node for an\n"
      "activation node, layer (from 1) for a ReLU layer, the other null)" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_info = {
    "info", "polyverify info NET [--domain FILE] [--json]",
    "Prints the network's format, input dimension, layers and N, the number\n"
    "of ReLU neurons (the code length), and the code layout: which bits\n"
    "belong to which activation node (ONNX graphs, pvnet 2 `code` lines) or\n"
    "ReLU layer. A mixed layer shows as `relu 3 + linear 1` (ReLU rows,\n"
    "then linear rows), a sparse one with its number of stored weights.",
    opts, run, 0,
};
