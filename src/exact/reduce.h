/* polyverify — rows restricted to an affine subspace (internal).
 *
 * A set with implicit equalities lives in an affine subspace x = p0 + U z.
 * Substituting turns row g.x + h into (g U) z + (g.p0 + h): a system of the
 * same kind in fewer variables, full-dimensional once every implicit
 * equality is factored out, so every later question is asked in that frame.
 * Rows are scaled to primitive integers (a positive scale keeps each
 * half-space). */
#ifndef PV_REDUCE_H
#define PV_REDUCE_H

#include <gmp.h>
#include "polyverify/system.h"

typedef struct pv_rrows {
    int k, n;
    int *orig;      /* row index in the original system  */
    mpz_t *g;       /* n*k */
    mpz_t *h;       /* n   */
    int borrowed;   /* g, h are S's own arrays (read-only view)  */
} pv_rrows;

/* Rows `rows[0..n)` of S in the frame (p0, U); U == NULL means the
 * identity (then k == S->dim) and p0 == NULL means the origin. All of S's
 * rows in the identity frame are S's own (primitive) rows: R then views
 * S's arrays instead of copying them, so S must outlive R, unchanged. */
void pv_rrows_build(pv_rrows *R, const pv_system *S, const int *rows, int n,
                    mpq_t *const p0, mpz_t *const U, int k);
void pv_rrows_clear(pv_rrows *R);
int  pv_rrows_zero(const pv_rrows *R, int i);   /* g'_i == 0 */
/* The coordinate of row i's one non-zero entry (a box side in the
 * identity frame), or -1 when it has none or several. */
int  pv_rrows_unit_column(const pv_rrows *R, int i);

/* Normalised doubles for the float search: G_i = g'_i/|g'_i|, h likewise;
 * norm[i] is the scale used up to one factor common to all rows (so exact
 * multipliers are proportional to y_i/norm[i]; only ratios are meaningful).
 * Rows of any size fit: each is scaled by a power of two first. */
void pv_rrows_to_double(const pv_rrows *R, double *G, double *h,
                        double *norm);

/* A point z = Z / delta with integer Z and delta = 2^s, from a float
 * candidate rounded to about `bits` significant bits (a search aid: the
 * point it makes is exact, whatever the rounding did). Returns 0, or -1
 * when a coordinate was not finite (it is set to 0; the candidate is a
 * failed search). */
int pv_dyadic_round(mpz_t *Z, mpz_t delta, const double *zd, int k, int bits);
/* The same with delta = 2^s given. */
int pv_dyadic_round_at(mpz_t *Z, mpz_t delta, const double *zd, int k, int s);

/* out[i] = delta * (g'_i . z + h'_i) for every row at z = Z / delta: the
 * signs of all row values in integer arithmetic (no rational is formed). */
void pv_rrows_eval(const pv_rrows *R, mpz_t *const Z, const mpz_t delta,
                   mpz_t *out);

/* x = p0 + U z in the original coordinates (m entries). */
void pv_frame_apply(mpq_t *x, int m, int k, mpq_t *const p0, mpz_t *const U,
                    mpq_t *const z);

#endif
