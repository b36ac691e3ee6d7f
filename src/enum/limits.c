/* polyverify — an enumeration's limits: max_cells, the memory limit (a
 * proved lower bound up front, the call's heap growth as the run goes), the
 * caller's interrupt hook, and progress reports, which share its clock. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <time.h>

#include "exact/linalg.h"

/* Bytes of heap this call holds: what its memory scope has allocated and
 * not freed (alloc.h), so that neither the caller's memory nor another
 * enumeration in the process counts. max_bytes bounds its growth since
 * the enumeration started. Cells vary too much in size (a point's numbers
 * may have hundreds of digits) for an estimate, so the scope counts. */
static size_t heap_in_use(void)
{
    return pv_scope_bytes();
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void pv_limits_start(state *st)
{
    st->t0 = st->last_report = st->last_poll = now_seconds();
    st->heap0 = heap_in_use();
}

double pv_limits_elapsed(const state *st)
{
    return now_seconds() - st->t0;
}

/* max_cells, then max_bytes: the heap is asked once every 64 cells (a
 * cell is far smaller than any limit, and asking is not free). */
int pv_limits_room(state *st)
{
    if (st->opt->max_cells > 0 && st->ncells >= st->opt->max_cells) {
        st->limit_hit = 1;
        return 0;
    }
    /* not over processes (opt->dist): each would measure its own heap,
     * and they must stop at the same cell */
    if (st->opt->max_bytes > 0 && !st->opt->dist && st->ncells % 64 == 0 &&
        heap_in_use() > st->heap0 + st->opt->max_bytes) {
        st->limit_hit = st->memory_hit = 1;
        return 0;
    }
    return 1;
}

static void report_progress(state *st, double t)
{
    if (!st->opt->progress || t - st->last_report < 0.5)
        return;
    st->last_report = t;
    PV_HOOK(st->opt->progress(st->opt->progress_ctx, st->ncells, t - st->t0));
}

/* The one place where a run looks up from its work: progress every half
 * second, the caller's interrupt hook every 5 ms of work. Called between
 * any two pieces of work that cost an LP or more (a cell, a face, a facet,
 * a pair), so no phase runs unobserved. Returns 1 when the run must stop
 * at once (interrupt, memory): the callers unwind, keeping what was
 * decided. */
int pv_limits_must_stop(state *st)
{
    if (st->interrupted || st->memory_hit)
        return 1;
    double t = now_seconds();
    report_progress(st, t);
    if (st->opt->interrupted && t - st->last_poll >= 0.005) {
        st->last_poll = t;
        int stop = 0;
        PV_HOOK(stop = st->opt->interrupted(st->opt->interrupted_ctx));
        st->interrupted = stop != 0;
    }
    return st->interrupted;
}

int pv_limits_visit_stop(const cellctx *X)
{
    if (X->cell > atomic_load(&X->st->census_cut))
        return 1;                        /* redone next round (round.c) */
    if (X->w->id == 0)
        return pv_limits_must_stop(X->st);   /* the calling thread polls */
    return X->st->interrupted || X->st->memory_hit;
}

/* Whether new codes can still be recorded: after max_cells (or a stop) no
 * code is added, so searching for more is wasted time. */
int pv_limits_can_add(const state *st)
{
    return !st->limit_hit && !st->interrupted && !st->memory_hit;
}

size_t pv_enum_bytes_per_cell(const pv_net *net)
{
    /* a lower bound: the working cell and the result each hold the code
     * (a byte a bit) and an exact point of m rationals (the struct and at
     * least one limb each for numerator and denominator); plus the hash
     * slot. Real cells hold more (points with long numbers, neighbours). */
    size_t m = (size_t)net->input_dim, n = (size_t)net->neurons;
    return 2 * (n + 1 + m * (sizeof(mpq_t) + 16)) + sizeof(ecell) +
           sizeof(pv_enum_cell) + 2 * sizeof(int);
}

/* Without a box, the first layer alone has at least 2^r cells when its
 * weights have rank r (r independent hyperplanes cut R^m into 2^r
 * orthants, each holding a cell; rank mod p is a lower bound of the rank).
 * Refuses at once when that many cells cannot fit in max_bytes. */
pv_status pv_limits_check_memory(const pv_net *net, const pv_enum_options *opt,
                                 size_t cell_bytes, pv_error *err)
{
    if (opt->max_bytes == 0 || opt->box != NULL)
        return PV_OK;
    int r = pv__layer_rank_mod_p(&net->layers[0]);
    size_t cap = opt->max_bytes / cell_bytes;  /* cells that fit */
    if (opt->max_cells > 0 && (size_t)opt->max_cells <= cap)
        return PV_OK;                          /* bounded by the user */
    if (r < 62 && ((size_t)1 << r) <= cap)
        return PV_OK;
    return pv_error_set(err, PV_ERR_LIMIT, "enumerate: all of R^%d has at "
                        "least 2^%d cells (the first layer has rank %d, so "
                        "every sign pattern of %d of its neurons is "
                        "realised), about %zu bytes each: more than the "
                        "memory limit of %zu MiB. Give a --box, or bound the "
                        "run with --max-cells K", net->input_dim, r, r, r,
                        cell_bytes, opt->max_bytes >> 20);
}
