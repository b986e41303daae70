"""course.yml: course-wide settings, typed and checked, with did-you-mean for unknown keys."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursegen.editions import SolutionsSettings, solutions_settings
from coursegen.encoding import report_garbled
from coursegen.errors import Diagnostics
from coursegen.printing.settings import PrintSettings, print_settings
from coursegen.textio import read_text
from coursegen.yamlio import YamlProblem, load_yaml_mapping

CONFIG_NAME = "course.yml"
LANGUAGES = ("fr", "en")


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


_TEXT_KEYS = ("title", "description", "language", "author", "icon", "base_url", "copyright", "logo")
PATH_LIST_KEYS = ("extra_css", "extra_javascript")
KNOWN_KEYS = set(_TEXT_KEYS) | {
    "notebooks",
    "markdown",
    "launch",
    "scorm",
    "theme",
    "strings",
    "checks",
    "remote_assets",
    "math",
    "typography",
    "slides",
    "solutions",
    "print",
}
KNOWN_KEYS |= set(PATH_LIST_KEYS)


def load_config(root: Path, diagnostics: Diagnostics, yaml_cache=None) -> CourseConfig:
    """Read `root/course.yml` if present. Problems become diagnostics; defaults fill the gaps.
    With a `yaml_cache` (an IndexCache), YAML parsed before is not parsed again."""
    path = root / CONFIG_NAME
    if not path.is_file():
        return CourseConfig(title=_title_from_folder(root))
    text = read_text(path, CONFIG_NAME, diagnostics)
    if text is None:
        return CourseConfig(title=_title_from_folder(root))
    report_garbled(text, CONFIG_NAME, diagnostics)
    raw: dict[str, str] = {}
    try:
        data, lines = load_yaml_mapping(text, CONFIG_NAME, diagnostics=diagnostics, raw=raw, cache=yaml_cache)
    except YamlProblem as problem:
        diagnostics.error(
            CONFIG_NAME, problem.message, problem.hint, line=problem.line, col=problem.col, kind="config"
        )
        return CourseConfig(title=_title_from_folder(root))

    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(key)
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.7)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(sorted(KNOWN_KEYS))
            diagnostics.warning(CONFIG_NAME, f"unknown key '{key}'", hint, line=line, kind="config")
            continue
        if value is None:
            continue
        setting = _setting(key, value, line, lines, raw, text, diagnostics)
        if setting is not _INVALID:
            values[key] = setting

    _check_language_and_address(values, lines, diagnostics)
    values.setdefault("title", _title_from_folder(root))
    return CourseConfig(**values)


_INVALID = object()  # a setting reported as wrong: the default stays
_SWITCH_HINTS = {  # true/false keys, with the hint for a value of another type
    "typography": "write typography: false to keep spaces as typed",
    "slides": "write slides: true to give every lesson a deck",
}


def _setting(
    key: str,
    value: Any,
    line: int | None,
    lines: dict[str, int],
    raw: dict[str, str],
    text: str,
    diagnostics: Diagnostics,
) -> Any:
    """One top-level key of course.yml, typed; _INVALID when it was reported as wrong."""
    if key in _TEXT_KEYS:
        if isinstance(value, bool):
            word = raw.get(key, str(value).lower())
            diagnostics.error(
                CONFIG_NAME,
                f"'{key}' must be a text, but YAML reads '{word}' as {str(value).lower()}",
                f'put it in quotes: {key}: "{word}"',
                line=line,
                kind="config",
            )
            return _INVALID
        if not isinstance(value, (str, int, float)):
            diagnostics.error(
                CONFIG_NAME, f"'{key}' must be a text", f'e.g. {key}: "…"', line=line, kind="config"
            )
            return _INVALID
        return str(value)
    readers = {
        "notebooks": lambda: _notebook_settings(value, line, lines, diagnostics),
        "markdown": lambda: _markdown_settings(value, line, diagnostics),
        "math": lambda: _math_settings(value, line, text, diagnostics),
        "launch": lambda: _launch_settings(value, line, diagnostics),
        "checks": lambda: _check_rules(value, line, diagnostics),
        "scorm": lambda: _scorm_settings(value, line, diagnostics),
        "remote_assets": lambda: _remote_asset_settings(value, line, diagnostics),
        "solutions": lambda: solutions_settings(value, line, diagnostics) or _INVALID,
        "print": lambda: print_settings(value, line, diagnostics),
    }
    if key in readers:
        return readers[key]()
    if key in PATH_LIST_KEYS:
        return _path_list(key, value, line, diagnostics)
    if key in _SWITCH_HINTS:
        if isinstance(value, bool):
            return value
        diagnostics.error(
            CONFIG_NAME,
            f"'{key}' must be true or false, not {value!r}",
            _SWITCH_HINTS[key],
            line=line,
            kind="config",
        )
        return _INVALID
    # theme, strings
    if not isinstance(value, dict):
        diagnostics.error(
            CONFIG_NAME,
            f"'{key}' must be a mapping of `name: value` lines",
            f"e.g. {key}: {{name: value}}",
            line=line,
            kind="config",
        )
        return _INVALID
    mapping = {str(k): v if key == "theme" else str(v) for k, v in value.items()}
    nav_modules = mapping.get("nav_modules") if key == "theme" else None
    if nav_modules is not None and (
        isinstance(nav_modules, bool) or not isinstance(nav_modules, int) or nav_modules < 0
    ):
        diagnostics.warning(
            CONFIG_NAME,
            f"theme option nav_modules must be a whole number, not {nav_modules!r}; using the default",
            "e.g. theme: {nav_modules: 6}",
            line=line,
            kind="config",
        )
        mapping.pop("nav_modules")
    return mapping


def _path_list(key: str, value: Any, line: int | None, diagnostics: Diagnostics) -> Any:
    """A list of file paths (one path alone is a list of one)."""
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not all(isinstance(path, str) and path.strip() for path in paths):
        diagnostics.error(
            CONFIG_NAME,
            f"'{key}' must be a list of file paths",
            f"e.g. {key}: [a.x, b.x]",
            line=line,
            kind="config",
        )
        return _INVALID
    return tuple(path.strip() for path in paths)


def _check_language_and_address(
    values: dict[str, Any], lines: dict[str, int], diagnostics: Diagnostics
) -> None:
    language = values.get("language", "en")
    if language not in LANGUAGES:
        diagnostics.warning(
            CONFIG_NAME,
            f"language '{language}' has no interface strings; using English",
            "use fr or en",
            line=lines.get("language"),
            kind="config",
        )
    base_url = values.get("base_url", "")
    if base_url and not base_url.startswith(("https://", "http://")):
        if base_url.startswith("/") and not base_url.startswith("//"):
            diagnostics.warning(
                CONFIG_NAME,
                f"base_url '{base_url}' is not an absolute URL, so it is not used",
                "canonical links need the full address, e.g. base_url: https://example.org/cours/",
                line=lines.get("base_url"),
                kind="config",
            )
        else:
            diagnostics.error(
                CONFIG_NAME,
                f"base_url '{base_url}' is not an absolute http(s) URL",
                "e.g. base_url: https://example.org/cours/",
                line=lines.get("base_url"),
                kind="config",
            )
        values.pop("base_url")


# a Dask scheduler's address, as `dask scheduler` prints it
EXECUTOR_ADDRESS = re.compile(r"(?:tcp|tls|ws|wss)://[^\s/]+")
# what jupyter_client accepts as a kernel name
KERNEL_NAME = re.compile(r"[A-Za-z0-9._-]+")
_NOTEBOOK_FLAGS = ("allow_errors", "hide_input", "hide_output", "sanitize", "shared_fs")
_NOTEBOOK_GLOBS = ("inputs", "inputs_exclude")
_NOTEBOOK_SECONDS = ("timeout", "notebook_timeout")
_NOTEBOOK_SIZES = ("max_output", "max_memory")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?", re.IGNORECASE)


def parse_size(value: Any) -> int | None:
    """Bytes from 5000000, "5M", "512 KB", "2G" or "1.5GiB" (powers of 1024); None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    match = _SIZE.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match:
        return None
    power = " KMGT".index(match.group(2).upper() or " ")
    size = int(float(match.group(1)) * 1024**power)
    return size if size > 0 else None


