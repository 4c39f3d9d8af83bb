#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Usage: scripts/hot-path-trace.sh [BUILD_DIR] [OUT_PREFIX]
#
# Traces every host instruction of the SVM CPUID benchmark (tests/ring0
# case_bench_cpuid, the "benchonly" command line) under QEMU TCG with
# -singlestep: QEMU starts halted, gdb stops it at case_bench_cpuid through
# the gdb stub and turns the exec log on there, so only the benchmark is
# logged. Prints instructions per round trip per function, then every
# instruction that runs on (almost) every round trip, with its function:
# the hot path of lv_svm_run as the compiler laid it out. The figures
# agree with the RDTSC count of svm_qemu_bench within one or two.
#
# Needs: qemu-system-x86_64, gdb, objdump, nm, python3 (a developer's
# tool; no test runs it). BUILD_DIR defaults to ./build (built with the
# ring-0 kernel), OUT_PREFIX to /tmp/lv-hot-path (OUT_PREFIX.exec holds
# the log, a few hundred MB).
set -eu
b=${1:-build}
o=${2:-/tmp/lv-hot-path}
k=$b/tests/ring0/lv_ring0_kernel.elf
[ -f "$k" ] || { echo "no $k: build the ring-0 kernel first" >&2; exit 2; }
for t in qemu-system-x86_64 gdb objdump nm python3; do
	command -v $t >/dev/null || { echo "needs $t" >&2; exit 2; }
done
objdump -d --no-show-raw-insn "$k" > "$o.dis"
nm -n "$k" | grep -i " [tTwW] " > "$o.syms"
port=$((20000 + $$ % 10000))
rm -f "$o.exec" "$o.con"
timeout 300 qemu-system-x86_64 -accel tcg -cpu qemu64,+svm,+npt -m 64 -display none \
	-kernel "$k" -append benchonly -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-debugcon file:"$o.con" -no-reboot -singlestep -D "$o.exec" -serial none \
	-monitor none -gdb tcp::$port -S >/dev/null 2>&1 &
qpid=$!
sleep 1
a=$(grep '<case_bench_cpuid>:' "$o.dis" | head -1 | cut -d' ' -f1)
timeout 250 gdb -q -batch -ex "target remote :$port" -ex "hbreak *0x$a" -ex c \
	-ex "monitor log exec,nochain" -ex delete -ex c "$k" >/dev/null 2>&1 || true
wait $qpid 2>/dev/null || true
python3 - "$o" <<'PY'
import bisect, collections, re, sys
o = sys.argv[1]
syms = []
for line in open(o + '.syms'):
    a, _, n = line.split()[:3]
    syms.append((int(a, 16), n))
syms.sort()
addrs = [a for a, _ in syms]
def name(pc):
    i = bisect.bisect_right(addrs, pc) - 1
    return syms[i][1] if i >= 0 and 0x100000 <= pc < 0x400000 else 'guest/other'
per_fn = collections.Counter()
per_pc = collections.Counter()
for line in open(o + '.exec'):
    m = re.search(r'\[[0-9a-f]+/([0-9a-f]+)/', line)
    if m:
        pc = int(m.group(1), 16)
        per_pc[pc] += 1
        per_fn[name(pc)] += 1
stub = [a for a, n in syms if n == 'lv_svm_vmrun'][0]
rounds = max(c for p, c in per_pc.items() if stub <= p < stub + 200)
print('round trips', rounds)
for n, c in per_fn.most_common(16):
    if c / rounds >= 1:
        print('%-30s %8.1f' % (n, c / rounds))
dis = {}
for line in open(o + '.dis'):
    m = re.match(r'\s+([0-9a-f]+):\s+(.*)', line)
    if m:
        dis[int(m.group(1), 16)] = m.group(2)
print('--- run on (almost) every round trip')
for pc in sorted(per_pc):
    if per_pc[pc] >= rounds * 0.9 and pc >= 0x100000:
        print('%x %-20s %s' % (pc, name(pc)[:20], dis.get(pc, '?')))
PY
