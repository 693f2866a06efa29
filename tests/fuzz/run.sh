#!/bin/sh
# Runs one libFuzzer target briefly: first over its stored corpus (crashers
# found earlier are kept there as regression cases), then on fresh inputs
# for FUZZ_SECONDS (default 20). Usage: run.sh BINARY FUZZDIR NAME
set -eu
bin=$1 dir=$2 name=$3
seconds=${FUZZ_SECONDS:-20}
corpus="$dir/corpus/$name"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$corpus"
set -- -max_total_time="$seconds" -timeout=2 -rss_limit_mb=2048 -print_final_stats=0
[ -f "$dir/$name.dict" ] && set -- "$@" -dict="$dir/$name.dict"
[ -f "$dir/$name.options" ] && set -- "$@" $(cat "$dir/$name.options")
exec "$bin" "$@" "$work" "$corpus"
