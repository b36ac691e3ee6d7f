/* polyverify — input domains from files: VNN-LIB properties and cddlib
 * H-representations (see box.h).
 *
 * Both are read exactly (numbers straight into rationals) and, in this
 * version, must bound each input by an interval: a VNN-LIB assertion on
 * one X_i against a number (possibly inside an `and`), an .ine row with one
 * non-zero coefficient (a `linearity` row: an equality). Anything else is
 * refused with its line and what was expected, never approximated or
 * dropped — except VNN-LIB's output constraints (on the Y_j), which are not
 * part of the input domain and are counted, not read. */
#include "core/alloc.h"
#include "polyverify/box.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "core/text.h"
#include "polyverify/rational.h"

#define MAX_DOMAIN_BYTES (256u << 20)

void pv_domain_info_init(pv_domain_info *info)
{
    memset(info, 0, sizeof *info);
}

/* ---- the bounds being collected ----------------------------------------- */

typedef struct bounds {
    int dim;
    mpq_t *lo, *hi;
    unsigned char *has_lo, *has_hi;
} bounds;

static int bounds_init(bounds *b, int dim)
{
    b->dim = dim;
    b->lo = pv_malloc(((size_t)dim + 1) * sizeof(mpq_t));
    b->hi = pv_malloc(((size_t)dim + 1) * sizeof(mpq_t));
    b->has_lo = pv_calloc((size_t)dim + 1, 1);
    b->has_hi = pv_calloc((size_t)dim + 1, 1);
    if (!b->lo || !b->hi || !b->has_lo || !b->has_hi)
        return 0;
    for (int i = 0; i < dim; i++)
        mpq_inits(b->lo[i], b->hi[i], NULL);
    return 1;
}

static void bounds_clear(bounds *b)
{
    for (int i = 0; b->lo && b->hi && i < b->dim; i++)
        mpq_clears(b->lo[i], b->hi[i], NULL);
    pv_free(b->lo);
    pv_free(b->hi);
    pv_free(b->has_lo);
    pv_free(b->has_hi);
}

/* x_i >= v (lower) or x_i <= v: the tighter of what is known. */
static void bound(bounds *b, int i, const mpq_t v, int upper)
{
    unsigned char *has = upper ? b->has_hi : b->has_lo;
    mpq_t *q = upper ? b->hi : b->lo;
    if (!has[i] || (upper ? mpq_cmp(v, q[i]) < 0 : mpq_cmp(v, q[i]) > 0))
        mpq_set(q[i], v);
    has[i] = 1;
}

/* Every coordinate bounded on both sides, lo <= hi: into box. */
static pv_status bounds_to_box(bounds *b, pv_box *box, const char *path,
                               pv_error *err)
{
    for (int i = 0; i < b->dim; i++) {
        if (!b->has_lo[i] || !b->has_hi[i])
            return pv_error_set(err, PV_ERR_PARSE, "%s: input %d has no %s bound "
                                "(a domain must bound every input)", path, i,
                                b->has_lo[i] ? "upper" : "lower");
        if (mpq_cmp(b->lo[i], b->hi[i]) > 0)
            return pv_error_set(err, PV_ERR_ARG, "%s: the domain is empty (input "
                                "%d: lower bound above the upper one)", path, i);
    }
    /* built aside, then swapped in: no allocation after the swap, so an
     * unwinding leaves the caller's box as it was */
    pv_box t;
    pv_box_init(&t, b->dim);
    for (int i = 0; i < b->dim; i++) {
        mpq_set(t.lo[i], b->lo[i]);
        mpq_set(t.hi[i], b->hi[i]);
    }
    pv_box old = *box;
    *box = t;
    pv_box_clear(&old);
    return PV_OK;
}

/* ---- VNN-LIB: s-expressions --------------------------------------------- */

typedef struct sexp_reader {
    const char *s, *end, *path;
    int line;
    pv_error *err;
} sexp_reader;

/* Skips blanks and ; comments. */
static void skip(sexp_reader *r)
{
    while (r->s < r->end) {
        if (*r->s == '\n')
            r->line++;
        if (*r->s == ';') {
            while (r->s < r->end && *r->s != '\n')
                r->s++;
        } else if (isspace((unsigned char)*r->s)) {
            r->s++;
        } else {
            return;
        }
    }
}

