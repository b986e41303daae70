"""`coursegen serve`: a real PreviewServer on an ephemeral port, driven with raw sockets.

Requests are hand-written bytes sent with `socket.create_connection`, so that no client library
normalises the path, the Host or the headers. Each test starts its own server over a small course
in tmp_path and stops it (every thread ends, the temporary folder is removed). Waiting is done by
polling the server's state with generous timeouts, never by fixed sleeps, except where a test must
show that something does NOT happen (a second rebuild): it then watches for a quiet second.
"""

from __future__ import annotations

import html
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import notebook_json, write_tree

from coursegen.serve import PreviewServer, error_overlay, inject, resolve_request
from coursegen.watch import ChangeKind, classify

TIMEOUT = 20.0  # seconds: generous, for a loaded 2-core machine
QUIET = 1.0  # seconds without a rebuild that show no other rebuild is coming

LESSON = """---
title: First lesson
---
Original lesson text.
"""

COURSE = {
    "course.yml": "title: Serve test course\n",
    "content/index.md": "# Home\n\nWelcome home.\n",
    "content/A/index.md": "---\ntitle: Module A\n---\nThe first module.\n",
    "content/A/lesson.md": LESSON,
    "content/A/figure.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>\n',
    "content/A/pixel.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 16,
    "static/extra.css": "body { color: black; }\n",
}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module", autouse=True)
def verify_kept_pages():
    """COURSEGEN_VERIFY=1: every page a rebuild keeps is rendered again and must be the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEGEN_VERIFY", "1")
        yield


@pytest.fixture
def course(tmp_path) -> Path:
    return write_tree(tmp_path / "course", COURSE)


@pytest.fixture
def start(course):
    """`start(cls=PreviewServer, **kwargs)` → a started server over `course`, stopped after the test."""
    servers: list[PreviewServer] = []

    def make(cls=PreviewServer, root: Path | None = None, **kwargs) -> PreviewServer:
        kwargs.setdefault("verbosity", 0)
        server = cls(root or course, "127.0.0.1", 0, **kwargs)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()
    for server in servers:
        assert_stopped(server)


def assert_stopped(server: PreviewServer) -> None:
    """Its temporary folder is gone and none of its threads (connections included) is alive."""
    assert not server.site_dir.exists(), "the temporary folder must be removed"
    leftover = [t.name for t in threading.enumerate() if server.instance in t.name]
    leftover += [t.name for t in vars(server._httpd).get("_threads", []) if t.is_alive()]
    assert not leftover, f"threads left behind: {leftover}"


@pytest.fixture
def server(start) -> PreviewServer:
    """A fresh server, for tests that edit the course."""
    return start()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One server for the tests that only read (requests, safety): starting one per test costs time."""
    server = PreviewServer(
        write_tree(tmp_path_factory.mktemp("shared") / "course", COURSE), "127.0.0.1", 0, verbosity=0
    )
    server.start()
    yield server
    server.stop()
    assert_stopped(server)


class Response:
    def __init__(self, raw: bytes):
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.status = int(lines[0].split()[1]) if len(lines[0].split()) > 1 else 0
        self.headers: dict[str, str] = {}
        self.header_list: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
            self.header_list.append((name.strip().lower(), value.strip()))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def __repr__(self) -> str:
        return f"<{self.status_line} {self.headers} {self.body[:200]!r}>"


