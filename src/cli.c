/* polyverify — command-line interface.
 *
 * A thin layer over the library in include/polyverify/: it parses
 * arguments, calls the API and prints. It holds no geometry of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unistd.h>

#include "polyverify/adjacency.h"
#include "polyverify/cell.h"
#include "polyverify/certificate.h"
#include "polyverify/code.h"
#include "polyverify/enumerate.h"
#include "polyverify/json.h"
#include "polyverify/network.h"
#include "polyverify/plot.h"
#include "polyverify/point.h"
#include "polyverify/rational.h"
#include "polyverify/stats.h"
#include "polyverify/system.h"
#include "supervise.h"

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
    int flips;              /* adjacency-check --flips                  */
    int enumerate;          /* adjacency-check --enumerate              */
    const char *graph;      /* enumerate --graph dot|json; plot --graph */
    long max_cells;         /* --max-cells K (0: no limit)              */
    const char *output;     /* plot -o FILE                             */
    const char *slice;      /* plot --slice P,D1,D2                     */
    int highlight;          /* plot --highlight-disagreements           */
    int lp_only;            /* enumerate --lp-only                      */
    const char *certificate;/* --certificate FILE                        */
    int verify;             /* --verify: pvcheck the answer's certificate
                               (2: by POLYVERIFY_SELF_CHECK, quietly)     */
    const char *data;       /* stats --data FILE.csv                     */
    const char *scale;      /* stats --scale S                           */
    int no_filter;          /* code, stats --no-filter                   */
    double timeout;         /* --timeout SECONDS (0: none)               */
    long max_memory;        /* --max-memory MB (0: 3/4 of the RAM)       */
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
    "  stats NET --data FILE.csv     distinct codes of a data set, Hamming\n"
    "                                distances, components of d_H = 1\n"
    "  adjacency-check NET --code A --code B [--box B]\n"
    "                                are two cells adjacent? d_A against d_H\n"
    "  adjacency-check NET --code A --flips | --enumerate [--box B]\n"
    "                                one-bit flips of a code; Lemma 1 over all cells\n"
    "  enumerate NET [--box B] [--graph dot|json]\n"
    "                                every cell and the adjacency graph\n"
    "  plot NET --box B -o FILE.svg  picture of a 2-D network (or a 2-D slice)\n"
    "  convert NET -o FILE.pvnet     write the network in the exact .pvnet form\n"
    "\n"
    "Run 'polyverify COMMAND --help' for a command's options.\n"
    "\n"
    "options of every command:\n"
    "  --timeout SECONDS   stop a run that takes longer: exit status 4, nothing\n"
    "                      printed, no output file left behind\n"
    "  --max-memory MB     cap the memory: enumerations stop (exit status 3)\n"
    "                      before their cells would exceed it, or refuse at\n"
    "                      once when they provably would; other allocations\n"
    "                      fail with a clear error (exit status 5). Default for\n"
    "                      enumerations: 3/4 of the physical memory\n"
    "\n"
    "exit status: 0 answered; 1 error (bad input, ...); 2 usage; 3 stopped at a\n"
    "limit (--max-cells, memory); 4 --timeout; 5 out of memory.\n"
    "POLYVERIFY_SELF_CHECK=1 in the environment makes cell, adjacency-check and\n"
    "enumerate behave as with --verify (the test suite runs that way).\n";

static const char *usage_convert =
    "usage: polyverify convert NET -o FILE.pvnet\n"
    "\n"
    "Writes any network polyverify reads (.pvnet, .nnet, ONNX) as exact\n"
    "native text: every weight the rational it is (an ONNX float as its\n"
    "dyadic value, .nnet normalisation composed into the first and last\n"
    "layers), so that it can be inspected and edited. A .nnet default box\n"
    "(min/max) is kept as a comment.\n";

static const char *usage_info =
    "usage: polyverify info NET [--json]\n"
    "\n"
    "Prints the input dimension, the layers and N, the number of ReLU neurons\n"
    "(the code length).\n";

static const char *usage_code =
    "usage: polyverify code NET (--point X | --points FILE.csv [--label-column K])\n"
    "                           [--no-filter] [--json]\n"
    "\n"
    "Codes of points by an exact forward pass: bit j is 1 iff neuron j's\n"
    "pre-activation is > 0. Also lists the neurons whose pre-activation is\n"
    "exactly 0. Coordinates are exact: 1/2, -3, 0.25, 1e-3.\n"
    "  --point X          one point, comma-separated coordinates\n"
    "  --points FILE      a CSV file, one point per line\n"
    "  --label-column K   0-based column of FILE that is not a coordinate\n"
    "  --no-filter        skip the float filter (a double forward pass with a\n"
    "                     proved error bound that settles most points) and\n"
    "                     compute every point in exact integers: same codes,\n"
    "                     slower; for checking\n"
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
    "  --format ine       print the closure P(b) in cddlib/lrs .ine format\n"
    "  --certificate FILE write a certificate of every fact printed\n"
    "                     (check it with: pvcheck NET FILE; format: verify/README.md)\n"
    "  --verify           run pvcheck on this answer's certificate before printing\n";

