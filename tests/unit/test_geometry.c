/* Unit tests of the exact geometry core: integer linear algebra, the
 * dimension procedure on hand-made systems, and the agreement of the two
 * ways polyverify computes a cell (directly in x, and lifted through a
 * first layer of full row rank), and exact volumes of hand-made polytopes.
 * Expected values are derived by hand in the comments, never taken from
 * the program. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyverify/cell.h"
#include "polyverify/dimension.h"
#include "polyverify/facets.h"
#include "polyverify/network.h"
#include "polyverify/system.h"
#include "polyverify/volume.h"
#include "../../src/exact/linalg.h"
#include "../../src/geom/system_internal.h"
#include "../../src/net/network_internal.h"

#include "check.h"

static void zmat_from(pv_zmat *M, int r, int c, const long *v)
{
    pv_zmat_init(M, r, c);
    for (int i = 0; i < r * c; i++)
        mpz_set_si(M->a[i], v[i]);
}

static void test_rank(void)
{
    /* rows 2 and 3 sum to 2 * row 1: rank 2 */
    const long a[] = { 1, 2, 3, 0, 1, 1, 2, 3, 5 };
    pv_zmat M;
    zmat_from(&M, 3, 3, a);
    int piv[3];
    CHECK_MSG(pv_zmat_rank_mod_p(&M) == 2, "rank mod p of a rank-2 matrix");
    CHECK_MSG(pv_zmat_rref(&M, piv) == 2, "rref rank 2");
    CHECK_MSG(piv[0] == 0 && piv[1] == 1, "pivot columns 0, 1");
    pv_zmat_clear(&M);
    /* the identity with a huge multiple of p = 2^31-1 added: still full */
    const long b[] = { 1, 0, 0, 1 };
    zmat_from(&M, 2, 2, b);
    mpz_set_str(M.a[1], "2147483647", 10);          /* p == 0 mod p */
    CHECK_MSG(pv_zmat_rank_mod_p(&M) == 2, "rank mod p with an entry = p");
    pv_zmat_clear(&M);
}

static void test_solve_guided(void)
{
    /* x + y + z = 6, y - z = 0; free variable z guessed 1.5 -> (3, 1.5, 1.5) */
    const long a[] = { 1, 1, 1, 0, 1, -1 };
    pv_zmat A;
    zmat_from(&A, 2, 3, a);
    mpz_t b[2];
    mpz_init_set_si(b[0], 6);
    mpz_init_set_si(b[1], 0);
    double guess[3] = { 0, 0, 1.5 };
    mpq_t x[3];
    for (int i = 0; i < 3; i++)
        mpq_init(x[i]);
    CHECK_MSG(pv_zmat_solve_guided(&A, b, guess, x) == 0, "consistent system");
    CHECK_MSG(mpq_cmp_si(x[0], 3, 1) == 0 && mpq_cmp_si(x[1], 3, 2) == 0 &&
              mpq_cmp_si(x[2], 3, 2) == 0, "solution (3, 3/2, 3/2)");
    /* x + y = 1, 2x + 2y = 3: inconsistent */
    const long c[] = { 1, 1, 2, 2 };
    pv_zmat C;
    zmat_from(&C, 2, 2, c);
    mpz_set_si(b[0], 1);
    mpz_set_si(b[1], 3);
    CHECK_MSG(pv_zmat_solve_guided(&C, b, guess, x) == -1, "inconsistent system");
    for (int i = 0; i < 3; i++)
        mpq_clear(x[i]);
    mpz_clear(b[0]);
    mpz_clear(b[1]);
    pv_zmat_clear(&A);
    pv_zmat_clear(&C);
}

