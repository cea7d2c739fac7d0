"""A fault-injecting TCP proxy between an HTTP client and a model server (stdlib only).

    proxy = FaultProxy("127.0.0.1", 8765).start()
    client = openai.OpenAI(base_url=proxy.base_url, api_key="x")
    proxy.arm("reset", 500)       # the NEXT request's connection is reset after 500 body bytes
    ...                            # later requests pass through again
    proxy.stop()

Fault kinds (per connection):

- ``"pass"``  : forward everything (the default when nothing is armed).
- ``"close"`` : after N response-body bytes, close both sockets with a normal FIN. The client
  sees the stream end early (for a chunked response: an incomplete chunked body).
- ``"reset"`` : after N response-body bytes, close the client socket with SO_LINGER 0, which
  sends a TCP RST (the client sees ``ConnectionResetError`` / a "peer closed" error).
- ``"stall"`` : after N response-body bytes, stop forwarding and keep both sockets open. The
  client waits until its read timeout; when it gives up and closes, the proxy closes the upstream
  side too (so the server sees the disconnect). ``proxy.stop()`` also ends stalled connections.

N counts the raw bytes after the end of the HTTP response headers (the first ``\\r\\n\\r\\n`` of
the upstream's reply), i.e. the body *as sent on the wire*: for a chunked response (what
llama-cpp-python / uvicorn send for ``stream=True``) this includes the chunk-size lines and CRLFs,
not only the SSE text. The bytes up to N are forwarded, then the fault happens; with N = 0 the
headers reach the client (HTTP 200) and no body byte does.

One request per connection (so ``arm`` means "the next request")
-----------------------------------------------------------------
HTTP clients (httpx inside the openai SDK) keep connections alive and reuse them, so "the next
connection" would not be "the next request". The proxy therefore forces ``Connection: close``:
it rewrites the header block of the first request on each connection (any ``Connection`` /
``Keep-Alive`` header is replaced by ``Connection: close``) and the header block of the response
(same rewrite). The server closes after its response and the client does not put the connection
back in its pool, so every request opens a new connection, and ``arm()`` applies to exactly the
next request. An openai client can be shared across requests; no fresh httpx client is needed.
(Pass ``force_close=False`` to disable the rewrite; then a plan applies to the next *connection*.)

``arm`` calls queue up: ``arm("close", 100); arm("stall", 0)`` plans the next two connections.
``proxy.connections`` keeps a record of every connection (plan, bytes, whether the fault fired).
"""

from __future__ import annotations

import collections
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

KINDS = ("pass", "close", "reset", "stall")
_HEADER_END = b"\r\n\r\n"
_MAX_HEADER = 64 * 1024


@dataclass
class ConnectionRecord:
    """What happened on one proxied connection."""

    number: int
    kind: str
    after_bytes: int
    opened: float = field(default_factory=time.monotonic)
    request_line: str = ""
    status_line: str = ""
    request_bytes: int = 0  # forwarded client -> server
    response_bytes: int = 0  # forwarded server -> client (headers + body)
    body_bytes: int = 0  # forwarded body bytes (after the response headers)
    fired: bool = False  # the fault happened
    fired_at: float | None = None
    closed: float | None = None


def _force_close(head: bytes) -> bytes:
    """Rewrite an HTTP header block (without the final blank line) to say ``Connection: close``."""
    lines = head.split(b"\r\n")
    kept = [lines[0]] + [
        line for line in lines[1:]
        if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")
    ]
    kept.append(b"Connection: close")
    return b"\r\n".join(kept)


