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
#include "polyverify/tessellation.h"
#include "geom/clip.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"

#define PV_TAU 6.283185307179586

void pv_plot_options_init(pv_plot_options *opt)
{
    memset(opt, 0, sizeof *opt);   /* width 0: the default 800 pixels */
}

/* ------------------------------------------------------------------------ */
/* Drawing                                                                   */

/* The box [x0, x0 + w] x [y0, y0 + h] in pixels: left and bottom
 * margins hold the axes' ticks and labels. */
typedef struct canvas {
    cairo_t *cr;
    double x0, y0, w, h, scale, height, left, bottom;
} canvas;

/* What is drawn: n cells (code, dimension, exact closure in the box),
 * from an enumeration (which also gives the graph) or a tessellation. */
typedef struct scene {
    int n;
    const pv_code **code;
    const int *dim;
    const pv_polygon *poly;
    const pv_enum *E;     /* the adjacency pairs, or NULL            */
} scene;

static void to_px(const canvas *C, double x, double y, double *px, double *py)
{
    *px = C->left + (x - C->x0) * C->scale;
    *py = C->height - C->bottom - (y - C->y0) * C->scale;
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
        /* distinct colours while the palette lasts (a few thousand); past
         * that, repeats: the outlines still separate the cells */
        if ((used[key >> 3] & (1u << (key & 7))) && attempt < 64)
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

static void draw_cells(canvas *C, const scene *Sc)
{
    const pv_polygon *poly = Sc->poly;
    unsigned char *used = pv_calloc(1u << 21, 1);
    double *rgb = pv_malloc((size_t)(3 * Sc->n + 3) * sizeof *rgb);
    cairo_t *cr = C->cr;
    for (int k = 0; k < Sc->n; k++) {
        cell_colour(k, used, rgb + 3 * k);
        if (Sc->dim[k] == 2 && poly[k].n > 2) {
            cairo_set_source_rgb(cr, rgb[3 * k], rgb[3 * k + 1], rgb[3 * k + 2]);
            polygon_path(C, &poly[k]);
            cairo_fill(cr);
        }
    }
    /* the hyperplane pieces: boundaries of the 2-D cells */
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.8);
    for (int k = 0; k < Sc->n; k++)
        if (Sc->dim[k] == 2 && poly[k].n > 2) {
            polygon_path(C, &poly[k]);
            cairo_stroke(cr);
        }
    for (int k = 0; k < Sc->n; k++)
        if (Sc->dim[k] < 2)
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
static void draw_labels(canvas *C, const scene *Sc, const pv_net *net)
{
    const pv_polygon *poly = Sc->poly;
    if (Sc->n > 40)
        return;
    cairo_t *cr = C->cr;
    cairo_select_font_face(cr, "monospace", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11.0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int k = 0; k < Sc->n; k++) {
        double px, py;
        node_of(&poly[k], &px, &py, C);
        char *s = pv_code_str(Sc->code[k], net);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, s, &ext);
        cairo_move_to(cr, px - ext.width / 2, py - 5);
        cairo_show_text(cr, s);
        pv_free(s);
    }
}

/* A tick step of 1, 2 or 5 times a power of ten: about 5 to 10 ticks. */
static double tick_step(double span)
{
    double p = pow(10, floor(log10(span / 5)));
    return span / p >= 50 ? 10 * p : span / p >= 20 ? 5 * p : span / p >= 10 ? 2 * p : p;
}

static void text_at(cairo_t *cr, const char *s, double x, double y, double ax, double ay)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - ax * e.width - e.x_bearing, y - ay * e.height - e.y_bearing);
    cairo_show_text(cr, s);
}

