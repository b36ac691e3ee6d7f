/* polyverify — the half-space system of a code by the layer recursion.
 *
 * The affine map of layer k's pre-activations is kept as one integer matrix
 * over one common denominator: z_k(x) = (Z x + zc) / delta_k. With
 * W_k = Wint / D_k (D_k the lcm of the layer's denominators) and the masked
 * previous map A/delta, Z = Wint * mask(A) and zc = Wint * mask(c) +
 * bint * delta, over D_k * delta. Only the signs and directions of rows
 * matter, so each row is finally made primitive. Products use a 128-bit
 * fast path whenever the operands provably fit. */
#include "core/alloc.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <stdint.h>
#include "exact/linalg.h"

/* 128-bit integer sums where the compiler has them (GCC and Clang on 64-bit
 * targets); without them every product takes the GMP path, which gives the
 * same rows. -DPV_NO_INT128 forces that path (a build test). */
#if defined(__SIZEOF_INT128__) && !defined(PV_NO_INT128)
#define PV_HAVE_INT128 1
#endif

void pv_system_init(pv_system *S, int dim, int nrows)
{
    size_t n = (size_t)dim * (size_t)nrows;
    S->dim = dim;
    S->nrows = nrows;
    S->g = pv_malloc((n ? n : 1) * sizeof(mpz_t));
    S->h = pv_malloc((nrows ? nrows : 1) * sizeof(mpz_t));
    S->strict = pv_calloc(nrows ? nrows : 1, 1);
    S->eq = pv_calloc(nrows ? nrows : 1, 1);
    S->label = pv_calloc(nrows ? nrows : 1, sizeof(int));
    S->scale = pv_malloc((nrows ? nrows : 1) * sizeof(mpq_t));
    for (size_t i = 0; i < n; i++)
        mpz_init(S->g[i]);
    for (int i = 0; i < nrows; i++) {
        mpz_init(S->h[i]);
        mpq_init(S->scale[i]);
        mpq_set_ui(S->scale[i], 1, 1);
    }
}

void pv_system_clear(pv_system *S)
{
    size_t n = (size_t)S->dim * (size_t)S->nrows;
    for (size_t i = 0; i < n; i++)
        mpz_clear(S->g[i]);
    for (int i = 0; i < S->nrows; i++) {
        mpz_clear(S->h[i]);
        mpq_clear(S->scale[i]);
    }
    pv_free(S->g);
    pv_free(S->h);
    pv_free(S->strict);
    pv_free(S->eq);
    pv_free(S->label);
    pv_free(S->scale);
    memset(S, 0, sizeof *S);
}

#ifdef PV_HAVE_INT128
static size_t max_bits(const pv_zmat *M)
{
    size_t b = 0, n = (size_t)M->rows * (size_t)M->cols;
    for (size_t i = 0; i < n; i++) {
        size_t s = mpz_sizeinbase(M->a[i], 2);
        if (s > b)
            b = s;
    }
    return b;
}

static int64_t to_i64(const mpz_t z) { return (int64_t)mpz_get_si(z); }

static void set_i128(mpz_t z, __int128 v)
{
    if (v >= -((__int128)1 << 62) && v < ((__int128)1 << 62)) {
        mpz_set_si(z, (long)v);
        return;
    }
    int neg = v < 0;
    unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;
    mpz_set_ui(z, (unsigned long)(uint64_t)(u >> 64));
    mpz_mul_2exp(z, z, 64);
    mpz_add_ui(z, z, (unsigned long)(uint64_t)u);
    if (neg)
        mpz_neg(z, z);
}
#endif

/* C = W * B for the layer's integer weights W (dense or sparse), where
 * rows of B whose mask is 0 are skipped (the ReLU's 0/1 diagonal of the
 * previous layer). */
