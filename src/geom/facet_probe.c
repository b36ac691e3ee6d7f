/* polyverify — facets found by bent rays, proved by a float filter (see
 * facet_probe.h).
 *
 * Search. The shortest way out through hyperplane i is d = -g_i; when a
 * row b is met first, b is kept constant from then on: d becomes -g_i
 * projected onto the orthogonal complement of the blockers' normals (an
 * active-set walk, in doubles, Gram-Schmidt twice). A ray that keeps every
 * blocker constant and still lowers row i meets row i first as soon as no
 * new blocker appears; when row i cannot be lowered parallel to the
 * blockers, or after PV_PROBE_STEPS blockers, the probe gives up (the LP
 * decides). In R^784 with a box, a blocked box side usually needs one or
 * two blockers; no LP is solved.
 *
 * Proof. d is rounded to a dyadic Z / 2^s (|Z_l| < 2^30, so each Z_l is a
 * double exactly) and the point is y = tau Z with tau = h_i / (-g_i.Z):
 * row i vanishes at y exactly. Row j is positive at y iff
 * c_j h_j + tau c_j g_j.Z > 0 for the row's scale c_j = 2^-e_j > 0. In
 * doubles, with u = 2^-53, entries truncated (relative error < 2u) and n_j
 * terms summed (Higham's gamma), the value v has a proved error radius B
 * (see filter_row); the sign is taken when |v| > B, and computed exactly
 * in integers otherwise. The same argument as the forward filter of
 * code.c: the filter changes speed, never an answer. */
#include "core/alloc.h"
#include "geom/facet_probe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "exact/linalg.h"
#include "lp/lp.h"

#define PV_PROBE_STEPS 24      /* blockers a probe may keep      */
#define PV_PROBE_BITS 30       /* bits of the rounded direction  */
#define PV_U 0x1p-53

/* ---- rows in doubles ------------------------------------------------------ */

static long row_bits(const pv_rrows *R, int j)
{
    long e = (long)mpz_sizeinbase(R->h[j], 2);
    for (int l = 0; l < R->k; l++) {
        long b = (long)mpz_sizeinbase(R->g[(size_t)j * R->k + l], 2);
        if (b > e)
            e = b;
    }
    return e;
}

void pv_drows_init(pv_drows *F, const pv_rrows *R)
{
    int k = R->k, n = R->n;
    F->k = k, F->n = n;
    F->g = pv_malloc(((size_t)n * k + 1) * sizeof *F->g);
    F->h = pv_malloc(((size_t)n + 1) * sizeof *F->h);
    F->norm = pv_malloc(((size_t)n + 1) * sizeof *F->norm);
    F->unit = pv_malloc(((size_t)n + 1) * sizeof *F->unit);
    for (int j = 0; j < n; j++) {
        long e = row_bits(R, j);
        double s = 0.0;
        for (int l = 0; l < k; l++) {
            const mpz_t *z = &R->g[(size_t)j * k + l];
            double v = mpz_sgn(*z) ? pv_mpz_get_d_scaled(*z, e) : 0.0;
            F->g[(size_t)j * k + l] = v;
            s += v * v;
        }
        F->h[j] = pv_mpz_get_d_scaled(R->h[j], e);
        F->norm[j] = sqrt(s);
        F->unit[j] = pv_rrows_unit_column(R, j);
    }
}

void pv_drows_clear(pv_drows *F)
{
    pv_free(F->g);
    pv_free(F->h);
    pv_free(F->norm);
    pv_free(F->unit);
    memset(F, 0, sizeof *F);
}

/* ---- workspace ------------------------------------------------------------ */

struct pv_probe_ws {
    const pv_rrows *R;
    const pv_drows *F;
    double *d, *q;       /* direction (k); blockers' unit normals (STEPS x k) */
    double *M, *nv, *mu; /* the cone projection's Gram matrix and vectors    */
    int *blocker;
    unsigned char *fixed;  /* coordinates held by box sides (k)            */
    double *s, *ni;      /* the frame's scale (k); row i's scaled normal    */
    double *zd;          /* the rounded direction as doubles (k)            */
    mpz_t *Z, delta, Di, t;
    mpq_t tau;
};

/* The search runs in the frame z = s (.) xi where each coordinate is
 * scaled by its distance to the nearest box side (a row of one entry) and
 * the largest of those is 1: a step of length 1 in xi leaves no box side
 * behind, so directions towards far hyperplanes spread over the
 * coordinates that have room. Coordinates without sides get scale 1. */
