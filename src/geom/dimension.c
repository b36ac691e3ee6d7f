/* polyverify — exact dimension of a system of strict and non-strict rows.
 *
 * Loop (each pass factors out at least one implicit equality, so at most
 * m+1 passes):
 *   1. restrict every live row to the current affine frame x = p0 + U z;
 *      rows that became constant are decided on the spot;
 *   2. search: GLPK maximises the margin t with g'z + h' >= t (rows
 *      normalised, t <= 1);
 *   3. prove: a positive margin gives a point, checked exactly row by row;
 *      otherwise the float multipliers y name a support K, and the exact
 *      y >= 0 with sum y_i g'_i = 0 is recomputed in the kernel of those
 *      rows. Then h'.y < 0 proves emptiness (Farkas), h'.y = 0 proves every
 *      row of K an implicit equality (Motzkin: emptiness if K holds a
 *      strict row), and K is factored out of the frame;
 *   4. if a proof fails, cddlib's exact LP takes the same decision instead.
 * The final point is checked once more against the original rows. */
#include "core/alloc.h"
#include "geom/system_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "exact/linalg.h"
#include "lp/lp.h"
#include "exact/reduce.h"

enum { LIVE = 0, CONST_POS, IMPLICIT };

void pv_dimension_init(pv_dimension *D) { memset(D, 0, sizeof *D); D->dim = -1; }

void pv_dimension_clear(pv_dimension *D)
{
    if (D->point) {
        for (int i = 0; i < D->m; i++)
            mpq_clear(D->point[i]);
        pv_free(D->point);
    }
    if (D->U) {
        for (size_t i = 0; i < (size_t)D->m * D->dim; i++)
            mpz_clear(D->U[i]);
        pv_free(D->U);
    }
    pv_free(D->implicit);
    pv_dimension_init(D);
}

/* The state of the loop: frame (p0, U) of dimension k, and row status. */
typedef struct frame {
    int m, k;
    mpq_t *p0;                /* m                       */
    mpz_t *U;                 /* m*k, NULL = identity    */
    unsigned char *status;    /* per original row        */
} frame;


/* Live rows in the current frame. In the first frame (the identity, p0 =
 * 0) they are S's rows themselves. */
static void build_live(pv_rrows *R, const pv_system *S, const frame *F)
{
    int *rows = pv_malloc((size_t)(S->nrows ? S->nrows : 1) * sizeof(int)), n = 0;
    for (int i = 0; i < S->nrows; i++)
        if (F->status[i] == LIVE)
            rows[n++] = i;
    pv_rrows_build(R, S, rows, n, F->U ? F->p0 : NULL, F->U, F->k);
    pv_free(rows);
}

/* Decides rows that became constant: returns -1 if that proves Q empty,
 * else the number of rows settled. */
static int settle_constants(const pv_system *S, frame *F, const pv_rrows *R)
{
    int settled = 0;
    for (int r = 0; r < R->n; r++) {
        if (!pv_rrows_zero(R, r))
            continue;
        int i = R->orig[r], s = mpz_sgn(R->h[r]);
        if (s < 0 || (s == 0 && S->strict[i]))
            return -1;
        F->status[i] = s > 0 ? CONST_POS : IMPLICIT;
        settled++;
    }
    return settled;
}

/* Factors out rows K (indices into R) that are proven implicit equalities:
 * solves g'_K z + h'_K = 0 and composes the frame. Returns 1 if that system
 * is inconsistent (then the closure, hence Q, is empty). */
