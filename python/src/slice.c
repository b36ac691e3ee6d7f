/* Network.tessellate: every cell of a 2-input network, or of the 2-D slice
 * x = p + s d1 + t d2 of any network (pv_net_slice), in a box of the
 * plane, as exact polygons (tessellation.h): no LP. */
#include "pvpy.h"

static PyObject *polygon_list(const pv_polygon *P)
{
    PyObject *l = PyList_New(P->n);
    for (int i = 0; l && i < P->n; i++) {
        PyObject *v = Py_BuildValue("(NN)", pvpy_fraction(P->x[i]), pvpy_fraction(P->y[i]));
        if (v == NULL)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, i, v);
    }
    return l;
}

static PyObject *tess_dict(const void *answer, const char *stopped)
{
    const pv_tessellation *T = answer;
    PyObject *cells = PyList_New(T->ncells);
    for (int i = 0; cells && i < T->ncells; i++) {
        const pv_tess_cell *c = &T->cells[i];
        PyObject *t = Py_BuildValue("(NiN)", pvpy_code_str(&c->code), c->dim,
                                    polygon_list(&c->polygon));
        if (t == NULL)
            Py_CLEAR(cells);
        else
            PyList_SET_ITEM(cells, i, t);
    }
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "cells", cells);
    bad |= pvpy_set(d, "by_dim", pvpy_ints(T->by_dim, 3));
    bad |= pvpy_set(d, "complete", PyBool_FromLong(T->complete));
    bad |= pvpy_set(d, "stopped", stopped ? PyUnicode_FromString(stopped) : pvpy_none());
    if (bad)
        Py_CLEAR(d);
    return d;
}

/* The plane's network: net itself (plane NULL) or its slice, into *out
 * (a new network the caller frees, or NULL for net itself). */
static int plane_net(pv_net **out, const pv_net *net, PyObject *p, PyObject *d1,
                     PyObject *d2)
{
    *out = NULL;
    int m = pv_net_input_dim(net);
    if (p == Py_None && d1 == Py_None && d2 == Py_None) {
        if (m != 2) {
            pvpy_bad("the network has %d inputs; give a plane: p, d1, d2 (or points)", m);
            return -1;
        }
        return 0;
    }
    if (p == Py_None || d1 == Py_None || d2 == Py_None) {
        pvpy_bad("a plane needs p, d1 and d2");
        return -1;
    }
    mpq_t *vp = pvpy_vec(p, m, "p"), *v1 = vp ? pvpy_vec(d1, m, "d1") : NULL,
          *v2 = v1 ? pvpy_vec(d2, m, "d2") : NULL;
    int rc = v2 ? 0 : -1;
    if (!rc && (*out = pv_net_new()) == NULL) {
        PyErr_NoMemory();
        rc = -1;
    }
    pv_error err = {0};
    if (!rc && pv_net_slice(*out, net, vp, v1, v2, &err) != PV_OK) {
        pvpy_raise(&err, NULL);
        pv_net_free(*out);
        *out = NULL;
        rc = -1;
    }
    pvpy_vec_free(vp, vp ? (size_t)m : 0);
    pvpy_vec_free(v1, v1 ? (size_t)m : 0);
    pvpy_vec_free(v2, v2 ? (size_t)m : 0);
    return rc;
}

/* The plane's network (plane_net) and its box (box=, or domain= for a
 * 2-input net), required: *plane is net or *sliced (freed by the caller,
 * as box, initialised here, is cleared by it). 0, or -1 with an error. */
static int plane_and_box(pv_net **sliced, const pv_net **plane, pv_box *box,
                         const pv_net *net, PyObject *p, PyObject *d1, PyObject *d2,
                         PyObject *box_arg, PyObject *domain, const char *what)
{
    pv_box_init(box, 2);
    if (plane_net(sliced, net, p, d1, d2) < 0)
        return -1;
    *plane = *sliced ? *sliced : net;
    int hb = pvpy_domain(box, *plane, box_arg, domain);
    if (hb == 0)
        pvpy_bad("give the box of the %s: box=(lo, hi) or ((lo1, hi1), (lo2, hi2))", what);
    return hb > 0 ? 0 : -1;
}

