#!/bin/sh
# SPDX-License-Identifier: MIT
# Inside the test VM (scripts/vm-run.sh --kvm none): the FPU contract, A
# against B under the same load. Two fpu_check processes at nice 0 (always
# runnable, so the suite's thread mostly takes a CPU from one of them, whose
# registers are then the live ones) while the suite's FPU cases, which load
# an XMM/YMM pattern in the kernel around each run, run 10 times each:
#   A  lv_linux.ko as it is (kernel_fpu_begin() around every run): the
#      cases pass and neither process ever sees a changed register;
#   B  lv_linux.ko fpu_unowned=1 (preemption off, FPU not owned): the
#      pattern lands in a user task's registers, and fpu_check must see it,
#      which shows that A's clean result means something.
# Usage: fpu_ab.sh LV_LINUX_KO FPU_CHECK [ROUNDS]
set -u
ko=$1 chk=$2 rounds=${3:-10}
. "$(dirname "$0")/lib.sh"

# phase NAME [MODULE PARAMETER]: sets $seen (0: nothing seen by either fpu_check)
phase() {
	name=$1
	shift
	insmod "$ko" "$@" || { bad "$name: insmod"; seen=x; return; }
	"$chk" "$name-1" 0 >/tmp/chk.1 & p1=$!
	"$chk" "$name-2" 0 >/tmp/chk.2 & p2=$!
	i=0
	while [ $i -lt "$rounds" ]; do
		for c in fpu_ymm_isolation fpu_xmm_isolation; do
			echo $c >$d/conformance
			[ "$name" = B ] || grep -q "^PASS $c" $d/conformance || bad "$name: $(head -n 1 $d/conformance)"
		done
		i=$((i + 1))
	done
	kill -TERM $p1 $p2
	wait $p1; r1=$?
	wait $p2; r2=$?
	cat /tmp/chk.1 /tmp/chk.2
	rmmod lv_linux || bad "$name: rmmod"
	seen=$((r1 + r2))
}

phase A
[ "$seen" = 0 ] || bad "A: a user process saw a changed register (or ran no round)"
phase B fpu_unowned=1
[ "$seen" != 0 ] || bad "B: fpu_check saw nothing while the module loaded registers it did not own"
[ $status -eq 0 ] && echo "linux_fpu_ab: OK"
exit $status
