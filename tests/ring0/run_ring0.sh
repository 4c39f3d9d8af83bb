#!/bin/sh
# Run the ring-0 test kernel under QEMU TCG or Bochs and judge its output.
#
# Usage: run_ring0.sh --emu qemu|bochs --cpu <model> --image <elf|iso> --log <file>
#                     [--append <cmdline>] [--min-pass <n>] [--expect <ERE>]
#                     [--qemu-opt "<qemu options>"] [--bochs-cpus <n>]
#
# Without --expect (suite mode) it passes when the kernel printed
# "LVT PLAN n", n "LVT CASE" lines with no FAIL, at least --min-pass PASS
# lines, "LVT SUMMARY ... fail=0" and "LVT END". With --expect it passes
# when the output matches the extended regex (negative tests). The exit
# status of the emulator is never trusted (Bochs always exits 1; a QEMU
# triple fault exits 0). Qemu: -cpu <model>; Bochs: cpu: model=<model>,
# count=<n> (--bochs-cpus, default 1; the ISO's command line must hold "smp"
# for the kernel to start the second CPU).
set -u
emu="" cpu="" image="" log="" append="" min_pass=1 expect="" qemu_opt="" bochs_cpus=1
while [ $# -gt 0 ]; do
	case "$1" in
	--emu) emu=$2 ;;
	--cpu) cpu=$2 ;;
	--image) image=$2 ;;
	--log) log=$2 ;;
	--append) append=$2 ;;
	--min-pass) min_pass=$2 ;;
	--expect) expect=$2 ;;
	--qemu-opt) qemu_opt="$qemu_opt $2" ;;
	--bochs-cpus) bochs_cpus=$2 ;;
	*) echo "run_ring0.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$emu" ] && [ -n "$cpu" ] && [ -n "$image" ] && [ -n "$log" ] || {
	echo "run_ring0.sh: --emu, --cpu, --image and --log are required" >&2
	exit 2
}
[ -f "$image" ] || { echo "run_ring0.sh: no image $image" >&2; exit 2; }
# The emulator is killed after this many seconds (under CTest's 300): a whole
# suite takes 5-60 s alone, several times that on a loaded two-core host
# (the -smp 2 shootdown cases under one TCG thread).
emu_limit=${LV_RING0_EMU_LIMIT:-240}
out="$log"
: >"$out"

case "$emu" in
qemu)
	# shellcheck disable=SC2086
	timeout -k 5 -s KILL "$emu_limit" qemu-system-x86_64 -accel tcg -cpu "$cpu" -m 64 -display none \
		-kernel "$image" -append "$append" -debugcon "file:$out" \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -no-reboot -serial none \
		-monitor none $qemu_opt </dev/null >"$log.emu" 2>&1
	echo "qemu exit status $? (not used)" >>"$log.emu"
	;;
bochs)
	rc=$(mktemp) && printf "c\nc\nc\nc\nc\nc\nc\nc\n" >"$rc"
	# The command line is baked into the ISO (lv_ring0_make_iso): no --append here.
	[ -z "$append" ] || { echo "run_ring0.sh: --append is qemu-only" >&2; exit 2; }
	cfg=$(mktemp)
	cat >"$cfg" <<BOCHSRC
cpu: model=$cpu, count=$bochs_cpus, ignore_bad_msrs=0, reset_on_triple_fault=0
megs: 64
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path=$image, status=inserted
boot: cdrom
port_e9_hack: enabled=1
display_library: term
log: $log.bochslog
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
speaker: enabled=0

BOCHSRC
	TERM=dumb timeout -k 5 -s KILL "$emu_limit" bochs -q -f "$cfg" -rc "$rc" </dev/null >"$out" 2>"$log.emu"
	echo "bochs exit status $? (not used)" >>"$log.emu"
	rm -f "$rc" "$cfg"
	;;
*)
	echo "run_ring0.sh: unknown emulator $emu" >&2
	exit 2
	;;
esac

# Show the kernel's own lines (Bochs mixes its banner into stdout).
grep -a '^LVT' "$out" || true

if [ -n "$expect" ]; then
	if grep -aEq "$expect" "$out"; then
		echo "run_ring0.sh: found /$expect/"
		exit 0
	fi
	echo "run_ring0.sh: FAILED: /$expect/ not in the output (log: $out, $log.emu)"
	exit 1
fi

plan=$(grep -a '^LVT PLAN ' "$out" | head -n1 | awk '{print $3}')
ncase=$(grep -ac '^LVT CASE ' "$out")
npass=$(grep -ac '^LVT CASE [^ ]* PASS' "$out")
nfail=$(grep -ac '^LVT CASE [^ ]* FAIL' "$out")
nskip=$(grep -ac '^LVT CASE [^ ]* SKIP' "$out")
status=0
if [ -z "$plan" ]; then
	echo "run_ring0.sh: FAILED: no LVT PLAN line"
	status=1
elif [ "$ncase" -ne "$plan" ]; then
	echo "run_ring0.sh: FAILED: $ncase of $plan cases reported (missing cases)"
	status=1
fi
grep -aq '^LVT SUMMARY .* fail=0 ' "$out" || { echo "run_ring0.sh: FAILED: no clean LVT SUMMARY"; status=1; }
grep -aq '^LVT END' "$out" || { echo "run_ring0.sh: FAILED: no LVT END"; status=1; }
[ "$nfail" -eq 0 ] || status=1
[ "$npass" -ge "$min_pass" ] || { echo "run_ring0.sh: FAILED: $npass passes < $min_pass"; status=1; }
echo "run_ring0.sh: $emu $cpu: pass=$npass fail=$nfail skip=$nskip plan=${plan:-?}"
exit $status
