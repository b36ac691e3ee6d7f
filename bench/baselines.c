/* The baselines: what polyverify's part (a) is measured against, on the
 * same codes in the same run.
 *
 * (b) naive exact  the rational rows (pv__system_from_code: primitive
 *                  integer rows; timed), then ONE cold exact LP, max t s.t.
 *                  g.x + h >= t, t <= 1: GLPK's glp_exact when every number
 *                  is exactly a double, cddlib's GMP LP (dual simplex)
 *                  otherwise. Realised+dim is that one LP (t > 0: open,
 *                  full-dimensional); the facet list is estimated as
 *                  (1 + rows) x that LP (report.c). Run on the first code
 *                  only, killed at the time limit (harness.c).
 * (c) float only   what a float tool does: the rows built in double from
 *                  double weights by the layer recursion (A_1 = W_1,
 *                  c_1 = b_1, A_{l+1} = W_{l+1} D_l A_l, c_{l+1} =
 *                  W_{l+1} D_l c_l + b_{l+1}, rows signed by the bits, box
 *                  rows appended), normalised, then GLPK's double simplex:
 *                  "dim" = build + max-slack LP (cold dual simplex);
 *                  "LP" = that LP alone (reported for transparency);
 *                  "facets" = build + max-slack LP + one LP per row (min
 *                  row i over the others, row i relaxed to >= -1,
 *                  |z_j| <= 1e6, primal simplex warm-started from the
 *                  previous row's basis); when the row LPs exceed the
 *                  budget (--float-budget, per code) the rest is
 *                  extrapolated linearly from the rows done. It decides
 *                  nothing exactly.
 * redund           lrslib's `redund` (all facets, exact) on the closure of
 *                  the first code written as an .ine H-representation
 *                  (pv_system_write_ine); the subprocess's time, killed at
 *                  the limit.
 *
 * The baselines load GLPK and cddlib themselves rather than through
 * src/lp/: each must stay what its kind of tool does, whatever the
 * library's LP layer becomes (its presolve, for one, would flatter (c)).
 * Like (a), (c) repeats its first query once untimed (library set-up). */
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cddlib/setoper.h>
#include <cddlib/cdd.h>

#include "polyverify/system.h"
#include "pvbench.h"

/* ---- the max-slack LP, in double ------------------------------------------- */

/* The dense matrix G (n x k) into P's columns 1..k, with column k + 1
 * (t) at -1 in every row when with_t. */
static void load_dense(glp_prob *P, int k, int n, const double *G, int with_t)
{
    size_t cap = (size_t)n * (size_t)(k + 1) + 1;
    int *ia = malloc(cap * sizeof *ia), *ja = malloc(cap * sizeof *ja);
    double *ar = malloc(cap * sizeof *ar);
    int nz = 0;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < k; j++) {
            double v = G[(size_t)i * k + j];
            if (v != 0.0) {
                nz++;
                ia[nz] = i + 1, ja[nz] = j + 1, ar[nz] = v;
            }
        }
        if (with_t) {
            nz++;
            ia[nz] = i + 1, ja[nz] = k + 1, ar[nz] = -1.0;
        }
    }
    glp_load_matrix(P, nz, ia, ja, ar);
    free(ia);
    free(ja);
    free(ar);
}

/* max t s.t. G z + h >= t, t <= 1 over z in R^k (G: n x k, row-major):
 * t > 0 iff the open polyhedron G z + h > 0 is non-empty (then it is
 * full-dimensional). */
static glp_prob *margin_lp(int k, int n, const double *G, const double *h)
{
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_rows(P, n);
    glp_add_cols(P, k + 1);
    for (int i = 0; i < n; i++)
        glp_set_row_bnds(P, i + 1, GLP_LO, -h[i], 0.0);
    for (int j = 0; j < k; j++)
        glp_set_col_bnds(P, j + 1, GLP_FR, 0.0, 0.0);
    glp_set_col_bnds(P, k + 1, GLP_UP, 0.0, 1.0);
    glp_set_obj_coef(P, k + 1, 1.0);
    load_dense(P, k, n, G, 1);
    return P;
}

