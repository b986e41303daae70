"""Build time of a math-heavy course: coursegen now (Temml in V8) against a baseline commit
(latex2mathml, before Temml), on the same generated course.

    python benchmarks/math_build.py --baseline 6c6b079 [--lessons 100 --formulas 20 --repeat 3]

The course: `--lessons` lessons in modules of ten, each with `--formulas` formulas taken in turn
from tests/math_corpus/formulas.yml (inline and display, aligned, cases, matrices…), each made
unique to its lesson, between paragraphs of text. The baseline is frozen with `git archive` and
run from its own `src/` (it needs latex2mathml: pip install latex2mathml). Each build is a fresh
process (`python -m coursegen build`), so the JavaScript engine's start-up is counted. Cases: a
clean build (no cache) with -j 1 and with -j 2, and a rebuild after one lesson's text changed.
Runs alternate baseline / current; medians and the ratio current ÷ baseline are printed and
written to benchmarks/results/math-build-<UTC time>.json.
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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "math_corpus"))

from structure import load_corpus  # noqa: E402

PARAGRAPH = "Le modèle apprend ses paramètres en minimisant une perte sur les données d'entraînement ; on vérifie ensuite qu'il généralise."


def make_course(root: Path, lessons: int, formulas_per_lesson: int) -> None:
    macros, formulas = load_corpus()
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    lines = ["title: Cours de maths", "language: fr", "math:", "  macros:"]
    lines += [f"    {json.dumps(name)}: {json.dumps(body)}" for name, body in macros.items()]
    (root / "course.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "content/index.md").write_text("# Cours de maths\n", encoding="utf-8")
    turn = 0
    for lesson in range(lessons):
        module = root / "content" / f"module{lesson // 10 + 1:02d}"
        module.mkdir(exist_ok=True)
        parts = [f"# Leçon {lesson + 1}\n"]
        for _ in range(formulas_per_lesson):
            formula = formulas[turn % len(formulas)]
            turn += 1
            tex = f"{formula['tex'].strip()} + {lesson}"  # unique to the lesson: no cache shared between lessons
            parts.append(PARAGRAPH)
            parts.append(f"Soit ${tex}$." if formula.get("inline") else f"$$\n{tex}\n$$")
        (module / f"lecon{lesson + 1:03d}.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")


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


def build_once(checkout: Path, course: Path, out: Path, jobs: int, clean: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build and its worker processes)."""
    if clean:
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


def edit_one_lesson(course: Path, run: int) -> None:
    lesson = next((course / "content").glob("module01/lecon001.md"))
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + f"\nUne phrase de plus ({run}).\n", encoding="utf-8"
    )


def measure(checkouts: dict[str, Path], course: Path, workdir: Path, repeat: int) -> dict:
    """{checkout: {case: [(wall, cpu) of each run]}}"""
    times: dict[str, dict[str, list[tuple[float, float]]]] = {
        name: {"clean -j 1": [], "clean -j 2": [], "one lesson edited": []} for name in checkouts
    }
    for run in range(repeat):
        for name, checkout in checkouts.items():  # alternated, so a busy moment hurts both
            out = workdir / f"site-{name}"
            times[name]["clean -j 1"].append(build_once(checkout, course, out, 1, clean=True))
            times[name]["clean -j 2"].append(build_once(checkout, course, out, 2, clean=True))
            edit_one_lesson(course, run)
            times[name]["one lesson edited"].append(build_once(checkout, course, out, 2, clean=False))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--baseline", required=True, help="commit to compare with (e.g. the last one before Temml)"
    )
    parser.add_argument("--lessons", type=int, default=100)
    parser.add_argument("--formulas", type=int, default=20, help="formulas per lesson")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/coursegen-math-bench"))
    args = parser.parse_args()
    workdir = args.workdir
    course = workdir / "course"
    make_course(course, args.lessons, args.formulas)
    checkouts = {"baseline": freeze(args.baseline, workdir / "baseline"), "current": REPO}
    load_before = f"{os.getloadavg()[0]:.1f}"
    times = measure(checkouts, course, workdir, args.repeat)
    # medians, and the best wall time (the run least slowed by whatever else the machine was doing)
    medians = {
        name: {
            case: {
                "wall": statistics.median(w for w, _ in runs),
                "best_wall": min(w for w, _ in runs),
                "cpu": statistics.median(c for _, c in runs),
            }
            for case, runs in cases.items()
        }
        for name, cases in times.items()
    }
    print(
        f"{args.lessons} lessons × {args.formulas} formulas, baseline {args.baseline}, {args.repeat} runs each (seconds; load average {load_before} → {os.getloadavg()[0]:.1f})"
    )
    print(
        f"{'case':<18} {'median wall':>12} {'ratio':>6}   {'best wall':>12} {'ratio':>6}   {'median CPU':>12} {'ratio':>6}"
    )
    for case in medians["baseline"]:
        before, after = medians["baseline"][case], medians["current"][case]
        cells = [
            f"{before[k]:>5.2f} → {after[k]:>4.2f} {after[k] / before[k]:>6.2f}"
            for k in ("wall", "best_wall", "cpu")
        ]
        print(f"{case:<18} " + "   ".join(cells))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    results = REPO / "benchmarks" / "results" / f"math-build-{stamp}.json"
    results.parent.mkdir(exist_ok=True)
    payload = {
        "baseline": args.baseline,
        "lessons": args.lessons,
        "formulas_per_lesson": args.formulas,
        "load_average": [load_before, os.getloadavg()[0]],
        "times": times,
        "summary": medians,
    }
    results.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"raw times: {results.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
