/* polyverify — the exact dimension of a system's set.
 *
 * Every question reduces to "what is the dimension of a polyhedron given by
 * strict and non-strict rows?" (DESIGN §2). Floats SEARCH (GLPK's double
 * simplex proposes a point or a support of multipliers); exact integer
 * arithmetic DECIDES (the point is checked row by row, the multipliers are
 * recomputed exactly in the kernel of the rows). When a proof fails, cddlib's
 * exact rational LP decides instead; a float answer is never printed. */
#ifndef POLYVERIFY_DIMENSION_H
#define POLYVERIFY_DIMENSION_H

#include "export.h"

#include "system.h"     /* first: its <stdio.h> precedes <gmp.h> */
#include <gmp.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a fact was proved, for statistics and tests. */
typedef struct pv_stats {
    long float_lps;        /* GLPK solves                               */
    long exact_lps;        /* cddlib solves (fallbacks)                  */
    long float_proofs;     /* float candidates proved exactly            */
    long rays;             /* ray-shooting probes                        */
} pv_stats;

typedef struct pv_dimension {
    int m;
    int nrows;
    int dim;                 /* dimension of the set; -1 when empty        */
    mpq_t *point;            /* m: a relative-interior point (dim >= 0)    */
    unsigned char *implicit; /* nrows: row vanishes on the whole set       */
    mpz_t *U;                /* m x dim integer basis of the affine hull's
                                directions (row-major); NULL = identity    */
} pv_dimension;

PV_API void pv_dimension_init(pv_dimension *D);
PV_API void pv_dimension_clear(pv_dimension *D);

/* Decides whether Q = { x : strict rows of S > 0, other rows >= 0 } is
 * empty and otherwise its dimension, implicit equalities and a
 * relative-interior point, into D (initialised; its content is replaced).
 * stats may be NULL; it is added to. */
PV_API pv_status pv_dimension_compute(pv_dimension *D, const pv_system *S,
                                      pv_stats *stats, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
