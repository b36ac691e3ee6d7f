/* polyverify — float LP search with GLPK's double simplex (see lp.h).
 * Nothing computed here is ever printed as a fact: geometry.c proves or
 * rejects every candidate in exact arithmetic.
 *
 * GLPK allocates with its own allocator: each problem is registered as a
 * cleanup while it exists, so that an unwinding memory scope (alloc.h)
 * deletes it. GLPK's own allocation failures are GLPK's (memory.h). */
#include "core/alloc.h"
#include "lp/lp.h"

#include <glpk.h>
#include <pthread.h>
#include <math.h>
#include <stdlib.h>

static void prob_unwind(void *P)
{
    glp_delete_prob(P);
}

/* Loads the dense n*k matrix G (plus an optional column of -1 for t). */
static void load_rows(glp_prob *P, int k, int n, const double *G, int with_t)
{
    size_t cap = (size_t)n * (size_t)(k + 1) + 1;
    int *ia = pv_malloc(cap * sizeof *ia), *ja = pv_malloc(cap * sizeof *ja);
    double *ar = pv_malloc(cap * sizeof *ar);
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
    pv_free(ia);
    pv_free(ja);
    pv_free(ar);
}

/* POLYVERIFY_EXACT_ONLY=1 (a test switch, tests/e2e/test_exact_numbers.py):
 * every float search fails, so the exact path (lp_exact.c) decides every
 * question the float search would have answered. Read once. */
static int exact_only;
static pthread_once_t exact_only_once = PTHREAD_ONCE_INIT;
static void read_exact_only(void)
{
    const char *e = getenv("POLYVERIFY_EXACT_ONLY");
    exact_only = e != NULL && e[0] != '\0' && e[0] != '0';
}

int pv_flp_disabled(void)
{
    pthread_once(&exact_only_once, read_exact_only);   /* threads: once */
    return exact_only;
}

void pv_flp_thread_done(void)
{
    glp_free_env();
}

/* GLPK is handed finite numbers only: an Inf or NaN (a row whose float
 * copy overflowed) makes the search fail at once, and the exact LP decides
 * (DESIGN §2). Callers scale rows into range (pv_rrows_to_double), so this
 * only trips on a float copy built elsewhere. */
static int all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* meth: GLP_DUALP for a cold start; GLP_PRIMAL to re-solve from the
 * previous optimal basis after the objective changed (that basis stays
 * nearly primal feasible, so few pivots follow). */
static int solve(glp_prob *P, int meth)
{
    if (pv_flp_disabled())
        return -1;
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.meth = meth;
    /* Dantzig's rule rather than GLPK's default projected steepest edge:
     * the warm-started LPs here take few pivots, and steepest edge's
     * weight updates cost more than they save (measured: a cell in
     * [0,1]^784 11.9 s against 15.6 s, an enumeration 3.2 s against 3.8 s,
     * explore 3.5 s against 4.1 s, in one run). */
    parm.pricing = GLP_PT_STD;
    /* The float search must end: GLPK's simplex can cycle on degenerate
     * systems. On the limit the search simply fails and the exact LP
     * decides. */
    parm.it_lim = 20 * (glp_get_num_rows(P) + glp_get_num_cols(P)) + 1000;
    /* GLPK's terminal output is process-wide: silence it for this solve
     * only, and give the caller's setting back */
    int term = glp_term_out(GLP_OFF);
    int rc = glp_simplex(P, &parm);
    glp_term_out(term);
    if (rc != 0)
        return -1;
    return glp_get_status(P) == GLP_OPT ? 0 : -1;
}

/* The margin LP  max t  s.t.  G_i z + h_i + tc_i t >= 0,  t <= 1, each z_j
 * free or (nonneg[j]) >= 0; tc == NULL means tc_i = -1, nonneg == NULL all
 * free. y gets the row multipliers, cdual[j] those of the bounds z_j >= 0. */
typedef struct margin_lp {
    int k, n;
    const double *G, *h, *tc;
    const unsigned char *nonneg;
} margin_lp;

