#!/bin/sh
# SPDX-License-Identifier: MIT
# The KVM-in-QEMU runner, always on its VM path (LV_KVM_VM=1), also where
# /dev/kvm works: stdout and stderr come back apart and byte for byte, the
# exit status is the command's, arguments keep their quoting, files named
# by arguments or -f arrive at their paths, the working directory and the
# LV_* variables are kept, /dev/kvm exists inside, vm-run.sh run inside the
# guest takes its /dev/kvm branch (as on a host with /dev/kvm), --kvm none
# and stage leave KVM out or only staged, and --timeout stops a command
# that never ends with status 124.
# Usage: test_vm_run.sh VM_RUN_SH
set -u
vmrun=$1
export LV_KVM_VM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() { # check WHAT CONDITION...
	what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

cat >"$work/probe.sh" <<'PROBE'
printf 'raw\r\nbytes\000\377 end'
echo "args=$#"
for a in "$@"; do echo "arg=[$a]"; done
echo "cwd=$(pwd)"
echo "var=$LV_VM_RUN_TEST"
[ -c /dev/kvm ] && echo "kvm=yes"
cat "$EXTRA_FILE_PATH" 2>/dev/null
echo "to stderr" >&2
exit 7
PROBE
echo "the extra file" >"$work/extra.txt"
# Written as it must come back (the printf line and the lines after it).
printf 'raw\r\nbytes\000\377 end' >"$work/want"
cat >>"$work/want" <<WANT
args=3
arg=[two words]
arg=[it's]
arg=[$work/extra.txt]
cwd=$work
var=a b 'c'
kvm=yes
WANT

cd "$work" || exit 1
LV_VM_RUN_TEST="a b 'c'" sh "$vmrun" sh probe.sh "two words" "it's" "$work/extra.txt" \
	>"$work/out" 2>"$work/err"
status=$?
echo "--- stdout:"; cat "$work/out"; echo; echo "--- stderr:"; cat "$work/err"
check "exit status 7 (got $status)" [ "$status" -eq 7 ]
check "stdout byte for byte" cmp "$work/want" "$work/out"
check "stderr kept apart" grep -qx "to stderr" "$work/err"
check "says where it ran" grep -q "^vm-run: where: KVM inside QEMU" "$work/err"

# -f: a file no argument names; the command reads it by its absolute path.
echo "only with -f" >"$work/f.txt"
sh "$vmrun" -f "$work/f.txt" cat "$work/f.txt" >"$work/out2" 2>"$work/err2"
status=$?
check "-f file arrives (status $status)" grep -qx "only with -f" "$work/out2"

# Inside the guest /dev/kvm exists: vm-run.sh there takes its native branch,
# the one hosts with /dev/kvm use (and the directory's ELF files bring their
# libraries).
mkdir -p "$work/bin" && cp /bin/true "$work/bin/t"
sh "$vmrun" -f "$(dirname "$vmrun")" -f "$work/bin" sh -c \
	"LV_KVM_VM=auto sh '$vmrun' '$work/bin/t' && echo native-ok" >"$work/out4" 2>"$work/err4"
status=$?
cat "$work/err4"
check "inside the VM, vm-run takes the /dev/kvm branch (status $status)" \
	grep -q "^vm-run: where: /dev/kvm on this host" "$work/err4"
check "the native branch ran the command" grep -qx "native-ok" "$work/out4"

# --kvm none / stage (the linux tests): the VM path even with LV_KVM_VM=0
# refused and LV_KVM_VM unset; no /dev/kvm inside; stage puts the modules
# into /lv/modules without loading them.
LV_KVM_VM= sh "$vmrun" --kvm none sh -c '[ -c /dev/kvm ] && echo kvm; echo "mods=$(ls /lv/modules | wc -l)"' \
	>"$work/out5" 2>"$work/err5"
status=$?
cat "$work/out5" "$work/err5"
check "--kvm none: status 0 (got $status)" [ "$status" -eq 0 ]
check "--kvm none: in the VM" grep -q "^vm-run: where: KVM inside QEMU" "$work/err5"
check "--kvm none: no KVM modules, no /dev/kvm" grep -qx "mods=0" "$work/out5"
sh "$vmrun" --kvm stage sh -c '[ -c /dev/kvm ] && echo kvm; ls -1 /lv/modules' >"$work/out6" 2>&1
check "--kvm stage: kvm-amd staged" grep -qx "4-kvm-amd.ko" "$work/out6"
check "--kvm stage: not loaded" sh -c "! grep -qx kvm '$work/out6'"
LV_KVM_VM=0 sh "$vmrun" --kvm none true 2>"$work/err7"
status=$?
check "--kvm none with LV_KVM_VM=0 refused (got $status)" [ "$status" -eq 125 ]

start=$(date +%s)
sh "$vmrun" --timeout 10 sleep 1000 >"$work/out3" 2>"$work/err3"
status=$?
took=$(($(date +%s) - start))
cat "$work/err3"
check "--timeout gives 124 (got $status after $took s)" [ "$status" -eq 124 ]
check "--timeout says so" grep -q "did not finish within 10 s" "$work/err3"

[ $fail -eq 0 ] && echo "PASS: vm-run.sh"
exit $fail
