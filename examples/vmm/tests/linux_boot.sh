#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot Debian's own kernel (the bzImage scripts/debian-kernel.sh fetched, the
# one the test VM runs) in vcpu-run with an initramfs made here from
# busybox-static (scripts/busybox-initramfs.sh). Its /init prints marker
# lines: that user space runs, the number of CPUs in /proc/cpuinfo and the
# MD5 of a file in the initramfs; then `poweroff -f`, which must end vcpu-run
# with status 0 (ACPI S5: the PM1a control register), or with --reboot
# `reboot -f` (the 8042 reset line). The guest's console must not carry
# Linux's "XSAVE consistency problem" warning (the vCPU's CPUID leaf 0Dh
# sizes against the XCR0 it can set): /init counts it in the kernel's log,
# which "quiet" keeps off the console. Kernel messages and timings differ
# from run to run, so the markers are checked, not the whole output: they
# must be the lines QEMU (-accel tcg, on this host, -no-reboot) prints for
# the same kernel, initramfs and command line, with the same exit status.
# vcpu-run runs through scripts/vm-run.sh: on /dev/kvm or in KVM-in-QEMU.
#
# Usage: linux_boot.sh --vm-run VM_RUN_SH --vmm VCPU_RUN --work DIR
#                      [--smp N] [--mem MIB] [--vmlinux | --entry32] [--interactive]
#                      [--reboot] [--backend svm|vmx --emulator qemu|bochs]
# --backend: vcpu-run -b svm|vmx on this host (the ring-0 test kernel in
# QEMU TCG or Bochs, examples/vmm/ring0.c) instead of KVM through vm-run;
# with --interactive, script(1) and the typed lines run on this host too.
# --vmlinux: boot the kernel's unpacked vmlinux ELF through its PVH note
# instead of the bzImage. --entry32: a copy of the bzImage with xloadflags
# bit 0 (XLF_KERNEL_64) cleared, which vcpu-run enters at its 32-bit entry.
# --interactive: /init starts a shell on the console instead of powering
# off; vcpu-run runs on a pseudo-terminal (script(1)) into which "echo hi"
# and "poweroff" are typed once the shell's marker appeared; "hi" must come
# back, the guest must power off, and the terminal's settings must be
# restored at the end. busybox's poweroff (without -f) signals init
# (SIGUSR2), so /init keeps running as PID 1 with the shell as its child
# and powers off on that signal.
set -u
vmrun= vmm= work= smp=1 mem=256 interactive=0 image=vmlinuz entry32=0 reboot=0 backend= emulator=
while [ $# -gt 0 ]; do
	case $1 in
	--vm-run) vmrun=$2; shift 2 ;;
	--vmm) vmm=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--vmlinux) image=vmlinux; shift ;;
	--entry32) entry32=1; shift ;;
	--reboot) reboot=1; shift ;;
	--backend) backend=$2; shift 2 ;;
	--emulator) emulator=$2; shift 2 ;;
	*) echo "linux_boot.sh: unknown argument $1"; exit 1 ;;
	esac
done
scripts=$(cd "$(dirname "$vmrun")" && pwd)
vmm=$(cd "$(dirname "$vmm")" && pwd)/$(basename "$vmm")
kdir=$(sh "$scripts/debian-kernel.sh" --find) ||
	{ echo "FAIL: Debian's kernel is not fetched: run scripts/install-deps.sh"; exit 1; }
kernel=$kdir/$image
[ -f "$kernel" ] || { echo "FAIL: $kernel is missing: run scripts/debian-kernel.sh"; exit 1; }
rm -rf "$work" && mkdir -p "$work/root/etc" || exit 1
work=$(cd "$work" && pwd)

if [ $entry32 -eq 1 ]; then
	cp "$kernel" "$work/vmlinuz32" || exit 1
	kernel=$work/vmlinuz32
	x=$(od -An -tu1 -j $((0x236)) -N1 "$kernel" | tr -d ' ')
	printf "\\$(printf %o $((x & 0xfe)))" |
		dd of="$kernel" bs=1 seek=$((0x236)) conv=notrunc 2>/dev/null
fi

