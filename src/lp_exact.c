/* polyverify — exact LP decisions with cddlib's GMP-rational build.
 *
 * cddlib reads rows [b, A] as b + A x >= 0 and, in its GMPRATIONAL build,
 * every number is an mpq_t. It keeps a few global constants that must be
 * set once; that is the only process-wide state touched, set exactly once
 * under pthread_once. */
#include "lp.h"

#include <pthread.h>
#include <stdlib.h>
#include <cddlib/setoper.h>
#include <cddlib/cdd.h>

static pthread_once_t cdd_once = PTHREAD_ONCE_INIT;
static void cdd_init(void) { dd_set_global_constants(); }

/* Matrix with the active rows of (h, g) and `extra` spare rows after them;
 * columns: constant, z_1..z_k and `tcols` extra variables (zero here). */
static dd_MatrixPtr make_matrix(int k, int n, mpz_t *g, mpz_t *h,
                                const unsigned char *active, int skip,
                                int extra, int tcols, int *nrows)
{
    int r = 0;
    for (int i = 0; i < n; i++)
        if ((!active || active[i]) && i != skip)
            r++;
    dd_MatrixPtr M = dd_CreateMatrix(r + extra, k + 1 + tcols);
    M->representation = dd_Inequality;
    M->numbtype = dd_Rational;
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
    dd_LPPtr lp = dd_Matrix2LP(M, &err);
    if (!lp || err != dd_NoError) {
        if (lp)
            dd_FreeLPData(lp);
        return PV_XLP_ERROR;
    }
    dd_LPSolve(lp, dd_DualSimplex, &err);
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
    dd_FreeLPData(lp);
    return rc;
}

int pv_xlp_margin(int k, int n, mpz_t *g, mpz_t *h,
                  const unsigned char *active, mpq_t t, mpq_t *z)
{
    pthread_once(&cdd_once, cdd_init);
    int r;
    dd_MatrixPtr M = make_matrix(k, n, g, h, active, -1, 1, 1, &r);
    for (int i = 0; i < r; i++)                 /* g z + h - t >= 0 */
        mpq_set_si(M->matrix[i][k + 1], -1, 1);
    mpq_set_si(M->matrix[r][0], 1, 1);          /* 1 - t >= 0       */
    mpq_set_si(M->matrix[r][k + 1], -1, 1);
    M->objective = dd_LPmax;
    mpq_set_si(M->rowvec[k + 1], 1, 1);
    mpq_t *zz = malloc((size_t)(k + 1) * sizeof(mpq_t));
    for (int j = 0; j <= k; j++)
        mpq_init(zz[j]);
    int rc = solve(M, t, zz, k + 1);
    if (rc == PV_XLP_OPTIMAL)
        for (int j = 0; j < k; j++)
            mpq_set(z[j], zz[j]);
    for (int j = 0; j <= k; j++)
        mpq_clear(zz[j]);
    free(zz);
    dd_FreeMatrix(M);
    return rc;
}

int pv_xlp_implicit(int k, int n, mpz_t *g, mpz_t *h,
                    const unsigned char *active, unsigned char *flags)
{
    pthread_once(&cdd_once, cdd_init);
    int r;
    dd_MatrixPtr M = make_matrix(k, n, g, h, active, -1, 0, 0, &r);
    dd_ErrorType err = dd_NoError;
    dd_rowset L = dd_ImplicitLinearityRows(M, &err);
    int rc = err == dd_NoError ? PV_XLP_OPTIMAL : PV_XLP_ERROR;
    if (rc == PV_XLP_OPTIMAL) {
        int row = 0;
        for (int i = 0; i < n; i++) {
            if (active && !active[i])
                continue;
            flags[i] = set_member(row + 1, L) ? 1 : 0;
            row++;
        }
    }
    set_free(L);
    dd_FreeMatrix(M);
    return rc;
}

int pv_xlp_min_row(int k, int n, mpz_t *g, mpz_t *h,
                   const unsigned char *active, int i, mpq_t value, mpq_t *z)
{
    pthread_once(&cdd_once, cdd_init);
    int r;
    dd_MatrixPtr M = make_matrix(k, n, g, h, active, i, 1, 0, &r);
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
    dd_FreeMatrix(M);
    return rc;
}

int pv_xlp_recession(int k, int n, mpz_t *g, const unsigned char *active,
                     mpq_t value, mpq_t *d)
{
    pthread_once(&cdd_once, cdd_init);
    mpz_t *zero = malloc((size_t)(n ? n : 1) * sizeof(mpz_t));
    for (int i = 0; i < n; i++)
        mpz_init(zero[i]);
    int r;
    dd_MatrixPtr M = make_matrix(k, n, g, zero, active, -1, 2 * k, 0, &r);
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
    dd_FreeMatrix(M);
    for (int i = 0; i < n; i++)
        mpz_clear(zero[i]);
    free(zero);
    return rc;
}

int pv_xlp_find(int nvar, int nrows, int neq, mpq_t *const A, mpq_t *const b,
                mpq_t *x)
{
    pthread_once(&cdd_once, cdd_init);
    dd_MatrixPtr M = dd_CreateMatrix(nrows, nvar + 1);
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
    dd_FreeMatrix(M);
    return rc;
}
