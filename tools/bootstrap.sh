#!/bin/sh
# Installs what polyverify needs from Debian 12 packages (when missing) and
# builds it. Usage: tools/bootstrap.sh [BUILD_DIR [meson options...]]
# Safe to run repeatedly: it installs nothing that is already there and
# rebuilds only what changed.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
[ $# -gt 0 ] && shift

pkgs="gcc libc6-dev meson ninja-build pkg-config libgmp-dev libglpk-dev libcdd-dev libcairo2-dev python3 lrslib protobuf-c-compiler libprotobuf-c-dev libonnx-dev zlib1g-dev libopenblas-serial-dev"
# Scale-out over MPI ranks (cli/mpi.c; optional, -Dmpi=disabled leaves it out).
pkgs="$pkgs openmpi-bin libopenmpi-dev"
# The Python package (python/) for Debian's /usr/bin/python3, and what its
# tests and examples use: numpy, torch, onnx (from_torch's export check),
# networkx, matplotlib, pytest, tqdm (progress bars).
pkgs="$pkgs python3-dev python3-numpy python3-torch python3-onnx python3-networkx python3-matplotlib python3-pytest python3-tqdm"
# The paper experiments (verify/paper/): scikit-learn (toy tasks, digits,
# PCA), umap-learn (Figure 2), Fashion-MNIST (the full Figure 1 and 2 runs).
pkgs="$pkgs python3-sklearn umap-learn dataset-fashion-mnist"
# tools/fuzz.sh: clang with libFuzzer, whose runtime (libclang_rt.fuzzer)
# is in libclang-rt-14-dev, only recommended by clang-14.
pkgs="$pkgs clang libclang-rt-14-dev"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "bootstrap: installing$missing" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "bootstrap: run as root (or install:$missing)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends $missing >&2
fi

cd "$here"
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$@" >&2
elif [ $# -gt 0 ]; then
    meson configure "$build" "$@" >&2    # options given again take effect
fi
ninja -C "$build" >&2
# `import polyverify` for /usr/bin/python3 (and the polyverify and pvcheck
# programs on the PATH, which polyverify.check runs): installed from the
# main build, as root, into /usr/local (Debian's python3 reads
# /usr/local/lib/python3/dist-packages). Other build directories (the
# sanitizer and user-style builds of tools/test.sh) are not installed.
if [ "$build" = build ] && [ "$(id -u)" -eq 0 ] && [ -d "$build/python/polyverify" ]; then
    meson install -C "$build" --no-rebuild --quiet --tags runtime,python-runtime >&2
fi
