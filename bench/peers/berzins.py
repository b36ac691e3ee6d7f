#!/usr/bin/python3
"""Times Berzins' edge subdivision (ICML 2023) on a peer net, as issue 17's
table measured it: float32 PyTorch on the CPU, box [lo, hi]^m, the
algorithm's time inside the process (torch's import excluded), and the
region codes it found, derived from its vertices.

    /usr/bin/python3 bench/peers/berzins.py PEER_DIR NET.onnx [--box LO,HI]
                                            [--codes FILE] [--runs K]

PEER_DIR is a checkout of github.com/arturs-berzins/relu_edge_subdivision
(not part of polyverify: tools/bench.sh takes it from $PV_BERZINS and skips
the peer rows when it is not set). NET is an MLP exported by torch
(Gemm/MatMul+Add and Relu nodes). Prints one JSON line: seconds (the median
of the runs), vertices, edges, regions. With --codes, writes the regions'
codes, one per line, sorted, as polyverify prints them (bit j = 1 iff
neuron j's pre-activation is > 0).

Regions from vertices: in general position every region of the box is a
polytope with a vertex, and a vertex v on m zero sets (box faces or
neurons) touches the 2^m regions its zero signs can be perturbed to (the
box's own signs only to +). So the regions are the perturbations of the
vertices' sign vectors; this is the count the peer's paper reports.
"""
import argparse
import json
import statistics
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch


def mlp_layers(path):
    """(W, b) per affine layer of a Linear/ReLU chain, as float32 arrays."""
    model = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    layers, pending = [], None
    for node in model.graph.node:
        if node.op_type == 'Gemm':
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            W = init[node.input[1]]
            W = W if attrs.get('transB', 0) else W.T
            b = init[node.input[2]] if len(node.input) > 2 else np.zeros(W.shape[0])
            layers.append((W.astype(np.float32), b.astype(np.float32)))
        elif node.op_type == 'MatMul':
            pending = init[node.input[1]].T
        elif node.op_type == 'Add' and pending is not None:
            b = init.get(node.input[1], init.get(node.input[0]))
            layers.append((pending.astype(np.float32), b.astype(np.float32)))
            pending = None
        elif node.op_type in ('Relu', 'Flatten', 'Reshape', 'Identity'):
            continue
        else:
            sys.exit('berzins.py: %s: node %s (%s) is not part of an MLP'
                     % (path, node.name, node.op_type))
    return layers


def peer_net(peer, layers):
    sys.path.insert(0, peer)
    from NN import Net
    ks = [layers[0][0].shape[1]] + [W.shape[0] for W, _ in layers]
    f = Net(ks=ks)
    with torch.no_grad():
        for fc, (W, b) in zip(f.fcs, layers):
            fc.weight.copy_(torch.from_numpy(W))
            fc.bias.copy_(torch.from_numpy(b))
    return f


def region_codes(v_sv, m, neurons):
    """The codes of the regions around the vertices (see the top)."""
    codes = set()
    sv = v_sv.numpy()
    for row in sv:
        box, neu = row[:2 * m], row[2 * m:2 * m + neurons]
        zb = np.nonzero(box == 0)[0]
        zn = np.nonzero(neu == 0)[0]
        if len(zb) + len(zn) > m or np.any(box < 0):
            continue                  # not a proper vertex of the box
        base = ['1' if s > 0 else '0' for s in neu]
        for mask in range(1 << len(zn)):
            code = list(base)
            for k, j in enumerate(zn):
                code[j] = '1' if mask >> k & 1 else '0'
            codes.add(''.join(code))
    return codes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('peer')
    ap.add_argument('net')
    ap.add_argument('--box', default='-1,1')
    ap.add_argument('--codes')
    ap.add_argument('--runs', type=int, default=3)
    a = ap.parse_args()
    lo, hi = (float(x) for x in a.box.split(','))
    layers = mlp_layers(a.net)
    f = peer_net(a.peer, layers)
    from edge_subdivision import skeletal_subdivision
    # the peer counts every neuron but the output layer's (its last layer
    # is the head); polyverify's code has the same neurons
    neurons = sum(W.shape[0] for W, _ in layers[:-1])
    times = []
    for _ in range(a.runs):
        with torch.no_grad():
            t = time.perf_counter()
            vs, edges, v_sv = skeletal_subdivision(f, bbox=(lo, hi), device='cpu',
                                                    verbose=False)
            times.append(time.perf_counter() - t)
    m = layers[0][0].shape[1]
    codes = region_codes(v_sv, m, neurons)
    if a.codes:
        with open(a.codes, 'w') as out:
            out.write(''.join(c + '\n' for c in sorted(codes)))
    print(json.dumps({'seconds': statistics.median(times), 'runs': times,
                      'vertices': len(vs), 'edges': len(edges),
                      'regions': len(codes)}))


if __name__ == '__main__':
    main()
