/* Fuzz target: the .nnet reader, pv_net_parse_nnet (ACAS Xu format, with
 * its normalisation composed exactly into the first and last layers). The
 * input is the whole file. */
#include "fuzz_common.h"
#include "polyverify/formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_net net;
    pv_error err;
    pv_net_init(&net);
    fuzz_error_init(&err);
    /* The sniffer pv_net_load uses on files without an extension. */
    (void)pv_nnet_sniff((const char *)data, size);
    pv_status st = pv_net_parse_nnet(&net, (const char *)data, size,
                                     "fuzz.nnet", &err);
    fuzz_check_error(st, &err);
    /* a .nnet network is finalized, and has its box unless it is in the
     * NeuralVerification.jl dialect (which has no min/max) */
    int nvjl = net.dialect != NULL && !strcmp(net.dialect, "NeuralVerification.jl");
    if (st == PV_OK && (!net.finalized || (!net.has_box && !nvjl)))
        abort();
    if (st != PV_OK && net.nlayers != 0)
        abort();
    pv_net_clear(&net);
    return 0;
}
