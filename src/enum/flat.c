/* polyverify — enumeration in a flat box: lo = hi in some coordinates.
 *
 * The box then lies in the affine subspace A = {x_i = lo_i for the fixed
 * i}, and its cells are the cells of the network restricted to A: the
 * same neurons, the same codes, the first layer's bias absorbing the fixed
 * coordinates (b + W_fixed lo_fixed). A cell's dimension is that of a
 * subset of A, so it is the same number measured in A's free coordinates
 * or in R^m (as `cell` reports it); points are carried back by inserting
 * the fixed coordinates. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include "exact/linalg.h"

/* The network on the free coordinates fr[0..k) (k >= 1), x_fixed = lo:
 * x = p + D z with p = lo on the fixed coordinates (0 elsewhere) and
 * column a of D the unit vector of fr[a]. */
static pv_status restrict_net(pv_net *out, const pv_net *net, const int *fr,
                              int k, const pv_box *box, pv_error *err)
{
    int m = net->input_dim;
    mpq_t *p = pv_qvec_new(m), *D = pv_qvec_new(m * k);
    for (int j = 0, a = 0; j < m; j++) {
        if (a < k && fr[a] == j)
            mpq_set_ui(D[(size_t)j * k + a++], 1, 1);
        else
            mpq_set(p[j], box->lo[j]);
    }
    pv_status rc = pv__net_affine_input(out, net, p, D, k, err);
    pv_qvec_free(D, m * k);
    pv_qvec_free(p, m);
    return rc;
}

/* x in R^m from z on the free coordinates (fixed ones from the box). */
static mpq_t *lift_point(mpq_t *const z, const int *fr, int k,
                         const pv_box *box)
{
    int m = box->dim;
    mpq_t *x = pv_qvec_new(m);
    for (int j = 0, a = 0; j < m; j++)
        mpq_set(x[j], a < k && fr[a] == j ? z[a++] : box->lo[j]);
    return x;
}

/* A box that is one point x: one cell, the code of x, dimension 0. */
static pv_status enumerate_point(pv_enum *E, const pv_net *net,
                                 const pv_enum_options *opt, pv_error *err)
{
    int m = net->input_dim;
    E->m = m;
    E->n = net->neurons;
    E->cells = pv_calloc(1, sizeof *E->cells);
    E->by_dim = pv_calloc((size_t)m + 2, sizeof *E->by_dim);
    pv_code_init(&E->cells[0].code, 0);
    E->cells[0].point = pv_qvec_copy(opt->box->lo, m);
    pv_status rc = pv_code_at(net, E->cells[0].point, &E->cells[0].code,
                                  NULL, err);
    E->ncells = 1;
    E->by_dim[0] = 1;
    E->complete = rc == PV_OK;
    E->has_graph = opt->graph;
    return rc;
}

/* Moves the enumeration R of the restricted net into E (in R^m). */
static void lift_enumeration(pv_enum *E, pv_enum *R,
                             const int *fr, int k, const pv_box *box)
{
    int m = box->dim;
    *E = *R;
    E->m = m;
    E->by_dim = pv_calloc((size_t)m + 2, sizeof *E->by_dim);
    for (int d = 0; R->by_dim && d <= k; d++)
        E->by_dim[d] = R->by_dim[d];
    pv_free(R->by_dim);
    for (int i = 0; i < E->ncells; i++) {
        mpq_t *z = E->cells[i].point;
        E->cells[i].point = lift_point(z, fr, k, box);
        pv_qvec_free(z, k);
    }
    if (R->gp.example_vertex) {
        E->gp.example_vertex = lift_point(R->gp.example_vertex, fr, k, box);
        pv_qvec_free(R->gp.example_vertex, k);
    }
    pv_enum_init(R);     /* everything moved to E */
}

pv_status pv_flat_enumerate(pv_enum *E, const pv_net *net,
                            const pv_enum_options *opt, pv_error *err)
{
    const pv_box *box = opt->box;
    int m = net->input_dim, k = 0;
    int *free_ = pv_malloc((size_t)m * sizeof *free_);
    for (int j = 0; j < m; j++)
        if (mpq_cmp(box->lo[j], box->hi[j]) < 0)
            free_[k++] = j;
    if (k == 0) {
        pv_free(free_);
        return enumerate_point(E, net, opt, err);
    }
    pv_net R;
    pv_box B;
    pv_box_init(&B, k);
    for (int a = 0; a < k; a++) {
        mpq_set(B.lo[a], box->lo[free_[a]]);
        mpq_set(B.hi[a], box->hi[free_[a]]);
    }
    pv_status rc = restrict_net(&R, net, free_, k, box, err);
    if (rc == PV_OK) {
        pv_enum_options o = *opt;
        o.box = &B;
        pv_enum ER;
        pv_enum_init(&ER);
        rc = pv_enum_compute(&ER, &R, &o, err);
        /* E is valid after a limit or an interrupt too: lift it anyway */
        lift_enumeration(E, &ER, free_, k, box);
    }
    pv__net_clear(&R);
    pv_box_clear(&B);
    pv_free(free_);
    return rc;
}
