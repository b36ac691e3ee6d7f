/* polyverify adjacency-check — are two cells adjacent (from geometry), and
 * does that agree with the Hamming distance of their codes (from bits)?
 * Also the one-bit flips of a code (--flips) and, over every cell,
 * Lemma 1 / Theorem 2 (--enumerate, cmd_lemma1.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/code.h"
#include "polyverify/flips.h"
#include "polyverify/json.h"

static void adjacency_json(FILE *f, const void *answer)
{
    const pv_adjacency *A = answer;
    pv_json j;
    pv_json_init(&j, f);
    pv_json_begin_object(&j, NULL);
    pv_json_code(&j, "a", A->code_a);
    pv_json_code(&j, "b", A->code_b);
    pv_json_bool(&j, "realized_a", A->dim_a >= 0);
    pv_json_bool(&j, "realized_b", A->dim_b >= 0);
    pv_json_int(&j, "dim_a", A->dim_a);
    pv_json_int(&j, "dim_b", A->dim_b);
    pv_json_int(&j, "hamming", A->hamming);
    pv_json_int(&j, "common_dim", A->common_dim);
    if (A->common_point)
        pv_json_rationals(&j, "common_point", A->common_point, A->m);
    if (A->d_A < 0) {
        pv_json_null(&j, "adjacent");
        pv_json_null(&j, "d_A");
    } else {
        pv_json_bool(&j, "adjacent", A->adjacent);
        pv_json_int(&j, "d_A", A->d_A);
    }
    pv_json_int(&j, "d_H2", A->d_H2);
    if (A->agrees < 0)
        pv_json_null(&j, "agrees");
    else
        pv_json_bool(&j, "agrees", A->agrees);
    pv_json_end_object(&j);
}

static void adjacency_text(const pv_adjacency *A, const pv_net *net)
{
    const pv_code *c[2] = { A->code_a, A->code_b };
    for (int i = 0; i < 2; i++) {
        char *s = pv_code_str(c[i], net);
        int d = i ? A->dim_b : A->dim_a;
        if (d >= 0)
            printf("code %c      %s  (realised, dim %d)\n", 'A' + i, s, d);
        else
            printf("code %c      %s  (NOT realised: no cell)\n", 'A' + i, s);
        free(s);
    }
    printf("hamming     %d\n", A->hamming);
    /* P(b) is defined by the rows of b even when C(b) is empty (DESIGN §1),
     * so the intersection of the closures has a dimension in every case */
    printf("common dim  %d  (dim of P(A) ∩ P(B)%s)\n", A->common_dim,
           A->common_dim < 0 ? ": empty" : "");
    if (A->d_A < 0) {
        printf("adjacency   undefined: a code is not realised\n");
        return;
    }
    printf("adjacent    %s\nd_A         %d\nmin(d_H,2)  %d\nagrees      %s\n",
           A->adjacent ? "yes" : "no", A->d_A, A->d_H2,
           A->agrees ? "yes" : "NO (the paper's claim fails for this pair)");
}

/* Codes from --code A --code B, or from the points of --point X --point Y. */
static int two_codes(const pv_net *net, const cli_args *a, pv_code c[2],
                     pv_error *err)
{
    if (a->given[OPT_CODE] == 2) {
        for (int i = 0; i < 2; i++)
            if (pv_code_parse(&c[i], net, a->codes[i], err) != PV_OK)
                return 1;
        return 0;
    }
    int m = pv_net_input_dim(net);
    for (int i = 0; i < 2; i++) {
        mpq_t *x = cli_point(a, i, m, err);
        if (x == NULL)
            return 1;
        int rc = pv_code_at(net, x, &c[i], NULL, err) != PV_OK;
        cli_free_point(x, m);
        if (rc)
            return 1;
    }
    return 0;
}

static int pair(const pv_net *net, const cli_args *a)
{
    pv_error err = {0};
    pv_code c[2];
    pv_code_init(&c[0], 0);
    pv_code_init(&c[1], 0);
    pv_box box;
    int hasbox = cli_load_box(&box, net, a, &err);
    const pv_box *bp = hasbox > 0 ? &box : NULL;
    pv_adjacency A;
    pv_adjacency_init(&A);
    int status = 0;
    if (hasbox < 0 || two_codes(net, a, c, &err) ||
        pv_adjacency_check(&A, net, &c[0], &c[1], bp, &err) != PV_OK ||
        ((a->certificate || a->verify) &&
         cli_certify(a, net, bp, NULL, &A, NULL, adjacency_json, &A, &err)))
        status = cli_fail(&err);
    else if (a->given[OPT_JSON])
        adjacency_json(stdout, &A);
    else
        adjacency_text(&A, net);
    pv_adjacency_clear(&A);
    pv_box_clear(&box);
    pv_code_clear(&c[0]);
    pv_code_clear(&c[1]);
    return status;
}

