/* polyverify — command-line options: one table per command.
 *
 * A command's table (its cli_opt rows) plus the options every command takes
 * (below) are the only options it accepts; the same rows print its --help,
 * so the help and the parser cannot disagree. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/rational.h"

static const cli_opt common_opts[] = {
    { OPT_HELP, "--help", NULL, 0, "this help (also -h)" },
    { OPT_TIMEOUT, "--timeout", "SECONDS", 0,
      "stop a run that takes longer: exit status 4. An enumeration prints\n"
      "what it found, marked INCOMPLETE; other commands print nothing and\n"
      "leave no output file" },
    { OPT_MAX_MEMORY, "--max-memory", "MB", 0,
      "cap the memory: enumerations stop (exit status 3) before their cells\n"
      "would exceed it, or refuse at once when they provably would; other\n"
      "allocations fail with a clear error (exit status 5). Default for\n"
      "enumerations: 3/4 of the physical memory" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

/* Every command's table, to tell "not an option of this command" from
 * "unknown option". */
/* Every command, in the order of `polyverify --help` (main.c dispatches
 * on it; other_commands names the owners of a foreign option). */
const cli_command *const cli_commands[] = {
    &cli_info, &cli_code, &cli_cell, &cli_stats, &cli_adjacency,
    &cli_enumerate, &cli_explore, &cli_segment, &cli_radius, &cli_plot,
    &cli_convert, NULL,
};

int cli_usage(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "polyverify %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'polyverify %s --help')\n", cmd->name);
    return CLI_EXIT_USAGE;
}

/* Prints text word-wrapped to the help column (the table's line breaks
 * are only for the source; the help is reflowed to 80 columns). */
static void help_text(FILE *f, const char *head, const char *text)
{
    enum { COL = 23, WIDTH = 79 - COL };
    if (strlen(head) > COL - 3)
        fprintf(f, "  %s\n%*s", head, COL, "");
    else
        fprintf(f, "  %-*s", COL - 2, head);
    int used = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        int n = 0;
        while (p[n] && p[n] != ' ' && p[n] != '\n')
            n++;
        if (n == 0)
            break;
        if (used && used + 1 + n > WIDTH) {
            fprintf(f, "\n%*s", COL, "");
            used = 0;
        }
        fprintf(f, "%s%.*s", used ? " " : "", n, p);
        used += (used ? 1 : 0) + n;
        p += n;
    }
    fputc('\n', f);
}

static void help_rows(const cli_opt *t, FILE *f)
{
    for (; t->name; t++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", t->name, t->metavar ? " " : "",
                 t->metavar ? t->metavar : "");
        help_text(f, head, t->help);
    }
}

void cli_help(const cli_command *cmd, FILE *f)
{
    fprintf(f, "usage: %s\n\n%s\n\noptions:\n", cmd->synopsis, cmd->about);
    help_rows(cmd->opts, f);
    help_rows(common_opts, f);
}

static const cli_opt *find(const cli_opt *t, const char *name)
{
    for (; t->name; t++)
        if (!strcmp(t->name, name) ||
            (t->id == OPT_HELP && !strcmp(name, "-h")) ||
            (t->id == OPT_OUTPUT && !strcmp(name, "--output")))
            return t;
    return NULL;
}

/* The commands, other than cmd, that take the option `name`. */
static void other_commands(const cli_command *cmd, const char *name,
                           char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t c = 0; cli_commands[c]; c++) {
        const cli_command *o = cli_commands[c];
        if (o != cmd && find(o->opts, name)) {
            size_t n = strlen(buf);
            snprintf(buf + n, size - n, "%s%s", n ? ", " : "", o->name);
        }
    }
}

static int parse_long(const cli_command *cmd, const char *opt, const char *v,
                      long lo, long hi, long *out)
{
    char *end;
    long k = strtol(v, &end, 10);
    if (*v == '\0' || *end || k < lo || k > hi)
        return cli_usage(cmd, "%s takes a whole number from %ld to %ld, not '%s'",
                         opt, lo, hi, v);
    *out = k;
    return 0;
}

