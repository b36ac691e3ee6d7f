/* polyverify._core — the CPython extension under `import polyverify`.
 *
 * A thin layer over the public C API (include/polyverify.h): it converts
 * Python values to exact library values and library answers to Python
 * objects, and nothing else; what the answers mean is the library's. The
 * pure-Python package (python/polyverify/) shapes them into classes.
 *
 * Invariants:
 *   - exact in, exact out: a Python number becomes the rational it denotes
 *     (a float its binary value, never a rounding of it; a str as the CLI
 *     reads numbers) and every rational comes back as a fractions.Fraction;
 *   - every library call runs with the GIL released; the hooks of the long
 *     calls (progress, interrupt) take it back only to call Python;
 *   - a failed call raises one of the exceptions below with the library's
 *     message and leaks nothing. */
#ifndef PVPY_H
#define PVPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>
#include <polyverify.h>

/* The exception classes (module.c), created once at import. */
typedef struct pvpy_errors {
    PyObject *error, *bad_input, *file_error, *limit, *timeout, *interrupted,
             *out_of_memory;
} pvpy_errors;
extern pvpy_errors pvpy_exc;

/* Raises the exception for err's status with its message; returns NULL.
 * partial (may be NULL) becomes the exception's `partial` attribute. */
PyObject *pvpy_raise(const pv_error *err, PyObject *partial);
/* Raises BadInput with a printf-style message; returns NULL. */
PyObject *pvpy_bad(const char *fmt, ...);

/* ---- numbers (convert.c) ------------------------------------------------ */

/* out = the exact value of o: int, bool excluded; Fraction and any object
 * with integer numerator/denominator; float and numpy floating scalars
 * (their exact binary value; NaN and infinities refused); decimal.Decimal
 * and str (read as the CLI reads numbers: "1/3", "0.1", "1e-3"). what
 * names the value in the error. 0 on success, -1 with BadInput raised. */
int pvpy_mpq(mpq_t out, PyObject *o, const char *what);
/* A new fractions.Fraction equal to q. */
PyObject *pvpy_fraction(const mpq_t q);
PyObject *pvpy_fraction_z(const mpz_t z);
/* A list of n Fractions. */
PyObject *pvpy_fractions(mpq_t *const q, int n);
PyObject *pvpy_ints(const int *v, int n);

/* A vector of n exact numbers from a sequence or a 1-D buffer (float64,
 * float32 or integer items). A fresh array (pvpy_vec_free), NULL with an
 * exception set. */
mpq_t *pvpy_vec(PyObject *o, int n, const char *what);
void pvpy_vec_free(mpq_t *v, size_t n);

/* Points: an (count x m) buffer or a sequence of sequences, or one point (a
 * 1-D buffer or a flat sequence of numbers: *single = 1). A fresh array of
 * count*m rationals, row-major. */
mpq_t *pvpy_points(PyObject *o, int m, int *count, int *single);

/* ---- codes, domains ----------------------------------------------------- */

/* A code from a 0/1 str ('|' and spaces ignored) or a sequence/buffer of
 * 0/1 values, of the network's length. c initialised. 0 or -1. */
int pvpy_code(pv_code *c, const pv_net *net, PyObject *o, pv_error *err);
PyObject *pvpy_code_str(const pv_code *c);

/* The domain of box / domain arguments (either may be None): box is a str
 * ("LO,HI", "LO1,HI1,...", "input"), a pair (lo, hi) for every coordinate
 * or a sequence of m pairs; domain a path to a .vnnlib or .ine file. box is
 * initialised by the caller (pv_box_init(box, m)) and cleared by it,
 * whatever this returns: 1 with a domain, 0 without, -1 on error (an
 * exception set). */
int pvpy_domain(pv_box *box, const pv_net *net, PyObject *box_arg,
                PyObject *domain_arg);

/* ---- the network object (network.c) -------------------------------------- */
typedef struct pvpy_net {
    PyObject_HEAD
    pv_net *net;
} pvpy_net;
extern PyTypeObject pvpy_net_type;
/* A new Network object owning net (freed with it); NULL (net freed) on failure. */
PyObject *pvpy_net_wrap(pv_net *net);

