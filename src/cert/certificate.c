/* polyverify — writing certificates (format: verify/README.md).
 *
 * A claim's proof is recomputed here in exact arithmetic against the set's
 * own rows: the multipliers of a dimension claim come from an exact LP over
 * the handful of rows that vanish (cddlib, GMP), emptiness multipliers from
 * one exact LP over all rows. Certificates are optional and slower than
 * answers; they are meant to be checked, not to be fast. */
#include "core/alloc.h"
#include "core/outfile.h"
#include "cert/certificate_internal.h"
#include "net/network_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "polyverify/dimension.h"
#include "polyverify/facets.h"
#include "polyverify/system.h"
#include "geom/system_internal.h"
#include "exact/linalg.h"
#include "lp/lp.h"

/* ---- fingerprint ---------------------------------------------------------- */

static void fnv(unsigned long long *h, const char *s)
{
    for (; *s; s++) {
        *h ^= (unsigned char)*s;
        *h *= 0x100000001b3ULL;
    }
}

static void fnv_q(unsigned long long *h, const mpq_t q)
{
    char *s = mpq_get_str(NULL, 10, q);
    fnv(h, " ");
    fnv(h, s);
    pv_free(s);
}

unsigned long long pv_net_fingerprint(const pv_net *net)
{
    unsigned long long h = 0xcbf29ce484222325ULL;
    char buf[64];
    snprintf(buf, sizeof buf, "pvnet %d %d", net->input_dim, net->nlayers);
    fnv(&h, buf);
    for (int k = 0; k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        if (L->act == PV_MIXED)
            snprintf(buf, sizeof buf, " mixed %d %d", L->nrelu, L->out);
        else
            snprintf(buf, sizeof buf, " %s %d", L->act == PV_RELU ? "relu" : "linear", L->out);
        fnv(&h, buf);
        /* every weight of the dense matrix, so storage does not matter */
        for (int i = 0; i < L->out; i++) {
            int col = 0;
            for (size_t e = pv_layer_row_begin(L, i); e < pv_layer_row_end(L, i); e++) {
                for (; col < pv_layer_col(L, i, e); col++)
                    fnv(&h, " 0");
                fnv_q(&h, L->w[e]);
                col++;
            }
            for (; col < L->in; col++)
                fnv(&h, " 0");
        }
        for (int i = 0; i < L->out; i++)
            fnv_q(&h, L->b[i]);
    }
    return h;
}

/* ---- sets ------------------------------------------------------------------ */

/* A set: up to two parts (a cell or a closure of a code), the box rows
 * once, and rows forced to zero. Its system lists part 0's neurons, the box
 * rows, then part 1's neurons; part[r] says which part a row belongs to. */
typedef struct cset {
    int nparts;
    const pv_code *code[2];
    int closure[2];
    int *zero, nz;              /* system row indices */
    pv_system S;
    int *part;
    int view;                   /* S's numbers are another set's (cset_face) */
    const struct dfilter *flt;  /* S's rows in doubles, or NULL            */
    pv_system *scratch;         /* one part: S is built in here (reused from
                                   set to set, not freed with the set)     */
    char name[16];
} cset;

static pv_status cset_build(cset *X, pv_cert *c, pv_error *err)
{
    const pv_net *net = c->net;
    if (X->scratch && X->nparts == 1) {     /* no allocation per set */
        pv_status rc = pv__system_from_code_reuse(X->scratch, net, X->code[0], c->box, err);
        if (rc != PV_OK)
            return rc;
        X->S = *X->scratch;
        if (X->closure[0])
            memset(X->S.strict, 0, (size_t)X->S.nrows);
        X->part = pv_calloc((size_t)X->S.nrows + 1, sizeof(int));
        for (int a = 0; a < X->nz; a++)
            X->S.eq[X->zero[a]] = 1;
        snprintf(X->name, sizeof X->name, "S%d", ++c->nsets);
        return PV_OK;
    }
    pv_system P[2];
    int n = 0;
    for (int p = 0; p < X->nparts; p++) {
        pv_status rc = pv__system_from_code(&P[p], net, X->code[p], p == 0 ? c->box : NULL, err);
        if (rc != PV_OK) {
            for (int q = 0; q < p; q++)
                pv_system_clear(&P[q]);
            return rc;
        }
        if (X->closure[p])
            memset(P[p].strict, 0, (size_t)P[p].nrows);
        n += P[p].nrows;
    }
    pv_system_init(&X->S, net->input_dim, n);
    X->part = pv_malloc((size_t)(n + 1) * sizeof(int));
    for (int p = 0, off = 0; p < X->nparts; p++) {
        pv_system_copy_rows(&X->S, off, &P[p]);
        for (int r = 0; r < P[p].nrows; r++)
            X->part[off + r] = p;
        off += P[p].nrows;
        pv_system_clear(&P[p]);
    }
    for (int a = 0; a < X->nz; a++)
        X->S.eq[X->zero[a]] = 1;
    snprintf(X->name, sizeof X->name, "S%d", ++c->nsets);
    return PV_OK;
}

/* The face of A's closure where rows `zero` vanish: A's system viewed
 * (neither rebuilt from the code nor copied: an MNIST cell's system has
 * 2080 x 784 numbers, and there is a face per row), strict rows made >=,
 * the zero rows =. A outlives X. */
