"""The federation link between two real nodes: replication, sovereignty, refusals."""
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import ssl
import struct
import subprocess
import time
import unittest

from harness import EVENT, Node, NodeTest, run, wait_for
from test_stream import SSE

# Neither sarhad (its certificates start an hour ago) nor Python's standard library can write a
# certificate that expired in the past; the openssl tool's `ca` can.
OPENSSL = shutil.which("openssl")
CA_CONF = """[ca]
default_ca = d
[d]
database = {dir}/index.txt
new_certs_dir = {dir}
rand_serial = yes
unique_subject = no
policy = p
default_md = default
[p]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = IP:127.0.0.1
"""


def expired_cert(node, work):
    """A self-signed certificate for the node's own key and name, valid for one day of 2020."""
    os.makedirs(work)
    open(os.path.join(work, "index.txt"), "w").close()
    conf, csr, out = (os.path.join(work, f) for f in ("ca.cnf", "req.csr", "cert.pem"))
    with open(conf, "w") as f:
        f.write(CA_CONF.format(dir=work))
    key = os.path.join(node.dir, "node.key")
    for args in (["req", "-new", "-key", key, "-subj",
                  f"/CN={node.name}/O=sarhad/OU={node.country}", "-out", csr],
                 ["ca", "-batch", "-config", conf, "-selfsign", "-keyfile", key, "-in", csr,
                  "-out", out, "-startdate", "20200101000000Z", "-enddate", "20200102000000Z",
                  "-notext", "-extensions", "ext"]):
        subprocess.run([OPENSSL, *args], check=True, capture_output=True, timeout=60)
    return out


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
        # A keeps B's signed receipts (the acknowledgement follows B's commit: wait for it)
        def receipts():
            db = sqlite3.connect(os.path.join(a.dir, "sarhad.db"))
            try:
                return db.execute("SELECT seq, length(sig) FROM receipts").fetchall()
            finally:
                db.close()

        got = wait_for(receipts, what="B's signed receipts on A")
        self.assertTrue(all(n == 64 for _, n in got))

    def test_a_peer_pinned_while_running_connects_without_a_restart(self):
        a = self.node(name="PK-SOUTH", country="PAK", link=True)
        b = self.node(name="IR-EAST", country="IRN", link=True)
        a.start()
        b.start()
        self.assertEqual(a.links(), [])
        b.pin(a)                                     # B accepts A ...
        a.pin(b, addr=f"127.0.0.1:{b.link_port}")    # ... and A dials B, both while serving
        a.wait_link("up")
        b.wait_link("up")
        self.assertIn("link.peer_added", a.read_log())
        st, _, ev = a.request("POST", "/api/v1/events", dict(EVENT, release=["IRN"]))
        wait_for(lambda: b.request("GET", f"/api/v1/events/{ev['id']}")[0] == 200,
                 what="the event on B")

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

    def expired_peer_is_refused(self, expired, checker):
        """`expired` presents a certificate past its notAfter, and `checker`'s pin is exactly
        that certificate (pinned while valid, say): only its expiry can refuse the link."""
        cert = expired_cert(expired, os.path.join(self.root, "expired"))
        shutil.copy(cert, os.path.join(expired.dir, "cert.pem"))
        with open(cert) as f:
            pem = f.read()
        fp = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()
        db = sqlite3.connect(os.path.join(checker.dir, "sarhad.db"))
        db.execute("UPDATE peers SET cert_pem=?, fingerprint=? WHERE name=?",
                   (pem, fp, expired.name))
        db.commit()
        db.close()
        for n in (checker, expired):
            n.start()
        line = wait_for(lambda: [l for l in checker.read_log().splitlines()
                                 if "certificate has expired" in l],
                        what=f"{checker.name} logging the refusal of an expired certificate")
        self.assertTrue("link.refused" in line[0] or "link.down" in line[0], line[0])
        for n in (checker, expired):
            self.assertNotIn("link.up", n.read_log())
            self.assertNotEqual(n.links()[0]["state"], "up")
            self.assertEqual(n.request("POST", "/api/v1/events", EVENT)[0], 201)  # serving

    @unittest.skipUnless(OPENSSL, "needs the openssl command-line tool")
    def test_expired_certificate_of_the_dialled_peer_is_refused(self):
        a, b = self.pair()  # A dials B, so A checks the certificate B presents
        self.expired_peer_is_refused(b, a)
        self.assertIn("certificate has expired", a.links()[0]["last_error"])

    @unittest.skipUnless(OPENSSL, "needs the openssl command-line tool")
    def test_expired_certificate_of_a_dialling_peer_is_refused(self):
        a, b = self.pair()  # B accepts A, so B checks the certificate A presents
        self.expired_peer_is_refused(a, b)

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

    @staticmethod
    def _entry_frame(stream, prev, origin, origin_seq, kind, record_id, version, release,
                     payload, seal, cut=None):
        """A binary ENTRY frame (src/link/frame.h) around the wire encoding of an entry
        (entry_canonical_wire in src/domain/entry.h), built from the published layouts;
        `cut`: keep only that many bytes of the wire encoding."""
        def s(v):
            v = v.encode()
            return struct.pack(">I", len(v)) + v
        wire = (b"sarhad-wire-v1\0" + s(origin) + struct.pack(">q", origin_seq) + s(kind)
                + s(record_id) + struct.pack(">q", version) + s(release) + s(payload))[:cut]
        body = struct.pack(">BqI", stream, prev, len(wire)) + wire + seal
        return struct.pack(">IB", len(body) + 1, 2) + body

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
        hello = self._frame(1, {"node": "PK-SOUTH", "country": "PAK", "version": "x",
                                "proto": 2, "applied": [0, 0]})
        old = self._frame(1, {"node": "PK-SOUTH", "country": "PAK", "version": "x",
                              "proto": 1, "applied": [0, 0]})
        for payload in (struct.pack(">IB", 0x7FFFFFFF, 2), struct.pack(">IB", 5, 99) + b"{}}}}",
                        # a node of another link protocol
                        old,
                        # a seal of a batch of no entries
                        hello + self._entry_frame(1, 0, "PK-SOUTH", 1, "event.create", "e1", 1,
                                                  "IRN", "{}", bytes(64) + struct.pack(">II", 0, 0)),
                        hello + b"\x00\x00\x00\x03\x03[]",
                        # an ENTRY frame whose wire length runs past the frame
                        hello + b"\x00\x00\x00\x0e\x02\x01" + b"\x00" * 8 + b"\x00\x00\x01\x00",
                        # one whose wire encoding is cut short inside the origin
                        hello + self._entry_frame(1, 0, "PK-SOUTH", 1, "event.create", "e1", 1,
                                                  "IRN", "{}", b"", cut=20)):
            s = self._as_a(a, b)
            s.sendall(payload)
            self._drain(s)
            s.close()
        log = b.read_log()
        self.assertIn("exceeds the limit", log)
        self.assertIn("unknown frame type", log)
        self.assertIn("not a JSON object", log)
        self.assertIn("malformed ENTRY frame", log)
        self.assertIn("malformed ENTRY frame: bad origin", log)
        self.assertIn("malformed ENTRY frame: bad seal", log)
        self.assertIn("peer speaks link protocol 1, this node 2", log)
        self.assertEqual(b.request("GET", "/api/v1/health")[0], 200)

    def test_badly_signed_entry_is_refused_with_a_signed_rejection(self):
        a, b = self.pair()
        b.start()
        s = self._as_a(a, b)
        s.sendall(self._frame(1, {"node": "PK-SOUTH", "country": "PAK", "version": "x",
                                  "proto": 2, "applied": [0, 0]}))
        payload = json.dumps(dict(EVENT, id="e1", version=1, origin="PK-SOUTH", status="OPEN",
                                  time="2026-11-28T10:00:00Z", release=["IRN"]))
        s.sendall(self._entry_frame(1, 0, "PK-SOUTH", 1, "event.create", "e1", 1, "IRN", payload,
                                    bytes(64) + struct.pack(">II", 0, 1)))
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
                frames.append((t, None if t == 2 else json.loads(buf[5:4 + n])))  # 2: binary
                buf = buf[4 + n:]
        s.close()
        rejects = [f for t, f in frames if t == 5]
        self.assertTrue(rejects, f"no REJECT frame in {frames}")
        self.assertEqual(rejects[0]["origin_seq"], 1)
        self.assertIn("signature", rejects[0]["reason"])
        self.assertEqual(len(rejects[0]["sig"]), 128)
        # recorded on B with the signature it sent, nothing applied, the stream moved on
        body = b.request("GET", "/api/v1/links")[2]
        self.assertEqual(body["recent_rejections"][0]["direction"], "in")
        self.assertEqual(b.events(), [])
        db = sqlite3.connect(os.path.join(b.dir, "sarhad.db"))
        stored = db.execute("SELECT hex(sig) FROM rejections").fetchall()
        db.close()
        self.assertEqual(stored, [(rejects[0]["sig"].upper(),)])


if __name__ == "__main__":
    unittest.main()
