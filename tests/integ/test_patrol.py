"""Coordinated patrols and the fence across two real nodes: landmarks and places, patrol plans
and their pairing, the near-border notice, fence progress and alarms."""
import datetime
import time
import unittest

import os

from harness import NodeTest, run, wait_for


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


T0 = datetime.datetime(2026, 12, 1, 6, 0, tzinfo=datetime.timezone.utc)


def window(h0, h1):
    return iso(T0 + datetime.timedelta(hours=h0)), iso(T0 + datetime.timedelta(hours=h1))


class LandmarkTest(NodeTest):
    def test_landmarks_and_places_both_ways(self):
        a = self.node()
        a.start()
        st, _, lm = a.request("GET", "/api/v1/border/landmarks")
        self.assertEqual(st, 200, lm)
        self.assertEqual([s["name"] for s in lm["sectors"]], ["northern", "central", "coastal"])
        names = [c["name"] for c in lm["crossings"]]
        self.assertEqual(names, ["Taftan-Mirjaveh", "Mand-Pishin", "Gabd-Rimdan"])
        kms = [c["km"] for c in lm["crossings"]]
        self.assertEqual(kms, sorted(kms))
        self.assertEqual(lm["crossings"][0]["sector"], "northern")
        self.assertEqual(lm["pillars"][0], {"n": 1, "km": 0.0, "lat": lm["pillars"][0]["lat"],
                                            "lon": lm["pillars"][0]["lon"]})
        self.assertAlmostEqual(lm["pillars"][10]["km"], 50.0)
        # Pillar 11 + 300 m, 200 m into Pakistan, and back.
        st, _, p = a.request("GET", "/api/v1/place?pillar=11&offset_m=300&side=PAK&depth_m=200")
        self.assertEqual(st, 200, p)
        self.assertEqual(p["side"], "PAK")
        self.assertAlmostEqual(p["chainage_km"], 50.3, delta=0.02)
        self.assertAlmostEqual(p["distance_km"], 0.2, delta=0.02)
        st, _, q = a.request("GET", f"/api/v1/place?lat={p['lat']}&lon={p['lon']}")
        self.assertEqual((q["pillar"], q["side"]), (11, "PAK"))
        self.assertAlmostEqual(q["offset_m"], 300, delta=20)
        self.assertIn("pillar 11 +", q["text"])
        st, _, q = a.request("GET", "/api/v1/place?pillar=11&offset_m=300&side=IRN&depth_m=200")
        self.assertEqual(q["side"], "IRN")
        self.assertError(a.request("GET", "/api/v1/place?pillar=9999"), 400, field="pillar")
        self.assertError(a.request("GET", "/api/v1/place?pillar=2&depth_m=50&side=AFG"), 400,
                         field="side")
        self.assertError(a.request("GET", "/api/v1/place?lat=abc&lon=1"), 400, field="lat")


