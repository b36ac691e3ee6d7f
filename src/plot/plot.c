/* polyverify — pictures of 2-D tessellations (see plot.h), with cairo.
 *
 * The geometry is exact (polygon.c); doubles appear only in the drawing.
 * A picture is laid out once, in pixels, as a list of things to draw
 * (picture.h): cairo draws that list as PNG (cairo_out.c), svg.c writes it
 * as SVG with an element per cell. Text is measured here with cairo's
 * fonts, so both back-ends place it alike. A build without cairo uses
 * plot_disabled.c instead. */
#include "core/alloc.h"
#include "core/outfile.h"
#include "plot/picture.h"
#include "polyverify/plot.h"
#include "polyverify/polygon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cairo.h>

#include "polyverify/enumerate.h"
#include "polyverify/lemma1.h"
#include "polyverify/system.h"
#include "polyverify/tessellation.h"
#include "geom/clip.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"

#define BLACK 0x000000L
#define WHITE 0xffffffL

void pv_plot_options_init(pv_plot_options *opt)
{
    memset(opt, 0, sizeof *opt);   /* width 0: the default 800 pixels */
}

/* ------------------------------------------------------------------------ */
/* Layout                                                                    */

/* The box [x0, x0 + w] x [y0, y0 + h] in pixels: left and bottom
 * margins hold the axes' ticks and labels, the right one the legend. */
typedef struct canvas {
    pic *P;
    cairo_t *measure;     /* text extents, in the fonts the picture names */
    double x0, y0, w, h, scale, width, height, left, bottom, legend_x;
} canvas;

/* What is drawn: n cells (code, dimension, exact closure in the box),
 * from an enumeration (which also gives the graph) or a tessellation. */
typedef struct scene {
    int n;
    const pv_code **code;
    const int *dim;
    const pv_polygon *poly;
    const pv_enum *E;     /* the adjacency pairs, or NULL            */
    const pv_net *net;
} scene;

static void to_px(const canvas *C, double x, double y, double *px, double *py)
{
    *px = C->left + (x - C->x0) * C->scale;
    *py = C->height - C->bottom - (y - C->y0) * C->scale;
}

static long rgb_of(double r, double g, double b)
{
    return lround(r * 255) << 16 | lround(g * 255) << 8 | lround(b * 255);
}

/* A distinct colour per cell (golden-ratio hues, light, never black or
 * white; paler under markers, pale = 1); used[] (2^24 bits) rules out
 * repeats at 8-bit depth. */
static long cell_colour(int k, unsigned char *used, int pale)
{
    for (int attempt = 0;; attempt++) {
        double h = fmod(0.13 + (k + 0.37 * attempt) * 0.6180339887498949, 1.0);
        double s = (0.35 + 0.2 * ((k + attempt) % 3) / 2.0) * (pale ? 0.5 : 1.0);
        double v = 0.80 + 0.15 * ((k + attempt) % 2) + (pale ? 0.04 : 0.0);
        int i = (int)(h * 6) % 6;
        double f = h * 6 - floor(h * 6), p = v * (1 - s), q = v * (1 - f * s),
               t = v * (1 - (1 - f) * s);
        double r[6] = { v, q, p, p, t, v }, g[6] = { t, v, v, q, p, p },
               b[6] = { p, p, t, v, v, q };
        long key = rgb_of(r[i], g[i], b[i]);
        /* distinct colours while the palette lasts (a few thousand); past
         * that, repeats: the outlines still separate the cells */
        if ((used[key >> 3] & (1u << (key & 7))) && attempt < 64)
            continue;
        used[key >> 3] |= (unsigned char)(1u << (key & 7));
        return key;
    }
}

/* Ten distinguishable colours (Tableau's), the next ten darker: f = 1 is
 * the colour itself, smaller f lighter (the class regions). */
