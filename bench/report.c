/* The report: the tables pvbench prints, the targets, and the
 * JSON file, all from the results the harness brought back.
 *
 * Tables: times per query with their unit; "> T" a lower bound (the part
 * timed out at T), "~" extrapolated, "skip" not run, "FAIL" failed, "-"
 * nothing to show. Ratios are only formed from two measured times.
 *
 * JSON (schema "polyverify-bench/1"; times in seconds, per query; null =
 * not run; stable: fields are only ever added):
 * {
 *   "schema": "polyverify-bench/1", "mode": "full"|"quick"|"scaling",
 *   "label": TEXT (git commit from tools/bench.sh), "date": ISO-8601 UTC,
 *   "clock": "cpu"|"wall", "naive_limit_s": S, "redund_limit_s": S,
 *   "float_budget_s": S,
 *   "cells": [ {                       -- one per network row
 *     "name", "kind": "he"|"nnet"|"onnx", "m", "widths": [..], "N", "rows",
 *     "queries", "dim" (first code), "facets" (first code), "facets_mean",
 *     "setup_peak_mb",
 *     "a": { "dim_s", "facets_s", "adjacency_s", "adjacent_ok",
 *            "adjacency_pairs", "realized", "float_lps", "exact_lps",
 *            "rays" (per facet query), "peak_mb" },
 *     "b": { "status": "ok"|"timeout"|"skipped"|"failed", "solver":
 *            "glp_exact"|"cddlib", "dim_s", "facets_est_s", "realized",
 *            "peak_mb" },
 *     "c": { "build_s", "lp_s", "dim_s", "facets_s", "realized",
 *            "facets_found" (float facet count, first code),
 *            "facets_tested" (rows tested in the budget, first code),
 *            "facets_estimated" (true: facets_s extrapolated), "peak_mb" },
 *     "redund": { "status", "s", "facets", "peak_mb" },
 *     "ratios": { "a_over_c_dim", "a_over_c_facets", "b_over_a_dim",
 *                 "redund_over_a_facets" } } ],  -- b/redund ratios are
 *                 lower bounds when that status is "timeout"
 *   "enumeration": [ { "shape", "seed", "cells", "regions" (full-dim
 *     cells), "seconds", "cells_per_s", "regions_per_s", "peak_mb" } ],
 *   "enumeration_summary": [ { "shape", "cells", "regions", "seconds",
 *     "cells_per_s", "regions_per_s", "rpm_rate_min", "rpm_rate_max",
 *     "ratio_regions_vs_rpm_max", "ratio_cells_vs_rpm_max" } ],
 *   "targets": [ { "target", "value", "lower_bound", "threshold", "met" } ],
 *   "scaling": { "m_axis": [cells rows], "N_axis": [cells rows],
 *                "exponents": {...} }   -- --scaling only
 * } */
#include <stdio.h>
#include <time.h>

#include "pvbench.h"

static const char *st_name[] = { "none", "ok", "timeout", "skipped", "failed" };

/* ---- formatting ------------------------------------------------------------ */

/* A time in 24 bytes: us, ms or s; "-" when not positive. */
static const char *ft(char *buf, double t)
{
    if (t <= 0)
        snprintf(buf, 24, "-");
    else if (t < 1e-3)
        snprintf(buf, 24, "%.0f us", t * 1e6);
    else if (t < 1)
        snprintf(buf, 24, "%.3g ms", t * 1e3);
    else
        snprintf(buf, 24, "%.3g s", t);
    return buf;
}

/* A time with its status: "> 60 s" on a timeout, "skip", "FAIL". */
static const char *fts(char *buf, int st, double t)
{
    if (st == ST_TIMEOUT) {
        char tmp[24];
        snprintf(buf, 24, "> %.21s", ft(tmp, t));   /* fits the 24 bytes */
        return buf;
    }
    if (st == ST_SKIP || st == ST_NONE) {
        snprintf(buf, 24, "skip");
        return buf;
    }
    if (st == ST_FAIL) {
        snprintf(buf, 24, "FAIL");
        return buf;
    }
    return ft(buf, t);
}

