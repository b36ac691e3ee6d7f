/* polyverify — activation codes and the exact forward pass (DESIGN §1).
 *
 * The forward pass never multiplies rationals. Each layer is put in integer
 * form once per call: with D = lcm of the denominators of W and b,
 * Wint = D W and bint = D b are integer. The activation is carried as an
 * integer vector A over one positive common denominator delta, so
 *
 *     z = W (A / delta) + b = (Wint A + bint delta) / (D delta)
 *
 * is an integer numerator per neuron (accumulated with mpz_addmul) over the
 * positive denominator D delta: its sign is the sign of the numerator. */
#include "core/alloc.h"
#include "code/filter_batch.h"
#include "core/parallel.h"
#include "polyverify/code.h"
#include "net/network_internal.h"
#include "polyverify/rational.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Codes                                                                     */

void pv_code_init(pv_code *c, int n)
{
    if (n < 0)
        n = 0;
    c->bit = pv_calloc((size_t)n + 1, 1);
    c->n = c->bit != NULL ? n : 0;
}

void pv_code_clear(pv_code *c)
{
    pv_free(c->bit);
    c->bit = NULL;
    c->n = 0;
}

/* Resizes c to n bits, all zero. Returns 0 when out of memory (c intact). */
static int code_reset(pv_code *c, int n)
{
    if (n != c->n || c->bit == NULL) {
        unsigned char *bit = pv_calloc((size_t)n + 1, 1);
        if (bit == NULL)
            return 0;
        pv_free(c->bit);
        c->bit = bit;
        c->n = n;
    } else {
        memset(c->bit, 0, (size_t)n);
    }
    return 1;
}

void pv_code_set(pv_code *dst, const pv_code *src)
{
    if (dst == src || !code_reset(dst, src->n))
        return;
    if (src->n > 0)
        memcpy(dst->bit, src->bit, (size_t)src->n);
}

int pv_code_equal(const pv_code *a, const pv_code *b)
{
    return a->n == b->n &&
           (a->n == 0 || memcmp(a->bit, b->bit, (size_t)a->n) == 0);
}

/* Codes of different lengths differ in every missing bit as well. */
int pv_code_hamming(const pv_code *a, const pv_code *b)
{
    int n = a->n < b->n ? a->n : b->n;
    int h = a->n > b->n ? a->n - b->n : b->n - a->n;
    for (int i = 0; i < n; i++)
        h += a->bit[i] != b->bit[i];
    return h;
}

int pv_code_cmp(const pv_code *a, const pv_code *b)
{
    int n = a->n < b->n ? a->n : b->n;
    for (int i = 0; i < n; i++)
        if (a->bit[i] != b->bit[i])
            return a->bit[i] < b->bit[i] ? -1 : 1;
    return (a->n > b->n) - (a->n < b->n);
}

/* "3|2|1": the widths of the ReLU layers, for messages. */
static void relu_widths(const pv_net *net, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int k = 0; k < net->nlayers; k++) {
        if (net->layers[k].nrelu == 0)
            continue;
        int w = snprintf(buf + o, size - o, "%s%d", o ? "|" : "",
                         net->layers[k].nrelu);
        if (w < 0 || (size_t)w >= size - o) {
            if (size > 4)
                memcpy(buf + size - 4, "...", 4);
            return;
        }
        o += (size_t)w;
    }
}

/* After an unwinding: a code whose bits were replaced in the scope (which
 * frees them) is left empty; the others are as they were. */
static void forget_codes(pv_code *c, int count)
{
    for (int p = 0; c != NULL && p < count; p++)
        if (pv_scope_tracks(c[p].bit)) {
            c[p].bit = NULL;
            c[p].n = 0;
        }
}

