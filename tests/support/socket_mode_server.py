"""The Socket Mode side of the Slack emulator: a WebSocket server on 127.0.0.1 (RFC 6455, written
on plain sockets so a test can break a connection in every way a network does).

    with SlackEmulator() as slack, SocketModeServer(slack) as socket_mode:
        # the bot calls apps.connections.open (answered by the emulator) and connects
        socket_mode.wait_connected()
        envelope_id = socket_mode.send("events_api", {...event_callback...})
        ack = socket_mode.wait_ack(envelope_id)

The protocol as Slack documents it: ``apps.connections.open`` (with the app-level token) returns
a one-time URL; on connecting the server says ``hello``; it then sends envelopes
``{envelope_id, type, payload, accepts_response_payload, retry_attempt, retry_reason}`` that the
client acknowledges with ``{envelope_id, payload?}``; the server may send
``{type: "disconnect", reason}`` to move the client to a new connection.

``drop(kind)`` ends the current connection one of these ways:

* ``close_frame``: a WebSocket close frame (1001), then the TCP connection is closed;
* ``reset``: a TCP reset (RST), no close frame;
* ``tcp_close``: the TCP connection closed (FIN) without a close frame;
* ``refresh_requested``, ``warning``, ``link_disabled``: Slack's ``disconnect`` message;
* ``silent``: the server goes quiet (no pongs, nothing sent, the socket left open), as when a
  NAT or firewall forgets the connection.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qs, parse_qsl, urlsplit

from .slack_emulator import APP_ID, SlackEmulator
from .slack_requests import SlackSender

APP_TOKEN = "xapp-made-up-socket-mode-test"
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
DROPS = ("close_frame", "reset", "tcp_close", "refresh_requested", "warning", "link_disabled", "silent")

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


@dataclass
class Ack:
    envelope_id: str
    payload: Any
    at: float
    connection: int


@dataclass
class Connection:
    """One client connection, server side."""

    number: int
    sock: socket.socket
    opened_at: float
    hello_at: float | None = None
    closed_at: float | None = None
    ended_by: str | None = None  # how it ended: a drop kind, "client_close" or "eof"
    silent: bool = False
    close_sent: bool = False
    pings: int = 0
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def open(self) -> bool:
        return self.closed_at is None


class SocketModeServer:
    """Slack's Socket Mode endpoint, in front of a SlackEmulator (which answers
    ``apps.connections.open`` with this server's URL)."""

    def __init__(self, emulator: SlackEmulator, *, host: str = "127.0.0.1") -> None:
        self.emulator = emulator
        self.host = host
        self._listener: socket.socket | None = None
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._tickets: set[str] = set()
        self.connections: list[Connection] = []
        self.acks: dict[str, Ack] = {}
        self.sent: dict[str, float] = {}
        self.refused_handshakes = 0
        self._closing = False
        self._numbers = itertools.count(1)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> "SocketModeServer":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        listener.listen(32)
        self._listener = listener
        threading.Thread(target=self._accept, name="socket-mode-accept", daemon=True).start()
        self.emulator.stub("apps.connections.open", self._connections_open)
        return self

    def stop(self) -> None:
        self._closing = True
        self.emulator.stub("apps.connections.open", None)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for conn in self.connections:
                if conn.open:
                    self._end(conn, "server_stop", reset=True)

    def __enter__(self) -> "SocketModeServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._listener is not None
        return self._listener.getsockname()[1]

    # -- apps.connections.open ------------------------------------------------------------------
    def _connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        return {"ok": True, "url": f"ws://{self.host}:{self.port}/link/?ticket={ticket}&app_id={APP_ID}"}

    # -- connections ----------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._closing:
            try:
                sock, _ = self._listener.accept()  # type: ignore[union-attr]
            except OSError:
                return
            threading.Thread(target=self._serve, args=(sock,), name="socket-mode-conn", daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            ticket = self._handshake(sock)
        except (OSError, ValueError):
            sock.close()
            return
        if ticket is None:
            return
        conn = Connection(next(self._numbers), sock, time.monotonic())
        with self._cond:
            self.connections.append(conn)
            self._cond.notify_all()
        self._send_json(conn, {"type": "hello", "num_connections": sum(c.open for c in self.connections),
                               "debug_info": {"host": "applink-emulator", "build_number": 1,
                                              "approximate_connection_time": 3600},
                               "connection_info": {"app_id": APP_ID}})
        with self._cond:
            conn.hello_at = time.monotonic()
            self._cond.notify_all()
        self._read(conn)

    def _handshake(self, sock: socket.socket) -> str | None:
        sock.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                raise ValueError("closed during the handshake")
            data += chunk
            if len(data) > 65536:
                raise ValueError("handshake too long")
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target, _ = head[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in head[1:] if ":" in line)}
        ticket = (parse_qs(urlsplit(target).query).get("ticket") or [""])[0]
        with self._lock:
            valid = ticket in self._tickets
            self._tickets.discard(ticket)  # a ticket is good for one connection
        key = headers.get("sec-websocket-key", "")
        if (method != "GET" or not valid or headers.get("upgrade", "").lower() != "websocket"
                or headers.get("sec-websocket-version") != "13" or not key):
            with self._lock:
                self.refused_handshakes += 1
            sock.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            sock.close()
            return None
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        sock.settimeout(None)
        return ticket

    def _read(self, conn: Connection) -> None:
        buffer, message, opcode = b"", b"", None
        while True:
            try:
                chunk = conn.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    if conn.open:
                        self._end(conn, "eof")
                return
            buffer += chunk
            while True:
                frame = _parse_frame(buffer)
                if frame is None:
                    break
                fin, op, payload, used = frame
                buffer = buffer[used:]
                if conn.silent:
                    continue  # a dead link: nothing gets through, nothing comes back
                if op == OP_PING:
                    conn.pings += 1
                    self._send_frame(conn, OP_PONG, payload)
                elif op == OP_CLOSE:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1000
                    if not conn.close_sent:  # the client began the closing handshake: answer it
                        conn.close_sent = True
                        self._send_frame(conn, OP_CLOSE, struct.pack("!H", code))
                    with self._lock:
                        self._end(conn, conn.ended_by or "client_close")
                    return
                elif op in (OP_TEXT, OP_BINARY, OP_CONT):
                    if op != OP_CONT:
                        opcode, message = op, b""
                    message += payload
                    if fin:
                        self._on_message(conn, message.decode("utf-8"))
                        message = b""

    def _on_message(self, conn: Connection, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            return
        envelope_id = data.get("envelope_id") if isinstance(data, dict) else None
        if not envelope_id:
            return
        with self._cond:
            if envelope_id not in self.acks:
                self.acks[envelope_id] = Ack(envelope_id, data.get("payload"), time.monotonic(), conn.number)
            self._cond.notify_all()

    def _end(self, conn: Connection, how: str, *, reset: bool = False) -> None:
        """Close the TCP connection (caller holds the lock)."""
        if not conn.open:
            return
        conn.ended_by = conn.ended_by or how
        conn.closed_at = time.monotonic()
        try:
            if reset:
                # Linger 0: closing sends a RST. The kernel frees the socket (and sends it) only
                # once our reader's recv() returns, so wake that first (SHUT_RD sends nothing).
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.sock.shutdown(socket.SHUT_RD)
            else:
                conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.sock.close()
        self._cond.notify_all()

    # -- frames -----------------------------------------------------------------------------------
    def _send_frame(self, conn: Connection, opcode: int, payload: bytes) -> bool:
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        try:
            with conn.send_lock:
                conn.sock.sendall(header + payload)  # a server's frames are not masked
            return True
        except OSError:
            return False

    def _send_json(self, conn: Connection, data: dict[str, Any]) -> bool:
        return self._send_frame(conn, OP_TEXT, json.dumps(data).encode("utf-8"))

    # -- what tests use ---------------------------------------------------------------------------
    def current(self) -> Connection | None:
        """The newest open connection that said hello (where Slack sends envelopes)."""
        with self._lock:
            live = [c for c in self.connections if c.open and c.hello_at is not None and not c.silent]
            return live[-1] if live else None

    def hellos(self) -> int:
        with self._lock:
            return sum(c.hello_at is not None for c in self.connections)

    def wait_connected(self, count: int = 1, timeout: float = 15) -> Connection:
        """Wait until ``count`` connections in all have said hello; the newest open one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                conn = self.current()
                if self.hellos() >= count and conn is not None:
                    return conn
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no Socket Mode connection #{count} within {timeout}s "
                                         f"({len(self.connections)} so far)")
                self._cond.wait(min(left, 0.1))

    def send(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0,
             retry_reason: str | None = None, envelope_id: str | None = None,
             accepts_response_payload: bool | None = None, timeout: float = 15) -> str:
        """Send one envelope on the current connection (waiting for one); its envelope_id."""
        envelope_id = envelope_id or str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = kind != "events_api"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": accepts_response_payload,
                    "retry_attempt": retry_attempt, "retry_reason": retry_reason or ""}
        deadline = time.monotonic() + timeout
        while True:
            conn = self.wait_connected(timeout=max(deadline - time.monotonic(), 0.1))
            with self._lock:
                self.sent[envelope_id] = time.monotonic()
            if self._send_json(conn, envelope):
                return envelope_id
            if time.monotonic() > deadline:
                raise AssertionError("could not send the envelope")
            time.sleep(0.05)

    def wait_ack(self, envelope_id: str, timeout: float = 3.0) -> Ack | None:
        """The client's ack of ``envelope_id``, or None when none came within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while envelope_id not in self.acks:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            return self.acks[envelope_id]

    def drop(self, kind: str, conn: Connection | None = None) -> Connection:
        """End the current connection one of the ways in :data:`DROPS`."""
        if kind not in DROPS:
            raise ValueError(f"unknown drop {kind!r}")
        conn = conn or self.wait_connected()
        if kind in ("refresh_requested", "warning", "link_disabled"):
            with self._lock:
                conn.ended_by = kind  # the client is asked to go; it closes this one itself
            self._send_json(conn, {"type": "disconnect", "reason": kind,
                                   "debug_info": {"host": "applink-emulator"}})
            return conn
        if kind == "silent":
            with self._cond:
                conn.silent, conn.ended_by = True, "silent"
                self._cond.notify_all()
            return conn
        if kind == "close_frame":
            with self._lock:
                conn.ended_by, conn.close_sent = "close_frame", True
            self._send_frame(conn, OP_CLOSE, struct.pack("!H", 1001) + b"going away")
            # The client answers with its own close frame (see _read); close in any case.
            threading.Timer(1.0, self._end_locked, args=(conn, "close_frame")).start()
            return conn
        with self._lock:
            self._end(conn, kind, reset=(kind == "reset"))
        return conn

    def _end_locked(self, conn: Connection, how: str) -> None:
        with self._lock:
            self._end(conn, how)

    def reconnected_after(self, conn: Connection, dropped_at: float, timeout: float = 30) -> float:
        """Seconds from ``dropped_at`` until a newer connection said hello."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                newer = [c for c in self.connections if c.number > conn.number and c.hello_at is not None]
                if newer:
                    return newer[0].hello_at - dropped_at
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no new connection within {timeout}s of the drop")
                self._cond.wait(min(left, 0.1))


def _parse_frame(buffer: bytes) -> tuple[bool, int, bytes, int] | None:
    """One complete frame at the start of ``buffer``: (fin, opcode, unmasked payload, bytes used)."""
    if len(buffer) < 2:
        return None
    first, second = buffer[0], buffer[1]
    fin, opcode = bool(first & 0x80), first & 0x0F
    masked, length = bool(second & 0x80), second & 0x7F
    pos = 2
    if length == 126:
        if len(buffer) < 4:
            return None
        length = struct.unpack("!H", buffer[2:4])[0]
        pos = 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        length = struct.unpack("!Q", buffer[2:10])[0]
        pos = 10
    mask = b""
    if masked:
        if len(buffer) < pos + 4:
            return None
        mask = buffer[pos:pos + 4]
        pos += 4
    if len(buffer) < pos + length:
        return None
    payload = buffer[pos:pos + length]
    if masked:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return fin, opcode, payload, pos + length


class SocketSender(SlackSender):
    """SlackSender's requests, delivered as Socket Mode envelopes instead of signed HTTP requests.

    The same builders (``event``, ``interaction``, ``command``) make the same payloads; each is
    sent as an envelope of the matching type and the answer is ``(200, headers, json of the ack's
    payload)`` when the bot acknowledged within three seconds, ``(504, {}, "")`` when it did not.
    ``X-Slack-Retry-Num`` becomes the envelope's ``retry_attempt``.
    """

    def __init__(self, server: SocketModeServer, emulator: SlackEmulator, base_url: str = "http://127.0.0.1:1",
                 **kwargs: Any) -> None:
        """``base_url``: where ``get()`` goes (the bot's /healthz)."""
        super().__init__(base_url, "unused-in-socket-mode", emulator=emulator, **kwargs)
        self.server = server
        self.ack_timeout = 3.0

    def post_signed(self, body: bytes, content_type: str, *, timestamp: int | None = None,
                    secret: str | None = None, extra_headers: Mapping[str, str] | None = None,
                    ) -> tuple[int, dict[str, str], str]:
        headers = {k.lower(): v for k, v in (extra_headers or {}).items()}
        retry = int(headers.get("x-slack-retry-num", "0") or 0)
        reason = headers.get("x-slack-retry-reason")
        if content_type.startswith("application/json"):
            kind, payload = "events_api", json.loads(body)
        else:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            if "payload" in form:
                kind, payload = "interactive", json.loads(form["payload"])
            else:
                kind, payload = "slash_commands", form
        envelope_id = self.server.send(kind, payload, retry_attempt=retry, retry_reason=reason)
        ack = self.server.wait_ack(envelope_id, timeout=self.ack_timeout)
        if ack is None:
            return 504, {}, ""
        if ack.payload is None:
            return 200, {}, ""
        return 200, {"content-type": "application/json"}, json.dumps(ack.payload)

    def raw(self, body: bytes, headers: Mapping[str, str], *, signed: bool = False):
        raise NotImplementedError("Socket Mode has no raw HTTP requests")


def socket_mode_env(**extra: str) -> dict[str, str]:
    """The settings that switch the bot to Socket Mode against this server (fast timings)."""
    env = {"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": None, "SOCKET_MODE_PING": "1",
           "SOCKET_MODE_RETRY_MAX": "1"}
    env.update(extra)
    return env  # type: ignore[return-value]