static void layer_product(pv_zmat *C, const pv_layer *L, const pv_zmat *B,
                          const unsigned char *mask)
{
#ifdef PV_HAVE_INT128
    /* |sum| <= in * 2^(bitsW + bitsB): bound the bits of the sum. The
     * 64-bit copy w64 exists only when every weight fits 62 bits. */
    size_t wbits = L->w64 != NULL ? (size_t)L->w64_bits : 63;
    size_t bbits = max_bits(B), bits = wbits + bbits + 1;
    for (int k = L->in; k > 0; k >>= 1)
        bits++;
    if (wbits <= 62 && bbits <= 62 && bits <= 126) {
        int64_t *b = pv_malloc(((size_t)B->rows * B->cols + 1) * sizeof *b);
        __int128 *acc = pv_malloc(((size_t)B->cols + 1) * sizeof *acc);
        for (size_t i = 0; i < (size_t)B->rows * B->cols; i++)
            b[i] = to_i64(B->a[i]);
        for (int i = 0; i < L->out; i++) {
            memset(acc, 0, (size_t)B->cols * sizeof *acc);
            for (size_t e = pv_layer_row_begin(L, i); e < pv_layer_row_end(L, i); e++) {
                int l = pv_layer_col(L, i, e);
                int64_t f = L->w64[e];
                if (!f || (mask && !mask[l]))
                    continue;
                const int64_t *br = &b[(size_t)l * B->cols];
                for (int j = 0; j < B->cols; j++)
                    acc[j] += (__int128)f * br[j];
            }
            for (int j = 0; j < B->cols; j++)
                set_i128(PV_Z(C, i, j), acc[j]);
        }
        pv_free(b);
        pv_free(acc);
        return;
    }
#endif
    for (int i = 0; i < L->out; i++) {
        for (int j = 0; j < B->cols; j++)
            mpz_set_ui(PV_Z(C, i, j), 0);
        for (size_t e = pv_layer_row_begin(L, i); e < pv_layer_row_end(L, i); e++) {
            int l = pv_layer_col(L, i, e);
            if (mpz_sgn(L->wint[e]) == 0 || (mask && !mask[l]))
                continue;
            for (int j = 0; j < B->cols; j++)
                mpz_addmul(PV_Z(C, i, j), L->wint[e], PV_Z(B, l, j));
        }
    }
}

/* The 0/1 diagonal layer L puts on its outputs for the code: NULL (keep
 * every row) for a linear layer, else one flag per row, the bit of a ReLU
 * row and 1 for a linear row, in buf (out entries) or, for a pure ReLU
 * layer, the code's own bits. */
static const unsigned char *layer_mask(const pv_layer *L, const pv_code *code,
                                       unsigned char **buf)
{
    if (L->nrelu == 0)
        return NULL;
    if (L->nrelu == L->out)
        return code->bit + L->first_neuron;
    *buf = pv_malloc((size_t)L->out);
    memcpy(*buf, code->bit + L->first_neuron, (size_t)L->nrelu);
    memset(*buf + L->nrelu, 1, (size_t)(L->out - L->nrelu));
    return *buf;
}

/* Divides the whole map (all rows and constants) by the gcd of everything:
 * a common positive factor of map and denominator keeps it exact and small. */
static void reduce_map(pv_zmat *Z, mpz_t delta)
{
    mpz_t g;
    mpz_init_set(g, delta);
    size_t n = (size_t)Z->rows * Z->cols;
    for (size_t i = 0; i < n && mpz_cmp_ui(g, 1) != 0; i++)
        mpz_gcd(g, g, Z->a[i]);
    if (mpz_cmp_ui(g, 1) > 0) {
        for (size_t i = 0; i < n; i++)
            mpz_divexact(Z->a[i], Z->a[i], g);
        mpz_divexact(delta, delta, g);
    }
    mpz_clear(g);
}

/* Domain row k, a.x + c >= 0 with rationals, as the primitive integer row
 * s (a.x + c), s > 0 the lcm of the denominators over the gcd of the
 * numerators: its scale. An equality keeps eq. */
static void add_domain_row(pv_system *S, int r, const pv_box *box, int k)
{
    int m = S->dim;
    mpz_t l, g;
    mpz_init_set(l, mpq_denref(box->c[k]));
    mpz_init(g);
    for (int i = 0; i < m; i++)
        mpz_lcm(l, l, mpq_denref(PV_BOX_A(box, k, i)));
    for (int i = 0; i <= m; i++) {          /* numerators over l */
        const mpq_t *q = i < m ? &PV_BOX_A(box, k, i) : &box->c[k];
        mpz_t *z = i < m ? &PV_G(S, r, i) : &S->h[r];
        mpz_divexact(*z, l, mpq_denref(*q));
        mpz_mul(*z, *z, mpq_numref(*q));
        mpz_gcd(g, g, *z);
    }
    if (mpz_sgn(g) > 0) {
        for (int i = 0; i < m; i++)
            mpz_divexact(PV_G(S, r, i), PV_G(S, r, i), g);
        mpz_divexact(S->h[r], S->h[r], g);
    } else {
        mpz_set_ui(g, 1);                  /* the row 0 >= 0 */
    }
    mpq_set_num(S->scale[r], l);
    mpq_set_den(S->scale[r], g);
    mpq_canonicalize(S->scale[r]);
    S->eq[r] = box->eq[k];
    S->label[r] = PV_LABEL_DOMAIN(k);
    mpz_clears(l, g, NULL);
}