static pv_status code_parse(pv_code *c, const pv_net *net, const char *s,
                            pv_error *err)
{
    if (s == NULL)
        return pv_error_set(err, PV_ERR_ARG, "code: no code given");
    /* First pass: validate and count, so c is untouched on failure. */
    size_t bits = 0;
    for (size_t i = 0; s[i] != '\0'; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '0' || ch == '1') {
            bits++;
        } else if (ch != '|' && ch != ' ' && ch != '\t' && ch != '\n' &&
                   ch != '\r' && ch != '\v' && ch != '\f') {
            if (ch >= 0x20 && ch < 0x7f)
                return pv_error_set(err, PV_ERR_PARSE,
                                    "code: unexpected character '%c' at "
                                    "position %zu (expected 0, 1, '|' or "
                                    "spaces)", ch, i + 1);
            return pv_error_set(err, PV_ERR_PARSE,
                                "code: unexpected byte 0x%02x at position "
                                "%zu (expected 0, 1, '|' or spaces)", ch,
                                i + 1);
        }
    }
    if (bits > INT32_MAX)
        return pv_error_set(err, PV_ERR_ARG, "code: too long");
    if (net != NULL && (int)bits != net->neurons) {
        char widths[256];
        relu_widths(net, widths, sizeof widths);
        if (net->neurons == 0)
            return pv_error_set(err, PV_ERR_ARG,
                                "code has %zu bits, expected 0 (the network "
                                "has no ReLU layers)", bits);
        return pv_error_set(err, PV_ERR_ARG,
                            "code has %zu bits, expected %d (layer widths %s "
                            "for the ReLU layers)", bits, net->neurons,
                            widths);
    }
    if (!code_reset(c, (int)bits))
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; s[i] != '\0'; i++)
        if (s[i] == '0' || s[i] == '1')
            c->bit[n++] = (unsigned char)(s[i] == '1');
    return PV_OK;
}

pv_status pv_code_parse(pv_code *c, const pv_net *net, const char *s,
                        pv_error *err)
{
    PV_GUARD(err, code_parse(c, net, s, err), forget_codes(c, 1));
}

static char *code_str(const pv_code *c, const pv_net *net)
{
    /* Separators only when the code matches the network's neuron count;
     * otherwise there is no layer structure to show. */
    int layered = net != NULL && net->neurons == c->n;
    size_t size = (size_t)c->n + 1 +
                  (layered ? (size_t)net->nlayers : 0);
    char *s = pv_malloc(size);
    if (s == NULL)
        return NULL;
    size_t o = 0;
    if (layered) {
        for (int k = 0; k < net->nlayers; k++) {
            const pv_layer *L = &net->layers[k];
            if (L->nrelu == 0)
                continue;
            if (L->first_neuron > 0)
                s[o++] = '|';
            for (int i = 0; i < L->nrelu; i++)
                s[o++] = (char)('0' + c->bit[L->first_neuron + i]);
        }
    } else {
        for (int i = 0; i < c->n; i++)
            s[o++] = (char)('0' + c->bit[i]);
    }
    s[o] = '\0';
    return s;
}

char *pv_code_str(const pv_code *c, const pv_net *net)
{
    PV_GUARD_NULL(char *, code_str(c, net));
}

/* dst = q * D, an integer because den(q) divides D. */
static void scale_to_integer(mpz_t dst, const mpq_t q, const mpz_t D,
                             mpz_t tmp)
{
    mpz_divexact(tmp, D, mpq_denref(q));
    mpz_mul(dst, mpq_numref(q), tmp);
}

/* ------------------------------------------------------------------------ */
/* The pass: activations as integers over a common denominator               */

typedef struct pass {
    int width;
    int deriv;       /* also carry derivatives (pv_code_beyond)   */
    mpz_t *v, *g;    /* current numerators: values, derivatives       */
    mpz_t *zv, *zg;  /* next layer's numerators                       */
    int *nz;         /* columns whose value or derivative is nonzero  */
    mpz_t delta;     /* common positive denominator of v and g        */
    mpz_t t;
    double *h, *r;   /* float filter: activations and error radii     */
    double *zh, *zr; /* next layer's                                  */
} pass;

static mpz_t *mpz_array(int n)
{
    mpz_t *a = pv_malloc((size_t)n * sizeof(mpz_t));
    if (a != NULL)
        for (int i = 0; i < n; i++)
            mpz_init(a[i]);
    return a;
}

static void mpz_array_free(mpz_t *a, int n)
{
    if (a == NULL)
        return;
    for (int i = 0; i < n; i++)
        mpz_clear(a[i]);
    pv_free(a);
}

static void pass_clear(pass *P)
{
    int n = P->width;
    mpz_array_free(P->v, n);
    mpz_array_free(P->zv, n);
    mpz_array_free(P->g, n);
    mpz_array_free(P->zg, n);
    pv_free(P->nz);
    pv_free(P->h);
    pv_free(P->r);
    pv_free(P->zh);
    pv_free(P->zr);
    mpz_clear(P->delta);
    mpz_clear(P->t);
}

