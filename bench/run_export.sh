#!/bin/bash
# run_export.sh: the feed export benchmark.
#
#   bench/run_export.sh [--scale nation|region] [--data DIR] [--work DIR]
#                       [--refs-only] [--sample N] [--keep]
#
# 1. Generates the data set with gen.py (or uses --data DIR).
# 2. Imports it through the CLI into a fresh database, timing each phase:
#    init + wijken + organisations, practices, persons, events (one CLI
#    process per .ics file, as an organiser would run it).
# 3. Times `wijkcal export ics --all --dir OUT` and the two reference
#    renderers (ref_icalendar.py, ref_icalgen.mjs) on the same events, each
#    with its peak RSS, and counts the feeds and bytes each wrote.
# 4. Checks a sample of wijkcal's feeds with check_feeds.py (parse with
#    python3-icalendar, same occurrences as the reference).
# 5. Prints a table with the ratios reference time / wijkcal time, and saves
#    it as WORK/results.txt.
#
# The CLI is $WIJKCAL (default: ../build/wijkcal next to this folder).
# --refs-only skips steps 2-4's wijkcal parts (to time the references alone).
# The work folder (default: a new /tmp/wijkcal-bench.XXXXXX) is removed at
# the end unless --keep or --work is given or something failed.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
WIJKCAL=${WIJKCAL:-$BENCH/../build/wijkcal}
PY=/usr/bin/python3 # has python3-icalendar; the first python3 on PATH may not

# ------------------------------------------------------------ import phases
# Run as `run_export.sh __import PHASE DATA DB` so that measure.sh can time a
# whole phase (many CLI processes) as one command. stdin is /dev/null so that
# no CLI process can eat the list a loop is reading.
wk() {
	"$WIJKCAL" --db "$DB" "$@" < /dev/null ||
		{ echo "failed: wijkcal --db $DB $*" >&2; exit 1; }
}

import_phase() {
	local phase=$1 data=$2
	DB=$3
	case $phase in
	setup)
		wk init
		# TSV: the only field that may be empty is the last (org wijk), so
		# read's collapsing of repeated tabs cannot shift a column.
		while IFS=$'\t' read -r slug name; do
			wk wijk add "$slug" --name "$name"
		done < "$data/wijken.tsv"
		while IFS=$'\t' read -r slug name kind wijk; do
			if [ -n "$wijk" ]; then
				wk org add "$slug" --name "$name" --kind "$kind" --wijk "$wijk"
			else
				wk org add "$slug" --name "$name" --kind "$kind"
			fi
		done < "$data/orgs.tsv"
		;;
	practices) wk import practices "$data/practices.csv" ;;
	persons) wk import persons "$data/persons.csv" ;;
	events)
		while IFS=$'\t' read -r file wijk kind; do
			wk import events "$data/events/$file" --wijk "$wijk" --kind "$kind"
		done < "$data/events/index.tsv"
		;;
	*) echo "unknown phase $phase" >&2; exit 64 ;;
	esac
}

if [ "${1:-}" = __import ]; then
	import_phase "$2" "$3" "$4"
	exit
fi

# ------------------------------------------------------------ options
scale=nation data='' work='' refs_only=0 sample=25 keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--scale) scale=$2; shift 2 ;;
	--data) data=$2; shift 2 ;;
	--work) work=$2; keep=1; shift 2 ;;
	--refs-only) refs_only=1; shift ;;
	--sample) sample=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run_export.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
	esac
done

if [ $refs_only = 0 ] && [ ! -x "$WIJKCAL" ]; then
	echo "run_export.sh: no CLI at $WIJKCAL (build it, set WIJKCAL, or" \
		"use --refs-only)" >&2
	exit 69
fi
[ -d "$BENCH/node_modules/ical-generator" ] ||
	{ echo "run_export.sh: run bench/run.sh (or npm ci --prefix bench) first" >&2; exit 69; }

if [ -z "$work" ]; then
	work=$(mktemp -d /tmp/wijkcal-bench.XXXXXX)
fi
mkdir -p "$work"
rm -rf "$work"/out-wijkcal "$work"/out-python "$work"/out-node
failed=1
cleanup() {
	if [ $keep = 0 ] && [ $failed = 0 ]; then
		rm -rf "$work"
	else
		echo "run_export.sh: work folder kept: $work" >&2
	fi
}
trap cleanup EXIT

# ------------------------------------------------------------ helpers
T=$work/times
mkdir -p "$T"

# measure NAME COMMAND...: times a step, logs its output to WORK/NAME.log.
measure() {
	local name=$1
	shift
	echo "== $name" >&2
	if ! "$BENCH/measure.sh" -o "$T/$name" "$@" > "$work/$name.log" 2>&1; then
		echo "run_export.sh: step $name failed; last lines of $work/$name.log:" >&2
		tail -n 20 "$work/$name.log" >&2
		exit 1
	fi
}
secs() { cut -d' ' -f1 "$T/$1"; }
kib() { cut -d' ' -f2 "$T/$1"; }
cpu() { cut -d' ' -f3 "$T/$1"; }

