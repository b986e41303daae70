"""Lighthouse scores of the example course: performance, accessibility, best practices, SEO.

    cd benchmarks && npm ci          # once: Lighthouse 12.2.3 into benchmarks/node_modules (git-ignored)
    .venv/bin/python benchmarks/lighthouse.py [--desktop] [--min 95] [--site FOLDER] [--json OUT.json]

The example course (the repository's course.yml, content/ and notebooks/) is built into a temporary
folder from a copy (a build writes its cache into the course), served by http.server on 127.0.0.1,
and Lighthouse runs against its home, module, lesson and notebook pages in Debian's Chromium
(CHROME_PATH=/usr/bin/chromium, --headless=new --no-sandbox --disable-gpu). Lighthouse's default is a
throttled mobile phone; --desktop uses its desktop preset. With --min, the exit status is 1 when a
score is below it. Nothing leaves the machine: the site loads nothing from the network.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = {
    "home": "index.html",
    "module": "module6/index.html",
    "lesson": "module6/02_mecanismes_attention.html",
    "notebook": "module6/notebooks/01_attention_numpy.html",
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def build_example(into: Path) -> Path:
    from coursegen.build import BuildOptions, build

    course = into / "course"
    for folder in ("content", "notebooks"):
        shutil.copytree(REPO / folder, course / folder, ignore=shutil.ignore_patterns(".*"))
    shutil.copy2(REPO / "course.yml", course / "course.yml")
    out = into / "site"
    result = build(course, out, BuildOptions(jobs=1))
    if result.diagnostics.errors:
        raise SystemExit(
            "the example course does not build:\n" + "\n".join(d.format() for d in result.diagnostics.errors)
        )
    return out


def lighthouse(url: str, report: Path, desktop: bool) -> dict[str, float]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if desktop:
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not report.is_file():
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round(100 * (data["categories"][name]["score"] or 0)) for name in CATEGORIES}
    failing = [
        f"{audit['id']} ({audit['score']})"
        for audit in data["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") in ("binary", "numeric")
    ]
    scores["below 1"] = failing
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build the example course)")
    parser.add_argument(
        "--desktop", action="store_true", help="Lighthouse's desktop preset (default: mobile)"
    )
    parser.add_argument("--min", type=int, default=0, help="exit 1 when a score is below this")
    parser.add_argument("--json", type=Path, help="write the scores to this file")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        print(f"{LIGHTHOUSE} is missing: cd benchmarks && npm ci", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="coursegen-lighthouse-") as temporary:
        temporary = Path(temporary)
        site = args.site or build_example(temporary)
        httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
        )
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        root = f"http://127.0.0.1:{httpd.server_address[1]}/"
        results = {}
        try:
            for kind, url in PAGES.items():
                results[kind] = lighthouse(root + url, temporary / f"{kind}.json", args.desktop)
        finally:
            httpd.shutdown()
            httpd.server_close()

    mode = "desktop" if args.desktop else "mobile"
    print(f"Lighthouse {mode}: {', '.join(CATEGORIES)}")
    print(f"{'page':<10}" + "".join(f"{name:>16}" for name in CATEGORIES))
    for kind, scores in results.items():
        print(f"{kind:<10}" + "".join(f"{scores[name]:>16}" for name in CATEGORIES))
    for kind, scores in results.items():
        if scores["below 1"]:
            print(f"{kind}: audits below 1: {', '.join(scores['below 1'])}")
    if args.json:
        args.json.write_text(json.dumps({"mode": mode, "pages": results}, indent=2) + "\n", encoding="utf-8")
    low = [
        (kind, name, scores[name])
        for kind, scores in results.items()
        for name in CATEGORIES
        if scores[name] < args.min
    ]
    for kind, name, score in low:
        print(f"below {args.min}: {kind} {name} = {score}", file=sys.stderr)
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
