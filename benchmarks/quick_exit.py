"""Does the quick exit pay for itself? `coursegen` (cli.run: main(), then os._exit once every exit
handler ran) against the same main() ended by a plain `sys.exit` (Python tears the heap down).

    python benchmarks/quick_exit.py [--size large] [--repeat 9]

docs/architecture.md, "Shortcuts kept for speed", keeps the quick exit only while a measurement
shows it matters. This script freezes the work tree's coursegen (as benchmarks/signatures.py does),
builds the course of `make_course.py --seed 1` once, then alternates the two ways of ending on the
same course: a no-op rebuild each, then a one-lesson edit each (a sentence appended to the same
lesson; both sides see the same number of edits, and the edit builds the same pages). Each build is
a fresh process of this venv's Python. It prints medians (min–max) of wall and CPU time and the
ratio plain ÷ quick, and writes the raw times to benchmarks/results/<UTC time>-quick-exit.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from signatures import REPO, freeze_work_tree, make_course  # noqa: E402

ENDINGS = {
    "quick exit": ["-m", "coursegen"],  # cli.run, what the `coursegen` command runs
    "plain exit": ["-c", "import sys; from coursegen.cli import main; sys.exit(main(sys.argv[1:]))"],
}


def build(src: Path, course: Path, ending: str) -> dict[str, float]:
    """Wall time and CPU time (user + system) of one build process ended the given way."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("COURSEGEN_VERIFY", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [sys.executable, *ENDINGS[ending], "build", str(course), "-q"]
    subprocess.run(command, env=env, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=["medium", "large"], default="large")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--make-course", type=Path, default=Path("/work/shared/bench/make_course.py"))
    args = parser.parse_args()
    times: dict[str, dict[str, list[dict]]] = {ending: {"noop": [], "edit": []} for ending in ENDINGS}
    with tempfile.TemporaryDirectory(prefix="coursegen-quick-exit-") as scratch:
        scratch = Path(scratch)
        src = freeze_work_tree(scratch / "work")
        course = make_course(args.make_course, args.size, scratch / "course")
        lesson = sorted((course / "content").rglob("*.md"))[5]
        build(src, course, "quick exit")  # the clean build, not measured
        for round_ in range(args.repeat):
            for ending in ENDINGS:
                times[ending]["noop"].append(build(src, course, ending))
            for ending in ENDINGS:
                lesson.write_text(
                    lesson.read_text(encoding="utf-8") + f"\nUne phrase ({round_}, {ending}).\n"
                )
                times[ending]["edit"].append(build(src, course, ending))
    for case in ("noop", "edit"):
        for measure in ("wall", "cpu"):
            values = {ending: [run[measure] for run in runs[case]] for ending, runs in times.items()}
            medians = {ending: statistics.median(found) for ending, found in values.items()}
            cells = [f"{e} {medians[e]:.3f} s ({min(v):.2f}–{max(v):.2f})" for e, v in values.items()]
            ratio = medians["plain exit"] / medians["quick exit"]
            print(f"{case} {measure}: " + ", ".join(cells) + f"; plain ÷ quick {ratio:.3f}")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = REPO / "benchmarks" / "results" / f"{stamp}-quick-exit.json"
    record = {"size": args.size, "load": os.getloadavg(), "times": times}
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"raw times: {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
