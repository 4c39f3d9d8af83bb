#!/bin/bash
# Run every test: the default build, again under ASan + UBSan, the clang-14
# build's unit tier, and a libFuzzer smoke run. Installs what it needs first
# (as root). The kvm and examples tiers run on /dev/kvm where this host has
# a usable one, else inside KVM-in-QEMU (scripts/vm-run.sh; LV_KVM_VM=1
# forces that path here too). Ends with a summary (tests/tools/summary.py):
# passed/failed/skipped per label, every skip with its reason, where the kvm
# tier ran, and a total line. Exit status non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
JOBS=${JOBS:-$(nproc)}
LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT
status=0
runs=0
results=()

# run_ctest <name> <build dir> <ctest args...>: run, keep the results for the summary.
run_ctest() {
	local name=$1 dir=$2
	shift 2
	runs=$((runs + 1))
	results+=("$name" "$dir" "$LOGDIR/$runs.xml")
	echo "=== test: $name"
	if ! ctest "$@" --output-junit "$LOGDIR/$runs.xml" 2>&1 | tee "$LOGDIR/$runs.log"; then
		status=1
	fi
	# tee hides ctest's status: a summary without "0 tests failed" is a failure.
	grep -q ' 0 tests failed out of' "$LOGDIR/$runs.log" || status=1
}

for preset in default asan; do
	echo "=== build: $preset"
	cmake --preset "$preset" >/dev/null
	cmake --build --preset "$preset" -j "$JOBS"
	dir=build
	[ "$preset" = default ] || dir=build-$preset
	run_ctest "$preset" "$dir" --preset "$preset" -j "$JOBS" --timeout 900
done

# clang 14 must build warning-free too; its unit tier runs as a check.
echo "=== build: clang"
cmake --preset clang >/dev/null
cmake --build --preset clang -j "$JOBS"
run_ctest "clang-unit" build-clang --preset clang -j "$JOBS" -L unit

# Fuzz smoke: each libFuzzer target (clang, ASan + UBSan) for a few seconds.
echo "=== build: fuzz"
cmake --preset fuzz -DLV_FUZZ_SMOKE_SECONDS="${LV_FUZZ_SMOKE_SECONDS:-15}" >/dev/null
cmake --build --preset fuzz -j "$JOBS" --target fuzz_x86_emul fuzz_guest_walk fuzz_exit_vmx \
	fuzz_exit_svm
run_ctest "fuzz-smoke" build-fuzz --preset fuzz -R '^decode_fuzz_' --timeout 300

# The summary: per label, every skip with its reason, where the kvm tier
# ran; its last line is the total.
echo
if [ $status -eq 0 ]; then
	echo "all $runs ctest runs passed"
else
	echo "some ctest runs FAILED"
fi
python3 tests/tools/summary.py "${results[@]}" || status=1
exit $status
