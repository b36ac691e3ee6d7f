/* polyverify — enumeration of every cell (see enumerate.h).
 *
 * Why the walk finds every FULL-dimensional cell. Let F be a facet of the
 * closure P(b) of a full-dimensional cell b (not on the box boundary). On
 * P(b) every pre-activation equals b's affine function (continuity), so a
 * neuron vanishing at one relative-interior point of F vanishes on all of
 * F, and every other neuron keeps one sign near all of relint F. Going
 * layer by layer, each neuron vanishing on F is, on the far side near F,
 * an affine function vanishing on F's hyperplane: it has one sign there.
 * So the far side of relint F is ONE open region with one code, the code
 * of y + e(y - p) for any y in relint F (pv_net_code_beyond). Any
 * full-dimensional cell c sharing an (m-1)-dimensional piece with P(b)
 * shares it inside some facet F, so c is that code. The interior of the
 * box is convex, and removing the (m-2)-dimensional pieces where three or
 * more cells meet leaves it connected: the full-dimensional cells are
 * connected through facets, and the walk reaches all of them. (Relative to
 * the box's affine hull when the box is flat in a coordinate.)
 *
 * Why every LOWER-dimensional cell is found. For a found cell c and a face
 * G of P(c), code(relint G) = c with the 1-bits whose rows vanish on G
 * cleared (on P(c) the pre-activations are c's affine functions). Call
 * faces with no vanishing 1-bit row "inner" (they lie inside C(c)); inner
 * faces are closed upwards. For each found c we explore every inner face
 * down to vertices and record the code of every facet of an inner face
 * that is not inner. Take any point y, with code d, in P(e0) for a
 * full-dimensional e0. If the face of P(e0) holding y in its relative
 * interior is inner, d = e0. Otherwise a chain of faces from P(e0) down to
 * it leaves the inner faces at a facet G1 of an inner face; its code e1 is
 * recorded, y lies in P(e1), and e1 has strictly fewer 1-bits vanishing at
 * y than e0 (it lost those of G1). Repeating ends with d.
 * The inner faces can be exponentially many (a box cut by a hyperplane:
 * ~3^m), so past a per-cell budget (explore_budget) a cell records, for
 * each 1-bit row r, the code of the face P(c) ∩ {r = 0} instead: the same
 * chain with G1 = that face (row_faces has the argument), N faces a cell.
 *
 * Every code recorded is the code of an actual point; each cell is then
 * decided exactly by pv_system_dimension and pv_system_facets. */
#include "core/alloc.h"
#include "polyverify/enumerate.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "polyverify/adjacency.h"
#include "polyverify/cell.h"
#include "polyverify/system.h"
#include "exact/linalg.h"
#include "lp/lp.h"

/* ------------------------------------------------------------------------ */
/* Small helpers                                                             */

/* Bytes of heap this call holds: what its memory scope has allocated and
 * not freed (alloc.h), so that neither the caller's memory nor another
 * enumeration in the process counts. max_bytes bounds its growth since
 * the enumeration started. Cells vary too much in size (a point's numbers
 * may have hundreds of digits) for an estimate, so the scope counts. */
