/* polyverify — bytes between processes (internal): what an enumeration or
 * an exploration sends to the other processes of a distributed run
 * (src/enum/dist.c, src/enum/explore.c). Exact: integers as their bytes
 * (mpz_export), doubles and longs as their bytes (the processes are one
 * program on one kind of machine). A reader never reads past its block:
 * a short or garbled block sets `bad`, and the caller fails the run. */
#ifndef PV_WIRE_H
#define PV_WIRE_H

#include <stddef.h>
#include <gmp.h>

typedef struct pv_wbuf {
    unsigned char *p;        /* pv_malloc'd; the caller frees it          */
    size_t n, cap;
} pv_wbuf;

void pv_wire_put(pv_wbuf *B, const void *x, size_t n);
void pv_wire_put_long(pv_wbuf *B, long v);
/* A vector of m fractions, or NULL. */
void pv_wire_put_qvec(pv_wbuf *B, mpq_t *const x, int m);

typedef struct pv_rbuf {
    const unsigned char *p;
    size_t n, at;
    int bad;
} pv_rbuf;

/* Each returns 0 (and sets bad) when the block is too short. */
int pv_wire_get(pv_rbuf *B, void *x, size_t n);
long pv_wire_get_long(pv_rbuf *B);
/* A new vector (pv_qvec_free), or NULL as written (or when bad). */
mpq_t *pv_wire_get_qvec(pv_rbuf *B, int m);
/* Bytes left to read. */
size_t pv_wire_left(const pv_rbuf *B);

#endif
