#!/bin/bash
# run_http.sh: the HTTP benchmark of wijkcald.
#
#   bench/run_http.sh [--work DIR] [--keep] [--duration S] [--threads N]
#                     [--no-nation]
#
# 1. Generates the region data set with gen.py and loads it through the CLI
#    (run_export.sh's import phases), unless WORK/region/bench.db exists.
# 2. Starts, on 127.0.0.1, wijkcald (http.per_ip_limit = 0, http.threads =
#    N, default 2), nginx serving the bytes wijkcald serves for one wijk
#    feed from files (bench/nginx/nginx.conf, N worker processes) and
#    Radicale holding the same wijk calendar as a collection
#    (bench/radicale/config).
# 3. Runs wrk for S seconds (default 10) at 1 connection (1 thread) and 64
#    connections (2 threads) against each, for a full GET, a conditional GET
#    with the current ETag (304; Radicale has no conditional GET and answers
#    200) and a gzip GET, and records requests/s and p50 and p99 latency.
# 4. Unless --no-nation: generates and loads the nation data set (unless
#    WORK/nation/bench.db exists), starts wijkcald on it, fetches every
#    public feed plain and gzip (in two patterns, see nation_rss) and 51
#    pages, runs wrk at 64 connections for 5 s, and reads the daemon's peak
#    RSS (VmHWM) from /proc; also with http.cache_mb = 16 and with
#    MALLOC_ARENA_MAX=1.
# 5. Start-to-ready time, median of 5 starts, on the region and the nation
#    database: until READY=1 on a NOTIFY_SOCKET, and until /healthz answers.
# 6. Prints the table with the ratios wijkcald / nginx and wijkcald /
#    Radicale and saves it as WORK/results.txt.
#
# Installs wrk, nginx-light, radicale and curl with apt-get when missing.
# The binaries are $WIJKCAL and $WIJKCALD (default ../build/ next to this
# folder; use a Release build). The work folder (default: a new
# /tmp/wijkcal-http.XXXXXX) is removed at the end unless --keep or --work
# is given or something failed; with --work, data sets loaded by an earlier
# run are used again.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
WIJKCAL=${WIJKCAL:-$BENCH/../build/wijkcal}
WIJKCALD=${WIJKCALD:-$BENCH/../build/wijkcald}
PY=/usr/bin/python3
export WIJKCAL

# ------------------------------------------------------------ options
work='' keep=0 duration=10 threads=2 nation=1
while [ $# -gt 0 ]; do
	case $1 in
	--work) work=$2; keep=1; shift 2 ;;
	--keep) keep=1; shift ;;
	--duration) duration=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--no-nation) nation=0; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run_http.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
	esac
done