class FenceTest(NodeTest):
    def test_fence_progress_history_and_alarms(self):
        a = self.node()
        a.start()
        st, hdrs, sec = a.request("GET", "/api/v1/sections")
        s1 = sec["sections"][0]
        st, _, body = a.request("PATCH", f"/api/v1/sections/{s1['id']}",
                                {"fence": "UNDER_CONSTRUCTION", "fence_km": 4,
                                 "fence_due": "2027-06-30T00:00:00Z"},
                                headers={"If-Match": str(s1["version"])})
        self.assertEqual(st, 200, body)
        s2 = sec["sections"][1]
        a.request("PATCH", f"/api/v1/sections/{s2['id']}", {"fence": "COMPLETE"},
                  headers={"If-Match": str(s2["version"])})
        self.assertError(a.request("PATCH", f"/api/v1/sections/{s1['id']}", {"fence_km": 99},
                                   headers={"If-Match": "2"}), 400, field="fence_km")
        st, _, fence = a.request("GET", "/api/v1/fence")
        self.assertEqual(st, 200, fence)
        north = fence["sides"]["PAK"][0]
        self.assertEqual(north["name"], "northern")
        self.assertAlmostEqual(north["km"]["complete"], 14.0, places=3)  # 4 of s1 + all of s2
        self.assertAlmostEqual(north["km"]["under_construction"], 6.0, places=3)
        self.assertAlmostEqual(north["share_complete"], round(14 / north["length_km"], 4))
        total = fence["sides"]["PAK"][-1]
        self.assertEqual(total["name"], "total")
        self.assertEqual(fence["sides"]["IRN"][-1]["km"]["complete"], 0)
        self.assertEqual([h["complete"] for h in fence["history"]["PAK"]], [4.0, 14.0])
        self.assertEqual(fence["history"]["IRN"], [])

        # Alarms come with a sensor token; the same sensor folds into one event.
        sensor = a.add_user("fence-gw-1", "sensor")
        self.assertError(a.request("GET", "/api/v1/events", token=sensor), 403)
        st, _, ev = a.request("POST", "/api/v1/fence/alarms",
                              {"sensor": "S-0412", "kind": "BREACH", "chainage_km": 12.5},
                              token=sensor)
        self.assertEqual(st, 201, ev)
        self.assertEqual((ev["category"], ev["count"], ev["section"]), ("FENCE_BREACH", 1, 2))
        self.assertEqual(ev["release"], ["IRN"])  # on the line: within 1 km
        st, _, ev2 = a.request("POST", "/api/v1/fence/alarms",
                               {"sensor": "S-0412", "kind": "BREACH", "chainage_km": 12.6},
                               token=sensor)
        self.assertEqual(st, 200, ev2)
        self.assertEqual((ev2["id"], ev2["count"], ev2["version"]), (ev["id"], 2, 2))
        secs = {x["id"]: x for x in a.request("GET", "/api/v1/sections")[2]["sections"]}
        self.assertEqual((secs[2]["attention"]["open_alarms"], secs[2]["attention"]["reports"]),
                         (1, 2))
        self.assertIsNone(secs[3]["attention"])
        # Another kind, another event; a place by pillar deep inside: national.
        st, _, ev3 = a.request("POST", "/api/v1/fence/alarms",
                               {"sensor": "S-0412", "kind": "SENSOR", "pillar": 3,
                                "side": "PAK", "depth_m": 3000}, token=sensor)
        self.assertEqual(st, 201, ev3)
        self.assertEqual((ev3["category"], ev3["release"]), ("SENSOR_ALARM", []))
        self.assertError(a.request("POST", "/api/v1/fence/alarms",
                                   {"sensor": "S-1", "kind": "CUT"}, token=sensor), 400,
                         field="kind")
        self.assertError(a.request("POST", "/api/v1/fence/alarms",
                                   {"sensor": "S-1", "kind": "BREACH"}, token=sensor), 400,
                         field="lat")
        self.assertError(a.request("POST", "/api/v1/fence/alarms",
                                   {"sensor": "S-1", "kind": "BREACH", "chainage_km": 5,
                                    "colour": "red"}, token=sensor), 400, field="colour")


class CliTest(NodeTest):
    def test_patrol_add_list_and_coverage_table(self):
        a = self.node()
        a.start()
        env = dict(os.environ, SARHAD_URL=f"http://127.0.0.1:{a.port}", SARHAD_TOKEN=a.token)
        start, end = window(0, 2)
        out = run("patrol", "add", "--from-km", "100", "--to-km", "115", "--start", start,
                  "--end", end, "--units", "PK-1,PK-2", "--national", env=env).stdout
        pid, kind = out.split()[:2]
        self.assertEqual(kind, "REGULAR")
        self.assertIn("notice=NATIONAL", out)
        self.assertEqual(a.request("GET", f"/api/v1/patrols/{pid}")[2]["units"], ["PK-1", "PK-2"])
        out = run("patrol", "list", "--from", start, "--to", end, env=env).stdout
        self.assertIn(pid, out.splitlines()[1])
        out = run("coverage", "--from", start, "--to", window(0, 4)[1], env=env).stdout
        rows = {line.split()[0]: line for line in out.splitlines()[2:-1]}
        self.assertEqual(sorted(rows), ["11", "12"])
        self.assertTrue(rows["11"].rstrip().endswith("OO.."), rows["11"])
        self.assertEqual(rows["11"].split()[3], "120")  # own minutes
        self.assertEqual(rows["11"].split()[6], "120")  # the gap after the patrol
        bad = run("patrol", "add", "--from-km", "x", check=False, env=env)
        self.assertEqual(bad.returncode, 2)
        bad = run("patrol", "add", "--from-km", "100", "--to-km", "90", "--start", start,
                  "--end", end, check=False, env=env)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("to_km", bad.stderr)
        self.assertEqual(run("patrol", "--help", env=env).returncode, 0)
        self.assertEqual(run("coverage", "--help", env=env).returncode, 0)


