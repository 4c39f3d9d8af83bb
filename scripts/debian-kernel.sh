#!/bin/sh
# SPDX-License-Identifier: MIT
# Fetch Debian's own kernel for scripts/vm-run.sh: the linux-image-6.1.0-NN-amd64
# package that linux-image-amd64 depends on, downloaded by name with apt-get
# and unpacked (only vmlinuz and the modules vm-run.sh loads) into a cache
# directory, with its vmlinux unpacked from the bzImage for a faster boot.
# The host's own kernel and /boot are not touched.
#
# Usage: debian-kernel.sh          fetch if needed; print the kernel's directory
#        debian-kernel.sh --find   print the directory of a kernel already
#                                  fetched (exit 1 if there is none)
#
# The cache is $LV_VM_CACHE, by default /var/cache/libvcpu-vm for root and
# ${XDG_CACHE_HOME:-~/.cache}/libvcpu-vm otherwise. Each kernel lives in
# CACHE/<version>/ (vmlinuz, lib/modules/<version>/...), and CACHE/current
# names the version in use. Safe to run twice and from parallel jobs.
set -eu

if [ -n "${LV_VM_CACHE:-}" ]; then
	cache=$LV_VM_CACHE
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/libvcpu-vm
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/libvcpu-vm
fi

# The modules vm-run.sh inserts (under lib/modules/VERSION/kernel/), in order.
MODULES="virt/lib/irqbypass.ko arch/x86/kvm/kvm.ko drivers/crypto/ccp/ccp.ko
arch/x86/kvm/kvm-amd.ko arch/x86/kvm/kvm-intel.ko"

# A kernel fetched earlier: in $cache, else (for a user who is not root)
# the one root fetched into /var/cache/libvcpu-vm.
find_cached() {
	for c in "$cache" /var/cache/libvcpu-vm; do
		[ -f "$c/current" ] || continue
		v=$(cat "$c/current")
		[ -f "$c/$v/.complete" ] || continue
		echo "$c/$v"
		return 0
	done
	return 1
}

if [ "${1:-}" = "--find" ]; then
	find_cached
	exit $?
fi

# The version linux-image-amd64 depends on now (apt's lists must be there).
wanted() {
	apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -n 1
}
pkg=$(wanted)
if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(wanted)
fi
if [ -z "$pkg" ]; then
	# No package lists: a kernel fetched earlier still serves.
	find_cached && exit 0
	echo "debian-kernel.sh: apt knows no linux-image-amd64 (run apt-get update)" >&2
	exit 1
fi
kver=${pkg#linux-image-}
dir=$cache/$kver
if [ -f "$dir/.complete" ]; then
	echo "$kver" >"$cache/current.$$" && mv -f "$cache/current.$$" "$cache/current"
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "debian-kernel.sh: fetching $pkg (Debian's kernel for the KVM-in-QEMU test VM)" >&2
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) || {
	echo "debian-kernel.sh: apt-get download $pkg failed" >&2
	exit 1
}
deb=$(ls "$tmp"/*.deb)
set --
for m in $MODULES; do
	set -- "$@" "./lib/modules/$kver/kernel/$m"
done
mkdir "$tmp/x"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" "./boot/vmlinuz-$kver" "$@"
mkdir -p "$tmp/k"
mv "$tmp/x/boot/vmlinuz-$kver" "$tmp/k/vmlinuz"
# The bzImage's payload is the kernel's vmlinux ELF, XZ-compressed (Debian's
# CONFIG_KERNEL_XZ). Unpacked once here, QEMU boots it through its PVH entry
# note: 2-3 s less per boot than decompressing it under TCG every time.
for off in $(LC_ALL=C grep -obUa "$(printf '\3757zXZ')" "$tmp/k/vmlinuz" | cut -d: -f1); do
	tail -c +$((off + 1)) "$tmp/k/vmlinuz" | xz -dc >"$tmp/k/vmlinux" 2>/dev/null || true
	[ "$(head -c 4 "$tmp/k/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] && break
	rm -f "$tmp/k/vmlinux"
done
mv "$tmp/x/lib" "$tmp/k/lib"
echo "$pkg $(dpkg-deb -f "$deb" Version)" >"$tmp/k/.complete"
rm -rf "$dir"
mv "$tmp/k" "$dir"
echo "$kver" >"$cache/current.$$" && mv -f "$cache/current.$$" "$cache/current"
echo "$dir"
