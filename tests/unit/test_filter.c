/* Unit tests of the forward pass's float filter (src/code.c): on every
 * point the filtered codes and zero flags equal those of the exact integer
 * pass, and a point with an exactly vanishing pre-activation is never
 * settled by the filter (its |z| = 0 cannot exceed a sound bound). Nets
 * include weights that are not doubles (1/3), magnitudes near the ends of
 * the double range, and points a hair (1e-40) off a hyperplane; the same
 * families go through the batched (BLAS) filter as one call. */
#include "polyverify/code.h"
#include "polyverify/network.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../src/net/network_internal.h"

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A random integer in [-k, k]. */
static long rnd(uint64_t *s, long k)
{
    return (long)(next(s) % (uint64_t)(2 * k + 1)) - k;
}

/* q = a / den * 2^e (e may be negative): exact. */
static void set_scaled(mpq_t q, long a, unsigned long den, int e)
{
    mpq_set_si(q, a, den);
    mpq_canonicalize(q);
    if (e >= 0)
        mpq_mul_2exp(q, q, (unsigned long)e);
    else
        mpq_div_2exp(q, q, (unsigned long)-e);
}

/* m inputs, ReLU widths w[0..nw), a linear output. Layer l's weights are
 * k/den * 2^e[l]: den = 1000 (decimal) or 3 (not a double at all). */
static void make_net(pv_net *net, int m, const int *w, int nw,
                     unsigned long den, const int *e, uint64_t *seed)
{
    pv__net_init(net);
    net->input_dim = m;
    for (int l = 0; l <= nw; l++) {
        int out = l < nw ? w[l] : 1;
        pv_net_add_layer(net, l < nw ? PV_RELU : PV_LINEAR, out, NULL);
        pv_layer *L = &net->layers[l];
        for (int i = 0; i < L->out * L->in; i++)
            set_scaled(L->w[i], rnd(seed, 1000), den, e[l]);
        for (int i = 0; i < L->out; i++)
            set_scaled(L->b[i], rnd(seed, 300), den, e[l]);
    }
    pv_net_finalize(net, NULL);
}

/* Codes and zero flags of x by both passes; 1 when they agree. *filtered
 * is set when the filter settled the point. */
static int agree(const pv_net *net, mpq_t *x, int *filtered)
{
    int N = net->neurons;
    pv_code a, b;
    pv_code_init(&a, N);
    pv_code_init(&b, N);
    unsigned char *za = calloc((size_t)N + 1, 1), *zb = calloc((size_t)N + 1, 1);
    pv_forward_stats fa = {0, 0, 0}, fb = {0, 0, 0};
    int ok = pv_code_at_points_opt(net, 1, x, &a, za, 1, &fa, NULL) == PV_OK &&
             pv_code_at_points_opt(net, 1, x, &b, zb, 0, &fb, NULL) == PV_OK &&
             pv_code_equal(&a, &b) && fb.filtered == 0;
    for (int j = 0; ok && j < N; j++)
        ok = za[j] == zb[j];
    *filtered = fa.filtered == 1;
    free(za);
    free(zb);
    pv_code_clear(&a);
    pv_code_clear(&b);
    return ok;
}

/* x_0 chosen so that neuron j of the first layer vanishes exactly:
 * x_0 = -(b_j + sum_{i>0} w_ji x_i) / w_j0 (w_j0 != 0 assumed). Then x_0 is
 * moved by `off`. */
static void onto_plane(const pv_net *net, mpq_t *x, int j, const mpq_t off)
{
    const pv_layer *L = &net->layers[0];
    mpq_t s, t;
    mpq_init(s);
    mpq_init(t);
    mpq_set(s, L->b[j]);
    for (int i = 1; i < L->in; i++) {
        mpq_mul(t, L->w[j * L->in + i], x[i]);
        mpq_add(s, s, t);
    }
    mpq_neg(s, s);
    mpq_div(x[0], s, L->w[j * L->in]);
    mpq_add(x[0], x[0], off);
    mpq_clear(s);
    mpq_clear(t);
}