/* The ratio num / den in format f, ">" first when it is a lower bound;
 * "-" unless both are measured. */
static const char *fr(char *buf, double num, double den, int lower_bound, const char *f)
{
    if (num <= 0 || den <= 0) {
        snprintf(buf, 24, "-");
        return buf;
    }
    char tmp[20];
    snprintf(tmp, sizeof tmp, f, num / den);
    snprintf(buf, 24, "%s%s", lower_bound ? ">" : "", tmp);
    return buf;
}

/* ---- the cells table ------------------------------------------------------- */

void report_cells_header(void)
{
    printf("%-21s %5s %5s %4s %6s | %9s %9s %9s | %9s %10s | %9s %9s %9s | %9s | %7s | %7s %7s %8s %8s\n",
           "network", "N", "rows", "dim", "facets", "(a) dim", "(a) facet", "(a) adj",
           "(b) dim", "(b) fac*", "(c) dim", "(c) LP", "(c) facet", "redund", "peak MB",
           "a/c dim", "a/c fac", "b/a dim", "red/a f");
}

/* (c)'s facet time, "~" when extrapolated from the rows tested in the
 * budget. */
static const char *c_facets(char *buf, const part_c *c)
{
    char tmp[24];
    fts(tmp, c->status, c->facets_s);
    snprintf(buf, 24, "%s%.22s", c->status == ST_OK && c->estimated ? "~" : "", tmp);
    return buf;
}

void report_cell_row(const row_result *r)
{
    char t[14][24];
    const part_a *a = &r->a;
    const part_b *b = &r->b;
    const part_c *c = &r->c;
    const part_r *rr = &r->r;
    if (r->status != ST_OK) {
        printf("%-21s FAILED\n", r->name);
        return;
    }
    int bo = b->status == ST_OK || b->status == ST_TIMEOUT;
    int ro = rr->status == ST_OK || rr->status == ST_TIMEOUT;
    printf("%-21s %5d %5d %4d %6d | %9s %9s %9s | %9s %10s | %9s %9s %9s | %9s | %7.0f | %7s %7s %8s %8s\n",
           r->name, r->N, r->rows, a->dim0, a->facets0,
           fts(t[0], a->status, a->dim_s), fts(t[1], a->status, a->facets_s),
           a->adj_pairs ? fts(t[2], a->status, a->adj_s) : "-",
           fts(t[3], b->status, b->dim_s),
           bo ? fts(t[4], b->status, b->dim_s * (1 + r->rows)) : fts(t[4], b->status, 0),
           fts(t[5], c->status, c->dim_s), fts(t[6], c->status, c->lp_s),
           c_facets(t[7], c), fts(t[8], rr->status, rr->s), a->peak_mb,
           fr(t[9], a->dim_s, c->dim_s, 0, "%.2f"), fr(t[10], a->facets_s, c->facets_s, 0, "%.2f"),
           bo ? fr(t[11], b->dim_s, a->dim_s, b->status == ST_TIMEOUT, "%.0f") : "-",
           ro ? fr(t[12], rr->s, a->facets_s, rr->status == ST_TIMEOUT, "%.1f") : "-");
    fflush(stdout);
}

void report_cells_legend(const options *o)
{
    printf("(a) polyverify exact; (b) naive exact, one cold exact LP (glp_exact, or cddlib when"
           " rows are not doubles),\n*: facets estimated as (1 + rows) x that LP; (c) float only:"
           " rows built in double + GLPK (dim: build + LP;\nLP: the LP alone; facets: build + LP"
           " + one LP per row, ~: extrapolated from the rows done in %gs); redund: lrslib,\n"
           "all facets, exact. Peak MB: (a)'s process. Times: %s.\n"
           "Ratios: a/c = (a)/(c) (lower is better for polyverify), b/a = (b)/(a), red/a f ="
           " redund/(a) facets (\">\": lower bound).\n", o->float_budget,
           o->cpu_clock ? "CPU time of the process (redund: of the subprocess)" : "wall clock");
}