static void cset_face(cset *X, const cset *A, pv_cert *c, const int *zero, int nz)
{
    memset(X, 0, sizeof *X);
    X->nparts = 1, X->code[0] = A->code[0], X->closure[0] = 1;
    X->zero = (int *)zero, X->nz = nz;
    X->S = A->S;                /* a view: only the flags are its own */
    X->view = 1;
    X->flt = A->flt;
    X->S.strict = pv_calloc((size_t)X->S.nrows + 1, 1);
    X->S.eq = pv_malloc((size_t)X->S.nrows + 1);
    memcpy(X->S.eq, A->S.eq, (size_t)X->S.nrows);
    X->part = pv_calloc((size_t)X->S.nrows + 1, sizeof(int));
    for (int a = 0; a < nz; a++)
        X->S.eq[zero[a]] = 1;
    snprintf(X->name, sizeof X->name, "S%d", ++c->nsets);
}

static void cset_clear(cset *X)
{
    if (X->scratch && X->nparts == 1) {
        /* the scratch's */
    } else if (X->view) {
        pv_free(X->S.strict);
        pv_free(X->S.eq);
    } else {
        pv_system_clear(&X->S);
    }
    pv_free(X->part);
}

static void write_ref(FILE *f, const cset *X, int r)
{
    int l = X->S.label[r];
    if (PV_LABEL_IS_BOX(l))
        fprintf(f, " %s:%d", PV_LABEL_BOX_HI(l) ? "hi" : "lo", PV_LABEL_BOX_COORD(l));
    else if (PV_LABEL_IS_DOMAIN(l))
        fprintf(f, " d:%d", PV_LABEL_DOMAIN_ROW(l));
    else
        fprintf(f, " %d:n%d", X->part[r], l);
}

static void cset_write(FILE *f, const cset *X)
{
    fprintf(f, "set %s\n", X->name);
    for (int p = 0; p < X->nparts; p++) {
        char *s = pv_code_str(X->code[p], NULL);
        fprintf(f, "  %s %s\n", X->closure[p] ? "closure" : "cell", s);
        pv_free(s);
    }
    if (X->nz) {
        fprintf(f, "  zero");
        for (int a = 0; a < X->nz; a++)
            write_ref(f, X, X->zero[a]);
        fprintf(f, "\n");
    }
    fprintf(f, "end\n");
}

/* ---- proofs ---------------------------------------------------------------- */

/* Multipliers in terms of the unscaled functions: the system's integer row
 * is scale * function, so y_function = y_row * scale. */
static void write_multipliers(FILE *f, const cset *X, const int *rows, int n,
                              mpq_t *const y)
{
    mpq_t t;
    mpq_init(t);
    fprintf(f, "  multipliers");
    for (int a = 0; a < n; a++) {
        if (mpq_sgn(y[a]) == 0)
            continue;
        mpq_mul(t, y[a], X->S.scale[rows[a]]);
        write_ref(f, X, rows[a]);
        gmp_fprintf(f, "=%Qd", t);
    }
    fprintf(f, "\n");
    mpq_clear(t);
}

/* y on rows E with sum y_e (g_e, h_e) = 0 and y_e >= 1 on inequality rows
 * (free on rows forced to zero): an exact LP over |E| variables. */
static int implicit_multipliers(const pv_system *S, const int *E, int ne,
                                mpq_t *y)
{
    int m = S->dim, nin = 0;
    for (int a = 0; a < ne; a++)
        nin += !S->eq[E[a]];
    int nrows = m + 1 + nin;
    mpq_t *A = pv_qvec_new(nrows * (ne ? ne : 1)), *b = pv_qvec_new(nrows);
    for (int a = 0; a < ne; a++) {
        for (int i = 0; i < m; i++)
            mpq_set_z(A[(size_t)i * ne + a], PV_G(S, E[a], i));
        mpq_set_z(A[(size_t)m * ne + a], S->h[E[a]]);
    }
    for (int a = 0, r = m + 1; a < ne; a++)
        if (!S->eq[E[a]]) {
            mpq_set_ui(A[(size_t)r * ne + a], 1, 1);   /* y_e - 1 >= 0 */
            mpq_set_si(b[r], -1, 1);
            r++;
        }
    int rc = ne == 0 ? PV_XLP_OPTIMAL : pv_xlp_find(ne, nrows, m + 1, A, b, y);
    pv_qvec_free(A, nrows * (ne ? ne : 1));
    pv_qvec_free(b, nrows);
    return rc == PV_XLP_OPTIMAL ? 0 : -1;
}

/* Emptiness: y >= 0 (free on forced rows) with sum y_i g_i = 0, h.y <= 0
 * and h.y - sum_{strict} y_i <= -1 (Farkas when h.y < 0, Motzkin when a
 * strict row carries weight). One exact LP over all rows. */
