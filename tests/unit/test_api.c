/* Unit tests of the public API's shape, through the public headers only
 * (no internal header): a network built in code through its opaque handle
 * and read back through the accessors, the setters undoing
 * pv_net_finalize, affine inputs and slices into a handle the caller made,
 * and the caller-initialises convention (an output that already holds
 * content is replaced, without leaks: the sanitizer build checks that),
 * certificate handles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <polyverify.h>

#include "check.h"

static int q_is(const mpq_t q, long num, unsigned long den)
{
    return mpq_cmp_si(q, num, den) == 0;
}

/* m = 2 -> relu 2 (x, y - 1/2) -> linear 1 (sum). */
static pv_net *small_net(pv_error *err)
{
    pv_net *net = pv_net_new();
    if (net == NULL)
        return NULL;
    mpq_t one, half;
    mpq_init(one);
    mpq_init(half);
    mpq_set_ui(one, 1, 1);
    mpq_set_si(half, -1, 2);
    int ok = pv_net_set_input_dim(net, 2, err) == PV_OK &&
             pv_net_add_layer(net, PV_RELU, 2, err) == PV_OK &&
             pv_net_add_layer(net, PV_LINEAR, 1, err) == PV_OK &&
             pv_net_set_weight(net, 0, 0, 0, one, err) == PV_OK &&
             pv_net_set_weight(net, 0, 1, 1, one, err) == PV_OK &&
             pv_net_set_bias(net, 0, 1, half, err) == PV_OK &&
             pv_net_set_weight(net, 1, 0, 0, one, err) == PV_OK &&
             pv_net_set_weight(net, 1, 0, 1, one, err) == PV_OK &&
             pv_net_finalize(net, err) == PV_OK;
    mpq_clear(one);
    mpq_clear(half);
    if (!ok) {
        pv_net_free(net);
        return NULL;
    }
    return net;
}

/* The code of (x, y) as a string without separators ("" on failure). */
static void code_at(const pv_net *net, long x, long y, char *out)
{
    int m = pv_net_input_dim(net);
    mpq_t p[2];
    mpq_init(p[0]);
    mpq_init(p[1]);
    mpq_set_si(p[0], x, 1);
    mpq_set_si(p[1], y, 1);
    pv_code c;
    pv_code_init(&c, 0);
    out[0] = '\0';
    if (m <= 2 && pv_code_at(net, p, &c, NULL, NULL) == PV_OK) {
        char *s = pv_code_str(&c, NULL);
        strcpy(out, s);
        free(s);
    }
    pv_code_clear(&c);
    mpq_clear(p[0]);
    mpq_clear(p[1]);
}

