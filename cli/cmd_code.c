/* polyverify code — the activation codes of points, by an exact forward
 * pass (float filter first, code.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/code.h"
#include "polyverify/json.h"

/* The points of --point X or --points FILE, scaled by --scale: 0 or 1. */
static int read_points(pv_pointset *ps, const pv_net *net, const cli_args *a,
                       pv_error *err)
{
    int m = pv_net_input_dim(net);
    if (a->given[OPT_POINT]) {
        mpq_t *x = cli_parse_point(a->points_arg[0], m, err);
        if (x == NULL)
            return 1;
        ps->dim = m;
        ps->count = 1;
        ps->x = x;
    } else if (pv_pointset_read_csv(ps, a->points, m, a->label_column, err) != PV_OK) {
        return 1;
    }
    return 0;
}

static void scale_points(pv_pointset *ps, const mpq_t s)
{
    for (size_t i = 0; i < (size_t)ps->count * (size_t)ps->dim; i++)
        mpq_mul(ps->x[i], ps->x[i], s);
}

static void print_one(pv_json *j, int json, const pv_net *net, const pv_pointset *ps,
                      int p, const pv_code *c, const int *zl, int nz)
{
    mpq_t *x = &ps->x[(size_t)p * ps->dim];
    if (json) {
        pv_json_begin_object(j, NULL);
        pv_json_rationals(j, "point", x, ps->dim);
        if (ps->labels)
            pv_json_string(j, "label", ps->labels[p]);
        pv_json_code(j, "code", c);
        pv_json_ints(j, "zero_neurons", zl, nz);
        pv_json_end_object(j);
        return;
    }
    char *s = pv_code_str(c, net);
    cli_print_point(stdout, x, ps->dim);
    printf("  %s", s);
    if (nz) {
        printf("  zero:");
        for (int i = 0; i < nz; i++)
            printf(" %d", zl[i]);
    }
    printf("\n");
    free(s);
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    pv_error err = {0};
    if (!!a->given[OPT_POINT] == !!a->points)
        return cli_usage(cmd, "give exactly one of --point or --points");
    if (a->given[OPT_LABEL_COLUMN] && !a->points)
        return cli_usage(cmd, "--label-column goes with --points FILE.csv");
    if (a->given[OPT_THREADS] && !a->points)
        return cli_usage(cmd, "--threads goes with --points FILE.csv");
    mpq_t scale;
    mpq_init(scale);
    if (a->scale && cli_parse_rational(scale, "--scale", a->scale)) {
        mpq_clear(scale);
        return 1;
    }
    pv_pointset ps;
    pv_pointset_init(&ps);
    if (read_points(&ps, net, a, &err)) {
        pv_pointset_clear(&ps);
        mpq_clear(scale);
        return cli_fail(&err);
    }
    if (a->scale)
        scale_points(&ps, scale);
    mpq_clear(scale);
    /* the points in blocks: each block's codes on the threads, then
     * printed in point order */
    enum { BLOCK = 1 << 14 };
    int n = pv_net_neurons(net), nb = ps.count < BLOCK ? ps.count : BLOCK;
    pv_code *c = calloc((size_t)nb + 1, sizeof *c);
    unsigned char *zero = calloc((size_t)nb * (size_t)n + 1, 1);
    int *zl = malloc((size_t)(n + 1) * sizeof(int));
    int json = a->given[OPT_JSON] > 0;
    pv_json j;
    pv_json_init(&j, stdout);
    if (json)
        pv_json_begin_array(&j, NULL);
    pv_status rc = c && zero && zl ? PV_OK
                 : pv_error_set(&err, PV_ERR_NOMEM, "out of memory");
    for (int first = 0; first < ps.count && rc == PV_OK; first += nb) {
        int k = ps.count - first < nb ? ps.count - first : nb;
        mpq_t *x = &ps.x[(size_t)first * ps.dim];
        rc = pv_code_at_points_threads(net, k, x, c, zero, !a->given[OPT_NO_FILTER],
                                       a->threads, NULL, &err);
        for (int p = 0; p < k && rc == PV_OK; p++) {
            const unsigned char *zp = zero + (size_t)p * (size_t)n;
            int nz = 0;
            for (int i = 0; i < n; i++)
                if (zp[i])
                    zl[nz++] = i;
            print_one(&j, json, net, &ps, first + p, &c[p], zl, nz);
        }
    }
    if (json && rc == PV_OK)
        pv_json_end_array(&j);
    free(zero);
    free(zl);
    for (int p = 0; c && p < nb; p++)
        pv_code_clear(&c[p]);
    free(c);
    pv_pointset_clear(&ps);
    return rc == PV_OK ? 0 : cli_fail(&err);
}

static const cli_opt opts[] = {
    { OPT_POINT, "--point", "X", 0, "one point, comma-separated coordinates" },
    { OPT_POINTS, "--points", "FILE.csv", 0, "a CSV file, one point per line" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "0-based column of FILE that is not a coordinate (a label)" },
    { OPT_SCALE, "--scale", "S", 0,
      "multiply every coordinate by S exactly before the forward pass (1/255\n"
      "for pixels 0..255 of networks that take pixel/255); the printed point\n"
      "is the scaled one, the network's input" },
    { OPT_NO_FILTER, "--no-filter", NULL, 0,
      "skip the float filter (a double forward pass with a proved error\n"
      "bound that settles most points) and compute every point in exact\n"
      "integers: same codes, slower; for checking" },
    { OPT_JSON, "--json", NULL, 0, "JSON: an array of {point, [label,] code, zero_neurons}" },
    CLI_THREADS_OPT,
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_code = {
    "code", "polyverify code NET (--point X | --points FILE.csv [--label-column K])\n"
    "                           [--scale S] [--no-filter] [--json]",
    "Codes of points by an exact forward pass: bit j is 1 iff neuron j's\n"
    "pre-activation is > 0. Also lists the neurons whose pre-activation is\n"
    "exactly 0. Coordinates are exact: 1/2, -3, 0.25, 1e-3.",
    opts, run, 0,
};
