"""The commanders' hotline across two real nodes: send, deliver, acknowledge, render."""
import time
import unittest

from harness import NodeTest, wait_for




class HotlineTest(NodeTest):
    def setUp(self):
        super().setUp()
        self.a, self.b = self.pair()
        self.a.start()
        self.b.start()
        self.a.wait_link("up")

    def msg(self, node, mid, **q):
        qs = "&".join(f"{k}={v}" for k, v in q.items())
        st, _, m = node.request("GET", f"/api/v1/messages/{mid}" + (f"?{qs}" if qs else ""))
        return m if st == 200 else None

    def test_flash_is_delivered_and_acknowledged(self):
        from test_stream import SSE
        a, b = self.a, self.b
        stream_b = SSE(b)
        st, hdrs, m = a.request("POST", "/api/v1/messages",
                                {"channel": "node-to-node", "precedence": "FLASH",
                                 "subject": "Armed group crossing",
                                 "body": "Armed group of 8 moving west at km 412. Request block."})
        self.assertEqual(st, 201, m)
        self.assertEqual(m["id"], "PK-SOUTH:node-to-node:1")
        self.assertEqual(m["serial"], 1)
        self.assertRegex(m["dtg"], r"^\d{6}Z[A-Z]{3}\d{2}$")
        self.assertTrue(m["ack_required"])  # default for FLASH
        self.assertEqual(hdrs["location"], "/api/v1/messages/PK-SOUTH:node-to-node:1")
        got = wait_for(lambda: self.msg(b, m["id"]), what="message on B")
        self.assertEqual(got["state"], "received")
        self.assertNotIn("missing_serials", got)
        flagged = stream_b.events(1, kinds={"hotline.message"})[0]["data"]
        self.assertTrue(flagged.get("flash"), flagged)
        stream_b.close()
        self.assertEqual(got["body"], m["body"])
        self.assertFalse(got["overdue"])
        sent = wait_for(lambda: (lambda x: x if x and x["state"] == "delivered" else None)(
            self.msg(a, m["id"])), what="delivery receipt back on A")
        self.assertEqual(sent["delivered"]["by"], "IR-EAST")
        st, _, ack = b.request("POST", f"/api/v1/messages/{m['id']}/ack",
                               {"ack": "WILCO", "remark": "blocking at pillar 162"})
        self.assertEqual(st, 201, ack)
        acked = wait_for(lambda: (lambda x: x if x and x["state"] == "acknowledged" else None)(
            self.msg(a, m["id"])), what="acknowledgement back on A")
        self.assertEqual(acked["ack"]["ack"], "WILCO")
        self.assertEqual(acked["ack"]["by"], "admin")
        self.assertEqual(acked["ack"]["remark"], "blocking at pillar 162")
        self.assertError(b.request("POST", f"/api/v1/messages/{m['id']}/ack", {"ack": "ROGER"}),
                         409, "conflict")
        self.assertError(a.request("POST", f"/api/v1/messages/{m['id']}/ack", {"ack": "ROGER"}),
                         422, "unprocessable")
        # serials count per channel and originator
        st, _, m2 = a.request("POST", "/api/v1/messages",
                              {"channel": "node-to-node", "precedence": "ROUTINE",
                               "subject": "Weekly", "body": "Nothing to report."})
        self.assertEqual((m2["serial"], m2["ack_required"]), (2, False))
        listing = a.request("GET", "/api/v1/messages?channel=node-to-node")[2]["messages"]
        self.assertEqual([x["serial"] for x in listing], [2, 1])

    def test_channels_match_by_name(self):
        a, b = self.a, self.b
        body = {"name": "taftan-mirjaveh", "own_command": "PAK Taftan Wing",
                "partner_command": "IRN Mirjaveh Regiment", "peer": "IR-EAST",
                "parent_command": "PAK Sector South"}
        st, _, ch = a.request("POST", "/api/v1/channels", body)
        self.assertEqual(st, 201, ch)
        self.assertError(a.request("POST", "/api/v1/channels", body), 409)
        self.assertError(a.request("POST", "/api/v1/channels", dict(body, name="Bad Name")), 400,
                         "invalid", "name")
        self.assertError(a.request("POST", "/api/v1/channels", dict(body, peer="NOBODY")), 422,
                         field="peer")
        seen = wait_for(lambda: [c for c in b.request("GET", "/api/v1/channels")[2]["channels"]
                                 if c["name"] == "taftan-mirjaveh"], what="channel on B")
        self.assertEqual(seen[0]["state"], "proposed")
        b.request("POST", "/api/v1/channels",
                  {"name": "taftan-mirjaveh", "own_command": "IRN Mirjaveh Regiment",
                   "partner_command": "PAK Taftan Wing", "peer": "PK-SOUTH"})
        for node in (a, b):
            wait_for(lambda: [c for c in node.request("GET", "/api/v1/channels")[2]["channels"]
                              if c["name"] == "taftan-mirjaveh" and c["state"] == "matched"],
                     what=f"matched channel on {node.name}")
        st, _, m = a.request("POST", "/api/v1/messages",
                             {"channel": "taftan-mirjaveh", "precedence": "PRIORITY",
                              "subject": "Patrol", "body": "Joint patrol at 0600?"})
        self.assertEqual(m["id"], "PK-SOUTH:taftan-mirjaveh:1")

    def test_template_is_read_in_the_receivers_language(self):
        a, b = self.a, self.b
        cat = a.request("GET", "/api/v1/templates")[2]["templates"]
        self.assertEqual(len(cat), 6)
        tmpl = next(t for t in cat if t["id"] == "flag_meeting_request")
        fields = {}
        for f in tmpl["fields"]:
            if not f["required"]:
                continue
            fields[f["name"]] = {
                "text": "Taftan gate", "place": "Taftan-Mirjaveh crossing", "integer": 2,
                "datetime": "2026-11-29T06:00:00Z", "chainage": 112.5,
                "enum": (f.get("options") or [{"code": ""}])[0]["code"],
            }[f["type"]]
        st, _, m = a.request("POST", "/api/v1/messages",
                             {"channel": "node-to-node", "precedence": "PRIORITY",
                              "template": "flag_meeting_request", "fields": fields})
        self.assertEqual(st, 201, m)
        got = wait_for(lambda: self.msg(b, m["id"], lang="fa"), what="message on B")
        r = got["rendered"]
        self.assertEqual((r["lang"], r["rtl"]), ("fa", True))
        self.assertTrue(any("\u0600" <= ch <= "\u06ff" for ch in r["body"]), r["body"])
        en = self.msg(b, m["id"], lang="en")["rendered"]
        self.assertFalse(en["rtl"])
        self.assertError(b.request("GET", f"/api/v1/messages/{m['id']}?lang=xx"), 400,
                         field="lang")
        self.assertError(a.request("POST", "/api/v1/messages",
                                   {"channel": "node-to-node", "precedence": "PRIORITY",
                                    "template": "flag_meeting_request", "fields": {}}),
                         400, "invalid")

    def test_cli_send_inbox_ack(self):
        import os
        import subprocess
        from harness import BIN
        a, b = self.a, self.b
        env_a = dict(os.environ, SARHAD_URL=f"http://127.0.0.1:{a.port}", SARHAD_TOKEN=a.token)
        env_b = dict(os.environ, SARHAD_URL=f"http://127.0.0.1:{b.port}", SARHAD_TOKEN=b.token)

        def cli(env, *args):
            return subprocess.run([BIN, *args], env=env, capture_output=True, text=True,
                                  timeout=30)

        p = cli(env_a, "send", "--precedence", "FLASH", "Shots heard near pillar 40")
        self.assertEqual(p.returncode, 0, p.stderr)
        mid, dtg, prec = p.stdout.split()
        self.assertEqual((mid, prec), ("PK-SOUTH:node-to-node:1", "FLASH"))
        self.assertNotIn(a.token, p.stdout + p.stderr)
        inbox = wait_for(lambda: (lambda q: q.stdout if mid in q.stdout else None)(
            cli(env_b, "inbox", "--state", "received")), what="message in B's inbox")
        self.assertIn("Shots heard", inbox)
        p = cli(env_b, "ack", mid, "ROGER", "--remark", "sending QRF")
        self.assertEqual(p.returncode, 0, p.stderr)
        wait_for(lambda: self.msg(a, mid)["state"] == "acknowledged", what="ack on A")
        p = cli(env_b, "ack", mid, "ROGER")
        self.assertEqual(p.returncode, 1)
        self.assertIn("409", p.stderr)
        p = cli(dict(env_a, SARHAD_TOKEN=""), "inbox")
        self.assertEqual(p.returncode, 2)
        self.assertIn("SARHAD_TOKEN", p.stderr)

    def test_link_test_on_demand_passes_and_fails_with_an_alarm(self):
        a, b = self.a, self.b
        st, _, body = a.request("POST", "/api/v1/links/IR-EAST/test")
        self.assertEqual((st, body["state"]), (202, "pending"), body)
        self.assertError(a.request("POST", "/api/v1/links/NOBODY/test"), 404)
        done = wait_for(lambda: (lambda t: t if t and t["state"] != "pending" else None)(
            a.request("GET", "/api/v1/links")[2]["last_test"]), what="link test result")
        self.assertEqual(done["state"], "passed", done)
        self.assertGreaterEqual(done["round_trip_ms"], 0)
        # with the partner gone, the test fails and raises an alarm on the stream/journal
        b.stop()
        a.stop()
        a.set_conf({("link", "test_timeout"): "2"})
        a.start()
        st, _, _ = a.request("POST", "/api/v1/links/IR-EAST/test")
        self.assertEqual(st, 202)
        failed = wait_for(lambda: (lambda t: t if t and t["state"] == "failed" else None)(
            a.request("GET", "/api/v1/links")[2]["last_test"]), timeout=15, what="failure")
        self.assertTrue(failed["message"])
        wait_for(lambda: any(e["kind"] == "link.alarm" for e in a.journal()), what="alarm")
        self.assertIn("link.test_failed", a.read_log())

    def test_rules(self):
        a = self.a
        long_body = " ".join(["word"] * 201)
        self.assertError(a.request("POST", "/api/v1/messages",
                                   {"channel": "node-to-node", "precedence": "FLASH",
                                    "subject": "x", "body": long_body}), 422, field="body")
        st, _, _ = a.request("POST", "/api/v1/messages",
                             {"channel": "node-to-node", "precedence": "ROUTINE",
                              "subject": "x", "body": long_body})
        self.assertEqual(st, 201)
        self.assertError(a.request("POST", "/api/v1/messages",
                                   {"channel": "nowhere", "precedence": "FLASH",
                                    "subject": "x", "body": "y"}), 422, field="channel")
        self.assertError(a.request("POST", "/api/v1/messages",
                                   {"channel": "node-to-node", "precedence": "URGENT",
                                    "subject": "x", "body": "y"}), 400, field="precedence")
        patrol = a.add_user("p9", "patrol")
        self.assertError(a.request("POST", "/api/v1/messages",
                                   {"channel": "node-to-node", "precedence": "FLASH",
                                    "subject": "x", "body": "y"}, token=patrol), 403)