static void print_flip_json(pv_json *j, const pv_flip *f)
{
    pv_json_begin_object(j, NULL);
    if (f->neuron >= 0)
        pv_json_int(j, "neuron", f->neuron);
    else
        pv_json_ints(j, "neurons", f->neurons, f->nneurons);
    pv_json_code(j, "code", &f->code);
    pv_json_int(j, "hamming", f->hamming);
    pv_json_bool(j, "realized", f->realized);
    pv_json_int(j, "dim", f->dim);
    if (f->realized) {
        pv_json_int(j, "common_dim", f->common_dim);
        pv_json_bool(j, "adjacent", f->adjacent);
    } else {
        pv_json_null(j, "common_dim");
        pv_json_null(j, "adjacent");
    }
    pv_json_end_object(j);
}

static void print_flips(const pv_flips *F, const pv_code *code,
                        const pv_net *net, int json)
{
    int n = pv_net_neurons(net);
    if (json) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        pv_json_code(&j, "code", code);
        pv_json_bool(&j, "realized", F->realized);
        pv_json_int(&j, "dim", F->dim);
        if (F->realized) {
            pv_json_begin_array(&j, "flips");
            for (int i = 0; i < F->nflips && i < n; i++)
                print_flip_json(&j, &F->flips[i]);
            pv_json_end_array(&j);
            pv_json_begin_array(&j, "other_neighbors");
            for (int i = n; i < F->nflips; i++)
                print_flip_json(&j, &F->flips[i]);
            pv_json_end_array(&j);
        }
        pv_json_end_object(&j);
        return;
    }
    char *s = pv_code_str(code, net);
    if (!F->realized) {
        printf("code %s is NOT realised: no cell, no flips to compare\n", s);
        free(s);
        return;
    }
    printf("code %s  (realised, dim %d)\n\nflip  code  realised  dim  common_dim  adjacent\n",
           s, F->dim);
    free(s);
    for (int i = 0; i < F->nflips; i++) {
        const pv_flip *f = &F->flips[i];
        if (i == n)
            printf("\nfacet neighbours that are not one-bit flips:\n"
                   "neurons  code  hamming  dim  common_dim  adjacent\n");
        char *c = pv_code_str(&f->code, net);
        if (f->neuron >= 0) {
            printf("%4d  %s  %s", f->neuron, c, f->realized ? "yes" : "no ");
        } else {
            printf("[");
            for (int k = 0; k < f->nneurons; k++)
                printf("%s%d", k ? "," : "", f->neurons[k]);
            printf("]  %s  %d", c, f->hamming);
        }
        if (f->realized)
            printf("  %d  %d  %s\n", f->dim, f->common_dim, f->adjacent ? "yes" : "no");
        else
            printf("  -  -  -\n");
        free(c);
    }
    if (F->nflips == n)
        printf("\nevery facet neighbour is a one-bit flip\n");
}

static int flips(const pv_net *net, const cli_args *a)
{
    pv_error err = {0};
    pv_code code;
    pv_code_init(&code, 0);
    pv_box box;
    int hasbox = cli_load_box(&box, net, a, &err), status = 0;
    pv_flips F;
    pv_flips_init(&F);
    if (hasbox < 0 || pv_code_parse(&code, net, a->codes[0], &err) != PV_OK ||
        pv_flips_check_threads(&F, net, &code, hasbox ? &box : NULL, a->threads,
                               &err) != PV_OK)
        status = cli_fail(&err);
    else
        print_flips(&F, &code, net, a->given[OPT_JSON] > 0);
    pv_flips_clear(&F);
    pv_box_clear(&box);
    pv_code_clear(&code);
    return status;
}

