/* polyverify — the cells along a segment (see segment.h).
 *
 * Invariants of the walk. On the current piece, every pre-activation of
 * layer k is z(t) = alpha + beta t with alpha = an/da and beta = bn/db:
 * integer numerators per neuron over one positive denominator per layer
 * (da = den_k da_{k-1}, db = den_k db_{k-1}, with den_k the layer's
 * integer-form denominator), so that the walk never reduces a fraction.
 * `on` is the activation pattern on the piece (1 for linear layers), and
 * oa/ob are the layer's outputs on (an, bn) masked by `on`, from which the
 * next layer's numerators are a matrix product.
 *
 * An event is the least t > t_cur where an active neuron's z falls to 0 or
 * an inactive one's rises to 0. There the values are continuous, so the
 * code at t is read off the current functions; the pattern just after t
 * is decided layer by layer as the sign of the pair (value, slope) in
 * lexicographic order (the network is piecewise linear), each layer's
 * slopes updated first by the changes of the layer before. Only the
 * columns whose output changed are multiplied in (one matrix column per
 * changed neuron), so an event costs about (changed neurons) x (width). */
#include "core/alloc.h"
#include "exact/linalg.h"
#include "net/network_internal.h"
#include "polyverify/segment.h"

#include <string.h>

void pv_segment_init(pv_segment *s)
{
    memset(s, 0, sizeof *s);
}

void pv_segment_clear(pv_segment *s)
{
    for (int i = 0; i < s->npieces; i++) {
        pv_code_clear(&s->pieces[i].code);
        mpq_clear(s->pieces[i].t_from);
        mpq_clear(s->pieces[i].t_to);
    }
    for (int i = 0; i < s->nbreaks; i++) {
        pv_code_clear(&s->breaks[i].code);
        mpq_clear(s->breaks[i].t);
    }
    pv_free(s->pieces);
    pv_free(s->breaks);
    pv_segment_init(s);
}

/* ---- the walk's state ---------------------------------------------------- */

typedef struct seg_layer {
    int n, nrelu, first;      /* width; ReLU rows; first neuron's index     */
    mpz_t *an, *bn;           /* numerators of alpha and beta               */
    mpz_t da, db;             /* their denominators, > 0                    */
    mpz_t *oa, *ob;           /* outputs: (an, bn) where on, else 0         */
    unsigned char *on;        /* pattern on the current piece               */
    mpq_t *root;              /* next event of neuron i, when has_root[i]   */
    unsigned char *has_root;
    int *changed;             /* scratch: columns whose output changed      */
} seg_layer;

typedef struct seg_walk {
    const pv_net *net;
    int nl;                   /* layers up to the last ReLU layer           */
    seg_layer *L;
    mpz_t *xa, *xb;           /* the input: X = xa/dxa, Y - X = xb/dxb      */
    mpz_t dxa, dxb;
    int m;
    mpz_t t1, t2;             /* scratch                                    */
} seg_walk;

static mpz_t *zvec(int n)
{
    mpz_t *v = pv_malloc((size_t)(n ? n : 1) * sizeof(mpz_t));
    if (v)
        for (int i = 0; i < n; i++)
            mpz_init(v[i]);
    return v;
}

static void zvec_free(mpz_t *v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        mpz_clear(v[i]);
    pv_free(v);
}

static void walk_clear(seg_walk *w)
{
    for (int k = 0; w->L && k < w->nl; k++) {
        seg_layer *l = &w->L[k];
        zvec_free(l->an, l->n);
        zvec_free(l->bn, l->n);
        zvec_free(l->oa, l->n);
        zvec_free(l->ob, l->n);
        mpz_clear(l->da);
        mpz_clear(l->db);
        if (l->root)
            for (int i = 0; i < l->n; i++)
                mpq_clear(l->root[i]);
        pv_free(l->root);
        pv_free(l->on);
        pv_free(l->has_root);
        pv_free(l->changed);
    }
    pv_free(w->L);
    zvec_free(w->xa, w->m);
    zvec_free(w->xb, w->m);
    mpz_clear(w->dxa);
    mpz_clear(w->dxb);
    mpz_clear(w->t1);
    mpz_clear(w->t2);
}

