/* polyverify — networks with exact rational weights: memory management,
 * building and reading a network through its handle, affine inputs, the
 * .pvnet text format (DESIGN §3.1) and format dispatch for pv_net_load. */
/* <stdio.h> must precede <gmp.h> for gmp.h to declare mpq_out_str. */
#include <stdio.h>

#include "core/alloc.h"
#include "core/text.h"
#include "net/network_internal.h"
#include "polyverify/rational.h"
#include "exact/linalg.h"
#include "core/outfile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Limits that keep a malformed or hostile file from making us allocate
 * absurd amounts of memory before we notice it is wrong. */
#define PV_MAX_WIDTH 10000000          /* input dimension and layer width  */
#define PV_MAX_FILE_BYTES (1u << 30)   /* network files are read whole     */
/* Layers whose weights exceed this many entries must be backed by at least
 * one byte of remaining text per weight (a real file always is). Below it we
 * allocate first, so that a truncated small file gets the precise
 * "unexpected end of file" message instead. */
#define PV_SMALL_LAYER_ENTRIES (1u << 16)

/* ------------------------------------------------------------------------ */
/* Memory                                                                    */

void pv__net_init(pv_net *net)
{
    memset(net, 0, sizeof *net);
}

static void layer_free_integers(pv_layer *L)
{
    if (L->wint == NULL)
        return;
    size_t n = (size_t)L->in * (size_t)L->out;
    for (size_t i = 0; i < n; i++)
        mpz_clear(L->wint[i]);
    for (int i = 0; i < L->out; i++)
        mpz_clear(L->bint[i]);
    pv_free(L->wint);
    pv_free(L->bint);
    mpz_clear(L->den);
    L->wint = L->bint = NULL;
    L->w64_bits = 0;
    pv_free(L->wd);
    pv_free(L->bd);
    L->wd = L->bd = NULL;
    pv_free(L->w64);
    pv_free(L->b64);
    L->w64 = L->b64 = NULL;
}

/* The 64-bit copy of the integer form; none when a number needs more than
 * 62 bits. */
static pv_status layer_to_int64(pv_layer *L)
{
    size_t n = (size_t)L->in * (size_t)L->out;
    int bits = (int)mpz_sizeinbase(L->den, 2);
    for (size_t i = 0; i < n + (size_t)L->out; i++) {
        const mpz_t *z = i < n ? &L->wint[i] : &L->bint[i - n];
        int b = mpz_sgn(*z) ? (int)mpz_sizeinbase(*z, 2) : 0;
        if (b > 62 || bits > 62)
            return PV_OK;
        if (i < n && b > L->w64_bits)
            L->w64_bits = b;
    }
    L->w64 = pv_malloc((n ? n : 1) * sizeof(int64_t));
    L->b64 = pv_malloc(((size_t)L->out + 1) * sizeof(int64_t));
    if (L->w64 == NULL || L->b64 == NULL)
        return PV_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        L->w64[i] = (int64_t)mpz_get_si(L->wint[i]);
    for (int i = 0; i < L->out; i++)
        L->b64[i] = (int64_t)mpz_get_si(L->bint[i]);
    return PV_OK;
}

/* The doubles of the float filter; none when a number does not fit. */
static pv_status layer_to_doubles(pv_layer *L)
{
    size_t n = (size_t)L->in * (size_t)L->out;
    for (size_t i = 0; i < n; i++)
        if (!pv_rational_fits_double(L->w[i]))
            return PV_OK;
    for (int i = 0; i < L->out; i++)
        if (!pv_rational_fits_double(L->b[i]))
            return PV_OK;
    L->wd = pv_malloc((n ? n : 1) * sizeof(double));
    L->bd = pv_malloc(((size_t)L->out + 1) * sizeof(double));
    if (L->wd == NULL || L->bd == NULL)
        return PV_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        L->wd[i] = mpq_get_d(L->w[i]);
    for (int i = 0; i < L->out; i++)
        L->bd[i] = mpq_get_d(L->b[i]);
    return PV_OK;
}

static void layer_free(pv_layer *L)
{
    if (L->w != NULL) {
        size_t n = (size_t)L->in * (size_t)L->out;
        for (size_t i = 0; i < n; i++)
            mpq_clear(L->w[i]);
        pv_free(L->w);
    }
    if (L->b != NULL) {
        for (int i = 0; i < L->out; i++)
            mpq_clear(L->b[i]);
        pv_free(L->b);
    }
    L->w = L->b = NULL;
    layer_free_integers(L);
}

