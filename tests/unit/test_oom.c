/* Out of memory is an error value (issue 13): the N-th allocation of a
 * library call is made to fail, for every N from 1 until a run completes
 * without the failure firing. Every failing run must return PV_ERR_NOMEM
 * and leave its outputs empty (initialised) and clearable, or untouched
 * where the call replaces them only on success; the completing run must
 * give the answer of a run without failures. Under AddressSanitizer (the
 * test suite's second pass) a crash, double free or leak of an unwound run
 * fails the test too.
 *
 * The calls: the cell of codes of examples/demo.pvnet (with and without a
 * box; facets, boundedness, the direct path that certificates use), an
 * adjacency check, the enumeration of small nets with and without a box
 * and with the graph, Lemma 1 and the one-bit flips, the loaders (.pvnet,
 * .nnet, ONNX, gzip), a network built in code (add_layer, finalize), a
 * certificate and a written network (no temporary file may be left), the
 * parsers and the code statistics, and a cell's exact volume.
 * tests/meson.build runs it twice, the second time with
 * POLYVERIFY_EXACT_ONLY=1, where cddlib's exact LP decides everything the
 * float search would have. */
#include <dirent.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "polyverify.h"
#include "../../src/core/alloc.h"
#include "../../src/geom/system_internal.h"
#include "../../src/net/network_internal.h"

static int passed, failed;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (cond)                                          \
            passed++;                                      \
        else {                                             \
            failed++;                                      \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);    \
            printf(__VA_ARGS__);                           \
            printf("\n");                                  \
        }                                                  \
    } while (0)

/* One scenario: run() makes the calls on fresh outputs, checks them and
 * clears them; with ref = 1 it records the answer, else compares with it.
 * It returns the status of the call under test. */
typedef struct scenario {
    const char *name;
    pv_status (*run)(void *ctx, int ref);
    void *ctx;
    int exact;                 /* also with POLYVERIFY_EXACT_ONLY=1 */
    void (*prepare)(void *ctx);   /* inputs, made before each sweep */
} scenario;

static long total_runs;

/* Fails allocation 1, 2, ... of a run until one completes. */
static void sweep(const scenario *S)
{
    if (S->prepare)
        S->prepare(S->ctx);
    pv_status expect = S->run(S->ctx, 1);
    if (S->prepare)
        S->prepare(S->ctx);
    pv_mem_fail_fired();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long n;
    for (n = 1; n < 1000000; n++) {
        pv_mem_fail_after(n);
        pv_status st = S->run(S->ctx, 0);
        int fired = pv_mem_fail_fired();
        pv_mem_fail_after(0);
        if (!fired) {
            CHECK(st == expect, "%s: the complete run returned %s, expected %s",
                  S->name, pv_error_name(st), pv_error_name(expect));
            break;
        }
        if (st != PV_ERR_NOMEM) {
            CHECK(0, "%s: allocation %ld failed, the call returned %s",
                  S->name, n, pv_error_name(st));
            return;
        }
    }
    total_runs += n - 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%-36s %6ld runs, each PV_ERR_NOMEM (%s) %6.2f s\n", S->name, n - 1,
           pv_error_name(expect),
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
}

/* The inputs a call needs are made without failures: only the call under
 * test counts allocations. */
static long pause_failures(void)
{
    long n = pv_mem_fail_remaining();
    pv_mem_fail_after(0);
    return n;
}

static void resume_failures(long n)
{
    pv_mem_fail_after(n);
}

static pv_net demo;
static pv_box box1;            /* [-1, 1]^2 */
static char tmpdir[64];

static int leftovers(void)
{
    DIR *d = opendir(tmpdir);
    int n = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp-") != NULL;
    if (d != NULL)
        closedir(d);
    return n;
}

static pv_code parse_code(const char *s)
{
    long n = pause_failures();
    pv_code c;
    pv_code_init(&c, 0);
    pv_error err = { 0 };
    if (pv_code_parse(&c, &demo, s, &err) != PV_OK)
        printf("bad code %s: %s\n", s, err.msg);
    resume_failures(n);
    return c;
}

/* ---- cells ---------------------------------------------------------------- */

typedef struct cell_case {
    const char *code;
    const pv_box *box;
    unsigned what;
    int dim, nfacets, bounded;
    char point[256];
} cell_case;

