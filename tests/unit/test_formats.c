/* Unit tests of the .nnet and ONNX readers' exact parts: float bits to
 * rationals, the .nnet quirks and normalisation, failures that leave the
 * caller's network untouched. */
#include "polyverify/network.h"
#include "polyverify/rational.h"
#include "polyverify/network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "../../src/net/network_internal.h"

/* Is q the rational written as text s ("p" or "p/q")? */
static int is_q(const mpq_t q, const char *s)
{
    mpq_t v;
    mpq_init(v);
    int ok = mpq_set_str(v, s, 10) == 0;
    mpq_canonicalize(v);
    ok = ok && mpq_equal(v, q);
    mpq_clear(v);
    return ok;
}

static void test_float_bits(void)
{
    mpq_t q;
    mpq_init(q);
    CHECK(pv_rational_from_float32_bits(q, 0x3dcccccdu) == PV_OK &&
          is_q(q, "13421773/134217728"));                     /* 0.1f      */
    CHECK(pv_rational_from_float32_bits(q, 0x00000001u) == PV_OK);
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(t, 1, 1);
    mpq_div_2exp(t, t, 149);
    CHECK(mpq_equal(q, t));                                   /* 2^-149    */
    CHECK(pv_rational_from_float32_bits(q, 0x7f7fffffu) == PV_OK &&
          is_q(q, "340282346638528859811704183484516925440")); /* FLT_MAX  */
    CHECK(pv_rational_from_float32_bits(q, 0xbf400000u) == PV_OK &&
          is_q(q, "-3/4"));
    CHECK(pv_rational_from_float32_bits(q, 0x80000000u) == PV_OK &&
          mpq_sgn(q) == 0);                                   /* -0        */
    mpq_set_ui(q, 7, 1);
    CHECK(pv_rational_from_float32_bits(q, 0x7fc00000u) == PV_ERR_ARG &&
          is_q(q, "7"));                                      /* NaN       */
    CHECK(pv_rational_from_float32_bits(q, 0xff800000u) == PV_ERR_ARG);
    CHECK(pv_rational_from_float64_bits(q, 0x3fb999999999999aull) == PV_OK &&
          is_q(q, "3602879701896397/36028797018963968"));     /* 0.1       */
    CHECK(pv_rational_from_float64_bits(q, 1ull) == PV_OK);
    mpq_set_ui(t, 1, 1);
    mpq_div_2exp(t, t, 1074);
    CHECK(mpq_equal(q, t));                                   /* 2^-1074   */
    CHECK(pv_rational_from_float64_bits(q, 0x7ff0000000000000ull) ==
          PV_ERR_ARG);
    mpq_clears(q, t, NULL);
}

/* No comment line, flag `0` without comma, some lines without trailing
 * commas, repr-style doubles and an exponent; normalisation on input 1
 * (mean 1.5, range 0.5) and on the output (mean 10, range 2). */
static const char NNET[] =
    "1,2,1,2\n"
    "2,1,\n"
    "0\n"
    "-1.0,0.1\n"
    "2.0e+00,0.30000000000000004,\n"
    "1.5,0,10\n"
    "0.5,1,2,\n"
    "3,-0.25\n"
    "1e-1,\n";

static void test_nnet(void)
{
    pv_net net;
    pv_error err = {0};
    pv__net_init(&net);
    pv_status st = pv_net_parse_nnet(&net, NNET, sizeof NNET - 1, "t.nnet",
                                     &err);
    CHECK_ERR(st == PV_OK, err);
    if (st != PV_OK)
        return;
    CHECK(!strcmp(net.format, "nnet") && net.input_dim == 2 &&
          net.nlayers == 1 && net.neurons == 0 &&
          net.layers[0].act == PV_LINEAR);
    /* y = 2 (3 (x1 - 1.5)/0.5 - 0.25 x2 + 1/10) + 10
     *   = 12 x1 - 1/2 x2 - 18 + 1/5 + 10 */
    CHECK(is_q(net.layers[0].w[0], "12") && is_q(net.layers[0].w[1], "-1/2"));
    CHECK(is_q(net.layers[0].b[0], "-39/5"));
    CHECK(net.has_box && is_q(net.box_lo[0], "-1") &&
          is_q(net.box_lo[1], "1/10") && is_q(net.box_hi[0], "2") &&
          is_q(net.box_hi[1], "30000000000000004/100000000000000000"));

    /* A failure names file and line and keeps the old network. */
    static const char BAD[] = "1,2,1,2\n2,1,\n0\n-1,0\n2,1\n1.5,0,10\n"
                              "0.5,1,2\n3\n0.1\n";
    st = pv_net_parse_nnet(&net, BAD, sizeof BAD - 1, "bad.nnet", &err);
    CHECK_ERR(st == PV_ERR_PARSE && strstr(err.msg, "bad.nnet:8:") != NULL,
              err);
    CHECK(net.nlayers == 1 && is_q(net.layers[0].w[0], "12"));
    pv__net_clear(&net);
}

static void test_onnx_bad(void)
{
    pv_net net;
    pv_error err = {0};
    pv__net_init(&net);
    static const char junk[] = "\x08\x07\x12\xff";   /* truncated string */
    CHECK(pv_net_is_onnx(junk, sizeof junk - 1));
    pv_status st = pv_net_parse_onnx(&net, junk, sizeof junk - 1, "j.onnx",
                                     &err);
    CHECK_ERR(st == PV_ERR_PARSE && strstr(err.msg, "j.onnx") != NULL, err);
    st = pv_net_parse_onnx(&net, "\x08\x07", 2, "nograph.onnx", &err);
    CHECK_ERR(st == PV_ERR_PARSE && strstr(err.msg, "no graph") != NULL, err);
    CHECK(net.nlayers == 0);
    CHECK(!pv_net_is_nnet("pvnet 1\n", 8) && pv_net_is_nnet("// x\n", 5) &&
          pv_net_is_nnet("2,5,1,10,\n", 10));
    pv__net_clear(&net);
}

int main(void)
{
    test_float_bits();
    test_nnet();
    test_onnx_bad();
    return check_summary();
}