/* A system over R^2 from rows {g1, g2, h, strict}. */
static void system_from(pv_system *S, int n, const long (*rows)[4])
{
    pv_system_init(S, 2, n);
    for (int i = 0; i < n; i++) {
        mpz_set_si(PV_G(S, i, 0), rows[i][0]);
        mpz_set_si(PV_G(S, i, 1), rows[i][1]);
        mpz_set_si(S->h[i], rows[i][2]);
        S->strict[i] = (unsigned char)rows[i][3];
        S->label[i] = i;
    }
}

static int dim_of(int n, const long (*rows)[4], unsigned char *implicit)
{
    pv_system S;
    pv_dimension D;
    system_from(&S, n, rows);
    pv_status rc = pv__system_dimension(&S, &D, NULL, NULL);
    int d = rc == PV_OK ? D.dim : -2;
    /* the point must satisfy the system: strict rows > 0, others >= 0,
     * implicit rows = 0 */
    mpq_t v;
    mpq_init(v);
    for (int i = 0; rc == PV_OK && d >= 0 && i < n; i++) {
        pv_system_row_value(v, &S, i, D.point);
        if (D.implicit[i])
            CHECK_MSG(mpq_sgn(v) == 0, "implicit row %d vanishes at the point", i);
        else
            CHECK_MSG(mpq_sgn(v) > 0, "row %d positive at the point", i);
        if (implicit)
            implicit[i] = D.implicit[i];
    }
    mpq_clear(v);
    pv_dimension_clear(&D);
    pv_system_clear(&S);
    return d;
}

static void test_dimension(void)
{
    /* unit square 0 <= x, y <= 1: dim 2 */
    const long square[][4] = { { 1, 0, 0, 0 }, { -1, 0, 1, 0 }, { 0, 1, 0, 0 }, { 0, -1, 1, 0 } };
    CHECK_MSG(dim_of(4, square, NULL) == 2, "square has dim 2");
    /* x >= 0 and -x >= 0: the line x = 0, dim 1, both rows implicit */
    const long line[][4] = { { 1, 0, 0, 0 }, { -1, 0, 0, 0 } };
    unsigned char imp[4] = { 0 };
    CHECK_MSG(dim_of(2, line, imp) == 1, "x >= 0, -x >= 0 has dim 1");
    CHECK_MSG(imp[0] && imp[1], "both rows implicit");
    /* the same with x > 0 strict: empty (Motzkin) */
    const long line_strict[][4] = { { 1, 0, 0, 1 }, { -1, 0, 0, 0 } };
    CHECK_MSG(dim_of(2, line_strict, NULL) == -1, "x > 0, -x >= 0 is empty");
    /* x >= 1, x <= 0: empty (Farkas) */
    const long gap[][4] = { { 1, 0, -1, 0 }, { -1, 0, 0, 0 } };
    CHECK_MSG(dim_of(2, gap, NULL) == -1, "x >= 1, x <= 0 is empty");
    /* x = 0 and y = 0 from four rows: the origin, dim 0 */
    const long point[][4] = { { 1, 0, 0, 0 }, { -1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, -1, 0, 0 } };
    CHECK_MSG(dim_of(4, point, NULL) == 0, "the origin has dim 0");
    /* x + y >= 0, -x - y >= 0, x - y > 0: half of a line, dim 1 */
    const long ray[][4] = { { 1, 1, 0, 0 }, { -1, -1, 0, 0 }, { 1, -1, 0, 1 } };
    CHECK_MSG(dim_of(3, ray, NULL) == 1, "half line has dim 1");
    /* a zero row 0 >= 0 is an implicit equality of rank 0; 0 > 0 is empty */
    const long zero[][4] = { { 0, 0, 0, 0 }, { 1, 0, 0, 0 } };
    CHECK_MSG(dim_of(2, zero, imp) == 2 && imp[0] && !imp[1], "0 >= 0 implicit, dim 2");
    const long zero_strict[][4] = { { 0, 0, 0, 1 }, { 1, 0, 0, 0 } };
    CHECK_MSG(dim_of(2, zero_strict, NULL) == -1, "0 > 0 is empty");
}

