#!/bin/sh
# SPDX-License-Identifier: MIT
# busybox-initramfs.sh: pack a staging directory into an initramfs (cpio
# newc) that boots with a static busybox as its only program. Used by
# scripts/vm-run.sh (its test VM) and the Linux boot tests of vcpu-run.
#
# Usage: busybox-initramfs.sh DIR OUT
#   DIR holds the files to pack, among them an executable /init (a
#   "#!/bin/busybox sh" script). This adds /bin/busybox (the host's static
#   one, package busybox-static) and the directories bin, sbin, usr/bin,
#   usr/sbin, proc, sys, dev and tmp, then writes the archive to OUT.
# Exit status 0, or 1 with a message on stderr.
set -u
die() {
	echo "busybox-initramfs.sh: $*" >&2
	exit 1
}
[ $# -eq 2 ] || die "usage: busybox-initramfs.sh DIR OUT"
dir=$1 out=$2
busybox=/bin/busybox
if ! [ -x $busybox ] || ldd $busybox >/dev/null 2>&1; then
	die "a static /bin/busybox is needed (package busybox-static): run scripts/install-deps.sh"
fi
[ -x "$dir/init" ] || die "$dir/init is missing or not executable"
mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin" "$dir/proc" "$dir/sys" \
	"$dir/dev" "$dir/tmp" || die "cannot create the directories in $dir"
cp $busybox "$dir/bin/busybox" || die "cannot copy busybox"
(cd "$dir" && find . | $busybox cpio -o -H newc 2>/dev/null) >"$out" ||
	die "cannot write $out"
