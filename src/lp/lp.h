/* polyverify — LP back-ends (internal).
 *
 * Two kinds, never mixed up:
 *  - pv_flp_*: GLPK's double simplex. It only SEARCHES: its answers are
 *    candidates (a point, a support of multipliers) that geometry.c proves
 *    or rejects in exact arithmetic. POLYVERIFY_EXACT_ONLY=1 in the
 *    environment makes every pv_flp_* search fail (a test switch: the
 *    exact path then decides everything).
 *  - pv_xlp_*: cddlib's GMP-rational LP (its dual simplex in GMP
 *    arithmetic only, no float phase: see lp_exact.c). Exact: its answers
 *    are decisions, re-proved by the caller. Used only when a float
 *    candidate fails.
 * Rows are g_i . z + h_i >= 0 over z in R^k. */
#ifndef PV_LP_H
#define PV_LP_H

#include <gmp.h>

/* ---- float search (GLPK) ---------------------------------------------- */

/* 1 under POLYVERIFY_EXACT_ONLY=1: every float search (these, and the
 * facet probes of facet_probe.c) fails, so the exact path decides. */
int pv_flp_disabled(void);
/* Frees the calling thread's GLPK environment (GLPK keeps one per thread):
 * a worker thread calls it before it ends (core/parallel.c). */
void pv_flp_thread_done(void);

/* max t s.t. G_i z + h_i >= t (i < n), t <= 1; G is n*k row-major, rows
 * should be normalised by the caller. Fills z (k), *t and y (n
 * non-negative multipliers of the rows at the optimum). Returns 0 when the
 * simplex reported an optimum. */
int pv_flp_margin(int k, int n, const double *G, const double *h,
                  double *z, double *t, double *y);

/* A reusable LP over rows G z + h >= 0 with |z_j| <= zbound, for testing
 * one row after another (the basis of the previous solve is kept). */
typedef struct pv_flp pv_flp;
pv_flp *pv_flp_new(int k, int n, const double *G, const double *h,
                   double zbound);
void pv_flp_free(pv_flp *lp);
/* The zbound to try first for witnesses of normalised rows (h_i: the
 * distance of z = 0 to row i): 16 max h_i, or 0 when that is no nearer
 * than PV_FLP_FAR. In an unbounded set phase 1 otherwise ends near the far
 * bound, where the rounding of z to 40 bits loses a crossing of 1e-7; a
 * witness beyond the near cube needs a second try with PV_FLP_FAR. */
#define PV_FLP_FAR 1e9
double pv_flp_near_bound(int n, const double *h);
/* min G_i z + h_i over the other rows (row i relaxed). Fills *value, z (k),
 * y (n multipliers of the other rows at the optimum, >= 0). Returns 0 on
 * an optimum. */
int pv_flp_min_row(pv_flp *lp, int i, double *value, double *z, double *y);

/* Any z with the other rows >= 0 and -1 <= row_i <= -delta (no objective:
 * the simplex stops as soon as it is feasible). Returns 0 when found. */
int pv_flp_cross_row(pv_flp *lp, int i, double delta, double *z);

/* max sum_i G_i d s.t. G d >= 0, |d_j| <= 1 (recession cone probe). Fills d
 * and y (multipliers of G d >= 0). Returns 0 on an optimum. */
int pv_flp_recession(int k, int n, const double *G, double *value,
                     double *d, double *y);

/* ---- exact decisions (cddlib, GMP rationals) --------------------------- */

enum { PV_XLP_OPTIMAL = 0, PV_XLP_INFEASIBLE, PV_XLP_UNBOUNDED, PV_XLP_ERROR };

/* max t s.t. g_i z + h_i >= t for rows with active[i] (NULL: all), t <= 1.
 * Fills t and z (k, initialised). */
int pv_xlp_margin(int k, int n, mpz_t *g, mpz_t *h,
                  const unsigned char *active, mpq_t t, mpq_t *z);

/* min g_i z + h_i over the active rows other than i. On an optimum fills
 * value and z; PV_XLP_UNBOUNDED when it has no minimum. */
int pv_xlp_min_row(int k, int n, mpz_t *g, mpz_t *h,
                   const unsigned char *active, int i, mpq_t value, mpq_t *z);

/* max sum_i g_i d s.t. g d >= 0 (active rows), -1 <= d_j <= 1: the value
 * is 0 iff the recession cone lies in the kernel of the active rows. */
int pv_xlp_recession(int k, int n, mpz_t *g, const unsigned char *active,
                     mpq_t value, mpq_t *d);

/* y over the active rows (NULL: all), y_i >= lb (0 or 1), with
 * sum_i y_i g_i = tg (k entries; NULL: 0) and, when h and th are given,
 * th - sum_i y_i h_i >= 0. The caller
 * verifies the answer. y has n entries (0 off the active rows). */
int pv_xlp_combination(int k, int n, mpz_t *g, mpz_t *h,
                       const unsigned char *active, mpz_t *const tg,
                       const mpz_t th, int lb, mpq_t *y);

/* Some x in Q^nvar with A_i . x + b_i = 0 for rows i < neq and >= 0 for
 * the other rows (A is nrows x nvar, row-major, rationals). Fills x.
 * PV_XLP_OPTIMAL when found, PV_XLP_INFEASIBLE when none exists. */
int pv_xlp_find(int nvar, int nrows, int neq, mpq_t *const A, mpq_t *const b,
                mpq_t *x);

#endif