static int empty_multipliers(const pv_system *S, mpq_t *y)
{
    int m = S->dim, n = S->nrows, nin = 0;
    for (int i = 0; i < n; i++)
        nin += !S->eq[i];
    int nrows = m + nin + 2;
    mpq_t *A = pv_qvec_new(nrows * n), *b = pv_qvec_new(nrows);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++)
            mpq_set_z(A[(size_t)j * n + i], PV_G(S, i, j));
    int r = m;
    for (int i = 0; i < n; i++)
        if (!S->eq[i])
            mpq_set_ui(A[(size_t)(r++) * n + i], 1, 1);   /* y_i >= 0 */
    for (int i = 0; i < n; i++) {
        mpq_t *hy = &A[(size_t)r * n + i], *hs = &A[(size_t)(r + 1) * n + i];
        mpq_set_z(*hy, S->h[i]);                  /* -h.y >= 0            */
        mpq_neg(*hy, *hy);
        mpq_set(*hs, *hy);                        /* -h.y + y_S - 1 >= 0  */
        if (S->strict[i]) {
            mpq_t one;
            mpq_init(one);
            mpq_set_ui(one, 1, 1);
            mpq_add(*hs, *hs, one);
            mpq_clear(one);
        }
    }
    mpq_set_si(b[r + 1], -1, 1);
    int rc = pv_xlp_find(n, nrows, m, A, b, y);
    pv_qvec_free(A, nrows * n);
    pv_qvec_free(b, nrows);
    return rc == PV_XLP_OPTIMAL ? 0 : -1;
}

/* The rows of S that GLPK's margin LP weighs at its optimum, when it
 * finds no interior (t <= 0): a float guess of the support of emptiness
 * multipliers, in K (returns how many, 0 when the search fails). The
 * guess decides nothing: the exact LP over those rows alone proves it. */
static int float_empty_support(const pv_system *S, int *K)
{
    int m = S->dim, n = S->nrows, nk = 0, nf = 0;
    for (int i = 0; i < n; i++)
        nf += S->eq[i] ? 2 : 1;      /* an equation: both of its sides */
    double *G = pv_malloc(((size_t)nf * m + 1) * sizeof *G), *h = pv_malloc((size_t)nf * sizeof *h + 1);
    double *z = pv_malloc((size_t)m * sizeof *z + 1), *y = pv_malloc((size_t)nf * sizeof *y + 1);
    int *orig = pv_malloc((size_t)nf * sizeof *orig + 1);
    for (int i = 0, r = 0; i < n; i++) {
        pv__system_row_double(S, i, NULL, &G[(size_t)r * m], &h[r]);
        orig[r++] = i;
        if (S->eq[i]) {
            for (int j = 0; j < m; j++)
                G[(size_t)r * m + j] = -G[(size_t)(r - 1) * m + j];
            h[r] = -h[r - 1];
            orig[r++] = i;
        }
    }
    double t = 0.0, ymax = 0.0;
    if (pv_flp_margin(m, nf, G, h, z, &t, y) == 0 && t <= 0.0) {
        for (int r = 0; r < nf; r++)
            ymax = y[r] > ymax ? y[r] : ymax;
        for (int r = 0; r < nf && ymax > 0.0; r++)
            if (y[r] > 1e-9 * ymax && (nk == 0 || K[nk - 1] != orig[r]))
                K[nk++] = orig[r];
    }
    pv_free(G);
    pv_free(h);
    pv_free(z);
    pv_free(y);
    pv_free(orig);
    return nk;
}

/* Emptiness multipliers over the guessed support K only (a small exact
 * LP), spread back to all rows of S; 0 on success. */
static int support_multipliers(const pv_system *S, const int *K, int nk,
                               mpq_t *y)
{
    pv_system T;
    pv_system_init(&T, S->dim, nk);
    for (int a = 0; a < nk; a++) {
        for (int j = 0; j < S->dim; j++)
            mpz_set(PV_G(&T, a, j), PV_G(S, K[a], j));
        mpz_set(T.h[a], S->h[K[a]]);
        T.strict[a] = S->strict[K[a]];
        T.eq[a] = S->eq[K[a]];
    }
    mpq_t *yk = pv_qvec_new(nk);
    int rc = empty_multipliers(&T, yk);
    for (int i = 0; rc == 0 && i < S->nrows; i++)
        mpq_set_ui(y[i], 0, 1);
    for (int a = 0; rc == 0 && a < nk; a++)
        mpq_set(y[K[a]], yk[a]);
    pv_qvec_free(yk, nk);
    pv_system_clear(&T);
    return rc;
}

static int *all_rows(int n)
{
    int *r = pv_malloc((size_t)(n + 1) * sizeof *r);
    for (int i = 0; i < n; i++)
        r[i] = i;
    return r;
}

static void write_empty_claim(pv_cert *c, const cset *X, mpq_t *const y)
{
    int n = X->S.nrows, *rows = all_rows(n);
    fprintf(c->f, "empty %s\n", X->name);
    write_multipliers(c->f, X, rows, n, y);
    fprintf(c->f, "end\n");
    c->claims++;
    pv_free(rows);
}

/* The emptiness claim from the support GLPK names (an exact LP over a
 * handful of rows): 1 when written, 0 when the guess fails (nothing is
 * written then). */
static int write_empty_fast(pv_cert *c, const cset *X)
{
    int n = X->S.nrows;
    mpq_t *y = pv_qvec_new(n);
    int *K = pv_malloc((size_t)(n + 1) * sizeof *K), nk = float_empty_support(&X->S, K);
    int found = nk > 0 && support_multipliers(&X->S, K, nk, y) == 0;
    if (found)
        write_empty_claim(c, X, y);
    pv_free(K);
    pv_qvec_free(y, n);
    return found;
}

