/* polyverify — the one-bit flips of a code, and its other facet neighbours.
 *
 * For each neuron j, the code with bit j flipped: is it realised, and is
 * its cell adjacent to the code's own (from geometry)? Then every facet
 * neighbour of the cell that is not a one-bit flip (a facet on which
 * several neurons vanish). */
#ifndef POLYVERIFY_FLIPS_H
#define POLYVERIFY_FLIPS_H

#include "export.h"

#include "error.h"
#include "network.h"
#include "code.h"
#include "box.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One flip: a one-bit flip (neuron >= 0) or a facet neighbour. */
typedef struct pv_flip {
    int neuron;            /* the flipped bit, or -1 for a facet neighbour  */
    pv_code code;
    int realized;
    int dim;
    int hamming;
    int common_dim;
    int adjacent;
    int nneurons;          /* facet neighbours: the facet's neurons         */
    int *neurons;
} pv_flip;

typedef struct pv_flips {
    int realized, dim;     /* of the code itself                            */
    int nflips;            /* N one-bit flips, then facet neighbours that
                              are not one-bit flips                         */
    pv_flip *flips;
} pv_flips;

PV_API void pv_flips_init(pv_flips *F);
PV_API void pv_flips_clear(pv_flips *F);
/* The flips and facet neighbours of code (box may be NULL) into F
 * (initialised; its content is replaced). */
PV_API pv_status pv_flips_check(pv_flips *F, const pv_net *net, const pv_code *code,
                                const pv_box *box, pv_error *err);
/* The same with the flips decided on `threads` worker threads (0: every
 * available core; 1: the calling thread alone, as pv_flips_check). F is
 * the same for every value. */
PV_API pv_status pv_flips_check_threads(pv_flips *F, const pv_net *net,
                                        const pv_code *code, const pv_box *box,
                                        int threads, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