static int margin_glpk(const margin_lp *L, double *z, double *t, double *y,
                       double *cdual)
{
    int k = L->k, n = L->n;
    glp_prob *P = glp_create_prob();
    pv_cleanup unwind;
    pv_cleanup_push(&unwind, prob_unwind, P);
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_rows(P, n);
    glp_add_cols(P, k + 1);
    for (int i = 0; i < n; i++)
        glp_set_row_bnds(P, i + 1, GLP_LO, -L->h[i], 0.0);
    for (int j = 0; j < k; j++)
        glp_set_col_bnds(P, j + 1, L->nonneg && L->nonneg[j] ? GLP_LO : GLP_FR,
                         0.0, 0.0);
    glp_set_col_bnds(P, k + 1, GLP_UP, 0.0, 1.0);
    glp_set_obj_coef(P, k + 1, 1.0);
    if (L->tc == NULL) {
        load_rows(P, k, n, L->G, 1);
    } else {
        /* the matrix with column t = tc */
        double *Gt = pv_malloc(((size_t)n * (k + 1) + 1) * sizeof *Gt);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++)
                Gt[(size_t)i * (k + 1) + j] = L->G[(size_t)i * k + j];
            Gt[(size_t)i * (k + 1) + k] = L->tc[i];
        }
        load_rows(P, k + 1, n, Gt, 0);
        pv_free(Gt);
    }
    int rc = solve(P, GLP_DUALP);
    if (rc == 0) {
        *t = glp_get_obj_val(P);
        for (int j = 0; j < k; j++) {
            z[j] = glp_get_col_prim(P, j + 1);
            if (cdual != NULL) {   /* at its lower bound: dual <= 0 */
                double d = -glp_get_col_dual(P, j + 1);
                cdual[j] = d > 0 ? d : 0.0;
            }
        }
        /* Maximisation: a row at its lower bound has dual <= 0. */
        for (int i = 0; i < n; i++) {
            double d = -glp_get_row_dual(P, i + 1);
            y[i] = d > 0 ? d : 0.0;
        }
    }
    pv_cleanup_pop(&unwind);
    glp_delete_prob(P);
    return rc;
}

/* A presolve for the margin LP, for the rows with one nonzero entry
 * a z_c + h_i >= t (|a| = 1: rows are normalised). Two reductions:
 *  - drop: a column that only such rows touch, all of one sign a, is set to
 *    z_c = a (1 - min_i h_i), which meets them with margin >= 1 >= t; the
 *    column and its rows leave the LP (multipliers 0: column c's dual
 *    constraint holds with them at 0). In the first-layer frame: the
 *    coordinates of inactive neurons, which no later row sees.
 *  - substitute: a column with exactly one such row i and other rows too
 *    becomes v_c = a z_c + h_i - t >= 0, a bound instead of a row; the
 *    other rows r get G_rc/a on v_c, G_rc/a more on t, and -G_rc h_i/a in
 *    their constant. Row i's multiplier is v_c's bound multiplier. In the
 *    first-layer frame: the coordinates of active neurons.
 * Together they leave only the deeper layers' rows: half the rows and half
 * the columns of the first-layer frame. */
enum { COL_KEEP = 0, COL_DROP = 1, COL_SUBST = 2 };

typedef struct margin_presolve {
    int *single;     /* per row: its column if it has one nonzero, else -1 */
    int *kind;       /* per column: COL_KEEP, COL_DROP or COL_SUBST        */
    int *subrow;     /* per column: the substituted row (COL_SUBST)        */
    int *keeprow;    /* per row: index in the reduced LP, or -1            */
    int k2, n2;      /* reduced sizes (columns keep their index)           */
} margin_presolve;

static void presolve_clear(margin_presolve *ps)
{
    pv_free(ps->single);
    pv_free(ps->kind);
    pv_free(ps->subrow);
    pv_free(ps->keeprow);
}