static long palette(int k, double f)
{
    static const double tab[10][3] = {
        { .12, .47, .71 }, { 1.0, .50, .05 }, { .17, .63, .17 }, { .84, .15, .16 },
        { .58, .40, .74 }, { .55, .34, .29 }, { .89, .47, .76 }, { .50, .50, .50 },
        { .74, .74, .13 }, { .09, .75, .81 } };
    const double *c = tab[k % 10];
    double d = (k / 10) % 2 ? 0.7 : 1.0;
    return rgb_of(1 - f * (1 - d * c[0]), 1 - f * (1 - d * c[1]), 1 - f * (1 - d * c[2]));
}

static long class_colour(int k)
{
    return palette(k, 0.45);
}

/* The marker colour of label i: a whole number k takes class k's colour
 * at full strength (--color class fills the regions with a lighter shade
 * of it, so a point of another class stands out), other labels the
 * palette by their index. */
static long label_colour(const pv_plot_options *o, int i)
{
    const char *s = o->labels[i];
    size_t n = strspn(s, "0123456789");
    if (n > 0 && n < 9 && s[n] == '\0')
        return palette(atoi(s), 1.0);
    return palette(i, 1.0);
}

/* The extents of s as the picture will hold it (pic_printable). */
static void extents(const canvas *C, const char *font, double size, const char *s,
                    cairo_text_extents_t *e)
{
    char *t = pic_printable(s);
    cairo_select_font_face(C->measure, font, CAIRO_FONT_SLANT_NORMAL,
                           CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(C->measure, size);
    cairo_text_extents(C->measure, t, e);
    pv_free(t);
}

/* Text whose ink box has the point (x, y) at fractions (ax, ay) of its
 * width and height (0, 0: top left). */
static void text_at(canvas *C, pic_group g, const char *s, const char *font, double size,
                    double x, double y, double ax, double ay)
{
    cairo_text_extents_t e;
    extents(C, font, size, s, &e);
    pic_text(C->P, g, s, font, size, x, y - ay * e.height - e.y_bearing, ax, BLACK);
}

/* ------------------------------------------------------------------------ */
/* The cells                                                                 */

static void add_polygon(canvas *C, pic_group g, const pv_polygon *P, pic_paint paint)
{
    double *xy = pv_malloc((size_t)(2 * P->n + 2) * sizeof *xy);
    for (int a = 0; a < P->n; a++)
        to_px(C, mpq_get_d(P->x[a]), mpq_get_d(P->y[a]), &xy[2 * a], &xy[2 * a + 1]);
    pic_path(C->P, g, xy, P->n, P->n > 2, paint);
    pv_free(xy);
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

/* The element of cell k (picture.h): id "c-" and the code's bits, class
 * "cell", data-code as enumerate prints it, data-dim, and with classes[]
 * (nout flags, or NULL) the classes drawn in it, in data-class and the
 * title. at < 0: a new element (its index is returned); else the one at
 * index at is renamed. */
static int cell_element(canvas *C, const scene *Sc, int k, const unsigned char *classes,
                        int nout, int at)
{
    const pv_code *c = Sc->code[k];
    char *printed = pv_code_str(c, Sc->net);
    size_t size = 3 * (size_t)c->n + 64 + 12 * (size_t)nout;
    char *attrs = pv_malloc(size), *title = pv_malloc(size);
    int len = snprintf(attrs, size, " id=\"c-");
    for (int i = 0; i < c->n; i++)
        attrs[len++] = c->bit[i] ? '1' : '0';
    len += snprintf(attrs + len, size - (size_t)len, "\" class=\"cell\" data-code=\"%s\" "
                    "data-dim=\"%d\"", printed, Sc->dim[k]);
    int tlen = snprintf(title, size, "code %s", printed);
    if (Sc->dim[k] < 2)
        tlen += snprintf(title + tlen, size - (size_t)tlen, " (dim %d)", Sc->dim[k]);
    int found = 0;
    for (int j = 0; classes && j < nout; j++)
        found += classes[j];
    for (int j = 0, seen = 0; found && j < nout; j++)
        if (classes[j]) {
            len += snprintf(attrs + len, size - (size_t)len, "%s%d%s",
                            seen ? " " : " data-class=\"", j, seen + 1 == found ? "\"" : "");
            tlen += snprintf(title + tlen, size - (size_t)tlen, "%s%d%s",
                             seen ? ", " : found > 1 ? " (classes " : " (class ", j,
                             seen + 1 == found ? ")" : "");
            seen++;
        }
    if (at < 0)
        at = pic_begin(C->P, PIC_CELLS, attrs, title);
    else
        pic_rename(C->P, at, attrs, title);
    pv_free(attrs);
    pv_free(title);
    pv_free(printed);
    return at;
}

/* A lower-dimensional cell: a segment or a point, outlined in black so it
 * shows on top of the 2-D cells around it. */
static void draw_thin_cell(canvas *C, const pv_polygon *P, long rgb)
{
    if (P->n >= 2) {
        add_polygon(C, PIC_CELLS, P, pic_stroke(BLACK, 7.0));
        add_polygon(C, PIC_CELLS, P, pic_stroke(rgb, 4.0));
    } else if (P->n == 1) {
        double px, py;
        to_px(C, mpq_get_d(P->x[0]), mpq_get_d(P->y[0]), &px, &py);
        pic_circle(C->P, PIC_CELLS, px, py, 5.0, pic_fill_stroke(rgb, BLACK, 1.5));
    }
}

/* Cell k in colour rgb: a 2-cell filled, with the hyperplane pieces
 * around it; a lower-dimensional one thick. */
static void draw_cell(canvas *C, const scene *Sc, int k, long rgb)
{
    cell_element(C, Sc, k, NULL, 0, -1);
    if (Sc->dim[k] == 2 && Sc->poly[k].n > 2)
        add_polygon(C, PIC_CELLS, &Sc->poly[k], pic_fill_stroke(rgb, 0x333333L, 0.8));
    else if (Sc->dim[k] < 2)
        draw_thin_cell(C, &Sc->poly[k], rgb);
    pic_end(C->P, PIC_CELLS);
}

/* Every cell in a colour of its own (pale: paler, for markers on top);
 * the lower-dimensional ones last, on top of the 2-cells they bound. */
static void draw_cells(canvas *C, const scene *Sc, int pale)
{
    unsigned char *used = pv_calloc(1u << 21, 1);
    long *rgb = pv_malloc(((size_t)Sc->n + 1) * sizeof *rgb);
    for (int k = 0; k < Sc->n; k++)
        rgb[k] = cell_colour(k, used, pale);
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < Sc->n; k++)
            if ((Sc->dim[k] == 2) == (pass == 0))
                draw_cell(C, Sc, k, rgb[k]);
    pv_free(rgb);
    pv_free(used);
}

/* ---- the adjacency graph ------------------------------------------------- */

static int is_disagreement(const pv_lemma1 *L, int a, int b, int *kind)
{
    for (int k = 0; k < L->ndisagree; k++)
        if (L->disagree[k].a == a && L->disagree[k].b == b) {
            *kind = L->disagree[k].adjacent ? 1 : 2;
            return 1;
        }
    return 0;
}

/* kind 0: an adjacent pair at d_H = 1; 1: adjacent, d_H != 1 (red); 2:
 * d_H = 1, not adjacent (purple, dashed). */
static void draw_edge(canvas *C, const pv_polygon *poly, int a, int b,
                      int kind)
{
    double ax, ay, bx, by;
    node_of(&poly[a], &ax, &ay, C);
    node_of(&poly[b], &bx, &by, C);
    pic_paint p = kind == 0 ? pic_stroke(BLACK, 1.2)
                : pic_stroke(kind == 1 ? 0xd90000L : 0x9900b3L, 3.0);
    p.dashed = kind == 2;
    pic_line(C->P, PIC_GRAPH, ax, ay, bx, by, p);
}

static void draw_graph(canvas *C, const pv_enum *E,
                       const pv_polygon *poly, const pv_lemma1 *L,
                       pv_plot_info *info)
{
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
    for (int k = 0; k < E->ncells; k++) {
        double px, py;
        node_of(&poly[k], &px, &py, C);
        pic_circle(C->P, PIC_GRAPH, px, py, 2.5, pic_fill(BLACK));
    }
}

/* Codes as labels, when there are few enough cells to read them. */
static void draw_codes(canvas *C, const scene *Sc)
{
    if (Sc->n > 40)
        return;
    for (int k = 0; k < Sc->n; k++) {
        double px, py;
        node_of(&Sc->poly[k], &px, &py, C);
        char *s = pv_code_str(Sc->code[k], Sc->net);
        pic_text(C->P, PIC_CODES, s, "monospace", 11.0, px, py - 5, 0.5, BLACK);
        pv_free(s);
    }
}

/* ---- axes, marks, points ------------------------------------------------- */

/* A tick step of 1, 2 or 5 times a power of ten: about 5 to 10 ticks. */
static double tick_step(double span)
{
    double p = pow(10, floor(log10(span / 5)));
    return span / p >= 50 ? 10 * p : span / p >= 20 ? 5 * p : span / p >= 10 ? 2 * p : p;
}

/* The frame, ticks with their values, and the axis names. */
static void draw_axes(canvas *C, const char *xl, const char *yl)
{
    double px0, py0, px1, py1;
    to_px(C, C->x0, C->y0, &px0, &py0);
    to_px(C, C->x0 + C->w, C->y0 + C->h, &px1, &py1);
    double frame[8] = { px0, py1, px1, py1, px1, py0, px0, py0 };
    pic_path(C->P, PIC_AXES, frame, 4, 1, pic_stroke(BLACK, 1.2));
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
            pic_line(C->P, PIC_AXES, px, py, axis ? px - 5 : px, axis ? py : py + 5,
                     pic_stroke(BLACK, 1.2));
            if (axis)
                text_at(C, PIC_AXES, buf, "sans-serif", 12.0, px - 8, py, 1.0, 0.5);
            else
                text_at(C, PIC_AXES, buf, "sans-serif", 12.0, px, py + 8, 0.5, 0.0);
        }
    }
    text_at(C, PIC_AXES, xl, "sans-serif", 14.0, (px0 + px1) / 2, py0 + 28, 0.5, 0.0);
    text_at(C, PIC_AXES, yl, "sans-serif", 14.0, 0, 0, 0.5, 1.0);
    pic_turn_last(C->P, -90, px0 - 44, (py0 + py1) / 2);
}

