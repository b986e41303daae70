"""Rebuilds redo only what changed: cached bodies, unchanged pages linked from the previous site,
nothing written when nothing changed — and the result is always the same as a clean build."""

import hashlib
import os
from pathlib import Path

import pytest
from conftest import run_build

from coursegen import build, render


@pytest.fixture(scope="module", autouse=True)
def verify_kept_pages():
    """COURSEGEN_VERIFY=1: every page a rebuild keeps is rendered again and must be the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSEGEN_VERIFY", "1")
        yield


FILES = {
    "content/A/index.md": "---\ntitle: Module A\n---\n\n[un](01_un.md) [deux](02_deux.md)\n",
    "content/A/01_un.md": "---\ntitle: Un\n---\n\nTexte un.\n",
    "content/A/02_deux.md": "---\ntitle: Deux\n---\n\nTexte deux.\n",
    "content/B/01_trois.md": "---\ntitle: Trois\n---\n\nTexte trois.\n",
}


def snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def count_renders(monkeypatch) -> list[str]:
    rendered: list[str] = []
    original = render.SiteRenderer.render_page

    def spy(self, page, *args, **kwargs):
        rendered.append(page.url)
        return original(self, page, *args, **kwargs)

    monkeypatch.setattr(render.SiteRenderer, "render_page", spy)
    original_verify = build._verify_kept

    def verified(plan, rel, fresh):
        if rendered and rendered[-1] == rel:  # a kept page, rendered again only to be compared
            rendered.pop()
        return original_verify(plan, rel, fresh)

    monkeypatch.setattr(build, "_verify_kept", verified)
    return rendered


def test_no_op_rebuild_renders_nothing_and_writes_nothing(make_course, tmp_path, monkeypatch):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    inode = (out / "A/01_un.html").stat().st_ino
    rendered = count_renders(monkeypatch)
    result = run_build(root, out)
    assert result.diagnostics.problems == []
    assert rendered == []
    assert (out / "A/01_un.html").stat().st_ino == inode  # the very same file: nothing was rewritten


def test_a_body_edit_renders_only_that_page_and_equals_a_clean_build(make_course, tmp_path, monkeypatch):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    (root / "content/A/02_deux.md").write_text(
        "---\ntitle: Deux\n---\n\nTexte deux, revu.\n", encoding="utf-8"
    )
    rendered = count_renders(monkeypatch)
    run_build(root, out)
    assert rendered == ["A/02_deux.html"]
    assert "Texte deux, revu." in (out / "A/02_deux.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    run_build(root, clean, cache=False)
    assert snapshot(out) == snapshot(clean)


def test_a_title_edit_renders_the_pages_that_show_it(make_course, tmp_path, monkeypatch):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    (root / "content/A/02_deux.md").write_text("---\ntitle: Deux bis\n---\n\nTexte deux.\n", encoding="utf-8")
    rendered = count_renders(monkeypatch)
    run_build(root, out)
    # the page itself, its module's cards, its neighbours' prev/next links
    assert {"A/02_deux.html", "A/index.html", "A/01_un.html", "B/index.html"} <= set(rendered)
    assert "Deux bis" in (out / "A/index.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    run_build(root, clean, cache=False)
    assert snapshot(out) == snapshot(clean)


RICH = {
    "course.yml": "title: Cours\nlanguage: fr\n",
    "content/A/index.md": "---\ntitle: Module A\nsummary: Résumé A\n---\n\n[deux](02_deux.md) [un](01_un.md)\n",
    "content/A/01_un.md": "---\ntitle: Un\ntags: [x]\nnotebook: ../../notebooks/A/carnet.ipynb\n---\n\n## Partie\n\nTexte un.\n",
    "content/A/02_deux.md": "---\ntitle: Deux\nicon: 🧠\n---\n\nTexte deux.\n",
    "content/B/01_trois.md": "---\ntitle: Trois\n---\n\nTexte trois, voir [un](../A/01_un.md#partie).\n",
    "content/C/01_quatre.md": "# Quatre\n\nTexte quatre.\n",
    "notebooks/A/carnet.ipynb": '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Le carnet"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
}

# each edit changes something another page shows: after it, the rebuilt site must equal a clean build
EDITS = [
    (
        "content/A/02_deux.md",
        "---\ntitle: Deux\nicon: 🔥\n---\n\nTexte deux.\n",
    ),  # an icon, shown in neighbours' links
    (
        "content/A/01_un.md",
        "---\ntitle: Un\ntags: [x, y]\nnotebook: ../../notebooks/A/carnet.ipynb\n---\n\n## Partie\n\nTexte un.\n",
    ),
    (
        "content/A/01_un.md",
        "---\ntitle: Un\ntags: [x, y]\n---\n\n## Partie renommée\n\nTexte un.\n",
    ),  # the notebook link and an anchor go
    (
        "content/A/index.md",
        "---\ntitle: Module A\nsummary: Autre résumé\n---\n\n[un](01_un.md) [deux](02_deux.md)\n",
    ),  # summary and order
    (
        "content/B/index.md",
        "---\ntitle: Le module B\norder: 0\n---\n\nB.\n",
    ),  # a new section page, moved first
    ("content/C/01_quatre.md", None),  # a lesson deleted: its module page is generated from nothing
    (
        "notebooks/A/carnet.ipynb",
        '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Le carnet revu"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    ),
    ("course.yml", "title: Cours renommé\nlanguage: fr\ntheme:\n  nav_modules: 1\n"),
]


def test_every_kind_of_edit_rebuilds_to_what_a_clean_build_makes(make_course, tmp_path, monkeypatch):
    settled(monkeypatch)
    root = make_course(RICH)
    out = tmp_path / "site"
    run_build(root, out)
    for number, (rel, text) in enumerate(EDITS):
        if text is None:
            (root / rel).unlink()
        else:
            (root / rel).write_text(text, encoding="utf-8")
        run_build(root, out)
        clean = tmp_path / f"clean{number}"
        run_build(root, clean, cache=False)
        assert snapshot(out) == snapshot(clean), f"after editing {rel}"


# sources broken, then fixed: while broken, the page is its last good version (the deliberate
# difference from a clean build, see test_lastgood.py); once fixed, the site is a clean build's again
BREAKS = [
    (
        "content/A/02_deux.md",
        "---\ntitle: Deux: la suite\nicon: 🧠\n---\n\nTexte deux.\n",
    ),  # an unquoted colon
    (
        "notebooks/A/carnet.ipynb",
        '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Le carnet"}',
    ),  # cut short
    (
        "content/A/index.md",
        "---\ntitle: Module A\nsummary: R\xe9sum\xe9 A\n---\n\n[deux](02_deux.md) [un](01_un.md)\n".encode(
            "latin-1"
        ),
    ),
]


def test_a_broken_source_keeps_its_page_and_once_fixed_the_site_equals_a_clean_build(
    make_course, tmp_path, monkeypatch
):
    settled(monkeypatch)
    root = make_course(RICH)
    out = tmp_path / "site"
    run_build(root, out)
    for number, (rel, broken) in enumerate(BREAKS):
        good = (root / rel).read_bytes()
        before = {name: data for name, data in snapshot(out).items()}
        (root / rel).write_bytes(broken if isinstance(broken, bytes) else broken.encode("utf-8"))
        result = run_build(root, out)
        assert result.kept == [rel] and snapshot(out) == before, f"while {rel} is broken"
        (root / rel).write_bytes(good)
        assert run_build(root, out).kept == []
        clean = tmp_path / f"clean{number}"
        run_build(root, clean, cache=False)
        assert snapshot(out) == snapshot(clean), f"after fixing {rel}"


def test_the_stylesheet_and_404_page_are_remade_only_when_what_they_show_changed(make_course, tmp_path):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    inodes = {name: (out / name).stat().st_ino for name in ("static/coursegen.css", "404.html")}
    run_build(root, out)
    assert {name: (out / name).stat().st_ino for name in inodes} == inodes  # the very same files
    from coursegen.theme import builtin_theme_dir

    theme_css = (builtin_theme_dir() / "static/coursegen.css").read_text(encoding="utf-8")
    (root / "static").mkdir()
    (root / "static/coursegen.css").write_text(
        theme_css + "\n.mon-cours { color: teal; }\n", encoding="utf-8"
    )
    (root / "course.yml").write_text("title: Un autre titre\n", encoding="utf-8")
    run_build(root, out)
    css = (out / "static/coursegen.css").read_text(encoding="utf-8")
    assert ".mon-cours { color: teal; }" in css and "/* Code colours" in css
    assert "Un autre titre" in (out / "404.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    run_build(root, clean, cache=False)
    assert snapshot(out) == snapshot(clean)


def test_a_replaced_site_goes_to_the_trash_and_the_next_build_empties_it(make_course, tmp_path):
    root = make_course(FILES)
    out = tmp_path / "site"
    trash = root / ".coursegen-cache/trash"
    run_build(root, out)
    assert not trash.exists() or not list(trash.iterdir())  # there was no site to replace
    for number in (1, 2):
        (root / "content/A/01_un.md").write_text(
            f"---\ntitle: Un\n---\n\nVersion {number}.\n", encoding="utf-8"
        )
        run_build(root, out)
        left = list(trash.iterdir())
        assert len(left) == 1  # only the site this build replaced: the one before was deleted meanwhile
        assert (left[0] / "A/01_un.html").is_file() and f"Version {number}." not in (
            left[0] / "A/01_un.html"
        ).read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if "coursegen-old" in p.name]  # nothing left beside the site
    run_build(root, out, cache=False)  # without the cache, the old site is deleted at once
    assert not [p for p in tmp_path.iterdir() if "coursegen-old" in p.name]


def test_an_output_file_changed_by_hand_is_written_again(make_course, tmp_path):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    before = (out / "A/01_un.html").read_bytes()
    with open(out / "A/01_un.html", "ab") as handle:
        handle.write(b"<!-- edited by hand -->")
    os.utime(out / "A/01_un.html", ns=(1, 1))
    run_build(root, out)
    assert (out / "A/01_un.html").read_bytes() == before


def test_deleting_the_cache_is_safe(make_course, tmp_path):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    first = snapshot(out)
    import shutil

    shutil.rmtree(root / ".coursegen-cache")
    run_build(root, out)
    assert snapshot(out) == first


# ----------------------------------------------------------------------------------------------
# the page cache: a file whose bytes were parsed before is not parsed again


def parse_all(root: Path, page_cache=None, yaml_cache=None):
    from coursegen.discover import discover_sources
    from coursegen.errors import Diagnostics
    from coursegen.model import SourceKind
    from coursegen.parse import parse_source

    diagnostics = Diagnostics()
    sources = [s for s in discover_sources(root, diagnostics) if s.kind is not SourceKind.ASSET]
    pages = [parse_source(source, diagnostics, yaml_cache, page_cache) for source in sources]
    return pages, diagnostics.sorted()


def page_state(page):
    from coursegen.parse import markdown_body

    body = markdown_body(page) if page.kind.value != "notebook" else (page.body, page.body_first_line)
    return (page.url, page.kind, page.title, page.meta, *body, page.title_heading, page.error, page.digest)


TRICKY = {
    **FILES,
    "content/A/03_titre.md": "---\norder: 3\ntags: [a, b]\ntimeline:\n  - {year: 2017, title: T}\nstats:\n  - {value: 4, label: x}\ncategroy: typo\n---\n\n# Titre du corps\n\nTexte.\n",
    "content/A/04_garbled.md": "---\ntitle: MÃ©canismes\n---\n\nLes mÃ©canismes.\n",
    "content/A/05_bad_yaml.md": "---\ntitle: [oops\n---\n\nTexte.\n",
    "content/A/06_unclosed.md": "---\ntitle: x\n",
    "content/A/07_latin1.md": "---\ntitle: caf\xe9\n---\n",
    "content/A/08_date.md": "---\ntitle: Date\nwhen: 2024-01-02\n---\n\n# Date\n",
    "notebooks/A/nb.ipynb": '{"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Le carnet"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    "notebooks/A/broken.ipynb": '{"cells": [',
}


def test_pages_from_the_page_cache_equal_freshly_parsed_pages(make_course, tmp_path):
    from coursegen.cache import IndexCache

    root = make_course({k: v for k, v in TRICKY.items() if not k.endswith("07_latin1.md")})
    (root / "content/A/07_latin1.md").write_bytes(TRICKY["content/A/07_latin1.md"].encode("latin-1"))
    fresh, fresh_messages = parse_all(root)
    cache = IndexCache(root, "pages")
    parse_all(root, cache)
    cache.save()
    stored = IndexCache(root, "pages")
    # every page but the one whose front matter holds a date (JSON can't keep it exactly) is cached
    assert len(stored.entries) == len(fresh) - 1
    cached, cached_messages = parse_all(root, stored)
    assert [page_state(p) for p in cached] == [page_state(p) for p in fresh]
    assert cached_messages == fresh_messages  # warnings and errors are reported again, the same
    assert any("categroy" in d.message for d in cached_messages) and any(
        "not valid JSON" in d.message for d in cached_messages
    )
    assert len(stored.used) == len(fresh) - 1  # each cached page was found, none parsed again


def test_a_changed_file_is_parsed_again(make_course, tmp_path):
    from coursegen.cache import IndexCache

    root = make_course(FILES)
    cache = IndexCache(root, "pages")
    parse_all(root, cache)
    cache.save()
    (root / "content/A/01_un.md").write_text(
        "---\ntitle: Un, revu\n---\n\n# Ignoré\n\nNouveau texte.\n", encoding="utf-8"
    )
    pages, _ = parse_all(root, IndexCache(root, "pages"))
    page = next(p for p in pages if p.url == "A/01_un.html")
    assert page.title == "Un, revu" and "Nouveau texte." in page.body
    assert "# Ignoré" not in page.body  # a first-line h1 is dropped: the template shows the title


def settled(monkeypatch):
    """Files count as left alone as soon as they are written (else a test's files, a second old,
    never get a stamp and are always read)."""
    from coursegen import discover

    monkeypatch.setattr(discover, "SETTLED_NS", 0)


def count_reads(monkeypatch) -> list[str]:
    read: list[str] = []
    original = Path.read_bytes

    def spy(self):
        read.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    return read


def test_a_file_just_saved_has_no_stamp_and_one_left_alone_has(make_course, monkeypatch):
    from coursegen.discover import discover_sources
    from coursegen.errors import Diagnostics

    root = make_course(FILES)
    assert all(source.stamp == "" for source in discover_sources(root, Diagnostics()))
    settled(monkeypatch)
    stamps = {str(source.rel): source.stamp for source in discover_sources(root, Diagnostics())}
    size = (root / "content/A/01_un.md").stat().st_size
    assert stamps["content/A/01_un.md"].startswith(f"{size}:")


def test_an_unchanged_file_with_its_stamp_is_not_read_until_its_body_must_be_rendered(
    make_course, monkeypatch
):
    from coursegen.cache import IndexCache
    from coursegen.parse import markdown_body

    settled(monkeypatch)
    root = make_course({k: v for k, v in TRICKY.items() if not k.endswith("07_latin1.md")})
    fresh, fresh_messages = parse_all(root)
    cache = IndexCache(root, "pages")
    parse_all(root, cache)
    cache.save()
    read = count_reads(monkeypatch)
    cached, cached_messages = parse_all(root, IndexCache(root, "pages"))
    assert read == [
        "pages.txt",
        "08_date.md",
    ]  # the cache, and the page whose front matter holds a date (which the cache can't keep exactly)
    assert cached_messages == fresh_messages
    lesson = next(p for p in cached if p.url == "A/03_titre.html")
    assert lesson.body is None  # not read
    fresh_lesson = next(p for p in fresh if p.url == "A/03_titre.html")
    assert (
        markdown_body(lesson) == (fresh_lesson.body, fresh_lesson.body_first_line) == ("\n\n\nTexte.\n", 10)
    )
    assert "# Titre du corps" not in lesson.body and "Texte." in lesson.body
    assert [page_state(p) for p in cached] == [page_state(p) for p in fresh]


def test_a_file_changed_after_it_was_parsed_from_its_stamp_is_not_rendered_from_its_new_bytes(
    make_course, monkeypatch
):
    from coursegen.bodies import BodyRenderer, BodySettings
    from coursegen.cache import IndexCache
    from coursegen.config import NotebookSettings
    from coursegen.course import build_course
    from coursegen.errors import Diagnostics

    settled(monkeypatch)
    root = make_course(FILES)
    cache = IndexCache(root, "pages")
    parse_all(root, cache)
    cache.save()
    pages, _ = parse_all(root, IndexCache(root, "pages"))
    (root / "content/A/01_un.md").write_text("---\ntitle: Un\n---\n\nTexte changé.\n", encoding="utf-8")
    course = build_course(pages, [], Diagnostics())
    renderer = BodyRenderer(course, {}, BodySettings(root, NotebookSettings(), False, False))
    entry = renderer.render(course.by_url["A/01_un.html"])
    assert (
        entry.html == ""
        and entry.error
        == "the file could not be read again (it changed while the site was being built; build again)"
    )
    pages, _ = parse_all(root, IndexCache(root, "pages"))  # the next build reads the new text
    assert "Texte changé." in next(p for p in pages if p.url == "A/01_un.html").body


def test_an_edited_file_gets_a_new_stamp_and_is_parsed_again(make_course, tmp_path, monkeypatch):
    settled(monkeypatch)
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    run_build(root, out)
    (root / "content/A/01_un.md").write_text(
        "---\ntitle: Un, revu\n---\n\nNouveau texte.\n", encoding="utf-8"
    )
    read = count_reads(monkeypatch)
    run_build(root, out)
    # the edited lesson, and the section pages, whose links order their lessons
    assert sorted(name for name in read if name.endswith(".md")) == ["01_un.md", "index.md", "index.md"]
    html = (out / "A/01_un.html").read_text(encoding="utf-8")
    assert "Un, revu" in html and "Nouveau texte." in html
    clean = tmp_path / "clean"
    run_build(root, clean, cache=False)
    assert snapshot(out) == snapshot(clean)


def test_the_index_cache_appends_an_edit_and_is_rewritten_once_mostly_stale(tmp_path):
    from coursegen.cache import IndexCache

    root = tmp_path
    first = IndexCache(root, "things")
    for key in "abcd":
        first.put(key, {"value": key, "texte": "é\u2028"})
    assert first.save() and first.store.saved == "rewritten"
    path = root / ".coursegen-cache/things.txt"
    before = path.read_text(encoding="utf-8")
    second = IndexCache(root, "things")
    assert [second.get(key)["value"] for key in "abcd"] == list("abcd")
    assert second.save() is False  # nothing new
    second.put("a", {"value": "A"})  # one entry changed: one line appended
    assert second.save() and second.store.saved == "appended"
    assert path.read_text(encoding="utf-8").startswith(before)
    third = IndexCache(root, "things")
    assert third.get("a") == {"value": "A"} and third.get("d") == {"value": "d", "texte": "é\u2028"}
    fourth = IndexCache(root, "things")
    fourth.put("e", {"value": "e"})  # a, b, c and d no longer used: most of the file is stale
    assert fourth.save() and fourth.store.saved == "rewritten"
    assert set(IndexCache(root, "things").entries) == {"e"}
    with open(path, "a", encoding="utf-8") as file:  # a crash in the middle of an append
        file.write('\nf\t20\t{"value": "f", "te')
    assert set(IndexCache(root, "things").entries) == {"e"}


def test_a_read_only_index_cache_writes_nothing(tmp_path):
    from coursegen.cache import IndexCache

    cache = IndexCache(tmp_path, "things", read_only=True)
    cache.put("a", {"value": 1})
    assert cache.save() is False and not (tmp_path / ".coursegen-cache").exists()


LESSON_WITH_CODE = "---\ntitle: Code\n---\n\nSoit $x^2 + 1$ et\n\n$$\\frac{a}{b}$$\n\n```python\nprint('bonjour')\n```\n\n```python\nx = 2\n```\n"


def count_conversions(monkeypatch) -> dict[str, list]:
    """Spy on the two costly conversions a FragmentMemo saves: code highlighting and LaTeX → MathML."""
    from pymdownx.highlight import Highlight

    from coursegen import mathml

    calls: dict[str, list] = {"code": [], "math": []}
    highlight, to_mathml = Highlight.highlight, mathml.convert_formulas

    def spy_highlight(self, src, *args, **kwargs):
        calls["code"].append(src)
        return highlight(self, src, *args, **kwargs)

    def spy_mathml(formulas):
        calls["math"].extend(latex for latex, _, _ in formulas)
        return to_mathml(formulas)

    monkeypatch.setattr(Highlight, "highlight", spy_highlight)
    monkeypatch.setattr(mathml, "convert_formulas", spy_mathml)
    return calls


def test_an_edit_that_keeps_code_and_formulas_does_not_convert_them_again(make_course, tmp_path, monkeypatch):
    root = make_course({**FILES, "content/A/03_code.md": LESSON_WITH_CODE})
    out = tmp_path / "site"
    run_build(root, out)
    calls = count_conversions(monkeypatch)
    lesson = root / "content/A/03_code.md"
    lesson.write_text(LESSON_WITH_CODE.replace("Soit", "Prenons"), encoding="utf-8")
    run_build(root, out)
    assert calls == {"code": [], "math": []}  # the prose changed; code and formulas came from the memo
    lesson.write_text(LESSON_WITH_CODE.replace("x = 2", "x = 3"), encoding="utf-8")
    run_build(root, out)
    assert calls == {"code": ["x = 3"], "math": []}  # only the block that changed
    lesson.write_text(
        LESSON_WITH_CODE.replace("x = 2", "x = 3").replace("x^2 + 1", "x^2 + 2"), encoding="utf-8"
    )
    run_build(root, out)
    assert calls == {"code": ["x = 3"], "math": ["x^2 + 2"]}  # only the formula that changed
    clean = tmp_path / "clean"
    run_build(root, clean, cache=False)
    assert snapshot(out) == snapshot(clean)


def test_a_rebuild_after_a_body_edit_loads_neither_yaml_nor_lexers_nor_the_math_engine(make_course, tmp_path):
    import subprocess
    import sys

    root = make_course(
        {**FILES, "content/A/03_code.md": LESSON_WITH_CODE, "course.yml": "title: Cours\nlanguage: fr\n"}
    )
    run_build(root)
    lesson = root / "content/A/03_code.md"
    lesson.write_text(LESSON_WITH_CODE + "\nUne phrase de plus.\n", encoding="utf-8")
    script = (
        "import sys; from pathlib import Path; from coursegen.build import build, BuildOptions; "
        f"result = build(Path({str(root)!r}), options=BuildOptions(jobs=1)); "
        "assert result.written and not result.diagnostics.problems, result.diagnostics.problems; "
        "print(sorted(name for name in ('yaml', 'py_mini_racer', 'pygments.lexers.python', 'nbconvert') if name in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
    assert "Une phrase de plus." in (root / "site/A/03_code.html").read_text(encoding="utf-8")


def test_a_rebuild_with_nothing_changed_does_not_import_markdown_even_with_tags(make_course):
    """Tag anchors (tags.html, tag chips) follow Markdown's slug rule: they are worked out only
    when a page with tags or tags.html is made, so a no-op rebuild never imports Markdown."""
    import subprocess
    import sys

    tagged = "---\ntitle: Étiquetée\ntags: [Réseaux de neurones, Optimisation]\n---\nTexte.\n"
    root = make_course(
        {**FILES, "content/A/04_tags.md": tagged, "course.yml": "title: Cours\nlanguage: fr\n"}
    )
    run_build(root)
    tags = (root / "site/tags.html").read_text(encoding="utf-8")
    assert 'id="tag-réseaux-de-neurones"' in tags
    script = (
        "import sys; from pathlib import Path; from coursegen.build import build, BuildOptions; "
        f"result = build(Path({str(root)!r}), options=BuildOptions(jobs=1)); "
        "assert result.written and not result.diagnostics.problems, result.diagnostics.problems; "
        "print('markdown' in sys.modules)"
    )
    quick = {
        name: value for name, value in os.environ.items() if name != "COURSEGEN_VERIFY"
    }  # (it renders kept pages)
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=quick
    )
    assert loaded.stdout.strip() == "False"
    assert (root / "site/tags.html").read_text(encoding="utf-8") == tags


def test_the_body_index_reads_what_it_wrote_and_decodes_contents_only_when_asked(tmp_path):
    from coursegen.body_cache import Body, BodyCache, IndexedBody, RenderedBody

    cache = BodyCache(tmp_path, read_only=False)
    plain = RenderedBody(
        html="<h2 id=partie>Partie</h2>",
        toc=[{"id": "partie", "title": "Partie", "level": 2}],
        anchors=["partie", "x"],
    )
    message = {
        "path": "a.md",
        "line": 3,
        "col": None,
        "level": "warning",
        "message": "m",
        "hint": "h",
        "kind": "anchors",
    }
    linked = RenderedBody(
        html="<p>x</p>", diagnostics=[message], anchor_links=[["B/x.html", "y", "x.md#y", 3]]
    )
    cache.put("plain", plain)
    cache.put("linked", linked)
    assert cache.save()
    again = BodyCache(tmp_path, read_only=False)
    html_digest = hashlib.sha256(plain.html.encode()).hexdigest()
    assert again.index.stored["plain"].startswith(html_digest.encode() + b"\t" + IndexedBody.NOTHING + b"\t")
    entry = again.get("plain").entry
    assert entry.diagnostics == [] and entry.anchor_links == [] and entry.html_digest == html_digest
    body = Body(None, "", entry.anchor_links, "plain", None, "a.md", detail=entry.detail)
    assert body._toc is None  # not decoded yet
    assert body.toc == plain.toc and body.anchors == {"partie", "x"}
    entry = again.get("linked").entry
    assert entry.diagnostics == linked.diagnostics and entry.anchor_links == linked.anchor_links


@pytest.mark.parametrize(
    "line",
    [
        b"short\t[[],[]]\t[[],[]]",  # not a digest
        b"0" * 64 + b'\t{"a": 1}\t[[],[]]',  # a mapping where a list belongs
        b"0" * 64 + b'\t[[{"path": 3}],[]]\t[[],[]]',  # a message of another shape
        b"0" * 64 + b'\t[[],[["B/x.html", "y"]]]\t[[],[]]',  # an anchor link cut short
        b"0" * 64 + b"\t[[],[]",  # JSON cut short
    ],
)
def test_a_body_index_line_of_another_shape_is_a_miss(line):
    from coursegen.body_cache import IndexedBody

    assert IndexedBody.from_line(line) is None


def test_links_within_a_page_are_checked_when_it_is_rendered_and_reported_again_from_the_cache(
    make_course, tmp_path
):
    from conftest import formatted

    files = {
        **FILES,
        "content/A/01_un.md": "---\ntitle: Un\n---\n\n## Partie\n\nVoir [la partie](#partie), [ailleurs](#parti).\n",
        "content/A/02_deux.md": "---\ntitle: Deux\n---\n\n## Haut\n\n[Haut](#haut) et [Un](01_un.md#partie).\n",
    }
    root = make_course(files)
    out = tmp_path / "site"
    expected = [
        "content/A/01_un.md:7: warning[anchors]: anchor '#parti' leads nowhere — did you mean '#partie'?"
    ]
    assert formatted(run_build(root, out)) == expected
    assert formatted(run_build(root, out)) == expected  # from the cache: the same message
    index = (root / ".coursegen-cache/bodies-index.txt").read_bytes()
    # a body whose only #links are within itself keeps nothing for the second pass
    assert (
        index.count(b"\t[[],[]]\t") == len(files) + 1 - 2
    )  # every page but 01 (a warning) and 02 (a link to 01)


def test_bodies_no_page_uses_any_more_are_removed_from_the_cache(make_course, tmp_path):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    bodies = root / ".coursegen-cache" / "bodies"
    before = {p.name for p in bodies.iterdir()}
    (root / "content/A/02_deux.md").write_text(
        "---\ntitle: Deux\n---\n\nTexte deux, revu.\n", encoding="utf-8"
    )
    run_build(root, out)
    after = {p.name for p in bodies.iterdir()}
    assert len(after) == len(before)  # one body replaced by its new version, not one more
    assert len(after - before) == 1 and len(before - after) == 1


def test_ten_edits_of_a_lesson_leave_as_many_body_files_as_the_site_has_bodies(make_course, tmp_path):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    bodies = root / ".coursegen-cache" / "bodies"
    count = len(list(bodies.iterdir()))
    for edit in range(10):
        (root / "content/A/02_deux.md").write_text(
            f"---\ntitle: Deux\n---\n\nTexte deux, version {edit}.\n", encoding="utf-8"
        )
        run_build(root, out)
        assert len(list(bodies.iterdir())) == count


def test_verify_mode_fails_a_build_that_keeps_a_page_whose_inputs_changed(make_course, tmp_path, monkeypatch):
    """A signature that missed an input (here: none of the context, only the page's own body) keeps
    the module page, whose card of a lesson shows its new title; COURSEGEN_VERIFY=1 renders it again
    and says so."""
    from coursegen.build import SignatureMissesInput

    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    monkeypatch.setattr(render.ContextText, "of", lambda self, context: "")
    run_build(root, out)  # signatures change once (the stub): every page is made again
    (root / "content/A/02_deux.md").write_text(
        "---\ntitle: Deux, renommé\n---\n\nTexte deux.\n", encoding="utf-8"
    )
    with pytest.raises(SignatureMissesInput) as caught:
        run_build(root, out)
    assert str(caught.value) == (
        "kept page A/index.html differs from a fresh render: a signature misses an input — report it"
    )


def test_a_new_context_key_is_in_every_page_signature_without_being_named(make_course, tmp_path, monkeypatch):
    """The signature is made from the context the template receives: a key added to it changes the
    signature when its value changes, and a value without a faithful repr (a lambda) is refused."""
    root = make_course({**FILES, "templates/lesson.html": "{{ page.title }} {{ banner }}"})
    out = tmp_path / "site"
    original = render.SiteRenderer.page_context
    banner = {"text": "avant"}

    def with_banner(self, page, page_view):
        return {**original(self, page, page_view), "banner": banner["text"]}

    monkeypatch.setattr(render.SiteRenderer, "page_context", with_banner)
    run_build(root, out)
    banner["text"] = "après"
    run_build(root, out)
    assert (out / "A/01_un.html").read_text(encoding="utf-8") == "Un après"
    text = render.ContextText({})
    with pytest.raises(TypeError, match="no text that names its content"):
        text.of({"rel": lambda url: url})


def test_the_collector_pace_is_restored_after_a_build(make_course, tmp_path):
    import gc

    before = gc.get_threshold()
    run_build(make_course(FILES), tmp_path / "site")
    assert gc.get_threshold() == before


# ----------------------------------------------------------------------------------------------
# the search index: reused when nothing it shows changed; its page texts cached a line a page


def test_the_search_index_is_reused_when_no_page_changed_and_remade_when_one_did(make_course, tmp_path):
    root = make_course(FILES)
    out = tmp_path / "site"
    run_build(root, out)
    index = out / "search/index.js"
    inode = index.stat().st_ino
    run_build(root, out)
    assert index.stat().st_ino == inode  # nothing changed: the very same file
    (root / "content/A/02_deux.md").write_text(
        "---\ntitle: Deux\n---\n\nTexte deux, revu avec le mot zéphyr.\n", encoding="utf-8"
    )
    run_build(root, out)
    assert "zéphyr" in index.read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    run_build(root, clean, cache=False)
    assert index.read_bytes() == (clean / "search/index.js").read_bytes()


def test_the_text_cache_appends_new_texts_and_ignores_a_line_cut_short(tmp_path):
    from coursegen.search import TextCache

    path = tmp_path / "texts.txt"
    first = TextCache(path)
    assert first.text_json("a", lambda: "<p>Alpha</p>") == b'"Alpha"'
    first.text_json("b", lambda: "<p>Bêta</p>")
    first.save()
    before = path.read_bytes()
    second = TextCache(path)
    assert second.text_json("a", lambda: "unused") == b'"Alpha"'  # from the file, not made again
    second.text_json("b", lambda: "unused")
    second.text_json("c", lambda: "<p>Gamma</p>")
    second.save()
    assert len(path.read_bytes()) > len(before) and path.read_bytes().startswith(before)  # appended
    with open(path, "a", encoding="utf-8") as file:  # a crash in the middle of an append
        file.write('\nd\t9\t"Del')
    third = TextCache(path)
    assert set(third.texts) == {"a", "b", "c"}
    assert third.text_json("d", lambda: "<p>Delta</p>") == b'"Delta"'


def test_the_text_cache_is_rewritten_once_most_of_it_is_stale(tmp_path):
    from coursegen.search import TextCache

    path = tmp_path / "texts.txt"
    cache = TextCache(path)
    for key in "abcd":
        cache.text_json(key, lambda key=key: f"<p>{key}</p>")
    cache.save()
    fewer = TextCache(path)
    fewer.text_json("e", lambda: "<p>e</p>")  # the four others are no longer used
    fewer.save()
    assert set(TextCache(path).texts) == {"e"}


def test_a_notebook_changed_after_it_was_read_is_not_rendered_from_its_new_bytes(make_course):
    import pytest
    from conftest import notebook_json

    from coursegen.parse import notebook_data

    root = make_course({"notebooks/A/nb.ipynb": notebook_json("# Carnet", "x = 1")})
    pages, _ = parse_all(root)
    page = next(p for p in pages if p.url == "A/notebooks/nb.html")
    assert notebook_data(page)["cells"]  # the same bytes: read again for rendering
    (root / "notebooks/A/nb.ipynb").write_text(notebook_json("# Carnet", "x = 2"), encoding="utf-8")
    with pytest.raises(ValueError, match="changed while the site was being built"):
        notebook_data(page)  # its cache key names the old bytes: refuse, the next build renders it