/* Returns 0 when nothing can be reduced (or on allocation failure). */
static int presolve(margin_presolve *ps, int k, int n, const double *G)
{
    ps->single = pv_malloc((size_t)n * sizeof(int));
    ps->kind = pv_malloc((size_t)k * sizeof(int));
    ps->subrow = pv_malloc((size_t)k * sizeof(int));
    ps->keeprow = pv_malloc((size_t)n * sizeof(int));
    int *general = pv_calloc((size_t)k, sizeof(int)), *nsingle = pv_calloc((size_t)k, sizeof(int));
    int *sign = pv_calloc((size_t)k, sizeof(int));     /* of single rows: +-1, 2 mixed */
    int ok = ps->single && ps->kind && ps->subrow && ps->keeprow && general &&
             nsingle && sign, reduced = 0;
    for (int i = 0; ok && i < n; i++) {
        int nz = 0, c = -1;
        for (int j = 0; j < k; j++)
            if (G[(size_t)i * k + j] != 0.0)
                nz++, c = j;
        ps->single[i] = nz == 1 ? c : -1;
        for (int j = 0; nz >= 2 && j < k; j++)
            general[j] |= G[(size_t)i * k + j] != 0.0;
        if (nz == 1) {
            int a = G[(size_t)i * k + c] > 0 ? 1 : -1;
            sign[c] = sign[c] == 0 || sign[c] == a ? a : 2;
            nsingle[c]++;
            ps->subrow[c] = i;
        }
    }
    for (int j = 0; ok && j < k; j++) {
        ps->kind[j] = !general[j] && sign[j] != 2 ? COL_DROP
                    : general[j] && nsingle[j] == 1 ? COL_SUBST : COL_KEEP;
        reduced |= ps->kind[j] != COL_KEEP;
    }
    ps->k2 = ps->n2 = 0;
    for (int j = 0; ok && j < k; j++)
        ps->k2 += ps->kind[j] != COL_DROP;
    for (int i = 0; ok && i < n; i++)
        ps->keeprow[i] = ps->single[i] < 0 || ps->kind[ps->single[i]] == COL_KEEP
                         ? ps->n2++ : -1;
    pv_free(general);
    pv_free(nsingle);
    pv_free(sign);
    return ok && reduced && ps->k2 > 0 && ps->n2 > 0;
}