static const char *usage_adjacency =
    "usage: polyverify adjacency-check NET (--code A --code B | --point X --point Y)\n"
    "                                  [--box LO,HI] [--json]\n"
    "       polyverify adjacency-check NET --code A --flips [--box LO,HI] [--json]\n"
    "       polyverify adjacency-check NET --enumerate [--box LO,HI] [--max-cells K] [--json]\n"
    "\n"
    "Decides from geometry alone whether the cells of two codes are adjacent:\n"
    "dim(P(A) ∩ P(B)) = dim C(A) - 1 = dim C(B) - 1. Prints the Hamming\n"
    "distance d_H, the adjacency distance d_A (0 same, 1 adjacent, 2 not) and\n"
    "whether d_A = min(d_H, 2), as the paper's Lemma 1 / Theorem 2 claim.\n"
    "  --code A --code B  the two codes\n"
    "  --point X --point Y  take the codes of two points instead\n"
    "  --box LO,HI        cells intersected with the box\n"
    "  --flips            every one-bit flip of A: realised? adjacent to A? and\n"
    "                     every facet neighbour of A that is not a one-bit flip\n"
    "  --enumerate        over ALL cells: pairs at Hamming distance 1 (from the\n"
    "                     bits) decided adjacent or not (from geometry), adjacent\n"
    "                     pairs (from geometry) by Hamming distance, every\n"
    "                     disagreement, and which general-position conditions\n"
    "                     hold. Exit status 0 whatever it finds.\n"
    "  --max-cells K      with --enumerate: stop after K cells (exit status 3)\n"
    "  --json             JSON output\n"
    "  --certificate FILE (two codes) write a certificate of dim C(A), dim C(B)\n"
    "                     and dim P(A)∩P(B); check it with: pvcheck NET FILE\n"
    "  --verify           (two codes) run pvcheck on it before printing\n";

static const char *usage_enumerate =
    "usage: polyverify enumerate NET [--box LO,HI] [--graph dot|json]\n"
    "                            [--max-cells K] [--json]\n"
    "\n"
    "Every realised cell (in the box, or in R^m without one), each decided\n"
    "exactly: a walk across facets from the cell of a generic point finds the\n"
    "full-dimensional cells; the faces of each cell's closure give the\n"
    "lower-dimensional ones. Output is sorted by code.\n"
    "  --box LO,HI        restrict to LO <= x_i <= HI (or LO1,HI1,...,LOm,HIm)\n"
    "  --graph dot        the adjacency graph in Graphviz DOT (pairs decided by\n"
    "                     the exact dimension of P(a) ∩ P(b))\n"
    "  --graph json       JSON with the graph's edges\n"
    "  --max-cells K      stop after K cells: prints what was found, exit status 3\n"
    "  --lp-only          decide every cell with the LP engine, not the exact\n"
    "                     vertex fast path (slower; for cross-checking)\n"
    "  --json             JSON: cells, cells_by_dim, cell_list of {code, dim, point}\n"
    "  --certificate FILE write a certificate: each cell's dimension at its point,\n"
    "                     and dim P(a)∩P(b) of each edge (check: pvcheck NET FILE)\n"
    "  --verify           run pvcheck on it before printing\n"
    "Progress (cells found, cells/s) goes to stderr when it is a terminal.\n";

static const char *usage_plot =
    "usage: polyverify plot NET --box LO,HI -o FILE.svg|FILE.png [--graph]\n"
    "                       [--highlight-disagreements] [--slice P,D1,D2] [--max-cells K]\n"
    "\n"
    "Draws the cells of a network with 2 inputs (or of the 2-D slice\n"
    "x = P + s*D1 + t*D2, with (s, t) in the box) as polygons with distinct\n"
    "colours, and the hyperplane pieces between them. Vertices are exact and\n"
    "rounded only for drawing; lower-dimensional cells are drawn as thick\n"
    "segments or dots.\n"
    "  --box LO,HI        the drawn region (required)\n"
    "  -o FILE            .svg or .png output\n"
    "  --graph            draw the adjacency graph between cell points\n"
    "  --highlight-disagreements\n"
    "                     mark pairs where adjacency and Hamming distance\n"
    "                     disagree (implies --graph)\n"
    "  --slice P,D1,D2    3m comma-separated numbers: point and two directions\n";

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

/* The field of an option that takes no value, or NULL. */
static int *switch_option(options *o, const char *a)
{
    const struct { const char *name; int *field; } table[] = {
        { "--help", &o->help }, { "-h", &o->help }, { "--json", &o->json },
        { "--verify", &o->verify }, { "--flips", &o->flips },
        { "--enumerate", &o->enumerate }, { "--lp-only", &o->lp_only },
        { "--no-filter", &o->no_filter },
        { "--highlight-disagreements", &o->highlight },
    };
    for (size_t t = 0; t < sizeof table / sizeof *table; t++)
        if (!strcmp(a, table[t].name))
            return table[t].field;
    return NULL;
}

/* Is a one of the options that take a value? */
static int takes_value(const char *a)
{
    static const char *const names[] = {
        "--code", "--point", "--data", "--scale", "--points", "--certificate",
        "--box", "--format", "--slice", "--max-cells", "--label-column",
        "--timeout", "--max-memory",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(a, names[i]))
            return 1;
    return 0;
}

