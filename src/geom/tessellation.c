/* polyverify — the cells of a 2-input network in a box by a walk over
 * exact polygons (see tessellation.h).
 *
 * Vertices are homogeneous integers (X, Y, D), D > 0, for the point
 * (X/D, Y/D): a row g.x + h has the sign of V = g0 X + g1 Y + h D, and the
 * crossing of row r between vertices a and b is Vb a - Va b (then divided
 * by the gcd of its three entries), so clipping needs no fractions.
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

/* ---- homogeneous polygons ------------------------------------------------ */

typedef struct hpoly {
    int n, cap;
    mpz_t *X, *Y, *D;
} hpoly;

static void hp_clear(hpoly *P)
{
    for (int i = 0; i < P->cap; i++)
        mpz_clears(P->X[i], P->Y[i], P->D[i], NULL);
    pv_free(P->X);
    pv_free(P->Y);
    pv_free(P->D);
    memset(P, 0, sizeof *P);
}

static int hp_reserve(hpoly *P, int n)
{
    if (n <= P->cap)
        return 1;
    int cap = P->cap ? 2 * P->cap : 16;
    while (cap < n)
        cap *= 2;
    mpz_t *X = pv_realloc(P->X, (size_t)cap * sizeof(mpz_t));
    if (X)
        P->X = X;
    mpz_t *Y = pv_realloc(P->Y, (size_t)cap * sizeof(mpz_t));
    if (Y)
        P->Y = Y;
    mpz_t *D = pv_realloc(P->D, (size_t)cap * sizeof(mpz_t));
    if (D)
        P->D = D;
    if (!X || !Y || !D)
        return 0;
    for (int i = P->cap; i < cap; i++)
        mpz_inits(P->X[i], P->Y[i], P->D[i], NULL);
    P->cap = cap;
    return 1;
}

/* The value V of row i at vertex k (sign = the row's sign there). */
static void hp_value(mpz_t V, const pv_system *S, int i, const hpoly *P, int k)
{
    mpz_mul(V, S->h[i], P->D[k]);
    mpz_addmul(V, PV_G(S, i, 0), P->X[k]);
    mpz_addmul(V, PV_G(S, i, 1), P->Y[k]);
}

/* Sign of the turn a -> b -> c (the 3x3 determinant; every D > 0). */
static int hp_turn(const hpoly *P, int a, int b, int c, mpz_t t, mpz_t u)
{
    /* det [Xa Ya Da; Xb Yb Db; Xc Yc Dc] */
    mpz_mul(t, P->Y[b], P->D[c]);
    mpz_submul(t, P->D[b], P->Y[c]);
    mpz_mul(u, P->X[a], t);
    mpz_mul(t, P->X[b], P->D[c]);
    mpz_submul(t, P->D[b], P->X[c]);
    mpz_submul(u, P->Y[a], t);
    mpz_mul(t, P->X[b], P->Y[c]);
    mpz_submul(t, P->Y[b], P->X[c]);
    mpz_addmul(u, P->D[a], t);
    return mpz_sgn(u);
}

static int hp_same(const hpoly *P, int a, int b, mpz_t t, mpz_t u)
{
    mpz_mul(t, P->X[a], P->D[b]);
    mpz_mul(u, P->X[b], P->D[a]);
    if (mpz_cmp(t, u))
        return 0;
    mpz_mul(t, P->Y[a], P->D[b]);
    mpz_mul(u, P->Y[b], P->D[a]);
    return mpz_cmp(t, u) == 0;
}

static void hp_swap(hpoly *P, int a, int b)
{
    mpz_swap(P->X[a], P->X[b]);
    mpz_swap(P->Y[a], P->Y[b]);
    mpz_swap(P->D[a], P->D[b]);
}

static void hp_remove(hpoly *P, int k)
{
    for (int i = k; i + 1 < P->n; i++)
        hp_swap(P, i, i + 1);
    P->n--;
}

/* Drops repeated vertices and the middle one of straight triples. */
static void hp_simplify(hpoly *P, mpz_t t, mpz_t u)
{
    for (int a = 0; P->n > 1 && a < P->n;) {
        if (hp_same(P, a, (a + 1) % P->n, t, u))
            hp_remove(P, (a + 1) % P->n);
        else
            a++;
    }
    for (int a = 0; P->n > 2 && a < P->n;) {
        int b = (a + 1) % P->n, c = (a + 2) % P->n;
        if (hp_turn(P, a, b, c, t, u) == 0)
            hp_remove(P, b);
        else
            a++;
    }
}

typedef struct clipper {
    hpoly A, B;                /* the polygon and the scratch one         */
    mpz_t *V;                  /* row values at A's vertices              */
    int capv;
    mpz_t t, u, g;
} clipper;

static int clipper_init(clipper *c)
{
    memset(c, 0, sizeof *c);
    mpz_inits(c->t, c->u, c->g, NULL);
    return 1;
}

