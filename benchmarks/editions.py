"""What the editions (learner / instructor, course.yml `solutions:`) cost a build that does not use
them: the example course (this repository's content/, notebooks/, course.yml) built by coursegen
now and by a baseline commit from before the editions, on the same copy of the course.

    python benchmarks/editions.py --baseline 098f9ad [--repeat 5]

Cases, each a fresh process (`python -m coursegen build`): a clean build (no cache, no site) with
-j 1 and with -j 2, and a no-op rebuild. Runs alternate baseline / current, so a busy moment of
the shared machine hurts both; medians and the ratio current ÷ baseline are printed. Then, for
information, the current instructor's edition (clean, -j 2). Raw times go to
benchmarks/results/editions-<UTC time>.json. The checkouts and the course are frozen and built
as benchmarks/math_build.py does (`freeze`, `build_once`).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from math_build import _children_cpu, build_once, freeze  # benchmarks/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parents[1]
CASES = ("clean -j 1", "clean -j 2", "no-op rebuild")


def copy_example_course(target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, target / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(REPO / "course.yml", target / "course.yml")
    return target


def measure(checkouts: dict[str, Path], course: Path, workdir: Path, repeat: int) -> dict:
    """{checkout: {case: [(wall, cpu) of each run]}}"""
    times: dict[str, dict[str, list]] = {name: {case: [] for case in CASES} for name in checkouts}
    for _ in range(repeat):
        for name, checkout in checkouts.items():
            out = workdir / f"site-{name}"
            times[name]["clean -j 1"].append(build_once(checkout, course, out, 1, clean=True))
            times[name]["clean -j 2"].append(build_once(checkout, course, out, 2, clean=True))
            times[name]["no-op rebuild"].append(build_once(checkout, course, out, 2, clean=False))
    return times


def instructor_build(course: Path, out: Path) -> tuple[float, float]:
    """The current instructor's edition, clean: no cache, no site."""
    shutil.rmtree(course / ".coursegen-cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cpu_before, began = _children_cpu(), time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "coursegen",
            "build",
            str(course),
            "-o",
            str(out),
            "--audience",
            "instructor",
            "-q",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began, _children_cpu() - cpu_before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, help="a commit from before the editions (e.g. 098f9ad)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/coursegen-editions-bench"))
    args = parser.parse_args()
    course = copy_example_course(args.workdir / "course")
    checkouts = {"baseline": freeze(args.baseline, args.workdir / "baseline"), "current": REPO}
    load_before = os.getloadavg()[0]
    times = measure(checkouts, course, args.workdir, args.repeat)
    instructor = [instructor_build(course, args.workdir / "site-instructor") for _ in range(args.repeat)]
    summary = {
        name: {
            case: {
                "wall": statistics.median(w for w, _ in runs),
                "cpu": statistics.median(c for _, c in runs),
            }
            for case, runs in cases.items()
        }
        for name, cases in times.items()
    }
    print(
        f"example course, baseline {args.baseline}, {args.repeat} runs each "
        f"(seconds; load average {load_before:.1f} → {os.getloadavg()[0]:.1f})"
    )
    print(f"{'case':<15} {'median wall':>16} {'ratio':>6}   {'median CPU':>16} {'ratio':>6}")
    for case in CASES:
        before, after = summary["baseline"][case], summary["current"][case]
        cells = [
            f"{before[k]:>6.2f} → {after[k]:>5.2f} {after[k] / before[k]:>6.2f}" for k in ("wall", "cpu")
        ]
        print(f"{case:<15} " + "   ".join(cells))
    walls, cpus = [w for w, _ in instructor], [c for _, c in instructor]
    print(
        f"instructor's edition, clean -j 2: median wall {statistics.median(walls):.2f}, CPU {statistics.median(cpus):.2f}"
    )
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    results = REPO / "benchmarks" / "results" / f"editions-{stamp}.json"
    results.parent.mkdir(exist_ok=True)
    payload = {"baseline": args.baseline, "times": times, "instructor": instructor, "summary": summary}
    results.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"raw times: {results.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