/* Farkas multipliers for the faces {row s = 0} of a closure, the
 * certificates' fast path: the unit square with x + y <= 3 (its face is
 * empty: r4 = r1 + r3 + 1), x + y <= 2 (its face is the vertex (1, 1):
 * not empty) and x <= 1 (a facet). Each y found is checked against the
 * Farkas conditions themselves: y_t >= 0 off row s, sum y_t g_t = 0,
 * sum y_t h_t = -1. */
static void test_empty_faces(void)
{
    const long rows[][4] = { { 1, 0, 0, 0 }, { -1, 0, 1, 0 }, { 0, 1, 0, 0 },
                             { 0, -1, 1, 0 }, { -1, -1, 3, 0 }, { -1, -1, 2, 0 } };
    pv_system S;
    pv_dimension D;
    system_from(&S, 6, rows);
    CHECK(pv__system_dimension(&S, &D, NULL, NULL) == PV_OK && D.dim == 2);
    int ask[3] = { 4, 5, 1 };
    mpq_t *y[3];
    int found = pv__system_empty_faces(&S, D.point, ask, 3, y);
    CHECK_MSG(found == 1 && y[0] && !y[1] && !y[2],
              "only the face of x + y <= 3 is proved empty (found %d)", found);
    if (y[0]) {
        mpq_t acc, t;
        mpq_inits(acc, t, NULL);
        for (int t_ = 0; t_ < 6; t_++)
            CHECK_MSG(t_ == 4 || mpq_sgn(y[0][t_]) >= 0, "y_%d >= 0", t_);
        for (int c = 0; c <= 2; c++) {      /* g_1, g_2, then h */
            mpq_set_ui(acc, 0, 1);
            for (int t_ = 0; t_ < 6; t_++) {
                mpq_set_z(t, c < 2 ? PV_G(&S, t_, c) : S.h[t_]);
                mpq_mul(t, t, y[0][t_]);
                mpq_add(acc, acc, t);
            }
            CHECK_MSG(mpq_cmp_si(acc, c < 2 ? 0 : -1, 1) == 0,
                      "sum y_t %s_t = %s", c < 2 ? "g" : "h", c < 2 ? "0" : "-1");
        }
        mpq_clears(acc, t, NULL);
        pv_qvec_free(y[0], 6);
    }
    pv_dimension_clear(&D);
    pv_system_clear(&S);
}

/* A face from the pendulum net (a row and its exact negation among 18 rows
 * of ~80-bit integers in R^2): the set is one point. cddlib's implicit-
 * linearity call once answered "no implicit row" here; polyverify's exact
 * path must find dim 0 and prove it. Rows are "h g1 g2" (h + g.x >= 0). */
static const char *huge_face =
    "69966428955782036203639365 51025650176466321292656640 -395912767379002881998848\n"
    "89567609636912063898255 -42567800140148254965760 32505257087830142746624\n"
    "6593698581427490396607307385 1554500490551316224766115840 -678257374856118496395264\n"
    "-496704024129545772881565 208852181387644502016000 -290535374727551400280064\n"
    "19432457357495020783179045 -12827111486412127343738880 -113160947278290570182656\n"
    "174959762949725596399592555 103504085939318484537180160 -801996586603838007410688\n"
    "550971410579117141867749135 -125729823891101338881228800 632606036120443673378816\n"
    "433613180632693330191925 744847737640988631367680 646691338436642871443456\n"
    "46752302975499738741849669 22346519108508521548742656 -88110999039627673731072\n"
    "134169633213288852763415 -57941733171795863797760 74761551696714130259968\n"
    "36109477211589702104340935 -359137403796290503966720 -3637164336542938229112832\n"
    "18299727169425108898053 34680482965064377171968 30874171976964890427392\n"
    "7853981633974483 5000000000000000 0\n"
    "7853981633974483 -5000000000000000 0\n"
    "7853981633974483 0 5000000000000000\n"
    "7853981633974483 0 -5000000000000000\n"
    "496704024129545772881565 -208852181387644502016000 290535374727551400280064\n"
    "-134169633213288852763415 57941733171795863797760 -74761551696714130259968\n";

