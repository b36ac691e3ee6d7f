/* polyverify — facets and boundedness of a non-empty set, exactly.
 *
 * Work happens in the frame of the affine hull centred at the relative-
 * interior point p: x = p + U z, so z = 0 is interior and every candidate
 * row reads g'z + h' with h' > 0. Rows with the same primitive (g', h')
 * define the same hyperplane on the cell and are grouped (a facet is a set
 * of neurons). For each group:
 *   - rank: when the groups' normals are linearly independent (proved by a
 *     rank modulo a prime), every group is a facet — no LP at all;
 *   - rays from p: the first hyperplane hit, when hit alone (exact ratio
 *     comparisons), is a facet, with the hit point in its relative interior;
 *   - otherwise GLPK minimises the row over the others: a negative minimum
 *     at z* gives the facet point on the segment p..z*, checked exactly; a
 *     non-negative one gives Farkas multipliers g'_i = sum l_j g'_j,
 *     h'_i - sum l_j h'_j >= 0, recomputed exactly, which prove the face
 *     {row_i = 0} lies in another hyperplane too (not a facet);
 *   - any failed proof: cddlib's exact LP decides. */
#include "core/alloc.h"
#include "geom/system_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "exact/linalg.h"
#include "lp/lp.h"
#include "exact/reduce.h"
#include "core/sort.h"
#include "geom/facet_probe.h"


enum { UNKNOWN = 0, FACET, REDUNDANT };

#define PV_RAY_NNZ 8        /* non-zero coordinates of a probing ray */

void pv_facets_init(pv_facets *F) { memset(F, 0, sizeof *F); }

void pv_facets_clear(pv_facets *F)
{
    for (int i = 0; i < F->count; i++) {
        pv_free(F->f[i].rows);
        if (F->f[i].point) {
            for (int j = 0; j < F->m; j++)
                mpq_clear(F->f[i].point[j]);
            pv_free(F->f[i].point);
        }
    }
    pv_free(F->f);
    pv_facets_init(F);
}


/* The groups of candidate rows, their representatives' rows in a compact
 * pv_rrows (reps), and per group: status and a relint point (z-frame). */
typedef struct groups {
    int q;
    int *first, *count;   /* members are members[first[g] .. +count[g]) */
    int *members;         /* original row indices, ascending per group  */
    pv_rrows reps;
    unsigned char *status;
    mpq_t **point;        /* q entries, NULL or k-vector                */
} groups;

/* Lexicographic order on (g', h'), then on the original index. */
static int row_cmp(const pv_rrows *R, int a, int b)
{
    for (int j = 0; j < R->k; j++) {
        int c = mpz_cmp(R->g[(size_t)a * R->k + j], R->g[(size_t)b * R->k + j]);
        if (c)
            return c;
    }
    return mpz_cmp(R->h[a], R->h[b]);
}

/* Candidate rows by (g', h'), ties by original index: equal rows end up
 * next to each other, in a deterministic order. */
static int cmp_candidates(const void *ctx, int a, int b)
{
    const pv_rrows *R = ctx;
    int c = row_cmp(R, a, b);
    return c ? c : (R->orig[a] > R->orig[b]) - (R->orig[a] < R->orig[b]);
}

static void groups_build(groups *G, const pv_rrows *R)
{
    int n = R->n, k = R->k;
    int *idx = pv_malloc((size_t)(n + 1) * sizeof *idx), *tmp = pv_malloc((size_t)(n + 1) * sizeof *tmp);
    int cnt = 0;
    for (int r = 0; r < n; r++)
        if (!pv_rrows_zero(R, r))        /* constant rows bound nothing */
            idx[cnt++] = r;
    pv_sort_indices(idx, tmp, cnt, cmp_candidates, R);
    /* runs of equal rows; then order groups by their smallest member */
    int *gstart = pv_malloc((size_t)(cnt + 1) * sizeof *gstart), q = 0;
    for (int a = 0; a < cnt; a++)
        if (a == 0 || row_cmp(R, idx[a - 1], idx[a]) != 0)
            gstart[q++] = a;
    gstart[q] = cnt;
    int *order = pv_malloc((size_t)(q + 1) * sizeof *order);
    for (int g = 0; g < q; g++)
        order[g] = g;
    /* insertion sort of groups by first member's original index (run
     * members are already ascending in original index) */
    for (int a = 1; a < q; a++)
        for (int b = a; b > 0 && R->orig[idx[gstart[order[b - 1]]]] >
                                 R->orig[idx[gstart[order[b]]]]; b--) {
            int t = order[b]; order[b] = order[b - 1]; order[b - 1] = t;
        }
    G->q = q;
    G->first = pv_malloc((size_t)(q + 1) * sizeof(int));
    G->count = pv_malloc((size_t)(q + 1) * sizeof(int));
    G->members = pv_malloc((size_t)(cnt + 1) * sizeof(int));
    G->status = pv_calloc((size_t)q + 1, 1);
    G->point = pv_calloc((size_t)q + 1, sizeof(mpq_t *));
    G->reps.k = k, G->reps.n = q, G->reps.borrowed = 0;
    G->reps.orig = pv_malloc((size_t)(q + 1) * sizeof(int));
    G->reps.g = pv_malloc(((size_t)q * k + 1) * sizeof(mpz_t));
    G->reps.h = pv_malloc((size_t)(q + 1) * sizeof(mpz_t));
    int pos = 0;
    for (int g = 0; g < q; g++) {
        int s = gstart[order[g]], e = gstart[order[g] + 1], rep = idx[s];
        G->first[g] = pos;
        G->count[g] = e - s;
        for (int a = s; a < e; a++)
            G->members[pos++] = R->orig[idx[a]];
        G->reps.orig[g] = R->orig[rep];
        for (int j = 0; j < k; j++)
            mpz_init_set(G->reps.g[(size_t)g * k + j], R->g[(size_t)rep * k + j]);
        mpz_init_set(G->reps.h[g], R->h[rep]);
    }
    pv_free(order);
    pv_free(gstart);
    pv_free(idx);
    pv_free(tmp);
}

