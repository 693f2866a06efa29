#!/bin/bash
# measure.sh: runs a command and reports its wall time and peak memory.
#
#   bench/measure.sh [-o FILE] COMMAND [ARGS...]
#
# With -o, writes one line "SECONDS PEAK_KIB CPU_SECONDS" to FILE; without,
# prints "COMMAND: 1.23 s, 45.6 MiB peak, 1.10 s CPU" to stderr. The
# command's own output and exit status pass through unchanged. CPU seconds
# (user + system, the command and its waited-for descendants) are less
# disturbed than wall time by other load on the machine.
#
# Peak memory is the maximum resident set size (ru_maxrss) that wait4 reports
# for the command: the largest of the command and the descendants it waited
# for, so for a shell loop over many processes it is the biggest single
# process, not a sum.
#
# Needs GNU time as /usr/bin/time (Debian package "time", not the shell
# keyword); bench/run.sh installs it with apt-get when it is missing.
set -u

out=
if [ "${1:-}" = -o ]; then
	out=$2
	shift 2
fi
if [ $# -eq 0 ]; then
	echo "usage: measure.sh [-o FILE] COMMAND [ARGS...]" >&2
	exit 64
fi
if [ ! -x /usr/bin/time ]; then
	echo "measure.sh: /usr/bin/time is missing (apt-get install time)" >&2
	exit 69
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
/usr/bin/time -f '%e %M %U %S' -o "$tmp" "$@"
status=$?
# On a non-zero exit GNU time writes a "Command exited..." line first.
read -r secs kib user sys < <(tail -n 1 "$tmp")
cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
if [ -n "$out" ]; then
	echo "$secs $kib $cpu" > "$out"
else
	awk -v c="$1" -v s="$secs" -v k="$kib" -v p="$cpu" \
		'BEGIN { printf "%s: %s s, %.1f MiB peak, %s s CPU\n", c, s, k / 1024, p }' >&2
fi
exit "$status"