/* The marked points: white discs with a black ring and their labels. */
static void draw_marks(canvas *C, const pv_plot_options *o)
{
    for (int k = 0; k < o->nmarks; k++) {
        double px, py;
        to_px(C, mpq_get_d(o->marks[2 * k]), mpq_get_d(o->marks[2 * k + 1]), &px, &py);
        pic_circle(C->P, PIC_MARKS, px, py, 5.0, pic_fill_stroke(WHITE, BLACK, 2.0));
        if (o->mark_labels && o->mark_labels[k])
            text_at(C, PIC_MARKS, o->mark_labels[k], "sans-serif", 14.0, px + 8, py - 8,
                    0.0, 1.0);
    }
}

static int in_window(const canvas *C, const pv_plot_point *p)
{
    return p->x >= C->x0 && p->x <= C->x0 + C->w && p->y >= C->y0 && p->y <= C->y0 + C->h;
}

/* The points as markers, each an element (class "point", data-row its
 * index, data-label): discs with a thin dark outline, rings when hollow;
 * those outside the box are counted, not drawn. drawn[] (per label) says
 * which labels the legend lists. Returns whether a ring was drawn. */
static int draw_points(canvas *C, const pv_plot_options *o, unsigned char *drawn,
                       pv_plot_info *info)
{
    int rings = 0;
    for (int k = 0; k < o->npoints; k++) {
        const pv_plot_point *p = &o->points[k];
        if (!in_window(C, p) || !isfinite(p->x) || !isfinite(p->y)) {
            info->points_outside++;
            continue;
        }
        info->points_drawn++;
        int lab = p->label >= 0 && p->label < o->nlabels ? p->label : -1;
        long rgb = lab >= 0 ? label_colour(o, lab) : 0x333333L;
        char *name = pic_xml_escape(lab >= 0 ? o->labels[lab] : "");
        size_t size = 2 * strlen(name) + 96;
        char *attrs = pv_malloc(size), *title = pv_malloc(size);
        snprintf(attrs, size, " class=\"point%s\" data-row=\"%d\"%s%s%s",
                 p->hollow ? " off-plane" : "", k, lab >= 0 ? " data-label=\"" : "", name,
                 lab >= 0 ? "\"" : "");
        snprintf(title, size, "point %d%s%s%s", k, lab >= 0 ? ", label " : "",
                 lab >= 0 ? o->labels[lab] : "", p->hollow ? " (off the plane)" : "");
        pic_begin(C->P, PIC_POINTS, attrs, title);
        double px, py;
        to_px(C, p->x, p->y, &px, &py);
        pic_circle(C->P, PIC_POINTS, px, py, 4.5,
                   p->hollow ? pic_stroke(rgb, 2.0) : pic_fill_stroke(rgb, 0x1a1a1aL, 0.9));
        pic_end(C->P, PIC_POINTS);
        pv_free(attrs);
        pv_free(title);
        pv_free(name);
        if (lab >= 0)
            drawn[lab] = 1;
        rings |= p->hollow;
    }
    return rings;
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

/* The edges of the piece (in cl->A) on which o_k = o_l for some other
 * class l: the decision boundary, in its own group. */
static void boundary_edges(canvas *C, const mpq_t *o, int nout, int k,
                           const pv_clipper *cl, const pv_polygon *piece)
{
    mpz_t g[3], d, v, w;
    mpz_inits(g[0], g[1], g[2], d, v, w, NULL);
    mpq_t t;
    mpq_init(t);
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
            to_px(C, mpq_get_d(piece->x[a]), mpq_get_d(piece->y[a]), &x0, &y0);
            to_px(C, mpq_get_d(piece->x[b]), mpq_get_d(piece->y[b]), &x1, &y1);
            pic_line(C->P, PIC_BOUNDARY, x0, y0, x1, y1, pic_stroke(BLACK, 2.2));
        }
    }
    mpq_clear(t);
    mpz_clears(g[0], g[1], g[2], d, v, w, NULL);
}

