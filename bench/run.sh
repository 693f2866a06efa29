#!/bin/bash
# run.sh: the benchmark in one command. Installs what is missing, then runs
# run_export.sh with the given options (see run_export.sh --help).
#
#   bench/run.sh                      nation scale, wijkcal vs the references
#   bench/run.sh --scale region       the small data set
#   bench/run.sh --refs-only          only the reference renderers
#
# Needs: /usr/bin/time (Debian package "time"), /usr/bin/python3 with
# python3-icalendar and python3-recurring-ical-events (Debian packages),
# node 20 and ical-generator (npm, pinned in package-lock.json).
set -euo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)

apt_install() {
	echo "run.sh: installing $* with apt-get" >&2
	local sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq "$@"
}

# GNU time measures wall time and peak RSS (measure.sh).
[ -x /usr/bin/time ] || apt_install time
/usr/bin/python3 -c 'import icalendar, recurring_ical_events' 2>/dev/null ||
	apt_install python3-icalendar python3-recurring-ical-events
if [ ! -d "$BENCH/node_modules/ical-generator" ]; then
	npm ci --prefix "$BENCH" --no-audit --no-fund
fi

exec "$BENCH/run_export.sh" "$@"
