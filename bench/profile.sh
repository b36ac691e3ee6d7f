#!/bin/sh
# Where (a)'s time goes: perf profiles of pv_cell_compute at m=100 [64,64]
# and m=784 [256,256], realised+dim and all facets, summarised by
# bench/perf_summary.py (see bench/PROFILE.md for the last results).
#
#   sh bench/profile.sh [OUTDIR]     (perf.data files kept in OUTDIR)
#
# pvbench runs part (a) alone (--parts a --a-only ...) in a forked process;
# perf follows it, and the summary keeps the process with the most samples.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-/tmp/pvbench-profile}
data=${PV_DATA:-$root/../shared/data}
mkdir -p "$out"
ninja -C build >/dev/null

prof() {
    name=$1 freq=$2
    shift 2
    echo "== $name: perf record --call-graph dwarf,16384 -F $freq -- build/bench/pvbench --parts a $*"
    perf record --call-graph dwarf,16384 -F "$freq" -o "$out/$name.data" -- \
        build/bench/pvbench --data "$data" --parts a "$@" 2>/dev/null |
        awk '/^m=/ && !seen { print "   " $0; seen = 1 }'
    perf script -i "$out/$name.data" 2>/dev/null | python3 bench/perf_summary.py --top 12
    echo
}

prof m100-dim     999 --only "m=100 [64,64]"   --a-only dim    --queries 2000
prof m100-facets  999 --only "m=100 [64,64]"   --a-only facets --queries 200
prof m784-dim     999 --only "m=784 [256,256]" --a-only dim    --queries 100
prof m784-facets  499 --only "m=784 [256,256]" --a-only facets --queries 5
