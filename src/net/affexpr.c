/* polyverify — sparse affine expressions (affexpr.h).
 *
 * Every product is formed row by row in a dense accumulator of the
 * frontier's width: the columns a row touches are marked, summed exactly,
 * sorted and stored without zeros, so the cost of a row is the number of
 * products it takes, not the frontier's width. */
#include "core/alloc.h"
#include "net/affexpr.h"
#include "exact/linalg.h"

#include <stdlib.h>
#include <string.h>

/* Vectors of initialised rationals (linalg.h), sized in size_t here. */
static mpq_t *values(size_t n) { return pv_qvec_new((int)n); }
static void values_free(mpq_t *v, size_t n) { pv_qvec_free(v, (int)n); }

void pv__aff_clear(pv__aff *f)
{
    if (f->start != NULL)
        values_free(f->a, f->start[f->rows]);
    values_free(f->c, (size_t)f->rows);
    pv_free(f->start);
    pv_free(f->col);
    memset(f, 0, sizeof *f);
}

size_t pv__aff_nnz(const pv__aff *f) { return f->start[f->rows]; }

/* ---- building rows -------------------------------------------------------- */

typedef struct builder {
    int cols;
    mpq_t *acc;            /* cols, zero outside the marked columns */
    unsigned char *mark;
    int *touched, nt;
    size_t *start, nnz, cap;
    int *col;
    mpq_t *a;
    int rows;
} builder;

static void b_init(builder *b, int rows, int cols)
{
    memset(b, 0, sizeof *b);
    b->cols = cols;
    b->acc = values((size_t)cols);
    b->mark = pv_calloc((size_t)cols + 1, 1);
    b->touched = pv_malloc(((size_t)cols + 1) * sizeof *b->touched);
    b->start = pv_malloc(((size_t)rows + 1) * sizeof *b->start);
    b->start[0] = 0;
    b->cap = 16;
    b->col = pv_malloc(b->cap * sizeof *b->col);
    b->a = pv_malloc(b->cap * sizeof *b->a);
}

/* acc[j] += w * x (w NULL: += x). */
static void b_add(builder *b, int j, const mpq_t *w, const mpq_t x, mpq_t t)
{
    if (!b->mark[j]) {
        b->mark[j] = 1;
        b->touched[b->nt++] = j;
    }
    if (w == NULL) {
        mpq_add(b->acc[j], b->acc[j], x);
    } else {
        mpq_mul(t, *w, x);
        mpq_add(b->acc[j], b->acc[j], t);
    }
}

static int cmp_int(const void *x, const void *y)
{
    int a = *(const int *)x, c = *(const int *)y;
    return (a > c) - (a < c);
}

/* Stores the accumulated row (its nonzeros in column order), clears acc. */
static void b_end_row(builder *b)
{
    qsort(b->touched, (size_t)b->nt, sizeof *b->touched, cmp_int);
    for (int k = 0; k < b->nt; k++) {
        int j = b->touched[k];
        b->mark[j] = 0;
        if (mpq_sgn(b->acc[j]) == 0)
            continue;
        if (b->nnz == b->cap) {
            b->cap *= 2;
            b->col = pv_realloc(b->col, b->cap * sizeof *b->col);
            b->a = pv_realloc(b->a, b->cap * sizeof *b->a);
        }
        b->col[b->nnz] = j;
        mpq_init(b->a[b->nnz]);
        mpq_swap(b->a[b->nnz], b->acc[j]);
        b->nnz++;
    }
    b->nt = 0;
    b->start[++b->rows] = b->nnz;
}

/* Replaces f's rows by the built ones (f->c is the caller's). */
static void b_finish(builder *b, pv__aff *f)
{
    if (f->start != NULL)
        values_free(f->a, f->start[f->rows]);
    pv_free(f->start);
    pv_free(f->col);
    f->rows = b->rows;
    f->cols = b->cols;
    f->start = b->start;
    f->col = b->col;
    f->a = b->a;
    values_free(b->acc, (size_t)b->cols);
    pv_free(b->mark);
    pv_free(b->touched);
}

/* ---- construction ---------------------------------------------------------- */

