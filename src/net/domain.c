/* polyverify — input domains from files: VNN-LIB properties and cddlib
 * H-representations (see box.h).
 *
 * Both are read exactly (numbers straight into rationals) into a list of
 * constraints f(x) >= 0 or f(x) = 0, f affine and kept sparse (a VNN-LIB
 * bound names one input of 784). The list then becomes the domain: the
 * constraints on one input are the interval part when they bound every
 * input on both sides (the tightest bounds win), and every other
 * constraint is a general row, in file order; when some input is not
 * bounded so, all constraints are general rows. Anything that is not a
 * convex polyhedron in the inputs is refused with its line and what was
 * expected, never approximated or dropped — except VNN-LIB's output
 * constraints (on the Y_j), which are not part of the input domain and are
 * counted, not read. */
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

/* ---- sparse affine forms ------------------------------------------------ */

/* sum_k q[k] x_{idx[k]} + c, the idx distinct, no q[k] zero. */
typedef struct lin {
    int n, cap;
    int *idx;
    mpq_t *q;
    mpq_t c;
} lin;

static void lin_init(lin *f)
{
    memset(f, 0, sizeof *f);
    mpq_init(f->c);
}

static void lin_clear(lin *f)
{
    for (int k = 0; k < f->cap; k++)
        mpq_clear(f->q[k]);
    pv_free(f->idx);
    pv_free(f->q);
    mpq_clear(f->c);
}

/* f += s x_i. */
static void lin_add_term(lin *f, int i, const mpq_t s)
{
    int k = 0;
    while (k < f->n && f->idx[k] != i)
        k++;
    if (k == f->n) {
        if (f->n == f->cap) {
            int cap = f->cap ? 2 * f->cap : 4;
            f->idx = pv_realloc(f->idx, (size_t)cap * sizeof *f->idx);
            f->q = pv_realloc(f->q, (size_t)cap * sizeof *f->q);
            for (int j = f->cap; j < cap; j++)
                mpq_init(f->q[j]);
            f->cap = cap;
        }
        f->idx[f->n] = i;
        mpq_set_ui(f->q[f->n++], 0, 1);
    }
    mpq_add(f->q[k], f->q[k], s);
    if (mpq_sgn(f->q[k]) == 0) {          /* keep no zero coefficient */
        f->n--;
        f->idx[k] = f->idx[f->n];
        mpq_swap(f->q[k], f->q[f->n]);
    }
}

/* f += s g. */
static void lin_add(lin *f, const lin *g, const mpq_t s)
{
    mpq_t t;
    mpq_init(t);
    for (int k = 0; k < g->n; k++) {
        mpq_mul(t, g->q[k], s);
        lin_add_term(f, g->idx[k], t);
    }
    mpq_mul(t, g->c, s);
    mpq_add(f->c, f->c, t);
    mpq_clear(t);
}

/* f *= s (s != 0, or the terms are dropped). */
static void lin_scale(lin *f, const mpq_t s)
{
    if (mpq_sgn(s) == 0)
        f->n = 0;
    for (int k = 0; k < f->n; k++)
        mpq_mul(f->q[k], f->q[k], s);
    mpq_mul(f->c, f->c, s);
}

static void lin_swap(lin *f, lin *g)
{
    lin t = *f;
    *f = *g;
    *g = t;
}

/* ---- the constraints read ----------------------------------------------- */

typedef struct constraint {
    lin f;                 /* f >= 0, or f = 0 when eq */
    int eq, line;
} constraint;

typedef struct clist {
    int dim, n, cap;
    constraint *r;
    const char *path;
} clist;

static void clist_clear(clist *L)
{
    for (int k = 0; k < L->n; k++)
        lin_clear(&L->r[k].f);
    pv_free(L->r);
}

/* Appends f >= 0 (= 0 when eq); f is taken over (left empty). */
static void clist_push(clist *L, lin *f, int eq, int line)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 16;
        L->r = pv_realloc(L->r, (size_t)L->cap * sizeof *L->r);
    }
    constraint *c = &L->r[L->n++];
    lin_init(&c->f);
    lin_swap(&c->f, f);
    c->eq = eq;
    c->line = line;
}

