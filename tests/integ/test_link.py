"""The federation link between two real nodes: replication, sovereignty, refusals."""
import json
import os
import socket
import sqlite3
import ssl
import struct
import time
import unittest

from harness import EVENT, Node, NodeTest, run, wait_for
from test_stream import SSE




class LinkTest(NodeTest):
    def test_released_event_reaches_partner_live_and_national_stays(self):
        a, b = self.pair()
        a.start()
        b.start()
        a.wait_link("up")
        sse = SSE(b)
        _, _, rel = a.request("POST", "/api/v1/events", dict(EVENT, release=["IRN"]))
        # Arrives on B's live stream by itself (how fast is measured by make bench, not here).
        got = sse.events(1, kinds={"event.create"})[0]  # the channel.create may come first
        self.assertEqual(got["data"]["origin"], "PK-SOUTH")
        self.assertEqual(got["data"]["payload"]["id"], rel["id"])
        self.assertIn("sig", got["data"])
        sse.close()
        _, _, nat = a.request("POST", "/api/v1/events", dict(EVENT, title="national"))
        _, _, rel2 = a.request("POST", "/api/v1/events", dict(EVENT, release=["IRN"]))
        wait_for(lambda: len(b.events()) == 2, what="second released event on B")
        ids = {e["id"] for e in b.events()}
        self.assertEqual(ids, {rel["id"], rel2["id"]})
        self.assertNotIn(nat["id"], ids)
        # the national-only field (who reported it) does not cross
        on_b = b.request("GET", f"/api/v1/events/{rel['id']}")[2]
        self.assertNotIn("owner", on_b)
        self.assertEqual(on_b["side"], rel["side"])
        # nothing national in B's journal, whatever its kind
        for e in b.journal():
            if e["origin"] == "PK-SOUTH":
                self.assertIn("IRN", e["release"])
                self.assertEqual(len(e["sig"]), 128)

    def test_updates_cross_and_only_the_origin_changes_a_record(self):
        a, b = self.pair()
        a.start()
        b.start()
        _, _, ev = a.request("POST", "/api/v1/events", dict(EVENT, release=["IRN"]))
        st, _, _ = a.request("PATCH", f"/api/v1/events/{ev['id']}",
                             {"status": "CLOSED", "close_reason": "seized"},
                             headers={"If-Match": "1"})
        self.assertEqual(st, 200)
        got = wait_for(lambda: (lambda e: e if e[0] == 200 and e[2]["version"] == 2 else None)(
            b.request("GET", f"/api/v1/events/{ev['id']}")), what="version 2 on B")
        self.assertEqual(got[2]["status"], "CLOSED")
        self.assertError(b.request("PATCH", f"/api/v1/events/{ev['id']}", {"impact": "LOW"},
                                   headers={"If-Match": "2"}), 403, "forbidden")
        # A keeps B's signed receipts
        db = sqlite3.connect(os.path.join(a.dir, "sarhad.db"))
        receipts = db.execute("SELECT seq, length(sig) FROM receipts").fetchall()
        db.close()
        self.assertTrue(receipts)
        self.assertTrue(all(n == 64 for _, n in receipts))

    def test_links_status_and_reconnect_after_restart(self):
        a, b = self.pair()
        for n in (a, b):
            n.set_conf({("link", "heartbeat"): "1"})
        a.start()
        b.start()
        up = a.wait_link("up")
        self.assertEqual(up["peer"], "IR-EAST")
        self.assertEqual(up["country"], "IRN")
        for key in ("since", "rtt_ms", "entries_sent", "entries_acknowledged",
                    "entries_in_flight", "bytes_in", "bytes_out", "last_error"):
            self.assertIn(key, up)
        wait_for(lambda: a.links()[0]["last_heartbeat"], what="a heartbeat")
        b.kill9()
        down = wait_for(lambda: (lambda l: l if l["state"] != "up" else None)(a.links()[0]),
                        timeout=10, what="link down after B died")
        self.assertTrue(down["last_error"])
        a.request("POST", "/api/v1/events", dict(EVENT, release=["IRN"]))
        b.start()
        a.wait_link("up", timeout=40)
        wait_for(lambda: len(b.events()) == 1, what="queued event delivered after reconnect")

    def test_only_released_positions_cross_latest_wins(self):
        a, b = self.pair()
        a.start()
        b.start()
        a.wait_link("up")
        a.request("POST", "/api/v1/units/PK-1/position",
                  {"lat": 28.9, "lon": 61.7, "callsign": "Taftan-1", "release": ["IRN"]})
        a.request("POST", "/api/v1/units/PK-2/position", {"lat": 28.8, "lon": 61.8})
        a.request("POST", "/api/v1/units/PK-1/position",
                  {"lat": 28.95, "lon": 61.75, "callsign": "Taftan-1", "release": ["IRN"]})
        got = wait_for(lambda: [u for u in b.request("GET", "/api/v1/units")[2]["units"]
                                if u["uid"] == "PK-1" and u["lat"] == 28.95], what="PK-1 on B")
        self.assertEqual(got[0]["origin"], "PK-SOUTH")
        self.assertEqual(got[0]["callsign"], "Taftan-1")
        time.sleep(0.5)
        uids = {u["uid"] for u in b.request("GET", "/api/v1/units")[2]["units"]}
        self.assertEqual(uids, {"PK-1"})  # the national unit never left

    def test_unpinned_certificate_is_refused(self):
        a, b = self.pair()
        c = self.node(name="XX-ROGUE", country="IRN", link=True)
        # A pins the rogue's certificate under B's name: B's real certificate must not pass
        run("peer", "remove", "--dir", a.dir, "--name", "IR-EAST")
        run("peer", "add", "--dir", a.dir, "--name", "IR-EAST", "--country", "IRN",
            "--cert", c.cert_path(), "--addr", f"127.0.0.1:{b.link_port}")
        a.start()
        b.start()
        wait_for(lambda: "is not pinned" in a.read_log(),
                 what="refusal logged")
        self.assertNotEqual(a.links()[0]["state"], "up")
        self.assertEqual(b.request("GET", "/api/v1/health")[0], 200)

    def test_plaintext_and_garbage_are_refused(self):
        a, b = self.pair()
        b.start()
        for junk in (b"GET / HTTP/1.1\r\n\r\n", b"\x16\x03\x01\x00\x05hello",
                     os.urandom(4096)):
            with socket.create_connection(("127.0.0.1", b.link_port), timeout=10) as s:
                try:
                    s.sendall(junk)
                    data = s.recv(4096)
                    while data:
                        data = s.recv(4096)
                except (ConnectionResetError, BrokenPipeError):
                    pass
        self.assertIn("link.refused", b.read_log())
        self.assertEqual(b.request("GET", "/api/v1/health")[0], 200)

    def _as_a(self, a, b):
        """A TLS connection to B presenting A's pinned certificate and key."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.load_cert_chain(os.path.join(a.dir, "cert.pem"), os.path.join(a.dir, "node.key"))
        raw = socket.create_connection(("127.0.0.1", b.link_port), timeout=10)
        return ctx.wrap_socket(raw)

    @staticmethod
    def _frame(ftype, body):
        data = json.dumps(body).encode()
        return struct.pack(">IB", len(data) + 1, ftype) + data

    def _drain(self, s):
        chunks = b""
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                chunks += d
        except (OSError, ssl.SSLError):
            pass
        return chunks

    def test_oversize_and_garbage_frames_from_a_pinned_peer(self):
        a, b = self.pair()
        b.start()
        for payload in (struct.pack(">IB", 0x7FFFFFFF, 2), struct.pack(">IB", 5, 99) + b"{}}}}",
                        self._frame(1, {"node": "PK-SOUTH", "country": "PAK", "version": "x",
                                        "applied": [0, 0]}) + b"\x00\x00\x00\x03\x02[]"):
            s = self._as_a(a, b)
            s.sendall(payload)
            self._drain(s)
            s.close()
        log = b.read_log()
        self.assertIn("exceeds the limit", log)
        self.assertIn("unknown frame type", log)
        self.assertIn("not a JSON object", log)
        self.assertEqual(b.request("GET", "/api/v1/health")[0], 200)

    def test_badly_signed_entry_is_refused_with_a_signed_rejection(self):
        a, b = self.pair()
        b.start()
        s = self._as_a(a, b)
        s.sendall(self._frame(1, {"node": "PK-SOUTH", "country": "PAK", "version": "x",
                                  "applied": [0, 0]}))
        payload = json.dumps(dict(EVENT, id="e1", version=1, origin="PK-SOUTH", status="OPEN",
                                  time="2026-11-28T10:00:00Z", release=["IRN"]))
        s.sendall(self._frame(2, {"stream": 1, "prev": 0, "origin": "PK-SOUTH", "origin_seq": 1,
                                  "kind": "event.create", "record_id": "e1", "version": 1,
                                  "release": "IRN", "payload": payload, "sig": "00" * 64}))
        buf, deadline = b"", time.time() + 10
        frames = []
        while time.time() < deadline and not any(t == 5 for t, _ in frames):
            s.settimeout(max(0.1, deadline - time.time()))
            try:
                buf += s.recv(65536)
            except (socket.timeout, ssl.SSLError):
                continue
            while len(buf) >= 5:
                (n,), t = struct.unpack(">I", buf[:4]), buf[4]
                if len(buf) < 4 + n:
                    break
                frames.append((t, json.loads(buf[5:4 + n])))
                buf = buf[4 + n:]
        s.close()
        rejects = [f for t, f in frames if t == 5]
        self.assertTrue(rejects, f"no REJECT frame in {frames}")
        self.assertEqual(rejects[0]["origin_seq"], 1)
        self.assertIn("signature", rejects[0]["reason"])
        self.assertEqual(len(rejects[0]["sig"]), 128)
        # recorded on B, nothing applied, the stream moved on past it
        body = b.request("GET", "/api/v1/links")[2]
        self.assertEqual(body["recent_rejections"][0]["direction"], "in")
        self.assertEqual(b.events(), [])


if __name__ == "__main__":
    unittest.main()
