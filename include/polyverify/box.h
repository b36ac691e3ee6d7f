/* polyverify — input boxes LO <= x_i <= HI, exact.
 *
 * A box restricts every question (cells, adjacency, enumeration) to the
 * region it bounds; its sides become rows of the system (system.h). */
#ifndef POLYVERIFY_BOX_H
#define POLYVERIFY_BOX_H

#include "export.h"

#include <gmp.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An input box LO <= x_i <= HI. */
typedef struct pv_box {
    int dim;
    mpq_t *lo, *hi;
} pv_box;

PV_API void pv_box_init(pv_box *box, int dim);   /* [0,0]^dim */
PV_API void pv_box_clear(pv_box *box);
/* "LO,HI" (every coordinate) or "LO1,HI1,...,LOm,HIm"; LO > HI is an
 * error. box initialised (any dim); replaced only on success. */
PV_API pv_status pv_box_parse(pv_box *box, int dim, const char *s, pv_error *err);

/* What a domain file held besides the box. */
typedef struct pv_domain_info {
    const char *format;        /* "vnnlib" or "ine"                        */
    int inputs_declared;       /* VNN-LIB: the X_i declared                */
    int output_constraints;    /* VNN-LIB: assertions on the outputs Y_j,
                                  which are not part of the input domain   */
} pv_domain_info;

PV_API void pv_domain_info_init(pv_domain_info *info);

/* An input domain from a file, exactly: a VNN-LIB property (its input
 * constraints) or a cddlib H-representation (.ine, by extension or a
 * `begin` line). This version reads domains that bound each of the dim
 * inputs by an interval (VNN-LIB: (<= X_i c), (>= X_i c), (and ...) of
 * them; .ine: rows with one non-zero coefficient, `linearity` rows as
 * equalities) and refuses others, naming the line. info may be NULL. box
 * initialised (any dim); replaced only on success. */
PV_API pv_status pv_box_load(pv_box *box, int dim, const char *path,
                             pv_domain_info *info, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
