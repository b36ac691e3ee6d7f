/* polyverify — the representation of a network (internal).
 *
 * The public network.h declares pv_net opaque; the library's modules, the
 * checker (verify/pvcheck.c), the unit tests and the benchmarks include
 * this header to read the layers and the caches built by pv_net_finalize
 * (integer form, doubles, 64-bit form, the lifted network) directly.
 *
 * Invariants once pv_net_finalize has succeeded (finalized = 1): layer k
 * has in = the previous layer's out (input_dim for k = 0), out >= 1; the
 * ReLU layers number their neurons consecutively from 0 (first_neuron),
 * neurons = their total; wint/bint/den are the exact integer form of w/b;
 * wd/bd and w64/b64 are NULL or faithful as their comments say. Every
 * change of a weight (pv_net_set_weight, _set_bias, _add_layer) sets
 * finalized = 0, and the exact paths refuse a net that is not finalized. */
#ifndef PV_NETWORK_INTERNAL_H
#define PV_NETWORK_INTERNAL_H

#include <stdint.h>
#include <gmp.h>
#include "polyverify/network.h"

typedef struct pv_layer {
    pv_activation act;
    int in, out;        /* W is out x in                                     */
    mpq_t *w;           /* row-major: w[i*in + j] = weight from input j to i */
    mpq_t *b;           /* out biases                                        */
    int first_neuron;   /* global index of this layer's neuron 0 (relu), -1  */
    /* Integer form, filled by pv_net_finalize: W = wint/den, b = bint/den
     * with den the lcm of the layer's denominators. Every exact
     * computation runs on it (mpz, never mpq, in the hot loops). */
    mpz_t den;
    mpz_t *wint;        /* out x in, or NULL before pv_net_finalize          */
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

/* A by-value network inside the library (a temporary, a parser's result
 * before it is moved into the caller's handle): pv__net_init makes it
 * empty, pv__net_clear releases what it holds and leaves it empty.
 * pv_net_new and pv_net_free are these plus the allocation. */
void pv__net_init(pv_net *net);
void pv__net_clear(pv_net *net);

/* pv_net_compose_affine into a net that is NOT initialised: out is
 * initialised here, also on failure (clear it either way). */
pv_status pv__net_affine_input(pv_net *out, const pv_net *net,
                               mpq_t *const p, mpq_t *const D, int k,
                               pv_error *err);

#endif
