/* polyverify — facets found by bent rays, proved by a float filter
 * (internal; see facet_probe.c).
 *
 * Rows g_j.z + h_j >= 0 in a frame where z = 0 is interior (every h_j > 0).
 * A probe for row i looks for a direction d whose ray from 0 meets row i's
 * hyperplane first and alone; the meeting point is then in the relative
 * interior of a facet on that hyperplane. The search is in doubles; the
 * claim is proved for the exact point y = t d (d dyadic, t rational) by a
 * filter with a proved error bound, or exactly where the filter cannot
 * decide. */
#ifndef PV_FACET_PROBE_H
#define PV_FACET_PROBE_H

#include <gmp.h>
#include "exact/reduce.h"

/* Rows in doubles, each scaled by its own power of two 2^-e_j (e_j = bits
 * of the row's largest entry, constant included), so that every entry is
 * at most 1 and is its exact scaled value up to one truncation. */
typedef struct pv_drows {
    int k, n;
    double *g, *h;     /* n*k and n                                      */
    double *norm;      /* |g_j| of the scaled row                        */
    int *unit;         /* per row: its column if it has one entry, or -1 */
} pv_drows;

void pv_drows_init(pv_drows *F, const pv_rrows *R);
void pv_drows_clear(pv_drows *F);

/* Workspace of the probes (one per set of rows). */
typedef struct pv_probe_ws pv_probe_ws;
pv_probe_ws *pv_probe_ws_new(const pv_rrows *R, const pv_drows *F);
void pv_probe_ws_free(pv_probe_ws *W);

/* Probes row i: on success returns 1 and sets *point to a new k-vector,
 * the exact meeting point (row i = 0 there, every other row > 0). Returns
 * 0 when the search gave up (nothing is claimed). */
int pv_probe_facet(pv_probe_ws *W, int i, mpq_t **point);

#endif
