/* polyverify — exact points, point sets (CSV) and boxes from text.
 *
 * Coordinates, columns and fields are numbered from 0 in messages (as
 * --label-column is); file lines from 1. */
#include "core/alloc.h"
#include "core/text.h"
#include "polyverify/box.h"
#include "polyverify/point.h"
#include "polyverify/rational.h"
#include "exact/linalg.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PV_MAX_CSV_BYTES (1u << 30)

typedef struct field {
    const char *p;
    size_t n;
} field;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static field trimmed(const char *p, size_t n)
{
    while (n > 0 && is_blank(p[0])) {
        p++;
        n--;
    }
    while (n > 0 && is_blank(p[n - 1]))
        n--;
    field f = { p, n };
    return f;
}

/* Splits s[0..len) at commas into trimmed fields; stores at most max of
 * them and returns how many there are. */
static size_t split_fields(const char *s, size_t len, field *out, size_t max)
{
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != ',')
            continue;
        if (count < max)
            out[count] = trimmed(s + start, i - start);
        count++;
        start = i + 1;
    }
    return count;
}

static size_t count_fields(const char *s, size_t len)
{
    size_t count = 1;
    for (size_t i = 0; i < len; i++)
        count += s[i] == ',';
    return count;
}

static int all_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_blank(s[i]) && s[i] != '\n')
            return 0;
    return 1;
}

static const char *excerpt(char *buf, size_t size, field f)
{
    return pv_excerpt(buf, size, f.p, f.n);
}

/* ------------------------------------------------------------------------ */
/* Points                                                                    */

static pv_status point_parse(mpq_t *x, int dim, const char *s, pv_error *err)
{
    if (dim < 1)
        return pv_error_set(err, PV_ERR_ARG, "point: dimension %d < 1", dim);
    if (s == NULL)
        return pv_error_set(err, PV_ERR_ARG, "point: no point given");
    size_t len = strlen(s);
    size_t found = all_blank(s, len) ? 0 : count_fields(s, len);
    if (found != (size_t)dim)
        return pv_error_set(err, PV_ERR_ARG,
                            "point: expected %d coordinate%s separated by "
                            "commas, found %zu", dim, dim == 1 ? "" : "s",
                            found);
    /* The count is right: every field is parsed into y, which replaces x
     * once all are read (x is untouched on failure, out of memory too). */
    mpq_t *y = pv_qvec_new(dim);
    pv_status st = PV_OK;
    size_t start = 0;
    for (int c = 0; c < dim && st == PV_OK; c++) {
        const char *comma = memchr(s + start, ',', len - start);
        size_t end = comma != NULL ? (size_t)(comma - s) : len;
        field f = trimmed(s + start, end - start);
        const char *why = NULL;
        char q[200];
        st = pv_rational_parse(y[c], f.p, f.n, &why);
        if (st != PV_OK)
            pv_error_set(err, st, "point: bad number '%s' for coordinate %d: %s",
                         excerpt(q, sizeof q, f), c, why);
        start = end + 1;
    }
    for (int c = 0; c < dim && st == PV_OK; c++)
        mpq_swap(x[c], y[c]);
    pv_qvec_free(y, dim);
    return st;
}

pv_status pv_point_parse(mpq_t *x, int dim, const char *s, pv_error *err)
{
    PV_GUARD(err, point_parse(x, dim, s, err), (void)0);
}

/* ------------------------------------------------------------------------ */
/* Point sets                                                                */

void pv_pointset_init(pv_pointset *ps)
{
    memset(ps, 0, sizeof *ps);
}

void pv_pointset_clear(pv_pointset *ps)
{
    size_t n = (size_t)ps->count * (size_t)ps->dim;
    if (ps->x != NULL)
        for (size_t i = 0; i < n; i++)
            mpq_clear(ps->x[i]);
    pv_free(ps->x);
    if (ps->labels != NULL)
        for (int i = 0; i < ps->count; i++)
            pv_free(ps->labels[i]);
    pv_free(ps->labels);
    pv_pointset_init(ps);
}