/* Parses argv[2..]; returns 0 or prints a usage error and returns 2. */
static int parse_options(int argc, char **argv, options *o, const char *usage)
{
    memset(o, 0, sizeof *o);
    o->label_column = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1, *flag = switch_option(o, a);
        if (flag) {
            *flag = 1;
            takes = 0;
        } else if (!strcmp(a, "--graph")) {
            /* a value only for enumerate: dot or json (plot's takes none) */
            int has = v && v[0] != '-' && !strcmp(argv[1], "enumerate");
            if (has && strcmp(v, "dot") && strcmp(v, "json"))
                return usage_error("--graph takes dot or json", usage);
            o->graph = has ? v : "yes";
            takes = has;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!v)
                return usage_error("-o needs a file name", usage);
            o->output = v;
        } else if (a[0] == '-' && a[1] == '-' && !v) {
            if (!takes_value(a)) {
                fprintf(stderr, "polyverify: unknown option '%s'\n%s", a, usage);
                return EXIT_USAGE;
            }
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
        } else if (!strcmp(a, "--data")) {
            o->data = v;
        } else if (!strcmp(a, "--scale")) {
            o->scale = v;
        } else if (!strcmp(a, "--points")) {
            o->points = v;
        } else if (!strcmp(a, "--certificate")) {
            o->certificate = v;
        } else if (!strcmp(a, "--box")) {
            o->box = v;
        } else if (!strcmp(a, "--format")) {
            o->format = v;
        } else if (!strcmp(a, "--slice")) {
            o->slice = v;
        } else if (!strcmp(a, "--timeout")) {
            char *end;
            double t = strtod(v, &end);
            if (*end || !(t > 0) || t > 1e9)
                return usage_error("--timeout takes a number of seconds > 0", usage);
            o->timeout = t;
        } else if (!strcmp(a, "--max-memory")) {
            char *end;
            long k = strtol(v, &end, 10);
            if (*end || k < 1 || k > (1L << 30))
                return usage_error("--max-memory takes a number of MB >= 1", usage);
            o->max_memory = k;
        } else if (!strcmp(a, "--max-cells")) {
            char *end;
            long k = strtol(v, &end, 10);
            if (*end || k < 1)
                return usage_error("--max-cells takes a number >= 1", usage);
            o->max_cells = k;
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

static const char *usage_stats =
    "usage: polyverify stats NET --data FILE.csv [--label-column K] [--scale S]\n"
    "                            [--no-filter] [--json]\n"
    "\n"
    "The paper's code-space experiment on a data set: the codes of the points\n"
    "(exact forward passes), the number of distinct codes of the network and\n"
    "of each ReLU layer, points per code, per class when labels are given, the\n"
    "histogram of Hamming distances between the distinct codes (all pairs, or\n"
    "200000 pairs sampled with a fixed seed), and the connected components of\n"
    "the graph d_H = 1 among them.\n"
    "  --data FILE        CSV, one point per line (exact numbers)\n"
    "  --label-column K   0-based column holding a class label\n"
    "  --scale S          multiply every coordinate by S exactly (1/255 for\n"
    "                     pixels 0..255 of networks that take pixel/255)\n"
    "  --no-filter        exact integer forward passes only (see code --help)\n"
    "  --json             JSON output\n";

static void print_stats(const pv_code_stats *S, int json)
{
    if (json) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_int(&j, "points", S->points);
        pv_json_int(&j, "distinct_codes", S->distinct_codes);
        pv_json_ints(&j, "distinct_by_layer", S->distinct_by_layer, S->nlayers);
        pv_json_int(&j, "max_points_per_code", S->max_points_per_code);
        pv_json_int(&j, "singleton_codes", S->singleton_codes);
        if (S->classes) {
            pv_json_begin_array(&j, "classes");
            for (int c = 0; c < S->nclasses; c++) {
                pv_json_begin_object(&j, NULL);
                pv_json_string(&j, "label", S->classes[c].label);
                pv_json_int(&j, "points", S->classes[c].points);
                pv_json_int(&j, "distinct_codes", S->classes[c].distinct_codes);
                pv_json_end_object(&j);
            }
            pv_json_end_array(&j);
            pv_json_int(&j, "codes_shared_by_classes", S->shared_codes);
        }
        pv_json_begin_object(&j, "hamming_histogram");
        for (int d = 0; d <= S->nbits; d++)
            if (S->hamming[d]) {
                char key[16];
                snprintf(key, sizeof key, "%d", d);
                pv_json_int(&j, key, S->hamming[d]);
            }
        pv_json_end_object(&j);
        pv_json_int(&j, "hamming_pairs", S->pairs);
        pv_json_bool(&j, "hamming_sampled", S->sampled);
        pv_json_begin_object(&j, "hamming1_components");
        pv_json_int(&j, "count", S->components);
        pv_json_int(&j, "largest", S->largest_component);
        pv_json_int(&j, "isolated", S->isolated_codes);
        pv_json_end_object(&j);
        pv_json_begin_object(&j, "forward_pass");
        pv_json_int(&j, "float_filter", S->forward.filtered);
        pv_json_int(&j, "exact", S->forward.exact);
        pv_json_end_object(&j);
        pv_json_end_object(&j);
        return;
    }
    printf("points          %d\ndistinct codes  %d\nby layer       ", S->points, S->distinct_codes);
    for (int l = 0; l < S->nlayers; l++)
        printf(" %d", S->distinct_by_layer[l]);
    printf("\npoints/code     max %d, codes of one point %d\n", S->max_points_per_code,
           S->singleton_codes);
    for (int c = 0; S->classes && c < S->nclasses; c++)
        printf("class %-8s  %d points, %d distinct codes\n", S->classes[c].label,
               S->classes[c].points, S->classes[c].distinct_codes);
    if (S->classes)
        printf("codes shared by classes  %d\n", S->shared_codes);
    printf("hamming (%s%ld pairs):", S->sampled ? "sampled, " : "", S->pairs);
    for (int d = 0; d <= S->nbits; d++)
        if (S->hamming[d])
            printf(" %d:%ld", d, S->hamming[d]);
    printf("\nd_H = 1 graph   %d components, largest %d, isolated codes %d\n",
           S->components, S->largest_component, S->isolated_codes);
    printf("forward pass    %ld points proved by the float filter, %ld exactly\n",
           S->forward.filtered, S->forward.exact);
}

