"""Command line: `coursegen build | check | serve | new` (also `python -m coursegen …`)."""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
from pathlib import Path

from coursegen import __version__

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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
    _add_new_command(commands)
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
        "reload the browser whenever content/, notebooks/, templates/, static/ or course.yml "
        "change. Build errors are shown over the page; a page whose source has errors shows "
        "its last good version meanwhile.",
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
        "--nightly", action="store_true", help="also rebuild the site every night, even without a push"
    )


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
        "or course.yml)",
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


def run() -> None:
    """The `coursegen` command: `main()`, then a quick exit. By the time main() returns, every file
    is written and closed and every worker has stopped; what is left is Python tearing the heap
    down object by object (a large course's graph and caches: ~30 ms of a 0.4 s rebuild, see
    docs/architecture.md, "Shortcuts kept for speed"). The first exit handler registered runs
    last: it flushes the output and ends the process there, after every other handler ran."""
    outcome: list[int] = []
    atexit.register(_quick_exit, outcome)
    try:
        outcome.append(main())
    except KeyboardInterrupt as interrupt:  # before main() could catch it: while it imported
        outcome.append(_interrupted(interrupt))
    sys.exit(outcome[0])


def _quick_exit(outcome: list[int]) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`coursegen build | head`): nothing more to say
            pass
    if outcome:  # main() returned: skip the heap's teardown (an exception unwinding keeps its traceback)
        os._exit(outcome[0])


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from coursegen.errors import CoursegenError  # keep `--help` fast: nothing heavy before here
    from coursegen.interrupts import raise_interrupted

    try:
        signal.signal(signal.SIGTERM, raise_interrupted)  # SIGTERM cleans up like Ctrl-C (exit 143)
        if hasattr(args, "course_dir"):  # every command that works on a course
            _find_course(args)
        if args.command in ("build", "check"):
            return _run_build(args)
        if args.command == "serve":
            from coursegen.serve import run_serve

            return run_serve(args)
        if args.command == "export":
            return _run_export(args)
        if args.command == "new":
            return _new_course(args)
    except CoursegenError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt as interrupt:
        return _interrupted(interrupt)
    except Exception as error:  # a bug: say so plainly, the traceback only on request
        if getattr(args, "verbose", False):
            raise
        print(
            f"internal error: {type(error).__name__}: {error} — please report it (run again with -v for "
            f"the traceback){_cache_hint(args)}",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    return EXIT_USAGE


def _find_course(args: argparse.Namespace) -> None:
    """COURSE_DIR when given, else the course around the current folder, said on stderr when it is
    not the current folder itself (messages name files relative to that course)."""
    from coursegen.courseroot import course_root

    args.course_dir, found = course_root(args.course_dir, Path.cwd())
    if found and not getattr(args, "quiet", False):
        print(found, file=sys.stderr)


def _new_course(args: argparse.Namespace) -> int:
    import shlex

    from coursegen.scaffold import create_course

    created = create_course(args.directory, args.language, args.host, args.nightly)
    for warning in created.warnings:
        print(warning, file=sys.stderr)
    here = created.path.resolve() == Path.cwd().resolve()  # `coursegen new .`: no `cd .` to tell
    shown, next_step = (
        (created.path.resolve(), "") if here else (created.path, f"cd {shlex.quote(str(created.path))} && ")
    )
    print(f"Created a new course in {shown}. Next: {next_step}coursegen build")
    where = (
        "GitHub, then choose Settings → Pages → Source: GitHub Actions"
        if args.host == "github"
        else "GitLab (the site appears under Deploy → Pages)"
    )
    print(f"To publish it, push it to {where}; {created.workflow} builds and publishes it.")
    return EXIT_OK


def _say(line: str) -> None:
    print(line, file=sys.stderr)


def _kinds(text: str) -> list[str]:
    from coursegen.errors import UsageError
    from coursegen.findings import parse_kinds

    try:
        return parse_kinds(text)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _interrupted(interrupt: KeyboardInterrupt) -> int:
    """Say truthfully which site is in place after Ctrl-C (exit 130) or SIGTERM (exit 143)."""
    from coursegen.interrupts import Interrupted

    if getattr(interrupt, "site_replaced", False):
        print("interrupted; the new site was already in place", file=sys.stderr)
    else:
        print("interrupted; the previous site was left as it was", file=sys.stderr)
    return interrupt.exit_code if isinstance(interrupt, Interrupted) else EXIT_INTERRUPTED


def _cache_hint(args: argparse.Namespace) -> str:
    """A command that read the build cache may have tripped over a damaged entry: say how to start afresh."""
    from coursegen.cache import CACHE_DIR

    course_dir = getattr(args, "course_dir", None)
    if course_dir is None or not (Path(course_dir) / CACHE_DIR).is_dir():
        return ""
    return "; if the build cache was damaged, run `coursegen build --clean`"


def _run_build(args: argparse.Namespace) -> int:
    from coursegen.build import BuildOptions, build
    from coursegen.report import Reporter
    from coursegen.run_report import RunProgress, print_table, report_json

    reporter = Reporter(quiet=args.quiet, verbose=args.verbose)
    writing = args.command == "build"
    kinds = _kinds(args.kind) if getattr(args, "kind", None) else None
    as_json = getattr(args, "format", "text") == "json"
    if getattr(args, "fix_encoding", False):
        from coursegen.fixes import fix_encoding

        fix_encoding(args.course_dir, _say)
    if getattr(args, "fix_notebooks", False):
        from coursegen.fixes import fix_notebooks

        fix_notebooks(args.course_dir, _say)
    if writing and args.output is not None:
        from coursegen.output import refuse_output_in_cache

        refuse_output_in_cache(args.course_dir, args.output)
    if writing and args.clean:
        from coursegen.cache import clear_cache

        clear_cache(args.course_dir)
    options = BuildOptions(
        strict=args.strict,
        drafts=args.drafts,
        write=writing,
        execute=getattr(args, "execute", False),
        **({"jobs": args.jobs} if getattr(args, "jobs", None) else {}),
        debug=args.verbose,
        progress=reporter.progress,
        executor=getattr(args, "executor", None) or "",
        run_progress=RunProgress(reporter.console, args.quiet),
    )
    with reporter.live():
        result = build(args.course_dir, getattr(args, "output", None), options)
    if result.runs and not args.quiet:
        print_table(reporter.console, result.runs)
    if getattr(args, "report_json", None):
        from coursegen.cache import write_text_atomically

        if not write_text_atomically(args.report_json, report_json(result.runs)):
            print(f"{args.report_json}: could not be written", file=sys.stderr)
            return EXIT_ERRORS
    failed = reporter.summary(
        result, args.course_dir, checking=not writing, strict=args.strict, kinds=kinds, as_json=as_json
    )
    if result.written and result.kept:
        from coursegen.lastgood import kept_summary

        print(kept_summary(len(result.kept)), file=sys.stderr, flush=True)
    return EXIT_ERRORS if failed else EXIT_OK


def _run_export(args: argparse.Namespace) -> int:
    from coursegen.errors import Level
    from coursegen.export import export

    result = export(args.course_dir, args.format, args.output)
    for diagnostic in result.diagnostics.sorted():
        if not args.quiet or diagnostic.level is Level.ERROR:
            print(diagnostic.format(), file=sys.stderr)
    what = (
        f"{result.questions} question{'s' * (result.questions != 1)}"
        if args.format != "scorm"
        else f"{result.lessons} lesson{'s' * (result.lessons != 1)}"
    )
    if not args.quiet:
        print(f"Wrote {result.path} ({what}).", file=sys.stderr)
    return EXIT_ERRORS if result.diagnostics.errors else EXIT_OK
