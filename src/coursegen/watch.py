"""Watch a course's sources for `coursegen serve`: which paths count, what kind of change each is.

Two watcher threads (watchfiles, i.e. inotify/FSEvents/ReadDirectoryChangesW, polling where none):
one recursive over the source folders that exist (content/, notebooks/, templates/, static/), one
non-recursive over the course folder itself, for course.yml (editors replace it by renaming, which a
watch on the file would lose) and for source folders that appear or disappear (the recursive
watcher is then restarted). Nothing else of the course folder is watched: not site/, not
.coursegen-cache/, not .git/, so a build can never trigger itself.

The watchers only report filtered paths; debouncing and rebuilding belong to the caller (serve/preview.py).
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from pathlib import Path

from coursegen.discover import is_ignored
from coursegen.model import CONTENT_DIR, NOTEBOOKS_DIR, SOURCE_DIRS, STATIC_DIR, TEMPLATES_DIR

CONFIG_FILE = "course.yml"
# Editor and tool litter that no build reads (vim's write probe "4913", Emacs lock files ".#x").
EXTRA_JUNK_NAMES = {".ipynb_checkpoints", ".git", ".DS_Store", "4913"}


class ChangeKind(enum.Enum):
    """What a changed path is to the build; decides how much must be redone."""

    CONTENT = "content"  # Markdown page or a file published beside the pages (content/)
    NOTEBOOK = "notebook"  # a notebook (content/**.ipynb or notebooks/)
    TEMPLATE = "template"  # templates/
    STATIC = "static"  # static/
    CONFIG = "config"  # course.yml, or a whole source folder appearing or disappearing


def is_junk(name: str, *, private: bool = True) -> bool:
    """Hidden files, editor swap and backup files, caches; `_name` too when `private` (the build
    ignores those in content/, notebooks/ and static/, but a template may include `_partial.html`)."""
    if name in EXTRA_JUNK_NAMES:
        return True
    return is_ignored(name) and (private or not name.startswith("_"))


def classify(root: Path, path: Path) -> ChangeKind | None:
    """The kind of a changed `path` (absolute, under `root`), or None when no build reads it."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    if not parts:
        return None
    top = parts[0]
    if len(parts) == 1:
        if top == CONFIG_FILE:
            return ChangeKind.CONFIG
        if top in SOURCE_DIRS:  # the folder itself (created, deleted, renamed)
            return ChangeKind.CONFIG
        return None
    private = top != TEMPLATES_DIR
    if any(is_junk(part, private=private) for part in parts[1:]):
        return None
    if top == CONTENT_DIR:
        return ChangeKind.NOTEBOOK if path.suffix.lower() == ".ipynb" else ChangeKind.CONTENT
    if top == NOTEBOOKS_DIR:
        return ChangeKind.NOTEBOOK
    if top == TEMPLATES_DIR:
        return ChangeKind.TEMPLATE
    if top == STATIC_DIR:
        return ChangeKind.STATIC
    return None


class SourceWatcher:
    """Calls `on_change(paths)` from a watcher thread with each batch of relevant changed paths.

    `start()` returns once the operating system watches are in place, so a file written after it
    is always seen. `stop()` ends both threads.
    """

    TICK_MS = 100  # the watcher threads wake up this often when nothing happens (to notice stop/restart)

    def __init__(
        self,
        root: Path,
        on_change: Callable[[set[Path]], None],
        on_problem: Callable[[str], None] | None = None,
        name: str = "coursegen-watch",
    ):
        self.root = root.resolve()
        self.name = name
        self._on_change = on_change
        self._on_problem = on_problem or (lambda message: None)
        self._stopping = threading.Event()
        self._tree_stop = threading.Event()  # set to stop (or restart) the recursive watcher
        self._ready = {"root": threading.Event(), "tree": threading.Event()}
        self._threads: list[threading.Thread] = []

    def start(self, timeout: float = 10.0) -> None:
        try:
            import watchfiles  # noqa: F401 - fail now, with a clear message, rather than in a thread
        except ImportError:
            from coursegen.errors import UsageError

            raise UsageError(
                "coursegen serve needs the watchfiles package", "install it: pip install 'watchfiles>=0.21'"
            ) from None
        for name, target in (("root", self._watch_root), ("tree", self._watch_tree)):
            thread = threading.Thread(target=target, name=f"{self.name}-{name}", daemon=True)
            self._threads.append(thread)
            thread.start()
        deadline = time.monotonic() + timeout
        for event in self._ready.values():
            event.wait(max(0.0, deadline - time.monotonic()))

    def stop(self) -> None:
        self._stopping.set()
        self._tree_stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()

    def _source_dirs(self) -> list[Path]:
        return [self.root / name for name in SOURCE_DIRS if (self.root / name).is_dir()]

    def _watch_root(self) -> None:
        """course.yml, and source folders appearing or disappearing (then the tree watch restarts)."""
        import watchfiles

        while not self._stopping.is_set():
            try:
                for changes in watchfiles.watch(
                    self.root,
                    watch_filter=None,
                    recursive=False,
                    step=50,
                    rust_timeout=self.TICK_MS,
                    yield_on_timeout=True,
                    stop_event=self._stopping,
                    raise_interrupt=False,
                    ignore_permission_denied=True,
                ):
                    self._ready["root"].set()
                    relevant: set[Path] = set()
                    for change, raw in changes:
                        path = Path(raw)
                        if path.parent != self.root or classify(self.root, path) is None:
                            continue
                        if path.name in SOURCE_DIRS:
                            if change == watchfiles.Change.modified:
                                continue  # its permissions or times: what is inside is watched apart
                            self._tree_stop.set()  # the set of folders to watch changed: restart that watch
                        relevant.add(path)
                    if relevant:
                        self._on_change(relevant)
            except Exception as problem:  # never let the watcher die: report and retry
                self._on_problem(
                    f"watching {self.root} failed ({type(problem).__name__}: {problem}); retrying"
                )
                self._stopping.wait(1.0)

    def _watch_tree(self) -> None:
        import watchfiles

        while not self._stopping.is_set():
            self._tree_stop.clear()
            if self._stopping.is_set():
                break
            folders = self._source_dirs()
            if not folders:
                self._ready["tree"].set()
                self._tree_stop.wait(0.5)
                continue
            try:
                for changes in watchfiles.watch(
                    *folders,
                    watch_filter=None,
                    step=50,
                    rust_timeout=self.TICK_MS,
                    yield_on_timeout=True,
                    stop_event=self._tree_stop,
                    raise_interrupt=False,
                    ignore_permission_denied=True,
                ):
                    self._ready["tree"].set()
                    relevant = {
                        path for _, raw in changes if classify(self.root, path := Path(raw)) is not None
                    }
                    if relevant:
                        self._on_change(relevant)
            except Exception as problem:  # a folder vanished while being set up, a watch limit…
                self._on_problem(
                    f"watching the sources failed ({type(problem).__name__}: {problem}); retrying"
                )
                self._stopping.wait(1.0)