static pv_status walk_init(seg_walk *w, const pv_net *net, mpq_t *const x,
                           mpq_t *const y, pv_error *err)
{
    memset(w, 0, sizeof *w);
    w->net = net;
    w->m = net->input_dim;
    mpz_inits(w->dxa, w->dxb, w->t1, w->t2, NULL);
    for (int k = 0; k < net->nlayers; k++)
        if (net->layers[k].nrelu > 0)
            w->nl = k + 1;
    w->xa = zvec(w->m);
    w->xb = zvec(w->m);
    w->L = pv_calloc((size_t)(w->nl ? w->nl : 1), sizeof(seg_layer));
    mpq_t *d = pv_malloc((size_t)w->m * sizeof(mpq_t));
    if (!w->xa || !w->xb || !w->L || !d) {
        pv_free(d);
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory for a segment");
    }
    for (int j = 0; j < w->m; j++) {
        mpq_init(d[j]);
        mpq_sub(d[j], y[j], x[j]);
    }
    pv_qvec_common(w->xa, w->dxa, x, w->m);
    pv_qvec_common(w->xb, w->dxb, d, w->m);
    for (int j = 0; j < w->m; j++)
        mpq_clear(d[j]);
    pv_free(d);
    for (int k = 0; k < w->nl; k++) {
        const pv_layer *pl = &net->layers[k];
        seg_layer *l = &w->L[k];
        l->n = pl->out;
        l->nrelu = pl->nrelu;
        l->first = pl->first_neuron;
        mpz_inits(l->da, l->db, NULL);
        l->an = zvec(l->n);
        l->bn = zvec(l->n);
        l->oa = zvec(l->n);
        l->ob = zvec(l->n);
        l->on = pv_calloc((size_t)l->n + 1, 1);
        l->has_root = pv_calloc((size_t)l->n + 1, 1);
        l->changed = pv_malloc(((size_t)l->n + 1) * sizeof(int));
        l->root = pv_malloc(((size_t)l->n + 1) * sizeof(mpq_t));
        if (!l->an || !l->bn || !l->oa || !l->ob || !l->on || !l->has_root
            || !l->changed || !l->root) {
            pv_free(l->root);
            l->root = NULL;
            return pv_error_set(err, PV_ERR_NOMEM, "out of memory for a segment");
        }
        for (int i = 0; i < l->n; i++)
            mpq_init(l->root[i]);
    }
    return PV_OK;
}

/* The previous layer's outputs (numerators and denominators). */
static void inputs_of(const seg_walk *w, int k, mpz_t **oa, mpz_t **ob,
                      const mpz_t **da, const mpz_t **db)
{
    if (k == 0) {
        *oa = w->xa, *ob = w->xb;
        *da = (const mpz_t *)&w->dxa, *db = (const mpz_t *)&w->dxb;
    } else {
        const seg_layer *p = &w->L[k - 1];
        *oa = p->oa, *ob = p->ob;
        *da = (const mpz_t *)&p->da, *db = (const mpz_t *)&p->db;
    }
}

/* Layer k's numerators from scratch: an = W' oa + b' da_prev,
 * bn = W' ob, with W' = wint, b' = bint (the layer's integer form). */
static void layer_from_inputs(seg_walk *w, int k)
{
    const pv_layer *pl = &w->net->layers[k];
    seg_layer *l = &w->L[k];
    mpz_t *oa, *ob;
    const mpz_t *da, *db;
    inputs_of(w, k, &oa, &ob, &da, &db);
    mpz_mul(l->da, pl->den, *da);
    mpz_mul(l->db, pl->den, *db);
    for (int i = 0; i < l->n; i++) {
        mpz_mul(l->an[i], pl->bint[i], *da);
        mpz_set_ui(l->bn[i], 0);
        for (size_t e = pv_layer_row_begin(pl, i); e < pv_layer_row_end(pl, i); e++) {
            int j = pv_layer_col(pl, i, e);
            if (mpz_sgn(pl->wint[e]) == 0)
                continue;
            if (mpz_sgn(oa[j]))
                mpz_addmul(l->an[i], pl->wint[e], oa[j]);
            if (mpz_sgn(ob[j]))
                mpz_addmul(l->bn[i], pl->wint[e], ob[j]);
        }
    }
}

/* Adds W'(new - old) for the changed columns of layer k - 1, whose old
 * outputs are in olda/oldb (indexed like the columns). */
static void layer_update(seg_walk *w, int k, const int *cols, int ncols,
                         mpz_t *olda, mpz_t *oldb)
{
    const pv_layer *pl = &w->net->layers[k];
    seg_layer *l = &w->L[k];
    const seg_layer *p = &w->L[k - 1];
    for (int c = 0; c < ncols; c++) {
        int j = cols[c];
        mpz_sub(olda[j], p->oa[j], olda[j]);     /* the change, in place */
        mpz_sub(oldb[j], p->ob[j], oldb[j]);
    }
    if (pl->rp != NULL) {        /* sparse: walk each row, mark the changes */
        unsigned char *chg = pv_calloc((size_t)pl->in + 1, 1);
        for (int c = 0; c < ncols; c++)
            chg[cols[c]] = 1;
        for (int i = 0; i < l->n; i++)
            for (int e = pl->rp[i]; e < pl->rp[i + 1]; e++) {
                int j = pl->ci[e];
                if (!chg[j])
                    continue;
                mpz_addmul(l->an[i], pl->wint[e], olda[j]);
                mpz_addmul(l->bn[i], pl->wint[e], oldb[j]);
            }
        pv_free(chg);
        return;
    }
    for (int i = 0; i < l->n; i++) {
        const mpz_t *row = pl->wint + (size_t)i * (size_t)pl->in;
        for (int c = 0; c < ncols; c++) {
            int j = cols[c];
            if (mpz_sgn(row[j]) == 0)
                continue;
            mpz_addmul(l->an[i], row[j], olda[j]);
            mpz_addmul(l->bn[i], row[j], oldb[j]);
        }
    }
}