/* ---- the domain from the constraints ------------------------------------ */

/* From a constraint q x_i + c >= 0 on one input: the bound -c/q, an upper
 * one when q < 0. */
static void one_input_bound(mpq_t v, const constraint *r, int *upper)
{
    mpq_div(v, r->f.c, r->f.q[0]);
    mpq_neg(v, v);
    *upper = mpq_sgn(r->f.q[0]) < 0;
}

/* Tightest bounds from the one-input constraints: 1 when every input has
 * both, with lo <= hi (else an error: an empty domain). */
static int interval_part(const clist *L, pv_box *t, pv_status *st, pv_error *err)
{
    int m = L->dim, complete = 1;
    unsigned char *has = pv_calloc(2 * (size_t)m + 1, 1);
    mpq_t v;
    mpq_init(v);
    for (int k = 0; k < L->n; k++) {
        const constraint *r = &L->r[k];
        if (r->f.n != 1)
            continue;
        int i = r->f.idx[0], upper;
        one_input_bound(v, r, &upper);
        for (int side = 0; side < 2; side++) {
            int hi = side ? !upper : upper;
            if (side && !r->eq)
                break;
            mpq_t *q = hi ? &t->hi[i] : &t->lo[i];
            unsigned char *h = &has[2 * i + hi];
            if (!*h || (hi ? mpq_cmp(v, *q) < 0 : mpq_cmp(v, *q) > 0))
                mpq_set(*q, v);
            *h = 1;
        }
    }
    for (int i = 0; i < m && complete; i++)
        complete = has[2 * i] && has[2 * i + 1];
    for (int i = 0; complete && i < m && *st == PV_OK; i++)
        if (mpq_cmp(t->lo[i], t->hi[i]) > 0)
            *st = pv_error_set(err, PV_ERR_ARG, "%s: the domain is empty (input "
                               "%d: lower bound above the upper one)", L->path, i);
    mpq_clear(v);
    pv_free(has);
    return complete;
}

/* The domain of the constraints into t (initialised, dim L->dim). */
static pv_status clist_to_box(const clist *L, pv_box *t, pv_error *err)
{
    int m = L->dim;
    for (int k = 0; k < L->n; k++) {
        const constraint *r = &L->r[k];
        int s = mpq_sgn(r->f.c);
        if (r->f.n == 0 && (s < 0 || (r->eq && s != 0)))
            return pv_error_set(err, PV_ERR_ARG, "%s:%d: this constraint holds for "
                                "no input (the domain is empty)", L->path, r->line);
    }
    pv_status st = PV_OK;
    t->intervals = interval_part(L, t, &st, err);
    if (st != PV_OK)
        return st;
    if (!t->intervals)
        for (int i = 0; i < m; i++) {
            mpq_set_ui(t->lo[i], 0, 1);
            mpq_set_ui(t->hi[i], 0, 1);
        }
    int n = 0;
    for (int k = 0; k < L->n; k++)
        n += L->r[k].f.n > 1 || (!t->intervals && L->r[k].f.n == 1);
    /* the general rows at once (t is the loader's own: no swap needed) */
    t->a = pv_malloc(((size_t)n * (size_t)m + 1) * sizeof(mpq_t));
    t->c = pv_malloc(((size_t)n + 1) * sizeof(mpq_t));
    t->eq = pv_calloc((size_t)n + 1, 1);
    for (int k = 0, g = 0; k < L->n; k++) {
        const constraint *r = &L->r[k];
        if (r->f.n == 0 || (t->intervals && r->f.n == 1))
            continue;              /* true, or part of the interval part */
        for (int i = 0; i < m; i++)
            mpq_init(PV_BOX_A(t, g, i));
        for (int j = 0; j < r->f.n; j++)
            mpq_set(PV_BOX_A(t, g, r->f.idx[j]), r->f.q[j]);
        mpq_init(t->c[g]);
        mpq_set(t->c[g], r->f.c);
        t->eq[g] = (unsigned char)r->eq;
        t->nrows = ++g;
    }
    return PV_OK;
}

