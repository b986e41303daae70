#!/usr/bin/env python3
"""Build-time benchmark: coursegen against MkDocs + Material + mkdocs-jupyter and Jupyter Book 1.x.

    .venv/bin/python benchmarks/run.py --sizes small,medium,large --repeat 3

Generates the same synthetic course (/work/shared/bench/make_course.py, --seed 1) for each size
in the coursegen, MkDocs and Jupyter Book layouts, then measures, in ONE run and alternating the
tools (A B C A B C …), four cases:

    clean     output AND caches deleted first (coursegen: site/ + .coursegen-cache/,
              MkDocs: site/ + .cache/ (mkdocs-jupyter's notebook cache), Jupyter Book: _build/); coursegen also with -j1 (default: one job a core)
    noop      the same build again, nothing changed (MkDocs: `mkdocs build --dirty`)
    lesson    a sentence appended to one lesson's Markdown, then rebuilt (MkDocs: --dirty)
    notebook  one Markdown cell of one notebook changed, then rebuilt (MkDocs: --dirty)

After an edit run the file is restored and the tool rebuilds once, untimed for the tables (recorded
as `resync`), so that every run starts from a site built from the original files.

Every build runs in a fresh subprocess (its own session). Wall time is measured around it; memory
is measured two ways: `maxrss`, the peak RSS of the largest single process of the tree (from
wait4(), like `/usr/bin/time -f %M`), and `tree_pss`, the peak of the summed PSS of every process
of the build's session, sampled every 0.1 s from /proc (coursegen's worker processes are
separate processes: this is the memory the whole build needs at once). CPU time (user + sys of the
whole tree) is recorded too.

Also measured: size on disk of each site (du), the weight of the lesson pages' HTML, the cost of
converting a notebook compared with nbconvert's own HTMLExporter (largest size measured only), and
a cProfile of coursegen's clean and one-lesson-edit builds (largest size, -j1), summarised by stage,
and (with the large size, or --linearity) coursegen alone on a 1,000- and a 5,000-lesson course (100
lessons a module, no notebooks: clean ×1, no-op ×3, one-lesson edit ×3, with `build -v`'s time by
stage), to show that no step grows faster than the course.

Results: benchmarks/results/<UTC time>.json (every measurement, raw) and BENCHMARKS.md, rewritten
from that JSON (`--report-only FILE.json` rewrites it again without measuring).

Peers are installed in their own virtualenv (default: .peers-venv/ at the repository root), created
here from benchmarks/requirements-peers.txt when missing.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
REQUIREMENTS = REPO / "benchmarks" / "requirements-peers.txt"
DEFAULT_MAKE_COURSE = Path("/work/shared/bench/make_course.py")

SIZES = {  # modules, lessons, notebooks (totals)
    "small": (1, 5, 2),
    "medium": (10, 200, 20),
    "large": (20, 1000, 100),
}
TOOLS = ("coursegen", "mkdocs", "jupyter-book")
CASES = ("clean", "noop", "lesson", "notebook")
CASE_TITLES = {
    "clean": "Clean build (output and caches deleted)",
    "noop": "No-op rebuild (nothing changed)",
    "lesson": "One-lesson edit (a sentence appended to one lesson)",
    "notebook": "One-notebook edit (one Markdown cell changed)",
}
LABELS = {
    "coursegen": "coursegen",
    "coursegen-j1": "coursegen -j1",
    "mkdocs": "MkDocs + Material + mkdocs-jupyter",
    "jupyter-book": "Jupyter Book 1",
}
SHORT = {
    "coursegen": "coursegen",
    "coursegen-j1": "coursegen -j1",
    "mkdocs": "MkDocs",
    "jupyter-book": "Jupyter Book",
}
PEER_PACKAGES = (
    "mkdocs",
    "mkdocs-material",
    "mkdocs-jupyter",
    "jupyter-book",
    "sphinx",
    "myst-nb",
    "myst-parser",
    "nbconvert",
    "sphinx-book-theme",
    "pymdown-extensions",
    "markdown",
)
COURSEGEN_PACKAGES = (
    "coursegen",
    "nbconvert",
    "nbformat",
    "markdown",
    "pymdown-extensions",
    "jinja2",
    "pygments",
    "mini-racer",
    "pyyaml",
)

# Figures from an earlier run, quoted by the "Performance" issue (clean builds).
REFERENCE = {
    ("mkdocs", "medium", "clean"): "14.5 s / 120 MB",
    ("mkdocs", "large", "clean"): "89.8 s / 300 MB",
    ("jupyter-book", "medium", "clean"): "49.7 s / 205 MB",
    ("jupyter-book", "large", "clean"): "14 min 37 s / 568 MB",
    ("mkdocs", "large", "lesson"): "6.4 s",
    ("jupyter-book", "large", "lesson"): "11.1 s",
}

GOALS = {
    "vs_mkdocs": 6.0,  # clean build at least this many times faster than MkDocs
    "vs_jb": 60.0,  # … and than Jupyter Book 1
    "floor_seconds": 10.0,  # the issue's two-core floor for the large clean build
    "floor_factor": 1.3,
    "memory_mb": 400.0,
    "noop_s": 1.0,
    "lesson_s": 0.5,
    "notebook_factor": 1.3,
    "site_mb": 60.0,
    "page_growth": 1.10,  # "page weight not growing": large median lesson page ≤ 1.10 × small's
}

EDIT_SENTENCE = "\n\nPhrase ajoutée par le banc d'essai (essai {n}) : rien d'autre ne change.\n"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# Running one build: wall time, peak memory of the process tree, CPU time
# ------------------------------------------------------------------------------------------------


class TreeSampler(threading.Thread):
    """Peak of the summed PSS (and RSS) of every process in a session, sampled from /proc."""

    def __init__(self, session: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.session = session
        self.interval = interval
        self.stop = threading.Event()
        self.peak_pss_kb = 0
        self.peak_rss_kb = 0
        self.peak_processes = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def sample(self) -> None:
        pss = rss = count = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                if int(fields[3]) != self.session:  # fields after "(comm)": state ppid pgrp session …
                    continue
                with open(f"/proc/{entry.name}/smaps_rollup", "rb") as handle:
                    for line in handle:
                        if line.startswith(b"Rss:"):
                            rss += int(line.split()[1])
                        elif line.startswith(b"Pss:"):
                            pss += int(line.split()[1])
                            break
                count += 1
            except (OSError, ValueError, IndexError):
                continue  # the process ended meanwhile
        self.peak_pss_kb = max(self.peak_pss_kb, pss)
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        self.peak_processes = max(self.peak_processes, count)


def run_measured(
    cmd: list[str], cwd: Path, timeout: float, env: dict | None = None, keep_output: bool = False
) -> dict:
    """Run `cmd` in a fresh process (own session); wall time, peak memory, CPU time, output tail
    (and with `keep_output`, the whole of stdout + stderr as "output", for the caller to parse)."""
    with tempfile.TemporaryFile() as output:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        timer.cancel()
        sampler.stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    result = {
        "cmd": " ".join(cmd),
        "wall": round(wall, 4),
        "rc": proc.returncode,
        "timed_out": timed_out.is_set(),
        "maxrss_kb": usage.ru_maxrss,
        "tree_pss_kb": sampler.peak_pss_kb,
        "tree_rss_kb": sampler.peak_rss_kb,
        "processes": sampler.peak_processes,
        "cpu": round(usage.ru_utime + usage.ru_stime, 3),
        "load": round(load, 2),
        "output_tail": text[-3000:] if (proc.returncode or timed_out.is_set()) else text[-1000:],
    }
    if keep_output:
        result["output"] = text
    return result


# ------------------------------------------------------------------------------------------------
# The tools
# ------------------------------------------------------------------------------------------------


class Tool:
    name = ""
    site = ""  # site folder, relative to the project folder
    caches: tuple[str, ...] = ()
    docs = ""  # folder holding moduleNN/ with the lessons (relative to the project folder)
    notebook_folder = ""  # where moduleNN's notebooks are, with {module}

    def __init__(self, project: Path, args):
        self.project = project
        self.args = args

    def command(self, case: str) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict:
        return dict(os.environ)

    def clean(self) -> None:
        for rel in (self.site, *self.caches):
            path = self.project / rel
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

    def site_dir(self) -> Path:
        return self.project / self.site

    def lesson_file(self) -> Path:
        return sorted((self.project / self.docs / "module01").glob("[0-9]*.md"))[0]

    def notebook_file(self) -> Path:
        return sorted((self.project / self.notebook_folder.format(module="module01")).glob("*.ipynb"))[0]


class Coursegen(Tool):
    name = "coursegen"
    site = "site"
    caches = (".coursegen-cache",)
    docs = "content"
    notebook_folder = "notebooks/{module}"

    def __init__(self, project: Path, args, jobs: int | None = None):
        super().__init__(project, args)
        self.jobs = jobs
        if jobs:
            self.name = f"coursegen-j{jobs}"

    def command(self, case: str) -> list[str]:
        return [
            self.args.coursegen_python,
            "-m",
            "coursegen",
            "build",
            "-q",
            *(["-j", str(self.jobs)] if self.jobs else []),
            ".",
        ]

    def env(self) -> dict:
        return coursegen_env(self.args)


class MkDocs(Tool):
    name = "mkdocs"
    site = "site"
    caches = (
        ".cache",
    )  # mkdocs-jupyter keeps converted notebooks in .cache/mkdocs-jupyter/ (Material's plugins use .cache/ too)
    docs = "docs"
    notebook_folder = "docs/{module}/notebooks"

    def command(self, case: str) -> list[str]:
        return [
            str(self.args.peers_venv / "bin" / "mkdocs"),
            "build",
            "-q",
            *(["--dirty"] if case != "clean" else []),
        ]

    def env(self) -> dict:
        return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


class JupyterBook(Tool):
    name = "jupyter-book"
    site = "_build/html"
    caches = ("_build",)
    docs = "."
    notebook_folder = "{module}/notebooks"

    def command(self, case: str) -> list[str]:
        return [str(self.args.peers_venv / "bin" / "jupyter-book"), "build", ".", "-q"]


def snapshot_coursegen(args) -> dict:
    """A frozen copy of coursegen's code and theme, so that edits made in the work tree while the
    benchmark runs (other people work there) neither change the code measured nor invalidate its
    caches. `--coursegen-ref HEAD` (default) takes the last commit; `worktree` the files as they are."""
    info: dict = {"ref": args.coursegen_ref}
    if args.coursegen_ref == "live":
        args.coursegen_snapshot = None
        info["path"] = str(REPO)
    else:
        snap = args.workdir / "coursegen-snapshot"
        if snap.exists():
            shutil.rmtree(snap)
        snap.mkdir(parents=True)
        parts = ["src", "templates", "static", "pyproject.toml"]
        if args.coursegen_ref == "worktree":
            for part in parts:
                source = REPO / part
                (shutil.copytree if source.is_dir() else shutil.copy2)(source, snap / part)
        else:
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", "--format=tar", args.coursegen_ref, *parts],
                capture_output=True,
                check=True,
            )
            subprocess.run(["tar", "-x", "-C", str(snap)], input=archive.stdout, check=True)
        args.coursegen_snapshot = snap
        info["path"] = str(snap)
    # Bytecode compiled ahead, as `pip install` does for every package (the peers' included): a
    # source tree alone would be compiled again at every run when PYTHONDONTWRITEBYTECODE is set
    # (it is on the machines here), ~40 ms that no installed coursegen pays.
    code = (args.coursegen_snapshot or REPO) / "src" / "coursegen"
    compiled = subprocess.run(
        [args.coursegen_python, "-m", "compileall", "-q", str(code)], capture_output=True
    )
    info["bytecode"] = (
        "compiled ahead (compileall), as pip install does"
        if compiled.returncode == 0
        else f"compileall failed: {compiled.stderr[-200:]!r}"
    )
    info["commit"] = sh(
        [
            "git",
            "-C",
            str(REPO),
            "rev-parse",
            "--short",
            "HEAD" if args.coursegen_ref in ("worktree", "live") else args.coursegen_ref,
        ]
    )
    info["subject"] = sh(["git", "-C", str(REPO), "log", "-1", "--format=%s", info["commit"]])
    info["worktree_changes"] = sh(
        ["git", "-C", str(REPO), "status", "--short", "--", "src", "templates", "static"]
    )
    info["imported_from"] = sh(
        [args.coursegen_python, "-c", "import coursegen; print(coursegen.__file__)"], env=coursegen_env(args)
    )
    return info


def coursegen_env(args) -> dict:
    env = dict(os.environ)
    if getattr(args, "coursegen_snapshot", None):
        env["PYTHONPATH"] = os.pathsep.join(
            [str(args.coursegen_snapshot / "src"), *filter(None, [env.get("PYTHONPATH")])]
        )
    return env


def make_tools(folders: dict[str, Path], args) -> dict[str, Tool]:
    tools: dict[str, Tool] = {}
    for name in args.tools:
        if name == "coursegen":
            tools["coursegen"] = Coursegen(folders["coursegen"], args)
            if args.j1:
                tools["coursegen-j1"] = Coursegen(folders["coursegen"], args, jobs=1)
        elif name == "mkdocs":
            tools["mkdocs"] = MkDocs(folders["mkdocs"], args)
        elif name == "jupyter-book":
            tools["jupyter-book"] = JupyterBook(folders["jupyter-book"], args)
    return tools


# ------------------------------------------------------------------------------------------------
# Edits (always restored)
# ------------------------------------------------------------------------------------------------


def edit_lesson(path: Path, n: int) -> bytes:
    original = path.read_bytes()
    path.write_bytes(original + EDIT_SENTENCE.format(n=n).encode("utf-8"))
    return original


def edit_notebook(path: Path, n: int) -> bytes:
    """Append a sentence to one Markdown cell (the second one: the first holds the title)."""
    original = path.read_bytes()
    notebook = json.loads(original)
    cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "markdown"]
    cell = cells[1] if len(cells) > 1 else cells[0]
    source = cell["source"]
    sentence = f" Phrase ajoutée par le banc d'essai (essai {n})."
    if isinstance(source, list):
        source[-1] = source[-1].rstrip("\n") + sentence + ("\n" if source[-1].endswith("\n") else "")
    else:
        cell["source"] = source + sentence
    # same serialisation as make_course.py: only the edited cell differs
    path.write_text(
        json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return original


# ------------------------------------------------------------------------------------------------
# Sizes on disk and page weight
# ------------------------------------------------------------------------------------------------


def du(path: Path) -> dict:
    disk = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True).stdout.split()
    apparent = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True).stdout.split()
    files = sum(len(names) for _, _, names in os.walk(path))
    return {
        "disk_kb": int(disk[0]) if disk else None,
        "apparent_bytes": int(apparent[0]) if apparent else None,
        "files": files,
    }


def chrome_bytes(page: Path) -> int | None:
    """The page's bytes outside its <article> (the lesson's own text): navigation, header, footer…
    All three tools put the body in one <article> element."""
    data = page.read_bytes()
    start, end = data.find(b"<article"), data.rfind(b"</article>")
    return None if start < 0 or end < 0 else len(data) - (end + len(b"</article>") - start)


def page_weights(tool: Tool) -> dict:
    """The HTML weight of the lesson pages (moduleNN/NN_slug.html in every tool's site)."""
    site = tool.site_dir()
    lesson = tool.lesson_file()
    chosen = site / "module01" / (lesson.stem + ".html")
    lessons = sorted(site.glob("module*/[0-9]*.html"))
    notebooks = sorted(site.glob("module*/notebooks/*.html"))
    overheads = []
    for page in lessons:
        source = tool.project / tool.docs / page.parent.name / (page.stem + ".md")
        if source.is_file():
            overheads.append(page.stat().st_size - source.stat().st_size)
    return {
        "lesson": f"module01/{lesson.stem}.html",
        "lesson_bytes": chosen.stat().st_size if chosen.is_file() else None,
        "lesson_pages": len(lessons),
        "lesson_median_bytes": statistics.median(p.stat().st_size for p in lessons) if lessons else None,
        "lesson_max_bytes": max((p.stat().st_size for p in lessons), default=None),
        "lesson_overhead_median_bytes": statistics.median(overheads) if overheads else None,
        "notebook_median_bytes": statistics.median(p.stat().st_size for p in notebooks)
        if notebooks
        else None,
        "chrome_median_bytes": statistics.median(c for c in map(chrome_bytes, lessons) if c is not None)
        if lessons
        else None,
        "nav_links_median": statistics.median(p.read_bytes().count(b"<a ") for p in lessons)
        if lessons
        else None,
    }


# ------------------------------------------------------------------------------------------------
# Environment description
# ------------------------------------------------------------------------------------------------


def sh(cmd: list[str] | str, **kw) -> str:
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=120, shell=isinstance(cmd, str), **kw
        )
        return (done.stdout + done.stderr).strip("\n").rstrip()
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"({error})"