static void point_text(char *buf, size_t size, const pv_cell *C)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int j = 0; C->realized && j < C->m && o < size; j++)
        o += (size_t)gmp_snprintf(buf + o, size - o, "%Qd,", C->point[j]);
}

static pv_status run_cell(void *ctx, int ref)
{
    cell_case *K = ctx;
    pv_code c = parse_code(K->code);
    pv_cell C;
    pv_cell_init(&C);
    pv_error err = { 0 };
    pv_status st = pv_cell_compute(&C, &demo, &c, K->box, K->what, &err);
    long n = pause_failures();
    char point[256];
    point_text(point, sizeof point, &C);
    if (st == PV_ERR_NOMEM)
        CHECK(C.code.n == 0 && C.point == NULL && C.nfacets == 0 && C.dim == -1,
              "cell %s: output not empty after PV_ERR_NOMEM", K->code);
    else if (ref) {
        K->dim = C.dim, K->nfacets = C.nfacets, K->bounded = C.bounded;
        strcpy(K->point, point);
    } else
        CHECK(C.dim == K->dim && C.nfacets == K->nfacets &&
              C.bounded == K->bounded && !strcmp(point, K->point),
              "cell %s: dim %d, %d facets, point %s; expected %d, %d, %s",
              K->code, C.dim, C.nfacets, point, K->dim, K->nfacets, K->point);
    resume_failures(n);
    pv_cell_clear(&C);
    pv_code_clear(&c);
    return st;
}

/* ---- adjacency -------------------------------------------------------------- */

typedef struct adj_case {
    const char *a, *b;
    const pv_box *box;
    int common_dim, adjacent;
} adj_case;

static pv_status run_adjacency(void *ctx, int ref)
{
    adj_case *K = ctx;
    pv_code a = parse_code(K->a), b = parse_code(K->b);
    pv_adjacency A;
    pv_adjacency_init(&A);
    pv_error err = { 0 };
    pv_status st = pv_adjacency_check(&A, &demo, &a, &b, K->box, &err);
    if (st == PV_ERR_NOMEM)
        CHECK(A.common_point == NULL && A.d_A == -1,
              "adjacency: output not empty after PV_ERR_NOMEM");
    else if (ref)
        K->common_dim = A.common_dim, K->adjacent = A.adjacent;
    else
        CHECK(A.common_dim == K->common_dim && A.adjacent == K->adjacent,
              "adjacency: common dim %d, expected %d", A.common_dim, K->common_dim);
    pv_adjacency_clear(&A);
    pv_code_clear(&a);
    pv_code_clear(&b);
    return st;
}

/* ---- enumeration, Lemma 1, flips ------------------------------------------ */

typedef struct enum_case {
    const pv_net *net;
    const pv_box *box;
    int graph;
    int ncells, npairs;
} enum_case;

static pv_status run_enumerate(void *ctx, int ref)
{
    enum_case *K = ctx;
    pv_enum_options o;
    pv_enum_options_init(&o);
    o.box = K->box;
    o.graph = K->graph;
    pv_enum E;
    pv_enum_init(&E);
    pv_error err = { 0 };
    pv_status st = pv_enum_compute(&E, K->net, &o, &err);
    if (st == PV_ERR_NOMEM)
        CHECK(E.ncells == 0 && E.cells == NULL && E.pairs == NULL && E.by_dim == NULL,
              "enumerate: output not empty after PV_ERR_NOMEM");
    else if (ref)
        K->ncells = E.ncells, K->npairs = E.npairs;
    else
        CHECK(E.ncells == K->ncells && E.npairs == K->npairs && E.complete,
              "enumerate: %d cells %d pairs, expected %d, %d", E.ncells,
              E.npairs, K->ncells, K->npairs);
    pv_enum_clear(&E);
    return st;
}

typedef struct lemma_case {
    const pv_net *net;
    const pv_box *box;
    int flips;                 /* 0: Lemma 1, 1: the flips of a cell */
    long answer[4];
    pv_enum E;          /* made by prepare_lemma, without failures */
} lemma_case;

/* Lemma 1 adds the adjacent pairs it finds to E's graph when it succeeds
 * (and only then: a failing run must leave E as it was), so each sweep
 * starts from a fresh enumeration. */
static void prepare_lemma(void *ctx)
{
    lemma_case *K = ctx;
    pv_enum_clear(&K->E);
    pv_enum_options o;
    pv_enum_options_init(&o);
    o.box = K->box;
    o.graph = 1;
    pv_error err = { 0 };
    pv_status st = pv_enum_compute(&K->E, K->net, &o, &err);
    CHECK(st == PV_OK, "enumerate for lemma 1 / flips: %s", err.msg);
}

