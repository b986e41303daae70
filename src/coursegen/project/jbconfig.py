"""A Jupyter Book 1 `_config.yml`, mapped to coursegen's settings: what coursegen does too is
carried over, everything else is named in one grouped warning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coursegen.config import CourseConfig, MarkdownSettings, NotebookSettings
from coursegen.errors import Diagnostics
from coursegen.project.layout import JB_CONFIG, JB_TOC, JUPYTER_BOOK
from coursegen.project.mapping import checked_address, checked_language, github_launch, path_list, text
from coursegen.project.spec import ProjectSpec
from coursegen.project.unknown import UnknownKeys
from coursegen.textnotebooks import TEXT_NOTEBOOK_SUFFIXES

EXECUTE_MODES = {"off": "never", "auto": "auto", "force": "always", "cache": "always", False: "never"}
JB_TIMEOUT = 30  # Jupyter Book's default seconds per cell
TEXT_KEYS = ("title", "author", "copyright", "logo", "description")
# read by coursegen as Jupyter Book reads them (the Markdown extensions: by the MyST renderer)
ACCEPTED = {"parse.myst_enable_extensions", "launch_buttons.notebook_interface", "execute.cache"}


def map_jb_config(
    root: Path, data: dict[str, Any], lines: dict[str, int], diagnostics: Diagnostics
) -> ProjectSpec:
    unknown = UnknownKeys(JB_CONFIG, "settings")
    values: dict[str, Any] = {key: text(data[key]) for key in TEXT_KEYS if text(data.get(key))}
    values.setdefault("title", root.resolve().name)
    values["notebooks"] = _notebooks(data.get("execute"), lines, unknown, diagnostics)
    sphinx_config = _sphinx(data.get("sphinx"), lines, unknown)
    language = data.get("language", sphinx_config.get("language"))
    values["language"] = checked_language(language, JB_CONFIG, lines.get("language"), diagnostics)
    html = _section(data, "html", {"baseurl"}, unknown, lines)
    values["base_url"] = checked_address(
        html.get("baseurl"), JB_CONFIG, "html.baseurl", lines.get("html"), diagnostics
    )
    values["launch"] = _launch(data, unknown, lines)
    parse = _section(data, "parse", {"myst_enable_extensions", "myst_substitutions"}, unknown, lines)
    substitutions = parse.get("myst_substitutions")
    values["markdown"] = MarkdownSettings(
        flavor="myst",
        bibtex_bibfiles=path_list(data.get("bibtex_bibfiles")),
        substitutions=tuple((str(k), text(v)) for k, v in substitutions.items())
        if isinstance(substitutions, dict)
        else (),
    )
    mapped = {*TEXT_KEYS, "language", "execute", "sphinx", "html", "repository", "launch_buttons"}
    mapped |= {"bibtex_bibfiles", "parse", "exclude_patterns", "only_build_toc_files"}
    unknown.check(data, mapped, line_of=lines.get)
    unknown.report(diagnostics)
    return ProjectSpec(
        kind=JUPYTER_BOOK,
        config_file=JB_CONFIG,
        toc_file=JB_TOC,
        config=CourseConfig(**values),
        exclude_patterns=path_list(data.get("exclude_patterns")),
        only_build_toc_files=data.get("only_build_toc_files") is True,
    )


def _section(data: dict, name: str, mapped: set[str], unknown: UnknownKeys, lines: dict) -> dict:
    """The mapping `name:` of the file ({} when absent); its keys not in `mapped` go to `unknown`."""
    section = data.get(name)
    if not isinstance(section, dict):
        return {}
    accepted = {key.split(".", 1)[1] for key in ACCEPTED if key.startswith(name + ".")}
    unknown.check(section, mapped | accepted, f"{name}.", line_of=lines.get)
    return section


def _notebooks(execute: Any, lines: dict, unknown: UnknownKeys, diagnostics: Diagnostics) -> NotebookSettings:
    """`execute:` — Jupyter Book runs the notebooks without outputs unless told otherwise (auto)."""
    settings: dict[str, Any] = {"execute": "auto", "timeout": JB_TIMEOUT}
    known = {"execute_notebooks", "timeout", "allow_errors"}
    section = _section({"execute": execute}, "execute", known, unknown, lines)
    mode = section.get("execute_notebooks", "auto")
    if mode in EXECUTE_MODES:
        settings["execute"] = EXECUTE_MODES[mode]
    else:
        diagnostics.warning(
            JB_CONFIG,
            f"execute.execute_notebooks must be off, auto, force or cache, not {mode!r}; using auto",
            "auto runs the notebooks that have no outputs",
            line=lines.get("execute.execute_notebooks", lines.get("execute")),
            kind="config",
        )
    timeout = section.get("timeout")
    if isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 0:
        settings["timeout"] = timeout
    elif timeout is not None:  # Jupyter Book's -1 (no limit): coursegen never runs a cell unbounded
        diagnostics.warning(
            JB_CONFIG,
            f"execute.timeout {timeout!r} is not a positive number of seconds; each cell gets {JB_TIMEOUT} s",
            "coursegen never lets a cell run without a time limit: give the seconds a cell may take",
            line=lines.get("execute.timeout", lines.get("execute")),
            kind="config",
        )
    if isinstance(section.get("allow_errors"), bool):
        settings["allow_errors"] = section["allow_errors"]
    return NotebookSettings(**settings)


def _sphinx(sphinx: Any, lines: dict, unknown: UnknownKeys) -> dict:
    """`sphinx.config.language` is read; the rest of Sphinx's settings are named as unused."""
    if not isinstance(sphinx, dict):
        return {}
    config = sphinx.get("config") if isinstance(sphinx.get("config"), dict) else {}
    unknown.check(sphinx, {"config"}, "sphinx.", line_of=lines.get)
    config_line = lines.get("sphinx.config")
    understood = {"language"} | ({"nb_custom_formats"} if _text_formats_only(config) else set())
    unknown.check(config, understood, "sphinx.config.", line_of=lambda name: config_line)
    return config


def _text_formats_only(config: dict) -> bool:
    """`nb_custom_formats` that only makes `.py`/`.md` files notebooks (jupytext percent or MyST):
    coursegen reads those as notebooks by itself."""
    formats = config.get("nb_custom_formats")
    return isinstance(formats, dict) and bool(formats) and set(formats) <= set(TEXT_NOTEBOOK_SUFFIXES)


def _launch(data: dict, unknown: UnknownKeys, lines: dict):
    """Binder and Colab buttons → coursegen's launch links (which offer both)."""
    repository = _section(data, "repository", {"url", "branch", "path_to_book"}, unknown, lines)
    buttons = _section(data, "launch_buttons", {"binderhub_url", "colab_url"}, unknown, lines)
    if not (buttons.get("binderhub_url") or buttons.get("colab_url")):
        return None
    return github_launch(repository.get("url"), repository.get("branch"), repository.get("path_to_book"))
