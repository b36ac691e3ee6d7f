/* polyverify — breadth-first exploration of the cells around a cell.
 *
 * From a full-dimensional start cell, cells are reached by crossing facets:
 * beyond a facet of a full-dimensional cell lies exactly one full-
 * dimensional cell, whose code is computed exactly at a point of the facet
 * (cell.h). The depth of a cell is its BFS distance (facet crossings) from
 * the start. Local questions in high dimension — which cells surround this
 * image — need no enumeration of a whole box. */
#ifndef POLYVERIFY_EXPLORE_H
#define POLYVERIFY_EXPLORE_H

#include "export.h"

#include <gmp.h>
#include "code.h"
#include "error.h"
#include "network.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_explore_options {
    const pv_box *box;        /* explore cell ∩ box (NULL: all of R^m)      */
    int max_depth;            /* -1: no limit                               */
    long max_cells;           /* 0: no limit                                */
    int edges;                /* collect the facet crossings between cells  */
    /* Progress now and then (cells so far, seconds), and an interrupt hook
     * (non-zero: stop, keeping what was found; status PV_ERR_INTERRUPTED). */
    void (*progress)(void *ctx, long cells, double seconds);
    void *progress_ctx;
    int (*interrupted)(void *ctx);
    void *interrupted_ctx;
    int threads;              /* worker threads (0: every available core;
                                 1: the calling thread alone); the answer
                                 is the same for every value              */
    /* NULL, or the processes the exploration is distributed over, as an
     * enumeration's (enumerate.h: every process calls pv_explore_run with
     * the same arguments and ends with the same answer); with it the
     * interrupt hook must be NULL */
    const struct pv_enum_dist *dist;
    void *reserved[6];        /* room for options to come: keep NULL       */
} pv_explore_options;

/* No box, no limits, no edges, no hooks. */
PV_API void pv_explore_options_init(pv_explore_options *opt);

typedef struct pv_explore_cell {
    pv_code code;
    int depth;                /* facet crossings from the start             */
    int dim;                  /* m: only full-dimensional cells are walked  */
    int nfacets;
    mpq_t *point;             /* m entries, in the cell's interior          */
} pv_explore_cell;

typedef struct pv_explore {
    int m;
    int ncells;
    pv_explore_cell *cells;   /* in BFS order; cells[0] is the start        */
    int nedges;
    int *edges;               /* 2 * nedges indices into cells, a < b       */
    int complete;             /* every reachable cell is listed             */
} pv_explore;

PV_API void pv_explore_init(pv_explore *E);
PV_API void pv_explore_clear(pv_explore *E);

/* Explores from the cell of `start`, which must be realised and full-
 * dimensional (in the box, if any). Returns PV_OK when the walk ended by
 * itself or at max_depth (E->complete says whether cells lie beyond);
 * PV_ERR_LIMIT at max_cells and PV_ERR_INTERRUPTED from the hook, with the
 * cells found so far in E (complete = 0). E is initialised by the caller;
 * its content is replaced. */
PV_API pv_status pv_explore_run(pv_explore *E, const pv_net *net,
                                const pv_code *start,
                                const pv_explore_options *opt, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
