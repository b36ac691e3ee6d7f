/* polyverify — certificates: every printed fact, in a form that the small
 * independent checker `pvcheck` re-verifies with GMP alone.
 *
 * The format (versioned text) is specified in verify/README.md. Every fact
 * is a dimension fact about a set given by parts (a cell C(b), a closure
 * P(b)) and rows forced to zero: a point with the rows that vanish there
 * (dim >= d) plus multipliers proving those rows vanish on the whole set
 * (dim <= d); emptiness by Farkas/Motzkin multipliers. Facets, non-facets,
 * adjacency and boundedness reduce to such facts. Multipliers refer to the
 * unscaled affine functions (sigma_j z_j), not to polyverify's integer rows,
 * so the checker needs none of polyverify's arithmetic. */
#ifndef POLYVERIFY_CERTIFICATE_H
#define POLYVERIFY_CERTIFICATE_H

#include "export.h"

#include "adjacency.h"
#include "cell.h"
#include "enumerate.h"
#include "error.h"
#include "network.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A certificate being written (opaque). */
typedef struct pv_cert pv_cert;

/* Starts a certificate for answers about net (and box, may be NULL) at
 * path: the handle, or NULL with err set. The file appears only when
 * pv_cert_close keeps it. net and box must outlive the handle. */
PV_API pv_cert *pv_cert_open(const char *path, const pv_net *net,
                             const pv_box *box, pv_error *err);

/* Finishes it and frees the handle (NULL is fine): with keep, atomically
 * renames the file into place; otherwise (or on failure) removes it, so
 * no partial certificate is ever left. */
PV_API pv_status pv_cert_close(pv_cert *c, int keep, pv_error *err);

/* The claims behind every fact of a cell computed with pv_cell_compute
 * (PV_CELL_DIRECT, so that facet points are in x): realised or not, dim,
 * point, implicit equalities, each facet (as a face of dimension dim - 1)
 * with its neighbour, every other row (its face has dimension <= dim - 2
 * or is empty: the facet list is complete), and boundedness. The file
 * declares `answer cell` (format 2), so pvcheck checks that these claims
 * account for every row; each pv_cert_* writes one answer per file. */
PV_API pv_status pv_cert_cell(pv_cert *c, const pv_cell *C, pv_error *err);

/* The claims behind an adjacency check: dim C(a), dim C(b) and
 * dim (P(a) ∩ P(b)). */
PV_API pv_status pv_cert_adjacency(pv_cert *c, const pv_adjacency *A, pv_error *err);

/* The claims behind an enumeration's printed facts: each cell's dimension
 * at its printed point, and for each adjacent pair of the graph the
 * dimension of P(a) ∩ P(b). (That the list is complete is argued in
 * enumerate.c, not certified.) */
PV_API pv_status pv_cert_enumeration(pv_cert *c, const pv_enum *E,
                                     pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