static void test_build_and_read(void)
{
    pv_error err = { PV_OK, "" };
    pv_net *e = pv_net_new();
    CHECK(e != NULL && pv_net_nlayers(e) == 0 && pv_net_input_dim(e) == 0 &&
          pv_net_neurons(e) == 0 && !strcmp(pv_net_format(e), ""));
    CHECK(pv_net_add_layer(e, PV_RELU, 2, &err) == PV_ERR_ARG);   /* no input yet */
    CHECK(pv_net_set_input_dim(e, 0, &err) == PV_ERR_ARG);
    pv_net_free(e);
    pv_net_free(NULL);

    pv_net *net = small_net(&err);
    CHECK_ERR(net != NULL, err);
    if (net == NULL)
        return;
    CHECK(pv_net_input_dim(net) == 2 && pv_net_nlayers(net) == 2 &&
          pv_net_neurons(net) == 2);
    CHECK(pv_net_layer_in(net, 0) == 2 && pv_net_layer_out(net, 0) == 2 &&
          pv_net_layer_in(net, 1) == 2 && pv_net_layer_out(net, 1) == 1);
    CHECK(pv_net_layer_activation(net, 0) == PV_RELU &&
          pv_net_layer_activation(net, 1) == PV_LINEAR);
    CHECK(pv_net_layer_first_neuron(net, 0) == 0 &&
          pv_net_layer_first_neuron(net, 1) == -1);
    CHECK(pv_net_layer_in(net, 2) == -1 && pv_net_layer_out(net, -1) == -1 &&
          pv_net_layer_weights(net, 2) == NULL && pv_net_layer_biases(net, -1) == NULL);
    const mpq_t *w = pv_net_layer_weights(net, 0), *b = pv_net_layer_biases(net, 0);
    CHECK(q_is(w[0], 1, 1) && q_is(w[1], 0, 1) && q_is(w[2], 0, 1) && q_is(w[3], 1, 1));
    CHECK(q_is(b[0], 0, 1) && q_is(b[1], -1, 2));
    int row = 0;
    CHECK(pv_net_layer_of_neuron(net, 1, &row) == 0 && row == 1);
    CHECK(pv_net_layer_of_neuron(net, 2, &row) == -1 && row == -1);
    CHECK(!pv_net_has_box(net) && pv_net_box_lo(net) == NULL && pv_net_box_hi(net) == NULL);
    CHECK(!strcmp(pv_net_format(net), "pvnet") && pv_net_dialect(net) == NULL);
    CHECK(pv_net_set_input_dim(net, 3, &err) == PV_ERR_ARG);   /* has layers */

    char s[16];
    code_at(net, 1, 1, s);
    CHECK_MSG(!strcmp(s, "11"), "code at (1, 1): %s", s);
    code_at(net, -1, 0, s);
    CHECK_MSG(!strcmp(s, "00"), "code at (-1, 0): %s", s);

    /* a setter undoes finalize: the exact paths refuse the net until it
     * is finalised again, then see the new weight */
    mpq_t v;
    mpq_init(v);
    mpq_set_si(v, -1, 1);
    CHECK(pv_net_set_weight(net, 0, 0, 2, v, &err) == PV_ERR_ARG);   /* j out of range */
    CHECK(pv_net_set_bias(net, 0, 2, v, &err) == PV_ERR_ARG);
    CHECK(pv_net_set_weight(net, 0, 0, 0, v, &err) == PV_OK);
    code_at(net, 1, 1, s);
    CHECK_MSG(!strcmp(s, ""), "a net changed after finalize is refused: %s", s);
    CHECK_ERR(pv_net_finalize(net, &err) == PV_OK, err);
    code_at(net, 1, 1, s);
    CHECK_MSG(!strcmp(s, "01"), "code at (1, 1) with w00 = -1: %s", s);
    mpq_clear(v);
    pv_net_free(net);
}

static void test_affine_and_slice(void)
{
    pv_error err = { PV_OK, "" };
    pv_net *net = small_net(&err), *out = pv_net_new();
    CHECK(net != NULL && out != NULL);
    if (net == NULL || out == NULL) {
        pv_net_free(net);
        pv_net_free(out);
        return;
    }
    mpq_t p[2], D[2], d1[2], d2[2];
    for (int i = 0; i < 2; i++) {
        mpq_init(p[i]);
        mpq_init(D[i]);
        mpq_init(d1[i]);
        mpq_init(d2[i]);
    }
    /* out(z) = net(z, z) */
    mpq_set_ui(D[0], 1, 1);
    mpq_set_ui(D[1], 1, 1);
    CHECK_ERR(pv_net_compose_affine(out, net, p, D, 1, &err) == PV_OK, err);
    CHECK(pv_net_input_dim(out) == 1 && pv_net_neurons(out) == 2);
    char s[16];
    code_at(out, 1, 0, s);
    CHECK_MSG(!strcmp(s, "11"), "composed code at z = 1: %s", s);
    CHECK(pv_net_compose_affine(net, net, p, D, 1, &err) == PV_ERR_ARG);
    /* out is replaced: the plane x = (0, 0) + s (1, 0) + t (0, 1) */
    mpq_set_ui(d1[0], 1, 1);
    mpq_set_ui(d2[1], 1, 1);
    CHECK_ERR(pv_net_slice(out, net, p, d1, d2, &err) == PV_OK, err);
    CHECK(pv_net_input_dim(out) == 2);
    code_at(out, 1, 1, s);
    CHECK_MSG(!strcmp(s, "11"), "slice code at (1, 1): %s", s);
    /* a failure leaves out as it was */
    CHECK(pv_net_compose_affine(out, net, p, D, 0, &err) != PV_OK &&
          pv_net_input_dim(out) == 2);
    for (int i = 0; i < 2; i++) {
        mpq_clear(p[i]);
        mpq_clear(D[i]);
        mpq_clear(d1[i]);
        mpq_clear(d2[i]);
    }
    pv_net_free(out);
    pv_net_free(net);
}