static void test_huge_face(void)
{
    pv_system S;
    pv_system_init(&S, 2, 18);
    const char *p = huge_face;
    for (int i = 0; i < 18; i++) {
        char buf[3][64];
        int used = 0;
        CHECK_MSG(sscanf(p, "%63s %63s %63s%n", buf[0], buf[1], buf[2], &used) == 3, "row %d", i);
        p += used;
        mpz_set_str(S.h[i], buf[0], 10);
        mpz_set_str(PV_G(&S, i, 0), buf[1], 10);
        mpz_set_str(PV_G(&S, i, 1), buf[2], 10);
        S.label[i] = i;
    }
    pv_dimension D;
    pv_stats st = { 0 };
    CHECK_MSG(pv__system_dimension(&S, &D, &st, NULL) == PV_OK, "huge face decided");
    CHECK_MSG(D.dim == 0, "huge face is a point (dim %d)", D.dim);
    mpq_t v;
    mpq_init(v);
    for (int i = 0; D.dim == 0 && i < 18; i++) {
        pv_system_row_value(v, &S, i, D.point);
        CHECK_MSG(mpq_sgn(v) >= 0, "row %d holds at the point", i);
    }
    mpq_clear(v);
    pv_dimension_clear(&D);
    pv_system_clear(&S);
}

/* Deterministic pseudo-random net m -> n1 -> n2 (relu, relu) with small
 * rational weights. */
static void random_net(pv_net *net, int m, int n1, int n2, unsigned seed)
{
    pv__net_init(net);
    net->input_dim = m;
    pv_net_add_layer(net, PV_RELU, n1, NULL);
    pv_net_add_layer(net, PV_RELU, n2, NULL);
    for (int k = 0; k < 2; k++) {
        pv_layer *L = &net->layers[k];
        for (int i = 0; i < L->out * L->in; i++) {
            seed = seed * 1103515245u + 12345u;
            mpq_set_si(L->w[i], (long)((seed >> 16) % 19) - 9, 1 + (seed >> 8) % 4);
            mpq_canonicalize(L->w[i]);
        }
        for (int i = 0; i < L->out; i++) {
            seed = seed * 1103515245u + 12345u;
            mpq_set_si(L->b[i], (long)((seed >> 16) % 7) - 3, 2);
            mpq_canonicalize(L->b[i]);
        }
    }
    pv_net_finalize(net, NULL);
}

/* Two independent routes to the same cell must agree: lifted through the
 * first layer (n1 < m) and computed directly in x. */
