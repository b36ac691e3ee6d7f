/* polyverify — the cell of an activation code, decided exactly.
 *
 * C(b) = { x : z_j(x) > 0 for b_j = 1, z_j(x) <= 0 for b_j = 0 } (and the
 * domain, if any: a box and general rows, box.h). pv_cell_compute answers: realised or not, dimension,
 * implicit equalities, a relative-interior point, boundedness, and the
 * facets of the closure relative to its affine hull, each with the code
 * just beyond it. */
#ifndef POLYVERIFY_CELL_H
#define POLYVERIFY_CELL_H

#include "export.h"

#include <gmp.h>
#include "error.h"
#include "network.h"
#include "code.h"
#include "box.h"
#include "dimension.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_cell_facet {
    int nneurons;
    int *neurons;          /* ascending neuron indices                     */
    int box_coord;         /* -1, or the coordinate of a box side          */
    int box_hi;            /* with box_coord >= 0: 0 = lo side, 1 = hi     */
    int domain_row;        /* -1, or the first general domain row (box.h)
                              the facet lies on                            */
    int has_neighbor;      /* 0 for a facet on the domain (a box side or a
                              domain row: nothing beyond the domain)       */
    pv_code neighbor;      /* code of y + e(y - p), y in relint, p in cell */
    mpq_t *point;          /* m: a point y in the facet's relative
                              interior, or NULL when it was not needed    */
} pv_cell_facet;

typedef struct pv_cell {
    pv_code code;
    int m;
    int realized;
    int dim;               /* -1 when not realised                         */
    mpq_t *point;          /* m, when realised                             */
    int bounded;           /* when realised and PV_CELL_BOUNDED requested  */
    int nimplicit;
    int *implicit;         /* neurons with pre-activation == 0 on the cell */
    int nimplicit_box;
    int *implicit_box;     /* box sides the cell lies on: 2*coord + hi     */
    int nimplicit_domain;
    int *implicit_domain;  /* general domain rows vanishing on the cell,
                              ascending (equality rows among them)         */
    int nfacets;
    pv_cell_facet *facets;
    pv_stats stats;
} pv_cell;

enum {
    PV_CELL_DIM = 0,        /* realised, dimension, point, equalities       */
    PV_CELL_FACETS = 1,
    PV_CELL_BOUNDED = 2,
    PV_CELL_ALL = 3,
    PV_CELL_DIRECT = 4      /* compute in x even where lifting applies, so
                               that every facet point is in x (certificates) */
};

PV_API void pv_cell_init(pv_cell *C);
PV_API void pv_cell_clear(pv_cell *C);

/* Computes the cell of code (box, the domain, may be NULL) into C (initialised; its
 * content is replaced). what: PV_CELL_* flags. */
PV_API pv_status pv_cell_compute(pv_cell *C, const pv_net *net, const pv_code *code,
                                 const pv_box *box, unsigned what, pv_error *err);

/* The cell of x's code (an exact forward pass), as pv_cell_compute, with x
 * as a search aid: when x (or, with a box, a point pulled slightly from x
 * towards the box's centre) is proved interior, it is the cell's point and
 * no LP decides the dimension. The facts are those of pv_cell_compute on
 * x's code; only the relative-interior point reported may differ. */
PV_API pv_status pv_cell_of_point(pv_cell *C, const pv_net *net, mpq_t *const x,
                                  const pv_box *box, unsigned what, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