/* The counts behind the times, to check the parts agree: facets, adjacency,
 * realised codes, LP counts. */
void report_checks(const row_result *res, int n)
{
    printf("\nChecks (first code of each row): facets by (a) exact / redund / (c) float LPs"
           " (found/rows tested when\nthe budget stopped it); adjacency pairs found adjacent;\nrealised codes (a)/(c)/(b); (a)'s GLPK LPs, cddlib"
           " fallbacks and ray probes per facet query; (c) row building per query.\n");
    printf("%-21s %7s %7s %9s | %9s | %11s | %8s %8s %8s | %9s\n", "network", "(a)", "redund",
           "(c)", "adjacent", "realised", "GLPK LPs", "cddlib", "rays", "(c) build");
    for (int i = 0; i < n; i++) {
        const row_result *r = &res[i];
        if (r->status != ST_OK)
            continue;
        char red[16], tb[24], real[32], cf[32];
        if (r->c.facets_tested0 < r->rows)
            snprintf(cf, sizeof cf, "%d/%d", r->c.facets_found0, r->c.facets_tested0);
        else
            snprintf(cf, sizeof cf, "%d", r->c.facets_found0);
        if (r->r.status == ST_OK)
            snprintf(red, sizeof red, "%d", r->r.facets);
        else
            snprintf(red, sizeof red, "%s", r->r.status == ST_TIMEOUT ? "timeout" : "-");
        snprintf(real, sizeof real, "%d/%d/%s", r->a.realized, r->c.realized,
                 r->b.status == ST_OK ? (r->b.realized ? "1" : "0") : "-");
        printf("%-21s %7d %7s %9s | %4d/%-4d | %11s | %8.1f %8.2f %8.1f | %9s\n", r->name,
               r->a.facets0, red, cf, r->a.adj_ok, r->a.adj_pairs, real,
               r->a.float_lps, r->a.exact_lps, r->a.rays, ft(tb, r->c.build_s));
    }
}

/* ---- the enumeration ------------------------------------------------------- */

void report_enum_header(void)
{
    printf("\nEnumeration on [-1,1]^m (exact, all cells of every dimension; regions ="
           " full-dimensional cells):\n");
    printf("%-12s %5s %6s %8s %9s %10s %12s %8s\n", "shape", "seed", "cells", "regions",
           "seconds", "cells/s", "regions/s", "peak MB");
}

void report_enum_row(int shape, int seed, const enum_result *e)
{
    printf("%-12s %5d %6d %8d %9.3f %10.0f %12.0f %8.0f\n", bench_rpm_shapes[shape].name,
           seed, e->cells, e->regions, e->seconds, e->cells / e->seconds,
           e->regions / e->seconds, e->peak_mb);
    fflush(stdout);
}

/* Shape s's totals over its seeds. */
typedef struct enum_total { double cells, regions, sec; } enum_total;

static enum_total enum_sum(const enum_runs *er, int s)
{
    enum_total t = { 0, 0, 0 };
    for (int k = 0; k < ENUM_SEEDS; k++)
        t.cells += er->r[s][k].cells, t.regions += er->r[s][k].regions,
        t.sec += er->r[s][k].seconds;
    return t;
}

