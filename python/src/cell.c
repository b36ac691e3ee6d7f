/* Network.cell / halfspaces / volume: the cell of a code (cell.h), its
 * half-space system (system.h) and its exact volume (volume.h). */
#include "pvpy.h"

#include <string.h>

/* The code argument: exactly one of code / point (x is then that point,
 * a fresh vector, and code stays empty: pv_cell_of_point finds it). */
typedef struct target {
    pv_code code;
    mpq_t *x;
    int m;
} target;

static int target_read(target *t, const pv_net *net, PyObject *code, PyObject *point,
                       int need_code)
{
    pv_code_init(&t->code, 0);
    t->x = NULL;
    t->m = pv_net_input_dim(net);
    int has_code = code && code != Py_None, has_point = point && point != Py_None;
    if (has_code == has_point) {
        pvpy_bad("give exactly one of code= and point=");
        return -1;
    }
    pv_error err = {0};
    if (has_code)
        return pvpy_code(&t->code, net, code, &err);
    t->x = pvpy_vec(point, t->m, "point");
    if (t->x == NULL)
        return -1;
    if (need_code && pv_code_at(net, t->x, &t->code, NULL, &err) != PV_OK) {
        pvpy_raise(&err, NULL);
        return -1;
    }
    return 0;
}

static void target_clear(target *t)
{
    pv_code_clear(&t->code);
    pvpy_vec_free(t->x, t->x ? (size_t)t->m : 0);
}

static PyObject *side(int coord, int hi)
{
    return Py_BuildValue("(is)", coord, hi ? "hi" : "lo");
}

static PyObject *facet_dict(const pv_cell_facet *f, int m)
{
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "neurons", pvpy_ints(f->neurons, f->nneurons));
    bad |= pvpy_set(d, "box", f->box_coord >= 0 ? side(f->box_coord, f->box_hi) : pvpy_none());
    bad |= pvpy_set(d, "domain_row", f->domain_row >= 0 ? PyLong_FromLong(f->domain_row)
                                                       : pvpy_none());
    bad |= pvpy_set(d, "neighbor", f->has_neighbor ? pvpy_code_str(&f->neighbor) : pvpy_none());
    bad |= pvpy_set(d, "point", f->point ? pvpy_fractions(f->point, m) : pvpy_none());
    if (bad)
        Py_CLEAR(d);
    return d;
}

PyObject *pvpy_stats_dict(const pv_stats *s)
{
    return Py_BuildValue("{s:l,s:l,s:l,s:l}", "float_lps", s->float_lps, "exact_lps",
                         s->exact_lps, "float_proofs", s->float_proofs, "rays", s->rays);
}

static PyObject *cell_dict(const pv_cell *C)
{
    PyObject *d = PyDict_New();
    int bad = 0;
    bad |= pvpy_set(d, "code", pvpy_code_str(&C->code));
    bad |= pvpy_set(d, "realized", PyBool_FromLong(C->realized));
    bad |= pvpy_set(d, "dim", PyLong_FromLong(C->dim));
    bad |= pvpy_set(d, "point", C->realized && C->point ? pvpy_fractions(C->point, C->m)
                                                        : pvpy_none());
    bad |= pvpy_set(d, "bounded", C->realized ? PyBool_FromLong(C->bounded) : pvpy_none());
    bad |= pvpy_set(d, "implicit", pvpy_ints(C->implicit, C->nimplicit));
    PyObject *ib = PyList_New(C->nimplicit_box);
    for (int i = 0; ib && i < C->nimplicit_box; i++)
        PyList_SET_ITEM(ib, i, side(C->implicit_box[i] / 2, C->implicit_box[i] % 2));
    bad |= pvpy_set(d, "implicit_box", ib);
    bad |= pvpy_set(d, "implicit_domain", pvpy_ints(C->implicit_domain, C->nimplicit_domain));
    PyObject *fl = PyList_New(C->nfacets);
    for (int f = 0; fl && f < C->nfacets; f++) {
        PyObject *fd = facet_dict(&C->facets[f], C->m);
        if (fd == NULL) {
            Py_CLEAR(fl);
            break;
        }
        PyList_SET_ITEM(fl, f, fd);
    }
    bad |= pvpy_set(d, "facets", fl);
    bad |= pvpy_set(d, "stats", pvpy_stats_dict(&C->stats));
    if (bad)
        Py_CLEAR(d);
    return d;
}

