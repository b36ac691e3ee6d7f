/* pvbench — time per `cell` query: polyverify's exact path against the
 * naive exact pipeline and a float-only pipeline, in the same run.
 *
 *   (a) polyverify   pv_cell_compute: realised+dim, then all facets
 *   (b) naive exact  the rational half-space system, then one exact LP per
 *                    question, cold: GLPK's glp_exact where every number is
 *                    exactly a double, cddlib's GMP LP otherwise
 *   (c) float only   GLPK's double simplex on the same system (what float
 *                    tools do; it decides nothing exactly)
 *
 * Networks: He-initialised Gaussian nets with weights rounded to k/1000
 * (exact decimals, as the anchors) and the code of a random
 * Gaussian point. Usage: pvbench [--sizes LIST] [--naive-limit SECONDS]
 *                               [--json FILE] [--queries Q] */
#include <glpk.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "polyverify/cell.h"
#include "polyverify/code.h"
#include "polyverify/network.h"
#include "bench_util.h"
#include "polyverify/system.h"
#include "../src/lp.h"

typedef struct config { const char *name; int m; int widths[4]; int nw; } config;

static const config all_configs[] = {
    { "m=2 [16,16]", 2, { 16, 16 }, 2 },
    { "m=10 [32,32]", 10, { 32, 32 }, 2 },
    { "m=100 [64,64]", 100, { 64, 64 }, 2 },
    { "m=784 [256,256]", 784, { 256, 256 }, 2 },
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}


/* He-initialised net, weights k/1000, plus a linear output of width 1. */
static void make_net(pv_net *net, const config *c, uint64_t seed)
{
    pv_net_init(net);
    net->input_dim = c->m;
    int in = c->m;
    for (int l = 0; l <= c->nw; l++) {
        int out = l < c->nw ? c->widths[l] : 1;
        pv_net_add_layer(net, l < c->nw ? PV_RELU : PV_LINEAR, out, NULL);
        pv_layer *L = &net->layers[l];
        double sd = sqrt(2.0 / in);
        for (int i = 0; i < out * in; i++)
            mpq_set_si(L->w[i], lround(1000.0 * sd * gauss(&seed)), 1000);
        for (int i = 0; i < out; i++)
            mpq_set_si(L->b[i], lround(100.0 * gauss(&seed)), 1000);
        for (int i = 0; i < out * in; i++)
            mpq_canonicalize(L->w[i]);
        for (int i = 0; i < out; i++)
            mpq_canonicalize(L->b[i]);
        in = out;
    }
    pv_net_finalize(net, NULL);
}

/* ---- (b) naive exact pipeline ------------------------------------------ */

static int fits_double(const mpz_t z) { return mpz_sizeinbase(z, 2) <= 53; }

/* max t s.t. g x + h >= t, t <= 1, solved by glp_exact (cold) when every
 * number is a double, else by cddlib. Returns seconds, or -1 when the time
 * limit was hit. */
static double naive_margin(const pv_system *S, double limit)
{
    int m = S->dim, n = S->nrows, fits = 1;
    for (size_t i = 0; i < (size_t)n * m && fits; i++)
        fits = fits_double(S->g[i]);
    for (int i = 0; i < n && fits; i++)
        fits = fits_double(S->h[i]);
    double t0 = now();
    if (!fits) {
        mpq_t t;
        mpq_init(t);
        mpq_t *z = malloc((size_t)m * sizeof(mpq_t));
        for (int j = 0; j < m; j++)
            mpq_init(z[j]);
        pv_xlp_margin(m, n, S->g, S->h, NULL, t, z);
        for (int j = 0; j < m; j++)
            mpq_clear(z[j]);
        free(z);
        mpq_clear(t);
        return now() - t0;
    }
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_rows(P, n);
    glp_add_cols(P, m + 1);
    int *ia = malloc(((size_t)n * (m + 1) + 1) * sizeof(int));
    int *ja = malloc(((size_t)n * (m + 1) + 1) * sizeof(int));
    double *ar = malloc(((size_t)n * (m + 1) + 1) * sizeof(double));
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
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.tm_lim = (int)(limit * 1000);
    glp_term_out(GLP_OFF);
    int rc = glp_exact(P, &parm);
    double dt = now() - t0;
    glp_delete_prob(P);
    free(ia);
    free(ja);
    free(ar);
    return rc == GLP_ETMLIM ? -1.0 : dt;
}