static void test_family(unsigned long den, const int *e, const char *name)
{
    static const int widths[3] = { 7, 6, 5 };
    uint64_t seed = 0x9E3779B97F4A7C15ULL ^ den ^ (uint64_t)(e[0] * 977 + e[1]);
    int m = 3, settled = 0, generic = 0, zeros = 0, zeros_settled = 0;
    int disagree = 0;
    pv_net net;
    make_net(&net, m, widths, 3, den, e, &seed);
    mpq_t x[3], off;
    for (int i = 0; i < m; i++)
        mpq_init(x[i]);
    mpq_init(off);
    for (int p = 0; p < 300; p++) {
        /* input scale 2^-e[0] keeps the first layer's values near 1 */
        for (int i = 0; i < m; i++)
            set_scaled(x[i], rnd(&seed, 100000), 7919, -e[0]);
        int kind = p % 3, f;
        int j = (int)(next(&seed) % (uint64_t)widths[0]);
        if (kind > 0 && mpq_sgn(net.layers[0].w[j * m]) != 0) {
            if (kind == 1)
                mpq_set_ui(off, 0, 1);
            else   /* 1e-40 off the plane, relative to the inputs' scale */
                set_scaled(off, 1, 1, -133 - e[0]);
            onto_plane(&net, x, j, off);
        }
        if (!agree(&net, x, &f))
            disagree++;
        settled += f;
        generic += kind == 0 && f;
        if (kind == 1 && mpq_sgn(net.layers[0].w[j * m]) != 0) {
            zeros++;
            zeros_settled += f;
        }
    }
    printf("%s: %d of 300 points settled by the filter (%d of 100 generic);"
           " %d exact zeros, %d of them settled; %d disagreements\n",
           name, settled, generic, zeros, zeros_settled, disagree);
    CHECK(disagree == 0);
    CHECK(zeros > 50 && zeros_settled == 0);
    CHECK(generic >= 95);   /* the filter settles generic points (of 100) */
    for (int i = 0; i < m; i++)
        mpq_clear(x[i]);
    mpq_clear(off);
    pv__net_clear(&net);
}

/* The same families through the batched filter (src/code/filter_batch.c:
 * 300 points in one call, so in batches of up to 256 through BLAS when it
 * is built in): codes and zero flags equal the exact pass point by point.
 * A point with an exact zero must reach the exact pass (its zero flag is
 * 1 there, and a point the filter settles gets flags 0), and the generic
 * points are settled by a filter. */
static void test_family_batch(unsigned long den, const int *e, const char *name)
{
    static const int widths[3] = { 7, 6, 5 };
    enum { P = 300 };
    uint64_t seed = 0x51ED27A1C3B4D5E6ULL ^ den ^ (uint64_t)(e[0] * 31 + e[1]);
    int m = 3, N = 18, zeros = 0;
    pv_net net;
    make_net(&net, m, widths, 3, den, e, &seed);
    mpq_t *x = malloc((size_t)P * m * sizeof *x), off;
    unsigned char *kind0 = calloc(P, 1);
    mpq_init(off);
    for (int p = 0; p < P; p++) {
        mpq_t *xp = x + (size_t)p * m;
        for (int i = 0; i < m; i++) {
            mpq_init(xp[i]);
            set_scaled(xp[i], rnd(&seed, 100000), 7919, -e[0]);
        }
        int kind = p % 3, j = (int)(next(&seed) % (uint64_t)widths[0]);
        kind0[p] = kind == 0;
        if (kind > 0 && mpq_sgn(net.layers[0].w[j * m]) != 0) {
            if (kind == 1)
                mpq_set_ui(off, 0, 1), zeros++;
            else
                set_scaled(off, 1, 1, -133 - e[0]);
            onto_plane(&net, xp, j, off);
        }
    }
    pv_code *a = malloc(P * sizeof *a), *b = malloc(P * sizeof *b);
    for (int p = 0; p < P; p++) {
        pv_code_init(&a[p], 0);
        pv_code_init(&b[p], 0);
    }
    unsigned char *za = calloc((size_t)P * N, 1), *zb = calloc((size_t)P * N, 1);
    pv_forward_stats fa = {0, 0, 0}, fb = {0, 0, 0};
    CHECK(pv_code_at_points_opt(&net, P, x, a, za, 1, &fa, NULL) == PV_OK);
    CHECK(pv_code_at_points_opt(&net, P, x, b, zb, 0, &fb, NULL) == PV_OK);
    int disagree = 0;
    for (int p = 0; p < P; p++)
        disagree += !pv_code_equal(&a[p], &b[p]) ||
                    memcmp(za + (size_t)p * N, zb + (size_t)p * N, (size_t)N) != 0;
    printf("%s, one batch of %d: %ld settled by a filter (%ld in the batch), "
           "%ld exact, %d exact zeros; %d disagreements\n", name, P, fa.filtered,
           fa.batched, fa.exact, zeros, disagree);
    CHECK(disagree == 0);
    CHECK(fa.exact >= zeros && fa.filtered >= 95);
#ifdef PV_HAVE_BLAS
    CHECK(fa.batched >= 95);            /* settled in the batch itself */
#endif
    for (int p = 0; p < P; p++) {
        pv_code_clear(&a[p]);
        pv_code_clear(&b[p]);
        for (int i = 0; i < m; i++)
            mpq_clear(x[(size_t)p * m + i]);
    }
    free(a);
    free(b);
    free(za);
    free(zb);
    free(x);
    free(kind0);
    mpq_clear(off);
    pv__net_clear(&net);
}

