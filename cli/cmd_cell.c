/* polyverify cell — the cell of a code (or of a point's code): realised,
 * dimension, implicit equalities, a relative-interior point, boundedness,
 * facets and the code beyond each; with --volume, its exact volume. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "polyverify/code.h"
#include "polyverify/json.h"
#include "polyverify/dimension.h"
#include "polyverify/system.h"

static void print_cell_text(const pv_cell *C, const pv_net *net)
{
    char *s = pv_code_str(&C->code, net);
    printf("code        %s\n", s);
    free(s);
    if (!C->realized) {
        printf("realized    no (the code's cell is empty)\n");
        return;
    }
    printf("realized    yes\ndim         %d\npoint       ", C->dim);
    cli_print_point(stdout, C->point, C->m);
    printf("\nbounded     %s\n", C->bounded ? "yes" : "no");
    printf("implicit    ");
    for (int i = 0; i < C->nimplicit; i++)
        printf("%s%d", i ? "," : "", C->implicit[i]);
    printf("%s\n", C->nimplicit ? "" : "none");
    if (C->nimplicit_domain) {
        printf("on domain   rows ");
        for (int i = 0; i < C->nimplicit_domain; i++)
            printf("%s%d", i ? "," : "", C->implicit_domain[i]);
        printf(" (general domain rows vanishing on the cell)\n");
    }
    printf("facets      %d\n", C->nfacets);
    for (int f = 0; f < C->nfacets; f++) {
        const pv_cell_facet *cf = &C->facets[f];
        printf("  ");
        if (cf->nneurons)
            printf("neurons ");
        for (int i = 0; i < cf->nneurons; i++)
            printf("%s%d", i ? "," : "", cf->neurons[i]);
        if (cf->box_coord >= 0)
            printf("%sbox x%d %s", cf->nneurons ? " + " : "", cf->box_coord,
                   cf->box_hi ? "hi" : "lo");
        if (cf->domain_row >= 0)
            printf("%sdomain row %d", cf->nneurons || cf->box_coord >= 0 ? " + " : "",
                   cf->domain_row);
        if (cf->has_neighbor) {
            char *n = pv_code_str(&cf->neighbor, net);
            printf("  -> %s (Hamming %d)", n, pv_code_hamming(&C->code, &cf->neighbor));
            free(n);
        }
        printf("\n");
    }
}

static void cell_json(FILE *f, const void *answer)
{
    pv_json j;
    pv_json_init(&j, f);
    pv_json_cell(&j, NULL, answer);
}

/* The volume of --volume (kind set when it was asked for). */
typedef struct volume {
    int wanted;
    mpq_t v;
    pv_volume_kind kind;
} volume;

/* The cell object with "volume": "p/q" or null after its members. */
static void cell_volume_json(FILE *f, const pv_cell *C, const volume *V)
{
    pv_json j;
    pv_json_init(&j, f);
    pv_json_begin_object(&j, NULL);
    pv_json_cell_members(&j, C);
    if (V->kind == PV_VOLUME_FINITE)
        pv_json_rational(&j, "volume", V->v);
    else
        pv_json_null(&j, "volume");
    pv_json_end_object(&j);
}

/* The code of --code C, or the point of --point X into *xp (its code then
 * by pv_cell_of_point, or here when `need_code`, for --format ine): 0 or
 * 1 (err set). */
static int the_code(pv_code *code, mpq_t **xp, int need_code, const pv_net *net,
                    const cli_args *a, pv_error *err)
{
    *xp = NULL;
    if (a->given[OPT_CODE])
        return pv_code_parse(code, net, a->codes[0], err) != PV_OK;
    int m = pv_net_input_dim(net);
    mpq_t *x = cli_point(a, 0, m, err);
    if (x == NULL)
        return 1;
    *xp = x;
    return need_code && pv_code_at(net, x, code, NULL, err) != PV_OK;
}

/* P(b) in cddlib's .ine: the rows that vanish on all of P(b) (its implicit
 * equalities, decided exactly on the closure system) on the linearity
 * line, so that lrs and redund see its affine hull exactly. */
static int write_ine(const pv_net *net, const pv_code *code, const pv_box *box,
                     pv_error *err)
{
    pv_system S, F;
    pv_dimension D;
    pv_system_init(&S, 0, 0);
    pv_system_init(&F, 0, 0);
    pv_dimension_init(&D);
    int rc = pv_system_of_code(&S, net, code, box, err) != PV_OK ||
             pv_system_of_face(&F, &S, NULL, 0, err) != PV_OK ||  /* the closure */
             pv_dimension_compute(&D, &F, NULL, err) != PV_OK;
    if (!rc) {
        for (int i = 0; D.dim >= 0 && i < S.nrows; i++)
            S.eq[i] |= D.implicit[i];
        char *s = pv_code_str(code, net);
        char comment[256];
        snprintf(comment, sizeof comment, "polyverify: closure P(b) of code %.200s", s);
        pv_system_write_ine(&S, stdout, comment);
        free(s);
    }
    pv_dimension_clear(&D);
    pv_system_clear(&F);
    pv_system_clear(&S);
    return rc;
}

/* The volume is not part of a certificate (pvcheck does not check it):
 * POLYVERIFY_SELF_CHECK verifies the other facts, an explicit
 * --certificate or --verify with --volume is a usage error (run()). */
