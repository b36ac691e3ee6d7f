/* polyverify convert — any network as exact .pvnet text. */
#include <stdio.h>

#include "cli.h"
#include "polyverify/json.h"

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    if (!a->output)
        return cli_usage(cmd, "give the output file with -o FILE.pvnet");
    pv_error err = {0};
    if (pv_net_write_pvnet(net, a->output, &err) != PV_OK)
        return cli_fail(&err);
    if (a->given[OPT_JSON]) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_string(&j, "output", a->output);
        pv_json_string(&j, "format", "pvnet");
        pv_json_int(&j, "input_dim", pv_net_input_dim(net));
        pv_json_int(&j, "neurons", pv_net_neurons(net));
        pv_json_end_object(&j);
    }
    return 0;
}

static const cli_opt opts[] = {
    { OPT_OUTPUT, "-o", "FILE.pvnet", 0, "the output file (also --output)" },
    { OPT_JSON, "--json", NULL, 0,
      "print what was written: output, format, input_dim, neurons" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_convert = {
    "convert", "polyverify convert NET -o FILE.pvnet [--json]",
    "Writes any network polyverify reads (.pvnet, .nnet, ONNX) as exact\n"
    "native text: every weight the rational it is (an ONNX float as its\n"
    "dyadic value, .nnet normalisation composed into the first and last\n"
    "layers), so that it can be inspected and edited. A .nnet default box\n"
    "(min/max) is kept as a comment. A network with mixed (ReLU and linear\n"
    "rows) or sparse layers or a code layout, as ONNX graphs are lowered to,\n"
    "is written as pvnet 2, any other as pvnet 1.",
    opts, run, 0,
};
