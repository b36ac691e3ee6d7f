/* pvcheck — the independent checker of polyverify certificates, format 1.
 *
 *     pvcheck NET CERT [--quiet]
 *
 * Specification: verify/README.md ("Certificate format, version 1", and the
 * Notes at its end). Output: one line "ok <claim>" per verified claim (not
 * with --quiet), "FAIL CERT:LINE: <claim> — <why>" per failed claim, then a
 * summary. Exit 0 when every claim is verified, 1 when a claim, the
 * fingerprint or the input dimension fails, 2 for unreadable or malformed
 * input ("pvcheck: CERT:LINE: ..." names the line and what was expected).
 *
 * WHAT IT TRUSTS
 *   - GMP (exact mpq_t / mpz_t arithmetic) and the C library.
 *   - polyverify's network parser, src/network.c with src/rational.c and
 *     src/error.c: pv_net_load reads NET; pv_rational_parse reads the
 *     certificate's numbers. network.c also calls one function of
 *     src/linalg.c (a rank mod p deciding an optimisation, net->lifted, that
 *     pvcheck never reads), so linalg.c is linked too. From the parsed
 *     network pvcheck reads only input_dim and each layer's act, in, out,
 *     w (out x in, row-major) and b.
 * Everything else is here and nowhere else: the certificate parser, the
 * fingerprint, the layer recursion that gives each row, row evaluation, the
 * rank (mpq Gaussian elimination) and the first-order forward pass. No LP
 * solver, no floating point, no other code of polyverify.
 *
 * WHY THE CHECKS PROVE THE CLAIMS. A set S is a conjunction of rows
 * r_i(x) = a_i.x + c_i, each "> 0" (strict: bit 1 of a `cell` part), ">= 0"
 * (other neuron rows, box rows) or "= 0" (listed in `zero`: an equation).
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
 * below (C, net, cert_text, tok_buf) from the moment it is made. */
static jmp_buf bail_out;

