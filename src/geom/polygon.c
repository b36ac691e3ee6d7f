/* polyverify — the exact polygons of a 2-input network's cells
 * (polygon.h).
 *
 * Each cell's closure in the box is the box square clipped by every row of
 * the cell's system, one half-plane at a time, in rationals
 * (Sutherland-Hodgman; exact signs, so no vertex is lost or invented by
 * rounding). No drawing here: this builds without cairo. */
#include "core/alloc.h"
#include "polyverify/polygon.h"

#include <stdlib.h>
#include <string.h>

#include "polyverify/system.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"

void pv_polygon_init(pv_polygon *P) { memset(P, 0, sizeof *P); }

void pv_polygon_clear(pv_polygon *P)
{
    for (int i = 0; i < P->n; i++) {
        mpq_clear(P->x[i]);
        mpq_clear(P->y[i]);
    }
    pv_free(P->x);
    pv_free(P->y);
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
        L->x = pv_realloc(L->x, (size_t)cap * sizeof(mpq_t));
        L->y = pv_realloc(L->y, (size_t)cap * sizeof(mpq_t));
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
    pv_free(L->x);
    pv_free(L->y);
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

static pv_status polygon_of_code(pv_polygon *P, const pv_net *net,
                                 const pv_code *code, const pv_box *box,
                                 pv_error *err)
{
    pv_polygon_clear(P);
    if (net->input_dim != 2 || !box)
        return pv_error_set(err, PV_ERR_ARG,
                            "polygons need a network with 2 inputs and a box");
    pv_system S;
    pv_status rc = pv__system_from_code(&S, net, code, box, err);
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
    P->x = pv_malloc((size_t)(A.n + 1) * sizeof(mpq_t));
    P->y = pv_malloc((size_t)(A.n + 1) * sizeof(mpq_t));
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

pv_status pv_polygon_of_code(pv_polygon *P, const pv_net *net,
                             const pv_code *code, const pv_box *box,
                             pv_error *err)
{
    PV_GUARD(err, polygon_of_code(P, net, code, box, err), pv_polygon_init(P));
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
