#!/bin/sh
# The CIFAR-10 targets of issue 15 (a benchmark, not a test), on oval21's
# cifar_base_kw (VNN-COMP 2021; 3072 inputs, 3172 ReLUs): each question's
# wall time and peak memory against the issue's target, in one table.
# Builds first (bootstrap).
#
#   sh tools/bench_cifar.sh [NET]
#
# NET defaults to cifar_base_kw.onnx in the corpus (tools/fetch_corpus.md);
# cifar_wide_kw / cifar_deep_kw take the same points. $PV_CORPUS: the
# corpus, default /work/corpus. $PV_CELL_TIMEOUT: seconds before the cell
# row gives up (default 900). Writes bench/results/cifar.txt.
#
# Points: tools/cifar_points.py, 1000 rows in the net's input space: 130
# real CIFAR-10 test images (ERAN's 100, oval21's 30 property centres) and
# 870 points drawn from oval21's 30 property boxes (near-images).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
sh tools/bootstrap.sh build >/dev/null
corpus=${PV_CORPUS:-/work/corpus}
N=${1:-$corpus/stanleybak+vnncomp2021/benchmarks/oval21/nets/cifar_base_kw.onnx}
V=$corpus/ChristopherBrix+vnncomp2022_benchmarks/benchmarks/oval21/vnnlib
E=$corpus/eth-sri+eran/data/cifar10_test.csv
cell_timeout=${PV_CELL_TIMEOUT:-900}
pv=build/polyverify
out=bench/results/cifar.txt
pts=/tmp/pv_bench_cifar.$$.csv
err=/tmp/pv_bench_cifar.$$.err
mkdir -p bench/results
python3 tools/cifar_points.py "$V" "$E" 1000 > "$pts"

# One row: name, target in seconds, then the command. Wall clock and peak
# RSS by /usr/bin/time when present (the machine may be shared: compare rows
# of one run). Sets $secs for the rows that derive a rate from it.
row() {
    name=$1 target=$2
    shift 2
    t0=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
        if /usr/bin/time -f '%M' -o "$err.rss" "$@" >/dev/null 2>"$err"; then status=ok
        else status="exit $?"; fi
        mb=$(awk 'END { printf "%.0f", $1 / 1024 }' "$err.rss" 2>/dev/null || echo '?')
    else
        if "$@" >/dev/null 2>"$err"; then status=ok; else status="exit $?"; fi
        mb='?'
    fi
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    verdict=$(awk -v s="$secs" -v t="$target" 'BEGIN { print (s < t) ? "met" : "NOT met" }')
    [ "$status" = ok ] || verdict="failed"
    printf '%-46s %9.2f s %7s MB   target < %5s s   %-7s %s\n' "$name" "$secs" "$mb" \
        "$target" "$verdict" "$status" | tee -a "$out"
    [ "$status" = ok ] || sed -n '1,3s/^/    /p' "$err" | tee -a "$out"
}

: > "$out"
echo "polyverify issue-15 CIFAR-10 targets, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs," \
     "$(git rev-parse --short HEAD)" | tee -a "$out"
echo "net: ${N#"$corpus"/}" | tee -a "$out"
row "info (load)" 5 $pv info "$N"
load=$secs
row "code --points, 1000 points (with loading)" $(awk -v l="$load" 'BEGIN { print l + 1 }') \
    $pv code "$N" --points "$pts" --label-column 0 --json
if [ "$status" = ok ]; then
    awk -v a="$secs" -v l="$load" 'BEGIN { d = a - l; printf "    codes alone (minus the load): %.2f s, %.0f points/s (target >= 1000)\n", d, (d > 0 ? 1000 / d : 0) }' | tee -a "$out"
fi
# The issue asks for realised + dimension; cell has no option limiting it
# to those today, so this row is the whole cell (facets too).
row "cell --point (image 0: realised, dim, facets)" 60 \
    $pv cell "$N" --point "$pts:0" --label-column 0 --json --timeout "$cell_timeout"
echo "points: 100 ERAN test images, 30 oval21 centres, 870 drawn from oval21's boxes" \
     "(tools/cifar_points.py)" | tee -a "$out"
rm -f "$pts" "$err" "$err.rss"