apt_install() {
	echo "run_http.sh: installing $* with apt-get" >&2
	local sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
missing=
command -v wrk > /dev/null || missing="$missing wrk"
[ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -x /usr/bin/radicale ] || missing="$missing radicale"
command -v curl > /dev/null || missing="$missing curl"
# shellcheck disable=SC2086
[ -z "$missing" ] || apt_install $missing

NAME=run_http.sh
. "$BENCH/lib.sh"
bench_need_binaries
bench_work_folder wijkcal-http

# ------------------------------------------------------------ helpers

# wait_http URL: until URL answers at all (at most 20 s).
wait_http() {
	local _
	for _ in $(seq 200); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "run_http.sh: $1 does not answer" >&2
	exit 1
}

# stop_server PID: SIGTERM and wait.
stop_server() {
	kill "$1" 2> /dev/null || true
	wait "$1" 2> /dev/null || true
}

# header URL NAME [CURL ARGS...]: the value of response header NAME.
header() {
	local url=$1 name=$2
	shift 2
	curl -s -o /dev/null -D - "$@" "$url" |
		awk -v n="$name" 'BEGIN { IGNORECASE = 1 }
			tolower($1) == tolower(n) ":" { sub(/^[^:]*: */, ""); sub(/\r$/, ""); print }'
}

# status URL [CURL ARGS...]: the status code of a GET.
status() {
	local url=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' "$@" "$url"
}

# load SCALE: WORK/SCALE/data and WORK/SCALE/bench.db, generated and loaded
# through the CLI unless an earlier run left them.
load() {
	local dir=$work/$1 phase
	if [ -f "$dir/bench.db" ] && [ -f "$dir/loaded" ]; then
		echo "== $1 data set: reusing $dir" >&2
		return
	fi
	echo "== $1 data set: generating and loading through the CLI" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	"$PY" "$BENCH/gen.py" --scale "$1" --out "$dir/data" >&2
	for phase in setup practices persons events; do
		"$BENCH/run_export.sh" __import "$phase" "$dir/data" "$dir/bench.db" \
			> "$dir/import-$phase.log" 2>&1 ||
			{ tail -n 20 "$dir/import-$phase.log" >&2; exit 1; }
	done
	touch "$dir/loaded"
}

# start_wijkcald DB PORT [CONFIG [VAR=VALUE...]]: starts the daemon (with
# WORK/wijkcald.conf and the environment given), sets $wkd_pid.
start_wijkcald() {
	local db=$1 port=$2 conf=${3:-$work/wijkcald.conf}
	shift 2
	[ $# = 0 ] || shift
	env "$@" "$WIJKCALD" -c "$conf" --db "$db" \
		--listen "127.0.0.1:$port" --foreground > "$work/wijkcald-$port.log" 2>&1 &
	wkd_pid=$!
	pids+=("$wkd_pid")
	wait_http "http://127.0.0.1:$port/healthz"
}

# ms VALUE: a wrk latency ("372.00us", "1.20ms", "2.00s") in milliseconds.
ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000
		else if (u == "m") n *= 60000
		printf "%.3f", n }'
}

