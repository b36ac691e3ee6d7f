/* polyverify — breadth-first exploration across facets (see explore.h).
 *
 * Invariants: cells[0..ncells) are listed in BFS order, each computed
 * exactly (pv_cell_compute: realised, full-dimensional, its facets and the
 * code beyond each); `queue` holds the codes seen but not yet computed,
 * in order of discovery, with their depths; `seen` contains every listed
 * or queued code exactly once. Each listed cell keeps its neighbours'
 * codes until the end, when edges between listed cells are formed. */
#include "core/alloc.h"
#include "net/network_internal.h"
#include "polyverify/explore.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/codemap.h"
#include "core/parallel.h"
#include "core/wire.h"
#include "enum/enum_internal.h"
#include "exact/linalg.h"
#include "polyverify/cell.h"
#include "polyverify/enumerate.h"

void pv_explore_options_init(pv_explore_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->max_depth = -1;
}

void pv_explore_init(pv_explore *E)
{
    memset(E, 0, sizeof *E);
}

void pv_explore_clear(pv_explore *E)
{
    for (int i = 0; i < E->ncells; i++) {
        pv_code_clear(&E->cells[i].code);
        for (int j = 0; E->cells[i].point && j < E->m; j++)
            mpq_clear(E->cells[i].point[j]);
        pv_free(E->cells[i].point);
    }
    pv_free(E->cells);
    pv_free(E->edges);
    pv_explore_init(E);
}

/* ---- the walk ------------------------------------------------------------ */

typedef struct walk {
    const pv_net *net;
    const pv_explore_options *opt;
    pv_explore *E;
    pv_codemap seen;
    int nq, capq;              /* the queue: codes in discovery order        */
    unsigned char **qcode;
    int *qdepth;
    int capc;                  /* room in E->cells, ncross and cross        */
    int *ncross;               /* per listed cell: its neighbours' queue ids */
    int **cross;
    int beyond;                /* a neighbour past max_depth was not queued  */
} walk;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Queue id of code b, queued at depth d if new: >= 0, or -1 out of memory. */
static int enqueue(walk *w, const unsigned char *b, int d)
{
    int id = pv_codemap_get(&w->seen, b);
    if (id >= 0)
        return id;
    if (w->nq == w->capq) {
        int cap = w->capq ? 2 * w->capq : 64;
        unsigned char **qc = pv_realloc(w->qcode, (size_t)cap * sizeof *qc);
        if (qc)
            w->qcode = qc;
        int *qd = pv_realloc(w->qdepth, (size_t)cap * sizeof *qd);
        if (qd)
            w->qdepth = qd;
        if (!qc || !qd)
            return -1;
        w->capq = cap;
    }
    if ((w->qcode[w->nq] = pv_malloc((size_t)w->seen.n)) == NULL)
        return -1;
    memcpy(w->qcode[w->nq], b, (size_t)w->seen.n);
    w->qdepth[w->nq] = d;
    if (pv_codemap_add(&w->seen, b, w->nq) < 0)
        return -1;
    return w->nq++;
}

static pv_status nomem(pv_error *err)
{
    return pv_error_set(err, PV_ERR_NOMEM, "out of memory while exploring");
}

/* Lists the cell of queue entry q (already computed in C) and queues its
 * neighbours. */
static int grow_cells(walk *w)
{
    int cap = w->capc ? 2 * w->capc : 64;
    pv_explore_cell *c = pv_realloc(w->E->cells, (size_t)cap * sizeof *c);
    if (c)
        w->E->cells = c;
    int *nc = pv_realloc(w->ncross, (size_t)cap * sizeof *nc);
    if (nc)
        w->ncross = nc;
    int **cr = pv_realloc(w->cross, (size_t)cap * sizeof *cr);
    if (cr)
        w->cross = cr;
    if (!c || !nc || !cr)
        return 0;
    w->capc = cap;
    return 1;
}

