"""What the link proves survives a cut at the worst moment: the signed acknowledgement, the
signed rejection and the cosignature that were on their way when the connection died.

Each test lets a frame be made and committed on one side, then cuts the connection (through the
fault proxy, with a one-way delay long enough that the frame is still inside the proxy) before
the frame reaches the other side, and checks that the other side ends up holding it anyway:
what a user relies on is `sarhad audit verify` and `sarhad audit prove` after a bad link
(DESIGN.md principle 3).
"""
import os
import sqlite3
import unittest

from faultproxy import FaultProxy
from harness import EVENT, NodeTest, run, wait_for

# One-way delay while a frame must be caught inside the proxy. The test polls the sending side
# every 50 ms for the commit that precedes the frame, so this only has to exceed one poll and
# one cut; it stays below the handshake timeout (10 s) and three heartbeats (6 s).
DELAY_MS = 3000
URGENT = {"ARMED_ATTACK", "CRISIS", "FENCE_BREACH", "SENSOR_ALARM"}


def split_leaf(data):
    """An entry's exchange-log leaf as (what was signed, the seal): the wire encoding is
    "sarhad-wire-v1" 0x00, then str origin, u64, str kind, str record_id, u64, str release, str
    payload (str: a u32 big-endian length and the bytes)."""
    at = len(b"sarhad-wire-v1\0")
    for field in ("str", "u64", "str", "str", "u64", "str", "str"):
        at += 8 if field == "u64" else 4 + int.from_bytes(data[at:at + 4], "big")
    return data[:at], data[at:]


def received_data(node, ref, data):
    """A "received" leaf's data: stored, or (an applied entry) rebuilt from the journal row
    its ref names, as xlog.h lays it out: the wire encoding, then the seal (journal.sig)."""
    if data:
        return data
    origin, seq = ref.rsplit(":", 1)
    rows = query(node, "SELECT origin, origin_seq, kind, record_id, version, release, payload, "
                       "sig FROM journal WHERE origin=? AND origin_seq=?", origin, int(seq))
    if not rows:
        return None
    o, oseq, kind, rid, version, release, payload, sig = rows[0]

    def s(v):
        b = v.encode() if isinstance(v, str) else v
        return len(b).to_bytes(4, "big") + b
    return (b"sarhad-wire-v1\0" + s(o) + oseq.to_bytes(8, "big") + s(kind) + s(rid) +
            version.to_bytes(8, "big") + s(release) + s(payload) + sig)


def query(node, sql, *args):
    """Reads the node's database (WAL: safe beside the running node)."""
    db = sqlite3.connect(os.path.join(node.dir, "sarhad.db"), timeout=10)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def stream_of(entry):
    if entry["kind"].startswith("hotline.") or (
            entry["kind"].startswith("event.") and entry["payload"].get("category") in URGENT):
        return 0
    return 1


