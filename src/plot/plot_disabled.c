/* polyverify — pictures in a build without cairo (-Dplot=disabled or
 * libcairo2-dev missing): the exact polygons (polygon.c) are there, the
 * drawing is refused, saying why. */
#include "polyverify/plot.h"

#include <string.h>

void pv_plot_options_init(pv_plot_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

pv_status pv_plot(const pv_net *net, const char *path,
                  const pv_plot_options *opt, pv_plot_info *info,
                  pv_error *err)
{
    (void)net;
    (void)opt;
    memset(info, 0, sizeof *info);
    return pv_error_set(err, PV_ERR_ARG, "%s: this polyverify was built without "
                        "cairo: pictures are not available (rebuild with "
                        "libcairo2-dev installed)", path);
}
