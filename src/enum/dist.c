/* polyverify — one round of the enumeration's walk distributed over
 * processes (opt->dist: MPI ranks through cli/mpi.c).
 *
 * Every process holds the whole state (the cells found, their hints and
 * neighbours) and runs the same rounds. In a round, process r visits the
 * cells k with k mod size = r (on its own threads), serialises what each
 * visit found, and one allgather gives every process every visit; each
 * then merges all of them in cell order (round.c) and so holds the same
 * state as every other, and as a one-process walk. What crosses between
 * processes is exact (core/wire.c).
 *
 * The exchanged block of a process: a header (the number of its cells it
 * visited, its least cell that ran past the census budget, whether it was
 * interrupted, and the failure of its least failed cell: status and
 * message), then one record per visited cell in its order. A block that
 * does not parse is an internal error: a lost or garbled process never
 * passes for a partial answer. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/wire.h"
#include "exact/linalg.h"

/* ---- one visit's result ---------------------------------------------- */

static void put_result(pv_wbuf *B, const vresult *R, int m, int n)
{
    pv_wire_put_long(B, R->dim);
    pv_wire_put_qvec(B, R->point, m);
    pv_wire_put_long(B, R->nfound);
    for (int k = 0; k < R->nfound; k++) {
        const vfound *f = &R->found[k];
        pv_wire_put_long(B, f->beyond);
        pv_wire_put(B, f->code.bit, (size_t)n);
        if (f->beyond)
            pv_wire_put(B, f->hint, (size_t)(2 * m) * sizeof(double));
    }
    const pv_enum_genpos *g = &R->gp;
    long v[] = { g->zero_rows, g->shared_facets, g->vertices, g->bad_vertices,
                 g->example_cell, g->example_kind, g->example_count,
                 R->faces, R->fast, R->stats.float_lps, R->stats.exact_lps,
                 R->stats.float_proofs, R->stats.rays, R->census_off };
    pv_wire_put(B, v, sizeof v);
    pv_wire_put_qvec(B, g->example_vertex, m);
}

static void get_result(pv_rbuf *B, vresult *R, int m, int n)
{
    R->dim = (int)pv_wire_get_long(B);
    R->point = pv_wire_get_qvec(B, m);
    long nf = pv_wire_get_long(B);
    if (nf < 0 || (size_t)nf > pv_wire_left(B)) {   /* each takes > 1 byte */
        B->bad = 1;
        return;
    }
    R->found = pv_calloc((size_t)nf + 1, sizeof *R->found);
    R->cap = (int)nf;
    for (long k = 0; k < nf && !B->bad; k++) {
        vfound *f = &R->found[R->nfound++];
        f->beyond = pv_wire_get_long(B) != 0;
        pv_code_init(&f->code, n);
        pv_wire_get(B, f->code.bit, (size_t)n);
        if (f->beyond) {
            f->hint = pv_malloc((size_t)(2 * m + 1) * sizeof(double));
            pv_wire_get(B, f->hint, (size_t)(2 * m) * sizeof(double));
        }
    }
    long v[14];
    if (!pv_wire_get(B, v, sizeof v))
        return;
    pv_enum_genpos *g = &R->gp;
    g->zero_rows = v[0];
    g->shared_facets = v[1];
    g->vertices = v[2];
    g->bad_vertices = v[3];
    g->example_cell = (int)v[4];
    g->example_kind = (int)v[5];
    g->example_count = (int)v[6];
    R->faces = v[7];
    R->fast = (int)v[8];
    R->stats.float_lps = v[9];
    R->stats.exact_lps = v[10];
    R->stats.float_proofs = v[11];
    R->stats.rays = v[12];
    R->census_off = (int)v[13];
    g->example_vertex = pv_wire_get_qvec(B, m);
}

