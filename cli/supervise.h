/* polyverify — the CLI's resource limits (part of the program, not of the
 * library: they concern a process, not a computation). */
#ifndef PV_SUPERVISE_H
#define PV_SUPERVISE_H

#include <signal.h>
#include <stddef.h>

/* --timeout: runs the rest of the program in a child process and returns
 * there. The parent keeps the child's standard output until the child
 * ends. After `seconds` (or at the first Ctrl-C, SIGINT, which only the
 * parent receives: the child has a process group of its own) it asks the
 * child to stop — PV_SIGNAL_TIMEOUT, or SIGINT — and gives it a few
 * seconds: an enumeration stops, prints what it found marked INCOMPLETE
 * and exits 4 (130 for Ctrl-C), and that output is passed on. A child that
 * does not stop in time (any other command: the signal simply ends it) is
 * killed: its temporary output files (outfile.h: PATH.tmp-*) and --verify's
 * scratch files are removed, nothing is printed, and the exit status is 4
 * (130). A second Ctrl-C kills the child at once. Otherwise the parent
 * prints the output and exits with the child's status. */
#define PV_EXIT_TIMEOUT 4
#define PV_EXIT_NOMEM 5
#define PV_EXIT_INTERRUPT 130
#define PV_SIGNAL_TIMEOUT SIGUSR1
/* --verify's scratch files, named by the process id (printf formats for a
 * long): written by cli_certify, removed by the supervisor if it kills. */
#define PV_SCRATCH_CERT "/tmp/polyverify-%ld.cert"
#define PV_SCRATCH_ANSWER "/tmp/polyverify-%ld.answer.json"
void pv_supervise(double seconds, const char *const *outputs, int noutputs);

/* Physical memory in bytes (0 if unknown). */
size_t pv_physical_memory(void);

/* Out of memory is exit status 5 with a one-line message: the library's
 * GMP allocation functions are installed (so that its calls return
 * PV_ERR_NOMEM, which cli_fail turns into 5) and its handler, for what no
 * call can report, prints and exits. Called first thing. */
void pv_handle_out_of_memory(void);

/* --max-memory: caps the address space at 2 * `bytes` more than the
 * process maps at start (`bytes` for an enumeration's cells, as much again
 * for working memory), so that allocation fails (exit status 5) instead of
 * the system's OOM killer striking. Under AddressSanitizer, which reserves
 * terabytes of address space, it does nothing. */
void pv_limit_memory(size_t bytes);

#endif
