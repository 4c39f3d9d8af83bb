#!/bin/sh
# Install what libvcpu's build, tests and demos need (Debian 12). Safe to
# run twice: packages already present are skipped. As root it installs with
# apt-get; otherwise it lists what is missing and fails.
#
# It also fetches Debian's own kernel (scripts/debian-kernel.sh: the package
# linux-image-amd64 depends on, unpacked into a cache, /boot untouched) for
# scripts/vm-run.sh, which runs the kvm and examples tiers inside
# KVM-in-QEMU on hosts without /dev/kvm (busybox-static makes its initramfs),
# and that kernel's headers (linux-headers-<version>) for the Linux module
# in examples/linux-module.
set -eu
here=$(dirname "$0")
PKGS="build-essential cmake ninja-build pkg-config clang clang-14 clang-format clang-format-14 \
libclang-rt-14-dev libcriterion-dev libelf-dev libzydis-dev nasm doxygen \
valgrind binutils qemu-system-x86 bochs bochsbios vgabios bochs-term \
grub-pc-bin grub-common xorriso mtools git busybox-static xz-utils python3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages:$missing (run this script as root)" >&2
		exit 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
sh "$here/debian-kernel.sh" --find >/dev/null 2>&1 || sh "$here/debian-kernel.sh" >/dev/null

# The kbuild tree of exactly that kernel, for examples/linux-module (tests
# label linux): linux-headers-<version>, the version being the one of the
# linux-image-<version> package linux-image-amd64 depends on.
kdir=$(sh "$here/debian-kernel.sh" --find)
hdr=linux-headers-$(basename "$kdir")
if ! dpkg-query -W -f='${Status}' "$hdr" 2>/dev/null | grep -q "install ok installed"; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing package: $hdr (run this script as root)" >&2
		exit 1
	fi
	echo "installing: $hdr"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$hdr" >/dev/null
fi
