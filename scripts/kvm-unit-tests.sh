#!/bin/sh
# SPDX-License-Identifier: MIT
# Run kvm-unit-tests' x86 guests in vcpu-run and in QEMU with KVM, in the
# same place (this host's /dev/kvm, else the KVM-in-QEMU guest of
# scripts/vm-run.sh), and print one line per test: QEMU's SUMMARY line and
# exit status, vcpu-run's, and same/different. kvm-unit-tests is not part
# of libvcpu: fetch and build it yourself (./configure && make) and name
# its directory.
#
# Usage: scripts/kvm-unit-tests.sh [--backend svm|vmx] [--qemu-from TABLE]
#                                  KUT_DIR VCPU_RUN [TEST...]
#   KUT_DIR   a built kvm-unit-tests tree (x86/*.flat)
#   VCPU_RUN  the vcpu-run binary (build/examples/vmm/vcpu-run)
#   TEST      test names (default: the set the toy-VMM issue names)
#   --backend svm|vmx   vcpu-run -b svm|vmx on this host (the ring-0 test
#             kernel under QEMU TCG or Bochs, one emulated CPU per vCPU)
#             instead of vcpu-run on KVM
#   --qemu-from TABLE   QEMU's column from an earlier table of this script
#             (its output saved in TABLE) instead of a new QEMU run
# As kvm-unit-tests' own runner: -device pc-testdev -device
# isa-debug-exit,iobase=0xf4,iosize=4 -device pci-testdev (vcpu-run
# --testdev), -m 256; two CPUs for apic, ioapic and smptest. QEMU gets
# -cpu host, vcpu-run offers what KVM supports. With KUT_LOGS=DIR set, each
# test's output stays in DIR/TEST.qemu and DIR/TEST.vcpu-run (stdout and
# stderr).
set -u
backend= qtable=
while [ $# -gt 0 ]; do
	case $1 in
	--backend) backend=${2:-}; shift 2 || exit 2 ;;
	--qemu-from) qtable=${2:-}; shift 2 || exit 2 ;;
	*) break ;;
	esac
done
case $backend in '' | svm | vmx) ;; *) echo "--backend: svm or vmx"; exit 2 ;; esac
[ $# -ge 2 ] || { sed -n '2,/^set/p' "$0" | sed '$d'; exit 2; }
kut=$1 vmm=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
qemu=$(command -v qemu-system-x86_64) || { echo "qemu-system-x86_64 is not installed"; exit 1; }
tests=${*:-dummy setjmp tsc memory syscall xsave smap umip realmode rmap_chain sieve msr emulator apic ioapic smptest eventinj}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
summary() { grep -a '^SUMMARY' "$1" | tail -n 1 | tr -d '\r'; }
printf '%-11s | %-36s | %-36s | %s\n' test "QEMU -accel kvm" "vcpu-run${backend:+ -b $backend}" same
for t in $tests; do
	flat=$kut/x86/$t.flat
	[ -f "$flat" ] || { echo "$t: $flat not built"; continue; }
	smp=1 limit=200
	case $t in apic | ioapic | smptest) smp=2 ;; esac
	# apic sends 130,000 NMIs between its two CPUs: about 450 s in KVM-in-QEMU,
	# about 1000 s on SVM under QEMU TCG (two emulated CPUs, a busy host).
	[ "$t" = apic ] && limit=600
	[ "$t" = apic ] && [ -n "$backend" ] && limit=1800
	: >"$out/qe"
	if [ -n "$qtable" ]; then
		# The table's second column: "SUMMARY... (status N)".
		q=$(awk -F' [|] ' -v t="$t" '$1 ~ "^"t" *$" { sub(/ +$/, "", $2); print $2 }' "$qtable")
		: >"$out/q"
	else
		sh "$here/vm-run.sh" --mem 1024 --timeout $((limit + 100)) -f /usr/share/qemu \
			-f /usr/share/seabios -f /usr/lib/ipxe/qemu -f "$flat" "$qemu" -accel kvm \
			-cpu host -smp $smp -m 256 -kernel "$flat" -device pc-testdev \
			-device isa-debug-exit,iobase=0xf4,iosize=4 -device pci-testdev -display none \
			-serial stdio -no-reboot -monitor none -nodefaults >"$out/q" 2>"$out/qe"
		qs=$?
		q="$(summary "$out/q") (status $qs)"
	fi
	if [ -n "$backend" ]; then
		"$vmm" -b "$backend" --irqchip --testdev -smp $smp -m 256 --timeout $limit "$flat" \
			>"$out/v" 2>"$out/ve" </dev/null
	else
		sh "$here/vm-run.sh" --timeout $((limit + 100)) -f "$flat" "$vmm" --irqchip --testdev \
			-smp $smp -m 256 --timeout $limit "$flat" >"$out/v" 2>"$out/ve"
	fi
	vs=$?
	if [ -n "${KUT_LOGS:-}" ]; then
		mkdir -p "$KUT_LOGS" &&
			cat "$out/q" "$out/qe" >"$KUT_LOGS/$t.qemu" &&
			cat "$out/v" "$out/ve" >"$KUT_LOGS/$t.vcpu-run"
	fi
	v="$(summary "$out/v") (status $vs)"
	same=different
	[ "$q" = "$v" ] && same=same
	printf '%-11s | %-36s | %-36s | %s\n' "$t" "$q" "$v" "$same"
done