void pv__aff_unit(pv__aff *f, int rows, int cols, int first)
{
    memset(f, 0, sizeof *f);
    f->rows = rows;
    f->cols = cols;
    f->start = pv_malloc(((size_t)rows + 1) * sizeof *f->start);
    f->col = pv_malloc(((size_t)rows + 1) * sizeof *f->col);
    f->a = values((size_t)rows);
    for (int i = 0; i < rows; i++) {
        f->start[i] = (size_t)i;
        f->col[i] = first + i;
        mpq_set_ui(f->a[i], 1, 1);
    }
    f->start[rows] = (size_t)rows;
}

void pv__aff_identity(pv__aff *f, int n) { pv__aff_unit(f, n, n, 0); }

void pv__aff_constant(pv__aff *f, mpq_t *const k, int n, int cols)
{
    memset(f, 0, sizeof *f);
    f->rows = n;
    f->cols = cols;
    f->start = pv_calloc((size_t)n + 1, sizeof *f->start);
    f->col = pv_malloc(sizeof *f->col);
    f->a = values(0);
    f->c = values((size_t)n);
    for (int i = 0; i < n; i++)
        mpq_set(f->c[i], k[i]);
}

void pv__aff_copy(pv__aff *dst, const pv__aff *src)
{
    size_t nnz = pv__aff_nnz(src);
    memset(dst, 0, sizeof *dst);
    dst->rows = src->rows;
    dst->cols = src->cols;
    dst->start = pv_malloc(((size_t)src->rows + 1) * sizeof *dst->start);
    memcpy(dst->start, src->start, ((size_t)src->rows + 1) * sizeof *dst->start);
    dst->col = pv_malloc((nnz + 1) * sizeof *dst->col);
    memcpy(dst->col, src->col, nnz * sizeof *dst->col);
    dst->a = values(nnz);
    for (size_t e = 0; e < nnz; e++)
        mpq_set(dst->a[e], src->a[e]);
    if (src->c != NULL) {
        dst->c = values((size_t)src->rows);
        for (int i = 0; i < src->rows; i++)
            mpq_set(dst->c[i], src->c[i]);
    }
}

/* ---- row-wise maps ------------------------------------------------------- */

static void need_c(pv__aff *f)
{
    if (f->c == NULL)
        f->c = values((size_t)f->rows);
}

void pv__aff_scale(pv__aff *f, mpq_t *const k, size_t nk, int divide)
{
    void (*op)(mpq_ptr, mpq_srcptr, mpq_srcptr) = divide ? mpq_div : mpq_mul;
    int zero = 0;
    for (int i = 0; i < f->rows; i++) {
        const mpq_t *s = &k[nk == 1 ? 0 : (size_t)i];
        zero = zero || (!divide && mpq_sgn(*s) == 0 && f->start[i + 1] > f->start[i]);
        for (size_t e = f->start[i]; e < f->start[i + 1]; e++)
            op(f->a[e], f->a[e], *s);
        if (f->c != NULL)
            op(f->c[i], f->c[i], *s);
    }
    if (zero) {             /* a zero factor left stored zeros: drop them */
        pv__lmap id = { f->rows, f->rows, NULL, NULL, NULL, NULL };
        id.start = pv_malloc(((size_t)f->rows + 1) * sizeof *id.start);
        id.col = pv_malloc(((size_t)f->rows + 1) * sizeof *id.col);
        for (int i = 0; i <= f->rows; i++) {
            id.start[i] = (size_t)i;
            if (i < f->rows)
                id.col[i] = i;
        }
        pv__aff_apply_lmap(f, &id);
        pv_free(id.start);
        pv_free(id.col);
    }
}

void pv__aff_shift(pv__aff *f, mpq_t *const k, size_t nk, int sign)
{
    need_c(f);
    for (int i = 0; i < f->rows; i++) {
        const mpq_t *s = &k[nk == 1 ? 0 : (size_t)i];
        if (sign < 0)
            mpq_sub(f->c[i], f->c[i], *s);
        else
            mpq_add(f->c[i], f->c[i], *s);
    }
}

/* ---- products -------------------------------------------------------------- */

/* Row r of the result = sum_k w_k * row_{j_k}(f) (+ constants), given by
 * (n, j, w) for each r through `term`. */
typedef void (*row_terms)(const void *ctx, int r, size_t *n, const int **j,
                          const mpq_t **w, int *wstride);