int pv_flp_margin(int k, int n, const double *G, const double *h,
                  double *z, double *t, double *y)
{
    if (k < 1 || n < 1 || !all_finite(G, (size_t)n * k) || !all_finite(h, (size_t)n))
        return -1;
    margin_presolve ps;
    if (!presolve(&ps, k, n, G)) {
        presolve_clear(&ps);
        margin_lp L = { k, n, G, h, NULL, NULL };
        return margin_glpk(&L, z, t, y, NULL);
    }
    int k2 = ps.k2, n2 = ps.n2, rc = -1;
    int *col = pv_malloc((size_t)k * sizeof(int));       /* column -> reduced */
    double *G2 = pv_calloc((size_t)n2 * k2 + 1, sizeof *G2);
    double *h2 = pv_malloc(((size_t)n2 + 1) * sizeof *h2);
    double *tc = pv_malloc(((size_t)n2 + 1) * sizeof *tc);
    double *z2 = pv_malloc(((size_t)k2 + 1) * sizeof *z2);
    double *y2 = pv_malloc(((size_t)n2 + 1) * sizeof *y2);
    double *cd = pv_malloc(((size_t)k2 + 1) * sizeof *cd);
    unsigned char *nonneg = pv_calloc((size_t)k2 + 1, 1);
    if (col && G2 && h2 && tc && z2 && y2 && cd && nonneg) {
        for (int j = 0, c = 0; j < k; j++) {
            col[j] = ps.kind[j] == COL_DROP ? -1 : c++;
            if (col[j] >= 0)
                nonneg[col[j]] = ps.kind[j] == COL_SUBST;
        }
        for (int i = 0; i < n; i++) {
            int r = ps.keeprow[i];
            if (r < 0)
                continue;
            h2[r] = h[i];
            tc[r] = -1.0;
            for (int j = 0; j < k; j++) {
                double g = G[(size_t)i * k + j];
                if (g == 0.0 || col[j] < 0)
                    continue;
                if (ps.kind[j] == COL_SUBST) {   /* z_j = (v_j - h_s + t) / a */
                    int s = ps.subrow[j];
                    double a = G[(size_t)s * k + j];
                    G2[(size_t)r * k2 + col[j]] = g / a;
                    tc[r] += g / a;
                    h2[r] -= g * h[s] / a;
                } else {
                    G2[(size_t)r * k2 + col[j]] = g;
                }
            }
        }
        margin_lp L = { k2, n2, G2, h2, tc, nonneg };
        rc = margin_glpk(&L, z2, t, y2, cd);
    }
    if (rc == 0) {
        for (int i = 0; i < n; i++)
            y[i] = ps.keeprow[i] >= 0 ? y2[ps.keeprow[i]] : 0.0;
        for (int j = 0; j < k; j++) {
            if (ps.kind[j] == COL_KEEP) {
                z[j] = z2[col[j]];
            } else if (ps.kind[j] == COL_SUBST) {
                int s = ps.subrow[j];
                z[j] = (z2[col[j]] - h[s] + *t) / G[(size_t)s * k + j];
                y[s] = cd[col[j]];
            } else {
                double minh = INFINITY, a = 1.0;
                for (int i = 0; i < n; i++)
                    if (ps.single[i] == j && h[i] < minh)
                        minh = h[i], a = G[(size_t)i * k + j];
                z[j] = minh == INFINITY ? 0.0 : (1.0 - minh) / a;
            }
        }
    }
    pv_free(col);
    pv_free(G2);
    pv_free(h2);
    pv_free(tc);
    pv_free(z2);
    pv_free(y2);
    pv_free(cd);
    pv_free(nonneg);
    presolve_clear(&ps);
    return rc;
}

/* Rows with a single non-zero entry are column bounds, not rows: the
 * simplex handles bounds for free, and in the first-layer frame half of
 * all rows are of that kind. col[i] >= 0 marks such a row (its column;
 * rows are normalised, so the entry is +-1: z_c >= -h or z_c <= h); grow[i]
 * is the GLPK row of a general row. */
struct pv_flp {
    glp_prob *P;
    int k, n;
    const double *G, *h;
    double zbound;
    int *col, *grow;
    int *lo_row, *up_row;     /* per column: the binding bound row or -1 */
    pv_cleanup unwind;        /* deletes P if a memory scope unwinds */
};

/* Tightest bounds of column c from its bound rows (skipping row `skip`,
 * which may instead contribute its relaxed form r >= -1). */
static void set_column_bounds(pv_flp *lp, int c, int skip)
{
    double lo = -lp->zbound, up = lp->zbound;
    lp->lo_row[c] = lp->up_row[c] = -1;
    for (int i = 0; i < lp->n; i++) {
        if (lp->col[i] != c)
            continue;
        double a = lp->G[(size_t)i * lp->k + c], rhs = i == skip ? -1.0 : 0.0;
        double v = (rhs - lp->h[i]) / a;          /* a z_c + h >= rhs */
        if (a > 0 && v > lo)
            lo = v, lp->lo_row[c] = i;
        else if (a < 0 && v < up)
            up = v, lp->up_row[c] = i;
    }
    glp_set_col_bnds(lp->P, c + 1, lo < up ? GLP_DB : GLP_FX, lo, lo < up ? up : lo);
}

