/* polyverify — the library's version (version.h). */
#include "polyverify/version.h"

const char *pv_version(void)
{
    return PV_VERSION_STRING;
}
