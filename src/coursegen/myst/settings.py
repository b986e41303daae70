"""Which Markdown flavour a page is written in, and the course.yml keys that set it:

    markdown:
      flavor: myst              # coursegen (default) | myst (Jupyter Book) | material (MkDocs-Material)
      substitutions: {cours: "Apprentissage automatique"}   # MyST {{ cours }}
      bibtex_bibfiles: [references.bib]                    # for {cite}
      citation_style: author_year                          # or numbered
      snippet_paths: [includes]                            # Material --8<-- snippets (default content/)
      snippet_auto_append: [includes/abreviations.md]      # added at the end of every page

A page's front matter `flavor:` wins over the course's; a MyST text notebook's front matter
(`jupytext: {text_representation: {format_name: myst}}`) marks the page as MyST too.

`with_markdown_flavor` is the one call the project readers (Jupyter Book, MkDocs) make to set
these from the project's own configuration."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coursegen.config import CourseConfig
    from coursegen.errors import Diagnostics
    from coursegen.frontmatter import PageMeta

FLAVORS = ("coursegen", "myst", "material")
# the keys whose value is a list of paths from the course root, and an example of each
PATH_EXAMPLES = {
    "bibtex_bibfiles": "references.bib",
    "snippet_paths": "includes",  # MkDocs-Material `--8<--` snippets: folders looked up in order
    "snippet_auto_append": "includes/abreviations.md",  # files added at the end of every page
}
CITATION_STYLES = ("author_year", "numbered")


def with_markdown_flavor(
    config: CourseConfig,
    flavor: str,
    substitutions: dict[str, Any] | None = None,
    bibtex_bibfiles: list[str] | tuple[str, ...] = (),
    citation_style: str = "",
) -> CourseConfig:
    """`config` whose pages are written in `flavor` (one of FLAVORS), with MyST substitutions
    (`myst_substitutions` of a Jupyter Book `_config.yml`), BibTeX files relative to the course
    root, and a citation style (author_year or numbered)."""
    if flavor not in FLAVORS:
        raise ValueError(f"unknown Markdown flavour {flavor!r}: one of {', '.join(FLAVORS)}")
    markdown = dataclasses.replace(
        config.markdown,
        flavor=flavor,
        substitutions=tuple((str(key), str(value)) for key, value in (substitutions or {}).items())
        or config.markdown.substitutions,
        bibtex_bibfiles=tuple(bibtex_bibfiles) or config.markdown.bibtex_bibfiles,
        citation_style=citation_style or config.markdown.citation_style,
    )
    return dataclasses.replace(config, markdown=markdown)


def page_flavor(meta: PageMeta, course_flavor: str) -> str:
    if meta.flavor in FLAVORS:
        return meta.flavor
    jupytext = meta.extra.get("jupytext") if meta.extra else None
    if isinstance(jupytext, dict):
        representation = jupytext.get("text_representation")
        if isinstance(representation, dict) and representation.get("format_name") == "myst":
            return "myst"
    return course_flavor


def flavor_setting(key: str, value: Any, line: int | None, diagnostics: Diagnostics) -> dict[str, Any]:
    """One course.yml `markdown.` key of the flavours, checked: {field: value}, or {} with a finding."""

    def wrong(message: str, hint: str) -> dict[str, Any]:
        diagnostics.error("course.yml", message, hint, line=line, kind="config")
        return {}

    if key == "flavor":
        if value not in FLAVORS:
            return wrong(
                f"markdown.flavor must be one of {', '.join(FLAVORS)}, not {value!r}",
                "myst for pages written for Jupyter Book, material for MkDocs-Material",
            )
        return {"flavor": value}
    if key == "citation_style":
        if value not in CITATION_STYLES:
            return wrong(
                f"markdown.citation_style must be author_year or numbered, not {value!r}",
                "e.g. citation_style: numbered",
            )
        return {"citation_style": value}
    if key == "substitutions":
        if not isinstance(value, dict):
            return wrong(
                "markdown.substitutions must be a mapping", 'e.g. substitutions: {cours: "Statistique"}'
            )
        return {"substitutions": tuple((str(name), str(text)) for name, text in value.items())}
    files = [value] if isinstance(value, str) else value
    if not isinstance(files, list) or not all(isinstance(item, str) for item in files):
        return wrong(f"markdown.{key} must be a list of paths", f"e.g. {key}: [{PATH_EXAMPLES[key]}]")
    return {key: tuple(files)}
