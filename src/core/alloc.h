/* polyverify — the library's memory allocation (internal).
 *
 * Every allocation of src/ goes through these, so that out-of-memory is one
 * concept in one place (alloc.c, and include/polyverify/memory.h for what a
 * user sees). They never return NULL: inside a memory scope (below) a
 * failure unwinds the scope, outside one it calls the out-of-memory
 * handler. pv_free and pv_realloc accept any block of the C library's
 * malloc, tracked or not.
 *
 * Memory scopes. Each public entry point that can allocate runs its work
 * in a scope, opened by PV_GUARD in the entry function itself:
 *
 *     pv_status pv_cell_compute(pv_cell *C, ...)
 *     {
 *         PV_GUARD(err, cell_compute(C, ...), pv_cell_init(C));
 *     }
 *
 * Inside a scope every block the library (and GMP, once
 * pv_memory_install_gmp ran) allocates is recorded in a per-thread set of
 * live blocks (a bitmap of their addresses: alloc.c). When an allocation fails, the scope runs the registered
 * cleanups (objects other libraries allocated: GLPK problems, cddlib
 * matrices, files), longjmps back to the entry function, which resets its
 * outputs to their empty state (the third argument: it must not allocate),
 * frees every block still recorded, and returns PV_ERR_NOMEM. When the
 * call succeeds the set is simply forgotten: what is still allocated
 * belongs to the caller's objects. A public call made inside a scope (the
 * library calling its own API) joins it: it runs its work directly, and a
 * failure unwinds the outermost call.
 *
 * Why unwinding is exact: every object allocated during the scope is
 * abandoned on failure, never cleared — its blocks are in the set, and the
 * GMP operation that was interrupted may have left it inconsistent (mpz_mul
 * frees the old digits before it allocates the new ones). Objects that
 * existed before the call and that the call writes are the entry's outputs:
 * the entry either empties them before it starts, or adopts their blocks
 * (pv_scope_adopt_mpq) so that the set frees them, and resets them. Blocks that
 * are not in the set (allocated outside any scope) are freed and
 * reallocated with the C library's free and realloc, which is right for
 * GMP's default allocator as well; a realloc of such a block stays
 * untracked, since its owner predates the scope. */
#ifndef PV_ALLOC_H
#define PV_ALLOC_H

/* <stdio.h> before <gmp.h>, which declares gmp_fprintf only after it:
 * this header comes first in many files. */
#include <stdio.h>
#include <gmp.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include "polyverify/error.h"

void *pv_malloc(size_t n);
void *pv_calloc(size_t count, size_t size);
void *pv_realloc(void *p, size_t n);
void pv_free(void *p);
char *pv_strdup(const char *s);

/* ---- scopes ------------------------------------------------------------ */

typedef struct pv_scope {
    jmp_buf jb;
} pv_scope;

/* Whether a scope is open on this thread (a public call then joins it). */
int pv_scope_joined(void);
/* Opens a scope (none may be open: PV_GUARD checks). */
void pv_scope_open(pv_scope *s);
/* Ends a scope that ran to completion: the set is forgotten. */
void pv_scope_close(pv_scope *s);
/* After the longjmp: frees the recorded blocks, closes the scope, and
 * returns PV_ERR_NOMEM with a message in err (may be NULL). */
pv_status pv_scope_failed(pv_scope *s, pv_error *err);

/* The body of a public entry point: `call` (an expression of type
 * pv_status) in a scope, `reset` (statements on the entry's outputs, no
 * allocation) when it unwound. Joins an open scope. `adopt` variants run
 * statements inside the scope before the call (pv_scope_adopt_mpq of the
 * outputs). The entry function's parameters must not be assigned:
 * the reset reads them after the longjmp. */
#define PV_GUARD_ADOPT(err, call, adopt, reset)                              \
    do {                                                                     \
        if (pv_scope_joined())                                               \
            return (call);                                                   \
        pv_scope pv_scope_;                                                  \
        pv_scope_open(&pv_scope_);                                           \
        if (setjmp(pv_scope_.jb) != 0) {                                     \
            reset;                                                           \
            return pv_scope_failed(&pv_scope_, (err));                       \
        }                                                                    \
        adopt;                                                               \
        pv_status pv_scope_rc_ = (call);                                     \
        pv_scope_close(&pv_scope_);                                          \
        return pv_scope_rc_;                                                 \
    } while (0)
#define PV_GUARD(err, call, reset) PV_GUARD_ADOPT(err, call, (void)0, reset)

/* The same for an entry point that returns a pointer: NULL when out of
 * memory. */