/* The frame, ticks with their values, and the axis names. */
static void draw_axes(canvas *C, const char *xl, const char *yl)
{
    cairo_t *cr = C->cr;
    double px0, py0, px1, py1;
    to_px(C, C->x0, C->y0, &px0, &py0);
    to_px(C, C->x0 + C->w, C->y0 + C->h, &px1, &py1);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.2);
    cairo_rectangle(cr, px0, py1, px1 - px0, py0 - py1);
    cairo_stroke(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12.0);
    for (int axis = 0; axis < 2; axis++) {
        double lo = axis ? C->y0 : C->x0, span = axis ? C->h : C->w;
        if (!(span > 0))
            continue;
        double step = tick_step(span);
        for (double v = ceil(lo / step - 1e-9) * step; v <= lo + span + 1e-9 * span; v += step) {
            double px, py;
            to_px(C, axis ? C->x0 : v, axis ? v : C->y0, &px, &py);
            char buf[32];
            snprintf(buf, sizeof buf, "%g", fabs(v) < 1e-12 * span ? 0.0 : v);
            cairo_move_to(cr, px, py);
            cairo_line_to(cr, axis ? px - 5 : px, axis ? py : py + 5);
            cairo_stroke(cr);
            if (axis)
                text_at(cr, buf, px - 8, py, 1.0, 0.5);
            else
                text_at(cr, buf, px, py + 8, 0.5, 0.0);
        }
    }
    cairo_set_font_size(cr, 14.0);
    text_at(cr, xl, (px0 + px1) / 2, py0 + 28, 0.5, 0.0);
    cairo_save(cr);
    cairo_translate(cr, px0 - 44, (py0 + py1) / 2);
    cairo_rotate(cr, -PV_TAU / 4);
    text_at(cr, yl, 0, 0, 0.5, 1.0);
    cairo_restore(cr);
}

/* The marked points: white discs with a black ring and their labels. */
static void draw_marks(canvas *C, const pv_plot_options *o)
{
    cairo_t *cr = C->cr;
    cairo_set_font_size(cr, 14.0);
    for (int k = 0; k < o->nmarks; k++) {
        double px, py;
        to_px(C, mpq_get_d(o->marks[2 * k]), mpq_get_d(o->marks[2 * k + 1]), &px, &py);
        cairo_new_path(cr);           /* no line from the last label's end */
        cairo_arc(cr, px, py, 5.0, 0, PV_TAU);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 2.0);
        cairo_stroke(cr);
        if (o->mark_labels && o->mark_labels[k])
            text_at(cr, o->mark_labels[k], px + 8, py - 8, 0.0, 1.0);
    }
}

/* ---- colouring by class -------------------------------------------------- */

/* Ten distinguishable colours (Tableau's), lightened for the regions. */
static void class_colour(int k, double rgb[3])
{
    static const double tab[10][3] = {
        { .12, .47, .71 }, { 1.0, .50, .05 }, { .17, .63, .17 }, { .84, .15, .16 },
        { .58, .40, .74 }, { .55, .34, .29 }, { .89, .47, .76 }, { .50, .50, .50 },
        { .74, .74, .13 }, { .09, .75, .81 } };
    double f = 0.45 + 0.25 * ((k / 10) % 2);    /* past ten: another shade */
    for (int i = 0; i < 3; i++)
        rgb[i] = 1 - f * (1 - tab[k % 10][i]);
}

/* The outputs o_k = h + g0 s + g1 t on the cell of code (a final linear
 * layer after the last ReLU layer), from the cell's rows: row i of neuron j
 * is scale_i sigma_j z_j, sigma_j = +1 for bit 1 and -1 for bit 0. out holds
 * 3 * nout numbers (h, g0, g1 per output), initialised. */
