"""What the user sees in the terminal: diagnostics, progress on long builds, the closing summary."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from coursegen import findings
from coursegen.errors import Level

PROGRESS_THRESHOLD = 40  # pages: below this a build is too quick for a progress bar to help


class Reporter:
    def __init__(self, quiet: bool = False, verbose: bool = False):
        self.quiet = quiet
        self.verbose = verbose
        # colours and a progress bar on a terminal (rich); plain lines in a log or a pipe
        self.console = _rich_console() if sys.stderr.isatty() else _PlainConsole()
        self._progress = None
        self._tasks: dict[str, object] = {}  # stage → its bar's task

    @contextlib.contextmanager
    def live(self):
        """A progress bar while the build runs, on a terminal, for courses big enough to need one."""
        if self.quiet or not self.console.is_terminal:
            yield
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.fields[stage]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        with self._progress:
            yield
        self._progress, self._tasks = None, {}

    def progress(self, name: str, done: int, total: int) -> None:
        """Pages rendered (`name` the last one)."""
        if self.verbose:
            self.console.print(f"  {name}", markup=False)
        if total >= PROGRESS_THRESHOLD:
            self.bar("rendering", name, done, total)

    def bar(self, stage: str, name: str, done: int, total: int) -> None:
        """One bar per stage while the build runs (on a terminal only)."""
        if self._progress is None:
            return
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._progress.add_task(name, total=total, stage=stage)
        self._progress.update(task, completed=done, description=name)

    def summary(
        self,
        result,
        course_dir: Path,
        checking: bool,
        strict: bool,
        kinds: list[str] | None = None,
        as_json: bool = False,
    ) -> bool:
        """Print the findings and the closing line; True when they fail the command (errors, or any
        problem under --strict). `build` shows a screenful (everything with -v); `check` lists every
        finding — only those of `kinds` when given — as lines, or as JSON on stdout."""
        diagnostics = result.diagnostics.sorted()
        if kinds:
            diagnostics = [d for d in diagnostics if d.kind in kinds]
        errors = sum(1 for d in diagnostics if d.level is Level.ERROR)
        warnings = sum(1 for d in diagnostics if d.level is Level.WARNING)
        if as_json:
            print(
                findings.as_json(
                    diagnostics,
                    {
                        "errors": errors,
                        "warnings": warnings,
                        "pages": result.pages,
                        "notebooks": result.notebooks,
                    },
                ),
                flush=True,
            )
        else:
            listed = diagnostics if checking or self.verbose else findings.screenful(diagnostics)
            for item in listed:
                if self.quiet and item.level is not Level.ERROR:
                    continue
                text = item.text if isinstance(item, findings.CountLine) else item.format()
                self.console.print(text, style=_STYLES[item.level], markup=False)
        counts = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
        if kinds:
            counts += f" of kind {', '.join(kinds)}"
        if result.silenced:
            counts += f" ({result.silenced:,} silenced by course.yml checks)"
        if checking:
            line = f"Checked {_count(result.pages, 'page')} ({_count(result.notebooks, 'notebook')}) in {result.seconds:.1f} s: {counts}"
        elif result.written:
            line = f"Built {_count(result.pages, 'page')} ({_count(result.notebooks, 'notebook')}, {_count(result.files, 'file')}) in {result.seconds:.1f} s: {counts} → {_shown(result.out)}"
        else:
            why = (
                "--strict and problems were found" if strict and (errors or warnings) else "errors were found"
            )
            line = f"Nothing written ({why}): {counts}; the previous site is unchanged"
        if not self.quiet or errors:
            self.console.print(line, style="bold" if not errors else "bold red", markup=False)
        if self.verbose and result.stages:
            self.console.print(
                "Time by stage: " + ", ".join(f"{stage} {seconds:.3f} s" for stage, seconds in result.stages),
                markup=False,
            )
        return bool(errors) or (strict and bool(warnings))


_STYLES = {Level.ERROR: "bold red", Level.WARNING: "yellow", Level.NOTE: "cyan"}


def _rich_console():
    from rich.console import Console  # a fifth of a quick rebuild's time: only for a terminal

    return Console(stderr=True, highlight=False, soft_wrap=True)


class _PlainConsole:
    is_terminal = False

    def print(self, text: str, style: str = "", markup: bool = False) -> None:
        print(text, file=sys.stderr, flush=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)
