/* polyverify — ONNX loading in a build without protobuf-c (-Donnx=disabled
 * or libprotobuf-c-dev missing): every ONNX model is refused, saying why. */
#include "polyverify/network.h"

pv_status pv_net_parse_onnx(pv_net *net, const char *data, size_t len,
                            const char *name, pv_error *err)
{
    (void)net;
    (void)data;
    (void)len;
    return pv_error_set(err, PV_ERR_ARG, "%s: this polyverify was built without "
                        "ONNX support (protobuf-c): rebuild with libprotobuf-c-dev, "
                        "protobuf-c-compiler and libonnx-dev installed, or convert "
                        "the model to .pvnet elsewhere", name);
}
