#!/bin/bash
# Run every test: the default build, again under ASan + UBSan, the clang-14
# build's unit tier, and a libFuzzer smoke run. Installs what it needs first
# (as root). Prints a total line; exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
JOBS=${JOBS:-$(nproc)}
LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT
status=0
runs=0

# run_ctest <name> <ctest args...>: run, keep the output for the totals.
run_ctest() {
	local name=$1
	shift
	runs=$((runs + 1))
	echo "=== test: $name"
	if ! ctest "$@" 2>&1 | tee "$LOGDIR/$runs.log"; then
		status=1
	fi
	# tee hides ctest's status: a summary without "0 tests failed" is a failure.
	grep -q ' 0 tests failed out of' "$LOGDIR/$runs.log" || status=1
}

for preset in default asan; do
	echo "=== build: $preset"
	cmake --preset "$preset" >/dev/null
	cmake --build --preset "$preset" -j "$JOBS"
	run_ctest "$preset" --preset "$preset" -j "$JOBS" --timeout 900
done

# clang 14 must build warning-free too; its unit tier runs as a check.
echo "=== build: clang"
cmake --preset clang >/dev/null
cmake --build --preset clang -j "$JOBS"
run_ctest "clang (unit)" --preset clang -j "$JOBS" -L unit

# Fuzz smoke: each libFuzzer target (clang, ASan + UBSan) for a few seconds.
echo "=== build: fuzz"
cmake --preset fuzz -DLV_FUZZ_SMOKE_SECONDS="${LV_FUZZ_SMOKE_SECONDS:-15}" >/dev/null
cmake --build --preset fuzz -j "$JOBS" --target fuzz_x86_emul fuzz_guest_walk fuzz_exit_vmx \
	fuzz_exit_svm
run_ctest "fuzz smoke" --preset fuzz -R '^decode_fuzz_' --timeout 300

# Totals over every run. CTest counts skipped tests among the passed ones.
total=0 failed=0 skipped=0
for f in "$LOGDIR"/*.log; do
	line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$f" | tail -1 || true)
	if [ -n "$line" ]; then
		failed=$((failed + $(echo "$line" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')))
		total=$((total + $(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')))
	fi
	skipped=$((skipped + $(grep -c '(Skipped)' "$f" || true)))
done
passed=$((total - failed - skipped))
echo
if [ $status -eq 0 ]; then
	echo "all $runs test runs passed"
else
	echo "some tests FAILED"
fi
echo "total: $passed passed, $failed failed, $skipped skipped"
exit $status
