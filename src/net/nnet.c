/* polyverify — the .nnet format (ACAS Xu; sisl/NNet), read exactly.
 *
 * Layout (every field comma-separated, most lines end with a comma):
 *   // comment lines            zero or more, only at the top
 *   L, m, n, maxLayerSize       L = number of weight layers
 *   s0, s1, ..., sL             layer sizes, s0 = m, sL = n
 *   flag                        legacy "symmetric" flag, ignored
 *   min_1..min_m                default input box (lower corner)
 *   max_1..max_m                default input box (upper corner)
 *   mean_1..mean_m, mean_out    input normalisation and output offset
 *   range_1..range_m, range_out
 *   per layer k: s_k lines of s_{k-1} weights (row i = weights into
 *   neuron i), then s_k lines of one bias each.
 * Hidden layers are ReLU, the last one is linear. Every number is decimal
 * text and is read as the rational it writes (0.1 is 1/10, DESIGN §2).
 *
 * That is the standard dialect. NeuralVerification.jl's dialect (the
 * files of its test/networks written for its `read_nnet`) has numLayers
 * alone on line A and five one-number placeholder lines instead of the
 * flag, minimums, maximums, means and ranges (its reader skips them): no
 * normalisation and no box. The number of fields on line A tells the two
 * apart; a file that mixes them is refused as ambiguous (see
 * read_standard_header and read_nvjl_header). */
#include "core/alloc.h"
#include "net/network_internal.h"
#include "polyverify/rational.h"
#include "core/text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NNET_MAX_LAYERS 10000
#define NNET_MAX_WIDTH 10000000
/* Above this many numbers, the file must hold at least two bytes per
 * number (digit and separator) before we allocate: a hostile header must
 * not make us allocate terabytes. Below it, a truncated file gets the
 * precise "unexpected end of file" message instead. */
#define NNET_SMALL_ENTRIES 65536

typedef struct nnet_reader {
    const char *text;
    size_t len;
    const char *name;
    pv_error *err;
    size_t next;        /* offset of the next unread line           */
    int lines_read;     /* physical number of the last line read    */
    int line;           /* number of the current content line       */
    const char *cur;    /* current line (without its newline)       */
    size_t cur_len;
    size_t pos;         /* next field starts here; > cur_len: done  */
    int seen_content;   /* comments are only allowed before this    */
} nnet_reader;

typedef struct field {
    const char *p;
    size_t n;
} field;

