/* polyverify — a picture as a list of things to draw (see picture.h). */
#include "core/alloc.h"
#include "plot/picture.h"

#include <string.h>

const char *const pic_group_id[PIC_NGROUPS] = {
    "cells", "decision-boundary", "graph", "codes", "axes", "slice-points",
    "points", "legend"
};

void pic_init(pic *P, double width, double height)
{
    memset(P, 0, sizeof *P);
    P->width = width;
    P->height = height;
}

void pic_clear(pic *P)
{
    for (int k = 0; k < P->n; k++) {
        pv_free(P->item[k].xy);
        pv_free(P->item[k].text);
        pv_free(P->item[k].attrs);
        pv_free(P->item[k].title);
    }
    pv_free(P->item);
    memset(P, 0, sizeof *P);
}

/* A fresh item of kind k in group g, zero but for no paint. */
static pic_item *push(pic *P, pic_kind k, pic_group g)
{
    if (P->n == P->cap) {
        P->cap = P->cap ? 2 * P->cap : 256;
        P->item = pv_realloc(P->item, (size_t)P->cap * sizeof *P->item);
    }
    pic_item *it = &P->item[P->n++];
    memset(it, 0, sizeof *it);
    it->kind = k;
    it->group = g;
    it->paint.fill = it->paint.stroke = PIC_NONE;
    return it;
}

pic_paint pic_fill_stroke(long fill, long stroke, double width)
{
    pic_paint p = { fill, stroke, width, 0 };
    return p;
}

pic_paint pic_fill(long rgb)
{
    return pic_fill_stroke(rgb, PIC_NONE, 0);
}

pic_paint pic_stroke(long rgb, double width)
{
    return pic_fill_stroke(PIC_NONE, rgb, width);
}

void pic_path(pic *P, pic_group g, const double *xy, int n, int closed, pic_paint paint)
{
    pic_item *it = push(P, PIC_PATH, g);
    it->paint = paint;
    it->n = n;
    it->closed = closed;
    it->xy = pv_malloc((size_t)(2 * n + 1) * sizeof *it->xy);
    memcpy(it->xy, xy, (size_t)(2 * n) * sizeof *xy);
}

void pic_line(pic *P, pic_group g, double x0, double y0, double x1, double y1,
              pic_paint paint)
{
    double xy[4] = { x0, y0, x1, y1 };
    pic_path(P, g, xy, 2, 0, paint);
}

void pic_circle(pic *P, pic_group g, double cx, double cy, double r, pic_paint paint)
{
    pic_item *it = push(P, PIC_CIRCLE, g);
    it->paint = paint;
    it->cx = cx;
    it->cy = cy;
    it->r = r;
}

/* The length of the well-formed UTF-8 sequence at s (shortest form, no
 * surrogates), or 0. */
static int utf8_length(const unsigned char *s)
{
    int n = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2
          : s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;
    for (int k = 1; k < n; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
        (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
        return 0;
    return n;
}

char *pic_printable(const char *s)
{
    char *out = pv_strdup(s);
    unsigned char *u = (unsigned char *)out;
    for (size_t k = 0; u[k];) {
        int n = u[k] < 0x20 || u[k] == 0x7f ? 0 : utf8_length(u + k);
        if (n == 0) {
            u[k++] = '?';
        } else {
            k += (size_t)n;
        }
    }
    return out;
}

void pic_text(pic *P, pic_group g, const char *s, const char *font, double size,
              double x, double y, double ax, long rgb)
{
    pic_item *it = push(P, PIC_TEXT, g);
    it->paint = pic_fill(rgb);
    it->text = pic_printable(s);
    it->font = font;
    it->size = size;
    it->cx = x;
    it->cy = y;
    it->ax = ax;
}

void pic_turn_last(pic *P, double angle, double tx, double ty)
{
    pic_item *it = &P->item[P->n - 1];
    it->angle = angle;
    it->tx = tx;
    it->ty = ty;
}

int pic_begin(pic *P, pic_group g, const char *attrs, const char *title)
{
    push(P, PIC_BEGIN, g);
    pic_rename(P, P->n - 1, attrs, title);
    return P->n - 1;
}

void pic_rename(pic *P, int k, const char *attrs, const char *title)
{
    pic_item *it = &P->item[k];
    pv_free(it->attrs);
    pv_free(it->title);
    it->attrs = pic_printable(attrs);
    it->title = title ? pic_printable(title) : NULL;
}

void pic_end(pic *P, pic_group g)
{
    push(P, PIC_END, g);
}

char *pic_xml_escape(const char *s)
{
    size_t n = 1;
    for (const char *c = s; *c; c++)
        n += *c == '&' ? 5 : *c == '<' || *c == '>' ? 4 : *c == '"' ? 6 : 1;
    char *out = pv_malloc(n), *o = out;
    for (const char *c = s; *c; c++) {
        const char *rep = *c == '&' ? "&amp;" : *c == '<' ? "&lt;" : *c == '>' ? "&gt;"
                        : *c == '"' ? "&quot;" : NULL;
        if (rep) {
            memcpy(o, rep, strlen(rep));
            o += strlen(rep);
        } else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}
