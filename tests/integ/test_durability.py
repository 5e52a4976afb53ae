"""Nothing acknowledged is lost: kill -9, restarts, clean shutdown, schema versions."""
import concurrent.futures
import os
import sqlite3
import threading
import unittest

from harness import EVENT, NodeTest, run


class DurabilityTest(NodeTest):
    def test_kill9_right_after_201_keeps_the_event(self):
        n = self.node().start()
        st, _, ev = n.request("POST", "/api/v1/events", EVENT)
        self.assertEqual(st, 201)
        n.kill9()
        n.start()
        st, _, got = n.request("GET", f"/api/v1/events/{ev['id']}")
        self.assertEqual((st, got), (200, ev))

    def test_kill9_during_a_burst_keeps_every_acknowledged_event(self):
        n = self.node().start()
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def client(i):
            c = n.conn(timeout=5)
            while not stop.is_set():
                try:
                    st, _, ev = n.request("POST", "/api/v1/events",
                                          dict(EVENT, title=f"c{i}"), conn=c)
                except Exception:
                    return
                if st == 201:
                    with lock:
                        acked.append(ev["id"])

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(client, i) for i in range(8)]
            while True:
                with lock:
                    if len(acked) >= 300:
                        break
            n.kill9()
            stop.set()
            for f in futures:
                f.result()
        n.start()
        ids, cursor = set(), None
        while True:
            q = "/api/v1/events?limit=500" + (f"&cursor={cursor}" if cursor else "")
            page = n.request("GET", q)[2]
            ids |= {e["id"] for e in page["events"]}
            cursor = page["next"]
            if not cursor:
                break
        missing = set(acked) - ids
        self.assertEqual(missing, set(), f"{len(missing)} acknowledged events lost")
        self.assertIn("journal intact", run("journal", "--dir", n.dir, "--verify").stdout)

    def test_restart_keeps_everything_and_sigterm_is_clean(self):
        n = self.node().start()
        _, _, ev = n.request("POST", "/api/v1/events", EVENT)
        n.request("PATCH", "/api/v1/sections/5", {"impact": "HIGH"})
        n.request("POST", "/api/v1/units/U1/position", {"lat": 28.0, "lon": 62.0})
        seq = n.request("GET", "/api/v1/health")[2]["journal_seq"]
        self.assertEqual(n.stop(), 0)
        self.assertIn("node.stopped", n.read_log())
        n.start()
        self.assertEqual(n.request("GET", "/api/v1/health")[2]["journal_seq"], seq)
        self.assertEqual(n.request("GET", f"/api/v1/events/{ev['id']}")[2], ev)
        sec = n.request("GET", "/api/v1/sections")[2]["sections"][4]
        self.assertEqual(sec["sides"]["PAK"]["impact"], "HIGH")
        # the last position was flushed on the way down and reloaded
        units = n.request("GET", "/api/v1/units")[2]["units"]
        self.assertEqual([u["uid"] for u in units], ["U1"])

    def test_tampered_journal_is_detected(self):
        n = self.node()
        db = sqlite3.connect(os.path.join(n.dir, "sarhad.db"))
        db.execute("UPDATE journal SET payload = replace(payload, 'LOW', 'LOX') WHERE seq = 7")
        db.commit()
        db.close()
        p = run("journal", "--dir", n.dir, "--verify", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("broken at seq 7", p.stdout)

    def test_newer_schema_is_refused_older_is_upgraded(self):
        n = self.node()
        path = os.path.join(n.dir, "sarhad.db")
        db = sqlite3.connect(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute(f"PRAGMA user_version = {version + 1}")
        db.commit()
        db.close()
        p = run("serve", "--dir", n.dir, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("newer", p.stderr)
        # an empty, version-0 database is migrated on open
        fresh = os.path.join(self.root, "old.db")
        sqlite3.connect(fresh).close()
        os.replace(fresh, path)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        p = run("journal", "--dir", n.dir, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        db = sqlite3.connect(path)
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], version)
        db.close()


if __name__ == "__main__":
    unittest.main()
