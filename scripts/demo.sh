#!/bin/sh
# The first quick-start command: installs what is needed, builds, creates a
# demo database (one wijk, its practices, partners and a year of meetings),
# writes its feeds as files, and runs the daemon on it in the foreground at
# http://127.0.0.1:8080/ (WIJKCAL_DEMO_LISTEN to change), with mail written
# to a spool folder. Prints where to look; Ctrl-C stops the daemon.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
demo=${WIJKCAL_DEMO_DIR:-$top/demo}
listen=${WIJKCAL_DEMO_LISTEN:-127.0.0.1:8080}
rm -rf "$demo"
mkdir -p "$demo"
# The demo's config: the example defaults, this database, this address.
cat >"$demo/wijkcal.conf" <<CONF
database = "$demo/wijkcal.db";
organizer = "agenda@zio-demo.nl";
http = { listen = "$listen"; base_url = "http://$listen"; };
CONF
export WIJKCAL_CONFIG="$demo/wijkcal.conf"
"$top/etc/demo/load.sh" "$top/build/wijkcal" "$demo/wijkcal.db" "$top/etc/demo"
wk() { "$top/build/wijkcal" "$@"; }
wk export ics --all --dir "$demo/site"
base="http://$listen"
cat <<MSG

Demo database: $demo/wijkcal.db (config $demo/wijkcal.conf)
Feeds as files: $demo/site/feeds/ (wijk/, practice/, kind/, private/)

The daemon serves, until Ctrl-C:
  agenda page:      $base/wijk/noord
  wijk feed:        $base/feeds/wijk/noord.ics
  practice feed:    $base/feeds/practice/linde.ics
  internal feed:    $(wk feed url --wijk noord --internal)
  Anna's own feed:  $(wk feed url --person anna.devries@linde-demo.nl)
  health, metrics:  $base/healthz  $base/metrics

Mail: no SMTP server is configured, so the daemon writes each invitation,
update and reminder as an .eml file into $demo/spool/
(Hagro and FTO invitations go out at once; \`wijkcal outbox list\` shows them).

Coming meetings (wijkcal agenda --wijk noord --from 2027-01-01 --to 2027-02-28):
MSG
wk agenda --wijk noord --from 2027-01-01 --to 2027-02-28
echo
echo "Try in another shell: WIJKCAL_CONFIG=$demo/wijkcal.conf $top/build/wijkcal event list"
exec "$top/build/wijkcald" --foreground
