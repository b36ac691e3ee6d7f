/* polyverify — enumeration of every cell (see enumerate.h).
 *
 * Why the walk finds every FULL-dimensional cell. Let F be a facet of the
 * closure P(b) of a full-dimensional cell b (not on the box boundary). On
 * P(b) every pre-activation equals b's affine function (continuity), so a
 * neuron vanishing at one relative-interior point of F vanishes on all of
 * F, and every other neuron keeps one sign near all of relint F. Going
 * layer by layer, each neuron vanishing on F is, on the far side near F,
 * an affine function vanishing on F's hyperplane: it has one sign there.
 * So the far side of relint F is ONE open region with one code, the code
 * of y + e(y - p) for any y in relint F (pv_code_beyond). Any
 * full-dimensional cell c sharing an (m-1)-dimensional piece with P(b)
 * shares it inside some facet F, so c is that code. The interior of the
 * domain (a box, a polyhedron given by general rows, or R^m) is convex,
 * and removing the (m-2)-dimensional pieces where three or more cells meet
 * leaves it connected: the full-dimensional cells are connected through
 * facets, and the walk reaches all of them. (Relative to the domain's
 * affine hull when it is not full-dimensional: flat.c.)
 *
 * Why every LOWER-dimensional cell is found. For a found cell c and a face
 * G of P(c), code(relint G) = c with the 1-bits whose rows vanish on G
 * cleared (on P(c) the pre-activations are c's affine functions). Call
 * faces with no vanishing 1-bit row "inner" (they lie inside C(c)); inner
 * faces are closed upwards. For each found c we explore every inner face
 * down to vertices and record the code of every facet of an inner face
 * that is not inner. Take any point y, with code d, in P(e0) for a
 * full-dimensional e0. If the face of P(e0) holding y in its relative
 * interior is inner, d = e0. Otherwise a chain of faces from P(e0) down to
 * it leaves the inner faces at a facet G1 of an inner face; its code e1 is
 * recorded, y lies in P(e1), and e1 has strictly fewer 1-bits vanishing at
 * y than e0 (it lost those of G1). Repeating ends with d.
 * The inner faces can be exponentially many (a box cut by a hyperplane:
 * ~3^m), so past a per-cell budget (explore_budget in faces.c) a cell
 * records, for each 1-bit row r, the code of the face P(c) ∩ {r = 0}
 * instead: the same chain with G1 = that face (pv_faces_by_row has the
 * argument), N faces a cell.
 *
 * Every code recorded is the code of an actual point; each cell is then
 * decided exactly by pv__system_dimension and pv__system_facets.
 *
 * This file is the driver; the other files of src/enum, one concept each,
 * are listed with the invariants of the run's state in enum_internal.h. */
#include "core/alloc.h"
#include "polyverify/enumerate.h"

#include <stdlib.h>
#include <string.h>

#include "enum/enum_internal.h"
#include "exact/linalg.h"

