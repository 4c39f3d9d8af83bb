#!/bin/sh
# SPDX-License-Identifier: MIT
# build.sh SRCROOT OUTDIR KDIR LIBLIST CONFLIST GENDIR
#
# Build lv_linux.ko with kbuild against the kernel build tree KDIR, in
# OUTDIR: a tree of symlinks to the repository's files at their relative
# paths (the files LIBLIST and CONFLIST name, their directories' headers,
# include/libvcpu, this directory), plus GENDIR's generated guests.c and
# guests.h under gen/. Objects and the module land in OUTDIR only.
# Prints nothing but kbuild's output; exit status is make's.
set -eu
[ $# -eq 6 ] || { echo "usage: build.sh SRCROOT OUTDIR KDIR LIBLIST CONFLIST GENDIR" >&2; exit 2; }
root=$1 out=$2 kdir=$3 liblist=$4 conflist=$5 gen=$6
[ -f "$kdir/Makefile" ] || { echo "build.sh: no kernel build tree at $kdir" >&2; exit 1; }

mkdir -p "$out"
# link REL: OUTDIR/REL -> SRCROOT/REL (shell builtins only: this runs at
# every build, and forks are slow on a loaded machine).
link() {
	[ -L "$out/$1" ] && return 0
	mkdir -p "$out/${1%/*}"
	ln -s "$root/$1" "$out/$1"
}
# Every file of a source directory (sources, headers, .inc), no subdirectories; once.
done_dirs=" "
link_dir() {
	case $done_dirs in *" $1 "*) return 0 ;; esac
	done_dirs="$done_dirs$1 "
	for f in "$root/$1"/*; do
		[ -f "$f" ] && link "$1/${f##*/}"
	done
	return 0
}
: >"$out/lib.list.new"
: >"$out/conf.list.new"
for pair in "$liblist:lib" "$conflist:conf"; do
	list=${pair%:*} kind=${pair##*:}
	while read -r rel; do
		[ -n "$rel" ] || continue
		case $rel in
		gen/*) ;;
		*) link_dir "${rel%/*}" ;;
		esac
		echo "$rel" >>"$out/$kind.list.new"
	done <"$list"
done
link_dir include/libvcpu
link_dir examples/linux-module
link_dir examples/linux-module/include
mkdir -p "$out/gen"
for f in guests.c guests.h; do
	[ -L "$out/gen/$f" ] || ln -s "$gen/$f" "$out/gen/$f"
done
[ -L "$out/Kbuild" ] || ln -s "$root/examples/linux-module/Kbuild" "$out/Kbuild"
[ -L "$out/Makefile" ] || ln -s "$root/examples/linux-module/Makefile" "$out/Makefile"
for kind in lib conf; do
	cmp -s "$out/$kind.list.new" "$out/$kind.list" 2>/dev/null || mv "$out/$kind.list.new" "$out/$kind.list"
	rm -f "$out/$kind.list.new"
done
exec make -C "$out" KDIR="$kdir" all