def raw(port: int, data: bytes, timeout: float = TIMEOUT) -> Response:
    """Send `data` as it is, read until the server closes, parse the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return Response(b"".join(chunks))


def request(
    port: int,
    target: str,
    method: str = "GET",
    host: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    lines = [f"{method} {target} HTTP/1.1"]
    if host != "":
        lines.append(f"Host: {host or f'127.0.0.1:{port}'}")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append("Connection: close")
    return raw(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def get(server: PreviewServer, target: str, **kwargs) -> Response:
    return request(server.port, target, **kwargs)


def edit(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def wait_until(predicate, timeout: float = TIMEOUT, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {message}")


def assert_no_more_builds(server: PreviewServer, builds: int) -> None:
    """No rebuild starts during a quiet second (the debounce and the watcher's step are far shorter)."""
    deadline = time.monotonic() + QUIET
    while time.monotonic() < deadline:
        state = server.state()
        assert state.builds == builds and not state.pending, f"an unexpected rebuild: {state}"
        time.sleep(0.05)


class EventStream:
    """A raw Server-Sent Events client."""

    def __init__(self, port: int, headers: dict[str, str] | None = None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.sock.sendall(
            f"GET /__coursegen__/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()
        )
        self.buffer = b""
        head = self._read_until(b"\r\n\r\n")
        self.response = Response(head)

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the event stream closed")
            self.buffer += chunk
        item, _, self.buffer = self.buffer.partition(marker)
        return item + marker

    def next_build(self) -> dict:
        while True:
            block = self._read_until(b"\n\n").decode()
            fields = dict(
                line.split(": ", 1)
                for line in block.strip().split("\n")
                if ": " in line and not line.startswith(":")
            )
            if fields.get("event") == "build":
                return json.loads(fields["data"])

    def close(self) -> None:
        self.sock.close()


# --------------------------------------------------------------------------- serving


def test_serves_pages_with_reload_script_not_on_disk(shared):
    response = get(shared, "/A/lesson.html")
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert "access-control-allow-origin" not in response.headers
    assert "Original lesson text." in response.text
    assert response.text.count("/__coursegen__/livereload.js") == 1
    assert response.text.index("/__coursegen__/livereload.js") < response.text.rindex("</body>")
    on_disk = (shared.site_dir / "A" / "lesson.html").read_text(encoding="utf-8")
    assert "__coursegen__" not in on_disk, "the script is added to responses, never to files"
    assert int(response.headers["content-length"]) == len(response.body)
    # serve never writes into the course: no site/, sources untouched
    assert not (shared.root / "site").exists()
    assert (shared.root / "content" / "A" / "lesson.md").read_text(encoding="utf-8") == LESSON


def test_head_has_headers_and_no_body(shared):
    response = get(shared, "/A/lesson.html", method="HEAD")
    assert response.status == 200 and response.body == b""
    assert int(response.headers["content-length"]) > 0


def test_live_reload_script(shared):
    response = get(shared, "/__coursegen__/livereload.js")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/javascript")
    script = response.text
    assert "EventSource" in script and "typeof window.EventSource" in script, (
        "must not throw without EventSource"
    )
    assert "sessionStorage" in script and "location.pathname" in script, "scroll position kept per path"


@pytest.mark.parametrize(
    "target, kind",
    [
        ("/static/extra.css", "text/css; charset=utf-8"),
        ("/static/coursegen.js", "text/javascript; charset=utf-8"),
        ("/A/figure.svg", "image/svg+xml"),
        ("/A/pixel.png", "image/png"),
        ("/A/index.html", "text/html; charset=utf-8"),
    ],
)
def test_content_types(shared, target, kind):
    response = get(shared, target)
    assert response.status == 200, response
    assert response.headers["content-type"] == kind
    assert response.headers["cache-control"] == "no-store"


def test_directory_serves_index_and_redirects_relatively(shared):
    assert "The first module." in get(shared, "/A/").text
    for target in ("/A", "//A", "/A?x=//evil.example"):
        response = get(shared, target)
        assert response.status in (301, 302, 307, 308), (target, response)
        assert response.headers["location"] == "./A/"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/..%2f..%2fA",
        "//evil.example/%2e%2e/%2e%2e/A",
        "//evil.example/A",
        "/%2f%2fevil.example/A",
        "///evil.example/",
    ],
)
def test_no_open_redirect(shared, target):
    response = get(shared, target)
    location = response.headers.get("location", "")
    assert (
        not location.startswith(("//", "/\\", "\\"))
        and "://" not in location
        and ":" not in location.split("/")[0]
    ), (target, response)
    if response.status in (301, 302, 307, 308):
        assert location.startswith("./")


