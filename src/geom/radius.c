/* polyverify — distance from a point to the boundary of its cell (see
 * radius.h).
 *
 * With x = xn/dx (integer numerators over one denominator), a row g.x + h
 * of the cell's integer system has value V/dx with V = g.xn + h dx, so its
 * hyperplane is at squared Euclidean distance V^2 / (dx^2 |g|_2^2) and at
 * max-norm distance V / (dx |g|_1). The nearest points are
 * y = x - (V / (dx |g|_2^2)) g and y = x - (V / (dx |g|_1)) sign(g). A row
 * farther than the minimum cannot vanish at y (the ball of the minimum's
 * radius around x misses its hyperplane), so the rows through y are among
 * the ties, and y lies in the relative interior of the facet they define. */
#include "core/alloc.h"
#include "net/network_internal.h"
#include "geom/system_internal.h"
#include "polyverify/radius.h"

#include <string.h>
#include "exact/linalg.h"
#include "polyverify/system.h"

static void nearest_init(pv_radius_nearest *n)
{
    memset(n, 0, sizeof *n);
}

static void nearest_clear(pv_radius_nearest *n, int m)
{
    pv_free(n->neurons);
    pv_free(n->box);
    pv_free(n->domain);
    if (n->point)
        pv_qvec_free(n->point, m);
    if (n->has_neighbor)
        pv_code_clear(&n->neighbor);
    nearest_init(n);
}

void pv_radius_init(pv_radius *R)
{
    memset(R, 0, sizeof *R);
    mpq_init(R->l2_squared);
    mpq_init(R->linf);
    nearest_init(&R->nearest_l2);
    nearest_init(&R->nearest_linf);
}

void pv_radius_clear(pv_radius *R)
{
    pv_code_clear(&R->code);
    nearest_clear(&R->nearest_l2, R->m);
    nearest_clear(&R->nearest_linf, R->m);
    mpq_clear(R->l2_squared);
    mpq_clear(R->linf);
    memset(R, 0, sizeof *R);
}

/* Per row: V (value times dx) and the two norms of g. */
typedef struct row_data {
    int n;
    mpz_t *V, *n2, *n1;
} row_data;

static void rows_clear(row_data *r)
{
    for (int i = 0; i < r->n; i++)
        mpz_clears(r->V[i], r->n2[i], r->n1[i], NULL);
    pv_free(r->V);
    pv_free(r->n2);
    pv_free(r->n1);
}

static pv_status rows_compute(row_data *r, const pv_system *S, mpz_t *xn,
                              const mpz_t dx, pv_error *err)
{
    r->n = 0;
    r->V = pv_malloc(((size_t)S->nrows + 1) * sizeof(mpz_t));
    r->n2 = pv_malloc(((size_t)S->nrows + 1) * sizeof(mpz_t));
    r->n1 = pv_malloc(((size_t)S->nrows + 1) * sizeof(mpz_t));
    if (!r->V || !r->n2 || !r->n1)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory for %d rows", S->nrows);
    for (int i = 0; i < S->nrows; i++, r->n++) {
        mpz_inits(r->V[i], r->n2[i], r->n1[i], NULL);
        mpz_mul(r->V[i], S->h[i], dx);
        for (int j = 0; j < S->dim; j++) {
            const mpz_t *g = &PV_G(S, i, j);
            if (mpz_sgn(*g) == 0)
                continue;
            mpz_addmul(r->V[i], *g, xn[j]);
            mpz_addmul(r->n2[i], *g, *g);
            if (mpz_sgn(*g) > 0)
                mpz_add(r->n1[i], r->n1[i], *g);
            else
                mpz_sub(r->n1[i], r->n1[i], *g);
        }
    }
    return PV_OK;
}

/* The row's distance in norm l2 (squared) or linf, without the common
 * factor 1/dx (1/dx^2): V^2/n2 or V/n1. */
static void row_distance(mpq_t d, const row_data *r, int i, int l2)
{
    if (l2) {
        mpz_mul(mpq_numref(d), r->V[i], r->V[i]);
        mpz_set(mpq_denref(d), r->n2[i]);
    } else {
        mpz_set(mpq_numref(d), r->V[i]);
        mpz_set(mpq_denref(d), r->n1[i]);
    }
    mpq_canonicalize(d);
}

static void add_row(pv_radius_nearest *n, const pv_system *S, int i)
{
    int l = S->label[i];
    if (PV_LABEL_IS_BOX(l))
        n->box[n->nbox++] = 2 * PV_LABEL_BOX_COORD(l) + PV_LABEL_BOX_HI(l);
    else if (PV_LABEL_IS_DOMAIN(l))
        n->domain[n->ndomain++] = PV_LABEL_DOMAIN_ROW(l);
    else
        n->neurons[n->nneurons++] = l;
}

