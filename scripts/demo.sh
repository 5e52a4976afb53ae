#!/bin/sh
# make demo: two federated nodes in demo/, one per country, pinned to each other over the
# mutually authenticated link, with a few events and a unit so that there is something to
# see. PK-SOUTH (PAK) serves on 127.0.0.1:8080, IR-EAST (IRN) on 127.0.0.1:8081 (or from
# $SARHAD_DEMO_PORT). Ctrl-C stops both.
set -eu
cd "$(dirname "$0")/.."
BIN=build/sarhad
P1=${SARHAD_DEMO_PORT:-8080}
P2=$((P1 + 1))
L1=$((P1 + 1363))
L2=$((P1 + 1364))
rm -rf demo
mkdir -p demo
T1=$($BIN init --dir demo/pk-south --node PK-SOUTH --country PAK --http "127.0.0.1:$P1" \
     --link "127.0.0.1:$L1" | tail -n 1)
T2=$($BIN init --dir demo/ir-east --node IR-EAST --country IRN --http "127.0.0.1:$P2" \
     --link "127.0.0.1:$L2" | tail -n 1)
$BIN cert --dir demo/pk-south >demo/pk-south.pem 2>/dev/null
$BIN cert --dir demo/ir-east >demo/ir-east.pem 2>/dev/null
$BIN peer add --dir demo/pk-south --name IR-EAST --country IRN --cert demo/ir-east.pem \
     --addr "127.0.0.1:$L2" >/dev/null
$BIN peer add --dir demo/ir-east --name PK-SOUTH --country PAK --cert demo/pk-south.pem >/dev/null
S1=$($BIN user add --dir demo/pk-south --name taftan-fence-gw --role sensor | tail -n 1)
$BIN serve --dir demo/pk-south 2>demo/pk-south.log &
PID1=$!
$BIN serve --dir demo/ir-east 2>demo/ir-east.log &
PID2=$!
MOVER=
trap 'kill $PID1 $PID2 $MOVER 2>/dev/null; wait $PID1 $PID2 2>/dev/null; exit 0' INT TERM
for url in "http://127.0.0.1:$P1" "http://127.0.0.1:$P2"; do
    for i in $(seq 1 50); do
        curl -sf "$url/api/v1/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
done
api() { t=$1; shift; curl -sf -H "Authorization: Bearer $t" -H 'Content-Type: application/json' "$@" >/dev/null; }
U1="http://127.0.0.1:$P1/api/v1"
U2="http://127.0.0.1:$P2/api/v1"
api "$T1" -X POST "$U1/events" -d '{"category":"SMUGGLING","impact":"HIGH","lat":26.09,"lon":61.97,"title":"Fuel smuggling convoy near Mand","release":["IRN"]}'
api "$T1" -X POST "$U1/events" -d '{"category":"FENCE_BREACH","impact":"MEDIUM","lat":28.85,"lon":61.62,"title":"Fence cut south of Taftan (national)"}'
api "$T2" -X POST "$U2/events" -d '{"category":"UNAUTHORISED_CROSSING","impact":"MEDIUM","lat":29.05,"lon":61.40,"title":"Group of six heading east near Mirjaveh","release":["PAK"]}'
api "$T1" -X POST "$U1/units/PK-FC-101/position" -d '{"lat":28.98,"lon":61.60,"callsign":"Taftan-1","side":"PAK","speed":4.2,"course":180}'
api "$T1" -X PATCH "$U1/sections/12" -d '{"impact":"HIGH","fence":"UNDER_CONSTRUCTION","command":"Taftan Wing"}'
sleep 1
# The hotline: PK-SOUTH sends a FLASH on the node-to-node channel; IR-EAST acknowledges it.
MID=$(curl -sf -H "Authorization: Bearer $T1" -H 'Content-Type: application/json' "$U1/messages" \
      -d '{"channel":"node-to-node","precedence":"FLASH","subject":"Armed group crossing","body":"Armed group of 8 moving west near pillar 162. Request block on your side."}' |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for i in $(seq 1 50); do
    curl -sf -H "Authorization: Bearer $T2" "$U2/messages/$MID" >/dev/null && break
    sleep 0.1
done
api "$T2" -X POST "$U2/messages/$MID/ack" -d '{"ack":"WILCO","remark":"blocking at pillar 162"}'
# Patrols along the line on both sides (two coordinated pairs), fence progress, a fence alarm,
# and units moving along their patrols.
python3 scripts/demo_scenario.py setup "http://127.0.0.1:$P1" "$T1" "http://127.0.0.1:$P2" "$T2" "$S1"
python3 scripts/demo_scenario.py move "http://127.0.0.1:$P1" "$T1" "http://127.0.0.1:$P2" "$T2" &
MOVER=$!
sleep 1
cat <<MSG

  sarhad demo: two federated nodes are running.

    PK-SOUTH (PAK)  console http://127.0.0.1:$P1/   admin token: $T1
    IR-EAST  (IRN)  console http://127.0.0.1:$P2/   admin token: $T2
    logs: demo/pk-south.log, demo/ir-east.log

  Open a console in a browser and sign in with its token: the map, the hotline, the patrol
  board and the link. Patrols on both sides (two coordinated pairs), units moving along them,
  fence progress in the northern sector and a fence breach near Taftan.
  Patrols and coverage from a terminal:
    SARHAD_URL=http://127.0.0.1:$P1 SARHAD_TOKEN=$T1 $BIN patrol list
    SARHAD_URL=http://127.0.0.1:$P1 SARHAD_TOKEN=$T1 $BIN coverage --step 7200
    curl -H "Authorization: Bearer $T1" $U1/fence
    curl -H "Authorization: Bearer $T1" "$U1/coverage/gaps?min_minutes=60&limit=5"

  Each node shows its own events and the ones the other released to it:
    curl -H "Authorization: Bearer $T2" $U2/events
    curl -H "Authorization: Bearer $T1" $U1/links
  Watch IR-EAST live, then release an event from PK-SOUTH and see it arrive:
    curl -N -H "Authorization: Bearer $T2" "$U2/stream"
    curl -H "Authorization: Bearer $T1" -H 'Content-Type: application/json' \\
         -d '{"category":"ARMED_ATTACK","impact":"HIGH","lat":27.2,"lon":63.3,"release":["IRN"]}' $U1/events
  The hotline: a FLASH from PK-SOUTH, acknowledged WILCO by IR-EAST:
    SARHAD_URL=http://127.0.0.1:$P1 SARHAD_TOKEN=$T1 $BIN inbox
    SARHAD_URL=http://127.0.0.1:$P2 SARHAD_TOKEN=$T2 $BIN send --precedence IMMEDIATE "Patrol 3 at km 212"
  Prove later what was said and acknowledged (after the next heartbeat's checkpoint):
    $BIN audit prove --dir demo/pk-south --message $MID --out demo/proof.json
    $BIN audit check-proof demo/proof.json
  The journal of each node, with origins and signatures:
    $BIN journal --dir demo/ir-east | tail -2

  Ctrl-C stops both nodes.
MSG
wait $PID1 $PID2
