/* polyverify — sparse affine expressions of a tensor (internal, for the
 * lowering of ONNX graphs, onnx.c and lower.c).
 *
 * While an ONNX graph is read, every computed tensor is held as an exact
 * affine function of the current frontier v (the outputs of the last layer
 * emitted, or the input x): y = A v + c, A in compressed rows. Affine
 * operators (Gemm, Conv, Pad, Transpose, BatchNormalization ...) act on
 * these expressions, an activation turns them into a layer (lower.c).
 * Sparse rows keep a convolution at its kernel's size per row and make an
 * identity (a residual connection carried forward) one entry per row.
 *
 * Invariants: start[0] = 0, start[rows] = nnz; the columns of a row are
 * strictly increasing and < cols; stored coefficients may be zero only
 * transiently (every operation drops zeros it makes); c is NULL (all
 * zero) or rows entries. All numbers are exact rationals. */
#ifndef PV_AFFEXPR_H
#define PV_AFFEXPR_H

#include <stddef.h>
#include <gmp.h>
#include "net/onnx_affine.h"

typedef struct pv__aff {
    int rows, cols;
    size_t *start;  /* rows + 1                                      */
    int *col;       /* nnz                                           */
    mpq_t *a;       /* nnz                                           */
    mpq_t *c;       /* rows, or NULL                                 */
} pv__aff;

/* y = v (rows = cols = n), and y = the constants k (n rows, no column
 * used, over a frontier of `cols`). */
void pv__aff_identity(pv__aff *f, int n);
void pv__aff_constant(pv__aff *f, mpq_t *const k, int n, int cols);

/* y = v[first + i] for i < rows: the outputs of a layer just emitted. */
void pv__aff_unit(pv__aff *f, int rows, int cols, int first);

void pv__aff_clear(pv__aff *f);
void pv__aff_copy(pv__aff *dst, const pv__aff *src);
size_t pv__aff_nnz(const pv__aff *f);

/* Row i times k[i] (k[0] for every row when nk == 1), or divided by it
 * when `divide` (no k is zero); c += sign k likewise. */
void pv__aff_scale(pv__aff *f, mpq_t *const k, size_t nk, int divide);
void pv__aff_shift(pv__aff *f, mpq_t *const k, size_t nk, int sign);

/* f <- L f + b for a sparse map L of f->rows columns (a weight matrix
 * too: onnx.c reads its non-zero entries only). */
void pv__aff_apply_lmap(pv__aff *f, const pv__lmap *L);

/* f <- f + sign g, row by row (g has f's rows and cols). */
void pv__aff_add(pv__aff *f, const pv__aff *g, int sign);

/* f <- the rows of parts[0], parts[1], ... in order (one cols for all);
 * the parts are left as they were. */
void pv__aff_stack(pv__aff *f, const pv__aff *parts, int n);

/* An upper bound of the entries of L f (for the size checks). */
size_t pv__aff_lmap_nnz_bound(const pv__aff *f, const pv__lmap *L);

#endif