static int pass_init(pass *P, int width, int deriv)
{
    memset(P, 0, sizeof *P);
    P->width = width;
    P->deriv = deriv;
    mpz_init(P->delta);
    mpz_init(P->t);
    P->v = mpz_array(width);
    P->zv = mpz_array(width);
    if (deriv) {
        P->g = mpz_array(width);
        P->zg = mpz_array(width);
    }
    P->nz = pv_malloc((size_t)width * sizeof(int));
    P->h = pv_malloc((size_t)width * sizeof(double));
    P->r = pv_malloc((size_t)width * sizeof(double));
    P->zh = pv_malloc((size_t)width * sizeof(double));
    P->zr = pv_malloc((size_t)width * sizeof(double));
    if (P->v == NULL || P->zv == NULL || P->nz == NULL || P->h == NULL ||
        P->r == NULL || P->zh == NULL || P->zr == NULL ||
        (deriv && (P->g == NULL || P->zg == NULL))) {
        pass_clear(P);
        return 0;
    }
    return 1;
}

/* delta = lcm of the denominators of x (and d); v = x * delta, g = d * delta. */
static void pass_load_input(pass *P, int m, mpq_t *const x, mpq_t *const d)
{
    mpz_set_ui(P->delta, 1);
    for (int j = 0; j < m; j++) {
        if (!mpz_divisible_p(P->delta, mpq_denref(x[j])))
            mpz_lcm(P->delta, P->delta, mpq_denref(x[j]));
        if (d != NULL && !mpz_divisible_p(P->delta, mpq_denref(d[j])))
            mpz_lcm(P->delta, P->delta, mpq_denref(d[j]));
    }
    for (int j = 0; j < m; j++) {
        scale_to_integer(P->v[j], x[j], P->delta, P->t);
        if (d != NULL)
            scale_to_integer(P->g[j], d[j], P->delta, P->t);
    }
}

/* Divides v, g and delta by their common power of two, so that numbers do
 * not grow by a factor D per layer when they need not: dyadic (float)
 * weights share many factors of 2. A full gcd found little more and cost
 * a third of an enumeration's time. */
static void pass_reduce(pass *P, int n)
{
    mp_bitcnt_t k = mpz_scan1(P->delta, 0);
    for (int i = 0; i < n && k > 0; i++) {
        if (mpz_sgn(P->v[i]) != 0 && mpz_scan1(P->v[i], 0) < k)
            k = mpz_scan1(P->v[i], 0);
        if (P->deriv && mpz_sgn(P->g[i]) != 0 && mpz_scan1(P->g[i], 0) < k)
            k = mpz_scan1(P->g[i], 0);
    }
    if (k == 0)
        return;
    mpz_tdiv_q_2exp(P->delta, P->delta, k);
    for (int i = 0; i < n; i++) {
        mpz_tdiv_q_2exp(P->v[i], P->v[i], k);
        if (P->deriv)
            mpz_tdiv_q_2exp(P->g[i], P->g[i], k);
    }
}

/* Indices of the inputs that contribute: ReLU zeroes make most of a
 * product vanish, and MNIST-like inputs are mostly 0. */
static int pass_nonzero(pass *P, int n)
{
    int k = 0;
    for (int j = 0; j < n; j++)
        if (mpz_sgn(P->v[j]) != 0 || (P->deriv && mpz_sgn(P->g[j]) != 0))
            P->nz[k++] = j;
    return k;
}

static void swap_arrays(mpz_t **a, mpz_t **b)
{
    mpz_t *t = *a;
    *a = *b;
    *b = t;
}

/* One layer: zv = Wint v + bint delta (and zg = Wint g), then the
 * activation; writes the code bits (and zero flags) of ReLU neurons. */
