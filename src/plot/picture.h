/* polyverify — a picture as a list of things to draw (internal).
 *
 * plot.c lays a picture out once, in pixels, as this list: paths, circles
 * and texts with their colours, each in one of a fixed set of groups, and
 * the cells marked as elements of their own (an id, attributes and a
 * title). Two back-ends draw the same list: cairo (PNG, cairo_out.c) and
 * an SVG writer of our own (svg.c), which keeps the groups and the cells'
 * ids — cairo 1.16's SVG surface can set neither. Coordinates are pixels
 * from the top left; only drawing happens here, no decision. */
#ifndef PV_PICTURE_H
#define PV_PICTURE_H

#include <stdio.h>
#include "polyverify/error.h"

/* Drawn in this order; in SVG each is a <g id="...">. */
typedef enum pic_group {
    PIC_CELLS, PIC_BOUNDARY, PIC_GRAPH, PIC_CODES, PIC_AXES, PIC_MARKS,
    PIC_POINTS, PIC_LEGEND, PIC_NGROUPS
} pic_group;

extern const char *const pic_group_id[PIC_NGROUPS];

typedef enum pic_kind {
    PIC_PATH,      /* n points, closed or open                            */
    PIC_CIRCLE,
    PIC_TEXT,
    PIC_BEGIN,     /* the items up to the matching PIC_END are one element */
    PIC_END
} pic_kind;

#define PIC_NONE (-1)   /* no fill, or no stroke */

/* Colours are 0xRRGGBB: both back-ends draw the same 8-bit values. */
typedef struct pic_paint {
    long fill, stroke;     /* PIC_NONE or a colour                        */
    double width;          /* of the stroke                               */
    int dashed;            /* a 6-on 4-off dash                           */
} pic_paint;

typedef struct pic_item {
    pic_kind kind;
    pic_group group;
    pic_paint paint;
    int n, closed;         /* PATH: n points xy[2k], xy[2k+1]             */
    double *xy;
    double cx, cy, r;      /* CIRCLE                                      */
    /* TEXT: the baseline starts at (x, y) = (cx, cy) less ax times the
     * text's advance (ax 0: left, 1/2: centred, 1: right), in a frame
     * turned by angle degrees about (tx, ty) and moved there */
    char *text;
    const char *font;      /* a fontconfig family: "sans-serif", ...      */
    double size, ax, angle, tx, ty;
    /* BEGIN: the element's attributes, escaped XML (` id="..." ...`), and
     * its title (plain text), or NULL */
    char *attrs, *title;
} pic_item;

typedef struct pic {
    double width, height;
    int white;             /* paint a white ground (PNG); SVG stays clear */
    int n, cap;
    pic_item *item;
} pic;

void pic_init(pic *P, double width, double height);
void pic_clear(pic *P);

pic_paint pic_fill(long rgb);
pic_paint pic_stroke(long rgb, double width);
pic_paint pic_fill_stroke(long fill, long stroke, double width);

/* n points (copied); closed: a polygon. */
void pic_path(pic *P, pic_group g, const double *xy, int n, int closed, pic_paint paint);
void pic_line(pic *P, pic_group g, double x0, double y0, double x1, double y1,
              pic_paint paint);
void pic_circle(pic *P, pic_group g, double cx, double cy, double r, pic_paint paint);
/* Text at a baseline point (see pic_item), in colour rgb. */
void pic_text(pic *P, pic_group g, const char *s, const char *font, double size,
              double x, double y, double ax, long rgb);
/* The last text item, turned by angle degrees about (tx, ty). */
void pic_turn_last(pic *P, double angle, double tx, double ty);
/* An element of its own: attrs (escaped XML attributes, copied) and a title
 * (plain text, copied; NULL: none); the items drawn until pic_end belong
 * to it. Returns its index, for pic_rename. */
int pic_begin(pic *P, pic_group g, const char *attrs, const char *title);
/* New attrs and title for the element begun at index k. */
void pic_rename(pic *P, int k, const char *attrs, const char *title);
void pic_end(pic *P, pic_group g);

/* s with every control character and every byte that is not part of
 * well-formed UTF-8 replaced by '?' (fresh): cairo refuses such text, and
 * XML cannot hold it. Labels come from the user's files; pic_text,
 * pic_begin and pic_rename apply it. */
char *pic_printable(const char *s);
/* s with &, <, > and " escaped for XML (fresh). */
char *pic_xml_escape(const char *s);

/* The picture as SVG 1.1 on f (svg.c): 0, or -1 on a write error. */
int pic_write_svg(const pic *P, FILE *f);

/* The picture drawn with cairo (cairo_out.c), on a surface of its size.
 * (C11 allows cairo.h's own typedef of cairo_t beside this one.) */
typedef struct _cairo cairo_t;
void pic_draw_cairo(const pic *P, cairo_t *cr);

#endif