/* Event of neuron i of a ReLU layer on the current piece: where an active
 * z falls (slope < 0) or an inactive one rises (slope > 0) to zero,
 * t = -alpha/beta = -(an db)/(bn da). */
static void neuron_root(seg_layer *l, int i)
{
    int sb = mpz_sgn(l->bn[i]);
    l->has_root[i] = i < l->nrelu && ((l->on[i] && sb < 0) || (!l->on[i] && sb > 0));
    if (!l->has_root[i])
        return;
    mpz_mul(mpq_numref(l->root[i]), l->an[i], l->db);
    mpz_neg(mpq_numref(l->root[i]), mpq_numref(l->root[i]));
    mpz_mul(mpq_denref(l->root[i]), l->bn[i], l->da);
    mpq_canonicalize(l->root[i]);
}

/* Sign of layer l's neuron i at t = P/Q (Q > 0): an db Q + bn da P. */
static int value_sign(seg_walk *w, const seg_layer *l, int i, const mpq_t t)
{
    mpz_mul(w->t1, l->an[i], l->db);
    mpz_mul(w->t1, w->t1, mpq_denref(t));
    mpz_mul(w->t2, l->bn[i], l->da);
    mpz_mul(w->t2, w->t2, mpq_numref(t));
    mpz_add(w->t1, w->t1, w->t2);
    return mpz_sgn(w->t1);
}

/* Sets the pattern of layer k just after t (value sign sv, then slope) and
 * its outputs; the code at t gets bit (sv > 0). Returns the number of
 * columns whose output changed (listed in l->changed), the old outputs
 * saved into olda/oldb. With t == NULL (the start), every column counts. */
static int layer_settle(seg_walk *w, int k, const mpq_t t, pv_code *at,
                        mpz_t *olda, mpz_t *oldb)
{
    seg_layer *l = &w->L[k];
    int nch = 0;
    for (int i = 0; i < l->n; i++) {
        int sv = t ? value_sign(w, l, i, t) : mpz_sgn(l->an[i]);
        int on = i >= l->nrelu || sv > 0 || (sv == 0 && mpz_sgn(l->bn[i]) > 0);
        if (i < l->nrelu && at)
            at->bit[l->first + i] = sv > 0;
        int changed = !t || on != l->on[i] || (on && (mpz_cmp(l->oa[i], l->an[i])
                                                      || mpz_cmp(l->ob[i], l->bn[i])));
        if (!changed)
            continue;
        if (olda) {
            mpz_swap(olda[i], l->oa[i]);
            mpz_swap(oldb[i], l->ob[i]);
        }
        l->on[i] = (unsigned char)on;
        if (on) {
            mpz_set(l->oa[i], l->an[i]);
            mpz_set(l->ob[i], l->bn[i]);
        } else {
            mpz_set_ui(l->oa[i], 0);
            mpz_set_ui(l->ob[i], 0);
        }
        l->changed[nch++] = i;
    }
    return nch;
}

static void pattern_code(const seg_walk *w, pv_code *c)
{
    for (int k = 0; k < w->nl; k++) {
        const seg_layer *l = &w->L[k];
        for (int i = 0; i < l->nrelu; i++)
            c->bit[l->first + i] = l->on[i];
    }
}

/* The pattern just after t (t == NULL: just after 0), layer by layer;
 * `at` (may be NULL) gets the code at t. Marks every neuron whose
 * function or activation changed for a new root. */
static void settle(seg_walk *w, const mpq_t t, pv_code *at, mpz_t *olda,
                   mpz_t *oldb)
{
    int moved = 0;       /* layer k's functions changed (the layer before did) */
    for (int k = 0; k < w->nl; k++) {
        seg_layer *l = &w->L[k];
        if (!t)
            layer_from_inputs(w, k);
        int nch = layer_settle(w, k, t, at, t ? olda : NULL, t ? oldb : NULL);
        if (!t || moved)
            for (int i = 0; i < l->n; i++)
                neuron_root(l, i);
        else
            for (int c = 0; c < nch; c++)
                neuron_root(l, l->changed[c]);
        if (t && k + 1 < w->nl && nch)
            layer_update(w, k + 1, l->changed, nch, olda, oldb);
        moved = nch > 0;
    }
}

