#!/bin/sh
# SPDX-License-Identifier: MIT
# Stopping a guest that never ends: --timeout (status 124) or Ctrl-C
# (SIGINT: the handler kicks the vCPU; status 130). The guest's command line
# "spin" makes it loop forever after its greeting.
# Usage: signals.sh VCPU_RUN GUEST WORKDIR timeout|sigint [svm|vmx]
# (CTest runs it through scripts/vm-run.sh: where KVM is; with a ring-0
# backend, here: vcpu-run stops its emulator. The timeout is then 5 s, as
# the emulator boots first.)
set -u
vmm=$1 guest=$2 work=$3 mode=$4 backend=${5:-}
limit=0.5
[ -n "$backend" ] && set -- -b "$backend" && limit=5 || set --
mkdir -p "$work" || exit 1
[ -n "$backend" ] && echo "where: this host (no KVM needed: vcpu-run -b $backend runs the ring-0 test kernel under an emulator)"
out="$work/$mode.out" err="$work/$mode.err"
case $mode in
timeout)
	timeout 60 "$vmm" "$@" --timeout $limit -a spin "$guest" >"$out" 2>"$err"
	status=$?
	want=124 msg="timeout after $limit s"
	;;
sigint)
	# A background job of a non-interactive shell ignores SIGINT unless it
	# resets the disposition; vcpu-run installs its own handler anyway.
	"$vmm" "$@" -a spin "$guest" >"$out" 2>"$err" &
	pid=$!
	i=0
	while ! grep -q spinning "$out" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2
	kill -INT $pid
	wait $pid
	status=$?
	want=130 msg='interrupted; stopping the guest'
	;;
*)
	echo "unknown mode $mode"
	exit 1
	;;
esac
echo "exit status $status (expected $want)"
cat "$out" "$err"
fail=0
[ "$status" -eq "$want" ] || { echo "FAIL: exit status"; fail=1; }
grep -q -F "$msg" "$err" || { echo "FAIL: no '$msg' on stderr"; fail=1; }
grep -q -F "spinning forever" "$out" || { echo "FAIL: the guest did not start"; fail=1; }
grep -q -e 'AddressSanitizer' -e 'runtime error' "$err" && { echo "FAIL: sanitizer report"; fail=1; }
[ $fail -eq 0 ] && echo PASS
exit $fail
