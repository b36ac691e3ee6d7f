/* polyverify — the representation of a network (internal).
 *
 * The public network.h declares pv_net opaque; the library's modules, the
 * checker (verify/pvcheck.c), the unit tests and the benchmarks include
 * this header to read the layers and the caches built by pv_net_finalize
 * (integer form, doubles, 64-bit form, the lifted network) directly.
 *
 * A layer's first nrelu rows are ReLU neurons (code bits), its other rows
 * linear: a ReLU layer has nrelu = out, a linear one 0, and the layers an
 * ONNX graph is lowered to (onnx.c) mix the two, carrying values that a
 * later node reads (residual connections, the linear part of LeakyReLU)
 * as linear rows. Weights are dense (rp == NULL: row i is w[i*in ..
 * i*in + in - 1]) or sparse (CSR: row i is w[rp[i] .. rp[i+1] - 1] with
 * columns ci[]); every per-weight array (w, wint, wd, w64) has the same
 * layout, so pv_layer_row_begin/_end/_col walk any of them.
 *
 * Invariants once pv_net_finalize has succeeded (finalized = 1): layer k
 * has in = the previous layer's out (input_dim for k = 0), out >= 1; the
 * layers with nrelu > 0 number their neurons consecutively from 0
 * (first_neuron), neurons = their total; sparse rows have strictly
 * increasing columns; wint/bint/den are the exact integer form of w/b;
 * wd/bd and w64/b64 are NULL or faithful as their comments say. Every
 * change of a weight (pv_net_set_weight, _set_bias, _add_layer) sets
 * finalized = 0, and the exact paths refuse a net that is not finalized. */
#ifndef PV_NETWORK_INTERNAL_H
#define PV_NETWORK_INTERNAL_H

#include <stdint.h>
#include <gmp.h>
#include "polyverify/network.h"

typedef struct pv_layer {
    pv_activation act;  /* PV_RELU (nrelu = out), PV_LINEAR (0), PV_MIXED   */
    int in, out;        /* W is out x in                                     */
    int nrelu;          /* rows 0 .. nrelu-1 are ReLU, the rest linear       */
    int first_neuron;   /* global index of this layer's neuron 0, or -1      */
    int *rp, *ci;       /* CSR row starts (out + 1) and columns, or NULL     */
    size_t nnz;         /* stored weights: out*in when dense                 */
    mpq_t *w;           /* the nnz weights, dense row-major or CSR           */
    mpq_t *b;           /* out biases                                        */
    /* Integer form, filled by pv_net_finalize: W = wint/den, b = bint/den
     * with den the lcm of the layer's denominators. Every exact
     * computation runs on it (mpz, never mpq, in the hot loops). */
    mpz_t den;
    mpz_t *wint;        /* nnz, or NULL before pv_net_finalize               */
    mpz_t *bint;        /* out                                               */
    /* The same weights in doubles, each the truncation of the exact value
     * (mpq_get_d), for the forward pass's float filter (code.c), which
     * bounds the truncation error; NULL when a weight is out of double
     * range (the filter is then skipped). */
    double *wd, *bd;
    /* The integer form again in 64 bits when every entry and den fit in
     * 62 bits (else NULL), with w64_bits the largest entry's bit length:
     * system.c's fixed-width fast path. */
    int64_t *w64, *b64;
    int w64_bits;
} pv_layer;

