"""`coursegen convert`: a Jupyter Book or MkDocs project written out as a coursegen course
(`course.yml` + `content/`) in a new folder; the project itself is only read.

The pages keep their folders under content/ (so their links, images and data still work), the
TOC's order and titles go to each page's front matter (`order:`, `title:`), the settings to
course.yml. What coursegen's layout cannot say (parts whose pages are not in one folder, links in
the navigation, settings it does not use) is listed in the result's notes."""

from __future__ import annotations

import json
import posixpath
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from coursegen.config import CourseConfig
from coursegen.errors import Diagnostics, UsageError
from coursegen.export.source import load_course
from coursegen.frontmatter import split_front_matter
from coursegen.model import Course, Page, PageKind
from coursegen.parse import notebook_data, notebook_title
from coursegen.project.layout import COURSEGEN, MKDOCS, project_kind

_MD_LINK = re.compile(r"(\]\(\s*<?)([^)\s>#]+)")  # a Markdown link's target path


@dataclass
class Converted:
    path: Path
    pages: int = 0
    files: int = 0
    notes: list[str] = field(default_factory=list)  # what could not be carried over
    diagnostics: Diagnostics = field(default_factory=Diagnostics)  # what reading the project reported


def convert_project(project: Path, out: Path | None) -> Converted:
    project = project.resolve()
    kind = project_kind(project)
    if kind in (None, COURSEGEN):
        raise UsageError(
            f"{project} is not a Jupyter Book (_toc.yml) or MkDocs (mkdocs.yml) project",
            "name the project's folder",
        )
    out = (out or project.parent / f"{project.name}-coursegen").resolve()
    _check_output(project, out)
    result = Converted(out)
    loaded = load_course(project, result.diagnostics, skip=(project / "site",))
    course = loaded.course
    home_rel = str(course.home.source.site_rel) if course.home.source else ""
    for page_number, page in enumerate(course.pages):
        if page.source is None:
            continue
        if str(page.source.site_rel) == "README.md" and page.kind is not PageKind.HOME:
            result.notes.append(
                "README.md (in no TOC entry): left out, content/README.md would stand for the home page"
            )
            continue
        _write_page(page, page_number, out / "content", home_rel, result)
    for asset in course.assets:
        _copy(asset.path, out / "content" / str(asset.site_rel))
        result.files += 1
        if asset.rel.suffix == ".ipynb":  # mkdocs-jupyter's `ignore`
            result.notes.append(f"{asset.site_rel} was a file to download: in content/ it is a notebook page")
    for section_number, section in enumerate(course.pages):
        if section.is_section and section.source is None and section is not course.home:
            _write_part(section, section_number, out / "content", result)
    snippets = _carry_snippets(project, loaded.config, course, out, result)
    (out / "course.yml").write_text(course_yml(loaded.config, kind, snippets), encoding="utf-8")
    result.notes += _lost(course, loaded.config, kind)
    return result


def _check_output(project: Path, out: Path) -> None:
    if out.is_relative_to(project):
        raise UsageError(
            f"{out} is inside the project",
            "write the course beside it, e.g. -o ../" + project.name + "-coursegen",
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} is not empty", "name a new folder, or an empty one")


def _write_page(page: Page, page_number: int, content: Path, home_rel: str, result: Converted) -> None:
    """The page at its place in content/ (the first page as content/index.md), its TOC title and
    order in its front matter."""
    site_rel = str(page.source.site_rel)
    target = content / ("index.md" if site_rel == home_rel and page.kind is PageKind.HOME else site_rel)
    result.pages += 1
    if page.source.is_text_notebook:
        _write_text_notebook(page, target, result)
        return
    if page.kind is PageKind.NOTEBOOK or not site_rel.endswith(".md"):
        _copy_notebook(page, target)
        return
    text = page.source.path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    if home_rel and home_rel != "index.md":
        text = _links_to_home(text, site_rel, home_rel, str(target.relative_to(content)))
    keys = {"title": page.title}
    if page.parent is not None:  # the place in the reading order: pages of one folder keep the TOC's order
        keys["order"] = page_number

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_with_front_matter(text, keys), encoding="utf-8")


def _copy_notebook(page: Page, target: Path) -> None:
    """The notebook as it is, unless the TOC gave it another title: then in its metadata.title."""
    _copy(page.source.path, target)
    try:
        notebook = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # unreadable: copied as it is, the build reports it
        return
    if isinstance(notebook, dict) and notebook_title(notebook) != page.title:
        notebook.setdefault("metadata", {})["title"] = page.title
        target.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_text_notebook(page: Page, target: Path, result: Converted) -> None:
    """A MyST or percent notebook is a lesson or a file in content/: it is written as the `.ipynb`
    of the same stem (same URL, still a notebook), with its paired `.ipynb`'s outputs and TOC title."""
    try:
        notebook = notebook_data(page)
    except (OSError, ValueError):  # unreadable: copied as it is, the build reports it
        _copy(page.source.path, target)
        return
    notebook.setdefault("metadata", {})["title"] = page.title
    ipynb = target.with_suffix(".ipynb")
    ipynb.parent.mkdir(parents=True, exist_ok=True)
    ipynb.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    result.notes.append(
        f"{page.source.site_rel}: a text notebook, written as {ipynb.name} (coursegen reads text "
        "notebooks under notebooks/ only)"
    )


