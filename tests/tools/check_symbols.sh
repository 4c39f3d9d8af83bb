#!/bin/sh
# Fail when the freestanding archive references an undefined symbol outside
# the allowlist: memcpy, memset, memmove, memcmp and the platform seam
# (lv_plat_* as declared in include/libvcpu/platform.h).
# Usage: check_symbols.sh libvcpu_kernel.a [nm]
set -eu
ar_file=$1
nm=${2:-nm}
[ -n "$nm" ] || nm=nm
defined=$("$nm" -g --defined-only "$ar_file" 2>/dev/null | awk 'NF>=3 {print $3}' | sort -u)
undef=$("$nm" -g --undefined-only "$ar_file" | awk 'NF>=2 {print $NF}' | sort -u)
bad=0
for s in $undef; do
	case "$s" in
	memcpy | memset | memmove | memcmp) continue ;;
	lv_plat_page_alloc | lv_plat_page_free | lv_plat_alloc | lv_plat_free) continue ;;
	lv_plat_virt_to_phys | lv_plat_phys_to_virt | lv_plat_log) continue ;;
	lv_plat_cpu_id | lv_plat_cpu_count | lv_plat_kick_cpu | lv_plat_call_on_cpu) continue ;;
	lv_plat_now_ns | lv_plat_wait | lv_plat_wake | lv_plat_timer) continue ;;
	esac
	if printf '%s\n' "$defined" | grep -qx "$s"; then
		continue # defined in another member of the archive
	fi
	echo "disallowed undefined symbol: $s"
	bad=1
done
if [ $bad -ne 0 ]; then
	exit 1
fi
echo "freestanding archive: $(printf '%s\n' "$undef" | grep -c . || true) undefined references, all allowed"
