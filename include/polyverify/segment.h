/* polyverify — the cells a segment passes through, exactly.
 *
 * On x(t) = X + t (Y - X), 0 <= t <= 1, every pre-activation is piecewise
 * affine in t, so the code is constant on open intervals (pieces) that
 * breakpoints separate. A breakpoint is a t in (0, 1) where the code is
 * not constant on any neighbourhood of t: the code there is a lower-
 * dimensional cell's, or a full-dimensional one's when the segment only
 * reaches a hyperplane (the code changes just after t, not at t). No LP is
 * involved: the answer is exact arithmetic on the pre-activations. */
#ifndef POLYVERIFY_SEGMENT_H
#define POLYVERIFY_SEGMENT_H

#include "export.h"

#include <gmp.h>
#include "code.h"
#include "error.h"
#include "network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A maximal open interval (t_from, t_to) on which the code is `code`. */
typedef struct pv_segment_piece {
    pv_code code;
    mpq_t t_from, t_to;
} pv_segment_piece;

/* A breakpoint t and the code of x(t). */
typedef struct pv_segment_break {
    mpq_t t;
    pv_code code;
} pv_segment_break;

/* The walk: npieces pieces in increasing t, and the npieces - 1
 * breakpoints between them (breaks[i] separates pieces i and i + 1). */
typedef struct pv_segment {
    int npieces;
    pv_segment_piece *pieces;
    int nbreaks;
    pv_segment_break *breaks;
} pv_segment;

PV_API void pv_segment_init(pv_segment *s);
PV_API void pv_segment_clear(pv_segment *s);

/* The pieces and breakpoints of the segment from x to y (input_dim entries
 * each) under net. s is initialised by the caller; its content is
 * replaced. x = y is allowed (one piece, the code just beyond x along no
 * direction: that of x). */
PV_API pv_status pv_segment_compute(pv_segment *s, const pv_net *net,
                                    mpq_t *const x, mpq_t *const y,
                                    pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
