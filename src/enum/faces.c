/* polyverify — the faces of a cell's closure P(c), where an enumeration
 * finds the lower-dimensional cells: the exploration of the inner faces
 * (those inside C(c)) down to vertices, which also takes the vertex census
 * of general position, and past its budget the single-row faces
 * P(c) ∩ {r = 0}. The argument is at the top of enumerate.c. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "exact/linalg.h"
#include "lp/lp.h"

void pv_keyset_clear(keyset *K)
{
    for (size_t i = 0; i < K->cap; i++)
        pv_free(K->keys[i]);
    pv_free(K->keys);
    memset(K, 0, sizeof *K);
}

/* Inserts the key; returns 0 if it was already there. */
static int keyset_add(keyset *K, const int *rows, int n)
{
    if ((K->count + 1) * 2 > K->cap) {
        keyset old = *K;
        K->cap = old.cap ? 2 * old.cap : 64;
        K->keys = pv_calloc(K->cap, sizeof *K->keys);
        K->count = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i]) {
                size_t h = pv_codeset_hash_rows(old.keys[i] + 1, old.keys[i][0]) &
                           (K->cap - 1);
                while (K->keys[h])
                    h = (h + 1) & (K->cap - 1);
                K->keys[h] = old.keys[i];
                K->count++;
            }
        pv_free(old.keys);
    }
    size_t h = pv_codeset_hash_rows(rows, n) & (K->cap - 1);
    while (K->keys[h]) {
        if (K->keys[h][0] == n && !memcmp(K->keys[h] + 1, rows, (size_t)n * sizeof(int)))
            return 0;
        h = (h + 1) & (K->cap - 1);
    }
    K->keys[h] = pv_malloc((size_t)(n + 1) * sizeof(int));
    K->keys[h][0] = n;
    memcpy(K->keys[h] + 1, rows, (size_t)n * sizeof(int));
    K->count++;
    return 1;
}

/* The face of P(c) where the rows E vanish, in its own coordinates: the
 * solutions of E = 0 are x = x0 + U z (exact elimination), and every row
 * of S restricted to them is a row in z (all non-strict: the closure).
 * Asking the geometry engine about this smaller system, rather than about
 * S plus the negated rows of E, keeps every LP full-dimensional in the
 * flat of the face. */
typedef struct face {
    int m, k;
    int empty;              /* E = 0 has no solution                        */
    mpq_t *x0;              /* m                                            */
    mpz_t *U;               /* m x k, row-major: direction j is column j    */
    pv_system R;            /* k variables, the rows of S in order (k > 0)  */
} face;

static void face_clear(face *F)
{
    pv_qvec_free(F->x0, F->m);
    if (F->U) {
        for (int i = 0; i < F->m * F->k; i++)
            mpz_clear(F->U[i]);
        pv_free(F->U);
    }
    if (F->k > 0 && !F->empty)
        pv_system_clear(&F->R);
    memset(F, 0, sizeof *F);
}

/* x = x0 + U z. */
static void face_point(mpq_t *x, const face *F, mpq_t *const z)
{
    mpq_t t;
    mpq_init(t);
    for (int i = 0; i < F->m; i++) {
        mpq_set(x[i], F->x0[i]);
        for (int j = 0; j < F->k; j++) {
            mpq_set_z(t, F->U[i * F->k + j]);
            mpq_mul(t, t, z[j]);
            mpq_add(x[i], x[i], t);
        }
    }
    mpq_clear(t);
}

/* Row i of S at x0 + U z: (g U) z + (g.x0 + h), scaled to integers. */
static void restrict_row(face *F, const pv_system *S, int i)
{
    int m = F->m, k = F->k;
    mpq_t hq;
    mpz_t t;
    mpq_init(hq);
    mpz_init(t);
    for (int j = 0; j < k; j++) {
        mpz_set_ui(PV_G(&F->R, i, j), 0);
        for (int l = 0; l < m; l++)
            mpz_addmul(PV_G(&F->R, i, j), PV_G(S, i, l), F->U[l * k + j]);
    }
    pv_system_row_value(hq, S, i, F->x0);
    for (int j = 0; j < k; j++)
        mpz_mul(PV_G(&F->R, i, j), PV_G(&F->R, i, j), mpq_denref(hq));
    mpz_set(F->R.h[i], mpq_numref(hq));
    F->R.label[i] = S->label[i];
    mpq_clear(hq);
    mpz_clear(t);
}

