/* Fuzz target: the .nnet reader, pv_net_parse_nnet (ACAS Xu format, with
 * its normalisation composed exactly into the first and last layers). The
 * input is the whole file. */
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
    /* The sniffer pv_net_load uses on files without an extension. */
    (void)pv_net_is_nnet((const char *)data, size);
    pv_status st = pv_net_parse_nnet(net, (const char *)data, size,
                                     "fuzz.nnet", &err);
    fuzz_check_error(st, &err);
    /* a .nnet network is finalized, and has its box unless it is in the
     * NeuralVerification.jl dialect (which has no min/max) */
    const char *dialect = pv_net_dialect(net);
    int nvjl = dialect != NULL && !strcmp(dialect, "NeuralVerification.jl");
    if (st == PV_OK && (!net->finalized || (!pv_net_has_box(net) && !nvjl)))
        abort();
    if (st != PV_OK && pv_net_nlayers(net) != 0)
        abort();
    pv_net_free(net);
    return 0;
}