/* Cell k split exactly by class: one element with a filled piece per
 * class and the cell's outline; the decision boundary (piece edges on
 * which o_k = o_l for another class l) goes to its group. seen[] collects
 * the classes drawn, for the legend. */
static pv_status draw_cell_classes(canvas *C, const scene *Sc, int cell, pv_clipper *cl,
                                   unsigned char *seen, pv_error *err)
{
    const pv_net *net = Sc->net;
    const pv_polygon *poly = &Sc->poly[cell];
    int nout = net->layers[net->nlayers - 1].out;
    mpq_t *o = pv_malloc((size_t)(3 * nout) * sizeof(mpq_t));
    unsigned char *here = pv_calloc((size_t)nout, 1);
    for (int i = 0; i < 3 * nout; i++)
        mpq_init(o[i]);
    pv_status rc = outputs_on_cell(o, net, Sc->code[cell], err);
    mpz_t g[3], d;
    mpz_inits(g[0], g[1], g[2], d, NULL);
    mpq_t t;
    mpq_init(t);
    pv_polygon piece;
    pv_polygon_init(&piece);
    int at = cell_element(C, Sc, cell, NULL, 0, -1);
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
        seen[k] = here[k] = 1;
        add_polygon(C, PIC_CELLS, &piece, pic_fill(class_colour(k)));
        boundary_edges(C, o, nout, k, cl, &piece);
    }
    add_polygon(C, PIC_CELLS, poly, pic_stroke(0x595959L, 0.5));
    pic_end(C->P, PIC_CELLS);
    cell_element(C, Sc, cell, here, nout, at);
    pv_polygon_clear(&piece);
    mpq_clear(t);
    mpz_clears(g[0], g[1], g[2], d, NULL);
    for (int i = 0; i < 3 * nout; i++)
        mpq_clear(o[i]);
    pv_free(o);
    pv_free(here);
    return rc;
}