void report_enum_summary(const enum_runs *er)
{
    printf("\n%-12s %6s %8s %9s %10s %10s | %-15s | %-17s %-17s\n", "shape", "cells",
           "regions", "seconds", "cells/s", "regions/s", "RPM regions/s",
           "regions/s vs RPM", "cells/s vs RPM");
    for (int s = 0; s < BENCH_NRPM; s++) {
        if (!(er->on >> s & 1))
            continue;
        enum_total t = enum_sum(er, s);
        const bench_shape *sh = &bench_rpm_shapes[s];
        char rr[32], rc[32];
        snprintf(rr, sizeof rr, "%.0f-%.0fx", t.regions / t.sec / sh->rpm_max,
                 t.regions / t.sec / sh->rpm_min);
        snprintf(rc, sizeof rc, "%.0f-%.0fx", t.cells / t.sec / sh->rpm_max,
                 t.cells / t.sec / sh->rpm_min);
        printf("%-12s %6.0f %8.0f %9.3f %10.0f %10.0f | %6.0f-%-8.0f | %-17s %-17s\n", sh->name,
               t.cells, t.regions, t.sec, t.cells / t.sec, t.regions / t.sec, sh->rpm_min,
               sh->rpm_max, rr, rc);
    }
    printf("RPM rates: 93-258 regions in 1.9-3.1 s, 217-823 in 2.4-4.1 s (the issue's quote);"
           " ratio ranges are against RPM's\nfastest (left) and slowest (right) rate.\n");
}

/* ---- the targets ----------------------------------------------------------- */

/* A target is only recorded with a measured value (value > 0). */
static void add_target(target_list *T, const char *what, double value, double threshold,
                       int le, int lower_bound)
{
    if (T->n >= (int)(sizeof T->t / sizeof *T->t) || value <= 0)
        return;
    target *t = &T->t[T->n++];
    snprintf(t->what, sizeof t->what, "%s", what);
    t->value = value, t->threshold = threshold, t->le = le, t->lower_bound = lower_bound;
    t->met = le ? value <= threshold : value >= threshold;
}

/* The targets of one row of the suite (issue 7). */
static void row_targets(target_list *T, const row_result *r)
{
    char what[96];
    if (r->c.status == ST_OK && r->a.dim_s > 0) {
        snprintf(what, sizeof what, "realised+dim (a)/(c) <= 2: %s", r->name);
        add_target(T, what, r->a.dim_s / r->c.dim_s, 2, 1, 0);
    }
    if (r->kind == K_HE && r->m == 100 && (r->b.status == ST_OK || r->b.status == ST_TIMEOUT)) {
        snprintf(what, sizeof what, "(b)/(a) realised+dim >= 100: %s", r->name);
        add_target(T, what, r->b.dim_s / r->a.dim_s, 100, 0, r->b.status == ST_TIMEOUT);
    }
    if (r->m == 784 && r->nw == 2 && r->widths[0] == 256 && r->widths[1] == 256) {
        snprintf(what, sizeof what, "all facets < 2 s: %s", r->name);
        add_target(T, what, r->a.facets_s, 2, 1, 0);
        snprintf(what, sizeof what, "realised+dim < 0.05 s: %s", r->name);
        add_target(T, what, r->a.dim_s, 0.05, 1, 0);
    }
    if (r->kind == K_HE && r->m == 100 && (r->r.status == ST_OK || r->r.status == ST_TIMEOUT)) {
        snprintf(what, sizeof what, "redund/(a) all facets >= 20: %s", r->name);
        add_target(T, what, r->r.s / r->a.facets_s, 20, 0, r->r.status == ST_TIMEOUT);
    }
}

void targets_collect(target_list *T, const row_result *res, int n, const enum_runs *er)
{
    T->n = 0;
    for (int i = 0; i < n; i++)
        if (res[i].status == ST_OK && res[i].a.status == ST_OK)
            row_targets(T, &res[i]);
    for (int s = 0; s < BENCH_NRPM; s++) {
        if (!(er->on >> s & 1))
            continue;
        /* RPM counts full-dimensional regions: compare regions, not cells */
        enum_total t = enum_sum(er, s);
        const bench_shape *sh = &bench_rpm_shapes[s];
        char what[96];
        snprintf(what, sizeof what, "enumeration regions/s >= 20x RPM's fastest: %s", sh->name);
        add_target(T, what, t.regions / t.sec / sh->rpm_max, 20, 0, 0);
        snprintf(what, sizeof what, "enumeration regions/s >= 20x RPM's slowest: %s", sh->name);
        add_target(T, what, t.regions / t.sec / sh->rpm_min, 20, 0, 0);
    }
}