# bench SERVER CASE CONNS URL [HEADER]: one wrk run; appends
# "SERVER CASE CONNS REQS P50MS P99MS ERRORS" to WORK/wrk.tsv.
bench() {
	local server=$1 kase=$2 conns=$3 url=$4 hdr=${5:-} out t=2
	out=$work/wrk/$server-$kase-$conns.txt
	[ "$conns" -ge 2 ] || t=1 # wrk needs a connection per thread
	echo "== wrk $server $kase c=$conns" >&2
	if [ -n "$hdr" ]; then
		wrk -t$t -c"$conns" -d"${duration}s" --latency -H "$hdr" "$url" > "$out"
	else
		wrk -t$t -c"$conns" -d"${duration}s" --latency "$url" > "$out"
	fi
	local reqs p50 p99 errs
	reqs=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
	p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	# Socket errors and answers other than 2xx/3xx.
	errs=$(awk '/Non-2xx/ { n += $NF }
		/Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
		END { print n + 0 }' "$out")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$kase" "$conns" \
		"$reqs" "$p50" "$p99" "$errs" >> "$work/wrk.tsv"
}

# ------------------------------------------------------------ 1. data
load region
region=$work/region
slug=$(head -n 1 "$region/data/wijken.tsv" | cut -f1)
path=/feeds/wijk/$slug.ics

cat > "$work/wijkcald.conf" <<EOF
# wijkcald for run_http.sh: wrk connects from one address.
http = {
	per_ip_limit = 0;
	threads = $threads;
};
EOF

# ------------------------------------------------------------ 2. servers
wkd_port=$(free_port)
start_wijkcald "$region/bench.db" "$wkd_port"
wkd=http://127.0.0.1:$wkd_port
region_pid=$wkd_pid

# nginx: the same bytes, plain and gzip, from files.
ngx=$work/nginx
rm -rf "$ngx"
mkdir -p "$ngx/tmp" "$ngx/root/feeds/wijk"
curl -sf -o "$ngx/root$path" "$wkd$path" ||
	{ echo "run_http.sh: wijkcald does not serve $path" >&2; exit 1; }
curl -sf -H 'Accept-Encoding: gzip' -o "$ngx/root$path.gz" "$wkd$path"
ngx_port=$(free_port)
user_line=
[ "$(id -u)" != 0 ] || user_line='user root;' # reads the work folder
sed -e "s|@PREFIX@|$ngx|g" -e "s|@ROOT@|$ngx/root|g" \
	-e "s|@PORT@|$ngx_port|g" -e "s|@WORKERS@|$threads|g" \
	-e "s|@USER@|$user_line|g" "$BENCH/nginx/nginx.conf" > "$ngx/nginx.conf"
/usr/sbin/nginx -p "$ngx/" -c "$ngx/nginx.conf" -e "$ngx/error.log" \
	-g 'daemon off;' &
pids+=($!)
ngx=http://127.0.0.1:$ngx_port
wait_http "$ngx$path"

# Radicale: the same calendar PUT as a collection.
rad=$work/radicale
rm -rf "$rad"
mkdir -p "$rad/collections"
rad_port=$(free_port)
sed -e "s|@PORT@|$rad_port|g" -e "s|@STORAGE@|$rad/collections|g" \
	"$BENCH/radicale/config" > "$rad/config"
/usr/bin/radicale -C "$rad/config" > "$rad/radicale.log" 2>&1 &
pids+=($!)
rad=http://127.0.0.1:$rad_port
wait_http "$rad/"
rad_path=/bench/$slug/
# With no login there is no principal collection: make one, then PUT the
# calendar as a collection inside it.
curl -sf -o /dev/null -X MKCOL "$rad/bench/" ||
	{ echo "run_http.sh: Radicale refuses MKCOL" >&2; exit 1; }
curl -sf -o /dev/null -X PUT -H 'Content-Type: text/calendar' \
	--data-binary "@$work/nginx/root$path" "$rad$rad_path" ||
	{ echo "run_http.sh: Radicale refuses the calendar" >&2; exit 1; }

# The answers must be what each case claims.
cmp -s <(curl -sf "$wkd$path") <(curl -sf "$ngx$path") ||
	{ echo "run_http.sh: nginx does not serve wijkcald's bytes" >&2; exit 1; }
cmp -s <(curl -sf -H 'Accept-Encoding: gzip' "$wkd$path") \
	<(curl -sf -H 'Accept-Encoding: gzip' "$ngx$path") ||
	{ echo "run_http.sh: nginx does not serve wijkcald's gzip bytes" >&2; exit 1; }
declare -A etag url
: > "$work/conditional.txt"
url[wijkcald]=$wkd$path url[nginx]=$ngx$path url[radicale]=$rad$rad_path
for s in wijkcald nginx radicale; do
	etag[$s]=$(header "${url[$s]}" ETag)
	inm=$(status "${url[$s]}" -H "If-None-Match: ${etag[$s]}")
	echo "$s: ETag ${etag[$s]:-none}, conditional GET answers $inm" >&2
	echo "$s $inm" >> "$work/conditional.txt"
	if [ "$s" != radicale ] && [ "$inm" != 304 ]; then
		echo "run_http.sh: $s answers $inm to If-None-Match" >&2
		exit 1
	fi
	[ "$(header "${url[$s]}" Content-Encoding -H 'Accept-Encoding: gzip')" = gzip ] ||
		{ echo "run_http.sh: $s does not gzip" >&2; exit 1; }
done
full_bytes=$(curl -sf "$wkd$path" | wc -c)
gz_bytes=$(curl -sf -H 'Accept-Encoding: gzip' "$wkd$path" | wc -c)
rad_bytes=$(curl -sf "$rad$rad_path" | wc -c)

# ------------------------------------------------------------ 3. wrk
mkdir -p "$work/wrk"
: > "$work/wrk.tsv"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for kase in full 304 gzip; do
	for conns in 1 64; do
		for s in wijkcald nginx radicale; do
			case $kase in
			full) hdr= ;;
			304) hdr="If-None-Match: ${etag[$s]}" ;;
			gzip) hdr='Accept-Encoding: gzip' ;;
			esac
			bench "$s" "$kase" "$conns" "${url[$s]}" "$hdr"
		done
	done
