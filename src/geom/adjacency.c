/* polyverify — adjacency of two cells (see adjacency.h). */
#include "core/alloc.h"
#include "polyverify/adjacency.h"

#include <stdlib.h>
#include <string.h>
#include "polyverify/system.h"
#include "exact/linalg.h"

int pv_adjacent_dims(int dim_a, int dim_b, int common_dim)
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
    pv_status rc = pv_system_from_code(S, net, c, box, err);
    if (rc != PV_OK)
        return rc;
    pv_dimension D;
    rc = pv_system_dimension(S, &D, st, err);
    *dim = D.dim;
    pv_dimension_clear(&D);
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
    pv_system Sa, Sb;
    pv_status rc = cell_dim(net, a, box, &Sa, &A->dim_a, &A->stats, err);
    if (rc != PV_OK)
        return rc;
    rc = cell_dim(net, b, box, &Sb, &A->dim_b, &A->stats, err);
    if (rc != PV_OK) {
        pv_system_clear(&Sa);
        return rc;
    }
    /* P(a) ∩ P(b) is decided in every case: P(b) is given by b's rows even
     * when C(b) is empty, and may then be non-empty (DESIGN §1). Adjacency
     * itself is only defined between realised cells. */
    pv_system U;
    pv_dimension D;
    pv_system_closure_union(&U, &Sa, &Sb);
    rc = pv_system_dimension(&U, &D, &A->stats, err);
    if (rc == PV_OK) {
        A->common_dim = D.dim;
        if (D.dim >= 0) {
            A->common_point = pv_qvec_new(A->m);
            for (int j = 0; j < A->m; j++)
                mpq_set(A->common_point[j], D.point[j]);
        }
        if (A->dim_a >= 0 && A->dim_b >= 0) {
            A->adjacent = pv_adjacent_dims(A->dim_a, A->dim_b, D.dim);
            A->d_A = pv_code_equal(a, b) ? 0 : A->adjacent ? 1 : 2;
            A->agrees = A->d_A == A->d_H2;
        }
    }
    pv_dimension_clear(&D);
    pv_system_clear(&U);
    pv_system_clear(&Sa);
    pv_system_clear(&Sb);
    return rc;
}

pv_status pv_adjacency_check(pv_adjacency *A, const pv_net *net,
                             const pv_code *a, const pv_code *b,
                             const pv_box *box, pv_error *err)
{
    PV_GUARD(err, adjacency_check(A, net, a, b, box, err), pv_adjacency_init(A));
}
