/* Exact numbers between Python and the library.
 *
 * A Python number becomes the rational it denotes: an int itself, a
 * Fraction its numerator/denominator, a float (and a numpy float16/32/64
 * scalar or array item) the exact value of its binary representation
 * (every finite binary float is a dyadic rational, so nothing rounds), a
 * str or Decimal what its text writes, read as the CLI reads numbers. A
 * numpy longdouble is refused: float() of it would round. */
#include "pvpy.h"
#include "points.h"

#include <math.h>
#include <string.h>

static PyObject *fraction_type;   /* fractions.Fraction, set at import */

int pvpy_convert_init(void)
{
    PyObject *mod = PyImport_ImportModule("fractions");
    if (mod == NULL)
        return -1;
    fraction_type = PyObject_GetAttrString(mod, "Fraction");
    Py_DECREF(mod);
    return fraction_type ? 0 : -1;
}

/* z = the Python int o (exact, any size). */
static int mpz_from_pylong(mpz_t z, PyObject *o)
{
    int overflow = 0;
    long v = PyLong_AsLongAndOverflow(o, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (!overflow) {
        mpz_set_si(z, v);
        return 0;
    }
    PyObject *hex = PyNumber_ToBase(o, 16);    /* "0x1f" or "-0x1f" */
    if (hex == NULL)
        return -1;
    const char *s = PyUnicode_AsUTF8(hex);
    int rc = s && mpz_set_str(z, s, 0) == 0 ? 0 : -1;
    Py_DECREF(hex);
    if (rc && !PyErr_Occurred())
        PyErr_SetString(PyExc_SystemError, "polyverify: an int did not convert");
    return rc;
}

static int mpq_from_text(mpq_t out, const char *s, Py_ssize_t len, const char *what)
{
    const char *why = NULL;
    if (pv_rational_parse(out, s, (size_t)len, &why) == PV_OK)
        return 0;
    pvpy_bad("%s: '%.80s' is not an exact number (%s)", what, s,
             why ? why : "bad number");
    return -1;
}

static int mpq_from_double(mpq_t out, double d, const char *what)
{
    if (!isfinite(d)) {
        pvpy_bad("%s: %g is not a finite number", what, d);
        return -1;
    }
    mpq_set_d(out, d);       /* exact: a finite double is a dyadic rational */
    return 0;
}

/* numerator / denominator attributes that are integers (Fraction,
 * numbers.Rational): 1 done, 0 not such an object, -1 error. */
static int mpq_from_ratio(mpq_t out, PyObject *o)
{
    if (!PyObject_HasAttrString(o, "numerator") ||
        !PyObject_HasAttrString(o, "denominator"))
        return 0;
    PyObject *n = PyObject_GetAttrString(o, "numerator");
    PyObject *d = n ? PyObject_GetAttrString(o, "denominator") : NULL;
    PyObject *ni = n && PyIndex_Check(n) ? PyNumber_Index(n) : NULL;
    PyObject *di = d && PyIndex_Check(d) ? PyNumber_Index(d) : NULL;
    int rc = 0;
    if (ni && di) {
        rc = mpz_from_pylong(mpq_numref(out), ni) || mpz_from_pylong(mpq_denref(out), di)
                 ? -1 : 1;
        if (rc == 1 && mpz_sgn(mpq_denref(out)) == 0)
            rc = -1, pvpy_bad("a rational with denominator 0");
        if (rc == 1)
            mpq_canonicalize(out);
    }
    PyErr_Clear();
    Py_XDECREF(n);
    Py_XDECREF(d);
    Py_XDECREF(ni);
    Py_XDECREF(di);
    return rc;
}

/* A numpy floating scalar of at most 8 bytes: its float() is exact. */
static int is_small_numpy_float(PyObject *o)
{
    PyObject *dt = PyObject_GetAttrString(o, "dtype");
    if (dt == NULL) {
        PyErr_Clear();
        return 0;
    }
    PyObject *kind = PyObject_GetAttrString(dt, "kind");
    PyObject *size = PyObject_GetAttrString(dt, "itemsize");
    int yes = kind && size && PyUnicode_Check(kind) &&
              PyUnicode_CompareWithASCIIString(kind, "f") == 0 &&
              PyLong_Check(size) && PyLong_AsLong(size) <= 8;
    PyErr_Clear();
    Py_XDECREF(kind);
    Py_XDECREF(size);
    Py_DECREF(dt);
    return yes;
}

int pvpy_mpq(mpq_t out, PyObject *o, const char *what)
{
    if (PyBool_Check(o)) {
        pvpy_bad("%s: a bool is not a number here", what);
        return -1;
    }
    if (PyLong_Check(o)) {
        mpz_set_ui(mpq_denref(out), 1);
        return mpz_from_pylong(mpq_numref(out), o);
    }
    if (PyFloat_Check(o))                 /* numpy.float64 is a float */
        return mpq_from_double(out, PyFloat_AS_DOUBLE(o), what);
    if (PyUnicode_Check(o)) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(o, &len);
        return s ? mpq_from_text(out, s, len, what) : -1;
    }
    if (PyIndex_Check(o)) {               /* numpy integers */
        PyObject *i = PyNumber_Index(o);
        if (i == NULL)
            return -1;
        mpz_set_ui(mpq_denref(out), 1);
        int rc = mpz_from_pylong(mpq_numref(out), i);
        Py_DECREF(i);
        return rc;
    }
    int r = mpq_from_ratio(out, o);
    if (r)
        return r > 0 ? 0 : -1;
    if (is_small_numpy_float(o)) {
        double d = PyFloat_AsDouble(o);
        return d == -1.0 && PyErr_Occurred() ? -1 : mpq_from_double(out, d, what);
    }
    if (!strcmp(Py_TYPE(o)->tp_name, "decimal.Decimal")) {
        PyObject *s = PyObject_Str(o);
        Py_ssize_t len;
        const char *t = s ? PyUnicode_AsUTF8AndSize(s, &len) : NULL;
        int rc = t ? mpq_from_text(out, t, len, what) : -1;
        Py_XDECREF(s);
        return rc;
    }
    pvpy_bad("%s: cannot read a %.60s exactly (give an int, a Fraction, a float "
             "or a string such as \"1/3\")", what, Py_TYPE(o)->tp_name);
    return -1;
}

