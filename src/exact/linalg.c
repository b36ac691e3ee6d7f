/* polyverify — exact integer linear algebra (see linalg.h). */
#include "core/alloc.h"
#include "exact/linalg.h"

#include <math.h>
#include <stdlib.h>

void pv_zmat_init(pv_zmat *M, int rows, int cols)
{
    size_t n = (size_t)rows * (size_t)cols;
    M->rows = rows;
    M->cols = cols;
    M->a = pv_malloc((n ? n : 1) * sizeof(mpz_t));
    for (size_t i = 0; i < n; i++)
        mpz_init(M->a[i]);
}

void pv_zmat_clear(pv_zmat *M)
{
    size_t n = (size_t)M->rows * (size_t)M->cols;
    for (size_t i = 0; i < n; i++)
        mpz_clear(M->a[i]);
    pv_free(M->a);
    M->a = NULL;
    M->rows = M->cols = 0;
}

void pv_zvec_primitive(mpz_t *v, int n)
{
    mpz_t g;
    mpz_init(g);
    for (int j = 0; j < n && mpz_cmp_ui(g, 1) != 0; j++)
        mpz_gcd(g, g, v[j]);
    if (mpz_sgn(g) != 0 && mpz_cmp_ui(g, 1) != 0)
        for (int j = 0; j < n; j++)
            mpz_divexact(v[j], v[j], g);
    mpz_clear(g);
}

/* Row r := piv*row_r - f*row_p, then made primitive. Column c becomes 0. */
static void eliminate(pv_zmat *M, int r, int p, int c, mpz_t t)
{
    mpz_t f, piv;
    mpz_init_set(f, PV_Z(M, r, c));
    mpz_init_set(piv, PV_Z(M, p, c));
    for (int j = 0; j < M->cols; j++) {
        mpz_mul(t, PV_Z(M, r, j), piv);
        mpz_submul(t, f, PV_Z(M, p, j));
        mpz_swap(PV_Z(M, r, j), t);
    }
    pv_zvec_primitive(&PV_Z(M, r, 0), M->cols);
    mpz_clear(f);
    mpz_clear(piv);
}

static void swap_rows(pv_zmat *M, int a, int b)
{
    if (a == b)
        return;
    for (int j = 0; j < M->cols; j++)
        mpz_swap(PV_Z(M, a, j), PV_Z(M, b, j));
}

int pv_zmat_rref(pv_zmat *M, int *pivcol)
{
    int rank = 0;
    mpz_t t;
    mpz_init(t);
    for (int c = 0; c < M->cols && rank < M->rows; c++) {
        /* Smallest non-zero entry as pivot keeps the numbers small. */
        int best = -1;
        for (int r = rank; r < M->rows; r++)
            if (mpz_sgn(PV_Z(M, r, c)) != 0 &&
                (best < 0 || mpz_cmpabs(PV_Z(M, r, c), PV_Z(M, best, c)) < 0))
                best = r;
        if (best < 0)
            continue;
        swap_rows(M, rank, best);
        if (mpz_sgn(PV_Z(M, rank, c)) < 0)
            for (int j = 0; j < M->cols; j++)
                mpz_neg(PV_Z(M, rank, j), PV_Z(M, rank, j));
        pv_zvec_primitive(&PV_Z(M, rank, 0), M->cols);
        for (int r = 0; r < M->rows; r++)
            if (r != rank && mpz_sgn(PV_Z(M, r, c)) != 0)
                eliminate(M, r, rank, c, t);
        pivcol[rank++] = c;
    }
    mpz_clear(t);
    return rank;
}

void pv_zmat_rref_rational(mpq_t *q, const pv_zmat *M, const int *pivcol,
                           int rank)
{
    int C = M->cols;
    for (int r = 0; r < rank; r++)
        for (int j = 0; j < C; j++) {
            mpq_t *e = &q[(size_t)r * (size_t)C + (size_t)j];
            mpz_set(mpq_numref(*e), PV_Z(M, r, j));
            mpz_set(mpq_denref(*e), PV_Z(M, r, pivcol[r]));  /* > 0 */
            mpq_canonicalize(*e);
        }
}

/* Arithmetic modulo the Mersenne prime 2^31 - 1: products of two residues
 * fit in 62 bits and reduce with shifts, no division. */
#define P31 2147483647ULL

static uint64_t red31(uint64_t x)
{
    x = (x & P31) + (x >> 31);
    x = (x & P31) + (x >> 31);
    return x >= P31 ? x - P31 : x;
}

static uint64_t inv31(uint64_t a)
{
    uint64_t r = 1, e = P31 - 2;
    for (; e; e >>= 1, a = red31(a * a))
        if (e & 1)
            r = red31(r * a);
    return r;
}

int pv_zmat_rank_mod_p(const pv_zmat *M)
{
    int R = M->rows, C = M->cols, rank = 0;
    uint64_t *a = pv_malloc(((size_t)R * C + 1) * sizeof *a);
    for (size_t i = 0; i < (size_t)R * C; i++)
        a[i] = mpz_fdiv_ui(M->a[i], P31);
    for (int c = 0; c < C && rank < R; c++) {
        int piv = -1;
        for (int r = rank; r < R && piv < 0; r++)
            if (a[(size_t)r * C + c])
                piv = r;
        if (piv < 0)
            continue;
        uint64_t *pr = &a[(size_t)piv * C], *rr = &a[(size_t)rank * C];
        for (int j = 0; j < C; j++) {
            uint64_t t = pr[j];
            pr[j] = rr[j];
            rr[j] = t;
        }
        uint64_t inv = inv31(rr[c]);
        for (int r = rank + 1; r < R; r++) {
            uint64_t *row = &a[(size_t)r * C];
            if (!row[c])
                continue;
            uint64_t f = P31 - red31(row[c] * inv);      /* -row[c]/piv */
            for (int j = c; j < C; j++)
                row[j] = red31(row[j] + f * rr[j]);
        }
        rank++;
    }
    pv_free(a);
    return rank;
}

