#!/bin/sh
# Install what libvcpu's build, tests and demos need (Debian 12). Safe to
# run twice: packages already present are skipped. As root it installs with
# apt-get; otherwise it lists what is missing and fails.
set -eu
PKGS="build-essential cmake ninja-build pkg-config clang clang-14 clang-format clang-format-14 \
libclang-rt-14-dev libcriterion-dev libelf-dev libzydis-dev nasm doxygen \
valgrind binutils qemu-system-x86 bochs bochsbios vgabios bochs-term \
grub-pc-bin grub-common xorriso mtools git"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages:$missing (run this script as root)" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
