#!/bin/sh
# SPDX-License-Identifier: MIT
# Run one guest under vcpu-run and under QEMU's -kernel with the same
# devices; the serial output must be byte-identical, both exit statuses
# equal to the expected one, and the output must contain a marker line.
# QEMU (TCG) runs on this host; vcpu-run runs through scripts/vm-run.sh
# (--vm-run), i.e. on /dev/kvm or inside KVM-in-QEMU, or with --backend
# svm|vmx here, where it starts its own emulator with the ring-0 test kernel.
#
# Usage: compare.sh --vm-run VM_RUN_SH --vmm VCPU_RUN --guest ELF --work DIR
#                   --status N --text TEXT
#                   [--mem MIB] [--append TEXT] [--initrd LIST] [--smp N] [--testdev]
#                   [--vmm-opt OPT] [--qemu-hangs] [--backend svm|vmx [--emulator qemu|bochs]]
#                   [--emulator-limit REGEX REASON] [--stderr-text TEXT] [--input FILE]
# --stderr-text: vcpu-run's standard error must contain TEXT as well.
# --input: FILE is the console's input: QEMU's serial port reads it (-serial
# stdio), vcpu-run its standard input (on every backend).
# --emulator-limit: a known limit of the emulator under vcpu-run -b svm|vmx;
# when the run fails and the emulator's log (kept by vcpu-run) matches
# REGEX, the test prints "SKIP: REASON" and exits 77.
# --testdev: QEMU gets -device pc-testdev -device pci-testdev, vcpu-run --testdev.
# --vmm-opt: one more vcpu-run option (e.g. --irqchip: QEMU always has an APIC).
# --qemu-hangs: the guest ends in HLT with interrupts off, where QEMU waits
# forever: QEMU is stopped after 3 s and only the output is compared.
set -u
vmrun= vmm= guest= work= want_status= want_text= mem= append= initrd= smp= testdev=0 vmmopt= hangs=0
has_append=0 has_initrd=0 backend= emulator= limit_re= limit_why= want_err= input=
while [ $# -gt 0 ]; do
	case $1 in
	--vm-run) vmrun=$2; shift 2 ;;
	--vmm) vmm=$2; shift 2 ;;
	--guest) guest=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--status) want_status=$2; shift 2 ;;
	--text) want_text=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--testdev) testdev=1; shift ;;
	--vmm-opt) vmmopt=$2; shift 2 ;;
	--append) append=$2; has_append=1; shift 2 ;;
	--initrd) initrd=$2; has_initrd=1; shift 2 ;;
	--qemu-hangs) hangs=1; shift ;;
	--backend) backend=$2; shift 2 ;;
	--emulator) emulator=$2; shift 2 ;;
	--emulator-limit) limit_re=$2; limit_why=$3; shift 3 ;;
	--stderr-text) want_err=$2; shift 2 ;;
	--input) input=$2; shift 2 ;;
	*) echo "compare.sh: unknown argument $1"; exit 1 ;;
	esac
done
qemu=$(command -v qemu-system-x86_64) ||
	{ echo "FAIL: qemu-system-x86_64 not installed (scripts/install-deps.sh installs it)"; exit 1; }
[ -f "$vmrun" ] || { echo "FAIL: --vm-run names no script"; exit 1; }
[ -f "$guest" ] || { echo "FAIL: guest $guest was not built"; exit 1; }
[ -z "$input" ] || [ -f "$input" ] || { echo "FAIL: input file $input is missing"; exit 1; }
mkdir -p "$work" && rm -f "$work/qemu.out" "$work/vmm.out" "$work/vmm.err" || exit 1

set -- -kernel "$guest"
[ -n "$mem" ] && set -- "$@" -m "$mem"
[ -n "$smp" ] && set -- "$@" -smp "$smp"
[ $testdev -eq 1 ] && set -- "$@" -device pc-testdev -device pci-testdev
[ $has_append -eq 1 ] && set -- "$@" -append "$append"
[ $has_initrd -eq 1 ] && set -- "$@" -initrd "$initrd"
qlimit=60
[ $hangs -eq 1 ] && qlimit=3
if [ -n "$input" ]; then
	timeout "$qlimit" "$qemu" -accel tcg "$@" -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -display none -no-reboot -monitor none \
		<"$input" >"$work/qemu.out"
