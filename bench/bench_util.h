/* Shared by the benchmarks (pvbench, enumbench): fixed-seed Gaussian
 * samples, the one He-initialised network builder, the clocks, the issue's
 * enumeration shapes with their nets, and the enumeration of a network on
 * a box [-half, half]^m. Same seed, same network: the runs of both
 * programs, and of every commit, can be compared. */
#ifndef PV_BENCH_UTIL_H
#define PV_BENCH_UTIL_H

#include <math.h>
#include <stdint.h>

#include "polyverify/enumerate.h"
#include "polyverify/network.h"
/* The benchmarks build networks by value and time the library's internal
 * steps, so they see its internals (as the unit tests do). */
#include "../src/geom/system_internal.h"
#include "../src/net/network_internal.h"

static inline uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Uniform in (0, 1). */
static inline double uniform(uint64_t *s)
{
    return ((double)(rng(s) >> 11) + 0.5) / 9007199254740992.0;
}

/* Box-Muller from two uniforms in (0, 1). */
static inline double gauss(uint64_t *s)
{
    double u = uniform(s);
    double v = uniform(s);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Wall-clock seconds (CLOCK_MONOTONIC). */
double bench_now(void);

/* This process's CPU seconds (CLOCK_PROCESS_CPUTIME_ID). */
double bench_cpu_now(void);

/* He-initialised network: input dimension m, ReLU layers of the given
 * widths, then a linear output layer of width nout. Weights ~ N(0, 2/fan_in),
 * biases ~ N(0, 0.01), drawn in that order layer by layer from the xorshift
 * stream started at seed. dyadic = 0: every number rounded to k/1000 (exact
 * decimals, the anchors); dyadic = 1: the exact value of the
 * double sample (53-bit numerators). The net is finalised. */
void bench_he_net(pv_net *net, int m, const int *widths, int nw, int nout,
                  uint64_t seed, int dyadic);

/* The enumeration benchmark: He nets [m, w0, w1, 2] on [-1,1]^m,
 * and the rates (regions per second) the float tool RPM (Vincent &
 * Schwager) reports for them: 93-258 regions in 1.9-3.1 s and 217-823
 * regions in 2.4-4.1 s. */
typedef struct bench_shape {
    const char *name;
    int m, w[2];
    double rpm_min, rpm_max;
} bench_shape;

#define BENCH_NRPM 2
extern const bench_shape bench_rpm_shapes[BENCH_NRPM];

/* The enumeration nets: bench_he_net with nout = 2 and the seed
 * 0x1234567 * seed + shape (shape: an index, seed: 1, 2, ...). */
void bench_enum_net(pv_net *net, int m, const int *widths, int nw, int shape,
                    int seed, int dyadic);

/* Every cell of net in the box [-half, half]^m (pv_enum_compute; E initialised
 * by the caller). */
pv_status bench_enumerate_box(pv_enum *E, const pv_net *net,
                              double half, int graph, int lp_only,
                              pv_enum_progress progress, pv_error *err);

#endif
