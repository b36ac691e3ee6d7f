/* polyverify — enumeration in a domain that is not full-dimensional: a
 * flat box (lo = hi in some coordinates), or a domain whose rows force
 * equalities (its `linearity` rows, or inequalities that hold only on a
 * hyperplane).
 *
 * The domain then lies in its affine hull A = {p + U z : z in R^k}, U an
 * m x k matrix of rank k, and its cells are the cells of the network
 * restricted to A: the same neurons, the same codes, the first layer
 * composed with z -> p + U z (pv__net_affine_input). z -> p + U z is
 * injective, so a cell's dimension is the same number measured in z or in
 * R^m (as `cell` reports it); points are carried back by x = p + U z. For
 * a flat box U is the unit columns of the free coordinates and the domain
 * in z is again a box; otherwise p and U are the dimension procedure's
 * relative-interior point and hull basis of the domain's own system, and
 * the domain in z is its rows composed with the map (the rows that vanish
 * on all of A dropped), full-dimensional by construction. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include "exact/linalg.h"

/* x = p + D z: p in R^m, D m x k (row-major), k >= 1 (or k = 0: a point). */
typedef struct affine_map {
    int m, k;
    mpq_t *p, *D;
} affine_map;

static void affine_clear(affine_map *A)
{
    pv_qvec_free(A->p, A->m);
    pv_qvec_free(A->D, A->m * A->k);
}

/* x in R^m from z in R^k. */
static mpq_t *lift_point(mpq_t *const z, const affine_map *A)
{
    mpq_t *x = pv_qvec_copy(A->p, A->m);
    mpq_t t;
    mpq_init(t);
    for (int j = 0; j < A->m; j++)
        for (int a = 0; a < A->k; a++) {
            mpq_mul(t, A->D[(size_t)j * A->k + a], z[a]);
            mpq_add(x[j], x[j], t);
        }
    mpq_clear(t);
    return x;
}

/* A domain that is one point x: one cell, the code of x, dimension 0. */
static pv_status enumerate_point(pv_enum *E, const pv_net *net,
                                 const pv_enum_options *opt, mpq_t *const x,
                                 pv_error *err)
{
    int m = net->input_dim;
    E->m = m;
    E->n = net->neurons;
    E->cells = pv_calloc(1, sizeof *E->cells);
    E->by_dim = pv_calloc((size_t)m + 2, sizeof *E->by_dim);
    pv_code_init(&E->cells[0].code, 0);
    E->cells[0].point = pv_qvec_copy(x, m);
    pv_status rc = pv_code_at(net, E->cells[0].point, &E->cells[0].code,
                                  NULL, err);
    E->ncells = 1;
    E->by_dim[0] = 1;
    E->complete = rc == PV_OK;
    E->has_graph = opt->graph;
    return rc;
}

/* Moves the enumeration R of the restricted net into E (in R^m). */
static void lift_enumeration(pv_enum *E, pv_enum *R, const affine_map *A)
{
    int m = A->m, k = A->k;
    *E = *R;
    E->m = m;
    E->by_dim = pv_calloc((size_t)m + 2, sizeof *E->by_dim);
    for (int d = 0; R->by_dim && d <= k; d++)
        E->by_dim[d] = R->by_dim[d];
    pv_free(R->by_dim);
    for (int i = 0; i < E->ncells; i++) {
        mpq_t *z = E->cells[i].point;
        E->cells[i].point = lift_point(z, A);
        pv_qvec_free(z, k);
    }
    if (R->gp.example_vertex) {
        E->gp.example_vertex = lift_point(R->gp.example_vertex, A);
        pv_qvec_free(R->gp.example_vertex, k);
    }
    pv_enum_init(R);     /* everything moved to E */
}