static pv_status run_lemma(void *ctx, int ref)
{
    lemma_case *K = ctx;
    pv_enum E = K->E;
    int npairs = E.npairs;
    pv_error err = { 0 };
    pv_status st;
    long got[4] = { 0, 0, 0, 0 };
    if (!K->flips) {
        pv_lemma1 L;
        pv_lemma1_init(&L);
        st = pv_lemma1_check(&L, &E, K->net, K->box, &err);
        K->E = E;
        if (st == PV_ERR_NOMEM)
            CHECK(L.disagree == NULL && L.ndisagree == 0 && E.npairs == npairs,
                  "lemma1: outputs changed after PV_ERR_NOMEM");
        got[0] = L.pairs_hamming1, got[1] = L.adjacent_pairs;
        got[2] = L.hamming1_not_adjacent, got[3] = L.ndisagree;
        pv_lemma1_clear(&L);
    } else {
        pv_flips F;
        pv_flips_init(&F);
        st = pv_flips_check(&F, K->net, &E.cells[E.ncells / 2].code, K->box, &err);
        if (st == PV_ERR_NOMEM)
            CHECK(F.flips == NULL && F.nflips == 0,
                  "flips: output not empty after PV_ERR_NOMEM");
        got[0] = F.nflips, got[1] = F.dim;
        for (int i = 0; i < F.nflips; i++)
            got[2] += F.flips[i].adjacent, got[3] += F.flips[i].realized;
        pv_flips_clear(&F);
    }
    if (st != PV_ERR_NOMEM && ref)
        memcpy(K->answer, got, sizeof got);
    else if (st != PV_ERR_NOMEM)
        CHECK(!memcmp(K->answer, got, sizeof got), "lemma1/flips: the answer differs");
    return st;
}

/* ---- loading and building networks ---------------------------------------- */

typedef struct load_case {
    const char *path;
    int keep_old;              /* the net holds demo before the call */
    int nlayers, neurons;
} load_case;

static pv_status run_load(void *ctx, int ref)
{
    load_case *K = ctx;
    pv_net net;
    pv__net_init(&net);
    pv_error err = { 0 };
    if (K->keep_old) {
        long n = pause_failures();
        pv_net_load(&net, "examples/demo.pvnet", &err);
        resume_failures(n);
    }
    pv_status st = pv_net_load(&net, K->path, &err);
    if (st == PV_ERR_NOMEM)
        CHECK(K->keep_old ? net.nlayers == 3 && net.neurons == 6 && net.finalized
                          : net.nlayers == 0 && net.layers == NULL,
              "load %s: the caller's net changed after PV_ERR_NOMEM", K->path);
    else if (ref)
        K->nlayers = net.nlayers, K->neurons = net.neurons;
    else
        CHECK(net.nlayers == K->nlayers && net.neurons == K->neurons && net.finalized,
              "load %s: %d layers %d neurons", K->path, net.nlayers, net.neurons);
    pv__net_clear(&net);
    return st;
}

/* 3 inputs, a first layer of full row rank 2 < 3 (so that finalize also
 * builds the lifted net), then 2 and 1 neurons. */
static pv_status run_build(void *ctx, int ref)
{
    (void)ctx;
    (void)ref;
    static const int w[] = { 1, -2, 3,  0, 1, 1,   2, -1,  1, 1,   1, 1 };
    pv_net net;
    pv__net_init(&net);
    net.input_dim = 3;
    pv_error err = { 0 };
    int widths[3] = { 2, 2, 1 };
    pv_status st = PV_OK;
    for (int k = 0; k < 3 && st == PV_OK; k++)
        st = pv_net_add_layer(&net, k < 2 ? PV_RELU : PV_LINEAR, widths[k], &err);
    if (st == PV_OK) {
        /* the caller's own GMP calls, outside any library call */
        int e = 0;
        for (int k = 0; k < 3; k++) {
            pv_layer *L = &net.layers[k];
            for (int i = 0; i < L->out * L->in; i++)
                mpq_set_si(L->w[i], w[e++], 1 + (i % 3 == 2) * 4);
            for (int i = 0; i < L->out; i++)
                mpq_set_si(L->b[i], -i, 3);
        }
        st = pv_net_finalize(&net, &err);
        if (st == PV_ERR_NOMEM) {
            CHECK(!net.finalized && net.nlayers == 3 && net.lifted == NULL &&
                  net.layers[0].wint == NULL && mpq_cmp_si(net.layers[0].w[2], 3, 5) == 0,
                  "finalize: the net is not as before after PV_ERR_NOMEM");
            long n = pause_failures();   /* the weights are intact: again */
            CHECK(pv_net_finalize(&net, &err) == PV_OK && net.lifted != NULL,
                  "finalize after PV_ERR_NOMEM: %s", err.msg);
            resume_failures(n);
        } else
            CHECK(st != PV_OK || net.lifted != NULL, "finalize: no lifted net");
    } else if (st == PV_ERR_NOMEM)
        CHECK(net.nlayers < 3, "add_layer: %d layers after PV_ERR_NOMEM", net.nlayers);
    pv__net_clear(&net);
    return st;
}

