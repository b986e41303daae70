"""What page signatures cost a rebuild: a baseline commit against the work tree on the large course.

    python benchmarks/signatures.py [--baseline main] [--size large] [--repeat 7]

Page signatures are the digest of each page's template context (render.ContextText, see
docs/architecture.md); a rebuild signs every page to know which ones to keep, so their cost is
paid by every no-op rebuild and every edit. This script builds the course of
`make_course.py --seed 1` (large: 20 modules, 1,000 lessons, 100 notebooks) with two frozen copies
of coursegen — `--baseline` (a commit, frozen with `git archive`) and the work tree's `src/` (copied,
so that edits made meanwhile change nothing measured) — each on its own copy of the course, then
alternates them: a no-op rebuild, then a rebuild after one sentence is appended to the same lesson.
Each build is a fresh `python -m coursegen build -q` process (start-up included), with the
Python of this venv. It prints the medians (min–max) of wall and CPU time and the ratio work
tree ÷ baseline (goal: within 1.10 on both cases), and writes the raw times to benchmarks/results/<UTC time>-signatures.json.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"medium": (10, 200, 20), "large": (20, 1000, 100)}


FROZEN = ("src", "templates", "static")  # the package and its built-in theme (theme.py finds it beside src/)


def freeze_commit(commit: str, into: Path) -> Path:
    """`commit`'s src/, templates/ and static/ as files (git archive), importable with PYTHONPATH."""
    data = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, *FROZEN], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(into, filter="data")
    return into / "src"


def freeze_work_tree(into: Path) -> Path:
    for folder in FROZEN:
        shutil.copytree(REPO / folder, into / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return into / "src"


def make_course(script: Path, size: str, into: Path) -> Path:
    modules, lessons, notebooks = SIZES[size]
    subprocess.run(
        [sys.executable, str(script), str(into), "--seed", "1", "--modules", str(modules)]
        + ["--lessons", str(lessons), "--notebooks", str(notebooks)],
        check=True,
        capture_output=True,
    )
    return into


def build(src: Path, course: Path) -> dict[str, float]:
    """Wall time and CPU time (user + system) of one build process."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("COURSEGEN_VERIFY", None)  # verifying renders every kept page again
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "coursegen", "build", str(course), "-q"], env=env, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {"wall": wall, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default="main", help="commit to compare with (default: main)")
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--make-course", type=Path, default=Path("/work/shared/bench/make_course.py"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coursegen-signatures-") as scratch:
        scratch = Path(scratch)
        sides = {
            "baseline": freeze_commit(args.baseline, scratch / "baseline"),
            "work tree": freeze_work_tree(scratch / "work"),
        }
        course = make_course(args.make_course, args.size, scratch / "course")
        courses = {side: shutil.copytree(course, scratch / f"course-{n}") for n, side in enumerate(sides)}
        lesson = sorted((course / "content").rglob("*.md"))[5].relative_to(course)
        for side in sides:  # the clean build, not measured here
            build(sides[side], courses[side])
        times: dict[str, dict[str, list[dict]]] = {side: {"noop": [], "edit": []} for side in sides}
        for round_ in range(args.repeat):
            for side in sides:
                times[side]["noop"].append(build(sides[side], courses[side]))
            for side in sides:
                path = courses[side] / lesson
                path.write_text(path.read_text(encoding="utf-8") + f"\nUne phrase de plus ({round_}).\n")
                times[side]["edit"].append(build(sides[side], courses[side]))
    report(args, times)


def report(args, times: dict[str, dict[str, list[dict]]]) -> None:
    """Medians (min–max) of wall and CPU time; CPU time is the steadier figure on a shared machine."""
    for case in ("noop", "edit"):
        for measure in ("wall", "cpu"):
            values = {side: [run[measure] for run in runs[case]] for side, runs in times.items()}
            medians = {side: statistics.median(found) for side, found in values.items()}
            cells = [
                f"{side} {medians[side]:.3f} s ({min(found):.2f}–{max(found):.2f})"
                for side, found in values.items()
            ]
            ratio = medians["work tree"] / medians["baseline"]
            print(f"{case} {measure}: " + ", ".join(cells) + f"; ratio {ratio:.3f}")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = REPO / "benchmarks" / "results" / f"{stamp}-signatures.json"
    out.parent.mkdir(exist_ok=True)
    record = {"baseline": args.baseline, "size": args.size, "load": os.getloadavg(), "times": times}
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"raw times: {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