static pv_status read_whole_file(const char *path, char **text, size_t *len,
                                 pv_error *err)
{
    return pv_read_file(path, PV_MAX_CSV_BYTES, text, len, err);
}

typedef struct csv_reader {
    const char *path;
    int dim, label_column, ncols;
    field *fields;       /* ncols + 1 slots, reused for every line */
    size_t cap;          /* points allocated in set.x / set.labels */
    pv_pointset set;     /* built here, moved to the caller on success */
    pv_error *err;
} csv_reader;

/* Does any field of the line parse as a number? A first line without one
 * is a header; with one, it is data and must parse completely. */
static int has_number(const field *f, size_t n)
{
    mpq_t v;
    mpq_init(v);
    int found = 0;
    for (size_t i = 0; i < n && !found; i++)
        found = pv_rational_parse(v, f[i].p, f[i].n, NULL) == PV_OK;
    mpq_clear(v);
    return found;
}

/* Makes room for one more point. */
static pv_status csv_grow(csv_reader *R)
{
    if ((size_t)R->set.count < R->cap)
        return PV_OK;
    if (R->set.count >= INT32_MAX / 2)
        return pv_error_set(R->err, PV_ERR_LIMIT, "%s: too many points",
                            R->path);
    size_t cap = R->cap ? 2 * R->cap : 64;
    if (cap > SIZE_MAX / sizeof(mpq_t) / (size_t)R->dim)
        return pv_error_set(R->err, PV_ERR_NOMEM, "out of memory");
    mpq_t *x = pv_realloc(R->set.x, cap * (size_t)R->dim * sizeof(mpq_t));
    if (x == NULL)
        return pv_error_set(R->err, PV_ERR_NOMEM, "out of memory");
    R->set.x = x;  /* mpq_t structs may move: GMP keeps limbs elsewhere */
    if (R->label_column >= 0) {
        char **labels = pv_realloc(R->set.labels, cap * sizeof(char *));
        if (labels == NULL)
            return pv_error_set(R->err, PV_ERR_NOMEM, "out of memory");
        R->set.labels = labels;
    }
    R->cap = cap;
    return PV_OK;
}

/* Appends the point of one data line whose fields are in R->fields. */
static pv_status csv_add_point(csv_reader *R, int line)
{
    pv_status st = csv_grow(R);
    if (st != PV_OK)
        return st;
    char *label = NULL;
    if (R->label_column >= 0) {
        field f = R->fields[R->label_column];
        label = pv_malloc(f.n + 1);
        if (label == NULL)
            return pv_error_set(R->err, PV_ERR_NOMEM, "out of memory");
        memcpy(label, f.p, f.n);
        label[f.n] = '\0';
    }
    mpq_t *x = R->set.x + (size_t)R->set.count * (size_t)R->dim;
    for (int c = 0, i = 0; c < R->ncols; c++) {
        if (c == R->label_column)
            continue;
        const char *why = NULL;
        char q[200];
        mpq_init(x[i]);
        st = pv_rational_parse(x[i], R->fields[c].p, R->fields[c].n, &why);
        if (st != PV_OK) {
            for (int k = 0; k <= i; k++)
                mpq_clear(x[k]);
            pv_free(label);
            return pv_error_set(R->err, st,
                                "%s:%d: bad number '%s' in column %d: %s",
                                R->path, line,
                                excerpt(q, sizeof q, R->fields[c]), c, why);
        }
        i++;
    }
    if (R->label_column >= 0)
        R->set.labels[R->set.count] = label;
    R->set.count++;
    return PV_OK;
}

static pv_status csv_wrong_columns(const csv_reader *R, int line,
                                   size_t found)
{
    if (R->label_column >= 0)
        return pv_error_set(R->err, PV_ERR_PARSE,
                            "%s:%d: expected %d columns (%d coordinates and "
                            "a label in column %d), found %zu", R->path, line,
                            R->ncols, R->dim, R->label_column, found);
    return pv_error_set(R->err, PV_ERR_PARSE,
                        "%s:%d: expected %d column%s (one per coordinate), "
                        "found %zu", R->path, line, R->ncols,
                        R->ncols == 1 ? "" : "s", found);
}