/* Every output is initialised by the caller and replaced by the call:
 * computing twice into the same object leaks nothing. */
static void test_caller_initialises(void)
{
    pv_error err = { PV_OK, "" };
    pv_net *net = small_net(&err);
    CHECK(net != NULL);
    if (net == NULL)
        return;
    pv_code code;
    pv_code_init(&code, 0);
    CHECK_ERR(pv_code_parse(&code, net, "11", &err) == PV_OK, err);
    pv_system S, F, U;
    pv_system_init(&S, 0, 0);
    pv_system_init(&F, 0, 0);
    pv_system_init(&U, 0, 0);
    pv_dimension D;
    pv_dimension_init(&D);
    pv_facets Fs;
    pv_facets_init(&Fs);
    for (int round = 0; round < 2; round++) {
        CHECK_ERR(pv_system_of_code(&S, net, &code, NULL, &err) == PV_OK, err);
        CHECK(S.dim == 2 && S.nrows == 2);
        CHECK_ERR(pv_dimension_compute(&D, &S, NULL, &err) == PV_OK, err);
        CHECK(D.dim == 2);
        CHECK_ERR(pv_facets_compute(&Fs, &S, &D, NULL, &err) == PV_OK, err);
        CHECK_MSG(Fs.count == 2, "facets of x > 0, y > 1/2: %d", Fs.count);
        int bounded = -1;
        CHECK(pv_system_bounded(&S, &D, &bounded, NULL, &err) == PV_OK && bounded == 0);
        int zero[1] = { 0 };
        CHECK_ERR(pv_system_of_face(&F, &S, zero, 1, &err) == PV_OK, err);
        CHECK(F.nrows == 2 && F.eq[0] && !F.strict[1]);
        CHECK_ERR(pv_system_of_intersection(&U, &S, &F, &err) == PV_OK, err);
        CHECK(U.nrows == 4 && !U.strict[0]);
    }
    int bad[1] = { 7 };
    CHECK(pv_system_of_face(&F, &S, bad, 1, &err) == PV_ERR_ARG && F.nrows == 2);
    CHECK(pv_system_of_face(&S, &S, NULL, 0, &err) == PV_ERR_ARG);
    CHECK_ERR(pv_dimension_compute(&D, &F, NULL, &err) == PV_OK, err);   /* replaced */
    CHECK(D.dim == 1);

    pv_cell C;
    pv_cell_init(&C);
    for (int round = 0; round < 2; round++)
        CHECK_ERR(pv_cell_compute(&C, net, &code, NULL, PV_CELL_ALL, &err) == PV_OK, err);
    CHECK(C.realized && C.dim == 2);
    pv_cell_clear(&C);

    pv_pointset ps;
    pv_pointset_init(&ps);
    static const char csv[] = "1,1\n-1,0\n2,3\n";
    CHECK_ERR(pv_pointset_parse_csv(&ps, csv, sizeof csv - 1, "t.csv", 2, -1, &err) == PV_OK,
              err);
    pv_code_stats st;
    pv_code_stats_init(&st);
    for (int round = 0; round < 2; round++)
        CHECK_ERR(pv_code_stats_compute(&st, net, &ps, NULL, 100, 1, &err) == PV_OK, err);
    CHECK(st.points == 3 && st.distinct_codes == 2);
    pv_code_stats_clear(&st);
    pv_pointset_clear(&ps);

    pv_facets_clear(&Fs);
    pv_dimension_clear(&D);
    pv_system_clear(&U);
    pv_system_clear(&F);
    pv_system_clear(&S);
    pv_code_clear(&code);
    pv_net_free(net);
}

static void test_cert_handle(void)
{
    pv_error err = { PV_OK, "" };
    pv_net *net = small_net(&err);
    CHECK(net != NULL);
    if (net == NULL)
        return;
    char path[64];
    snprintf(path, sizeof path, "test_api_%ld.cert", (long)getpid());
    pv_cert *c = pv_cert_open(path, net, NULL, &err);
    CHECK_ERR(c != NULL, err);
    CHECK(pv_cert_close(c, 0, &err) == PV_OK && access(path, F_OK) != 0);   /* not kept */
    CHECK(pv_cert_close(NULL, 1, &err) == PV_OK);
    err.status = PV_OK;
    c = pv_cert_open("/nonexistent-dir/x.cert", net, NULL, &err);
    CHECK(c == NULL && err.status != PV_OK);
    pv_net_free(net);
}

