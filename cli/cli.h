/* polyverify — the command-line interface's internals.
 *
 * The CLI is a thin layer over the library (include/polyverify/): one file
 * per command (cli/cmd_*.c), each with its own option table, so that an
 * option a command does not use is a usage error and `--help` lists
 * exactly the options the command takes (cli/options.c builds both from
 * the table). Helpers shared by several commands are in cli/common.c. */
#ifndef PV_CLI_H
#define PV_CLI_H

#include <stdio.h>
#include <gmp.h>

#include "polyverify/adjacency.h"
#include "polyverify/box.h"
#include "polyverify/cell.h"
#include "polyverify/enumerate.h"
#include "polyverify/error.h"
#include "polyverify/json.h"
#include "polyverify/network.h"
#include "polyverify/point.h"
#include "polyverify/volume.h"

#define CLI_EXIT_USAGE 2
#define CLI_EXIT_LIMIT 3
#define CLI_EXIT_TIMEOUT 4
#define CLI_EXIT_INTERRUPT 130    /* 128 + SIGINT, as shells report it */

/* Every option any command takes; a command's table says which it takes. */
typedef enum cli_opt_id {
    OPT_HELP, OPT_JSON, OPT_TIMEOUT, OPT_MAX_MEMORY,
    OPT_CODE, OPT_POINT, OPT_POINTS, OPT_LABEL_COLUMN, OPT_SCALE, OPT_DATA,
    OPT_NO_FILTER, OPT_BOX, OPT_FORMAT, OPT_CERTIFICATE, OPT_VERIFY,
    OPT_FLIPS, OPT_ENUMERATE, OPT_MAX_CELLS, OPT_LP_ONLY, OPT_GRAPH,
    OPT_GRAPH_SWITCH, OPT_OUTPUT, OPT_SLICE, OPT_HIGHLIGHT, OPT_MAX_DEPTH, OPT_SLICE_POINTS, OPT_SIZE, OPT_COLOR, OPT_DOMAIN,
    OPT_VOLUME,                /* cell --volume, enumerate --volumes */
    OPT_NO_POINTS,             /* enumerate --no-points */
    OPT_THREADS,               /* --threads K: see CLI_THREADS_OPT */
    OPT_COUNT
} cli_opt_id;

/* One row of a command's option table. */
typedef struct cli_opt {
    cli_opt_id id;
    const char *name;        /* "--box"                                   */
    const char *metavar;     /* "LO,HI", or NULL for a switch             */
    int max;                 /* how often it may be given (0: once)       */
    const char *help;        /* lines of help, '\n'-separated             */
} cli_opt;

/* The parsed command line: what each option said (NULL / 0 when absent). */
typedef struct cli_args {
    const char *net_path;
    int given[OPT_COUNT];    /* how often each option was given           */
    const char *codes[2];
    const char *points_arg[2];   /* --point X (twice for adjacency-check) */
    const char *points;      /* --points FILE.csv                         */
    const char *data;        /* stats --data FILE.csv                     */
    const char *scale;
    int label_column;        /* -1: none                                  */
    const char *box;
    const char *domain;      /* --domain FILE (.vnnlib or .ine)           */
    const char *format;
    const char *certificate;
    const char *graph;       /* enumerate --graph dot|json                */
    const char *output;
    const char *slice;
    const char *slice_points;
    int width, height;       /* plot --size WxH (0: default)              */
    int color_class;         /* plot --color class                        */
    long max_cells;
    long max_depth;          /* explore --max-depth; -1: none            */
    double timeout;
    long max_memory;
    int verify;              /* 1 --verify; 2 by POLYVERIFY_SELF_CHECK     */
    int threads;             /* --threads K; 0: every available core       */
} cli_args;

struct cli_command;
typedef int (*cli_run)(const pv_net *net, const cli_args *a,
                       const struct cli_command *cmd);

typedef struct cli_command {
    const char *name;
    const char *synopsis;    /* the usage lines, without "usage: "         */
    const char *about;       /* what it answers, a paragraph               */
    const cli_opt *opts;     /* its table, ended by a row with name NULL    */
    cli_run run;
    int certifies;           /* POLYVERIFY_SELF_CHECK applies (--verify)    */
} cli_command;

extern const cli_command cli_info, cli_convert, cli_code, cli_stats, cli_cell,
    cli_adjacency, cli_enumerate, cli_plot, cli_segment, cli_radius, cli_explore;