/* Allocates an out x in layer with zero weights and biases. */
static pv_status layer_alloc(pv_layer *L, pv_activation act, int in, int out)
{
    memset(L, 0, sizeof *L);
    size_t n = (size_t)in * (size_t)out;
    if (n > SIZE_MAX / sizeof(mpq_t))
        return PV_ERR_NOMEM;
    L->w = pv_malloc((n ? n : 1) * sizeof(mpq_t));
    L->b = pv_malloc((size_t)out * sizeof(mpq_t) + 1);
    if (L->w == NULL || L->b == NULL) {
        pv_free(L->w);
        pv_free(L->b);
        L->w = L->b = NULL;
        return PV_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        mpq_init(L->w[i]);
    for (int i = 0; i < out; i++)
        mpq_init(L->b[i]);
    L->act = act;
    L->in = in;
    L->out = out;
    L->first_neuron = -1;
    return PV_OK;
}

void pv__net_clear(pv_net *net)
{
    for (int k = 0; k < net->nlayers; k++)
        layer_free(&net->layers[k]);
    pv_free(net->layers);
    if (net->box_lo != NULL || net->box_hi != NULL) {
        for (int i = 0; i < net->input_dim; i++) {
            if (net->box_lo != NULL)
                mpq_clear(net->box_lo[i]);
            if (net->box_hi != NULL)
                mpq_clear(net->box_hi[i]);
        }
    }
    pv_free(net->box_lo);
    pv_free(net->box_hi);
    if (net->lifted != NULL) {
        pv__net_clear(net->lifted);
        pv_free(net->lifted);
    }
    pv_free(net->lift_w);
    pv_free(net->lift_chol);
    pv__net_init(net);
}

pv_net *pv_net_new(void)
{
    pv_net *net = pv_malloc(sizeof *net);
    if (net != NULL)
        pv__net_init(net);
    return net;
}

void pv_net_free(pv_net *net)
{
    if (net == NULL)
        return;
    pv__net_clear(net);
    pv_free(net);
}

/* Appends an allocated layer, numbering its ReLU neurons. */
static pv_status net_append(pv_net *net, pv_activation act, int width,
                            pv_error *err)
{
    int in = net->nlayers > 0 ? net->layers[net->nlayers - 1].out
                              : net->input_dim;
    if (act == PV_RELU && width > INT32_MAX - net->neurons)
        return pv_error_set(err, PV_ERR_LIMIT,
                            "network has more than %d ReLU neurons", INT32_MAX);
    if (net->nlayers >= INT32_MAX / 2)
        return pv_error_set(err, PV_ERR_LIMIT, "too many layers");
    pv_layer *grown = pv_realloc(net->layers,
                              (size_t)(net->nlayers + 1) * sizeof *grown);
    if (grown == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    net->layers = grown;
    pv_layer *L = &net->layers[net->nlayers];
    if (layer_alloc(L, act, in, width) != PV_OK)
        return pv_error_set(err, PV_ERR_NOMEM,
                            "out of memory for a %d x %d layer", width, in);
    if (act == PV_RELU) {
        L->first_neuron = net->neurons;
        net->neurons += width;
    }
    net->nlayers++;
    return PV_OK;
}

pv_status pv_net_set_input_dim(pv_net *net, int m, pv_error *err)
{
    if (net->nlayers > 0)
        return pv_error_set(err, PV_ERR_ARG,
                            "set_input_dim: the network already has layers");
    if (m < 1 || m > PV_MAX_WIDTH)
        return pv_error_set(err, PV_ERR_ARG,
                            "set_input_dim: %d is not in 1..%d", m, PV_MAX_WIDTH);
    net->input_dim = m;
    net->finalized = 0;
    return PV_OK;
}

static pv_status add_layer(pv_net *net, pv_activation act, int width,
                           pv_error *err)
{
    if (net->input_dim <= 0)
        return pv_error_set(err, PV_ERR_ARG,
                            "add_layer: set the input dimension > 0 before adding layers");
    if (act != PV_RELU && act != PV_LINEAR)
        return pv_error_set(err, PV_ERR_ARG, "add_layer: unknown activation");
    if (width < 1 || width > PV_MAX_WIDTH)
        return pv_error_set(err, PV_ERR_ARG,
                            "add_layer: width %d is not in 1..%d", width,
                            PV_MAX_WIDTH);
    /* A network built in code is written and re-read as .pvnet. */
    if (net->format[0] == '\0')
        strcpy(net->format, "pvnet");
    net->finalized = 0;
    return net_append(net, act, width, err);
}

/* The layer of a setter or an accessor, or NULL. */
static pv_layer *layer_at(const pv_net *net, int k)
{
    return k >= 0 && k < net->nlayers ? &net->layers[k] : NULL;
}

pv_status pv_net_set_weight(pv_net *net, int layer, int i, int j,
                            const mpq_t w, pv_error *err)
{
    pv_layer *L = layer_at(net, layer);
    if (L == NULL || i < 0 || i >= L->out || j < 0 || j >= L->in)
        return pv_error_set(err, PV_ERR_ARG,
                            "set_weight: no weight (%d, %d) in layer %d", i, j,
                            layer);
    mpq_set(L->w[(size_t)i * (size_t)L->in + (size_t)j], w);
    net->finalized = 0;
    return PV_OK;
}

pv_status pv_net_set_bias(pv_net *net, int layer, int i, const mpq_t b,
                          pv_error *err)
{
    pv_layer *L = layer_at(net, layer);
    if (L == NULL || i < 0 || i >= L->out)
        return pv_error_set(err, PV_ERR_ARG,
                            "set_bias: no neuron %d in layer %d", i, layer);
    mpq_set(L->b[i], b);
    net->finalized = 0;
    return PV_OK;
}

int pv_net_input_dim(const pv_net *net) { return net->input_dim; }
int pv_net_nlayers(const pv_net *net) { return net->nlayers; }
int pv_net_neurons(const pv_net *net) { return net->neurons; }

int pv_net_layer_in(const pv_net *net, int k)
{
    const pv_layer *L = layer_at(net, k);
    return L ? L->in : -1;
}

int pv_net_layer_out(const pv_net *net, int k)
{
    const pv_layer *L = layer_at(net, k);
    return L ? L->out : -1;
}

int pv_net_layer_first_neuron(const pv_net *net, int k)
{
    const pv_layer *L = layer_at(net, k);
    return L ? L->first_neuron : -1;
}

pv_activation pv_net_layer_activation(const pv_net *net, int k)
{
    const pv_layer *L = layer_at(net, k);
    return L ? L->act : PV_LINEAR;
}

const mpq_t *pv_net_layer_weights(const pv_net *net, int k)
{
    const pv_layer *L = layer_at(net, k);
    return L ? (const mpq_t *)L->w : NULL;
}

const mpq_t *pv_net_layer_biases(const pv_net *net, int k)
{
    const pv_layer *L = layer_at(net, k);
    return L ? (const mpq_t *)L->b : NULL;
}

int pv_net_has_box(const pv_net *net) { return net->has_box; }

const mpq_t *pv_net_box_lo(const pv_net *net)
{
    return net->has_box ? (const mpq_t *)net->box_lo : NULL;
}

const mpq_t *pv_net_box_hi(const pv_net *net)
{
    return net->has_box ? (const mpq_t *)net->box_hi : NULL;
}

const char *pv_net_format(const pv_net *net) { return net->format; }
const char *pv_net_dialect(const pv_net *net) { return net->dialect; }

const char *pv_net_input_shape(const pv_net *net)
{
    return net->input_shape[0] ? net->input_shape : NULL;
}

const char *pv_net_output_head(const pv_net *net)
{
    return net->head[0] ? net->head : NULL;
}

/* An unwinding leaves the layers as they were (net_append counts the new
 * layer last), except a first layer array: it was allocated in the scope,
 * so the scope frees it. */
pv_status pv_net_add_layer(pv_net *net, pv_activation act, int width,
                           pv_error *err)
{
    PV_GUARD(err, add_layer(net, act, width, err),
             if (pv_scope_tracks(net->layers)) net->layers = NULL);
}

/* Layer 0 of out(z) = net(p + D z): W (p + D z) + b = (W D) z + (W p + b).
 * Zero weights and zero entries of D are skipped: the restriction of a
 * flat box has D with one 1 per column. */
static void compose_first_layer(pv_layer *M, const pv_layer *L,
                                mpq_t *const p, mpq_t *const D, int k)
{
    mpq_t t;
    mpq_init(t);
    for (int i = 0; i < L->out; i++) {
        mpq_set(M->b[i], L->b[i]);
        for (int j = 0; j < L->in; j++) {
            const mpq_t *w = &L->w[(size_t)i * L->in + j];
            if (mpq_sgn(*w) == 0)
                continue;
            mpq_mul(t, *w, p[j]);
            mpq_add(M->b[i], M->b[i], t);
            for (int a = 0; a < k; a++) {
                if (mpq_sgn(D[(size_t)j * k + a]) == 0)
                    continue;
                mpq_mul(t, *w, D[(size_t)j * k + a]);
                mpq_add(M->w[(size_t)i * k + a], M->w[(size_t)i * k + a], t);
            }
        }
    }
    mpq_clear(t);
}

static pv_status affine_input(pv_net *out, const pv_net *net,
                              mpq_t *const p, mpq_t *const D, int k,
                              pv_error *err)
{
    pv__net_init(out);
    memcpy(out->format, net->format, sizeof out->format);
    out->input_dim = k;
    pv_status rc = PV_OK;
    for (int l = 0; l < net->nlayers && rc == PV_OK; l++) {
        const pv_layer *L = &net->layers[l];
        rc = pv_net_add_layer(out, L->act, L->out, err);
        if (rc != PV_OK)
            break;
        pv_layer *M = &out->layers[l];
        if (l == 0) {
            compose_first_layer(M, L, p, D, k);
            continue;
        }
        for (size_t e = 0; e < (size_t)L->out * (size_t)L->in; e++)
            mpq_set(M->w[e], L->w[e]);
        for (int i = 0; i < L->out; i++)
            mpq_set(M->b[i], L->b[i]);
    }
    if (rc == PV_OK)
        rc = pv_net_finalize(out, err);
    return rc;
}

pv_status pv__net_affine_input(pv_net *out, const pv_net *net,
                              mpq_t *const p, mpq_t *const D, int k,
                              pv_error *err)
{
    PV_GUARD(err, affine_input(out, net, p, D, k, err), pv__net_init(out));
}

pv_status pv_net_compose_affine(pv_net *out, const pv_net *net,
                                mpq_t *const p, mpq_t *const D, int k,
                                pv_error *err)
{
    if (out == net)
        return pv_error_set(err, PV_ERR_ARG, "compose_affine: out is the input network");
    pv_net t;
    pv_status rc = pv__net_affine_input(&t, net, p, D, k, err);
    if (rc != PV_OK) {
        pv__net_clear(&t);
        return rc;
    }
    pv__net_clear(out);      /* replaced only on success */
    *out = t;
    return PV_OK;
}

pv_status pv_net_slice(pv_net *out, const pv_net *net, mpq_t *const p,
                       mpq_t *const d1, mpq_t *const d2, pv_error *err)
{
    int m = net->input_dim;
    mpq_t *D = pv_malloc((size_t)2 * m * sizeof(mpq_t));   /* m x 2: d1, d2 */
    if (D == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "slice: out of memory");
    for (int j = 0; j < m; j++) {
        mpq_init(D[2 * j]);
        mpq_init(D[2 * j + 1]);
        mpq_set(D[2 * j], d1[j]);
        mpq_set(D[2 * j + 1], d2[j]);
    }
    pv_status rc = pv_net_compose_affine(out, net, p, D, 2, err);
    for (int j = 0; j < 2 * m; j++)
        mpq_clear(D[j]);
    pv_free(D);
    return rc;
}

/* dst = q * D, an integer because den(q) divides D. */
static void scale_to_integer(mpz_t dst, const mpq_t q, const mpz_t D,
                             mpz_t tmp)
{
    mpz_divexact(tmp, D, mpq_denref(q));
    mpz_mul(dst, mpq_numref(q), tmp);
}

static pv_status layer_to_integers(pv_layer *L)
{
    size_t n = (size_t)L->in * (size_t)L->out;
    layer_free_integers(L);
    L->wint = pv_malloc((n ? n : 1) * sizeof(mpz_t));
    L->bint = pv_malloc(((size_t)L->out + 1) * sizeof(mpz_t));
    if (L->wint == NULL || L->bint == NULL) {
        pv_free(L->wint);
        pv_free(L->bint);
        L->wint = L->bint = NULL;
        return PV_ERR_NOMEM;
    }
    mpz_init_set_ui(L->den, 1);
    /* The divisibility test is cheap and usually true, so lcm is rare. */
    for (size_t i = 0; i < n; i++)
        if (!mpz_divisible_p(L->den, mpq_denref(L->w[i])))
            mpz_lcm(L->den, L->den, mpq_denref(L->w[i]));
    for (int i = 0; i < L->out; i++)
        if (!mpz_divisible_p(L->den, mpq_denref(L->b[i])))
            mpz_lcm(L->den, L->den, mpq_denref(L->b[i]));
    mpz_t tmp;
    mpz_init(tmp);
    for (size_t i = 0; i < n; i++) {
        mpz_init(L->wint[i]);
        scale_to_integer(L->wint[i], L->w[i], L->den, tmp);
    }
    for (int i = 0; i < L->out; i++) {
        mpz_init(L->bint[i]);
        scale_to_integer(L->bint[i], L->b[i], L->den, tmp);
    }
    mpz_clear(tmp);
    return PV_OK;
}

/* First layer of full row rank n_1 < m? rank mod a prime is a lower bound
 * of the rank over Q, so rank_p == n_1 proves it. */
static int first_layer_onto(const pv_net *net)
{
    const pv_layer *L = &net->layers[0];
    if (L->out >= L->in)
        return 0;
    pv_zmat W = { L->out, L->in, L->wint };
    return pv_zmat_rank_mod_p(&W) == L->out;
}

/* W_1 in doubles and L with L L^T = W_1 W_1^T (Cholesky). A failed
 * factorisation (numerically singular) just leaves lift_chol NULL: the
 * preimage search is then skipped and cells are computed in x. Returns 0
 * only when out of memory. */
static int lift_factor(pv_net *net)
{
    const pv_layer *L = &net->layers[0];
    int n = L->out, m = L->in;
    double *W = pv_malloc((size_t)n * m * sizeof *W), *A = pv_calloc((size_t)n * n, sizeof *A);
    if (!W || !A) {
        pv_free(W);
        pv_free(A);
        return 0;
    }
    for (size_t i = 0; i < (size_t)n * m; i++)
        W[i] = mpq_get_d(L->w[i]);
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0.0;
            for (int l = 0; l < m; l++)
                s += W[(size_t)i * m + l] * W[(size_t)j * m + l];
            A[(size_t)i * n + j] = s;
        }
    int ok = 1;
    for (int j = 0; j < n && ok; j++) {
        double d = A[(size_t)j * n + j];
        for (int l = 0; l < j; l++)
            d -= A[(size_t)j * n + l] * A[(size_t)j * n + l];
        ok = d > 0.0;
        d = ok ? sqrt(d) : 1.0;
        A[(size_t)j * n + j] = d;
        for (int i = j + 1; i < n; i++) {
            double s = A[(size_t)i * n + j];
            for (int l = 0; l < j; l++)
                s -= A[(size_t)i * n + l] * A[(size_t)j * n + l];
            A[(size_t)i * n + j] = s / d;
        }
    }
    net->lift_w = W;
    net->lift_chol = ok ? A : (pv_free(A), NULL);
    return 1;
}

/* net->lifted: the identity on u, then layers 2.. copied. */
static pv_status build_lifted(pv_net *net, pv_error *err)
{
    if (net->lifted != NULL) {
        pv__net_clear(net->lifted);
        pv_free(net->lifted);
        net->lifted = NULL;
    }
    if (!first_layer_onto(net))
        return PV_OK;
    pv_net *u = pv_malloc(sizeof *u);
    if (u == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    pv__net_init(u);
    u->input_dim = net->layers[0].out;
    pv_status st = PV_OK;
    for (int k = 0; k < net->nlayers && st == PV_OK; k++) {
        const pv_layer *L = &net->layers[k];
        st = pv_net_add_layer(u, L->act, L->out, err);
        if (st != PV_OK)
            break;
        pv_layer *M = &u->layers[k];
        if (k == 0) {
            for (int i = 0; i < L->out; i++)
                mpq_set_ui(M->w[(size_t)i * M->in + i], 1, 1);
            continue;
        }
        for (size_t i = 0; i < (size_t)L->in * L->out; i++)
            mpq_set(M->w[i], L->w[i]);
        for (int i = 0; i < L->out; i++)
            mpq_set(M->b[i], L->b[i]);
    }
    strcpy(u->format, net->format);
    if (st == PV_OK)
        st = pv_net_finalize(u, err);   /* n_1 == n_1: lifts no further */
    if (st != PV_OK) {
        pv__net_clear(u);
        pv_free(u);
        return st;
    }
    net->lifted = u;
    if (!lift_factor(net))
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    return PV_OK;
}

static pv_status finalize(pv_net *net, pv_error *err)
{
    net->finalized = 0;
    if (net->input_dim <= 0 || net->nlayers <= 0)
        return pv_error_set(err, PV_ERR_ARG,
                            "the network has no input or no layers");
    int in = net->input_dim, first = 0;
    for (int k = 0; k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        if (L->in != in || L->out < 1 ||
            (L->act == PV_RELU && L->first_neuron != first))
            return pv_error_set(err, PV_ERR_INTERNAL,
                                "layer %d is inconsistent (in %d, expected %d)",
                                k + 1, L->in, in);
        if (L->act == PV_RELU)
            first += L->out;
        in = L->out;
    }
    if (first != net->neurons)
        return pv_error_set(err, PV_ERR_INTERNAL,
                            "%d ReLU neurons, the network says %d", first,
                            net->neurons);
    for (int k = 0; k < net->nlayers; k++)
        if (layer_to_integers(&net->layers[k]) != PV_OK ||
            layer_to_doubles(&net->layers[k]) != PV_OK ||
            layer_to_int64(&net->layers[k]) != PV_OK)
            return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    pv_status st = build_lifted(net, err);
    if (st == PV_OK)
        net->finalized = 1;
    return st;
}

/* The caches pv_net_finalize builds, freed (before an outermost call
 * rebuilds them, so that everything it builds is in its scope) ... */
static void drop_caches(pv_net *net)
{
    for (int k = 0; k < net->nlayers; k++)
        layer_free_integers(&net->layers[k]);
    if (net->lifted != NULL) {
        pv__net_clear(net->lifted);
        pv_free(net->lifted);
    }
    pv_free(net->lift_w);
    pv_free(net->lift_chol);
    net->lifted = NULL;
    net->lift_w = net->lift_chol = NULL;
    net->finalized = 0;
}

/* ... and forgotten after an unwinding, which frees them: the weights stay,
 * the network is as before pv_net_finalize. */
static void forget_caches(pv_net *net)
{
    for (int k = 0; k < net->nlayers; k++) {
        pv_layer *L = &net->layers[k];
        L->wint = L->bint = NULL;
        L->wd = L->bd = NULL;
        L->w64 = L->b64 = NULL;
        L->w64_bits = 0;
    }
    net->lifted = NULL;
    net->lift_w = net->lift_chol = NULL;
    net->finalized = 0;
}

pv_status pv_net_finalize(pv_net *net, pv_error *err)
{
    PV_GUARD_ADOPT(err, finalize(net, err), drop_caches(net), forget_caches(net));
}

int pv_net_layer_of_neuron(const pv_net *net, int j, int *row)
{
    for (int k = 0; k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        if (L->act == PV_RELU && j >= L->first_neuron &&
            j - L->first_neuron < L->out) {
            if (row != NULL)
                *row = j - L->first_neuron;
            return k;
        }
    }
    if (row != NULL)
        *row = -1;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Line and token reader for the .pvnet text                                 */

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct lexer {
    const char *text;
    size_t len;
    const char *name;   /* file name for messages                         */
    pv_error *err;
    size_t next;        /* offset of the next unread line                 */
    int lines_read;     /* number of the last line read                   */
    int line;           /* number of the current content line             */
    const char *cur;    /* current line, comment removed                  */
    size_t cur_len, cur_pos;
} lexer;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int span_is(span t, const char *word)
{
    size_t n = strlen(word);
    return t.n == n && memcmp(t.p, word, n) == 0;
}

static const char *excerpt(char *buf, size_t size, span t)
{
    return pv_excerpt(buf, size, t.p, t.n);
}

/* Records "NAME:LINE: message" as a parse error. */
static pv_status lx_fail(const lexer *lx, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static pv_status lx_fail(const lexer *lx, int line, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return pv_error_set(lx->err, PV_ERR_PARSE, "%s:%d: %s", lx->name,
                        line < 1 ? 1 : line, what);
}

/* Line number to blame for "unexpected end of file". */
static int lx_eof_line(const lexer *lx)
{
    return lx->lines_read < 1 ? 1 : lx->lines_read;
}

/* Advances to the next line holding something other than blanks and a
 * comment. Returns 1 on a line, 0 at end of file, -1 on an error (a NUL
 * byte: the file is not text, and silently stopping there would hide it). */
static int lx_next_line(lexer *lx)
{
    while (lx->next < lx->len) {
        const char *start = lx->text + lx->next;
        size_t rest = lx->len - lx->next;
        const char *nl = memchr(start, '\n', rest);
        size_t n = nl != NULL ? (size_t)(nl - start) : rest;
        lx->next += nl != NULL ? n + 1 : n;
        lx->lines_read++;
        if (memchr(start, '\0', n) != NULL) {
            lx_fail(lx, lx->lines_read,
                    "unexpected NUL byte (is this a text file?)");
            return -1;
        }
        const char *hash = memchr(start, '#', n);
        if (hash != NULL)
            n = (size_t)(hash - start);
        size_t i = 0;
        while (i < n && is_blank(start[i]))
            i++;
        if (i == n)
            continue;
        lx->cur = start;
        lx->cur_len = n;
        lx->cur_pos = i;
        lx->line = lx->lines_read;
        return 1;
    }
    return 0;
}

/* Next token of the current line; 0 when the line is exhausted. */
static int lx_token(lexer *lx, span *t)
{
    size_t i = lx->cur_pos;
    while (i < lx->cur_len && is_blank(lx->cur[i]))
        i++;
    if (i == lx->cur_len) {
        lx->cur_pos = i;
        return 0;
    }
    size_t j = i;
    while (j < lx->cur_len && !is_blank(lx->cur[j]))
        j++;
    t->p = lx->cur + i;
    t->n = j - i;
    lx->cur_pos = j;
    return 1;
}

/* Fails if the current line has anything after what was read. */
static pv_status lx_expect_end(lexer *lx, const char *after)
{
    span t;
    char q[200];
    if (lx_token(lx, &t))
        return lx_fail(lx, lx->line, "unexpected '%s' after '%s'",
                       excerpt(q, sizeof q, t), after);
    return PV_OK;
}

/* A positive integer count (input dimension, layer width) 1..PV_MAX_WIDTH. */
static int parse_count(span t, int *out)
{
    if (t.n == 0 || t.n > 9)
        return 0;
    long v = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (t.p[i] < '0' || t.p[i] > '9')
            return 0;
        v = v * 10 + (t.p[i] - '0');
    }
    if (v < 1 || v > PV_MAX_WIDTH)
        return 0;
    *out = (int)v;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* .pvnet grammar                                                            */

typedef struct pvnet_parse {
    lexer lx;
    pv_net net;        /* built here, moved to the caller on success */
    int header_line, input_line;
} pvnet_parse;

static pv_status parse_header(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    char q[200];
    span t;
    int r = lx_next_line(lx);
    if (r < 0)
        return PV_ERR_PARSE;
    if (r == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "expected header 'pvnet 1', found end of file "
                       "(empty network file)");
    lx_token(lx, &t);
    if (!span_is(t, "pvnet"))
        return lx_fail(lx, lx->line,
                       "expected header 'pvnet 1' as the first line, "
                       "found '%s'", excerpt(q, sizeof q, t));
    if (!lx_token(lx, &t))
        return lx_fail(lx, lx->line,
                       "expected header 'pvnet 1', found 'pvnet' without "
                       "a version");
    if (!span_is(t, "1"))
        return lx_fail(lx, lx->line,
                       "unsupported pvnet version '%s' (expected 'pvnet 1')",
                       excerpt(q, sizeof q, t));
    ps->header_line = lx->line;
    return lx_expect_end(lx, "pvnet 1");
}

static pv_status parse_input(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    char q[200];
    span t;
    int r = lx_next_line(lx);
    if (r < 0)
        return PV_ERR_PARSE;
    if (r == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "expected 'input M' (the input dimension), "
                       "found end of file");
    lx_token(lx, &t);
    if (span_is(t, "pvnet"))
        return lx_fail(lx, lx->line,
                       "duplicate header 'pvnet' (already on line %d)",
                       ps->header_line);
    if (!span_is(t, "input"))
        return lx_fail(lx, lx->line,
                       "expected 'input M' (the input dimension), found '%s'",
                       excerpt(q, sizeof q, t));
    if (!lx_token(lx, &t))
        return lx_fail(lx, lx->line,
                       "expected the input dimension after 'input', "
                       "found end of line");
    if (!parse_count(t, &ps->net.input_dim))
        return lx_fail(lx, lx->line,
                       "bad input dimension '%s': expected a positive integer "
                       "at most %d", excerpt(q, sizeof q, t), PV_MAX_WIDTH);
    ps->input_line = lx->line;
    return lx_expect_end(lx, "input M");
}

/* Explains a line that appears where a `layer` line (or the end) belongs. */
static pv_status misplaced_line(pvnet_parse *ps, span t)
{
    lexer *lx = &ps->lx;
    char q[200];
    if (span_is(t, "pvnet"))
        return lx_fail(lx, lx->line,
                       "duplicate header 'pvnet' (already on line %d)",
                       ps->header_line);
    if (span_is(t, "input"))
        return lx_fail(lx, lx->line,
                       "duplicate 'input' line (already on line %d)",
                       ps->input_line);
    mpq_t v;
    mpq_init(v);
    int is_number = pv_rational_parse(v, t.p, t.n, NULL) == PV_OK;
    mpq_clear(v);
    if (is_number && ps->net.nlayers > 0) {
        const pv_layer *L = &ps->net.layers[ps->net.nlayers - 1];
        return lx_fail(lx, lx->line,
                       "expected 'layer relu|linear WIDTH' or end of file, "
                       "found a row of numbers (layer %d has width %d and "
                       "its 'bias' line is done)", ps->net.nlayers, L->out);
    }
    return lx_fail(lx, lx->line,
                   "expected 'layer relu|linear WIDTH' or end of file, "
                   "found '%s'", excerpt(q, sizeof q, t));
}

/* The rest of a `layer ACT WIDTH` line; allocates the layer. */
static pv_status parse_layer_line(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    char q[200];
    span t;
    int k = ps->net.nlayers + 1;  /* 1-based, as in messages */
    pv_activation act;
    int width;
    if (!lx_token(lx, &t))
        return lx_fail(lx, lx->line,
                       "expected activation 'relu' or 'linear' after "
                       "'layer', found end of line");
    if (span_is(t, "relu"))
        act = PV_RELU;
    else if (span_is(t, "linear"))
        act = PV_LINEAR;
    else
        return lx_fail(lx, lx->line,
                       "unknown activation '%s' for layer %d (expected "
                       "'relu' or 'linear')", excerpt(q, sizeof q, t), k);
    if (!lx_token(lx, &t))
        return lx_fail(lx, lx->line,
                       "expected the width of layer %d after 'layer %s', "
                       "found end of line", k,
                       act == PV_RELU ? "relu" : "linear");
    if (!parse_count(t, &width))
        return lx_fail(lx, lx->line,
                       "bad width '%s' for layer %d: expected a positive "
                       "integer at most %d", excerpt(q, sizeof q, t), k,
                       PV_MAX_WIDTH);
    pv_status st = lx_expect_end(lx, "layer ACTIVATION WIDTH");
    if (st != PV_OK)
        return st;
    int in = ps->net.nlayers > 0 ? ps->net.layers[ps->net.nlayers - 1].out
                                 : ps->net.input_dim;
    uint64_t entries = (uint64_t)in * (uint64_t)width;
    if (entries > PV_SMALL_LAYER_ENTRIES && entries > lx->len - lx->next)
        return lx_fail(lx, lx->line,
                       "layer %d declares %d x %d weights, but only %zu "
                       "bytes of the file follow (truncated file or wrong "
                       "width?)", k, width, in, lx->len - lx->next);
    st = net_append(&ps->net, act, width, lx->err);
    if (st != PV_OK)
        return st;
    return PV_OK;
}

/* Parses one number token into out; `where` describes its place. */
static pv_status parse_number(lexer *lx, span t, mpq_t out, const char *where)
{
    const char *why = NULL;
    char q[200];
    pv_status st = pv_rational_parse(out, t.p, t.n, &why);
    if (st == PV_OK)
        return PV_OK;
    if (st == PV_ERR_NOMEM)
        return pv_error_set(lx->err, st, "out of memory");
    return lx_fail(lx, lx->line, "bad number '%s' in %s: %s",
                   excerpt(q, sizeof q, t), where, why);
}

/* Reads the numbers of the current line into out[0..want); fails naming the
 * expected and found counts. */
static pv_status parse_number_list(lexer *lx, mpq_t *out, int want,
                                   const char *where)
{
    span t;
    int found = 0;
    while (lx_token(lx, &t)) {
        if (found < want) {
            pv_status st = parse_number(lx, t, out[found], where);
            if (st != PV_OK)
                return st;
        }
        found++;
    }
    if (found != want)
        return lx_fail(lx, lx->line, "expected %d number%s in %s, found %d",
                       want, want == 1 ? "" : "s", where, found);
    return PV_OK;
}

static pv_status parse_rows(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    pv_layer *L = &ps->net.layers[ps->net.nlayers - 1];
    int k = ps->net.nlayers;
    char where[96], q[200];
    for (int i = 0; i < L->out; i++) {
        snprintf(where, sizeof where, "row %d of layer %d", i + 1, k);
        int r = lx_next_line(lx);
        if (r < 0)
            return PV_ERR_PARSE;
        if (r == 0)
            return lx_fail(lx, lx_eof_line(lx),
                           "unexpected end of file: expected %s (%d "
                           "number%s; layer %d has width %d)", where, L->in,
                           L->in == 1 ? "" : "s", k, L->out);
        span t;
        size_t save = lx->cur_pos;
        lx_token(lx, &t);
        if (span_is(t, "bias") || span_is(t, "layer") ||
            span_is(t, "input") || span_is(t, "pvnet"))
            return lx_fail(lx, lx->line,
                           "expected %s (%d number%s), found '%s': layer %d "
                           "has width %d, so it needs %d rows", where, L->in,
                           L->in == 1 ? "" : "s", excerpt(q, sizeof q, t), k,
                           L->out, L->out);
        lx->cur_pos = save;
        pv_status st = parse_number_list(lx, L->w + (size_t)i * (size_t)L->in,
                                         L->in, where);
        if (st != PV_OK)
            return st;
    }
    return PV_OK;
}

/* `bias b1 ... bW`, all on one line (like rows, so every line of the file
 * is self-describing and errors point at one line). */
static pv_status parse_bias(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    pv_layer *L = &ps->net.layers[ps->net.nlayers - 1];
    int k = ps->net.nlayers;
    char where[64], q[200];
    int r = lx_next_line(lx);
    if (r < 0)
        return PV_ERR_PARSE;
    if (r == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "unexpected end of file: expected 'bias' and %d "
                       "number%s for layer %d", L->out,
                       L->out == 1 ? "" : "s", k);
    span t;
    lx_token(lx, &t);
    if (!span_is(t, "bias")) {
        mpq_t v;
        mpq_init(v);
        int is_number = pv_rational_parse(v, t.p, t.n, NULL) == PV_OK;
        mpq_clear(v);
        if (is_number)
            return lx_fail(lx, lx->line,
                           "expected 'bias' and %d number%s for layer %d, "
                           "found another row (layer %d has width %d)",
                           L->out, L->out == 1 ? "" : "s", k, k, L->out);
        return lx_fail(lx, lx->line,
                       "expected 'bias' and %d number%s for layer %d, "
                       "found '%s'", L->out, L->out == 1 ? "" : "s", k,
                       excerpt(q, sizeof q, t));
    }
    snprintf(where, sizeof where, "the bias of layer %d", k);
    return parse_number_list(lx, L->b, L->out, where);
}

static pv_status parse_layers(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    for (;;) {
        int r = lx_next_line(lx);
        if (r < 0)
            return PV_ERR_PARSE;
        if (r == 0)
            break;
        span t;
        lx_token(lx, &t);
        if (!span_is(t, "layer"))
            return misplaced_line(ps, t);
        pv_status st = parse_layer_line(ps);
        if (st == PV_OK)
            st = parse_rows(ps);
        if (st == PV_OK)
            st = parse_bias(ps);
        if (st != PV_OK)
            return st;
    }
    if (ps->net.nlayers == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "expected at least one 'layer relu|linear WIDTH', "
                       "found end of file");
    return PV_OK;
}

static pv_status parse_pvnet(pv_net *net, const char *text, size_t len,
                             const char *name, pv_error *err)
{
    pvnet_parse ps;
    memset(&ps, 0, sizeof ps);
    ps.lx.text = text != NULL ? text : "";
    ps.lx.len = text != NULL ? len : 0;
    ps.lx.name = name != NULL ? name : "<pvnet>";
    ps.lx.err = err;
    pv__net_init(&ps.net);
    pv_status st = parse_header(&ps);
    if (st == PV_OK)
        st = parse_input(&ps);
    if (st == PV_OK)
        st = parse_layers(&ps);
    if (st != PV_OK) {
        pv__net_clear(&ps.net);
        return st;
    }
    strcpy(ps.net.format, "pvnet");
    st = pv_net_finalize(&ps.net, err);
    if (st != PV_OK) {
        pv__net_clear(&ps.net);
        return st;
    }
    /* The caller's net (initialised, possibly holding an older network) is
     * replaced only on success. */
    pv__net_clear(net);
    *net = ps.net;
    return PV_OK;
}

pv_status pv_net_parse_pvnet(pv_net *net, const char *text, size_t len,
                             const char *name, pv_error *err)
{
    PV_GUARD(err, parse_pvnet(net, text, len, name, err), (void)0);
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

static int write_mpq(FILE *fp, const mpq_t q)
{
    return mpq_out_str(fp, 10, q) > 0;
}

static int write_body(FILE *fp, const pv_net *net)
{
    int ok = fprintf(fp, "# written by polyverify; exact rationals\n"
                         "pvnet 1\ninput %d\n", net->input_dim) > 0;
    if (net->has_box && net->box_lo != NULL && net->box_hi != NULL) {
        /* .pvnet has no box syntax; keep the default box as a comment. */
        ok = ok && fputs("# default input box (lo hi per coordinate):", fp) >= 0;
        for (int i = 0; ok && i < net->input_dim; i++)
            ok = fputc(' ', fp) != EOF && write_mpq(fp, net->box_lo[i]) &&
                 fputc(' ', fp) != EOF && write_mpq(fp, net->box_hi[i]);
        ok = ok && fputc('\n', fp) != EOF;
    }
    for (int k = 0; ok && k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        ok = fprintf(fp, "layer %s %d\n", L->act == PV_RELU ? "relu" : "linear",
                     L->out) > 0;
        for (int i = 0; ok && i < L->out; i++) {
            for (int j = 0; ok && j < L->in; j++)
                ok = (j == 0 || fputc(' ', fp) != EOF) &&
                     write_mpq(fp, L->w[(size_t)i * (size_t)L->in + (size_t)j]);
            ok = ok && fputc('\n', fp) != EOF;
        }
        ok = ok && fputs("bias", fp) >= 0;
        for (int i = 0; ok && i < L->out; i++)
            ok = fputc(' ', fp) != EOF && write_mpq(fp, L->b[i]);
        ok = ok && fputc('\n', fp) != EOF;
    }
    return ok && !ferror(fp);
}

static pv_status write_pvnet(const pv_net *net, const char *path,
                             pv_error *err)
{
    if (net->input_dim <= 0 || net->nlayers <= 0)
        return pv_error_set(err, PV_ERR_ARG,
                            "%s: cannot write a network without input or "
                            "layers", path);
    /* A failure never leaves a partial network behind (outfile.h). */
    pv_outfile o;
    pv_status rc = pv_outfile_open(&o, path, err);
    if (rc != PV_OK)
        return rc;
    if (!write_body(o.f, net)) {
        pv_outfile_abort(&o);
        return pv_error_set(err, PV_ERR_IO, "%s: cannot write", path);
    }
    return pv_outfile_commit(&o, err);
}

pv_status pv_net_write_pvnet(const pv_net *net, const char *path,
                             pv_error *err)
{
    PV_GUARD(err, write_pvnet(net, path, err), (void)0);
}

/* ------------------------------------------------------------------------ */
/* Loading: read the file, pick the format                                   */

/* The file's content: gzip is decompressed (within the same size limit)
 * and a Git LFS pointer is refused with its own message (pv_read_file). */
static pv_status read_whole_file(const char *path, char **text, size_t *len,
                                 pv_error *err)
{
    return pv_read_file(path, PV_MAX_FILE_BYTES, text, len, err);
}

/* Does the first line that is not blank or a comment start with `pvnet`? */
static int looks_like_pvnet(const char *text, size_t len)
{
    lexer lx;
    memset(&lx, 0, sizeof lx);
    lx.text = text;
    lx.len = len;
    lx.name = "";
    if (lx_next_line(&lx) != 1)
        return 0;
    span t;
    return lx_token(&lx, &t) && span_is(t, "pvnet");
}

static int has_extension(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    if (n < e)
        return 0;
    for (size_t i = 0; i < e; i++) {
        char c = path[n - e + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return 0;
    }
    return 1;
}

/* `ext`, or `ext` then ".gz": pv_read_file has already decompressed a
 * gzipped file (found by its magic bytes), so model.onnx.gz is ONNX. */
static int has_format_extension(const char *path, const char *ext)
{
    if (has_extension(path, ext))
        return 1;
    char both[32];
    if (snprintf(both, sizeof both, "%s.gz", ext) >= (int)sizeof both)
        return 0;
    return has_extension(path, both);
}

typedef pv_status (*net_parser)(pv_net *, const char *, size_t, const char *,
                                pv_error *);

/* Known formats. A file is claimed by its extension first (so that a broken
 * .pvnet gets the .pvnet parser's precise message), then by its content.
 * New formats (.nnet, ONNX) add one row each. */
static const struct net_format {
    const char *extension;
    int (*sniff)(const char *text, size_t len);
    net_parser parse;
} net_formats[] = {
    { ".pvnet", looks_like_pvnet, pv_net_parse_pvnet },
    { ".nnet", pv_net_is_nnet, pv_net_parse_nnet },
    { ".onnx", pv_net_is_onnx, pv_net_parse_onnx },
};

#define N_FORMATS (sizeof net_formats / sizeof net_formats[0])

static pv_status load(pv_net *net, const char *path, pv_error *err)
{
    char *text = NULL;
    size_t len = 0;
    pv_status st = read_whole_file(path, &text, &len, err);
    if (st != PV_OK)
        return st;
    const struct net_format *fmt = NULL;
    for (size_t i = 0; fmt == NULL && i < N_FORMATS; i++)
        if (has_format_extension(path, net_formats[i].extension))
            fmt = &net_formats[i];
    for (size_t i = 0; fmt == NULL && i < N_FORMATS; i++)
        if (net_formats[i].sniff(text, len))
            fmt = &net_formats[i];
    if (fmt != NULL)
        st = fmt->parse(net, text, len, path, err);
    else
        st = pv_error_set(err, PV_ERR_PARSE,
                          "%s: unknown network format (expected .pvnet "
                          "text, .nnet text or an ONNX model, recognised by "
                          "extension or content)", path);
    pv_free(text);
    return st;
}

/* Every parser replaces net only on success. */
pv_status pv_net_load(pv_net *net, const char *path, pv_error *err)
{
    PV_GUARD(err, load(net, path, err), (void)0);
}
