#!/bin/sh
# SPDX-License-Identifier: MIT
# --trace prints one line per exit and --stats a table whose counts add up:
# the number of trace lines must equal the exit total in the statistics.
# Usage: trace_stats.sh VCPU_RUN GUEST WORKDIR [svm|vmx]
# (CTest runs it through scripts/vm-run.sh: where KVM is; with a ring-0
# backend, here: the kernel's trace lines and numbers come back through
# vcpu-run.)
set -u
vmm=$1 guest=$2 work=$3
[ -n "${4:-}" ] && set -- -b "$4" || set --
[ $# -gt 0 ] && echo "where: this host (no KVM needed: vcpu-run $* runs the ring-0 test kernel under an emulator)"
mkdir -p "$work" || exit 1
timeout 120 "$vmm" "$@" --trace --stats "$guest" >"$work/ts.out" 2>"$work/ts.err"
status=$?
cat "$work/ts.err" | tail -n 12
fail=0
[ "$status" -eq 37 ] || { echo "FAIL: exit status $status, expected 37"; fail=1; }
lines=$(grep -c '^\[ *[0-9]*\] rip=' "$work/ts.err")
total=$(sed -n 's/^exit statistics: \([0-9]*\) exits.*/\1/p' "$work/ts.err")
mmio=$(grep -c 'rip=.* MMIO ' "$work/ts.err")
mmio_stat=$(sed -n 's/^  MMIO  *\([0-9]*\) .*/\1/p' "$work/ts.err")
echo "trace lines: $lines, statistics total: $total, MMIO lines: $mmio, MMIO count: $mmio_stat"
[ -n "$total" ] && [ "$lines" -eq "$total" ] || { echo "FAIL: trace lines != exit total"; fail=1; }
[ "$lines" -gt 100 ] || { echo "FAIL: too few exits traced"; fail=1; }
[ -n "$mmio_stat" ] && [ "$mmio" -eq "$mmio_stat" ] || { echo "FAIL: MMIO count"; fail=1; }
grep -q 'out port=0x3f8 size=1 count=1 data=0x48' "$work/ts.err" ||
	{ echo "FAIL: no trace line for the first 'H' written to the UART"; fail=1; }
grep -q 'write gpa=0xfec00000 size=4' "$work/ts.err" ||
	{ echo "FAIL: no trace line for the IOREGSEL write"; fail=1; }
grep -q 'debug-exit 1, fw_cfg 0, other 1$' "$work/ts.err" ||
	{ echo "FAIL: port access counts"; fail=1; }
grep -q 'mmio: ioapic 18, unassigned 5' "$work/ts.err" ||
	{ echo "FAIL: device access counts"; fail=1; }
[ $fail -eq 0 ] && echo PASS
exit $fail
