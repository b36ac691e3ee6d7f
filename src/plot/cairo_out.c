/* polyverify — a picture (picture.h) drawn with cairo: the PNG back-end.
 * The same items as the SVG writer (svg.c) in the same order, group by
 * group; PIC_BEGIN / PIC_END only matter to SVG. */
#include "plot/picture.h"

#include <cairo.h>

#define PV_TAU 6.283185307179586

static void set_rgb(cairo_t *cr, long rgb)
{
    cairo_set_source_rgb(cr, (double)(rgb >> 16 & 255) / 255, (double)(rgb >> 8 & 255) / 255,
                         (double)(rgb & 255) / 255);
}

/* Fills and strokes the current path as p says, then forgets it. */
static void paint(cairo_t *cr, const pic_paint *p)
{
    if (p->fill != PIC_NONE) {
        set_rgb(cr, p->fill);
        cairo_fill_preserve(cr);
    }
    if (p->stroke != PIC_NONE) {
        static const double dash[2] = { 6.0, 4.0 };
        set_rgb(cr, p->stroke);
        cairo_set_line_width(cr, p->width);
        cairo_set_dash(cr, dash, p->dashed ? 2 : 0, 0);
        cairo_stroke_preserve(cr);
    }
    cairo_new_path(cr);
}

static void text(cairo_t *cr, const pic_item *it)
{
    cairo_select_font_face(cr, it->font, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, it->size);
    cairo_text_extents_t e;
    cairo_text_extents(cr, it->text, &e);
    cairo_save(cr);
    cairo_translate(cr, it->tx, it->ty);
    cairo_rotate(cr, it->angle * PV_TAU / 360);
    cairo_move_to(cr, it->cx - it->ax * e.x_advance, it->cy);
    set_rgb(cr, it->paint.fill);
    cairo_show_text(cr, it->text);
    cairo_new_path(cr);
    cairo_restore(cr);
}

void pic_draw_cairo(const pic *P, cairo_t *cr)
{
    if (P->white) {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
    }
    for (int g = 0; g < PIC_NGROUPS; g++)
        for (int k = 0; k < P->n; k++) {
            const pic_item *it = &P->item[k];
            if (it->group != (pic_group)g)
                continue;
            if (it->kind == PIC_PATH) {
                for (int a = 0; a < it->n; a++)
                    (a ? cairo_line_to : cairo_move_to)(cr, it->xy[2 * a], it->xy[2 * a + 1]);
                if (it->closed)
                    cairo_close_path(cr);
                paint(cr, &it->paint);
            } else if (it->kind == PIC_CIRCLE) {
                cairo_new_path(cr);
                cairo_arc(cr, it->cx, it->cy, it->r, 0, PV_TAU);
                paint(cr, &it->paint);
            } else if (it->kind == PIC_TEXT) {
                text(cr, it);
            }
        }
}
