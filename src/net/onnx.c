/* polyverify — ONNX models of fully-connected ReLU networks, read exactly.
 *
 * The protobuf is decoded by C bindings that protoc-c generates at build
 * time from the onnx.proto of Debian's libonnx-dev (see meson.build).
 *
 * We follow the graph's edges from its one input to its one output, never
 * the order of the initializers: every node on the way must be an affine
 * map of the current tensor by constants (Gemm, MatMul, Add, Sub, Mul,
 * Div), a reshaping that keeps the row-major order of the values (Flatten,
 * Reshape, Identity), or Relu. The affine maps met between two Relus are
 * composed exactly into one pending map x -> A x + c, which becomes a
 * `relu` layer at a Relu and a `linear` layer at the output. With a batch
 * of one, every tensor on the chain is a vector of values in row-major
 * order, which is why reshapes are identities on the values.
 *
 * The shape of that tensor is tracked all the same, and every operand is
 * checked against it by ONNX's rules (numpy broadcasting, numpy matmul,
 * Gemm's transA/transB and unidirectional C): a constant that broadcasts
 * the tensor to more values (x[1,3] + B[3,1] is [3,3]) or a product that
 * is not one example's (a [2,1] column times W[1,3]) is refused with the
 * node and the shapes, never read as some other network.
 *
 * Every float32/float64 is converted to the dyadic rational its bits
 * encode (DESIGN §2); NaN and infinities are errors. */
#include "core/alloc.h"
#include "net/network_internal.h"
#include "polyverify/rational.h"
#include "core/text.h"

#include "onnx.pb-c.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONNX_MAX_WIDTH 10000000
/* Layers above this many weights must be backed by at least one byte of
 * file per weight (see check_layer_size). */
#define ONNX_SMALL_ENTRIES (1u << 20)
#define ONNX_TYPE_FLOAT 1
#define ONNX_TYPE_INT32 6
#define ONNX_TYPE_INT64 7
#define ONNX_TYPE_DOUBLE 11