/* The options that only one mode takes: a usage error in the others. */
static int check_mode(const cli_args *a, const cli_command *cmd)
{
    int fl = a->given[OPT_FLIPS] > 0, en = a->given[OPT_ENUMERATE] > 0;
    int nc = a->given[OPT_CODE], np = a->given[OPT_POINT];
    if (fl && en)
        return cli_usage(cmd, "give --flips or --enumerate, not both");
    if (fl && (nc != 1 || np))
        return cli_usage(cmd, "--flips takes exactly one --code");
    if (en && (nc || np))
        return cli_usage(cmd, "--enumerate takes no --code or --point");
    if (!fl && !en && !((nc == 2 && !np) || (np == 2 && !nc)))
        return cli_usage(cmd, "give two --code or two --point options "
                         "(or --flips, or --enumerate)");
    if (!en && (a->max_cells || a->given[OPT_LP_ONLY]))
        return cli_usage(cmd, "%s goes with --enumerate",
                         a->max_cells ? "--max-cells" : "--lp-only");
    if (!fl && !en && a->given[OPT_THREADS])
        return cli_usage(cmd, "--threads goes with --flips or --enumerate");
    if ((fl || en) && (a->certificate || a->verify == 1))
        return cli_usage(cmd, "%s goes with two codes (not with %s)",
                         a->certificate ? "--certificate" : "--verify",
                         fl ? "--flips" : "--enumerate");
    return 0;
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    int rc = check_mode(a, cmd);
    if (rc)
        return rc;
    if (a->given[OPT_FLIPS])
        return flips(net, a);
    if (a->given[OPT_ENUMERATE])
        return cli_lemma1(net, a);
    return pair(net, a);
}

static const cli_opt opts[] = {
    { OPT_CODE, "--code", "C", 2, "a code (twice: the pair A, B; once with --flips)" },
    { OPT_POINT, "--point", "X", 2, "take the codes of two points instead (exact\n"
      "coordinates, or FILE.csv:ROW)" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "with FILE.csv:ROW, column K (from 0) is a label, not a coordinate" },
    { OPT_SCALE, "--scale", "S", 0,
      "multiply the points by the exact number S first (e.g. 1/255)" },
    { OPT_DOMAIN, "--domain", "FILE", 0,
      CLI_DOMAIN_HELP },
    { OPT_BOX, "--box", "LO,HI", 0,
      "cells intersected with the box LO <= x_i <= HI (or LO1,HI1,...,\n"
      "LOm,HIm; `input`: the network's own input box)" },
    { OPT_FLIPS, "--flips", NULL, 0,
      "every one-bit flip of A: realised? adjacent to A? and every facet\n"
      "neighbour of A that is not a one-bit flip" },
    { OPT_ENUMERATE, "--enumerate", NULL, 0,
      "over ALL cells: pairs at Hamming distance 1 (from the bits) decided\n"
      "adjacent or not (from geometry), adjacent pairs (from geometry) by\n"
      "Hamming distance, every disagreement, and which general-position\n"
      "conditions hold. Exit status 0 whatever it finds" },
    { OPT_MAX_CELLS, "--max-cells", "K", 0,
      "with --enumerate: stop after K cells (exit status 3, INCOMPLETE)" },
    { OPT_LP_ONLY, "--lp-only", NULL, 0,
      "with --enumerate: decide every cell with the LP engine (see\n"
      "polyverify enumerate --help)" },
    { OPT_JSON, "--json", NULL, 0, "JSON output" },
    { OPT_CERTIFICATE, "--certificate", "FILE", 0,
      "(two codes) write a certificate of dim C(A), dim C(B) and\n"
      "dim P(A)∩P(B); check it with: pvcheck NET FILE" },
    { OPT_VERIFY, "--verify", NULL, 0, "(two codes) run pvcheck on it before printing" },
    CLI_THREADS_OPT,
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_adjacency = {
    "adjacency-check",
    "polyverify adjacency-check NET (--code A --code B | --point X --point Y)\n"
    "                                  [--box LO,HI] [--json] [--certificate FILE] [--verify]\n"
    "       polyverify adjacency-check NET --code A --flips [--box LO,HI] [--json]\n"
    "       polyverify adjacency-check NET --enumerate [--box LO,HI] [--max-cells K] [--json]",
    "Decides from geometry alone whether the cells of two codes are adjacent:\n"
    "dim(P(A) ∩ P(B)) = dim C(A) - 1 = dim C(B) - 1. Prints the Hamming\n"
    "distance d_H, dim P(A) ∩ P(B) (also when a code is not realised: P(b)\n"
    "is given by b's rows even when C(b) is empty), the adjacency distance\n"
    "d_A (0 same, 1 adjacent, 2 not) and whether d_A = min(d_H, 2), as the\n"
    "paper's Lemma 1 / Theorem 2 claim.",
    opts, run, 1,
};
