/* polyverify — exact points from text: one point, or a set from CSV. */
#ifndef POLYVERIFY_POINT_H
#define POLYVERIFY_POINT_H

#include "export.h"

#include <stddef.h>
#include <gmp.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses "1/2,-3,0.25" into dim rationals (x initialised by the caller). */
PV_API pv_status pv_point_parse(mpq_t *x, int dim, const char *s, pv_error *err);

/* A set of points read from CSV: one row per point, coordinates exact.
 * label_column (0-based, or -1) names a column that is not a coordinate;
 * its text is kept in labels. */
typedef struct pv_pointset {
    int dim, count;
    mpq_t *x;        /* count*dim, row-major            */
    char **labels;   /* count strings, or NULL if none  */
} pv_pointset;

PV_API void pv_pointset_init(pv_pointset *ps);
PV_API void pv_pointset_clear(pv_pointset *ps);
/* Reads the CSV file into ps (initialised; replaced only on success). */
PV_API pv_status pv_pointset_read_csv(pv_pointset *ps, const char *path, int dim,
                                      int label_column, pv_error *err);
/* The same from CSV text in memory (text[0..len), no terminator needed);
 * `name` stands for the file in messages. pv_pointset_read_csv reads the
 * file and calls this. */
PV_API pv_status pv_pointset_parse_csv(pv_pointset *ps, const char *text,
                                       size_t len, const char *name, int dim,
                                       int label_column, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