/* A domain with a general row (box.h) built in code: the box [-1,1]^2 and
 * -x - y + 1/4 >= 0. The lines x = 0 and y = 1/2 of small_net then leave
 * three 2-cells (x > 0, y > 1/2 forces x + y > 1/2), and cell 10's polygon
 * is (0,-1), (1,-1), (1,-3/4), (0,1/4), of area 3/4 (hand values). */
static void test_domain_rows(void)
{
    pv_error err = { PV_OK, "" };
    pv_net *net = small_net(&err);
    CHECK(net != NULL);
    if (net == NULL)
        return;
    pv_box box;
    pv_box_init(&box, 2);
    mpq_t a[2], c, area, p[2];
    mpq_inits(a[0], a[1], c, area, p[0], p[1], NULL);
    for (int i = 0; i < 2; i++) {
        mpq_set_si(box.lo[i], -1, 1);
        mpq_set_si(box.hi[i], 1, 1);
        mpq_set_si(a[i], -1, 1);
    }
    mpq_set_si(c, 1, 4);
    CHECK(pv_box_is_box(&box) && pv_box_system_rows(&box) == 4);
    CHECK_ERR(pv_box_add_row(&box, a, c, 0, &err) == PV_OK, err);
    CHECK(!pv_box_is_box(&box) && box.nrows == 1 && pv_box_system_rows(&box) == 5);
    mpq_set_si(p[0], 1, 1);
    mpq_set_si(p[1], 1, 1);
    CHECK(pv_box_violated(&box, p) == 4);          /* row 0: 2 dim + 0 */
    mpq_set_si(p[0], 2, 1);
    mpq_set_si(p[1], -1, 1);
    CHECK(pv_box_violated(&box, p) == 1);          /* x0 above the box */
    mpq_set_si(p[0], 0, 1);
    CHECK(pv_box_violated(&box, p) == -1);

    pv_tessellation T;
    pv_tessellation_init(&T);
    CHECK_ERR(pv_tessellate(&T, net, &box, NULL, &err) == PV_OK, err);
    CHECK_MSG(T.by_dim[2] == 3 && T.ncells == 3, "2-cells in the cut box: %d of %d",
              T.by_dim[2], T.ncells);
    pv_tessellation_clear(&T);
    pv_code code;
    pv_code_init(&code, 0);
    CHECK_ERR(pv_code_parse(&code, net, "10", &err) == PV_OK, err);
    pv_polygon P;
    pv_polygon_init(&P);
    CHECK_ERR(pv_polygon_of_code(&P, net, &code, &box, &err) == PV_OK, err);
    pv_polygon_area2(area, &P);
    CHECK(P.n == 4 && q_is(area, 3, 2));
    pv_polygon_clear(&P);

    /* without the interval part: x + y <= 1/4 alone, unbounded; the
     * polygon needs a box */
    box.intervals = 0;
    pv_cell C;
    pv_cell_init(&C);
    CHECK_ERR(pv_cell_compute(&C, net, &code, &box, PV_CELL_ALL, &err) == PV_OK, err);
    CHECK(C.realized && C.dim == 2 && !C.bounded && C.nfacets == 2);   /* y = 1/2 is redundant */
    int on_row = 0;
    for (int f = 0; f < C.nfacets; f++)
        on_row += C.facets[f].domain_row == 0 && !C.facets[f].has_neighbor;
    CHECK(on_row == 1);
    pv_cell_clear(&C);
    CHECK(pv_polygon_of_code(&P, net, &code, &box, &err) == PV_ERR_ARG);
    pv_code_clear(&code);
    mpq_clears(a[0], a[1], c, area, p[0], p[1], NULL);
    pv_box_clear(&box);
    pv_net_free(net);
}

int main(void)
{
    test_build_and_read();
    test_affine_and_slice();
    test_caller_initialises();
    test_cert_handle();
    test_domain_rows();
    return check_summary();
}
