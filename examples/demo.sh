#!/bin/sh
# The main job on a shipped example: installs what is missing and builds
# (tools/bootstrap.sh), then shows a network, the code of a point, that
# code's cell with its facets and neighbours, and an adjacency check.
set -eu
cd "$(dirname "$0")/.."
tools/bootstrap.sh build
pv=build/polyverify
net=examples/demo.pvnet
run() { echo; echo "\$ polyverify $*"; "$pv" "$@"; }
run info $net
run code $net --point 1/4,1/3
run cell $net --code 1100\|10
run cell $net --code 0100\|00 --json
run adjacency-check $net --code 0100\|00 --code 1100\|10
run adjacency-check $net --code 0100\|00 --code 0000\|00