static void groups_clear(groups *G)
{
    for (int g = 0; g < G->q; g++)
        pv_qvec_free(G->point[g], G->reps.k);
    pv_free(G->point);
    pv_free(G->status);
    pv_free(G->first);
    pv_free(G->count);
    pv_free(G->members);
    pv_rrows_clear(&G->reps);
}

/* Linearly independent normals: every group is a facet (for each i there
 * is z with row_i(z) = 0 and every other row = 1, since the rows' map is
 * onto). */
static int rank_proves_all(const groups *G)
{
    int q = G->q, k = G->reps.k;
    if (q == 0 || q > k)
        return 0;
    pv_zmat M = { q, k, G->reps.g };
    return pv_zmat_rank_mod_p(&M) == q;
}


/* A direction with the small integer entries val[] at the coordinates
 * idx[] (all others 0). */
typedef struct ray {
    int nnz;
    int *idx;
    long *val;
} ray;

/* One ray z = t d from the interior point 0. Every row meets it at
 * t_i = h_i / (-D_i) for D_i = g_i . d < 0; the row met first, and met
 * alone (exact ratio comparisons), is a facet and the meeting point lies in
 * its relative interior: every other row is still positive there. Sparse
 * directions keep D_i cheap (nnz products a row). Returns the group or -1. */
static int shoot(groups *G, const ray *d, mpz_t *Dv, mpz_t a, mpz_t b)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, best = -1, tie = 0;
    for (int i = 0; i < R->n; i++) {
        mpz_set_ui(Dv[i], 0);
        for (int e = 0; e < d->nnz; e++) {
            const mpz_t *g = &R->g[(size_t)i * k + d->idx[e]];
            if (d->val[e] > 0)
                mpz_addmul_ui(Dv[i], *g, (unsigned long)d->val[e]);
            else
                mpz_submul_ui(Dv[i], *g, (unsigned long)-d->val[e]);
        }
        if (mpz_sgn(Dv[i]) >= 0)
            continue;
        if (best < 0) {
            best = i;
            continue;
        }
        /* t_i < t_best  <=>  h_i * (-D_best) < h_best * (-D_i) */
        mpz_mul(a, R->h[i], Dv[best]);
        mpz_mul(b, R->h[best], Dv[i]);
        int c = mpz_cmp(b, a);     /* both sides negated */
        if (c < 0) {
            best = i;
            tie = 0;
        } else if (c == 0) {
            tie = 1;
        }
    }
    if (best < 0 || tie)
        return -1;
    if (!G->point[best]) {
        mpq_t t;
        mpq_init(t);
        mpq_set_num(t, R->h[best]);
        mpz_neg(a, Dv[best]);
        mpq_set_den(t, a);
        mpq_canonicalize(t);
        G->point[best] = pv_qvec_new(k);
        for (int e = 0; e < d->nnz; e++) {
            mpq_set_si(G->point[best][d->idx[e]], d->val[e], 1);
            mpq_mul(G->point[best][d->idx[e]], G->point[best][d->idx[e]], t);
        }
        mpq_clear(t);
    }
    return best;
}

/* Sparse random direction: PV_RAY_NNZ coordinates in [-1000, 1000]. */
static void random_ray(ray *d, int k, uint64_t *seed)
{
    d->nnz = k < PV_RAY_NNZ ? k : PV_RAY_NNZ;
    for (int e = 0; e < d->nnz; e++) {
        int j, dup;
        do {              /* distinct coordinates */
            j = (int)(pv_xorshift64(seed) % (uint64_t)k);
            dup = 0;
            for (int f = 0; f < e; f++)
                dup |= d->idx[f] == j;
        } while (dup);
        d->idx[e] = j;
        d->val[e] = (long)(pv_xorshift64(seed) % 2001) - 1000;
    }
}

/* Rays from the interior point: the coordinate rays, sparse random ones
 * until they stop finding new facets, then a bent ray (facet_probe.c) for
 * every hyperplane not yet known a facet. */
static void shoot_rays(groups *G, pv_probe_ws *W, pv_stats *st)
{
    int q = G->q, k = G->reps.k, misses = 0, limit = 3 * q + 20;
    /* In high dimension sparse random rays rarely meet a new facet (at
     * m = 784 none did): a short run, and the bent rays do the rest. */
    int patience = k > 64 ? 16 : q / 4 + 10;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    mpz_t *Dv = pv_zvec_new(q), a, b;
    mpz_inits(a, b, NULL);
    ray d = { 0, pv_malloc((size_t)k * sizeof(int)), pv_malloc((size_t)k * sizeof(long)) };
    /* Coordinate rays +-e_j first: one column each, and they find at once
     * every facet whose normal owns a coordinate no other row uses (in the
     * first-layer frame: every inactive first-layer neuron). */
    for (int j = 0; j < k; j++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            d.nnz = 1, d.idx[0] = j, d.val[0] = sgn;
            int g = shoot(G, &d, Dv, a, b);
            if (g >= 0)
                G->status[g] = FACET;
            if (st)
                st->rays++;
        }
    for (int r = 0; r < limit && misses < patience; r++) {
        random_ray(&d, k, &seed);
        int g = shoot(G, &d, Dv, a, b);
        misses = g >= 0 && G->status[g] != FACET ? 0 : misses + 1;
        if (g >= 0)
            G->status[g] = FACET;
        if (st)
            st->rays++;
    }
    /* then a bent ray for every hyperplane not yet known a facet */
    for (int i = 0; i < q; i++) {
        if (G->status[i] != UNKNOWN)
            continue;
        mpq_t *y = NULL;
        if (pv_probe_facet(W, i, &y)) {
            G->status[i] = FACET;
            if (!G->point[i])
                G->point[i] = y;
            else
                pv_qvec_free(y, k);
        }
        if (st)
            st->rays++;
    }
    pv_free(d.idx);
    pv_free(d.val);
    pv_zvec_free(Dv, (size_t)q);
    mpz_clears(a, b, NULL);
}