static int factor_out(frame *F, const pv_rrows *R, const int *K, int nk)
{
    int k = F->k;
    pv_zmat M;
    pv_zmat_init(&M, nk, k + 1);
    for (int a = 0; a < nk; a++) {
        for (int j = 0; j < k; j++)
            mpz_set(PV_Z(&M, a, j), R->g[(size_t)K[a] * k + j]);
        mpz_neg(PV_Z(&M, a, k), R->h[K[a]]);
    }
    int *piv = pv_malloc((size_t)(nk + 1) * sizeof *piv);
    int rank = pv_zmat_rref(&M, piv);
    if (rank > 0 && piv[rank - 1] == k) {
        pv_free(piv);
        pv_zmat_clear(&M);
        return 1;
    }
    int k2 = k - rank;
    unsigned char *is_piv = pv_calloc((size_t)k + 1, 1);
    for (int r = 0; r < rank; r++)
        is_piv[piv[r]] = 1;
    /* particular solution q0 (free variables 0) and integer kernel basis V */
    mpq_t *q0 = pv_qvec_new(k);
    for (int r = 0; r < rank; r++)
        mpq_set_num(q0[piv[r]], PV_Z(&M, r, k)),
        mpq_set_den(q0[piv[r]], PV_Z(&M, r, piv[r])),
        mpq_canonicalize(q0[piv[r]]);
    mpz_t *V = pv_malloc(((size_t)k * k2 + 1) * sizeof(mpz_t));
    for (size_t i = 0; i < (size_t)k * k2; i++)
        mpz_init(V[i]);
    mpz_t L, t;
    mpz_init(L);
    mpz_init(t);
    for (int c = 0, f = 0; f < k; f++) {
        if (is_piv[f])
            continue;
        /* v_f = L, v_p = -M[r][f] * L / M[r][p] with L = lcm of pivots */
        mpz_set_ui(L, 1);
        for (int r = 0; r < rank; r++)
            mpz_lcm(L, L, PV_Z(&M, r, piv[r]));
        mpz_set(V[(size_t)f * k2 + c], L);
        for (int r = 0; r < rank; r++) {
            mpz_divexact(t, L, PV_Z(&M, r, piv[r]));
            mpz_mul(t, t, PV_Z(&M, r, f));
            mpz_neg(V[(size_t)piv[r] * k2 + c], t);
        }
        c++;
    }
    mpz_clear(L);
    mpz_clear(t);
    /* p0 += U q0; U = U V */
    int m = F->m;
    mpq_t *shift = pv_qvec_new(m);
    pv_frame_apply(shift, m, k, NULL, F->U, q0);
    for (int l = 0; l < m; l++)
        mpq_add(F->p0[l], F->p0[l], shift[l]);
    pv_qvec_free(shift, m);
    mpz_t *U2 = pv_malloc(((size_t)m * k2 + 1) * sizeof(mpz_t));
    for (int l = 0; l < m; l++)
        for (int c = 0; c < k2; c++) {
            mpz_t *u = &U2[(size_t)l * k2 + c];
            mpz_init(*u);
            for (int j = 0; j < k; j++) {
                if (!F->U) {
                    if (j == l)
                        mpz_add(*u, *u, V[(size_t)j * k2 + c]);
                } else {
                    mpz_addmul(*u, F->U[(size_t)l * k + j], V[(size_t)j * k2 + c]);
                }
            }
        }
    pv_zvec_free(F->U, (size_t)m * k);
    F->U = U2;
    F->k = k2;
    pv_zvec_free(V, (size_t)k * k2);
    pv_qvec_free(q0, k);
    pv_free(is_piv);
    pv_free(piv);
    pv_zmat_clear(&M);
    return 0;
}

/* Rows forced to = 0 (a face) are implicit equalities by definition:
 * factor them out before anything else. Returns 1 if they are
 * inconsistent (the set is empty). */
static int factor_out_forced(const pv_system *S, frame *F, int *K)
{
    int n = 0;
    for (int i = 0; i < S->nrows; i++)
        if (S->eq[i])
            K[n++] = i;
    if (n == 0)
        return 0;
    pv_rrows R;
    pv_rrows_build(&R, S, K, n, F->p0, F->U, F->k);
    for (int a = 0; a < n; a++) {
        F->status[K[a]] = IMPLICIT;
        K[a] = a;                   /* indices into R */
    }
    int empty = factor_out(F, &R, K, n);
    pv_rrows_clear(&R);
    return empty;
}

/* Float multipliers y (of normalised rows) -> exact y' >= 0 on their
 * support with sum y'_i g'_i = 0. On success returns the support size and
 * the sign of h'.y' in *sign; 0 when no exact multipliers were found. */