/* The domain's rows from row r on: box sides, then general rows. */
static void add_box_rows(pv_system *S, int r, const pv_box *box)
{
    int m = S->dim;
    for (int k = 0; k < box->nrows; k++)
        add_domain_row(S, r + (box->intervals ? 2 * m : 0) + k, box, k);
    for (int i = 0; box->intervals && i < m; i++)
        for (int hi = 0; hi < 2; hi++, r++) {
            /* x_i - lo >= 0 scaled by den(lo); hi - x_i >= 0 by den(hi). */
            const mpq_t *q = hi ? &box->hi[i] : &box->lo[i];
            mpz_set(PV_G(S, r, i), mpq_denref(*q));
            mpz_set(S->h[r], mpq_numref(*q));
            mpq_set_z(S->scale[r], mpq_denref(*q));
            if (hi)
                mpz_neg(PV_G(S, r, i), PV_G(S, r, i));
            else
                mpz_neg(S->h[r], S->h[r]);
            S->label[r] = PV_LABEL_BOX(i, hi);
        }
}

/* ---- the fixed-width path ------------------------------------------------
 * The same recursion in __int128 maps and sums, used when every layer has
 * a 64-bit integer form (pv_net_finalize) and each product and sum
 * provably fits: most networks with decimal or float32 weights and two or
 * three layers (float32 weights of one layer span ~40 bits, so a second
 * layer's map is ~90 bits: past int64, well inside int128). Returns 0,
 * with S's neuron rows partly written, as soon as a bound fails; the mpz
 * path then redoes everything. */

#ifdef PV_HAVE_INT128
typedef unsigned __int128 u128;

static int bit_length128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? 128 - __builtin_clzll(hi) : (v ? 64 - __builtin_clzll((uint64_t)v) : 0);
}

static u128 abs128(__int128 v)
{
    return v < 0 ? -(u128)v : (u128)v;
}

static int ctz128(u128 v)
{
    uint64_t lo = (uint64_t)v;
    return lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll((uint64_t)(v >> 64));
}

/* Euclid in 64 bits as soon as both fit (the common case). */
static u128 gcd128(u128 a, u128 b)
{
    while (b && (a >> 64 || b >> 64)) {
        u128 t = a % b;
        a = b;
        b = t;
    }
    if (!b)
        return a;                        /* a may need more than 64 bits */
    uint64_t x = (uint64_t)a, y = (uint64_t)b;
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return x;
}

/* Neuron rows j of this layer from Z (out x (m+1)) over delta: primitive,
 * signed by the code bit, with their scale delta / gcd. */
static void rows_from_map128(pv_system *S, const pv_layer *L, const __int128 *Z,
                             const mpz_t delta, const unsigned char *bits)
{
    int m = S->dim;
    mpz_t d;
    mpz_init(d);
    for (int i = 0; i < L->nrelu; i++) {
        const __int128 *z = Z + (size_t)i * (m + 1);
        int j = L->first_neuron + i, bit = bits[j];
        u128 g = 0;
        for (int c = 0; c <= m && g != 1; c++)
            g = gcd128(g, abs128(z[c]));
        __int128 gd = g ? (__int128)g : 1;
        for (int c = 0; c < m; c++)     /* S starts at 0: skip zeros */
            if (z[c])
                set_i128(PV_G(S, j, c), bit ? z[c] / gd : -(z[c] / gd));
        if (z[m])
            set_i128(S->h[j], bit ? z[m] / gd : -(z[m] / gd));
        set_i128(d, gd);
        mpq_set_num(S->scale[j], delta);
        mpq_set_den(S->scale[j], d);
        mpq_canonicalize(S->scale[j]);
        S->strict[j] = (unsigned char)bit;
        S->label[j] = j;
    }
    mpz_clear(d);
}

