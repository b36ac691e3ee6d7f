/* polyverify — the state of a certificate being written (internal).
 *
 * The public certificate.h declares pv_cert opaque. The file is written
 * to tmp (core/outfile.h) and renamed to path only when pv_cert_close
 * keeps it, so a reader never sees half a certificate. Sets are named S1,
 * S2, ... in the order they are written (nsets so far); claims counts the
 * facts written. */
#ifndef PV_CERTIFICATE_INTERNAL_H
#define PV_CERTIFICATE_INTERNAL_H

#include <stdio.h>
#include "polyverify/certificate.h"

struct pv_cert {
    FILE *f;
    char *path, *tmp;        /* written to tmp, renamed to path on close */
    const pv_net *net;
    const pv_box *box;
    int nsets;               /* sets named so far (S1, S2, ...)          */
    long claims;
};

#endif
