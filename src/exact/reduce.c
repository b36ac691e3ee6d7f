/* polyverify — rows in an affine frame (see reduce.h). */
#include "core/alloc.h"
#include "exact/reduce.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "exact/linalg.h"

/* The translated frame x = p0 + z (U the identity), in integers: with
 * p0 = P / delta (delta the lcm of its denominators), row g.x + h becomes
 * g.z + c / delta, c = g.P + h delta, i.e. the integer row (delta g, c)
 * divided by its content gcd(delta * content(g), c). One integer dot
 * product a row instead of m rational products and sums (whose
 * denominators grow term by term). */
static void build_translated(pv_rrows *R, const pv_system *S, const int *rows,
                             int n, mpq_t *const p0)
{
    int m = S->dim;
    mpz_t delta, c, gg, d;
    mpz_inits(delta, c, gg, d, NULL);
    mpz_t *P = pv_zvec_new(m);
    pv_qvec_common(P, delta, p0, m);
    for (int r = 0; r < n; r++) {
        int i = rows[r];
        R->orig[r] = i;
        mpz_mul(c, S->h[i], delta);
        mpz_set_ui(gg, 0);
        for (int l = 0; l < m; l++) {
            const mpz_t *g = &PV_G(S, i, l);
            if (mpz_sgn(*g) == 0)
                continue;
            if (mpz_sgn(P[l]))
                mpz_addmul(c, *g, P[l]);
            if (mpz_cmp_ui(gg, 1) != 0)
                mpz_gcd(gg, gg, *g);
        }
        mpz_mul(d, gg, delta);
        mpz_gcd(d, d, c);        /* > 0 unless the row and c are both 0 */
        if (mpz_sgn(d) == 0)
            mpz_set_ui(d, 1);
        mpz_init(R->h[r]);
        mpz_divexact(R->h[r], c, d);
        for (int l = 0; l < m; l++) {
            mpz_init(R->g[(size_t)r * m + l]);
            if (mpz_sgn(PV_G(S, i, l)) == 0)
                continue;
            mpz_mul(R->g[(size_t)r * m + l], PV_G(S, i, l), delta);
            mpz_divexact(R->g[(size_t)r * m + l], R->g[(size_t)r * m + l], d);
        }
    }
    pv_zvec_free(P, (size_t)m);
    mpz_clears(delta, c, gg, d, NULL);
}

void pv_rrows_build(pv_rrows *R, const pv_system *S, const int *rows, int n,
                    mpq_t *const p0, mpz_t *const U, int k)
{
    int m = S->dim, all = !U && !p0 && n == S->nrows;
    R->k = k, R->n = n;
    R->orig = pv_malloc((size_t)(n ? n : 1) * sizeof(int));
    for (int r = 0; all && r < n; r++)
        all = rows[r] == r;
    R->borrowed = all;
    if (all) {
        memcpy(R->orig, rows, (size_t)n * sizeof(int));
        R->g = S->g;
        R->h = S->h;
        return;
    }
    R->g = pv_malloc(((size_t)n * k + 1) * sizeof(mpz_t));
    R->h = pv_malloc((size_t)(n ? n : 1) * sizeof(mpz_t));
    if (!U && p0) {
        build_translated(R, S, rows, n, p0);
        return;
    }
    mpq_t c, t;
    mpq_init(c);
    mpq_init(t);
    mpz_t *row = pv_malloc((size_t)(k + 1) * sizeof(mpz_t));
    for (int j = 0; j <= k; j++)
        mpz_init(row[j]);
    for (int r = 0; r < n; r++) {
        int i = rows[r];
        R->orig[r] = i;
        for (int j = 0; j < k; j++) {
            if (!U) {
                mpz_set(row[j], PV_G(S, i, j));
                continue;
            }
            mpz_set_ui(row[j], 0);
            for (int l = 0; l < m; l++)
                mpz_addmul(row[j], PV_G(S, i, l), U[(size_t)l * k + j]);
        }
        /* constant g.p0 + h = num/den: scale the row by den > 0 */
        mpq_set_z(c, S->h[i]);
        if (p0)
            for (int l = 0; l < m; l++) {
                if (mpz_sgn(PV_G(S, i, l)) == 0 || mpq_sgn(p0[l]) == 0)
                    continue;
                mpq_set_z(t, PV_G(S, i, l));
                mpq_mul(t, t, p0[l]);
                mpq_add(c, c, t);
            }
        for (int j = 0; j < k; j++)
            mpz_mul(row[j], row[j], mpq_denref(c));
        mpz_set(row[k], mpq_numref(c));
        if (U != NULL || p0 != NULL)  /* S's rows are primitive already */
            pv_zvec_primitive(row, k + 1);
        for (int j = 0; j < k; j++)
            mpz_init_set(R->g[(size_t)r * k + j], row[j]);
        mpz_init_set(R->h[r], row[k]);
    }
    for (int j = 0; j <= k; j++)
        mpz_clear(row[j]);
    pv_free(row);
    mpq_clear(c);
    mpq_clear(t);
}

void pv_rrows_clear(pv_rrows *R)
{
    for (size_t i = 0; !R->borrowed && i < (size_t)R->n * R->k; i++)
        mpz_clear(R->g[i]);
    for (int i = 0; !R->borrowed && i < R->n; i++)
        mpz_clear(R->h[i]);
    if (!R->borrowed) {
        pv_free(R->g);
        pv_free(R->h);
    }
    pv_free(R->orig);
    R->g = R->h = NULL;
    R->orig = NULL;
    R->n = 0;
}