/* A witness z = Z/delta with row_i(z) < 0 and the other rows >= 0 (or
 * nearly): the point y = lambda z of the segment 0..z on hyperplane i,
 * lambda = h_i / (h_i - r_i(z)), has every other row positive iff
 * h_i V_j - V_i h_j > 0 for all j != i, where V = delta * r(z) (multiply
 * r_j(y) = lambda r_j(z) + (1 - lambda) h_j by h_i - r_i(z) > 0). Integer
 * arithmetic only. Sets the group's point; returns 1 when proved. */
static int facet_from_witness(groups *G, int i, mpz_t *const Z, const mpz_t delta)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, ok;
    mpz_t *V = pv_zvec_new(R->n), a, b;
    mpz_inits(a, b, NULL);
    pv_rrows_eval(R, Z, delta, V);
    ok = mpz_sgn(V[i]) < 0;
    for (int j = 0; j < R->n && ok; j++) {
        if (j == i)
            continue;
        mpz_mul(a, R->h[i], V[j]);
        mpz_mul(b, V[i], R->h[j]);
        ok = mpz_cmp(a, b) > 0;
    }
    if (ok) {
        /* y = h_i Z / (h_i delta - V_i) */
        mpz_mul(b, R->h[i], delta);
        mpz_sub(b, b, V[i]);
        G->point[i] = pv_qvec_new(k);
        for (int j = 0; j < k; j++) {
            mpz_mul(a, R->h[i], Z[j]);
            mpq_set_num(G->point[i][j], a);
            mpq_set_den(G->point[i][j], b);
            mpq_canonicalize(G->point[i][j]);
        }
    }
    mpz_clears(a, b, NULL);
    pv_zvec_free(V, (size_t)R->n);
    return ok;
}

/* Exact Farkas multipliers from float ones: g'_i = sum l_j g'_j with
 * l >= 0 and mu = h'_i - sum l_j h'_j >= 0. Returns 1 when proved; then
 * l_out (n entries, zero, or NULL) and mu_out receive l and mu.
 * Rows with one non-zero entry (box sides) in the support J need no
 * elimination: only the coordinates they do not cover form the linear
 * system, over J's other rows; the residual g'_i - sum l_j g'_j on a
 * covered coordinate then names the multiplier of its unit row. A box of
 * side rows in R^784 leaves a system of the size of the neuron support. */
static int multipliers_exact(const groups *G, int i, const double *y,
                             const double *norm, const int *unit,
                             mpq_t *l_out, mpq_t mu_out)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, n = R->n, nj = 0, nu = 0;
    double ymax = 0.0;
    for (int j = 0; j < n; j++)
        if (j != i && y[j] > ymax)
            ymax = y[j];
    if (ymax <= 0.0)
        return 0;
    int *J = pv_malloc((size_t)n * sizeof *J), *U = pv_malloc((size_t)n * sizeof *U);
    int *cover = pv_malloc((size_t)k * sizeof *cover);  /* unit row of a coordinate */
    int *eq = pv_malloc((size_t)k * sizeof *eq), neq = 0;
    for (int l = 0; l < k; l++)
        cover[l] = -1;
    for (int j = 0; j < n; j++) {
        if (j == i || !(y[j] > 1e-9 * ymax))
            continue;
        int c = unit[j];
        if (c >= 0 && cover[c] < 0)
            cover[c] = j, U[nu++] = j;
        else
            J[nj++] = j;
    }
    for (int l = 0; l < k; l++)
        if (cover[l] < 0)
            eq[neq++] = l;
    pv_zmat A;
    pv_zmat_init(&A, neq, nj);
    mpz_t *b = pv_zvec_new(neq);
    double *guess = pv_malloc(((size_t)nj + 1) * sizeof *guess);
    for (int e = 0; e < neq; e++) {
        mpz_set(b[e], R->g[(size_t)i * k + eq[e]]);
        for (int c = 0; c < nj; c++)
            mpz_set(PV_Z(&A, e, c), R->g[(size_t)J[c] * k + eq[e]]);
    }
    /* float rows are g'/norm: l_j = y_j * norm_i / norm_j */
    for (int c = 0; c < nj; c++)
        guess[c] = y[J[c]] * (norm[i] / norm[J[c]]);
    mpq_t *lam = pv_qvec_new(nj);
    int ok = pv_zmat_solve_guided(&A, b, guess, lam) == 0;
    mpq_t mu, t, res, *lu = l_out ? pv_qvec_new(nu) : NULL;
    mpq_inits(mu, t, res, NULL);
    mpq_set_z(mu, R->h[i]);
    for (int c = 0; ok && c < nj; c++) {
        ok = mpq_sgn(lam[c]) >= 0;
        mpq_set_z(t, R->h[J[c]]);
        mpq_mul(t, t, lam[c]);
        mpq_sub(mu, mu, t);
    }
    /* a covered coordinate l: residual = l_u g'_ul, l_u >= 0 */
    for (int a = 0; ok && a < nu; a++) {
        int u = U[a], l = unit[u];
        mpq_set_z(res, R->g[(size_t)i * k + l]);
        for (int c = 0; c < nj; c++) {
            if (mpz_sgn(R->g[(size_t)J[c] * k + l]) == 0 || mpq_sgn(lam[c]) == 0)
                continue;
            mpq_set_z(t, R->g[(size_t)J[c] * k + l]);
            mpq_mul(t, t, lam[c]);
            mpq_sub(res, res, t);
        }
        mpq_set_z(t, R->g[(size_t)u * k + l]);
        mpq_div(res, res, t);                       /* l_u */
        ok = mpq_sgn(res) >= 0;
        if (lu)
            mpq_set(lu[a], res);
        mpq_set_z(t, R->h[u]);
        mpq_mul(t, t, res);
        mpq_sub(mu, mu, t);
    }
    ok = ok && mpq_sgn(mu) >= 0;
    if (ok && l_out) {
        for (int c = 0; c < nj; c++)
            mpq_set(l_out[J[c]], lam[c]);
        for (int a = 0; a < nu; a++)
            mpq_set(l_out[U[a]], lu[a]);
        mpq_set(mu_out, mu);
    }
    if (lu)
        pv_qvec_free(lu, nu);
    mpq_clears(mu, t, res, NULL);
    pv_qvec_free(lam, nj);
    pv_zvec_free(b, (size_t)neq);
    pv_free(guess);
    pv_free(J);
    pv_free(U);
    pv_free(cover);
    pv_free(eq);
    pv_zmat_clear(&A);
    return ok;
}

