"""A small TCP fault-injection proxy for the integration tests (standard library only).

The build machines' kernels have no tc netem, so bad links are simulated in user space:

    proxy = FaultProxy(target_port)     # listens on 127.0.0.1:<proxy.port>, forwards to target
    proxy.delay_ms = 600                # one-way latency added to every chunk, order preserved
    proxy.cut()                         # every current connection is reset (RST) on both sides
    proxy.stall(True)                   # nothing is forwarded (data, FIN) but sockets stay open
    proxy.refuse(True)                  # new connections are accepted and closed at once
    proxy.close()

One background thread runs a selectors loop; knobs may be changed from any thread at any time.
Only loopback addresses are used. Memory is bounded: a direction stops reading from its source
while more than MAX_BUFFERED bytes are waiting to be delivered, so a slow or stalled link pushes
back on the sender as a real one does (bandwidth-delay product of MAX_BUFFERED).
"""
import collections
import errno
import selectors
import socket
import struct
import threading
import time

LOOPBACK = "127.0.0.1"
MAX_BUFFERED = 1 << 20
CHUNK = 64 * 1024


def _reset(sock):
    """Closes `sock` with an RST instead of a FIN (an abrupt cut)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class _Pipe:
    """One direction of a connection: src -> dst, with a queue of delayed chunks."""

    def __init__(self, src, dst):
        self.src, self.dst = src, dst
        self.queue = collections.deque()  # (deliver_at, bytes), non-decreasing deliver_at
        self.queued = 0  # bytes in queue
        self.out = bytearray()  # due bytes not yet accepted by dst
        self.eof = False  # src said FIN
        self.shut = False  # FIN passed on to dst
        self.last_at = 0.0

    def buffered(self):
        return self.queued + len(self.out)

    def done(self):
        return self.shut


class _Conn:
    def __init__(self, client, upstream, connecting):
        self.client, self.upstream = client, upstream
        self.connecting = connecting  # upstream connect() still in progress
        self.up = _Pipe(client, upstream)
        self.down = _Pipe(upstream, client)
        self.closed = False


class FaultProxy:
    def __init__(self, target_port, delay_ms=0):
        if not isinstance(target_port, int) or not 0 < target_port < 65536:
            raise ValueError(f"bad target port {target_port!r}")
        self.target = (LOOPBACK, target_port)
        self.delay_ms = delay_ms
        self._stalled = False
        self._refusing = False
        self.accepted = 0  # connections accepted (for tests' diagnostics)
        self.cuts = 0
        self._conns = []
        self._cmds = collections.deque()
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(64)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel.register(self._listener, selectors.EVENT_READ, ("listen", None))
        self._sel.register(self._wake_r, selectors.EVENT_READ, ("wake", None))
        self._running = True
        self._thread = threading.Thread(target=self._run, name=f"faultproxy:{self.port}",
                                        daemon=True)
        self._thread.start()

    # ---- knobs (any thread) ------------------------------------------------------------------

    def cut(self):
        """Resets every current connection, both sides; returns how many were cut."""
        return self._call(self._do_cut)

    def stall(self, on=True):
        """While on, no byte (nor FIN) is forwarded in either direction; sockets stay open and
        new connections are accepted and connected upstream, but stay silent too."""
        self._call(lambda: setattr(self, "_stalled", bool(on)))

    def refuse(self, on=True):
        """While on, new connections are accepted and closed at once (reset)."""
        self._call(lambda: setattr(self, "_refusing", bool(on)))

    def connections(self):
        return self._call(lambda: sum(1 for c in self._conns if not c.closed))

    def close(self):
        if not self._running:
            return
        self._call(self._do_close_all)
        self._running = False
        self._wake()
        self._thread.join(timeout=10)
        self._sel.close()
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- loop ----------------------------------------------------------------------------------

    def _wake(self):
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _call(self, fn, timeout=10):
        """Runs fn on the proxy thread and returns its result."""
        if not self._running or threading.current_thread() is self._thread:
            return fn()
        done, box = threading.Event(), []

        def cmd():
            try:
                box.append(fn())
            finally:
                done.set()

        with self._lock:
            self._cmds.append(cmd)
        self._wake()
        if not done.wait(timeout):
            raise RuntimeError("fault proxy thread did not answer")
        return box[0] if box else None

    def _run(self):
        while self._running:
            now = time.monotonic()
            timeout = self._schedule(now)
            try:
                ready = self._sel.select(timeout)
            except OSError:
                ready = []
            for key, mask in ready:
                kind, conn = key.data
                if kind == "listen":
                    self._accept()
                elif kind == "wake":
                    try:
                        while self._wake_r.recv(4096):
                            pass
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        pass
                else:
                    self._io(conn, key.fileobj, mask)
            with self._lock:
                cmds, self._cmds = list(self._cmds), collections.deque()
            for cmd in cmds:
                cmd()
        self._do_close_all()
        try:
            self._listener.close()
        except OSError:
            pass

    def _schedule(self, now):
        """Moves due chunks to the output buffers, flushes, updates interest; returns the select
        timeout (time to the next due chunk, or None)."""
        nxt = None
        for c in list(self._conns):
            if c.closed:
                continue
            if not self._stalled and not c.connecting:
                for p in (c.up, c.down):
                    while p.queue and p.queue[0][0] <= now:
                        _, data = p.queue.popleft()
                        p.queued -= len(data)
                        p.out += data
                    if p.queue:
                        t = p.queue[0][0] - now
                        nxt = t if nxt is None else min(nxt, t)
                    if p.out and not self._flush(c, p):
                        break
                    if not c.closed and p.eof and not p.out and not p.queue and not p.shut:
                        try:
                            p.dst.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                        p.shut = True
                if not c.closed and c.up.done() and c.down.done():
                    self._close(c, abrupt=False)
            if not c.closed:
                self._interest(c)
        self._conns = [c for c in self._conns if not c.closed]
        return max(0.0, nxt) if nxt is not None else None

    def _interest(self, c):
        for sock in (c.client, c.upstream):
            ev = 0
            if c.connecting:
                ev = selectors.EVENT_WRITE if sock is c.upstream else 0
            elif not self._stalled:
                src_pipe = c.up if sock is c.client else c.down
                dst_pipe = c.down if sock is c.client else c.up
                if not src_pipe.eof and src_pipe.buffered() < MAX_BUFFERED:
                    ev |= selectors.EVENT_READ
                if dst_pipe.out:
                    ev |= selectors.EVENT_WRITE
            try:
                key = self._sel.get_key(sock)
            except KeyError:
                key = None
            if ev and key is None:
                self._sel.register(sock, ev, ("conn", c))
            elif ev and key.events != ev:
                self._sel.modify(sock, ev, ("conn", c))
            elif not ev and key is not None:
                self._sel.unregister(sock)

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if self._refusing:
                _reset(client)
                continue
            self.accepted += 1
            client.setblocking(False)
            upstream = socket.socket()
            upstream.setblocking(False)
            rc = upstream.connect_ex(self.target)
            if rc not in (0, errno.EINPROGRESS):
                _reset(client)
                upstream.close()
                continue
            self._conns.append(_Conn(client, upstream, connecting=rc != 0))

    def _io(self, c, sock, mask):
        if c.closed:
            return
        if c.connecting:
            err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self._close(c, abrupt=True)
            else:
                c.connecting = False
            return
        if self._stalled:
            return
        src_pipe = c.up if sock is c.client else c.down
        dst_pipe = c.down if sock is c.client else c.up
        if mask & selectors.EVENT_WRITE and dst_pipe.out:
            if not self._flush(c, dst_pipe):
                return
        if mask & selectors.EVENT_READ and not src_pipe.eof:
            try:
                data = sock.recv(CHUNK)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self._close(c, abrupt=True)  # reset by the peer: pass the reset on
                return
            if not data:
                src_pipe.eof = True
                return
            at = max(time.monotonic() + self.delay_ms / 1000.0, src_pipe.last_at)
            src_pipe.last_at = at
            src_pipe.queue.append((at, data))
            src_pipe.queued += len(data)

    def _flush(self, c, p):
        """Sends what dst accepts of p.out; False if the connection was closed."""
        try:
            n = p.dst.send(p.out)
            del p.out[:n]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self._close(c, abrupt=True)
            return False
        return True

    def _close(self, c, abrupt):
        if c.closed:
            return
        c.closed = True
        for sock in (c.client, c.upstream):
            try:
                self._sel.unregister(sock)
            except (KeyError, ValueError):
                pass
            if abrupt:
                _reset(sock)
            else:
                sock.close()

    def _do_cut(self):
        n = 0
        for c in self._conns:
            if not c.closed:
                self._close(c, abrupt=True)
                n += 1
        self._conns = []
        self.cuts += n
        return n

    def _do_close_all(self):
        for c in self._conns:
            self._close(c, abrupt=True)
        self._conns = []
