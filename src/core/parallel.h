/* polyverify — a parallel loop over independent items, on threads
 * (internal).
 *
 * Why this shape: every parallel command of polyverify is a loop over
 * items that do not depend on each other within the loop (the cells of one
 * round of an enumeration, the flips of a code, the points of a data set),
 * each item writing only its own result slot; what depends on the order is
 * done afterwards by the caller, in item order, so that the answer is the
 * same for every number of threads.
 *
 * Worker 0 is the calling thread: it runs its items inside the caller's
 * memory scope (alloc.h) and alone calls the caller's hooks (`poll`, and
 * whatever the job calls with w == 0: progress, interrupt — a Python
 * callback must run on the thread that holds the interpreter). Workers
 * 1.. run each item in a memory scope of their own: an out-of-memory there
 * unwinds that item only (its slot is then reset, never freed) and fails
 * the run with PV_ERR_NOMEM. Blocks a worker allocates for an item's result
 * outlive its scope untracked: the caller copies what it keeps. When the
 * calling thread's scope unwinds during the run (out of memory in one of
 * its items), a cleanup stops the other workers and joins them first, so
 * nothing runs on memory the unwinding frees. */
#ifndef PV_PARALLEL_H
#define PV_PARALLEL_H

#include "polyverify/error.h"

/* Item i on worker w (0 .. nthreads-1). Writes only item i's slot and
 * worker w's scratch. */
typedef pv_status (*pv_par_job)(void *ctx, int i, int w, pv_error *err);
/* After item i's scope unwound on worker w: forget the pointers of its
 * slot and of w's scratch that the unwinding may have freed (no frees). */
typedef void (*pv_par_reset)(void *ctx, int i, int w);
/* Polled on the calling thread between items: non-zero stops the run. */
typedef int (*pv_par_poll)(void *ctx);

typedef struct pv_par {
    int nthreads;           /* >= 1; 1 runs every item on the caller      */
    pv_par_job job;
    pv_par_reset reset;     /* may be NULL                                */
    void *ctx;
    pv_par_poll poll;       /* may be NULL                                */
    void *poll_ctx;
} pv_par;

/* Runs items 0 .. n-1. *done receives the length of the prefix of items
 * that ran to completion (n when all did); items are started in increasing
 * order, so every item before the first failure was run. Returns PV_OK
 * (also when poll stopped the run), or the status and message of the
 * failed item of least index. */
pv_status pv_par_run(const pv_par *P, int n, int *done, pv_error *err);

/* The number of cores this process may run on (its CPU affinity), >= 1. */
int pv_threads_available(void);
/* threads as requested (> 0), or every available core (0). */
int pv_threads_resolve(int threads);

#endif
