#!/bin/bash
# The second quick-start command: installs what is needed, builds, and runs
# the whole test suite three times over:
#   1. the normal build: unit tests (cmocka) and end-to-end tests;
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the fuzz targets (clang, libFuzzer), briefly (FUZZ_SECONDS each).
# Ends with one line "N passed, N failed" over all three.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

phase() { # name builddir cmake-args... -- ctest-args...
	local name=$1 dir=$2
	shift 2
	local cm=() ct=()
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do cm+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	ct=("$@")
	echo "== $name"
	if ! "$top/scripts/build.sh" "$dir" "${cm[@]}"; then
		echo "== $name: build failed"
		echo "0 passed, 1 failed" >>"$log"
		status=1
		return
	fi
	(cd "$dir" && ctest --output-on-failure -j2 "${ct[@]}") | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}

phase "unit and end-to-end tests" "$top/build"
phase "the same under ASan+UBSan" "$top/build-asan" -DWIJKCAL_SANITIZE=ON \
	-DCMAKE_BUILD_TYPE=Debug -- -LE load
export FUZZ_SECONDS=${FUZZ_SECONDS:-20}
CC=clang phase "fuzz targets (${FUZZ_SECONDS}s each)" "$top/build-fuzz" \
	-DWIJKCAL_FUZZ=ON -DWIJKCAL_SANITIZE=ON -DCMAKE_C_COMPILER=clang -- -L fuzz

# ctest prints "N% tests passed, F tests failed out of T" per phase.
read -r passed failed < <(awk '/tests passed, .* tests failed out of/ {
	t += $NF; f += $4 } /^0 passed, 1 failed$/ { f += 1 }
	END { print t - f, f + 0 }' "$log")
echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
