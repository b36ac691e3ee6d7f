/* polyverify — a map from activation codes to ints (internal): the codes
 * an exploration or a slice walk has met, and where each one is.
 *
 * Open addressing on an FNV-1a hash of the code's bytes (one byte a bit, as
 * in pv_code), kept at most half full; the set owns copies of its codes. */
#ifndef PV_CODEMAP_H
#define PV_CODEMAP_H

#include <stddef.h>

typedef struct pv_codemap {
    int n;                     /* bytes per code                           */
    size_t cap, count;         /* cap a power of two, count < cap / 2      */
    unsigned char **slot;      /* NULL or a code's n bytes                 */
    int *value;                /* what each code maps to                   */
} pv_codemap;

/* 1, or 0 out of memory (then clear it all the same). */
int pv_codemap_init(pv_codemap *s, int nbytes);
void pv_codemap_clear(pv_codemap *s);
/* The value of code b, or -1 when absent. */
int pv_codemap_get(const pv_codemap *s, const unsigned char *b);
/* Adds b (absent) with value v: 0, or -1 out of memory. */
int pv_codemap_add(pv_codemap *s, const unsigned char *b, int v);

#endif