class PlannerTest(NodeTest):
    def test_plan_covers_high_sections_first_and_is_seeded(self):
        a = self.node()
        a.start()
        secs = a.request("GET", "/api/v1/sections")[2]["sections"]
        s5 = secs[4]
        a.request("PATCH", "/api/v1/sections/5", {"impact": "HIGH"},
                  headers={"If-Match": str(s5["version"])})
        frm, to = window(0, 8)
        body = {"units": [{"uid": "PK-1", "shift_hours": 4, "max_shifts": 2,
                           "min_rest_hours": 0, "reach_km": 10, "min_km": 30, "max_km": 60}],
                "from": frm, "to": to, "seed": 7}
        st, _, plan = a.request("POST", "/api/v1/patrols/plan", body)
        self.assertEqual(st, 200, plan)
        self.assertTrue(plan["exact"])
        self.assertEqual(plan["gap_pct"], 0)
        self.assertEqual(plan["seed"], "7")
        # Two 4 h shifts on section 5 (km 40-50, HIGH, weight 4): 8 slots x 4.
        self.assertEqual(plan["value"], 32)
        self.assertEqual([(p["from_km"], p["to_km"]) for p in plan["proposal"]],
                         [(40, 50), (40, 50)])
        self.assertEqual([p["units"] for p in plan["proposal"]], [["PK-1"], ["PK-1"]])
        again = a.request("POST", "/api/v1/patrols/plan", body)[2]
        self.assertEqual(again["proposal"], plan["proposal"])
        # Accepting the proposal: what is planned is no longer open.
        for p in plan["proposal"]:
            p["national"] = True
            self.assertEqual(a.request("POST", "/api/v1/patrols", p)[0], 201)
        after = a.request("POST", "/api/v1/patrols/plan", body)[2]
        self.assertLess(after["open"], plan["open"])
        self.assertNotIn((40, 50), [(p["from_km"], p["to_km"]) for p in after["proposal"]])
        self.assertError(a.request("POST", "/api/v1/patrols/plan", dict(body, units=[])), 400,
                         field="units")
        self.assertError(a.request("POST", "/api/v1/patrols/plan",
                                   dict(body, units=[{"uid": "PK-1", "shift_hours": 0}])), 400,
                         field="shift_hours")
        self.assertError(a.request("POST", "/api/v1/patrols/plan", dict(body, objective="win")),
                         400, field="objective")


class NoticeTest(NodeTest):
    def test_no_follow_up_for_a_plan_the_partner_never_heard_of(self):
        a = self.node()  # no peer: nobody to notify
        a.start()
        start, end = window(0, 4)
        st, _, p = a.request("POST", "/api/v1/patrols", {"from_km": 10, "to_km": 20,
                                                         "start": start, "end": end})
        self.assertEqual((st, p["notice"]), (201, "NO_PARTNER"), p)
        st, _, same = a.request("PATCH", f"/api/v1/patrols/{p['id']}", {"from_km": 10},
                                headers={"If-Match": "1"})
        self.assertNotIn("notice", same)  # nothing changed
        st, _, gone = a.request("PATCH", f"/api/v1/patrols/{p['id']}", {"status": "CANCELLED"},
                                headers={"If-Match": "2"})
        self.assertNotIn("notice", gone)  # never announced: no cancellation to announce
        notes = [e for e in a.journal() if e["kind"] == "patrol.notice"]
        self.assertEqual([n["payload"]["decision"] for n in notes], ["NO_PARTNER"])


