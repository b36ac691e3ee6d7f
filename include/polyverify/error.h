/* polyverify — errors are values.
 *
 * Every fallible library call returns a pv_status and, when it fails and the
 * caller passed a pv_error, fills a one-line human message naming the file,
 * line (or object) and what was expected. The library never exits or prints. */
#ifndef POLYVERIFY_ERROR_H
#define POLYVERIFY_ERROR_H

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pv_status {
    PV_OK = 0,
    PV_ERR_IO,       /* a file could not be opened or read                 */
    PV_ERR_PARSE,    /* malformed input text (network, point, code, box)    */
    PV_ERR_ARG,      /* a well-formed but invalid request (wrong length...) */
    PV_ERR_NOMEM,    /* allocation failed                                   */
    PV_ERR_SOLVER,   /* every exact method failed (should not happen)       */
    PV_ERR_LIMIT,    /* a resource limit was reached                        */
    PV_ERR_INTERNAL, /* an invariant of polyverify itself was violated      */
    PV_ERR_INTERRUPTED /* the caller's interrupt hook asked to stop: what
                          was found so far is kept, marked incomplete     */
} pv_status;

typedef struct pv_error {
    pv_status status;
    char msg[1024];
} pv_error;

/* Records status and a printf-style message in err (which may be NULL) and
 * returns status, so that `return pv_error_set(err, ...)` reads naturally. */
PV_API pv_status pv_error_set(pv_error *err, pv_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Short stable name of a status ("parse error", ...). */
PV_API const char *pv_error_name(pv_status status);

#ifdef __cplusplus
}
#endif
#endif
