/* What pvbench's files share (internal to bench/): the options, a row of
 * the suite (config), the set-up of one configuration, the results of
 * every part, and the functions each file offers the others.
 *
 *   pvbench.c    the suite's rows, options, main, the suite and scaling runs
 *   harness.c    processes, time limits, peak memory; a configuration's set-up
 *                and run (every part in its own process)
 *   measure.c    what is measured: (a) polyverify's cell queries, and the
 *                enumeration
 *   baselines.c  what it is measured against: (b) naive exact, (c) float
 *                only, lrslib's redund
 *   report.c     the tables, the targets, the JSON
 *
 * Results travel from child to parent processes as raw bytes (run_forked),
 * so every result struct is plain data: no pointers. The options are read
 * only after main has set them; every function is handed them. */
#ifndef PV_BENCH_PVBENCH_H
#define PV_BENCH_PVBENCH_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "polyverify/code.h"
#include "polyverify/network.h"
#include "polyverify/point.h"
#include "bench_util.h"

/* ---- options ------------------------------------------------------------- */

typedef struct options {
    int quick, scaling;
    const char *json, *data, *label, *only, *parts, *a_only;
    int queries;           /* 0: per configuration                          */
    double naive_limit, redund_limit, float_budget;
    int cpu_clock;
} options;

/* The clock of every reported time: the process's CPU time by default
 * (everything timed is single-threaded, and CPU time does not count other
 * processes on a shared machine), wall time with --clock wall. Limits
 * and timeouts are always wall time (bench_now). */
static inline double bench_clock(const options *o)
{
    return o->cpu_clock ? bench_cpu_now() : bench_now();
}

/* Part p (a, b, c, r, e) is run. */
static inline int part_on(const options *o, char p) { return strchr(o->parts, p) != NULL; }

/* A row is run when its name contains --only (or there is none). */
static inline int selected(const options *o, const char *name)
{
    return !o->only || strstr(name, o->only);
}

/* ---- a row of the suite ---------------------------------------------------- */

enum { K_HE = 0, K_NNET, K_ONNX };

typedef struct config {
    const char *name;
    int kind;
    int m;                 /* He nets: input dimension                      */
    int widths[4], nw;     /* He nets                                        */
    const char *file;      /* relative to the data dir                       */
    int q_full, q_quick;   /* queries                                        */
    int naive;             /* run (b)                                        */
    int redund;            /* 0 never, 1 always, 2 full mode only            */
    int unit_box;          /* the cell is taken in the box [0,1]^m          */
} config;

/* The network of a configuration and the activation codes of its queries. */
typedef struct setup {
    const options *opt;
    const config *c;
    pv_net net;
    pv_box box;
    int has_box;
    int queries;
    pv_code *codes;
} setup;

/* The box the cells are taken in, or NULL. */
static inline const pv_box *setup_box(const setup *s) { return s->has_box ? &s->box : NULL; }

/* ---- results ------------------------------------------------------------- */

/* A part's status; ST_NONE = not run (zeroed result). */
enum { ST_NONE = 0, ST_OK, ST_TIMEOUT, ST_SKIP, ST_FAIL };

typedef struct part_a {
    int status;
    double dim_s, facets_s, adj_s;
    int adj_pairs, adj_ok, realized, dim0, facets0;
    double facets_mean, float_lps, exact_lps, rays;
    double peak_mb;
} part_a;

typedef struct part_b {
    int status, cddlib, realized;
    double dim_s, peak_mb;
} part_b;

typedef struct part_c {
    int status, realized, facets_found0, facets_tested0, estimated;
    double build_s, lp_s, dim_s, facets_s, peak_mb;
} part_c;

typedef struct part_r {
    int status, facets;
    double s, peak_mb;
} part_r;

typedef struct row_result {
    int status;
    char name[48];
    int kind, m, widths[8], nw, N, rows, queries;
    double setup_mb;
    part_a a;
    part_b b;
    part_c c;
    part_r r;
} row_result;

