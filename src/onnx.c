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
 * order, which is why reshapes are identities.
 *
 * Every float32/float64 is converted to the dyadic rational its bits
 * encode (DESIGN §2); NaN and infinities are errors. */
#include "polyverify/formats.h"
#include "text.h"

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

/* ------------------------------------------------------------------------ */
/* Exact floats                                                              */

/* out = (-1)^neg * mant * 2^exp2, exactly. */
static void set_dyadic(mpq_t out, int neg, uint64_t mant, long exp2)
{
    mpz_import(mpq_numref(out), 1, 1, sizeof mant, 0, 0, &mant);
    mpz_set_ui(mpq_denref(out), 1);
    if (exp2 >= 0)
        mpq_mul_2exp(out, out, (mp_bitcnt_t)exp2);
    else
        mpq_div_2exp(out, out, (mp_bitcnt_t)-exp2);
    if (neg)
        mpq_neg(out, out);
}

/* Decoded from the bits, not through the FPU, so the value is the one the
 * file encodes on any host (subnormals included). */
pv_status pv_rational_from_float32_bits(mpq_t out, uint32_t bits)
{
    uint32_t e = (bits >> 23) & 0xffu, f = bits & 0x7fffffu;
    if (e == 0xffu)
        return PV_ERR_ARG;
    set_dyadic(out, (int)(bits >> 31), e ? (f | 0x800000u) : f,
               (long)(e ? e : 1) - 150);
    return PV_OK;
}

pv_status pv_rational_from_float64_bits(mpq_t out, uint64_t bits)
{
    uint64_t e = (bits >> 52) & 0x7ffu, f = bits & ((1ull << 52) - 1);
    if (e == 0x7ffu)
        return PV_ERR_ARG;
    set_dyadic(out, (int)(bits >> 63), e ? (f | (1ull << 52)) : f,
               (long)(e ? e : 1) - 1075);
    return PV_OK;
}

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
    free(v);
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
    mpq_t *v = malloc(((size_t)numel + 1) * sizeof *v);
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
    int64_t *v = malloc(((size_t)numel + 1) * sizeof *v);
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
    mpq_t *v = malloc((n + 1) * sizeof *v);
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

/* Index of the current tensor among the node's first two inputs, after
 * checking that the other one (if `other_const`) is a constant. */
static pv_status operand_of(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            const char *cur, int *pos,
                            const Onnx__TensorProto **k)
{
    if (n->n_input < 2)
        return node_fail(cx, n, "expected two inputs, found %zu",
                         n->n_input);
    int p = !strcmp(n->input[0], cur) ? 0 : 1;
    if (!strcmp(n->input[1 - p], cur))
        return node_fail(cx, n, "both operands are the same computed "
                         "tensor '%s' (not an affine map)", cur);
    *k = find_const(cx, n->input[1 - p]);
    if (*k == NULL)
        return not_constant(cx, n, "operand", n->input[1 - p]);
    *pos = p;
    return PV_OK;
}

/* A 2-D weight tensor as an out x d matrix, row-major: the tensor itself
 * (`transpose` 0, shape (out, d)) or its transpose (shape (d, out)). */
static pv_status weight_matrix(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               const Onnx__TensorProto *t, const char *label,
                               int d, int transpose, mpq_t **M, int *out)
{
    if (t->n_dims != 2 || t->dims[transpose ? 0 : 1] != d) {
        char shape[160] = "(";
        for (size_t i = 0; i < t->n_dims && i < 8; i++)
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape),
                     "%s%lld", i ? ", " : "", (long long)t->dims[i]);
        strcat(shape, t->n_dims > 8 ? ", ...)" : ")");
        return node_fail(cx, n, "weight '%s' has shape %s: expected a 2-D "
                         "tensor of shape %s with in = %d, the number of "
                         "values reaching this node", label, shape,
                         transpose ? "(in, out)" : "(out, in)", d);
    }
    int64_t rows = t->dims[transpose ? 1 : 0];
    if (rows < 1 || rows > ONNX_MAX_WIDTH)
        return node_fail(cx, n, "weight '%s' gives a layer of width %lld: "
                         "expected 1..%d", label, (long long)rows,
                         ONNX_MAX_WIDTH);
    mpq_t *v;
    size_t count;
    pv_status st = tensor_reals(cx, t, label, &v, &count);
    if (st != PV_OK || !transpose) {
        *M = v;
        *out = (int)rows;
        return st;
    }
    mpq_t *T = values_new(count);
    if (T == NULL) {
        values_free(v, count);
        return pv_error_set(cx->err, PV_ERR_NOMEM, "out of memory");
    }
    for (int64_t i = 0; i < d; i++)
        for (int64_t o = 0; o < rows; o++)
            mpq_swap(T[o * d + i], v[i * rows + o]);
    values_free(v, count);
    *M = T;
    *out = (int)rows;
    return PV_OK;
}

