/* pvcheck — the independent checker of polyverify certificates, formats 1
 * and 2.
 *
 *     pvcheck NET CERT [--answer FILE.json] [--quiet]
 *
 * Specification: verify/README.md ("Certificate format", "Answers", and the
 * Notes at its end). Output: one line "ok <claim>" per verified claim (not
 * with --quiet), "FAIL CERT:LINE: <claim> — <why>" per failed claim, then,
 * for a version-2 certificate, whether the claims cover the answer it
 * declares ("FAIL CERT:LINE: answer KIND — <why>") and, with --answer,
 * whether the JSON answer is exactly what they prove ("FAIL FILE.json:
 * FIELD — <why>" per field), then a summary. Exit 0 when all holds, 1 when
 * a claim, the coverage, an answer field, the fingerprint or the input
 * dimension fails, 2 for unreadable or malformed input ("pvcheck:
 * CERT:LINE: ..." or "pvcheck: FILE.json:LINE: ...").
 *
 * WHAT IT TRUSTS
 *   - GMP (exact mpq_t / mpz_t arithmetic) and the C library.
 *   - polyverify's network parser, src/network.c with src/rational.c and
 *     src/error.c: pv_net_load reads NET; pv_rational_parse reads the
 *     certificate's numbers. network.c also calls one function of
 *     src/linalg.c (a rank mod p deciding an optimisation, the lifted
 *     network, that pvcheck never reads), so linalg.c is linked too. From
 *     the parsed network pvcheck reads, through the public accessors of
 *     network.h, only the input dimension and each layer's activation, in,
 *     out, weights (out x in, row-major) and biases.
 * Everything else is here and nowhere else: the certificate parser, the
 * fingerprint, the layer recursion that gives each row, row evaluation, the
 * rank (mpq Gaussian elimination), the first-order forward pass, the
 * coverage of an answer and a small strict JSON reader. No LP solver, no
 * floating point, no other code of polyverify.
 *
 * WHY THE CHECKS PROVE THE CLAIMS. A set S is a conjunction of rows
 * r_i(x) = a_i.x + c_i, each "> 0" (strict: bit 1 of a `cell` part), ">= 0"
 * (other neuron rows, box rows, `domain ge` rows) or "= 0" (listed in
 * `zero`, or a `domain eq` row: an equation).
 *   dim S d    A point p with r_i(p) = 0 on E = `equal` (no strict row in E,
 *              every equation in E) and r_i(p) > 0 elsewhere: near p the
 *              affine space {r_i = 0, i in E} lies in S, so dim S >= m - rank E.
 *              Multipliers y, only on E, y_i > 0 on the inequalities of E (any
 *              sign on equations), sum y_i r_i == 0 identically: on S every
 *              term y_i r_i is >= 0 and they sum to 0, so every row of E
 *              vanishes on S, and dim S <= m - rank E. Hence d = m - rank E.
 *   empty S    y >= 0 on inequalities (any sign on equations), sum y_i r_i ==
 *              constant c: on S the sum is >= 0, and > 0 if a strict row has
 *              y > 0; so c < 0, or c = 0 with such a strict row, is absurd.
 *   dimle S d  as dim's multipliers (y >= 0): the rows with y != 0 and the
 *              equations vanish on S, so dim S <= m - rank(them) <= d.
 *   bounded S  w >= 0 on inequalities (any sign on equations), sum w_i a_i = 0
 *              and rank{a_i : w_i != 0, and the equations} = m: a recession
 *              direction v of the closure has a_i.v >= 0 (= 0 on equations),
 *              so a_i.v = 0 wherever w_i != 0, so v = 0: the closure of S
 *              (a polyhedron) is bounded.
 *   unbounded S  An earlier verified `dim S` point p and v != 0 with
 *              a_i.v >= 0 on every row (= 0 on equations): p + t v is in S for
 *              every t >= 0 (strict rows are > 0 at p).
 *   neighbor A F c  the code of y + e(y - p) for all small e > 0, p and y the
 *              points of the earlier verified dim claims of A and F, computed
 *              by an exact first-order forward pass: on a ray every
 *              pre-activation is v + e*v' for small e, relu(v + e v') is
 *              v + e v' (v > 0), 0 (v < 0), e*max(v', 0) (v = 0).
 *   answer cell  (the facet list is complete) P = closure of the cell, of
 *              dimension d, E its implicit equalities (the cell's `equal`).
 *              Every facet of P is P ∩ {r_i = 0} for some row i not in E. A
 *              verified `dim F d-1` on F = P ∩ {Z = 0} makes F a facet; the
 *              rows of its `equal` outside E are exactly the rows that vanish
 *              on F (each r_i >= 0 on P vanishing on a facet defines it). A
 *              row whose face P ∩ {r_i = 0} has dimension <= d-2 or is empty
 *              defines no facet. So when every row is in E, in one facet's
 *              rows or has such a face, no facet is missing, and facets with
 *              different rows are different.
 */
#include <stdio.h>
#include <gmp.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "polyverify/network.h"
#include "polyverify/rational.h"

/* ------------------------------------------------------------------------ */
/* Small utilities                                                           */

static const char *cert_path = "CERT";

/* A run that cannot go on (malformed input, out of memory) jumps back to
 * pvcheck's entry point, which frees everything and returns 2, rather than
 * calling exit(2): the same for the program, and it lets the checker run
 * many times in one process (fuzz/fuzz_pvcheck.c builds this file with
 * -DPVCHECK_LIBRARY). Every allocation is therefore owned by the state
 * below (C, net and layers, cert_text, tok_buf) from the moment it is
 * made. */
static jmp_buf bail_out;

static _Noreturn void bail(void)
{
    longjmp(bail_out, 1);
}

static void *xmalloc(size_t n);

/* Layer k's weights as a dense out x in matrix, from its stored rows. */
static mpq_t *dense_weights(const pv_net *nt, int k, int in, int out)
{
    mpq_t *w = xmalloc(((size_t)in * (size_t)out + 1) * sizeof *w);
    for (size_t e = 0; e < (size_t)in * (size_t)out; e++)
        mpq_init(w[e]);
    for (int i = 0; i < out; i++) {
        const int *cols;
        const mpq_t *v;
        int n = pv_net_layer_row(nt, k, i, &cols, &v);
        for (int c = 0; c < n; c++)
            mpq_set(w[(size_t)i * in + (size_t)(cols ? cols[c] : c)], v[c]);
    }
    return w;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "pvcheck: out of memory\n");
        bail();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    return strcpy(xmalloc(strlen(s) + 1), s);
}

/* Malformed certificate: says where and what was expected, exit 2. */
static _Noreturn void malformed(int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pvcheck: %s:%d: ", cert_path, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    bail();
}

static mpq_t *qvec(size_t n)
{
    mpq_t *v = xmalloc(n * sizeof(mpq_t));
    for (size_t i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

static void qvec_free(mpq_t *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}

/* Non-negative decimal integer (at most 9 digits), or -1. */
static long parse_index(const char *s)
{
    long v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Integer with optional '-' (claimed dimensions). */
static long parse_int(const char *s, int line, const char *what)
{
    long v = parse_index(s[0] == '-' ? s + 1 : s);
    if (v < 0)
        malformed(line, "expected an integer (%s), got '%s'", what, s);
    return s[0] == '-' ? -v : v;
}

static void parse_number(mpq_t q, const char *s, int line, const char *what)
{
    const char *why = "";
    if (pv_rational_parse(q, s, strlen(s), &why) != PV_OK)
        malformed(line, "bad number '%s' in %s: %s", s, what, why);
}

/* ------------------------------------------------------------------------ */
/* The network (read-only after loading)                                     */

/* What pvcheck reads of the parsed network (load_net): the shape and the
 * exact weights, dense (its own copy: the library may store them sparse)
 * and the biases pointing into the handle. Rows 0 .. nrelu-1 of a layer
 * are ReLU, the others linear. */
typedef struct layer {
    int nrelu;
    int in, out;
    mpq_t *w;        /* out x in, row-major */
    const mpq_t *b;  /* out                 */
} layer;

static pv_net *net;
static int nlayers;
static layer *layers;
static int M;   /* input dimension m   */
static int N;   /* ReLU neurons        */

/* ------------------------------------------------------------------------ */
/* The certificate                                                           */

enum { REF_NEURON, REF_LO, REF_HI, REF_DOMAIN };
typedef struct ref {
    int kind;
    long part, index;   /* K and J of K:nJ; I of lo:I / hi:I; K of d:K */
    char *text;
} ref;

typedef struct part {
    int closure;        /* 0: cell, 1: closure */
    char *bits;         /* the code, '|' removed */
    int line;
} part;

typedef struct set {
    char *name;
    int line;
    int nparts, nzero;
    part *parts;
    ref *zero;
} set;

enum { C_DIM, C_EMPTY, C_DIMLE, C_BOUNDED, C_UNBOUNDED, C_NEIGHBOR };

typedef struct claim {
    int kind, line;
    char *text;          /* the claim line, for messages */
    char *s1, *s2;       /* set names */
    long d;              /* claimed dimension */
    char *code;          /* neighbor: the claimed code ('|' removed) */
    mpq_t *point;        /* dim: m numbers; unbounded: the direction */
    int neq, nmult;
    ref *eq, *mult;
    mpq_t *y;            /* nmult multipliers */
    int verified;
    char *eqmap;         /* verified dim: eqmap[i] iff row i is in `equal` */
    int nrows;           /* the number of rows of its set (eqmap's length) */
} claim;

enum { A_NONE, A_CELL, A_ADJACENCY, A_ENUMERATION };
static const char *const answer_kinds[] = { "", "cell", "adjacency",
                                            "enumeration" };

static struct cert {
    int version;         /* 1: claims only; 2: claims proving an answer */
    int answer, answer_line;   /* A_*: what a version-2 certificate proves */
    char fingerprint[17];
    int fp_line, input, input_line, has_box;
    mpq_t *box;          /* lo_0 hi_0 lo_1 hi_1 ... */
    int ndomain;         /* `domain` rows: b + a.x >= 0, or = 0 (deq) */
    mpq_t **domain;      /* per row: b, a_0 ... a_{m-1} */
    char *deq;
    int nsets, nclaims;
    set *sets;
    claim *claims;
} C;

/* Tokens of one statement (comment stripped). */
#define MAXTOK_INIT 16
typedef struct stmt {
    int line, n;
    char **tok;
} stmt;

/* The certificate's text and next_stmt's token array (reused for every
 * statement); freed with the rest in free_all. */
static char *cert_text;
static char **tok_buf;
static int tok_cap;

/* Reads the next non-empty statement from *pos; 0 at end of text. The text
 * is modified in place (tokens are NUL-terminated). */
static int next_stmt(char **pos, int *lineno, stmt *st)
{
    char **buf = tok_buf;
    int cap = tok_cap;
    while (**pos != '\0') {
        char *line = *pos, *eol = strchr(line, '\n');
        if (eol != NULL) {
            *eol = '\0';
            *pos = eol + 1;
        } else {
            *pos = line + strlen(line);
        }
        (*lineno)++;
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        st->n = 0;
        st->line = *lineno;
        for (char *t = strtok(line, " \t\r\f\v"); t != NULL;
             t = strtok(NULL, " \t\r\f\v")) {
            if (st->n == cap) {
                cap = cap ? 2 * cap : MAXTOK_INIT;
                char **nb = realloc(buf, (size_t)cap * sizeof *buf);
                if (nb == NULL)
                    malformed(*lineno, "out of memory");
                buf = tok_buf = nb;
                tok_cap = cap;
            }
            buf[st->n++] = t;
        }
        st->tok = buf;
        if (st->n > 0)
            return 1;
    }
    return 0;
}

static char *join_tokens(const stmt *st)
{
    size_t len = 1;
    for (int i = 0; i < st->n; i++)
        len += strlen(st->tok[i]) + 1;
    char *s = xmalloc(len);
    s[0] = '\0';
    for (int i = 0; i < st->n; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, st->tok[i]);
    }
    return s;
}

/* Checked before anything is allocated, so a bad code leaks nothing. */
static char *parse_code(const char *s, int line)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '0' || *p == '1')
            n++;
        else if (*p != '|')
            malformed(line, "expected a code of 0/1 (and '|'), got '%s'", s);
    }
    if (n == 0)
        malformed(line, "expected a code of 0/1 (and '|'), got '%s'", s);
    char *bits = xmalloc(n + 1);
    n = 0;
    for (const char *p = s; *p; p++)
        if (*p == '0' || *p == '1')
            bits[n++] = *p;
    bits[n] = '\0';
    return bits;
}

/* n references with no text yet, so that free_all can free a partly
 * parsed list. */
