"""The HTTP API of one node: resources, validation and every error shape."""
import http.client
import os
import socket
import time
import unittest

from harness import EVENT, NodeTest, run


class ApiTest(NodeTest):
    def setUp(self):
        super().setUp()
        self.n = self.node().start()

    def test_health_without_token(self):
        st, _, body = self.n.request("GET", "/api/v1/health", token=None)
        self.assertEqual(st, 200)
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["node"], "PK-SOUTH")
        self.assertEqual(body["country"], "PAK")
        self.assertIn("version", body)
        self.assertGreater(body["journal_seq"], 80)  # sections and the admin user

    def test_border_geojson(self):
        st, _, fc = self.n.request("GET", "/api/v1/border")
        self.assertEqual(st, 200)
        self.assertEqual(fc["type"], "FeatureCollection")
        line = fc["features"][0]
        self.assertEqual(line["geometry"]["type"], "LineString")
        self.assertAlmostEqual(line["properties"]["length_km"], 817.4, delta=0.5)
        self.assertIn("Natural Earth", line["properties"]["source"])
        sections = [f for f in fc["features"] if f["properties"].get("kind") == "section"]
        self.assertEqual(len(sections), 82)  # 817.4 km in 10 km stretches
        self.assertEqual(sections[0]["properties"]["from_km"], 0)
        self.assertEqual(sections[0]["properties"]["to_km"], 10)
        self.assertEqual(set(sections[0]["properties"]["sides"]), {"PAK", "IRN"})
        # the first section's geometry starts at the line's first point
        self.assertEqual(sections[0]["geometry"]["coordinates"][0],
                         line["geometry"]["coordinates"][0])

    def test_event_create_locates_against_border(self):
        st, hdrs, ev = self.n.request("POST", "/api/v1/events", EVENT)
        self.assertEqual(st, 201, ev)
        self.assertEqual(ev["version"], 1)
        self.assertEqual(ev["status"], "OPEN")
        self.assertEqual(ev["release"], [])
        self.assertEqual(hdrs["location"], f"/api/v1/events/{ev['id']}")
        self.assertEqual(hdrs["etag"], '"1"')
        # Mand lies east of the line, on Pakistan's side, a few km away
        self.assertEqual(ev["side"], "PAK")
        self.assertLess(ev["distance_km"], 30)
        self.assertGreater(ev["chainage_km"], 500)
        st, _, got = self.n.request("GET", f"/api/v1/events/{ev['id']}")
        self.assertEqual((st, got), (200, ev))
        # a point well inside Iran is on IRN's side
        st, _, ev2 = self.n.request("POST", "/api/v1/events",
                                    dict(EVENT, lat=29.4963, lon=60.8629))
        self.assertEqual(ev2["side"], "IRN")

    def test_event_patch_versions_and_close(self):
        _, _, ev = self.n.request("POST", "/api/v1/events", EVENT)
        path = f"/api/v1/events/{ev['id']}"
        self.assertError(self.n.request("PATCH", path, {"impact": "LOW"}), 428,
                         "precondition_required", "If-Match")
        st, hdrs, ev2 = self.n.request("PATCH", path, {"impact": "LOW", "release": ["IRN"]},
                                       headers={"If-Match": '"1"'})
        self.assertEqual(st, 200, ev2)
        self.assertEqual((ev2["version"], ev2["impact"], ev2["release"]), (2, "LOW", ["IRN"]))
        self.assertEqual(hdrs["etag"], '"2"')
        self.assertError(self.n.request("PATCH", path, {"impact": "HIGH"},
                                        headers={"If-Match": "1"}), 409, "conflict")
        self.assertError(self.n.request("PATCH", path, {"status": "CLOSED"},
                                        headers={"If-Match": "2"}), 422, "unprocessable",
                         "close_reason")
        st, _, ev3 = self.n.request("PATCH", path, {"status": "CLOSED",
                                                    "close_reason": "goods seized"},
                                    headers={"If-Match": "2"})
        self.assertEqual((st, ev3["status"], ev3["version"]), (200, "CLOSED", 3))
        self.assertError(self.n.request("PATCH", "/api/v1/events/nope", {"impact": "LOW"},
                                        headers={"If-Match": "1"}), 404, "not_found")

    def test_event_list_filters_and_pages(self):
        made = []
        for i in range(7):
            body = dict(EVENT, time=f"2026-11-0{i + 1}T10:00:00Z",
                        category="SMUGGLING" if i % 2 else "FENCE_BREACH")
            made.append(self.n.request("POST", "/api/v1/events", body)[2])
        st, _, page = self.n.request("GET", "/api/v1/events?limit=3")
        self.assertEqual(st, 200)
        self.assertEqual([e["id"] for e in page["events"]],
                         [e["id"] for e in reversed(made)][:3])  # newest first
        seen = [e["id"] for e in page["events"]]
        while page["next"]:
            page = self.n.request("GET", f"/api/v1/events?limit=3&cursor={page['next']}")[2]
            seen += [e["id"] for e in page["events"]]
        self.assertEqual(seen, [e["id"] for e in reversed(made)])
        smug = self.n.request("GET", "/api/v1/events?category=SMUGGLING")[2]["events"]
        self.assertEqual(len(smug), 3)
        since = self.n.request("GET", "/api/v1/events?since=2026-11-05T00:00:00Z")[2]["events"]
        self.assertEqual(len(since), 3)
        inbox = self.n.request("GET", "/api/v1/events?bbox=61.9,26.0,62.0,26.1")[2]["events"]
        self.assertEqual(len(inbox), 7)
        outbox = self.n.request("GET", "/api/v1/events?bbox=60,25,61,26")[2]["events"]
        self.assertEqual(outbox, [])
        self.assertError(self.n.request("GET", "/api/v1/events?limit=0"), 400, "invalid", "limit")
        self.assertError(self.n.request("GET", "/api/v1/events?bbox=1,2"), 400, "invalid", "bbox")
        self.assertError(self.n.request("GET", "/api/v1/events?since=yesterday"), 400,
                         "invalid", "since")

    def test_validation_errors_name_the_field(self):
        cases = [
            ({"impact": "HIGH", "lat": 1, "lon": 1}, "category"),
            (dict(EVENT, category="PICNIC"), "category"),
            (dict(EVENT, lat=91), "lat"),
            (dict(EVENT, lon="east"), "lon"),
            (dict(EVENT, time="28 Nov"), "time"),
            (dict(EVENT, release=["iran"]), "release"),
            (dict(EVENT, colour="red"), "colour"),
            (dict(EVENT, title="x" * 201), "title"),
        ]
        for body, field in cases:
            with self.subTest(field=field):
                self.assertError(self.n.request("POST", "/api/v1/events", body), 400, "invalid",
                                 field)
        self.assertError(self.n.request("POST", "/api/v1/events", raw=b"{not json",
                                        headers={"Content-Type": "application/json"}),
                         400, "bad_json")
        self.assertError(self.n.request("POST", "/api/v1/events", raw=b"[1]",
                                        headers={"Content-Type": "application/json"}),
                         400, "invalid")
        self.assertError(self.n.request("POST", "/api/v1/events", raw=b"{}",
                                        headers={"Content-Type": "text/plain"}),
                         415, "unsupported_media_type")

    def test_auth_and_roles(self):
        self.assertError(self.n.request("GET", "/api/v1/events", token=None), 401,
                         "unauthorized")
        self.assertError(self.n.request("GET", "/api/v1/events", token="sht_wrong"), 401,
                         "unauthorized")
        patrol = self.n.add_user("unit7", "patrol")
        st, _, _ = self.n.request("GET", "/api/v1/events", token=patrol)
        self.assertEqual(st, 200)
        self.assertError(self.n.request("PATCH", "/api/v1/sections/1", {"impact": "HIGH"},
                                        token=patrol), 403, "forbidden")
        self.assertError(self.n.request("GET", "/metrics", token=patrol), 403)
        st, _, _ = self.n.request("POST", "/api/v1/events", EVENT, token=patrol)
        self.assertEqual(st, 201)
        run("user", "revoke", "--dir", self.n.dir, "--name", "unit7")
        self.assertError(self.n.request("GET", "/api/v1/events", token=patrol), 401)

    def test_routing_errors(self):
        self.assertError(self.n.request("GET", "/api/v1/nothing"), 404, "not_found")
        st, hdrs, body = self.n.request("DELETE", "/api/v1/events")
        self.assertError((st, hdrs, body), 405, "method_not_allowed")
        self.assertIn("POST", hdrs["allow"])

    def test_body_over_limit_is_413_json(self):
        big = b'{"title":"' + b"x" * (2 << 20) + b'"}'
        self.assertError(self.n.request("POST", "/api/v1/events", raw=big,
                                        headers={"Content-Type": "application/json"}),
                         413, "payload_too_large")
        # the node still serves
        self.assertEqual(self.n.request("GET", "/api/v1/health")[0], 200)

    def test_garbage_and_oversized_heads_do_not_hurt(self):
        for junk in (b"\x00\x01\x02 garbage\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"GET /api/v1/health HTTP/1.1\r\n" + b"X: " + b"y" * 20000 + b"\r\n\r\n",
                     b"POST /api/v1/events HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", self.n.port), timeout=10) as s:
                s.sendall(junk)
                reply = s.recv(4096)
                self.assertRegex(reply, rb"^HTTP/1.1 4\d\d ")
                self.assertIn(b'{"error":{', reply)
        self.assertEqual(self.n.request("GET", "/api/v1/health")[0], 200)

    def test_pipelined_requests_are_answered_in_order_without_recursion(self):
        n = 20000
        req = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
        head = (b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                self.n.token.encode() + b"\r\nContent-Type: application/json\r\n"
                b"Content-Length: 2\r\n\r\n{}")
        with socket.create_connection(("127.0.0.1", self.n.port), timeout=30) as s:
            s.sendall(head + req * n)
            data = b""
            while data.count(b"HTTP/1.1 ") < n + 1:
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data[:200])  # {} lacks fields
        self.assertEqual(data.count(b"HTTP/1.1 200 OK"), n)
        self.assertEqual(self.n.request("GET", "/api/v1/health")[0], 200)

    def test_sections(self):
        st, _, body = self.n.request("GET", "/api/v1/sections")
        self.assertEqual(st, 200)
        self.assertEqual(len(body["sections"]), 82)
        st, hdrs, sec = self.n.request("PATCH", "/api/v1/sections/3",
                                       {"impact": "CRITICAL", "fence": "DAMAGED",
                                        "command": "Taftan Wing"})
        self.assertEqual(st, 200, sec)
        pak = sec["sides"]["PAK"]
        self.assertEqual({k: pak[k] for k in ("command", "impact", "fence", "base_impact")},
                         {"command": "Taftan Wing", "impact": "CRITICAL", "fence": "DAMAGED",
                          "base_impact": "LOW"})
        self.assertRegex(pak["critical_since"], r"^\d{4}-\d\d-\d\dT")
        self.assertEqual(sec["sides"]["IRN"]["impact"], "LOW")
        self.assertEqual(sec["version"], 2)
        self.assertError(self.n.request("PATCH", "/api/v1/sections/3",
                                        {"side": "IRN", "impact": "HIGH"}), 403, "forbidden",
                         "side")
        self.assertError(self.n.request("PATCH", "/api/v1/sections/3", {"fence": "WALL"}), 400,
                         "invalid", "fence")
        self.assertError(self.n.request("PATCH", "/api/v1/sections/999", {"fence": "NONE"}), 404)
        self.assertError(self.n.request("PATCH", "/api/v1/sections/3", {"fence": "NONE"},
                                        headers={"If-Match": "1"}), 409)

    def test_units(self):
        st, _, u = self.n.request("POST", "/api/v1/units/PK-FC-101/position",
                                  {"lat": 28.98, "lon": 61.60, "callsign": "Taftan-1",
                                   "side": "PAK", "speed": 4.2, "course": 180})
        self.assertEqual(st, 202, u)
        self.assertEqual(u["uid"], "PK-FC-101")
        self.assertIn("chainage_km", u)
        self.n.request("POST", "/api/v1/units/PK-FC-102/position",
                       {"lat": 28.9, "lon": 61.7, "time": "2020-01-01T00:00:00Z"})
        st, _, body = self.n.request("GET", "/api/v1/units")
        units = {x["uid"]: x for x in body["units"]}
        self.assertFalse(units["PK-FC-101"]["stale"])
        self.assertTrue(units["PK-FC-102"]["stale"])
        self.assertError(self.n.request("POST", "/api/v1/units/bad%20uid/position",
                                        {"lat": 1, "lon": 1}), 400, "invalid", "uid")
        self.assertError(self.n.request("POST", "/api/v1/units/u1/position",
                                        {"lat": 1, "lon": 1, "side": "XYZ"}), 400, "invalid",
                         "side")
        # positions are not journal entries
        kinds = {e["kind"] for e in self.n.journal()}
        self.assertFalse(any(k.startswith("unit") for k in kinds))

    def test_metrics(self):
        self.n.request("GET", "/api/v1/health")
        self.n.request("POST", "/api/v1/events", EVENT)
        st, hdrs, text = self.n.request("GET", "/metrics")
        self.assertEqual(st, 200)
        self.assertTrue(hdrs["content-type"].startswith("text/plain; version=0.0.4"))
        self.assertIn('sarhad_http_requests_total{route="GET /api/v1/health",status="200"}', text)
        self.assertIn('sarhad_http_requests_total{route="POST /api/v1/events",status="201"} 1',
                      text)
        self.assertIn("sarhad_journal_seq ", text)
        self.assertIn("sarhad_stream_clients 0", text)
        self.assertIn('sarhad_commit_duration_seconds_bucket{le="+Inf"}', text)
        self.assertIn("sarhad_commit_duration_seconds_count", text)

    def test_keep_alive_many_requests_one_connection(self):
        c = self.n.conn()
        for _ in range(50):
            st, _, _ = self.n.request("GET", "/api/v1/health", conn=c)
            self.assertEqual(st, 200)
        st, _, _ = self.n.request("POST", "/api/v1/events", EVENT, conn=c)
        self.assertEqual(st, 201)
        c.close()

    def test_logs_never_hold_tokens(self):
        patrol = self.n.add_user("p1", "patrol")
        self.n.request("GET", "/api/v1/events", token=patrol)
        self.n.request("GET", "/api/v1/events", token="sht_bogus_token_value")
        log = self.n.read_log()
        self.assertNotIn(self.n.token, log)
        self.assertNotIn(patrol, log)
        self.assertNotIn("sht_bogus_token_value", log)


class HttpsTest(NodeTest):
    def test_https_when_configured(self):
        import ssl
        n = self.node()
        n.set_conf({("http", "tls"): "true"})
        n.proc = None
        log = open(n.log_path, "ab")
        import subprocess
        from harness import BIN
        n.proc = subprocess.Popen([BIN, "serve", "--dir", n.dir], stderr=log, stdout=log)
        n.log = log
        ctx = ssl.create_default_context(cafile=os.path.join(n.dir, "cert.pem"))
        ctx.check_hostname = False
        deadline, status = time.time() + 20, None
        while time.time() < deadline and status is None:
            try:
                c = http.client.HTTPSConnection("127.0.0.1", n.port, context=ctx, timeout=5)
                c.request("GET", "/api/v1/health")
                status = c.getresponse().status
                c.close()
            except OSError:
                time.sleep(0.1)
        self.assertEqual(status, 200)
        # plain HTTP to the HTTPS port gets nothing useful, and the node keeps serving
        with socket.create_connection(("127.0.0.1", n.port), timeout=5) as s:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\n\r\n")
            try:
                self.assertNotIn(b"200 OK", s.recv(4096))
            except ConnectionResetError:
                pass


if __name__ == "__main__":
    unittest.main()