static pv_status csv_parse(csv_reader *R, const char *text, size_t len)
{
    int line = 0, seen_content = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;
        pos += nl != NULL ? n + 1 : n;
        line++;
        if (memchr(start, '\0', n) != NULL)
            return pv_error_set(R->err, PV_ERR_PARSE,
                                "%s:%d: unexpected NUL byte (is this a text "
                                "file?)", R->path, line);
        field whole = trimmed(start, n);
        if (whole.n == 0 || whole.p[0] == '#')
            continue;
        size_t found = split_fields(start, n, R->fields, (size_t)R->ncols + 1);
        size_t stored = found < (size_t)R->ncols + 1 ? found
                                                     : (size_t)R->ncols + 1;
        if (!seen_content++ && !has_number(R->fields, stored))
            continue;  /* a header line of names */
        if (found != (size_t)R->ncols)
            return csv_wrong_columns(R, line, found);
        pv_status st = csv_add_point(R, line);
        if (st != PV_OK)
            return st;
    }
    if (R->set.count == 0)
        return pv_error_set(R->err, PV_ERR_PARSE,
                            "%s: no points (expected one comma-separated "
                            "point per line)", R->path);
    return PV_OK;
}

/* The arguments both CSV entry points check before reading anything. */
static pv_status csv_check_args(const char *name, int dim, int label_column,
                                pv_error *err)
{
    if (dim < 1)
        return pv_error_set(err, PV_ERR_ARG, "%s: point dimension %d < 1",
                            name, dim);
    if (label_column < -1 || label_column > dim)
        return pv_error_set(err, PV_ERR_ARG,
                            "%s: label column %d is not in 0..%d", name,
                            label_column, dim);
    return PV_OK;
}

static pv_status pointset_parse_csv(pv_pointset *ps, const char *text,
                                    size_t len, const char *name, int dim,
                                    int label_column, pv_error *err)
{
    if (name == NULL)
        name = "<csv>";
    pv_status st = csv_check_args(name, dim, label_column, err);
    if (st != PV_OK)
        return st;
    csv_reader R;
    memset(&R, 0, sizeof R);
    R.path = name;
    R.dim = dim;
    R.label_column = label_column;
    R.ncols = dim + (label_column >= 0);
    R.err = err;
    pv_pointset_init(&R.set);
    R.set.dim = dim;
    R.fields = pv_malloc(((size_t)R.ncols + 1) * sizeof(field));
    st = R.fields != NULL ? csv_parse(&R, text != NULL ? text : "",
                                      text != NULL ? len : 0)
                          : pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    pv_free(R.fields);
    if (st != PV_OK) {
        pv_pointset_clear(&R.set);
        return st;
    }
    /* The caller's set (initialised) is replaced only on success. */
    pv_pointset_clear(ps);
    *ps = R.set;
    return PV_OK;
}

/* ps is replaced only on success, so an unwinding leaves it as it was. */
pv_status pv_pointset_parse_csv(pv_pointset *ps, const char *text,
                                size_t len, const char *name, int dim,
                                int label_column, pv_error *err)
{
    PV_GUARD(err, pointset_parse_csv(ps, text, len, name, dim, label_column, err),
             (void)0);
}

static pv_status pointset_read_csv(pv_pointset *ps, const char *path, int dim,
                                   int label_column, pv_error *err)
{
    /* Bad arguments are reported before the file is even opened. */
    pv_status st = csv_check_args(path, dim, label_column, err);
    if (st != PV_OK)
        return st;
    char *text = NULL;
    size_t len = 0;
    st = read_whole_file(path, &text, &len, err);
    if (st != PV_OK)
        return st;
    st = pv_pointset_parse_csv(ps, text, len, path, dim, label_column, err);
    pv_free(text);
    return st;
}

pv_status pv_pointset_read_csv(pv_pointset *ps, const char *path, int dim,
                               int label_column, pv_error *err)
{
    PV_GUARD(err, pointset_read_csv(ps, path, dim, label_column, err), (void)0);
}

