#!/usr/bin/env python3
"""A CI build with and without a restored build cache: what `actions/cache` of `.coursegen-cache/` buys.

    .venv/bin/python benchmarks/cache_restore.py [--size medium] [--repeat 3]

The course (/work/shared/bench/make_course.py --seed 1; medium = 10 modules, 200 lessons, 20
notebooks) is generated once. Then, alternating the two cases `--repeat` times:

    cold      a fresh copy of the course (new modification times, as a `git clone` makes), no cache:
              `coursegen build`
    restored  another fresh copy, in another folder (another absolute path), with the
              `.coursegen-cache/` of a cold build copied in beside it (also with new times, as a cache
              restore may give), and no site/ (CI machines start without one): `coursegen build`

Each build is a fresh `python -m coursegen build -v` process, timed from outside; its `Time by stage:`
line is kept. Both sites must be the same, file for file (checked after every restored build). The
goal is restored ≥ 3× faster than cold. Prints a table and writes every measurement to
benchmarks/results/<UTC time>-cache-restore.json (or --json FILE).

coursegen is the one importable by this Python (in .venv: the work tree, editable). Its files are
hashed into every cache key, so don't edit src/ while it runs.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import filecmp
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"small": (1, 5, 2), "medium": (10, 200, 20), "large": (20, 1000, 100)}  # modules, lessons, notebooks
SOURCES = ("content", "notebooks", "templates", "static", "course.yml")
CACHE = ".coursegen-cache"


def fresh_copy(source: Path, dest: Path, names) -> None:
    """Copy without keeping times or inodes: what a clone, or a restored cache, looks like."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, dest / name, copy_function=shutil.copyfile)
        elif path.is_file():
            shutil.copyfile(path, dest / name)


def build(course: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "coursegen", "build", "-v", str(course)], capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"coursegen build {course} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    stages = re.search(r"^Time by stage: (.+)$", done.stderr, re.MULTILINE)
    return {
        "wall": round(wall, 3),
        "stages": dict(
            (name, float(s)) for name, s in re.findall(r"(.+?) (\d+\.\d+) s(?:, |$)", stages.group(1))
        )
        if stages
        else {},
    }


def same_sites(a: Path, b: Path) -> list[str]:
    """Files that differ between two sites (relative paths); [] when they are the same."""
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    differ = sorted(files_a ^ files_b)
    differ += sorted(rel for rel in files_a & files_b if not filecmp.cmp(a / rel, b / rel, shallow=False))
    return differ


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="medium")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/coursegen-bench-restore"))
    parser.add_argument("--make-course", type=Path, default=Path("/work/shared/bench/make_course.py"))
    parser.add_argument("--json", type=Path, default=None, help="where to write the measurements")
    args = parser.parse_args(argv)

    if args.workdir.exists():
        shutil.rmtree(args.workdir)
    origin = args.workdir / "origin"
    modules, lessons, notebooks = SIZES[args.size]
    subprocess.run(
        [
            sys.executable,
            str(args.make_course),
            str(origin),
            "--modules",
            str(modules),
            "--lessons",
            str(lessons),
            "--notebooks",
            str(notebooks),
            "--seed",
            "1",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )

    runs: dict[str, list[dict]] = {"cold": [], "restored": []}
    for n in range(args.repeat):
        cold = args.workdir / f"cold-{n}"
        fresh_copy(origin, cold, SOURCES)
        runs["cold"].append(build(cold))
        clone = args.workdir / f"clone-{n}" / "course"  # another path, another depth
        fresh_copy(origin, clone, SOURCES)
        fresh_copy(cold, clone, [CACHE])
        shutil.rmtree(
            clone / CACHE / "trash", ignore_errors=True
        )  # what actions/cache restores: the cache, not a site
        runs["restored"].append(build(clone))
        differ = same_sites(cold / "site", clone / "site")
        if differ:
            sys.exit(f"the restored build differs from the cold one: {differ[:10]}")
        print(
            f"run {n + 1}: cold {runs['cold'][-1]['wall']:.2f} s, restored {runs['restored'][-1]['wall']:.2f} s",
            flush=True,
        )
        shutil.rmtree(cold)
        shutil.rmtree(clone.parent)

    cold_median = statistics.median(r["wall"] for r in runs["cold"])
    restored_median = statistics.median(r["wall"] for r in runs["restored"])
    ratio = cold_median / restored_median
    print(
        f"\n{args.size} course ({lessons} lessons, {notebooks} notebooks), {args.repeat} runs each, {os.cpu_count()} cores"
    )
    print("| case | median | min–max |\n| --- | --- | --- |")
    for case, measured in runs.items():
        walls = [r["wall"] for r in measured]
        print(f"| {case} | {statistics.median(walls):.2f} s | {min(walls):.2f}–{max(walls):.2f} s |")
    print(
        f"\nrestored cache: {ratio:.1f}× faster than cold (goal ≥ 3×): {'met' if ratio >= 3 else 'NOT met'}"
    )

    out = (
        args.json
        or REPO
        / "benchmarks"
        / "results"
        / f"{_dt.datetime.now(_dt.timezone.utc):%Y%m%dT%H%M%SZ}-cache-restore.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    out.write_text(
        json.dumps(
            {
                "size": args.size,
                "commit": commit,
                "load_end": os.getloadavg()[0],
                "runs": runs,
                "cold_median": cold_median,
                "restored_median": restored_median,
                "ratio": round(ratio, 2),
            },
            indent=1,
        )
        + "\n"
    )
    print(f"measurements: {out}")
    return 0 if ratio >= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