static pv_status nomem(const onnx_ctx *cx)
{
    return pv_error_set(cx->err, PV_ERR_NOMEM, "out of memory");
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

static pv_status op_matmul(const onnx_ctx *cx, const Onnx__NodeProto *n,
                           const char *cur, affine *f)
{
    int pos;
    const Onnx__TensorProto *k;
    pv_status st = operand_of(cx, n, cur, &pos, &k);
    if (st != PV_OK)
        return st;
    /* x . W with W (in, out), or W . x with W (out, in). */
    mpq_t *M;
    int rows;
    st = weight_matrix(cx, n, k, n->input[1 - pos], f->out, pos == 0, &M,
                       &rows);
    return st != PV_OK ? st : apply_checked(cx, n, f, M, rows);
}

static int64_t attr_int(const Onnx__NodeProto *n, const char *name,
                        int64_t dflt)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    return a != NULL ? a->i : dflt;
}

/* Gemm attribute alpha or beta as the exact float32 it holds. */
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

/* Y = alpha A' B' + beta C: the current tensor is A (then B' is the
 * weight, (in, out)) or B (then A' is the weight, (out, in)). */
static pv_status gemm_weight(const onnx_ctx *cx, const Onnx__NodeProto *n,
                             const char *cur, affine *f, mpq_t alpha)
{
    int pos;
    const Onnx__TensorProto *k;
    pv_status st = operand_of(cx, n, cur, &pos, &k);
    if (st != PV_OK)
        return st;
    int trans = pos == 0 ? attr_int(n, "transB", 0) == 0
                         : attr_int(n, "transA", 0) != 0;
    mpq_t *M;
    int rows;
    st = weight_matrix(cx, n, k, n->input[1 - pos], f->out, trans, &M, &rows);
    if (st != PV_OK)
        return st;
    if (mpq_cmp_ui(alpha, 1, 1) != 0)
        for (size_t i = 0; i < (size_t)rows * (size_t)f->out; i++)
            mpq_mul(M[i], M[i], alpha);
    return apply_checked(cx, n, f, M, rows);
}

/* Values of a constant operand that broadcasts onto the current vector:
 * one per value, or a single scalar. */
static pv_status broadcast_values(const onnx_ctx *cx,
                                  const Onnx__NodeProto *n,
                                  const Onnx__TensorProto *t,
                                  const char *label, int width, mpq_t **v,
                                  size_t *count)
{
    pv_status st = tensor_reals(cx, t, label, v, count);
    if (st != PV_OK)
        return st;
    if (*count == 1 || *count == (size_t)width)
        return PV_OK;
    size_t got = *count;
    values_free(*v, *count);
    *v = NULL;           /* the caller frees (v, count) again */
    *count = 0;
    return node_fail(cx, n, "constant '%s' has %zu values: expected 1 or %d "
                     "(one per value of the tensor it applies to)", label,
                     got, width);
}