/* ---- (c) float-only pipeline -------------------------------------------- */

static double float_margin(const pv_system *S)
{
    int m = S->dim, n = S->nrows;
    double *G = malloc(((size_t)n * m + 1) * sizeof *G), *h = malloc((size_t)n * sizeof *h);
    double *z = malloc((size_t)m * sizeof *z), *y = malloc((size_t)n * sizeof *y), t;
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < m; j++) {
            G[(size_t)i * m + j] = mpz_get_d(PV_G(S, i, j));
            s += G[(size_t)i * m + j] * G[(size_t)i * m + j];
        }
        s = s > 0 ? sqrt(s) : 1;
        for (int j = 0; j < m; j++)
            G[(size_t)i * m + j] /= s;
        h[i] = mpz_get_d(S->h[i]) / s;
    }
    double t0 = now();
    pv_flp_margin(m, n, G, h, z, &t, y);
    double dt = now() - t0;
    free(G);
    free(h);
    free(z);
    free(y);
    return dt;
}

/* ---- driver --------------------------------------------------------------- */

typedef struct result {
    const char *name;
    int N, facets, dim;
    double a_dim, a_all, b_dim, c_dim, b_all_est;
    long exact_lps;
} result;

static void run_config(const config *c, int queries, double limit, result *r)
{
    pv_net net;
    make_net(&net, c, 0x1234567ULL + (uint64_t)c->m);
    uint64_t seed = 0xABCDEFULL + (uint64_t)c->m;
    memset(r, 0, sizeof *r);
    r->name = c->name;
    r->N = net.neurons;
    mpq_t *x = malloc((size_t)c->m * sizeof(mpq_t));
    for (int j = 0; j < c->m; j++)
        mpq_init(x[j]);
    pv_code code;
    pv_code_init(&code, net.neurons);
    int nb = 0;
    for (int q = 0; q < queries; q++) {
        for (int j = 0; j < c->m; j++)
            mpq_set_d(x[j], gauss(&seed));
        pv_net_code_at(&net, x, &code, NULL, NULL);
        pv_cell C;
        pv_cell_init(&C);
        double t0 = now();
        pv_cell_compute(&C, &net, &code, NULL, PV_CELL_DIM, NULL);
        double t1 = now();
        pv_cell_compute(&C, &net, &code, NULL, PV_CELL_ALL, NULL);
        double t2 = now();
        r->a_dim += t1 - t0;
        r->a_all += t2 - t1;
        r->facets += C.nfacets;
        r->dim = C.dim;
        r->exact_lps += C.stats.exact_lps;
        if (getenv("PVBENCH_VERBOSE"))
            fprintf(stderr, "  %s query %d: %ld float LPs, %ld exact LPs, %ld float proofs, %ld rays\n",
                    c->name, q, C.stats.float_lps, C.stats.exact_lps, C.stats.float_proofs, C.stats.rays);
        pv_cell_clear(&C);
        pv_system S;
        pv_system_from_code(&S, &net, &code, NULL, NULL);
        r->c_dim += float_margin(&S);
        if (q == 0 && limit > 0) {
            /* one cold exact LP per question: realised+dim is one LP; the
             * facet list is one LP per row (estimated as N times one LP) */
            double tb = naive_margin(&S, limit);
            r->b_dim = tb;
            r->b_all_est = tb < 0 ? -1 : tb * (1 + S.nrows);
            nb = 1;
        }
        pv_system_clear(&S);
    }
    r->a_dim /= queries;
    r->a_all /= queries;
    r->c_dim /= queries;
    r->facets /= queries;
    if (!nb)
        r->b_dim = r->b_all_est = 0;
    pv_code_clear(&code);
    for (int j = 0; j < c->m; j++)
        mpq_clear(x[j]);
    free(x);
    pv_net_clear(&net);
}

