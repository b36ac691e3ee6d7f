#!/bin/sh
# ONNX graphs end to end: a small CNN and a ResNet block (train.py), on the
# 8x8 digits (digits10.csv: row k is the first image of digit k, label
# first, pixels 0..16; the networks take pixel/16).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
"$root/tools/bootstrap.sh" "$root/build" >/dev/null
pv="$root/build/polyverify"
cd "$here"
img="--label-column 0 --scale 1/16"
say() { printf '\n$ %s\n' "$*"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

for net in cnn resnet; do
    say polyverify info $net.onnx
    "$pv" info $net.onnx

    say polyverify code $net.onnx --points digits10.csv $img "(the bits of each image's code)"
    "$pv" code $net.onnx --points digits10.csv $img --json |
        json 'print("\n".join("digit %s: %d of %d bits on" % (p["label"], p["code"].count("1"), len(p["code"].replace("|", ""))) for p in d))'

    if [ $net = cnn ]; then   # the ResNet's facet listing is slow (README)
    say polyverify cell $net.onnx --point digits10.csv:3 $img
    "$pv" cell $net.onnx --point digits10.csv:3 $img --json > cell.json
    json 'print("realized", d["realized"], "dim", d["dim"], "facets", len(d["facets"]), "bounded", d["bounded"])' < cell.json

    nb=$(json 'print(d["facets"][0]["neighbor"])' < cell.json)
    say polyverify adjacency-check $net.onnx --point digits10.csv:3 $img --code "<its first neighbour>"
    code=$(json 'print(d["code"])' < cell.json)
    "$pv" adjacency-check $net.onnx --code "$code" --code "$nb" | sed -n '3,5p'
    fi

    say polyverify segment $net.onnx --point digits10.csv:0 --point digits10.csv:1 $img
    "$pv" segment $net.onnx --point digits10.csv:0 --point digits10.csv:1 $img --json |
        json 'print(d["cells"], "cells on the segment from digit 0 to digit 1")'

    say polyverify radius $net.onnx --point digits10.csv:0 $img
    "$pv" radius $net.onnx --point digits10.csv:0 $img | sed -n '1,4p'
done
rm -f cell.json

say polyverify plot cnn.onnx --slice-points digits10.csv:0,1,2 $img --color class -o cnn_slice.png
"$pv" plot cnn.onnx --slice-points digits10.csv:0,1,2 $img --color class -o cnn_slice.png
