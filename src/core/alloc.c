/* polyverify — memory allocation (see alloc.h). */
#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

void *pv_malloc(size_t n) { return malloc(n); }
void *pv_calloc(size_t count, size_t size) { return calloc(count, size); }
void *pv_realloc(void *p, size_t n) { return realloc(p, n); }
void pv_free(void *p) { free(p); }

char *pv_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = pv_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}
