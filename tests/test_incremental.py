"""Rebuilds redo only what changed: cached bodies, unchanged pages linked from the previous site,
nothing written when nothing changed — and the result is always the same as a clean build."""

import os
from pathlib import Path

from coursegen import render
from conftest import run_build

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
    (root / "content/A/02_deux.md").write_text("---\ntitle: Deux\n---\n\nTexte deux, revu.\n", encoding="utf-8")
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