static void test_lift_agrees(void)
{
    int compared = 0;
    for (unsigned seed = 1; seed <= 6; seed++) {
        pv_net net;
        random_net(&net, 5, 3, 3, seed);
        CHECK_MSG(net.lifted != NULL, "seed %u: first layer 3x5 of full rank lifts", seed);
        if (!net.lifted) {
            pv__net_clear(&net);
            continue;
        }
        for (unsigned c = 0; c < 64; c++) {
            pv_code code;
            pv_code_init(&code, 6);
            for (int j = 0; j < 6; j++)
                code.bit[j] = (c >> j) & 1;
            pv_cell A, B;
            pv_cell_init(&A);
            pv_cell_init(&B);
            pv_status ra = pv_cell_compute(&A, &net, &code, NULL, PV_CELL_ALL, NULL);
            pv_net *lifted = net.lifted;
            net.lifted = NULL;                     /* force the direct route */
            pv_status rb = pv_cell_compute(&B, &net, &code, NULL, PV_CELL_ALL, NULL);
            net.lifted = lifted;
            CHECK_MSG(ra == PV_OK && rb == PV_OK, "both routes succeed");
            CHECK_MSG(A.realized == B.realized && A.dim == B.dim,
                      "seed %u code %u: realised %d/%d dim %d/%d", seed, c,
                      A.realized, B.realized, A.dim, B.dim);
            CHECK_MSG(A.nfacets == B.nfacets, "seed %u code %u: facets %d/%d", seed, c,
                      A.nfacets, B.nfacets);
            for (int f = 0; f < A.nfacets && f < B.nfacets; f++) {
                int same = A.facets[f].nneurons == B.facets[f].nneurons &&
                           !memcmp(A.facets[f].neurons, B.facets[f].neurons,
                                   (size_t)A.facets[f].nneurons * sizeof(int)) &&
                           pv_code_equal(&A.facets[f].neighbor, &B.facets[f].neighbor);
                CHECK_MSG(same, "seed %u code %u: facet %d differs", seed, c, f);
            }
            if (A.realized && B.realized)
                CHECK_MSG(A.bounded == B.bounded, "bounded agrees");
            compared += A.realized;
            pv_cell_clear(&A);
            pv_cell_clear(&B);
            pv_code_clear(&code);
        }
        pv__net_clear(&net);
    }
    CHECK_MSG(compared > 20, "enough realised cells compared (%d)", compared);
}

/* A system over R^m from n rows (g_1..g_m, h): g.x + h >= 0. */
static void system_m(pv_system *S, int m, int n, const long *rows)
{
    pv_system_init(S, m, n);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++)
            mpz_set_si(PV_G(S, i, j), rows[i * (m + 1) + j]);
        mpz_set_si(S->h[i], rows[i * (m + 1) + m]);
        S->label[i] = i;
    }
}

/* The volume of the rows (dim: the set's dimension as a caller would give
 * it); *kind and the status through the pointers, the volume as p/q in
 * num/den (0/1 when there is none). */
static pv_status volume_of(int m, int n, const long *rows, int dim,
                           pv_volume_kind *kind, long *num, long *den)
{
    pv_system S;
    system_m(&S, m, n, rows);
    mpq_t v;
    mpq_init(v);
    pv_error err = { 0 };
    pv_status rc = pv_volume_of_system(v, kind, &S, dim, &err);
    *num = mpz_get_si(mpq_numref(v));
    *den = mpz_get_si(mpq_denref(v));
    mpq_clear(v);
    pv_system_clear(&S);
    return rc;
}

static int volume_is(int m, int n, const long *rows, long num, long den)
{
    pv_volume_kind kind;
    long p, q;
    pv_status rc = volume_of(m, n, rows, m, &kind, &p, &q);
    return rc == PV_OK && kind == PV_VOLUME_FINITE && p == num && q == den;
}