class LinkReceiptTest(NodeTest):
    def linked(self, heartbeat=2):
        """A and B linked through a fault proxy (no delay yet), both up."""
        proxies = []

        def via(port):
            proxies.append(FaultProxy(port))
            return proxies[-1].port

        a, b = self.pair(via=via)
        self.addCleanup(proxies[0].close)
        for n in (a, b):
            n.set_conf({("link", "heartbeat"): str(heartbeat)})
        a.start()
        b.start()
        a.wait_link("up")
        return a, b, proxies[0]

    def flash(self, node, text):
        st, _, m = node.request("POST", "/api/v1/messages",
                                {"channel": "node-to-node", "precedence": "FLASH",
                                 "subject": "Contact", "body": text})
        self.assertEqual(st, 201, m)
        return m["id"]

    def unreceipted(self, node, other):
        """The entries `node` sent to `other` for which it holds no signed receipt or no
        exchange-log leaf ("sent"): [(seq, what is missing)]."""
        receipts = dict(query(node, "SELECT stream, max(seq) FROM receipts WHERE peer=? "
                                    "GROUP BY stream", other.name))
        leaves = {r for (r,) in query(node, "SELECT ref FROM xlog WHERE direction='sent'")}
        out = []
        for e in node.journal():
            if e["origin"] != node.name or other.country not in e["release"]:
                continue
            if receipts.get(stream_of(e), 0) < e["seq"]:
                out.append((e["seq"], "receipt"))
            if f"{node.name}:{e['seq']}" not in leaves:
                out.append((e["seq"], "leaf"))
        return out

    def same_leaves(self, sender, receiver, same_seal=True):
        """Each entry's leaf on the sender ("sent") holds the very bytes, seal included, of the
        receiver's ("received"). A sender that died before the acknowledgement came seals the
        entries again when it logs them (the batches they went in are gone): then the signed
        entry must be the same and the seal one of the same shape (signature, index, count,
        path)."""
        sent = dict(query(sender, "SELECT ref, data FROM xlog WHERE direction='sent'"))
        got = {r: received_data(receiver, r, d)
               for r, d in query(receiver, "SELECT ref, data FROM xlog WHERE "
                                           "direction='received' AND peer=?", sender.name)}
        self.assertTrue(sent)
        if same_seal:
            same = {r: sent[r] == got.get(r) for r in sent}
        else:
            same = {r: r in got and split_leaf(sent[r])[0] == split_leaf(got[r])[0] and
                    (len(split_leaf(sent[r])[1]) - 72) % 32 == 0 for r in sent}
        self.assertEqual(same, {r: True for r in sent},
                         f"{sender.name}'s sent leaves differ from {receiver.name}'s")

    def check_proof(self, node, mid):
        """A proof of `mid` that check-proof, which needs nothing but the file, finds valid:
        the message's seal, the checkpoint and the partner's receipt all verify."""
        self.prove(node, mid)
        p = run("audit", "check-proof", os.path.join(self.root, "proof.json"), check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("VALID: message " + mid, p.stdout)

    def verify(self, *nodes):
        for n in nodes:
            p = run("audit", "verify", "--dir", n.dir, check=False)
            self.assertEqual(p.returncode, 0, f"{n.name}: {p.stdout}{p.stderr}")

    def prove(self, node, mid, timeout=30):
        out = os.path.join(self.root, "proof.json")

        def attempt():
            return run("audit", "prove", "--dir", node.dir, "--message", mid, "--out", out,
                       check=False).returncode == 0

        wait_for(attempt, timeout=timeout, what=f"a proof of {mid} on {node.name}")

    def test_acknowledgement_lost_in_a_cut_is_recorded_after_reconnect(self):
        a, b, proxy = self.linked()
        proxy.delay_ms = DELAY_MS
        ids = [self.flash(a, f"Contact at km {212 + i}") for i in range(3)]
        _, _, ev = a.request("POST", "/api/v1/events", dict(EVENT, release=["IRN"]))  # bulk
        wait_for(lambda: all(b.request("GET", f"/api/v1/messages/{i}")[0] == 200 for i in ids)
                 and b.request("GET", f"/api/v1/events/{ev['id']}")[0] == 200,
                 what="the entries applied on B")
        proxy.cut()  # B's acknowledgements are still inside the proxy
        link = a.links()[0]
        last = max(e["seq"] for e in a.journal() if e["record_id"] in ids)
        self.assertLess(link["acked_by_stream"][0], last,
                        "B's acknowledgement reached A before the cut: the test proves nothing")
        proxy.delay_ms = 0
        a.wait_link("up")
        for node, other in ((a, b), (b, a)):
            wait_for(lambda: not self.unreceipted(node, other), timeout=30,
                     what=f"{node.name} to hold a signed receipt and a leaf for every entry "
                          f"it sent (missing: {self.unreceipted(node, other)})")
        wait_for(lambda: all(a.request("GET", f"/api/v1/messages/{i}")[2]["state"] ==
                             "delivered" for i in ids), what="delivery receipts on A")
        self.same_leaves(a, b)
        self.same_leaves(b, a)
        self.verify(a, b)
        for i in ids:
            self.prove(a, i)

    def test_acknowledgement_lost_when_the_sender_dies_is_recorded_after_restart(self):
        a, b, proxy = self.linked()
        proxy.delay_ms = DELAY_MS
        ids = [self.flash(a, f"Contact at km {300 + i}") for i in range(3)]
        wait_for(lambda: all(b.request("GET", f"/api/v1/messages/{i}")[0] == 200 for i in ids),
                 what="the messages applied on B")
        a.kill9()  # B's acknowledgement is still inside the proxy; A's window is gone
        last = max(e["seq"] for e in a.journal() if e["record_id"] in ids)
        held = query(a, "SELECT coalesce(max(seq),0) FROM receipts WHERE stream=0")[0][0]
        self.assertLess(held, last, "B's acknowledgement reached A before it died")
        proxy.cut()
        proxy.delay_ms = 0
        a.start()
        a.wait_link("up")
        wait_for(lambda: not self.unreceipted(a, b), timeout=30,
                 what=f"A's receipts and leaves after its restart "
                      f"(missing: {self.unreceipted(a, b)})")
        self.same_leaves(a, b, same_seal=False)
        self.verify(a, b)
        for i in ids:
            self.check_proof(a, i)

    def test_rejection_lost_in_a_cut_is_sent_again_signed(self):
        a, b, proxy = self.linked()
        mid = self.flash(b, "Request flag meeting at pillar 40")
        wait_for(lambda: b.request("GET", f"/api/v1/messages/{mid}")[2]["state"] == "delivered",
                 what="A's delivery receipt on B")
        # B forgets that its message is unacknowledged, so that it refuses A's acknowledgement
        # (a refusal by the store: the entry is well-formed and well-signed).
        b.stop()
        db = sqlite3.connect(os.path.join(b.dir, "sarhad.db"))
        db.execute("UPDATE messages SET doc=json_set(doc,'$.ack',json('{\"ack\":\"ROGER\"}')) "
                   "WHERE id=?", (mid,))
        db.commit()
        db.close()
        b.start()
        a.wait_link("up")
        proxy.delay_ms = DELAY_MS
        st, _, _ = a.request("POST", f"/api/v1/messages/{mid}/ack", {"ack": "WILCO"})
        self.assertEqual(st, 201)
        seq = [e["seq"] for e in a.journal() if e["kind"] == "hotline.ack"][0]
        wait_for(lambda: query(b, "SELECT 1 FROM rejections WHERE direction='in' AND "
                                  "origin_seq=?", seq), what="B's refusal committed")
        proxy.cut()  # B's REJECT is still inside the proxy
        self.assertEqual(a.links()[0]["rejected_by_peer"], 0,
                         "B's rejection reached A before the cut: the test proves nothing")
        proxy.delay_ms = 0
        got = wait_for(lambda: query(a, "SELECT reason, length(sig) FROM rejections WHERE "
                                        "direction='out' AND origin_seq=?", seq),
                       timeout=30, what="A to record B's rejection after the reconnect")
        self.assertEqual(len(got), 1, got)
        self.assertIn(mid, got[0][0])
        self.assertEqual(got[0][1], 64, "the rejection A holds is not signed")
        mine = query(b, "SELECT length(sig) FROM rejections WHERE direction='in'")
        self.assertEqual(mine, [(64,)], "B stored its rejection without its signature")
        refs = {r for (r,) in query(b, "SELECT ref FROM xlog WHERE direction='receipt'")}
        self.assertIn(f"reject:PK-SOUTH:0:{seq}", refs, "B's rejection is not in its log")
        wait_for(lambda: not self.unreceipted(a, b), timeout=30,
                 what=f"A's receipts (missing: {self.unreceipted(a, b)})")
        self.verify(a, b)

    def test_a_cosignature_is_sent_only_once_stored(self):
        a, b = self.pair()
        for n in (a, b):
            n.set_conf({("link", "heartbeat"): "1"})
        # B cannot store a cosignature of A's checkpoints (as if it crashed before the commit).
        db = sqlite3.connect(os.path.join(b.dir, "sarhad.db"))
        db.execute("CREATE TRIGGER no_cosign BEFORE INSERT ON checkpoints "
                   "WHEN NEW.origin='PK-SOUTH' BEGIN SELECT RAISE(ABORT, 'test'); END")
        db.commit()
        db.close()
        a.start()
        b.start()
        a.wait_link("up")
        mid = self.flash(a, "Contact at km 300")
        wait_for(lambda: any("not_stored" in line and "peer=PK-SOUTH" in line
                             for line in b.read_log().splitlines()),
                 what="B failing to store a cosignature")
        b.stop()
        db = sqlite3.connect(os.path.join(b.dir, "sarhad.db"))
        db.execute("DROP TRIGGER no_cosign")
        db.commit()
        db.close()
        b.start()
        self.prove(a, mid)
        # A holds no cosignature that B does not hold itself.
        theirs = set(query(b, "SELECT size, root FROM checkpoints WHERE origin='PK-SOUTH' "
                              "AND cosig IS NOT NULL"))
        ours = set(query(a, "SELECT size, root FROM checkpoints WHERE origin='PK-SOUTH' "
                            "AND cosig IS NOT NULL"))
        self.assertTrue(ours)
        self.assertEqual(ours - theirs, set(), "A holds cosignatures B never stored")
        self.verify(a, b)

    def test_cosignature_lost_in_a_cut_does_not_wedge_checkpoints(self):
        a, b, proxy = self.linked()
        first = self.flash(a, "Contact at km 100")
        self.prove(a, first)

        def cosigned_on_b():
            return query(b, "SELECT coalesce(max(size),0) FROM checkpoints WHERE "
                            "origin='PK-SOUTH' AND cosig IS NOT NULL")[0][0]

        before = cosigned_on_b()
        proxy.delay_ms = DELAY_MS
        self.flash(a, "Contact at km 101")
        size = wait_for(lambda: cosigned_on_b() > before and cosigned_on_b(), timeout=30,
                        what="B to cosign a newer checkpoint of A")
        proxy.cut()  # B's COSIGN is still inside the proxy
        held = query(a, "SELECT coalesce(max(size),0) FROM checkpoints WHERE origin='PK-SOUTH' "
                        "AND cosig IS NOT NULL")[0][0]
        self.assertLess(held, size, "B's cosignature reached A before the cut: the test proves "
                                    "nothing")
        proxy.delay_ms = 0
        a.wait_link("up")
        last = self.flash(a, "Contact at km 102")
        self.prove(a, last, timeout=60)
        self.verify(a, b)


if __name__ == "__main__":
    unittest.main()