/* ---- files: a certificate, a written network ------------------------------- */

static pv_status run_certificate(void *ctx, int ref)
{
    (void)ref;
    const pv_net *net = ctx;
    long n = pause_failures();
    pv_code c;
    pv_code_init(&c, 0);
    pv_error err = { 0 };
    pv_code_parse(&c, net, "10", &err);
    pv_cell C;
    pv_cell_init(&C);
    pv_cell_compute(&C, net, &c, &box1, PV_CELL_ALL | PV_CELL_DIRECT, &err);
    char path[128];
    snprintf(path, sizeof path, "%s/cell.cert", tmpdir);
    unlink(path);
    resume_failures(n);
    pv_cert *cert = pv_cert_open(path, net, &box1, &err);
    pv_status st = cert ? PV_OK : err.status;
    if (cert) {
        st = pv_cert_cell(cert, &C, &err);
        pv_status cl = pv_cert_close(cert, st == PV_OK, &err);
        if (st == PV_OK)
            st = cl;
    }
    CHECK(leftovers() == 0, "certificate: a temporary file is left (%s)",
          pv_error_name(st));
    CHECK((access(path, F_OK) == 0) == (st == PV_OK),
          "certificate: the file exists after %s", pv_error_name(st));
    pv_cell_clear(&C);
    pv_code_clear(&c);
    return st;
}

/* ---- local geometry: segment, radius, explore, the polygon walk, domains -- */

static long local_ref[8];      /* the complete runs' answers, by scenario */

/* mpq coordinates from small integers over 8 */
static void set_point(mpq_t *x, int a, int b)
{
    mpq_set_si(x[0], a, 8);
    mpq_set_si(x[1], b, 8);
}

static pv_status run_segment(void *ctx, int ref)
{
    (void)ctx;
    long n = pause_failures();
    mpq_t x[2], y[2];
    mpq_inits(x[0], x[1], y[0], y[1], NULL);
    set_point(x, -13, -11);
    set_point(y, 15, 9);
    resume_failures(n);
    pv_segment s;
    pv_segment_init(&s);
    pv_error err = { 0 };
    pv_status st = pv_segment_compute(&s, &demo, x, y, &err);
    if (st == PV_ERR_NOMEM)
        CHECK(s.npieces == 0 && s.pieces == NULL, "segment: output not empty after PV_ERR_NOMEM");
    else if (ref)
        local_ref[0] = s.npieces;
    else
        CHECK(s.npieces == local_ref[0], "segment: %d pieces, expected %ld", s.npieces,
              local_ref[0]);
    pv_segment_clear(&s);
    mpq_clears(x[0], x[1], y[0], y[1], NULL);
    return st;
}

static pv_status run_radius(void *ctx, int ref)
{
    const pv_box *box = ctx;
    long n = pause_failures();
    mpq_t x[2];
    mpq_inits(x[0], x[1], NULL);
    set_point(x, 3, 5);
    pv_radius R;
    pv_radius_init(&R);
    resume_failures(n);
    pv_error err = { 0 };
    pv_status st = pv_radius_compute(&R, &demo, x, box, &err);
    int k = box ? 2 : 1;
    if (st == PV_ERR_NOMEM)
        CHECK(!R.finite && R.nearest_l2.neurons == NULL, "radius: output not empty after "
              "PV_ERR_NOMEM");
    else if (ref)
        local_ref[k] = (long)mpz_get_si(mpq_denref(R.l2_squared));
    else
        CHECK((long)mpz_get_si(mpq_denref(R.l2_squared)) == local_ref[k],
              "radius: another distance");
    pv_radius_clear(&R);
    mpq_clears(x[0], x[1], NULL);
    return st;
}

