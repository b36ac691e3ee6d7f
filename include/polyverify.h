/* polyverify — exact geometry of the activation regions of ReLU networks.
 *
 * The umbrella header: every public module of the library. A program can
 * include only the modules it uses (<polyverify/cell.h>, ...); each header
 * includes what it needs. Link with `pkg-config --libs polyverify`. */
#ifndef POLYVERIFY_H
#define POLYVERIFY_H

#include "polyverify/version.h"
#include "polyverify/error.h"
#include "polyverify/memory.h"
#include "polyverify/rational.h"
#include "polyverify/network.h"
#include "polyverify/code.h"
#include "polyverify/code_stats.h"
#include "polyverify/point.h"
#include "polyverify/box.h"
#include "polyverify/system.h"
#include "polyverify/dimension.h"
#include "polyverify/facets.h"
#include "polyverify/cell.h"
#include "polyverify/adjacency.h"
#include "polyverify/explore.h"
#include "polyverify/segment.h"
#include "polyverify/radius.h"
#include "polyverify/enumerate.h"
#include "polyverify/lemma1.h"
#include "polyverify/flips.h"
#include "polyverify/certificate.h"
#include "polyverify/polygon.h"
#include "polyverify/plot.h"
#include "polyverify/tessellation.h"
#include "polyverify/volume.h"
#include "polyverify/json.h"

#endif