/* The emptiness claim: the fast way, else one exact LP over all rows. */
static pv_status write_empty(pv_cert *c, const cset *X, pv_error *err)
{
    if (write_empty_fast(c, X))
        return PV_OK;
    int n = X->S.nrows;
    mpq_t *y = pv_qvec_new(n);
    pv_status rc = PV_OK;
    if (empty_multipliers(&X->S, y) != 0)
        rc = pv_error_set(err, PV_ERR_SOLVER, "certificate: no emptiness multipliers found");
    else
        write_empty_claim(c, X, y);
    pv_qvec_free(y, n);
    return rc;
}

/* S's rows in doubles, for the sign filter of vanishing_rows; exact[i]
 * marks a row with an entry out of double range (always exact). */
typedef struct dfilter {
    int m, n;
    double *g, *h;
    unsigned char *exact;
} dfilter;

static void dfilter_init(dfilter *F, const pv_system *S)
{
    int m = S->dim, n = S->nrows;
    F->m = m, F->n = n;
    F->g = pv_malloc(((size_t)n * m + 1) * sizeof *F->g);
    F->h = pv_malloc(((size_t)n + 1) * sizeof *F->h);
    F->exact = pv_calloc((size_t)n + 1, 1);
    for (int i = 0; i < n; i++) {
        F->h[i] = mpz_get_d(S->h[i]);
        int ok = isfinite(F->h[i]);
        for (int j = 0; j < m; j++) {
            double v = mpz_sgn(PV_G(S, i, j)) ? mpz_get_d(PV_G(S, i, j)) : 0.0;
            F->g[(size_t)i * m + j] = v;
            ok &= isfinite(v);
        }
        F->exact[i] = !ok;
    }
}

static void dfilter_clear(dfilter *F)
{
    pv_free(F->g);
    pv_free(F->h);
    pv_free(F->exact);
}

/* Row i at x in doubles proves row i non-zero when |r| > B. Each entry
 * and coordinate is truncated (relative error < 2^-52), each product
 * rounded, m + 1 terms summed: |r~ - r| <= (3 2^-52 + m 2^-53)(1 + eps)
 * sum |terms| < (m + 8) 2^-51 A for A = sum |g~ x~| + |h~|; underflow
 * adds at most (m + 2) 2^-1074 (sum |g~| + 1). Returns 1 when proved. */
static int filter_nonzero(const dfilter *F, int i, const double *xd)
{
    int m = F->m;
    const double *g = F->g + (size_t)i * m;
    double r = F->h[i], A = fabs(r), G = 1.0;
    for (int j = 0; j < m; j++) {
        if (g[j] == 0.0)
            continue;
        double p = g[j] * xd[j];
        r += p;
        A += fabs(p);
        G += fabs(g[j]);
    }
    double B = ((m + 8) * 0x1p-51 * A + (m + 8) * 0x1p-1070 * G) * 1.01;
    return isfinite(r) && isfinite(B) && fabs(r) > B;
}

/* The rows of S vanishing at x (skip[i] set: left out; skip may be NULL)
 * into rows; returns how many. The double filter F (NULL: none) settles
 * the rows plainly non-zero; the others, with x = X / delta over one
 * denominator, vanish iff g_i.X + h_i delta = 0: integer dot products.
 * (A facet point of an MNIST cell has 784 coordinates over a common
 * denominator of hundreds of digits, and there are 2080 rows and as many
 * faces: the exact products alone took minutes.) */
static int vanishing_rows(const pv_system *S, mpq_t *const x, const unsigned char *skip,
                          const dfilter *F, int *rows)
{
    int m = S->dim, n = 0, xok = F != NULL;
    double *xd = pv_malloc(((size_t)m + 1) * sizeof *xd);
    for (int j = 0; xok && j < m; j++) {
        xd[j] = mpq_get_d(x[j]);
        xok = isfinite(xd[j]);
    }
    mpz_t *X = NULL, delta, v;
    mpz_inits(delta, v, NULL);
    for (int i = 0; i < S->nrows; i++) {
        if (skip && skip[i])
            continue;
        if (xok && !F->exact[i] && filter_nonzero(F, i, xd))
            continue;
        if (!X) {
            X = pv_zvec_new(m);
            pv_qvec_common(X, delta, x, m);
        }
        if (pv__system_row_sign(S, i, X, delta, v) == 0)
            rows[n++] = i;
    }
    mpz_clears(delta, v, NULL);
    if (X)
        pv_zvec_free(X, (size_t)m);
    pv_free(xd);
    return n;
}

/* dim claim at the point x: E = the rows that vanish there. */
static pv_status write_dim(pv_cert *c, const cset *X, mpq_t *const x, int dim,
                           pv_error *err)
{
    const pv_system *S = &X->S;
    int n = S->nrows;
    int *E = pv_malloc((size_t)(n + 1) * sizeof *E), ne = vanishing_rows(S, x, NULL, X->flt, E);
    mpq_t *y = pv_qvec_new(ne);
    pv_status rc = PV_OK;
    if (implicit_multipliers(S, E, ne, y) != 0)
        rc = pv_error_set(err, PV_ERR_SOLVER, "certificate: no multipliers for the implicit equalities");
    else {
        FILE *f = c->f;
        fprintf(f, "dim %s %d\n  point", X->name, dim);
        for (int j = 0; j < S->dim; j++)
            gmp_fprintf(f, " %Qd", x[j]);
        fprintf(f, "\n  equal");
        for (int a = 0; a < ne; a++)
            write_ref(f, X, E[a]);
        fprintf(f, "\n");
        write_multipliers(f, X, E, ne, y);
        fprintf(f, "end\n");
        c->claims++;
    }
    pv_qvec_free(y, ne);
    pv_free(E);
    return rc;
}

