/* The module polyverify._core: its exception classes, the mapping of
 * library statuses to them, and the module table. */
#include "pvpy.h"
#include "points.h"

#include <stdarg.h>

/* Created once by PyInit__core and never changed after: the module's
 * constants, like the types of any C extension. */
pvpy_errors pvpy_exc;

PyObject *pvpy_bad(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    PyErr_SetString(pvpy_exc.bad_input, msg);
    return NULL;
}

static PyObject *class_of(pv_status s)
{
    switch (s) {
    case PV_ERR_IO:          return pvpy_exc.file_error;
    case PV_ERR_PARSE:
    case PV_ERR_ARG:         return pvpy_exc.bad_input;
    case PV_ERR_NOMEM:       return pvpy_exc.out_of_memory;
    case PV_ERR_LIMIT:       return pvpy_exc.limit;
    case PV_ERR_INTERRUPTED: return pvpy_exc.interrupted;
    default:                 return pvpy_exc.error;
    }
}

/* Raises cls(msg) with `partial` set (stolen; None when NULL). */
static PyObject *raise_with(PyObject *cls, const char *msg, PyObject *partial)
{
    PyObject *e = PyObject_CallFunction(cls, "s", msg);
    if (e == NULL) {
        Py_XDECREF(partial);
        return NULL;
    }
    int rc = PyObject_SetAttrString(e, "partial", partial ? partial : Py_None);
    Py_XDECREF(partial);
    if (rc == 0)
        PyErr_SetObject(cls, e);
    Py_DECREF(e);
    return NULL;
}

PyObject *pvpy_raise(const pv_error *err, PyObject *partial)
{
    const char *msg = err && err->msg[0] ? err->msg : pv_error_name(err ? err->status
                                                                        : PV_ERR_INTERNAL);
    return raise_with(class_of(err ? err->status : PV_ERR_INTERNAL), msg, partial);
}

/* ---- hooks of the long calls ------------------------------------------- */

#include <time.h>

static double monotonic(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void pvpy_hooks_init(pvpy_hooks *h, PyObject *progress, double timeout)
{
    memset(h, 0, sizeof *h);
    h->progress = progress && progress != Py_None ? progress : NULL;
    h->timeout = timeout;
    h->deadline = timeout > 0 ? monotonic() + timeout : 0;
}

/* Keeps the pending exception for pvpy_hooks_finish (GIL held). */
static void keep_exception(pvpy_hooks *h)
{
    if (h->exc_type == NULL)
        PyErr_Fetch(&h->exc_type, &h->exc_value, &h->exc_tb);
    else
        PyErr_Clear();
}

void pvpy_hook_progress(void *ctx, long cells, double seconds)
{
    pvpy_hooks *h = ctx;
    if (h->progress == NULL || h->exc_type || h->interrupted)
        return;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction(h->progress, "ld", cells, seconds);
    if (r == NULL)
        keep_exception(h);       /* a failing callback stops the run */
    Py_XDECREF(r);
    PyGILState_Release(g);
}

/* Polled by the library every ~0.1 s of work: the deadline without the
 * GIL, then Python's pending signals (Ctrl-C) with it. */
int pvpy_hook_interrupted(void *ctx)
{
    pvpy_hooks *h = ctx;
    if (h->timed_out || h->interrupted || h->exc_type)
        return 1;
    if (h->deadline > 0 && monotonic() > h->deadline) {
        h->timed_out = 1;
        return 1;
    }
    PyGILState_STATE g = PyGILState_Ensure();
    if (PyErr_CheckSignals() < 0) {
        if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
            PyErr_Clear();
            h->interrupted = 1;
        } else {
            keep_exception(h);
        }
    }
    PyGILState_Release(g);
    return h->interrupted || h->exc_type != NULL;
}