/* Redundancy by exact Farkas multipliers from cddlib, checked here:
 * g'_i = sum l_j g'_j, l >= 0, h'_i - sum l_j h'_j >= 0. */
static int redundant_exactly(const groups *G, int i)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, n = R->n, ok;
    unsigned char *act = pv_malloc((size_t)n + 1);
    memset(act, 1, (size_t)n);
    act[i] = 0;
    mpq_t *l = pv_qvec_new(n), acc, t;
    mpq_inits(acc, t, NULL);
    ok = pv_xlp_combination(k, n, R->g, R->h, act, &R->g[(size_t)i * k], R->h[i], 0, l)
         == PV_XLP_OPTIMAL;
    for (int j = 0; ok && j < n; j++)
        ok = mpq_sgn(l[j]) >= 0;
    for (int c = 0; ok && c <= k; c++) {        /* column c: g, then h */
        mpq_set_ui(acc, 0, 1);
        for (int j = 0; j < n; j++) {
            if (mpq_sgn(l[j]) == 0)
                continue;
            mpq_set_z(t, c < k ? R->g[(size_t)j * k + c] : R->h[j]);
            mpq_mul(t, t, l[j]);
            mpq_add(acc, acc, t);
        }
        mpq_set_z(t, c < k ? R->g[(size_t)i * k + c] : R->h[i]);
        ok = c < k ? mpq_equal(acc, t) : mpq_cmp(t, acc) >= 0;
    }
    mpq_clears(acc, t, NULL);
    pv_qvec_free(l, n);
    pv_free(act);
    return ok;
}

/* The float arrays of the groups' rows (normalised: h is the distance of
 * the interior point 0 to the hyperplane), shared by the LP passes. */
typedef struct lp_rows {
    double *G, *h, *norm, *zd, *y;
    int *unit;
} lp_rows;

/* One float pass over the undecided groups with every free coordinate
 * bounded by |z_l| <= zbound (box sides bound theirs). Crossing hyperplane
 * i while keeping the others is a phase-1 question (no optimisation); only
 * when it fails does the full "min row i" LP run, whose multipliers prove
 * redundancy. */
static void float_pass(groups *G, const lp_rows *L, double zbound, pv_stats *st,
                       mpz_t *Z, mpz_t delta)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, n = R->n;
    pv_flp *lp = pv_flp_new(k, n, L->G, L->h, zbound);
    for (int i = 0; lp && i < n; i++) {
        if (G->status[i] != UNKNOWN)
            continue;
        double v;
        if (st)
            st->float_lps++;
        if (pv_flp_cross_row(lp, i, 1e-7, L->zd) == 0 &&
            pv_dyadic_round(Z, delta, L->zd, k, 40) == 0 &&
            facet_from_witness(G, i, Z, delta))
            G->status[i] = FACET;
        if (G->status[i] == UNKNOWN && pv_flp_min_row(lp, i, &v, L->zd, L->y) == 0) {
            if (v < -1e-9) {
                if (pv_dyadic_round(Z, delta, L->zd, k, 40) == 0 &&
                    facet_from_witness(G, i, Z, delta))
                    G->status[i] = FACET;
            } else if (multipliers_exact(G, i, L->y, L->norm, L->unit, NULL, NULL)) {
                G->status[i] = REDUNDANT;
            }
        }
        if (G->status[i] != UNKNOWN && st)
            st->float_proofs++;
    }
    pv_flp_free(lp);
}

/* Float passes, then cddlib for what they left. The first pass bounds the
 * free coordinates by 16 times the largest distance h_j: in an unbounded
 * cell phase 1 otherwise ends at a vertex near the far bound 1e9, where a
 * crossing of 1e-7 is lost in the 40-bit rounding of z (at m = 784 the
 * witness failed on nearly every row of a three-layer cell, each then
 * costing a second LP). A facet only reached beyond that cube, or a
 * redundancy whose multipliers lean on its sides, is left to the second
 * pass with the far bound. */