static int cmd_stats(const pv_net *net, const options *o)
{
    pv_error err = {0};
    if (!o->data)
        return usage_error("stats needs --data FILE.csv", usage_stats);
    mpq_t scale;
    mpq_init(scale);
    const char *why = NULL;
    if (o->scale && pv_rational_parse(scale, o->scale, strlen(o->scale), &why) != PV_OK) {
        mpq_clear(scale);
        fprintf(stderr, "polyverify: --scale '%s': %s\n", o->scale, why ? why : "bad number");
        return 1;   /* a bad number is bad input, as in --box or --point */
    }
    pv_pointset ps;
    pv_pointset_init(&ps);
    pv_code_stats S;
    pv_code_stats_init(&S);
    int status = 0;
    if (pv_pointset_read_csv(&ps, o->data, net->input_dim, o->label_column, &err) != PV_OK ||
        pv_code_stats_compute(&S, net, &ps, o->scale ? &scale : NULL, 200000,
                              !o->no_filter, &err) != PV_OK)
        status = fail(&err);
    else
        print_stats(&S, o->json);
    pv_code_stats_clear(&S);
    pv_pointset_clear(&ps);
    mpq_clear(scale);
    return status;
}

static int cmd_convert(const pv_net *net, const options *o)
{
    if (!o->output)
        return usage_error("convert needs -o FILE.pvnet", usage_convert);
    pv_error err = {0};
    if (pv_net_write_pvnet(net, o->output, &err) != PV_OK)
        return fail(&err);
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
        rc = pv_net_codes_at_opt(net, 1, x, &c, zero, !o->no_filter, NULL, &err);
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

/* `--box input`: the network's default box (a .nnet file's min/max). */
static int box_from_net(pv_box *box, const pv_net *net, pv_error *err)
{
    if (!net->has_box) {
        pv_error_set(err, PV_ERR_ARG, "--box input: this %s network has no "
                     "default input box (a .nnet file's min/max gives one)",
                     net->format);
        return -1;
    }
    for (int i = 0; i < net->input_dim; i++) {
        mpq_set(box->lo[i], net->box_lo[i]);
        mpq_set(box->hi[i], net->box_hi[i]);
    }
    return 1;
}

static int load_box(pv_box *box, const pv_net *net, const options *o, pv_error *err)
{
    pv_box_init(box, net->input_dim);
    if (!o->box)
        return 0;
    if (!strcmp(o->box, "input"))
        return box_from_net(box, net, err);
    return pv_box_parse(box, net->input_dim, o->box, err) == PV_OK ? 1 : -1;
}

static int write_certificate(const char *path, const pv_net *net,
                             const pv_box *box, const pv_cell *C,
                             const pv_adjacency *A, const pv_enumeration *E,
                             pv_error *err);

/* The checker: $PVCHECK, else pvcheck beside this program (the build tree
 * puts it in verify/), else pvcheck on the PATH. */
static void find_pvcheck(char *buf, size_t size)
{
    const char *env = getenv("PVCHECK");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            const char *try[] = { "/verify/pvcheck", "/pvcheck" };
            for (size_t t = 0; t < 2; t++) {
                snprintf(buf, size, "%s%s", self, try[t]);
                if (access(buf, X_OK) == 0)
                    return;
            }
        }
    }
    snprintf(buf, size, "pvcheck");
}

/* --verify: runs the independent checker on the certificate; its report
 * goes to stderr. Returns 0 when every claim was verified. */
