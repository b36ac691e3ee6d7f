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
#include "polyverify/geometry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "linalg.h"
#include "lp.h"
#include "reduce.h"


enum { UNKNOWN = 0, FACET, REDUNDANT };

void pv_facets_init(pv_facets *F) { memset(F, 0, sizeof *F); }

void pv_facets_clear(pv_facets *F)
{
    for (int i = 0; i < F->count; i++) {
        free(F->f[i].rows);
        if (F->f[i].point) {
            for (int j = 0; j < F->m; j++)
                mpq_clear(F->f[i].point[j]);
            free(F->f[i].point);
        }
    }
    free(F->f);
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

/* qsort has no context argument in C11: a merge sort over an index array
 * avoids a global. */
static void merge_sort(const pv_rrows *R, int *idx, int *tmp, int n)
{
    if (n < 2)
        return;
    int h = n / 2;
    merge_sort(R, idx, tmp, h);
    merge_sort(R, idx + h, tmp, n - h);
    int a = 0, b = h, t = 0;
    while (a < h || b < n) {
        int take_a = b >= n || (a < h && (row_cmp(R, idx[a], idx[b]) < 0 ||
                     (row_cmp(R, idx[a], idx[b]) == 0 &&
                      R->orig[idx[a]] < R->orig[idx[b]])));
        tmp[t++] = take_a ? idx[a++] : idx[b++];
    }
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
}

static void groups_build(groups *G, const pv_rrows *R)
{
    int n = R->n, k = R->k;
    int *idx = malloc((size_t)(n + 1) * sizeof *idx), *tmp = malloc((size_t)(n + 1) * sizeof *tmp);
    int cnt = 0;
    for (int r = 0; r < n; r++)
        if (!pv_rrows_zero(R, r))        /* constant rows bound nothing */
            idx[cnt++] = r;
    merge_sort(R, idx, tmp, cnt);
    /* runs of equal rows; then order groups by their smallest member */
    int *gstart = malloc((size_t)(cnt + 1) * sizeof *gstart), q = 0;
    for (int a = 0; a < cnt; a++)
        if (a == 0 || row_cmp(R, idx[a - 1], idx[a]) != 0)
            gstart[q++] = a;
    gstart[q] = cnt;
    int *order = malloc((size_t)(q + 1) * sizeof *order);
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
    G->first = malloc((size_t)(q + 1) * sizeof(int));
    G->count = malloc((size_t)(q + 1) * sizeof(int));
    G->members = malloc((size_t)(cnt + 1) * sizeof(int));
    G->status = calloc((size_t)q + 1, 1);
    G->point = calloc((size_t)q + 1, sizeof(mpq_t *));
    G->reps.k = k, G->reps.n = q;
    G->reps.orig = malloc((size_t)(q + 1) * sizeof(int));
    G->reps.g = malloc(((size_t)q * k + 1) * sizeof(mpz_t));
    G->reps.h = malloc((size_t)(q + 1) * sizeof(mpz_t));
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
    free(order);
    free(gstart);
    free(idx);
    free(tmp);
}

static void groups_clear(groups *G)
{
    for (int g = 0; g < G->q; g++)
        pv_qvec_free(G->point[g], G->reps.k);
    free(G->point);
    free(G->status);
    free(G->first);
    free(G->count);
    free(G->members);
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

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* One ray z = t d from the interior point 0. Returns the group hit alone
 * first (its point set), or -1. */
static int shoot(groups *G, mpz_t *d, mpz_t *Dv, mpz_t a, mpz_t b)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, best = -1, tie = 0;
    for (int i = 0; i < R->n; i++) {
        mpz_set_ui(Dv[i], 0);
        for (int j = 0; j < k; j++)
            mpz_addmul(Dv[i], R->g[(size_t)i * k + j], d[j]);
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
        for (int j = 0; j < k; j++) {
            mpq_set_z(G->point[best][j], d[j]);
            mpq_mul(G->point[best][j], G->point[best][j], t);
        }
        mpq_clear(t);
    }
    return best;
}

static void shoot_rays(groups *G, pv_stats *st)
{
    int k = G->reps.k, q = G->q, misses = 0, limit = 3 * q + 20;
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    mpz_t *d = malloc((size_t)k * sizeof(mpz_t)), *Dv = malloc((size_t)q * sizeof(mpz_t));
    mpz_t a, b;
    mpz_init(a);
    mpz_init(b);
    for (int j = 0; j < k; j++)
        mpz_init(d[j]);
    for (int i = 0; i < q; i++)
        mpz_init(Dv[i]);
    for (int r = 0; r < limit && misses < q / 2 + 20; r++) {
        for (int j = 0; j < k; j++)
            mpz_set_si(d[j], (long)(next_rand(&seed) % 2001) - 1000);
        if (st)
            st->rays++;
        int g = shoot(G, d, Dv, a, b);
        if (g >= 0 && G->status[g] != FACET) {
            G->status[g] = FACET;
            misses = 0;
        } else {
            misses++;
        }
    }
    for (int j = 0; j < k; j++)
        mpz_clear(d[j]);
    for (int i = 0; i < q; i++)
        mpz_clear(Dv[i]);
    free(d);
    free(Dv);
    mpz_clear(a);
    mpz_clear(b);
}

/* z with row_i(z) < 0 and the others >= 0 (roughly): the point of the
 * segment 0..z on hyperplane i has every other row > 0 if the check below
 * succeeds. Sets the group's point; returns 1 on success. */
static int facet_from_witness(groups *G, int i, mpq_t *z)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, ok = 1;
    mpq_t ri, lam, v, w;
    mpq_inits(ri, lam, v, w, NULL);
    pv_rrows_value(ri, R, i, z);
    if (mpq_sgn(ri) >= 0)
        ok = 0;
    if (ok) {
        /* lambda = h_i / (h_i - r_i(z)) in (0, 1) */
        mpq_set_z(w, R->h[i]);
        mpq_sub(lam, w, ri);
        mpq_div(lam, w, lam);
        for (int j = 0; j < R->n && ok; j++) {
            if (j == i)
                continue;
            /* r_j(lambda z) = lambda r_j(z) + (1 - lambda) h_j */
            pv_rrows_value(v, R, j, z);
            mpq_mul(v, v, lam);
            mpq_set_ui(w, 1, 1);
            mpq_sub(w, w, lam);
            mpq_t hj;
            mpq_init(hj);
            mpq_set_z(hj, R->h[j]);
            mpq_mul(w, w, hj);
            mpq_clear(hj);
            mpq_add(v, v, w);
            ok = mpq_sgn(v) > 0;
        }
    }
    if (ok) {
        G->point[i] = pv_qvec_new(k);
        for (int j = 0; j < k; j++)
            mpq_mul(G->point[i][j], z[j], lam);
    }
    mpq_clears(ri, lam, v, w, NULL);
    return ok;
}

