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
#include "mpi.h"
#include "supervise.h"
#include "core/text.h"
#include "polyverify/plot.h"
#include "polyverify/rational.h"
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
    if (a->box && a->domain) {
        pv_error_set(err, PV_ERR_ARG, "give --box or --domain, not both");
        return -1;
    }
    if (a->domain)
        return pv_box_load(box, m, a->domain, NULL, err) == PV_OK ? 1 : -1;
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

void cli_print_volume(FILE *f, const mpq_t vol, pv_volume_kind kind, int dim,
                      int m)
{
    switch (kind) {
    case PV_VOLUME_FINITE:
        gmp_fprintf(f, "%Qd", vol);
        break;
    case PV_VOLUME_EMPTY:
        fputs("none (the cell is empty)", f);
        break;
    case PV_VOLUME_LOWER_DIM:
        fprintf(f, "none (dim %d < %d: measure zero)", dim, m);
        break;
    case PV_VOLUME_UNBOUNDED:
        fputs("none (unbounded)", f);
        break;
    }
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

/* Row `row` of a CSV file (label column skipped), as a fresh vector. */
/* Whether a CSV line has a field that parses as a number (a first line
 * without one is a header, as pv_pointset_parse_csv reads it). */
static int line_has_number(const char *p, size_t n)
{
    mpq_t v;
    mpq_init(v);
    int found = 0;
    for (size_t a = 0; a < n && !found;) {
        size_t b = a;
        while (b < n && p[b] != ',')
            b++;
        size_t s = a, e = b;
        while (s < e && (p[s] == ' ' || p[s] == '\t'))
            s++;
        while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t' || p[e - 1] == '\r'))
            e--;
        found = e > s && pv_rational_parse(v, p + s, e - s, NULL) == PV_OK;
        a = b + 1;
    }
    mpq_clear(v);
    return found;
}

/* Row `row` of a CSV file (rows as pv_pointset_read_csv counts them: no
 * blank or # lines, no header), label column skipped, as a fresh vector.
 * Only that line is parsed: a point of a 1000-image file costs one line. */
static mpq_t *csv_row(const char *path, long row, int m, int label_column,
                      pv_error *err)
{
    char *text = NULL;
    size_t len = 0;
    if (pv_read_file(path, (size_t)1 << 32, &text, &len, err) != PV_OK)
        return NULL;
    const char *p = text, *end = text + len, *hit = NULL;
    size_t hitn = 0;
    long k = 0, line = 0, hitline = 0;
    int content = 0;
    while (p < end && !hit) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        line++;
        size_t s = 0;
        while (s < n && (p[s] == ' ' || p[s] == '\t' || p[s] == '\r'))
            s++;
        int skip = s == n || p[s] == '#' || (!content++ && !line_has_number(p, n));
        if (!skip && k++ == row)
            hit = p, hitn = n, hitline = line;
        p = nl ? nl + 1 : end;
    }
    mpq_t *x = NULL;
    if (!hit) {
        pv_error_set(err, PV_ERR_ARG, "%s: no row %ld (the file has %ld rows, "
                     "numbered from 0)", path, row, k);
    } else {
        char name[4200];
        snprintf(name, sizeof name, "%s (line %ld)", path, hitline);
        pv_pointset ps;
        pv_pointset_init(&ps);
        if (pv_pointset_parse_csv(&ps, hit, hitn, name, m, label_column, err) == PV_OK) {
            if ((x = malloc((size_t)m * sizeof(mpq_t))) == NULL)
                pv_error_set(err, PV_ERR_NOMEM, "out of memory for a point");
            else
                for (int j = 0; j < m; j++) {
                    mpq_init(x[j]);
                    mpq_set(x[j], ps.x[j]);
                }
        }
        pv_pointset_clear(&ps);
    }
    free(text);
    return x;
}