static void pass_layer(pass *P, const pv_layer *L, unsigned char *bits,
                       unsigned char *zero)
{
    int nnz = pass_nonzero(P, L->in);
    for (int i = 0; i < L->out; i++) {
        mpz_ptr zv = P->zv[i];
        mpz_ptr zg = P->deriv ? P->zg[i] : NULL;
        mpz_mul(zv, L->bint[i], P->delta);
        if (zg)
            mpz_set_ui(zg, 0);
        if (L->rp == NULL) {            /* dense: the nonzero inputs only */
            mpz_t *row = L->wint + (size_t)i * (size_t)L->in;
            for (int c = 0; c < nnz; c++)
                mpz_addmul(zv, row[P->nz[c]], P->v[P->nz[c]]);
            for (int c = 0; zg && c < nnz; c++)
                mpz_addmul(zg, row[P->nz[c]], P->g[P->nz[c]]);
        } else {
            for (int e = L->rp[i]; e < L->rp[i + 1]; e++) {
                mpz_addmul(zv, L->wint[e], P->v[L->ci[e]]);
                if (zg)
                    mpz_addmul(zg, L->wint[e], P->g[L->ci[e]]);
            }
        }
        if (i >= L->nrelu)
            continue;
        int j = L->first_neuron + i;
        int sv = mpz_sgn(zv);
        if (zero != NULL)
            zero[j] = sv == 0;
        if (!P->deriv) {
            bits[j] = sv > 0;
            if (sv < 0)
                mpz_set_ui(zv, 0);
            continue;
        }
        /* relu of (value, derivative) in lexicographic order. */
        int sg = mpz_sgn(zg);
        bits[j] = sv > 0 || (sv == 0 && sg > 0);
        if (sv < 0) {
            mpz_set_ui(zv, 0);
            mpz_set_ui(zg, 0);
        } else if (sv == 0 && sg < 0) {
            mpz_set_ui(zg, 0);
        }
    }
    mpz_mul(P->delta, P->delta, L->den);
    swap_arrays(&P->v, &P->zv);
    if (P->deriv)
        swap_arrays(&P->g, &P->zg);
    pass_reduce(P, L->out);
}

static void pass_run(pass *P, const pv_net *net, mpq_t *const x, mpq_t *const d, unsigned char *bits,
                     unsigned char *zero)
{
    pass_load_input(P, net->input_dim, x, d);
    pass_reduce(P, net->input_dim);
    for (int k = 0; k < net->nlayers; k++)
        pass_layer(P, &net->layers[k], bits, zero);
}

/* ------------------------------------------------------------------------ */
/* The float filter                                                          */
/*
 * Most points are far from every hyperplane, so each point first goes
 * through the network in doubles carrying, per activation, a radius r with
 * |h - ĥ| <= r proved for the exact h, the way the filters of exact
 * geometric predicates work. A bit is taken from the floats only when
 * |ẑ| > B, B a proved bound on |z - ẑ|, or when z = 0 is proved without
 * rounding (a row whose inputs are all exactly 0, its exact bias 0);
 * if any bit is left open the point takes the exact pass. So the filter
 * changes speed, never an answer.
 *
 * The bound, with u = 2^-53 and w̃ = trunc(w), so |w - w̃| <= 2u|w̃| (+ one
 * subnormal step), for z = b + sum_i w_i h_i over the n nonzero terms:
 *   |z - ẑ| <= sum |w_i| r_i + 2u (|b̃| + sum |w̃_i ĥ_i|)      (data)
 *            + gamma_{n+1} (|b̃| + sum |w̃_i ĥ_i|)             (Higham (3.5))
 * With g = (n + 8) u, S = fl(sum |w̃_i| r_i), T = fl(|b̃| + sum |fl(w̃_i ĥ_i)|):
 *   B = fl((S + 2g T)(1 + 2g)) + (n + 2)(1 + 2 max_i(|ĥ_i| + r_i)) 2^-1070
 * covers both lines, the rounding of S, T and B themselves (the slack
 * between 1.6g and 2g), and every underflow (the last term: at most
 * (n + 2)(1 + max) subnormal steps 2^-1074 in all, so 16 times over).
 * Any overflow makes a sum non-finite, and a non-finite value decides
 * nothing. */

#define PV_U 0x1p-53

/* ĥ, r of the input: the truncations of x, exact zeros kept exact. Returns
 * 0 when a coordinate is out of double range. */
/* One input as ĥ and its radius r: the truncation, exact zeros kept exact.
 * 0 when it is out of double range. */
static int input_double(const mpq_t q, double *h, double *r)
{
    if (mpq_sgn(q) == 0) {              /* exact (most pixels are 0) */
        *h = *r = 0.0;
        return 1;
    }
    if (!pv_rational_fits_double(q))
        return 0;
    *h = mpq_get_d(q);
    *r = 2 * PV_U * fabs(*h) + 0x1p-1074;
    return 1;
}

