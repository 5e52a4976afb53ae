#!/usr/bin/env python3
"""Patrol coverage and the planner through a real node's API (make bench).

A node with 1 km sections (the built-in 817 km line: 818 sections) and 5,000 patrols over a
week posted through the API (this side's; a partner's count the same in the computation),
then:
  GET /api/v1/coverage for the week in hourly buckets (818 x 168 cells, JSON included),
  GET /api/v1/coverage/gaps for the week,
  POST /api/v1/patrols/plan for 200 units over 7 days.
Prints a Markdown table of medians. Usage: patrol_bench.py BIN
"""
import datetime
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(binary):
    root = tempfile.mkdtemp(prefix="sarhad-patrol-bench-")
    port = free_port()
    node = os.path.join(root, "node")
    token = subprocess.run([binary, "init", "--dir", node, "--node", "PK-BENCH", "--country",
                            "PAK", "--http", f"127.0.0.1:{port}", "--section-km", "1"],
                           check=True, capture_output=True, text=True).stdout.split()[-1]
    conf = os.path.join(node, "sarhad.conf")
    with open(conf) as f:
        text = f.read().replace("log_level = info", "log_level = warn")
    with open(conf, "w") as f:
        f.write(text)
    proc = subprocess.Popen([binary, "serve", "--dir", node], stderr=subprocess.DEVNULL)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(100):
            try:
                conn.request("GET", "/api/v1/health")
                conn.getresponse().read()
                break
            except OSError:
                time.sleep(0.1)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        hdr = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def fetch(method, path, body=None):
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers=hdr)
            r = conn.getresponse()
            data = r.read()
            if r.status >= 300:
                raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
            return data

        def call(method, path, body=None):
            return json.loads(fetch(method, path, body))

        sections = call("GET", "/api/v1/sections")["sections"]
        length = sections[-1]["to_km"]
        rnd = random.Random(20261128)
        t0 = datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc)
        week = 7 * 24

        def iso(h):
            return (t0 + datetime.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")

        for _ in range(5000):
            a = rnd.uniform(0, length - 30)
            h = rnd.randrange(0, week - 8)
            kind = rnd.choice(["REGULAR", "COORDINATED"])
            body = {"units": [], "from_km": round(a, 3), "to_km": round(a + rnd.uniform(5, 30), 3),
                    "start": iso(h), "end": iso(h + rnd.randint(2, 8)), "kind": kind}
            if kind == "REGULAR":
                body["national"] = True
            call("POST", "/api/v1/patrols", body)

        def timed(method, path, body=None, runs=7):
            """Request to last byte received (the client's JSON parsing is not counted)."""
            out = []
            for _ in range(runs):
                t = time.perf_counter()
                data = fetch(method, path, body)
                out.append((time.perf_counter() - t) * 1000)
            return statistics.median(out), max(out), json.loads(data), len(data)

        cov = timed("GET", f"/api/v1/coverage?from={iso(0)}&to={iso(week)}&step=3600")
        gaps = timed("GET", f"/api/v1/coverage/gaps?from={iso(0)}&to={iso(week)}&min_minutes=60")
        units = [{"uid": f"PK-{i:03d}", "shift_hours": 8, "max_shifts": 7, "min_rest_hours": 12,
                  "reach_km": 10 + i % 11} for i in range(200)]
        plan = timed("POST", "/api/v1/patrols/plan",
                     {"units": units, "from": iso(0), "to": iso(week), "seed": 1}, runs=3)
        ncells = len(cov[2]["sections"]) * len(cov[2]["buckets"])
        print("| through the API (JSON included) | median | max | what |")
        print("|---|---|---|---|")
        print(f"| GET /api/v1/coverage, a week hourly | {cov[0]:.0f} ms | {cov[1]:.0f} ms | "
              f"{len(cov[2]['sections'])} sections x {len(cov[2]['buckets'])} buckets = "
              f"{ncells} cells, 5,000 patrols, {cov[3] / 1e6:.1f} MB of JSON |")
        print(f"| GET /api/v1/coverage/gaps, a week | {gaps[0]:.0f} ms | {gaps[1]:.0f} ms | "
              f"{gaps[2]['total']} gaps of 60 min or more |")
        print(f"| POST /api/v1/patrols/plan, 200 units x 7 days | {plan[0]:.0f} ms | "
              f"{plan[1]:.0f} ms | {len(plan[2]['proposal'])} patrols proposed, gap to bound "
              f"{plan[2]['gap_pct']} % |")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/release/sarhad")
