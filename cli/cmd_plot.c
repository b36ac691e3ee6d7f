/* polyverify plot — the cells of a 2-input network (or of a 2-D slice of
 * any network) as coloured polygons with exact vertices. */
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/json.h"
#include "polyverify/plot.h"

/* --points FILE.csv as markers: where each is drawn, its label among the
 * distinct labels, and how many lie off the slice's plane. */
typedef struct markers {
    pv_pointset ps;
    pv_plot_point *pt;
    const char **names;      /* the distinct labels, in the legend's order */
    int nnames, off_plane;
} markers;

static void markers_clear(markers *M)
{
    pv_pointset_clear(&M->ps);
    free(M->pt);
    free(M->names);
}

/* Labels that are whole numbers first, by value (class numbers), then the
 * others in byte order. */
static int whole(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n > 0 && n < 9 && s[n] == '\0';
}

static int label_order(const void *pa, const void *pb)
{
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    if (whole(a) != whole(b))
        return whole(a) ? -1 : 1;
    if (whole(a) && atoi(a) != atoi(b))
        return atoi(a) < atoi(b) ? -1 : 1;
    return strcmp(a, b);
}

/* The distinct labels, sorted, and each point's index among them. */
static int index_labels(markers *M)
{
    int n = M->ps.count;
    M->names = malloc(((size_t)n + 1) * sizeof *M->names);
    if (!M->names)
        return -1;
    for (int k = 0; k < n; k++)
        M->names[k] = M->ps.labels[k];
    qsort(M->names, (size_t)n, sizeof *M->names, label_order);
    for (int k = 0; k < n; k++)
        if (M->nnames == 0 || strcmp(M->names[M->nnames - 1], M->names[k]))
            M->names[M->nnames++] = M->names[k];
    for (int k = 0; k < n; k++) {
        const char *key = M->ps.labels[k];
        const char **hit = bsearch(&key, M->names, (size_t)M->nnames, sizeof *M->names,
                                   label_order);
        M->pt[k].label = (int)(hit - M->names);
    }
    return 0;
}

static double dot(const double *u, const double *v, int m)
{
    double s = 0;
    for (int j = 0; j < m; j++)
        s += u[j] * v[j];
    return s;
}

/* The plane x = P + s D1 + t D2 as an orthonormal frame: e1 = D1/|D1|,
 * e2 = the part of D2 orthogonal to e1, normed. f holds P, e1, e2 (3m),
 * then |D1|, e1.D2 and |D2 - (e1.D2) e1|: s, t of a point of the plane
 * follow from its coordinates in e1, e2. 0, or -1 for parallel directions. */
static int frame_of(double *f, const mpq_t *plane, int m)
{
    for (int j = 0; j < 3 * m; j++)
        f[j] = mpq_get_d(plane[j]);
    double *e1 = f + m, *e2 = f + 2 * m, n1 = sqrt(dot(e1, e1, m)),
           n2 = sqrt(dot(e2, e2, m));
    for (int j = 0; n1 > 0 && j < m; j++)
        e1[j] /= n1;
    double c = dot(e1, e2, m);
    for (int j = 0; j < m; j++)
        e2[j] -= c * e1[j];
    double u = sqrt(dot(e2, e2, m));
    if (!(n1 > 0) || !(u > 1e-12 * n2))
        return -1;
    for (int j = 0; j < m; j++)
        e2[j] /= u;
    f[3 * m] = n1;
    f[3 * m + 1] = c;
    f[3 * m + 2] = u;
    return 0;
}

/* Point x (m doubles, overwritten) projected orthogonally onto the plane
 * of frame f: its (s, t), and whether it lies off the plane — the residual
 * larger than 1e-9 times the size of the numbers involved (float
 * precision with room for rounding; drawing only, no decision). */
static void project(pv_plot_point *p, double *x, const double *f, int m)
{
    const double *P = f, *e1 = f + m, *e2 = f + 2 * m;
    double size = 0;
    for (int j = 0; j < m; j++) {
        size = fmax(size, fmax(fabs(x[j]), fabs(P[j])));
        x[j] -= P[j];
    }
    double a = dot(e1, x, m), b = dot(e2, x, m), r = 0;
    for (int j = 0; j < m; j++)
        r = fmax(r, fabs(x[j] - a * e1[j] - b * e2[j]));
    p->y = b / f[3 * m + 2];
    p->x = (a - p->y * f[3 * m + 1]) / f[3 * m];
    p->hollow = r > 1e-9 * fmax(size, DBL_MIN);
}

/* Reads --points (with --label-column, and scale when not NULL, as
 * `code` reads them) and places each point: as it is without a plane
 * (m = 2), else projected onto the plane P, D1, D2. */
