/* polyverify — the enumeration's working state, shared only inside src/enum
 * (internal; the public side is include/polyverify/enumerate.h).
 *
 * One run of pv_enum_compute is one `state`. Its invariants:
 *   - cells[0..ncells) are the distinct codes found, in the order found,
 *     and every one is the code of an actual point of the domain (the start
 *     point, a point beyond a facet, a point of a face's relative
 *     interior). The array is also the walk's queue: cells [0, done) have
 *     been processed, the rest wait; a cell's dim is -2 until it is
 *     processed, then its exact dimension (>= 0) with `point` a relative-
 *     interior point.
 *   - table is an open-addressing hash of those codes (slot = cell index
 *     + 1, 0 = empty) holding each cell exactly once; tcap is a power of two
 *     and at least 2 ncells, so probing always ends at an empty slot.
 *   - cells moves when a code is added (pv_realloc): hold indices, not
 *     pointers, across pv_codeset_add; a cell being processed works on a
 *     copy of its code.
 *   - nbr lists the cells found across the facets of a cell (the graph's
 *     candidates), each once, never the cell itself. hint, owned by its
 *     cell, is set once before the cell's round (by the start, or at the
 *     merge of the first cell of an earlier round that crossed into it)
 *     and only ever guides the fast path.
 *   - limit_hit, memory_hit and interrupted only go from 0 to 1. After any
 *     of them no code is added (pv_limits_can_add); after memory_hit or
 *     interrupted the run unwinds at the next pv_limits_must_stop, keeping
 *     the cells decided so far.
 *   - census is 1 while m <= CENSUS_MAX_DIM and no cell has run past its
 *     budget of faces (explore_budget, faces.c); once 0 it stays 0, and
 *     from the next round on each cell finds its lower-dimensional
 *     neighbours by single-row faces (pv_faces_by_row).
 *   - The counters of E (faces, fast_cells, gp, stats) grow as the run
 *     goes; E receives the cells only at the end, sorted by code.
 *   - The walk goes in rounds (round.c): the cells queued when a round
 *     starts are visited reading the state only (codes, hints, census and
 *     limits as they were at the start of the round), each into its own
 *     vresult, and merged in cell order. So every round, and the run, is
 *     the same for any number of workers.
 *
 * The files, one concept each (functions shared between them are named
 * after their file, pv_<file>_*, or after the type they work on):
 *   enumerate.c  the public driver: start, queue, results, and why the walk
 *                finds every cell (the comment at its top)
 *   codeset.c    the set of codes found: the cell array and its hash table
 *   limits.c     max_cells, the memory limit, interrupts and progress
 *   start.c      the start cell: the code of a generic point
 *   round.c      one round of the walk: the cells queued, visited on the
 *                workers (threads, MPI ranks), merged in cell order
 *   visit.c      one cell: its dimension, the walk across its facets, its
 *                lower-dimensional neighbours (vertex.c first, else LPs)
 *   vertex.c     the fast path: exact vertices and rays of a simple cell
 *   faces.c      the faces of a cell's closure: the inner-face exploration
 *                (and its vertex census), single-row faces past its budget
 *   flat.c       domains that are not full-dimensional: flat boxes (lo =
 *                hi in some coordinates), equalities of a domain
 *   graph.c      the adjacency graph of the cells found
 *   lemma1.c     Lemma 1 / Theorem 2 over an enumeration
 *   flips.c      the one-bit flips of a code */
#ifndef PV_ENUM_INTERNAL_H
#define PV_ENUM_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

#include "polyverify/enumerate.h"
#include "polyverify/flips.h"
#include "polyverify/lemma1.h"
#include "polyverify/system.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"

/* A cell found: its code, and once processed its dimension and point. */
typedef struct ecell {
    pv_code code;
    int dim;
    mpq_t *point;
    int *nbr;               /* cells across facets (graph candidates)       */
    int nnbr;
    double *hint;           /* 2m: y, d with y + e d inside for small e > 0 */
} ecell;

/* An exact vertex proved once, with its key (vcache.c). */
typedef struct pv_vcentry {
    unsigned char *key;
    mpz_t *X;               /* m numerators                                 */
    mpz_t delta;            /* common denominator (non-zero, any sign)      */
    double *x;              /* the vertex rounded, for the search           */
} pv_vcentry;

/* The vertices proved so far, by key (vcache.c has the argument). */
typedef struct pv_vcache {
    int m, count, cap;
    size_t keylen, tcap, bytes, max_bytes;
    pv_vcentry *entries;
    int *table;
} pv_vcache;

