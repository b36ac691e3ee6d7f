/* Fuzz target: the .pvnet text parser, pv_net_parse_pvnet (DESIGN §3.1).
 * The input is the whole file. On success the parser has finalized the
 * network (integer form, lifted net), so that code runs too. */
#include "fuzz_common.h"
#include "polyverify/network.h"
#include "../src/net/network_internal.h"   /* finalized */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_net *net = pv_net_new();
    pv_error err;
    if (net == NULL)
        abort();
    fuzz_error_init(&err);
    pv_status st = pv_net_parse_pvnet(net, (const char *)data, size,
                                      "fuzz.pvnet", &err);
    fuzz_check_error(st, &err);
    if (st == PV_OK && !net->finalized)
        abort();   /* loaders promise a finalized network */
    if (st != PV_OK && pv_net_nlayers(net) != 0)
        abort();   /* and leave the caller's net alone on failure */
    pv_net_free(net);
    return 0;
}