static pv_status load_markers(markers *M, const cli_args *a, int m, const mpq_t *plane,
                              const mpq_t *scale, pv_error *err)
{
    memset(M, 0, sizeof *M);
    pv_pointset_init(&M->ps);
    pv_status rc = pv_pointset_read_csv(&M->ps, a->points, m, a->label_column, err);
    if (rc != PV_OK)
        return rc;
    double *x = malloc((size_t)(4 * m + 3) * sizeof *x), *f = x ? x + m : NULL;
    M->pt = calloc((size_t)M->ps.count + 1, sizeof *M->pt);
    if (!x || !M->pt || (M->ps.labels && index_labels(M)))
        rc = pv_error_set(err, PV_ERR_NOMEM, "out of memory for the points");
    else if (plane && frame_of(f, plane, m))
        rc = pv_error_set(err, PV_ERR_ARG, "--points: the slice's directions are "
                          "parallel: no plane to project the points onto");
    mpq_t q;
    mpq_init(q);
    for (int k = 0; rc == PV_OK && k < M->ps.count; k++) {
        for (int j = 0; j < m; j++) {
            mpq_set(q, M->ps.x[(size_t)k * m + j]);
            if (scale)
                mpq_mul(q, q, *scale);
            x[j] = mpq_get_d(q);
        }
        if (!M->ps.labels)
            M->pt[k].label = -1;
        if (plane) {
            project(&M->pt[k], x, f, m);
        } else {
            M->pt[k].x = x[0];
            M->pt[k].y = x[1];
        }
        M->off_plane += M->pt[k].hollow;
    }
    mpq_clear(q);
    free(x);
    return rc;
}

static void report(const cli_args *a, const pv_plot_options *po,
                   const pv_plot_info *info, const markers *M)
{
    if (a->given[OPT_JSON]) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_string(&j, "output", a->output);
        pv_json_int(&j, "cells", info->cells);
        pv_json_begin_object(&j, "cells_by_dim");
        const char *key[3] = { "0", "1", "2" };
        for (int d = 2; d >= 0; d--)
            if (info->cells_by_dim[d])
                pv_json_int(&j, key[d], info->cells_by_dim[d]);
        pv_json_end_object(&j);
        if (po->graph || po->highlight)
            pv_json_int(&j, "adjacent_pairs", info->edges);
        if (po->highlight)
            pv_json_int(&j, "disagreements", info->disagreements);
        if (a->points) {
            pv_json_int(&j, "points", po->npoints);
            pv_json_int(&j, "points_outside", info->points_outside);
            pv_json_int(&j, "points_off_plane", M->off_plane);
        }
        pv_json_end_object(&j);
        return;
    }
    printf("wrote %s: %d cells (dim 2: %d, dim 1: %d, dim 0: %d)",
           a->output, info->cells, info->cells_by_dim[2],
           info->cells_by_dim[1], info->cells_by_dim[0]);
    if (po->graph || po->highlight)
        printf(", %d adjacent pairs", info->edges);
    if (po->highlight)
        printf(", %d disagreements", info->disagreements);
    if (a->points)
        printf(", %d points (%d outside the box, %d off the plane)", po->npoints,
               info->points_outside, M->off_plane);
    printf("\n");
}