#define PV_GUARD_NULL(type, call)                                            \
    do {                                                                     \
        if (pv_scope_joined())                                               \
            return (call);                                                   \
        pv_scope pv_scope_;                                                  \
        pv_scope_open(&pv_scope_);                                           \
        if (setjmp(pv_scope_.jb) != 0) {                                     \
            pv_scope_failed(&pv_scope_, NULL);                               \
            return NULL;                                                     \
        }                                                                    \
        type pv_scope_p_ = (call);                                           \
        pv_scope_close(&pv_scope_);                                          \
        return pv_scope_p_;                                                  \
    } while (0)

/* Records the digits of a GMP number from before the scope so that an
 * unwinding frees them: for outputs the call replaces. The reset of such
 * an output after an unwinding: to 0 (mpq_init); as it was, when the
 * unwinding came from the adoption itself (the set could not grow), before
 * the call touched anything. Both act only when GMP allocates through
 * alloc.c (pv_memory_install_gmp): otherwise GMP never unwinds, so a
 * number is never left half-written, and its frees would bypass the set. */
void pv_scope_adopt_mpz(mpz_srcptr z);
void pv_scope_adopt_mpq(mpq_srcptr q);
void pv_scope_reset_mpq(mpq_ptr q);
/* Whether p is recorded in the open scope (then an unwinding frees it). */
int pv_scope_tracks(const void *p);

/* Bytes the open scope holds now: its live blocks, each as the heap sizes
 * it (malloc's usable size and a header word), and the set itself. 0
 * outside a scope. */
size_t pv_scope_bytes(void);

/* ---- cleanups: objects allocated outside pv_malloc -------------------- */

/* A cleanup runs when the scope unwinds, in reverse order of pushing. The
 * record lives where the object's owner keeps it (a stack frame, or the
 * object itself); it is popped when the object is destroyed normally.
 * Outside a scope both are no-ops. */
typedef struct pv_cleanup {
    void (*run)(void *obj);
    void *obj;
    struct pv_cleanup *prev, *next;
    int linked;
} pv_cleanup;

void pv_cleanup_push(pv_cleanup *c, void (*run)(void *obj), void *obj);
void pv_cleanup_pop(pv_cleanup *c);

/* ---- foreign code: calls into libraries that allocate through GMP ----- */

/* Between pv_foreign_begin and pv_foreign_end no unwinding starts from an
 * injected failure (tests): it is deferred to pv_foreign_end, where the
 * foreign library's objects are consistent again. With track = 0, blocks
 * allocated meanwhile are also not recorded, and a real failure calls the
 * handler: for code that keeps GMP numbers in static variables across
 * calls (cddlib's simplex), which an unwinding must neither free nor leave
 * half-built. With track = 1 a real failure still unwinds (the foreign
 * library's own half-built object is then lost: leaked, not corrupted). */
typedef struct pv_foreign {
    int track;
} pv_foreign;

void pv_foreign_begin(pv_foreign *f, int track);
void pv_foreign_end(pv_foreign *f);

/* ---- callbacks: the caller's code, run from inside a call ------------- */

/* Around a call of the application's hooks (progress, interrupt): what
 * they allocate is theirs, not the scope's, and a library call they make
 * opens a scope of its own. */
typedef struct pv_scope_saved {
    struct pv_mem_frame {               /* the open scope's state (alloc.c) */
        pv_scope *scope;
        struct pv_region {              /* the set: a bitmap per region,   */
            uintptr_t key;              /* in a directory                  */
            uint64_t *bits;
        } *dir;
        size_t cap, nregions, bytes, failed;
        unsigned shift;
        uintptr_t last_key;             /* the region looked up last       */
        uint64_t *last, *spare;
        pv_cleanup *cleanups;
        int track, nofail, unwinding;
        int early;                      /* unwound while adopting          */
        int counting;                   /* bytes is kept (pv_scope_bytes)  */
        size_t deferred;                /* an injected failure's size + 1  */
    } frame;
} pv_scope_saved;

void pv_scope_suspend(pv_scope_saved *s);
void pv_scope_resume(pv_scope_saved *s);
/* `call` (a statement calling a hook) outside the open scope. */
#define PV_HOOK(call)                                                        \
    do {                                                                     \
        pv_scope_saved pv_saved_;                                            \
        pv_scope_suspend(&pv_saved_);                                        \
        call;                                                                \
        pv_scope_resume(&pv_saved_);                                         \
    } while (0)

/* ---- tests --------------------------------------------------------------- */

/* Makes the n-th allocation from now inside a scope of this thread fail
 * (n >= 1; 0 disarms). pv_mem_fail_fired: whether an armed failure fired
 * since the last call; pv_mem_fail_remaining: allocations still to go
 * before it fires (a test pauses the countdown with it). */
void pv_mem_fail_after(long n);
int pv_mem_fail_fired(void);
long pv_mem_fail_remaining(void);

#endif