PyObject *pvpy_hooks_finish(pvpy_hooks *h, pv_status status, const pv_error *err,
                            PyObject *partial)
{
    if (h->exc_type) {
        Py_XDECREF(partial);
        PyErr_Restore(h->exc_type, h->exc_value, h->exc_tb);
        h->exc_type = h->exc_value = h->exc_tb = NULL;
        return NULL;
    }
    char msg[160];
    if (h->timed_out) {
        snprintf(msg, sizeof msg, "stopped after the timeout of %g s: `partial` "
                 "holds what was found, marked incomplete", h->timeout);
        return raise_with(pvpy_exc.timeout, msg, partial);
    }
    if (h->interrupted)
        return raise_with(pvpy_exc.interrupted, "interrupted: `partial` holds what "
                          "was found, marked incomplete", partial);
    if (status != PV_OK)
        return pvpy_raise(err, partial);
    return partial;
}

PyObject *pvpy_hooks_result(pvpy_hooks *h, pv_status st, const pv_error *err,
                            PyObject *(*build)(const void *answer, const char *stopped),
                            const void *answer)
{
    int by_hook = h->timed_out || h->interrupted || h->exc_type;
    const char *stopped = st == PV_ERR_LIMIT && !by_hook ? err->msg : NULL;
    int started = st == PV_OK || st == PV_ERR_LIMIT || st == PV_ERR_INTERRUPTED;
    PyObject *d = NULL;
    if (started && (d = build(answer, stopped)) == NULL)
        return NULL;
    return pvpy_hooks_finish(h, stopped ? PV_OK : st, err, d);
}

/* ---- the module ---------------------------------------------------------- */

static PyObject *new_class(PyObject *mod, const char *name, PyObject *bases,
                           const char *doc)
{
    char full[64];
    snprintf(full, sizeof full, "polyverify.%s", name);
    PyObject *c = PyErr_NewExceptionWithDoc(full, doc, bases, NULL);
    Py_XDECREF(bases);
    if (c && PyModule_AddObjectRef(mod, name, c) < 0)
        Py_CLEAR(c);
    return c;
}

static int add_exceptions(PyObject *mod)
{
    pvpy_errors *e = &pvpy_exc;
    e->error = new_class(mod, "Error", Py_BuildValue("(O)", PyExc_Exception),
                         "Every error of polyverify; the message is the library's.");
    if (!e->error)
        return -1;
    e->bad_input = new_class(mod, "BadInput",
                             Py_BuildValue("(OO)", e->error, PyExc_ValueError),
                             "Malformed or invalid input: a file, a number, a code, "
                             "a box, an argument.");
    e->file_error = new_class(mod, "FileError",
                              Py_BuildValue("(OO)", e->error, PyExc_OSError),
                              "A file could not be opened or read.");
    e->limit = new_class(mod, "LimitError", Py_BuildValue("(O)", e->error),
                         "A limit stopped the run; `partial` holds what was found.");
    e->timeout = e->limit ? new_class(mod, "Timeout",
                                      Py_BuildValue("(OO)", e->limit, PyExc_TimeoutError),
                                      "The timeout stopped the run; `partial` holds "
                                      "what was found.") : NULL;
    e->interrupted = new_class(mod, "Interrupted",
                               Py_BuildValue("(OO)", e->error, PyExc_KeyboardInterrupt),
                               "Ctrl-C stopped the run; `partial` holds what was "
                               "found.");
    e->out_of_memory = new_class(mod, "OutOfMemory",
                                 Py_BuildValue("(OO)", e->error, PyExc_MemoryError),
                                 "The library could not allocate memory.");
    return e->bad_input && e->file_error && e->limit && e->timeout && e->interrupted &&
           e->out_of_memory ? 0 : -1;
}

PyObject *pvpy_net_functions(PyObject *mod);   /* network.c */
extern PyMethodDef pvpy_module_methods[];      /* network.c */

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "polyverify._core",
    "The C library of polyverify, exact (use the package `polyverify`).", -1,
    pvpy_module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__core(void)
{
    if (pvpy_convert_init() < 0 || PyType_Ready(&pvpy_net_type) < 0)
        return NULL;
    PyObject *mod = PyModule_Create(&module_def);
    if (mod == NULL)
        return NULL;
    if (add_exceptions(mod) < 0 ||
        PyModule_AddObjectRef(mod, "Net", (PyObject *)&pvpy_net_type) < 0 ||
        PyModule_AddStringConstant(mod, "version", pv_version()) < 0) {
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}
