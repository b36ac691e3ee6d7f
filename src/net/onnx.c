/* polyverify — ONNX models of piecewise-linear networks, read exactly.
 *
 * The protobuf is decoded by C bindings that protoc-c generates at build
 * time from the onnx.proto of Debian's libonnx-dev (see meson.build).
 *
 * The nodes are read in the graph's order (ONNX requires it topological;
 * a node reading a tensor computed later is refused as a cycle). Every
 * computed tensor is an exact affine expression of the frontier, the
 * outputs of the last layer emitted (affexpr.h): affine operators by
 * constants act on it (Gemm, MatMul, Conv, pools, reshapes and index maps
 * ...), Add/Sub/Concat/Split combine and split expressions, and an
 * activation emits one layer (lower.h) whose ReLU rows are its code bits
 * and whose linear rows carry every tensor a later node still reads. With
 * a batch of one, every tensor is a vector of values in row-major order,
 * which is why reshapes are identities on the values.
 *
 * The shape of every tensor is tracked all the same, and every operand is
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
#include "net/onnx_affine.h"
#include "net/affexpr.h"
#include "net/lower.h"
#include "polyverify/rational.h"
#include "core/text.h"

#include "onnx.pb-c.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONNX_MAX_WIDTH 10000000
/* Layers above this many weights must be backed by at least one byte of
 * file per weight (see check_layer_size). */
#define ONNX_SMALL_ENTRIES (1u << 20)
/* The most stored weights one composed affine map (a tensor's expression)
 * may have: 2^24 exact rationals, about 1 GiB with their digits. */
#define ONNX_MAX_ENTRIES (1u << 24)
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
    struct onnx_fold *fold;         /* folded constants, chain shapes  */
} onnx_ctx;

typedef struct onnx_fold onnx_fold;

static const Onnx__TensorProto *find_const(const onnx_ctx *cx,
                                           const char *name);

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

