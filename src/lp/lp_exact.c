/* polyverify — exact LP decisions with cddlib's GMP-rational build.
 *
 * cddlib reads rows [b, A] as b + A x >= 0 and, in its GMPRATIONAL build,
 * every number is an mpq_t. It keeps a few global constants that must be
 * set once (under pthread_once), and its simplex keeps static work arrays
 * (so it runs under a lock: one exact LP at a time in the process).
 *
 * Which solver: dd_LPSolve first runs a double-precision copy of the LP
 * (ddf_*) and only then checks or redoes its basis in GMP. That float phase
 * is where cddlib 0.94m reads and writes out of bounds (valgrind: invalid
 * read/write in ddf_GaussianColumnPivot; glibc: "munmap_chunk(): invalid
 * pointer") on near-degenerate LPs — two rows 2^-61 apart, see
 * tests/nets/cdd_near_parallel*.pvnet — and it turns entries beyond the
 * double range into Inf. dd_LPSolve0 runs the same method in GMP
 * arithmetic only: every zero test is exact, so the basis bookkeeping the
 * float phase corrupts stays consistent. The method is the dual simplex
 * (lexicographic rule; on cycling cddlib switches to criss-cross, which is
 * finite in exact arithmetic). Criss-cross as the first choice would do as
 * well but leaks 16 bytes a pivot in 0.94m (dd_SelectCrissCrossPivot:
 * LeakSanitizer). Every answer is still re-proved by the caller
 * (geometry.c, facets.c), as before.
 *
 * Out of memory (alloc.h, memory.h). cddlib's numbers are GMP's, so they
 * are allocated through alloc.c; its own arrays come from calloc, out of
 * sight. Each matrix and LP is registered as a cleanup while it exists.
 * The cddlib calls run as foreign sections: matrix and LP construction
 * tracked (their numbers are freed by an unwinding, their arrays by the
 * cleanup), the simplex untracked, since it keeps GMP numbers in static
 * work arrays from one call to the next, which an unwinding must neither
 * free nor leave half-built. The global constants are made once,
 * untracked too: they live as long as the process. */
#include "core/alloc.h"
#include "lp/lp.h"
#include "polyverify/memory.h"

#include <pthread.h>
#include <stdlib.h>
#include <cddlib/setoper.h>
#include <cddlib/cdd.h>

static pthread_once_t cdd_once = PTHREAD_ONCE_INIT;
/* cddlib's simplex keeps its work arrays in static variables: one LP at a
 * time in the process (threads: core/parallel.c). The float search, where
 * most of the work is, runs in parallel (GLPK keeps its state per thread). */
static pthread_mutex_t cdd_simplex = PTHREAD_MUTEX_INITIALIZER;
static void cdd_constants(void) { dd_set_global_constants(); }

static void cdd_init(void)
{
    pv_foreign f;
    pv_foreign_begin(&f, 0);
    pthread_once(&cdd_once, cdd_constants);
    pv_foreign_end(&f);
}

/* An unwinding frees a matrix's numbers itself (they were allocated in the
 * scope), and one of them may be half-written by the interrupted GMP call:
 * each entry is emptied (no digits: mpq_clear frees nothing) before
 * cddlib frees the arrays. Without alloc.c's GMP functions no GMP call
 * unwinds and nothing is tracked: cddlib frees everything. */
static void forget_entry(mpq_ptr q)
{
    mpq_numref(q)->_mp_alloc = mpq_denref(q)->_mp_alloc = 0;
    mpq_numref(q)->_mp_d = mpq_denref(q)->_mp_d = NULL;
}

static void matrix_unwind(void *obj)
{
    dd_MatrixPtr M = obj;
    if (pv_memory_gmp_installed()) {
        long rows = M->rowsize > 0 ? M->rowsize : 1;
        long cols = M->colsize > 0 ? M->colsize : 1;
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < cols; j++)
                forget_entry(M->matrix[i][j]);
        for (long j = 0; j < cols; j++)
            forget_entry(M->rowvec[j]);
    }
    dd_FreeMatrix(M);
}

/* A cddlib matrix with its cleanup record. */
typedef struct xmatrix {
    dd_MatrixPtr M;
    pv_cleanup unwind;
} xmatrix;

static dd_MatrixPtr matrix_new(xmatrix *X, int rows, int cols)
{
    pv_foreign f;
    pv_foreign_begin(&f, 1);
    X->M = dd_CreateMatrix(rows, cols);
    pv_cleanup_push(&X->unwind, matrix_unwind, X->M);
    pv_foreign_end(&f);
    return X->M;
}

static void matrix_free(xmatrix *X)
{
    pv_cleanup_pop(&X->unwind);
    dd_FreeMatrix(X->M);
}

static void lp_unwind(void *lp)
{
    dd_FreeLPData(lp);
}

/* Matrix with the active rows of (h, g) and `extra` spare rows after them;
 * columns: constant, z_1..z_k and `tcols` extra variables (zero here). */
