#!/bin/sh
# Installs what wijkcal needs to build, run and test, from Debian 12 and npm.
# Run as root. Safe to run again: apt-get and npm skip what is there.
set -eu
export DEBIAN_FRONTEND=noninteractive
pkgs="build-essential cmake pkg-config clang libclang-rt-14-dev clang-format
libical-dev libcurl4-openssl-dev libsqlite3-dev libconfig-dev libmicrohttpd-dev
libjansson-dev libcmocka-dev libsystemd-dev zlib1g-dev libssl-dev sqlite3
python3 python3-icalendar python3-recurring-ical-events python3-aiosmtpd time curl
systemd nginx-light openssl chromium fonts-dejavu-core slowhttptest"
# Node.js with npm may come from elsewhere (NodeSource's nodejs conflicts
# with Debian's npm package): install Debian's only when there is no npm.
command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# ical.js for the tests' second, independent iCalendar parser.
top=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -d "$top/tests/tools/node_modules/ical.js" ]; then
	npm install --prefix "$top/tests/tools" --no-audit --no-fund --silent >/dev/null
fi