@pytest.fixture
def outside(tmp_path, shared):
    """Secrets beside and outside the served folder, and traps inside it."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd").write_text("root:SECRET-OUTSIDE\n")
    sibling = shared.site_dir.parent / (shared.site_dir.name + "-old")
    sibling.mkdir()
    (sibling / "x").write_text("SECRET-SIBLING\n")
    site = shared.site_dir
    (site / "escape").symlink_to(secret, target_is_directory=True)
    (site / "escape.html").symlink_to(secret / "passwd")
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("SECRET-DOTFILE\n")
    yield sibling
    shutil.rmtree(sibling)
    shutil.rmtree(site / ".git")
    (site / "escape").unlink()
    (site / "escape.html").unlink()


TRAVERSALS = [
    "/../../etc/passwd",
    "/../../../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2f..%2fetc/passwd",
    "/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/%252e%252e/%252e%252e/etc/passwd",
    "/..\\..\\x",
    "/..%5c..%5cx",
    "/C:%5cWindows%5cwin.ini",
    "/C:/Windows/win.ini",
    "/A/../../etc/passwd",
    "/..%00/etc/passwd",
    "/%c0%ae%c0%ae/etc/passwd",
    "/.coursegen-site",
    "/.git/config",
    "/A/%2e%2e/.git/config",
    "/escape/passwd",
    "/escape.html",
    "/escape/",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_file_outside_the_site(shared, outside, target):
    response = get(shared, target)
    assert response.status in (400, 404), (target, response)
    assert b"SECRET" not in response.body and b"root:" not in response.body
    assert (
        str(shared.site_dir).encode() not in response.body
        and str(shared.site_dir.parent).encode() not in response.body
    )
    assert b"Traceback" not in response.body


def test_no_file_in_a_sibling_with_the_same_prefix(shared, outside):
    response = get(shared, f"/../{outside.name}/x")
    assert response.status in (400, 404)
    assert b"SECRET" not in response.body
    assert resolve_request(str(shared.site_dir), f"/../{outside.name}/x")[0] == "missing"


def test_not_found_page_has_live_reload_and_no_paths(shared):
    response = get(shared, "/nowhere/missing.html")
    assert response.status == 404
    assert "/__coursegen__/livereload.js" in response.text, "a 404 recovers by itself once the page exists"
    assert str(shared.site_dir) not in response.text


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("127.0.0.1:{port}", True),
        ("localhost:{port}", True),
        ("LOCALHOST:{port}", True),
        ("[::1]:{port}", True),
        ("127.0.0.1", True),
        ("attacker.example:{port}", False),
        ("attacker.example", False),
        ("127.0.0.1.attacker.example:{port}", False),
        ("localhost.attacker.example:{port}", False),
        ("127.0.0.1:1", False),
        ("192.168.1.5:{port}", False),
        ("", False),
    ],
)
def test_dns_rebinding_host_check(shared, host, allowed):
    value = host.format(port=shared.port)
    for target in ("/A/lesson.html", "/__coursegen__/events"):
        if allowed and target.endswith("events"):
            stream = EventStream(shared.port) if value == f"127.0.0.1:{shared.port}" else None
            if stream:
                assert stream.response.status == 200
                stream.close()
            continue
        response = get(shared, target, host=value)
        if allowed:
            assert response.status == 200, (value, response)
        else:
            assert response.status in (400, 421), (value, target, response)
            assert "access-control-allow-origin" not in response.headers


def test_duplicate_host_headers_are_refused(shared):
    response = raw(
        shared.port,
        f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{shared.port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n".encode(),
    )
    assert response.status in (400, 421)


def test_explicit_host_is_allowed(shared):
    assert not shared.allowed_host([f"preview.test:{shared.port}"])
    named = PreviewServer(shared.root, "localhost", 0, verbosity=0)
    named.port = 1234
    named.host = "preview.test"  # what --host preview.test would accept, without binding it
    assert named.allowed_host(["preview.test:1234"]) and named.allowed_host(["127.0.0.1:1234"])
    assert not named.allowed_host(["other.test:1234"])


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("http://127.0.0.1:{port}", True),
        ("http://localhost:{port}", True),
        ("https://evil.example", False),
        ("http://evil.example:{port}", False),
        ("http://127.0.0.1:1", False),
        ("null", False),
    ],
)
def test_event_channel_refuses_foreign_origins(shared, origin, allowed):
    value = origin.format(port=shared.port)
    if allowed:
        stream = EventStream(shared.port, {"Origin": value})
        assert stream.response.status == 200
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert "access-control-allow-origin" not in stream.response.headers
        stream.close()
    else:
        response = get(shared, "/__coursegen__/events", headers={"Origin": value})
        assert response.status in (400, 403), response
        assert "access-control-allow-origin" not in response.headers


def test_oversized_request_line(shared):
    response = raw(shared.port, b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert response.status == 414
    response = raw(shared.port, b"GET /" + b"a" * 9_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert response.status == 414


def test_too_many_or_too_large_headers(shared):
    many = "".join(f"X-H{i}: {i}\r\n" for i in range(150))
    response = raw(shared.port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{shared.port}\r\n{many}\r\n".encode())
    assert response.status == 431
    big = "X-Big: " + "b" * 10_000 + "\r\n"
    response = raw(shared.port, f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{shared.port}\r\n{big}\r\n".encode())
    assert response.status == 431
    assert get(shared, "/").status == 200, "the shared still answers"


@pytest.mark.parametrize(
    "data",
    [
        b"garbage\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
    ],
    ids=["one-word", "bad-version", "http-0.9", "four-words"],
)
def test_malformed_requests_get_a_proper_error(shared, data):
    response = raw(shared.port, data)
    assert response.status_line.startswith("HTTP/1.") and 400 <= response.status < 600, response
    assert b"Traceback" not in response.body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"])
def test_only_get_and_head(shared, method):
    response = get(shared, "/A/lesson.html", method=method)
    assert response.status == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_idle_connections_do_not_block_others(shared):
    idle = [socket.create_connection(("127.0.0.1", shared.port), timeout=TIMEOUT) for _ in range(20)]
    try:
        idle[0].sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # a half-sent request, too
        started = time.monotonic()
        response = get(shared, "/A/lesson.html")
        assert response.status == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()


def test_keep_alive_serves_several_requests_on_one_connection(shared):
    with socket.create_connection(("127.0.0.1", shared.port), timeout=TIMEOUT) as sock:
        for _ in range(2):
            sock.sendall(f"GET /static/extra.css HTTP/1.1\r\nHost: 127.0.0.1:{shared.port}\r\n\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(Response(head + b"\r\n\r\n").headers["content-length"])
            while len(body) < length:
                body += sock.recv(65536)
            assert body == b"body { color: black; }\n"


# --------------------------------------------------------------------------- rebuilding


def test_event_after_a_rebuild(server, course):
    stream = EventStream(server.port)
    try:
        assert stream.response.status == 200
        first = stream.next_build()
        assert first == {"instance": server.instance, "epoch": server.state().epoch}
        edit(course / "content/A/lesson.md", LESSON.replace("Original", "Edited"))
        second = stream.next_build()
        assert second["instance"] == server.instance and second["epoch"] > first["epoch"]
        assert "Edited lesson text." in get(server, "/A/lesson.html").text
    finally:
        stream.close()


def test_page_carries_the_epoch_it_was_served_with(server, course):
    epoch = server.state().epoch
    assert f'data-epoch="{epoch}"' in get(server, "/A/lesson.html").text
    done = server.state().completed
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "Edited"))
    state = server.wait_for_build(done)
    assert state.epoch > epoch
    assert f'data-epoch="{state.epoch}"' in get(server, "/A/lesson.html").text


def test_unchanged_output_does_not_reload(server, course):
    """A save that changes no output (same bytes) rebuilds but keeps the epoch: no pointless reload."""
    state = server.state()
    edit(course / "content/A/lesson.md", LESSON)
    after = server.wait_for_build(state.completed)
    assert after.builds == state.builds + 1
    assert after.epoch == state.epoch


def test_burst_of_200_files_is_one_rebuild(start, course):
    server = start(debounce=0.3)  # a loaded machine may pause between writes: still one batch
    builds = server.state().builds
    done = server.state().completed
    for index in range(200):
        (course / "content" / "B").mkdir(exist_ok=True)
        edit(course / "content" / "B" / f"l{index:03}.md", f"# Lesson {index}\n\nText {index}.\n")
    state = server.wait_for_build(done)
    assert state.builds == builds + 1
    assert_no_more_builds(server, builds + 1)
    assert "Text 199." in get(server, "/B/l199.html").text


def test_atomic_save_is_one_rebuild(server, course):
    """Editors save by writing a temporary file and renaming it over the original."""
    builds = server.state().builds
    done = server.state().completed
    target = course / "content/A/lesson.md"
    for temp_name in (".lesson.md.swp", "lesson.md~", ".#lesson.md", "4913"):
        (target.parent / temp_name).write_text("junk")
    temporary = target.parent / ".lesson.md.tmp123"
    temporary.write_text(LESSON.replace("Original", "Atomically saved"), encoding="utf-8")
    os.replace(temporary, target)
    for temp_name in (".lesson.md.swp", "lesson.md~", ".#lesson.md", "4913"):
        (target.parent / temp_name).unlink()
    state = server.wait_for_build(done)
    assert state.builds == builds + 1
    assert_no_more_builds(server, builds + 1)
    assert "Atomically saved lesson text." in get(server, "/A/lesson.html").text


class GatedServer(PreviewServer):
    """Renders wait for `gate` while `hold` is set, so a test can act while a build runs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hold = threading.Event()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.fail_once = False

    def _render(self):
        if self.hold.is_set():
            self.hold.clear()
            self.entered.set()
            assert self.gate.wait(TIMEOUT), "the test never opened the gate"
        if self.fail_once:
            self.fail_once = False
            raise RuntimeError("boom")
        return super()._render()


