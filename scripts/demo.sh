#!/bin/sh
# The first quick-start command: installs what is needed, builds, creates a
# demo database (one wijk, its practices, partners and a year of meetings)
# and exports its feeds. Prints where to look.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
"$top/scripts/build.sh"
demo=${WIJKCAL_DEMO_DIR:-$top/demo}
rm -rf "$demo"
mkdir -p "$demo"
WIJKCAL_CONFIG="$top/etc/demo/demo.conf" \
	"$top/etc/demo/load.sh" "$top/build/wijkcal" "$demo/wijkcal.db" "$top/etc/demo"
wk() { WIJKCAL_CONFIG="$top/etc/demo/demo.conf" "$top/build/wijkcal" --db "$demo/wijkcal.db" "$@"; }
wk export ics --all --dir "$demo/site"
wk export ics --wijk noord --internal -o "$demo/site/noord-intern.ics"
echo
echo "Demo database: $demo/wijkcal.db"
echo "Feeds:         $demo/site/feeds/ (wijk/, practice/, kind/)"
echo "               $demo/site/noord-intern.ics (internal feed of the wijk)"
echo
echo "Coming meetings of the wijk:"
wk agenda --wijk noord --from 2027-01-01 --to 2027-03-31
echo
echo "Try: $top/build/wijkcal --db $demo/wijkcal.db event list"
