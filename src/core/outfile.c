/* polyverify — atomic output files (see outfile.h). */
#include "core/alloc.h"
#include "core/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void outfile_free(pv_outfile *o)
{
    pv_cleanup_pop(&o->unwind);
    pv_free(o->path);
    pv_free(o->tmp);
    memset(o, 0, sizeof *o);
}

/* The cleanup of an unwinding scope: the blocks are freed by the scope. */
static void outfile_unwind(void *obj)
{
    pv_outfile *o = obj;
    fclose(o->f);
    unlink(o->tmp);
}

pv_status pv_outfile_open(pv_outfile *o, const char *path, pv_error *err)
{
    memset(o, 0, sizeof *o);
    size_t n = strlen(path);
    o->path = pv_strdup(path);
    o->tmp = pv_malloc(n + sizeof PV_OUTFILE_TMP + 6);
    if (o->path == NULL || o->tmp == NULL) {
        outfile_free(o);
        return pv_error_set(err, PV_ERR_NOMEM, "out of memory");
    }
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, PV_OUTFILE_TMP "XXXXXX", sizeof PV_OUTFILE_TMP + 6);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        outfile_free(o);
        return pv_error_set(err, PV_ERR_IO, "%s: cannot create: %s", path,
                            strerror(e));
    }
    fchmod(fd, 0644);   /* mkstemp's 0600 is needlessly private */
    o->f = fdopen(fd, "w");
    if (o->f == NULL) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        outfile_free(o);
        return pv_error_set(err, PV_ERR_IO, "%s: cannot write: %s", path,
                            strerror(e));
    }
    pv_cleanup_push(&o->unwind, outfile_unwind, o);
    return PV_OK;
}

void pv_outfile_keep(pv_outfile *o)
{
    pv_cleanup_pop(&o->unwind);
}

pv_status pv_outfile_commit(pv_outfile *o, pv_error *err)
{
    int ok = !ferror(o->f) && fflush(o->f) == 0 && fsync(fileno(o->f)) == 0;
    int e = errno;
    ok = fclose(o->f) == 0 && ok;
    if (ok && rename(o->tmp, o->path) != 0) {
        e = errno;
        ok = 0;
    }
    pv_status rc = PV_OK;
    if (!ok) {
        unlink(o->tmp);
        rc = pv_error_set(err, PV_ERR_IO, "%s: cannot write: %s", o->path,
                          strerror(e ? e : EIO));
    }
    outfile_free(o);
    return rc;
}

void pv_outfile_abort(pv_outfile *o)
{
    if (o->f != NULL)
        fclose(o->f);
    if (o->tmp != NULL)
        unlink(o->tmp);
    outfile_free(o);
}