static uint64_t load_le(const uint8_t *p, int nbytes)
{
    uint64_t v = 0;
    for (int i = nbytes - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t float_bits(float x)
{
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static uint64_t double_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* ------------------------------------------------------------------------ */
/* Context and messages                                                      */

typedef struct onnx_ctx {
    const char *name;               /* file name for messages          */
    pv_error *err;
    const Onnx__GraphProto *g;
    char *visited;                  /* per node                        */
    size_t len;                     /* file size, in bytes             */
} onnx_ctx;

static pv_status cx_fail(const onnx_ctx *cx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static pv_status cx_fail(const onnx_ctx *cx, const char *fmt, ...)
{
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return pv_error_set(cx->err, PV_ERR_PARSE, "%s: %s", cx->name, what);
}

static const char *str_or(const char *s, const char *dflt)
{
    return s != NULL && s[0] != '\0' ? s : dflt;
}

/* "node 'NAME' (op OP)", with the node's index when it has no name. */
static const char *node_label(const onnx_ctx *cx, const Onnx__NodeProto *n,
                              char *buf, size_t size)
{
    size_t idx = 0;
    while (idx < cx->g->n_node && cx->g->node[idx] != n)
        idx++;
    char q[64], o[64];
    const char *op = str_or(n->op_type, "?");
    if (n->name != NULL && n->name[0] != '\0')
        snprintf(buf, size, "ONNX node '%s' (op %s)",
                 pv_excerpt(q, sizeof q, n->name, strlen(n->name)),
                 pv_excerpt(o, sizeof o, op, strlen(op)));
    else
        snprintf(buf, size, "ONNX node #%zu (op %s)", idx,
                 pv_excerpt(o, sizeof o, op, strlen(op)));
    return buf;
}

static pv_status node_fail(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static pv_status node_fail(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           const char *fmt, ...)
{
    char what[700], label[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return cx_fail(cx, "%s: %s", node_label(cx, n, label, sizeof label),
                   what);
}

/* ------------------------------------------------------------------------ */
/* Constants: initializers and Constant nodes                                */

static const Onnx__AttributeProto *find_attr(const Onnx__NodeProto *n,
                                             const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
            return n->attribute[i];
    return NULL;
}

static int is_op(const Onnx__NodeProto *n, const char *op)
{
    return n->op_type != NULL && !strcmp(n->op_type, op);
}

/* The constant tensor called `name`, or NULL if it is computed. */
static const Onnx__TensorProto *find_const(const onnx_ctx *cx,
                                           const char *name)
{
    const Onnx__GraphProto *g = cx->g;
    for (size_t i = 0; i < g->n_initializer; i++)
        if (g->initializer[i]->name && !strcmp(g->initializer[i]->name, name))
            return g->initializer[i];
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *n = g->node[i];
        if (!is_op(n, "Constant") || n->n_output < 1 ||
            strcmp(n->output[0], name))
            continue;
        const Onnx__AttributeProto *a = find_attr(n, "value");
        return a != NULL ? a->t : NULL;
    }
    return NULL;
}

/* Number of elements, or -1 for a negative or absurd shape. */
static int64_t tensor_numel(const Onnx__TensorProto *t)
{
    int64_t n = 1;
    for (size_t i = 0; i < t->n_dims; i++) {
        if (t->dims[i] < 0 || t->dims[i] > ((int64_t)1 << 40) ||
            (t->dims[i] > 0 && n > ((int64_t)1 << 40) / t->dims[i]))
            return -1;
        n *= t->dims[i];
    }
    return n;
}

static void values_free(mpq_t *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mpq_clear(v[i]);
    pv_free(v);
}

/* Element i of a float32/float64 tensor as exact rational; -1 on NaN/Inf. */
static int decode_real(mpq_t out, const Onnx__TensorProto *t, size_t i)
{
    int dbl = t->data_type == ONNX_TYPE_DOUBLE;
    pv_status st;
    if (t->has_raw_data && dbl)
        st = pv_rational_from_float64_bits(out,
                                           load_le(t->raw_data.data + 8 * i, 8));
    else if (t->has_raw_data)
        st = pv_rational_from_float32_bits(
            out, (uint32_t)load_le(t->raw_data.data + 4 * i, 4));
    else if (dbl)
        st = pv_rational_from_float64_bits(out, double_bits(t->double_data[i]));
    else
        st = pv_rational_from_float32_bits(out, float_bits(t->float_data[i]));
    return st == PV_OK ? 0 : -1;
}

/* Checks that the tensor holds exactly numel elements of `width` bytes. */
static pv_status check_storage(const onnx_ctx *cx, const Onnx__TensorProto *t,
                               const char *label, int64_t numel,
                               size_t stored, int width)
{
    if (t->has_data_location &&
        t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return cx_fail(cx, "tensor '%s' is stored in an external file, "
                       "which is not supported", label);
    if (numel < 0)
        return cx_fail(cx, "tensor '%s' has an invalid shape", label);
    size_t have = t->has_raw_data ? t->raw_data.len / (size_t)width : stored;
    if ((t->has_raw_data && t->raw_data.len % (size_t)width != 0) ||
        have != (size_t)numel)
        return cx_fail(cx, "tensor '%s': its shape has %lld elements but it "
                       "stores %zu", label, (long long)numel, have);
    return PV_OK;
}

/* Values of a float32/float64 constant tensor, exact. */
static pv_status tensor_reals(const onnx_ctx *cx, const Onnx__TensorProto *t,
                              const char *label, mpq_t **out, size_t *count)
{
    if (!t->has_data_type || (t->data_type != ONNX_TYPE_FLOAT &&
                              t->data_type != ONNX_TYPE_DOUBLE))
        return cx_fail(cx, "tensor '%s' has element type %d: expected "
                       "float32 (1) or float64 (11)", label,
                       (int)t->data_type);
    int dbl = t->data_type == ONNX_TYPE_DOUBLE;
    int64_t numel = tensor_numel(t);
    pv_status st = check_storage(cx, t, label, numel,
                                 dbl ? t->n_double_data : t->n_float_data,
                                 dbl ? 8 : 4);
    if (st != PV_OK)
        return st;
    mpq_t *v = pv_malloc(((size_t)numel + 1) * sizeof *v);
    if (v == NULL)
        return pv_error_set(cx->err, PV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < (size_t)numel; i++)
        mpq_init(v[i]);
    for (size_t i = 0; i < (size_t)numel; i++)
        if (decode_real(v[i], t, i) != 0) {
            values_free(v, (size_t)numel);
            return cx_fail(cx, "tensor '%s': element %zu is NaN or "
                           "infinite; weights must be finite numbers",
                           label, i);
        }
    *out = v;
    *count = (size_t)numel;
    return PV_OK;
}

/* Values of an int32/int64 constant tensor (a Reshape's shape). */
static pv_status tensor_ints(const onnx_ctx *cx, const Onnx__TensorProto *t,
                             const char *label, int64_t **out, size_t *count)
{
    int i64 = t->data_type == ONNX_TYPE_INT64;
    if (!i64 && t->data_type != ONNX_TYPE_INT32)
        return cx_fail(cx, "tensor '%s' has element type %d: expected "
                       "int64 (7) or int32 (6)", label, (int)t->data_type);
    int64_t numel = tensor_numel(t);
    pv_status st = check_storage(cx, t, label, numel,
                                 i64 ? t->n_int64_data : t->n_int32_data,
                                 i64 ? 8 : 4);
    if (st != PV_OK)
        return st;
    int64_t *v = pv_malloc(((size_t)numel + 1) * sizeof *v);
    if (v == NULL)
        return pv_error_set(cx->err, PV_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < (size_t)numel; i++) {
        if (t->has_raw_data && i64)
            v[i] = (int64_t)load_le(t->raw_data.data + 8 * i, 8);
        else if (t->has_raw_data)
            v[i] = (int32_t)(uint32_t)load_le(t->raw_data.data + 4 * i, 4);
        else
            v[i] = i64 ? t->int64_data[i] : t->int32_data[i];
    }
    *out = v;
    *count = (size_t)numel;
    return PV_OK;
}

/* ------------------------------------------------------------------------ */
/* The pending affine map x -> A x + c (from the last layer's output)        */

typedef enum aff_kind { AFF_IDENTITY, AFF_DIAG, AFF_FULL } aff_kind;

typedef struct affine {
    int out, in;
    aff_kind kind;
    mpq_t *a;       /* NULL (identity), out (diagonal), out*in (full) */
    mpq_t *c;       /* NULL (zero) or out                             */
} affine;

static void aff_reset(affine *f, int n)
{
    size_t na = f->kind == AFF_FULL ? (size_t)f->out * (size_t)f->in
                                    : (size_t)f->out;
    values_free(f->a, na);
    values_free(f->c, (size_t)f->out);
    f->a = f->c = NULL;
    f->kind = AFF_IDENTITY;
    f->out = f->in = n;
}

static mpq_t *values_new(size_t n)
{
    mpq_t *v = pv_malloc((n + 1) * sizeof *v);
    if (v != NULL)
        for (size_t i = 0; i < n; i++)
            mpq_init(v[i]);
    return v;
}

/* Materialises what an operation is about to change. 0: out of memory. */
static int aff_need_c(affine *f)
{
    if (f->c == NULL)
        f->c = values_new((size_t)f->out);
    return f->c != NULL;
}

static int aff_need_diag(affine *f)
{
    if (f->kind != AFF_IDENTITY)
        return 1;
    f->a = values_new((size_t)f->out);
    if (f->a == NULL)
        return 0;
    for (int i = 0; i < f->out; i++)
        mpq_set_ui(f->a[i], 1, 1);
    f->kind = AFF_DIAG;
    return 1;
}

/* Row i of (A, c) times k[i] (k[0] for all when nk == 1); divides when
 * `divide` (the caller has checked that no k is zero). */
static int aff_scale(affine *f, mpq_t *const k, size_t nk, int divide)
{
    if (!aff_need_diag(f))
        return 0;
    for (int i = 0; i < f->out; i++) {
        const mpq_t *s = &k[nk == 1 ? 0 : (size_t)i];
        void (*op)(mpq_ptr, mpq_srcptr, mpq_srcptr) = divide ? mpq_div
                                                             : mpq_mul;
        if (f->kind == AFF_DIAG)
            op(f->a[i], f->a[i], *s);
        else
            for (int j = 0; j < f->in; j++)
                op(f->a[(size_t)i * f->in + j], f->a[(size_t)i * f->in + j],
                   *s);
        if (f->c != NULL)
            op(f->c[i], f->c[i], *s);
    }
    return 1;
}

/* c += sign * k (broadcast when nk == 1). */
static int aff_shift(affine *f, mpq_t *const k, size_t nk, int sign)
{
    if (!aff_need_c(f))
        return 0;
    for (int i = 0; i < f->out; i++) {
        const mpq_t *s = &k[nk == 1 ? 0 : (size_t)i];
        if (sign < 0)
            mpq_sub(f->c[i], f->c[i], *s);
        else
            mpq_add(f->c[i], f->c[i], *s);
    }
    return 1;
}

/* (A, c) <- (M A, M c) with M rows x f->out; takes ownership of M. */
static int aff_apply(affine *f, mpq_t *M, int rows)
{
    int n = f->out, m = f->in;
    mpq_t *c = NULL, *A = M, t;
    mpq_init(t);
    if (f->c != NULL && (c = values_new((size_t)rows)) != NULL)
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++) {
                mpq_mul(t, M[(size_t)r * n + j], f->c[j]);
                mpq_add(c[r], c[r], t);
            }
    if (f->kind == AFF_DIAG) {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
                mpq_mul(M[(size_t)r * n + j], M[(size_t)r * n + j], f->a[j]);
    } else if (f->kind == AFF_FULL &&
               (A = values_new((size_t)rows * (size_t)m)) != NULL) {
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < n; j++)
                for (int l = 0; l < m; l++) {
                    mpq_mul(t, M[(size_t)r * n + j], f->a[(size_t)j * m + l]);
                    mpq_add(A[(size_t)r * m + l], A[(size_t)r * m + l], t);
                }
    }
    mpq_clear(t);
    if (A != M)
        values_free(M, (size_t)rows * (size_t)n);
    if ((f->c != NULL && c == NULL) || A == NULL) {
        values_free(c, (size_t)rows);
        values_free(A, (size_t)rows * (size_t)m);
        return 0;
    }
    aff_reset(f, 0);
    f->out = rows;
    f->in = m;
    f->kind = AFF_FULL;
    f->a = A;
    f->c = c;
    return 1;
}

/* Appends (A, c) to net as a layer and resets f to the identity. */
static pv_status aff_emit(affine *f, pv_net *net, pv_activation act,
                          pv_error *err)
{
    pv_status st = pv_net_add_layer(net, act, f->out, err);
    if (st != PV_OK)
        return st;
    pv_layer *L = &net->layers[net->nlayers - 1];
    if (L->in != f->in)
        return pv_error_set(err, PV_ERR_INTERNAL,
                            "layer %d: %d inputs, the pending map has %d",
                            net->nlayers, L->in, f->in);
    for (int i = 0; i < f->out; i++) {
        mpq_t *w = L->w + (size_t)i * (size_t)L->in;
        if (f->kind == AFF_IDENTITY)
            mpq_set_ui(w[i], 1, 1);
        else if (f->kind == AFF_DIAG)
            mpq_swap(w[i], f->a[i]);
        else
            for (int j = 0; j < f->in; j++)
                mpq_swap(w[j], f->a[(size_t)i * f->in + j]);
        if (f->c != NULL)
            mpq_swap(L->b[i], f->c[i]);
    }
    aff_reset(f, f->out);
    return PV_OK;
}

/* ------------------------------------------------------------------------ */
/* Shapes                                                                    */

/* The shape of a tensor on the chain, of one example: the input's batch
 * dimension is 1. Every operation checks its operands' shapes by ONNX's
 * rules (numpy broadcasting and matmul) so that a graph is read as the
 * function it computes or refused, never read as a different network:
 * `x[1,3] + B[3,1]` is a [3,3] tensor in ONNX, not 3 neurons. */
#define ONNX_MAX_RANK 32

typedef struct tshape {
    int rank;
    int64_t d[ONNX_MAX_RANK];
} tshape;

static int64_t shape_numel(const tshape *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->d[i];
    return n;
}

/* "[1, 3]"; "[]" for a scalar. */
static const char *shape_str(const tshape *s, char *buf, size_t size)
{
    size_t o = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < s->rank && o + 24 < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%lld", i ? ", " : "",
                              (long long)s->d[i]);
    snprintf(buf + o, size - o, "]");
    return buf;
}

/* The shape of a constant tensor. */
static pv_status const_shape(const onnx_ctx *cx, const Onnx__TensorProto *t,
                             const char *label, tshape *s)
{
    if (t->n_dims > ONNX_MAX_RANK)
        return cx_fail(cx, "tensor '%s' has %zu dimensions: at most %d are "
                       "supported", label, t->n_dims, ONNX_MAX_RANK);
    if (tensor_numel(t) < 0)
        return cx_fail(cx, "tensor '%s' has an invalid shape", label);
    s->rank = (int)t->n_dims;
    for (int i = 0; i < s->rank; i++)
        s->d[i] = t->dims[i];
    return PV_OK;
}

/* numpy (ONNX multidirectional) broadcasting: dimensions aligned from the
 * last must be equal or 1. 0: r is the result; -1: incompatible. */
static int broadcast_shapes(const tshape *a, const tshape *b, tshape *r)
{
    r->rank = a->rank > b->rank ? a->rank : b->rank;
    for (int i = 1; i <= r->rank; i++) {
        int64_t da = i <= a->rank ? a->d[a->rank - i] : 1;
        int64_t db = i <= b->rank ? b->d[b->rank - i] : 1;
        if (da != db && da != 1 && db != 1)
            return -1;
        r->d[r->rank - i] = da == 1 ? db : da;
    }
    return 0;
}

static int same_shape(const tshape *a, const tshape *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i])
            return 0;
    return 1;
}

/* The values v of shape t broadcast to shape r (row-major), exactly. */
static mpq_t *expand_values(mpq_t *const v, const tshape *t, const tshape *r)
{
    size_t n = (size_t)shape_numel(r);
    mpq_t *out = values_new(n);
    if (out == NULL)
        return NULL;
    /* stride[k]: step in v for a step along axis k of r (0 if broadcast) */
    int64_t stride[ONNX_MAX_RANK], idx[ONNX_MAX_RANK], step = 1;
    for (int k = r->rank - 1; k >= 0; k--) {
        int tk = k - (r->rank - t->rank);
        stride[k] = tk < 0 || t->d[tk] == 1 ? 0 : step;
        step *= tk < 0 ? 1 : t->d[tk];
        idx[k] = 0;
    }
    int64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        mpq_set(out[i], v[off]);
        for (int k = r->rank - 1; k >= 0; k--) {   /* odometer */
            off += stride[k];
            if (++idx[k] < r->d[k])
                break;
            off -= stride[k] * idx[k];
            idx[k] = 0;
        }
    }
    return out;
}

