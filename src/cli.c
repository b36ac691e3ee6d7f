/* polyverify — command-line interface.
 *
 * A thin layer over the library in include/polyverify/: it parses
 * arguments, calls the API and prints. It holds no geometry of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyverify/adjacency.h"
#include "polyverify/cell.h"
#include "polyverify/code.h"
#include "polyverify/json.h"
#include "polyverify/network.h"
#include "polyverify/point.h"
#include "polyverify/rational.h"
#include "polyverify/system.h"

#define EXIT_USAGE 2

typedef struct options {
    const char *net_path;
    const char *codes[2];
    int ncodes;
    const char *point[2];
    int npoints;
    const char *points;
    const char *box;
    const char *format;
    int label_column;
    int json;
    int help;
} options;

static const char *usage_main =
    "usage: polyverify COMMAND NET [options]\n"
    "\n"
    "Exact facts about the activation regions (cells) of a ReLU network.\n"
    "\n"
    "commands:\n"
    "  info NET                      network summary\n"
    "  code NET --point P | --points FILE.csv\n"
    "                                activation codes of points (exact)\n"
    "  cell NET --code C [--box B]   the cell of a code: realised, dimension,\n"
    "                                relative-interior point, facets, neighbours\n"
    "  adjacency-check NET --code A --code B [--box B]\n"
    "                                are two cells adjacent? d_A against d_H\n"
    "\n"
    "Run 'polyverify COMMAND --help' for a command's options.\n";

static const char *usage_info =
    "usage: polyverify info NET [--json]\n"
    "\n"
    "Prints the input dimension, the layers and N, the number of ReLU neurons\n"
    "(the code length).\n";

static const char *usage_code =
    "usage: polyverify code NET (--point X | --points FILE.csv [--label-column K]) [--json]\n"
    "\n"
    "Codes of points by an exact forward pass: bit j is 1 iff neuron j's\n"
    "pre-activation is > 0. Also lists the neurons whose pre-activation is\n"
    "exactly 0. Coordinates are exact: 1/2, -3, 0.25, 1e-3.\n"
    "  --point X          one point, comma-separated coordinates\n"
    "  --points FILE      a CSV file, one point per line\n"
    "  --label-column K   0-based column of FILE that is not a coordinate\n"
    "  --json             JSON: an array of {point, code, zero_neurons}\n";

static const char *usage_cell =
    "usage: polyverify cell NET --code C [--box LO,HI] [--json | --format ine]\n"
    "\n"
    "Decides exactly whether the code is realised, and its cell's dimension,\n"
    "implicit equalities, a relative-interior point, boundedness and facets\n"
    "(each facet: the neurons defining it and the code beyond it).\n"
    "  --code C           0/1 string; '|' and spaces are ignored\n"
    "  --box LO,HI        restrict to LO <= x_i <= HI (or LO1,HI1,...,LOm,HIm)\n"
    "  --json             JSON output (DESIGN §3.3)\n"
    "  --format ine       print the closure P(b) in cddlib/lrs .ine format\n";

static const char *usage_adjacency =
    "usage: polyverify adjacency-check NET (--code A --code B | --point X --point Y)\n"
    "                                  [--box LO,HI] [--json]\n"
    "\n"
    "Decides from geometry alone whether the cells of two codes are adjacent:\n"
    "dim(P(A) ∩ P(B)) = dim C(A) - 1 = dim C(B) - 1. Prints the Hamming\n"
    "distance d_H, the adjacency distance d_A (0 same, 1 adjacent, 2 not) and\n"
    "whether d_A = min(d_H, 2), as the paper's Lemma 1 / Theorem 2 claim.\n"
    "  --code A --code B  the two codes\n"
    "  --point X --point Y  take the codes of two points instead\n"
    "  --box LO,HI        cells intersected with the box\n"
    "  --json             JSON output\n";

static int usage_error(const char *msg, const char *usage)
{
    fprintf(stderr, "polyverify: %s\n%s", msg, usage);
    return EXIT_USAGE;
}

static int fail(const pv_error *err)
{
    fprintf(stderr, "polyverify: %s\n", err->msg);
    return 1;
}

/* Parses argv[2..]; returns 0 or prints a usage error and returns 2. */
static int parse_options(int argc, char **argv, options *o, const char *usage)
{
    memset(o, 0, sizeof *o);
    o->label_column = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            takes = 0;
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
            takes = 0;
        } else if (a[0] == '-' && a[1] == '-' && !v) {
            fprintf(stderr, "polyverify: option %s needs a value\n", a);
            return EXIT_USAGE;
        } else if (!strcmp(a, "--code")) {
            if (o->ncodes == 2)
                return usage_error("too many --code options", usage);
            o->codes[o->ncodes++] = v;
        } else if (!strcmp(a, "--point")) {
            if (o->npoints == 2)
                return usage_error("too many --point options", usage);
            o->point[o->npoints++] = v;
        } else if (!strcmp(a, "--points")) {
            o->points = v;
        } else if (!strcmp(a, "--box")) {
            o->box = v;
        } else if (!strcmp(a, "--format")) {
            o->format = v;
        } else if (!strcmp(a, "--label-column")) {
            char *end;
            long k = strtol(v, &end, 10);
            if (*end || k < 0 || k > 1000000)
                return usage_error("--label-column takes a column number >= 0", usage);
            o->label_column = (int)k;
        } else if (a[0] == '-') {
            fprintf(stderr, "polyverify: unknown option '%s'\n%s", a, usage);
            return EXIT_USAGE;
        } else if (!o->net_path) {
            o->net_path = a;
            takes = 0;
        } else {
            fprintf(stderr, "polyverify: unexpected argument '%s'\n%s", a, usage);
            return EXIT_USAGE;
        }
        i += takes;
    }
    if (!o->help && !o->net_path)
        return usage_error("missing network file", usage);
    return 0;
}

