/* polyverify — input domains: boxes LO <= x_i <= HI and general linear
 * rows a.x + c >= 0 (or = 0), exact.
 *
 * A domain restricts every question (cells, adjacency, enumeration) to the
 * region it bounds; its rows become rows of the system (system.h): the box
 * sides with their box labels, the general rows with domain labels.
 *
 * Invariants of a pv_box (every function here keeps them):
 *   - lo, hi hold dim rationals each, always allocated (pv_box_init);
 *   - intervals = 1: LO_i <= x_i <= HI_i for every i is part of the domain
 *     (the box rows; pv_box_init gives [0,0]^dim). intervals = 0: the
 *     domain has no interval part, lo and hi are not read (0 there);
 *   - nrows >= 0 general rows, row k: sum_i a[k*dim + i] x_i + c[k] >= 0,
 *     or = 0 when eq[k]; in the order they were added (a file's order);
 *     NULL arrays when nrows = 0. Row k is the domain row k of answers
 *     ("domain": k in a cell's facets, certificates' d:k);
 *   - the domain is the intersection of the interval part and the rows.
 * A plain box has intervals = 1 and nrows = 0 (pv_box_is_box): commands
 * that only know boxes check it. A domain with intervals = 0 need not be
 * bounded; enumeration decides it (enumerate.h). */
#ifndef POLYVERIFY_BOX_H
#define POLYVERIFY_BOX_H

#include "export.h"

#include <gmp.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_box {
    int dim;
    mpq_t *lo, *hi;        /* dim each: the interval part (if intervals)  */
    int intervals;         /* 1: LO <= x <= HI is part of the domain      */
    int nrows;             /* general rows a.x + c >= 0 (= 0 if eq)        */
    mpq_t *a;              /* nrows * dim, row-major: PV_BOX_A(box, k, i)  */
    mpq_t *c;              /* nrows                                        */
    unsigned char *eq;     /* nrows                                        */
} pv_box;

#define PV_BOX_A(box, k, i) ((box)->a[(size_t)(k) * (size_t)(box)->dim + (size_t)(i)])

PV_API void pv_box_init(pv_box *box, int dim);   /* [0,0]^dim, no rows */
PV_API void pv_box_clear(pv_box *box);
/* "LO,HI" (every coordinate) or "LO1,HI1,...,LOm,HIm"; LO > HI is an
 * error. box initialised (any dim); replaced only on success, by a plain
 * box (its rows, if any, are dropped). */
PV_API pv_status pv_box_parse(pv_box *box, int dim, const char *s, pv_error *err);

/* Appends the row a.x + c >= 0 (= 0 when eq), a: box->dim numbers. */
PV_API pv_status pv_box_add_row(pv_box *box, mpq_t *const a, const mpq_t c, int eq,
                                pv_error *err);
/* 1 when the domain is a plain box: intervals and no general row. */
PV_API int pv_box_is_box(const pv_box *box);
/* The number of rows the domain adds to a system: 2 dim box sides (when
 * intervals), then its nrows general rows. */
PV_API int pv_box_system_rows(const pv_box *box);
/* -1 when x (dim numbers) satisfies every constraint of the domain, else
 * the first one it violates: 2 i + hi for the box side (i, hi), or
 * 2 dim + k for general row k. */
PV_API int pv_box_violated(const pv_box *box, mpq_t *const x);

/* What a domain file held besides the box. */
typedef struct pv_domain_info {
    const char *format;        /* "vnnlib" or "ine"                        */
    int inputs_declared;       /* VNN-LIB: the X_i declared                */
    int output_constraints;    /* VNN-LIB: assertions on the outputs Y_j,
                                  which are not part of the input domain   */
    int constraints;           /* the input constraints read (atomic
                                  comparisons, .ine rows)                  */
} pv_domain_info;

PV_API void pv_domain_info_init(pv_domain_info *info);

/* An input domain from a file, exactly: a VNN-LIB property (its input
 * constraints: comparisons <=, >=, = of linear terms in the X_i — numbers,
 * X_i, (+ ...), (- ...), (* NUMBER term), (/ term NUMBER) — and (and ...)
 * of them) or a cddlib H-representation (.ine, by extension or a `begin`
 * line: rows b + a.x >= 0, `linearity` rows = 0). When the constraints on
 * single inputs bound every input on both sides, they are the interval
 * part (the tightest bounds) and the others the general rows, in file
 * order; otherwise every constraint is a general row (intervals = 0).
 * Anything else (a nonlinear term, a disjunction or negation on inputs, a
 * strict comparison, a constraint mixing inputs and outputs) is refused
 * naming the file, the line and what was expected. info may be NULL. box
 * initialised (any dim); replaced only on success. */
PV_API pv_status pv_box_load(pv_box *box, int dim, const char *path,
                             pv_domain_info *info, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