/* ---- (b) naive exact: one cold exact LP ----------------------------------- */

static int fits_double(const mpz_t z) { return mpz_sizeinbase(z, 2) <= 53; }

/* Every number of S is exactly a double. */
static int system_fits_double(const pv_system *S)
{
    for (size_t i = 0; i < (size_t)S->nrows * (size_t)S->dim; i++)
        if (!fits_double(S->g[i]))
            return 0;
    for (int i = 0; i < S->nrows; i++)
        if (!fits_double(S->h[i]))
            return 0;
    return 1;
}

/* The margin LP of S by glp_exact (S's numbers are doubles exactly, so the
 * double matrix is S itself); returns t > 0, or -1 on the time limit, -2
 * on failure. */
static int naive_glp_exact(const pv_system *S, double limit)
{
    int m = S->dim, n = S->nrows;
    double *G = malloc(((size_t)n * (size_t)m + 1) * sizeof *G);
    double *h = malloc(((size_t)n + 1) * sizeof *h);
    for (int i = 0; i < n; i++) {
        h[i] = mpz_get_d(S->h[i]);
        for (int j = 0; j < m; j++)
            G[(size_t)i * m + j] = mpz_get_d(PV_G(S, i, j));
    }
    glp_prob *P = margin_lp(m, n, G, h);
    free(G);
    free(h);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.tm_lim = (int)(limit * 1000);
    glp_term_out(GLP_OFF);
    int rc = glp_exact(P, &parm);
    int res = rc == GLP_ETMLIM ? -1 : rc != 0 ? -2
            : glp_get_status(P) == GLP_OPT ? glp_get_obj_val(P) > 0 : 0;
    glp_delete_prob(P);
    return res;
}

/* The same LP by cddlib's GMP build (each row divided by its largest
 * entry: cddlib's float phase overflows on long integers otherwise). */
static int naive_cddlib(const pv_system *S)
{
    int m = S->dim, n = S->nrows;
    dd_set_global_constants();
    dd_MatrixPtr M = dd_CreateMatrix(n + 1, m + 2);
    M->representation = dd_Inequality;
    M->numbtype = dd_Rational;
    mpz_t mx;
    mpz_init(mx);
    for (int i = 0; i < n; i++) {
        mpz_abs(mx, S->h[i]);
        for (int j = 0; j < m; j++)
            if (mpz_cmpabs(PV_G(S, i, j), mx) > 0)
                mpz_abs(mx, PV_G(S, i, j));
        if (mpz_sgn(mx) == 0)
            mpz_set_ui(mx, 1);
        for (int j = 0; j <= m; j++) {
            mpq_set_z(M->matrix[i][j], j == 0 ? S->h[i] : PV_G(S, i, j - 1));
            mpq_set_den(M->matrix[i][j], mx);
            mpq_canonicalize(M->matrix[i][j]);
        }
        mpq_set_si(M->matrix[i][m + 1], -1, 1);
    }
    mpz_clear(mx);
    mpq_set_si(M->matrix[n][0], 1, 1);             /* 1 - t >= 0 */
    mpq_set_si(M->matrix[n][m + 1], -1, 1);
    M->objective = dd_LPmax;
    mpq_set_si(M->rowvec[m + 1], 1, 1);
    dd_ErrorType err = dd_NoError;
    dd_LPPtr lp = dd_Matrix2LP(M, &err);
    int res = -2;
    if (lp && err == dd_NoError) {
        dd_LPSolve(lp, dd_DualSimplex, &err);
        if (err == dd_NoError && lp->LPS == dd_Optimal)
            res = mpq_sgn(lp->optvalue) > 0;
    }
    if (lp)
        dd_FreeLPData(lp);
    dd_FreeMatrix(M);
    return res;
}

