/* Network.enumerate and Network.lemma1: every cell (enumerate.h), its
 * adjacency graph, and the paper's Lemma 1 / Theorem 2 over it
 * (lemma1.h). The long calls of the package: progress, Ctrl-C and a
 * timeout through the library's hooks; a run stopped by them raises with
 * what was found as the exception's `partial`. */
#include "pvpy.h"

typedef struct enum_args {
    PyObject *box, *domain, *progress;
    int graph, lp_only;
    long max_cells;
    Py_ssize_t max_bytes;
    double timeout;
    int threads;
} enum_args;

static PyObject *pair_tuple(const pv_adjacency_pair *P)
{
    return Py_BuildValue("(iiiiO)", P->a, P->b, P->hamming, P->common_dim,
                         P->adjacent ? Py_True : Py_False);
}

static PyObject *genpos_dict(const pv_enum_genpos *g, int m)
{
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "zero_rows", PyLong_FromLong(g->zero_rows));
    bad |= pvpy_set(d, "shared_facets", PyLong_FromLong(g->shared_facets));
    bad |= pvpy_set(d, "vertices", PyLong_FromLong(g->vertices));
    bad |= pvpy_set(d, "bad_vertices", PyLong_FromLong(g->bad_vertices));
    bad |= pvpy_set(d, "vertices_checked", PyBool_FromLong(g->vertices_checked));
    bad |= pvpy_set(d, "example_cell", PyLong_FromLong(g->example_cell));
    bad |= pvpy_set(d, "example_kind", PyLong_FromLong(g->example_kind));
    bad |= pvpy_set(d, "example_vertex", g->example_vertex
                                             ? pvpy_fractions(g->example_vertex, m)
                                             : pvpy_none());
    bad |= pvpy_set(d, "example_count", PyLong_FromLong(g->example_count));
    if (bad)
        Py_CLEAR(d);
    return d;
}

/* The enumeration as a dict; stopped: the message of a limit, or NULL. */
static PyObject *enum_dict(const void *answer, const char *stopped)
{
    const pv_enum *E = answer;
    PyObject *cells = PyList_New(E->ncells);
    for (int i = 0; cells && i < E->ncells; i++) {
        const pv_enum_cell *c = &E->cells[i];
        PyObject *t = Py_BuildValue("(NiN)", pvpy_code_str(&c->code), c->dim,
                                    pvpy_fractions(c->point, E->m));
        if (t == NULL)
            Py_CLEAR(cells);
        else
            PyList_SET_ITEM(cells, i, t);
    }
    PyObject *pairs = PyList_New(E->has_graph ? E->npairs : 0);
    for (int i = 0; pairs && E->has_graph && i < E->npairs; i++) {
        PyObject *t = pair_tuple(&E->pairs[i]);
        if (t == NULL)
            Py_CLEAR(pairs);
        else
            PyList_SET_ITEM(pairs, i, t);
    }
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "m", PyLong_FromLong(E->m));
    bad |= pvpy_set(d, "neurons", PyLong_FromLong(E->n));
    bad |= pvpy_set(d, "cells", cells);
    bad |= pvpy_set(d, "by_dim", pvpy_ints(E->by_dim, E->by_dim ? E->m + 1 : 0));
    bad |= pvpy_set(d, "complete", PyBool_FromLong(E->complete));
    bad |= pvpy_set(d, "stopped", stopped ? PyUnicode_FromString(stopped) : pvpy_none());
    bad |= pvpy_set(d, "has_graph", PyBool_FromLong(E->has_graph));
    bad |= pvpy_set(d, "pairs", pairs);
    bad |= pvpy_set(d, "candidates", PyLong_FromLong(E->candidates));
    bad |= pvpy_set(d, "faces", PyLong_FromLong(E->faces));
    bad |= pvpy_set(d, "fast_cells", PyLong_FromLong(E->fast_cells));
    bad |= pvpy_set(d, "general_position", genpos_dict(&E->gp, E->m));
    bad |= pvpy_set(d, "stats", pvpy_stats_dict(&E->stats));
    bad |= pvpy_set(d, "seconds", PyFloat_FromDouble(E->seconds));
    if (bad)
        Py_CLEAR(d);
    return d;
}

static int parse_enum_args(enum_args *a, PyObject *args, PyObject *kw, const char *fmt)
{
    static char *names[] = {"box", "domain", "graph", "max_cells", "lp_only",
                            "max_bytes", "progress", "timeout", "threads", NULL};
    a->box = a->domain = a->progress = Py_None;
    a->graph = 1;
    a->lp_only = 0;
    a->max_cells = 0;
    a->max_bytes = 0;
    a->timeout = 0;
    a->threads = 0;
    return PyArg_ParseTupleAndKeywords(args, kw, fmt, names, &a->box, &a->domain,
                                       &a->graph, &a->max_cells, &a->lp_only,
                                       &a->max_bytes, &a->progress, &a->timeout,
                                       &a->threads)
               ? 0 : -1;
}