PyObject *pvpy_fraction_z(const mpz_t z)
{
    if (mpz_fits_slong_p(z))
        return PyLong_FromLong(mpz_get_si(z));
    char *s = mpz_get_str(NULL, 16, z);
    PyObject *r = PyLong_FromString(s, NULL, 16);
    void (*gmp_free)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &gmp_free);
    gmp_free(s, strlen(s) + 1);
    return r;
}

PyObject *pvpy_fraction(const mpq_t q)
{
    PyObject *n = pvpy_fraction_z(mpq_numref(q));
    PyObject *d = n ? pvpy_fraction_z(mpq_denref(q)) : NULL;
    PyObject *f = d ? PyObject_CallFunctionObjArgs(fraction_type, n, d, NULL) : NULL;
    Py_XDECREF(n);
    Py_XDECREF(d);
    return f;
}

PyObject *pvpy_fractions(mpq_t *const q, int n)
{
    PyObject *l = PyList_New(n);
    for (int i = 0; l && i < n; i++) {
        PyObject *f = pvpy_fraction(q[i]);
        if (f == NULL) {
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, i, f);
    }
    return l;
}

PyObject *pvpy_ints(const int *v, int n)
{
    PyObject *l = PyList_New(n);
    for (int i = 0; l && i < n; i++) {
        PyObject *x = PyLong_FromLong(v[i]);
        if (x == NULL) {
            Py_CLEAR(l);
            break;
        }
        PyList_SET_ITEM(l, i, x);
    }
    return l;
}

void pvpy_vec_free(mpq_t *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mpq_clear(v[i]);
    PyMem_Free(v);
}

static mpq_t *vec_new(size_t n)
{
    mpq_t *v = PyMem_Malloc((n ? n : 1) * sizeof(mpq_t));
    if (v == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

mpq_t *pvpy_points(PyObject *o, int m, int *count, int *single)
{
    pvpy_pointsrc src;
    if (pvpy_pointsrc_open(&src, o, m) < 0)
        return NULL;
    size_t n = (size_t)src.count * (size_t)m;
    mpq_t *x = vec_new(n);
    if (x && pvpy_pointsrc_read(&src, 0, src.count, x) < 0) {
        pvpy_vec_free(x, n);
        x = NULL;
    }
    *count = src.count;
    *single = src.single;
    pvpy_pointsrc_close(&src);
    return x;
}

mpq_t *pvpy_vec(PyObject *o, int n, const char *what)
{
    int count, single;
    mpq_t *x = pvpy_points(o, n, &count, &single);
    if (x && !single) {
        pvpy_vec_free(x, (size_t)count * (size_t)n);
        pvpy_bad("%s: expected one vector of %d numbers", what, n);
        return NULL;
    }
    return x;
}

int pvpy_set(PyObject *d, const char *key, PyObject *v)
{
    if (d == NULL || v == NULL) {
        Py_XDECREF(v);
        return -1;
    }
    int rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc;
}
