/* The Network object of polyverify._core: a pv_net, loaded, parsed or
 * built from layers, read-only once made (so calls on it may run in
 * several threads at once), and the module's functions that make one. */
#include "pvpy.h"

#include <string.h>

static void net_dealloc(pvpy_net *self)
{
    pv_net_free(self->net);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

PyObject *pvpy_net_wrap(pv_net *net)
{
    pvpy_net *o = PyObject_New(pvpy_net, &pvpy_net_type);
    if (o == NULL) {
        pv_net_free(net);
        return NULL;
    }
    o->net = net;
    return (PyObject *)o;
}

/* A new empty pv_net, or NULL with MemoryError. */
static pv_net *new_net(void)
{
    pv_net *net = pv_net_new();
    if (net == NULL)
        PyErr_NoMemory();
    return net;
}

/* net after a loader's status: the object, or the error (net freed). */
static PyObject *wrap_or_raise(pv_net *net, pv_status st, const pv_error *err)
{
    if (st != PV_OK) {
        pv_net_free(net);
        return pvpy_raise(err, NULL);
    }
    return pvpy_net_wrap(net);
}

static PyObject *mod_load(PyObject *mod, PyObject *args)
{
    (void)mod;
    PyObject *path;
    if (!PyArg_ParseTuple(args, "O&:load", PyUnicode_FSConverter, &path))
        return NULL;
    pv_net *net = new_net();
    pv_error err = {0};
    pv_status st = PV_ERR_NOMEM;
    if (net) {
        Py_BEGIN_ALLOW_THREADS
        st = pv_net_load(net, PyBytes_AS_STRING(path), &err);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(path);
    return net ? wrap_or_raise(net, st, &err) : NULL;
}

/* parse(data, format, name): a model in memory ("onnx", "pvnet", "nnet"). */
static PyObject *mod_parse(PyObject *mod, PyObject *args)
{
    (void)mod;
    Py_buffer data;
    const char *fmt, *name;
    if (!PyArg_ParseTuple(args, "y*ss:parse", &data, &fmt, &name))
        return NULL;
    pv_status (*parse)(pv_net *, const char *, size_t, const char *, pv_error *) =
        !strcmp(fmt, "onnx") ? pv_net_parse_onnx
        : !strcmp(fmt, "pvnet") ? pv_net_parse_pvnet
        : !strcmp(fmt, "nnet") ? pv_net_parse_nnet : NULL;
    if (parse == NULL) {
        PyBuffer_Release(&data);
        return pvpy_bad("parse: unknown format '%s' (onnx, pvnet or nnet)", fmt);
    }
    pv_net *net = new_net();
    pv_error err = {0};
    pv_status st = PV_ERR_NOMEM;
    if (net) {
        Py_BEGIN_ALLOW_THREADS
        st = parse(net, data.buf, (size_t)data.len, name, &err);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&data);
    return net ? wrap_or_raise(net, st, &err) : NULL;
}

/* A pending BadInput's message, prefixed with the layer and the array
 * (`name`) unless it names the array already: "layer 0: b: ...". */
static void prefix_error(int k, const char *name)
{
    if (!PyErr_ExceptionMatches(pvpy_exc.bad_input))
        return;
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyObject *s = v ? PyObject_Str(v) : NULL;
    const char *msg = s ? PyUnicode_AsUTF8(s) : NULL;
    size_t n = strlen(name);
    int named = msg && !strncmp(msg, name, n) && msg[n] == ':';
    pvpy_bad("layer %d: %s%s%s", k, named ? "" : name, named ? "" : ": ",
             msg ? msg : "unreadable");
    Py_XDECREF(s);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
}

/* Layer k of from_layers: (activation, W, b), W out x in. */
static int add_layer(pv_net *net, int k, PyObject *layer, int *in, pv_error *err)
{
    const char *act;
    PyObject *W, *b;
    if (!PyArg_ParseTuple(layer, "sOO", &act, &W, &b)) {
        PyErr_Clear();
        pvpy_bad("layer %d: expected (activation, W, b)", k);
        return -1;
    }
    pv_activation a = !strcmp(act, "relu") ? PV_RELU
                      : !strcmp(act, "linear") ? PV_LINEAR : (pv_activation)-1;
    if ((int)a < 0) {
        pvpy_bad("layer %d: activation '%s' (relu or linear)", k, act);
        return -1;
    }
    int out, single;
    mpq_t *w = pvpy_points(W, *in, &out, &single);   /* rows of `in` numbers */
    if (w == NULL) {
        prefix_error(k, "W");
        return -1;
    }
    if (single)
        out = 1;
    mpq_t *bias = pvpy_vec(b, single ? 1 : out, "b");
    int rc = bias ? 0 : -1;
    if (rc)
        prefix_error(k, "b");
    if (!rc && pv_net_add_layer(net, a, out, err) != PV_OK)
        rc = -2;
    for (int i = 0; !rc && i < out; i++) {
        for (int j = 0; !rc && j < *in; j++)
            if (mpq_sgn(w[(size_t)i * *in + j]) &&
                pv_net_set_weight(net, k, i, j, w[(size_t)i * *in + j], err) != PV_OK)
                rc = -2;
        if (!rc && pv_net_set_bias(net, k, i, bias[i], err) != PV_OK)
            rc = -2;
    }
    pvpy_vec_free(w, (size_t)out * (size_t)*in);
    pvpy_vec_free(bias, bias ? (size_t)out : 0);
    if (rc == -2) {
        pvpy_raise(err, NULL);
        rc = -1;
    }
    *in = out;
    return rc;
}

/* from_layers(m, [(activation, W, b), ...]) */
static PyObject *mod_from_layers(PyObject *mod, PyObject *args)
{
    (void)mod;
    int m;
    PyObject *layers;
    if (!PyArg_ParseTuple(args, "iO:from_layers", &m, &layers))
        return NULL;
    PyObject *seq = PySequence_Fast(layers, "from_layers: a sequence of layers");
    if (seq == NULL)
        return NULL;
    pv_net *net = new_net();
    pv_error err = {0};
    int rc = net ? 0 : -1;
    if (!rc && pv_net_set_input_dim(net, m, &err) != PV_OK)
        rc = -1, pvpy_raise(&err, NULL);
    int in = m;
    for (Py_ssize_t k = 0; !rc && k < PySequence_Fast_GET_SIZE(seq); k++)
        rc = add_layer(net, (int)k, PySequence_Fast_GET_ITEM(seq, k), &in, &err);
    if (!rc && pv_net_finalize(net, &err) != PV_OK)
        rc = -1, pvpy_raise(&err, NULL);
    Py_DECREF(seq);
    if (rc) {
        pv_net_free(net);
        return NULL;
    }
    return pvpy_net_wrap(net);
}

PyMethodDef pvpy_module_methods[] = {
    {"load", mod_load, METH_VARARGS, "load(path) -> Net: every format the CLI reads."},
    {"parse", mod_parse, METH_VARARGS,
     "parse(data, format, name) -> Net: a model in memory (onnx, pvnet, nnet)."},
    {"from_layers", mod_from_layers, METH_VARARGS,
     "from_layers(m, [(activation, W, b), ...]) -> Net, exact."},
    {NULL, NULL, 0, NULL},
};

/* ---- methods ------------------------------------------------------------ */

static PyObject *net_save(pvpy_net *self, PyObject *args)
{
    PyObject *path;
    if (!PyArg_ParseTuple(args, "O&:save", PyUnicode_FSConverter, &path))
        return NULL;
    pv_error err = {0};
    pv_status st;
    Py_BEGIN_ALLOW_THREADS
    st = pv_net_write_pvnet(self->net, PyBytes_AS_STRING(path), &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(path);
    if (st != PV_OK)
        return pvpy_raise(&err, NULL);
    Py_RETURN_NONE;
}

static PyObject *str_or_none(const char *s)
{
    if (s)
        return PyUnicode_FromString(s);
    Py_RETURN_NONE;
}

static PyObject *layer_info(const pv_net *net, int k)
{
    static const char *names[] = {"relu", "linear", "mixed"};
    long nnz = 0;
    for (int i = 0; i < pv_net_layer_out(net, k); i++) {
        const int *cols;
        const mpq_t *w;
        nnz += pv_net_layer_row(net, k, i, &cols, &w);
    }
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "in", PyLong_FromLong(pv_net_layer_in(net, k)));
    bad |= pvpy_set(d, "out", PyLong_FromLong(pv_net_layer_out(net, k)));
    bad |= pvpy_set(d, "activation",
                    PyUnicode_FromString(names[pv_net_layer_activation(net, k)]));
    bad |= pvpy_set(d, "relus", PyLong_FromLong(pv_net_layer_relus(net, k)));
    bad |= pvpy_set(d, "first_neuron", PyLong_FromLong(pv_net_layer_first_neuron(net, k)));
    bad |= pvpy_set(d, "sparse", PyBool_FromLong(pv_net_layer_weights(net, k) == NULL));
    bad |= pvpy_set(d, "nnz", PyLong_FromLong(nnz));
    if (bad)
        Py_CLEAR(d);
    return d;
}

static PyObject *code_part(const pv_code_part *p)
{
    return Py_BuildValue("{s:i,s:i,s:i,s:s,s:s,s:s}", "first", p->first, "count",
                         p->count, "per_element", p->per_element, "op", p->op, "shape",
                         p->shape, "node", p->node);
}

/* info() -> dict: the shape, the layers, the code layout, the file's box. */
static PyObject *net_info(pvpy_net *self, PyObject *unused)
{
    (void)unused;
    const pv_net *net = self->net;
    int m = pv_net_input_dim(net), L = pv_net_nlayers(net), P = pv_net_code_nparts(net);
    PyObject *layers = PyList_New(L), *parts = PyList_New(P);
    for (int k = 0; layers && k < L; k++) {
        PyObject *li = layer_info(net, k);
        if (li == NULL)
            Py_CLEAR(layers);
        else
            PyList_SET_ITEM(layers, k, li);
    }
    for (int i = 0; parts && i < P; i++) {
        PyObject *pi = code_part(pv_net_code_part(net, i));
        if (pi == NULL)
            Py_CLEAR(parts);
        else
            PyList_SET_ITEM(parts, i, pi);
    }
    PyObject *box = Py_None;
    Py_INCREF(box);
    if (pv_net_has_box(net)) {
        Py_DECREF(box);
        box = Py_BuildValue("(NN)", pvpy_fractions((mpq_t *)pv_net_box_lo(net), m),
                            pvpy_fractions((mpq_t *)pv_net_box_hi(net), m));
    }
    PyObject *d = PyDict_New();
    int bad = !layers || !parts || !box;
    bad |= pvpy_set(d, "input_dim", PyLong_FromLong(m));
    bad |= pvpy_set(d, "nlayers", PyLong_FromLong(L));
    bad |= pvpy_set(d, "neurons", PyLong_FromLong(pv_net_neurons(net)));
    bad |= pvpy_set(d, "format", str_or_none(pv_net_format(net)));
    bad |= pvpy_set(d, "dialect", str_or_none(pv_net_dialect(net)));
    bad |= pvpy_set(d, "input_shape", str_or_none(pv_net_input_shape(net)));
    bad |= pvpy_set(d, "output_head", str_or_none(pv_net_output_head(net)));
    bad |= pvpy_set(d, "fingerprint", PyLong_FromUnsignedLongLong(pv_net_fingerprint(net)));
    bad |= pvpy_set(d, "layers", layers);
    bad |= pvpy_set(d, "code_layout", parts);
    bad |= pvpy_set(d, "box", box);
    if (bad)
        Py_CLEAR(d);
    return d;
}

/* row(k, i) -> (cols or None, [Fraction]): row i of layer k as stored. */
static PyObject *net_row(pvpy_net *self, PyObject *args)
{
    int k, i;
    if (!PyArg_ParseTuple(args, "ii:row", &k, &i))
        return NULL;
    const int *cols;
    const mpq_t *w;
    int n = pv_net_layer_row(self->net, k, i, &cols, &w);
    if (n < 0)
        return pvpy_bad("row: no row %d in layer %d", i, k);
    PyObject *c = cols ? pvpy_ints(cols, n) : (Py_INCREF(Py_None), Py_None);
    return Py_BuildValue("(NN)", c, pvpy_fractions((mpq_t *)w, n));
}

/* biases(k) -> [Fraction] */
static PyObject *net_biases(pvpy_net *self, PyObject *args)
{
    int k;
    if (!PyArg_ParseTuple(args, "i:biases", &k))
        return NULL;
    const mpq_t *b = pv_net_layer_biases(self->net, k);
    if (b == NULL)
        return pvpy_bad("biases: no layer %d", k);
    return pvpy_fractions((mpq_t *)b, pv_net_layer_out(self->net, k));
}

#define KW (PyCFunction)(void (*)(void))
static PyMethodDef net_methods[] = {
    {"save", (PyCFunction)net_save, METH_VARARGS, "save(path): .pvnet, exact."},
    {"info", (PyCFunction)net_info, METH_NOARGS, "info() -> dict."},
    {"row", (PyCFunction)net_row, METH_VARARGS, "row(k, i) -> (cols, weights)."},
    {"biases", (PyCFunction)net_biases, METH_VARARGS, "biases(k) -> [Fraction]."},
    {"code", KW pvpy_code_points, METH_VARARGS | METH_KEYWORDS, NULL},
    {"stats", KW pvpy_stats, METH_VARARGS | METH_KEYWORDS, NULL},
    {"cell", KW pvpy_cell, METH_VARARGS | METH_KEYWORDS, NULL},
    {"halfspaces", KW pvpy_halfspaces, METH_VARARGS | METH_KEYWORDS, NULL},
    {"volume", KW pvpy_volume, METH_VARARGS | METH_KEYWORDS, NULL},
    {"adjacency", KW pvpy_adjacency, METH_VARARGS | METH_KEYWORDS, NULL},
    {"flips", KW pvpy_flips, METH_VARARGS | METH_KEYWORDS, NULL},
    {"enumerate", KW pvpy_enumerate, METH_VARARGS | METH_KEYWORDS, NULL},
    {"lemma1", KW pvpy_lemma1, METH_VARARGS | METH_KEYWORDS, NULL},
    {"explore", KW pvpy_explore, METH_VARARGS | METH_KEYWORDS, NULL},
    {"segment", KW pvpy_segment, METH_VARARGS | METH_KEYWORDS, NULL},
    {"radius", KW pvpy_radius, METH_VARARGS | METH_KEYWORDS, NULL},
    {"tessellate", KW pvpy_tessellate, METH_VARARGS | METH_KEYWORDS, NULL},
    {"plot", KW pvpy_plot, METH_VARARGS | METH_KEYWORDS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *net_get_input_dim(pvpy_net *self, void *c)
{
    (void)c;
    return PyLong_FromLong(pv_net_input_dim(self->net));
}

static PyObject *net_get_neurons(pvpy_net *self, void *c)
{
    (void)c;
    return PyLong_FromLong(pv_net_neurons(self->net));
}

static PyGetSetDef net_getset[] = {
    {"input_dim", (getter)net_get_input_dim, NULL, "m, the number of inputs", NULL},
    {"neurons", (getter)net_get_neurons, NULL, "N, the code length", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject pvpy_net_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "polyverify._core.Net",
    .tp_basicsize = sizeof(pvpy_net),
    .tp_dealloc = (destructor)net_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An exact ReLU network (made by load, parse or from_layers).",
    .tp_methods = net_methods,
    .tp_getset = net_getset,
};