static pv_status list_cell(walk *w, int q, pv_cell *C, pv_error *err)
{
    pv_explore *E = w->E;
    if (E->ncells == w->capc && !grow_cells(w))
        return nomem(err);
    int *cr = pv_malloc(((size_t)C->nfacets + 1) * sizeof(int));
    if (!cr)
        return nomem(err);
    pv_explore_cell *c = &E->cells[E->ncells];
    memset(c, 0, sizeof *c);
    pv_code_init(&c->code, C->code.n);
    pv_code_set(&c->code, &C->code);
    c->depth = w->qdepth[q];
    c->dim = C->dim;
    c->nfacets = C->nfacets;
    /* a copy: a cell computed on a worker thread holds blocks outside this
     * call's memory scope (explore_round) */
    c->point = C->point ? pv_qvec_copy(C->point, C->m) : NULL;
    w->cross[E->ncells] = cr;
    w->ncross[E->ncells] = 0;
    E->ncells++;
    for (int f = 0; f < C->nfacets; f++) {
        if (!C->facets[f].has_neighbor)
            continue;                      /* a box side: nothing beyond */
        const unsigned char *b = C->facets[f].neighbor.bit;
        int known = pv_codemap_get(&w->seen, b);
        if (known < 0 && w->opt->max_depth >= 0 && c->depth >= w->opt->max_depth) {
            w->beyond = 1;
            continue;
        }
        int id = known >= 0 ? known : enqueue(w, b, c->depth + 1);
        if (id < 0)
            return nomem(err);
        cr[w->ncross[E->ncells - 1]++] = id;
    }
    return PV_OK;
}

/* Edges between listed cells: queue ids below ncells are listed cells
 * (the queue is processed in order), each pair once with a < b. */
static pv_status collect_edges(walk *w, pv_error *err)
{
    pv_explore *E = w->E;
    size_t n = 0;
    for (int i = 0; i < E->ncells; i++)
        n += (size_t)w->ncross[i];
    E->edges = pv_malloc((2 * n + 2) * sizeof(int));
    if (!E->edges)
        return nomem(err);
    for (int i = 0; i < E->ncells; i++)
        for (int k = 0; k < w->ncross[i]; k++) {
            int j = w->cross[i][k];
            if (j > i && j < E->ncells) {
                E->edges[2 * E->nedges] = i;
                E->edges[2 * E->nedges + 1] = j;
                E->nedges++;
            }
        }
    return PV_OK;
}

static pv_status start_cell(walk *w, const pv_code *start, pv_cell *C, pv_error *err)
{
    pv_status st = pv_cell_compute(C, w->net, start, w->opt->box, PV_CELL_FACETS, err);
    if (st != PV_OK)
        return st;
    if (!C->realized)
        return pv_error_set(err, PV_ERR_ARG, "explore: the start code is not "
                            "realised%s", w->opt->box ? " in the domain" : "");
    if (C->dim < w->net->input_dim && (C->nimplicit_box || C->nimplicit_domain))
        return pv_error_set(err, PV_ERR_ARG, "explore: the start cell has "
                            "dimension %d < %d: it lies on %s of the domain; "
                            "explore walks full-dimensional cells (start inside "
                            "a full-dimensional domain, off the hyperplanes; "
                            "enumerate takes any domain)", C->dim,
                            w->net->input_dim, C->nimplicit_domain ? "rows"
                            : "box sides");
    if (C->dim < w->net->input_dim)
        return pv_error_set(err, PV_ERR_ARG, "explore: the start cell has "
                            "dimension %d < %d; explore walks full-dimensional "
                            "cells (start from a point off the hyperplanes)",
                            C->dim, w->net->input_dim);
    return PV_OK;
}

/* One round: the cells of queue entries [q, end) computed on the threads
 * (core/parallel.c), each into its own pv_cell, then listed in queue order
 * (which queues the next round), so the walk is the same for any number
 * of threads. *listed: the entries listed (fewer after an interrupt). */
typedef struct round {
    walk *w;
    int q, n;
    pv_cell *C;
    int *owner;             /* the worker that computed C[k]              */
    pv_cleanup unwind;
    const int *item;        /* over processes: this one's items (else all) */
} round;

/* Cells computed on workers 1.. hold blocks outside the calling thread's
 * memory scope: an unwinding of it frees them here. */
static void round_unwind(void *obj)
{
    round *r = obj;
    for (int k = 0; k < r->n; k++)
        if (r->owner[k] > 0)
            pv_cell_clear(&r->C[k]);
}

static pv_status compute_job(void *ctx, int k, int wk, pv_error *err)
{
    round *r = ctx;
    walk *w = r->w;
    k = r->item ? r->item[k] : k;
    r->owner[k] = wk;
    pv_code code = { w->net->neurons, w->qcode[r->q + k] };
    pv_status st = pv_cell_compute(&r->C[k], w->net, &code, w->opt->box,
                                   PV_CELL_FACETS, err);
    if (st == PV_OK && (!r->C[k].realized || r->C[k].dim < w->net->input_dim))
        st = pv_error_set(err, PV_ERR_INTERNAL, "explore: a cell beyond "
                          "a facet is not full-dimensional");
    return st;
}

