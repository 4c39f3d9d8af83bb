#!/bin/sh
# SPDX-License-Identifier: MIT
# User-space instructions per IO exit spent inside libvcpu (target <= 150).
# Usage: bench/kvm/callgrind.sh BUILD_DIR [EXITS]
# Runs `bench_kvm --exits N` under callgrind collecting only while
# lv_vcpu_run() is on the stack, then splits the cost into libvcpu code and
# the rest (libc's ioctl() wrapper; the kernel is not counted).
set -eu
build=${1:?usage: callgrind.sh BUILD_DIR [EXITS]}
n=${2:-10000}
out=$(mktemp /tmp/lv_callgrind.XXXXXX)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --toggle-collect=lv_vcpu_run --callgrind-out-file="$out" \
	"$build/bench/bench_kvm" --exits "$n" >/dev/null 2>&1
callgrind_annotate --inclusive=no "$out" 2>/dev/null | awk -v n="$n" '
	/file:function/ { on = 1; next }
	on && /^ *[0-9,]+ / {
		v = $1; gsub(",", "", v)
		if ($0 ~ /libc\.so|ld-linux/) other += v; else lib += v
	}
	/^-- Auto-annotated/ { on = 0 }
	END {
		printf "instructions per exit: libvcpu %.1f, libc ioctl wrapper %.1f (target: libvcpu <= 150)\n", lib / n, other / n
	}'