def _notebook_settings(
    value: Any, notebooks_line: int | None, lines: dict[str, int], diagnostics: Diagnostics
) -> NotebookSettings:
    if not isinstance(value, dict):
        diagnostics.error(
            CONFIG_NAME,
            "'notebooks' must be a mapping",
            "e.g. notebooks: {execute: auto, timeout: 120}",
            line=notebooks_line,
            kind="config",
        )
        return NotebookSettings()
    settings: dict[str, Any] = {}
    known = (
        "execute",
        "kernel",
        *_NOTEBOOK_SECONDS,
        *_NOTEBOOK_FLAGS,
        *_NOTEBOOK_GLOBS,
        *_NOTEBOOK_SIZES,
        "max_parallel",
        "executor",
    )
    for key, item in value.items():
        line = lines.get(f"notebooks.{key}", notebooks_line)
        if key == "execute":
            if item is False:  # YAML 1.1 reads an unquoted `no`/`off` as false
                item = "never"
            if item not in ("never", "auto", "always"):
                diagnostics.error(
                    CONFIG_NAME,
                    f"notebooks.execute must be never, auto or always, not {item!r}",
                    "e.g. execute: auto (runs only notebooks without outputs)",
                    line=line,
                    kind="config",
                )
                continue
            settings[key] = item
        elif key in _NOTEBOOK_SECONDS:
            if isinstance(item, bool) or not isinstance(item, int) or item <= 0:
                diagnostics.error(
                    CONFIG_NAME,
                    f"notebooks.{key} must be a positive number of seconds, not {item!r}",
                    "timeouts can't be switched off",
                    line=line,
                    kind="config",
                )
                continue
            settings[key] = item
        elif key in _NOTEBOOK_SIZES:
            size = 0 if key == "max_memory" and item in (None, "none") else parse_size(item)
            if size is None:
                diagnostics.error(
                    CONFIG_NAME,
                    f"notebooks.{key} must be a size such as 8M or 2G, not {item!r}",
                    f"e.g. {key}: {'8M' if key == 'max_output' else '4G'}"
                    + (" (or none: no limit)" if key == "max_memory" else ""),
                    line=line,
                    kind="config",
                )
                continue
            settings[key] = size
        elif key == "kernel":
            if not isinstance(item, str) or not KERNEL_NAME.fullmatch(item):
                diagnostics.error(
                    CONFIG_NAME,
                    f"notebooks.kernel must be the name of a Jupyter kernel, not {item!r}",
                    "e.g. kernel: python3 (`jupyter kernelspec list` shows the installed ones)",
                    line=line,
                    kind="config",
                )
                continue
            settings.update(kernel=item, kernel_line=line)
        elif key in _NOTEBOOK_GLOBS:
            patterns = [item] if isinstance(item, str) else item
            if not isinstance(patterns, list) or not all(isinstance(p, str) and p.strip() for p in patterns):
                diagnostics.error(
                    CONFIG_NAME,
                    f"notebooks.{key} must be a list of file patterns, not {item!r}",
                    f"e.g. {key}: [data/*.csv, shared/**]",
                    line=line,
                    kind="config",
                )
                continue
            settings[key] = tuple(p.strip() for p in patterns)
        elif key == "max_parallel":
            if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                diagnostics.error(
                    CONFIG_NAME,
                    f"notebooks.max_parallel must be a whole number of kernels, at least 1, not {item!r}",
                    "e.g. max_parallel: 2",
                    line=line,
                    kind="config",
                )
                continue
            settings[key] = item
        elif key == "executor":
            if not isinstance(item, str) or not (item == "local" or EXECUTOR_ADDRESS.fullmatch(item)):
                diagnostics.error(
                    CONFIG_NAME,
                    f"notebooks.executor must be local or the address of a Dask scheduler, not {item!r}",
                    "e.g. executor: tcp://scheduler.example.org:8786",
                    line=line,
                    kind="config",
                )
                continue
            settings[key] = "" if item == "local" else item
        elif key in _NOTEBOOK_FLAGS:
            if not isinstance(item, bool):
                diagnostics.error(
                    CONFIG_NAME,
                    f"notebooks.{key} must be true or false, not {item!r}",
                    f"write {key}: true or {key}: false",
                    line=line,
                    kind="config",
                )
                continue
            settings[key] = item
        else:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.7)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
            diagnostics.warning(CONFIG_NAME, f"unknown key 'notebooks.{key}'", hint, line=line, kind="config")
    return NotebookSettings(**settings)


