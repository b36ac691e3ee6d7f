/* polyverify — the start cell of an enumeration: the code of a generic
 * point of the box, whose cell has the box's dimension. */
#include "core/alloc.h"
#include "enum/enum_internal.h"

#include "core/sort.h"
#include "exact/linalg.h"

/* Candidate t: the box centre (t = 0), then centre + r_i * half-width with
 * r_i in (-1, 1) a dyadic rational; without a box the origin, then points
 * of (-1, 1)^m. A coordinate whose interval is a point stays there. In a
 * domain that is not a plain box, its interior point c (t = 0), then
 * c + 2^-j r for the first j <= 64 that keeps the point in the domain
 * (c is interior: small enough steps stay inside). */
static void start_candidate(mpq_t *x, int m, const state *st, int t,
                            uint64_t *seed)
{
    const pv_box *box = st->box;
    mpq_t r, half;
    mpq_init(r);
    mpq_init(half);
    for (int j = 0; st->centre && j <= 64; j++) {
        for (int i = 0; i < m; i++) {
            mpq_set(x[i], st->centre[i]);
            if (t == 0)
                continue;
            long k = (long)(pv_xorshift64(seed) % 1887437) - 943718;
            mpq_set_si(r, k, 1UL << 20);
            mpq_div_2exp(r, r, (unsigned long)j);
            mpq_add(x[i], x[i], r);
        }
        if (t == 0 || pv_box_violated(box, x) < 0)
            break;
        if (j == 64)                   /* never: c itself then */
            for (int i = 0; i < m; i++)
                mpq_set(x[i], st->centre[i]);
    }
    for (int i = 0; !st->centre && i < m; i++) {
        if (box) {
            mpq_add(x[i], box->lo[i], box->hi[i]);
            mpq_div_2exp(x[i], x[i], 1);
            mpq_sub(half, box->hi[i], box->lo[i]);
            mpq_div_2exp(half, half, 1);
        } else {
            mpq_set_ui(x[i], 0, 1);
            mpq_set_ui(half, 1, 1);
        }
        if (t == 0)
            continue;
        /* r in (-0.9, 0.9): a numerator over 2^20 */
        long k = (long)(pv_xorshift64(seed) % 1887437) - 943718;
        mpq_set_si(r, k, 1UL << 20);
        mpq_mul(r, r, half);
        mpq_add(x[i], x[i], r);
    }
    mpq_clear(r);
    mpq_clear(half);
}

/* Whether every neuron vanishing at x (zero[j]) is identically 0 near x:
 * its row in the system of x's code c is g = 0, h = 0. Then x is generic.
 * Proof, layer by layer: a neuron that is non-zero at x keeps its sign
 * near x (continuity); one that vanishes has, near x, the affine form of
 * its row in c's system as long as the earlier layers keep their signs or
 * vanish identically (relu(0) = 0 matches bit 0), so a zero row means it
 * vanishes identically near x too. Every neuron is then sign-constant or
 * identically 0 on a neighbourhood of x: code c holds on an open set, and
 * its cell has the box's dimension. Such a neuron — zero weights and bias
 * in a pruned net, or a deep neuron whose inputs are all off — is an
 * implicit equality of the cell, not an obstacle. */
static pv_status zeros_are_identical(int *generic, const state *st,
                                     const pv_code *c,
                                     const unsigned char *zero, pv_error *err)
{
    int any = 0;
    for (int j = 0; j < st->n; j++)
        any |= zero[j];
    *generic = !any;
    if (!any)
        return PV_OK;
    pv_system S;
    pv_status rc = pv__system_from_code(&S, st->net, c, st->box, err);
    if (rc != PV_OK)
        return rc;
    *generic = 1;
    for (int i = 0; i < S.nrows && *generic; i++) {
        if (!PV_LABEL_IS_NEURON(S.label[i]) || !zero[S.label[i]])
            continue;
        *generic = !mpz_sgn(S.h[i]);
        for (int k = 0; k < S.dim && *generic; k++)
            *generic = !mpz_sgn(PV_G(&S, i, k));
    }
    pv_system_clear(&S);
    return PV_OK;
}

/* The code of a point inside the box at which every pre-activation is
 * non-zero or identically zero nearby (zeros_are_identical): an open
 * neighbourhood has that code, so its cell has the box's dimension. */
pv_status pv_start_code(state *st, pv_code *c, double *hint,
                        pv_error *err)
{
    mpq_t *x = pv_qvec_new(st->m);
    unsigned char *zero = pv_calloc((size_t)st->n + 1, 1);
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    pv_status rc = PV_ERR_INTERNAL;
    for (int t = 0; t < 1000; t++) {
        start_candidate(x, st->m, st, t, &seed);
        rc = pv_code_at(st->net, x, c, zero, err);
        int generic = 0;
        if (rc == PV_OK)
            rc = zeros_are_identical(&generic, st, c, zero, err);
        if (rc != PV_OK)
            break;
        if (generic) {
            for (int j = 0; j < st->m; j++) {
                hint[j] = mpq_get_d(x[j]);
                hint[st->m + j] = 0.0;
            }
            break;
        }
        rc = pv_error_set(err, PV_ERR_INTERNAL, "enumerate: no point of the "
                          "domain off the hyperplane of every neuron that is "
                          "not identically 0 there found in 1000 tries");
    }
    pv_free(zero);
    pv_qvec_free(x, st->m);
    return rc;
}
