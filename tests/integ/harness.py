"""Test harness: real sarhad processes on ephemeral loopback ports, spoken to over real HTTP.

Standard library only (PyPI is unreachable on the build machines).
"""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

BIN = os.environ.get("SARHAD_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "asan", "sarhad")


_ports = random.Random(os.urandom(16))  # not `random`: tests seed that one


def free_port():
    """A free loopback port below the kernel's ephemeral range. One from inside it (what
    binding port 0 gives) can be taken, between this check and the node's own bind, as the
    local port of any outgoing connection: a fault proxy redialling, a client, the other node.
    CI failed on that once ("cannot listen on 127.0.0.1:57215")."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(1000):
        port = _ports.randrange(max(1024, low - 16384), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def run(*args, check=True, env=None):
    """Runs the sarhad binary with args; returns CompletedProcess (text)."""
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=60, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"sarhad {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


def wait_for(fn, timeout=20, what="condition"):
    """Polls fn until it returns something true; fails naming `what` on timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Node:
    """One node: its directory, its process, its admin token."""

    def __init__(self, root, name="PK-SOUTH", country="PAK", conf_extra=None, link=False):
        self.dir = os.path.join(root, name.lower())
        self.name, self.country = name, country
        self.port = free_port()
        self.link_port = free_port() if link else None
        args = ["init", "--dir", self.dir, "--node", name, "--country", country,
                "--http", f"127.0.0.1:{self.port}"]
        if link:
            args += ["--link", f"127.0.0.1:{self.link_port}"]
        out = run(*args).stdout
        self.token = out.strip().splitlines()[-1]
        if conf_extra:
            self.set_conf(conf_extra)
        self.proc = None
        self.log_path = os.path.join(root, name.lower() + ".log")

    def set_conf(self, changes):
        """changes: {(section, key): value}; rewrites sarhad.conf in place."""
        path = os.path.join(self.dir, "sarhad.conf")
        lines, section = [], None
        pending = dict(changes)
        with open(path) as f:
            text = f.read()
        for line in text.splitlines():
            s = line.strip()
            if s.startswith("[") and s.endswith("]"):
                section = s[1:-1]
            elif "=" in s and not s.startswith("#"):
                k = s.split("=", 1)[0].strip()
                if (section, k) in pending:
                    line = f"{k} = {pending.pop((section, k))}"
            lines.append(line)
        assert not pending, f"keys not in config: {pending}"
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, *serve_args):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([BIN, "serve", "--dir", self.dir, *serve_args],
                                     stderr=self.log, stdout=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"node exited {self.proc.returncode}: {self.read_log()}")
            try:
                if self.request("GET", "/api/v1/health", token=None)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("node did not come up: " + self.read_log())

    def read_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        self.proc = None
        self.log.close()
        return rc

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def conn(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, token="admin", headers=None, raw=None,
                conn=None):
        """Returns (status, headers dict (lower-case), parsed JSON or text)."""
        h = {}
        if token == "admin":
            token = self.token
        if token:
            h["Authorization"] = f"Bearer {token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c = conn or self.conn()
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            payload = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
        finally:
            if conn is None:
                c.close()
        ctype = hdrs.get("content-type", "")
        if ctype.startswith("application/json") and payload:
            return r.status, hdrs, json.loads(payload)
        return r.status, hdrs, payload.decode(errors="replace")

    def add_user(self, name, role, *extra):
        out = run("user", "add", "--dir", self.dir, "--name", name, "--role", role,
                  *extra).stdout
        return out.strip().splitlines()[-1]

    def cert_path(self):
        path = os.path.join(self.dir, "..", self.name.lower() + ".cert.pem")
        with open(path, "w") as f:
            f.write(run("cert", "--dir", self.dir).stdout)
        return path

    def pin(self, other, addr=None):
        """Pins `other` on this node; with addr ("127.0.0.1:PORT") this node dials it."""
        args = ["peer", "add", "--dir", self.dir, "--name", other.name, "--country",
                other.country, "--cert", other.cert_path()]
        if addr:
            args += ["--addr", addr]
        run(*args)

    def links(self):
        return self.request("GET", "/api/v1/links")[2]["links"]

    def wait_link(self, state="up", timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            links = self.links()
            if links and links[0]["state"] == state:
                return links[0]
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: link not {state}: {self.links()}")

    def events(self):
        """Every event this node holds, newest first."""
        out, cursor = [], None
        while True:
            q = "/api/v1/events?limit=500" + (f"&cursor={cursor}" if cursor else "")
            page = self.request("GET", q)[2]
            out += page["events"]
            cursor = page["next"]
            if not cursor:
                return out

    def journal(self, since=0):
        out = run("journal", "--dir", self.dir, "--since", str(since)).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]


class NodeTest(unittest.TestCase):
    """Gives each test a temporary root and stops its nodes afterwards."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="sarhad-test-")
        self.nodes = []

    def tearDown(self):
        for n in self.nodes:
            if n.proc is not None:
                rc = n.stop()
                # A clean stop exits 0; ASan leak reports would make it non-zero.
                self.assertEqual(rc, 0, f"{n.name} did not stop cleanly: {n.read_log()[-3000:]}")
        shutil.rmtree(self.root, ignore_errors=True)

    def node(self, **kw):
        n = Node(self.root, **kw)
        self.nodes.append(n)
        return n

    def pair(self, via=None):
        """Two linked nodes: A (PK-SOUTH, PAK) dials B (IR-EAST, IRN). `via(port) -> port`
        may interpose a proxy on the way to B's link port. Neither is started."""
        a = self.node(name="PK-SOUTH", country="PAK", link=True)
        b = self.node(name="IR-EAST", country="IRN", link=True)
        target = via(b.link_port) if via else b.link_port
        a.pin(b, addr=f"127.0.0.1:{target}")
        b.pin(a)
        return a, b

    def assertError(self, resp, status, code=None, field=None):
        st, _, body = resp
        self.assertEqual(st, status, body)
        self.assertIsInstance(body, dict, f"error body is not JSON: {body!r}")
        err = body["error"]
        self.assertEqual(set(err), {"code", "message", "field"})
        self.assertTrue(err["message"])
        if code:
            self.assertEqual(err["code"], code)
        if field is not None:
            self.assertEqual(err["field"], field)


EVENT = {"category": "SMUGGLING", "impact": "HIGH", "lat": 26.09, "lon": 61.97,
         "title": "convoy near Mand"}
