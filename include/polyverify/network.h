/* polyverify — networks with exact rational weights.
 *
 * A network is a chain of affine layers z_k = W_k a_{k-1} + b_k, a_0 = x,
 * each `relu` (a_k = max(0, z_k)) or `linear` (a_k = z_k). ReLU neurons are
 * numbered layer by layer from 0; only they carry code bits (DESIGN §1). */
#ifndef POLYVERIFY_NETWORK_H
#define POLYVERIFY_NETWORK_H

#include "export.h"

#include <gmp.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pv_activation { PV_RELU = 0, PV_LINEAR = 1 } pv_activation;

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

typedef struct pv_net {
    char format[16];    /* "pvnet", "nnet", "onnx"                           */
    /* The dialect of the format the file was read in, a static string, or
     * NULL for formats without dialects (pvnet, onnx): for .nnet,
     * "standard" (sisl/NNet, Reluplex, Marabou: normalisation header) or
     * "NeuralVerification.jl" (numLayers alone on the first line, five
     * skipped lines, no normalisation). */
    const char *dialect;
    int input_dim;      /* m                                                 */
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
} pv_net;

PV_API void pv_net_init(pv_net *net);
PV_API void pv_net_clear(pv_net *net);

/* Loads a network file, choosing the format by content/extension. */
PV_API pv_status pv_net_load(pv_net *net, const char *path, pv_error *err);

/* Parses .pvnet text (DESIGN §3.1). `name` is used in messages. */
PV_API pv_status pv_net_parse_pvnet(pv_net *net, const char *text, size_t len,
                                    const char *name, pv_error *err);

/* Appends a layer with zero weights (for building networks in code). Set
 * the weights, then call pv_net_finalize before using the network. */
PV_API pv_status pv_net_add_layer(pv_net *net, pv_activation act, int width,
                                  pv_error *err);

/* Checks that the layers chain up and computes every layer's integer form.
 * Loaders call it; code that sets weights by hand calls it afterwards. */
PV_API pv_status pv_net_finalize(pv_net *net, pv_error *err);

/* net on an affine input map: out(z) = net(p + D z) for z in R^k, with p
 * (m entries) and D (m x k, row-major) exact. The map is composed exactly
 * into the first layer (W D, W p + b); the other layers are copied. Used
 * for 2-D slices (plot) and for the free coordinates of a flat box. out
 * must not be initialised. */
PV_API pv_status pv_net_affine_input(pv_net *out, const pv_net *net,
                                     mpq_t *const p, mpq_t *const D, int k,
                                     pv_error *err);

/* Writes net in .pvnet form (exact). */
PV_API pv_status pv_net_write_pvnet(const pv_net *net, const char *path,
                                    pv_error *err);

/* Layer holding ReLU neuron j (0 <= j < neurons); *row = its row there. */
PV_API int pv_net_layer_of_neuron(const pv_net *net, int j, int *row);

#ifdef __cplusplus
}
#endif
#endif
