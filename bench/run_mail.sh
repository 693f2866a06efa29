#!/bin/bash
# run_mail.sh: the mail benchmark of wijkcald (issue 4).
#
#   bench/run_mail.sh [--work DIR] [--keep] [--runs N] [--msmtp N]
#                     [--nation-db FILE] [--no-planner] [--now EPOCH]
#                     [--smtp-extra 'KEY = VALUE; ...']
#                     [--placements 'free apart shared']
#
# 1. Makes the mail data set through the CLI: one wijk, 10 practices, 100
#    persons (huisarts, `import persons`), 20 Hagro events two to five weeks
#    ahead with `--audience wijk:bench` (Hagro invitations are due at once,
#    kinds.hagro.invite_before = "0"): 2,000 invitations. Kept as
#    WORK/mail/pristine.db; every run below works on a fresh copy.
# 2. wijkcald, spool backend (mail.spool_dir): once, for the messages
#    themselves (their sizes; the files msmtp and smtp-source send) and,
#    for information, the spool's rate (one fsync and rename per message).
# 3. For each placement of the sender and the sink on the CPUs (below),
#    N runs (default 5; the table shows the median and the range of each):
#    a. wijkcald, SMTP backend: smtp.url = smtp://127.0.0.1:PORT,
#       smtp.starttls = "off", to Postfix's smtp-sink (`smtp-sink -u nobody
#       -c 127.0.0.1:PORT 1000`, which only counts). Time from just before
#       the exec until the sink has all 2,000 messages, and until
#       `wijkcal --json outbox list` shows all 2,000 "sent"; SMTP sessions
#       the sink saw (1 = one reused connection).
#    b. smtp-source -d -s 1 -m 2000 -F MSG: the same count over one
#       connection, MSG being a daemon's message of median size (LF line
#       ends; smtp-source sends them as CRLF), to a fresh smtp-sink.
#    c. mail_curl_loop.c (built here with cc and libcurl; skipped if that
#       fails): the same message and count with one reused libcurl easy
#       handle and nothing else, to show what libcurl allows.
#    Placements (taskset; --placements picks some): free, as the scheduler
#    likes; apart, smtp-sink on CPU 0 and the sender on CPU 1; shared,
#    both on CPU 0. In a VM a CPU woken from idle costs tens of
#    microseconds, and each message has eight wake-ups (four round trips),
#    so "apart" is latency-bound and "shared" CPU-bound; a free run is a
#    mix of the two by chance, which makes its ratio vary from run to run.
# 4. msmtp, one process per message: the first M (default 200) of the
#    daemon's messages, `msmtp --host=127.0.0.1 --port=PORT --auth=off
#    --tls=off --from=FROM -- RCPT < FILE` one after the other; msgs/s is
#    M / seconds.
# 5. Unless --no-planner: the planner on the nation data set (gen.py
#    --scale nation, loaded through the CLI with run_export.sh's import
#    phases into WORK/nation/pristine.db unless an earlier run left it, or
#    a copy of --nation-db FILE: a loaded nation database no daemon has
#    run on; loading takes about 3 minutes). On a copy: `wijkcal init`
#    (schema upgrade), `wijkcal mail pause` (so that a pass only plans),
#    then three daemon starts with the spool backend and WIJKCAL_NOW:
#      first:     EPOCH - 1 day: every invitation due by then (all the
#                 Hagros and FTOs of the year, the rest six weeks ahead),
#                 and the reminders due within a day;
#      reminders: EPOCH (default 2027-03-08 06:00 UTC, a Monday): the
#                 1-day reminders of Tuesday the 9th (a Hagro day);
#      steady:    EPOCH again: a pass with nothing to add.
#    A pass is timed from the daemon's stderr lines, time stamped as they
#    arrive (mail_probe.py planner): from "mail: delivering ..." (logged
#    right after the mail thread starts; its first act is the planner
#    pass) to "mail: N message(s) queued"; also the mail thread's CPU
#    seconds (/proc/PID/task). The steady pass logs nothing: its CPU
#    seconds after 3 s are shown. There is no CLI verb that runs the
#    planner once, so this is the closest outside view.
# 6. Prints the table and saves it as WORK/results_mail.txt.
#
# Installs postfix (for smtp-sink and smtp-source; debconf preseeded to
# "No configuration", never started as a service), msmtp and iproute2 (ss) with
# apt-get when missing. The binaries are $WIJKCAL and $WIJKCALD (default
# ../build/ next to this folder; use a Release build). Everything listens
# on 127.0.0.1. If the configuration of the checkout (core/config.c) has an
# smtp.* rate limit key, it is set to 0 (pass --smtp-extra to say
# otherwise). The work folder (default: a new /tmp/wijkcal-mail.XXXXXX) is
# removed at the end unless --keep or --work is given or something failed;
# with --work, the data sets of an earlier run are used again.
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$BENCH/.." && pwd)
WIJKCAL=${WIJKCAL:-$SRC/build/wijkcal}
WIJKCALD=${WIJKCALD:-$SRC/build/wijkcald}
PY=/usr/bin/python3
export WIJKCAL