static pv_status run_explore(void *ctx, int ref)
{
    (void)ctx;
    pv_code c = parse_code("1111|11");
    pv_explore_options o;
    pv_explore_options_init(&o);
    o.box = &box1;
    o.edges = 1;
    pv_explore E;
    pv_explore_init(&E);
    pv_error err = { 0 };
    pv_status st = pv_explore_run(&E, &demo, &c, &o, &err);
    if (st == PV_ERR_NOMEM)
        CHECK(E.ncells == 0 && E.cells == NULL, "explore: output not empty after PV_ERR_NOMEM");
    else if (ref)
        local_ref[3] = E.ncells * 1000L + E.nedges;
    else
        CHECK(E.ncells * 1000L + E.nedges == local_ref[3], "explore: another walk");
    pv_explore_clear(&E);
    pv_code_clear(&c);
    return st;
}

static pv_status run_tessellate(void *ctx, int ref)
{
    (void)ctx;
    pv_tessellation T;
    pv_tessellation_init(&T);
    pv_error err = { 0 };
    pv_status st = pv_tessellate(&T, &demo, &box1, NULL, &err);
    if (st == PV_ERR_NOMEM)
        CHECK(T.ncells == 0 && T.cells == NULL, "tessellation: output not empty after "
              "PV_ERR_NOMEM");
    else if (ref)
        local_ref[4] = T.ncells;
    else
        CHECK(T.ncells == local_ref[4], "tessellation: %d cells, expected %ld", T.ncells,
              local_ref[4]);
    pv_tessellation_clear(&T);
    return st;
}

static pv_status run_volume(void *ctx, int ref)
{
    (void)ctx;
    long n = pause_failures();
    pv_code c = parse_code("1000|10");
    mpq_t v;
    mpq_init(v);
    resume_failures(n);
    pv_volume_kind kind = PV_VOLUME_EMPTY;
    pv_error err = { 0 };
    pv_status st = pv_volume_of_code(v, &kind, &demo, &c, &box1,
                                     PV_VOLUME_DIM_UNKNOWN, &err);
    long got = mpz_get_si(mpq_numref(v)) * 1000000L + mpz_get_si(mpq_denref(v));
    if (st == PV_ERR_NOMEM)
        CHECK(mpq_sgn(v) == 0, "volume: output not 0 after PV_ERR_NOMEM");
    else if (ref)
        local_ref[5] = got;
    else
        CHECK(kind == PV_VOLUME_FINITE && got == local_ref[5], "volume: another value");
    mpq_clear(v);
    pv_code_clear(&c);
    return st;
}

static pv_status run_domain(void *ctx, int ref)
{
    const char *path = ctx;
    pv_box b;
    pv_box_init(&b, 2);
    pv_error err = { 0 };
    pv_status st = pv_box_load(&b, 2, path, NULL, &err);
    CHECK(b.dim == 2, "domain: the box is no longer 2-D");
    if (st == PV_OK && ref)
        local_ref[5] = mpz_get_si(mpq_denref(b.hi[1]));
    else if (st == PV_OK)
        CHECK(mpz_get_si(mpq_denref(b.hi[1])) == local_ref[5], "domain: another box");
    pv_box_clear(&b);
    return st;
}

static pv_status run_write(void *ctx, int ref)
{
    (void)ctx;
    (void)ref;
    char path[128];
    snprintf(path, sizeof path, "%s/out.pvnet", tmpdir);
    unlink(path);
    pv_error err = { 0 };
    pv_status st = pv_net_write_pvnet(&demo, path, &err);
    CHECK(leftovers() == 0, "write: a temporary file is left");
    CHECK((access(path, F_OK) == 0) == (st == PV_OK), "write: file after %s",
          pv_error_name(st));
    return st;
}

/* ---- parsers, codes, statistics -------------------------------------------- */

static char parsed_code[64];
static int parsed_distinct, parsed_classes;

