/* Fuzz target: the ONNX reader, pv_net_parse_onnx: a binary ModelProto
 * (protobuf-c decodes it), then the walk along the graph's chain of
 * Gemm/MatMul/Add/.../Relu nodes with exact float decoding. The input is
 * the whole file. */
#include "fuzz_common.h"
#include "polyverify/network.h"
#include "../src/net/network_internal.h"   /* finalized */
#include "polyverify/rational.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_net *net = pv_net_new();
    pv_error err;
    if (net == NULL)
        abort();
    fuzz_error_init(&err);
    (void)pv_net_is_onnx((const char *)data, size);
    pv_status st = pv_net_parse_onnx(net, (const char *)data, size,
                                     "fuzz.onnx", &err);
    fuzz_check_error(st, &err);
    if (st == PV_OK && !net->finalized)
        abort();
    if (st != PV_OK && pv_net_nlayers(net) != 0)
        abort();
    pv_net_free(net);
    return 0;
}
