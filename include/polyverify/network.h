/* polyverify — networks with exact rational weights.
 *
 * A network is a chain of affine layers z_k = W_k a_{k-1} + b_k, a_0 = x.
 * A layer's rows are ReLU (a = max(0, z)) or linear (a = z): all ReLU
 * (`relu`), all linear (`linear`), or ReLU rows first and then linear
 * rows (PV_MIXED: the layers an ONNX graph is lowered to, which carry
 * residual connections and the linear parts of other activations). ReLU
 * neurons are numbered layer by layer from 0; only they carry code bits
 * (DESIGN §1). Weights are stored dense or sparse (pv_net_layer_row).
 *
 * A pv_net is an opaque handle: pv_net_new makes an empty one, the loaders
 * (or pv_net_add_layer and the setters) fill it, pv_net_free releases it.
 * Read it through the accessors. Every function that produces a network
 * writes into a handle the caller made and replaces its content only on
 * success. Formats (DESIGN §3.1): .pvnet text, .nnet (ACAS Xu) and ONNX
 * models of fully-connected ReLU networks; every weight is exact (.nnet
 * decimals are the rationals they write, ONNX floats the dyadic rationals
 * their bits encode). */
#ifndef POLYVERIFY_NETWORK_H
#define POLYVERIFY_NETWORK_H

#include "export.h"

#include <stddef.h>
#include <gmp.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A layer's rows are all ReLU, all linear, or (PV_MIXED, the layers an
 * ONNX graph is lowered to) ReLU rows first, then linear rows. */
typedef enum pv_activation { PV_RELU = 0, PV_LINEAR = 1, PV_MIXED = 2 } pv_activation;

typedef struct pv_net pv_net;

/* An empty network (no input, no layers), or NULL when out of memory. */
PV_API pv_net *pv_net_new(void);

/* Releases net and everything it holds; NULL is fine. */
PV_API void pv_net_free(pv_net *net);

/* Loads a network file, choosing the format by extension, then by
 * content. A gzipped file is decompressed first. */
PV_API pv_status pv_net_load(pv_net *net, const char *path, pv_error *err);

/* Parses .pvnet text (DESIGN §3.1). `name` is used in messages. */
PV_API pv_status pv_net_parse_pvnet(pv_net *net, const char *text, size_t len,
                                    const char *name, pv_error *err);

/* .nnet text. The header's input normalisation x' = (x - mean)/range and
 * the output de-normalisation y*range_out + mean_out are composed exactly
 * into the first and last layers, so the result maps raw inputs to raw
 * outputs; min/max become the default box (pv_net_has_box). `name` is used
 * in messages. Two dialects (pv_net_dialect): "standard" (sisl/NNet,
 * Reluplex, Marabou) and "NeuralVerification.jl" (numLayers alone on the
 * first line, five placeholder lines, no normalisation and no box); a
 * file that reads differently in the two is refused as ambiguous. */
PV_API pv_status pv_net_parse_nnet(pv_net *net, const char *text, size_t len,
                                   const char *name, pv_error *err);

/* A binary ONNX ModelProto: a graph of affine operators (Gemm, MatMul,
 * Conv, ConvTranspose, BatchNormalization with exact square roots,
 * AveragePool, GlobalAveragePool, Add/Sub/Mul/Div by constants, Add/Sub of
 * computed tensors, Concat, Split, Transpose, Pad, Slice, Gather, Flatten,
 * Reshape, Squeeze, Unsqueeze, Identity, Dropout, Cast, Constant, shape
 * computations folded at load time) and activations (Relu, LeakyRelu,
 * PRelu, Abs, Clip, MaxPool, GlobalMaxPool), with an optional final
 * Softmax, LogSoftmax, Sigmoid or ArgMax (ignored). The graph is lowered
 * exactly to a chain of (mixed, sparse) layers; every activation node is a
 * part of the code layout (pv_net_code_part). Operand shapes are checked
 * by ONNX's broadcasting and matmul rules; the input is one example (a
 * first dimension of 1 or symbolic). A gzipped model is decompressed by
 * pv_net_load, not here. */
