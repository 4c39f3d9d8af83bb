# SPDX-License-Identifier: MIT
# What every Linux-module test script starts with (sourced; staged into the
# VM by lv_linux_test()): the module's debugfs directory, the status the
# script exits with, bad() to record a failed check, and debugfs mounted.
d=/sys/kernel/debug/lv_linux
status=0
bad() {
	echo "CHECK FAILED: $*"
	status=1
}
mount -t debugfs none /sys/kernel/debug 2>/dev/null
