/* polyverify — the forward pass's float filter for a batch of points, one
 * BLAS product per layer (code.c has the per-point filter and the exact
 * pass; this file only speeds up the first).
 *
 * For the points of a batch (rows of H, each with a radius vector r,
 * |h - ĥ| <= r) a dense layer's pre-activations are Ẑ = Ĥ W̃^T + b̃, one
 * dgemm. Its error, point p and neuron i, is bounded as in code.c,
 *   |z - ẑ| <= (1 + 2u) sum |w̃| r + c (|b̃| + sum |w̃| |ĥ|),  c = 2g,
 * g = (n + 8) u, n = the layer's width in (every term counted: the bound
 * holds for any order of summation and with fused multiply-adds, the way
 * a BLAS sums), and both sums are bounded by Cauchy-Schwarz,
 * sum |w̃||v| <= |w̃|_2 |v|_2, so no second product is needed: per neuron
 * the norm of its row, per point the norms of ĥ and r. Computed norms are
 * low by at most a relative g (rounding) and by sqrt(n) 2^-511 of the
 * largest entry (squares flushed below 2^-1022 after a power-of-two
 * scaling: norm_up), so each is raised by both; the
 * last roundings are covered by the factor (1 + 2g)^2 and underflow in
 * the product by the subnormal term of code.c. Any overflow makes a value
 * non-finite, and a non-finite value decides nothing.
 *
 * A bit is taken when |ẑ| > B; a point with a bit left open is marked and
 * goes through code.c's own filter and exact pass. So, as there, the
 * batch changes speed, never an answer. */
#include "core/alloc.h"
#include "code/filter_batch.h"

#include <math.h>
#include <string.h>

#include "net/network_internal.h"

#ifdef PV_HAVE_BLAS
#include <cblas.h>

#define PV_U 0x1p-53

int pv__filter_batch_usable(const pv_net *net)
{
    int last = -1;
    for (int k = 0; k < net->nlayers; k++)
        if (net->layers[k].nrelu > 0)
            last = k;
    if (last < 0)
        return 0;
    for (int k = 0; k <= last; k++) {
        const pv_layer *L = &net->layers[k];
        if (L->rp != NULL || L->wd == NULL)
            return 0;
    }
    return 1;
}

/* Euclidean norm of n doubles, raised to bound the exact norm of the
 * values from above (see the top); non-finite on overflow. The values are
 * scaled by the power of two 2^-e of their largest magnitude first (exact
 * but for those that underflow, below 2^-1022 of the largest), so that
 * neither squares of large values overflow nor those of small ones vanish:
 * what is lost is less than sqrt(n) 2^-511 of the largest, the slack. */
static double norm_up(const double *v, int n, double g)
{
    double big = 0.0;
    for (int l = 0; l < n; l++)
        if (fabs(v[l]) > big)
            big = fabs(v[l]);
    if (big == 0.0 || !isfinite(big))
        return big;
    int e;
    frexp(big, &e);                          /* big < 2^e */
    double s = 0.0;
    for (int l = 0; l < n; l++) {
        double t = ldexp(v[l], -e);
        s += t * t;
    }
    return ldexp(sqrt(s) * (1 + g) + sqrt((double)n) * 0x1p-511, e);
}

/* Per neuron of layer L: the raised norm of its row of W̃. */
static void row_norms(const pv_layer *L, double g, double *out)
{
    for (int i = 0; i < L->out; i++)
        out[i] = norm_up(L->wd + (size_t)i * (size_t)L->in, L->in, g);
}

/* One layer for P points: Z = H W^T + b (P x out), the bounds, the bits;
 * then H = relu(Z) and r = B (0 where z < -B) for the next layer. */
