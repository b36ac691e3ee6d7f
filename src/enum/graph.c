/* polyverify — the adjacency graph of an enumeration: candidate pairs of
 * cells, each decided exactly by pv_adjacency_decide_pair. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <stdlib.h>

#include "polyverify/adjacency.h"
#include "polyverify/code.h"

int pv_graph_pair_cmp(const void *x, const void *y)
{
    const pv_adjacency_pair *p = x, *q = y;
    if (p->a != q->a)
        return (p->a > q->a) - (p->a < q->a);
    return (p->b > q->b) - (p->b < q->b);
}

/* Candidates: pairs across facets, and (rarely needed) every pair of
 * lower-dimensional cells of one dimension, since two such cells can meet
 * at an angle without sharing an affine hull. A pair of full-dimensional
 * cells across a facet is adjacent by the walk's own proof: b is the code
 * of the far side of a facet F of P(a) near a point y of relint F (visit.c,
 * vertex.c), so a relatively open piece of F around y lies in P(b) too
 * (closed) and dim P(a) ∩ P(b) >= m - 1, while the interiors, where all of
 * a's (b's) rows are > 0, hold only code a (b): dim P(a) ∩ P(b) = m - 1.
 * Every other candidate is decided exactly by pv_adjacency_decide_pair. */
pv_status pv_graph_build(pv_enum *E, state *st,
                         const int *rank_of, pv_error *err)
{
    size_t cap = 64, n = 0;
    pv_adjacency_pair *cand = pv_malloc(cap * sizeof *cand);
    for (int i = 0; i < st->ncells; i++)
        for (int k = 0; k < st->cells[i].nnbr; k++) {
            int a = rank_of[i], b = rank_of[st->cells[i].nbr[k]];
            if (n == cap)
                cand = pv_realloc(cand, (cap *= 2) * sizeof *cand);
            cand[n].a = a < b ? a : b;
            cand[n++].b = a < b ? b : a;
        }
    for (int a = 0; a < E->ncells; a++) {
        if (E->cells[a].dim >= E->m || E->cells[a].dim < 0)
            continue;
        for (int b = a + 1; b < E->ncells; b++)
            if (E->cells[b].dim == E->cells[a].dim) {
                if (n == cap)
                    cand = pv_realloc(cand, (cap *= 2) * sizeof *cand);
                cand[n].a = a;
                cand[n++].b = b;
            }
    }
    qsort(cand, n, sizeof *cand, pv_graph_pair_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || pv_graph_pair_cmp(&cand[k - 1], &cand[i]))
            cand[k++] = cand[i];
    pv_status rc = PV_OK;
    E->pairs = pv_malloc((k + 1) * sizeof *E->pairs);
    /* an interrupt keeps the pairs decided so far (complete = 0) */
    for (size_t i = 0; i < k && rc == PV_OK && !pv_limits_must_stop(st); i++) {
        pv_adjacency_pair P = cand[i];
        const pv_enum_cell *ca = &E->cells[P.a], *cb = &E->cells[P.b];
        if (ca->dim == E->m && cb->dim == E->m) {
            /* only pairs across facets have two full-dimensional cells */
            P.hamming = pv_code_hamming(&ca->code, &cb->code);
            P.common_dim = E->m - 1;
            P.adjacent = 1;
        } else {
            rc = pv_adjacency_decide_pair(&P, st->net, &ca->code, ca->dim,
                                          &cb->code, cb->dim, st->box,
                                          &E->stats, err);
        }
        E->candidates++;
        if (rc == PV_OK && P.adjacent)
            E->pairs[E->npairs++] = P;
    }
    E->has_graph = 1;
    pv_free(cand);
    return rc;
}