static pv_status outputs_on_cell(mpq_t *out, const pv_net *net, const pv_code *code,
                                 pv_error *err)
{
    const pv_layer *L = &net->layers[net->nlayers - 1];
    const pv_layer *R = &net->layers[net->nlayers - 2];
    pv_system S;
    pv_status rc = pv__system_from_code(&S, net, code, NULL, err);
    if (rc != PV_OK)
        return rc;
    mpq_t z[3], t;
    mpq_inits(z[0], z[1], z[2], t, NULL);
    for (int k = 0; k < L->out; k++) {
        mpq_set(out[3 * k], L->b[k]);
        mpq_set_ui(out[3 * k + 1], 0, 1);
        mpq_set_ui(out[3 * k + 2], 0, 1);
    }
    for (int i = 0; i < S.nrows; i++) {
        int j = S.label[i] - R->first_neuron;
        if (j < 0 || j >= R->out || !code->bit[S.label[i]])
            continue;                    /* not the last layer, or inactive */
        mpq_set_z(z[0], S.h[i]);
        mpq_set_z(z[1], PV_G(&S, i, 0));
        mpq_set_z(z[2], PV_G(&S, i, 1));
        for (int c = 0; c < 3; c++)
            mpq_div(z[c], z[c], S.scale[i]);        /* sigma_j = +1: active */
        for (int k = 0; k < L->out; k++)
            for (int c = 0; c < 3; c++) {
                mpq_mul(t, L->w[(size_t)k * L->in + j], z[c]);
                mpq_add(out[3 * k + c], out[3 * k + c], t);
            }
    }
    mpq_clears(z[0], z[1], z[2], t, NULL);
    pv_system_clear(&S);
    return PV_OK;
}

/* g0 s + g1 t + h >= 0 for o_k - o_l, scaled to integers. */
static void difference_row(mpz_t g[3], const mpq_t *o, int k, int l, mpq_t t, mpz_t d)
{
    mpz_set_ui(d, 1);
    for (int c = 0; c < 3; c++) {
        mpq_sub(t, o[3 * k + c], o[3 * l + c]);
        mpz_lcm(d, d, mpq_denref(t));
    }
    int order[3] = { 1, 2, 0 };           /* g0, g1, h */
    for (int c = 0; c < 3; c++) {
        mpq_sub(t, o[3 * k + order[c]], o[3 * l + order[c]]);
        mpz_divexact(g[c], d, mpq_denref(t));
        mpz_mul(g[c], g[c], mpq_numref(t));
    }
}

/* Fills the parts of one cell by class and strokes the decision boundary
 * (piece edges on which o_k = o_l for another class l). */
static pv_status draw_cell_classes(canvas *C, const pv_net *net, const pv_code *code,
                                   const pv_polygon *poly, pv_clipper *cl,
                                   unsigned char *seen, pv_error *err)
{
    int nout = net->layers[net->nlayers - 1].out;
    mpq_t *o = pv_malloc((size_t)(3 * nout) * sizeof(mpq_t));
    if (!o)
        return pv_error_set(err, PV_ERR_NOMEM, "plot: out of memory");
    for (int i = 0; i < 3 * nout; i++)
        mpq_init(o[i]);
    pv_status rc = outputs_on_cell(o, net, code, err);
    mpz_t g[3], d, v, w;
    mpz_inits(g[0], g[1], g[2], d, v, w, NULL);
    mpq_t t;
    mpq_init(t);
    pv_polygon piece;
    pv_polygon_init(&piece);
    cairo_t *cr = C->cr;
    for (int k = 0; rc == PV_OK && k < nout; k++) {
        int ok = pv_clipper_polygon(cl, poly);
        for (int l = 0; ok && l < nout && cl->A.n >= 3; l++)
            if (l != k) {
                difference_row(g, o, k, l, t, d);
                ok = pv_clipper_cut(cl, g[0], g[1], g[2]);
            }
        if (!ok || !pv_hpoly_to_polygon(&piece, &cl->A, NULL, cl->A.n)) {
            rc = pv_error_set(err, PV_ERR_NOMEM, "plot: out of memory");
            break;
        }
        if (piece.n < 3)
            continue;
        seen[k] = 1;
        double rgb[3];
        class_colour(k, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        polygon_path(C, &piece);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 2.2);
        for (int a = 0; a < cl->A.n; a++) {
            int b = (a + 1) % cl->A.n, on = 0;
            for (int l = 0; l < nout && !on; l++) {
                if (l == k)
                    continue;
                difference_row(g, o, k, l, t, d);
                pv_hpoly_value(v, g[0], g[1], g[2], &cl->A, a);
                pv_hpoly_value(w, g[0], g[1], g[2], &cl->A, b);
                on = mpz_sgn(v) == 0 && mpz_sgn(w) == 0;
            }
            if (on) {
                double x0, y0, x1, y1;
                to_px(C, mpq_get_d(piece.x[a]), mpq_get_d(piece.y[a]), &x0, &y0);
                to_px(C, mpq_get_d(piece.x[b]), mpq_get_d(piece.y[b]), &x1, &y1);
                cairo_move_to(cr, x0, y0);
                cairo_line_to(cr, x1, y1);
                cairo_stroke(cr);
            }
        }
    }
    pv_polygon_clear(&piece);
    mpq_clear(t);
    mpz_clears(g[0], g[1], g[2], d, v, w, NULL);
    for (int i = 0; i < 3 * nout; i++)
        mpq_clear(o[i]);
    pv_free(o);
    return rc;
}

