/* polyverify adjacency-check --enumerate — Lemma 1 and Theorem 2 of the
 * paper over every cell of a network: both directions decided
 * independently, every disagreement listed, general position reported. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/code.h"
#include "polyverify/json.h"
#include "polyverify/lemma1.h"

static void json_condition(pv_json *j, const char *key, int holds,
                           const char *what, long count)
{
    pv_json_begin_object(j, key);
    pv_json_bool(j, "checked", 1);
    pv_json_bool(j, "holds", holds);
    pv_json_int(j, what, count);
    pv_json_end_object(j);
}

static void print_lemma1(const pv_lemma1 *L, const pv_enum *E,
                         const pv_net *net, int json, int status)
{
    const pv_enum_genpos *gp = &E->gp;
    /* The vertex census can stop (m > 6, huge cells: gp.vertices_checked
     * = 0): a violation it found is real (a lower bound), but with none
     * found the condition is unknown, never "holds". */
    int vfail = gp->bad_vertices > 0, vknown = gp->vertices_checked || vfail;
    int gp_fail = gp->zero_rows > 0 || gp->shared_facets > 0 || vfail;
    int gp_known = gp_fail || vknown;    /* yes / NO / unknown */
    if (json) {
        pv_json j;
        pv_json_init(&j, stdout);
        pv_json_begin_object(&j, NULL);
        cli_json_enum_head(&j, E, status);
        pv_json_int(&j, "pairs_hamming1", L->pairs_hamming1);
        pv_json_int(&j, "adjacent_pairs", L->adjacent_pairs);
        pv_json_int(&j, "hamming1_not_adjacent", L->hamming1_not_adjacent);
        pv_json_int(&j, "adjacent_not_hamming1", L->adjacent_not_hamming1);
        pv_json_bool(&j, "agrees", L->ndisagree == 0);
        if (gp_known)
            pv_json_bool(&j, "general_position", !gp_fail);
        else
            pv_json_null(&j, "general_position");
        pv_json_begin_object(&j, "general_position_checks");
        json_condition(&j, "no_zero_preactivation", gp->zero_rows == 0,
                       "violations", gp->zero_rows);
        json_condition(&j, "no_shared_facets", gp->shared_facets == 0,
                       "violations", gp->shared_facets);
        pv_json_begin_object(&j, "vertices_on_m_hyperplanes");
        pv_json_bool(&j, "checked", gp->vertices_checked);
        if (vknown)
            pv_json_bool(&j, "holds", !vfail);
        else
            pv_json_null(&j, "holds");
        if (gp->vertices_checked) {
            pv_json_int(&j, "vertices", gp->vertices);
            pv_json_int(&j, "violations", gp->bad_vertices);
        } else {
            pv_json_null(&j, "vertices");
            if (vfail)
                pv_json_int(&j, "violations_at_least", gp->bad_vertices);
            else
                pv_json_null(&j, "violations");
        }
        if (gp->example_vertex) {
            pv_json_rationals(&j, "example_vertex", gp->example_vertex, E->m);
            pv_json_int(&j, "example_hyperplanes", gp->example_count);
        }
        pv_json_end_object(&j);
        pv_json_end_object(&j);
        pv_json_begin_array(&j, "disagreements");
        for (int k = 0; k < L->ndisagree; k++) {
            const pv_adjacency_pair *P = &L->disagree[k];
            pv_json_begin_object(&j, NULL);
            pv_json_code(&j, "a", &E->cells[P->a].code);
            pv_json_code(&j, "b", &E->cells[P->b].code);
            pv_json_int(&j, "hamming", P->hamming);
            pv_json_bool(&j, "adjacent", P->adjacent);
            pv_json_int(&j, "dim_a", E->cells[P->a].dim);
            pv_json_int(&j, "dim_b", E->cells[P->b].dim);
            pv_json_int(&j, "common_dim", P->common_dim);
            pv_json_end_object(&j);
        }
        pv_json_end_array(&j);
        pv_json_end_object(&j);
        return;
    }
    cli_text_by_dim(E, status);
    printf("pairs with d_H = 1          %ld (from the bits)\n", L->pairs_hamming1);
    printf("adjacent pairs              %ld (from geometry)\n", L->adjacent_pairs);
    printf("d_H = 1 but not adjacent    %ld\n", L->hamming1_not_adjacent);
    printf("adjacent but d_H != 1       %ld\n", L->adjacent_not_hamming1);
    printf("general position            %s\n", gp_fail ? "NO" : gp_known ? "yes"
           : "not decided (the vertex census did not run to the end)");
    printf("  no zero pre-activation on a cell    %s (%ld)\n",
           gp->zero_rows ? "fails" : "holds", gp->zero_rows);
    printf("  no facet shared by two neurons      %s (%ld)\n",
           gp->shared_facets ? "fails" : "holds", gp->shared_facets);
    if (gp->vertices_checked)
        printf("  vertices on exactly m hyperplanes   %s (%ld of %ld vertices fail)\n",
               vfail ? "fails" : "holds", gp->bad_vertices, gp->vertices);
    else if (vfail)
        printf("  vertices on exactly m hyperplanes   fails (at least %ld vertices)\n",
               gp->bad_vertices);
    else
        printf("  vertices on exactly m hyperplanes   not checked (m > 6, or a cell with\n"
               "                                      too many faces to visit them all)\n");
    if (L->ndisagree)
        printf("\ndisagreements (a, b, d_H, adjacent, dims, dim of P(a) ∩ P(b)):\n");
    for (int k = 0; k < L->ndisagree; k++) {
        const pv_adjacency_pair *P = &L->disagree[k];
        char *a = pv_code_str(&E->cells[P->a].code, net);
        char *b = pv_code_str(&E->cells[P->b].code, net);
        printf("  %s  %s  %d  %s  %d,%d  %d\n", a, b, P->hamming,
               P->adjacent ? "adjacent" : "not adjacent", E->cells[P->a].dim,
               E->cells[P->b].dim, P->common_dim);
        free(a);
        free(b);
    }
}