static void face_build(face *F, const pv_system *S, const int *E, int ne)
{
    int m = S->dim, cols = m + 1;
    memset(F, 0, sizeof *F);
    F->m = m;
    /* [g_E | -h_E] in reduced row echelon form over Q */
    pv_zmat M;
    pv_zmat_init(&M, ne, cols);
    for (int a = 0; a < ne; a++) {
        for (int j = 0; j < m; j++)
            mpz_set(PV_Z(&M, a, j), PV_G(S, E[a], j));
        mpz_neg(PV_Z(&M, a, m), S->h[E[a]]);
    }
    int *piv = pv_malloc((size_t)(ne + 1) * sizeof *piv);
    int r = pv_zmat_rref(&M, piv);
    mpq_t *A = pv_qvec_new(r * cols);
    pv_zmat_rref_rational(A, &M, piv, r);
    pv_zmat_clear(&M);
    F->empty = r > 0 && piv[r - 1] == m;
    F->x0 = pv_qvec_new(m);
    if (F->empty) {
        pv_qvec_free(A, r * cols);
        pv_free(piv);
        return;
    }
    unsigned char *is_piv = pv_calloc((size_t)m + 1, 1);
    for (int a = 0; a < r; a++) {
        is_piv[piv[a]] = 1;
        mpq_set(F->x0[piv[a]], A[a * cols + m]);
    }
    F->k = m - r;
    F->U = pv_malloc((size_t)(m * F->k + 1) * sizeof(mpz_t));
    for (int i = 0; i < m * F->k; i++)
        mpz_init(F->U[i]);
    mpz_t L;
    mpz_init(L);
    for (int f = 0, j = 0; f < m; f++) {
        if (is_piv[f])
            continue;
        /* direction: z_f = 1, pivots -A[a][f]; times the lcm of denominators */
        mpz_set_ui(L, 1);
        for (int a = 0; a < r; a++)
            mpz_lcm(L, L, mpq_denref(A[a * cols + f]));
        mpz_set(F->U[f * F->k + j], L);
        for (int a = 0; a < r; a++) {
            mpz_divexact(F->U[piv[a] * F->k + j], L, mpq_denref(A[a * cols + f]));
            mpz_mul(F->U[piv[a] * F->k + j], F->U[piv[a] * F->k + j],
                    mpq_numref(A[a * cols + f]));
            mpz_neg(F->U[piv[a] * F->k + j], F->U[piv[a] * F->k + j]);
        }
        j++;
    }
    mpz_clear(L);
    if (F->k > 0) {
        pv_system_init(&F->R, F->k, S->nrows);
        for (int i = 0; i < S->nrows; i++)
            restrict_row(F, S, i);
    }
    pv_free(is_piv);
    pv_free(piv);
    pv_qvec_free(A, r * cols);
}

/* A face that is a single point (k = 0): the rows vanishing there, or -1
 * when a row is negative (the point is not in the closure). */
static int point_rows(int *out, const pv_system *S, mpq_t *const x)
{
    mpq_t v;
    mpq_init(v);
    int n = 0;
    for (int i = 0; i < S->nrows && n >= 0; i++) {
        pv_system_row_value(v, S, i, x);
        if (mpq_sgn(v) < 0)
            n = -1;
        else if (mpq_sgn(v) == 0)
            out[n++] = i;
    }
    mpq_clear(v);
    return n;
}

/* c with the neurons of strict (1-bit) rows among rows[] cleared: the code
 * of a face's relative interior when rows[] are all rows vanishing on it. */
int pv_faces_clear_vanishing(pv_code *out, const cellctx *X, const int *rows,
                             int nrows)
{
    int cleared = 0;
    pv_code_set(out, X->code);
    for (int a = 0; a < nrows; a++) {
        int r = rows[a];
        if (X->S->strict[r] && PV_LABEL_IS_NEURON(X->S->label[r])) {
            out->bit[X->S->label[r]] = 0;
            cleared = 1;
        }
    }
    return cleared;
}

/* The vertex condition of general position: at a vertex of P(c) where a
 * neuron vanishes, the neurons vanishing there (rows that are not
 * identically zero) plus the box sides through it must number m. */