done
region_hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$region_pid/status")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------ 4. nation RSS
if [ $nation = 1 ]; then
	load nation
	nat=$work/nation
	# The public feeds, as `export --public-only` names them.
	rm -rf "$nat/export"
	"$WIJKCAL" --db "$nat/bench.db" export ics --all --public-only \
		--dir "$nat/export" > /dev/null
	(cd "$nat/export" && find feeds -name '*.ics' | sed 's|^|/|' | sort) \
		> "$nat/feeds.txt"
	{
		echo /
		awk -F"\t" 'NR <= 50 { print $1 }' "$nat/data/wijken.tsv" | sed 's|^|/wijk/|'
	} > "$nat/pages.txt"
	# Two ways to fetch them: "one-then-other" GETs every feed plain over
	# one keep-alive connection, then every feed gzip over a second one (so
	# the renders move from one HTTP thread to the other); "4-at-once" runs
	# four such fetchers on a quarter of the feeds each, so that both
	# threads render all along. Each thread allocates from its own malloc
	# arena, which is why the pattern matters for the peak.
	rm -f "$nat"/shard.*
	split -n r/4 "$nat/feeds.txt" "$nat/shard."
	nat_slug=$(head -n 1 "$nat/data/wijken.tsv" | cut -f1)
	: > "$work/rss.txt"
	# nation_rss LABEL PATTERN CONFIG [VAR=VALUE...]: one daemon on the
	# nation database: VmHWM at ready, then every public feed plain and
	# gzip, the pages, wrk -c64 for 5 s; appends "LABEL PATTERN KIB_READY
	# KIB_PEAK" to rss.txt.
	nation_rss() {
		local label=$1 pattern=$2 port pid at_ready shard fetchers=()
		shift 2
		port=$(free_port)
		start_wijkcald "$nat/bench.db" "$port" "$@"
		pid=$wkd_pid
		at_ready=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
		echo "== nation ($label, $pattern): fetching $(wc -l < "$nat/feeds.txt") feeds" >&2
		if [ "$pattern" = one-then-other ]; then
			"$BENCH/http_probe.py" fetch --port "$port" - < "$nat/feeds.txt" > /dev/null
			"$BENCH/http_probe.py" fetch --gzip --port "$port" - < "$nat/feeds.txt" > /dev/null
		else
			for shard in "$nat"/shard.*; do
				{
					"$BENCH/http_probe.py" fetch --port "$port" - < "$shard" &&
					"$BENCH/http_probe.py" fetch --gzip --port "$port" - < "$shard"
				} > /dev/null &
				fetchers+=($!)
			done
			for shard in "${fetchers[@]}"; do
				wait "$shard" || { echo "run_http.sh: fetching failed" >&2; exit 1; }
			done
		fi
		"$BENCH/http_probe.py" fetch --port "$port" - < "$nat/pages.txt" > /dev/null
		wrk -t2 -c64 -d5s "http://127.0.0.1:$port/feeds/wijk/$nat_slug.ics" \
			> "$work/wrk/nation-$label-$pattern.txt"
		echo "$label $pattern $at_ready $(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")" \
			>> "$work/rss.txt"
		stop_server "$pid"
	}
	nation_rss default one-then-other "$work/wijkcald.conf"
	nation_rss default 4-at-once "$work/wijkcald.conf"
	# Two ways under the target, for the README: a smaller feed cache, and
	# one malloc arena for all threads.
	sed 's/threads = .*;/&\n\tcache_mb = 16;/' "$work/wijkcald.conf" \
		> "$work/wijkcald-cache16.conf"
	nation_rss cache_mb=16 one-then-other "$work/wijkcald-cache16.conf"
	nation_rss MALLOC_ARENA_MAX=1 one-then-other "$work/wijkcald.conf" \
		MALLOC_ARENA_MAX=1