def _markdown_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> MarkdownSettings:
    if not isinstance(value, dict):
        diagnostics.error(
            CONFIG_NAME,
            "'markdown' must be a mapping",
            "e.g. markdown: {sanitize: true}",
            line=line,
            kind="config",
        )
        return MarkdownSettings()
    settings: dict[str, Any] = {}
    for key, item in value.items():
        if key == "sanitize" and isinstance(item, bool):
            settings[key] = item
        elif key == "sanitize":
            diagnostics.error(
                CONFIG_NAME,
                f"markdown.sanitize must be true or false, not {item!r}",
                "write sanitize: true or sanitize: false",
                line=line,
                kind="config",
            )
        elif key in _FLAVOR_KEYS:
            from coursegen.myst.settings import flavor_setting

            settings.update(flavor_setting(key, item, line, diagnostics))
        elif key == "max_seconds":
            _markdown_seconds(item, settings, line, diagnostics)
        else:
            known = ", ".join(["sanitize", "max_seconds", *_FLAVOR_KEYS])
            diagnostics.warning(
                CONFIG_NAME, f"unknown key 'markdown.{key}'", f"known: {known}", line=line, kind="config"
            )
    return MarkdownSettings(**settings)


_FLAVOR_KEYS = ("flavor", "substitutions", "bibtex_bibfiles", "citation_style")