/* One run of pv_enum_compute (the invariants are above). */
typedef struct state {
    const pv_net *net;
    const pv_box *box;      /* the domain, or NULL (R^m)                   */
    mpq_t *centre;          /* a domain that is not a plain box: an
                               interior point of it (it is full-
                               dimensional here: flat.c), else NULL        */
    const pv_enum_options *opt;
    int m, n;
    ecell *cells;
    int ncells, cap;
    int *table;             /* open addressing: cell index + 1, 0 = empty   */
    size_t tcap;
    int limit_hit;          /* max_cells reached                           */
    int memory_hit;         /* max_bytes reached                           */
    size_t heap0;           /* heap in use when the run started            */
    atomic_int interrupted; /* the caller's interrupt hook said stop (set
                               by worker 0, read by every worker)          */
    int census;             /* the vertex census (general position) is
                               still exhaustive: explore_budget, faces.c   */
    atomic_int census_cut;  /* the least cell of the running round whose
                               visit turned the census off (INT_MAX: none);
                               the round's later cells are then redone in
                               the next round, with the census off, as a
                               one-worker walk would visit them (round.c)  */
    size_t cell_bytes;      /* pv_enum_bytes_per_cell                      */
    pv_enum *E;
    pv_vcache vcache;       /* the fast path's proved vertices (vcache.c);
                               read-only while a round runs on several
                               workers, which add to their own (round.c)   */
    int nworkers;
    struct worker *workers;
    pv_cleanup workers_unwind;  /* frees workers 1..'s scratch (round.c)    */
    double t0, last_report, last_poll;
} state;

/* One worker of a round (round.c): the scratch it alone writes. */
typedef struct worker {
    int id;                 /* 0: the calling thread, which polls hooks    */
    pv_system sys;          /* the current cell's system, its memory reused
                               from cell to cell (visit.c)                 */
    int census;             /* the round's census, for the current cell    */
    long cell_faces;        /* faces explored for the current cell         */
    pv_vcache *put;         /* where proved vertices go: the state's cache
                               with one worker, else `own`                 */
    pv_vcache own;
} worker;

/* A code a visit found: beyond a facet of the cell (a neighbour, with the
 * fast path's hint: 2m doubles) or the code of a face (hint NULL). */
typedef struct vfound {
    pv_code code;
    double *hint;
    int beyond;
} vfound;

/* What visiting one cell gave: merged into the state in cell order
 * (round.c), so that the run does not depend on the number of workers. */
typedef struct vresult {
    int dim;
    mpq_t *point;
    vfound *found;
    int nfound, cap;
    pv_enum_genpos gp;      /* this cell's counts, and its example         */
    long faces;
    int fast;               /* decided by the vertex fast path             */
    pv_stats stats;
    int census_off;         /* the cell ran past its budget of faces (the
                               round is cut after it: census_cut)          */
    int owner;              /* the worker that filled it: > 0, its blocks
                               are outside the caller's memory scope (an
                               unwinding frees them through a vguard)      */
} vresult;

/* While results of workers are held: an unwinding of the calling thread's
 * scope frees those of workers 1.. (worker 0's are in the scope). */
typedef struct vguard {
    vresult *R;
    int n, m;
    pv_cleanup c;
} vguard;
void pv_vguard_push(vguard *G, vresult *R, int n, int m);
void pv_vguard_pop(vguard *G);

/* Past this input dimension the vertex census is not attempted (census = 0
 * from the start): see pv_enum_compute. */
#define CENSUS_MAX_DIM 6

/* A set of faces of one cell, each keyed by its sorted tight rows. */
typedef struct keyset {
    size_t cap, count;
    int **keys;             /* keys[i] = { len, r0, r1, ... } or NULL      */
} keyset;

/* What the exploration of one cell's closure needs. */
typedef struct cellctx {
    state *st;              /* read-only while the round runs              */
    worker *w;
    vresult *R;             /* what the visit writes                       */
    int cell;               /* its index in st->cells                      */
    const pv_system *S;     /* the cell's system (strict rows = 1-bits)    */
    const pv_code *code;
    keyset seen;
    pv_stats stats;
} cellctx;

/* Rows as unit doubles for the search; live[i] = 0 for rows with g = 0
 * (h > 0: never tight; h = 0: a neuron identically 0 on the cell, which
 * bounds nothing). */
typedef struct frows {
    int m, n;
    double *G, *h;
    unsigned char *live;
} frows;

/* codeset.c ---------------------------------------------------------------- */

/* FNV-1a of n bytes from h (the offset basis, or a seed). */
uint64_t pv_codeset_hash_bytes(const unsigned char *p, size_t n, uint64_t h);
/* FNV-1a of n ints, seeded by n: the hash of a sorted set of rows. */
uint64_t pv_codeset_hash_rows(const int *rows, int n);

