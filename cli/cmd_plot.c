/* polyverify plot — the cells of a 2-input network (or of a 2-D slice of
 * any network) as coloured polygons with exact vertices. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/json.h"
#include "polyverify/plot.h"

static void report(const cli_args *a, const pv_plot_options *po,
                   const pv_plot_info *info)
{
    if (a->given[OPT_JSON]) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_string(&j, "output", a->output);
        pv_json_int(&j, "cells", info->cells);
        pv_json_begin_object(&j, "cells_by_dim");
        const char *key[3] = { "0", "1", "2" };
        for (int d = 2; d >= 0; d--)
            if (info->cells_by_dim[d])
                pv_json_int(&j, key[d], info->cells_by_dim[d]);
        pv_json_end_object(&j);
        if (po->graph || po->highlight)
            pv_json_int(&j, "adjacent_pairs", info->edges);
        if (po->highlight)
            pv_json_int(&j, "disagreements", info->disagreements);
        pv_json_end_object(&j);
        return;
    }
    printf("wrote %s: %d cells (dim 2: %d, dim 1: %d, dim 0: %d)",
           a->output, info->cells, info->cells_by_dim[2],
           info->cells_by_dim[1], info->cells_by_dim[0]);
    if (po->graph || po->highlight)
        printf(", %d adjacent pairs", info->edges);
    if (po->highlight)
        printf(", %d disagreements", info->disagreements);
    printf("\n");
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    pv_error err = {0};
    if (!a->output)
        return cli_usage(cmd, "give the output file with -o FILE.svg or FILE.png");
    if (!a->box && !a->slice_points)
        return cli_usage(cmd, "give the drawn region with --box LO,HI");
    pv_net *slice = pv_net_new();
    int sliced = slice ? cli_slice_net(slice, net, a, &err)
                       : (pv_error_set(&err, PV_ERR_NOMEM, "out of memory"), -1);
    const pv_net *drawn = sliced > 0 ? slice : net;
    pv_box box;
    pv_box_init(&box, 2);
    int status = 0;
    if (sliced < 0 || cli_slice_box(&box, a, &err) < 0) {
        status = cli_fail(&err);
    } else {
        pv_plot_options po;
        pv_plot_options_init(&po);
        po.box = &box;
        po.graph = a->given[OPT_GRAPH_SWITCH] > 0;
        po.highlight = a->given[OPT_HIGHLIGHT] > 0;
        po.max_cells = a->max_cells;
        po.width = a->width;
        po.color_class = a->color_class;
        po.height = a->height;
        if (sliced > 0) {
            po.xlabel = "s";
            po.ylabel = "t";
        }
        /* --slice-points: A, B, C sit at (0,0), (1,0), (0,1) of the plane */
        mpq_t marks[6];
        static const char *const abc[3] = { "A", "B", "C" };
        for (int k = 0; k < 6; k++)
            mpq_init(marks[k]);
        mpq_set_ui(marks[2], 1, 1);
        mpq_set_ui(marks[5], 1, 1);
        if (a->slice_points) {
            po.nmarks = 3;
            po.marks = marks;
            po.mark_labels = abc;
        }
        cli_stop_hooks(&po.progress, &po.interrupted);
        pv_plot_info info;
        cli_catch_stop_signals();
        pv_status rc = pv_plot(drawn, a->output, &po, &info, &err);
        cli_release_stop_signals();
        if (po.progress)
            fputs("\r\033[K", stderr);
        if (rc == PV_ERR_INTERRUPTED) {
            /* a partial picture would look complete: nothing is drawn */
            fprintf(stderr, "polyverify: %s: no picture was written\n",
                    cli_stop_signal() == SIGINT ? "interrupted" : "stopped at --timeout");
            status = cli_stop_signal() == SIGINT ? CLI_EXIT_INTERRUPT : CLI_EXIT_TIMEOUT;
        } else if (rc == PV_ERR_LIMIT) {
            fprintf(stderr, "polyverify: %s\n", err.msg);
            status = CLI_EXIT_LIMIT;
        } else if (rc != PV_OK) {
            status = cli_fail(&err);
        } else {
            report(a, &po, &info);
        }
        for (int k = 0; k < 6; k++)
            mpq_clear(marks[k]);
    }
    pv_box_clear(&box);
    pv_net_free(slice);
    return status;
}

static const cli_opt opts[] = {
    { OPT_BOX, "--box", "LO,HI", 0,
      "the drawn region (required; of the slice's (s, t) with --slice)" },
    { OPT_OUTPUT, "-o", "FILE", 0, ".svg or .png output (also --output)" },
    { OPT_GRAPH_SWITCH, "--graph", NULL, 0, "draw the adjacency graph between cell points" },
    { OPT_HIGHLIGHT, "--highlight-disagreements", NULL, 0,
      "mark pairs where adjacency and Hamming distance disagree (implies\n"
      "--graph)" },
    { OPT_SLICE, "--slice", "P,D1,D2", 0,
      "3m comma-separated numbers: the plane x = P + s*D1 + t*D2" },
    { OPT_SLICE_POINTS, "--slice-points", "A,B,C", 0,
      "the plane through three points (P = A, D1 = B - A, D2 = C - A; 3m\n"
      "numbers or FILE.csv:I,J,K); default box [-1/4, 5/4]^2" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "with --slice-points FILE.csv:I,J,K, column K is a label" },
    { OPT_SCALE, "--scale", "S", 0, "with --slice-points, multiply the points by S" },
    { OPT_COLOR, "--color", "cells|class", 0,
      "cells: a colour per cell (default); class: the predicted class (arg\n"
      "max of the final linear layer's outputs, exact on each cell), with\n"
      "the decision boundary drawn and a legend" },
    { OPT_SIZE, "--size", "WxH", 0,
      "the picture's size in pixels (default: 800 on the box's longer side)" },
    { OPT_MAX_CELLS, "--max-cells", "K", 0, "stop after K cells (exit status 3, no picture)" },
    { OPT_JSON, "--json", NULL, 0,
      "JSON summary: output, cells, cells_by_dim (as enumerate's), and the\n"
      "adjacent pairs and disagreements when drawn" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_plot = {
    "plot", "polyverify plot NET --box LO,HI -o FILE.svg|FILE.png [--graph]\n"
    "                       [--highlight-disagreements] [--slice P,D1,D2 | --slice-points A,B,C]\n"
    "                       [--color cells|class] [--size WxH] [--max-cells K]",
    "Draws the cells of a network with 2 inputs (or of the 2-D slice\n"
    "x = P + s*D1 + t*D2, with (s, t) in the box) as polygons with distinct\n"
    "colours, and the hyperplane pieces between them. Vertices are exact and\n"
    "rounded only for drawing; lower-dimensional cells are drawn as thick\n"
    "segments or dots.",
    opts, run, 0,
};
