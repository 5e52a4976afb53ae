#!/bin/sh
# make bench: load generators against a real node built for release.
#   1. GET /api/v1/health with wrk (50 connections)
#   2. POST /api/v1/events with wrk and bench/post_event.lua (50 connections): every answer is
#      a durable commit (group commit, synchronous=FULL)
# Both run on the same machine as the node (2 cores shared by load generator and node), so
# the figures are a floor. Results go to stdout and build/bench-results.md.
set -eu
BIN=${1:-build/release/sarhad}
DUR=${BENCH_SECONDS:-10}
ROOT=$(mktemp -d /tmp/sarhad-bench-XXXXXX)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
OUT=build/bench-results.md
mkdir -p build
TOKEN=$($BIN init --dir "$ROOT/node" --node PK-BENCH --country PAK --http "127.0.0.1:$PORT" | tail -n 1)
sed -i 's/^log_level = .*/log_level = warn/' "$ROOT/node/sarhad.conf"
$BIN serve --dir "$ROOT/node" 2>"$ROOT/node.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$ROOT"' EXIT
for i in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null && break
    sleep 0.1
done
seq_of() { curl -sf "http://127.0.0.1:$PORT/api/v1/health" | python3 -c 'import json,sys;print(json.load(sys.stdin)["journal_seq"])'; }

echo "== GET /api/v1/health, wrk -t2 -c50 -d${DUR}s" >&2
wrk -t2 -c50 -d"${DUR}s" --latency "http://127.0.0.1:$PORT/api/v1/health" >"$ROOT/get.txt"
cat "$ROOT/get.txt" >&2

before=$(seq_of)
echo "== POST /api/v1/events (durable), wrk -t2 -c50 -d${DUR}s" >&2
SARHAD_TOKEN=$TOKEN wrk -t2 -c50 -d"${DUR}s" --latency -s bench/post_event.lua \
    "http://127.0.0.1:$PORT" >"$ROOT/post.txt"
cat "$ROOT/post.txt" >&2
after=$(seq_of)
rss=$(awk '/VmHWM/{print $2}' /proc/$PID/status)
commits=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/metrics" |
          awk '/^sarhad_commit_duration_seconds_count/{print $2}')

pick() { awk -v k="$2" '$1==k{print $2}' "$1"; }
rps() { awk '/Requests\/sec/{print $2}' "$1"; }
{
    echo "| scenario | requests/s | p50 | p99 |"
    echo "|---|---|---|---|"
    echo "| GET /api/v1/health | $(rps "$ROOT/get.txt") | $(pick "$ROOT/get.txt" 50%) | $(pick "$ROOT/get.txt" 99%) |"
    echo "| POST /api/v1/events (durable) | $(rps "$ROOT/post.txt") | $(pick "$ROOT/post.txt" 50%) | $(pick "$ROOT/post.txt" 99%) |"
    echo
    echo "- events journaled during the POST run: $((after - before)); $(grep non2xx "$ROOT/post.txt")"
    echo "- group commits for them: $commits (fsyncs), node peak RSS: ${rss} kB"
    echo "- machine: $(nproc) cores, $(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | sed 's/^ *//'), $(uname -sr)"
} | tee "$OUT"

echo "== replication between two nodes (bench/link_bench.py)" >&2
python3 bench/link_bench.py "$BIN" "${LINK_FILL_SECONDS:-20}" | tee -a "$OUT"

echo "== patrols: coverage, gaps and the planner (bench/bench_coverage.c, bench/bench_planner.c)" >&2
{
    echo
    echo "### Patrol coverage and planner (pure, one core)"
    echo '```'
    "$(dirname "$BIN")/bench_coverage"
    "$(dirname "$BIN")/bench_planner"
    echo '```'
    echo
    python3 bench/patrol_bench.py "$BIN"
} | tee -a "$OUT"