/* The enumeration of the net restricted to A, in the domain B (in z). */
static pv_status enumerate_in(pv_enum *E, const pv_net *net,
                              const pv_enum_options *opt, const affine_map *A,
                              const pv_box *B, pv_error *err)
{
    pv_net R;
    pv_status rc = pv__net_affine_input(&R, net, A->p, A->D, A->k, err);
    if (rc == PV_OK) {
        pv_enum_options o = *opt;
        o.box = B;
        pv_enum ER;
        pv_enum_init(&ER);
        rc = pv_enum_compute(&ER, &R, &o, err);
        /* E is valid after a limit or an interrupt too: lift it anyway */
        lift_enumeration(E, &ER, A);
    }
    pv__net_clear(&R);
    return rc;
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
        return enumerate_point(E, net, opt, box->lo, err);
    }
    /* x = p + D z, p = lo on the fixed coordinates (0 elsewhere), column
     * a of D the unit vector of free_[a] */
    affine_map A = { m, k, pv_qvec_new(m), pv_qvec_new(m * k) };
    for (int j = 0, a = 0; j < m; j++) {
        if (a < k && free_[a] == j)
            mpq_set_ui(A.D[(size_t)j * k + a++], 1, 1);
        else
            mpq_set(A.p[j], box->lo[j]);
    }
    pv_box B;
    pv_box_init(&B, k);
    for (int a = 0; a < k; a++) {
        mpq_set(B.lo[a], box->lo[free_[a]]);
        mpq_set(B.hi[a], box->hi[free_[a]]);
    }
    pv_status rc = enumerate_in(E, net, opt, &A, &B, err);
    pv_box_clear(&B);
    affine_clear(&A);
    pv_free(free_);
    return rc;
}

/* The domain's rows in z (x = p + U z), without those that vanish on the
 * whole domain (implicit): each is a.(p + U z) + c = (a U) z + (a.p + c),
 * taken from the domain's integer system (a row's positive multiple
 * describes the same half-space). B: k inputs, no rows yet. */
static void rows_in_hull(pv_box *B, const pv_system *S, const pv_dimension *D)
{
    int m = S->dim, k = D->dim, n = 0;
    for (int r = 0; r < S->nrows; r++)
        n += !D->implicit[r];
    B->a = pv_malloc(((size_t)n * (size_t)k + 1) * sizeof(mpq_t));
    B->c = pv_malloc(((size_t)n + 1) * sizeof(mpq_t));
    B->eq = pv_calloc((size_t)n + 1, 1);
    mpz_t t;
    mpz_init(t);
    for (int r = 0, g = 0; r < S->nrows; r++) {
        if (D->implicit[r])
            continue;
        for (int b = 0; b < k; b++) {
            mpz_set_ui(t, 0);
            for (int j = 0; j < m; j++)
                mpz_addmul(t, PV_G(S, r, j), D->U[(size_t)j * k + b]);
            mpq_init(PV_BOX_A(B, g, b));
            mpq_set_z(PV_BOX_A(B, g, b), t);
        }
        mpq_init(B->c[g]);
        pv_system_row_value(B->c[g], S, r, D->point);
        B->nrows = ++g;
    }
    mpz_clear(t);
}

pv_status pv_domain_enumerate(pv_enum *E, const pv_net *net,
                              const pv_enum_options *opt,
                              const pv_dimension *D, pv_error *err)
{
    int m = net->input_dim, k = D->dim;
    if (k == 0)
        return enumerate_point(E, net, opt, D->point, err);
    if (!D->U)
        return pv_error_set(err, PV_ERR_INTERNAL, "enumerate: no basis of the "
                            "domain's affine hull");
    pv_system S;
    pv__system_of_box(&S, opt->box);
    affine_map A = { m, k, pv_qvec_copy(D->point, m), pv_qvec_new(m * k) };
    for (size_t i = 0; i < (size_t)m * k; i++)
        mpq_set_z(A.D[i], D->U[i]);
    pv_box B;
    pv_box_init(&B, k);
    B.intervals = 0;
    rows_in_hull(&B, &S, D);
    pv_status rc = enumerate_in(E, net, opt, &A, &B, err);
    pv_box_clear(&B);
    affine_clear(&A);
    pv_system_clear(&S);
    return rc;
}
