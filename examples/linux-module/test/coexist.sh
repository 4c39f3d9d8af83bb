#!/bin/sh
# SPDX-License-Identifier: MIT
# Inside the test VM (scripts/vm-run.sh --kvm stage): lv_linux.ko and
# kvm_amd take turns with SVM, never both at once.
#   1. kvm_amd with a live VM owns SVM (EFER.SVME set on every CPU): insmod
#      lv_linux.ko fails with EBUSY and one error line (per attempt).
#   2. With that VM gone the module loads; now KVM_CREATE_VM fails with
#      EBUSY (kvm_amd refuses a CPU whose EFER.SVME is already set), and
#      the module still runs guests afterwards.
#   3. Unloading with 4 VMs alive destroys them, frees everything the
#      platform seam handed out and leaves EFER.SVME as found on every CPU.
#   4. Then KVM_CREATE_VM works again: kvm_amd enables SVM on every online
#      CPU for it, which it refuses where EFER.SVME is still set.
# Usage: coexist.sh LV_LINUX_KO KVM_VM
set -u
ko=$1 kvm=$2
. "$(dirname "$0")/lib.sh"
ours() { # our module's own lines (not the kernel's taint notes about it)
	dmesg | grep 'lv_linux: ' | grep -v -e 'taints kernel' -e 'module verification failed'
}

for m in /lv/modules/*.ko; do
	insmod "$m" || bad "insmod $m"
done
[ -c /dev/kvm ] || bad "no /dev/kvm after loading kvm-amd"

echo "--- 1. kvm_amd holds a VM; insmod lv_linux.ko must fail"
"$kvm" hold >/tmp/hold.out & hp=$!
i=0
while ! grep -q holding /tmp/hold.out 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
cat /tmp/hold.out
if insmod "$ko" 2>/tmp/insmod.err; then
	bad "lv_linux.ko loaded while kvm_amd had a VM"
	rmmod lv_linux
fi
cat /tmp/insmod.err
grep -q 'Device or resource busy' /tmp/insmod.err || bad "insmod did not fail with EBUSY"
ours
# One message per load attempt; busybox's insmod makes two attempts
# (finit_module, then init_module), so: one distinct line.
[ "$(ours | sed 's/^\[[^]]*\] //' | sort -u | wc -l)" -eq 1 ] || bad "not exactly one message from lv_linux"
ours | grep -q 'SVM is in use by another hypervisor on CPU' || bad "no 'in use' message"
kill -TERM $hp
wait $hp

echo "--- 2. lv_linux.ko owns SVM; KVM_CREATE_VM must fail"
insmod "$ko" || bad "insmod lv_linux.ko after the KVM VM was gone"
"$kvm" try | tee /tmp/try.out
grep -q 'KVM_CREATE_VM failed: EBUSY' /tmp/try.out || bad "KVM_CREATE_VM did not fail with EBUSY"
echo pio_long64 >$d/conformance || bad "a run after KVM's attempt"
grep -q '^PASS pio_long64' $d/conformance || bad "pio_long64 after KVM's attempt"
head -n 1 $d/conformance

echo "--- 3. unload with 4 VMs alive"
echo 4 >$d/hold || bad "hold 4 VMs"
cat $d/status
[ "$(cat $d/hold)" = 4 ] || bad "4 VMs not held"
rmmod lv_linux || bad "rmmod with VMs alive"
unload=$(dmesg | grep 'lv_linux: unloaded')
echo "$unload"
echo "$unload" | grep -q 'unloaded: 4 live VMs destroyed, backend close LV_OK' || bad "the VMs were not destroyed"
echo "$unload" | grep -q 'EFER.SVME left as found on \([0-9]*\) of \1 CPUs' || bad "EFER.SVME not as found"
echo "$unload" | grep -q 'seam outstanding: 0 page blocks, 0 objects' || bad "the seam leaked"

echo "--- 4. SVM is free on every CPU again: KVM_CREATE_VM must work"
"$kvm" try | tee /tmp/try2.out
grep -q 'KVM_CREATE_VM ok' /tmp/try2.out || bad "KVM_CREATE_VM after the unload"
if dmesg | grep -qE 'BUG:|WARNING:|Call Trace:'; then
	dmesg | grep -A 20 -E 'BUG:|WARNING:' | head -n 40
	bad "the kernel logged a bug or warning"
fi
[ $status -eq 0 ] && echo "linux_coexist: OK"
exit $status
