"""Text notebooks against the same notebooks saved as `.ipynb`: clean and no-op builds.

Two copies of the medium synthetic course (`make_course.py --seed 1`, 200 lessons, 20 notebooks):
in one, every notebook is kept as a jupytext text notebook (half MyST `.md`, half percent `.py`,
converted with jupytext from the generated `.ipynb`); in the other, as generated. Each is built
clean, then with nothing changed, `--repeat` times, alternating, in fresh processes (`-j 1`, so
that the figures compare the work done rather than the scheduling of worker processes). Prints
medians of wall and CPU time (user + system, the more robust figure on a shared machine).

    .venv/bin/python benchmarks/text_notebooks.py --repeat 5
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

REPO = Path(__file__).resolve().parent.parent
MAKE_COURSE = REPO.parent / "shared" / "bench" / "make_course.py"


def as_text_notebooks(course: Path) -> int:
    """Every `.ipynb` under notebooks/ rewritten by jupytext as `.md` (MyST) or `.py` (percent)."""
    import jupytext

    notebooks = sorted((course / "notebooks").rglob("*.ipynb"))
    for number, path in enumerate(notebooks):
        notebook = jupytext.read(path)
        suffix, fmt = (".md", "md:myst") if number % 2 == 0 else (".py", "py:percent")
        jupytext.write(notebook, path.with_suffix(suffix), fmt=fmt)
        path.unlink()
    return len(notebooks)


def timed_build(course: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "coursegen", "build", str(course), "-q", "-j", "1"],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def clean(course: Path) -> None:
    for name in ("site", ".coursegen-cache"):
        shutil.rmtree(course / name, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lessons", type=int, default=200)
    parser.add_argument("--notebooks", type=int, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coursegen-textnb-bench-") as scratch:
        base = Path(scratch) / "ipynb"
        subprocess.run(
            [
                sys.executable,
                str(MAKE_COURSE),
                "--modules",
                "10",
                "--lessons",
                str(options.lessons),
                "--notebooks",
                str(options.notebooks),
                "--seed",
                "1",
                str(base),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        text = Path(scratch) / "text"
        shutil.copytree(base, text)
        converted = as_text_notebooks(text)
        courses = {"ipynb": base, "text": text}
        figures: dict[str, list[tuple[float, float]]] = {}
        for _ in range(options.repeat):
            for name, course in courses.items():
                clean(course)
                figures.setdefault(f"{name} clean", []).append(timed_build(course))
        time.sleep(2.5)  # stamps are trusted once files are 2 s old
        for _ in range(options.repeat):
            for name, course in courses.items():
                figures.setdefault(f"{name} no-op", []).append(timed_build(course))
    print(
        f"{options.lessons} lessons, {converted} notebooks; load average at the end: {os.getloadavg()[0]:.1f}"
    )
    for label, values in figures.items():
        wall = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"{label:12s} wall {wall:6.2f} s  CPU {cpu:6.2f} s  (n={len(values)})")


if __name__ == "__main__":
    main()
