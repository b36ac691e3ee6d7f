/* Network.stats(points, labels=None, scale=None, max_pairs=200000,
 * filter=True): the paper's code-space experiment (code_stats.h), the
 * fields of `polyverify stats --json`. */
#include "pvpy.h"

#include <string.h>

/* labels: a sequence of count items, each written as str(item). */
static char **read_labels(PyObject *o, int count)
{
    PyObject *f = PySequence_Fast(o, "labels: a sequence");
    if (f == NULL)
        return NULL;
    char **l = NULL;
    if (PySequence_Fast_GET_SIZE(f) != count) {
        pvpy_bad("labels: %zd labels for %d points", PySequence_Fast_GET_SIZE(f), count);
        goto done;
    }
    l = PyMem_Calloc((size_t)count + 1, sizeof(char *));
    for (int i = 0; l && i < count; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(f, i);
        PyObject *s = PyObject_Str(item);
        const char *t = s ? PyUnicode_AsUTF8(s) : NULL;
        l[i] = t ? PyMem_Malloc(strlen(t) + 1) : NULL;
        if (l[i])
            strcpy(l[i], t);
        Py_XDECREF(s);
        if (l[i] == NULL) {
            for (int j = 0; j < i; j++)
                PyMem_Free(l[j]);
            PyMem_Free(l);
            l = NULL;
            if (!PyErr_Occurred())
                PyErr_NoMemory();
        }
    }
    if (l == NULL && !PyErr_Occurred())
        PyErr_NoMemory();
done:
    Py_DECREF(f);
    return l;
}

static PyObject *stats_dict(const pv_code_stats *S)
{
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "points", PyLong_FromLong(S->points));
    bad |= pvpy_set(d, "distinct_codes", PyLong_FromLong(S->distinct_codes));
    bad |= pvpy_set(d, "distinct_by_layer", pvpy_ints(S->distinct_by_layer, S->nlayers));
    bad |= pvpy_set(d, "max_points_per_code", PyLong_FromLong(S->max_points_per_code));
    bad |= pvpy_set(d, "singleton_codes", PyLong_FromLong(S->singleton_codes));
    if (S->classes) {
        PyObject *cl = PyList_New(S->nclasses);
        for (int c = 0; cl && c < S->nclasses; c++)
            PyList_SET_ITEM(cl, c, Py_BuildValue("{s:s,s:i,s:i}", "label",
                                                 S->classes[c].label, "points",
                                                 S->classes[c].points, "distinct_codes",
                                                 S->classes[c].distinct_codes));
        bad |= pvpy_set(d, "classes", cl);
        bad |= pvpy_set(d, "codes_shared_by_classes", PyLong_FromLong(S->shared_codes));
    }
    PyObject *h = PyDict_New();
    for (int k = 0; h && k <= S->nbits; k++) {
        if (!S->hamming[k])
            continue;
        PyObject *key = PyLong_FromLong(k), *v = PyLong_FromLong(S->hamming[k]);
        bad |= !key || !v || PyDict_SetItem(h, key, v) < 0;
        Py_XDECREF(key);
        Py_XDECREF(v);
    }
    bad |= pvpy_set(d, "hamming_histogram", h);
    bad |= pvpy_set(d, "hamming_pairs", PyLong_FromLong(S->pairs));
    bad |= pvpy_set(d, "hamming_sampled", PyBool_FromLong(S->sampled));
    bad |= pvpy_set(d, "hamming1_components",
                    Py_BuildValue("{s:i,s:i,s:i}", "count", S->components, "largest",
                                  S->largest_component, "isolated", S->isolated_codes));
    bad |= pvpy_set(d, "forward_pass", Py_BuildValue("{s:l,s:l}", "float_filter",
                                                     S->forward.filtered, "exact",
                                                     S->forward.exact));
    if (bad)
        Py_CLEAR(d);
    return d;
}

PyObject *pvpy_stats(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"points", "labels", "scale", "max_pairs", "filter", "threads",
                            NULL};
    PyObject *points, *labels = Py_None, *scale_arg = Py_None;
    long max_pairs = 200000;
    int filter = 1, threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOlpi:stats", names, &points, &labels,
                                     &scale_arg, &max_pairs, &filter, &threads))
        return NULL;
    int m = pv_net_input_dim(self->net), count, single;
    mpq_t *x = pvpy_points(points, m, &count, &single);
    if (x == NULL)
        return NULL;
    mpq_t s;
    mpq_init(s);
    int scaled = scale_arg != Py_None;
    int rc = scaled ? pvpy_mpq(s, scale_arg, "scale") : 0;
    char **lab = NULL;
    if (!rc && labels != Py_None && (lab = read_labels(labels, count)) == NULL)
        rc = -1;
    PyObject *r = NULL;
    if (!rc) {
        pv_pointset ps = {m, count, x, lab};
        pv_code_stats S;
        pv_code_stats_init(&S);
        pv_error err = {0};
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_code_stats_compute_threads(&S, self->net, &ps,
                                           scaled ? (const mpq_t *)&s : NULL, max_pairs,
                                           filter, threads, &err);
        Py_END_ALLOW_THREADS
        r = st == PV_OK ? stats_dict(&S) : pvpy_raise(&err, NULL);
        pv_code_stats_clear(&S);
    }
    for (int i = 0; lab && i < count; i++)
        PyMem_Free(lab[i]);
    PyMem_Free(lab);
    mpq_clear(s);
    pvpy_vec_free(x, (size_t)count * (size_t)m);
    return r;
}
