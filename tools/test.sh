#!/bin/sh
# The whole test suite: installs and builds first (tools/bootstrap.sh), then
# runs the tests twice, in an optimised build and under AddressSanitizer +
# UndefinedBehaviorSanitizer (leak checking on), then builds polyverify as
# users do — gcc with --buildtype=release, and clang — and a short fuzzing
# run of the parsers (tools/fuzz.sh 10, with clang), and ends with the line
# "N passed, N failed". Exit status is non-zero on any failure. Warnings
# are errors here (-Dwerror=true), not in a user's default build.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
tools/bootstrap.sh build -Dwerror=true || exit 1
tools/bootstrap.sh build-asan -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions=$here/tools/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
passed=0
failed=0
for b in build build-asan; do
    echo "== meson test ($b)"
    if [ "$b" = build-asan ]; then
        # The sanitizer pass is about memory safety: it skips the tests that
        # run none of polyverify's C code (the Python oracle against lrs) or
        # that repeat the same calls at scale (the theorem-validation
        # experiment), and the others run lighter (PV_TEST_LIGHT).
        # The installed-library test (examples/c/ linked through
        # pkg-config) is about the optimised build's install. The Python
        # package's tests need the sanitizer runtime loaded before the
        # interpreter: they run in the optimised build only.
        PV_TEST_LIGHT=1 meson test -C "$b" --print-errorlogs --num-processes 2 \
            --no-suite oracle --no-suite experiment --no-suite install \
            --no-suite python "$@"
    else
        # Self-check: every cell, adjacency and enumeration answer the tests
        # read is first accepted by the independent checker (pvcheck).
        POLYVERIFY_SELF_CHECK=1 meson test -C "$b" --print-errorlogs \
            --num-processes 2 "$@"
    fi
    log="$b/meson-logs/testlog.json"
    if [ -f "$log" ]; then
        p=$(grep -c '"result": "OK"' "$log" || true)
        f=$(grep -vc '"result": "OK"\|"result": "SKIP"' "$log" || true)
        passed=$((passed + p))
        failed=$((failed + f))
    else
        failed=$((failed + 1))
    fi
done
# The builds users make: gcc's release build (-O3 finds other warnings),
# one without the optional features, and clang. Each counts as one test.
build_as_user() {
    name=$1
    shift
    echo "== build: $name"
    if [ ! -f "build-$name/build.ninja" ]; then
        "$@" -Dwerror=true "build-$name" >"build-$name.log" 2>&1 || {
            cat "build-$name.log"; failed=$((failed + 1)); return; }
    fi
    if ninja -C "build-$name" >"build-$name.log" 2>&1; then
        passed=$((passed + 1))
    else
        tail -40 "build-$name.log"
        failed=$((failed + 1))
    fi
}
build_as_user release meson setup --buildtype=release
# without the optional features (cairo, protobuf-c, OpenBLAS, Open MPI): everything
# else builds
build_as_user minimal meson setup -Dplot=disabled -Donnx=disabled -Dblas=disabled -Dmpi=disabled
if command -v clang >/dev/null 2>&1; then
    build_as_user clang env CC=clang meson setup
else
    echo "== build: clang skipped: no clang"
fi
# Fuzzing smoke run: every parser's libFuzzer harness for 10 s and the
# saved reproducers of fixed bugs (tools/fuzz.sh, fuzz/README.md), when
# clang is installed. It counts as one test.
if command -v clang >/dev/null 2>&1; then
    echo "== fuzz smoke run (tools/fuzz.sh 10)"
    if tools/fuzz.sh 10; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
else
    echo "== fuzz smoke run skipped: no clang"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