static dd_MatrixPtr make_matrix(xmatrix *X, int k, int n, mpz_t *g, mpz_t *h,
                                const unsigned char *active, int skip,
                                int extra, int tcols, int *nrows)
{
    int r = 0;
    for (int i = 0; i < n; i++)
        if ((!active || active[i]) && i != skip)
            r++;
    dd_MatrixPtr M = matrix_new(X, r + extra, k + 1 + tcols);
    M->representation = dd_Inequality;
    M->numbtype = dd_Rational;
    /* Integer rows as they are: the solver below has no float phase that a
     * large entry could overflow, and integers keep its pivots cheap. */
    r = 0;
    for (int i = 0; i < n; i++) {
        if ((active && !active[i]) || i == skip)
            continue;
        mpq_set_z(M->matrix[r][0], h[i]);
        for (int j = 0; j < k; j++)
            mpq_set_z(M->matrix[r][j + 1], g[(size_t)i * k + j]);
        r++;
    }
    *nrows = r;
    return M;
}

static int solve(dd_MatrixPtr M, mpq_t value, mpq_t *z, int k)
{
    dd_ErrorType err = dd_NoError;
    pv_foreign f;
    pv_cleanup unwind;
    pv_foreign_begin(&f, 1);
    dd_LPPtr lp = dd_Matrix2LP(M, &err);
    if (lp)
        pv_cleanup_push(&unwind, lp_unwind, lp);
    pv_foreign_end(&f);
    if (!lp || err != dd_NoError) {
        if (lp) {
            pv_cleanup_pop(&unwind);
            dd_FreeLPData(lp);
        }
        return PV_XLP_ERROR;
    }
    pv_foreign_begin(&f, 0);
    pthread_mutex_lock(&cdd_simplex);
    dd_LPSolve0(lp, dd_DualSimplex, &err);     /* GMP only: see the top */
    pthread_mutex_unlock(&cdd_simplex);
    pv_foreign_end(&f);
    int rc = PV_XLP_ERROR;
    if (err == dd_NoError) {
        switch (lp->LPS) {
        case dd_Optimal:
            rc = PV_XLP_OPTIMAL;
            mpq_set(value, lp->optvalue);
            for (int j = 0; j < k; j++)
                mpq_set(z[j], lp->sol[j + 1]);
            break;
        case dd_Inconsistent:
        case dd_StrucInconsistent:
            rc = PV_XLP_INFEASIBLE;
            break;
        case dd_DualInconsistent:
        case dd_StrucDualInconsistent:
            rc = PV_XLP_UNBOUNDED;
            break;
        default:
            break;
        }
    }
    pv_cleanup_pop(&unwind);
    dd_FreeLPData(lp);
    return rc;
}

int pv_xlp_margin(int k, int n, mpz_t *g, mpz_t *h,
                  const unsigned char *active, mpq_t t, mpq_t *z)
{
    cdd_init();
    int r;
    xmatrix X;
    dd_MatrixPtr M = make_matrix(&X, k, n, g, h, active, -1, 1, 1, &r);
    for (int i = 0; i < r; i++)                 /* g z + h - t >= 0 */
        mpq_set_si(M->matrix[i][k + 1], -1, 1);
    mpq_set_si(M->matrix[r][0], 1, 1);          /* 1 - t >= 0       */
    mpq_set_si(M->matrix[r][k + 1], -1, 1);
    M->objective = dd_LPmax;
    mpq_set_si(M->rowvec[k + 1], 1, 1);
    mpq_t *zz = pv_malloc((size_t)(k + 1) * sizeof(mpq_t));
    for (int j = 0; j <= k; j++)
        mpq_init(zz[j]);
    int rc = solve(M, t, zz, k + 1);
    if (rc == PV_XLP_OPTIMAL)
        for (int j = 0; j < k; j++)
            mpq_set(z[j], zz[j]);
    for (int j = 0; j <= k; j++)
        mpq_clear(zz[j]);
    pv_free(zz);
    matrix_free(&X);
    return rc;
}

int pv_xlp_min_row(int k, int n, mpz_t *g, mpz_t *h,
                   const unsigned char *active, int i, mpq_t value, mpq_t *z)
{
    cdd_init();
    int r;
    xmatrix X;
    dd_MatrixPtr M = make_matrix(&X, k, n, g, h, active, i, 1, 0, &r);
    /* g_i z + h_i + 1 >= 0 keeps the minimum finite: a facet shows as a
     * negative minimum, a redundant row as a minimum >= 0. */
    mpq_set_z(M->matrix[r][0], h[i]);
    mpq_add(M->matrix[r][0], M->matrix[r][0], dd_one);
    for (int j = 0; j < k; j++)
        mpq_set_z(M->matrix[r][j + 1], g[(size_t)i * k + j]);
    M->objective = dd_LPmin;
    mpq_set_z(M->rowvec[0], h[i]);
    for (int j = 0; j < k; j++)
        mpq_set_z(M->rowvec[j + 1], g[(size_t)i * k + j]);
    int rc = solve(M, value, z, k);
    matrix_free(&X);
    return rc;
}