void pv_enum_options_init(pv_enum_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

void pv_enum_init(pv_enum *E)
{
    memset(E, 0, sizeof *E);
    E->gp.example_cell = -1;
}

void pv_enum_clear(pv_enum *E)
{
    for (int i = 0; i < E->ncells; i++) {
        pv_code_clear(&E->cells[i].code);
        pv_qvec_free(E->cells[i].point, E->m);
    }
    pv_free(E->cells);
    pv_free(E->by_dim);
    pv_free(E->pairs);
    pv_qvec_free(E->gp.example_vertex, E->m);
    pv_enum_init(E);
}

static int index_by_code(const void *x, const void *y)
{
    const ecell *const *p = x, *const *q = y;
    return pv_code_cmp(&(*p)->code, &(*q)->code);
}

/* Moves the decided cells into E sorted by code; rank_of[i] is cell i's
 * position. */
static void finish_cells(pv_enum *E, state *st, int *rank_of)
{
    ecell **order = pv_malloc((size_t)(st->ncells + 1) * sizeof *order);
    for (int i = 0; i < st->ncells; i++)
        order[i] = &st->cells[i];
    qsort(order, (size_t)st->ncells, sizeof *order, index_by_code);
    E->cells = pv_calloc((size_t)st->ncells + 1, sizeof *E->cells);
    E->by_dim = pv_calloc((size_t)st->m + 2, sizeof *E->by_dim);
    for (int r = 0; r < st->ncells; r++) {
        ecell *e = order[r];
        rank_of[e - st->cells] = r;
        pv_enum_cell *c = &E->cells[r];
        c->code = e->code;              /* ownership moves to E */
        pv_code_init(&e->code, 0);
        c->dim = e->dim;
        c->point = e->point;
        e->point = NULL;
        if (c->dim >= 0 && c->dim <= st->m)
            E->by_dim[c->dim]++;
    }
    E->ncells = st->ncells;
    pv_free(order);
}

static pv_status run(pv_enum *E, const pv_net *net, const pv_enum_options *opt,
                     mpq_t *centre, pv_error *err);

/* A domain with general rows (or no interval part): its own system
 * decides whether it is empty, its dimension (a lower one: flat.c
 * restricts the net to its affine hull) and an interior point to start
 * from. */
static pv_status domain_compute(pv_enum *E, const pv_net *net,
                                const pv_enum_options *opt, pv_error *err)
{
    pv_system S;
    pv__system_of_box(&S, opt->box);
    pv_dimension D;
    pv_status rc = pv__system_dimension(&S, &D, &E->stats, err);
    if (rc == PV_OK && D.dim < 0)
        rc = pv_error_set(err, PV_ERR_ARG, "enumerate: the domain is empty (no "
                          "input satisfies all of its constraints)");
    else if (rc == PV_OK && D.dim < net->input_dim)
        rc = pv_domain_enumerate(E, net, opt, &D, err);
    else if (rc == PV_OK)
        rc = run(E, net, opt, D.point, err);
    pv_dimension_clear(&D);
    pv_system_clear(&S);
    return rc;
}

static pv_status enum_compute(pv_enum *E, const pv_net *net,
                              const pv_enum_options *opt, pv_error *err)
{
    pv_enum_clear(E);
    if (opt->box && opt->box->dim != net->input_dim)
        return pv_error_set(err, PV_ERR_ARG, "enumerate: the box has %d "
                            "coordinates, the network %d inputs",
                            opt->box->dim, net->input_dim);
    pv_status dc = opt->dist ? pv_dist_check(opt->dist, opt->interrupted != NULL,
                                             "enumerate", err) : PV_OK;
    if (dc != PV_OK)
        return dc;
    if (opt->box && !pv_box_is_box(opt->box))
        return domain_compute(E, net, opt, err);
    int flat = 0;
    for (int i = 0; opt->box && i < net->input_dim; i++) {
        int s = mpq_cmp(opt->box->lo[i], opt->box->hi[i]);
        if (s > 0)
            return pv_error_set(err, PV_ERR_ARG, "enumerate: the box is empty "
                                "(LO > HI in coordinate %d)", i + 1);
        flat |= s == 0;
    }
    if (flat)
        return pv_flat_enumerate(E, net, opt, err);
    return run(E, net, opt, NULL, err);
}

/* The walk in a full-dimensional domain (or R^m): centre is an interior
 * point of a domain that is not a plain box (else NULL). */
static pv_status run(pv_enum *E, const pv_net *net, const pv_enum_options *opt,
                     mpq_t *centre, pv_error *err)
{
    size_t cell_bytes = pv_enum_bytes_per_cell(net);
    pv_status mc = pv_limits_check_memory(net, opt, cell_bytes, err);
    if (mc != PV_OK)
        return mc;
    state st;
    memset(&st, 0, sizeof st);
    st.net = net;
    st.box = opt->box;
    st.centre = centre;
    st.opt = opt;
    st.m = net->input_dim;
    st.n = net->neurons;
    st.E = E;
    st.cell_bytes = cell_bytes;
    pv_limits_start(&st);
    /* the census explores faces of faces, whose systems (rows restricted
     * to a flat, integer directions) grow long numbers: beyond a few
     * dimensions one face's facets can cost seconds of exact LP */
    st.census = st.m <= CENSUS_MAX_DIM;
    /* the vertex cache may use a sixteenth of the memory limit, at most
     * 256 MiB (a full cache only stops adding: vcache.c) */
    size_t vc_bytes = (size_t)256 << 20;
    if (opt->max_bytes && opt->max_bytes / 16 < vc_bytes)
        vc_bytes = opt->max_bytes / 16;
    pv_vcache_init(&st.vcache, st.m, st.n, vc_bytes);
    pv_round_workers(&st);
    E->m = st.m;
    E->n = st.n;
    pv_code c;
    pv_code_init(&c, 0);
    double *hint = pv_malloc((size_t)(2 * st.m + 1) * sizeof *hint);
    pv_status rc = pv_start_code(&st, &c, hint, err);
    if (rc == PV_OK && pv_codeset_add(&st, &c) >= 0)
        st.cells[0].hint = hint;      /* the cell array owns it now */
    else
        pv_free(hint);                   /* failed, or a limit before any cell */
    pv_code_clear(&c);
    /* The queue is the cell array itself: cells are processed in the order
     * found, a round at a time (round.c), and each round appends the new
     * ones. */
    int done = 0;
    while (rc == PV_OK && done < st.ncells && !pv_limits_must_stop(&st))
        rc = pv_round_run(&st, done, st.ncells, &done, err);
    if (st.memory_hit || st.interrupted)
        pv_codeset_truncate(&st, done);    /* stop now: keep the decided cells */
    int *rank_of = pv_malloc((size_t)(st.ncells + 1) * sizeof *rank_of);
    if (rc == PV_OK) {
        finish_cells(E, &st, rank_of);
        E->complete = !st.limit_hit && !st.interrupted;
        E->gp.vertices_checked = st.census && E->complete;
        if (!st.census && E->gp.bad_vertices == 0)
            E->gp.vertices = E->gp.bad_vertices = -1;   /* not checked */
        if (opt->graph && !st.memory_hit)
            rc = pv_graph_build(E, &st, rank_of, err);
        E->complete = E->complete && !st.interrupted;
    }
    pv_free(rank_of);
    pv_vcache_clear(&st.vcache);
    pv_round_workers_clear(&st);
    pv_codeset_clear(&st);
    E->seconds = pv_limits_elapsed(&st);
    if (rc == PV_OK && st.interrupted)
        rc = pv_error_set(err, PV_ERR_INTERRUPTED, "interrupted after %d cells "
                          "(every one decided exactly%s): the enumeration is "
                          "incomplete", E->ncells, E->has_graph ? "; the graph "
                          "holds the pairs decided so far" : "");
    else if (rc == PV_OK && !E->complete && st.memory_hit)
        rc = pv_error_set(err, PV_ERR_LIMIT, "stopped at %d cells: more would "
                          "exceed the memory limit of %zu MiB; the enumeration "
                          "is incomplete. Use a smaller --box, --max-cells K "
                          "or --max-memory MB", E->ncells,
                          opt->max_bytes >> 20);
    else if (rc == PV_OK && !E->complete)
        rc = pv_error_set(err, PV_ERR_LIMIT, "stopped at --max-cells %ld: the "
                          "enumeration is incomplete", opt->max_cells);
    return rc;
}

pv_status pv_enum_compute(pv_enum *E, const pv_net *net,
                          const pv_enum_options *opt, pv_error *err)
{
    PV_GUARD(err, enum_compute(E, net, opt, err), pv_enum_init(E));
}

int pv_enum_find(const pv_enum *E, const pv_code *code)
{
    int lo = 0, hi = E->ncells - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int s = pv_code_cmp(&E->cells[mid].code, code);
        if (s == 0)
            return mid;
        if (s < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}