static int exact_multipliers(const pv_rrows *R, const double *y,
                             const double *norm, int *K, mpq_t hy)
{
    int n = R->n, k = R->k, nk = 0;
    double ymax = 0.0;
    for (int i = 0; i < n; i++)
        if (y[i] > ymax)
            ymax = y[i];
    if (ymax <= 0.0)
        return 0;
    for (int i = 0; i < n; i++)
        if (y[i] > 1e-9 * ymax)
            K[nk++] = i;
    pv_zmat A;
    pv_zmat_init(&A, k, nk);
    double *guess = pv_malloc((size_t)nk * sizeof *guess);
    for (int c = 0; c < nk; c++) {
        for (int j = 0; j < k; j++)
            mpz_set(PV_Z(&A, j, c), R->g[(size_t)K[c] * k + j]);
        guess[c] = y[K[c]] / norm[K[c]] / (ymax / norm[K[0]]);
    }
    mpq_t *x = pv_qvec_new(nk);
    int ok = pv_zmat_solve_guided(&A, NULL, guess, x) == 0;
    int support = 0;
    mpq_set_ui(hy, 0, 1);
    mpq_t t;
    mpq_init(t);
    for (int c = 0; ok && c < nk; c++) {
        if (mpq_sgn(x[c]) < 0)
            ok = 0;
        else if (mpq_sgn(x[c]) > 0) {
            mpq_set_z(t, R->h[K[c]]);
            mpq_mul(t, t, x[c]);
            mpq_add(hy, hy, t);
            K[support++] = K[c];
        }
    }
    mpq_clear(t);
    pv_qvec_free(x, nk);
    pv_free(guess);
    pv_zmat_clear(&A);
    return ok ? support : 0;
}

/* The float candidate, rounded to a dyadic point: is every live reduced
 * row strictly positive there? Integer arithmetic; on success z holds it.
 * Coarse roundings are tried first (denominators 1, 2, 4, ...), so that a
 * user reads a point like (1/2, -3) rather than 53-bit fractions; the
 * margin of the float search usually leaves room for them. */
/* Is the float candidate zd, rounded to multiples of 2^-s, inside with room
 * to spare by the float rows (G, h)? Only picks which roundings are worth
 * an exact check; decides nothing. */
static int float_inside_at(int n, int k, const double *G, const double *h,
                           const double *zd, int s)
{
    double *zr = pv_malloc(((size_t)k + 1) * sizeof *zr);
    int ok = zr != NULL;
    for (int j = 0; ok && j < k; j++)
        zr[j] = ldexp(nearbyint(ldexp(zd[j], s)), -s);
    for (int i = 0; ok && i < n; i++) {
        double v = h[i];
        for (int j = 0; j < k; j++)
            v += G[(size_t)i * k + j] * zr[j];
        ok = v > 1e-9;
    }
    pv_free(zr);
    return ok;
}

static int strictly_inside(const pv_rrows *R, const double *G, const double *h,
                           const double *zd, mpq_t *z)
{
    static const int shifts[] = { 0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32 };
    int k = R->k, ok = 0;
    mpz_t *Z = pv_zvec_new(k), *V = pv_zvec_new(R->n), delta;
    mpz_init(delta);
    for (int a = 0; a <= (int)(sizeof shifts / sizeof *shifts) && !ok; a++) {
        if (a < (int)(sizeof shifts / sizeof *shifts)) {
            if (!float_inside_at(R->n, k, G, h, zd, shifts[a]) ||
                pv_dyadic_round_at(Z, delta, zd, k, shifts[a]) != 0)
                continue;
        } else if (pv_dyadic_round(Z, delta, zd, k, 50) != 0) {
            break;                    /* not finite: the exact step decides */
        }
        pv_rrows_eval(R, Z, delta, V);
        ok = 1;
        for (int r = 0; r < R->n && ok; r++)
            ok = mpz_sgn(V[r]) > 0;
    }
    for (int j = 0; ok && j < k; j++) {
        mpq_set_num(z[j], Z[j]);
        mpq_set_den(z[j], delta);
        mpq_canonicalize(z[j]);
    }
    mpz_clear(delta);
    pv_zvec_free(Z, (size_t)k);
    pv_zvec_free(V, (size_t)R->n);
    return ok;
}

typedef enum { STEP_POINT, STEP_EMPTY, STEP_FACTOR, STEP_FAIL } step_result;

/* Float search then exact proof. On STEP_POINT z holds the point; on
 * STEP_FACTOR K[0..*nk) the rows to factor out. */