def versions(python: str, names) -> dict:
    code = (
        "import json, importlib.metadata as m, sys\nout = {'python': sys.version.split()[0]}\n"
        f"for n in {list(names)!r}:\n"
        "    try: out[n] = m.version(n)\n    except Exception: out[n] = None\nprint(json.dumps(out))"
    )
    text = sh([python, "-c", code])
    try:
        return json.loads(text.splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": text}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": sh(["nproc"]),
        "free_h": sh(["free", "-h"]),
        "cpu_model": cpu,
        "kernel": platform.release(),
        "platform": platform.platform(),
    }


def ensure_peers(args) -> dict:
    """The peers' virtualenv, created from requirements-peers.txt when missing. Returns a status."""
    venv = args.peers_venv
    status = {"venv": str(venv), "created": False, "error": None}
    wanted = {"mkdocs": venv / "bin" / "mkdocs", "jupyter-book": venv / "bin" / "jupyter-book"}
    if all(path.exists() for name, path in wanted.items() if name in args.tools):
        return status
    log(f"creating the peers' virtualenv in {venv} (pip install -r {REQUIREMENTS.name})")
    status["created"] = True
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
    ]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            status["error"] = f"{' '.join(step)}: timed out"
            return status
        if done.returncode:
            status["error"] = (
                f"{' '.join(step)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}"
            )
            return status
    return status


# ------------------------------------------------------------------------------------------------
# The measurements
# ------------------------------------------------------------------------------------------------


class Session:
    def __init__(self, args):
        self.args = args
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.json_path = args.json or RESULTS / f"{stamp}.json"
        self.data: dict = {
            "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join([".venv/bin/python", "benchmarks/run.py", *sys.argv[1:]]),
            "options": {
                "sizes": args.sizes,
                "tools": args.tools,
                "cases": args.cases,
                "repeat": args.repeat,
                "jb_large_clean_repeat": args.jb_large_clean_repeat,
                "timeout": args.timeout,
                "workdir": str(args.workdir),
                "j1": args.j1,
                "coursegen_ref": args.coursegen_ref,
            },
            "load_start": os.getloadavg(),
            "uptime_start": sh(["uptime"]),
            "machine": machine(),
            "runs": [],
            "sites": [],
            "failures": [],
        }

    def save(self) -> None:
        self.json_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.json_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.json_path)

    def record(
        self, size: str, case: str, tool: Tool, repeat: int, result: dict, kind: str = "timed"
    ) -> dict:
        result = {"size": size, "case": case, "tool": tool.name, "repeat": repeat, "kind": kind, **result}
        self.data["runs"].append(result)
        status = (
            ""
            if result["rc"] == 0
            else f"  FAILED rc={result['rc']}{' (timeout)' if result['timed_out'] else ''}"
        )
        log(
            f"{size:6} {case:8} {tool.name:13} #{repeat} {kind:6} {result['wall']:9.2f} s  maxrss {result['maxrss_kb'] / 1024:6.0f} MB"
            f"  tree {result['tree_pss_kb'] / 1024:6.0f} MB  cpu {result['cpu']:8.1f} s  load {result['load']:.1f}{status}"
        )
        self.save()
        return result

    def fail(self, size: str, tool: str, case: str, message: str) -> None:
        self.data["failures"].append({"size": size, "tool": tool, "case": case, "message": message})
        log(f"FAILURE {size} {tool} {case}: {message[:500]}")
        self.save()


