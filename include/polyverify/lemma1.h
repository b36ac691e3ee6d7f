/* polyverify — the paper's Lemma 1 and Theorem 2 tested on every cell.
 *
 * Lemma 1 / Theorem 2 (Shepeleva et al.) claim that two cells are adjacent
 * iff their codes differ in one bit. Over an enumeration (enumerate.h) both
 * directions are decided independently: every pair of cells at Hamming
 * distance 1 (found from the bits alone) has its adjacency decided from
 * geometry, and every geometrically adjacent pair has its Hamming distance
 * counted; every disagreement is listed. */
#ifndef POLYVERIFY_LEMMA1_H
#define POLYVERIFY_LEMMA1_H

#include "export.h"

#include "error.h"
#include "network.h"
#include "box.h"
#include "enumerate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The counts of both directions (E must hold the graph). */
typedef struct pv_lemma1 {
    long pairs_hamming1;
    long adjacent_pairs;
    long hamming1_not_adjacent;
    long adjacent_not_hamming1;
    int ndisagree;
    pv_adjacency_pair *disagree;  /* sorted by (a, b)                            */
} pv_lemma1;

PV_API void pv_lemma1_init(pv_lemma1 *L);
PV_API void pv_lemma1_clear(pv_lemma1 *L);
/* Both directions over the enumeration E of net (in box, or NULL), into L
 * (initialised; its content is replaced). */
PV_API pv_status pv_lemma1_check(pv_lemma1 *L, pv_enum *E, const pv_net *net,
                                 const pv_box *box, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