/* options.c */
extern const cli_command *const cli_commands[];   /* NULL-terminated */
int cli_parse(int argc, char **argv, const cli_command *cmd, cli_args *a);
void cli_help(const cli_command *cmd, FILE *f);
int cli_usage(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* An exact number option (--scale): 0, or 1 with a message (bad input). */
int cli_parse_rational(mpq_t q, const char *option, const char *text);

/* common.c */
int cli_fail(const pv_error *err);
/* The --help text of --domain, the same on every command that takes it. */
#define CLI_DOMAIN_HELP                                                       \
    "the input domain of a VNN-LIB property (.vnnlib: its input\n"            \
    "constraints, linear in the X_i; the output constraints are not part\n"  \
    "of it) or a cddlib .ine file (rows b + a.x >= 0, linearity rows = 0);\n"\
    "rows on several inputs are the domain's rows 0, 1, ... (file order)"

/* The --threads row of the commands that run in parallel. */
#define CLI_THREADS_OPT                                                       \
    { OPT_THREADS, "--threads", "K", 0,                                      \
      "worker threads (default: every available core; 1: one thread).\n"    \
      "The output is the same, byte for byte, for every K" }

/* --box (or `--box input`) or --domain FILE: 0 no box, 1 a box, -1 error
 * (box initialised in every case: clear it). */
int cli_load_box(pv_box *box, const pv_net *net, const cli_args *a,
                 pv_error *err);
void cli_print_point(FILE *f, mpq_t *const x, int m);
/* A volume in text: the number, or "none (...)" saying why there is none
 * (dim: the cell's, m: the input dimension). */
void cli_print_volume(FILE *f, const mpq_t vol, pv_volume_kind kind, int dim,
                      int m);
/* A --point argument as m exact coordinates (a fresh vector). */
mpq_t *cli_parse_point(const char *text, int m, pv_error *err);
/* The k-th --point: exact coordinates, or FILE.csv:ROW (row ROW, from 0, of
 * a CSV file, without --label-column's column), times --scale if given. */
mpq_t *cli_point(const cli_args *a, int k, int m, pv_error *err);
void cli_free_point(mpq_t *x, int m);
/* The 2-input network of --slice P,D1,D2 or --slice-points A,B,C (P = A,
 * D1 = B - A, D2 = C - A; FILE.csv:I,J,K takes rows of a CSV file, and
 * --scale applies): 1 (out set), 0 (no slice, and net has 2 inputs: use
 * net), -1 (err set). out is initialised by the caller. With plane !=
 * NULL, a 1 also hands over P, D1, D2 there (3m numbers: cli_free_point). */
int cli_slice_net(pv_net *out, const pv_net *net, const cli_args *a,
                  mpq_t **plane, pv_error *err);
/* The slice's box: --box (2-D), else [-1/4, 5/4]^2 with --slice-points:
 * 1, or -1 (err set). box: initialised by the caller, 2-D. */
int cli_slice_box(pv_box *box, const cli_args *a, pv_error *err);

/* The JSON of an answer, written where certify asks (the printed answer
 * and the one --verify hands to pvcheck are the same bytes). */
typedef void (*cli_answer_json)(FILE *f, const void *answer);
/* --certificate / --verify: writes the certificate of a cell (C), an
 * adjacency check (A) or an enumeration (E); with --verify, pvcheck checks
 * it against the answer's JSON. 0 when all went well, else err is set and
 * no file is left. */
int cli_certify(const cli_args *a, const pv_net *net, const pv_box *box,
                const pv_cell *C, const pv_adjacency *A,
                const pv_enum *E, cli_answer_json json,
                const void *answer, pv_error *err);

/* Enumerations: progress on a terminal, Ctrl-C and --timeout keep what was
 * found. Returns 0, CLI_EXIT_LIMIT, CLI_EXIT_TIMEOUT or CLI_EXIT_INTERRUPT
 * (E holds the cells found, with complete = 0, and can be printed unless
 * E->by_dim is NULL: stopped before the first cell), or 1 with the error
 * printed. */
int cli_run_enumeration(pv_enum *E, const pv_net *net,
                        const cli_args *a, const pv_box *box, int graph);
/* The exit status of a long run's rc: 0, CLI_EXIT_LIMIT, CLI_EXIT_TIMEOUT
 * or CLI_EXIT_INTERRUPT (saying on stderr that what was found is printed,
 * marked INCOMPLETE), or 1 with the error printed. */
int cli_run_status(pv_status rc, const pv_error *err, const cli_args *a);
/* adjacency-check --enumerate (cmd_lemma1.c). */
int cli_lemma1(const pv_net *net, const cli_args *a);
/* The INCOMPLETE note of text output, and the "stopped" JSON value. */
const char *cli_stop_reason(int status);
/* The same in words, for text output: "stopped at --timeout", ... */
const char *cli_stop_words(int status);

/* The enumeration's counts by dimension (shared by enumerate and
 * adjacency-check --enumerate). */
void cli_json_by_dim(pv_json *j, const pv_enum *E);
/* cells, cells_by_dim, complete and (when incomplete) stopped. */
void cli_json_enum_head(pv_json *j, const pv_enum *E, int status);
void cli_text_by_dim(const pv_enum *E, int status);

/* Signals: SIGINT and the supervisor's SIGUSR1 (--timeout) set a flag that
 * the enumeration polls; a second SIGINT ends the process at once. */
void cli_catch_stop_signals(void);
void cli_release_stop_signals(void);
/* The hooks of a long library run: progress on a terminal (else NULL),
 * and the poll of the stop flag. */
void cli_stop_hooks(void (**progress)(void *, long, double),
                    int (**stop)(void *));
int cli_stop_signal(void);    /* 0, SIGINT or SIGUSR1 */

#endif
