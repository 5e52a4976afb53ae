#!/usr/bin/env python3
"""Replication benchmark (make bench): two real nodes on loopback, durable commits on both.

Two runs, each on fresh nodes:
1. A backlog: PK-SOUTH (A) takes released events with wrk while IR-EAST (B) is down.
2. B starts; the time from the link coming up until A holds B's signed acknowledgement of the
   backlog's last entry (bulk stream) gives the catch-up rate (entries/s) and time.
3. During the catch-up, an urgent event (ARMED_ATTACK) is created on A every 100 ms and timed
   until B's API returns it: the latency of urgent traffic behind a bulk backlog (issue 3).
   In the second run, FLASH hotline messages also go at about 100/s, each timed until B's
   signed receipt is back on A (issue 4); they are extra load, so that run's catch-up is
   slower.

Usage: link_bench.py BIN [fill_seconds [flash: 0 only without, 1 only with, 2 both]].
Standard library only.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import http.client

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integ"))
import harness  # noqa: E402

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/release/sarhad"
FILL = int(sys.argv[2]) if len(sys.argv) > 2 else 20
RUNS = {"0": (False,), "1": (True,), "2": (False, True)}[sys.argv[3] if len(sys.argv) > 3 else "2"]
harness.BIN = os.path.abspath(BIN)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")


def run(with_flash):
    root = tempfile.mkdtemp(prefix="sarhad-linkbench-")
    a = harness.Node(root, name="PK-SOUTH", country="PAK", link=True)
    b = harness.Node(root, name="IR-EAST", country="IRN", link=True)
    a.pin(b, addr=f"127.0.0.1:{b.link_port}")
    b.pin(a)
    for n in (a, b):
        n.set_conf({("node", "log_level"): "warn"})
    try:
        a.start()
        env = dict(os.environ, SARHAD_TOKEN=a.token)
        lua = os.path.join(os.path.dirname(__file__), "post_event.lua")
        subprocess.run(["wrk", "-t2", "-c50", f"-d{FILL}s", "-s", lua,
                        f"http://127.0.0.1:{a.port}"], env=env, check=True,
                       capture_output=True)
        head = a.request("GET", "/api/v1/health")[2]["journal_seq"]
        backlog = head - 85  # init entries and peer.add are national
        print(f"backlog: {backlog} released entries on A", file=sys.stderr)

        b.start()
        a.wait_link("up", timeout=60)  # A re-dials with backoff; time the catch-up itself
        t0 = time.time()
        latencies, stop = [], threading.Event()

        def urgent_prober():
            # Polls B for the id rather than reading B's stream: the stream also carries the
            # whole bulk backlog, and parsing that in Python would be what got timed.
            ca, cb = a.conn(), b.conn()
            while not stop.is_set():
                sent = time.time()
                st, _, ev = a.request("POST", "/api/v1/events",
                                      dict(harness.EVENT, category="ARMED_ATTACK",
                                           release=["IRN"]), conn=ca)
                while b.request("GET", f"/api/v1/events/{ev['id']}", conn=cb)[0] != 200:
                    time.sleep(0.002)
                latencies.append((time.time() - sent) * 1000)
                time.sleep(0.1)

        flash_sent, flash_back = {}, {}

        def flash_sender():
            # FLASH hotline messages at 100/s, on the urgent stream, behind the bulk backlog.
            c = a.conn()
            while not stop.is_set():
                t = time.time()
                st, _, m = a.request("POST", "/api/v1/messages",
                                     {"channel": "node-to-node", "precedence": "FLASH",
                                      "subject": "bench", "body": "flash during catch-up"},
                                     conn=c)
                if st == 201:
                    flash_sent[m["id"]] = t
                time.sleep(max(0.0, 0.01 - (time.time() - t)))

        def receipt_reader():
            # B's signed delivery receipts come back to A as journal entries on A's stream.
            from test_stream import SSE
            sse = SSE(a)
            while not stop.is_set():
                try:
                    ev = sse.events(1, timeout=2, kinds={"hotline.receipt"})[0]
                except TimeoutError:
                    continue
                flash_back.setdefault(ev["data"]["payload"]["message"], time.time())
            sse.close()

        probes = (urgent_prober, flash_sender, receipt_reader) if with_flash else (urgent_prober,)
        threads = [threading.Thread(target=f, daemon=True) for f in probes]
        for t in threads:
            t.start()
        # Done when the bulk stream's acknowledged position reaches the backlog's last entry.
        # (Not "everything acknowledged": A's journal also holds B's receipts of the FLASH
        # messages, which are never sent back, and new FLASH entries keep arriving.)
        while True:
            link = a.links()[0]
            if link["state"] == "up" and link["acked_by_stream"][1] >= head:
                break
            time.sleep(0.05)
        elapsed = time.time() - t0
        time.sleep(2)  # let the last receipts come back
        stop.set()
        for t in threads:
            t.join(timeout=30)
        flash = [(flash_back[i] - t) * 1000 for i, t in flash_sent.items() if i in flash_back]
        commits = {}  # B's group commits over the whole run, from its /metrics
        for line in b.request("GET", "/metrics")[2].splitlines():
            for name in ("sarhad_commit_ops_total", "sarhad_commit_duration_seconds_sum",
                         "sarhad_commit_duration_seconds_count"):
                if line.startswith(name + " "):
                    commits[name] = float(line.split()[1])
        rate = backlog / elapsed
        print()
        print("FLASH at 100/s during the catch-up" if with_flash else "urgent events only")
        print()
        print("| measure | value |")
        print("|---|---|")
        print(f"| backlog replicated (released events, durable on both) | {backlog} |")
        print(f"| catch-up time (from link up) | {elapsed:.1f} s |")
        print(f"| catch-up rate | {rate:.0f} entries/s |")
        print(f"| projected catch-up of 1,000,000 | {1e6 / rate:.0f} s |")
        print(f"| urgent entries timed during catch-up | {len(latencies)} |")
        print(f"| urgent latency p50 / p99 / max | {pct(latencies, 50):.1f} / "
              f"{pct(latencies, 99):.1f} / {max(latencies or [0]):.1f} ms |")
        if with_flash:
            print(f"| FLASH messages sent at ~100/s during catch-up / receipts back | "
                  f"{len(flash_sent)} / {len(flash)} |")
            print(f"| FLASH send -> signed receipt back on A, p50 / p99 / max | "
                  f"{pct(flash, 50):.1f} / {pct(flash, 99):.1f} / {max(flash or [0]):.1f} ms |")
        n = commits.get("sarhad_commit_duration_seconds_count", 0) or 1
        print(f"| B's group commits: count, writes per commit, mean duration | "
              f"{n:.0f}, {commits.get('sarhad_commit_ops_total', 0) / n:.0f}, "
              f"{commits.get('sarhad_commit_duration_seconds_sum', 0) * 1000 / n:.1f} ms |")
    finally:
        for n in (a, b):
            if n.proc:
                n.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    # Three probe threads share the GIL; at Python's default 5 ms switch interval a thread
    # woken by its socket could wait that long to run, which would be timed as the nodes'.
    sys.setswitchinterval(0.0005)
    for with_flash in RUNS:
        run(with_flash)
