/* polyverify — the CLI's resource limits (part of the program, not of the
 * library: they concern a process, not a computation). */
#ifndef PV_SUPERVISE_H
#define PV_SUPERVISE_H

#include <stddef.h>

/* --timeout: runs the rest of the program in a child process and returns
 * there. The parent keeps the child's standard output until the child
 * ends, so that a run that is stopped prints nothing; after `seconds` it
 * kills the child, removes the temporary files of the outputs (outfile.h:
 * PATH.tmp-*) and of --verify's scratch certificate, says so on stderr and
 * exits with status 4. Otherwise it prints the output and exits with the
 * child's status. */
#define PV_EXIT_TIMEOUT 4
#define PV_EXIT_NOMEM 5
void pv_supervise(double seconds, const char *const *outputs, int noutputs);

/* Physical memory in bytes (0 if unknown). */
size_t pv_physical_memory(void);

/* --max-memory: caps the address space at 2 * `bytes` more than the
 * process maps at start (`bytes` for an enumeration's cells, as much again
 * for working memory), so that allocation fails instead of the system's
 * OOM killer striking, and makes a failed
 * GMP allocation a one-line error with exit status 5, not an abort. Under
 * AddressSanitizer, which reserves terabytes of address space, only the
 * GMP part applies. */
void pv_limit_memory(size_t bytes);

#endif
