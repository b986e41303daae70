"""Latency of `coursegen serve`: from saving a lesson to the new text being served.

    python benchmarks/serve_latency.py [COURSE_DIR ...] [--runs 8] [--profile]

Each course (default: this repository's example course) is copied to a temporary folder (its build
cache too, so the server starts warm, as it does for an author who built before), served by
`python -m coursegen serve` in a subprocess, and one of its lessons is edited `--runs` times. Each
time, the clock runs from just before the file is written until an HTTP GET of the lesson returns
the new text (polled every 10 ms; a request made while a rebuild is pending waits for it, as a
browser's reload does). The first edit of a fresh server is reported apart: it pays for imports.

The goals: < 0.5 s on the example course, < 1 s on a 1000-lesson course made with
    python /work/shared/bench/make_course.py /tmp/coursegen-bench-large --modules 20 --lessons 1000 --notebooks 100

`--profile` also runs one warm render_site() of each course under cProfile and prints where the
time goes (render_site is what a rebuild runs; sync_site then writes the changed files).
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COPIED = ("content", "notebooks", "templates", "static", "course.yml", ".coursegen-cache")


def copy_course(source: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in COPIED:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, dest / name, symlinks=True)
        elif path.is_file():
            shutil.copy2(path, dest / name)
    return dest


def warm_cache(course: Path, out: Path) -> None:
    """Fill the copy's build cache for the current code (a cache made by another version is cold).
    One process (-j 1): the measured edits render one page in-process anyway."""
    subprocess.run(
        [sys.executable, "-m", "coursegen", "build", str(course), "-o", str(out), "-j", "1", "-q"],
        check=False,
        stdout=subprocess.DEVNULL,
    )


def pick_lesson(course: Path) -> Path:
    """A lesson in the middle of the course (not a section index)."""
    lessons = sorted(
        p
        for p in (course / "content").rglob("*.md")
        if p.name not in ("index.md", "README.md")
        and not any(part.startswith((".", "_")) for part in p.relative_to(course).parts)
    )
    if not lessons:
        raise SystemExit(f"{course} has no lesson")
    return lessons[len(lessons) // 2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_server(course: Path, port: int) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "coursegen", "serve", str(course), "--port", str(port), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    for line in process.stdout:
        if line.startswith("Serving "):
            break
    else:
        raise SystemExit(f"the server did not start (exit status {process.wait()})")
    threading.Thread(
        target=lambda: [None for _ in process.stdout], daemon=True
    ).start()  # keep the pipe drained
    return process, time.perf_counter() - started


def measure(course: Path, runs: int) -> dict:
    lesson = pick_lesson(course)
    url = "/" + lesson.relative_to(course / "content").with_suffix(".html").as_posix()
    original = lesson.read_text(encoding="utf-8")
    port = free_port()
    process, startup = start_server(course, port)
    times: list[float] = []
    try:
        status, _ = fetch(port, url)
        if status != 200:
            raise SystemExit(f"GET {url} gave {status}")
        for run in range(runs + 1):
            marker = f"latency-marker-{run}-{time.time_ns()}"
            started = time.perf_counter()
            lesson.write_text(original + f"\n\n{marker}\n", encoding="utf-8")
            while marker.encode() not in fetch(port, url)[1]:
                if time.perf_counter() - started > 120:
                    raise SystemExit("the edit never showed up")
                time.sleep(0.01)
            times.append(time.perf_counter() - started)
            time.sleep(1.0)  # let the server go idle between edits
    finally:
        lesson.write_text(original, encoding="utf-8")
        process.terminate()
        process.wait(timeout=60)
    lessons = sum(1 for _ in (course / "content").rglob("*.md"))
    return {
        "course": course,
        "lessons": lessons,
        "lesson": url,
        "startup": startup,
        "first": times[0],
        "warm": times[1:],
    }


def profile(course: Path, top: int = 25) -> str:
    from coursegen.build import BuildOptions, render_site

    out = Path(tempfile.mkdtemp(prefix="coursegen-bench-out-"))
    try:
        render_site(course.resolve(), out, BuildOptions())  # warm the cache and the imports
        lesson = pick_lesson(course)
        original = lesson.read_text(encoding="utf-8")
        lesson.write_text(original + "\n\nprofiled edit\n", encoding="utf-8")
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        result, plan = render_site(course.resolve(), out, BuildOptions())
        profiler.disable()
        seconds = time.perf_counter() - started
        lesson.write_text(original, encoding="utf-8")
        from coursegen.output import sync_site

        started_sync = time.perf_counter()
        sync_site(out, plan, {})
        first_sync = time.perf_counter() - started_sync
        digests = sync_site(out, plan, {})
        started_sync = time.perf_counter()
        sync_site(out, plan, digests)
        warm_sync = time.perf_counter() - started_sync
    finally:
        shutil.rmtree(out, ignore_errors=True)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    return (
        f"render_site after one lesson edit: {seconds:.2f} s (cProfile on); sync_site: {first_sync:.2f} s writing all, {warm_sync:.2f} s with nothing changed\n"
        + text.getvalue()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "courses", nargs="*", type=Path, help="course folders (default: the repository's example course)"
    )
    parser.add_argument("--runs", type=int, default=8, help="edits per course after the first (default: 8)")
    parser.add_argument(
        "--profile", action="store_true", help="also profile one warm render_site() per course"
    )
    args = parser.parse_args(argv)
    courses = args.courses or [REPO]
    for source in courses:
        with tempfile.TemporaryDirectory(prefix="coursegen-bench-") as temporary:
            course = copy_course(source.resolve(), Path(temporary) / "course")
            warm_cache(course, Path(temporary) / "site")
            result = measure(course, args.runs)
            warm = result["warm"]
            print(
                f"{source} ({result['lessons']} Markdown files; edited {result['lesson']}):\n"
                f"  server start (first build): {result['startup']:.2f} s\n"
                f"  first edit: {result['first']:.3f} s\n"
                f"  next {len(warm)} edits: median {statistics.median(warm):.3f} s, min {min(warm):.3f} s, max {max(warm):.3f} s",
                flush=True,
            )
            if args.profile:
                print(profile(course), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
