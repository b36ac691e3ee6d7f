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

/* A non-negative integer at most INT32_MAX (a bit index, a column). */
static int parse_index(span t, int *out)
{
    if (t.n == 0 || t.n > 10)
        return 0;
    long long v = 0;
    for (size_t i = 0; i < t.n; i++) {
        if (t.p[i] < '0' || t.p[i] > '9')
            return 0;
        v = v * 10 + (t.p[i] - '0');
    }
    if (v > INT32_MAX)
        return 0;
    *out = (int)v;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* .pvnet grammar                                                            */

typedef struct pvnet_parse {
    lexer lx;
    pv_net net;        /* built here, moved to the caller on success */
    int version;       /* 1 or 2: what the header says                */
    int header_line, input_line, first_layer_line;
    int *part_lines;   /* the line of each code part net.parts[i]     */
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
    if (span_is(t, "1") || span_is(t, "2"))
        ps->version = t.p[0] - '0';
    else
        return lx_fail(lx, lx->line,
                       "unsupported pvnet version '%s' (expected 'pvnet 1' "
                       "or 'pvnet 2')", excerpt(q, sizeof q, t));
    ps->header_line = lx->line;
    return lx_expect_end(lx, ps->version == 1 ? "pvnet 1" : "pvnet 2");
}

/* A pvnet 2 construct (`what`) on the current line of a pvnet 1 file. */
static pv_status needs_version_2(pvnet_parse *ps, const char *what)
{
    return lx_fail(&ps->lx, ps->lx.line,
                   "%s need 'pvnet 2' (the header on line %d says 'pvnet 1')",
                   what, ps->header_line);
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

/* Could t start a row: a number, or in pvnet 2 a sparse entry `j:w` or
 * the empty row `-`? (For messages about rows where none belongs.) */
static int looks_like_row(const pvnet_parse *ps, span t)
{
    if (ps->version >= 2 && (span_is(t, "-") || memchr(t.p, ':', t.n)))
        return 1;
    mpq_t v;
    mpq_init(v);
    int is_number = pv_rational_parse(v, t.p, t.n, NULL) == PV_OK;
    mpq_clear(v);
    return is_number;
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
    if (looks_like_row(ps, t) && ps->net.nlayers > 0) {
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

/* `[d1,d2,...]` (non-negative integers, no blanks) as pv_code_part writes
 * shapes, "[d1, d2, ...]", and the number of elements (saturated: it is
 * only compared with a bit count). */
static int parse_shape(span t, char *out, size_t size, uint64_t *numel)
{
    if (t.n < 2 || t.p[0] != '[' || t.p[t.n - 1] != ']')
        return 0;
    size_t o = 0, i = 1, end = t.n - 1;
    uint64_t prod = 1, cap = (uint64_t)1 << 40;   /* > any bit count */
    out[o++] = '[';
    while (i < end) {
        size_t j = i;
        uint64_t d = 0;
        while (j < end && j - i < 12 && t.p[j] >= '0' && t.p[j] <= '9')
            d = d * 10 + (uint64_t)(t.p[j++] - '0');
        if (j == i || (j < end && t.p[j] != ',') || j + 1 == end ||
            o + (j - i) + 4 > size)
            return 0;
        if (i > 1) {
            out[o++] = ',';
            out[o++] = ' ';
        }
        memcpy(out + o, t.p + i, j - i);
        o += j - i;
        prod = d != 0 && prod > cap / d ? cap + 1 : prod * d;
        i = j + (j < end);
    }
    out[o++] = ']';
    out[o] = '\0';
    *numel = prod;
    return 1;
}

/* `code FIRST NBITS OP BITS_PER_ELEMENT SHAPE NODE` (pvnet 2, between
 * `input` and the first layer): one part of the code layout. Its bits are
 * checked against the layers once they are read (check_code_parts). */
static pv_status parse_code_line(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    char q[200];
    span f[6], t;
    int n = 0;
    while (n < 6 && lx_token(lx, &f[n]))
        n++;
    if (n < 6)
        return lx_fail(lx, lx->line,
                       "expected 'code FIRST NBITS OP BITS_PER_ELEMENT SHAPE "
                       "NODE', found %d of the 6 fields", n);
    pv_code_part part;
    memset(&part, 0, sizeof part);
    uint64_t numel;
    if (!parse_index(f[0], &part.first))
        return lx_fail(lx, lx->line, "bad first bit '%s' of a code part: "
                       "expected an integer >= 0", excerpt(q, sizeof q, f[0]));
    if (!parse_index(f[1], &part.count) || part.count < 1)
        return lx_fail(lx, lx->line, "bad bit count '%s' of a code part: "
                       "expected a positive integer",
                       excerpt(q, sizeof q, f[1]));
    if (f[2].n >= sizeof part.op)
        return lx_fail(lx, lx->line, "op '%s' of a code part is too long "
                       "(at most %zu characters)", excerpt(q, sizeof q, f[2]),
                       sizeof part.op - 1);
    memcpy(part.op, f[2].p, f[2].n);
    if (!parse_index(f[3], &part.per_element))
        return lx_fail(lx, lx->line, "bad bits per element '%s' of a code "
                       "part: expected an integer >= 0 (0 for MaxPool's "
                       "tournament)", excerpt(q, sizeof q, f[3]));
    if (!parse_shape(f[4], part.shape, sizeof part.shape, &numel))
        return lx_fail(lx, lx->line, "bad shape '%s' of a code part: "
                       "expected [D1,D2,...] (integers >= 0, no blanks, at "
                       "most %zu characters)", excerpt(q, sizeof q, f[4]),
                       sizeof part.shape - 1);
    if (part.per_element > 0 &&
        (numel > (uint64_t)part.count ||
         (uint64_t)part.per_element * numel != (uint64_t)part.count))
        return lx_fail(lx, lx->line, "code part of %d bits, but shape %s "
                       "has %llu elements of %d bit%s each", part.count,
                       part.shape, (unsigned long long)numel,
                       part.per_element, part.per_element == 1 ? "" : "s");
    if (f[5].n >= sizeof part.node)
        return lx_fail(lx, lx->line, "node name '%s' of a code part is too "
                       "long (at most %zu characters)",
                       excerpt(q, sizeof q, f[5]), sizeof part.node - 1);
    memcpy(part.node, f[5].p, f[5].n);
    if (lx_token(lx, &t))
        return lx_fail(lx, lx->line, "unexpected '%s' after the node name of "
                       "a code part (a name is one word)",
                       excerpt(q, sizeof q, t));
    int np = ps->net.nparts;
    ps->part_lines = pv_realloc(ps->part_lines,
                                ((size_t)np + 1) * sizeof *ps->part_lines);
    ps->part_lines[np] = lx->line;
    return pv__net_add_code_part(&ps->net, &part, lx->err);
}

/* The code parts, in bit order without overlap, within the ReLU neurons
 * the layers have. */
static pv_status check_code_parts(pvnet_parse *ps)
{
    const pv_net *net = &ps->net;
    for (int i = 0; i < net->nparts; i++) {
        const pv_code_part *P = &net->parts[i], *Q = &net->parts[i - (i > 0)];
        long long last = (long long)P->first + P->count - 1;
        if (i > 0 && P->first < Q->first + Q->count)
            return lx_fail(&ps->lx, ps->part_lines[i],
                           "code part starts at bit %d, inside or before the "
                           "part on line %d (bits %d..%d): parts go in bit "
                           "order and do not overlap", P->first,
                           ps->part_lines[i - 1], Q->first,
                           Q->first + Q->count - 1);
        if (last >= net->neurons)
            return lx_fail(&ps->lx, ps->part_lines[i],
                           "code part covers bits %d..%lld, but the network "
                           "has %d ReLU neuron%s (bits 0..%d)", P->first,
                           last, net->neurons, net->neurons == 1 ? "" : "s",
                           net->neurons - 1);
    }
    return PV_OK;
}

/* The rest of a `layer` line: `relu N` or `linear N`, and in pvnet 2 also
 * `relu R linear L` (a mixed layer: R ReLU rows, then L linear rows) and a
 * final `sparse` (rows of `j:w` entries). */
static pv_status parse_layer_line(pvnet_parse *ps, int *nrelu, int *width,
                                  int *sparse)
{
    lexer *lx = &ps->lx;
    char q[200];
    span t;
    int k = ps->net.nlayers + 1;  /* 1-based, as in messages */
    pv_activation act;
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
    if (!parse_count(t, width))
        return lx_fail(lx, lx->line,
                       "bad width '%s' for layer %d: expected a positive "
                       "integer at most %d", excerpt(q, sizeof q, t), k,
                       PV_MAX_WIDTH);
    *nrelu = act == PV_RELU ? *width : 0;
    *sparse = 0;
    const char *form = "layer ACTIVATION WIDTH";
    size_t save = lx->cur_pos;
    int more = lx_token(lx, &t);
    if (more && act == PV_RELU && span_is(t, "linear")) {
        int lin;
        if (ps->version < 2)
            return needs_version_2(ps, "mixed layers ('layer relu R linear L')");
        if (!lx_token(lx, &t))
            return lx_fail(lx, lx->line,
                           "expected the number of linear rows of layer %d "
                           "after 'linear', found end of line", k);
        if (!parse_count(t, &lin) || lin > PV_MAX_WIDTH - *width)
            return lx_fail(lx, lx->line,
                           "bad number of linear rows '%s' for layer %d: "
                           "expected a positive integer, at most %d rows in "
                           "all", excerpt(q, sizeof q, t), k, PV_MAX_WIDTH);
        *width += lin;
        form = "layer relu R linear L";
        save = lx->cur_pos;
        more = lx_token(lx, &t);
    }
    if (more && span_is(t, "sparse")) {
        if (ps->version < 2)
            return needs_version_2(ps, "sparse layers ('layer ... sparse')");
        *sparse = 1;
        form = "sparse";
    } else if (more && ps->version >= 2 && act == PV_LINEAR &&
               span_is(t, "relu")) {
        return lx_fail(lx, lx->line,
                       "the ReLU rows of a mixed layer come first: write "
                       "layer %d as 'layer relu R linear L'", k);
    } else {
        lx->cur_pos = save;
    }
    return lx_expect_end(lx, form);
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

/* Moves to the line of a row (`where`, of layer k with `out` rows): fails
 * at the end of the file and on a line that starts a keyword. `what` says
 * what a row holds. */
static pv_status row_line(pvnet_parse *ps, const char *where,
                          const char *what, int k, int out)
{
    lexer *lx = &ps->lx;
    char q[200];
    int r = lx_next_line(lx);
    if (r < 0)
        return PV_ERR_PARSE;
    if (r == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "unexpected end of file: expected %s (%s; layer %d "
                       "has width %d)", where, what, k, out);
    span t;
    size_t save = lx->cur_pos;
    lx_token(lx, &t);
    if (span_is(t, "bias") || span_is(t, "layer") ||
        span_is(t, "input") || span_is(t, "pvnet"))
        return lx_fail(lx, lx->line,
                       "expected %s (%s), found '%s': layer %d has width %d, "
                       "so it needs %d rows", where, what,
                       excerpt(q, sizeof q, t), k, out, out);
    lx->cur_pos = save;
    return PV_OK;
}

static pv_status parse_rows(pvnet_parse *ps)
{
    lexer *lx = &ps->lx;
    pv_layer *L = &ps->net.layers[ps->net.nlayers - 1];
    int k = ps->net.nlayers;
    char where[96], what[48];
    snprintf(what, sizeof what, "%d number%s", L->in, L->in == 1 ? "" : "s");
    for (int i = 0; i < L->out; i++) {
        snprintf(where, sizeof where, "row %d of layer %d", i + 1, k);
        pv_status st = row_line(ps, where, what, k, L->out);
        if (st == PV_OK)
            st = parse_number_list(lx, L->w + (size_t)i * (size_t)L->in,
                                   L->in, where);
        if (st != PV_OK)
            return st;
    }
    return PV_OK;
}

/* `bias b1 ... bW` of layer k (out numbers into b), all on one line (like
 * rows, so every line of the file is self-describing and errors point at
 * one line). */
static pv_status parse_bias(pvnet_parse *ps, mpq_t *b, int out, int k)
{
    lexer *lx = &ps->lx;
    char where[64], q[200];
    int r = lx_next_line(lx);
    if (r < 0)
        return PV_ERR_PARSE;
    if (r == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "unexpected end of file: expected 'bias' and %d "
                       "number%s for layer %d", out, out == 1 ? "" : "s", k);
    span t;
    lx_token(lx, &t);
    if (!span_is(t, "bias")) {
        if (looks_like_row(ps, t))
            return lx_fail(lx, lx->line,
                           "expected 'bias' and %d number%s for layer %d, "
                           "found another row (layer %d has width %d)",
                           out, out == 1 ? "" : "s", k, k, out);
        return lx_fail(lx, lx->line,
                       "expected 'bias' and %d number%s for layer %d, "
                       "found '%s'", out, out == 1 ? "" : "s", k,
                       excerpt(q, sizeof q, t));
    }
    snprintf(where, sizeof where, "the bias of layer %d", k);
    return parse_number_list(lx, b, out, where);
}

/* A dense layer of `width` rows (the first nrelu ReLU): one row of numbers
 * per row, then the bias. */
static pv_status parse_dense_layer(pvnet_parse *ps, int nrelu, int width)
{
    lexer *lx = &ps->lx;
    int k = ps->net.nlayers + 1;
    int in = ps->net.nlayers > 0 ? ps->net.layers[ps->net.nlayers - 1].out
                                 : ps->net.input_dim;
    uint64_t entries = (uint64_t)in * (uint64_t)width;
    if (entries > PV_SMALL_LAYER_ENTRIES && entries > lx->len - lx->next)
        return lx_fail(lx, lx->line,
                       "layer %d declares %d x %d weights, but only %zu "
                       "bytes of the file follow (truncated file or wrong "
                       "width?)", k, width, in, lx->len - lx->next);
    pv_status st = pv__net_append_dense(&ps->net, nrelu, width, lx->err);
    if (st == PV_OK)
        st = parse_rows(ps);
    if (st != PV_OK)
        return st;
    pv_layer *L = &ps->net.layers[ps->net.nlayers - 1];
    return parse_bias(ps, L->b, L->out, k);
}

/* A sparse layer being read: its CSR arrays, grown entry by entry. */
typedef struct sparse_rows {
    int *rp, *ci;
    mpq_t *w;
    size_t nnz, cap;     /* initialised weights, room */
} sparse_rows;

static void values_free(mpq_t *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        mpq_clear(v[i]);
    pv_free(v);
}

/* One sparse row, the current line: `-` (no entry) or `j:w` entries with
 * increasing 0-based columns j < in. */
static pv_status parse_sparse_row(pvnet_parse *ps, sparse_rows *S, int in,
                                  int k, const char *where)
{
    lexer *lx = &ps->lx;
    char q[200];
    span t;
    int prev = -1;
    while (lx_token(lx, &t)) {
        if (prev == -1 && span_is(t, "-")) {
            if (lx_token(lx, &t))
                return lx_fail(lx, lx->line, "unexpected '%s' in %s after "
                               "'-' (the empty row)", excerpt(q, sizeof q, t),
                               where);
            return PV_OK;
        }
        const char *colon = memchr(t.p, ':', t.n);
        span cs = { t.p, colon ? (size_t)(colon - t.p) : 0 };
        int col;
        if (colon == NULL || !parse_index(cs, &col))
            return lx_fail(lx, lx->line, "bad entry '%s' in %s: expected "
                           "COLUMN:WEIGHT with a 0-based column, or '-' for "
                           "an empty row", excerpt(q, sizeof q, t), where);
        if (col >= in)
            return lx_fail(lx, lx->line, "column %d out of range in %s: "
                           "layer %d reads %d value%s (columns 0..%d)", col,
                           where, k, in, in == 1 ? "" : "s", in - 1);
        if (col <= prev)
            return lx_fail(lx, lx->line, "column %d after column %d in %s: "
                           "columns must increase", col, prev, where);
        if (S->nnz == S->cap) {
            S->cap *= 2;
            S->ci = pv_realloc(S->ci, S->cap * sizeof *S->ci);
            S->w = pv_realloc(S->w, S->cap * sizeof *S->w);
        }
        span ws = { colon + 1, t.n - cs.n - 1 };
        mpq_init(S->w[S->nnz]);
        S->ci[S->nnz++] = col;
        pv_status st = parse_number(lx, ws, S->w[S->nnz - 1], where);
        if (st != PV_OK)
            return st;
        prev = col;
    }
    return PV_OK;
}

/* A sparse layer of `width` rows (the first nrelu ReLU): one line of
 * entries per row, then the bias; built with pv__net_add_sparse_layer. */
static pv_status parse_sparse_layer(pvnet_parse *ps, int nrelu, int width)
{
    lexer *lx = &ps->lx;
    int k = ps->net.nlayers + 1;
    int in = ps->net.nlayers > 0 ? ps->net.layers[ps->net.nlayers - 1].out
                                 : ps->net.input_dim;
    if ((unsigned)width > PV_SMALL_LAYER_ENTRIES &&
        (size_t)width > lx->len - lx->next)
        return lx_fail(lx, lx->line,
                       "layer %d declares %d sparse rows, but only %zu bytes "
                       "of the file follow (truncated file or wrong width?)",
                       k, width, lx->len - lx->next);
    sparse_rows S = { NULL, NULL, NULL, 0, 16 };
    S.rp = pv_malloc(((size_t)width + 1) * sizeof *S.rp);
    S.ci = pv_malloc(S.cap * sizeof *S.ci);
    S.w = pv_malloc(S.cap * sizeof *S.w);
    S.rp[0] = 0;
    mpq_t *b = NULL;
    char where[96];
    pv_status st = PV_OK;
    for (int i = 0; st == PV_OK && i < width; i++) {
        snprintf(where, sizeof where, "row %d of layer %d", i + 1, k);
        st = row_line(ps, where, "'j:w' entries or '-'", k, width);
        if (st == PV_OK)
            st = parse_sparse_row(ps, &S, in, k, where);
        S.rp[i + 1] = (int)S.nnz;
    }
    if (st == PV_OK) {
        b = pv_malloc(((size_t)width + 1) * sizeof *b);
        for (int i = 0; i < width; i++)
            mpq_init(b[i]);
        st = parse_bias(ps, b, width, k);
    }
    if (st != PV_OK) {
        values_free(S.w, S.nnz);
        values_free(b, b != NULL ? (size_t)width : 0);
        pv_free(S.rp);
        pv_free(S.ci);
        return st;
    }
    return pv__net_add_sparse_layer(&ps->net, nrelu, width, S.rp, S.ci, S.w,
                                    b, lx->err);
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
        pv_status st;
        if (span_is(t, "code")) {
            if (ps->version < 2)
                return needs_version_2(ps, "'code' lines");
            if (ps->net.nlayers > 0)
                return lx_fail(lx, lx->line,
                               "'code' lines go between 'input' and the "
                               "first layer (line %d)", ps->first_layer_line);
            st = parse_code_line(ps);
            if (st != PV_OK)
                return st;
            continue;
        }
        if (!span_is(t, "layer"))
            return misplaced_line(ps, t);
        if (ps->net.nlayers == 0)
            ps->first_layer_line = lx->line;
        int nrelu = 0, width = 0, sparse = 0;
        st = parse_layer_line(ps, &nrelu, &width, &sparse);
        if (st == PV_OK)
            st = sparse ? parse_sparse_layer(ps, nrelu, width)
                        : parse_dense_layer(ps, nrelu, width);
        if (st != PV_OK)
            return st;
    }
    if (ps->net.nlayers == 0)
        return lx_fail(lx, lx_eof_line(lx),
                       "expected at least one 'layer relu|linear WIDTH', "
                       "found end of file");
    return check_code_parts(ps);
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
    pv_free(ps.part_lines);
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

/* Does net need pvnet 2: a mixed or sparse layer, or a code layout? Every
 * other network is written as pvnet 1, as before pvnet 2 existed. */
static int needs_pvnet2(const pv_net *net)
{
    for (int k = 0; k < net->nlayers; k++)
        if (net->layers[k].rp != NULL || net->layers[k].act == PV_MIXED)
            return 1;
    return net->nparts > 0;
}

/* A name as the one word a code line reads: blanks, '#' and control bytes
 * become '_', the empty name '-'. */
static int write_word(FILE *fp, const char *s)
{
    if (*s == '\0')
        return fputc('-', fp) != EOF;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (fputc(c <= ' ' || c == '#' || c == 0x7f ? '_' : c, fp) == EOF)
            return 0;
    }
    return 1;
}

/* A shape "[1, 16, 8, 8]" as one word, "[1,16,8,8]". */
static int write_shape(FILE *fp, const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && fputc(*s, fp) == EOF)
            return 0;
    return 1;
}

static int write_code_parts(FILE *fp, const pv_net *net)
{
    int ok = net->nparts == 0 ||
             fputs("# code layout: code FIRST NBITS OP BITS_PER_ELEMENT "
                   "SHAPE NODE\n", fp) >= 0;
    for (int i = 0; ok && i < net->nparts; i++) {
        const pv_code_part *P = &net->parts[i];
        ok = fprintf(fp, "code %d %d ", P->first, P->count) > 0 &&
             write_word(fp, P->op) &&
             fprintf(fp, " %d ", P->per_element) > 0 &&
             write_shape(fp, P->shape[0] ? P->shape : "[]") &&
             fputc(' ', fp) != EOF && write_word(fp, P->node) &&
             fputc('\n', fp) != EOF;
    }
    return ok;
}

static int write_layer_line(FILE *fp, const pv_layer *L)
{
    int ok;
    if (L->act == PV_MIXED)
        ok = fprintf(fp, "layer relu %d linear %d", L->nrelu,
                     L->out - L->nrelu) > 0;
    else
        ok = fprintf(fp, "layer %s %d", L->act == PV_RELU ? "relu" : "linear",
                     L->out) > 0;
    return ok && fputs(L->rp != NULL ? " sparse\n" : "\n", fp) >= 0;
}

/* Row i: its numbers (dense), its `j:w` entries or `-` (sparse). */
static int write_row(FILE *fp, const pv_layer *L, int i)
{
    size_t b = pv_layer_row_begin(L, i), e = pv_layer_row_end(L, i);
    int ok = L->rp == NULL || b < e || fputc('-', fp) != EOF;
    for (size_t p = b; ok && p < e; p++)
        ok = (p == b || fputc(' ', fp) != EOF) &&
             (L->rp == NULL || fprintf(fp, "%d:", L->ci[p]) > 0) &&
             write_mpq(fp, L->w[p]);
    return ok && fputc('\n', fp) != EOF;
}

static int write_body(FILE *fp, const pv_net *net)
{
    int v2 = needs_pvnet2(net);
    int ok = fprintf(fp, "# written by polyverify; exact rationals\n"
                         "pvnet %d\ninput %d\n", v2 ? 2 : 1,
                     net->input_dim) > 0;
    if (net->has_box && net->box_lo != NULL && net->box_hi != NULL) {
        /* .pvnet has no box syntax; keep the default box as a comment. */
        ok = ok && fputs("# default input box (lo hi per coordinate):", fp) >= 0;
        for (int i = 0; ok && i < net->input_dim; i++)
            ok = fputc(' ', fp) != EOF && write_mpq(fp, net->box_lo[i]) &&
                 fputc(' ', fp) != EOF && write_mpq(fp, net->box_hi[i]);
        ok = ok && fputc('\n', fp) != EOF;
    }
    ok = ok && write_code_parts(fp, net);
    for (int k = 0; ok && k < net->nlayers; k++) {
        const pv_layer *L = &net->layers[k];
        ok = write_layer_line(fp, L);
        for (int i = 0; ok && i < L->out; i++)
            ok = write_row(fp, L, i);
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
