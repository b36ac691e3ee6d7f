/* polyverify — network formats other than .pvnet: .nnet (ACAS Xu) and ONNX
 * models of fully-connected ReLU networks (DESIGN §3.1).
 *
 * Both parsers take the whole file in memory (pv_net_load reads it) and,
 * like pv_net_parse_pvnet, replace *net only on success. Every weight is
 * exact: .nnet decimals are the rationals they write, ONNX floats are the
 * dyadic rationals their bits encode. */
#ifndef POLYVERIFY_FORMATS_H
#define POLYVERIFY_FORMATS_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>
#include "error.h"
#include "network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* .nnet text. The header's input normalisation x' = (x - mean)/range and
 * the output de-normalisation y*range_out + mean_out are composed exactly
 * into the first and last layers, so the result maps raw inputs to raw
 * outputs; min/max become the default box (net->has_box). `name` is used
 * in messages. Two dialects (net->dialect): "standard" (sisl/NNet,
 * Reluplex, Marabou) and "NeuralVerification.jl" (numLayers alone on the
 * first line, five placeholder lines, no normalisation and no box); a
 * file that reads differently in the two is refused as ambiguous. */
PV_API pv_status pv_net_parse_nnet(pv_net *net, const char *text, size_t len,
                                   const char *name, pv_error *err);

/* Does the text look like .nnet (first line a `//` comment or a line of
 * comma-separated integers, or one integer then such a line)? For
 * pv_net_load's content check. */
PV_API int pv_nnet_sniff(const char *text, size_t len);

/* A binary ONNX ModelProto whose graph is a chain of fully-connected
 * layers: Gemm, MatMul, Add, Sub, Mul, Div by constants, Relu, Flatten,
 * Reshape, Identity, Constant. Consecutive affine operations are composed
 * exactly into one layer. Operand shapes are checked by ONNX's
 * broadcasting and matmul rules; the input is one example (a first
 * dimension of 1 or symbolic). A gzipped file is decompressed before
 * (pv_read_file), not here. */
PV_API pv_status pv_net_parse_onnx(pv_net *net, const char *data, size_t len,
                                   const char *name, pv_error *err);

/* Does the data start like an ONNX ModelProto (field 1, ir_version)? */
PV_API int pv_onnx_sniff(const char *data, size_t len);

/* out = the exact value of an IEEE 754 binary32 / binary64 bit pattern.
 * PV_ERR_ARG (out untouched) for NaN and infinities. */
PV_API pv_status pv_rational_from_float32_bits(mpq_t out, uint32_t bits);
PV_API pv_status pv_rational_from_float64_bits(mpq_t out, uint64_t bits);

#ifdef __cplusplus
}
#endif
#endif
