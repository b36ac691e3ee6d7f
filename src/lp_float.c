/* polyverify — float LP search with GLPK's double simplex (see lp.h).
 * Nothing computed here is ever printed as a fact: geometry.c proves or
 * rejects every candidate in exact arithmetic. */
#include "lp.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>

/* Loads the dense n*k matrix G (plus an optional column of -1 for t). */
static void load_rows(glp_prob *P, int k, int n, const double *G, int with_t)
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

/* meth: GLP_DUALP for a cold start; GLP_PRIMAL to re-solve from the
 * previous optimal basis after the objective changed (that basis stays
 * nearly primal feasible, so few pivots follow). */
static int solve(glp_prob *P, int meth)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.meth = meth;
    /* The float search must end: GLPK's simplex can cycle on degenerate
     * systems. On the limit the search simply fails and the exact LP
     * decides. */
    parm.it_lim = 20 * (glp_get_num_rows(P) + glp_get_num_cols(P)) + 1000;
    glp_term_out(GLP_OFF);
    if (glp_simplex(P, &parm) != 0)
        return -1;
    return glp_get_status(P) == GLP_OPT ? 0 : -1;
}

int pv_flp_margin(int k, int n, const double *G, const double *h,
                  double *z, double *t, double *y)
{
    if (k < 1 || n < 1)
        return -1;
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
    load_rows(P, k, n, G, 1);
    int rc = solve(P, GLP_DUALP);
    if (rc == 0) {
        *t = glp_get_obj_val(P);
        for (int j = 0; j < k; j++)
            z[j] = glp_get_col_prim(P, j + 1);
        /* Maximisation: a row at its lower bound has dual <= 0. */
        for (int i = 0; i < n; i++) {
            double d = -glp_get_row_dual(P, i + 1);
            y[i] = d > 0 ? d : 0.0;
        }
    }
    glp_delete_prob(P);
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
    if (k < 1 || n < 1)
        return NULL;
    pv_flp *lp = malloc(sizeof *lp);
    lp->k = k, lp->n = n, lp->G = G, lp->h = h, lp->zbound = zbound;
    lp->col = malloc((size_t)n * sizeof(int));
    lp->grow = malloc((size_t)n * sizeof(int));
    lp->lo_row = malloc((size_t)k * sizeof(int));
    lp->up_row = malloc((size_t)k * sizeof(int));
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
    glp_set_obj_dir(lp->P, GLP_MIN);
    glp_add_cols(lp->P, k);
    if (ng > 0)
        glp_add_rows(lp->P, ng);
    size_t cap = (size_t)ng * (size_t)k + 1;
    int *ia = malloc(cap * sizeof *ia), *ja = malloc(cap * sizeof *ja);
    double *ar = malloc(cap * sizeof *ar);
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
    free(ia);
    free(ja);
    free(ar);
    for (int c = 0; c < k; c++)
        set_column_bounds(lp, c, -1);
    return lp;
}

void pv_flp_free(pv_flp *lp)
{
    if (!lp)
        return;
    glp_delete_prob(lp->P);
    free(lp->col);
    free(lp->grow);
    free(lp->lo_row);
    free(lp->up_row);
    free(lp);
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
    if (k < 1 || n < 1)
        return -1;
    glp_prob *P = glp_create_prob();
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
    glp_delete_prob(P);
    return rc;
}