PyObject *pvpy_tessellate(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"p", "d1", "d2", "box", "domain", "max_cells", "progress",
                            "timeout", NULL};
    PyObject *p = Py_None, *d1 = Py_None, *d2 = Py_None, *box_arg = Py_None,
             *domain = Py_None, *progress = Py_None;
    long max_cells = 0;
    double timeout = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOOOlOd:tessellate", names, &p, &d1, &d2,
                                     &box_arg, &domain, &max_cells, &progress, &timeout))
        return NULL;
    pv_net *sliced = NULL;
    const pv_net *plane;
    pv_box box;
    PyObject *r = NULL;
    if (plane_and_box(&sliced, &plane, &box, self->net, p, d1, d2, box_arg, domain,
                      "plane") == 0) {
        pvpy_hooks h;
        pvpy_hooks_init(&h, progress, timeout);
        pv_tess_options o;
        pv_tess_options_init(&o);
        o.max_cells = max_cells;
        PVPY_SET_HOOKS(o, &h);
        pv_tessellation T;
        pv_tessellation_init(&T);
        pv_error err = {0};
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_tessellate(&T, plane, &box, &o, &err);
        Py_END_ALLOW_THREADS
        r = pvpy_hooks_result(&h, st, &err, tess_dict, &T);
        pv_tessellation_clear(&T);
    }
    pv_box_clear(&box);
    pv_net_free(sliced);
    return r;
}

/* plot(path, p=, d1=, d2=, box=, graph=, highlight=, color_class=, width=,
 * height=, max_cells=, progress=, timeout=) -> dict of what was drawn: the
 * picture of `polyverify plot` (SVG or PNG by the extension), from the
 * exact polygons of the net or of its slice. */
PyObject *pvpy_plot(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"path", "p", "d1", "d2", "box", "graph", "highlight",
                            "color_class", "width", "height", "max_cells", "progress",
                            "timeout", NULL};
    PyObject *path, *p = Py_None, *d1 = Py_None, *d2 = Py_None, *box_arg = Py_None,
             *progress = Py_None;
    int graph = 0, highlight = 0, color_class = 0, width = 0, height = 0;
    long max_cells = 0;
    double timeout = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|OOOOpppiilOd:plot", names,
                                     PyUnicode_FSConverter, &path, &p, &d1, &d2, &box_arg,
                                     &graph, &highlight, &color_class, &width, &height,
                                     &max_cells, &progress, &timeout))
        return NULL;
    pv_net *sliced = NULL;
    const pv_net *plane;
    pv_box box;
    PyObject *r = NULL;
    if (plane_and_box(&sliced, &plane, &box, self->net, p, d1, d2, box_arg, Py_None,
                      "picture") == 0) {
        pvpy_hooks h;
        pvpy_hooks_init(&h, progress, timeout);
        pv_plot_options o;
        pv_plot_options_init(&o);
        o.box = &box;
        o.graph = graph;
        o.highlight = highlight;
        o.color_class = color_class;
        o.max_cells = max_cells;
        if (width > 0)
            o.width = width;
        o.height = height;
        PVPY_SET_HOOKS(o, &h);
        pv_plot_info info;
        pv_error err = {0};
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_plot(plane, PyBytes_AS_STRING(path), &o, &info, &err);
        Py_END_ALLOW_THREADS
        PyObject *d = st == PV_OK
            ? Py_BuildValue("{s:i,s:[iii],s:i,s:i}", "cells", info.cells, "cells_by_dim",
                            info.cells_by_dim[0], info.cells_by_dim[1],
                            info.cells_by_dim[2], "edges", info.edges, "disagreements",
                            info.disagreements)
            : NULL;
        r = pvpy_hooks_finish(&h, st, &err, d);
    }
    pv_box_clear(&box);
    pv_net_free(sliced);
    Py_DECREF(path);
    return r;
}
