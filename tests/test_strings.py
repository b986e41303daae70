"""Interface strings: complete in every language, overridable by a course; static assets overridable."""

from pathlib import Path

import yaml
from conftest import run_build

from coursegen.errors import Diagnostics
from coursegen.strings import available_languages, format_number, interface_strings

STRINGS = Path(__file__).resolve().parents[1] / "src/coursegen/strings"


def table(language: str) -> dict:
    return yaml.safe_load((STRINGS / f"{language}.yml").read_text(encoding="utf-8"))


def test_french_and_english_have_the_same_keys_and_no_empty_string():
    assert available_languages() == ["en", "fr"]
    english, french = table("en"), table("fr")
    assert sorted(english) == sorted(french)
    assert [key for key, value in {**english, **french}.items() if not str(value).strip()] == []


def test_french_strings_are_french():
    french = table("fr")
    assert french["previous"] == "Précédent" and french["next"] == "Suivant"
    assert french["contents"] == "Sommaire"


def test_a_course_overrides_a_string_and_unknown_keys_warn():
    diagnostics = Diagnostics()
    strings = interface_strings("fr", {"start_lesson": "C'est parti", "startlesson": "x"}, diagnostics)
    assert strings["start_lesson"] == "C'est parti"
    assert strings["previous"] == "Précédent"
    assert [d.format() for d in diagnostics.items] == [
        "course.yml: warning[config]: unknown interface string 'startlesson' in strings — see the list in the theming guide"
    ]


def test_overridden_string_reaches_the_pages(make_course, tmp_path):
    root = make_course(
        {
            "course.yml": "language: fr\nstrings:\n  start_lesson: C'est parti\n",
            "content/A/index.md": "# A\n",
            "content/A/x.md": "# X\n\nTexte.\n",
        }
    )
    result = run_build(root, tmp_path / "site")
    assert result.diagnostics.problems == []
    page = (tmp_path / "site/A/index.html").read_text(encoding="utf-8")
    assert "C&#39;est parti" in page or "C'est parti" in page
    assert '<html lang="fr">' in (tmp_path / "site/A/x.html").read_text(encoding="utf-8")


def test_english_course_gets_english_interface(make_course, tmp_path):
    root = make_course({"course.yml": "language: en\n", "content/A/x.md": "# X\n\nText.\n"})
    run_build(root, tmp_path / "site")
    page = (tmp_path / "site/A/x.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Précédent" not in page


def test_a_course_static_file_replaces_the_builtin_one_and_adds_its_own(make_course, tmp_path):
    root = make_course(
        {"content/A/x.md": "# X\n", "static/coursegen.js": "/* mine */\n", "static/img/logo.svg": "<svg/>"}
    )
    run_build(root, tmp_path / "site")
    assert (tmp_path / "site/static/coursegen.js").read_text() == "/* mine */\n"
    assert (tmp_path / "site/static/img/logo.svg").read_text() == "<svg/>"


def test_numbers_follow_the_language():
    assert format_number(12345.5, "fr") == "12\u202f345,5"
    assert format_number(12345.5, "en") == "12,345.5"
    assert format_number(3, "fr") == "3"
