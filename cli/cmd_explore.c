/* polyverify explore — breadth-first search over the full-dimensional cells
 * reachable from a start cell by crossing facets (explore.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mpi.h"
#include "polyverify/code.h"
#include "polyverify/explore.h"
#include "polyverify/json.h"

static void explore_dot(const pv_explore *E, const pv_net *net)
{
    printf("graph cells {\n  node [shape=box, fontname=\"monospace\"];\n");
    for (int i = 0; i < E->ncells; i++) {
        char *s = pv_code_str(&E->cells[i].code, NULL);
        char *t = pv_code_str(&E->cells[i].code, net);
        printf("  \"%s\" [label=\"%s\\ndepth %d, %d facets\"];\n", s, t,
               E->cells[i].depth, E->cells[i].nfacets);
        free(s);
        free(t);
    }
    for (int k = 0; k < E->nedges; k++) {
        char *a = pv_code_str(&E->cells[E->edges[2 * k]].code, NULL);
        char *b = pv_code_str(&E->cells[E->edges[2 * k + 1]].code, NULL);
        printf("  \"%s\" -- \"%s\";\n", a, b);
        free(a);
        free(b);
    }
    printf("}\n");
}

static void explore_json(const pv_explore *E, int edges)
{
    pv_json j;
    pv_json_init(&j, stdout);
    pv_json_begin_object(&j, NULL);
    pv_json_code(&j, "start", &E->cells[0].code);
    pv_json_begin_array(&j, "cells");
    for (int i = 0; i < E->ncells; i++) {
        const pv_explore_cell *c = &E->cells[i];
        pv_json_begin_object(&j, NULL);
        pv_json_code(&j, "code", &c->code);
        pv_json_int(&j, "depth", c->depth);
        pv_json_int(&j, "dim", c->dim);
        pv_json_int(&j, "facets", c->nfacets);
        pv_json_rationals(&j, "point", c->point, E->m);
        pv_json_end_object(&j);
    }
    pv_json_end_array(&j);
    pv_json_bool(&j, "complete", E->complete);
    if (edges) {
        pv_json_begin_array(&j, "edges");
        for (int k = 0; k < E->nedges; k++) {
            pv_json_code_pair(&j, NULL, &E->cells[E->edges[2 * k]].code,
                              &E->cells[E->edges[2 * k + 1]].code);
        }
        pv_json_end_array(&j);
    }
    pv_json_end_object(&j);
    printf("\n");
}

static void explore_text(const pv_explore *E, const pv_net *net, const char *why)
{
    printf("cells       %d", E->ncells);
    if (!E->complete)
        printf("  (INCOMPLETE: %s; every listed cell is exact)", why);
    printf("\n\ndepth  facets  code\n");
    for (int i = 0; i < E->ncells; i++) {
        char *s = pv_code_str(&E->cells[i].code, net);
        printf("%5d  %6d  %s\n", E->cells[i].depth, E->cells[i].nfacets, s);
        free(s);
    }
}

static int start_code(pv_code *code, const pv_net *net, const cli_args *a,
                      pv_error *err)
{
    if (a->given[OPT_CODE])
        return pv_code_parse(code, net, a->codes[0], err) != PV_OK;
    mpq_t *x = cli_point(a, 0, pv_net_input_dim(net), err);
    if (x == NULL)
        return 1;
    int rc = pv_code_at(net, x, code, NULL, err) != PV_OK;
    cli_free_point(x, pv_net_input_dim(net));
    return rc;
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    if (a->given[OPT_CODE] + a->given[OPT_POINT] != 1)
        return cli_usage(cmd, "give exactly one start: --code C or --point X");
    pv_error err = {0};
    pv_box box;
    int hasbox = cli_load_box(&box, net, a, &err);
    pv_code code;
    pv_code_init(&code, 0);
    pv_explore E;
    pv_explore_init(&E);
    int status = 0;
    if (hasbox < 0 || start_code(&code, net, a, &err)) {
        status = cli_fail(&err);
        goto done;
    }
    pv_explore_options o;
    pv_explore_options_init(&o);
    o.box = hasbox > 0 ? &box : NULL;
    o.max_depth = (int)a->max_depth;
    o.max_cells = a->max_cells;
    o.edges = a->graph != NULL;
    o.threads = a->threads;
    cli_stop_hooks(&o.progress, &o.interrupted);
    o.dist = cli_mpi_dist();
    if (o.dist)
        o.interrupted = NULL;           /* as in cli_run_enumeration */
    cli_catch_stop_signals();
    pv_status rc = pv_explore_run(&E, net, &code, &o, &err);
    cli_release_stop_signals();
    if (o.progress)
        fputs("\r\033[K", stderr);
    status = cli_run_status(rc, &err, a);
    if (status == 1)
        goto done;
    const char *why = status == 0 ? "stopped at --max-depth" : cli_stop_words(status);
    if (E.ncells == 0)
        goto done;
    if (a->graph && !strcmp(a->graph, "dot"))
        explore_dot(&E, net);
    else if (a->given[OPT_JSON] || a->graph)
        explore_json(&E, a->graph != NULL);
    else
        explore_text(&E, net, why);
done:
    pv_explore_clear(&E);
    pv_code_clear(&code);
    pv_box_clear(&box);
    return status;
}

static const cli_opt opts[] = {
    { OPT_POINT, "--point", "X", 0,
      "start from the cell of X: comma-separated exact coordinates, or\n"
      "FILE.csv:ROW (row ROW, numbered from 0, of a CSV file)" },
    { OPT_CODE, "--code", "C", 0, "start from the cell of the code C" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "with FILE.csv:ROW, column K (from 0) is a label, not a coordinate" },
    { OPT_SCALE, "--scale", "S", 0, "multiply the point by the exact number S first" },
    { OPT_MAX_DEPTH, "--max-depth", "K", 0,
      "list the cells at most K facet crossings from the start (K = 1: the\n"
      "start cell and its facet neighbours)" },
    { OPT_MAX_CELLS, "--max-cells", "N", 0,
      "stop after N cells: prints what was found, marked INCOMPLETE, exit\n"
      "status 3" },
    { OPT_DOMAIN, "--domain", "FILE", 0,
      CLI_DOMAIN_HELP },
    { OPT_BOX, "--box", "LO,HI", 0,
      "explore the cells of the box (or LO1,HI1,...,LOm,HIm; `input`: the\n"
      "network's own input box): nothing is crossed beyond a box side" },
    { OPT_GRAPH, "--graph", "dot|json", 0,
      "the facet crossings between listed cells, as Graphviz DOT or in the\n"
      "JSON (\"edges\": [[a, b], ...])" },
    { OPT_JSON, "--json", NULL, 0,
      "JSON: {\"start\", \"cells\": [{\"code\", \"depth\", \"dim\", \"facets\",\n"
      "\"point\"}], \"complete\"}" },
    CLI_THREADS_OPT,
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_explore = {
    "explore", "polyverify explore NET (--point X | --code C) [--max-depth K]\n"
    "                          [--max-cells N] [--box LO,HI] [--graph dot|json] [--json]",
    "Breadth-first search over the full-dimensional cells reachable from the\n"
    "start cell by crossing facets (in R^m, or in the box). Each cell: its\n"
    "code, depth (facet crossings from the start), dimension, number of\n"
    "facets and an interior point, each decided exactly. Without limits on a\n"
    "bounded box it lists exactly the full-dimensional cells of `enumerate`.\n"
    "Stopped by a limit, --timeout or Ctrl-C it prints what it found, marked\n"
    "INCOMPLETE (\"complete\": false). Progress on stderr when a terminal.",
    opts, run, 0,
};