static int run_pvcheck(const char *net_path, const char *cert, int quiet,
                       pv_error *err)
{
    char prog[4200];
    find_pvcheck(prog, sizeof prog);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return pv_error_set(err, PV_ERR_IO, "--verify: cannot start %s", prog), 1;
    if (pid == 0) {
        /* the checker's report to stderr; its failures always are */
        int out = quiet ? open("/dev/null", O_WRONLY) : 2;
        dup2(out >= 0 ? out : 2, 1);
        execlp(prog, prog, net_path, cert, "--quiet", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        pv_error_set(err, PV_ERR_IO, "--verify: cannot run %s (the checker: "
                     "set PVCHECK to its path); nothing is printed", prog);
        return 1;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        pv_error_set(err, PV_ERR_INTERNAL, "--verify: the checker (%s) did not accept "
                     "the certificate of this answer; nothing is printed", prog);
        return 1;
    }
    return 0;
}

/* Writes the certificate of a cell (C) or of an adjacency check (A); with
 * --verify (and no --certificate) to a temporary file that is checked and
 * removed. Returns non-zero with err set on failure, leaving no file. */
static int certify(const options *o, const pv_net *net, const pv_box *box,
                   const pv_cell *C, const pv_adjacency *A,
                   const pv_enumeration *E, pv_error *err)
{
    char tmp[64] = "";
    const char *path = o->certificate;
    if (!path) {
        snprintf(tmp, sizeof tmp, "/tmp/polyverify-%ld.cert", (long)getpid());
        path = tmp;
    }
    int rc = write_certificate(path, net, box, C, A, E, err);
    if (rc == 0 && o->verify) {
        rc = run_pvcheck(o->net_path, path, o->verify == 2, err);
        if (rc != 0)
            remove(path);   /* a failed run leaves no output behind */
    }
    if (tmp[0])
        remove(tmp);
    return rc;
}

/* Writes the certificate of a cell (C) or of an adjacency check (A, with
 * codes a, b); returns non-zero with err set on failure, leaving no file. */
static int write_certificate(const char *path, const pv_net *net,
                             const pv_box *box, const pv_cell *C,
                             const pv_adjacency *A, const pv_enumeration *E,
                             pv_error *err)
{
    pv_cert cert;
    if (pv_cert_open(&cert, path, net, box, err) != PV_OK)
        return 1;
    pv_status rc = C ? pv_cert_cell(&cert, C, err)
                 : A ? pv_cert_adjacency(&cert, A, err)
                     : pv_cert_enumeration(&cert, E, err);
    pv_error err2;
    if (pv_cert_close(&cert, rc == PV_OK, &err2) != PV_OK && rc == PV_OK) {
        *err = err2;
        rc = err2.status;
    }
    return rc != PV_OK;
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
        const pv_box *bp = hasbox ? &box : NULL;
        int cert = o->certificate || o->verify;
        unsigned what = PV_CELL_ALL | (cert ? PV_CELL_DIRECT : 0);
        if (pv_cell_compute(&C, net, &code, bp, what, &err) != PV_OK)
            status = fail(&err);
        else if (cert && certify(o, net, bp, &C, NULL, NULL, &err))
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
    else if ((o->certificate || o->verify) &&
             certify(o, net, hasbox ? &box : NULL, NULL, &A, NULL, &err))
        status = fail(&err);
    else
        print_adjacency(&A, c, net, o->json);
    pv_adjacency_clear(&A);
    pv_box_clear(&box);
    pv_code_clear(&c[0]);
    pv_code_clear(&c[1]);
    return status;
}

/* ---- adjacency-check --flips / --enumerate, enumerate, plot ------------ */

/* Progress on stderr, only for a terminal (ctx: unused). */
static void progress_line(void *ctx, long cells, double seconds)
{
    (void)ctx;
    fprintf(stderr, "\rcells found %ld, cells/s %.0f ", cells,
            seconds > 0 ? (double)cells / seconds : 0.0);
    fflush(stderr);
}

static void set_progress(pv_enum_options *eo)
{
    if (isatty(2))
        eo->progress = progress_line;
}

static void end_progress(const pv_enum_options *eo)
{
    if (eo->progress)
        fputs("\r\033[K", stderr);
}

static void print_flip_json(pv_json *j, const pv_flip *f)
{
    pv_json_begin_object(j, NULL);
    if (f->neuron >= 0)
        pv_json_int(j, "neuron", f->neuron);
    else
        pv_json_ints(j, "neurons", f->neurons, f->nneurons);
    pv_json_code(j, "code", &f->code);
    pv_json_int(j, "hamming", f->hamming);
    pv_json_bool(j, "realized", f->realized);
    pv_json_int(j, "dim", f->dim);
    if (f->realized) {
        pv_json_int(j, "common_dim", f->common_dim);
        pv_json_bool(j, "adjacent", f->adjacent);
    } else {
        pv_json_null(j, "common_dim");
        pv_json_null(j, "adjacent");
    }
    pv_json_end_object(j);
}

static void print_flips(const pv_flips *F, const pv_code *code,
                        const pv_net *net, int json)
{
    int n = net->neurons;
    if (json) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_code(&j, "code", code);
        pv_json_bool(&j, "realized", F->realized);
        pv_json_int(&j, "dim", F->dim);
        if (F->realized) {
            pv_json_begin_array(&j, "flips");
            for (int i = 0; i < F->nflips && i < n; i++)
                print_flip_json(&j, &F->flips[i]);
            pv_json_end_array(&j);
            pv_json_begin_array(&j, "other_neighbors");
            for (int i = n; i < F->nflips; i++)
                print_flip_json(&j, &F->flips[i]);
            pv_json_end_array(&j);
        }
        pv_json_end_object(&j);
        return;
    }
    char *s = pv_code_str(code, net);
    if (!F->realized) {
        printf("code %s is NOT realised: no cell, no flips to compare\n", s);
        free(s);
        return;
    }
    printf("code %s  (realised, dim %d)\n\nflip  code  realised  dim  common_dim  adjacent\n",
           s, F->dim);
    free(s);
    for (int i = 0; i < F->nflips; i++) {
        const pv_flip *f = &F->flips[i];
        if (i == n)
            printf("\nfacet neighbours that are not one-bit flips:\n"
                   "neurons  code  hamming  dim  common_dim  adjacent\n");
        char *c = pv_code_str(&f->code, net);
        if (f->neuron >= 0) {
            printf("%4d  %s  %s", f->neuron, c, f->realized ? "yes" : "no ");
        } else {
            printf("[");
            for (int k = 0; k < f->nneurons; k++)
                printf("%s%d", k ? "," : "", f->neurons[k]);
            printf("]  %s  %d", c, f->hamming);
        }
        if (f->realized)
            printf("  %d  %d  %s\n", f->dim, f->common_dim, f->adjacent ? "yes" : "no");
        else
            printf("  -  -  -\n");
        free(c);
    }
    if (F->nflips == n)
        printf("\nevery facet neighbour is a one-bit flip\n");
}

