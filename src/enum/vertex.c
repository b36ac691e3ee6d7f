/* polyverify — the enumeration's fast path: exact vertices (and rays) of a
 * simple, full-dimensional, pointed cell.
 *
 * Most cells of a generic network are simple polyhedra: at each vertex
 * exactly m rows vanish. In a box they are polytopes; in R^m (or a domain
 * that is not bounded) the cells at infinity are pointed polyhedra
 * conv(vertices) + cone(rays) (they hold no line once the first layer's
 * rows span R^m). For them every question of the walk has a combinatorial
 * answer once the vertices and rays are known, and no LP is needed:
 *   search  float pivoting from an interior hint point (the crossing's, or
 *           one float LP's for a cell found as a face's code; ray shooting to a
 *           first vertex, then along the m edges of every vertex found);
 *   proof   each vertex is solved exactly from its m rows (fraction-free
 *           Gauss-Jordan, x = X / delta) and every row of the system is
 *           checked at it: 0 on its m rows, > 0 on all others (so it is a
 *           simple vertex); each pivot along the edge "rows T minus one"
 *           must land on a proved vertex with those m - 1 rows, which is
 *           then that edge's other end, or be a proved ray (its exact
 *           direction decreases no row). Floats only propose: a candidate
 *           end that some row makes negative is replaced by that row's
 *           nearer point (edge_end). A set of proved vertices closed under
 *           all edges is every vertex (the vertices and bounded edges of a
 *           pointed polyhedron form a connected graph), and its unbounded
 *           edges are every extreme ray;
 *   use     a positive combination of all vertices and rays is an interior
 *           point (the cell is realised with dim m), the rows in vertex
 *           sets are the facets (one row each: two rows on one facet would
 *           both vanish at its vertices; a facet of a pointed polyhedron
 *           has a vertex), the same combination over a facet's vertices
 *           and rays is in its relative interior, and the faces containing
 *           a vertex v are its subsets of rows (every face has a vertex),
 *           so the codes of all faces are c with a subset of v's 1-bit rows
 *           cleared.
 * Anything unexpected (a degenerate vertex, a failed proof, a cell with a
 * line) returns "not handled" and the cell takes the LP path. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sort.h"
#include "exact/linalg.h"
#include "exact/reduce.h"
#include "lp/lp.h"

typedef struct vtx {
    int *rows;              /* m sorted row indices                         */
    mpz_t *X;               /* m numerators                                 */
    mpz_t delta;            /* common denominator (non-zero, any sign)      */
    double *x;              /* the exact vertex rounded, for the search     */
} vtx;

/* An unbounded edge: from vertex v, leaving its k-th row, along E (exact,
 * integer; g.E > 0 for that row, = 0 for v's other rows, >= 0 for all). */
typedef struct vray {
    int v, k;
    mpz_t *E;
    double *e;              /* E as a unit vector, for the search           */
} vray;

typedef struct vset {
    int m, count, cap;
    vtx *v;
    int nrays, rcap;
    vray *rays;
    size_t tcap;
    int *table;             /* index + 1 by hash of rows                    */
    /* the run's proved vertices (vcache.c; read-only in a round), where
     * this worker puts new ones, the cell's code, a key buffer */
    const pv_vcache *cache;
    pv_vcache *put;
    const pv_net *net;
    const pv_code *code;
    unsigned char *key;
} vset;

static void vset_clear(vset *V)
{
    for (int i = 0; i < V->count; i++) {
        pv_free(V->v[i].rows);
        for (int j = 0; j < V->m; j++)
            mpz_clear(V->v[i].X[j]);
        pv_free(V->v[i].X);
        mpz_clear(V->v[i].delta);
        pv_free(V->v[i].x);
    }
    pv_free(V->v);
    for (int i = 0; i < V->nrays; i++) {
        pv_zvec_free(V->rays[i].E, (size_t)V->m);
        pv_free(V->rays[i].e);
    }
    pv_free(V->rays);
    pv_free(V->table);
    pv_free(V->key);
    memset(V, 0, sizeof *V);
}

static int vset_find(vset *V, const int *rows, size_t *slot)
{
    if ((size_t)(V->count + 1) * 2 > V->tcap) {
        size_t cap = V->tcap ? 2 * V->tcap : 64;
        int *t = pv_calloc(cap, sizeof *t);
        for (int i = 0; i < V->count; i++) {
            size_t h = pv_codeset_hash_rows(V->v[i].rows, V->m) & (cap - 1);
            while (t[h])
                h = (h + 1) & (cap - 1);
            t[h] = i + 1;
        }
        pv_free(V->table);
        V->table = t;
        V->tcap = cap;
    }
    size_t h = pv_codeset_hash_rows(rows, V->m) & (V->tcap - 1);
    while (V->table[h]) {
        if (!memcmp(V->v[V->table[h] - 1].rows, rows, (size_t)V->m * sizeof(int)))
            return V->table[h] - 1;
        h = (h + 1) & (V->tcap - 1);
    }
    *slot = h;
    return -1;
}