/* Decides the set's dimension and writes the claim; *dim receives it and,
 * if point != NULL, the point is copied there (m entries). */
static pv_status certify_set(pv_cert *c, const cset *X, int *dim, mpq_t *point,
                             pv_error *err)
{
    /* most faces a certificate must rule out are empty: their multipliers
     * prove it with no dimension computation (whose exact fallback on a
     * face's frame is what made certificates slow) */
    if (write_empty_fast(c, X)) {
        *dim = -1;
        return PV_OK;
    }
    pv_dimension D;
    pv_status rc = pv__system_dimension(&X->S, &D, NULL, err);
    if (rc != PV_OK)
        return rc;
    *dim = D.dim;
    if (D.dim < 0)
        rc = write_empty(c, X, err);
    else {
        rc = write_dim(c, X, D.point, D.dim, err);
        for (int j = 0; point && j < X->S.dim; j++)
            mpq_set(point[j], D.point[j]);
    }
    pv_dimension_clear(&D);
    return rc;
}

/* ---- cells ----------------------------------------------------------------- */

/* Row of the cell's system for a neuron j, a box side or a domain row
 * (the domain's rows follow the neurons: box sides, then general rows). */
static int facet_rows(const pv_cell_facet *cf, const pv_cert *c, int *rows)
{
    int n = 0, N = c->net->neurons;
    for (int a = 0; a < cf->nneurons; a++)
        rows[n++] = cf->neurons[a];
    if (cf->box_coord >= 0)
        rows[n++] = N + 2 * cf->box_coord + cf->box_hi;
    if (cf->domain_row >= 0)
        rows[n++] = N + (c->box->intervals ? 2 * c->box->dim : 0) + cf->domain_row;
    return n;
}

/* The face of the closure where rows vanish: a point from the facet when
 * polyverify kept one, else the dimension procedure finds one (copied to
 * found, m entries, when found != NULL). */
static pv_status certify_face(pv_cert *c, const pv_cell *C, const cset *A,
                              const int *zero, int nz, const mpq_t *point,
                              int *dim, const char **name, cset *X,
                              mpq_t *found, pv_error *err)
{
    cset_face(X, A, c, zero, nz);
    cset_write(c->f, X);
    *name = X->name;
    if (point) {
        *dim = C->dim - 1;
        return write_dim(c, X, (mpq_t *)point, *dim, err);
    }
    return certify_set(c, X, dim, found, err);
}

/* Stiemke multipliers without an LP when S holds both sides of an
 * interval box: weight 1 on every other inequality row, r = the sum of
 * their normals; then coordinate j's sides a e_j (lower, a > 0) and
 * -b e_j (upper) take w_lo a - w_hi b = -r_j with w_hi = t =
 * max(1, (a + r_j) / b) and w_lo = (t b - r_j) / a, both >= 1. Returns 0
 * on success (w filled), -1 when S has no such box. */
static int box_stiemke(const pv_system *S, mpq_t *w)
{
    int m = S->dim, n = S->nrows;
    int *lo = pv_malloc((size_t)m * sizeof *lo + 1), *hi = pv_malloc((size_t)m * sizeof *hi + 1);
    for (int j = 0; j < m; j++)
        lo[j] = hi[j] = -1;
    mpz_t *r = pv_zvec_new(m);
    for (int i = 0; i < n; i++) {
        int l = S->label[i];
        if (S->eq[i]) {
            mpq_set_ui(w[i], 0, 1);        /* an equation: any weight */
            continue;
        }
        if (PV_LABEL_IS_BOX(l)) {
            int j = PV_LABEL_BOX_COORD(l), *side = PV_LABEL_BOX_HI(l) ? &hi[j] : &lo[j];
            if (j < m && *side < 0) {
                *side = i;
                continue;
            }
        }
        mpq_set_ui(w[i], 1, 1);
        for (int j = 0; j < m; j++)
            mpz_add(r[j], r[j], PV_G(S, i, j));
    }
    int ok = 1;
    mpq_t a, b, t, u;
    mpq_inits(a, b, t, u, NULL);
    for (int j = 0; j < m && ok; j++) {
        ok = lo[j] >= 0 && hi[j] >= 0;
        for (int k = 0; ok && k < m; k++)      /* pure sides of coordinate j */
            ok = k == j ? mpz_sgn(PV_G(S, lo[j], k)) > 0 && mpz_sgn(PV_G(S, hi[j], k)) < 0
                        : !mpz_sgn(PV_G(S, lo[j], k)) && !mpz_sgn(PV_G(S, hi[j], k));
        if (!ok)
            break;
        mpq_set_z(a, PV_G(S, lo[j], j));
        mpq_set_z(b, PV_G(S, hi[j], j));
        mpq_neg(b, b);
        mpq_set_z(u, r[j]);
        mpq_add(t, a, u);
        mpq_div(t, t, b);                      /* (a + r_j) / b */
        if (mpq_cmp_ui(t, 1, 1) < 0)
            mpq_set_ui(t, 1, 1);
        mpq_set(w[hi[j]], t);
        mpq_mul(t, t, b);
        mpq_sub(t, t, u);
        mpq_div(w[lo[j]], t, a);               /* (t b - r_j) / a */
    }
    /* the construction, checked: sum_i w_i g_i = 0 exactly */
    for (int j = 0; j < m && ok; j++) {
        mpq_set_ui(t, 0, 1);
        for (int i = 0; i < n; i++) {
            mpq_set_z(u, PV_G(S, i, j));
            mpq_mul(u, u, w[i]);
            mpq_add(t, t, u);
        }
        ok = mpq_sgn(t) == 0;
    }
    mpq_clears(a, b, t, u, NULL);
    pv_zvec_free(r, (size_t)m);
    pv_free(lo);
    pv_free(hi);
    return ok ? 0 : -1;
}