/* The enumeration rows: bench_rpm_shapes x ENUM_SEEDS (enumbench's nets). */
#define ENUM_SEEDS 3

typedef struct enum_result {
    int cells, regions;
    double seconds, peak_mb;
} enum_result;

typedef struct enum_runs {
    int on;                /* bit s: shape s was run                         */
    enum_result r[BENCH_NRPM][ENUM_SEEDS];
} enum_runs;

/* ---- harness.c ------------------------------------------------------------- */

typedef void (*part_fn)(void *ctx, void *out);

/* Runs fn(ctx, out) in a child process and copies out (size bytes) back.
 * timeout <= 0: none. Returns ST_OK, ST_TIMEOUT (child killed) or ST_FAIL;
 * *peak_mb = the child's ru_maxrss. */
int run_forked(part_fn fn, void *ctx, void *out, size_t size, double timeout,
               double *peak_mb);

/* Runs argv with stdout captured (malloc'd into *text), stderr discarded.
 * Returns ST_OK, ST_TIMEOUT or ST_FAIL; *seconds = its CPU time (user +
 * system) when cpu_clock, else (and on a timeout) wall time; *peak_mb =
 * the subprocess's ru_maxrss. */
int run_command(char *const argv[], double timeout, int cpu_clock, char **text,
                double *seconds, double *peak_mb);

/* This process's ru_maxrss in MB. */
double self_peak_mb(void);

/* One configuration: what run_config is handed. */
typedef struct job {
    const options *opt;
    const config *c;
    int queries, naive, redund;
    double redund_limit;
} job;

/* part_fn: sets up the job's network and codes, runs the parts the options
 * ask for (each in a grandchild), fills the row_result out. */
void run_config(void *job_ctx, void *out);

/* ---- measure.c ------------------------------------------------------------- */

/* part_fn on a setup: (a), into a part_a. */
void run_a(void *setup_ctx, void *out);

/* One enumeration row: shape index, seed 1..ENUM_SEEDS. */
typedef struct enum_job { const options *opt; int shape, seed; } enum_job;

/* part_fn: the enumeration of the enum_job's net, into an enum_result. */
void run_enum(void *enum_job_ctx, void *out);

/* ---- baselines.c ----------------------------------------------------------- */

/* part_fn on a setup: (b), into a part_b. */
void run_b(void *setup_ctx, void *out);

/* part_fn on a setup: (c), into a part_c. */
void run_c(void *setup_ctx, void *out);

/* redund on the first code of s (its own subprocess), killed after limit. */
void run_redund(const setup *s, part_r *r, double limit);

/* ---- report.c -------------------------------------------------------------- */

/* The targets, met or not. */
typedef struct target { char what[96]; double value, threshold; int le, met, lower_bound; } target;
typedef struct target_list { int n; target t[32]; } target_list;

void report_cells_header(void);
void report_cell_row(const row_result *r);
void report_cells_legend(const options *o);
void report_checks(const row_result *res, int n);

void report_enum_header(void);
void report_enum_row(int shape, int seed, const enum_result *e);
void report_enum_summary(const enum_runs *er);

/* The targets from the rows and the enumeration. */
void targets_collect(target_list *T, const row_result *res, int n, const enum_runs *er);
void report_targets(const target_list *T);

void report_scaling_header(int axis);
void report_scaling_row(int axis, const row_result *r);
void report_scaling_slopes(int axis, const double expo[4]);

/* The JSON file with its header fields written, or NULL (no --json, or it
 * cannot be opened: said on stderr). The json_* functions close it. */
FILE *json_open(const options *o);
void json_suite(FILE *f, const row_result *res, int n, const enum_runs *er,
                const target_list *T);
/* res: nm rows along m, then nn along N; status != ST_OK rows left out. */
void json_scaling(FILE *f, const row_result *res, int nm, int nn, const double expo[2][4]);

#endif