void pv_frows_clear(frows *R)
{
    pv_free(R->G);
    pv_free(R->h);
    pv_free(R->live);
}

int pv_frows_build(frows *R, const pv_system *S)
{
    int m = S->dim, n = S->nrows;
    R->m = m;
    R->n = n;
    R->G = pv_malloc((size_t)n * m * sizeof *R->G + 1);
    R->h = pv_malloc((size_t)n * sizeof *R->h + 1);
    R->live = pv_calloc((size_t)n + 1, 1);
    for (int i = 0; i < n; i++) {
        long shift = 0;
        int nz = 0;
        for (int j = 0; j < m; j++) {
            if (!mpz_sgn(PV_G(S, i, j)))
                continue;
            long b = (long)mpz_sizeinbase(PV_G(S, i, j), 2);
            shift = nz++ ? (b > shift ? b : shift) : b;
        }
        if (!nz) {
            if (mpz_sgn(S->h[i]) < 0)
                return 0;
            continue;
        }
        double norm = 0;
        for (int j = 0; j < m; j++) {
            double g = pv_mpz_get_d_scaled(PV_G(S, i, j), shift);
            R->G[(size_t)i * m + j] = g;
            norm += g * g;
        }
        norm = sqrt(norm);
        for (int j = 0; j < m; j++)
            R->G[(size_t)i * m + j] /= norm;
        R->h[i] = pv_mpz_get_d_scaled(S->h[i], shift) / norm;
        R->live[i] = 1;
    }
    return 1;
}

static double frow_value(const frows *R, int i, const double *x)
{
    double v = R->h[i];
    for (int j = 0; j < R->m; j++)
        v += R->G[(size_t)i * R->m + j] * x[j];
    return v;
}

/* Along x + t d (t > 0): the first live row not in T that decreases to 0,
 * or -1 when none. When another row reaches 0 within rounding of it,
 * *tied is that row (else -1): floats cannot say which comes first, and
 * the caller tries both (the exact proof of the vertex decides). */
static int ratio_test(const frows *R, const double *x, const double *d,
                      const int *T, int nt, double *t_out, int *tied)
{
    int best = -1, second = -1;
    double tb = 0, t2 = HUGE_VAL;
    for (int i = 0; i < R->n; i++) {
        if (!R->live[i])
            continue;
        int in = 0;
        for (int a = 0; a < nt; a++)
            in |= T[a] == i;
        if (in)
            continue;
        double gd = 0;
        for (int j = 0; j < R->m; j++)
            gd += R->G[(size_t)i * R->m + j] * d[j];
        if (gd > -1e-12)
            continue;
        double v = frow_value(R, i, x);
        double t = (v > 0 ? v : 0) / -gd;
        if (best < 0 || t < tb) {
            t2 = best < 0 ? HUGE_VAL : tb;
            second = best;
            tb = t;
            best = i;
        } else if (t < t2) {
            t2 = t;
            second = i;
        }
    }
    *tied = best >= 0 && t2 - tb <= 1e-9 * (1.0 + tb) ? second : -1;
    *t_out = tb;
    return best;
}

/* Solves the m x m system A d = b in doubles (partial pivoting); 0 if
 * (nearly) singular. A is overwritten. */
static int fsolve(double *A, double *b, double *d, int m)
{
    for (int k = 0; k < m; k++) {
        int p = k;
        for (int i = k + 1; i < m; i++)
            if (fabs(A[i * m + k]) > fabs(A[p * m + k]))
                p = i;
        if (fabs(A[p * m + k]) < 1e-12)
            return 0;
        for (int j = 0; j < m; j++) {
            double t = A[k * m + j];
            A[k * m + j] = A[p * m + j];
            A[p * m + j] = t;
        }
        double t = b[k];
        b[k] = b[p];
        b[p] = t;
        for (int i = k + 1; i < m; i++) {
            double f = A[i * m + k] / A[k * m + k];
            for (int j = k; j < m; j++)
                A[i * m + j] -= f * A[k * m + j];
            b[i] -= f * b[k];
        }
    }
    for (int k = m - 1; k >= 0; k--) {
        double s = b[k];
        for (int j = k + 1; j < m; j++)
            s -= A[k * m + j] * d[j];
        d[k] = s / A[k * m + k];
    }
    return 1;
}

/* Fraction-free Gauss-Jordan (Bareiss-Montante) on [G_T | rhs], rhs = -h_T
 * (k < 0: the vertex of rows T) or e_k (the direction leaving T's k-th
 * row): G_T X = delta rhs. 0 when G_T is singular. */