/* The same multipliers by one exact LP over all rows: w >= 1 on every
 * inequality row (any sign on equations: a domain's equality rows),
 * sum w_i g_i = 0. Returns the LP's status. */
static int stiemke_lp(const pv_system *S, mpq_t *w)
{
    int m = S->dim, n = S->nrows;
    mpq_t *M = pv_qvec_new((m + n) * n), *b = pv_qvec_new(m + n);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++)
            mpq_set_z(M[(size_t)j * n + i], PV_G(S, i, j));
        if (S->eq[i])
            continue;                     /* the row 0 >= 0 instead */
        mpq_set_ui(M[(size_t)(m + i) * n + i], 1, 1);
        mpq_set_si(b[m + i], -1, 1);
    }
    int rc = pv_xlp_find(n, m + n, m, M, b, w);
    pv_qvec_free(M, (m + n) * n);
    pv_qvec_free(b, m + n);
    return rc;
}

static pv_status certify_bounded(pv_cert *c, const cset *A, int bounded,
                                 pv_error *err)
{
    const pv_system *S = &A->S;
    int m = S->dim, n = S->nrows, rc;
    FILE *f = c->f;
    if (bounded) {
        /* w >= 1 on every inequality row (any sign on equations: a
         * domain's equality rows), sum w_i g_i = 0 (Stiemke), rank m
         * checked by pvcheck */
        mpq_t *w = pv_qvec_new(n);
        rc = box_stiemke(S, w) == 0 ? PV_XLP_OPTIMAL : stiemke_lp(S, w);
        if (rc == PV_XLP_OPTIMAL) {
            int *rows = all_rows(n);
            fprintf(f, "bounded %s\n", A->name);
            /* bounded's multipliers are for linear parts: scale alike */
            write_multipliers(f, A, rows, n, w);
            fprintf(f, "end\n");
            pv_free(rows);
        }
        pv_qvec_free(w, n);
    } else {
        /* d with g_i . d >= 0 for all rows (= 0 on equations: their
         * negations are rows too) and sum_i g_i . d >= 1, or else a line:
         * g_i . d = 0 for all rows (the kernel) */
        int ne = 0;
        for (int i = 0; i < n; i++)
            ne += S->eq[i] != 0;
        int nr = n + ne + 1;
        mpq_t *M = pv_qvec_new(nr * m), *b = pv_qvec_new(nr), *d = pv_qvec_new(m);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) {
                mpq_set_z(M[(size_t)i * m + j], PV_G(S, i, j));
                mpq_add(M[(size_t)n * m + j], M[(size_t)n * m + j], M[(size_t)i * m + j]);
            }
        for (int i = 0, e = n + 1; i < n; i++)
            if (S->eq[i]) {
                for (int j = 0; j < m; j++)
                    mpq_neg(M[(size_t)e * m + j], M[(size_t)i * m + j]);
                e++;
            }
        mpq_set_si(b[n], -1, 1);
        rc = pv_xlp_find(m, nr, 0, M, b, d);
        if (rc != PV_XLP_OPTIMAL) {
            pv_zmat G;
            pv_zmat_init(&G, n, m);
            for (size_t i = 0; i < (size_t)n * m; i++)
                mpz_set(G.a[i], S->g[i]);
            int *piv = pv_malloc((size_t)(n + 1) * sizeof *piv);
            int r = pv_zmat_rref(&G, piv), free_col = -1;
            for (int j = 0, a = 0; j < m && free_col < 0; j++) {
                if (a < r && piv[a] == j)
                    a++;
                else
                    free_col = j;
            }
            if (free_col >= 0) {          /* d_free = 1, pivots follow */
                for (int j = 0; j < m; j++)
                    mpq_set_ui(d[j], j == free_col, 1);
                for (int a = 0; a < r; a++) {
                    mpq_set_num(d[piv[a]], PV_Z(&G, a, free_col));
                    mpz_set(mpq_denref(d[piv[a]]), PV_Z(&G, a, piv[a]));
                    mpq_canonicalize(d[piv[a]]);
                    mpq_neg(d[piv[a]], d[piv[a]]);
                }
                rc = PV_XLP_OPTIMAL;
            }
            pv_free(piv);
            pv_zmat_clear(&G);
        }
        if (rc == PV_XLP_OPTIMAL) {
            fprintf(f, "unbounded %s\n  direction", A->name);
            for (int j = 0; j < m; j++)
                gmp_fprintf(f, " %Qd", d[j]);
            fprintf(f, "\nend\n");
        }
        pv_qvec_free(M, nr * m);
        pv_qvec_free(b, nr);
        pv_qvec_free(d, m);
    }
    if (rc != PV_XLP_OPTIMAL)
        return pv_error_set(err, PV_ERR_SOLVER, "certificate: no boundedness proof found");
    c->claims++;
    return PV_OK;
}

