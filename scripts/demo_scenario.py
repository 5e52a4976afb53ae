#!/usr/bin/env python3
"""The patrol and fence scenario of `make demo` (standard library only).

    demo_scenario.py setup URL1 TOKEN1 URL2 TOKEN2 SENSOR_TOKEN1
        plans patrols on both sides along the real line (some coordinated, so that they pair),
        sets fence progress on a few sections, raises a fence alarm; prints nothing on success
    demo_scenario.py move URL1 TOKEN1 URL2 TOKEN2
        moves each side's patrol units along their stretches, one report every 2 s, until
        killed (the map and the adherence check have live tracks to show)
"""
import datetime
import json
import sys
import time
import urllib.request


def call(url, token, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


# (side index, units, from_km, to_km, start offset h, length h, kind, release_units)
PLANS = [
    (0, ["PK-FC-101"], 120, 145, -1, 6, "COORDINATED", True),    # Taftan, pairs with IR-1
    (1, ["IR-BG-201"], 130, 160, 0, 6, "COORDINATED", False),
    (0, ["PK-FC-102"], 690, 720, -2, 8, "JOINT_NIGHT", False),   # Mand-Pishin, pairs with IR-2
    (1, ["IR-BG-202"], 700, 740, 1, 8, "JOINT_NIGHT", False),
    (0, ["PK-FC-103"], 300, 330, -1, 4, "REGULAR", False),      # national, announced
    (1, ["IR-BG-203"], 40, 70, -1, 5, "REGULAR", False),
]


def setup(u1, t1, u2, t2, sensor):
    now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                microsecond=0)
    nodes = [(u1, t1), (u2, t2)]
    for side, units, a, b, h0, hours, kind, share in PLANS:
        url, tok = nodes[side]
        body = {"units": units, "from_km": a, "to_km": b, "kind": kind,
                "start": iso(now + datetime.timedelta(hours=h0)),
                "end": iso(now + datetime.timedelta(hours=h0 + hours))}
        if share:
            body["release_units"] = True
        call(url, tok, "POST", "/api/v1/patrols", body)
    # Fence progress on PK-SOUTH's side of the northern sector.
    sections = {s["id"]: s for s in call(u1, t1, "GET", "/api/v1/sections")["sections"]}
    for sid, patch in ((13, {"fence": "COMPLETE"}), (14, {"fence": "COMPLETE"}),
                       (15, {"fence": "UNDER_CONSTRUCTION", "fence_km": 6,
                             "fence_due": "2027-03-31T00:00:00Z"}),
                       (16, {"fence": "PLANNED"}), (17, {"fence": "DAMAGED"}),
                       (31, {"impact": "CRITICAL",
                             "critical_until": iso(now + datetime.timedelta(days=2))})):
        call(u1, t1, "PATCH", f"/api/v1/sections/{sid}", patch,
             {"If-Match": str(sections[sid]["version"])})
    # A fence sensor on the line near Taftan reports a breach (released: within 1 km).
    call(u1, sensor, "POST", "/api/v1/fence/alarms",
         {"sensor": "TFN-S-07", "kind": "BREACH", "chainage_km": 166.4})


def move(u1, t1, u2, t2):
    nodes = [(u1, t1), (u2, t2)]
    tick = 0
    places = {}
    while True:
        for side, units, a, b, _, _, kind, share in PLANS:
            url, tok = nodes[side]
            span = b - a
            km = a + (tick * 0.4) % (2 * span)
            if km > b:
                km = 2 * b - km  # back along the stretch
            key = (side, round(km, 1))
            if key not in places:
                pillar = int(km // 5) + 1
                offset = (km - (pillar - 1) * 5) * 1000
                iso3 = "PAK" if side == 0 else "IRN"
                places[key] = call(url, tok, "GET",
                                   f"/api/v1/place?pillar={pillar}&offset_m={offset:.0f}"
                                   f"&side={iso3}&depth_m=400")
            p = places[key]
            body = {"lat": p["lat"], "lon": p["lon"], "callsign": units[0], "speed": 3.0}
            if kind != "REGULAR":
                body["release"] = ["IRN" if side == 0 else "PAK"]
            try:
                call(url, tok, "POST", f"/api/v1/units/{units[0]}/position", body)
            except OSError:
                pass  # a node restarting: the next tick tries again
        tick += 1
        time.sleep(2)


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "setup":
        setup(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "move":
        try:
            move(*sys.argv[2:])
        except KeyboardInterrupt:
            pass
    else:
        sys.exit(__doc__)
