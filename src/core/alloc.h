/* polyverify — the library's memory allocation (internal).
 *
 * Every allocation of src/ goes through these, so that out-of-memory is one
 * concept in one place (alloc.c). They behave as the C library's malloc,
 * calloc, realloc, free and strdup. */
#ifndef PV_ALLOC_H
#define PV_ALLOC_H

#include <stddef.h>

void *pv_malloc(size_t n);
void *pv_calloc(size_t count, size_t size);
void *pv_realloc(void *p, size_t n);
void pv_free(void *p);
char *pv_strdup(const char *s);

#endif
