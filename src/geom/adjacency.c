/* polyverify — adjacency of two cells (see adjacency.h). */
#include "core/alloc.h"
#include "polyverify/adjacency.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "polyverify/system.h"
#include "exact/linalg.h"
#include "exact/reduce.h"
#include "lp/lp.h"

int pv_adjacency_dims(int dim_a, int dim_b, int common_dim)
{
    /* Cells that share nothing (common -1) are not adjacent, even two
     * points, for which the formula alone would say so. */
    return dim_a >= 0 && dim_a == dim_b && common_dim == dim_a - 1 &&
           common_dim >= 0;
}

void pv_adjacency_init(pv_adjacency *A)
{
    memset(A, 0, sizeof *A);
    A->dim_a = A->dim_b = A->common_dim = A->d_A = A->agrees = -1;
}

void pv_adjacency_clear(pv_adjacency *A)
{
    pv_qvec_free(A->common_point, A->m);
    pv_adjacency_init(A);
}

/* The system of a code and its cell's dimension (D, when not NULL, keeps
 * the whole answer: the caller clears it). */
static pv_status cell_dim(const pv_net *net, const pv_code *c, const pv_box *box,
                          pv_system *S, int *dim, pv_dimension *keep,
                          pv_stats *st, pv_error *err)
{
    pv_status rc = pv__system_from_code(S, net, c, box, err);
    if (rc != PV_OK)
        return rc;
    pv_dimension D;
    pv_dimension_init(&D);
    rc = pv__system_dimension(S, &D, st, err);
    *dim = D.dim;
    if (keep && rc == PV_OK)
        *keep = D;
    else
        pv_dimension_clear(&D);
    if (rc != PV_OK)
        pv_system_clear(S);     /* S is the caller's only on success */
    return rc;
}

/* The point y = p + lambda (x - p) on row j of a, x = p + Z / delta
 * beyond it (row j of a < 0 at x, > 0 at p): lambda = r(p) / (r(p) - r(x)).
 * Returns 1 with *y set (m entries; the caller proves the other rows). */
static int segment_point(mpq_t **y, const pv_system *Sa, int j, mpq_t *const p,
                         mpz_t *const Z, const mpz_t delta, mpq_t *x)
{
    int m = Sa->dim, ok;
    mpq_t rp, rx, t, lam;
    mpq_inits(rp, rx, t, lam, NULL);
    for (int c = 0; c < m; c++) {
        mpq_set_num(t, Z[c]);
        mpq_set_den(t, delta);
        mpq_canonicalize(t);
        mpq_add(x[c], p[c], t);
    }
    pv_system_row_value(rp, Sa, j, p);
    pv_system_row_value(rx, Sa, j, x);
    ok = mpq_sgn(rx) < 0 && mpq_sgn(rp) > 0;
    if (ok) {
        mpq_sub(t, rp, rx);
        mpq_div(lam, rp, t);
        *y = pv_qvec_new(m);
        for (int c = 0; c < m; c++) {
            mpq_sub(t, x[c], p[c]);
            mpq_mul(t, t, lam);
            mpq_add((*y)[c], p[c], t);
        }
    }
    mpq_clears(rp, rx, t, lam, NULL);
    return ok;
}

/* y on row j (g_j != 0) of a and of b, every other row of both > 0. */
static int witness_holds(mpq_t *const y, const pv_system *Sa, const pv_system *Sb, int j)
{
    int m = Sa->dim, gj = 0, ok;
    mpz_t *Y = pv_zvec_new(m), delta, v;
    mpz_inits(delta, v, NULL);
    pv_qvec_common(Y, delta, y, m);
    for (int c = 0; c < m; c++)
        gj |= mpz_sgn(PV_G(Sa, j, c)) != 0;
    ok = gj && pv__system_row_sign(Sa, j, Y, delta, v) == 0 && pv__system_row_sign(Sb, j, Y, delta, v) == 0;
    for (int i = 0; ok && i < Sa->nrows; i++)
        ok = i == j || pv__system_row_sign(Sa, i, Y, delta, v) > 0;
    for (int i = 0; ok && i < Sb->nrows; i++)
        ok = i == j || pv__system_row_sign(Sb, i, Y, delta, v) > 0;
    mpz_clears(delta, v, NULL);
    pv_zvec_free(Y, (size_t)m);
    return ok;
}