/* ---- the round ---------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

pv_status pv_dist_check(const pv_enum_dist *D, int interrupt_hook,
                        const char *who, pv_error *err)
{
    if (D->size < 1 || D->rank < 0 || D->rank >= D->size || !D->allgather)
        return pv_error_set(err, PV_ERR_ARG, "%s: dist: rank %d of %d processes, "
                            "or no allgather", who, D->rank, D->size);
    if (interrupt_hook)
        return pv_error_set(err, PV_ERR_ARG, "%s: an interrupt hook with dist "
                            "(every process must stop at the same cell)", who);
    return PV_OK;
}

/* ---- a round over the processes (enumerate's and explore's) ------------ */

/* Items of process p in a round of n: p, p + size, ... */
static int share(int n, int p, int size)
{
    return n > p ? (n - p + size - 1) / size : 0;
}

pv_status pv_dist_round_run(const pv_dist_round *T, int *done, pv_error *err)
{
    const pv_enum_dist *D = T->D;
    int n = T->n, size = D->size, rank = D->rank;
    int mine_n = share(n, rank, size), mine_done = 0;
    int *mine = pv_malloc((size_t)(mine_n + 1) * sizeof *mine);
    for (int i = 0; i < mine_n; i++)
        mine[i] = rank + i * size;
    pv_error e;
    memset(&e, 0, sizeof e);
    pv_status rc = T->visit(T->ctx, mine, mine_n, &mine_done, &e);
    /* this process's block: items visited, status and message, the
     * caller's header, then the record of each item visited */
    pv_wbuf B = { NULL, 0, 0 };
    long msg = rc == PV_OK ? 0 : (long)strlen(e.msg);
    pv_wire_put_long(&B, mine_done);
    pv_wire_put_long(&B, rc);
    pv_wire_put_long(&B, msg);
    pv_wire_put(&B, e.msg, (size_t)msg);
    if (T->put_head)
        T->put_head(T->ctx, &B);
    for (int i = 0; i < mine_done; i++)
        T->put_item(T->ctx, &B, mine[i]);
    pv_free(mine);
    if (T->visited)
        T->visited(T->ctx);
    void *all = NULL;
    size_t *sizes = pv_calloc((size_t)size, sizeof *sizes);
    int ex = D->allgather(D->ctx, B.p, B.n, &all, sizes);
    pv_free(B.p);
    pv_status out = ex ? pv_error_set(err, PV_ERR_INTERNAL, "%s: the exchange "
                                      "between processes failed (a process "
                                      "was lost)", T->who) : PV_OK;
    /* every block, in rank order, this process's too (so every process
     * holds what the same bytes say): the first item not visited anywhere
     * ends the prefix, and the least failure is the round's */
    int first_gap = n, fail_at = INT_MAX;
    size_t off = 0;
    for (int p = 0; p < size && out == PV_OK; p++) {
        pv_rbuf rb = { (const unsigned char *)all + off, sizes[p], 0, 0 };
        off += sizes[p];
        int pn = share(n, p, size);
        long pdone = pv_wire_get_long(&rb), prc = pv_wire_get_long(&rb);
        long pmsg = pv_wire_get_long(&rb);
        char text[sizeof e.msg];
        memset(text, 0, sizeof text);
        if (pdone < 0 || pdone > pn || pmsg < 0 || (size_t)pmsg >= sizeof text)
            rb.bad = 1;
        else
            pv_wire_get(&rb, text, (size_t)pmsg);
        if (!rb.bad && T->get_head)
            T->get_head(T->ctx, &rb, p);
        for (long i = 0; i < pdone && !rb.bad; i++)
            T->get_item(T->ctx, &rb, p + (int)i * size);
        if (rb.bad || rb.at != rb.n) {
            out = pv_error_set(err, PV_ERR_INTERNAL, "%s: the results of "
                               "process %d do not parse", T->who, p);
            break;
        }
        int gap = pdone < pn ? p + (int)pdone * size : n;
        if (gap < first_gap)
            first_gap = gap;
        if (prc != PV_OK && gap < fail_at) {
            fail_at = gap;
            memset(&e, 0, sizeof e);
            e.status = (pv_status)prc;
            memcpy(e.msg, text, sizeof e.msg - 1);
        }
    }
    pv_free(sizes);
    free(all);
    if (out != PV_OK)
        return out;
    *done = first_gap;
    if (fail_at == first_gap) {
        if (err)
            *err = e;
        return e.status;
    }
    return PV_OK;
}