static const char *act_name(pv_activation a) { return a == PV_RELU ? "relu" : "linear"; }

static int cmd_info(const pv_net *net, const options *o)
{
    if (o->json) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_string(&j, "format", net->format);
        pv_json_int(&j, "input_dim", net->input_dim);
        pv_json_int(&j, "neurons", net->neurons);
        pv_json_begin_array(&j, "layers");
        for (int k = 0; k < net->nlayers; k++) {
            pv_json_begin_object(&j, NULL);
            pv_json_string(&j, "activation", act_name(net->layers[k].act));
            pv_json_int(&j, "width", net->layers[k].out);
            pv_json_end_object(&j);
        }
        pv_json_end_array(&j);
        pv_json_end_object(&j);
        return 0;
    }
    printf("format     %s\ninput_dim  %d\nneurons    %d (ReLU, the code length)\nlayers    ",
           net->format, net->input_dim, net->neurons);
    for (int k = 0; k < net->nlayers; k++)
        printf(" %s %d", act_name(net->layers[k].act), net->layers[k].out);
    printf("\n");
    return 0;
}

static void print_point_text(mpq_t *const x, int m)
{
    for (int i = 0; i < m; i++)
        gmp_printf("%s%Qd", i ? "," : "", x[i]);
}

static int cmd_code(const pv_net *net, const options *o)
{
    pv_error err = {0};
    if ((o->npoints == 1) == !!o->points || o->npoints > 1)
        return usage_error("give exactly one of --point or --points", usage_code);
    pv_pointset ps;
    pv_pointset_init(&ps);
    pv_status rc;
    if (o->npoints) {
        ps.dim = net->input_dim;
        ps.count = 1;
        ps.x = malloc((size_t)ps.dim * sizeof(mpq_t));
        for (int i = 0; i < ps.dim; i++)
            mpq_init(ps.x[i]);
        rc = pv_point_parse(ps.x, ps.dim, o->point[0], &err);
    } else {
        rc = pv_pointset_read_csv(&ps, o->points, net->input_dim, o->label_column, &err);
    }
    if (rc != PV_OK) {
        pv_pointset_clear(&ps);
        return fail(&err);
    }
    pv_code c;
    pv_code_init(&c, net->neurons);
    unsigned char *zero = calloc((size_t)net->neurons + 1, 1);
    int *zl = malloc((size_t)(net->neurons + 1) * sizeof(int));
    pv_json j;
    pv_json_init(&j, stdout);
    if (o->json)
        pv_json_begin_array(&j, NULL);
    for (int p = 0; p < ps.count && rc == PV_OK; p++) {
        mpq_t *x = &ps.x[(size_t)p * ps.dim];
        rc = pv_net_code_at(net, x, &c, zero, &err);
        if (rc != PV_OK)
            break;
        int nz = 0;
        for (int i = 0; i < net->neurons; i++)
            if (zero[i])
                zl[nz++] = i;
        if (o->json) {
            pv_json_begin_object(&j, NULL);
            pv_json_rationals(&j, "point", x, ps.dim);
            if (ps.labels)
                pv_json_string(&j, "label", ps.labels[p]);
            pv_json_code(&j, "code", &c);
            pv_json_ints(&j, "zero_neurons", zl, nz);
            pv_json_end_object(&j);
        } else {
            char *s = pv_code_str(&c, net);
            print_point_text(x, ps.dim);
            printf("  %s", s);
            if (nz) {
                printf("  zero:");
                for (int i = 0; i < nz; i++)
                    printf(" %d", zl[i]);
            }
            printf("\n");
            free(s);
        }
    }
    if (o->json && rc == PV_OK)
        pv_json_end_array(&j);
    free(zero);
    free(zl);
    pv_code_clear(&c);
    pv_pointset_clear(&ps);
    return rc == PV_OK ? 0 : fail(&err);
}

