"""Does the MyST/Material support cost a course that does not use it? Clean builds of the example
course (this repository's content/ and notebooks/), alternating two coursegen source trees.

    .venv/bin/python benchmarks/flavor_overhead.py BASELINE_SRC CANDIDATE_SRC [--repeat 7] [--course DIR]

Each build is a fresh process (`python -m coursegen build --clean -q -j 1`) with PYTHONPATH set to one
tree's `src/`, on its own copy of the course; the trees alternate so that the machine's load falls
on both alike. Prints each tree's median and min–max wall and CPU time, and their ratios.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def copy_course(source: Path, target: Path) -> Path:
    for name in ("content", "notebooks", "templates", "static"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=shutil.ignore_patterns(".*"))
    for name in ("course.yml", "references.bib"):
        if (source / name).is_file():
            shutil.copy2(source / name, target / name)
    return target


def build_seconds(src: Path, course: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one clean build; CPU (user + system of the build's processes) is the
    steadier figure on a shared machine."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "coursegen", "build", str(course), "--clean", "-q", "-j", "1"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("baseline", type=Path, help="src/ of the tree to compare with (e.g. main)")
    parser.add_argument("candidate", type=Path, help="src/ of the tree measured")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--course", type=Path, default=REPO, help="the course to build (default: the example)"
    )
    args = parser.parse_args()
    times: dict[str, list[tuple[float, float]]] = {"baseline": [], "candidate": []}
    with tempfile.TemporaryDirectory() as work:
        courses = {name: copy_course(args.course, Path(work) / name) for name in times}
        for name, src in (("baseline", args.baseline), ("candidate", args.candidate)):
            build_seconds(src.resolve(), courses[name])  # warm the file cache and the bytecode
        for _ in range(args.repeat):
            for name, src in (("baseline", args.baseline), ("candidate", args.candidate)):
                times[name].append(build_seconds(src.resolve(), courses[name]))
    for which, label in ((0, "wall"), (1, "CPU")):
        medians = {}
        for name, runs in times.items():
            values = [run[which] for run in runs]
            medians[name] = statistics.median(values)
            print(
                f"{label:4} {name:9} median {medians[name]:.3f} s  (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"
            )
        print(f"{label:4} candidate / baseline: {medians['candidate'] / medians['baseline']:.3f}")


if __name__ == "__main__":
    main()
