/* polyverify — every cell of a network and its adjacency graph.
 *
 * How cells are found (the argument is spelled out in src/enum/enumerate.c):
 *   1. Full-dimensional cells: a walk across facets from the cell of a
 *      generic start point (a point whose pre-activations are all non-zero,
 *      checked exactly, so its cell is open). Across a facet of a
 *      full-dimensional cell lies exactly one full-dimensional cell (the
 *      exact first-order code beyond a relative-interior facet point), and
 *      full-dimensional cells of a convex box are connected through facets.
 *   2. Lower-dimensional cells: every point y of the box lies in the
 *      closure P(c) of a found cell, in the relative interior of a face G of
 *      P(c), and code(y) = c with the 1-bits whose rows vanish on G cleared.
 *      For every found cell c (of any dimension) the faces of P(c) on which
 *      no 1-bit row vanishes (the faces lying inside C(c)) are explored
 *      down to vertices; the code of every facet of such a face that leaves
 *      C(c) is recorded as a cell. Each step strictly removes 1-bits that
 *      vanish at y, so every realised code is reached. That exploration
 *      can meet exponentially many faces (a box cut by one hyperplane in
 *      m >= 13); past a per-cell budget, and always for m > 6, each cell
 *      instead records the code of P(c) ∩ {r = 0} for each of its 1-bit
 *      rows r — at most N faces, and the same chain argument holds.
 *   3. A neuron identically 0 on the box (pruned, or deep with every input
 *      off) is an implicit equality of every cell: the start point only
 *      has to be off the other neurons' hyperplanes.
 *   4. A flat box (lo = hi in some coordinates) is enumerated in its
 *      affine hull: the net restricted to the free coordinates; dimensions
 *      are those of the cells as sets in R^m, as `cell` reports them.
 *   5. A domain with general rows (box.h) is any polyhedron: its own
 *      system decides first whether it is empty (an error), its dimension
 *      (a lower one: the net restricted to its affine hull, as in 4) and
 *      an interior point to start from; it may be unbounded (the vertex
 *      fast path then leaves every cell to the LP path).
 * Every recorded code is the code of an actual point; each is then decided
 * exactly (dimension, relative-interior point) like `cell`. */
#ifndef POLYVERIFY_ENUMERATE_H
#define POLYVERIFY_ENUMERATE_H

#include "export.h"

#include <gmp.h>
#include "adjacency.h"
#include "error.h"
#include "network.h"
#include "code.h"
#include "box.h"
#include "dimension.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_enum_cell {
    pv_code code;
    int dim;               /* dimension of the cell (in the box, if any)  */
    mpq_t *point;          /* m: an exact relative-interior point         */
} pv_enum_cell;

/* General-position conditions (DESIGN §1), each decided exactly over the
 * enumerated cells. A count of -1 means "not checked". */
typedef struct pv_enum_genpos {
    long zero_rows;        /* (cell, neuron) with an identically zero
                              pre-activation on a realised cell           */
    long shared_facets;    /* facets of cells defined by >= 2 neurons     */
    long vertices;         /* vertices of the arrangement examined (every
                              vertex of a cell closure in the box on which
                              at least one neuron vanishes)               */
    long bad_vertices;     /* of those, vertices not on exactly m
                              hyperplanes (neurons vanishing there, plus
                              box sides through the vertex)               */
    int example_cell;      /* a cell showing a violation, or -1           */
    int example_kind;      /* 1 zero row, 2 shared facet, 3 vertex        */
    mpq_t *example_vertex; /* m, for kind 3 (NULL otherwise)              */
    int example_count;     /* hyperplanes through that vertex             */
    int vertices_checked;  /* 1: every vertex of the enumerated cells
                              was examined (vertices, bad_vertices are
                              exact counts). 0: the run was incomplete, or
                              the census stopped (m > 6, or a cell with
                              more than 1000 inner faces: the vertices of
                              a box section can be exponentially many) —
                              then a violation found is real (counts are
                              lower bounds), and with none found vertices
                              = bad_vertices = -1: not checked            */
} pv_enum_genpos;