/* The answer as `cell --json` prints it, for pvcheck --answer. */
static int write_answer(const char *path, const pv_cell *C, pv_error *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return pv_error_set(err, PV_ERR_IO, "%s: cannot write the answer", path);
    pv_json j;
    pv_json_init(&j, f);
    pv_json_cell(&j, NULL, C);
    return fclose(f) == 0 ? PV_OK
                          : pv_error_set(err, PV_ERR_IO, "%s: write failed", path);
}

/* The certificate of C (computed with PV_CELL_DIRECT) at path. */
static pv_status certify(const char *path, const char *answer, const pv_net *net,
                         const pv_box *box, const pv_cell *C, pv_error *err)
{
    pv_cert *c = pv_cert_open(path, net, box, err);
    if (c == NULL)
        return err->status;
    pv_status st = pv_cert_cell(c, C, err);
    pv_status cl = pv_cert_close(c, st == PV_OK, st == PV_OK ? err : NULL);
    if (st == PV_OK && cl == PV_OK && answer)
        return write_answer(answer, C, err);
    return st != PV_OK ? st : cl;
}

PyObject *pvpy_cell(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"code", "point", "box", "domain", "certificate", "answer",
                            NULL};
    PyObject *code = Py_None, *point = Py_None, *box_arg = Py_None, *domain = Py_None;
    const char *cert = NULL, *answer = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOOzz:cell", names, &code, &point,
                                     &box_arg, &domain, &cert, &answer))
        return NULL;
    target t;
    pv_box box;
    pv_box_init(&box, pv_net_input_dim(self->net));
    int hb = target_read(&t, self->net, code, point, 0) < 0
                 ? -1 : pvpy_domain(&box, self->net, box_arg, domain);
    PyObject *r = NULL;
    if (hb >= 0) {
        const pv_box *bp = hb ? &box : NULL;
        unsigned what = PV_CELL_ALL | (cert ? PV_CELL_DIRECT : 0);
        pv_cell C;
        pv_cell_init(&C);
        pv_error err = {0};
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = t.x ? pv_cell_of_point(&C, self->net, t.x, bp, what, &err)
                 : pv_cell_compute(&C, self->net, &t.code, bp, what, &err);
        if (st == PV_OK && cert)
            st = certify(cert, answer, self->net, bp, &C, &err);
        Py_END_ALLOW_THREADS
        r = st == PV_OK ? cell_dict(&C) : pvpy_raise(&err, NULL);
        pv_cell_clear(&C);
    }
    pv_box_clear(&box);
    target_clear(&t);
    return r;
}

/* One row of the system: (a, c, strict, equality, label). */
static PyObject *row_tuple(const pv_system *S, int i)
{
    PyObject *a = PyList_New(S->dim);
    for (int k = 0; a && k < S->dim; k++) {
        mpq_t q;
        mpq_init(q);
        mpq_set_z(q, S->g[(size_t)i * S->dim + k]);
        PyObject *f = pvpy_fraction(q);
        mpq_clear(q);
        if (f == NULL) {
            Py_CLEAR(a);
            break;
        }
        PyList_SET_ITEM(a, k, f);
    }
    mpq_t c;
    mpq_init(c);
    mpq_set_z(c, S->h[i]);
    PyObject *cf = pvpy_fraction(c);
    mpq_clear(c);
    int lab = S->label[i];
    PyObject *label;
    if (PV_LABEL_IS_NEURON(lab))
        label = PyLong_FromLong(lab);
    else if (PV_LABEL_IS_BOX(lab))
        label = Py_BuildValue("(sis)", "box", PV_LABEL_BOX_COORD(lab),
                              PV_LABEL_BOX_HI(lab) ? "hi" : "lo");
    else
        label = Py_BuildValue("(si)", "domain", PV_LABEL_DOMAIN_ROW(lab));
    return Py_BuildValue("(NNNNN)", a, cf, PyBool_FromLong(S->strict[i]),
                         PyBool_FromLong(S->eq[i]), label);
}

