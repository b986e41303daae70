"""The search index made at build time: the text of formulas and diagrams, front-matter fields,
Snowball stems grouped for the browser, and the compressed form of a big index."""

from __future__ import annotations

import base64
import json
import re
import zlib

from conftest import run_build

from coursegen.search import fold, index_entry, index_file, page_text, stem_groups, stem_pairs


def test_formulas_keep_their_text_and_diagrams_their_alternative():
    body = (
        '<p>Les scores <math alttext="QK^T"><mi>Q</mi><msup><mi>K</mi><mi>T</mi></msup></math> puis '
        '<math><mi>x</mi><mo>&#x0003D;</mo><mn>1</mn></math>.</p>'
        '<math display="block"><semantics><mi>a</mi><annotation encoding="application/x-tex">\\sqrt{d_k}</annotation></semantics></math>'
        '<figure class="diagram" role="img" aria-labelledby="d-alt"><div class="diagram-light" aria-hidden="true"><svg><text>T</text></svg></div>'
        '<figcaption id="d-alt" class="visually-hidden">Diagramme : Tokens, Encodeur</figcaption></figure>'
        '<div class="tabbed-block"><p aria-hidden="true" class="tabbed-print-label">Linux</p><p>Tapez ls.</p></div>'
    )
    assert page_text(body) == "Les scores QK^T puis x=1 . \\sqrt{d_k} Diagramme : Tokens, Encodeur Tapez ls."


def test_stems_group_french_word_forms_folded_like_the_browser():
    pairs = stem_pairs("L'entraînement des réseaux : on entraîne un réseau, puis les attentions.", "fr")
    groups = stem_groups([pairs, stem_pairs("attention", "fr")])
    assert groups["entrain"] == "entraine entrainement"
    assert groups["reseau"] == "reseau reseaux"
    assert groups["attent"] == "attention attentions"
    assert (
        groups["le"] == "les" and groups["de"] == "des" and groups["puis"] == "" and groups["on"] == ""
    )  # "": alone with its stem
    assert "l" not in groups  # one-letter pieces of elisions are not words
    assert fold("Œuvre ÉTÉ’s") == "oeuvre ete's"


def test_english_courses_use_the_english_stemmer():
    groups = stem_groups([stem_pairs("Training a model; the models trained well.", "en")])
    assert groups["train"] == "trained training" and groups["model"] == "model models"


def test_entries_carry_description_and_labels_and_a_big_index_is_packed():
    entry = index_entry(
        "Titre", "Module", "A/x.html", "lesson", b'"Le texte."', "Une description.", "Tag · Sujet"
    )
    assert json.loads(entry) == {
        "t": "Titre",
        "s": "Module",
        "u": "A/x.html",
        "k": "lesson",
        "d": "Une description.",
        "g": "Tag · Sujet",
        "x": "Le texte.",
    }
    assert json.loads(index_entry("T", "", "u.html", "home", b'""')) == {
        "t": "T",
        "s": "",
        "u": "u.html",
        "k": "home",
        "x": "",
    }  # empty fields left out
    plain = index_file([entry], {"attent": "attention attentions"})
    assert (
        plain.startswith(b"window.coursegenSearchIndex=[{")
        and b'window.coursegenSearchStems={"attent":"attention attentions"};' in plain
    )
    packed = index_file([entry], {"attent": "attention attentions"}, packed_above=10)
    found = re.fullmatch(rb'window.coursegenSearchPacked="([A-Za-z0-9+/=]+)";\n', packed)
    assert found
    data = json.loads(zlib.decompress(base64.b64decode(found.group(1))))
    assert data["index"][0]["d"] == "Une description." and data["stems"] == {"attent": "attention attentions"}


def test_built_index_has_front_matter_fields_and_stems(make_course):
    root = make_course(
        {
            "course.yml": "title: T\nlanguage: fr\n",
            "content/A/index.md": "---\ntitle: Apprentissage\n---\n",
            "content/A/x.md": "---\ntitle: Entraîner un modèle\ndescription: La descente de gradient.\ntags: [Optimisation]\ntopics: [Pas d'apprentissage]\n---\nOn entraîne longtemps.\n",
        }
    )
    run_build(root)
    script = (root / "site/search/index.js").read_text(encoding="utf-8")
    index = json.loads(
        script[len("window.coursegenSearchIndex=") : script.index(";\nwindow.coursegenSearchStems")]
    )
    lesson = next(entry for entry in index if entry["u"] == "A/x.html")
    assert (
        lesson["d"] == "La descente de gradient."
        and lesson["g"] == "Optimisation · Pas d'apprentissage"
        and lesson["s"] == "Apprentissage"
    )
    stems = json.loads(
        script[script.index("window.coursegenSearchStems=") + len("window.coursegenSearchStems=") : -2]
    )
    assert stems["entrain"] == "entraine entrainer"


def test_texts_are_made_once_as_bodies_come_and_the_index_is_the_same_without_a_cache(
    make_course, monkeypatch
):
    """Each rendered body's search text and stems are made as it comes from the renderer (while a
    big build waits for its workers), not again by the search stage; the index is the one made
    without any cache."""
    import coursegen.search as search

    files = {
        "course.yml": "title: T\nlanguage: fr\n",
        "content/A/index.md": "---\ntitle: Apprentissage\n---\nLe module.\n",
        "content/A/x.md": "---\ntitle: Entraîner\ntags: [Optimisation]\n---\nOn entraîne longtemps.\n",
        "content/A/y.md": "---\ntitle: Évaluer\n---\nLes scores $x^2$ comptent.\n",
    }
    cached, uncached = make_course(files, name="cached"), make_course(files, name="uncached")
    made: list[str] = []
    real = search.page_text
    monkeypatch.setattr(search, "page_text", lambda html: made.append(html) or real(html))
    calls: list[str] = []
    prepare = search.SearchTexts.prepare
    monkeypatch.setattr(
        search.SearchTexts,
        "prepare",
        lambda self, page, *rest: calls.append(page.url) or prepare(self, page, *rest),
    )
    run_build(cached)
    bodies = [html for html in made if html]
    assert sorted(calls) == ["A/index.html", "A/x.html", "A/y.html", "index.html"]
    assert len(bodies) == len(set(bodies)) == 3, "each text made once (the home page has no text)"
    made.clear()
    run_build(uncached, cache=False)
    assert len([html for html in made if html]) == 3
    index = (cached / "site/search/index.js").read_bytes()
    assert b"entraine" in index and index == (uncached / "site/search/index.js").read_bytes()
