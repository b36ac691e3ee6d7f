/* What pvbench measures: polyverify itself.
 *
 * (a) per query (= per activation code; means over the queries):
 *   pv_cell_compute from the code with PV_CELL_DIM (realised, dimension,
 *   interior point) and, as a separate call, PV_CELL_FACETS (the same plus
 *   every facet with its neighbour code); "adj" is pv_adjacency_check of
 *   the cell and the neighbour across its first neuron facet (the pair is
 *   checked to come out adjacent). --a-only dim|facets runs one kind
 *   alone, without adjacency (for profiling).
 * The enumeration: every cell of enumbench's nets on [-1,1]^m
 *   (bench_enumerate_box), regions = its full-dimensional cells.
 *
 * Each runs in its own process (harness.c); the first query of (a) is
 * repeated once untimed beforehand, so that one-time library set-up is not
 * counted as a query's cost. */
#include <stdio.h>
#include <string.h>

#include "polyverify/adjacency.h"
#include "polyverify/cell.h"
#include "polyverify/enumerate.h"
#include "pvbench.h"

/* Query q with PV_CELL_DIM, timed: realised count and (first code) dim. */
static void query_dim(part_a *r, const setup *s, int q)
{
    pv_cell C;
    pv_error err = { 0 };
    pv_cell_init(&C);
    double t0 = bench_clock(s->opt);
    pv_status rc = pv_cell_compute(&C, &s->net, &s->codes[q], setup_box(s), PV_CELL_DIM, &err);
    r->dim_s += bench_clock(s->opt) - t0;
    if (rc != PV_OK) {
        fprintf(stderr, "pvbench: %s: %s\n", s->c->name, err.msg);
        r->status = ST_FAIL;
    }
    r->realized += C.realized;
    if (q == 0)
        r->dim0 = C.dim;
    pv_cell_clear(&C);
}

/* The adjacency check of cell C (code q) with the neighbour across its
 * first facet that has one (a neuron facet), timed. */
static void query_adjacency(part_a *r, const setup *s, int q, const pv_cell *C)
{
    for (int f = 0; f < C->nfacets; f++) {
        if (!C->facets[f].has_neighbor)
            continue;
        pv_adjacency A;
        pv_error err = { 0 };
        pv_adjacency_init(&A);
        double t0 = bench_clock(s->opt);
        pv_status rc = pv_adjacency_check(&A, &s->net, &s->codes[q], &C->facets[f].neighbor,
                                          setup_box(s), &err);
        r->adj_s += bench_clock(s->opt) - t0;
        r->adj_pairs++;
        r->adj_ok += rc == PV_OK && A.adjacent && A.d_A == 1;
        pv_adjacency_clear(&A);
        return;
    }
}

/* Query q with PV_CELL_FACETS, timed, with its LP counts; the realised
 * count too when the dim query is not run; then the adjacency check. */
static void query_facets(part_a *r, const setup *s, int q, int count_realized,
                         int adjacency)
{
    pv_cell C;
    pv_error err = { 0 };
    pv_cell_init(&C);
    double t0 = bench_clock(s->opt);
    pv_status rc = pv_cell_compute(&C, &s->net, &s->codes[q], setup_box(s), PV_CELL_FACETS,
                                   &err);
    r->facets_s += bench_clock(s->opt) - t0;
    if (rc != PV_OK) {
        fprintf(stderr, "pvbench: %s: %s\n", s->c->name, err.msg);
        r->status = ST_FAIL;
    }
    if (q == 0)
        r->dim0 = C.dim, r->facets0 = C.nfacets;
    r->facets_mean += C.nfacets;
    r->float_lps += (double)C.stats.float_lps;
    r->exact_lps += (double)C.stats.exact_lps;
    r->rays += (double)C.stats.rays;
    if (count_realized)
        r->realized += C.realized;
    if (adjacency)
        query_adjacency(r, s, q, &C);
    pv_cell_clear(&C);
}

void run_a(void *setup_ctx, void *out)
{
    const setup *s = setup_ctx;
    part_a *r = out;
    memset(r, 0, sizeof *r);
    r->status = ST_OK;
    const char *only = s->opt->a_only;
    int do_dim = !only || !strcmp(only, "dim");
    int do_fac = !only || !strcmp(only, "facets");
    {   /* warm-up, untimed */
        pv_cell W;
        pv_cell_init(&W);
        pv_cell_compute(&W, &s->net, &s->codes[0], setup_box(s), PV_CELL_DIM, NULL);
        pv_cell_clear(&W);
    }
    for (int q = 0; q < s->queries; q++) {
        if (do_dim)
            query_dim(r, s, q);
        if (do_fac)
            query_facets(r, s, q, !do_dim, !only);
    }
    int n = s->queries;
    r->dim_s /= n;
    r->facets_s /= n;
    r->facets_mean /= n;
    r->float_lps /= n;
    r->exact_lps /= n;
    r->rays /= n;
    if (r->adj_pairs)
        r->adj_s /= r->adj_pairs;
}

void run_enum(void *enum_job_ctx, void *out)
{
    const enum_job *j = enum_job_ctx;
    const bench_shape *sh = &bench_rpm_shapes[j->shape];
    enum_result *r = out;
    memset(r, 0, sizeof *r);
    pv_net net;
    bench_enum_net(&net, sh->m, sh->w, 2, j->shape, j->seed, 0);
    pv_enum E;
    pv_enum_init(&E);
    pv_error err = { 0 };
    double t0 = bench_clock(j->opt);
    pv_status rc = bench_enumerate_box(&E, &net, 1.0, 0, 0, NULL, &err);
    r->seconds = bench_clock(j->opt) - t0;
    if (rc != PV_OK)
        fprintf(stderr, "pvbench: enumeration: %s\n", err.msg);
    r->cells = E.ncells;
    r->regions = E.by_dim ? E.by_dim[sh->m] : 0;
    pv_enum_clear(&E);
    pv__net_clear(&net);
}