class EscalationTest(NodeTest):
    def test_overdue_messages_go_to_the_parent_commands_users(self):
        a, b = self.pair()
        a.start("--test-clock")
        b.start()
        a.wait_link("up")
        a.request("POST", "/api/v1/channels",
                  {"name": "taftan-mirjaveh", "own_command": "PAK Taftan Wing",
                   "partner_command": "IRN Mirjaveh Regiment", "peer": "IR-EAST",
                   "parent_command": "PAK Sector South"})
        hq = a.add_user("hq-duty", "commander", "--command", "PAK Sector South")
        other = a.add_user("north-duty", "commander", "--command", "PAK Sector North")
        self.assertEqual(a.request("GET", "/api/v1/me", token=hq)[2]["command"],
                         "PAK Sector South")
        st, _, m = a.request("POST", "/api/v1/messages",
                             {"channel": "taftan-mirjaveh", "precedence": "IMMEDIATE",
                              "subject": "Block", "body": "Block the wadi at km 131."})
        self.assertEqual(st, 201, m)
        self.assertEqual(a.request("GET", "/api/v1/escalations", token=hq)[2]["escalations"], [])
        # IMMEDIATE: 30 minutes to be acknowledged. One second short, then past it.
        self.assertEqual(a.request("POST", "/api/v1/test/clock", {"advance_s": 30 * 60 - 1})[0],
                         200)
        time.sleep(1.5)
        self.assertEqual(a.request("GET", "/api/v1/escalations", token=hq)[2]["escalations"], [])
        a.request("POST", "/api/v1/test/clock", {"advance_s": 2})
        got = wait_for(lambda: a.request("GET", "/api/v1/escalations",
                                         token=hq)[2]["escalations"], what="escalation")
        self.assertEqual([(e["id"], e["parent_command"]) for e in got],
                         [(m["id"], "PAK Sector South")])
        self.assertEqual(a.request("GET", "/api/v1/escalations", token=other)[2]["escalations"],
                         [])
        self.assertEqual(len(a.request("GET", "/api/v1/escalations?all=1",
                                       token=other)[2]["escalations"]), 1)
        self.assertEqual(len(a.request("GET", "/api/v1/escalations")[2]["escalations"]), 1)
        # Acknowledged on B: off the list.
        wait_for(lambda: b.request("GET", f"/api/v1/messages/{m['id']}")[0] == 200,
                 what="message on B")
        b.request("POST", f"/api/v1/messages/{m['id']}/ack", {"ack": "WILCO"})
        wait_for(lambda: a.request("GET", "/api/v1/escalations",
                                   token=hq)[2]["escalations"] == [], what="escalation cleared")


if __name__ == "__main__":
    unittest.main()
