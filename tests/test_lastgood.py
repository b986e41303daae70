"""A broken source never replaces a good page (issue #12, point 2).

When a page's source can't be used, `coursegen build` keeps the page the site already holds and
its place in the course (cards, prev/next, search, sitemap) with its last good front matter,
reports the error at path:line:col and exits 1. The "could not be rendered" page appears only
where no good version exists. `--strict` still writes nothing; a fix rebuilds the page as a clean
build would. (The dev server: tests/test_serve.py.)
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import yaml
from conftest import notebook_json, run_build, snapshot, stream_output

from coursegen.cli import main

COURSE = {
    "course.yml": "title: Cours d'essai\nlanguage: fr\nbase_url: https://cours.example.org/essai/\n",
    "content/index.md": "# Accueil\n\nBienvenue.\n",
    # the module page orders its lessons by its links: 02 before 01
    "content/A/index.md": "---\ntitle: Module A\n---\n\nCommencez par [la deuxième](02_deux.md), puis [la première](01_un.md).\n",
    "content/A/01_un.md": "---\ntitle: Un\n---\n\nVoir [la partie](02_deux.md#la-partie).\n",
    "content/A/02_deux.md": "---\ntitle: Les attentions\nicon: 🧠\nsummary: La leçon deux\nnotebook: A/carnet.ipynb\n---\n\n## La partie\n\nLe mot zéphyr.\n",
    "content/B/01_trois.md": "---\ntitle: Trois\n---\n\nTexte trois.\n",
    "notebooks/A/carnet.ipynb": notebook_json(
        "# Le carnet", ("code", "print('bonjour')", [stream_output("bonjour\n")])
    ),
}
LESSON = "content/A/02_deux.md"
PAGE = "A/02_deux.html"
# the author types a colon in a title without quoting it: the typo this issue is about
TYPO = "---\ntitle: Deux: les attentions\nicon: 🧠\n---\n\n## La partie\n\nTexte cassé.\n"
TYPO_MESSAGE = (
    "content/A/02_deux.md:2:12: error[yaml]: invalid YAML: mapping values are not allowed here — "
    "a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\""
)
KEPT_ONE = "1 page kept from the previous build (its source has errors)"
# a notebook saved in the middle of a git merge: conflict markers make it invalid JSON
CONFLICTED = (
    '{\n "cells": [\n<<<<<<< HEAD\n  {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Le carnet"]}\n'
    '=======\n  {"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Le carnet, v2"]}\n>>>>>>> autre\n ],\n'
    ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5\n}\n'
)


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")


def cli(capsys, *args) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["build", *map(str, args), "-j", "1"])
    return code, capsys.readouterr().err.splitlines()


def search_entries(site: Path) -> dict[str, dict]:
    data = (site / "search/index.js").read_text(encoding="utf-8")
    first = data.split("\n", 1)[0]  # the pages; the stems follow on the next line
    return {
        entry["u"]: entry
        for entry in json.loads(first.removeprefix("window.coursegenSearchIndex=").removesuffix(";"))
    }


def links(page_html: str) -> list[tuple[str, str]]:
    """(href, text) of every link of a page, tags stripped from the text."""
    return [
        (href, re.sub(r"<[^>]+>|\s+", " ", text).strip())
        for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', page_html, re.S)
    ]


def test_a_front_matter_typo_keeps_the_good_page_and_its_place_in_the_course(make_course, tmp_path, capsys):
    root = make_course(COURSE)
    out = tmp_path / "site"
    assert cli(capsys, root, "-o", out)[0] == 0
    before = snapshot(out)
    write(root, LESSON, TYPO)
    code, err = cli(capsys, root, "-o", out)
    assert code == 1
    assert err == [TYPO_MESSAGE, err[1], KEPT_ONE]
    assert re.fullmatch(
        r"Built 7 pages \(1 notebook, \d+ files\) in [\d.]+ s: 1 error, 0 warnings → .+", err[1]
    )
    after = snapshot(out)
    assert after[PAGE] == before[PAGE]  # the good page, byte for byte, not "could not be rendered"
    assert after == before  # and the rest of the site shows it as it was: cards, prev/next, search, sitemap
    module = after["A/index.html"].decode()
    assert "La leçon deux" in module and any(
        href == "02_deux.html" and "Les attentions" in text for href, text in links(module)
    )  # its card
    assert any(
        href == "02_deux.html" and "Suivant" in text for href, text in links(module)
    )  # still first: its links' order
    assert any(
        href == "02_deux.html" and "Précédent" in text and "🧠  Les attentions" in text
        for href, text in links(after["A/01_un.html"].decode())
    )
    assert search_entries(out)[PAGE]["t"] == "Les attentions" and "zéphyr" in search_entries(out)[PAGE]["x"]
    assert "<loc>https://cours.example.org/essai/A/02_deux.html</loc>" in after["sitemap.xml"].decode()


def test_the_graph_keeps_the_last_good_front_matter_while_other_pages_change(make_course, tmp_path):
    root = make_course(COURSE)
    out = tmp_path / "site"
    run_build(root, out)
    write(root, LESSON, TYPO)
    write(
        root, "content/A/01_un.md", "---\ntitle: Un, revu\n---\n\nVoir [la partie](02_deux.md#la-partie).\n"
    )  # a good edit beside it
    result = run_build(root, out)
    assert result.kept == [LESSON]
    assert [d.format() for d in result.diagnostics.sorted()] == [
        TYPO_MESSAGE
    ]  # the #la-partie link still resolves
    one = (out / "A/01_un.html").read_text(encoding="utf-8")
    assert "Un, revu" in one
    assert any(
        href == "02_deux.html" and "🧠  Les attentions" in text for href, text in links(one)
    )  # not "Deux" from its name
    assert "Un, revu" in (out / "A/index.html").read_text(encoding="utf-8")
    assert search_entries(out)[PAGE]["t"] == "Les attentions" and "zéphyr" in search_entries(out)[PAGE]["x"]


def test_a_page_whose_front_matter_holds_a_date_is_kept_too(make_course, tmp_path):
    """The page cache can't keep a date exactly; the last good record keeps it as text."""
    dated = "---\ntitle: Les attentions\npublished: 2024-03-01\n---\n\n## La partie\n\nTexte.\n"
    root = make_course({**COURSE, LESSON: dated})
    out = tmp_path / "site"
    run_build(root, out)
    before = snapshot(out)
    write(root, LESSON, dated.replace("title: Les attentions", "title: Les attentions: suite"))
    result = run_build(root, out)
    assert result.kept == [LESSON] and len(result.diagnostics.errors) == 1
    assert snapshot(out) == before