/* A coarse point on row j near y: y rounded to a dyadic of about 40 bits,
 * then the coordinate c with the largest |g_jc| solved from row j = 0
 * exactly; every other coordinate stays a short dyadic. NULL when a
 * number is out of double range or g_j = 0. (The point of the segment
 * has coordinates of ~50 digits; the cell's own of ~34.) */
static mpq_t *coarse_on_row(mpq_t *const y, const pv_system *S, int j)
{
    int m = S->dim, c = -1;
    for (int l = 0; l < m; l++)
        if (mpz_sgn(PV_G(S, j, l)) &&
            (c < 0 || mpz_cmpabs(PV_G(S, j, l), PV_G(S, j, c)) > 0))
            c = l;
    if (c < 0)
        return NULL;
    double *yd = pv_malloc(((size_t)m + 1) * sizeof *yd);
    for (int l = 0; l < m; l++)
        yd[l] = mpq_get_d(y[l]);
    mpz_t *Z = pv_zvec_new(m), delta;
    mpz_init(delta);
    mpq_t *q = NULL;
    if (pv_dyadic_round(Z, delta, yd, m, 40) == 0) {
        q = pv_qvec_new(m);
        mpq_t acc, t;
        mpq_inits(acc, t, NULL);
        mpq_set_z(acc, S->h[j]);
        for (int l = 0; l < m; l++) {
            mpq_set_num(q[l], Z[l]);
            mpq_set_den(q[l], delta);
            mpq_canonicalize(q[l]);
            if (l == c || mpz_sgn(PV_G(S, j, l)) == 0)
                continue;
            mpq_set_z(t, PV_G(S, j, l));
            mpq_mul(t, t, q[l]);
            mpq_add(acc, acc, t);
        }
        mpq_set_z(t, PV_G(S, j, c));        /* q_c = -acc / g_jc */
        mpq_div(q[c], acc, t);
        mpq_neg(q[c], q[c]);
        mpq_clears(acc, t, NULL);
    }
    mpz_clear(delta);
    pv_zvec_free(Z, (size_t)m);
    pv_free(yd);
    return q;
}

/* Codes a and b that differ in neuron j alone, C(a) full-dimensional:
 * dim P(a) ∩ P(b) = m - 1 is proved by one point y with row j of a at 0
 * (then so is b's row j, its negation: the layers before j are the same)
 * and every other row of a and of b > 0 at y, exactly. Such a y has a
 * neighbourhood in the hyperplane of row j (g_j != 0) inside both
 * closures, and the intersection lies in that hyperplane. y is searched
 * as in facets.c: a float point z beyond row j and inside the other rows
 * of a (GLPK), rounded, and y = p + lambda (z - p) on row j exactly (p:
 * an interior point of C(a)). Returns 1 with *y set (m entries), 0 when
 * the search or the proof fails (the caller decides in general). */
