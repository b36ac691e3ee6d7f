/* polyverify — pictures of 2-D tessellations.
 *
 * The cells of a 2-input network in a box, drawn from their exact polygons
 * (polygon.h): every vertex is an exact rational, only the drawing rounds.
 * Networks with more inputs are drawn on a 2-D slice x = p + s d1 + t d2,
 * composed exactly into a copy of the network (pv_net_slice, network.h).
 * Without cairo (-Dplot=disabled) pv_plot says so. */
#ifndef POLYVERIFY_PLOT_H
#define POLYVERIFY_PLOT_H

#include "export.h"

#include <gmp.h>
#include "error.h"
#include "network.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A point drawn as a marker, in the drawn plane's coordinates (for a
 * slice, its projection onto the plane: drawing only, no decision). */
typedef struct pv_plot_point {
    double x, y;
    int label;                /* index into pv_plot_options.labels, or -1  */
    int hollow;               /* an open circle (off the plane of a slice) */
} pv_plot_point;

typedef struct pv_plot_options {
    const pv_box *box;        /* the drawn region (required)               */
    int graph;                /* draw the adjacency graph                  */
    int highlight;            /* mark pairs where d_A != min(d_H, 2)       */
    long max_cells;           /* 0: no limit                               */
    int width;                /* pixels of the longer side (default 800)   */
    int height;               /* with width: the picture's size, W x H
                                 pixels (the box keeps its aspect)          */
    const char *xlabel, *ylabel;  /* axis names (NULL: "x1", "x2")         */
    int nmarks;               /* points to mark and label: marks[2k], [2k+1] */
    mpq_t *marks;
    const char *const *mark_labels;   /* nmarks labels, or NULL            */
    int color_class;          /* colour by the predicted class (the arg max
                                 of the affine output map on each cell,
                                 exact; needs a final linear layer), with
                                 the decision boundary and a legend        */
    int npoints;              /* markers: filled discs with a thin dark
                                 outline (hollow: a ring), coloured by
                                 label; those outside the box are not
                                 drawn (counted in pv_plot_info)           */
    const pv_plot_point *points;
    int nlabels;              /* the labels' names, for the legend; a name
                                 that is a whole number k takes class k's
                                 colour (as --color class), others the
                                 palette in order                          */
    const char *const *labels;
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
 * pixels, axes x1 and x2, no marks, no points, no hooks). */
PV_API void pv_plot_options_init(pv_plot_options *opt);

/* What was drawn, for the caller's message. */
typedef struct pv_plot_info {
    int cells, cells_by_dim[3];
    int edges, disagreements;
    int points_drawn, points_outside;   /* of opt->points: in the box or not */
} pv_plot_info;

/* Enumerates the cells of a 2-input network in the box and draws them to
 * path (.svg or .png). Both are drawn from one description of the picture:
 * the PNG by cairo, the SVG by polyverify's own writer, in which each cell
 * is an element with id "c-" and its code's bits, class "cell",
 * data-code (the code as enumerate prints it), data-dim and a <title>,
 * and the parts are groups <g id="cells">, "decision-boundary", "graph",
 * "codes", "axes", "slice-points", "points" and "legend". */
PV_API pv_status pv_plot(const pv_net *net, const char *path,
                         const pv_plot_options *opt, pv_plot_info *info,
                         pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
