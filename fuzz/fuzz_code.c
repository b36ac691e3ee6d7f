/* Fuzz target: activation-code strings, pv_code_parse ("10|1", '|' and
 * spaces ignored), as given to --code. It is run against a fixed network
 * with two ReLU layers (widths 3 and 2: 5 bits), so wrong lengths are
 * reported per layer, and without a network (any length). A parsed code
 * must print (pv_code_str) and parse back to itself. */
#include "fuzz_common.h"
#include "polyverify/code.h"
#include "polyverify/network.h"

/* Parsed anew for every input: a few microseconds, and no state survives
 * from one input to the next. */
static const char net_text[] =
    "pvnet 1\n"
    "input 2\n"
    "layer relu 3\n"
    "1 0\n"
    "0 1\n"
    "1 -1\n"
    "bias 0 0 1/2\n"
    "layer relu 2\n"
    "1 1 0\n"
    "0 -1 1\n"
    "bias 0 -1\n"
    "layer linear 1\n"
    "1 -1\n"
    "bias 0\n";

/* Parses s (against net, or none); checks the error contract and, on
 * success, the round trip through pv_code_str. */
static void parse_one(const pv_net *net, const char *s)
{
    pv_code c, back;
    pv_error err;
    pv_code_init(&c, 0);
    pv_code_init(&back, 0);
    fuzz_error_init(&err);
    pv_status st = pv_code_parse(&c, net, s, &err);
    fuzz_check_error(st, &err);
    if (st == PV_OK) {
        if (net != NULL && c.n != pv_net_neurons(net))
            abort();
        char *text = pv_code_str(&c, net);
        if (text == NULL)
            abort();
        if (pv_code_parse(&back, net, text, &err) != PV_OK ||
            !pv_code_equal(&c, &back))
            abort();   /* what we print must read back the same */
        free(text);
    }
    pv_code_clear(&back);
    pv_code_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pv_net *net = pv_net_new();
    pv_error err = { PV_ERR_NOMEM, "out of memory" };
    if (net == NULL || pv_net_parse_pvnet(net, net_text, sizeof net_text - 1,
                                          "code.pvnet", &err) != PV_OK) {
        fprintf(stderr, "fuzz_code: the fixed network: %s\n", err.msg);
        abort();
    }
    char *s = fuzz_cstring(data, size);
    parse_one(net, s);
    parse_one(NULL, s);
    free(s);
    pv_net_free(net);
    return 0;
}