static int bareiss_solve(const pv_system *S, const int *T, int k, mpz_t *X,
                         mpz_t delta)
{
    int m = S->dim, c = m + 1;
    mpz_t *M = pv_malloc((size_t)m * c * sizeof(mpz_t));
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < m; j++)
            mpz_init_set(M[i * c + j], PV_G(S, T[i], j));
        mpz_init(M[i * c + m]);
        if (k < 0)
            mpz_neg(M[i * c + m], S->h[T[i]]);
        else
            mpz_set_ui(M[i * c + m], i == k);
    }
    mpz_t prev, t;
    mpz_init_set_ui(prev, 1);
    mpz_init(t);
    int ok = 1;
    for (int q = 0; q < m && ok; q++) {
        int p = q;
        while (p < m && !mpz_sgn(M[p * c + q]))
            p++;
        if (p == m) {
            ok = 0;
            break;
        }
        for (int j = 0; j < c && p != q; j++)
            mpz_swap(M[p * c + j], M[q * c + j]);
        for (int i = 0; i < m; i++) {
            if (i == q)
                continue;
            for (int j = 0; j < c; j++) {
                if (j == q)
                    continue;
                mpz_mul(t, M[i * c + q], M[q * c + j]);
                mpz_mul(M[i * c + j], M[i * c + j], M[q * c + q]);
                mpz_sub(M[i * c + j], M[i * c + j], t);
                mpz_divexact(M[i * c + j], M[i * c + j], prev);
            }
            mpz_set_ui(M[i * c + q], 0);
        }
        mpz_set(prev, M[q * c + q]);
    }
    for (int j = 0; ok && j < m; j++)
        mpz_swap(X[j], M[j * c + m]);
    mpz_set(delta, prev);
    for (int i = 0; i < m * c; i++)
        mpz_clear(M[i]);
    pv_free(M);
    mpz_clear(prev);
    mpz_clear(t);
    return ok;
}

/* Exact vertex of rows T (sorted), x = X / delta (bareiss_solve). Then
 * every row is checked: 0 exactly on T, > 0 elsewhere (or 0 for a row
 * identically 0 on the cell: *strict is then 0). On failure *neg is a row
 * not in T that is < 0 at the point (else -1). */
static int exact_vertex(vtx *v, const pv_system *S, const frows *R,
                        const int *T, int *strict, int *neg)
{
    *strict = 1;
    *neg = -1;
    int m = S->dim;
    mpz_t *X = pv_zvec_new(m), prev, t;
    mpz_init(prev);
    mpz_init(t);
    int ok = bareiss_solve(S, T, -1, X, prev);
    if (ok) {
        v->rows = pv_malloc((size_t)m * sizeof(int));
        memcpy(v->rows, T, (size_t)m * sizeof(int));
        v->X = X;
        X = NULL;
        mpz_init_set(v->delta, prev);
        v->x = pv_malloc((size_t)m * sizeof(double));
        long e = (long)mpz_sizeinbase(prev, 2);
        double dd = pv_mpz_get_d_scaled(prev, e);
        for (int j = 0; j < m; j++)
            v->x[j] = pv_mpz_get_d_scaled(v->X[j], e) / dd;
        /* every row: value * delta = g.X + h delta */
        int sd = mpz_sgn(prev), a = 0;
        for (int i = 0; i < S->nrows && ok; i++) {
            mpz_mul(t, S->h[i], prev);
            for (int j = 0; j < m; j++)
                mpz_addmul(t, PV_G(S, i, j), v->X[j]);
            int s = mpz_sgn(t) * sd;
            int in = a < m && T[a] == i;
            a += in;
            if (in)
                ok = s == 0;
            else if (s == 0)
                ok = !R->live[i], *strict = 0;  /* g = h = 0: 0 anywhere */
            else if (!(ok = s > 0))
                *neg = i;
        }
        if (!ok) {
            pv_free(v->rows);
            pv_zvec_free(v->X, (size_t)m);
            mpz_clear(v->delta);
            pv_free(v->x);
        }
    }
    if (X)
        pv_zvec_free(X, (size_t)m);
    mpz_clear(prev);
    mpz_clear(t);
    return ok;
}

/* The vertex of rows T from the cache's proof (vcache.c). */
static void vtx_from_entry(vtx *v, const pv_vcentry *e, const int *T, int m)
{
    v->rows = pv_malloc((size_t)m * sizeof(int));
    memcpy(v->rows, T, (size_t)m * sizeof(int));
    v->X = pv_malloc((size_t)m * sizeof(mpz_t));
    for (int j = 0; j < m; j++)
        mpz_init_set(v->X[j], e->X[j]);
    mpz_init_set(v->delta, e->delta);
    v->x = pv_malloc((size_t)m * sizeof(double));
    memcpy(v->x, e->x, (size_t)m * sizeof(double));
}

/* Adds the vertex of rows T (any order) if new; 0 if it fails its proof,
 * with *neg as in exact_vertex. */