pv_flp *pv_flp_new(int k, int n, const double *G, const double *h,
                   double zbound)
{
    if (k < 1 || n < 1 || !all_finite(G, (size_t)n * k) || !all_finite(h, (size_t)n))
        return NULL;
    pv_flp *lp = pv_malloc(sizeof *lp);
    lp->k = k, lp->n = n, lp->G = G, lp->h = h, lp->zbound = zbound;
    lp->col = pv_malloc((size_t)n * sizeof(int));
    lp->grow = pv_malloc((size_t)n * sizeof(int));
    lp->lo_row = pv_malloc((size_t)k * sizeof(int));
    lp->up_row = pv_malloc((size_t)k * sizeof(int));
    int ng = 0;
    for (int i = 0; i < n; i++) {
        int nz = 0, c = -1;
        for (int j = 0; j < k; j++)
            if (G[(size_t)i * k + j] != 0.0)
                nz++, c = j;
        lp->col[i] = nz == 1 ? c : -1;
        lp->grow[i] = nz == 1 ? -1 : ng++;
    }
    lp->P = glp_create_prob();
    pv_cleanup_push(&lp->unwind, prob_unwind, lp->P);
    glp_set_obj_dir(lp->P, GLP_MIN);
    glp_add_cols(lp->P, k);
    if (ng > 0)
        glp_add_rows(lp->P, ng);
    size_t cap = (size_t)ng * (size_t)k + 1;
    int *ia = pv_malloc(cap * sizeof *ia), *ja = pv_malloc(cap * sizeof *ja);
    double *ar = pv_malloc(cap * sizeof *ar);
    int nz = 0;
    for (int i = 0; i < n; i++) {
        if (lp->grow[i] < 0)
            continue;
        glp_set_row_bnds(lp->P, lp->grow[i] + 1, GLP_LO, -h[i], 0.0);
        for (int j = 0; j < k; j++)
            if (G[(size_t)i * k + j] != 0.0) {
                nz++;
                ia[nz] = lp->grow[i] + 1, ja[nz] = j + 1, ar[nz] = G[(size_t)i * k + j];
            }
    }
    glp_load_matrix(lp->P, nz, ia, ja, ar);
    pv_free(ia);
    pv_free(ja);
    pv_free(ar);
    for (int c = 0; c < k; c++)
        set_column_bounds(lp, c, -1);
    return lp;
}

double pv_flp_near_bound(int n, const double *h)
{
    double hmax = 0.0;
    for (int i = 0; i < n; i++)
        if (isfinite(h[i]) && h[i] > hmax)
            hmax = h[i];
    return hmax > 0.0 && 16.0 * hmax < PV_FLP_FAR ? 16.0 * hmax : 0.0;
}

void pv_flp_free(pv_flp *lp)
{
    if (!lp)
        return;
    pv_cleanup_pop(&lp->unwind);
    glp_delete_prob(lp->P);
    pv_free(lp->col);
    pv_free(lp->grow);
    pv_free(lp->lo_row);
    pv_free(lp->up_row);
    pv_free(lp);
}

/* Multipliers at the optimum: a general row's dual, or for a column at a
 * bound the reduced cost, credited to the row that sets that bound. */
static void read_multipliers(pv_flp *lp, int i, double *y)
{
    for (int r = 0; r < lp->n; r++)
        y[r] = 0.0;
    for (int r = 0; r < lp->n; r++) {
        if (lp->grow[r] < 0 || r == i)
            continue;
        double d = glp_get_row_dual(lp->P, lp->grow[r] + 1);
        y[r] = d > 0 ? d : 0.0;        /* minimisation, lower bound: >= 0 */
    }
    for (int c = 0; c < lp->k; c++) {
        double d = glp_get_col_dual(lp->P, c + 1);
        int r = d > 0 ? lp->lo_row[c] : d < 0 ? lp->up_row[c] : -1;
        if (r >= 0 && r != i)
            y[r] = fabs(d) / fabs(lp->G[(size_t)r * lp->k + c]);
    }
}

