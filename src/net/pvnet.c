/* polyverify — the .pvnet text format (DESIGN §3.1): reading and writing.
 *
 * pvnet 1 has dense relu/linear layers; pvnet 2 adds mixed layers (ReLU
 * rows first, then linear rows) and sparse rows, the form an ONNX graph is
 * lowered to (onnx.c), so `convert` writes any network exactly. A network
 * with only dense relu/linear layers is still written as pvnet 1. */
/* <stdio.h> must precede <gmp.h> for gmp.h to declare mpq_out_str. */
#include <stdio.h>

#include "core/alloc.h"
#include "core/text.h"
#include "net/network_internal.h"
#include "polyverify/rational.h"
#include "core/outfile.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Layers whose weights exceed this many entries must be backed by at least
 * one byte of remaining text per weight (a real file always is). Below it we
 * allocate first, so that a truncated small file gets the precise
 * "unexpected end of file" message instead. */
#define PV_SMALL_LAYER_ENTRIES (1u << 16)

/* ------------------------------------------------------------------------ */
/* Line and token reader for the .pvnet text                                 */

typedef struct span {
    const char *p;
    size_t n;
} span;

typedef struct lexer {
    const char *text;
    size_t len;
    const char *name;   /* file name for messages                         */
    pv_error *err;
    size_t next;        /* offset of the next unread line                 */
    int lines_read;     /* number of the last line read                   */
    int line;           /* number of the current content line             */
    const char *cur;    /* current line, comment removed                  */
    size_t cur_len, cur_pos;
} lexer;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int span_is(span t, const char *word)
{
    size_t n = strlen(word);
    return t.n == n && memcmp(t.p, word, n) == 0;
}

static const char *excerpt(char *buf, size_t size, span t)
{
    return pv_excerpt(buf, size, t.p, t.n);
}