void report_targets(const target_list *T)
{
    printf("\nTargets (issue 7):\n");
    for (int i = 0; i < T->n; i++) {
        const target *t = &T->t[i];
        printf("  %-66s %s%-9.4g (%s %g)  %s\n", t->what, t->lower_bound ? ">" : "", t->value,
               t->le ? "<=" : ">=", t->threshold, t->met ? "met" : "NOT MET");
    }
}

/* ---- the scaling tables ---------------------------------------------------- */

void report_scaling_header(int axis)
{
    printf("\n%s\n", axis == 0 ? "As m grows (widths [64,64], N = 128):"
                               : "As N grows (m = 10, two layers of width N/2):");
    printf("%-6s %-16s %5s %5s %6s | %9s %9s | %9s %9s | %9s | %7s %7s %8s\n", "axis",
           "network", "N", "rows", "facets", "(a) dim", "(a) facet", "(c) dim", "(c) facet",
           "redund", "a/c dim", "a/c fac", "red/a f");
}

void report_scaling_row(int axis, const row_result *r)
{
    char t[8][24];
    int ro = r->r.status == ST_OK || r->r.status == ST_TIMEOUT;
    printf("%-6s %-16s %5d %5d %6d | %9s %9s | %9s %9s | %9s | %7s %7s %8s\n",
           axis == 0 ? "m" : "N", r->name, r->N, r->rows, r->a.facets0,
           fts(t[0], r->a.status, r->a.dim_s), fts(t[1], r->a.status, r->a.facets_s),
           fts(t[2], r->c.status, r->c.dim_s), fts(t[3], r->c.status, r->c.facets_s),
           fts(t[4], r->r.status, r->r.s),
           fr(t[5], r->a.dim_s, r->c.dim_s, 0, "%.2f"),
           fr(t[6], r->a.facets_s, r->c.facets_s, 0, "%.2f"),
           ro ? fr(t[7], r->r.s, r->a.facets_s, r->r.status == ST_TIMEOUT, "%.1f") : "-");
    fflush(stdout);
}

void report_scaling_slopes(int axis, const double expo[4])
{
    printf("log-log slope (time ~ %s^k): (a) dim %.2f, (a) facets %.2f, (c) dim %.2f,"
           " (c) facets %.2f\n", axis == 0 ? "m" : "N", expo[0], expo[1], expo[2], expo[3]);
}

/* ---- JSON ------------------------------------------------------------------ */

/* "key": v, or null when not valid (not run, failed, nothing measured). */
static void json_num(FILE *f, const char *key, double v, int valid, const char *sep)
{
    if (valid)
        fprintf(f, "\"%s\": %.6g%s", key, v, sep);
    else
        fprintf(f, "\"%s\": null%s", key, sep);
}

