/* polyverify — the one-bit flips of a code (see flips.h). */
#include "core/alloc.h"
#include "polyverify/flips.h"
#include "net/network_internal.h"

#include <string.h>

#include "polyverify/adjacency.h"
#include "polyverify/cell.h"
#include "core/parallel.h"
#include "exact/linalg.h"
#include "geom/system_internal.h"

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

/* Flips of the last ReLU layer's neurons whose hyperplane never touches
 * the closure of the full-dimensional cell C: no other row of the system
 * reads such a neuron's bit, so C(flip) is C with row j reversed, inside
 * Q = {every other row >= 0}. When the face {row j = 0} of P(C) is empty
 * (Farkas multipliers, exact: pv__system_empty_faces), row j keeps its
 * sign on the convex Q (a sign change on a segment from C would cross the
 * face), so C(flip), P(flip) and P(C) ∩ P(flip) are empty: unrealised,
 * not adjacent, with no LP of the flip's own (in [0,1]^784 each cost
 * about a second). Marks decided[k] for the flips it settles. */
static pv_status unreachable_flips(pv_flips *F, unsigned char *decided, const pv_cell *C,
                                   const pv_net *net, const pv_code *code,
                                   const pv_box *box, pv_error *err)
{
    int last = -1;
    for (int k = 0; k < net->nlayers; k++)
        if (net->layers[k].nrelu > 0)
            last = k;
    if (last < 0 || C->dim != C->m)
        return PV_OK;
    const pv_layer *L = &net->layers[last];
    int *rows = pv_malloc(((size_t)L->nrelu + 1) * sizeof *rows), nr = 0;
    for (int a = 0; a < L->nrelu; a++) {
        int j = L->first_neuron + a;
        if (!decided[j] && !facet_flip(&F->flips[j], C, j))
            rows[nr++] = j;
    }
    pv_system S;
    pv_status rc = nr > 0 ? pv__system_from_code(&S, net, code, box, err) : PV_OK;
    if (rc != PV_OK || nr == 0) {
        pv_free(rows);
        return rc;
    }
    mpq_t **y = pv_calloc((size_t)nr + 1, sizeof *y);
    pv__system_empty_faces(&S, C->point, rows, nr, y);
    for (int a = 0; a < nr; a++) {
        if (!y[a])
            continue;
        pv_flip *fl = &F->flips[rows[a]];
        fl->hamming = 1;
        fl->realized = 0;
        fl->dim = -1;
        fl->common_dim = -1;
        fl->adjacent = 0;
        decided[rows[a]] = 1;
        pv_qvec_free(y[a], S.nrows);
    }
    pv_free(y);
    pv_system_clear(&S);
    pv_free(rows);
    return PV_OK;
}

/* The flips are decided on the threads (core/parallel.c), one per item:
 * the calling thread sets up every entry first (codes, neurons), so a
 * worker only writes the numbers of its own entry. */
typedef struct flipjob {
    pv_flips *F;
    const pv_cell *C;
    const pv_net *net;
    const pv_code *code;
    const pv_box *box;
    const unsigned char *decided;   /* settled before the threads start */
} flipjob;

static pv_status flip_job(void *ctx, int k, int w, pv_error *err)
{
    (void)w;
    const flipjob *J = ctx;
    pv_flip *fl = &J->F->flips[k];
    if (k < J->F->nflips && J->decided[k])
        return PV_OK;
    if (fl->neuron >= 0 && facet_flip(fl, J->C, fl->neuron))
        return PV_OK;
    return decide_flip(fl, J->net, J->code, J->C->dim, J->box, err);
}

static pv_flip *add_flip(pv_flips *F, const pv_code *c, int neuron)
{
    pv_flip *fl = &F->flips[F->nflips++];
    fl->neuron = neuron;
    pv_code_init(&fl->code, 0);
    pv_code_set(&fl->code, c);
    return fl;
}

static pv_status flips_check(pv_flips *F, const pv_net *net, const pv_code *code,
                             const pv_box *box, int threads, pv_error *err)
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
    for (int j = 0; j < n; j++)
        add_flip(F, code, j)->code.bit[j] ^= 1;
    for (int f = 0; f < C.nfacets; f++) {
        const pv_cell_facet *cf = &C.facets[f];
        if (!cf->has_neighbor || pv_code_hamming(code, &cf->neighbor) == 1)
            continue;
        pv_flip *fl = add_flip(F, &cf->neighbor, -1);
        fl->nneurons = cf->nneurons;
        fl->neurons = pv_malloc((size_t)(cf->nneurons + 1) * sizeof(int));
        memcpy(fl->neurons, cf->neurons, (size_t)cf->nneurons * sizeof(int));
    }
    unsigned char *decided = pv_calloc((size_t)F->nflips + 1, 1);
    rc = unreachable_flips(F, decided, &C, net, code, box, err);
    flipjob J = { F, &C, net, code, box, decided };
    pv_par P = { pv_threads_resolve(threads), flip_job, NULL, &J, NULL, NULL };
    int done = 0;
    if (rc == PV_OK)
        rc = pv_par_run(&P, F->nflips, &done, err);
    pv_free(decided);
    pv_cell_clear(&C);
    return rc;
}

pv_status pv_flips_check(pv_flips *F, const pv_net *net, const pv_code *code,
                         const pv_box *box, pv_error *err)
{
    return pv_flips_check_threads(F, net, code, box, 1, err);
}

pv_status pv_flips_check_threads(pv_flips *F, const pv_net *net,
                                 const pv_code *code, const pv_box *box,
                                 int threads, pv_error *err)
{
    PV_GUARD(err, flips_check(F, net, code, box, threads, err), pv_flips_init(F));
}
