"""What print pages cost a clean build: the example course (this repository) built with them (the
default) and with `print: false` in course.yml, each build a fresh process with no cache.

    python benchmarks/print_pages.py [--repeat 5] [--jobs 1]

The course is copied twice into a temporary folder (the second copy with `print: false`); runs
alternate between the two. The medians and the ratio are printed and written to
benchmarks/results/<UTC time>-print-pages.json. Goal: print pages add at most 15 % (issue #14).
Also reported: a rebuild with nothing changed (the print pages are kept as they are), and the print
stage's own time within a clean build and a no-op rebuild, measured inside the build process (on
a loaded machine the two medians above wander by more than the stage costs).
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSE_PARTS = ("content", "notebooks", "course.yml")


def copy_course(target: Path, print_pages: bool) -> Path:
    target.mkdir(parents=True)
    for part in COURSE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    if not print_pages:
        config = target / "course.yml"
        config.write_text(config.read_text(encoding="utf-8") + "print: false\n", encoding="utf-8")
    return target


def timed_build(course: Path, jobs: int, clean: bool) -> float:
    command = [sys.executable, "-m", "coursegen", "build", str(course), "-q", "-j", str(jobs)]
    if clean:
        command.append("--clean")
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


STAGE_SCRIPT = """
import json, sys, time
from pathlib import Path
import coursegen.build as build
spent = []
stage = build.print_stage
def timed(*args, **kwargs):
    started = time.perf_counter()
    try:
        return stage(*args, **kwargs)
    finally:
        spent.append(time.perf_counter() - started)
build.print_stage = timed
result = build.build(Path(sys.argv[1]), None, build.BuildOptions(jobs=int(sys.argv[2])))
print(json.dumps({"stage": sum(spent), "build": result.seconds}))
"""


def stage_share(course: Path, jobs: int) -> dict[str, float]:
    """The print stage's own time within one build (in a fresh process, this machine's load aside)."""
    done = subprocess.run(
        [sys.executable, "-c", STAGE_SCRIPT, str(course), str(jobs)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coursegen-print-bench-") as folder:
        courses = {
            "with print pages": copy_course(Path(folder) / "with", True),
            "print: false": copy_course(Path(folder) / "without", False),
        }
        clean: dict[str, list[float]] = {name: [] for name in courses}
        noop: dict[str, list[float]] = {name: [] for name in courses}
        for _ in range(args.repeat):
            for name, course in courses.items():  # alternate: a slower minute hits both cases
                clean[name].append(timed_build(course, args.jobs, clean=True))
                noop[name].append(timed_build(course, args.jobs, clean=False))
        shutil.rmtree(courses["with print pages"] / ".coursegen-cache")
        shutil.rmtree(courses["with print pages"] / "site")
        clean_stage = stage_share(courses["with print pages"], args.jobs)
        noop_stage = stage_share(courses["with print pages"], args.jobs)
        figures = {
            case: {name: statistics.median(times[name]) for name in courses}
            for case, times in (("clean", clean), ("no-op rebuild", noop))
        }
    for case, medians in figures.items():
        ratio = medians["with print pages"] / medians["print: false"]
        print(
            f"{case:14} with print pages {medians['with print pages']:.2f} s, "
            f"print: false {medians['print: false']:.2f} s, ratio {ratio:.3f}"
        )
    for case, share in (("clean", clean_stage), ("no-op rebuild", noop_stage)):
        print(
            f"{case:14} print stage {share['stage']:.3f} s of a {share['build']:.2f} s build "
            f"({100 * share['stage'] / share['build']:.1f} %)"
        )
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = REPO / "benchmarks" / "results" / f"{stamp}-print-pages.json"
    out.write_text(
        json.dumps(
            {
                "repeat": args.repeat,
                "jobs": args.jobs,
                "clean": clean,
                "noop": noop,
                "medians": figures,
                "print_stage": {"clean": clean_stage, "noop": noop_stage},
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