static int flip_witness(mpq_t **y, const pv_system *Sa, const pv_system *Sb,
                        int j, pv_dimension *known, pv_stats *st, pv_error *err)
{
    int m = Sa->dim, n = Sa->nrows, ok = 0;
    *y = NULL;
    if (j < 0 || j >= n || pv_flp_disabled())
        return 0;
    pv_dimension Da;
    pv_dimension_init(&Da);
    if (known)
        Da = *known, pv_dimension_init(known);   /* moved here */
    else if (pv__system_dimension(Sa, &Da, st, err) != PV_OK)
        Da.dim = -1;
    if (Da.dim != m) {
        pv_dimension_clear(&Da);
        return 0;
    }
    mpq_t v;
    mpq_init(v);
    double *G = pv_malloc(((size_t)n * m + 1) * sizeof *G), *h = pv_malloc((size_t)n * sizeof *h + 1);
    double *zd = pv_malloc((size_t)m * sizeof *zd + 1);
    int finite = 1;                      /* out of double range: no search */
    for (int i = 0; i < n; i++) {        /* rows in the frame z = x - p */
        pv_system_row_value(v, Sa, i, Da.point);
        finite &= pv__system_row_double(Sa, i, v, &G[(size_t)i * m], &h[i]);
    }
    mpq_clear(v);
    mpz_t *Z = pv_zvec_new(m), delta;
    mpz_init(delta);
    mpq_t *x = pv_qvec_new(m);
    /* near p first (pv_flp_near_bound): at m = 784 every facet neighbour
     * of an MNIST image's cell otherwise fell through to the general
     * dimension procedure, 6 s */
    double bounds[2] = { pv_flp_near_bound(n, h), PV_FLP_FAR };
    for (int pass = 0; finite && !ok && pass < 2; pass++) {
        if (bounds[pass] == 0.0)
            continue;
        pv_flp *lp = pv_flp_new(m, n, G, h, bounds[pass]);
        ok = lp && pv_flp_cross_row(lp, j, 1e-7, zd) == 0 &&
             pv_dyadic_round(Z, delta, zd, m, 40) == 0 &&
             segment_point(y, Sa, j, Da.point, Z, delta, x);
        if (ok && !witness_holds(*y, Sa, Sb, j)) {
            pv_qvec_free(*y, m);
            *y = NULL;
            ok = 0;
        }
        mpq_t *q = ok ? coarse_on_row(*y, Sa, j) : NULL;
        if (q && witness_holds(q, Sa, Sb, j)) {
            pv_qvec_free(*y, m);
            *y = q;
        } else if (q) {
            pv_qvec_free(q, m);
        }
        pv_flp_free(lp);
    }
    pv_qvec_free(x, m);
    mpz_clear(delta);
    pv_zvec_free(Z, (size_t)m);
    pv_free(G);
    pv_free(h);
    pv_free(zd);
    pv_dimension_clear(&Da);
    return ok;
}

/* The one neuron a and b differ in, or -1. */
static int single_flip(const pv_code *a, const pv_code *b)
{
    int j = -1;
    for (int i = 0; i < a->n && i < b->n; i++)
        if (a->bit[i] != b->bit[i]) {
            if (j >= 0)
                return -1;
            j = i;
        }
    return a->n == b->n ? j : -1;
}

/* The pipeline of both checks: the systems of a and b (with dim C(a) and
 * dim C(b) in dims[0], dims[1] when dims is not NULL), the union of their
 * closures' rows, and D = its exact dimension, that of P(a) ∩ P(b). D is
 * the caller's to clear, on every path. */