class FaultProxy:
    """Threaded TCP proxy; ``arm(kind, after_bytes)`` plans a fault for the next connection."""

    def __init__(self, upstream_host: str = "127.0.0.1", upstream_port: int = 8765, *,
                 listen_host: str = "127.0.0.1", listen_port: int = 0, force_close: bool = True,
                 path_prefix: str = "/v1"):
        self.upstream = (upstream_host, upstream_port)
        self.force_close = force_close
        self.path_prefix = path_prefix
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((listen_host, listen_port))
        self._listener.listen(64)
        self.host, self.port = self._listener.getsockname()[:2]
        self._plans: collections.deque[tuple[str, int]] = collections.deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        self.connections: list[ConnectionRecord] = []

    @classmethod
    def for_url(cls, base_url: str, **kwargs) -> "FaultProxy":
        """A proxy in front of ``http://host:port[/v1]``."""
        rest = base_url.split("://", 1)[-1]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        kwargs.setdefault("path_prefix", "/" + path.rstrip("/") if path else "")
        return cls(host, int(port or 80), **kwargs)

    # -- public API ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The URL to give the client instead of the server's (includes ``/v1`` by default)."""
        return f"http://{self.host}:{self.port}{self.path_prefix}"

    def arm(self, kind: str, after_bytes: int = 0) -> None:
        """Plan ``kind`` for the next connection not yet planned (queued; one connection each)."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if after_bytes < 0:
            raise ValueError("after_bytes must be >= 0")
        with self._lock:
            self._plans.append((kind, int(after_bytes)))

    def disarm(self) -> None:
        """Forget any plans not yet used."""
        with self._lock:
            self._plans.clear()

    @property
    def last(self) -> ConnectionRecord | None:
        return self.connections[-1] if self.connections else None

    def start(self) -> "FaultProxy":
        self._thread = threading.Thread(target=self._accept_loop, name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and close every open connection (stalled ones included)."""
        self._stopping.set()
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            socks = list(self._sockets)
        for s in socks:
            _close(s)
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                kind, after = self._plans.popleft() if self._plans else ("pass", 0)
                record = ConnectionRecord(len(self.connections) + 1, kind, after)
                self.connections.append(record)
            threading.Thread(target=self._serve, args=(client, record), daemon=True,
                             name=f"fault-proxy-{record.number}").start()

    def _track(self, *socks: socket.socket) -> None:
        with self._lock:
            self._sockets.update(socks)

    def _serve(self, client: socket.socket, record: ConnectionRecord) -> None:
        try:
            upstream = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            _close(client)
            record.closed = time.monotonic()
            return
        upstream.settimeout(None)
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._track(client, upstream)
        done = threading.Event()  # the forwarding of the response is over
        gone = threading.Event()  # the client closed its side
        up = threading.Thread(target=self._client_to_upstream, args=(client, upstream, record, done, gone),
                              daemon=True)
        up.start()
        try:
            self._upstream_to_client(client, upstream, record, gone)
        finally:
            done.set()
            if not (record.fired and record.kind == "reset"):
                _close(client)
            _close(upstream)
            up.join(2)
            record.closed = time.monotonic()
            with self._lock:
                self._sockets.discard(client)
                self._sockets.discard(upstream)

    def _client_to_upstream(self, client, upstream, record, done, gone) -> None:
        head = b""
        rewritten = not self.force_close
        try:
            while not done.is_set():
                data = client.recv(65536)
                if not data:
                    break
                if not rewritten:
                    head += data
                    end = head.find(_HEADER_END)
                    if end < 0 and len(head) < _MAX_HEADER:
                        continue
                    if end >= 0:
                        record.request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                        data = _force_close(head[:end]) + head[end:]
                    else:
                        data = head
                    rewritten = True
                upstream.sendall(data)
                record.request_bytes += len(data)
        except OSError:
            pass
        finally:
            gone.set()
            if not done.is_set():
                # The client went away (it cancelled, or gave up on a stall): the server must see
                # the disconnect too, and the forwarding thread must wake up.
                try:
                    upstream.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _upstream_to_client(self, client, upstream, record, gone) -> None:
        head = b""
        in_body = False
        while True:
            try:
                data = upstream.recv(65536)
            except OSError:
                return
            if not data:
                return
            if not in_body:
                head += data
                end = head.find(_HEADER_END)
                if end < 0 and len(head) < _MAX_HEADER:
                    continue
                if end < 0:  # not HTTP: treat everything as body
                    headers, body = b"", head
                else:
                    headers, body = head[:end], head[end + len(_HEADER_END):]
                    record.status_line = headers.split(b"\r\n", 1)[0].decode("latin-1")
                    if self.force_close:
                        headers = _force_close(headers)
                    headers += _HEADER_END
                in_body = True
                if not self._send(client, headers, record):
                    return
                data = body
            if record.kind != "pass":
                room = record.after_bytes - record.body_bytes
                if len(data) >= room:
                    if room > 0 and not self._send(client, data[:room], record, body=True):
                        return
                    self._fire(client, record, gone)
                    return
            if data and not self._send(client, data, record, body=True):
                return
            if record.kind != "pass" and record.body_bytes >= record.after_bytes:
                self._fire(client, record, gone)
                return

    @staticmethod
    def _send(client, data: bytes, record: ConnectionRecord, body: bool = False) -> bool:
        try:
            client.sendall(data)
        except OSError:
            return False
        record.response_bytes += len(data)
        if body:
            record.body_bytes += len(data)
        return True

    def _fire(self, client, record: ConnectionRecord, gone: threading.Event) -> None:
        record.fired = True
        record.fired_at = time.monotonic()
        if record.kind == "close":
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        elif record.kind == "reset":
            try:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                # Wake the thread blocked in client.recv() first (SHUT_RD sends nothing to the
                # peer): while it is blocked the kernel keeps the socket alive and close() would
                # not send the RST.
                client.shutdown(socket.SHUT_RD)
            except OSError:
                pass
            gone.wait(2)
            try:
                client.close()  # SO_LINGER 0: RST
            except OSError:
                pass
        elif record.kind == "stall":
            # Keep both sockets open and stop reading the upstream until the client gives up (its
            # read timeout closes the connection) or stop() is called.
            while not self._stopping.is_set() and not gone.wait(0.05):
                pass


