/* polyverify — sparse linear maps of flattened tensors (onnx_affine.h).
 *
 * Index arithmetic only: a value at (c, h, w) of a [C, H, W] tensor is
 * entry (c H + h) W + w of the flattened vector (row-major, as ONNX
 * stores it), so every builder below writes, for each output entry, the
 * input entries it reads and with which exact coefficient. */
#include "core/alloc.h"
#include "net/onnx_affine.h"

void pv__lmap_clear(pv__lmap *L)
{
    size_t nnz = L->start != NULL ? L->start[L->rows] : 0;
    if (L->coef != NULL)
        for (size_t k = 0; k < nnz; k++)
            mpq_clear(L->coef[k]);
    if (L->bias != NULL)
        for (int r = 0; r < L->rows; r++)
            mpq_clear(L->bias[r]);
    pv_free(L->start);
    pv_free(L->col);
    pv_free(L->coef);
    pv_free(L->bias);
    L->start = NULL;
    L->col = NULL;
    L->coef = L->bias = NULL;
    L->rows = L->cols = 0;
}

/* Room for at most `cap` entries; with coefficients when `coef`. */
static void lmap_alloc(pv__lmap *L, int rows, int cols, size_t cap, int coef)
{
    L->rows = rows;
    L->cols = cols;
    L->start = pv_malloc(((size_t)rows + 1) * sizeof *L->start);
    L->col = pv_malloc((cap + 1) * sizeof *L->col);
    L->coef = NULL;
    L->bias = NULL;
    if (coef) {
        L->coef = pv_malloc((cap + 1) * sizeof *L->coef);
        for (size_t k = 0; k < cap; k++)
            mpq_init(L->coef[k]);
    }
    L->start[0] = 0;
}

/* The capacity lmap_alloc reserved beyond the entries written (coef only). */
static void lmap_trim(pv__lmap *L, size_t cap)
{
    for (size_t k = L->start[L->rows]; L->coef != NULL && k < cap; k++)
        mpq_clear(L->coef[k]);
}

void pv__lmap_select(pv__lmap *L, int rows, int cols, const int64_t *src)
{
    lmap_alloc(L, rows, cols, (size_t)rows, 0);
    size_t k = 0;
    for (int r = 0; r < rows; r++) {
        if (src[r] >= 0)
            L->col[k++] = (int)src[r];
        L->start[r + 1] = k;
    }
}

/* The input place of kernel tap i along an axis of n places, or -1 in the
 * padding. */
static int64_t tap(int64_t o, int64_t stride, int64_t pad, int64_t i,
                   int64_t dil, int64_t n)
{
    int64_t p = o * stride - pad + i * dil;
    return p >= 0 && p < n ? p : -1;
}

void pv__lmap_conv(pv__lmap *L, const pv__window *g, mpq_t *const w,
                   mpq_t *const b)
{
    int64_t cg = g->C / g->group, mg = g->M / g->group;
    int rows = (int)(g->M * g->OH * g->OW);
    size_t cap = (size_t)rows * (size_t)(cg * g->kh * g->kw);
    lmap_alloc(L, rows, (int)(g->C * g->H * g->W), cap, 1);
    size_t k = 0;
    int r = 0;
    for (int64_t m = 0; m < g->M; m++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++, r++) {
                int64_t c0 = (m / mg) * cg;      /* the group's channels */
                for (int64_t c = 0; c < cg; c++)
                    for (int64_t i = 0; i < g->kh; i++) {
                        int64_t h = tap(oh, g->sh, g->pt, i, g->dh, g->H);
                        for (int64_t j = 0; h >= 0 && j < g->kw; j++) {
                            int64_t x = tap(ow, g->sw, g->pl, j, g->dw, g->W);
                            const mpq_t *v =
                                &w[((m * cg + c) * g->kh + i) * g->kw + j];
                            if (x < 0 || mpq_sgn(*v) == 0)
                                continue;
                            L->col[k] = (int)(((c0 + c) * g->H + h) * g->W + x);
                            mpq_set(L->coef[k++], *v);
                        }
                    }
                L->start[r + 1] = k;
            }
    lmap_trim(L, cap);
    if (b == NULL)
        return;
    L->bias = pv_malloc(((size_t)rows + 1) * sizeof *L->bias);
    for (r = 0; r < rows; r++)
    {
        mpq_init(L->bias[r]);
        mpq_set(L->bias[r], b[r / (g->OH * g->OW)]);
    }
}

