/* polyverify — the set of codes an enumeration has found: the cell array,
 * in the order found, and its open-addressing hash table (see
 * enum_internal.h for the invariants). */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <string.h>

#include "exact/linalg.h"

uint64_t pv_codeset_hash_bytes(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_code(const pv_code *c)
{
    return pv_codeset_hash_bytes(c->bit, (size_t)c->n, 14695981039346656037ULL);
}

uint64_t pv_codeset_hash_rows(const int *rows, int n)
{
    return pv_codeset_hash_bytes((const unsigned char *)rows, (size_t)n * sizeof(int),
                      14695981039346656037ULL ^ (uint64_t)n);
}

static void table_grow(state *st)
{
    size_t cap = st->tcap ? st->tcap * 2 : 1024;
    int *t = pv_calloc(cap, sizeof *t);
    for (size_t i = 0; i < st->tcap; i++) {
        if (!st->table[i])
            continue;
        size_t h = hash_code(&st->cells[st->table[i] - 1].code) & (cap - 1);
        while (t[h])
            h = (h + 1) & (cap - 1);
        t[h] = st->table[i];
    }
    pv_free(st->table);
    st->table = t;
    st->tcap = cap;
}

static int table_find(const state *st, const pv_code *c, size_t *slot)
{
    size_t h = hash_code(c) & (st->tcap - 1);
    while (st->table[h]) {
        if (pv_code_equal(&st->cells[st->table[h] - 1].code, c))
            return st->table[h] - 1;
        h = (h + 1) & (st->tcap - 1);
    }
    *slot = h;
    return -1;
}

/* Index of code, adding it if new; -1 when the cell limit stops adding. */
int pv_codeset_add(state *st, const pv_code *c)
{
    if ((size_t)(st->ncells + 1) * 2 > st->tcap)
        table_grow(st);
    size_t slot = 0;
    int i = table_find(st, c, &slot);
    if (i >= 0)
        return i;
    if (!pv_limits_room(st))
        return -1;
    if (st->ncells == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 256;
        st->cells = pv_realloc(st->cells, (size_t)st->cap * sizeof *st->cells);
    }
    ecell *e = &st->cells[st->ncells];
    memset(e, 0, sizeof *e);
    pv_code_init(&e->code, 0);
    pv_code_set(&e->code, c);
    e->dim = -2;                       /* not decided yet */
    st->table[slot] = ++st->ncells;
    return st->ncells - 1;
}

void pv_codeset_add_neighbor(ecell *e, int j)
{
    for (int k = 0; k < e->nnbr; k++)
        if (e->nbr[k] == j)
            return;
    e->nbr = pv_realloc(e->nbr, (size_t)(e->nnbr + 1) * sizeof *e->nbr);
    e->nbr[e->nnbr++] = j;
}

/* Appends c (and a copy of the hint when y is given) to X's findings. */
static void note(cellctx *X, const pv_code *c, const double *y, const double *d)
{
    vresult *R = X->R;
    if (R->nfound == R->cap) {
        R->cap = R->cap ? 2 * R->cap : 16;
        R->found = pv_realloc(R->found, (size_t)R->cap * sizeof *R->found);
    }
    vfound *f = &R->found[R->nfound++];
    pv_code_init(&f->code, 0);
    pv_code_set(&f->code, c);
    f->beyond = y != NULL;
    f->hint = NULL;
    if (y) {
        int m = X->st->m;
        f->hint = pv_malloc((size_t)(2 * m + 1) * sizeof *f->hint);
        memcpy(f->hint, y, (size_t)m * sizeof *f->hint);
        memcpy(f->hint + m, d, (size_t)m * sizeof *f->hint);
    }
}

pv_status pv_codeset_record(cellctx *X, const pv_code *c)
{
    note(X, c, NULL, NULL);
    return PV_OK;
}

void pv_codeset_record_beyond(cellctx *X, const pv_code *c, const double *y,
                              const double *d)
{
    note(X, c, y, d);
}

static void ecell_clear(ecell *e, int m)
{
    pv_code_clear(&e->code);
    pv_qvec_free(e->point, m);
    pv_free(e->nbr);
    pv_free(e->hint);
}

void pv_codeset_truncate(state *st, int done)
{
    for (int i = done; i < st->ncells; i++)
        ecell_clear(&st->cells[i], st->m);
    for (int i = 0; i < done; i++) {
        ecell *e = &st->cells[i];
        int k = 0;
        for (int a = 0; a < e->nnbr; a++)
            if (e->nbr[a] < done)
                e->nbr[k++] = e->nbr[a];
        e->nnbr = k;
    }
    st->ncells = done;
}

void pv_codeset_clear(state *st)
{
    for (int i = 0; i < st->ncells; i++)
        ecell_clear(&st->cells[i], st->m);
    pv_free(st->cells);
    pv_free(st->table);
}