/* Stores the value of one option. */
static int store(const cli_command *cmd, const cli_opt *o, const char *v,
                 cli_args *a)
{
    int n = a->given[o->id];
    long k = 0;
    switch (o->id) {
    case OPT_CODE:        a->codes[n] = v; return 0;
    case OPT_POINT:       a->points_arg[n] = v; return 0;
    case OPT_POINTS:      a->points = v; return 0;
    case OPT_DATA:        a->data = v; return 0;
    case OPT_SCALE:       a->scale = v; return 0;
    case OPT_BOX:         a->box = v; return 0;
    case OPT_DOMAIN:      a->domain = v; return 0;
    case OPT_CERTIFICATE: a->certificate = v; return 0;
    case OPT_OUTPUT:      a->output = v; return 0;
    case OPT_SLICE:       a->slice = v; return 0;
    case OPT_SLICE_POINTS: a->slice_points = v; return 0;
    case OPT_FORMAT:
        if (strcmp(v, "ine") && strcmp(v, "json") && strcmp(v, "text"))
            return cli_usage(cmd, "--format takes ine, json or text, not '%s'", v);
        a->format = v;
        return 0;
    case OPT_GRAPH:
        if (strcmp(v, "dot") && strcmp(v, "json"))
            return cli_usage(cmd, "--graph takes dot or json, not '%s'", v);
        a->graph = v;
        return 0;
    case OPT_LABEL_COLUMN:
        if (parse_long(cmd, o->name, v, 0, 1000000, &k))
            return CLI_EXIT_USAGE;
        a->label_column = (int)k;
        return 0;
    case OPT_MAX_CELLS:
        return parse_long(cmd, o->name, v, 1, 2000000000L, &a->max_cells);
    case OPT_COLOR:
        if (strcmp(v, "cells") && strcmp(v, "class"))
            return cli_usage(cmd, "--color takes cells or class, not '%s'", v);
        a->color_class = !strcmp(v, "class");
        return 0;
    case OPT_SIZE: {
        int w, h;
        char tail;
        if (sscanf(v, "%dx%d%c", &w, &h, &tail) != 2 || w < 100 || h < 100 ||
            w > 20000 || h > 20000)
            return cli_usage(cmd, "--size takes WxH, each from 100 to 20000 pixels, "
                             "not '%s'", v);
        a->width = w;
        a->height = h;
        return 0;
    }
    case OPT_THREADS:
        if (parse_long(cmd, o->name, v, 1, 4096, &k))
            return CLI_EXIT_USAGE;
        a->threads = (int)k;
        return 0;
    case OPT_MAX_DEPTH:
        return parse_long(cmd, o->name, v, 0, 2000000000L, &a->max_depth);
    case OPT_MAX_MEMORY:
        return parse_long(cmd, o->name, v, 1, 1L << 30, &a->max_memory);
    case OPT_TIMEOUT: {
        char *end;
        double t = strtod(v, &end);
        if (*v == '\0' || *end || !(t > 0) || t > 1e9)
            return cli_usage(cmd, "--timeout takes a number of seconds > 0, not '%s'", v);
        a->timeout = t;
        return 0;
    }
    case OPT_VERIFY:
        a->verify = 1;
        return 0;
    default:
        return 0;   /* switches: given[] says it all */
    }
}

int cli_parse(int argc, char **argv, const cli_command *cmd, cli_args *a)
{
    memset(a, 0, sizeof *a);
    a->label_column = -1;
    a->max_depth = -1;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        if (s[0] != '-' || s[1] == '\0') {
            if (a->net_path)
                return cli_usage(cmd, "unexpected argument '%s'", s);
            a->net_path = s;
            continue;
        }
        const cli_opt *o = find(cmd->opts, s);
        if (!o)
            o = find(common_opts, s);
        if (!o) {
            char others[256];
            other_commands(cmd, s, others, sizeof others);
            if (others[0])
                return cli_usage(cmd, "%s is not an option of %s (it is one of: %s)",
                                 s, cmd->name, others);
            return cli_usage(cmd, "unknown option '%s'", s);
        }
        int limit = o->max ? o->max : 1;
        if (a->given[o->id] >= limit)
            return limit == 1 ? cli_usage(cmd, "%s is given more than once", o->name)
                              : cli_usage(cmd, "%s is given more than %d times",
                                          o->name, limit);
        const char *v = NULL;
        if (o->metavar) {
            if (i + 1 >= argc)
                return cli_usage(cmd, "%s needs a value (%s)", o->name, o->metavar);
            v = argv[++i];
        }
        int rc = store(cmd, o, v, a);
        if (rc)
            return rc;
        a->given[o->id]++;
    }
    if (!a->given[OPT_HELP] && !a->net_path)
        return cli_usage(cmd, "missing network file");
    return 0;
}

int cli_parse_rational(mpq_t q, const char *option, const char *text)
{
    const char *why = NULL;
    if (pv_rational_parse(q, text, strlen(text), &why) == PV_OK)
        return 0;
    fprintf(stderr, "polyverify: %s '%s': %s\n", option, text, why ? why : "bad number");
    return 1;   /* a bad number is bad input, as in --box or --point */
}
