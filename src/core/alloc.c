/* polyverify — memory allocation and memory scopes (see alloc.h and
 * include/polyverify/memory.h).
 *
 * Invariants, while a scope is open on a thread (its state is `cur`):
 *
 *   I1. The set holds exactly the blocks an unwinding must free: those
 *       allocated inside the scope while tracking is on (pv_malloc,
 *       pv_calloc, pv_realloc, and GMP through them) and those adopted
 *       (the digits of an entry's GMP outputs), less those freed since. A realloc keeps a block's standing: a
 *       member stays a member at its new address, a block from before the
 *       scope stays its owner's.
 *   I2. A block is a member iff the bit of its address is set. The address
 *       space is cut into regions of 2^REGION_BITS bytes; a region that
 *       ever held a member has a bitmap with one bit per 8 bytes (every
 *       block of malloc starts at a multiple of 8). The directory maps a
 *       region's number to its bitmap: open addressing, linear probing, at
 *       most half full. Bitmaps stay until the scope ends, even when they
 *       are empty again, so the directory never deletes.
 *   I3. A block is never left unrecorded. A new block is recorded before
 *       anyone else sees it: when its region needs a bitmap that cannot be
 *       had, the block is freed and the allocation fails. A member that
 *       realloc may move cannot be given back, so before the realloc the
 *       directory gets room for one more region and a zeroed bitmap waits
 *       in `spare` (reserve): recording its new address cannot fail.
 *   I4. Once the scope has been asked what it holds (pv_scope_bytes, which
 *       an enumeration asks for its memory limit), `counting` is set and
 *       `bytes` is what the members take from the heap: malloc's usable
 *       size of each, plus its header word. The first question sums the
 *       members; until then no size is looked up. pv_scope_bytes adds the
 *       set's own memory (directory and bitmaps).
 *
 * Cost. A call may allocate millions of blocks (a 784-pixel point is 784
 * rationals, 1568 blocks of digits), most of them GMP's, most short-lived. Recording one sets
 * a bit in a bitmap 64 times smaller than the heap it covers, found by one
 * probe of the directory, or none when the block lies in the same region
 * as the last one looked up — the usual case, since malloc hands out
 * neighbouring blocks in turn. (A hash set of (pointer, size) pairs cost a
 * cache miss and 23 bytes per block: `code --points` on 10,000 MNIST
 * points took 2.2 times as long as without scopes, with 42% more memory.)
 * Sizes are not stored: the C library tells them (block_bytes), and only
 * a scope that counts asks.
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

/* The size of a block of malloc, which the set does not store. */
#if defined(__APPLE__)
#include <malloc/malloc.h>
#define usable_size(p) malloc_size(p)
#elif defined(__FreeBSD__)
#include <malloc_np.h>
#define usable_size(p) malloc_usable_size(p)
#elif defined(__linux__) || defined(__GLIBC__)
#include <malloc.h>
#define usable_size(p) malloc_usable_size(p)
#else
#error "alloc.c needs the C library's block size (malloc_usable_size)"
#endif

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
/* Failure injection (tests)                                                 */

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
/* The set of live blocks                                                    */

/* A region: 64 KiB of addresses, 8192 possible block starts, a bitmap of
 * 1 KiB. */
enum { REGION_BITS = 16, GRAIN_BITS = 3 };
#define NWORDS ((size_t)1 << (REGION_BITS - GRAIN_BITS - 6))
#define BITMAP_BYTES (NWORDS * sizeof(uint64_t))

_Static_assert(_Alignof(max_align_t) >= 1 << GRAIN_BITS,
               "malloc's blocks start at multiples of 8");

typedef struct pv_region region;

/* The heap bytes of block p, its header word included. */
static size_t block_bytes(void *p)
{
    return usable_size(p) + sizeof(size_t);
}

static uintptr_t key_of(const void *p)
{
    return (uintptr_t)p >> REGION_BITS;
}

static size_t slot_of(const frame *f, uintptr_t key)
{
    return (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> f->shift);
}

/* The bitmap of region `key` in the directory, or NULL. */
static uint64_t *lookup(frame *f, uintptr_t key)
{
    if (f->nregions == 0)
        return NULL;
    size_t mask = f->cap - 1;
    for (size_t i = slot_of(f, key);; i = (i + 1) & mask) {
        if (f->dir[i].bits == NULL)
            return NULL;
        if (f->dir[i].key == key) {
            f->last_key = key;
            f->last = f->dir[i].bits;
            return f->last;
        }
    }
}