static pv_status run_parsers(void *ctx, int ref)
{
    (void)ctx;
    pv_error err = { 0 };
    mpq_t x[2];
    mpq_init(x[0]);
    mpq_init(x[1]);
    mpq_set_ui(x[0], 7, 1);
    pv_status st = pv_point_parse(x, 2, "1/3,-12345678901234567890.5e-3", &err);
    if (st == PV_ERR_NOMEM)
        CHECK(mpq_cmp_ui(x[0], 7, 1) == 0, "point: changed after PV_ERR_NOMEM");
    pv_box b;
    pv_box_init(&b, 2);
    if (st == PV_OK)
        st = pv_box_parse(&b, 2, "-1,1,-12345678901/7,3", &err);
    pv_pointset ps;
    pv_pointset_init(&ps);
    const char csv[] = "a,b,label\n1,2,x\n-1/2,3.25,y\n0,0,x\n5,-7,z\n";
    if (st == PV_OK)
        st = pv_pointset_parse_csv(&ps, csv, sizeof csv - 1, "t.csv", 2, 2, &err);
    pv_code_stats S;
    pv_code_stats_init(&S);
    if (st == PV_OK)
        st = pv_code_stats_compute(&S, &demo, &ps, NULL, 100, 1, &err);
    pv_code codes[4];
    for (int i = 0; i < 4; i++) {
        long n = pause_failures();
        pv_code_init(&codes[i], 1);
        resume_failures(n);
    }
    if (st == PV_OK)
        st = pv_code_at_points(&demo, ps.count, ps.x, codes, NULL, &err);
    char *s = NULL;
    if (st == PV_OK && (s = pv_code_str(&codes[1], &demo)) == NULL)
        st = PV_ERR_NOMEM;
    if (st == PV_OK && ref) {
        snprintf(parsed_code, sizeof parsed_code, "%s", s);
        parsed_distinct = S.distinct_codes;
        parsed_classes = S.nclasses;
        CHECK(!strcmp(s, "0110|00") && S.distinct_codes == 4 && S.nclasses == 3,
              "parsers: %s, %d codes, %d classes", s, S.distinct_codes, S.nclasses);
    } else if (st == PV_OK)
        CHECK(!strcmp(s, parsed_code) && S.distinct_codes == parsed_distinct &&
              S.nclasses == parsed_classes, "parsers: %s, %d codes", s,
              S.distinct_codes);
    free(s);
    for (int i = 0; i < 4; i++)
        pv_code_clear(&codes[i]);
    pv_code_stats_clear(&S);
    pv_pointset_clear(&ps);
    pv_box_clear(&b);
    mpq_clear(x[0]);
    mpq_clear(x[1]);
    return st;
}

/* ---- the machinery itself ---------------------------------------------------- */

/* What a hook allocates is the application's: an unwinding after it must
 * not free it. A realloc of a block from before the scope stays the
 * caller's. The byte count follows the live blocks (it also counts the
 * set itself, which may grow by a bitmap when a block lands in a new
 * region of addresses). Blocks spread over many regions (large ones are
 * mmapped far apart), moved by realloc and partly freed are tracked one
 * by one, and the unwinding frees exactly the live ones (AddressSanitizer
 * and LeakSanitizer see a double free or a leak). */
static mpz_t user;
static void *volatile spread[96];

static void test_spread(void)
{
    for (int i = 0; i < 96; i++)
        spread[i] = pv_malloc(i % 3 == 0 ? 200000 + 4096 * (size_t)i : 24 + (size_t)i);
    int ok = 1;
    for (int i = 0; i < 96; i++) {
        if (i % 4 == 1)
            spread[i] = pv_realloc(spread[i], 300000);   /* moves */
        else if (i % 4 == 2) {
            void *p = spread[i];
            pv_free(p);
            ok &= !pv_scope_tracks(p);
            spread[i] = NULL;
        }
        ok &= spread[i] == NULL || pv_scope_tracks(spread[i]);
    }
    CHECK(ok, "scope: a block spread over many regions is not tracked as it should");
}