/* ------------------------------------------------------------------------ */
/* Operations                                                                */

/* Why the input `name` of node n is not a constant: computed by another
 * node, or defined nowhere. */
static pv_status not_constant(const onnx_ctx *cx, const Onnx__NodeProto *n,
                              const char *role, const char *name)
{
    for (size_t i = 0; i < cx->g->n_node; i++)
        for (size_t o = 0; o < cx->g->node[i]->n_output; o++)
            if (!strcmp(cx->g->node[i]->output[o], name))
                return node_fail(cx, n, "%s '%s' is computed, not a constant: "
                                 "only affine maps by constant tensors are "
                                 "supported", role, name);
    return node_fail(cx, n, "%s '%s' is not defined: no initializer, "
                     "Constant or node output has that name", role, name);
}

/* The node has lo..hi inputs (ONNX's arity for its operator). */
static pv_status check_arity(const onnx_ctx *cx, const Onnx__NodeProto *n,
                             size_t lo, size_t hi)
{
    if (n->n_input >= lo && n->n_input <= hi)
        return PV_OK;
    if (lo == hi)
        return node_fail(cx, n, "expected %zu input%s, found %zu", lo,
                         lo == 1 ? "" : "s", n->n_input);
    return node_fail(cx, n, "expected %zu to %zu inputs, found %zu", lo, hi,
                     n->n_input);
}