static ref *refs_new(size_t n)
{
    ref *r = xmalloc(n * sizeof *r);
    memset(r, 0, n * sizeof *r);
    return r;
}

static void parse_ref(ref *r, const char *s, int line)
{
    r->text = xstrdup(s);
    if (strncmp(s, "lo:", 3) == 0 || strncmp(s, "hi:", 3) == 0) {
        r->kind = s[0] == 'l' ? REF_LO : REF_HI;
        r->part = 0;
        r->index = parse_index(s + 3);
        if (r->index >= 0)
            return;
    } else if (strncmp(s, "d:", 2) == 0) {
        r->kind = REF_DOMAIN;
        r->part = 0;
        r->index = parse_index(s + 2);
        if (r->index >= 0)
            return;
    } else {
        const char *colon = strchr(s, ':');
        if (colon != NULL && colon[1] == 'n' && colon - s < 10) {
            char k[16];
            memcpy(k, s, (size_t)(colon - s));
            k[colon - s] = '\0';
            r->kind = REF_NEURON;
            r->part = parse_index(k);
            r->index = parse_index(colon + 2);
            if (r->part >= 0 && r->index >= 0)
                return;
        }
    }
    malformed(line, "expected a row reference K:nJ, lo:I, hi:I or d:K, got '%s'", s);
}

static void parse_mult(claim *c, const stmt *st)
{
    c->nmult = st->n - 1;
    c->mult = refs_new((size_t)c->nmult);
    c->y = qvec((size_t)c->nmult);
    for (int i = 0; i < c->nmult; i++) {
        char *t = st->tok[i + 1], *eq = strchr(t, '=');
        if (eq == NULL)
            malformed(st->line, "expected REF=NUMBER in multipliers, got '%s'", t);
        *eq = '\0';
        parse_ref(&c->mult[i], t, st->line);
        parse_number(c->y[i], eq + 1, st->line, "multipliers");
    }
}

/* C.input numbers into *v, which owns them before they are parsed. */
static void parse_vector(mpq_t **v, const stmt *st, const char *what)
{
    if (st->n - 1 != C.input)
        malformed(st->line, "expected %d numbers after '%s', got %d", C.input,
                  what, st->n - 1);
    *v = qvec((size_t)C.input);
    for (int i = 0; i < C.input; i++)
        parse_number((*v)[i], st->tok[i + 1], st->line, what);
}

static void expect_args(const stmt *st, int n, const char *usage)
{
    if (st->n != n + 1)
        malformed(st->line, "expected '%s'", usage);
}

/* The body of a set, up to `end`. */
static void parse_set(char **pos, int *lineno, set *s)
{
    stmt st;
    while (next_stmt(pos, lineno, &st)) {
        const char *kw = st.tok[0];
        if (strcmp(kw, "end") == 0) {
            expect_args(&st, 0, "end");
            return;
        } else if (strcmp(kw, "cell") == 0 || strcmp(kw, "closure") == 0) {
            expect_args(&st, 1, "cell CODE' or 'closure CODE");
            char *bits = parse_code(st.tok[1], st.line);
            part *grown = realloc(s->parts,
                                  (size_t)(s->nparts + 1) * sizeof(part));
            if (grown == NULL) {
                free(bits);
                malformed(st.line, "out of memory");
            }
            s->parts = grown;
            part *p = &s->parts[s->nparts++];
            p->closure = kw[1] == 'l';
            p->bits = bits;
            p->line = st.line;
        } else if (strcmp(kw, "zero") == 0) {
            ref *grown = realloc(s->zero,
                                 (size_t)(s->nzero + st.n) * sizeof(ref));
            if (grown == NULL)
                malformed(st.line, "out of memory");
            memset(grown + s->nzero, 0, (size_t)st.n * sizeof(ref));
            s->zero = grown;
            for (int i = 1; i < st.n; i++)
                parse_ref(&s->zero[s->nzero++], st.tok[i], st.line);
        } else {
            malformed(st.line, "expected 'cell', 'closure', 'zero' or 'end' in "
                      "set %s, got '%s'", s->name, kw);
        }
    }
    malformed(*lineno, "unexpected end of file: set %s (line %d) has no 'end'",
              s->name, s->line);
}

/* The body of a claim, up to `end`: which lines are allowed depends on it. */
static void parse_claim_body(char **pos, int *lineno, claim *c)
{
    static const char *allowed[] = {
        [C_DIM] = "point equal multipliers", [C_EMPTY] = "multipliers",
        [C_DIMLE] = "multipliers", [C_BOUNDED] = "multipliers",
        [C_UNBOUNDED] = "direction",
    };
    int seen_eq = 0, seen_mult = 0;
    stmt st;
    while (next_stmt(pos, lineno, &st)) {
        const char *kw = st.tok[0];
        if (strcmp(kw, "end") == 0) {
            expect_args(&st, 0, "end");
            if (c->kind == C_DIM && c->point == NULL)
                malformed(c->line, "claim '%s' has no 'point' line", c->text);
            if (c->kind == C_UNBOUNDED && c->point == NULL)
                malformed(c->line, "claim '%s' has no 'direction' line", c->text);
            return;
        }
        const char *a = allowed[c->kind], *hit = strstr(a, kw);
        size_t n = strlen(kw);
        if (hit == NULL || (hit[n] != ' ' && hit[n] != '\0') ||
            (hit != a && hit[-1] != ' '))
            malformed(st.line, "expected one of '%s' or 'end' in claim '%s', "
                      "got '%s'", a, c->text, kw);
        if (strcmp(kw, "point") == 0 || strcmp(kw, "direction") == 0) {
            if (c->point != NULL)
                malformed(st.line, "a second '%s' line", kw);
            parse_vector(&c->point, &st, kw);
        } else if (strcmp(kw, "equal") == 0) {
            if (seen_eq++)
                malformed(st.line, "a second 'equal' line");
            c->neq = st.n - 1;
            c->eq = refs_new((size_t)c->neq);
            for (int i = 0; i < c->neq; i++)
                parse_ref(&c->eq[i], st.tok[i + 1], st.line);
        } else {
            if (seen_mult++)
                malformed(st.line, "a second 'multipliers' line");
            parse_mult(c, &st);
        }
    }
    malformed(*lineno, "unexpected end of file: claim '%s' (line %d) has no "
              "'end'", c->text, c->line);
}

/* `answer KIND` (version 2): the certificate proves a whole answer, not
 * only its claims; pvcheck then checks that the claims cover it. */
static void parse_answer_kind(const stmt *st)
{
    if (C.version != 2)
        malformed(st->line, "'answer' needs certificate format version 2 "
                  "('pvcert 2')");
    expect_args(st, 1, "answer cell|adjacency|enumeration");
    if (C.answer_line)
        malformed(st->line, "a second 'answer' line");
    for (int k = A_CELL; k <= A_ENUMERATION; k++)
        if (!strcmp(st->tok[1], answer_kinds[k]))
            C.answer = k;
    if (C.answer == A_NONE)
        malformed(st->line, "expected 'answer cell', 'answer adjacency' or "
                  "'answer enumeration', got 'answer %s'", st->tok[1]);
    C.answer_line = st->line;
}

/* "domain ge|eq B A_0 ... A_{m-1}": the row B + A.x >= 0 (= 0), the next
 * domain row d:K. */
static void parse_domain_row(const stmt *st)
{
    if (!C.input_line)
        malformed(st->line, "'domain' must follow 'input'");
    if (st->n - 2 != C.input + 1 || (strcmp(st->tok[1], "ge") && strcmp(st->tok[1], "eq")))
        malformed(st->line, "expected 'domain ge|eq B A_0 ... A_%d' (%d numbers)",
                  C.input - 1, C.input + 1);
    mpq_t **grown = realloc(C.domain, (size_t)(C.ndomain + 1) * sizeof *grown);
    char *eq = realloc(C.deq, (size_t)(C.ndomain + 1));
    if (grown != NULL)
        C.domain = grown;
    if (eq != NULL)
        C.deq = eq;
    if (grown == NULL || eq == NULL)
        malformed(st->line, "out of memory");
    C.domain[C.ndomain] = qvec((size_t)C.input + 1);
    C.deq[C.ndomain] = st->tok[1][0] == 'e';
    mpq_t *v = C.domain[C.ndomain++];
    for (int i = 0; i <= C.input; i++)
        parse_number(v[i], st->tok[i + 2], st->line, "domain");
}

static void parse_cert(char *text)
{
    char *pos = text;
    int lineno = 0;
    stmt st;
    if (!next_stmt(&pos, &lineno, &st))
        malformed(lineno > 0 ? lineno : 1, "empty certificate: expected 'pvcert 1' "
                  "or 'pvcert 2'");
    if (strcmp(st.tok[0], "pvcert") != 0 || st.n != 2)
        malformed(st.line, "expected 'pvcert 1' or 'pvcert 2' as the first "
                  "statement");
    if (strcmp(st.tok[1], "1") != 0 && strcmp(st.tok[1], "2") != 0)
        malformed(st.line, "certificate format version %s is not supported "
                  "(this checker reads versions 1 and 2)", st.tok[1]);
    C.version = st.tok[1][0] - '0';
    while (next_stmt(&pos, &lineno, &st)) {
        const char *kw = st.tok[0];
        int header = !strcmp(kw, "fingerprint") || !strcmp(kw, "input") ||
                     !strcmp(kw, "box") || !strcmp(kw, "domain") ||
                     !strcmp(kw, "answer");
        if (header && (C.nsets || C.nclaims))
            malformed(st.line, "'%s' must come before every set and claim", kw);
        if (!strcmp(kw, "answer")) {
            parse_answer_kind(&st);
        } else if (!strcmp(kw, "fingerprint")) {
            expect_args(&st, 1, "fingerprint HEX16");
            if (C.fp_line)
                malformed(st.line, "a second 'fingerprint' line");
            const char *h = st.tok[1];
            if (strlen(h) != 16 || strspn(h, "0123456789abcdefABCDEF") != 16)
                malformed(st.line, "expected 16 hex digits after 'fingerprint', "
                          "got '%s'", h);
            for (int i = 0; i < 17; i++)
                C.fingerprint[i] = (h[i] >= 'A' && h[i] <= 'F')
                                       ? (char)(h[i] - 'A' + 'a') : h[i];
            C.fp_line = st.line;
        } else if (!strcmp(kw, "input")) {
            expect_args(&st, 1, "input M");
            if (C.input_line)
                malformed(st.line, "a second 'input' line");
            long m = parse_index(st.tok[1]);
            if (m < 1)
                malformed(st.line, "expected a positive input dimension, got '%s'",
                          st.tok[1]);
            C.input = (int)m;
            C.input_line = st.line;
        } else if (!strcmp(kw, "box")) {
            if (!C.input_line)
                malformed(st.line, "'box' must follow 'input'");
            if (C.has_box)
                malformed(st.line, "a second 'box' line");
            if (st.n - 1 != 2 * C.input)
                malformed(st.line, "expected %d numbers after 'box' (lo hi for "
                          "each of %d coordinates), got %d", 2 * C.input,
                          C.input, st.n - 1);
            C.box = qvec((size_t)(2 * C.input));
            for (int i = 0; i < 2 * C.input; i++)
                parse_number(C.box[i], st.tok[i + 1], st.line, "box");
            C.has_box = 1;
        } else if (!strcmp(kw, "domain")) {
            parse_domain_row(&st);
        } else if (!strcmp(kw, "set")) {
            if (!C.fp_line || !C.input_line)
                malformed(st.line, "'fingerprint' and 'input' must come before "
                          "the first set");
            expect_args(&st, 1, "set NAME");
            for (int i = 0; i < C.nsets; i++)
                if (!strcmp(C.sets[i].name, st.tok[1]))
                    malformed(st.line, "set %s is already defined (line %d)",
                              st.tok[1], C.sets[i].line);
            set *grown = realloc(C.sets, (size_t)(C.nsets + 1) * sizeof(set));
            if (grown == NULL)
                malformed(st.line, "out of memory");
            C.sets = grown;
            set *s = &C.sets[C.nsets++];
            memset(s, 0, sizeof *s);
            s->name = xstrdup(st.tok[1]);
            s->line = st.line;
            parse_set(&pos, &lineno, s);
        } else {
            static const char *kinds[] = { "dim", "empty", "dimle", "bounded",
                                           "unbounded", "neighbor" };
            static const int nargs[] = { 2, 1, 2, 1, 1, 3 };
            static const char *usage[] = {
                "dim SET D", "empty SET", "dimle SET D", "bounded SET",
                "unbounded SET", "neighbor SET SET CODE" };
            int k = 0;
            while (k < 6 && strcmp(kw, kinds[k]))
                k++;
            if (k == 6)
                malformed(st.line, "unknown statement '%s' (expected set, dim, "
                          "empty, dimle, bounded, unbounded or neighbor)", kw);
            if (!C.fp_line || !C.input_line)
                malformed(st.line, "'fingerprint' and 'input' must come before "
                          "the first claim");
            expect_args(&st, nargs[k], usage[k]);
            claim *grown = realloc(C.claims,
                                   (size_t)(C.nclaims + 1) * sizeof(claim));
            if (grown == NULL)
                malformed(st.line, "out of memory");
            C.claims = grown;
            claim *c = &C.claims[C.nclaims++];
            memset(c, 0, sizeof *c);
            c->kind = k;
            c->line = st.line;
            c->text = join_tokens(&st);
            c->s1 = xstrdup(st.tok[1]);
            if (k == C_DIM || k == C_DIMLE)
                c->d = parse_int(st.tok[2], st.line, "the claimed dimension");
            if (k == C_NEIGHBOR) {
                c->s2 = xstrdup(st.tok[2]);
                c->code = parse_code(st.tok[3], st.line);
            } else {
                parse_claim_body(&pos, &lineno, c);
            }
        }
    }
    if (!C.fp_line || !C.input_line)
        malformed(lineno, "unexpected end of file: the certificate has no "
                  "'fingerprint' or no 'input' line");
    if (C.version == 2 && !C.answer_line)
        malformed(lineno, "a version-2 certificate needs an 'answer cell', "
                  "'answer adjacency' or 'answer enumeration' line");
}