static void clipper_clear(clipper *c)
{
    hp_clear(&c->A);
    hp_clear(&c->B);
    for (int i = 0; i < c->capv; i++)
        mpz_clear(c->V[i]);
    pv_free(c->V);
    mpz_clears(c->t, c->u, c->g, NULL);
}

static int values_reserve(clipper *c, int n)
{
    if (n <= c->capv)
        return 1;
    int cap = 2 * n;
    mpz_t *V = pv_realloc(c->V, (size_t)cap * sizeof(mpz_t));
    if (!V)
        return 0;
    c->V = V;
    for (int i = c->capv; i < cap; i++)
        mpz_init(c->V[i]);
    c->capv = cap;
    return 1;
}

/* A := A ∩ {row i >= 0}. 0 out of memory. */
static int clip_row(clipper *c, const pv_system *S, int i)
{
    hpoly *A = &c->A, *B = &c->B;
    if (!values_reserve(c, A->n))
        return 0;
    int neg = 0;
    for (int k = 0; k < A->n; k++) {
        hp_value(c->V[k], S, i, A, k);
        neg |= mpz_sgn(c->V[k]) < 0;
    }
    if (!neg)
        return 1;                      /* the row cuts nothing off */
    if (!hp_reserve(B, 2 * A->n + 2))
        return 0;
    B->n = 0;
    for (int a = 0; a < A->n; a++) {
        int b = (a + 1) % A->n;
        int sa = mpz_sgn(c->V[a]), sb = mpz_sgn(c->V[b]);
        if (sa >= 0) {
            mpz_set(B->X[B->n], A->X[a]);
            mpz_set(B->Y[B->n], A->Y[a]);
            mpz_set(B->D[B->n], A->D[a]);
            B->n++;
        }
        if (sa * sb < 0) {             /* the crossing Vb a - Va b */
            mpz_t *X = &B->X[B->n], *Y = &B->Y[B->n], *D = &B->D[B->n];
            mpz_mul(*X, c->V[b], A->X[a]);
            mpz_submul(*X, c->V[a], A->X[b]);
            mpz_mul(*Y, c->V[b], A->Y[a]);
            mpz_submul(*Y, c->V[a], A->Y[b]);
            mpz_mul(*D, c->V[b], A->D[a]);
            mpz_submul(*D, c->V[a], A->D[b]);
            if (mpz_sgn(*D) < 0) {
                mpz_neg(*X, *X);
                mpz_neg(*Y, *Y);
                mpz_neg(*D, *D);
            }
            mpz_gcd(c->g, *X, *Y);
            mpz_gcd(c->g, c->g, *D);
            if (mpz_cmp_ui(c->g, 1) > 0) {
                mpz_divexact(*X, *X, c->g);
                mpz_divexact(*Y, *Y, c->g);
                mpz_divexact(*D, *D, c->g);
            }
            B->n++;
        }
    }
    hpoly T = *A;
    *A = *B;
    *B = T;
    hp_simplify(A, c->t, c->u);
    return 1;
}

/* c->A := the box square clipped by every row of S. 0 out of memory. */
static int clip_all(clipper *c, const pv_system *S, const pv_box *box)
{
    if (!hp_reserve(&c->A, 4))
        return 0;
    c->A.n = 4;
    const mpq_t *xs[4] = { &box->lo[0], &box->hi[0], &box->hi[0], &box->lo[0] };
    const mpq_t *ys[4] = { &box->lo[1], &box->lo[1], &box->hi[1], &box->hi[1] };
    for (int k = 0; k < 4; k++) {      /* counter-clockwise */
        mpz_lcm(c->A.D[k], mpq_denref(*xs[k]), mpq_denref(*ys[k]));
        mpz_divexact(c->A.X[k], c->A.D[k], mpq_denref(*xs[k]));
        mpz_mul(c->A.X[k], c->A.X[k], mpq_numref(*xs[k]));
        mpz_divexact(c->A.Y[k], c->A.D[k], mpq_denref(*ys[k]));
        mpz_mul(c->A.Y[k], c->A.Y[k], mpq_numref(*ys[k]));
    }
    hp_simplify(&c->A, c->t, c->u);
    for (int i = 0; i < S->nrows && c->A.n > 0; i++)
        if (!clip_row(c, S, i))
            return 0;
    return 1;
}

