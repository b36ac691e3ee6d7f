/* polyverify — what several commands share: errors, boxes, points,
 * certificates with --verify, and enumerations that keep what they found.
 *
 * The one piece of process-global state of the program lives here: the
 * flag a stop signal sets (a signal handler can do nothing else safely). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "supervise.h"
#include "polyverify/certificate.h"
#include "polyverify/json.h"

int cli_fail(const pv_error *err)
{
    fprintf(stderr, "polyverify: %s\n", err->msg);
    return err->status == PV_ERR_NOMEM ? PV_EXIT_NOMEM : 1;
}

/* `--box input`: the network's default box (a .nnet file's min/max). */
static int box_from_net(pv_box *box, const pv_net *net, pv_error *err)
{
    if (!pv_net_has_box(net)) {
        pv_error_set(err, PV_ERR_ARG, "--box input: this %s network has no "
                     "default input box (a .nnet file's min/max gives one)",
                     pv_net_format(net));
        return -1;
    }
    const mpq_t *lo = pv_net_box_lo(net), *hi = pv_net_box_hi(net);
    for (int i = 0; i < pv_net_input_dim(net); i++) {
        mpq_set(box->lo[i], lo[i]);
        mpq_set(box->hi[i], hi[i]);
    }
    return 1;
}

int cli_load_box(pv_box *box, const pv_net *net, const cli_args *a,
                 pv_error *err)
{
    int m = pv_net_input_dim(net);
    pv_box_init(box, m);
    if (!a->box)
        return 0;
    if (!strcmp(a->box, "input"))
        return box_from_net(box, net, err);
    return pv_box_parse(box, m, a->box, err) == PV_OK ? 1 : -1;
}

void cli_print_point(FILE *f, mpq_t *const x, int m)
{
    for (int i = 0; i < m; i++)
        gmp_fprintf(f, "%s%Qd", i ? "," : "", x[i]);
}

mpq_t *cli_parse_point(const char *text, int m, pv_error *err)
{
    mpq_t *x = malloc((size_t)m * sizeof(mpq_t));
    if (x == NULL) {
        pv_error_set(err, PV_ERR_NOMEM, "out of memory for a point of %d coordinates", m);
        return NULL;
    }
    for (int j = 0; j < m; j++)
        mpq_init(x[j]);
    if (pv_point_parse(x, m, text, err) == PV_OK)
        return x;
    for (int j = 0; j < m; j++)
        mpq_clear(x[j]);
    free(x);
    return NULL;
}

/* ---- certificates and --verify ---------------------------------------- */

/* The checker: $PVCHECK, else pvcheck beside this program (the build tree
 * puts it in verify/), else pvcheck on the PATH. */
static void find_pvcheck(char *buf, size_t size)
{
    const char *env = getenv("PVCHECK");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            const char *try[] = { "/verify/pvcheck", "/pvcheck" };
            for (size_t t = 0; t < 2; t++) {
                snprintf(buf, size, "%s%s", self, try[t]);
                if (access(buf, X_OK) == 0)
                    return;
            }
        }
    }
    snprintf(buf, size, "pvcheck");
}

/* --verify: runs the independent checker on the certificate and, when
 * given, the answer's JSON (pvcheck --answer: the certificate must prove
 * exactly that answer). Its report goes to stderr. 0 when accepted. */
static int run_pvcheck(const char *net_path, const char *cert,
                       const char *answer, int quiet, pv_error *err)
{
    char prog[4200];
    find_pvcheck(prog, sizeof prog);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return pv_error_set(err, PV_ERR_IO, "--verify: cannot start %s", prog), 1;
    if (pid == 0) {
        /* the checker's report to stderr; its failures always are */
        int out = quiet ? open("/dev/null", O_WRONLY) : 2;
        dup2(out >= 0 ? out : 2, 1);
        if (answer)
            execlp(prog, prog, net_path, cert, "--answer", answer, "--quiet",
                   (char *)NULL);
        else
            execlp(prog, prog, net_path, cert, "--quiet", (char *)NULL);
        _exit(127);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        pv_error_set(err, PV_ERR_IO, "--verify: cannot run %s (the checker: "
                     "set PVCHECK to its path); nothing is printed", prog);
        return 1;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        pv_error_set(err, PV_ERR_INTERNAL, "--verify: the checker (%s) did not accept "
                     "the certificate of this answer; nothing is printed", prog);
        return 1;
    }
    return 0;
}

/* Writes the certificate; non-zero with err set on failure, leaving no file. */
static int write_certificate(const char *path, const pv_net *net,
                             const pv_box *box, const pv_cell *C,
                             const pv_adjacency *A, const pv_enum *E,
                             pv_error *err)
{
    pv_cert *cert = pv_cert_open(path, net, box, err);
    if (cert == NULL)
        return 1;
    pv_status rc = C ? pv_cert_cell(cert, C, err)
                 : A ? pv_cert_adjacency(cert, A, err)
                     : pv_cert_enumeration(cert, E, err);
    pv_error err2;
    if (pv_cert_close(cert, rc == PV_OK, &err2) != PV_OK && rc == PV_OK) {
        *err = err2;
        rc = err2.status;
    }
    return rc != PV_OK;
}

/* The answer's JSON in a scratch file for pvcheck --answer; 0 or -1. */
static int write_answer(const char *path, cli_answer_json json,
                        const void *answer, pv_error *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return pv_error_set(err, PV_ERR_IO, "--verify: cannot write %s", path), -1;
    json(f, answer);
    if (fclose(f) != 0)
        return pv_error_set(err, PV_ERR_IO, "--verify: cannot write %s", path), -1;
    return 0;
}