static void test_scope(void)
{
    mpz_init_set_ui(user, 1);
    void *before = malloc(16);
    static pv_scope sc;
    static void *volatile grown;
    pv_scope_open(&sc);
    if (setjmp(sc.jb) != 0) {
        pv_error err = { 0 };
        CHECK(pv_scope_failed(&sc, &err) == PV_ERR_NOMEM && strstr(err.msg, "out of memory"),
              "scope: %s", err.msg);
        mpz_mul_2exp(user, user, 100000);        /* still the application's */
        CHECK(mpz_sizeinbase(user, 2) == 200001, "scope: the hook's number");
        mpz_clear(user);
        free(grown);
        return;
    }
    pv_free(pv_malloc(8));                        /* the set exists now */
    size_t b0 = pv_scope_bytes();
    void *p = pv_malloc(1000);
    size_t b1 = pv_scope_bytes();
    CHECK(b1 >= b0 + 1000 && pv_scope_tracks(p), "scope: bytes");
    pv_free(p);
    size_t b2 = pv_scope_bytes();
    CHECK(b2 + 1000 <= b1 && b2 >= b0 && !pv_scope_tracks(p), "scope: bytes after free");
    test_spread();
    PV_HOOK(mpz_mul_2exp(user, user, 100000));
    CHECK(!pv_scope_tracks(mpz_limbs_read(user)), "scope: a hook's block is tracked");
    grown = pv_realloc(before, 1 << 20);
    CHECK(!pv_scope_tracks(grown), "scope: a realloc of an older block is tracked");
    pv_malloc(77);                                /* freed by the unwinding */
    pv_mem_fail_after(1);
    pv_malloc(10);
    CHECK(0, "scope: the injected failure did not unwind");
}

