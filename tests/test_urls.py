"""urls.py: relative links, external links, natural order, readable names."""

from __future__ import annotations

import unicodedata

import pytest

from coursegen.urls import is_external, natural_key, readable_name, relative_url, split_href


@pytest.mark.parametrize(
    "target, from_url, expected",
    [
        # same folder
        ("A/x.html", "A/y.html", "x.html"),
        ("A/x.html", "A/x.html", "x.html"),
        # parent and root
        ("index.html", "A/x.html", "../index.html"),
        ("index.html", "A/B/C/x.html", "../../../index.html"),
        ("index.html", "index.html", "index.html"),
        ("static/coursegen.css", "A/notebooks/x.html", "../../static/coursegen.css"),
        # child and sibling folders
        ("A/x.html", "index.html", "A/x.html"),
        ("A/B/c.html", "A/x.html", "B/c.html"),
        ("B/index.html", "A/x.html", "../B/index.html"),
        ("A/notebooks/nb.html", "A/index.html", "notebooks/nb.html"),
        # folders keep their trailing slash
        ("A/", "A/x.html", "./"),
        ("B/", "A/x.html", "../B/"),
        # fragments
        ("A/x.html#part", "A/y.html", "x.html#part"),
        ("A/x.html#part", "A/x.html", "x.html#part"),
        ("#part", "A/y.html", "#part"),
        ("index.html#top", "A/B/y.html", "../../index.html#top"),
        ("A/x.html#mécanismes-dattention", "A/y.html", "x.html#m%C3%A9canismes-dattention"),
        # spaces and accents are percent-encoded, '/' is kept
        ("A/my file.html", "A/y.html", "my%20file.html"),
        ("Modèle/é.html", "index.html", "Mod%C3%A8le/%C3%A9.html"),
        ("A/x.html", "Modèle/é.html", "../A/x.html"),
        ("A/a#b.html", "A/y.html", "a#b.html"),  # '#' in a target always starts the fragment
        # nothing at all
        ("", "A/x.html", "#"),
    ],
)
def test_relative_url(target, from_url, expected):
    assert relative_url(target, from_url) == expected


@pytest.mark.parametrize(
    "href, external",
    [
        ("https://example.org/x.md", True),
        ("http://example.org", True),
        ("mailto:someone@example.org", True),
        ("data:image/png;base64,AAAA", True),
        ("//cdn.example.org/x.js", True),
        ("/absolute/x.html", True),
        ("x.md", False),
        ("../B/x.md", False),
        ("notebooks/x.ipynb", False),
        ("#part", False),
        ("my%20file.md", False),
    ],
)
def test_is_external(href, external):
    assert is_external(href) is external


@pytest.mark.parametrize(
    "href, expected",
    [
        ("x.md", ("x.md", "")),
        ("x.md#part", ("x.md", "part")),
        ("#part", ("", "part")),
        ("my%20file.md", ("my file.md", "")),
        ("x.md?download=1#a", ("x.md", "a")),
        ("m%C3%A9thode.md#d%C3%A9but", ("méthode.md", "début")),
    ],
)
def test_split_href(href, expected):
    assert split_href(href) == expected


@pytest.mark.parametrize(
    "names, expected",
    [
        (["Module10", "Module9", "Module1"], ["Module1", "Module9", "Module10"]),
        (["10_x", "2_x", "1_x"], ["1_x", "2_x", "10_x"]),
        (["lesson-10.md", "lesson-2.md", "lesson-1.md"], ["lesson-1.md", "lesson-2.md", "lesson-10.md"]),
        (["b", "A", "c"], ["A", "b", "c"]),  # case does not matter
        (["02_b", "intro", "01_a"], ["01_a", "02_b", "intro"]),
        (["v1.10", "v1.9", "v1.2"], ["v1.2", "v1.9", "v1.10"]),
    ],
)
def test_natural_key_orders_numbers_as_numbers(names, expected):
    assert sorted(names, key=natural_key) == expected


def test_natural_key_ignores_unicode_normalisation_and_case():
    nfd = unicodedata.normalize("NFD", "Étude2")
    assert nfd != "Étude2"
    assert natural_key(nfd) == natural_key("étude2")


@pytest.mark.parametrize(
    "stem, expected",
    [
        ("02_self-attention", "Self attention"),
        ("01_intro", "Intro"),
        ("01-intro", "Intro"),
        ("intro", "Intro"),
        ("my_lesson-name", "My lesson name"),
        ("étude_de_cas", "Étude de cas"),
        ("01", "01"),  # nothing left after the number: keep the name
        ("__", "__"),
    ],
)
def test_readable_name(stem, expected):
    assert readable_name(stem) == expected


@pytest.mark.parametrize("stem", ["module6", "Module10"])
def test_readable_name_keeps_a_number_that_is_part_of_the_name(stem):
    digits = "".join(ch for ch in stem if ch.isdigit())
    assert digits in readable_name(stem)
