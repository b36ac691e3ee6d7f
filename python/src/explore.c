/* Network.explore: breadth-first over the full-dimensional cells around a
 * start cell (explore.h), with progress, Ctrl-C and a timeout. */
#include "pvpy.h"

static PyObject *explore_dict(const void *answer, const char *stopped)
{
    const pv_explore *E = answer;
    PyObject *cells = PyList_New(E->ncells);
    for (int i = 0; cells && i < E->ncells; i++) {
        const pv_explore_cell *c = &E->cells[i];
        PyObject *t = Py_BuildValue("(NiiiN)", pvpy_code_str(&c->code), c->depth, c->dim,
                                    c->nfacets, pvpy_fractions(c->point, E->m));
        if (t == NULL)
            Py_CLEAR(cells);
        else
            PyList_SET_ITEM(cells, i, t);
    }
    PyObject *edges = PyList_New(E->nedges);
    for (int i = 0; edges && i < E->nedges; i++) {
        PyObject *t = Py_BuildValue("(ii)", E->edges[2 * i], E->edges[2 * i + 1]);
        if (t == NULL)
            Py_CLEAR(edges);
        else
            PyList_SET_ITEM(edges, i, t);
    }
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "m", PyLong_FromLong(E->m));
    bad |= pvpy_set(d, "cells", cells);
    bad |= pvpy_set(d, "edges", edges);
    bad |= pvpy_set(d, "complete", PyBool_FromLong(E->complete));
    bad |= pvpy_set(d, "stopped", stopped ? PyUnicode_FromString(stopped) : pvpy_none());
    if (bad)
        Py_CLEAR(d);
    return d;
}

/* The start code: code=, or the code of point= by an exact forward pass. */
static int start_code(pv_code *c, const pv_net *net, PyObject *code, PyObject *point)
{
    pv_error err = {0};
    if ((code == Py_None) == (point == Py_None)) {
        pvpy_bad("give exactly one of code= and point=");
        return -1;
    }
    if (code != Py_None)
        return pvpy_code(c, net, code, &err);
    int m = pv_net_input_dim(net);
    mpq_t *x = pvpy_vec(point, m, "point");
    if (x == NULL)
        return -1;
    int rc = pv_code_at(net, x, c, NULL, &err) == PV_OK ? 0 : -1;
    pvpy_vec_free(x, (size_t)m);
    if (rc)
        pvpy_raise(&err, NULL);
    return rc;
}

PyObject *pvpy_explore(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"code", "point", "box", "domain", "max_depth", "max_cells",
                            "edges", "progress", "timeout", "threads", NULL};
    PyObject *code = Py_None, *point = Py_None, *box_arg = Py_None, *domain = Py_None,
             *progress = Py_None;
    int max_depth = -1, edges = 1, threads = 0;
    long max_cells = 0;
    double timeout = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOOilpOdi:explore", names, &code, &point,
                                     &box_arg, &domain, &max_depth, &max_cells, &edges,
                                     &progress, &timeout, &threads))
        return NULL;
    pv_code c;
    pv_code_init(&c, 0);
    pv_box box;
    pv_box_init(&box, pv_net_input_dim(self->net));
    PyObject *r = NULL;
    int hb = start_code(&c, self->net, code, point) ? -1
             : pvpy_domain(&box, self->net, box_arg, domain);
    if (hb >= 0) {
        pvpy_hooks h;
        pvpy_hooks_init(&h, progress, timeout);
        pv_explore_options o;
        pv_explore_options_init(&o);
        o.box = hb ? &box : NULL;
        o.max_depth = max_depth;
        o.max_cells = max_cells;
        o.edges = edges;
        o.threads = threads;
        PVPY_SET_HOOKS(o, &h);
        pv_explore E;
        pv_explore_init(&E);
        pv_error err = {0};
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_explore_run(&E, self->net, &c, &o, &err);
        Py_END_ALLOW_THREADS
        r = pvpy_hooks_result(&h, st, &err, explore_dict, &E);
        pv_explore_clear(&E);
    }
    pv_box_clear(&box);
    pv_code_clear(&c);
    return r;
}
