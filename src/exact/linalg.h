/* polyverify — exact linear algebra on integer matrices (internal).
 *
 * Matrices are dense, row-major arrays of mpz_t. Row reduction is kept in
 * integers: a pivot step replaces row r by piv*row_r - a*row_p and divides
 * the row by the gcd of its entries, so no rationals are ever formed and
 * entries stay as small as the row's content allows. */
#ifndef PV_LINALG_H
#define PV_LINALG_H

#include <gmp.h>
#include <stdint.h>

typedef struct pv_zmat {
    int rows, cols;
    mpz_t *a;            /* rows*cols */
} pv_zmat;

void pv_zmat_init(pv_zmat *M, int rows, int cols);   /* zeros */
void pv_zmat_clear(pv_zmat *M);
#define PV_Z(M, i, j) ((M)->a[(size_t)(i) * (size_t)(M)->cols + (size_t)(j)])

/* Integer reduced row echelon form in place: every pivot column is zero
 * except in its pivot row, pivot entries are positive. pivcol[r] receives
 * the pivot column of row r (caller allocates M->rows ints). Returns the
 * rank; rows rank.. are zero afterwards. */
int pv_zmat_rref(pv_zmat *M, int *pivcol);

/* The reduced row echelon form over Q (pivot entries 1) of the first rank
 * rows of M after pv_zmat_rref: q[r * cols + j] = M[r][j] / M[r][pivcol[r]],
 * canonical (the form is unique, so it is the one any elimination over Q
 * gives). q holds rank * M->cols initialised rationals. */
void pv_zmat_rref_rational(mpq_t *q, const pv_zmat *M, const int *pivcol,
                           int rank);

/* Divides the vector v[0..n) by the gcd of its entries (no-op if all 0).
 * A positive scale does not change a half-space. */
void pv_zvec_primitive(mpz_t *v, int n);

/* Rank over Q proven from below by the rank modulo the prime 2^31 - 1:
 * rank_p(M) <= rank_Q(M), so rank_p == rows proves full row rank (a
 * smaller rank_p proves nothing; callers then take another way). */
int pv_zmat_rank_mod_p(const pv_zmat *M);

/* Exact conversion of a finite double to the dyadic rational it encodes.
 * Returns 0, or -1 (q := 0) when x is Inf or NaN: GMP's mpz_set_d would
 * raise SIGFPE, and a float that is not finite only means the float search
 * failed (the caller takes the exact path). */
int pv_mpq_set_double(mpq_t q, double x);

/* Closest double to an mpz ratio-free integer, safe for huge values:
 * returns mantissa scaled by 2^-shift where shift is common to a row. */
double pv_mpz_get_d_scaled(const mpz_t z, long shift);

/* Vectors of n initialised rationals / integers, and their release. */
mpq_t *pv_qvec_new(int n);
void pv_qvec_free(mpq_t *v, int n);
mpq_t *pv_qvec_copy(mpq_t *const x, int n);     /* a new copy of x[0..n) */
mpz_t *pv_zvec_new(int n);
/* v = Z / delta: integer numerators over one positive denominator, the lcm
 * of v's denominators (Z has n initialised entries). */
void pv_qvec_common(mpz_t *Z, mpz_t delta, mpq_t *const v, int n);
void pv_zvec_free(mpz_t *v, size_t n);


/* Solves A x = b exactly (A is rows x cols; b has rows entries, NULL for
 * 0). Free variables take the exact values of `guess` (the float search's
 * candidate), pivot variables follow. x has cols entries (initialised).
 * Returns 0, -1 when the system is inconsistent, or -2 when a guess for a
 * free variable is not finite (the search overflowed: no candidate). */
int pv_zmat_solve_guided(const pv_zmat *A, mpz_t *const b,
                         const double *guess, mpq_t *x);

#endif