/* FILE.csv:ROW (ROW all digits): the split, or 0 when text is no such form. */
static int csv_ref(const char *text, char *path, size_t size, long *row)
{
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || !colon[1] || (size_t)(colon - text) >= size)
        return 0;
    for (const char *c = colon + 1; *c; c++)
        if (*c < '0' || *c > '9')
            return 0;
    memcpy(path, text, (size_t)(colon - text));
    path[colon - text] = '\0';
    *row = strtol(colon + 1, NULL, 10);
    return 1;
}

mpq_t *cli_point(const cli_args *a, int k, int m, pv_error *err)
{
    const char *text = a->points_arg[k];
    char path[4096];
    long row;
    int csv = csv_ref(text, path, sizeof path, &row);
    if (!csv && a->given[OPT_LABEL_COLUMN]) {
        pv_error_set(err, PV_ERR_ARG, "--label-column goes with --point FILE.csv:ROW "
                     "(not with coordinates)");
        return NULL;
    }
    mpq_t *x = csv ? csv_row(path, row, m, a->label_column, err)
                   : cli_parse_point(text, m, err);
    if (x == NULL || !a->scale)
        return x;
    mpq_t s;
    mpq_init(s);
    const char *why = NULL;
    if (pv_rational_parse(s, a->scale, strlen(a->scale), &why) != PV_OK) {
        pv_error_set(err, PV_ERR_PARSE, "--scale '%s': %s", a->scale,
                     why ? why : "bad number");
        mpq_clear(s);
        cli_free_point(x, m);
        return NULL;
    }
    for (int j = 0; j < m; j++)
        mpq_mul(x[j], x[j], s);
    mpq_clear(s);
    return x;
}

void cli_free_point(mpq_t *x, int m)
{
    if (!x)
        return;
    for (int j = 0; j < m; j++)
        mpq_clear(x[j]);
    free(x);
}

/* --slice-points A,B,C: three points, as 3m numbers or FILE.csv:I,J,K. */
static mpq_t *slice_points(const cli_args *a, int m, pv_error *err)
{
    const char *text = a->slice_points;
    const char *colon = strrchr(text, ':');
    long row[3];
    char tail;
    if (colon && sscanf(colon + 1, "%ld,%ld,%ld%c", &row[0], &row[1], &row[2], &tail) == 3) {
        char path[4096];
        if ((size_t)(colon - text) >= sizeof path) {
            pv_error_set(err, PV_ERR_ARG, "--slice-points: file name too long");
            return NULL;
        }
        memcpy(path, text, (size_t)(colon - text));
        path[colon - text] = '\0';
        mpq_t *v = malloc((size_t)3 * (size_t)m * sizeof(mpq_t));
        if (!v) {
            pv_error_set(err, PV_ERR_NOMEM, "out of memory for three points");
            return NULL;
        }
        for (int k = 0; k < 3; k++) {
            mpq_t *x = csv_row(path, row[k], m, a->label_column, err);
            if (!x) {
                for (int j = 0; j < k * m; j++)
                    mpq_clear(v[j]);
                free(v);
                return NULL;
            }
            for (int j = 0; j < m; j++) {
                mpq_init(v[k * m + j]);
                mpq_swap(v[k * m + j], x[j]);
            }
            cli_free_point(x, m);
        }
        return v;
    }
    return cli_parse_point(text, 3 * m, err);
}

