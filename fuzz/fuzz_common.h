/* polyverify fuzzing — helpers shared by the libFuzzer harnesses (fuzz/).
 *
 * Each harness feeds one parser arbitrary bytes. Besides the sanitizers'
 * findings (crash, leak, undefined behaviour), a harness aborts when a
 * parser breaks its contract on errors (include/polyverify/error.h): a
 * failure must return a status, record the same status in the pv_error and
 * leave a one-line message there. abort() is what libFuzzer reports as a
 * crash, with the input saved as an artifact. */
#ifndef PV_FUZZ_COMMON_H
#define PV_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "polyverify/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An error record that shows whether the parser filled it. */
static inline void fuzz_error_init(pv_error *err)
{
    err->status = PV_OK;
    err->msg[0] = '\0';
}

/* Aborts (a libFuzzer crash) when a failed call left no usable error. */
static inline void fuzz_check_error(pv_status st, const pv_error *err)
{
    if (st == PV_OK)
        return;
    const char *why = NULL;
    if (err->status != st)
        why = "the pv_error's status differs from the returned one";
    else if (err->msg[0] == '\0')
        why = "the error message is empty";
    else if (strchr(err->msg, '\n') != NULL)
        why = "the error message is not one line";
    if (why == NULL)
        return;
    fprintf(stderr, "fuzz: %s (status %s, message '%s')\n", why,
            pv_error_name(st), err->msg);
    abort();
}

/* data as a NUL-terminated string (for the parsers of command-line
 * arguments); the caller frees it. An embedded NUL simply ends the text
 * early, as it would on a command line. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