/* Every 2-cell by class, the cells' outlines thin, the decision boundary
 * thick; the lower-dimensional cells in grey on top. */
static pv_status draw_classes(canvas *C, const scene *Sc, unsigned char *seen,
                              pv_error *err)
{
    pv_clipper cl;
    pv_clipper_init(&cl);
    pv_status rc = PV_OK;
    for (int k = 0; rc == PV_OK && k < Sc->n; k++)
        if (Sc->dim[k] == 2 && Sc->poly[k].n > 2)
            rc = draw_cell_classes(C, Sc, k, &cl, seen, err);
    pv_clipper_clear(&cl);
    for (int k = 0; rc == PV_OK && k < Sc->n; k++)
        if (Sc->dim[k] < 2)
            draw_cell(C, Sc, k, 0x909090L);
    return rc;
}

/* ---- the legend ------------------------------------------------------------ */

/* The legend's name of label i (fresh). */
static char *label_entry(const pv_plot_options *o, int i)
{
    size_t n = strlen(o->labels[i]) + 8;
    char *s = pv_malloc(n);
    snprintf(s, n, "label %s", o->labels[i]);
    return s;
}

/* The widest name the legend may list, in pixels (0: no legend). */
static double legend_width(canvas *C, const pv_plot_options *o, int nout)
{
    double w = 0;
    cairo_text_extents_t e;
    char buf[32];
    if (o->color_class) {
        snprintf(buf, sizeof buf, "class %d", nout - 1);
        extents(C, "sans-serif", 12.0, buf, &e);
        w = e.x_advance;
    }
    for (int k = 0; k < o->npoints; k++)
        if (o->points[k].hollow) {
            extents(C, "sans-serif", 12.0, "off the plane", &e);
            w = fmax(w, e.x_advance);
            break;
        }
    for (int i = 0; o->npoints > 0 && i < o->nlabels; i++) {
        char *name = label_entry(o, i);
        extents(C, "sans-serif", 12.0, name, &e);
        w = fmax(w, e.x_advance);
        pv_free(name);
    }
    return w;
}

