/* polyverify — the exact polygons of a 2-input network's cells
 * (polygon.h).
 *
 * Each cell's closure in the box is the box square clipped by every row of
 * the cell's system, one half-plane at a time (Sutherland-Hodgman in exact
 * homogeneous integers, geom/clip.h: no vertex is lost or invented by
 * rounding). No drawing here: this builds without cairo. */
#include "core/alloc.h"
#include "polyverify/polygon.h"

#include <stdlib.h>
#include <string.h>

#include "polyverify/system.h"
#include "geom/clip.h"
#include "geom/system_internal.h"
#include "net/network_internal.h"

void pv_polygon_init(pv_polygon *P) { memset(P, 0, sizeof *P); }

void pv_polygon_clear(pv_polygon *P)
{
    for (int i = 0; i < P->n; i++) {
        mpq_clear(P->x[i]);
        mpq_clear(P->y[i]);
    }
    pv_free(P->x);
    pv_free(P->y);
    pv_polygon_init(P);
}

static pv_status polygon_of_code(pv_polygon *P, const pv_net *net,
                                 const pv_code *code, const pv_box *box,
                                 pv_error *err)
{
    pv_polygon_clear(P);
    if (net->input_dim != 2 || !box || !box->intervals)
        return pv_error_set(err, PV_ERR_ARG,
                            "polygons need a network with 2 inputs and a box "
                            "(a domain with an interval for both inputs)");
    pv_system S;
    pv_status rc = pv__system_from_code(&S, net, code, box, err);
    if (rc != PV_OK)
        return rc;
    pv_clipper c;
    pv_clipper_init(&c);
    if (!pv_clipper_system(&c, &S, box) || !pv_hpoly_to_polygon(P, &c.A, NULL, c.A.n))
        rc = pv_error_set(err, PV_ERR_NOMEM, "out of memory for a polygon");
    pv_clipper_clear(&c);
    pv_system_clear(&S);
    return rc;
}

void pv_polygon_centroid(mpq_t *c, const pv_polygon *P)
{
    mpq_set_ui(c[0], 0, 1);
    mpq_set_ui(c[1], 0, 1);
    for (int a = 0; a < P->n; a++) {
        mpq_add(c[0], c[0], P->x[a]);
        mpq_add(c[1], c[1], P->y[a]);
    }
    if (P->n > 1) {
        mpq_t n;
        mpq_init(n);
        mpq_set_ui(n, (unsigned long)P->n, 1);
        mpq_div(c[0], c[0], n);
        mpq_div(c[1], c[1], n);
        mpq_clear(n);
    }
}

pv_status pv_polygon_of_code(pv_polygon *P, const pv_net *net,
                             const pv_code *code, const pv_box *box,
                             pv_error *err)
{
    PV_GUARD(err, polygon_of_code(P, net, code, box, err), pv_polygon_init(P));
}

void pv_polygon_area2(mpq_t out, const pv_polygon *P)
{
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(out, 0, 1);
    for (int a = 0; a < P->n; a++) {
        int b = (a + 1) % P->n;
        mpq_mul(t, P->x[a], P->y[b]);
        mpq_add(out, out, t);
        mpq_mul(t, P->x[b], P->y[a]);
        mpq_sub(out, out, t);
    }
    mpq_clear(t);
}