/* The bitmap of p's region, or NULL when it has none. */
static inline uint64_t *bitmap_of(frame *f, const void *p)
{
    uintptr_t key = key_of(p);
    return f->last != NULL && key == f->last_key ? f->last : lookup(f, key);
}

/* p's word in its region's bitmap, and its bit there. */
static inline uint64_t *word_of(uint64_t *bits, const void *p)
{
    return &bits[((uintptr_t)p & (((uintptr_t)1 << REGION_BITS) - 1)) >> (GRAIN_BITS + 6)];
}

static inline uint64_t bit_of(const void *p)
{
    return (uint64_t)1 << ((uintptr_t)p >> GRAIN_BITS & 63);
}

/* The set's own memory: from the C library, outside the set, and counted
 * for failure injection like any allocation of the scope (so that the
 * tests reach the failures of I3). */
static void *set_calloc(frame *f, size_t count, size_t size)
{
    return injected(f, count * size) ? NULL : calloc(count, size);
}

static void dir_insert(frame *f, uintptr_t key, uint64_t *bits)
{
    size_t mask = f->cap - 1, i = slot_of(f, key);
    while (f->dir[i].bits != NULL)
        i = (i + 1) & mask;
    f->dir[i].key = key;
    f->dir[i].bits = bits;
}

/* Room in the directory for one more region; 0 when the memory for it
 * could not be had. */
static int dir_room(frame *f)
{
    if (2 * (f->nregions + 1) <= f->cap)
        return 1;
    size_t cap = f->cap ? 2 * f->cap : 16;
    region *d = set_calloc(f, cap, sizeof *d);
    if (d == NULL)
        return 0;
    region *old = f->dir;
    size_t oldcap = f->cap;
    unsigned shift = 64;
    for (size_t c = cap; c > 1; c >>= 1)
        shift--;
    f->dir = d;
    f->cap = cap;
    f->shift = shift;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].bits != NULL)
            dir_insert(f, old[i].key, old[i].bits);
    free(old);
    return 1;
}

/* I3: the reserve for moving a member. */
static int reserve(frame *f)
{
    if (f->spare == NULL)
        f->spare = set_calloc(f, NWORDS, sizeof(uint64_t));
    return f->spare != NULL && dir_room(f);
}

/* A bitmap for p's region, which has none: the spare, or a new one; NULL
 * when the memory for it could not be had. */
static uint64_t *new_region(frame *f, const void *p)
{
    uint64_t *bits = f->spare;
    if (!dir_room(f) || (bits == NULL && (bits = set_calloc(f, NWORDS, sizeof *bits)) == NULL))
        return NULL;
    f->spare = NULL;
    dir_insert(f, key_of(p), bits);
    f->nregions++;
    f->last_key = key_of(p);
    f->last = bits;
    return bits;
}

static int member(frame *f, const void *p)
{
    uint64_t *bits = bitmap_of(f, p);
    return bits != NULL && (*word_of(bits, p) & bit_of(p)) != 0;
}

/* Sets p's bit; 0 when its region needed a bitmap that could not be had
 * (never after reserve). */
static inline int set_bit(frame *f, const void *p)
{
    uint64_t *bits = bitmap_of(f, p);
    if (bits == NULL && (bits = new_region(f, p)) == NULL)
        return 0;
    *word_of(bits, p) |= bit_of(p);
    return 1;
}

/* Records p (not a member), as set_bit. */
static inline int record(frame *f, void *p)
{
    if (!set_bit(f, p))
        return 0;
    if (f->counting)
        f->bytes += block_bytes(p);
    return 1;
}

/* Removes p from the set if it is a member (before it is freed). */
static inline void forget(frame *f, void *p)
{
    uint64_t *bits = bitmap_of(f, p);
    if (bits != NULL && (*word_of(bits, p) & bit_of(p)) != 0) {
        *word_of(bits, p) &= ~bit_of(p);
        if (f->counting)
            f->bytes -= block_bytes(p);
    }
}

/* Calls visit on every member; returns the sum of what it returns. */
static size_t each_member(const frame *f, size_t (*visit)(void *p))
{
    size_t sum = 0;
    const region *dir = f->dir;         /* locals: visit may call free */
    for (size_t i = 0, cap = f->cap; i < cap; i++) {
        uint64_t *bits = dir[i].bits;
        if (bits == NULL)
            continue;
        char *base = (char *)(uintptr_t)(dir[i].key << REGION_BITS);
        for (size_t j = 0; j < NWORDS; j++)
            for (uint64_t b = bits[j]; b != 0; b &= b - 1) {
                size_t g = j * 64 + (size_t)__builtin_ctzll(b);
                sum += visit(base + (g << GRAIN_BITS));
            }
    }
    return sum;
}

