"""The pipeline's first stages for any layout: coursegen's own (course.yml + content/) or a project
read in place. build.py and the exports call these, never a reader directly."""

from __future__ import annotations

from pathlib import Path

from coursegen.config import CourseConfig, load_config
from coursegen.errors import Diagnostics
from coursegen.model import Course, Page, SourceFile
from coursegen.project.layout import JUPYTER_BOOK, MKDOCS, project_kind
from coursegen.project.sources import ProjectSources, project_sources
from coursegen.project.spec import ProjectSpec


def load_course_settings(
    root: Path, diagnostics: Diagnostics, yaml_cache=None
) -> tuple[CourseConfig, ProjectSpec | None]:
    """The settings, and the project's reading (None for coursegen's own layout, or when the project's
    files could not be read: an error finding then says why)."""
    kind = project_kind(root)
    if kind == JUPYTER_BOOK:
        from coursegen.project.jupyterbook import read_jupyter_book

        spec = read_jupyter_book(root, diagnostics)
    elif kind == MKDOCS:
        from coursegen.project.mkdocs import read_mkdocs

        spec = read_mkdocs(root, diagnostics)
    else:
        return load_config(root, diagnostics, yaml_cache), None
    return (spec.config if spec else CourseConfig(title=root.resolve().name)), spec


def discover_course_sources(
    root: Path, spec: ProjectSpec | None, diagnostics: Diagnostics, skip: tuple[Path, ...]
) -> tuple[list[SourceFile], ProjectSources | None]:
    if spec is None:
        from coursegen.discover import discover_sources

        return discover_sources(root, diagnostics, skip=skip), None
    placed = project_sources(root, spec, diagnostics, skip)
    return placed.sources, placed


def build_course_graph(
    placed: ProjectSources | None,
    pages: list[Page],
    assets: list[SourceFile],
    diagnostics: Diagnostics,
    config: CourseConfig,
    drafts: bool = False,
) -> Course:
    if placed is None:
        from coursegen.course import build_course

        return build_course(pages, assets, diagnostics, drafts=drafts)
    from coursegen.project.graph import build_project_course

    return build_project_course(placed, pages, assets, diagnostics, title=config.title, drafts=drafts)
