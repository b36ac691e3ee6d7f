/* polyverify — the cells of a 2-input network in a box by a walk over
 * exact polygons (see tessellation.h).
 *
 * Polygons are clipped exactly in homogeneous integers (geom/clip.h).
 *
 * Invariants of the walk: `seen` maps every code met so far (of any
 * dimension) to its index in `cells`; `queue` lists the two-dimensional
 * cells in discovery order, those before `next` already clipped. A cell of
 * lower dimension keeps the largest dimension any feature gave its code
 * (an edge's code is also the code of its end points on the box sides). */
#include "core/alloc.h"
#include "net/network_internal.h"
#include "geom/system_internal.h"
#include "polyverify/tessellation.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/codemap.h"
#include "geom/clip.h"
#include "polyverify/system.h"

void pv_tess_options_init(pv_tess_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

void pv_tessellation_init(pv_tessellation *T)
{
    memset(T, 0, sizeof *T);
}

void pv_tessellation_clear(pv_tessellation *T)
{
    for (int i = 0; i < T->ncells; i++) {
        pv_code_clear(&T->cells[i].code);
        pv_polygon_clear(&T->cells[i].polygon);
    }
    pv_free(T->cells);
    pv_tessellation_init(T);
}

/* ---- the walk ------------------------------------------------------------ */

typedef struct walk {
    const pv_net *net;
    const pv_box *box;
    const pv_tess_options *opt;
    pv_tessellation *T;
    int capc;
    pv_codemap seen;
    int *queue, nq, capq;      /* indices into T->cells of 2-cells         */
    unsigned char *clipped;    /* per cell: visited as a 2-cell            */
    pv_clipper c;
    unsigned char **zero;      /* per vertex of c.A: rows with a line (g != 0)
                                  vanishing there                          */
    unsigned char *line;       /* per row of the current cell: g != 0       */
    int dead;                  /* a neuron row of the cell is 0 = 0         */
    int capz;
    int nrows;
    pv_error *err;
} walk;

static pv_status nomem(walk *w)
{
    return pv_error_set(w->err, PV_ERR_NOMEM, "out of memory in the tessellation");
}

/* The cell of code b (n bytes) at dimension d: its index (a new cell,
 * or the existing one raised to d), -1 out of memory. *fresh says which. */
static int cell_of(walk *w, const unsigned char *b, int d, int *was)
{
    pv_tessellation *T = w->T;
    int i = pv_codemap_get(&w->seen, b);
    *was = i < 0 ? -1 : T->cells[i].dim;
    if (i >= 0) {
        if (T->cells[i].dim < d)
            T->cells[i].dim = d;
        return i;
    }
    if (T->ncells == w->capc) {
        int cap = w->capc ? 2 * w->capc : 256;
        pv_tess_cell *cc = pv_realloc(T->cells, (size_t)cap * sizeof *cc);
        if (cc)
            T->cells = cc;
        unsigned char *cl = pv_realloc(w->clipped, (size_t)cap);
        if (cl)
            w->clipped = cl;
        if (!cc || !cl)
            return -1;
        w->capc = cap;
    }
    pv_tess_cell *c = &T->cells[T->ncells];
    pv_code_init(&c->code, w->net->neurons);
    memcpy(c->code.bit, b, (size_t)w->net->neurons);
    c->dim = d;
    pv_polygon_init(&c->polygon);
    w->clipped[T->ncells] = 0;
    if (pv_codemap_add(&w->seen, b, T->ncells) < 0) {
        pv_code_clear(&c->code);
        return -1;
    }
    return T->ncells++;
}

static int enqueue(walk *w, int cell)
{
    if (w->nq == w->capq) {
        int cap = w->capq ? 2 * w->capq : 256;
        int *q = pv_realloc(w->queue, (size_t)cap * sizeof *q);
        if (!q)
            return 0;
        w->queue = q;
        w->capq = cap;
    }
    w->queue[w->nq++] = cell;
    return 1;
}

/* zero[k][i]: row i vanishes at vertex k of the clipped polygon. */
static int vertex_zeros(walk *w, const pv_system *S)
{
    const pv_hpoly *A = &w->c.A;
    if (A->n > w->capz) {
        unsigned char **z = pv_realloc(w->zero, (size_t)A->n * sizeof *z);
        if (!z)
            return 0;
        w->zero = z;
        for (int k = w->capz; k < A->n; k++)
            w->zero[k] = NULL;
        w->capz = A->n;
    }
    for (int k = 0; k < A->n; k++) {
        unsigned char *z = pv_realloc(w->zero[k], (size_t)S->nrows + 1);
        if (!z)
            return 0;
        w->zero[k] = z;
        for (int i = 0; i < S->nrows; i++) {
            pv_hpoly_value(w->c.t, PV_G(S, i, 0), PV_G(S, i, 1), S->h[i], A, k);
            z[i] = mpz_sgn(w->c.t) == 0 && w->line[i];
        }
    }
    return 1;
}

/* The lower-dimensional cell of code b with the neuron bits of rows `on`
 * (a 0/1 row mask) set to 0, its closure the vertices idx[0..n). */
static pv_status feature(walk *w, const pv_system *S, const unsigned char *b,
                         const unsigned char *on, int d, const int *idx, int n,
                         unsigned char *buf)
{
    memcpy(buf, b, (size_t)w->net->neurons);
    for (int i = 0; i < S->nrows; i++)
        if (on[i] && PV_LABEL_IS_NEURON(S->label[i]))
            buf[S->label[i]] = 0;
    int was, k = cell_of(w, buf, d, &was);
    if (k < 0)
        return nomem(w);
    pv_tess_cell *c = &w->T->cells[k];
    if (!w->clipped[k] && c->polygon.n < n && !pv_hpoly_to_polygon(&c->polygon, &w->c.A, idx, n))
        return nomem(w);
    return PV_OK;
}

/* The code beyond edge (a, b): one vanishing neuron row flips its bit —
 * unless a neuron is identically 0 on the cell (its row 0 = 0: crossing
 * can wake it, as neuron 4 of examples/demo.pvnet across x1 = 0); then,
 * and for several coincident rows, the exact first-order code along the
 * outward normal at the edge's midpoint. */
static pv_status beyond(walk *w, const pv_system *S, const unsigned char *code,
                        const unsigned char *on, int a, int b, unsigned char *buf)
{
    int nn = 0, last = -1;
    for (int i = 0; i < S->nrows; i++)
        if (on[i] && PV_LABEL_IS_NEURON(S->label[i]))
            nn++, last = S->label[i];
    memcpy(buf, code, (size_t)w->net->neurons);
    if (nn == 1 && !w->dead) {
        buf[last] ^= 1;
        return PV_OK;
    }
    pv_polygon seg;
    pv_polygon_init(&seg);
    int idx[2] = { a, b };
    if (!pv_hpoly_to_polygon(&seg, &w->c.A, idx, 2))
        return nomem(w);
    mpq_t y[2], d[2];
    mpq_inits(y[0], y[1], d[0], d[1], NULL);
    mpq_add(y[0], seg.x[0], seg.x[1]);
    mpq_add(y[1], seg.y[0], seg.y[1]);
    mpq_div_2exp(y[0], y[0], 1);
    mpq_div_2exp(y[1], y[1], 1);
    mpq_sub(d[0], seg.y[1], seg.y[0]);      /* (dy, -dx): outward for CCW */
    mpq_sub(d[1], seg.x[0], seg.x[1]);
    pv_code out = { w->net->neurons, buf };
    pv_status st = pv_code_beyond(w->net, y, d, &out, w->err);
    mpq_clears(y[0], y[1], d[0], d[1], NULL);
    pv_polygon_clear(&seg);
    return st;
}

/* Clips the 2-cell T->cells[ci], records its polygon, edges and vertices,
 * and queues the cells beyond its edges. */
static pv_status visit(walk *w, int ci, unsigned char *buf, unsigned char *on)
{
    pv_tessellation *T = w->T;
    pv_code code;
    pv_code_init(&code, w->net->neurons);
    pv_code_set(&code, &T->cells[ci].code);
    pv_system S;
    pv_status st = pv__system_from_code(&S, w->net, &code, w->box, w->err);
    if (st != PV_OK) {
        pv_code_clear(&code);
        return st;
    }
    const pv_hpoly *A = &w->c.A;
    unsigned char *line = pv_realloc(w->line, (size_t)S.nrows + 1);
    if (!line) {
        st = nomem(w);
        goto done;
    }
    w->line = line;
    w->dead = 0;
    for (int i = 0; i < S.nrows; i++) {
        line[i] = mpz_sgn(PV_G(&S, i, 0)) || mpz_sgn(PV_G(&S, i, 1));
        w->dead |= !line[i] && mpz_sgn(S.h[i]) == 0;
    }
    if (!pv_clipper_system(&w->c, &S, w->box) || !vertex_zeros(w, &S)) {
        st = nomem(w);
        goto done;
    }
    if (A->n < 3) {
        st = pv_error_set(w->err, PV_ERR_INTERNAL, "tessellation: a cell "
                          "beyond an edge is not two-dimensional");
        goto done;
    }
    if (!pv_hpoly_to_polygon(&T->cells[ci].polygon, A, NULL, A->n)) {
        st = nomem(w);
        goto done;
    }
    w->clipped[ci] = 1;
    for (int a = 0; st == PV_OK && a < A->n; a++) {
        int b = (a + 1) % A->n, idx[2] = { a, b };
        int any_neuron = 0, any_box = 0;
        for (int i = 0; i < S.nrows; i++) {
            on[i] = w->zero[a][i] && w->zero[b][i];
            any_neuron |= on[i] && PV_LABEL_IS_NEURON(S.label[i]);
            any_box |= on[i] && !PV_LABEL_IS_NEURON(S.label[i]);
        }
        if (any_neuron && (st = feature(w, &S, code.bit, on, 1, idx, 2, buf)) != PV_OK)
            break;
        if (!any_neuron || any_box)
            continue;                  /* on a box side: nothing beyond */
        if ((st = beyond(w, &S, code.bit, on, a, b, buf)) != PV_OK)
            break;
        int was, k = cell_of(w, buf, 2, &was);
        if (k < 0 || (was < 2 && !enqueue(w, k)))   /* new as a 2-cell */
            st = nomem(w);
    }
    for (int a = 0; st == PV_OK && a < A->n; a++) {
        int any_neuron = 0;
        for (int i = 0; i < S.nrows; i++)
            any_neuron |= w->zero[a][i] && PV_LABEL_IS_NEURON(S.label[i]);
        if (any_neuron)
            st = feature(w, &S, code.bit, w->zero[a], 0, &a, 1, buf);
    }
done:
    pv_system_clear(&S);
    pv_code_clear(&code);
    return st;
}

/* Whether the cell of code is two-dimensional in the box (its clipped
 * polygon has three corners): the walk starts there. */
static pv_status is_planar(walk *w, const pv_code *code, int *yes)
{
    pv_system S;
    pv_status st = pv__system_from_code(&S, w->net, code, w->box, w->err);
    if (st != PV_OK)
        return st;
    if (!pv_clipper_system(&w->c, &S, w->box))
        st = nomem(w);
    *yes = w->c.A.n >= 3;
    pv_system_clear(&S);
    return st;
}

/* Point k of the start sequence in a domain with general rows: the
 * average of the domain polygon Q's vertices with weights 1 + (k c_i + 1/2
 * ... mod 10007), all positive, so strictly inside Q (2-D). */
static void domain_point(mpq_t *x, const pv_polygon *Q, int k)
{
    mpq_t t, wsum;
    mpq_inits(t, wsum, NULL);
    mpq_set_ui(x[0], 0, 1);
    mpq_set_ui(x[1], 0, 1);
    for (int i = 0; i < Q->n; i++) {
        long wi = (long)((k * (6007L + 7919L * i) + 5000L) % 10007L) + 1;
        mpq_set_si(t, wi, 1);
        mpq_add(wsum, wsum, t);
        mpq_mul(t, t, Q->x[i]);
        mpq_add(x[0], x[0], t);
        mpq_set_si(t, wi, 1);
        mpq_mul(t, t, Q->y[i]);
        mpq_add(x[1], x[1], t);
    }
    mpq_div(x[0], x[0], wsum);
    mpq_div(x[1], x[1], wsum);
    mpq_clears(t, wsum, NULL);
}

/* The domain polygon: the box square cut by the domain's general rows. */
static pv_status domain_polygon(walk *w, pv_polygon *Q)
{
    pv_system S;
    pv__system_of_box(&S, w->box);
    pv_status st = PV_OK;
    if (!pv_clipper_system(&w->c, &S, w->box) || !pv_hpoly_to_polygon(Q, &w->c.A, NULL, w->c.A.n))
        st = nomem(w);
    else if (Q->n < 3)
        st = pv_error_set(w->err, PV_ERR_ARG, "tessellation: the domain is not "
                          "two-dimensional (its rows leave %s of the box)",
                          Q->n == 0 ? "nothing" : Q->n == 1 ? "a point" : "a segment");
    pv_system_clear(&S);
    return st;
}

/* A start point: points of a fixed sequence in the box (inside the domain
 * polygon when the domain has general rows), the first whose cell is
 * two-dimensional. (A point with a pre-activation at 0 will do if its
 * cell is, as on a net with a neuron that is 0 everywhere.) */
static pv_status start_code(walk *w, pv_code *code)
{
    mpq_t x[2], t, f;
    mpq_inits(x[0], x[1], t, f, NULL);
    pv_polygon Q;
    pv_polygon_init(&Q);
    pv_status st = w->box->nrows ? domain_polygon(w, &Q) : PV_OK;
    int found = 0;
    for (int k = 0; st == PV_OK && k < 1000 && !found; k++) {
        for (int j = 0; j < 2 && !w->box->nrows; j++) {   /* lo + (hi - lo) * frac(k*c_j + 1/2) */
            mpq_sub(t, w->box->hi[j], w->box->lo[j]);
            long num = (long)((k * (j ? 7919L : 6007L) + 5000L) % 10007L) + 1;
            mpq_set_si(f, num, 10009);
            mpq_mul(t, t, f);
            mpq_add(x[j], w->box->lo[j], t);
        }
        if (w->box->nrows)
            domain_point(x, &Q, k);
        st = pv_code_at(w->net, x, code, NULL, w->err);
        if (st == PV_OK)
            st = is_planar(w, code, &found);
    }
    if (st == PV_OK && !found)
        st = pv_error_set(w->err, PV_ERR_INTERNAL, "tessellation: no two-dimensional "
                          "cell at 1000 points of the domain");
    pv_polygon_clear(&Q);
    mpq_clears(x[0], x[1], t, f, NULL);
    return st;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static pv_status run(walk *w)
{
    const pv_tess_options *o = w->opt;
    int N = w->net->neurons;
    unsigned char *buf = pv_malloc((size_t)N + 1);
    unsigned char *on = pv_malloc((size_t)N + (size_t)pv_box_system_rows(w->box) + 1);
    pv_code start;
    pv_code_init(&start, N);
    pv_status st = buf && on ? start_code(w, &start) : nomem(w);
    int was;
    if (st == PV_OK) {
        int k = cell_of(w, start.bit, 2, &was);
        if (k < 0 || !enqueue(w, k))
            st = nomem(w);
    }
    double t0 = now_seconds(), last = t0;
    long done = 0;
    for (int q = 0; st == PV_OK && q < w->nq; q++, done++) {
        if (o->max_cells > 0 && done >= o->max_cells) {
            st = pv_error_set(w->err, PV_ERR_LIMIT, "stopped at --max-cells %ld: the "
                              "enumeration is incomplete (two-dimensional cells "
                              "of the plane)", o->max_cells);
            break;
        }
        int stop = 0;
        if (o->interrupted)
            PV_HOOK(stop = o->interrupted(o->interrupted_ctx));
        if (stop) {
            st = pv_error_set(w->err, PV_ERR_INTERRUPTED, "interrupted");
            break;
        }
        st = visit(w, w->queue[q], buf, on);
        double t = now_seconds();
        if (o->progress && t - last > 0.5) {
            PV_HOOK(o->progress(o->progress_ctx, (long)q + 1, t - t0));
            last = t;
        }
    }
    pv_code_clear(&start);
    pv_free(buf);
    pv_free(on);
    return st;
}

static int cell_cmp(const void *a, const void *b)
{
    return pv_code_cmp(&((const pv_tess_cell *)a)->code, &((const pv_tess_cell *)b)->code);
}

/* Keeps the cells that were clipped, and the lower-dimensional ones: a
 * 2-cell queued but not reached before a limit is dropped. */
static void finish(walk *w)
{
    pv_tessellation *T = w->T;
    int n = 0;
    for (int i = 0; i < T->ncells; i++) {
        if (T->cells[i].dim == 2 && !w->clipped[i]) {
            pv_code_clear(&T->cells[i].code);
            pv_polygon_clear(&T->cells[i].polygon);
            continue;
        }
        T->cells[n++] = T->cells[i];
    }
    T->ncells = n;
    qsort(T->cells, (size_t)n, sizeof *T->cells, cell_cmp);
    for (int i = 0; i < n; i++)
        T->by_dim[T->cells[i].dim]++;
}

static pv_status tessellate(pv_tessellation *T, const pv_net *net, const pv_box *box,
                            const pv_tess_options *opt, pv_error *err)
{
    pv_tess_options defaults;
    if (!opt) {
        pv_tess_options_init(&defaults);
        opt = &defaults;
    }
    pv_tessellation_clear(T);
    if (net->input_dim != 2 || !box || box->dim != 2)
        return pv_error_set(err, PV_ERR_ARG, "tessellation: a network with 2 "
                            "inputs and a 2-D box are needed");
    if (!box->intervals)
        return pv_error_set(err, PV_ERR_ARG, "tessellation: the domain needs a "
                            "box (an interval for both inputs): the walk clips "
                            "polygons out of the box square");
    for (int j = 0; j < 2; j++)
        if (mpq_cmp(box->lo[j], box->hi[j]) >= 0)
            return pv_error_set(err, PV_ERR_ARG, "tessellation: the box must have "
                                "lo < hi in both coordinates");
    walk w;
    memset(&w, 0, sizeof w);
    w.net = net;
    w.box = box;
    w.opt = opt;
    w.T = T;
    w.err = err;
    pv_clipper_init(&w.c);
    pv_status st = pv_codemap_init(&w.seen, net->neurons) ? run(&w) : nomem(&w);
    pv_codemap_clear(&w.seen);
    T->complete = st == PV_OK;
    if (st == PV_OK || st == PV_ERR_LIMIT || st == PV_ERR_INTERRUPTED)
        finish(&w);
    else
        pv_tessellation_clear(T);
    pv_free(w.clipped);
    pv_free(w.queue);
    for (int k = 0; k < w.capz; k++)
        pv_free(w.zero[k]);
    pv_free(w.zero);
    pv_free(w.line);
    pv_clipper_clear(&w.c);
    return st;
}

pv_status pv_tessellate(pv_tessellation *T, const pv_net *net, const pv_box *box,
                        const pv_tess_options *opt, pv_error *err)
{
    PV_GUARD(err, tessellate(T, net, box, opt, err), pv_tessellation_init(T));
}