static void draw_legend(canvas *C, const unsigned char *seen, int nout, double x)
{
    cairo_t *cr = C->cr;
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12.0);
    double y = 20;
    for (int k = 0; k < nout; k++) {
        if (!seen[k])
            continue;
        double rgb[3];
        class_colour(k, rgb);
        cairo_rectangle(cr, x, y, 14, 14);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        char buf[32];
        snprintf(buf, sizeof buf, "class %d", k);
        text_at(cr, buf, x + 20, y + 7, 0.0, 0.5);
        y += 20;
    }
}

/* Every 2-cell by class, the cells' outlines thin, the decision boundary
 * thick, and the legend right of the box. */
static pv_status draw_classes(canvas *C, const scene *Sc, const pv_net *net,
                              double legend_x, pv_error *err)
{
    int nout = net->layers[net->nlayers - 1].out;
    unsigned char *seen = pv_calloc((size_t)nout + 1, 1);
    if (!seen)
        return pv_error_set(err, PV_ERR_NOMEM, "plot: out of memory");
    pv_clipper cl;
    pv_clipper_init(&cl);
    pv_status rc = PV_OK;
    for (int k = 0; rc == PV_OK && k < Sc->n; k++)
        if (Sc->dim[k] == 2 && Sc->poly[k].n > 2)
            rc = draw_cell_classes(C, net, Sc->code[k], &Sc->poly[k], &cl, seen, err);
    pv_clipper_clear(&cl);
    cairo_set_source_rgb(C->cr, 0.35, 0.35, 0.35);
    cairo_set_line_width(C->cr, 0.5);
    for (int k = 0; k < Sc->n; k++)
        if (Sc->dim[k] == 2 && Sc->poly[k].n > 2) {
            polygon_path(C, &Sc->poly[k]);
            cairo_stroke(C->cr);
        }
    if (rc == PV_OK)
        draw_legend(C, seen, nout, legend_x);
    pv_free(seen);
    return rc;
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

static pv_status render(const char *path, const pv_plot_options *o,
                        const scene *Sc, const pv_lemma1 *L, const pv_net *net,
                        pv_plot_info *info, pv_error *err)
{
    const pv_box *box = o->box;
    canvas C;
    C.x0 = mpq_get_d(box->lo[0]);
    C.y0 = mpq_get_d(box->lo[1]);
    C.w = mpq_get_d(box->hi[0]) - C.x0;
    C.h = mpq_get_d(box->hi[1]) - C.y0;
    double big = C.w > C.h ? C.w : C.h;
    if (!(big > 0))
        big = 1;              /* a one-point box: its one cell, a dot */
    C.left = 64;
    C.bottom = 52;
    double top = 14, right = o->color_class ? 110 : 18;   /* the legend */
    int width = o->width > 0 ? o->width : 800;
    C.scale = width / big;
    if (o->width > 0 && o->height > 0) {   /* fit the box into W x H */
        double sx = (o->width - C.left - right) / (C.w > 0 ? C.w : 1);
        double sy = (o->height - C.bottom - top) / (C.h > 0 ? C.h : 1);
        C.scale = sx < sy ? sx : sy;
        if (!(C.scale > 0))
            return pv_error_set(err, PV_ERR_ARG, "plot: %dx%d pixels leave no room "
                                "for the picture", o->width, o->height);
    }
    double W = C.w * C.scale + C.left + right;
    C.height = C.h * C.scale + C.bottom + top;
    if (o->width > 0 && o->height > 0) {   /* exactly W x H, the box centred */
        C.left += (o->width - W) / 2;
        C.bottom += (o->height - C.height) / 2;
        W = o->width;
        C.height = o->height;
    }
    int svg = has_suffix(path, ".svg");
    if (!svg && !has_suffix(path, ".png"))
        return pv_error_set(err, PV_ERR_ARG,
                            "plot: %s: the output must end in .svg or .png", path);
    pv_outfile out;          /* whole or not at all (outfile.h) */
    pv_status rc = pv_outfile_open(&out, path, err);
    if (rc != PV_OK)
        return rc;
    cairo_surface_t *surf = svg
        ? cairo_svg_surface_create_for_stream(write_stream, out.f, W, C.height)
        : cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(W), (int)ceil(C.height));
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        pv_outfile_abort(&out);
        return pv_error_set(err, PV_ERR_IO, "plot: cannot write %s", path);
    }
    /* cairo allocates for itself: if drawing runs out of the library's
     * memory, the scope's unwinding destroys the context and the surface
     * (in this order, then the file: cleanups run last-pushed first) */
    pv_cleanup surf_unwind, cr_unwind;
    pv_cleanup_push(&surf_unwind, surface_unwind, surf);
    C.cr = cairo_create(surf);
    pv_cleanup_push(&cr_unwind, context_unwind, C.cr);
    if (!svg) {                        /* an SVG keeps its transparent ground */
        cairo_set_source_rgb(C.cr, 1, 1, 1);
        cairo_paint(C.cr);
    }
    pv_status drc = PV_OK;
    if (o->color_class)
        drc = draw_classes(&C, Sc, net, W - right + 16, err);
    else
        draw_cells(&C, Sc);
    if (Sc->E)
        draw_graph(&C, Sc->E, Sc->poly, L, info);
    draw_labels(&C, Sc, net);
    draw_axes(&C, o->xlabel ? o->xlabel : "x1", o->ylabel ? o->ylabel : "x2");
    draw_marks(&C, o);
    pv_cleanup_pop(&cr_unwind);
    cairo_destroy(C.cr);
    cairo_status_t st = CAIRO_STATUS_SUCCESS;
    if (!svg)
        st = cairo_surface_write_to_png_stream(surf, write_stream, out.f);
    cairo_surface_finish(surf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(surf);
    pv_cleanup_pop(&surf_unwind);
    cairo_surface_destroy(surf);
    if (drc != PV_OK) {
        pv_outfile_abort(&out);
        return drc;
    }
    if (st != CAIRO_STATUS_SUCCESS) {
        pv_outfile_abort(&out);
        return pv_error_set(err, PV_ERR_IO, "plot: cannot write %s (%s)", path,
                            cairo_status_to_string(st));
    }
    return pv_outfile_commit(&out, err);
}