static void json_cell(FILE *f, const row_result *r)
{
    fprintf(f, "{\"name\": \"%s\", \"kind\": \"%s\", \"m\": %d, \"widths\": [", r->name,
            r->kind == K_HE ? "he" : r->kind == K_NNET ? "nnet" : "onnx", r->m);
    for (int i = 0; i < r->nw; i++)
        fprintf(f, "%s%d", i ? ", " : "", r->widths[i]);
    fprintf(f, "], \"N\": %d, \"rows\": %d, \"queries\": %d, \"dim\": %d, \"facets\": %d, ",
            r->N, r->rows, r->queries, r->a.dim0, r->a.facets0);
    json_num(f, "facets_mean", r->a.facets_mean, r->a.status == ST_OK, ", ");
    json_num(f, "setup_peak_mb", r->setup_mb, 1, ",\n    ");
    const part_a *a = &r->a;
    int ao = a->status == ST_OK;
    fprintf(f, "\"a\": {");
    json_num(f, "dim_s", a->dim_s, ao && a->dim_s > 0, ", ");
    json_num(f, "facets_s", a->facets_s, ao && a->facets_s > 0, ", ");
    json_num(f, "adjacency_s", a->adj_s, ao && a->adj_pairs, ", ");
    fprintf(f, "\"adjacent_ok\": %d, \"adjacency_pairs\": %d, \"realized\": %d, ",
            a->adj_ok, a->adj_pairs, a->realized);
    json_num(f, "float_lps", a->float_lps, ao, ", ");
    json_num(f, "exact_lps", a->exact_lps, ao, ", ");
    json_num(f, "rays", a->rays, ao, ", ");
    json_num(f, "peak_mb", a->peak_mb, ao, "},\n    ");
    const part_b *b = &r->b;
    int bo = b->status == ST_OK || b->status == ST_TIMEOUT;
    fprintf(f, "\"b\": {\"status\": \"%s\", \"solver\": ", st_name[b->status]);
    if (bo)
        fprintf(f, "\"%s\", ", b->cddlib ? "cddlib" : "glp_exact");
    else
        fprintf(f, "null, ");
    json_num(f, "dim_s", b->dim_s, bo, ", ");
    json_num(f, "facets_est_s", b->dim_s * (1 + r->rows), bo, ", ");
    fprintf(f, "\"realized\": %d, ", b->realized);
    json_num(f, "peak_mb", b->peak_mb, b->status == ST_OK, "},\n    ");
    const part_c *c = &r->c;
    int co = c->status == ST_OK;
    fprintf(f, "\"c\": {");
    json_num(f, "build_s", c->build_s, co, ", ");
    json_num(f, "lp_s", c->lp_s, co, ", ");
    json_num(f, "dim_s", c->dim_s, co, ", ");
    json_num(f, "facets_s", c->facets_s, co, ", ");
    fprintf(f, "\"realized\": %d, \"facets_found\": %d, \"facets_tested\": %d, "
               "\"facets_estimated\": %s, ", c->realized, c->facets_found0, c->facets_tested0,
            c->estimated ? "true" : "false");
    json_num(f, "peak_mb", c->peak_mb, co, "},\n    ");
    const part_r *rr = &r->r;
    int ro = rr->status == ST_OK || rr->status == ST_TIMEOUT;
    fprintf(f, "\"redund\": {\"status\": \"%s\", ", st_name[rr->status]);
    json_num(f, "s", rr->s, ro, ", ");
    json_num(f, "facets", rr->facets, rr->status == ST_OK, ", ");
    json_num(f, "peak_mb", rr->peak_mb, ro, "},\n    ");
    fprintf(f, "\"ratios\": {");
    json_num(f, "a_over_c_dim", a->dim_s / c->dim_s, ao && co && a->dim_s > 0, ", ");
    json_num(f, "a_over_c_facets", a->facets_s / c->facets_s, ao && co && a->facets_s > 0, ", ");
    json_num(f, "b_over_a_dim", b->dim_s / a->dim_s, ao && bo && a->dim_s > 0, ", ");
    json_num(f, "redund_over_a_facets", rr->s / a->facets_s, ao && ro && a->facets_s > 0, "}}");
}

FILE *json_open(const options *o)
{
    if (!o->json)
        return NULL;
    FILE *f = fopen(o->json, "w");
    if (!f) {
        perror(o->json);
        return NULL;
    }
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "{\"schema\": \"polyverify-bench/1\", \"mode\": \"%s\", \"label\": \"%s\", "
               "\"date\": \"%s\", \"clock\": \"%s\", \"naive_limit_s\": %g, "
               "\"redund_limit_s\": %g, \"float_budget_s\": %g,\n",
            o->scaling ? "scaling" : o->quick ? "quick" : "full", o->label ? o->label : "",
            date, o->cpu_clock ? "cpu" : "wall", o->naive_limit, o->redund_limit,
            o->float_budget);
    return f;
}