static step_result float_step(const pv_system *S, const pv_rrows *R, mpq_t *z,
                              int *K, int *nk, pv_stats *st)
{
    int n = R->n, k = R->k;
    double *G = pv_malloc(((size_t)n * k + 1) * sizeof *G);
    double *h = pv_malloc((size_t)n * sizeof *h), *norm = pv_malloc((size_t)n * sizeof *norm);
    double *zd = pv_malloc((size_t)k * sizeof *zd), *y = pv_malloc((size_t)n * sizeof *y);
    double t = 0.0;
    pv_rrows_to_double(R, G, h, norm);
    step_result res = STEP_FAIL;
    if (st)
        st->float_lps++;
    if (pv_flp_margin(k, n, G, h, zd, &t, y) == 0) {
        if (t > 0.0 && strictly_inside(R, G, h, zd, z))
            res = STEP_POINT;
        if (res == STEP_FAIL && t < 1e-7) {
            mpq_t hy;
            mpq_init(hy);
            int s = exact_multipliers(R, y, norm, K, hy);
            if (s > 0 && mpq_sgn(hy) < 0)
                res = STEP_EMPTY;
            else if (s > 0 && mpq_sgn(hy) == 0) {
                res = STEP_FACTOR;
                for (int a = 0; a < s; a++)
                    if (S->strict[R->orig[K[a]]])
                        res = STEP_EMPTY;     /* Motzkin */
                *nk = s;
            }
            mpq_clear(hy);
        }
    }
    if (res != STEP_FAIL && st)
        st->float_proofs++;
    pv_free(G);
    pv_free(h);
    pv_free(norm);
    pv_free(zd);
    pv_free(y);
    return res;
}

/* sum_r y_r (g'_r, h'_r): *lin = 1 iff the linear part vanishes; c gets
 * the constant. Our own arithmetic: how cddlib's answers are checked. */
static int combination_vanishes(const pv_rrows *R, mpq_t *const y, mpq_t c)
{
    int k = R->k, ok = 1;
    mpq_t acc, t;
    mpq_inits(acc, t, NULL);
    for (int j = 0; j < k && ok; j++) {
        mpq_set_ui(acc, 0, 1);
        for (int r = 0; r < R->n; r++) {
            if (mpq_sgn(y[r]) == 0 || mpz_sgn(R->g[(size_t)r * k + j]) == 0)
                continue;
            mpq_set_z(t, R->g[(size_t)r * k + j]);
            mpq_mul(t, t, y[r]);
            mpq_add(acc, acc, t);
        }
        ok = mpq_sgn(acc) == 0;
    }
    mpq_set_ui(c, 0, 1);
    for (int r = 0; r < R->n; r++) {
        mpq_set_z(t, R->h[r]);
        mpq_mul(t, t, y[r]);
        mpq_add(c, c, t);
    }
    mpq_clears(acc, t, NULL);
    return ok;
}

/* y >= 0 with sum y = 1, sum y g' = 0 and sum y h' <= 0 (they exist iff
 * no point has every row > 0): a combination over the rows extended by a
 * column of ones, whose target is (0, ..., 0, 1). */
static int dual_multipliers(const pv_rrows *R, mpq_t *y)
{
    int k = R->k, n = R->n;
    mpz_t *g = pv_zvec_new(n * (k + 1)), *tg = pv_zvec_new(k + 1), th;
    for (int r = 0; r < n; r++) {
        for (int j = 0; j < k; j++)
            mpz_set(g[(size_t)r * (k + 1) + j], R->g[(size_t)r * k + j]);
        mpz_set_ui(g[(size_t)r * (k + 1) + k], 1);
    }
    mpz_set_ui(tg[k], 1);
    mpz_init(th);
    int rc = pv_xlp_combination(k + 1, n, g, R->h, NULL, tg, th, 0, y);
    mpz_clear(th);
    pv_zvec_free(g, (size_t)n * (k + 1));
    pv_zvec_free(tg, (size_t)k + 1);
    return rc;
}

/* The same decision by cddlib's exact LPs — each answer re-proved here:
 * a point is checked row by row; otherwise the multipliers y >= 0 with
 * sum y g' = 0 are checked, and h'.y < 0 proves emptiness (Farkas), h'.y =
 * 0 proves the rows of their support implicit equalities. */
