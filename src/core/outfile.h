/* polyverify — output files that appear whole or not at all (internal).
 *
 * Every file polyverify writes (certificates, converted networks, plots)
 * is written to a temporary file beside the target, `PATH.tmp-XXXXXX`, and
 * renamed over PATH only when complete; on any failure the temporary file
 * is removed. A reader never sees half a certificate, and a failed or
 * interrupted run leaves no partial output (the CLI's --timeout supervisor
 * removes `PATH.tmp-*` of a run it had to kill). */
#ifndef PV_OUTFILE_H
#define PV_OUTFILE_H

#include <stdio.h>
#include "core/alloc.h"
#include "polyverify/error.h"

typedef struct pv_outfile {
    FILE *f;        /* write here */
    char *path;     /* the target */
    char *tmp;      /* the temporary file until commit */
    pv_cleanup unwind;   /* an unwinding memory scope aborts the file */
} pv_outfile;

/* The suffix of temporary files, before the mkstemp letters. */
#define PV_OUTFILE_TMP ".tmp-"

pv_status pv_outfile_open(pv_outfile *o, const char *path, pv_error *err);
/* Flushes, syncs, closes and renames into place; on failure removes the
 * temporary file and reports why. o is cleared either way. */
pv_status pv_outfile_commit(pv_outfile *o, pv_error *err);
/* Closes and removes the temporary file; o is cleared. */
void pv_outfile_abort(pv_outfile *o);
/* The file outlives the call that opened it (a certificate): an unwinding
 * of that call's scope no longer aborts it. */
void pv_outfile_keep(pv_outfile *o);

#endif
