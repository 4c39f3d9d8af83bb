#!/bin/sh
# Run every test: the default build, then again under ASan + UBSan.
# Installs what it needs first (as root). Exit status non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
JOBS=${JOBS:-$(nproc)}
status=0
for preset in default asan; do
	echo "=== build: $preset"
	cmake --preset "$preset" >/dev/null
	cmake --build --preset "$preset" -j "$JOBS"
	echo "=== test: $preset"
	if ! ctest --preset "$preset" -j "$JOBS" --timeout 900; then
		status=1
	fi
done
# clang 14 must build warning-free too; its unit tier runs as a check.
echo "=== build: clang"
cmake --preset clang >/dev/null
cmake --build --preset clang -j "$JOBS"
if ! ctest --preset clang -j "$JOBS" -L unit; then
	status=1
fi
if [ $status -eq 0 ]; then
	echo "all test runs passed"
else
	echo "some tests FAILED"
fi
exit $status