def _close(sock: socket.socket) -> None:
    """Shut down (which wakes a thread blocked on the socket) and close."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


if __name__ == "__main__":  # self-test against a tiny local HTTP server (no model needed)
    import http.client
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            body = b"x" * 1000
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    proxy = FaultProxy("127.0.0.1", srv.server_address[1], path_prefix="").start()

    def get(timeout=5.0):
        conn = http.client.HTTPConnection(proxy.host, proxy.port, timeout=timeout)
        conn.request("GET", "/")
        resp = conn.getresponse()
        try:
            return resp.status, resp.getheader("Connection"), resp.read()
        except Exception as exc:  # noqa: BLE001
            return resp.status, resp.getheader("Connection"), exc
        finally:
            conn.close()

    status, connection, body = get()
    assert status == 200 and connection == "close" and body == b"x" * 1000, (status, connection, body)
    proxy.arm("close", 100)
    status, _, err = get()
    assert isinstance(err, http.client.IncompleteRead) and len(err.partial) == 100, err
    proxy.arm("reset", 10)
    status, _, err = get()
    assert isinstance(err, ConnectionResetError), repr(err)
    proxy.arm("stall", 50)
    t0 = time.monotonic()
    status, _, err = get(timeout=1.0)
    assert isinstance(err, (TimeoutError, socket.timeout)), err
    assert 0.9 < time.monotonic() - t0 < 3
    status, _, body = get()
    assert body == b"x" * 1000  # plans apply once
    time.sleep(0.3)
    print([(r.kind, r.after_bytes, r.body_bytes, r.fired) for r in proxy.connections])
    assert [r.body_bytes for r in proxy.connections] == [1000, 100, 10, 50, 1000]
    proxy.stop()
    srv.shutdown()
    print("proxy self-test OK")
