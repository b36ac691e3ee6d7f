/* polyverify enumerate — every realised cell (all dimensions) in a box or
 * in R^m, and the adjacency graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/code.h"
#include "polyverify/json.h"

static void enumeration_dot(const pv_enum *E, const pv_net *net)
{
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
}

/* The answer of --json (and of --verify's pvcheck --answer). */
typedef struct answer {
    const pv_enum *E;
    int status;
} answer;

static void enumeration_json(FILE *f, const void *ans)
{
    const pv_enum *E = ((const answer *)ans)->E;
    int status = ((const answer *)ans)->status;
    pv_json j;
    pv_json_init(&j, f);
    pv_json_begin_object(&j, NULL);
    cli_json_enum_head(&j, E, status);
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
}

static void enumeration_text(const pv_enum *E, const pv_net *net, int status)
{
    cli_text_by_dim(E, status);
    printf("\ncode  dim  point\n");
    for (int i = 0; i < E->ncells; i++) {
        char *s = pv_code_str(&E->cells[i].code, net);
        printf("%s  %d  ", s, E->cells[i].dim);
        cli_print_point(stdout, E->cells[i].point, E->m);
        printf("\n");
        free(s);
    }
}


static void print_enumeration(const pv_enum *E, const pv_net *net,
                              const cli_args *a, const answer *ans)
{
    if (a->graph && !strcmp(a->graph, "dot"))
        enumeration_dot(E, net);
    else if (a->given[OPT_JSON] || a->graph)
        enumeration_json(stdout, ans);
    else
        enumeration_text(E, net, ans->status);
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    (void)cmd;
    pv_error err = {0};
    pv_box box;
    int hasbox = cli_load_box(&box, net, a, &err);
    if (hasbox < 0) {
        pv_box_clear(&box);
        return cli_fail(&err);
    }
    const pv_box *bp = hasbox ? &box : NULL;
    pv_enum E;
    pv_enum_init(&E);
    int status = cli_run_enumeration(&E, net, a, bp, a->graph != NULL);
    answer ans = { &E, status };
    if (status == 0 && (a->certificate || a->verify) &&
        cli_certify(a, net, bp, NULL, NULL, &E, enumeration_json, &ans, &err))
        status = cli_fail(&err);
    if (status != 1 && E.by_dim)   /* else the message says it all */
        print_enumeration(&E, net, a, &ans);
    pv_enum_clear(&E);
    pv_box_clear(&box);
    return status;
}

static const cli_opt opts[] = {
    { OPT_BOX, "--box", "LO,HI", 0,
      "restrict to LO <= x_i <= HI (or LO1,HI1,...,LOm,HIm; `input`: the\n"
      "network's own input box). A flat box (LO = HI in some coordinate)\n"
      "gives the cells of its affine hull" },
    { OPT_GRAPH, "--graph", "dot|json", 0,
      "the adjacency graph, in Graphviz DOT or in the JSON (edges); pairs\n"
      "decided by the exact dimension of P(a) ∩ P(b)" },
    { OPT_MAX_CELLS, "--max-cells", "K", 0,
      "stop after K cells: prints what was found, marked INCOMPLETE, exit\n"
      "status 3" },
    { OPT_LP_ONLY, "--lp-only", NULL, 0,
      "decide every cell with the LP engine, not the exact vertex fast path\n"
      "(slower; for cross-checking)" },
    { OPT_JSON, "--json", NULL, 0,
      "JSON: cells, cells_by_dim, complete (and stopped), cell_list of\n"
      "{code, dim, point}" },
    { OPT_CERTIFICATE, "--certificate", "FILE", 0,
      "write a certificate: each cell's dimension at its point, and\n"
      "dim P(a)∩P(b) of each edge (check: pvcheck NET FILE)" },
    { OPT_VERIFY, "--verify", NULL, 0, "run pvcheck on it before printing" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_enumerate = {
    "enumerate", "polyverify enumerate NET [--box LO,HI] [--graph dot|json]\n"
    "                            [--max-cells K] [--json]",
    "Every realised cell (in the box, or in R^m without one), each decided\n"
    "exactly: a walk across facets from the cell of a generic point finds the\n"
    "full-dimensional cells; the faces of each cell's closure give the\n"
    "lower-dimensional ones. Output is sorted by code. A run stopped by\n"
    "--max-cells, the memory limit, --timeout or Ctrl-C prints the cells it\n"
    "decided, marked INCOMPLETE (exit status 3, 3, 4, 130). Progress (cells\n"
    "found, cells/s) goes to stderr when it is a terminal.",
    opts, run, 1,
};