static void json_enumeration(FILE *f, const enum_runs *er)
{
    fprintf(f, "\"enumeration\": [\n");
    int first = 1;
    for (int s = 0; s < BENCH_NRPM; s++)
        for (int k = 0; k < ENUM_SEEDS && (er->on >> s & 1); k++) {
            const enum_result *e = &er->r[s][k];
            fprintf(f, "%s  {\"shape\": \"%s\", \"seed\": %d, \"cells\": %d, \"regions\": %d, "
                       "\"seconds\": %.6g, \"cells_per_s\": %.6g, \"regions_per_s\": %.6g, "
                       "\"peak_mb\": %.4g}", first ? "" : ",\n", bench_rpm_shapes[s].name, k + 1,
                    e->cells, e->regions, e->seconds, e->cells / e->seconds,
                    e->regions / e->seconds, e->peak_mb);
            first = 0;
        }
    fprintf(f, "\n],\n\"enumeration_summary\": [\n");
    first = 1;
    for (int s = 0; s < BENCH_NRPM; s++) {
        if (!(er->on >> s & 1))
            continue;
        enum_total t = enum_sum(er, s);
        const bench_shape *sh = &bench_rpm_shapes[s];
        fprintf(f, "%s  {\"shape\": \"%s\", \"cells\": %.0f, \"regions\": %.0f, \"seconds\": %.6g, "
                   "\"cells_per_s\": %.6g, \"regions_per_s\": %.6g, \"rpm_rate_min\": %.4g, "
                   "\"rpm_rate_max\": %.4g, \"ratio_regions_vs_rpm_max\": %.4g, "
                   "\"ratio_cells_vs_rpm_max\": %.4g}", first ? "" : ",\n", sh->name, t.cells,
                t.regions, t.sec, t.cells / t.sec, t.regions / t.sec, sh->rpm_min, sh->rpm_max,
                t.regions / t.sec / sh->rpm_max, t.cells / t.sec / sh->rpm_max);
        first = 0;
    }
    fprintf(f, "\n],\n");
}

void json_suite(FILE *f, const row_result *res, int n, const enum_runs *er,
                const target_list *T)
{
    fprintf(f, "\"cells\": [\n");
    for (int i = 0; i < n; i++) {
        fprintf(f, "  ");
        if (res[i].status == ST_OK)
            json_cell(f, &res[i]);
        else
            fprintf(f, "{\"name\": \"%s\", \"status\": \"failed\"}", res[i].name);
        fprintf(f, "%s\n", i + 1 < n ? "," : "");
    }
    fprintf(f, "],\n");
    json_enumeration(f, er);
    fprintf(f, "\"targets\": [\n");
    for (int i = 0; i < T->n; i++) {
        const target *t = &T->t[i];
        fprintf(f, "  {\"target\": \"%s\", \"value\": %.6g, \"lower_bound\": %s, "
                   "\"threshold\": %g, \"met\": %s}%s\n", t->what, t->value,
                t->lower_bound ? "true" : "false", t->threshold, t->met ? "true" : "false",
                i + 1 < T->n ? "," : "");
    }
    fprintf(f, "]}\n");
    fclose(f);
}

void json_scaling(FILE *f, const row_result *res, int nm, int nn, const double expo[2][4])
{
    fprintf(f, "\"scaling\": {");
    for (int axis = 0; axis < 2; axis++) {
        fprintf(f, "\"%s\": [\n", axis == 0 ? "m_axis" : "N_axis");
        int cnt = axis == 0 ? nm : nn, first = 1;
        for (int i = 0; i < cnt; i++) {
            const row_result *r = &res[axis == 0 ? i : nm + i];
            if (r->status != ST_OK)
                continue;
            fprintf(f, "%s  ", first ? "" : ",\n");
            json_cell(f, r);
            first = 0;
        }
        fprintf(f, "\n], ");
    }
    fprintf(f, "\"exponents\": {\"m\": {\"a_dim\": %.4g, \"a_facets\": %.4g, \"c_dim\": %.4g, "
               "\"c_facets\": %.4g}, \"N\": {\"a_dim\": %.4g, \"a_facets\": %.4g, "
               "\"c_dim\": %.4g, \"c_facets\": %.4g}}}}\n",
            expo[0][0], expo[0][1], expo[0][2], expo[0][3],
            expo[1][0], expo[1][1], expo[1][2], expo[1][3]);
    fclose(f);
}