static int system_from_code64(pv_system *S, const pv_net *net,
                              const pv_code *code)
{
    int m = net->input_dim, ok = 1, last = -1;
    size_t w = (size_t)m + 1;
    for (int k = 0; k < net->nlayers; k++)
        if (net->layers[k].nrelu > 0)
            last = k;               /* later layers give no rows */
    __int128 *A = pv_calloc((size_t)m * w, sizeof *A);
    int rows = m, abits = 1;                 /* A: rows x (m+1), max bits */
    __int128 delta = 1;                      /* the map is Z / delta      */
    int dbits = 1;                           /* delta's bits               */
    mpz_t zdelta;
    mpz_init(zdelta);
    const unsigned char *mask = NULL;
    unsigned char *maskbuf = NULL;
    for (int i = 0; i < m; i++)
        A[(size_t)i * w + (size_t)i] = 1;
    for (int k = 0; ok && k <= last; k++) {
        const pv_layer *L = &net->layers[k];
        /* |w a| < 2^(wbits + abits), |b delta| < 2^(wbits + dbits); the sum
         * of in + 1 of them stays below 2^126 */
        int tb = L->w64_bits + (abits > dbits ? abits : dbits) +
                 bit_length128((u128)L->in + 1) + 1;
        int denbits = (int)mpz_sizeinbase(L->den, 2);
        if (L->w64 == NULL || tb > 126 || dbits + denbits > 126) {
            ok = 0;
            break;
        }
        __int128 dl = delta * (__int128)mpz_get_si(L->den);
        int dpow2 = dl > 0 && ((u128)dl & ((u128)dl - 1)) == 0;
        u128 orbits = 0;
        __int128 *Z = pv_malloc((size_t)L->out * w * sizeof *Z);
        /* A's nonzero columns per row: after a lifted first layer (the
         * identity) each row of A has one or two. */
        int *nzc = pv_malloc(((size_t)rows * w + 1) * sizeof *nzc);
        int *nzn = pv_malloc(((size_t)rows + 1) * sizeof *nzn);
        for (int l = 0; l < rows; l++) {
            nzn[l] = 0;
            for (size_t c = 0; c < w; c++)
                if (A[(size_t)l * w + c])
                    nzc[(size_t)l * w + (size_t)nzn[l]++] = (int)c;
        }
        u128 g = 0, big = 0;
        for (int i = 0; i < L->out; i++) {
            __int128 *acc = Z + (size_t)i * w;
            for (size_t c = 0; c < w; c++)
                acc[c] = 0;
            acc[m] = (__int128)L->b64[i] * delta;
            for (size_t e = pv_layer_row_begin(L, i); e < pv_layer_row_end(L, i); e++) {
                int l = pv_layer_col(L, i, e);
                int64_t wl = L->w64[e];
                if (!wl || (mask && !mask[l]))
                    continue;
                const __int128 *ar = A + (size_t)l * w;
                const int *nc = nzc + (size_t)l * w;
                for (int c = 0; c < nzn[l]; c++)
                    acc[nc[c]] += (__int128)wl * ar[nc[c]];
            }
            /* the denominator of float weights is a power of two: then
             * so is the common factor, read off the trailing zeros */
            for (size_t c = 0; c < w && g != 1 && !dpow2; c++)
                g = gcd128(g, abs128(acc[c]));
            for (size_t c = 0; c < w && dpow2; c++)
                orbits |= abs128(acc[c]);
        }
        /* reduce map and denominator by their common factor */
        if (dpow2)
            g = (u128)1 << ctz128(orbits | (u128)dl);
        else
            g = gcd128(g, abs128(dl));
        if (g > 1) {
            dl /= (__int128)g;
            for (size_t a = 0; a < (size_t)L->out * w; a++)
                Z[a] /= (__int128)g;
        }
        for (size_t a = 0; a < (size_t)L->out * w; a++)
            if (abs128(Z[a]) > big)
                big = abs128(Z[a]);
        ok = dl > 0;
        if (ok) {
            delta = dl;
            dbits = bit_length128((u128)dl);
            set_i128(zdelta, dl);
            if (L->nrelu > 0)
                rows_from_map128(S, L, Z, zdelta, code->bit);
        }
        pv_free(nzc);
        pv_free(nzn);
        pv_free(A);
        A = Z;
        rows = L->out;
        abits = bit_length128(big);
        pv_free(maskbuf);
        maskbuf = NULL;
        mask = layer_mask(L, code, &maskbuf);
    }
    pv_free(maskbuf);
    pv_free(A);
    mpz_clear(zdelta);
    return ok;
}
#else
static int system_from_code64(pv_system *S, const pv_net *net,
                              const pv_code *code)
{
    (void)S, (void)net, (void)code;
    return 0;                          /* no 128-bit sums: the GMP path */
}
#endif