static int filter_load(pass *P, int m, mpq_t *const x)
{
    for (int j = 0; j < m; j++)
        if (!input_double(x[j], &P->h[j], &P->r[j]))
            return 0;
    return 1;
}

/* One layer in doubles; 0 when some ReLU bit (or a value) is left open.
 * zero (all 0 on entry, or NULL) gets the neurons whose z is exactly 0. */
static int filter_layer(pass *P, const pv_layer *L, unsigned char *bits,
                        unsigned char *zero)
{
    if (L->wd == NULL)
        return 0;
    int nnz = 0;
    double big = 0;
    for (int j = 0; j < L->in; j++)
        if (P->h[j] != 0 || P->r[j] != 0) {
            P->nz[nnz++] = j;
            if (fabs(P->h[j]) + P->r[j] > big)
                big = fabs(P->h[j]) + P->r[j];
        }
    double g = (nnz + 8) * PV_U;
    double tiny = (nnz + 2) * (1 + 2 * big) * 0x1p-1070;
    for (int i = 0; i < L->out; i++) {
        double z = L->bd[i], t = fabs(L->bd[i]), s = 0;
        int inputs;         /* terms whose input is not exactly 0 */
        if (L->rp == NULL) {
            const double *w = L->wd + (size_t)i * (size_t)L->in;
            for (int c = 0; c < nnz; c++) {
                int j = P->nz[c];
                double p = w[j] * P->h[j];
                z += p;
                t += fabs(p);
                s += fabs(w[j]) * P->r[j];
            }
            inputs = nnz;   /* a weight's truncation 0.0 may hide a tiny w */
        } else {            /* a sparse row has at most its length terms */
            inputs = 0;
            for (int e = L->rp[i]; e < L->rp[i + 1]; e++) {
                int j = L->ci[e];
                double p = L->wd[e] * P->h[j];
                z += p;
                t += fabs(p);
                s += fabs(L->wd[e]) * P->r[j];
                inputs += P->h[j] != 0 || P->r[j] != 0;
            }
        }
        /* Every input of the row exactly 0 and the exact bias 0: z = 0
         * exactly (a convolution over a black patch with a zero bias, as at
         * initialisation), so the bit is 0 and z flagged zero. */
        if (inputs == 0 && mpq_sgn(L->b[i]) == 0) {
            P->zh[i] = P->zr[i] = 0;
            if (i < L->nrelu) {
                bits[L->first_neuron + i] = 0;
                if (zero != NULL)
                    zero[L->first_neuron + i] = 1;
            }
            continue;
        }
        double B = (s + 2 * g * t) * (1 + 2 * g) + tiny;
        if (!isfinite(z) || !isfinite(B))
            return 0;
        P->zh[i] = z;
        P->zr[i] = B;
        if (i >= L->nrelu)
            continue;
        if (z > B) {
            bits[L->first_neuron + i] = 1;
        } else if (z < -B) {
            bits[L->first_neuron + i] = 0;
            P->zh[i] = P->zr[i] = 0;   /* relu(z) = 0 exactly */
        } else {
            return 0;
        }
    }
    double *t = P->h;
    P->h = P->zh;
    P->zh = t;
    t = P->r;
    P->r = P->zr;
    P->zr = t;
    return 1;
}

/* All bits of x from the filter (1), or none decided (0); zero as in
 * filter_layer. */
static int filter_run(pass *P, const pv_net *net, mpq_t *const x,
                      unsigned char *bits, unsigned char *zero)
{
    int last = -1;
    for (int k = 0; k < net->nlayers; k++)
        if (net->layers[k].nrelu > 0)
            last = k;
    if (!filter_load(P, net->input_dim, x))
        return 0;
    for (int k = 0; k <= last; k++)
        if (!filter_layer(P, &net->layers[k], bits, zero))
            return 0;
    return 1;
}

/* Many points go through the float filter in batches of BATCH points, one
 * BLAS product per layer (filter_batch.c); a point the batch leaves open
 * takes the per-point filter, then the exact pass. */
#define BATCH 256
#define BATCH_MIN 16

typedef struct batch {
    int cap, first, count;     /* points first .. first + count - 1 held */
    pv_filter_batch W;         /* their inputs and the layers' scratch   */
    unsigned char *bits, *open;/* cap x N, cap                           */
} batch;