/* ---- VNN-LIB: s-expressions --------------------------------------------- */

typedef struct sexp_reader {
    const char *s, *end, *path;
    int line, dim;
    int open_line;              /* the line of the statement being read */
    int depth;                  /* terms and assertions being read      */
    unsigned char *declared;    /* dim: X_i declared (when any X is)   */
    int any_declared;
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

/* The next token without reading it. */
static int peek(const sexp_reader *r, const char **tok, size_t *n)
{
    sexp_reader t = *r;
    return token(&t, tok, n);
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

/* The end of the file inside a statement: named by the statement's line. */
static pv_status eof(sexp_reader *r)
{
    return pv_error_set(r->err, PV_ERR_PARSE, "%s:%d: unexpected end of file: the "
                        "statement that starts here misses a ')'", r->path,
                        r->open_line);
}

/* Skips the rest of an expression whose '(' is read. */
static pv_status skip_rest(sexp_reader *r)
{
    int depth = 1;
    const char *tok;
    size_t n;
    while (depth > 0) {
        if (!token(r, &tok, &n))
            return eof(r);
        depth += *tok == '(' ? 1 : *tok == ')' ? -1 : 0;
    }
    return PV_OK;
}

/* Which variables the expression ahead (its '(' read) mentions: bit 1 an
 * X_i, bit 2 a Y_j (scans without reading). */
static int mentions(const sexp_reader *r)
{
    sexp_reader t = *r;
    int depth = 1, m = 0;
    const char *tok;
    size_t n;
    long index;
    while (depth > 0 && token(&t, &tok, &n)) {
        depth += *tok == '(' ? 1 : *tok == ')' ? -1 : 0;
        int v = variable(tok, n, &index);
        m |= v == 'X' ? 1 : v == 'Y' ? 2 : 0;
    }
    return m;
}

static pv_status closing(sexp_reader *r, const char *after)
{
    const char *tok;
    size_t n;
    if (!token(r, &tok, &n))
        return eof(r);
    if (*tok != ')') {
        char msg[96];
        snprintf(msg, sizeof msg, "expected ')' after %s", after);
        return syntax(r, msg);
    }
    return PV_OK;
}

static pv_status term(sexp_reader *r, lin *f);

/* Whether the operator's argument list goes on (else its ')' is read). */
static pv_status more(sexp_reader *r, int *yes)
{
    const char *tok;
    size_t n;
    if (!peek(r, &tok, &n))
        return eof(r);
    *yes = *tok != ')';
    if (!*yes)
        token(r, &tok, &n);
    return PV_OK;
}

/* f op= g for one more argument g of (op f ...). */
static pv_status combine(sexp_reader *r, char op, lin *f, lin *g)
{
    mpq_t s;
    mpq_init(s);
    pv_status st = PV_OK;
    if (op == '+' || op == '-') {
        mpq_set_si(s, op == '+' ? 1 : -1, 1);
        lin_add(f, g, s);
    } else if (op == '*' && f->n && g->n) {
        st = syntax(r, "a product of two terms in the inputs is not linear: an "
                    "input domain takes linear constraints only");
    } else if (op == '*') {
        if (f->n == 0)              /* a number times g: g times the number */
            lin_swap(f, g);
        mpq_set(s, g->c);
        lin_scale(f, s);
    } else if (g->n) {
        st = syntax(r, "a division by a term in the inputs is not linear");
    } else if (mpq_sgn(g->c) == 0) {
        st = syntax(r, "a division by zero");
    } else {
        mpq_inv(s, g->c);
        lin_scale(f, s);
    }
    mpq_clear(s);
    return st;
}

/* Nesting is bounded: the readers recurse, and the stack must not be
 * what stops a file of a million '('. */
#define MAX_NESTING 200

static pv_status nest(sexp_reader *r)
{
    if (++r->depth <= MAX_NESTING)
        return PV_OK;
    char msg[64];
    snprintf(msg, sizeof msg, "terms nested deeper than %d", MAX_NESTING);
    return syntax(r, msg);
}

static pv_status compound_body(sexp_reader *r, const char *op, size_t k, lin *f);

/* (+ ...), (- ...), (* ...), (/ ...) whose '(' and operator are read. */
static pv_status compound(sexp_reader *r, const char *op, size_t k, lin *f)
{
    pv_status st = nest(r);
    if (st == PV_OK)
        st = compound_body(r, op, k, f);
    r->depth--;
    return st;
}

static pv_status compound_body(sexp_reader *r, const char *op, size_t k, lin *f)
{
    if (k != 1 || !strchr("+-*/", *op)) {
        char ex[64], msg[256];
        snprintf(msg, sizeof msg, "(%s ...) in a term: an input domain takes linear "
                 "terms (numbers, X_i, +, -, * by a number, / by a number)",
                 pv_excerpt(ex, sizeof ex, op, k));
        return syntax(r, msg);
    }
    int go = 0, count = 0;
    pv_status st = more(r, &go);
    if (st == PV_OK && go)
        st = term(r, f);
    lin g;
    lin_init(&g);
    for (count = go; st == PV_OK && (st = more(r, &go)) == PV_OK && go; count++) {
        st = term(r, &g);
        if (st == PV_OK)
            st = combine(r, *op, f, &g);
    }
    lin_clear(&g);
    if (st == PV_OK && count == 0) {
        char msg[64];
        snprintf(msg, sizeof msg, "(%c) without arguments", *op);
        st = syntax(r, msg);
    } else if (st == PV_OK && count == 1 && *op == '-') {
        mpq_t s;                           /* (- t) = -t */
        mpq_init(s);
        mpq_set_si(s, -1, 1);
        lin_scale(f, s);
        mpq_clear(s);
    }
    return st;
}

/* A linear term into f (cleared first): a number, X_i, or a compound. */
static pv_status term(sexp_reader *r, lin *f)
{
    const char *tok;
    size_t n;
    f->n = 0;
    mpq_set_ui(f->c, 0, 1);
    if (!token(r, &tok, &n) || *tok == ')')
        return syntax(r, "expected a number, an input X_i or a linear term");
    if (*tok == '(') {
        const char *op;
        size_t k;
        if (!token(r, &op, &k) || *op == '(' || *op == ')')
            return syntax(r, "expected an operator after '('");
        return compound(r, op, k, f);
    }
    long index;
    int v = variable(tok, n, &index);
    if (v == 'Y')
        return syntax(r, "a constraint mixing inputs and outputs is not an input "
                      "domain");
    if (v == 'X') {
        if (index >= r->dim)
            return pv_error_set(r->err, PV_ERR_ARG, "%s:%d: X_%ld, but the network "
                                "has %d inputs (X_0 to X_%d)", r->path, r->line,
                                index, r->dim, r->dim - 1);
        if (r->any_declared && !r->declared[index])
            return pv_error_set(r->err, PV_ERR_PARSE, "%s:%d: X_%ld is not declared "
                                "(expected (declare-const X_%ld Real) before it)",
                                r->path, r->line, index, index);
        mpq_t one;
        mpq_init(one);
        mpq_set_ui(one, 1, 1);
        lin_add_term(f, (int)index, one);
        mpq_clear(one);
        return PV_OK;
    }
    const char *why = NULL;
    if (pv_rational_parse(f->c, tok, n, &why) != PV_OK) {
        char ex[64];
        return pv_error_set(r->err, PV_ERR_PARSE, "%s:%d: '%s': expected a number, "
                            "an input X_i or a linear term (as a number: %s)",
                            r->path, r->line, pv_excerpt(ex, sizeof ex, tok, n),
                            why ? why : "not one");
    }
    return PV_OK;
}

/* A comparison (op t1 t2 ...) whose '(' and op are read: each consecutive
 * pair a constraint: t_a <= t_(a+1) is t_(a+1) - t_a >= 0. */
static pv_status comparison(sexp_reader *r, int le, int ge, clist *L)
{
    int line = r->line, go = 0, count = 0;
    lin prev, cur, d;
    lin_init(&prev);
    lin_init(&cur);
    lin_init(&d);
    mpq_t s;
    mpq_init(s);
    pv_status st = PV_OK;
    for (; st == PV_OK && (st = more(r, &go)) == PV_OK && go; count++) {
        st = term(r, &cur);
        if (st == PV_OK && count > 0) {
            d.n = 0;
            mpq_set_ui(d.c, 0, 1);
            mpq_set_si(s, ge ? -1 : 1, 1);
            lin_add(&d, &cur, s);
            mpq_neg(s, s);
            lin_add(&d, &prev, s);
            clist_push(L, &d, !le && !ge, line);
        }
        lin_swap(&prev, &cur);
    }
    if (st == PV_OK && count < 2)
        st = syntax(r, "a comparison needs two terms");
    mpq_clear(s);
    lin_clear(&prev);
    lin_clear(&cur);
    lin_clear(&d);
    return st;
}

static pv_status assertion_body(sexp_reader *r, clist *L, pv_domain_info *info);

/* The body of an assertion (its '(' read) on the inputs: a comparison, an
 * `and` of assertions, an `or` of one; parts on outputs only are counted. */
static pv_status assertion(sexp_reader *r, clist *L, pv_domain_info *info)
{
    pv_status st = nest(r);
    if (st == PV_OK)
        st = assertion_body(r, L, info);
    r->depth--;
    return st;
}

static pv_status assertion_body(sexp_reader *r, clist *L, pv_domain_info *info)
{
    const char *op;
    size_t k;
    if (mentions(r) == 2) {
        info->output_constraints++;
        return skip_rest(r);
    }
    if (!token(r, &op, &k))
        return eof(r);
    int and_ = is(op, k, "and"), or_ = is(op, k, "or");
    if (and_ || or_) {
        const char *tok;
        size_t n;
        for (int count = 0;; count++) {
            if (!token(r, &tok, &n))
                return eof(r);
            if (*tok == ')')
                return PV_OK;
            if (or_ && count == 1)
                return syntax(r, "(or ...) on the inputs: a union of regions is not "
                              "a convex domain (give one file per disjunct)");
            if (*tok != '(')
                return syntax(r, and_ ? "expected a comparison inside (and ...)"
                                      : "expected a comparison inside (or ...)");
            pv_status st = assertion(r, L, info);
            if (st != PV_OK)
                return st;
        }
    }
    int le = is(op, k, "<="), ge = is(op, k, ">="), eq = is(op, k, "=");
    if (le || ge || eq) {
        info->constraints++;
        return comparison(r, le, ge, L);
    }
    if (is(op, k, "<") || is(op, k, ">"))
        return syntax(r, "a strict comparison (< or >) on the inputs: an input "
                      "domain is closed, use <= or >=");
    char ex[64], msg[256];
    snprintf(msg, sizeof msg, "(%s ...) on the inputs: an input domain takes "
             "comparisons (<=, >=, =) of linear terms and (and ...) of them",
             pv_excerpt(ex, sizeof ex, op, k));
    return syntax(r, msg);
}

/* (declare-const NAME SORT) whose '(' and keyword are read. */
static pv_status declaration(sexp_reader *r, pv_domain_info *info)
{
    const char *tok;
    size_t n;
    long index;
    if (token(r, &tok, &n) && variable(tok, n, &index) == 'X') {
        info->inputs_declared++;
        if (index < r->dim)
            r->declared[index] = 1;
        r->any_declared = 1;
    }
    return skip_rest(r);
}

static pv_status read_vnnlib(clist *L, const char *text, size_t len,
                             pv_domain_info *info, pv_error *err)
{
    sexp_reader r = { text, text + len, L->path, 1, L->dim, 1, 0, NULL, 0, err };
    r.declared = pv_calloc((size_t)L->dim + 1, 1);
    const char *tok, *word;
    size_t n, k;
    pv_status st = PV_OK;
    while (st == PV_OK && token(&r, &tok, &n)) {
        if (*tok != '(') {
            st = syntax(&r, "expected '(' (a declaration or an assertion)");
            break;
        }
        r.open_line = r.line;
        if (!token(&r, &word, &k)) {
            st = eof(&r);
            break;
        }
        if (is(word, k, "declare-const")) {
            st = declaration(&r, info);
        } else if (is(word, k, "assert")) {
            if (!token(&r, &tok, &n) || *tok != '(')
                st = syntax(&r, "expected (assert (...))");
            else
                st = assertion(&r, L, info);
            if (st == PV_OK)
                st = closing(&r, "the assertion");
        } else {
            st = syntax(&r, "expected declare-const or assert");
        }
    }
    pv_free(r.declared);
    return st;
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

/* The state of an .ine file being read. */
typedef struct ine_reader {
    clist *L;
    int line, state, rows, cols;
    int *lin, nlin, lin_line;     /* the linearity rows (from 1) */
    pv_error *err;
} ine_reader;

/* "linearity K r1 ... rK". */
static pv_status ine_linearity(ine_reader *I, const char *q, const char *eol)
{
    const char *w;
    size_t n;
    long cnt = -1;
    I->lin_line = I->line;
    while (word_of(&q, eol, &w, &n)) {
        char *e;
        long v = strtol(w, &e, 10);
        if (e != w + n || v < (cnt < 0 ? 0 : 1) || v > (1L << 30))
            return pv_error_set(I->err, PV_ERR_PARSE, "%s:%d: expected 'linearity K "
                                "ROW...' with row numbers from 1", I->L->path, I->line);
        if (cnt < 0) {
            cnt = v;
            I->lin = pv_realloc(I->lin, ((size_t)v + 1) * sizeof *I->lin);
        } else if (I->nlin < cnt) {
            I->lin[I->nlin++] = (int)v;
        } else {
            return pv_error_set(I->err, PV_ERR_PARSE, "%s:%d: linearity lists more "
                                "than the %ld rows it announces", I->L->path, I->line, cnt);
        }
    }
    if (cnt < 0 || I->nlin != cnt)
        return pv_error_set(I->err, PV_ERR_PARSE, "%s:%d: linearity announces %ld rows "
                            "and lists %d", I->L->path, I->line, cnt < 0 ? 0 : cnt, I->nlin);
    return PV_OK;
}

/* "m n rational|integer|real" after begin. */
static pv_status ine_size(ine_reader *I, const char *w, const char *q, const char *eol)
{
    const char *w2;
    size_t n2;
    I->rows = atoi(w);
    if (!word_of(&q, eol, &w2, &n2))
        return pv_error_set(I->err, PV_ERR_PARSE, "%s:%d: expected 'ROWS COLUMNS "
                            "rational' after begin", I->L->path, I->line);
    I->cols = atoi(w2);
    if (I->cols != I->L->dim + 1)
        return pv_error_set(I->err, PV_ERR_ARG, "%s:%d: %d columns: a domain for %d "
                            "inputs has %d (b, then the coefficients of x)",
                            I->L->path, I->line, I->cols, I->L->dim, I->L->dim + 1);
    return PV_OK;
}

/* A row "b a_1 ... a_m": b + a.x >= 0 (= 0 when it is a linearity row). */
static pv_status ine_row(ine_reader *I, int row, const char *w, size_t n,
                         const char *q, const char *eol)
{
    const char *why = NULL;
    lin f;
    lin_init(&f);
    mpq_t v;
    mpq_init(v);
    pv_status st = PV_OK;
    if (pv_rational_parse(f.c, w, n, &why) != PV_OK)
        st = pv_error_set(I->err, PV_ERR_PARSE, "%s:%d: %s", I->L->path, I->line, why);
    for (int i = 0; i < I->L->dim && st == PV_OK; i++) {
        if (!word_of(&q, eol, &w, &n))
            st = pv_error_set(I->err, PV_ERR_PARSE, "%s:%d: the row has %d numbers, "
                              "expected %d", I->L->path, I->line, i + 1, I->cols);
        else if (pv_rational_parse(v, w, n, &why) != PV_OK)
            st = pv_error_set(I->err, PV_ERR_PARSE, "%s:%d: %s", I->L->path, I->line, why);
        else if (mpq_sgn(v))
            lin_add_term(&f, i, v);
    }
    if (st == PV_OK && word_of(&q, eol, &w, &n))
        st = pv_error_set(I->err, PV_ERR_PARSE, "%s:%d: the row has more than the %d "
                          "numbers expected", I->L->path, I->line, I->cols);
    int eq = 0;
    for (int k = 0; k < I->nlin; k++)
        eq |= I->lin[k] == row;
    if (st == PV_OK)
        clist_push(I->L, &f, eq, I->line);
    mpq_clear(v);
    lin_clear(&f);
    return st;
}

static pv_status read_ine(clist *L, const char *text, size_t len, pv_error *err)
{
    const char *p = text, *end = text + len, *w;
    size_t n;
    ine_reader I = { L, 0, 0, 0, 0, NULL, 0, 0, err };
    int row = 0;
    pv_status st = PV_OK;
    while (st == PV_OK && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        I.line++;
        const char *q = p;
        p = eol + 1;
        if (!word_of(&q, eol, &w, &n) || *w == '*' || *w == '#')
            continue;
        if (I.state == 0 && is(w, n, "linearity")) {
            st = ine_linearity(&I, q, eol);
        } else if (I.state == 0 && is(w, n, "begin")) {
            I.state = 1;
        } else if (I.state == 0) {
            continue;                     /* a name or another option */
        } else if (I.state == 1) {
            st = ine_size(&I, w, q, eol);
            I.state = 2;
        } else if (is(w, n, "end")) {
            I.state = 3;
            break;
        } else {
            st = ine_row(&I, ++row, w, n, q, eol);
        }
    }
    if (st == PV_OK && I.state < 2)
        st = pv_error_set(err, PV_ERR_PARSE, "%s: no 'begin' line (cddlib .ine)", L->path);
    else if (st == PV_OK && I.state < 3)
        st = pv_error_set(err, PV_ERR_PARSE, "%s:%d: expected 'end' after the rows",
                          L->path, I.line);
    else if (st == PV_OK && I.rows && row != I.rows)
        st = pv_error_set(err, PV_ERR_PARSE, "%s: %d rows, the header says %d", L->path,
                          row, I.rows);
    for (int k = 0; st == PV_OK && k < I.nlin; k++)
        if (I.lin[k] > row)
            st = pv_error_set(err, PV_ERR_PARSE, "%s:%d: linearity names row %d, the "
                              "file has %d", L->path, I.lin_line, I.lin[k], row);
    pv_free(I.lin);
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
    if (dim < 1)
        return pv_error_set(err, PV_ERR_ARG, "%s: a domain for %d inputs", path, dim);
    char *text = NULL;
    size_t len = 0;
    pv_status st = pv_read_file(path, MAX_DOMAIN_BYTES, &text, &len, err);
    if (st != PV_OK)
        return st;
    clist L;
    memset(&L, 0, sizeof L);
    L.dim = dim;
    L.path = path;
    int ine = has_suffix(path, ".ine") || strstr(text, "\nbegin") || !strncmp(text, "begin", 5);
    info->format = ine ? "ine" : "vnnlib";
    st = ine ? read_ine(&L, text, len, err) : read_vnnlib(&L, text, len, info, err);
    if (ine)
        info->constraints = L.n;
    /* built aside, then swapped in: no allocation after the swap, so an
     * unwinding leaves the caller's box as it was */
    pv_box t;
    pv_box_init(&t, dim);
    if (st == PV_OK)
        st = clist_to_box(&L, &t, err);
    if (st == PV_OK) {
        pv_box old = *box;
        *box = t;
        t = old;
    }
    pv_box_clear(&t);
    clist_clear(&L);
    pv_free(text);
    return st;
}

pv_status pv_box_load(pv_box *box, int dim, const char *path, pv_domain_info *info,
                      pv_error *err)
{
    PV_GUARD(err, box_load(box, dim, path, info, err), (void)0);
}