int cli_certify(const cli_args *a, const pv_net *net, const pv_box *box,
                const pv_cell *C, const pv_adjacency *A,
                const pv_enum *E, cli_answer_json json,
                const void *answer, pv_error *err)
{
    char tmp[64] = "", ans[64] = "";
    const char *path = a->certificate;
    if (!path) {
        snprintf(tmp, sizeof tmp, PV_SCRATCH_CERT, (long)getpid());
        path = tmp;
    }
    int rc = write_certificate(path, net, box, C, A, E, err);
    if (rc == 0 && a->verify) {
        if (json) {
            snprintf(ans, sizeof ans, PV_SCRATCH_ANSWER, (long)getpid());
            rc = write_answer(ans, json, answer, err) != 0;
        }
        if (rc == 0)
            rc = run_pvcheck(a->net_path, path, json ? ans : NULL, a->verify == 2, err);
        if (rc != 0)
            remove(path);   /* a failed run leaves no output behind */
    }
    if (tmp[0])
        remove(tmp);
    if (ans[0])
        remove(ans);
    return rc;
}

/* ---- stop signals ------------------------------------------------------ */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    if (sig == SIGINT && stop_signal == SIGINT) {
        /* a second Ctrl-C: the user does not want to wait */
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
        return;
    }
    if (!stop_signal)
        stop_signal = sig;
}

static void set_handler(int sig, void (*h)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

void cli_catch_stop_signals(void)
{
    set_handler(SIGINT, on_stop);
    set_handler(PV_SIGNAL_TIMEOUT, on_stop);
}

void cli_release_stop_signals(void)
{
    set_handler(SIGINT, SIG_DFL);
    set_handler(PV_SIGNAL_TIMEOUT, SIG_DFL);
}

int cli_stop_signal(void)
{
    return stop_signal;
}

/* ---- enumerations ------------------------------------------------------ */

/* Progress on stderr, only for a terminal (ctx: unused). */
static void progress_line(void *ctx, long cells, double seconds)
{
    (void)ctx;
    fprintf(stderr, "\rcells found %ld, cells/s %.0f ", cells,
            seconds > 0 ? (double)cells / seconds : 0.0);
    fflush(stderr);
}

static int interrupted(void *ctx)
{
    (void)ctx;
    return stop_signal != 0;
}

const char *cli_stop_reason(int status)
{
    switch (status) {
    case CLI_EXIT_LIMIT:     return "limit";
    case CLI_EXIT_TIMEOUT:   return "timeout";
    case CLI_EXIT_INTERRUPT: return "interrupt";
    default:                 return NULL;
    }
}

void cli_stop_hooks(void (**progress)(void *, long, double),
                    int (**stop)(void *))
{
    *progress = isatty(2) ? progress_line : NULL;
    *stop = interrupted;
}

int cli_run_enumeration(pv_enum *E, const pv_net *net,
                        const cli_args *a, const pv_box *box, int graph)
{
    pv_error err = {0};
    pv_enum_options eo;
    pv_enum_options_init(&eo);
    eo.box = box;
    eo.max_cells = a->max_cells;
    eo.max_bytes = a->max_memory ? (size_t)a->max_memory << 20
                                 : pv_physical_memory() / 4 * 3;
    eo.graph = graph;
    eo.lp_only = a->given[OPT_LP_ONLY] > 0;
    cli_stop_hooks(&eo.progress, &eo.interrupted);
    cli_catch_stop_signals();
    pv_status rc = pv_enum_compute(E, net, &eo, &err);
    cli_release_stop_signals();
    if (eo.progress)
        fputs("\r\033[K", stderr);
    if (rc == PV_ERR_LIMIT || rc == PV_ERR_INTERRUPTED) {
        int status = rc == PV_ERR_LIMIT ? CLI_EXIT_LIMIT
                   : stop_signal == SIGINT ? CLI_EXIT_INTERRUPT : CLI_EXIT_TIMEOUT;
        if (status == CLI_EXIT_TIMEOUT)
            fprintf(stderr, "polyverify: stopped at --timeout %g s: the cells "
                    "found so far are printed, marked INCOMPLETE\n", a->timeout);
        else if (status == CLI_EXIT_INTERRUPT)
            fprintf(stderr, "polyverify: interrupted: the cells found so far "
                    "are printed, marked INCOMPLETE\n");
        else
            fprintf(stderr, "polyverify: %s\n", err.msg);
        return status;   /* E->by_dim is NULL if it stopped before any cell */
    }
    return rc == PV_OK ? 0 : cli_fail(&err);
}

void cli_json_enum_head(pv_json *j, const pv_enum *E, int status)
{
    pv_json_int(j, "cells", E->ncells);
    cli_json_by_dim(j, E);
    pv_json_bool(j, "complete", E->complete);
    if (!E->complete)
        pv_json_string(j, "stopped", cli_stop_reason(status));
}

void cli_json_by_dim(pv_json *j, const pv_enum *E)
{
    pv_json_begin_object(j, "cells_by_dim");
    for (int d = E->m; d >= 0; d--) {
        char key[16];
        snprintf(key, sizeof key, "%d", d);
        if (E->by_dim[d])
            pv_json_int(j, key, E->by_dim[d]);
    }
    pv_json_end_object(j);
}

void cli_text_by_dim(const pv_enum *E, int status)
{
    const char *why = status == CLI_EXIT_TIMEOUT ? "stopped at --timeout"
                    : status == CLI_EXIT_INTERRUPT ? "interrupted"
                    : "stopped at a limit";
    printf("cells       %d", E->ncells);
    if (!E->complete)
        printf("  (INCOMPLETE: %s; every listed cell is exact)", why);
    printf("\nby dim     ");
    for (int d = E->m; d >= 0; d--)
        if (E->by_dim[d])
            printf(" dim %d: %d", d, E->by_dim[d]);
    printf("\n");
}
