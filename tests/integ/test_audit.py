"""The exchange log: checkpoints cosigned across the link, audit verify, offline proofs."""
import json
import os
import sqlite3
import unittest

from harness import NodeTest, run, wait_for


class AuditTest(NodeTest):
    def setUp(self):
        super().setUp()
        self.a, self.b = self.pair()
        for n in (self.a, self.b):
            n.set_conf({("link", "heartbeat"): "1"})  # checkpoints follow the heartbeat
        self.a.start()
        self.b.start()
        self.a.wait_link("up")

    def flash_acknowledged(self):
        a, b = self.a, self.b
        _, _, m = a.request("POST", "/api/v1/messages",
                            {"channel": "node-to-node", "precedence": "FLASH",
                             "subject": "Contact", "body": "Contact at km 212, request block"})
        wait_for(lambda: b.request("GET", f"/api/v1/messages/{m['id']}")[0] == 200,
                 what="message on B")
        st, _, _ = b.request("POST", f"/api/v1/messages/{m['id']}/ack", {"ack": "WILCO"})
        self.assertEqual(st, 201)
        wait_for(lambda: a.request("GET", f"/api/v1/messages/{m['id']}")[2]["state"] ==
                 "acknowledged", what="ack on A")
        return m["id"]

    def prove(self, mid):
        out = os.path.join(self.root, "proof.json")

        def attempt():
            p = run("audit", "prove", "--dir", self.a.dir, "--message", mid, "--out", out,
                    check=False)
            return p.returncode == 0
        wait_for(attempt, timeout=30, what="a cosigned checkpoint covering the message")
        return out

    def test_verify_prove_and_check_offline(self):
        mid = self.flash_acknowledged()
        path = self.prove(mid)
        for n in (self.a, self.b):
            p = run("audit", "verify", "--dir", n.dir, check=False)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("intact", p.stdout)
        # the proof stands alone: no node directory is given to check it
        p = run("audit", "check-proof", path, check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("VALID", p.stdout)
        self.assertIn("cosigned by IR-EAST", p.stdout)
        self.assertIn("delivered to IR-EAST", p.stdout)
        self.assertIn("acknowledged WILCO", p.stdout)
        # pinned to the right keys it passes, to any other key it fails
        fp_a = run("cert", "--dir", self.a.dir).stderr.split()[-1]
        fp_b = run("cert", "--dir", self.b.dir).stderr.split()[-1]
        self.assertIn(fp_a, p.stdout)
        p = run("audit", "check-proof", path, "--origin-fp", fp_a, "--peer-fp", fp_b,
                check=False)
        self.assertEqual(p.returncode, 0, p.stdout)
        p = run("audit", "check-proof", path, "--origin-fp", fp_b, check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        with open(path) as f:
            proof = json.load(f)
        # one changed byte anywhere that matters breaks it
        for mutate in (
            lambda d: d["entry"].__setitem__("payload", d["entry"]["payload"].replace("212",
                                                                                       "213")),
            lambda d: d["checkpoint"].__setitem__("root", "00" * 32),
            lambda d: d["inclusion"].__setitem__(0, "11" * 32) if d["inclusion"] else
            d.__setitem__("leaf_index", 5),
            lambda d: d["checkpoint"].__setitem__("cosig", "22" * 64),
            lambda d: d.__setitem__("message", "PK-SOUTH:node-to-node:99"),
            lambda d: d["receipt"].__setitem__("payload", d["receipt"]["payload"].replace(
                "IR-EAST", "XX-FAKE")),
        ):
            bad = json.loads(json.dumps(proof))
            mutate(bad)
            bad_path = os.path.join(self.root, "bad.json")
            with open(bad_path, "w") as f:
                json.dump(bad, f)
            p = run("audit", "check-proof", bad_path, check=False)
            self.assertEqual(p.returncode, 1, p.stdout)
            self.assertIn("INVALID", p.stdout)

    def test_one_changed_byte_in_the_log_is_found(self):
        self.flash_acknowledged()
        self.prove("PK-SOUTH:node-to-node:1")
        self.a.stop()
        db = sqlite3.connect(os.path.join(self.a.dir, "sarhad.db"))
        idx = db.execute("SELECT min(idx) FROM xlog WHERE length(data) > 0").fetchone()[0]
        db.execute("UPDATE xlog SET data = substr(data, 1, 20) || x'00' || substr(data, 22) "
                   "WHERE idx = ?", (idx,))
        db.commit()
        db.close()
        p = run("audit", "verify", "--dir", self.a.dir, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("BROKEN", p.stdout)
        self.assertIn(f"index {idx})", p.stdout)

    def test_a_received_entry_changed_in_the_journal_is_found(self):
        # A received entry's leaf is not a second copy: it is rebuilt from the journal row,
        # so a changed seal there (which the journal's own hash chain does not cover) breaks
        # the leaf, and the verify names it.
        self.flash_acknowledged()
        self.b.stop()
        db = sqlite3.connect(os.path.join(self.b.dir, "sarhad.db"))
        n = db.execute("SELECT count(*) FROM xlog WHERE direction='received' AND "
                       "length(data)=0").fetchone()[0]
        self.assertGreater(n, 0)  # stored by reference
        p = run("audit", "verify", "--dir", self.b.dir, check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        db.execute("UPDATE journal SET sig = substr(sig, 1, 10) || x'ff' || substr(sig, 12) "
                   "WHERE origin='PK-SOUTH' AND kind='hotline.message'")
        db.commit()
        db.close()
        p = run("audit", "verify", "--dir", self.b.dir, check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("BROKEN: exchange log leaf PK-SOUTH:", p.stdout)

    def test_a_message_without_receipt_is_reported(self):
        self.b.stop()
        st, _, m = self.a.request("POST", "/api/v1/messages",
                                  {"channel": "node-to-node", "precedence": "ROUTINE",
                                   "subject": "x", "body": "undelivered"})
        self.assertEqual(st, 201)
        p = run("audit", "verify", "--dir", self.a.dir, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(m["id"], p.stdout)


if __name__ == "__main__":
    unittest.main()