def test_save_during_a_build_gives_exactly_one_more_rebuild(start, course):
    server = start(GatedServer)
    builds = server.state().builds
    server.hold.set()
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "First save"))
    assert server.entered.wait(TIMEOUT)
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "Second save"))
    edit(course / "content/index.md", "# Home\n\nSecond save home.\n")
    wait_until(lambda: server.state().pending, message="the save during the build to be seen")
    server.gate.set()
    wait_until(lambda: server.state().builds == builds + 2, message="the second rebuild")
    server.wait_until_idle()
    assert_no_more_builds(server, builds + 2)
    assert "Second save lesson text." in get(server, "/A/lesson.html").text
    assert "Second save home." in get(server, "/index.html").text


def test_requests_during_a_build_wait_for_it(start, course):
    server = start(GatedServer)
    server.hold.set()
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "Rebuilt"))
    assert server.entered.wait(TIMEOUT)
    answers: queue.Queue = queue.Queue()
    thread = threading.Thread(target=lambda: answers.put(get(server, "/A/lesson.html")))
    thread.start()
    with pytest.raises(queue.Empty):
        answers.get(timeout=0.5)  # still waiting for the build
    server.gate.set()
    response = answers.get(timeout=TIMEOUT)
    thread.join(TIMEOUT)
    assert response.status == 200
    assert "Rebuilt lesson text." in response.text, "the request waited and got the new page"
    assert response.text.rstrip().endswith("</html>"), "a complete page"
    assert int(response.headers["content-length"]) == len(response.body)