/* ------------------------------------------------------------------------ */
/* Boxes                                                                     */

void pv_box_init(pv_box *box, int dim)
{
    if (dim < 0)
        dim = 0;
    memset(box, 0, sizeof *box);
    box->intervals = 1;
    box->lo = pv_malloc(((size_t)dim + 1) * sizeof(mpq_t));
    box->hi = pv_malloc(((size_t)dim + 1) * sizeof(mpq_t));
    if (box->lo == NULL || box->hi == NULL) {
        pv_free(box->lo);
        pv_free(box->hi);
        box->lo = box->hi = NULL;
        return;
    }
    for (int i = 0; i < dim; i++) {
        mpq_init(box->lo[i]);
        mpq_init(box->hi[i]);
    }
    box->dim = dim;
}

/* The general rows' arrays, nrows rows of dim numbers. */
static void box_rows_free(mpq_t *a, mpq_t *c, unsigned char *eq, int nrows, int dim)
{
    for (size_t i = 0; a != NULL && i < (size_t)nrows * (size_t)dim; i++)
        mpq_clear(a[i]);
    for (int k = 0; c != NULL && k < nrows; k++)
        mpq_clear(c[k]);
    pv_free(a);
    pv_free(c);
    pv_free(eq);
}

void pv_box_clear(pv_box *box)
{
    if (box->lo != NULL && box->hi != NULL)
        for (int i = 0; i < box->dim; i++) {
            mpq_clear(box->lo[i]);
            mpq_clear(box->hi[i]);
        }
    pv_free(box->lo);
    pv_free(box->hi);
    box_rows_free(box->a, box->c, box->eq, box->nrows, box->dim);
    memset(box, 0, sizeof *box);
    box->intervals = 1;
}

/* The arrays are built aside and swapped in: the old numbers move by
 * value (an mpq_t is a handle), so an unwinding in the middle leaves the
 * caller's box as it was. */
static pv_status box_add_row(pv_box *box, mpq_t *const a, const mpq_t c, int eq)
{
    int n = box->nrows, m = box->dim;
    size_t old = (size_t)n * (size_t)m;
    mpq_t *na = pv_malloc((old + (size_t)m + 1) * sizeof(mpq_t));
    mpq_t *nc = pv_malloc(((size_t)n + 2) * sizeof(mpq_t));
    unsigned char *ne = pv_malloc((size_t)n + 2);
    for (int i = 0; i < m; i++) {
        mpq_init(na[old + (size_t)i]);
        mpq_set(na[old + (size_t)i], a[i]);
    }
    mpq_init(nc[n]);
    mpq_set(nc[n], c);
    if (old)
        memcpy(na, box->a, old * sizeof(mpq_t));
    if (n) {
        memcpy(nc, box->c, (size_t)n * sizeof(mpq_t));
        memcpy(ne, box->eq, (size_t)n);
    }
    ne[n] = eq != 0;
    pv_free(box->a);
    pv_free(box->c);
    pv_free(box->eq);
    box->a = na;
    box->c = nc;
    box->eq = ne;
    box->nrows = n + 1;
    return PV_OK;
}

pv_status pv_box_add_row(pv_box *box, mpq_t *const a, const mpq_t c, int eq,
                         pv_error *err)
{
    PV_GUARD(err, box_add_row(box, a, c, eq), (void)0);
}

int pv_box_is_box(const pv_box *box)
{
    return box->intervals && box->nrows == 0;
}

int pv_box_system_rows(const pv_box *box)
{
    return (box->intervals ? 2 * box->dim : 0) + box->nrows;
}

