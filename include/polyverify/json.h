/* polyverify — deterministic JSON output.
 *
 * A small streaming writer: the caller opens and closes objects and
 * arrays, and every member is written in the order given, so the same
 * answer always prints the same bytes. Exact rationals print as strings
 * "p/q" (JSON numbers would invite float parsing). */
#ifndef POLYVERIFY_JSON_H
#define POLYVERIFY_JSON_H

#include "export.h"

#include <stdio.h>
#include <gmp.h>
#include "cell.h"
#include "radius.h"
#include "segment.h"
#include "network.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PV_JSON_MAX_DEPTH 32

typedef struct pv_json {
    FILE *f;
    int depth;
    int count[PV_JSON_MAX_DEPTH];   /* members written at each level */
    int inline_depth;               /* levels from here on stay on one line */
} pv_json;

PV_API void pv_json_init(pv_json *j, FILE *f);
/* key is NULL inside arrays and at the top level. */
PV_API void pv_json_begin_object(pv_json *j, const char *key);
PV_API void pv_json_end_object(pv_json *j);
PV_API void pv_json_begin_array(pv_json *j, const char *key);
PV_API void pv_json_end_array(pv_json *j);
PV_API void pv_json_int(pv_json *j, const char *key, long v);
PV_API void pv_json_bool(pv_json *j, const char *key, int v);
PV_API void pv_json_null(pv_json *j, const char *key);
PV_API void pv_json_string(pv_json *j, const char *key, const char *s);
PV_API void pv_json_rational(pv_json *j, const char *key, const mpq_t q);
PV_API void pv_json_rationals(pv_json *j, const char *key, mpq_t *const q, int n);
PV_API void pv_json_ints(pv_json *j, const char *key, const int *v, int n);
PV_API void pv_json_code(pv_json *j, const char *key, const pv_code *c);
/* [a, b] on one line: a pair of codes (an edge). */
PV_API void pv_json_code_pair(pv_json *j, const char *key, const pv_code *a,
                              const pv_code *b);

/* The cell object of DESIGN §3.3. */
PV_API void pv_json_cell(pv_json *j, const char *key, const pv_cell *C);
/* The members of that object, into an object the caller opened (to write
 * members of its own after them, as `cell --volume` does). */
PV_API void pv_json_cell_members(pv_json *j, const pv_cell *C);
/* {"pieces": [{"code", "t_from", "t_to"}], "breakpoints": [{"t", "code"}],
 *  "cells": npieces} (issue 14). */
PV_API void pv_json_segment(pv_json *j, const char *key, const pv_segment *s);
/* {"code", "l2_squared", "linf", "nearest_l2": {"neurons", "box"?, "point",
 *  "neighbor"}, "nearest_linf": {...}}; nulls when the cell has no boundary. */
PV_API void pv_json_radius(pv_json *j, const char *key, const pv_radius *R);

#ifdef __cplusplus
}
#endif
#endif