class PlannerThreadTest(NodeTest):
    def test_the_node_serves_and_stops_cleanly_while_a_plan_computes(self):
        import threading
        a = self.node()
        a.start()
        frm, to = window(0, 24 * 7)
        units = [{"uid": f"PK-{i:03d}", "shift_hours": 8, "max_shifts": 7, "reach_km": 15}
                 for i in range(200)]
        big = {"units": units, "from": frm, "to": to}
        tiny = {"units": units[:1], "from": frm, "to": window(0, 1)[1]}  # plans in no time
        answers = []

        def plan_big():
            answers.append(a.request("POST", "/api/v1/patrols/plan", big,
                                     conn=a.conn(timeout=120)))

        threading.Thread(target=plan_big, daemon=True).start()

        def busy_now():
            # While the big plan computes, another is told to come back later. Should the big
            # one have been refused (a probe held the planner just then) or be done already,
            # ask again.
            r = a.request("POST", "/api/v1/patrols/plan", tiny)
            if r[0] == 503:
                return r
            if answers:
                answers.clear()
                threading.Thread(target=plan_big, daemon=True).start()
            return None

        busy = wait_for(busy_now, timeout=60, what="a 503 while planning")
        self.assertEqual(busy[2]["error"]["code"], "busy")
        self.assertEqual(a.request("GET", "/api/v1/health")[0], 200)
        # Stopped in the middle of the plan, the node waits for it, drops the answer and exits
        # 0 with no leak (tearDown checks the exit status of the ASan build).


class AdherenceTest(NodeTest):
    def test_units_off_their_stretch_and_silent_patrols_are_flagged(self):
        a = self.node()
        a.start()
        now = datetime.datetime.now(datetime.timezone.utc)
        start, end = (iso(now - datetime.timedelta(hours=1)),
                      iso(now + datetime.timedelta(hours=1)))
        st, _, on = a.request("POST", "/api/v1/patrols",
                              {"units": ["PK-1"], "from_km": 100, "to_km": 120, "start": start,
                               "end": end, "kind": "REGULAR", "national": True})
        self.assertEqual(st, 201, on)
        st, _, silent = a.request("POST", "/api/v1/patrols",
                                  {"units": ["PK-2"], "from_km": 200, "to_km": 210,
                                   "start": start, "end": end, "national": True})
        far = a.request("GET", "/api/v1/place?pillar=61")[2]  # km 300
        near = a.request("GET", "/api/v1/place?pillar=22")[2]  # km 105
        for uid, p in (("PK-1", far), ("PK-3", near)):
            st, _, _ = a.request("POST", f"/api/v1/units/{uid}/position",
                                 {"lat": p["lat"], "lon": p["lon"], "callsign": uid})
            self.assertIn(st, (200, 201, 202))

        def flags():
            f = a.request("GET", "/api/v1/patrols/adherence")[2]["flags"]
            return f if any(x["kind"] == "OUTSIDE_STRETCH" for x in f) else None

        got = wait_for(flags, what="adherence flags")
        kinds = sorted((f["patrol"], f["kind"], f.get("unit")) for f in got)
        self.assertEqual(kinds, sorted([(on["id"], "OUTSIDE_STRETCH", "PK-1"),
                                        (silent["id"], "NO_POSITION", None)]))
        off = next(f for f in got if f["kind"] == "OUTSIDE_STRETCH")
        self.assertAlmostEqual(off["chainage_km"], 300, delta=0.5)