/* ------------------------------------------------------------------------ */
/* Fingerprint: FNV-1a 64 of the canonical network text                      */

static uint64_t fnv;

static void fnv_str(const char *s)
{
    for (; *s; s++) {
        fnv ^= (unsigned char)*s;
        fnv *= 0x100000001b3ULL;
    }
}

static void fnv_q(const mpq_t q)
{
    /* mpq_get_str writes "p" or "p/q" of the canonical value. */
    mpq_t c;
    mpq_init(c);
    mpq_set(c, q);
    mpq_canonicalize(c);
    char *s = xmalloc(mpz_sizeinbase(mpq_numref(c), 10) +
                      mpz_sizeinbase(mpq_denref(c), 10) + 3);
    mpq_get_str(s, 10, c);
    fnv_str(" ");
    fnv_str(s);
    free(s);
    mpq_clear(c);
}

static void fingerprint(char out[17])
{
    char buf[64];
    fnv = 0xcbf29ce484222325ULL;
    snprintf(buf, sizeof buf, "pvnet %d %d", M, nlayers);
    fnv_str(buf);
    for (int k = 0; k < nlayers; k++) {
        const layer *L = &layers[k];
        if (L->nrelu > 0 && L->nrelu < L->out)
            snprintf(buf, sizeof buf, " mixed %d %d", L->nrelu, L->out);
        else
            snprintf(buf, sizeof buf, " %s %d", L->nrelu ? "relu" : "linear",
                     L->out);
        fnv_str(buf);
        for (size_t i = 0; i < (size_t)L->out * (size_t)L->in; i++)
            fnv_q(L->w[i]);
        for (int i = 0; i < L->out; i++)
            fnv_q(L->b[i]);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)fnv);
}

/* ------------------------------------------------------------------------ */
/* Rows of a set                                                             */

typedef struct row {
    mpq_t *a;        /* M coefficients */
    mpq_t c;         /* constant       */
    int strict, zero;
} row;

typedef struct rows {
    int n, nparts;
    row *r;
} rows;

static char why[1024];   /* the reason of the current failure */

static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gmp_vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return 0;
}

/* The pre-activations z_j = A_j.x + c_j of every ReLU neuron on the cell of
 * `bits`, written as sigma_j z_j into out[0..N): the layer recursion. `act`
 * (din x M) and `ac` hold the current activations as affine maps of x. */
static void cell_rows(const char *bits, row *out)
{
    int din = M, j = 0;
    mpq_t *act = qvec((size_t)M * M), *ac = qvec((size_t)M), t;
    mpq_init(t);
    for (int i = 0; i < M; i++)
        mpq_set_ui(act[(size_t)i * M + i], 1, 1);
    for (int k = 0; k < nlayers; k++) {
        const layer *L = &layers[k];
        mpq_t *z = qvec((size_t)L->out * M), *zc = qvec((size_t)L->out);
        for (int i = 0; i < L->out; i++) {
            for (int s = 0; s < din; s++) {
                const mpq_t *w = &L->w[(size_t)i * din + s];
                if (mpq_sgn(*w) == 0)
                    continue;
                for (int x = 0; x < M; x++) {
                    if (mpq_sgn(act[(size_t)s * M + x]) == 0)
                        continue;    /* the identity of layer 1, off neurons */
                    mpq_mul(t, *w, act[(size_t)s * M + x]);
                    mpq_add(z[(size_t)i * M + x], z[(size_t)i * M + x], t);
                }
                mpq_mul(t, *w, ac[s]);
                mpq_add(zc[i], zc[i], t);
            }
            mpq_add(zc[i], zc[i], L->b[i]);
            if (i >= L->nrelu)
                continue;
            int on = bits[j] == '1';
            for (int x = 0; x < M; x++) {
                if (on)
                    mpq_set(out[j].a[x], z[(size_t)i * M + x]);
                else
                    mpq_neg(out[j].a[x], z[(size_t)i * M + x]);
                if (!on)   /* the activation of an off neuron is 0 */
                    mpq_set_ui(z[(size_t)i * M + x], 0, 1);
            }
            if (on) {
                mpq_set(out[j].c, zc[i]);
            } else {
                mpq_neg(out[j].c, zc[i]);
                mpq_set_ui(zc[i], 0, 1);
            }
            j++;
        }
        qvec_free(act, (size_t)din * M);
        qvec_free(ac, (size_t)din);
        act = z;
        ac = zc;
        din = L->out;
    }
    qvec_free(act, (size_t)din * M);
    qvec_free(ac, (size_t)din);
    mpq_clear(t);
}

/* The neuron rows of the last code cell_rows computed: the claims of one
 * cell's certificate name the same code hundreds of times (a face per
 * row), and at m = 784 one recursion costs seconds. */
static struct {
    char *bits;
    row *r;                  /* N rows */
} last_code;

static void code_rows(const char *bits, row *out)
{
    if (last_code.bits == NULL || strcmp(last_code.bits, bits) != 0) {
        if (last_code.r == NULL) {
            last_code.r = xmalloc(((size_t)N + 1) * sizeof(row));
            for (int j = 0; j < N; j++) {
                last_code.r[j].a = qvec((size_t)M);
                mpq_init(last_code.r[j].c);
            }
        }
        free(last_code.bits);
        last_code.bits = NULL;
        cell_rows(bits, last_code.r);
        last_code.bits = xmalloc(strlen(bits) + 1);
        strcpy(last_code.bits, bits);
    }
    for (int j = 0; j < N; j++) {
        for (int x = 0; x < M; x++)
            mpq_set(out[j].a[x], last_code.r[j].a[x]);
        mpq_set(out[j].c, last_code.r[j].c);
    }
}

/* The rows of a set with nparts parts: each part's neurons, the box rows,
 * then the domain rows. */
static int box_rows(void)
{
    return C.has_box ? 2 * M : 0;
}

/* Index of a row reference in the rows of a set with nparts parts, or -1. */
static int ref_index(const ref *r, int nparts)
{
    if (r->kind == REF_NEURON)
        return r->part < nparts && r->index < N
                   ? (int)(r->part * N + r->index) : -1;
    if (r->kind == REF_DOMAIN)
        return r->index < C.ndomain ? nparts * N + box_rows() + (int)r->index : -1;
    if (!C.has_box || r->index >= M)
        return -1;
    return nparts * N + 2 * (int)r->index + (r->kind == REF_HI);
}

static void row_name(char *buf, size_t n, int i, int nparts)
{
    if (i < nparts * N)
        snprintf(buf, n, "%d:n%d", i / N, i % N);
    else if (i >= nparts * N + box_rows())
        snprintf(buf, n, "d:%d", i - nparts * N - box_rows());
    else
        snprintf(buf, n, "%s:%d", (i - nparts * N) % 2 ? "hi" : "lo",
                 (i - nparts * N) / 2);
}

static void rows_free(rows *R)
{
    for (int i = 0; i < R->n; i++) {
        qvec_free(R->r[i].a, (size_t)M);
        mpq_clear(R->r[i].c);
    }
    free(R->r);
    R->r = NULL;
    R->n = 0;
}

