/* polyverify — out of memory is an error value.
 *
 * Every library call that returns a pv_status reports an allocation
 * failure as PV_ERR_NOMEM: everything the call allocated is freed, the
 * objects it was filling (its outputs, and a network it finalises) are left
 * in their initialised, empty state — clearable, as after their _init —
 * and nothing else changes. The message says how many bytes could not be
 * had. A call that returns a string (pv_code_str, pv_rational_str) returns
 * NULL instead. Calls that can report nothing (the void initialisers of
 * objects that own memory, such as pv_code_init, pv_box_init and
 * pv_system_init, the pv_system_* row helpers, the JSON writer) call the
 * out-of-memory handler below, as does an allocation of the library's
 * numbers made outside any library call.
 *
 * GMP's numbers: GMP allocates its numbers' digits itself and offers no way
 * to report a failure to its caller. pv_memory_install_gmp() hands GMP
 * allocation functions that take part in the above (inside a library call
 * a failure unwinds the call; outside one it calls the handler). Without
 * it, GMP keeps its own functions: a failure inside GMP prints GMP's
 * message and aborts the process, and a failure of the library's own
 * arrays, although still reported as PV_ERR_NOMEM, may leave the numbers
 * allocated by the failed call unfreed.
 *
 * What cannot be unwound: the LP solvers polyverify calls allocate some of
 * their memory with the C library directly. GLPK (the float search) calls
 * its own allocator, which on failure prints a message and aborts; a GLPK
 * error hook could unwind instead, but recovering from it requires
 * glp_free_env(), which destroys every GLPK object of the thread (the
 * application's too), and GLPK cannot give back a hook set before, so
 * polyverify installs none. cddlib (the exact LP) does not check its
 * calloc() results; its GMP numbers take part like any others, except
 * inside its simplex, which keeps half-built static work arrays: a GMP
 * failure there calls the handler. */
#ifndef POLYVERIFY_MEMORY_H
#define POLYVERIFY_MEMORY_H

#include "export.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called when an allocation of `bytes` fails where no error can be
 * returned (see above). It must not return: end the process, or longjmp
 * to a point of the application outside every polyverify call. If it
 * returns, the process aborts. */
typedef void (*pv_memory_handler)(size_t bytes, void *ctx);

/* Sets the handler (NULL: the default, which prints "polyverify: out of
 * memory" with the size on stderr and aborts, as GMP does). Process-wide:
 * set it once, before other threads call the library. */
PV_API void pv_memory_set_handler(pv_memory_handler handler, void *ctx);

/* Installs polyverify's allocation functions in GMP
 * (mp_set_memory_functions), process-wide: every GMP number of the
 * process, the application's too, is then allocated by them. Outside a
 * polyverify call they behave as GMP's own (malloc, realloc and free; a
 * failure calls the handler instead of GMP's abort), so numbers allocated
 * before or after, and numbers the application frees with its own GMP
 * calls, mix freely. Call it once, at the start of the program, before
 * other threads use GMP; it replaces memory functions installed before. */
PV_API void pv_memory_install_gmp(void);

/* Whether GMP allocates through polyverify's functions now. */
PV_API int pv_memory_gmp_installed(void);

#ifdef __cplusplus
}
#endif
#endif
