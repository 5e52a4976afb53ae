#!/bin/sh
# make demo: a fresh node in demo/, served on 127.0.0.1:8080 (or $SARHAD_DEMO_PORT), with a
# few events and unit positions so that there is something to see. Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
BIN=build/sarhad
PORT=${SARHAD_DEMO_PORT:-8080}
DIR=demo/pk-south
rm -rf demo
mkdir -p demo
out=$($BIN init --dir "$DIR" --node PK-SOUTH --country PAK --http "127.0.0.1:$PORT")
TOKEN=$(echo "$out" | tail -n 1)
$BIN serve --dir "$DIR" 2>demo/pk-south.log &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; exit 0' INT TERM
URL="http://127.0.0.1:$PORT"
for i in $(seq 1 50); do
    curl -sf "$URL/api/v1/health" >/dev/null 2>&1 && break
    sleep 0.1
done
api() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
api -X POST "$URL/api/v1/events" -d '{"category":"SMUGGLING","impact":"HIGH","lat":26.09,"lon":61.97,"title":"Fuel smuggling convoy near Mand","release":["IRN"]}' >/dev/null
api -X POST "$URL/api/v1/events" -d '{"category":"FENCE_BREACH","impact":"MEDIUM","lat":28.62,"lon":61.75,"title":"Fence cut north of Taftan"}' >/dev/null
api -X POST "$URL/api/v1/units/PK-FC-101/position" -d '{"lat":28.98,"lon":61.60,"callsign":"Taftan-1","side":"PAK","speed":4.2,"course":180}' >/dev/null
api -X PATCH "$URL/api/v1/sections/12" -d '{"impact":"HIGH","fence":"UNDER_CONSTRUCTION","command":"Taftan Wing"}' >/dev/null
cat <<MSG

  sarhad demo node PK-SOUTH (PAK) is running.
    URL:          $URL/api/v1/health
    admin token:  $TOKEN
    log:          demo/pk-south.log

  Try:
    curl -H "Authorization: Bearer $TOKEN" $URL/api/v1/events
    curl -N -H "Authorization: Bearer $TOKEN" "$URL/api/v1/stream?since=0"
    $BIN journal --dir $DIR | tail -3

  Ctrl-C stops the node.
MSG
wait $PID