enum { KEY_NONE, KEY_SQUARE, KEY_DISC, KEY_RING };

/* A legend row at y: its key (a square of a region's colour, a marker or
 * a ring in colour rgb) and its name. */
static void legend_entry(canvas *C, double y, const char *name, int key, long rgb)
{
    double x = C->legend_x;
    if (key == KEY_SQUARE) {
        double sq[8] = { x, y, x + 14, y, x + 14, y + 14, x, y + 14 };
        pic_path(C->P, PIC_LEGEND, sq, 4, 1, pic_fill_stroke(rgb, BLACK, 0.8));
    } else if (key != KEY_NONE) {
        pic_circle(C->P, PIC_LEGEND, x + 7, y + 7, 4.5, key == KEY_RING ? pic_stroke(rgb, 2.0)
                   : pic_fill_stroke(rgb, 0x1a1a1aL, 0.9));
    }
    text_at(C, PIC_LEGEND, name, "sans-serif", 12.0, x + 20, y + 7, 0.0, 0.5);
}

/* The classes drawn (seen[k]), the labels of the points drawn (drawn[i]),
 * and what filled and hollow markers mean when some are hollow, as many
 * rows as fit; the last row then says how many more. */
static void draw_legend(canvas *C, const pv_plot_options *o, int nout,
                        const unsigned char *seen, const unsigned char *drawn, int hollow)
{
    int total = hollow ? 2 : 0, row = 0, room = (int)((C->height - 40) / 20);
    for (int k = 0; k < nout; k++)
        total += seen[k] != 0;
    for (int i = 0; i < o->nlabels; i++)
        total += drawn[i] != 0;
    for (int e = 0; e < nout + o->nlabels + 2 && row < room; e++) {
        int cls = e < nout, i = e - nout, plane = i >= o->nlabels;
        if (cls ? !seen[e] : plane ? !hollow : !drawn[i])
            continue;
        char buf[32];
        double y = 20 + 20 * row++;
        if (row == room && total > room) {
            snprintf(buf, sizeof buf, "(%d more)", total - room + 1);
            legend_entry(C, y, buf, KEY_NONE, PIC_NONE);
        } else if (cls) {
            snprintf(buf, sizeof buf, "class %d", e);
            legend_entry(C, y, buf, KEY_SQUARE, class_colour(e));
        } else if (plane) {
            int off = i > o->nlabels;
            legend_entry(C, y, off ? "off the plane" : "on the plane",
                         off ? KEY_RING : KEY_DISC, 0x333333L);
        } else {
            char *name = label_entry(o, i);
            legend_entry(C, y, name, KEY_DISC, label_colour(o, i));
            pv_free(name);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Layout and output                                                         */

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcmp(s + n - k, suf);
}

static int has_legend(const pv_plot_options *o)
{
    int hollow = 0;
    for (int k = 0; k < o->npoints && !hollow; k++)
        hollow = o->points[k].hollow;
    return o->color_class || (o->npoints > 0 && o->nlabels > 0) || hollow;
}

/* The box in pixels: 800 on its longer side (or o->width), or fitted into
 * W x H (--size) and centred; margins for the axes and the legend. */
static pv_status layout(canvas *C, const pv_plot_options *o, int nout, pv_error *err)
{
    const pv_box *box = o->box;
    C->x0 = mpq_get_d(box->lo[0]);
    C->y0 = mpq_get_d(box->lo[1]);
    C->w = mpq_get_d(box->hi[0]) - C->x0;
    C->h = mpq_get_d(box->hi[1]) - C->y0;
    double big = C->w > C->h ? C->w : C->h;
    if (!(big > 0))
        big = 1;              /* a one-point box: its one cell, a dot */
    C->left = 64;
    C->bottom = 52;
    double top = 14, right = 18;
    if (has_legend(o))
        right = fmax(110, 48 + legend_width(C, o, nout));
    int width = o->width > 0 ? o->width : 800;
    C->scale = width / big;
    if (o->width > 0 && o->height > 0) {   /* fit the box into W x H */
        double sx = (o->width - C->left - right) / (C->w > 0 ? C->w : 1);
        double sy = (o->height - C->bottom - top) / (C->h > 0 ? C->h : 1);
        C->scale = sx < sy ? sx : sy;
        if (!(C->scale > 0))
            return pv_error_set(err, PV_ERR_ARG, "plot: %dx%d pixels leave no room "
                                "for the picture", o->width, o->height);
    }
    C->width = C->w * C->scale + C->left + right;
    C->height = C->h * C->scale + C->bottom + top;
    if (o->width > 0 && o->height > 0) {   /* exactly W x H, the box centred */
        C->left += (o->width - C->width) / 2;
        C->bottom += (o->height - C->height) / 2;
        C->width = o->width;
        C->height = o->height;
    }
    C->width = ceil(C->width);
    C->height = ceil(C->height);
    C->legend_x = C->width - right + 16;
    return PV_OK;
}

/* The whole picture, group by group (picture.h). */
static pv_status build(canvas *C, const pv_plot_options *o, const scene *Sc,
                       const pv_lemma1 *L, int nout, pv_plot_info *info, pv_error *err)
{
    unsigned char *seen = pv_calloc((size_t)nout + 1, 1);
    unsigned char *drawn = pv_calloc((size_t)o->nlabels + 1, 1);
    pv_status rc = PV_OK;
    if (o->color_class)
        rc = draw_classes(C, Sc, seen, err);
    else
        draw_cells(C, Sc, o->npoints > 0);
    if (rc == PV_OK) {
        if (Sc->E)
            draw_graph(C, Sc->E, Sc->poly, L, info);
        draw_codes(C, Sc);
        draw_axes(C, o->xlabel ? o->xlabel : "x1", o->ylabel ? o->ylabel : "x2");
        draw_marks(C, o);
        int hollow = draw_points(C, o, drawn, info);
        if (has_legend(o))
            draw_legend(C, o, nout, seen, drawn, hollow);
    }
    pv_free(seen);
    pv_free(drawn);
    return rc;
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

/* The picture drawn by cairo into a PNG on f. cairo allocates for itself:
 * if the library's memory runs out meanwhile, the scope's unwinding
 * destroys the context and the surface (cleanups run last-pushed first). */
static pv_status write_png(const pic *P, FILE *f, const char *path, pv_error *err)
{
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)P->width,
                                                       (int)P->height);
    pv_cleanup surf_unwind, cr_unwind;
    pv_cleanup_push(&surf_unwind, surface_unwind, surf);
    cairo_t *cr = cairo_create(surf);
    pv_cleanup_push(&cr_unwind, context_unwind, cr);
    pic_draw_cairo(P, cr);
    cairo_status_t st = cairo_status(cr);
    pv_cleanup_pop(&cr_unwind);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(surf, write_stream, f);
    pv_cleanup_pop(&surf_unwind);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS)
        return pv_error_set(err, PV_ERR_IO, "plot: cannot write %s (%s)", path,
                            cairo_status_to_string(st));
    return PV_OK;
}

