/* polyverify — systems, dimensions and facets into uninitialised outputs
 * (internal).
 *
 * The public functions (system.h, dimension.h, facets.h) follow the
 * library's one convention: the caller initialised the output, the call
 * replaces its content. Inside the library most outputs are by-value
 * temporaries declared just before the call; these forms skip the
 * initialisation a public call would need and initialise the output
 * themselves. Each public function is its internal form plus that
 * replacement. */
#ifndef PV_SYSTEM_INTERNAL_H
#define PV_SYSTEM_INTERNAL_H

#include "polyverify/system.h"      /* first: <stdio.h> before <gmp.h> */
#include "polyverify/dimension.h"
#include "polyverify/facets.h"

/* pv_system_of_code into an S that is NOT initialised; on failure S is
 * left uninitialised (nothing to clear), on success the caller clears it. */
pv_status pv__system_from_code(pv_system *S, const pv_net *net,
                               const pv_code *code, const pv_box *box,
                               pv_error *err);

/* The same into an S that is zeroed (memset) or holds an earlier system
 * (of any shape), reusing its numbers' memory when the shape is the same:
 * a loop over many codes builds each system without allocating. On
 * failure S is zeroed (its blocks belong to the failed scope). */
pv_status pv__system_from_code_reuse(pv_system *S, const pv_net *net,
                                     const pv_code *code, const pv_box *box,
                                     pv_error *err);

/* The system of the domain alone, its rows labelled as in a code's
 * system (S not initialised; the caller clears it). */
void pv__system_of_box(pv_system *S, const pv_box *box);

/* Row i of S in doubles for a float search: its normal into g (S->dim
 * entries) and its constant into *c — S->h[i], or `at` when not NULL (the
 * row's value at a point, for a frame centred there) — both scaled by one
 * power of two (the normal's largest entry, and the constant's when it is
 * S->h[i]) and then divided by the normal's length (a zero normal keeps
 * the scale). Returns 0 when a number is out of double range. */
int pv__system_row_double(const pv_system *S, int i, mpq_srcptr at, double *g,
                          double *c);

/* The sign of row i of S at x = X / delta (delta > 0, one common
 * denominator, pv_qvec_common): of g_i.X + h_i delta, in integers — no
 * rational per entry (v: scratch). */
int pv__system_row_sign(const pv_system *S, int i, mpz_t *const X, const mpz_t delta,
                        mpz_t v);

/* pv_system_of_intersection and pv_system_of_face into an uninitialised
 * U / F (initialised here). */
void pv__system_closure_union(pv_system *U, const pv_system *Sa,
                              const pv_system *Sb);
void pv__system_face(pv_system *F, const pv_system *S, const int *zero, int nz);

/* pv_dimension_compute and pv_facets_compute into an uninitialised D / F:
 * initialised here first, so the caller clears it whatever the status. */
pv_status pv__system_dimension(const pv_system *S, pv_dimension *D,
                               pv_stats *stats, pv_error *err);
/* The same with a candidate x (NULL: none): when every row is strictly
 * positive at x, the set is full-dimensional with x as its point, and no
 * LP is solved; otherwise as pv__system_dimension. */
pv_status pv__system_dimension_at(const pv_system *S, mpq_t *const x,
                                  pv_dimension *D, pv_stats *stats,
                                  pv_error *err);
pv_status pv__system_facets(const pv_system *S, const pv_dimension *D,
                            pv_facets *F, pv_stats *stats, pv_error *err);
/* The same with rows already known not to define facets: not_facet[i]
 * set (NULL: none) for a row that defines no facet of a full-dimensional
 * superset cut out by some of the same rows, e.g. the cell without its
 * box. When S is full-dimensional too it defines none of S (an
 * (m-1)-face of S on a hyperplane lies in an (m-1)-face of the superset
 * on it), so no LP is spent on it; otherwise the hint is ignored. */
pv_status pv__system_facets_hinted(const pv_system *S, const pv_dimension *D,
                                   const unsigned char *not_facet,
                                   pv_facets *F, pv_stats *stats, pv_error *err);

/* Certificates: for each listed row s of S, whose closure has the interior
 * point `point` (every row > 0 there), y[a] = NULL or S->nrows exact multipliers
 * with y_t >= 0 for t != s, sum_t y_t g_t = 0 and sum_t y_t h_t = -1: the
 * face {row s = 0} of S's closure is empty (Farkas). Float LPs over one
 * warm-started problem guess them, multipliers_exact makes them exact on
 * their support; no exact LP (a row it fails on is left NULL). Returns
 * how many were found. */
int pv__system_empty_faces(const pv_system *S, mpq_t *const point,
                           const int *rows, int nr, mpq_t **y);

#endif