int pv_flp_min_row(pv_flp *lp, int i, double *value, double *z, double *y)
{
    for (int j = 0; j < lp->k; j++)
        glp_set_obj_coef(lp->P, j + 1, lp->G[(size_t)i * lp->k + j]);
    glp_set_obj_coef(lp->P, 0, lp->h[i]);
    /* r_i >= -1 keeps the minimum finite; a facet shows as r_i < 0. */
    if (lp->grow[i] >= 0)
        glp_set_row_bnds(lp->P, lp->grow[i] + 1, GLP_LO, -lp->h[i] - 1.0, 0.0);
    else
        set_column_bounds(lp, lp->col[i], i);
    int rc = solve(lp->P, GLP_PRIMAL);
    if (rc == 0) {
        *value = glp_get_obj_val(lp->P);
        for (int j = 0; j < lp->k; j++)
            z[j] = glp_get_col_prim(lp->P, j + 1);
        read_multipliers(lp, i, y);
    }
    if (lp->grow[i] >= 0)
        glp_set_row_bnds(lp->P, lp->grow[i] + 1, GLP_LO, -lp->h[i], 0.0);
    else
        set_column_bounds(lp, lp->col[i], -1);
    return rc;
}

/* Bounds of column c with bound row `cross` forced to [-1, -delta]. */
static void cross_column_bounds(pv_flp *lp, int c, int cross, double delta)
{
    set_column_bounds(lp, c, cross);      /* others, and r >= -1 */
    double a = lp->G[(size_t)cross * lp->k + c], v = (-delta - lp->h[cross]) / a;
    double lo = glp_get_col_lb(lp->P, c + 1), up = glp_get_col_ub(lp->P, c + 1);
    if (a > 0 && v < up)
        up = v;
    else if (a < 0 && v > lo)
        lo = v;
    glp_set_col_bnds(lp->P, c + 1, lo < up ? GLP_DB : GLP_FX, lo, lo < up ? up : lo);
}

int pv_flp_cross_row(pv_flp *lp, int i, double delta, double *z)
{
    for (int j = 0; j <= lp->k; j++)
        glp_set_obj_coef(lp->P, j, 0.0);
    if (lp->grow[i] >= 0)
        glp_set_row_bnds(lp->P, lp->grow[i] + 1, GLP_DB, -lp->h[i] - 1.0,
                         -lp->h[i] - delta);
    else
        cross_column_bounds(lp, lp->col[i], i, delta);
    int rc = solve(lp->P, GLP_PRIMAL);
    if (rc == 0)
        for (int j = 0; j < lp->k; j++)
            z[j] = glp_get_col_prim(lp->P, j + 1);
    if (lp->grow[i] >= 0)
        glp_set_row_bnds(lp->P, lp->grow[i] + 1, GLP_LO, -lp->h[i], 0.0);
    else
        set_column_bounds(lp, lp->col[i], -1);
    return rc;
}

int pv_flp_recession(int k, int n, const double *G, double *value,
                     double *d, double *y)
{
    if (k < 1 || n < 1 || !all_finite(G, (size_t)n * k))
        return -1;
    glp_prob *P = glp_create_prob();
    pv_cleanup unwind;
    pv_cleanup_push(&unwind, prob_unwind, P);
    glp_set_obj_dir(P, GLP_MAX);
    glp_add_rows(P, n);
    glp_add_cols(P, k);
    for (int i = 0; i < n; i++)
        glp_set_row_bnds(P, i + 1, GLP_LO, 0.0, 0.0);
    for (int j = 0; j < k; j++) {
        double c = 0.0;
        for (int i = 0; i < n; i++)
            c += G[(size_t)i * k + j];
        glp_set_col_bnds(P, j + 1, GLP_DB, -1.0, 1.0);
        glp_set_obj_coef(P, j + 1, c);
    }
    load_rows(P, k, n, G, 0);
    int rc = solve(P, GLP_DUALP);
    if (rc == 0) {
        *value = glp_get_obj_val(P);
        for (int j = 0; j < k; j++)
            d[j] = glp_get_col_prim(P, j + 1);
        for (int i = 0; i < n; i++) {
            double v = -glp_get_row_dual(P, i + 1);
            y[i] = v > 0 ? v : 0.0;
        }
    }
    pv_cleanup_pop(&unwind);
    glp_delete_prob(P);
    return rc;
}
