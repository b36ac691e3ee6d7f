/* polyverify radius — the exact distance from a point to the boundary of
 * its cell, in the Euclidean and the max norm (radius.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "polyverify/json.h"
#include "polyverify/radius.h"

/* The rows of a nearest part, at most SHOWN of them (a point of an image
 * in [0,1]^784 can lie on hundreds of box sides; --json lists all). */
#define SHOWN 12

static void print_nearest(const char *name, const pv_radius_nearest *n,
                          const pv_net *net)
{
    printf("%-13s", name);
    int shown = 0, total = n->nneurons + n->nbox + n->ndomain;
    for (int i = 0; i < n->nneurons && shown < SHOWN; i++, shown++)
        printf("%s%d", i ? "," : "neurons ", n->neurons[i]);
    for (int i = 0; i < n->nbox && shown < SHOWN; i++, shown++)
        printf("%sbox x%d %s", shown ? " + " : "", n->box[i] / 2,
               n->box[i] % 2 ? "hi" : "lo");
    for (int i = 0; i < n->ndomain && shown < SHOWN; i++, shown++)
        printf("%sdomain row %d", shown ? " + " : "", n->domain[i]);
    if (shown < total)
        printf(" ... (%d rows in all)", total);
    if (n->has_neighbor) {
        char *c = pv_code_str(&n->neighbor, net);
        printf("  -> %s", c);
        free(c);
    }
    printf("\n");
}

static void print_text(const pv_radius *R, const pv_net *net)
{
    char *c = pv_code_str(&R->code, net);
    printf("code         %s\n", c);
    free(c);
    if (!R->finite) {
        printf("radius       infinite (the cell has no boundary)\n");
        return;
    }
    gmp_printf("l2_squared   %Qd\nlinf         %Qd\n", R->l2_squared, R->linf);
    print_nearest("nearest_l2", &R->nearest_l2, net);
    print_nearest("nearest_linf", &R->nearest_linf, net);
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    if (a->given[OPT_POINT] != 1)
        return cli_usage(cmd, "give the point: --point X");
    pv_error err = {0};
    int m = pv_net_input_dim(net);
    pv_box box;
    int hasbox = cli_load_box(&box, net, a, &err);
    mpq_t *x = hasbox >= 0 ? cli_point(a, 0, m, &err) : NULL;
    pv_radius R;
    pv_radius_init(&R);
    int status = !x || pv_radius_compute(&R, net, x, hasbox > 0 ? &box : NULL,
                                         &err) != PV_OK;
    if (status) {
        cli_fail(&err);
    } else if (a->given[OPT_JSON]) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_radius(&j, NULL, &R);
        printf("\n");
    } else {
        print_text(&R, net);
    }
    pv_radius_clear(&R);
    cli_free_point(x, m);
    pv_box_clear(&box);
    return status;
}

static const cli_opt opts[] = {
    { OPT_POINT, "--point", "X", 0,
      "the point: comma-separated exact coordinates, or FILE.csv:ROW (row\n"
      "ROW, numbered from 0, of a CSV file)" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "with FILE.csv:ROW, column K (from 0) is a label, not a coordinate" },
    { OPT_SCALE, "--scale", "S", 0,
      "multiply the point by the exact number S first (e.g. 1/255)" },
    { OPT_DOMAIN, "--domain", "FILE", 0,
      CLI_DOMAIN_HELP },
    { OPT_BOX, "--box", "LO,HI", 0,
      "the distance to the boundary of cell ∩ box (or LO1,HI1,...,LOm,HIm;\n"
      "`input`: the network's own input box); the point must be in the box" },
    { OPT_JSON, "--json", NULL, 0,
      "JSON: {\"code\", \"l2_squared\", \"linf\", \"nearest_l2\": {\"neurons\",\n"
      "\"point\", \"neighbor\"}, \"nearest_linf\": {...}}" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_radius = {
    "radius", "polyverify radius NET --point X [--box LO,HI] [--label-column K]\n"
    "                             [--scale S] [--json]",
    "The exact distance from X to the boundary of its cell (of cell ∩ box\n"
    "with --box): the squared Euclidean distance and the max-norm distance,\n"
    "both rational, with the nearest facet's neurons and the code beyond\n"
    "it. A point on a hyperplane has radius 0 and lists its zero neurons.",
    opts, run, 0,
};