static void frame_scale(double *s, const pv_drows *F)
{
    int k = F->k;
    double top = 0.0;
    for (int l = 0; l < k; l++)
        s[l] = INFINITY;
    for (int j = 0; j < F->n; j++) {
        int c = F->unit[j];
        if (c < 0)
            continue;
        double dist = F->h[j] / fabs(F->g[(size_t)j * k + c]);
        if (dist < s[c])
            s[c] = dist;
    }
    for (int l = 0; l < k; l++)
        if (isfinite(s[l]) && s[l] > top)
            top = s[l];
    for (int l = 0; l < k; l++)
        s[l] = isfinite(s[l]) && top > 0.0 && s[l] > 0.0 ? s[l] / top : 1.0;
}

pv_probe_ws *pv_probe_ws_new(const pv_rrows *R, const pv_drows *F)
{
    int k = R->k;
    pv_probe_ws *W = pv_malloc(sizeof *W);
    W->R = R, W->F = F;
    W->d = pv_malloc(((size_t)k + 1) * sizeof *W->d);
    W->zd = pv_malloc(((size_t)k + 1) * sizeof *W->zd);
    W->q = pv_malloc(((size_t)PV_PROBE_STEPS * k + 1) * sizeof *W->q);
    W->M = pv_malloc((size_t)PV_PROBE_STEPS * PV_PROBE_STEPS * sizeof *W->M);
    W->nv = pv_malloc((size_t)PV_PROBE_STEPS * sizeof *W->nv);
    W->mu = pv_malloc((size_t)PV_PROBE_STEPS * sizeof *W->mu);
    W->blocker = pv_malloc((size_t)PV_PROBE_STEPS * sizeof *W->blocker);
    W->fixed = pv_malloc((size_t)k + 1);
    W->ni = pv_malloc(((size_t)k + 1) * sizeof *W->ni);
    W->s = pv_malloc(((size_t)k + 1) * sizeof *W->s);
    frame_scale(W->s, F);
    W->Z = pv_zvec_new(k);
    mpz_inits(W->delta, W->Di, W->t, NULL);
    mpq_init(W->tau);
    return W;
}

void pv_probe_ws_free(pv_probe_ws *W)
{
    if (!W)
        return;
    pv_free(W->d);
    pv_free(W->zd);
    pv_free(W->q);
    pv_free(W->M);
    pv_free(W->nv);
    pv_free(W->mu);
    pv_free(W->blocker);
    pv_free(W->fixed);
    pv_free(W->ni);
    pv_free(W->s);
    pv_zvec_free(W->Z, (size_t)W->R->k);
    mpz_clears(W->delta, W->Di, W->t, NULL);
    mpq_clear(W->tau);
    pv_free(W);
}

/* ---- the search ------------------------------------------------------------ */

static double dot(const double *a, const double *b, int k)
{
    double s = 0.0;
    for (int l = 0; l < k; l++)
        s += a[l] * b[l];
    return s;
}

/* g_j . d in doubles (a unit row: its one entry). */
static double row_dot(const pv_drows *F, int j, const double *d)
{
    int c = F->unit[j];
    return c >= 0 ? F->g[(size_t)j * F->k + c] * d[c]
                  : dot(F->g + (size_t)j * F->k, d, F->k);
}

/* The row met first along d (ties within a relative 1e-9 make it -1), or
 * -2 when no row is met. */
static int first_met(const pv_drows *F, const double *d)
{
    int best = -1, tie = 0;
    double tbest = INFINITY;
    for (int j = 0; j < F->n; j++) {
        double D = row_dot(F, j, d);
        if (!(D < 0.0))
            continue;
        double t = F->h[j] / -D;
        if (t < tbest * (1 - 1e-9)) {
            tie = best >= 0 && tbest <= t * (1 + 1e-9);
            best = j, tbest = t;
        } else if (t <= tbest * (1 + 1e-9)) {
            tie = 1;
        }
    }
    return best < 0 ? -2 : tie ? -1 : best;
}

/* ---- the proof ------------------------------------------------------------- */