static int build_rows(const set *s, rows *R)
{
    R->nparts = s->nparts;
    R->n = s->nparts * N + box_rows() + C.ndomain;
    R->r = xmalloc((size_t)R->n * sizeof(row));
    for (int i = 0; i < R->n; i++) {
        R->r[i].a = qvec((size_t)M);
        mpq_init(R->r[i].c);
        R->r[i].strict = R->r[i].zero = 0;
    }
    for (int k = 0; k < s->nparts; k++) {
        const part *p = &s->parts[k];
        if ((int)strlen(p->bits) != N)
            return fail("set %s: the code at line %d has %d bits, the network "
                        "has %d ReLU neurons", s->name, p->line,
                        (int)strlen(p->bits), N);
        code_rows(p->bits, &R->r[k * N]);
        for (int j = 0; j < N; j++)
            R->r[k * N + j].strict = !p->closure && p->bits[j] == '1';
    }
    for (int i = 0; C.has_box && i < M; i++) {
        row *lo = &R->r[s->nparts * N + 2 * i], *hi = lo + 1;
        mpq_set_ui(lo->a[i], 1, 1);          /* x_i - lo_i >= 0 */
        mpq_neg(lo->c, C.box[2 * i]);
        mpq_set_si(hi->a[i], -1, 1);         /* hi_i - x_i >= 0 */
        mpq_set(hi->c, C.box[2 * i + 1]);
    }
    for (int k = 0; k < C.ndomain; k++) {      /* b + a.x >= 0, or = 0 */
        row *d = &R->r[s->nparts * N + box_rows() + k];
        mpq_set(d->c, C.domain[k][0]);
        for (int x = 0; x < M; x++)
            mpq_set(d->a[x], C.domain[k][x + 1]);
        d->zero = C.deq[k];
    }
    for (int i = 0; i < s->nzero; i++) {
        int x = ref_index(&s->zero[i], s->nparts);
        if (x < 0)
            return fail("set %s: 'zero' names row %s, which the set does not "
                        "have", s->name, s->zero[i].text);
        R->r[x].zero = 1;
    }
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Exact linear algebra                                                      */

static void row_value(mpq_t v, const row *r, mpq_t *const x)
{
    mpq_t t;
    mpq_init(t);
    mpq_set(v, r->c);
    for (int i = 0; i < M; i++) {
        mpq_mul(t, r->a[i], x[i]);
        mpq_add(v, v, t);
    }
    mpq_clear(t);
}

/* Rank of the linear parts of the rows R->r[i] with pick[i] != 0. */
static int rank_of(const rows *R, const char *pick)
{
    int n = 0, rank = 0;
    for (int i = 0; i < R->n; i++)
        n += pick[i] != 0;
    mpq_t *A = qvec((size_t)n * M), f, t;
    mpq_inits(f, t, NULL);
    for (int i = 0, k = 0; i < R->n; i++)
        if (pick[i]) {
            for (int x = 0; x < M; x++)
                mpq_set(A[(size_t)k * M + x], R->r[i].a[x]);
            k++;
        }
    for (int col = 0; col < M && rank < n; col++) {
        int p = rank;
        while (p < n && mpq_sgn(A[(size_t)p * M + col]) == 0)
            p++;
        if (p == n)
            continue;
        for (int x = 0; x < M; x++)
            mpq_swap(A[(size_t)p * M + x], A[(size_t)rank * M + x]);
        for (int i = rank + 1; i < n; i++) {
            if (mpq_sgn(A[(size_t)i * M + col]) == 0)
                continue;
            mpq_div(f, A[(size_t)i * M + col], A[(size_t)rank * M + col]);
            for (int x = col; x < M; x++) {
                mpq_mul(t, f, A[(size_t)rank * M + x]);
                mpq_sub(A[(size_t)i * M + x], A[(size_t)i * M + x], t);
            }
        }
        rank++;
    }
    mpq_clears(f, t, NULL);
    qvec_free(A, (size_t)n * M);
    return rank;
}

/* Resolves a claim's multipliers into y[0..R->n) (has[i] set where named).
 * Checks every row exists and is named once. */
static int gather(const claim *c, const rows *R, mpq_t *y, char *has)
{
    for (int k = 0; k < c->nmult; k++) {
        int i = ref_index(&c->mult[k], R->nparts);
        if (i < 0)
            return fail("multiplier on row %s, which the set does not have",
                        c->mult[k].text);
        if (has[i])
            return fail("row %s has two multipliers", c->mult[k].text);
        has[i] = 1;
        mpq_set(y[i], c->y[k]);
    }
    return 1;
}

/* Sign rules: y >= 0 on every inequality row (> 0 when `positive`), any
 * sign on equations (`zero` rows). */
static int check_signs(const rows *R, mpq_t *y, const char *has, int positive)
{
    char name[48];
    for (int i = 0; i < R->n; i++) {
        if (!has[i] || R->r[i].zero)
            continue;
        int s = mpq_sgn(y[i]);
        if (s < 0 || (positive && s == 0)) {
            row_name(name, sizeof name, i, R->nparts);
            return fail("the multiplier of inequality row %s is %Qd, it must be "
                        "%s", name, y[i], positive ? "> 0" : ">= 0");
        }
    }
    return 1;
}

/* sum y_i (a_i, c_i) over the named rows; 1 iff the linear part is 0 (and
 * the constant too when `with_const`); the constant goes to *cst. */
static int check_sum(const rows *R, mpq_t *y, const char *has, int with_const,
                     mpq_t cst)
{
    mpq_t *s = qvec((size_t)M), t;
    mpq_init(t);
    mpq_set_ui(cst, 0, 1);
    for (int i = 0; i < R->n; i++) {
        if (!has[i])
            continue;
        for (int x = 0; x < M; x++) {
            mpq_mul(t, y[i], R->r[i].a[x]);
            mpq_add(s[x], s[x], t);
        }
        mpq_mul(t, y[i], R->r[i].c);
        mpq_add(cst, cst, t);
    }
    int ok = 1;
    for (int x = 0; x < M && ok; x++)
        if (mpq_sgn(s[x]) != 0)
            ok = fail("sum y_i row_i is not %s: its coefficient of x_%d is %Qd",
                      with_const ? "identically 0" : "constant", x, s[x]);
    if (ok && with_const && mpq_sgn(cst) != 0)
        ok = fail("sum y_i row_i is not identically 0: its constant is %Qd", cst);
    mpq_clear(t);
    qvec_free(s, (size_t)M);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* Claims                                                                    */

static int check_dim(claim *c, const rows *R, mpq_t *y, char *has)
{
    char *inE = calloc((size_t)R->n + 1, 1), name[48];
    mpq_t v;
    mpq_init(v);
    int ok = inE != NULL;
    for (int k = 0; ok && k < c->neq; k++) {
        int i = ref_index(&c->eq[k], R->nparts);
        if (i < 0)
            ok = fail("'equal' names row %s, which the set does not have",
                      c->eq[k].text);
        else if (inE[i])
            ok = fail("'equal' names row %s twice", c->eq[k].text);
        else if (R->r[i].strict)
            ok = fail("row %s is strict (> 0), it cannot vanish at the point",
                      c->eq[k].text);
        else
            inE[i] = 1;
    }
    for (int i = 0; ok && i < R->n; i++) {
        row_name(name, sizeof name, i, R->nparts);
        if (R->r[i].zero && !inE[i]) {
            ok = fail("row %s is an equation of the set ('zero') but not in "
                      "'equal'", name);
            break;
        }
        row_value(v, &R->r[i], c->point);
        if (inE[i] && mpq_sgn(v) != 0)
            ok = fail("row %s is in 'equal' but is %Qd at the point", name, v);
        else if (!inE[i] && mpq_sgn(v) <= 0)
            ok = fail("row %s is %Qd at the point, it must be > 0 (it is not in "
                      "'equal')", name, v);
    }
    ok = ok && gather(c, R, y, has);
    for (int i = 0; ok && i < R->n; i++) {
        row_name(name, sizeof name, i, R->nparts);
        if (has[i] && !inE[i])
            ok = fail("multiplier on row %s, which is not in 'equal'", name);
        else if (inE[i] && !R->r[i].zero && !has[i])
            ok = fail("row %s of 'equal' has no multiplier (it needs one > 0)",
                      name);
    }
    ok = ok && check_signs(R, y, has, 1) && check_sum(R, y, has, 1, v);
    if (ok) {
        int d = M - rank_of(R, inE);
        if (d != c->d)
            ok = fail("m - rank(equal) = %d - %d = %d, the claim says %ld", M,
                      M - d, d, c->d);
    }
    mpq_clear(v);
    if (ok) {            /* kept: what the certificate proves uses it */
        c->eqmap = inE;
        c->nrows = R->n;
    } else {
        free(inE);
    }
    return ok;
}

static int check_empty(const claim *c, const rows *R, mpq_t *y, char *has)
{
    mpq_t cst;
    mpq_init(cst);
    int ok = gather(c, R, y, has) && check_signs(R, y, has, 0) &&
             check_sum(R, y, has, 0, cst);
    if (ok && mpq_sgn(cst) > 0)
        ok = fail("sum y_i row_i is the constant %Qd > 0: no contradiction", cst);
    if (ok && mpq_sgn(cst) == 0) {
        int strict = 0;
        for (int i = 0; i < R->n; i++)
            strict |= has[i] && R->r[i].strict && mpq_sgn(y[i]) > 0;
        if (!strict)
            ok = fail("sum y_i row_i is 0 and no strict row has a multiplier "
                      "> 0: no contradiction");
    }
    mpq_clear(cst);
    return ok;
}

/* dimle and bounded: the rows proven to vanish (dimle) or to be orthogonal
 * to every recession direction (bounded) are those with y != 0 and the
 * equations of the set. */
static int proven_rank(const rows *R, mpq_t *y, const char *has)
{
    char *pick = xmalloc((size_t)R->n);
    for (int i = 0; i < R->n; i++)
        pick[i] = R->r[i].zero || (has[i] && mpq_sgn(y[i]) != 0);
    int r = rank_of(R, pick);
    free(pick);
    return r;
}

static int check_dimle(const claim *c, const rows *R, mpq_t *y, char *has)
{
    mpq_t cst;
    mpq_init(cst);
    int ok = gather(c, R, y, has) && check_signs(R, y, has, 0) &&
             check_sum(R, y, has, 1, cst);
    mpq_clear(cst);
    if (ok) {
        int r = proven_rank(R, y, has);
        if (M - r > c->d)
            ok = fail("m - rank(rows with y != 0 and equations) = %d - %d = %d "
                      "> %ld", M, r, M - r, c->d);
    }
    return ok;
}

static int check_bounded(const claim *c, const rows *R, mpq_t *y, char *has)
{
    mpq_t cst;
    mpq_init(cst);
    int ok = gather(c, R, y, has) && check_signs(R, y, has, 0) &&
             check_sum(R, y, has, 0, cst);
    mpq_clear(cst);
    if (ok) {
        int r = proven_rank(R, y, has);
        if (r != M)
            ok = fail("rank{a_i : w_i != 0, and equations} = %d, not m = %d", r,
                      M);
    }
    return ok;
}

/* The most recent verified dim claim on set `name` before claim index k. */
static const claim *point_of(int k, const char *name)
{
    for (int i = k - 1; i >= 0; i--) {
        const claim *d = &C.claims[i];
        if (d->kind == C_DIM && !strcmp(d->s1, name)) {
            if (d->verified)
                return d;
            fail("set %s needs a point, and the dim claim at line %d failed",
                 name, d->line);
            return NULL;
        }
    }
    fail("set %s has no dim claim (with its point) before this line", name);
    return NULL;
}

static int check_unbounded(int k, const claim *c, const rows *R)
{
    if (point_of(k, c->s1) == NULL)
        return 0;
    int nonzero = 0, ok = 1;
    for (int x = 0; x < M; x++)
        nonzero |= mpq_sgn(c->point[x]) != 0;
    if (!nonzero)
        return fail("the direction is 0");
    mpq_t v, t;
    mpq_inits(v, t, NULL);
    char name[48];
    for (int i = 0; ok && i < R->n; i++) {
        mpq_set_ui(v, 0, 1);
        for (int x = 0; x < M; x++) {
            mpq_mul(t, R->r[i].a[x], c->point[x]);
            mpq_add(v, v, t);
        }
        row_name(name, sizeof name, i, R->nparts);
        if (mpq_sgn(v) < 0 || (R->r[i].zero && mpq_sgn(v) != 0))
            ok = fail("a.d = %Qd on row %s, it must be %s", v, name,
                      R->r[i].zero ? "0 (an equation)" : ">= 0");
    }
    mpq_clears(v, t, NULL);
    return ok;
}

/* Code of y + e(y - p) for small e > 0: pairs (value, derivative). */
static void ray_code(mpq_t *const y, mpq_t *const p, char *bits)
{
    int din = M, j = 0;
    mpq_t *v = qvec((size_t)M), *dv = qvec((size_t)M), t;
    mpq_init(t);
    for (int i = 0; i < M; i++) {
        mpq_set(v[i], y[i]);
        mpq_sub(dv[i], y[i], p[i]);
    }
    for (int k = 0; k < nlayers; k++) {
        const layer *L = &layers[k];
        mpq_t *z = qvec((size_t)L->out), *dz = qvec((size_t)L->out);
        for (int i = 0; i < L->out; i++) {
            for (int s = 0; s < din; s++) {
                mpq_mul(t, L->w[(size_t)i * din + s], v[s]);
                mpq_add(z[i], z[i], t);
                mpq_mul(t, L->w[(size_t)i * din + s], dv[s]);
                mpq_add(dz[i], dz[i], t);
            }
            mpq_add(z[i], z[i], L->b[i]);
            if (i >= L->nrelu)
                continue;
            int sv = mpq_sgn(z[i]), sd = mpq_sgn(dz[i]);
            bits[j++] = sv > 0 || (sv == 0 && sd > 0) ? '1' : '0';
            if (sv < 0 || (sv == 0 && sd <= 0)) {
                mpq_set_ui(z[i], 0, 1);
                mpq_set_ui(dz[i], 0, 1);
            }   /* sv == 0, sd > 0: (0, dz) is already (0, max(0, dz)) */
        }
        qvec_free(v, (size_t)din);
        qvec_free(dv, (size_t)din);
        v = z;
        dv = dz;
        din = L->out;
    }
    bits[j] = '\0';
    qvec_free(v, (size_t)din);
    qvec_free(dv, (size_t)din);
    mpq_clear(t);
}

static int check_neighbor(int k, const claim *c)
{
    const claim *a = point_of(k, c->s1), *f = a ? point_of(k, c->s2) : NULL;
    if (f == NULL)
        return 0;
    if ((int)strlen(c->code) != N)
        return fail("the code has %d bits, the network has %d ReLU neurons",
                    (int)strlen(c->code), N);
    char *bits = xmalloc((size_t)N + 1);
    ray_code(f->point, a->point, bits);
    int ok = !strcmp(bits, c->code) ||
             fail("the code of y + e(y - p) (p: line %d, y: line %d) is %s, "
                  "not %s", a->line, f->line, bits, c->code);
    free(bits);
    return ok;
}

static const set *find_set(const char *name, int before)
{
    for (int i = 0; i < C.nsets; i++)
        if (!strcmp(C.sets[i].name, name) && C.sets[i].line < before)
            return &C.sets[i];
    fail("set %s is not defined before this line", name);
    return NULL;
}

static int check_claim(int k)
{
    claim *c = &C.claims[k];
    if (c->kind == C_NEIGHBOR)
        return check_neighbor(k, c);
    const set *s = find_set(c->s1, c->line);
    if (s == NULL)
        return 0;
    rows R = { 0, 0, NULL };
    int ok = build_rows(s, &R);
    mpq_t *y = qvec((size_t)R.n);
    char *has = calloc((size_t)R.n + 1, 1);
    if (has == NULL)
        ok = fail("out of memory");
    if (ok) {
        switch (c->kind) {
        case C_DIM:       ok = check_dim(c, &R, y, has); break;
        case C_EMPTY:     ok = check_empty(c, &R, y, has); break;
        case C_DIMLE:     ok = check_dimle(c, &R, y, has); break;
        case C_BOUNDED:   ok = check_bounded(c, &R, y, has); break;
        default:          ok = check_unbounded(k, c, &R); break;
        }
    }
    free(has);
    qvec_free(y, (size_t)R.n);
    rows_free(&R);
    return ok;
}

/* ------------------------------------------------------------------------ */
/* What a version-2 certificate proves: its claims must cover the answer     */
/*                                                                           */
/* Verified claims prove facts; an answer is more than a bag of facts (a     */
/* facet list is complete, every row of the cell is a facet, an implicit     */
/* equality or the wall of a lower-dimensional face). These checks run once  */
/* every claim is verified, and read only verified claims.                   */

typedef struct facet_proof {
    int set;             /* index in C.sets */
    const claim *dim;    /* its dim claim, d - 1 */
    char *rows;          /* the cell's rows that define it: its `equal`
                            minus the cell's implicit equalities */
    const claim *nb;     /* its neighbor claim; NULL for a box facet */
} facet_proof;

static struct proof {
    const claim **dimc;  /* per set: its one dim, empty or dimle claim */
    int *pair_a, *pair_b;/* enumeration, per set: -1 for a cell, else the
                            sets of the two cells of the edge */
    int *count;          /* cell: how many times each row is accounted for
                            (an int: 256 copies of a claim must not wrap) */
    int nfacets;
    facet_proof *facets;
    const claim *bound;  /* cell: its bounded or unbounded claim */
} P;

static void proof_free(void)
{
    for (int f = 0; f < P.nfacets; f++)
        free(P.facets[f].rows);
    free(P.facets);
    free(P.dimc);
    free(P.pair_a);
    free(P.pair_b);
    free(P.count);
    memset(&P, 0, sizeof P);
}

static int set_index(const char *name)
{
    for (int i = 0; i < C.nsets; i++)
        if (!strcmp(C.sets[i].name, name))
            return i;
    return -1;
}

static long claimed_dim(const claim *c)
{
    return c->kind == C_EMPTY ? -1 : c->d;
}

/* The one claim of set i on its dimension (dim, empty or dimle). An answer
 * states each set's dimension once; a second claim is not part of it. */
static const claim *dim_claim_of(int i)
{
    const claim *found = NULL;
    for (int k = 0; k < C.nclaims; k++) {
        const claim *c = &C.claims[k];
        if (c->kind > C_DIMLE || strcmp(c->s1, C.sets[i].name))
            continue;
        if (found) {
            fail("set %s has two dimension claims (lines %d and %d)",
                 C.sets[i].name, found->line, c->line);
            return NULL;
        }
        found = c;
    }
    if (found == NULL)
        fail("set %s (line %d) has no dim, empty or dimle claim",
             C.sets[i].name, C.sets[i].line);
    return found;
}

/* One part, `cell` (closure = 0) or `closure` (1), and no `zero` rows. */
static int is_plain(const set *s, int closure)
{
    return s->nparts == 1 && s->parts[0].closure == closure && s->nzero == 0;
}

/* A decided dimension: dim or empty (dimle bounds it only). */
static int decided(const claim *c, const char *what)
{
    return c->kind != C_DIMLE ||
           fail("the dimension of %s is only bounded (dimle, line %d), not "
                "decided", what, c->line);
}

/* --- cell ----------------------------------------------------------------- */

/* Set s: a face of the cell A (one `closure` part of A's code, `zero`
 * rows). Its claim makes it a facet (dim d - 1), or accounts for its one
 * zero row (dim <= d - 2 or empty). */
static int cover_face(int s, const claim *a)
{
    const set *A = &C.sets[0], *F = &C.sets[s];
    const claim *c = P.dimc[s];
    long k = claimed_dim(c);
    if (F->nparts != 1 || !F->parts[0].closure || F->nzero == 0 ||
        strcmp(F->parts[0].bits, A->parts[0].bits))
        return fail("set %s (line %d) is not a face of the cell %s: one "
                    "'closure %s' part and 'zero' rows", F->name, F->line,
                    A->name, A->parts[0].bits);
    if (c->kind == C_DIM && k == a->d - 1) {
        facet_proof *f = &P.facets[P.nfacets];
        f->set = s;
        f->dim = c;
        f->rows = xmalloc((size_t)a->nrows);
        P.nfacets++;
        int any = 0;
        for (int i = 0; i < a->nrows; i++) {
            f->rows[i] = c->eqmap[i] && !a->eqmap[i];
            P.count[i] += f->rows[i];
            any |= f->rows[i];
        }
        for (int g = 0; g < P.nfacets - 1; g++)
            if (!memcmp(P.facets[g].rows, f->rows, (size_t)a->nrows))
                return fail("sets %s and %s are the same facet (the same rows "
                            "vanish on them)", C.sets[P.facets[g].set].name,
                            F->name);
        return any || fail("facet %s: no row vanishes on it but the cell's "
                           "implicit equalities", F->name);
    }
    if (c->kind != C_EMPTY && k > a->d - 2)   /* empty: never a facet */
        return fail("set %s: %s %ld is neither d - 1 = %ld (a facet) nor <= "
                    "d - 2 = %ld (a lower-dimensional face)", F->name,
                    c->kind == C_DIMLE ? "dimle" : "dim", k, a->d - 1,
                    a->d - 2);
    if (F->nzero != 1)
        return fail("set %s: a face of dimension <= d - 2 accounts for a row "
                    "only with one 'zero' row, it has %d", F->name, F->nzero);
    P.count[ref_index(&F->zero[0], 1)]++;
    return 1;
}

/* The neighbor claims (one per facet off the box) and the boundedness
 * claim (one) of a realised cell. */
static int cover_cell_claims(void)
{
    const set *A = &C.sets[0];
    for (int k = 0; k < C.nclaims; k++) {
        const claim *c = &C.claims[k];
        if (c->kind <= C_DIMLE)
            continue;
        if (strcmp(c->s1, A->name))
            return fail("the claim at line %d is on %s, not on the cell %s",
                        c->line, c->s1, A->name);
        if (c->kind != C_NEIGHBOR) {
            if (P.bound)
                return fail("two boundedness claims (lines %d and %d)",
                            P.bound->line, c->line);
            P.bound = c;
            continue;
        }
        int s = set_index(c->s2), f = 0;
        while (f < P.nfacets && P.facets[f].set != s)
            f++;
        if (f == P.nfacets)
            return fail("neighbor at line %d: %s is not a facet of %s",
                        c->line, c->s2, A->name);
        if (P.facets[f].nb)
            return fail("facet %s has two neighbor claims (lines %d and %d)",
                        c->s2, P.facets[f].nb->line, c->line);
        P.facets[f].nb = c;
    }
    if (P.bound == NULL)
        return fail("no 'bounded' or 'unbounded' claim on the cell %s", A->name);
    for (int f = 0; f < P.nfacets; f++) {
        int on_box = 0;
        for (int i = N; i < P.facets[f].dim->nrows; i++)
            on_box |= P.facets[f].rows[i];
        const char *name = C.sets[P.facets[f].set].name;
        if (on_box && P.facets[f].nb)
            return fail("facet %s lies on the domain (a box side or a domain "
                        "row), nothing lies beyond it, yet it has a neighbor "
                        "claim (line %d)", name,
                        P.facets[f].nb->line);
        if (!on_box && !P.facets[f].nb)
            return fail("facet %s has no neighbor claim", name);
    }
    return 1;
}

/* Every row of the cell accounted for exactly once: an implicit equality,
 * a row of one facet, or the one zero row of a lower-dimensional face. */
static int cover_rows(const claim *a)
{
    char name[48];
    for (int i = 0; i < a->nrows; i++) {
        row_name(name, sizeof name, i, 1);
        if (P.count[i] == 0)
            return fail("row %s is not accounted for: not an implicit "
                        "equality, not a row of a facet, and no face claim "
                        "(dim <= d - 2 or empty) for it", name);
        if (P.count[i] > 1)
            return fail("row %s is accounted for %d times", name, P.count[i]);
    }
    return 1;
}

static int cover_cell(void)
{
    const set *A = &C.sets[0];
    const claim *a = P.dimc[0];
    if (!is_plain(A, 0))
        return fail("the first set, %s, must be the cell: one 'cell' part and "
                    "no 'zero' rows", A->name);
    if (!decided(a, A->name))
        return 0;
    if (a->kind == C_EMPTY)
        return C.nclaims == 1 ||
               fail("the cell %s is empty (line %d): the certificate must "
                    "hold nothing else", A->name, a->line);
    P.count = xmalloc((size_t)a->nrows * sizeof *P.count);
    P.facets = xmalloc((size_t)C.nsets * sizeof *P.facets);
    memset(P.facets, 0, (size_t)C.nsets * sizeof *P.facets);
    for (int i = 0; i < a->nrows; i++)
        P.count[i] = a->eqmap[i];
    for (int s = 1; s < C.nsets; s++)
        if (!cover_face(s, a))
            return 0;
    return cover_cell_claims() && cover_rows(a);
}

/* --- adjacency and enumeration --------------------------------------------- */

/* Set s is P(a) ∩ P(b) for the cells of sets ia and ib. */
static int is_pair_of(const set *s, int ia, int ib)
{
    return s->nparts == 2 && s->nzero == 0 && s->parts[0].closure &&
           s->parts[1].closure &&
           !strcmp(s->parts[0].bits, C.sets[ia].parts[0].bits) &&
           !strcmp(s->parts[1].bits, C.sets[ib].parts[0].bits);
}

/* Sets: C(a), C(b) and P(a) ∩ P(b) (decided also when a cell is empty:
 * the answer prints its dimension); one decided dimension claim each,
 * nothing else. */
static int cover_adjacency(void)
{
    if (C.nsets != 3)
        return fail("expected the sets C(a), C(b) and P(a) ∩ P(b); found %d "
                    "sets", C.nsets);
    for (int s = 0; s < C.nsets; s++)
        if (!decided(P.dimc[s], C.sets[s].name))
            return 0;
    if (!is_plain(&C.sets[0], 0) || !is_plain(&C.sets[1], 0))
        return fail("the first two sets must be the cells C(a) and C(b): one "
                    "'cell' part each, no 'zero' rows");
    if (!is_pair_of(&C.sets[2], 0, 1))
        return fail("the third set, %s, must be P(a) ∩ P(b): 'closure' of "
                    "a, then 'closure' of b, no 'zero' rows", C.sets[2].name);
    return C.nclaims == C.nsets ||
           fail("%d claims: an adjacency answer is one dimension claim per "
                "set", C.nclaims);
}

/* The cell set (one 'cell' part) with that code, or -1. */
static int cell_set_of(const char *bits)
{
    for (int i = 0; i < C.nsets; i++)
        if (is_plain(&C.sets[i], 0) && !strcmp(C.sets[i].parts[0].bits, bits))
            return i;
    return -1;
}

/* An edge of the graph: P(a) ∩ P(b) of two listed cells, adjacent. */
static int cover_edge(int s)
{
    const set *X = &C.sets[s];
    int ia = X->nparts == 2 ? cell_set_of(X->parts[0].bits) : -1;
    int ib = X->nparts == 2 ? cell_set_of(X->parts[1].bits) : -1;
    if (ia < 0 || ib < 0 || ia == ib || !is_pair_of(X, ia, ib))
        return fail("set %s (line %d) is neither a listed cell nor P(a) ∩ "
                    "P(b) of two listed cells", X->name, X->line);
    P.pair_a[s] = ia;
    P.pair_b[s] = ib;
    for (int t = 0; t < s; t++)
        if ((P.pair_a[t] == ia && P.pair_b[t] == ib) ||
            (P.pair_a[t] == ib && P.pair_b[t] == ia))
            return fail("sets %s and %s are the same edge", C.sets[t].name,
                        X->name);
    long da = P.dimc[ia]->d, db = P.dimc[ib]->d, k = claimed_dim(P.dimc[s]);
    if (!decided(P.dimc[s], X->name))
        return 0;
    return (da == db && k == da - 1 && k >= 0) ||
           fail("edge %s: dims %ld and %ld, common dimension %ld: the cells "
                "are not adjacent", X->name, da, db, k);
}

/* Cells (one 'cell' part, realised, distinct codes) and edges. */
static int cover_enumeration(void)
{
    P.pair_a = xmalloc((size_t)C.nsets * sizeof(int));
    P.pair_b = xmalloc((size_t)C.nsets * sizeof(int));
    for (int s = 0; s < C.nsets; s++) {
        P.pair_a[s] = P.pair_b[s] = -1;
        const set *X = &C.sets[s];
        if (!is_plain(X, 0))
            continue;
        if (P.dimc[s]->kind != C_DIM)
            return fail("cell %s: a listed cell needs a dim claim (it is "
                        "realised)", X->name);
        if (cell_set_of(X->parts[0].bits) != s)
            return fail("set %s: the code %s is listed twice", X->name,
                        X->parts[0].bits);
    }
    for (int s = 0; s < C.nsets; s++)
        if (!is_plain(&C.sets[s], 0) && !cover_edge(s))
            return 0;
    return C.nclaims == C.nsets ||
           fail("%d claims: an enumeration answer is one dimension claim per "
                "set", C.nclaims);
}

/* 1 when the verified claims cover the answer the certificate declares. */
static int cover(void)
{
    P.dimc = xmalloc(((size_t)C.nsets + 1) * sizeof *P.dimc);
    if (C.nsets == 0)
        return fail("the certificate has no set");
    for (int s = 0; s < C.nsets; s++)
        if ((P.dimc[s] = dim_claim_of(s)) == NULL)
            return 0;
    switch (C.answer) {
    case A_CELL:      return cover_cell();
    case A_ADJACENCY: return cover_adjacency();
    default:          return cover_enumeration();
    }
}

/* ------------------------------------------------------------------------ */
/* The answer file: a small strict JSON reader                               */
/*                                                                           */
/* RFC 8259 with two restrictions an answer never needs: numbers are         */
/* integers (exact rationals are strings), and \u escapes are ASCII. Every   */
/* node is on one list (jnodes) from the moment it is made, so a malformed   */
/* file frees cleanly through bail().                                        */

enum { J_NULL, J_BOOL, J_INT, J_STR, J_ARR, J_OBJ };
static const char *const jtype_name[] = { "null", "a boolean",
    "an integer", "a string", "an array", "an object" };

typedef struct jnode {
    int type, line;
    long num;                /* J_BOOL (0 or 1), J_INT */
    char *str;               /* J_STR */
    int n, cap;              /* J_ARR, J_OBJ: members */
    struct jnode **item;
    const char **key;        /* J_OBJ: each key is a J_STR node's str */
    struct jnode *next;      /* every node, for free_all */
} jnode;

static const char *answer_path;
static char *answer_text;
static jnode *jnodes;
static const char *jp;       /* the reader's position */
static int jline;

static _Noreturn void bad_json(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pvcheck: %s:%d: ", answer_path, jline);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    bail();
}

static void jnodes_free(void)
{
    while (jnodes) {
        jnode *v = jnodes;
        jnodes = v->next;
        free(v->str);
        free(v->item);
        free(v->key);
        free(v);
    }
}

static jnode *jnew(int type)
{
    jnode *v = xmalloc(sizeof *v);
    memset(v, 0, sizeof *v);
    v->type = type;
    v->line = jline;
    v->next = jnodes;
    jnodes = v;
    return v;
}

static void jskip(void)
{
    while (*jp == ' ' || *jp == '\t' || *jp == '\r' || *jp == '\n')
        jline += *jp++ == '\n';
}

static void jappend(jnode *v, jnode *item, const char *key)
{
    if (v->n == v->cap) {
        int cap = v->cap ? 2 * v->cap : 4;
        jnode **it = realloc(v->item, (size_t)cap * sizeof *it);
        if (it == NULL)
            bad_json("out of memory");
        v->item = it;
        if (v->type == J_OBJ) {
            const char **k = realloc(v->key, (size_t)cap * sizeof *k);
            if (k == NULL)
                bad_json("out of memory");
            v->key = k;
        }
        v->cap = cap;
    }
    if (key)
        v->key[v->n] = key;
    v->item[v->n++] = item;
}

static int jhex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static char jescape(void)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char e = *jp++;
    const char *hit = e ? strchr(from, e) : NULL;
    if (hit)
        return to[hit - from];
    if (e != 'u')
        bad_json("bad escape '\\%c' in a string", e ? e : '0');
    int u = 0;
    for (int i = 0; i < 4; i++) {
        int h = jhex(*jp);
        if (h < 0)
            bad_json("expected 4 hex digits after '\\u'");
        u = 16 * u + h;
        jp++;
    }
    if (u == 0 || u >= 0x80)
        bad_json("\\u%04x: an answer's strings are ASCII", u);
    return (char)u;
}

static jnode *jstring(void)
{
    jnode *v = jnew(J_STR);
    size_t cap = 16, n = 0;
    v->str = xmalloc(cap);
    for (jp++;;) {           /* past the opening quote */
        char ch = *jp++;
        if (ch == '\0')
            bad_json("unterminated string");
        if (ch == '"')
            break;
        if ((unsigned char)ch < 0x20)
            bad_json("a control character in a string");
        if (ch == '\\')
            ch = jescape();
        if (n + 1 == cap) {
            char *s = realloc(v->str, 2 * cap);
            if (s == NULL)
                bad_json("out of memory");
            v->str = s;
            cap *= 2;
        }
        v->str[n++] = ch;
    }
    v->str[n] = '\0';
    return v;
}

static jnode *jnumber(void)
{
    jnode *v = jnew(J_INT);
    int neg = *jp == '-', digits = 0;
    jp += neg;
    if (*jp < '0' || *jp > '9')
        bad_json("expected a value");
    if (*jp == '0' && jp[1] >= '0' && jp[1] <= '9')
        bad_json("a number with a leading zero");
    for (; *jp >= '0' && *jp <= '9'; jp++) {
        if (++digits > 15)   /* before it could overflow a long */
            bad_json("an integer of more than 15 digits");
        v->num = 10 * v->num + (*jp - '0');
    }
    if (*jp == '.' || *jp == 'e' || *jp == 'E')
        bad_json("a number that is not an integer (exact rationals are "
                 "strings in an answer)");
    v->num = neg ? -v->num : v->num;
    return v;
}

static jnode *jvalue(int depth);

static jnode *jarray(int depth)
{
    jnode *v = jnew(J_ARR);
    jp++;
    jskip();
    if (*jp == ']') {
        jp++;
        return v;
    }
    for (;;) {
        jappend(v, jvalue(depth + 1), NULL);
        jskip();
        if (*jp == ']') {
            jp++;
            return v;
        }
        if (*jp++ != ',')
            bad_json("expected ',' or ']' in an array");
        jskip();
    }
}

static jnode *jobject(int depth)
{
    jnode *v = jnew(J_OBJ);
    jp++;
    jskip();
    if (*jp == '}') {
        jp++;
        return v;
    }
    for (;;) {
        if (*jp != '"')
            bad_json("expected a key (a string) in an object");
        const char *key = jstring()->str;
        for (int i = 0; i < v->n; i++)
            if (!strcmp(v->key[i], key))
                bad_json("the key \"%s\" appears twice in an object", key);
        jskip();
        if (*jp++ != ':')
            bad_json("expected ':' after the key \"%s\"", key);
        jskip();
        jappend(v, jvalue(depth + 1), key);
        jskip();
        if (*jp == '}') {
            jp++;
            return v;
        }
        if (*jp++ != ',')
            bad_json("expected ',' or '}' in an object");
        jskip();
    }
}

static jnode *jvalue(int depth)
{
    static const char *const lit[] = { "null", "true", "false" };
    if (depth > 32)
        bad_json("nested more than 32 deep");
    if (*jp == '{')
        return jobject(depth);
    if (*jp == '[')
        return jarray(depth);
    if (*jp == '"')
        return jstring();
    for (int i = 0; i < 3; i++)
        if (!strncmp(jp, lit[i], strlen(lit[i]))) {
            jp += strlen(lit[i]);
            jnode *v = jnew(i ? J_BOOL : J_NULL);
            v->num = i == 1;
            return v;
        }
    return jnumber();
}

/* The whole answer file: one JSON value, nothing after it. */
static jnode *parse_json(const char *text)
{
    jp = text;
    jline = 1;
    jskip();
    jnode *v = jvalue(0);
    jskip();
    if (*jp != '\0')
        bad_json("unexpected text after the JSON value");
    return v;
}

/* ------------------------------------------------------------------------ */
/* The answer against what the certificate proves                            */
/*                                                                           */
/* Every field of the answer must be a fact the certificate proves; a field  */
/* it does not know is a fact nobody checked, and fails too. Each mismatch   */
/* prints "FAIL ANSWER: FIELD — why".                                        */

static int answer_failed;

static void afail(const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gmp_vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    printf("FAIL %s: %s — %s\n", answer_path, field[0] ? field : "(top)", why);
    answer_failed++;
}

static const jnode *jget(const jnode *o, const char *key)
{
    for (int i = 0; o && o->type == J_OBJ && i < o->n; i++)
        if (!strcmp(o->key[i], key))
            return o->item[i];
    return NULL;
}

/* Field name `where.key` (or `key`) for messages. */
static const char *field(char *buf, size_t n, const char *where,
                         const char *key)
{
    snprintf(buf, n, "%s%s%s", where, where[0] && key[0] ? "." : "", key);
    return buf;
}

static void only_keys(const jnode *o, const char *where,
                      const char *const *keys)
{
    char f[160];
    for (int i = 0; i < o->n; i++) {
        int k = 0;
        while (keys[k] && strcmp(keys[k], o->key[i]))
            k++;
        if (!keys[k])
            afail(field(f, sizeof f, where, o->key[i]), "not a field of this "
                  "answer: no claim of the certificate proves it");
    }
}

/* o[key], of the given type (J_NULL accepts nothing else); NULL, with a
 * failure, when it is missing or of another type. */
static const jnode *want(const jnode *o, const char *where, const char *key,
                         int type)
{
    char f[160];
    const jnode *v = jget(o, key);
    if (v == NULL)
        afail(field(f, sizeof f, where, key), "missing");
    else if (v->type != type)
        afail(field(f, sizeof f, where, key), "is %s, expected %s",
              jtype_name[v->type], jtype_name[type]);
    else
        return v;
    return NULL;
}

static void want_int(const jnode *o, const char *where, const char *key,
                     long n)
{
    char f[160];
    const jnode *v = want(o, where, key, J_INT);
    if (v && v->num != n)
        afail(field(f, sizeof f, where, key), "is %ld, the certificate proves "
              "%ld", v->num, n);
}

static void want_bool(const jnode *o, const char *where, const char *key,
                      int b)
{
    char f[160];
    const jnode *v = want(o, where, key, J_BOOL);
    if (v && v->num != b)
        afail(field(f, sizeof f, where, key), "is %s, the certificate proves "
              "%s", v->num ? "true" : "false", b ? "true" : "false");
}

/* A code as the answer prints it ('|' allowed) against bits. */
static int same_code(const char *s, const char *bits)
{
    for (; *s; s++) {
        if (*s == '|')
            continue;
        if (*s != *bits++)
            return 0;
    }
    return *bits == '\0';
}

static void want_code(const jnode *o, const char *where, const char *key,
                      const char *bits)
{
    char f[160];
    const jnode *v = want(o, where, key, J_STR);
    if (v && !same_code(v->str, bits))
        afail(field(f, sizeof f, where, key), "is \"%s\", the certificate is "
              "about %s", v->str, bits);
}

/* The answer's point (m exact rationals as strings) lies in the relative
 * interior of set s whose verified dim claim is c: the rows of its `equal`
 * vanish there, every other row is > 0. */
static void want_relint(const jnode *o, const char *where, const char *key,
                        int s, const claim *c)
{
    char f[160], name[48];
    field(f, sizeof f, where, key);
    const jnode *v = want(o, where, key, J_ARR);
    if (v == NULL)
        return;
    if (v->n != M) {
        afail(f, "has %d coordinates, the input dimension is %d", v->n, M);
        return;
    }
    mpq_t *x = qvec((size_t)M), val;
    mpq_init(val);
    rows R = { 0, 0, NULL };
    int ok = 1;
    for (int i = 0; ok && i < M; i++) {
        const char *bad = "";
        ok = v->item[i]->type == J_STR &&
             pv_rational_parse(x[i], v->item[i]->str, strlen(v->item[i]->str),
                               &bad) == PV_OK;
        if (!ok)
            afail(f, "coordinate %d is not an exact number in a string %s", i,
                  bad);
    }
    if (ok && !build_rows(&C.sets[s], &R)) {
        char reason[sizeof why];
        snprintf(reason, sizeof reason, "%s", why);
        ok = 0;
        afail(f, "%s", reason);
    }
    for (int i = 0; ok && i < R.n; i++) {
        row_value(val, &R.r[i], x);
        row_name(name, sizeof name, i, R.nparts);
        if (c->eqmap[i] && mpq_sgn(val) != 0)
            ok = 0, afail(f, "row %s is %Qd there; it vanishes on the whole "
                          "set %s (line %d)", name, val, C.sets[s].name, c->line);
        else if (!c->eqmap[i] && mpq_sgn(val) <= 0)
            ok = 0, afail(f, "row %s is %Qd there: not in the relative "
                          "interior of %s", name, val, C.sets[s].name);
    }
    rows_free(&R);
    mpq_clear(val);
    qvec_free(x, (size_t)M);
}

/* An answer's list of neurons (integers) against map[0..N). */
static void want_neurons(const jnode *list, const char *f, const char *map,
                         const char *what)
{
    char *seen = xmalloc((size_t)N + 1);
    memset(seen, 0, (size_t)N + 1);
    for (int i = 0; list && i < list->n; i++) {
        const jnode *v = list->item[i];
        if (v->type != J_INT || v->num < 0 || v->num >= N)
            afail(f, "item %d is not a neuron (0 to %d)", i, N - 1);
        else if (seen[v->num]++)
            afail(f, "lists neuron %ld twice", v->num);
        else if (!map[v->num])
            afail(f, "lists neuron %ld, which is not %s", v->num, what);
    }
    for (int j = 0; j < N; j++)
        if (map[j] && !seen[j])
            afail(f, "omits neuron %d, %s", j, what);
    free(seen);
}

/* A box side [i, "lo"|"hi"] as a row index of a one-part set, or -1. */
static int box_row(const jnode *v)
{
    if (v == NULL || v->type != J_ARR || v->n != 2 ||
        v->item[0]->type != J_INT || v->item[1]->type != J_STR || !C.has_box ||
        v->item[0]->num < 0 || v->item[0]->num >= M)
        return -1;
    const char *side = v->item[1]->str;
    if (strcmp(side, "lo") && strcmp(side, "hi"))
        return -1;
    return N + 2 * (int)v->item[0]->num + (side[0] == 'h');
}

/* A domain row K (an integer) as a row index of a one-part set, or -1. */
static int domain_row(const jnode *v)
{
    if (v == NULL || v->type != J_INT || v->num < 0 || v->num >= C.ndomain)
        return -1;
    return N + box_rows() + (int)v->num;
}

/* The answer's list `key` of the rows [from, to) on which the cell lies
 * (absent: none); row_of reads an item. */
static void answer_implicit_rows(const jnode *J, const claim *a, const char *key,
                                 int (*row_of)(const jnode *), int from, int to,
                                 const char *what)
{
    const jnode *b = jget(J, key);
    char *seen = xmalloc((size_t)a->nrows + 1), name[48];
    memset(seen, 0, (size_t)a->nrows + 1);
    if (b && b->type != J_ARR)
        afail(key, "is %s, expected an array", jtype_name[b->type]);
    for (int i = 0; b && b->type == J_ARR && i < b->n; i++) {
        int r = row_of(b->item[i]);
        if (r < 0)
            afail(key, "item %d is not a %s of the certificate", i, what);
        else if (seen[r]++)
            afail(key, "lists a %s twice", what);
        else if (!a->eqmap[r])
            afail(key, "item %d: the cell does not lie on that %s", i, what);
    }
    for (int r = from; r < to; r++)
        if (a->eqmap[r] && !seen[r]) {
            row_name(name, sizeof name, r, 1);
            afail(key, "omits %s %s, on which the cell lies", what, name);
        }
    free(seen);
}

/* --- cell ----------------------------------------------------------------- */

static void answer_implicit(const jnode *J, const claim *a)
{
    const jnode *v = want(J, "", "implicit_equalities", J_ARR);
    if (v)
        want_neurons(v, "implicit_equalities", a->eqmap,
                     "an implicit equality of the cell");
    answer_implicit_rows(J, a, "implicit_box", box_row, N, N + box_rows(),
                         "box side [i, \"lo\"|\"hi\"]");
    answer_implicit_rows(J, a, "implicit_domain", domain_row, N + box_rows(),
                         a->nrows, "domain row");
}

/* The first of rows [from, to) in a facet's rows, or -1. */
static int first_row(const char *rows, int from, int to)
{
    for (int i = from; i < to; i++)
        if (rows[i])
            return i;
    return -1;
}

/* The certificate's facet whose rows the answer's facet f names: its
 * neurons, as its "box" the first box row and as its "domain" the first
 * domain row (the answer prints one of each). */
static int match_facet(const jnode *f, char *map, int nrows)
{
    memset(map, 0, (size_t)nrows);
    const jnode *ns = jget(f, "neurons"), *bx = jget(f, "box"), *dm = jget(f, "domain");
    for (int i = 0; ns && ns->type == J_ARR && i < ns->n; i++)
        if (ns->item[i]->type == J_INT && ns->item[i]->num >= 0 &&
            ns->item[i]->num < N)
            map[ns->item[i]->num] = 1;
    int r = bx ? box_row(bx) : -1, d = dm ? domain_row(dm) : -1;
    for (int g = 0; g < P.nfacets; g++) {
        const char *rows = P.facets[g].rows;
        if (!memcmp(rows, map, (size_t)N) && first_row(rows, N, N + box_rows()) == r &&
            first_row(rows, N + box_rows(), nrows) == d)
            return g;
    }
    return -1;
}

static void answer_facet(const jnode *f, int k, int g)
{
    static const char *const keys[] = { "neurons", "box", "domain", "neighbor", NULL };
    char where[48], fb[160];
    snprintf(where, sizeof where, "facets[%d]", k);
    only_keys(f, where, keys);
    const jnode *ns = want(f, where, "neurons", J_ARR);
    if (ns)
        want_neurons(ns, field(fb, sizeof fb, where, "neurons"),
                     P.facets[g].rows, "a row of this facet");
    const jnode *bx = jget(f, "box");
    if (bx && box_row(bx) < 0)
        afail(field(fb, sizeof fb, where, "box"), "not a box side [i, "
              "\"lo\"|\"hi\"] of the certificate's box");
    const jnode *dm = jget(f, "domain");
    if (dm && domain_row(dm) < 0)
        afail(field(fb, sizeof fb, where, "domain"), "not a domain row of the "
              "certificate");
    const claim *nb = P.facets[g].nb;
    const jnode *v = jget(f, "neighbor");
    field(fb, sizeof fb, where, "neighbor");
    if (v == NULL)
        afail(fb, "missing");
    else if (nb == NULL && v->type != J_NULL)
        afail(fb, "the facet lies on the domain: its neighbor is null");
    else if (nb && (v->type != J_STR || !same_code(v->str, nb->code)))
        afail(fb, "the certificate proves the neighbor %s (line %d)",
              nb->code, nb->line);
}

static void answer_facets(const jnode *J, const claim *a)
{
    const jnode *F = want(J, "", "facets", J_ARR);
    if (F == NULL)
        return;
    char *map = xmalloc((size_t)a->nrows + 1), where[48];
    char *used = xmalloc((size_t)P.nfacets + 1);
    memset(used, 0, (size_t)P.nfacets + 1);
    for (int k = 0; k < F->n; k++) {
        snprintf(where, sizeof where, "facets[%d]", k);
        if (F->item[k]->type != J_OBJ) {
            afail(where, "is %s, expected an object", jtype_name[F->item[k]->type]);
            continue;
        }
        int g = match_facet(F->item[k], map, a->nrows);
        if (g < 0)
            afail(where, "no facet of the certificate has these neurons, this "
                  "box side and this domain row");
        else if (used[g]++)
            afail(where, "the facet %s is listed twice", C.sets[P.facets[g].set].name);
        else
            answer_facet(F->item[k], k, g);
    }
    for (int g = 0; g < P.nfacets; g++)
        if (!used[g])
            afail("facets", "omits the facet %s (line %d)",
                  C.sets[P.facets[g].set].name, P.facets[g].dim->line);
    free(used);
    free(map);
}

static void answer_cell(const jnode *J)
{
    static const char *const keys[] = { "code", "realized", "dim", "point",
        "bounded", "implicit_equalities", "implicit_box", "implicit_domain",
        "facets", NULL };
    const claim *a = P.dimc[0];
    int realized = a->kind == C_DIM;
    only_keys(J, "", keys);
    want_code(J, "", "code", C.sets[0].parts[0].bits);
    want_bool(J, "", "realized", realized);
    want_int(J, "", "dim", realized ? a->d : -1);
    if (!realized) {
        want(J, "", "point", J_NULL);
        want(J, "", "bounded", J_NULL);
        const jnode *v = want(J, "", "implicit_equalities", J_ARR);
        if (v && v->n)
            afail("implicit_equalities", "an empty cell has none");
        v = want(J, "", "facets", J_ARR);
        if (v && v->n)
            afail("facets", "an empty cell has none");
        v = jget(J, "implicit_box");
        if (v && (v->type != J_ARR || v->n))
            afail("implicit_box", "an empty cell has none");
        v = jget(J, "implicit_domain");
        if (v && (v->type != J_ARR || v->n))
            afail("implicit_domain", "an empty cell has none");
        return;
    }
    want_relint(J, "", "point", 0, a);
    want_bool(J, "", "bounded", P.bound->kind == C_BOUNDED);
    answer_implicit(J, a);
    answer_facets(J, a);
}

/* --- adjacency ------------------------------------------------------------- */

static int hamming(const char *a, const char *b)
{
    int h = 0;
    for (; *a && *b; a++, b++)
        h += *a != *b;
    return h;
}

static void answer_adjacency(const jnode *J)
{
    static const char *const keys[] = { "a", "b", "realized_a", "realized_b",
        "dim_a", "dim_b", "hamming", "common_dim", "common_point", "adjacent",
        "d_A", "d_H2", "agrees", NULL };
    const char *a = C.sets[0].parts[0].bits, *b = C.sets[1].parts[0].bits;
    long da = claimed_dim(P.dimc[0]), db = claimed_dim(P.dimc[1]);
    int h = hamming(a, b), both = da >= 0 && db >= 0;
    only_keys(J, "", keys);
    want_code(J, "", "a", a);
    want_code(J, "", "b", b);
    want_bool(J, "", "realized_a", da >= 0);
    want_bool(J, "", "realized_b", db >= 0);
    want_int(J, "", "dim_a", da);
    want_int(J, "", "dim_b", db);
    want_int(J, "", "hamming", h);
    want_int(J, "", "d_H2", h < 2 ? h : 2);
    long dc = claimed_dim(P.dimc[2]);
    want_int(J, "", "common_dim", dc);
    if (dc >= 0)
        want_relint(J, "", "common_point", 2, P.dimc[2]);
    else if (jget(J, "common_point"))
        afail("common_point", "the certificate proves no common point");
    if (!both) {             /* an empty cell: adjacency is undefined */
        want(J, "", "adjacent", J_NULL);
        want(J, "", "d_A", J_NULL);
        want(J, "", "agrees", J_NULL);
        return;
    }
    int adj = da == db && dc == da - 1 && dc >= 0;
    int dA = !strcmp(a, b) ? 0 : adj ? 1 : 2;
    want_bool(J, "", "adjacent", adj);
    want_int(J, "", "d_A", dA);
    want_bool(J, "", "agrees", dA == (h < 2 ? h : 2));
}

/* --- enumeration ----------------------------------------------------------- */

static void answer_by_dim(const jnode *J)
{
    const jnode *v = want(J, "", "cells_by_dim", J_OBJ);
    long *count = xmalloc(((size_t)M + 1) * sizeof *count);
    memset(count, 0, ((size_t)M + 1) * sizeof *count);
    for (int s = 0; s < C.nsets; s++)
        if (P.pair_a[s] < 0)
            count[P.dimc[s]->d]++;
    char f[64];
    for (int i = 0; v && i < v->n; i++) {
        long d = parse_index(v->key[i]);
        snprintf(f, sizeof f, "cells_by_dim.%.30s", v->key[i]);
        if (d < 0 || d > M)
            afail(f, "not a dimension 0 to %d", M);
        else if (v->item[i]->type != J_INT || v->item[i]->num != count[d])
            afail(f, "the certificate has %ld cells of dimension %ld",
                  count[d], d);
    }
    for (int d = 0; v && d <= M; d++) {
        snprintf(f, sizeof f, "%d", d);
        if (count[d] && jget(v, f) == NULL)
            afail("cells_by_dim", "omits dimension %d (%ld cells)", d, count[d]);
    }
    free(count);
}

static void answer_cell_list(const jnode *J)
{
    static const char *const keys[] = { "code", "dim", "point", NULL };
    const jnode *L = want(J, "", "cell_list", J_ARR);
    if (L == NULL)
        return;
    char *used = xmalloc((size_t)C.nsets + 1), where[48];
    memset(used, 0, (size_t)C.nsets + 1);
    for (int k = 0; k < L->n; k++) {
        const jnode *c = L->item[k], *code = jget(c, "code");
        snprintf(where, sizeof where, "cell_list[%d]", k);
        int s = 0;
        while (s < C.nsets && !(P.pair_a[s] < 0 && code && code->type == J_STR &&
                                same_code(code->str, C.sets[s].parts[0].bits)))
            s++;
        if (c->type != J_OBJ || s == C.nsets) {
            afail(where, "no cell of the certificate has this code");
            continue;
        }
        if (used[s]++) {
            afail(where, "the cell %s is listed twice", C.sets[s].name);
            continue;
        }
        only_keys(c, where, keys);
        want_int(c, where, "dim", P.dimc[s]->d);
        want_relint(c, where, "point", s, P.dimc[s]);
    }
    for (int s = 0; s < C.nsets; s++)
        if (P.pair_a[s] < 0 && !used[s])
            afail("cell_list", "omits the cell %s (%s)", C.sets[s].name,
                  C.sets[s].parts[0].bits);
    free(used);
}

static void answer_edges(const jnode *J, int nedges)
{
    static const char *const keys[] = { "a", "b", "hamming", NULL };
    const jnode *E = jget(J, "edges");
    if (E == NULL) {
        if (nedges)
            afail("edges", "missing: the certificate proves %d edges", nedges);
        return;
    }
    if ((E = want(J, "", "edges", J_ARR)) == NULL)
        return;
    char *used = xmalloc((size_t)C.nsets + 1), where[48];
    memset(used, 0, (size_t)C.nsets + 1);
    for (int k = 0; k < E->n; k++) {
        const jnode *e = E->item[k], *a = jget(e, "a"), *b = jget(e, "b");
        snprintf(where, sizeof where, "edges[%d]", k);
        int s = 0;
        for (; a && b && a->type == J_STR && b->type == J_STR && s < C.nsets; s++) {
            if (P.pair_a[s] < 0)
                continue;
            const char *x = C.sets[P.pair_a[s]].parts[0].bits;
            const char *y = C.sets[P.pair_b[s]].parts[0].bits;
            if ((same_code(a->str, x) && same_code(b->str, y)) ||
                (same_code(a->str, y) && same_code(b->str, x)))
                break;
        }
        if (e->type != J_OBJ || !a || !b || s == C.nsets) {
            afail(where, "the certificate proves no such edge");
            continue;
        }
        if (used[s]++) {
            afail(where, "the edge %s is listed twice", C.sets[s].name);
            continue;
        }
        only_keys(e, where, keys);
        want_int(e, where, "hamming", hamming(C.sets[P.pair_a[s]].parts[0].bits,
                                               C.sets[P.pair_b[s]].parts[0].bits));
    }
    for (int s = 0; s < C.nsets; s++)
        if (P.pair_a[s] >= 0 && !used[s])
            afail("edges", "omits the edge %s", C.sets[s].name);
    free(used);
}

static void answer_enumeration(const jnode *J, int quiet)
{
    static const char *const keys[] = { "cells", "cells_by_dim", "complete",
        "cell_list", "edges", NULL };
    int ncells = 0, nedges = 0;
    for (int s = 0; s < C.nsets; s++) {
        ncells += P.pair_a[s] < 0;
        nedges += P.pair_a[s] >= 0;
    }
    only_keys(J, "", keys);
    want_int(J, "", "cells", ncells);
    answer_by_dim(J);
    if (want(J, "", "complete", J_BOOL) && !quiet)
        printf("note %s: complete — not certified (that the list holds every "
               "cell is argued, not proved by the certificate)\n", answer_path);
    answer_cell_list(J);
    answer_edges(J, nedges);
}

/* Which answer the JSON is, by a field only that kind has. */
static int answer_kind_of(const jnode *J)
{
    return jget(J, "cell_list") ? A_ENUMERATION
         : jget(J, "facets") || jget(J, "realized") ? A_CELL
         : jget(J, "common_dim") || jget(J, "realized_a") ? A_ADJACENCY
         : A_NONE;
}

static void check_answer(const jnode *J, int quiet)
{
    int kind = J->type == J_OBJ ? answer_kind_of(J) : A_NONE;
    if (kind != C.answer) {
        afail("", "%s, but the certificate proves %s answer",
              kind == A_NONE ? "not a cell, adjacency or enumeration answer"
                             : answer_kinds[kind],
              C.answer == A_CELL ? "a cell" : C.answer == A_ADJACENCY
                                                  ? "an adjacency" : "an enumeration");
        return;
    }
    if (kind == A_CELL)
        answer_cell(J);
    else if (kind == A_ADJACENCY)
        answer_adjacency(J);
    else
        answer_enumeration(J, quiet);
}

/* ------------------------------------------------------------------------ */

/* A text file into *owner (NUL-terminated, no NUL inside): the
 * certificate into cert_text, the answer into answer_text. */
static void read_text(const char *path, char **owner)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "pvcheck: cannot open %s\n", path);
        bail();
    }
    size_t cap = 1 << 16, len = 0, n;
    char *buf = *owner = xmalloc(cap + 1);
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *grown = realloc(buf, 2 * cap + 1);
            if (grown == NULL) {
                fclose(f);
                fprintf(stderr, "pvcheck: out of memory\n");
                bail();
            }
            buf = *owner = grown;
            cap *= 2;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "pvcheck: cannot read %s\n", path);
        bail();
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len) != NULL) {
        fprintf(stderr, "pvcheck: %s: not a text file (NUL byte)\n", path);
        bail();
    }
}

