/* polyverify — pictures of 2-D tessellations, and the exact polygons they
 * are drawn from.
 *
 * Every vertex is an exact rational (the cell's closure, intersected with
 * the box, clipped exactly half-plane by half-plane); only the drawing
 * rounds. Networks with more inputs are drawn on a 2-D slice
 * x = p + s d1 + t d2, composed exactly into a copy of the network. */
#ifndef POLYVERIFY_PLOT_H
#define POLYVERIFY_PLOT_H

#include "export.h"

#include <gmp.h>
#include "error.h"
#include "network.h"
#include "code.h"
#include "point.h"

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

/* P(code) ∩ box for a network with 2 inputs. */
PV_API pv_status pv_polygon_of_code(pv_polygon *P, const pv_net *net,
                                    const pv_code *code, const pv_box *box,
                                    pv_error *err);

/* Twice the signed area (shoelace), exactly. */
PV_API void pv_polygon_area2(mpq_t out, const pv_polygon *P);

/* The average of the vertices (c[0], c[1] initialised): inside a convex
 * polygon, the midpoint of a segment, the point itself. */
PV_API void pv_polygon_centroid(mpq_t *c, const pv_polygon *P);

/* A 2-input copy of net on the plane x = p + s d1 + t d2 (m entries
 * each): the affine map is composed exactly into the first layer. out
 * must not be initialised. */
PV_API pv_status pv_net_slice(pv_net *out, const pv_net *net, mpq_t *const p,
                              mpq_t *const d1, mpq_t *const d2, pv_error *err);

typedef struct pv_plot_options {
    const pv_box *box;        /* the drawn region (required)               */
    int graph;                /* draw the adjacency graph                  */
    int highlight;            /* mark pairs where d_A != min(d_H, 2)       */
    long max_cells;           /* 0: no limit                               */
    int width;                /* pixels of the longer side (default 800)   */
    /* passed to the enumeration (pv_enum_options): progress now and then,
     * and an interrupt hook (non-zero: stop; nothing is drawn, the status
     * is PV_ERR_INTERRUPTED). NULL: none. */
    void (*progress)(void *ctx, long cells, double seconds);
    void *progress_ctx;
    int (*interrupted)(void *ctx);
    void *interrupted_ctx;
    void *reserved[8];        /* room for options to come: keep NULL      */
} pv_plot_options;

/* Every option at its default (no box: set one; no graph, no limit, 800
 * pixels, no hooks). */
PV_API void pv_plot_options_init(pv_plot_options *opt);

/* What was drawn, for the caller's message. */
typedef struct pv_plot_info {
    int cells, cells_by_dim[3];
    int edges, disagreements;
} pv_plot_info;

/* Enumerates the cells of a 2-input network in the box and draws them to
 * path (.svg or .png). */
PV_API pv_status pv_plot(const pv_net *net, const char *path,
                         const pv_plot_options *opt, pv_plot_info *info,
                         pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
