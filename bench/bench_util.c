/* Shared by the benchmarks: see bench_util.h. */
#include "bench_util.h"

#include <time.h>

#include "polyverify/point.h"

static double clock_seconds(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double bench_now(void) { return clock_seconds(CLOCK_MONOTONIC); }

double bench_cpu_now(void) { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }

const bench_shape bench_rpm_shapes[BENCH_NRPM] = {
    { "[2,20,20,2]", 2, { 20, 20 }, 93.0 / 3.1, 258.0 / 1.9 },
    { "[3,16,16,2]", 3, { 16, 16 }, 217.0 / 4.1, 823.0 / 2.4 },
};

static void set_weight(mpq_t q, double x, int dyadic)
{
    if (dyadic)
        mpq_set_d(q, x);                 /* exact: the double's value */
    else {
        mpq_set_si(q, lround(1000.0 * x), 1000);
        mpq_canonicalize(q);
    }
}

void bench_he_net(pv_net *net, int m, const int *widths, int nw, int nout,
                  uint64_t seed, int dyadic)
{
    pv__net_init(net);
    net->input_dim = m;
    int in = m;
    for (int l = 0; l <= nw; l++) {
        int out = l < nw ? widths[l] : nout;
        pv_net_add_layer(net, l < nw ? PV_RELU : PV_LINEAR, out, NULL);
        pv_layer *L = &net->layers[l];
        double sd = sqrt(2.0 / in);
        for (int i = 0; i < out * in; i++)
            set_weight(L->w[i], sd * gauss(&seed), dyadic);
        for (int i = 0; i < out; i++)
            set_weight(L->b[i], 0.1 * gauss(&seed), dyadic);
        in = out;
    }
    pv_net_finalize(net, NULL);
}

void bench_enum_net(pv_net *net, int m, const int *widths, int nw, int shape,
                    int seed, int dyadic)
{
    bench_he_net(net, m, widths, nw, 2, 0x1234567ULL * (uint64_t)seed + (uint64_t)shape,
                 dyadic);
}

pv_status bench_enumerate_box(pv_enum *E, const pv_net *net,
                              double half, int graph, int lp_only,
                              pv_enum_progress progress, pv_error *err)
{
    int m = net->input_dim;
    pv_box box;
    pv_box_init(&box, m);
    for (int i = 0; i < m; i++) {
        mpq_set_d(box.lo[i], -half);
        mpq_set_d(box.hi[i], half);
    }
    pv_enum_options opt;
    pv_enum_options_init(&opt);
    opt.box = &box;
    opt.graph = graph;
    opt.lp_only = lp_only;
    opt.progress = progress;
    pv_status rc = pv_enum_compute(E, net, &opt, err);
    pv_box_clear(&box);
    return rc;
}