/* The least pending event, or NULL. */
static const mpq_t *next_event(const seg_walk *w)
{
    const mpq_t *best = NULL;
    for (int k = 0; k < w->nl; k++) {
        const seg_layer *l = &w->L[k];
        for (int i = 0; i < l->n; i++)
            if (l->has_root[i] && (!best || mpq_cmp(l->root[i], *best) < 0))
                best = &l->root[i];
    }
    return best;
}

/* ---- the answer ---------------------------------------------------------- */

static pv_status push_piece(pv_segment *s, const pv_code *c, const mpq_t from,
                            const mpq_t to, int *cap, pv_error *err)
{
    if (s->npieces == *cap) {
        int nc = *cap ? 2 * *cap : 16;
        pv_segment_piece *p = pv_realloc(s->pieces, (size_t)nc * sizeof *p);
        pv_segment_break *b = pv_realloc(s->breaks, (size_t)nc * sizeof *b);
        if (p)
            s->pieces = p;
        if (b)
            s->breaks = b;
        if (!p || !b)
            return pv_error_set(err, PV_ERR_NOMEM, "out of memory for %d pieces", nc);
        *cap = nc;
    }
    pv_segment_piece *p = &s->pieces[s->npieces++];
    pv_code_init(&p->code, c->n);
    pv_code_set(&p->code, c);
    mpq_init(p->t_from);
    mpq_init(p->t_to);
    mpq_set(p->t_from, from);
    mpq_set(p->t_to, to);
    return PV_OK;
}

static void push_break(pv_segment *s, const pv_code *c, const mpq_t t)
{
    pv_segment_break *b = &s->breaks[s->nbreaks++];   /* room: push_piece */
    pv_code_init(&b->code, c->n);
    pv_code_set(&b->code, c);
    mpq_init(b->t);
    mpq_set(b->t, t);
}

/* Walks the events from t = 0 to 1 (see the top of the file). */
static pv_status walk(seg_walk *w, pv_segment *s, pv_error *err)
{
    int N = w->net->neurons, cap = 0, maxw = 1;
    for (int k = 0; k < w->nl; k++)
        if (w->L[k].n > maxw)
            maxw = w->L[k].n;
    mpz_t *olda = zvec(maxw), *oldb = zvec(maxw);
    pv_code left, at, right;
    pv_code_init(&left, N);
    pv_code_init(&at, N);
    pv_code_init(&right, N);
    mpq_t from, t, one;
    mpq_inits(from, t, one, NULL);
    mpq_set_ui(one, 1, 1);
    pv_status st = PV_OK;
    if (!olda || !oldb) {
        st = pv_error_set(err, PV_ERR_NOMEM, "out of memory for a segment");
        goto done;
    }
    settle(w, NULL, NULL, NULL, NULL);
    pattern_code(w, &left);
    for (;;) {
        const mpq_t *ev = next_event(w);
        if (!ev || mpq_cmp(*ev, one) >= 0)
            break;
        if (mpq_cmp(*ev, t) <= 0) {      /* events only move forward */
            st = pv_error_set(err, PV_ERR_INTERNAL, "segment: event not after t");
            goto done;
        }
        mpq_set(t, *ev);
        settle(w, t, &at, olda, oldb);
        pattern_code(w, &right);
        if (pv_code_equal(&left, &at) && pv_code_equal(&at, &right))
            continue;                    /* the code is constant near t */
        if ((st = push_piece(s, &left, from, t, &cap, err)) != PV_OK)
            goto done;
        push_break(s, &at, t);
        mpq_set(from, t);
        pv_code_set(&left, &right);
    }
    st = push_piece(s, &left, from, one, &cap, err);
done:
    zvec_free(olda, maxw);
    zvec_free(oldb, maxw);
    pv_code_clear(&left);
    pv_code_clear(&at);
    pv_code_clear(&right);
    mpq_clears(from, t, one, NULL);
    return st;
}

static pv_status segment_compute(pv_segment *s, const pv_net *net, mpq_t *const x,
                                 mpq_t *const y, pv_error *err)
{
    if (!net->finalized)
        return pv_error_set(err, PV_ERR_ARG, "segment: the network is not finalised");
    pv_segment_clear(s);
    seg_walk w;
    pv_status st = walk_init(&w, net, x, y, err);
    if (st == PV_OK)
        st = walk(&w, s, err);
    walk_clear(&w);
    if (st != PV_OK)
        pv_segment_clear(s);
    return st;
}

pv_status pv_segment_compute(pv_segment *s, const pv_net *net, mpq_t *const x,
                             mpq_t *const y, pv_error *err)
{
    PV_GUARD(err, segment_compute(s, net, x, y, err), pv_segment_init(s));
}
