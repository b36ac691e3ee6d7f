/* polyverify — activation codes and the exact forward pass.
 *
 * bit j of code(x) is 1 iff ReLU neuron j's pre-activation at x is strictly
 * positive (DESIGN §1). */
#ifndef POLYVERIFY_CODE_H
#define POLYVERIFY_CODE_H

#include "export.h"

#include <gmp.h>
#include "error.h"
#include "network.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_code {
    int n;
    unsigned char *bit;  /* n entries, each 0 or 1 */
} pv_code;

PV_API void pv_code_init(pv_code *c, int n);          /* all zeros           */
PV_API void pv_code_clear(pv_code *c);
PV_API void pv_code_set(pv_code *dst, const pv_code *src);  /* dst initialised */
PV_API int  pv_code_equal(const pv_code *a, const pv_code *b);
PV_API int  pv_code_hamming(const pv_code *a, const pv_code *b);
PV_API int  pv_code_cmp(const pv_code *a, const pv_code *b); /* lexicographic   */

/* Parses a 0/1 string; '|' and white space are ignored. A wrong length is a
 * PV_ERR_ARG naming the expected per-layer widths. c must be initialised
 * (any n); it is resized. */
PV_API pv_status pv_code_parse(pv_code *c, const pv_net *net, const char *s,
                               pv_error *err);

/* 0/1 string; with net != NULL layers are separated by '|'. malloc'd. */
PV_API char *pv_code_str(const pv_code *c, const pv_net *net);

/* Exact forward pass at x (input_dim entries): every bit is proved, by the
 * float filter below or by exact integer arithmetic. Fills code (initialised, any
 * n) and, if zero != NULL, zero[j] = 1 iff neuron j's pre-activation is
 * exactly 0 (zero has `neurons` entries). */
PV_API pv_status pv_code_at(const pv_net *net, mpq_t *const x, pv_code *code,
                            unsigned char *zero, pv_error *err);

/* pv_code_at for `count` points stored row-major in x (count *
 * input_dim entries, the layout of pv_pointset.x). The weights are converted
 * to integer form once for all points instead of once per call, so use this
 * for many points. codes has count initialised entries; zero, if not NULL,
 * has count * neurons entries (point p's flags start at p * neurons). */
PV_API pv_status pv_code_at_points(const pv_net *net, int count, mpq_t *const x,
                                   pv_code *codes, unsigned char *zero, pv_error *err);

/* What the float filter did (pv_code_at_points_opt). */
typedef struct pv_forward_stats {
    long filtered;   /* points whose every bit the float filter proved  */
    long exact;      /* points that took the exact integer pass         */
    long batched;    /* of `filtered`, those proved in a batch of points
                        through BLAS (one product per layer)            */
} pv_forward_stats;

/* pv_code_at_points with a choice: filter = 0 sends every point through the
 * exact integer pass; filter = 1 (what pv_code_at and pv_code_at_points
 * do) first runs a float forward pass with a proved error bound per
 * pre-activation and keeps its bits only when every |z| exceeds its bound
 * (see code.c). Both give the same codes. stats may be NULL; it is added
 * to, not reset. */
PV_API pv_status pv_code_at_points_opt(const pv_net *net, int count,
                                       mpq_t *const x, pv_code *codes,
                                       unsigned char *zero, int filter,
                                       pv_forward_stats *stats, pv_error *err);

/* pv_code_at_points_opt on `threads` worker threads (0: every available
 * core; 1: the calling thread alone). Codes, flags and stats are the same
 * for every value. */
PV_API pv_status pv_code_at_points_threads(const pv_net *net, int count,
                                           mpq_t *const x, pv_code *codes,
                                           unsigned char *zero, int filter,
                                           int threads, pv_forward_stats *stats,
                                           pv_error *err);

/* Code of y + e*d for every small enough e > 0, computed exactly by a
 * first-order (lexicographic) forward pass: each pre-activation is the pair
 * (value, derivative along d); the network is piecewise linear, so on
 * [0, e0] each is exactly value + e*derivative and its sign is that of the
 * pair in lexicographic order. */
PV_API pv_status pv_code_beyond(const pv_net *net, mpq_t *const y,
                                mpq_t *const d, pv_code *code, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
