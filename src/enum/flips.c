/* polyverify — the one-bit flips of a code (see flips.h). */
#include "core/alloc.h"
#include "polyverify/flips.h"
#include "net/network_internal.h"

#include <string.h>

#include "polyverify/adjacency.h"
#include "polyverify/cell.h"

void pv_flips_init(pv_flips *F) { memset(F, 0, sizeof *F); F->dim = -1; }

void pv_flips_clear(pv_flips *F)
{
    for (int i = 0; i < F->nflips; i++) {
        pv_code_clear(&F->flips[i].code);
        pv_free(F->flips[i].neurons);
    }
    pv_free(F->flips);
    pv_flips_init(F);
}

static pv_status cell_dimension(int *dim, const pv_net *net,
                                const pv_code *c, const pv_box *box,
                                pv_error *err)
{
    pv_cell C;
    pv_cell_init(&C);
    pv_status rc = pv_cell_compute(&C, net, c, box, PV_CELL_DIM, err);
    *dim = C.dim;
    pv_cell_clear(&C);
    return rc;
}

static pv_status decide_flip(pv_flip *fl, const pv_net *net,
                             const pv_code *code, int dim, const pv_box *box,
                             pv_error *err)
{
    fl->hamming = pv_code_hamming(code, &fl->code);
    fl->common_dim = -1;
    pv_status rc = cell_dimension(&fl->dim, net, &fl->code, box, err);
    fl->realized = fl->dim >= 0;
    if (rc != PV_OK || !fl->realized)
        return rc;
    pv_adjacency_pair P;
    rc = pv_adjacency_decide_pair(&P, net, code, dim, &fl->code, fl->dim, box, NULL, err);
    fl->common_dim = P.common_dim;
    fl->adjacent = P.adjacent;
    return rc;
}

/* Flip j across a facet of the full-dimensional cell C that neuron j
 * alone defines, with the flip as its neighbour: adjacent without an LP.
 * The facet's far side near a point of its relative interior is an open
 * piece of C(flip) (cell.c computed the neighbour there), so the flip is
 * realised with dimension m, and a relatively open piece of the facet
 * lies in both closures, which meet inside the facet's hyperplane:
 * dim P(a) ∩ P(flip) = m - 1. Returns 1 when it decided fl. */
static int facet_flip(pv_flip *fl, const pv_cell *C, int j)
{
    if (C->dim != C->m)
        return 0;
    for (int f = 0; f < C->nfacets; f++) {
        const pv_cell_facet *cf = &C->facets[f];
        if (cf->nneurons != 1 || cf->neurons[0] != j || !cf->has_neighbor ||
            !pv_code_equal(&cf->neighbor, &fl->code))
            continue;
        fl->hamming = 1;
        fl->dim = C->m;
        fl->realized = 1;
        fl->common_dim = C->m - 1;
        fl->adjacent = 1;
        return 1;
    }
    return 0;
}

static pv_status flips_check(pv_flips *F, const pv_net *net, const pv_code *code,
                             const pv_box *box, pv_error *err)
{
    pv_flips_clear(F);
    pv_cell C;
    pv_cell_init(&C);
    pv_status rc = pv_cell_compute(&C, net, code, box, PV_CELL_FACETS, err);
    F->realized = C.realized;
    F->dim = C.dim;
    if (rc != PV_OK || !C.realized) {
        pv_cell_clear(&C);
        return rc;
    }
    int n = net->neurons;
    F->flips = pv_calloc((size_t)(n + C.nfacets + 1), sizeof *F->flips);
    for (int j = 0; j < n && rc == PV_OK; j++) {
        pv_flip *fl = &F->flips[F->nflips++];
        fl->neuron = j;
        pv_code_init(&fl->code, 0);
        pv_code_set(&fl->code, code);
        fl->code.bit[j] ^= 1;
        if (!facet_flip(fl, &C, j))
            rc = decide_flip(fl, net, code, C.dim, box, err);
    }
    for (int f = 0; f < C.nfacets && rc == PV_OK; f++) {
        const pv_cell_facet *cf = &C.facets[f];
        if (!cf->has_neighbor || pv_code_hamming(code, &cf->neighbor) == 1)
            continue;
        pv_flip *fl = &F->flips[F->nflips++];
        fl->neuron = -1;
        pv_code_init(&fl->code, 0);
        pv_code_set(&fl->code, &cf->neighbor);
        fl->nneurons = cf->nneurons;
        fl->neurons = pv_malloc((size_t)(cf->nneurons + 1) * sizeof(int));
        memcpy(fl->neurons, cf->neurons, (size_t)cf->nneurons * sizeof(int));
        rc = decide_flip(fl, net, code, C.dim, box, err);
    }
    pv_cell_clear(&C);
    return rc;
}

pv_status pv_flips_check(pv_flips *F, const pv_net *net, const pv_code *code,
                         const pv_box *box, pv_error *err)
{
    PV_GUARD(err, flips_check(F, net, code, box, err), pv_flips_init(F));
}