/* Exact Farkas multipliers from float ones: g'_i = sum l_j g'_j with
 * l >= 0 and h'_i - sum l_j h'_j >= 0. Returns 1 when proved. */
static int redundant_from_multipliers(const groups *G, int i, const double *y,
                                      const double *norm)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, n = R->n, nj = 0;
    double ymax = 0.0;
    for (int j = 0; j < n; j++)
        if (j != i && y[j] > ymax)
            ymax = y[j];
    if (ymax <= 0.0)
        return 0;
    int *J = malloc((size_t)n * sizeof *J);
    for (int j = 0; j < n; j++)
        if (j != i && y[j] > 1e-9 * ymax)
            J[nj++] = j;
    pv_zmat A;
    pv_zmat_init(&A, k, nj);
    double *guess = malloc((size_t)nj * sizeof *guess);
    for (int c = 0; c < nj; c++) {
        for (int l = 0; l < k; l++)
            mpz_set(PV_Z(&A, l, c), R->g[(size_t)J[c] * k + l]);
        /* float rows are g'/norm: l_j = y_j * norm_i / norm_j */
        guess[c] = y[J[c]] * (norm[i] / norm[J[c]]);
    }
    mpq_t *lam = pv_qvec_new(nj);
    int ok = pv_zmat_solve_guided(&A, &R->g[(size_t)i * k], guess, lam) == 0;
    mpq_t mu, t;
    mpq_init(mu);
    mpq_init(t);
    mpq_set_z(mu, R->h[i]);
    for (int c = 0; ok && c < nj; c++) {
        ok = mpq_sgn(lam[c]) >= 0;
        mpq_set_z(t, R->h[J[c]]);
        mpq_mul(t, t, lam[c]);
        mpq_sub(mu, mu, t);
    }
    ok = ok && mpq_sgn(mu) >= 0;
    mpq_clear(mu);
    mpq_clear(t);
    pv_qvec_free(lam, nj);
    free(guess);
    free(J);
    pv_zmat_clear(&A);
    return ok;
}

