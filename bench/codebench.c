/* codebench — issue 17, target 9: exact codes of a data set against a
 * float64 BLAS forward pass of the same net, on the same points, in one
 * run (ratios, not absolute times: the machines are shared).
 *
 *   build/bench/codebench NET.onnx POINTS.csv [--label-column K]
 *                         [--scale S] [--repeat R] [--runs K]
 *
 * The points are read once (exact rationals, scaled by S); both sides then
 * start from memory:
 *   float   the points as doubles, a dgemm per layer (OpenBLAS) and the
 *           ReLU in doubles: what a float tool computes, nothing proved;
 *   exact   pv_code_at_points: every bit proved (the batched BLAS filter,
 *           the per-point filter, the exact pass for what is left).
 * The data set is repeated R times (default: to at least 10,000 points).
 * Prints points/s of each, their ratio (target >= 0.5) and how many
 * points the exact pass took. Medians of K runs (default 3). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#include "polyverify.h"
#include "net/network_internal.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One float64 forward pass of P points (rows of X), codes in bits. */
static void float_pass(const pv_net *net, int P, const double *X,
                       double *A, double *B, unsigned char *bits)
{
    int m = net->input_dim, N = net->neurons;
    memcpy(A, X, (size_t)P * (size_t)m * sizeof *A);
    for (int k = 0; k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        if (L->nrelu == 0)
            break;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, P, L->out, L->in,
                    1.0, A, L->in, L->wd, L->in, 0.0, B, L->out);
        for (int p = 0; p < P; p++)
            for (int i = 0; i < L->out; i++) {
                double z = B[(size_t)p * L->out + i] + L->bd[i];
                if (i < L->nrelu) {
                    bits[(size_t)p * N + L->first_neuron + i] = z > 0;
                    z = z > 0 ? z : 0;
                }
                B[(size_t)p * L->out + i] = z;
            }
        double *t = A;
        A = B;
        B = t;
    }
}

int main(int argc, char **argv)
{
    const char *netp = NULL, *csv = NULL, *scale = NULL;
    int label = -1, repeat = 0, runs = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--label-column") && i + 1 < argc)
            label = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
            scale = argv[++i];
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!netp)
            netp = argv[i];
        else if (!csv)
            csv = argv[i];
        else {
            fprintf(stderr, "codebench: unexpected argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!netp || !csv || runs < 1) {
        fprintf(stderr, "usage: codebench NET POINTS.csv [--label-column K] "
                "[--scale S] [--repeat R] [--runs K]\n");
        return 2;
    }
    pv_error err = {0};
    pv_net *net = pv_net_new();
    pv_pointset ps;
    pv_pointset_init(&ps);
    if (pv_net_load(net, netp, &err) != PV_OK ||
        pv_pointset_read_csv(&ps, csv, pv_net_input_dim(net), label, &err) != PV_OK) {
        fprintf(stderr, "codebench: %s\n", err.msg);
        return 1;
    }
    int m = ps.dim, N = net->neurons;
    if (scale) {
        mpq_t s;
        mpq_init(s);
        if (mpq_set_str(s, scale, 10) != 0) {
            fprintf(stderr, "codebench: bad --scale %s\n", scale);
            return 2;
        }
        mpq_canonicalize(s);
        for (size_t a = 0; a < (size_t)ps.count * m; a++)
            mpq_mul(ps.x[a], ps.x[a], s);
        mpq_clear(s);
    }
    if (repeat < 1)
        repeat = (10000 + ps.count - 1) / ps.count;
    int P = ps.count * repeat;
    mpq_t *x = malloc((size_t)P * m * sizeof *x);
    double *X = malloc((size_t)P * m * sizeof *X);
    for (int p = 0; p < P; p++)
        for (int j = 0; j < m; j++) {
            mpq_init(x[(size_t)p * m + j]);
            mpq_set(x[(size_t)p * m + j], ps.x[(size_t)(p % ps.count) * m + j]);
            X[(size_t)p * m + j] = mpq_get_d(x[(size_t)p * m + j]);
        }
    int wmax = pv__net_max_width(net);
    double *A = malloc((size_t)P * wmax * sizeof *A), *B = malloc((size_t)P * wmax * sizeof *B);
    unsigned char *fbits = malloc((size_t)P * N);
    pv_code *codes = malloc((size_t)P * sizeof *codes);
    for (int p = 0; p < P; p++)
        pv_code_init(&codes[p], 0);
    double *tf = malloc((size_t)runs * sizeof *tf), *te = malloc((size_t)runs * sizeof *te);
    pv_forward_stats fs = {0, 0, 0};
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        float_pass(net, P, X, A, B, fbits);
        tf[r] = now() - t0;
        pv_forward_stats s = {0, 0, 0};
        t0 = now();
        if (pv_code_at_points_opt(net, P, x, codes, NULL, 1, &s, &err) != PV_OK) {
            fprintf(stderr, "codebench: %s\n", err.msg);
            return 1;
        }
        te[r] = now() - t0;
        fs = s;
    }
    long differ = 0;
    for (int p = 0; p < P; p++)
        differ += memcmp(codes[p].bit, fbits + (size_t)p * N, (size_t)N) != 0;
    qsort(tf, (size_t)runs, sizeof *tf, cmp_double);
    qsort(te, (size_t)runs, sizeof *te, cmp_double);
    double f = tf[runs / 2], e = te[runs / 2];
    printf("codes of %d points (%d distinct x %d), %s, median of %d runs\n",
           P, ps.count, repeat, netp, runs);
    printf("  float64 BLAS forward  %9.0f points/s  (%.3f s)\n", P / f, f);
    printf("  exact codes           %9.0f points/s  (%.3f s), exact pass for %ld "
           "points\n", P / e, e, fs.exact);
    printf("  exact / float         %9.2f  (target >= 0.50: %s)\n", f / e,
           f / e >= 0.5 ? "met" : "MISSED");
    printf("  codes where the float pass is wrong: %ld\n", differ);
    return 0;
}