int pv_xlp_recession(int k, int n, mpz_t *g, const unsigned char *active,
                     mpq_t value, mpq_t *d)
{
    cdd_init();
    mpz_t *zero = pv_malloc((size_t)(n ? n : 1) * sizeof(mpz_t));
    for (int i = 0; i < n; i++)
        mpz_init(zero[i]);
    int r;
    xmatrix X;
    dd_MatrixPtr M = make_matrix(&X, k, n, g, zero, active, -1, 2 * k, 0, &r);
    for (int j = 0; j < k; j++) {               /* 1 -+ d_j >= 0 */
        mpq_set_si(M->matrix[r + 2 * j][0], 1, 1);
        mpq_set_si(M->matrix[r + 2 * j][j + 1], -1, 1);
        mpq_set_si(M->matrix[r + 2 * j + 1][0], 1, 1);
        mpq_set_si(M->matrix[r + 2 * j + 1][j + 1], 1, 1);
    }
    M->objective = dd_LPmax;
    for (int i = 0; i < n; i++) {
        if (active && !active[i])
            continue;
        for (int j = 0; j < k; j++) {
            mpq_t c;
            mpq_init(c);
            mpq_set_z(c, g[(size_t)i * k + j]);
            mpq_add(M->rowvec[j + 1], M->rowvec[j + 1], c);
            mpq_clear(c);
        }
    }
    int rc = solve(M, value, d, k);
    matrix_free(&X);
    for (int i = 0; i < n; i++)
        mpz_clear(zero[i]);
    pv_free(zero);
    return rc;
}

int pv_xlp_find(int nvar, int nrows, int neq, mpq_t *const A, mpq_t *const b,
                mpq_t *x)
{
    cdd_init();
    xmatrix X;
    dd_MatrixPtr M = matrix_new(&X, nrows, nvar + 1);
    M->representation = dd_Inequality;
    M->numbtype = dd_Rational;
    for (int i = 0; i < nrows; i++) {
        mpq_set(M->matrix[i][0], b[i]);
        for (int j = 0; j < nvar; j++)
            mpq_set(M->matrix[i][j + 1], A[(size_t)i * nvar + j]);
        if (i < neq)
            set_addelem(M->linset, i + 1);
    }
    M->objective = dd_LPmax;             /* zero objective: feasibility */
    mpq_t v;
    mpq_init(v);
    int rc = solve(M, v, x, nvar);
    if (rc == PV_XLP_UNBOUNDED)
        rc = PV_XLP_ERROR;
    mpq_clear(v);
    matrix_free(&X);
    return rc;
}

int pv_xlp_combination(int k, int n, mpz_t *g, mpz_t *h,
                       const unsigned char *active, mpz_t *const tg,
                       const mpz_t th, int lb, mpq_t *y)
{
    int na = 0, withh = h && th;
    for (int i = 0; i < n; i++)
        na += !active || active[i];
    int *idx = pv_malloc((size_t)(na + 1) * sizeof *idx);
    for (int i = 0, a = 0; i < n; i++)
        if (!active || active[i])
            idx[a++] = i;
    int nrows = k + withh + na;
    mpq_t *A = pv_malloc(((size_t)nrows * (na ? na : 1) + 1) * sizeof(mpq_t));
    mpq_t *b = pv_malloc(((size_t)nrows + 1) * sizeof(mpq_t));
    for (size_t e = 0; e < (size_t)nrows * (na ? na : 1); e++)
        mpq_init(A[e]);
    for (int r = 0; r < nrows; r++)
        mpq_init(b[r]);
    for (int j = 0; j < k; j++)                 /* sum y g - tg = 0   */
        if (tg)
            mpq_set_z(b[j], tg[j]), mpq_neg(b[j], b[j]);
    if (withh)                                  /* th - sum y h >= 0  */
        mpq_set_z(b[k], th);
    for (int a = 0; a < na; a++) {
        int i = idx[a];
        for (int j = 0; j < k; j++)
            mpq_set_z(A[(size_t)j * na + a], g[(size_t)i * k + j]);
        if (withh) {
            mpq_set_z(A[(size_t)k * na + a], h[i]);
            mpq_neg(A[(size_t)k * na + a], A[(size_t)k * na + a]);
        }
        int r = k + withh + a;                  /* y_a - lb >= 0 */
        mpq_set_ui(A[(size_t)r * na + a], 1, 1);
        mpq_set_si(b[r], -lb, 1);
    }
    mpq_t *u = pv_malloc((size_t)(na + 1) * sizeof(mpq_t));
    for (int a = 0; a < na; a++)
        mpq_init(u[a]);
    int rc = na ? pv_xlp_find(na, nrows, k, A, b, u) : PV_XLP_INFEASIBLE;
    for (int i = 0; i < n; i++)
        mpq_set_ui(y[i], 0, 1);
    for (int a = 0; a < na; a++) {
        if (rc == PV_XLP_OPTIMAL)
            mpq_set(y[idx[a]], u[a]);
        mpq_clear(u[a]);
    }
    for (size_t e = 0; e < (size_t)nrows * (na ? na : 1); e++)
        mpq_clear(A[e]);
    for (int r = 0; r < nrows; r++)
        mpq_clear(b[r]);
    pv_free(A);
    pv_free(b);
    pv_free(u);
    pv_free(idx);
    return rc;
}