# ------------------------------------------------------------ options
work='' keep=0 runs=5 msmtp_n=200 nation_db='' planner=1 smtp_extra=''
placements='free apart shared'
plan_now=$(date -u -d '2027-03-08 06:00' +%s)
events=20 persons=100
while [ $# -gt 0 ]; do
	case $1 in
	--work) work=$2; keep=1; shift 2 ;;
	--keep) keep=1; shift ;;
	--runs) runs=$2; shift 2 ;;
	--msmtp) msmtp_n=$2; shift 2 ;;
	--nation-db) nation_db=$2; shift 2 ;;
	--no-planner) planner=0; shift ;;
	--now) plan_now=$2; shift 2 ;;
	--smtp-extra) smtp_extra=$2; shift 2 ;;
	--placements) placements=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run_mail.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
	esac
done
count=$((events * persons))

# ------------------------------------------------------------ install
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
missing=
[ -x /usr/sbin/smtp-sink ] && [ -x /usr/sbin/smtp-source ] || missing="$missing postfix"
command -v msmtp > /dev/null || missing="$missing msmtp"
command -v ss > /dev/null || missing="$missing iproute2"
if [ -n "$missing" ]; then
	echo "run_mail.sh: installing$missing with apt-get" >&2
	# Postfix only for its test tools: no MTA configuration, and the
	# service is not started (it is not needed and must not run).
	echo "postfix postfix/main_mailer_type select No configuration" |
		$sudo debconf-set-selections
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

NAME=run_mail.sh
. "$BENCH/lib.sh"
bench_need_binaries
bench_work_folder wijkcal-mail

# ------------------------------------------------------------ helpers

# wk DB ARGS...: the CLI with the benchmark's (empty) configuration.
wk() {
	local db=$1
	shift
	"$WIJKCAL" -c "$work/cli.conf" --db "$db" "$@" < /dev/null
}

# copy_db FROM TO: a database and its WAL (no process has it open).
copy_db() {
	rm -f "$2" "$2-wal" "$2-shm"
	cp "$1" "$2"
	[ ! -f "$1-wal" ] || cp "$1-wal" "$2-wal"
}

# pin CPUS: the command prefix that keeps a program on CPUS ("" for any).
pin() {
	[ -z "$1" ] || printf 'taskset -c %s' "$1"
}

# sink NAME [CPUS]: starts smtp-sink on a free port (on CPUS if given),
# counting to WORK/sink-NAME.out; sets $sink_port and $sink_pid.
sink() {
	local out=$work/sink-$1.out _
	: > "$out"
	sink_port=$(free_port)
	# -u nobody: smtp-sink refuses to run as root otherwise (it drops to
	# nobody after opening the socket; the shell opened the output file).
	local user=()
	[ "$(id -u)" != 0 ] || user=(-u nobody)
	# shellcheck disable=SC2046
	$(pin "${2:-}") /usr/sbin/smtp-sink "${user[@]}" -c "127.0.0.1:$sink_port" 1000 > "$out" 2>&1 &
	sink_pid=$!
	pids+=("$sink_pid")
	# Listening? (ss, not a connection: smtp-sink would count it.)
	for _ in $(seq 100); do
		[ -z "$(ss -Hltn "sport = :$sink_port")" ] || return 0
		sleep 0.05
	done
	echo "run_mail.sh: smtp-sink does not listen" >&2
	exit 1
}