PV_API pv_status pv_net_parse_onnx(pv_net *net, const char *data, size_t len,
                                   const char *name, pv_error *err);

/* Does the text look like .nnet (first line a `//` comment or a line of
 * comma-separated integers, or one integer then such a line)? For
 * pv_net_load's content check. */
PV_API int pv_net_is_nnet(const char *text, size_t len);

/* Does the data start like an ONNX ModelProto (field 1, ir_version)? */
PV_API int pv_net_is_onnx(const char *data, size_t len);

/* Writes net in .pvnet form (exact). */
PV_API pv_status pv_net_write_pvnet(const pv_net *net, const char *path,
                                    pv_error *err);

/* FNV-1a 64 of the canonical text of the network (verify/README.md): what
 * a certificate names its network by. */
PV_API unsigned long long pv_net_fingerprint(const pv_net *net);

/* Building a network in code: set the input dimension of an empty
 * network, append layers (zero weights), set weights and biases, then call
 * pv_net_finalize before using it. */
PV_API pv_status pv_net_set_input_dim(pv_net *net, int m, pv_error *err);

/* Appends a layer of `width` neurons with zero weights and biases. */
PV_API pv_status pv_net_add_layer(pv_net *net, pv_activation act, int width,
                                  pv_error *err);

/* Weight from input j to neuron i of layer `layer` (0-based), and the bias
 * of neuron i. A change undoes pv_net_finalize: call it again. */
PV_API pv_status pv_net_set_weight(pv_net *net, int layer, int i, int j,
                                   const mpq_t w, pv_error *err);
PV_API pv_status pv_net_set_bias(pv_net *net, int layer, int i, const mpq_t b,
                                 pv_error *err);

/* Checks that the layers chain up and computes every layer's integer form.
 * Loaders call it; code that sets weights by hand calls it afterwards. */
PV_API pv_status pv_net_finalize(pv_net *net, pv_error *err);

/* The shape: input dimension m, number of layers, N = the number of ReLU
 * neurons (the code length). */
PV_API int pv_net_input_dim(const pv_net *net);
PV_API int pv_net_nlayers(const pv_net *net);
PV_API int pv_net_neurons(const pv_net *net);

/* Layer k (0 <= k < pv_net_nlayers): its input width, its width, the
 * global index of its neuron 0 (-1 for a linear layer) and its activation;
 * -1 (PV_LINEAR) for no such layer. */
PV_API int pv_net_layer_in(const pv_net *net, int k);
PV_API int pv_net_layer_out(const pv_net *net, int k);
PV_API int pv_net_layer_first_neuron(const pv_net *net, int k);
PV_API pv_activation pv_net_layer_activation(const pv_net *net, int k);

/* Layer k's weights, row-major out x in (w[i*in + j]: from input j to
 * neuron i), and its out biases; NULL for no such layer (and weights NULL
 * for a sparse layer: read it with pv_net_layer_row). Read-only: the
 * setters change them. */
PV_API const mpq_t *pv_net_layer_weights(const pv_net *net, int k);
PV_API const mpq_t *pv_net_layer_biases(const pv_net *net, int k);

/* Layer k's number of ReLU rows: its rows 0 .. r-1 are ReLU neurons, the
 * others linear (r = out for PV_RELU, 0 for PV_LINEAR); -1 for no such
 * layer. */
PV_API int pv_net_layer_relus(const pv_net *net, int k);

/* Row i of layer k, dense or sparse: its stored weights (*w) and, for a
 * sparse layer, their increasing columns (*cols; NULL for a dense layer,
 * where entry c is column c). Returns the number of stored weights, -1
 * for no such row. Layers lowered from convolutions and the linear rows
 * that carry values forward are sparse: pv_net_layer_weights gives NULL
 * for them. */
