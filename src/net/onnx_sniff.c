/* polyverify — is this an ONNX model? (network.h). Apart from onnx.c, so
 * that a build without protobuf-c (-Donnx=disabled) still tells an ONNX
 * file from an unknown one and says what is missing. */
#include "polyverify/network.h"

int pv_net_is_onnx(const char *data, size_t len)
{
    /* A ModelProto starts with field 1 (ir_version) as a small varint. */
    return len >= 2 && (unsigned char)data[0] == 0x08 &&
           (unsigned char)data[1] >= 1 && (unsigned char)data[1] < 0x40;
}