/* ---- the enumeration's round -------------------------------------------- */

typedef struct enum_round {
    state *st;
    const int *cell;        /* the round's cells                          */
    vresult *R;             /* every item's result, after the exchange    */
    vresult *mine;          /* this process's results, item k at k / size */
    int size, mine_n;
    vguard G;
    double busy, *busy_all;
    int cut_all;
} enum_round;

static pv_status enum_visit(void *ctx, const int *items, int count, int *done,
                            pv_error *err)
{
    enum_round *T = ctx;
    state *st = T->st;
    int *cells = pv_malloc((size_t)(count + 1) * sizeof *cells);
    for (int i = 0; i < count; i++)
        cells[i] = T->cell[items[i]];
    T->mine = pv_calloc((size_t)count + 1, sizeof *T->mine);
    T->mine_n = count;
    pv_vguard_push(&T->G, T->mine, count, st->m);
    double t0 = now_seconds();
    pv_status rc = pv_round_visit(st, cells, count, T->mine, done, err);
    T->busy = now_seconds() - t0;
    pv_free(cells);
    return rc;
}

/* the enumeration's header: its census cut, interrupt, busy seconds */
static void enum_put_head(void *ctx, pv_wbuf *B)
{
    enum_round *T = ctx;
    pv_wire_put_long(B, atomic_load(&T->st->census_cut));
    pv_wire_put_long(B, atomic_load(&T->st->interrupted));
    pv_wire_put(B, &T->busy, sizeof T->busy);
}

static void enum_put_item(void *ctx, pv_wbuf *B, int k)
{
    enum_round *T = ctx;
    put_result(B, &T->mine[k / T->size], T->st->m, T->st->n);
}

static void enum_visited(void *ctx)
{
    enum_round *T = ctx;
    for (int k = 0; k < T->mine_n; k++)
        pv_vresult_clear(&T->mine[k], T->st->m);
    pv_vguard_pop(&T->G);
    pv_free(T->mine);
    T->mine = NULL;
}

static void enum_get_head(void *ctx, pv_rbuf *B, int p)
{
    enum_round *T = ctx;
    long cut = pv_wire_get_long(B), interrupted = pv_wire_get_long(B);
    pv_wire_get(B, &T->busy_all[p], sizeof(double));
    if (interrupted)
        atomic_store(&T->st->interrupted, 1);
    if (cut < T->cut_all)
        T->cut_all = (int)cut;
}

static void enum_get_item(void *ctx, pv_rbuf *B, int k)
{
    enum_round *T = ctx;
    get_result(B, &T->R[k], T->st->m, T->st->n);
}

pv_status pv_dist_visit(state *st, const int *cell, int n, vresult *R,
                        int *done, pv_error *err)
{
    const pv_enum_dist *D = st->opt->dist;
    enum_round T;
    memset(&T, 0, sizeof T);
    T.st = st;
    T.cell = cell;
    T.R = R;
    T.size = D->size;
    T.cut_all = INT_MAX;
    T.busy_all = pv_calloc((size_t)D->size, sizeof *T.busy_all);
    pv_dist_round X = { D, n, "enumerate", enum_visit, enum_put_head,
                        enum_put_item, enum_visited, enum_get_head,
                        enum_get_item, &T };
    pv_status rc = pv_dist_round_run(&X, done, err);
    if (rc != PV_ERR_INTERNAL) {
        atomic_store(&st->census_cut, T.cut_all);
        if (D->round_done)
            PV_HOOK(D->round_done(D->ctx, (long)st->ncells, T.busy_all));
    }
    pv_free(T.busy_all);
    return rc;
}
