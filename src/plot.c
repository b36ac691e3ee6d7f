/* polyverify — pictures of 2-D tessellations (see plot.h).
 *
 * The geometry is exact: each cell's closure in the box is the box square
 * clipped by every row of the cell's system, one half-plane at a time, in
 * rationals (Sutherland-Hodgman; exact signs, so no vertex is lost or
 * invented by rounding). Doubles appear only in the drawing calls. */
#include "outfile.h"
#include "polyverify/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <cairo-svg.h>

#include "polyverify/enumerate.h"
#include "polyverify/system.h"

#define PV_TAU 6.283185307179586

/* ------------------------------------------------------------------------ */
/* Exact polygons                                                            */

void pv_plot_options_init(pv_plot_options *opt)
{
    memset(opt, 0, sizeof *opt);   /* width 0: the default 800 pixels */
}

void pv_polygon_init(pv_polygon *P) { memset(P, 0, sizeof *P); }

void pv_polygon_clear(pv_polygon *P)
{
    for (int i = 0; i < P->n; i++) {
        mpq_clear(P->x[i]);
        mpq_clear(P->y[i]);
    }
    free(P->x);
    free(P->y);
    pv_polygon_init(P);
}

/* A growable list of exact points. */
typedef struct pts {
    int n, cap;
    mpq_t *x, *y;
} pts;

static void pts_push(pts *L, const mpq_t x, const mpq_t y)
{
    if (L->n == L->cap) {
        int cap = L->cap ? 2 * L->cap : 8;
        L->x = realloc(L->x, (size_t)cap * sizeof(mpq_t));
        L->y = realloc(L->y, (size_t)cap * sizeof(mpq_t));
        for (int i = L->cap; i < cap; i++) {
            mpq_init(L->x[i]);
            mpq_init(L->y[i]);
        }
        L->cap = cap;
    }
    mpq_set(L->x[L->n], x);
    mpq_set(L->y[L->n], y);
    L->n++;
}

static void pts_clear(pts *L)
{
    for (int i = 0; i < L->cap; i++) {
        mpq_clear(L->x[i]);
        mpq_clear(L->y[i]);
    }
    free(L->x);
    free(L->y);
    memset(L, 0, sizeof *L);
}

/* Value of row i (g.x + h) at (x, y). */
static void row_value(mpq_t v, const pv_system *S, int i, const mpq_t x,
                      const mpq_t y, mpq_t t)
{
    mpq_set_z(v, S->h[i]);
    mpq_set_z(t, PV_G(S, i, 0));
    mpq_mul(t, t, x);
    mpq_add(v, v, t);
    mpq_set_z(t, PV_G(S, i, 1));
    mpq_mul(t, t, y);
    mpq_add(v, v, t);
}

/* Keeps the part of the polygon in where row i >= 0. */
static void clip(pts *out, const pts *in, const pv_system *S, int i)
{
    mpq_t va, vb, t, f, x, y;
    mpq_init(va);
    mpq_init(vb);
    mpq_init(t);
    mpq_init(f);
    mpq_init(x);
    mpq_init(y);
    out->n = 0;
    for (int a = 0; a < in->n; a++) {
        int b = (a + 1) % in->n;
        row_value(va, S, i, in->x[a], in->y[a], t);
        row_value(vb, S, i, in->x[b], in->y[b], t);
        if (mpq_sgn(va) >= 0)
            pts_push(out, in->x[a], in->y[a]);
        if (mpq_sgn(va) * mpq_sgn(vb) < 0) {
            /* the crossing a + f (b - a), f = va / (va - vb) */
            mpq_sub(f, va, vb);
            mpq_div(f, va, f);
            mpq_sub(x, in->x[b], in->x[a]);
            mpq_mul(x, x, f);
            mpq_add(x, x, in->x[a]);
            mpq_sub(y, in->y[b], in->y[a]);
            mpq_mul(y, y, f);
            mpq_add(y, y, in->y[a]);
            pts_push(out, x, y);
        }
    }
    mpq_clear(va);
    mpq_clear(vb);
    mpq_clear(t);
    mpq_clear(f);
    mpq_clear(x);
    mpq_clear(y);
}