/* Fills n for norm l2 (1) or linf (0): the rows through the nearest point
 * y of row `best`, y itself and the code beyond it. */
static pv_status nearest_fill(pv_radius_nearest *n, const pv_net *net,
                              const pv_system *S, const row_data *r, int best,
                              int l2, mpq_t *const x, const mpz_t dx,
                              const mpq_t dmin, pv_error *err)
{
    int m = S->dim;
    n->neurons = pv_malloc(((size_t)S->nrows + 1) * sizeof(int));
    n->box = pv_malloc(((size_t)S->nrows + 1) * sizeof(int));
    n->domain = pv_malloc(((size_t)S->nrows + 1) * sizeof(int));
    n->point = pv_qvec_new(m);
    if (!n->neurons || !n->box || !n->domain || !n->point)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory for a radius");
    /* y = x - s u, s = V/(dx n), u = g (l2) or sign(g) (linf). */
    mpq_t s, q, d;
    mpq_inits(s, q, d, NULL);
    mpz_set(mpq_numref(s), r->V[best]);
    mpz_mul(mpq_denref(s), dx, l2 ? r->n2[best] : r->n1[best]);
    mpq_canonicalize(s);
    for (int j = 0; j < m; j++) {
        const mpz_t *g = &PV_G(S, best, j);
        if (l2)
            mpq_set_z(q, *g);
        else
            mpq_set_si(q, mpz_sgn(*g), 1);
        mpq_mul(q, q, s);
        mpq_sub(n->point[j], x[j], q);
    }
    for (int i = 0; i < S->nrows; i++) {
        if (mpz_sgn(r->n1[i]) == 0)
            continue;
        row_distance(d, r, i, l2);
        if (mpq_cmp(d, dmin) != 0)
            continue;
        pv_system_row_value(q, S, i, n->point);
        if (mpq_sgn(q) == 0)
            add_row(n, S, i);
    }
    pv_status st = PV_OK;
    if (n->nbox == 0 && n->ndomain == 0) {
        mpq_t *dir = pv_qvec_new(m);
        if (!dir) {
            st = pv_error_set(err, PV_ERR_NOMEM, "out of memory for a radius");
        } else {
            for (int j = 0; j < m; j++)
                mpq_sub(dir[j], n->point[j], x[j]);
            pv_code_init(&n->neighbor, net->neurons);
            n->has_neighbor = 1;
            st = pv_code_beyond(net, n->point, dir, &n->neighbor, err);
            pv_qvec_free(dir, m);
        }
    }
    mpq_clears(s, q, d, NULL);
    return st;
}

/* x on the boundary: the rows with a hyperplane that vanish at x. */
static pv_status nearest_zero(pv_radius_nearest *n, const pv_system *S,
                              const row_data *r, pv_error *err)
{
    n->neurons = pv_malloc(((size_t)S->nrows + 1) * sizeof(int));
    n->box = pv_malloc(((size_t)S->nrows + 1) * sizeof(int));
    n->domain = pv_malloc(((size_t)S->nrows + 1) * sizeof(int));
    if (!n->neurons || !n->box || !n->domain)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory for a radius");
    for (int i = 0; i < S->nrows; i++)
        if (mpz_sgn(r->n1[i]) && mpz_sgn(r->V[i]) == 0)
            add_row(n, S, i);
    return PV_OK;
}

