/* polyverify — exact parsing and printing of rational numbers.
 *
 * Every number is read straight from its digits into GMP integers; nothing
 * ever goes through a double, so "0.1" is exactly 1/10 (DESIGN §2). */
#include "core/alloc.h"
#include "polyverify/rational.h"

#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static const char WHY_SYNTAX[] = "expected integer, decimal or p/q";
static const char WHY_EMPTY[] = "empty text: expected integer, decimal or p/q";
static const char WHY_NONFINITE[] =
    "nan and inf are not numbers: expected integer, decimal or p/q";
static const char WHY_DENOMINATOR[] =
    "the denominator of p/q must be a positive integer";
static const char WHY_EXPONENT[] =
    "exponent beyond +-" STR(PV_MAX_EXPONENT);
static const char WHY_DIGITS[] = "more than " STR(PV_MAX_DIGITS) " digits";
static const char WHY_NOMEM[] = "out of memory";

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* End of the run of decimal digits starting at s[i]. */
static size_t digits_end(const char *s, size_t len, size_t i)
{
    while (i < len && is_digit(s[i]))
        i++;
    return i;
}

/* Case-insensitive comparison of s[0..len) with a lower-case word. */
static int equals_word(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

/* out = the integer written by the digits a[0..na) followed by b[0..nb).
 * Short numbers (the common case: CSV pixels, small weights) avoid any
 * allocation; long ones go through mpz_set_str, which is subquadratic. */
static pv_status digits_to_mpz(mpz_t out, const char *a, size_t na,
                               const char *b, size_t nb)
{
    if (na + nb <= 9) {
        unsigned long v = 0;
        for (size_t i = 0; i < na; i++)
            v = v * 10 + (unsigned long)(a[i] - '0');
        for (size_t i = 0; i < nb; i++)
            v = v * 10 + (unsigned long)(b[i] - '0');
        mpz_set_ui(out, v);
        return PV_OK;
    }
    char *buf = pv_malloc(na + nb + 1);
    if (buf == NULL)
        return PV_ERR_NOMEM;
    memcpy(buf, a, na);
    memcpy(buf + na, b, nb);
    buf[na + nb] = '\0';
    int rc = mpz_set_str(out, buf, 10);
    pv_free(buf);
    return rc == 0 ? PV_OK : PV_ERR_PARSE;
}

/* Reads the exponent digits s[i..end); fails when |exponent| would exceed
 * PV_MAX_EXPONENT (leading zeros are harmless). */
static int parse_exponent(const char *s, size_t i, size_t end, long *value)
{
    long v = 0;
    for (; i < end; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > PV_MAX_EXPONENT)
            return 0;
    }
    *value = v;
    return 1;
}

/* p/q with an optionally signed integer p and a positive integer q. */
static pv_status parse_fraction(mpq_t out, const char *s, size_t len,
                                size_t slash, const char **why)
{
    size_t i = 0;
    int neg = 0;
    if (s[i] == '+' || s[i] == '-')
        neg = s[i++] == '-';
    size_t num_end = digits_end(s, slash, i);
    size_t den_end = digits_end(s, len, slash + 1);
    if (num_end != slash || num_end == i || den_end != len ||
        den_end == slash + 1) {
        *why = WHY_SYNTAX;
        return PV_ERR_PARSE;
    }
    if ((num_end - i) + (den_end - slash - 1) > PV_MAX_DIGITS) {
        *why = WHY_DIGITS;
        return PV_ERR_PARSE;
    }
    mpz_t num, den;
    mpz_inits(num, den, NULL);
    pv_status st = digits_to_mpz(num, s + i, num_end - i, "", 0);
    if (st == PV_OK)
        st = digits_to_mpz(den, s + slash + 1, den_end - slash - 1, "", 0);
    if (st == PV_OK && mpz_sgn(den) == 0) {
        *why = WHY_DENOMINATOR;
        st = PV_ERR_PARSE;
    } else if (st != PV_OK) {
        *why = st == PV_ERR_NOMEM ? WHY_NOMEM : WHY_SYNTAX;
    }
    if (st == PV_OK) {
        if (neg)
            mpz_neg(num, num);
        mpq_set_num(out, num);
        mpq_set_den(out, den);
        mpq_canonicalize(out);
    }
    mpz_clears(num, den, NULL);
    return st;
}

/* [sign] digits [. digits] [(e|E) [sign] digits], at least one mantissa
 * digit; the value is mantissa * 10^(exponent - fraction digits). */
