/* polyverify — the exact volume of a cell.
 *
 * The volume of a cell is the Lebesgue measure in R^m of its closure P(b)
 * (∩ the box): the strict rows do not change it, and it is an exact
 * rational. It is reported only for a full-dimensional bounded set; a
 * lower-dimensional set (measure zero in R^m) and an unbounded one get no
 * volume, with the reason (pv_volume_kind).
 *
 * How (src/geom/volume.c): the vertices of P and the rows through each are
 * found by the double-description method in integer arithmetic (no LP, no
 * float); P is then cut into simplices by a pulling triangulation (the cone
 * from a vertex over the facets not through it, recursively), whose faces
 * follow from the row-vertex incidences alone, and the simplices' volumes
 * |det| / m! are added exactly.
 *
 * Only for m <= PV_VOLUME_MAX_DIM inputs: computing the exact volume of a
 * polytope given by its half-spaces is #P-hard in general (Dyer and Frieze,
 * 1988), and this method's cost — the vertices, the simplices of the
 * triangulation — grows very fast with m. A request for more inputs is a
 * PV_ERR_ARG error that says so; it never returns a volume computed some
 * other way, nor a silent null. */
#ifndef POLYVERIFY_VOLUME_H
#define POLYVERIFY_VOLUME_H

#include "export.h"

#include "system.h"     /* first: its <stdio.h> precedes <gmp.h> */
#include <gmp.h>
#include "error.h"
#include "network.h"
#include "code.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest input dimension whose volumes are computed. */
#define PV_VOLUME_MAX_DIM 6

/* A dimension argument meaning "not known: decide it". */
#define PV_VOLUME_DIM_UNKNOWN (-2)

/* Whether the set has a volume, and if not why. */
typedef enum pv_volume_kind {
    PV_VOLUME_FINITE = 0,    /* full-dimensional and bounded: the volume   */
    PV_VOLUME_EMPTY,         /* the set is empty (the code not realised)   */
    PV_VOLUME_LOWER_DIM,     /* dim < m: measure zero, no volume reported  */
    PV_VOLUME_UNBOUNDED      /* full-dimensional and unbounded: infinite   */
} pv_volume_kind;

/* PV_OK when volumes in R^m are computed (1 <= m <= PV_VOLUME_MAX_DIM),
 * else PV_ERR_ARG with a message saying why not: a caller asks before a
 * long run. */
PV_API pv_status pv_volume_supported(int m, pv_error *err);

/* The volume of the closure of the set of S (every row taken as >= 0,
 * rows with S->eq as = 0), into vol (initialised), with *kind saying
 * whether there is one (vol is 0 unless *kind is PV_VOLUME_FINITE). dim is
 * the dimension of the set of S itself, strict rows included
 * (pv_dimension_compute's D->dim, or an enumeration's cell dimension): the
 * closure alone cannot tell an empty cell from a full one (a zero row that
 * must be > 0). PV_ERR_ARG when S->dim > PV_VOLUME_MAX_DIM, or when dim
 * says full-dimensional and the closure is not. */
PV_API pv_status pv_volume_of_system(mpq_t vol, pv_volume_kind *kind,
                                     const pv_system *S, int dim,
                                     pv_error *err);

/* The volume of the cell of code (∩ box, which may be NULL), as
 * pv_volume_of_system. dim: the cell's dimension when the caller knows it
 * (pv_cell's dim, pv_enum_cell's dim), else PV_VOLUME_DIM_UNKNOWN (then it
 * is decided exactly, as pv_dimension_compute does). */
PV_API pv_status pv_volume_of_code(mpq_t vol, pv_volume_kind *kind,
                                   const pv_net *net, const pv_code *code,
                                   const pv_box *box, int dim, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