# sink_mesg NAME: messages smtp-sink NAME counted ("sess= quit= mesg=").
sink_field() {
	tr '\r' '\n' < "$work/sink-$1.out" | awk -v f="$2" '
		{ for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2 && kv[1] == f) v = kv[2] }
		END { print v + 0 }'
}

stop_pid() {
	kill "$1" 2> /dev/null || true
	wait "$1" 2> /dev/null || true
}

# json FILE KEY: one top-level value of mail_probe.py's JSON.
json() {
	"$PY" -c 'import json, sys; v = json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

from=agenda@bench.wijkcal.nl
: > "$work/cli.conf"

# Any rate limit of the mailer, as the checkout's configuration has it.
rate_keys=$(grep -o '"smtp\.[a-z_]*\(rate\|limit\|throttle\|per_second\|per_minute\|delay\)[a-z_]*"' \
	"$SRC/core/config.c" 2> /dev/null | tr -d '"' | sort -u || true)
rate_conf=
for k in $rate_keys; do
	# Only keys the binary knows (the checkout may be ahead of the build).
	grep -qaF "$k" "$WIJKCALD" || continue
	# KEY_INT takes a number; anything else (a duration) a string.
	if grep -q "\"$k\", *KEY_INT" "$SRC/core/config.c"; then
		rate_conf="$rate_conf ${k#smtp.} = 0;"
	else
		rate_conf="$rate_conf ${k#smtp.} = \"0\";"
	fi
done
[ -z "$smtp_extra" ] || rate_conf=" $smtp_extra"
[ -z "$rate_conf" ] || echo "run_mail.sh: smtp rate settings:$rate_conf" >&2

# ------------------------------------------------------------ 1. data set
mail=$work/mail
pristine=$mail/pristine.db
if [ -f "$pristine" ] && [ -f "$mail/loaded" ]; then
	echo "== mail data set: reusing $pristine" >&2
	wk "$pristine" init > /dev/null # the schema may have moved on since
else
	echo "== mail data set: $events events x $persons persons through the CLI" >&2
	rm -rf "$mail"
	mkdir -p "$mail"
	wk "$pristine" init > /dev/null
	wk "$pristine" wijk add bench --name "Benchwijk" > /dev/null
	{
		echo "slug,name,wijk,address"
		for p in $(seq 10); do
			echo "praktijk$p,Huisartsenpraktijk De Bench $p,bench,\"Hoofdstraat $p, Maastricht\""
		done
	} > "$mail/practices.csv"
	wk "$pristine" import practices "$mail/practices.csv" > /dev/null
	{
		echo "name,email,role,practice,org,big"
		for i in $(seq "$persons"); do
			echo "Huisarts Nummer $i,huisarts$i@praktijk$(( (i - 1) % 10 + 1 )).bench.nl,huisarts,praktijk$(( (i - 1) % 10 + 1 )),,"
		done
	} > "$mail/persons.csv"
	wk "$pristine" import persons "$mail/persons.csv" > /dev/null
	for e in $(seq "$events"); do
		day=$(date -u -d "+$((13 + e)) days" +%Y-%m-%d)
		wk "$pristine" event add --kind hagro --wijk bench \
			--title "Hagro Benchwijk $e: casuïstiek en afspraken" \
			--start "$day 12:30" --duration 90m \
			--location "Huisartsenpraktijk De Bench 1, Hoofdstraat 1, Maastricht" \
			--description "Maandelijks overleg van de huisartsen in de wijk. Agenda: casuïstiek, verwijsafspraken, waarneming in de zomer." \
			--audience "wijk:bench" > /dev/null
	done
	[ "$(wk "$pristine" --json outbox list)" = "[]" ] ||
		{ echo "run_mail.sh: the new database has mail already" >&2; exit 1; }
	touch "$mail/loaded"
fi

conf_common="kinds = { hagro = { invite_before = \"0\"; }; };"

# ------------------------------------------------------------ 2. spool
echo "== wijkcald, spool backend: $count messages" >&2
spool=$work/spool
rm -rf "$spool"
mkdir -p "$spool"
copy_db "$pristine" "$spool/mail.db"
cat > "$spool/wijkcald.conf" <<EOF
smtp = { from = "$from"; };
mail = { spool_dir = "$spool/eml"; };
$conf_common
EOF
"$PY" "$BENCH/mail_probe.py" spool --dir "$spool/eml" --count "$count" \
	--timeout 600 --log "$spool/wijkcald.log" -- \
	"$WIJKCALD" -c "$spool/wijkcald.conf" --db "$spool/mail.db" \
	--listen "127.0.0.1:$(free_port)" --foreground > "$spool/probe.json" ||
	{ echo "run_mail.sh: the spool run did not write $count messages" >&2
	  tail -n 20 "$spool/wijkcald.log" >&2; exit 1; }
spool_s=$(json "$spool/probe.json" spool_s)
# Sizes of the messages as sent (CRLF line ends, as in the files).
read -r size_avg size_min size_max < <(find "$spool/eml" -name '*.eml' -printf '%s\n' |
	awk 'NR == 1 || $1 < mn { mn = $1 } $1 > mx { mx = $1 } { s += $1 }
		END { printf "%.0f %d %d\n", s / NR, mn, mx }')
# The message of median size, for smtp-source (LF: it appends CRLF).
med_file=$(find "$spool/eml" -name '*.eml' -printf '%s %p\n' | sort -n |
	awk -v n="$count" 'NR == int((n + 1) / 2) { print $2 }')
tr -d '\r' < "$med_file" > "$work/message.txt"
med_size=$(wc -c < "$med_file")
echo "messages: $size_avg bytes on average ($size_min-$size_max), median $med_size" >&2

# ------------------------------------------------------------ 3. SMTP runs
# The bare libcurl loop (mail_curl_loop.c), if there is a compiler.
curl_loop=$work/mail_curl_loop
# shellcheck disable=SC2046
cc -O2 -o "$curl_loop" "$BENCH/mail_curl_loop.c" $(pkg-config --cflags --libs libcurl 2> /dev/null || echo -lcurl) 2> "$work/cc.log" ||
	{ echo "run_mail.sh: cannot build mail_curl_loop.c (no libcurl headers?); skipping it" >&2
	  curl_loop=; }
cat > "$work/smtp.conf.in" <<EOF
smtp = { url = "smtp://127.0.0.1:@PORT@"; starttls = "off"; from = "$from";$rate_conf };
$conf_common
EOF
# Where the scheduler puts the sender and the sink decides much here: on
# one CPU a reply wakes its reader at once; on two, each of the eight
# wake-ups per message costs a CPU coming out of idle (in a VM, the host
# scheduling that vCPU again). Once the two are apart, the kernel keeps
# them apart while both CPUs idle in between. Placements (taskset):
#   free:   as the scheduler likes (the two ways mixed, by chance);
#   apart:  the sink on CPU 0, the sender (all of wijkcald) on CPU 1;
#   shared: both on CPU 0: CPU time per message decides.
[ "$(nproc)" -ge 2 ] && command -v taskset > /dev/null ||
	{ echo "run_mail.sh: one CPU or no taskset: placement free only" >&2
	  placements=free; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for placement in $placements; do
case $placement in
free) sink_cpu='' client_cpu='' ;;
apart) sink_cpu=0 client_cpu=1 ;;
shared) sink_cpu=0 client_cpu=0 ;;
*) echo "run_mail.sh: unknown placement $placement (free, apart, shared)" >&2; exit 64 ;;
esac
: > "$work/runs-$placement.tsv"
for run in $(seq "$runs"); do
	# a. wijkcald
	echo "== $placement, run $run/$runs: wijkcald to smtp-sink" >&2
	rdir=$work/run-$placement-$run
	rm -rf "$rdir"
	mkdir -p "$rdir"
	copy_db "$pristine" "$rdir/mail.db"
	sink "wijkcald-$placement-$run" "$sink_cpu"
	sed "s/@PORT@/$sink_port/" "$work/smtp.conf.in" > "$rdir/wijkcald.conf"
	# shellcheck disable=SC2046
	"$PY" "$BENCH/mail_probe.py" deliver --sink-out "$work/sink-wijkcald-$placement-$run.out" \
		--count "$count" --timeout 600 --log "$rdir/wijkcald.log" \
		--cli "$WIJKCAL -c $work/cli.conf --db $rdir/mail.db" -- \
		$(pin "$client_cpu") "$WIJKCALD" -c "$rdir/wijkcald.conf" --db "$rdir/mail.db" \
		--listen "127.0.0.1:$(free_port)" --foreground > "$rdir/probe.json" ||
		{ echo "run_mail.sh: wijkcald did not deliver $count messages" \
			"(see $rdir/probe.json)" >&2
		  tail -n 20 "$rdir/wijkcald.log" >&2; exit 1; }
	stop_pid "$sink_pid"
	wk_sink=$(json "$rdir/probe.json" sink_s)
	wk_outbox=$(json "$rdir/probe.json" outbox_s)
	wk_first=$(json "$rdir/probe.json" first_s)
	wk_sess=$(json "$rdir/probe.json" sessions)

	# b. smtp-source, the same count over one connection.
	echo "== $placement, run $run/$runs: smtp-source to smtp-sink" >&2
	sink "source-$placement-$run" "$sink_cpu"
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2046
	timeout 300 $(pin "$client_cpu") /usr/sbin/smtp-source -d -s 1 -m "$count" -F "$work/message.txt" \
		-f "$from" -t huisarts1@praktijk1.bench.nl "127.0.0.1:$sink_port" ||
		{ echo "run_mail.sh: smtp-source failed" >&2; exit 1; }
	t1=$EPOCHREALTIME
	sleep 0.2
	src_n=$(sink_field "source-$placement-$run" mesg)
	src_sess=$(sink_field "source-$placement-$run" sess)
	stop_pid "$sink_pid"
	[ "$src_n" = "$count" ] ||
		{ echo "run_mail.sh: smtp-sink counted $src_n of smtp-source's messages" >&2; exit 1; }
	src_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')

	# c. the bare libcurl loop, the same message and count.
	cl_s=- cl_sess=-
	if [ -n "$curl_loop" ]; then
		echo "== $placement, run $run/$runs: bare libcurl loop to smtp-sink" >&2
		sink "curl-$placement-$run" "$sink_cpu"
		# shellcheck disable=SC2046
		cl_s=$(timeout 300 $(pin "$client_cpu") "$curl_loop" "smtp://127.0.0.1:$sink_port" "$from" \
			huisarts1@praktijk1.bench.nl "$med_file" "$count") ||
			{ echo "run_mail.sh: the libcurl loop failed" >&2; exit 1; }
		cl_s=${cl_s#* }
		sleep 0.2
		cl_n=$(sink_field "curl-$placement-$run" mesg)
		cl_sess=$(sink_field "curl-$placement-$run" sess)
		stop_pid "$sink_pid"
		[ "$cl_n" = "$count" ] ||
			{ echo "run_mail.sh: smtp-sink counted $cl_n of the libcurl loop's messages" >&2; exit 1; }
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$wk_sink" "$wk_outbox" \
		"$wk_first" "$wk_sess" "$src_s" "$src_sess" "$cl_s" "$cl_sess" >> "$work/runs-$placement.tsv"
	echo "   wijkcald $wk_sink s ($wk_sess session(s)), smtp-source $src_s s, libcurl loop $cl_s s" >&2
done
done

# ------------------------------------------------------------ 4. msmtp
echo "== msmtp, one process per message: $msmtp_n messages" >&2
sink msmtp
find "$spool/eml" -name '*.eml' | sort | sed -n "1,${msmtp_n}p" > "$work/msmtp.list"
# The recipient of each file, from its To: header.
"$PY" -c '
import email.utils, sys
from email.parser import BytesHeaderParser
for path in sys.stdin.read().split():
    with open(path, "rb") as f:
        to = BytesHeaderParser().parse(f).get("To", "")
    print("%s\t%s" % (path, email.utils.getaddresses([to])[0][1]))
' < "$work/msmtp.list" > "$work/msmtp.tsv"
t0=$EPOCHREALTIME
while IFS=$'\t' read -r f rcpt; do
	timeout 30 msmtp --host=127.0.0.1 --port="$sink_port" --auth=off --tls=off \
		--from="$from" -- "$rcpt" < "$f" ||
		{ echo "run_mail.sh: msmtp failed on $f" >&2; exit 1; }
done < "$work/msmtp.tsv"
t1=$EPOCHREALTIME
sleep 0.2
msmtp_got=$(sink_field msmtp mesg)
stop_pid "$sink_pid"
msmtp_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
[ "$msmtp_got" = "$msmtp_n" ] ||
	{ echo "run_mail.sh: smtp-sink counted $msmtp_got of msmtp's $msmtp_n" >&2; exit 1; }
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------ 5. planner
if [ $planner = 1 ]; then
	nat=$work/nation
	mkdir -p "$nat"
	if [ -n "$nation_db" ]; then
		echo "== nation data set: copying $nation_db" >&2
		copy_db "$nation_db" "$nat/pristine.db"
		touch "$nat/loaded"
	elif [ -f "$nat/pristine.db" ] && [ -f "$nat/loaded" ]; then
		echo "== nation data set: reusing $nat/pristine.db" >&2
	else
		echo "== nation data set: generating and loading through the CLI (minutes)" >&2
		rm -rf "$nat/data" "$nat/pristine.db"*
		"$PY" "$BENCH/gen.py" --scale nation --out "$nat/data" >&2
		for phase in setup practices persons events; do
			"$BENCH/run_export.sh" __import "$phase" "$nat/data" "$nat/pristine.db" \
				> "$nat/import-$phase.log" 2>&1 ||
				{ tail -n 20 "$nat/import-$phase.log" >&2; exit 1; }
		done
		touch "$nat/loaded"
	fi
	copy_db "$nat/pristine.db" "$nat/planner.db"
	wk "$nat/planner.db" init > /dev/null
	[ "$(wk "$nat/planner.db" --json outbox list)" = "[]" ] ||
		{ echo "run_mail.sh: the nation database has mail already" \
			"(a daemon has run on it; give a fresh one)" >&2; exit 1; }
	wk "$nat/planner.db" mail pause > /dev/null
	cat > "$nat/wijkcald.conf" <<EOF
smtp = { from = "$from"; };
mail = { spool_dir = "$nat/spool"; };
EOF
	# queued_by_kind: the outbox's rows by kind, "N kind=n ...".
	queued_by_kind() {
		wk "$nat/planner.db" --json outbox list | "$PY" -c '
import collections, json, sys
rows = json.load(sys.stdin)
print(json.dumps(collections.Counter(r.get("kind", "?") for r in rows)))'
	}
	# plan_pass NAME NOW: one daemon start on planner.db at WIJKCAL_NOW=NOW
	# until its first pass has queued; WORK/nation/NAME.json.
	plan_pass() {
		echo "== planner, nation data set, $1 pass, WIJKCAL_NOW=$2 ($(date -u -d "@$2" '+%F %R UTC'))" >&2
		env WIJKCAL_NOW="$2" "$PY" "$BENCH/mail_probe.py" planner \
			--timeout 600 --settle 0.5 --log "$nat/wijkcald-$1.log" -- \
			"$WIJKCALD" -c "$nat/wijkcald.conf" --db "$nat/planner.db" \
			--listen "127.0.0.1:$(free_port)" --foreground > "$nat/$1.json" ||
			{ echo "run_mail.sh: no $1 planner pass on the nation data set" >&2
			  tail -n 20 "$nat/wijkcald-$1.log" >&2; exit 1; }
		queued_by_kind > "$nat/$1.queued"
	}
	# 1. A day before: every invitation due by then, and the reminders
	#    due within a day. 2. The next day: the reminders that have come
	#    due (and invitations that came into their window). 3. The same
	#    moment again: nothing to add.
	plan_pass first $((plan_now - 86400))
	plan_pass reminders "$plan_now"
	env WIJKCAL_NOW="$plan_now" "$PY" "$BENCH/mail_probe.py" steady --settle 3 \
		--log "$nat/wijkcald-steady.log" -- \
		"$WIJKCALD" -c "$nat/wijkcald.conf" --db "$nat/planner.db" \
		--listen "127.0.0.1:$(free_port)" --foreground > "$nat/steady.json" ||
		{ echo "run_mail.sh: the daemon did not start on the planned database" >&2; exit 1; }
	nat_events=$(wk "$nat/planner.db" --json event list | "$PY" -c 'import json, sys; print(len(json.load(sys.stdin)))')
fi

# ------------------------------------------------------------ 6. table
# range FILE COLUMN: "MIN-MAX" msgs/s over the runs, from seconds in COLUMN.
range() {
	awk -F'\t' -v f="$2" -v c="$count" '$f != "-" { r = c / $f
		if (n++ == 0 || r < lo) lo = r; if (r > hi) hi = r }
		END { if (n) printf "%.0f-%.0f", lo, hi; else print "-" }' "$1"
}
# placement_rows P: the SMTP rows of placement P, medians of its runs.
placement_rows() {
	local f=$work/runs-$1.tsv med_run wk_sink wk_outbox wk_first wk_sess
	local src_s src_sess cl_s cl_sess
	# The median run by wijkcald's time to the sink.
	med_run=$(sort -t$'\t' -k2,2g "$f" | awk -v n="$runs" 'NR == int((n + 1) / 2)')
	IFS=$'\t' read -r _ wk_sink wk_outbox wk_first wk_sess _ _ _ _ <<< "$med_run"
	src_s=$(cut -f6 "$f" | median)
	src_sess=$(sort -t$'\t' -k6,6g "$f" | awk -v n="$runs" -F'\t' 'NR == int((n + 1) / 2) { print $7 }')
	cl_s=$(cut -f8 "$f" | median)
	cl_sess=$(sort -t$'\t' -k8,8g "$f" | awk -v n="$runs" -F'\t' 'NR == int((n + 1) / 2) { print $9 }')
	awk -v c="$count" -v wk="$wk_sink" -v wo="$wk_outbox" -v wf="$wk_first" \
		-v rgw="$(range "$f" 2)" -v rgs="$(range "$f" 6)" -v rgc="$(range "$f" 8)" \
		-v ws="$wk_sess" -v ss="$src_s" -v sse="$src_sess" \
		-v cl="$cl_s" -v cls="$cl_sess" 'BEGIN {
		rw = c / wk; rs = c / ss
		printf "%-44s %8d %9.3f %9.0f %12s %9d %12s\n", "wijkcald (SMTP; exec to all at the sink)", c, wk, rw, rgw, ws, "-"
		printf "%-44s %8d %9.3f %9.0f %12s %9s %12s\n", "  the same, until the outbox shows all sent", c, wo, c / wo, "", "", ""
		printf "%-44s %8d %9.3f %9.0f %12s %9s %12s\n", "  the same, first to last message at the sink", c - 1, wk - wf, (c - 1) / (wk - wf), "", "", ""
		printf "%-44s %8d %9.3f %9.0f %12s %9d %11.2fx\n", "smtp-source -d -s 1 (one connection)", c, ss, rs, rgs, sse, rw / rs
		if (cl != "-")
			printf "%-44s %8d %9.3f %9.0f %12s %9d %11.2fx\n", "bare libcurl loop, one easy handle", c, cl, c / cl, rgc, cls, rw / (c / cl)
	}'
	# Each run's wijkcald and smtp-source go back to back: their ratio
	# within a run is steadier than the ratio of the medians when the
	# host's speed drifts between runs.
	awk -F'\t' '{ print $6 / $2 }' "$f" | sort -g | awk -v n="$runs" '
		{ r[NR] = $1 }
		END { printf "  wijkcald/smtp-source within each run: median %.2fx, range %.2f-%.2fx\n",
			r[int((n + 1) / 2)], r[1], r[n] }'
}
table() {
	local p
	printf '%s\n' "wijkcald mail benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs"
	printf '%s invitations (%s events x %s persons); message size %s bytes on average (%s-%s), smtp-source sends one of %s bytes\n' \
		"$count" "$events" "$persons" "$size_avg" "$size_min" "$size_max" "$med_size"
	printf 'load average before the SMTP runs %s, after %s; median and range of %s runs (wijkcald, smtp-source, libcurl loop) per placement\n' \
		"$load_before" "$load_after" "$runs"
	[ -z "$rate_conf" ] || printf 'smtp settings for the rate:%s\n' "$rate_conf"
	for p in $placements; do
		echo
		case $p in
		free) echo "placement free: wherever the scheduler puts the sender and smtp-sink" ;;
		apart) echo "placement apart: smtp-sink on CPU 0, the sender on CPU 1 (taskset)" ;;
		shared) echo "placement shared: smtp-sink and the sender both on CPU 0 (taskset)" ;;
		esac
		printf '%-44s %8s %9s %9s %12s %9s %12s\n' tool messages seconds "msgs/s" "range msgs/s" sessions "wijkcald is"
		placement_rows "$p"
	done
	echo
	echo "one process per message, and the spool, with no placement:"
	local wk_free
	wk_free=$(cut -f2 "$work/runs-${placements%% *}.tsv" | median)
	awk -v c="$count" -v wk="$wk_free" -v mn="$msmtp_n" -v ms="$msmtp_s" -v sp="$spool_s" 'BEGIN {
		printf "%-44s %8d %9.3f %9.1f %12s %9d %11.1fx\n", "msmtp, one process per message", mn, ms, mn / ms, "", mn, (c / wk) / (mn / ms)
		printf "%-44s %8d %9.3f %9.0f %12s %9s %12s\n", "wijkcald (spool: a file, fsync, per message)", c, sp, c / sp, "", "-", "(info)"
	}'
	if [ $planner = 1 ]; then
		echo
		printf 'planner, nation data set (%s events), mail paused, one daemon start per pass:\n' "$nat_events"
		local pass prev=/dev/null
		for pass in first reminders; do
			printf '  %-9s pass, WIJKCAL_NOW %s UTC: %s rows queued (%s) in %.3f s wall, mail thread %.2f s CPU\n' \
				"$pass" "$(date -u -d "@$(json "$nat/$pass.json" now)" '+%F %R')" \
				"$(json "$nat/$pass.json" queued)" \
				"$("$PY" -c 'import json, sys
a = json.load(open(sys.argv[1])) if sys.argv[1] != "/dev/null" else {}
b = json.load(open(sys.argv[2]))
print(" ".join("%s %d" % (k, b[k] - a.get(k, 0)) for k in sorted(b) if b[k] != a.get(k, 0)))' "$prev" "$nat/$pass.queued")" \
				"$(json "$nat/$pass.json" pass_s)" "$(json "$nat/$pass.json" pass_cpu_s)"
			prev=$nat/$pass.queued
		done
		printf '  a pass with nothing to add (the same moment again): %.2f s CPU of the mail thread\n' \
			"$(json "$nat/steady.json" cpu_s)"
	fi
}
table | tee "$work/results_mail.txt"
failed=0
