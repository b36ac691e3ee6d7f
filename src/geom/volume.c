/* polyverify — exact volumes of cells (volume.h).
 *
 * 1. Vertices. P = { x : g_i.x + h_i >= 0 } is the slice t = 1 of the cone
 *    K = { y = (x, t) : t >= 0, g_i.x + h_i t >= 0 } in R^(m+1). The
 *    double-description method finds K's extreme rays: start from the
 *    simplicial cone of m+1 linearly independent rows (its rays are the
 *    columns of the inverse; no such rows means K, and P, contain a line:
 *    P is unbounded), then add the other rows one at a time. Adding a row
 *    a keeps the rays with a.y >= 0 and, for every adjacent pair r, s with
 *    a.r > 0 > a.s, adds the ray (a.r) s - (a.s) r on a.y = 0. Every
 *    intermediate cone is pointed (it lies in the first one), so the
 *    combinatorial test decides adjacency exactly (Fukuda and Prodon,
 *    1996): r and s are adjacent iff no third ray vanishes on every row
 *    that both vanish on. Rays are primitive integer vectors; each carries
 *    its zero set, the rows through it. A ray with t = 0 is a recession
 *    direction of P (unbounded); otherwise the rays are P's vertices
 *    (x/t), with the rows through each.
 * 2. Faces from incidences. For a face G of P and a row i, G ∩ {row i = 0}
 *    is a face of G; the facets of G are the inclusion-maximal proper
 *    non-empty ones among them (every proper face lies in a facet, and a
 *    facet H of G equals G ∩ {row i = 0} for any row i through H but not
 *    through G). A face is its set of vertices, so this is bit-set work.
 * 3. Pulling triangulation. With v the first vertex of G, G is the union,
 *    without overlap, of the pyramids conv(v ∪ H) over the facets H of G
 *    not containing v; recursing down to vertices turns P into simplices
 *    (v_m, ..., v_0), v_d the first vertex of a d-face in a chain of faces.
 *    The simplex's volume is |det[(v_i, 1)]| / m! = |det[y_i]| / (m! prod
 *    t_i) for the integer rays y_i = t_i (v_i, 1).
 * All of it in GMP integers, the sum in rationals: nothing is rounded. */
#include "core/alloc.h"
#include "polyverify/volume.h"

#include <stdint.h>
#include <string.h>

#include "exact/linalg.h"
#include "geom/system_internal.h"
#include "polyverify/dimension.h"

/* ---- bit sets ------------------------------------------------------------ */

typedef uint64_t word;

static int words_for(int n) { return n / 64 + 1; }
static void bit_set(word *s, int i) { s[i / 64] |= (word)1 << (i % 64); }
static int bit_get(const word *s, int i) { return (int)((s[i / 64] >> (i % 64)) & 1); }

static int bits_count(const word *s, int nw)
{
    int c = 0;
    for (int w = 0; w < nw; w++)
        c += __builtin_popcountll(s[w]);
    return c;
}

static int bits_subset(const word *a, const word *b, int nw)  /* a ⊆ b */
{
    for (int w = 0; w < nw; w++)
        if (a[w] & ~b[w])
            return 0;
    return 1;
}

static int bits_equal(const word *a, const word *b, int nw)
{
    return memcmp(a, b, (size_t)nw * sizeof(word)) == 0;
}

static int bits_first(const word *s, int nw)
{
    for (int w = 0; w < nw; w++)
        if (s[w])
            return w * 64 + __builtin_ctzll(s[w]);
    return -1;
}

/* ---- homogenised rows ---------------------------------------------------- */

/* Rows a.(x, t) >= 0 in R^k, k = m + 1: row 0 is t >= 0, then box rows,
 * then neuron rows (the box first makes the cone bounded after 2m + 1
 * rows, so that later cones have few rays); a row with S->eq (= 0) is
 * there with both signs. */
typedef struct hrows {
    int k, n;
    size_t cap;            /* rows allocated                              */
    mpz_t *a;              /* cap * k                                     */
} hrows;

static void put_row(hrows *H, const pv_system *S, int i, int sign)
{
    mpz_t *a = &H->a[(size_t)H->n++ * H->k];
    for (int j = 0; j < S->dim; j++)
        mpz_mul_si(a[j], PV_G(S, i, j), sign);
    mpz_mul_si(a[S->dim], S->h[i], sign);
}

