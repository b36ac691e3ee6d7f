/* polyverify — the parallel loop of parallel.h on POSIX threads.
 *
 * Invariants: items are claimed from one atomic counter, so they start in
 * increasing order; `ok[i]` is written once, by the worker that ran item
 * i, and read only after every worker has joined; `stop` only goes from 0
 * to 1 (a failure, or the caller's poll), after which no item is claimed.
 * The only lock guards the record of the failure of least index. */
#define _GNU_SOURCE             /* sched_getaffinity, CPU_COUNT */
#include "core/alloc.h"
#include "core/parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "lp/lp.h"

int pv_threads_available(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int pv_threads_resolve(int threads)
{
    return threads > 0 ? threads : pv_threads_available();
}

typedef struct run {
    const pv_par *P;
    int n;
    atomic_int next, stop;
    unsigned char *ok;
    pthread_mutex_t lock;
    int failed;             /* least failed item, or n                   */
    pv_error fail;
} run;

typedef struct threads {
    run *R;
    pthread_t *tid;
    int started;            /* threads 1 .. started-1 are running         */
} threads;

typedef struct seat {
    run *R;
    int w;
} seat;

/* Item i on a worker thread, in a memory scope of its own. */
static pv_status scoped(const pv_par *P, int i, int w, pv_error *err)
{
    PV_GUARD(err, P->job(P->ctx, i, w, err), if (P->reset) P->reset(P->ctx, i, w));
}

static void note_failure(run *R, int i, const pv_error *e)
{
    pthread_mutex_lock(&R->lock);
    if (i < R->failed) {
        R->failed = i;
        R->fail = *e;
    }
    pthread_mutex_unlock(&R->lock);
    atomic_store(&R->stop, 1);
}

static void work(run *R, int w)
{
    const pv_par *P = R->P;
    while (!atomic_load(&R->stop)) {
        if (w == 0 && P->poll && P->poll(P->poll_ctx)) {
            atomic_store(&R->stop, 1);
            break;
        }
        int i = atomic_fetch_add(&R->next, 1);
        if (i >= R->n)
            break;
        pv_error e;
        memset(&e, 0, sizeof e);
        pv_status rc = w == 0 ? P->job(P->ctx, i, 0, &e) : scoped(P, i, w, &e);
        if (rc != PV_OK) {
            if (e.status == PV_OK)
                e.status = rc;
            note_failure(R, i, &e);
        } else {
            R->ok[i] = 1;
        }
    }
}

static void *thread_main(void *arg)
{
    seat *s = arg;
    work(s->R, s->w);
    pv_flp_thread_done();       /* GLPK's per-thread environment */
    return NULL;
}

static void join_all(threads *T)
{
    atomic_store(&T->R->stop, 1);
    for (int w = 1; w < T->started; w++)
        pthread_join(T->tid[w], NULL);
    T->started = 1;
}

/* The calling thread's scope is unwinding (alloc.h): no worker may go on. */
static void join_on_unwind(void *obj)
{
    join_all(obj);
}

pv_status pv_par_run(const pv_par *P, int n, int *done, pv_error *err)
{
    run R;
    memset(&R, 0, sizeof R);
    R.P = P;
    R.n = n;
    atomic_init(&R.next, 0);
    atomic_init(&R.stop, 0);
    R.failed = n;
    R.ok = pv_calloc((size_t)n + 1, 1);
    pthread_mutex_init(&R.lock, NULL);
    int nt = P->nthreads < 1 ? 1 : P->nthreads;
    if (nt > n)
        nt = n > 0 ? n : 1;
    pthread_t *tid = pv_malloc((size_t)nt * sizeof *tid);
    seat *seats = pv_malloc((size_t)nt * sizeof *seats);
    threads T = { &R, tid, 1 };
    pv_cleanup unwind;
    pv_cleanup_push(&unwind, join_on_unwind, &T);
    for (int w = 1; w < nt; w++) {
        seats[w].R = &R;
        seats[w].w = w;
        if (pthread_create(&tid[w], NULL, thread_main, &seats[w]) != 0)
            break;              /* fewer threads: the same answer, later */
        T.started++;
    }
    work(&R, 0);
    join_all(&T);
    pv_cleanup_pop(&unwind);
    int k = 0;
    while (k < n && R.ok[k])
        k++;
    *done = k;
    pv_status rc = PV_OK;
    if (R.failed < n) {
        rc = R.fail.status;
        if (err)
            *err = R.fail;
    }
    pthread_mutex_destroy(&R.lock);
    pv_free(seats);
    pv_free(tid);
    pv_free(R.ok);
    return rc;
}
