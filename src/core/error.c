/* polyverify — errors are values (see include/polyverify/error.h). */
#include "core/alloc.h"
#include "polyverify/error.h"
#include "core/text.h"
#include <stdlib.h>
#include <errno.h>
#include <limits.h>
#include <zlib.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Control characters in a message (a newline inside a tensor name read
 * from a file, say) would break its one line: they are escaped as \xNN,
 * as pv_excerpt does. */
static void escape_controls(char *msg, size_t size)
{
    size_t n = strlen(msg), i = 0;
    while (i < n && (unsigned char)msg[i] >= 0x20 && msg[i] != 0x7f)
        i++;
    if (i == n)
        return;
    char tmp[sizeof ((pv_error *)NULL)->msg];
    size_t o = 0, cap = size < sizeof tmp ? size : sizeof tmp;
    for (size_t j = 0; j < n && o + 5 < cap; j++) {
        unsigned char c = (unsigned char)msg[j];
        if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(tmp + o, cap - o, "\\x%02x", c);
        else
            tmp[o++] = (char)c;
    }
    tmp[o] = '\0';
    memcpy(msg, tmp, o + 1);
}

pv_status pv_error_set(pv_error *err, pv_status status, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    /* vsnprintf truncates long messages; a truncated message is still a
     * better diagnosis than none. */
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        err->msg[0] = '\0';
    /* Messages are one line without a trailing newline, so callers can
     * append context or print them with their own "\n". */
    size_t len = strlen(err->msg);
    while (len > 0 && (err->msg[len - 1] == '\n' || err->msg[len - 1] == '\r'))
        err->msg[--len] = '\0';
    escape_controls(err->msg, sizeof err->msg);
    return status;
}