void run_b(void *setup_ctx, void *out)
{
    const setup *s = setup_ctx;
    part_b *r = out;
    memset(r, 0, sizeof *r);
    double t0 = bench_clock(s->opt);
    pv_system S;
    pv__system_from_code(&S, &s->net, &s->codes[0], setup_box(s), NULL);
    int fits = system_fits_double(&S);
    r->cddlib = !fits;
    int res = fits ? naive_glp_exact(&S, s->opt->naive_limit) : naive_cddlib(&S);
    r->dim_s = bench_clock(s->opt) - t0;
    r->status = res == -1 ? ST_TIMEOUT : res == -2 ? ST_FAIL : ST_OK;
    r->realized = res == 1;
    pv_system_clear(&S);
}

/* ---- (c) float only -------------------------------------------------------- */

typedef struct dnet {
    int m, nl, last_relu, nrows;
    const pv_layer *L;
    double **w, **b;
    double *lo, *hi;       /* box, or NULL */
} dnet;

/* The weights in double: what a float tool holds in memory (not timed). */
static void dnet_init(dnet *D, const setup *s)
{
    const pv_net *net = &s->net;
    D->m = net->input_dim;
    D->nl = net->nlayers;
    D->L = net->layers;
    D->w = malloc((size_t)D->nl * sizeof(double *));
    D->b = malloc((size_t)D->nl * sizeof(double *));
    D->last_relu = -1;
    for (int l = 0; l < D->nl; l++) {
        const pv_layer *L = &net->layers[l];
        D->w[l] = malloc((size_t)L->out * (size_t)L->in * sizeof(double));
        D->b[l] = malloc((size_t)L->out * sizeof(double));
        for (size_t i = 0; i < (size_t)L->out * (size_t)L->in; i++)
            D->w[l][i] = mpq_get_d(L->w[i]);
        for (int i = 0; i < L->out; i++)
            D->b[l][i] = mpq_get_d(L->b[i]);
        if (L->act == PV_RELU)
            D->last_relu = l;
    }
    D->nrows = net->neurons;
    D->lo = D->hi = NULL;
    if (s->has_box) {
        D->nrows += 2 * D->m;
        D->lo = malloc((size_t)D->m * sizeof(double));
        D->hi = malloc((size_t)D->m * sizeof(double));
        for (int j = 0; j < D->m; j++) {
            D->lo[j] = mpq_get_d(s->box.lo[j]);
            D->hi[j] = mpq_get_d(s->box.hi[j]);
        }
    }
}

static void dnet_clear(dnet *D)
{
    for (int l = 0; l < D->nl; l++) {
        free(D->w[l]);
        free(D->b[l]);
    }
    free(D->w);
    free(D->b);
    free(D->lo);
    free(D->hi);
}

/* A_l, c_l (out x m, out) of layer l > 0 from A_{l-1}, c_{l-1}: A_l =
 * W_l D_{l-1} A_{l-1}, c_l = W_l D_{l-1} c_{l-1} + b_l, D_{l-1} the 0/1
 * diagonal of layer l-1's bits (the identity for a linear layer). */
static void compose_layer(const dnet *D, const pv_code *code, int l, const double *A,
                          const double *c, double *An, double *cn)
{
    int m = D->m, out = D->L[l].out;
    const pv_layer *P = &D->L[l - 1];
    const double *W = D->w[l];
    for (int i = 0; i < out; i++) {
        double *a = An + (size_t)i * m, cc = D->b[l][i];
        memset(a, 0, (size_t)m * sizeof(double));
        for (int j = 0; j < P->out; j++) {
            if (P->act == PV_RELU && !code->bit[P->first_neuron + j])
                continue;
            double wij = W[(size_t)i * P->out + j];
            if (wij == 0.0)
                continue;
            const double *aj = A + (size_t)j * m;
            for (int k = 0; k < m; k++)
                a[k] += wij * aj[k];
            cc += wij * c[j];
        }
        cn[i] = cc;
    }
}