static int vset_add(vset *V, const pv_system *S, const frows *R, int *T,
                    int *neg)
{
    *neg = -1;
    qsort(T, (size_t)V->m, sizeof *T, pv_int_cmp);
    for (int a = 1; a < V->m; a++)
        if (T[a] == T[a - 1])
            return 0;
    size_t slot = 0;
    if (vset_find(V, T, &slot) >= 0)
        return 1;
    if (V->count == V->cap) {
        V->cap = V->cap ? 2 * V->cap : 32;
        V->v = pv_realloc(V->v, (size_t)V->cap * sizeof *V->v);
    }
    const pv_vcentry *e = NULL;
    if (V->cache) {
        pv_vcache_key(V->cache, V->key, S, V->net, V->code, T);
        e = pv_vcache_find(V->cache, V->key);
        if (!e && V->put != V->cache)
            e = pv_vcache_find(V->put, V->key);
    }
    int strict = 0;
    if (e)
        vtx_from_entry(&V->v[V->count], e, T, V->m);
    else if (!exact_vertex(&V->v[V->count], S, R, T, &strict, neg))
        return 0;
    else if (V->cache && strict)
        pv_vcache_put(V->put, V->key, V->v[V->count].X,
                      V->v[V->count].delta, V->v[V->count].x);
    V->table[slot] = ++V->count;
    return 1;
}

/* Ray shooting from the interior point q to a first vertex; at the j-th
 * near tie the row hit is the second candidate when bit j of choice is
 * set. *ties counts the near ties met. */
static int shoot_vertex(vset *V, const pv_system *S, const frows *R,
                        const double *q, unsigned choice, int *ties)
{
    int m = R->m;
    double *x = pv_malloc((size_t)m * sizeof *x), *d = pv_malloc((size_t)m * sizeof *d);
    double *B = pv_malloc((size_t)m * m * sizeof *B + 1);
    int *T = pv_malloc((size_t)m * sizeof *T), ok = 1;
    memcpy(x, q, (size_t)m * sizeof *x);
    for (int k = 0; k < m && ok; k++) {
        /* a fixed generic direction, orthogonal to the rows hit so far */
        for (int j = 0; j < m; j++)
            d[j] = cos(1.0 + 2.3 * j + 0.7 * k);
        for (int a = 0; a < k; a++) {
            double s = 0;
            for (int j = 0; j < m; j++)
                s += B[a * m + j] * d[j];
            for (int j = 0; j < m; j++)
                d[j] -= s * B[a * m + j];
        }
        double t;
        int tied;
        int r = ratio_test(R, x, d, T, k, &t, &tied);
        if (r < 0) {
            /* an unbounded cell: a pointed one holds no line */
            for (int j = 0; j < m; j++)
                d[j] = -d[j];
            r = ratio_test(R, x, d, T, k, &t, &tied);
        }
        if (r < 0) {
            ok = 0;
            break;
        }
        if (tied >= 0 && (choice >> (*ties)++ & 1))
            r = tied;   /* x moves by the best's t: within rounding */
        for (int j = 0; j < m; j++)
            x[j] += t * d[j];
        T[k] = r;
        /* Gram-Schmidt: B[k] = unit part of g_r orthogonal to B[0..k) */
        for (int j = 0; j < m; j++)
            B[k * m + j] = R->G[(size_t)r * m + j];
        for (int a = 0; a < k; a++) {
            double s = 0;
            for (int j = 0; j < m; j++)
                s += B[a * m + j] * B[k * m + j];
            for (int j = 0; j < m; j++)
                B[k * m + j] -= s * B[a * m + j];
        }
        double nb = 0;
        for (int j = 0; j < m; j++)
            nb += B[k * m + j] * B[k * m + j];
        nb = sqrt(nb);
        if (nb < 1e-9)
            ok = 0;
        for (int j = 0; j < m && ok; j++)
            B[k * m + j] /= nb;
    }
    int neg;
    ok = ok && vset_add(V, S, R, T, &neg);
    pv_free(x);
    pv_free(d);
    pv_free(B);
    pv_free(T);
    return ok;
}

/* A first vertex: floats may misorder two rows far from q (a long cell in
 * a large box), so up to two near ties are tried both ways; the exact
 * proof of the vertex decides. */
static int first_vertex(vset *V, const pv_system *S, const frows *R,
                        const double *q)
{
    int ties = 0;
    if (shoot_vertex(V, S, R, q, 0, &ties))
        return 1;
    int tries = 1 << (ties < 2 ? ties : 2);
    for (int a = 1; a < tries; a++) {
        int t = 0;
        if (shoot_vertex(V, S, R, q, (unsigned)a, &t))
            return 1;
    }
    return 0;
}

#define FAST_MAX_VERTICES 200

