/* polyverify — the forward filter for a batch of points through BLAS
 * (internal; filter_batch.c has the error bound). */
#ifndef PV_FILTER_BATCH_H
#define PV_FILTER_BATCH_H

#include "polyverify/network.h"

/* Every layer up to the last ReLU layer dense with doubles, and BLAS
 * built in. */
int pv__filter_batch_usable(const pv_net *net);

/* The workspace of one caller: cap points' inputs (H: the values, R: their
 * radii, |exact - H| <= R, each cap x input_dim row-major, filled by the
 * caller) and the layers' scratch. */
typedef struct pv_filter_batch {
    int cap;
    double *H, *R, *Z, *wn;
} pv_filter_batch;

void pv__filter_batch_init(pv_filter_batch *W, const pv_net *net, int cap);
void pv__filter_batch_clear(pv_filter_batch *W);

/* The P <= cap points in W->H, W->R. Writes the proved bits of each point
 * into bits (P x neurons) and sets open[p] (P entries, zeroed by the
 * caller) when some bit of point p is not proved: only a point with
 * open[p] = 0 has all its bits. Overwrites H and R. Returns 0 when built
 * without BLAS. */
int pv__filter_batch(pv_filter_batch *W, const pv_net *net, int P,
                     unsigned char *bits, unsigned char *open);

#endif
