#!/bin/sh
# The main job: install what is needed, build everything, and boot the
# Multiboot demo guest in the toy VMM on the default backend (KVM here).
# The guest prints through the emulated 16550 UART and ends through
# isa-debug-exit with value 16, i.e. process status (16 << 1) | 1 = 33.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
./build/examples/lv-probe
echo "--- booting build/examples/guests/hello-mb.elf in vcpu-run"
status=0
./build/examples/vmm/vcpu-run -a "console=ttyS0" -i "README.md the README as a module" \
	build/examples/guests/hello-mb.elf || status=$?
if [ "$status" -ne 33 ]; then
	echo "demo guest ended with status $status, expected 33" >&2
	exit 1
fi
echo "--- demo guest finished through isa-debug-exit (status 33, as under QEMU)"