/* Index (0 or 1) of the current tensor among the node's first two
 * inputs, the other one being a constant *k. The current tensor is read
 * by this node, but maybe as a third input (Gemm's C): that is refused
 * here, never taken for another operand. */
static pv_status operand_of(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            const char *cur, int *pos,
                            const Onnx__TensorProto **k)
{
    int at0 = !strcmp(n->input[0], cur), at1 = !strcmp(n->input[1], cur);
    if (at0 && at1)
        return node_fail(cx, n, "both operands are the same computed "
                         "tensor '%s' (not an affine map)", cur);
    if (!at0 && !at1)
        return node_fail(cx, n, "the computed tensor '%s' is not its first "
                         "or second input: only affine maps of it by "
                         "constants are supported", cur);
    int p = at0 ? 0 : 1;
    *k = find_const(cx, n->input[1 - p]);
    if (*k == NULL)
        return not_constant(cx, n, "operand", n->input[1 - p]);
    *pos = p;
    return PV_OK;
}

static pv_status nomem(const onnx_ctx *cx)
{
    return pv_error_set(cx->err, PV_ERR_NOMEM, "out of memory");
}

/* The values of a weight tensor holding a rows x cols matrix (row-major;
 * leading dimensions of 1 allowed) as the out x in layer matrix: itself,
 * or its transpose when `transpose`. */
static pv_status weight_matrix(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               const Onnx__TensorProto *t, const char *label,
                               int64_t rows, int64_t cols, int transpose,
                               mpq_t **M)
{
    int64_t out = transpose ? cols : rows;
    if (out < 1 || out > ONNX_MAX_WIDTH)
        return node_fail(cx, n, "weight '%s' gives a layer of width %lld: "
                         "expected 1..%d", label, (long long)out,
                         ONNX_MAX_WIDTH);
    mpq_t *v;
    size_t count;
    pv_status st = tensor_reals(cx, t, label, &v, &count);
    if (st != PV_OK || !transpose) {
        *M = v;
        return st;
    }
    mpq_t *T = values_new(count);
    if (T == NULL) {
        values_free(v, count);
        return nomem(cx);
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t o = 0; o < cols; o++)
            mpq_swap(T[o * rows + i], v[i * cols + o]);
    values_free(v, count);
    *M = T;
    return PV_OK;
}

/* A layer the file does not write out weight by weight can be far larger
 * than the file: an identity or diagonal matrix (a Relu right after the
 * input or after Mul/Div), or the product of two weight matrices with no
 * Relu between them. As the text formats ask for a byte of text per
 * weight, such a layer beyond ONNX_SMALL_ENTRIES needs a byte of file per
 * weight, so that a few hostile bytes cannot ask for gigabytes. Weights
 * stored in the file (4 or 8 bytes each) always pass. */
static pv_status check_layer_size(const onnx_ctx *cx, int64_t rows,
                                  int64_t cols, const char *where)
{
    uint64_t entries = (uint64_t)rows * (uint64_t)cols;
    if (entries <= ONNX_SMALL_ENTRIES || entries <= cx->len)
        return PV_OK;
    return cx_fail(cx, "%s: the graph implies a layer of %lld x %lld = %llu "
                   "weights (an identity or diagonal map, or two weight "
                   "matrices composed), more than the %u allowed for a file "
                   "of %zu bytes", where, (long long)rows, (long long)cols,
                   (unsigned long long)entries, ONNX_SMALL_ENTRIES, cx->len);
}

/* aff_apply after check_layer_size for the product it forms; frees M
 * either way. */
static pv_status apply_checked(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               affine *f, mpq_t *M, int rows)
{
    char label[200];
    pv_status st = f->kind != AFF_FULL ? PV_OK :
        check_layer_size(cx, rows, f->in,
                         node_label(cx, n, label, sizeof label));
    if (st != PV_OK) {
        values_free(M, (size_t)rows * (size_t)f->out);
        return st;
    }
    return aff_apply(f, M, rows) ? PV_OK : nomem(cx);
}

/* aff_emit after check_layer_size (identity and diagonal maps become
 * dense layers here). */
static pv_status emit_checked(const onnx_ctx *cx, affine *f, pv_net *net,
                              pv_activation act, const char *where)
{
    pv_status st = check_layer_size(cx, f->out, f->in, where);
    return st != PV_OK ? st : aff_emit(f, net, act, cx->err);
}

/* The shape numpy.matmul gives a @ b (1-D operands promoted, then the
 * promoted dimension removed; leading dimensions broadcast), with the
 * matrix dimensions M x K times K x N. 0, or -1 on mismatched inner
 * dimensions, -2 on batch dimensions that do not broadcast. */
static int matmul_shape(const tshape *a, const tshape *b, tshape *r,
                        int64_t *M, int64_t *K, int64_t *N)
{
    tshape a2 = *a, b2 = *b;
    if (a->rank == 1) {
        a2.rank = 2;
        a2.d[0] = 1;
        a2.d[1] = a->d[0];
    }
    if (b->rank == 1) {
        b2.rank = 2;
        b2.d[1] = 1;
    }
    *M = a2.d[a2.rank - 2];
    *K = a2.d[a2.rank - 1];
    *N = b2.d[b2.rank - 1];
    if (b2.d[b2.rank - 2] != *K)
        return -1;
    tshape ba = a2, bb = b2;
    ba.rank -= 2;
    bb.rank -= 2;
    if (broadcast_shapes(&ba, &bb, r) != 0)
        return -2;
    if (a->rank != 1)
        r->d[r->rank++] = *M;
    if (b->rank != 1)
        r->d[r->rank++] = *N;
    return 0;
}

/* MatMul of the current tensor (shape *s) and a constant: x @ W, W of
 * shape [K, N] (or [K]), or W @ x, W of shape [M, K] (or [K]). It is a
 * map of one example only when x is one vector: a row [1, K] or [K]
 * before W, a column [K, 1] or [K] after it (any leading dimensions 1),
 * and W has no batch of matrices. */