/* The other end of the edge of vertex V->v[i] that leaves its k-th row,
 * floats having named row r first on it (tied: a row floats cannot tell
 * from r, or -1). Exact walk-back: if the candidate point where r
 * vanishes makes some row s < 0, then s vanishes on the edge strictly
 * between v (where s > 0) and the candidate, so s's point is nearer; each step is nearer, so
 * at most n steps. A row s equal to the one left means the candidate lay
 * behind v (floats got the direction wrong): not handled. T: scratch. */
static int edge_end(vset *V, const pv_system *S, const frows *R,
                    int i, int k, int r, int tied, int *T)
{
    int m = V->m, left = V->v[i].rows[k], neg = -1, ok = 0;
    int *rows = pv_malloc((size_t)m * sizeof *rows);  /* V->v may move */
    memcpy(rows, V->v[i].rows, (size_t)m * sizeof *rows);
    for (int step = 0; step <= S->nrows && !ok; step++) {
        memcpy(T, rows, (size_t)m * sizeof *T);
        T[k] = r;
        if ((ok = vset_add(V, S, R, T, &neg)))
            break;
        if (step == 0 && tied >= 0 && neg < 0)
            neg = tied;
        if (neg < 0 || neg == left)
            break;
        r = neg;
    }
    pv_free(rows);
    return ok;
}

/* The edge of vertex V->v[i] leaving its k-th row, which floats found
 * unblocked: E = the exact direction (g.E = 0 on the other rows of the
 * vertex, > 0 on the row left); it is a ray of the cell when g.E >= 0 for
 * every row. A row with g.E < 0 blocks it: the edge then ends at a vertex
 * (edge_end from that row). */
static int edge_or_ray(vset *V, const pv_system *S, const frows *R, int i,
                       int k, int *T)
{
    int m = V->m, block = -1;
    mpz_t *E = pv_zvec_new(m), delta, t;
    mpz_init(delta);
    mpz_init(t);
    int ok = bareiss_solve(S, V->v[i].rows, k, E, delta);
    for (int j = 0; ok && mpz_sgn(delta) < 0 && j < m; j++)
        mpz_neg(E[j], E[j]);
    for (int r = 0; ok && r < S->nrows && block < 0; r++) {
        mpz_set_ui(t, 0);
        for (int j = 0; j < m; j++)
            mpz_addmul(t, PV_G(S, r, j), E[j]);
        if (mpz_sgn(t) < 0)
            block = r;
    }
    mpz_clear(delta);
    mpz_clear(t);
    if (!ok || block >= 0) {
        pv_zvec_free(E, (size_t)m);
        return ok && edge_end(V, S, R, i, k, block, -1, T);
    }
    if (V->nrays == V->rcap) {
        V->rcap = V->rcap ? 2 * V->rcap : 16;
        V->rays = pv_realloc(V->rays, (size_t)V->rcap * sizeof *V->rays);
    }
    vray *y = &V->rays[V->nrays++];
    y->v = i;
    y->k = k;
    y->E = E;
    y->e = pv_malloc((size_t)m * sizeof *y->e);
    long sh = 0;
    for (int j = 0; j < m; j++) {
        long b = (long)mpz_sizeinbase(E[j], 2);
        sh = b > sh ? b : sh;
    }
    double nr = 0;
    for (int j = 0; j < m; j++) {
        y->e[j] = pv_mpz_get_d_scaled(E[j], sh);
        nr += y->e[j] * y->e[j];
    }
    for (int j = 0; j < m; j++)
        y->e[j] /= sqrt(nr);
    return 1;
}

/* Pivots along every edge of every vertex; each edge must end at a proved
 * vertex or be a proved ray. (A pointed polyhedron's vertices and bounded
 * edges form a connected graph, so closure under edges finds them all.) */
static int all_vertices(vset *V, const pv_system *S, const frows *R)
{
    int m = R->m, ok = 1;
    double *A = pv_malloc((size_t)m * m * sizeof *A), *b = pv_malloc((size_t)m * sizeof *b);
    double *d = pv_malloc((size_t)m * sizeof *d);
    int *T = pv_malloc((size_t)m * sizeof *T);
    for (int i = 0; i < V->count && ok; i++) {
        for (int k = 0; k < m && ok; k++) {
            /* leave row k: g_T d = e_k keeps the others at 0 */
            for (int a = 0; a < m; a++) {
                for (int j = 0; j < m; j++)
                    A[a * m + j] = R->G[(size_t)V->v[i].rows[a] * m + j];
                b[a] = a == k;
            }
            if (!fsolve(A, b, d, m)) {
                ok = 0;
                break;
            }
            double t;
            int tied;
            memcpy(T, V->v[i].rows, (size_t)m * sizeof *T);
            int r = ratio_test(R, V->v[i].x, d, T, m, &t, &tied);
            ok = r < 0 ? edge_or_ray(V, S, R, i, k, T)
                       : edge_end(V, S, R, i, k, r, tied, T);
            /* a cell with many vertices (a box corner region in m >= 10
             * has 2^m) costs more here than on the LP path: the exact
             * centroid of thousands of vertices alone takes seconds */
            if (V->count > FAST_MAX_VERTICES)
                ok = 0;
        }
    }
    pv_free(A);
    pv_free(b);
    pv_free(d);
    pv_free(T);
    return ok;
}