/* halfspaces(code=, point=, box=, domain=) -> [(a, c, strict, equality,
 * label)]: row i is a.x + c > 0 (strict), = 0 (equality) or >= 0. */
PyObject *pvpy_halfspaces(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"code", "point", "box", "domain", NULL};
    PyObject *code = Py_None, *point = Py_None, *box_arg = Py_None, *domain = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOO:halfspaces", names, &code, &point,
                                     &box_arg, &domain))
        return NULL;
    target t;
    pv_box box;
    pv_box_init(&box, pv_net_input_dim(self->net));
    int hb = target_read(&t, self->net, code, point, 1) < 0
                 ? -1 : pvpy_domain(&box, self->net, box_arg, domain);
    PyObject *r = NULL;
    if (hb >= 0) {
        pv_system S;
        pv_system_init(&S, 0, 0);
        pv_error err = {0};
        if (pv_system_of_code(&S, self->net, &t.code, hb ? &box : NULL, &err) != PV_OK) {
            pvpy_raise(&err, NULL);
        } else {
            r = PyList_New(S.nrows);
            for (int i = 0; r && i < S.nrows; i++) {
                PyObject *row = row_tuple(&S, i);
                if (row == NULL)
                    Py_CLEAR(r);
                else
                    PyList_SET_ITEM(r, i, row);
            }
        }
        pv_system_clear(&S);
    }
    pv_box_clear(&box);
    target_clear(&t);
    return r;
}

/* volume(code=, box=, domain=, dim=None) -> (kind, Fraction or None). */
PyObject *pvpy_volume(pvpy_net *self, PyObject *args, PyObject *kw)
{
    static char *names[] = {"code", "box", "domain", "dim", NULL};
    static const char *kinds[] = {"finite", "empty", "lower_dim", "unbounded"};
    PyObject *code, *box_arg = Py_None, *domain = Py_None;
    int dim = PV_VOLUME_DIM_UNKNOWN;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OOi:volume", names, &code, &box_arg,
                                     &domain, &dim))
        return NULL;
    pv_error err = {0};
    if (pv_volume_supported(pv_net_input_dim(self->net), &err) != PV_OK)
        return pvpy_raise(&err, NULL);
    target t;
    pv_box box;
    pv_box_init(&box, pv_net_input_dim(self->net));
    int hb = target_read(&t, self->net, code, Py_None, 0) < 0
                 ? -1 : pvpy_domain(&box, self->net, box_arg, domain);
    PyObject *r = NULL;
    if (hb >= 0) {
        mpq_t v;
        mpq_init(v);
        pv_volume_kind kind = PV_VOLUME_EMPTY;
        pv_status st;
        Py_BEGIN_ALLOW_THREADS
        st = pv_volume_of_code(v, &kind, self->net, &t.code, hb ? &box : NULL, dim, &err);
        Py_END_ALLOW_THREADS
        if (st != PV_OK)
            pvpy_raise(&err, NULL);
        else
            r = Py_BuildValue("(sN)", kinds[kind],
                              kind == PV_VOLUME_FINITE ? pvpy_fraction(v) : pvpy_none());
        mpq_clear(v);
    }
    pv_box_clear(&box);
    target_clear(&t);
    return r;
}
