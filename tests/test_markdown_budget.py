"""Bounded Markdown (issue #20 item 10): a text whose conversion outlasts `markdown.max_seconds`
is stopped and its page becomes an error naming the file and the likely construct, while the rest
builds — in the build's process and in worker processes, each renderer staying usable after a
stop. No timing is asserted: a 1-second budget against an input Python-Markdown needs about a
minute for, and the messages say what happened."""

from __future__ import annotations

import threading

import pytest
from test_reliability import assert_clean_report, cli

from coursegen.markdown_budget import ConversionStopped, Deadline, likely_construct

BRACKETS = "[" * 20_000 + "\n"  # Python-Markdown < 3.11.4: about a minute, quadratic in the number of '['
# Python-Markdown 3.11.4: about half a minute, quadratic in the number of footnotes (measured in
# benchmarks/markdown_pathological.py; 3.11.4 made the brackets linear, and this test wrong with them)
FOOTNOTES = "".join(f"Fait {i}.[^{i}]\n\n" for i in range(20_000)) + "".join(
    f"[^{i}]: Source.\n" for i in range(20_000)
)
STOPPED = (
    "content/A/footnotes.md: error[markdown]: Markdown conversion took longer than 1 s and was stopped "
    "(likely cause: 20,000 footnote references)"
    " — simplify or split the page; if it is only long, raise markdown.max_seconds in course.yml"
)


def lessons(count: int) -> dict[str, str]:
    return {f"content/A/{i:02d}_lesson.md": f"# Leçon {i}\n\nTexte de la leçon {i}.\n" for i in range(count)}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_page_over_budget_is_an_error_and_the_rest_builds(make_course, capsys, jobs):
    files = {"course.yml": "title: Cours\nmarkdown:\n  max_seconds: 1\n", "content/A/footnotes.md": FOOTNOTES}
    root = make_course({**files, **lessons(45)})  # 45 pages: enough for worker processes with -j 2
    run = cli(capsys, "build", root, "-j", jobs)
    assert run.code == 1
    assert_clean_report(run, root)
    assert run.at_level("error") == [STOPPED]
    for i in range(45):  # pages rendered after the stop, by the same renderer, are whole
        assert f"Texte de la leçon {i}." in (root / f"site/A/{i:02d}_lesson.html").read_text("utf-8")


def test_the_budget_can_be_lifted_for_a_page_that_is_only_long(make_course, capsys):
    root = make_course({"course.yml": "title: Cours\nmarkdown:\n  max_seconds: 0\n", **lessons(2)})
    assert cli(capsys, "build", root).code == 0


@pytest.mark.parametrize("value", ["dix", "-1", "true"])
def test_a_wrong_budget_is_a_config_error(make_course, capsys, value):
    root = make_course({"course.yml": f"title: Cours\nmarkdown:\n  max_seconds: {value}\n", **lessons(1)})
    run = cli(capsys, "build", root)
    assert run.code == 2
    shown = {"dix": "'dix'", "-1": "-1", "true": "True"}[value]
    assert run.at_level("error") == [
        f"course.yml:2: error[config]: markdown.max_seconds must be a number of seconds (0: no limit), not {shown} — e.g. max_seconds: 30",
        "course.yml: error[config]: course.yml has 1 error; nothing was built — fix it and build again",
    ]


def test_a_deadline_stops_pure_python_work_and_works_again_after():
    deadline = Deadline()
    spins = []

    def endless() -> None:
        while True:
            spins.append(1)
            del spins[:]

    with pytest.raises(ConversionStopped):
        deadline.run(0.2, endless)
    assert deadline.run(30, lambda: "done") == "done"  # re-armed, and no stop lands afterwards
    assert sum(range(10**6)) == 499999500000


def test_a_deadline_works_in_another_thread_than_the_main_one():
    """The preview renders in its builder thread: no signal timer could stop it there."""
    outcome: list[str] = []

    def render() -> None:
        try:
            Deadline().run(0.2, lambda: [None for _ in iter(int, 1)])
        except ConversionStopped:
            outcome.append("stopped")

    thread = threading.Thread(target=render)
    thread.start()
    thread.join()
    assert outcome == ["stopped"]


@pytest.mark.parametrize(
    ("text", "construct"),
    [
        (BRACKETS, "20,000 '[' without a matching ']'"),
        ("".join(f"## Section {i}\n\nTexte.\n\n" for i in range(30_000)), "30,000 headings"),
        ("* * *\n\n" * 50_000, "50,000 horizontal rules (* * *)"),
        (FOOTNOTES, "20,000 footnote references"),
        ("Un texte ordinaire. " * 100, "a very long text (2,000 characters)"),
    ],
)
def test_the_likely_construct_is_named(text, construct):
    assert likely_construct(text).startswith(construct)