static size_t free_block(void *p)
{
    free(p);
    return 0;
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

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */

static int in_scope(const frame *f)
{
    return f->scope != NULL && !f->unwinding;
}

static void *scoped_alloc(frame *f, size_t n, int zero)
{
    size_t size = n ? n : 1;
    if (injected(f, n))
        unwind(f, n);
    void *p = zero ? calloc(size, 1) : malloc(size);
    if (p == NULL)
        unwind(f, n);
    if (f->track && !record(f, p)) {    /* I3: nobody has seen p */
        free(p);
        unwind(f, n);
    }
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
    /* w: p's word when p is a member (bitmaps never move); p is intact
     * when these unwind, as after a failed realloc */
    uint64_t *bits = bitmap_of(f, p), bit = bit_of(p);
    uint64_t *w = bits != NULL && (*word_of(bits, p) & bit) ? word_of(bits, p) : NULL;
    if ((w != NULL && !reserve(f)) || injected(f, n))
        unwind(f, n);
    uintptr_t old = (uintptr_t)p;
    size_t before = w != NULL && f->counting ? block_bytes(p) : 0;
    void *q = realloc(p, size);
    if (q == NULL)
        unwind(f, n);
    if (w != NULL) {                    /* a member stays a member (I1) */
        if ((uintptr_t)q != old) {
            *w &= ~bit;
            (void)set_bit(f, q);        /* cannot fail: reserve ran */
        }
        if (f->counting)
            f->bytes += block_bytes(q) - before;
    }
    return q;
}

void pv_free(void *p)
{
    if (p == NULL)
        return;
    frame *f = &cur;
    if (f->scope != NULL)
        forget(f, p);
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
    region *dir = f->dir;               /* locals: the loop calls free */
    for (size_t i = 0, left = f->nregions; left > 0; i++)
        if (dir[i].bits != NULL) {
            free(dir[i].bits);
            left--;
        }
    free(dir);
    free(f->spare);
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
    each_member(f, free_block);         /* the sweep */
    size_t n = f->failed;
    release(f);
    if (n == SIZE_MAX)
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory (an allocation "
                            "larger than the address space was asked for)");
    return pv_error_set(err, PV_ERR_NOMEM, "out of memory (%zu bytes could "
                        "not be allocated)", n);
}

/* Adoption runs before the call starts (PV_GUARD_ADOPT). When a number's
 * digits cannot be recorded (the set needs memory it cannot have), the
 * scope unwinds with `early` set: the call has touched none of the
 * numbers, so pv_scope_reset_mpq gives each back to its owner as it was,
 * adopted or not, instead of emptying it (which would leak those not yet
 * adopted). */
void pv_scope_adopt_mpz(mpz_srcptr z)
{
    frame *f = &cur;
    /* GMP's lazy numbers (alloc 0) point at a static limb */
    if (!in_scope(f) || z->_mp_alloc <= 0 || !pv_memory_gmp_installed())
        return;
    if (!member(f, z->_mp_d) && !record(f, z->_mp_d)) {
        f->early = 1;
        unwind(f, BITMAP_BYTES);
    }
}

void pv_scope_adopt_mpq(mpq_srcptr q)
{
    pv_scope_adopt_mpz(mpq_numref(q));
    pv_scope_adopt_mpz(mpq_denref(q));
}

static void give_back(frame *f, mpz_ptr z)
{
    if (z->_mp_alloc > 0)
        forget(f, z->_mp_d);
}

/* Called between the longjmp and the sweep. Normally the number's blocks
 * were adopted, so the sweep frees whatever it holds (or its digits were
 * freed by the interrupted operation), and mpq_init (outside the set)
 * empties it; after a failed adoption it is left as it was. */
void pv_scope_reset_mpq(mpq_ptr q)
{
    frame *f = &cur;
    if (!pv_memory_gmp_installed())
        return;
    if (!f->early) {
        mpq_init(q);
        return;
    }
    give_back(f, mpq_numref(q));
    give_back(f, mpq_denref(q));
}

int pv_scope_tracks(const void *p)
{
    return cur.scope != NULL && p != NULL && member(&cur, p);
}

size_t pv_scope_bytes(void)
{
    frame *f = &cur;
    if (f->scope == NULL)
        return 0;
    if (!f->counting) {                 /* I4: the first question */
        f->bytes = each_member(f, block_bytes);
        f->counting = 1;
    }
    size_t nbitmaps = f->nregions + (f->spare != NULL);
    return f->bytes + f->cap * sizeof(region) + nbitmaps * BITMAP_BYTES;
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