static pv_status cert_cell(pv_cert *c, const pv_cell *C, pv_error *err)
{
    cset A = { .nparts = 1, .code = { &C->code, NULL } };
    /* pvcheck then also checks that the claims cover the whole answer:
     * every row a facet's, an implicit equality or a lower face's */
    fprintf(c->f, "answer cell\n");
    pv_status rc = cset_build(&A, c, err);
    if (rc != PV_OK)
        return rc;
    cset_write(c->f, &A);
    if (!C->realized) {
        rc = write_empty(c, &A, err);
        cset_clear(&A);
        return rc;
    }
    dfilter flt;
    dfilter_init(&flt, &A.S);
    A.flt = &flt;
    rc = write_dim(c, &A, C->point, C->dim, err);
    int n = A.S.nrows;
    unsigned char *covered = pv_calloc((size_t)n + 1, 1);
    int *rows = pv_malloc((size_t)(n + 1) * sizeof *rows);
    int ni = vanishing_rows(&A.S, C->point, NULL, A.flt, rows);
    for (int a = 0; a < ni; a++)          /* implicit rows: not faces */
        covered[rows[a]] = 1;
    unsigned char *implicit = pv_malloc((size_t)n + 1);
    memcpy(implicit, covered, (size_t)n);
    mpq_t *found = pv_qvec_new(A.S.dim);
    for (int f = 0; f < C->nfacets && rc == PV_OK; f++) {
        const pv_cell_facet *cf = &C->facets[f];
        int nz = cf->point ? vanishing_rows(&A.S, cf->point, implicit, A.flt, rows)
                           : facet_rows(cf, c, rows), dim;
        const char *name;
        cset F;
        rc = certify_face(c, C, &A, rows, nz, cf->point, &dim, &name, &F, found, err);
        if (rc == PV_OK && dim != C->dim - 1)
            rc = pv_error_set(err, PV_ERR_INTERNAL,
                              "certificate: a facet has dimension %d, not %d", dim, C->dim - 1);
        /* pvcheck counts as the facet's rows every row vanishing at its
         * point (but the implicit ones: not faces; several rows can lie
         * on one facet): so must the rows left below */
        if (rc == PV_OK && !cf->point)
            nz = vanishing_rows(&A.S, found, implicit, A.flt, rows);
        if (rc == PV_OK && cf->has_neighbor) {
            char *s = pv_code_str(&cf->neighbor, NULL);
            fprintf(c->f, "neighbor %s %s %s\n", A.name, name, s);
            c->claims++;
            pv_free(s);
        }
        for (int a = 0; a < nz; a++)
            covered[rows[a]] = 1;
        cset_clear(&F);
    }
    /* every other row: its face is lower-dimensional or empty, so the
     * facet list is complete. In a full-dimensional cell most are empty,
     * proved by multipliers from one warm-started float LP each
     * (pv__system_empty_faces); the rest by their own set's procedure. */
    int nu = 0;
    for (int i = 0; i < n; i++)
        if (!covered[i])
            rows[nu++] = i;
    mpq_t **ye = pv_calloc((size_t)nu + 1, sizeof *ye);
    if (rc == PV_OK && C->dim == A.S.dim)
        pv__system_empty_faces(&A.S, C->point, rows, nu, ye);
    for (int a = 0; a < nu && rc == PV_OK; a++) {
        int i = rows[a], dim;
        const char *name;
        cset F;
        if (ye[a]) {
            cset_face(&F, &A, c, &i, 1);
            cset_write(c->f, &F);
            write_empty_claim(c, &F, ye[a]);
            cset_clear(&F);
            continue;
        }
        rc = certify_face(c, C, &A, &i, 1, NULL, &dim, &name, &F, NULL, err);
        if (rc == PV_OK && dim >= 0 && dim > C->dim - 2)
            rc = pv_error_set(err, PV_ERR_INTERNAL,
                              "certificate: row %d bounds a face of dimension %d", i, dim);
        cset_clear(&F);
    }
    for (int a = 0; a < nu; a++)
        if (ye[a])
            pv_qvec_free(ye[a], n);
    pv_free(ye);
    if (rc == PV_OK)
        rc = certify_bounded(c, &A, C->bounded, err);
    pv_qvec_free(found, A.S.dim);
    pv_free(rows);
    pv_free(covered);
    pv_free(implicit);
    dfilter_clear(&flt);
    cset_clear(&A);
    return rc;
}

static pv_status cert_adjacency(pv_cert *c, const pv_adjacency *Adj, pv_error *err)
{
    const pv_code *a = Adj->code_a, *b = Adj->code_b;
    cset X[3] = {
        { .nparts = 1, .code = { a, NULL } },
        { .nparts = 1, .code = { b, NULL } },
        { .nparts = 2, .code = { a, b }, .closure = { 1, 1 } },
    };
    int want[3] = { Adj->dim_a, Adj->dim_b, Adj->common_dim };
    int built = 0, last = 3;   /* P(a) ∩ P(b) is decided even for unrealised codes */
    pv_status rc = PV_OK;
    fprintf(c->f, "answer adjacency\n");
    for (int s = 0; s < last && rc == PV_OK; s++) {
        rc = cset_build(&X[s], c, err);
        if (rc != PV_OK)
            break;
        built++;
        cset_write(c->f, &X[s]);
        int dim;
        rc = certify_set(c, &X[s], &dim, NULL, err);
        if (rc == PV_OK && dim != want[s])
            rc = pv_error_set(err, PV_ERR_INTERNAL, "certificate: dimension %d, answer said %d",
                              dim, want[s]);
    }
    for (int s = 0; s < built; s++)
        cset_clear(&X[s]);
    return rc;
}