static step_result exact_step(const pv_system *S, const pv_rrows *R, mpq_t *z,
                              int *K, int *nk, pv_stats *st)
{
    mpq_t t;
    mpq_init(t);
    if (st)
        st->exact_lps++;
    step_result res = STEP_FAIL;
    int rc = pv_xlp_margin(R->k, R->n, R->g, R->h, NULL, t, z);
    if (rc == PV_XLP_OPTIMAL && mpq_sgn(t) > 0) {
        mpz_t *Z = pv_zvec_new(R->k), *V = pv_zvec_new(R->n), delta;
        mpz_init_set_ui(delta, 1);
        for (int j = 0; j < R->k; j++)
            mpz_lcm(delta, delta, mpq_denref(z[j]));
        for (int j = 0; j < R->k; j++) {
            mpz_divexact(Z[j], delta, mpq_denref(z[j]));
            mpz_mul(Z[j], Z[j], mpq_numref(z[j]));
        }
        pv_rrows_eval(R, Z, delta, V);
        res = STEP_POINT;
        for (int r = 0; r < R->n; r++)
            if (mpz_sgn(V[r]) <= 0)
                res = STEP_FAIL;
        mpz_clear(delta);
        pv_zvec_free(Z, (size_t)R->k);
        pv_zvec_free(V, (size_t)R->n);
    } else if (rc == PV_XLP_OPTIMAL) {
        mpq_t *y = pv_qvec_new(R->n);
        if (st)
            st->exact_lps++;
        int ok = dual_multipliers(R, y) == PV_XLP_OPTIMAL;
        *nk = 0;
        for (int r = 0; ok && r < R->n; r++) {
            ok = mpq_sgn(y[r]) >= 0;
            if (mpq_sgn(y[r]) > 0)
                K[(*nk)++] = r;
        }
        if (ok && *nk > 0 && combination_vanishes(R, y, t)) {
            res = mpq_sgn(t) < 0 ? STEP_EMPTY : mpq_sgn(t) == 0 ? STEP_FACTOR : STEP_FAIL;
            for (int a = 0; res == STEP_FACTOR && a < *nk; a++)
                if (S->strict[R->orig[K[a]]])
                    res = STEP_EMPTY;          /* Motzkin */
        }
        pv_qvec_free(y, R->n);
    }
    mpq_clear(t);
    return res;
}

/* Final proof against the original rows: implicit rows vanish, all others
 * are strictly positive at the point. */
static int check_point(const pv_system *S, const unsigned char *status,
                       mpq_t *const x)
{
    mpq_t v;
    mpq_init(v);
    int ok = 1;
    for (int i = 0; i < S->nrows && ok; i++) {
        pv_system_row_value(v, S, i, x);
        ok = status[i] == IMPLICIT ? mpq_sgn(v) == 0 : mpq_sgn(v) > 0;
    }
    mpq_clear(v);
    return ok;
}

static void finish(pv_dimension *D, frame *F, mpq_t *z)
{
    D->dim = F->k;
    D->point = pv_qvec_new(F->m);
    pv_frame_apply(D->point, F->m, F->k, F->p0, F->U, z);
    D->U = F->U;                       /* ownership moves to D */
    F->U = NULL;
    for (int i = 0; i < D->nrows; i++)
        D->implicit[i] = F->status[i] == IMPLICIT;
}