static void batch_init(batch *B, const pv_net *net)
{
    size_t N = (size_t)net->neurons;
    B->cap = BATCH;
    B->first = B->count = 0;
    pv__filter_batch_init(&B->W, net, BATCH);
    B->bits = pv_malloc(BATCH * N + 1);
    B->open = pv_malloc(BATCH);
}

static void batch_clear(batch *B)
{
    if (B->cap)
        pv__filter_batch_clear(&B->W);
    pv_free(B->bits);
    pv_free(B->open);
    memset(B, 0, sizeof *B);
}

/* Runs the batch of points from p on: the inputs as doubles with their
 * radii (as filter_load), a point out of double range left open. */
static void batch_run(batch *B, const pv_net *net, int count, mpq_t *const x,
                      int p)
{
    size_t m = (size_t)net->input_dim;
    B->first = p;
    B->count = count - p < B->cap ? count - p : B->cap;
    memset(B->open, 0, (size_t)B->count);
    for (int a = 0; a < B->count; a++) {
        mpq_t *xp = x + (size_t)(p + a) * m;
        double *h = B->W.H + (size_t)a * m, *r = B->W.R + (size_t)a * m;
        for (size_t j = 0; j < m; j++)
            if (!input_double(xp[j], &h[j], &r[j])) {
                B->open[a] = 1;
                h[j] = r[j] = 0.0;
            }
    }
    if (!pv__filter_batch(&B->W, net, B->count, B->bits, B->open))
        memset(B->open, 1, (size_t)B->count);
}

/* Point p's bits from its batch (run when p is past the one held): 1 when
 * the batch proved them all. */
static int batch_bits(batch *B, const pv_net *net, int count, mpq_t *const x,
                      int p, unsigned char *bits)
{
    if (p < B->first || p >= B->first + B->count)
        batch_run(B, net, count, x, p);
    int a = p - B->first;
    if (B->open[a])
        return 0;
    memcpy(bits, B->bits + (size_t)a * (size_t)net->neurons, (size_t)net->neurons);
    return 1;
}

/* Shared driver of the public entry points. */
/* forward over points [0, count) of a call of `total` points (the batches
 * of BATCH points run when the call has BATCH_MIN points or more, so a
 * part of a threaded call batches exactly as the whole call would). */
static pv_status forward_part(const pv_net *net, int total, int count,
                              mpq_t *const x, mpq_t *const d, pv_code *codes,
                              unsigned char *zero, int filter,
                              pv_forward_stats *fs, pv_error *err)
{
    if (count < 0 || (count > 0 && (x == NULL || codes == NULL)))
        return pv_error_set(err, PV_ERR_ARG, "forward pass: no point given");
    if (!net->finalized)
        return pv_error_set(err, PV_ERR_ARG,
                            "forward pass: call pv_net_finalize first");
    pv_status st = PV_OK;
    pass P;
    if (!pass_init(&P, pv__net_max_width(net), d != NULL))
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    size_t m = (size_t)net->input_dim, N = (size_t)net->neurons;
    batch B = { 0 };
    if (filter && d == NULL && total >= BATCH_MIN && pv__filter_batch_usable(net))
        batch_init(&B, net);
    for (int p = 0; p < count && st == PV_OK; p++) {
        if (!code_reset(&codes[p], net->neurons)) {
            st = pv_error_set(err, PV_ERR_NOMEM, "out of memory");
            break;
        }
        mpq_t *xp = x + (size_t)p * m;
        unsigned char *zp = zero != NULL ? zero + (size_t)p * N : NULL;
        if (B.cap && batch_bits(&B, net, count, x, p, codes[p].bit)) {
            if (zp != NULL)
                memset(zp, 0, N);   /* every |z| > B > 0 */
            if (fs != NULL)
                fs->filtered++, fs->batched++;
            continue;
        }
        if (zp != NULL)
            memset(zp, 0, N);   /* the filter flags exact zeros, pass_run all */
        if (filter && d == NULL && filter_run(&P, net, xp, codes[p].bit, zp)) {
            if (fs != NULL)
                fs->filtered++;
            continue;
        }
        pass_run(&P, net, xp, d, codes[p].bit, zp);
        if (fs != NULL)
            fs->exact++;
    }
    batch_clear(&B);
    pass_clear(&P);
    return st;
}

