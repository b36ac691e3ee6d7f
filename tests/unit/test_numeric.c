/* Unit tests of the float -> exact boundary (issue 12, class 2): a float
 * that is not finite is refused with a status instead of reaching GMP
 * (mpz_set_d raises SIGFPE on Inf/NaN), and rows of any size are scaled
 * into double range before a float search. Expected values are derived by
 * hand in the comments. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "polyverify/system.h"
#include "../../src/exact/linalg.h"
#include "../../src/exact/reduce.h"

#include "check.h"

/* pv_mpq_set_double: exact on finite doubles, -1 (and q = 0) otherwise. */
static void test_set_double(void)
{
    mpq_t q, w;
    mpq_inits(q, w, NULL);
    CHECK_MSG(pv_mpq_set_double(q, -0.375) == 0 && mpq_cmp_si(q, -3, 8) == 0,
              "-0.375 is -3/8");
    /* DBL_MAX = (2^53 - 1) 2^971 */
    mpz_t n;
    mpz_init_set_ui(n, 1);
    mpz_mul_2exp(n, n, 53);
    mpz_sub_ui(n, n, 1);
    mpq_set_z(w, n);
    mpq_mul_2exp(w, w, 971);
    mpz_clear(n);
    CHECK_MSG(pv_mpq_set_double(q, DBL_MAX) == 0 && mpq_equal(q, w), "DBL_MAX exactly");
    /* the smallest subnormal 2^-1074 */
    mpq_set_ui(w, 1, 1);
    mpq_div_2exp(w, w, 1074);
    CHECK_MSG(pv_mpq_set_double(q, ldexp(1.0, -1074)) == 0 && mpq_equal(q, w), "2^-1074");
    double bad[] = { INFINITY, -INFINITY, NAN, DBL_MAX * 2.0 };
    for (int i = 0; i < 4; i++) {
        mpq_set_ui(q, 7, 1);
        CHECK_MSG(pv_mpq_set_double(q, bad[i]) == -1 && mpq_sgn(q) == 0,
                  "non-finite %d refused, q = 0", i);
    }
    mpq_clears(q, w, NULL);
}

/* x0 + x1 = 0 has one free variable (x1) taken from the guess: a NaN or
 * Inf guess is refused with -2; a finite one gives x = (-g, g). */
static void test_solve_guided(void)
{
    pv_zmat A;
    pv_zmat_init(&A, 1, 2);
    mpz_set_si(PV_Z(&A, 0, 0), 1);
    mpz_set_si(PV_Z(&A, 0, 1), 1);
    mpq_t *x = pv_qvec_new(2);
    double g[2] = { 0.0, 0.5 };
    CHECK_MSG(pv_zmat_solve_guided(&A, NULL, g, x) == 0 && mpq_cmp_si(x[0], -1, 2) == 0 &&
              mpq_cmp_si(x[1], 1, 2) == 0, "finite guess 1/2 gives (-1/2, 1/2)");
    g[1] = NAN;
    CHECK_MSG(pv_zmat_solve_guided(&A, NULL, g, x) == -2, "NaN guess refused");
    g[1] = -INFINITY;
    CHECK_MSG(pv_zmat_solve_guided(&A, NULL, g, x) == -2, "-Inf guess refused");
    pv_qvec_free(x, 2);
    pv_zmat_clear(&A);
}

/* Rounding a float candidate: a coordinate that is Inf/NaN, or that the
 * scale 2^s carries beyond DBL_MAX, is a failed search (-1), never a
 * crash; a finite one is rounded to Z / 2^s. */
static void test_dyadic_round(void)
{
    mpz_t *Z = pv_zvec_new(2), d;
    mpz_init(d);
    double ok[2] = { 0.75, -2.0 };
    CHECK_MSG(pv_dyadic_round_at(Z, d, ok, 2, 2) == 0 && mpz_cmp_si(Z[0], 3) == 0 &&
              mpz_cmp_si(Z[1], -8) == 0 && mpz_cmp_ui(d, 4) == 0, "(3/4, -2) at 2^-2");
    double inf[2] = { INFINITY, 1.0 }, nan[2] = { 1.0, NAN }, big[2] = { 1e308, 0.0 };
    CHECK_MSG(pv_dyadic_round_at(Z, d, inf, 2, 0) == -1, "Inf refused");
    CHECK_MSG(pv_dyadic_round(Z, d, nan, 2, 40) == -1, "NaN refused");
    CHECK_MSG(pv_dyadic_round_at(Z, d, big, 2, 32) == -1, "1e308 * 2^32 overflows: refused");
    CHECK_MSG(pv_dyadic_round(Z, d, big, 2, 40) == 0 && mpz_sgn(Z[0]) > 0,
              "pv_dyadic_round picks a scale that keeps 1e308 finite");
    mpz_clear(d);
    pv_zvec_free(Z, 2);
}

/* Rows (10^400, 1 | 0), (1, -1 | 0), (1, 1 | -10^400) in R^2: the float
 * copy is finite, row 0 reads ~(1, 0) (its second entry underflows, which
 * is fine: floats only search), row 1 is (1, -1)/sqrt 2 exactly up to
 * rounding, and the norms' ratio norm0/norm1 = 10^400/sqrt 2 leaves the
 * double range: Inf (a guess built from it is refused), never NaN. */
static void test_rows_to_double(void)
{
    pv_system S;
    pv_system_init(&S, 2, 3);
    mpz_ui_pow_ui(PV_G(&S, 0, 0), 10, 400);
    mpz_set_si(PV_G(&S, 0, 1), 1);
    mpz_set_si(PV_G(&S, 1, 0), 1);
    mpz_set_si(PV_G(&S, 1, 1), -1);
    mpz_set_si(PV_G(&S, 2, 0), 1);
    mpz_set_si(PV_G(&S, 2, 1), 1);
    mpz_ui_pow_ui(S.h[2], 10, 400);
    mpz_neg(S.h[2], S.h[2]);
    int rows[3] = { 0, 1, 2 };
    pv_rrows R;
    pv_rrows_build(&R, &S, rows, 3, NULL, NULL, 2);
    double G[6], h[3], norm[3];
    pv_rrows_to_double(&R, G, h, norm);
    int finite = 1;
    for (int i = 0; i < 6; i++)
        finite &= isfinite(G[i]);
    for (int i = 0; i < 3; i++)
        finite &= isfinite(h[i]) && isfinite(norm[i]) && norm[i] >= 0.0;
    CHECK_MSG(finite, "float rows, constants and norms are finite");
    CHECK_MSG(fabs(G[0] - 1.0) < 1e-15 && G[1] == 0.0, "row 0 ~ (1, 0)");
    CHECK_MSG(fabs(G[2] - sqrt(0.5)) < 1e-15 && fabs(G[3] + sqrt(0.5)) < 1e-15,
              "row 1 = (1, -1)/sqrt 2");
    CHECK_MSG(h[2] < -1e299, "row 2's constant -10^400 is clamped to a huge finite negative");
    double ratio = norm[0] / norm[1];
    CHECK_MSG(isinf(ratio) || ratio > 1e300, "norm ratio 10^400/sqrt 2 is Inf or huge, not NaN");
    pv_rrows_clear(&R);
    pv_system_clear(&S);
}

int main(void)
{
    test_set_double();
    test_solve_guided();
    test_dyadic_round();
    test_rows_to_double();
    return check_summary();
}