int main(void)
{
    pv_memory_install_gmp();
    CHECK(pv_memory_gmp_installed(), "GMP functions not installed");
    pv_error err = { 0 };
    pv__net_init(&demo);
    if (pv_net_load(&demo, "examples/demo.pvnet", &err) != PV_OK) {
        printf("FAIL: %s (run from the source root)\n", err.msg);
        return 1;
    }
    pv_box_init(&box1, 2);
    pv_box_parse(&box1, 2, "-1,1", &err);
    pv_net cross, star3, fc223;
    pv__net_init(&cross);
    pv__net_init(&star3);
    pv__net_init(&fc223);
    pv_net_load(&cross, "tests/nets/cross.pvnet", &err);
    pv_net_load(&star3, "tests/nets/star3.pvnet", &err);
    pv_net_load(&fc223, "tests/nets/fc223.pvnet", &err);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pv-oom-XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        printf("FAIL: mkdtemp\n");
        return 1;
    }
    char gz[128];
    snprintf(gz, sizeof gz, "%s/demo.pvnet.gz", tmpdir);
    FILE *in = fopen("examples/demo.pvnet", "rb");
    gzFile out = gzopen(gz, "wb");
    char buf[4096];
    size_t got;
    while (in != NULL && out != NULL && (got = fread(buf, 1, sizeof buf, in)) > 0)
        gzwrite(out, buf, (unsigned)got);
    if (in != NULL)
        fclose(in);
    if (out != NULL)
        gzclose(out);
    /* pvnet 2: code lines, a mixed dense layer, a mixed sparse layer with
     * an empty row. */
    char pv2[128];
    snprintf(pv2, sizeof pv2, "%s/mixed.pvnet", tmpdir);
    FILE *f2 = fopen(pv2, "w");
    if (f2 != NULL) {
        fputs("pvnet 2\ninput 3\ncode 0 2 Relu 1 [1,2] a\ncode 2 1 MaxPool 0 [1] b\n"
              "layer relu 2 linear 1\n1 -1 0\n0 1/2 1\n1 1 1\nbias 0 -1 2\n"
              "layer relu 1 linear 2 sparse\n0:1 2:-1/2\n-\n1:3\nbias 1 0 -2\n", f2);
        fclose(f2);
    }

    test_scope();

    cell_case cells[] = {
        { "1000|10", NULL, PV_CELL_ALL, 0, 0, 0, "" },
        { "1111|11", NULL, PV_CELL_ALL, 0, 0, 0, "" },
        { "0000|11", NULL, PV_CELL_ALL, 0, 0, 0, "" },        /* not realised */
        { "1100|11", &box1, PV_CELL_ALL | PV_CELL_DIRECT, 0, 0, 0, "" },
    };
    adj_case adj[] = {
        { "1000|10", "1000|11", NULL, 0, 0 },
        { "1100|10", "1111|11", &box1, 0, 0 },
    };
    enum_case en[] = {
        { &cross, NULL, 1, 0, 0 },
        { &cross, &box1, 1, 0, 0 },
        { &fc223, &box1, 1, 0, 0 },
        { &cross, NULL, 0, 0, 0 },
    };
    lemma_case lem[3];
    memset(lem, 0, sizeof lem);
    lem[0].net = &fc223;
    lem[1].net = &star3, lem[1].box = &box1;
    lem[2].net = &star3, lem[2].flips = 1;
    for (int i = 0; i < 3; i++)
        pv_enum_init(&lem[i].E);
    load_case loads[] = {
        { "examples/demo.pvnet", 0, 0, 0 },
        { "examples/demo.pvnet", 1, 0, 0 },
        { "tests/nets/nvjl_small_nnet.nnet", 0, 0, 0 },
        { "tests/nets/tiny_norm_gemm.onnx", 1, 0, 0 },
        { gz, 0, 0, 0 },
        { pv2, 1, 0, 0 },
    };
    /* exact: 1 for the calls whose exact-LP path is cheap enough to sweep
     * too (without the float search every LP is cddlib's) */
    static char vnnlib[128];
    snprintf(vnnlib, sizeof vnnlib, "%s/d.vnnlib", tmpdir);
    FILE *vf = fopen(vnnlib, "w");
    if (vf) {
        fputs("(declare-const X_0 Real)\n(declare-const X_1 Real)\n"
              "(assert (<= X_0 0.5))\n(assert (>= X_0 -1/3))\n"
              "(assert (and (<= X_1 0.25) (>= X_1 (- 2))))\n", vf);
        fclose(vf);
    }
    scenario all[] = {
        { "cell 1000|10", run_cell, &cells[0], 1, NULL },
        { "cell 1111|11", run_cell, &cells[1], 0, NULL },
        { "cell 0000|11 (not realised)", run_cell, &cells[2], 1, NULL },
        { "cell 1100|11 box, direct", run_cell, &cells[3], 0, NULL },
        { "adjacency 1000|10 1000|11", run_adjacency, &adj[0], 1, NULL },
        { "adjacency 1100|10 1111|11 box", run_adjacency, &adj[1], 0, NULL },
        { "enumerate cross, graph", run_enumerate, &en[0], 0, NULL },
        { "enumerate cross", run_enumerate, &en[3], 1, NULL },
        { "enumerate cross box, graph", run_enumerate, &en[1], 0, NULL },
        { "enumerate fc223 box, graph", run_enumerate, &en[2], 0, NULL },
        { "lemma 1 fc223", run_lemma, &lem[0], 1, prepare_lemma },
        { "lemma 1 star3 box", run_lemma, &lem[1], 0, prepare_lemma },
        { "flips star3", run_lemma, &lem[2], 0, prepare_lemma },
        { "load .pvnet", run_load, &loads[0], 0, NULL },
        { "load .pvnet over a net", run_load, &loads[1], 0, NULL },
        { "load .nnet", run_load, &loads[2], 0, NULL },
        { "load .onnx over a net", run_load, &loads[3], 0, NULL },
        { "load .pvnet.gz", run_load, &loads[4], 0, NULL },
        { "load pvnet 2 over a net", run_load, &loads[5], 0, NULL },
        { "add_layer, finalize", run_build, NULL, 0, NULL },
        { "certificate of a cell (cross, box)", run_certificate, &cross, 0, NULL },
        { "write .pvnet", run_write, NULL, 0, NULL },
        { "segment demo", run_segment, NULL, 1, NULL },
        { "radius demo", run_radius, NULL, 1, NULL },
        { "radius demo box", run_radius, &box1, 0, NULL },
        { "explore demo box, edges", run_explore, NULL, 0, NULL },
        { "polygon walk demo box", run_tessellate, NULL, 0, NULL },
        { "volume demo box", run_volume, NULL, 1, NULL },
        { "domain .vnnlib", run_domain, vnnlib, 0, NULL },
        { "parsers, codes, statistics", run_parsers, NULL, 0, NULL },
    };
    const char *e = getenv("POLYVERIFY_EXACT_ONLY");
    int exact = e != NULL && *e != '\0' && strcmp(e, "0") != 0;
    printf("POLYVERIFY_EXACT_ONLY=%s\n", e ? e : "");
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i].exact || !exact)
            sweep(&all[i]);
    for (int i = 0; i < 3; i++)
        pv_enum_clear(&lem[i].E);
    printf("%ld failing runs in all\n", total_runs);

    unlink(gz);
    unlink(pv2);
    char path[128];
    snprintf(path, sizeof path, "%s/cell.cert", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/out.pvnet", tmpdir);
    unlink(path);
    unlink(vnnlib);
    rmdir(tmpdir);
    pv__net_clear(&cross);
    pv__net_clear(&star3);
    pv__net_clear(&fc223);
    pv_box_clear(&box1);
    pv__net_clear(&demo);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
