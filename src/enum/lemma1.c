/* polyverify — the paper's Lemma 1 / Theorem 2 tested over an enumeration
 * (see lemma1.h). */
#include "core/alloc.h"
#include "polyverify/lemma1.h"
#include "enum/enum_internal.h"

#include <stdlib.h>
#include <string.h>

#include "polyverify/adjacency.h"

void pv_lemma1_init(pv_lemma1 *L) { memset(L, 0, sizeof *L); }

void pv_lemma1_clear(pv_lemma1 *L)
{
    pv_free(L->disagree);
    pv_lemma1_init(L);
}

static int find_pair(const pv_enum *E, int a, int b)
{
    pv_adjacency_pair key = { a, b, 0, 0, 0 };
    pv_adjacency_pair *p = bsearch(&key, E->pairs, (size_t)E->npairs,
                              sizeof key, pv_graph_pair_cmp);
    return p ? (int)(p - E->pairs) : -1;
}

static pv_status lemma1_check(pv_lemma1 *L, pv_enum *E, const pv_net *net,
                              const pv_box *box, pv_error *err)
{
    pv_lemma1_clear(L);
    if (!E->has_graph)
        return pv_error_set(err, PV_ERR_ARG,
                            "lemma 1 check needs the adjacency graph");
    size_t cap = 16;
    L->disagree = pv_malloc(cap * sizeof *L->disagree);
    pv_status rc = PV_OK;
    pv_code f;
    pv_code_init(&f, 0);
    /* d_H = 1 => adjacent? The pairs come from the bits alone. */
    pv_adjacency_pair *extra = NULL;
    int nextra = 0;
    for (int a = 0; a < E->ncells && rc == PV_OK; a++) {
        pv_code_set(&f, &E->cells[a].code);
        for (int j = 0; j < E->n && rc == PV_OK; j++) {
            f.bit[j] ^= 1;
            int b = pv_enum_find(E, &f);
            f.bit[j] ^= 1;
            if (b <= a)
                continue;
            L->pairs_hamming1++;
            int k = find_pair(E, a, b);
            pv_adjacency_pair P;
            if (k >= 0) {
                P = E->pairs[k];        /* already decided exactly */
            } else {
                P.a = a;
                P.b = b;
                rc = pv_adjacency_decide_pair(&P, net, &E->cells[a].code, E->cells[a].dim,
                                    &E->cells[b].code, E->cells[b].dim, box,
                                    &E->stats, err);
                if (rc == PV_OK && P.adjacent) {
                    /* adjacent but not a candidate: keep it in the graph */
                    extra = pv_realloc(extra, (size_t)(nextra + 1) * sizeof *extra);
                    extra[nextra++] = P;
                }
            }
            if (rc == PV_OK && !P.adjacent) {
                L->hamming1_not_adjacent++;
                if ((size_t)L->ndisagree == cap)
                    L->disagree = pv_realloc(L->disagree, (cap *= 2) * sizeof *L->disagree);
                L->disagree[L->ndisagree++] = P;
            }
        }
    }
    pv_code_clear(&f);
    /* adjacent => d_H = 1? The pairs come from geometry alone (the extra
     * ones, found by flipping one bit, are at d_H = 1). */
    L->adjacent_pairs = E->npairs + nextra;
    for (int k = 0; k < E->npairs; k++) {
        if (E->pairs[k].hamming == 1)
            continue;
        L->adjacent_not_hamming1++;
        if ((size_t)L->ndisagree == cap)
            L->disagree = pv_realloc(L->disagree, (cap *= 2) * sizeof *L->disagree);
        L->disagree[L->ndisagree++] = E->pairs[k];
    }
    qsort(L->disagree, (size_t)L->ndisagree, sizeof *L->disagree,
          pv_graph_pair_cmp);
    /* E's graph grows last, by its last allocation: when memory runs out
     * before, E is left as it was */
    if (nextra) {
        E->pairs = pv_realloc(E->pairs, (size_t)(E->npairs + nextra) * sizeof *E->pairs);
        memcpy(E->pairs + E->npairs, extra, (size_t)nextra * sizeof *extra);
        E->npairs += nextra;
        qsort(E->pairs, (size_t)E->npairs, sizeof *E->pairs, pv_graph_pair_cmp);
    }
    pv_free(extra);
    return rc;
}

pv_status pv_lemma1_check(pv_lemma1 *L, pv_enum *E, const pv_net *net,
                          const pv_box *box, pv_error *err)
{
    PV_GUARD(err, lemma1_check(L, E, net, box, err), pv_lemma1_init(L));
}
