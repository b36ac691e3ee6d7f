/* polyverify — adjacency of two cells (see adjacency.h). */
#include "core/alloc.h"
#include "polyverify/adjacency.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"

#include <stdlib.h>
#include <string.h>
#include "polyverify/system.h"
#include "exact/linalg.h"

int pv_adjacency_dims(int dim_a, int dim_b, int common_dim)
{
    /* Cells that share nothing (common -1) are not adjacent, even two
     * points, for which the formula alone would say so. */
    return dim_a >= 0 && dim_a == dim_b && common_dim == dim_a - 1 &&
           common_dim >= 0;
}

void pv_adjacency_init(pv_adjacency *A)
{
    memset(A, 0, sizeof *A);
    A->dim_a = A->dim_b = A->common_dim = A->d_A = A->agrees = -1;
}

void pv_adjacency_clear(pv_adjacency *A)
{
    pv_qvec_free(A->common_point, A->m);
    pv_adjacency_init(A);
}

/* The system of a code and its cell's dimension. */
static pv_status cell_dim(const pv_net *net, const pv_code *c, const pv_box *box,
                          pv_system *S, int *dim, pv_stats *st, pv_error *err)
{
    pv_status rc = pv__system_from_code(S, net, c, box, err);
    if (rc != PV_OK)
        return rc;
    pv_dimension D;
    rc = pv__system_dimension(S, &D, st, err);
    *dim = D.dim;
    pv_dimension_clear(&D);
    if (rc != PV_OK)
        pv_system_clear(S);     /* S is the caller's only on success */
    return rc;
}

/* The pipeline of both checks: the systems of a and b (with dim C(a) and
 * dim C(b) in dims[0], dims[1] when dims is not NULL), the union of their
 * closures' rows, and D = its exact dimension, that of P(a) ∩ P(b). D is
 * the caller's to clear, on every path. */
static pv_status closures_meet(pv_dimension *D, int *dims, const pv_net *net,
                               const pv_code *a, const pv_code *b,
                               const pv_box *box, pv_stats *st, pv_error *err)
{
    pv_dimension_init(D);
    pv_system Sa, Sb;
    pv_status rc = dims ? cell_dim(net, a, box, &Sa, &dims[0], st, err)
                        : pv__system_from_code(&Sa, net, a, box, err);
    if (rc != PV_OK)
        return rc;
    rc = dims ? cell_dim(net, b, box, &Sb, &dims[1], st, err)
              : pv__system_from_code(&Sb, net, b, box, err);
    if (rc != PV_OK) {
        pv_system_clear(&Sa);
        return rc;
    }
    /* P(a) ∩ P(b) is decided in every case: P(b) is given by b's rows even
     * when C(b) is empty, and may then be non-empty (DESIGN §1). Adjacency
     * itself is only defined between realised cells. */
    pv_system U;
    pv__system_closure_union(&U, &Sa, &Sb);
    rc = pv__system_dimension(&U, D, st, err);
    pv_system_clear(&U);
    pv_system_clear(&Sa);
    pv_system_clear(&Sb);
    return rc;
}

static pv_status adjacency_check(pv_adjacency *A, const pv_net *net,
                                 const pv_code *a, const pv_code *b,
                                 const pv_box *box, pv_error *err)
{
    pv_adjacency_clear(A);
    A->m = net->input_dim;
    A->code_a = a;
    A->code_b = b;
    A->hamming = pv_code_hamming(a, b);
    A->d_H2 = A->hamming < 2 ? A->hamming : 2;
    int dims[2] = { -1, -1 };
    pv_dimension D;
    pv_status rc = closures_meet(&D, dims, net, a, b, box, &A->stats, err);
    A->dim_a = dims[0];
    A->dim_b = dims[1];
    if (rc == PV_OK) {
        A->common_dim = D.dim;
        if (D.dim >= 0)
            A->common_point = pv_qvec_copy(D.point, A->m);
        if (A->dim_a >= 0 && A->dim_b >= 0) {
            A->adjacent = pv_adjacency_dims(A->dim_a, A->dim_b, D.dim);
            A->d_A = pv_code_equal(a, b) ? 0 : A->adjacent ? 1 : 2;
            A->agrees = A->d_A == A->d_H2;
        }
    }
    pv_dimension_clear(&D);
    return rc;
}

static pv_status decide_pair(pv_adjacency_pair *P, const pv_net *net,
                             const pv_code *a, int dim_a, const pv_code *b,
                             int dim_b, const pv_box *box, pv_stats *st,
                             pv_error *err)
{
    P->hamming = pv_code_hamming(a, b);
    P->common_dim = -1;
    P->adjacent = 0;
    pv_dimension D;
    pv_status rc = closures_meet(&D, NULL, net, a, b, box, st, err);
    if (rc == PV_OK) {
        P->common_dim = D.dim;
        /* DESIGN §1, as pv_adjacency_check decides it */
        P->adjacent = !pv_code_equal(a, b) && pv_adjacency_dims(dim_a, dim_b, D.dim);
    }
    pv_dimension_clear(&D);
    return rc;
}

pv_status pv_adjacency_decide_pair(pv_adjacency_pair *P, const pv_net *net,
                                   const pv_code *a, int dim_a, const pv_code *b,
                                   int dim_b, const pv_box *box, pv_stats *st,
                                   pv_error *err)
{
    PV_GUARD(err, decide_pair(P, net, a, dim_a, b, dim_b, box, st, err), (void)0);
}

pv_status pv_adjacency_check(pv_adjacency *A, const pv_net *net,
                             const pv_code *a, const pv_code *b,
                             const pv_box *box, pv_error *err)
{
    PV_GUARD(err, adjacency_check(A, net, a, b, box, err), pv_adjacency_init(A));
}