static void hrows_of_system(hrows *H, const pv_system *S)
{
    H->k = S->dim + 1;
    H->cap = 2 * (size_t)S->nrows + 1;
    H->a = pv_malloc(H->cap * H->k * sizeof(mpz_t));
    for (size_t e = 0; e < H->cap * H->k; e++)
        mpz_init(H->a[e]);
    mpz_set_ui(H->a[S->dim], 1);
    H->n = 1;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < S->nrows; i++) {
            if (PV_LABEL_IS_BOX(S->label[i]) != (pass == 0))
                continue;
            put_row(H, S, i, 1);
            if (S->eq[i])
                put_row(H, S, i, -1);
        }
}

static void hrows_clear(hrows *H)
{
    for (size_t e = 0; e < H->cap * H->k; e++)
        mpz_clear(H->a[e]);
    pv_free(H->a);
}

/* ---- the cone and its rays ----------------------------------------------- */

typedef struct cone {
    int k, nw;             /* coordinates; words of a zero set (rows)     */
    int n, cap;            /* rays                                        */
    mpz_t *r;              /* cap * k                                     */
    word *z;               /* cap * nw: the rows through each ray         */
} cone;

static void cone_init(cone *C, int k, int nrows)
{
    memset(C, 0, sizeof *C);
    C->k = k;
    C->nw = words_for(nrows);
}

static void cone_clear(cone *C)
{
    for (size_t e = 0; e < (size_t)C->cap * C->k; e++)
        mpz_clear(C->r[e]);
    pv_free(C->r);
    pv_free(C->z);
}

static mpz_t *ray(const cone *C, int i) { return &C->r[(size_t)i * C->k]; }
static word *zset(const cone *C, int i) { return &C->z[(size_t)i * C->nw]; }

/* A new ray slot (coordinates 0, empty zero set); its index. */
static int cone_push(cone *C)
{
    if (C->n == C->cap) {
        int cap = C->cap ? 2 * C->cap : 16;
        C->r = pv_realloc(C->r, (size_t)cap * C->k * sizeof(mpz_t));
        C->z = pv_realloc(C->z, (size_t)cap * C->nw * sizeof(word));
        for (size_t e = (size_t)C->cap * C->k; e < (size_t)cap * C->k; e++)
            mpz_init(C->r[e]);
        C->cap = cap;
    }
    int i = C->n++;
    for (int j = 0; j < C->k; j++)
        mpz_set_ui(ray(C, i)[j], 0);
    memset(zset(C, i), 0, (size_t)C->nw * sizeof(word));
    return i;
}

static void cone_move(cone *C, int to, int from)
{
    for (int j = 0; j < C->k; j++)
        mpz_swap(ray(C, to)[j], ray(C, from)[j]);
    memcpy(zset(C, to), zset(C, from), (size_t)C->nw * sizeof(word));
}

static void dot(mpz_t out, const mpz_t *a, const mpz_t *y, int k)
{
    mpz_set_ui(out, 0);
    for (int j = 0; j < k; j++)
        mpz_addmul(out, a[j], y[j]);
}

/* Reduces c against the echelon rows E[0..r) (pivot columns piv): c
 * becomes 0 iff it is in their span. */
static void reduce_against(mpz_t *c, const pv_zmat *E, const int *piv, int r,
                           mpz_t t)
{
    int k = E->cols;
    for (int s = 0; s < r; s++) {
        if (mpz_sgn(c[piv[s]]) == 0)
            continue;
        mpz_t f;
        mpz_init_set(f, c[piv[s]]);
        for (int j = 0; j < k; j++) {
            mpz_mul(t, c[j], PV_Z(E, s, piv[s]));
            mpz_submul(t, f, PV_Z(E, s, j));
            mpz_swap(c[j], t);
        }
        mpz_clear(f);
        pv_zvec_primitive(c, k);
    }
}

/* basis[0..k): k linearly independent rows, greedily in order. Returns
 * 0, or 1 when the rows have rank < k (a line in K). */