/* Records "NAME:LINE: message" as a parse error. */
static pv_status lx_fail(const lexer *lx, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static pv_status lx_fail(const lexer *lx, int line, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return pv_error_set(lx->err, PV_ERR_PARSE, "%s:%d: %s", lx->name,
                        line < 1 ? 1 : line, what);
}

/* Line number to blame for "unexpected end of file". */
static int lx_eof_line(const lexer *lx)
{
    return lx->lines_read < 1 ? 1 : lx->lines_read;
}

/* Advances to the next line holding something other than blanks and a
 * comment. Returns 1 on a line, 0 at end of file, -1 on an error (a NUL
 * byte: the file is not text, and silently stopping there would hide it). */
static int lx_next_line(lexer *lx)
{
    while (lx->next < lx->len) {
        const char *start = lx->text + lx->next;
        size_t rest = lx->len - lx->next;
        const char *nl = memchr(start, '\n', rest);
        size_t n = nl != NULL ? (size_t)(nl - start) : rest;
        lx->next += nl != NULL ? n + 1 : n;
        lx->lines_read++;
        if (memchr(start, '\0', n) != NULL) {
            lx_fail(lx, lx->lines_read,
                    "unexpected NUL byte (is this a text file?)");
            return -1;
        }
        const char *hash = memchr(start, '#', n);
        if (hash != NULL)
            n = (size_t)(hash - start);
        size_t i = 0;
        while (i < n && is_blank(start[i]))
            i++;
        if (i == n)
            continue;
        lx->cur = start;
        lx->cur_len = n;
        lx->cur_pos = i;
        lx->line = lx->lines_read;
        return 1;
    }
    return 0;
}

/* Next token of the current line; 0 when the line is exhausted. */
static int lx_token(lexer *lx, span *t)
{
    size_t i = lx->cur_pos;
    while (i < lx->cur_len && is_blank(lx->cur[i]))
        i++;
    if (i == lx->cur_len) {
        lx->cur_pos = i;
        return 0;
    }
    size_t j = i;
    while (j < lx->cur_len && !is_blank(lx->cur[j]))
        j++;
    t->p = lx->cur + i;
    t->n = j - i;
    lx->cur_pos = j;
    return 1;
}

/* Fails if the current line has anything after what was read. */
static pv_status lx_expect_end(lexer *lx, const char *after)
{
    span t;
    char q[200];
    if (lx_token(lx, &t))
        return lx_fail(lx, lx->line, "unexpected '%s' after '%s'",
                       excerpt(q, sizeof q, t), after);
    return PV_OK;
}

/* A positive integer count (input dimension, layer width) 1..PV_MAX_WIDTH. */
static int parse_count(span t, int *out)
{
    if (t.n == 0 || t.n > 9)
        return 0;
    long v = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (t.p[i] < '0' || t.p[i] > '9')
            return 0;
        v = v * 10 + (t.p[i] - '0');
    }
    if (v < 1 || v > PV_MAX_WIDTH)
        return 0;
    *out = (int)v;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* .pvnet grammar                                                            */

typedef struct pvnet_parse {
    lexer lx;
    pv_net net;        /* built here, moved to the caller on success */
    int header_line, input_line;
} pvnet_parse;

static pv_status parse_header(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    char q[200];
    span t;
    int r = lx_next_line(lx);
    if (r < 0)
        return PV_ERR_PARSE;
    if (r == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "expected header 'pvnet 1', found end of file "
                       "(empty network file)");
    lx_token(lx, &t);
    if (!span_is(t, "pvnet"))
        return lx_fail(lx, lx->line,
                       "expected header 'pvnet 1' as the first line, "
                       "found '%s'", excerpt(q, sizeof q, t));
    if (!lx_token(lx, &t))
        return lx_fail(lx, lx->line,
                       "expected header 'pvnet 1', found 'pvnet' without "
                       "a version");
    if (!span_is(t, "1"))
        return lx_fail(lx, lx->line,
                       "unsupported pvnet version '%s' (expected 'pvnet 1')",
                       excerpt(q, sizeof q, t));
    ps->header_line = lx->line;
    return lx_expect_end(lx, "pvnet 1");
}

static pv_status parse_input(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    char q[200];
    span t;
    int r = lx_next_line(lx);
    if (r < 0)
        return PV_ERR_PARSE;
    if (r == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "expected 'input M' (the input dimension), "
                       "found end of file");
    lx_token(lx, &t);
    if (span_is(t, "pvnet"))
        return lx_fail(lx, lx->line,
                       "duplicate header 'pvnet' (already on line %d)",
                       ps->header_line);
    if (!span_is(t, "input"))
        return lx_fail(lx, lx->line,
                       "expected 'input M' (the input dimension), found '%s'",
                       excerpt(q, sizeof q, t));
    if (!lx_token(lx, &t))
        return lx_fail(lx, lx->line,
                       "expected the input dimension after 'input', "
                       "found end of line");
    if (!parse_count(t, &ps->net.input_dim))
        return lx_fail(lx, lx->line,
                       "bad input dimension '%s': expected a positive integer "
                       "at most %d", excerpt(q, sizeof q, t), PV_MAX_WIDTH);
    ps->input_line = lx->line;
    return lx_expect_end(lx, "input M");
}

/* Explains a line that appears where a `layer` line (or the end) belongs. */
static pv_status misplaced_line(pvnet_parse *ps, span t)
{
    lexer *lx = &ps->lx;
    char q[200];
    if (span_is(t, "pvnet"))
        return lx_fail(lx, lx->line,
                       "duplicate header 'pvnet' (already on line %d)",
                       ps->header_line);
    if (span_is(t, "input"))
        return lx_fail(lx, lx->line,
                       "duplicate 'input' line (already on line %d)",
                       ps->input_line);
    mpq_t v;
    mpq_init(v);
    int is_number = pv_rational_parse(v, t.p, t.n, NULL) == PV_OK;
    mpq_clear(v);
    if (is_number && ps->net.nlayers > 0) {
        const pv_layer *L = &ps->net.layers[ps->net.nlayers - 1];
        return lx_fail(lx, lx->line,
                       "expected 'layer relu|linear WIDTH' or end of file, "
                       "found a row of numbers (layer %d has width %d and "
                       "its 'bias' line is done)", ps->net.nlayers, L->out);
    }
    return lx_fail(lx, lx->line,
                   "expected 'layer relu|linear WIDTH' or end of file, "
                   "found '%s'", excerpt(q, sizeof q, t));
}

/* The rest of a `layer ACT WIDTH` line; allocates the layer. */
static pv_status parse_layer_line(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    char q[200];
    span t;
    int k = ps->net.nlayers + 1;  /* 1-based, as in messages */
    pv_activation act;
    int width;
    if (!lx_token(lx, &t))
        return lx_fail(lx, lx->line,
                       "expected activation 'relu' or 'linear' after "
                       "'layer', found end of line");
    if (span_is(t, "relu"))
        act = PV_RELU;
    else if (span_is(t, "linear"))
        act = PV_LINEAR;
    else
        return lx_fail(lx, lx->line,
                       "unknown activation '%s' for layer %d (expected "
                       "'relu' or 'linear')", excerpt(q, sizeof q, t), k);
    if (!lx_token(lx, &t))
        return lx_fail(lx, lx->line,
                       "expected the width of layer %d after 'layer %s', "
                       "found end of line", k,
                       act == PV_RELU ? "relu" : "linear");
    if (!parse_count(t, &width))
        return lx_fail(lx, lx->line,
                       "bad width '%s' for layer %d: expected a positive "
                       "integer at most %d", excerpt(q, sizeof q, t), k,
                       PV_MAX_WIDTH);
    pv_status st = lx_expect_end(lx, "layer ACTIVATION WIDTH");
    if (st != PV_OK)
        return st;
    int in = ps->net.nlayers > 0 ? ps->net.layers[ps->net.nlayers - 1].out
                                 : ps->net.input_dim;
    uint64_t entries = (uint64_t)in * (uint64_t)width;
    if (entries > PV_SMALL_LAYER_ENTRIES && entries > lx->len - lx->next)
        return lx_fail(lx, lx->line,
                       "layer %d declares %d x %d weights, but only %zu "
                       "bytes of the file follow (truncated file or wrong "
                       "width?)", k, width, in, lx->len - lx->next);
    st = pv__net_append_dense(&ps->net, act == PV_RELU ? width : 0, width, lx->err);
    if (st != PV_OK)
        return st;
    return PV_OK;
}

/* Parses one number token into out; `where` describes its place. */
static pv_status parse_number(lexer *lx, span t, mpq_t out, const char *where)
{
    const char *why = NULL;
    char q[200];
    pv_status st = pv_rational_parse(out, t.p, t.n, &why);
    if (st == PV_OK)
        return PV_OK;
    if (st == PV_ERR_NOMEM)
        return pv_error_set(lx->err, st, "out of memory");
    return lx_fail(lx, lx->line, "bad number '%s' in %s: %s",
                   excerpt(q, sizeof q, t), where, why);
}

/* Reads the numbers of the current line into out[0..want); fails naming the
 * expected and found counts. */
static pv_status parse_number_list(lexer *lx, mpq_t *out, int want,
                                   const char *where)
{
    span t;
    int found = 0;
    while (lx_token(lx, &t)) {
        if (found < want) {
            pv_status st = parse_number(lx, t, out[found], where);
            if (st != PV_OK)
                return st;
        }
        found++;
    }
    if (found != want)
        return lx_fail(lx, lx->line, "expected %d number%s in %s, found %d",
                       want, want == 1 ? "" : "s", where, found);
    return PV_OK;
}

static pv_status parse_rows(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    pv_layer *L = &ps->net.layers[ps->net.nlayers - 1];
    int k = ps->net.nlayers;
    char where[96], q[200];
    for (int i = 0; i < L->out; i++) {
        snprintf(where, sizeof where, "row %d of layer %d", i + 1, k);
        int r = lx_next_line(lx);
        if (r < 0)
            return PV_ERR_PARSE;
        if (r == 0)
            return lx_fail(lx, lx_eof_line(lx),
                           "unexpected end of file: expected %s (%d "
                           "number%s; layer %d has width %d)", where, L->in,
                           L->in == 1 ? "" : "s", k, L->out);
        span t;
        size_t save = lx->cur_pos;
        lx_token(lx, &t);
        if (span_is(t, "bias") || span_is(t, "layer") ||
            span_is(t, "input") || span_is(t, "pvnet"))
            return lx_fail(lx, lx->line,
                           "expected %s (%d number%s), found '%s': layer %d "
                           "has width %d, so it needs %d rows", where, L->in,
                           L->in == 1 ? "" : "s", excerpt(q, sizeof q, t), k,
                           L->out, L->out);
        lx->cur_pos = save;
        pv_status st = parse_number_list(lx, L->w + (size_t)i * (size_t)L->in,
                                         L->in, where);
        if (st != PV_OK)
            return st;
    }
    return PV_OK;
}

/* `bias b1 ... bW`, all on one line (like rows, so every line of the file
 * is self-describing and errors point at one line). */
static pv_status parse_bias(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    pv_layer *L = &ps->net.layers[ps->net.nlayers - 1];
    int k = ps->net.nlayers;
    char where[64], q[200];
    int r = lx_next_line(lx);
    if (r < 0)
        return PV_ERR_PARSE;
    if (r == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "unexpected end of file: expected 'bias' and %d "
                       "number%s for layer %d", L->out,
                       L->out == 1 ? "" : "s", k);
    span t;
    lx_token(lx, &t);
    if (!span_is(t, "bias")) {
        mpq_t v;
        mpq_init(v);
        int is_number = pv_rational_parse(v, t.p, t.n, NULL) == PV_OK;
        mpq_clear(v);
        if (is_number)
            return lx_fail(lx, lx->line,
                           "expected 'bias' and %d number%s for layer %d, "
                           "found another row (layer %d has width %d)",
                           L->out, L->out == 1 ? "" : "s", k, k, L->out);
        return lx_fail(lx, lx->line,
                       "expected 'bias' and %d number%s for layer %d, "
                       "found '%s'", L->out, L->out == 1 ? "" : "s", k,
                       excerpt(q, sizeof q, t));
    }
    snprintf(where, sizeof where, "the bias of layer %d", k);
    return parse_number_list(lx, L->b, L->out, where);
}

static pv_status parse_layers(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    for (;;) {
        int r = lx_next_line(lx);
        if (r < 0)
            return PV_ERR_PARSE;
        if (r == 0)
            break;
        span t;
        lx_token(lx, &t);
        if (!span_is(t, "layer"))
            return misplaced_line(ps, t);
        pv_status st = parse_layer_line(ps);
        if (st == PV_OK)
            st = parse_rows(ps);
        if (st == PV_OK)
            st = parse_bias(ps);
        if (st != PV_OK)
            return st;
    }
    if (ps->net.nlayers == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "expected at least one 'layer relu|linear WIDTH', "
                       "found end of file");
    return PV_OK;
}

static pv_status parse_pvnet(pv_net *net, const char *text, size_t len,
                             const char *name, pv_error *err)
{
    pvnet_parse ps;
    memset(&ps, 0, sizeof ps);
    ps.lx.text = text != NULL ? text : "";
    ps.lx.len = text != NULL ? len : 0;
    ps.lx.name = name != NULL ? name : "<pvnet>";
    ps.lx.err = err;
    pv__net_init(&ps.net);
    pv_status st = parse_header(&ps);
    if (st == PV_OK)
        st = parse_input(&ps);
    if (st == PV_OK)
        st = parse_layers(&ps);
    if (st != PV_OK) {
        pv__net_clear(&ps.net);
        return st;
    }
    strcpy(ps.net.format, "pvnet");
    st = pv_net_finalize(&ps.net, err);
    if (st != PV_OK) {
        pv__net_clear(&ps.net);
        return st;
    }
    /* The caller's net (initialised, possibly holding an older network) is
     * replaced only on success. */
    pv__net_clear(net);
    *net = ps.net;
    return PV_OK;
}

pv_status pv_net_parse_pvnet(pv_net *net, const char *text, size_t len,
                             const char *name, pv_error *err)
{
    PV_GUARD(err, parse_pvnet(net, text, len, name, err), (void)0);
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

static int write_mpq(FILE *fp, const mpq_t q)
{
    return mpq_out_str(fp, 10, q) > 0;
}

static int write_body(FILE *fp, const pv_net *net)
{
    int ok = fprintf(fp, "# written by polyverify; exact rationals\n"
                         "pvnet 1\ninput %d\n", net->input_dim) > 0;
    if (net->has_box && net->box_lo != NULL && net->box_hi != NULL) {
        /* .pvnet has no box syntax; keep the default box as a comment. */
        ok = ok && fputs("# default input box (lo hi per coordinate):", fp) >= 0;
        for (int i = 0; ok && i < net->input_dim; i++)
            ok = fputc(' ', fp) != EOF && write_mpq(fp, net->box_lo[i]) &&
                 fputc(' ', fp) != EOF && write_mpq(fp, net->box_hi[i]);
        ok = ok && fputc('\n', fp) != EOF;
    }
    for (int k = 0; ok && k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        ok = fprintf(fp, "layer %s %d\n", L->act == PV_RELU ? "relu" : "linear",
                     L->out) > 0;
        for (int i = 0; ok && i < L->out; i++) {
            for (int j = 0; ok && j < L->in; j++)
                ok = (j == 0 || fputc(' ', fp) != EOF) &&
                     write_mpq(fp, L->w[(size_t)i * (size_t)L->in + (size_t)j]);
            ok = ok && fputc('\n', fp) != EOF;
        }
        ok = ok && fputs("bias", fp) >= 0;
        for (int i = 0; ok && i < L->out; i++)
            ok = fputc(' ', fp) != EOF && write_mpq(fp, L->b[i]);
        ok = ok && fputc('\n', fp) != EOF;
    }
    return ok && !ferror(fp);
}

static pv_status write_pvnet(const pv_net *net, const char *path,
                             pv_error *err)
{
    if (net->input_dim <= 0 || net->nlayers <= 0)
        return pv_error_set(err, PV_ERR_ARG,
                            "%s: cannot write a network without input or "
                            "layers", path);
    /* A failure never leaves a partial network behind (outfile.h). */
    pv_outfile o;
    pv_status rc = pv_outfile_open(&o, path, err);
    if (rc != PV_OK)
        return rc;
    if (!write_body(o.f, net)) {
        pv_outfile_abort(&o);
        return pv_error_set(err, PV_ERR_IO, "%s: cannot write", path);
    }
    return pv_outfile_commit(&o, err);
}

pv_status pv_net_write_pvnet(const pv_net *net, const char *path,
                             pv_error *err)
{
    PV_GUARD(err, write_pvnet(net, path, err), (void)0);
}


/* Does the first line that is not blank or a comment start with `pvnet`? */
int pv__looks_like_pvnet(const char *text, size_t len)
{
    lexer lx;
    memset(&lx, 0, sizeof lx);
    lx.text = text;
    lx.len = len;
    lx.name = "";
    if (lx_next_line(&lx) != 1)
        return 0;
    span t;
    return lx_token(&lx, &t) && span_is(t, "pvnet");
}
