/* polyverify enumerate — every realised cell (all dimensions) in a box or
 * in R^m, and the adjacency graph; with --volumes, each cell's exact
 * volume and their total. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/code.h"
#include "polyverify/json.h"
#include "polyverify/tessellation.h"

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

/* --volumes: cell i's volume v[i] (kind[i] says whether it has one), and
 * the total of the finite ones (total_finite = 0 when a full-dimensional
 * cell is unbounded: the total is infinite). */
typedef struct volumes {
    int n;
    mpq_t *v;
    pv_volume_kind *kind;
    mpq_t total;
    int total_finite;
} volumes;

static void volumes_clear(volumes *V)
{
    for (int i = 0; i < V->n; i++)
        mpq_clear(V->v[i]);
    free(V->v);
    free(V->kind);
    mpq_clear(V->total);
}

/* The volume of every listed cell (the library decides each one; its
 * dimension is the enumeration's). 0, or 1 with err set. */
static int volumes_compute(volumes *V, const pv_enum *E, const pv_net *net,
                           const pv_box *box, pv_error *err)
{
    V->n = 0;
    V->total_finite = 1;
    mpq_init(V->total);
    V->v = malloc(((size_t)E->ncells + 1) * sizeof(mpq_t));
    V->kind = malloc(((size_t)E->ncells + 1) * sizeof *V->kind);
    if (!V->v || !V->kind) {
        pv_error_set(err, PV_ERR_NOMEM, "out of memory for %d volumes", E->ncells);
        return 1;
    }
    for (; V->n < E->ncells; V->n++) {
        int i = V->n;
        mpq_init(V->v[i]);
        if (pv_volume_of_code(V->v[i], &V->kind[i], net, &E->cells[i].code, box,
                              E->cells[i].dim, err) != PV_OK) {
            V->n++;
            return 1;
        }
        if (V->kind[i] == PV_VOLUME_FINITE)
            mpq_add(V->total, V->total, V->v[i]);
        else if (V->kind[i] == PV_VOLUME_UNBOUNDED)
            V->total_finite = 0;
    }
    return 0;
}

/* The answer of --json (and of --verify's pvcheck --answer, which has no
 * volumes: pvcheck does not check them). */
typedef struct answer {
    const pv_enum *E;
    int status;
    const volumes *V;      /* --volumes, or NULL */
    int points;            /* each cell's point (not with --no-points) */
} answer;