static pv_status op_matmul(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           const char *cur, tshape *s, affine *f)
{
    int pos = 0;
    const Onnx__TensorProto *k = NULL;
    pv_status st = check_arity(cx, n, 2, 2);
    if (st == PV_OK)
        st = operand_of(cx, n, cur, &pos, &k);
    if (st != PV_OK)
        return st;
    tshape ts, r;
    const char *wname = n->input[1 - pos];
    st = const_shape(cx, k, wname, &ts);
    if (st != PV_OK)
        return st;
    char sa[160], sb[160], sr[160];
    if (s->rank == 0 || ts.rank == 0)
        return node_fail(cx, n, "MatMul of a scalar (shapes %s and %s): "
                         "expected tensors of rank 1 or more",
                         shape_str(pos ? &ts : s, sa, sizeof sa),
                         shape_str(pos ? s : &ts, sb, sizeof sb));
    int64_t M, K, N;
    int got = matmul_shape(pos ? &ts : s, pos ? s : &ts, &r, &M, &K, &N);
    shape_str(pos ? &ts : s, sa, sizeof sa);
    shape_str(pos ? s : &ts, sb, sizeof sb);
    if (got != 0)
        return node_fail(cx, n, "'%s' of shape %s times '%s' of shape %s: %s",
                         n->input[0], sa, n->input[1], sb, got == -1 ?
                         "the inner dimensions differ (numpy matmul)" :
                         "the leading (batch) dimensions do not broadcast");
    /* x is one row (x @ W) or one column (W @ x) of K values */
    int64_t wsize = pos ? M * K : K * N;
    if (shape_numel(s) != K || shape_numel(&ts) != wsize)
        return node_fail(cx, n, "'%s' of shape %s times '%s' of shape %s "
                         "gives shape %s: %s", n->input[0], sa, n->input[1],
                         sb, shape_str(&r, sr, sizeof sr),
                         shape_numel(s) != K ?
                         "the computed tensor is not one vector, so this is "
                         "not a map of one example" :
                         "a batch of weight matrices is not supported");
    /* x @ W: the layer matrix is W^T (N x K); W @ x: W itself (M x K). */
    mpq_t *A;
    int64_t rows = pos ? M : N;
    st = weight_matrix(cx, n, k, wname, pos ? M : K, pos ? K : N, pos == 0,
                       &A);
    if (st != PV_OK)
        return st;
    *s = r;
    return apply_checked(cx, n, f, A, (int)rows);
}

static int64_t attr_int(const Onnx__NodeProto *n, const char *name,
                        int64_t dflt)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    return a != NULL ? a->i : dflt;
}

/* A float attribute (default 1) as its exact dyadic value; NaN or an
 * infinity is an error naming the node. */
static pv_status attr_float(const onnx_ctx *cx, mpq_t out,
                            const Onnx__NodeProto *n, const char *name)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    mpq_set_ui(out, 1, 1);
    if (a != NULL && pv_rational_from_float32_bits(out, float_bits(a->f)))
        return node_fail(cx, n, "attribute %s is %g: expected a finite number",
                         name, (double)a->f);
    return PV_OK;
}

/* The constant k of shape *t broadcast onto the current tensor of shape
 * *s: its values, one per value of the tensor (expanded), or a single
 * scalar (count 1). Refused when the result has more values than the
 * tensor (x[1,3] + B[3,1] is [3,3]: not a map of one example), or, for
 * Gemm's C (`unidirectional`), when C does not broadcast to *s itself.
 * *s becomes the result's shape (leading 1s may be added). */
static pv_status broadcast_operand(const onnx_ctx *cx,
                                   const Onnx__NodeProto *n, const char *cur,
                                   tshape *s, const Onnx__TensorProto *k,
                                   const char *label, int unidirectional,
                                   mpq_t **v, size_t *count)
{
    tshape t, r;
    pv_status st = const_shape(cx, k, label, &t);
    if (st != PV_OK)
        return st;
    char ss[160], st_[160], sr[160];
    shape_str(s, ss, sizeof ss);
    shape_str(&t, st_, sizeof st_);
    if (broadcast_shapes(s, &t, &r) != 0)
        return node_fail(cx, n, "constant '%s' of shape %s does not "
                         "broadcast with the tensor '%s' of shape %s "
                         "(numpy broadcasting: dimensions, from the last, "
                         "must be equal or 1)", label, st_, cur, ss);
    if (shape_numel(&r) != shape_numel(s) ||
        (unidirectional && !same_shape(&r, s)))
        return node_fail(cx, n, "constant '%s' of shape %s broadcasts with "
                         "the tensor '%s' of shape %s to shape %s%s: not a "
                         "map of one example's %lld values; expected a "
                         "shape that broadcasts to %s (such as %s, [%lld], "
                         "[1] or a scalar)", label, st_, cur, ss,
                         shape_str(&r, sr, sizeof sr), unidirectional ?
                         " (Gemm's C must broadcast to the output's shape)" :
                         "", (long long)shape_numel(s), ss, ss,
                         (long long)(s->rank ? s->d[s->rank - 1] : 1));
    st = tensor_reals(cx, k, label, v, count);
    if (st != PV_OK)
        return st;
    *s = r;
    if (*count == 1)
        return PV_OK;
    mpq_t *e = expand_values(*v, &t, &r);
    values_free(*v, *count);
    *v = e;
    *count = e != NULL ? (size_t)shape_numel(&r) : 0;
    return e != NULL ? PV_OK : nomem(cx);
}

/* Gemm's C (input 2, optional): beta C added to the pending map. */
static pv_status gemm_bias(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           const char *cur, tshape *y, affine *f,
                           const mpq_t beta)
{
    if (n->n_input < 3 || n->input[2][0] == '\0')
        return PV_OK;
    if (!strcmp(n->input[2], cur))
        return node_fail(cx, n, "the computed tensor '%s' is also C: only "
                         "affine maps by constants are supported", cur);
    const Onnx__TensorProto *t = find_const(cx, n->input[2]);
    if (t == NULL)
        return not_constant(cx, n, "bias", n->input[2]);
    mpq_t *v = NULL;
    size_t count = 0;
    /* C broadcasts onto Y, Gemm's output, not onto its input. */
    pv_status st = broadcast_operand(cx, n, n->output[0], y, t, n->input[2],
                                     1, &v, &count);
    for (size_t i = 0; st == PV_OK && i < count; i++)
        mpq_mul(v[i], v[i], beta);
    if (st == PV_OK && !aff_shift(f, v, count, 1))
        st = nomem(cx);
    values_free(v, count);
    return st;
}

/* Y = alpha A' B' + beta C, A' = transA ? A^T : A (M x K), B' likewise
 * (K x N). The current tensor is A (one example: M = 1, the weight B' is
 * the layer matrix transposed) or B (N = 1, the layer matrix is A'). */
