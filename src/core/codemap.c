/* polyverify — a map from activation codes to ints (see codemap.h). */
#include "core/alloc.h"
#include "core/codemap.h"

#include <string.h>

static size_t code_hash(const unsigned char *b, int n)
{
    unsigned long long h = 1469598103934665603ULL;
    for (int i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return (size_t)h;
}

static size_t find(const pv_codemap *s, const unsigned char *b)
{
    size_t i = code_hash(b, s->n) & (s->cap - 1);
    while (s->slot[i] && memcmp(s->slot[i], b, (size_t)s->n))
        i = (i + 1) & (s->cap - 1);
    return i;
}

int pv_codemap_init(pv_codemap *s, int n)
{
    s->n = n ? n : 1;
    s->cap = 64;
    s->count = 0;
    s->slot = pv_calloc(s->cap, sizeof *s->slot);
    s->value = pv_malloc(s->cap * sizeof *s->value);
    return s->slot && s->value;
}

void pv_codemap_clear(pv_codemap *s)
{
    for (size_t i = 0; s->slot && i < s->cap; i++)
        pv_free(s->slot[i]);
    pv_free(s->slot);
    pv_free(s->value);
}

static int grow(pv_codemap *s)
{
    pv_codemap t = { s->n, s->cap * 2, 0, NULL, NULL };
    t.slot = pv_calloc(t.cap, sizeof *t.slot);
    t.value = pv_malloc(t.cap * sizeof *t.value);
    if (!t.slot || !t.value) {
        pv_free(t.slot);
        pv_free(t.value);
        return 0;
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->slot[i]) {
            size_t j = find(&t, s->slot[i]);
            t.slot[j] = s->slot[i];
            t.value[j] = s->value[i];
            t.count++;
        }
    pv_free(s->slot);
    pv_free(s->value);
    *s = t;
    return 1;
}

/* The value of b, or -1 when absent. */
int pv_codemap_get(const pv_codemap *s, const unsigned char *b)
{
    size_t i = find(s, b);
    return s->slot[i] ? s->value[i] : -1;
}

/* Adds b (absent) with value v: 0, or -1 out of memory. */
int pv_codemap_add(pv_codemap *s, const unsigned char *b, int v)
{
    if (2 * (s->count + 1) > s->cap && !grow(s))
        return -1;
    size_t i = find(s, b);
    if ((s->slot[i] = pv_malloc((size_t)s->n)) == NULL)
        return -1;
    memcpy(s->slot[i], b, (size_t)s->n);
    s->value[i] = v;
    s->count++;
    return 0;
}