/* Sign of row j at y = tau Z (j != i), decided by the filter when it can:
 * 1 positive, -1 negative or zero, 0 undecided. With S = sum g~_jl Z_l and
 * A = sum |g~_jl Z_l| over the n_j entries, g = gamma_{n_j + 1}:
 *   |S - c_j g_j.Z| <= (2u + g) A (1 + g) + n_j 2^-1074 max|Z| =: eS,
 *   |h~ - c_j h_j| <= 2u |h~| + 2^-1074,  |tau~ - tau| <= 2u tau~ (1 + 4u),
 * and the two roundings of v = h~ + tau~ S add u (|h~| + 2 |tau~ S|). */
static int filter_row(const pv_drows *F, int j, const double *zd, double zmax,
                      double tau)
{
    int k = F->k, c = F->unit[j], nj = 0;
    const double *g = F->g + (size_t)j * k;
    double S = 0.0, A = 0.0;
    if (c >= 0) {
        S = g[c] * zd[c], A = fabs(S), nj = 1;
    } else {
        for (int l = 0; l < k; l++) {
            double p = g[l] * zd[l];
            S += p;
            A += fabs(p);
        }
        nj = k;
    }
    double gam = (nj + 1) * PV_U / (1 - (nj + 1) * PV_U);
    double eS = (2 * PV_U + gam) * A * (1 + gam) + nj * 0x1p-1074 * zmax;
    double h = F->h[j], p = tau * S, v = h + p;
    double B = 2 * PV_U * fabs(h) + 0x1p-1074 + tau * eS
             + 2 * PV_U * tau * (1 + 4 * PV_U) * (fabs(S) + eS)
             + PV_U * (fabs(h) + 2 * fabs(p));
    B = B * (1 + 16 * PV_U) + 0x1p-1060;
    if (!isfinite(v) || !isfinite(B))
        return 0;
    return v > B ? 1 : v < -B ? -1 : 0;
}

/* Exact sign of h_j (-D_i) + h_i (g_j . Z): row j at y, times -D_i > 0. */
static int exact_row(pv_probe_ws *W, int i, int j)
{
    const pv_rrows *R = W->R;
    int k = R->k;
    mpz_set_ui(W->t, 0);
    for (int l = 0; l < k; l++)
        if (mpz_sgn(R->g[(size_t)j * k + l]) && mpz_sgn(W->Z[l]))
            mpz_addmul(W->t, R->g[(size_t)j * k + l], W->Z[l]);
    mpz_mul(W->t, W->t, R->h[i]);
    mpz_submul(W->t, R->h[j], W->Di);           /* + h_j (-D_i) */
    return mpz_sgn(W->t);
}

/* Proves that the ray along d meets row i first and alone; fills point. */
static int prove(pv_probe_ws *W, int i, mpq_t **point)
{
    const pv_rrows *R = W->R;
    const pv_drows *F = W->F;
    int k = R->k;
    if (pv_dyadic_round(W->Z, W->delta, W->d, k, PV_PROBE_BITS) != 0)
        return 0;
    double zmax = 0.0;
    for (int l = 0; l < k; l++) {
        W->zd[l] = mpz_get_d(W->Z[l]);           /* exact: |Z_l| < 2^30 */
        if (fabs(W->zd[l]) > zmax)
            zmax = fabs(W->zd[l]);
    }
    mpz_set_ui(W->Di, 0);
    for (int l = 0; l < k; l++)
        if (mpz_sgn(W->Z[l]))
            mpz_addmul(W->Di, R->g[(size_t)i * k + l], W->Z[l]);
    if (mpz_sgn(W->Di) >= 0)
        return 0;
    mpq_set_num(W->tau, R->h[i]);
    mpz_neg(W->t, W->Di);
    mpq_set_den(W->tau, W->t);
    mpq_canonicalize(W->tau);
    double tau = mpq_get_d(W->tau);
    if (!(tau > 0.0) || !isfinite(tau))
        return 0;
    for (int j = 0; j < R->n; j++) {
        if (j == i)
            continue;
        int s = filter_row(F, j, W->zd, zmax, tau);
        if (s == 0)
            s = exact_row(W, i, j) > 0 ? 1 : -1;
        if (s < 0)
            return 0;
    }
    mpq_t *y = pv_qvec_new(k);
    for (int l = 0; l < k; l++) {
        mpq_set_z(y[l], W->Z[l]);
        mpq_mul(y[l], y[l], W->tau);
    }
    *point = y;
    return 1;
}

