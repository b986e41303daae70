#!/usr/bin/env python3
"""A course read in place (MkDocs or Jupyter Book project) against the same course laid out natively.

    .venv/bin/python benchmarks/in_place.py [--size medium] [--repeat 3]

The course is generated once by /work/shared/bench/make_course.py --seed 1 (medium = 10 modules,
200 lessons, 20 notebooks) in its three layouts: coursegen's (course.yml + content/ + notebooks/),
a MkDocs project (mkdocs.yml + docs/) and a Jupyter Book 1 project (_toc.yml + _config.yml). Then,
the three layouts alternating within each of `--repeat` rounds, each is built by a fresh
`python -m coursegen build -q` process, timed from outside:

    clean   site/ and .coursegen-cache/ deleted first
    noop    again, nothing changed
    edit    one lesson (the first module's first) gets a line more; restored after, and built once
            more untimed, so every round starts from the same site

The goal (issue #24): each project read in place within 10% of the native layout, in each case
(ratio of medians ≤ 1.10). Prints a Markdown table (pasted in BENCHMARKS.md) and writes every
measurement to benchmarks/results/<UTC time>-in-place.json (or --json FILE). coursegen is the one
importable by this Python (the work tree in .venv): don't edit src/ while it runs.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MAKE_COURSE = Path("/work/shared/bench/make_course.py")
SIZES = {"small": (1, 5, 2), "medium": (10, 200, 20), "large": (20, 1000, 100)}  # modules, lessons, notebooks
LAYOUTS = ("native", "mkdocs", "jupyter-book")
CASES = ("clean", "noop", "edit")
EDIT = "\nUne ligne ajoutée pour la mesure.\n"


def generate(size: str, where: Path) -> dict[str, Path]:
    modules, lessons, notebooks = SIZES[size]
    folders = {layout: where / layout for layout in LAYOUTS}
    subprocess.run(
        [sys.executable, str(MAKE_COURSE), str(folders["native"]), "--seed", "1", "--modules", str(modules)]
        + ["--lessons", str(lessons), "--notebooks", str(notebooks)]
        + ["--mkdocs", str(folders["mkdocs"]), "--jupyter-book", str(folders["jupyter-book"]), "--force"],
        check=True,
        capture_output=True,
    )
    return folders


def edited_lesson(layout: str, folder: Path) -> Path:
    """The first module's first lesson, wherever the layout keeps it."""
    pages = {"native": folder / "content", "mkdocs": folder / "docs", "jupyter-book": folder}[layout]
    return sorted((pages / "module01").glob("01_*.md"))[0]


def build(folder: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "coursegen", "build", "-q", str(folder)], capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"coursegen build {folder} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall


def measure(layout: str, folder: Path) -> dict[str, float]:
    for name in ("site", ".coursegen-cache"):
        shutil.rmtree(folder / name, ignore_errors=True)
    times = {"clean": build(folder), "noop": build(folder)}
    lesson = edited_lesson(layout, folder)
    original = lesson.read_bytes()
    time.sleep(0.01)
    lesson.write_bytes(original + EDIT.encode("utf-8"))
    try:
        times["edit"] = build(folder)
    finally:
        lesson.write_bytes(original)
    build(folder)  # untimed: back to the original site
    return times


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def table(runs: dict[str, list[dict[str, float]]]) -> str:
    lines = [
        "| case | native | MkDocs in place | ratio | Jupyter Book in place | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for case in CASES:
        values = {layout: [run[case] for run in runs[layout]] for layout in LAYOUTS}
        native = statistics.median(values["native"])
        cells = [cell(values["native"])]
        for layout in LAYOUTS[1:]:
            cells += [cell(values[layout]), f"{statistics.median(values[layout]) / native:.2f}×"]
        lines.append(f"| {case} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=list(SIZES), default="medium")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="where to write the measurements")
    args = parser.parse_args()
    started = _dt.datetime.now(_dt.timezone.utc)
    runs: dict[str, list[dict[str, float]]] = {layout: [] for layout in LAYOUTS}
    with tempfile.TemporaryDirectory(prefix="coursegen-in-place-") as where:
        folders = generate(args.size, Path(where))
        for round_number in range(args.repeat):
            order = LAYOUTS[round_number % 3 :] + LAYOUTS[: round_number % 3]  # nobody always goes first
            for layout in order:
                runs[layout].append(measure(layout, folders[layout]))
                print(f"round {round_number + 1}, {layout}: {runs[layout][-1]}", file=sys.stderr)
    report = table(runs)
    print(
        f"{args.size} course ({'/'.join(map(str, SIZES[args.size]))} modules/lessons/notebooks), "
        f"{args.repeat} rounds, medians (min–max), load average at the end {os.getloadavg()[0]:.2f}:\n"
    )
    print(report)
    out = args.json or REPO / "benchmarks/results" / f"{started:%Y%m%dT%H%M%SZ}-in-place.json"
    out.write_text(
        json.dumps({"size": args.size, "started": started.isoformat(), "runs": runs}, indent=1) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
