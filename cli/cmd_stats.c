/* polyverify stats — the paper's code-space experiment on a data set. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "polyverify/json.h"
#include "polyverify/code_stats.h"

static void print_stats(const pv_code_stats *S, int json)
{
    if (json) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_int(&j, "points", S->points);
        pv_json_int(&j, "distinct_codes", S->distinct_codes);
        pv_json_ints(&j, "distinct_by_layer", S->distinct_by_layer, S->nlayers);
        pv_json_int(&j, "max_points_per_code", S->max_points_per_code);
        pv_json_int(&j, "singleton_codes", S->singleton_codes);
        if (S->classes) {
            pv_json_begin_array(&j, "classes");
            for (int c = 0; c < S->nclasses; c++) {
                pv_json_begin_object(&j, NULL);
                pv_json_string(&j, "label", S->classes[c].label);
                pv_json_int(&j, "points", S->classes[c].points);
                pv_json_int(&j, "distinct_codes", S->classes[c].distinct_codes);
                pv_json_end_object(&j);
            }
            pv_json_end_array(&j);
            pv_json_int(&j, "codes_shared_by_classes", S->shared_codes);
        }
        pv_json_begin_object(&j, "hamming_histogram");
        for (int d = 0; d <= S->nbits; d++)
            if (S->hamming[d]) {
                char key[16];
                snprintf(key, sizeof key, "%d", d);
                pv_json_int(&j, key, S->hamming[d]);
            }
        pv_json_end_object(&j);
        pv_json_int(&j, "hamming_pairs", S->pairs);
        pv_json_bool(&j, "hamming_sampled", S->sampled);
        pv_json_begin_object(&j, "hamming1_components");
        pv_json_int(&j, "count", S->components);
        pv_json_int(&j, "largest", S->largest_component);
        pv_json_int(&j, "isolated", S->isolated_codes);
        pv_json_end_object(&j);
        pv_json_begin_object(&j, "forward_pass");
        pv_json_int(&j, "float_filter", S->forward.filtered);
        pv_json_int(&j, "exact", S->forward.exact);
        pv_json_end_object(&j);
        pv_json_end_object(&j);
        return;
    }
    printf("points          %d\ndistinct codes  %d\nby layer       ", S->points, S->distinct_codes);
    for (int l = 0; l < S->nlayers; l++)
        printf(" %d", S->distinct_by_layer[l]);
    printf("\npoints/code     max %d, codes of one point %d\n", S->max_points_per_code,
           S->singleton_codes);
    for (int c = 0; S->classes && c < S->nclasses; c++)
        printf("class %-8s  %d points, %d distinct codes\n", S->classes[c].label,
               S->classes[c].points, S->classes[c].distinct_codes);
    if (S->classes)
        printf("codes shared by classes  %d\n", S->shared_codes);
    printf("hamming (%s%ld pairs):", S->sampled ? "sampled, " : "", S->pairs);
    for (int d = 0; d <= S->nbits; d++)
        if (S->hamming[d])
            printf(" %d:%ld", d, S->hamming[d]);
    printf("\nd_H = 1 graph   %d components, largest %d, isolated codes %d\n",
           S->components, S->largest_component, S->isolated_codes);
    printf("forward pass    %ld points proved by the float filter, %ld exactly\n",
           S->forward.filtered, S->forward.exact);
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    pv_error err = {0};
    if (!a->data)
        return cli_usage(cmd, "give the data set with --data FILE.csv");
    mpq_t scale;
    mpq_init(scale);
    if (a->scale && cli_parse_rational(scale, "--scale", a->scale)) {
        mpq_clear(scale);
        return 1;
    }
    pv_pointset ps;
    pv_pointset_init(&ps);
    pv_code_stats S;
    pv_code_stats_init(&S);
    int status = 0;
    if (pv_pointset_read_csv(&ps, a->data, pv_net_input_dim(net), a->label_column, &err) != PV_OK ||
        pv_code_stats_compute_threads(&S, net, &ps, a->scale ? (const mpq_t *)&scale : NULL,
                                      200000, !a->given[OPT_NO_FILTER], a->threads,
                                      &err) != PV_OK)
        status = cli_fail(&err);
    else
        print_stats(&S, a->given[OPT_JSON] > 0);
    pv_code_stats_clear(&S);
    pv_pointset_clear(&ps);
    mpq_clear(scale);
    return status;
}

static const cli_opt opts[] = {
    { OPT_DATA, "--data", "FILE.csv", 0, "CSV, one point per line (exact numbers)" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0, "0-based column holding a class label" },
    { OPT_SCALE, "--scale", "S", 0,
      "multiply every coordinate by S exactly (1/255 for pixels 0..255 of\n"
      "networks that take pixel/255)" },
    { OPT_NO_FILTER, "--no-filter", NULL, 0,
      "exact integer forward passes only (see polyverify code --help)" },
    { OPT_JSON, "--json", NULL, 0, "JSON output" },
    CLI_THREADS_OPT,
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_stats = {
    "stats", "polyverify stats NET --data FILE.csv [--label-column K] [--scale S]\n"
    "                            [--no-filter] [--json]",
    "The paper's code-space experiment on a data set: the codes of the points\n"
    "(exact forward passes), the number of distinct codes of the network and\n"
    "of each ReLU layer, points per code, per class when labels are given, the\n"
    "histogram of Hamming distances between the distinct codes (all pairs, or\n"
    "200000 pairs sampled with a fixed seed), and the connected components of\n"
    "the graph d_H = 1 among them.",
    opts, run, 0,
};
