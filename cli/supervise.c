/* polyverify — the CLI's resource limits (see supervise.h). */
#include "supervise.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/outfile.h"
#include "polyverify/memory.h"

#if defined(__SANITIZE_ADDRESS__)
#define PV_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PV_ASAN 1
#endif
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Removes DIR/BASE.tmp-* for path = DIR/BASE. */
static void remove_temporaries(const char *path)
{
    char dir[4096], prefix[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
        snprintf(prefix, sizeof prefix, "%s%s", path, PV_OUTFILE_TMP);
    } else {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + (slash == path)), path);
        snprintf(prefix, sizeof prefix, "%s%s", slash + 1, PV_OUTFILE_TMP);
    }
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    size_t n = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, n) != 0)
            continue;
        char full[8300];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        unlink(full);
    }
    closedir(d);
}

/* Ctrl-C in the parent: counted, acted on in the collecting loop. */
static volatile sig_atomic_t interrupts;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupts++;
}

/* Reads the child's output until it closes it (returns 1), the time is up
 * (0) or a Ctrl-C arrives (-1). */
static int collect(int fd, double deadline, int seen, char **buf, size_t *len)
{
    size_t cap = *len;
    for (;;) {
        if (interrupts > seen)
            return -1;
        double left = deadline - now();
        if (left <= 0)
            return 0;
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, left > 1e6 ? 1000000000 : (int)(left * 1000) + 1);
        if (r <= 0)
            continue;                       /* EINTR or re-check the clock */
        if (*len + 65536 > cap) {
            cap = 2 * cap + 65536;
            char *nb = realloc(*buf, cap);
            if (nb == NULL)
                return 1;                   /* keep what we have */
            *buf = nb;
        }
        ssize_t k = read(fd, *buf + *len, cap - *len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 1;
        *len += (size_t)k;
    }
}

/* The child was killed, or did not stop in time: it leaves nothing. */
static void discard_outputs(pid_t pid, const char *const *outputs, int noutputs)
{
    for (int i = 0; i < noutputs; i++)
        if (outputs[i] != NULL)
            remove_temporaries(outputs[i]);
    const char *scratch[] = { PV_SCRATCH_CERT, PV_SCRATCH_ANSWER };
    for (size_t i = 0; i < sizeof scratch / sizeof *scratch; i++) {
        char path[64];
        snprintf(path, sizeof path, scratch[i], (long)pid);
        unlink(path);
        remove_temporaries(path);
    }
}

/* Seconds a child has to stop after it was asked to (an enumeration stops
 * within a fraction of a second; printing what it found takes the rest). */
#define GRACE_SECONDS 10.0

void pv_supervise(double seconds, const char *const *outputs, int noutputs)
{
    int fds[2];
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds) != 0)
        return;                             /* run unsupervised */
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        /* a process group of its own: a terminal's Ctrl-C reaches only the
         * parent, which passes on one request to stop */
        setpgid(0, 0);
        close(fds[0]);
        dup2(fds[1], 1);
        close(fds[1]);
        return;                             /* the child does the work */
    }
    setpgid(pid, pid);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    close(fds[1]);
    char *buf = NULL;
    size_t len = 0;
    int r = collect(fds[0], now() + seconds, 0, &buf, &len);
    int asked = 0;                          /* 0, PV_SIGNAL_TIMEOUT, SIGINT */
    if (r != 1) {
        asked = r == 0 ? PV_SIGNAL_TIMEOUT : SIGINT;
        kill(pid, asked);
        r = collect(fds[0], now() + GRACE_SECONDS, (int)interrupts, &buf, &len);
    }
    close(fds[0]);
    int st = 0;
    if (r != 1)
        kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    int code = asked == SIGINT ? PV_EXIT_INTERRUPT : PV_EXIT_TIMEOUT;
    if (asked && (r != 1 || WIFSIGNALED(st))) {
        discard_outputs(pid, outputs, noutputs);
        if (asked == SIGINT)
            fprintf(stderr, "polyverify: interrupted: no answer was printed "
                    "and no output file was written\n");
        else
            fprintf(stderr, "polyverify: stopped after --timeout %g s: no answer "
                    "was printed and no output file was written\n", seconds);
        free(buf);
        exit(code);
    }
    if (len > 0)
        fwrite(buf, 1, len, stdout);
    free(buf);
    fflush(stdout);
    if (WIFSIGNALED(st)) {
        fprintf(stderr, "polyverify: the run was killed by signal %d\n",
                WTERMSIG(st));
        exit(128 + WTERMSIG(st));
    }
    exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}

size_t pv_physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (size_t)pages * (size_t)size : 0;
}

/* The library's handler for a failure it cannot report (memory.h): the
 * CLI's own allocations and the few library calls without a status. */
static void out_of_memory(size_t n, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "polyverify: out of memory (%zu bytes more would exceed "
            "the memory limit; see --max-memory)\n", n);
    _exit(PV_EXIT_NOMEM);
}

void pv_handle_out_of_memory(void)
{
    pv_memory_install_gmp();
    pv_memory_set_handler(out_of_memory, NULL);
}

void pv_limit_memory(size_t bytes)
{
#ifndef PV_ASAN
    /* on top of what the process already maps (code, libraries) */
    size_t base = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f != NULL && fscanf(f, "%lu", &pages) == 1)
        base = (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
    if (f != NULL)
        fclose(f);
    /* the enumeration keeps its cells within `bytes`; as much again, and
     * 64 MiB more, is left for working memory (LPs, GMP temporaries):
     * cddlib does not check its allocations, and one exact LP of a cell
     * with a few hundred rows takes several MiB */
    size_t cap = base + 2 * bytes + ((size_t)64 << 20);
    struct rlimit r = { (rlim_t)cap, (rlim_t)cap };
    setrlimit(RLIMIT_DATA, &r);
#else
    (void)bytes;
#endif
}