/* The scene's per-cell arrays over n cells (code and dim filled by the
 * caller). 0 out of memory. */
static int scene_alloc(scene *Sc, int n, const pv_code ***code, int **dim)
{
    memset(Sc, 0, sizeof *Sc);
    *code = pv_malloc(((size_t)n + 1) * sizeof **code);
    *dim = pv_malloc(((size_t)n + 1) * sizeof **dim);
    Sc->n = n;
    Sc->code = *code;
    Sc->dim = *dim;
    return *code && *dim;
}

/* Without the graph: the cells from the polygon walk (tessellation.h),
 * which needs no LP and gives the polygons directly. */
static pv_status plot_tessellation(const pv_net *net, const char *path,
                                   const pv_plot_options *opt, pv_plot_info *info,
                                   pv_error *err)
{
    pv_tess_options to;
    pv_tess_options_init(&to);
    to.max_cells = opt->max_cells;
    to.progress = opt->progress;
    to.progress_ctx = opt->progress_ctx;
    to.interrupted = opt->interrupted;
    to.interrupted_ctx = opt->interrupted_ctx;
    pv_tessellation T;
    pv_tessellation_init(&T);
    pv_status rc = pv_tessellate(&T, net, opt->box, &to, err);
    const pv_code **code = NULL;
    int *dim = NULL;
    pv_polygon *poly = pv_malloc(((size_t)T.ncells + 1) * sizeof *poly);
    scene Sc;
    if (rc == PV_OK && (!scene_alloc(&Sc, T.ncells, &code, &dim) || !poly))
        rc = pv_error_set(err, PV_ERR_NOMEM, "plot: out of memory");
    if (rc == PV_OK) {
        for (int k = 0; k < T.ncells; k++) {
            code[k] = &T.cells[k].code;
            dim[k] = T.cells[k].dim;
            poly[k] = T.cells[k].polygon;      /* borrowed */
        }
        Sc.poly = poly;
        rc = render(path, opt, &Sc, NULL, net, info, err);
    }
    info->cells = T.ncells;
    for (int d = 0; d <= 2; d++)
        info->cells_by_dim[d] = T.by_dim[d];
    pv_free(code);
    pv_free(dim);
    pv_free(poly);
    pv_tessellation_clear(&T);
    return rc;
}

