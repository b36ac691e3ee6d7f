/* polyverify — index sorting and search randomness (see sort.h). */
#include "core/sort.h"

#include <string.h>

void pv_sort_indices(int *idx, int *tmp, int n, pv_index_cmp cmp,
                     const void *ctx)
{
    if (n < 2)
        return;
    int h = n / 2;
    pv_sort_indices(idx, tmp, h, cmp, ctx);
    pv_sort_indices(idx + h, tmp, n - h, cmp, ctx);
    int a = 0, b = h, t = 0;
    while (a < h || b < n)
        tmp[t++] = (b >= n || (a < h && cmp(ctx, idx[a], idx[b]) <= 0)) ? idx[a++] : idx[b++];
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
}

int pv_int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

uint64_t pv_xorshift64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}
