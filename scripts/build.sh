#!/bin/sh
# Builds wijkcal: build.sh [DIR [CMAKE-ARGS...]]; DIR defaults to build/.
# Warnings are errors (cmake/Warnings.cmake).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build
if [ $# -gt 0 ]; then
	dir=$1
	shift
fi
cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" -- --no-print-directory >/dev/null
