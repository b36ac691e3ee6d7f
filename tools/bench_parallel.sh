#!/bin/sh
# Issue 19's measurements (a benchmark, not a timed test): the speed-up of
# `polyverify enumerate` from 1 to 2 threads and from 1 to 2 MPI processes
# on the peers' nets [3,64,64,1] and [4,32,32,1] in [-1,1]^m, in one run
# (ratios: the machines are shared), the memory of each process, and that
# every run printed the same bytes. With --big, also a run of more than
# 10^6 cells (a 3 -> 280 -> 1 net of random planes through the box, written
# here with a fixed seed) on every core.
#
# Usage: tools/bench_parallel.sh [--big] [BUILD]   (cwd = project root;
# BUILD defaults to build; needs ../shared/bench/peers and, for the MPI
# rows, mpirun and a build with Open MPI)
set -eu
big=0
if [ "${1:-}" = --big ]; then big=1; shift; fi
pv=${1:-build}/polyverify
peers=${PV_PEERS:-../shared/bench/peers}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpirun="mpirun --oversubscribe --allow-run-as-root --bind-to none"

# secs NAME CMD...: runs CMD, stdout to $tmp/NAME.out; prints the seconds.
secs() {
    name=$1
    shift
    t0=$(date +%s.%N)
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || {
        echo "FAILED: $*" >&2; cat "$tmp/$name.err" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }'
}

# The largest resident set of any process of a run (KB): /usr/bin/time
# per process writes "rss KB" lines into the .err file.
rss() { grep -o 'rss [0-9]*' "$tmp/$1.err" | awk '$2 > m { m = $2 } END { print m + 0 }'; }

have_mpi=0
if command -v mpirun >/dev/null 2>&1 &&
   ! $mpirun -np 2 "$pv" enumerate examples/demo.pvnet --box -2,2 --max-cells 2 \
       2>&1 | grep -q 'no MPI'; then
    have_mpi=1
fi
# every process under /usr/bin/time: its peak resident set into stderr
# (Debian's package `time`; without it the memory column reads 0)
T=$tmp/timed
if [ -x /usr/bin/time ]; then
    printf '#!/bin/sh\nexec /usr/bin/time -f "rss %%M" "$@"\n' >"$T"
else
    printf '#!/bin/sh\nexec "$@"\n' >"$T"
fi
chmod +x "$T"
printf '%-16s %8s | %8s %8s %6s | %8s %8s %6s | %s\n' net cells \
    '1 thr s' '2 thr s' ratio '1 proc s' '2 proc s' ratio 'MB/process (1, 2 procs)'
for net in n3_64_64_1_s0 n4_32_32_1_s0; do
    f=$peers/$net.onnx
    if [ ! -f "$f" ]; then echo "$net: not found in $peers (skipped)"; continue; fi
    args="enumerate $f --box -1,1 --json --no-points"
    a=$(secs t1 $T "$pv" $args --threads 1)
    b=$(secs t2 $T "$pv" $args --threads 2)
    cmp -s "$tmp/t1.out" "$tmp/t2.out" || { echo "$net: 2 threads printed other bytes"; exit 1; }
    cells=$(grep -m1 '"cells"' "$tmp/t1.out" | tr -dc 0-9)
    if [ $have_mpi = 1 ]; then
        c=$(secs m1 $mpirun -np 1 $T "$pv" $args --threads 1)
        d=$(secs m2 $mpirun -np 2 $T "$pv" $args --threads 1)
        cmp -s "$tmp/t1.out" "$tmp/m2.out" || { echo "$net: 2 processes printed other bytes"; exit 1; }
        mem="$(($(rss m1) / 1024)), $(($(rss m2) / 1024))"
    else
        c=- d=- mem="$(($(rss t1) / 1024)) (no MPI)"
    fi
    printf '%-16s %8s | %8s %8s %6s | %8s %8s %6s | %s\n' "$net" "$cells" "$a" "$b" \
        "$(echo "$a $b" | awk '{ printf "%.2f", $1 / $2 }')" "$c" "$d" \
        "$(echo "$c $d" | awk '$2 > 0 { printf "%.2f", $1 / $2 }')" "$mem"
done
echo "(ratio: 1-worker time / 2-worker time; every run printed the same bytes)"

if [ $big = 1 ]; then
    # 280 random planes through [-1,1]^3 and a linear output: more than
    # 10^6 cells (of the sum of C(280, i), i <= 3, those where the planes meet
    # inside the box)
    awk 'BEGIN {
        srand(1); k = 280
        print "# tools/bench_parallel.sh: 3 -> 280 -> 1, random planes through [-1,1]^3"
        print "pvnet 1"; print "input 3"; print "layer relu " k
        for (i = 0; i < k; i++) {
            s = 0; line = ""
            for (j = 0; j < 3; j++) { w = 2 * rand() - 1; s += (w < 0 ? -w : w); line = line sprintf("%.4f ", w) }
            print line; b[i] = sprintf("%.4f", (1.2 * rand() - 0.6) * s)
        }
        line = "bias"; for (i = 0; i < k; i++) line = line " " b[i]; print line
        print "layer linear 1"; line = ""
        for (i = 0; i < k; i++) line = line sprintf("%.4f ", 2 * rand() - 1); print line
        print "bias 0"
    }' >"$tmp/big.pvnet"
    s=$(secs big $T "$pv" enumerate "$tmp/big.pvnet" --box -1,1 --json --no-points)
    cells=$(grep -m1 '"cells"' "$tmp/big.out" | tr -dc 0-9)
    echo "big: 3-280-1 in [-1,1]^3: $cells cells in $s s on every core," \
         "$(($(rss big) / 1024)) MB"
fi