# feeds DIR: "FILES BYTES" of DIR/feeds/{wijk,practice}/*.ics
feeds() {
	find "$1/feeds/wijk" "$1/feeds/practice" -name '*.ics' -printf '%s\n' \
		2>/dev/null | awk '{ n++; s += $1 } END { print n + 0, s + 0 }'
}

# ------------------------------------------------------------ 1. data
if [ -z "$data" ]; then
	data=$work/data
	measure gen "$PY" "$BENCH/gen.py" --scale "$scale" --out "$data"
	cat "$work/gen.log" >&2
fi
data=$(cd "$data" && pwd)
scale=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["scale"])' \
	"$data/events.json")

# ------------------------------------------------------------ 2. import
if [ $refs_only = 0 ]; then
	db=$work/bench.db
	rm -f "$db" "$db-wal" "$db-shm"
	for phase in setup practices persons events; do
		measure "import-$phase" "$0" __import "$phase" "$data" "$db"
	done
	cat "$T"/import-{setup,practices,persons,events} |
		awk '{ s += $1; if ($2 > k) k = $2; c += $3 }
		END { printf "%.2f %d %.2f\n", s, k, c }' > "$T/import"
fi

# ------------------------------------------------------------ 3. export
if [ $refs_only = 0 ]; then
	measure export "$WIJKCAL" --db "$db" export ics --all --public-only --dir "$work/out-wijkcal"
fi
measure python-icalendar "$PY" "$BENCH/ref_icalendar.py" "$data" "$work/out-python"
measure ical-generator node "$BENCH/ref_icalgen.mjs" "$data" "$work/out-node"

# ------------------------------------------------------------ 4. check
echo "== check" >&2
check_status=0
"$PY" "$BENCH/check_feeds.py" "$work/out-python" "$work/out-node" \
	--sample 10 > "$work/check-refs.log" || check_status=1
if [ $refs_only = 0 ]; then
	"$PY" "$BENCH/check_feeds.py" "$work/out-python" "$work/out-wijkcal" \
		--sample "$sample" > "$work/check.log" || check_status=1
fi

# ------------------------------------------------------------ 5. table
table() {
	local base=
	[ $refs_only = 0 ] && base=$(secs export)
	printf '%s\n' "wijkcal feed export benchmark, scale $scale, $(date -u +%Y-%m-%dT%H:%MZ)"
	printf '%s\n' "data: $data"
	printf '%s .ics files; %s\n' "$(grep -c . "$data/events/index.tsv")" \
		"$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["events"]; print(len(e), "events,", sum(x["public"] for x in e), "public,", sum(len(x["moved"]) for x in e), "moved occurrences")' "$data/events.json")"
	echo
	printf '%-28s %8s %8s %9s %6s %10s %16s\n' step seconds "CPU s" "peak MiB" \
		feeds bytes "time vs wijkcal"
	row() { # NAME TIMEFILE OUTDIR
		local s k c n b ratio=-
		s=$(secs "$2") k=$(kib "$2") c=$(cpu "$2")
		if [ -n "$3" ]; then read -r n b < <(feeds "$3"); else n=- b=-; fi
		if [ -n "$base" ] && [ "$2" != export ] && [ "${2%%-*}" != import ]; then
			ratio=$(awk -v a="$s" -v b="$base" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')
		fi
		printf '%-28s %8s %8s %9.1f %6s %10s %16s\n' "$1" "$s" "$c" \
			"$(awk -v k="$k" 'BEGIN { print k / 1024 }')" "$n" "$b" "$ratio"
	}
	if [ $refs_only = 0 ]; then
		row "wijkcal import (total)" import ""
		row "  init, wijken, orgs" import-setup ""
		row "  practices" import-practices ""
		row "  persons" import-persons ""
		row "  events" import-events ""
		row "wijkcal export ics --all --public-only" export "$work/out-wijkcal"
	fi
	row "python3-icalendar 4.0.3" python-icalendar "$work/out-python"
	row "ical-generator $(node -p "require('$BENCH/node_modules/ical-generator/package.json').version")" \
		ical-generator "$work/out-node"
	echo
	[ $refs_only = 0 ] && echo "wijkcal wrote $(du -sb "$work/out-wijkcal" | cut -f1) bytes in all under --dir"
	echo "references agree: $(tail -n 1 "$work/check-refs.log")"
	[ $refs_only = 0 ] && echo "wijkcal output: $(tail -n 1 "$work/check.log")"
	return 0
}
table | tee "$work/results.txt"

if [ $check_status != 0 ]; then
	echo "run_export.sh: feed check failed:" >&2
	cat "$work"/check*.log | grep -v '^check_feeds:' | head -n 20 >&2
	exit 1
fi
failed=0