static pv_status forward(const pv_net *net, int count, mpq_t *const x,
                         mpq_t *const d, pv_code *codes, unsigned char *zero,
                         int filter, pv_forward_stats *fs, pv_error *err)
{
    return forward_part(net, count, count, x, d, codes, zero, filter, fs, err);
}

pv_status pv_code_at(const pv_net *net, mpq_t *const x, pv_code *code,
                     unsigned char *zero, pv_error *err)
{
    PV_GUARD(err, forward(net, 1, x, NULL, code, zero, 1, NULL, err),
             forget_codes(code, 1));
}

pv_status pv_code_at_points(const pv_net *net, int count, mpq_t *const x,
                            pv_code *codes, unsigned char *zero, pv_error *err)
{
    PV_GUARD(err, forward(net, count, x, NULL, codes, zero, 1, NULL, err),
             forget_codes(codes, count));
}

pv_status pv_code_at_points_opt(const pv_net *net, int count, mpq_t *const x,
                                pv_code *codes, unsigned char *zero, int filter,
                                pv_forward_stats *stats, pv_error *err)
{
    PV_GUARD(err, forward(net, count, x, NULL, codes, zero, filter, stats, err),
             forget_codes(codes, count));
}

/* Threads: the points in parts of PART points (a multiple of BATCH, so
 * that the batches are the serial call's), one part per item of
 * core/parallel.c, each with its own scratch (forward_part's pass and
 * batch); the codes are resized on the calling thread first, so that a
 * worker only writes bits. */
#define PART (2 * BATCH)

typedef struct parts {
    const pv_net *net;
    int count, filter;
    mpq_t *x;
    pv_code *codes;
    unsigned char *zero;
    pv_forward_stats *fs;    /* one per part, added in part order        */
} parts;

static pv_status part_job(void *ctx, int k, int w, pv_error *err)
{
    (void)w;
    parts *T = ctx;
    size_t lo = (size_t)k * PART, m = (size_t)T->net->input_dim;
    int n = T->count - (int)lo < PART ? T->count - (int)lo : PART;
    return forward_part(T->net, T->count, n, T->x + lo * m, NULL, T->codes + lo,
                        T->zero ? T->zero + lo * (size_t)T->net->neurons : NULL,
                        T->filter, &T->fs[k], err);
}

static pv_status forward_threads(const pv_net *net, int count, mpq_t *const x,
                                 pv_code *codes, unsigned char *zero,
                                 int filter, int threads,
                                 pv_forward_stats *stats, pv_error *err)
{
    int nt = pv_threads_resolve(threads), nparts = (count + PART - 1) / PART;
    if (nt == 1 || nparts <= 1 || !net->finalized)
        return forward(net, count, x, NULL, codes, zero, filter, stats, err);
    for (int p = 0; p < count; p++)
        if (!code_reset(&codes[p], net->neurons))
            return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    parts T = { net, count, filter, x, codes, zero,
                pv_calloc((size_t)nparts, sizeof *T.fs) };
    pv_par P = { nt, part_job, NULL, &T, NULL, NULL };
    int done = 0;
    pv_status rc = pv_par_run(&P, nparts, &done, err);
    for (int k = 0; k < nparts && stats; k++) {
        stats->filtered += T.fs[k].filtered;
        stats->exact += T.fs[k].exact;
        stats->batched += T.fs[k].batched;
    }
    pv_free(T.fs);
    return rc;
}

pv_status pv_code_at_points_threads(const pv_net *net, int count,
                                    mpq_t *const x, pv_code *codes,
                                    unsigned char *zero, int filter, int threads,
                                    pv_forward_stats *stats, pv_error *err)
{
    if (count < 0 || (count > 0 && (x == NULL || codes == NULL)))
        return pv_error_set(err, PV_ERR_ARG, "forward pass: no point given");
    PV_GUARD(err, forward_threads(net, count, x, codes, zero, filter, threads,
                                  stats, err),
             forget_codes(codes, count));
}

pv_status pv_code_beyond(const pv_net *net, mpq_t *const y,
                         mpq_t *const d, pv_code *code, pv_error *err)
{
    if (d == NULL)
        return pv_error_set(err, PV_ERR_ARG, "code_beyond: no direction");
    PV_GUARD(err, forward(net, 1, y, d, code, NULL, 0, NULL, err),
             forget_codes(code, 1));
}
