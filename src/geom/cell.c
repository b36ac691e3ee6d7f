/* polyverify — a code's cell: system, dimension, facets, neighbours. */
#include "core/alloc.h"
#include "polyverify/cell.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "polyverify/system.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"
#include "exact/linalg.h"

void pv_cell_init(pv_cell *C)
{
    memset(C, 0, sizeof *C);         /* an empty code owns no memory */
    C->dim = -1;
}

void pv_cell_clear(pv_cell *C)
{
    pv_code_clear(&C->code);
    if (C->point) {
        for (int i = 0; i < C->m; i++)
            mpq_clear(C->point[i]);
        pv_free(C->point);
    }
    for (int f = 0; f < C->nfacets; f++) {
        pv_free(C->facets[f].neurons);
        pv_code_clear(&C->facets[f].neighbor);
        pv_qvec_free(C->facets[f].point, C->m);
    }
    pv_free(C->facets);
    pv_free(C->implicit);
    pv_free(C->implicit_box);
    pv_free(C->implicit_domain);
    pv_cell_init(C);
}

/* Code just beyond a facet: the code of y + e(y - p), y in the facet's
 * relative interior, p in the cell's. When the facet is one neuron i and
 * no neuron vanishes on the cell, every other pre-activation is non-zero
 * at y (a row vanishing at a relint point of the facet would contain the
 * facet and be grouped with i), so near y only z_i changes sign: the
 * neighbour is b with bit i flipped, read off without a forward pass.
 * Otherwise it is the exact first-order code of y + e(y - p). */
static pv_status neighbor_code(pv_cell_facet *cf, const pv_net *net,
                               const pv_cell *C, const pv_facet *f,
                               pv_error *err)
{
    pv_code_init(&cf->neighbor, net->neurons);
    cf->has_neighbor = 1;
    if (cf->nneurons == 1 && !C->nimplicit && !C->nimplicit_box &&
        !C->nimplicit_domain) {
        pv_code_set(&cf->neighbor, &C->code);
        cf->neighbor.bit[cf->neurons[0]] ^= 1;
        return PV_OK;
    }
    if (!f->point)
        return pv_error_set(err, PV_ERR_INTERNAL,
                            "facet without a point cannot be crossed");
    mpq_t *d = pv_malloc((size_t)C->m * sizeof(mpq_t));
    for (int j = 0; j < C->m; j++) {
        mpq_init(d[j]);
        mpq_sub(d[j], f->point[j], C->point[j]);
    }
    pv_status rc = pv_code_beyond(net, f->point, d, &cf->neighbor, err);
    for (int j = 0; j < C->m; j++)
        mpq_clear(d[j]);
    pv_free(d);
    return rc;
}

