"""`coursegen export gift`: the same bank in GIFT, read back by an independent parser (gift-pegjs,
from npm, pinned and installed by the test itself into a cache folder; run with node)."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import copy_fixture
from npm_tools import node, npm_package

from coursegen.export import export
from coursegen.export.gift import escape_gift

COURSE_CATEGORY = "$course$/Statistiques : premiers pas {niveau 1}"


def parse_gift(text: str) -> list[dict]:
    parser = npm_package("gift-pegjs")
    script = "const {parse} = require(process.argv[1]); let s = ''; process.stdin.on('data', d => s += d); process.stdin.on('end', () => process.stdout.write(JSON.stringify(parse(s))));"
    done = subprocess.run(
        [node(), "-e", script, str(parser)], input=text, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_escaping_every_control_character():
    assert escape_gift(r"a~b=c#d{e}f:g\h") == r"a\~b\=c\#d\{e\}f\:g\\h"
    assert escape_gift("<pre>x\ny</pre>") == r"<pre>x&\#10;y</pre>"  # no line break inside a question


@pytest.fixture
def parsed(tmp_path):
    course = copy_fixture("lms", tmp_path)
    result = export(course, "gift")
    assert result.path.name == "lms-gift.txt" and result.questions == 4
    return parse_gift(result.path.read_text(encoding="utf-8")), result


def test_gift_pegjs_reads_categories_and_questions(parsed):
    items, _ = parsed
    assert [(item["type"], item.get("title")) for item in items] == [
        ("Category", f"{COURSE_CATEGORY}/Module 1 — Probabilités"),
        ("MC", r"Que vaut \(P(A \cap B)\) si \(A\) et \(B\) sont indépendants ?"),
        ("MC", "Lesquelles de ces quantités sont des probabilités ?"),
        ("MC", "Quel est le support de X = {1 ; 2} : est-ce {1, 2} ~ ou # autre chose ?"),
        ("Category", f"{COURSE_CATEGORY}/Module 2 — Inférence : tests et intervalles"),
        ("MC", "Quelles affirmations sur la p-valeur sont justes ?"),
    ]


def test_right_answers_weights_and_feedback(parsed):
    items, _ = parsed
    single, several, symbols, p_value = [item for item in items if item["type"] == "MC"]
    assert [(c["isCorrect"], c["weight"]) for c in single["choices"]] == [
        (True, None),
        (False, None),
        (False, None),
    ]
    assert [c["weight"] for c in several["choices"]] == [33.33333, 33.33333, 33.33333, -50, -50]
    assert [c["weight"] for c in p_value["choices"]] == [50, 50, -100]
    assert single["choices"][0]["text"] == {"format": "html", "text": r"\(P(A)\,P(B)\)"}
    assert single["choices"][0]["feedback"]["text"] == "<p>Exact : c'est la définition de l'indépendance.</p>"
    assert (
        several["globalFeedback"]["text"]
        == "<p>Une probabilité est un nombre entre 0 et 1 ; la somme sur tout l'univers vaut 1.</p>"
    )
    assert p_value["choices"][0]["feedback"] is None


def test_control_characters_come_back_as_written(parsed):
    items, _ = parsed
    symbols = [item for item in items if item["type"] == "MC"][2]
    assert (
        symbols["stem"]["text"]
        == "<p>Quel est le support de X = {1 ; 2} : est-ce {1, 2} ~ ou # autre chose ?</p>&#10;<p>Écrivez <code>C:\\stats\\x = {a}</code> si besoin.</p>"
    )
    right, wrong = symbols["choices"]
    assert right["text"]["text"] == "L'ensemble {1, 2} : X = 1 ou X = 2"
    assert right["feedback"]["text"] == "<p>Oui ~ exact = {1, 2} # sans surprise : c'est \\ le support.</p>"
    assert wrong["text"]["text"] == "L'ensemble ~ vide = {}"


def test_images_cannot_travel_in_gift(parsed, tmp_path):
    items, result = parsed
    single = [item for item in items if item["type"] == "MC"][0]
    assert "<p>[Diagramme de Venn de A et B]</p>" in single["stem"]["text"]
    warnings = [d.format() for d in result.diagnostics.sorted() if "GIFT" in d.message]
    assert warnings[0].startswith(
        "content/01_probabilites/01_evenements.md:7: warning[lms]: image 'venn.png' of quiz 'Que vaut"
    )
    assert len(warnings) == 2  # one per image and quiz (the first quiz shows venn.png twice)
    course = tmp_path / "lms"  # with the site's address, they are shown from the published site
    (course / "course.yml").write_text(
        (course / "course.yml").read_text(encoding="utf-8") + "base_url: https://stats.example.fr/\n",
        encoding="utf-8",
    )
    with_url = [
        item
        for item in parse_gift(export(course, "gift").path.read_text(encoding="utf-8"))
        if item["type"] == "MC"
    ]
    assert (
        '<img alt="Diagramme de Venn de A et B" src="https://stats.example.fr/01_probabilites/images/venn.png">'
        in with_url[0]["stem"]["text"]
    )
