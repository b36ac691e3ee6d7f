/* Points from Python, read in chunks: an (n x m) or (m,) buffer (numpy
 * arrays: float64, float32, float16 or integer items, C-contiguous) or
 * sequences of numbers. Reading in chunks keeps n*m rationals from being
 * held at once (10,000 MNIST images are 7.8 million coordinates). */
#ifndef PVPY_POINTS_H
#define PVPY_POINTS_H

#include "pvpy.h"

typedef struct pvpy_pointsrc {
    int m, count;
    int single;               /* one point given as a flat vector          */
    int is_buffer;
    Py_buffer view;
    char kind;                /* buffer items: 'f' float, 'i' signed, 'u' unsigned */
    Py_ssize_t itemsize;
    PyObject *rows;           /* sequences: PySequence_Fast of the rows    */
} pvpy_pointsrc;

int pvpy_convert_init(void);

/* 0, or -1 with BadInput raised (wrong shape, unreadable items). */
int pvpy_pointsrc_open(pvpy_pointsrc *src, PyObject *o, int m);
/* Rows first .. first + k - 1 into x (k * m initialised rationals). */
int pvpy_pointsrc_read(pvpy_pointsrc *src, int first, int k, mpq_t *x);
void pvpy_pointsrc_close(pvpy_pointsrc *src);

#endif