/* Every box is drawn by the polygon walk unless the graph is wanted (the
 * enumeration decides the pairs) or the box is flat (lo = hi somewhere:
 * its cells are those of the box's affine hull, which the enumeration
 * handles). */
static int walkable(const pv_plot_options *opt)
{
    return !opt->graph && !opt->highlight &&
           mpq_cmp(opt->box->lo[0], opt->box->hi[0]) < 0 &&
           mpq_cmp(opt->box->lo[1], opt->box->hi[1]) < 0;
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
    if (opt->color_class && (net->nlayers < 2 ||
                             net->layers[net->nlayers - 1].act != PV_LINEAR ||
                             net->layers[net->nlayers - 2].act != PV_RELU ||
                             net->layers[net->nlayers - 1].out < 2))
        return pv_error_set(err, PV_ERR_ARG, "plot: colouring by class needs a "
                            "final linear layer of 2 or more outputs after a ReLU "
                            "layer (the class is the arg max of the outputs)");
    if (walkable(opt))
        return plot_tessellation(net, path, opt, info, err);
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
    const pv_code **code = NULL;
    int *dim = NULL;
    scene Sc;
    if (rc == PV_OK && !scene_alloc(&Sc, E.ncells, &code, &dim))
        rc = pv_error_set(err, PV_ERR_NOMEM, "plot: out of memory");
    if (rc == PV_OK) {
        for (int k = 0; k < E.ncells; k++) {
            code[k] = &E.cells[k].code;
            dim[k] = E.cells[k].dim;
        }
        Sc.poly = poly;
        Sc.E = eo.graph ? &E : NULL;
        rc = render(path, opt, &Sc, opt->highlight ? &L : NULL, net, info, err);
    }
    info->cells = E.ncells;
    for (int d = 0; d <= 2 && d <= E.m && E.by_dim; d++)
        info->cells_by_dim[d] = E.by_dim[d];
    info->disagreements = L.ndisagree;
    for (int k = 0; k < E.ncells; k++)
        pv_polygon_clear(&poly[k]);
    pv_free(poly);
    pv_free(code);
    pv_free(dim);
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