# The initramfs: /init and a file whose checksum the guest reports.
head -c 65536 "$kernel" >"$work/root/etc/lv-check"
want_md5=$(md5sum <"$work/root/etc/lv-check" | cut -d' ' -f1)
cat >"$work/root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
echo "lv-init: user space"
echo "lv-init: cpus $(grep -c '^processor' /proc/cpuinfo)"
echo "lv-init: md5 $(md5sum </etc/lv-check | cut -d' ' -f1)"
echo "lv-init: xsave warnings $(dmesg | grep -c 'XSAVE consistency problem')"
if grep -q lv_interactive /proc/cmdline; then
	echo "lv-init: shell"
	trap 'poweroff -f' USR2
	# a background job's standard input is /dev/null first
	[ -e /dev/null ] || mknod /dev/null c 1 3
	sh </dev/console >/dev/console 2>&1 &
	wait
fi
grep -q lv_reboot /proc/cmdline && reboot -f
poweroff -f
INIT
chmod 755 "$work/root/init"
sh "$scripts/busybox-initramfs.sh" "$work/root" "$work/initrd.cpio" || exit 1

# pci=off: there is no PCI device, and the kernel's early scans of PCI
# buses on an AMD CPU ("AGP: Checking aperture...") are 34,000 exits otherwise.
append="console=ttyS0 quiet panic=-1 pci=off"
[ $interactive -eq 1 ] && append="$append lv_interactive"
[ $reboot -eq 1 ] && append="$append lv_reboot"
set -- -m "$mem" -smp "$smp" -a "$append" -i "$work/initrd.cpio" "$kernel"
if [ -n "$backend" ]; then
	set -- "$vmm" -b "$backend" --emulator "$emulator" -t 600 "$@"
else
	set -- "$vmm" -t 270 "$@"
fi
start=$(date +%s)
# Where vm-run uses KVM-in-QEMU, its VM gets one CPU: with two (TCG runs
# them on one thread), Linux in vcpu-run stalled at random points after it
# enabled the I/O APIC, no exit for minutes (2 runs of 2 with one vCPU,
# 4 of 4 with -smp 2), and so did QEMU -accel kvm -smp 2 at "Booting SMP
# configuration"; with one, every run since has passed (more than ten).
# A host's /dev/kvm ignores it.
export LV_VM_SMP=1
[ -z "$backend" ] ||
	echo "where: this host (no KVM needed: vcpu-run -b $backend runs the ring-0 test kernel under $emulator)"
if [ $interactive -eq 1 ]; then
	# In the VM (or, with --backend, on this host), vcpu-run's standard input and output are a
	# pseudo-terminal (util-linux script(1)), whose input is a FIFO that
	# gets the two lines once the shell's marker is in the output; the
	# terminal's settings (stty -g) must be the same before and after.
	script=$(command -v script) ||
		{ echo "FAIL: script(1) (package bsdutils) is missing"; exit 1; }
	quoted=
	for a in "$@"; do
		quoted="$quoted '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
	done
	cat >"$work/inner.sh" <<EOF2
stty -g >"$work/before"
$quoted 2>"$work/vmm.err"
echo \$? >"$work/status"
stty -g >"$work/after"
EOF2
	cat >"$work/interact.sh" <<EOF2
# vm-run's guest has no devpts; a host has one, which stays as it is.
[ -e /dev/pts/ptmx ] || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; }
cd "$work" || exit 1
rm -f in out && mkfifo in || exit 1
(
	exec 3>in
	n=0
	while ! grep -q 'lv-init: shell' out 2>/dev/null; do
		n=\$((n + 1)); [ \$n -gt 250 ] && exit 0; sleep 1
	done
	sleep 1
	printf 'echo hi\n' >&3
	while ! grep -q '^hi' out; do sleep 1; done
	printf 'poweroff\n' >&3
	exec sleep 600 # keeps the FIFO open; the kill below ends it
) &
feeder=\$!
"$script" -q -c "sh $work/inner.sh" /dev/null <in >out 2>&1
kill \$feeder 2>/dev/null
cat out
cat vmm.err >&2
cmp -s before after || { echo "terminal settings not restored: \$(cat before) -> \$(cat after)" >&2; exit 99; }
exit \$(cat status)
EOF2
	if [ -n "$backend" ]; then
		sh "$work/interact.sh" >"$work/out" 2>"$work/err"
	else
		sh "$vmrun" --timeout 300 -f "$work/inner.sh" -f "$work/initrd.cpio" -f "$vmm" \
			-f "$kernel" -f "$script" sh "$work/interact.sh" >"$work/out" 2>"$work/err"
	fi