static void batch_layer(const pv_layer *L, int P, double *H, double *R,
                        double *Z, double *wn, unsigned char *bits, int N,
                        unsigned char *open)
{
    int n = L->in, out = L->out;
    double g = (n + 8) * PV_U, c = 2 * g;
    row_norms(L, g, wn);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, P, out, n, 1.0, H, n,
                L->wd, n, 0.0, Z, out);
    for (int p = 0; p < P; p++) {
        const double *h = H + (size_t)p * n, *r = R + (size_t)p * n;
        double big = 0.0;
        for (int l = 0; l < n; l++)
            if (fabs(h[l]) + r[l] > big)
                big = fabs(h[l]) + r[l];
        double nh = norm_up(h, n, g), nr = norm_up(r, n, g);
        double tiny = (n + 2) * (1 + 2 * big) * 0x1p-1070;
        double *z = Z + (size_t)p * out;
        for (int i = 0; i < out; i++) {
            double zi = z[i] + L->bd[i];
            double B = (wn[i] * (nr * (1 + 2 * PV_U) + c * nh) + c * fabs(L->bd[i]))
                       * (1 + 2 * g) * (1 + 2 * g) + tiny;
            if (!isfinite(zi) || !isfinite(B)) {
                open[p] = 1;
                zi = 0.0, B = 0.0;
            }
            if (i < L->nrelu) {
                int j = L->first_neuron + i;
                if (zi > B) {
                    bits[(size_t)p * N + j] = 1;
                } else if (zi < -B) {
                    bits[(size_t)p * N + j] = 0;
                    zi = 0.0, B = 0.0;          /* relu(z) = 0 exactly */
                } else {
                    open[p] = 1;
                }
            }
            /* the value and its radius for the next layer (Z's second
             * half holds the radii) */
            z[i] = zi;
            Z[(size_t)P * out + (size_t)p * out + i] = B;
        }
    }
}

void pv__filter_batch_init(pv_filter_batch *W, const pv_net *net, int cap)
{
    size_t cell = (size_t)cap * (size_t)pv__net_max_width(net);
    W->cap = cap;
    W->H = pv_malloc(cell * sizeof *W->H);
    W->R = pv_malloc(cell * sizeof *W->R);
    W->Z = pv_malloc(2 * cell * sizeof *W->Z);
    W->wn = pv_malloc((size_t)pv__net_max_width(net) * sizeof *W->wn);
}

void pv__filter_batch_clear(pv_filter_batch *W)
{
    pv_free(W->H);
    pv_free(W->R);
    pv_free(W->Z);
    pv_free(W->wn);
    memset(W, 0, sizeof *W);
}

int pv__filter_batch(pv_filter_batch *W, const pv_net *net, int P,
                     unsigned char *bits, unsigned char *open)
{
    int last = -1, N = net->neurons;
    for (int k = 0; k < net->nlayers; k++)
        if (net->layers[k].nrelu > 0)
            last = k;
    for (int k = 0; k <= last; k++) {
        const pv_layer *L = &net->layers[k];
        batch_layer(L, P, W->H, W->R, W->Z, W->wn, bits, N, open);
        /* relu(z) and its radius become the next layer's input */
        size_t sz = (size_t)P * (size_t)L->out;
        memcpy(W->H, W->Z, sz * sizeof *W->H);
        memcpy(W->R, W->Z + sz, sz * sizeof *W->R);
    }
    return 1;
}
#else
/* Without BLAS no net is usable, so code.c never runs a batch. */
int pv__filter_batch_usable(const pv_net *net)
{
    (void)net;
    return 0;
}

void pv__filter_batch_init(pv_filter_batch *W, const pv_net *net, int cap)
{
    (void)net;
    memset(W, 0, sizeof *W);
    W->cap = cap;
}

void pv__filter_batch_clear(pv_filter_batch *W)
{
    memset(W, 0, sizeof *W);
}

int pv__filter_batch(pv_filter_batch *W, const pv_net *net, int P,
                     unsigned char *bits, unsigned char *open)
{
    (void)W, (void)net, (void)P, (void)bits, (void)open;
    return 0;
}
#endif
