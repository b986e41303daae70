"""The build's stages after the pages (see build.py): the search index, the files published as they
are (notebook downloads, assets, copies of remote media, the theme's static files), and the
extras — 404, tags, a project's redirects, execution report, sitemap and robots.txt. Each owns its signatures."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from coursegen.cache import code_digest, digest, installed_version
from coursegen.downloads import add_notebook_downloads
from coursegen.errors import Diagnostics
from coursegen.project.redirect import redirect_html
from coursegen.render import NOT_FOUND_URL, TAGS_URL, highlight_css
from coursegen.search import INDEX_URL, search_index
from coursegen.stylesheet import with_theme_choice
from coursegen.theme import static_files

if TYPE_CHECKING:
    from coursegen.build import _Run
    from coursegen.config import CourseConfig
    from coursegen.output import SitePlan
    from coursegen.render import SiteRenderer

STYLESHEET = "coursegen.css"


def render_search_index(run: _Run, plan: SitePlan, config: CourseConfig, course, bodies: dict) -> None:
    """Every page's text for the in-browser search, kept when no page's text, title or front matter changed."""
    rows = [(page, _module_title(page), bodies[page.url]) for page in course.pages]
    signature = digest(
        "search",
        code_digest(),
        config.language,
        repr(
            [(page.url, page.title, module, repr(page.meta), body.key or "") for page, module, body in rows]
        ),
    )
    if not plan.keep_unchanged(INDEX_URL, INDEX_URL, signature):
        plan.add_bytes(INDEX_URL, search_index(rows, run.search_texts), INDEX_URL, signature)
    run.clock.lap("search index")


def add_files(run: _Run, plan: SitePlan, course, bodies: dict, remote, renderer: SiteRenderer) -> None:
    """Files published as they are: notebook downloads, assets, copies of remote media, the theme's
    static files. Each is named by its bytes' digest (kept by file stamp, see filedigests.py): a
    copy that keeps size and time (`cp -p`, `rsync -a`, `tar`) is still seen to have changed."""
    digests = run.file_digests
    add_notebook_downloads(
        plan, course.pages, bodies, digests, run.edition
    )  # beside their page (unless kept)
    for asset in course.assets:
        plan.add_file(
            str(asset.site_rel),
            asset.path,
            str(asset.rel),
            signature=digests.signature(asset.path, str(asset.rel), asset.stamp),
        )
    for site_path, copy in remote.files.items():
        if isinstance(copy, bytes):
            plan.add_bytes(site_path, copy, site_path)
        else:
            plan.add_file(site_path, copy, site_path, signature=digests.signature(copy, str(copy)))
    for name, path in static_files(renderer.theme, run.diagnostics).items():
        if name == STYLESHEET:  # one stylesheet for the whole site: theme CSS + code colours
            theme_css = path.read_bytes()
            # Pygments' colours are not made again when neither the theme's CSS nor Pygments changed
            signature = digest("stylesheet", theme_css, installed_version("pygments"), code_digest())
            if not plan.keep_unchanged(f"static/{name}", f"static/{name}", signature):
                css = with_theme_choice(theme_css.decode("utf-8").rstrip("\n") + "\n\n" + highlight_css())
                plan.add_text(f"static/{name}", css, f"static/{name}", signature)
        else:
            plan.add_file(
                f"static/{name}", path, f"static/{name}", signature=digests.signature(path, str(path))
            )
    digests.save()


def render_extras(run: _Run, plan: SitePlan, config: CourseConfig, course, renderer: SiteRenderer) -> None:
    """The 404 page, and the sitemap and robots.txt of a site whose address is known."""
    if NOT_FOUND_URL not in plan.files:
        signature = digest("404", renderer.fingerprint())  # templates, strings, settings, sections
        if not run.kept(
            plan, NOT_FOUND_URL, NOT_FOUND_URL, signature, lambda: renderer.render_not_found(Diagnostics())
        ):
            local = Diagnostics()
            plan.add_text(NOT_FOUND_URL, renderer.render_not_found(local), NOT_FOUND_URL, signature)
            run.report(signature, local)
    if renderer.has_tags and TAGS_URL not in plan.files:  # every tag with its pages
        # the anchors are the tags' own (views.tag_anchor): the code in the fingerprint names them
        signature = digest("tags", renderer.fingerprint(), repr(renderer.tag_pages))
        if not run.kept(plan, TAGS_URL, TAGS_URL, signature, lambda: renderer.render_tags(Diagnostics())):
            local = Diagnostics()
            plan.add_text(TAGS_URL, renderer.render_tags(local), TAGS_URL, signature)
            run.report(signature, local)
    for old_url, url in course.redirects.items():  # a project's old address of its first page
        plan.add_text(old_url, redirect_html(old_url, url), old_url)
    if run.result.runs:  # linked from nowhere, not in the search index nor the sitemap
        from coursegen.run_report import REPORT_URL, report_html

        plan.add_text(
            REPORT_URL,
            report_html(run.result.runs, renderer.strings, config.language, config.title),
            REPORT_URL,
        )
    if config.base_url.startswith(("https://", "http://")):
        plan.add_text(
            "sitemap.xml", sitemap_xml(config.base_url, [page.url for page in course.pages]), "sitemap.xml"
        )
        plan.add_text(
            "robots.txt",
            f"User-agent: *\nAllow: /\nSitemap: {absolute_url(config.base_url, 'sitemap.xml')}\n",
            "robots.txt",
        )
    run.clock.lap("files, assets, 404")


def _module_title(page) -> str:
    """The module (top-level section) a page belongs to, shown with search results."""
    module = page
    while module.parent is not None and module.parent.parent is not None:
        module = module.parent
    return module.title if module is not page and module.parent is not None else ""


def absolute_url(base_url: str, url: str) -> str:
    return base_url.rstrip("/") + "/" + quote(url, safe="/#")


def sitemap_xml(base_url: str, urls: list[str]) -> str:
    """Search engines' list of pages; only written when course.yml gives the site's base_url."""
    entries = "".join(
        f"  <url><loc>{escape(absolute_url(base_url, url), quote=False)}</loc></url>\n" for url in urls
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
