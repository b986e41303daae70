"""Command line: `coursegen build | check | serve | export | pdf | new | convert` (also
`python -m coursegen …`); the commands and their options are in cli_parser.py."""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
from pathlib import Path

from coursegen.cli_parser import make_parser

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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
        if args.command == "pdf":
            return _run_pdf(args)
        if args.command == "new":
            return _new_course(args)
        if args.command == "convert":
            return _convert(args)
    except CoursegenError as error:
        print(error, file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt as interrupt:
        return _interrupted(interrupt)
    except Exception as error:  # a bug: say so plainly, the traceback only on request
        interrupt = _interrupt_inside(error)
        if interrupt is not None:
            return _interrupted(interrupt)
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


def _convert(args: argparse.Namespace) -> int:
    from coursegen.project.convert import convert_project

    converted = convert_project(args.project, args.output)
    for diagnostic in converted.diagnostics.sorted():
        print(diagnostic.format(), file=sys.stderr)
    print(f"Wrote {converted.path} ({converted.pages} pages, {converted.files} other files).")
    if converted.notes:
        print("Not carried over:")
        for note in converted.notes:
            print(f"  - {note}")
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


def _interrupt_inside(error: BaseException) -> KeyboardInterrupt | None:
    """A Ctrl-C or SIGTERM that Python wrapped in another exception: Python 3.11 turns one that comes
    while a class is made (a dataclass's fields, during an import) into "RuntimeError: Error calling
    __set_name__", its cause the interrupt. None for any other error."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, KeyboardInterrupt):
            return error
        error, seen = error.__cause__, seen + 1
    return None


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
        audience=getattr(args, "audience", "learner"),
        run_progress=RunProgress(reporter.console, args.quiet, reporter.bar),
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


def _run_pdf(args: argparse.Namespace) -> int:
    from coursegen.build import BuildOptions
    from coursegen.printing.command import make_pdfs
    from coursegen.printing.pdf import find_chromium
    from coursegen.report import Reporter

    chromium = find_chromium(args.chromium)  # before building: no Chromium, nothing done (exit 2)
    if args.output is not None:
        from coursegen.output import refuse_output_in_cache

        refuse_output_in_cache(args.course_dir, args.output)
    reporter = Reporter(quiet=args.quiet, verbose=args.verbose)
    options = BuildOptions(
        strict=args.strict, debug=args.verbose, progress=reporter.progress, audience=args.audience
    )
    with reporter.live():
        run = make_pdfs(args.course_dir, args.output, args.section, chromium, options, _say)
    failed = reporter.summary(run.result, args.course_dir, checking=False, strict=args.strict)
    if not args.quiet:
        for url in run.made:
            _say(f"Wrote {run.result.out / url}")
        if run.cached:
            _say(f"Unchanged: {', '.join(run.cached)}")
    return EXIT_ERRORS if failed else EXIT_OK