static pv_status decide_by_lp(groups *G, pv_stats *st, pv_error *err)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, n = R->n;
    lp_rows L;
    L.G = pv_malloc(((size_t)n * k + 1) * sizeof *L.G);
    L.h = pv_malloc((size_t)n * sizeof *L.h);
    L.norm = pv_malloc((size_t)n * sizeof *L.norm);
    L.zd = pv_malloc((size_t)k * sizeof *L.zd);
    L.y = pv_malloc((size_t)n * sizeof *L.y);
    L.unit = pv_malloc(((size_t)n + 1) * sizeof *L.unit);
    pv_rrows_to_double(R, L.G, L.h, L.norm);
    for (int j = 0; j < n; j++)
        L.unit[j] = pv_rrows_unit_column(R, j);
    double near = pv_flp_near_bound(n, L.h);
    mpq_t *z = pv_qvec_new(k);
    mpz_t *Z = pv_zvec_new(k), delta;
    mpq_t val;
    mpq_init(val);
    mpz_init(delta);
    int open = 0;
    for (int i = 0; i < n; i++)
        open += G->status[i] == UNKNOWN;
    if (open > 0 && near > 0.0)
        float_pass(G, &L, near, st, Z, delta);
    open = 0;
    for (int i = 0; i < n; i++)
        open += G->status[i] == UNKNOWN;
    if (open > 0)
        float_pass(G, &L, PV_FLP_FAR, st, Z, delta);
    pv_status rc = PV_OK;
    for (int i = 0; i < n && rc == PV_OK; i++) {
        if (G->status[i] != UNKNOWN)
            continue;
        if (st)
            st->exact_lps++;
        /* cddlib decides; its answer is then proved like a float one */
        int x = pv_xlp_min_row(k, n, R->g, R->h, NULL, i, val, z);
        if (x == PV_XLP_OPTIMAL && mpq_sgn(val) >= 0 && redundant_exactly(G, i))
            G->status[i] = REDUNDANT;
        else if (x == PV_XLP_OPTIMAL && mpq_sgn(val) < 0 &&
                 (pv_qvec_common(Z, delta, z, k), facet_from_witness(G, i, Z, delta)))
            G->status[i] = FACET;
        else
            rc = pv_error_set(err, PV_ERR_SOLVER, "no exact proof for a facet test");
    }
    mpq_clear(val);
    mpz_clear(delta);
    pv_zvec_free(Z, (size_t)k);
    pv_qvec_free(z, k);
    pv_free(L.unit);
    pv_free(L.G);
    pv_free(L.h);
    pv_free(L.norm);
    pv_free(L.zd);
    pv_free(L.y);
    return rc;
}

static void candidate_rows(const pv_system *S, const pv_dimension *D,
                           pv_rrows *R)
{
    int *rows = pv_malloc((size_t)(S->nrows + 1) * sizeof *rows), n = 0;
    for (int i = 0; i < S->nrows; i++)
        if (!D->implicit[i])
            rows[n++] = i;
    pv_rrows_build(R, S, rows, n, D->point, D->U, D->dim);
    pv_free(rows);
}

/* Rows the box sides alone imply: with the rows of one entry (box sides,
 * in the identity frame) bounding z_l from the side row i needs, the
 * minimum of row i over that box is h_i + sum_l g_il b_l (b_l the bound
 * g_il points away from). When it is >= 0, row i is >= 0 on the box, so
 * {row_i = 0} meets the set in a face of the box on which row i vanishes
 * too: not a facet (a facet there would share the box side's hyperplane,
 * and be grouped with it). A cheap double estimate picks the rows worth
 * the exact sum; in a small box (an L-infinity ball) that is most of the
 * neuron rows, each without an LP. */
static void box_implied(groups *G, const pv_drows *Fd)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, n = R->n;
    int *lo = pv_malloc(((size_t)k + 1) * sizeof *lo), *hi = pv_malloc(((size_t)k + 1) * sizeof *hi);
    for (int l = 0; l < k; l++)
        lo[l] = hi[l] = -1;
    for (int j = 0; j < n; j++) {      /* the tightest side of each kind */
        int c = Fd->unit[j];
        if (c < 0)
            continue;
        int up = Fd->g[(size_t)j * k + c] < 0;        /* g z_c + h >= 0, g < 0 */
        int *slot = up ? &hi[c] : &lo[c];
        double bj = -Fd->h[j] / Fd->g[(size_t)j * k + c];
        if (*slot < 0 || (up ? bj < -Fd->h[*slot] / Fd->g[(size_t)*slot * k + c]
                             : bj > -Fd->h[*slot] / Fd->g[(size_t)*slot * k + c]))
            *slot = j;
    }
    mpq_t acc, b;
    mpq_inits(acc, b, NULL);
    for (int i = 0; i < n; i++) {
        if (G->status[i] != UNKNOWN || Fd->unit[i] >= 0)
            continue;
        double est = Fd->h[i], mag = fabs(Fd->h[i]);
        int ok = 1;
        for (int l = 0; l < k && ok; l++) {
            double g = Fd->g[(size_t)i * k + l];
            if (mpz_sgn(R->g[(size_t)i * k + l]) == 0)
                continue;
            int j = g > 0 ? lo[l] : hi[l];
            ok = j >= 0;
            if (ok) {
                double t = g * (-Fd->h[j] / Fd->g[(size_t)j * k + l]);
                est += t;
                mag += fabs(t);
            }
        }
        if (!ok || !(est > -1e-9 * mag))
            continue;
        /* exactly: h_i + sum_l g_il (-h_j / g_jl) >= 0 */
        mpq_set_z(acc, R->h[i]);
        for (int l = 0; l < k; l++) {
            const mpz_t *g = &R->g[(size_t)i * k + l];
            if (mpz_sgn(*g) == 0)
                continue;
            int j = mpz_sgn(*g) > 0 ? lo[l] : hi[l];
            if (j < 0 || mpz_sgn(R->g[(size_t)j * k + l]) == 0) {
                ok = 0;
                break;
            }
            mpq_set_num(b, R->h[j]);
            mpq_set_den(b, R->g[(size_t)j * k + l]);
            mpq_canonicalize(b);            /* h_j / g_jl, sign fixed */
            mpq_neg(b, b);
            mpz_mul(mpq_numref(b), mpq_numref(b), *g);
            mpq_canonicalize(b);
            mpq_add(acc, acc, b);
        }
        if (ok && mpq_sgn(acc) >= 0)
            G->status[i] = REDUNDANT;
    }
    mpq_clears(acc, b, NULL);
    pv_free(lo);
    pv_free(hi);
}