static pv_status gemm_weight(const onnx_ctx *cx, const Onnx__NodeProto *n,
                             const char *cur, tshape *s, affine *f,
                             const mpq_t alpha)
{
    int pos = 0;
    const Onnx__TensorProto *k = NULL;
    pv_status st = operand_of(cx, n, cur, &pos, &k);
    tshape ts;
    if (st == PV_OK)
        st = const_shape(cx, k, n->input[1 - pos], &ts);
    if (st != PV_OK)
        return st;
    const tshape *a = pos ? &ts : s, *b = pos ? s : &ts;
    int ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
    char sa[160], sb[160];
    shape_str(a, sa, sizeof sa);
    shape_str(b, sb, sizeof sb);
    if (a->rank != 2 || b->rank != 2)
        return node_fail(cx, n, "A '%s' has shape %s and B '%s' shape %s: "
                         "Gemm takes 2-D A and B", n->input[0], sa,
                         n->input[1], sb);
    int64_t M = a->d[ta], K = a->d[1 - ta], KB = b->d[tb], N = b->d[1 - tb];
    if (K != KB)
        return node_fail(cx, n, "A '%s' of shape %s (transA = %d) gives A' "
                         "of %lld x %lld, B '%s' of shape %s (transB = %d) "
                         "gives B' of %lld x %lld: the inner dimensions (%lld "
                         "and %lld) differ", n->input[0], sa, ta,
                         (long long)M, (long long)K, n->input[1], sb, tb,
                         (long long)KB, (long long)N, (long long)K,
                         (long long)KB);
    if ((pos == 0 && M != 1) || (pos == 1 && N != 1))
        return node_fail(cx, n, "the computed tensor '%s' of shape %s gives "
                         "Y of shape [%lld, %lld]: %lld %s, not one example "
                         "(expected %s = 1)", cur, pos ? sb : sa,
                         (long long)M, (long long)N,
                         (long long)(pos ? N : M), pos ? "columns" : "rows",
                         pos ? "N" : "M");
    mpq_t *W;
    /* x = A: the layer matrix is B'^T, N x K: B itself when transB. */
    st = pos == 0 ? weight_matrix(cx, n, k, n->input[1], b->d[0], b->d[1],
                                  !tb, &W)
                  : weight_matrix(cx, n, k, n->input[0], a->d[0], a->d[1],
                                  ta, &W);
    if (st != PV_OK)
        return st;
    int64_t rows = pos ? M : N;
    if (mpq_cmp_ui(alpha, 1, 1) != 0)
        for (size_t i = 0; i < (size_t)rows * (size_t)K; i++)
            mpq_mul(W[i], W[i], alpha);
    s->rank = 2;
    s->d[0] = M;
    s->d[1] = N;
    return apply_checked(cx, n, f, W, (int)rows);
}

static pv_status op_gemm(const onnx_ctx *cx, const Onnx__NodeProto *n,
                         const char *cur, tshape *s, affine *f)
{
    mpq_t alpha, beta;
    mpq_inits(alpha, beta, NULL);
    pv_status st = check_arity(cx, n, 2, 3);
    if (st == PV_OK)
        st = attr_float(cx, alpha, n, "alpha");
    if (st == PV_OK)
        st = attr_float(cx, beta, n, "beta");
    if (st == PV_OK)
        st = gemm_weight(cx, n, cur, s, f, alpha);
    if (st == PV_OK)
        st = gemm_bias(cx, n, cur, s, f, beta);
    mpq_clears(alpha, beta, NULL);
    return st;
}

/* Add, Sub, Mul, Div of the current tensor and a constant. */
static pv_status op_elementwise(const onnx_ctx *cx, const Onnx__NodeProto *n,
                                const char *cur, tshape *s, affine *f)
{
    int pos = 0;
    const Onnx__TensorProto *k = NULL;
    pv_status st = check_arity(cx, n, 2, 2);
    if (st == PV_OK)
        st = operand_of(cx, n, cur, &pos, &k);
    if (st == PV_OK && is_op(n, "Div") && pos != 0)
        st = node_fail(cx, n, "dividing the constant '%s' by the computed "
                       "tensor is not affine", n->input[0]);
    mpq_t *v = NULL;
    size_t count = 0;
    if (st == PV_OK)
        st = broadcast_operand(cx, n, cur, s, k, n->input[1 - pos], 0, &v,
                               &count);
    if (st != PV_OK)
        return st;
    int ok = 1;
    if (is_op(n, "Add")) {
        ok = aff_shift(f, v, count, 1);
    } else if (is_op(n, "Sub")) {
        /* x - k, or k - x = -(x) + k */
        mpq_t minus1;
        mpq_init(minus1);
        mpq_set_si(minus1, -1, 1);
        ok = pos == 0 ? aff_shift(f, v, count, -1)
                      : aff_scale(f, &minus1, 1, 0) && aff_shift(f, v, count, 1);
        mpq_clear(minus1);
    } else if (is_op(n, "Mul")) {
        ok = aff_scale(f, v, count, 0);
    } else {
        /* Broadcasting repeats values, so the first zero of the expanded
         * divisor is also the first zero of the constant's own values
         * only up to repetition: report the tensor, not an index. */
        for (size_t i = 0; st == PV_OK && i < count; i++)
            if (mpq_sgn(v[i]) == 0)
                st = node_fail(cx, n, "divisor '%s' has a zero element "
                               "(dividing value %zu of the tensor by it)",
                               n->input[1], i);
        ok = st != PV_OK || aff_scale(f, v, count, 1);
    }
    values_free(v, count);
    return st != PV_OK ? st : ok ? PV_OK : nomem(cx);
}

/* Reshape to a constant shape: -1 is inferred (at most one), 0 copies
 * the input's dimension (or, with allowzero = 1, is a real 0: an empty
 * tensor). The values keep their row-major order. */
static pv_status op_reshape(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            tshape *s)
{
    const Onnx__TensorProto *t = find_const(cx, n->input[1]);
    if (t == NULL)
        return node_fail(cx, n, "the target shape must be a constant "
                         "(an initializer or a Constant node)");
    int64_t *v = NULL;
    size_t count = 0;
    pv_status st = tensor_ints(cx, t, n->input[1], &v, &count);
    if (st != PV_OK)
        return st;
    int allowzero = attr_int(n, "allowzero", 0) != 0;
    int64_t width = shape_numel(s), prod = 1;
    int infer = -1, bad = count > ONNX_MAX_RANK;
    tshape r;
    r.rank = bad ? 0 : (int)count;
    for (int i = 0; !bad && i < r.rank; i++) {
        int64_t d = v[i];
        if (d == 0 && !allowzero)
            d = i < s->rank ? s->d[i] : -2;   /* -2: nothing to copy */
        if (d == -1 && infer < 0)
            infer = i;
        else if (d < 1 || d > ONNX_MAX_WIDTH)
            bad = 1;
        else
            prod *= d;
        bad = bad || prod > ONNX_MAX_WIDTH;
        r.d[i] = d;
    }
    pv_free(v);
    if (!bad && infer >= 0 && width % prod == 0)
        r.d[infer] = width / prod;
    char ss[160];
    if (bad || (infer >= 0 ? width % prod != 0 : prod != width))
        return node_fail(cx, n, "the target shape '%s' does not hold the "
                         "%lld values of its input of shape %s", n->input[1],
                         (long long)width, shape_str(s, ss, sizeof ss));
    *s = r;
    return PV_OK;
}