static pv_status closures_meet(pv_dimension *D, int *dims, const pv_net *net,
                               const pv_code *a, const pv_code *b,
                               const pv_box *box, pv_stats *st, pv_error *err)
{
    pv_dimension_init(D);
    pv_system Sa, Sb;
    pv_dimension Da;
    pv_dimension_init(&Da);
    pv_status rc = dims ? cell_dim(net, a, box, &Sa, &dims[0], &Da, st, err)
                        : pv__system_from_code(&Sa, net, a, box, err);
    if (rc != PV_OK)
        return rc;
    rc = dims ? cell_dim(net, b, box, &Sb, &dims[1], NULL, st, err)
              : pv__system_from_code(&Sb, net, b, box, err);
    if (rc != PV_OK) {
        pv_dimension_clear(&Da);
        pv_system_clear(&Sa);
        return rc;
    }
    /* P(a) ∩ P(b) is decided in every case: P(b) is given by b's rows even
     * when C(b) is empty, and may then be non-empty (DESIGN §1). Adjacency
     * itself is only defined between realised cells. */
    pv_system U;
    pv__system_closure_union(&U, &Sa, &Sb);
    mpq_t *y = NULL;
    int j = single_flip(a, b);
    if (j >= 0 && (!dims || dims[0] == Sa.dim) &&
        flip_witness(&y, &Sa, &Sb, j, dims ? &Da : NULL, st, err)) {
        /* only dim and point are read by the callers here: D carries no
         * frame (U stays NULL) */
        D->m = Sa.dim;
        D->nrows = U.nrows;
        D->dim = Sa.dim - 1;
        D->point = y;
        D->implicit = pv_calloc((size_t)U.nrows + 1, 1);
        D->implicit[j] = D->implicit[Sa.nrows + j] = 1;
    } else {
        rc = pv__system_dimension(&U, D, st, err);
    }
    pv_system_clear(&U);
    pv_system_clear(&Sa);
    pv_system_clear(&Sb);
    pv_dimension_clear(&Da);
    return rc;
}

static pv_status adjacency_check(pv_adjacency *A, const pv_net *net,
                                 const pv_code *a, const pv_code *b,
                                 const pv_box *box, pv_error *err)
{
    pv_adjacency_clear(A);
    A->m = net->input_dim;
    A->code_a = a;
    A->code_b = b;
    A->hamming = pv_code_hamming(a, b);
    A->d_H2 = A->hamming < 2 ? A->hamming : 2;
    int dims[2] = { -1, -1 };
    pv_dimension D;
    pv_status rc = closures_meet(&D, dims, net, a, b, box, &A->stats, err);
    A->dim_a = dims[0];
    A->dim_b = dims[1];
    if (rc == PV_OK) {
        A->common_dim = D.dim;
        if (D.dim >= 0)
            A->common_point = pv_qvec_copy(D.point, A->m);
        if (A->dim_a >= 0 && A->dim_b >= 0) {
            A->adjacent = pv_adjacency_dims(A->dim_a, A->dim_b, D.dim);
            A->d_A = pv_code_equal(a, b) ? 0 : A->adjacent ? 1 : 2;
            A->agrees = A->d_A == A->d_H2;
        }
    }
    pv_dimension_clear(&D);
    return rc;
}

static pv_status decide_pair(pv_adjacency_pair *P, const pv_net *net,
                             const pv_code *a, int dim_a, const pv_code *b,
                             int dim_b, const pv_box *box, pv_stats *st,
                             pv_error *err)
{
    P->hamming = pv_code_hamming(a, b);
    P->common_dim = -1;
    P->adjacent = 0;
    pv_dimension D;
    pv_status rc = closures_meet(&D, NULL, net, a, b, box, st, err);
    if (rc == PV_OK) {
        P->common_dim = D.dim;
        /* DESIGN §1, as pv_adjacency_check decides it */
        P->adjacent = !pv_code_equal(a, b) && pv_adjacency_dims(dim_a, dim_b, D.dim);
    }
    pv_dimension_clear(&D);
    return rc;
}

pv_status pv_adjacency_decide_pair(pv_adjacency_pair *P, const pv_net *net,
                                   const pv_code *a, int dim_a, const pv_code *b,
                                   int dim_b, const pv_box *box, pv_stats *st,
                                   pv_error *err)
{
    PV_GUARD(err, decide_pair(P, net, a, dim_a, b, dim_b, box, st, err), (void)0);
}

pv_status pv_adjacency_check(pv_adjacency *A, const pv_net *net,
                             const pv_code *a, const pv_code *b,
                             const pv_box *box, pv_error *err)
{
    PV_GUARD(err, adjacency_check(A, net, a, b, box, err), pv_adjacency_init(A));
}