/* (b - a) x (c - a), exactly: its sign says turn left / right / straight. */
static int turn(const pts *L, int a, int b, int c)
{
    mpq_t u, v, w;
    mpq_init(u);
    mpq_init(v);
    mpq_init(w);
    mpq_sub(u, L->x[b], L->x[a]);
    mpq_sub(v, L->y[c], L->y[a]);
    mpq_mul(w, u, v);
    mpq_sub(u, L->y[b], L->y[a]);
    mpq_sub(v, L->x[c], L->x[a]);
    mpq_mul(u, u, v);
    mpq_sub(w, w, u);
    int s = mpq_sgn(w);
    mpq_clear(u);
    mpq_clear(v);
    mpq_clear(w);
    return s;
}

static void pts_remove(pts *L, int k)
{
    for (int i = k; i + 1 < L->n; i++) {
        mpq_swap(L->x[i], L->x[i + 1]);
        mpq_swap(L->y[i], L->y[i + 1]);
    }
    L->n--;
}

static int pt_less(const pts *L, int a, int b)
{
    int c = mpq_cmp(L->x[a], L->x[b]);
    return c < 0 || (c == 0 && mpq_cmp(L->y[a], L->y[b]) < 0);
}

/* Drops repeated vertices and the middle one of collinear triples, so a
 * full-dimensional piece keeps its corners, a segment its two ends and a
 * point one vertex. */
static void simplify(pts *L)
{
    for (int a = 0; L->n > 1 && a < L->n;) {
        int b = (a + 1) % L->n;
        if (mpq_equal(L->x[a], L->x[b]) && mpq_equal(L->y[a], L->y[b]))
            pts_remove(L, b);
        else
            a++;
    }
    if (L->n < 3)
        return;
    int flat = 1;
    for (int a = 2; a < L->n && flat; a++)
        flat = turn(L, 0, 1, a) == 0;
    if (flat) {                        /* a segment: keep its two ends */
        int lo = 0, hi = 0;
        for (int a = 1; a < L->n; a++) {
            if (pt_less(L, a, lo))
                lo = a;
            if (pt_less(L, hi, a))
                hi = a;
        }
        mpq_swap(L->x[0], L->x[lo]);
        mpq_swap(L->y[0], L->y[lo]);
        if (hi == 0)
            hi = lo;
        mpq_swap(L->x[1], L->x[hi]);
        mpq_swap(L->y[1], L->y[hi]);
        L->n = 2;
        return;
    }
    /* a convex polygon: a straight corner lies between its neighbours */
    for (int a = 0; L->n > 3 && a < L->n;) {
        int b = (a + 1) % L->n, c = (a + 2) % L->n;
        if (turn(L, a, b, c) == 0)
            pts_remove(L, b);
        else
            a++;
    }
}

pv_status pv_polygon_of_code(pv_polygon *P, const pv_net *net,
                             const pv_code *code, const pv_box *box,
                             pv_error *err)
{
    pv_polygon_clear(P);
    if (net->input_dim != 2 || !box)
        return pv_error_set(err, PV_ERR_ARG,
                            "polygons need a network with 2 inputs and a box");
    pv_system S;
    pv_status rc = pv_system_from_code(&S, net, code, box, err);
    if (rc != PV_OK)
        return rc;
    pts A = { 0, 0, NULL, NULL }, B = { 0, 0, NULL, NULL };
    pts_push(&A, box->lo[0], box->lo[1]);
    pts_push(&A, box->hi[0], box->lo[1]);
    pts_push(&A, box->hi[0], box->hi[1]);
    pts_push(&A, box->lo[0], box->hi[1]);
    simplify(&A);
    for (int i = 0; i < S.nrows && A.n > 0; i++) {
        clip(&B, &A, &S, i);
        simplify(&B);
        pts T = A;
        A = B;
        B = T;
    }
    P->n = A.n;
    P->x = malloc((size_t)(A.n + 1) * sizeof(mpq_t));
    P->y = malloc((size_t)(A.n + 1) * sizeof(mpq_t));
    for (int i = 0; i < A.n; i++) {
        mpq_init(P->x[i]);
        mpq_init(P->y[i]);
        mpq_set(P->x[i], A.x[i]);
        mpq_set(P->y[i], A.y[i]);
    }
    pts_clear(&A);
    pts_clear(&B);
    pv_system_clear(&S);
    return PV_OK;
}

