/* Network.code(points, scale=None, filter=True): the codes of many points
 * by the library's exact forward pass (float filter first, code.h), in
 * chunks of CHUNK points: each chunk's coordinates become rationals, then
 * the pass runs with the GIL released. No Python object per point. */
#include "pvpy.h"
#include "points.h"

#include <string.h>

enum { CHUNK = 1024 };

typedef struct chunk {
    int k, m, n;
    mpq_t *x;            /* CHUNK * m */
    pv_code *codes;      /* CHUNK     */
    unsigned char *zero; /* CHUNK * n */
} chunk;

static void chunk_clear(chunk *c)
{
    pvpy_vec_free(c->x, (size_t)CHUNK * (size_t)c->m);
    for (int i = 0; c->codes && i < CHUNK; i++)
        pv_code_clear(&c->codes[i]);
    PyMem_Free(c->codes);
    PyMem_Free(c->zero);
}

static int chunk_init(chunk *c, int m, int n)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->n = n;
    c->x = PyMem_Malloc((size_t)CHUNK * (size_t)(m ? m : 1) * sizeof(mpq_t));
    c->codes = PyMem_Calloc(CHUNK, sizeof(pv_code));
    c->zero = PyMem_Malloc((size_t)CHUNK * (size_t)(n ? n : 1));
    if (c->x == NULL || c->codes == NULL || c->zero == NULL) {
        PyMem_Free(c->x);
        c->x = NULL;
        chunk_clear(c);
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < (size_t)CHUNK * (size_t)m; i++)
        mpq_init(c->x[i]);
    for (int i = 0; i < CHUNK; i++)
        pv_code_init(&c->codes[i], n);
    return 0;
}

/* scale: the exact factor of `scale=`, or NULL. */
static int parse_scale(mpq_t s, PyObject *o)
{
    if (o == NULL || o == Py_None)
        return 0;
    if (pvpy_mpq(s, o, "scale") < 0)
        return -1;
    return 1;
}

PyObject *pvpy_code_points(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"points", "scale", "filter", "threads", NULL};
    PyObject *points, *scale_arg = NULL;
    int filter = 1, threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|Opi:code", names, &points, &scale_arg,
                                     &filter, &threads))
        return NULL;
    const pv_net *net = self->net;
    int m = pv_net_input_dim(net), n = pv_net_neurons(net);
    pvpy_pointsrc src;
    if (pvpy_pointsrc_open(&src, points, m) < 0) {
        pvpy_pointsrc_close(&src);
        return NULL;
    }
    mpq_t s;
    mpq_init(s);
    int scaled = parse_scale(s, scale_arg);
    size_t total = (size_t)src.count * (size_t)n;
    PyObject *bits = scaled < 0 ? NULL : PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)total);
    PyObject *zero = bits ? PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)total) : NULL;
    chunk c;
    int have_chunk = zero && chunk_init(&c, m, n) == 0;
    int rc = have_chunk ? 0 : -1;
    pv_forward_stats fs = {0, 0, 0};
    pv_error err = {0};
    for (int first = 0; !rc && first < src.count; first += CHUNK) {
        int k = src.count - first < CHUNK ? src.count - first : CHUNK;
        rc = pvpy_pointsrc_read(&src, first, k, c.x);
        for (size_t i = 0; !rc && scaled && i < (size_t)k * (size_t)m; i++)
            mpq_mul(c.x[i], c.x[i], s);
        pv_status st = PV_OK;
        if (!rc) {
            Py_BEGIN_ALLOW_THREADS
            st = pv_code_at_points_threads(net, k, c.x, c.codes, c.zero, filter, threads,
                                           &fs, &err);
            Py_END_ALLOW_THREADS
        }
        if (!rc && st != PV_OK) {
            pvpy_raise(&err, NULL);
            rc = -1;
        }
        char *b = rc ? NULL : PyByteArray_AS_STRING(bits) + (size_t)first * n;
        for (int p = 0; b && p < k; p++)
            memcpy(b + (size_t)p * n, c.codes[p].bit, (size_t)n);
        if (b)
            memcpy(PyByteArray_AS_STRING(zero) + (size_t)first * n, c.zero,
                   (size_t)k * (size_t)n);
        if (!rc && PyErr_CheckSignals() < 0)
            rc = -1;                     /* Ctrl-C between chunks */
    }
    if (have_chunk)
        chunk_clear(&c);
    mpq_clear(s);
    int count = src.count, single = src.single;
    pvpy_pointsrc_close(&src);
    if (rc || bits == NULL || zero == NULL) {
        Py_XDECREF(bits);
        Py_XDECREF(zero);
        return NULL;
    }
    return Py_BuildValue("{s:N,s:N,s:i,s:i,s:O,s:l,s:l}", "bits", bits, "zero", zero,
                         "count", count, "neurons", n, "single", single ? Py_True : Py_False,
                         "filtered", fs.filtered, "exact", fs.exact);
}