/* ---- hooks of long calls (hooks.c) --------------------------------------- */
typedef struct pvpy_hooks {
    PyObject *progress;       /* callable(cells, seconds) or NULL          */
    double deadline;          /* monotonic seconds; 0: none                */
    double timeout;
    int timed_out;            /* the deadline passed                        */
    int interrupted;          /* Ctrl-C (KeyboardInterrupt from a signal)   */
    PyObject *exc_type, *exc_value, *exc_tb;   /* another exception of a
                                                  callback or handler     */
} pvpy_hooks;
/* timeout: seconds, <= 0 for none. */
void pvpy_hooks_init(pvpy_hooks *h, PyObject *progress, double timeout);
void pvpy_hook_progress(void *ctx, long cells, double seconds);
int pvpy_hook_interrupted(void *ctx);
/* Points the progress and interrupt hooks of a library options struct
 * (pv_enum_options, pv_explore_options, pv_tess_options, pv_plot_options)
 * at h. */
#define PVPY_SET_HOOKS(o, h)                  \
    do {                                      \
        (o).progress = pvpy_hook_progress;    \
        (o).progress_ctx = (h);               \
        (o).interrupted = pvpy_hook_interrupted; \
        (o).interrupted_ctx = (h);            \
    } while (0)
/* The result of a long call that keeps what it found: build(answer,
 * stopped) makes the dict of a run that started (stopped: the message of
 * a limit such as max_cells, which is not an error, or NULL), then
 * pvpy_hooks_finish raises what stopped the run with the dict as
 * `partial`, or returns the dict. */
PyObject *pvpy_hooks_result(pvpy_hooks *h, pv_status st, const pv_error *err,
                            PyObject *(*build)(const void *answer, const char *stopped),
                            const void *answer);
/* After the call returned status (GIL held): raises what the hooks saw
 * (Timeout, Interrupted, the callback's exception) or what err says,
 * attaching partial (stolen; may be NULL); returns NULL. When nothing
 * stopped the call and status is PV_OK returns partial itself. */
PyObject *pvpy_hooks_finish(pvpy_hooks *h, pv_status status, const pv_error *err,
                            PyObject *partial);

/* ---- dict building ------------------------------------------------------- */
/* A new reference to None. */
static inline PyObject *pvpy_none(void)
{
    Py_RETURN_NONE;
}
/* d[key] = v, stealing v; -1 when v is NULL or the set fails. */
int pvpy_set(PyObject *d, const char *key, PyObject *v);
/* {float_lps, exact_lps, float_proofs, rays} (cell.c). */
PyObject *pvpy_stats_dict(const pv_stats *s);

/* ---- the queries, one file a concept (each a Network method) ------------- */
PyObject *pvpy_code_points(pvpy_net *self, PyObject *args, PyObject *kw);   /* code.c */
PyObject *pvpy_stats(pvpy_net *self, PyObject *args, PyObject *kw);         /* stats.c */
PyObject *pvpy_cell(pvpy_net *self, PyObject *args, PyObject *kw);          /* cell.c */
PyObject *pvpy_halfspaces(pvpy_net *self, PyObject *args, PyObject *kw);    /* cell.c */
PyObject *pvpy_volume(pvpy_net *self, PyObject *args, PyObject *kw);        /* cell.c */
PyObject *pvpy_adjacency(pvpy_net *self, PyObject *args, PyObject *kw);     /* adjacency.c */
PyObject *pvpy_flips(pvpy_net *self, PyObject *args, PyObject *kw);         /* adjacency.c */
PyObject *pvpy_enumerate(pvpy_net *self, PyObject *args, PyObject *kw);     /* enumerate.c */
PyObject *pvpy_lemma1(pvpy_net *self, PyObject *args, PyObject *kw);        /* enumerate.c */
PyObject *pvpy_explore(pvpy_net *self, PyObject *args, PyObject *kw);       /* explore.c */
PyObject *pvpy_segment(pvpy_net *self, PyObject *args, PyObject *kw);       /* segment.c */
PyObject *pvpy_radius(pvpy_net *self, PyObject *args, PyObject *kw);        /* segment.c */
PyObject *pvpy_tessellate(pvpy_net *self, PyObject *args, PyObject *kw);    /* slice.c */
PyObject *pvpy_plot(pvpy_net *self, PyObject *args, PyObject *kw);          /* slice.c */

#endif