/* Every row of G (n x m) and h scaled to a unit normal (zero rows kept). */
static void normalise_rows(int n, int m, double *G, double *h)
{
    for (int i = 0; i < n; i++) {
        double sq = 0;
        for (int k = 0; k < m; k++)
            sq += G[(size_t)i * m + k] * G[(size_t)i * m + k];
        double nrm = sq > 0 ? sqrt(sq) : 1.0;
        for (int k = 0; k < m; k++)
            G[(size_t)i * m + k] /= nrm;
        h[i] /= nrm;
    }
}

/* The rows of a code in double by the layer recursion (one row per ReLU
 * neuron, its pre-activation signed by its bit, so that the cell is
 * G z + h >= 0), the box rows after them, then normalised: G (nrows x m),
 * h (nrows). */
static void float_rows(const dnet *D, const pv_code *code, double *G, double *h)
{
    int m = D->m, r = 0;
    const double *A = D->w[0], *c = D->b[0];
    double *Ab = NULL, *cb = NULL;         /* A, c when they are not layer 0's */
    for (int l = 0; l <= D->last_relu; l++) {
        const pv_layer *L = &D->L[l];
        int out = L->out;
        if (l > 0) {
            double *An = malloc((size_t)out * (size_t)m * sizeof(double));
            double *cn = malloc((size_t)out * sizeof(double));
            compose_layer(D, code, l, A, c, An, cn);
            free(Ab);
            free(cb);
            A = Ab = An, c = cb = cn;
        }
        if (L->act != PV_RELU)
            continue;
        for (int i = 0; i < out; i++, r++) {
            double sg = code->bit[L->first_neuron + i] ? 1.0 : -1.0;
            for (int k = 0; k < m; k++)
                G[(size_t)r * m + k] = sg * A[(size_t)i * m + k];
            h[r] = sg * c[i];
        }
    }
    free(Ab);
    free(cb);
    if (D->lo)
        for (int j = 0; j < m; j++, r += 2) {
            memset(G + (size_t)r * m, 0, 2 * (size_t)m * sizeof(double));
            G[(size_t)r * m + j] = 1.0, h[r] = -D->lo[j];
            G[(size_t)(r + 1) * m + j] = -1.0, h[r + 1] = D->hi[j];
        }
    normalise_rows(r, m, G, h);
}

static void float_parm(glp_smcp *parm, glp_prob *P, int meth)
{
    glp_init_smcp(parm);
    parm->msg_lev = GLP_MSG_OFF;
    parm->meth = meth;
    parm->it_lim = 20 * (glp_get_num_rows(P) + glp_get_num_cols(P)) + 1000;
    glp_term_out(GLP_OFF);
}

/* The margin LP by a cold dual simplex. Returns t, or -1e300 when GLPK
 * reported no optimum. */
static double float_margin(int k, int n, const double *G, const double *h)
{
    glp_prob *P = margin_lp(k, n, G, h);
    glp_smcp parm;
    float_parm(&parm, P, GLP_DUALP);
    double t = -1e300;
    if (glp_simplex(P, &parm) == 0 && glp_get_status(P) == GLP_OPT)
        t = glp_get_obj_val(P);
    glp_delete_prob(P);
    return t;
}

/* One LP per row: min G_i z + h_i over the other rows, row i relaxed to
 * >= -1 (so the minimum is finite), |z_j| <= 1e6 (free columns make
 * GLPK's warm-started primal simplex several times slower); a value
 * < -1e-9 counts as a facet. Stops after --float-budget seconds (0: never);
 * *done = the rows tested. Returns the number of facets found. */