static void fmt_time(char *buf, size_t n, double t, double limit)
{
    if (t < 0)
        snprintf(buf, n, "> %.0f s", limit);
    else if (t == 0)
        snprintf(buf, n, "not run");
    else
        snprintf(buf, n, "%.4g s", t);
}

int main(int argc, char **argv)
{
    double limit = 60;
    int queries = 5;
    const char *json = NULL, *sizes = "2,10,100,784";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--naive-limit") && i + 1 < argc)
            limit = atof(argv[++i]);
        else if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            queries = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json") && i + 1 < argc)
            json = argv[++i];
        else if (!strcmp(argv[i], "--sizes") && i + 1 < argc)
            sizes = argv[++i];
        else {
            fprintf(stderr, "usage: pvbench [--sizes 2,10,100,784] [--queries Q] "
                            "[--naive-limit SECONDS] [--json FILE]\n");
            return 2;
        }
    }
    if (queries < 1)
        queries = 1;
    result res[8];
    int nr = 0;
    printf("%-17s %5s %4s %7s | %-10s %-10s | %-10s %-12s | %-10s | %8s %8s\n",
           "network", "N", "dim", "facets", "(a) dim", "(a) facets", "(b) dim",
           "(b) facets*", "(c) dim", "(b)/(a)", "(a)/(c)");
    for (size_t c = 0; c < sizeof all_configs / sizeof *all_configs; c++) {
        char key[16];
        snprintf(key, sizeof key, "%d", all_configs[c].m);
        const char *p = strstr(sizes, key);
        if (!p || (p != sizes && p[-1] != ',') || (p[strlen(key)] && p[strlen(key)] != ','))
            continue;
        result *r = &res[nr++];
        run_config(&all_configs[c], queries, all_configs[c].m >= 784 ? 0 : limit, r);
        char b1[32], b2[32], b3[32], b4[32], b5[32];
        fmt_time(b1, sizeof b1, r->a_dim, limit);
        fmt_time(b2, sizeof b2, r->a_all, limit);
        fmt_time(b3, sizeof b3, r->b_dim, limit);
        fmt_time(b4, sizeof b4, r->b_all_est, limit * (1 + r->N));
        fmt_time(b5, sizeof b5, r->c_dim, limit);
        double ratio_ba = r->b_dim > 0 ? r->b_dim / r->a_dim : r->b_dim < 0 ? -limit / r->a_dim : 0;
        printf("%-17s %5d %4d %7d | %-10s %-10s | %-10s %-12s | %-10s | %s%7.0f %8.2f\n",
               r->name, r->N, r->dim, r->facets, b1, b2, b3, b4, b5,
               ratio_ba < 0 ? ">" : " ", fabs(ratio_ba), r->a_dim / r->c_dim);
        fflush(stdout);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("(a) polyverify exact, (b) naive exact (cold glp_exact/cddlib per LP),"
           " (c) GLPK double simplex.\n*: one LP per row, estimated as (N+1) x one LP."
           " Times are per query, %d queries each. Peak memory %ld MiB.\n",
           queries, ru.ru_maxrss / 1024);
    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) {
            perror(json);
            return 1;
        }
        fprintf(f, "{\"queries\": %d, \"naive_limit_s\": %g, \"peak_rss_kib\": %ld, \"rows\": [\n",
                queries, limit, ru.ru_maxrss);
        for (int i = 0; i < nr; i++)
            fprintf(f, "  {\"network\": \"%s\", \"N\": %d, \"dim\": %d, \"facets\": %d, "
                       "\"a_dim_s\": %.6g, \"a_facets_s\": %.6g, \"b_dim_s\": %.6g, "
                       "\"b_facets_est_s\": %.6g, \"c_dim_s\": %.6g, \"a_exact_fallbacks\": %ld}%s\n",
                    res[i].name, res[i].N, res[i].dim, res[i].facets, res[i].a_dim,
                    res[i].a_all, res[i].b_dim, res[i].b_all_est, res[i].c_dim,
                    res[i].exact_lps, i + 1 < nr ? "," : "");
        fprintf(f, "]}\n");
        fclose(f);
    }
    return 0;
}