def test_request_wait_is_bounded(start, course):
    server = start(GatedServer, request_wait=0.5)
    server.hold.set()
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "Slow"))
    assert server.entered.wait(TIMEOUT)
    try:
        started = time.monotonic()
        response = get(server, "/A/lesson.html")
        assert response.status == 200 and "Original lesson text." in response.text, "the last good page"
        assert time.monotonic() - started < 5
    finally:
        server.gate.set()


def test_error_overlay_appears_and_disappears(server, course):
    done = server.state().completed
    edit(course / "content/A/lesson.md", "---\ntitle: [unclosed\n---\nBroken lesson text.\n")
    state = server.wait_for_build(done)
    assert state.errors and state.errors[0].startswith("content/A/lesson.md:2:")
    for target in ("/A/lesson.html", "/index.html", "/nowhere.html"):
        text = get(server, target).text
        assert 'role="alert"' in text, target
        assert "content/A/lesson.md:2:" in text and ": error[yaml]: " in text
    assert 'role="alert"' not in (server.site_dir / "index.html").read_text(encoding="utf-8")
    assert "Welcome home." in get(server, "/index.html").text, "the rest of the site is still served"

    done = server.state().completed
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "Fixed"))
    state = server.wait_for_build(done)
    assert state.errors == ()
    text = get(server, "/A/lesson.html").text
    assert 'role="alert"' not in text
    assert "Fixed lesson text." in text


BROKEN_LESSON = "---\ntitle: First lesson: the basics\n---\nBroken lesson text.\n"  # an unquoted colon
BROKEN_MESSAGE = "content/A/lesson.md:2:20: error[yaml]: invalid YAML: mapping values are not allowed here — a value containing ': ' must be quoted"