static int float_facets(const options *o, int k, int n, const double *G, const double *h,
                        int *done)
{
    glp_prob *P = glp_create_prob();
    glp_set_obj_dir(P, GLP_MIN);
    glp_add_rows(P, n);
    glp_add_cols(P, k);
    for (int i = 0; i < n; i++)
        glp_set_row_bnds(P, i + 1, GLP_LO, -h[i], 0.0);
    for (int j = 0; j < k; j++)
        glp_set_col_bnds(P, j + 1, GLP_FR, 0.0, 0.0);
    load_dense(P, k, n, G, 0);
    for (int j = 0; j < k; j++)
        glp_set_col_bnds(P, j + 1, GLP_DB, -1e6, 1e6);
    glp_smcp parm;
    float_parm(&parm, P, GLP_PRIMAL);
    int found = 0, i;
    double t0 = bench_clock(o);
    for (i = 0; i < n; i++) {
        if (o->float_budget > 0 && bench_clock(o) - t0 > o->float_budget)
            break;
        int nz = 0;
        for (int j = 0; j < k; j++)
            nz |= G[(size_t)i * k + j] != 0.0;
        if (!nz)
            continue;
        glp_set_row_bnds(P, i + 1, GLP_LO, -1.0 - h[i], 0.0);
        for (int j = 0; j < k; j++)
            glp_set_obj_coef(P, j + 1, G[(size_t)i * k + j]);
        if (glp_simplex(P, &parm) == 0 && glp_get_status(P) == GLP_OPT &&
            glp_get_obj_val(P) + h[i] < -1e-9)
            found++;
        glp_set_row_bnds(P, i + 1, GLP_LO, -h[i], 0.0);
    }
    glp_delete_prob(P);
    *done = i;
    return found;
}

void run_c(void *setup_ctx, void *out)
{
    const setup *s = setup_ctx;
    const options *o = s->opt;
    part_c *r = out;
    memset(r, 0, sizeof *r);
    r->status = ST_OK;
    dnet D;
    dnet_init(&D, s);
    int m = D.m, n = D.nrows;
    double *G = malloc(((size_t)n * m + 1) * sizeof *G), *h = malloc((size_t)n * sizeof *h);
    float_rows(&D, &s->codes[0], G, h);          /* warm-up, untimed */
    float_margin(m, n, G, h);
    for (int q = 0; q < s->queries; q++) {
        double t0 = bench_clock(o);
        float_rows(&D, &s->codes[q], G, h);
        double t1 = bench_clock(o);
        double t = float_margin(m, n, G, h);
        double t2 = bench_clock(o);
        int done;
        int found = float_facets(o, m, n, G, h, &done);
        double t3 = bench_clock(o);
        r->build_s += t1 - t0;
        r->lp_s += t2 - t1;
        /* stopped by the budget: the row LPs extrapolated linearly */
        r->facets_s += t2 - t0 + (done < n ? (t3 - t2) * n / (done ? done : 1) : t3 - t2);
        r->estimated |= done < n;
        r->realized += t > 1e-9;
        if (q == 0)
            r->facets_found0 = found, r->facets_tested0 = done;
    }
    int nq = s->queries;
    r->build_s /= nq;
    r->lp_s /= nq;
    r->dim_s = r->build_s + r->lp_s;
    r->facets_s /= nq;
    free(G);
    free(h);
    dnet_clear(&D);
}

/* ---- redund ---------------------------------------------------------------- */

/* redund prints the irredundant system as an .ine file; the row count
 * after "begin" is the number of facets. */
void run_redund(const setup *s, part_r *r, double limit)
{
    memset(r, 0, sizeof *r);
    char path[] = "/tmp/pvbench_ine_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        r->status = ST_FAIL;
        return;
    }
    FILE *f = fdopen(fd, "w");
    pv_system S;
    pv__system_from_code(&S, &s->net, &s->codes[0], setup_box(s), NULL);
    pv_system_write_ine(&S, f, s->c->name);
    fclose(f);
    pv_system_clear(&S);
    char *argv[] = { "redund", path, NULL };
    char *text = NULL;
    r->status = run_command(argv, limit, s->opt->cpu_clock, &text, &r->s, &r->peak_mb);
    if (r->status == ST_OK) {
        char *b = text ? strstr(text, "\nbegin\n") : NULL;
        if (!b || sscanf(b + 7, "%d", &r->facets) != 1)
            r->status = ST_FAIL;
    }
    free(text);
    unlink(path);
}
