/* polyverify — deterministic JSON output (see json.h). */
#include "core/alloc.h"
#include "polyverify/json.h"

#include <stdlib.h>

void pv_json_init(pv_json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->count[0] = 0;
    j->inline_depth = PV_JSON_MAX_DEPTH;
}

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Separator, indentation and key before a member. */
static void member(pv_json *j, const char *key)
{
    if (j->depth > 0) {
        if (j->count[j->depth]++)
            fputc(',', j->f);
        if (j->depth < j->inline_depth) {
            fputc('\n', j->f);
            for (int i = 0; i < j->depth; i++)
                fputs("  ", j->f);
        } else if (j->count[j->depth] > 1) {
            fputc(' ', j->f);
        }
    }
    if (key) {
        put_string(j->f, key);
        fputs(": ", j->f);
    }
}

static void json_open(pv_json *j, const char *key, char c, int inline_)
{
    member(j, key);
    fputc(c, j->f);
    if (j->depth + 1 < PV_JSON_MAX_DEPTH)
        j->depth++;
    j->count[j->depth] = 0;
    if (inline_ && j->inline_depth > j->depth)
        j->inline_depth = j->depth;
}

static void close_(pv_json *j, char c)
{
    int had = j->count[j->depth] > 0;
    int was_inline = j->depth >= j->inline_depth;
    if (j->depth == j->inline_depth)
        j->inline_depth = PV_JSON_MAX_DEPTH;
    j->depth--;
    if (had && !was_inline) {
        fputc('\n', j->f);
        for (int i = 0; i < j->depth; i++)
            fputs("  ", j->f);
    }
    fputc(c, j->f);
    if (j->depth == 0)
        fputc('\n', j->f);
}

void pv_json_begin_object(pv_json *j, const char *key) { json_open(j, key, '{', 0); }
void pv_json_end_object(pv_json *j) { close_(j, '}'); }
void pv_json_begin_array(pv_json *j, const char *key) { json_open(j, key, '[', 0); }
void pv_json_end_array(pv_json *j) { close_(j, ']'); }

void pv_json_int(pv_json *j, const char *key, long v)
{
    member(j, key);
    fprintf(j->f, "%ld", v);
}

void pv_json_bool(pv_json *j, const char *key, int v)
{
    member(j, key);
    fputs(v ? "true" : "false", j->f);
}

void pv_json_null(pv_json *j, const char *key)
{
    member(j, key);
    fputs("null", j->f);
}

void pv_json_string(pv_json *j, const char *key, const char *s)
{
    member(j, key);
    put_string(j->f, s);
}

void pv_json_rational(pv_json *j, const char *key, const mpq_t q)
{
    member(j, key);
    gmp_fprintf(j->f, "\"%Qd\"", q);
}

void pv_json_rationals(pv_json *j, const char *key, mpq_t *const q, int n)
{
    json_open(j, key, '[', 1);
    for (int i = 0; i < n; i++)
        pv_json_rational(j, NULL, q[i]);
    close_(j, ']');
}

void pv_json_ints(pv_json *j, const char *key, const int *v, int n)
{
    json_open(j, key, '[', 1);
    for (int i = 0; i < n; i++)
        pv_json_int(j, NULL, v[i]);
    close_(j, ']');
}

void pv_json_code(pv_json *j, const char *key, const pv_code *c)
{
    char *s = pv_code_str(c, NULL);
    pv_json_string(j, key, s ? s : "");
    pv_free(s);
}

void pv_json_code_pair(pv_json *j, const char *key, const pv_code *a,
                       const pv_code *b)
{
    json_open(j, key, '[', 1);
    pv_json_code(j, NULL, a);
    pv_json_code(j, NULL, b);
    close_(j, ']');
}

static void json_box_sides(pv_json *j, const char *key, const int *box, int n)
{
    pv_json_begin_array(j, key);
    for (int i = 0; i < n; i++) {
        json_open(j, NULL, '[', 1);
        pv_json_int(j, NULL, box[i] / 2);
        pv_json_string(j, NULL, box[i] % 2 ? "hi" : "lo");
        close_(j, ']');
    }
    pv_json_end_array(j);
}

