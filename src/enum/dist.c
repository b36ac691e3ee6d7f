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

/* This process's block: header, then the records of its visited cells. */
static void write_block(pv_wbuf *B, state *st, int mine_n, int mine_done,
                        const vresult *mine, pv_status rc, const pv_error *e,
                        int cut, double busy)
{
    long msg = rc == PV_OK ? 0 : (long)strlen(e->msg);
    pv_wire_put_long(B, mine_done);
    pv_wire_put_long(B, cut);
    pv_wire_put_long(B, atomic_load(&st->interrupted));
    pv_wire_put_long(B, rc);
    pv_wire_put_long(B, mine_done < mine_n && rc != PV_OK);
    pv_wire_put(B, &busy, sizeof busy);
    pv_wire_put_long(B, msg);
    if (msg)
        pv_wire_put(B, e->msg, (size_t)msg);
    for (int k = 0; k < mine_done; k++)
        put_result(B, &mine[k], st->m, st->n);
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

pv_status pv_dist_visit(state *st, const int *cell, int n, vresult *R,
                        int *done, pv_error *err)
{
    const pv_enum_dist *D = st->opt->dist;
    int size = D->size, rank = D->rank;
    /* this process's share: items rank, rank + size, ... */
    int mine_n = n > rank ? (n - rank + size - 1) / size : 0, mine_done = 0;
    int *mine_cell = pv_malloc((size_t)(mine_n + 1) * sizeof *mine_cell);
    vresult *mine = pv_calloc((size_t)mine_n + 1, sizeof *mine);
    for (int k = 0; k < mine_n; k++)
        mine_cell[k] = cell[rank + k * size];
    pv_error e;
    memset(&e, 0, sizeof e);
    double t0 = now_seconds();
    vguard G;
    pv_vguard_push(&G, mine, mine_n, st->m);
    pv_status rc = pv_round_visit(st, mine_cell, mine_n, mine, &mine_done, &e);
    double busy = now_seconds() - t0;
    int cut = atomic_load(&st->census_cut);
    pv_wbuf B = { NULL, 0, 0 };
    write_block(&B, st, mine_n, mine_done, mine, rc, &e, cut, busy);
    for (int k = 0; k < mine_n; k++)
        pv_vresult_clear(&mine[k], st->m);
    pv_vguard_pop(&G);
    pv_free(mine);
    pv_free(mine_cell);

    void *all = NULL;
    size_t *sizes = pv_calloc((size_t)size, sizeof *sizes);
    int ex = D->allgather(D->ctx, B.p, B.n, &all, sizes);
    pv_free(B.p);
    if (ex != 0) {
        pv_free(sizes);
        free(all);
        return pv_error_set(err, PV_ERR_INTERNAL, "enumerate: the exchange "
                            "between processes failed (a process was lost)");
    }
    /* every block, in rank order: the first cell not visited anywhere
     * ends the prefix, and the least failure is the run's */
    pv_status out = PV_OK;
    int first_gap = n, cut_all = INT_MAX, fail_at = INT_MAX;
    double *busy_all = pv_calloc((size_t)size, sizeof *busy_all);
    size_t off = 0;
    for (int r = 0; r < size && out == PV_OK; r++) {
        pv_rbuf rb = { (const unsigned char *)all + off, sizes[r], 0, 0 };
        off += sizes[r];
        int rn = n > r ? (n - r + size - 1) / size : 0;
        long rdone = pv_wire_get_long(&rb), rcut = pv_wire_get_long(&rb);
        long rint = pv_wire_get_long(&rb), rrc = pv_wire_get_long(&rb), rfailed = pv_wire_get_long(&rb);
        pv_wire_get(&rb, &busy_all[r], sizeof(double));
        long msg = pv_wire_get_long(&rb);
        char text[sizeof e.msg];
        memset(text, 0, sizeof text);
        if (msg < 0 || (size_t)msg >= sizeof text || rdone < 0 || rdone > rn)
            rb.bad = 1;
        else if (msg)
            pv_wire_get(&rb, text, (size_t)msg);
        for (long k = 0; k < rdone && !rb.bad; k++)
            get_result(&rb, &R[r + k * size], st->m, st->n);
        if (rb.bad || rb.at != rb.n) {
            out = pv_error_set(err, PV_ERR_INTERNAL, "enumerate: the results "
                               "of process %d do not parse", r);
            break;
        }
        if (rint)
            atomic_store(&st->interrupted, 1);
        if (rcut < cut_all)
            cut_all = (int)rcut;
        int gap = rdone < rn ? r + (int)rdone * size : n;
        if (gap < first_gap)
            first_gap = gap;
        if (rfailed && gap < fail_at) {
            fail_at = gap;
            memset(&e, 0, sizeof e);
            e.status = (pv_status)rrc;
            memcpy(e.msg, text, sizeof e.msg - 1);
        }
    }
    if (out == PV_OK && D->round_done)
        PV_HOOK(D->round_done(D->ctx, (long)st->ncells, busy_all));
    pv_free(busy_all);
    pv_free(sizes);
    free(all);
    if (out != PV_OK)
        return out;
    atomic_store(&st->census_cut, cut_all);
    *done = first_gap;
    if (fail_at == first_gap) {
        if (err)
            *err = e;
        return e.status;
    }
    return PV_OK;
}