/* Groups all of whose rows the hint names are not facets (a facet of S on
 * that hyperplane would be a facet of the superset: for full-dimensional
 * S inside a full-dimensional superset, an (m-1)-face of S on a
 * hyperplane lies in an (m-1)-face of the superset on it). */
static void apply_hint(groups *G, const unsigned char *not_facet)
{
    for (int g = 0; g < G->q; g++) {
        int all = 1;
        for (int a = 0; a < G->count[g] && all; a++)
            all = not_facet[G->members[G->first[g] + a]];
        if (all)
            G->status[g] = REDUNDANT;
    }
}

static pv_status system_facets(const pv_system *S, const pv_dimension *D,
                               const unsigned char *not_facet,
                               pv_facets *F, pv_stats *st, pv_error *err)
{
    pv_facets_init(F);
    F->m = S->dim;
    if (D->dim < 0)
        return pv_error_set(err, PV_ERR_ARG, "facets of an empty set");
    if (D->dim == 0)
        return PV_OK;
    pv_rrows R;
    candidate_rows(S, D, &R);
    groups G;
    groups_build(&G, &R);
    pv_rrows_clear(&R);
    pv_status rc = PV_OK;
    if (rank_proves_all(&G)) {
        /* Proved without points; a point is still needed where the
         * neighbour cannot be read off as a one-bit flip: groups of several
         * rows, or a cell with implicit equalities. */
        int need = 0;
        for (int i = 0; i < S->nrows; i++)
            need |= D->implicit[i];
        for (int g = 0; g < G.q; g++)
            G.status[g] = (need || G.count[g] > 1) ? UNKNOWN : FACET;
        rc = decide_by_lp(&G, st, err);
    } else {
        pv_drows Fd;
        pv_drows_init(&Fd, &G.reps);
        pv_probe_ws *W = pv_probe_ws_new(&G.reps, &Fd);
        if (not_facet && D->dim == S->dim)
            apply_hint(&G, not_facet);
        box_implied(&G, &Fd);
        shoot_rays(&G, W, st);
        pv_probe_ws_free(W);
        pv_drows_clear(&Fd);
        rc = decide_by_lp(&G, st, err);
    }
    if (rc == PV_OK) {
        F->f = pv_calloc((size_t)G.q + 1, sizeof(pv_facet));
        for (int g = 0; g < G.q; g++) {
            if (G.status[g] != FACET)
                continue;
            pv_facet *f = &F->f[F->count++];
            f->nrows = G.count[g];
            f->rows = pv_malloc((size_t)f->nrows * sizeof(int));
            memcpy(f->rows, &G.members[G.first[g]], (size_t)f->nrows * sizeof(int));
            if (G.point[g]) {
                f->point = pv_qvec_new(S->dim);
                pv_frame_apply(f->point, S->dim, D->dim, D->point, D->U, G.point[g]);
            }
        }
    }
    groups_clear(&G);
    return rc;
}

pv_status pv__system_facets(const pv_system *S, const pv_dimension *D,
                           pv_facets *F, pv_stats *st, pv_error *err)
{
    PV_GUARD(err, system_facets(S, D, NULL, F, st, err), pv_facets_init(F));
}

pv_status pv__system_facets_hinted(const pv_system *S, const pv_dimension *D,
                                   const unsigned char *not_facet,
                                   pv_facets *F, pv_stats *st, pv_error *err)
{
    PV_GUARD(err, system_facets(S, D, not_facet, F, st, err), pv_facets_init(F));
}

/* ---- empty faces, for certificates --------------------------------------- */

/* sigma with rep row g = sigma * (S row t, translated): the ratio of the
 * first non-zero normal entries (a translation keeps the normal). */
static void row_ratio(mpq_t sigma, const pv_rrows *R, int g, const pv_system *S, int t)
{
    for (int j = 0; j < R->k; j++)
        if (mpz_sgn(PV_G(S, t, j)) != 0) {
            mpq_set_num(sigma, R->g[(size_t)g * R->k + j]);
            mpq_set_den(sigma, PV_G(S, t, j));
            mpq_canonicalize(sigma);
            return;
        }
    mpq_set_ui(sigma, 0, 1);
}

/* y over S's rows from rep multipliers: rho_i = sum l_j rho_j + mu with
 * rho_g = sigma_g S_{o(g)} gives sum_t y_t S_t = -1 for y_s = -sigma_i / mu
 * and y_{o(j)} = l_j sigma_j / mu: the face {S_s = 0} is empty (Farkas). */
