/* polyverify — the half-space system of an activation code.
 *
 * Fixing the pattern b makes every pre-activation an affine function
 * z_j(x) = a_j.x + c_j on the cell (the layer recursion, equations 16-17 of
 * Shepeleva et al.). Row j of the system is sigma_j * s_j * z_j(x) with
 * sigma_j = +1 for b_j = 1 (strict: > 0) and -1 for b_j = 0 (>= 0), and
 * s_j > 0 the scale that clears denominators: rows are primitive integer
 * vectors, so the hot path works on mpz, never on mpq. A domain's rows
 * follow the neuron rows: its box rows x_i - lo_i >= 0 and hi_i - x_i >= 0
 * (when it has an interval part), then its general rows a.x + c >= 0 (= 0:
 * eq set), in its order; all scaled to primitive integer rows. */
#ifndef POLYVERIFY_SYSTEM_H
#define POLYVERIFY_SYSTEM_H

#include "export.h"

#include <stdio.h>
#include <gmp.h>
#include "error.h"
#include "network.h"
#include "code.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pv_dimension;       /* dimension.h (which includes this header) */
struct pv_stats;

/* Row labels. A neuron row is labelled by the neuron's index (>= 0). A
 * box row by PV_LABEL_BOX(i, hi): coordinate i (< 2^29), lower (hi = 0)
 * or upper (hi = 1), in [-2^30, -1]. A general domain row k (box.h) by
 * PV_LABEL_DOMAIN(k), below -2^30. Box and domain rows are the domain's:
 * not neurons, never in codes, nothing lies beyond them. */
#define PV_LABEL_DOMAIN_BASE (-(1 << 30) - 1)
#define PV_LABEL_BOX(i, hi) (-(2 * (i) + (hi)) - 1)
#define PV_LABEL_IS_NEURON(l) ((l) >= 0)
#define PV_LABEL_IS_BOX(l)  ((l) < 0 && (l) > PV_LABEL_DOMAIN_BASE)
#define PV_LABEL_BOX_COORD(l) ((-(l) - 1) / 2)
#define PV_LABEL_BOX_HI(l)    ((-(l) - 1) % 2)
#define PV_LABEL_DOMAIN(k)    (PV_LABEL_DOMAIN_BASE - (k))
#define PV_LABEL_IS_DOMAIN(l) ((l) <= PV_LABEL_DOMAIN_BASE)
#define PV_LABEL_DOMAIN_ROW(l) (PV_LABEL_DOMAIN_BASE - (l))

/* Rows g_i . x + h_i: > 0 if strict[i], = 0 if eq[i] (a face: the row is
 * forced to vanish), else >= 0. scale[i] > 0 relates the integer row to
 * the unscaled affine function it stands for (sigma_j z_j(x) for a neuron,
 * x_i - lo_i or hi_i - x_i for a box side, a.x + c for a domain row as the
 * domain holds it): row_i = scale[i] * that
 * function. Certificates are written against the unscaled functions. */
typedef struct pv_system {
    int dim;               /* m                                     */
    int nrows;
    mpz_t *g;              /* nrows*dim, row-major                  */
    mpz_t *h;              /* nrows                                 */
    unsigned char *strict;
    unsigned char *eq;
    int *label;            /* neuron index, PV_LABEL_BOX(i, hi) or
                              PV_LABEL_DOMAIN(k)                    */
    mpq_t *scale;          /* nrows, > 0                            */
} pv_system;

/* nrows zero rows in R^dim; an output starts as pv_system_init(S, 0, 0). */
PV_API void pv_system_init(pv_system *S, int dim, int nrows);
PV_API void pv_system_clear(pv_system *S);
#define PV_G(S, i, j) ((S)->g[(size_t)(i) * (size_t)(S)->dim + (size_t)(j)])

/* S = the system of code over the network, with the domain's rows if
 * box != NULL (S initialised, any size; replaced only on success). */
PV_API pv_status pv_system_of_code(pv_system *S, const pv_net *net,
                                   const pv_code *code, const pv_box *box,
                                   pv_error *err);

/* Copies rows [0, S->nrows) of S into T from row `offset` on (T has room;
 * labels, scales and flags are copied too). */
PV_API void pv_system_copy_rows(pv_system *T, int offset, const pv_system *S);

/* U = the system of P(a) ∩ P(b): the rows of Sa then of Sb, all
 * non-strict (U initialised, other than Sa and Sb; replaced only on
 * success). */
PV_API pv_status pv_system_of_intersection(pv_system *U, const pv_system *Sa,
                                           const pv_system *Sb, pv_error *err);

/* F = the face of the closure of S where the rows zero[0..nz) vanish:
 * every row non-strict, those rows forced to = 0 (F initialised, other
 * than S; replaced only on success). */
PV_API pv_status pv_system_of_face(pv_system *F, const pv_system *S,
                                   const int *zero, int nz, pv_error *err);

/* Value of row i at the rational point x, exactly. */
PV_API void pv_system_row_value(mpq_t out, const pv_system *S, int i, mpq_t *const x);

/* Writes S in cddlib/lrs H-representation: every row as >= 0 (strict rows
 * too, listed in a comment: the file is the closure), except rows with
 * S->eq, which go on the `linearity` line (= 0). */
PV_API void pv_system_write_ine(const pv_system *S, FILE *f, const char *comment);

/* Whether the non-empty set of S is bounded, given its dimension D
 * (pv_dimension_compute, dimension.h). stats may be NULL; it is added to. */
PV_API pv_status pv_system_bounded(const pv_system *S, const struct pv_dimension *D,
                                   int *bounded, struct pv_stats *stats,
                                   pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
