/* polyverify — memory allocation and memory scopes (see alloc.h and
 * include/polyverify/memory.h).
 *
 * The set of a scope's live blocks is an open-addressing hash table of
 * (pointer, size) with linear probing and backward-shift deletion (no
 * tombstones: a table whose blocks were all freed is empty again), kept at
 * most 70% full. Pointers are hashed by Fibonacci hashing (multiply, keep
 * the top bits), which spreads malloc's aligned addresses evenly. The table
 * itself is allocated with the C library, outside the set; if it cannot
 * grow, that is an allocation failure like any other, raised before the
 * block is allocated, so a block is never left unrecorded.
 *
 * The state of the open scope is thread-local (one scope per thread at a
 * time; pv_scope_suspend saves it around the application's hooks). Nothing
 * here is process-wide except the handler and the GMP functions, which the
 * application sets explicitly (memory.h). */
#include "core/alloc.h"
#include "polyverify/memory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pv_block {
    void *p;
    size_t n;
} pv_block;

typedef struct pv_mem_frame frame;

static _Thread_local frame cur;
/* Failure injection (tests): the countdown, and whether it fired. */
static _Thread_local long fail_countdown;
static _Thread_local int fail_fired;

static pv_memory_handler handler;
static void *handler_ctx;

/* ------------------------------------------------------------------------ */
/* The handler: failures that no call can report                             */

void pv_memory_set_handler(pv_memory_handler h, void *ctx)
{
    handler = h;
    handler_ctx = ctx;
}

static _Noreturn void out_of_memory(size_t n)
{
    if (handler != NULL)
        handler(n, handler_ctx);
    else
        fprintf(stderr, "polyverify: out of memory (%zu bytes could not be "
                "allocated)\n", n);
    abort();
}

/* ------------------------------------------------------------------------ */
/* The set of live blocks                                                    */

/* What malloc uses for a block of n bytes, roughly (glibc: 8 bytes of
 * header, 16-byte granules, 32 at least): the byte count should be the
 * heap's, not the sum of the requests. */
static size_t chunk(size_t n)
{
    size_t c = (n + 8 + 15) & ~(size_t)15;
    return c < 32 ? 32 : c;
}

static size_t slot_of(const frame *f, const void *p)
{
    return (size_t)(((uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull) >> f->shift);
}

/* Slot of p, or -1. */
static long find(const frame *f, const void *p)
{
    if (f->count == 0)
        return -1;
    size_t mask = f->cap - 1;
    for (size_t i = slot_of(f, p);; i = (i + 1) & mask) {
        if (f->slot[i].p == p)
            return (long)i;
        if (f->slot[i].p == NULL)
            return -1;
    }
}

/* Inserts p (not present; room reserved). */
static void insert(frame *f, void *p, size_t n)
{
    size_t mask = f->cap - 1, i = slot_of(f, p);
    while (f->slot[i].p != NULL)
        i = (i + 1) & mask;
    f->slot[i].p = p;
    f->slot[i].n = n;
    f->count++;
    f->bytes += chunk(n);
}

static void remove_at(frame *f, size_t i)
{
    size_t mask = f->cap - 1, j = i;
    f->count--;
    f->bytes -= chunk(f->slot[i].n);
    for (;;) {
        j = (j + 1) & mask;
        if (f->slot[j].p == NULL)
            break;
        /* the entry at j may move to the hole at i unless its home slot
         * lies cyclically in (i, j] */
        size_t k = slot_of(f, f->slot[j].p);
        if (j > i ? (k > i && k <= j) : (k > i || k <= j))
            continue;
        f->slot[i] = f->slot[j];
        i = j;
    }
    f->slot[i].p = NULL;
}

/* Room for one more entry; 0 when the table could not grow. */
static int reserve(frame *f)
{
    if ((f->count + 1) * 10 <= f->cap * 7)
        return 1;
    size_t cap = f->cap ? 2 * f->cap : 64;
    pv_block *t = calloc(cap, sizeof *t);
    if (t == NULL)
        return 0;
    pv_block *old = f->slot;
    size_t oldcap = f->cap;
    unsigned shift = 64;
    for (size_t c = cap; c > 1; c >>= 1)
        shift--;
    f->slot = t;
    f->cap = cap;
    f->shift = shift;
    f->count = 0;
    f->bytes = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].p != NULL)
            insert(f, old[i].p, old[i].n);
    free(old);
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Unwinding                                                                 */