int pv_mpq_set_double(mpq_t q, double x)
{
    /* mpz_set_d raises SIGFPE on Inf/NaN (DESIGN §2: a float that is not
     * finite never reaches GMP; the caller takes the exact path). */
    if (!isfinite(x)) {
        mpq_set_ui(q, 0, 1);
        return -1;
    }
    int e;
    double m = frexp(x, &e);            /* x = m * 2^e, 0.5 <= |m| < 1 */
    mpz_t num;
    mpz_init(num);
    mpz_set_d(num, ldexp(m, 53));       /* exact: 53-bit integer       */
    e -= 53;
    mpq_set_z(q, num);
    if (e > 0)
        mpq_mul_2exp(q, q, (mp_bitcnt_t)e);
    else if (e < 0)
        mpq_div_2exp(q, q, (mp_bitcnt_t)-e);
    mpz_clear(num);
    return 0;
}

double pv_mpz_get_d_scaled(const mpz_t z, long shift)
{
    long e;
    double m = mpz_get_d_2exp(&e, z);   /* z ~ m * 2^e */
    return ldexp(m, (int)(e - shift));
}

/* Free variables x_j := guess_j exactly; -1 if a guess is not finite. */
static int set_free_from_guess(mpq_t *x, const unsigned char *is_piv, int C,
                               const double *guess)
{
    for (int j = 0; j < C; j++)
        if (!is_piv[j] && pv_mpq_set_double(x[j], guess ? guess[j] : 0.0) != 0)
            return -1;
    return 0;
}

/* Back substitution: piv_r x_p + sum_free M[r][f] x_f = M[r][C]. */
static void solve_pivots(const pv_zmat *M, const int *piv, int rank,
                         const unsigned char *is_piv, mpq_t *x)
{
    int C = M->cols - 1;
    mpq_t acc, t;
    mpq_init(acc);
    mpq_init(t);
    for (int r = 0; r < rank; r++) {
        mpq_set_z(acc, PV_Z(M, r, C));
        for (int j = 0; j < C; j++) {
            if (is_piv[j] || mpz_sgn(PV_Z(M, r, j)) == 0)
                continue;
            mpq_set_z(t, PV_Z(M, r, j));
            mpq_mul(t, t, x[j]);
            mpq_sub(acc, acc, t);
        }
        mpq_set_z(t, PV_Z(M, r, piv[r]));
        mpq_div(x[piv[r]], acc, t);
    }
    mpq_clear(acc);
    mpq_clear(t);
}

int pv_zmat_solve_guided(const pv_zmat *A, mpz_t *const b,
                         const double *guess, mpq_t *x)
{
    int R = A->rows, C = A->cols;
    pv_zmat M;
    pv_zmat_init(&M, R, C + 1);
    for (int i = 0; i < R; i++) {
        for (int j = 0; j < C; j++)
            mpz_set(PV_Z(&M, i, j), PV_Z(A, i, j));
        if (b)
            mpz_set(PV_Z(&M, i, C), b[i]);
    }
    int *piv = pv_malloc((size_t)(R + 1) * sizeof *piv);
    int rank = pv_zmat_rref(&M, piv);
    int rc = 0;
    if (rank > 0 && piv[rank - 1] == C)
        rc = -1;                       /* a row 0 = non-zero */
    unsigned char *is_piv = pv_calloc((size_t)C + 1, 1);
    for (int r = 0; r < rank; r++)
        is_piv[piv[r]] = 1;
    if (rc == 0 && set_free_from_guess(x, is_piv, C, guess) != 0)
        rc = -2;                       /* the float search overflowed */
    if (rc == 0)
        solve_pivots(&M, piv, rank, is_piv, x);
    pv_free(is_piv);
    pv_free(piv);
    pv_zmat_clear(&M);
    return rc;
}

mpq_t *pv_qvec_new(int n)
{
    size_t len = n > 0 ? (size_t)n : 1;
    mpq_t *v = pv_malloc(len * sizeof(mpq_t));
    for (int i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

void pv_qvec_free(mpq_t *v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        mpq_clear(v[i]);
    pv_free(v);
}

mpq_t *pv_qvec_copy(mpq_t *const x, int n)
{
    mpq_t *v = pv_qvec_new(n);
    for (int i = 0; i < n; i++)
        mpq_set(v[i], x[i]);
    return v;
}

void pv_qvec_common(mpz_t *Z, mpz_t delta, mpq_t *const v, int n)
{
    mpz_set_ui(delta, 1);
    for (int j = 0; j < n; j++)
        mpz_lcm(delta, delta, mpq_denref(v[j]));
    for (int j = 0; j < n; j++) {
        mpz_divexact(Z[j], delta, mpq_denref(v[j]));
        mpz_mul(Z[j], Z[j], mpq_numref(v[j]));
    }
}

mpz_t *pv_zvec_new(int n)
{
    size_t len = n > 0 ? (size_t)n : 1;
    mpz_t *v = pv_malloc(len * sizeof(mpz_t));
    for (int i = 0; i < n; i++)
        mpz_init(v[i]);
    return v;
}

void pv_zvec_free(mpz_t *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        mpz_clear(v[i]);
    pv_free(v);
}