static pv_status radius_of_rows(pv_radius *R, const pv_net *net,
                                const pv_system *S, const row_data *r,
                                mpq_t *const x, const mpz_t dx, pv_error *err)
{
    int best2 = -1, bestinf = -1, zero = 0;
    mpq_t d;
    mpq_init(d);
    for (int i = 0; i < S->nrows; i++) {
        if (mpz_sgn(r->n1[i]) == 0)
            continue;                      /* constant on the cell */
        if (mpz_sgn(r->V[i]) < 0) {        /* only a domain row can be, and
                                              radius_compute checked them */
            mpq_clear(d);
            return pv_error_set(err, PV_ERR_INTERNAL, "radius: the point violates "
                                "row %d of its own cell", i);
        }
        zero |= mpz_sgn(r->V[i]) == 0;
        row_distance(d, r, i, 1);
        if (best2 < 0 || mpq_cmp(d, R->l2_squared) < 0)
            best2 = i, mpq_set(R->l2_squared, d);
        row_distance(d, r, i, 0);
        if (bestinf < 0 || mpq_cmp(d, R->linf) < 0)
            bestinf = i, mpq_set(R->linf, d);
    }
    pv_status st = PV_OK;
    R->finite = best2 >= 0;
    if (zero) {
        mpq_set_ui(R->l2_squared, 0, 1);
        mpq_set_ui(R->linf, 0, 1);
        st = nearest_zero(&R->nearest_l2, S, r, err);
        if (st == PV_OK)
            st = nearest_zero(&R->nearest_linf, S, r, err);
    } else if (R->finite) {
        mpq_t dl2, dlinf;                  /* minima without the 1/dx factors */
        mpq_inits(dl2, dlinf, NULL);
        mpq_set(dl2, R->l2_squared);
        mpq_set(dlinf, R->linf);
        mpq_set_z(d, dx);
        mpq_div(R->linf, R->linf, d);
        mpq_mul(d, d, d);
        mpq_div(R->l2_squared, R->l2_squared, d);
        st = nearest_fill(&R->nearest_l2, net, S, r, best2, 1, x, dx, dl2, err);
        if (st == PV_OK)
            st = nearest_fill(&R->nearest_linf, net, S, r, bestinf, 0, x, dx,
                              dlinf, err);
        mpq_clears(dl2, dlinf, NULL);
    }
    mpq_clear(d);
    return st;
}

/* R's numbers are the caller's (adopted by the entry's scope); everything
 * else R held is dropped first. */
static pv_status radius_compute(pv_radius *R, const pv_net *net, mpq_t *const x,
                                const pv_box *box, pv_error *err)
{
    int m = net->input_dim;
    pv_code_clear(&R->code);
    nearest_clear(&R->nearest_l2, R->m);
    nearest_clear(&R->nearest_linf, R->m);
    R->finite = 0;
    mpq_set_ui(R->l2_squared, 0, 1);
    mpq_set_ui(R->linf, 0, 1);
    R->m = m;
    pv_code_init(&R->code, net->neurons);
    pv_status st = pv_code_at(net, x, &R->code, NULL, err);
    if (st != PV_OK)
        return st;
    int out = box && box->dim == m ? pv_box_violated(box, x) : -1;
    if (out >= 0 && out < 2 * m)
        return pv_error_set(err, PV_ERR_ARG, "the point is outside the domain "
                            "(x%d %s the box)", out / 2, out % 2 ? "above" : "below");
    if (out >= 0)
        return pv_error_set(err, PV_ERR_ARG, "the point is outside the domain (it "
                            "violates domain row %d)", out - 2 * m);
    pv_system S;
    if ((st = pv__system_from_code(&S, net, &R->code, box, err)) != PV_OK)
        return st;
    mpz_t dx;
    mpz_init_set_ui(dx, 1);
    mpz_t *xn = pv_malloc(((size_t)m + 1) * sizeof(mpz_t));
    row_data r = { 0 };
    if (!xn) {
        st = pv_error_set(err, PV_ERR_NOMEM, "out of memory for a point");
        goto done;
    }
    for (int j = 0; j < m; j++)
        mpz_lcm(dx, dx, mpq_denref(x[j]));
    for (int j = 0; j < m; j++) {
        mpz_init(xn[j]);
        mpz_divexact(xn[j], dx, mpq_denref(x[j]));
        mpz_mul(xn[j], xn[j], mpq_numref(x[j]));
    }
    st = rows_compute(&r, &S, xn, dx, err);
    if (st == PV_OK)
        st = radius_of_rows(R, net, &S, &r, x, dx, err);
    for (int j = 0; j < m; j++)
        mpz_clear(xn[j]);
done:
    pv_free(xn);
    rows_clear(&r);
    mpz_clear(dx);
    pv_system_clear(&S);
    return st;
}

/* After an unwinding: what the call allocated is gone; R empty again. */
static void radius_reset(pv_radius *R)
{
    memset(&R->code, 0, sizeof R->code);
    nearest_init(&R->nearest_l2);
    nearest_init(&R->nearest_linf);
    R->finite = 0;
    pv_scope_reset_mpq(R->l2_squared);
    pv_scope_reset_mpq(R->linf);
}

pv_status pv_radius_compute(pv_radius *R, const pv_net *net, mpq_t *const x,
                            const pv_box *box, pv_error *err)
{
    PV_GUARD_ADOPT(err, radius_compute(R, net, x, box, err),
                   (pv_scope_adopt_mpq(R->l2_squared), pv_scope_adopt_mpq(R->linf)),
                   radius_reset(R));
}
