/* polyverify — which symbols the shared library exports.
 *
 * The library is compiled with hidden visibility (meson.build), so that
 * only what a public header declares with PV_API is part of the ABI: the
 * internal modules of src/ and the protobuf-c ONNX bindings stay private. */
#ifndef POLYVERIFY_EXPORT_H
#define POLYVERIFY_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define PV_API __attribute__((visibility("default")))
#else
#define PV_API
#endif

#endif