def generate(size: str, args) -> dict[str, Path]:
    modules, lessons, notebooks = SIZES[size]
    base = args.workdir / size
    folders = {
        "coursegen": base / "coursegen",
        "mkdocs": base / "mkdocs",
        "jupyter-book": base / "jupyter-book",
    }
    base.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        str(args.make_course),
        str(folders["coursegen"]),
        "--modules",
        str(modules),
        "--lessons",
        str(lessons),
        "--notebooks",
        str(notebooks),
        "--seed",
        "1",
        "--mkdocs",
        str(folders["mkdocs"]),
        "--jupyter-book",
        str(folders["jupyter-book"]),
        "--force",
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=args.timeout)
    return folders


def measure_size(session: Session, size: str, args) -> None:
    log(f"== {size}: generating the course")
    folders = generate(size, args)
    tools = make_tools(folders, args)
    broken: set[str] = set()  # tools whose clean build failed: not measured further at this size
    repeat = args.repeat

    def timed(tool: Tool, case: str, n: int, kind: str = "timed") -> dict:
        result = run_measured(tool.command(case), tool.project, args.timeout, tool.env())
        return session.record(size, case, tool, n, result, kind)

    if "clean" in args.cases:
        for n in range(1, repeat + 1):
            for tool in tools.values():
                if tool.name == "jupyter-book" and size == "large" and n > args.jb_large_clean_repeat:
                    continue
                if tool.name in broken:
                    continue
                tool.clean()
                result = timed(tool, "clean", n)
                if result["rc"] != 0:
                    session.fail(size, tool.name, "clean", result["output_tail"])
                    broken.add(tool.name)
                    continue
                site = {
                    "size": size,
                    "tool": tool.name,
                    "repeat": n,
                    **du(tool.site_dir()),
                    **page_weights(tool),
                }
                session.data["sites"] = [
                    s for s in session.data["sites"] if (s["size"], s["tool"]) != (size, tool.name)
                ] + [site]
                session.save()
    else:  # the other cases need a built site: build once, untimed for the tables
        for tool in tools.values():
            if not tool.name.endswith("-j1"):
                timed(tool, "clean", 0, "setup")

    incremental = [tool for name, tool in tools.items() if not name.endswith("-j1")]
    if "noop" in args.cases:
        for n in range(1, repeat + 1):
            for tool in incremental:
                if tool.name not in broken:
                    result = timed(tool, "noop", n)
                    if result["rc"] != 0:
                        session.fail(size, tool.name, "noop", result["output_tail"])

    for case, editor, target in (
        ("lesson", edit_lesson, Tool.lesson_file),
        ("notebook", edit_notebook, Tool.notebook_file),
    ):
        if case not in args.cases:
            continue
        for n in range(1, repeat + 1):
            for tool in incremental:
                if tool.name in broken:
                    continue
                path = target(tool)
                original = editor(path, n)
                try:
                    result = timed(tool, case, n)
                finally:
                    path.write_bytes(original)
                if result["rc"] != 0:
                    session.fail(size, tool.name, case, result["output_tail"])
                timed(tool, case, n, "resync")  # back to a site built from the original files


PAGE_CONTROL = (20, 20, 0)  # the large course's 20 modules, but one lesson each


def measure_page_control(session: Session, args) -> None:
    """Does a lesson page grow with the number of lessons? Build a control course with the large
    course's 20 modules but 20 lessons (not 1000), and compare the pages' chrome (bytes outside the
    lesson's <article>). Also re-reads the chrome of the sites already built at each size."""
    modules, lessons, notebooks = PAGE_CONTROL
    base = args.workdir / "page-control"
    folders = {
        "coursegen": base / "coursegen",
        "mkdocs": base / "mkdocs",
        "jupyter-book": base / "jupyter-book",
    }
    base.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            str(args.make_course),
            str(folders["coursegen"]),
            "--modules",
            str(modules),
            "--lessons",
            str(lessons),
            "--notebooks",
            str(notebooks),
            "--seed",
            "1",
            "--mkdocs",
            str(folders["mkdocs"]),
            "--jupyter-book",
            str(folders["jupyter-book"]),
            "--force",
        ],
        check=True,
        capture_output=True,
        timeout=args.timeout,
    )
    control = {
        "course": {"modules": modules, "lessons": lessons, "notebooks": notebooks},
        "sites": [],
        "existing": [],
    }
    log(f"== page-weight control: {modules} modules, {lessons} lessons")
    for name, tool in make_tools(folders, args).items():
        if name.endswith("-j1"):
            continue
        tool.clean()
        result = run_measured(tool.command("clean"), tool.project, args.timeout, tool.env())
        if result["rc"] != 0:
            session.fail("page-control", name, "clean", result["output_tail"])
            continue
        control["sites"].append({"tool": name, **page_weights(tool)})
    for size in SIZES:  # the sites left by the measured builds (re-read: same files)
        for name, tool in make_tools({k: args.workdir / size / k for k in TOOLS}, args).items():
            if not name.endswith("-j1") and tool.site_dir().is_dir():
                control["existing"].append({"size": size, "tool": name, **page_weights(tool)})
    session.data["page_control"] = control
    session.save()


LINEARITY = (
    ("1000", 10, 1000),
    ("5000", 50, 5000),
)  # label, modules, lessons: 100 lessons a module, no notebooks
LINEARITY_REPEATS = {"clean": 1, "noop": 3, "lesson": 3}  # timed runs of each case, at each size
LINEARITY_MAX_RATIO = 7.0  # 5× the lessons: ~5× the time when linear, ~25× with a quadratic step
LINEARITY_MIN_STAGE_S = 0.01  # stages quicker than this at the smaller size are noise, not judged
STAGE_PREFIX = "Time by stage: "
STAGE_ITEM = re.compile(r"(.+?) (\d+\.\d+) s(?:, |$)")
BUILT_PAGES = re.compile(r"^Built (\d+) pages?\b")


def parse_stages(output: str) -> dict[str, float] | None:
    """The seconds per stage from the last `Time by stage: ` line of `coursegen build -v`'s output
    ("Time by stage: load and discover 0.043 s, parse 0.155 s, files, assets, 404 0.012 s, …":
    stage names may hold commas and parentheses; every item ends with ` <seconds> s`)."""
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith(STAGE_PREFIX)]
    if not lines:
        return None
    text = lines[-1][len(STAGE_PREFIX) :]
    stages: dict[str, float] = {}
    position = 0
    for match in STAGE_ITEM.finditer(text):
        if match.start() != position:  # something between two items that is not an item: not this format
            return None
        stages[match.group(1)] = float(match.group(2))
        position = match.end()
    return stages if stages and position == len(text) else None


def parse_built_pages(output: str) -> int | None:
    """N from coursegen's summary line `Built N pages (…)`."""
    found = [int(m.group(1)) for m in (BUILT_PAGES.match(line.strip()) for line in output.splitlines()) if m]
    return found[-1] if found else None


def measure_linearity(session: Session, args) -> None:
    """No quadratic step: the same kind of course (100 lessons a module, no notebooks) at 1,000 and
    at 5,000 lessons, coursegen only (frozen snapshot, default jobs), built with -v for the time of
    each stage. Clean ×1, no-op ×3, one-lesson edit ×3, the two sizes alternated."""
    tools: dict[str, Coursegen] = {}
    courses = {}
    for label, modules, lessons in LINEARITY:
        folder = args.workdir / f"linearity-{label}" / "coursegen"
        folder.parent.mkdir(parents=True, exist_ok=True)
        log(f"== linearity: generating {modules} modules, {lessons} lessons")
        subprocess.run(
            [
                sys.executable,
                str(args.make_course),
                str(folder),
                "--modules",
                str(modules),
                "--lessons",
                str(lessons),
                "--notebooks",
                "0",
                "--seed",
                "1",
                "--force",
            ],
            check=True,
            capture_output=True,
            timeout=args.timeout,
        )
        tools[label] = Coursegen(folder, args)
        courses[label] = {"modules": modules, "lessons": lessons, "notebooks": 0, "path": str(folder)}
    out = {"courses": courses, "repeats": dict(LINEARITY_REPEATS), "runs": []}
    session.data["linearity"] = out
    broken: set[str] = set()

    def run(label: str, case: str, n: int, kind: str = "timed") -> dict:
        tool = tools[label]
        cmd = ["-v" if part == "-q" else part for part in tool.command(case)]  # -v: the "Time by stage" line
        result = run_measured(cmd, tool.project, args.timeout, tool.env(), keep_output=True)
        text = result.pop("output")
        result = {
            "course": label,
            "lessons": courses[label]["lessons"],
            "case": case,
            "repeat": n,
            "kind": kind,
            **result,
            "stages": parse_stages(text),
            "pages": parse_built_pages(text),
        }
        if case == "clean" and result["rc"] == 0:
            result["html_files"] = sum(1 for _ in tool.site_dir().rglob("*.html"))
        out["runs"].append(result)
        status = (
            ""
            if result["rc"] == 0
            else f"  FAILED rc={result['rc']}{' (timeout)' if result['timed_out'] else ''}"
        )
        log(
            f"linearity {label:>5} {case:6} #{n} {kind:6} {result['wall']:8.2f} s  maxrss {result['maxrss_kb'] / 1024:5.0f} MB"
            f"  cpu {result['cpu']:7.1f} s  pages {result['pages']}  load {result['load']:.1f}{status}"
        )
        if result["rc"] != 0:
            session.fail(f"linearity-{label}", tool.name, case, result["output_tail"])
        elif result["stages"] is None:
            session.fail(
                f"linearity-{label}",
                tool.name,
                case,
                "no `Time by stage:` line in the output of `build -v`:\n" + result["output_tail"],
            )
        session.save()
        return result

    for n in range(1, LINEARITY_REPEATS["clean"] + 1):
        for label, tool in tools.items():
            tool.clean()
            if run(label, "clean", n)["rc"] != 0:
                broken.add(label)
    for n in range(1, LINEARITY_REPEATS["noop"] + 1):
        for label in tools:
            if label not in broken:
                run(label, "noop", n)
    for n in range(1, LINEARITY_REPEATS["lesson"] + 1):
        for label, tool in tools.items():
            if label in broken:
                continue
            path = tool.lesson_file()
            original = edit_lesson(path, n)
            try:
                run(label, "lesson", n)
            finally:
                path.write_bytes(original)
            run(label, "lesson", n, "resync")  # back to a site built from the original files