/* Runs the enumeration of a into E; *st its status. 0, or -1 (an exception
 * set before the run: bad arguments). */
static int run_enum(pv_enum *E, pv_status *st, pv_error *err, pvpy_hooks *h,
                    const pv_net *net, const enum_args *a, int graph)
{
    pv_box box;
    pv_box_init(&box, pv_net_input_dim(net));
    int hb = pvpy_domain(&box, net, a->box, a->domain);
    if (hb < 0) {
        pv_box_clear(&box);
        return -1;
    }
    if (a->progress != Py_None && !PyCallable_Check(a->progress)) {
        pv_box_clear(&box);
        pvpy_bad("progress: not callable");
        return -1;
    }
    pv_enum_options o;
    pv_enum_options_init(&o);
    o.box = hb ? &box : NULL;
    o.max_cells = a->max_cells;
    o.graph = graph;
    o.lp_only = a->lp_only;
    o.max_bytes = (size_t)a->max_bytes;
    o.threads = a->threads;
    pvpy_hooks_init(h, a->progress, a->timeout);
    PVPY_SET_HOOKS(o, h);
    Py_BEGIN_ALLOW_THREADS
    *st = pv_enum_compute(E, net, &o, err);
    Py_END_ALLOW_THREADS
    pv_box_clear(&box);
    return 0;
}

PyObject *pvpy_enumerate(pvpy_net *self, PyObject *args, PyObject *kw)
{
    enum_args a;
    if (parse_enum_args(&a, args, kw, "|OOplpnOdi:enumerate") < 0)
        return NULL;
    pv_enum E;
    pv_enum_init(&E);
    pv_error err = {0};
    pvpy_hooks h;
    pv_status st;
    PyObject *r = NULL;
    if (run_enum(&E, &st, &err, &h, self->net, &a, a.graph) == 0)
        r = pvpy_hooks_result(&h, st, &err, enum_dict, &E);
    pv_enum_clear(&E);
    return r;
}

static PyObject *lemma1_dict(const pv_lemma1 *L, const pv_enum *E)
{
    PyObject *dis = PyList_New(L->ndisagree);
    for (int k = 0; dis && k < L->ndisagree; k++) {
        const pv_adjacency_pair *P = &L->disagree[k];
        PyObject *t = Py_BuildValue("(NNiiO)", pvpy_code_str(&E->cells[P->a].code),
                                    pvpy_code_str(&E->cells[P->b].code), P->hamming,
                                    P->common_dim, P->adjacent ? Py_True : Py_False);
        if (t == NULL)
            Py_CLEAR(dis);
        else
            PyList_SET_ITEM(dis, k, t);
    }
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "pairs_hamming1", PyLong_FromLong(L->pairs_hamming1));
    bad |= pvpy_set(d, "adjacent_pairs", PyLong_FromLong(L->adjacent_pairs));
    bad |= pvpy_set(d, "hamming1_not_adjacent", PyLong_FromLong(L->hamming1_not_adjacent));
    bad |= pvpy_set(d, "adjacent_not_hamming1", PyLong_FromLong(L->adjacent_not_hamming1));
    bad |= pvpy_set(d, "disagreements", dis);
    if (bad)
        Py_CLEAR(d);
    return d;
}

/* lemma1(...) -> {"enumeration": dict, "lemma1": dict}; a stopped
 * enumeration raises (or, at a limit, returns without "lemma1": the
 * Lemma is decided over complete enumerations only). */
PyObject *pvpy_lemma1(pvpy_net *self, PyObject *args, PyObject *kw)
{
    enum_args a;
    if (parse_enum_args(&a, args, kw, "|OOplpnOdi:lemma1") < 0)
        return NULL;
    pv_enum E;
    pv_enum_init(&E);
    pv_error err = {0};
    pvpy_hooks h;
    pv_status st;
    PyObject *r = NULL;
    if (run_enum(&E, &st, &err, &h, self->net, &a, 1) == 0) {
        PyObject *e = pvpy_hooks_result(&h, st, &err, enum_dict, &E);
        PyObject *l = NULL;
        if (e && E.complete) {
            pv_lemma1 L;
            pv_lemma1_init(&L);
            pv_box box;
            pv_box_init(&box, pv_net_input_dim(self->net));
            int hb = pvpy_domain(&box, self->net, a.box, a.domain);
            pv_status ls = PV_OK;
            if (hb >= 0) {
                Py_BEGIN_ALLOW_THREADS
                ls = pv_lemma1_check(&L, &E, self->net, hb ? &box : NULL, &err);
                Py_END_ALLOW_THREADS
                l = ls == PV_OK ? lemma1_dict(&L, &E) : pvpy_raise(&err, NULL);
            }
            pv_box_clear(&box);
            pv_lemma1_clear(&L);
            if (l == NULL)
                Py_CLEAR(e);
        }
        if (e)
            r = Py_BuildValue("{s:N,s:N}", "enumeration", e, "lemma1",
                              l ? l : pvpy_none());
    }
    pv_enum_clear(&E);
    return r;
}
