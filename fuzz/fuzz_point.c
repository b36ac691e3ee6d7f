/* Fuzz target: the point and box parsers of the command line,
 * pv_point_parse ("1/2,-3,0.25" for --point) and pv_box_parse ("LO,HI" or
 * "LO1,HI1,...", --box). The input is the argument text. Each parser runs
 * at a few dimensions: the one the text's comma count suggests (so that
 * the numbers themselves get parsed) and fixed small ones (so that wrong
 * counts are reported). A parsed box must satisfy lo <= hi. */
#include "fuzz_common.h"
#include "polyverify/box.h"
#include "polyverify/point.h"

/* Dimensions stay small: the interesting part is the text, not a huge
 * allocation that a long run of commas would ask for. */
#define MAX_DIM 256

static int comma_fields(const char *s)
{
    int n = 1;
    for (; *s != '\0' && n <= MAX_DIM; s++)
        n += *s == ',';
    return n;
}

static void point_at(const char *s, int dim)
{
    if (dim < 1 || dim > MAX_DIM)
        return;
    mpq_t x[MAX_DIM];
    pv_error err;
    fuzz_error_init(&err);
    for (int i = 0; i < dim; i++)
        mpq_init(x[i]);
    fuzz_check_error(pv_point_parse(x, dim, s, &err), &err);
    for (int i = 0; i < dim; i++)
        mpq_clear(x[i]);
}

static void box_at(const char *s, int dim)
{
    if (dim < 1 || dim > MAX_DIM)
        return;
    pv_box box;
    pv_error err;
    pv_box_init(&box, 1);   /* a different size: the parser resizes it */
    fuzz_error_init(&err);
    pv_status st = pv_box_parse(&box, dim, s, &err);
    fuzz_check_error(st, &err);
    if (st == PV_OK) {
        if (box.dim != dim)
            abort();
        for (int i = 0; i < dim; i++)
            if (mpq_cmp(box.lo[i], box.hi[i]) > 0)
                abort();
    }
    pv_box_clear(&box);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    int fields = comma_fields(s);
    point_at(s, fields);
    point_at(s, 2);
    box_at(s, fields / 2);
    box_at(s, 1);
    box_at(s, 3);
    free(s);
    return 0;
}
