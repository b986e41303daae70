"""The preview's HTTP side, on the standard library's server: tight limits on what a request may
send, the Host/Origin and cross-site policies (origins.py: the preview answers only to its own
address, and no other web site reads it), the mapping of request paths to files inside the site
folder, and the answers (files streamed, byte ranges: ranges.py)."""

from __future__ import annotations

import errno
import http.server
import io
import json
import mimetypes
import os
import socket
import socketserver
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from coursegen.errors import UsageError
from coursegen.serve.origins import cross_site_refusal
from coursegen.serve.page import EVENTS_URL, PREFIX, SCRIPT_URL, inject, live_reload_js
from coursegen.serve.ranges import UNSATISFIABLE, requested_range, stream

if TYPE_CHECKING:
    from coursegen.serve.preview import PreviewServer

MAX_REQUEST_LINE = 8 * 1024  # bytes, else 414
MAX_HEADER_LINE = 8 * 1024  # bytes per header line, else 431
MAX_HEADER_BYTES = 32 * 1024  # all header lines together, else 431
MAX_HEADERS = 64  # header lines, else 431
IDLE_TIMEOUT = 30.0  # seconds an idle (keep-alive) connection is kept
EVENT_PING = 15.0  # seconds between keep-alive comments on the event channel

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".ipynb": "application/x-ipynb+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
}


class PortInUseError(Exception):
    def __init__(self, port: int):
        super().__init__(f"port {port} is in use; try --port {port + 1}")
        self.port = port


