/* polyverify — convex polygons clipped by half-planes, exactly (see clip.h).
 *
 * Vertices are homogeneous integers (X, Y, D), D > 0, for the point
 * (X/D, Y/D): a row g.x + h has the sign of V = g0 X + g1 Y + h D, and the
 * crossing of a row between vertices a and b is Vb a - Va b (then divided
 * by the gcd of its three entries), so clipping needs no fractions. */
#include "core/alloc.h"
#include "geom/clip.h"

#include <string.h>
#include "geom/system_internal.h"

static void hp_clear(pv_hpoly *P)
{
    for (int i = 0; i < P->cap; i++)
        mpz_clears(P->X[i], P->Y[i], P->D[i], NULL);
    pv_free(P->X);
    pv_free(P->Y);
    pv_free(P->D);
    memset(P, 0, sizeof *P);
}

static int hp_reserve(pv_hpoly *P, int n)
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

void pv_hpoly_value(mpz_t V, const mpz_t g0, const mpz_t g1, const mpz_t h,
                    const pv_hpoly *P, int k)
{
    mpz_mul(V, h, P->D[k]);
    mpz_addmul(V, g0, P->X[k]);
    mpz_addmul(V, g1, P->Y[k]);
}

/* Sign of the turn a -> b -> c (the 3x3 determinant; every D > 0). */
static int hp_turn(const pv_hpoly *P, int a, int b, int c, mpz_t t, mpz_t u)
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

static int hp_same(const pv_hpoly *P, int a, int b, mpz_t t, mpz_t u)
{
    mpz_mul(t, P->X[a], P->D[b]);
    mpz_mul(u, P->X[b], P->D[a]);
    if (mpz_cmp(t, u))
        return 0;
    mpz_mul(t, P->Y[a], P->D[b]);
    mpz_mul(u, P->Y[b], P->D[a]);
    return mpz_cmp(t, u) == 0;
}

static void hp_swap(pv_hpoly *P, int a, int b)
{
    mpz_swap(P->X[a], P->X[b]);
    mpz_swap(P->Y[a], P->Y[b]);
    mpz_swap(P->D[a], P->D[b]);
}

static void hp_remove(pv_hpoly *P, int k)
{
    for (int i = k; i + 1 < P->n; i++)
        hp_swap(P, i, i + 1);
    P->n--;
}

/* Drops repeated vertices and the middle one of straight triples. */
static void hp_simplify(pv_hpoly *P, mpz_t t, mpz_t u)
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

void pv_clipper_init(pv_clipper *c)
{
    memset(c, 0, sizeof *c);
    mpz_inits(c->t, c->u, c->g, NULL);
}

void pv_clipper_clear(pv_clipper *c)
{
    hp_clear(&c->A);
    hp_clear(&c->B);
    for (int i = 0; i < c->capv; i++)
        mpz_clear(c->V[i]);
    pv_free(c->V);
    mpz_clears(c->t, c->u, c->g, NULL);
}

static int values_reserve(pv_clipper *c, int n)
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

int pv_clipper_cut(pv_clipper *c, const mpz_t g0, const mpz_t g1, const mpz_t h)
{
    pv_hpoly *A = &c->A, *B = &c->B;
    if (!values_reserve(c, A->n))
        return 0;
    int neg = 0;
    for (int k = 0; k < A->n; k++) {
        pv_hpoly_value(c->V[k], g0, g1, h, A, k);
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
    pv_hpoly T = *A;
    *A = *B;
    *B = T;
    hp_simplify(A, c->t, c->u);
    return 1;
}

/* Vertex k of P := (x, y), over the lcm of the two denominators. */
static void hp_set(pv_hpoly *P, int k, const mpq_t x, const mpq_t y)
{
    mpz_lcm(P->D[k], mpq_denref(x), mpq_denref(y));
    mpz_divexact(P->X[k], P->D[k], mpq_denref(x));
    mpz_mul(P->X[k], P->X[k], mpq_numref(x));
    mpz_divexact(P->Y[k], P->D[k], mpq_denref(y));
    mpz_mul(P->Y[k], P->Y[k], mpq_numref(y));
}

int pv_clipper_box(pv_clipper *c, const pv_box *box)
{
    if (!hp_reserve(&c->A, 4))
        return 0;
    c->A.n = 4;                        /* counter-clockwise */
    hp_set(&c->A, 0, box->lo[0], box->lo[1]);
    hp_set(&c->A, 1, box->hi[0], box->lo[1]);
    hp_set(&c->A, 2, box->hi[0], box->hi[1]);
    hp_set(&c->A, 3, box->lo[0], box->hi[1]);
    hp_simplify(&c->A, c->t, c->u);
    return 1;
}

int pv_clipper_polygon(pv_clipper *c, const pv_polygon *P)
{
    if (!hp_reserve(&c->A, P->n + 1))
        return 0;
    c->A.n = P->n;
    for (int k = 0; k < P->n; k++)
        hp_set(&c->A, k, P->x[k], P->y[k]);
    return 1;
}

int pv_clipper_system(pv_clipper *c, const pv_system *S, const pv_box *box)
{
    if (!pv_clipper_box(c, box))
        return 0;
    for (int i = 0; i < S->nrows && c->A.n > 0; i++)
        if (!pv_clipper_cut(c, PV_G(S, i, 0), PV_G(S, i, 1), S->h[i]))
            return 0;
    return 1;
}

int pv_hpoly_to_polygon(pv_polygon *P, const pv_hpoly *A, const int *idx, int n)
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

