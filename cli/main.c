/* polyverify — command-line interface: the dispatch.
 *
 * A thin layer over the library in include/polyverify/: each command
 * (cli/cmd_*.c) parses its own options, calls the API and prints. The CLI
 * holds no geometry of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mpi.h"
#include "supervise.h"


static const char *usage_main =
    "usage: polyverify COMMAND NET [options]\n"
    "\n"
    "Exact facts about the activation regions (cells) of a ReLU network.\n"
    "\n"
    "commands:\n"
    "  info NET                      network summary\n"
    "  code NET --point P | --points FILE.csv\n"
    "                                activation codes of points (exact)\n"
    "  cell NET --code C | --point X [--box B]\n"
    "                                the cell of a code: realised, dimension,\n"
    "                                relative-interior point, facets, neighbours\n"
    "  stats NET --data FILE.csv     distinct codes of a data set, Hamming\n"
    "                                distances, components of d_H = 1\n"
    "  adjacency-check NET --code A --code B [--box B]\n"
    "                                are two cells adjacent? d_A against d_H\n"
    "  adjacency-check NET --code A --flips | --enumerate [--box B]\n"
    "                                one-bit flips of a code; Lemma 1 over all cells\n"
    "  enumerate NET [--box B] [--graph dot|json]\n"
    "                                every cell and the adjacency graph\n"
    "  explore NET --point X [--max-depth K] [--max-cells N]\n"
    "                                the cells around a cell, breadth first\n"
    "  segment NET --point X --point Y\n"
    "                                every cell the segment from X to Y crosses\n"
    "  radius NET --point X [--box B]\n"
    "                                exact distance from X to its cell's boundary\n"
    "  plot NET --box B -o FILE.svg  picture of a 2-D network (or a 2-D slice)\n"
    "  convert NET -o FILE.pvnet     write the network in the exact .pvnet form\n"
    "\n"
    "Run 'polyverify COMMAND --help' for a command's options; each command\n"
    "takes only its own (an option it does not use is a usage error).\n"
    "\n"
    "exit status: 0 answered; 1 error (bad input, ...); 2 usage; 3 stopped at a\n"
    "limit (--max-cells, memory); 4 --timeout; 5 out of memory; 130 Ctrl-C.\n"
    "POLYVERIFY_SELF_CHECK=1 in the environment makes cell, adjacency-check and\n"
    "enumerate behave as with --verify (the test suite runs that way).\n";

static int run_command(const cli_command *cmd, int argc, char **argv)
{
    cli_args a;
    int rc = cli_parse(argc, argv, cmd, &a);
    if (rc)
        return rc;
    if (a.given[OPT_HELP]) {
        cli_help(cmd, stdout);
        return 0;
    }
    if (cli_mpi_dist() &&
        !(cmd == &cli_enumerate || cmd == &cli_explore ||
          (cmd == &cli_adjacency && a.given[OPT_ENUMERATE])))
        return cli_usage(cmd, "under mpirun only enumerate, explore and "
                         "adjacency-check --enumerate run on several processes; "
                         "run %s alone",
                         cmd->name);
    if (cli_mpi_dist() && a.timeout > 0)
        return cli_usage(cmd, "--timeout does not run under mpirun (bound the run "
                         "with --max-cells)");
    if (a.max_memory)
        pv_limit_memory((size_t)a.max_memory << 20);
    if (a.timeout > 0) {
        const char *outputs[2] = { a.output, a.certificate };
        pv_supervise(a.timeout, outputs, 2);   /* returns in the child */
    }
    const char *self = getenv("POLYVERIFY_SELF_CHECK");
    if (self && *self && strcmp(self, "0") && cmd->certifies)
        a.verify = a.verify ? 1 : 2;   /* 2: silent unless it fails */
    pv_error err = {0};
    pv_net *net = pv_net_new();
    if (net == NULL) {
        pv_error_set(&err, PV_ERR_NOMEM, "out of memory");
        return cli_fail(&err);
    }
    if (pv_net_load(net, a.net_path, &err) != PV_OK) {
        pv_net_free(net);
        return cli_fail(&err);
    }
    rc = cmd->run(net, &a, cmd);
    pv_net_free(net);
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    for (size_t c = 0; cli_commands[c]; c++)
        if (!strcmp(argv[1], cli_commands[c]->name))
            return run_command(cli_commands[c], argc, argv);
    fprintf(stderr, "polyverify: unknown command '%s'\n%s", argv[1], usage_main);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    pv_handle_out_of_memory();
    if (cli_mpi_start(&argc, &argv) < 0)
        return 1;
    int rc = dispatch(argc, argv);
    cli_mpi_finish();
    return rc;
}
