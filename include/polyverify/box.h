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

#ifdef __cplusplus
}
#endif
#endif
