"""The command line's commands and options (`coursegen --help`): one function per command;
cli.py runs them."""

from __future__ import annotations

import argparse
from pathlib import Path

from coursegen import __version__


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coursegen",
        description="Build a course website from Markdown lessons and Jupyter notebooks.",
        epilog="Exit status: 0 success (warnings allowed), 1 errors found (or warnings with --strict), 2 "
        "wrong usage, 130 interrupted (Ctrl-C), 143 stopped by SIGTERM.",
    )
    parser.add_argument("--version", action="version", version=f"coursegen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    _add_build_command(commands)
    _add_check_command(commands)
    _add_serve_command(commands)
    _add_export_command(commands)
    _add_pdf_command(commands)
    _add_new_command(commands)
    _add_convert(commands)
    return parser


def _add_build_command(commands) -> None:
    """`coursegen build`."""
    build = commands.add_parser(
        "build",
        help="build the site",
        description="Build the course in COURSE_DIR into a static site. A page whose source has errors "
        "keeps its last good version from the previous build (the build exits with status 1); "
        "a page without one says it could not be rendered.",
    )
    _add_course_dir(build)
    build.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        type=Path,
        help="output folder, relative to the current folder (default: the course's site/; not inside "
        ".coursegen-cache/); replaced in one step, its hidden entries (.git) and CNAME kept, files "
        "added by hand removed",
    )
    _add_strict(build)
    build.add_argument(
        "--clean",
        action="store_true",
        help="ignore and delete the build cache (.coursegen-cache/, media downloaded from other sites "
        "included) first; it also forgets which pages were good, so a page whose source has errors "
        "gets an error page",
    )
    build.add_argument("--drafts", action="store_true", help="include pages marked `draft: true`")
    _add_audience(build, "build the instructor's edition into site-instructor/ (unless -o)")
    build.add_argument(
        "-j",
        "--jobs",
        metavar="N",
        type=_positive_int,
        default=None,
        help="worker processes for rendering pages and notebooks (default: the number of cores)",
    )
    _add_execution_options(build)
    _add_verbosity(build)


def _add_execution_options(build) -> None:
    """`build --execute`, `--executor`, `--report-json`."""
    build.add_argument(
        "--execute",
        action="store_true",
        help="run every notebook before rendering it, up to N at once with -j (results are cached by code, "
        "kernel, settings and the files each notebook can read; default: course.yml "
        "notebooks.execute); a notebook whose run fails keeps its saved outputs, and the build exits "
        "with status 1. A table of what ran is printed and written to site/_reports/execution.html",
    )
    build.add_argument(
        "--executor",
        metavar="ADDRESS",
        type=_executor_address,
        default=None,
        help="run the notebooks on the Dask cluster whose scheduler is at ADDRESS (e.g. "
        "tcp://scheduler:8786; needs pip install 'coursegen[dask]'), not on this machine; default: "
        "course.yml notebooks.executor. An unreachable scheduler stops the build with status 2 before "
        "anything runs",
    )
    build.add_argument(
        "--report-json",
        metavar="FILE",
        type=Path,
        default=None,
        help="also write the execution report (each notebook's status, seconds and first error line) as "
        "JSON to FILE, for CI",
    )


def _add_check_command(commands) -> None:
    """`coursegen check`."""
    check = commands.add_parser(
        "check",
        help="validate the course without writing anything",
        description="Run every validation of a build (front matter, links, anchors, notebooks, encoding, "
        "images and videos loaded from other sites) and write nothing; never downloads "
        "(course.yml remote_assets: fetch uses what the last build downloaded). --fix-encoding "
        "and --fix-notebooks first repair files in place, keeping a .bak of each.",
    )
    _add_course_dir(check)
    _add_strict(check)
    check.add_argument("--drafts", action="store_true", help="also check pages marked `draft: true`")
    _add_audience(
        check, "check the instructor's edition (its `!!! instructor` blocks and kept solutions too)"
    )
    check.add_argument(
        "--fix-encoding",
        action="store_true",
        help="convert files saved as Windows-1252/Latin-1 to UTF-8 and repair garbled text (UTF-8 read as "
        "Windows-1252, e.g. 'MÃ©canismes'; never inside code), in place, keeping a .bak copy of each "
        "file changed",
    )
    check.add_argument(
        "--fix-notebooks",
        action="store_true",
        help="write back notebooks with schema slips (e.g. outputs on a Markdown cell, a missing "
        "execution_count or cell id) repaired and broken JSON around intact cells salvaged, keeping a "
        ".bak copy of each file changed",
    )
    check.add_argument(
        "--kind",
        metavar="K[,K…]",
        help="list only findings of these kinds (links, anchors, headings, alt-text, yaml, notebook, "
        "encoding, math, …); the exit status counts only them",
    )
    check.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="text: one finding per line on stderr (default); json: one document on stdout, for editors "
        "and CI",
    )
    _add_verbosity(check)