def _write_part(section: Page, section_number: int, content: Path, result: Converted) -> None:
    """A part (caption, MkDocs section) without a page: its folder's index.md when all its pages
    share one folder that has none, so that the folder is the module; else a note."""
    folders = {posixpath.dirname(str(page.source.site_rel)) for page in _pages_below(section)}
    folder = folders.pop() if len(folders) == 1 else ""
    index = content / folder / "index.md"
    if not folder or index.exists() or (content / folder / "README.md").exists():
        result.notes.append(
            f"the part '{section.title}' is not a folder: its pages keep their folders "
            "(add a folder with an index.md to make it a module)"
        )
        return
    keys = {"title": section.title, "order": section_number}
    index.write_text(_with_front_matter("", keys), encoding="utf-8")


def _pages_below(section: Page) -> list[Page]:
    below = []
    for child in section.children:
        below += _pages_below(child) if child.is_section and child.source is None else [child]
    return [page for page in below if page.source is not None]


def _links_to_home(text: str, site_rel: str, home_rel: str, written_at: str) -> str:
    """Links to the first page, now content/index.md."""

    def fix(match: re.Match) -> str:
        path = match.group(2)
        if "://" in path or posixpath.normpath(posixpath.join(posixpath.dirname(site_rel), path)) != home_rel:
            return match.group(0)
        return match.group(1) + posixpath.relpath("index.md", posixpath.dirname(written_at) or ".")

    return _MD_LINK.sub(fix, text)


def _with_front_matter(text: str, keys: dict) -> str:
    """`keys` set in the page's front matter (replacing one-line values of the same keys)."""
    import yaml

    try:
        split = split_front_matter(text)
    except ValueError:  # a front matter never closed: left as it is, the build reports it
        return text
    lines = [
        line for line in (split.yaml_text or "").split("\n") if line.split(":", 1)[0].strip() not in keys
    ]
    ours = yaml.safe_dump(keys, allow_unicode=True, sort_keys=False, width=1000).rstrip("\n")
    kept = "\n".join(line for line in lines if line.strip() or len(lines) > 1)
    return f"---\n{ours}\n{kept}\n---\n{split.body}".replace("\n\n---\n", "\n---\n", 1)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _carry_snippets(
    project: Path, config: CourseConfig, course: Course, out: Path, result: Converted
) -> dict[str, list[str]]:
    """MkDocs-Material snippets: files the pages include from outside the docs folder are copied to
    the same place in the new course; snippet folders inside the docs folder move to content/.
    The course.yml `markdown:` keys that say so."""
    from coursegen.myst.labels import LabelTable
    from coursegen.myst.material import snippet_files
    from coursegen.myst.stage import Flavors
    from coursegen.project.stages import load_course_settings

    settings = config.markdown
    if settings.flavor != "material" or not settings.snippet_paths:
        return {}
    spec = load_course_settings(project, Diagnostics())[1]
    docs = (project / spec.docs_dir).resolve() if spec is not None else project
    flavors = Flavors(settings, LabelTable(), project, config.language)
    copied: set[Path] = set()
    for page in course.pages:
        if page.source is None or flavors.flavor(page) != "material":
            continue
        for path in snippet_files(flavors, page, page.body or ""):
            if path.is_relative_to(docs):
                continue  # copied with the pages and files of the docs folder
            if path not in copied:
                _copy(path, out / path.relative_to(project))
                copied.add(path)
                result.files += 1

    def moved(folder: str) -> str:
        place = (project / folder).resolve()
        if not place.is_relative_to(docs):
            return folder
        inside = place.relative_to(docs).as_posix()
        return "content" if inside == "." else f"content/{inside}"

    return {
        "snippet_paths": [moved(folder) for folder in settings.snippet_paths],
        "snippet_auto_append": list(settings.snippet_auto_append),
    }


def course_yml(config: CourseConfig, kind: str, snippets: dict[str, list[str]] | None = None) -> str:
    import yaml

    data: dict = {"title": config.title}
    for key in ("description", "author", "copyright", "logo", "language", "base_url"):
        if getattr(config, key) and (key != "language" or config.language != "en"):
            data[key] = getattr(config, key)
    notebooks = config.notebooks
    data["notebooks"] = {
        "execute": notebooks.execute,
        "timeout": notebooks.timeout,
        **({"allow_errors": True} if notebooks.allow_errors else {}),
        **({"kernel": notebooks.kernel} if notebooks.kernel else {}),
    }
    data["markdown"] = {"flavor": config.markdown_flavor}
    if config.bibtex_bibfiles:  # from the course root: the .bib files are now under content/
        data["markdown"]["bibtex_bibfiles"] = [f"content/{path}" for path in config.bibtex_bibfiles]
    if config.substitutions:
        data["markdown"]["substitutions"] = dict(config.substitutions)
    data["markdown"].update({key: value for key, value in (snippets or {}).items() if value})
    if config.launch is not None:
        data["launch"] = {"repository": config.launch.repository, "branch": config.launch.branch}
    for key in ("extra_css", "extra_javascript"):
        if getattr(config, key):
            data[key] = list(getattr(config, key))
    header = f"# Converted from a {'MkDocs' if kind == MKDOCS else 'Jupyter Book'} project by `coursegen convert`.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def _lost(course: Course, config: CourseConfig, kind: str) -> list[str]:
    """What the converted course does not say as the project did."""
    notes = [f"the navigation link '{title}' ({url}): put it in a page" for title, url in course.links]
    notes += [f"the old address {old} of the first page: it is now index.html" for old in course.redirects]
    if config.launch is not None and config.launch.path_in_repository:
        notes.append(
            f"launch links took the book from '{config.launch.path_in_repository}/' in its repository: "
            "check launch.repository once the converted course is pushed"
        )
    if kind == MKDOCS:
        notes.append("pages are now at x.html, not x/ (MkDocs' directory URLs): old links to the site change")
    if any(page.kind is PageKind.NOTEBOOK for page in course.pages):
        notes.append(
            "notebooks have no front matter for their order: they follow their folder's pages, by name"
        )
    return notes