class PatrolTest(NodeTest):
    def setUp(self):
        super().setUp()
        self.a, self.b = self.pair()
        self.a.start()
        self.b.start()
        self.a.wait_link("up")

    def plan(self, node, **kw):
        start, end = window(kw.pop("h0", 0), kw.pop("h1", 8))
        body = {"units": ["PK-1"], "from_km": 100, "to_km": 120, "start": start, "end": end,
                "kind": "COORDINATED"}
        body.update(kw)
        return node.request("POST", "/api/v1/patrols", body)

    def test_coordinated_patrols_cross_and_pair(self):
        a, b = self.a, self.b
        st, _, pa = self.plan(a, units=["PK-1", "PK-2"])
        self.assertEqual(st, 201, pa)
        self.assertEqual((pa["side"], pa["release"], pa["notice"]), ("PAK", ["IRN"], "SHARED"))
        st, _, pb = self.plan(b, units=["IR-9"], from_km=110, to_km=140, h0=4, h1=12)
        self.assertEqual(st, 201, pb)
        st, _, reg = self.plan(a, kind="REGULAR", national=True, units=["PK-3"])
        self.assertEqual(reg["release"], [])

        def seen_on_b():
            ps = b.request("GET", f"/api/v1/patrols?from={iso(T0)}&to={window(0, 24)[1]}")[2]
            return ps["patrols"] if len(ps["patrols"]) == 2 else None

        patrols = wait_for(seen_on_b, what="A's coordinated patrol on B")
        theirs = next(p for p in patrols if p["side"] == "PAK")
        self.assertEqual(theirs["units"], [])  # stretch, window and kind only
        self.assertNotIn("by", theirs)
        self.assertEqual(len(theirs["pairing"]), 1)
        ov = theirs["pairing"][0]["overlap"]
        self.assertEqual((ov["from_km"], ov["to_km"]), (110, 120))
        self.assertEqual((ov["start"], ov["end"]), window(4, 8))
        mine = next(p for p in patrols if p["side"] == "IRN")
        self.assertEqual(mine["pairing"][0]["id"], pa["id"])
        # A sees the pairing too, and its national patrol has none.
        ps = a.request("GET", f"/api/v1/patrols?from={iso(T0)}&to={window(0, 24)[1]}&side=PAK")
        self.assertEqual(len(ps[2]["patrols"]), 2)
        ps = {p["id"]: p for p in ps[2]["patrols"]}
        wait_for(lambda: a.request("GET", f"/api/v1/patrols/{pb['id']}")[0] == 200,
                 what="B's patrol on A")
        ps = {p["id"]: p for p in a.request(
            "GET", f"/api/v1/patrols?from={iso(T0)}&to={window(0, 24)[1]}")[2]["patrols"]}
        self.assertEqual(ps[pa["id"]]["pairing"][0]["id"], pb["id"])
        self.assertEqual(ps[reg["id"]]["pairing"], [])
        # Unit identities cross only when released.
        st, _, pc = self.plan(a, units=["PK-7"], release_units=True, h0=30, h1=32)
        wait_for(lambda: b.request("GET", f"/api/v1/patrols/{pc['id']}")[0] == 200,
                 what="released units on B")
        self.assertEqual(b.request("GET", f"/api/v1/patrols/{pc['id']}")[2]["units"], ["PK-7"])
        # Cancelling crosses too; B may not change A's plan.
        st, _, cancelled = a.request("PATCH", f"/api/v1/patrols/{pa['id']}",
                                     {"status": "CANCELLED"}, headers={"If-Match": "1"})
        self.assertEqual((st, cancelled["version"]), (200, 2), cancelled)
        wait_for(lambda: b.request("GET", f"/api/v1/patrols/{pa['id']}")[2]["status"] ==
                 "CANCELLED", what="cancellation on B")
        self.assertError(b.request("PATCH", f"/api/v1/patrols/{pa['id']}",
                                   {"status": "CANCELLED"}, headers={"If-Match": "2"}), 403)
        self.assertError(a.request("PATCH", f"/api/v1/patrols/{pa['id']}", {"units": []}), 428,
                         field="If-Match")
        self.assertError(a.request("PATCH", f"/api/v1/patrols/{pa['id']}", {"units": []},
                                   headers={"If-Match": "two"}), 400, field="If-Match")
        self.assertError(a.request("PATCH", f"/api/v1/patrols/{pa['id']}", {"units": []},
                                   headers={"If-Match": "1"}), 409, field="If-Match")
        self.assertError(a.request("PATCH", "/api/v1/patrols/no-such", {"units": []},
                                   headers={"If-Match": "1"}), 404, field="id")

    def test_a_partners_sensor_never_folds_our_alarms(self):
        a, b = self.a, self.b
        sa, sb = a.add_user("gw-a", "sensor"), b.add_user("gw-b", "sensor")
        st, _, theirs = b.request("POST", "/api/v1/fence/alarms",
                                  {"sensor": "S-1", "kind": "BREACH", "chainage_km": 50},
                                  token=sb)
        self.assertEqual((st, theirs["release"]), (201, ["PAK"]))
        wait_for(lambda: a.request("GET", f"/api/v1/events/{theirs['id']}")[0] == 200,
                 what="B's alarm on A")
        st, _, ours = a.request("POST", "/api/v1/fence/alarms",
                                {"sensor": "S-1", "kind": "BREACH", "chainage_km": 50.1},
                                token=sa)
        self.assertEqual((st, ours["origin"], ours["count"]), (201, "PK-SOUTH", 1), ours)
        self.assertNotEqual(ours["id"], theirs["id"])

    def test_fence_facts_cross_only_when_released(self):
        a, b = self.a, self.b
        secs = a.request("GET", "/api/v1/sections")[2]["sections"]
        a.request("PATCH", "/api/v1/sections/1", {"fence": "COMPLETE"},
                  headers={"If-Match": str(secs[0]["version"])})
        a.request("PATCH", "/api/v1/sections/2", {"fence": "UNDER_CONSTRUCTION", "fence_km": 3,
                                                  "fence_due": "2027-01-31T00:00:00Z"},
                  headers={"If-Match": str(secs[1]["version"])})
        mark = a.request("GET", "/api/v1/health")[2]["journal_seq"]
        # Not released: B knows nothing of PAK's fence.
        time.sleep(1)
        self.assertEqual(b.request("GET", "/api/v1/fence")[2]["sides"]["PAK"][-1]["km"]
                         ["complete"], 0)
        liaison = a.add_user("liaison", "liaison")
        self.assertError(a.request("POST", "/api/v1/fence/release", token=liaison), 403)
        st, _, rel = a.request("POST", "/api/v1/fence/release")
        self.assertEqual(st, 201, rel)
        self.assertEqual((rel["id"], rel["version"], rel["release"], rel["sections"]),
                         ("fence-PAK", 1, ["IRN"], 82))

        def released():
            f = b.request("GET", "/api/v1/fence")[2]["sides"]["PAK"][-1]["km"]
            return f if f["complete"] else None

        km = wait_for(released, what="PAK's fence on B")
        self.assertEqual((km["complete"], km["under_construction"]), (13.0, 7.0))
        s2 = next(x for x in b.request("GET", "/api/v1/sections")[2]["sections"] if x["id"] == 2)
        self.assertEqual(s2["sides"]["PAK"]["fence_due"], "2027-01-31T00:00:00.000Z")
        self.assertEqual(a.request("POST", "/api/v1/fence/release")[2]["version"], 2)
        self.assertGreater(a.request("GET", "/api/v1/health")[2]["journal_seq"], mark)

    def test_coverage_and_gaps(self):
        a, b = self.a, self.b
        self.plan(a)                                            # PAK km 100-120, 06:00-14:00
        st, _, pb = self.plan(b, from_km=110, to_km=140, h0=4, h1=12)  # IRN 110-140, 10-18
        wait_for(lambda: a.request("GET", f"/api/v1/patrols/{pb['id']}")[0] == 200,
                 what="B's patrol on A")
        frm, to = window(0, 12)
        st, _, cov = a.request("GET", f"/api/v1/coverage?from={frm}&to={to}&step=14400")
        self.assertEqual(st, 200, cov)
        self.assertEqual(cov["buckets"], [window(0, 4)[0], window(4, 8)[0], window(8, 12)[0]])
        by_id = {s["id"]: s for s in cov["sections"]}

        def cells(sid, key):
            return [c[key] for c in by_id[sid]["cells"]]

        # Sections are 10 km: 11 = [100,110), 12 = [110,120), 13 = [120,130).
        self.assertEqual(cells(11, "own_min"), [240, 240, 0])
        self.assertEqual(cells(11, "partner_min"), [0, 0, 0])
        self.assertEqual(cells(11, "longest_gap_min"), [0, 0, 240])
        self.assertEqual(cells(12, "own_min"), [240, 240, 0])
        self.assertEqual(cells(12, "partner_min"), [0, 240, 240])
        self.assertEqual(cells(12, "both_min"), [0, 240, 0])
        self.assertEqual(cells(12, "longest_gap_min"), [0, 0, 0])
        self.assertEqual(cells(13, "partner_min"), [0, 240, 240])
        self.assertEqual(cells(13, "longest_gap_min"), [240, 0, 0])
        # B sees the same picture the other way round.
        st, _, covb = b.request("GET", f"/api/v1/coverage?from={frm}&to={to}&step=14400")
        self.assertEqual([c["partner_min"] for c in covb["sections"][10]["cells"]],
                         [240, 240, 0])
        # Gaps: a HIGH section weighs four times a LOW one.
        s1 = a.request("GET", "/api/v1/sections")[2]["sections"][0]
        a.request("PATCH", "/api/v1/sections/1", {"impact": "HIGH"},
                  headers={"If-Match": str(s1["version"])})
        st, _, gaps = a.request("GET", f"/api/v1/coverage/gaps?from={frm}&to={to}&min_minutes=200")
        self.assertEqual(st, 200, gaps)
        self.assertEqual(gaps["gaps"][0]["section"], 1)
        self.assertEqual((gaps["gaps"][0]["minutes"], gaps["gaps"][0]["score"]), (720, 2880))
        g11 = [g for g in gaps["gaps"] if g["section"] == 11]
        self.assertEqual([(g["start"], g["end"], g["minutes"]) for g in g11],
                         [(window(8, 12)[0], window(8, 12)[1], 240)])
        self.assertFalse([g for g in gaps["gaps"] if g["section"] == 12])
        st, _, own = a.request("GET", f"/api/v1/coverage/gaps?from={frm}&to={to}&of=own"
                                      "&min_minutes=1&limit=500")
        self.assertTrue([g for g in own["gaps"] if g["section"] == 13])
        self.assertError(a.request("GET", f"/api/v1/coverage?from={frm}&to={to}&step=1"), 400,
                         field="step")
        self.assertError(a.request("GET", f"/api/v1/coverage?from={frm}&to={to}"
                                          "&step=9223372036854775807"), 400, field="step")
        self.assertError(a.request("GET", "/api/v1/place?pillar=3&offset_m=nan"), 400,
                         field="offset_m")
        self.assertError(a.request("GET", f"/api/v1/coverage/gaps?of=them"), 400, field="of")
        self.assertError(a.request("GET", f"/api/v1/coverage?from=yesterday"), 400, field="from")

    def test_near_border_regular_patrol_sends_a_notice(self):
        a, b = self.a, self.b
        st, _, p = self.plan(a, kind="REGULAR", depth_km=2.5)
        self.assertEqual((st, p["notice"]), (201, "NOTIFIED"), p)
        st, _, far = self.plan(a, kind="REGULAR", depth_km=10)
        self.assertNotIn("notice", far)
        st, _, nat = self.plan(a, kind="REGULAR", national=True)
        self.assertEqual(nat["notice"], "NATIONAL")

        def notice_on_b():
            ms = b.request("GET", "/api/v1/messages?channel=node-to-node")[2]["messages"]
            got = [m for m in ms if m.get("template") == "border_activity_notice"]
            return got or None

        got = wait_for(notice_on_b, what="activity notice on B")
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["fields"]["from_km"], 100)
        # Moved, then cancelled: the partner is told each time.
        st, _, moved = a.request("PATCH", f"/api/v1/patrols/{p['id']}", {"from_km": 105},
                                 headers={"If-Match": "1"})
        self.assertEqual((st, moved["notice"]), (200, "NOTIFIED"), moved)
        a.request("PATCH", f"/api/v1/patrols/{p['id']}", {"status": "CANCELLED"},
                  headers={"If-Match": "2"})
        got = wait_for(lambda: (n := notice_on_b()) and len(n) == 3 and n,
                       what="three notices on B")
        details = [m["fields"]["details"] for m in sorted(got, key=lambda m: m["serial"])]
        self.assertTrue(details[1].startswith("CHANGED PLAN"), details)
        self.assertTrue(details[2].startswith("CANCELLED"), details)
        self.assertEqual(sorted(m["fields"]["from_km"] for m in got), [100, 105, 105])
        st, _, fa = b.request("GET", f"/api/v1/messages/{got[0]['id']}?lang=fa")
        self.assertIn("rendered", fa)
        # The decisions are journaled (national, never crossing).
        notes = [e for e in a.journal() if e["kind"] == "patrol.notice"]
        self.assertEqual(sorted((n["payload"]["change"], n["payload"]["decision"]) for n in notes),
                         [("CANCELLED", "NOTIFIED"), ("CHANGED", "NOTIFIED"),
                          ("NEW", "NATIONAL"), ("NEW", "NOTIFIED")])
        # A patrol is a commander's to plan; bad input is named.
        liaison = a.add_user("liaison", "liaison")
        self.assertError(a.request("POST", "/api/v1/patrols", {"from_km": 1}, token=liaison), 403)
        self.assertError(self.plan(a, to_km=50), 400, field="to_km")
        self.assertError(self.plan(a, kind="SOLO"), 400, field="kind")
        self.assertError(self.plan(a, side="IRN"), 403, field="side")
        self.assertError(self.plan(a, units=["bad id!"]), 400, field="units")
        self.assertError(self.plan(a, h0=5, h1=5), 400, field="end")
        self.assertError(self.plan(a, national=True), 400, field="national")  # COORDINATED
        self.assertError(self.plan(a, kind="REGULAR", release_units=True), 400,
                         field="release_units")


if __name__ == "__main__":
    unittest.main()