/* After a timeout or Ctrl-C the pair analysis is not started: the user
 * asked to stop; the cells found are printed, marked INCOMPLETE. */
static void print_stopped(const pv_enum *E, int json, int status)
{
    if (!json) {
        cli_text_by_dim(E, status);
        printf("Lemma 1 not checked: the enumeration did not finish\n");
        return;
    }
    pv_json j;
    pv_json_init(&j, stdout);
    pv_json_begin_object(&j, NULL);
    cli_json_enum_head(&j, E, status);
    pv_json_null(&j, "pairs_hamming1");
    pv_json_null(&j, "adjacent_pairs");
    pv_json_end_object(&j);
}

int cli_lemma1(const pv_net *net, const cli_args *a)
{
    pv_error err = {0};
    pv_box box;
    int hasbox = cli_load_box(&box, net, a, &err);
    if (hasbox < 0) {
        pv_box_clear(&box);
        return cli_fail(&err);
    }
    const pv_box *bp = hasbox ? &box : NULL;
    int json = a->given[OPT_JSON] > 0;
    pv_enum E;
    pv_enum_init(&E);
    int status = cli_run_enumeration(&E, net, a, bp, 1);
    if (status == 1 || E.by_dim == NULL) {
        /* the message says it all */
    } else if (status == CLI_EXIT_TIMEOUT || status == CLI_EXIT_INTERRUPT) {
        print_stopped(&E, json, status);
    } else {
        pv_lemma1 L;
        pv_lemma1_init(&L);
        if (pv_lemma1_check(&L, &E, net, bp, &err) != PV_OK)
            status = cli_fail(&err);
        else
            print_lemma1(&L, &E, net, json, status);
        pv_lemma1_clear(&L);
    }
    pv_enum_clear(&E);
    pv_box_clear(&box);
    return status;
}