else
	timeout "$qlimit" "$qemu" -accel tcg "$@" -serial "file:$work/qemu.out" \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -display none -no-reboot -monitor none
fi
qstatus=$?

set -- "$guest"
[ -n "$mem" ] && set -- -m "$mem" "$@"
[ -n "$smp" ] && set -- -smp "$smp" "$@"
[ $testdev -eq 1 ] && set -- --testdev "$@"
[ -n "$vmmopt" ] && set -- "$vmmopt" "$@"
[ $has_append -eq 1 ] && set -- -a "$append" "$@"
[ $has_initrd -eq 1 ] && set -- -i "$initrd" "$@"
if [ -n "$backend" ]; then
	# The ring-0 backends: vcpu-run here, its emulator with the ring-0 test kernel.
	echo "where: this host (no KVM needed: vcpu-run -b $backend runs the ring-0 test kernel under ${emulator:-its emulator})"
	[ -n "$emulator" ] && set -- --emulator "$emulator" "$@"
	timeout 240 "$vmm" -b "$backend" "$@" >"$work/vmm.out" 2>"$work/vmm.err" <"${input:-/dev/null}"
	vstatus=$?
else
	# The module files of the -i list ("file args,file2") go into the VM too.
	files=$(printf '%s\n' "$initrd" | tr ',' '\n' | sed 's/ .*//')
	set -- "$vmm" "$@"
	# vm-run gives the command /dev/null as stdin: the input file goes into the VM.
	[ -n "$input" ] && set -- -f "$input" sh -c 'f=$1; shift; exec "$@" <"$f"' sh "$input" "$@"
	[ -n "$files" ] && for f in $files; do set -- -f "$f" "$@"; done
	sh "$vmrun" --timeout 240 "$@" >"$work/vmm.out" 2>"$work/vmm.err"
	vstatus=$?
fi

echo "QEMU exit status: $qstatus; vcpu-run exit status: $vstatus (expected $want_status)"
echo "--- vcpu-run serial output:"; cat "$work/vmm.out"
echo "--- vcpu-run stderr:"; cat "$work/vmm.err"
fail=0
if ! cmp "$work/qemu.out" "$work/vmm.out"; then
	echo "FAIL: serial output differs from QEMU's:"
	diff "$work/qemu.out" "$work/vmm.out"
	fail=1
fi
if [ "$vstatus" -ne "$want_status" ]; then
	echo "FAIL: vcpu-run exit status $vstatus, expected $want_status"
	fail=1
fi
if [ $hangs -eq 1 ]; then
	if [ "$qstatus" -ne 124 ]; then
		echo "FAIL: QEMU was expected to wait in HLT (timeout status 124), got $qstatus"
		fail=1
	fi
elif [ "$qstatus" -ne "$want_status" ]; then
	echo "FAIL: QEMU exit status $qstatus, expected $want_status"
	fail=1
fi
if ! grep -q -F -- "$want_text" "$work/vmm.out"; then
	echo "FAIL: output lacks: $want_text"
	fail=1
fi
if [ -n "$want_err" ] && ! grep -q -F -- "$want_err" "$work/vmm.err"; then
	echo "FAIL: vcpu-run's stderr lacks: $want_err"
	fail=1
fi
if grep -q -e 'AddressSanitizer' -e 'runtime error' -e 'LeakSanitizer' "$work/vmm.err"; then
	echo "FAIL: sanitizer report"
	fail=1
fi
# A failure that is the emulator's known limit: vcpu-run kept its directory.
kept=$(sed -n 's/.*its output is in \(.*\)$/\1/p' "$work/vmm.err")
if [ -n "$kept" ] && [ -d "$kept" ]; then
	if [ $fail -ne 0 ] && [ -n "$limit_re" ] && grep -a -q -E -- "$limit_re" "$kept"/*.log; then
		grep -a -E -- "$limit_re" "$kept"/*.log | head -n 1
		echo "SKIP: $limit_why"
		rm -rf "$kept"
		exit 77
	fi
	rm -rf "$kept"
fi
[ $fail -eq 0 ] && echo "PASS: identical output and exit status"
exit $fail