def _markdown_seconds(
    item: Any, settings: dict[str, Any], line: int | None, diagnostics: Diagnostics
) -> None:
    if isinstance(item, bool) or not isinstance(item, (int, float)) or item < 0:
        diagnostics.error(
            CONFIG_NAME,
            f"markdown.max_seconds must be a number of seconds (0: no limit), not {item!r}",
            "e.g. max_seconds: 30",
            line=line,
            kind="config",
        )
    else:
        settings["max_seconds"] = float(item)


_REMOTE_LIMITS = ("timeout", "total_timeout", "max_size_mb")


def _remote_asset_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> RemoteAssetSettings:
    """`remote_assets: fetch`, or a mapping `{mode: fetch, timeout: 10, total_timeout: 120, max_size_mb: 20}`."""
    name = "remote_assets.mode" if isinstance(value, dict) else "remote_assets"
    if not isinstance(value, dict):
        value = {"mode": value}
    settings: dict[str, Any] = {}
    known = ("mode", *_REMOTE_LIMITS)
    for key, item in value.items():
        if key == "mode":
            if item is False:  # YAML 1.1 reads an unquoted `no`/`off` as false
                item = "keep"
            if item not in REMOTE_MODES:
                close = difflib.get_close_matches(str(item), REMOTE_MODES, n=1, cutoff=0.6)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else "keep leaves them as written (the site then needs the network), fetch downloads them into the site"
                )
                if item == "error":
                    hint = "to make them errors, keep the mode and set checks: {assets: error}"
                diagnostics.error(
                    CONFIG_NAME, f"{name} must be keep or fetch, not {item!r}", hint, line=line, kind="config"
                )
                continue
            settings[key] = item
        elif key in _REMOTE_LIMITS:
            if isinstance(item, bool) or not isinstance(item, (int, float)) or item <= 0:
                unit = "megabytes" if key == "max_size_mb" else "seconds"
                diagnostics.error(
                    CONFIG_NAME,
                    f"remote_assets.{key} must be a positive number of {unit}, not {item!r}",
                    "limits can't be switched off",
                    line=line,
                    kind="config",
                )
                continue
            settings[key] = float(item)
        else:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.7)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
            diagnostics.warning(
                CONFIG_NAME, f"unknown key 'remote_assets.{key}'", hint, line=line, kind="config"
            )
    return RemoteAssetSettings(**settings)


def _math_settings(value: Any, line: int | None, text: str, diagnostics: Diagnostics) -> MathSettings:
    example = 'e.g. math: {macros: {"\\\\R": "\\\\mathbb{R}"}}'
    if not isinstance(value, dict):
        diagnostics.error(CONFIG_NAME, "'math' must be a mapping", example, line=line, kind="config")
        return MathSettings()
    for key in value:
        if key != "macros":
            close = difflib.get_close_matches(str(key), ["macros"], n=1, cutoff=0.6)
            diagnostics.warning(
                CONFIG_NAME,
                f"unknown key 'math.{key}'",
                f"did you mean '{close[0]}'?" if close else "known: macros",
                line=_line_of(text, f"{key}:", line) or line,
                kind="config",
            )
    macros = value.get("macros")
    if macros is None:
        return MathSettings()
    if not isinstance(macros, dict):
        diagnostics.error(
            CONFIG_NAME,
            "'math.macros' must be a mapping of command: definition",
            example,
            line=_line_of(text, "macros:", line) or line,
            kind="config",
        )
        return MathSettings()
    from coursegen.math_macros import MACRO_NAME  # a regular expression only: no math engine

    kept = {}
    for name, body in macros.items():
        name = str(name)
        where = _line_of(text, name.replace("\\", "\\\\"), line) or _line_of(text, name, line) or line
        if not MACRO_NAME.match(name):
            shown = name if name.startswith("\\") else "\\" + name
            diagnostics.error(
                CONFIG_NAME,
                f"math macro '{name}' must be a command name such as '{shown}'",
                f'write it with its backslash, in quotes: "\\{shown}": …',
                line=where,
                kind="config",
            )
            continue
        if isinstance(body, bool) or not isinstance(body, (str, int, float)):
            diagnostics.error(
                CONFIG_NAME,
                f"math macro '{name}' must be defined by LaTeX text, not {body!r}",
                f'e.g. "\\{name}": "\\\\mathbb{{R}}"',
                line=where,
                kind="config",
            )
            continue
        kept[name] = str(body)
    return MathSettings(macros=tuple(sorted(kept.items())))


