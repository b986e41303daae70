"""`coursegen check --fix-encoding`: files saved as Windows-1252/Latin-1 become UTF-8, and garbled
text (mojibake) is repaired, never inside Markdown code; the garbled-text warning is not raised
for code either (a lesson about encodings shows `MÃ©canismes` on purpose in its examples).

The --fix-encoding basics (backup, BOM and CRLF kept, second run) are in test_check.py.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import notebook_json, write_tree

from coursegen.cli import main
from coursegen.mdcode import code_lines, prose_segments

GARBLED = "Les mÃ©canismes d'attention"  # "Les mécanismes d'attention" read as Windows-1252
REPAIRED = "Les mécanismes d'attention"


@pytest.fixture(autouse=True)
def one_process(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 1)


def check(capsys, *args) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["check", *map(str, args)])
    return code, capsys.readouterr().err.splitlines()


def test_a_windows_1252_lesson_becomes_utf8_with_a_backup(tmp_path, capsys):
    text = "---\r\ntitle: Résumé\r\n---\r\n# Les « guillemets » et l’apostrophe\r\n\r\nCoût : 5 € — œuvre “citée”.\r\n"
    original = text.encode("cp1252")
    root = write_tree(
        tmp_path / "course", {"content/index.md": "# Accueil\n", "content/A/lecon.md": original}
    )
    code, lines = check(capsys, root)
    assert code == 1 and lines[0].startswith(
        "content/A/lecon.md:2:9: error[encoding]: not valid UTF-8 (byte 0xe9)"
    )
    code, lines = check(capsys, root, "--fix-encoding")
    assert code == 0
    assert (
        lines[0]
        == f"content/A/lecon.md: converted from Windows-1252 to UTF-8 ({sum(not c.isascii() for c in text)} characters) (original kept as lecon.md.bak)"
    )
    assert (root / "content/A/lecon.md").read_bytes() == text.encode("utf-8")  # CRLF kept
    assert (root / "content/A/lecon.md.bak").read_bytes() == original
    code, lines = check(capsys, root, "--fix-encoding")
    assert lines[0] == "--fix-encoding: nothing to convert or repair: no file changed"
    assert sorted(p.name for p in (root / "content/A").iterdir()) == ["lecon.md", "lecon.md.bak"]


def test_bytes_windows_1252_leaves_undefined_are_read_as_latin_1(tmp_path, capsys):
    root = write_tree(tmp_path / "course", {"content/index.md": b"# Accueil \x81\x8d\x80\n"})
    check(capsys, root, "--fix-encoding")
    assert (root / "content/index.md").read_text(encoding="utf-8") == "# Accueil \x81\x8d€\n"


def test_a_windows_1252_notebook_is_converted(tmp_path, capsys):
    text = notebook_json("# Café", "print('déjà')")
    root = write_tree(
        tmp_path / "course", {"content/index.md": "# Accueil\n", "notebooks/A/n.ipynb": text.encode("cp1252")}
    )
    code, lines = check(capsys, root, "--fix-encoding")
    assert code == 0
    assert (
        lines[0]
        == "notebooks/A/n.ipynb: converted from Windows-1252 to UTF-8 (3 characters) (original kept as n.ipynb.bak)"
    )  # é, é, à
    assert json.loads((root / "notebooks/A/n.ipynb").read_text(encoding="utf-8")) == json.loads(text)


LESSON = f"""---
title: Encodages
---
# Encodages

{GARBLED} en prose.

Dans le code : `{GARBLED}` et ``{GARBLED} avec ` dedans``, puis {GARBLED}.

Un accent grave échappé \\`{GARBLED}\\` n'ouvre pas de code.

```python
print("{GARBLED}")
```

~~~
{GARBLED}
~~~

Un bloc indenté :

    {GARBLED}

- une liste

    {GARBLED} dans un paragraphe de la liste

        {GARBLED} dans un bloc de code de la liste

Fin : {GARBLED}.
"""


def test_garbled_text_in_code_is_neither_reported_nor_repaired(tmp_path, capsys):
    root = write_tree(
        tmp_path / "course", {"content/index.md": "# Accueil\n", "content/A/encodages.md": LESSON}
    )
    code, lines = check(capsys, root)
    garbled = [line.split(": warning")[0] for line in lines if "garbled" in line]
    assert garbled == [f"content/A/encodages.md:{n}" for n in (6, 8, 10, 26, 30)]
    # the suggested text keeps the code span as it is (the suggestion is cut at 80 characters)
    assert lines[1].startswith(
        f"content/A/encodages.md:8: warning[encoding]: garbled text (UTF-8 read as Windows-1252?), should probably read: Dans le code : `{GARBLED}` et ``"
    )

    code, lines = check(capsys, root, "--fix-encoding")
    assert lines[0] == "content/A/encodages.md: repaired 5 garbled lines (original kept as encodages.md.bak)"
    assert not any("garbled" in line for line in lines[1:])
    fixed = (root / "content/A/encodages.md").read_text(encoding="utf-8").split("\n")
    expected = LESSON.split("\n")
    for index in (5, 7, 9, 25, 29):
        expected[index] = (
            expected[index]
            .replace(GARBLED + " en", REPAIRED + " en")
            .replace(f"puis {GARBLED}", f"puis {REPAIRED}")
        )
        expected[index] = (
            expected[index]
            .replace(f"\\`{GARBLED}\\`", f"\\`{REPAIRED}\\`")
            .replace(f"Fin : {GARBLED}", f"Fin : {REPAIRED}")
        )
        expected[index] = expected[index].replace(
            f"    {GARBLED} dans un paragraphe", f"    {REPAIRED} dans un paragraphe"
        )
    assert fixed == expected
    assert (
        fixed[7] == f"Dans le code : `{GARBLED}` et ``{GARBLED} avec ` dedans``, puis {REPAIRED}."
    )  # spans untouched
    assert "\n".join(fixed).count(GARBLED) == 6  # two spans, four blocks


def test_front_matter_is_not_code():
    lines = ["---", "timeline:", "", "    - year: 2017", "---", "", "    code"]
    assert code_lines(lines) == {6}


def test_an_unclosed_fence_makes_the_rest_code():
    assert code_lines(["text", "```", "a", "b"]) == {1, 2, 3}


def test_a_backtick_fence_whose_info_has_a_backtick_is_not_a_fence():
    assert code_lines(["``` a`b", "text"]) == set()


@pytest.mark.parametrize(
    "line, pieces",
    [
        ("a `b` c", [("a ", True), ("`b`", False), (" c", True)]),
        ("``a ` b`` c", [("``a ` b``", False), (" c", True)]),
        ("a ``b` c", [("a ``b` c", True)]),  # no closing run of two: prose
        ("\\`a\\` b", [("\\`a\\` b", True)]),
        ("`a\\`b", [("`a\\`", False), ("b", True)]),  # backslashes escape nothing inside code
    ],
)
def test_prose_segments(line, pieces):
    assert prose_segments(line) == pieces