struct pv_net {
    char format[16];    /* "pvnet", "nnet", "onnx"; "" for an empty net      */
    /* The dialect of the format the file was read in, a static string, or
     * NULL for formats without dialects (pvnet, onnx): for .nnet,
     * "standard" (sisl/NNet, Reluplex, Marabou: normalisation header) or
     * "NeuralVerification.jl" (numLayers alone on the first line, five
     * skipped lines, no normalisation). */
    const char *dialect;
    int input_dim;      /* m                                                 */
    /* ONNX: the input tensor's shape, "[1, 3, 32, 32]" (the network reads
     * it flattened in row-major order), and the final op ignored as an
     * output head ("Softmax"); "" when none. */
    char input_shape[160];
    char head[32];
    int nlayers;
    pv_layer *layers;
    int neurons;        /* N: number of ReLU neurons                         */
    pv_code_part *parts;   /* the code layout (ONNX graphs, pvnet 2), or NULL */
    int nparts;
    int has_box;        /* the file gives a default input box (.nnet min/max) */
    mpq_t *box_lo, *box_hi;  /* input_dim each when has_box                  */
    int finalized;      /* pv_net_finalize ran after the last weight change  */
    /* The same network read on u = W_1 x + b_1 (first layer replaced by the
     * identity), when W_1 has full row rank n_1 < m; else NULL. x -> u is
     * then onto R^{n_1} and every pre-activation is affine in u, so a
     * cell is the preimage of a cell in n_1 dimensions (see cell.c). Built
     * by pv_net_finalize; owned by this net. */
    struct pv_net *lifted;
    /* With lifted: W_1 in doubles and the Cholesky factor of W_1 W_1^T, a
     * search aid for carrying points back from u to x (never a proof). */
    double *lift_w, *lift_chol;
};

/* Walking row i of a layer's weights, dense or sparse: entries p in
 * [row_begin, row_end) of w/wint/wd/w64, each at column pv_layer_col. */
static inline size_t pv_layer_row_begin(const pv_layer *L, int i)
{
    return L->rp ? (size_t)L->rp[i] : (size_t)i * (size_t)L->in;
}

static inline size_t pv_layer_row_end(const pv_layer *L, int i)
{
    return L->rp ? (size_t)L->rp[i + 1] : (size_t)(i + 1) * (size_t)L->in;
}

static inline int pv_layer_col(const pv_layer *L, int i, size_t p)
{
    return L->ci ? L->ci[p] : (int)(p - (size_t)i * (size_t)L->in);
}

/* Appends a layer of `out` rows, the first nrelu ReLU, with the sparse
 * rows given in CSR form (rp: out + 1 starts, ci: increasing columns per
 * row, all < the previous layer's width). The layer takes the weights
 * and biases over (w: rp[out] values, b: out; both arrays of initialised
 * mpq_t, moved into the layer and freed by it — on failure too). */
pv_status pv__net_add_sparse_layer(pv_net *net, int nrelu, int out,
                                   int *rp, int *ci, mpq_t *w, mpq_t *b,
                                   pv_error *err);

/* Largest input dimension and layer width a file may declare. */
#define PV_MAX_WIDTH 10000000

/* Appends a dense layer of `width` rows, zero weights and biases, the
 * first nrelu rows ReLU (pvnet.c, nnet.c and the copies here build with
 * it). */
pv_status pv__net_append_dense(pv_net *net, int nrelu, int width,
                               pv_error *err);

/* A lower bound of the rank of a finalized layer's weight matrix over Q
 * (its rank mod a prime), dense or sparse. */
int pv__layer_rank_mod_p(const pv_layer *L);

/* Does the first line that is not blank or a comment start with `pvnet`? */
int pv__looks_like_pvnet(const char *text, size_t len);

/* Appends a code part (copied) to net's layout; PV_ERR_NOMEM. */
pv_status pv__net_add_code_part(pv_net *net, const pv_code_part *part,
                                pv_error *err);

/* A by-value network inside the library (a temporary, a parser's result
 * before it is moved into the caller's handle): pv__net_init makes it
 * empty, pv__net_clear releases what it holds and leaves it empty.
 * pv_net_new and pv_net_free are these plus the allocation. */
void pv__net_init(pv_net *net);
void pv__net_clear(pv_net *net);

/* The largest of input_dim and the layers' widths: the size of a buffer
 * that holds any layer's input or output. */
int pv__net_max_width(const pv_net *net);

/* pv_net_compose_affine into a net that is NOT initialised: out is
 * initialised here, also on failure (clear it either way). */
pv_status pv__net_affine_input(pv_net *out, const pv_net *net,
                               mpq_t *const p, mpq_t *const D, int k,
                               pv_error *err);

#endif
