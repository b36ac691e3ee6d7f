/* polyverify — one cell of an enumeration: its exact dimension and point,
 * the walk across its facets to the cells beyond, and the codes of its
 * lower-dimensional neighbours. The fast path (vertex.c) decides what it
 * can; the LP path (the geometry engine) decides the rest. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "exact/linalg.h"

/* Counts the neurons whose pre-activation is identically 0 on the cell
 * (general-position report); returns how many there are. */
int pv_visit_zero_rows(cellctx *X)
{
    const pv_system *S = X->S;
    int count = 0;
    for (int i = 0; i < S->nrows; i++) {
        if (!PV_LABEL_IS_NEURON(S->label[i]) || mpz_sgn(S->h[i]))
            continue;
        int zero = 1;
        for (int j = 0; j < S->dim && zero; j++)
            zero = !mpz_sgn(PV_G(S, i, j));
        if (!zero)
            continue;
        pv_enum_genpos *gp = &X->R->gp;
        gp->zero_rows++;
        count++;
        if (gp->example_kind == 0) {
            gp->example_kind = 1;
            gp->example_cell = X->cell;
        }
    }
    return count;
}

/* The cell beyond y (in the relative interior of a facet of the cell, with
 * p inside the cell): the code of y + e(y - p) for small e > 0. The new
 * cell keeps (y, y - p) in doubles as the fast path's hint. flip >= 0 says
 * that neuron alone vanishes at y (no other, not even one that is
 * identically 0 on the cell) and the cell is full-dimensional: then the
 * code beyond is the cell's with that bit flipped (every other
 * pre-activation is continuous and non-zero at y, so keeps its sign, and
 * the flipped neuron's own affine form is unchanged across y); otherwise
 * an exact first-order forward pass computes it. */
pv_status pv_visit_cross_at(cellctx *X, mpq_t *const y, mpq_t *const p,
                            int flip, pv_error *err)
{
    int m = X->st->m;
    mpq_t *d = pv_qvec_new(m);
    for (int j = 0; j < m; j++)
        mpq_sub(d[j], y[j], p[j]);
    pv_code c;
    pv_code_init(&c, 0);
    pv_status rc = PV_OK;
    if (flip >= 0) {
        pv_code_set(&c, X->code);
        c.bit[flip] ^= 1;
    } else {
        rc = pv_code_beyond(X->st->net, y, d, &c, err);
    }
    if (rc == PV_OK) {
        double *yd = pv_malloc((size_t)(2 * m + 1) * sizeof *yd);
        for (int k = 0; k < m; k++) {
            yd[k] = mpq_get_d(y[k]);
            yd[m + k] = mpq_get_d(d[k]);
        }
        pv_codeset_record_beyond(X, &c, yd, yd + m);
        pv_free(yd);
    }
    pv_code_clear(&c);
    pv_qvec_free(d, m);
    return rc;
}

void pv_visit_cross_flip(cellctx *X, int flip, const double *y, const double *d)
{
    pv_code c;
    pv_code_init(&c, 0);
    pv_code_set(&c, X->code);
    c.bit[flip] ^= 1;
    pv_codeset_record_beyond(X, &c, y, d);
    pv_code_clear(&c);
}

/* Crosses facet f of X's cell: the code of y + e(y - p), y in relint f. */
static pv_status cross_facet(cellctx *X, const pv_facet *f,
                             const int *rows, int nrows, mpq_t *const p,
                             pv_error *err)
{
    mpq_t *y = NULL;
    pv_status rc = PV_OK;
    if (!f->point)
        rc = pv_faces_facet_point(&y, X->S, rows, nrows, &X->stats, err);
    if (rc == PV_OK)
        rc = pv_visit_cross_at(X, y ? y : f->point, p, -1, err);
    pv_qvec_free(y, X->st->m);
    return rc;
}

/* The facets of cell i: the cell beyond each (the walk), the code of each
 * that leaves C(c), and the exploration of the inner ones. on_facet[r] is
 * set for the rows of every facet (pv_faces_by_row skips them). */