void pv_polygon_area2(mpq_t out, const pv_polygon *P)
{
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(out, 0, 1);
    for (int a = 0; a < P->n; a++) {
        int b = (a + 1) % P->n;
        mpq_mul(t, P->x[a], P->y[b]);
        mpq_add(out, out, t);
        mpq_mul(t, P->x[b], P->y[a]);
        mpq_sub(out, out, t);
    }
    mpq_clear(t);
}

/* ------------------------------------------------------------------------ */
/* Slices                                                                    */

pv_status pv_net_slice(pv_net *out, const pv_net *net, mpq_t *const p,
                       mpq_t *const d1, mpq_t *const d2, pv_error *err)
{
    pv_net_init(out);
    memcpy(out->format, net->format, sizeof out->format);
    out->input_dim = 2;
    pv_status rc = PV_OK;
    mpq_t t;
    mpq_init(t);
    for (int k = 0; k < net->nlayers && rc == PV_OK; k++) {
        const pv_layer *L = &net->layers[k];
        rc = pv_net_add_layer(out, L->act, L->out, err);
        if (rc != PV_OK)
            break;
        pv_layer *M = &out->layers[k];
        for (int i = 0; i < L->out; i++) {
            mpq_set(M->b[i], L->b[i]);
            if (k > 0) {
                for (int j = 0; j < L->in; j++)
                    mpq_set(M->w[i * L->in + j], L->w[i * L->in + j]);
                continue;
            }
            /* W (p + s d1 + t d2) + b = (W d1) s + (W d2) t + (W p + b) */
            for (int j = 0; j < L->in; j++) {
                mpq_mul(t, L->w[i * L->in + j], d1[j]);
                mpq_add(M->w[i * 2], M->w[i * 2], t);
                mpq_mul(t, L->w[i * L->in + j], d2[j]);
                mpq_add(M->w[i * 2 + 1], M->w[i * 2 + 1], t);
                mpq_mul(t, L->w[i * L->in + j], p[j]);
                mpq_add(M->b[i], M->b[i], t);
            }
        }
    }
    mpq_clear(t);
    if (rc == PV_OK)
        rc = pv_net_finalize(out, err);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Drawing                                                                   */

typedef struct canvas {
    cairo_t *cr;
    double x0, y0, scale, height, margin;
} canvas;

static void to_px(const canvas *C, double x, double y, double *px, double *py)
{
    *px = C->margin + (x - C->x0) * C->scale;
    *py = C->height - C->margin - (y - C->y0) * C->scale;
}

/* A distinct colour per cell (golden-ratio hues, light, never black or
 * white); used[] (2^24 bits) rules out repeats at 8-bit depth. */
static void cell_colour(int k, unsigned char *used, double rgb[3])
{
    for (int attempt = 0;; attempt++) {
        double h = fmod(0.13 + (k + 0.37 * attempt) * 0.6180339887498949, 1.0);
        double s = 0.35 + 0.2 * ((k + attempt) % 3) / 2.0;
        double v = 0.80 + 0.15 * ((k + attempt) % 2);
        int i = (int)(h * 6) % 6;
        double f = h * 6 - floor(h * 6), p = v * (1 - s), q = v * (1 - f * s),
               t = v * (1 - (1 - f) * s);
        double r[6] = { v, q, p, p, t, v }, g[6] = { t, v, v, q, p, p },
               b[6] = { p, p, t, v, v, q };
        int R = (int)lround(r[i] * 255), G = (int)lround(g[i] * 255),
            B = (int)lround(b[i] * 255);
        unsigned key = (unsigned)(R << 16 | G << 8 | B);
        if (used[key >> 3] & (1u << (key & 7)))
            continue;
        used[key >> 3] |= (unsigned char)(1u << (key & 7));
        rgb[0] = R / 255.0;
        rgb[1] = G / 255.0;
        rgb[2] = B / 255.0;
        return;
    }
}

static void polygon_path(const canvas *C, const pv_polygon *P)
{
    for (int a = 0; a < P->n; a++) {
        double px, py;
        to_px(C, mpq_get_d(P->x[a]), mpq_get_d(P->y[a]), &px, &py);
        if (a == 0)
            cairo_move_to(C->cr, px, py);
        else
            cairo_line_to(C->cr, px, py);
    }
    if (P->n > 2)
        cairo_close_path(C->cr);
}

/* Where a cell's node sits: the mean of its vertices (drawing only). */
static void node_of(const pv_polygon *P, double *px, double *py,
                    const canvas *C)
{
    double x = 0, y = 0;
    for (int a = 0; a < P->n; a++) {
        x += mpq_get_d(P->x[a]);
        y += mpq_get_d(P->y[a]);
    }
    to_px(C, P->n ? x / P->n : 0, P->n ? y / P->n : 0, px, py);
}

/* A lower-dimensional cell: a segment or a point, outlined in black so it
 * shows on top of the 2-D cells around it. */
static void draw_thin_cell(const canvas *C, const pv_polygon *P,
                           const double rgb[3])
{
    cairo_t *cr = C->cr;
    if (P->n >= 2) {
        for (int pass = 0; pass < 2; pass++) {
            polygon_path(C, P);
            if (pass == 0)
                cairo_set_source_rgb(cr, 0, 0, 0);
            else
                cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            cairo_set_line_width(cr, pass == 0 ? 7.0 : 4.0);
            cairo_stroke(cr);
        }
    } else if (P->n == 1) {
        double px, py;
        to_px(C, mpq_get_d(P->x[0]), mpq_get_d(P->y[0]), &px, &py);
        cairo_arc(cr, px, py, 5.0, 0, PV_TAU);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 1.5);
        cairo_stroke(cr);
    }
}