static size_t heap_in_use(void)
{
    return pv_scope_bytes();
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static mpq_t *qvec_new(int n)
{
    mpq_t *v = pv_malloc((size_t)(n > 0 ? n : 1) * sizeof(mpq_t));
    for (int i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

static void qvec_free(mpq_t *v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        mpq_clear(v[i]);
    pv_free(v);
}

static mpq_t *qvec_copy(mpq_t *const x, int n)
{
    mpq_t *v = qvec_new(n);
    for (int i = 0; i < n; i++)
        mpq_set(v[i], x[i]);
    return v;
}

static void stats_add(pv_stats *to, const pv_stats *from)
{
    to->float_lps += from->float_lps;
    to->exact_lps += from->exact_lps;
    to->float_proofs += from->float_proofs;
    to->rays += from->rays;
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static uint64_t hash_bytes(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_code(const pv_code *c)
{
    return hash_bytes(c->bit, (size_t)c->n, 14695981039346656037ULL);
}

/* ------------------------------------------------------------------------ */
/* The state of one enumeration                                              */

typedef struct ecell {
    pv_code code;
    int dim;
    mpq_t *point;
    int *nbr;               /* cells across facets (graph candidates)       */
    int nnbr;
    double *hint;           /* 2m: y, d with y + e d inside for small e > 0 */
} ecell;

typedef struct state {
    const pv_net *net;
    const pv_box *box;
    const pv_enum_options *opt;
    int m, n;
    ecell *cells;
    int ncells, cap;
    int *table;             /* open addressing: cell index + 1, 0 = empty   */
    size_t tcap;
    int limit_hit;          /* max_cells reached                           */
    int memory_hit;         /* max_bytes reached                           */
    size_t heap0;           /* heap in use when the run started            */
    int interrupted;        /* the caller's interrupt hook said stop       */
    int census;             /* the vertex census (general position) is
                               still exhaustive: see explore_budget        */
    long cell_faces;        /* faces explored for the current cell         */
    size_t cell_bytes;      /* pv_enum_bytes_per_cell                      */
    pv_enumeration *E;
    double t0, last_report, last_poll;
} state;

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
static int add_code(state *st, const pv_code *c)
{
    if ((size_t)(st->ncells + 1) * 2 > st->tcap)
        table_grow(st);
    size_t slot = 0;
    int i = table_find(st, c, &slot);
    if (i >= 0)
        return i;
    if (st->opt->max_cells > 0 && st->ncells >= st->opt->max_cells) {
        st->limit_hit = 1;
        return -1;
    }
    if (st->opt->max_bytes > 0 && st->ncells % 64 == 0 &&
        heap_in_use() > st->heap0 + st->opt->max_bytes) {
        st->limit_hit = st->memory_hit = 1;
        return -1;
    }
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

static void add_neighbor(ecell *e, int j)
{
    for (int k = 0; k < e->nnbr; k++)
        if (e->nbr[k] == j)
            return;
    e->nbr = pv_realloc(e->nbr, (size_t)(e->nnbr + 1) * sizeof *e->nbr);
    e->nbr[e->nnbr++] = j;
}

static void report_progress(state *st, double t)
{
    if (!st->opt->progress || t - st->last_report < 0.5)
        return;
    st->last_report = t;
    PV_HOOK(st->opt->progress(st->opt->progress_ctx, st->ncells, t - st->t0));
}

/* The one place where a run looks up from its work: progress every half
 * second, the caller's interrupt hook every 5 ms of work. Called between
 * any two pieces of work that cost an LP or more (a cell, a face, a facet,
 * a pair), so no phase runs unobserved. Returns 1 when the run must stop
 * at once (interrupt, memory): the callers unwind, keeping what was
 * decided. */
static int must_stop(state *st)
{
    if (st->interrupted || st->memory_hit)
        return 1;
    double t = now_seconds();
    report_progress(st, t);
    if (st->opt->interrupted && t - st->last_poll >= 0.005) {
        st->last_poll = t;
        int stop = 0;
        PV_HOOK(stop = st->opt->interrupted(st->opt->interrupted_ctx));
        st->interrupted = stop != 0;
    }
    return st->interrupted;
}

/* Whether new codes can still be recorded: after max_cells (or a stop) no
 * code is added, so searching for more is wasted time. */
static int can_add(const state *st)
{
    return !st->limit_hit && !st->interrupted && !st->memory_hit;
}

/* ------------------------------------------------------------------------ */
/* The start cell: the code of a generic point                               */

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Candidate t: the box centre (t = 0), then centre + r_i * half-width with
 * r_i in (-1, 1) a dyadic rational; without a box the origin, then points
 * of (-1, 1)^m. A coordinate whose interval is a point stays there. */
static void start_candidate(mpq_t *x, int m, const pv_box *box, int t,
                            uint64_t *seed)
{
    mpq_t r, half;
    mpq_init(r);
    mpq_init(half);
    for (int i = 0; i < m; i++) {
        if (box) {
            mpq_add(x[i], box->lo[i], box->hi[i]);
            mpq_div_2exp(x[i], x[i], 1);
            mpq_sub(half, box->hi[i], box->lo[i]);
            mpq_div_2exp(half, half, 1);
        } else {
            mpq_set_ui(x[i], 0, 1);
            mpq_set_ui(half, 1, 1);
        }
        if (t == 0)
            continue;
        /* r in (-0.9, 0.9): a numerator over 2^20 */
        long k = (long)(xorshift(seed) % 1887437) - 943718;
        mpq_set_si(r, k, 1UL << 20);
        mpq_mul(r, r, half);
        mpq_add(x[i], x[i], r);
    }
    mpq_clear(r);
    mpq_clear(half);
}

/* Whether every neuron vanishing at x (zero[j]) is identically 0 near x:
 * its row in the system of x's code c is g = 0, h = 0. Then x is generic.
 * Proof, layer by layer: a neuron that is non-zero at x keeps its sign
 * near x (continuity); one that vanishes has, near x, the affine form of
 * its row in c's system as long as the earlier layers keep their signs or
 * vanish identically (relu(0) = 0 matches bit 0), so a zero row means it
 * vanishes identically near x too. Every neuron is then sign-constant or
 * identically 0 on a neighbourhood of x: code c holds on an open set, and
 * its cell has the box's dimension. Such a neuron — zero weights and bias
 * in a pruned net, or a deep neuron whose inputs are all off — is an
 * implicit equality of the cell, not an obstacle. */
static pv_status zeros_are_identical(int *generic, const state *st,
                                     const pv_code *c,
                                     const unsigned char *zero, pv_error *err)
{
    int any = 0;
    for (int j = 0; j < st->n; j++)
        any |= zero[j];
    *generic = !any;
    if (!any)
        return PV_OK;
    pv_system S;
    pv_status rc = pv_system_from_code(&S, st->net, c, st->box, err);
    if (rc != PV_OK)
        return rc;
    *generic = 1;
    for (int i = 0; i < S.nrows && *generic; i++) {
        if (PV_LABEL_IS_BOX(S.label[i]) || !zero[S.label[i]])
            continue;
        *generic = !mpz_sgn(S.h[i]);
        for (int k = 0; k < S.dim && *generic; k++)
            *generic = !mpz_sgn(PV_G(&S, i, k));
    }
    pv_system_clear(&S);
    return PV_OK;
}

/* The code of a point inside the box at which every pre-activation is
 * non-zero or identically zero nearby (zeros_are_identical): an open
 * neighbourhood has that code, so its cell has the box's dimension. */
static pv_status start_code(state *st, pv_code *c, double *hint,
                            pv_error *err)
{
    mpq_t *x = qvec_new(st->m);
    unsigned char *zero = pv_calloc((size_t)st->n + 1, 1);
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    pv_status rc = PV_ERR_INTERNAL;
    for (int t = 0; t < 1000; t++) {
        start_candidate(x, st->m, st->box, t, &seed);
        rc = pv_net_code_at(st->net, x, c, zero, err);
        int generic = 0;
        if (rc == PV_OK)
            rc = zeros_are_identical(&generic, st, c, zero, err);
        if (rc != PV_OK)
            break;
        if (generic) {
            for (int j = 0; j < st->m; j++) {
                hint[j] = mpq_get_d(x[j]);
                hint[st->m + j] = 0.0;
            }
            break;
        }
        rc = pv_error_set(err, PV_ERR_INTERNAL, "enumerate: no point of the "
                          "box off the hyperplane of every neuron that is "
                          "not identically 0 there found in 1000 tries");
    }
    pv_free(zero);
    qvec_free(x, st->m);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Faces of a cell's closure                                                 */

/* A set of faces of one cell, each keyed by its sorted tight rows. */
typedef struct keyset {
    size_t cap, count;
    int **keys;             /* keys[i] = { len, r0, r1, ... } or NULL      */
} keyset;

static uint64_t hash_key(const int *rows, int n)
{
    return hash_bytes((const unsigned char *)rows, (size_t)n * sizeof(int),
                      14695981039346656037ULL ^ (uint64_t)n);
}

static void keyset_clear(keyset *K)
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
                size_t h = hash_key(old.keys[i] + 1, old.keys[i][0]) & (K->cap - 1);
                while (K->keys[h])
                    h = (h + 1) & (K->cap - 1);
                K->keys[h] = old.keys[i];
                K->count++;
            }
        pv_free(old.keys);
    }
    size_t h = hash_key(rows, n) & (K->cap - 1);
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

/* What the exploration of one cell's closure needs. */
typedef struct cellctx {
    state *st;
    const pv_system *S;     /* the cell's system (strict rows = 1-bits)    */
    const pv_code *code;
    keyset seen;
    pv_stats stats;
} cellctx;

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
    qvec_free(F->x0, F->m);
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

/* Reduced row echelon form of [g_E | -h_E] over Q; returns the rank and
 * fills piv (pivot column of each row). */
static int rref_rows(mpq_t *A, int rows, int cols, int *piv)
{
    mpq_t f, t;
    mpq_init(f);
    mpq_init(t);
    int r = 0;
    for (int c = 0; c < cols && r < rows; c++) {
        int p = r;
        while (p < rows && !mpq_sgn(A[p * cols + c]))
            p++;
        if (p == rows)
            continue;
        for (int j = 0; j < cols; j++)
            mpq_swap(A[p * cols + j], A[r * cols + j]);
        mpq_inv(f, A[r * cols + c]);
        for (int j = 0; j < cols; j++)
            mpq_mul(A[r * cols + j], A[r * cols + j], f);
        for (int i = 0; i < rows; i++) {
            if (i == r || !mpq_sgn(A[i * cols + c]))
                continue;
            mpq_set(f, A[i * cols + c]);
            for (int j = 0; j < cols; j++) {
                mpq_mul(t, f, A[r * cols + j]);
                mpq_sub(A[i * cols + j], A[i * cols + j], t);
            }
        }
        piv[r++] = c;
    }
    mpq_clear(f);
    mpq_clear(t);
    return r;
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
    mpq_t *A = qvec_new(ne * cols);
    for (int a = 0; a < ne; a++) {
        for (int j = 0; j < m; j++)
            mpq_set_z(A[a * cols + j], PV_G(S, E[a], j));
        mpq_set_z(A[a * cols + m], S->h[E[a]]);
        mpq_neg(A[a * cols + m], A[a * cols + m]);
    }
    int *piv = pv_malloc((size_t)(ne + 1) * sizeof *piv);
    int r = rref_rows(A, ne, cols, piv);
    F->empty = r > 0 && piv[r - 1] == m;
    F->x0 = qvec_new(m);
    if (F->empty) {
        qvec_free(A, ne * cols);
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
    qvec_free(A, ne * cols);
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
static int clear_vanishing(pv_code *out, const cellctx *X, const int *rows,
                           int nrows)
{
    int cleared = 0;
    pv_code_set(out, X->code);
    for (int a = 0; a < nrows; a++) {
        int r = rows[a];
        if (X->S->strict[r] && !PV_LABEL_IS_BOX(X->S->label[r])) {
            out->bit[X->S->label[r]] = 0;
            cleared = 1;
        }
    }
    return cleared;
}

/* The vertex condition of general position: at a vertex of P(c) where a
 * neuron vanishes, the neurons vanishing there (rows that are not
 * identically zero) plus the box sides through it must number m. */
static void check_vertex(cellctx *X, const int *rows, int nrows,
                         mpq_t *const v, int cell)
{
    const pv_system *S = X->S;
    int neurons = 0, sides = 0;
    for (int a = 0; a < nrows; a++) {
        int r = rows[a];
        if (PV_LABEL_IS_BOX(S->label[r])) {
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
    pv_genpos *gp = &X->st->E->gp;
    gp->vertices++;
    if (neurons + sides == S->dim)
        return;
    gp->bad_vertices++;
    if (gp->example_kind == 3 || gp->example_kind == 0) {
        if (gp->example_kind == 0 || cell < gp->example_cell) {
            qvec_free(gp->example_vertex, S->dim);
            gp->example_vertex = qvec_copy(v, S->dim);
            gp->example_cell = cell;
            gp->example_count = neurons + sides;
            gp->example_kind = 3;
        }
    }
}

static pv_status record_code(cellctx *X, const pv_code *c)
{
    add_code(X->st, c);                 /* -1 at the limit: noted in st */
    return PV_OK;
}

static pv_status explore_face(cellctx *X, const int *E, int ne, int cell,
                              pv_error *err);

/* The exhaustive exploration of inner faces below is what the vertex
 * census of general position needs (every vertex of the arrangement is
 * visited), but a cell can have exponentially many inner faces: a box
 * [-1,1]^m cut by one hyperplane has ~3^m faces, and the section of the
 * box by the hyperplane exponentially many vertices — a census that counts
 * them cannot be fast. So each cell gets a budget of faces; past it the
 * census is declared incomplete for the run (gp.vertices_checked = 0: the
 * violations found are real, "holds" is no longer claimed) and from then
 * on lower-dimensional cells are found by the N single-row faces of each
 * cell instead (row_faces, whose completeness argument does not need the
 * inner faces). Returns 1 when one more face may be explored. */
#define EXPLORE_FACES_PER_CELL 1000
#define CENSUS_MAX_DIM 6

static int explore_budget(state *st)
{
    if (must_stop(st) || !can_add(st) || !st->census)
        return 0;
    if (++st->cell_faces > EXPLORE_FACES_PER_CELL) {
        st->census = 0;
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
    pv_status rc = pv_system_facets(&F->R, DE, &Fs, &X->stats, err);
    int *rows = pv_malloc((size_t)(X->S->nrows + 1) * sizeof *rows);
    mpq_t *x = qvec_new(F->m);
    pv_code c;
    pv_code_init(&c, 0);
    for (int f = 0; f < Fs.count && rc == PV_OK; f++) {
        int nr = nkey;
        memcpy(rows, key, (size_t)nkey * sizeof *rows);
        for (int a = 0; a < Fs.f[f].nrows; a++)
            rows[nr++] = Fs.f[f].rows[a];
        qsort(rows, (size_t)nr, sizeof *rows, int_cmp);
        int k = 0;
        for (int a = 0; a < nr; a++)
            if (k == 0 || rows[k - 1] != rows[a])
                rows[k++] = rows[a];
        int leaves;
        if (Fs.f[f].point) {
            face_point(x, F, Fs.f[f].point);
            rc = pv_net_code_at(X->st->net, x, &c, NULL, err);
            leaves = !pv_code_equal(&c, X->code);
        } else {
            leaves = clear_vanishing(&c, X, rows, k);
        }
        if (rc != PV_OK)
            break;
        if (leaves)
            rc = record_code(X, &c);
        else
            rc = explore_face(X, rows, k, cell, err);
    }
    pv_code_clear(&c);
    qvec_free(x, F->m);
    pv_free(rows);
    pv_facets_clear(&Fs);
    return rc;
}

/* An inner face of P(c): the rows E vanish on it and no 1-bit row does. */
static pv_status explore_face(cellctx *X, const int *E, int ne, int cell,
                              pv_error *err)
{
    if (!explore_budget(X->st) || !keyset_add(&X->seen, E, ne))
        return PV_OK;
    const pv_system *S = X->S;
    face F;
    face_build(&F, S, E, ne);
    pv_dimension DE;
    pv_dimension_init(&DE);
    int *key = pv_malloc((size_t)(S->nrows + 1) * sizeof *key), nkey = -1;
    pv_status rc = PV_OK;
    X->st->E->faces++;
    if (!F.empty && F.k == 0) {
        nkey = point_rows(key, S, F.x0);
        if (nkey >= 0)
            check_vertex(X, key, nkey, F.x0, cell);
    } else if (!F.empty) {
        rc = pv_system_dimension(&F.R, &DE, &X->stats, err);
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
            mpq_t *x = qvec_new(F.m);
            face_point(x, &F, DE.point);
            check_vertex(X, key, nkey, x, cell);
            qvec_free(x, F.m);
        } else {
            rc = explore_facets(X, &F, &DE, key, nkey, cell, err);
        }
    }
    pv_free(key);
    pv_dimension_clear(&DE);
    face_clear(&F);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Fast path: exact vertices of a bounded, simple, full-dimensional cell     */
/*
 * Most cells of a generic network in a box are simple polytopes: at each
 * vertex exactly m rows vanish. For them every question of the walk has a
 * combinatorial answer once the vertices are known, and no LP is needed:
 *   search  float pivoting from an interior hint point (ray shooting to a
 *           first vertex, then along the m edges of every vertex found);
 *   proof   each vertex is solved exactly from its m rows (fraction-free
 *           Gauss-Jordan, x = X / delta) and every row of the system is
 *           checked at it: 0 on its m rows, > 0 on all others (so it is a
 *           simple vertex); each pivot along the edge "rows T minus one"
 *           must land on a proved vertex with those m - 1 rows, which is
 *           then that edge's other end. A set of proved vertices closed
 *           under all edges is every vertex (the graph of a polytope is
 *           connected);
 *   use     the centroid of the vertices is an interior point (the cell is
 *           realised with dim m), the rows in vertex sets are the facets
 *           (one row each: two rows on one facet would both vanish at its
 *           vertices), the centroid of a facet's vertices is in its
 *           relative interior, and the faces containing a vertex v are its
 *           subsets of rows, so the codes of all faces are c with a subset
 *           of v's 1-bit rows cleared.
 * Anything unexpected (a tie, a degenerate vertex, a failed proof, no box)
 * returns "not handled" and the cell takes the LP path. */

typedef struct vtx {
    int *rows;              /* m sorted row indices                         */
    mpz_t *X;               /* m numerators                                 */
    mpz_t delta;            /* common denominator (non-zero, any sign)      */
    double *x;              /* the exact vertex rounded, for the search     */
} vtx;

typedef struct vset {
    int m, count, cap;
    vtx *v;
    size_t tcap;
    int *table;             /* index + 1 by hash of rows                    */
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
    pv_free(V->table);
    memset(V, 0, sizeof *V);
}

static int vset_find(vset *V, const int *rows, size_t *slot)
{
    if ((size_t)(V->count + 1) * 2 > V->tcap) {
        size_t cap = V->tcap ? 2 * V->tcap : 64;
        int *t = pv_calloc(cap, sizeof *t);
        for (int i = 0; i < V->count; i++) {
            size_t h = hash_key(V->v[i].rows, V->m) & (cap - 1);
            while (t[h])
                h = (h + 1) & (cap - 1);
            t[h] = i + 1;
        }
        pv_free(V->table);
        V->table = t;
        V->tcap = cap;
    }
    size_t h = hash_key(rows, V->m) & (V->tcap - 1);
    while (V->table[h]) {
        if (!memcmp(V->v[V->table[h] - 1].rows, rows, (size_t)V->m * sizeof(int)))
            return V->table[h] - 1;
        h = (h + 1) & (V->tcap - 1);
    }
    *slot = h;
    return -1;
}

/* Rows as unit doubles for the search; live[i] = 0 for rows with g = 0
 * (h > 0: never tight; h = 0: a neuron identically 0 on the cell, which
 * bounds nothing). Returns 0 if a row is g = 0, h < 0 (empty). */
typedef struct frows {
    int m, n;
    double *G, *h;
    unsigned char *live;
} frows;

static void frows_clear(frows *R)
{
    pv_free(R->G);
    pv_free(R->h);
    pv_free(R->live);
}

static double mpz_scaled(const mpz_t z, long shift)
{
    long e;
    double d = mpz_get_d_2exp(&e, z);
    return ldexp(d, (int)(e - shift));
}

static int frows_build(frows *R, const pv_system *S)
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
            double g = mpz_scaled(PV_G(S, i, j), shift);
            R->G[(size_t)i * m + j] = g;
            norm += g * g;
        }
        norm = sqrt(norm);
        for (int j = 0; j < m; j++)
            R->G[(size_t)i * m + j] /= norm;
        R->h[i] = mpz_scaled(S->h[i], shift) / norm;
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

/* Along x + t d (t > 0): the first live row not in T that decreases to 0.
 * Returns the row, or -1 when none or when two rows tie (degenerate). */
static int ratio_test(const frows *R, const double *x, const double *d,
                      const int *T, int nt, double *t_out)
{
    int best = -1;
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
            tb = t;
            best = i;
        } else if (t < t2) {
            t2 = t;
        }
    }
    if (best >= 0 && t2 - tb <= 1e-9 * (1.0 + tb))
        return -1;
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

/* Exact vertex of rows T (sorted): fraction-free Gauss-Jordan (Bareiss-
 * Montante) on [G_T | -h_T] leaves delta on the diagonal and X on the
 * right. Then every row is checked: 0 exactly on T, > 0 elsewhere. */
static int exact_vertex(vtx *v, const pv_system *S, const frows *R,
                        const int *T)
{
    int m = S->dim, c = m + 1;
    mpz_t *M = pv_malloc((size_t)m * c * sizeof(mpz_t));
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < m; j++)
            mpz_init_set(M[i * c + j], PV_G(S, T[i], j));
        mpz_init(M[i * c + m]);
        mpz_neg(M[i * c + m], S->h[T[i]]);
    }
    mpz_t prev, t;
    mpz_init_set_ui(prev, 1);
    mpz_init(t);
    int ok = 1;
    for (int k = 0; k < m && ok; k++) {
        int p = k;
        while (p < m && !mpz_sgn(M[p * c + k]))
            p++;
        if (p == m) {
            ok = 0;
            break;
        }
        for (int j = 0; j < c && p != k; j++)
            mpz_swap(M[p * c + j], M[k * c + j]);
        for (int i = 0; i < m; i++) {
            if (i == k)
                continue;
            for (int j = 0; j < c; j++) {
                if (j == k)
                    continue;
                mpz_mul(t, M[i * c + k], M[k * c + j]);
                mpz_mul(M[i * c + j], M[i * c + j], M[k * c + k]);
                mpz_sub(M[i * c + j], M[i * c + j], t);
                mpz_divexact(M[i * c + j], M[i * c + j], prev);
            }
            mpz_set_ui(M[i * c + k], 0);
        }
        mpz_set(prev, M[k * c + k]);
    }
    if (ok) {
        v->rows = pv_malloc((size_t)m * sizeof(int));
        memcpy(v->rows, T, (size_t)m * sizeof(int));
        v->X = pv_malloc((size_t)m * sizeof(mpz_t));
        mpz_init_set(v->delta, prev);
        v->x = pv_malloc((size_t)m * sizeof(double));
        long e = (long)mpz_sizeinbase(prev, 2);
        double dd = mpz_scaled(prev, e);
        for (int j = 0; j < m; j++) {
            mpz_init_set(v->X[j], M[j * c + m]);
            v->x[j] = mpz_scaled(v->X[j], e) / dd;
        }
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
                ok = !R->live[i];     /* g = 0, h = 0 rows vanish anywhere */
            else
                ok = s > 0;
        }
        if (!ok) {
            pv_free(v->rows);
            for (int j = 0; j < m; j++)
                mpz_clear(v->X[j]);
            pv_free(v->X);
            mpz_clear(v->delta);
            pv_free(v->x);
        }
    }
    for (int i = 0; i < m * c; i++)
        mpz_clear(M[i]);
    pv_free(M);
    mpz_clear(prev);
    mpz_clear(t);
    return ok;
}

/* Adds the vertex of rows T (any order) if new; 0 if it fails its proof. */
static int vset_add(vset *V, const pv_system *S, const frows *R, int *T)
{
    qsort(T, (size_t)V->m, sizeof *T, int_cmp);
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
    if (!exact_vertex(&V->v[V->count], S, R, T))
        return 0;
    V->table[slot] = ++V->count;
    return 1;
}

/* Ray shooting from the interior point q to a first vertex. */
static int first_vertex(vset *V, const pv_system *S, const frows *R,
                        const double *q)
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
        int r = ratio_test(R, x, d, T, k, &t);
        if (r < 0) {
            ok = 0;
            break;
        }
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
    ok = ok && vset_add(V, S, R, T);
    pv_free(x);
    pv_free(d);
    pv_free(B);
    pv_free(T);
    return ok;
}

#define FAST_MAX_VERTICES 200

/* Pivots along every edge of every vertex; each edge must end at a proved
 * vertex. */
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
            memcpy(T, V->v[i].rows, (size_t)m * sizeof *T);
            int r = ratio_test(R, V->v[i].x, d, T, m, &t);
            if (r < 0) {
                ok = 0;
                break;
            }
            T[k] = r;
            ok = vset_add(V, S, R, T);
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

/* The vertices of the cell's closure, when the fast path applies. */
static int cell_vertices(vset *V, const pv_system *S, const double *q)
{
    frows R;
    memset(V, 0, sizeof *V);
    V->m = S->dim;
    memset(&R, 0, sizeof R);
    int ok = frows_build(&R, S);
    for (int i = 0; i < S->nrows && ok; i++)
        ok = !R.live[i] || frow_value(&R, i, q) > 1e-12;
    ok = ok && first_vertex(V, S, &R, q) && all_vertices(V, S, &R);
    ok = ok && V->count > S->dim;
    frows_clear(&R);
    return ok;
}

/* x = centroid of the vertices listed in idx (exact). */
static void centroid(mpq_t *x, const vset *V, const int *idx, int n)
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
    mpq_clear(t);
}

/* ------------------------------------------------------------------------ */
/* One cell: dimension, facets, neighbours, inner faces                      */

/* A relative-interior point of the facet where rows[] vanish (used when the
 * facet was proved by rank and came without a point). */
static pv_status facet_point(mpq_t **y, const pv_system *S, const int *rows,
                             int nrows, pv_stats *stats, pv_error *err)
{
    face F;
    face_build(&F, S, rows, nrows);
    pv_dimension D;
    pv_dimension_init(&D);
    pv_status rc = PV_OK;
    *y = qvec_new(S->dim);
    if (F.empty)
        rc = pv_error_set(err, PV_ERR_INTERNAL, "a facet of a cell is empty");
    else if (F.k == 0)
        face_point(*y, &F, NULL);
    else
        rc = pv_system_dimension(&F.R, &D, stats, err);
    if (rc == PV_OK && F.k > 0 && D.dim < 0)
        rc = pv_error_set(err, PV_ERR_INTERNAL, "a facet of a cell is empty");
    else if (rc == PV_OK && F.k > 0)
        face_point(*y, &F, D.point);
    pv_dimension_clear(&D);
    face_clear(&F);
    return rc;
}

/* General position: rows of neurons that are identically 0 on the cell. */
/* Counts the neurons whose pre-activation is identically 0 on the cell
 * (general-position report); returns how many there are. */
static int check_zero_rows(state *st, const pv_system *S, int cell)
{
    int count = 0;
    for (int i = 0; i < S->nrows; i++) {
        if (PV_LABEL_IS_BOX(S->label[i]) || mpz_sgn(S->h[i]))
            continue;
        int zero = 1;
        for (int j = 0; j < S->dim && zero; j++)
            zero = !mpz_sgn(PV_G(S, i, j));
        if (!zero)
            continue;
        pv_genpos *gp = &st->E->gp;
        gp->zero_rows++;
        count++;
        if (gp->example_kind == 0) {
            gp->example_kind = 1;
            gp->example_cell = cell;
        }
    }
    return count;
}

/* The cell beyond y (in the relative interior of a facet of cell i, with
 * p inside cell i): the code of y + e(y - p) for small e > 0. The new cell
 * keeps (y, y - p) in doubles as the fast path's hint. flip >= 0 says that
 * neuron alone vanishes at y (no other, not even one that is identically 0
 * on the cell) and the cell is full-dimensional: then the
 * code beyond is cell i's with that bit flipped (every other
 * pre-activation is continuous and non-zero at y, so keeps its sign, and
 * the flipped neuron's own affine form is unchanged across y); otherwise
 * an exact first-order forward pass computes it. */
static pv_status cross_at(state *st, int i, mpq_t *const y, mpq_t *const p,
                          int flip, pv_error *err)
{
    int m = st->m;
    mpq_t *d = qvec_new(m);
    for (int j = 0; j < m; j++)
        mpq_sub(d[j], y[j], p[j]);
    pv_code c;
    pv_code_init(&c, 0);
    pv_status rc = PV_OK;
    if (flip >= 0) {
        pv_code_set(&c, &st->cells[i].code);
        c.bit[flip] ^= 1;
    } else {
        rc = pv_net_code_beyond(st->net, y, d, &c, err);
    }
    if (rc == PV_OK) {
        int j = add_code(st, &c);
        if (j >= 0 && j != i)
            add_neighbor(&st->cells[i], j);
        if (j >= 0 && j != i && !st->cells[j].hint && st->cells[j].dim == -2) {
            double *h = pv_malloc((size_t)(2 * m + 1) * sizeof *h);
            for (int k = 0; k < m; k++) {
                h[k] = mpq_get_d(y[k]);
                h[m + k] = mpq_get_d(d[k]);
            }
            st->cells[j].hint = h;
        }
    }
    pv_code_clear(&c);
    qvec_free(d, m);
    return rc;
}

/* Crosses facet f of cell i: the code of y + e(y - p), y in relint f. */
static pv_status cross_facet(cellctx *X, int i, const pv_facet *f,
                             const int *rows, int nrows, mpq_t *const p,
                             pv_error *err)
{
    mpq_t *y = NULL;
    pv_status rc = PV_OK;
    if (!f->point)
        rc = facet_point(&y, X->S, rows, nrows, &X->stats, err);
    if (rc == PV_OK)
        rc = cross_at(X->st, i, y ? y : f->point, p, -1, err);
    qvec_free(y, X->st->m);
    return rc;
}

/* The facets of cell i: the cell beyond each (the walk), the code of each
 * that leaves C(c), and the exploration of the inner ones. on_facet[r] is
 * set for the rows of every facet (row_faces skips them). */
static pv_status process_facets(cellctx *X, int i, const pv_dimension *D,
                                unsigned char *on_facet, pv_error *err)
{
    state *st = X->st;
    const pv_system *S = X->S;
    pv_facets F;
    pv_status rc = pv_system_facets(S, D, &F, &X->stats, err);
    int *rows = pv_malloc((size_t)(S->nrows + 1) * sizeof *rows);
    int nimp = 0;
    for (int r = 0; r < S->nrows; r++)
        if (D->implicit[r])
            rows[nimp++] = r;
    pv_code c;
    pv_code_init(&c, 0);
    for (int f = 0; f < F.count && rc == PV_OK && !must_stop(st); f++) {
        const pv_facet *fa = &F.f[f];
        int nr = nimp, neurons = 0, box = 0;
        for (int a = 0; a < fa->nrows; a++)
            on_facet[fa->rows[a]] = 1;
        for (int a = 0; a < fa->nrows; a++) {
            int r = fa->rows[a];
            rows[nr++] = r;
            if (PV_LABEL_IS_BOX(S->label[r]))
                box = 1;
            else
                neurons++;
        }
        qsort(rows, (size_t)nr, sizeof *rows, int_cmp);
        if (neurons >= 2) {
            st->E->gp.shared_facets++;
            if (st->E->gp.example_kind == 0) {
                st->E->gp.example_kind = 2;
                st->E->gp.example_cell = i;
            }
        }
        if (!box)
            rc = cross_facet(X, i, fa, rows + 0, nr, D->point, err);
        int leaves = 0;
        if (rc == PV_OK && fa->point) {
            rc = pv_net_code_at(st->net, fa->point, &c, NULL, err);
            leaves = !pv_code_equal(&c, X->code);
        } else if (rc == PV_OK) {
            leaves = clear_vanishing(&c, X, rows, nr);
        }
        if (rc == PV_OK && leaves)
            rc = record_code(X, &c);
        else if (rc == PV_OK)
            rc = explore_face(X, rows, nr, i, err);   /* within the budget */
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

/* A float point inside the cell from its hint: y + e d for the largest
 * e = 2^-k at which every live row is positive in doubles. */
static int hint_point(double *q, const double *hint, const pv_system *S)
{
    int m = S->dim;
    frows R;
    memset(&R, 0, sizeof R);
    int ok = frows_build(&R, S), found = 0;
    for (int k = 0; k < 60 && ok && !found; k++) {
        double e = ldexp(1.0, -k);
        for (int j = 0; j < m; j++)
            q[j] = hint[j] + e * hint[m + j];
        found = 1;
        for (int i = 0; i < S->nrows && found; i++)
            found = !R.live[i] || frow_value(&R, i, q) > 1e-12;
    }
    frows_clear(&R);
    return ok && found;
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
        if (PV_LABEL_IS_BOX(S->label[r]))
            continue;
        neurons++;
        if (S->strict[r] && n1 < 64)
            t1[n1++] = r;
    }
    if (n1 == 0 && neurons > 0)
        X->st->E->gp.vertices++;      /* simple: on exactly m hyperplanes */
    if (n1 == 0 || n1 > 20)
        return;
    pv_code c;
    pv_code_init(&c, 0);
    for (unsigned long A = 1; A < (1UL << n1); A++) {
        pv_code_set(&c, X->code);
        for (int k = 0; k < n1; k++)
            if (A & (1UL << k))
                c.bit[S->label[t1[k]]] = 0;
        record_code(X, &c);
    }
    pv_code_clear(&c);
}

/* The fast path for cell i (see above). Returns 1 when it decided the
 * cell (rc then says whether crossing its facets went well). */
static int fast_cell(cellctx *X, int i, pv_status *rc, pv_error *err)
{
    state *st = X->st;
    const pv_system *S = X->S;
    int m = st->m;
    if (!st->box || !st->cells[i].hint || m > 12 || st->opt->lp_only)
        return 0;
    double *q = pv_malloc((size_t)m * sizeof *q);
    vset V;
    memset(&V, 0, sizeof V);
    int ok = hint_point(q, st->cells[i].hint, S) && cell_vertices(&V, S, q);
    pv_free(q);
    if (!ok) {
        vset_clear(&V);
        return 0;
    }
    int *all = pv_malloc((size_t)V.count * sizeof *all);
    for (int k = 0; k < V.count; k++)
        all[k] = k;
    mpq_t *p = qvec_new(m), *y = qvec_new(m);
    centroid(p, &V, all, V.count);
    pv_free(all);
    /* a last exact check, independent of the vertex argument: the point
     * has the cell's code (else the LP path decides the cell) */
    pv_code c;
    pv_code_init(&c, 0);
    ok = pv_net_code_at(st->net, p, &c, NULL, err) == PV_OK &&
         pv_code_equal(&c, X->code);
    pv_code_clear(&c);
    if (!ok) {
        qvec_free(p, m);
        qvec_free(y, m);
        vset_clear(&V);
        return 0;
    }
    st->cells[i].dim = m;
    st->cells[i].point = qvec_copy(p, m);
    int zero_rows = check_zero_rows(st, S, i);
    facet_index F;
    facet_index_build(&F, &V, S->nrows);
    *rc = PV_OK;
    for (int k = 0; k < F.nrows && *rc == PV_OK; k++) {
        if (PV_LABEL_IS_BOX(S->label[F.rows[k]]))
            continue;                 /* nothing beyond the box */
        centroid(y, &V, F.idx + F.first[k], F.first[k + 1] - F.first[k]);
        /* vertices are simple, so of the rows that are not identically 0,
         * row F.rows[k] alone vanishes at y */
        *rc = cross_at(st, i, y, p, zero_rows ? -1 : S->label[F.rows[k]], err);
    }
    for (int k = 0; k < V.count && *rc == PV_OK; k++)
        vertex_faces(X, &V.v[k], m);
    facet_index_clear(&F);
    qvec_free(p, m);
    qvec_free(y, m);
    vset_clear(&V);
    return 1;
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
        A = qvec_new(m * cols);
        for (int j = 0; j < m; j++) {
            for (int b = 0; b < nb; b++)
                mpq_set_z(A[j * cols + b], PV_G(S, B[b], j));
            mpq_set_z(A[j * cols + nb], PV_G(S, r, j));
        }
        rank = rref_rows(A, m, cols, piv);
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
    qvec_free(A, A ? m * cols : 0);
    pv_free(piv);
    pv_free(B);
    return ok;
}

/* The float LP of the cell's rows for row_positive (NULL if none). */
static pv_flp *cell_flp(const pv_system *S, frows *R)
{
    memset(R, 0, sizeof *R);
    if (!frows_build(R, S))
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
 * process_facets), the face G_r = P(c) ∩ {r = 0}: if it is non-empty,
 * record the code of its relative interior (constant there: on P(c) the
 * pre-activations are c's affine functions, and a row vanishing at one
 * relative-interior point of a face vanishes on all of it).
 * Completeness (replacing the inner-face chain of the header): let y have
 * code d and lie in P(e) for a found cell e != d. Some 1-bit row r of e
 * vanishes at y (those are the bits d clears), so y is in G_r; its code
 * e' is recorded, y lies in P(e') (G_r is the closure of its relative
 * interior, inside C(e')), and the 1-bits of e' vanishing at y are those
 * of e minus r at least. Repeating from e' ends at d after at most N
 * steps. One LP per 1-bit row instead of one per face. */
static pv_status row_faces(cellctx *X, const unsigned char *on_facet,
                           pv_error *err)
{
    const pv_system *S = X->S;
    state *st = X->st;
    mpq_t *x = qvec_new(S->dim);
    double *z = pv_malloc((size_t)(S->dim + 1) * sizeof *z);
    double *y = pv_malloc((size_t)(S->nrows + 1) * sizeof *y);
    frows R;
    pv_flp *lp = cell_flp(S, &R);
    pv_code c;
    pv_code_init(&c, 0);
    pv_status rc = PV_OK;
    for (int r = 0; r < S->nrows && rc == PV_OK; r++) {
        if (!S->strict[r] || PV_LABEL_IS_BOX(S->label[r]) || on_facet[r])
            continue;
        if (must_stop(st) || !can_add(st))
            break;
        st->E->faces++;
        if (lp && row_positive(S, lp, r, z, y))
            continue;               /* G_r is empty, proved */
        /* in x, with row r marked = 0: the rows keep their small integers
         * (a restriction to the flat r = 0 would not) */
        pv_system G;
        pv_system_face(&G, S, &r, 1);
        pv_dimension DE;
        pv_dimension_init(&DE);
        rc = pv_system_dimension(&G, &DE, &X->stats, err);
        int found = rc == PV_OK && DE.dim >= 0;
        for (int j = 0; j < S->dim && found; j++)
            mpq_set(x[j], DE.point[j]);
        pv_dimension_clear(&DE);
        pv_system_clear(&G);
        if (found)
            rc = pv_net_code_at(st->net, x, &c, NULL, err);
        if (found && rc == PV_OK)
            rc = record_code(X, &c);
    }
    pv_flp_free(lp);
    frows_clear(&R);
    pv_code_clear(&c);
    pv_free(z);
    pv_free(y);
    qvec_free(x, S->dim);
    return rc;
}

/* The LP path: exact dimension and facets from the geometry engine, then
 * neighbours across facets and the inner faces. */
static pv_status slow_cell(cellctx *X, int i, pv_error *err)
{
    state *st = X->st;
    const pv_system *S = X->S;
    pv_dimension D;
    pv_status rc = pv_system_dimension(S, &D, &X->stats, err);
    if (rc == PV_OK && D.dim < 0) {
        char *s = pv_code_str(X->code, st->net);
        rc = pv_error_set(err, PV_ERR_INTERNAL,
                          "enumerate: the code %s of a point is not realised",
                          s ? s : "?");
        pv_free(s);
    }
    if (rc == PV_OK) {
        st->cells[i].dim = D.dim;
        st->cells[i].point = qvec_copy(D.point, st->m);
        check_zero_rows(st, S, i);
        if (D.dim == 0) {
            int *rows = pv_malloc((size_t)(S->nrows + 1) * sizeof *rows), n = 0;
            for (int r = 0; r < S->nrows; r++)
                if (D.implicit[r])
                    rows[n++] = r;
            check_vertex(X, rows, n, D.point, i);
            pv_free(rows);
        } else if (can_add(st) || st->opt->graph) {
            /* after max_cells the facets only serve the graph's candidates */
            unsigned char *on_facet = pv_calloc((size_t)S->nrows + 1, 1);
            st->cell_faces = 0;
            rc = process_facets(X, i, &D, on_facet, err);
            /* the inner faces were not all explored (budget): the single-
             * row faces find the lower-dimensional cells instead */
            if (rc == PV_OK && !st->census && can_add(st))
                rc = row_faces(X, on_facet, err);
            pv_free(on_facet);
        }
    }
    pv_dimension_clear(&D);
    return rc;
}

static pv_status process_cell(state *st, int i, pv_error *err)
{
    pv_system S;
    /* a copy: st->cells moves when new cells are added */
    pv_code code;
    pv_code_init(&code, 0);
    pv_code_set(&code, &st->cells[i].code);
    pv_status rc = pv_system_from_code(&S, st->net, &code, st->box, err);
    if (rc == PV_OK) {
        cellctx X = { st, &S, &code, { 0, 0, NULL }, { 0, 0, 0, 0 } };
        if (fast_cell(&X, i, &rc, err))
            st->E->fast_cells++;
        else
            rc = slow_cell(&X, i, err);
        stats_add(&st->E->stats, &X.stats);
        keyset_clear(&X.seen);
        pv_system_clear(&S);
    }
    pv_code_clear(&code);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Adjacency                                                                 */

static pv_status pair_decide(pv_enum_pair *P, const pv_net *net,
                             const pv_code *a, int dim_a, const pv_code *b,
                             int dim_b, const pv_box *box, pv_stats *st,
                             pv_error *err)
{
    P->hamming = pv_code_hamming(a, b);
    P->common_dim = -1;
    P->adjacent = 0;
    pv_system Sa, Sb, U;
    pv_status rc = pv_system_from_code(&Sa, net, a, box, err);
    if (rc != PV_OK)
        return rc;
    rc = pv_system_from_code(&Sb, net, b, box, err);
    if (rc != PV_OK) {
        pv_system_clear(&Sa);
        return rc;
    }
    pv_system_closure_union(&U, &Sa, &Sb);
    pv_dimension D;
    rc = pv_system_dimension(&U, &D, st, err);
    if (rc == PV_OK) {
        P->common_dim = D.dim;
        /* DESIGN §1, as pv_adjacency_check decides it */
        P->adjacent = !pv_code_equal(a, b) && pv_adjacent_dims(dim_a, dim_b, D.dim);
    }
    pv_dimension_clear(&D);
    pv_system_clear(&U);
    pv_system_clear(&Sa);
    pv_system_clear(&Sb);
    return rc;
}

pv_status pv_pair_decide(pv_enum_pair *P, const pv_net *net,
                         const pv_code *a, int dim_a, const pv_code *b,
                         int dim_b, const pv_box *box, pv_stats *st,
                         pv_error *err)
{
    PV_GUARD(err, pair_decide(P, net, a, dim_a, b, dim_b, box, st, err), (void)0);
}

static int pair_cmp(const void *x, const void *y)
{
    const pv_enum_pair *p = x, *q = y;
    if (p->a != q->a)
        return (p->a > q->a) - (p->a < q->a);
    return (p->b > q->b) - (p->b < q->b);
}

/* Candidates: pairs across facets, and (rarely needed) every pair of
 * lower-dimensional cells of one dimension, since two such cells can meet
 * at an angle without sharing an affine hull. Each is decided exactly. */
static pv_status build_graph(pv_enumeration *E, state *st,
                             const int *rank_of, pv_error *err)
{
    size_t cap = 64, n = 0;
    pv_enum_pair *cand = pv_malloc(cap * sizeof *cand);
    for (int i = 0; i < st->ncells; i++)
        for (int k = 0; k < st->cells[i].nnbr; k++) {
            int a = rank_of[i], b = rank_of[st->cells[i].nbr[k]];
            if (n == cap)
                cand = pv_realloc(cand, (cap *= 2) * sizeof *cand);
            cand[n].a = a < b ? a : b;
            cand[n++].b = a < b ? b : a;
        }
    for (int a = 0; a < E->ncells; a++) {
        if (E->cells[a].dim >= E->m || E->cells[a].dim < 0)
            continue;
        for (int b = a + 1; b < E->ncells; b++)
            if (E->cells[b].dim == E->cells[a].dim) {
                if (n == cap)
                    cand = pv_realloc(cand, (cap *= 2) * sizeof *cand);
                cand[n].a = a;
                cand[n++].b = b;
            }
    }
    qsort(cand, n, sizeof *cand, pair_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || pair_cmp(&cand[k - 1], &cand[i]))
            cand[k++] = cand[i];
    pv_status rc = PV_OK;
    E->pairs = pv_malloc((k + 1) * sizeof *E->pairs);
    /* an interrupt keeps the pairs decided so far (complete = 0) */
    for (size_t i = 0; i < k && rc == PV_OK && !must_stop(st); i++) {
        pv_enum_pair P = cand[i];
        const pv_enum_cell *ca = &E->cells[P.a], *cb = &E->cells[P.b];
        rc = pv_pair_decide(&P, st->net, &ca->code, ca->dim, &cb->code,
                            cb->dim, st->box, &E->stats, err);
        E->candidates++;
        if (rc == PV_OK && P.adjacent)
            E->pairs[E->npairs++] = P;
    }
    E->has_graph = 1;
    pv_free(cand);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The enumeration                                                           */

void pv_enum_options_init(pv_enum_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

void pv_enumeration_init(pv_enumeration *E)
{
    memset(E, 0, sizeof *E);
    E->gp.example_cell = -1;
}

void pv_enumeration_clear(pv_enumeration *E)
{
    for (int i = 0; i < E->ncells; i++) {
        pv_code_clear(&E->cells[i].code);
        qvec_free(E->cells[i].point, E->m);
    }
    pv_free(E->cells);
    pv_free(E->by_dim);
    pv_free(E->pairs);
    qvec_free(E->gp.example_vertex, E->m);
    pv_enumeration_init(E);
}

static int index_by_code(const void *x, const void *y)
{
    const ecell *const *p = x, *const *q = y;
    return pv_code_cmp(&(*p)->code, &(*q)->code);
}

/* Moves the decided cells into E sorted by code; rank_of[i] is cell i's
 * position. */
static void finish_cells(pv_enumeration *E, state *st, int *rank_of)
{
    ecell **order = pv_malloc((size_t)(st->ncells + 1) * sizeof *order);
    for (int i = 0; i < st->ncells; i++)
        order[i] = &st->cells[i];
    qsort(order, (size_t)st->ncells, sizeof *order, index_by_code);
    E->cells = pv_calloc((size_t)st->ncells + 1, sizeof *E->cells);
    E->by_dim = pv_calloc((size_t)st->m + 2, sizeof *E->by_dim);
    for (int r = 0; r < st->ncells; r++) {
        ecell *e = order[r];
        rank_of[e - st->cells] = r;
        pv_enum_cell *c = &E->cells[r];
        c->code = e->code;              /* ownership moves to E */
        pv_code_init(&e->code, 0);
        c->dim = e->dim;
        c->point = e->point;
        e->point = NULL;
        if (c->dim >= 0 && c->dim <= st->m)
            E->by_dim[c->dim]++;
    }
    E->ncells = st->ncells;
    pv_free(order);
}

/* After the memory limit: keeps cells [0, done), which were processed,
 * and forgets the neighbours they listed beyond them. */
static void ecell_clear(ecell *e, int m)
{
    pv_code_clear(&e->code);
    qvec_free(e->point, m);
    pv_free(e->nbr);
    pv_free(e->hint);
}

static void drop_unprocessed(state *st, int done)
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

static void state_clear(state *st)
{
    for (int i = 0; i < st->ncells; i++)
        ecell_clear(&st->cells[i], st->m);
    pv_free(st->cells);
    pv_free(st->table);
}

size_t pv_enum_bytes_per_cell(const pv_net *net)
{
    /* a lower bound: the working cell and the result each hold the code
     * (a byte a bit) and an exact point of m rationals (the struct and at
     * least one limb each for numerator and denominator); plus the hash
     * slot. Real cells hold more (points with long numbers, neighbours). */
    size_t m = (size_t)net->input_dim, n = (size_t)net->neurons;
    return 2 * (n + 1 + m * (sizeof(mpq_t) + 16)) + sizeof(ecell) +
           sizeof(pv_enum_cell) + 2 * sizeof(int);
}

/* Without a box, the first layer alone has at least 2^r cells when its
 * weights have rank r (r independent hyperplanes cut R^m into 2^r
 * orthants, each holding a cell; rank mod p is a lower bound of the rank).
 * Refuses at once when that many cells cannot fit in max_bytes. */
static pv_status check_memory(const pv_net *net, const pv_enum_options *opt,
                              size_t cell_bytes, pv_error *err)
{
    if (opt->max_bytes == 0 || opt->box != NULL)
        return PV_OK;
    const pv_layer *L = &net->layers[0];
    pv_zmat W = { L->out, L->in, L->wint };
    int r = pv_zmat_rank_mod_p(&W);
    size_t cap = opt->max_bytes / cell_bytes;  /* cells that fit */
    if (opt->max_cells > 0 && (size_t)opt->max_cells <= cap)
        return PV_OK;                          /* bounded by the user */
    if (r < 62 && ((size_t)1 << r) <= cap)
        return PV_OK;
    return pv_error_set(err, PV_ERR_LIMIT, "enumerate: all of R^%d has at "
                        "least 2^%d cells (the first layer has rank %d, so "
                        "every sign pattern of %d of its neurons is "
                        "realised), about %zu bytes each: more than the "
                        "memory limit of %zu MiB. Give a --box, or bound the "
                        "run with --max-cells K", net->input_dim, r, r, r,
                        cell_bytes, opt->max_bytes >> 20);
}

/* ------------------------------------------------------------------------ */
/* Flat boxes: lo = hi in some coordinates                                   */
/*
 * The box then lies in the affine subspace A = {x_i = lo_i for the fixed
 * i}, and its cells are the cells of the network restricted to A: the
 * same neurons, the same codes, the first layer's bias absorbing the fixed
 * coordinates (b + W_fixed lo_fixed). A cell's dimension is that of a
 * subset of A, so it is the same number measured in A's free coordinates
 * or in R^m (as `cell` reports it); points are carried back by inserting
 * the fixed coordinates. */

/* The network on the free coordinates fr[0..k) (k >= 1), x_fixed = lo:
 * x = p + D z with p = lo on the fixed coordinates (0 elsewhere) and
 * column a of D the unit vector of fr[a]. */
static pv_status restrict_net(pv_net *out, const pv_net *net, const int *fr,
                              int k, const pv_box *box, pv_error *err)
{
    int m = net->input_dim;
    mpq_t *p = qvec_new(m), *D = qvec_new(m * k);
    for (int j = 0, a = 0; j < m; j++) {
        if (a < k && fr[a] == j)
            mpq_set_ui(D[(size_t)j * k + a++], 1, 1);
        else
            mpq_set(p[j], box->lo[j]);
    }
    pv_status rc = pv_net_affine_input(out, net, p, D, k, err);
    qvec_free(D, m * k);
    qvec_free(p, m);
    return rc;
}

/* x in R^m from z on the free coordinates (fixed ones from the box). */
static mpq_t *lift_point(mpq_t *const z, const int *fr, int k,
                         const pv_box *box)
{
    int m = box->dim;
    mpq_t *x = qvec_new(m);
    for (int j = 0, a = 0; j < m; j++)
        mpq_set(x[j], a < k && fr[a] == j ? z[a++] : box->lo[j]);
    return x;
}

/* A box that is one point x: one cell, the code of x, dimension 0. */
static pv_status enumerate_point(pv_enumeration *E, const pv_net *net,
                                 const pv_enum_options *opt, pv_error *err)
{
    int m = net->input_dim;
    E->m = m;
    E->n = net->neurons;
    E->cells = pv_calloc(1, sizeof *E->cells);
    E->by_dim = pv_calloc((size_t)m + 2, sizeof *E->by_dim);
    pv_code_init(&E->cells[0].code, 0);
    E->cells[0].point = qvec_copy(opt->box->lo, m);
    pv_status rc = pv_net_code_at(net, E->cells[0].point, &E->cells[0].code,
                                  NULL, err);
    E->ncells = 1;
    E->by_dim[0] = 1;
    E->complete = rc == PV_OK;
    E->has_graph = opt->graph;
    return rc;
}

/* Moves the enumeration R of the restricted net into E (in R^m). */
static void lift_enumeration(pv_enumeration *E, pv_enumeration *R,
                             const int *fr, int k, const pv_box *box)
{
    int m = box->dim;
    *E = *R;
    E->m = m;
    E->by_dim = pv_calloc((size_t)m + 2, sizeof *E->by_dim);
    for (int d = 0; R->by_dim && d <= k; d++)
        E->by_dim[d] = R->by_dim[d];
    pv_free(R->by_dim);
    for (int i = 0; i < E->ncells; i++) {
        mpq_t *z = E->cells[i].point;
        E->cells[i].point = lift_point(z, fr, k, box);
        qvec_free(z, k);
    }
    if (R->gp.example_vertex) {
        E->gp.example_vertex = lift_point(R->gp.example_vertex, fr, k, box);
        qvec_free(R->gp.example_vertex, k);
    }
    pv_enumeration_init(R);     /* everything moved to E */
}

static pv_status enumerate_flat(pv_enumeration *E, const pv_net *net,
                                const pv_enum_options *opt, pv_error *err)
{
    const pv_box *box = opt->box;
    int m = net->input_dim, k = 0;
    int *free_ = pv_malloc((size_t)m * sizeof *free_);
    for (int j = 0; j < m; j++)
        if (mpq_cmp(box->lo[j], box->hi[j]) < 0)
            free_[k++] = j;
    if (k == 0) {
        pv_free(free_);
        return enumerate_point(E, net, opt, err);
    }
    pv_net R;
    pv_box B;
    pv_box_init(&B, k);
    for (int a = 0; a < k; a++) {
        mpq_set(B.lo[a], box->lo[free_[a]]);
        mpq_set(B.hi[a], box->hi[free_[a]]);
    }
    pv_status rc = restrict_net(&R, net, free_, k, box, err);
    if (rc == PV_OK) {
        pv_enum_options o = *opt;
        o.box = &B;
        pv_enumeration ER;
        pv_enumeration_init(&ER);
        rc = pv_enumerate(&ER, &R, &o, err);
        /* E is valid after a limit or an interrupt too: lift it anyway */
        lift_enumeration(E, &ER, free_, k, box);
    }
    pv_net_clear(&R);
    pv_box_clear(&B);
    pv_free(free_);
    return rc;
}

static pv_status enumerate(pv_enumeration *E, const pv_net *net,
                           const pv_enum_options *opt, pv_error *err)
{
    pv_enumeration_clear(E);
    if (opt->box && opt->box->dim != net->input_dim)
        return pv_error_set(err, PV_ERR_ARG, "enumerate: the box has %d "
                            "coordinates, the network %d inputs",
                            opt->box->dim, net->input_dim);
    int flat = 0;
    for (int i = 0; opt->box && i < net->input_dim; i++) {
        int s = mpq_cmp(opt->box->lo[i], opt->box->hi[i]);
        if (s > 0)
            return pv_error_set(err, PV_ERR_ARG, "enumerate: the box is empty "
                                "(LO > HI in coordinate %d)", i + 1);
        flat |= s == 0;
    }
    if (flat)
        return enumerate_flat(E, net, opt, err);
    size_t cell_bytes = pv_enum_bytes_per_cell(net);
    pv_status mc = check_memory(net, opt, cell_bytes, err);
    if (mc != PV_OK)
        return mc;
    state st;
    memset(&st, 0, sizeof st);
    st.net = net;
    st.box = opt->box;
    st.opt = opt;
    st.m = net->input_dim;
    st.n = net->neurons;
    st.E = E;
    st.cell_bytes = cell_bytes;
    st.t0 = st.last_report = st.last_poll = now_seconds();
    st.heap0 = heap_in_use();
    /* the census explores faces of faces, whose systems (rows restricted
     * to a flat, integer directions) grow long numbers: beyond a few
     * dimensions one face's facets can cost seconds of exact LP */
    st.census = st.m <= CENSUS_MAX_DIM;
    E->m = st.m;
    E->n = st.n;
    pv_code c;
    pv_code_init(&c, 0);
    double *hint = pv_malloc((size_t)(2 * st.m + 1) * sizeof *hint);
    pv_status rc = start_code(&st, &c, hint, err);
    if (rc == PV_OK && add_code(&st, &c) >= 0)
        st.cells[0].hint = hint;      /* the cell array owns it now */
    else
        pv_free(hint);                   /* failed, or a limit before any cell */
    pv_code_clear(&c);
    /* The queue is the cell array itself: cells are processed in the order
     * found, and processing may append new ones. */
    int done = 0;
    for (; rc == PV_OK && done < st.ncells && !must_stop(&st); done++)
        rc = process_cell(&st, done, err);
    if (st.memory_hit || st.interrupted)
        drop_unprocessed(&st, done);    /* stop now: keep the decided cells */
    int *rank_of = pv_malloc((size_t)(st.ncells + 1) * sizeof *rank_of);
    if (rc == PV_OK) {
        finish_cells(E, &st, rank_of);
        E->complete = !st.limit_hit && !st.interrupted;
        E->gp.vertices_checked = st.census && E->complete;
        if (!st.census && E->gp.bad_vertices == 0)
            E->gp.vertices = E->gp.bad_vertices = -1;   /* not checked */
        if (opt->graph && !st.memory_hit)
            rc = build_graph(E, &st, rank_of, err);
        E->complete = E->complete && !st.interrupted;
    }
    pv_free(rank_of);
    state_clear(&st);
    E->seconds = now_seconds() - st.t0;
    if (rc == PV_OK && st.interrupted)
        rc = pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted after %d cells "
                          "(every one decided exactly%s): the enumeration is "
                          "incomplete", E->ncells, E->has_graph ? "; the graph "
                          "holds the pairs decided so far" : "");
    else if (rc == PV_OK && !E->complete && st.memory_hit)
        rc = pv_error_set(err, PV_ERR_LIMIT, "stopped at %d cells: more would "
                          "exceed the memory limit of %zu MiB; the enumeration "
                          "is incomplete. Use a smaller --box, --max-cells K "
                          "or --max-memory MB", E->ncells,
                          opt->max_bytes >> 20);
    else if (rc == PV_OK && !E->complete)
        rc = pv_error_set(err, PV_ERR_LIMIT, "stopped at --max-cells %ld: the "
                          "enumeration is incomplete", opt->max_cells);
    return rc;
}

pv_status pv_enumerate(pv_enumeration *E, const pv_net *net,
                       const pv_enum_options *opt, pv_error *err)
{
    PV_GUARD(err, enumerate(E, net, opt, err), pv_enumeration_init(E));
}

int pv_enum_find(const pv_enumeration *E, const pv_code *code)
{
    int lo = 0, hi = E->ncells - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int s = pv_code_cmp(&E->cells[mid].code, code);
        if (s == 0)
            return mid;
        if (s < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Lemma 1 / Theorem 2                                                       */

void pv_lemma1_init(pv_lemma1 *L) { memset(L, 0, sizeof *L); }

void pv_lemma1_clear(pv_lemma1 *L)
{
    pv_free(L->disagree);
    pv_lemma1_init(L);
}

static int find_pair(const pv_enumeration *E, int a, int b)
{
    pv_enum_pair key = { a, b, 0, 0, 0 };
    pv_enum_pair *p = bsearch(&key, E->pairs, (size_t)E->npairs,
                              sizeof key, pair_cmp);
    return p ? (int)(p - E->pairs) : -1;
}

static pv_status lemma1_check(pv_lemma1 *L, pv_enumeration *E,
                              const pv_net *net, const pv_box *box,
                              pv_error *err)
{
    pv_lemma1_clear(L);
    if (!E->has_graph)
        return pv_error_set(err, PV_ERR_ARG,
                            "lemma 1 check needs the adjacency graph");
    size_t cap = 16;
    L->disagree = pv_malloc(cap * sizeof *L->disagree);
    pv_status rc = PV_OK;
    pv_code f;
    pv_code_init(&f, 0);
    /* d_H = 1 => adjacent? The pairs come from the bits alone. */
    pv_enum_pair *extra = NULL;
    int nextra = 0;
    for (int a = 0; a < E->ncells && rc == PV_OK; a++) {
        pv_code_set(&f, &E->cells[a].code);
        for (int j = 0; j < E->n && rc == PV_OK; j++) {
            f.bit[j] ^= 1;
            int b = pv_enum_find(E, &f);
            f.bit[j] ^= 1;
            if (b <= a)
                continue;
            L->pairs_hamming1++;
            int k = find_pair(E, a, b);
            pv_enum_pair P;
            if (k >= 0) {
                P = E->pairs[k];        /* already decided exactly */
            } else {
                P.a = a;
                P.b = b;
                rc = pv_pair_decide(&P, net, &E->cells[a].code, E->cells[a].dim,
                                    &E->cells[b].code, E->cells[b].dim, box,
                                    &E->stats, err);
                if (rc == PV_OK && P.adjacent) {
                    /* adjacent but not a candidate: keep it in the graph */
                    extra = pv_realloc(extra, (size_t)(nextra + 1) * sizeof *extra);
                    extra[nextra++] = P;
                }
            }
            if (rc == PV_OK && !P.adjacent) {
                L->hamming1_not_adjacent++;
                if ((size_t)L->ndisagree == cap)
                    L->disagree = pv_realloc(L->disagree, (cap *= 2) * sizeof *L->disagree);
                L->disagree[L->ndisagree++] = P;
            }
        }
    }
    pv_code_clear(&f);
    /* adjacent => d_H = 1? The pairs come from geometry alone (the extra
     * ones, found by flipping one bit, are at d_H = 1). */
    L->adjacent_pairs = E->npairs + nextra;
    for (int k = 0; k < E->npairs; k++) {
        if (E->pairs[k].hamming == 1)
            continue;
        L->adjacent_not_hamming1++;
        if ((size_t)L->ndisagree == cap)
            L->disagree = pv_realloc(L->disagree, (cap *= 2) * sizeof *L->disagree);
        L->disagree[L->ndisagree++] = E->pairs[k];
    }
    qsort(L->disagree, (size_t)L->ndisagree, sizeof *L->disagree, pair_cmp);
    /* E's graph grows last, by its last allocation: when memory runs out
     * before, E is left as it was */
    if (nextra) {
        E->pairs = pv_realloc(E->pairs, (size_t)(E->npairs + nextra) * sizeof *E->pairs);
        memcpy(E->pairs + E->npairs, extra, (size_t)nextra * sizeof *extra);
        E->npairs += nextra;
        qsort(E->pairs, (size_t)E->npairs, sizeof *E->pairs, pair_cmp);
    }
    pv_free(extra);
    return rc;
}

pv_status pv_lemma1_check(pv_lemma1 *L, pv_enumeration *E, const pv_net *net,
                          const pv_box *box, pv_error *err)
{
    PV_GUARD(err, lemma1_check(L, E, net, box, err), pv_lemma1_init(L));
}

/* ------------------------------------------------------------------------ */
/* One-bit flips                                                             */

void pv_flips_init(pv_flips *F) { memset(F, 0, sizeof *F); F->dim = -1; }

void pv_flips_clear(pv_flips *F)
{
    for (int i = 0; i < F->nflips; i++) {
        pv_code_clear(&F->flips[i].code);
        pv_free(F->flips[i].neurons);
    }
    pv_free(F->flips);
    pv_flips_init(F);
}

static pv_status cell_dimension(int *dim, const pv_net *net,
                                const pv_code *c, const pv_box *box,
                                pv_error *err)
{
    pv_cell C;
    pv_cell_init(&C);
    pv_status rc = pv_cell_compute(&C, net, c, box, PV_CELL_DIM, err);
    *dim = C.dim;
    pv_cell_clear(&C);
    return rc;
}

static pv_status decide_flip(pv_flip *fl, const pv_net *net,
                             const pv_code *code, int dim, const pv_box *box,
                             pv_error *err)
{
    fl->hamming = pv_code_hamming(code, &fl->code);
    fl->common_dim = -1;
    pv_status rc = cell_dimension(&fl->dim, net, &fl->code, box, err);
    fl->realized = fl->dim >= 0;
    if (rc != PV_OK || !fl->realized)
        return rc;
    pv_enum_pair P;
    rc = pv_pair_decide(&P, net, code, dim, &fl->code, fl->dim, box, NULL, err);
    fl->common_dim = P.common_dim;
    fl->adjacent = P.adjacent;
    return rc;
}

static pv_status flips_check(pv_flips *F, const pv_net *net,
                             const pv_code *code, const pv_box *box,
                             pv_error *err)
{
    pv_flips_clear(F);
    pv_cell C;
    pv_cell_init(&C);
    pv_status rc = pv_cell_compute(&C, net, code, box, PV_CELL_FACETS, err);
    F->realized = C.realized;
    F->dim = C.dim;
    if (rc != PV_OK || !C.realized) {
        pv_cell_clear(&C);
        return rc;
    }
    int n = net->neurons;
    F->flips = pv_calloc((size_t)(n + C.nfacets + 1), sizeof *F->flips);
    for (int j = 0; j < n && rc == PV_OK; j++) {
        pv_flip *fl = &F->flips[F->nflips++];
        fl->neuron = j;
        pv_code_init(&fl->code, 0);
        pv_code_set(&fl->code, code);
        fl->code.bit[j] ^= 1;
        rc = decide_flip(fl, net, code, C.dim, box, err);
    }
    for (int f = 0; f < C.nfacets && rc == PV_OK; f++) {
        const pv_cell_facet *cf = &C.facets[f];
        if (!cf->has_neighbor || pv_code_hamming(code, &cf->neighbor) == 1)
            continue;
        pv_flip *fl = &F->flips[F->nflips++];
        fl->neuron = -1;
        pv_code_init(&fl->code, 0);
        pv_code_set(&fl->code, &cf->neighbor);
        fl->nneurons = cf->nneurons;
        fl->neurons = pv_malloc((size_t)(cf->nneurons + 1) * sizeof(int));
        memcpy(fl->neurons, cf->neurons, (size_t)cf->nneurons * sizeof(int));
        rc = decide_flip(fl, net, code, C.dim, box, err);
    }
    pv_cell_clear(&C);
    return rc;
}

pv_status pv_flips_check(pv_flips *F, const pv_net *net, const pv_code *code,
                         const pv_box *box, pv_error *err)
{
    PV_GUARD(err, flips_check(F, net, code, box, err), pv_flips_init(F));
}
