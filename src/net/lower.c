/* polyverify — lowering a graph to a chain of layers (lower.h). */
#include "core/alloc.h"
#include "net/lower.h"

#include <string.h>

/* A layer stored dense when at least half its weights are nonzero and
 * the dense matrix is not large, else in compressed rows. */
#define PV_DENSE_MAX_ENTRIES (1u << 24)

static int nrows_of(const pv__aff *f) { return f ? f->rows : 0; }

/* Appends the rows of the parts (in order) as one layer, the first nrelu
 * ReLU. parts[k] NULL is skipped; `pass` extra identity rows read the
 * columns cols[0 .. pass-1]. */
static pv_status append_rows(pv_net *net, int width, int nrelu,
                             const pv__aff *const *parts, int nparts,
                             const int *cols, int pass, pv_error *err)
{
    int out = pass;
    size_t nnz = (size_t)pass;
    for (int p = 0; p < nparts; p++)
        if (parts[p] != NULL) {
            out += parts[p]->rows;
            nnz += pv__aff_nnz(parts[p]);
        }
    int *rp = pv_malloc(((size_t)out + 1) * sizeof *rp);
    int *ci = pv_malloc((nnz + 1) * sizeof *ci);
    mpq_t *w = pv_malloc((nnz + 1) * sizeof *w), *b = pv_malloc(((size_t)out + 1) * sizeof *b);
    size_t e = 0;
    int r = 0;
    rp[0] = 0;
    for (int p = 0; p < nparts; p++) {
        const pv__aff *f = parts[p];
        for (int i = 0; f != NULL && i < f->rows; i++, r++) {
            for (size_t k = f->start[i]; k < f->start[i + 1]; k++, e++) {
                ci[e] = f->col[k];
                mpq_init(w[e]);
                mpq_set(w[e], f->a[k]);
            }
            mpq_init(b[r]);
            if (f->c != NULL)
                mpq_set(b[r], f->c[i]);
            rp[r + 1] = (int)e;
        }
    }
    for (int i = 0; i < pass; i++, r++) {
        ci[e] = cols[i];
        mpq_init(w[e]);
        mpq_set_ui(w[e], 1, 1);
        mpq_init(b[r]);
        rp[r + 1] = (int)++e;
    }
    double dense = (double)out * (double)width;
    if (dense > PV_DENSE_MAX_ENTRIES || 2.0 * (double)nnz < dense)
        return pv__net_add_sparse_layer(net, nrelu, out, rp, ci, w, b, err);
    pv_status st = pv__net_append_dense(net, nrelu, out, err);
    if (st == PV_OK) {
        pv_layer *L = &net->layers[net->nlayers - 1];
        for (int i = 0; i < out; i++) {
            for (int k = rp[i]; k < rp[i + 1]; k++)
                mpq_swap(L->w[(size_t)i * (size_t)width + (size_t)ci[k]], w[k]);
            mpq_swap(L->b[i], b[i]);
        }
    }
    for (size_t k = 0; k < nnz; k++)
        mpq_clear(w[k]);
    for (int i = 0; i < out; i++)
        mpq_clear(b[i]);
    pv_free(w);
    pv_free(b);
    pv_free(rp);
    pv_free(ci);
    return st;
}

pv_status pv__lower_emit(pv_net *net, int *width, const pv__aff *R,
                         const pv__aff *Z, pv__aff **live, int nlive,
                         pv_error *err)
{
    int n = *width;
    /* The frontier columns a live expression reads, and their new places. */
    int *newcol = pv_malloc(((size_t)n + 1) * sizeof *newcol);
    for (int j = 0; j < n; j++)
        newcol[j] = -1;
    for (int t = 0; t < nlive; t++)
        for (size_t e = 0; e < pv__aff_nnz(live[t]); e++)
            newcol[live[t]->col[e]] = 0;
    int base = R->rows + nrows_of(Z), pass = 0;
    int *cols = pv_malloc(((size_t)n + 1) * sizeof *cols);
    for (int j = 0; j < n; j++)
        if (newcol[j] == 0) {
            newcol[j] = base + pass;
            cols[pass++] = j;
        }
    const pv__aff *parts[2] = { R, Z };
    pv_status st = append_rows(net, n, R->rows, parts, 2, cols, pass, err);
    if (st == PV_OK) {
        *width = base + pass;
        for (int t = 0; t < nlive; t++) {
            for (size_t e = 0; e < pv__aff_nnz(live[t]); e++)
                live[t]->col[e] = newcol[live[t]->col[e]];
            live[t]->cols = *width;
        }
    }
    pv_free(newcol);
    pv_free(cols);
    return st;
}

/* Is f the frontier itself, y = v? */
static int is_frontier(const pv__aff *f, int width)
{
    if (f->rows != width)
        return 0;
    for (int i = 0; i < f->rows; i++)
        if (f->start[i + 1] != f->start[i] + 1 || f->col[f->start[i]] != i ||
            mpq_cmp_ui(f->a[f->start[i]], 1, 1) != 0 ||
            (f->c != NULL && mpq_sgn(f->c[i]) != 0))
            return 0;
    return 1;
}

pv_status pv__lower_output(pv_net *net, int width, const pv__aff *f,
                           int activation, pv_error *err)
{
    if (activation && net->nlayers > 0 && is_frontier(f, width))
        return PV_OK;
    const pv__aff *parts[1] = { f };
    return append_rows(net, width, 0, parts, 1, NULL, 0, err);
}
