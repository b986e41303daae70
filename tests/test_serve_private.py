"""`coursegen serve` is private to its author (issue #20 item 4) and streams files with byte
ranges (item 9): real HTTP requests with hand-written headers (test_serve.py's raw-socket helpers),
one server per module over a small course with a binary file of known bytes."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import tracemalloc
from pathlib import Path

import pytest
from conftest import write_tree
from test_serve import COURSE, TIMEOUT, Response, assert_stopped, get, wait_until

from coursegen.serve import PreviewServer

DATA = bytes(range(256)) * 40  # 10,240 bytes: every offset's value is known
REFUSED = (
    "403 Forbidden: this preview answers only to its own pages and to the address bar; "
    "a request made by another web site ({why}) was refused.\n"
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    tree = dict(COURSE, **{"content/A/data.bin": DATA})
    server = PreviewServer(write_tree(tmp_path_factory.mktemp("private") / "course", tree), "127.0.0.1", 0)
    server.start()
    yield server
    server.stop()
    assert_stopped(server)


def fetch(mode: str, dest: str, site: str = "cross-site") -> dict[str, str]:
    return {"Sec-Fetch-Site": site, "Sec-Fetch-Mode": mode, "Sec-Fetch-Dest": dest}


# --------------------------------------------------------------------------- item 4: private


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (fetch("no-cors", "script"), "Sec-Fetch-Site: cross-site"),  # <script src> on another site
        (fetch("cors", "empty"), "Sec-Fetch-Site: cross-site"),  # fetch() from another site
        (fetch("no-cors", "image", "same-site"), "Sec-Fetch-Site: same-site"),  # another port of localhost
        (fetch("navigate", "iframe"), "Sec-Fetch-Site: cross-site"),  # framed by another site
        (fetch("no-cors", "script", "weird"), "Sec-Fetch-Site: weird"),  # unknown value: not ours
        ({"Origin": "http://evil.example"}, "Origin of another site"),
        ({"Origin": "null"}, "Origin of another site"),  # a sandboxed frame or a file:// page
        ({"Origin": "http://127.0.0.1:1"}, "Origin of another site"),  # same host, another port
        ({"Referer": "http://evil.example/page.html"}, "Referer of another site"),
        ({"Referer": "https://127.0.0.1/"}, "Referer of another site"),
        ({"Referer": "not a url"}, "Referer of another site"),
    ],
)
@pytest.mark.parametrize("target", ["/search/index.js", "/A/lesson.html", "/A/data.bin", "/nowhere"])
def test_cross_site_requests_are_refused_with_403(shared, headers, why, target):
    response = get(shared, target, headers=headers)
    assert response.status == 403, response
    assert response.text == REFUSED.format(why=why)
    assert b"Original lesson text" not in response.body


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, or a browser that says nothing
        fetch("no-cors", "script", "same-origin"),  # the preview's own pages
        fetch("navigate", "document", "none"),  # typed in the address bar, a bookmark
        fetch("navigate", "document"),  # a link followed from another site: a top-level navigation
        fetch("navigate", "document", "same-site"),
        {"Origin": "http://127.0.0.1:{port}"},
        {"Origin": "http://localhost:{port}"},
        {"Referer": "http://127.0.0.1:{port}/A/index.html"},
    ],
)
def test_own_requests_and_top_level_navigations_are_answered(shared, headers):
    headers = {name: value.format(port=shared.port) for name, value in headers.items()}
    response = get(shared, "/A/lesson.html", headers=headers)
    assert response.status == 200 and "Original lesson text." in response.text


def test_live_reload_stays_same_origin_and_refuses_other_sites(shared):
    own = get(shared, "/__coursegen__/livereload.js", headers=fetch("no-cors", "script", "same-origin"))
    assert own.status == 200
    foreign = get(shared, "/__coursegen__/events", headers=fetch("cors", "empty"))
    assert foreign.status == 403 and foreign.text == REFUSED.format(why="Sec-Fetch-Site: cross-site")


def test_event_stream_from_the_preview_page_is_answered(shared):
    headers = dict(fetch("cors", "empty", "same-origin"), Origin=f"http://127.0.0.1:{shared.port}")
    with socket.create_connection(("127.0.0.1", shared.port), timeout=TIMEOUT) as sock:
        lines = ["GET /__coursegen__/events HTTP/1.1", f"Host: 127.0.0.1:{shared.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        received = b""
        while b"event: build" not in received:
            chunk = sock.recv(65536)
            assert chunk, received
            received += chunk
    assert Response(received).status == 200


@pytest.mark.parametrize(
    ("method", "target", "headers", "status"),
    [
        ("GET", "/A/lesson.html", {}, 200),
        ("GET", "/A/data.bin", {}, 200),
        ("GET", "/A/data.bin", {"Range": "bytes=0-1"}, 206),
        ("GET", "/A/data.bin", {"Range": "bytes=99999-"}, 416),
        ("GET", "/A", {}, 302),
        ("GET", "/nowhere", {}, 404),
        ("GET", "/search/index.js", fetch("no-cors", "script"), 403),
        ("POST", "/", {}, 405),
        ("GET", "/", {"Host": "evil.example"}, 421),
    ],
)
def test_every_answer_forbids_other_sites_and_sniffing(shared, method, target, headers, status):
    host = headers.pop("Host", None) if "Host" in headers else None
    response = get(shared, target, method=method, host=host, headers=headers)
    assert response.status == status, response
    assert response.headers["cross-origin-resource-policy"] == "same-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in response.headers


# --------------------------------------------------------------------------- item 9: ranges


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=100-", 100, len(DATA) - 1),
        ("bytes=-16", len(DATA) - 16, len(DATA) - 1),
        ("bytes=-99999", 0, len(DATA) - 1),  # a suffix longer than the file: all of it
        ("bytes=10000-99999", 10000, len(DATA) - 1),  # an end past the file: up to its end
        ("bytes=10239-10239", 10239, 10239),
    ],
)
def test_a_range_gets_206_with_its_bytes(shared, header, start, end):
    response = get(shared, "/A/data.bin", headers={"Range": header})
    assert response.status == 206, response
    assert response.headers["content-range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response.headers["content-length"] == str(end - start + 1)
    assert response.headers["accept-ranges"] == "bytes"
    assert response.body == DATA[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
def test_an_unsatisfiable_range_gets_416(shared, header):
    response = get(shared, "/A/data.bin", headers={"Range": header})
    assert response.status == 416, response
    assert response.headers["content-range"] == f"bytes */{len(DATA)}"


@pytest.mark.parametrize(
    "headers",
    [
        {"Range": "bytes=0-1,5-9"},  # several ranges: the whole file (documented)
        {"Range": "bytes=9-3"},  # malformed ranges are ignored (RFC 9110)
        {"Range": "items=0-9"},
        {"Range": "bytes=0-9", "If-Range": '"an-old-etag"'},  # no validator can match: whole file
    ],
)
def test_other_ranges_get_the_whole_file(shared, headers):
    response = get(shared, "/A/data.bin", headers=headers)
    assert response.status == 200 and response.body == DATA
    assert "content-range" not in response.headers


def test_head_answers_like_get_without_a_body(shared):
    whole = get(shared, "/A/data.bin", method="HEAD")
    assert (whole.status, whole.body) == (200, b"")
    assert whole.headers["content-length"] == str(len(DATA)) and whole.headers["accept-ranges"] == "bytes"
    part = get(shared, "/A/data.bin", method="HEAD", headers={"Range": "bytes=5-"})
    assert (part.status, part.body) == (206, b"")
    assert part.headers["content-range"] == f"bytes 5-{len(DATA) - 1}/{len(DATA)}"


def test_a_range_of_a_page_counts_the_bytes_served(shared):
    page = get(shared, "/A/lesson.html").body
    part = get(shared, "/A/lesson.html", headers={"Range": "bytes=-100"})
    assert part.status == 206 and part.body == page[-100:]


# --------------------------------------------------------------------------- item 9: streaming

BIG = 50 * 1024 * 1024


def download(port: int, target: str, sink: list[int]) -> None:
    """GET `target`, counting the body's bytes without keeping them."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        head, received = b"", 0
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            if b"\r\n\r\n" not in head:
                head += chunk
                received = len(head.partition(b"\r\n\r\n")[2])
            else:
                received += len(chunk)
    sink.append(received)