static int hp_to_polygon(pv_polygon *P, const hpoly *A, const int *idx, int n)
{
    pv_polygon_clear(P);
    P->x = pv_malloc(((size_t)n + 1) * sizeof(mpq_t));
    P->y = pv_malloc(((size_t)n + 1) * sizeof(mpq_t));
    if (!P->x || !P->y) {
        pv_free(P->x);
        pv_free(P->y);
        pv_polygon_init(P);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        int k = idx ? idx[i] : i;
        mpq_inits(P->x[i], P->y[i], NULL);
        mpz_set(mpq_numref(P->x[i]), A->X[k]);
        mpz_set(mpq_denref(P->x[i]), A->D[k]);
        mpq_canonicalize(P->x[i]);
        mpz_set(mpq_numref(P->y[i]), A->Y[k]);
        mpz_set(mpq_denref(P->y[i]), A->D[k]);
        mpq_canonicalize(P->y[i]);
    }
    P->n = n;
    return 1;
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
    clipper c;
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
    const hpoly *A = &w->c.A;
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
            hp_value(w->c.t, S, i, A, k);
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
        if (on[i] && !PV_LABEL_IS_BOX(S->label[i]))
            buf[S->label[i]] = 0;
    int was, k = cell_of(w, buf, d, &was);
    if (k < 0)
        return nomem(w);
    pv_tess_cell *c = &w->T->cells[k];
    if (!w->clipped[k] && c->polygon.n < n && !hp_to_polygon(&c->polygon, &w->c.A, idx, n))
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
        if (on[i] && !PV_LABEL_IS_BOX(S->label[i]))
            nn++, last = S->label[i];
    memcpy(buf, code, (size_t)w->net->neurons);
    if (nn == 1 && !w->dead) {
        buf[last] ^= 1;
        return PV_OK;
    }
    pv_polygon seg;
    pv_polygon_init(&seg);
    int idx[2] = { a, b };
    if (!hp_to_polygon(&seg, &w->c.A, idx, 2))
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
    const hpoly *A = &w->c.A;
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
    if (!clip_all(&w->c, &S, w->box) || !vertex_zeros(w, &S)) {
        st = nomem(w);
        goto done;
    }
    if (A->n < 3) {
        st = pv_error_set(w->err, PV_ERR_INTERNAL, "tessellation: a cell "
                          "beyond an edge is not two-dimensional");
        goto done;
    }
    if (!hp_to_polygon(&T->cells[ci].polygon, A, NULL, A->n)) {
        st = nomem(w);
        goto done;
    }
    w->clipped[ci] = 1;
    for (int a = 0; st == PV_OK && a < A->n; a++) {
        int b = (a + 1) % A->n, idx[2] = { a, b };
        int any_neuron = 0, any_box = 0;
        for (int i = 0; i < S.nrows; i++) {
            on[i] = w->zero[a][i] && w->zero[b][i];
            any_neuron |= on[i] && !PV_LABEL_IS_BOX(S.label[i]);
            any_box |= on[i] && PV_LABEL_IS_BOX(S.label[i]);
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
            any_neuron |= w->zero[a][i] && !PV_LABEL_IS_BOX(S.label[i]);
        if (any_neuron)
            st = feature(w, &S, code.bit, w->zero[a], 0, &a, 1, buf);
    }
done:
    pv_system_clear(&S);
    pv_code_clear(&code);
    return st;
}

/* A start point: the box centre, else points of a fixed sequence, until
 * one has no pre-activation at 0 (so its cell is two-dimensional). */
static pv_status start_code(walk *w, pv_code *code)
{
    mpq_t x[2], t;
    mpq_inits(x[0], x[1], t, NULL);
    unsigned char *zero = pv_malloc((size_t)w->net->neurons + 1);
    pv_status st = zero ? PV_OK : nomem(w);
    int found = 0;
    for (int k = 0; st == PV_OK && k < 1000 && !found; k++) {
        for (int j = 0; j < 2; j++) {   /* lo + (hi - lo) * frac(k*phi_j + 1/2) */
            mpq_sub(t, w->box->hi[j], w->box->lo[j]);
            long num = (long)((k * (j ? 7919L : 6007L) + 5000L) % 10007L) + 1;
            mpq_t f;
            mpq_init(f);
            mpq_set_si(f, num, 10009);
            mpq_mul(t, t, f);
            mpq_clear(f);
            mpq_add(x[j], w->box->lo[j], t);
        }
        st = pv_code_at(w->net, x, code, zero, w->err);
        found = st == PV_OK && memchr(zero, 1, (size_t)w->net->neurons) == NULL;
    }
    if (st == PV_OK && !found)
        st = pv_error_set(w->err, PV_ERR_INTERNAL, "tessellation: no generic start point");
    pv_free(zero);
    mpq_clears(x[0], x[1], t, NULL);
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
    unsigned char *on = pv_malloc((size_t)N + 2 * 2 + 1);
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
            st = pv_error_set(w->err, PV_ERR_LIMIT, "stopped at --max-cells %ld "
                              "(two-dimensional cells)", o->max_cells);
            break;
        }
        if (o->interrupted && o->interrupted(o->interrupted_ctx)) {
            st = pv_error_set(w->err, PV_ERR_INTERRUPTED, "interrupted");
            break;
        }
        st = visit(w, w->queue[q], buf, on);
        double t = now_seconds();
        if (o->progress && t - last > 0.5) {
            o->progress(o->progress_ctx, (long)q + 1, t - t0);
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

pv_status pv_tessellate(pv_tessellation *T, const pv_net *net, const pv_box *box,
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
    clipper_init(&w.c);
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
    clipper_clear(&w.c);
    return st;
}