static pv_status process_facets(cellctx *X, int i, const pv_dimension *D,
                                unsigned char *on_facet, pv_error *err)
{
    state *st = X->st;
    const pv_system *S = X->S;
    pv_facets F;
    pv_status rc = pv__system_facets(S, D, &F, &X->stats, err);
    int *rows = pv_malloc((size_t)(S->nrows + 1) * sizeof *rows);
    int nimp = 0;
    for (int r = 0; r < S->nrows; r++)
        if (D->implicit[r])
            rows[nimp++] = r;
    pv_code c;
    pv_code_init(&c, 0);
    for (int f = 0; f < F.count && rc == PV_OK && !pv_limits_visit_stop(X); f++) {
        const pv_facet *fa = &F.f[f];
        int nr = nimp, neurons = 0, box = 0;
        for (int a = 0; a < fa->nrows; a++)
            on_facet[fa->rows[a]] = 1;
        for (int a = 0; a < fa->nrows; a++) {
            int r = fa->rows[a];
            rows[nr++] = r;
            if (!PV_LABEL_IS_NEURON(S->label[r]))
                box = 1;
            else
                neurons++;
        }
        qsort(rows, (size_t)nr, sizeof *rows, pv_int_cmp);
        if (neurons >= 2) {
            X->R->gp.shared_facets++;
            if (X->R->gp.example_kind == 0) {
                X->R->gp.example_kind = 2;
                X->R->gp.example_cell = i;
            }
        }
        if (!box)
            rc = cross_facet(X, fa, rows + 0, nr, D->point, err);
        int leaves = 0;
        if (rc == PV_OK && fa->point) {
            rc = pv_code_at(st->net, fa->point, &c, NULL, err);
            leaves = !pv_code_equal(&c, X->code);
        } else if (rc == PV_OK) {
            leaves = pv_faces_clear_vanishing(&c, X, rows, nr);
        }
        if (rc == PV_OK && leaves)
            rc = pv_codeset_record(X, &c);
        else if (rc == PV_OK)
            rc = pv_faces_explore(X, rows, nr, i, err);   /* within the budget */
        /* restore the implicit rows at the front for the next facet */
        nimp = 0;
        for (int r = 0; r < S->nrows; r++)
            if (D->implicit[r])
                rows[nimp++] = r;
    }
    pv_code_clear(&c);
    pv_free(rows);
    pv_facets_clear(&F);
    return rc;
}

/* The LP path: exact dimension and facets from the geometry engine, then
 * neighbours across facets and the inner faces. */
static pv_status slow_cell(cellctx *X, int i, pv_error *err)
{
    state *st = X->st;
    const pv_system *S = X->S;
    pv_dimension D;
    pv_status rc = pv__system_dimension(S, &D, &X->stats, err);
    if (rc == PV_OK && D.dim < 0) {
        char *s = pv_code_str(X->code, st->net);
        rc = pv_error_set(err, PV_ERR_INTERNAL,
                          "enumerate: the code %s of a point is not realised",
                          s ? s : "?");
        pv_free(s);
    }
    if (rc == PV_OK) {
        X->R->dim = D.dim;
        X->R->point = pv_qvec_copy(D.point, st->m);
        pv_visit_zero_rows(X);
        if (D.dim == 0) {
            int *rows = pv_malloc((size_t)(S->nrows + 1) * sizeof *rows), n = 0;
            for (int r = 0; r < S->nrows; r++)
                if (D.implicit[r])
                    rows[n++] = r;
            pv_faces_check_vertex(X, rows, n, D.point, i);
            pv_free(rows);
        } else if (pv_limits_can_add(st) || st->opt->graph) {
            /* after max_cells the facets only serve the graph's candidates */
            unsigned char *on_facet = pv_calloc((size_t)S->nrows + 1, 1);
            X->w->cell_faces = 0;
            rc = process_facets(X, i, &D, on_facet, err);
            /* the inner faces were not all explored (budget): the single-
             * row faces find the lower-dimensional cells instead */
            if (rc == PV_OK && !X->w->census && pv_limits_can_add(st))
                rc = pv_faces_by_row(X, on_facet, err);
            pv_free(on_facet);
        }
    }
    pv_dimension_clear(&D);
    return rc;
}

pv_status pv_visit_cell(state *st, worker *w, int i, vresult *R, pv_error *err)
{
    pv_system *S = &w->sys;
    const pv_code *code = &st->cells[i].code;    /* not moved in a round */
    w->census = st->census;
    R->dim = -2;
    R->gp.example_cell = -1;
    pv_status rc = pv__system_from_code_reuse(S, st->net, code, st->box, err);
    if (rc == PV_OK) {
        cellctx X = { st, w, R, i, S, code, { 0, 0, NULL }, { 0, 0, 0, 0 } };
        if (pv_vertex_fast_cell(&X, i, &rc, err))
            R->fast = 1;
        else
            rc = slow_cell(&X, i, err);
        R->stats = X.stats;
        pv_keyset_clear(&X.seen);
    }
    return rc;
}

void pv_vresult_clear(vresult *R, int m)
{
    pv_qvec_free(R->point, m);
    for (int k = 0; k < R->nfound; k++) {
        pv_code_clear(&R->found[k].code);
        pv_free(R->found[k].hint);
    }
    pv_free(R->found);
    pv_qvec_free(R->gp.example_vertex, m);
    memset(R, 0, sizeof *R);
}
