/* polyverify — a set of activation codes, each mapped to an int (internal).
 *
 * Open addressing on an FNV-1a hash of the code's bytes (one byte a bit, as
 * in pv_code), kept at most half full; the set owns copies of its codes. */
#ifndef PV_CODESET_H
#define PV_CODESET_H

#include <stddef.h>

typedef struct pv_codeset {
    int n;                     /* bytes per code                           */
    size_t cap, count;         /* cap a power of two, count < cap / 2      */
    unsigned char **slot;      /* NULL or a code's n bytes                 */
    int *value;                /* what each code maps to                   */
} pv_codeset;

/* 1, or 0 out of memory (then clear it all the same). */
int pv_codeset_init(pv_codeset *s, int nbytes);
void pv_codeset_clear(pv_codeset *s);
/* The value of code b, or -1 when absent. */
int pv_codeset_get(const pv_codeset *s, const unsigned char *b);
/* Adds b (absent) with value v: 0, or -1 out of memory. */
int pv_codeset_add(pv_codeset *s, const unsigned char *b, int v);

#endif
