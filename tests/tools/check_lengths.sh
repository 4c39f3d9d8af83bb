#!/bin/sh
# SPDX-License-Identifier: MIT
# No C, header or assembly source of the project is over 800 lines: split a
# file by job before it gets there. Usage: check_lengths.sh SOURCE_DIR
set -eu
cd "$1"
bad=0
n=0
for f in $(git ls-files '*.c' '*.h' '*.S' 2>/dev/null || find src include examples tests bench -name '*.[chS]'); do
	n=$((n + 1))
	l=$(wc -l <"$f")
	if [ "$l" -gt 800 ]; then
		echo "$f: $l lines (more than 800)"
		bad=1
	fi
done
echo "$n source files checked"
exit $bad
