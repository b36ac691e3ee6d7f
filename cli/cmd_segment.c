/* polyverify segment — every cell the segment from X to Y passes through,
 * in order, with the breakpoints between them (segment.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "polyverify/json.h"
#include "polyverify/segment.h"

static void print_text(const pv_segment *s, const pv_net *net)
{
    printf("cells       %d\n", s->npieces);
    for (int i = 0; i < s->npieces; i++) {
        const pv_segment_piece *p = &s->pieces[i];
        char *c = pv_code_str(&p->code, net);
        gmp_printf("piece       t in (%Qd, %Qd)  %s\n", p->t_from, p->t_to, c);
        free(c);
        if (i < s->nbreaks) {
            c = pv_code_str(&s->breaks[i].code, net);
            gmp_printf("breakpoint  t = %Qd  %s\n", s->breaks[i].t, c);
            free(c);
        }
    }
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    if (a->given[OPT_POINT] != 2)
        return cli_usage(cmd, "give two points: --point X --point Y");
    pv_error err = {0};
    int m = pv_net_input_dim(net);
    mpq_t *x = cli_point(a, 0, m, &err), *y = x ? cli_point(a, 1, m, &err) : NULL;
    pv_segment s;
    pv_segment_init(&s);
    int status = !x || !y || pv_segment_compute(&s, net, x, y, &err) != PV_OK;
    if (status) {
        cli_fail(&err);
    } else if (a->given[OPT_JSON]) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_segment(&j, NULL, &s);
        printf("\n");
    } else {
        print_text(&s, net);
    }
    pv_segment_clear(&s);
    cli_free_point(x, m);
    cli_free_point(y, m);
    return status;
}

static const cli_opt opts[] = {
    { OPT_POINT, "--point", "X", 2,
      "an end point, given twice (X, then Y): comma-separated exact\n"
      "coordinates, or FILE.csv:ROW (row ROW, numbered from 0, of a CSV file)" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "with FILE.csv:ROW, column K (from 0) is a label, not a coordinate" },
    { OPT_SCALE, "--scale", "S", 0,
      "multiply both points by the exact number S first (e.g. 1/255)" },
    { OPT_JSON, "--json", NULL, 0,
      "JSON: {\"pieces\": [{\"code\", \"t_from\", \"t_to\"}], \"breakpoints\":\n"
      "[{\"t\", \"code\"}], \"cells\"}, t as exact \"p/q\" strings" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_segment = {
    "segment", "polyverify segment NET --point X --point Y [--label-column K]\n"
    "                              [--scale S] [--json]",
    "Every cell that the segment x(t) = X + t(Y - X), 0 <= t <= 1, passes\n"
    "through, in order, exactly: the pieces (maximal open t-intervals of\n"
    "constant code) and the breakpoints between them with the code at each\n"
    "(a lower-dimensional cell's, or a full-dimensional one's where the\n"
    "segment only reaches a hyperplane). No LP: on a piece every\n"
    "pre-activation is affine in t.",
    opts, run, 0,
};