/* The vertices of the cell's closure, when the fast path applies (R: the
 * system's rows in doubles, q: a float point inside them, hint_point). */
static int cell_vertices(vset *V, const pv_system *S, const frows *R,
                         const double *q)
{
    return first_vertex(V, S, R, q) && all_vertices(V, S, R) &&
           V->count + V->nrays > S->dim;
}

/* Whether ray y lies in the face of row f (f < 0: the whole cell): f is
 * one of the rows y stays on. */
static int ray_in(const vset *V, const vray *y, int f)
{
    if (f < 0)
        return 1;
    const int *rows = V->v[y->v].rows;
    for (int a = 0; a < V->m; a++)
        if (rows[a] == f)
            return a != y->k;
    return 0;
}

/* xc = the float centroid of the vertices listed in idx, plus, in an
 * unbounded cell, the rays of the face of row f (f < 0: of the cell) at a
 * length of about the vertices' spread: a positive combination of all
 * vertices and extreme rays of a face is in its relative interior. */
static void float_centroid(double *xc, const vset *V, const int *idx, int n,
                           int f)
{
    double spread = 1;
    for (int j = 0; j < V->m; j++) {
        double s = 0;
        for (int a = 0; a < n; a++)
            s += V->v[idx[a]].x[j];
        xc[j] = s / n;
        for (int a = 0; a < n; a++)
            spread = fmax(spread, 2 * fabs(V->v[idx[a]].x[j] - xc[j]));
    }
    for (int r = 0; r < V->nrays; r++) {
        if (!ray_in(V, &V->rays[r], f))
            continue;
        for (int j = 0; j < V->m; j++)
            xc[j] += spread * V->rays[r].e[j];
    }
}

/* A coarse interior point: the float centroid xc rounded to multiples of
 * 2^-s, coarsest first, accepted when every row of S is > 0 there in exact
 * integer arithmetic (h 2^s + g.Z > 0; rows g = 0 are h >= 0 and never
 * tight). The short point is what the user reads (and what the code check
 * and the certificate evaluate); 0 when no rounding is inside. */
static int coarse_interior(mpq_t *p, const pv_system *S, const frows *R,
                           const double *xc)
{
    static const int shifts[] = { 0, 1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24,
                                  32, 40, 48 };
    int m = S->dim, ok = 0;
    mpz_t *Z = pv_zvec_new(m), delta, t;
    double *zr = pv_malloc((size_t)m * sizeof *zr);
    mpz_init(delta);
    mpz_init(t);
    for (size_t a = 0; a < sizeof shifts / sizeof *shifts && !ok; a++) {
        int sh = shifts[a];
        for (int j = 0; j < m; j++)
            zr[j] = ldexp(nearbyint(ldexp(xc[j], sh)), -sh);
        ok = 1;                       /* a float filter: decides nothing */
        for (int i = 0; i < S->nrows && ok; i++)
            ok = !R->live[i] || frow_value(R, i, zr) > 1e-9;
        if (!ok || pv_dyadic_round_at(Z, delta, xc, m, sh) != 0) {
            ok = 0;
            continue;
        }
        for (int i = 0; i < S->nrows && ok; i++) {
            mpz_mul(t, S->h[i], delta);
            for (int j = 0; j < m; j++)
                mpz_addmul(t, PV_G(S, i, j), Z[j]);
            ok = mpz_sgn(t) > 0 || (!R->live[i] && mpz_sgn(t) == 0);
        }
    }
    for (int j = 0; ok && j < m; j++) {
        mpq_set_num(p[j], Z[j]);
        mpq_set_den(p[j], delta);
        mpq_canonicalize(p[j]);
    }
    mpz_clear(delta);
    mpz_clear(t);
    pv_zvec_free(Z, (size_t)m);
    pv_free(zr);
    return ok;
}

/* x = centroid of the vertices listed in idx plus the rays of the face of
 * row f, each scaled to a largest entry of 1 (exact; see float_centroid). */
