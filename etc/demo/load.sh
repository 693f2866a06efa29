#!/bin/sh
# Loads the demo wijk: usage load.sh WIJKCAL DATABASE DEMODIR
# Everything goes through the CLI, as an organiser would type it.
set -eu
bin=$1 db=$2 dir=$3
wk() { "$bin" --db "$db" "$@"; }
add() { wk event add "$@" >/dev/null; }
wk init >/dev/null
wk wijk add noord --name "Heuvelland-Noord"
wk org add welzijn-noord --name "Welzijn Noord" --kind welzijn --wijk noord
wk org add wijkteam-noord --name "Sociaal Wijkteam Noord" --kind sociaal-wijkteam --wijk noord
wk org add apotheek-noord --name "Apotheek Noord" --kind apotheek --wijk noord
wk org add gemeente --name "Gemeente Maastricht" --kind gemeente --wijk noord
wk org add zio --name "ZIO Zorg in Ontwikkeling" --kind regio-organisatie
wk import practices "$dir/practices.csv" >/dev/null
wk import persons "$dir/persons.csv" >/dev/null

add --kind hagro --wijk noord --title "Hagro Noord" --start "2027-01-12 12:30" \
	--duration 90m --rrule "FREQ=MONTHLY;BYDAY=2TU;COUNT=10" \
	--location "De Linde, Hoofdstraat 1" \
	--audience "wijk:noord role:huisarts,waarnemer,poh"
add --kind fto --wijk noord --title "FTO Noord" --start "2027-02-03 12:30" \
	--rrule "FREQ=MONTHLY;INTERVAL=2;BYDAY=1WE;COUNT=5" \
	--location "Apotheek Noord" --description "Farmacotherapeutisch overleg met de apotheek."
add --kind themaavond --wijk noord --title "Thema-avond: samenwerken met het sociaal wijkteam" \
	--start "2026-12-10 19:30" --end "2026-12-10 21:30" --location "Buurthuis De Kring" \
	--description "Casuïstiek uit de praktijk, met het sociaal wijkteam en welzijn."
add --kind wijklunch --wijk noord --title "Wijklunch Heuvelland-Noord" \
	--start "2027-01-21 12:00" --rrule "FREQ=MONTHLY;INTERVAL=3;BYDAY=3TH;COUNT=4" \
	--location "Buurthuis De Kring" \
	--description "Elkaar kennen en weten te vinden: huisartsenpraktijken, welzijn, wijkteam en gemeente."
add --kind scholing --wijk noord --title "Scholing samen beslissen" \
	--start "2027-04-08 19:00" --end "2027-04-08 21:30" --points 2 \
	--online "https://meet.example.nl/samen-beslissen" --location "ZIO, Maastricht"
add --kind campagne --wijk noord --title "Gezond ouder worden in Noord" \
	--start "2027-09-14 14:00" --rrule "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6" \
	--location "Bibliotheek Noord" --public \
	--audience "wijk:noord role:huisarts,poh" --audience "org-kind:welzijn,gemeente"
add --kind expeditie --wijk noord --title "Fietstocht langs de partners" \
	--date "2027-05-20" --audience "wijk:noord"
add --kind evaluatie --wijk noord --title "Evaluatie samenwerking" \
	--start "2027-06-24 17:00" --rrule "FREQ=MONTHLY;INTERVAL=6;BYDAY=4TH;COUNT=2"
add --kind vragenlijst --wijk noord --title "Jaarlijkse vragenlijst samenwerking" \
	--date "2027-11-30"
echo "demo wijk loaded into $db"
