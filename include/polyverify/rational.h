/* polyverify — exact parsing and printing of rational numbers.
 *
 * Accepted syntax (whole string, no surrounding spaces):
 *   integer      -12, +7, 0
 *   decimal      3.25, -.5, 5., 1e-3, -2.5E+4   (a decimal is the exact
 *                rational it writes: "0.1" is 1/10, never a double)
 *   fraction     7/3, -4/6 (canonicalised), with integer numerator and
 *                positive integer denominator
 * Rejected: empty text, nan, inf, 1/0, exponents with |e| > PV_MAX_EXPONENT,
 * more than PV_MAX_DIGITS digits. */
#ifndef POLYVERIFY_RATIONAL_H
#define POLYVERIFY_RATIONAL_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PV_MAX_EXPONENT 100000
#define PV_MAX_DIGITS   100000

/* Parses s[0..len) into out (initialised by the caller). On failure returns
 * PV_ERR_PARSE and, if why is not NULL, a static description of what was
 * expected. */
PV_API pv_status pv_rational_parse(mpq_t out, const char *s, size_t len,
                                   const char **why);

/* |q| < 2^1000 (checked by bit lengths, no division): mpq_get_d then
 * neither overflows nor leaves its documented range (it truncates towards
 * zero). The float filter's guard for weights and inputs. */
PV_API int pv_rational_fits_double(const mpq_t q);

/* "p" or "p/q" in lowest terms; malloc'd, the caller frees it. */
PV_API char *pv_rational_str(const mpq_t q);

/* out = the exact value of an IEEE 754 binary32 / binary64 bit pattern
 * (how ONNX weights are read). PV_ERR_ARG (out untouched) for NaN and
 * infinities. */
PV_API pv_status pv_rational_from_float32_bits(mpq_t out, uint32_t bits);
PV_API pv_status pv_rational_from_float64_bits(mpq_t out, uint64_t bits);

#ifdef __cplusplus
}
#endif
#endif