static pv_status decide_by_lp(groups *G, pv_stats *st, pv_error *err)
{
    const pv_rrows *R = &G->reps;
    int k = R->k, n = R->n;
    double *Gd = malloc(((size_t)n * k + 1) * sizeof *Gd);
    double *h = malloc((size_t)n * sizeof *h), *norm = malloc((size_t)n * sizeof *norm);
    double *zd = malloc((size_t)k * sizeof *zd), *y = malloc((size_t)n * sizeof *y);
    pv_rrows_to_double(R, Gd, h, norm);
    pv_flp *lp = pv_flp_new(k, n, Gd, h, 1e9);
    mpq_t *z = pv_qvec_new(k);
    mpq_t val;
    mpq_init(val);
    pv_status rc = PV_OK;
    for (int i = 0; i < n && rc == PV_OK; i++) {
        if (G->status[i] != UNKNOWN)
            continue;
        double v;
        if (st)
            st->float_lps++;
        if (lp && pv_flp_min_row(lp, i, &v, zd, y) == 0) {
            if (v < -1e-9) {
                for (int j = 0; j < k; j++)
                    pv_mpq_set_double(z[j], zd[j]);
                if (facet_from_witness(G, i, z))
                    G->status[i] = FACET;
            } else if (redundant_from_multipliers(G, i, y, norm)) {
                G->status[i] = REDUNDANT;
            }
        }
        if (G->status[i] != UNKNOWN) {
            if (st)
                st->float_proofs++;
            continue;
        }
        if (st)
            st->exact_lps++;
        int x = pv_xlp_min_row(k, n, R->g, R->h, NULL, i, val, z);
        if (x != PV_XLP_OPTIMAL)
            rc = pv_error_set(err, PV_ERR_SOLVER, "exact LP failed on a facet test");
        else if (mpq_sgn(val) >= 0)
            G->status[i] = REDUNDANT;
        else if (facet_from_witness(G, i, z))
            G->status[i] = FACET;
        else
            rc = pv_error_set(err, PV_ERR_INTERNAL, "exact facet witness failed");
    }
    mpq_clear(val);
    pv_qvec_free(z, k);
    pv_flp_free(lp);
    free(Gd);
    free(h);
    free(norm);
    free(zd);
    free(y);
    return rc;
}

static void candidate_rows(const pv_system *S, const pv_dimension *D,
                           pv_rrows *R)
{
    int *rows = malloc((size_t)(S->nrows + 1) * sizeof *rows), n = 0;
    for (int i = 0; i < S->nrows; i++)
        if (!D->implicit[i])
            rows[n++] = i;
    pv_rrows_build(R, S, rows, n, D->point, D->U, D->dim);
    free(rows);
}

