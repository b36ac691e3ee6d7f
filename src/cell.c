/* polyverify — a code's cell: system, dimension, facets, neighbours. */
#include "polyverify/cell.h"

#include <stdlib.h>
#include <string.h>
#include "polyverify/system.h"

void pv_cell_init(pv_cell *C)
{
    memset(C, 0, sizeof *C);
    C->dim = -1;
    pv_code_init(&C->code, 0);
}

void pv_cell_clear(pv_cell *C)
{
    pv_code_clear(&C->code);
    if (C->point) {
        for (int i = 0; i < C->m; i++)
            mpq_clear(C->point[i]);
        free(C->point);
    }
    for (int f = 0; f < C->nfacets; f++) {
        free(C->facets[f].neurons);
        pv_code_clear(&C->facets[f].neighbor);
    }
    free(C->facets);
    free(C->implicit);
    free(C->implicit_box);
    pv_cell_init(C);
}

/* Code just beyond a facet. With a point y in its relative interior it is
 * the exact first-order code of y + e(y - p). Without one (a facet proved
 * by rank), the facet is a single neuron i and no neuron vanishes on the
 * cell: at y every other pre-activation is non-zero, so near y only z_i
 * changes sign and the neighbour is b with bit i flipped. */
static pv_status neighbor_code(pv_cell_facet *cf, const pv_net *net,
                               const pv_cell *C, const pv_facet *f,
                               pv_error *err)
{
    pv_code_init(&cf->neighbor, net->neurons);
    cf->has_neighbor = 1;
    if (!f->point) {
        if (cf->nneurons != 1 || C->nimplicit || C->nimplicit_box)
            return pv_error_set(err, PV_ERR_INTERNAL,
                                "facet without a point cannot be crossed");
        pv_code_set(&cf->neighbor, &C->code);
        cf->neighbor.bit[cf->neurons[0]] ^= 1;
        return PV_OK;
    }
    mpq_t *d = malloc((size_t)C->m * sizeof(mpq_t));
    for (int j = 0; j < C->m; j++) {
        mpq_init(d[j]);
        mpq_sub(d[j], f->point[j], C->point[j]);
    }
    pv_status rc = pv_net_code_beyond(net, f->point, d, &cf->neighbor, err);
    for (int j = 0; j < C->m; j++)
        mpq_clear(d[j]);
    free(d);
    return rc;
}

static pv_status fill_facets(pv_cell *C, const pv_net *net,
                             const pv_system *S, const pv_facets *F,
                             pv_error *err)
{
    C->facets = calloc((size_t)F->count + 1, sizeof(pv_cell_facet));
    for (int i = 0; i < F->count; i++) {
        const pv_facet *f = &F->f[i];
        pv_cell_facet *cf = &C->facets[C->nfacets++];
        cf->neurons = malloc((size_t)f->nrows * sizeof(int));
        cf->box_coord = -1;
        pv_code_init(&cf->neighbor, 0);
        for (int r = 0; r < f->nrows; r++) {
            int l = S->label[f->rows[r]];
            if (!PV_LABEL_IS_BOX(l))
                cf->neurons[cf->nneurons++] = l;
            else if (cf->box_coord < 0) {
                cf->box_coord = PV_LABEL_BOX_COORD(l);
                cf->box_hi = PV_LABEL_BOX_HI(l);
            }
        }
        if (cf->box_coord >= 0)
            continue;                  /* nothing beyond the box */
        pv_code_clear(&cf->neighbor);
        pv_status rc = neighbor_code(cf, net, C, f, err);
        if (rc != PV_OK)
            return rc;
    }
    return PV_OK;
}

static void fill_dimension(pv_cell *C, const pv_system *S,
                           const pv_dimension *D)
{
    C->realized = D->dim >= 0;
    C->dim = D->dim;
    if (!C->realized)
        return;
    C->point = malloc((size_t)(C->m ? C->m : 1) * sizeof(mpq_t));
    for (int j = 0; j < C->m; j++) {
        mpq_init(C->point[j]);
        mpq_set(C->point[j], D->point[j]);
    }
    C->implicit = malloc((size_t)(S->nrows + 1) * sizeof(int));
    C->implicit_box = malloc((size_t)(S->nrows + 1) * sizeof(int));
    for (int i = 0; i < S->nrows; i++) {
        if (!D->implicit[i])
            continue;
        int l = S->label[i];
        if (PV_LABEL_IS_BOX(l))
            C->implicit_box[C->nimplicit_box++] =
                2 * PV_LABEL_BOX_COORD(l) + PV_LABEL_BOX_HI(l);
        else
            C->implicit[C->nimplicit++] = l;
    }
}

pv_status pv_cell_compute(pv_cell *C, const pv_net *net, const pv_code *code,
                          const pv_box *box, unsigned what, pv_error *err)
{
    pv_cell_clear(C);
    C->m = net->input_dim;
    pv_code_set(&C->code, code);
    pv_system S;
    pv_status rc = pv_system_from_code(&S, net, code, box, err);
    if (rc != PV_OK)
        return rc;
    pv_dimension D;
    rc = pv_system_dimension(&S, &D, &C->stats, err);
    if (rc == PV_OK)
        fill_dimension(C, &S, &D);
    if (rc == PV_OK && C->realized && (what & PV_CELL_BOUNDED))
        rc = pv_system_bounded(&S, &D, &C->bounded, &C->stats, err);
    if (rc == PV_OK && C->realized && (what & PV_CELL_FACETS)) {
        pv_facets F;
        rc = pv_system_facets(&S, &D, &F, &C->stats, err);
        if (rc == PV_OK)
            rc = fill_facets(C, net, &S, &F, err);
        pv_facets_clear(&F);
    }
    pv_dimension_clear(&D);
    pv_system_clear(&S);
    return rc;
}