static pv_status parse_decimal(mpq_t out, const char *s, size_t len,
                               const char **why)
{
    size_t i = 0;
    int neg = 0;
    if (s[i] == '+' || s[i] == '-')
        neg = s[i++] == '-';
    size_t int_start = i, int_end = digits_end(s, len, i);
    size_t frac_start = int_end, frac_end = int_end;
    if (int_end < len && s[int_end] == '.') {
        frac_start = int_end + 1;
        frac_end = digits_end(s, len, frac_start);
    }
    size_t nint = int_end - int_start, nfrac = frac_end - frac_start;
    if (nint + nfrac == 0) {
        *why = WHY_SYNTAX;
        return PV_ERR_PARSE;
    }
    long exponent = 0;
    i = frac_end;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        size_t e_end = digits_end(s, len, i);
        if (e_end == i || e_end != len) {
            *why = WHY_SYNTAX;
            return PV_ERR_PARSE;
        }
        if (!parse_exponent(s, i, e_end, &exponent)) {
            *why = WHY_EXPONENT;
            return PV_ERR_PARSE;
        }
        if (eneg)
            exponent = -exponent;
        i = e_end;
    }
    if (i != len) {
        *why = WHY_SYNTAX;
        return PV_ERR_PARSE;
    }
    if (nint + nfrac > PV_MAX_DIGITS) {
        *why = WHY_DIGITS;
        return PV_ERR_PARSE;
    }
    mpz_t num, den;
    mpz_inits(num, den, NULL);
    pv_status st = digits_to_mpz(num, s + int_start, nint, s + frac_start,
                                 nfrac);
    if (st != PV_OK) {
        *why = st == PV_ERR_NOMEM ? WHY_NOMEM : WHY_SYNTAX;
    } else {
        /* |scale| <= PV_MAX_EXPONENT + PV_MAX_DIGITS: bounded work. */
        long scale = exponent - (long)nfrac;
        mpz_set_ui(den, 1);
        if (mpz_sgn(num) != 0) {
            if (scale > 0) {
                mpz_ui_pow_ui(den, 10, (unsigned long)scale);
                mpz_mul(num, num, den);
                mpz_set_ui(den, 1);
            } else if (scale < 0) {
                mpz_ui_pow_ui(den, 10, (unsigned long)-scale);
            }
        }
        if (neg)
            mpz_neg(num, num);
        mpq_set_num(out, num);
        mpq_set_den(out, den);
        mpq_canonicalize(out);
    }
    mpz_clears(num, den, NULL);
    return st;
}

static pv_status rational_parse(mpq_t out, const char *s, size_t len,
                                const char **why)
{
    const char *dummy;
    if (why == NULL)
        why = &dummy;
    if (s == NULL || len == 0) {
        *why = WHY_EMPTY;
        return PV_ERR_PARSE;
    }
    /* Name the usual float spellings so the message says why they fail. */
    size_t body = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (equals_word(s + body, len - body, "nan") ||
        equals_word(s + body, len - body, "inf") ||
        equals_word(s + body, len - body, "infinity")) {
        *why = WHY_NONFINITE;
        return PV_ERR_PARSE;
    }
    const char *slash = memchr(s, '/', len);
    if (slash != NULL)
        return parse_fraction(out, s, len, (size_t)(slash - s), why);
    return parse_decimal(out, s, len, why);
}

pv_status pv_rational_parse(mpq_t out, const char *s, size_t len,
                            const char **why)
{
    PV_GUARD_ADOPT(NULL, rational_parse(out, s, len, why),
                   pv_scope_adopt_mpq(out),
                   (pv_scope_reset_mpq(out), why ? (void)(*why = WHY_NOMEM) : (void)0));
}

static char *rational_str(const mpq_t q)
{
    /* Size the buffer ourselves (mpq_get_str's own buffer would come from
     * GMP's allocator, which need not be pv_free()-compatible). */
    size_t size = mpz_sizeinbase(mpq_numref(q), 10) +
                  mpz_sizeinbase(mpq_denref(q), 10) + 3;
    char *buf = pv_malloc(size);
    if (buf == NULL)
        return NULL;
    mpq_get_str(buf, 10, q);
    return buf;
}

char *pv_rational_str(const mpq_t q)
{
    PV_GUARD_NULL(char *, rational_str(q));
}

int pv_rational_fits_double(const mpq_t q)
{
    return (long)mpz_sizeinbase(mpq_numref(q), 2) -
           (long)mpz_sizeinbase(mpq_denref(q), 2) < 1000;
}

/* IEEE floats as the exact dyadic rationals they encode (rational.h). */

/* out = (-1)^neg * mant * 2^exp2, exactly. */
static void set_dyadic(mpq_t out, int neg, uint64_t mant, long exp2)
{
    mpz_import(mpq_numref(out), 1, 1, sizeof mant, 0, 0, &mant);
    mpz_set_ui(mpq_denref(out), 1);
    if (exp2 >= 0)
        mpq_mul_2exp(out, out, (mp_bitcnt_t)exp2);
    else
        mpq_div_2exp(out, out, (mp_bitcnt_t)-exp2);
    if (neg)
        mpq_neg(out, out);
}

/* Decoded from the bits, not through the FPU, so the value is the one the
 * file encodes on any host (subnormals included). */
static pv_status from_float32_bits(mpq_t out, uint32_t bits)
{
    uint32_t e = (bits >> 23) & 0xffu, f = bits & 0x7fffffu;
    if (e == 0xffu)
        return PV_ERR_ARG;
    set_dyadic(out, (int)(bits >> 31), e ? (f | 0x800000u) : f,
               (long)(e ? e : 1) - 150);
    return PV_OK;
}

static pv_status from_float64_bits(mpq_t out, uint64_t bits)
{
    uint64_t e = (bits >> 52) & 0x7ffu, f = bits & ((1ull << 52) - 1);
    if (e == 0x7ffu)
        return PV_ERR_ARG;
    set_dyadic(out, (int)(bits >> 63), e ? (f | (1ull << 52)) : f,
               (long)(e ? e : 1) - 1075);
    return PV_OK;
}

pv_status pv_rational_from_float32_bits(mpq_t out, uint32_t bits)
{
    PV_GUARD_ADOPT(NULL, from_float32_bits(out, bits), pv_scope_adopt_mpq(out),
                   pv_scope_reset_mpq(out));
}

pv_status pv_rational_from_float64_bits(mpq_t out, uint64_t bits)
{
    PV_GUARD_ADOPT(NULL, from_float64_bits(out, bits), pv_scope_adopt_mpq(out),
                   pv_scope_reset_mpq(out));
}
