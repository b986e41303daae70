"""`coursegen export moodle`: the quizzes as a Moodle XML question bank, read back with xml.etree."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest
from conftest import FIXTURES, copy_fixture, formatted

from coursegen.cli import main
from coursegen.export import export
from coursegen.export.files import atomic_file
from coursegen.export.quizzes import MOODLE_PERCENTAGES, Answer, Fragment, Quiz, answer_weights

IMAGE_ONE = (FIXTURES / "lms/content/01_probabilites/images/venn.png").read_bytes()
IMAGE_TWO = (FIXTURES / "lms/content/02_inference/images/venn.png").read_bytes()
COURSE_CATEGORY = "$course$/Statistiques : premiers pas {niveau 1}"


@pytest.fixture
def lms_course(tmp_path):
    return copy_fixture("lms", tmp_path)


@pytest.fixture
def bank(lms_course):
    result = export(lms_course, "moodle")
    return result, ET.parse(result.path).getroot()


def questions(root):
    return [q for q in root.iter("question") if q.get("type") == "multichoice"]


def fractions(question):
    return [float(answer.get("fraction")) for answer in question.iter("answer")]


def test_one_category_per_module_then_its_questions(bank):
    result, root = bank
    assert (
        result.path.name == "lms-moodle.xml" and result.path.parent.name == "lms"
    )  # default: in the course folder
    assert result.questions == 4
    order = [
        (q.get("type"), q.findtext("category/text") or q.findtext("name/text")) for q in root.iter("question")
    ]
    assert order == [
        ("category", f"{COURSE_CATEGORY}/Module 1 — Probabilités"),
        ("multichoice", r"Que vaut \(P(A \cap B)\) si \(A\) et \(B\) sont indépendants ?"),
        ("multichoice", "Lesquelles de ces quantités sont des probabilités ?"),
        ("multichoice", "Quel est le support de X = {1 ; 2} : est-ce {1, 2} ~ ou # autre chose ?"),
        ("category", f"{COURSE_CATEGORY}/Module 2 — Inférence : tests et intervalles"),
        ("multichoice", "Quelles affirmations sur la p-valeur sont justes ?"),
    ]


def test_single_and_several_right_answers_get_moodle_fractions(bank):
    _, root = bank
    single, several, symbols, p_value = questions(root)
    assert [q.findtext("single") for q in (single, several, symbols, p_value)] == [
        "true",
        "false",
        "true",
        "false",
    ]
    assert fractions(single) == [100, 0, 0]
    assert fractions(several) == [33.33333, 33.33333, 33.33333, -50, -50]
    assert fractions(p_value) == [50, 50, -100]
    for question in (several, p_value):
        values = fractions(question)
        assert all(abs(v) in MOODLE_PERCENTAGES for v in values)
        assert round(sum(v for v in values if v > 0), 2) == 100  # Moodle's own check
        assert sum(values) <= 0.001  # ticking every box earns nothing


def test_feedback_texts_math_and_accents(bank):
    result, root = bank
    single, several, symbols, _ = questions(root)
    answers = list(single.iter("answer"))
    assert answers[0].findtext("text") == r"\(P(A)\,P(B)\)"
    assert answers[0].findtext("feedback/text") == "<p>Exact : c'est la définition de l'indépendance.</p>"
    assert "<strong>disjoints</strong>" in answers[2].findtext("feedback/text")
    assert (
        several.findtext("generalfeedback/text")
        == "<p>Une probabilité est un nombre entre 0 et 1 ; la somme sur tout l'univers vaut 1.</p>"
    )
    assert (
        list(several.iter("answer"))[1].findtext("text")
        == r"\(\frac{1}{6}\), la chance d'obtenir un 6 avec un dé équilibré"
    )
    assert single.find("questiontext").get("format") == "html"
    assert symbols.findtext("questiontext/text").startswith(
        "<p>Quel est le support de X = {1 ; 2} : est-ce {1, 2} ~ ou # autre chose ?</p>"
    )
    assert r"<code>C:\stats\x = {a}</code>" in symbols.findtext("questiontext/text")
    assert (
        list(symbols.iter("answer"))[0].findtext("feedback/text")
        == r"<p>Oui ~ exact = {1, 2} # sans surprise : c'est \ le support.</p>"
    )
    raw = result.path.read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert "Probabilités".encode() in raw and b"<math" not in raw  # LaTeX kept, never MathML
    assert b"<![CDATA[" in raw


def test_images_are_embedded_and_decode_to_the_original_bytes(bank):
    _, root = bank
    single, _, _, p_value = questions(root)
    text = single.find("questiontext")
    assert '<img alt="Diagramme de Venn de A et B" src="@@PLUGINFILE@@/venn.png"' in text.findtext("text")
    files = text.findall("file")
    assert [(f.get("name"), f.get("path"), f.get("encoding")) for f in files] == [("venn.png", "/", "base64")]
    assert base64.b64decode(files[0].text) == IMAGE_ONE
    feedback = list(single.iter("answer"))[1].find("feedback")  # an image in a feedback travels with it
    assert base64.b64decode(feedback.find("file").text) == IMAGE_ONE
    other = p_value.find("questiontext")  # another image of the same name gets a name of its own
    assert "@@PLUGINFILE@@/2-venn.png" in other.findtext("text")
    assert base64.b64decode(other.find("file").text) == IMAGE_TWO


def test_quizzes_that_cannot_be_exported_are_findings_and_skipped(bank):
    result, root = bank
    assert formatted(result.diagnostics) == [
        "content/02_inference/01_tests.md:14: warning[lms]: quiz 'Le risque de première espèce, c'est…' has no right answer; it is left out of the export — tick the right answers: - [x] …",
        "content/02_inference/01_tests.md:18: warning[lms]: quiz 'Un seul choix ?' has a single answer; it is left out of the export — add at least one wrong answer: - [ ] …",
    ]
    assert "Un seul choix" not in ET.tostring(root, encoding="unicode")


def _quiz(right: int, wrong: int) -> Quiz:
    answers = tuple(Answer(Fragment(str(i)), i < right, None) for i in range(right + wrong))
    return Quiz("q", Fragment("q"), answers, None, "content/x.md", 1)


@pytest.mark.parametrize("right", [2, 3, 4, 5, 6, 7, 8, 9, 10, 20])
def test_every_share_moodle_allows_sums_to_100(right):
    for wrong in (0, 1, 2, 3, 7, 12):
        weights = [float(w) for w in answer_weights(_quiz(right, wrong))]
        assert round(sum(w for w in weights if w > 0), 2) == 100
        assert all(abs(w) in MOODLE_PERCENTAGES for w in weights if w)
        assert sum(weights) <= 0.001 or wrong == 0


def test_more_right_answers_than_moodle_can_share_is_a_finding(make_course):
    answers = "\n".join(f"    - [x] juste {i}" for i in range(11)) + "\n    - [ ] faux\n"
    course = make_course({"content/a.md": '# A\n\nTexte.\n\n!!! quiz "Onze ?"\n' + answers})
    result = export(course, "moodle")
    assert formatted(result.diagnostics) == [
        "content/a.md:5: warning[lms]: quiz 'Onze ?' has 11 right answers: Moodle can't share the grade evenly between them; it is left out of the export — keep at most 10 right answers (or exactly 20)"
    ]
    assert questions(ET.parse(result.path).getroot()) == []


def test_links_lead_to_the_published_site(make_course):
    quiz = '!!! quiz "Voir [la leçon B](b.md#formule) ?"\n    - [x] Oui <!-- ]]> --> vraiment\n    - [ ] Non, [ailleurs](https://example.org/x)\n'
    files = {"content/a.md": "# A\n\n" + quiz, "content/b.md": "# B\n\n## Formule\n"}
    course = make_course({**files, "course.yml": "base_url: https://cours.example.fr/stats/\n"})
    root = ET.parse(export(course, "moodle").path).getroot()
    question = questions(root)[0]
    assert '<a href="https://cours.example.fr/stats/b.html#formule">la leçon B</a>' in question.findtext(
        "questiontext/text"
    )
    first, second = question.iter("answer")
    assert first.findtext("text") == "Oui <!-- ]]> --> vraiment"  # raw HTML may hold CDATA's end: split
    assert '<a href="https://example.org/x">ailleurs</a>' in second.findtext("text")
    bare = make_course(files, name="no-base-url")  # no address to link to: the words stay, without a link
    text = questions(ET.parse(export(bare, "moodle").path).getroot())[0].findtext("questiontext/text")
    assert "<span>la leçon B</span>" in text and "href" not in text


def test_cli_writes_the_default_file_and_refuses_the_sources(lms_course, capsys):
    assert main(["export", "moodle", str(lms_course), "-q"]) == 0
    assert (lms_course / "lms-moodle.xml").is_file()
    for place in ("content/bank.xml", "content/01_probabilites/bank.xml", "notebooks/bank.xml"):
        assert main(["export", "moodle", str(lms_course), "-o", str(lms_course / place)]) == 2
        assert not (lms_course / place).exists()
    assert "must not be written inside content/" in capsys.readouterr().err
    assert main(["export", "moodle", str(lms_course), "-o", str(lms_course / "content")]) == 2


def test_export_help_lists_the_formats(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert "moodle" in out and "gift" in out and "scorm" in out and "-o FILE" in out


def test_a_failed_export_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "bank.xml"
    target.write_text("previous")
    with pytest.raises(RuntimeError), atomic_file(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank.xml"]
    with atomic_file(target) as temporary:
        temporary.write_text("new")
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["bank.xml"]
