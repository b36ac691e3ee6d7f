/* polyverify — the facets of a system's set, decided exactly.
 *
 * A facet of the closure relative to its affine hull is proved by a point
 * in its relative interior (or by a rank argument), a row that defines no
 * facet by exact multipliers (dimension.h explains how floats search and
 * exact arithmetic decides). */
#ifndef POLYVERIFY_FACETS_H
#define POLYVERIFY_FACETS_H

#include "export.h"

#include "system.h"     /* first: its <stdio.h> precedes <gmp.h> */
#include <gmp.h>
#include "error.h"
#include "dimension.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* The facets of the non-empty set of S whose dimension D was computed by
 * pv_dimension_compute, into F (initialised; its content is replaced).
 * stats may be NULL; it is added to. */
PV_API pv_status pv_facets_compute(pv_facets *F, const pv_system *S,
                                   const pv_dimension *D, pv_stats *stats,
                                   pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