fi

# ------------------------------------------------------------ 5. ready
ready() { # DB: "notify MED MIN MAX" and "healthz MED MIN MAX" lines
	local port
	port=$(free_port)
	"$BENCH/http_probe.py" ready --runs 5 --port "$port" -- "$WIJKCALD" \
		-c "$work/wijkcald.conf" --db "$1" --listen "127.0.0.1:$port" \
		--foreground
}
echo "== start-to-ready" >&2
rm -f "$work"/ready-*.txt
ready "$region/bench.db" > "$work/ready-region.txt"
[ $nation = 0 ] || ready "$nat/bench.db" > "$work/ready-nation.txt"

# ------------------------------------------------------------ 6. table
table() {
	printf '%s\n' "wijkcald HTTP benchmark, $(date -u +%Y-%m-%dT%H:%MZ), wrk ${duration} s, http.threads = $threads, nginx worker_processes = $threads"
	printf 'feed %s: %s bytes, gzip %s bytes (Radicale serves its own serialisation: %s bytes)\n' \
		"$path" "$full_bytes" "$gz_bytes" "$rad_bytes"
	printf 'load average before the wrk runs %s, after %s (the runs add about 2)\n' \
		"$load_before" "$load_after"
	printf 'conditional GET with the ETag: %s\n' "$(tr '\n' ' ' < "$work/conditional.txt")"
	echo
	printf '%-5s %5s %-9s %10s %9s %9s %7s %10s %10s\n' case conns server \
		"req/s" "p50 ms" "p99 ms" errors "vs nginx" "vs Radicale"
	awk -F'\t' '
		{ r[$1, $2, $3] = $4; line[NR] = $0 }
		END {
			for (i = 1; i <= NR; i++) {
				split(line[i], f, "\t")
				a = "-"; b = "-"
				if (f[1] == "wijkcald") {
					n = r["nginx", f[2], f[3]]; d = r["radicale", f[2], f[3]]
					if (n > 0) a = sprintf("%.2fx", f[4] / n)
					if (d > 0) b = sprintf("%.0fx", f[4] / d)
				}
				printf "%-5s %5s %-9s %10s %9s %9s %7s %10s %10s\n",
					f[2], f[3], f[1], f[4], f[5], f[6], f[7], a, b
			}
		}' "$work/wrk.tsv"
	echo
	printf 'wijkcald peak RSS (VmHWM), region, after the wrk runs: %.1f MiB\n' \
		"$(awk -v k="$region_hwm" 'BEGIN { print k / 1024 }')"
	if [ $nation = 1 ]; then
		printf 'wijkcald peak RSS (VmHWM), nation, every one of the %s public feeds plain and gzip, %s pages, then wrk -c64 for 5 s:\n' \
			"$(wc -l < "$nat/feeds.txt")" "$(wc -l < "$nat/pages.txt")"
		awk '{ printf "  %-20s %-15s %6.1f MiB at ready, %6.1f MiB peak\n", $1, $2, $3 / 1024, $4 / 1024 }' \
			"$work/rss.txt"
	fi
	local f
	for f in "$work"/ready-*.txt; do
		awk -v s="$(basename "$f" .txt | sed 's/ready-//')" '
			$1 == "notify" { n = sprintf("READY=1 %s ms (%s-%s)", $2, $3, $4) }
			$1 == "healthz" { h = sprintf("/healthz %s ms (%s-%s)", $2, $3, $4) }
			END { printf "start to ready, %s, median of 5: %s; %s\n", s, n, h }' "$f"
	done
}
stop_server "$region_pid"
table | tee "$work/results.txt"
failed=0