void pv__lmap_avgpool(pv__lmap *L, const pv__window *g, int count_pad)
{
    int rows = (int)(g->C * g->OH * g->OW);
    size_t cap = (size_t)rows * (size_t)(g->kh * g->kw);
    lmap_alloc(L, rows, (int)(g->C * g->H * g->W), cap, 1);
    size_t k = 0;
    int r = 0;
    for (int64_t c = 0; c < g->C; c++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++, r++) {
                size_t first = k;
                for (int64_t i = 0; i < g->kh; i++) {
                    int64_t h = tap(oh, g->sh, g->pt, i, 1, g->H);
                    for (int64_t j = 0; h >= 0 && j < g->kw; j++) {
                        int64_t x = tap(ow, g->sw, g->pl, j, 1, g->W);
                        if (x >= 0)
                            L->col[k++] = (int)((c * g->H + h) * g->W + x);
                    }
                }
                /* the divisor: the window's size, or its places inside */
                unsigned long n = count_pad ? (unsigned long)(g->kh * g->kw)
                                            : (unsigned long)(k - first);
                for (size_t e = first; e < k; e++)
                    mpq_set_ui(L->coef[e], 1, n ? n : 1);
                L->start[r + 1] = k;
            }
    lmap_trim(L, cap);
}

void pv__lmapb_init(pv__lmap_builder *b, int rows, int cols)
{
    b->cap = 16;
    lmap_alloc(&b->L, rows, cols, b->cap, 1);
    b->L.bias = pv_malloc(((size_t)rows + 1) * sizeof *b->L.bias);
    for (int r = 0; r < rows; r++)
        mpq_init(b->L.bias[r]);
    b->r = 0;
    b->k = 0;
}

static void lmapb_room(pv__lmap_builder *b)
{
    if (b->k < b->cap)
        return;
    size_t cap = 2 * b->cap;
    b->L.col = pv_realloc(b->L.col, (cap + 1) * sizeof *b->L.col);
    b->L.coef = pv_realloc(b->L.coef, (cap + 1) * sizeof *b->L.coef);
    for (size_t k = b->cap; k < cap; k++)
        mpq_init(b->L.coef[k]);
    b->cap = cap;
}

void pv__lmapb_add(pv__lmap_builder *b, int col, const mpq_t w)
{
    lmapb_room(b);
    b->L.col[b->k] = col;
    mpq_set(b->L.coef[b->k++], w);
}

void pv__lmapb_add_si(pv__lmap_builder *b, int col, long w)
{
    lmapb_room(b);
    b->L.col[b->k] = col;
    mpq_set_si(b->L.coef[b->k++], w, 1);
}

void pv__lmapb_row(pv__lmap_builder *b, const mpq_t *bias)
{
    if (bias != NULL)
        mpq_set(b->L.bias[b->r], *bias);
    b->L.start[++b->r] = b->k;
}

void pv__lmapb_finish(pv__lmap_builder *b, pv__lmap *L)
{
    lmap_trim(&b->L, b->cap);
    *L = b->L;
}

/* ConvTranspose, row by row: output (m, oh, ow) gathers input (c, h, x)
 * through kernel tap (i, j) when oh = h sh - pt + i dh (likewise ow). */
void pv__lmap_convtranspose(pv__lmap *L, const pv__window *g,
                            mpq_t *const w, mpq_t *const b)
{
    int64_t cg = g->C / g->group, mg = g->M / g->group;
    int rows = (int)(g->M * g->OH * g->OW);
    pv__lmap_builder B;
    pv__lmapb_init(&B, rows, (int)(g->C * g->H * g->W));
    for (int64_t m = 0; m < g->M; m++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++) {
                int64_t grp = m / mg, mm = m % mg;
                for (int64_t c = 0; c < cg; c++)
                    for (int64_t i = 0; i < g->kh; i++) {
                        int64_t th = oh + g->pt - i * g->dh;
                        if (th < 0 || th % g->sh || th / g->sh >= g->H)
                            continue;
                        for (int64_t j = 0; j < g->kw; j++) {
                            int64_t tw = ow + g->pl - j * g->dw;
                            if (tw < 0 || tw % g->sw || tw / g->sw >= g->W)
                                continue;
                            int64_t ci = grp * cg + c;
                            /* W is [C, M/group, kh, kw] */
                            const mpq_t *v = &w[((ci * mg + mm) * g->kh + i) * g->kw + j];
                            if (mpq_sgn(*v) == 0)
                                continue;
                            pv__lmapb_add(&B, (int)((ci * g->H + th / g->sh) * g->W + tw / g->sw), *v);
                        }
                    }
                pv__lmapb_row(&B, b ? (const mpq_t *)&b[m] : NULL);
            }
    pv__lmapb_finish(&B, L);
}