static void refs_free(ref *r, int n)
{
    for (int i = 0; r != NULL && i < n; i++)
        free(r[i].text);
    free(r);
}

/* Frees everything a run allocated, however far it got, and leaves the
 * state as a new run expects it. */
static void free_all(void)
{
    if (last_code.r != NULL) {
        for (int j = 0; j < N; j++) {
            qvec_free(last_code.r[j].a, (size_t)M);
            mpq_clear(last_code.r[j].c);
        }
        free(last_code.r);
        last_code.r = NULL;
    }
    free(last_code.bits);
    last_code.bits = NULL;
    for (int i = 0; i < C.nsets; i++) {
        set *s = &C.sets[i];
        for (int k = 0; k < s->nparts; k++)
            free(s->parts[k].bits);
        free(s->parts);
        refs_free(s->zero, s->nzero);
        free(s->name);
    }
    for (int i = 0; i < C.nclaims; i++) {
        claim *c = &C.claims[i];
        free(c->text);
        free(c->s1);
        free(c->s2);
        free(c->code);
        qvec_free(c->point, (size_t)C.input);
        refs_free(c->eq, c->neq);
        refs_free(c->mult, c->nmult);
        qvec_free(c->y, (size_t)c->nmult);
        free(c->eqmap);
    }
    free(C.sets);
    free(C.claims);
    qvec_free(C.box, 2 * (size_t)C.input);
    for (int k = 0; k < C.ndomain; k++)
        qvec_free(C.domain[k], (size_t)C.input + 1);
    free(C.domain);
    free(C.deq);
    memset(&C, 0, sizeof C);
    free(cert_text);
    free(tok_buf);
    cert_text = NULL;
    tok_buf = NULL;
    tok_cap = 0;
    proof_free();
    jnodes_free();
    free(answer_text);
    answer_text = NULL;
    answer_failed = 0;
    pv_net_free(net);
    net = NULL;
    for (int k = 0; layers != NULL && k < nlayers; k++) {
        for (size_t e = 0; layers[k].w && e < (size_t)layers[k].in * layers[k].out; e++)
            mpq_clear(layers[k].w[e]);
        free(layers[k].w);
    }
    free(layers);
    layers = NULL;
    nlayers = 0;
}