@pytest.fixture
def big_course(tmp_path) -> Path:
    root = write_tree(tmp_path / "course", COURSE)
    with open(root / "content/A/video.mp4", "wb") as video:
        for _ in range(BIG // (1 << 20)):
            video.write(os.urandom(1 << 20))
    return root


def test_four_downloads_of_a_50_mb_video_stream_in_chunks(big_course):
    server = PreviewServer(big_course, "127.0.0.1", 0, verbosity=0).start()
    try:
        tracemalloc.start()
        received: list[int] = []
        threads = [
            threading.Thread(target=download, args=(server.port, "/A/video.mp4", received)) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        server.stop()
    assert received == [BIG] * 4
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes while serving 4 × {BIG} bytes"


def test_a_file_replaced_while_it_is_sent_keeps_its_old_bytes(big_course):
    """The builder replaces a changed file by a new one: a download that started gets the old one whole."""
    server = PreviewServer(big_course, "127.0.0.1", 0, verbosity=0).start()
    old = (big_course / "content/A/video.mp4").read_bytes()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as sock:
            sock.sendall(
                f"GET /A/video.mp4 HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n".encode()
            )
            received = sock.recv(1 << 16)  # the server is now blocked writing the rest
            done = server.state().completed
            shutil.copyfile(big_course / "content/index.md", big_course / "content/A/video.mp4")
            wait_until(lambda: server.state().completed > done, message="the copy of the new video")
            while chunk := sock.recv(1 << 20):
                received += chunk
    finally:
        server.stop()
    assert Response(received).body == old