static void draw_cells(canvas *C, const pv_enumeration *E,
                       const pv_polygon *poly)
{
    unsigned char *used = calloc(1u << 21, 1);
    double *rgb = malloc((size_t)(3 * E->ncells + 3) * sizeof *rgb);
    cairo_t *cr = C->cr;
    for (int k = 0; k < E->ncells; k++) {
        cell_colour(k, used, rgb + 3 * k);
        if (E->cells[k].dim == 2 && poly[k].n > 2) {
            cairo_set_source_rgb(cr, rgb[3 * k], rgb[3 * k + 1], rgb[3 * k + 2]);
            polygon_path(C, &poly[k]);
            cairo_fill(cr);
        }
    }
    /* the hyperplane pieces: boundaries of the 2-D cells */
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.8);
    for (int k = 0; k < E->ncells; k++)
        if (E->cells[k].dim == 2 && poly[k].n > 2) {
            polygon_path(C, &poly[k]);
            cairo_stroke(cr);
        }
    for (int k = 0; k < E->ncells; k++)
        if (E->cells[k].dim < 2)
            draw_thin_cell(C, &poly[k], rgb + 3 * k);
    free(rgb);
    free(used);
}

static int is_disagreement(const pv_lemma1 *L, int a, int b, int *kind)
{
    for (int k = 0; k < L->ndisagree; k++)
        if (L->disagree[k].a == a && L->disagree[k].b == b) {
            *kind = L->disagree[k].adjacent ? 1 : 2;
            return 1;
        }
    return 0;
}