static void print_cell_text(const pv_cell *C, const pv_net *net)
{
    char *s = pv_code_str(&C->code, net);
    printf("code        %s\n", s);
    free(s);
    if (!C->realized) {
        printf("realized    no (the code's cell is empty)\n");
        return;
    }
    printf("realized    yes\ndim         %d\npoint       ", C->dim);
    print_point_text(C->point, C->m);
    printf("\nbounded     %s\n", C->bounded ? "yes" : "no");
    printf("implicit    ");
    for (int i = 0; i < C->nimplicit; i++)
        printf("%s%d", i ? "," : "", C->implicit[i]);
    printf("%s\nfacets      %d\n", C->nimplicit ? "" : "none", C->nfacets);
    for (int f = 0; f < C->nfacets; f++) {
        const pv_cell_facet *cf = &C->facets[f];
        printf("  ");
        if (cf->nneurons)
            printf("neurons ");
        for (int i = 0; i < cf->nneurons; i++)
            printf("%s%d", i ? "," : "", cf->neurons[i]);
        if (cf->box_coord >= 0)
            printf("%sbox x%d %s", cf->nneurons ? " + " : "", cf->box_coord,
                   cf->box_hi ? "hi" : "lo");
        if (cf->has_neighbor) {
            char *n = pv_code_str(&cf->neighbor, net);
            printf("  -> %s (Hamming %d)", n, pv_code_hamming(&C->code, &cf->neighbor));
            free(n);
        }
        printf("\n");
    }
}

static void print_adjacency(const pv_adjacency *A, const pv_code c[2],
                            const pv_net *net, int json)
{
    if (json) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_code(&j, "a", &c[0]);
        pv_json_code(&j, "b", &c[1]);
        pv_json_bool(&j, "realized_a", A->dim_a >= 0);
        pv_json_bool(&j, "realized_b", A->dim_b >= 0);
        pv_json_int(&j, "dim_a", A->dim_a);
        pv_json_int(&j, "dim_b", A->dim_b);
        pv_json_int(&j, "hamming", A->hamming);
        pv_json_int(&j, "common_dim", A->common_dim);
        if (A->common_point)
            pv_json_rationals(&j, "common_point", A->common_point, A->m);
        if (A->d_A < 0) {
            pv_json_null(&j, "adjacent");
            pv_json_null(&j, "d_A");
        } else {
            pv_json_bool(&j, "adjacent", A->adjacent);
            pv_json_int(&j, "d_A", A->d_A);
        }
        pv_json_int(&j, "d_H2", A->d_H2);
        if (A->agrees < 0)
            pv_json_null(&j, "agrees");
        else
            pv_json_bool(&j, "agrees", A->agrees);
        pv_json_end_object(&j);
        return;
    }
    for (int i = 0; i < 2; i++) {
        char *s = pv_code_str(&c[i], net);
        int d = i ? A->dim_b : A->dim_a;
        if (d >= 0)
            printf("code %c      %s  (realised, dim %d)\n", 'A' + i, s, d);
        else
            printf("code %c      %s  (NOT realised: no cell)\n", 'A' + i, s);
        free(s);
    }
    printf("hamming     %d\n", A->hamming);
    if (A->d_A < 0) {
        printf("adjacency   undefined: a code is not realised\n");
        return;
    }
    printf("common dim  %d  (dim of P(A) ∩ P(B))\n", A->common_dim);
    printf("adjacent    %s\nd_A         %d\nmin(d_H,2)  %d\nagrees      %s\n",
           A->adjacent ? "yes" : "no", A->d_A, A->d_H2,
           A->agrees ? "yes" : "NO (the paper's claim fails for this pair)");
}

static int load_box(pv_box *box, const pv_net *net, const options *o, pv_error *err)
{
    pv_box_init(box, net->input_dim);
    if (!o->box)
        return 0;
    return pv_box_parse(box, net->input_dim, o->box, err) == PV_OK ? 1 : -1;
}

