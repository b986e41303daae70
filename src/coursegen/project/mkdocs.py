"""A MkDocs (Material, mkdocs-jupyter) project: `mkdocs.yml`'s `nav:` and settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coursegen.config import CourseConfig, MarkdownSettings, NotebookSettings
from coursegen.errors import Diagnostics
from coursegen.project.layout import MKDOCS, MKDOCS_CONFIG
from coursegen.project.mapping import checked_address, checked_language, path_list, text
from coursegen.project.spec import ProjectSpec, TocEntry
from coursegen.project.unknown import UnknownKeys
from coursegen.project.yamlfile import read_project_yaml
from coursegen.textio import read_text
from coursegen.urls import is_external

MAPPED = {"site_name", "site_url", "site_description", "site_author", "copyright", "docs_dir", "nav"}
MAPPED |= {"use_directory_urls", "theme", "extra_css", "extra_javascript", "plugins", "exclude_docs"}
# read as MkDocs reads them: the output folder (coursegen's is -o), the Markdown extensions (by the renderer)
ACCEPTED = {"site_dir", "markdown_extensions"}
THEME_KEYS = {"name", "language", "logo"}
# plugins whose work coursegen does itself
BUILT_IN_PLUGINS = {"search", "offline", "tags"}
JUPYTER_PLUGIN = "mkdocs-jupyter"
SNIPPETS = "pymdownx.snippets"
JUPYTER_KEYS = {"include_source", "execute", "ignore", "allow_errors", "kernel_name"}


def read_mkdocs(root: Path, diagnostics: Diagnostics) -> ProjectSpec | None:
    content = read_text(root / MKDOCS_CONFIG, MKDOCS_CONFIG, diagnostics)
    parsed = None if content is None else read_project_yaml(content, MKDOCS_CONFIG, diagnostics)
    if parsed is None:
        return None
    data, lines = parsed
    unknown = UnknownKeys(MKDOCS_CONFIG, "settings")
    unknown.check(data, MAPPED | ACCEPTED, line_of=lines.get)
    theme = data.get("theme") if isinstance(data.get("theme"), dict) else {"name": data.get("theme")}
    unknown.check(theme, THEME_KEYS, "theme.", line_of=lines.get)
    plugins = _plugins(data.get("plugins"), unknown)
    jupyter = plugins.get(JUPYTER_PLUGIN) or {}
    values: dict[str, Any] = {
        "title": text(data.get("site_name")) or root.resolve().name,
        "description": text(data.get("site_description")),
        "author": text(data.get("site_author")),
        "copyright": text(data.get("copyright")),
        "logo": text(theme.get("logo")),
        "language": checked_language(theme.get("language"), MKDOCS_CONFIG, lines.get("theme"), diagnostics),
        "base_url": checked_address(
            data.get("site_url"), MKDOCS_CONFIG, "site_url", lines.get("site_url"), diagnostics
        ),
        "markdown": MarkdownSettings(flavor="material", **_snippet_settings(data.get("markdown_extensions"))),
        "notebooks": _notebooks(jupyter),
        "extra_css": _local_files(data.get("extra_css"), "extra_css", lines, diagnostics),
        "extra_javascript": _local_files(
            data.get("extra_javascript"), "extra_javascript", lines, diagnostics
        ),
    }
    unknown.report(diagnostics)
    nav = data.get("nav")
    return ProjectSpec(
        kind=MKDOCS,
        config_file=MKDOCS_CONFIG,
        toc_file=MKDOCS_CONFIG,
        config=CourseConfig(**values),
        docs_dir=text(data.get("docs_dir")).strip("/") or "docs",
        entries=_nav(nav, lines.get("nav")) if isinstance(nav, list) else [],
        has_toc=isinstance(nav, list),
        exclude_patterns=_gitignore_lines(data.get("exclude_docs")),
        directory_urls=data.get("use_directory_urls", True) is not False,
        notebook_ignore=path_list(jupyter.get("ignore")),
    )


def _snippet_settings(extensions: Any) -> dict[str, tuple[str, ...]]:
    """pymdownx.snippets' `base_path` (default ".": where mkdocs runs, the project's root) and
    `auto_append`, from `markdown_extensions:` (a list of names or of {name: options})."""
    entries = (
        extensions if isinstance(extensions, list) else [extensions] if isinstance(extensions, dict) else []
    )
    options: Any = None
    for entry in entries:
        if entry == SNIPPETS:
            options = {}
        elif isinstance(entry, dict) and SNIPPETS in entry:
            options = entry[SNIPPETS] if isinstance(entry[SNIPPETS], dict) else {}
    if options is None:
        return {}
    return {
        "snippet_paths": path_list(options.get("base_path")) or (".",),
        "snippet_auto_append": path_list(options.get("auto_append")),
    }


def _plugins(value: Any, unknown: UnknownKeys) -> dict[str, dict]:
    """`plugins:` as a list of names or `{name: options}` (or a mapping): options by plugin name.
    Plugins coursegen does not replace are named as unused."""
    if isinstance(value, dict):
        items = [(name, options, getattr(value, "line", None)) for name, options in value.items()]
    else:
        items = [
            (*next(iter(item.items())), item.line) if isinstance(item, dict) and item else (item, None, None)
            for item in (value if isinstance(value, list) else [])
        ]
    plugins = {}
    for name, options, line in items:
        name, options = str(name), options if isinstance(options, dict) else {}
        if name == JUPYTER_PLUGIN:
            unknown.check(options, JUPYTER_KEYS, f"plugins.{JUPYTER_PLUGIN}.")
            if options.get("include_source") is False:  # coursegen always offers the notebook's download
                unknown.add(f"plugins.{JUPYTER_PLUGIN}.include_source", line)
        elif name not in BUILT_IN_PLUGINS:
            unknown.add(f"plugins.{name}", line)
        plugins[name] = options
    return plugins


def _notebooks(jupyter: dict) -> NotebookSettings:
    """mkdocs-jupyter runs no notebook unless `execute: true` (then every one)."""
    settings: dict[str, Any] = {"execute": "always" if jupyter.get("execute") is True else "never"}
    if isinstance(jupyter.get("allow_errors"), bool):
        settings["allow_errors"] = jupyter["allow_errors"]
    if isinstance(jupyter.get("kernel_name"), str) and jupyter["kernel_name"].strip():
        settings["kernel"] = jupyter["kernel_name"].strip()
    return NotebookSettings(**settings)


def _local_files(value: Any, key: str, lines: dict, diagnostics: Diagnostics) -> tuple[str, ...]:
    """Stylesheets and scripts from docs_dir; one from another site would need the network: left out."""
    items = value if isinstance(value, list) else [value] if value else []
    kept = []
    for item in items:
        path = text(item.get("path")) if isinstance(item, dict) else text(item)
        if not path:
            continue
        if is_external(path) or path.startswith("//"):
            diagnostics.warning(
                MKDOCS_CONFIG,
                f"{key} '{path}' is on another site: left out, the course must work offline",
                "download the file into the docs folder and list its path instead",
                line=lines.get(key),
                kind="assets",
            )
            continue
        kept.append(path.lstrip("/"))
    return tuple(kept)


def _gitignore_lines(value: Any) -> tuple[str, ...]:
    """`exclude_docs:` is a block of .gitignore lines; kept as globs from docs_dir."""
    lines = value.splitlines() if isinstance(value, str) else []
    return tuple(
        line.strip().strip("/") for line in lines if line.strip() and not line.startswith(("#", "!"))
    )


def _nav(items: list, line: int | None) -> list[TocEntry]:
    """`nav:` items: `page.md`, `Title: page.md`, `Title: https://…` (a link), `Title: [items]` (a section)."""
    entries = []
    for item in items:
        where = getattr(item, "line", None) or line
        if isinstance(item, str):
            entries.append(
                TocEntry(url=item, line=where) if is_external(item) else TocEntry(file=item, line=where)
            )
            continue
        if not isinstance(item, dict) or not item:
            continue
        title, value = next(iter(item.items()))
        title = text(title)
        if isinstance(value, list):
            entries.append(TocEntry(title=title, children=_nav(value, where), line=where))
        elif isinstance(value, str) and is_external(value):
            entries.append(TocEntry(title=title, url=value, line=where))
        elif isinstance(value, str):
            entries.append(TocEntry(title=title, file=value, line=where))
    return entries