/* Loads NET, whose shape pvcheck relies on; 0 (message printed) if it
 * cannot. */
static int load_net(const char *path)
{
    pv_error err;
    net = pv_net_new();
    if (net == NULL) {
        fprintf(stderr, "pvcheck: out of memory\n");
        bail();
    }
    if (pv_net_load(net, path, &err) != PV_OK) {
        fprintf(stderr, "pvcheck: %s\n", err.msg);
        return 0;
    }
    M = pv_net_input_dim(net);
    nlayers = pv_net_nlayers(net);
    layers = xmalloc(((size_t)nlayers + 1) * sizeof *layers);
    memset(layers, 0, ((size_t)nlayers + 1) * sizeof *layers);
    int in = M;
    N = 0;
    for (int k = 0; k < nlayers; k++) {   /* the shapes pvcheck relies on */
        layer *L = &layers[k];
        L->nrelu = pv_net_layer_relus(net, k);
        L->in = pv_net_layer_in(net, k);
        L->out = pv_net_layer_out(net, k);
        L->w = dense_weights(net, k, L->in, L->out);
        L->b = pv_net_layer_biases(net, k);
        if (L->in != in || L->out < 1) {
            fprintf(stderr, "pvcheck: %s: layer %d does not chain\n", path,
                    k + 1);
            return 0;
        }
        in = L->out;
        N += L->nrelu;
    }
    return 1;
}

