#!/bin/sh
# Fail when a tracked C source or header differs from .clang-format's output.
# Usage: check_format.sh clang-format SRC_DIR
set -eu
cf=$1
cd "$2"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find include src tests examples bench -name '*.[ch]')
[ -n "$files" ] || { echo "no files"; exit 0; }
# shellcheck disable=SC2086
if ! "$cf" --dry-run --Werror $files; then
	echo "formatting differs: run clang-format -i on the files above"
	exit 1
fi
echo "format: $(echo "$files" | wc -l) files clean"
