/* polyverify — how far a point is from the boundary of its cell, exactly.
 *
 * For x interior to its cell C (or to C ∩ box), the distance to the
 * boundary is the least distance from x to a row's hyperplane (redundant
 * rows' hyperplanes are farther than the boundary): in the Euclidean norm
 * min (a.x + c)^2 / |a|_2^2 (squared, so that it is rational), in the max
 * norm min |a.x + c| / |a|_1 (the dual norm of L-infinity is L1). Rows
 * that are constant on the cell (a = 0) have no hyperplane. This is the
 * "region margin" of provable-robustness work (Croce, Andriushchenko and
 * Hein, 2019). */
#ifndef POLYVERIFY_RADIUS_H
#define POLYVERIFY_RADIUS_H

#include "export.h"

#include <gmp.h>
#include "code.h"
#include "error.h"
#include "network.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The nearest part of the boundary in one norm: the rows whose hyperplane
 * contains the nearest boundary point y (one facet, possibly defined by
 * several coincident neurons, or box sides and domain rows), and the code
 * just beyond y (none when y is on the domain's boundary: beyond it is
 * outside the domain, or when x is itself on the boundary). */
typedef struct pv_radius_nearest {
    int nneurons;
    int *neurons;            /* increasing                                  */
    int nbox;
    int *box;                /* box sides as 2 i + hi (coordinate i, hi?)   */
    int ndomain;
    int *domain;             /* general domain rows (box.h), increasing     */
    mpq_t *point;            /* y, m entries (NULL when x is on the boundary) */
    int has_neighbor;
    pv_code neighbor;
} pv_radius_nearest;

typedef struct pv_radius {
    int m;
    pv_code code;            /* the code of x                               */
    int finite;              /* 0: the cell has no boundary (no row, no box) */
    mpq_t l2_squared;        /* squared Euclidean distance (when finite)    */
    mpq_t linf;              /* max-norm distance (when finite)             */
    pv_radius_nearest nearest_l2, nearest_linf;
} pv_radius;

PV_API void pv_radius_init(pv_radius *R);
PV_API void pv_radius_clear(pv_radius *R);

/* The distances from x (input_dim entries) to the boundary of its cell,
 * or of its cell ∩ domain when box != NULL (x outside the domain is a
 * PV_ERR_ARG); the domain's general rows count as walls like its box sides.
 * A point on a hyperplane (a neuron's pre-activation exactly 0 on a row
 * that is not constant on the cell) has radius 0; its nearest parts list
 * those neurons. R is initialised by the caller; its content is replaced. */
PV_API pv_status pv_radius_compute(pv_radius *R, const pv_net *net,
                                   mpq_t *const x, const pv_box *box,
                                   pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