/* Arguments: NET CERT [--answer FILE] [--quiet]; 0 when they are usable. */
static int parse_args(int argc, char **argv, const char *paths[2], int *quiet)
{
    int np = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet"))
            *quiet = 1;
        else if (!strcmp(argv[i], "--answer") && i + 1 < argc && !answer_path)
            answer_path = argv[++i];
        else if (np < 2 && argv[i][0] != '-')
            paths[np++] = argv[i];
        else
            np = 3;
    }
    if (np == 2)
        return 0;
    fprintf(stderr, "usage: pvcheck NET CERT [--answer FILE.json] [--quiet]\n");
    return 2;
}

/* Every claim, in order; the number that failed. */
static int check_claims(int quiet)
{
    int failed = 0;
    for (int k = 0; k < C.nclaims; k++) {
        claim *c = &C.claims[k];
        why[0] = '\0';
        c->verified = check_claim(k);
        if (c->verified) {
            if (!quiet)
                printf("ok %s\n", c->text);
        } else {
            printf("FAIL %s:%d: %s — %s\n", cert_path, c->line, c->text, why);
            failed++;
        }
    }
    return failed;
}

/* Version 2, every claim verified: do they cover the declared answer, and
 * (with --answer) is the file exactly that answer? 1 when not. */
static int check_coverage(const jnode *J, int quiet)
{
    const char *kind = answer_kinds[C.answer];
    why[0] = '\0';
    if (!cover()) {
        printf("FAIL %s:%d: answer %s — %s\n", cert_path, C.answer_line, kind,
               why);
        if (J)
            printf("FAIL %s: (top) — not compared: the certificate does not "
                   "prove a whole answer\n", answer_path);
        return 1;
    }
    if (!quiet)
        printf("ok answer %s (the claims cover it)\n", kind);
    if (J == NULL)
        return 0;
    check_answer(J, quiet);
    if (!answer_failed && !quiet)
        printf("ok %s (every field is what the certificate proves)\n",
               answer_path);
    return answer_failed != 0;
}

