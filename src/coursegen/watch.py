"""Watch a course's sources for `coursegen serve`: which paths count, what kind of change each is.

Two watcher threads (watchfiles, i.e. inotify/FSEvents/ReadDirectoryChangesW, polling where none):
one recursive over the source folders that exist (content/, notebooks/, templates/, static/), one
non-recursive over the course folder itself, for course.yml (editors replace it by renaming, which a
watch on the file would lose) and for source folders that appear or disappear (the recursive
watcher is then restarted). Nothing else of the course folder is watched: not site/, not
.coursegen-cache/, not .git/, so a build can never trigger itself.

A Jupyter Book or MkDocs project read in place is watched the same way over its own files
(`WatchedLayout`): its `_toc.yml`/`_config.yml` or `mkdocs.yml` at the top, its pages folder (MkDocs'
docs_dir), or for a Jupyter Book the pages at the top and every folder there that is no built site,
cache or Python environment.

The watchers only report filtered paths; debouncing and rebuilding belong to the caller (serve/preview.py).
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coursegen.discover import is_ignored
from coursegen.model import CONTENT_DIR, NOTEBOOKS_DIR, SOURCE_DIRS, STATIC_DIR, TEMPLATES_DIR
from coursegen.notebookfiles import is_notebook_source
from coursegen.project.layout import JUPYTER_BOOK, MKDOCS, PROJECT_FILES, project_kind
from coursegen.siteswap import MARKER

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


@dataclass(frozen=True)
class WatchedLayout:
    """What of a course folder the builds read: files at its top whose change rebuilds everything,
    the folders watched recursively (None: every folder at the top that is no built site, cache or
    environment), and whether files at the top are pages (a Jupyter Book's)."""

    kind: str = ""  # "" coursegen's own layout, else project.layout's JUPYTER_BOOK or MKDOCS
    config_files: tuple[str, ...] = (CONFIG_FILE,)
    source_dirs: tuple[str, ...] | None = SOURCE_DIRS
    top_pages: bool = False


def watched_layout(root: Path) -> WatchedLayout:
    kind = project_kind(root)
    if kind == JUPYTER_BOOK:
        return WatchedLayout(kind, PROJECT_FILES[kind], None, top_pages=True)
    if kind == MKDOCS:
        from coursegen.errors import Diagnostics
        from coursegen.project.mkdocs import read_mkdocs

        spec = read_mkdocs(root, Diagnostics())
        docs = spec.docs_dir.split("/")[0] if spec else "docs"
        return WatchedLayout(kind, PROJECT_FILES[kind], (docs, TEMPLATES_DIR, STATIC_DIR))
    return WatchedLayout()


def is_project_folder(folder: Path) -> bool:
    """A folder at a Jupyter Book's top that may hold pages (not a site built there, nor a Python environment)."""
    return (
        not is_junk(folder.name) and not (folder / MARKER).exists() and not (folder / "pyvenv.cfg").exists()
    )


def classify(root: Path, path: Path, layout: WatchedLayout | None = None) -> ChangeKind | None:
    """The kind of a changed `path` (absolute, under `root`), or None when no build reads it."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    if not parts:
        return None
    if layout is not None and layout.kind:
        return _classify_project(root, path, parts, layout)
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


def _classify_project(
    root: Path, path: Path, parts: tuple[str, ...], layout: WatchedLayout
) -> ChangeKind | None:
    top = parts[0]
    if len(parts) == 1:
        if top in layout.config_files or (layout.source_dirs is not None and top in layout.source_dirs):
            return ChangeKind.CONFIG
        if not layout.top_pages or is_junk(top):
            return None
        return ChangeKind.NOTEBOOK if is_notebook_source(path) else ChangeKind.CONTENT
    if any(is_junk(part, private=top != TEMPLATES_DIR) for part in parts[1:]):
        return None
    if layout.source_dirs is None and not is_project_folder(root / top):
        return None
    if layout.source_dirs is not None and top not in layout.source_dirs:
        return None
    if top == TEMPLATES_DIR and layout.kind == MKDOCS:
        return ChangeKind.TEMPLATE
    return ChangeKind.NOTEBOOK if is_notebook_source(path) else ChangeKind.CONTENT


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
        self.layout = watched_layout(self.root)  # read again when the project's own files change

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
        if self.layout.source_dirs is None:  # a Jupyter Book: its pages may be in any folder at its top
            return sorted(path for path in self.root.iterdir() if path.is_dir() and is_project_folder(path))
        return [self.root / name for name in self.layout.source_dirs if (self.root / name).is_dir()]

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
                        if path.name in self.layout.config_files and self.layout.kind:
                            self.layout = watched_layout(self.root)  # docs_dir may have changed
                            self._tree_stop.set()
                        if path.parent != self.root:
                            continue
                        if self.layout.source_dirs is None and change != watchfiles.Change.modified:
                            self._tree_stop.set()  # a Jupyter Book's folder may have come or gone
                        if classify(self.root, path, self.layout) is None:
                            continue
                        if self.layout.source_dirs is not None and path.name in self.layout.source_dirs:
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
                        path
                        for _, raw in changes
                        if classify(self.root, path := Path(raw), self.layout) is not None
                    }
                    if relevant:
                        self._on_change(relevant)
            except Exception as problem:  # a folder vanished while being set up, a watch limit…
                self._on_problem(
                    f"watching the sources failed ({type(problem).__name__}: {problem}); retrying"
                )
                self._stopping.wait(1.0)