def _add_serve_command(commands) -> None:
    """`coursegen serve`."""
    serve = commands.add_parser(
        "serve",
        help="preview the site, rebuilt and reloaded as you edit",
        description="Build the course into a temporary folder, serve it on 127.0.0.1, and rebuild and "
        "reload the browser whenever content/, notebooks/, templates/, static/ or course.yml change (in a "
        "Jupyter Book or MkDocs project: its _toc.yml and _config.yml or mkdocs.yml, and its pages). Build "
        "errors are shown over the page; a page whose source has errors shows its last good version "
        "meanwhile. Other web sites cannot read the preview (403 for their requests); files are streamed "
        "and byte ranges answered (206).",
    )
    _add_course_dir(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    serve.add_argument("--open", action="store_true", help="open the preview in the web browser")
    serve.add_argument(
        "--drafts", action="store_true", help="include pages marked `draft: true` in the preview"
    )
    _add_audience(serve, "preview the instructor's edition")
    _add_verbosity(serve)


def _add_export_command(commands) -> None:
    """`coursegen export FORMAT`."""
    export = commands.add_parser(
        "export",
        help="export the quizzes or the whole course for Moodle and other learning platforms",
        description="Write the course for a learning platform: `moodle` (Moodle XML question bank of the "
        "quizzes), `gift` (the same questions in GIFT), `scorm` (a SCORM 1.2 package of the "
        "whole site that reports completion). The file is written atomically, never inside the "
        "course's sources; a quiz that cannot be exported is a warning and is left out.",
    )
    export.add_argument(
        "format", metavar="FORMAT", choices=["moodle", "gift", "scorm"], help="moodle, gift or scorm"
    )
    _add_course_dir(export)
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help="file to write (default: in COURSE_DIR, named after its folder: NAME-moodle.xml, "
        "NAME-gift.txt or NAME-scorm.zip)",
    )
    _add_verbosity(export)


def _add_new_command(commands) -> None:
    """`coursegen new DIR`."""
    new = commands.add_parser(
        "new",
        help="start a new course from a small working example",
        description="Create a small working course in DIR (which must not exist or be empty), with a "
        ".gitignore and a workflow that publishes it with this very coursegen version.",
    )
    new.add_argument(
        "directory", metavar="DIR", type=Path, help="folder to create (`.` for the current folder, if empty)"
    )
    new.add_argument(
        "--language",
        choices=["fr", "en"],
        default="fr",
        help="language of the interface and the example text (default: fr)",
    )
    new.add_argument(
        "--host",
        choices=["github", "gitlab"],
        default="github",
        help="where the course is published: github (.github/workflows/publish.yml for GitHub Pages, the "
        "default) or gitlab (.gitlab-ci.yml for GitLab Pages)",
    )
    new.add_argument(
        "--nightly",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also rebuild the site every night, even without a push (default: on), so that solutions "
        "published on a date (course.yml solutions: {release: DATE}) appear by themselves; --no-nightly: "
        "only on a push",
    )


def _add_convert(commands) -> None:
    """`coursegen convert PROJECT`."""
    convert = commands.add_parser(
        "convert",
        help="write a Jupyter Book or MkDocs project out as a coursegen course (course.yml + content/)",
        description="Read a Jupyter Book 1 (_toc.yml) or MkDocs (mkdocs.yml) project — which `build` and "
        "`serve` also read in place — and write it as a coursegen course into a new folder: the pages keep "
        "their folders under content/, the table of contents' order and titles go to their front matter, "
        "the settings to course.yml. The project is left as it is. Ends with what could not be carried "
        "over.",
    )
    convert.add_argument(
        "project",
        metavar="PROJECT",
        nargs="?",
        type=Path,
        default=Path("."),
        help="the project's folder (default: .)",
    )
    convert.add_argument(
        "--to",
        choices=["coursegen"],
        default="coursegen",
        help="the layout to write (coursegen, the only one)",
    )
    convert.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        type=Path,
        help="folder to create, new or empty, outside the project (default: PROJECT-coursegen beside it)",
    )


def _add_pdf_command(commands) -> None:
    """`coursegen pdf`."""
    pdf = commands.add_parser(
        "pdf",
        help="print the course and its sections to PDF (site/pdf/) with Chromium",
        description="Build the course, then print its print pages (print.html, A/print.html) to PDF with "
        "the system's Chromium, headless and offline: site/pdf/course.pdf and site/pdf/A.pdf, with "
        "bookmarks from the headings and page numbers. PDFs are cached by their print page's content: a "
        "rerun with no change prints nothing. Later builds keep them in the site while their print page is "
        "unchanged.",
    )
    _add_course_dir(pdf)
    pdf.add_argument(
        "-o", "--output", metavar="OUT", type=Path, help="the site folder (default: the course's site/)"
    )
    pdf.add_argument(
        "--section",
        metavar="A",
        help="print only this section's PDF (its folder under content/, e.g. module6)",
    )
    pdf.add_argument(
        "--chromium",
        metavar="PATH",
        help="the Chromium (or Chrome) to print with (default: $COURSEGEN_CHROMIUM, else chromium on PATH)",
    )
    _add_audience(pdf, "print the instructor's edition (its site is site-instructor/ unless -o)")
    _add_strict(pdf)
    _add_verbosity(pdf)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _executor_address(text: str) -> str:
    from coursegen.config import EXECUTOR_ADDRESS

    if text == "local":
        return text
    if not EXECUTOR_ADDRESS.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected a Dask scheduler's address such as tcp://127.0.0.1:8786 (or local), not {text!r}"
        )
    return text


def _add_course_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "course_dir",
        metavar="COURSE_DIR",
        nargs="?",
        type=Path,
        default=None,
        help="the course folder (default: the current folder or the nearest one above it holding content/ "
        "or course.yml, or a Jupyter Book's _toc.yml or a mkdocs.yml, read in place)",
    )


def _add_audience(parser: argparse.ArgumentParser, instructor: str) -> None:
    parser.add_argument(
        "--audience",
        choices=["learner", "instructor"],
        default="learner",
        help=f"learner: the site for learners (default; no `!!! instructor` blocks, no solutions when "
        f"course.yml says solutions: instructor, until solutions.release); instructor: {instructor}, with a "
        f"banner on every page, the `!!! instructor` blocks, the solutions open and each module's timing "
        f"sheet. The date taken as today can be set with COURSEGEN_TODAY=YYYY-MM-DD",
    )


def _add_strict(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings as errors: exit 1 and leave the previous site untouched",
    )


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="print every file as it is processed, the time each stage took (build, check), and the "
        "traceback of an internal error",
    )
