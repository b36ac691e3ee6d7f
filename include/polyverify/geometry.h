/* polyverify — exact dimension, facets and boundedness of a system.
 *
 * Every question reduces to "what is the dimension of a polyhedron given by
 * strict and non-strict rows?" (DESIGN §2). Floats SEARCH (GLPK's double
 * simplex proposes a point or a support of multipliers); exact integer
 * arithmetic DECIDES (the point is checked row by row, the multipliers are
 * recomputed exactly in the kernel of the rows). When a proof fails, cddlib's
 * exact rational LP decides instead; a float answer is never printed. */
#ifndef POLYVERIFY_GEOMETRY_H
#define POLYVERIFY_GEOMETRY_H

#include "export.h"

#include <gmp.h>
#include "error.h"
#include "system.h"

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

/* Decides whether Q = { x : strict rows > 0, other rows >= 0 } is empty and
 * otherwise its dimension, implicit equalities and a relative-interior
 * point. stats may be NULL. */
PV_API pv_status pv_system_dimension(const pv_system *S, pv_dimension *D,
                                     pv_stats *stats, pv_error *err);

/* A facet of the closure relative to its affine hull: the rows whose
 * hyperplane contains it (rows defining the same facet on this cell are
 * listed together) and a point in its relative interior, or NULL when
 * the facet was proved by a rank argument (no point needed). */
typedef struct pv_facet {
    int nrows;
    int *rows;
    mpq_t *point;            /* m, or NULL */
} pv_facet;

typedef struct pv_facets {
    int m;
    int count;
    pv_facet *f;
} pv_facets;

PV_API void pv_facets_init(pv_facets *F);
PV_API void pv_facets_clear(pv_facets *F);

/* Facets of a non-empty set whose dimension D was computed by
 * pv_system_dimension. */
PV_API pv_status pv_system_facets(const pv_system *S, const pv_dimension *D,
                                  pv_facets *F, pv_stats *stats, pv_error *err);

/* Whether the non-empty set is bounded. */
PV_API pv_status pv_system_bounded(const pv_system *S, const pv_dimension *D,
                                   int *bounded, pv_stats *stats, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
