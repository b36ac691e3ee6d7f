/* polyverify — lowering a graph of affine maps and activations to the
 * chain of layers polyverify computes on (internal, for onnx.c).
 *
 * The graph is read in topological order; every computed tensor that a
 * later node still reads (a "live" tensor) is an affine expression of the
 * frontier v (affexpr.h). An activation node turns expressions into one
 * layer: its ReLU rows (the node's pre-activations, in the order of the
 * code layout), then linear rows the node's value needs (the z of
 * LeakyReLU's a z + (1 - a) relu(z)), then one identity row per frontier
 * column that a live tensor reads, so residual connections, branches and
 * concatenations are carried forward exactly as linear rows. The live
 * expressions are then rewritten on the new frontier, the layer's outputs.
 * Nothing is rounded and no value is dropped that a later node reads, so
 * the chain computes the graph's function, with a code bit per ReLU row. */
#ifndef PV_LOWER_H
#define PV_LOWER_H

#include "net/affexpr.h"
#include "net/network_internal.h"

/* Emits the layer [R rows (ReLU); Z rows (linear, Z may be NULL); the
 * columns the live expressions read] after net's last layer, *width the
 * frontier's width before and after. live[0 .. nlive-1] are rewritten on
 * the new frontier, where R's row i is column i and Z's row i column
 * R->rows + i. R and Z are left as they were. */
pv_status pv__lower_emit(pv_net *net, int *width, const pv__aff *R,
                         const pv__aff *Z, pv__aff **live, int nlive,
                         pv_error *err);

/* Appends the linear output layer y = f(v), unless the output is an
 * activation's (`activation`) and f is the frontier itself: a network
 * ending in Relu has no linear layer, one ending in an affine map has one
 * even when that map is the identity. */
pv_status pv__lower_output(pv_net *net, int width, const pv__aff *f,
                           int activation, pv_error *err);

#endif