static void centroid(mpq_t *x, const vset *V, const int *idx, int n, int f)
{
    mpq_t t;
    mpq_init(t);
    for (int j = 0; j < V->m; j++)
        mpq_set_ui(x[j], 0, 1);
    for (int a = 0; a < n; a++) {
        const vtx *v = &V->v[idx[a]];
        for (int j = 0; j < V->m; j++) {
            mpq_set_num(t, v->X[j]);
            mpq_set_den(t, v->delta);
            if (mpz_sgn(v->delta) < 0) {
                mpz_neg(mpq_numref(t), mpq_numref(t));
                mpz_neg(mpq_denref(t), mpq_denref(t));
            }
            mpq_canonicalize(t);
            mpq_add(x[j], x[j], t);
        }
    }
    mpq_set_ui(t, (unsigned long)n, 1);
    for (int j = 0; j < V->m; j++)
        mpq_div(x[j], x[j], t);
    for (int r = 0; r < V->nrays; r++) {
        const vray *y = &V->rays[r];
        if (!ray_in(V, y, f))
            continue;
        mpz_t big;
        mpz_init(big);
        for (int j = 0; j < V->m; j++)
            if (mpz_cmpabs(y->E[j], big) > 0)
                mpz_abs(big, y->E[j]);
        for (int j = 0; j < V->m; j++) {
            mpq_set_num(t, y->E[j]);
            mpq_set_den(t, big);
            mpq_canonicalize(t);
            mpq_add(x[j], x[j], t);
        }
        mpz_clear(big);
    }
    mpq_clear(t);
}

/* A float point inside the cell from its hint: y + e d for the largest
 * e = 2^-k at which every live row is positive in doubles. */
static int hint_point(double *q, const double *hint, const pv_system *S,
                      const frows *R)
{
    int m = S->dim, found = 0;
    for (int k = 0; k < 60 && !found; k++) {
        double e = ldexp(1.0, -k);
        for (int j = 0; j < m; j++)
            q[j] = hint[j] + e * hint[m + j];
        found = 1;
        for (int i = 0; i < S->nrows && found; i++)
            found = !R->live[i] || frow_value(R, i, q) > 1e-12;
    }
    return found;
}

/* A float point inside a cell no crossing gave a hint (found as the code
 * of a face): the centre of the largest ball in the cell by one float LP
 * (max t, R's rows >= t, t <= 1), checked as hint_point checks. A float
 * search only: the vertices then prove the cell exactly, or the LP path
 * decides it. */
static int margin_point(double *q, const frows *R, pv_stats *stats)
{
    int m = R->m, n = 0;
    double *G = pv_malloc(((size_t)R->n * m + 1) * sizeof *G);
    double *h = pv_malloc(((size_t)R->n + 1) * sizeof *h);
    for (int i = 0; i < R->n; i++) {
        if (!R->live[i])
            continue;
        memcpy(G + (size_t)n * m, R->G + (size_t)i * m, (size_t)m * sizeof *G);
        h[n++] = R->h[i];
    }
    double *y = pv_malloc(((size_t)n + 1) * sizeof *y), t = 0;
    stats->float_lps++;
    int found = n > 0 && pv_flp_margin(m, n, G, h, q, &t, y) == 0 && t > 0;
    for (int i = 0; i < R->n && found; i++)
        found = !R->live[i] || frow_value(R, i, q) > 1e-12;
    pv_free(y);
    pv_free(h);
    pv_free(G);
    return found;
}

/* Vertex indices of V grouped by row: rows[] lists each row in a vertex
 * set once, ascending; members of rows[k] are idx[first[k] .. first[k+1]). */
typedef struct facet_index {
    int nrows;
    int *rows, *first, *idx;
} facet_index;

static void facet_index_build(facet_index *F, const vset *V, int nsys)
{
    int *count = pv_calloc((size_t)nsys + 1, sizeof *count);
    for (int i = 0; i < V->count; i++)
        for (int a = 0; a < V->m; a++)
            count[V->v[i].rows[a]]++;
    F->nrows = 0;
    F->rows = pv_malloc((size_t)(nsys + 1) * sizeof(int));
    F->first = pv_malloc((size_t)(nsys + 2) * sizeof(int));
    F->idx = pv_malloc((size_t)(V->count * V->m + 1) * sizeof(int));
    int *pos = pv_malloc((size_t)(nsys + 1) * sizeof *pos), o = 0;
    for (int r = 0; r < nsys; r++) {
        pos[r] = o;
        if (count[r]) {
            F->rows[F->nrows] = r;
            F->first[F->nrows++] = o;
        }
        o += count[r];
    }
    F->first[F->nrows] = o;
    for (int i = 0; i < V->count; i++)
        for (int a = 0; a < V->m; a++)
            F->idx[pos[V->v[i].rows[a]]++] = i;
    pv_free(pos);
    pv_free(count);
}

static void facet_index_clear(facet_index *F)
{
    pv_free(F->rows);
    pv_free(F->first);
    pv_free(F->idx);
}

/* Codes of every face through vertex v: c with any non-empty subset of
 * v's 1-bit rows cleared. Also the vertex condition of general position,
 * counted at the one cell where v is inner (no 1-bit row vanishes). */
