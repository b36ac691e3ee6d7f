/* polyverify — small text helpers shared by the parsers (internal). */
#ifndef PV_TEXT_H
#define PV_TEXT_H

#include <stddef.h>

/* Quoted excerpt of text p[0..n) for error messages: at most 40
 * characters, non-printable bytes escaped, so that a message stays one
 * readable line. Writes into buf and returns it. */
const char *pv_excerpt(char *buf, size_t size, const char *p, size_t n);

/* Reads a whole file (at most max_bytes) into a NUL-terminated buffer the
 * caller frees; errors name the file. */
#include "polyverify/error.h"
pv_status pv_read_file(const char *path, size_t max_bytes, char **text,
                       size_t *len, pv_error *err);

#endif