static int choose_basis(const hrows *H, int *basis)
{
    int k = H->k, r = 0;
    pv_zmat E;
    pv_zmat_init(&E, k, k);
    int *piv = pv_malloc((size_t)k * sizeof *piv);
    mpz_t t;
    mpz_init(t);
    for (int i = 0; i < H->n && r < k; i++) {
        mpz_t *c = &PV_Z(&E, r, 0);
        for (int j = 0; j < k; j++)
            mpz_set(c[j], H->a[(size_t)i * k + j]);
        reduce_against(c, &E, piv, r, t);
        int p = 0;
        while (p < k && mpz_sgn(c[p]) == 0)
            p++;
        if (p < k) {
            piv[r] = p;
            basis[r++] = i;
        }
    }
    mpz_clear(t);
    pv_free(piv);
    pv_zmat_clear(&E);
    return r < k;
}

/* The rays of the simplicial cone { B y >= 0 } of the basis rows: ray j is
 * column j of B^-1 (B y = e_j), read from the integer rref of [B | I],
 * whose row i is d_i (e_i | row i of B^-1), and scaled to integers. */
static pv_status cone_start(cone *C, const hrows *H, const int *basis,
                            pv_error *err)
{
    int k = H->k;
    pv_zmat M;
    pv_zmat_init(&M, k, 2 * k);
    for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++)
            mpz_set(PV_Z(&M, i, j), H->a[(size_t)basis[i] * k + j]);
        mpz_set_ui(PV_Z(&M, i, k + i), 1);
    }
    int *piv = pv_malloc((size_t)k * sizeof *piv);
    int rank = pv_zmat_rref(&M, piv);
    pv_status rc = PV_OK;
    for (int i = 0; i < k && rc == PV_OK; i++)
        if (rank != k || piv[i] != i)
            rc = pv_error_set(err, PV_ERR_INTERNAL, "volume: the basis rows "
                              "are not independent after all");
    mpz_t L, f;
    mpz_inits(L, f, NULL);
    mpz_set_ui(L, 1);
    for (int i = 0; rc == PV_OK && i < k; i++)
        mpz_lcm(L, L, PV_Z(&M, i, i));
    for (int j = 0; rc == PV_OK && j < k; j++) {
        int q = cone_push(C);
        for (int i = 0; i < k; i++) {
            mpz_divexact(f, L, PV_Z(&M, i, i));
            mpz_mul(ray(C, q)[i], PV_Z(&M, i, k + j), f);
        }
        pv_zvec_primitive(ray(C, q), k);
        for (int i = 0; i < k; i++)
            if (i != j)
                bit_set(zset(C, q), basis[i]);
    }
    mpz_clears(L, f, NULL);
    pv_free(piv);
    pv_zmat_clear(&M);
    return rc;
}

/* Whether rays i and j (a.i > 0 > a.j) are adjacent among the first n0:
 * their common zero set (into both) has at least k - 2 rows and lies in
 * the zero set of no third ray. */
static int adjacent(const cone *C, int n0, int i, int j, word *both)
{
    for (int w = 0; w < C->nw; w++)
        both[w] = zset(C, i)[w] & zset(C, j)[w];
    if (bits_count(both, C->nw) < C->k - 2)
        return 0;
    for (int l = 0; l < n0; l++)
        if (l != i && l != j && bits_subset(both, zset(C, l), C->nw))
            return 0;
    return 1;
}

/* One step of the double description: the cone ∩ { a.y >= 0 }, a = row. */
static void cone_add_row(cone *C, const hrows *H, int row, mpz_t *val,
                         word *both)
{
    const mpz_t *a = &H->a[(size_t)row * C->k];
    int n0 = C->n, neg = 0;
    for (int i = 0; i < n0; i++) {
        dot(val[i], a, ray(C, i), C->k);
        neg += mpz_sgn(val[i]) < 0;
    }
    if (neg)
        for (int i = 0; i < n0; i++) {
            if (mpz_sgn(val[i]) <= 0)
                continue;
            for (int j = 0; j < n0; j++) {
                if (mpz_sgn(val[j]) >= 0 || !adjacent(C, n0, i, j, both))
                    continue;
                int q = cone_push(C);
                mpz_t *y = ray(C, q), *ri = ray(C, i), *rj = ray(C, j);
                for (int c = 0; c < C->k; c++) {   /* (a.ri) rj - (a.rj) ri */
                    mpz_mul(y[c], val[i], rj[c]);
                    mpz_submul(y[c], val[j], ri[c]);
                }
                pv_zvec_primitive(y, C->k);
                memcpy(zset(C, q), both, (size_t)C->nw * sizeof(word));
                bit_set(zset(C, q), row);
            }
        }
    int kept = 0;
    for (int i = 0; i < C->n; i++) {
        if (i < n0 && mpz_sgn(val[i]) < 0)
            continue;
        if (i < n0 && mpz_sgn(val[i]) == 0)
            bit_set(zset(C, i), row);
        if (kept != i)
            cone_move(C, kept, i);
        kept++;
    }
    C->n = kept;
}

