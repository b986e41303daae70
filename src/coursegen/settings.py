"""course.yml's settings, typed: what each key means once read and checked (see config.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coursegen.editions import SolutionsSettings
from coursegen.printing.settings import PrintSettings

CONFIG_NAME = "course.yml"


@dataclass(frozen=True)
class NotebookSettings:
    """course.yml `notebooks:`; a notebook's own `metadata.coursegen` overrides the display keys."""

    execute: str = "never"  # never | auto (only notebooks without outputs) | always
    timeout: int = 120  # seconds per cell, never unbounded
    notebook_timeout: int = 1800  # seconds for a whole notebook
    allow_errors: bool = False
    kernel: str = ""  # run every notebook with this kernel, whatever its kernelspec ("": the notebook's own)
    kernel_line: int | None = field(
        default=None, compare=False, repr=False
    )  # of `kernel:` in course.yml, for messages
    hide_input: bool = False  # code collapsed behind "Show code" on every notebook page
    hide_output: bool = False
    sanitize: bool = False  # strip scripts, event handlers and javascript: URLs from outputs
    # bytes of output one cell may produce before it is stopped (a runaway loop of prints), and of
    # address space a kernel may take (0: no limit; CUDA and JAX reserve far more than they use)
    max_output: int = 8 * 1024 * 1024
    max_memory: int = 0
    # what a run may read, beyond the notebook's folder (globs relative to the course root), and what
    # it never reads (gitignore-like globs): both reach results through the files' digests, not here
    inputs: tuple[str, ...] = field(default=(), compare=False, repr=False)
    inputs_exclude: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # where and how many at once: they change no result
    max_parallel: int = field(default=0, compare=False, repr=False)  # 0: as many as -j
    executor: str = field(
        default="", compare=False, repr=False
    )  # "" (this machine) or tcp://HOST:PORT of a Dask scheduler
    shared_fs: bool = field(
        default=False, compare=False, repr=False
    )  # Dask workers see the course at the same path


@dataclass(frozen=True)
class MarkdownSettings:
    sanitize: bool = False  # strip scripts, event handlers and javascript: URLs from lesson bodies
    # the syntax lessons are written in: coursegen (Python-Markdown), myst (Jupyter Book), material
    # (MkDocs-Material); see coursegen.myst
    flavor: str = "coursegen"
    substitutions: tuple[tuple[str, str], ...] = ()  # MyST `{{ key }}` → value
    bibtex_bibfiles: tuple[str, ...] = ()  # BibTeX files for `{cite}`, relative to the course root
    citation_style: str = "author_year"  # author_year | numbered
    max_seconds: float = (
        10.0  # processor seconds a Markdown text may take, else its page is an error (0: none)
    )
    # MkDocs' pymdownx.snippets: the folders `--8<--` paths are looked up in, relative to the
    # course root (() → the content folder), and the files added at the end of every page
    snippet_paths: tuple[str, ...] = ()
    snippet_auto_append: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemoteAssetSettings:
    """course.yml `remote_assets:`: images, audio and video that pages load from other sites."""

    mode: str = "keep"  # keep (left as written, with a warning) | fetch (downloaded into the site)
    timeout: float = 10  # seconds to connect, and to wait for each read
    total_timeout: float = 120  # seconds for all the downloads of one build
    max_size_mb: float = 20  # per file


REMOTE_MODES = ("keep", "fetch")


@dataclass(frozen=True)
class MathSettings:
    """course.yml `math:`: macros every formula of the course may use, e.g. {"\\R": "\\mathbb{R}"}."""

    macros: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LaunchSettings:
    repository: str = ""  # "owner/name" on GitHub
    branch: str = "main"
    # the course's folder in the repository ("" its top; Jupyter Book's path_to_book)
    path_in_repository: str = ""


@dataclass(frozen=True)
class CheckRule:
    """course.yml `checks: {kind: level}` or `{kind: {level: off, files: [globs]}}`."""

    level: str  # off | warning | error
    files: tuple[str, ...] = ()  # glob patterns of course-relative paths; empty: every file

    def applies_to(self, path: str) -> bool:
        from fnmatch import fnmatchcase

        return not self.files or any(fnmatchcase(path, pattern) for pattern in self.files)


@dataclass(frozen=True)
class ScormSettings:
    """course.yml `scorm:`, for `coursegen export scorm`."""

    score: str = ""  # "quizzes": report the share of the course's quizzes answered right (0–100)


@dataclass(frozen=True)
class CourseConfig:
    title: str = "Course"
    description: str = ""
    language: str = "en"
    author: str = ""
    icon: str = "📘"
    base_url: str = ""
    notebooks: NotebookSettings = NotebookSettings()
    markdown: MarkdownSettings = MarkdownSettings()
    math: MathSettings = MathSettings()
    launch: LaunchSettings | None = None
    scorm: ScormSettings = ScormSettings()
    remote_assets: RemoteAssetSettings = RemoteAssetSettings()
    print: PrintSettings = PrintSettings()  # print pages and PDFs (printing/settings.py)
    theme: dict[str, Any] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)
    checks: dict[str, CheckRule] = field(default_factory=dict)
    typography: bool = True  # French no-break spaces before ! ? ; : and inside « » (language fr)
    slides: bool = False  # every lesson also gets a deck (x.slides.html); front matter `slides` wins
    copyright: str = ""  # shown in every page's footer
    logo: str = ""  # site path of an image shown beside the title
    extra_css: tuple[str, ...] = ()  # site paths of stylesheets every page loads after the theme's
    extra_javascript: tuple[str, ...] = ()  # site paths of scripts every page loads

    @property
    def markdown_flavor(self) -> str:
        """How the pages' Markdown is written: coursegen, myst or material (see MarkdownSettings)."""
        return self.markdown.flavor

    @property
    def bibtex_bibfiles(self) -> tuple[str, ...]:
        return self.markdown.bibtex_bibfiles

    @property
    def substitutions(self) -> tuple[tuple[str, str], ...]:
        return self.markdown.substitutions

    solutions: SolutionsSettings = SolutionsSettings()  # who sees the solutions (editions.py)