def test_a_broken_edit_keeps_the_last_good_page_under_the_overlay(server, course):
    done = server.state().completed
    edit(course / "content/A/lesson.md", BROKEN_LESSON)
    state = server.wait_for_build(done)
    assert len(state.errors) == 1 and state.errors[0].startswith(BROKEN_MESSAGE), state.errors
    assert state.kept == ("content/A/lesson.md",)
    response = get(server, "/A/lesson.html")
    assert response.status == 200
    page = response.text
    assert "Original lesson text." in page and "Broken lesson text." not in page  # the last good page…
    assert "could not be rendered" not in page
    overlay = page[page.index('<div id="coursegen-build-errors"') :]  # …under the overlay, which says so
    assert "Until fixed, 1 page shows its last good version: content/A/lesson.md" in overlay
    assert html.escape(BROKEN_MESSAGE).encode("ascii", "xmlcharrefreplace").decode() in overlay
    module = get(server, "/A/index.html").text
    assert 'href="lesson.html"' in module and "First lesson" in module  # its card, as it was
    assert (
        '"u":"A/lesson.html","k":"lesson","x":"Original lesson text."' in get(server, "/search/index.js").text
    )

    done = server.state().completed
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "Fixed"))
    state = server.wait_for_build(done)
    assert state.errors == () and state.kept == ()
    page = get(server, "/A/lesson.html").text
    assert "Fixed lesson text." in page and 'id="coursegen-build-errors"' not in page


def test_a_page_broken_from_the_start_of_serve_says_it_could_not_be_rendered(start, course):
    edit(course / "content/A/lesson.md", BROKEN_LESSON)
    server = start()
    assert server.state().kept == ()
    page = get(server, "/A/lesson.html").text
    assert "This page could not be rendered" in page and "Where: content/A/lesson.md:2:20" in page
    assert 'id="coursegen-build-errors"' in page and "last good version" not in page


def test_overlay_escapes_the_errors():
    overlay = error_overlay(("content/x.md:1:1: error: bad <script>alert(1)</script> & \"quotes\"",))
    assert "<script>alert(1)" not in overlay
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in overlay
    assert (
        'role="alert"' in overlay and "position: fixed" in overlay and "top: 0" in overlay
    )  # serve/overlay.css
    page = inject(b"<html><body><p>x</p></body></html>", 3, ("e — ü",), "abc")
    assert page.endswith(b"</body></html>") and b'role="alert"' in page
    page.decode("ascii")  # non-ASCII text is written as character references: safe in any page encoding
    assert inject(b"no body tag", 1, (), "abc").startswith(b"no body tag<script")


def test_a_broken_build_never_kills_the_builder(start, course):
    server = start(GatedServer)
    server.fail_once = True
    done = server.state().completed
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "Crash"))
    state = server.wait_for_build(done)
    assert state.errors and "internal error: RuntimeError: boom" in state.errors[0]
    assert 'role="alert"' in get(server, "/A/lesson.html").text
    done = state.completed
    edit(course / "content/A/lesson.md", LESSON.replace("Original", "Recovered"))
    state = server.wait_for_build(done)
    assert state.errors == ()
    assert "Recovered lesson text." in get(server, "/A/lesson.html").text


def test_config_error_and_missing_content_keep_serving(server, course):
    done = server.state().completed
    edit(course / "course.yml", "title: [broken\n")
    state = server.wait_for_build(done)
    assert any(line.startswith("course.yml:") for line in state.errors), state.errors
    done = state.completed
    edit(course / "course.yml", "title: Renamed course\n")
    state = server.wait_for_build(done)
    assert state.errors == ()
    assert "Renamed course" in get(server, "/A/lesson.html").text


def test_starts_with_a_broken_config_and_recovers(start, course):
    """A course.yml error at start: nothing can be built, yet the server runs and shows it."""
    edit(course / "course.yml", "title: [broken\n")
    server = start()
    state = server.state()
    assert any(line.startswith("course.yml:") and ": error[config]: " in line for line in state.errors), (
        state.errors
    )
    response = get(server, "/index.html")
    assert response.status == 404 and 'role="alert"' in response.text and "course.yml:" in response.text
    edit(course / "course.yml", "title: Repaired\n")
    state = server.wait_for_build(state.completed)
    assert state.errors == ()
    response = get(server, "/index.html")
    assert response.status == 200 and 'role="alert"' not in response.text