static mpq_t *face_multipliers(const groups *G, int i, int s, const pv_system *S,
                               mpq_t *const l, const mpq_t mu)
{
    const pv_rrows *R = &G->reps;
    mpq_t *y = pv_qvec_new(S->nrows), sigma;
    mpq_init(sigma);
    for (int j = 0; j < R->n; j++) {
        if (mpq_sgn(l[j]) == 0)
            continue;
        int t = R->orig[j];
        row_ratio(sigma, R, j, S, t);
        mpq_mul(sigma, sigma, l[j]);
        mpq_div(sigma, sigma, mu);
        mpq_add(y[t], y[t], sigma);
    }
    row_ratio(sigma, R, i, S, s);
    mpq_div(sigma, sigma, mu);
    mpq_sub(y[s], y[s], sigma);
    mpq_clear(sigma);
    return y;
}

int pv__system_empty_faces(const pv_system *S, mpq_t *const point,
                           const int *rows, int nr, mpq_t **y)
{
    for (int a = 0; a < nr; a++)
        y[a] = NULL;
    if (pv_flp_disabled())
        return 0;
    int found = 0;
    /* the frame of a full-dimensional set centred at its interior point */
    unsigned char *none = pv_calloc((size_t)S->nrows + 1, 1);
    pv_dimension D = { .m = S->dim, .nrows = S->nrows, .dim = S->dim, .point = point,
                       .implicit = none, .U = NULL };
    pv_rrows R;
    candidate_rows(S, &D, &R);
    pv_free(none);
    groups G;
    groups_build(&G, &R);
    pv_rrows_clear(&R);
    int q = G.q, k = G.reps.k;
    int *group_of = pv_malloc(((size_t)S->nrows + 1) * sizeof *group_of);
    for (int t = 0; t < S->nrows; t++)
        group_of[t] = -1;
    for (int g = 0; g < q; g++)
        for (int a = 0; a < G.count[g]; a++)
            group_of[G.members[G.first[g] + a]] = g;
    double *Gd = pv_malloc(((size_t)q * k + 1) * sizeof *Gd), *h = pv_malloc((size_t)(q + 1) * sizeof *h);
    double *norm = pv_malloc((size_t)(q + 1) * sizeof *norm), *yd = pv_malloc((size_t)(q + 1) * sizeof *yd);
    double *zd = pv_malloc((size_t)(k + 1) * sizeof *zd);
    int *unit = pv_malloc((size_t)(q + 1) * sizeof *unit);
    pv_rrows_to_double(&G.reps, Gd, h, norm);
    for (int g = 0; g < q; g++)
        unit[g] = pv_rrows_unit_column(&G.reps, g);
    /* one LP object for every face: each min row i starts from the last
     * optimal basis */
    pv_flp *lp = q > 0 ? pv_flp_new(k, q, Gd, h, 1e9) : NULL;
    mpq_t *l = pv_qvec_new(q), mu;
    mpq_init(mu);
    for (int a = 0; lp && a < nr; a++) {
        int g = group_of[rows[a]];
        double v;
        if (g < 0 || pv_flp_min_row(lp, g, &v, zd, yd) != 0 || !(v > 0.0))
            continue;
        for (int j = 0; j < q; j++)
            mpq_set_ui(l[j], 0, 1);
        if (multipliers_exact(&G, g, yd, norm, unit, l, mu) && mpq_sgn(mu) > 0) {
            y[a] = face_multipliers(&G, g, rows[a], S, l, mu);
            found++;
        }
    }
    mpq_clear(mu);
    pv_qvec_free(l, q);
    pv_flp_free(lp);
    pv_free(unit);
    pv_free(zd);
    pv_free(yd);
    pv_free(norm);
    pv_free(h);
    pv_free(Gd);
    pv_free(group_of);
    groups_clear(&G);
    return found;
}

/* ---- boundedness -------------------------------------------------------- */

static int exact_rank(const pv_rrows *R)
{
    pv_zmat M;
    pv_zmat_init(&M, R->n, R->k);
    for (size_t i = 0; i < (size_t)R->n * R->k; i++)
        mpz_set(M.a[i], R->g[i]);
    int *piv = pv_malloc((size_t)(R->n + 1) * sizeof *piv);
    int rank = pv_zmat_rref(&M, piv);
    pv_free(piv);
    pv_zmat_clear(&M);
    return rank;
}

/* Bounded iff the rows have rank k and some w > 0 has sum w_i g'_i = 0
 * (then every recession direction d has g'_i d = 0 for all i, so d = 0). */
static int bounded_by_multipliers(const pv_rrows *R, const double *y,
                                  const double *norm)
{
    int k = R->k, n = R->n;
    pv_zmat A;
    pv_zmat_init(&A, k, n);
    double *guess = pv_malloc((size_t)n * sizeof *guess);
    for (int c = 0; c < n; c++) {
        for (int l = 0; l < k; l++)
            mpz_set(PV_Z(&A, l, c), R->g[(size_t)c * k + l]);
        guess[c] = (1.0 + y[c]) / (norm[c] / norm[0]);
    }
    mpq_t *w = pv_qvec_new(n);
    int ok = pv_zmat_solve_guided(&A, NULL, guess, w) == 0;
    for (int c = 0; ok && c < n; c++)
        ok = mpq_sgn(w[c]) > 0;
    pv_qvec_free(w, n);
    pv_free(guess);
    pv_zmat_clear(&A);
    return ok;
}

/* g'_i . d >= 0 for every row and d != 0: d is a recession direction. */
static int direction_proves_unbounded(const pv_rrows *R, mpq_t *const d)
{
    int k = R->k, ok = 0;
    mpq_t v, t;
    mpq_inits(v, t, NULL);
    for (int j = 0; j < k; j++)
        ok |= mpq_sgn(d[j]) != 0;
    for (int i = 0; i < R->n && ok; i++) {
        mpq_set_ui(v, 0, 1);
        for (int j = 0; j < k; j++) {
            mpq_set_z(t, R->g[(size_t)i * k + j]);
            mpq_mul(t, t, d[j]);
            mpq_add(v, v, t);
        }
        ok = mpq_sgn(v) >= 0;
    }
    mpq_clears(v, t, NULL);
    return ok;
}

