/* polyverify — one round of the enumeration's walk: the cells queued when
 * it starts are visited on the workers (threads: core/parallel.c; MPI
 * ranks through opt->dist: dist.c), then merged into the state in cell
 * order.
 *
 * Why the answer does not depend on the number of workers: a visit reads
 * only its cell (code, hint) and the state as it was when the round
 * started (census, limits; the vertex cache, which changes no answer,
 * only how fast it comes), and writes only its own vresult and its
 * worker's scratch. The merge replays the findings of cells begin, begin+1,
 * ... in that order, exactly as a one-worker walk records them: the same
 * codes get the same indices, the same first discoverer gives a new cell
 * its hint, the same example is reported, max_cells stops at the same
 * code. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <limits.h>
#include <string.h>

#include "core/parallel.h"
#include "exact/linalg.h"

/* The scratch of workers 1.. was allocated on their threads, outside the
 * calling thread's memory scope: an unwinding frees it here. */
static void free_scratch(worker *k)
{
    if (k->sys.g)
        pv_system_clear(&k->sys);
    pv_vcache_clear(&k->own);
}

static void workers_unwind(void *obj)
{
    state *st = obj;
    for (int w = 1; w < st->nworkers; w++)
        free_scratch(&st->workers[w]);
}

void pv_round_workers(state *st)
{
    int nw = pv_threads_resolve(st->opt->threads);
    st->nworkers = nw;
    atomic_init(&st->census_cut, INT_MAX);
    st->workers = pv_calloc((size_t)nw, sizeof *st->workers);
    for (int w = 0; w < nw; w++) {
        worker *k = &st->workers[w];
        k->id = w;
        /* one worker writes the shared cache directly; several keep the
         * round's new vertices apart (the shared one is read-only then) */
        k->put = nw == 1 ? &st->vcache : &k->own;
        pv_vcache_init(&k->own, st->m, st->n, st->vcache.max_bytes / (size_t)nw);
    }
    pv_cleanup_push(&st->workers_unwind, workers_unwind, st);
}

void pv_round_workers_clear(state *st)
{
    pv_cleanup_pop(&st->workers_unwind);
    for (int w = 0; w < st->nworkers; w++)
        free_scratch(&st->workers[w]);
    pv_free(st->workers);
    st->workers = NULL;
    st->nworkers = 0;
}

/* The round's work for parallel.c: item k is cell cell[k]. */
typedef struct round {
    state *st;
    const int *cell;
    vresult *R;
} round;

static pv_status visit_job(void *ctx, int k, int w, pv_error *err)
{
    round *r = ctx;
    r->R[k].owner = w;
    return pv_visit_cell(r->st, &r->st->workers[w], r->cell[k], &r->R[k], err);
}

/* A worker's item ran out of memory: the unwinding freed the blocks its
 * slot and its scratch (re)allocated during the item, so both are
 * forgotten (what the scratch held from earlier items leaks: the run
 * fails with PV_ERR_NOMEM anyway). */
static void visit_reset(void *ctx, int k, int w)
{
    round *r = ctx;
    worker *wk = &r->st->workers[w];
    memset(&r->R[k], 0, sizeof r->R[k]);
    memset(&wk->sys, 0, sizeof wk->sys);
    pv_vcache_empty(&wk->own, 0);
}

void pv_round_cut(state *st, int i)
{
    int cut = atomic_load(&st->census_cut);
    while (i < cut && !atomic_compare_exchange_weak(&st->census_cut, &cut, i))
        ;
}

/* Between items: a stop, or a cut (the items left would only be redone). */
static int round_poll(void *ctx)
{
    state *st = ctx;
    return pv_limits_must_stop(st) || atomic_load(&st->census_cut) != INT_MAX;
}

pv_status pv_round_visit(state *st, const int *cell, int n, vresult *R,
                         int *done, pv_error *err)
{
    round r = { st, cell, R };
    pv_par P = { st->nworkers, visit_job, visit_reset, &r, round_poll, st };
    pv_status rc = pv_par_run(&P, n, done, err);
    for (int w = 0; w < st->nworkers; w++)
        if (st->workers[w].put != &st->vcache)
            pv_vcache_absorb(&st->vcache, &st->workers[w].own);
    return rc;
}

