"""Notebook execution: 40 notebooks of about 2 s each, on this machine with -j 2 vs on a Dask
LocalCluster of 4 single-threaded worker processes (on this same machine), and the cache hit rate
of a second build. Prints a Markdown section for BENCHMARKS.md and writes the raw figures to
benchmarks/results/<time>-execution.json.

    .venv/bin/python benchmarks/execution.py [--notebooks 40] [--seconds 2]

Each notebook sleeps for half its time (waiting, as for a download or a remote database) and
computes for the other half (a pure-Python loop: one core); it reads a CSV of its folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat

from coursegen.build import BuildOptions, build
from coursegen.cache import CACHE_DIR

RESULTS = Path(__file__).parent / "results"


def notebook(index: int, seconds: float) -> str:
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# Séance {index}"),
        nbformat.v4.new_code_cell(
            "import csv, time\nlignes = list(csv.DictReader(open('mesures.csv')))\nlen(lignes)"
        ),
        nbformat.v4.new_code_cell(
            f"time.sleep({seconds / 2})\nfin = time.process_time() + {seconds / 2}\nn = 0\nwhile time.process_time() < fin:\n    n += 1\nprint('ok')"
        ),
    ]
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number}"
    return nbformat.writes(nb)


def make_course(root: Path, count: int, seconds: float) -> None:
    (root / "content").mkdir(parents=True)
    (root / "content/index.md").write_text("# Banc d'essai\n", encoding="utf-8")
    (root / "course.yml").write_text("title: Banc d'essai\nlanguage: fr\n", encoding="utf-8")
    for index in range(count):
        folder = root / "notebooks" / f"module{index // 5 + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"seance{index:02d}.ipynb").write_text(notebook(index, seconds), encoding="utf-8")
        (folder / "mesures.csv").write_text(
            "t,valeur\n" + "".join(f"{t},{t * 0.5}\n" for t in range(200)), encoding="utf-8"
        )


def timed_build(root: Path, **options) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    result = build(root, None, BuildOptions(execute=True, **options))
    seconds = time.perf_counter() - started
    assert not result.diagnostics.errors, [d.format() for d in result.diagnostics.errors]
    counts: dict[str, int] = {}
    for record in result.runs:
        counts[record.status] = counts.get(record.status, 0) + 1
    return seconds, counts


def forget_runs(root: Path) -> None:
    for name in ("executed", "bodies", "bodies-index.txt"):
        path = root / CACHE_DIR / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    from distributed import LocalCluster

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="coursegen-bench-exec-") as scratch:
        root = Path(scratch) / "cours"
        make_course(root, args.notebooks, args.seconds)
        local_seconds, local_counts = timed_build(root, jobs=2)
        forget_runs(root)
        with LocalCluster(
            n_workers=4, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster:
            cluster_seconds, cluster_counts = timed_build(root, jobs=2, executor=cluster.scheduler_address)
            again_seconds, again_counts = timed_build(root, jobs=2, executor=cluster.scheduler_address)
        laptop_seconds, laptop_counts = timed_build(root, jobs=2)  # the cluster's results, reused here
    figures = {
        "notebooks": args.notebooks,
        "seconds_each": args.seconds,
        "cores": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "local_j2": {"seconds": local_seconds, "statuses": local_counts},
        "cluster_4x1": {"seconds": cluster_seconds, "statuses": cluster_counts},
        "cluster_second_build": {"seconds": again_seconds, "statuses": again_counts},
        "local_after_cluster": {"seconds": laptop_seconds, "statuses": laptop_counts},
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(exist_ok=True)
    name = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-execution.json"
    (RESULTS / name).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    hits = again_counts.get("cached", 0) / args.notebooks
    print(f"local -j 2: {local_seconds:.1f} s {local_counts}")
    print(
        f"LocalCluster 4x1: {cluster_seconds:.1f} s {cluster_counts}; ratio local/cluster {local_seconds / cluster_seconds:.2f}"
    )
    print(
        f"second build on the cluster: {again_seconds:.1f} s, hit rate {hits:.0%}; on this machine after: {laptop_seconds:.1f} s {laptop_counts}"
    )
    print(f"raw: benchmarks/results/{name}")


if __name__ == "__main__":
    main()