/* The extreme rays of K into C. Returns PV_OK with *line = 1 when K
 * contains a line (then C is not built). */
static pv_status cone_build(cone *C, const hrows *H, int *line, pv_error *err)
{
    int k = H->k;
    int *basis = pv_malloc((size_t)k * sizeof *basis);
    *line = choose_basis(H, basis);
    pv_status rc = PV_OK;
    if (!*line)
        rc = cone_start(C, H, basis, err);
    if (rc == PV_OK && !*line) {
        unsigned char *in_basis = pv_calloc((size_t)H->n, 1);
        for (int i = 0; i < k; i++)
            in_basis[basis[i]] = 1;
        int cap = 0;
        mpz_t *val = NULL;
        word *both = pv_malloc((size_t)C->nw * sizeof(word));
        for (int row = 0; row < H->n; row++) {
            if (in_basis[row])
                continue;
            if (cap < C->n) {
                val = pv_realloc(val, (size_t)C->cap * sizeof(mpz_t));
                for (; cap < C->cap; cap++)
                    mpz_init(val[cap]);
            }
            cone_add_row(C, H, row, val, both);
        }
        pv_zvec_free(val, (size_t)cap);
        pv_free(both);
        pv_free(in_basis);
    }
    pv_free(basis);
    return rc;
}

/* ---- the pulling triangulation ------------------------------------------- */

typedef struct tri {
    int k, nv, vw;         /* coordinates, vertices, words of a vertex set */
    const cone *C;         /* the vertices: its rays, all with t > 0       */
    int ngen;
    word *gen;             /* ngen * vw: the vertices on each row          */
    word *buf[PV_VOLUME_MAX_DIM + 1];   /* candidate faces, per depth      */
    int chain[PV_VOLUME_MAX_DIM + 1];   /* v_m, ..., v_0                   */
    pv_zmat D;             /* k x k: a simplex's rays                      */
    mpz_t det, prod;
    mpq_t term, sum;       /* sum of |det| / prod t over the simplices     */
} tri;

/* gen: for each row through some vertex but not all, its vertices, once. */
static void tri_generators(tri *T, int nrows)
{
    T->gen = pv_malloc(((size_t)nrows + 1) * T->vw * sizeof(word));
    T->ngen = 0;
    for (int row = 0; row < nrows; row++) {
        word *g = &T->gen[(size_t)T->ngen * T->vw];
        memset(g, 0, (size_t)T->vw * sizeof(word));
        for (int v = 0; v < T->nv; v++)
            if (bit_get(zset(T->C, v), row))
                bit_set(g, v);
        int c = bits_count(g, T->vw), dup = 0;
        for (int e = 0; e < T->ngen && !dup; e++)
            dup = bits_equal(g, &T->gen[(size_t)e * T->vw], T->vw);
        if (c > 0 && c < T->nv && !dup)
            T->ngen++;
    }
}

/* |det| of the k x k integer matrix D (destroyed), by Bareiss' fraction-
 * free elimination (every division is exact). */
static void abs_det(mpz_t out, pv_zmat *D)
{
    int k = D->rows;
    mpz_t prev, t;
    mpz_init_set_ui(prev, 1);
    mpz_init(t);
    mpz_set_ui(out, 0);
    int p;
    for (p = 0; p < k - 1; p++) {
        int r = p;
        while (r < k && mpz_sgn(PV_Z(D, r, p)) == 0)
            r++;
        if (r == k)
            break;                                   /* singular */
        for (int j = 0; r != p && j < k; j++)
            mpz_swap(PV_Z(D, r, j), PV_Z(D, p, j));
        for (int i = p + 1; i < k; i++) {
            for (int j = p + 1; j < k; j++) {
                mpz_mul(t, PV_Z(D, i, j), PV_Z(D, p, p));
                mpz_submul(t, PV_Z(D, i, p), PV_Z(D, p, j));
                mpz_divexact(PV_Z(D, i, j), t, prev);
            }
            mpz_set_ui(PV_Z(D, i, p), 0);
        }
        mpz_set(prev, PV_Z(D, p, p));
    }
    if (p == k - 1)
        mpz_abs(out, PV_Z(D, k - 1, k - 1));
    mpz_clears(prev, t, NULL);
}