int cli_slice_net(pv_net *out, const pv_net *net, const cli_args *a,
                  mpq_t **plane, pv_error *err)
{
    int m = pv_net_input_dim(net);
    if (!a->slice && !a->slice_points) {
        if (m == 2)
            return 0;
        pv_error_set(err, PV_ERR_ARG, "the network has %d inputs; give a plane: "
                     "--slice P,D1,D2 (3*%d numbers) or --slice-points A,B,C", m, m);
        return -1;
    }
    if (a->slice && a->slice_points) {
        pv_error_set(err, PV_ERR_ARG, "give --slice or --slice-points, not both");
        return -1;
    }
    mpq_t *v = a->slice ? cli_parse_point(a->slice, 3 * m, err) : slice_points(a, m, err);
    if (v == NULL)
        return -1;
    if (a->slice_points) {
        mpq_t s;
        mpq_init(s);
        const char *why = NULL;
        if (a->scale && pv_rational_parse(s, a->scale, strlen(a->scale), &why) != PV_OK) {
            pv_error_set(err, PV_ERR_PARSE, "--scale '%s': %s", a->scale,
                         why ? why : "bad number");
            mpq_clear(s);
            cli_free_point(v, 3 * m);
            return -1;
        }
        for (int j = 0; a->scale && j < 3 * m; j++)
            mpq_mul(v[j], v[j], s);
        mpq_clear(s);
        for (int j = 0; j < m; j++) {      /* P = A, D1 = B - A, D2 = C - A */
            mpq_sub(v[m + j], v[m + j], v[j]);
            mpq_sub(v[2 * m + j], v[2 * m + j], v[j]);
        }
    }
    int rc = pv_net_slice(out, net, v, v + m, v + 2 * m, err) != PV_OK ? -1 : 1;
    if (plane && rc > 0)
        *plane = v;
    else
        cli_free_point(v, 3 * m);
    return rc;
}

int cli_slice_box(pv_box *box, const cli_args *a, pv_error *err)
{
    if (a->box)
        return pv_box_parse(box, 2, a->box, err) == PV_OK ? 1 : -1;
    if (!a->slice_points) {
        pv_error_set(err, PV_ERR_ARG, "give the slice's box with --box LO,HI (in "
                     "the slice coordinates)");
        return -1;
    }
    for (int j = 0; j < 2; j++) {                /* [-1/4, 5/4]^2 */
        mpq_set_si(box->lo[j], -1, 4);
        mpq_set_si(box->hi[j], 5, 4);
    }
    return 1;
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

const char *cli_stop_words(int status)
{
    return status == CLI_EXIT_TIMEOUT ? "stopped at --timeout"
         : status == CLI_EXIT_INTERRUPT ? "interrupted" : "stopped at a limit";
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
    eo.threads = a->threads;
    cli_stop_hooks(&eo.progress, &eo.interrupted);
    eo.dist = cli_mpi_dist();
    if (eo.dist) {
        /* every process stops at the same cell: no signal hook (one
         * process's Ctrl-C ends the job), mpi.c reports the progress */
        eo.interrupted = NULL;
        eo.progress = NULL;
    }
    cli_catch_stop_signals();
    pv_status rc = pv_enum_compute(E, net, &eo, &err);
    cli_release_stop_signals();
    if (eo.progress)
        fputs("\r\033[K", stderr);
    return cli_run_status(rc, &err, a);   /* E->by_dim is NULL if it stopped
                                              before any cell */
}

int cli_run_status(pv_status rc, const pv_error *err, const cli_args *a)
{
    if (rc == PV_OK)
        return 0;
    if (rc != PV_ERR_LIMIT && rc != PV_ERR_INTERRUPTED)
        return cli_fail(err);
    int status = rc == PV_ERR_LIMIT ? CLI_EXIT_LIMIT
               : stop_signal == SIGINT ? CLI_EXIT_INTERRUPT : CLI_EXIT_TIMEOUT;
    if (status == CLI_EXIT_TIMEOUT)
        fprintf(stderr, "polyverify: stopped at --timeout %g s: the cells "
                "found so far are printed, marked INCOMPLETE\n", a->timeout);
    else if (status == CLI_EXIT_INTERRUPT)
        fprintf(stderr, "polyverify: interrupted: the cells found so far "
                "are printed, marked INCOMPLETE\n");
    else
        fprintf(stderr, "polyverify: %s\n", err->msg);
    return status;
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
    const char *why = cli_stop_words(status);
    printf("cells       %d", E->ncells);
    if (!E->complete)
        printf("  (INCOMPLETE: %s; every listed cell is exact)", why);
    printf("\nby dim     ");
    for (int d = E->m; d >= 0; d--)
        if (E->by_dim[d])
            printf(" dim %d: %d", d, E->by_dim[d]);
    printf("\n");
}
