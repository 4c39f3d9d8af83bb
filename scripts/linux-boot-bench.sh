#!/bin/sh
# SPDX-License-Identifier: MIT
# linux-boot-bench.sh: how long Debian's kernel (scripts/debian-kernel.sh)
# with a busybox initramfs takes from the VMM's start to the first line its
# /init prints, in vcpu-run and in QEMU -accel kvm (-M pc and -M microvm),
# one after the other in the same place (this host's /dev/kvm, else the
# KVM-in-QEMU VM of scripts/vm-run.sh, with one CPU), ROUNDS times each;
# then the ratios of the medians, and vcpu-run's exit counts (--stats).
#
# Usage: linux-boot-bench.sh VCPU_RUN [ROUNDS]     (default 3 rounds)
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: linux-boot-bench.sh VCPU_RUN [ROUNDS]" >&2; exit 2; }
vmm=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
rounds=${2:-3}
kdir=$(sh "$here/debian-kernel.sh" --find) || { echo "Debian's kernel is not fetched" >&2; exit 1; }
qemu=$(command -v qemu-system-x86_64) || { echo "qemu-system-x86_64 is missing" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lv-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root"
cat >"$work/root/init" <<'INIT'
#!/bin/busybox sh
echo "lv-init: user space"
/bin/busybox reboot -f
INIT
chmod 755 "$work/root/init"
sh "$here/busybox-initramfs.sh" "$work/root" "$work/initrd.cpio" || exit 1
cat >"$work/bench.sh" <<EOF
K=$kdir/vmlinuz I=$work/initrd.cpio Q=$qemu V=$vmm
A="console=ttyS0 quiet panic=-1 pci=off"
up() { cut -d' ' -f1 /proc/uptime; }
# first NAME COMMAND...: seconds from the start to the /init line (or "none").
first() {
	name=\$1; shift
	t0=\$(up)
	"\$@" 2>/dev/null </dev/null | while IFS= read -r l; do
		case \$l in *"lv-init: user space"*) awk "BEGIN{print \$(up) - \$t0}";; esac
	done | head -n 1 | sed "s/^/\$name /"
}
q="-accel kvm -L /usr/share/seabios -L /usr/share/qemu -nic none -m 256 -kernel \$K -initrd \$I -serial stdio -display none -no-reboot -monitor none"
i=0
while [ \$i -lt $rounds ]; do
	first vcpu-run \$V -m 256 -a "\$A" -i \$I \$K
	first qemu-pc \$Q -M pc \$q -append "\$A"
	first qemu-microvm \$Q -M microvm \$q -append "\$A"
	i=\$((i + 1))
done
\$V --stats -m 256 -a "\$A" -i \$I \$K </dev/null 2>&1 >/dev/null | sed -n '/^exit statistics/,\$p'
EOF
LV_VM_SMP=1 sh "$here/vm-run.sh" -f /usr/share/qemu -f /usr/share/seabios -f "$qemu" -f "$vmm" \
	-f "$kdir/vmlinuz" -f "$work/initrd.cpio" sh "$work/bench.sh" >"$work/out" 2>"$work/err"
status=$?
grep '^vm-run: where' "$work/err"
[ $status -eq 0 ] || { echo "the run failed (status $status):"; cat "$work/err"; exit 1; }
median() {
	grep "^$1 " "$work/out" | cut -d' ' -f2 | sort -n |
		awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "none"}'
}
v=$(median vcpu-run) pc=$(median qemu-pc) mv=$(median qemu-microvm)
echo "seconds to the first /init line, median of $rounds: vcpu-run $v, QEMU pc $pc, QEMU microvm $mv"
awk -v v="$v" -v pc="$pc" -v mv="$mv" 'BEGIN {
	if (v + 0 > 0 && pc + 0 > 0) printf "ratio vcpu-run / QEMU pc: %.2f\n", v / pc
	if (v + 0 > 0 && mv + 0 > 0) printf "ratio vcpu-run / QEMU microvm: %.2f\n", v / mv }'
echo "every round:"
grep -E '^(vcpu-run|qemu-pc|qemu-microvm) ' "$work/out"
sed -n '/^exit statistics/,$p' "$work/out"
