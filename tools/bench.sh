#!/bin/sh
# The benchmark suite (issue 7) in one command: builds, runs bench/pvbench
# and keeps the table and its JSON.
#
#   sh tools/bench.sh [--quick] [--scaling] [--json FILE] [pvbench options]
#
#   (default)   full suite, about 15-30 min: He nets m=2..784, ACAS Xu,
#               MNIST, enumeration; writes bench/results/latest.{json,txt}
#   --quick     the same rows with fewer queries and shorter limits (under
#               3 min); writes bench/results/quick.{json,txt}
#   --scaling   time per cell as m and N grow; writes
#               bench/results/scaling.{json,txt}
#   --json FILE the JSON there instead (the table goes to FILE's .txt twin)
#   --targets   issue 17's targets against the best peers, each with its
#               measured ratio (about 15 min; --targets --quick about 5):
#               bench/results/targets17.txt. Berzins' peer rows need
#               PV_BERZINS=checkout of arturs-berzins/relu_edge_subdivision
#               (skipped with a message otherwise)
# Other options go to pvbench unchanged (see the top of bench/pvbench.c:
# --only, --parts, --queries, --naive-limit, --redund-limit, ...).
# Data: $PV_DATA, default ../shared/data next to the repository.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

case " $* " in
*" --targets "*)
    [ -d build ] || meson setup build
    ninja -C build
    quick=
    case " $* " in *" --quick "*) quick=--quick ;; esac
    mkdir -p bench/results
    exec python3 bench/targets17.py $quick --out bench/results/targets17.txt ;;
esac

json= mode=latest
n=$#
i=0
while [ "$i" -lt "$n" ]; do
    a=$1; shift; i=$((i + 1))
    case $a in
    --json)
        [ "$i" -lt "$n" ] || { echo "bench.sh: --json needs a file" >&2; exit 2; }
        json=$1; shift; i=$((i + 1)); continue ;;
    --quick) [ "$mode" = scaling ] || mode=quick ;;
    --scaling) mode=scaling ;;
    esac
    set -- "$@" "$a"
done
[ -n "$json" ] || json=bench/results/$mode.json
case $json in
*.json) txt=${json%.json}.txt ;;
*) txt=$json.txt ;;
esac
mkdir -p "$(dirname "$json")"

data=${PV_DATA:-$root/../shared/data}
[ -d "$data" ] || { echo "bench.sh: no data folder $data (set PV_DATA)" >&2; exit 2; }
command -v redund >/dev/null 2>&1 || echo "bench.sh: lrslib's redund not found: its column is skipped" >&2

[ -d build ] || meson setup build
ninja -C build

label=$(git describe --always --dirty 2>/dev/null || echo unknown)
status=$(mktemp)
{ build/bench/pvbench "$@" --data "$data" --label "$label" --json "$json"; echo $? >"$status"; } \
    | tee "$txt"
rc=$(cat "$status")
rm -f "$status"
[ "$rc" -eq 0 ] && echo "bench.sh: wrote $txt and $json"
exit "$rc"