/* The simplex of the chain: adds |det[y_i]| / prod t_i to the sum. */
static void tri_leaf(tri *T)
{
    int t = T->k - 1;
    mpz_set_ui(T->prod, 1);
    for (int i = 0; i < T->k; i++) {
        const mpz_t *y = ray(T->C, T->chain[i]);
        for (int j = 0; j < T->k; j++)
            mpz_set(PV_Z(&T->D, i, j), y[j]);
        mpz_mul(T->prod, T->prod, y[t]);
    }
    abs_det(T->det, &T->D);
    mpq_set_num(T->term, T->det);
    mpq_set_den(T->term, T->prod);
    mpq_canonicalize(T->term);
    mpq_add(T->sum, T->sum, T->term);
}

/* Triangulates the face G (vertex set) of dimension d; the chain holds the
 * first vertices of the faces above it (depth of them). */
static pv_status tri_face(tri *T, const word *G, int d, int depth,
                          pv_error *err)
{
    int vw = T->vw, apex = bits_first(G, vw);
    T->chain[depth] = apex;
    if (d == 0) {
        if (bits_count(G, vw) != 1)
            return pv_error_set(err, PV_ERR_INTERNAL, "volume: a face of "
                                "dimension 0 with %d vertices", bits_count(G, vw));
        tri_leaf(T);
        return PV_OK;
    }
    /* the proper non-empty faces G ∩ {row = 0}, once each */
    word *cand = T->buf[depth];
    int nc = 0;
    for (int e = 0; e < T->ngen; e++) {
        word *h = &cand[(size_t)nc * vw];
        for (int w = 0; w < vw; w++)
            h[w] = G[w] & T->gen[(size_t)e * vw + w];
        int c = bits_count(h, vw), dup = 0;
        if (c == 0 || bits_equal(h, G, vw))
            continue;
        for (int f = 0; f < nc && !dup; f++)
            dup = bits_equal(h, &cand[(size_t)f * vw], vw);
        if (!dup)
            nc++;
    }
    /* the facets (maximal ones) not through the apex: a pyramid each */
    for (int f = 0; f < nc; f++) {
        const word *h = &cand[(size_t)f * vw];
        int maximal = !bit_get(h, apex);
        for (int e = 0; e < nc && maximal; e++)
            maximal = e == f || !bits_subset(h, &cand[(size_t)e * vw], vw);
        if (maximal) {
            pv_status rc = tri_face(T, h, d - 1, depth + 1, err);
            if (rc != PV_OK)
                return rc;
        }
    }
    return PV_OK;
}

/* The volume of the polytope whose vertices are the rays of C (all with
 * t > 0; zero sets over nrows rows), full-dimensional in R^(k-1). */
static pv_status tri_volume(mpq_t vol, const cone *C, int nrows, pv_error *err)
{
    tri T;
    memset(&T, 0, sizeof T);
    T.k = C->k;
    T.nv = C->n;
    T.vw = words_for(C->n);
    T.C = C;
    tri_generators(&T, nrows);
    for (int d = 0; d < T.k; d++)
        T.buf[d] = pv_malloc(((size_t)T.ngen + 1) * T.vw * sizeof(word));
    pv_zmat_init(&T.D, T.k, T.k);
    mpz_inits(T.det, T.prod, NULL);
    mpq_inits(T.term, T.sum, NULL);
    word *all = pv_calloc((size_t)T.vw, sizeof(word));
    for (int v = 0; v < T.nv; v++)
        bit_set(all, v);
    pv_status rc = tri_face(&T, all, T.k - 1, 0, err);
    mpz_fac_ui(T.det, (unsigned long)(T.k - 1));     /* m! */
    mpz_set_ui(T.prod, 1);
    mpq_set_num(T.term, T.prod);
    mpq_set_den(T.term, T.det);
    mpq_mul(vol, T.sum, T.term);
    pv_free(all);
    mpq_clears(T.term, T.sum, NULL);
    mpz_clears(T.det, T.prod, NULL);
    pv_zmat_clear(&T.D);
    for (int d = 0; d < T.k; d++)
        pv_free(T.buf[d]);
    pv_free(T.gen);
    return rc;
}

