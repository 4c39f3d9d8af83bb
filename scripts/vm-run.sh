#!/bin/sh
# SPDX-License-Identifier: MIT
# vm-run.sh: run one command where a real KVM is, and hand back its output
# and exit status: on this host where /dev/kvm works, otherwise inside a
# Linux guest that has its own KVM ("KVM inside QEMU").
#
# Usage: vm-run.sh [-f PATH]... [--timeout SECS] [--mem MIB] [--kvm MODE] [--] COMMAND [ARG...]
#
#   -f, --file PATH   copy PATH (a file, or a directory with its contents) into
#                     the guest at the same absolute path. COMMAND itself and
#                     every ARG that names an existing file are copied without
#                     being asked, and so are the shared libraries (ldd) of
#                     every ELF file copied (in a directory: every executable
#                     one).
#   --timeout SECS    stop the command (on the host) or the guest after SECS
#                     seconds: exit status 124. Default for the guest
#                     $LV_VM_TIMEOUT, else 540 (under CTest's 600 for these
#                     tests, so that vm-run reports it); none on the host.
#   --mem MIB         guest memory (default $LV_VM_MEM, else 2048).
#   --kvm MODE        what the guest's init does with KVM (default $LV_VM_KVM,
#                     else load):
#                     load   insmod kvm and kvm-amd (with irqbypass, ccp); the
#                            command runs only once /dev/kvm is there
#                     stage  put those modules into /lv/modules (in load
#                            order: 1-irqbypass.ko ... 4-kvm-amd.ko) but load
#                            nothing: the command loads them when it wants
#                     none   no KVM modules in the guest
#                     stage and none are for commands that need this test
#                     kernel itself (a kernel module of ours, e.g. the
#                     `linux` tests): they always take the VM path.
#   The guest has $LV_VM_SMP CPUs, else 2: two-thread cases (tlb_*_remote)
#   then have a vCPU in guest mode on one CPU while the other changes its
#   memory, so KVM's remote TLB flush runs. QEMU runs them on one host
#   thread (-accel tcg,thread=single): multi-threaded TCG aborts with a
#   nested KVM guest (docs/TESTING facts).
#
# The guest is Debian's own kernel (fetched by scripts/debian-kernel.sh, which
# scripts/install-deps.sh calls) under `qemu-system-x86_64 -accel tcg -cpu max
# -smp 2`, booted with an initramfs made here from busybox-static, kvm.ko and
# kvm-amd.ko (with irqbypass.ko and ccp.ko), and the files above. Inside,
# COMMAND runs as root in the same working directory with stdin from
# /dev/null; its stdout and stderr come back on this script's stdout and
# stderr (byte for byte: raw serial lines), and its exit status becomes this
# script's. Variables named ASAN_*, UBSAN_*, LSAN_*, LV_* and CRITERION_* are
# passed on. Files the command writes stay in the guest. One QEMU per call:
# about 5 s of boot before the command starts.
#
# Where it runs is chosen by LV_KVM_VM:
#   unset, auto  /dev/kvm when it is readable and writable here, else the VM
#   1            always the VM (test the VM path on a host with /dev/kvm)
#   0            always this host
# Before COMMAND's output, one line on stderr tells where it ran:
#   vm-run: where: /dev/kvm on this host
#   vm-run: where: KVM inside QEMU (...why...)
# Exit status 125: the VM could not be set up or did not report a status
# (the end of the guest's console is printed on stderr).
set -u
here=$(cd "$(dirname "$0")" && pwd)
files=""
timeout=${LV_VM_TIMEOUT:-540}
host_timeout=
mem=${LV_VM_MEM:-2048}
kvm=${LV_VM_KVM:-load}
smp=${LV_VM_SMP:-2}
NL='
'

usage() {
	echo "usage: vm-run.sh [-f PATH]... [--timeout SECS] [--mem MIB] [--kvm load|stage|none] [--] COMMAND [ARG...]" >&2
	exit 125
}

