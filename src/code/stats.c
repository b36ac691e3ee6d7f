/* polyverify — code statistics of a data set (see code_stats.h). Codes are
 * packed into 64-bit words so that comparisons and Hamming distances are
 * word operations; everything is exact (the codes come from exact forward
 * passes), only the choice of sampled pairs is random, with a fixed seed. */
#include "core/alloc.h"
#include "polyverify/code_stats.h"
#include "net/network_internal.h"
#include "core/sort.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void pv_code_stats_init(pv_code_stats *S) { memset(S, 0, sizeof *S); }

void pv_code_stats_clear(pv_code_stats *S)
{
    for (int c = 0; c < S->nclasses; c++)
        pv_free(S->classes[c].label);
    pv_free(S->classes);
    pv_free(S->distinct_by_layer);
    pv_free(S->hamming);
    pv_code_stats_init(S);
}

/* Bits [from, to) of code c packed into w words. */
static void pack(uint64_t *dst, int w, const pv_code *c, int from, int to)
{
    memset(dst, 0, (size_t)w * sizeof *dst);
    for (int j = from; j < to; j++)
        if (c->bit[j])
            dst[(j - from) >> 6] |= 1ULL << ((j - from) & 63);
}

typedef struct packed {
    int w;
    uint64_t *v;     /* count * w words */
} packed;

