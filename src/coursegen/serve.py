"""`coursegen serve`: build into a temporary folder, serve it, rebuild on change, reload the browser.

Threads (everything but the HTTP handlers is one of these):
  * the builder (`_build_loop`): the only thread that builds or writes the preview folder. It sleeps
    until the watchers report a change, waits until changes stop for `debounce` seconds (an atomic
    save or a 200-file `git checkout` is one batch), takes every pending change and rebuilds once;
    changes that arrive meanwhile are pending again, hence exactly one more rebuild after it.
  * two watchers (watch.py) that only add paths to the pending set.
  * the HTTP server loop and one thread per connection (idle connections time out).

One `Condition` guards the state. The builder writes (sync_site, or a direct copy) while holding it,
and a request reads its file while holding it, so a page is never seen half-written. A request first
waits (at most `request_wait` seconds) while changes are pending or a build runs, so a reload after
a save shows the new page. Each build that changes the site or its errors bumps the `epoch`; the
event channel (`/__coursegen__/events`, Server-Sent Events) sends the epoch and the server's instance
id, and the script injected into every HTML response reloads the page when either differs from the
ones it was served with (and reconnects, with back-off, when the server restarts).

A failed build keeps the last good site (or its pages with their own error) and adds an overlay
listing the escaped errors to every HTML response, until a build succeeds.
"""

from __future__ import annotations

import errno
import hashlib
import html
import http.server
import io
import ipaddress
import json
import mimetypes
import os
import secrets
import shutil
import signal
import socket
import socketserver
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from coursegen.build import BuildOptions, render_site
from coursegen.courseroot import require_content
from coursegen.errors import CoursegenError, Diagnostic, Level, UsageError
from coursegen.findings import SCREEN_LINES, CountLine, screenful
from coursegen.output import OutputFile, SitePlan, sync_site, write_file
from coursegen.render import NOT_FOUND_URL
from coursegen.watch import ChangeKind, SourceWatcher, classify

PREFIX = "/__coursegen__/"
EVENTS_URL = PREFIX + "events"
SCRIPT_URL = PREFIX + "livereload.js"

MAX_REQUEST_LINE = 8 * 1024  # bytes, else 414
MAX_HEADER_LINE = 8 * 1024  # bytes per header line, else 431
MAX_HEADER_BYTES = 32 * 1024  # all header lines together, else 431
MAX_HEADERS = 64  # header lines, else 431
IDLE_TIMEOUT = 30.0  # seconds an idle (keep-alive) connection is kept
EVENT_PING = 15.0  # seconds between keep-alive comments on the event channel
MAX_OVERLAY_ERRORS = 50

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})

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

# Served at SCRIPT_URL; each HTML response loads it with the epoch and instance it was served with.
LIVE_RELOAD_JS = r"""(function () {
  "use strict";
  var me = document.currentScript;
  var instance = me ? me.getAttribute("data-instance") : "";
  var epoch = me ? Number(me.getAttribute("data-epoch")) || 0 : 0;
  var key = "coursegen-scroll:" + location.pathname;
  function restore() {
    try {
      var saved = window.sessionStorage.getItem(key);
      if (saved === null) return;
      window.sessionStorage.removeItem(key);
      var position = JSON.parse(saved);
      window.scrollTo(position[0], position[1]);
    } catch (e) { /* storage disabled: the browser's own restoration applies */ }
  }
  if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  function reload() {
    try { window.sessionStorage.setItem(key, JSON.stringify([window.scrollX, window.scrollY])); } catch (e) {}
    window.location.reload();
  }
  if (typeof window.EventSource !== "function") return;
  var delay = 1000;
  function connect() {
    var source;
    try { source = new window.EventSource("/__coursegen__/events"); } catch (e) { return; }
    source.addEventListener("build", function (event) {
      delay = 1000;
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.instance !== instance || data.epoch > epoch) { source.close(); reload(); }
    });
    source.addEventListener("error", function () {
      if (source.readyState === 2) {  // closed for good (e.g. refused): retry ourselves, slower and slower
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 10000);
      }
    });
  }
  connect();
})();
"""

NOT_FOUND_PAGE = (
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\n"
    "<body><h1>Not found</h1><p>There is no such page in the preview.</p></body></html>\n"
)


class PortInUseError(Exception):
    def __init__(self, port: int):
        super().__init__(f"port {port} is in use; try --port {port + 1}")
        self.port = port