/* Draws the picture once the slice, its box and the points are known. */
static int draw(const pv_net *drawn, const cli_args *a, const pv_box *box, int sliced,
                const markers *M)
{
    pv_error err = {0};
    pv_plot_options po;
    pv_plot_options_init(&po);
    po.box = box;
    po.graph = a->given[OPT_GRAPH_SWITCH] > 0;
    po.highlight = a->given[OPT_HIGHLIGHT] > 0;
    po.max_cells = a->max_cells;
    po.width = a->width;
    po.color_class = a->color_class;
    po.height = a->height;
    if (sliced > 0) {
        po.xlabel = "s";
        po.ylabel = "t";
    }
    po.npoints = M->ps.count;
    po.points = M->pt;
    po.nlabels = M->nnames;
    po.labels = M->names;
    /* --slice-points: A, B, C sit at (0,0), (1,0), (0,1) of the plane */
    mpq_t marks[6];
    static const char *const abc[3] = { "A", "B", "C" };
    for (int k = 0; k < 6; k++)
        mpq_init(marks[k]);
    mpq_set_ui(marks[2], 1, 1);
    mpq_set_ui(marks[5], 1, 1);
    if (a->slice_points) {
        po.nmarks = 3;
        po.marks = marks;
        po.mark_labels = abc;
    }
    cli_stop_hooks(&po.progress, &po.interrupted);
    pv_plot_info info;
    cli_catch_stop_signals();
    pv_status rc = pv_plot(drawn, a->output, &po, &info, &err);
    cli_release_stop_signals();
    if (po.progress)
        fputs("\r\033[K", stderr);
    int status = 0;
    if (rc == PV_ERR_INTERRUPTED) {
        /* a partial picture would look complete: nothing is drawn */
        fprintf(stderr, "polyverify: %s: no picture was written\n",
                cli_stop_signal() == SIGINT ? "interrupted" : "stopped at --timeout");
        status = cli_stop_signal() == SIGINT ? CLI_EXIT_INTERRUPT : CLI_EXIT_TIMEOUT;
    } else if (rc == PV_ERR_LIMIT) {
        fprintf(stderr, "polyverify: %s\n", err.msg);
        status = CLI_EXIT_LIMIT;
    } else if (rc != PV_OK) {
        status = cli_fail(&err);
    } else {
        if (info.points_outside)
            fprintf(stderr, "polyverify: plot: %d of %d points lie outside the box "
                    "and are not drawn\n", info.points_outside, po.npoints);
        report(a, &po, &info, M);
    }
    for (int k = 0; k < 6; k++)
        mpq_clear(marks[k]);
    return status;
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    pv_error err = {0};
    if (!a->output)
        return cli_usage(cmd, "give the output file with -o FILE.svg or FILE.png");
    if (!a->box && !a->slice_points)
        return cli_usage(cmd, "give the drawn region with --box LO,HI");
    mpq_t scale;
    mpq_init(scale);
    if (a->scale && cli_parse_rational(scale, "--scale", a->scale)) {
        mpq_clear(scale);
        return 1;
    }
    int m = pv_net_input_dim(net);
    mpq_t *plane = NULL;
    pv_net *slice = pv_net_new();
    int sliced = slice ? cli_slice_net(slice, net, a, &plane, &err)
                       : (pv_error_set(&err, PV_ERR_NOMEM, "out of memory"), -1);
    pv_box box;
    pv_box_init(&box, 2);
    markers M;
    memset(&M, 0, sizeof M);
    int status = 0;
    if (sliced < 0 || cli_slice_box(&box, a, &err) < 0 ||
        (a->points && load_markers(&M, a, m, plane, a->scale ? &scale : NULL, &err) != PV_OK))
        status = cli_fail(&err);
    else
        status = draw(sliced > 0 ? slice : net, a, &box, sliced, &M);
    markers_clear(&M);
    cli_free_point(plane, 3 * m);
    pv_box_clear(&box);
    pv_net_free(slice);
    mpq_clear(scale);
    return status;
}
static const cli_opt opts[] = {
    { OPT_BOX, "--box", "LO,HI", 0,
      "the drawn region (required; of the slice's (s, t) with --slice)" },
    { OPT_OUTPUT, "-o", "FILE", 0, ".svg or .png output (also --output)" },
    { OPT_GRAPH_SWITCH, "--graph", NULL, 0, "draw the adjacency graph between cell points" },
    { OPT_HIGHLIGHT, "--highlight-disagreements", NULL, 0,
      "mark pairs where adjacency and Hamming distance disagree (implies\n"
      "--graph)" },
    { OPT_SLICE, "--slice", "P,D1,D2", 0,
      "3m comma-separated numbers: the plane x = P + s*D1 + t*D2" },
    { OPT_SLICE_POINTS, "--slice-points", "A,B,C", 0,
      "the plane through three points (P = A, D1 = B - A, D2 = C - A; 3m\n"
      "numbers or FILE.csv:I,J,K); default box [-1/4, 5/4]^2" },
    { OPT_POINTS, "--points", "FILE.csv", 0,
      "draw the points of FILE (one a row, the network's inputs) as markers;\n"
      "on a slice, each at its orthogonal projection onto the plane (in\n"
      "floats: drawing only), filled when it lies on the plane, hollow when\n"
      "not; points outside the box are counted, not drawn" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "column K of the --points file (and of --slice-points FILE.csv:I,J,K)\n"
      "is a label: markers are coloured by label (a label k takes class k's\n"
      "colour of --color class) and listed in the legend" },
    { OPT_SCALE, "--scale", "S", 0,
      "multiply the --points and --slice-points points by S (exactly)" },
    { OPT_COLOR, "--color", "cells|class", 0,
      "cells: a colour per cell (default); class: the predicted class (arg\n"
      "max of the final linear layer's outputs, exact on each cell), with\n"
      "the decision boundary drawn and a legend" },
    { OPT_SIZE, "--size", "WxH", 0,
      "the picture's size in pixels (default: 800 on the box's longer side)" },
    { OPT_MAX_CELLS, "--max-cells", "K", 0, "stop after K cells (exit status 3, no picture)" },
    { OPT_JSON, "--json", NULL, 0,
      "JSON summary: output, cells, cells_by_dim (as enumerate's), the\n"
      "adjacent pairs and disagreements when drawn, and with --points:\n"
      "points, points_outside, points_off_plane" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_plot = {
    "plot", "polyverify plot NET --box LO,HI -o FILE.svg|FILE.png [--graph]\n"
    "                       [--highlight-disagreements] [--slice P,D1,D2 | --slice-points A,B,C]\n"
    "                       [--points FILE.csv [--label-column K] [--scale S]]\n"
    "                       [--color cells|class] [--size WxH] [--max-cells K]",
    "Draws the cells of a network with 2 inputs (or of the 2-D slice\n"
    "x = P + s*D1 + t*D2, with (s, t) in the box) as polygons with distinct\n"
    "colours, and the hyperplane pieces between them. Vertices are exact and\n"
    "rounded only for drawing; lower-dimensional cells are drawn as thick\n"
    "segments or dots. The SVG has an element per cell (id c-CODE, class\n"
    "cell, data-code, data-dim, a title) and a group per part (cells,\n"
    "decision-boundary, graph, codes, axes, slice-points, points, legend).",
    opts, run, 0,
};
