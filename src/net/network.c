/* polyverify — networks with exact rational weights: memory management,
 * building and reading a network through its handle, affine inputs and
 * format dispatch for pv_net_load. The .pvnet text format is pvnet.c. */
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
#define PV_MAX_FILE_BYTES (1u << 30)   /* network files are read whole     */

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
    size_t n = L->nnz;
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
    size_t n = L->nnz;
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
    size_t n = L->nnz;
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
        for (size_t i = 0; i < L->nnz; i++)
            mpq_clear(L->w[i]);
        pv_free(L->w);
    }
    pv_free(L->rp);
    pv_free(L->ci);
    L->rp = L->ci = NULL;
    if (L->b != NULL) {
        for (int i = 0; i < L->out; i++)
            mpq_clear(L->b[i]);
        pv_free(L->b);
    }
    L->w = L->b = NULL;
    layer_free_integers(L);
}

static pv_activation activation_of(int nrelu, int out)
{
    return nrelu == out ? PV_RELU : nrelu == 0 ? PV_LINEAR : PV_MIXED;
}

/* Allocates an out x in layer with zero weights and biases. */
static pv_status layer_alloc(pv_layer *L, int nrelu, int in, int out)
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
    L->act = activation_of(nrelu, out);
    L->in = in;
    L->out = out;
    L->nnz = n;
    L->nrelu = nrelu;
    L->first_neuron = -1;
    return PV_OK;
}


