/* polyverify — a picture (picture.h) as SVG 1.1, written by hand so that
 * every cell is an element of its own, with its code as id and a title,
 * and every part of the picture a group with an id:
 *
 *   <g id="cells">
 *     <path id="c-0101" class="cell" data-code="01|01" data-dim="2"
 *           d="..." fill="#..." ...><title>code 01|01</title></path>
 *   </g>
 *   <g id="decision-boundary"> ... <g id="axes"> ... <g id="legend"> ...
 *
 * An element with one drawn item carries the attributes itself; one with
 * more (a segment cell drawn as an outline and a fill, a cell split by
 * class) is a <g> with them. Numbers are pixels with two decimals. */
#include "plot/picture.h"

#include <math.h>

static void colour(FILE *f, const char *name, long rgb)
{
    if (rgb == PIC_NONE)
        fprintf(f, " %s=\"none\"", name);
    else
        fprintf(f, " %s=\"#%06lx\"", name, rgb);
}

static void paint(FILE *f, const pic_paint *p)
{
    colour(f, "fill", p->fill);
    if (p->stroke == PIC_NONE)
        return;
    colour(f, "stroke", p->stroke);
    fprintf(f, " stroke-width=\"%.2f\"", p->width);
    if (p->dashed)
        fputs(" stroke-dasharray=\"6 4\"", f);
}

static void text_body(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* One drawn item; attrs and title (of the element it stands for) or NULL. */
static void item(FILE *f, const pic_item *it, const char *attrs, const char *title)
{
    if (it->kind == PIC_PATH) {
        fputs("<path", f);
        if (attrs)
            fputs(attrs, f);
        fputs(" d=\"", f);
        for (int a = 0; a < it->n; a++)
            fprintf(f, "%s%.2f %.2f", a ? " L" : "M", it->xy[2 * a], it->xy[2 * a + 1]);
        fputs(it->closed ? " Z\"" : "\"", f);
    } else if (it->kind == PIC_CIRCLE) {
        fputs("<circle", f);
        if (attrs)
            fputs(attrs, f);
        fprintf(f, " cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"", it->cx, it->cy, it->r);
    } else {
        static const char *const anchor[3] = { "start", "middle", "end" };
        fputs("<text", f);
        if (attrs)
            fputs(attrs, f);
        fprintf(f, " x=\"%.2f\" y=\"%.2f\" font-family=\"%s\" font-size=\"%g\" "
                "text-anchor=\"%s\"", it->cx, it->cy, it->font, it->size,
                anchor[(int)lround(it->ax * 2)]);
        if (it->angle != 0)
            fprintf(f, " transform=\"translate(%.2f %.2f) rotate(%g)\"", it->tx, it->ty,
                    it->angle);
    }
    paint(f, &it->paint);
    fputc('>', f);
    if (title) {
        fputs("<title>", f);
        text_body(f, title);
        fputs("</title>", f);
    }
    if (it->kind == PIC_TEXT)
        text_body(f, it->text);
    fprintf(f, "</%s>\n", it->kind == PIC_PATH ? "path" : it->kind == PIC_CIRCLE
                                                            ? "circle" : "text");
}

/* The items of group g from index k on, up to the PIC_END matching the
 * PIC_BEGIN at k (or to the end): the index after them. */
static int element(FILE *f, const pic *P, pic_group g, int k)
{
    const pic_item *b = &P->item[k];
    int next = k + 1, drawn = 0, one = -1;
    while (next < P->n && !(P->item[next].kind == PIC_END && P->item[next].group == g)) {
        if (P->item[next].group == g)
            drawn++, one = next;
        next++;
    }
    if (drawn == 1) {
        item(f, &P->item[one], b->attrs, b->title);
        return next + 1;
    }
    fprintf(f, "<g%s>", b->attrs);
    if (b->title) {
        fputs("<title>", f);
        text_body(f, b->title);
        fputs("</title>", f);
    }
    fputc('\n', f);
    for (int j = k + 1; j < next; j++)
        if (P->item[j].group == g)
            item(f, &P->item[j], NULL, NULL);
    fputs("</g>\n", f);
    return next + 1;
}

int pic_write_svg(const pic *P, FILE *f)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
            "width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\" "
            "stroke-miterlimit=\"10\">\n", P->width, P->height, P->width, P->height);
    if (P->white)
        fprintf(f, "<rect width=\"%g\" height=\"%g\" fill=\"#ffffff\"/>\n", P->width,
                P->height);
    for (int g = 0; g < PIC_NGROUPS; g++) {
        int any = 0;
        for (int k = 0; k < P->n && !any; k++)
            any = P->item[k].group == (pic_group)g;
        if (!any)
            continue;
        fprintf(f, "<g id=\"%s\">\n", pic_group_id[g]);
        for (int k = 0; k < P->n;) {
            const pic_item *it = &P->item[k];
            if (it->group != (pic_group)g || it->kind == PIC_END) {
                k++;
            } else if (it->kind == PIC_BEGIN) {
                k = element(f, P, (pic_group)g, k);
            } else {
                item(f, it, NULL, NULL);
                k++;
            }
        }
        fputs("</g>\n", f);
    }
    fputs("</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
