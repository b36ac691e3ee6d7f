/* polyverify — the half-space system of an activation code.
 *
 * Fixing the pattern b makes every pre-activation an affine function
 * z_j(x) = a_j.x + c_j on the cell (the layer recursion, equations 16-17 of
 * Shepeleva et al.). Row j of the system is sigma_j * s_j * z_j(x) with
 * sigma_j = +1 for b_j = 1 (strict: > 0) and -1 for b_j = 0 (>= 0), and
 * s_j > 0 the scale that clears denominators: rows are primitive integer
 * vectors, so the hot path works on mpz, never on mpq. Box rows follow the
 * neuron rows: x_i - lo_i >= 0 and hi_i - x_i >= 0, also scaled to integers. */
#ifndef POLYVERIFY_SYSTEM_H
#define POLYVERIFY_SYSTEM_H

#include <stdio.h>
#include <gmp.h>
#include "error.h"
#include "network.h"
#include "code.h"
#include "point.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Label of a box row: coordinate i, lower (hi = 0) or upper (hi = 1). */
#define PV_LABEL_BOX(i, hi) (-(2 * (i) + (hi)) - 1)
#define PV_LABEL_IS_BOX(l)  ((l) < 0)
#define PV_LABEL_BOX_COORD(l) ((-(l) - 1) / 2)
#define PV_LABEL_BOX_HI(l)    ((-(l) - 1) % 2)

/* Rows g_i . x + h_i (> 0 if strict[i], else >= 0). */
typedef struct pv_system {
    int dim;               /* m                                     */
    int nrows;
    mpz_t *g;              /* nrows*dim, row-major                  */
    mpz_t *h;              /* nrows                                 */
    unsigned char *strict;
    int *label;            /* neuron index, or PV_LABEL_BOX(i, hi)  */
} pv_system;

void pv_system_init(pv_system *S, int dim, int nrows);  /* zero rows */
void pv_system_clear(pv_system *S);
#define PV_G(S, i, j) ((S)->g[(size_t)(i) * (size_t)(S)->dim + (size_t)(j)])

/* Builds the system of code over the network, with box rows if box != NULL.
 * S must not be initialised (it is initialised here). */
pv_status pv_system_from_code(pv_system *S, const pv_net *net,
                              const pv_code *code, const pv_box *box,
                              pv_error *err);

/* Value of row i at the rational point x, exactly. */
void pv_system_row_value(mpq_t out, const pv_system *S, int i, mpq_t *const x);

/* Writes the closure (every row as >= 0) in cddlib/lrs H-representation. */
void pv_system_write_ine(const pv_system *S, FILE *f, const char *comment);

#ifdef __cplusplus
}
#endif
#endif
