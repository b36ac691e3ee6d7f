/* polyverify — the exact polygon of a cell of a 2-input network.
 *
 * Every vertex is an exact rational: the cell's closure, intersected with
 * the box, clipped exactly half-plane by half-plane. What plot.h draws
 * (rounding only for the picture); a network with more inputs is first cut
 * to a 2-D slice (pv_net_slice, network.h). */
#ifndef POLYVERIFY_POLYGON_H
#define POLYVERIFY_POLYGON_H

#include "export.h"

#include <gmp.h>
#include "error.h"
#include "network.h"
#include "code.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A convex polygon (closure of a cell of a 2-input net, in a box): n
 * exact vertices in counter-clockwise order, no three consecutive ones
 * collinear. n = 2 is a segment, n = 1 a point, n = 0 empty. */
typedef struct pv_polygon {
    int n;
    mpq_t *x, *y;
} pv_polygon;

PV_API void pv_polygon_init(pv_polygon *P);
PV_API void pv_polygon_clear(pv_polygon *P);

/* P = P(code) ∩ box for a network with 2 inputs (P initialised; its
 * content is replaced). box: a domain with an interval part (its general
 * rows cut the square too). */
PV_API pv_status pv_polygon_of_code(pv_polygon *P, const pv_net *net,
                                    const pv_code *code, const pv_box *box,
                                    pv_error *err);

/* Twice the signed area (shoelace), exactly. */
PV_API void pv_polygon_area2(mpq_t out, const pv_polygon *P);

/* The average of the vertices (c[0], c[1] initialised): inside a convex
 * polygon, the midpoint of a segment, the point itself. */
PV_API void pv_polygon_centroid(mpq_t *c, const pv_polygon *P);

#ifdef __cplusplus
}
#endif
#endif