static pv_status nr_fail(const nnet_reader *r, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static pv_status nr_fail(const nnet_reader *r, int line, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return pv_error_set(r->err, PV_ERR_PARSE, "%s:%d: %s", r->name,
                        line < 1 ? 1 : line, what);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Advances to the next line that is not blank (and, before the first
 * content line, not a // comment). 1: a line; 0: end of file; -1: error
 * (a NUL byte: the file is not text). */
static int nr_next_line(nnet_reader *r)
{
    while (r->next < r->len) {
        const char *start = r->text + r->next;
        size_t rest = r->len - r->next;
        const char *nl = memchr(start, '\n', rest);
        size_t n = nl != NULL ? (size_t)(nl - start) : rest;
        r->next += nl != NULL ? n + 1 : n;
        r->lines_read++;
        if (memchr(start, '\0', n) != NULL) {
            nr_fail(r, r->lines_read,
                    "unexpected NUL byte (is this a .nnet text file?)");
            return -1;
        }
        size_t i = 0;
        while (i < n && is_blank(start[i]))
            i++;
        if (i == n)
            continue;
        if (!r->seen_content && n - i >= 2 && start[i] == '/' &&
            start[i + 1] == '/')
            continue;
        r->seen_content = 1;
        r->cur = start;
        r->cur_len = n;
        r->pos = 0;
        r->line = r->lines_read;
        return 1;
    }
    return 0;
}

/* Next comma-separated field of the current line, blanks trimmed.
 * 1: a field; 0: end of line (a trailing comma ends the line too);
 * -1: an empty field between two commas (error recorded). */
static int nr_field(nnet_reader *r, field *f)
{
    if (r->pos > r->cur_len)
        return 0;
    const char *s = r->cur + r->pos;
    size_t rest = r->cur_len - r->pos;
    const char *comma = memchr(s, ',', rest);
    size_t n = comma != NULL ? (size_t)(comma - s) : rest;
    r->pos += n + 1;   /* past the comma, or past the end: done */
    size_t a = 0, b = n;
    while (a < b && is_blank(s[a]))
        a++;
    while (b > a && is_blank(s[b - 1]))
        b--;
    if (a == b) {
        if (comma == NULL)
            return 0;
        nr_fail(r, r->line, "empty field between two commas");
        return -1;
    }
    f->p = s + a;
    f->n = b - a;
    return 1;
}

/* Counts the fields left on the current line (for "found K" messages). */
static int nr_count_rest(nnet_reader *r)
{
    int k = 0;
    field f;
    pv_error *saved = r->err;
    r->err = NULL;      /* an empty field here only matters for the count */
    int got;
    while ((got = nr_field(r, &f)) != 0)
        k += got > 0;
    r->err = saved;
    return k;
}

/* Parses the current line as exactly `count` exact numbers into out. */
static pv_status nr_parse_line(nnet_reader *r, mpq_t *out, int count,
                               const char *what)
{
    char q[64];
    for (int i = 0; i < count; i++) {
        field f;
        int ok = nr_field(r, &f);
        if (ok < 0)
            return PV_ERR_PARSE;
        if (ok == 0)
            return nr_fail(r, r->line, "expected %s: %d number%s, found %d",
                           what, count, count == 1 ? "" : "s", i);
        const char *why = NULL;
        if (pv_rational_parse(out[i], f.p, f.n, &why) != PV_OK)
            return nr_fail(r, r->line, "%s, number %d: '%s': %s", what,
                           i + 1, pv_excerpt(q, sizeof q, f.p, f.n),
                           why != NULL ? why : "expected a number");
    }
    int extra = nr_count_rest(r);
    if (extra > 0)
        return nr_fail(r, r->line, "expected %s: %d number%s, found %d",
                       what, count, count == 1 ? "" : "s", count + extra);
    return PV_OK;
}

/* Moves to the next content line; an error if the file ends first. */
static pv_status nr_expect_line(nnet_reader *r, int count, const char *what)
{
    int got = nr_next_line(r);
    if (got < 0)
        return PV_ERR_PARSE;
    if (got == 0)
        return nr_fail(r, r->lines_read + 1,
                       "unexpected end of file: expected %s (%d number%s)",
                       what, count, count == 1 ? "" : "s");
    return PV_OK;
}

/* Reads the next line as exactly `count` exact numbers into out. */
static pv_status nr_numbers(nnet_reader *r, mpq_t *out, int count,
                            const char *what)
{
    pv_status st = nr_expect_line(r, count, what);
    return st != PV_OK ? st : nr_parse_line(r, out, count, what);
}

/* The number of fields on the current line, without consuming them. */
static int nr_fields_here(nnet_reader *r)
{
    size_t pos = r->pos;
    r->pos = 0;
    int k = nr_count_rest(r);
    r->pos = pos;
    return k;
}

/* Parses the current line as exactly `count` integers in [lo, hi]. */
static pv_status nr_ints_line(nnet_reader *r, long *out, int count, long lo,
                              long hi, const char *what)
{
    mpq_t *v = pv_malloc((size_t)count * sizeof *v);
    if (v == NULL)
        return pv_error_set(r->err, PV_ERR_NOMEM, "out of memory");
    for (int i = 0; i < count; i++)
        mpq_init(v[i]);
    pv_status st = nr_parse_line(r, v, count, what);
    for (int i = 0; st == PV_OK && i < count; i++) {
        if (mpz_cmp_ui(mpq_denref(v[i]), 1) != 0 ||
            mpz_cmp_si(mpq_numref(v[i]), lo) < 0 ||
            mpz_cmp_si(mpq_numref(v[i]), hi) > 0)
            st = nr_fail(r, r->line, "%s, number %d: expected an integer "
                         "in %ld..%ld", what, i + 1, lo, hi);
        else
            out[i] = mpz_get_si(mpq_numref(v[i]));
    }
    for (int i = 0; i < count; i++)
        mpq_clear(v[i]);
    pv_free(v);
    return st;
}

/* Reads the next line as exactly `count` integers in [lo, hi]. */
static pv_status nr_ints(nnet_reader *r, long *out, int count, long lo,
                         long hi, const char *what)
{
    pv_status st = nr_expect_line(r, count, what);
    return st != PV_OK ? st : nr_ints_line(r, out, count, lo, hi, what);
}

/* ------------------------------------------------------------------------ */
/* Header                                                                    */

/* The two dialects (pv_net.dialect). The standard one is sisl/NNet's,
 * read by Reluplex and Marabou. NeuralVerification.jl's `read_nnet`
 * takes only the first field of line A (numLayers) and skips the five
 * lines after the layer sizes without reading them; the files written
 * for it alone (its test/networks/small_nnet.nnet, say) hold numLayers
 * alone on line A and a `0` on each of the five lines, and have no
 * normalisation: the weights are the network. */
#define DIALECT_STANDARD "standard"
#define DIALECT_NVJL "NeuralVerification.jl"

/* The five lines after the layer sizes. */
#define NNET_HEADER_LINES 5

/* The text NeuralVerification.jl's `write_nnet` puts on the flag line of
 * the standard dialect; every reference reader ignores that line. */
#define NVJL_FLAG_TEXT "This line extraneous"

typedef struct nnet_header {
    long nlayers, m, n, maxsize;
    long *sizes;                  /* nlayers + 1                           */
    mpq_t *mins, *maxs;           /* m each                                */
    mpq_t *means, *ranges;        /* m + 1 each (the last: output)         */
    int line_a, sizes_line, min_line, max_line, range_line;
    int nvjl;                     /* the NeuralVerification.jl dialect     */
    int normalised;               /* mins..ranges read and to be applied   */
} nnet_header;

static void vec_free(mpq_t *v, long n)
{
    if (v == NULL)
        return;
    for (long i = 0; i < n; i++)
        mpq_clear(v[i]);
    pv_free(v);
}

static mpq_t *vec_new(long n)
{
    mpq_t *v = pv_malloc((size_t)n * sizeof *v);
    if (v != NULL)
        for (long i = 0; i < n; i++)
            mpq_init(v[i]);
    return v;
}

static void header_free(nnet_header *h)
{
    pv_free(h->sizes);
    vec_free(h->mins, h->m);
    vec_free(h->maxs, h->m);
    vec_free(h->means, h->m + 1);
    vec_free(h->ranges, h->m + 1);
}

#define WHAT_LINE_A "the header line 'numLayers,inputSize,outputSize," \
                    "maxLayerSize' (or numLayers alone, the " \
                    "NeuralVerification.jl dialect)"

/* Line A: four numbers (standard) or numLayers alone (NeuralVerification.jl);
 * the count of fields decides the dialect. */
static pv_status read_line_a(nnet_reader *r, nnet_header *h)
{
    pv_status st = nr_expect_line(r, 4, WHAT_LINE_A);
    if (st != PV_OK)
        return st;
    h->line_a = r->line;
    long a[4] = { 0, 0, 0, 0 };
    if (nr_fields_here(r) == 1) {
        h->nvjl = 1;
        st = nr_ints_line(r, a, 1, 0, NNET_MAX_LAYERS, WHAT_LINE_A);
    } else {
        st = nr_ints_line(r, a, 4, 0, NNET_MAX_WIDTH, WHAT_LINE_A);
    }
    if (st != PV_OK)
        return st;
    h->nlayers = a[0];
    h->m = a[1];
    h->n = a[2];
    h->maxsize = a[3];
    if (h->nlayers < 1 || h->nlayers > NNET_MAX_LAYERS)
        return nr_fail(r, h->line_a, "numLayers is %ld: expected 1..%d",
                       h->nlayers, NNET_MAX_LAYERS);
    return PV_OK;
}

/* Line B, the layer sizes; the standard dialect checks them against
 * line A, the other one takes inputSize and outputSize from them. */
static pv_status read_sizes(nnet_reader *r, nnet_header *h)
{
    pv_status st = read_line_a(r, h);
    if (st != PV_OK)
        return st;
    h->sizes = pv_malloc((size_t)(h->nlayers + 1) * sizeof *h->sizes);
    if (h->sizes == NULL)
        return pv_error_set(r->err, PV_ERR_NOMEM, "out of memory");
    char what[96];
    snprintf(what, sizeof what, "the %ld layer sizes (numLayers+1, input "
             "to output)", h->nlayers + 1);
    st = nr_ints(r, h->sizes, (int)h->nlayers + 1, 1, NNET_MAX_WIDTH, what);
    if (st != PV_OK)
        return st;
    h->sizes_line = r->line;
    long biggest = 0;
    for (long k = 0; k <= h->nlayers; k++)
        biggest = h->sizes[k] > biggest ? h->sizes[k] : biggest;
    if (h->nvjl) {
        h->m = h->sizes[0];
        h->n = h->sizes[h->nlayers];
        h->maxsize = biggest;
        return PV_OK;
    }
    if (h->sizes[0] != h->m || h->sizes[h->nlayers] != h->n)
        return nr_fail(r, r->line, "layer sizes %ld..%ld disagree with "
                       "inputSize %ld and outputSize %ld on line %d",
                       h->sizes[0], h->sizes[h->nlayers], h->m, h->n,
                       h->line_a);
    /* The reference reader sizes its buffers by maxLayerSize. */
    if (h->maxsize < biggest)
        return nr_fail(r, h->line_a, "maxLayerSize %ld is smaller than the "
                       "largest layer size %ld on line %d", h->maxsize,
                       biggest, h->sizes_line);
    return PV_OK;
}

/* The minimums, maximums, means and ranges hold 4m + 2 numbers: like the
 * layers (check_room), a large inputSize must fit in the rest of the file
 * before anything is allocated for it. */
static pv_status check_header_room(const nnet_reader *r,
                                   const nnet_header *h)
{
    uint64_t need = 4 * (uint64_t)h->m + 2;
    uint64_t room = (uint64_t)(r->len - r->next) / 2 + 1;
    if (need > NNET_SMALL_ENTRIES && need > room)
        return nr_fail(r, h->sizes_line, "inputSize %ld needs %llu "
                       "minimums, maximums, means and ranges, but the rest "
                       "of the file can hold at most %llu numbers", h->m,
                       (unsigned long long)need, (unsigned long long)room);
    return PV_OK;
}

static pv_status read_vectors(nnet_reader *r, nnet_header *h)
{
    pv_status room = check_header_room(r, h);
    if (room != PV_OK)
        return room;
    h->mins = vec_new(h->m);
    h->maxs = vec_new(h->m);
    h->means = vec_new(h->m + 1);
    h->ranges = vec_new(h->m + 1);
    if (!h->mins || !h->maxs || !h->means || !h->ranges)
        return pv_error_set(r->err, PV_ERR_NOMEM, "out of memory");
    pv_status st = nr_numbers(r, h->mins, (int)h->m,
                              "the input minimums (one per input)");
    h->min_line = r->line;
    if (st == PV_OK)
        st = nr_numbers(r, h->maxs, (int)h->m,
                        "the input maximums (one per input)");
    h->max_line = r->line;
    if (st == PV_OK)
        st = nr_numbers(r, h->means, (int)h->m + 1,
                        "the means (one per input, then the output mean)");
    if (st == PV_OK)
        st = nr_numbers(r, h->ranges, (int)h->m + 1,
                        "the ranges (one per input, then the output range)");
    h->range_line = r->line;
    for (long i = 0; st == PV_OK && i < h->m; i++)
        if (mpq_cmp(h->mins[i], h->maxs[i]) > 0)
            st = nr_fail(r, h->max_line, "input %ld: maximum is below the "
                         "minimum on line %d", i + 1, h->min_line);
    for (long i = 0; st == PV_OK && i <= h->m; i++)
        if (mpq_sgn(h->ranges[i]) == 0)
            st = nr_fail(r, h->range_line, "range %ld is 0: the "
                         "normalisation divides by it", i + 1);
    return st;
}

/* The flag line ("0," or "0"): one field, value unused; NVJL_FLAG_TEXT
 * too, as every reference reader ignores the line. */
static pv_status read_flag(nnet_reader *r)
{
    const char *what = "the legacy flag line (one number, e.g. '0,')";
    pv_status st = nr_expect_line(r, 1, what);
    if (st != PV_OK)
        return st;
    field f;
    size_t pos = r->pos;
    if (nr_field(r, &f) > 0 && f.n == strlen(NVJL_FLAG_TEXT) &&
        !memcmp(f.p, NVJL_FLAG_TEXT, f.n) && nr_count_rest(r) == 0)
        return PV_OK;
    r->pos = pos;
    mpq_t flag;
    mpq_init(flag);
    st = nr_parse_line(r, &flag, 1, what);
    mpq_clear(flag);
    return st;
}

/* Field counts of the next NNET_HEADER_LINES content lines (0 past the
 * end of the file), read ahead without consuming them, to tell the two
 * dialects' header lines apart before parsing them. */
static void peek_header_lines(const nnet_reader *r, int counts[])
{
    nnet_reader ahead = *r;
    ahead.err = NULL;       /* a bad line is reported when it is parsed */
    for (int i = 0; i < NNET_HEADER_LINES; i++)
        counts[i] = nr_next_line(&ahead) > 0 ? nr_fields_here(&ahead) : 0;
}

/* Lines 3..7 hold a full standard header: 1, m, m, m+1, m+1 fields. */
static int counts_standard(const int counts[], long m)
{
    long want[NNET_HEADER_LINES] = { 1, m, m, m + 1, m + 1 };
    for (int i = 0; i < NNET_HEADER_LINES; i++)
        if (counts[i] != want[i])
            return 0;
    return 1;
}

static int counts_all_one(const int counts[])
{
    for (int i = 0; i < NNET_HEADER_LINES; i++)
        if (counts[i] != 1)
            return 0;
    return 1;
}

/* Is the normalisation x' = (x - mean)/range, y*range + mean the
 * identity (every mean 0, every range 1)? */
static int identity_normalisation(const nnet_header *h)
{
    for (long i = 0; i <= h->m; i++)
        if (mpq_sgn(h->means[i]) != 0 || mpq_cmp_ui(h->ranges[i], 1, 1))
            return 0;
    return 1;
}

/* Standard dialect: flag, minimums, maximums, means, ranges. A file whose
 * line A is standard but whose next lines are the other dialect's
 * one-number placeholders is ambiguous: say so, rather than "found 1". */
static pv_status read_standard_header(nnet_reader *r, nnet_header *h)
{
    int counts[NNET_HEADER_LINES];
    peek_header_lines(r, counts);
    if (counts_all_one(counts))
        return nr_fail(r, h->line_a, "ambiguous .nnet dialect: this line "
                       "has the standard header's 4 numbers, but the %d "
                       "lines after the layer sizes on line %d hold one "
                       "number each, like the NeuralVerification.jl "
                       "dialect, whose reader skips them; the standard "
                       "dialect needs the flag, %ld minimums, %ld maximums, "
                       "%ld means and %ld ranges there: write those, or "
                       "numLayers alone on this line", NNET_HEADER_LINES,
                       h->sizes_line, h->m, h->m, h->m + 1, h->m + 1);
    pv_status st = read_flag(r);
    if (st == PV_OK)
        st = read_vectors(r, h);
    h->normalised = st == PV_OK;
    return st;
}

/* The five placeholder lines of the NeuralVerification.jl dialect, one
 * number each (its reader skips them, so their values mean nothing). */
static pv_status read_placeholders(nnet_reader *r)
{
    mpq_t v;
    mpq_init(v);
    pv_status st = PV_OK;
    for (int i = 0; st == PV_OK && i < NNET_HEADER_LINES; i++)
        st = nr_numbers(r, &v, 1, "one number (a placeholder line of the "
                        "NeuralVerification.jl dialect, '0' in its files)");
    mpq_clear(v);
    return st;
}

/* NeuralVerification.jl dialect: five one-number placeholder lines. If
 * they are instead a full standard header, the file reads two ways: its
 * reader skips the normalisation that the standard readers apply. That
 * is refused unless the normalisation is the identity, when both
 * readings give the same network (no box: that reader has none). */
static pv_status read_nvjl_header(nnet_reader *r, nnet_header *h)
{
    int counts[NNET_HEADER_LINES];
    peek_header_lines(r, counts);
    if (!counts_standard(counts, h->m))
        return read_placeholders(r);
    pv_status st = read_flag(r);
    if (st == PV_OK)
        st = read_vectors(r, h);
    if (st != PV_OK || identity_normalisation(h))
        return st;
    return nr_fail(r, h->line_a, "ambiguous .nnet dialect: this line holds "
                   "numLayers alone (the NeuralVerification.jl dialect, "
                   "whose reader skips the 5 lines after the layer sizes on "
                   "line %d), but those lines are a standard header whose "
                   "means and ranges (up to line %d) "
                   "normalise the inputs and output, which the standard "
                   "readers apply: the two readings are different networks; "
                   "write 'numLayers,inputSize,outputSize,maxLayerSize' "
                   "here for the standard dialect, or '0' on each of those "
                   "lines for the other", h->sizes_line, h->range_line);
}

static pv_status read_header(nnet_reader *r, nnet_header *h)
{
    pv_status st = read_sizes(r, h);
    if (st != PV_OK)
        return st;
    return h->nvjl ? read_nvjl_header(r, h) : read_standard_header(r, h);
}

/* Refuses sizes that the rest of the file cannot possibly fill. */
static pv_status check_room(const nnet_reader *r, const nnet_header *h)
{
    uint64_t need = 0;
    for (long k = 1; k <= h->nlayers; k++)
        need += (uint64_t)h->sizes[k] * (uint64_t)(h->sizes[k - 1] + 1);
    uint64_t room = (uint64_t)(r->len - r->next) / 2 + 1;
    if (need > NNET_SMALL_ENTRIES && need > room)
        return nr_fail(r, h->sizes_line, "the layer sizes need %llu weights "
                       "and biases, but the rest of the file can hold at "
                       "most %llu", (unsigned long long)need,
                       (unsigned long long)room);
    return PV_OK;
}

/* ------------------------------------------------------------------------ */
/* Parameters and normalisation                                              */

static pv_status read_layer(nnet_reader *r, pv_layer *L, int k)
{
    char what[96];
    for (int i = 0; i < L->out; i++) {
        snprintf(what, sizeof what, "row %d of the weights of layer %d "
                 "(one per input of the layer)", i + 1, k);
        pv_status st = nr_numbers(r, L->w + (size_t)i * (size_t)L->in,
                                  L->in, what);
        if (st != PV_OK)
            return st;
    }
    for (int i = 0; i < L->out; i++) {
        snprintf(what, sizeof what, "bias %d of layer %d (one per line)",
                 i + 1, k);
        pv_status st = nr_numbers(r, L->b + i, 1, what);
        if (st != PV_OK)
            return st;
    }
    return PV_OK;
}

/* The network works on x' = (x - mean)/range. With D = diag(1/range):
 * W x' + b = (W D) x + (b - W D mean), composed exactly so that the
 * loaded network takes raw inputs. Clipping to [min, max] is an
 * evaluation-time convenience of the reference readers, not part of the
 * network; the box keeps min/max instead. */
static void compose_input(pv_layer *L, mpq_t *const mean, mpq_t *const range)
{
    mpq_t t;
    mpq_init(t);
    for (int i = 0; i < L->out; i++)
        for (int j = 0; j < L->in; j++) {
            mpq_t *w = &L->w[(size_t)i * (size_t)L->in + (size_t)j];
            mpq_div(*w, *w, range[j]);
            mpq_mul(t, *w, mean[j]);
            mpq_sub(L->b[i], L->b[i], t);
        }
    mpq_clear(t);
}

/* Like sisl/NNet's C++ reader, the raw output is y*range_out + mean_out;
 * composing it into the last (linear) layer gives raw outputs. It changes
 * no code bit: only ReLU layers carry bits. */
static void compose_output(pv_layer *L, const mpq_t mean, const mpq_t range)
{
    size_t n = (size_t)L->in * (size_t)L->out;
    for (size_t i = 0; i < n; i++)
        mpq_mul(L->w[i], L->w[i], range);
    for (int i = 0; i < L->out; i++) {
        mpq_mul(L->b[i], L->b[i], range);
        mpq_add(L->b[i], L->b[i], mean);
    }
}

static pv_status set_box(pv_net *net, nnet_header *h, pv_error *err)
{
    net->box_lo = vec_new(h->m);
    net->box_hi = vec_new(h->m);
    if (net->box_lo == NULL || net->box_hi == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    for (long i = 0; i < h->m; i++) {
        mpq_set(net->box_lo[i], h->mins[i]);
        mpq_set(net->box_hi[i], h->maxs[i]);
    }
    net->has_box = 1;
    return PV_OK;
}

static pv_status build(nnet_reader *r, nnet_header *h, pv_net *net)
{
    net->input_dim = (int)h->m;
    strcpy(net->format, "nnet");
    pv_status st = check_room(r, h);
    for (long k = 1; st == PV_OK && k <= h->nlayers; k++) {
        st = pv_net_add_layer(net, k < h->nlayers ? PV_RELU : PV_LINEAR,
                              (int)h->sizes[k], r->err);
        if (st == PV_OK)
            st = read_layer(r, &net->layers[k - 1], (int)k);
    }
    if (st != PV_OK)
        return st;
    int got = nr_next_line(r);
    if (got < 0)
        return PV_ERR_PARSE;
    if (got > 0)
        return nr_fail(r, r->line, "unexpected content after the last bias "
                       "(the header declares %ld layers with sizes on line "
                       "%d)", h->nlayers, h->sizes_line);
    net->dialect = h->nvjl ? DIALECT_NVJL : DIALECT_STANDARD;
    if (!h->normalised)
        return PV_OK;
    compose_input(&net->layers[0], h->means, h->ranges);
    compose_output(&net->layers[net->nlayers - 1], h->means[h->m],
                   h->ranges[h->m]);
    return set_box(net, h, r->err);
}

static pv_status parse_nnet(pv_net *net, const char *text, size_t len,
                            const char *name, pv_error *err)
{
    nnet_reader r;
    memset(&r, 0, sizeof r);
    r.text = text != NULL ? text : "";
    r.len = text != NULL ? len : 0;
    r.name = name != NULL ? name : "<nnet>";
    r.err = err;
    nnet_header h;
    memset(&h, 0, sizeof h);
    pv_net out;
    pv__net_init(&out);
    pv_status st = read_header(&r, &h);
    if (st == PV_OK)
        st = build(&r, &h, &out);
    if (st == PV_OK)
        st = pv_net_finalize(&out, err);
    header_free(&h);
    if (st != PV_OK) {
        pv__net_clear(&out);
        return st;
    }
    /* The caller's net is replaced only on success. */
    pv__net_clear(net);
    *net = out;
    return PV_OK;
}

pv_status pv_net_parse_nnet(pv_net *net, const char *text, size_t len,
                            const char *name, pv_error *err)
{
    PV_GUARD(err, parse_nnet(net, text, len, name, err), (void)0);
}

/* Scans the line starting at i: counts its commas and digits; returns
 * the offset of its newline (or len), SIZE_MAX if it holds anything but
 * digits, commas and blanks. */
static size_t sniff_int_line(const char *text, size_t len, size_t i,
                             int *commas, int *digits)
{
    for (; i < len && text[i] != '\n'; i++) {
        char c = text[i];
        if (c == ',')
            (*commas)++;
        else if (c >= '0' && c <= '9')
            (*digits)++;
        else if (!is_blank(c))
            return SIZE_MAX;
    }
    return i;
}

int pv_net_is_nnet(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && (is_blank(text[i]) || text[i] == '\n'))
        i++;
    if (len - i >= 2 && text[i] == '/' && text[i + 1] == '/')
        return 1;
    /* Otherwise line A: four comma-separated integers, or (the
     * NeuralVerification.jl dialect) one, then the layer sizes. */
    int commas = 0, digits = 0;
    i = sniff_int_line(text, len, i, &commas, &digits);
    if (i == SIZE_MAX)
        return 0;
    if (commas >= 3 && digits >= 4)
        return 1;
    if (commas > 1 || digits == 0)
        return 0;
    int commas_b = 0, digits_b = 0;
    return sniff_int_line(text, len, i + 1, &commas_b, &digits_b) !=
               SIZE_MAX && commas_b >= 1 && digits_b >= 2;
}
