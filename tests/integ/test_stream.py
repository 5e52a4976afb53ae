"""The live stream: SSE of journal entries and positions, resume, bounded readers."""
import json
import socket
import time
import unittest

from harness import EVENT, NodeTest


class SSE:
    """A minimal Server-Sent Events reader on a raw socket."""

    def __init__(self, node, token="admin", since=None, last_id=None, rcvbuf=None):
        self.s = socket.socket()
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.settimeout(10)
        self.s.connect(("127.0.0.1", node.port))
        token = node.token if token == "admin" else token
        path = "/api/v1/stream" + (f"?since={since}" if since is not None else "")
        head = f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
        head += f"Authorization: Bearer {token}\r\n"
        if last_id is not None:
            head += f"Last-Event-ID: {last_id}\r\n"
        self.s.sendall((head + "\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self._recv()
        self.head, self.buf = self.buf.split(b"\r\n\r\n", 1)

    def _recv(self):
        data = self.s.recv(65536)
        if not data:
            raise EOFError("stream closed")
        return data

    def events(self, count, timeout=10, kinds=None):
        """Reads until `count` events (of `kinds`, if given) have arrived."""
        out, deadline = [], time.time() + timeout
        while len(out) < count:
            while b"\n\n" not in self.buf:
                if time.time() > deadline:
                    raise TimeoutError(f"got {len(out)} of {count} events")
                self.buf += self._recv()
            block, self.buf = self.buf.split(b"\n\n", 1)
            ev = {"event": "message", "id": None, "data": ""}
            for line in block.decode().split("\n"):
                if line.startswith(":") or not line:
                    continue
                k, _, v = line.partition(": ")
                if k == "data":
                    ev["data"] += v
                elif k in ("id", "event", "retry"):
                    ev[k] = v
            if not ev["data"]:
                continue
            ev["data"] = json.loads(ev["data"])
            if kinds is None or ev["event"] in kinds:
                out.append(ev)
        return out

    def close(self):
        self.s.close()


class StreamTest(NodeTest):
    def test_entries_arrive_live_with_their_seq(self):
        n = self.node().start()
        sse = SSE(n)
        self.assertIn(b"200 OK", sse.head)
        self.assertIn(b"text/event-stream", sse.head)
        _, _, ev = n.request("POST", "/api/v1/events", EVENT)
        got = sse.events(1)[0]
        self.assertEqual(got["event"], "event.create")
        self.assertEqual(got["data"]["payload"], ev)
        self.assertEqual(int(got["id"]), got["data"]["seq"])
        sse.close()

    def test_resume_with_last_event_id_loses_nothing(self):
        n = self.node().start()
        first = SSE(n)
        for i in range(5):
            n.request("POST", "/api/v1/events", dict(EVENT, title=f"a{i}"))
        seen = first.events(5)
        first.close()
        last_id = seen[-1]["id"]
        # written while nobody listens, more than the in-memory ring holds would be overkill
        for i in range(30):
            n.request("POST", "/api/v1/events", dict(EVENT, title=f"b{i}"))
        again = SSE(n, last_id=last_id)
        rest = again.events(30)
        self.assertEqual([e["data"]["payload"]["title"] for e in rest],
                         [f"b{i}" for i in range(30)])
        self.assertEqual(int(rest[0]["id"]), int(last_id) + 1)
        again.close()
        # since=0 replays the whole journal, in order, with no gap
        full = SSE(n, since=0)
        seq = n.request("GET", "/api/v1/health")[2]["journal_seq"]
        entries = full.events(seq - 1)  # user.* entries are visible to admin: all of them
        ids = [int(e["id"]) for e in entries]
        self.assertEqual(ids, sorted(ids))
        full.close()

    def test_replay_survives_restart(self):
        n = self.node().start()
        sse = SSE(n)
        n.request("POST", "/api/v1/events", dict(EVENT, title="before"))
        last = sse.events(1)[0]["id"]
        sse.close()
        n.stop()
        n.start()
        n.request("POST", "/api/v1/events", dict(EVENT, title="after"))
        sse = SSE(n, last_id=last)
        self.assertEqual(sse.events(1)[0]["data"]["payload"]["title"], "after")
        sse.close()

    def test_role_filter_hides_user_entries_from_non_admins(self):
        n = self.node().start()
        analyst = n.add_user("an1", "analyst")
        sse = SSE(n, token=analyst, since=0)
        n.request("POST", "/api/v1/events", dict(EVENT, title="marker"))
        while True:
            ev = sse.events(1)[0]
            self.assertFalse(ev["event"].startswith("user."), ev)
            if ev["event"] == "event.create":
                break
        sse.close()

    def test_positions_are_streamed(self):
        n = self.node().start()
        sse = SSE(n)
        n.request("POST", "/api/v1/units/U9/position", {"lat": 28.5, "lon": 62.0})
        pos = sse.events(1, kinds={"position"})[0]
        self.assertEqual(pos["data"]["uid"], "U9")
        self.assertIsNone(pos["id"])
        sse.close()

    def test_stream_needs_a_token(self):
        n = self.node().start()
        self.assertError(n.request("GET", "/api/v1/stream", token=None), 401)

    def test_a_reader_that_does_not_read_is_cut_off(self):
        n = self.node()
        n.set_conf({("http", "stream_backlog"): "65536"})
        n.start()
        slow = SSE(n, rcvbuf=4096)
        body = {"lat": 28.5, "lon": 62.0, "callsign": "x" * 64, "type": "y" * 64}
        c = n.conn()
        # Enough to fill the kernel's socket buffers (loopback autotunes to megabytes) and then
        # the node's own bounded backlog.
        for i in range(60000):
            n.request("POST", f"/api/v1/units/U{i % 50}/position", body, conn=c)
            if i % 500 == 0:
                text = n.request("GET", "/metrics", conn=c)[2]
                if "sarhad_stream_dropped_total 1" in text:
                    break
        c.close()
        text = n.request("GET", "/metrics")[2]
        self.assertIn("sarhad_stream_dropped_total 1", text)
        self.assertIn("sarhad_stream_clients 0", text)
        self.assertIn("stream.drop", n.read_log())
        slow.close()
        self.assertEqual(n.request("GET", "/api/v1/health")[0], 200)


if __name__ == "__main__":
    unittest.main()