static void vertex_faces(cellctx *X, const vtx *v, int m)
{
    const pv_system *S = X->S;
    int t1[64], n1 = 0, neurons = 0;
    for (int a = 0; a < m; a++) {
        int r = v->rows[a];
        if (!PV_LABEL_IS_NEURON(S->label[r]))
            continue;
        neurons++;
        if (S->strict[r] && n1 < 64)
            t1[n1++] = r;
    }
    if (n1 == 0 && neurons > 0)
        X->R->gp.vertices++;          /* simple: on exactly m hyperplanes */
    if (n1 == 0 || n1 > 20)
        return;
    pv_code c;
    pv_code_init(&c, 0);
    for (unsigned long A = 1; A < (1UL << n1); A++) {
        pv_code_set(&c, X->code);
        for (int k = 0; k < n1; k++)
            if (A & (1UL << k))
                c.bit[S->label[t1[k]]] = 0;
        pv_codeset_record(X, &c);
    }
    pv_code_clear(&c);
}

/* The walk across every neuron facet of cell i, whose interior point is
 * X->R->point (q: it in doubles). The facet of row r holds the
 * centroid y of its vertices in its relative interior, where of the rows
 * that are not identically 0 row r alone vanishes (the vertices are
 * simple): so with no row identically 0 the cell beyond is the flip of r's
 * bit and y is needed only in doubles; otherwise y is exact and the exact
 * forward pass decides (pv_visit_cross_at). */
static pv_status cross_facets(cellctx *X, const vset *V, const double *q,
                              pv_error *err)
{
    const pv_system *S = X->S;
    int m = X->st->m;
    int zero_rows = pv_visit_zero_rows(X);
    facet_index F;
    facet_index_build(&F, V, S->nrows);
    double *yd = pv_malloc((size_t)(2 * m + 1) * sizeof *yd);
    mpq_t *y = zero_rows ? pv_qvec_new(m) : NULL;
    pv_status rc = PV_OK;
    for (int k = 0; k < F.nrows && rc == PV_OK; k++) {
        if (!PV_LABEL_IS_NEURON(S->label[F.rows[k]]))
            continue;                 /* nothing beyond the box */
        const int *idx = F.idx + F.first[k];
        int n = F.first[k + 1] - F.first[k];
        if (zero_rows) {
            centroid(y, V, idx, n, F.rows[k]);
            rc = pv_visit_cross_at(X, y, X->R->point, -1, err);
            continue;
        }
        float_centroid(yd, V, idx, n, F.rows[k]);
        for (int j = 0; j < m; j++)
            yd[m + j] = yd[j] - q[j];
        pv_visit_cross_flip(X, S->label[F.rows[k]], yd, yd + m);
    }
    pv_qvec_free(y, m);
    pv_free(yd);
    facet_index_clear(&F);
    return rc;
}

/* The fast path for cell i (see the top of this file). Returns 1 when it
 * decided the cell (rc then says whether crossing its facets went well). */
int pv_vertex_fast_cell(cellctx *X, int i, pv_status *rc, pv_error *err)
{
    state *st = X->st;
    const pv_system *S = X->S;
    int m = st->m;
    if (m > 12 || st->opt->lp_only)
        return 0;
    double *q = pv_malloc((size_t)m * sizeof *q);
    frows R;
    memset(&R, 0, sizeof R);
    vset V;
    memset(&V, 0, sizeof V);
    V.m = m;
    V.cache = &st->vcache;
    V.put = X->w->put;
    V.net = st->net;
    V.code = X->code;
    V.key = pv_malloc(st->vcache.keylen + 1);
    const double *hint = st->cells[i].hint;
    int ok = pv_frows_build(&R, S) &&
             (hint ? hint_point(q, hint, S, &R) : margin_point(q, &R, &X->stats)) &&
             cell_vertices(&V, S, &R, q);
    int *all = ok ? pv_malloc((size_t)V.count * sizeof *all) : NULL;
    for (int k = 0; ok && k < V.count; k++)
        all[k] = k;
    mpq_t *p = pv_qvec_new(m);
    if (ok) {
        /* the interior point: a coarse rounding of the centroid, else the
         * exact centroid (interior: the cell is simple with > m vertices,
         * or has rays and its centroid adds them) */
        float_centroid(q, &V, all, V.count, -1);
        if (!coarse_interior(p, S, &R, q))
            centroid(p, &V, all, V.count, -1);
    }
    pv_free(all);
    /* a last exact check, independent of the vertex argument: the point
     * has the cell's code (else the LP path decides the cell) */
    pv_code c;
    pv_code_init(&c, 0);
    ok = ok && pv_code_at(st->net, p, &c, NULL, err) == PV_OK &&
         pv_code_equal(&c, X->code);
    pv_code_clear(&c);
    if (!ok) {
        pv_qvec_free(p, m);
        pv_free(q);
        pv_frows_clear(&R);
        vset_clear(&V);
        return 0;
    }
    X->R->dim = m;
    X->R->point = p;
    *rc = cross_facets(X, &V, q, err);
    for (int k = 0; k < V.count && *rc == PV_OK; k++)
        vertex_faces(X, &V.v[k], m);
    pv_free(q);
    pv_frows_clear(&R);
    vset_clear(&V);
    return 1;
}
