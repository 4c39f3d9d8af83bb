#!/bin/sh
# SPDX-License-Identifier: MIT
# vcpu-run -b svm|vmx without its emulator in PATH: one clear line on
# stderr, exit status 127, no guest output.
# Usage: no_emulator.sh VCPU_RUN GUEST WORKDIR svm|vmx EMULATOR_NAME
set -u
vmm=$1 guest=$2 work=$3 backend=$4 name=$5
mkdir -p "$work" || exit 1
echo "where: this host (no KVM needed: vcpu-run -b $backend stops before starting an emulator)"
PATH=/nonexistent "$vmm" -b "$backend" "$guest" >"$work/out" 2>"$work/err"
status=$?
echo "exit status $status (expected 127)"
cat "$work/err"
fail=0
[ "$status" -eq 127 ] || { echo "FAIL: exit status"; fail=1; }
[ "$(wc -l <"$work/err")" -eq 1 ] || { echo "FAIL: not one line"; fail=1; }
grep -q -F "needs $name, which is not installed" "$work/err" || { echo "FAIL: message"; fail=1; }
[ -s "$work/out" ] && { echo "FAIL: output on stdout"; fail=1; }
[ $fail -eq 0 ] && echo PASS
exit $fail