static void enumeration_json(FILE *f, const void *ans)
{
    const pv_enum *E = ((const answer *)ans)->E;
    int status = ((const answer *)ans)->status;
    const volumes *V = ((const answer *)ans)->V;
    int points = ((const answer *)ans)->points;
    pv_json j;
    pv_json_init(&j, f);
    pv_json_begin_object(&j, NULL);
    cli_json_enum_head(&j, E, status);
    if (V && V->total_finite)
        pv_json_rational(&j, "total_volume", V->total);
    else if (V)
        pv_json_null(&j, "total_volume");
    pv_json_begin_array(&j, "cell_list");
    for (int i = 0; i < E->ncells; i++) {
        pv_json_begin_object(&j, NULL);
        pv_json_code(&j, "code", &E->cells[i].code);
        pv_json_int(&j, "dim", E->cells[i].dim);
        if (points)
            pv_json_rationals(&j, "point", E->cells[i].point, E->m);
        if (V && V->kind[i] == PV_VOLUME_FINITE)
            pv_json_rational(&j, "volume", V->v[i]);
        else if (V)
            pv_json_null(&j, "volume");
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

static void enumeration_text(const pv_enum *E, const pv_net *net, int status,
                             const volumes *V, int points)
{
    cli_text_by_dim(E, status);
    if (V && V->total_finite)
        gmp_printf("volume      %Qd (total of the listed cells)\n", V->total);
    else if (V)
        printf("volume      none (unbounded cells)\n");
    printf("\ncode  dim%s%s\n", points ? "  point" : "", V ? "  volume" : "");
    for (int i = 0; i < E->ncells; i++) {
        char *s = pv_code_str(&E->cells[i].code, net);
        printf("%s  %d", s, E->cells[i].dim);
        if (points) {
            printf("  ");
            cli_print_point(stdout, E->cells[i].point, E->m);
        }
        if (V) {
            printf("  ");
            cli_print_volume(stdout, V->v[i], V->kind[i], E->cells[i].dim, E->m);
        }
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
        enumeration_text(E, net, ans->status, ans->V, ans->points);
}

/* ---- --slice / --slice-points: the tessellation of the plane ------------ */

static void tess_json(const pv_tessellation *T, int status)
{
    pv_json j;
    pv_json_init(&j, stdout);
    pv_json_begin_object(&j, NULL);
    pv_json_int(&j, "cells", T->ncells);
    pv_json_begin_object(&j, "cells_by_dim");
    const char *key[3] = { "0", "1", "2" };
    for (int d = 2; d >= 0; d--)
        if (T->by_dim[d])
            pv_json_int(&j, key[d], T->by_dim[d]);
    pv_json_end_object(&j);
    pv_json_bool(&j, "complete", T->complete);
    if (!T->complete)
        pv_json_string(&j, "stopped", cli_stop_reason(status));
    pv_json_begin_array(&j, "cell_list");
    mpq_t pt[2];
    mpq_inits(pt[0], pt[1], NULL);
    for (int i = 0; i < T->ncells; i++) {
        const pv_tess_cell *c = &T->cells[i];
        pv_json_begin_object(&j, NULL);
        pv_json_code(&j, "code", &c->code);
        pv_json_int(&j, "dim", c->dim);
        pv_polygon_centroid(pt, &c->polygon);
        pv_json_rationals(&j, "point", pt, 2);
        pv_json_begin_array(&j, "polygon");
        for (int k = 0; k < c->polygon.n; k++) {
            mpq_t v[2];
            mpq_inits(v[0], v[1], NULL);
            mpq_set(v[0], c->polygon.x[k]);
            mpq_set(v[1], c->polygon.y[k]);
            pv_json_rationals(&j, NULL, v, 2);
            mpq_clears(v[0], v[1], NULL);
        }
        pv_json_end_array(&j);
        pv_json_end_object(&j);
    }
    mpq_clears(pt[0], pt[1], NULL);
    pv_json_end_array(&j);
    pv_json_end_object(&j);
    printf("\n");
}

static void tess_text(const pv_tessellation *T, const pv_net *net, int status)
{
    printf("cells       %d", T->ncells);
    if (!T->complete)
        printf("  (INCOMPLETE: %s; every listed cell is exact)", cli_stop_words(status));
    printf("\nby dim      dim 2: %d  dim 1: %d  dim 0: %d\n\ncode  dim  polygon "
           "(slice coordinates)\n", T->by_dim[2], T->by_dim[1], T->by_dim[0]);
    for (int i = 0; i < T->ncells; i++) {
        const pv_tess_cell *c = &T->cells[i];
        char *s = pv_code_str(&c->code, net);
        printf("%s  %d ", s, c->dim);
        for (int k = 0; k < c->polygon.n; k++)
            gmp_printf(" (%Qd, %Qd)", c->polygon.x[k], c->polygon.y[k]);
        printf("\n");
        free(s);
    }
}

static int run_slice(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    if (a->certificate || a->verify == 1 || a->graph || a->given[OPT_LP_ONLY] ||
        a->given[OPT_VOLUME])
        return cli_usage(cmd, "--slice and --slice-points take no --certificate, "
                         "--verify, --graph, --lp-only or --volumes (certificates "
                         "and volumes are about the network's own inputs)");
    if (a->domain)
        return cli_usage(cmd, "--domain is not taken with --slice or --slice-points: "
                         "the slice's region is --box LO,HI in the slice "
                         "coordinates (s, t), the domain is about the network's "
                         "own inputs");
    if (a->slice && !a->box)
        return cli_usage(cmd, "give the slice's box with --box LO,HI (in the slice "
                         "coordinates s, t)");
    pv_error err = {0};
    pv_net *plane = pv_net_new();
    pv_box box;
    pv_box_init(&box, 2);
    int status = 0;
    if (!plane) {
        pv_error_set(&err, PV_ERR_NOMEM, "out of memory");
        status = cli_fail(&err);
        goto done;
    }
    if (cli_slice_net(plane, net, a, NULL, &err) < 0) {
        status = cli_fail(&err);
        goto done;
    }
    if (cli_slice_box(&box, a, &err) < 0) {
        status = cli_fail(&err);
        goto done;
    }
    pv_tessellation T;
    pv_tessellation_init(&T);
    pv_tess_options o;
    pv_tess_options_init(&o);
    o.max_cells = a->max_cells;
    cli_stop_hooks(&o.progress, &o.interrupted);
    cli_catch_stop_signals();
    pv_status rc = pv_tessellate(&T, plane, &box, &o, &err);
    cli_release_stop_signals();
    if (o.progress)
        fputs("\r\033[K", stderr);
    status = cli_run_status(rc, &err, a);
    if (rc == PV_OK || status > 1) {
        if (a->given[OPT_JSON])
            tess_json(&T, status);
        else
            tess_text(&T, net, status);
    }
    pv_tessellation_clear(&T);
done:
    pv_box_clear(&box);
    pv_net_free(plane);
    return status;
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    if ((a->slice || a->slice_points) && a->given[OPT_NO_POINTS])
        return cli_usage(cmd, "--no-points is not taken with --slice or --slice-points "
                         "(their cells are polygons, not points)");
    if (a->slice || a->slice_points)
        return run_slice(net, a, cmd);
    if (a->given[OPT_NO_POINTS] && a->graph && !strcmp(a->graph, "dot"))
        return cli_usage(cmd, "--graph dot prints no points: --no-points is for the "
                         "text and JSON outputs");
    if (a->given[OPT_LABEL_COLUMN] || a->scale)
        return cli_usage(cmd, "--label-column and --scale go with --slice-points");
    int vol = a->given[OPT_VOLUME] > 0;
    if (vol && (a->certificate || a->verify == 1))
        return cli_usage(cmd, "--volumes are not covered by certificates (pvcheck "
                         "does not check volumes): it takes no --certificate or "
                         "--verify");
    if (vol && a->graph && !strcmp(a->graph, "dot"))
        return cli_usage(cmd, "--volumes go in the text or JSON output, not in "
                         "--graph dot");
    pv_error err = {0};
    if (vol && pv_volume_supported(pv_net_input_dim(net), &err) != PV_OK)
        return cli_fail(&err);
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
    /* the certificate's answer keeps the points (pvcheck binds them); the
     * printed answer drops them on --no-points */
    answer ans = { &E, status, NULL, 1 };
    if (status == 0 && (a->certificate || a->verify) &&
        cli_certify(a, net, bp, NULL, NULL, &E, enumeration_json, &ans, &err))
        status = cli_fail(&err);
    ans.points = !a->given[OPT_NO_POINTS];
    volumes V;
    V.n = 0;
    if (vol && status != 1 && E.by_dim) {
        if (volumes_compute(&V, &E, net, bp, &err))
            status = cli_fail(&err);
        ans.V = &V;
    }
    if (status != 1 && E.by_dim)   /* else the message says it all */
        print_enumeration(&E, net, a, &ans);
    if (ans.V)
        volumes_clear(&V);
    pv_enum_clear(&E);
    pv_box_clear(&box);
    return status;
}

static const cli_opt opts[] = {
    { OPT_DOMAIN, "--domain", "FILE", 0,
      CLI_DOMAIN_HELP },
    { OPT_BOX, "--box", "LO,HI", 0,
      "restrict to LO <= x_i <= HI (or LO1,HI1,...,LOm,HIm; `input`: the\n"
      "network's own input box). A flat box (LO = HI in some coordinate)\n"
      "gives the cells of its affine hull" },
    { OPT_GRAPH, "--graph", "dot|json", 0,
      "the adjacency graph, in Graphviz DOT or in the JSON (edges); pairs\n"
      "decided by the exact dimension of P(a) ∩ P(b)" },
    { OPT_SLICE, "--slice", "P,D1,D2", 0,
      "the cells of the plane x = P + s D1 + t D2 (3m exact numbers) in the\n"
      "box of (s, t) given by --box: code, dimension in the plane and the\n"
      "polygon (exact vertices in slice coordinates), by a walk over exact\n"
      "polygons (no LP)" },
    { OPT_SLICE_POINTS, "--slice-points", "A,B,C", 0,
      "the plane through three points: P = A, D1 = B - A, D2 = C - A (3m\n"
      "numbers, or FILE.csv:I,J,K for rows of a CSV file); default box\n"
      "[-1/4, 5/4]^2, where A, B, C are (0,0), (1,0), (0,1)" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "with --slice-points FILE.csv:I,J,K, column K is a label" },
    { OPT_SCALE, "--scale", "S", 0,
      "with --slice-points, multiply the three points by S first" },
    { OPT_MAX_CELLS, "--max-cells", "K", 0,
      "stop after K cells: prints what was found, marked INCOMPLETE, exit\n"
      "status 3" },
    { OPT_LP_ONLY, "--lp-only", NULL, 0,
      "decide every cell with the LP engine, not the exact vertex fast path\n"
      "(slower; for cross-checking)" },
    { OPT_VOLUME, "--volumes", NULL, 0,
      "also each cell's exact volume (in the box): \"volume\": \"p/q\", or\n"
      "null for a lower-dimensional or unbounded cell, and total_volume,\n"
      "their sum (null when a cell is unbounded); for networks with at\n"
      "most 6 inputs (more is an error). Not covered by --certificate" },
    { OPT_JSON, "--json", NULL, 0,
      "JSON: cells, cells_by_dim, complete (and stopped), cell_list of\n"
      "{code, dim, point}" },
    { OPT_NO_POINTS, "--no-points", NULL, 0,
      "leave each cell's point out of the text and JSON output (counts,\n"
      "codes and graphs only; each point is still proved, and a certificate\n"
      "still holds them)" },
    { OPT_CERTIFICATE, "--certificate", "FILE", 0,
      "write a certificate: each cell's dimension at its point, and\n"
      "dim P(a)∩P(b) of each edge (check: pvcheck NET FILE)" },
    { OPT_VERIFY, "--verify", NULL, 0, "run pvcheck on it before printing" },
    CLI_THREADS_OPT,
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_enumerate = {
    "enumerate", "polyverify enumerate NET [--box LO,HI] [--graph dot|json]\n"
    "                            [--max-cells K] [--volumes] [--json]\n"
    "       polyverify enumerate NET (--slice P,D1,D2 | --slice-points A,B,C)\n"
    "                            [--box LO,HI] [--max-cells K] [--json]",
    "Every realised cell (in the box, or in R^m without one), each decided\n"
    "exactly: a walk across facets from the cell of a generic point finds the\n"
    "full-dimensional cells; the faces of each cell's closure give the\n"
    "lower-dimensional ones. Output is sorted by code. A run stopped by\n"
    "--max-cells, the memory limit, --timeout or Ctrl-C prints the cells it\n"
    "decided, marked INCOMPLETE (exit status 3, 3, 4, 130). Progress (cells\n"
    "found, cells/s) goes to stderr when it is a terminal.",
    opts, run, 1,
};