static void compute_reset(void *ctx, int k, int wk)
{
    (void)wk;
    round *r = ctx;
    pv_cell_init(&r->C[r->item ? r->item[k] : k]);   /* its blocks were unwound */
}

static int poll_stop(void *ctx)
{
    const pv_explore_options *o = ctx;
    int stop = 0;
    if (o->interrupted)
        PV_HOOK(stop = o->interrupted(o->interrupted_ctx));
    return stop;
}

/* ---- over processes (opt->dist) ------------------------------------------
 * Process r computes the round's cells k with k mod size = r (on its
 * threads); one allgather gives every process every cell, as the facts
 * list_cell reads (dimension, exact point, the code beyond each facet), so
 * that every process lists the same cells in the same order. A block that
 * does not parse, or a lost process, fails the run. */

static void put_cell(pv_wbuf *B, const pv_cell *C, int n)
{
    pv_wire_put_long(B, C->dim);
    pv_wire_put_qvec(B, C->point, C->m);
    pv_wire_put_long(B, C->nfacets);
    for (int f = 0; f < C->nfacets; f++) {
        pv_wire_put_long(B, C->facets[f].has_neighbor);
        if (C->facets[f].has_neighbor)
            pv_wire_put(B, C->facets[f].neighbor.bit, (size_t)n);
    }
}

static void get_cell(pv_rbuf *B, pv_cell *C, const pv_code *code, int m)
{
    int n = code->n;
    pv_code_set(&C->code, code);
    C->m = m;
    C->realized = 1;
    C->dim = (int)pv_wire_get_long(B);
    C->point = pv_wire_get_qvec(B, m);
    long nf = pv_wire_get_long(B);
    if (nf < 0 || (size_t)nf > pv_wire_left(B)) {
        B->bad = 1;
        return;
    }
    C->facets = pv_calloc((size_t)nf + 1, sizeof *C->facets);
    for (long f = 0; f < nf && !B->bad; f++) {
        pv_cell_facet *cf = &C->facets[C->nfacets++];
        cf->box_coord = cf->domain_row = -1;
        pv_code_init(&cf->neighbor, 0);
        cf->has_neighbor = pv_wire_get_long(B) != 0;
        if (cf->has_neighbor) {
            pv_code_init(&cf->neighbor, n);
            pv_wire_get(B, cf->neighbor.bit, (size_t)n);
        }
    }
    if (!C->point)
        B->bad = 1;
}

typedef struct explore_dist {
    round *r;
    const pv_par *P;
} explore_dist;

static pv_status ex_visit(void *ctx, const int *items, int count, int *done,
                          pv_error *err)
{
    explore_dist *T = ctx;
    T->r->item = items;
    pv_status rc = pv_par_run(T->P, count, done, err);
    T->r->item = NULL;
    return rc;
}

static void ex_put_item(void *ctx, pv_wbuf *B, int k)
{
    explore_dist *T = ctx;
    put_cell(B, &T->r->C[k], T->r->w->net->neurons);
}

/* Every cell from the exchanged bytes, this process's too. */
static void ex_get_item(void *ctx, pv_rbuf *B, int k)
{
    round *r = ((explore_dist *)ctx)->r;
    pv_code code = { r->w->net->neurons, r->w->qcode[r->q + k] };
    pv_cell_clear(&r->C[k]);
    r->owner[k] = 0;                    /* now in this call's memory scope */
    get_cell(B, &r->C[k], &code, r->w->net->input_dim);
}

static pv_status dist_round(round *r, const pv_par *P, int *done, pv_error *err)
{
    explore_dist T = { r, P };
    pv_dist_round X = { r->w->opt->dist, r->n, "explore", ex_visit, NULL,
                        ex_put_item, NULL, NULL, ex_get_item, &T };
    return pv_dist_round_run(&X, done, err);
}