/* Flatten: [d0 ... d(axis-1)] and [d(axis) ...] each become one
 * dimension. */
static pv_status op_flatten(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            tshape *s)
{
    int64_t axis = attr_int(n, "axis", 1);
    char ss[160];
    if (axis < -s->rank || axis > s->rank)
        return node_fail(cx, n, "axis %lld is out of range for its input of "
                         "shape %s", (long long)axis,
                         shape_str(s, ss, sizeof ss));
    if (axis < 0)
        axis += s->rank;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < s->rank; i++)
        *(i < axis ? &outer : &inner) *= s->d[i];
    s->rank = 2;
    s->d[0] = outer;
    s->d[1] = inner;
    return PV_OK;
}

static pv_status op_shape_only(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               const char *cur, tshape *s)
{
    pv_status st = check_arity(cx, n, is_op(n, "Reshape") ? 2 : 1,
                               is_op(n, "Reshape") ? 2 : 1);
    if (st != PV_OK)
        return st;
    if (strcmp(n->input[0], cur))
        return node_fail(cx, n, "expected the tensor '%s' as its first "
                         "(data) input", cur);
    if (is_op(n, "Reshape"))
        return op_reshape(cx, n, s);
    return is_op(n, "Flatten") ? op_flatten(cx, n, s) : PV_OK;
}

static int is_shape_op(const Onnx__NodeProto *n)
{
    return is_op(n, "Flatten") || is_op(n, "Reshape") || is_op(n, "Identity");
}

static int is_elementwise(const Onnx__NodeProto *n)
{
    return is_op(n, "Add") || is_op(n, "Sub") || is_op(n, "Mul") ||
           is_op(n, "Div");
}

static pv_status apply_op(const onnx_ctx *cx, const Onnx__NodeProto *n,
                          const char *cur, tshape *s, affine *f, pv_net *net)
{
    if (n->domain != NULL && n->domain[0] != '\0' &&
        strcmp(n->domain, "ai.onnx"))
        return node_fail(cx, n, "operator domain '%s' is not supported "
                         "(only the standard ONNX operators)", n->domain);
    if (is_op(n, "Relu")) {
        pv_status st = check_arity(cx, n, 1, 1);
        if (st != PV_OK)
            return st;
        if (strcmp(n->input[0], cur))
            return node_fail(cx, n, "expected input '%s'", cur);
        char label[200];
        return emit_checked(cx, f, net, PV_RELU,
                            node_label(cx, n, label, sizeof label));
    }
    if (is_op(n, "Gemm"))
        return op_gemm(cx, n, cur, s, f);
    if (is_op(n, "MatMul"))
        return op_matmul(cx, n, cur, s, f);
    if (is_elementwise(n))
        return op_elementwise(cx, n, cur, s, f);
    if (is_shape_op(n))
        return op_shape_only(cx, n, cur, s);
    return node_fail(cx, n, "unsupported operation: polyverify reads chains "
                     "of fully-connected layers (Gemm, MatMul, Add, Sub, "
                     "Mul, Div by constants, Relu, Flatten, Reshape, "
                     "Identity, Constant)");
}

/* One node on the chain; afterwards the shape must still describe the
 * pending map's values (an internal check of the shape rules above). */
static pv_status apply_node(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            const char *cur, tshape *s, affine *f,
                            pv_net *net)
{
    pv_status st = apply_op(cx, n, cur, s, f, net);
    if (st == PV_OK && shape_numel(s) != f->out) {
        char label[200], ss[160];
        return pv_error_set(cx->err, PV_ERR_INTERNAL, "%s: %s: shape %s but "
                            "%d values", cx->name,
                            node_label(cx, n, label, sizeof label),
                            shape_str(s, ss, sizeof ss), f->out);
    }
    return st;
}

/* ------------------------------------------------------------------------ */
/* The graph: its input, the chain of nodes, its output                      */

static int is_initializer(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_initializer; i++)
        if (g->initializer[i]->name && !strcmp(g->initializer[i]->name, name))
            return 1;
    return 0;
}

/* The one graph input that is not an initializer (older exporters list
 * initializers among the inputs). */
static pv_status find_input(const onnx_ctx *cx, const Onnx__ValueInfoProto **in)
{
    const Onnx__GraphProto *g = cx->g;
    *in = NULL;
    for (size_t i = 0; i < g->n_input; i++) {
        if (g->input[i]->name == NULL || is_initializer(g, g->input[i]->name))
            continue;
        if (*in != NULL)
            return cx_fail(cx, "the graph has a second input '%s' (after "
                           "'%s'): polyverify reads networks with one input",
                           g->input[i]->name, (*in)->name);
        *in = g->input[i];
    }
    if (*in == NULL)
        return cx_fail(cx, "the graph has no input (other than initializers)");
    return PV_OK;
}

/* The input's shape for one example: a symbolic first dimension is the
 * batch, read as 1. A fixed first dimension other than 1 (shape [25, 5])
 * is not a batch of one, so the network would be read on 25 examples at
 * once: refused, saying what is supported. */