static void genpos_merge(pv_enum_genpos *to, pv_enum_genpos *from, int m)
{
    to->zero_rows += from->zero_rows;
    to->shared_facets += from->shared_facets;
    to->vertices += from->vertices;
    to->bad_vertices += from->bad_vertices;
    if (from->example_kind == 0)
        return;
    /* as faces.c would have it: the first example, or a vertex example
     * of a smaller cell than a vertex example held */
    if (to->example_kind == 0 ||
        (to->example_kind == 3 && from->example_kind == 3 &&
         from->example_cell < to->example_cell)) {
        pv_qvec_free(to->example_vertex, m);
        to->example_vertex = from->example_vertex
                           ? pv_qvec_copy(from->example_vertex, m) : NULL;
        to->example_cell = from->example_cell;
        to->example_count = from->example_count;
        to->example_kind = from->example_kind;
    }
}

static void stats_add(pv_stats *to, const pv_stats *from)
{
    to->float_lps += from->float_lps;
    to->exact_lps += from->exact_lps;
    to->float_proofs += from->float_proofs;
    to->rays += from->rays;
}

/* Cell i's visit into the state; end is the round's end (cells from end
 * on are new: only they take a hint). Copies what it keeps, so that the
 * state owns blocks of the caller's memory scope only. */
static void merge(state *st, int i, int end, vresult *R)
{
    int m = st->m;
    st->cells[i].dim = R->dim;
    st->cells[i].point = pv_qvec_copy(R->point, m);
    for (int k = 0; k < R->nfound; k++) {
        const vfound *f = &R->found[k];
        int j = pv_codeset_add(st, &f->code);   /* -1 at a limit: noted */
        if (!f->beyond || j < 0 || j == i)
            continue;
        pv_codeset_add_neighbor(&st->cells[i], j);
        if (j >= end && !st->cells[j].hint) {
            double *h = pv_malloc((size_t)(2 * m + 1) * sizeof *h);
            memcpy(h, f->hint, (size_t)(2 * m) * sizeof *h);
            st->cells[j].hint = h;
        }
    }
    genpos_merge(&st->E->gp, &R->gp, m);
    st->E->faces += R->faces;
    st->E->fast_cells += R->fast;
    stats_add(&st->E->stats, &R->stats);
    if (R->census_off)
        st->census = 0;                  /* from the next round on */
}

static void vguard_unwind(void *obj)
{
    vguard *G = obj;
    for (int k = 0; k < G->n; k++)
        if (G->R[k].owner > 0)
            pv_vresult_clear(&G->R[k], G->m);
}

void pv_vguard_push(vguard *G, vresult *R, int n, int m)
{
    G->R = R;
    G->n = n;
    G->m = m;
    pv_cleanup_push(&G->c, vguard_unwind, G);
}

void pv_vguard_pop(vguard *G)
{
    pv_cleanup_pop(&G->c);
}

pv_status pv_round_run(state *st, int begin, int end, int *done, pv_error *err)
{
    int n = end - begin, ndone = 0;
    int *cell = pv_malloc((size_t)(n + 1) * sizeof *cell);
    vresult *R = pv_calloc((size_t)n + 1, sizeof *R);
    for (int k = 0; k < n; k++)
        cell[k] = begin + k;
    atomic_store(&st->census_cut, INT_MAX);
    vguard G;
    pv_vguard_push(&G, R, n, st->m);
    pv_status rc = st->opt->dist
                 ? pv_dist_visit(st, cell, n, R, &ndone, err)
                 : pv_round_visit(st, cell, n, R, &ndone, err);
    int cut = atomic_load(&st->census_cut);
    if (cut != INT_MAX && cut - begin + 1 < ndone)
        ndone = cut - begin + 1;        /* the rest comes again, census off */
    for (int k = 0; k < ndone; k++)
        merge(st, begin + k, end, &R[k]);
    for (int k = 0; k < n; k++)
        pv_vresult_clear(&R[k], st->m);
    pv_vguard_pop(&G);
    pv_free(R);
    pv_free(cell);
    *done = begin + ndone;
    return rc;
}