/* An allocation of n bytes failed inside the scope: the cleanups run now,
 * while the stack frames that hold their records are intact; the blocks
 * are freed after the longjmp (pv_scope_failed), once the entry has reset
 * its outputs (which may ask pv_scope_tracks). */
static _Noreturn void unwind(frame *f, size_t n)
{
    if (f->nofail > 0 && !f->track)
        out_of_memory(n);              /* see pv_foreign_begin */
    f->failed = n;
    f->unwinding = 1;
    while (f->cleanups != NULL) {
        pv_cleanup *c = f->cleanups;
        f->cleanups = c->next;
        c->linked = 0;
        c->run(c->obj);
    }
    longjmp(f->scope->jb, 1);
}

/* Counts an allocation for failure injection: 1 when this one must fail
 * now. In a foreign section the failure waits for its end. */
static int injected(frame *f, size_t n)
{
    if (fail_countdown <= 0 || --fail_countdown > 0)
        return 0;
    fail_fired = 1;
    if (f->nofail == 0)
        return 1;
    f->deferred = n + 1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */

static int in_scope(const frame *f)
{
    return f->scope != NULL && !f->unwinding;
}

static void *scoped_alloc(frame *f, size_t n, int zero)
{
    size_t size = n ? n : 1;
    if ((f->track && !reserve(f)) || injected(f, n))
        unwind(f, n);
    void *p = zero ? calloc(size, 1) : malloc(size);
    if (p == NULL)
        unwind(f, n);
    if (f->track)
        insert(f, p, size);
    return p;
}

void *pv_malloc(size_t n)
{
    frame *f = &cur;
    if (in_scope(f))
        return scoped_alloc(f, n, 0);
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        out_of_memory(n);
    return p;
}

void *pv_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        frame *f = &cur;
        if (in_scope(f))
            unwind(f, SIZE_MAX);
        out_of_memory(SIZE_MAX);
    }
    size_t n = count * size;
    frame *f = &cur;
    if (in_scope(f))
        return scoped_alloc(f, n, 1);
    void *p = calloc(n ? n : 1, 1);
    if (p == NULL)
        out_of_memory(n);
    return p;
}

void *pv_realloc(void *p, size_t n)
{
    if (p == NULL)
        return pv_malloc(n);
    size_t size = n ? n : 1;
    frame *f = &cur;
    if (!in_scope(f)) {
        void *q = realloc(p, size);
        if (q == NULL)
            out_of_memory(n);
        return q;
    }
    long i = find(f, p);
    if (injected(f, n))
        unwind(f, n);                   /* p is intact, as after realloc */
    void *q = realloc(p, size);
    if (q == NULL)
        unwind(f, n);
    if (i >= 0) {                       /* tracked stays tracked */
        remove_at(f, (size_t)i);
        insert(f, q, size);
    }
    return q;
}

void pv_free(void *p)
{
    if (p == NULL)
        return;
    frame *f = &cur;
    if (f->scope != NULL) {
        long i = find(f, p);
        if (i >= 0)
            remove_at(f, (size_t)i);
    }
    free(p);
}

char *pv_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = pv_malloc(n);
    memcpy(d, s, n);
    return d;
}

/* ------------------------------------------------------------------------ */
/* GMP                                                                       */

static void *gmp_alloc(size_t n) { return pv_malloc(n); }

static void *gmp_realloc(void *p, size_t old, size_t n)
{
    (void)old;
    return pv_realloc(p, n);
}

static void gmp_free(void *p, size_t n)
{
    (void)n;
    pv_free(p);
}

void pv_memory_install_gmp(void)
{
    mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
}

int pv_memory_gmp_installed(void)
{
    void *(*a)(size_t) = NULL;
    mp_get_memory_functions(&a, NULL, NULL);
    return a == gmp_alloc;
}

/* ------------------------------------------------------------------------ */
/* Scopes                                                                    */

int pv_scope_joined(void)
{
    return cur.scope != NULL;
}