/* ---- entry points -------------------------------------------------------- */

pv_status pv_volume_supported(int m, pv_error *err)
{
    if (m >= 1 && m <= PV_VOLUME_MAX_DIM)
        return PV_OK;
    return pv_error_set(err, PV_ERR_ARG, "exact volumes are computed for 1 to %d "
                        "inputs, not %d: the exact volume of a polytope is #P-hard "
                        "in general and this method's cost grows very fast with "
                        "the dimension", PV_VOLUME_MAX_DIM, m);
}

static pv_status volume_of_system(mpq_t vol, pv_volume_kind *kind,
                                  const pv_system *S, int dim, pv_error *err)
{
    pv_status rc = pv_volume_supported(S->dim, err);
    if (rc != PV_OK)
        return rc;
    if (dim < -1 || dim > S->dim)
        return pv_error_set(err, PV_ERR_ARG, "volume: the dimension %d of a set "
                            "in R^%d is not -1 to %d", dim, S->dim, S->dim);
    mpq_set_ui(vol, 0, 1);
    if (dim < S->dim) {
        *kind = dim < 0 ? PV_VOLUME_EMPTY : PV_VOLUME_LOWER_DIM;
        return PV_OK;
    }
    hrows H;
    hrows_of_system(&H, S);
    cone C;
    cone_init(&C, H.k, H.n);
    int line = 0;
    rc = cone_build(&C, &H, &line, err);
    int bounded = !line;
    for (int i = 0; rc == PV_OK && bounded && i < C.n; i++)
        bounded = mpz_sgn(ray(&C, i)[S->dim]) > 0;
    if (rc == PV_OK && bounded)
        rc = tri_volume(vol, &C, H.n, err);
    if (rc == PV_OK && bounded && mpq_sgn(vol) == 0)
        rc = pv_error_set(err, PV_ERR_ARG, "volume: the set was said to be "
                          "full-dimensional, but its closure has volume 0");
    if (rc == PV_OK)
        *kind = bounded ? PV_VOLUME_FINITE : PV_VOLUME_UNBOUNDED;
    if (rc != PV_OK || !bounded)
        mpq_set_ui(vol, 0, 1);
    cone_clear(&C);
    hrows_clear(&H);
    return rc;
}

pv_status pv_volume_of_system(mpq_t vol, pv_volume_kind *kind,
                              const pv_system *S, int dim, pv_error *err)
{
    PV_GUARD_ADOPT(err, volume_of_system(vol, kind, S, dim, err),
                   pv_scope_adopt_mpq(vol), pv_scope_reset_mpq(vol));
}

static pv_status volume_of_code(mpq_t vol, pv_volume_kind *kind,
                                const pv_net *net, const pv_code *code,
                                const pv_box *box, int dim, pv_error *err)
{
    pv_status rc = pv_volume_supported(pv_net_input_dim(net), err);
    if (rc != PV_OK)
        return rc;
    pv_system S;
    rc = pv__system_from_code(&S, net, code, box, err);
    if (rc != PV_OK)
        return rc;
    int d = dim;
    if (d == PV_VOLUME_DIM_UNKNOWN) {
        pv_dimension D;
        rc = pv__system_dimension(&S, &D, NULL, err);
        d = D.dim;
        pv_dimension_clear(&D);
    }
    if (rc == PV_OK)
        rc = volume_of_system(vol, kind, &S, d, err);
    pv_system_clear(&S);
    return rc;
}

pv_status pv_volume_of_code(mpq_t vol, pv_volume_kind *kind, const pv_net *net,
                            const pv_code *code, const pv_box *box, int dim,
                            pv_error *err)
{
    PV_GUARD_ADOPT(err, volume_of_code(vol, kind, net, code, box, dim, err),
                   pv_scope_adopt_mpq(vol), pv_scope_reset_mpq(vol));
}