def test_static_change_is_copied_without_a_rebuild(server, course):
    state = server.state()
    edit(course / "static/extra.css", "body { color: red; }\n")
    after = server.wait_for_build(state.completed)
    assert after.builds == state.builds, "no render for a static file"
    assert after.copies == state.copies + 1
    assert after.epoch > state.epoch, "the browser reloads"
    assert get(server, "/static/extra.css").body == b"body { color: red; }\n"
    # an image beside the lessons too
    edit(course / "content/A/figure.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    final = server.wait_for_build(after.completed)
    assert final.builds == state.builds and final.copies == state.copies + 2
    assert get(server, "/A/figure.svg").body == b"<svg xmlns='http://www.w3.org/2000/svg'/>\n"


def test_new_or_deleted_static_file_rebuilds(server, course):
    state = server.state()
    edit(course / "static/new.css", "p {}\n")
    after = server.wait_for_build(state.completed)
    assert after.builds == state.builds + 1
    assert get(server, "/static/new.css").status == 200
    (course / "static/new.css").unlink()
    final = server.wait_for_build(after.completed)
    assert final.builds == state.builds + 2
    assert get(server, "/static/new.css").status == 404


def test_template_change_rebuilds(server, course):
    from coursegen.theme import builtin_theme_dir

    base = (builtin_theme_dir() / "templates" / "base.html").read_text(encoding="utf-8")
    done = server.state().completed
    write_tree(course, {"templates/base.html": base.replace("</body>", "<p>TEMPLATE-MARK</p></body>", 1)})
    state = server.wait_for_build(done)
    assert state.errors == ()
    assert "TEMPLATE-MARK" in get(server, "/A/lesson.html").text


def test_junk_and_cache_files_do_not_rebuild(server, course):
    builds = server.state().builds
    write_tree(
        course,
        {
            "content/A/.ipynb_checkpoints/x-checkpoint.ipynb": "{}",
            "content/A/.lesson.md.swp": "x",
            "content/A/lesson.md~": "x",
            "content/__pycache__/x.pyc": "x",
            "content/.git/config": "x",
            "static/.DS_Store": "x",
            ".coursegen-cache/bodies/x.json": "{}",
            "site/index.html": "x",
            "notes.txt": "x",
        },
    )
    assert_no_more_builds(server, builds)


def test_new_source_folder_is_watched(server, course):
    """A folder that did not exist at start (here notebooks/) is watched once it appears."""
    done = server.state().completed
    write_tree(course, {"notebooks/A/nb.ipynb": notebook_json("# Late notebook", "print(2)")})
    server.wait_for_build(done)
    wait_until(lambda: get(server, "/A/notebooks/nb.html").status == 200, message="the notebook page")
    download = get(server, "/A/notebooks/nb.ipynb")
    assert download.headers["content-type"] in ("application/x-ipynb+json", "application/json")
    assert json.loads(download.body)["cells"]
    done = server.state().completed
    edit(course / "notebooks/A/nb.ipynb", notebook_json("# Late notebook", "print(12345)"))
    server.wait_for_build(done)
    assert "12345" in get(server, "/A/notebooks/nb.html").text


@pytest.mark.parametrize(
    "rel, kind",
    [
        ("course.yml", ChangeKind.CONFIG),
        ("content", ChangeKind.CONFIG),
        ("content/A/x.md", ChangeKind.CONTENT),
        ("content/A/x.png", ChangeKind.CONTENT),
        ("content/A/x.ipynb", ChangeKind.NOTEBOOK),
        ("notebooks/A/x.ipynb", ChangeKind.NOTEBOOK),
        ("notebooks/A/data.csv", ChangeKind.NOTEBOOK),
        ("templates/lesson.html", ChangeKind.TEMPLATE),
        ("templates/partials/_card.html", ChangeKind.TEMPLATE),
        ("static/x.css", ChangeKind.STATIC),
        ("content/A/.ipynb_checkpoints/x-checkpoint.ipynb", None),
        ("content/A/.x.md.swp", None),
        ("content/A/x.md~", None),
        ("content/_drafts/x.md", None),
        ("content/__pycache__/x.pyc", None),
        ("static/.DS_Store", None),
        (".coursegen-cache/bodies/x.json", None),
        (".git/HEAD", None),
        ("site/index.html", None),
        ("README.md", None),
    ],
)
def test_classify(tmp_path, rel, kind):
    assert classify(tmp_path, tmp_path / rel) is kind


# --------------------------------------------------------------------------- host and the command line


def test_wildcard_host_warns_and_accepts_ip_addresses_only(course):
    import io

    errors = io.StringIO()
    server = PreviewServer(course, "0.0.0.0", 0, verbosity=1, err=errors)
    try:
        server.start()
        assert "visible to other machines on the network" in errors.getvalue()
        assert server.allowed_host([f"192.168.1.5:{server.port}"])
        assert not server.allowed_host([f"attacker.example:{server.port}"])
        assert get(server, "/", host=f"attacker.example:{server.port}").status in (400, 421)
    finally:
        server.stop()


def test_not_a_course_is_a_usage_error(tmp_path):
    from coursegen.errors import CoursegenError

    server = PreviewServer(tmp_path, "127.0.0.1", 0, verbosity=0)
    with pytest.raises(CoursegenError) as raised:
        server.start()
    assert raised.value.exit_code == 2


def _serve_command(course: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "coursegen", "serve", str(course), *args]


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
    return env


def test_port_in_use_is_a_clear_usage_error(course, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        tmp = tmp_path / "tmp"
        tmp.mkdir()
        done = subprocess.run(
            _serve_command(course, "--port", str(port)),
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(tmp),
        )
    assert done.returncode == 2
    assert done.stderr == f"port {port} is in use; try --port {port + 1}\n"
    assert "Traceback" not in done.stdout
    assert not list(tmp.iterdir()), "no temporary folder left"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signals_stop_and_clean_up(course, tmp_path, signum):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    process = subprocess.Popen(
        _serve_command(course, "--port", "0", "-v"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp),
    )
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
    reader.start()
    try:
        url = folder = None
        deadline = time.monotonic() + 60
        while (url is None or folder is None) and time.monotonic() < deadline:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("Serving "):
                url = line.split(" at ", 1)[1].split()[0]
            if line.startswith("preview folder: "):
                folder = Path(line.removeprefix("preview folder: ").strip())
        assert url and folder and folder.is_dir() and folder.parent == tmp
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        assert "Welcome home." in request(port, "/index.html").text
        process.send_signal(signum)
        code = process.wait(timeout=60)
        assert code == 0, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(timeout=10)
    stderr = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    assert "Traceback" not in stderr
    assert not folder.exists(), "the temporary folder is removed"
    assert not list(tmp.iterdir())


def test_serve_drafts_previews_draft_pages(tmp_path, monkeypatch):
    """`coursegen serve --drafts` builds the preview with the pages marked `draft: true`."""
    import coursegen.serve as serve_module
    from coursegen.cli import make_parser

    course = write_tree(
        tmp_path / "course",
        {"content/index.md": "# Cours\n", "content/A/brouillon.md": "---\ndraft: true\n---\nPas fini.\n"},
    )
    args = make_parser().parse_args(["serve", str(course), "--drafts", "--port", "0"])
    assert args.drafts is True
    started = []

    class Preview(PreviewServer):
        def wait(self):  # instead of serving until Ctrl-C: fetch the draft once, then stop
            started.append(urlopen_text(self.url + "A/brouillon.html"))

    monkeypatch.setattr(serve_module, "PreviewServer", lambda *a, **k: Preview(*a, **{**k, "verbosity": 0}))
    assert serve_module.run_serve(args) == 0
    assert "Pas fini." in started[0]
    assert make_parser().parse_args(["serve", str(course)]).drafts is False


def urlopen_text(url: str) -> str:
    from urllib.request import urlopen

    with urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_serve_gives_back_the_callers_signal_handlers(course):
    """run_serve sets its own Ctrl-C and SIGTERM handling, then ignores both while it cleans up;
    once it returns the caller's handlers are back (a tool or test calling it in-process)."""
    import argparse

    from coursegen.serve import run_serve

    def mine(signum, frame):
        raise AssertionError("not expected")

    before = {signum: signal.signal(signum, mine) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            args = argparse.Namespace(
                course_dir=course, host="127.0.0.1", port=busy.getsockname()[1], open=False, quiet=True
            )
            assert run_serve(args) == 2
        assert signal.getsignal(signal.SIGINT) is mine
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