void pv_faces_check_vertex(cellctx *X, const int *rows, int nrows,
                           mpq_t *const v, int cell)
{
    const pv_system *S = X->S;
    int neurons = 0, sides = 0;
    for (int a = 0; a < nrows; a++) {
        int r = rows[a];
        if (!PV_LABEL_IS_NEURON(S->label[r])) {
            sides++;
            continue;
        }
        for (int j = 0; j < S->dim; j++)
            if (mpz_sgn(PV_G(S, r, j))) {
                neurons++;
                break;
            }
    }
    if (neurons == 0)
        return;                         /* a corner of the box */
    pv_enum_genpos *gp = &X->R->gp;
    gp->vertices++;
    if (neurons + sides == S->dim)
        return;
    gp->bad_vertices++;
    if (gp->example_kind == 3 || gp->example_kind == 0) {
        if (gp->example_kind == 0 || cell < gp->example_cell) {
            pv_qvec_free(gp->example_vertex, S->dim);
            gp->example_vertex = pv_qvec_copy(v, S->dim);
            gp->example_cell = cell;
            gp->example_count = neurons + sides;
            gp->example_kind = 3;
        }
    }
}

/* The exhaustive exploration of inner faces below is what the vertex
 * census of general position needs (every vertex of the arrangement is
 * visited), but a cell can have exponentially many inner faces: a box
 * [-1,1]^m cut by one hyperplane has ~3^m faces, and the section of the
 * box by the hyperplane exponentially many vertices — a census that counts
 * them cannot be fast. So each cell gets a budget of faces; past it the
 * census is declared incomplete for the run (gp.vertices_checked = 0: the
 * violations found are real, "holds" is no longer claimed) and from then
 * on lower-dimensional cells are found by the N single-row faces of each
 * cell instead (pv_faces_by_row, whose completeness argument does not need
 * the inner faces). Returns 1 when one more face may be explored. */
#define EXPLORE_FACES_PER_CELL 1000

static int explore_budget(cellctx *X)
{
    worker *w = X->w;
    if (pv_limits_visit_stop(X) || !pv_limits_can_add(X->st) || !w->census)
        return 0;
    if (++w->cell_faces > EXPLORE_FACES_PER_CELL) {
        w->census = 0;                  /* this cell, and from the next */
        X->R->census_off = 1;           /* round the run (round.c)      */
        pv_round_cut(X->st, X->cell);
        return 0;
    }
    return 1;
}

/* For each facet of an inner face (F, its dimension DE in F's coordinates
 * and its vanishing rows key): record the facet's code if it leaves the
 * cell, else explore it. A facet point, when there is one, gives the code
 * by an exact forward pass; otherwise the facet's rows are all the rows
 * vanishing on it. */
static pv_status explore_facets(cellctx *X, const face *F,
                                const pv_dimension *DE, const int *key,
                                int nkey, int cell, pv_error *err)
{
    pv_facets Fs;
    pv_status rc = pv__system_facets(&F->R, DE, &Fs, &X->stats, err);
    int *rows = pv_malloc((size_t)(X->S->nrows + 1) * sizeof *rows);
    mpq_t *x = pv_qvec_new(F->m);
    pv_code c;
    pv_code_init(&c, 0);
    for (int f = 0; f < Fs.count && rc == PV_OK; f++) {
        int nr = nkey;
        memcpy(rows, key, (size_t)nkey * sizeof *rows);
        for (int a = 0; a < Fs.f[f].nrows; a++)
            rows[nr++] = Fs.f[f].rows[a];
        qsort(rows, (size_t)nr, sizeof *rows, pv_int_cmp);
        int k = 0;
        for (int a = 0; a < nr; a++)
            if (k == 0 || rows[k - 1] != rows[a])
                rows[k++] = rows[a];
        int leaves;
        if (Fs.f[f].point) {
            face_point(x, F, Fs.f[f].point);
            rc = pv_code_at(X->st->net, x, &c, NULL, err);
            leaves = !pv_code_equal(&c, X->code);
        } else {
            leaves = pv_faces_clear_vanishing(&c, X, rows, k);
        }
        if (rc != PV_OK)
            break;
        if (leaves)
            rc = pv_codeset_record(X, &c);
        else
            rc = pv_faces_explore(X, rows, k, cell, err);
    }
    pv_code_clear(&c);
    pv_qvec_free(x, F->m);
    pv_free(rows);
    pv_facets_clear(&Fs);
    return rc;
}