pv_status pv_system_facets(const pv_system *S, const pv_dimension *D,
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
        shoot_rays(&G, st);
        rc = decide_by_lp(&G, st, err);
    }
    if (rc == PV_OK) {
        F->f = calloc((size_t)G.q + 1, sizeof(pv_facet));
        for (int g = 0; g < G.q; g++) {
            if (G.status[g] != FACET)
                continue;
            pv_facet *f = &F->f[F->count++];
            f->nrows = G.count[g];
            f->rows = malloc((size_t)f->nrows * sizeof(int));
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

/* ---- boundedness -------------------------------------------------------- */

static int exact_rank(const pv_rrows *R)
{
    pv_zmat M;
    pv_zmat_init(&M, R->n, R->k);
    for (size_t i = 0; i < (size_t)R->n * R->k; i++)
        mpz_set(M.a[i], R->g[i]);
    int *piv = malloc((size_t)(R->n + 1) * sizeof *piv);
    int rank = pv_zmat_rref(&M, piv);
    free(piv);
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
    double *guess = malloc((size_t)n * sizeof *guess);
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
    free(guess);
    pv_zmat_clear(&A);
    return ok;
}

static int unbounded_by_direction(const pv_rrows *R, const double *dd)
{
    int k = R->k, ok = 0;
    mpq_t *d = pv_qvec_new(k), v;
    mpq_init(v);
    for (int j = 0; j < k; j++) {
        pv_mpq_set_double(d[j], dd[j]);
        ok |= mpq_sgn(d[j]) != 0;
    }
    for (int i = 0; i < R->n && ok; i++) {
        mpq_set_ui(v, 0, 1);
        for (int j = 0; j < k; j++) {
            mpq_t t;
            mpq_init(t);
            mpq_set_z(t, R->g[(size_t)i * k + j]);
            mpq_mul(t, t, d[j]);
            mpq_add(v, v, t);
            mpq_clear(t);
        }
        ok = mpq_sgn(v) >= 0;
    }
    mpq_clear(v);
    pv_qvec_free(d, k);
    return ok;
}

pv_status pv_system_bounded(const pv_system *S, const pv_dimension *D,
                            int *bounded, pv_stats *st, pv_error *err)
{
    if (D->dim < 0)
        return pv_error_set(err, PV_ERR_ARG, "boundedness of an empty set");
    *bounded = 1;
    if (D->dim == 0)
        return PV_OK;
    pv_rrows R0, R;
    candidate_rows(S, D, &R0);
    int *rows = malloc((size_t)(R0.n + 1) * sizeof *rows), n = 0;
    for (int r = 0; r < R0.n; r++)
        if (!pv_rrows_zero(&R0, r))
            rows[n++] = R0.orig[r];
    pv_rrows_clear(&R0);
    pv_rrows_build(&R, S, rows, n, D->point, D->U, D->dim);
    free(rows);
    int k = R.k;
    pv_status rc = PV_OK;
    pv_zmat M = { R.n, k, R.g };
    if (n < k + 1 || (pv_zmat_rank_mod_p(&M) < k && exact_rank(&R) < k)) {
        *bounded = 0;                 /* a line or too few rows: unbounded */
    } else {
        double *Gd = malloc(((size_t)n * k + 1) * sizeof *Gd);
        double *h = malloc((size_t)n * sizeof *h), *norm = malloc((size_t)n * sizeof *norm);
        double *dd = malloc((size_t)k * sizeof *dd), *y = malloc((size_t)n * sizeof *y);
        double v = 0.0;
        int decided = 0;
        pv_rrows_to_double(&R, Gd, h, norm);
        if (st)
            st->float_lps++;
        if (pv_flp_recession(k, n, Gd, &v, dd, y) == 0) {
            if (v > 1e-9 && unbounded_by_direction(&R, dd))
                decided = 1, *bounded = 0;
            else if (v <= 1e-9 && bounded_by_multipliers(&R, y, norm))
                decided = 1, *bounded = 1;
        }
        if (!decided) {
            mpq_t val;
            mpq_init(val);
            mpq_t *d = pv_qvec_new(k);
            if (st)
                st->exact_lps++;
            if (pv_xlp_recession(k, n, R.g, NULL, val, d) != PV_XLP_OPTIMAL)
                rc = pv_error_set(err, PV_ERR_SOLVER, "exact LP failed on boundedness");
            else
                *bounded = mpq_sgn(val) == 0;
            mpq_clear(val);
            pv_qvec_free(d, k);
        } else if (st) {
            st->float_proofs++;
        }
        free(Gd);
        free(h);
        free(norm);
        free(dd);
        free(y);
    }
    pv_rrows_clear(&R);
    return rc;
}