static pv_status op_gemm(const onnx_ctx *cx, const Onnx__NodeProto *n,
                         const char *cur, affine *f)
{
    mpq_t alpha, beta;
    mpq_inits(alpha, beta, NULL);
    pv_status st = attr_float(cx, alpha, n, "alpha");
    if (st == PV_OK)
        st = attr_float(cx, beta, n, "beta");
    if (st == PV_OK)
        st = gemm_weight(cx, n, cur, f, alpha);
    if (st == PV_OK && n->n_input >= 3 && n->input[2][0] != '\0') {
        const Onnx__TensorProto *t = find_const(cx, n->input[2]);
        mpq_t *v = NULL;
        size_t count = 0;
        if (t == NULL)
            st = not_constant(cx, n, "bias", n->input[2]);
        else
            st = broadcast_values(cx, n, t, n->input[2], f->out, &v, &count);
        for (size_t i = 0; st == PV_OK && i < count; i++)
            mpq_mul(v[i], v[i], beta);
        if (st == PV_OK && !aff_shift(f, v, count, 1))
            st = nomem(cx);
        values_free(v, count);
    }
    mpq_clears(alpha, beta, NULL);
    return st;
}

/* Add, Sub, Mul, Div of the current tensor and a constant. */
static pv_status op_elementwise(const onnx_ctx *cx, const Onnx__NodeProto *n,
                                const char *cur, affine *f)
{
    int pos;
    const Onnx__TensorProto *k;
    pv_status st = operand_of(cx, n, cur, &pos, &k);
    mpq_t *v = NULL;
    size_t count = 0;
    if (st == PV_OK)
        st = broadcast_values(cx, n, k, n->input[1 - pos], f->out, &v,
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
        if (pos != 0)
            st = node_fail(cx, n, "dividing the constant '%s' by the "
                           "computed tensor is not affine", n->input[0]);
        for (size_t i = 0; st == PV_OK && i < count; i++)
            if (mpq_sgn(v[i]) == 0)
                st = node_fail(cx, n, "divisor '%s' has a zero element "
                               "(number %zu)", n->input[1], i);
        ok = st != PV_OK || aff_scale(f, v, count, 1);
    }
    values_free(v, count);
    return st != PV_OK ? st : ok ? PV_OK : nomem(cx);
}

/* Reshape: the new shape must keep the number of values (a batch of one;
 * -1 infers one dimension, 0 copies the input's, which we take to be the
 * batch dimension, 1). */
static pv_status op_reshape(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            int width)
{
    const Onnx__TensorProto *t =
        n->n_input >= 2 ? find_const(cx, n->input[1]) : NULL;
    if (t == NULL)
        return node_fail(cx, n, "the target shape must be a constant "
                         "(an initializer or a Constant node)");
    int64_t *s = NULL;
    size_t count = 0;
    pv_status st = tensor_ints(cx, t, n->input[1], &s, &count);
    if (st != PV_OK)
        return st;
    int64_t prod = 1;
    int infer = 0, bad = 0;
    for (size_t i = 0; i < count; i++) {
        if (s[i] == -1)
            infer++;
        else if (s[i] < 0 || s[i] > ONNX_MAX_WIDTH)
            bad = 1;
        else if (s[i] > 0)
            prod *= s[i];
        bad = bad || prod > ONNX_MAX_WIDTH;
    }
    free(s);
    if (bad || infer > 1 || (infer ? width % prod != 0 : prod != width))
        return node_fail(cx, n, "the target shape '%s' does not hold the %d "
                         "values of its input as one example", n->input[1],
                         width);
    return PV_OK;
}