int pv_box_violated(const pv_box *box, mpq_t *const x)
{
    for (int i = 0; box->intervals && i < box->dim; i++) {
        if (mpq_cmp(x[i], box->lo[i]) < 0)
            return 2 * i;
        if (mpq_cmp(x[i], box->hi[i]) > 0)
            return 2 * i + 1;
    }
    mpq_t v, t;
    mpq_inits(v, t, NULL);
    int bad = -1;
    for (int k = 0; k < box->nrows && bad < 0; k++) {
        mpq_set(v, box->c[k]);
        for (int i = 0; i < box->dim; i++) {
            mpq_mul(t, PV_BOX_A(box, k, i), x[i]);
            mpq_add(v, v, t);
        }
        if (mpq_sgn(v) < 0 || (box->eq[k] && mpq_sgn(v) != 0))
            bad = 2 * box->dim + k;
    }
    mpq_clears(v, t, NULL);
    return bad;
}

/* Bounds of coordinate i from the parsed numbers v (2 or 2*dim of them). */
static mpq_ptr box_value(mpq_t *v, size_t nv, int i, int hi)
{
    return nv == 2 ? v[hi] : v[2 * (size_t)i + (size_t)hi];
}

static pv_status box_check_order(mpq_t *v, size_t nv, int dim, pv_error *err)
{
    for (int i = 0; i < dim; i++) {
        mpq_ptr lo = box_value(v, nv, i, 0), hi = box_value(v, nv, i, 1);
        if (mpq_cmp(lo, hi) > 0) {
            char *a = pv_rational_str(lo), *b = pv_rational_str(hi);
            pv_status st = pv_error_set(err, PV_ERR_ARG,
                                        "box: lower bound %s > upper bound %s "
                                        "for coordinate %d", a ? a : "?",
                                        b ? b : "?", i);
            pv_free(a);
            pv_free(b);
            return st;
        }
    }
    return PV_OK;
}

static pv_status box_parse_numbers(mpq_t *v, const field *f, size_t n,
                                   pv_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *why = NULL;
        char q[200];
        pv_status st = pv_rational_parse(v[i], f[i].p, f[i].n, &why);
        if (st != PV_OK)
            return pv_error_set(err, st, "box: bad number '%s' in field %zu: %s",
                                excerpt(q, sizeof q, f[i]), i, why);
    }
    return PV_OK;
}

static pv_status box_parse(pv_box *box, int dim, const char *s, pv_error *err)
{
    if (dim < 1)
        return pv_error_set(err, PV_ERR_ARG, "box: dimension %d < 1", dim);
    if (s == NULL)
        return pv_error_set(err, PV_ERR_ARG, "box: no box given");
    size_t len = strlen(s);
    size_t found = all_blank(s, len) ? 0 : count_fields(s, len);
    size_t full = 2 * (size_t)dim;
    if (found != 2 && found != full)
        return pv_error_set(err, PV_ERR_ARG,
                            "box: expected 2 numbers (LO,HI for every "
                            "coordinate) or %zu (LO,HI for each of %d "
                            "coordinates), found %zu", full, dim, found);
    field *f = pv_malloc(found * sizeof *f);
    mpq_t *v = pv_malloc(found * sizeof *v);
    if (f == NULL || v == NULL) {
        pv_free(f);
        pv_free(v);
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    }
    split_fields(s, len, f, found);
    for (size_t i = 0; i < found; i++)
        mpq_init(v[i]);
    pv_status st = box_parse_numbers(v, f, found, err);
    if (st == PV_OK)
        st = box_check_order(v, found, dim, err);
    /* the new box replaces the caller's only when complete */
    pv_box nb;
    pv_box_init(&nb, st == PV_OK ? dim : 0);
    for (int i = 0; st == PV_OK && i < dim; i++) {
        mpq_set(nb.lo[i], box_value(v, found, i, 0));
        mpq_set(nb.hi[i], box_value(v, found, i, 1));
    }
    if (st == PV_OK) {
        pv_box old = *box;
        *box = nb;
        nb = old;
    }
    pv_box_clear(&nb);
    for (size_t i = 0; i < found; i++)
        mpq_clear(v[i]);
    pv_free(v);
    pv_free(f);
    return st;
}

pv_status pv_box_parse(pv_box *box, int dim, const char *s, pv_error *err)
{
    PV_GUARD(err, box_parse(box, dim, s, err), (void)0);
}