/* S as a zero system of dim x nrows: a system of that shape is zeroed in
 * place (its numbers keep their limbs: an enumeration builds one system a
 * cell, all of one shape), anything else is (re)initialised. */
static void system_reset(pv_system *S, int dim, int nrows, int reuse)
{
    if (!reuse || S->dim != dim || S->nrows != nrows || !S->g) {
        if (reuse && S->g)
            pv_system_clear(S);
        pv_system_init(S, dim, nrows);
        return;
    }
    for (size_t i = 0; i < (size_t)dim * (size_t)nrows; i++)
        mpz_set_ui(S->g[i], 0);
    for (int i = 0; i < nrows; i++) {
        mpz_set_ui(S->h[i], 0);
        mpq_set_ui(S->scale[i], 1, 1);
    }
    memset(S->strict, 0, (size_t)nrows);
    memset(S->eq, 0, (size_t)nrows);
    memset(S->label, 0, (size_t)nrows * sizeof *S->label);
}

static pv_status system_from_code(pv_system *S, const pv_net *net,
                                  const pv_code *code, const pv_box *box,
                                  int reuse, pv_error *err)
{
    int m = net->input_dim;
    if (code->n != net->neurons)
        return pv_error_set(err, PV_ERR_ARG, "code has %d bits, expected %d",
                            code->n, net->neurons);
    if (!net->finalized)
        return pv_error_set(err, PV_ERR_ARG, "call pv_net_finalize first");
    if (box && box->dim != m)
        return pv_error_set(err, PV_ERR_ARG, "box has dimension %d, expected %d",
                            box->dim, m);
    system_reset(S, m, net->neurons + (box ? pv_box_system_rows(box) : 0), reuse);
    if (system_from_code64(S, net, code)) {
        if (box)
            add_box_rows(S, net->neurons, box);
        return PV_OK;
    }

    /* Map of a_0 = x: identity with zero constant column, denominator 1. */
    pv_zmat A;
    pv_zmat_init(&A, m, m + 1);
    for (int i = 0; i < m; i++)
        mpz_set_ui(PV_Z(&A, i, i), 1);
    mpz_t delta;
    mpz_init_set_ui(delta, 1);
    const unsigned char *mask = NULL;
    unsigned char *maskbuf = NULL;

    for (int k = 0; k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        pv_zmat Z;
        pv_zmat_init(&Z, L->out, m + 1);
        layer_product(&Z, L, &A, mask);
        for (int i = 0; i < L->out; i++)          /* + bint * delta */
            mpz_addmul(PV_Z(&Z, i, m), L->bint[i], delta);
        mpz_mul(delta, delta, L->den);
        reduce_map(&Z, delta);

        pv_free(maskbuf);
        maskbuf = NULL;
        mask = NULL;
        if (L->nrelu > 0) {
            for (int i = 0; i < L->nrelu; i++) {
                int j = L->first_neuron + i, bit = code->bit[j];
                for (int c = 0; c < m; c++)
                    mpz_set(PV_G(S, j, c), PV_Z(&Z, i, c));
                mpz_set(S->h[j], PV_Z(&Z, i, m));
                if (!bit) {
                    for (int c = 0; c < m; c++)
                        mpz_neg(PV_G(S, j, c), PV_G(S, j, c));
                    mpz_neg(S->h[j], S->h[j]);
                }
                S->strict[j] = (unsigned char)bit;
                S->label[j] = j;
                mpq_set_z(S->scale[j], delta);    /* row = delta * sigma z_j */
            }
        }
        mask = layer_mask(L, code, &maskbuf);
        pv_zmat_clear(&A);
        A = Z;
    }
    pv_free(maskbuf);
    pv_zmat_clear(&A);
    mpz_clear(delta);

    /* Each neuron row: primitive integer vector (g, h), and its scale. */
    mpz_t *tmp = pv_malloc((size_t)(m + 1) * sizeof(mpz_t));
    mpz_t gcd;
    mpz_init(gcd);
    for (int c = 0; c <= m; c++)
        mpz_init(tmp[c]);
    for (int j = 0; j < net->neurons; j++) {
        for (int c = 0; c < m; c++)
            mpz_swap(tmp[c], PV_G(S, j, c));
        mpz_swap(tmp[m], S->h[j]);
        mpz_set_ui(gcd, 0);
        for (int c = 0; c <= m; c++)
            mpz_gcd(gcd, gcd, tmp[c]);
        if (mpz_sgn(gcd) > 0) {
            for (int c = 0; c <= m; c++)
                mpz_divexact(tmp[c], tmp[c], gcd);
            mpz_set(mpq_denref(S->scale[j]), gcd);
            mpq_canonicalize(S->scale[j]);
        }
        for (int c = 0; c < m; c++)
            mpz_swap(tmp[c], PV_G(S, j, c));
        mpz_swap(tmp[m], S->h[j]);
    }
    for (int c = 0; c <= m; c++)
        mpz_clear(tmp[c]);
    pv_free(tmp);
    mpz_clear(gcd);
    if (box)
        add_box_rows(S, net->neurons, box);
    return PV_OK;
}

