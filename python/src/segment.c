/* Network.segment and Network.radius: the cells along a segment
 * (segment.h) and the exact distance to the boundary of a point's cell
 * (radius.h). Neither uses an LP. */
#include "pvpy.h"

static PyObject *segment_dict(const pv_segment *s)
{
    PyObject *pieces = PyList_New(s->npieces), *breaks = PyList_New(s->nbreaks);
    for (int i = 0; pieces && i < s->npieces; i++) {
        const pv_segment_piece *p = &s->pieces[i];
        PyObject *t = Py_BuildValue("(NNN)", pvpy_code_str(&p->code),
                                    pvpy_fraction(p->t_from), pvpy_fraction(p->t_to));
        if (t == NULL)
            Py_CLEAR(pieces);
        else
            PyList_SET_ITEM(pieces, i, t);
    }
    for (int i = 0; breaks && i < s->nbreaks; i++) {
        const pv_segment_break *b = &s->breaks[i];
        PyObject *t = Py_BuildValue("(NN)", pvpy_fraction(b->t), pvpy_code_str(&b->code));
        if (t == NULL)
            Py_CLEAR(breaks);
        else
            PyList_SET_ITEM(breaks, i, t);
    }
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "pieces", pieces);
    bad |= pvpy_set(d, "breakpoints", breaks);
    if (bad)
        Py_CLEAR(d);
    return d;
}

PyObject *pvpy_segment(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "y", NULL};
    PyObject *xo, *yo;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO:segment", names, &xo, &yo))
        return NULL;
    int m = pv_net_input_dim(self->net);
    mpq_t *x = pvpy_vec(xo, m, "x"), *y = x ? pvpy_vec(yo, m, "y") : NULL;
    PyObject *r = NULL;
    if (y) {
        pv_segment s;
        pv_segment_init(&s);
        pv_error err = {0};
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_segment_compute(&s, self->net, x, y, &err);
        Py_END_ALLOW_THREADS
        r = st == PV_OK ? segment_dict(&s) : pvpy_raise(&err, NULL);
        pv_segment_clear(&s);
    }
    pvpy_vec_free(x, x ? (size_t)m : 0);
    pvpy_vec_free(y, y ? (size_t)m : 0);
    return r;
}

static PyObject *nearest_dict(const pv_radius_nearest *n, int m)
{
    PyObject *box = PyList_New(n->nbox);
    for (int i = 0; box && i < n->nbox; i++)
        PyList_SET_ITEM(box, i, Py_BuildValue("(is)", n->box[i] / 2,
                                              n->box[i] % 2 ? "hi" : "lo"));
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "neurons", pvpy_ints(n->neurons, n->nneurons));
    bad |= pvpy_set(d, "box", box);
    bad |= pvpy_set(d, "domain", pvpy_ints(n->domain, n->ndomain));
    bad |= pvpy_set(d, "point", n->point ? pvpy_fractions(n->point, m) : pvpy_none());
    bad |= pvpy_set(d, "neighbor", n->has_neighbor ? pvpy_code_str(&n->neighbor)
                                                   : pvpy_none());
    if (bad)
        Py_CLEAR(d);
    return d;
}

static PyObject *radius_dict(const pv_radius *R)
{
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "code", pvpy_code_str(&R->code));
    bad |= pvpy_set(d, "finite", PyBool_FromLong(R->finite));
    bad |= pvpy_set(d, "l2_squared", R->finite ? pvpy_fraction(R->l2_squared) : pvpy_none());
    bad |= pvpy_set(d, "linf", R->finite ? pvpy_fraction(R->linf) : pvpy_none());
    bad |= pvpy_set(d, "nearest_l2", R->finite ? nearest_dict(&R->nearest_l2, R->m)
                                                : pvpy_none());
    bad |= pvpy_set(d, "nearest_linf", R->finite ? nearest_dict(&R->nearest_linf, R->m)
                                                  : pvpy_none());
    if (bad)
        Py_CLEAR(d);
    return d;
}

PyObject *pvpy_radius(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"x", "box", "domain", NULL};
    PyObject *xo, *box_arg = Py_None, *domain = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OO:radius", names, &xo, &box_arg,
                                     &domain))
        return NULL;
    int m = pv_net_input_dim(self->net);
    pv_box box;
    pv_box_init(&box, m);
    mpq_t *x = pvpy_vec(xo, m, "x");
    int hb = x ? pvpy_domain(&box, self->net, box_arg, domain) : -1;
    PyObject *r = NULL;
    if (hb >= 0) {
        pv_radius R;
        pv_radius_init(&R);
        pv_error err = {0};
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_radius_compute(&R, self->net, x, hb ? &box : NULL, &err);
        Py_END_ALLOW_THREADS
        r = st == PV_OK ? radius_dict(&R) : pvpy_raise(&err, NULL);
        pv_radius_clear(&R);
    }
    pv_box_clear(&box);
    pvpy_vec_free(x, x ? (size_t)m : 0);
    return r;
}
