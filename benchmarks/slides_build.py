"""What slide decks cost: the clean build of the example course with and without decks, and the
weight of a deck page against its lesson page.

    python benchmarks/slides_build.py [--baseline 098f9ad] [--repeat 5] [--jobs 2]

Cases, each a fresh process (`python -m coursegen build -j JOBS`) on a copy of the repository's
example course (content/, notebooks/, course.yml) with no cache and no site (a clean build):

- `baseline, no deck`: the code at `--baseline` (the last commit before decks, frozen with
  `git archive`), on the course without `slides:` — what a course paid before;
- `no deck`: the current code on the same course — decks must cost nothing when unused;
- `one deck`: the example course as it is in the repository (one lesson with `slides: true`);
- `every lesson`: `slides: true` in course.yml — every lesson gets a deck (the most decks can cost).

Runs alternate between the cases, so a busy moment of the machine hurts them all; medians and the
best time of each are printed with their ratio to `no deck` (goal: decks add at most 15 %), then
the bytes a browser loads for the example deck and for its lesson (HTML and every local file the
page links, raw and gzip). Raw figures go to benchmarks/results/slides-build-<UTC time>.json.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import io
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LESSON = "content/module6/02_mecanismes_attention.md"
DECK_PAGE = "module6/02_mecanismes_attention.slides.html"
LESSON_PAGE = "module6/02_mecanismes_attention.html"
CASES = ("baseline, no deck", "no deck", "one deck", "every lesson")


def copy_course(target: Path, slides: str) -> Path:
    """The example course; `slides`: "none" (no `slides:` anywhere), "one" (as it is), "all"."""
    if target.exists():
        shutil.rmtree(target)
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, target / folder, ignore=shutil.ignore_patterns(".*"))
    course_yml = (REPO / "course.yml").read_text(encoding="utf-8")
    if slides == "all":
        course_yml += "slides: true\n"
    (target / "course.yml").write_text(course_yml, encoding="utf-8")
    if slides == "none":
        lesson = target / LESSON
        lesson.write_text(
            lesson.read_text(encoding="utf-8").replace("\nslides: true\n", "\n"), encoding="utf-8"
        )
    return target


def freeze(ref: str, target: Path) -> Path:
    """The repository's src/, templates/ and static/ at `ref`, unpacked into `target`."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "src", "templates", "static"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def clean_build(checkout: Path, course: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build and its worker processes) with no cache and no site.
    On a busy machine the CPU time says more than the wall time: it does not count the waiting."""
    shutil.rmtree(course / ".coursegen-cache", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    cpu_before = _children_cpu()
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "coursegen", "build", str(course), "-o", str(out), "-j", str(jobs), "-q"],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


_LOCAL = re.compile(r'(?:href|src)="([^"#?:]+)"')


def page_weight(site: Path, page: str) -> dict:
    """Bytes a browser loads for `page`: its HTML and the local stylesheets and scripts it links."""
    html = (site / page).read_text(encoding="utf-8")
    files = [site / page]
    for link in _LOCAL.findall(html):
        if link.endswith((".css", ".js", ".woff2")):
            files.append((site / page).parent / link)
    raw = sum(path.stat().st_size for path in files)
    packed = sum(len(gzip.compress(path.read_bytes(), 6)) for path in files)
    return {"files": [os.path.relpath(f, site) for f in files], "bytes": raw, "gzip": packed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="098f9ad", help="the last commit before decks")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/coursegen-slides-bench"))
    args = parser.parse_args()
    work = args.workdir
    baseline = freeze(args.baseline, work / "baseline")
    setups = {
        "baseline, no deck": (baseline, copy_course(work / "course-none-baseline", "none")),
        "no deck": (REPO, copy_course(work / "course-none", "none")),
        "one deck": (REPO, copy_course(work / "course-one", "one")),
        "every lesson": (REPO, copy_course(work / "course-all", "all")),
    }
    load_before = os.getloadavg()[0]
    times: dict[str, list[tuple[float, float]]] = {case: [] for case in CASES}
    for _ in range(args.repeat):
        for case in CASES:
            checkout, course = setups[case]
            times[case].append(clean_build(checkout, course, work / f"site-{CASES.index(case)}", args.jobs))
    summary = {
        case: {
            "median wall": statistics.median(wall for wall, _ in runs),
            "best wall": min(wall for wall, _ in runs),
            "median CPU": statistics.median(cpu for _, cpu in runs),
        }
        for case, runs in times.items()
    }
    reference = summary["no deck"]
    print(
        f"example course, clean build -j {args.jobs}, {args.repeat} runs each (seconds; load average "
        f"{load_before:.1f} → {os.getloadavg()[0]:.1f})"
    )
    print(f"{'case':<20}" + "".join(f" {name:>12} {'ratio':>6}" for name in reference))
    for case in CASES:
        row = summary[case]
        print(
            f"{case:<20}"
            + "".join(f" {row[name]:>12.2f} {row[name] / reference[name]:>6.2f}" for name in row)
        )
    site = work / f"site-{CASES.index('one deck')}"
    weights = {"deck": page_weight(site, DECK_PAGE), "lesson": page_weight(site, LESSON_PAGE)}
    for name, weight in weights.items():
        print(
            f"{name} page: {weight['bytes']:,} bytes, {weight['gzip']:,} gzipped ({len(weight['files'])} files)"
        )
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    results = REPO / "benchmarks" / "results" / f"slides-build-{stamp}.json"
    results.parent.mkdir(exist_ok=True)
    payload = {
        "baseline": args.baseline,
        "jobs": args.jobs,
        "load_average": [load_before, os.getloadavg()[0]],
        "times": times,
        "summary": summary,
        "page_weight": weights,
    }
    results.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"raw figures: {results.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