elif [ -n "$backend" ]; then
	"$@" </dev/null >"$work/out" 2>"$work/err"
else
	sh "$vmrun" --timeout 300 "$@" >"$work/out" 2>"$work/err"
fi
status=$?
secs=$(($(date +%s) - start))
if [ -n "$backend" ]; then incl="$emulator included"; else incl="vm-run included"; fi
echo "vcpu-run exit status: $status (expected 0); $secs s ($incl)"
qfail=0
if [ $interactive -eq 0 ]; then
	qemu=$(command -v qemu-system-x86_64) ||
		{ echo "FAIL: qemu-system-x86_64 not installed (scripts/install-deps.sh)"; exit 1; }
	start=$(date +%s)
	timeout 200 "$qemu" -accel tcg -m "$mem" -smp "$smp" -kernel "$kernel" \
		-initrd "$work/initrd.cpio" -append "$append" -serial "file:$work/qemu.out" \
		-display none -no-reboot -monitor none -nic none </dev/null >"$work/qemu.err" 2>&1
	qstatus=$?
	echo "QEMU (TCG, this host) exit status: $qstatus; $(($(date +%s) - start)) s"
	grep -a '^lv-init' "$work/qemu.out" | tr -d '\r' >"$work/qemu.lines"
	grep -a '^lv-init' "$work/out" | tr -d '\r' >"$work/vmm.lines"
	if [ "$qstatus" -ne 0 ] || ! [ -s "$work/qemu.lines" ]; then
		echo "FAIL: QEMU did not boot the same kernel and initramfs to its end:"
		tail -n 20 "$work/qemu.out" "$work/qemu.err"
		qfail=1
	elif ! cmp -s "$work/qemu.lines" "$work/vmm.lines"; then
		echo "FAIL: the user-space lines differ from QEMU's:"
		diff "$work/qemu.lines" "$work/vmm.lines"
		qfail=1
	else
		echo "user-space lines identical to QEMU's"
	fi
fi
echo "--- console (user-space lines):"; grep -a -e 'lv-init' -e '^hi' "$work/out"
echo "--- stderr:"; cat "$work/err"
fail=$qfail
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status"; fail=1; }
grep -a -q '^lv-init: user space' "$work/out" || { echo "FAIL: /init did not run"; fail=1; }
grep -a -q "^lv-init: cpus $smp" "$work/out" ||
	{ echo "FAIL: the guest did not report $smp CPUs"; fail=1; }
grep -a -q "^lv-init: md5 $want_md5" "$work/out" ||
	{ echo "FAIL: the initramfs file's MD5 is not $want_md5"; fail=1; }
if [ $interactive -eq 1 ]; then
	grep -a -q '^hi' "$work/out" || { echo "FAIL: 'echo hi' typed on stdin did not print hi"; fail=1; }
fi
if [ $reboot -eq 1 ]; then
	grep -q 'guest requested a reset (8042 reset line)' "$work/err" ||
		{ echo "FAIL: the run did not end by the guest's reboot"; fail=1; }
else
	grep -q 'guest powered off (ACPI S5)' "$work/err" ||
		{ echo "FAIL: the run did not end by the guest's ACPI power-off"; fail=1; }
fi
grep -a -q '^lv-init: xsave warnings 0' "$work/out" ||
	{ echo "FAIL: Linux's log has 'XSAVE consistency problem' (CPUID leaf 0Dh against XCR0)"; fail=1; }
if grep -q -e 'AddressSanitizer' -e 'runtime error' -e 'LeakSanitizer' "$work/err"; then
	echo "FAIL: sanitizer report"
	fail=1
fi
[ $fail -eq 0 ] && echo "PASS"
exit $fail
