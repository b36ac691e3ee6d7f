/* Fuzz target: the CSV point-set reader (--points, --data),
 * pv_pointset_parse_csv, which pv_pointset_read_csv calls on the file's
 * text. The input is the whole file. The point dimension comes from the
 * number of fields on the input's first line, and the reader runs without
 * a label column, with the label first and with the label last, so that
 * the column logic is exercised on every input. */
#include "fuzz_common.h"
#include "polyverify/point.h"

#define MAX_COLUMNS 1024

static int first_line_fields(const uint8_t *data, size_t size)
{
    int n = 1;
    for (size_t i = 0; i < size && data[i] != '\n' && n < MAX_COLUMNS; i++)
        n += data[i] == ',';
    return n;
}

static void read_with(const uint8_t *data, size_t size, int dim, int label)
{
    pv_pointset ps;
    pv_error err;
    pv_pointset_init(&ps);
    fuzz_error_init(&err);
    pv_status st = pv_pointset_parse_csv(&ps, (const char *)data, size,
                                         "fuzz.csv", dim, label, &err);
    fuzz_check_error(st, &err);
    if (st == PV_OK && (ps.count < 1 || ps.dim != dim ||
                        (label >= 0) != (ps.labels != NULL)))
        abort();
    pv_pointset_clear(&ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int n = first_line_fields(data, size);
    read_with(data, size, n, -1);
    if (n >= 2) {
        read_with(data, size, n - 1, 0);
        read_with(data, size, n - 1, n - 1);
    }
    return 0;
}