static void draw_edge(canvas *C, const pv_polygon *poly, int a, int b,
                      int kind)
{
    cairo_t *cr = C->cr;
    double ax, ay, bx, by;
    node_of(&poly[a], &ax, &ay, C);
    node_of(&poly[b], &bx, &by, C);
    double dash[2] = { 6.0, 4.0 };
    if (kind == 0) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 1.2);
        cairo_set_dash(cr, NULL, 0, 0);
    } else if (kind == 1) {            /* adjacent, d_H != 1 */
        cairo_set_source_rgb(cr, 0.85, 0, 0);
        cairo_set_line_width(cr, 3.0);
        cairo_set_dash(cr, NULL, 0, 0);
    } else {                           /* d_H = 1, not adjacent */
        cairo_set_source_rgb(cr, 0.6, 0, 0.7);
        cairo_set_line_width(cr, 3.0);
        cairo_set_dash(cr, dash, 2, 0);
    }
    cairo_move_to(cr, ax, ay);
    cairo_line_to(cr, bx, by);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

static void draw_graph(canvas *C, const pv_enumeration *E,
                       const pv_polygon *poly, const pv_lemma1 *L,
                       pv_plot_info *info)
{
    cairo_t *cr = C->cr;
    for (int k = 0; k < E->npairs; k++) {
        int kind = 0;
        if (L)
            is_disagreement(L, E->pairs[k].a, E->pairs[k].b, &kind);
        draw_edge(C, poly, E->pairs[k].a, E->pairs[k].b, kind);
        info->edges++;
    }
    for (int k = 0; L && k < L->ndisagree; k++)
        if (!L->disagree[k].adjacent)
            draw_edge(C, poly, L->disagree[k].a, L->disagree[k].b, 2);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int k = 0; k < E->ncells; k++) {
        double px, py;
        node_of(&poly[k], &px, &py, C);
        cairo_arc(cr, px, py, 2.5, 0, PV_TAU);
        cairo_fill(cr);
    }
}

/* Codes as labels, when there are few enough cells to read them. */
static void draw_labels(canvas *C, const pv_enumeration *E,
                        const pv_polygon *poly, const pv_net *net)
{
    if (E->ncells > 40)
        return;
    cairo_t *cr = C->cr;
    cairo_select_font_face(cr, "monospace", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11.0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int k = 0; k < E->ncells; k++) {
        double px, py;
        node_of(&poly[k], &px, &py, C);
        char *s = pv_code_str(&E->cells[k].code, net);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, s, &ext);
        cairo_move_to(cr, px - ext.width / 2, py - 5);
        cairo_show_text(cr, s);
        free(s);
    }
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcmp(s + n - k, suf);
}