static pv_status explore_round(walk *w, int q, int end, int *listed,
                               pv_error *err)
{
    int n = end - q, done = 0;
    round r = { w, q, n, pv_calloc((size_t)n + 1, sizeof(pv_cell)),
                pv_calloc((size_t)n + 1, sizeof(int)), { 0 }, NULL };
    for (int k = 0; k < n; k++)
        pv_cell_init(&r.C[k]);
    pv_cleanup_push(&r.unwind, round_unwind, &r);
    pv_par P = { pv_threads_resolve(w->opt->threads), compute_job,
                 compute_reset, &r, w->opt->dist ? NULL : poll_stop, (void *)w->opt };
    pv_status st = w->opt->dist ? dist_round(&r, &P, &done, err)
                                : pv_par_run(&P, n, &done, err);
    int k = 0;
    for (pv_status ls = PV_OK; k < done && ls == PV_OK; k++)
        ls = list_cell(w, q + k, &r.C[k], err);
    for (int i = 0; i < n; i++)
        pv_cell_clear(&r.C[i]);
    pv_cleanup_pop(&r.unwind);
    pv_free(r.C);
    pv_free(r.owner);
    *listed = k;
    if (st == PV_OK && k < done)
        st = PV_ERR_NOMEM;              /* list_cell said so in err */
    if (st == PV_OK && done < n)
        st = pv_error_set(err, PV_ERR_INTERRUPTED, "explore: interrupted");
    return st;
}

static pv_status run(walk *w, const pv_code *start, pv_error *err)
{
    const pv_explore_options *o = w->opt;
    pv_explore *E = w->E;
    double t0 = now_seconds(), last = t0;
    pv_cell C;
    pv_cell_init(&C);
    pv_status st = start_cell(w, start, &C, err);
    if (st == PV_OK && enqueue(w, start->bit, 0) < 0)
        st = nomem(err);
    if (st == PV_OK)
        st = list_cell(w, 0, &C, err);
    pv_cell_clear(&C);
    for (int q = 1; st == PV_OK && q < w->nq;) {
        if (o->max_cells > 0 && E->ncells >= o->max_cells) {
            st = pv_error_set(err, PV_ERR_LIMIT, "explore: stopped at --max-cells "
                              "%ld", o->max_cells);
            break;
        }
        int end = w->nq, listed = 0;
        if (o->max_cells > 0 && end - q > o->max_cells - E->ncells)
            end = q + (int)(o->max_cells - E->ncells);
        st = explore_round(w, q, end, &listed, err);
        q += listed;
        double t = now_seconds();
        if (o->progress && t - last > 0.5) {
            PV_HOOK(o->progress(o->progress_ctx, E->ncells, t - t0));
            last = t;
        }
    }
    E->complete = st == PV_OK && !w->beyond;
    if (st == PV_OK || st == PV_ERR_LIMIT || st == PV_ERR_INTERRUPTED) {
        pv_error keep = *err;
        pv_status st2 = o->edges ? collect_edges(w, err) : PV_OK;
        if (st2 != PV_OK)
            return st2;
        *err = keep;
    }
    return st;
}

static pv_status explore_run(pv_explore *E, const pv_net *net, const pv_code *start,
                             const pv_explore_options *opt, pv_error *err)
{
    pv_explore_options defaults;
    if (!opt) {
        pv_explore_options_init(&defaults);
        opt = &defaults;
    }
    pv_explore_clear(E);
    E->m = net->input_dim;
    pv_status dc = opt->dist ? pv_dist_check(opt->dist, opt->interrupted != NULL,
                                             "explore", err) : PV_OK;
    if (dc != PV_OK)
        return dc;
    if (start->n != net->neurons)
        return pv_error_set(err, PV_ERR_ARG, "explore: a code of %d bits for "
                            "a network of %d neurons", start->n, net->neurons);
    walk w;
    memset(&w, 0, sizeof w);
    w.net = net;
    w.opt = opt;
    w.E = E;
    pv_status st = pv_codemap_init(&w.seen, net->neurons) ? run(&w, start, err) : nomem(err);
    pv_codemap_clear(&w.seen);
    for (int q = 0; q < w.nq; q++)
        pv_free(w.qcode[q]);
    pv_free(w.qcode);
    pv_free(w.qdepth);
    for (int i = 0; i < E->ncells; i++)
        pv_free(w.cross[i]);
    pv_free(w.cross);
    pv_free(w.ncross);
    if (st != PV_OK && st != PV_ERR_LIMIT && st != PV_ERR_INTERRUPTED)
        pv_explore_clear(E);
    return st;
}

pv_status pv_explore_run(pv_explore *E, const pv_net *net, const pv_code *start,
                         const pv_explore_options *opt, pv_error *err)
{
    PV_GUARD(err, explore_run(E, net, start, opt, err), pv_explore_init(E));
}
