"""Pathological Markdown (issue #20 item 10): coursegen's Markdown conversion against plain
Python-Markdown with the same extensions minus coursegen's own, on four inputs that real tools or
careless pastes produce — 20,000 `[`, 30,000 headings, 50,000 `* * *` rules, 20,000 footnotes.

    .venv/bin/python benchmarks/markdown_pathological.py [--scale 0.25] [--repeat 1] [--profile NAME]

Each input is converted at half and at full size (linearity shows in the ratio of the two), by
`MarkdownRenderer.render` (coursegen: its tree processors, math, quiz, link rewriting) and by a
`markdown.Markdown` with MarkdownRenderer.EXTENSIONS and pymdownx.highlight. The budget
(`markdown.max_seconds`) is off here: the point is the raw cost. `--profile NAME` prints the
cProfile of coursegen on that input instead. Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from coursegen.config import load_config  # noqa: E402
from coursegen.course import build_course  # noqa: E402
from coursegen.discover import SourceKind, discover_sources  # noqa: E402
from coursegen.errors import Diagnostics  # noqa: E402
from coursegen.markdown_render import MarkdownRenderer  # noqa: E402
from coursegen.parse import parse_source  # noqa: E402

INPUTS = {
    "brackets": (20_000, lambda n: "[" * n + "\n"),
    "headings": (30_000, lambda n: "".join(f"## Section {i}\n\nText {i}.\n\n" for i in range(n))),
    "rules": (50_000, lambda n: "* * *\n\n" * n),
    "footnotes": (
        20_000,
        lambda n: (
            "".join(f"Claim {i}.[^{i}]\n\n" for i in range(n))
            + "".join(f"[^{i}]: Source {i}.\n" for i in range(n))
        ),
    ),
}


def plain_markdown() -> markdown.Markdown:
    """Python-Markdown with coursegen's extension list and settings, without coursegen's code."""
    return markdown.Markdown(
        extensions=[*MarkdownRenderer.EXTENSIONS, "pymdownx.highlight"],
        extension_configs={
            "pymdownx.tasklist": {"custom_checkbox": False},
            "pymdownx.tabbed": {"alternate_style": True},
            "pymdownx.magiclink": {"hide_protocol": False},
            "toc": {"permalink": "#", "permalink_title": "", "toc_depth": "2-3"},
            "footnotes": {"BACKLINK_TITLE": ""},
            "pymdownx.highlight": {"css_class": "highlight", "guess_lang": False, "use_pygments": True},
        },
        output_format="html",
    )


def coursegen_renderer(folder: Path, language: str = "fr"):
    """A one-lesson course and its page: what `render` needs (links resolve on the course graph)."""
    (folder / "content").mkdir()
    (folder / "course.yml").write_text(f"title: Benchmark\nlanguage: {language}\n", encoding="utf-8")
    (folder / "content/index.md").write_text("# Accueil\n", encoding="utf-8")
    (folder / "content/lesson.md").write_text("# Leçon\n", encoding="utf-8")
    diagnostics = Diagnostics()
    load_config(folder, diagnostics)
    sources = discover_sources(folder, diagnostics)
    pages = [parse_source(s, diagnostics) for s in sources if s.kind is not SourceKind.ASSET]
    course = build_course([p for p in pages if p], [], diagnostics)
    page = next(p for p in course.pages if p.url.endswith("lesson.html"))
    renderer = MarkdownRenderer(course, language=language)
    renderer.max_seconds = 0  # no budget: measure the whole conversion
    return renderer, page


def timed(convert, text: str, repeat: int) -> float:
    """Best CPU seconds of this process over `repeat` runs: on a shared machine, wall time measures
    the other users as much as the code (the conversion is single-threaded, in this process)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        convert(text)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's sizes (default 1)")
    parser.add_argument("--language", default="fr", help="the course's language (fr: French typography runs)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs (default 1)")
    parser.add_argument("--only", nargs="*", choices=list(INPUTS), help="only these inputs")
    parser.add_argument("--profile", choices=list(INPUTS), help="cProfile coursegen on this input")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        renderer, page = coursegen_renderer(Path(folder), args.language)
        plain = plain_markdown()

        def ours(text: str) -> None:
            renderer.render(page, text, 1, Diagnostics())

        def theirs(text: str) -> None:
            plain.reset()
            plain.convert(text)

        if args.profile:
            size, make = INPUTS[args.profile]
            profile = cProfile.Profile()
            profile.runcall(ours, make(int(size * args.scale)))
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            return
        print("| input | size | Python-Markdown (CPU s) | coursegen (CPU s) | coursegen / Python-Markdown |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for name in args.only or INPUTS:
            size, make = INPUTS[name]
            for n in (int(size * args.scale) // 2, int(size * args.scale)):
                text = make(n)
                base, own = timed(theirs, text, args.repeat), timed(ours, text, args.repeat)
                print(f"| {name} | {n:,} | {base:.2f} | {own:.2f} | {own / base:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