static int cmd_flips(const pv_net *net, const options *o)
{
    pv_error err = {0};
    if (o->ncodes != 1 || o->npoints)
        return usage_error("--flips takes exactly one --code", usage_adjacency);
    pv_code code;
    pv_code_init(&code, 0);
    pv_box box;
    int hasbox = load_box(&box, net, o, &err), status = 0;
    pv_flips F;
    pv_flips_init(&F);
    if (hasbox < 0 || pv_code_parse(&code, net, o->codes[0], &err) != PV_OK ||
        pv_flips_check(&F, net, &code, hasbox ? &box : NULL, &err) != PV_OK)
        status = fail(&err);
    else
        print_flips(&F, &code, net, o->json);
    pv_flips_clear(&F);
    pv_box_clear(&box);
    pv_code_clear(&code);
    return status;
}

static void json_by_dim(pv_json *j, const pv_enumeration *E)
{
    pv_json_begin_object(j, "cells_by_dim");
    for (int d = E->m; d >= 0; d--) {
        char key[16];
        snprintf(key, sizeof key, "%d", d);
        if (E->by_dim[d])
            pv_json_int(j, key, E->by_dim[d]);
    }
    pv_json_end_object(j);
}

static void text_by_dim(const pv_enumeration *E)
{
    printf("cells       %d%s\nby dim     ", E->ncells,
           E->complete ? "" : "  (INCOMPLETE: stopped at --max-cells)");
    for (int d = E->m; d >= 0; d--)
        if (E->by_dim[d])
            printf(" dim %d: %d", d, E->by_dim[d]);
    printf("\n");
}

static void print_enumeration(const pv_enumeration *E, const pv_net *net,
                              const options *o)
{
    if (o->graph && !strcmp(o->graph, "dot")) {
        printf("graph cells {\n  node [shape=box, fontname=\"monospace\"];\n");
        for (int i = 0; i < E->ncells; i++) {
            char *s = pv_code_str(&E->cells[i].code, NULL);
            char *t = pv_code_str(&E->cells[i].code, net);
            printf("  \"%s\" [label=\"%s\\ndim %d\"];\n", s, t, E->cells[i].dim);
            free(s);
            free(t);
        }
        for (int k = 0; k < E->npairs; k++) {
            char *a = pv_code_str(&E->cells[E->pairs[k].a].code, NULL);
            char *b = pv_code_str(&E->cells[E->pairs[k].b].code, NULL);
            printf("  \"%s\" -- \"%s\" [label=\"%d\"%s];\n", a, b, E->pairs[k].hamming,
                   E->pairs[k].hamming == 1 ? "" : ", color=red, penwidth=2");
            free(a);
            free(b);
        }
        printf("}\n");
        return;
    }
    if (o->json || o->graph) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_int(&j, "cells", E->ncells);
        json_by_dim(&j, E);
        pv_json_bool(&j, "complete", E->complete);
        pv_json_begin_array(&j, "cell_list");
        for (int i = 0; i < E->ncells; i++) {
            pv_json_begin_object(&j, NULL);
            pv_json_code(&j, "code", &E->cells[i].code);
            pv_json_int(&j, "dim", E->cells[i].dim);
            pv_json_rationals(&j, "point", E->cells[i].point, E->m);
            pv_json_end_object(&j);
        }
        pv_json_end_array(&j);
        if (E->has_graph) {
            pv_json_begin_array(&j, "edges");
            for (int k = 0; k < E->npairs; k++) {
                pv_json_begin_object(&j, NULL);
                pv_json_code(&j, "a", &E->cells[E->pairs[k].a].code);
                pv_json_code(&j, "b", &E->cells[E->pairs[k].b].code);
                pv_json_int(&j, "hamming", E->pairs[k].hamming);
                pv_json_end_object(&j);
            }
            pv_json_end_array(&j);
        }
        pv_json_end_object(&j);
        return;
    }
    text_by_dim(E);
    printf("\ncode  dim  point\n");
    for (int i = 0; i < E->ncells; i++) {
        char *s = pv_code_str(&E->cells[i].code, net);
        printf("%s  %d  ", s, E->cells[i].dim);
        print_point_text(E->cells[i].point, E->m);
        printf("\n");
        free(s);
    }
}

/* Runs the enumeration; 0, 3 (stopped at --max-cells, E still valid) or 1. */
static int run_enumeration(pv_enumeration *E, const pv_net *net,
                           const options *o, const pv_box *box, int graph)
{
    pv_error err = {0};
    pv_enum_options eo;
    memset(&eo, 0, sizeof eo);
    eo.box = box;
    eo.max_cells = o->max_cells;
    eo.max_bytes = o->max_memory ? (size_t)o->max_memory << 20
                                 : pv_physical_memory() / 4 * 3;
    eo.graph = graph;
    eo.lp_only = o->lp_only;
    set_progress(&eo);
    pv_status rc = pv_enumerate(E, net, &eo, &err);
    end_progress(&eo);
    if (rc == PV_ERR_LIMIT) {
        fprintf(stderr, "polyverify: %s\n", err.msg);
        return 3;   /* E holds what was found, if anything (by_dim) */
    }
    return rc == PV_OK ? 0 : fail(&err);
}

static int certify_enumeration(const options *o, const pv_net *net,
                               const pv_box *box, const pv_enumeration *E,
                               pv_error *err)
{
    return certify(o, net, box, NULL, NULL, E, err);
}

