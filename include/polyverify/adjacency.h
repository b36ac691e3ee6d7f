/* polyverify — adjacency of two cells, from geometry alone.
 *
 * Two realised cells are adjacent iff dim(P(a) ∩ P(b)) = dim C(a) - 1 =
 * dim C(b) - 1 (DESIGN §1). The adjacency distance d_A is 0 for the same
 * code, 1 for adjacent cells and 2 otherwise. The Hamming distance d_H is
 * counted from the bits; nothing here assumes the two agree (the paper's
 * Lemma 1 and Theorem 2 are what polyverify tests, not what it uses). */
#ifndef POLYVERIFY_ADJACENCY_H
#define POLYVERIFY_ADJACENCY_H

#include "export.h"

#include <gmp.h>
#include "error.h"
#include "network.h"
#include "code.h"
#include "box.h"
#include "dimension.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_adjacency {
    int m;
    int hamming;           /* d_H                                        */
    int dim_a, dim_b;      /* -1 when that code is not realised          */
    int common_dim;        /* dim P(a) ∩ P(b) (closures of the two codes'
                              systems, realised or not); -1 if empty     */
    mpq_t *common_point;   /* m, relint point of the intersection, or NULL */
    int adjacent;          /* meaningful when both codes are realised    */
    int d_A;               /* 0, 1, 2; -1 when a code is not realised    */
    int d_H2;              /* min(d_H, 2)                                */
    int agrees;            /* d_A == d_H2; -1 when d_A is undefined      */
    pv_stats stats;
    const pv_code *code_a, *code_b;   /* the codes checked (not owned)  */
} pv_adjacency;

/* The rule of DESIGN §1 on dimensions: dim C(a) = dim C(b) = common + 1,
 * and the closures meet (common >= 0: two points are never adjacent). */
PV_API int pv_adjacency_dims(int dim_a, int dim_b, int common_dim);

PV_API void pv_adjacency_init(pv_adjacency *A);
PV_API void pv_adjacency_clear(pv_adjacency *A);

/* Decides the adjacency of the cells of codes a and b (box may be NULL)
 * into A (initialised; its content is replaced; A keeps pointers to a and
 * b, which must outlive it). */
PV_API pv_status pv_adjacency_check(pv_adjacency *A, const pv_net *net,
                                    const pv_code *a, const pv_code *b,
                                    const pv_box *box, pv_error *err);

/* A pair of cells (in an enumeration: indices into pv_enum.cells, a < b)
 * and what pv_adjacency_decide_pair found. */
typedef struct pv_adjacency_pair {
    int a, b;
    int hamming;
    int common_dim;        /* dim P(a) ∩ P(b), -1 if empty                */
    int adjacent;          /* DESIGN §1, from common_dim and the dims     */
} pv_adjacency_pair;

/* Decides whether two realised cells of known dimensions are adjacent:
 * common_dim = dim P(a) ∩ P(b) from one exact dimension computation (as
 * pv_adjacency_check decides it, without recomputing dim_a and dim_b).
 * P->a and P->b are left as they are. */
PV_API pv_status pv_adjacency_decide_pair(pv_adjacency_pair *P, const pv_net *net,
                                          const pv_code *a, int dim_a,
                                          const pv_code *b, int dim_b,
                                          const pv_box *box, pv_stats *st,
                                          pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