int pv_rrows_zero(const pv_rrows *R, int i)
{
    for (int j = 0; j < R->k; j++)
        if (mpz_sgn(R->g[(size_t)i * R->k + j]) != 0)
            return 0;
    return 1;
}

int pv_rrows_unit_column(const pv_rrows *R, int i)
{
    int c = -1;
    for (int l = 0; l < R->k; l++)
        if (mpz_sgn(R->g[(size_t)i * R->k + l])) {
            if (c >= 0)
                return -1;
            c = l;
        }
    return c;
}

/* Bits of row i's largest linear entry. */
static long row_bits(const pv_rrows *R, int i)
{
    long e = 0;
    for (int j = 0; j < R->k; j++) {
        long b = (long)mpz_sizeinbase(R->g[(size_t)i * R->k + j], 2);
        if (b > e)
            e = b;
    }
    return e;
}

void pv_rrows_to_double(const pv_rrows *R, double *G, double *h, double *norm)
{
    int k = R->k;
    long emax = 0;
    for (int i = 0; i < R->n; i++) {
        norm[i] = (double)row_bits(R, i);      /* e_i, until set below */
        if (norm[i] > (double)emax)
            emax = (long)norm[i];
    }
    for (int i = 0; i < R->n; i++) {
        /* Scale by 2^-e (e = bits of the largest entry) to stay in range:
         * a positive scale keeps the half-space, and entries far below the
         * largest may underflow to 0 — floats only search (DESIGN §2). */
        long e = (long)norm[i];
        double s = 0.0, sc = ldexp(1.0, (int)-e);
        for (int j = 0; j < k; j++) {
            const mpz_t *z = &R->g[(size_t)i * k + j];
            /* entries of up to 53 bits are doubles, 2^-e scales exactly */
            double v = e <= 53 ? mpz_get_d(*z) * sc
                               : pv_mpz_get_d_scaled(*z, e);
            G[(size_t)i * k + j] = v;
            s += v * v;
        }
        s = sqrt(s);
        double hv = pv_mpz_get_d_scaled(R->h[i], e);
        if (!isfinite(hv))
            hv = mpz_sgn(R->h[i]) > 0 ? 1e300 : -1e300;
        if (s == 0.0)
            s = 1.0;
        for (int j = 0; j < k; j++)
            G[(size_t)i * k + j] /= s;
        h[i] = hv / s;
        /* The float row is g'/(s 2^e); callers only use ratios of norms,
         * so the common factor 2^emax is left out: an integer row of more
         * than 1024 bits must not make its norm Inf (a ratio that leaves
         * the double range is then Inf or 0 and its guess is refused). */
        norm[i] = ldexp(s, (int)(e - emax));
    }
}

void pv_frame_apply(mpq_t *x, int m, int k, mpq_t *const p0, mpz_t *const U,
                    mpq_t *const z)
{
    if (!U) {                          /* the identity: x = p0 + z */
        for (int l = 0; l < m; l++) {
            if (p0 && l < k)
                mpq_add(x[l], p0[l], z[l]);
            else if (p0)
                mpq_set(x[l], p0[l]);
            else if (l < k)
                mpq_set(x[l], z[l]);
            else
                mpq_set_ui(x[l], 0, 1);
        }
        return;
    }
    mpq_t t;
    mpq_init(t);
    for (int l = 0; l < m; l++) {
        if (p0)
            mpq_set(x[l], p0[l]);
        else
            mpq_set_ui(x[l], 0, 1);
        for (int j = 0; j < k; j++) {
            const mpz_t *u = &U[(size_t)l * k + j];
            if (mpz_sgn(*u) == 0)
                continue;
            mpq_set_z(t, *u);
            mpq_mul(t, t, z[j]);
            mpq_add(x[l], x[l], t);
        }
    }
    mpq_clear(t);
}

int pv_dyadic_round_at(mpz_t *Z, mpz_t delta, const double *zd, int k, int s)
{
    int rc = 0;
    for (int j = 0; j < k; j++) {
        /* never hand GMP an Inf/NaN (SIGFPE): such a coordinate is 0 and
         * the candidate is reported as a failed search */
        double v = isfinite(zd[j]) ? nearbyint(ldexp(zd[j], s)) : NAN;
        if (!isfinite(v))
            rc = -1, v = 0.0;
        mpz_set_d(Z[j], v);
    }
    mpz_set_ui(delta, 1);
    mpz_mul_2exp(delta, delta, (mp_bitcnt_t)s);
    return rc;
}

int pv_dyadic_round(mpz_t *Z, mpz_t delta, const double *zd, int k, int bits)
{
    double mx = 0.0;
    for (int j = 0; j < k; j++)
        if (isfinite(zd[j]) && fabs(zd[j]) > mx)
            mx = fabs(zd[j]);
    int e = 0;
    if (mx > 0.0)
        frexp(mx, &e);                   /* mx < 2^e */
    int s = bits - e;                    /* max |Z| < 2^bits */
    return pv_dyadic_round_at(Z, delta, zd, k, s > 0 ? s : 0);
}

void pv_rrows_eval(const pv_rrows *R, mpz_t *const Z, const mpz_t delta,
                   mpz_t *out)
{
    int k = R->k;
    for (int i = 0; i < R->n; i++) {
        const mpz_t *g = &R->g[(size_t)i * k];
        mpz_mul(out[i], R->h[i], delta);
        for (int j = 0; j < k; j++)
            if (mpz_sgn(g[j]) && mpz_sgn(Z[j]))
                mpz_addmul(out[i], g[j], Z[j]);
    }
}
