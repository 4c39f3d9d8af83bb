#!/bin/sh
# The main job: install what is needed, build, and run the demo.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
./build/examples/lv-probe