/* An inner face of P(c): the rows E vanish on it and no 1-bit row does. */
pv_status pv_faces_explore(cellctx *X, const int *E, int ne, int cell,
                           pv_error *err)
{
    if (!explore_budget(X) || !keyset_add(&X->seen, E, ne))
        return PV_OK;
    const pv_system *S = X->S;
    face F;
    face_build(&F, S, E, ne);
    pv_dimension DE;
    pv_dimension_init(&DE);
    int *key = pv_malloc((size_t)(S->nrows + 1) * sizeof *key), nkey = -1;
    pv_status rc = PV_OK;
    X->R->faces++;
    if (!F.empty && F.k == 0) {
        nkey = point_rows(key, S, F.x0);
        if (nkey >= 0)
            pv_faces_check_vertex(X, key, nkey, F.x0, cell);
    } else if (!F.empty) {
        rc = pv__system_dimension(&F.R, &DE, &X->stats, err);
        if (rc == PV_OK && DE.dim >= 0) {
            nkey = 0;
            for (int i = 0; i < S->nrows; i++)
                if (DE.implicit[i])
                    key[nkey++] = i;
        }
    }
    if (rc == PV_OK && nkey < 0)
        rc = pv_error_set(err, PV_ERR_INTERNAL, "a face of a cell is empty");
    /* the vanishing rows may be more than E (then two E's name one face) */
    if (rc == PV_OK && F.k > 0 && (nkey == ne || keyset_add(&X->seen, key, nkey))) {
        if (DE.dim == 0) {
            mpq_t *x = pv_qvec_new(F.m);
            face_point(x, &F, DE.point);
            pv_faces_check_vertex(X, key, nkey, x, cell);
            pv_qvec_free(x, F.m);
        } else {
            rc = explore_facets(X, &F, &DE, key, nkey, cell, err);
        }
    }
    pv_free(key);
    pv_dimension_clear(&DE);
    face_clear(&F);
    return rc;
}

/* A relative-interior point of the facet where rows[] vanish (used when the
 * facet was proved by rank and came without a point). */
pv_status pv_faces_facet_point(mpq_t **y, const pv_system *S, const int *rows,
                               int nrows, pv_stats *stats, pv_error *err)
{
    face F;
    face_build(&F, S, rows, nrows);
    pv_dimension D;
    pv_dimension_init(&D);
    pv_status rc = PV_OK;
    *y = pv_qvec_new(S->dim);
    if (F.empty)
        rc = pv_error_set(err, PV_ERR_INTERNAL, "a facet of a cell is empty");
    else if (F.k == 0)
        face_point(*y, &F, NULL);
    else
        rc = pv__system_dimension(&F.R, &D, stats, err);
    if (rc == PV_OK && F.k > 0 && D.dim < 0)
        rc = pv_error_set(err, PV_ERR_INTERNAL, "a facet of a cell is empty");
    else if (rc == PV_OK && F.k > 0)
        face_point(*y, &F, D.point);
    pv_dimension_clear(&D);
    face_clear(&F);
    return rc;
}

/* A Farkas proof that row r is positive on all of P(c), so that G_r is
 * empty: multipliers y >= 0 on other rows with sum y_i g_i = g_r and
 * c0 = h_r - sum y_i h_i > 0 give r(x) = sum y_i row_i(x) + c0 >= c0 > 0
 * on P(c). The float LP min r over P(c) only proposes the support of y
 * (at most m rows); y is then solved exactly from the integer rows and
 * its signs checked. Returns 1 when proved; 0 means "not proved" (the
 * face may or may not be empty: the exact dimension decides). */
static int row_positive(const pv_system *S, pv_flp *lp, int r, double *z,
                        double *y)
{
    int m = S->dim, nb = 0, ok = 1;
    double v;
    if (pv_flp_min_row(lp, r, &v, z, y) != 0 || !(v > 1e-9))
        return 0;
    double ymax = 0;
    for (int i = 0; i < S->nrows; i++)
        if (i != r && y[i] > ymax)
            ymax = y[i];
    int *B = pv_malloc((size_t)(S->nrows + 1) * sizeof *B);
    for (int i = 0; i < S->nrows && ok; i++)
        if (i != r && y[i] > 1e-12 * ymax) {
            ok = nb < m;
            B[nb++] = i;
        }
    int cols = nb + 1, rank = 0;
    mpq_t *A = NULL;
    int *piv = pv_malloc((size_t)(m + 1) * sizeof *piv);
    if (ok) {
        /* sum_b y_b g_{B_b} = g_r: m equations in nb unknowns */
        pv_zmat M;
        pv_zmat_init(&M, m, cols);
        for (int j = 0; j < m; j++) {
            for (int b = 0; b < nb; b++)
                mpz_set(PV_Z(&M, j, b), PV_G(S, B[b], j));
            mpz_set(PV_Z(&M, j, nb), PV_G(S, r, j));
        }
        rank = pv_zmat_rref(&M, piv);
        A = pv_qvec_new(rank * cols);
        pv_zmat_rref_rational(A, &M, piv, rank);
        pv_zmat_clear(&M);
        ok = rank == nb && (rank == 0 || piv[rank - 1] < nb);  /* unique */
    }
    if (ok) {
        mpq_t c0, t;
        mpq_init(c0);
        mpq_init(t);
        mpq_set_z(c0, S->h[r]);
        for (int a = 0; a < rank && ok; a++) {   /* y_{B[piv[a]]} = A[a][nb] */
            ok = mpq_sgn(A[a * cols + nb]) >= 0;
            mpq_set_z(t, S->h[B[piv[a]]]);
            mpq_mul(t, t, A[a * cols + nb]);
            mpq_sub(c0, c0, t);
        }
        ok = ok && mpq_sgn(c0) > 0;
        mpq_clear(c0);
        mpq_clear(t);
    }
    pv_qvec_free(A, A ? rank * cols : 0);
    pv_free(piv);
    pv_free(B);
    return ok;
}

