#!/bin/sh
# SPDX-License-Identifier: MIT
# Inside the test VM (scripts/vm-run.sh --kvm none): load lv_linux.ko, run
# the conformance suite through debugfs while two user processes check
# their own XMM/YMM registers (fpu_check), unload, and judge:
#   - no case fails; the only skip allowed is the QEMU TCG limit the ring-0
#     test kernel skips too (debug_breakpoint);
#   - the two-CPU cases really ran on two CPUs (parallel_cross_cpu > 0)
#     and kicks were sent;
#   - both fpu_check processes ran rounds and never saw a register change;
#   - the unload left EFER.SVME as found on every CPU and nothing of the
#     platform seam outstanding.
# Usage: suite.sh LV_LINUX_KO FPU_CHECK
set -u
ko=$1 chk=$2
. "$(dirname "$0")/lib.sh"
if ! insmod "$ko"; then
	dmesg | tail -n 20
	echo "CHECK FAILED: insmod lv_linux.ko"
	exit 1
fi
dmesg | grep 'lv_linux: SVM'
"$chk" a >/tmp/chk.a & pa=$!
"$chk" b >/tmp/chk.b & pb=$!
t0=$(date +%s)
echo all >$d/conformance || bad "the conformance run did not start"
t1=$(date +%s)
kill -TERM $pa $pb
wait $pa; ra=$?
wait $pb; rb=$?
cat $d/conformance | tee /tmp/out
echo "suite: $((t1 - t0)) s in the guest"
cat /tmp/chk.a /tmp/chk.b
rmmod lv_linux || bad "rmmod lv_linux"
unload=$(dmesg | grep 'lv_linux: unloaded')
echo "$unload"
if dmesg | grep -qE 'BUG:|WARNING:|Call Trace:|RCU stall|soft lockup'; then
	dmesg | grep -A 20 -E 'BUG:|WARNING:|RCU stall|soft lockup' | head -n 60
	bad "the kernel logged a bug, warning or stall"
fi

total=$(grep '^TOTAL ' /tmp/out)
[ -n "$total" ] || bad "no TOTAL line"
field() { echo "$total" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
[ "$(field fail)" = 0 ] || bad "cases failed"
grep '^FAIL ' /tmp/out >/dev/null && bad "FAIL lines"
[ "$(field pass)" -gt 0 ] 2>/dev/null || bad "no case passed"
if grep '^SKIP ' /tmp/out | grep -v '^SKIP debug_breakpoint: QEMU 7.2 TCG' >/dev/null; then
	bad "a skip that is not the known QEMU TCG limit"
fi
[ "$(field parallel_cross_cpu)" -gt 0 ] 2>/dev/null || bad "no two-CPU case ran on two CPUs"
[ "$(field kicks)" -gt 0 ] 2>/dev/null || bad "no kick was sent"
[ $ra -eq 0 ] && [ $rb -eq 0 ] || bad "fpu_check saw a changed register (or ran no round)"
echo "$unload" | grep -q 'left as found on \([0-9]*\) of \1 CPUs' || bad "EFER.SVME not as found"
echo "$unload" | grep -q 'seam outstanding: 0 page blocks, 0 objects' || bad "the seam leaked"
[ $status -eq 0 ] && echo "linux_conformance: OK"
exit $status
