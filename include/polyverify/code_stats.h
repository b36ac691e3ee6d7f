/* polyverify — the paper's code-space experiment on a data set.
 *
 * The codes of data points (exact forward passes): how many distinct codes
 * the network and each layer realise on the data, how many points share a
 * code, per class when labels are given, the Hamming distances between the
 * distinct codes, and the connected components of the graph "d_H = 1"
 * among them (Shepeleva et al., §4). */
#ifndef POLYVERIFY_CODE_STATS_H
#define POLYVERIFY_CODE_STATS_H

#include "export.h"

#include "code.h"
#include "error.h"
#include "network.h"
#include "point.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pv_class_stats {
    char *label;
    int points;
    int distinct_codes;
} pv_class_stats;

typedef struct pv_code_stats {
    int points;
    int distinct_codes;
    int nlayers;              /* ReLU layers                                 */
    int *distinct_by_layer;   /* distinct sub-codes of each ReLU layer        */
    int max_points_per_code;
    int singleton_codes;      /* codes of exactly one point                  */
    int nclasses;
    pv_class_stats *classes;  /* sorted by label; NULL without labels        */
    int shared_codes;         /* codes whose points carry several labels     */
    int nbits;                /* histogram length: N + 1                     */
    long *hamming;            /* hamming[d]: pairs of distinct codes at d    */
    long pairs;               /* pairs counted                                */
    int sampled;              /* 1 when pairs were sampled (fixed seed)       */
    int components;           /* of the graph d_H = 1 on the distinct codes   */
    int largest_component;
    int isolated_codes;       /* components of size one                       */
    pv_forward_stats forward; /* points decided by the float filter / exactly */
} pv_code_stats;

PV_API void pv_code_stats_init(pv_code_stats *S);
PV_API void pv_code_stats_clear(pv_code_stats *S);

/* Statistics of the codes of the points (each multiplied by scale, exactly,
 * when scale is not NULL), into S (initialised; its content is replaced).
 * max_pairs bounds the Hamming pairs (sampled beyond it). filter: as in
 * pv_code_at_points_opt (the codes are exact either way). */
PV_API pv_status pv_code_stats_compute(pv_code_stats *S, const pv_net *net,
                                       const pv_pointset *ps, const mpq_t *scale,
                                       long max_pairs, int filter, pv_error *err);
/* The same with the exact codes on `threads` worker threads (0: every
 * available core; 1: the calling thread alone, as pv_code_stats_compute).
 * The statistics are the same for every value. */
PV_API pv_status pv_code_stats_compute_threads(pv_code_stats *S,
                                               const pv_net *net,
                                               const pv_pointset *ps,
                                               const mpq_t *scale,
                                               long max_pairs, int filter,
                                               int threads, pv_error *err);

#ifdef __cplusplus
}
#endif
#endif