/* d = v + sum_b mu_b n_b, mu >= 0, the projection of v = -n_i onto the
 * cone {d : d_l = 0 on the fixed coordinates, n_b . d >= eps for every
 * blocker b} (n the unit normals, on the free coordinates): the
 * complementarity problem w = N v - eps + M mu >= 0, mu >= 0, w.mu = 0
 * with M = N N^T, by projected Gauss-Seidel (M is small and positive
 * semi-definite). Blockers whose mu is 0 are released: the ray may leave
 * their hyperplanes towards the inside. */
static void project_cone(pv_probe_ws *W, int nb)
{
    const pv_drows *F = W->F;
    int k = F->k;
    const double *ni = W->ni;
    double s = -1.0;
    for (int a = 0; a < nb; a++)            /* blockers on the free coordinates */
        for (int l = 0; l < k; l++)
            if (W->fixed[l])
                W->q[(size_t)a * k + l] = 0.0;
    for (int a = 0; a < nb; a++) {
        const double *na = W->q + (size_t)a * k;
        W->nv[a] = s * dot(na, ni, k) - 1e-7;
        for (int b = 0; b <= a; b++)
            W->M[a * PV_PROBE_STEPS + b] = W->M[b * PV_PROBE_STEPS + a] =
                dot(na, W->q + (size_t)b * k, k);
    }
    for (int a = 0; a < nb; a++)
        W->mu[a] = 0.0;
    for (int sweep = 0; sweep < 200; sweep++) {
        double change = 0.0;
        for (int a = 0; a < nb; a++) {
            if (!(W->M[a * PV_PROBE_STEPS + a] > 1e-18))
                continue;    /* a normal on fixed coordinates only */
            double w = W->nv[a];
            for (int b = 0; b < nb; b++)
                w += W->M[a * PV_PROBE_STEPS + b] * W->mu[b];
            double m = W->mu[a] - w / W->M[a * PV_PROBE_STEPS + a];
            m = m > 0.0 ? m : 0.0;
            change += fabs(m - W->mu[a]);
            W->mu[a] = m;
        }
        if (change < 1e-13)
            break;
    }
    for (int l = 0; l < k; l++)
        W->d[l] = W->fixed[l] ? 0.0 : s * ni[l];
    for (int a = 0; a < nb; a++)
        if (W->mu[a] > 0.0)
            for (int l = 0; l < k; l++)
                W->d[l] += W->mu[a] * W->q[(size_t)a * k + l];
    for (int l = 0; l < k; l++)             /* back from the scaled frame */
        W->d[l] *= W->s[l];
}

/* The unit normal of row j in the scaled frame: s (.) g_j / |s (.) g_j|. */
static int scaled_normal(const pv_probe_ws *W, int j, double *v)
{
    const pv_drows *F = W->F;
    int k = F->k;
    double nn = 0.0;
    for (int l = 0; l < k; l++) {
        v[l] = W->s[l] * F->g[(size_t)j * k + l];
        nn += v[l] * v[l];
    }
    nn = sqrt(nn);
    if (!(nn > 0.0))
        return 0;
    for (int l = 0; l < k; l++)
        v[l] /= nn;
    return 1;
}

int pv_probe_facet(pv_probe_ws *W, int i, mpq_t **point)
{
    const pv_drows *F = W->F;
    int k = F->k, nb = 0;
    if (!(F->norm[i] > 0.0) || pv_flp_disabled())
        return 0;
    memset(W->fixed, 0, (size_t)k);
    if (!scaled_normal(W, i, W->ni))
        return 0;
    for (int step = 0; step <= PV_PROBE_STEPS; step++) {
        project_cone(W, nb);
        double lower = row_dot(F, i, W->d) / F->norm[i];
        if (!(lower < -1e-9))
            return 0;        /* row i cannot fall with the blockers kept */
        int b = first_met(F, W->d);
        if (b == i)
            return prove(W, i, point);
        if (b < 0 || step == PV_PROBE_STEPS || !(F->norm[b] > 0.0))
            return 0;
        for (int a = 0; a < nb; a++)
            if (W->blocker[a] == b)
                return 0;    /* met again: the projection did not converge */
        if (F->unit[b] >= 0) {
            W->fixed[F->unit[b]] = 1;
            continue;
        }
        W->blocker[nb] = b;
        if (!scaled_normal(W, b, W->q + (size_t)nb * k))
            return 0;
        nb++;
    }
    return 0;
}
