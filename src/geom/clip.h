/* polyverify — convex polygons clipped by half-planes, exactly (internal).
 *
 * The one clipping engine of the plane: a cell's closure in a box
 * (pv_polygon_of_code), the polygon walk (tessellation.c) and the class
 * regions of a picture (plot.c) all cut the box square by rows g.x + h >= 0
 * with integer g, h. Orientation is counter-clockwise throughout; repeated
 * vertices and the middle one of straight triples are dropped after every
 * cut, so a polygon keeps its corners, a segment its ends, a point one
 * vertex. */
#ifndef PV_CLIP_H
#define PV_CLIP_H

#include <gmp.h>
#include "polyverify/box.h"
#include "polyverify/polygon.h"
#include "polyverify/system.h"

/* n vertices (X_k/D_k, Y_k/D_k), D_k > 0; cap allocated (all mpz inited). */
typedef struct pv_hpoly {
    int n, cap;
    mpz_t *X, *Y, *D;
} pv_hpoly;

/* The polygon A, a scratch one, and scratch numbers. */
typedef struct pv_clipper {
    pv_hpoly A, B;
    mpz_t *V;                  /* row values at A's vertices              */
    int capv;
    mpz_t t, u, g;
} pv_clipper;

void pv_clipper_init(pv_clipper *c);
void pv_clipper_clear(pv_clipper *c);
/* A := the box square (counter-clockwise from (lo, lo)). 0 out of memory. */
int pv_clipper_box(pv_clipper *c, const pv_box *box);
/* A := the polygon P (exact vertices, counter-clockwise). 0 out of memory. */
int pv_clipper_polygon(pv_clipper *c, const pv_polygon *P);
/* A := A ∩ {g0 x + g1 y + h >= 0}. 0 out of memory. */
int pv_clipper_cut(pv_clipper *c, const mpz_t g0, const mpz_t g1, const mpz_t h);
/* A := the box square cut by every row of S (2 columns). 0 out of memory. */
int pv_clipper_system(pv_clipper *c, const pv_system *S, const pv_box *box);
/* V := the value of g0 x + g1 y + h at vertex k of P, times D_k > 0. */
void pv_hpoly_value(mpz_t V, const mpz_t g0, const mpz_t g1, const mpz_t h,
                    const pv_hpoly *P, int k);
/* P := the vertices idx[0..n) of A (all of them in order when idx is NULL),
 * as exact rationals. 0 out of memory. */
int pv_hpoly_to_polygon(pv_polygon *P, const pv_hpoly *A, const int *idx, int n);

#endif