static int cmd_enumerate(const pv_net *net, const options *o)
{
    pv_error err = {0};
    if (o->graph && strcmp(o->graph, "dot") && strcmp(o->graph, "json"))
        return usage_error("--graph takes dot or json", usage_enumerate);
    if (o->ncodes || o->npoints)
        return usage_error("enumerate takes no --code or --point", usage_enumerate);
    pv_box box;
    int hasbox = load_box(&box, net, o, &err);
    if (hasbox < 0) {
        pv_box_clear(&box);
        return fail(&err);
    }
    pv_enumeration E;
    pv_enumeration_init(&E);
    int status = run_enumeration(&E, net, o, hasbox ? &box : NULL, o->graph != NULL);
    if (status == 0 && (o->certificate || o->verify) &&
        certify_enumeration(o, net, hasbox ? &box : NULL, &E, &err))
        status = fail(&err);
    if (status == 0 || (status == 3 && E.by_dim != NULL))
        print_enumeration(&E, net, o);
    pv_enumeration_clear(&E);
    pv_box_clear(&box);
    return status;
}

static void json_condition(pv_json *j, const char *key, int holds,
                           const char *what, long count)
{
    pv_json_begin_object(j, key);
    pv_json_bool(j, "checked", 1);
    pv_json_bool(j, "holds", holds);
    pv_json_int(j, what, count);
    pv_json_end_object(j);
}

static void print_lemma1(const pv_lemma1 *L, const pv_enumeration *E,
                         const pv_net *net, int json)
{
    const pv_genpos *gp = &E->gp;
    int gp_ok = gp->zero_rows == 0 && gp->shared_facets == 0 && gp->bad_vertices == 0;
    if (json) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_int(&j, "cells", E->ncells);
        json_by_dim(&j, E);
        pv_json_bool(&j, "complete", E->complete);
        pv_json_int(&j, "pairs_hamming1", L->pairs_hamming1);
        pv_json_int(&j, "adjacent_pairs", L->adjacent_pairs);
        pv_json_int(&j, "hamming1_not_adjacent", L->hamming1_not_adjacent);
        pv_json_int(&j, "adjacent_not_hamming1", L->adjacent_not_hamming1);
        pv_json_bool(&j, "agrees", L->ndisagree == 0);
        pv_json_bool(&j, "general_position", gp_ok);
        pv_json_begin_object(&j, "general_position_checks");
        json_condition(&j, "no_zero_preactivation", gp->zero_rows == 0,
                       "violations", gp->zero_rows);
        json_condition(&j, "no_shared_facets", gp->shared_facets == 0,
                       "violations", gp->shared_facets);
        pv_json_begin_object(&j, "vertices_on_m_hyperplanes");
        pv_json_bool(&j, "checked", 1);
        pv_json_bool(&j, "holds", gp->bad_vertices == 0);
        pv_json_int(&j, "vertices", gp->vertices);
        pv_json_int(&j, "violations", gp->bad_vertices);
        if (gp->example_vertex) {
            pv_json_rationals(&j, "example_vertex", gp->example_vertex, E->m);
            pv_json_int(&j, "example_hyperplanes", gp->example_count);
        }
        pv_json_end_object(&j);
        pv_json_end_object(&j);
        pv_json_begin_array(&j, "disagreements");
        for (int k = 0; k < L->ndisagree; k++) {
            const pv_enum_pair *P = &L->disagree[k];
            pv_json_begin_object(&j, NULL);
            pv_json_code(&j, "a", &E->cells[P->a].code);
            pv_json_code(&j, "b", &E->cells[P->b].code);
            pv_json_int(&j, "hamming", P->hamming);
            pv_json_bool(&j, "adjacent", P->adjacent);
            pv_json_int(&j, "dim_a", E->cells[P->a].dim);
            pv_json_int(&j, "dim_b", E->cells[P->b].dim);
            pv_json_int(&j, "common_dim", P->common_dim);
            pv_json_end_object(&j);
        }
        pv_json_end_array(&j);
        pv_json_end_object(&j);
        return;
    }
    text_by_dim(E);
    printf("pairs with d_H = 1          %ld (from the bits)\n", L->pairs_hamming1);
    printf("adjacent pairs              %ld (from geometry)\n", L->adjacent_pairs);
    printf("d_H = 1 but not adjacent    %ld\n", L->hamming1_not_adjacent);
    printf("adjacent but d_H != 1       %ld\n", L->adjacent_not_hamming1);
    printf("general position            %s\n", gp_ok ? "yes" : "NO");
    printf("  no zero pre-activation on a cell    %s (%ld)\n",
           gp->zero_rows ? "fails" : "holds", gp->zero_rows);
    printf("  no facet shared by two neurons      %s (%ld)\n",
           gp->shared_facets ? "fails" : "holds", gp->shared_facets);
    printf("  vertices on exactly m hyperplanes   %s (%ld of %ld vertices fail)\n",
           gp->bad_vertices ? "fails" : "holds", gp->bad_vertices, gp->vertices);
    if (L->ndisagree)
        printf("\ndisagreements (a, b, d_H, adjacent, dims, dim of P(a) ∩ P(b)):\n");
    for (int k = 0; k < L->ndisagree; k++) {
        const pv_enum_pair *P = &L->disagree[k];
        char *a = pv_code_str(&E->cells[P->a].code, net);
        char *b = pv_code_str(&E->cells[P->b].code, net);
        printf("  %s  %s  %d  %s  %d,%d  %d\n", a, b, P->hamming,
               P->adjacent ? "adjacent" : "not adjacent", E->cells[P->a].dim,
               E->cells[P->b].dim, P->common_dim);
        free(a);
        free(b);
    }
}

