#!/bin/sh
# Fuzzes polyverify's parsers with libFuzzer (fuzz/README.md).
#
#     tools/fuzz.sh [SECONDS] [HARNESS...]
#
# Builds the harnesses in build-fuzz (CC=clang, AddressSanitizer +
# UndefinedBehaviorSanitizer, configured on first use), replays the saved
# reproducers of fixed bugs (fuzz/regressions/HARNESS/), then runs each
# harness for SECONDS (default 600) on a scratch copy of its seed corpus
# (fuzz/corpus/HARNESS, which the run never grows, and the malformed inputs
# of its format from tests/bad), one after the other,
# in one process each. Harnesses: pvnet nnet onnx code point csv pvcheck
# (default: all). Prints one line per harness: executions, exec/s, coverage
# and the artifacts found (crash-*, leak-*, timeout-*, oom-* in
# build-fuzz/fuzz-work/HARNESS/artifacts/). Exit status non-zero if any
# regression fails or any run leaves an artifact.
#
# Environment: FUZZ_FLAGS, extra libFuzzer flags for every run (e.g.
# FUZZ_FLAGS=-seed=1); CC, the compiler (default clang).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
build=build-fuzz
all="pvnet nnet onnx code point csv pvcheck"

seconds=600
case "${1:-}" in
    ''|*[!0-9]*) ;;
    *) seconds=$1; shift ;;
esac
harnesses=${*:-$all}
for h in $harnesses; do
    case " $all " in
        *" $h "*) ;;
        *) echo "fuzz.sh: unknown harness '$h' (one of: $all)" >&2; exit 2 ;;
    esac
done

# Longest input per format: room to grow past the largest seed, small
# enough that the fuzzer does not waste its time on huge inputs.
max_len() {
    case $1 in
        code|point) echo 4096 ;;
        nnet) echo 65536 ;;
        onnx) echo 32768 ;;
        *) echo 16384 ;;
    esac
}

if [ ! -f "$build/build.ninja" ]; then
    CC=${CC:-clang} meson setup "$build" -Dfuzz=true \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debugoptimized >&2 || exit 1
fi
targets=""
for h in $harnesses; do
    targets="$targets fuzz/fuzz_$h"
done
ninja -C "$build" $targets >&2 || exit 1

export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS=suppressions=$here/tools/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
failed=0

# The reproducers of fixed bugs: libFuzzer runs each given file once.
for h in $harnesses; do
    dir=fuzz/regressions/$h
    [ -d "$dir" ] || continue
    files=$(find "$dir" -type f | sort)
    [ -n "$files" ] || continue
    n=$(echo "$files" | wc -l)
    log=$build/fuzz-work/regressions-$h.log
    mkdir -p "$build/fuzz-work"
    # shellcheck disable=SC2086  # file names have no blanks
    if "$build/fuzz/fuzz_$h" -close_fd_mask=1 \
        -artifact_prefix="$build/fuzz-work/regression-" $files >"$log" 2>&1; then
        printf 'fuzz: %-8s regressions: %d reproducers pass\n' "$h" "$n"
    else
        printf 'fuzz: %-8s regressions: FAILED (see %s)\n' "$h" "$log"
        failed=1
    fi
done

# The malformed-input corpus of the same format (tests/bad, prefix by
# format) joins the scratch corpus: seeds that start on the error paths.
bad_prefix() {
    case $1 in
        pvnet|nnet|onnx) echo "$1" ;;
        csv) echo points ;;
        pvcheck) echo cert ;;
    esac
}

# Value of libFuzzer's final "stat::NAME: value" line in a log.
final_stat() {
    sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

for h in $harnesses; do
    work=$build/fuzz-work/$h
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp fuzz/corpus/"$h"/* "$work/corpus/"
    prefix=$(bad_prefix "$h")
    if [ -n "$prefix" ]; then
        cp tests/bad/"$prefix"-* "$work/corpus/" 2>/dev/null || true
    fi
    dict=""
    [ -f "fuzz/$h.dict" ] && dict="-dict=fuzz/$h.dict"
    # pvcheck prints a line per claim and per malformed input: silence its
    # stdout and stderr (libFuzzer keeps its own reports).
    mask=1
    [ "$h" = pvcheck ] && mask=3
    start=$(date +%s)
    # shellcheck disable=SC2086  # $dict and $FUZZ_FLAGS are word lists
    "$build/fuzz/fuzz_$h" "$work/corpus" $dict \
        -max_total_time="$seconds" -max_len="$(max_len "$h")" \
        -timeout=10 -rss_limit_mb=2048 -close_fd_mask=$mask \
        -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
        ${FUZZ_FLAGS:-} >"$work/fuzz.log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    found=$(find "$work/artifacts" -type f \( -name 'crash-*' -o \
            -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    execs=$(final_stat number_of_executed_units "$work/fuzz.log")
    speed=$(final_stat average_exec_per_sec "$work/fuzz.log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/fuzz.log" | tail -n 1)
    printf 'fuzz: %-8s %10s execs %7s exec/s %5ss  %-22s artifacts: %d\n' \
        "$h" "${execs:-?}" "${speed:-?}" "$took" "${cov:-cov: ?}" "$found"
    if [ "$found" -gt 0 ] || [ "$rc" -ne 0 ]; then
        find "$work/artifacts" -type f | sed 's/^/fuzz:     /'
        echo "fuzz:     log: $work/fuzz.log (exit status $rc)"
        failed=1
    fi
done
exit $failed
