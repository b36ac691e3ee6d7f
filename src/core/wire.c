/* polyverify — bytes between processes (see wire.h). */
#include "core/alloc.h"
#include "core/wire.h"

#include <string.h>

#include "exact/linalg.h"

static void reserve(pv_wbuf *B, size_t n)
{
    if (B->n + n > B->cap) {
        B->cap = 2 * (B->n + n) + 256;
        B->p = pv_realloc(B->p, B->cap);
    }
}

void pv_wire_put(pv_wbuf *B, const void *x, size_t n)
{
    reserve(B, n);
    memcpy(B->p + B->n, x, n);
    B->n += n;
}

void pv_wire_put_long(pv_wbuf *B, long v)
{
    pv_wire_put(B, &v, sizeof v);
}

/* An integer: its sign with its length, then its magnitude's bytes. */
static void put_mpz(pv_wbuf *B, const mpz_t z)
{
    size_t len = mpz_sgn(z) ? (mpz_sizeinbase(z, 2) + 7) / 8 : 0, out = 0;
    pv_wire_put_long(B, mpz_sgn(z) < 0 ? -(long)len - 1 : (long)len);
    reserve(B, len);
    if (len)
        mpz_export(B->p + B->n, &out, 1, 1, 1, 0, z);
    B->n += out;
}

void pv_wire_put_qvec(pv_wbuf *B, mpq_t *const x, int m)
{
    pv_wire_put_long(B, x != NULL);
    for (int j = 0; x && j < m; j++) {
        put_mpz(B, mpq_numref(x[j]));
        put_mpz(B, mpq_denref(x[j]));
    }
}

size_t pv_wire_left(const pv_rbuf *B)
{
    return B->bad ? 0 : B->n - B->at;
}

int pv_wire_get(pv_rbuf *B, void *x, size_t n)
{
    if (B->bad || n > B->n - B->at) {
        B->bad = 1;
        return 0;
    }
    memcpy(x, B->p + B->at, n);
    B->at += n;
    return 1;
}

long pv_wire_get_long(pv_rbuf *B)
{
    long v = 0;
    pv_wire_get(B, &v, sizeof v);
    return v;
}

static void get_mpz(pv_rbuf *B, mpz_t z)
{
    long v = pv_wire_get_long(B);
    size_t len = (size_t)(v < 0 ? -(v + 1) : v);
    if (B->bad || len > B->n - B->at) {
        B->bad = 1;
        return;
    }
    mpz_import(z, len, 1, 1, 1, 0, B->p + B->at);
    if (v < 0)
        mpz_neg(z, z);
    B->at += len;
}

mpq_t *pv_wire_get_qvec(pv_rbuf *B, int m)
{
    if (!pv_wire_get_long(B) || B->bad)
        return NULL;
    mpq_t *x = pv_qvec_new(m);
    for (int j = 0; j < m && !B->bad; j++) {
        get_mpz(B, mpq_numref(x[j]));
        get_mpz(B, mpq_denref(x[j]));
        if (mpz_sgn(mpq_denref(x[j])) <= 0)
            B->bad = 1;                 /* not a fraction a process wrote */
    }
    return x;
}
