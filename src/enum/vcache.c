/* polyverify — the enumeration's vertex cache: each exact vertex proved
 * once, read by every cell around it.
 *
 * A vertex v of cell c is the solution of c's rows T (m of them, m = the
 * input dimension), proved simple by exact_vertex (vertex.c): 0 on T, > 0
 * on every other row of c's system. Which rows those are depends on c only
 * through the key
 *     (the labels of T, sorted;  c's bits, with the bits of the T neurons
 *      of the deepest layer among T masked),
 * because a neuron's row in layer k depends on the bits of layers < k only
 * (Theorem 1's recursion), and the masked bits are of T neurons no row of T
 * depends on. Cell c' with the same key has the same m x m system (so the
 * same v, nonsingular) and every other bit equal to c's, so at v each of
 * its pre-activation rows has c's piece there: c' agrees with c off T, the
 * pieces agree with the network's pre-activations at v (induction over the
 * layers, z_T(v) = 0), whose signs c's proof fixed, and the box rows are
 * the same rows. So v is a proved simple vertex of P(c') with the same
 * exact coordinates, and nothing is recomputed.
 *
 * Invariants: entries[0 .. count) own their key and numbers; table is open
 * addressing (index + 1, 0 = empty) with tcap a power of two >= 2 count;
 * bytes counts what entries hold, and no entry is added past max_bytes
 * (the cache is then only read: a miss costs an exact solve, never an
 * answer). */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <string.h>

#include "exact/linalg.h"

static uint64_t hash_key(const unsigned char *k, size_t n)
{
    return pv_codeset_hash_bytes(k, n, 14695981039346656037ULL ^ (uint64_t)n);
}

void pv_vcache_init(pv_vcache *C, int m, int neurons, size_t max_bytes)
{
    memset(C, 0, sizeof *C);
    C->m = m;
    C->keylen = (size_t)m * sizeof(int) + (size_t)neurons;
    C->max_bytes = max_bytes;
}

void pv_vcache_clear(pv_vcache *C)
{
    for (int i = 0; i < C->count; i++) {
        pv_vcentry *e = &C->entries[i];
        pv_free(e->key);
        pv_zvec_free(e->X, (size_t)C->m);
        mpz_clear(e->delta);
        pv_free(e->x);
    }
    pv_free(C->entries);
    pv_free(C->table);
    memset(C, 0, sizeof *C);
}

/* The key of rows T (sorted row indices of S) in the cell of code c, into
 * key (keylen bytes): sorted labels, then the bits with the deepest T
 * layer's T neurons set to 2. */
void pv_vcache_key(const pv_vcache *C, unsigned char *key, const pv_system *S,
                   const pv_net *net, const pv_code *c, const int *T)
{
    int m = C->m, lab[64], deep = -1;
    for (int a = 0; a < m; a++) {
        lab[a] = S->label[T[a]];
        if (lab[a] > deep)
            deep = lab[a];
    }
    for (int a = 1; a < m; a++)          /* insertion sort: m <= 12 */
        for (int b = a; b > 0 && lab[b - 1] > lab[b]; b--) {
            int t = lab[b];
            lab[b] = lab[b - 1];
            lab[b - 1] = t;
        }
    memcpy(key, lab, (size_t)m * sizeof(int));
    unsigned char *bits = key + (size_t)m * sizeof(int);
    memcpy(bits, c->bit, (size_t)c->n);
    if (deep < 0)
        return;                          /* box rows only */
    int lo = 0, hi = c->n;               /* the deepest T neuron's layer */
    for (int k = 0; k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        if (L->nrelu > 0 && deep >= L->first_neuron &&
            deep < L->first_neuron + L->nrelu) {
            lo = L->first_neuron;
            hi = lo + L->nrelu;
        }
    }
    for (int a = 0; a < m; a++)
        if (lab[a] >= lo && lab[a] < hi)
            bits[lab[a]] = 2;
}

const pv_vcentry *pv_vcache_find(const pv_vcache *C, const unsigned char *key)
{
    if (!C->tcap)
        return NULL;
    size_t h = hash_key(key, C->keylen) & (C->tcap - 1);
    while (C->table[h]) {
        const pv_vcentry *e = &C->entries[C->table[h] - 1];
        if (!memcmp(e->key, key, C->keylen))
            return e;
        h = (h + 1) & (C->tcap - 1);
    }
    return NULL;
}

static void grow(pv_vcache *C)
{
    size_t cap = C->tcap ? 2 * C->tcap : 1024;
    int *t = pv_calloc(cap, sizeof *t);
    for (int i = 0; i < C->count; i++) {
        size_t h = hash_key(C->entries[i].key, C->keylen) & (cap - 1);
        while (t[h])
            h = (h + 1) & (cap - 1);
        t[h] = i + 1;
    }
    pv_free(C->table);
    C->table = t;
    C->tcap = cap;
}

void pv_vcache_put(pv_vcache *C, const unsigned char *key, mpz_t *const X,
                   const mpz_t delta, const double *x)
{
    size_t need = C->keylen + (size_t)C->m * (sizeof(mpz_t) + sizeof(double));
    for (int j = 0; j < C->m; j++)
        need += mpz_size(X[j]) * sizeof(mp_limb_t);
    need += sizeof(pv_vcentry) + 2 * sizeof(int);
    if (C->bytes + need > C->max_bytes || pv_vcache_find(C, key))
        return;
    if ((size_t)(C->count + 1) * 2 > C->tcap)
        grow(C);
    if (C->count == C->cap) {
        C->cap = C->cap ? 2 * C->cap : 256;
        C->entries = pv_realloc(C->entries, (size_t)C->cap * sizeof *C->entries);
    }
    pv_vcentry *e = &C->entries[C->count];
    e->key = pv_malloc(C->keylen);
    memcpy(e->key, key, C->keylen);
    e->X = pv_zvec_new(C->m);
    for (int j = 0; j < C->m; j++)
        mpz_set(e->X[j], X[j]);
    mpz_init_set(e->delta, delta);
    e->x = pv_malloc((size_t)C->m * sizeof *e->x);
    memcpy(e->x, x, (size_t)C->m * sizeof *e->x);
    size_t h = hash_key(key, C->keylen) & (C->tcap - 1);
    while (C->table[h])
        h = (h + 1) & (C->tcap - 1);
    C->table[h] = ++C->count;
    C->bytes += need;
}

void pv_vcache_absorb(pv_vcache *C, pv_vcache *from)
{
    for (int i = 0; i < from->count; i++) {
        const pv_vcentry *e = &from->entries[i];
        pv_vcache_put(C, e->key, e->X, e->delta, e->x);
    }
    pv_vcache_empty(from, 1);
}

void pv_vcache_empty(pv_vcache *C, int free_entries)
{
    int m = C->m, neurons = (int)(C->keylen - (size_t)m * sizeof(int));
    size_t max_bytes = C->max_bytes;
    if (free_entries)
        pv_vcache_clear(C);
    pv_vcache_init(C, m, neurons, max_bytes);
}