typedef struct pv_enum {
    int m, n;                /* input dimension, code length               */
    int ncells;
    pv_enum_cell *cells;     /* sorted by code                             */
    int *by_dim;             /* m + 1 entries: cells of each dimension     */
    int complete;            /* 0 when stopped early (max_cells, memory,
                                interrupt): every listed cell is exact    */
    int has_graph;
    int npairs;
    pv_adjacency_pair *pairs;     /* adjacent pairs (with a graph), sorted      */
    long candidates;         /* pairs whose adjacency was decided          */
    long faces;              /* faces examined for lower-dim cells (LPs)    */
    long fast_cells;         /* cells decided by exact vertices, no LP      */
    pv_enum_genpos gp;
    pv_stats stats;
    double seconds;          /* wall time of the enumeration               */
} pv_enum;

/* Called now and then with the number of cells found so far. */
typedef void (*pv_enum_progress)(void *ctx, long cells, double seconds);

typedef struct pv_enum_options {
    const pv_box *box;       /* the domain; NULL: all of R^m               */
    long max_cells;          /* 0: no limit                                */
    int graph;               /* also decide the adjacency graph            */
    int lp_only;             /* decide every cell with the LP engine (no
                                vertex fast path): slower, for checking    */
    pv_enum_progress progress;   /* called at least every second or so,
                                    whatever the phase of the run          */
    void *progress_ctx;
    /* Polled often (at least every ~0.1 s of work): a non-zero return stops
     * the run like max_cells does, with status PV_ERR_INTERRUPTED, E valid
     * and complete = 0 (used for Ctrl-C and --timeout). NULL: never. */
    int (*interrupted)(void *ctx);
    void *interrupted_ctx;
    size_t max_bytes;        /* heap for the run (0: no limit): the
                                enumeration refuses to start when a proved
                                lower bound on its cells cannot fit, and
                                stops (PV_ERR_LIMIT, like max_cells) when
                                the memory this call holds has grown by
                                max_bytes since it started: counted by the
                                library for the call alone (memory.h), so
                                what the caller or another thread holds
                                does not count. GMP's numbers count once
                                pv_memory_install_gmp() was called; without
                                it only the library's own arrays do       */
    int threads;             /* worker threads (0: every available core;
                                1: the calling thread alone). The answer
                                is the same for every value             */
    const struct pv_enum_dist *dist;   /* NULL, or the processes the run
                                is distributed over (below)             */
    void *reserved[6];       /* room for options to come: keep NULL       */
} pv_enum_options;

/* An enumeration distributed over processes (MPI ranks: the CLI's
 * cli/mpi.c implements it with MPI_Allgatherv). Every process calls
 * pv_enum_compute with the same network and options; the walk goes in
 * rounds, each process visits its share of a round's cells (with its own
 * threads), and all exchange what they found, so that every process ends
 * with the same, complete answer. One collective call per round:
 * allgather must give every process the bytes of all, in rank order.
 * Every process must stop at the same cell, so with dist the interrupt
 * hook must be NULL, and max_bytes does not stop the run (each process
 * would measure its own heap); max_cells does. */
typedef struct pv_enum_dist {
    int rank, size;          /* this process, and how many there are      */
    /* Every process passes its n bytes at mine; *all receives a block of
     * malloc (the caller frees it with free) holding the bytes of rank 0,
     * 1, ... one after the other, sizes[r] bytes each (size entries).
     * Returns 0, or non-zero when the exchange failed (the run then
     * fails: a lost process is never a partial answer). */
    int (*allgather)(void *ctx, const void *mine, size_t n, void **all,
                     size_t *sizes);
    void *ctx;
    /* Optional: after each round, the seconds each rank spent visiting
     * its share (size entries), for progress reports. NULL: none. */
    void (*round_done)(void *ctx, long cells, const double *busy);
} pv_enum_dist;

/* Every option at its default: all of R^m, no limits, no graph, the
 * vertex fast path, no hooks. Initialise with it, then set what differs. */
PV_API void pv_enum_options_init(pv_enum_options *opt);

/* A lower bound on the bytes an enumeration of net holds per cell. */
PV_API size_t pv_enum_bytes_per_cell(const pv_net *net);

PV_API void pv_enum_init(pv_enum *E);
PV_API void pv_enum_clear(pv_enum *E);

/* Enumerates every realised cell into E (initialised; its content is
 * replaced). When max_cells is reached the result is
 * what was found (every listed cell is decided exactly) with complete = 0
 * and the status PV_ERR_LIMIT with a message; E is then still valid. */
PV_API pv_status pv_enum_compute(pv_enum *E, const pv_net *net,
                                 const pv_enum_options *opt, pv_error *err);

/* Index of code among the enumerated cells, or -1. */
PV_API int pv_enum_find(const pv_enum *E, const pv_code *code);

#ifdef __cplusplus
}
#endif
#endif