/* The initializer or Constant node called `name`, or NULL. */
static const Onnx__TensorProto *find_stored(const onnx_ctx *cx,
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

/* A float32/float64 tensor holding its elements itself: *numel of them. */
static pv_status check_reals(const onnx_ctx *cx, const Onnx__TensorProto *t,
                             const char *label, int64_t *numel)
{
    if (!t->has_data_type || (t->data_type != ONNX_TYPE_FLOAT &&
                              t->data_type != ONNX_TYPE_DOUBLE))
        return cx_fail(cx, "tensor '%s' has element type %d: expected "
                       "float32 (1) or float64 (11)", label,
                       (int)t->data_type);
    int dbl = t->data_type == ONNX_TYPE_DOUBLE;
    *numel = tensor_numel(t);
    return check_storage(cx, t, label, *numel,
                         dbl ? t->n_double_data : t->n_float_data, dbl ? 8 : 4);
}

/* Values of a float32/float64 constant tensor, exact. */
static pv_status tensor_reals(const onnx_ctx *cx, const Onnx__TensorProto *t,
                              const char *label, mpq_t **out, size_t *count)
{
    int64_t numel;
    pv_status st = check_reals(cx, t, label, &numel);
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
/* A computed tensor: an affine expression of the frontier (affexpr.h)       */

typedef pv__aff affine;

static mpq_t *values_new(size_t n)
{
    mpq_t *v = pv_malloc((n + 1) * sizeof *v);
    if (v != NULL)
        for (size_t i = 0; i < n; i++)
            mpq_init(v[i]);
    return v;
}

/* The operations of the op handlers below: they cannot fail (allocations
 * in a call's scope unwind it instead), so they return 1. */
static int aff_scale(affine *f, mpq_t *const k, size_t nk, int divide)
{
    pv__aff_scale(f, k, nk, divide);
    return 1;
}

static int aff_shift(affine *f, mpq_t *const k, size_t nk, int sign)
{
    pv__aff_shift(f, k, nk, sign);
    return 1;
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

/* A weight tensor holding a rows x cols matrix (row-major; leading
 * dimensions of 1 allowed) as the out x in layer matrix: itself, or its
 * transpose when `transpose` — sparse, read element by element from the
 * file's bytes: only the non-zero weights become rationals, so a chain of
 * sparse MatMuls (VNN-COMP's TLL nets: 1024 x 2048 with 4096 non-zeros)
 * never holds a dense matrix of mpq_t. */
static pv_status weight_lmap(const onnx_ctx *cx, const Onnx__NodeProto *n,
                             const Onnx__TensorProto *t, const char *label,
                             int64_t rows, int64_t cols, int transpose,
                             pv__lmap *L)
{
    int64_t out = transpose ? cols : rows, in = transpose ? rows : cols;
    if (out < 1 || out > ONNX_MAX_WIDTH)
        return node_fail(cx, n, "weight '%s' gives a layer of width %lld: "
                         "expected 1..%d", label, (long long)out,
                         ONNX_MAX_WIDTH);
    int64_t numel;
    pv_status st = check_reals(cx, t, label, &numel);
    if (st != PV_OK)
        return st;
    if (numel != rows * cols)
        return cx_fail(cx, "tensor '%s' has %lld elements: expected %lld x %lld",
                       label, (long long)numel, (long long)rows, (long long)cols);
    pv__lmap_builder B;
    pv__lmapb_init(&B, (int)out, (int)in);
    mpq_t w;
    mpq_init(w);
    for (int64_t o = 0; o < out; o++) {     /* after a failure: empty rows */
        for (int64_t c = 0; c < in && st == PV_OK; c++) {
            size_t i = (size_t)(transpose ? c * cols + o : o * cols + c);
            if (decode_real(w, t, i) != 0) {
                st = cx_fail(cx, "tensor '%s': element %zu is NaN or infinite; "
                             "weights must be finite numbers", label, i);
                continue;
            }
            if (mpq_sgn(w) != 0)
                pv__lmapb_add(&B, (int)c, w);
        }
        pv__lmapb_row(&B, NULL);
    }
    mpq_clear(w);
    pv__lmapb_finish(&B, L);
    for (int64_t o = 0; o < out; o++)       /* no bias: a MatMul's own */
        mpq_clear(L->bias[o]);
    pv_free(L->bias);
    L->bias = NULL;
    if (st != PV_OK)
        pv__lmap_clear(L);
    return st;
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

/* f <- L f after check_layer_size for the product it forms; clears L. */
static pv_status apply_checked(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               affine *f, pv__lmap *L)
{
    char label[200];
    /* each row of the product reads at most min(cols, nnz) columns */
    size_t nnz = pv__aff_nnz(f), per = nnz < (size_t)f->cols ? nnz : (size_t)f->cols;
    pv_status st = check_layer_size(cx, L->rows, (int64_t)per,
                                    node_label(cx, n, label, sizeof label));
    if (st == PV_OK)
        pv__aff_apply_lmap(f, L);
    pv__lmap_clear(L);
    return st;
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

static pv_status check_entries(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               int64_t rows, size_t nnz);
static pv_status apply_lmap(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            affine *f, pv__lmap *L);

/* x @ W or W @ x where x holds several rows (columns) of one example,
 * [..., M, K] (or [..., K, N]), and W is one constant matrix: the same
 * product for each, a block-diagonal map (sequence models, Transformers'
 * per-token layers). *s is the result's shape. */
static pv_status matmul_rows(const onnx_ctx *cx, const Onnx__NodeProto *n,
                             const Onnx__TensorProto *k, const char *wname,
                             int pos, int64_t M, int64_t K, int64_t N,
                             const tshape *s, affine *f)
{
    mpq_t *W = NULL;
    size_t nw = 0;
    pv_status st = tensor_reals(cx, k, wname, &W, &nw);
    if (st != PV_OK)
        return st;
    int64_t rows = shape_numel(s), B = rows / (M * N);
    st = check_entries(cx, n, rows, (size_t)rows * (size_t)K);
    pv__lmap_builder b;
    if (st == PV_OK) {
        pv__lmapb_init(&b, (int)rows, f->rows);
        for (int64_t t = 0; t < B; t++)
            for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < N; j++) {
                    for (int64_t q = 0; q < K; q++) {
                        /* x @ W: x[t, i, q] W[q, j]; W @ x: W[i, q] x[t, q, j] */
                        const mpq_t *w = pos ? &W[i * K + q] : &W[q * N + j];
                        int64_t col = pos ? (t * K + q) * N + j : (t * M + i) * K + q;
                        if (mpq_sgn(*w) != 0)
                            pv__lmapb_add(&b, (int)col, *w);
                    }
                    pv__lmapb_row(&b, NULL);
                }
    }
    values_free(W, nw);
    if (st != PV_OK)
        return st;
    pv__lmap L;
    pv__lmapb_finish(&b, &L);
    return apply_lmap(cx, n, f, &L);
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
    if (shape_numel(s) != K && shape_numel(&ts) == wsize &&
        shape_numel(s) % (pos ? K * N : M * K) == 0) {
        *s = r;
        return matmul_rows(cx, n, k, wname, pos, M, K, N, s, f);
    }
    if (shape_numel(s) != K || shape_numel(&ts) != wsize)
        return node_fail(cx, n, "'%s' of shape %s times '%s' of shape %s "
                         "gives shape %s: %s", n->input[0], sa, n->input[1],
                         sb, shape_str(&r, sr, sizeof sr),
                         shape_numel(s) != K ?
                         "the computed tensor is not one vector, so this is "
                         "not a map of one example" :
                         "a batch of weight matrices is not supported");
    /* x @ W: the layer matrix is W^T (N x K); W @ x: W itself (M x K). */
    pv__lmap A;
    st = weight_lmap(cx, n, k, wname, pos ? M : K, pos ? K : N, pos == 0, &A);
    if (st != PV_OK)
        return st;
    *s = r;
    return apply_checked(cx, n, f, &A);
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
    pv__lmap W;
    /* x = A: the layer matrix is B'^T, N x K: B itself when transB. */
    st = pos == 0 ? weight_lmap(cx, n, k, n->input[1], b->d[0], b->d[1], !tb, &W)
                  : weight_lmap(cx, n, k, n->input[0], a->d[0], a->d[1], ta, &W);
    if (st != PV_OK)
        return st;
    if (mpq_cmp_ui(alpha, 1, 1) != 0)
        for (size_t e = 0; e < W.start[W.rows]; e++)
            mpq_mul(W.coef[e], W.coef[e], alpha);
    s->rank = 2;
    s->d[0] = M;
    s->d[1] = N;
    return apply_checked(cx, n, f, &W);
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

/* ------------------------------------------------------------------------ */
/* Index maps: Transpose, Gather, Slice, Pad, as the input entry each      */
/* output entry reads (row-major), shared by computed and constant tensors */

/* st[i]: the step in the flattened tensor of one step along axis i. */
static void shape_strides(const tshape *s, int64_t *st)
{
    int64_t step = 1;
    for (int i = s->rank - 1; i >= 0; i--) {
        st[i] = step;
        step *= s->d[i];
    }
}

/* The next multi-index of shape r in row-major order (an odometer). */
static void next_index(int64_t *idx, const tshape *r)
{
    for (int k = r->rank - 1; k >= 0; k--) {
        if (++idx[k] < r->d[k])
            return;
        idx[k] = 0;
    }
}

/* An integer list: the attribute `name`, else the constant input `in`
 * (when the node has it, non-empty). -1 when neither is given. */
static pv_status int_list(const onnx_ctx *cx, const Onnx__NodeProto *n,
                          const char *name, size_t in, int64_t *out,
                          int *count)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    *count = -1;
    if (a != NULL) {
        if (a->n_ints > ONNX_MAX_RANK * 2)
            return node_fail(cx, n, "attribute %s has %zu values: at most "
                             "%d", name, a->n_ints, ONNX_MAX_RANK * 2);
        for (size_t i = 0; i < a->n_ints; i++)
            out[i] = a->ints[i];
        *count = (int)a->n_ints;
        return PV_OK;
    }
    if (in >= n->n_input || n->input[in][0] == '\0')
        return PV_OK;
    const Onnx__TensorProto *t = find_const(cx, n->input[in]);
    if (t == NULL)
        return not_constant(cx, n, name, n->input[in]);
    int64_t *v;
    size_t c;
    pv_status st = tensor_ints(cx, t, n->input[in], &v, &c);
    if (st != PV_OK)
        return st;
    if (c > ONNX_MAX_RANK * 2) {
        pv_free(v);
        return node_fail(cx, n, "input %s has %zu values: at most %d", name,
                         c, ONNX_MAX_RANK * 2);
    }
    memcpy(out, v, c * sizeof *v);
    pv_free(v);
    *count = (int)c;
    return PV_OK;
}

/* Axis a of rank `rank` (negative counts from the end), or -1. */
static int norm_axis(int64_t a, int rank)
{
    if (a < 0)
        a += rank;
    return a >= 0 && a < rank ? (int)a : -1;
}

static pv_status bad_axis(const onnx_ctx *cx, const Onnx__NodeProto *n,
                          int64_t a, const tshape *s)
{
    char ss[160];
    return node_fail(cx, n, "axis %lld is out of range for its input of "
                     "shape %s", (long long)a, shape_str(s, ss, sizeof ss));
}

static int64_t *src_new(const tshape *r)
{
    return pv_malloc(((size_t)shape_numel(r) + 1) * sizeof(int64_t));
}

/* Transpose: output axis i is input axis perm[i] (default: reversed). */
static pv_status transpose_src(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               const tshape *s, tshape *r, int64_t **src)
{
    int64_t perm[ONNX_MAX_RANK * 2], st[ONNX_MAX_RANK], idx[ONNX_MAX_RANK];
    int np;
    pv_status e = int_list(cx, n, "perm", 99, perm, &np);
    if (e != PV_OK)
        return e;
    int seen[ONNX_MAX_RANK] = {0};
    if (np < 0)
        for (np = 0; np < s->rank; np++)
            perm[np] = s->rank - 1 - np;
    int bad = np != s->rank;
    for (int i = 0; !bad && i < np; i++) {
        bad = perm[i] < 0 || perm[i] >= s->rank || seen[perm[i]];
        if (!bad)
            seen[perm[i]] = 1;
    }
    char ss[160];
    if (bad)
        return node_fail(cx, n, "perm is not a permutation of the %d axes of "
                         "its input of shape %s", s->rank,
                         shape_str(s, ss, sizeof ss));
    r->rank = s->rank;
    for (int i = 0; i < s->rank; i++) {
        r->d[i] = s->d[perm[i]];
        idx[i] = 0;
    }
    shape_strides(s, st);
    int64_t *v = src_new(r);
    for (int64_t k = 0; k < shape_numel(r); k++, next_index(idx, r)) {
        v[k] = 0;
        for (int i = 0; i < r->rank; i++)
            v[k] += idx[i] * st[perm[i]];
    }
    *src = v;
    return PV_OK;
}

/* Gather along `axis` by constant indices (negative ones count from the
 * end): the output shape is s[:axis] + indices' shape + s[axis+1:]. */
static pv_status gather_src(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            const tshape *s, tshape *r, int64_t **src)
{
    int64_t a0 = attr_int(n, "axis", 0);
    int axis = norm_axis(a0, s->rank);
    if (axis < 0)
        return bad_axis(cx, n, a0, s);
    const Onnx__TensorProto *t = find_const(cx, n->input[1]);
    if (t == NULL)
        return not_constant(cx, n, "indices", n->input[1]);
    tshape q;
    int64_t *ind;
    size_t ni;
    pv_status e = const_shape(cx, t, n->input[1], &q);
    if (e == PV_OK && s->rank - 1 + q.rank > ONNX_MAX_RANK)
        e = node_fail(cx, n, "the result has more than %d dimensions",
                      ONNX_MAX_RANK);
    if (e == PV_OK)
        e = tensor_ints(cx, t, n->input[1], &ind, &ni);
    if (e != PV_OK)
        return e;
    for (size_t i = 0; i < ni; i++) {
        if (ind[i] < 0)
            ind[i] += s->d[axis];
        if (ind[i] < 0 || ind[i] >= s->d[axis]) {
            pv_free(ind);
            return node_fail(cx, n, "index %zu of '%s' is out of range for "
                             "axis %d of size %lld", i, n->input[1], axis,
                             (long long)s->d[axis]);
        }
    }
    r->rank = 0;
    for (int i = 0; i < axis; i++)
        r->d[r->rank++] = s->d[i];
    for (int i = 0; i < q.rank; i++)
        r->d[r->rank++] = q.d[i];
    for (int i = axis + 1; i < s->rank; i++)
        r->d[r->rank++] = s->d[i];
    int64_t st[ONNX_MAX_RANK], idx[ONNX_MAX_RANK] = {0};
    shape_strides(s, st);
    int64_t *v = src_new(r);
    for (int64_t k = 0; k < shape_numel(r); k++, next_index(idx, r)) {
        int64_t qi = 0, off = 0;
        for (int i = 0; i < q.rank; i++)
            qi = qi * q.d[i] + idx[axis + i];
        for (int i = 0; i < axis; i++)
            off += idx[i] * st[i];
        for (int i = axis + 1; i < s->rank; i++)
            off += idx[i - 1 + q.rank] * st[i];
        v[k] = off + ind[qi] * st[axis];
    }
    pv_free(ind);
    *src = v;
    return PV_OK;
}

/* Slice (opset 10+: starts, ends, axes, steps as inputs 1-4; before:
 * attributes), clamped as ONNX says. An empty result is refused. */
static pv_status slice_src(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           const tshape *s, tshape *r, int64_t **src)
{
    int64_t sv[ONNX_MAX_RANK * 2], ev[ONNX_MAX_RANK * 2];
    int64_t av[ONNX_MAX_RANK * 2], pv[ONNX_MAX_RANK * 2];
    int ns, ne, na, np;
    pv_status e = int_list(cx, n, "starts", 1, sv, &ns);
    if (e == PV_OK)
        e = int_list(cx, n, "ends", 2, ev, &ne);
    if (e == PV_OK)
        e = int_list(cx, n, "axes", 3, av, &na);
    if (e == PV_OK)
        e = int_list(cx, n, "steps", 4, pv, &np);
    if (e != PV_OK)
        return e;
    if (ns < 0 || ns != ne || (na >= 0 && na != ns) || (np >= 0 && np != ns))
        return node_fail(cx, n, "starts, ends, axes and steps must be given "
                         "with the same length");
    int64_t start[ONNX_MAX_RANK], step[ONNX_MAX_RANK];
    *r = *s;
    for (int i = 0; i < s->rank; i++) {
        start[i] = 0;
        step[i] = 1;
    }
    for (int k = 0; k < ns; k++) {
        int64_t a0 = na >= 0 ? av[k] : k, p = np >= 0 ? pv[k] : 1;
        int a = norm_axis(a0, s->rank);
        if (a < 0)
            return bad_axis(cx, n, a0, s);
        if (p == 0)
            return node_fail(cx, n, "a step is 0");
        int64_t d = s->d[a], b = sv[k], en = ev[k];
        b = b < 0 ? b + d : b;
        en = en < 0 ? en + d : en;
        int64_t lo = p > 0 ? 0 : -1, hi = p > 0 ? d : d - 1;
        b = b < 0 ? 0 : b > hi ? hi : b;
        en = en < lo ? lo : en > hi ? hi : en;
        int64_t len = p > 0 ? (en - b + p - 1) / p : (b - en - p - 1) / -p;
        if (len < 1)
            return node_fail(cx, n, "the slice of axis %d is empty", a);
        start[a] = b;
        step[a] = p;
        r->d[a] = len;
    }
    int64_t st[ONNX_MAX_RANK], idx[ONNX_MAX_RANK] = {0};
    shape_strides(s, st);
    int64_t *v = src_new(r);
    for (int64_t k = 0; k < shape_numel(r); k++, next_index(idx, r)) {
        v[k] = 0;
        for (int i = 0; i < r->rank; i++)
            v[k] += (start[i] + idx[i] * step[i]) * st[i];
    }
    *src = v;
    return PV_OK;
}

/* Pad, mode constant with the value 0: pads (attribute before opset 11,
 * else input 1) are [begin of each axis ..., end of each axis ...] over
 * all axes, or over `axes` (input 3, opset 18). Negative pads crop. */
static pv_status pad_src(const onnx_ctx *cx, const Onnx__NodeProto *n,
                         const tshape *s, tshape *r, int64_t **src)
{
    const Onnx__AttributeProto *mode = find_attr(n, "mode");
    if (mode != NULL && (mode->s.len != 8 ||
                         memcmp(mode->s.data, "constant", 8)))
        return node_fail(cx, n, "mode '%.*s': only mode constant (with the "
                         "value 0) is supported", (int)mode->s.len,
                         (const char *)mode->s.data);
    int64_t pads[ONNX_MAX_RANK * 2], axes[ONNX_MAX_RANK * 2];
    int np, na;
    pv_status e = int_list(cx, n, "pads", 1, pads, &np);
    if (e == PV_OK)
        e = int_list(cx, n, "axes", 3, axes, &na);
    if (e != PV_OK)
        return e;
    mpq_t val;
    mpq_init(val);
    const Onnx__AttributeProto *va = find_attr(n, "value");
    if (va != NULL)
        pv_rational_from_float32_bits(val, float_bits(va->f));
    if (n->n_input > 2 && n->input[2][0] != '\0') {
        const Onnx__TensorProto *t = find_const(cx, n->input[2]);
        mpq_t *v = NULL;
        size_t c = 0;
        e = t == NULL ? not_constant(cx, n, "constant_value", n->input[2])
                      : tensor_reals(cx, t, n->input[2], &v, &c);
        if (e == PV_OK && c == 1)
            mpq_set(val, v[0]);
        values_free(v, c);
    }
    int nonzero = mpq_sgn(val) != 0;
    mpq_clear(val);
    if (e != PV_OK)
        return e;
    if (nonzero)
        return node_fail(cx, n, "the padding value is not 0: only zero "
                         "padding is supported (a non-zero one is affine "
                         "too, but not supported yet)");
    int nax = na >= 0 ? na : s->rank;
    if (np != 2 * nax)
        return node_fail(cx, n, "pads has %d values: expected %d (begin and "
                         "end of %d axes)", np, 2 * nax, nax);
    int64_t pb[ONNX_MAX_RANK] = {0};
    *r = *s;
    for (int k = 0; k < nax; k++) {
        int a = na >= 0 ? norm_axis(axes[k], s->rank) : k;
        if (a < 0)
            return bad_axis(cx, n, axes[k], s);
        pb[a] = pads[k];
        r->d[a] = s->d[a] + pads[k] + pads[k + nax];
        if (r->d[a] < 1 || r->d[a] > ONNX_MAX_WIDTH)
            return node_fail(cx, n, "axis %d becomes %lld long", a,
                             (long long)r->d[a]);
    }
    if (shape_numel(r) > ONNX_MAX_WIDTH)
        return node_fail(cx, n, "the result has more than %d values",
                         ONNX_MAX_WIDTH);
    int64_t st[ONNX_MAX_RANK], idx[ONNX_MAX_RANK] = {0};
    shape_strides(s, st);
    int64_t *v = src_new(r);
    for (int64_t k = 0; k < shape_numel(r); k++, next_index(idx, r)) {
        v[k] = 0;
        for (int i = 0; i < r->rank && v[k] >= 0; i++) {
            int64_t p = idx[i] - pb[i];
            v[k] = p < 0 || p >= s->d[i] ? -1 : v[k] + p * st[i];
        }
    }
    *src = v;
    return PV_OK;
}

/* Squeeze: the axes given (attribute, or input 1 from opset 13) must be
 * 1 long and are removed; no axes removes every axis of length 1.
 * Unsqueeze inserts axes of length 1 at the given places of the output. */
static pv_status squeeze_shape(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               tshape *s)
{
    int64_t axes[ONNX_MAX_RANK * 2];
    int na;
    pv_status e = int_list(cx, n, "axes", 1, axes, &na);
    if (e != PV_OK)
        return e;
    int unsq = is_op(n, "Unsqueeze"), drop[ONNX_MAX_RANK] = {0};
    int rank = unsq ? s->rank + na : s->rank;
    if (unsq && (na < 0 || rank > ONNX_MAX_RANK))
        return node_fail(cx, n, "expected axes (at most %d dimensions in "
                         "all)", ONNX_MAX_RANK);
    for (int k = 0; k < na; k++) {
        int a = norm_axis(axes[k], rank);
        if (a < 0 || drop[a] || (!unsq && s->d[a] != 1))
            return node_fail(cx, n, "axis %lld cannot be %s", (long long)
                             axes[k], unsq ? "inserted" : "squeezed (not "
                             "an axis of length 1)");
        drop[a] = 1;
    }
    tshape r;
    r.rank = 0;
    for (int i = 0, j = 0; i < rank; i++) {
        if (unsq)
            r.d[r.rank++] = drop[i] ? 1 : s->d[j++];
        else if (!(na < 0 ? s->d[i] == 1 : drop[i]))
            r.d[r.rank++] = s->d[i];
    }
    *s = r;
    return PV_OK;
}

/* ------------------------------------------------------------------------ */
/* Sparse maps of the chain's tensor: selections, Conv, pools, BatchNorm   */

/* Refuses a composed dense layer above ONNX_MAX_ENTRIES weights: in this
 * version a convolution becomes its dense matrix (rows x inputs exact
 * rationals), so a large one is refused here rather than exhausting
 * memory. */
static pv_status check_entries(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               int64_t rows, size_t nnz)
{
    if (rows <= ONNX_MAX_WIDTH && nnz <= ONNX_MAX_ENTRIES)
        return PV_OK;
    return node_fail(cx, n, "the composed affine map would have %lld rows "
                     "and up to %zu exact weights, more than the %u "
                     "supported", (long long)rows, nnz, ONNX_MAX_ENTRIES);
}

/* Composes the sparse map L into the tensor's expression; frees L. */
static pv_status apply_lmap(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            affine *f, pv__lmap *L)
{
    pv_status st = check_entries(cx, n, L->rows, pv__aff_lmap_nnz_bound(f, L));
    if (st == PV_OK)
        pv__aff_apply_lmap(f, L);
    pv__lmap_clear(L);
    return st;
}

/* The current tensor goes through the index map src (shape *s -> *r). */
static pv_status apply_select(const onnx_ctx *cx, const Onnx__NodeProto *n,
                              affine *f, tshape *s, const tshape *r,
                              int64_t *src)
{
    pv__lmap L;
    pv__lmap_select(&L, (int)shape_numel(r), (int)shape_numel(s), src);
    pv_free(src);
    *s = *r;
    return apply_lmap(cx, n, f, &L);
}

static pv_status op_select(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           tshape *s, affine *f)
{
    tshape r;
    int64_t *src = NULL;
    pv_status st = is_op(n, "Transpose") ? transpose_src(cx, n, s, &r, &src)
                 : is_op(n, "Gather")    ? gather_src(cx, n, s, &r, &src)
                 : is_op(n, "Slice")     ? slice_src(cx, n, s, &r, &src)
                                         : pad_src(cx, n, s, &r, &src);
    return st != PV_OK ? st : apply_select(cx, n, f, s, &r, src);
}

static int attr_is(const Onnx__NodeProto *n, const char *name,
                   const char *value)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    return a != NULL && a->s.len == strlen(value) &&
           !memcmp(a->s.data, value, a->s.len);
}

/* The geometry of a Conv or a pool on the input *s ([1, C, L] or
 * [1, C, H, W]) with kernel k (2 values: a 1-D one is [1, L]): strides,
 * dilations, pads or auto_pad, as ONNX defines the output size
 * floor((in + pads - (dil (k - 1) + 1)) / stride) + 1 (ceil with
 * ceil_mode, refused where it differs). */
static pv_status window_geom(const onnx_ctx *cx, const Onnx__NodeProto *n,
                             const tshape *s, const int64_t *k,
                             pv__window *g)
{
    int sp = s->rank - 2;
    int64_t str[ONNX_MAX_RANK * 2], dil[ONNX_MAX_RANK * 2];
    int64_t pad[ONNX_MAX_RANK * 2];
    int ns, nd, npd;
    pv_status e = int_list(cx, n, "strides", 99, str, &ns);
    if (e == PV_OK)
        e = int_list(cx, n, "dilations", 99, dil, &nd);
    if (e == PV_OK)
        e = int_list(cx, n, "pads", 99, pad, &npd);
    if (e != PV_OK)
        return e;
    if ((ns >= 0 && ns != sp) || (nd >= 0 && nd != sp) ||
        (npd >= 0 && npd != 2 * sp))
        return node_fail(cx, n, "strides, dilations and pads must have %d, "
                         "%d and %d values for its %d-D input", sp, sp,
                         2 * sp, sp);
    int64_t in[2] = { sp == 2 ? s->d[2] : 1, s->d[sp + 1] };
    int64_t o[2], pb[2];
    int ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
    for (int i = 0; i < 2; i++) {
        int a = i - (2 - sp);        /* the attribute's axis, -1 for H of 1-D */
        int64_t S = a >= 0 && ns >= 0 ? str[a] : 1;
        int64_t D = a >= 0 && nd >= 0 ? dil[a] : 1;
        int64_t P0 = a >= 0 && npd >= 0 ? pad[a] : 0;
        int64_t P1 = a >= 0 && npd >= 0 ? pad[a + sp] : 0;
        int64_t ext = D * (k[i] - 1) + 1;
        if (S < 1 || D < 1 || P0 < 0 || P1 < 0 || k[i] < 1)
            return node_fail(cx, n, "strides, dilations and kernel must be "
                             "positive and pads non-negative");
        if (attr_is(n, "auto_pad", "SAME_UPPER") ||
            attr_is(n, "auto_pad", "SAME_LOWER")) {
            o[i] = (in[i] + S - 1) / S;
            int64_t tot = (o[i] - 1) * S + ext - in[i];
            tot = tot < 0 ? 0 : tot;
            P0 = attr_is(n, "auto_pad", "SAME_UPPER") ? tot / 2
                                                      : tot - tot / 2;
            P1 = tot - P0;
        } else if (attr_is(n, "auto_pad", "VALID")) {
            P0 = P1 = 0;
        } else if (find_attr(n, "auto_pad") != NULL &&
                   !attr_is(n, "auto_pad", "NOTSET")) {
            return node_fail(cx, n, "unknown auto_pad");
        }
        int64_t span = in[i] + P0 + P1 - ext;
        if (span < 0)
            return node_fail(cx, n, "the kernel (extent %lld) is larger than "
                             "the padded input (%lld)", (long long)ext,
                             (long long)(in[i] + P0 + P1));
        o[i] = span / S + 1;
        /* ceil_mode: one more window, unless it would start in the end
         * padding (torch's rule, onnx/onnx#3314). A MaxPool skips the
         * entries beyond the input like padding; a mean would need the
         * runtime's divisor, so AveragePool keeps the floor size only. */
        if (ceil_mode && span % S != 0) {
            if (!is_op(n, "MaxPool"))
                return node_fail(cx, n, "ceil_mode = 1 gives another output "
                                 "size than floor here: not supported");
            if ((o[i]) * S < in[i] + P0)
                o[i]++;
        }
        pb[i] = P0;
        if (i == 0) {
            g->sh = S;
            g->dh = D;
        } else {
            g->sw = S;
            g->dw = D;
        }
    }
    g->C = s->d[1];
    g->H = in[0];
    g->W = in[1];
    g->OH = o[0];
    g->OW = o[1];
    g->kh = k[0];
    g->kw = k[1];
    g->pt = pb[0];
    g->pl = pb[1];
    g->group = 1;
    return PV_OK;
}

/* A window operator's arity, and its data input: [1, C, L] or
 * [1, C, H, W]. */
static pv_status image_input(const onnx_ctx *cx, const Onnx__NodeProto *n,
                             const tshape *s, size_t lo, size_t hi)
{
    char ss[160];
    pv_status st = check_arity(cx, n, lo, hi);
    if (st != PV_OK)
        return st;
    if ((s->rank == 3 || s->rank == 4) && s->d[0] == 1)
        return PV_OK;
    return node_fail(cx, n, "its input has shape %s: expected [1, C, L] or "
                     "[1, C, H, W] (one example, 1-D or 2-D)",
                     shape_str(s, ss, sizeof ss));
}

/* The output shape [1, M, OH, OW] (or [1, M, OW]) of a window. */
static void window_shape(tshape *s, const pv__window *g, int64_t M)
{
    s->d[1] = M;
    s->d[s->rank - 1] = g->OW;
    if (s->rank == 4)
        s->d[2] = g->OH;
}

/* The constant weight (input 1, its shape in *ws) and optional bias
 * (input 2; *bt NULL when absent) of a Conv or ConvTranspose. */
static pv_status kernel_operands(const onnx_ctx *cx, const Onnx__NodeProto *n,
                                 const Onnx__TensorProto **wt,
                                 const Onnx__TensorProto **bt, tshape *ws)
{
    *wt = find_const(cx, n->input[1]);
    *bt = NULL;
    if (*wt == NULL)
        return not_constant(cx, n, "weight", n->input[1]);
    int has_b = n->n_input > 2 && n->input[2][0] != '\0';
    if (has_b && (*bt = find_const(cx, n->input[2])) == NULL)
        return not_constant(cx, n, "bias", n->input[2]);
    return const_shape(cx, *wt, n->input[1], ws);
}

/* The map of a Conv (or, `transposed`, a ConvTranspose) of geometry g
 * with the weight wt and the bias bt (NULL: none), composed into f; *s
 * becomes the output shape. */
static pv_status apply_kernel(const onnx_ctx *cx, const Onnx__NodeProto *n,
                              const Onnx__TensorProto *wt,
                              const Onnx__TensorProto *bt, const pv__window *g,
                              int transposed, tshape *s, affine *f)
{
    if (g->M * g->OH * g->OW > ONNX_MAX_WIDTH)
        return node_fail(cx, n, "its output has more than %d values",
                         ONNX_MAX_WIDTH);
    mpq_t *w = NULL, *b = NULL;
    size_t nw = 0, nb = 0;
    pv_status st = tensor_reals(cx, wt, n->input[1], &w, &nw);
    if (st == PV_OK && bt != NULL)
        st = tensor_reals(cx, bt, n->input[2], &b, &nb);
    if (st == PV_OK && bt != NULL && nb != (size_t)g->M)
        st = node_fail(cx, n, "bias '%s' has %zu values: expected %lld",
                       n->input[2], nb, (long long)g->M);
    pv__lmap L;
    memset(&L, 0, sizeof L);
    if (st == PV_OK)
        (transposed ? pv__lmap_convtranspose : pv__lmap_conv)(&L, g, w, b);
    values_free(w, nw);
    values_free(b, nb);
    if (st != PV_OK)
        return st;
    window_shape(s, g, g->M);
    return apply_lmap(cx, n, f, &L);
}

/* Conv(X, W[, B]): W is [M, C/group, k...], B is [M]. */
static pv_status op_conv(const onnx_ctx *cx, const Onnx__NodeProto *n,
                         tshape *s, affine *f)
{
    pv_status st = image_input(cx, n, s, 2, 3);
    if (st != PV_OK)
        return st;
    const Onnx__TensorProto *wt, *bt;
    tshape ws;
    st = kernel_operands(cx, n, &wt, &bt, &ws);
    if (st != PV_OK)
        return st;
    int64_t group = attr_int(n, "group", 1), C = s->d[1];
    char ss[160], sw[160];
    if (ws.rank != s->rank || group < 1 || C % group || ws.d[0] % group ||
        ws.d[1] != C / group)
        return node_fail(cx, n, "weight '%s' of shape %s does not fit its "
                         "input of shape %s with group %lld (expected [M, "
                         "C/group, kernel...], M a multiple of group)",
                         n->input[1], shape_str(&ws, sw, sizeof sw),
                         shape_str(s, ss, sizeof ss), (long long)group);
    int64_t k[2] = { s->rank == 4 ? ws.d[2] : 1, ws.d[ws.rank - 1] };
    pv__window g;
    st = window_geom(cx, n, s, k, &g);
    if (st != PV_OK)
        return st;
    g.M = ws.d[0];
    g.group = group;
    return apply_kernel(cx, n, wt, bt, &g, 0, s, f);
}

/* ConvTranspose(X, W[, B]): W is [C, M/group, k...]; the output size is
 * s (in - 1) + output_padding + d (k - 1) + 1 - pads (output_shape and
 * auto_pad are refused: give pads). */
static pv_status op_convtranspose(const onnx_ctx *cx, const Onnx__NodeProto *n,
                                  tshape *s, affine *f)
{
    pv_status st = image_input(cx, n, s, 2, 3);
    if (st == PV_OK && (find_attr(n, "output_shape") != NULL ||
                        (find_attr(n, "auto_pad") != NULL &&
                         !attr_is(n, "auto_pad", "NOTSET"))))
        st = node_fail(cx, n, "output_shape and auto_pad are not supported: "
                       "give pads (and output_padding)");
    if (st != PV_OK)
        return st;
    const Onnx__TensorProto *wt, *bt;
    tshape ws;
    st = kernel_operands(cx, n, &wt, &bt, &ws);
    if (st != PV_OK)
        return st;
    int sp = s->rank - 2;
    int64_t group = attr_int(n, "group", 1), C = s->d[1];
    char ss[160], sw[160];
    if (ws.rank != s->rank || group < 1 || ws.d[0] != C || C % group)
        return node_fail(cx, n, "weight '%s' of shape %s does not fit its "
                         "input of shape %s with group %lld (expected [C, "
                         "M/group, kernel...])", n->input[1],
                         shape_str(&ws, sw, sizeof sw),
                         shape_str(s, ss, sizeof ss), (long long)group);
    int64_t str[ONNX_MAX_RANK * 2], dil[ONNX_MAX_RANK * 2], pad[ONNX_MAX_RANK * 2],
            op[ONNX_MAX_RANK * 2];
    int ns, nd, npd, nop;
    st = int_list(cx, n, "strides", 99, str, &ns);
    if (st == PV_OK)
        st = int_list(cx, n, "dilations", 99, dil, &nd);
    if (st == PV_OK)
        st = int_list(cx, n, "pads", 99, pad, &npd);
    if (st == PV_OK)
        st = int_list(cx, n, "output_padding", 99, op, &nop);
    if (st != PV_OK)
        return st;
    pv__window g;
    memset(&g, 0, sizeof g);
    g.C = C;
    g.H = sp == 2 ? s->d[2] : 1;
    g.W = s->d[sp + 1];
    g.M = ws.d[1] * group;
    g.group = group;
    g.kh = sp == 2 ? ws.d[2] : 1;
    g.kw = ws.d[ws.rank - 1];
    int64_t *dim[2] = { &g.OH, &g.OW }, in[2] = { g.H, g.W }, k[2] = { g.kh, g.kw };
    int64_t *sv[2] = { &g.sh, &g.sw }, *dv[2] = { &g.dh, &g.dw }, *pv[2] = { &g.pt, &g.pl };
    for (int i = 0; i < 2; i++) {
        int a = i - (2 - sp);
        int64_t S = a >= 0 && ns > a ? str[a] : 1, D = a >= 0 && nd > a ? dil[a] : 1;
        int64_t P0 = a >= 0 && npd > a ? pad[a] : 0;
        int64_t P1 = a >= 0 && npd > a + sp ? pad[a + sp] : 0;
        int64_t O = a >= 0 && nop > a ? op[a] : 0;
        if (S < 1 || D < 1 || P0 < 0 || P1 < 0 || O < 0)
            return node_fail(cx, n, "strides, dilations, pads and "
                             "output_padding must be positive (pads >= 0)");
        *dim[i] = S * (in[i] - 1) + O + D * (k[i] - 1) + 1 - P0 - P1;
        if (*dim[i] < 1)
            return node_fail(cx, n, "its output would be empty");
        *sv[i] = S;
        *dv[i] = D;
        *pv[i] = P0;
    }
    return apply_kernel(cx, n, wt, bt, &g, 1, s, f);
}

/* ReduceMean and ReduceSum over constant axes (the attribute, or the
 * input of ReduceSum from opset 13; none: all axes unless
 * noop_with_empty_axes), keepdims as ONNX says: exact sums and means. */
static pv_status op_reduce(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           tshape *s, affine *f)
{
    int64_t ax[ONNX_MAX_RANK * 2];
    int na = 0;
    pv_status st = check_arity(cx, n, 1, 2);
    if (st == PV_OK)
        st = int_list(cx, n, "axes", 1, ax, &na);
    if (st != PV_OK)
        return st;
    int red[ONNX_MAX_RANK] = {0};
    if (na <= 0 && attr_int(n, "noop_with_empty_axes", 0))
        return PV_OK;
    for (int k = 0; k < s->rank; k++)
        red[k] = na <= 0;
    for (int k = 0; k < na; k++) {
        int64_t a = ax[k] < 0 ? ax[k] + s->rank : ax[k];
        if (a < 0 || a >= s->rank)
            return node_fail(cx, n, "axis %lld is out of range for rank %d",
                             (long long)ax[k], s->rank);
        red[a] = 1;
    }
    int keep = attr_int(n, "keepdims", 1) != 0;
    tshape r = *s, kept = *s;       /* kept: the result with keepdims */
    int64_t count = 1;
    for (int k = 0; k < s->rank; k++)
        if (red[k]) {
            count *= s->d[k];
            kept.d[k] = 1;
        }
    r.rank = 0;
    for (int k = 0; k < s->rank; k++)
        if (!red[k] || keep)
            r.d[r.rank++] = red[k] ? 1 : s->d[k];
    int64_t rows = shape_numel(&kept), ks[ONNX_MAX_RANK];
    shape_strides(&kept, ks);
    mpq_t w;
    mpq_init(w);
    mpq_set_ui(w, 1, 1);
    if (is_op(n, "ReduceMean"))
        mpq_set_ui(w, 1, (unsigned long)count);
    /* each input value adds w to the output of its kept index */
    int64_t *owner = pv_malloc(((size_t)shape_numel(s) + 1) * sizeof *owner);
    int64_t idx[ONNX_MAX_RANK] = {0};
    for (int64_t i = 0; i < shape_numel(s); i++) {
        int64_t o = 0;
        for (int k = 0; k < s->rank; k++)
            o += red[k] ? 0 : idx[k] * ks[k];
        owner[i] = o;
        next_index(idx, s);
    }
    /* the values of each output, in order (a counting sort by owner) */
    int64_t nv = shape_numel(s);
    int64_t *first = pv_calloc((size_t)rows + 2, sizeof *first);
    int64_t *by = pv_malloc(((size_t)nv + 1) * sizeof *by);
    for (int64_t i = 0; i < nv; i++)
        first[owner[i] + 1]++;
    for (int64_t o = 0; o < rows; o++)
        first[o + 1] += first[o];
    for (int64_t i = 0; i < nv; i++)
        by[first[owner[i]]++] = i;
    pv__lmap_builder b;
    pv__lmapb_init(&b, (int)rows, (int)nv);
    for (int64_t o = 0, k = 0; o < rows; o++) {
        for (; k < first[o]; k++)
            pv__lmapb_add(&b, (int)by[k], w);
        pv__lmapb_row(&b, NULL);
    }
    pv_free(first);
    pv_free(by);
    pv_free(owner);
    mpq_clear(w);
    pv__lmap L;
    pv__lmapb_finish(&b, &L);
    *s = r;
    return apply_lmap(cx, n, f, &L);
}

/* AveragePool (kernel_shape, strides, pads, count_include_pad) and
 * GlobalAveragePool (the whole image): exact means. */
static pv_status op_avgpool(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            tshape *s, affine *f)
{
    pv_status st = image_input(cx, n, s, 1, 1);
    if (st != PV_OK)
        return st;
    int glob = is_op(n, "GlobalAveragePool");
    int64_t ks[ONNX_MAX_RANK * 2], dl[ONNX_MAX_RANK * 2];
    int nk = 0, nd;
    st = glob ? PV_OK : int_list(cx, n, "kernel_shape", 99, ks, &nk);
    if (st == PV_OK)
        st = int_list(cx, n, "dilations", 99, dl, &nd);
    if (st != PV_OK)
        return st;
    for (int i = 0; i < nd; i++)
        if (dl[i] != 1)
            return node_fail(cx, n, "dilations other than 1 are not "
                             "supported for pools");
    if (!glob && nk != s->rank - 2)
        return node_fail(cx, n, "kernel_shape must have %d values",
                         s->rank - 2);
    int64_t k[2] = { s->rank == 4 ? (glob ? s->d[2] : ks[0]) : 1,
                     glob ? s->d[s->rank - 1] : ks[nk - 1] };
    pv__window g;
    st = glob ? PV_OK : window_geom(cx, n, s, k, &g);
    if (st != PV_OK)
        return st;
    if (glob) {
        memset(&g, 0, sizeof g);
        g.C = s->d[1];
        g.H = k[0];
        g.W = k[1];
        g.OH = g.OW = g.sh = g.sw = g.dh = g.dw = g.group = 1;
        g.kh = k[0];
        g.kw = k[1];
    }
    g.M = g.C;
    pv__lmap L;
    pv__lmap_avgpool(&L, &g, attr_int(n, "count_include_pad", 0) != 0);
    window_shape(s, &g, g.C);
    return apply_lmap(cx, n, f, &L);
}

/* sqrt(q) when q is the square of a rational (numerator and denominator,
 * in lowest terms, perfect squares): 1, else 0. */
static int exact_sqrt(mpq_t r, const mpq_t q)
{
    if (mpq_sgn(q) <= 0 || !mpz_perfect_square_p(mpq_numref(q)) ||
        !mpz_perfect_square_p(mpq_denref(q)))
        return 0;
    mpz_sqrt(mpq_numref(r), mpq_numref(q));
    mpz_sqrt(mpq_denref(r), mpq_denref(q));
    mpq_canonicalize(r);
    return 1;
}

/* BatchNormalization in inference form: per channel c,
 * y = scale (x - mean) / sqrt(var + epsilon) + B. The square root is
 * taken exactly, so var + epsilon (each the exact value of its float)
 * must be the square of a rational; otherwise the node is refused: its
 * exact value is irrational, and rounding it would be a different
 * network. */
static pv_status bn_coefs(const onnx_ctx *cx, const Onnx__NodeProto *n,
                          mpq_t **v, size_t C, mpq_t *k, mpq_t *sh)
{
    mpq_t eps, q, r;
    mpq_inits(eps, q, r, NULL);
    pv_status st = PV_OK;
    /* the default epsilon 1e-5 is a float32 attribute like any other */
    const Onnx__AttributeProto *ea = find_attr(n, "epsilon");
    if (pv_rational_from_float32_bits(eps, float_bits(ea ? ea->f : 1e-5f)))
        st = node_fail(cx, n, "epsilon is not a finite number");
    for (size_t c = 0; st == PV_OK && c < C; c++) {
        mpq_add(q, v[3][c], eps);
        if (!exact_sqrt(r, q)) {
            st = node_fail(cx, n, "channel %zu: var + epsilon = %g is not the "
                           "square of a rational, so 1/sqrt(var + epsilon) "
                           "is irrational and the node is not an exact "
                           "affine map; fold the normalisation into the "
                           "neighbouring Conv or Gemm when exporting (as "
                           "torch.onnx.export does in eval mode)", c,
                           mpq_get_d(q));
            break;
        }
        mpq_div(k[c], v[0][c], r);             /* scale / sqrt(var + eps) */
        mpq_mul(q, k[c], v[2][c]);
        mpq_sub(sh[c], v[1][c], q);            /* B - mean k              */
    }
    mpq_clears(eps, q, r, NULL);
    return st;
}

static pv_status op_batchnorm(const onnx_ctx *cx, const Onnx__NodeProto *n,
                              tshape *s, affine *f)
{
    pv_status st = check_arity(cx, n, 5, 5);
    if (st == PV_OK && attr_int(n, "training_mode", 0) != 0)
        st = node_fail(cx, n, "training_mode = 1: only the inference form "
                       "is supported");
    for (size_t o = 1; st == PV_OK && o < n->n_output; o++)
        if (n->output[o][0] != '\0')
            st = node_fail(cx, n, "its training outputs are used");
    char ss[160];
    if (st == PV_OK && (s->rank < 2 || s->d[0] != 1))
        st = node_fail(cx, n, "its input has shape %s: expected [1, C, ...]",
                       shape_str(s, ss, sizeof ss));
    if (st != PV_OK)
        return st;
    size_t C = (size_t)s->d[1], cnt[4] = {0}, per = (size_t)shape_numel(s) / C;
    mpq_t *v[4] = {NULL};
    for (int i = 0; i < 4 && st == PV_OK; i++) {
        const Onnx__TensorProto *t = find_const(cx, n->input[i + 1]);
        st = t == NULL ? not_constant(cx, n, "operand", n->input[i + 1])
                       : tensor_reals(cx, t, n->input[i + 1], &v[i], &cnt[i]);
        if (st == PV_OK && cnt[i] != C)
            st = node_fail(cx, n, "'%s' has %zu values: expected one per "
                           "channel (%zu)", n->input[i + 1], cnt[i], C);
    }
    mpq_t *k = values_new(C), *sh = values_new(C);
    if (st == PV_OK)
        st = bn_coefs(cx, n, v, C, k, sh);
    mpq_t *ke = NULL, *se = NULL;
    if (st == PV_OK) {
        /* one coefficient per value of the tensor: channel-major */
        ke = values_new(C * per);
        se = values_new(C * per);
        for (size_t i = 0; i < C * per; i++) {
            mpq_set(ke[i], k[i / per]);
            mpq_set(se[i], sh[i / per]);
        }
        aff_scale(f, ke, C * per, 0);
        aff_shift(f, se, C * per, 1);
    }
    for (int i = 0; i < 4; i++)
        values_free(v[i], cnt[i]);
    values_free(k, C);
    values_free(sh, C);
    values_free(ke, ke ? C * per : 0);
    values_free(se, se ? C * per : 0);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Constant folding: shape computations and constants reshaped            */

/* Shape-computing chains (Shape -> Gather -> Unsqueeze -> Concat ->
 * Reshape, as torch.onnx.export writes for x.view(x.size(0), -1)) and
 * constants passed through Identity, Cast, Reshape, Transpose ... are
 * evaluated here, at load time, into tensors made for the purpose: every
 * user of find_const then reads them as it reads an initializer. Shape of
 * a tensor on the chain reads the shape recorded when the walk produced
 * it (one example: the batch dimension is 1). */
typedef struct chain_shape {
    const char *name;
    tshape s;
} chain_shape;

struct onnx_fold {
    chain_shape *shapes;
    size_t nshapes;
    Onnx__TensorProto **made;   /* tensors made here                     */
    char *owns;                 /* ... and whether their data is theirs  */
    size_t nmade;
    int depth;                  /* of find_const's recursion             */
    const char *head;           /* the ignored output head's op, or NULL */
};

static void record_shape(const onnx_ctx *cx, const char *name,
                         const tshape *s)
{
    onnx_fold *fd = cx->fold;
    fd->shapes = pv_realloc(fd->shapes, (fd->nshapes + 1) *
                                            sizeof *fd->shapes);
    fd->shapes[fd->nshapes].name = name;
    fd->shapes[fd->nshapes++].s = *s;
}

static const tshape *chain_shape_of(const onnx_ctx *cx, const char *name)
{
    for (size_t i = 0; i < cx->fold->nshapes; i++)
        if (!strcmp(cx->fold->shapes[i].name, name))
            return &cx->fold->shapes[i].s;
    return NULL;
}

static void fold_free(onnx_fold *fd)
{
    for (size_t i = 0; i < fd->nmade; i++) {
        Onnx__TensorProto *t = fd->made[i];
        pv_free(t->dims);
        if (fd->owns[i]) {
            pv_free(t->int64_data);
            pv_free(t->double_data);
        }
        pv_free(t);
    }
    pv_free(fd->made);
    pv_free(fd->owns);
    pv_free(fd->shapes);
}

/* A tensor named `name` of shape *s: a view of src's data (src != NULL)
 * or, when src is NULL, with room for its values, int64 or float64. */
static Onnx__TensorProto *made_new(const onnx_ctx *cx, const char *name,
                                   const tshape *s,
                                   const Onnx__TensorProto *src, int dtype)
{
    onnx_fold *fd = cx->fold;
    Onnx__TensorProto *t = pv_malloc(sizeof *t);
    onnx__tensor_proto__init(t);
    size_t numel = (size_t)shape_numel(s);
    if (src != NULL) {
        *t = *src;
    } else if (dtype == ONNX_TYPE_INT64) {
        t->int64_data = pv_malloc((numel + 1) * sizeof(int64_t));
        t->n_int64_data = numel;
    } else {
        t->double_data = pv_malloc((numel + 1) * sizeof(double));
        t->n_double_data = numel;
    }
    if (src == NULL) {
        t->has_data_type = 1;
        t->data_type = dtype;
    }
    t->name = (char *)name;
    t->n_dims = (size_t)s->rank;
    t->dims = pv_malloc(((size_t)s->rank + 1) * sizeof(int64_t));
    for (int i = 0; i < s->rank; i++)
        t->dims[i] = s->d[i];
    fd->made = pv_realloc(fd->made, (fd->nmade + 1) * sizeof *fd->made);
    fd->owns = pv_realloc(fd->owns, fd->nmade + 1);
    fd->made[fd->nmade] = t;
    fd->owns[fd->nmade++] = src == NULL;
    return t;
}

static int is_int_tensor(const Onnx__TensorProto *t)
{
    return t->data_type == ONNX_TYPE_INT64 || t->data_type == ONNX_TYPE_INT32;
}

/* The constant t read through the index map src into shape *r: ints stay
 * int64, reals become the float64 of their exact value (a float32 or
 * float64 is exactly a float64). NULL when t cannot be read. */
static const Onnx__TensorProto *fold_select(const onnx_ctx *cx,
                                            const char *name,
                                            const Onnx__TensorProto *t,
                                            const tshape *r,
                                            const int64_t *src)
{
    size_t cnt = 0, nr = (size_t)shape_numel(r);
    if (is_int_tensor(t)) {
        int64_t *v;
        if (tensor_ints(cx, t, name, &v, &cnt) != PV_OK)
            return NULL;
        Onnx__TensorProto *o = made_new(cx, name, r, NULL, ONNX_TYPE_INT64);
        for (size_t i = 0; i < nr; i++)
            o->int64_data[i] = src[i] >= 0 ? v[src[i]] : 0;
        pv_free(v);
        return o;
    }
    mpq_t *v;
    if (tensor_reals(cx, t, name, &v, &cnt) != PV_OK)
        return NULL;
    Onnx__TensorProto *o = made_new(cx, name, r, NULL, ONNX_TYPE_DOUBLE);
    for (size_t i = 0; i < nr; i++)
        o->double_data[i] = src[i] >= 0 ? mpq_get_d(v[src[i]]) : 0.0;
    values_free(v, cnt);
    return o;
}

/* Shape(x) with opset 15's start and end. */
static const Onnx__TensorProto *fold_shape(const onnx_ctx *cx,
                                           const Onnx__NodeProto *n)
{
    const tshape *cs = chain_shape_of(cx, n->input[0]);
    const Onnx__TensorProto *t = cs ? NULL : find_const(cx, n->input[0]);
    tshape s, r;
    if (cs != NULL)
        s = *cs;
    else if (t == NULL || const_shape(cx, t, n->input[0], &s) != PV_OK)
        return NULL;
    int64_t b = attr_int(n, "start", 0), e = attr_int(n, "end", s.rank);
    b = b < 0 ? b + s.rank : b;
    e = e < 0 ? e + s.rank : e;
    b = b < 0 ? 0 : b > s.rank ? s.rank : b;
    e = e < b ? b : e > s.rank ? s.rank : e;
    r.rank = 1;
    r.d[0] = e - b;
    Onnx__TensorProto *o = made_new(cx, n->output[0], &r, NULL,
                                    ONNX_TYPE_INT64);
    for (int64_t i = b; i < e; i++)
        o->int64_data[i - b] = s.d[i];
    return o;
}

/* Concat of constant 1-D integer tensors (a shape being assembled). */
static const Onnx__TensorProto *fold_concat(const onnx_ctx *cx,
                                            const Onnx__NodeProto *n)
{
    int64_t all[ONNX_MAX_RANK * 2];
    size_t total = 0;
    for (size_t i = 0; i < n->n_input; i++) {
        const Onnx__TensorProto *t = find_const(cx, n->input[i]);
        int64_t *v;
        size_t c;
        if (t == NULL || !is_int_tensor(t) || t->n_dims > 1 ||
            tensor_ints(cx, t, n->input[i], &v, &c) != PV_OK)
            return NULL;
        if (total + c > ONNX_MAX_RANK * 2) {
            pv_free(v);
            return NULL;
        }
        memcpy(all + total, v, c * sizeof *v);
        total += c;
        pv_free(v);
    }
    tshape r;
    r.rank = 1;
    r.d[0] = (int64_t)total;
    Onnx__TensorProto *o = made_new(cx, n->output[0], &r, NULL,
                                    ONNX_TYPE_INT64);
    memcpy(o->int64_data, all, total * sizeof *all);
    return o;
}

/* Add, Sub, Mul, Div of integer constants (shape arithmetic): operands
 * of the same shape, or one of a single value. */
static const Onnx__TensorProto *fold_arith(const onnx_ctx *cx,
                                           const Onnx__NodeProto *n)
{
    const Onnx__TensorProto *a = find_const(cx, n->input[0]);
    const Onnx__TensorProto *b = find_const(cx, n->input[1]);
    int64_t *x = NULL, *y = NULL;
    size_t cx_ = 0, cy = 0;
    tshape sa, sb;
    if (a == NULL || b == NULL || !is_int_tensor(a) || !is_int_tensor(b) ||
        const_shape(cx, a, n->input[0], &sa) != PV_OK ||
        const_shape(cx, b, n->input[1], &sb) != PV_OK ||
        tensor_ints(cx, a, n->input[0], &x, &cx_) != PV_OK ||
        tensor_ints(cx, b, n->input[1], &y, &cy) != PV_OK ||
        (cx_ != cy && cx_ != 1 && cy != 1)) {
        pv_free(x);
        pv_free(y);
        return NULL;
    }
    const tshape *r = cx_ >= cy ? &sa : &sb;
    Onnx__TensorProto *o = made_new(cx, n->output[0], r, NULL,
                                    ONNX_TYPE_INT64);
    for (size_t i = 0; i < (cx_ > cy ? cx_ : cy); i++) {
        int64_t p = x[cx_ == 1 ? 0 : i], q = y[cy == 1 ? 0 : i];
        o->int64_data[i] = is_op(n, "Add") ? p + q : is_op(n, "Sub") ? p - q
                         : is_op(n, "Mul") ? p * q : q != 0 ? p / q : 0;
    }
    pv_free(x);
    pv_free(y);
    return o;
}

/* ConstantOfShape: the shape (input 0) filled with `value` (default 0). */
static const Onnx__TensorProto *fold_fill(const onnx_ctx *cx,
                                          const Onnx__NodeProto *n)
{
    const Onnx__TensorProto *t = find_const(cx, n->input[0]);
    const Onnx__AttributeProto *va = find_attr(n, "value");
    int64_t *d;
    size_t c;
    if (t == NULL || tensor_ints(cx, t, n->input[0], &d, &c) != PV_OK)
        return NULL;
    tshape r;
    r.rank = (int)c;
    int64_t prod = 1;
    for (size_t i = 0; i < c && c <= ONNX_MAX_RANK; i++) {
        r.d[i] = d[i];
        prod = d[i] < 0 || d[i] > ONNX_MAX_WIDTH ? ONNX_MAX_WIDTH + 1
                                                  : prod * d[i];
        prod = prod > ONNX_MAX_WIDTH ? ONNX_MAX_WIDTH + 1 : prod;
    }
    pv_free(d);
    if (c > ONNX_MAX_RANK || prod > ONNX_MAX_WIDTH)
        return NULL;
    const Onnx__TensorProto *v = va != NULL ? va->t : NULL;
    int ints = v != NULL && is_int_tensor(v);
    Onnx__TensorProto *o = made_new(cx, n->output[0], &r, NULL,
                                    ints ? ONNX_TYPE_INT64 : ONNX_TYPE_DOUBLE);
    int64_t *iv = NULL;
    mpq_t *rv = NULL;
    size_t nv = 0;
    if (v != NULL && (ints ? tensor_ints(cx, v, "value", &iv, &nv)
                           : tensor_reals(cx, v, "value", &rv, &nv)) != PV_OK)
        return NULL;
    for (int64_t i = 0; i < prod; i++) {
        if (ints)
            o->int64_data[i] = nv ? iv[0] : 0;
        else
            o->double_data[i] = nv ? mpq_get_d(rv[0]) : 0.0;
    }
    pv_free(iv);
    values_free(rv, nv);
    return o;
}

/* The constant's reshaping ops (the values stay, the shape changes). */
static const Onnx__TensorProto *fold_view(const onnx_ctx *cx,
                                          const Onnx__NodeProto *n,
                                          const Onnx__TensorProto *t)
{
    tshape s;
    if (const_shape(cx, t, n->input[0], &s) != PV_OK)
        return NULL;
    pv_status st = PV_OK;
    if (is_op(n, "Reshape"))
        st = op_reshape(cx, n, &s);
    else if (is_op(n, "Flatten"))
        st = op_flatten(cx, n, &s);
    else if (is_op(n, "Squeeze") || is_op(n, "Unsqueeze"))
        st = squeeze_shape(cx, n, &s);
    else if (is_op(n, "Cast") && is_int_tensor(t) !=
             (attr_int(n, "to", 1) == ONNX_TYPE_INT64 ||
              attr_int(n, "to", 1) == ONNX_TYPE_INT32))
        return NULL;    /* between integers and reals: not folded */
    return st == PV_OK ? made_new(cx, n->output[0], &s, t, 0) : NULL;
}

static const Onnx__TensorProto *fold_node(const onnx_ctx *cx,
                                          const Onnx__NodeProto *n)
{
    if (is_op(n, "Shape"))
        return fold_shape(cx, n);
    if (is_op(n, "Concat"))
        return fold_concat(cx, n);
    if (is_op(n, "ConstantOfShape"))
        return n->n_input == 1 ? fold_fill(cx, n) : NULL;
    if (n->n_input == 2 && (is_op(n, "Add") || is_op(n, "Sub") ||
                            is_op(n, "Mul") || is_op(n, "Div")))
        return fold_arith(cx, n);
    if (n->n_input < 1)
        return NULL;
    const Onnx__TensorProto *t = find_const(cx, n->input[0]);
    if (t == NULL)
        return NULL;
    if (is_op(n, "Identity") || is_op(n, "Cast") || is_op(n, "Reshape") ||
        is_op(n, "Flatten") || is_op(n, "Squeeze") || is_op(n, "Unsqueeze"))
        return fold_view(cx, n, t);
    tshape s, r;
    int64_t *src = NULL;
    if (const_shape(cx, t, n->input[0], &s) != PV_OK)
        return NULL;
    pv_status st = is_op(n, "Gather") && n->n_input == 2
                       ? gather_src(cx, n, &s, &r, &src)
                 : is_op(n, "Slice") ? slice_src(cx, n, &s, &r, &src)
                 : is_op(n, "Transpose") ? transpose_src(cx, n, &s, &r, &src)
                                         : PV_ERR_PARSE;
    if (st != PV_OK)
        return NULL;
    const Onnx__TensorProto *o = fold_select(cx, n->output[0], t, &r, src);
    pv_free(src);
    return o;
}

/* The constant tensor called `name`, or NULL if it is computed from the
 * network's input (or cannot be folded). */
static const Onnx__TensorProto *find_const(const onnx_ctx *cx,
                                           const char *name)
{
    const Onnx__TensorProto *t = find_stored(cx, name);
    onnx_fold *fd = cx->fold;
    for (size_t i = 0; t == NULL && fd != NULL && i < fd->nmade; i++)
        if (!strcmp(fd->made[i]->name, name))
            t = fd->made[i];
    if (t != NULL || fd == NULL || fd->depth > 64 ||
        chain_shape_of(cx, name) != NULL)
        return t;
    for (size_t i = 0; i < cx->g->n_node; i++) {
        const Onnx__NodeProto *n = cx->g->node[i];
        if (n->n_output < 1 || strcmp(n->output[0], name) || is_op(n, "Constant"))
            continue;
        /* A failed fold leaves an error message behind: the caller's,
         * naming the consumer, replaces it. */
        fd->depth++;
        t = fold_node(cx, n);
        fd->depth--;
        if (t != NULL)
            cx->visited[i] = 1;
        return t;
    }
    return NULL;
}

/* Cast to a float type, and Dropout in inference (no mask used, no
 * training_mode, or a constant false one): identities on the exact
 * values. A Cast rounds in a float runtime; here every value is exact,
 * and a cast between float types is read as the identity it is
 * mathematically. */
static pv_status check_identity(const onnx_ctx *cx, const Onnx__NodeProto *n)
{
    if (is_op(n, "Cast")) {
        int64_t to = attr_int(n, "to", 0);
        if (to != ONNX_TYPE_FLOAT && to != ONNX_TYPE_DOUBLE && to != 10 &&
            to != 16)
            return node_fail(cx, n, "Cast to element type %lld: only casts "
                             "between float types are affine",
                             (long long)to);
        return PV_OK;
    }
    if (!is_op(n, "Dropout"))
        return PV_OK;
    if (n->n_output > 1 && n->output[1][0] != '\0')
        return node_fail(cx, n, "its mask output is used");
    if (n->n_input < 3 || n->input[2][0] == '\0')
        return PV_OK;
    const Onnx__TensorProto *t = find_const(cx, n->input[2]);
    int64_t *v = NULL;
    size_t c = 0;
    pv_status st = t == NULL ? not_constant(cx, n, "training_mode",
                                            n->input[2])
                             : t->data_type == 9 ? PV_OK
                             : tensor_ints(cx, t, n->input[2], &v, &c);
    if (st == PV_OK && t->data_type == 9)   /* bool: int32_data or raw */
        st = (t->has_raw_data ? t->raw_data.len && t->raw_data.data[0]
                              : t->n_int32_data && t->int32_data[0])
             ? PV_ERR_PARSE : PV_OK;
    else if (st == PV_OK && c > 0 && v[0] != 0)
        st = PV_ERR_PARSE;
    pv_free(v);
    if (st == PV_ERR_PARSE)
        return node_fail(cx, n, "training_mode is true: only inference "
                         "(Dropout as the identity) is supported");
    return st;
}

static pv_status op_shape_only(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               tshape *s)
{
    int two = is_op(n, "Reshape"), opt = is_op(n, "Squeeze") ||
                                          is_op(n, "Unsqueeze");
    pv_status st = is_op(n, "Dropout") ? check_arity(cx, n, 1, 3)
                 : check_arity(cx, n, two ? 2 : 1, two || opt ? 2 : 1);
    if (st != PV_OK)
        return st;
    if (is_op(n, "Reshape"))
        return op_reshape(cx, n, s);
    if (opt)
        return squeeze_shape(cx, n, s);
    return is_op(n, "Flatten") ? op_flatten(cx, n, s) : check_identity(cx, n);
}

static int is_shape_op(const Onnx__NodeProto *n)
{
    return is_op(n, "Flatten") || is_op(n, "Reshape") ||
           is_op(n, "Identity") || is_op(n, "Squeeze") ||
           is_op(n, "Unsqueeze") || is_op(n, "Dropout") || is_op(n, "Cast");
}

static int is_select_op(const Onnx__NodeProto *n)
{
    return is_op(n, "Transpose") || is_op(n, "Gather") ||
           is_op(n, "Slice") || is_op(n, "Pad");
}

/* Ops the chain's tensor is the first input of (the others constants). */
static int is_data_op(const Onnx__NodeProto *n)
{
    return is_shape_op(n) || is_select_op(n) || is_op(n, "Conv") ||
           is_op(n, "AveragePool") || is_op(n, "GlobalAveragePool") ||
           is_op(n, "BatchNormalization") || is_op(n, "ConvTranspose") ||
           is_op(n, "ReduceMean") || is_op(n, "ReduceSum");
}

/* Final ops that cannot change a cell: the network's outputs are their
 * inputs (monotone or normalising maps of the logits). */
static int is_head_op(const Onnx__NodeProto *n)
{
    return is_op(n, "Softmax") || is_op(n, "LogSoftmax") ||
           is_op(n, "Sigmoid") || is_op(n, "ArgMax");
}

/* Piecewise-linear, but not read in this version. */
static const char *later_op(const Onnx__NodeProto *n)
{
    static const char *const ops[] = { "Max", "Min", "ThresholdedRelu",
                                       "Shrink", NULL };
    for (int i = 0; ops[i] != NULL; i++)
        if (is_op(n, ops[i]))
            return ops[i];
    return NULL;
}

static int is_graph_output(const onnx_ctx *cx, const char *name)
{
    for (size_t i = 0; i < cx->g->n_output; i++)
        if (cx->g->output[i]->name && !strcmp(cx->g->output[i]->name, name))
            return 1;
    return 0;
}

static int read_by_any(const onnx_ctx *cx, const char *name)
{
    for (size_t i = 0; i < cx->g->n_node; i++)
        for (size_t j = 0; j < cx->g->node[i]->n_input; j++)
            if (!strcmp(cx->g->node[i]->input[j], name))
                return 1;
    return 0;
}

/* An output head: accepted (and recorded for info) as the last op. */
static pv_status op_head(const onnx_ctx *cx, const Onnx__NodeProto *n)
{
    if (is_graph_output(cx, n->output[0]) && !read_by_any(cx, n->output[0])) {
        cx->fold->head = n->op_type;
        return PV_OK;
    }
    return node_fail(cx, n, "%s is not piecewise linear: it is accepted "
                     "only as the network's final operation (an output "
                     "head that cannot change a cell), not inside it",
                     n->op_type);
}

/* The ops that are neither affine nor ReLU nor a head, with why. */
static pv_status op_refused(const onnx_ctx *cx, const Onnx__NodeProto *n)
{
    const char *later = later_op(n);
    if (later != NULL)
        return node_fail(cx, n, "%s is piecewise linear but not supported "
                         "yet (README: supported operators)", later);
    if (is_op(n, "Tanh") || is_op(n, "Softplus") || is_op(n, "Elu") ||
        is_op(n, "Exp") || is_op(n, "Log") || is_op(n, "HardSigmoid") ||
        is_op(n, "Selu") || is_op(n, "Gelu") || is_op(n, "Erf") ||
        is_op(n, "Round") || is_op(n, "Floor") || is_op(n, "Ceil") ||
        is_op(n, "Sign") || is_op(n, "Sqrt") || is_op(n, "Pow"))
        return node_fail(cx, n, "%s is not piecewise linear, so the "
                         "network has no polyhedral cells", n->op_type);
    return node_fail(cx, n, "unsupported operation: polyverify reads graphs "
                     "of affine operators (Gemm, MatMul, Conv, ConvTranspose, "
                     "BatchNormalization, AveragePool, GlobalAveragePool, "
                     "ReduceMean, ReduceSum, Add, Sub, Mul, Div by "
                     "constants, Add and Sub of computed tensors, Concat, "
                     "Split, Transpose, Pad, "
                     "Slice, Gather, Flatten, Reshape, Squeeze, Unsqueeze, "
                     "Identity, Dropout, Cast) and the activations Relu, "
                     "LeakyRelu, PRelu, Clip, Abs, MaxPool and "
                     "GlobalMaxPool, with an optional final Softmax, "
                     "LogSoftmax, Sigmoid or ArgMax");
}

static int is_elementwise(const Onnx__NodeProto *n)
{
    return is_op(n, "Add") || is_op(n, "Sub") || is_op(n, "Mul") ||
           is_op(n, "Div");
}

static pv_status apply_op(const onnx_ctx *cx, const Onnx__NodeProto *n,
                          const char *cur, tshape *s, affine *f)
{
    if (n->domain != NULL && n->domain[0] != '\0' &&
        strcmp(n->domain, "ai.onnx"))
        return node_fail(cx, n, "operator domain '%s' is not supported "
                         "(only the standard ONNX operators)", n->domain);
    if ((is_data_op(n) || is_head_op(n)) &&
        (n->n_input < 1 || strcmp(n->input[0], cur)))
        return node_fail(cx, n, "expected the tensor '%s' as its first "
                         "(data) input", cur);
    if (is_op(n, "Gemm"))
        return op_gemm(cx, n, cur, s, f);
    if (is_op(n, "MatMul"))
        return op_matmul(cx, n, cur, s, f);
    if (is_elementwise(n))
        return op_elementwise(cx, n, cur, s, f);
    if (is_shape_op(n))
        return op_shape_only(cx, n, s);
    if (is_select_op(n))
        return op_select(cx, n, s, f);
    if (is_op(n, "Conv"))
        return op_conv(cx, n, s, f);
    if (is_op(n, "ConvTranspose"))
        return op_convtranspose(cx, n, s, f);
    if (is_op(n, "ReduceMean") || is_op(n, "ReduceSum"))
        return op_reduce(cx, n, s, f);
    if (is_op(n, "AveragePool") || is_op(n, "GlobalAveragePool"))
        return op_avgpool(cx, n, s, f);
    if (is_op(n, "BatchNormalization"))
        return op_batchnorm(cx, n, s, f);
    if (is_head_op(n))
        return op_head(cx, n);
    return op_refused(cx, n);
}

/* One node on the chain; afterwards the shape must still describe the
 * pending map's values (an internal check of the shape rules above). */
static pv_status apply_node(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            const char *cur, tshape *s, affine *f)
{
    pv_status st = apply_op(cx, n, cur, s, f);
    if (st == PV_OK)
        record_shape(cx, n->output[0], s);
    if (st == PV_OK && shape_numel(s) != f->rows) {
        char label[200], ss[160];
        return pv_error_set(cx->err, PV_ERR_INTERNAL, "%s: %s: shape %s but "
                            "%d values", cx->name,
                            node_label(cx, n, label, sizeof label),
                            shape_str(s, ss, sizeof ss), f->rows);
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

/* ------------------------------------------------------------------------ */
/* The graph: computed tensors in node order, activations, the chain        */

/* A computed tensor: its expression on the frontier, its shape, and how
 * many reads of it are still to come (later nodes, the graph output). */
typedef struct live {
    const char *name;
    affine f;
    tshape s;
    int uses;
    int activation;     /* an activation's output (through output heads) */
} live;

typedef struct gwalk {
    live *t;
    int n;
    int width;          /* the frontier's width                          */
    pv_net *net;
    size_t at;          /* the node being read                           */
} gwalk;

static live *find_live(gwalk *w, const char *name)
{
    for (int i = 0; i < w->n; i++)
        if (!strcmp(w->t[i].name, name))
            return &w->t[i];
    return NULL;
}

/* Reads of `name` by the nodes from index `from` on (Shape reads only the
 * shape) and by the graph output. */
static int count_uses(const onnx_ctx *cx, const char *name, size_t from)
{
    int u = is_graph_output(cx, name);
    for (size_t i = from; i < cx->g->n_node; i++) {
        const Onnx__NodeProto *n = cx->g->node[i];
        for (size_t j = 0; !is_op(n, "Shape") && j < n->n_input; j++)
            u += !strcmp(n->input[j], name);
    }
    return u;
}

/* A new computed tensor (f is taken over). */
static void add_live(const onnx_ctx *cx, gwalk *w, const char *name,
                     affine *f, const tshape *s)
{
    w->t = pv_realloc(w->t, (size_t)(w->n + 1) * sizeof *w->t);
    live *l = &w->t[w->n++];
    l->name = name;
    l->f = *f;
    l->s = *s;
    l->uses = count_uses(cx, name, w->at + 1);
    l->activation = 0;
    memset(f, 0, sizeof *f);
    record_shape(cx, name, s);
}

static void drop_dead(gwalk *w)
{
    int k = 0;
    for (int i = 0; i < w->n; i++) {
        if (w->t[i].uses > 0)
            w->t[k++] = w->t[i];
        else
            pv__aff_clear(&w->t[i].f);
    }
    w->n = k;
}

/* One layer: ReLU rows R, linear rows Z (or NULL), and every tensor still
 * to be read carried forward (lower.h). */
static pv_status emit(const onnx_ctx *cx, gwalk *w, const affine *R,
                      const affine *Z)
{
    pv__aff **lv = pv_malloc(((size_t)w->n + 1) * sizeof *lv);
    int k = 0;
    for (int i = 0; i < w->n; i++)
        if (w->t[i].uses > 0)
            lv[k++] = &w->t[i].f;
    pv_status st = pv__lower_emit(w->net, &w->width, R, Z, lv, k, cx->err);
    pv_free(lv);
    return st;
}

/* out = L applied to the new frontier (L's columns are frontier columns). */
static void on_frontier(affine *out, const gwalk *w, pv__lmap_builder *b)
{
    pv__lmap L;
    pv__lmapb_finish(b, &L);
    pv__aff_identity(out, w->width);
    pv__aff_apply_lmap(out, &L);
    pv__lmap_clear(&L);
}

/* x - k per row (k NULL: x itself), as a copy. */
static void shifted(affine *y, const affine *x, const mpq_t *k)
{
    pv__aff_copy(y, x);
    if (k != NULL)
        pv__aff_shift(y, (mpq_t *)k, 1, -1);
}

/* A float32 attribute as its exact value; `dflt` when absent. */
static pv_status attr_real(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           const char *name, float dflt, mpq_t out)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    float v = a != NULL ? a->f : dflt;
    if (pv_rational_from_float32_bits(out, float_bits(v)))
        return node_fail(cx, n, "attribute %s is %g: expected a finite "
                         "number", name, (double)v);
    return PV_OK;
}

/* The slopes of LeakyRelu (attribute alpha, default 0.01) or PRelu (a
 * constant slope broadcast onto x): one per value, or one in all. */
static pv_status slopes(const onnx_ctx *cx, const Onnx__NodeProto *n,
                        const char *cur, const tshape *s, mpq_t **v,
                        size_t *count)
{
    if (is_op(n, "LeakyRelu")) {
        *v = values_new(1);
        *count = 1;
        return attr_real(cx, n, "alpha", 0.01f, (*v)[0]);
    }
    pv_status st = check_arity(cx, n, 2, 2);
    const Onnx__TensorProto *k = st == PV_OK ? find_const(cx, n->input[1]) : NULL;
    if (st == PV_OK && k == NULL)
        st = not_constant(cx, n, "slope", n->input[1]);
    tshape r = *s;
    if (st == PV_OK)
        st = broadcast_operand(cx, n, cur, &r, k, n->input[1], 1, v, count);
    return st;
}

/* Relu, LeakyRelu, PRelu, Abs: one bit per value, z > 0 (lower.h). The
 * value is relu(z), a z + (1 - a) relu(z), or 2 relu(z) - z. */
static pv_status act_simple(const onnx_ctx *cx, gwalk *w,
                            const Onnx__NodeProto *n, const live *x,
                            affine *out)
{
    int nv = x->f.rows, relu = is_op(n, "Relu"), absv = is_op(n, "Abs");
    mpq_t *a = NULL, one_minus;
    size_t na = 0;
    pv_status st = relu || absv ? check_arity(cx, n, 1, 1)
                                : slopes(cx, n, x->name, &x->s, &a, &na);
    if (st == PV_OK)
        st = emit(cx, w, &x->f, relu ? NULL : &x->f);
    if (st != PV_OK) {
        values_free(a, na);
        return st;
    }
    pv__lmap_builder b;
    pv__lmapb_init(&b, nv, w->width);
    mpq_init(one_minus);
    for (int i = 0; i < nv; i++) {
        if (relu) {
            pv__lmapb_add_si(&b, i, 1);
        } else if (absv) {
            pv__lmapb_add_si(&b, i, 2);
            pv__lmapb_add_si(&b, nv + i, -1);
        } else {
            const mpq_t *ai = &a[na == 1 ? 0 : (size_t)i];
            mpq_set_ui(one_minus, 1, 1);
            mpq_sub(one_minus, one_minus, *ai);
            pv__lmapb_add(&b, i, one_minus);
            pv__lmapb_add(&b, nv + i, *ai);
        }
        pv__lmapb_row(&b, NULL);
    }
    mpq_clear(one_minus);
    values_free(a, na);
    on_frontier(out, w, &b);
    return PV_OK;
}

/* A bound of Clip: the attribute (opset < 11) or the optional input;
 * *has = 0 when absent or infinite (no breakpoint on that side). */
static pv_status clip_bound(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            int hi, mpq_t q, int *has)
{
    *has = 0;
    const char *name = hi ? "max" : "min";
    const Onnx__AttributeProto *a = find_attr(n, name);
    if (a != NULL) {
        if (isinf(a->f))
            return PV_OK;
        *has = 1;
        return attr_real(cx, n, name, 0, q);
    }
    size_t in = hi ? 2 : 1;
    if (n->n_input <= in || n->input[in][0] == '\0')
        return PV_OK;
    const Onnx__TensorProto *t = find_const(cx, n->input[in]);
    if (t == NULL)
        return not_constant(cx, n, name, n->input[in]);
    mpq_t *v = NULL;
    size_t c = 0;
    pv_status st = tensor_reals(cx, t, n->input[in], &v, &c);
    if (st == PV_OK && c != 1)
        st = node_fail(cx, n, "%s '%s' has %zu values: expected a scalar",
                       name, n->input[in], c);
    if (st == PV_OK) {
        mpq_set(q, v[0]);
        *has = 1;
    }
    values_free(v, c);
    return st;
}

/* Clip(z; lo, hi) = lo + relu(z - lo) - relu(z - hi): bits z > lo, z > hi
 * per value (consecutive); with one bound, lo + relu(z - lo) or
 * z - relu(z - hi); with none, z. */
static pv_status act_clip(const onnx_ctx *cx, gwalk *w,
                          const Onnx__NodeProto *n, const live *x,
                          affine *out)
{
    mpq_t lo, hi;
    mpq_inits(lo, hi, NULL);
    int hl = 0, hh = 0, nv = x->f.rows;
    pv_status st = check_arity(cx, n, 1, 3);
    if (st == PV_OK)
        st = clip_bound(cx, n, 0, lo, &hl);
    if (st == PV_OK)
        st = clip_bound(cx, n, 1, hi, &hh);
    if (st == PV_OK && hl && hh && mpq_cmp(lo, hi) > 0)
        st = node_fail(cx, n, "min %g exceeds max %g", mpq_get_d(lo),
                       mpq_get_d(hi));
    if (st != PV_OK || (!hl && !hh)) {
        if (st == PV_OK)
            pv__aff_copy(out, &x->f);
        mpq_clears(lo, hi, NULL);
        return st;
    }
    affine R, Z;
    memset(&Z, 0, sizeof Z);
    if (hl && hh) {             /* rows z - lo, z - hi, value after value */
        affine parts[2];
        shifted(&parts[0], &x->f, (const mpq_t *)&lo);
        shifted(&parts[1], &x->f, (const mpq_t *)&hi);
        affine st2;
        pv__aff_stack(&st2, parts, 2);
        int64_t *src = pv_malloc(((size_t)2 * nv + 1) * sizeof *src);
        for (int i = 0; i < nv; i++) {
            src[2 * i] = i;
            src[2 * i + 1] = nv + i;
        }
        pv__lmap L;
        pv__lmap_select(&L, 2 * nv, 2 * nv, src);
        pv_free(src);
        pv__aff_apply_lmap(&st2, &L);
        pv__lmap_clear(&L);
        R = st2;
        pv__aff_clear(&parts[0]);
        pv__aff_clear(&parts[1]);
    } else {
        shifted(&R, &x->f, hl ? (const mpq_t *)&lo : (const mpq_t *)&hi);
        if (hh)
            pv__aff_copy(&Z, &x->f);
    }
    st = emit(cx, w, &R, hh && !hl ? &Z : NULL);
    if (st == PV_OK) {
        pv__lmap_builder b;
        pv__lmapb_init(&b, nv, w->width);
        for (int i = 0; i < nv; i++) {
            if (hl && hh) {
                pv__lmapb_add_si(&b, 2 * i, 1);
                pv__lmapb_add_si(&b, 2 * i + 1, -1);
                pv__lmapb_row(&b, (const mpq_t *)&lo);
            } else if (hl) {
                pv__lmapb_add_si(&b, i, 1);
                pv__lmapb_row(&b, (const mpq_t *)&lo);
            } else {
                pv__lmapb_add_si(&b, nv + i, 1);
                pv__lmapb_add_si(&b, i, -1);
                pv__lmapb_row(&b, NULL);
            }
        }
        on_frontier(out, w, &b);
    }
    pv__aff_clear(&R);
    pv__aff_clear(&Z);
    mpq_clears(lo, hi, NULL);
    return st;
}

/* The window entries of each MaxPool output (padding skipped), in output
 * order and window order: cand[o] .. cand[o+1]-1 index into src. */
static pv_status pool_windows(const onnx_ctx *cx, const Onnx__NodeProto *n,
                              const pv__window *g, int64_t **src, int **cand)
{
    int64_t outs = g->C * g->OH * g->OW, k = 0;
    *src = pv_malloc(((size_t)(outs * g->kh * g->kw) + 1) * sizeof **src);
    *cand = pv_malloc(((size_t)outs + 1) * sizeof **cand);
    int64_t o = 0;
    for (int64_t c = 0; c < g->C; c++)
        for (int64_t oh = 0; oh < g->OH; oh++)
            for (int64_t ow = 0; ow < g->OW; ow++, o++) {
                (*cand)[o] = (int)k;
                for (int64_t i = 0; i < g->kh; i++) {
                    int64_t h = oh * g->sh - g->pt + i * g->dh;
                    for (int64_t j = 0; h >= 0 && h < g->H && j < g->kw; j++) {
                        int64_t x = ow * g->sw - g->pl + j * g->dw;
                        if (x >= 0 && x < g->W)
                            (*src)[k++] = (c * g->H + h) * g->W + x;
                    }
                }
                if (k == (*cand)[o])
                    return node_fail(cx, n, "output (%lld, %lld, %lld) has a "
                                     "window entirely in the padding",
                                     (long long)c, (long long)oh,
                                     (long long)ow);
            }
    (*cand)[o] = (int)k;
    return PV_OK;
}

/* One level of the tournament: the candidates W (rows grouped by output,
 * cnt[o] each) are paired; a pair (a, b) is the ReLU row a - b and the
 * linear row b, an odd last candidate a linear row; the winners b +
 * relu(a - b) replace W. */
static pv_status pool_level(const onnx_ctx *cx, gwalk *w, affine *W,
                            int *cnt, int outs)
{
    int pairs = 0, rows = 0;
    for (int o = 0; o < outs; o++) {
        pairs += cnt[o] / 2;
        rows += cnt[o];
    }
    int lin = rows - pairs;
    pv__lmap_builder br, bz;
    pv__lmapb_init(&br, pairs, rows);
    pv__lmapb_init(&bz, lin, rows);
    for (int o = 0, r = 0; o < outs; r += cnt[o], o++) {
        for (int p = 0; p + 1 < cnt[o]; p += 2) {
            pv__lmapb_add_si(&br, r + p, 1);
            pv__lmapb_add_si(&br, r + p + 1, -1);
            pv__lmapb_row(&br, NULL);
            pv__lmapb_add_si(&bz, r + p + 1, 1);
            pv__lmapb_row(&bz, NULL);
        }
        if (cnt[o] % 2) {
            pv__lmapb_add_si(&bz, r + cnt[o] - 1, 1);
            pv__lmapb_row(&bz, NULL);
        }
    }
    pv__lmap LR, LZ;
    pv__lmapb_finish(&br, &LR);
    pv__lmapb_finish(&bz, &LZ);
    affine R, Z;
    pv__aff_copy(&R, W);
    pv__aff_copy(&Z, W);
    pv__aff_apply_lmap(&R, &LR);
    pv__aff_apply_lmap(&Z, &LZ);
    pv__lmap_clear(&LR);
    pv__lmap_clear(&LZ);
    pv_status st = emit(cx, w, &R, &Z);
    pv__aff_clear(&R);
    pv__aff_clear(&Z);
    if (st != PV_OK)
        return st;
    pv__lmap_builder b;
    pv__lmapb_init(&b, lin, w->width);
    for (int o = 0, p = 0, z = 0; o < outs; o++) {
        for (int q = 0; q + 1 < cnt[o]; q += 2, p++, z++) {
            pv__lmapb_add_si(&b, p, 1);
            pv__lmapb_add_si(&b, pairs + z, 1);
            pv__lmapb_row(&b, NULL);
        }
        if (cnt[o] % 2) {
            pv__lmapb_add_si(&b, pairs + z++, 1);
            pv__lmapb_row(&b, NULL);
        }
        cnt[o] = (cnt[o] + 1) / 2;
    }
    pv__aff_clear(W);
    on_frontier(W, w, &b);
    return PV_OK;
}

/* MaxPool and GlobalMaxPool as a balanced tournament of max(a, b) =
 * b + relu(a - b), one layer per level (code layout: README). */
static pv_status act_maxpool(const onnx_ctx *cx, gwalk *w,
                             const Onnx__NodeProto *n, const live *x,
                             affine *out, tshape *s)
{
    *s = x->s;
    pv_status st = image_input(cx, n, s, 1, 1);
    if (st == PV_OK && n->n_output > 1 && n->output[1][0] != '\0')
        st = node_fail(cx, n, "its Indices output is used");
    int glob = is_op(n, "GlobalMaxPool"), nk = 0;
    int64_t ks[ONNX_MAX_RANK * 2];
    if (st == PV_OK && !glob)
        st = int_list(cx, n, "kernel_shape", 99, ks, &nk);
    if (st == PV_OK && !glob && nk != s->rank - 2)
        st = node_fail(cx, n, "kernel_shape must have %d values", s->rank - 2);
    if (st != PV_OK)
        return st;
    int64_t k[2] = { s->rank == 4 ? (glob ? s->d[2] : ks[0]) : 1,
                     glob ? s->d[s->rank - 1] : ks[nk - 1] };
    pv__window g;
    memset(&g, 0, sizeof g);
    if (glob) {
        g.C = s->d[1];
        g.H = k[0];
        g.W = k[1];
        g.OH = g.OW = g.sh = g.sw = g.dh = g.dw = g.group = 1;
        g.kh = k[0];
        g.kw = k[1];
    } else if ((st = window_geom(cx, n, s, k, &g)) != PV_OK) {
        return st;
    }
    g.M = g.C;
    int64_t *src;
    int *cand;
    st = pool_windows(cx, n, &g, &src, &cand);
    int outs = (int)(g.C * g.OH * g.OW);
    if (st == PV_OK) {
        pv__lmap L;
        pv__lmap_select(&L, cand[outs], x->f.rows, src);
        pv__aff_copy(out, &x->f);
        pv__aff_apply_lmap(out, &L);
        pv__lmap_clear(&L);
        int *cnt = pv_malloc(((size_t)outs + 1) * sizeof *cnt), more = 0;
        for (int o = 0; o < outs; o++)
            more |= (cnt[o] = cand[o + 1] - cand[o]) > 1;
        while (st == PV_OK && more) {
            st = pool_level(cx, w, out, cnt, outs);
            more = 0;
            for (int o = 0; o < outs; o++)
                more |= cnt[o] > 1;
        }
        pv_free(cnt);
    }
    pv_free(src);
    pv_free(cand);
    window_shape(s, &g, g.C);
    return st;
}

/* y[r] = x[src[r]] for r in shape r of x's shape s broadcast (numpy). */
static int64_t *broadcast_src(const tshape *s, const tshape *r)
{
    size_t n = (size_t)shape_numel(r);
    int64_t *src = pv_malloc((n + 1) * sizeof *src);
    int64_t stride[ONNX_MAX_RANK], idx[ONNX_MAX_RANK], step = 1, off = 0;
    for (int k = r->rank - 1; k >= 0; k--) {
        int sk = k - (r->rank - s->rank);
        stride[k] = sk < 0 || s->d[sk] == 1 ? 0 : step;
        step *= sk < 0 ? 1 : s->d[sk];
        idx[k] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        src[i] = off;
        for (int k = r->rank - 1; k >= 0; k--) {
            off += stride[k];
            if (++idx[k] < r->d[k])
                break;
            off -= stride[k] * idx[k];
            idx[k] = 0;
        }
    }
    return src;
}

/* x's expression broadcast to shape r (a copy). */
static void broadcast_to(affine *y, const live *x, const tshape *r)
{
    pv__aff_copy(y, &x->f);
    if (same_shape(&x->s, r))
        return;
    int64_t *src = broadcast_src(&x->s, r);
    pv__lmap L;
    pv__lmap_select(&L, (int)shape_numel(r), x->f.rows, src);
    pv_free(src);
    pv__aff_apply_lmap(y, &L);
    pv__lmap_clear(&L);
}

/* Add or Sub of two computed tensors (a residual connection), with
 * numpy broadcasting. */
static pv_status op_sum(const onnx_ctx *cx, const Onnx__NodeProto *n,
                        live *a, live *b, affine *out, tshape *s)
{
    char sa[160], sb[160];
    if (!is_op(n, "Add") && !is_op(n, "Sub"))
        return node_fail(cx, n, "%s of two computed tensors ('%s' and '%s') "
                         "is not affine", n->op_type, a->name, b->name);
    if (broadcast_shapes(&a->s, &b->s, s) != 0)
        return node_fail(cx, n, "'%s' of shape %s and '%s' of shape %s do not "
                         "broadcast", a->name, shape_str(&a->s, sa, sizeof sa),
                         b->name, shape_str(&b->s, sb, sizeof sb));
    affine fb;
    broadcast_to(out, a, s);
    broadcast_to(&fb, b, s);
    pv__aff_add(out, &fb, is_op(n, "Sub") ? -1 : 1);
    pv__aff_clear(&fb);
    return PV_OK;
}

/* Concat of computed tensors and constants along `axis`. */
static pv_status op_concat(const onnx_ctx *cx, gwalk *w,
                           const Onnx__NodeProto *n, affine *out, tshape *s)
{
    if (n->n_input < 1)
        return node_fail(cx, n, "has no input");
    size_t np = n->n_input;
    affine *parts = pv_calloc(np + 1, sizeof *parts);
    tshape *sh = pv_malloc((np + 1) * sizeof *sh);
    pv_status st = PV_OK;
    size_t done = 0;
    for (; st == PV_OK && done < np; done++) {
        live *l = find_live(w, n->input[done]);
        if (l != NULL) {
            pv__aff_copy(&parts[done], &l->f);
            sh[done] = l->s;
            continue;
        }
        const Onnx__TensorProto *t = find_const(cx, n->input[done]);
        mpq_t *v = NULL;
        size_t c = 0;
        st = t == NULL ? not_constant(cx, n, "input", n->input[done])
                       : const_shape(cx, t, n->input[done], &sh[done]);
        if (st == PV_OK)
            st = tensor_reals(cx, t, n->input[done], &v, &c);
        if (st == PV_OK)
            pv__aff_constant(&parts[done], v, (int)c, w->width);
        values_free(v, c);
    }
    int rank = sh[0].rank;
    int64_t axis = attr_int(n, "axis", 0);
    if (st == PV_OK && (axis < -rank || axis >= rank))
        st = node_fail(cx, n, "axis %lld is out of range for rank %d",
                       (long long)axis, rank);
    if (axis < 0)
        axis += rank;
    *s = sh[0];
    for (size_t p = 1; st == PV_OK && p < np; p++) {
        int ok = sh[p].rank == rank;
        for (int d = 0; ok && d < rank; d++)
            ok = d == axis || sh[p].d[d] == sh[0].d[d];
        if (!ok) {
            char a[160], b[160];
            st = node_fail(cx, n, "input %zu has shape %s, input 0 %s: all "
                           "dimensions but axis %lld must agree", p,
                           shape_str(&sh[p], a, sizeof a),
                           shape_str(&sh[0], b, sizeof b), (long long)axis);
        }
        s->d[axis] += sh[p].d[axis];
    }
    if (st == PV_OK) {
        /* stacked rows, then each result value from its part */
        affine all;
        pv__aff_stack(&all, parts, (int)np);
        int64_t total = shape_numel(s), inner = 1, outer = 1;
        for (int d = (int)axis + 1; d < rank; d++)
            inner *= s->d[d];
        for (int d = 0; d < axis; d++)
            outer *= s->d[d];
        int64_t *src = pv_malloc(((size_t)total + 1) * sizeof *src), r = 0;
        for (int64_t o = 0; o < outer; o++) {
            int64_t base = 0;
            for (size_t p = 0; p < np; p++) {
                int64_t len = sh[p].d[axis] * inner;
                for (int64_t q = 0; q < len; q++)
                    src[r++] = base + o * len + q;
                base += shape_numel(&sh[p]);
            }
        }
        pv__lmap L;
        pv__lmap_select(&L, (int)total, all.rows, src);
        pv_free(src);
        pv__aff_apply_lmap(&all, &L);
        pv__lmap_clear(&L);
        *out = all;
    }
    for (size_t p = 0; p < done; p++)
        pv__aff_clear(&parts[p]);
    pv_free(parts);
    pv_free(sh);
    return st;
}

/* Split of a computed tensor along `axis` into the node's outputs: sizes
 * from the attribute or input `split`, else equal parts. */
static pv_status op_split(const onnx_ctx *cx, gwalk *w,
                          const Onnx__NodeProto *n, const live *x)
{
    /* x's own copy: add_live below may move the table x points into */
    const tshape shape = x->s, *s = &shape;
    int64_t axis = attr_int(n, "axis", 0), sz[ONNX_MAX_RANK * 2];
    int ns = 0;
    if (axis < -s->rank || axis >= s->rank)
        return node_fail(cx, n, "axis %lld is out of range", (long long)axis);
    if (axis < 0)
        axis += s->rank;
    pv_status st = int_list(cx, n, "split", 1, sz, &ns);
    if (st != PV_OK)
        return st;
    size_t no = n->n_output;
    if (no < 1 || no > ONNX_MAX_RANK * 2)
        return node_fail(cx, n, "has %zu outputs", no);
    if (ns < 0) {
        if (s->d[axis] % (int64_t)no)
            return node_fail(cx, n, "dimension %lld of size %lld does not "
                             "split into %zu equal parts", (long long)axis,
                             (long long)s->d[axis], no);
        for (size_t k = 0; k < no; k++)
            sz[k] = s->d[axis] / (int64_t)no;
        ns = (int)no;
    }
    int64_t sum = 0;
    for (int k = 0; k < ns; k++)
        sum += sz[k];
    if ((size_t)ns != no || sum != s->d[axis])
        return node_fail(cx, n, "split sizes do not add up to dimension %lld "
                         "(%lld) over its %zu outputs", (long long)axis,
                         (long long)s->d[axis], no);
    int64_t inner = 1, outer = 1;
    for (int d = (int)axis + 1; d < s->rank; d++)
        inner *= s->d[d];
    for (int d = 0; d < axis; d++)
        outer *= s->d[d];
    int64_t at = 0;
    affine xf;
    pv__aff_copy(&xf, &x->f);
    for (size_t k = 0; k < no; k++) {
        tshape r = *s;
        r.d[axis] = sz[k];
        int64_t total = shape_numel(&r), q = 0;
        int64_t *src = pv_malloc(((size_t)total + 1) * sizeof *src);
        for (int64_t o = 0; o < outer; o++)
            for (int64_t e = 0; e < sz[k] * inner; e++)
                src[q++] = o * s->d[axis] * inner + at * inner + e;
        at += sz[k];
        affine y;
        pv__aff_copy(&y, &xf);
        pv__lmap L;
        pv__lmap_select(&L, (int)total, xf.rows, src);
        pv_free(src);
        pv__aff_apply_lmap(&y, &L);
        pv__lmap_clear(&L);
        if (n->output[k][0] != '\0')
            add_live(cx, w, n->output[k], &y, &r);
        else
            pv__aff_clear(&y);
    }
    pv__aff_clear(&xf);
    return PV_OK;
}

static int is_activation(const Onnx__NodeProto *n)
{
    return is_op(n, "Relu") || is_op(n, "LeakyRelu") || is_op(n, "PRelu") ||
           is_op(n, "Abs") || is_op(n, "Clip") || is_op(n, "MaxPool") ||
           is_op(n, "GlobalMaxPool");
}

/* An activation node: its layers, its part of the code layout. */
static pv_status op_activation(const onnx_ctx *cx, gwalk *w,
                               const Onnx__NodeProto *n, live *x,
                               affine *out, tshape *s)
{
    if (n->n_input < 1 || strcmp(n->input[0], x->name))
        return node_fail(cx, n, "expected the computed tensor '%s' as its "
                         "first input", x->name);
    int first = w->net->neurons;
    *s = x->s;
    pv_status st = is_op(n, "Clip") ? act_clip(cx, w, n, x, out)
                 : is_op(n, "MaxPool") || is_op(n, "GlobalMaxPool")
                   ? act_maxpool(cx, w, n, x, out, s)
                   : act_simple(cx, w, n, x, out);
    if (st != PV_OK || w->net->neurons == first)
        return st;
    pv_code_part part;
    memset(&part, 0, sizeof part);
    part.first = first;
    part.count = w->net->neurons - first;
    part.per_element = is_op(n, "MaxPool") || is_op(n, "GlobalMaxPool") ? 0
                       : (int)(part.count / (shape_numel(&x->s) ? shape_numel(&x->s) : 1));
    snprintf(part.op, sizeof part.op, "%s", n->op_type);
    shape_str(&x->s, part.shape, sizeof part.shape);
    snprintf(part.node, sizeof part.node, "%s",
             n->name && n->name[0] ? n->name : n->output[0]);
    return pv__net_add_code_part(w->net, &part, cx->err);
}

/* Where the tensor `name` a node reads comes from: 1 a node before `at`,
 * 0 an initializer, graph input or Constant-foldable producer before it,
 * or an error naming a cycle or a dangling input. */
static pv_status check_source(const onnx_ctx *cx, const Onnx__NodeProto *n,
                              const char *name, size_t at)
{
    if (name[0] == '\0' || is_initializer(cx->g, name))
        return PV_OK;
    for (size_t i = 0; i < cx->g->n_input; i++)
        if (cx->g->input[i]->name && !strcmp(cx->g->input[i]->name, name))
            return PV_OK;
    for (size_t i = 0; i < cx->g->n_node; i++)
        for (size_t o = 0; o < cx->g->node[i]->n_output; o++)
            if (!strcmp(cx->g->node[i]->output[o], name)) {
                if (i < at)
                    return PV_OK;
                char a[200];
                return node_fail(cx, n, "reads '%s', which %s computes later: "
                                 "the graph has a cycle or its nodes are not "
                                 "in topological order", name,
                                 node_label(cx, cx->g->node[i], a, sizeof a));
            }
    return node_fail(cx, n, "'%s' is not defined: no node, initializer or "
                     "graph input has that name (a dangling input)", name);
}

/* needed[i]: node i's result reaches the graph output. */
static char *needed_nodes(const onnx_ctx *cx)
{
    const Onnx__GraphProto *g = cx->g;
    char *need = pv_calloc(g->n_node + 1, 1);
    for (size_t i = g->n_node; i-- > 0;) {
        const Onnx__NodeProto *n = g->node[i];
        for (size_t o = 0; !need[i] && o < n->n_output; o++) {
            need[i] = (char)is_graph_output(cx, n->output[o]);
            for (size_t k = i + 1; !need[i] && k < g->n_node; k++)
                for (size_t j = 0; need[k] && j < g->node[k]->n_input; j++)
                    if (!strcmp(g->node[k]->input[j], n->output[o]))
                        need[i] = 1;
        }
    }
    return need;
}

/* One node that reads computed tensors. */
static pv_status read_node(const onnx_ctx *cx, gwalk *w,
                           const Onnx__NodeProto *n, live **in, int nin)
{
    affine out;
    tshape s;
    memset(&out, 0, sizeof out);
    pv_status st;
    if (n->n_output < 1 || n->output[0][0] == '\0')
        return node_fail(cx, n, "has no output");
    if (is_op(n, "Split"))
        return op_split(cx, w, n, in[0]);
    if (is_op(n, "Concat"))
        st = op_concat(cx, w, n, &out, &s);
    else if (nin == 2 && is_elementwise(n))
        st = op_sum(cx, n, in[0], in[1], &out, &s);
    else if (nin > 1)
        st = node_fail(cx, n, "%s of %d computed tensors%s: only Add, Sub "
                       "and Concat combine computed tensors", n->op_type, nin,
                       is_op(n, "MatMul") || is_op(n, "Gemm") || is_op(n, "Mul")
                       ? " is a product, not an affine map" : " is not supported");
    else if (is_activation(n))
        st = op_activation(cx, w, n, in[0], &out, &s);
    else {
        pv__aff_copy(&out, &in[0]->f);
        s = in[0]->s;
        st = apply_node(cx, n, in[0]->name, &s, &out);
    }
    /* an output head or a reshape passes its input's kind on */
    int act = st == PV_OK && (is_activation(n) ||
                                ((is_head_op(n) || is_shape_op(n)) && in[0]->activation));
    if (st == PV_OK) {
        add_live(cx, w, n->output[0], &out, &s);
        w->t[w->n - 1].activation = act;
    }
    pv__aff_clear(&out);
    return st;
}

static pv_status walk_nodes(const onnx_ctx *cx, gwalk *w, const char *need)
{
    const Onnx__GraphProto *g = cx->g;
    live **in = pv_malloc(sizeof *in);
    size_t cap = 0;
    pv_status st = PV_OK;
    for (size_t i = 0; st == PV_OK && i < g->n_node; i++) {
        const Onnx__NodeProto *n = g->node[i];
        w->at = i;
        if (is_op(n, "Constant") || is_op(n, "Shape"))
            continue;
        if (n->n_input > cap) {
            cap = n->n_input;
            in = pv_realloc(in, (cap + 1) * sizeof *in);
        }
        int nin = 0;
        for (size_t j = 0; st == PV_OK && j < n->n_input; j++) {
            st = check_source(cx, n, n->input[j], i);
            live *l = st == PV_OK ? find_live(w, n->input[j]) : NULL;
            if (l != NULL)
                in[nin++] = l;
        }
        if (st != PV_OK || nin == 0)
            continue;       /* constants: folded when read (find_const) */
        if (!need[i]) {
            st = node_fail(cx, n, "its result does not reach the graph "
                           "output (a dead branch)");
            break;
        }
        if (n->domain != NULL && n->domain[0] != '\0' &&
            strcmp(n->domain, "ai.onnx")) {
            st = node_fail(cx, n, "operator domain '%s' is not supported "
                           "(only the standard ONNX operators)", n->domain);
            break;
        }
        cx->visited[i] = 1;
        for (int k = 0; k < nin; k++)
            in[k]->uses--;
        st = read_node(cx, w, n, in, nin);
        drop_dead(w);
    }
    pv_free(in);
    return st;
}

/* Every node is read, folded, or a Constant; one graph output. */
static pv_status check_all_used(const onnx_ctx *cx)
{
    const Onnx__GraphProto *g = cx->g;
    for (size_t i = 0; i < g->n_node; i++)
        if (!cx->visited[i] && !is_op(g->node[i], "Constant") &&
            !is_op(g->node[i], "Shape"))
            return node_fail(cx, g->node[i], "does not depend on the graph "
                             "input and is not used as a constant");
    if (g->n_output != 1)
        return cx_fail(cx, "the graph has %zu outputs: expected 1",
                       g->n_output);
    return PV_OK;
}

static pv_status walk(const onnx_ctx *cx, pv_net *net)
{
    const Onnx__ValueInfoProto *in;
    pv_status st = find_input(cx, &in);
    tshape shape;
    if (st == PV_OK)
        st = input_shape(cx, in, &shape);
    if (st != PV_OK)
        return st;
    net->input_dim = (int)shape_numel(&shape);
    shape_str(&shape, net->input_shape, sizeof net->input_shape);
    gwalk w;
    memset(&w, 0, sizeof w);
    w.net = net;
    w.width = net->input_dim;
    affine x;
    pv__aff_identity(&x, net->input_dim);
    add_live(cx, &w, in->name, &x, &shape);
    w.t[0].uses = count_uses(cx, in->name, 0);
    char *need = needed_nodes(cx);
    st = walk_nodes(cx, &w, need);
    pv_free(need);
    if (st == PV_OK)
        st = check_all_used(cx);
    const char *outname = st == PV_OK ? str_or(cx->g->output[0]->name, "") : "";
    live *o = st == PV_OK ? find_live(&w, outname) : NULL;
    if (st == PV_OK && o == NULL)
        st = cx_fail(cx, "the graph output '%s' is not computed from the "
                     "input", outname);
    if (st == PV_OK && cx->fold->head != NULL)
        snprintf(net->head, sizeof net->head, "%s", cx->fold->head);
    if (st == PV_OK)
        st = pv__lower_output(net, w.width, &o->f, o->activation, cx->err);
    for (int i = 0; i < w.n; i++)
        pv__aff_clear(&w.t[i].f);
    pv_free(w.t);
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
    onnx_fold fold;
    memset(&fold, 0, sizeof fold);
    cx->fold = &fold;
    pv_status st = walk(cx, net);
    fold_free(&fold);
    cx->fold = NULL;
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