PV_API int pv_net_layer_row(const pv_net *net, int k, int i, const int **cols,
                            const mpq_t **w);

/* The code layout of a network lowered from an ONNX graph: one part per
 * activation node, in the graph's node order; part i covers code bits
 * first .. first + count - 1. per_element is the number of bits of each
 * element of the node's output (1 for Relu, LeakyRelu, PRelu, Abs; 2 for
 * a Clip with both bounds), elements in row-major order; 0 for MaxPool,
 * whose bits are its tournament's comparisons, level by level (README).
 * Strings are NUL-terminated and owned by the network. */
typedef struct pv_code_part {
    int first, count, per_element;
    char op[24];         /* "Relu", "LeakyRelu", "Clip", "MaxPool", ...  */
    char shape[64];      /* the node's output shape, "[1, 16, 8, 8]"       */
    char node[96];       /* the node's name, or its output's when unnamed */
} pv_code_part;

/* Number of code parts (0 for networks read from .nnet or pvnet 1, whose
 * bits are the ReLU layers' neurons in order), and part i, or NULL. */
PV_API int pv_net_code_nparts(const pv_net *net);
PV_API const pv_code_part *pv_net_code_part(const pv_net *net, int i);

/* Layer holding ReLU neuron j (0 <= j < neurons); *row = its row there.
 * -1 (and *row = -1) for no such neuron. */
PV_API int pv_net_layer_of_neuron(const pv_net *net, int j, int *row);

/* The default input box of the file (.nnet min/max): whether there is one,
 * and its input_dim lower and upper bounds (NULL without one). */
PV_API int pv_net_has_box(const pv_net *net);
PV_API const mpq_t *pv_net_box_lo(const pv_net *net);
PV_API const mpq_t *pv_net_box_hi(const pv_net *net);

/* The format the network was read in ("pvnet", "nnet", "onnx"; "pvnet"
 * for a network built in code, "" for an empty one), and its dialect, a
 * static string, or NULL for formats without dialects (pvnet, onnx): for
 * .nnet, "standard" (sisl/NNet, Reluplex, Marabou: normalisation header)
 * or "NeuralVerification.jl" (numLayers alone on the first line, five
 * skipped lines, no normalisation). */
PV_API const char *pv_net_format(const pv_net *net);
PV_API const char *pv_net_dialect(const pv_net *net);

/* ONNX models: the input tensor's shape as text ("[1, 3, 32, 32]": the
 * network's input x is that tensor flattened in row-major order, here
 * x[(c*32 + h)*32 + w]), and the final op read as an output head that
 * cannot change a cell ("Softmax", "LogSoftmax", "Sigmoid", "ArgMax": the
 * network's outputs are that op's inputs). NULL when there is none (other
 * formats, no head). */
PV_API const char *pv_net_input_shape(const pv_net *net);
PV_API const char *pv_net_output_head(const pv_net *net);

/* out = net on an affine input map: out(z) = net(p + D z) for z in R^k,
 * with p (m entries) and D (m x k, row-major) exact. The map is composed
 * exactly into the first layer (W D, W p + b); the other layers are
 * copied. Used for 2-D slices (plot) and for the free coordinates of a
 * flat box. out is a network made by pv_net_new, other than net. */
PV_API pv_status pv_net_compose_affine(pv_net *out, const pv_net *net,
                                       mpq_t *const p, mpq_t *const D, int k,
                                       pv_error *err);

/* out = the 2-input network of net on the plane x = p + s d1 + t d2 (m
 * entries each), composed exactly (pv_net_compose_affine). out is a
 * network made by pv_net_new, other than net. */
PV_API pv_status pv_net_slice(pv_net *out, const pv_net *net, mpq_t *const p,
                              mpq_t *const d1, mpq_t *const d2, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
