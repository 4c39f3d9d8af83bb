#!/bin/sh
# SPDX-License-Identifier: MIT
# A damaged Linux bzImage, or an initrd that cannot be placed, must be
# refused with a clear message and exit status 2 before any backend is
# opened (so this runs on any host). The image is Debian's vmlinuz (fetched
# by scripts/debian-kernel.sh), copied and patched here.
# Usage: linux_bad.sh VCPU_RUN SCRIPTS_DIR WORKDIR KIND REGEX
set -u
vmm=$1 scripts=$2 work=$3 kind=$4 regex=$5
kdir=$(sh "$scripts/debian-kernel.sh" --find) ||
	{ echo "FAIL: Debian's kernel is not fetched: run scripts/install-deps.sh"; exit 1; }
mkdir -p "$work" || exit 1
img=$work/$kind.bzImage
rm -f "$img" "$work/$kind.initrd"
cp "$kdir/vmlinuz" "$img" || exit 1
# patch OFFSET OCTAL-ESCAPES: overwrite bytes of the image in place.
patch() {
	printf "$2" | dd of="$img" bs=1 seek=$(($1)) conv=notrunc 2>/dev/null
}
set -- -m 256
case $kind in
truncated-setup) head -c 4096 "$kdir/vmlinuz" >"$img" ;;
truncated-kernel) head -c 1048576 "$kdir/vmlinuz" >"$img" ;;
old-protocol) patch 0x206 '\005\002' ;;   # version 2.05
short-header) patch 0x201 '\040' ;; # the header ends at 0x222, before cmdline_size
kernel-too-big) set -- -m 64 ;;
initrd-too-large)
	head -c $((60 << 20)) /dev/zero >"$work/$kind.initrd"
	set -- -m 128 -i "$work/$kind.initrd"
	;;
initrd-addr-max)
	patch 0x22c '\377\377\377\004' # initrd_addr_max 0x04ffffff: inside the kernel's init_size
	head -c $((1 << 20)) /dev/zero >"$work/$kind.initrd"
	set -- -m 256 -i "$work/$kind.initrd"
	;;
*) echo "FAIL: unknown kind $kind"; exit 1 ;;
esac
echo "where: this host (no KVM needed: a bad image is refused before any backend is opened)"
"$vmm" "$@" -a "console=ttyS0" "$img" >"$work/$kind.out" 2>"$work/$kind.err" </dev/null
status=$?
echo "vcpu-run exit status: $status"
echo "stderr:"; cat "$work/$kind.err"
fail=0
[ "$status" -eq 2 ] || { echo "FAIL: expected exit status 2 (load error)"; fail=1; }
grep -E -q -- "$regex" "$work/$kind.err" || { echo "FAIL: stderr does not match: $regex"; fail=1; }
if grep -q -e 'AddressSanitizer' -e 'runtime error' "$work/$kind.err"; then
	echo "FAIL: sanitizer report"
	fail=1
fi
[ -s "$work/$kind.out" ] && { echo "FAIL: guest output appeared although loading failed"; fail=1; }
rm -f "$img" "$work/$kind.initrd"
[ $fail -eq 0 ] && echo PASS
exit $fail