NBCONVERT_BASELINE = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from nbconvert import HTMLExporter
t1 = time.perf_counter()
exporter = HTMLExporter()
t2 = time.perf_counter()
files = sorted(Path(sys.argv[1]).rglob("*.ipynb"))
times = []
for path in files:
    s = time.perf_counter()
    exporter.from_filename(str(path))
    times.append(time.perf_counter() - s)
print(json.dumps({"notebooks": len(files), "import_s": t1 - t0, "exporter_s": t2 - t1, "loop_s": sum(times),
                  "first_s": times[0] if times else None, "median_s": sorted(times)[len(times) // 2] if times else None}))
"""

MINIMAL_HOME = "---\ntitle: Notebooks seuls\n---\n\nCe cours ne contient que des notebooks.\n"


def measure_notebooks(session: Session, size: str, args) -> None:
    """Per-notebook conversion cost: nbconvert's HTMLExporter vs coursegen, on the same notebooks."""
    source = args.workdir / size / "coursegen"
    base = args.workdir / size / "nbcompare"
    if base.exists():
        shutil.rmtree(base)
    nbonly, empty = base / "notebooks-only", base / "empty"
    for folder in (nbonly, empty):
        (folder / "content").mkdir(parents=True)
        shutil.copy(source / "course.yml", folder / "course.yml")
        (folder / "content" / "index.md").write_text(MINIMAL_HOME, encoding="utf-8")
    shutil.copytree(source / "notebooks", nbonly / "notebooks")
    count = len(list((nbonly / "notebooks").rglob("*.ipynb")))
    log(f"== notebook conversion: {count} notebooks of the {size} course")
    cg = lambda folder, jobs: Coursegen(folder, args, jobs=jobs)  # noqa: E731
    variants = [
        ("nbconvert", None),
        ("coursegen-j1 notebooks", cg(nbonly, 1)),
        ("coursegen-j1 empty", cg(empty, 1)),
        ("coursegen notebooks", cg(nbonly, None)),
        ("coursegen empty", cg(empty, None)),
    ]
    out = session.data.setdefault("notebook_compare", {"size": size, "notebooks": count, "runs": []})
    for n in range(1, args.repeat + 1):
        for label, tool in variants:
            if tool is None:
                result = run_measured(
                    [args.coursegen_python, "-c", NBCONVERT_BASELINE, str(nbonly / "notebooks")],
                    base,
                    args.timeout,
                )
                try:
                    result["nbconvert"] = json.loads(result["output_tail"].strip().splitlines()[-1])
                except (ValueError, IndexError):
                    result["nbconvert"] = None
            else:
                tool.clean()
                result = run_measured(tool.command("clean"), tool.project, args.timeout, tool.env())
            out["runs"].append({"variant": label, "repeat": n, **result})
            log(
                f"nbcompare {label:24} #{n} {result['wall']:8.2f} s rc={result['rc']}"
                + (f"  loop {result['nbconvert']['loop_s']:.2f} s" if result.get("nbconvert") else "")
            )
            session.save()


PROFILE_STAGES = [  # label, file suffix, function names, optional caller (file suffix, function)
    ("imports (all, overlaps the stages below)", "<frozen importlib._bootstrap>", ("_find_and_load",), None),
    ("load config", "coursegen/config.py", ("load_config",), None),
    ("discover", "coursegen/discover.py", ("discover_sources",), None),
    ("parse (front matter, notebook JSON)", "coursegen/parse.py", ("parse_source",), None),
    ("course graph", "coursegen/course.py", ("build_course",), None),
    ("theme + template check", "coursegen/render.py", ("check_templates",), None),
    ("bodies: total", "coursegen/bodies.py", ("render_bodies",), None),
    ("bodies: cache keys (hashing)", "coursegen/bodies.py", ("key",), None),
    (
        "bodies: Markdown lessons",
        "coursegen/markdown_render.py",
        ("render",),
        ("coursegen/bodies.py", "render"),
    ),
    ("bodies: notebooks (nbconvert + cells)", "coursegen/notebooks.py", ("render",), None),
    (
        "bodies: notebooks, of which Markdown cells",
        "coursegen/notebooks.py",
        ("_render_markdown_cell",),
        None,
    ),
    ("bodies: notebooks, of which validation", "coursegen/notebooks.py", ("validated_notebook",), None),
    ("bodies: cache writes", "coursegen/cache.py", ("put", "put_text"), None),
    ("anchor check", "coursegen/bodies.py", ("check_anchors",), None),
    ("page signatures", "coursegen/render.py", ("page_signature",), None),
    ("templates (render_page)", "coursegen/render.py", ("render_page",), None),
    ("search index", "coursegen/build.py", ("search_index",), None),
    ("write (write_atomically)", "coursegen/output.py", ("write_atomically",), None),
    ("build() total", "coursegen/build.py", ("build",), None),
]


def summarise_profile(path: Path) -> dict:
    stats = pstats.Stats(str(path))
    table = stats.stats  # (file, line, func) -> (_cc, nc, _tt, ct, callers)
    stages = []
    for label, suffix, names, caller in PROFILE_STAGES:
        total, calls = 0.0, 0
        for (file, _line, func), (_cc, nc, _tt, ct, callers) in table.items():
            if func not in names or not file.endswith(suffix):
                continue
            if caller is None:
                total += ct
                calls += nc
            else:
                for (cfile, _cline, cfunc), values in callers.items():
                    if cfunc == caller[1] and cfile.endswith(caller[0]):
                        calls += values[0]
                        total += values[3]
        stages.append({"stage": label, "seconds": round(total, 3), "calls": calls})

    def short(key) -> str:
        file, line, func = key
        for marker in ("site-packages/", "/src/", "lib/python3"):
            if marker in file:
                file = file.split(marker, 1)[1]
                break
        return f"{file}:{line}({func})" if line else f"{file}({func})"

    rows = [(key, value) for key, value in table.items()]
    cumulative = sorted(rows, key=lambda kv: kv[1][3], reverse=True)[:30]
    own = sorted(rows, key=lambda kv: kv[1][2], reverse=True)[:20]
    return {
        "total_s": round(stats.total_tt, 3),
        "stages": stages,
        "top_cumulative": [
            {"function": short(k), "calls": v[1], "tottime": round(v[2], 3), "cumtime": round(v[3], 3)}
            for k, v in cumulative
        ],
        "top_tottime": [
            {"function": short(k), "calls": v[1], "tottime": round(v[2], 3), "cumtime": round(v[3], 3)}
            for k, v in own
        ],
    }


def measure_profile(session: Session, size: str, args) -> None:
    tool = Coursegen(args.workdir / size / "coursegen", args, jobs=1)
    profiles = {}
    prof_dir = args.workdir / "profiles"
    prof_dir.mkdir(parents=True, exist_ok=True)
    for case in ("clean", "lesson"):
        out = prof_dir / f"{size}-{case}.prof"
        cmd = [
            args.coursegen_python,
            "-m",
            "cProfile",
            "-o",
            str(out),
            "-m",
            "coursegen",
            "build",
            "-q",
            "-j1",
            ".",
        ]
        original = None
        if case == "clean":
            tool.clean()
        else:
            path = tool.lesson_file()
            original = edit_lesson(path, 99)
        try:
            result = run_measured(cmd, tool.project, args.timeout, tool.env())
        finally:
            if original is not None:
                path.write_bytes(original)
        log(f"profile {size} {case}: {result['wall']:.2f} s (under cProfile) rc={result['rc']}")
        profiles[case] = {
            "wall_under_profile": result["wall"],
            "rc": result["rc"],
            "prof": str(out),
            **(summarise_profile(out) if out.is_file() else {"error": result["output_tail"]}),
        }
    run_measured(
        tool.command("noop"), tool.project, args.timeout, tool.env()
    )  # back to the original files' site
    session.data["profile"] = {"size": size, **profiles}
    session.save()


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 120:
        return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    return f"{seconds:.2f} s"


def fmt_mb(kb: float | None) -> str:
    return "—" if kb is None else f"{kb / 1024:.0f} MB"


def fmt_x(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}×" if value >= 100 else f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def summarise_runs(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["rc"] == 0]
    if not ok:
        return {"n": 0, "failed": len(runs)}
    walls = [r["wall"] for r in ok]
    return {
        "n": len(ok),
        "failed": len(runs) - len(ok),
        "wall": statistics.median(walls),
        "min": min(walls),
        "max": max(walls),
        "maxrss_kb": statistics.median(r["maxrss_kb"] for r in ok),
        "maxrss_peak_kb": max(r["maxrss_kb"] for r in ok),
        "tree_pss_kb": statistics.median(r["tree_pss_kb"] for r in ok),
        "tree_pss_peak_kb": max(r["tree_pss_kb"] for r in ok),
        "cpu": statistics.median(r["cpu"] for r in ok),
        "load": statistics.median(r["load"] for r in ok),
    }


def table_data(data: dict) -> dict:
    cells: dict = {}
    for run in data["runs"]:
        if run["kind"] == "timed":
            cells.setdefault((run["size"], run["case"], run["tool"]), []).append(run)
    return {key: summarise_runs(runs) for key, runs in cells.items()}


def paired_ratios(data: dict, size: str, case: str) -> list[str]:
    """Each repeat's walls and peer ÷ coursegen ratios: the load changes between repeats, so a
    ratio of one repeat compares builds run minutes apart, under similar conditions."""
    runs = [
        r
        for r in data["runs"]
        if r["kind"] == "timed" and r["size"] == size and r["case"] == case and r["rc"] == 0
    ]
    out = []
    for n in sorted({r["repeat"] for r in runs}):
        these = {r["tool"]: r for r in runs if r["repeat"] == n}
        base = these.get("coursegen")
        parts = [
            f"{SHORT[t]} {fmt_s(r['wall'])} ({r['load']:.1f})"
            for t, r in sorted(these.items(), key=lambda kv: list(LABELS).index(kv[0]))
        ]
        ratios = [
            f"{SHORT[t]} ÷ coursegen {fmt_x(r['wall'] / base['wall'])}"
            for t, r in these.items()
            if base and not t.startswith("coursegen")
        ]
        out.append(f"#{n}: " + ", ".join(parts) + (f" → {', '.join(ratios)}" if ratios else ""))
    return out


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("**met**" if ok else "**not met**")


def recheck_summary(data: dict) -> tuple[dict, dict | None]:
    """The summary of a related re-check run (same commit, measured apart), if any."""
    for related in data.get("related", []):
        try:
            other = json.loads((REPO / related["path"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return table_data(other), related
    return {}, None


def goals(data: dict, summary: dict) -> list[tuple[str, str, str, str]]:
    size = "large"
    get = lambda case, tool: summary.get((size, case, tool), {})  # noqa: E731
    again, related = recheck_summary(data)
    rget = lambda case, tool: again.get((size, case, tool), {})  # noqa: E731
    rows = []
    cg = get("clean", "coursegen")
    cg_s = cg.get("wall")
    for tool, key, label in (
        ("mkdocs", "vs_mkdocs", "MkDocs + mkdocs-jupyter"),
        ("jupyter-book", "vs_jb", "Jupyter Book 1"),
    ):
        peer = get("clean", tool).get("wall")
        ratio = peer / cg_s if peer and cg_s else None
        target = GOALS[key]
        detail = f"{fmt_x(ratio)} ({fmt_s(peer)} / {fmt_s(cg_s)})" if ratio else "not measured"
        if ratio:
            detail += f"; {'margin' if ratio >= target else 'short by'} {fmt_x(ratio / target if ratio >= target else target / ratio)}"
        status, note = verdict(ratio >= target if ratio else None), ""
        r_peer, r_cg = rget("clean", tool).get("wall"), rget("clean", "coursegen").get("wall")
        if r_peer and r_cg:
            status += f" (full run); {verdict(r_peer / r_cg >= target)} (re-check)"
            note = f"{related['title']}: {fmt_x(r_peer / r_cg)} ({fmt_s(r_peer)} / {fmt_s(r_cg)})"
        rows.append((f"Large clean build ≥ {target:.0f}× faster than {label}", detail, status, note))
    j1 = get("clean", "coursegen-j1").get("wall")
    floor = GOALS["floor_seconds"]
    if cg_s:
        detail = f"{fmt_s(cg_s)} = {cg_s / floor:.2f}× the 10 s floor"
        if j1:
            detail += f" (measured -j1: {fmt_s(j1)}, so a perfect 2-core split would be {fmt_s(j1 / 2)}: {cg_s / (j1 / 2):.2f}× that)"
        status, note = verdict(cg_s <= floor * GOALS["floor_factor"]), ""
        r_cg, r_j1 = rget("clean", "coursegen").get("wall"), rget("clean", "coursegen-j1").get("wall")
        if r_cg:
            status += f" (full run); {verdict(r_cg <= floor * GOALS['floor_factor'])} (re-check)"
            note = f"{related['title']}: {fmt_s(r_cg)} = {r_cg / floor:.2f}× the 10 s floor" + (
                f"; -j1 {fmt_s(r_j1)}, half of it {fmt_s(r_j1 / 2)}: {r_cg / (r_j1 / 2):.2f}×" if r_j1 else ""
            )
        rows.append(
            (
                "Aim: large clean build within 1.3× of the two-core floor (~10 s, i.e. ≤ 13 s)",
                detail,
                status,
                note,
            )
        )
    peak = (
        max((summary.get((size, case, "coursegen"), {}).get("maxrss_peak_kb") or 0) for case in CASES) or None
    )
    tree = (
        max((summary.get((size, case, "coursegen"), {}).get("tree_pss_peak_kb") or 0) for case in CASES)
        or None
    )
    if peak:
        ok_single = peak / 1024 < GOALS["memory_mb"]
        ok_tree = tree / 1024 < GOALS["memory_mb"] if tree else None
        rows.append(
            (
                "Peak memory < 400 MB (large, any case)",
                f"largest single process (maxrss): {fmt_mb(peak)}; whole process tree (summed PSS, sampled): {fmt_mb(tree)}",
                verdict(ok_single and (ok_tree is not False)),
                "both measures must be under 400 MB",
            )
        )
    for case, key, label in (
        ("noop", "noop_s", "No-op rebuild < 1 s"),
        ("lesson", "lesson_s", "One-lesson edit < 0.5 s"),
    ):
        s = get(case, "coursegen").get("wall")
        if s is not None:
            target = GOALS[key]
            rows.append(
                (
                    label + " (large)",
                    f"{fmt_s(s)} (median; min {fmt_s(get(case, 'coursegen')['min'])}; CPU {fmt_s(get(case, 'coursegen')['cpu'])}); "
                    + (f"{target / s:.1f}× under" if s <= target else f"{s / target:.1f}× over"),
                    verdict(s < target),
                    "",
                )
            )
    nb = notebook_figures(data)
    if nb:
        ratio = nb["ratio_j1"]
        rows.append(
            (
                "Per-notebook conversion ≤ 1.3× nbconvert's HTMLExporter",
                f"coursegen -j1 {nb['cg_j1_ms']:.0f} ms vs nbconvert {nb['nbconvert_ms']:.0f} ms per notebook: {fmt_x(ratio)}",
                verdict(ratio <= GOALS["notebook_factor"]),
                "same process count (one); see the notebook section",
            )
        )
    sites = {(s["size"], s["tool"]): s for s in data["sites"]}
    large = sites.get(("large", "coursegen"))
    if large:
        mb = large["disk_kb"] / 1024
        rows.append(
            ("Large site ≤ 60 MB on disk", f"{mb:.1f} MB (du -sk)", verdict(mb <= GOALS["site_mb"]), "")
        )
    small = sites.get(("small", "coursegen"))
    chrome = chrome_table(data)
    control = chrome.get(("control", "coursegen"))
    big = chrome.get(("large", "coursegen"))
    if control and big and control.get("chrome_median_bytes"):
        growth = big["chrome_median_bytes"] / control["chrome_median_bytes"]
        one = chrome.get(("small", "coursegen"), {})
        rows.append(
            (
                "Lesson page weight not growing with the number of lessons",
                f"page chrome (bytes outside the lesson's `<article>`), median: {big['chrome_median_bytes'] / 1024:.2f} KB with 20 modules × 50 lessons "
                f"vs {control['chrome_median_bytes'] / 1024:.2f} KB with 20 modules × 1 lesson: {growth:.3f}×. Whole lesson page: median "
                f"{big['lesson_median_bytes'] / 1024:.1f} KB (large) vs {(one.get('lesson_median_bytes') or 0) / 1024:.1f} KB (small); "
                f"chrome with 1 module: {(one.get('chrome_median_bytes') or 0) / 1024:.2f} KB (the header lists every module up to "
                "`theme.nav_modules`, 6 by default; beyond, the current one and a link to the home page's list)",
                verdict(growth <= 1.05),
                "met when 1000 lessons' chrome is within 5% of 20 lessons' (same 20 modules)",
            )
        )
    elif large and small and small.get("lesson_median_bytes"):
        growth = large["lesson_median_bytes"] / small["lesson_median_bytes"]
        rows.append(
            (
                "Lesson page weight not growing with the number of lessons",
                f"median lesson page {large['lesson_median_bytes'] / 1024:.1f} KB (large) vs {small['lesson_median_bytes'] / 1024:.1f} KB (small): {growth:.2f}×",
                verdict(growth <= GOALS["page_growth"]),
                "no control course measured: large vs small (which also differ in modules)",
            )
        )
    lin = linearity_figures(data)
    if lin and lin["worst"]:
        worst, where = lin["worst"]
        walls = ", ".join(
            f"{CASE_NAMES[row['case']]} {fmt_x(row['ratio'])}"
            for row in lin["cases"]
            if row["ratio"] is not None
        )
        small, big = (lin["courses"][k]["lessons"] for k in (lin["small"], lin["big"]))
        rows.append(
            (
                f"No quadratic steps ({big:,}-lesson course)",
                f"worst ratio {fmt_x(worst)} ({where}), {big:,} ÷ {small:,} lessons; wall-time ratios: {walls}",
                verdict(worst <= LINEARITY_MAX_RATIO),
                f"met when every case's wall-time ratio, and every no-op and edit stage's ratio whose {small:,}-lesson median is ≥ "
                f"{LINEARITY_MIN_STAGE_S} s, is ≤ {LINEARITY_MAX_RATIO:g} ({lin['factor']:g}× the lessons: ~{lin['factor']:g}× when linear, "
                f"~{lin['factor'] ** 2:g}× with a quadratic step); see the linearity section",
            )
        )
    return rows


def chrome_table(data: dict) -> dict:
    """(size or "control", tool) -> page weights with the chrome figures (from the control step)."""
    control = data.get("page_control") or {}
    table = {
        (s["size"], s["tool"]): s for s in data.get("sites", []) if s.get("chrome_median_bytes") is not None
    }
    table.update({(s["size"], s["tool"]): s for s in control.get("existing", [])})
    table.update({("control", s["tool"]): s for s in control.get("sites", [])})
    return table


def notebook_figures(data: dict) -> dict | None:
    compare = data.get("notebook_compare")
    if not compare or not compare.get("runs"):
        return None
    by: dict[str, list] = {}
    for run in compare["runs"]:
        if run["rc"] == 0:
            by.setdefault(run["variant"], []).append(run)
    n = compare["notebooks"]
    loops = [r["nbconvert"]["loop_s"] for r in by.get("nbconvert", []) if r.get("nbconvert")]
    med = lambda name: statistics.median(r["wall"] for r in by[name]) if by.get(name) else None  # noqa: E731
    if not loops or med("coursegen-j1 notebooks") is None or med("coursegen-j1 empty") is None:
        return None
    nbconvert_ms = statistics.median(loops) / n * 1000
    cg_j1_ms = (med("coursegen-j1 notebooks") - med("coursegen-j1 empty")) / n * 1000
    cg_ms = (
        (med("coursegen notebooks") - med("coursegen empty")) / n * 1000
        if med("coursegen notebooks") and med("coursegen empty")
        else None
    )
    nb_runs = [r["nbconvert"] for r in by.get("nbconvert", []) if r.get("nbconvert")]
    return {
        "size": compare["size"],
        "notebooks": n,
        "repeats": len(loops),
        "nbconvert_ms": nbconvert_ms,
        "cg_j1_ms": cg_j1_ms,
        "cg_ms": cg_ms,
        "ratio_j1": cg_j1_ms / nbconvert_ms,
        "ratio_default": cg_ms / nbconvert_ms if cg_ms else None,
        "nbconvert_wall": med("nbconvert"),
        "nbconvert_first_ms": statistics.median(r["first_s"] for r in nb_runs) * 1000,
        "nbconvert_median_ms": statistics.median(r["median_s"] for r in nb_runs) * 1000,
        "nbconvert_import_s": statistics.median(r["import_s"] + r["exporter_s"] for r in nb_runs),
        "walls": {name: med(name) for name in by},
    }


def linearity_figures(data: dict) -> dict | None:
    """Medians of the linearity runs (smaller and larger course), their ratios, and the worst ratio
    judged by the goal: every case's wall time, and every no-op / edit stage whose median at the
    smaller size is at least LINEARITY_MIN_STAGE_S."""
    lin = data.get("linearity")
    if not lin or not lin.get("runs"):
        return None
    labels = sorted(lin["courses"], key=lambda label: lin["courses"][label]["lessons"])
    if len(labels) != 2:
        return None
    small, big = labels
    runs = [r for r in lin["runs"] if r["kind"] == "timed" and r["rc"] == 0]
    med = lambda values: statistics.median(values) if values else None  # noqa: E731
    ratio = lambda a, b: b / a if a and b is not None else None  # noqa: E731
    pages = {}
    for label in labels:
        counted = [
            r["pages"] or r.get("html_files")
            for r in runs
            if r["course"] == label and (r.get("pages") or r.get("html_files"))
        ]
        pages[label] = max(counted) if counted else None
    cases = []
    for case in ("clean", "noop", "lesson"):
        row = {"case": case}
        for label in labels:
            these = [r for r in runs if r["course"] == label and r["case"] == case]
            wall = med([r["wall"] for r in these])
            row[label] = {
                "n": len(these),
                "wall": wall,
                "min": min((r["wall"] for r in these), default=None),
                "max": max((r["wall"] for r in these), default=None),
                "cpu": med([r["cpu"] for r in these]),
                "maxrss_kb": med([r["maxrss_kb"] for r in these]),
                "per_page_us": wall / pages[label] * 1e6 if wall is not None and pages[label] else None,
            }
        row["ratio"] = ratio(row[small]["wall"], row[big]["wall"])
        row["cpu_ratio"] = ratio(row[small]["cpu"], row[big]["cpu"])
        if row[small]["n"] or row[big]["n"]:
            cases.append(row)
    stages = []
    for case in ("noop", "lesson"):
        names: list[str] = []
        for r in runs:
            if r["case"] == case and r.get("stages"):
                names += [name for name in r["stages"] if name not in names]
        for name in names:
            row = {"case": case, "stage": name}
            for label in labels:
                row[label] = med(
                    [
                        r["stages"][name]
                        for r in runs
                        if r["course"] == label and r["case"] == case and name in (r.get("stages") or {})
                    ]
                )
            row["ratio"] = ratio(row[small], row[big])
            row["judged"] = (
                row[small] is not None and row[small] >= LINEARITY_MIN_STAGE_S and row["ratio"] is not None
            )
            stages.append(row)
    judged = [
        (row["ratio"], f"{CASE_NAMES[row['case']]} wall time") for row in cases if row["ratio"] is not None
    ]
    judged += [
        (row["ratio"], f"{CASE_NAMES[row['case']]}, stage “{row['stage']}”")
        for row in stages
        if row["judged"]
    ]
    worst = max(judged, key=lambda item: item[0]) if judged else None
    return {
        "small": small,
        "big": big,
        "courses": lin["courses"],
        "pages": pages,
        "cases": cases,
        "stages": stages,
        "factor": lin["courses"][big]["lessons"] / lin["courses"][small]["lessons"],
        "worst": worst,
    }


CASE_NAMES = {"clean": "clean build", "noop": "no-op rebuild", "lesson": "one-lesson edit"}


def write_report(data: dict, path: Path, json_rel: str) -> None:
    summary = table_data(data)
    sizes = [s for s in SIZES if any(k[0] == s for k in summary)]
    m = data["machine"]
    lines: list[str] = []
    add = lines.append
    add("# Benchmarks: coursegen vs MkDocs + Material + mkdocs-jupyter vs Jupyter Book 1")
    add("")
    add(
        "Reproduce (from the repository root; creates `.peers-venv/` for the peers when missing; a full run takes about 45 minutes on a quiet machine, most of it Jupyter Book):"
    )
    add("")
    add("```sh")
    add(".venv/bin/python benchmarks/run.py --sizes small,medium,large --repeat 3")
    add("```")
    add("")
    add(
        "Options: `--sizes`, `--tools coursegen,mkdocs,jupyter-book`, `--cases clean,noop,lesson,notebook`, `--repeat N`, "
        "`--jb-large-clean-repeat N` (default 1: Jupyter Book's large clean build takes about a quarter of an hour), "
        "`--timeout SECONDS` (per build, default 2400), `--no-profile`, `--no-nbconvert`, `--no-j1`, "
        "`--no-linearity` (skip the 1,000 vs 5,000-lesson coursegen builds, run by default with the large size). "
        "See [benchmarks/README.md](benchmarks/README.md). "
        f"This file is written by the script from the raw measurements in [{json_rel}]({json_rel})."
    )
    add("")
    add("## This run")
    add("")
    add(
        f"- Command: `{data['command']}`; started {data['started']}, finished {data.get('finished', '(unfinished)')}."
    )
    loads = [r["load"] for r in data["runs"]]
    add(
        f"- **The machine is shared**: other engineers run test suites on it at the same time, so absolute times are noisy "
        f"(ratios, measured in the same run with the tools alternated, are the more robust figures). "
        f"Load average (1, 5, 15 min) at start: {', '.join(f'{x:.2f}' for x in data['load_start'])}; at end: "
        f"{', '.join(f'{x:.2f}' for x in data.get('load_end', [])) or '—'}; 1-minute load seen at the start of the builds: "
        + (
            f"min {min(loads):.1f}, median {statistics.median(loads):.1f}, max {max(loads):.1f}."
            if loads
            else "—"
        )
    )
    add(
        f"- Machine: {m['nproc']} cores (`nproc`), CPU `{m['cpu_model']}`, Linux {m['kernel']}. `free -h` at start:"
    )
    add("")
    add("```")
    free = m["free_h"]
    if free.startswith("total"):  # results written before leading spaces were kept
        free = " " * 15 + free
    add(free)
    add("```")
    add("")
    cg = data.get("coursegen")
    if cg:
        what = {
            "HEAD": "the last commit",
            "worktree": "a copy of the work tree taken at the start",
            "live": "the live work tree",
        }.get(cg["ref"], f"commit {cg['ref']}")
        add(
            f"- coursegen measured: {what}, `{cg['commit']}` ({cg['subject']}), run from a frozen copy ({cg['path']}) so that edits made in the "
            "work tree during the run (other people work there) changed neither the code measured nor its caches"
            + (
                f"; uncommitted changes present in the work tree then, **not** measured: {', '.join(line.split()[-1] for line in cg['worktree_changes'].splitlines())}."
                if cg.get("worktree_changes") and cg["ref"] != "worktree"
                else "."
            )
        )
        if cg.get("bytecode"):
            add(
                f"- Its Python bytecode: {cg['bytecode']} — this machine sets PYTHONDONTWRITEBYTECODE, so a bare source tree would be compiled "
                "again at every run; every other package measured was installed by pip, which compiles it."
            )
    cgv, pv = data.get("versions", {}).get("coursegen", {}), data.get("versions", {}).get("peers", {})
    add(
        f"- coursegen side (`.venv`): Python {cgv.get('python')}, coursegen {cgv.get('coursegen')}, nbconvert {cgv.get('nbconvert')}, "
        f"Markdown {cgv.get('markdown')}, pymdown-extensions {cgv.get('pymdown-extensions')}, Jinja2 {cgv.get('jinja2')}, Pygments {cgv.get('pygments')}, mini-racer {cgv.get('mini-racer')} (Temml: static/vendor/VENDOR.json)."
    )
    add(
        f"- Peers (`{data.get('peers', {}).get('venv', '.peers-venv')}`, pinned in benchmarks/requirements-peers.txt): Python {pv.get('python')}, "
        f"MkDocs {pv.get('mkdocs')}, mkdocs-material {pv.get('mkdocs-material')}, mkdocs-jupyter {pv.get('mkdocs-jupyter')}, "
        f"Jupyter Book {pv.get('jupyter-book')} (Sphinx {pv.get('sphinx')}, MyST-NB {pv.get('myst-nb')}, MyST-Parser {pv.get('myst-parser')}), nbconvert {pv.get('nbconvert')}."
    )
    opts = data["options"]
    add(
        f"- Repeats: {opts['repeat']} per case and tool (Jupyter Book's large clean build: {opts['jb_large_clean_repeat']}); "
        f"medians below, with min–max. Courses: `make_course.py --seed 1`, small = 1 module / 5 lessons / 2 notebooks, "
        f"medium = 10 / 200 / 20, large = 20 / 1000 / 100. coursegen's default is one worker process a core (2 here)."
    )
    add(
        "- Measures: **wall** time of the build command (a fresh process each time, Python start-up included); "
        "**maxrss**: peak RSS of the largest single process of the build (wait4, as `/usr/bin/time -f %M`); "
        "**tree**: peak of the summed PSS of all the build's processes (coursegen's worker processes included), sampled every 0.1 s; "
        "**CPU**: user + system time of the whole process tree. Ratios are peer ÷ coursegen medians, from this run."
    )
    add(
        "- Clean builds delete the output and every cache first: coursegen `site/` + `.coursegen-cache/`; MkDocs `site/` + `.cache/` "
        "(mkdocs-jupyter caches each converted notebook there, and reuses it in every later build, --dirty or not); Jupyter Book `_build/` "
        "(which also holds Sphinx's `.doctrees/`)."
    )
    add(
        "- Edit cases: MkDocs runs `mkdocs build --dirty`, Jupyter Book a plain (incremental) rebuild, coursegen a plain rebuild. "
        "Each edited file is restored after its run and the tool rebuilds once more, untimed for these tables, so every run starts from a site built from the original files."
    )
    if data["failures"]:
        add("")
        add("### Failures")
        add("")
        for failure in data["failures"]:
            add(f"- {LABELS.get(failure['tool'], failure['tool'])}, {failure['size']}, {failure['case']}:")
            add("")
            add("```")
            add(failure["message"].strip()[-2500:])
            add("```")
    peers = data.get("peers", {})
    if peers.get("error"):
        add("")
        add(f"Installing the peers failed, so they were not measured:\n\n```\n{peers['error']}\n```")
    add("")
    add("## Goals (large course, 2 cores)")
    add("")
    add("| goal | measured | status | note |")
    add("| --- | --- | --- | --- |")
    for goal, measured, status, note in goals(data, summary):
        add(f"| {goal} | {measured} | {status} | {note} |")

    for size in sizes:
        add("")
        add(f"## {size.capitalize()} course ({'/'.join(map(str, SIZES[size]))} modules/lessons/notebooks)")
        for case in CASES:
            keys = [t for t in LABELS if (size, case, t) in summary]
            if not keys:
                continue
            add("")
            add(f"### {CASE_TITLES[case]}")
            add("")
            add(
                "| tool | wall (median) | min – max | n | maxrss | tree (PSS) | CPU | peer ÷ coursegen | earlier reference |"
            )
            add("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
            base = summary.get((size, case, "coursegen"), {}).get("wall")
            for tool in keys:
                s = summary[(size, case, tool)]
                if not s["n"]:
                    add(f"| {LABELS[tool]} | failed | | 0 | | | | | |")
                    continue
                ratio = "" if tool.startswith("coursegen") or not base else fmt_x(s["wall"] / base)
                if tool == "coursegen-j1" and base:
                    ratio = f"(-j1 ÷ default: {s['wall'] / base:.2f}×)"
                add(
                    f"| {LABELS[tool]} | {fmt_s(s['wall'])} | {fmt_s(s['min'])} – {fmt_s(s['max'])} | {s['n']} | {fmt_mb(s['maxrss_kb'])} | "
                    f"{fmt_mb(s['tree_pss_kb'])} | {fmt_s(s['cpu'])} | {ratio} | {REFERENCE.get((tool, size, case), '')} |"
                )
            paired = paired_ratios(data, size, case)
            if paired:
                add("")
                add(
                    "Per repeat (wall time, and in brackets the 1-minute load when the build started): "
                    + "; ".join(paired)
                    + "."
                )
    sites = [s for s in data["sites"]]
    if sites:
        add("")
        add("## Site size and page weight (after a clean build)")
        add("")
        chrome = chrome_table(data)
        add(
            "| size | tool | on disk (du -sk) | apparent (du -sb) | files | lesson page module01/… | median lesson page | median page chrome | median notebook page |"
        )
        add("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for size in SIZES:
            for tool in LABELS:
                s = next((x for x in sites if x["size"] == size and x["tool"] == tool), None)
                if s is None or tool == "coursegen-j1":
                    continue
                kb = lambda b: "—" if b is None else f"{b / 1024:.1f} KB"  # noqa: E731
                add(
                    f"| {size} | {LABELS[tool]} | {s['disk_kb'] / 1024:.1f} MB | {s['apparent_bytes'] / 1048576:.1f} MB | {s['files']} | "
                    f"{kb(s['lesson_bytes'])} | {kb(s['lesson_median_bytes'])} | {kb(chrome.get((size, tool), {}).get('chrome_median_bytes'))} | {kb(s['notebook_median_bytes'])} |"
                )
        for tool in LABELS:
            c = chrome.get(("control", tool))
            if c:
                add(
                    f"| control: 20 modules × 1 lesson | {LABELS[tool]} | | | | {kb(c['lesson_bytes'])} | {kb(c['lesson_median_bytes'])} | "
                    f"{kb(c['chrome_median_bytes'])} | |"
                )
        add("")
        add(
            "Earlier reference: MkDocs' large site 546 MB, a lesson page 404 KB. The lesson page is the first lesson of module01 "
            "(its title, and so its text, differ between sizes: the medians are the fairer comparison). **Chrome** is a page's bytes outside "
            "its `<article>` (which holds the lesson's own text in all three tools): navigation, header, footer, scripts. The control course has "
            "the large course's 20 modules but one lesson each: a lesson page that does not grow with the number of lessons has the same chrome "
            "there as in the large course."
        )
    for related in data.get("related", []):
        try:
            other = json.loads((REPO / related["path"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        osum = table_data(other)
        add("")
        add(f"## {related['title']}")
        add("")
        loads = [r["load"] for r in other["runs"]]
        add(
            f"{related['why']} Command: `{other['command']}`, started {other['started']}; coursegen `{other.get('coursegen', {}).get('commit')}`; "
            f"1-minute load at the start of the builds: min {min(loads):.1f}, max {max(loads):.1f}. Raw: [{related['path']}]({related['path']})."
        )
        for size in SIZES:
            for case in CASES:
                keys = [t for t in LABELS if (size, case, t) in osum]
                if not keys:
                    continue
                add("")
                add(f"{size.capitalize()}, {CASE_TITLES[case].lower()}:")
                add("")
                add(
                    "| tool | wall (median) | min – max | n | maxrss | tree (PSS) | CPU | load | peer ÷ coursegen |"
                )
                add("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
                base = osum.get((size, case, "coursegen"), {}).get("wall")
                for tool in keys:
                    o = osum[(size, case, tool)]
                    if not o["n"]:
                        add(f"| {LABELS[tool]} | failed | | 0 | | | | | |")
                        continue
                    ratio = "" if tool.startswith("coursegen") or not base else fmt_x(o["wall"] / base)
                    add(
                        f"| {LABELS[tool]} | {fmt_s(o['wall'])} | {fmt_s(o['min'])} – {fmt_s(o['max'])} | {o['n']} | {fmt_mb(o['maxrss_kb'])} | "
                        f"{fmt_mb(o['tree_pss_kb'])} | {fmt_s(o['cpu'])} | {o['load']:.1f} | {ratio} |"
                    )
    lin = linearity_figures(data)
    if lin:
        small, big = lin["small"], lin["big"]
        cs, cb = lin["courses"][small], lin["courses"][big]
        add("")
        add(f"## Linearity: {cs['lessons']:,} vs {cb['lessons']:,} lessons (coursegen)")
        add("")
        per_module = {c["lessons"] // c["modules"] for c in (cs, cb) if c["modules"]}
        modules = lambda c: f"{c['modules']} module{'' if c['modules'] == 1 else 's'}"  # noqa: E731
        add(
            f"The same kind of course at two sizes: `make_course.py --seed 1 --notebooks 0`, {modules(cs)} / {cs['lessons']:,} lessons "
            f"({lin['pages'][small] or '?'} pages) and {modules(cb)} / {cb['lessons']:,} lessons ({lin['pages'][big] or '?'} pages)"
            + (f", {per_module.pop()} lessons a module in both" if len(per_module) == 1 else "")
            + ". coursegen only, the same frozen copy and default jobs as above, built with `-v` for its `Time by stage` line; the two sizes alternated. "
            f"A ratio near {lin['factor']:g} means linear: {lin['factor']:g}× the pages take about {lin['factor']:g}× the time, while a step "
            f"quadratic in the number of pages would show about {lin['factor'] ** 2:g}× (below {lin['factor']:g}×: the fixed start-up, Python and imports, does not grow). "
            "Beyond 6 modules (`theme.nav_modules`), the header lists only the current module, so a page does not grow with the number of modules."
        )
        add("")
        add(
            f"| case | runs at each size | {cs['lessons']:,} lessons (median) | {cb['lessons']:,} lessons (median) | ratio | per page, {cs['lessons']:,} | per page, {cb['lessons']:,} | "
            f"CPU ({cs['lessons']:,} → {cb['lessons']:,}) | maxrss ({cs['lessons']:,} → {cb['lessons']:,}) |"
        )
        add("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        us = lambda value: "—" if value is None else f"{value:,.0f} µs"  # noqa: E731
        for row in lin["cases"]:
            a, b = row[small], row[big]
            runs = str(a["n"]) if a["n"] == b["n"] else f"{a['n']} + {b['n']}"
            add(
                f"| {CASE_NAMES[row['case']]} | {runs} | {fmt_s(a['wall'])} | {fmt_s(b['wall'])} | {fmt_x(row['ratio'])} | "
                f"{us(a['per_page_us'])} | {us(b['per_page_us'])} | {fmt_s(a['cpu'])} → {fmt_s(b['cpu'])} ({fmt_x(row['cpu_ratio'])}) | "
                f"{fmt_mb(a['maxrss_kb'])} → {fmt_mb(b['maxrss_kb'])} |"
            )
        if lin["stages"]:
            add("")
            add(
                f"Time by stage (median seconds, from `coursegen build -v`; stages under {LINEARITY_MIN_STAGE_S} s at {cs['lessons']:,} lessons "
                f"are too short to judge, their ratio is in brackets):"
            )
            add("")
            add(f"| case | stage | {cs['lessons']:,} lessons | {cb['lessons']:,} lessons | ratio |")
            add("| --- | --- | --- | --- | --- |")
            sec = lambda value: "—" if value is None else f"{value:.3f} s"  # noqa: E731
            for row in lin["stages"]:
                shown = fmt_x(row["ratio"]) if row["judged"] else f"({fmt_x(row['ratio'])})"
                add(
                    f"| {CASE_NAMES[row['case']]} | {row['stage']} | {sec(row[small])} | {sec(row[big])} | {shown} |"
                )
        if lin["worst"]:
            add("")
            add(
                f"Worst ratio judged: {fmt_x(lin['worst'][0])} ({lin['worst'][1]}); the goal asks for ≤ {LINEARITY_MAX_RATIO:g}."
            )
    nb = notebook_figures(data)
    if nb:
        add("")
        add("## Notebook conversion: coursegen vs nbconvert's HTMLExporter")
        add("")
        add(
            f"The {nb['notebooks']} notebooks of the {nb['size']} course, {nb['repeats']} repeats, alternated. "
            "nbconvert: one process, `HTMLExporter()` created once, then `from_filename()` on each notebook; the figure is the loop's time ÷ notebooks "
            f"(import + exporter creation, {nb['nbconvert_import_s']:.2f} s, not counted; the first notebook, which compiles the templates, "
            f"took {nb['nbconvert_first_ms']:.0f} ms, a typical one {nb['nbconvert_median_ms']:.0f} ms). "
            "coursegen: a clean build (cache deleted) of a course holding only these notebooks and a one-line home page, minus a clean build of the same course without the notebooks "
            "(start-up, theme and home page), ÷ notebooks. coursegen's figure also includes what a site needs beyond the HTML fragment: the page template, the search index, "
            "copying each .ipynb for download, the cache writes."
        )
        add("")
        add("| | per notebook | ratio to nbconvert |")
        add("| --- | --- | --- |")
        add(f"| nbconvert HTMLExporter (one process) | {nb['nbconvert_ms']:.0f} ms | 1 |")
        add(f"| coursegen -j1 (one process) | {nb['cg_j1_ms']:.0f} ms | {fmt_x(nb['ratio_j1'])} |")
        if nb["cg_ms"] is not None:
            add(
                f"| coursegen default (2 worker processes; wall time) | {nb['cg_ms']:.0f} ms | {fmt_x(nb['ratio_default'])} |"
            )
        add("")
        add(
            "Medians of the wall times: " + ", ".join(f"{k} {fmt_s(v)}" for k, v in nb["walls"].items()) + "."
        )
    prof = data.get("profile")
    if prof:
        add("")
        add(f"## Where the time goes: cProfile of coursegen on the {prof['size']} course (-j1)")
        add("")
        add(
            "`python -m cProfile -o /tmp/x.prof -m coursegen build -q -j1` in the course folder, after a clean "
            "(site/ and .coursegen-cache/ deleted) and after a one-lesson edit. cProfile roughly doubles the time of "
            "Python-heavy code, so read the shares, not the absolute seconds. Cumulative seconds; nested stages are "
            "indented by name (\"bodies: …\" are parts of \"bodies: total\"); imports overlap the stages that trigger them."
        )
        for case in ("clean", "lesson"):
            p = prof.get(case)
            if not p or "stages" not in p:
                continue
            add("")
            add(
                f"### {'Clean build' if case == 'clean' else 'One-lesson edit'} — {fmt_s(p['wall_under_profile'])} under the profiler, {p['total_s']:.2f} s profiled"
            )
            add("")
            add("| stage | cumulative | share | calls |")
            add("| --- | --- | --- | --- |")
            total = p["total_s"]
            add(f"| whole process (start-up, imports and build) | {total:.2f} s | 100% | |")
            for s in p["stages"]:
                add(
                    f"| {s['stage']} | {s['seconds']:.2f} s | {100 * s['seconds'] / total:.0f}% | {s['calls']} |"
                )
            add("")
            add("<details><summary>Top cumulative entries</summary>")
            add("")
            add("| function | calls | own | cumulative |")
            add("| --- | --- | --- | --- |")
            for row in p["top_cumulative"][:25]:
                add(
                    f"| `{row['function']}` | {row['calls']} | {row['tottime']:.2f} s | {row['cumtime']:.2f} s |"
                )
            add("")
            add("Top own-time entries:")
            add("")
            add("| function | calls | own | cumulative |")
            add("| --- | --- | --- | --- |")
            for row in p["top_tottime"][:15]:
                add(
                    f"| `{row['function']}` | {row['calls']} | {row['tottime']:.2f} s | {row['cumtime']:.2f} s |"
                )
            add("")
            add("</details>")
    if data.get("notes"):
        add("")
        add("## Notes")
        add("")
        for note in data["notes"]:
            add(f"- {note}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )

    def listing(allowed):
        return lambda text: [
            x
            for x in text.split(",")
            if x
            and x != "none"
            and (x in allowed or parser.error(f"unknown: {x} (choose from {', '.join(allowed)})"))
        ]  # noqa: E731

    parser.add_argument(
        "--sizes",
        type=listing(SIZES),
        default=["small", "medium", "large"],
        help="comma-separated: small,medium,large",
    )
    parser.add_argument(
        "--tools",
        type=listing(TOOLS),
        default=list(TOOLS),
        help="comma-separated: coursegen,mkdocs,jupyter-book",
    )
    parser.add_argument(
        "--cases",
        type=listing(CASES),
        default=list(CASES),
        help="comma-separated: clean,noop,lesson,notebook",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per case and tool (default 3)")
    parser.add_argument(
        "--jb-large-clean-repeat",
        type=int,
        default=1,
        help="Jupyter Book's clean builds of the large course (default 1: ~15 min each)",
    )
    parser.add_argument(
        "--timeout", type=float, default=2400, help="seconds allowed to any one build (default 2400)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "coursegen-bench",
        help="where the courses are generated",
    )
    parser.add_argument(
        "--make-course", type=Path, default=DEFAULT_MAKE_COURSE, help="path of make_course.py"
    )
    parser.add_argument(
        "--peers-venv",
        type=Path,
        default=REPO / ".peers-venv",
        help="virtualenv of the peers (created when missing)",
    )
    parser.add_argument(
        "--coursegen-python",
        default=sys.executable,
        help="Python that has coursegen installed (default: this one)",
    )
    parser.add_argument(
        "--coursegen-ref",
        default="HEAD",
        help="coursegen measured: a git commit (default HEAD, frozen with git archive), "
        "`worktree` (a copy of src/, templates/, static/ as they are now) or `live` (the work tree itself, edits included)",
    )
    parser.add_argument(
        "--page-control",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="build a 20-module, 20-lesson control course to see whether a page grows with lessons (default: when large is measured)",
    )
    parser.add_argument(
        "--linearity",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="build coursegen alone on a 1,000- and a 5,000-lesson course (clean, no-op, one-lesson edit) "
        "to show no step grows faster than the course (default: when large is measured)",
    )
    parser.add_argument(
        "--append-to",
        type=Path,
        metavar="JSON",
        help="add these measurements to an earlier results file (and rewrite its report)",
    )
    parser.add_argument(
        "--no-profile", dest="profile", action="store_false", help="skip the cProfile summary"
    )
    parser.add_argument(
        "--no-nbconvert", dest="nbconvert", action="store_false", help="skip the nbconvert comparison"
    )
    parser.add_argument("--no-j1", dest="j1", action="store_false", help="skip coursegen's -j1 clean builds")
    parser.add_argument(
        "--output", type=Path, default=REPO / "BENCHMARKS.md", help="report to write (default BENCHMARKS.md)"
    )
    parser.add_argument(
        "--json", type=Path, help="raw results file (default benchmarks/results/<UTC time>.json)"
    )
    parser.add_argument(
        "--report-only", type=Path, metavar="JSON", help="only rewrite the report from a results file"
    )
    return parser.parse_args(argv)


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.report_only:
        data = json.loads(args.report_only.read_text(encoding="utf-8"))
        write_report(data, args.output, rel(args.report_only))
        log(f"wrote {args.output}")
        return 0
    args.workdir = args.workdir.resolve()
    session = Session(args)
    # what this invocation ran with; an appended run keeps the earlier run's header and adds its own
    header = (
        session.data
        if not args.append_to
        else {
            "command": session.data["command"],
            "started": session.data["started"],
            "load_start": session.data["load_start"],
        }
    )
    if args.append_to:
        session.json_path = args.append_to
        session.data = json.loads(args.append_to.read_text(encoding="utf-8"))
        session.data.setdefault("appended", []).append(header)
    header["coursegen"] = snapshot_coursegen(args)
    log(
        f"coursegen: {header['coursegen']['ref']} {header['coursegen']['commit']} imported from {header['coursegen']['imported_from']}"
    )
    peers = ensure_peers(args) if set(args.tools) - {"coursegen"} else {"venv": None, "error": None}
    header["peers"] = peers
    if peers.get("error"):
        args.tools = [t for t in args.tools if t == "coursegen"]
    header["versions"] = {
        "coursegen": versions(args.coursegen_python, COURSEGEN_PACKAGES),
        "peers": versions(str(args.peers_venv / "bin" / "python"), PEER_PACKAGES)
        if peers.get("venv")
        else {},
    }
    log(f"results: {session.json_path}; load {os.getloadavg()}")
    started = time.perf_counter()
    try:
        for size in args.sizes:
            measure_size(session, size, args)
            header["load_end"] = os.getloadavg()
            write_report(session.data, args.output, rel(session.json_path))
        biggest = args.sizes[-1] if args.sizes else None
        if biggest and "coursegen" in args.tools and args.nbconvert:
            measure_notebooks(session, biggest, args)
        if biggest and "coursegen" in args.tools and args.profile:
            measure_profile(session, biggest, args)
        if args.page_control or (args.page_control is None and "large" in args.sizes):
            measure_page_control(session, args)
        if args.linearity or (args.linearity is None and "large" in args.sizes and "coursegen" in args.tools):
            measure_linearity(session, args)
    finally:
        header["finished"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        header["seconds"] = round(time.perf_counter() - started, 1)
        header["load_end"] = os.getloadavg()
        header["uptime_end"] = sh(["uptime"])
        session.save()
        write_report(session.data, args.output, rel(session.json_path))
        log(f"wrote {args.output} and {session.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