/* The float LP of the cell's rows for row_positive (NULL if none). */
static pv_flp *cell_flp(const pv_system *S, frows *R)
{
    memset(R, 0, sizeof *R);
    if (!pv_frows_build(R, S))
        return NULL;
    for (int i = 0; i < S->nrows; i++)
        if (!R->live[i]) {          /* g = 0: 0 z + h >= 0, h >= 0 */
            memset(R->G + (size_t)i * S->dim, 0, (size_t)S->dim * sizeof *R->G);
            R->h[i] = 0.0;
        }
    return pv_flp_new(S->dim, S->nrows, R->G, R->h, 1e9);
}

/* The lower-dimensional cells next to cell c, without its inner faces.
 * For each 1-bit row r (neurons only; rows of facets were recorded by
 * process_facets, visit.c), the face G_r = P(c) ∩ {r = 0}: if it is
 * non-empty, record the code of its relative interior (constant there: on
 * P(c) the pre-activations are c's affine functions, and a row vanishing
 * at one relative-interior point of a face vanishes on all of it).
 * Completeness (replacing the inner-face chain at the top of enumerate.c):
 * let y have code d and lie in P(e) for a found cell e != d. Some 1-bit row
 * r of e vanishes at y (those are the bits d clears), so y is in G_r; its
 * code e' is recorded, y lies in P(e') (G_r is the closure of its relative
 * interior, inside C(e')), and the 1-bits of e' vanishing at y are those
 * of e minus r at least. Repeating from e' ends at d after at most N
 * steps. One LP per 1-bit row instead of one per face. */
pv_status pv_faces_by_row(cellctx *X, const unsigned char *on_facet,
                          pv_error *err)
{
    const pv_system *S = X->S;
    state *st = X->st;
    mpq_t *x = pv_qvec_new(S->dim);
    double *z = pv_malloc((size_t)(S->dim + 1) * sizeof *z);
    double *y = pv_malloc((size_t)(S->nrows + 1) * sizeof *y);
    frows R;
    pv_flp *lp = cell_flp(S, &R);
    pv_code c;
    pv_code_init(&c, 0);
    pv_status rc = PV_OK;
    for (int r = 0; r < S->nrows && rc == PV_OK; r++) {
        if (!S->strict[r] || !PV_LABEL_IS_NEURON(S->label[r]) || on_facet[r])
            continue;
        if (pv_limits_visit_stop(X) || !pv_limits_can_add(st))
            break;
        X->R->faces++;
        if (lp && row_positive(S, lp, r, z, y))
            continue;               /* G_r is empty, proved */
        /* in x, with row r marked = 0: the rows keep their small integers
         * (a restriction to the flat r = 0 would not) */
        pv_system G;
        pv__system_face(&G, S, &r, 1);
        pv_dimension DE;
        pv_dimension_init(&DE);
        rc = pv__system_dimension(&G, &DE, &X->stats, err);
        int found = rc == PV_OK && DE.dim >= 0;
        for (int j = 0; j < S->dim && found; j++)
            mpq_set(x[j], DE.point[j]);
        pv_dimension_clear(&DE);
        pv_system_clear(&G);
        if (found)
            rc = pv_code_at(st->net, x, &c, NULL, err);
        if (found && rc == PV_OK)
            rc = pv_codeset_record(X, &c);
    }
    pv_flp_free(lp);
    pv_frows_clear(&R);
    pv_code_clear(&c);
    pv_free(z);
    pv_free(y);
    pv_qvec_free(x, S->dim);
    return rc;
}