static pv_status system_dimension(const pv_system *S, pv_dimension *D,
                                  pv_stats *st, pv_error *err)
{
    int m = S->dim;
    pv_dimension_init(D);
    D->m = m;
    D->nrows = S->nrows;
    D->implicit = pv_calloc((size_t)S->nrows + 1, 1);
    frame F = { m, m, pv_qvec_new(m), NULL, pv_calloc((size_t)S->nrows + 1, 1) };
    int *K = pv_malloc((size_t)(S->nrows + 1) * sizeof *K);
    pv_status rc = PV_OK;
    int done = factor_out_forced(S, &F, K);        /* 1: empty */
    while (!done) {
        pv_rrows R;
        build_live(&R, S, &F);
        int settled = settle_constants(S, &F, &R);
        if (settled < 0) {
            pv_rrows_clear(&R);
            break;                                  /* empty */
        }
        if (settled > 0) {
            pv_rrows_clear(&R);
            build_live(&R, S, &F);                  /* without constants */
        }
        mpq_t *z = pv_qvec_new(F.k);
        step_result s = STEP_POINT;
        int nk = 0;
        if (R.n > 0 && F.k > 0) {
            s = float_step(S, &R, z, K, &nk, st);
            if (s == STEP_FAIL)
                s = exact_step(S, &R, z, K, &nk, st);
        }
        if (s == STEP_FACTOR) {
            for (int a = 0; a < nk; a++)
                F.status[R.orig[K[a]]] = IMPLICIT;
            if (factor_out(&F, &R, K, nk))
                done = 1;                           /* empty */
        } else if (s == STEP_POINT) {
            /* In the first frame strictly_inside has just proved S's own
             * rows (positive multiples) at this very point. */
            int first_frame = F.U == NULL;
            finish(D, &F, z);
            if (!first_frame && !check_point(S, F.status, D->point))
                rc = pv_error_set(err, PV_ERR_INTERNAL,
                                  "interior point failed its exact check");
            done = 1;
        } else if (s == STEP_EMPTY) {
            done = 1;
        } else {
            rc = pv_error_set(err, PV_ERR_SOLVER,
                              "exact LP failed to decide a cell");
            done = 1;
        }
        pv_qvec_free(z, R.k);
        pv_rrows_clear(&R);
    }
    if (rc != PV_OK)
        pv_dimension_clear(D);        /* frees what finish() handed over */
    else if (D->dim < 0)
        memset(D->implicit, 0, (size_t)S->nrows);
    pv_free(K);
    pv_zvec_free(F.U, (size_t)m * F.k);
    pv_qvec_free(F.p0, m);
    pv_free(F.status);
    return rc;
}

pv_status pv_dimension_compute(pv_dimension *D, const pv_system *S,
                               pv_stats *st, pv_error *err)
{
    pv_dimension_clear(D);     /* the caller's content is replaced */
    return pv__system_dimension(S, D, st, err);
}

pv_status pv__system_dimension(const pv_system *S, pv_dimension *D,
                              pv_stats *st, pv_error *err)
{
    PV_GUARD(err, system_dimension(S, D, st, err), pv_dimension_init(D));
}

/* Every row of S strictly positive at x = X / delta: the signs of
 * delta (g.x + h), in integers (pv_rrows_eval on S's own rows). */
static int interior_at(const pv_system *S, mpq_t *const x)
{
    int m = S->dim, n = S->nrows, ok = 1;
    for (int i = 0; i < n && ok; i++)
        ok = !(S->eq && S->eq[i]);          /* an equality is never > 0 */
    if (!ok)
        return 0;
    int *rows = pv_malloc(((size_t)n + 1) * sizeof *rows);
    for (int i = 0; i < n; i++)
        rows[i] = i;
    pv_rrows R;
    pv_rrows_build(&R, S, rows, n, NULL, NULL, m);   /* a view of S's rows */
    mpz_t delta;
    mpz_init(delta);
    mpz_t *X = pv_zvec_new(m), *V = pv_zvec_new(n);
    pv_qvec_common(X, delta, x, m);
    pv_rrows_eval(&R, X, delta, V);
    for (int i = 0; i < n && ok; i++)
        ok = mpz_sgn(V[i]) > 0;
    pv_zvec_free(V, (size_t)n);
    pv_zvec_free(X, (size_t)m);
    mpz_clear(delta);
    pv_rrows_clear(&R);
    pv_free(rows);
    return ok;
}

static pv_status system_dimension_at(const pv_system *S, mpq_t *const x,
                                     pv_dimension *D, pv_stats *st,
                                     pv_error *err)
{
    if (!x || !interior_at(S, x))
        return system_dimension(S, D, st, err);
    pv_dimension_init(D);            /* an interior point: dim = m, no LP */
    D->m = S->dim;
    D->nrows = S->nrows;
    D->dim = S->dim;
    D->implicit = pv_calloc((size_t)S->nrows + 1, 1);
    D->point = pv_qvec_copy(x, S->dim);
    return PV_OK;
}

pv_status pv__system_dimension_at(const pv_system *S, mpq_t *const x,
                                  pv_dimension *D, pv_stats *st, pv_error *err)
{
    PV_GUARD(err, system_dimension_at(S, x, D, st, err), pv_dimension_init(D));
}