while [ $# -gt 0 ]; do
	case $1 in
	-f | --file) [ $# -ge 2 ] || usage; files="$files$NL$2"; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; host_timeout=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--kvm) [ $# -ge 2 ] || usage; kvm=$2; shift 2 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || usage

where=${LV_KVM_VM:-auto}
case $kvm in
load) ;;
stage | none)
	# The command needs the test kernel, not any KVM: never this host.
	if [ "$where" = 0 ] || [ "$where" = host ]; then
		echo "vm-run: --kvm $kvm needs the VM (LV_KVM_VM=$where)" >&2
		exit 125
	fi
	where=vm
	;;
*)
	echo "vm-run: --kvm must be load, stage or none (not '$kvm')" >&2
	exit 125
	;;
esac

case $where in
0 | host)
	echo "vm-run: where: /dev/kvm on this host (LV_KVM_VM=0)" >&2
	[ -n "$host_timeout" ] && exec timeout "$host_timeout" "$@"
	exec "$@"
	;;
1 | vm)
	why="LV_KVM_VM=1 forces the VM path"
	[ "$kvm" = load ] || why="--kvm $kvm: the command needs this kernel"
	;;
auto)
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		echo "vm-run: where: /dev/kvm on this host" >&2
		[ -n "$host_timeout" ] && exec timeout "$host_timeout" "$@"
		exec "$@"
	fi
	if [ -e /dev/kvm ]; then
		why="/dev/kvm is not readable and writable here"
	else
		why="this host has no /dev/kvm"
	fi
	;;
*)
	echo "vm-run: LV_KVM_VM must be auto, 0 or 1 (not '$LV_KVM_VM')" >&2
	exit 125
	;;
esac

die() {
	echo "vm-run: $*" >&2
	exit 125
}

kdir=$(sh "$here/debian-kernel.sh" --find) ||
	die "Debian's kernel for the test VM is not fetched: run scripts/install-deps.sh"
kver=$(basename "$kdir")
kimg=vmlinux # the bzImage's payload, booted through its PVH note; else the bzImage
[ -f "$kdir/$kimg" ] || kimg=vmlinuz
qemu=$(command -v qemu-system-x86_64) ||
	die "qemu-system-x86_64 is missing: run scripts/install-deps.sh"
busybox=/bin/busybox
if ! [ -x $busybox ] || ldd $busybox >/dev/null 2>&1; then
	die "a static /bin/busybox is needed (package busybox-static): run scripts/install-deps.sh"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lv-vm.XXXXXX") || die "mktemp failed"
qpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 143' TERM
trap 'cleanup; trap - EXIT; exit 130' INT
root=$work/root
mkdir -p "$root/lv/modules" ||
	die "cannot create the staging tree in $work"