int pv__system_row_double(const pv_system *S, int i, mpq_srcptr at, double *g,
                          double *c)
{
    int m = S->dim;
    long shift = at ? 0 : (long)mpz_sizeinbase(S->h[i], 2);
    for (int j = 0; j < m; j++)
        if ((long)mpz_sizeinbase(PV_G(S, i, j), 2) > shift)
            shift = (long)mpz_sizeinbase(PV_G(S, i, j), 2);
    double norm = 0.0;
    for (int j = 0; j < m; j++) {
        g[j] = pv_mpz_get_d_scaled(PV_G(S, i, j), shift);
        norm += g[j] * g[j];
    }
    *c = at ? ldexp(mpq_get_d(at), (int)-shift) : pv_mpz_get_d_scaled(S->h[i], shift);
    norm = norm > 0.0 ? sqrt(norm) : 1.0;
    for (int j = 0; j < m; j++)
        g[j] /= norm;
    *c /= norm;
    return isfinite(norm) && isfinite(*c);
}

void pv__system_of_box(pv_system *S, const pv_box *box)
{
    pv_system_init(S, box->dim, pv_box_system_rows(box));
    add_box_rows(S, 0, box);
}

pv_status pv__system_from_code(pv_system *S, const pv_net *net,
                              const pv_code *code, const pv_box *box,
                              pv_error *err)
{
    PV_GUARD(err, system_from_code(S, net, code, box, 0, err),
             memset(S, 0, sizeof *S));
}

pv_status pv__system_from_code_reuse(pv_system *S, const pv_net *net,
                                     const pv_code *code, const pv_box *box,
                                     pv_error *err)
{
    PV_GUARD(err, system_from_code(S, net, code, box, 1, err),
             memset(S, 0, sizeof *S));
}

void pv_system_copy_rows(pv_system *T, int offset, const pv_system *S)
{
    for (int i = 0; i < S->nrows; i++) {
        int r = offset + i;
        for (int j = 0; j < S->dim; j++)
            mpz_set(PV_G(T, r, j), PV_G(S, i, j));
        mpz_set(T->h[r], S->h[i]);
        mpq_set(T->scale[r], S->scale[i]);
        T->strict[r] = S->strict[i];
        T->eq[r] = S->eq[i];
        T->label[r] = S->label[i];
    }
}

void pv__system_closure_union(pv_system *U, const pv_system *Sa,
                              const pv_system *Sb)
{
    pv_system_init(U, Sa->dim, Sa->nrows + Sb->nrows);
    pv_system_copy_rows(U, 0, Sa);
    pv_system_copy_rows(U, Sa->nrows, Sb);
    memset(U->strict, 0, (size_t)U->nrows);
}

void pv__system_face(pv_system *F, const pv_system *S, const int *zero, int nz)
{
    pv_system_init(F, S->dim, S->nrows);
    pv_system_copy_rows(F, 0, S);
    memset(F->strict, 0, (size_t)S->nrows);
    for (int a = 0; a < nz; a++)
        F->eq[zero[a]] = 1;
}

