/* polyverify — small shared helpers: sorting index arrays under a context
 * (C11's qsort has none, and a global would be mutable state), qsort's
 * order of ints, and the fixed-seed pseudo-random numbers the searches use
 * (internal). */
#ifndef PV_SORT_H
#define PV_SORT_H

#include <stdint.h>

/* < 0, 0, > 0 as item a sorts before, with, after item b. */
typedef int (*pv_index_cmp)(const void *ctx, int a, int b);

/* Stable merge sort of the indices idx[0..n); tmp has room for n. */
void pv_sort_indices(int *idx, int *tmp, int n, pv_index_cmp cmp,
                     const void *ctx);

/* xorshift64: deterministic, so every search (and every answer) is the
 * same from run to run. *s must not be 0. */
uint64_t pv_xorshift64(uint64_t *s);

/* qsort's comparison of two ints, ascending. */
int pv_int_cmp(const void *a, const void *b);

#endif