@dataclass(frozen=True)
class PreviewState:
    """A snapshot of the server, for tests, the benchmark and messages."""

    epoch: int  # bumped by each build that changed the served site or its errors
    builds: int  # full renders started (the first one included)
    copies: int  # changes served by copying files, without a render
    completed: int  # builds and copies finished
    errors: tuple[str, ...]  # errors of the last build (shown in the overlay)
    pending: bool  # changes are waiting to be built
    building: bool


class PreviewServer:
    """The live preview: `start()` builds once and serves; `stop()` ends every thread and removes the
    temporary folder. Usable as a context manager. `port=0` picks a free port (see `.port`)."""

    def __init__(
        self,
        root: Path | str,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        options: BuildOptions | None = None,
        debounce: float = 0.1,
        request_wait: float = 10.0,
        out: TextIO | None = None,
        err: TextIO | None = None,
        verbosity: int = 2,
    ):
        self.root = Path(root).resolve()
        self.host = host
        self.port = port
        self.options = options or BuildOptions()
        self.debounce = debounce
        self.request_wait = request_wait
        # verbosity 0: silent (tests); 1: problems only (-q); 2: a line per build too
        self._out = (out or sys.stdout) if verbosity >= 2 else None
        self._err = (err or sys.stderr) if verbosity >= 1 else None
        self.instance = secrets.token_hex(8)
        self.site_dir: Path | None = None
        self._site_real = ""

        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._last_change = 0.0
        self._building = False
        self._stopping = False
        self._epoch = 0
        self._builds = 0
        self._copies = 0
        self._completed = 0
        self._errors: tuple[str, ...] = ()
        self._findings: set[Diagnostic] = set()  # the last build's, to print only what is new at a rebuild
        self._digests: dict[str, str] = {}
        self._copy_targets: dict[Path, list[str]] = {}  # source file → site paths that are plain copies of it

        self._httpd: _HTTPServer | None = None
        self._watcher: SourceWatcher | None = None
        self._threads: list[threading.Thread] = []
        self._started = False
        self._stopped = threading.Event()

    # ------------------------------------------------------------------ life cycle

    @property
    def url(self) -> str:
        host = self.host
        if host in WILDCARD_HOSTS:
            host = "127.0.0.1" if ":" not in host else "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def start(self) -> "PreviewServer":
        """Bind the port, watch, build once, serve. Raises PortInUseError, or CoursegenError when the
        folder is not a course; a course with errors is served with the error overlay."""
        if self._started:
            raise RuntimeError("a PreviewServer starts only once")
        self._started = True
        try:
            require_content(self.root)  # the one problem that makes serving pointless
            self.site_dir = Path(tempfile.mkdtemp(prefix="coursegen-serve-"))
            self._site_real = os.path.realpath(self.site_dir)
            self._httpd = _HTTPServer(self, self.host, self.port)
            self.port = self._httpd.server_address[1]
            if not _is_loopback(self.host):
                self._warn(
                    f"warning: --host {self.host} makes the preview and its live reload visible to other machines on the network; "
                    "use the default 127.0.0.1 to keep it private"
                )
            self._watcher = SourceWatcher(self.root, self._on_change, self._warn, name=f"coursegen-watch-{self.instance}")
            self._watcher.start()
            self._run(self._build, initial=True)  # the first build, before anything is served
            self._spawn(f"coursegen-http-{self.instance}", self._httpd.serve_forever, {"poll_interval": 0.1})
            self._spawn(f"coursegen-build-{self.instance}", self._build_loop, {})
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str, target, kwargs: dict) -> None:
        thread = threading.Thread(target=target, kwargs=kwargs, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        """Stop serving and watching, wait for a build in progress, remove the temporary folder."""
        with self._cond:
            if self._stopping and self._stopped.is_set():
                return
            self._stopping = True
            self._cond.notify_all()
        if self._watcher is not None:
            self._watcher.stop()
        if self._httpd is not None:
            if any(t.name.startswith("coursegen-http") for t in self._threads):
                self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()  # joins the connection threads
        for thread in self._threads:
            thread.join(timeout=60)
        self._threads.clear()
        if self.site_dir is not None:
            shutil.rmtree(self.site_dir, ignore_errors=True)
        self._stopped.set()

    def wait(self) -> None:
        """Block until `stop()` (from another thread); Ctrl-C raises KeyboardInterrupt here."""
        while not self._stopped.wait(0.5):
            pass

    def __enter__(self) -> "PreviewServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ state, for tests and tools

    def state(self) -> PreviewState:
        with self._cond:
            return self._state()

    def _state(self) -> PreviewState:
        return PreviewState(self._epoch, self._builds, self._copies, self._completed, self._errors, bool(self._pending), self._building)

    def wait_for_build(self, after: int | None = None, timeout: float = 20.0) -> PreviewState:
        """Wait until more than `after` builds or copies have completed (default: the current count,
        i.e. the next one) and nothing is pending or building; the state then."""
        with self._cond:
            target = self._completed if after is None else after
            done = self._cond.wait_for(lambda: self._completed > target and not self._pending and not self._building, timeout=timeout)
            if not done:
                raise TimeoutError(f"no build completed within {timeout} s (state: {self._state()})")
            return self._state()

    def wait_until_idle(self, timeout: float = 20.0) -> PreviewState:
        with self._cond:
            if not self._cond.wait_for(lambda: not self._pending and not self._building, timeout=timeout):
                raise TimeoutError(f"still building after {timeout} s")
            return self._state()

    # ------------------------------------------------------------------ watching and building

    def _on_change(self, paths: set[Path]) -> None:
        with self._cond:
            if self._stopping:
                return
            self._pending |= paths
            self._last_change = time.monotonic()
            self._cond.notify_all()

    def _build_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending or self._stopping)
                while not self._stopping:  # debounce: until no change for `debounce` seconds
                    quiet = self._last_change + self.debounce - time.monotonic()
                    if quiet <= 0:
                        break
                    self._cond.wait(quiet)
                if self._stopping:
                    return
                changes, self._pending = self._pending, set()
            self._run(self._apply, changes)

    def _run(self, action, *args, **kwargs) -> None:
        """Run one build action; no exception escapes (the builder thread must live on)."""
        with self._cond:
            self._building = True
        try:
            action(*args, **kwargs)
        except CoursegenError as error:  # e.g. course.yml invalid: nothing could be built
            self._record_failure(str(error).splitlines())
        except Exception as error:  # a bug: show it, keep serving the last good site
            self._record_failure([f"internal error: {type(error).__name__}: {error} — please report it"])
        finally:
            with self._cond:
                self._building = False
                self._completed += 1
                self._cond.notify_all()

    def _record_failure(self, messages: list[str]) -> None:
        """A build that produced nothing: the last good site stays, with these errors over it."""
        messages = [self._relative(line) for line in messages]
        with self._cond:
            if self._errors != tuple(messages):
                self._epoch += 1
            self._errors = tuple(messages)
        self._warn("build failed — the last good site is still served, with the errors over each page:")
        for line in messages:
            self._warn(f"  {line}")

    def _apply(self, changes: set[Path]) -> None:
        kinds = {kind for path in changes if (kind := classify(self.root, path)) is not None}
        if not kinds:
            return
        copies = self._copy_only(changes, kinds)
        if copies is not None and self._copy(copies):
            return
        self._build(kinds=kinds)

    def _copy_only(self, changes: set[Path], kinds: set[ChangeKind]) -> list[tuple[Path, list[str]]] | None:
        """When every change is an edit of a file the site publishes as a plain copy (static files,
        images beside lessons, data beside notebooks), the files to copy; else None (rebuild).
        Pages (.md, .ipynb), templates, course.yml, added or deleted files always rebuild."""
        if kinds - {ChangeKind.STATIC, ChangeKind.CONTENT, ChangeKind.NOTEBOOK}:
            return None
        with self._cond:
            targets = dict(self._copy_targets)
        copies = []
        for path in sorted(changes):
            if path.suffix.lower() in (".md", ".ipynb") or path not in targets or not path.is_file():
                return None
            copies.append((path, targets[path]))
        return copies

    def _copy(self, copies: list[tuple[Path, list[str]]]) -> bool:
        """Copy changed files straight into the site; False if one could not be read (rebuild)."""
        started = time.perf_counter()
        try:
            contents = [(path.read_bytes(), rels) for path, rels in copies]
        except OSError:
            return False
        updated: list[str] = []
        with self._cond:
            self._copies += 1
            for data, rels in contents:
                digest = hashlib.sha256(data).hexdigest()
                for rel in rels:
                    if self._digests.get(rel) != digest:
                        write_file(self.site_dir / rel, OutputFile(data, None, rel), rel)
                        self._digests[rel] = digest
                        updated.append(rel)
            if updated:
                self._epoch += 1
        if updated:
            self._say(f"copied {', '.join(updated)} ({time.perf_counter() - started:.2f} s)")
        return True

    def _render(self) -> tuple:
        """One full render (a hook for tests). Bodies come from .coursegen-cache/ when unchanged."""
        return render_site(self.root, self.site_dir, self.options)

    def _build(self, kinds: set[ChangeKind] | None = None, initial: bool = False) -> None:
        with self._cond:
            self._builds += 1
        started = time.perf_counter()
        result, plan = self._render()
        diagnostics = result.diagnostics.sorted()
        errors = [d.format() for d in diagnostics if d.level is Level.ERROR]
        warnings = sum(1 for d in diagnostics if d.level is Level.WARNING)
        if plan is None and not errors:
            errors = ["the templates could not be compiled"]
        updated = 0
        with self._cond:
            if plan is not None:
                previous = self._digests
                try:
                    self._digests = sync_site(self.site_dir, plan, previous)
                except (CoursegenError, OSError) as error:
                    # Partly written: no digest can be trusted, the next build rewrites every file.
                    self._digests = dict.fromkeys(set(previous) | set(plan.files), "")
                    reason = str(error) if isinstance(error, CoursegenError) else f"a source changed during the build ({error.strerror})"
                    errors.append(reason)
                updated = sum(1 for rel, digest in self._digests.items() if previous.get(rel) != digest) + len(set(previous) - set(self._digests))
                self._copy_targets = _copy_targets(plan)
            if updated or tuple(errors) != self._errors or initial:
                self._epoch += 1
            self._errors = tuple(errors)
        seconds = time.perf_counter() - started
        what = "built" if initial else f"rebuilt ({', '.join(sorted(k.value for k in kinds or ()))})"
        summary = f"{what} in {seconds:.2f} s: {updated} file{'s' if updated != 1 else ''} updated"
        if warnings:
            summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
        # the findings of this build, a screenful at most; a rebuild shows only those that are new
        new = [d for d in diagnostics if d.level is not Level.ERROR and d not in self._findings]
        self._findings = set(diagnostics)
        for item in screenful(new, SCREEN_LINES - 1 - min(len(errors), SCREEN_LINES // 2)):
            self._say(f"  {item.text if isinstance(item, CountLine) else item.format()}")  # warnings: quiet under -q
        if errors:
            self._warn(f"{summary}, {len(errors)} error{'s' if len(errors) != 1 else ''} — the pages show them until they are fixed")
            for line in errors[: SCREEN_LINES // 2]:
                self._warn(f"  {line}")
            if len(errors) > SCREEN_LINES // 2:
                self._warn(f"  … and {len(errors) - SCREEN_LINES // 2} more errors: `coursegen check` lists them all")
        else:
            self._say(summary)

    # ------------------------------------------------------------------ serving

    def read_site(self, target: str) -> "SiteResponse":
        """What to answer for a site path (after waiting for a pending build): a file, a redirect or a 404."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopping or not (self._pending or self._building), timeout=self.request_wait)
            kind, value = resolve_request(self._site_real, target)
            data = b""
            if kind == "file":
                try:
                    with open(value, "rb") as handle:
                        data = handle.read()
                except OSError:
                    kind = "missing"
            if kind == "missing":
                try:
                    with open(os.path.join(self._site_real, NOT_FOUND_URL), "rb") as handle:
                        data = handle.read()
                except OSError:
                    data = NOT_FOUND_PAGE.encode("utf-8")
            return SiteResponse(kind, value if kind in ("file", "redirect") else "", data, self._epoch, self._errors)

    def next_event(self, last_epoch: int | None, timeout: float) -> tuple[int, bool]:
        """Wait until the epoch differs from `last_epoch` (or `timeout`); the epoch and whether stopping."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopping or self._epoch != last_epoch, timeout=timeout)
            return self._epoch, self._stopping

    def allowed_host(self, values: list[str]) -> bool:
        """The Host header names this server (loopback, or the --host given): no DNS rebinding."""
        if len(values) != 1:
            return False
        parsed = _split_host(values[0].strip())
        return parsed is not None and self._allowed_name(*parsed)

    def allowed_origin(self, values: list[str]) -> bool:
        if len(values) != 1:
            return False
        try:
            origin = urllib.parse.urlsplit(values[0].strip())
            port = origin.port
        except ValueError:
            return False
        if origin.scheme != "http" or not origin.hostname or origin.path or origin.query:
            return False
        return self._allowed_name(origin.hostname.lower(), port if port is not None else 80)

    def _allowed_name(self, name: str, port: int | None) -> bool:
        if port is not None and port != self.port:
            return False
        if name in LOOPBACK_NAMES or name == self.host.lower().strip("[]"):
            return True
        if self.host in WILDCARD_HOSTS:  # visible on the network: any IP address, never a DNS name
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False

    # ------------------------------------------------------------------ messages

    def _relative(self, message: str) -> str:
        """No absolute path of this machine in what the pages show (an internal error may carry one)."""
        for folder, name in ((self.site_dir, "<preview>"), (self.root, ".")):
            if folder is not None:
                message = message.replace(str(folder) + os.sep, "" if name == "." else name + "/").replace(str(folder), name)
        return message

    def _say(self, message: str) -> None:
        _print(self._out, message)

    def _warn(self, message: str) -> None:
        _print(self._err, message)


def _print(stream: TextIO | None, message: str) -> None:
    if stream is None:
        return
    try:
        print(message, file=stream, flush=True)
    except (OSError, ValueError):
        pass


def _copy_targets(plan: SitePlan) -> dict[Path, list[str]]:
    targets: dict[Path, list[str]] = {}
    for rel, item in plan.files.items():
        if item.data is None and item.source is not None:
            targets.setdefault(item.source, []).append(rel)
    return targets


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _split_host(value: str) -> tuple[str, int | None] | None:
    """'name', 'name:port', '[v6]' or '[v6]:port' → (lowercase name, port or None); None if malformed."""
    if not value:
        return None
    port_text = ""
    if value.startswith("["):
        end = value.find("]")
        if end == -1:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port_text = rest[1:]
    else:
        name, _, port_text = value.partition(":")
        if ":" in port_text:
            return None
    if port_text:
        if not port_text.isdigit() or len(port_text) > 5:
            return None
        return name.lower(), int(port_text)
    return name.lower(), None


# ---------------------------------------------------------------------- request paths


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
    data: bytes
    epoch: int
    errors: tuple[str, ...]


def content_type(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def error_overlay(errors: tuple[str, ...] | list[str]) -> str:
    """A fixed box at the top of the page listing the (escaped) errors of the last build."""
    if not errors:
        return ""
    shown = list(errors[:MAX_OVERLAY_ERRORS])
    items = "".join(f'<li style="margin:.2em 0">{html.escape(line)}</li>' for line in shown)
    more = len(errors) - len(shown)
    if more:
        items += f"<li>… and {more} more (see the terminal)</li>"
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    return (
        '<div id="coursegen-build-errors" role="alert" style="position:fixed;top:0;left:0;right:0;z-index:2147483647;'
        "max-height:45vh;overflow:auto;margin:0;padding:.8em 1.2em;box-sizing:border-box;background:#fff1f0;color:#5c0011;"
        "border-bottom:3px solid #cf1322;box-shadow:0 2px 8px rgba(0,0,0,.25);font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
        'text-align:left;white-space:pre-wrap;overflow-wrap:anywhere">'
        f'<strong style="display:block;margin-bottom:.3em">coursegen: the last build failed ({count}). Fix and save: the page reloads by itself.</strong>'
        f'<ul style="margin:0;padding-left:1.4em">{items}</ul></div>'
    )


def inject(page: bytes, epoch: int, errors: tuple[str, ...], instance: str, base: bool = False) -> bytes:
    """The page with the error overlay and the live-reload script before its last </body>."""
    snippet = error_overlay(errors) + f'<script src="{SCRIPT_URL}" data-epoch="{epoch}" data-instance="{html.escape(instance)}"></script>'
    extra = snippet.encode("ascii", "xmlcharrefreplace")
    lower = page.lower()
    if base and b"<base" not in lower:  # the 404 page is built for the site root: keep its links working anywhere
        head = lower.find(b"<head>")
        if head != -1:
            page = page[: head + 6] + b'<base href="/">' + page[head + 6 :]
            lower = page.lower()
    index = lower.rfind(b"</body>")
    if index == -1:
        return page + extra
    return page[:index] + extra + page[index:]


# ---------------------------------------------------------------------- HTTP


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() joins the connection threads
    request_queue_size = 64

    def __init__(self, preview: PreviewServer, host: str, port: int):
        self.preview = preview
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.address_family = family
        try:
            super().__init__((host.strip("[]"), port), _Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(port) from None
            if isinstance(error, socket.gaierror):
                raise UsageError(f"cannot listen on {host}: unknown host name", "give an IP address or a host name of this machine with --host") from None
            raise UsageError(f"cannot listen on {host}:{port} ({error.strerror})", "choose another --port or --host") from None

    def server_bind(self) -> None:
        # Not HTTPServer.server_bind: its getfqdn() is a DNS query, slow on some networks.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def server_close(self) -> None:
        """Close the socket and end every connection thread (a thread that had not registered its
        connection yet when `close_connections` ran is woken on the next round)."""
        socketserver.TCPServer.server_close(self)
        deadline = time.monotonic() + 30
        for thread in list(vars(self).get("_threads") or []):  # set on the first request
            while thread.is_alive() and time.monotonic() < deadline:
                self.close_connections()
                thread.join(0.1)

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
    server: _HTTPServer

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
                chunk = self.rfile.read1(65536) if hasattr(self.rfile, "read1") else self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass

    # -------------------------------------------------------------- answers

    def _dispatch(self) -> None:
        preview = self.server.preview
        if not preview.allowed_host(self.headers.get_all("Host") or []):
            self._send_plain(421, "421 Misdirected Request: this preview answers only to its own address (e.g. 127.0.0.1)\n", close=True)
            return
        if self.command not in ("GET", "HEAD"):
            self._send_plain(405, "405 Method Not Allowed\n", {"Allow": "GET, HEAD"}, close=True)
            return
        path = self.path.split("?", 1)[0]
        if path == EVENTS_URL:
            self._events()
        elif path == SCRIPT_URL:
            self._send(200, LIVE_RELOAD_JS.encode("utf-8"), "text/javascript; charset=utf-8")
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
            data, kind = answer.data, content_type(answer.value)
            if kind.startswith("text/html"):
                data = inject(data, answer.epoch, answer.errors, preview.instance)
            self._send(200, data, kind)
        else:
            self._send(404, inject(answer.data, answer.epoch, answer.errors, preview.instance, base=True), "text/html; charset=utf-8")

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
                    self.wfile.write(f"event: build\ndata: {payload}\n\n".encode("utf-8"))
                    last = epoch
                else:
                    self.wfile.write(b": ping\n\n")
        except OSError:
            return

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def _send(self, code: int, body: bytes, kind: str, headers: dict[str, str] | None = None, close: bool = False) -> None:
        if close:
            self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self._common_headers()
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _send_plain(self, code: int, text: str, headers: dict[str, str] | None = None, close: bool = False) -> None:
        self._send(code, text.encode("utf-8"), "text/plain; charset=utf-8", headers, close)


# ---------------------------------------------------------------------- command line


def run_serve(args) -> int:
    """`coursegen serve`: serve until Ctrl-C or SIGTERM, then clean up. Returns the exit status."""
    # Ctrl-C always stops the preview, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    quiet = getattr(args, "quiet", False)
    options = BuildOptions(drafts=getattr(args, "drafts", False))
    server = PreviewServer(args.course_dir, args.host, args.port, options=options, verbosity=1 if quiet else 2)
    serving = False
    try:  # everything after this line is inside: an interrupt anywhere still removes the temporary folder
        if not quiet:
            print(f"Building {server.root} …", flush=True)
        server.start()
        serving = True
        print(f"Serving {server.root} at {server.url} — edits reload the page; Ctrl-C to stop", flush=True)
        if getattr(args, "verbose", False):
            print(f"preview folder: {server.site_dir}", flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(server.url)
        server.wait()
    except PortInUseError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        _ignore_signals()  # a second Ctrl-C must not leave the temporary folder behind
        server.stop()
    if not serving:
        print("interrupted", file=sys.stderr)
        return 130
    print("stopped; the temporary preview folder was removed", flush=True)
    return 0


def _ignore_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(signum, signal.SIG_IGN)
        except (ValueError, OSError):  # not the main thread
            pass