int pv__net_max_width(const pv_net *net)
{
    int w = net->input_dim;
    for (int k = 0; k < net->nlayers; k++)
        if (net->layers[k].out > w)
            w = net->layers[k].out;
    return w;
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
    pv_free(net->parts);
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

/* Room for one more layer at net->layers[net->nlayers]. */
static pv_status grow_layers(pv_net *net, int nrelu, pv_error *err)
{
    if (nrelu > INT32_MAX - net->neurons)
        return pv_error_set(err, PV_ERR_LIMIT,
                            "network has more than %d ReLU neurons", INT32_MAX);
    if (net->nlayers >= INT32_MAX / 2)
        return pv_error_set(err, PV_ERR_LIMIT, "too many layers");
    pv_layer *grown = pv_realloc(net->layers,
                              (size_t)(net->nlayers + 1) * sizeof *grown);
    if (grown == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    net->layers = grown;
    return PV_OK;
}

/* Counts the allocated layer net->layers[nlayers], numbering its ReLU
 * rows. */
static void count_layer(pv_net *net)
{
    pv_layer *L = &net->layers[net->nlayers];
    if (L->nrelu > 0) {
        L->first_neuron = net->neurons;
        net->neurons += L->nrelu;
    }
    net->nlayers++;
}

/* Appends a dense layer of zero weights whose first nrelu rows are ReLU. */
pv_status pv__net_append_dense(pv_net *net, int nrelu, int width,
                            pv_error *err)
{
    int in = net->nlayers > 0 ? net->layers[net->nlayers - 1].out
                              : net->input_dim;
    pv_status st = grow_layers(net, nrelu, err);
    if (st != PV_OK)
        return st;
    pv_layer *L = &net->layers[net->nlayers];
    if (layer_alloc(L, nrelu, in, width) != PV_OK)
        return pv_error_set(err, PV_ERR_NOMEM,
                            "out of memory for a %d x %d layer", width, in);
    count_layer(net);
    return PV_OK;
}

static void values_free(mpq_t *v, size_t n) { pv_qvec_free(v, (int)n); }

static pv_status check_csr(const pv_net *net, int in, int out, const int *rp,
                           const int *ci, pv_error *err)
{
    if (net->input_dim <= 0 || out < 1 || out > PV_MAX_WIDTH)
        return pv_error_set(err, PV_ERR_ARG, "sparse layer: width %d", out);
    if (rp[0] != 0)
        return pv_error_set(err, PV_ERR_INTERNAL, "sparse layer: rp[0] != 0");
    for (int i = 0; i < out; i++) {
        if (rp[i + 1] < rp[i])
            return pv_error_set(err, PV_ERR_INTERNAL,
                                "sparse layer: row %d has a negative length", i);
        for (int p = rp[i]; p < rp[i + 1]; p++)
            if (ci[p] < 0 || ci[p] >= in || (p > rp[i] && ci[p] <= ci[p - 1]))
                return pv_error_set(err, PV_ERR_INTERNAL,
                                    "sparse layer: row %d has column %d "
                                    "(width %d, increasing expected)", i,
                                    ci[p], in);
    }
    return PV_OK;
}

static pv_status add_sparse(pv_net *net, int nrelu, int out, int *rp, int *ci,
                            mpq_t *w, mpq_t *b, pv_error *err)
{
    int in = net->nlayers > 0 ? net->layers[net->nlayers - 1].out
                              : net->input_dim;
    pv_status st = nrelu < 0 || nrelu > out
                   ? pv_error_set(err, PV_ERR_ARG, "sparse layer: %d ReLU rows of %d",
                                  nrelu, out)
                   : check_csr(net, in, out, rp, ci, err);
    if (st == PV_OK)
        st = grow_layers(net, nrelu, err);
    if (st != PV_OK) {
        values_free(w, out > 0 && rp ? (size_t)rp[out] : 0);
        values_free(b, (size_t)(out > 0 ? out : 0));
        pv_free(rp);
        pv_free(ci);
        return st;
    }
    pv_layer *L = &net->layers[net->nlayers];
    memset(L, 0, sizeof *L);
    L->in = in;
    L->out = out;
    L->nrelu = nrelu;
    L->act = activation_of(nrelu, out);
    L->first_neuron = -1;
    L->rp = rp;
    L->ci = ci;
    L->nnz = (size_t)rp[out];
    L->w = w;
    L->b = b;
    count_layer(net);
    if (net->format[0] == '\0')
        strcpy(net->format, "pvnet");
    net->finalized = 0;
    return PV_OK;
}

pv_status pv__net_add_sparse_layer(pv_net *net, int nrelu, int out, int *rp,
                                   int *ci, mpq_t *w, mpq_t *b, pv_error *err)
{
    PV_GUARD(err, add_sparse(net, nrelu, out, rp, ci, w, b, err), (void)0);
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
    return pv__net_append_dense(net, act == PV_RELU ? width : 0, width, err);
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
    size_t p = pv_layer_row_begin(L, i), e = pv_layer_row_end(L, i);
    if (L->ci != NULL) {            /* binary search of the row's columns */
        while (p < e) {
            size_t mid = p + (e - p) / 2;
            if (L->ci[mid] < j)
                p = mid + 1;
            else
                e = mid;
        }
        if (p == pv_layer_row_end(L, i) || L->ci[p] != j)
            return pv_error_set(err, PV_ERR_ARG,
                                "set_weight: (%d, %d) is not stored in sparse "
                                "layer %d", i, j, layer);
    } else {
        p += (size_t)j;
    }
    mpq_set(L->w[p], w);
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
    return L && L->rp == NULL ? (const mpq_t *)L->w : NULL;
}

int pv_net_layer_relus(const pv_net *net, int k)
{
    const pv_layer *L = layer_at(net, k);
    return L ? L->nrelu : -1;
}

int pv_net_layer_row(const pv_net *net, int k, int i, const int **cols,
                     const mpq_t **w)
{
    const pv_layer *L = layer_at(net, k);
    if (L == NULL || i < 0 || i >= L->out)
        return -1;
    size_t p = pv_layer_row_begin(L, i);
    *cols = L->ci ? L->ci + p : NULL;
    *w = (const mpq_t *)L->w + p;
    return (int)(pv_layer_row_end(L, i) - p);
}

const mpq_t *pv_net_layer_biases(const pv_net *net, int k)
{
    const pv_layer *L = layer_at(net, k);
    return L ? (const mpq_t *)L->b : NULL;
}

int pv_net_code_nparts(const pv_net *net) { return net->nparts; }

const pv_code_part *pv_net_code_part(const pv_net *net, int i)
{
    return i >= 0 && i < net->nparts ? &net->parts[i] : NULL;
}

pv_status pv__net_add_code_part(pv_net *net, const pv_code_part *part,
                                pv_error *err)
{
    pv_code_part *grown = pv_realloc(net->parts,
                                     (size_t)(net->nparts + 1) * sizeof *grown);
    if (grown == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    net->parts = grown;
    net->parts[net->nparts++] = *part;
    return PV_OK;
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
        for (size_t e = pv_layer_row_begin(L, i); e < pv_layer_row_end(L, i); e++) {
            const mpq_t *w = &L->w[e];
            int j = pv_layer_col(L, i, e);
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

/* Appends a copy of layer L (its weights, not its caches) to net. */
static pv_status append_copy(pv_net *net, const pv_layer *L, pv_error *err)
{
    if (L->rp == NULL) {
        pv_status st = pv__net_append_dense(net, L->nrelu, L->out, err);
        pv_layer *M = &net->layers[net->nlayers - 1];
        for (size_t e = 0; st == PV_OK && e < L->nnz; e++)
            mpq_set(M->w[e], L->w[e]);
        for (int i = 0; st == PV_OK && i < L->out; i++)
            mpq_set(M->b[i], L->b[i]);
        return st;
    }
    int *rp = pv_malloc(((size_t)L->out + 1) * sizeof *rp);
    int *ci = pv_malloc((L->nnz + 1) * sizeof *ci);
    mpq_t *w = pv_malloc((L->nnz + 1) * sizeof *w);
    mpq_t *b = pv_malloc(((size_t)L->out + 1) * sizeof *b);
    memcpy(rp, L->rp, ((size_t)L->out + 1) * sizeof *rp);
    memcpy(ci, L->ci, L->nnz * sizeof *ci);
    for (size_t e = 0; e < L->nnz; e++)
        { mpq_init(w[e]); mpq_set(w[e], L->w[e]); }
    for (int i = 0; i < L->out; i++)
        { mpq_init(b[i]); mpq_set(b[i], L->b[i]); }
    return add_sparse(net, L->nrelu, L->out, rp, ci, w, b, err);
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
        if (l > 0) {
            rc = append_copy(out, L, err);
            continue;
        }
        rc = pv__net_append_dense(out, L->nrelu, L->out, err);
        if (rc == PV_OK)
            compose_first_layer(&out->layers[0], L, p, D, k);
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
    size_t n = L->nnz;
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

int pv__layer_rank_mod_p(const pv_layer *L)
{
    if (L->rp == NULL) {
        pv_zmat W = { L->out, L->in, L->wint };
        return pv_zmat_rank_mod_p(&W);
    }
    pv_zmat W;
    pv_zmat_init(&W, L->out, L->in);
    for (int i = 0; i < L->out; i++)
        for (size_t e = pv_layer_row_begin(L, i); e < pv_layer_row_end(L, i); e++)
            mpz_set(PV_Z(&W, i, pv_layer_col(L, i, e)), L->wint[e]);
    int r = pv_zmat_rank_mod_p(&W);
    pv_zmat_clear(&W);
    return r;
}

/* First layer of full row rank n_1 < m? rank mod a prime is a lower bound
 * of the rank over Q, so rank_p == n_1 proves it. */
static int first_layer_onto(const pv_net *net)
{
    const pv_layer *L = &net->layers[0];
    /* Elimination costs out^2 in: past ~2^32 steps (a convolution on a
     * CIFAR image) loading would take seconds, so such nets are not lifted. */
    if (L->out >= L->in ||
        (double)L->out * L->out * L->in > 4294967296.0)
        return 0;
    return pv__layer_rank_mod_p(L) == L->out;
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
        W[i] = 0.0;
    for (int i = 0; i < n; i++)
        for (size_t e = pv_layer_row_begin(L, i); e < pv_layer_row_end(L, i); e++)
            W[(size_t)i * m + pv_layer_col(L, i, e)] = mpq_get_d(L->w[e]);
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

/* The first layer of the lifted net: u -> u, its rows kinds as L's. */
static pv_status append_identity(pv_net *u, const pv_layer *L, pv_error *err)
{
    size_t n = (size_t)L->out;
    int *rp = pv_malloc((n + 1) * sizeof *rp), *ci = pv_malloc((n + 1) * sizeof *ci);
    mpq_t *w = pv_malloc((n + 1) * sizeof *w), *b = pv_malloc((n + 1) * sizeof *b);
    for (size_t i = 0; i < n; i++) {
        rp[i] = (int)i;
        ci[i] = (int)i;
        mpq_init(w[i]);
        mpq_set_ui(w[i], 1, 1);
        mpq_init(b[i]);
    }
    rp[n] = (int)n;
    return add_sparse(u, L->nrelu, L->out, rp, ci, w, b, err);
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
        st = k > 0 ? append_copy(u, L, err) : append_identity(u, L, err);
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
            (L->nrelu > 0 && L->first_neuron != first))
            return pv_error_set(err, PV_ERR_INTERNAL,
                                "layer %d is inconsistent (in %d, expected %d)",
                                k + 1, L->in, in);
        first += L->nrelu;
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
        if (L->nrelu > 0 && j >= L->first_neuron &&
            j - L->first_neuron < L->nrelu) {
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
/* Loading: read the file, pick the format                                   */

/* The file's content: gzip is decompressed (within the same size limit)
 * and a Git LFS pointer is refused with its own message (pv_read_file). */
static pv_status read_whole_file(const char *path, char **text, size_t *len,
                                 pv_error *err)
{
    return pv_read_file(path, PV_MAX_FILE_BYTES, text, len, err);
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
    { ".pvnet", pv__looks_like_pvnet, pv_net_parse_pvnet },
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