/* The next token: "(", ")" or an atom [*tok, *tok + *n). 0 at the end. */
static int token(sexp_reader *r, const char **tok, size_t *n)
{
    skip(r);
    if (r->s >= r->end)
        return 0;
    *tok = r->s;
    if (*r->s == '(' || *r->s == ')') {
        *n = 1;
        r->s++;
        return 1;
    }
    while (r->s < r->end && *r->s != '(' && *r->s != ')' && *r->s != ';' &&
           !isspace((unsigned char)*r->s))
        r->s++;
    *n = (size_t)(r->s - *tok);
    return 1;
}

static int is(const char *tok, size_t n, const char *word)
{
    return strlen(word) == n && !memcmp(tok, word, n);
}

/* X_i or Y_j: 'X' / 'Y' with the index, else 0. */
static int variable(const char *tok, size_t n, long *index)
{
    if (n < 3 || (tok[0] != 'X' && tok[0] != 'Y') || tok[1] != '_')
        return 0;
    long v = 0;
    for (size_t i = 2; i < n; i++) {
        if (!isdigit((unsigned char)tok[i]) || v > 100000000L)
            return 0;
        v = 10 * v + (tok[i] - '0');
    }
    *index = v;
    return tok[0];
}

static pv_status syntax(sexp_reader *r, const char *what)
{
    return pv_error_set(r->err, PV_ERR_PARSE, "%s:%d: %s", r->path, r->line, what);
}

/* A term of a comparison: a number (also "(- N)") into q, or a variable. */
static pv_status term(sexp_reader *r, mpq_t q, int *var, long *index)
{
    const char *tok;
    size_t n;
    *var = 0;
    if (!token(r, &tok, &n) || *tok == ')')
        return syntax(r, "expected a number or a variable");
    if (*tok == '(') {
        const char *op;
        size_t k;
        if (!token(r, &op, &k) || !is(op, k, "-"))
            return syntax(r, "expected a number, a variable or (- NUMBER); an "
                          "input domain takes bounds X_i <= c, X_i >= c only");
        pv_status st = term(r, q, var, index);
        if (st != PV_OK)
            return st;
        if (*var)
            return syntax(r, "(- X_i) is not a bound; an input domain takes "
                          "X_i <= c and X_i >= c only");
        mpq_neg(q, q);
        if (!token(r, &op, &k) || *op != ')')
            return syntax(r, "expected ')' after (- NUMBER");
        return PV_OK;
    }
    if ((*var = variable(tok, n, index)))
        return PV_OK;
    const char *why = NULL;
    if (pv_rational_parse(q, tok, n, &why) != PV_OK) {
        char ex[64];
        return pv_error_set(r->err, PV_ERR_PARSE, "%s:%d: %s: %s", r->path, r->line,
                            pv_excerpt(ex, sizeof ex, tok, n), why ? why : "not a number");
    }
    return PV_OK;
}

/* Skips the rest of an expression whose '(' is read. */
static pv_status skip_rest(sexp_reader *r)
{
    int depth = 1;
    const char *tok;
    size_t n;
    while (depth > 0) {
        if (!token(r, &tok, &n))
            return syntax(r, "unexpected end of file (a ')' is missing)");
        depth += *tok == '(' ? 1 : *tok == ')' ? -1 : 0;
    }
    return PV_OK;
}

/* Does the expression ahead mention an X variable (scans without reading)? */
static int mentions_x(const sexp_reader *r)
{
    sexp_reader t = *r;
    int depth = 1;
    const char *tok;
    size_t n;
    long index;
    while (depth > 0 && token(&t, &tok, &n)) {
        depth += *tok == '(' ? 1 : *tok == ')' ? -1 : 0;
        if (variable(tok, n, &index) == 'X')
            return 1;
    }
    return 0;
}

/* The body of an assertion whose '(' is read: a comparison of one input
 * and a number, an `and` of such, or an output constraint (counted). */
