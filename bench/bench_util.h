/* Shared by the benchmarks: fixed-seed Gaussian samples for the random
 * networks and points (the same on every run). */
#ifndef PV_BENCH_UTIL_H
#define PV_BENCH_UTIL_H

#include <math.h>
#include <stdint.h>

static inline uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Box-Muller from two uniforms in (0, 1). */
static inline double gauss(uint64_t *s)
{
    double u = ((double)(rng(s) >> 11) + 0.5) / 9007199254740992.0;
    double v = ((double)(rng(s) >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

#endif