static void combine(pv__aff *f, int rows, const void *ctx, row_terms terms,
                    mpq_t *const bias)
{
    builder b;
    b_init(&b, rows, f->cols);
    mpq_t t, *c = NULL;
    mpq_init(t);
    if (f->c != NULL || bias != NULL)
        c = values((size_t)rows);
    for (int r = 0; r < rows; r++) {
        size_t n;
        const int *j;
        const mpq_t *w;
        int ws;
        terms(ctx, r, &n, &j, &w, &ws);
        if (bias != NULL)
            mpq_set(c[r], bias[r]);
        for (size_t k = 0; k < n; k++) {
            int src = j ? j[k] : (int)k;
            const mpq_t *wk = w ? &w[k * (size_t)ws] : NULL;
            if (wk != NULL && mpq_sgn(*wk) == 0)
                continue;
            if (f->c != NULL) {
                if (wk == NULL) {
                    mpq_add(c[r], c[r], f->c[src]);
                } else {
                    mpq_mul(t, *wk, f->c[src]);
                    mpq_add(c[r], c[r], t);
                }
            }
            for (size_t e = f->start[src]; e < f->start[src + 1]; e++)
                b_add(&b, f->col[e], wk, f->a[e], t);
        }
        b_end_row(&b);
    }
    mpq_clear(t);
    values_free(f->c, (size_t)f->rows);
    f->c = c;
    b_finish(&b, f);
}

static void lmap_terms(const void *ctx, int r, size_t *n, const int **j,
                       const mpq_t **w, int *ws)
{
    const pv__lmap *L = ctx;
    *n = L->start[r + 1] - L->start[r];
    *j = L->col + L->start[r];
    *w = L->coef ? L->coef + L->start[r] : NULL;
    *ws = 1;
}

void pv__aff_apply_lmap(pv__aff *f, const pv__lmap *L)
{
    combine(f, L->rows, L, lmap_terms, L->bias);
}

size_t pv__aff_lmap_nnz_bound(const pv__aff *f, const pv__lmap *L)
{
    size_t total = 0;
    for (int r = 0; r < L->rows; r++) {
        size_t row = 0;
        for (size_t k = L->start[r]; k < L->start[r + 1]; k++)
            row += f->start[L->col[k] + 1] - f->start[L->col[k]];
        total += row < (size_t)f->cols ? row : (size_t)f->cols;
    }
    return total;
}

void pv__aff_add(pv__aff *f, const pv__aff *g, int sign)
{
    builder b;
    b_init(&b, f->rows, f->cols);
    mpq_t t, m1;
    mpq_inits(t, m1, NULL);
    mpq_set_si(m1, sign, 1);
    for (int r = 0; r < f->rows; r++) {
        for (size_t e = f->start[r]; e < f->start[r + 1]; e++)
            b_add(&b, f->col[e], NULL, f->a[e], t);
        for (size_t e = g->start[r]; e < g->start[r + 1]; e++)
            b_add(&b, g->col[e], (const mpq_t *)&m1, g->a[e], t);
        b_end_row(&b);
    }
    if (g->c != NULL) {
        need_c(f);
        for (int r = 0; r < f->rows; r++)
            (sign < 0 ? mpq_sub : mpq_add)(f->c[r], f->c[r], g->c[r]);
    }
    mpq_clears(t, m1, NULL);
    b_finish(&b, f);
}

void pv__aff_stack(pv__aff *f, const pv__aff *parts, int n)
{
    int rows = 0, cols = n > 0 ? parts[0].cols : 0, anyc = 0;
    size_t nnz = 0;
    for (int p = 0; p < n; p++) {
        rows += parts[p].rows;
        nnz += pv__aff_nnz(&parts[p]);
        anyc = anyc || parts[p].c != NULL;
    }
    memset(f, 0, sizeof *f);
    f->rows = rows;
    f->cols = cols;
    f->start = pv_malloc(((size_t)rows + 1) * sizeof *f->start);
    f->col = pv_malloc((nnz + 1) * sizeof *f->col);
    f->a = values(nnz);
    f->c = anyc ? values((size_t)rows) : NULL;
    size_t e = 0;
    int r = 0;
    f->start[0] = 0;
    for (int p = 0; p < n; p++) {
        const pv__aff *g = &parts[p];
        for (int i = 0; i < g->rows; i++, r++) {
            for (size_t k = g->start[i]; k < g->start[i + 1]; k++, e++) {
                f->col[e] = g->col[k];
                mpq_set(f->a[e], g->a[k]);
            }
            f->start[r + 1] = e;
            if (anyc && g->c != NULL)
                mpq_set(f->c[r], g->c[i]);
        }
    }
}