static pv_status assertion(sexp_reader *r, bounds *b, pv_domain_info *info)
{
    const char *op;
    size_t k;
    if (!mentions_x(r)) {
        info->output_constraints++;
        return skip_rest(r);
    }
    if (!token(r, &op, &k))
        return syntax(r, "unexpected end of file");
    if (is(op, k, "and")) {
        const char *tok;
        size_t n;
        for (;;) {
            if (!token(r, &tok, &n))
                return syntax(r, "unexpected end of file in (and ...)");
            if (*tok == ')')
                return PV_OK;
            if (*tok != '(')
                return syntax(r, "expected a comparison inside (and ...)");
            pv_status st = assertion(r, b, info);
            if (st != PV_OK)
                return st;
        }
    }
    int le = is(op, k, "<="), ge = is(op, k, ">=");
    if (!le && !ge)
        return syntax(r, "an input domain takes (<= X_i c), (>= X_i c) and (and "
                      "...) of them; or, strict comparisons and constraints mixing "
                      "inputs are not supported");
    mpq_t v[2];
    mpq_inits(v[0], v[1], NULL);
    int var[2];
    long idx[2];
    pv_status st = term(r, v[0], &var[0], &idx[0]);
    if (st == PV_OK)
        st = term(r, v[1], &var[1], &idx[1]);
    const char *tok;
    size_t n;
    if (st == PV_OK && (!token(r, &tok, &n) || *tok != ')'))
        st = syntax(r, "expected ')' after a comparison of two terms");
    if (st == PV_OK && (var[0] == 'X') == (var[1] == 'X'))
        st = syntax(r, "a bound compares one input X_i with a number");
    if (st == PV_OK && (var[0] == 'Y' || var[1] == 'Y'))
        st = syntax(r, "a constraint mixing inputs and outputs is not an input "
                    "domain");
    if (st == PV_OK) {
        int xi = var[0] == 'X' ? 0 : 1;   /* X <= c, or c <= X (= X >= c) */
        if (idx[xi] >= b->dim)
            st = pv_error_set(r->err, PV_ERR_ARG, "%s:%d: X_%ld, but the network "
                              "has %d inputs (X_0 to X_%d)", r->path, r->line,
                              idx[xi], b->dim, b->dim - 1);
        else
            bound(b, (int)idx[xi], v[1 - xi], (le && xi == 0) || (ge && xi == 1));
    }
    mpq_clears(v[0], v[1], NULL);
    return st;
}

static pv_status read_vnnlib(bounds *b, const char *text, size_t len, const char *path,
                             pv_domain_info *info, pv_error *err)
{
    sexp_reader r = { text, text + len, path, 1, err };
    const char *tok, *word;
    size_t n, k;
    while (token(&r, &tok, &n)) {
        if (*tok != '(')
            return syntax(&r, "expected '(' (a declaration or an assertion)");
        if (!token(&r, &word, &k))
            return syntax(&r, "unexpected end of file");
        pv_status st;
        if (is(word, k, "declare-const")) {
            long index;
            if (token(&r, &tok, &n) && variable(tok, n, &index) == 'X')
                info->inputs_declared++;
            st = skip_rest(&r);
        } else if (is(word, k, "assert")) {
            if (!token(&r, &tok, &n) || *tok != '(')
                return syntax(&r, "expected (assert (...))");
            st = assertion(&r, b, info);
            if (st == PV_OK && !token(&r, &tok, &n))
                st = syntax(&r, "unexpected end of file: the assertion's ')' is missing");
            else if (st == PV_OK && *tok != ')')
                st = syntax(&r, "expected ')' closing the assertion");
        } else {
            return syntax(&r, "expected declare-const or assert");
        }
        if (st != PV_OK)
            return st;
    }
    return PV_OK;
}

/* ---- cddlib .ine ---------------------------------------------------------- */

/* The next whitespace-separated word of a line cursor. */
static int word_of(const char **p, const char *end, const char **w, size_t *n)
{
    while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r'))
        (*p)++;
    if (*p >= end || **p == '\n')
        return 0;
    *w = *p;
    while (*p < end && !isspace((unsigned char)**p))
        (*p)++;
    *n = (size_t)(*p - *w);
    return 1;
}