def _line_of(text: str, needle: str, after: int | None) -> int | None:
    """The first line from line `after` on that contains `needle` (nested keys have no line of their own)."""
    if after is None:
        return None
    for number, line_text in enumerate(text.splitlines()[after - 1 :], after):
        if needle in line_text:
            return number
    return None


def _launch_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> LaunchSettings | None:
    if not isinstance(value, dict) or not isinstance(value.get("repository"), str):
        diagnostics.error(
            CONFIG_NAME,
            "'launch' needs a repository",
            "e.g. launch: {repository: owner/course, branch: main}",
            line=line,
            kind="config",
        )
        return None
    repository = value["repository"].strip().removeprefix("https://github.com/").strip("/")
    if repository.count("/") != 1:
        diagnostics.error(
            CONFIG_NAME,
            f"launch.repository '{value['repository']}' is not 'owner/name'",
            "e.g. repository: jdupont/cours-nlp",
            line=line,
            kind="config",
        )
        return None
    return LaunchSettings(repository=repository, branch=str(value.get("branch", "main")))


_CHECK_LEVELS = ("off", "warning", "error")


def _check_rules(value: Any, line: int | None, diagnostics: Diagnostics) -> dict[str, CheckRule]:
    from coursegen.errors import KINDS

    example = "e.g. checks: {headings: off, links: error}"
    if not isinstance(value, dict):
        diagnostics.error(
            CONFIG_NAME,
            "'checks' must be a mapping of `kind: off|warning|error` lines",
            example,
            line=line,
            kind="config",
        )
        return {}
    rules: dict[str, CheckRule] = {}
    for kind, setting in value.items():
        kind = str(kind)
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, sorted(KINDS), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "kinds: " + ", ".join(sorted(KINDS))
            diagnostics.warning(
                CONFIG_NAME, f"unknown kind of finding 'checks.{kind}'", hint, line=line, kind="config"
            )
            continue
        files: Any = ()
        if isinstance(setting, dict):
            files = setting.get("files", ())
            files = [files] if isinstance(files, str) else files
            unknown = sorted(set(map(str, setting)) - {"level", "files"})
            if unknown or not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                diagnostics.error(
                    CONFIG_NAME,
                    f"checks.{kind} must be a level or {{level: …, files: [patterns]}}",
                    "e.g. encoding: {level: off, files: [content/A/encodages.md]}",
                    line=line,
                    kind="config",
                )
                continue
            setting = setting.get("level", "off")
        # YAML 1.1 reads an unquoted off/no as false and on/yes as true
        level = (
            {False: "off", True: "warning"}.get(setting, setting) if isinstance(setting, bool) else setting
        )
        if level not in _CHECK_LEVELS:
            diagnostics.error(
                CONFIG_NAME,
                f"checks.{kind} must be off, warning or error, not {setting!r}",
                example,
                line=line,
                kind="config",
            )
            continue
        rules[kind] = CheckRule(level, tuple(files))
    return rules


def _scorm_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> ScormSettings:
    if not isinstance(value, dict):
        diagnostics.error(
            CONFIG_NAME, "'scorm' must be a mapping", "e.g. scorm: {score: quizzes}", line=line, kind="config"
        )
        return ScormSettings()
    settings: dict[str, Any] = {}
    for key, item in value.items():
        if key != "score":
            diagnostics.warning(
                CONFIG_NAME, f"unknown key 'scorm.{key}'", "known: score", line=line, kind="config"
            )
        elif item in ("quizzes", "none", False):
            settings[key] = "quizzes" if item == "quizzes" else ""
        else:
            diagnostics.error(
                CONFIG_NAME,
                f"scorm.score must be quizzes or none, not {item!r}",
                "scorm: {score: quizzes} reports the share of quizzes answered right",
                line=line,
                kind="config",
            )
    return ScormSettings(**settings)


def _title_from_folder(root: Path) -> str:
    name = root.resolve().name.replace("_", " ").replace("-", " ").strip()
    return name[:1].upper() + name[1:] if name else "Course"
