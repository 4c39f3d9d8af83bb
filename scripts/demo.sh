#!/bin/sh
# The main job: install what is needed, build everything, and boot the
# Multiboot demo guest in the toy VMM on the KVM backend. The guest prints
# through the emulated 16550 UART and ends through isa-debug-exit with value
# 16, i.e. process status (16 << 1) | 1 = 33.
#
# Where this host has a usable /dev/kvm, lv-probe and vcpu-run run here.
# Where it has none, they run inside KVM-in-QEMU (scripts/vm-run.sh: Debian's
# kernel with its own KVM under QEMU TCG), and the demo says so in one line.
# LV_KVM_VM=1 takes that path on any host.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"

if [ "${LV_KVM_VM:-auto}" != 1 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	echo "--- KVM: this host's /dev/kvm"
else
	if [ -e /dev/kvm ]; then why="its /dev/kvm is not readable and writable"; else why="it has no /dev/kvm"; fi
	[ "${LV_KVM_VM:-auto}" = 1 ] && why="LV_KVM_VM=1 asks for it"
	echo "--- KVM: inside QEMU, because $why: lv-probe and vcpu-run run in a Debian kernel with its own KVM (scripts/vm-run.sh)"
fi
sh scripts/vm-run.sh ./build/examples/lv-probe
echo "--- booting build/examples/guests/hello-mb.elf in vcpu-run"
status=0
sh scripts/vm-run.sh -f README.md ./build/examples/vmm/vcpu-run -a "console=ttyS0" \
	-i "README.md the README as a module" build/examples/guests/hello-mb.elf || status=$?
if [ "$status" -ne 33 ]; then
	echo "demo guest ended with status $status, expected 33" >&2
	exit 1
fi
echo "--- demo guest finished through isa-debug-exit (status 33, as under QEMU)"