/* Index of code, adding it if new; -1 when the cell limit stops adding. */
int pv_codeset_add(state *st, const pv_code *c);

/* Notes code c, found by X's cell (beyond a facet with its hint (y, d),
 * else hint NULL: a face's code), for the merge; always PV_OK. */
pv_status pv_codeset_record(cellctx *X, const pv_code *c);
void pv_codeset_record_beyond(cellctx *X, const pv_code *c, const double *y,
                              const double *d);

/* Adds j to e's neighbours unless it is there. */
void pv_codeset_add_neighbor(ecell *e, int j);

/* After the memory limit or an interrupt: keeps cells [0, done), which
 * were processed, and forgets the neighbours they listed beyond them. */
void pv_codeset_truncate(state *st, int done);

void pv_codeset_clear(state *st);

/* limits.c ----------------------------------------------------------------- */

/* Starts the clocks and notes the heap in use (max_bytes counts growth). */
void pv_limits_start(state *st);
/* Seconds since pv_limits_start. */
double pv_limits_elapsed(const state *st);
/* Whether one more cell may be added (max_cells, max_bytes); when not,
 * sets limit_hit (and memory_hit). */
int pv_limits_room(state *st);
/* 1 when the run must stop at once (interrupt, memory); polls the
 * interrupt hook and reports progress. The calling thread only. */
int pv_limits_must_stop(state *st);
/* The same from a visit: worker 0 polls, the others read the flag. */
int pv_limits_visit_stop(const cellctx *X);
/* Whether new codes can still be recorded. */
int pv_limits_can_add(const state *st);
/* Refuses a run without a box whose proved lower bound on its cells
 * cannot fit in max_bytes. */
pv_status pv_limits_check_memory(const pv_net *net, const pv_enum_options *opt,
                                 size_t cell_bytes, pv_error *err);

/* start.c ------------------------------------------------------------------ */

/* The code c of a generic point of the box (its cell has the box's
 * dimension), and the point as the fast path's hint (2m doubles). */
pv_status pv_start_code(state *st, pv_code *c, double *hint, pv_error *err);

/* visit.c ------------------------------------------------------------------ */

/* Decides cell i (dimension, point) into R, with the codes it leads to,
 * reading the state only. */
pv_status pv_visit_cell(state *st, worker *w, int i, vresult *R, pv_error *err);
/* Records the cell beyond y, a relative-interior point of a facet of X's
 * cell, as seen from p inside it (flip: see visit.c). */
pv_status pv_visit_cross_at(cellctx *X, mpq_t *const y, mpq_t *const p,
                            int flip, pv_error *err);
/* The same crossing when its code is known combinatorially (flip >= 0, as
 * above): no exact point is needed, (y, d) is only the new cell's hint. */
void pv_visit_cross_flip(cellctx *X, int flip, const double *y, const double *d);
/* Counts the neurons identically 0 on X's cell (general position). */
int pv_visit_zero_rows(cellctx *X);
void pv_vresult_clear(vresult *R, int m);

/* round.c ------------------------------------------------------------------ */

/* Sets up st->workers (opt->threads) / frees them. */
void pv_round_workers(state *st);
void pv_round_workers_clear(state *st);
/* Visits cells [begin, end) (one round: the codes they find are added
 * after them) and merges what they found, in cell order; *done is the end
 * of the prefix visited (end unless the run stopped). */
pv_status pv_round_run(state *st, int begin, int end, int *done, pv_error *err);
/* Cell i's visit turned the census off: the round's cells after i are
 * cut (their visits stop, and they are visited again next round). */
void pv_round_cut(state *st, int i);
/* Visits cells cell[0..n) on this process's workers into R[0..n); *done
 * as in pv_par_run. */
pv_status pv_round_visit(state *st, const int *cell, int n, vresult *R,
                         int *done, pv_error *err);

/* dist.c ------------------------------------------------------------------- */

/* pv_round_visit over the processes of opt->dist: each visits its share,
 * and every process receives every result (so each holds the same state
 * after the merge). */
pv_status pv_dist_visit(state *st, const int *cell, int n, vresult *R,
                        int *done, pv_error *err);
/* One round of n items over the processes of D (dist.c): each process
 * visits its items (k mod size = rank), writes its header and a record per
 * item visited; after one allgather every process reads every block, its
 * own too, in rank order. *done: the prefix of items visited everywhere;
 * the status is the least failed item's (or the exchange's). put_head,
 * visited and get_head may be NULL. */