const char *pv_error_name(pv_status status)
{
    switch (status) {
    case PV_OK:           return "ok";
    case PV_ERR_IO:       return "i/o error";
    case PV_ERR_PARSE:    return "parse error";
    case PV_ERR_ARG:      return "invalid argument";
    case PV_ERR_NOMEM:    return "out of memory";
    case PV_ERR_SOLVER:   return "solver failure";
    case PV_ERR_LIMIT:    return "limit reached";
    case PV_ERR_INTERNAL: return "internal error";
    case PV_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown error";
}

const char *pv_excerpt(char *buf, size_t size, const char *p, size_t n)
{
    size_t o = 0, limit = 40;
    for (size_t i = 0; i < n && i < limit && o + 8 < size; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7f)
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
    }
    if (n > limit && o + 4 < size) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Whole files: raw bytes, gzip, Git LFS pointers                            */

static void close_file(void *fp)
{
    fclose(fp);
}

/* The bytes of the file, at most max_bytes of them. */
static pv_status read_raw(const char *path, size_t max_bytes, char **text,
                          size_t *len, pv_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return pv_error_set(err, PV_ERR_IO, "%s: cannot open: %s", path,
                            strerror(errno));
    pv_cleanup closing;                 /* if an allocation unwinds */
    pv_cleanup_push(&closing, close_file, fp);
    size_t cap = 1 << 16, n = 0;
    char *buf = pv_malloc(cap + 1);
    pv_status st = buf != NULL ? PV_OK : PV_ERR_NOMEM;
    while (st == PV_OK) {
        if (n == cap) {
            if (cap >= max_bytes) {
                st = pv_error_set(err, PV_ERR_LIMIT,
                                  "%s: file is larger than %zu bytes", path,
                                  max_bytes);
                break;
            }
            char *grown = pv_realloc(buf, 2 * cap + 1);
            if (grown == NULL) {
                st = PV_ERR_NOMEM;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp))
                st = pv_error_set(err, PV_ERR_IO, "%s: cannot read: %s", path,
                                  strerror(errno));
            break;
        }
    }
    pv_cleanup_pop(&closing);
    fclose(fp);
    if (st == PV_ERR_NOMEM)
        pv_error_set(err, st, "%s: out of memory reading the file", path);
    if (st != PV_OK) {
        pv_free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return PV_OK;
}

/* gzip is recognised by its magic bytes (RFC 1952), not by the name, so
 * that a renamed or extension-less download still reads. */
static int is_gzip(const char *p, size_t n)
{
    return n >= 2 && (unsigned char)p[0] == 0x1f &&
           (unsigned char)p[1] == 0x8b;
}

static pv_status gz_limit(const char *path, size_t max_bytes, pv_error *err)
{
    return pv_error_set(err, PV_ERR_LIMIT, "%s: gzip data decompresses to "
                        "more than %zu bytes, the size limit for this file "
                        "(refused, as a zip bomb would be)", path, max_bytes);
}

/* One inflate call into out[0..room); *done once the stream (all its
 * members) has ended. Several members are one file (what `cat a.gz b.gz`
 * and gzip itself produce); anything else after a member is an error, not
 * silently dropped. */
static pv_status gz_step(z_stream *s, const char *path, unsigned char *out,
                         uInt room, size_t *produced, int *done,
                         pv_error *err)
{
    s->next_out = out;
    s->avail_out = room;
    int rc = inflate(s, Z_NO_FLUSH);
    *produced = room - s->avail_out;
    *done = 0;
    if (rc == Z_STREAM_END) {
        *done = s->avail_in == 0;
        if (*done)
            return PV_OK;
        if (!is_gzip((const char *)s->next_in, s->avail_in))
            return pv_error_set(err, PV_ERR_PARSE, "%s: %u bytes of "
                                "non-gzip data after the end of the gzip "
                                "stream", path, s->avail_in);
        return inflateReset(s) == Z_OK ? PV_OK :
            pv_error_set(err, PV_ERR_INTERNAL, "%s: inflateReset failed",
                         path);
    }
    if (rc == Z_OK || (rc == Z_BUF_ERROR && s->avail_out == 0))
        return PV_OK;
    if (rc == Z_BUF_ERROR)   /* no progress, output room left: input ended */
        return pv_error_set(err, PV_ERR_PARSE, "%s: truncated gzip data "
                            "(the compressed stream ends before its end "
                            "marker)", path);
    if (rc == Z_MEM_ERROR)
        return pv_error_set(err, PV_ERR_NOMEM, "%s: out of memory "
                            "decompressing the file", path);
    return pv_error_set(err, PV_ERR_PARSE, "%s: corrupt gzip data: %s", path,
                        s->msg != NULL ? s->msg : "inflate failed");
}

/* zlib's allocations go through alloc.c like all others (so that an
 * unwinding frees the inflate state). */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return pv_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    pv_free(p);
}

/* Inflates the whole gzip file, failing once it passes max_bytes. With
 * out == NULL it only counts the bytes (inflating into a small scratch
 * buffer); with out, it fills out[0..max_bytes). *size: bytes produced. */
static pv_status gz_inflate(const char *path, const char *in, size_t in_len,
                            unsigned char *out, size_t max_bytes,
                            size_t *size, pv_error *err)
{
    if (in_len > UINT_MAX)
        return pv_error_set(err, PV_ERR_LIMIT, "%s: compressed file is "
                            "larger than %u bytes", path, UINT_MAX);
    z_stream s;
    memset(&s, 0, sizeof s);
    s.zalloc = z_alloc;
    s.zfree = z_free;
    if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
        return pv_error_set(err, PV_ERR_NOMEM, "%s: out of memory "
                            "decompressing the file", path);
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)in_len;
    /* Large enough that counting a gigabyte takes few inflate calls. */
    enum { SCRATCH = 1 << 20 };
    unsigned char *scratch = pv_malloc(SCRATCH);
    if (scratch == NULL) {
        inflateEnd(&s);
        return pv_error_set(err, PV_ERR_NOMEM, "%s: out of memory "
                            "decompressing the file", path);
    }
    size_t n = 0;
    int done = 0;
    pv_status st = PV_OK;
    while (st == PV_OK && !done) {
        /* Past the end of out, the scratch buffer catches what is beyond
         * the limit. */
        unsigned char *dst = out != NULL && n < max_bytes ? out + n : scratch;
        size_t room = dst == scratch ? SCRATCH : max_bytes - n;
        size_t got = 0;
        st = gz_step(&s, path, dst, room > UINT_MAX ? UINT_MAX : (uInt)room,
                     &got, &done, err);
        n += got;
        if (st == PV_OK && n > max_bytes)
            st = gz_limit(path, max_bytes, err);
    }
    inflateEnd(&s);
    pv_free(scratch);
    *size = n;
    return st;
}