static void json_facet(pv_json *j, const pv_cell_facet *f)
{
    json_open(j, NULL, '{', 1);
    pv_json_ints(j, "neurons", f->neurons, f->nneurons);
    if (f->box_coord >= 0) {
        json_open(j, "box", '[', 1);
        pv_json_int(j, NULL, f->box_coord);
        pv_json_string(j, NULL, f->box_hi ? "hi" : "lo");
        close_(j, ']');
    }
    if (f->domain_row >= 0)
        pv_json_int(j, "domain", f->domain_row);
    if (f->has_neighbor)
        pv_json_code(j, "neighbor", &f->neighbor);
    else
        pv_json_null(j, "neighbor");
    close_(j, '}');
}

void pv_json_cell_members(pv_json *j, const pv_cell *C)
{
    pv_json_code(j, "code", &C->code);
    pv_json_bool(j, "realized", C->realized);
    pv_json_int(j, "dim", C->dim);
    if (C->realized) {
        pv_json_rationals(j, "point", C->point, C->m);
        pv_json_bool(j, "bounded", C->bounded);
    } else {
        pv_json_null(j, "point");
        pv_json_null(j, "bounded");
    }
    pv_json_ints(j, "implicit_equalities", C->implicit, C->nimplicit);
    if (C->nimplicit_box)
        json_box_sides(j, "implicit_box", C->implicit_box, C->nimplicit_box);
    if (C->nimplicit_domain)
        pv_json_ints(j, "implicit_domain", C->implicit_domain, C->nimplicit_domain);
    pv_json_begin_array(j, "facets");
    for (int f = 0; f < C->nfacets; f++)
        json_facet(j, &C->facets[f]);
    pv_json_end_array(j);
}

void pv_json_cell(pv_json *j, const char *key, const pv_cell *C)
{
    pv_json_begin_object(j, key);
    pv_json_cell_members(j, C);
    pv_json_end_object(j);
}

void pv_json_segment(pv_json *j, const char *key, const pv_segment *s)
{
    pv_json_begin_object(j, key);
    pv_json_begin_array(j, "pieces");
    for (int i = 0; i < s->npieces; i++) {
        json_open(j, NULL, '{', 1);
        pv_json_code(j, "code", &s->pieces[i].code);
        pv_json_rational(j, "t_from", s->pieces[i].t_from);
        pv_json_rational(j, "t_to", s->pieces[i].t_to);
        close_(j, '}');
    }
    pv_json_end_array(j);
    pv_json_begin_array(j, "breakpoints");
    for (int i = 0; i < s->nbreaks; i++) {
        json_open(j, NULL, '{', 1);
        pv_json_rational(j, "t", s->breaks[i].t);
        pv_json_code(j, "code", &s->breaks[i].code);
        close_(j, '}');
    }
    pv_json_end_array(j);
    pv_json_int(j, "cells", s->npieces);
    pv_json_end_object(j);
}

static void json_nearest(pv_json *j, const char *key, const pv_radius_nearest *n,
                         int m)
{
    pv_json_begin_object(j, key);
    pv_json_ints(j, "neurons", n->neurons, n->nneurons);
    if (n->nbox)
        json_box_sides(j, "box", n->box, n->nbox);
    if (n->ndomain)
        pv_json_ints(j, "domain", n->domain, n->ndomain);
    if (n->point)
        pv_json_rationals(j, "point", n->point, m);
    else
        pv_json_null(j, "point");
    if (n->has_neighbor)
        pv_json_code(j, "neighbor", &n->neighbor);
    else
        pv_json_null(j, "neighbor");
    pv_json_end_object(j);
}

void pv_json_radius(pv_json *j, const char *key, const pv_radius *R)
{
    pv_json_begin_object(j, key);
    pv_json_code(j, "code", &R->code);
    if (R->finite) {
        pv_json_rational(j, "l2_squared", R->l2_squared);
        pv_json_rational(j, "linf", R->linf);
        json_nearest(j, "nearest_l2", &R->nearest_l2, R->m);
        json_nearest(j, "nearest_linf", &R->nearest_linf, R->m);
    } else {
        pv_json_null(j, "l2_squared");
        pv_json_null(j, "linf");
        pv_json_null(j, "nearest_l2");
        pv_json_null(j, "nearest_linf");
    }
    pv_json_end_object(j);
}
