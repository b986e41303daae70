"""The preview's state machine: one builder thread that rebuilds on change and syncs the preview
folder, the watchers, and what a request reads (see the package's docstring for the threads)."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, TextIO

from coursegen.build import BuildOptions, render_site
from coursegen.courseroot import require_content
from coursegen.errors import CoursegenError, Diagnostic, Level
from coursegen.findings import SCREEN_LINES, CountLine, screenful
from coursegen.lastgood import kept_summary
from coursegen.output import Manifest, OutputFile, SitePlan, replace_file, sync_site
from coursegen.render import NOT_FOUND_URL
from coursegen.serve.http import HTTPServer, SiteResponse, content_type, resolve_request
from coursegen.serve.origins import WILDCARD_HOSTS, HostPolicy, is_loopback
from coursegen.serve.page import NOT_FOUND_PAGE
from coursegen.session import FailureMemory
from coursegen.watch import ChangeKind, SourceWatcher, classify


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
    kept: tuple[str, ...] = ()  # sources whose page is still their last good version (they have errors)


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
        # the session remembers failed runs and downloads: a save does not retry them (session.py)
        options = options or BuildOptions()
        self.options = options if options.failures is not None else replace(options, failures=FailureMemory())
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
        self._kept: tuple[str, ...] = ()
        self._digests: dict[str, str] = {}
        self._copy_targets: dict[Path, list[str]] = {}  # source file → site paths that are plain copies of it

        self._httpd: HTTPServer | None = None
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

    def start(self) -> PreviewServer:
        """Bind the port, watch, build once, serve. Raises PortInUseError, or CoursegenError when the
        folder is not a course; a course with errors is served with the error overlay."""
        if self._started:
            raise RuntimeError("a PreviewServer starts only once")
        self._started = True
        try:
            require_content(self.root)  # the one problem that makes serving pointless
            self.site_dir = Path(tempfile.mkdtemp(prefix="coursegen-serve-"))
            self._site_real = os.path.realpath(self.site_dir)
            self._httpd = HTTPServer(self, self.host, self.port)
            self.port = self._httpd.server_address[1]
            if not is_loopback(self.host):
                self._warn(
                    f"warning: --host {self.host} makes the preview and its live reload visible to other "
                    "machines on the network; "
                    "use the default 127.0.0.1 to keep it private"
                )
            self._watcher = SourceWatcher(
                self.root, self._on_change, self._warn, name=f"coursegen-watch-{self.instance}"
            )
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
            Manifest.forget(self.root, self.site_dir)
        self._stopped.set()

    def wait(self) -> None:
        """Block until `stop()` (from another thread); Ctrl-C raises KeyboardInterrupt here."""
        while not self._stopped.wait(0.5):
            pass

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ state, for tests and tools

    def state(self) -> PreviewState:
        with self._cond:
            return self._state()

    def _state(self) -> PreviewState:
        return PreviewState(
            self._epoch,
            self._builds,
            self._copies,
            self._completed,
            self._errors,
            bool(self._pending),
            self._building,
            self._kept,
        )

    def wait_for_build(self, after: int | None = None, timeout: float = 20.0) -> PreviewState:
        """Wait until more than `after` builds or copies have completed (default: the current count,
        i.e. the next one) and nothing is pending or building; the state then."""
        with self._cond:
            target = self._completed if after is None else after
            done = self._cond.wait_for(
                lambda: self._completed > target and not self._pending and not self._building, timeout=timeout
            )
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
            self._kept = ()
        self._warn("build failed — the last good site is still served, with the errors over each page:")
        for line in messages:
            self._warn(f"  {line}")

    def _apply(self, changes: set[Path]) -> None:
        layout = self._watcher.layout if self._watcher is not None else None
        kinds = {kind for path in changes if (kind := classify(self.root, path, layout)) is not None}
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
                        replace_file(self.site_dir / rel, OutputFile(data, None, rel), rel)
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
                    reason = (
                        str(error)
                        if isinstance(error, CoursegenError)
                        else f"a source changed during the build ({error.strerror})"
                    )
                    errors.append(reason)
                updated = sum(
                    1 for rel, digest in self._digests.items() if previous.get(rel) != digest
                ) + len(set(previous) - set(self._digests))
                self._copy_targets = _copy_targets(plan)
            if updated or tuple(errors) != self._errors or tuple(result.kept) != self._kept or initial:
                self._epoch += 1
            self._errors = tuple(errors)
            self._kept = tuple(result.kept)
        seconds = time.perf_counter() - started
        what = "built" if initial else f"rebuilt ({', '.join(sorted(k.value for k in kinds or ()))})"
        summary = f"{what} in {seconds:.2f} s: {updated} file{'s' if updated != 1 else ''} updated"
        if warnings:
            summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
        if result.kept:
            summary += f", {kept_summary(len(result.kept))}"
        # the findings of this build, a screenful at most; a rebuild shows only those that are new
        new = [d for d in diagnostics if d.level is not Level.ERROR and d not in self._findings]
        self._findings = set(diagnostics)
        for item in screenful(new, SCREEN_LINES - 1 - min(len(errors), SCREEN_LINES // 2)):
            self._say(
                f"  {item.text if isinstance(item, CountLine) else item.format()}"
            )  # warnings: quiet under -q
        if errors:
            self._warn(
                f"{summary}, {len(errors)} error{'s' if len(errors) != 1 else ''} — the pages show them "
                "until they are fixed"
            )
            for line in errors[: SCREEN_LINES // 2]:
                self._warn(f"  {line}")
            if len(errors) > SCREEN_LINES // 2:
                self._warn(
                    f"  … and {len(errors) - SCREEN_LINES // 2} more errors: `coursegen check` lists them all"
                )
        else:
            self._say(summary)

    # ------------------------------------------------------------------ serving

    def read_site(self, target: str) -> SiteResponse:
        """What to answer for a site path (after waiting for a pending build): a file, a redirect or a 404."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._stopping or not (self._pending or self._building), timeout=self.request_wait
            )
            kind, value = resolve_request(self._site_real, target)
            data, handle = b"", None
            if kind == "file":
                try:
                    data, handle = _open_site_file(value)
                except OSError:
                    kind = "missing"
            if kind == "missing":
                try:
                    with open(os.path.join(self._site_real, NOT_FOUND_URL), "rb") as page:
                        data = page.read()
                except OSError:
                    data = NOT_FOUND_PAGE.encode("utf-8")
            return SiteResponse(
                kind,
                value if kind in ("file", "redirect") else "",
                data,
                self._epoch,
                self._errors,
                self._kept,
                handle,
            )

    def next_event(self, last_epoch: int | None, timeout: float) -> tuple[int, bool]:
        """Wait until the epoch differs from `last_epoch` (or `timeout`); the epoch and whether stopping."""
        with self._cond:
            self._cond.wait_for(lambda: self._stopping or self._epoch != last_epoch, timeout=timeout)
            return self._epoch, self._stopping

    def allowed_host(self, values: list[str]) -> bool:
        """The Host header names this server (loopback, or the --host given): no DNS rebinding."""
        return HostPolicy(self.host, self.port).allowed_host(values)

    def allowed_origin(self, values: list[str]) -> bool:
        return HostPolicy(self.host, self.port).allowed_origin(values)

    # ------------------------------------------------------------------ messages

    def _relative(self, message: str) -> str:
        """No absolute path of this machine in what the pages show (an internal error may carry one)."""
        for folder, name in ((self.site_dir, "<preview>"), (self.root, ".")):
            if folder is not None:
                message = message.replace(str(folder) + os.sep, "" if name == "." else name + "/").replace(
                    str(folder), name
                )
        return message

    def _say(self, message: str) -> None:
        _print(self._out, message)

    def _warn(self, message: str) -> None:
        _print(self._err, message)


def _open_site_file(path: str) -> tuple[bytes, BinaryIO | None]:
    """A page is read whole (its live-reload script goes in); any other file is opened, for the
    handler to stream and close. Opened while the site is stable: the builder replaces a changed
    file by a new one (sync_site), so an open file keeps its content to the end of the answer."""
    if content_type(path).startswith("text/html"):
        with open(path, "rb") as page:
            return page.read(), None
    return b"", open(path, "rb")  # noqa: SIM115 - closed by the handler once sent


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