/* A deep zero: neuron 0 of layer 2 is h_0 - h_0(x*) for a point x* where
 * h_0 > 0, so its pre-activation is exactly 0 at x*; the filter must leave
 * x* to the exact pass. */
static void test_deep_zero(void)
{
    pv_net net;
    pv__net_init(&net);
    net.input_dim = 2;
    pv_net_add_layer(&net, PV_RELU, 2, NULL);
    pv_net_add_layer(&net, PV_RELU, 1, NULL);
    pv_layer *A = &net.layers[0], *B = &net.layers[1];
    mpq_set_si(A->w[0], 1, 3);
    mpq_set_si(A->w[1], 2, 7);
    mpq_set_si(A->w[2], -1, 10);
    mpq_set_si(A->w[3], 1, 1);
    mpq_set_si(A->b[0], 1, 10);
    mpq_set_si(A->b[1], 0, 1);
    mpq_set_si(B->w[0], 1, 1);
    mpq_set_si(B->w[1], 0, 1);
    mpq_t x[2];
    mpq_init(x[0]);
    mpq_init(x[1]);
    mpq_set_si(x[0], 3, 5);
    mpq_set_si(x[1], 1, 9);
    /* h_0(x*) = 1/3*3/5 + 2/7*1/9 + 1/10 = 1/5 + 2/63 + 1/10 */
    mpq_set_si(B->b[0], -(126 + 20 + 63), 630);
    mpq_canonicalize(B->b[0]);
    pv_net_finalize(&net, NULL);
    int f;
    CHECK(agree(&net, x, &f));
    CHECK(f == 0);
    /* and 1e-30 further along x_0 the filter settles it, correctly */
    mpq_t d;
    mpq_init(d);
    mpq_set_str(d, "1/1000000000000000000000000000000", 10);
    mpq_add(x[0], x[0], d);
    CHECK(agree(&net, x, &f));
    mpq_clear(d);
    mpq_clear(x[0]);
    mpq_clear(x[1]);
    pv__net_clear(&net);
}

/* Out of double range: weights of 2^1500 switch the filter off, inputs of
 * 2^1200 too; the exact pass answers. */
static void test_out_of_range(void)
{
    static const int w[1] = { 4 };
    static const int big[2] = { 1500, 0 }, none[2] = { 0, 0 };
    uint64_t seed = 12345;
    pv_net net;
    make_net(&net, 3, w, 1, 1000, big, &seed);
    mpq_t x[3];
    for (int i = 0; i < 3; i++) {
        mpq_init(x[i]);
        mpq_set_si(x[i], i + 1, 3);
    }
    int f;
    CHECK(agree(&net, x, &f));
    CHECK(f == 0);
    pv__net_clear(&net);
    make_net(&net, 3, w, 1, 1000, none, &seed);
    mpq_mul_2exp(x[1], x[1], 1200);
    CHECK(agree(&net, x, &f));
    CHECK(f == 0);
    for (int i = 0; i < 3; i++)
        mpq_clear(x[i]);
    pv__net_clear(&net);
}

int main(void)
{
    static const int plain[4] = { 0, 0, 0, 0 };
    static const int tiny[4] = { -900, 0, 0, 0 };     /* subnormal-adjacent */
    static const int huge[4] = { 600, -300, 200, 0 };  /* 2^600 * 2^-300 ... */
    static const int mixed[4] = { -990, 900, -40, 0 };
    test_family(1000, plain, "k/1000");
    test_family(3, plain, "k/3 (not doubles)");
    test_family(1000, tiny, "k/1000 * 2^-900 in layer 1");
    test_family(3, huge, "k/3 * 2^600, 2^-300, 2^200");
    test_family(1000, mixed, "k/1000 * 2^-990, 2^900, 2^-40");
    test_family_batch(1000, plain, "k/1000");
    test_family_batch(3, plain, "k/3 (not doubles)");
    test_family_batch(1000, tiny, "k/1000 * 2^-900 in layer 1");
    test_family_batch(3, huge, "k/3 * 2^600, 2^-300, 2^200");
    test_family_batch(1000, mixed, "k/1000 * 2^-990, 2^900, 2^-40");
    test_deep_zero();
    test_out_of_range();
    return check_summary();
}