static int cmp_words(const uint64_t *a, const uint64_t *b, int w)
{
    for (int i = 0; i < w; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static int cmp_packed(const void *ctx, int a, int b)
{
    const packed *P = ctx;
    return cmp_words(&P->v[(size_t)a * P->w], &P->v[(size_t)b * P->w], P->w);
}

/* Indices 0..n-1 of packed rows in sorted order (stable). */
static void sort_rows(const packed *P, int *idx, int *tmp, int n)
{
    pv_sort_indices(idx, tmp, n, cmp_packed, P);
}

static int count_distinct(const packed *P, const int *idx, int n)
{
    int d = n > 0;
    for (int r = 1; r < n; r++)
        d += cmp_words(&P->v[(size_t)idx[r - 1] * P->w], &P->v[(size_t)idx[r] * P->w], P->w) != 0;
    return d;
}

static int popcount64(uint64_t x) { return __builtin_popcountll(x); }

static int hamming(const uint64_t *a, const uint64_t *b, int w)
{
    int d = 0;
    for (int i = 0; i < w; i++)
        d += popcount64(a[i] ^ b[i]);
    return d;
}


static int find(int *parent, int x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

/* Components of "d_H = 1" on the distinct codes U (sorted): each code's N
 * one-bit flips are looked up by binary search. */
static void components(pv_code_stats *S, const uint64_t *U, int nu, int w, int nbits)
{
    int *parent = pv_malloc((size_t)(nu + 1) * sizeof *parent);
    int *size = pv_calloc((size_t)nu + 1, sizeof *size);
    uint64_t *f = pv_malloc((size_t)w * sizeof *f);
    for (int i = 0; i < nu; i++)
        parent[i] = i;
    for (int i = 0; i < nu; i++)
        for (int j = 0; j < nbits; j++) {
            memcpy(f, &U[(size_t)i * w], (size_t)w * sizeof *f);
            f[j >> 6] ^= 1ULL << (j & 63);
            int lo = 0, hi = nu - 1;
            while (lo <= hi) {
                int mid = (lo + hi) / 2, c = cmp_words(&U[(size_t)mid * w], f, w);
                if (c == 0) {
                    parent[find(parent, i)] = find(parent, mid);
                    break;
                }
                if (c < 0)
                    lo = mid + 1;
                else
                    hi = mid - 1;
            }
        }
    for (int i = 0; i < nu; i++)
        size[find(parent, i)]++;
    for (int i = 0; i < nu; i++) {
        if (!size[i])
            continue;
        S->components++;
        S->isolated_codes += size[i] == 1;
        if (size[i] > S->largest_component)
            S->largest_component = size[i];
    }
    pv_free(parent);
    pv_free(size);
    pv_free(f);
}

static void hamming_histogram(pv_code_stats *S, const uint64_t *U, int nu, int w,
                              long max_pairs)
{
    long all = (long)nu * (nu - 1) / 2;
    S->hamming = pv_calloc((size_t)S->nbits + 1, sizeof(long));
    if (all <= max_pairs) {
        for (int a = 0; a < nu; a++)
            for (int b = a + 1; b < nu; b++)
                S->hamming[hamming(&U[(size_t)a * w], &U[(size_t)b * w], w)]++;
        S->pairs = all;
        return;
    }
    uint64_t seed = 0x5EED5EED5EEDULL;
    for (long p = 0; p < max_pairs; p++) {
        int a = (int)(pv_xorshift64(&seed) % (uint64_t)nu), b;
        do
            b = (int)(pv_xorshift64(&seed) % (uint64_t)nu);
        while (b == a);
        S->hamming[hamming(&U[(size_t)a * w], &U[(size_t)b * w], w)]++;
    }
    S->pairs = max_pairs;
    S->sampled = 1;
}

/* Per label: points and distinct codes; codes carrying several labels. */
static void class_stats(pv_code_stats *S, const pv_pointset *ps, const packed *P,
                        const int *idx)
{
    int n = ps->count;
    int *order = pv_malloc((size_t)(n + 1) * sizeof *order);
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = 1; i < n; i++)       /* labels sorted, stable (insertion) */
        for (int j = i; j > 0 && strcmp(ps->labels[order[j - 1]], ps->labels[order[j]]) > 0; j--) {
            int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
        }
    S->classes = pv_calloc((size_t)n + 1, sizeof *S->classes);
    int *members = pv_malloc((size_t)(n + 1) * sizeof *members), *tmp = pv_malloc((size_t)(n + 1) * sizeof *tmp);
    for (int a = 0; a < n;) {
        int b = a;
        while (b < n && !strcmp(ps->labels[order[a]], ps->labels[order[b]]))
            b++;
        for (int i = a; i < b; i++)
            members[i - a] = order[i];
        sort_rows(P, members, tmp, b - a);
        pv_class_stats *c = &S->classes[S->nclasses++];
        c->label = pv_strdup(ps->labels[order[a]]);
        c->points = b - a;
        c->distinct_codes = count_distinct(P, members, b - a);
        a = b;
    }
    for (int r = 0; r < n;) {             /* runs of one code in idx */
        int s = r + 1, mixed = 0;
        while (s < n && !cmp_words(&P->v[(size_t)idx[r] * P->w], &P->v[(size_t)idx[s] * P->w], P->w)) {
            mixed |= strcmp(ps->labels[idx[r]], ps->labels[idx[s]]) != 0;
            s++;
        }
        S->shared_codes += mixed;
        r = s;
    }
    pv_free(order);
    pv_free(members);
    pv_free(tmp);
}

static pv_status code_stats_compute(pv_code_stats *S, const pv_net *net,
                                    const pv_pointset *ps, const mpq_t *scale,
                                    long max_pairs, int filter, int threads,
                                    pv_error *err)
{
    pv_code_stats_clear(S);    /* the caller's content is replaced */
    int n = ps->count, N = net->neurons, m = ps->dim;
    if (m != net->input_dim)
        return pv_error_set(err, PV_ERR_ARG, "points have %d coordinates, the network %d", m,
                            net->input_dim);
    mpq_t *x = pv_malloc(((size_t)n * m + 1) * sizeof(mpq_t));
    for (size_t i = 0; i < (size_t)n * m; i++) {
        mpq_init(x[i]);
        mpq_set(x[i], ps->x[i]);
        if (scale)
            mpq_mul(x[i], x[i], *scale);
    }
    pv_code *codes = pv_calloc((size_t)n + 1, sizeof *codes);
    pv_status rc = pv_code_at_points_threads(net, n, x, codes, NULL, filter,
                                             threads, &S->forward, err);
    for (size_t i = 0; i < (size_t)n * m; i++)
        mpq_clear(x[i]);
    pv_free(x);
    if (rc == PV_OK) {
        S->points = n;
        S->nbits = N;
        int w = (N + 63) / 64 ? (N + 63) / 64 : 1;
        packed P = { w, pv_calloc((size_t)n * w + 1, sizeof(uint64_t)) };
        int *idx = pv_malloc((size_t)(n + 1) * sizeof *idx), *tmp = pv_malloc((size_t)(n + 1) * sizeof *tmp);
        /* per ReLU layer */
        for (int k = 0; k < net->nlayers; k++)
            S->nlayers += net->layers[k].nrelu > 0;
        S->distinct_by_layer = pv_calloc((size_t)S->nlayers + 1, sizeof(int));
        for (int k = 0, l = 0; k < net->nlayers; k++) {
            const pv_layer *L = &net->layers[k];
            if (L->nrelu == 0)
                continue;
            packed Q = { (L->nrelu + 63) / 64, pv_calloc((size_t)n * ((L->nrelu + 63) / 64) + 1, sizeof(uint64_t)) };
            for (int i = 0; i < n; i++) {
                pack(&Q.v[(size_t)i * Q.w], Q.w, &codes[i], L->first_neuron, L->first_neuron + L->nrelu);
                idx[i] = i;
            }
            sort_rows(&Q, idx, tmp, n);
            S->distinct_by_layer[l++] = count_distinct(&Q, idx, n);
            pv_free(Q.v);
        }
        for (int i = 0; i < n; i++) {
            pack(&P.v[(size_t)i * w], w, &codes[i], 0, N);
            idx[i] = i;
        }
        sort_rows(&P, idx, tmp, n);
        /* distinct codes, in order, and points per code */
        uint64_t *U = pv_malloc(((size_t)n * w + 1) * sizeof *U);
        int nu = 0;
        for (int r = 0; r < n;) {
            int s = r + 1;
            while (s < n && !cmp_words(&P.v[(size_t)idx[r] * w], &P.v[(size_t)idx[s] * w], w))
                s++;
            memcpy(&U[(size_t)nu++ * w], &P.v[(size_t)idx[r] * w], (size_t)w * sizeof *U);
            if (s - r > S->max_points_per_code)
                S->max_points_per_code = s - r;
            S->singleton_codes += s - r == 1;
            r = s;
        }
        S->distinct_codes = nu;
        if (ps->labels)
            class_stats(S, ps, &P, idx);
        hamming_histogram(S, U, nu, w, max_pairs);
        components(S, U, nu, w, N);
        pv_free(U);
        pv_free(idx);
        pv_free(tmp);
        pv_free(P.v);
    }
    for (int i = 0; i < n; i++)
        pv_code_clear(&codes[i]);
    pv_free(codes);
    return rc;
}

pv_status pv_code_stats_compute(pv_code_stats *S, const pv_net *net,
                                const pv_pointset *ps, const mpq_t *scale,
                                long max_pairs, int filter, pv_error *err)
{
    return pv_code_stats_compute_threads(S, net, ps, scale, max_pairs, filter,
                                         1, err);
}

pv_status pv_code_stats_compute_threads(pv_code_stats *S, const pv_net *net,
                                        const pv_pointset *ps,
                                        const mpq_t *scale, long max_pairs,
                                        int filter, int threads, pv_error *err)
{
    PV_GUARD(err, code_stats_compute(S, net, ps, scale, max_pairs, filter,
                                     threads, err),
             pv_code_stats_init(S));
}