/* Whole or not at all (outfile.h): SVG by svg.c, PNG by cairo. */
static pv_status write_picture(const pic *P, const char *path, int svg, pv_error *err)
{
    pv_outfile out;
    pv_status rc = pv_outfile_open(&out, path, err);
    if (rc != PV_OK)
        return rc;
    if (svg)
        rc = pic_write_svg(P, out.f) == 0 ? PV_OK
           : pv_error_set(err, PV_ERR_IO, "plot: cannot write %s", path);
    else
        rc = write_png(P, out.f, path, err);
    if (rc != PV_OK) {
        pv_outfile_abort(&out);
        return rc;
    }
    return pv_outfile_commit(&out, err);
}

static pv_status render(const char *path, const pv_plot_options *o,
                        const scene *Sc, const pv_lemma1 *L,
                        pv_plot_info *info, pv_error *err)
{
    int svg = has_suffix(path, ".svg");
    if (!svg && !has_suffix(path, ".png"))
        return pv_error_set(err, PV_ERR_ARG,
                            "plot: %s: the output must end in .svg or .png", path);
    int nout = Sc->net->layers[Sc->net->nlayers - 1].out;
    canvas C;
    memset(&C, 0, sizeof C);
    pic P;
    pic_init(&P, 0, 0);
    cairo_surface_t *ms = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    pv_cleanup ms_unwind, mc_unwind;
    pv_cleanup_push(&ms_unwind, surface_unwind, ms);
    C.measure = cairo_create(ms);
    pv_cleanup_push(&mc_unwind, context_unwind, C.measure);
    pv_status rc = layout(&C, o, nout, err);
    if (rc == PV_OK) {
        pic_init(&P, C.width, C.height);
        P.white = !svg;                   /* an SVG keeps its transparent ground */
        C.P = &P;
        rc = build(&C, o, Sc, L, nout, info, err);
    }
    if (rc == PV_OK && cairo_status(C.measure) != CAIRO_STATUS_SUCCESS)
        rc = pv_error_set(err, PV_ERR_IO, "plot: %s: cannot measure the text (%s)", path,
                          cairo_status_to_string(cairo_status(C.measure)));
    pv_cleanup_pop(&mc_unwind);
    cairo_destroy(C.measure);
    pv_cleanup_pop(&ms_unwind);
    cairo_surface_destroy(ms);
    if (rc == PV_OK)
        rc = write_picture(&P, path, svg, err);
    pic_clear(&P);
    return rc;
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
        Sc.net = net;
        rc = render(path, opt, &Sc, NULL, info, err);
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
                             net->layers[net->nlayers - 1].rp != NULL ||
                             net->layers[net->nlayers - 2].act != PV_RELU ||
                             net->layers[net->nlayers - 1].out < 2))
        return pv_error_set(err, PV_ERR_ARG, "plot: colouring by class needs a "
                            "final linear layer of 2 or more outputs after a ReLU "
                            "layer (the class is the arg max of the outputs)");
    if ((opt->npoints > 0 && !opt->points) || (opt->nlabels > 0 && !opt->labels))
        return pv_error_set(err, PV_ERR_ARG, "plot: npoints or nlabels without the array");
    for (int k = 0; k < opt->npoints; k++)
        if (opt->points[k].label >= opt->nlabels)
            return pv_error_set(err, PV_ERR_ARG, "plot: point %d has label %d of %d",
                                k, opt->points[k].label, opt->nlabels);
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
        Sc.net = net;
        rc = render(path, opt, &Sc, opt->highlight ? &L : NULL, info, err);
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