/* d (float, at a vertex of the LP) -> exact d with g'd = 0 on the rows
 * the float solution has active, the free coordinates taken from it; then
 * g'd >= 0 on every row and d != 0 prove a recession direction. */
static int unbounded_by_direction(const pv_rrows *R, const double *dd,
                                  const double *Gd)
{
    int k = R->k, n = R->n, na = 0, ok = 0;
    int *act = pv_malloc((size_t)(n + 1) * sizeof *act);
    for (int i = 0; i < n; i++) {
        double v = 0.0;
        for (int j = 0; j < k; j++)
            v += Gd[(size_t)i * k + j] * dd[j];
        if (fabs(v) < 1e-9)
            act[na++] = i;
    }
    pv_zmat A;
    pv_zmat_init(&A, na, k);
    for (int a = 0; a < na; a++)
        for (int j = 0; j < k; j++)
            mpz_set(PV_Z(&A, a, j), R->g[(size_t)act[a] * k + j]);
    mpq_t *d = pv_qvec_new(k);
    ok = pv_zmat_solve_guided(&A, NULL, dd, d) == 0 && direction_proves_unbounded(R, d);
    pv_qvec_free(d, k);
    pv_zmat_clear(&A);
    pv_free(act);
    return ok;
}

pv_status pv_facets_compute(pv_facets *F, const pv_system *S,
                            const pv_dimension *D, pv_stats *st, pv_error *err)
{
    pv_facets_clear(F);        /* the caller's content is replaced */
    return pv__system_facets(S, D, F, st, err);
}

static pv_status system_bounded(const pv_system *S, const pv_dimension *D,
                                int *bounded, pv_stats *st, pv_error *err)
{
    if (D->dim < 0)
        return pv_error_set(err, PV_ERR_ARG, "boundedness of an empty set");
    *bounded = 1;
    if (D->dim == 0)
        return PV_OK;
    pv_rrows R0, R;
    candidate_rows(S, D, &R0);
    int *rows = pv_malloc((size_t)(R0.n + 1) * sizeof *rows), n = 0;
    for (int r = 0; r < R0.n; r++)
        if (!pv_rrows_zero(&R0, r))
            rows[n++] = R0.orig[r];
    pv_rrows_clear(&R0);
    pv_rrows_build(&R, S, rows, n, D->point, D->U, D->dim);
    pv_free(rows);
    int k = R.k;
    pv_status rc = PV_OK;
    pv_zmat M = { R.n, k, R.g };
    if (n < k + 1 || (pv_zmat_rank_mod_p(&M) < k && exact_rank(&R) < k)) {
        *bounded = 0;                 /* a line or too few rows: unbounded */
    } else {
        double *Gd = pv_malloc(((size_t)n * k + 1) * sizeof *Gd);
        double *h = pv_malloc((size_t)n * sizeof *h), *norm = pv_malloc((size_t)n * sizeof *norm);
        double *dd = pv_malloc((size_t)k * sizeof *dd), *y = pv_malloc((size_t)n * sizeof *y);
        double v = 0.0;
        int decided = 0;
        pv_rrows_to_double(&R, Gd, h, norm);
        if (st)
            st->float_lps++;
        if (pv_flp_recession(k, n, Gd, &v, dd, y) == 0) {
            if (v > 1e-9 && unbounded_by_direction(&R, dd, Gd))
                decided = 1, *bounded = 0;
            else if (v <= 1e-9 && bounded_by_multipliers(&R, y, norm))
                decided = 1, *bounded = 1;
        }
        if (!decided) {
            /* cddlib: w >= 1 with sum w g' = 0 (Stiemke: bounded), else a
             * recession direction; both checked here in exact arithmetic */
            mpq_t val, acc, t;
            mpq_inits(val, acc, t, NULL);
            mpq_t *w = pv_qvec_new(n), *d = pv_qvec_new(k);
            if (st)
                st->exact_lps++;
            int ok = pv_xlp_combination(k, n, R.g, NULL, NULL, NULL, NULL, 1, w) == PV_XLP_OPTIMAL;
            for (int i = 0; ok && i < n; i++)
                ok = mpq_sgn(w[i]) > 0;
            for (int j = 0; ok && j < k; j++) {
                mpq_set_ui(acc, 0, 1);
                for (int i = 0; i < n; i++) {
                    mpq_set_z(t, R.g[(size_t)i * k + j]);
                    mpq_mul(t, t, w[i]);
                    mpq_add(acc, acc, t);
                }
                ok = mpq_sgn(acc) == 0;
            }
            if (ok) {
                *bounded = 1;
            } else if (pv_xlp_recession(k, n, R.g, NULL, val, d) == PV_XLP_OPTIMAL &&
                       direction_proves_unbounded(&R, d)) {
                *bounded = 0;
            } else {
                rc = pv_error_set(err, PV_ERR_SOLVER, "no exact proof of boundedness");
            }
            mpq_clears(val, acc, t, NULL);
            pv_qvec_free(w, n);
            pv_qvec_free(d, k);        } else if (st) {
            st->float_proofs++;
        }
        pv_free(Gd);
        pv_free(h);
        pv_free(norm);
        pv_free(dd);
        pv_free(y);
    }
    pv_rrows_clear(&R);
    return rc;
}

pv_status pv_system_bounded(const pv_system *S, const pv_dimension *D,
                            int *bounded, pv_stats *st, pv_error *err)
{
    PV_GUARD(err, system_bounded(S, D, bounded, st, err), (void)0);
}