void pv_scope_open(pv_scope *s)
{
    memset(&cur, 0, sizeof cur);
    cur.scope = s;
    cur.track = 1;
}

/* Forgets the scope: its blocks and leftover cleanup records now belong to
 * objects that outlive the call. */
static void release(frame *f)
{
    for (pv_cleanup *c = f->cleanups; c != NULL; c = c->next)
        c->linked = 0;
    free(f->slot);
    memset(f, 0, sizeof *f);
}

void pv_scope_close(pv_scope *s)
{
    (void)s;
    release(&cur);
}

pv_status pv_scope_failed(pv_scope *s, pv_error *err)
{
    (void)s;
    frame *f = &cur;
    for (size_t i = 0; i < f->cap; i++)
        if (f->slot[i].p != NULL)
            free(f->slot[i].p);
    size_t n = f->failed;
    release(f);
    if (n == SIZE_MAX)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory (an allocation "
                            "larger than the address space was asked for)");
    return pv_error_set(err, PV_ERR_NOMEM, "out of memory (%zu bytes could "
                        "not be allocated)", n);
}

void pv_scope_adopt(void *p, size_t n)
{
    frame *f = &cur;
    if (!in_scope(f) || p == NULL || find(f, p) >= 0)
        return;
    if (!reserve(f))
        unwind(f, 0);
    insert(f, p, n);
}

void pv_scope_adopt_mpz(mpz_srcptr z)
{
    /* GMP's lazy numbers (alloc 0) point at a static limb */
    if (z->_mp_alloc > 0 && pv_memory_gmp_installed())
        pv_scope_adopt(z->_mp_d, (size_t)z->_mp_alloc * sizeof(mp_limb_t));
}

void pv_scope_adopt_mpq(mpq_srcptr q)
{
    pv_scope_adopt_mpz(mpq_numref(q));
    pv_scope_adopt_mpz(mpq_denref(q));
}

/* Called between the longjmp and the sweep: the number's blocks were
 * adopted, so the sweep frees whatever it holds (or its digits were freed
 * by the interrupted operation); mpq_init allocates outside the set. */
void pv_scope_reset_mpq(mpq_ptr q)
{
    if (pv_memory_gmp_installed())
        mpq_init(q);
}

int pv_scope_tracks(const void *p)
{
    return cur.scope != NULL && p != NULL && find(&cur, p) >= 0;
}

size_t pv_scope_bytes(void)
{
    const frame *f = &cur;
    return f->scope != NULL ? f->bytes + f->cap * sizeof(pv_block) : 0;
}

/* ------------------------------------------------------------------------ */
/* Cleanups, foreign code, callbacks                                         */

void pv_cleanup_push(pv_cleanup *c, void (*run)(void *obj), void *obj)
{
    frame *f = &cur;
    c->run = run;
    c->obj = obj;
    c->linked = f->scope != NULL;
    if (!c->linked)
        return;
    c->prev = NULL;
    c->next = f->cleanups;
    if (f->cleanups != NULL)
        f->cleanups->prev = c;
    f->cleanups = c;
}

void pv_cleanup_pop(pv_cleanup *c)
{
    if (!c->linked)
        return;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        cur.cleanups = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->linked = 0;
}

void pv_foreign_begin(pv_foreign *g, int track)
{
    frame *f = &cur;
    g->track = f->track;
    if (f->scope == NULL)
        return;
    f->track = f->track && track;
    f->nofail++;
}

void pv_foreign_end(pv_foreign *g)
{
    frame *f = &cur;
    if (f->scope == NULL)
        return;
    f->track = g->track;
    if (--f->nofail == 0 && f->deferred > 0) {
        size_t n = f->deferred - 1;
        f->deferred = 0;
        unwind(f, n);
    }
}

void pv_scope_suspend(pv_scope_saved *s)
{
    s->frame = cur;
    memset(&cur, 0, sizeof cur);
}

void pv_scope_resume(pv_scope_saved *s)
{
    cur = s->frame;
}

void pv_mem_fail_after(long n)
{
    fail_countdown = n > 0 ? n : 0;
}

int pv_mem_fail_fired(void)
{
    int fired = fail_fired;
    fail_fired = 0;
    return fired;
}

long pv_mem_fail_remaining(void)
{
    return fail_countdown;
}