static pv_status read_ine(bounds *b, const char *text, size_t len, const char *path,
                          pv_error *err)
{
    const char *p = text, *end = text + len, *w;
    size_t n;
    int line = 0, state = 0, rows = 0, cols = 0, row = 0;
    unsigned char *lin = NULL;
    mpq_t v, c;
    mpq_inits(v, c, NULL);
    pv_status st = PV_OK;
    while (st == PV_OK && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *q = p;
        p = eol + 1;
        if (!word_of(&q, eol, &w, &n) || *w == '*' || *w == '#')
            continue;
        if (state == 0 && is(w, n, "linearity")) {
            if (!lin && !(lin = pv_calloc(1u << 20, 1)))
                st = pv_error_set(err, PV_ERR_NOMEM, "out of memory");
            long k = 0, cnt = -1;
            while (st == PV_OK && word_of(&q, eol, &w, &n)) {
                long r = strtol(w, NULL, 10);
                if (cnt < 0)
                    cnt = r;
                else if (r >= 1 && r < (1 << 20))
                    lin[r] = 1, k++;
            }
            continue;
        }
        if (state == 0 && is(w, n, "begin")) {
            state = 1;
            continue;
        }
        if (state == 0)
            continue;                     /* a name or another option */
        if (state == 1) {                 /* "m n rational|integer" */
            rows = atoi(w);
            const char *w2;
            size_t n2;
            if (!word_of(&q, eol, &w2, &n2))
                st = pv_error_set(err, PV_ERR_PARSE, "%s:%d: expected 'ROWS COLUMNS "
                                  "rational' after begin", path, line);
            else
                cols = atoi(w2);
            if (st == PV_OK && cols != b->dim + 1)
                st = pv_error_set(err, PV_ERR_ARG, "%s:%d: %d columns: a domain for "
                                  "%d inputs has %d (b, then -A)", path, line, cols,
                                  b->dim, b->dim + 1);
            state = 2;
            continue;
        }
        if (is(w, n, "end"))
            break;
        /* a row b + a.x >= 0 (= 0 on a linearity row): one non-zero a_i */
        row++;
        const char *why = NULL;
        if (pv_rational_parse(c, w, n, &why) != PV_OK) {
            st = pv_error_set(err, PV_ERR_PARSE, "%s:%d: %s", path, line, why);
            break;
        }
        int nz = -1, count = 0;
        for (int i = 0; i < b->dim && st == PV_OK; i++) {
            if (!word_of(&q, eol, &w, &n)) {
                st = pv_error_set(err, PV_ERR_PARSE, "%s:%d: the row has %d numbers, "
                                  "expected %d", path, line, i + 1, cols);
                break;
            }
            if (pv_rational_parse(v, w, n, &why) != PV_OK)
                st = pv_error_set(err, PV_ERR_PARSE, "%s:%d: %s", path, line, why);
            else if (mpq_sgn(v))
                nz = nz < 0 ? i : nz, count++;
            if (count == 1 && nz == i && mpq_sgn(v)) {
                /* x_i >= -b/a (a > 0) or x_i <= -b/a (a < 0) */
                mpq_t t;
                mpq_init(t);
                mpq_div(t, c, v);
                mpq_neg(t, t);
                int upper = mpq_sgn(v) < 0;
                bound(b, i, t, upper);
                if (lin && row < (1 << 20) && lin[row])
                    bound(b, i, t, !upper);
                mpq_clear(t);
            }
        }
        if (st == PV_OK && count != 1)
            st = pv_error_set(err, PV_ERR_PARSE, "%s:%d: a domain row bounds one "
                              "input (one non-zero coefficient), this one has %d; "
                              "general polyhedral domains are not supported yet",
                              path, line, count);
    }
    if (st == PV_OK && state < 2)
        st = pv_error_set(err, PV_ERR_PARSE, "%s: no 'begin' line (cddlib .ine)", path);
    else if (st == PV_OK && rows && row != rows)
        st = pv_error_set(err, PV_ERR_PARSE, "%s: %d rows, the header says %d", path,
                          row, rows);
    pv_free(lin);
    mpq_clears(v, c, NULL);
    return st;
}

/* ---- the entry point -------------------------------------------------------- */

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcmp(s + n - k, suf);
}

static pv_status box_load(pv_box *box, int dim, const char *path, pv_domain_info *info,
                          pv_error *err)
{
    pv_domain_info local;
    if (!info)
        info = &local;
    pv_domain_info_init(info);
    char *text = NULL;
    size_t len = 0;
    pv_status st = pv_read_file(path, MAX_DOMAIN_BYTES, &text, &len, err);
    if (st != PV_OK)
        return st;
    bounds b;
    memset(&b, 0, sizeof b);
    int ine = has_suffix(path, ".ine") || strstr(text, "\nbegin") || !strncmp(text, "begin", 5);
    if (!bounds_init(&b, dim))
        st = pv_error_set(err, PV_ERR_NOMEM, "out of memory for a domain");
    else
        st = ine ? read_ine(&b, text, len, path, err)
                 : read_vnnlib(&b, text, len, path, info, err);
    info->format = ine ? "ine" : "vnnlib";
    if (st == PV_OK)
        st = bounds_to_box(&b, box, path, err);
    bounds_clear(&b);
    pv_free(text);
    return st;
}

pv_status pv_box_load(pv_box *box, int dim, const char *path, pv_domain_info *info,
                      pv_error *err)
{
    PV_GUARD(err, box_load(box, dim, path, info, err), (void)0);
}