static pv_status fill_facets(pv_cell *C, const pv_net *net,
                             const pv_system *S, pv_facets *F,
                             pv_error *err)
{
    C->facets = pv_calloc((size_t)F->count + 1, sizeof(pv_cell_facet));
    for (int i = 0; i < F->count; i++) {
        const pv_facet *f = &F->f[i];
        pv_cell_facet *cf = &C->facets[C->nfacets++];
        cf->neurons = pv_malloc((size_t)f->nrows * sizeof(int));
        cf->box_coord = -1;
        cf->domain_row = -1;
        for (int r = 0; r < f->nrows; r++) {
            int l = S->label[f->rows[r]];
            if (PV_LABEL_IS_NEURON(l)) {
                cf->neurons[cf->nneurons++] = l;
            } else if (PV_LABEL_IS_BOX(l) && cf->box_coord < 0) {
                cf->box_coord = PV_LABEL_BOX_COORD(l);
                cf->box_hi = PV_LABEL_BOX_HI(l);
            } else if (PV_LABEL_IS_DOMAIN(l) && cf->domain_row < 0) {
                cf->domain_row = PV_LABEL_DOMAIN_ROW(l);
            }
        }
        /* nothing lies beyond the domain */
        pv_status rc = cf->box_coord >= 0 || cf->domain_row >= 0
                           ? PV_OK : neighbor_code(cf, net, C, f, err);
        cf->point = f->point;          /* ownership moves to the cell */
        F->f[i].point = NULL;
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
    C->point = pv_malloc((size_t)(C->m ? C->m : 1) * sizeof(mpq_t));
    for (int j = 0; j < C->m; j++) {
        mpq_init(C->point[j]);
        mpq_set(C->point[j], D->point[j]);
    }
    C->implicit = pv_malloc((size_t)(S->nrows + 1) * sizeof(int));
    C->implicit_box = pv_malloc((size_t)(S->nrows + 1) * sizeof(int));
    C->implicit_domain = pv_malloc((size_t)(S->nrows + 1) * sizeof(int));
    for (int i = 0; i < S->nrows; i++) {
        if (!D->implicit[i])
            continue;
        int l = S->label[i];
        if (PV_LABEL_IS_BOX(l))
            C->implicit_box[C->nimplicit_box++] =
                2 * PV_LABEL_BOX_COORD(l) + PV_LABEL_BOX_HI(l);
        else if (PV_LABEL_IS_DOMAIN(l))
            C->implicit_domain[C->nimplicit_domain++] = PV_LABEL_DOMAIN_ROW(l);
        else
            C->implicit[C->nimplicit++] = l;
    }
}

/* Search aid: a float x with W_1 x + b_1 close to u: the minimum-norm
 * solution x = W_1^T w of W_1 W_1^T w = u - b_1, with the Cholesky factor
 * cached by pv_net_finalize. Returns 0 on success; the caller proves or
 * rejects the point exactly. */
static int float_preimage(const pv_net *net, mpq_t *const u, double *x)
{
    const pv_layer *L = &net->layers[0];
    const double *W = net->lift_w, *A = net->lift_chol;
    int n = L->out, m = L->in, ok = 1;
    if (!A)
        return -1;
    double *r = pv_malloc((size_t)n * sizeof *r);
    for (int i = 0; i < n; i++)
        r[i] = mpq_get_d(u[i]) - mpq_get_d(L->b[i]);
    for (int i = 0; i < n; i++) {                /* L y = r, L^T w = y */
        for (int l = 0; l < i; l++)
            r[i] -= A[(size_t)i * n + l] * r[l];
        r[i] /= A[(size_t)i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        for (int l = i + 1; l < n; l++)
            r[i] -= A[(size_t)l * n + i] * r[l];
        r[i] /= A[(size_t)i * n + i];
    }
    for (int l = 0; l < m; l++) {
        double s = 0.0;
        for (int i = 0; i < n; i++)
            s += W[(size_t)i * m + l] * r[i];
        x[l] = s;
        ok &= isfinite(s);
    }
    pv_free(r);
    return ok ? 0 : -1;
}

/* Is x in the relative interior of the full-dimensional cell of code, with
 * exactly the neurons of `implicit` at zero? Exact forward pass. */
static int proves_point(const pv_net *net, const pv_code *code, mpq_t *const x,
                        const int *implicit, int nimplicit)
{
    pv_code c;
    pv_code_init(&c, net->neurons);
    unsigned char *zero = pv_calloc((size_t)net->neurons + 1, 1);
    int ok = pv_code_at(net, x, &c, zero, NULL) == PV_OK && pv_code_equal(&c, code);
    for (int i = 0; ok && i < nimplicit; i++)
        ok = zero[implicit[i]];
    int nz = 0;
    for (int j = 0; ok && j < net->neurons; j++)
        nz += zero[j];
    ok = ok && nz == nimplicit;
    pv_free(zero);
    pv_code_clear(&c);
    return ok;
}

/* Lifting through the first layer. When W_1 has full row rank n_1 < m
 * (net->lifted, no box), x -> u = W_1 x + b_1 maps R^m onto R^{n_1} and
 * every pre-activation is affine in u, so C(b) is the preimage of the cell
 * C_u(b) of net->lifted. Preimages of an onto affine map keep the face
 * lattice: realisability, implicit equalities, facets (as neuron sets) and
 * neighbour codes are those of C_u(b); dim C(b) = dim C_u(b) + m - n_1; and
 * C(b) contains lines along ker W_1, so it is unbounded. Only the point is
 * carried back: a float preimage of C_u's point, proved by an exact forward
 * pass. Returns 1 when C is filled (or *rc set), 0 to compute in x. */
static int compute_lifted(pv_cell *C, const pv_net *net, const pv_code *code,
                          unsigned what, pv_status *rc, pv_error *err)
{
    pv_cell U;
    pv_cell_init(&U);
    int n1 = net->lifted->input_dim, m = net->input_dim, done = 1;
    *rc = pv_cell_compute(&U, net->lifted, code, NULL, what & ~(unsigned)PV_CELL_BOUNDED, err);
    C->stats = U.stats;
    if (*rc != PV_OK || !U.realized) {
        pv_cell_clear(&U);
        return 1;                       /* unrealised in u, so in x */
    }
    double *xd = pv_malloc((size_t)m * sizeof *xd);
    mpq_t *x = pv_malloc((size_t)m * sizeof(mpq_t));
    for (int l = 0; l < m; l++)
        mpq_init(x[l]);
    done = U.dim == n1 && float_preimage(net, U.point, xd) == 0;
    for (int l = 0; done && l < m; l++)
        done = pv_mpq_set_double(x[l], xd[l]) == 0;   /* Inf/NaN: no point */
    done = done && proves_point(net, code, x, U.implicit, U.nimplicit);
    pv_free(xd);
    if (!done) {
        for (int l = 0; l < m; l++)
            mpq_clear(x[l]);
        pv_free(x);
        pv_cell_clear(&U);
        return 0;
    }
    C->realized = 1;
    C->dim = U.dim + m - n1;
    C->point = x;
    C->bounded = 0;
    /* the neuron lists and facets carry over unchanged: move them */
    C->implicit = U.implicit, C->nimplicit = U.nimplicit;
    C->facets = U.facets, C->nfacets = U.nfacets;
    for (int f = 0; f < C->nfacets; f++) {    /* points of u, not of x */
        pv_qvec_free(C->facets[f].point, n1);
        C->facets[f].point = NULL;
    }
    U.implicit = NULL, U.nimplicit = 0;
    U.facets = NULL, U.nfacets = 0;
    pv_cell_clear(&U);
    return 1;
}

/* With a box, the lifting still speaks about the neuron rows: C(b) within
 * the box B is B ∩ Q for the cell Q of the whole space, the preimage of
 * the lifted cell Q_u. When Q_u is empty so is B ∩ Q. When Q_u is
 * full-dimensional, a neuron that is no facet of Q is none of B ∩ Q
 * (system_internal.h), so its row needs no LP. Returns 1 when that decides
 * C (empty, or an error in *rc); otherwise *not_facet may be set, per
 * neuron (the caller frees it). */
static int lifted_hint(pv_cell *C, const pv_net *net, const pv_code *code,
                       unsigned what, unsigned char **not_facet,
                       pv_status *rc, pv_error *err)
{
    pv_cell U;
    pv_cell_init(&U);
    *not_facet = NULL;
    *rc = pv_cell_compute(&U, net->lifted, code, NULL, what & PV_CELL_FACETS, err);
    int empty = *rc == PV_OK && !U.realized;
    if (*rc == PV_OK && U.realized && U.nimplicit == 0 && (what & PV_CELL_FACETS)) {
        *not_facet = pv_malloc((size_t)net->neurons + 1);
        memset(*not_facet, 1, (size_t)net->neurons);
        for (int f = 0; f < U.nfacets; f++)
            for (int a = 0; a < U.facets[f].nneurons; a++)
                (*not_facet)[U.facets[f].neurons[a]] = 0;
    }
    if (empty)
        C->stats = U.stats;
    pv_cell_clear(&U);
    return empty || *rc != PV_OK;
}

static pv_status cell_compute(pv_cell *C, const pv_net *net,
                              const pv_code *code, const pv_box *box,
                              unsigned what, mpq_t *const near, pv_error *err)
{
    pv_cell_clear(C);
    C->m = net->input_dim;
    pv_code_set(&C->code, code);
    pv_status lrc = PV_OK;
    int lift = net->lifted && code->n == net->neurons;
    /* PV_CELL_DIRECT keeps the facet points in x: it turns off the lifted
     * answer (points of u), not the box's hint (which only spares LPs) */
    if (lift && !box && !(what & PV_CELL_DIRECT) &&
        compute_lifted(C, net, code, what, &lrc, err))
        return lrc;
    unsigned char *hint = NULL;
    if (lift && box && lifted_hint(C, net, code, what, &hint, &lrc, err))
        return lrc;                     /* empty in R^m, so in the box */
    pv_system S;
    pv_status rc = pv__system_from_code(&S, net, code, box, err);
    if (rc != PV_OK) {
        pv_free(hint);
        return rc;
    }
    pv_dimension D;
    rc = pv__system_dimension_at(&S, near, &D, &C->stats, err);
    if (rc == PV_OK)
        fill_dimension(C, &S, &D);
    /* Inside a box the cell is bounded: no multipliers to look for (the
     * box rows alone bound every coordinate). A domain without an
     * interval part may be unbounded: decided like any system. */
    if (rc == PV_OK && C->realized && (what & PV_CELL_BOUNDED) && box && box->intervals)
        C->bounded = 1;
    else if (rc == PV_OK && C->realized && (what & PV_CELL_BOUNDED))
        rc = pv_system_bounded(&S, &D, &C->bounded, &C->stats, err);
    if (rc == PV_OK && C->realized && (what & PV_CELL_FACETS)) {
        pv_facets F;
        unsigned char *not_facet = NULL;
        if (hint) {                     /* per row: neuron rows only */
            not_facet = pv_calloc((size_t)S.nrows + 1, 1);
            for (int i = 0; i < S.nrows; i++)
                not_facet[i] = S.label[i] >= 0 && S.label[i] < net->neurons &&
                               hint[S.label[i]];
        }
        rc = pv__system_facets_hinted(&S, &D, not_facet, &F, &C->stats, err);
        pv_free(not_facet);
        if (rc == PV_OK)
            rc = fill_facets(C, net, &S, &F, err);
        pv_facets_clear(&F);
    }
    pv_dimension_clear(&D);
    pv_system_clear(&S);
    pv_free(hint);
    return rc;
}

pv_status pv_cell_compute(pv_cell *C, const pv_net *net, const pv_code *code,
                          const pv_box *box, unsigned what, pv_error *err)
{
    PV_GUARD(err, cell_compute(C, net, code, box, what, NULL, err), pv_cell_init(C));
}

/* A candidate interior point near x: x itself when no neuron vanishes
 * there, pulled by 2^-10 of the way towards the centre of the box's
 * intervals when there are some (an image with black pixels lies on
 * hundreds of box sides). Only a candidate: the dimension proves it or
 * decides without it. NULL when there is none. */
static mpq_t *candidate_near(const pv_net *net, mpq_t *const x,
                             const pv_box *box, const unsigned char *zero)
{
    int m = net->input_dim;
    for (int j = 0; j < net->neurons; j++)
        if (zero[j])
            return NULL;
    mpq_t *c = pv_qvec_copy(x, m);
    if (!box || !box->intervals || box->dim != m)
        return c;
    mpq_t t;
    mpq_init(t);
    for (int l = 0; l < m; l++) {       /* c += (mid - c) / 1024 */
        mpq_add(t, box->lo[l], box->hi[l]);
        mpz_mul_2exp(mpq_denref(t), mpq_denref(t), 1);
        mpq_canonicalize(t);
        mpq_sub(t, t, c[l]);
        mpz_mul_2exp(mpq_denref(t), mpq_denref(t), 10);
        mpq_canonicalize(t);
        mpq_add(c[l], c[l], t);
    }
    mpq_clear(t);
    return c;
}

static pv_status cell_of_point(pv_cell *C, const pv_net *net, mpq_t *const x,
                               const pv_box *box, unsigned what, pv_error *err)
{
    pv_code code;
    pv_code_init(&code, net->neurons);
    unsigned char *zero = pv_calloc((size_t)net->neurons + 1, 1);
    pv_status rc = pv_code_at(net, x, &code, zero, err);
    mpq_t *c = rc == PV_OK ? candidate_near(net, x, box, zero) : NULL;
    if (rc == PV_OK)
        rc = cell_compute(C, net, &code, box, what, c, err);
    pv_qvec_free(c, net->input_dim);
    pv_free(zero);
    pv_code_clear(&code);
    return rc;
}

pv_status pv_cell_of_point(pv_cell *C, const pv_net *net, mpq_t *const x,
                           const pv_box *box, unsigned what, pv_error *err)
{
    PV_GUARD(err, cell_of_point(C, net, x, box, what, err), pv_cell_init(C));
}
