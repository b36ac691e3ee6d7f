/* Network.adjacency(a, b) and Network.flips(code): adjacency from
 * geometry alone (adjacency.h, flips.h); d_H is counted from the bits. */
#include "pvpy.h"

static PyObject *dim_or_none(int d)
{
    if (d >= 0)
        return PyLong_FromLong(d);
    Py_RETURN_NONE;
}

static PyObject *adjacency_dict(const pv_adjacency *A)
{
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "code_a", pvpy_code_str(A->code_a));
    bad |= pvpy_set(d, "code_b", pvpy_code_str(A->code_b));
    bad |= pvpy_set(d, "hamming", PyLong_FromLong(A->hamming));
    bad |= pvpy_set(d, "dim_a", PyLong_FromLong(A->dim_a));
    bad |= pvpy_set(d, "dim_b", PyLong_FromLong(A->dim_b));
    bad |= pvpy_set(d, "common_dim", PyLong_FromLong(A->common_dim));
    bad |= pvpy_set(d, "common_point", A->common_point ? pvpy_fractions(A->common_point, A->m)
                                                       : pvpy_none());
    int known = A->d_A >= 0;
    bad |= pvpy_set(d, "adjacent", known ? PyBool_FromLong(A->adjacent) : dim_or_none(-1));
    bad |= pvpy_set(d, "d_A", dim_or_none(A->d_A));
    bad |= pvpy_set(d, "d_H2", PyLong_FromLong(A->d_H2));
    bad |= pvpy_set(d, "agrees", A->agrees >= 0 ? PyBool_FromLong(A->agrees)
                                                 : dim_or_none(-1));
    bad |= pvpy_set(d, "stats", pvpy_stats_dict(&A->stats));
    if (bad)
        Py_CLEAR(d);
    return d;
}

PyObject *pvpy_adjacency(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"a", "b", "box", "domain", NULL};
    PyObject *ca, *cb, *box_arg = Py_None, *domain = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|OO:adjacency", names, &ca, &cb,
                                     &box_arg, &domain))
        return NULL;
    pv_code a, b;
    pv_code_init(&a, 0);
    pv_code_init(&b, 0);
    pv_box box;
    pv_box_init(&box, pv_net_input_dim(self->net));
    pv_error err = {0};
    PyObject *r = NULL;
    int hb = pvpy_code(&a, self->net, ca, &err) || pvpy_code(&b, self->net, cb, &err)
                 ? -1 : pvpy_domain(&box, self->net, box_arg, domain);
    if (hb >= 0) {
        pv_adjacency A;
        pv_adjacency_init(&A);
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_adjacency_check(&A, self->net, &a, &b, hb ? &box : NULL, &err);
        Py_END_ALLOW_THREADS
        r = st == PV_OK ? adjacency_dict(&A) : pvpy_raise(&err, NULL);
        pv_adjacency_clear(&A);
    }
    pv_box_clear(&box);
    pv_code_clear(&a);
    pv_code_clear(&b);
    return r;
}

static PyObject *flip_dict(const pv_flip *f)
{
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "neuron", dim_or_none(f->neuron));
    bad |= pvpy_set(d, "code", pvpy_code_str(&f->code));
    bad |= pvpy_set(d, "realized", PyBool_FromLong(f->realized));
    bad |= pvpy_set(d, "dim", PyLong_FromLong(f->dim));
    bad |= pvpy_set(d, "hamming", PyLong_FromLong(f->hamming));
    /* as `adjacency-check --flips --json`: no common dimension and no
     * adjacency for an unrealised flip */
    bad |= pvpy_set(d, "common_dim", f->realized ? PyLong_FromLong(f->common_dim)
                                                 : pvpy_none());
    bad |= pvpy_set(d, "adjacent", f->realized ? PyBool_FromLong(f->adjacent)
                                               : pvpy_none());
    bad |= pvpy_set(d, "neurons", pvpy_ints(f->neurons, f->nneurons));
    if (bad)
        Py_CLEAR(d);
    return d;
}

PyObject *pvpy_flips(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"code", "box", "domain", "threads", NULL};
    PyObject *code, *box_arg = Py_None, *domain = Py_None;
    int threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOi:flips", names, &code, &box_arg,
                                     &domain, &threads))
        return NULL;
    pv_code c;
    pv_code_init(&c, 0);
    pv_box box;
    pv_box_init(&box, pv_net_input_dim(self->net));
    pv_error err = {0};
    PyObject *r = NULL;
    int hb = pvpy_code(&c, self->net, code, &err) ? -1
                                                   : pvpy_domain(&box, self->net, box_arg, domain);
    if (hb >= 0) {
        pv_flips F;
        pv_flips_init(&F);
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_flips_check_threads(&F, self->net, &c, hb ? &box : NULL, threads, &err);
        Py_END_ALLOW_THREADS
        PyObject *l = st == PV_OK ? PyList_New(F.nflips) : pvpy_raise(&err, NULL);
        for (int i = 0; l && i < F.nflips; i++) {
            PyObject *fd = flip_dict(&F.flips[i]);
            if (fd == NULL)
                Py_CLEAR(l);
            else
                PyList_SET_ITEM(l, i, fd);
        }
        if (l)
            r = Py_BuildValue("{s:O,s:i,s:N}", "realized", F.realized ? Py_True : Py_False,
                              "dim", F.dim, "flips", l);
        pv_flips_clear(&F);
    }
    pv_box_clear(&box);
    pv_code_clear(&c);
    return r;
}