static _Noreturn void bail(void)
{
    longjmp(bail_out, 1);
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

static pv_net net;
static int M;   /* input dimension m   */
static int N;   /* ReLU neurons        */

/* ------------------------------------------------------------------------ */
/* The certificate                                                           */

enum { REF_NEURON, REF_LO, REF_HI };
typedef struct ref {
    int kind;
    long part, index;   /* K and J of K:nJ; I of lo:I / hi:I */
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
} claim;

static struct cert {
    char fingerprint[17];
    int fp_line, input, input_line, has_box;
    mpq_t *box;          /* lo_0 hi_0 lo_1 hi_1 ... */
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
    malformed(line, "expected a row reference K:nJ, lo:I or hi:I, got '%s'", s);
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

static void parse_cert(char *text)
{
    char *pos = text;
    int lineno = 0;
    stmt st;
    if (!next_stmt(&pos, &lineno, &st))
        malformed(lineno > 0 ? lineno : 1, "empty certificate: expected 'pvcert 1'");
    if (strcmp(st.tok[0], "pvcert") != 0 || st.n != 2)
        malformed(st.line, "expected 'pvcert 1' as the first statement");
    if (strcmp(st.tok[1], "1") != 0)
        malformed(st.line, "certificate format version %s is not supported "
                  "(this checker reads version 1)", st.tok[1]);
    while (next_stmt(&pos, &lineno, &st)) {
        const char *kw = st.tok[0];
        int header = !strcmp(kw, "fingerprint") || !strcmp(kw, "input") ||
                     !strcmp(kw, "box");
        if (header && (C.nsets || C.nclaims))
            malformed(st.line, "'%s' must come before every set and claim", kw);
        if (!strcmp(kw, "fingerprint")) {
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
    snprintf(buf, sizeof buf, "pvnet %d %d", net.input_dim, net.nlayers);
    fnv_str(buf);
    for (int k = 0; k < net.nlayers; k++) {
        const pv_layer *L = &net.layers[k];
        snprintf(buf, sizeof buf, " %s %d", L->act == PV_RELU ? "relu" : "linear",
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
    for (int k = 0; k < net.nlayers; k++) {
        const pv_layer *L = &net.layers[k];
        mpq_t *z = qvec((size_t)L->out * M), *zc = qvec((size_t)L->out);
        for (int i = 0; i < L->out; i++) {
            for (int s = 0; s < din; s++) {
                const mpq_t *w = &L->w[(size_t)i * din + s];
                if (mpq_sgn(*w) == 0)
                    continue;
                for (int x = 0; x < M; x++) {
                    mpq_mul(t, *w, act[(size_t)s * M + x]);
                    mpq_add(z[(size_t)i * M + x], z[(size_t)i * M + x], t);
                }
                mpq_mul(t, *w, ac[s]);
                mpq_add(zc[i], zc[i], t);
            }
            mpq_add(zc[i], zc[i], L->b[i]);
            if (L->act != PV_RELU)
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

/* Index of a row reference in the rows of a set with nparts parts, or -1. */
static int ref_index(const ref *r, int nparts)
{
    if (r->kind == REF_NEURON)
        return r->part < nparts && r->index < N
                   ? (int)(r->part * N + r->index) : -1;
    if (!C.has_box || r->index >= M)
        return -1;
    return nparts * N + 2 * (int)r->index + (r->kind == REF_HI);
}

static void row_name(char *buf, size_t n, int i, int nparts)
{
    if (i < nparts * N)
        snprintf(buf, n, "%d:n%d", i / N, i % N);
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
    R->n = s->nparts * N + (C.has_box ? 2 * M : 0);
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
        cell_rows(p->bits, &R->r[k * N]);
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

static int check_dim(const claim *c, const rows *R, mpq_t *y, char *has)
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
    free(inE);
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
    for (int k = 0; k < net.nlayers; k++) {
        const pv_layer *L = &net.layers[k];
        mpq_t *z = qvec((size_t)L->out), *dz = qvec((size_t)L->out);
        for (int i = 0; i < L->out; i++) {
            for (int s = 0; s < din; s++) {
                mpq_mul(t, L->w[(size_t)i * din + s], v[s]);
                mpq_add(z[i], z[i], t);
                mpq_mul(t, L->w[(size_t)i * din + s], dv[s]);
                mpq_add(dz[i], dz[i], t);
            }
            mpq_add(z[i], z[i], L->b[i]);
            if (L->act != PV_RELU)
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

/* The certificate's text into cert_text (NUL-terminated, no NUL inside). */
static void read_cert(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "pvcheck: cannot open %s\n", path);
        bail();
    }
    size_t cap = 1 << 16, len = 0, n;
    char *buf = cert_text = xmalloc(cap + 1);
    while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *grown = realloc(buf, 2 * cap + 1);
            if (grown == NULL) {
                fclose(f);
                fprintf(stderr, "pvcheck: out of memory\n");
                bail();
            }
            buf = cert_text = grown;
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
    }
    free(C.sets);
    free(C.claims);
    qvec_free(C.box, 2 * (size_t)C.input);
    memset(&C, 0, sizeof C);
    free(cert_text);
    free(tok_buf);
    cert_text = NULL;
    tok_buf = NULL;
    tok_cap = 0;
    pv_net_clear(&net);
}

/* Loads NET, whose shape pvcheck relies on; 0 (message printed) if it
 * cannot. */
static int load_net(const char *path)
{
    pv_error err;
    if (pv_net_load(&net, path, &err) != PV_OK) {
        fprintf(stderr, "pvcheck: %s\n", err.msg);
        return 0;
    }
    M = net.input_dim;
    int in = M;
    N = 0;
    for (int k = 0; k < net.nlayers; k++) {   /* the shapes pvcheck relies on */
        if (net.layers[k].in != in || net.layers[k].out < 1) {
            fprintf(stderr, "pvcheck: %s: layer %d does not chain\n", path,
                    k + 1);
            return 0;
        }
        in = net.layers[k].out;
        N += net.layers[k].act == PV_RELU ? net.layers[k].out : 0;
    }
    return 1;
}

/* pvcheck NET CERT [--quiet]: the exit status. */
static int run(int argc, char **argv)
{
    const char *paths[2] = { NULL, NULL };
    int quiet = 0, np = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (np < 2 && argv[i][0] != '-')
            paths[np++] = argv[i];
        else
            np = 3;
    }
    if (np != 2) {
        fprintf(stderr, "usage: pvcheck NET CERT [--quiet]\n");
        return 2;
    }
    cert_path = paths[1];
    if (!load_net(paths[0]))
        return 2;
    read_cert(cert_path);
    parse_cert(cert_text);

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
    if (failed)
        printf("pvcheck: %d claims, %d FAILED\n", C.nclaims, failed);
    else
        printf("pvcheck: %d claims, all verified\n", C.nclaims);
    return failed ? 1 : 0;
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
    pv_net_init(&net);
    cert_path = "CERT";
    if (setjmp(bail_out) == 0)
        status = run(argc, argv);
    else
        status = 2;   /* malformed input: the message is printed */
    free_all();
    return status;
}