/* The decompressed content of a gzip file, at most max_bytes of it. It is
 * inflated twice: once to count, so that the buffer is allocated at its
 * exact size and a zip bomb is refused before any large allocation, then
 * into the buffer (network files are small next to the inflate speed). */
static pv_status gunzip(const char *path, size_t max_bytes, const char *in,
                        size_t in_len, char **text, size_t *len,
                        pv_error *err)
{
    size_t size = 0, again = 0;
    pv_status st = gz_inflate(path, in, in_len, NULL, max_bytes, &size, err);
    if (st != PV_OK)
        return st;
    unsigned char *buf = pv_malloc(size + 1);
    if (buf == NULL)
        return pv_error_set(err, PV_ERR_NOMEM, "%s: out of memory "
                            "decompressing the file", path);
    st = gz_inflate(path, in, in_len, buf, size, &again, err);
    if (st == PV_OK && again != size)
        st = pv_error_set(err, PV_ERR_INTERNAL, "%s: gzip data inflated to "
                          "%zu bytes, then to %zu", path, size, again);
    if (st != PV_OK) {
        pv_free(buf);
        return st;
    }
    buf[size] = '\0';
    *text = (char *)buf;
    *len = size;
    return PV_OK;
}

/* A Git LFS pointer (https://github.com/git-lfs/git-lfs/blob/main/docs/
 * spec.md) is what a clone without git-lfs holds instead of a large file:
 * three text lines. Parsed as a network or CSV it would give a baffling
 * message; say what it is instead. */
#define LFS_PREFIX "version https://git-lfs.github.com/spec/v1"

static pv_status lfs_pointer(const char *path, const char *p, size_t n,
                             pv_error *err)
{
    /* The real size, from the pointer's "size N" line, when present. */
    const char *size = NULL;
    for (const char *q = p; q != NULL && q < p + n;) {
        if ((size_t)(p + n - q) > 5 && !strncmp(q, "size ", 5))
            size = q + 5;
        q = memchr(q, '\n', (size_t)(p + n - q));
        q = q != NULL ? q + 1 : NULL;
    }
    long long bytes = size != NULL ? strtoll(size, NULL, 10) : -1;
    if (bytes >= 0)
        return pv_error_set(err, PV_ERR_PARSE, "%s: this is a Git LFS "
                            "pointer, not the file itself (the real file "
                            "has %lld bytes): fetch it with `git lfs pull`",
                            path, bytes);
    return pv_error_set(err, PV_ERR_PARSE, "%s: this is a Git LFS pointer, "
                        "not the file itself: fetch it with `git lfs pull`",
                        path);
}

pv_status pv_read_file(const char *path, size_t max_bytes, char **text,
                       size_t *len, pv_error *err)
{
    char *buf = NULL;
    size_t n = 0;
    pv_status st = read_raw(path, max_bytes, &buf, &n, err);
    if (st == PV_OK && is_gzip(buf, n)) {
        char *plain = NULL;
        size_t plain_len = 0;
        st = gunzip(path, max_bytes, buf, n, &plain, &plain_len, err);
        pv_free(buf);
        buf = plain;
        n = plain_len;
    }
    if (st == PV_OK && n >= strlen(LFS_PREFIX) &&
        !memcmp(buf, LFS_PREFIX, strlen(LFS_PREFIX)))
        st = lfs_pointer(path, buf, n, err);
    if (st != PV_OK) {
        pv_free(buf);
        return st;
    }
    *text = buf;
    *len = n;
    return PV_OK;
}