struct pv_wbuf;
struct pv_rbuf;
typedef struct pv_dist_round {
    const pv_enum_dist *D;
    int n;
    const char *who;        /* "enumerate", "explore": for messages       */
    pv_status (*visit)(void *ctx, const int *items, int count, int *done,
                       pv_error *err);
    void (*put_head)(void *ctx, struct pv_wbuf *B);
    void (*put_item)(void *ctx, struct pv_wbuf *B, int k);
    void (*visited)(void *ctx);     /* after writing: free what it held   */
    void (*get_head)(void *ctx, struct pv_rbuf *B, int p);
    void (*get_item)(void *ctx, struct pv_rbuf *B, int k);
    void *ctx;
} pv_dist_round;
pv_status pv_dist_round_run(const pv_dist_round *T, int *done, pv_error *err);
/* A distribution the walk can use (explore's too): its rank and size, and
 * no interrupt hook (every process must stop at the same cell). */
pv_status pv_dist_check(const pv_enum_dist *D, int interrupt_hook,
                        const char *who, pv_error *err);

/* vcache.c ----------------------------------------------------------------- */

void pv_vcache_init(pv_vcache *C, int m, int neurons, size_t max_bytes);
void pv_vcache_clear(pv_vcache *C);
/* The key (C->keylen bytes) of the vertex of rows T (sorted) of S, the
 * system of the cell of code c. */
void pv_vcache_key(const pv_vcache *C, unsigned char *key, const pv_system *S,
                   const pv_net *net, const pv_code *c, const int *T);
const pv_vcentry *pv_vcache_find(const pv_vcache *C, const unsigned char *key);
/* Adds a vertex proved with every row but T's > 0 (none merely >= 0),
 * unless the cache is full or holds the key. */
void pv_vcache_put(pv_vcache *C, const unsigned char *key, mpz_t *const X,
                   const mpz_t delta, const double *x);
/* Puts every vertex of from into C and empties from (same m and keys). */
void pv_vcache_absorb(pv_vcache *C, pv_vcache *from);
/* Empties C, keeping its shape; free_entries = 0 forgets them unfreed
 * (after an unwinding freed some of its blocks). */
void pv_vcache_empty(pv_vcache *C, int free_entries);

/* vertex.c ----------------------------------------------------------------- */

/* The fast path for cell i: 1 when it decided the cell (then *rc says
 * whether crossing its facets went well), 0 for the LP path. */
int pv_vertex_fast_cell(cellctx *X, int i, pv_status *rc, pv_error *err);
/* The rows of S as unit doubles; returns 0 if a row is g = 0, h < 0
 * (empty). R is to be cleared either way. */
int pv_frows_build(frows *R, const pv_system *S);
void pv_frows_clear(frows *R);

/* faces.c ------------------------------------------------------------------ */

void pv_keyset_clear(keyset *K);
/* Explores the inner face of X's cell where the rows E vanish. */
pv_status pv_faces_explore(cellctx *X, const int *E, int ne, int cell,
                           pv_error *err);
/* X's code with the neurons of strict rows among rows[] cleared; returns
 * whether any was. */
int pv_faces_clear_vanishing(pv_code *out, const cellctx *X, const int *rows,
                             int nrows);
/* The vertex condition of general position at a vertex v of P(c). */
void pv_faces_check_vertex(cellctx *X, const int *rows, int nrows,
                           mpq_t *const v, int cell);
/* A relative-interior point of the facet where rows[] vanish. */
pv_status pv_faces_facet_point(mpq_t **y, const pv_system *S, const int *rows,
                               int nrows, pv_stats *stats, pv_error *err);
/* The code of P(c) ∩ {r = 0} for each 1-bit row r not on a facet. */
pv_status pv_faces_by_row(cellctx *X, const unsigned char *on_facet,
                          pv_error *err);

/* flat.c ------------------------------------------------------------------- */

/* pv_enum_compute for a box with lo = hi in some coordinate. */
pv_status pv_flat_enumerate(pv_enum *E, const pv_net *net,
                            const pv_enum_options *opt, pv_error *err);
/* pv_enum_compute for a domain (not a plain box) of dimension D->dim < m,
 * D the dimension of its own system (pv__system_of_box). */
pv_status pv_domain_enumerate(pv_enum *E, const pv_net *net,
                              const pv_enum_options *opt,
                              const pv_dimension *D, pv_error *err);

/* graph.c ------------------------------------------------------------------ */

/* Orders pairs by (a, b). */
int pv_graph_pair_cmp(const void *x, const void *y);
/* Decides the adjacency graph of the cells moved to E (rank_of[i]: cell
 * i's index in E). */
pv_status pv_graph_build(pv_enum *E, state *st, const int *rank_of,
                         pv_error *err);

#endif