/* The public forms: the caller's system is replaced only on success. */
pv_status pv_system_of_code(pv_system *S, const pv_net *net,
                            const pv_code *code, const pv_box *box,
                            pv_error *err)
{
    pv_system T;
    pv_status rc = pv__system_from_code(&T, net, code, box, err);
    if (rc != PV_OK)
        return rc;
    pv_system_clear(S);
    *S = T;
    return PV_OK;
}

pv_status pv_system_of_intersection(pv_system *U, const pv_system *Sa,
                                    const pv_system *Sb, pv_error *err)
{
    if (U == Sa || U == Sb || Sa->dim != Sb->dim)
        return pv_error_set(err, PV_ERR_ARG, "intersection: systems of dimension "
                            "%d and %d, or the output is an input", Sa->dim, Sb->dim);
    pv_system T;
    pv__system_closure_union(&T, Sa, Sb);
    pv_system_clear(U);
    *U = T;
    return PV_OK;
}

pv_status pv_system_of_face(pv_system *F, const pv_system *S, const int *zero,
                            int nz, pv_error *err)
{
    if (F == S)
        return pv_error_set(err, PV_ERR_ARG, "face: the output is the input");
    for (int a = 0; a < nz; a++)
        if (zero[a] < 0 || zero[a] >= S->nrows)
            return pv_error_set(err, PV_ERR_ARG, "face: no row %d (the system "
                                "has %d)", zero[a], S->nrows);
    pv_system T;
    pv__system_face(&T, S, zero, nz);
    pv_system_clear(F);
    *F = T;
    return PV_OK;
}

int pv__system_row_sign(const pv_system *S, int i, mpz_t *const X, const mpz_t delta,
                        mpz_t v)
{
    mpz_mul(v, S->h[i], delta);
    for (int c = 0; c < S->dim; c++)
        if (mpz_sgn(PV_G(S, i, c)) && mpz_sgn(X[c]))
            mpz_addmul(v, PV_G(S, i, c), X[c]);
    return mpz_sgn(v);
}

void pv_system_row_value(mpq_t out, const pv_system *S, int i, mpq_t *const x)
{
    mpq_t t;
    mpq_init(t);
    mpq_set_z(out, S->h[i]);
    for (int j = 0; j < S->dim; j++) {
        if (mpz_sgn(PV_G(S, i, j)) == 0)
            continue;
        mpq_set_z(t, PV_G(S, i, j));
        mpq_mul(t, t, x[j]);
        mpq_add(out, out, t);
    }
    mpq_clear(t);
}

/* cddlib/lrs H-representation of S. Rows forced to = 0 (S->eq: a face,
 * or equalities a caller marked) go on the `linearity` line, which both
 * cddlib and lrs read between `H-representation` and `begin`; rows are
 * counted from 1 there, as those tools count them. Strict rows (> 0 in
 * the cell) have no H-representation: they are written as >= 0, so the
 * file is the closure, and they are listed in a comment. */
void pv_system_write_ine(const pv_system *S, FILE *f, const char *comment)
{
    int neq = 0;
    if (comment)
        fprintf(f, "* %s\n", comment);
    fprintf(f, "* rows: one per ReLU neuron (row k = neuron k-1, rows counted"
               " from 1), then the domain's rows (box sides, then its general"
               " rows in order); row means h + g.x >= 0\n");
    fprintf(f, "* strict rows (> 0 in the cell itself):");
    for (int i = 0; i < S->nrows; i++)
        if (S->strict[i])
            fprintf(f, " %d", i + 1);
    fprintf(f, "\n* equality rows (= 0, the linearity line):");
    for (int i = 0; i < S->nrows; i++)
        if (S->eq[i]) {
            fprintf(f, " %d", i + 1);
            neq++;
        }
    fprintf(f, "\nH-representation\n");
    if (neq) {
        fprintf(f, "linearity %d", neq);
        for (int i = 0; i < S->nrows; i++)
            if (S->eq[i])
                fprintf(f, " %d", i + 1);
        fputc('\n', f);
    }
    fprintf(f, "begin\n%d %d rational\n", S->nrows, S->dim + 1);
    for (int i = 0; i < S->nrows; i++) {
        gmp_fprintf(f, "%Zd", S->h[i]);
        for (int j = 0; j < S->dim; j++)
            gmp_fprintf(f, " %Zd", PV_G(S, i, j));
        fputc('\n', f);
    }
    fprintf(f, "end\n");
}