static int cell(const pv_net *net, const cli_args *a, const pv_code *code,
                mpq_t *const x, const pv_box *box, pv_error *err)
{
    pv_cell C;
    pv_cell_init(&C);
    volume V;
    V.wanted = a->given[OPT_VOLUME] > 0;
    V.kind = PV_VOLUME_EMPTY;
    mpq_init(V.v);
    int cert = a->certificate || a->verify;
    int json = a->given[OPT_JSON] || (a->format && !strcmp(a->format, "json"));
    unsigned what = PV_CELL_ALL | (cert ? PV_CELL_DIRECT : 0);
    int status = 0;
    if ((x ? pv_cell_of_point(&C, net, x, box, what, err)
           : pv_cell_compute(&C, net, code, box, what, err)) != PV_OK ||
        (V.wanted && pv_volume_of_code(V.v, &V.kind, net, &C.code, box, C.dim,
                                       err) != PV_OK) ||
        (cert && cli_certify(a, net, box, &C, NULL, NULL, cell_json, &C, err)))
        status = 1;
    else if (json && V.wanted)
        cell_volume_json(stdout, &C, &V);
    else if (json)
        cell_json(stdout, &C);
    else {
        if (a->given[OPT_POINT])
            printf("the code of the point %s\n", a->points_arg[0]);
        print_cell_text(&C, net);
        if (V.wanted) {
            printf("volume      ");
            cli_print_volume(stdout, V.v, V.kind, C.dim, C.m);
            printf("\n");
        }
    }
    mpq_clear(V.v);
    pv_cell_clear(&C);
    return status;
}

static int run(const pv_net *net, const cli_args *a, const cli_command *cmd)
{
    pv_error err = {0};
    if (a->given[OPT_CODE] + a->given[OPT_POINT] != 1)
        return cli_usage(cmd, "give exactly one --code C or --point X");
    int ine = a->format && !strcmp(a->format, "ine");
    if (ine && (a->given[OPT_JSON] || a->certificate || a->verify == 1 ||
                a->given[OPT_VOLUME]))
        return cli_usage(cmd, "--format ine prints the system only: it takes no "
                         "--json, --certificate, --verify or --volume");
    if (a->given[OPT_VOLUME] && (a->certificate || a->verify == 1))
        return cli_usage(cmd, "--volume is not covered by certificates (pvcheck "
                         "does not check volumes): it takes no --certificate or "
                         "--verify");
    if (a->given[OPT_VOLUME] &&
        pv_volume_supported(pv_net_input_dim(net), &err) != PV_OK)
        return cli_fail(&err);
    pv_code code;
    pv_code_init(&code, 0);
    pv_box box;
    int hasbox = cli_load_box(&box, net, a, &err);
    const pv_box *bp = hasbox > 0 ? &box : NULL;
    mpq_t *x = NULL;
    int status = hasbox < 0 || the_code(&code, &x, ine, net, a, &err) ||
                 (ine ? write_ine(net, &code, bp, &err)
                      : cell(net, a, &code, x, bp, &err));
    if (status)
        cli_fail(&err);
    cli_free_point(x, pv_net_input_dim(net));
    pv_box_clear(&box);
    pv_code_clear(&code);
    return status;
}

static const cli_opt opts[] = {
    { OPT_CODE, "--code", "C", 0, "0/1 string; '|' and spaces are ignored" },
    { OPT_POINT, "--point", "X", 0,
      "the cell of the code of the point X (comma-separated exact\n"
      "coordinates, or FILE.csv:ROW, row ROW from 0 of a CSV file; the code\n"
      "by an exact forward pass)" },
    { OPT_LABEL_COLUMN, "--label-column", "K", 0,
      "with FILE.csv:ROW, column K (from 0) is a label, not a coordinate" },
    { OPT_SCALE, "--scale", "S", 0,
      "multiply the point by the exact number S first (e.g. 1/255)" },
    { OPT_DOMAIN, "--domain", "FILE", 0,
      CLI_DOMAIN_HELP },
    { OPT_BOX, "--box", "LO,HI", 0,
      "restrict to LO <= x_i <= HI (or LO1,HI1,...,LOm,HIm; `input`: the\n"
      "network's own input box, e.g. a .nnet file's min/max)" },
    { OPT_JSON, "--json", NULL, 0, "JSON output (DESIGN §3.3)" },
    { OPT_FORMAT, "--format", "ine|json|text", 0,
      "ine: the closure P(b) in cddlib/lrs .ine format (equality rows in a\n"
      "linearity line; strict rows kept as >= and listed in a comment)" },
    { OPT_VOLUME, "--volume", NULL, 0,
      "also the exact volume of the cell's closure (in the box): \"p/q\", or\n"
      "none (JSON null) for a lower-dimensional, empty or unbounded cell;\n"
      "for networks with at most 6 inputs (more is an error). Not covered\n"
      "by --certificate" },
    { OPT_CERTIFICATE, "--certificate", "FILE", 0,
      "write a certificate of every fact printed (check it with:\n"
      "pvcheck NET FILE --answer ANSWER.json; format: verify/README.md)" },
    { OPT_VERIFY, "--verify", NULL, 0,
      "run pvcheck on this answer and its certificate before printing" },
    { OPT_COUNT, NULL, NULL, 0, NULL },
};

const cli_command cli_cell = {
    "cell", "polyverify cell NET (--code C | --point X) [--box LO,HI]\n"
    "                           [--json | --format ine] [--volume]\n"
    "                           [--certificate F] [--verify]",
    "Decides exactly whether the code is realised, and its cell's dimension,\n"
    "implicit equalities, a relative-interior point, boundedness and facets\n"
    "(each facet: the neurons defining it and the code beyond it).",
    opts, run, 1,
};
