#!/bin/sh
# SPDX-License-Identifier: MIT
# A damaged guest image must be refused with a clear message and exit status
# 2, never a crash. Usage: expect_fail.sh VCPU_RUN ELF_MANGLE KIND GUEST WORKDIR REGEX
set -u
vmm=$1 mangle=$2 kind=$3 guest=$4 work=$5 regex=$6
mkdir -p "$work" || exit 1
bad="$work/$kind.elf"
"$mangle" "$kind" "$guest" "$bad" || { echo "FAIL: cannot build the damaged image"; exit 1; }
"$vmm" -m 128 "$bad" >"$work/$kind.out" 2>"$work/$kind.err"
status=$?
echo "vcpu-run exit status: $status"
echo "stderr:"; cat "$work/$kind.err"
if [ "$status" -ne 2 ]; then
	echo "FAIL: expected exit status 2 (load error)"
	exit 1
fi
if grep -q -e 'AddressSanitizer' -e 'runtime error' "$work/$kind.err"; then
	echo "FAIL: sanitizer report"
	exit 1
fi
if ! grep -E -q -- "$regex" "$work/$kind.err"; then
	echo "FAIL: stderr does not match: $regex"
	exit 1
fi
if [ -s "$work/$kind.out" ]; then
	echo "FAIL: guest output appeared although loading failed"
	exit 1
fi
echo "PASS"