static pv_status input_shape(const onnx_ctx *cx, const Onnx__ValueInfoProto *in,
                             tshape *shape)
{
    const Onnx__TypeProto *tp = in->type;
    if (tp == NULL || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        tp->tensor_type->shape == NULL)
        return cx_fail(cx, "input '%s' has no tensor shape", in->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (tt->has_elem_type && tt->elem_type != ONNX_TYPE_FLOAT &&
        tt->elem_type != ONNX_TYPE_DOUBLE)
        return cx_fail(cx, "input '%s' has element type %d: expected float32 "
                       "(1) or float64 (11)", in->name, (int)tt->elem_type);
    const Onnx__TensorShapeProto *s = tt->shape;
    if (s->n_dim > ONNX_MAX_RANK)
        return cx_fail(cx, "input '%s' has %zu dimensions: at most %d are "
                       "supported", in->name, s->n_dim, ONNX_MAX_RANK);
    int64_t prod = 1;
    shape->rank = (int)s->n_dim;
    for (size_t i = 0; i < s->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = s->dim[i];
        int known = d->value_case ==
                    ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        shape->d[i] = known ? d->dim_value : 1;
        if (!known && i == 0)
            continue;      /* the batch dimension */
        if (!known || d->dim_value < 1)
            return cx_fail(cx, "input '%s': dimension %zu is dynamic or "
                           "empty: expected a fixed size", in->name, i);
        prod *= d->dim_value;
        if (prod > ONNX_MAX_WIDTH)
            return cx_fail(cx, "input '%s' has more than %d values",
                           in->name, ONNX_MAX_WIDTH);
    }
    if (s->n_dim > 1 && shape->d[0] != 1) {
        char ss[160];
        return cx_fail(cx, "input '%s' has shape %s: its first dimension "
                       "%lld is fixed, so the model takes %lld values that "
                       "are not one example (a batch of %lld, or a 2-D "
                       "example); polyverify reads one example: an input of "
                       "shape [m], or [1, ...] or [N, ...] with a batch "
                       "dimension of 1 or symbolic", in->name,
                       shape_str(shape, ss, sizeof ss),
                       (long long)shape->d[0], (long long)prod,
                       (long long)shape->d[0]);
    }
    return PV_OK;
}

/* The one node reading `cur`: 1 found, 0 none, -1 error. */
static int next_node(const onnx_ctx *cx, const char *cur,
                     const Onnx__NodeProto **out)
{
    const Onnx__GraphProto *g = cx->g;
    size_t found = g->n_node;
    for (size_t i = 0; i < g->n_node; i++) {
        const Onnx__NodeProto *n = g->node[i];
        int reads = 0;
        for (size_t j = 0; j < n->n_input; j++)
            reads = reads || !strcmp(n->input[j], cur);
        if (!reads)
            continue;
        if (found < g->n_node) {
            char a[200], b[200];
            cx_fail(cx, "tensor '%s' feeds two nodes, %s and %s: polyverify "
                    "reads a single chain of layers", cur,
                    node_label(cx, g->node[found], a, sizeof a),
                    node_label(cx, n, b, sizeof b));
            return -1;
        }
        found = i;
    }
    if (found == g->n_node)
        return 0;
    if (cx->visited[found]) {
        char a[200];
        cx_fail(cx, "%s is reached twice (a cycle)",
                node_label(cx, g->node[found], a, sizeof a));
        return -1;
    }
    cx->visited[found] = 1;
    *out = g->node[found];
    return 1;
}

/* Every node must be on the chain, or a Constant. */
static pv_status check_all_used(const onnx_ctx *cx, const char *last)
{
    const Onnx__GraphProto *g = cx->g;
    for (size_t i = 0; i < g->n_node; i++)
        if (!cx->visited[i] && !is_op(g->node[i], "Constant"))
            return node_fail(cx, g->node[i], "not on the chain of layers "
                             "from the input to the output '%s' (branches "
                             "are not supported)", last);
    if (g->n_output != 1)
        return cx_fail(cx, "the graph has %zu outputs: expected 1",
                       g->n_output);
    const char *out = str_or(g->output[0]->name, "");
    if (strcmp(out, last))
        return cx_fail(cx, "the chain of layers ends at tensor '%s', which "
                       "is not the graph output '%s'", last, out);
    return PV_OK;
}

static pv_status walk(const onnx_ctx *cx, pv_net *net, affine *f)
{
    const Onnx__ValueInfoProto *in;
    pv_status st = find_input(cx, &in);
    tshape shape;
    if (st == PV_OK)
        st = input_shape(cx, in, &shape);
    if (st != PV_OK)
        return st;
    net->input_dim = (int)shape_numel(&shape);
    aff_reset(f, net->input_dim);
    const char *cur = in->name;
    const Onnx__NodeProto *n;
    int got = 0;
    while (st == PV_OK && (got = next_node(cx, cur, &n)) > 0) {
        if (n->n_output < 1)
            return node_fail(cx, n, "has no output");
        st = apply_node(cx, n, cur, &shape, f, net);
        cur = n->output[0];
    }
    if (st != PV_OK || got < 0)
        return st != PV_OK ? st : PV_ERR_PARSE;
    st = check_all_used(cx, cur);
    /* A final affine map is the linear output layer; a network that ends
     * in Relu has none. */
    if (st == PV_OK && (f->kind != AFF_IDENTITY || f->c != NULL ||
                        net->nlayers == 0))
        st = emit_checked(cx, f, net, PV_LINEAR, "the output layer");
    return st;
}

static pv_status parse_model(onnx_ctx *cx, const Onnx__ModelProto *model,
                             pv_net *net)
{
    if (model->graph == NULL)
        return cx_fail(cx, "the ONNX model has no graph");
    cx->g = model->graph;
    cx->visited = pv_calloc(cx->g->n_node + 1, 1);
    if (cx->visited == NULL)
        return nomem(cx);
    strcpy(net->format, "onnx");
    affine f;
    memset(&f, 0, sizeof f);
    pv_status st = walk(cx, net, &f);
    aff_reset(&f, 0);
    pv_free(cx->visited);
    if (st == PV_OK)
        st = pv_net_finalize(net, cx->err);
    return st;
}

/* protobuf-c's allocations go through alloc.c like all others, so that
 * an unwinding frees a half-decoded model. */
static void *pb_alloc(void *data, size_t size)
{
    (void)data;
    return pv_malloc(size);
}

static void pb_free(void *data, void *p)
{
    (void)data;
    pv_free(p);
}

static ProtobufCAllocator pb_allocator = { pb_alloc, pb_free, NULL };

static pv_status parse_onnx(pv_net *net, const char *data, size_t len,
                            const char *name, pv_error *err)
{
    onnx_ctx cx;
    memset(&cx, 0, sizeof cx);
    cx.name = name != NULL ? name : "<onnx>";
    cx.err = err;
    cx.len = len;
    if (len == 0)
        return cx_fail(&cx, "the file is empty: expected an ONNX model");
    Onnx__ModelProto *model =
        onnx__model_proto__unpack(&pb_allocator, len, (const uint8_t *)data);
    if (model == NULL)
        return cx_fail(&cx, "not a valid ONNX model: the protobuf could not "
                       "be decoded (truncated or corrupt file?)");
    pv_net out;
    pv__net_init(&out);
    pv_status st = parse_model(&cx, model, &out);
    onnx__model_proto__free_unpacked(model, &pb_allocator);
    if (st != PV_OK) {
        pv__net_clear(&out);
        return st;
    }
    /* The caller's net is replaced only on success. */
    pv__net_clear(net);
    *net = out;
    return PV_OK;
}

pv_status pv_net_parse_onnx(pv_net *net, const char *data, size_t len,
                            const char *name, pv_error *err)
{
    PV_GUARD(err, parse_onnx(net, data, len, name, err), (void)0);
}