static void test_volume(void)
{
    /* [0,1]^2 cut by x + y <= 1: the triangle, 1/2 */
    const long tri[] = { 1, 0, 0,  -1, 0, 1,  0, 1, 0,  0, -1, 1,  -1, -1, 1 };
    CHECK_MSG(volume_is(2, 5, tri, 1, 2), "triangle has area 1/2");
    /* 1-D: 2x + 3 >= 0, 2 - x >= 0: [-3/2, 2], length 7/2 */
    const long seg[] = { 2, 3,  -1, 2 };
    CHECK_MSG(volume_is(1, 2, seg, 7, 2), "interval [-3/2, 2] has length 7/2");
    /* [0,2]^3 cut by x + y + z <= 3, a plane through the centre: half, 4 */
    const long cube[] = { 1, 0, 0, 0,  -1, 0, 0, 2,  0, 1, 0, 0,  0, -1, 0, 2,
                          0, 0, 1, 0,  0, 0, -1, 2,  -1, -1, -1, 3 };
    CHECK_MSG(volume_is(3, 7, cube, 4, 1), "half cube has volume 4");
    /* the square pyramid: base [0,2]^2, apex (1,1,1) on four facets (a
     * degenerate vertex): z >= 0, z <= x, 2 - x, y, 2 - y: 4 * 1 / 3;
     * the row z <= x given twice (coincident rows) changes nothing */
    const long pyr[] = { 0, 0, 1, 0,  1, 0, -1, 0,  -1, 0, -1, 2,  0, 1, -1, 0,
                         0, -1, -1, 2,  1, 0, -1, 0 };
    CHECK_MSG(volume_is(3, 6, pyr, 4, 3), "square pyramid has volume 4/3");
    /* 6-D: the unit cube (1) and the standard simplex (1/6! = 1/720) */
    long cube6[12 * 7], simplex6[7 * 7];
    memset(cube6, 0, sizeof cube6);
    memset(simplex6, 0, sizeof simplex6);
    for (int i = 0; i < 6; i++) {
        cube6[(2 * i) * 7 + i] = 1;                        /* x_i >= 0     */
        cube6[(2 * i + 1) * 7 + i] = -1;                   /* 1 - x_i >= 0 */
        cube6[(2 * i + 1) * 7 + 6] = 1;
        simplex6[i * 7 + i] = 1;
        simplex6[6 * 7 + i] = -1;                          /* 1 - sum >= 0 */
    }
    simplex6[6 * 7 + 6] = 1;
    CHECK_MSG(volume_is(6, 12, cube6, 1, 1), "unit 6-cube has volume 1");
    CHECK_MSG(volume_is(6, 7, simplex6, 1, 720), "6-simplex has volume 1/720");
    /* unbounded: a quadrant (a recession ray), a half-plane (a line) */
    pv_volume_kind kind;
    long p, q;
    const long quadrant[] = { 1, 0, 0,  0, 1, 0 };
    CHECK_MSG(volume_of(2, 2, quadrant, 2, &kind, &p, &q) == PV_OK &&
              kind == PV_VOLUME_UNBOUNDED && p == 0, "quadrant is unbounded");
    const long half[] = { 1, 0, 0 };
    CHECK_MSG(volume_of(2, 1, half, 2, &kind, &p, &q) == PV_OK &&
              kind == PV_VOLUME_UNBOUNDED, "half-plane is unbounded");
    /* lower-dimensional and empty sets have no volume (their dimension is
     * the caller's); a full dimension that the closure denies is an error */
    CHECK_MSG(volume_of(2, 5, tri, 1, &kind, &p, &q) == PV_OK &&
              kind == PV_VOLUME_LOWER_DIM && p == 0, "dim 1 < 2: no volume");
    CHECK_MSG(volume_of(2, 5, tri, -1, &kind, &p, &q) == PV_OK &&
              kind == PV_VOLUME_EMPTY, "empty: no volume");
    const long flat[] = { 1, 0, 0,  -1, 0, 0,  0, 1, 0,  0, -1, 1 };
    CHECK_MSG(volume_of(2, 4, flat, 2, &kind, &p, &q) == PV_ERR_ARG,
              "a segment said to be full-dimensional is an error");
    /* m = 7 is refused, whatever the set */
    long cube7[14 * 8];
    memset(cube7, 0, sizeof cube7);
    for (int i = 0; i < 7; i++) {
        cube7[(2 * i) * 8 + i] = 1;
        cube7[(2 * i + 1) * 8 + i] = -1;
        cube7[(2 * i + 1) * 8 + 7] = 1;
    }
    CHECK_MSG(volume_of(7, 14, cube7, 7, &kind, &p, &q) == PV_ERR_ARG,
              "m = 7: PV_ERR_ARG");
    CHECK_MSG(pv_volume_supported(6, NULL) == PV_OK &&
              pv_volume_supported(7, NULL) == PV_ERR_ARG, "supported up to 6");
}

int main(void)
{
    test_rank();
    test_solve_guided();
    test_dimension();
    test_empty_faces();
    test_huge_face();
    test_lift_agrees();
    test_volume();
    return check_summary();
}
