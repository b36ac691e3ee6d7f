/* polyverify — sparse linear maps of flattened tensors (internal, for
 * the ONNX loader).
 *
 * An ONNX tensor of one example is a vector of values in row-major order;
 * every affine operator that is not a product by a weight matrix
 * (Conv, AveragePool, Pad, Transpose, Slice, Gather ...) maps that vector
 * to another by a matrix with few non-zero entries per row. A pv__lmap is
 * that matrix in compressed rows, with exact rational coefficients, plus
 * an optional bias: y = L x + b. onnx.c composes it into the pending
 * affine map of the chain (exact products of rationals: nothing rounded).
 *
 * The builders take plain sizes; the ONNX attributes are read, checked
 * and named in messages by onnx.c. Convolutions and pools are 2-D here:
 * a 1-D one is the 2-D one with a height of 1. */
#ifndef PV_ONNX_AFFINE_H
#define PV_ONNX_AFFINE_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

typedef struct pv__lmap {
    int rows, cols;
    size_t *start;  /* rows + 1: row r's entries are start[r] .. start[r+1]-1 */
    int *col;       /* column of each entry                                   */
    mpq_t *coef;    /* coefficient of each entry, or NULL: every one is 1     */
    mpq_t *bias;    /* rows, or NULL: no bias                                 */
} pv__lmap;

/* The geometry of a 2-D window operator on an input [C, H, W] (batch 1):
 * output [M, OH, OW], kernel kh x kw, strides, dilations, the padding
 * before each spatial axis (pt: top, pl: left; the padding after is
 * implied by OH, OW), and for Conv the number of groups. */
typedef struct pv__window {
    int64_t C, H, W, M, OH, OW;
    int64_t kh, kw, sh, sw, dh, dw, pt, pl, group;
} pv__window;

void pv__lmap_clear(pv__lmap *L);

/* y[r] = x[src[r]], or 0 where src[r] < 0 (a padding value): Transpose,
 * Pad, Slice, Gather. */
void pv__lmap_select(pv__lmap *L, int rows, int cols, const int64_t *src);

/* Conv: y[m, oh, ow] = b[m] + sum over the group's channels c and the
 * kernel of w[m, c, i, j] x[c', oh*sh - pt + i*dh, ow*sw - pl + j*dw]
 * (padding reads 0). w is M x (C/group) x kh x kw; b is NULL or M. */
void pv__lmap_conv(pv__lmap *L, const pv__window *g, mpq_t *const w,
                   mpq_t *const b);

/* AveragePool (M = C): the mean of each window, over the kh*kw places
 * when count_pad, else over those inside the input. */
void pv__lmap_avgpool(pv__lmap *L, const pv__window *g, int count_pad);

/* Building a map row by row: entries of the current row (any column
 * order), then pv__lmapb_row ends it with its bias (NULL: 0). The map
 * has coefficients and biases. */
typedef struct pv__lmap_builder {
    pv__lmap L;
    size_t cap, k;
    int r;
} pv__lmap_builder;

void pv__lmapb_init(pv__lmap_builder *b, int rows, int cols);
void pv__lmapb_add(pv__lmap_builder *b, int col, const mpq_t w);
void pv__lmapb_add_si(pv__lmap_builder *b, int col, long w);
void pv__lmapb_row(pv__lmap_builder *b, const mpq_t *bias);
void pv__lmapb_finish(pv__lmap_builder *b, pv__lmap *L);

/* ConvTranspose: input [C, H, W], output [M, OH, OW], w of shape
 * [C, M/group, kh, kw]; g's pt, pl are the pads at the start and sh, sw,
 * dh, dw the strides and dilations. b is NULL or M. */
void pv__lmap_convtranspose(pv__lmap *L, const pv__window *g,
                            mpq_t *const w, mpq_t *const b);

#endif
