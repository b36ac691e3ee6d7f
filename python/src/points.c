/* Points from Python buffers and sequences (points.h). */
#include "points.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The item kind of a struct-module format of one native item: 'f' for
 * float16/32/64, 'i' / 'u' for integers, 0 for anything else. */
static char item_kind(const char *fmt, Py_ssize_t itemsize)
{
    if (fmt == NULL)
        return 'u';                        /* plain bytes */
    if (*fmt == '@' || *fmt == '=' || *fmt == '<')
        fmt++;
    if (strlen(fmt) != 1)
        return 0;
    switch (*fmt) {
    case 'e': case 'f': case 'd':
        return itemsize <= 8 ? 'f' : 0;
    case 'b': case 'h': case 'i': case 'l': case 'q': case 'n':
        return 'i';
    case 'B': case 'H': case 'I': case 'L': case 'Q': case 'N': case '?':
        return 'u';
    default:
        return 0;
    }
}

static int open_buffer(pvpy_pointsrc *src, PyObject *o, int m)
{
    if (PyObject_GetBuffer(o, &src->view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyErr_Clear();
        pvpy_bad("points: the array is not C-contiguous (numpy: np.ascontiguousarray)");
        return -1;
    }
    src->is_buffer = 1;
    src->itemsize = src->view.itemsize;
    src->kind = item_kind(src->view.format, src->itemsize);
    if (!src->kind) {
        pvpy_bad("points: array items of format '%s' (give float64, float32 or "
                 "integers; a longdouble cannot be read exactly)",
                 src->view.format ? src->view.format : "?");
        return -1;
    }
    int nd = src->view.ndim;
    Py_ssize_t *shape = src->view.shape;
    if (nd == 1 && shape[0] == m) {
        src->count = 1;
        src->single = 1;
    } else if (nd == 2 && shape[1] == m && shape[0] <= INT32_MAX) {
        src->count = (int)shape[0];
    } else {
        char got[64];
        if (nd == 1)
            snprintf(got, sizeof got, "(%zd,)", shape[0]);
        else if (nd == 2)
            snprintf(got, sizeof got, "(%zd, %zd)", shape[0], shape[1]);
        else
            snprintf(got, sizeof got, "of rank %d", nd);
        pvpy_bad("points: an array of shape %s; expected (n, %d) or (%d,)", got, m, m);
        return -1;
    }
    return 0;
}

/* The value of item i of the buffer, exactly. */
static int buffer_item(mpq_t out, const pvpy_pointsrc *src, size_t i)
{
    const char *p = (const char *)src->view.buf + i * (size_t)src->itemsize;
    if (src->kind == 'f') {
        double d;
        if (src->itemsize == 8) {
            memcpy(&d, p, 8);
        } else if (src->itemsize == 4) {
            float f;
            memcpy(&f, p, 4);
            d = f;                          /* exact: widening */
        } else {
            uint16_t h;                     /* IEEE binary16 */
            memcpy(&h, p, 2);
            int e = (h >> 10) & 31, f = h & 1023;
            d = e == 31 ? (f ? NAN : INFINITY)
                : e ? ldexp(1024 + f, e - 25) : ldexp(f, -24);
            if (h & 0x8000)
                d = -d;
        }
        if (!isfinite(d)) {
            pvpy_bad("points: coordinate %zu is %g, not a finite number", i, d);
            return -1;
        }
        mpq_set_d(out, d);
        return 0;
    }
    uint64_t u = 0;
    memcpy(&u, p, (size_t)src->itemsize);   /* little-endian x86/ARM */
    if (src->kind == 'i' && src->itemsize < 8 && (u >> (8 * src->itemsize - 1)) & 1)
        u |= ~(uint64_t)0 << (8 * src->itemsize);   /* sign-extend */
    if (src->kind == 'i')
        mpz_set_si(mpq_numref(out), (long)(int64_t)u);
    else
        mpz_set_ui(mpq_numref(out), (unsigned long)u);
    mpz_set_ui(mpq_denref(out), 1);
    return 0;
}

static int is_vector(PyObject *o)
{
    return !PyUnicode_Check(o) && (PySequence_Check(o) || PyObject_CheckBuffer(o));
}

static int open_sequence(pvpy_pointsrc *src, PyObject *o, int m)
{
    src->rows = PySequence_Fast(o, "points: expected an array or a sequence of points");
    if (src->rows == NULL)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(src->rows);
    if (n > 0 && !is_vector(PySequence_Fast_GET_ITEM(src->rows, 0))) {
        if (n != m) {
            pvpy_bad("points: a point of %zd coordinates; the network has %d inputs", n, m);
            return -1;
        }
        src->single = 1;                  /* one flat point */
        src->count = 1;
        return 0;
    }
    if (n > INT32_MAX) {
        pvpy_bad("points: more than 2^31 - 1 points");
        return -1;
    }
    src->count = (int)n;
    return 0;
}

int pvpy_pointsrc_open(pvpy_pointsrc *src, PyObject *o, int m)
{
    memset(src, 0, sizeof *src);
    src->m = m;
    if (PyObject_CheckBuffer(o) && !PyBytes_Check(o))
        return open_buffer(src, o, m);
    return open_sequence(src, o, m);
}

static int read_row(mpq_t *x, PyObject *row, int m, int p)
{
    char what[64];
    snprintf(what, sizeof what, "point %d", p);
    PyObject *f = PySequence_Fast(row, "points: a point is a sequence of numbers");
    if (f == NULL)
        return -1;
    int rc = 0;
    if (PySequence_Fast_GET_SIZE(f) != m)
        rc = -1, pvpy_bad("point %d has %zd coordinates; the network has %d inputs", p,
                          PySequence_Fast_GET_SIZE(f), m);
    for (int j = 0; !rc && j < m; j++)
        rc = pvpy_mpq(x[j], PySequence_Fast_GET_ITEM(f, j), what);
    Py_DECREF(f);
    return rc;
}

int pvpy_pointsrc_read(pvpy_pointsrc *src, int first, int k, mpq_t *x)
{
    int m = src->m;
    if (src->is_buffer) {
        size_t base = (size_t)first * (size_t)m;
        for (size_t i = 0; i < (size_t)k * (size_t)m; i++)
            if (buffer_item(x[i], src, base + i) < 0)
                return -1;
        return 0;
    }
    if (src->single)
        return read_row(x, src->rows, m, 0);
    for (int p = 0; p < k; p++)
        if (read_row(x + (size_t)p * m, PySequence_Fast_GET_ITEM(src->rows, first + p),
                     m, first + p) < 0)
            return -1;
    return 0;
}

void pvpy_pointsrc_close(pvpy_pointsrc *src)
{
    if (src->is_buffer)
        PyBuffer_Release(&src->view);
    Py_CLEAR(src->rows);
}