def test_a_fix_replaces_the_kept_page_and_the_site_equals_a_clean_build(make_course, tmp_path):
    root = make_course(COURSE)
    out = tmp_path / "site"
    run_build(root, out)
    write(root, LESSON, TYPO)
    run_build(root, out)
    write(
        root,
        LESSON,
        "---\ntitle: Deux, corrigée\nicon: 🧠\nnotebook: A/carnet.ipynb\n---\n\n## La partie\n\nTexte corrigé.\n",
    )
    result = run_build(root, out)
    assert result.kept == [] and result.diagnostics.problems == []
    page = (out / PAGE).read_text(encoding="utf-8")
    assert "Deux, corrigée" in page and "Texte corrigé." in page
    assert "Deux, corrigée" in (out / "A/index.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    run_build(root, clean, cache=False)
    assert snapshot(out) == snapshot(clean)


def test_a_broken_notebook_keeps_its_page_and_its_download(make_course, tmp_path, capsys):
    root = make_course(COURSE)
    out = tmp_path / "site"
    run_build(root, out)
    before = snapshot(out)
    write(root, "notebooks/A/carnet.ipynb", CONFLICTED)
    code, err = cli(capsys, root, "-o", out)
    assert code == 1
    assert (
        err[0]
        == "notebooks/A/carnet.ipynb:3:1: error[notebook]: not valid JSON — Expecting value — its cells can't be read on their own either: mend the JSON in a text editor (a stray line break inside a string? a merge conflict?) or restore the file"
    )
    assert err[-1] == KEPT_ONE
    after = snapshot(out)
    assert after["A/notebooks/carnet.html"] == before["A/notebooks/carnet.html"]
    assert (
        after["A/notebooks/carnet.ipynb"] == before["A/notebooks/carnet.ipynb"]
    )  # the good copy, not the conflicted file
    assert "Le carnet" in after["A/02_deux.html"].decode()  # the lesson's link to it keeps its title
    assert search_entries(out)["A/notebooks/carnet.html"]["x"] == "In [2]: print('bonjour') bonjour"


def test_a_template_error_in_one_pages_template_keeps_that_page(make_course, tmp_path, capsys):
    files = {
        **COURSE,
        "templates/progress.html": '{% extends "lesson.html" %}\n{% block content %}\n<p>{{ (page.extra.done / page.extra.total * 100) | round }} %</p>\n{{ super() }}\n{% endblock %}\n',
        LESSON: "---\ntitle: Deux\ntemplate: progress.html\ndone: 1\ntotal: 4\n---\n\n## La partie\n\nTexte.\n",
    }
    root = make_course(files)
    out = tmp_path / "site"
    assert cli(capsys, root, "-o", out)[0] == 0
    before = (out / PAGE).read_bytes()
    assert b"<p>25.0 %</p>" in before
    write(root, LESSON, files[LESSON].replace("total: 4", "total: 0"))
    code, err = cli(capsys, root, "-o", out)
    assert code == 1
    assert (
        err[0]
        == "content/A/02_deux.md: error[template]: template progress.html line 3: division by zero — fix the template or the page's front matter"
    )
    assert err[-1] == KEPT_ONE
    assert (out / PAGE).read_bytes() == before


def test_a_first_build_has_no_good_version_an_error_page_then(make_course, tmp_path, capsys):
    root = make_course({**COURSE, LESSON: TYPO})
    out = tmp_path / "site"
    code, err = cli(capsys, root, "-o", out)
    assert code == 1 and TYPO_MESSAGE in err and not err[-1].endswith("errors)")
    assert (
        "content/A/01_un.md:5: warning[anchors]: anchor '02_deux.md#la-partie' leads nowhere — 'content/A/02_deux.md' has no heading or id 'la-partie'"
        in err
    )
    page = (out / PAGE).read_text(encoding="utf-8")
    assert "Cette page n&#39;a pas pu être affichée" in page
    assert "Emplacement\xa0: content/A/02_deux.md:2:12" in page  # French typography: a no-break space


def test_a_new_page_and_a_renamed_one_have_no_good_version(make_course, tmp_path):
    root = make_course(COURSE)
    out = tmp_path / "site"
    run_build(root, out)
    (root / LESSON).unlink()
    write(root, "content/A/02_deux_bis.md", TYPO)  # renamed while being broken
    write(root, "content/B/02_nouveau.md", "---\ntitle: [Nouveau\n---\n\nTexte.\n")
    result = run_build(root, out)
    assert result.kept == []
    assert not (out / PAGE).exists()
    for page in ("A/02_deux_bis.html", "B/02_nouveau.html"):
        assert "Cette page n&#39;a pas pu être affichée" in (out / page).read_text(encoding="utf-8")


def test_a_page_changed_by_hand_in_the_site_is_not_trusted_as_good(make_course, tmp_path):
    root = make_course(COURSE)
    out = tmp_path / "site"
    run_build(root, out)
    with open(out / PAGE, "a", encoding="utf-8") as handle:
        handle.write("<!-- edited on the server -->")
    write(root, LESSON, TYPO)
    result = run_build(root, out)
    assert result.kept == []
    assert "n&#39;a pas pu être affichée" in (out / PAGE).read_text(encoding="utf-8")


def test_strict_writes_nothing(make_course, tmp_path, capsys):
    root = make_course(COURSE)
    out = tmp_path / "site"
    run_build(root, out)
    before = snapshot(out)
    write(root, LESSON, TYPO)
    code, err = cli(capsys, root, "-o", out, "--strict")
    assert code == 1
    assert err == [
        TYPO_MESSAGE,
        "Nothing written (--strict and problems were found): 1 error, 0 warnings; the previous site is unchanged",
    ]
    assert snapshot(out) == before


def test_clean_forgets_which_pages_were_good(make_course, tmp_path, capsys):
    """Documented: `--clean` deletes the cache, and with it the record of the good pages; a page
    whose source is broken then gets the error page, as on a first build."""
    root = make_course(COURSE)
    out = tmp_path / "site"
    run_build(root, out)
    write(root, LESSON, TYPO)
    code, err = cli(capsys, root, "-o", out, "--clean")
    assert code == 1 and err[-1] != KEPT_ONE
    assert "n&#39;a pas pu être affichée" in (out / PAGE).read_text(encoding="utf-8")


def test_a_broken_module_page_keeps_the_order_its_links_gave(make_course, tmp_path):
    root = make_course(COURSE)
    out = tmp_path / "site"
    run_build(root, out)
    before = snapshot(out)
    write(
        root,
        "content/A/index.md",
        "---\ntitle: Module A\n\tsummary: tabulation\n---\n\n[la première](01_un.md), [la deuxième](02_deux.md).\n",
    )
    result = run_build(root, out)
    assert result.kept == ["content/A/index.md"]
    assert snapshot(out) == before  # 02 still comes before 01: prev/next unchanged everywhere


# ----------------------------------------------------------------------------------------------
# the error page speaks the course's language


def english_strings() -> dict[str, str]:
    strings = Path(__file__).resolve().parents[1] / "src/coursegen/strings"
    english = yaml.safe_load((strings / "en.yml").read_text(encoding="utf-8"))
    french = yaml.safe_load((strings / "fr.yml").read_text(encoding="utf-8"))
    return {key: str(value) for key, value in english.items() if str(value) != str(french[key])}


def visible_text(page: str) -> str:
    """What a reader sees, without coursegen's own technical message (a closed <details>, lang="en")."""
    page = re.sub(r'<pre class="error-message" lang="en">.*?</pre>', "", page, flags=re.S)
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_a_french_error_page_has_no_english_left(make_course, tmp_path):
    root = make_course(
        {
            **COURSE,
            LESSON: TYPO,
            "notebooks/A/carnet.ipynb": CONFLICTED,
            "templates/progress.html": '{% extends "lesson.html" %}\n{% block content %}{{ 1 / page.extra.total }}{% endblock %}\n',
            "content/B/01_trois.md": "---\ntitle: Trois\ntemplate: progress.html\ntotal: 0\n---\n\nTexte trois.\n",
        }
    )
    out = tmp_path / "site"
    run_build(root, out)
    english = english_strings()
    pages = {
        PAGE: (
            "Son en-tête (le bloc YAML entre les lignes --- en haut du fichier) n'est pas valide.",
            "content/A/02_deux.md:2:12",
        ),
        "A/notebooks/carnet.html": (
            "Le fichier du notebook est endommagé, ou ce n'est pas un notebook Jupyter.",
            "notebooks/A/carnet.ipynb:3:1",
        ),
        "B/01_trois.html": (
            "Le gabarit (template) de la page a échoué sur cette page.",
            "content/B/01_trois.md",
        ),
    }
    for rel, (cause, where) in pages.items():
        page = (out / rel).read_text(encoding="utf-8")
        text = visible_text(page).replace("\xa0", " ").replace("\u202f", " ")  # French no-break spaces
        assert cause in text and f"Emplacement : {where}" in text, rel
        assert "Détail technique (message de coursegen, en anglais)" in text, rel
        leftovers = [
            value
            for value in english.values()
            if len(value) > 3 and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text)
        ]
        assert leftovers == [], (rel, leftovers)
        assert '<html lang="fr">' in page
        assert re.search(r'<details[^>]*><summary>[^<]+</summary><pre[^>]* lang="en">', page), rel