static pv_status op_shape_only(const onnx_ctx *cx, const Onnx__NodeProto *n,
                               const char *cur, int width)
{
    if (n->n_input < 1 || strcmp(n->input[0], cur))
        return node_fail(cx, n, "expected the tensor '%s' as its first "
                         "(data) input", cur);
    return is_op(n, "Reshape") ? op_reshape(cx, n, width) : PV_OK;
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

static pv_status apply_node(const onnx_ctx *cx, const Onnx__NodeProto *n,
                            const char *cur, affine *f, pv_net *net)
{
    if (n->domain != NULL && n->domain[0] != '\0' &&
        strcmp(n->domain, "ai.onnx"))
        return node_fail(cx, n, "operator domain '%s' is not supported "
                         "(only the standard ONNX operators)", n->domain);
    if (is_op(n, "Relu")) {
        if (strcmp(n->input[0], cur))
            return node_fail(cx, n, "expected input '%s'", cur);
        char label[200];
        return emit_checked(cx, f, net, PV_RELU,
                            node_label(cx, n, label, sizeof label));
    }
    if (is_op(n, "Gemm"))
        return op_gemm(cx, n, cur, f);
    if (is_op(n, "MatMul"))
        return op_matmul(cx, n, cur, f);
    if (is_elementwise(n))
        return op_elementwise(cx, n, cur, f);
    if (is_shape_op(n))
        return op_shape_only(cx, n, cur, f->out);
    return node_fail(cx, n, "unsupported operation: polyverify reads chains "
                     "of fully-connected layers (Gemm, MatMul, Add, Sub, "
                     "Mul, Div by constants, Relu, Flatten, Reshape, "
                     "Identity, Constant)");
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

/* The number of input values: the product of the input's dimensions, where
 * the first may be a symbolic batch dimension. */
static pv_status input_width(const onnx_ctx *cx, const Onnx__ValueInfoProto *in,
                             int *width)
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
    int64_t prod = 1;
    for (size_t i = 0; i < s->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = s->dim[i];
        int known = d->value_case ==
                    ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        if (!known && i == 0)
            continue;      /* the batch dimension */
        if (!known || d->dim_value < 1)
            return cx_fail(cx, "input '%s': dimension %zu is dynamic or "
                           "empty: expected a fixed size", in->name, i);
        if (i == 0 && s->n_dim > 1 && d->dim_value != 1)
            return cx_fail(cx, "input '%s': batch dimension %lld: expected "
                           "1 or symbolic", in->name,
                           (long long)d->dim_value);
        prod *= d->dim_value;
        if (prod > ONNX_MAX_WIDTH)
            return cx_fail(cx, "input '%s' has more than %d values",
                           in->name, ONNX_MAX_WIDTH);
    }
    *width = (int)prod;
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
    int width = 0;
    if (st == PV_OK)
        st = input_width(cx, in, &width);
    if (st != PV_OK)
        return st;
    net->input_dim = width;
    aff_reset(f, width);
    const char *cur = in->name;
    const Onnx__NodeProto *n;
    int got = 0;
    while (st == PV_OK && (got = next_node(cx, cur, &n)) > 0) {
        if (n->n_output < 1)
            return node_fail(cx, n, "has no output");
        st = apply_node(cx, n, cur, f, net);
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
    cx->visited = calloc(cx->g->n_node + 1, 1);
    if (cx->visited == NULL)
        return nomem(cx);
    strcpy(net->format, "onnx");
    affine f;
    memset(&f, 0, sizeof f);
    pv_status st = walk(cx, net, &f);
    aff_reset(&f, 0);
    free(cx->visited);
    if (st == PV_OK)
        st = pv_net_finalize(net, cx->err);
    return st;
}

pv_status pv_net_parse_onnx(pv_net *net, const char *data, size_t len,
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
        onnx__model_proto__unpack(NULL, len, (const uint8_t *)data);
    if (model == NULL)
        return cx_fail(&cx, "not a valid ONNX model: the protobuf could not "
                       "be decoded (truncated or corrupt file?)");
    pv_net out;
    pv_net_init(&out);
    pv_status st = parse_model(&cx, model, &out);
    onnx__model_proto__free_unpacked(model, NULL);
    if (st != PV_OK) {
        pv_net_clear(&out);
        return st;
    }
    /* The caller's net is replaced only on success. */
    pv_net_clear(net);
    *net = out;
    return PV_OK;
}

int pv_onnx_sniff(const char *data, size_t len)
{
    /* A ModelProto starts with field 1 (ir_version) as a small varint. */
    return len >= 2 && (unsigned char)data[0] == 0x08 &&
           (unsigned char)data[1] >= 1 && (unsigned char)data[1] < 0x40;
}
