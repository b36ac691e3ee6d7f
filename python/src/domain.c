/* Codes and input domains from Python arguments, read as the CLI reads
 * --code, --box and --domain. */
#include "pvpy.h"

#include <stdlib.h>
#include <string.h>

int pvpy_code(pv_code *c, const pv_net *net, PyObject *o, pv_error *err)
{
    if (PyUnicode_Check(o)) {
        const char *s = PyUnicode_AsUTF8(o);
        if (s == NULL)
            return -1;
        if (pv_code_parse(c, net, s, err) != PV_OK) {
            pvpy_raise(err, NULL);
            return -1;
        }
        return 0;
    }
    PyObject *f = PySequence_Fast(o, "a code is a 0/1 str or a sequence of 0/1");
    if (f == NULL) {
        PyErr_Clear();
        pvpy_bad("a code is a 0/1 str or a sequence of 0/1, not a %.60s",
                 Py_TYPE(o)->tp_name);
        return -1;
    }
    int n = pv_net_neurons(net);
    int rc = 0;
    if (PySequence_Fast_GET_SIZE(f) != n) {
        pvpy_bad("a code of %zd bits; the network has %d ReLU neurons",
                 PySequence_Fast_GET_SIZE(f), n);
        rc = -1;
    }
    pv_code_clear(c);
    pv_code_init(c, rc ? 0 : n);
    for (int j = 0; !rc && j < n; j++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(f, j));
        if ((v != 0 && v != 1) || PyErr_Occurred()) {
            PyErr_Clear();
            pvpy_bad("bit %d of the code is not 0 or 1", j);
            rc = -1;
        } else {
            c->bit[j] = (unsigned char)v;
        }
    }
    Py_DECREF(f);
    return rc;
}

PyObject *pvpy_code_str(const pv_code *c)
{
    char *s = pv_code_str(c, NULL);
    if (s == NULL)
        return PyErr_NoMemory();
    PyObject *r = PyUnicode_FromString(s);
    free(s);
    return r;
}

/* The box of `box="input"`: the file's own input box. */
static int box_from_net(pv_box *box, const pv_net *net)
{
    if (!pv_net_has_box(net)) {
        pvpy_bad("box='input': this %s network has no default input box (a .nnet "
                 "file's min/max gives one)", pv_net_format(net));
        return -1;
    }
    for (int i = 0; i < pv_net_input_dim(net); i++) {
        mpq_set(box->lo[i], pv_net_box_lo(net)[i]);
        mpq_set(box->hi[i], pv_net_box_hi(net)[i]);
    }
    return 1;
}

/* lo, hi into coordinate i; LO > HI refused as the CLI refuses it. */
static int set_side(pv_box *box, int i, PyObject *pair)
{
    PyObject *f = PySequence_Fast(pair, "box: a pair (lo, hi)");
    if (f == NULL || PySequence_Fast_GET_SIZE(f) != 2) {
        Py_XDECREF(f);
        PyErr_Clear();
        pvpy_bad("box: coordinate %d: expected a pair (lo, hi)", i);
        return -1;
    }
    int rc = pvpy_mpq(box->lo[i], PySequence_Fast_GET_ITEM(f, 0), "box lo") ||
             pvpy_mpq(box->hi[i], PySequence_Fast_GET_ITEM(f, 1), "box hi") ? -1 : 0;
    Py_DECREF(f);
    if (!rc && mpq_cmp(box->lo[i], box->hi[i]) > 0) {
        pvpy_bad("box: coordinate %d: lo > hi", i);
        rc = -1;
    }
    return rc;
}

static int is_number(PyObject *o)
{
    return PyNumber_Check(o) || PyUnicode_Check(o);
}

static int box_from_object(pv_box *box, int m, PyObject *o)
{
    PyObject *f = PySequence_Fast(o, "box");
    if (f == NULL) {
        PyErr_Clear();
        pvpy_bad("box: a str \"LO,HI\", a pair (lo, hi) or %d pairs, not a %.60s", m,
                 Py_TYPE(o)->tp_name);
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(f);
    int rc = 0;
    if (n == 2 && is_number(PySequence_Fast_GET_ITEM(f, 0))) {
        for (int i = 0; !rc && i < m; i++)      /* (lo, hi) for every coordinate */
            rc = set_side(box, i, f);
    } else if (n == m) {
        for (int i = 0; !rc && i < m; i++)
            rc = set_side(box, i, PySequence_Fast_GET_ITEM(f, i));
    } else {
        pvpy_bad("box: %zd entries; give (lo, hi) or %d pairs (lo_i, hi_i)", n, m);
        rc = -1;
    }
    Py_DECREF(f);
    return rc ? -1 : 1;
}

int pvpy_domain(pv_box *box, const pv_net *net, PyObject *box_arg, PyObject *domain_arg)
{
    int m = pv_net_input_dim(net);
    int has_box = box_arg && box_arg != Py_None;
    int has_domain = domain_arg && domain_arg != Py_None;
    if (has_box && has_domain) {
        pvpy_bad("give box or domain, not both");
        return -1;
    }
    pv_error err = {0};
    if (has_domain) {
        PyObject *path;
        if (!PyUnicode_FSConverter(domain_arg, &path))
            return -1;
        pv_status st = pv_box_load(box, m, PyBytes_AS_STRING(path), NULL, &err);
        Py_DECREF(path);
        if (st != PV_OK) {
            pvpy_raise(&err, NULL);
            return -1;
        }
        return 1;
    }
    if (!has_box)
        return 0;
    if (PyUnicode_Check(box_arg)) {
        const char *s = PyUnicode_AsUTF8(box_arg);
        if (s == NULL)
            return -1;
        if (!strcmp(s, "input"))
            return box_from_net(box, net);
        if (pv_box_parse(box, m, s, &err) != PV_OK) {
            pvpy_raise(&err, NULL);
            return -1;
        }
        return 1;
    }
    return box_from_object(box, m, box_arg);
}
