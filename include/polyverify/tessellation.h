/* polyverify — every cell of a 2-input network in a box, by walking the
 * polygons: no LP.
 *
 * In the plane a cell's closure ∩ box is the box square clipped by the
 * cell's rows, exactly. Across an edge on which exactly one neuron's row
 * vanishes, every other pre-activation keeps its sign near the edge's
 * relative interior, so the cell beyond is the code with that bit flipped
 * (several coincident rows: the exact first-order code beyond the edge).
 * The lower-dimensional cells are the polygons' edges and vertices: on an
 * edge (a vertex) of the closure of cell b, the code is b with the bits of
 * the rows vanishing there set to 0 (by continuity every other row keeps
 * b's strict sign). Two-dimensional slices of any network are walked the
 * same way on the slice's 2-input network (pv_net_slice). */
#ifndef POLYVERIFY_TESSELLATION_H
#define POLYVERIFY_TESSELLATION_H

#include "export.h"

#include "code.h"
#include "error.h"
#include "network.h"
#include "polygon.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_tess_cell {
    pv_code code;
    int dim;                  /* 2, 1 or 0: the dimension of the cell ∩ box */
    pv_polygon polygon;       /* its closure ∩ box: the polygon (dim 2), the
                                 segment's two ends (1), the point (0)      */
} pv_tess_cell;

typedef struct pv_tessellation {
    int ncells;
    pv_tess_cell *cells;      /* sorted by code                             */
    int by_dim[3];
    int complete;             /* 0 when stopped at max_cells or the hook    */
} pv_tessellation;

typedef struct pv_tess_options {
    long max_cells;           /* two-dimensional cells; 0: no limit        */
    void (*progress)(void *ctx, long cells, double seconds);
    void *progress_ctx;
    int (*interrupted)(void *ctx);
    void *interrupted_ctx;
    void *reserved[8];        /* room for options to come: keep NULL       */
} pv_tess_options;

PV_API void pv_tess_options_init(pv_tess_options *opt);
PV_API void pv_tessellation_init(pv_tessellation *T);
PV_API void pv_tessellation_clear(pv_tessellation *T);

/* Every cell of a network with 2 inputs in the box (all dimensions): a
 * domain (box.h) with an interval for both inputs, whose general rows, if
 * any, cut the square further (without an interval part: PV_ERR_ARG).
 * PV_ERR_LIMIT / PV_ERR_INTERRUPTED keep the cells found (complete = 0).
 * opt may be NULL. T is initialised by the caller; its content is replaced. */
PV_API pv_status pv_tessellate(pv_tessellation *T, const pv_net *net,
                               const pv_box *box, const pv_tess_options *opt,
                               pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
