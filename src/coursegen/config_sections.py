"""course.yml's sections (`notebooks:`, `math:`, `checks:`…), each read and checked into its typed settings."""

from __future__ import annotations

import difflib
import re
from typing import Any

from coursegen.errors import Diagnostics
from coursegen.settings import (
    CONFIG_NAME,
    REMOTE_MODES,
    CheckRule,
    LaunchSettings,
    MarkdownSettings,
    MathSettings,
    NotebookSettings,
    RemoteAssetSettings,
    ScormSettings,
)

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


def read_notebook_settings(
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
        checked = _notebook_value(str(key), item, line)
        if isinstance(checked, dict):
            settings.update(checked)
        elif checked is not None:
            diagnostics.error(CONFIG_NAME, checked[0], checked[1], line=line, kind="config")
        else:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.7)
            hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
            diagnostics.warning(CONFIG_NAME, f"unknown key 'notebooks.{key}'", hint, line=line, kind="config")
    return NotebookSettings(**settings)


def _is_whole(item: Any, least: int) -> bool:
    return not isinstance(item, bool) and isinstance(item, int) and item >= least


def _notebook_value(key: str, item: Any, line: int | None) -> dict[str, Any] | tuple[str, str] | None:
    """The settings one `notebooks.KEY: item` line gives, or (what is wrong, what to do), or None
    for a key `notebooks:` does not have."""
    if key == "execute":
        item = "never" if item is False else item  # YAML 1.1 reads an unquoted `no`/`off` as false
        if item in ("never", "auto", "always"):
            return {key: item}
        return (
            f"notebooks.execute must be never, auto or always, not {item!r}",
            "e.g. execute: auto (runs only notebooks without outputs)",
        )
    if key in _NOTEBOOK_SECONDS:
        if _is_whole(item, 1):
            return {key: item}
        return (
            f"notebooks.{key} must be a positive number of seconds, not {item!r}",
            "timeouts can't be switched off",
        )
    if key in _NOTEBOOK_SIZES:
        return _notebook_size(key, item)
    if key == "kernel":
        if isinstance(item, str) and KERNEL_NAME.fullmatch(item):
            return {"kernel": item, "kernel_line": line}
        return (
            f"notebooks.kernel must be the name of a Jupyter kernel, not {item!r}",
            "e.g. kernel: python3 (`jupyter kernelspec list` shows the installed ones)",
        )
    if key in _NOTEBOOK_GLOBS:
        patterns = [item] if isinstance(item, str) else item
        if isinstance(patterns, list) and all(isinstance(p, str) and p.strip() for p in patterns):
            return {key: tuple(p.strip() for p in patterns)}
        return (
            f"notebooks.{key} must be a list of file patterns, not {item!r}",
            f"e.g. {key}: [data/*.csv, shared/**]",
        )
    if key == "max_parallel":
        if _is_whole(item, 1):
            return {key: item}
        return (
            f"notebooks.max_parallel must be a whole number of kernels, at least 1, not {item!r}",
            "e.g. max_parallel: 2",
        )
    if key == "executor":
        if isinstance(item, str) and (item == "local" or EXECUTOR_ADDRESS.fullmatch(item)):
            return {key: "" if item == "local" else item}
        return (
            f"notebooks.executor must be local or the address of a Dask scheduler, not {item!r}",
            "e.g. executor: tcp://scheduler.example.org:8786",
        )
    if key in _NOTEBOOK_FLAGS:
        if isinstance(item, bool):
            return {key: item}
        return f"notebooks.{key} must be true or false, not {item!r}", f"write {key}: true or {key}: false"
    return None


def _notebook_size(key: str, item: Any) -> dict[str, Any] | tuple[str, str]:
    size = 0 if key == "max_memory" and item in (None, "none") else parse_size(item)
    if size is not None:
        return {key: size}
    return (
        f"notebooks.{key} must be a size such as 8M or 2G, not {item!r}",
        f"e.g. {key}: {'8M' if key == 'max_output' else '4G'}"
        + (" (or none: no limit)" if key == "max_memory" else ""),
    )


def read_markdown_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> MarkdownSettings:
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


_FLAVOR_KEYS = (
    "flavor", "substitutions", "bibtex_bibfiles", "citation_style", "snippet_paths", "snippet_auto_append",
)  # fmt: skip


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


def read_remote_asset_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> RemoteAssetSettings:
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
                    else "keep leaves them as written (the site then needs the network), fetch downloads "
                    "them into the site"
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


def read_math_settings(value: Any, line: int | None, text: str, diagnostics: Diagnostics) -> MathSettings:
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


def read_launch_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> LaunchSettings | None:
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


def read_check_rules(value: Any, line: int | None, diagnostics: Diagnostics) -> dict[str, CheckRule]:
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


def read_scorm_settings(value: Any, line: int | None, diagnostics: Diagnostics) -> ScormSettings:
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