/* pvcheck NET CERT [--answer FILE] [--quiet]: the exit status. */
static int run(int argc, char **argv)
{
    const char *paths[2] = { NULL, NULL };
    int quiet = 0;
    if (parse_args(argc, argv, paths, &quiet))
        return 2;
    cert_path = paths[1];
    if (!load_net(paths[0]))
        return 2;
    read_text(cert_path, &cert_text);
    parse_cert(cert_text);
    const jnode *J = NULL;
    if (answer_path) {     /* malformed answers exit 2 before any check */
        read_text(answer_path, &answer_text);
        J = parse_json(answer_text);
    }

    char fp[17];
    fingerprint(fp);
    if (strcmp(fp, C.fingerprint) != 0) {
        printf("FAIL %s:%d: fingerprint — the certificate's fingerprint %s "
               "differs from %s, the fingerprint of %s: a certificate for "
               "another network\n", cert_path, C.fp_line, C.fingerprint, fp,
               paths[0]);
        return 1;
    }
    if (C.input != M) {
        printf("FAIL %s:%d: input — the certificate says input %d, %s has "
               "input dimension %d\n", cert_path, C.input_line, C.input,
               paths[0], M);
        return 1;
    }

    int failed = check_claims(quiet), uncovered = 0;
    if (C.version == 1 && J) {
        printf("FAIL %s: (top) — a version-1 certificate proves its claims, "
               "not an answer\n", answer_path);
        uncovered = 1;
    } else if (C.version == 2 && failed && J) {
        printf("FAIL %s: (top) — not compared: a claim failed\n", answer_path);
    } else if (C.version == 2 && !failed) {
        uncovered = check_coverage(J, quiet);
    }
    if (failed)
        printf("pvcheck: %d claims, %d FAILED\n", C.nclaims, failed);
    else if (uncovered)
        printf("pvcheck: %d claims, all verified, but they do not prove %s\n",
               C.nclaims, J ? "this answer" : "a whole answer");
    else if (C.version == 2)
        printf("pvcheck: %d claims, all verified; they prove the %s answer%s%s\n",
               C.nclaims, answer_kinds[C.answer], J ? " in " : "",
               J ? answer_path : "");
    else
        printf("pvcheck: %d claims, all verified\n", C.nclaims);
    return failed || uncovered ? 1 : 0;
}

#ifdef PVCHECK_LIBRARY
/* The checker as a function (for fuzz/fuzz_pvcheck.c): the same arguments,
 * output and return value as the program; callable any number of times. */
int pvcheck_main(int argc, char **argv);
#define PVCHECK_MAIN pvcheck_main
#else
#define PVCHECK_MAIN main
#endif

int PVCHECK_MAIN(int argc, char **argv)
{
    int status;
    memset(&C, 0, sizeof C);
    net = NULL;
    cert_path = "CERT";
    answer_path = NULL;
    if (setjmp(bail_out) == 0)
        status = run(argc, argv);
    else
        status = 2;   /* malformed input: the message is printed */
    free_all();
    return status;
}
