/* polyverify — errors are values (see include/polyverify/error.h). */
#include "polyverify/error.h"
#include "text.h"
#include <stdlib.h>
#include <errno.h>

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

const char *pv_status_name(pv_status status)
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

pv_status pv_read_file(const char *path, size_t max_bytes, char **text,
                       size_t *len, pv_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return pv_error_set(err, PV_ERR_IO, "%s: cannot open: %s", path,
                            strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    pv_status st = buf != NULL ? PV_OK : PV_ERR_NOMEM;
    while (st == PV_OK) {
        if (n == cap) {
            if (cap >= max_bytes) {
                st = pv_error_set(err, PV_ERR_LIMIT,
                                  "%s: file is larger than %zu bytes", path,
                                  max_bytes);
                break;
            }
            char *grown = realloc(buf, 2 * cap + 1);
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
    fclose(fp);
    if (st == PV_ERR_NOMEM)
        pv_error_set(err, st, "%s: out of memory reading the file", path);
    if (st != PV_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return PV_OK;
}