static int cmd_lemma1(const pv_net *net, const options *o)
{
    pv_error err = {0};
    if (o->ncodes || o->npoints)
        return usage_error("--enumerate takes no --code or --point", usage_adjacency);
    pv_box box;
    int hasbox = load_box(&box, net, o, &err);
    if (hasbox < 0) {
        pv_box_clear(&box);
        return fail(&err);
    }
    pv_enumeration E;
    pv_enumeration_init(&E);
    int status = run_enumeration(&E, net, o, hasbox ? &box : NULL, 1);
    if (status == 0 || (status == 3 && E.by_dim != NULL)) {
        pv_lemma1 L;
        pv_lemma1_init(&L);
        if (pv_lemma1_check(&L, &E, net, hasbox ? &box : NULL, &err) != PV_OK)
            status = fail(&err);
        else
            print_lemma1(&L, &E, net, o->json);
        pv_lemma1_clear(&L);
    }
    pv_enumeration_clear(&E);
    pv_box_clear(&box);
    return status;
}

/* The 2-input network to draw: net itself, or its --slice. */
static int plot_net(pv_net *out, const pv_net *net, const options *o,
                    pv_error *err)
{
    int m = net->input_dim;
    if (!o->slice) {
        if (m == 2)
            return 0;
        pv_error_set(err, PV_ERR_ARG, "plot: the network has %d inputs; give "
                     "--slice P,D1,D2 (3*%d numbers)", m, m);
        return -1;
    }
    mpq_t *v = malloc((size_t)3 * m * sizeof(mpq_t));
    for (int i = 0; i < 3 * m; i++)
        mpq_init(v[i]);
    int rc = pv_point_parse(v, 3 * m, o->slice, err) != PV_OK ? -1 : 1;
    if (rc > 0 && pv_net_slice(out, net, v, v + m, v + 2 * m, err) != PV_OK)
        rc = -1;
    for (int i = 0; i < 3 * m; i++)
        mpq_clear(v[i]);
    free(v);
    return rc;
}

static int cmd_plot(const pv_net *net, const options *o)
{
    pv_error err = {0};
    if (!o->output)
        return usage_error("give the output file with -o FILE.svg or FILE.png", usage_plot);
    if (!o->box)
        return usage_error("plot needs --box LO,HI", usage_plot);
    if (o->graph && strcmp(o->graph, "yes"))
        return usage_error("plot's --graph takes no value", usage_plot);
    pv_net slice;
    pv_net_init(&slice);
    int sliced = plot_net(&slice, net, o, &err);
    const pv_net *drawn = sliced > 0 ? &slice : net;
    pv_box box;
    pv_box_init(&box, 2);
    int status = 0;
    if (sliced < 0 || pv_box_parse(&box, 2, o->box, &err) != PV_OK) {
        status = fail(&err);
    } else {
        pv_plot_options po;
        memset(&po, 0, sizeof po);
        po.box = &box;
        po.graph = o->graph != NULL;
        po.highlight = o->highlight;
        po.max_cells = o->max_cells;
        pv_plot_info info;
        pv_status rc = pv_plot(drawn, o->output, &po, &info, &err);
        if (rc == PV_ERR_LIMIT) {
            fprintf(stderr, "polyverify: %s\n", err.msg);
            status = 3;
        } else if (rc != PV_OK) {
            status = fail(&err);
        } else {
            printf("wrote %s: %d cells (dim 2: %d, dim 1: %d, dim 0: %d)",
                   o->output, info.cells, info.cells_by_dim[2],
                   info.cells_by_dim[1], info.cells_by_dim[0]);
            if (po.graph || po.highlight)
                printf(", %d adjacent pairs", info.edges);
            if (po.highlight)
                printf(", %d disagreements", info.disagreements);
            printf("\n");
        }
    }
    pv_box_clear(&box);
    pv_net_clear(&slice);
    return status;
}

/* adjacency-check: two codes, --flips or --enumerate. */
static int cmd_adjacency_any(const pv_net *net, const options *o)
{
    if (o->flips && o->enumerate)
        return usage_error("give --flips or --enumerate, not both", usage_adjacency);
    if (o->flips)
        return cmd_flips(net, o);
    if (o->enumerate)
        return cmd_lemma1(net, o);
    return cmd_adjacency(net, o);
}

typedef struct command {
    const char *name;
    const char *usage;
    int (*run)(const pv_net *, const options *);
    int certifies;     /* takes --certificate / --verify */
} command;

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const command commands[] = {
        { "info", usage_info, cmd_info, 0 },
        { "code", usage_code, cmd_code, 0 },
        { "cell", usage_cell, cmd_cell, 1 },
        { "adjacency-check", usage_adjacency, cmd_adjacency_any, 1 },
        { "enumerate", usage_enumerate, cmd_enumerate, 1 },
        { "plot", usage_plot, cmd_plot, 0 },
        { "convert", usage_convert, cmd_convert, 0 },
        { "stats", usage_stats, cmd_stats, 0 },
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
        if (o.max_memory)
            pv_limit_memory((size_t)o.max_memory << 20);
        if (o.timeout > 0) {
            const char *outputs[2] = { o.output, o.certificate };
            pv_supervise(o.timeout, outputs, 2);   /* returns in the child */
        }
        const char *self = getenv("POLYVERIFY_SELF_CHECK");
        if (self && *self && strcmp(self, "0") && commands[c].certifies)
            o.verify = o.verify ? 1 : 2;   /* 2: silent unless it fails */
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
