/* polyverify — the unit tests' checks (every program of tests/unit).
 *
 * Each test program counts its checks with these macros and ends with
 * `return check_summary();`: one "FAIL FILE:LINE: ..." line per failed
 * check, then "N passed, N failed", and a non-zero exit status when any
 * check failed (meson runs each program as one test). */
#ifndef PV_TEST_CHECK_H
#define PV_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static int check_passed, check_failed;

/* Counts one check; a failure prints where it is and the message. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void check_at(int ok, const char *file, int line, const char *fmt, ...)
{
    if (ok) {
        check_passed++;
        return;
    }
    check_failed++;
    printf("FAIL %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* The condition's text is the message ... */
#define CHECK(cond) check_at(!!(cond), __FILE__, __LINE__, "%s", #cond)
/* ... followed by a pv_error's message ... */
#define CHECK_ERR(cond, err) \
    check_at(!!(cond), __FILE__, __LINE__, "%s -- %s", #cond, (err).msg)
/* ... or a printf-style message of its own. */
#define CHECK_MSG(cond, ...) check_at(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* The summary line; the program's exit status. */
static int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed != 0;
}

#endif
