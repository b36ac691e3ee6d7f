/* polyverify — float LP search with GLPK's double simplex (see lp.h).
 * Nothing computed here is ever printed as a fact: geometry.c proves or
 * rejects every candidate in exact arithmetic. */
#include "lp.h"

#include <glpk.h>
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

static int solve(glp_prob *P)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.meth = GLP_DUALP;
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
    int rc = solve(P);
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

struct pv_flp {
    glp_prob *P;
    int k, n;
    const double *G, *h;
};

pv_flp *pv_flp_new(int k, int n, const double *G, const double *h,
                   double zbound)
{
    if (k < 1 || n < 1)
        return NULL;
    pv_flp *lp = malloc(sizeof *lp);
    lp->k = k, lp->n = n, lp->G = G, lp->h = h;
    lp->P = glp_create_prob();
    glp_set_obj_dir(lp->P, GLP_MIN);
    glp_add_rows(lp->P, n);
    glp_add_cols(lp->P, k);
    for (int i = 0; i < n; i++)
        glp_set_row_bnds(lp->P, i + 1, GLP_LO, -h[i], 0.0);
    for (int j = 0; j < k; j++)
        glp_set_col_bnds(lp->P, j + 1, GLP_DB, -zbound, zbound);
    load_rows(lp->P, k, n, G, 0);
    return lp;
}

void pv_flp_free(pv_flp *lp)
{
    if (!lp)
        return;
    glp_delete_prob(lp->P);
    free(lp);
}

int pv_flp_min_row(pv_flp *lp, int i, double *value, double *z, double *y)
{
    for (int j = 0; j < lp->k; j++)
        glp_set_obj_coef(lp->P, j + 1, lp->G[(size_t)i * lp->k + j]);
    glp_set_obj_coef(lp->P, 0, lp->h[i]);
    /* r_i >= -1 keeps the minimum finite; a facet shows as r_i < 0. */
    glp_set_row_bnds(lp->P, i + 1, GLP_LO, -lp->h[i] - 1.0, 0.0);
    int rc = solve(lp->P);
    if (rc == 0) {
        *value = glp_get_obj_val(lp->P);
        for (int j = 0; j < lp->k; j++)
            z[j] = glp_get_col_prim(lp->P, j + 1);
        /* Minimisation: a row at its lower bound has dual >= 0. */
        for (int r = 0; r < lp->n; r++) {
            double d = glp_get_row_dual(lp->P, r + 1);
            y[r] = (r != i && d > 0) ? d : 0.0;
        }
    }
    glp_set_row_bnds(lp->P, i + 1, GLP_LO, -lp->h[i], 0.0);
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
    int rc = solve(P);
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