/* cairo's stream writer into our temporary file. */
static cairo_status_t write_stream(void *closure, const unsigned char *data,
                                   unsigned int length)
{
    return fwrite(data, 1, length, (FILE *)closure) == length
           ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static pv_status render(const char *path, const pv_box *box, int width,
                        const pv_enumeration *E, const pv_polygon *poly,
                        const pv_lemma1 *L, int graph, const pv_net *net,
                        pv_plot_info *info, pv_error *err)
{
    canvas C;
    double dx = mpq_get_d(box->hi[0]) - mpq_get_d(box->lo[0]);
    double dy = mpq_get_d(box->hi[1]) - mpq_get_d(box->lo[1]);
    double big = dx > dy ? dx : dy;
    if (!(big > 0))
        big = 1;              /* a one-point box: its one cell, a dot */
    C.margin = 10;
    C.scale = width / big;
    C.x0 = mpq_get_d(box->lo[0]);
    C.y0 = mpq_get_d(box->lo[1]);
    double W = dx * C.scale + 2 * C.margin;
    C.height = dy * C.scale + 2 * C.margin;
    int svg = has_suffix(path, ".svg");
    if (!svg && !has_suffix(path, ".png"))
        return pv_error_set(err, PV_ERR_ARG,
                            "plot: %s: the output must end in .svg or .png", path);
    pv_outfile o;          /* whole or not at all (outfile.h) */
    pv_status rc = pv_outfile_open(&o, path, err);
    if (rc != PV_OK)
        return rc;
    cairo_surface_t *surf = svg
        ? cairo_svg_surface_create_for_stream(write_stream, o.f, W, C.height)
        : cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(W), (int)ceil(C.height));
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        pv_outfile_abort(&o);
        return pv_error_set(err, PV_ERR_IO, "plot: cannot write %s", path);
    }
    C.cr = cairo_create(surf);
    if (!svg) {
        cairo_set_source_rgb(C.cr, 1, 1, 1);
        cairo_paint(C.cr);
    }
    draw_cells(&C, E, poly);
    if (graph)
        draw_graph(&C, E, poly, L, info);
    draw_labels(&C, E, poly, net);
    cairo_destroy(C.cr);
    cairo_status_t st = CAIRO_STATUS_SUCCESS;
    if (!svg)
        st = cairo_surface_write_to_png_stream(surf, write_stream, o.f);
    cairo_surface_finish(surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        pv_outfile_abort(&o);
        return pv_error_set(err, PV_ERR_IO, "plot: cannot write %s (%s)", path,
                            cairo_status_to_string(st));
    }
    return pv_outfile_commit(&o, err);
}

pv_status pv_plot(const pv_net *net, const char *path,
                  const pv_plot_options *opt, pv_plot_info *info,
                  pv_error *err)
{
    memset(info, 0, sizeof *info);
    if (net->input_dim != 2)
        return pv_error_set(err, PV_ERR_ARG, "plot: the network has %d inputs; "
                            "plot draws 2 (use --slice P,D1,D2)", net->input_dim);
    if (!opt->box)
        return pv_error_set(err, PV_ERR_ARG, "plot: a --box is required");
    /* a flat box (lo = hi in a coordinate) is drawn too: its cells are
     * segments and points, enumerated in the box's affine hull */
    for (int i = 0; i < 2; i++)
        if (mpq_cmp(opt->box->lo[i], opt->box->hi[i]) > 0)
            return pv_error_set(err, PV_ERR_ARG, "plot: the box is empty "
                                "(LO > HI in coordinate %d)", i + 1);
    pv_enum_options eo;
    memset(&eo, 0, sizeof eo);
    eo.box = opt->box;
    eo.graph = opt->graph || opt->highlight;
    eo.max_cells = opt->max_cells;
    eo.progress = opt->progress;
    eo.progress_ctx = opt->progress_ctx;
    eo.interrupted = opt->interrupted;
    eo.interrupted_ctx = opt->interrupted_ctx;
    pv_enumeration E;
    pv_enumeration_init(&E);
    pv_status rc = pv_enumerate(&E, net, &eo, err);
    pv_lemma1 L;
    pv_lemma1_init(&L);
    if (rc == PV_OK && opt->highlight)
        rc = pv_lemma1_check(&L, &E, net, opt->box, err);
    pv_polygon *poly = calloc((size_t)E.ncells + 1, sizeof *poly);
    for (int k = 0; k < E.ncells && rc == PV_OK; k++)
        rc = pv_polygon_of_code(&poly[k], net, &E.cells[k].code, opt->box, err);
    if (rc == PV_OK)
        rc = render(path, opt->box, opt->width > 0 ? opt->width : 800, &E, poly,
                    opt->highlight ? &L : NULL, eo.graph, net, info, err);
    info->cells = E.ncells;
    for (int d = 0; d <= 2 && d <= E.m && E.by_dim; d++)
        info->cells_by_dim[d] = E.by_dim[d];
    info->disagreements = L.ndisagree;
    for (int k = 0; k < E.ncells; k++)
        pv_polygon_clear(&poly[k]);
    free(poly);
    pv_lemma1_clear(&L);
    pv_enumeration_clear(&E);
    return rc;
}