# ---- what goes into the guest -------------------------------------------
# put PATH: copy a file (with its libraries if it is a dynamic ELF) or a
# directory to the same absolute path under the staging root.
abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$PWD" "$1" ;;
	esac
}
is_elf() {
	[ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]
}
put() {
	dst=$root$(abspath "$1")
	[ -e "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")" || die "cannot stage $1"
	if [ -d "$1" ]; then
		cp -RL "$1" "$dst" || die "cannot copy $1"
		# Executables and libraries inside bring their libraries too.
		find "$1" -type f -perm -u+x | while read -r f; do
			is_elf "$f" && put_libs "$f"
		done
		return 0
	fi
	cp -L "$1" "$dst" || die "cannot copy $1"
	chmod u+w "$dst"
	if is_elf "$1"; then
		put_libs "$1"
	fi
}
# put_libs ELF: the shared libraries ldd names for ELF.
put_libs() {
	for lib in $(ldd "$1" 2>/dev/null |
		sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p'); do
		put "$lib"
	done
}

cmd=$1
case $cmd in
*/*) put "$cmd" ;;
*)
	if ! $busybox --list | grep -qx -- "$cmd"; then
		p=$(command -v "$cmd") || die "command not found: $cmd"
		put "$p"
	fi
	;;
esac
shift
for a in "$@"; do
	[ -f "$a" ] && put "$a"
done
oldifs=$IFS
IFS=$NL
for f in $files; do
	IFS=$oldifs
	[ -n "$f" ] || continue
	[ -e "$f" ] || die "--file $f: no such file or directory"
	put "$f"
done
IFS=$oldifs

n=0
[ "$kvm" = none ] || for m in virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko drivers/crypto/ccp/ccp.ko \
	arch/x86/kvm/kvm-amd.ko; do
	n=$((n + 1))
	cp "$kdir/lib/modules/$kver/kernel/$m" "$root/lv/modules/$n-$(basename "$m")" ||
		die "module $m missing from $kdir: run scripts/debian-kernel.sh again"
done

# quote ARG: ARG as one single-quoted shell word.
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

{
	echo "cd $(quote "$PWD") 2>/dev/null || { mkdir -p $(quote "$PWD") && cd $(quote "$PWD"); }"
	for v in $(env | sed -n 's/^\(\(ASAN\|UBSAN\|LSAN\|LV\|CRITERION\)_[A-Za-z0-9_]*\)=.*/\1/p'); do
		[ "$v" = LV_KVM_VM ] && continue
		eval "val=\${$v}"
		echo "export $v=$(quote "$val")"
	done
	printf 'set --'
	for a in "$@"; do
		printf ' %s' "$(quote "$a")"
	done
	printf '\n%s "$@" </dev/null >/dev/ttyS1 2>/dev/ttyS2\n' "$(quote "$cmd")"
} >"$root/lv/job.sh"
echo "$kvm" >"$root/lv/kvm-mode"

cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
mkdir -p /root /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
for t in 1 2 3; do stty -F /dev/ttyS$t raw -echo; done
status=125
kvm=$(cat /lv/kvm-mode)
if [ "$kvm" = load ]; then
	for m in /lv/modules/*.ko; do
		insmod "$m" || echo "vm-run (guest): insmod $m failed" >/dev/ttyS2
	done
fi
if [ "$kvm" != load ] || [ -c /dev/kvm ]; then
	(. /lv/job.sh)
	status=$?
else
	echo "vm-run (guest): /dev/kvm did not appear after loading kvm-amd" >/dev/ttyS2
fi
echo "$status" >/dev/ttyS3
poweroff -f
EOF
chmod 755 "$root/init"

sh "$here/busybox-initramfs.sh" "$root" "$work/initrd.cpio" ||
	die "cannot build the initramfs"

echo "vm-run: where: KVM inside QEMU (Debian $kver under qemu-system-x86_64 -accel tcg;" \
	"$why)" >&2

# ---- run ------------------------------------------------------------------
# no_timer_check: on a loaded host TCG can be too slow for the kernel's
# check that the PIT reaches the IO-APIC, which then panics at boot ("IO-APIC
# + timer doesn't work!"; seen with a load average of 10 on 2 cores).
timeout "$timeout" "$qemu" -accel tcg,thread=single -cpu max -smp "$smp" -m "$mem" \
	-nodefaults -display none -vga none -no-reboot \
	-kernel "$kdir/$kimg" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 ${LV_VM_APPEND:-quiet} panic=-1 mitigations=off no_timer_check" \
	-serial "file:$work/console" -serial "file:$work/out" -serial "file:$work/err" \
	-serial "file:$work/status" </dev/null >"$work/qemu.log" 2>&1 &
qpid=$!
wait $qpid
qstatus=$?
qpid=

cat "$work/out" 2>/dev/null
cat "$work/err" >&2 2>/dev/null
status=$(tr -dc '0-9' <"$work/status" 2>/dev/null)
if [ -z "$status" ]; then
	if [ $qstatus -eq 124 ]; then
		echo "vm-run: the VM did not finish within $timeout s" >&2
		status=124
	else
		echo "vm-run: the VM ended (QEMU status $qstatus) without the command's status" >&2
		status=125
	fi
	echo "vm-run: --- QEMU:" >&2
	tail -n 20 "$work/qemu.log" >&2
	echo "vm-run: --- end of the guest's console:" >&2
	tail -n 40 "$work/console" >&2
fi
exit "$status"