static int cmd_cell(const pv_net *net, const options *o)
{
    pv_error err = {0};
    if (o->ncodes != 1)
        return usage_error("give exactly one --code", usage_cell);
    if (o->format && strcmp(o->format, "ine") && strcmp(o->format, "json") &&
        strcmp(o->format, "text"))
        return usage_error("--format takes ine, json or text", usage_cell);
    pv_code code;
    pv_code_init(&code, 0);
    pv_box box;
    int hasbox = load_box(&box, net, o, &err);
    int status = 0;
    if (hasbox < 0 || pv_code_parse(&code, net, o->codes[0], &err) != PV_OK) {
        status = fail(&err);
    } else if (o->format && !strcmp(o->format, "ine")) {
        pv_system S;
        if (pv_system_from_code(&S, net, &code, hasbox ? &box : NULL, &err) != PV_OK)
            status = fail(&err);
        else {
            char *s = pv_code_str(&code, net);
            char comment[256];
            snprintf(comment, sizeof comment, "polyverify: closure P(b) of code %.200s", s);
            pv_system_write_ine(&S, stdout, comment);
            free(s);
            pv_system_clear(&S);
        }
    } else {
        pv_cell C;
        pv_cell_init(&C);
        if (pv_cell_compute(&C, net, &code, hasbox ? &box : NULL, PV_CELL_ALL, &err) != PV_OK)
            status = fail(&err);
        else if (o->json || (o->format && !strcmp(o->format, "json"))) {
            pv_json j;
            pv_json_init(&j, stdout);
            pv_json_cell(&j, NULL, &C);
        } else {
            print_cell_text(&C, net);
        }
        pv_cell_clear(&C);
    }
    pv_box_clear(&box);
    pv_code_clear(&code);
    return status;
}

/* Codes from --code A --code B, or from the points of --point X --point Y. */
static int two_codes(const pv_net *net, const options *o, pv_code c[2],
                     pv_error *err)
{
    if (o->ncodes == 2 && o->npoints == 0) {
        for (int i = 0; i < 2; i++)
            if (pv_code_parse(&c[i], net, o->codes[i], err) != PV_OK)
                return 1;
        return 0;
    }
    if (o->npoints != 2 || o->ncodes != 0)
        return usage_error("give two --code or two --point options", usage_adjacency);
    int m = net->input_dim, rc = 0;
    mpq_t *x = malloc((size_t)m * sizeof(mpq_t));
    for (int j = 0; j < m; j++)
        mpq_init(x[j]);
    for (int i = 0; i < 2 && !rc; i++)
        rc = pv_point_parse(x, m, o->point[i], err) != PV_OK ||
             pv_net_code_at(net, x, &c[i], NULL, err) != PV_OK;
    for (int j = 0; j < m; j++)
        mpq_clear(x[j]);
    free(x);
    return rc;
}

static int cmd_adjacency(const pv_net *net, const options *o)
{
    pv_error err = {0};
    pv_code c[2];
    pv_code_init(&c[0], 0);
    pv_code_init(&c[1], 0);
    pv_box box;
    int hasbox = load_box(&box, net, o, &err), status = 0;
    int uc = hasbox < 0 ? 1 : two_codes(net, o, c, &err);
    pv_adjacency A;
    pv_adjacency_init(&A);
    if (uc)
        status = uc == EXIT_USAGE ? uc : fail(&err);
    else if (pv_adjacency_check(&A, net, &c[0], &c[1], hasbox ? &box : NULL, &err) != PV_OK)
        status = fail(&err);
    else
        print_adjacency(&A, c, net, o->json);
    pv_adjacency_clear(&A);
    pv_box_clear(&box);
    pv_code_clear(&c[0]);
    pv_code_clear(&c[1]);
    return status;
}

typedef struct command {
    const char *name;
    const char *usage;
    int (*run)(const pv_net *, const options *);
} command;

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const command commands[] = {
        { "info", usage_info, cmd_info },
        { "code", usage_code, cmd_code },
        { "cell", usage_cell, cmd_cell },
        { "adjacency-check", usage_adjacency, cmd_adjacency },
    };
    for (size_t c = 0; c < sizeof commands / sizeof *commands; c++) {
        if (strcmp(argv[1], commands[c].name))
            continue;
        options o;
        int rc = parse_options(argc, argv, &o, commands[c].usage);
        if (rc)
            return rc;
        if (o.help) {
            fputs(commands[c].usage, stdout);
            return 0;
        }
        pv_net net;
        pv_error err = {0};
        pv_net_init(&net);
        if (pv_net_load(&net, o.net_path, &err) != PV_OK) {
            pv_net_clear(&net);
            return fail(&err);
        }
        rc = commands[c].run(&net, &o);
        pv_net_clear(&net);
        return rc;
    }
    fprintf(stderr, "polyverify: unknown command '%s'\n%s", argv[1], usage_main);
    return EXIT_USAGE;
}
