#!/bin/sh
# SPDX-License-Identifier: MIT
# Every external symbol an archive defines begins with lv_ or LV_: the
# archives are linked into other people's kernels and programs, where any
# other name may clash. Symbols a sanitizer build adds for instrumentation
# (__odr_asan.*, __asan_*, __ubsan_*, __sancov_*) are the compiler's, not
# ours. Usage: check_prefix.sh ARCHIVE... (NM in $NM)
set -eu
nm=${NM:-nm}
bad=0
for a in "$@"; do
	n=0
	for s in $("$nm" -g --defined-only "$a" | awk 'NF >= 3 {print $3}' | sort -u); do
		n=$((n + 1))
		case $s in
		lv_* | LV_*) ;;
		__odr_asan.* | __asan_* | __ubsan_* | __sancov_*) ;;
		*)
			echo "$a: external symbol without the lv_ prefix: $s"
			bad=1
			;;
		esac
	done
	echo "$(basename "$a"): $n external symbols"
done
exit $bad