def resolve_request(site_real: str, target: str) -> tuple[str, str]:
    """Map a request target to ('file', real path) | ('redirect', relative Location) | ('missing', '') |
    ('bad', ''). The path is percent-decoded once; `..`, dot-names, backslashes, drive letters and
    control characters are refused; the resolved real path must stay inside `site_real` (symbolic
    links included); a folder serves its index.html, and without its trailing slash it redirects to
    a relative Location (never `//host` nor a scheme)."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return "bad", ""
    try:
        decoded = urllib.parse.unquote(path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return "missing", ""
    if "\\" in decoded or any(ord(c) < 32 or ord(c) == 127 for c in decoded):
        return "missing", ""
    parts = [part for part in decoded.split("/") if part]
    for part in parts:
        if part.startswith(".") or ":" in part:
            return "missing", ""
    real = os.path.realpath(os.path.join(site_real, *parts))
    if not _inside(site_real, real):
        return "missing", ""
    if os.path.isdir(real):
        if parts and not decoded.endswith("/"):
            return "redirect", "./" + urllib.parse.quote(parts[-1]) + "/"
        real = os.path.realpath(os.path.join(real, "index.html"))
        if not _inside(site_real, real):
            return "missing", ""
    elif decoded.endswith("/"):
        return "missing", ""
    if not os.path.isfile(real):
        return "missing", ""
    return "file", real


def _inside(site_real: str, real: str) -> bool:
    try:
        if os.path.commonpath([site_real, real]) != site_real:
            return False
    except ValueError:
        return False
    rel = os.path.relpath(real, site_real)
    return rel == "." or not any(part.startswith(".") for part in rel.split(os.sep))


@dataclass(frozen=True)
class SiteResponse:
    kind: str  # file | redirect | missing | bad
    value: str  # the real path of a file, or a redirect's Location
    data: bytes  # a page (its live-reload script is added) or the 404 page
    epoch: int
    errors: tuple[str, ...]
    kept: tuple[str, ...] = ()
    handle: BinaryIO | None = None  # any other file, opened while the site was stable: streamed


def content_type(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


class HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # server_close() waits for the connection threads itself (`open_threads`)
    request_queue_size = 64

    def __init__(self, preview: PreviewServer, host: str, port: int):
        self.preview = preview
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._threads_done = threading.Condition(self._connections_lock)
        self.open_threads = 0  # connection threads started and not ended
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        try:
            super().__init__((host.strip("[]"), port), _Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(port) from None
            if isinstance(error, socket.gaierror):
                raise UsageError(
                    f"cannot listen on {host}: unknown host name",
                    "give an IP address or a host name of this machine with --host",
                ) from None
            raise UsageError(
                f"cannot listen on {host}:{port} ({error.strerror})", "choose another --port or --host"
            ) from None

    def server_bind(self) -> None:
        # Not HTTPServer.server_bind: its getfqdn() is a DNS query, slow on some networks.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def server_close(self) -> None:
        """Close the socket and end every connection thread (a thread that had not registered its
        connection yet when `close_connections` ran is woken on the next round)."""
        socketserver.TCPServer.server_close(self)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with self._threads_done:
                if self.open_threads == 0:
                    return
            self.close_connections()
            with self._threads_done:
                self._threads_done.wait_for(lambda: self.open_threads == 0, timeout=0.1)

    def process_request(self, request, client_address) -> None:
        """Counted here, before its thread starts: server_close never misses a connection."""
        with self._threads_done:
            self.open_threads += 1
        try:
            super().process_request(request, client_address)  # starts process_request_thread
        except BaseException:
            self._thread_ended()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._thread_ended()

    def _thread_ended(self) -> None:
        with self._threads_done:
            self.open_threads -= 1
            self._threads_done.notify_all()

    def handle_error(self, request, client_address) -> None:
        pass  # a client that went away: nothing to report, and never a traceback

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Wake every connection thread (idle keep-alive, event streams) so that it ends now."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "coursegen"
    timeout = IDLE_TIMEOUT
    server: HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.untrack(self.connection)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        pass  # no per-request noise

    # -------------------------------------------------------------- parsing with tight limits

    def handle_one_request(self) -> None:
        self.command, self.request_version, self.requestline = "", "HTTP/1.0", ""
        try:
            line = self.rfile.readline(MAX_REQUEST_LINE + 1)
            if not line:
                self.close_connection = True
                return
            if len(line) > MAX_REQUEST_LINE:
                self._refuse(414, "request line too long")
                return
            headers: list[bytes] = []
            size = 0
            while True:
                header = self.rfile.readline(MAX_HEADER_LINE + 1)
                size += len(header)
                if len(header) > MAX_HEADER_LINE or size > MAX_HEADER_BYTES:
                    self._refuse(431, "request header fields too large")
                    return
                if header in (b"\r\n", b"\n", b""):
                    break
                headers.append(header)
                if len(headers) > MAX_HEADERS:
                    self._refuse(431, "too many request header fields")
                    return
            self.raw_requestline = line
            # parse_request reads the header block from self.rfile, with the standard library's
            # looser limits; it was read above under ours, so it is handed those bytes instead
            stream, self.rfile = self.rfile, io.BytesIO(b"".join(headers) + b"\r\n")
            try:
                parsed = self.parse_request()
            finally:
                self.rfile = stream
            if not parsed:
                return
            if self.request_version == "HTTP/0.9":
                self.request_version = "HTTP/1.0"
                self._refuse(400, "HTTP/0.9 is not supported")
                return
            self._dispatch()
            self.wfile.flush()
        except (TimeoutError, ConnectionError, OSError):
            self.close_connection = True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every error (parse_request's too) as a short plain-text body that never echoes the request."""
        if self.request_version in ("", "HTTP/0.9") or not self.request_version.startswith("HTTP/1."):
            self.request_version = "HTTP/1.0"  # else no status line would be written
        self._send_plain(code, f"{code} {http.HTTPStatus(code).phrase}\n", close=True)

    def _refuse(self, code: int, reason: str) -> None:
        """Answer a request we did not read to its end, then read what the client still sends (a
        close with unread data would reset the connection before the client sees the answer)."""
        self.close_connection = True
        self._send_plain(code, f"{code} {http.HTTPStatus(code).phrase}: {reason}\n", close=True)
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(1.0)
            drained = 0
            while drained < 1 << 20:
                chunk = (
                    self.rfile.read1(65536) if hasattr(self.rfile, "read1") else self.connection.recv(65536)
                )
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass

    # -------------------------------------------------------------- answers

    def _dispatch(self) -> None:
        preview = self.server.preview
        if not preview.allowed_host(self.headers.get_all("Host") or []):
            self._send_plain(
                421,
                "421 Misdirected Request: this preview answers only to its own address (e.g. 127.0.0.1)\n",
                close=True,
            )
            return
        if self.command not in ("GET", "HEAD"):
            self._send_plain(405, "405 Method Not Allowed\n", {"Allow": "GET, HEAD"}, close=True)
            return
        refusal = cross_site_refusal(self.headers, preview.allowed_origin)
        if refusal is not None:
            self._send_plain(403, refusal, close=True)
            return
        path = self.path.split("?", 1)[0]
        if path == EVENTS_URL:
            self._events()
        elif path == SCRIPT_URL:
            self._send(200, live_reload_js(), "text/javascript; charset=utf-8")
        elif path.startswith(PREFIX):
            self._send_plain(404, "404 Not Found\n")
        else:
            self._site()

    def _site(self) -> None:
        preview = self.server.preview
        answer = preview.read_site(self.path)
        if answer.kind == "bad":
            self._send_plain(400, "400 Bad Request\n", close=True)
        elif answer.kind == "redirect":
            self._send(302, b"", "text/plain; charset=utf-8", {"Location": answer.value})
        elif answer.kind == "file":
            body = answer.handle
            if body is None:
                body = io.BytesIO(
                    inject(answer.data, answer.epoch, answer.errors, preview.instance, kept=answer.kept)
                )
            with body:
                self._send_file(body, content_type(answer.value))
        else:
            self._send(
                404,
                inject(
                    answer.data, answer.epoch, answer.errors, preview.instance, base=True, kept=answer.kept
                ),
                "text/html; charset=utf-8",
            )

    def _events(self) -> None:
        """Server-Sent Events: `build` with {instance, epoch} now and after each build that changed something."""
        preview = self.server.preview
        origin = self.headers.get_all("Origin")
        if origin is not None and not preview.allowed_origin(origin):
            self._send_plain(403, "403 Forbidden: foreign origin\n", close=True)
            return
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self._common_headers()
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            self.wfile.write(b"retry: 1000\n\n")
            last: int | None = None
            while True:
                epoch, stopping = preview.next_event(last, EVENT_PING)
                if stopping:
                    return
                if epoch != last:
                    payload = json.dumps({"instance": preview.instance, "epoch": epoch})
                    self.wfile.write(f"event: build\ndata: {payload}\n\n".encode())
                    last = epoch
                else:
                    self.wfile.write(b": ping\n\n")
        except OSError:
            return

    def _send_file(self, body: BinaryIO, kind: str) -> None:
        """200 with the whole file, or 206 with the one range asked for (416 if it names no byte)."""
        size = body.seek(0, io.SEEK_END)
        chosen = requested_range(self.headers.get_all("Range"), self.headers.get_all("If-Range"), size)
        if chosen is UNSATISFIABLE:
            self._send_plain(416, "416 Range Not Satisfiable\n", {"Content-Range": f"bytes */{size}"})
            return
        code, start, length, headers = 200, 0, size, {"Accept-Ranges": "bytes"}
        if chosen is not None:
            code, start, length = 206, chosen.start, chosen.length
            headers["Content-Range"] = chosen.content_range(size)
        self._send_head(code, kind, length, headers)
        if self.command != "HEAD":
            stream(body, self.wfile, start, length)

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        # no other site may embed or read an answer (a no-cors <script>/<img> from elsewhere fails)
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")

    def _send(
        self, code: int, body: bytes, kind: str, headers: dict[str, str] | None = None, close: bool = False
    ) -> None:
        if close:
            self.close_connection = True
        self._send_head(code, kind, len(body), headers)
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _send_head(self, code: int, kind: str, length: int, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self._common_headers()
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send_plain(
        self, code: int, text: str, headers: dict[str, str] | None = None, close: bool = False
    ) -> None:
        self._send(code, text.encode("utf-8"), "text/plain; charset=utf-8", headers, close)
