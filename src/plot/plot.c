/* polyverify — pictures of 2-D tessellations (see plot.h), with cairo.
 *
 * The geometry is exact (polygon.c); doubles appear only in the drawing
 * calls. A build without cairo uses plot_disabled.c instead. */
#include "core/alloc.h"
#include "core/outfile.h"
#include "polyverify/plot.h"
#include "polyverify/polygon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>
#include <cairo-svg.h>

#include "polyverify/enumerate.h"
#include "polyverify/lemma1.h"
#include "polyverify/system.h"
#include "net/network_internal.h"

#define PV_TAU 6.283185307179586

void pv_plot_options_init(pv_plot_options *opt)
{
    memset(opt, 0, sizeof *opt);   /* width 0: the default 800 pixels */
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

static void draw_cells(canvas *C, const pv_enum *E,
                       const pv_polygon *poly)
{
    unsigned char *used = pv_calloc(1u << 21, 1);
    double *rgb = pv_malloc((size_t)(3 * E->ncells + 3) * sizeof *rgb);
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
    pv_free(rgb);
    pv_free(used);
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

static void draw_graph(canvas *C, const pv_enum *E,
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
static void draw_labels(canvas *C, const pv_enum *E,
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
        pv_free(s);
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

static void surface_unwind(void *surf)
{
    cairo_surface_destroy(surf);
}

static void context_unwind(void *cr)
{
    cairo_destroy(cr);
}

static pv_status render(const char *path, const pv_box *box, int width,
                        const pv_enum *E, const pv_polygon *poly,
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
    /* cairo allocates for itself: if drawing runs out of the library's
     * memory, the scope's unwinding destroys the context and the surface
     * (in this order, then the file: cleanups run last-pushed first) */
    pv_cleanup surf_unwind, cr_unwind;
    pv_cleanup_push(&surf_unwind, surface_unwind, surf);
    C.cr = cairo_create(surf);
    pv_cleanup_push(&cr_unwind, context_unwind, C.cr);
    if (!svg) {
        cairo_set_source_rgb(C.cr, 1, 1, 1);
        cairo_paint(C.cr);
    }
    draw_cells(&C, E, poly);
    if (graph)
        draw_graph(&C, E, poly, L, info);
    draw_labels(&C, E, poly, net);
    pv_cleanup_pop(&cr_unwind);
    cairo_destroy(C.cr);
    cairo_status_t st = CAIRO_STATUS_SUCCESS;
    if (!svg)
        st = cairo_surface_write_to_png_stream(surf, write_stream, o.f);
    cairo_surface_finish(surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(surf);
    pv_cleanup_pop(&surf_unwind);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        pv_outfile_abort(&o);
        return pv_error_set(err, PV_ERR_IO, "plot: cannot write %s (%s)", path,
                            cairo_status_to_string(st));
    }
    return pv_outfile_commit(&o, err);
}

static pv_status plot(const pv_net *net, const char *path,
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
    pv_enum E;
    pv_enum_init(&E);
    pv_status rc = pv_enum_compute(&E, net, &eo, err);
    pv_lemma1 L;
    pv_lemma1_init(&L);
    if (rc == PV_OK && opt->highlight)
        rc = pv_lemma1_check(&L, &E, net, opt->box, err);
    pv_polygon *poly = pv_calloc((size_t)E.ncells + 1, sizeof *poly);
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
    pv_free(poly);
    pv_lemma1_clear(&L);
    pv_enum_clear(&E);
    return rc;
}

pv_status pv_plot(const pv_net *net, const char *path,
                  const pv_plot_options *opt, pv_plot_info *info,
                  pv_error *err)
{
    PV_GUARD(err, plot(net, path, opt, info, err), (void)0);
}