static pv_status cert_enumeration(pv_cert *c, const pv_enum *E,
                                 pv_error *err)
{
    pv_status rc = PV_OK;
    char **names = pv_calloc((size_t)E->ncells + 1, sizeof *names);
    fprintf(c->f, "answer enumeration\n");
    pv_system scratch;
    memset(&scratch, 0, sizeof scratch);
    for (int i = 0; i < E->ncells && rc == PV_OK; i++) {
        cset X = { .nparts = 1, .code = { &E->cells[i].code, NULL }, .scratch = &scratch };
        rc = cset_build(&X, c, err);
        if (rc != PV_OK)
            break;
        cset_write(c->f, &X);
        rc = write_dim(c, &X, E->cells[i].point, E->cells[i].dim, err);
        names[i] = pv_strdup(X.name);
        cset_clear(&X);
    }
    for (int p = 0; p < E->npairs && rc == PV_OK; p++) {
        const pv_adjacency_pair *P = &E->pairs[p];
        cset X = { .nparts = 2, .code = { &E->cells[P->a].code, &E->cells[P->b].code },
                   .closure = { 1, 1 } };
        rc = cset_build(&X, c, err);
        if (rc != PV_OK)
            break;
        cset_write(c->f, &X);
        int dim;
        rc = certify_set(c, &X, &dim, NULL, err);
        if (rc == PV_OK && dim != P->common_dim)
            rc = pv_error_set(err, PV_ERR_INTERNAL, "certificate: dimension %d, answer said %d",
                              dim, P->common_dim);
        cset_clear(&X);
    }
    if (scratch.g)
        pv_system_clear(&scratch);
    for (int i = 0; i < E->ncells; i++)
        pv_free(names[i]);
    pv_free(names);
    return rc;
}

/* ---- file ------------------------------------------------------------------ */

/* A certificate's claims are written as they are proved: after a failure
 * (out of memory as any other) the file holds a part of them, and the
 * caller closes it with keep = 0, as after every failure. */
pv_status pv_cert_cell(pv_cert *c, const pv_cell *C, pv_error *err)
{
    PV_GUARD(err, cert_cell(c, C, err), (void)0);
}

pv_status pv_cert_adjacency(pv_cert *c, const pv_adjacency *Adj, pv_error *err)
{
    PV_GUARD(err, cert_adjacency(c, Adj, err), (void)0);
}

pv_status pv_cert_enumeration(pv_cert *c, const pv_enum *E,
                              pv_error *err)
{
    PV_GUARD(err, cert_enumeration(c, E, err), (void)0);
}

/* Fills the handle c (zeroed) for a certificate at path. */
static pv_status cert_open(pv_cert *c, const char *path, const pv_net *net,
                           const pv_box *box, pv_error *err)
{
    c->net = net;
    c->box = box;
    pv_outfile o;          /* whole or not at all (outfile.h) */
    pv_status rc = pv_outfile_open(&o, path, err);
    if (rc != PV_OK)
        return rc;
    c->f = o.f;
    c->path = o.path;
    c->tmp = o.tmp;
    fprintf(c->f, "pvcert 2\n# written by polyverify; check with: pvcheck NET %s\n", path);
    fprintf(c->f, "fingerprint %016llx\ninput %d\n", pv_net_fingerprint(net), net->input_dim);
    if (box && box->intervals) {
        fprintf(c->f, "box");
        for (int i = 0; i < box->dim; i++)
            gmp_fprintf(c->f, " %Qd %Qd", box->lo[i], box->hi[i]);
        fprintf(c->f, "\n");
    }
    for (int k = 0; box && k < box->nrows; k++) {   /* d:k: c + a.x >= 0 */
        gmp_fprintf(c->f, "domain %s %Qd", box->eq[k] ? "eq" : "ge", box->c[k]);
        for (int i = 0; i < box->dim; i++)
            gmp_fprintf(c->f, " %Qd", PV_BOX_A(box, k, i));
        fprintf(c->f, "\n");
    }
    pv_outfile_keep(&o);               /* the caller's from here on */
    return PV_OK;
}

static pv_status cert_open_guarded(pv_cert *c, const char *path, const pv_net *net,
                                   const pv_box *box, pv_error *err)
{
    /* An unwinding aborts the file (outfile.c) and frees its names. */
    PV_GUARD(err, cert_open(c, path, net, box, err), memset(c, 0, sizeof *c));
}

pv_cert *pv_cert_open(const char *path, const pv_net *net, const pv_box *box,
                      pv_error *err)
{
    pv_cert *c = pv_calloc(1, sizeof *c);
    if (c == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (cert_open_guarded(c, path, net, box, err) != PV_OK) {
        pv_free(c);
        return NULL;
    }
    return c;
}

pv_status pv_cert_close(pv_cert *c, int keep, pv_error *err)
{
    if (c == NULL)
        return PV_OK;
    pv_outfile o;
    memset(&o, 0, sizeof o);
    o.f = c->f;
    o.path = c->path;
    o.tmp = c->tmp;
    pv_status rc = PV_OK;
    if (keep)
        rc = pv_outfile_commit(&o, err);
    else
        pv_outfile_abort(&o);
    pv_free(c);
    return rc;
}
