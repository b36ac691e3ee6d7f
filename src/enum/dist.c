/* polyverify — one round of the enumeration's walk distributed over
 * processes (opt->dist: MPI ranks through cli/mpi.c).
 *
 * Every process holds the whole state (the cells found, their hints and
 * neighbours) and runs the same rounds. In a round, process r visits the
 * cells k with k mod size = r (on its own threads), serialises what each
 * visit found, and one allgather gives every process every visit; each
 * then merges all of them in cell order (round.c) and so holds the same
 * state as every other, and as a one-process walk. What crosses between
 * processes is exact: points as GMP integers' bytes, codes as bytes,
 * hints as the doubles' bytes (the processes are one program on one kind
 * of machine).
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

#include "exact/linalg.h"

/* ---- writing ------------------------------------------------------------ */

typedef struct wbuf {
    unsigned char *p;
    size_t n, cap;
} wbuf;

static void put(wbuf *B, const void *x, size_t n)
{
    if (B->n + n > B->cap) {
        B->cap = 2 * (B->n + n) + 256;
        B->p = pv_realloc(B->p, B->cap);
    }
    memcpy(B->p + B->n, x, n);
    B->n += n;
}

static void put_long(wbuf *B, long v) { put(B, &v, sizeof v); }

/* An integer as its sign and magnitude bytes (mpz_export: exact, and far
 * faster than text for the long fractions of cell points). */
static void put_mpz(wbuf *B, const mpz_t z)
{
    size_t len = mpz_sgn(z) ? (mpz_sizeinbase(z, 2) + 7) / 8 : 0;
    put_long(B, mpz_sgn(z) < 0 ? -(long)len - 1 : (long)len);
    if (B->n + len > B->cap) {
        B->cap = 2 * (B->n + len) + 256;
        B->p = pv_realloc(B->p, B->cap);
    }
    size_t out = 0;
    if (len)
        mpz_export(B->p + B->n, &out, 1, 1, 1, 0, z);
    B->n += out;
}

static void put_qvec(wbuf *B, mpq_t *const x, int m)
{
    put_long(B, x != NULL);
    for (int j = 0; x && j < m; j++) {
        put_mpz(B, mpq_numref(x[j]));
        put_mpz(B, mpq_denref(x[j]));
    }
}

static void put_result(wbuf *B, const vresult *R, int m, int n)
{
    put_long(B, R->dim);
    put_qvec(B, R->point, m);
    put_long(B, R->nfound);
    for (int k = 0; k < R->nfound; k++) {
        const vfound *f = &R->found[k];
        put_long(B, f->beyond);
        put(B, f->code.bit, (size_t)n);
        if (f->beyond)
            put(B, f->hint, (size_t)(2 * m) * sizeof(double));
    }
    const pv_enum_genpos *g = &R->gp;
    long v[] = { g->zero_rows, g->shared_facets, g->vertices, g->bad_vertices,
                 g->example_cell, g->example_kind, g->example_count,
                 R->faces, R->fast, R->stats.float_lps, R->stats.exact_lps,
                 R->stats.float_proofs, R->stats.rays, R->census_off };
    put(B, v, sizeof v);
    put_qvec(B, g->example_vertex, m);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct rbuf {
    const unsigned char *p;
    size_t n, at;
    int bad;
} rbuf;

static int get(rbuf *B, void *x, size_t n)
{
    if (B->bad || n > B->n - B->at) {
        B->bad = 1;
        return 0;
    }
    memcpy(x, B->p + B->at, n);
    B->at += n;
    return 1;
}

static long get_long(rbuf *B)
{
    long v = 0;
    get(B, &v, sizeof v);
    return v;
}

static void get_mpz(rbuf *B, mpz_t z)
{
    long v = get_long(B);
    size_t len = (size_t)(v < 0 ? -(v + 1) : v);
    if (B->bad || len > B->n - B->at) {
        B->bad = 1;
        return;
    }
    mpz_import(z, len, 1, 1, 1, 0, B->p + B->at);
    if (v < 0)
        mpz_neg(z, z);
    B->at += len;
}

static mpq_t *get_qvec(rbuf *B, int m)
{
    if (!get_long(B) || B->bad)
        return NULL;
    mpq_t *x = pv_qvec_new(m);
    for (int j = 0; j < m && !B->bad; j++) {
        get_mpz(B, mpq_numref(x[j]));
        get_mpz(B, mpq_denref(x[j]));
        if (mpz_sgn(mpq_denref(x[j])) <= 0)
            B->bad = 1;                 /* not a fraction a process wrote */
    }
    return x;
}

static void get_result(rbuf *B, vresult *R, int m, int n)
{
    R->dim = (int)get_long(B);
    R->point = get_qvec(B, m);
    long nf = get_long(B);
    if (nf < 0 || (size_t)nf > B->n - B->at) {   /* each takes > 1 byte */
        B->bad = 1;
        return;
    }
    R->found = pv_calloc((size_t)nf + 1, sizeof *R->found);
    R->cap = (int)nf;
    for (long k = 0; k < nf && !B->bad; k++) {
        vfound *f = &R->found[R->nfound++];
        f->beyond = get_long(B) != 0;
        pv_code_init(&f->code, n);
        get(B, f->code.bit, (size_t)n);
        if (f->beyond) {
            f->hint = pv_malloc((size_t)(2 * m + 1) * sizeof(double));
            get(B, f->hint, (size_t)(2 * m) * sizeof(double));
        }
    }
    long v[14];
    if (!get(B, v, sizeof v))
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
    g->example_vertex = get_qvec(B, m);
}

/* ---- the round ---------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* This process's block: header, then the records of its visited cells. */
static void write_block(wbuf *B, state *st, int mine_n, int mine_done,
                        const vresult *mine, pv_status rc, const pv_error *e,
                        int cut, double busy)
{
    long msg = rc == PV_OK ? 0 : (long)strlen(e->msg);
    put_long(B, mine_done);
    put_long(B, cut);
    put_long(B, atomic_load(&st->interrupted));
    put_long(B, rc);
    put_long(B, mine_done < mine_n && rc != PV_OK);
    put(B, &busy, sizeof busy);
    put_long(B, msg);
    if (msg)
        put(B, e->msg, (size_t)msg);
    for (int k = 0; k < mine_done; k++)
        put_result(B, &mine[k], st->m, st->n);
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
    wbuf B = { NULL, 0, 0 };
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
        rbuf rb = { (const unsigned char *)all + off, sizes[r], 0, 0 };
        off += sizes[r];
        int rn = n > r ? (n - r + size - 1) / size : 0;
        long rdone = get_long(&rb), rcut = get_long(&rb);
        long rint = get_long(&rb), rrc = get_long(&rb), rfailed = get_long(&rb);
        get(&rb, &busy_all[r], sizeof(double));
        long msg = get_long(&rb);
        char text[sizeof e.msg];
        memset(text, 0, sizeof text);
        if (msg < 0 || (size_t)msg >= sizeof text || rdone < 0 || rdone > rn)
            rb.bad = 1;
        else if (msg)
            get(&rb, text, (size_t)msg);
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
