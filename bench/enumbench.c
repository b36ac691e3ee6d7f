/* enumbench — cells per second of `enumerate` (pv_enum_compute), exact.
 *
 * The benchmark: He-initialised Gaussian nets of the shapes
 * bench_rpm_shapes ([2,20,20,2] and [3,16,16,2], with the float tool RPM's
 * rates: bench_util.h) on the box [-1,1]^m. Weights are either rounded to
 * k/1000 (exact decimals) or kept as the exact dyadic rationals of the
 * float64 samples ("--weights double", the harder case: 53-bit
 * numerators). The nets are pvbench's enumeration nets (bench_enum_net).
 *
 * Usage: enumbench [--seeds K] [--weights decimal|double] [--graph]
 *                  [--lp-only] [--shape m,w1,w2,...] [--box HALF]
 * ENUMBENCH_PROGRESS=1 prints progress; ENUMBENCH_WRITE=PREFIX writes each
 * net as PREFIX_shape_seed.pvnet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyverify/enumerate.h"
#include "polyverify/network.h"
#include "bench_util.h"

static void progress(void *ctx, long cells, double seconds)
{
    (void)ctx;
    fprintf(stderr, "  ... %ld cells, %.1f s\n", cells, seconds);
}

int main(int argc, char **argv)
{
    int seeds = 5, dyadic = 0, graph = 0, lp_only = 0;
    double half = 1.0;
    int shapes[BENCH_NRPM][8], lens[BENCH_NRPM], nshapes = BENCH_NRPM;
    for (int s = 0; s < BENCH_NRPM; s++) {
        const bench_shape *sh = &bench_rpm_shapes[s];
        shapes[s][0] = sh->m, shapes[s][1] = sh->w[0], shapes[s][2] = sh->w[1];
        lens[s] = 3;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
            seeds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--weights") && i + 1 < argc)
            dyadic = !strcmp(argv[++i], "double");
        else if (!strcmp(argv[i], "--graph"))
            graph = 1;
        else if (!strcmp(argv[i], "--lp-only"))
            lp_only = 1;
        else if (!strcmp(argv[i], "--box") && i + 1 < argc)
            half = atof(argv[++i]);
        else if (!strcmp(argv[i], "--shape") && i + 1 < argc) {
            char *s = argv[++i], *end;
            nshapes = 1;
            lens[0] = 0;
            while (*s && lens[0] < 8) {
                shapes[0][lens[0]++] = (int)strtol(s, &end, 10);
                s = *end ? end + 1 : end;
            }
        } else {
            fprintf(stderr, "usage: enumbench [--seeds K] [--weights decimal|double] "
                            "[--graph] [--lp-only] [--shape m,w1,...] [--box HALF]\n");
            return 2;
        }
    }
    printf("shape           seed  cells  by dim        seconds  cells/s  fast  faces  exact_lps\n");
    for (int s = 0; s < nshapes; s++) {
        int m = shapes[s][0];
        double total_cells = 0, total_time = 0;
        char name[64];
        int o = snprintf(name, sizeof name, "[%d", m);
        for (int k = 1; k < lens[s]; k++)
            o += snprintf(name + o, sizeof name - (size_t)o, ",%d", shapes[s][k]);
        snprintf(name + o, sizeof name - (size_t)o, ",2]");
        for (int seed = 1; seed <= seeds; seed++) {
            pv_net net;
            bench_enum_net(&net, m, shapes[s] + 1, lens[s] - 1, s, seed, dyadic);
            if (getenv("ENUMBENCH_WRITE")) {
                char path[256];
                snprintf(path, sizeof path, "%s_%d_%d.pvnet", getenv("ENUMBENCH_WRITE"), s, seed);
                pv_net_write_pvnet(&net, path, NULL);
            }
            pv_enum E;
            pv_enum_init(&E);
            pv_error err = { 0 };
            if (bench_enumerate_box(&E, &net, half, graph, lp_only,
                                    getenv("ENUMBENCH_PROGRESS") ? progress : NULL,
                                    &err) != PV_OK) {
                fprintf(stderr, "enumbench: %s\n", err.msg);
                return 1;
            }
            char dims[64] = "";
            int d = 0;
            for (int k = m; k >= 0; k--)
                if (E.by_dim[k])
                    d += snprintf(dims + d, sizeof dims - (size_t)d, "%s%d:%d",
                                  d ? " " : "", k, E.by_dim[k]);
            printf("%-15s %4d  %5d  %-12s  %7.3f  %7.0f  %5ld  %5ld  %ld\n", name, seed,
                   E.ncells, dims, E.seconds, E.ncells / E.seconds, E.fast_cells, E.faces,
                   E.stats.exact_lps);
            total_cells += E.ncells;
            total_time += E.seconds;
            pv_enum_clear(&E);
            pv__net_clear(&net);
        }
        printf("%-15s  all  %5.0f                %7.3f  %7.0f\n", name, total_cells,
               total_time, total_cells / total_time);
    }
    return 0;
}
