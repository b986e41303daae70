"""The execution stage: input files in the execution key, parallel local runs, and the report
(terminal table, site/_reports/execution.html, --report-json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import formatted, notebook_json, run_build
from test_execute import append_cell, no_orphan_kernels, read, runs  # noqa: F401 (the fixture checks for orphan kernels)

from coursegen.cli import main
from coursegen.inputs import is_excluded

pytest.importorskip("ipykernel")


def reader(log: Path, word: str, path: str) -> str:
    """A notebook that logs `word` when it runs and prints the file at `path` (relative to its folder)."""
    return notebook_json(f"# {word}", append_cell(log, word), f"print(open({path!r}).read().strip())")


def test_a_changed_data_file_reruns_exactly_the_notebooks_that_can_read_it(make_course, tmp_path):
    log = tmp_path / "runs.log"
    root = make_course(
        {
            "course.yml": "notebooks:\n  execute: always\n",
            "notebooks/A/ventes.ipynb": reader(log, "A", "ventes.csv"),
            "notebooks/A/ventes.csv": "mois,total\njanvier,120\n",
            "notebooks/B/meteo.ipynb": reader(log, "B", "donnees/meteo.csv"),
            "notebooks/B/donnees/meteo.csv": "ville,pluie\nBrest,1200\n",
        }
    )
    first = run_build(root)
    assert not first.diagnostics.problems, formatted(first)
    assert sorted(runs(log)) == ["A", "B"]
    assert [(r.rel, r.status) for r in first.runs] == [
        ("notebooks/A/ventes.ipynb", "ran"),
        ("notebooks/B/meteo.ipynb", "ran"),
    ]

    second = run_build(root)
    assert sorted(runs(log)) == ["A", "B"], "nothing changed: nothing runs"
    assert [r.status for r in second.runs] == ["cached", "cached"]

    (root / "notebooks/B/donnees/meteo.csv").write_text("ville,pluie\nBrest,1300\n", encoding="utf-8")
    third = run_build(root)
    assert sorted(runs(log)) == ["A", "B", "B"], "only the notebook whose folder holds the csv runs again"
    assert [r.status for r in third.runs] == ["cached", "ran"]
    assert "Brest,1300" in read(root, "B/notebooks/meteo.html"), (
        "the page shows the new data, not the cached outputs"
    )
    assert "janvier,120" in read(root, "A/notebooks/ventes.html")


def test_extra_inputs_from_the_notebook_and_course_yml_and_exclusions(make_course, tmp_path):
    log = tmp_path / "runs.log"
    shared = notebook_json(
        "# Shared",
        append_cell(log, "S"),
        "print(open('../../partage/reference.csv').read().strip())",
        "print(open('../../data/commun.csv').read().strip())",
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "coursegen": {"inputs": ["../../partage/*.csv"]},
        },
    )
    root = make_course(
        {
            "course.yml": "notebooks:\n  execute: always\n  inputs: [data/commun.csv]\n  inputs_exclude: ['*.log', notebooks/A/brouillons/]\n",
            "notebooks/A/partage.ipynb": shared,
            "notebooks/A/brouillons/notes.txt": "premier jet\n",
            "notebooks/A/trace.log": "1\n",
            "partage/reference.csv": "code,libellé\n1,un\n",
            "data/commun.csv": "x\n1\n",
        }
    )
    result = run_build(root)
    assert not result.diagnostics.problems, formatted(result)
    page = read(root, "A/notebooks/partage.html")
    assert "1,un" in page and "x\n1" in page, (
        "files outside the notebook's folder are laid out at their places"
    )
    assert runs(log) == ["S"]

    (root / "notebooks/A/trace.log").write_text("2\n", encoding="utf-8")
    (root / "notebooks/A/brouillons/notes.txt").write_text("second jet\n", encoding="utf-8")
    run_build(root)
    assert runs(log) == ["S"], "excluded files are not inputs"

    (root / "partage/reference.csv").write_text("code,libellé\n1,uno\n", encoding="utf-8")
    run_build(root)
    assert runs(log) == ["S", "S"], "metadata.coursegen.inputs (relative to the notebook's folder)"
    (root / "data/commun.csv").write_text("x\n2\n", encoding="utf-8")
    run_build(root)
    assert runs(log) == ["S", "S", "S"], "course.yml notebooks.inputs (relative to the course root)"


def test_input_patterns_that_match_nothing_or_leave_the_course_are_reported(make_course, tmp_path):
    text = notebook_json(
        "# Seul",
        "print(1)",
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "coursegen": {"inputs": ["donnees/*.parquet", "../../../ailleurs/*.csv", "/etc/passwd"]},
        },
    )
    root = make_course({"course.yml": "notebooks:\n  execute: always\n", "notebooks/A/seul.ipynb": text})
    (root.parent / "ailleurs").mkdir()
    (root.parent / "ailleurs/x.csv").write_text("1\n")
    result = run_build(root)
    hint = "inputs are globs such as data/*.csv or ../shared/**/*.parquet"
    assert formatted(result) == [
        f"notebooks/A/seul.ipynb: warning[execution]: metadata.coursegen.inputs pattern '../../../ailleurs/*.csv' leads outside the course; ignored (copy the files into the course) — {hint}",
        f"notebooks/A/seul.ipynb: warning[execution]: metadata.coursegen.inputs pattern '/etc/passwd' must be relative (to the notebook's folder in a notebook, to the course in course.yml); ignored — {hint}",
        f"notebooks/A/seul.ipynb: warning[execution]: metadata.coursegen.inputs pattern 'donnees/*.parquet' matches no file — {hint}",
    ]


def test_exclusion_patterns_are_gitignore_like():
    assert is_excluded("notebooks/A/big.parquet", ("*.parquet",))
    assert is_excluded("notebooks/A/cache/x.csv", ("cache",))
    assert is_excluded("notebooks/A/raw/2024/x.csv", ("notebooks/A/raw/",))
    assert not is_excluded("notebooks/B/raw/x.csv", ("notebooks/A/raw/",))
    assert not is_excluded("notebooks/A/data.csv", ("*.parquet", "cache"))


def test_local_runs_go_in_parallel_up_to_jobs(make_course, tmp_path):
    """Two notebooks that each wait for the other to have started: they only both see the other
    when they run at the same time."""
    meet = tmp_path / "meet"
    meet.mkdir()

    def waiting(name: str, other: str) -> str:
        cell = (
            f"import pathlib, time\npathlib.Path({str(meet / name)!r}).touch()\n"
            f"deadline = time.monotonic() + 60\n"
            f"while not pathlib.Path({str(meet / other)!r}).exists() and time.monotonic() < deadline:\n    time.sleep(0.05)\n"
            f"print('together' if pathlib.Path({str(meet / other)!r}).exists() else 'alone')"
        )
        return notebook_json(f"# {name}", cell)

    root = make_course(
        {"notebooks/A/un.ipynb": waiting("un", "deux"), "notebooks/B/deux.ipynb": waiting("deux", "un")}
    )
    result = run_build(root, execute=True, jobs=2)
    assert not result.diagnostics.problems, formatted(result)
    assert "<pre>together\n</pre>" in read(root, "A/notebooks/un.html")
    assert "<pre>together\n</pre>" in read(root, "B/notebooks/deux.html")


def test_max_parallel_in_course_yml_must_be_a_positive_number(make_course):
    root = make_course({"course.yml": "notebooks:\n  max_parallel: 0\n  executor: scheduler:8786\n"})
    assert main(["build", str(root), "-q"]) == 2


def test_execution_report_in_the_terminal_the_site_and_json(make_course, tmp_path, capsys):
    log = tmp_path / "runs.log"
    root = make_course(
        {
            "course.yml": "title: Analyse de données\nlanguage: fr\nbase_url: https://example.org/cours/\n",
            "notebooks/A/bon.ipynb": notebook_json("# Bon", append_cell(log, "bon"), "print(6 * 7)"),
            "notebooks/A/casse.ipynb": notebook_json("# Cassé", "import json\njson.loads('{pas du json')"),
            "notebooks/B/toleré.ipynb": notebook_json(
                "# Toléré",
                "1 / 0",
                metadata={
                    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                    "coursegen": {"allow_errors": True},
                },
            ),
        }
    )
    report = tmp_path / "ci/execution.json"
    assert main(["build", str(root), "--execute", "-j", "1", "--report-json", str(report)]) == 1, (
        "a failed notebook fails the build"
    )
    err = capsys.readouterr().err
    assert "[1/3] ran       notebooks/A/bon.ipynb (" in err or "ran       notebooks/A/bon.ipynb" in err
    table = [line for line in err.splitlines() if line.startswith(("notebook ", "notebooks/", "Notebooks:"))]
    assert table[0].split() == ["notebook", "status", "seconds", "first", "error"]
    assert [line.split()[:2] for line in table[1:4]] == [
        ["notebooks/A/bon.ipynb", "ran"],
        ["notebooks/A/casse.ipynb", "failed"],
        ["notebooks/B/toleré.ipynb", "ran"],
    ]
    assert table[2].endswith(
        "cell 2 (`import json`) raised JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    )
    assert table[3].endswith("ZeroDivisionError: division by zero"), "an allowed error is still shown"
    assert table[4] == "Notebooks: 2 ran, 1 failed"

    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["counts"] == {"ran": 2, "cached": 0, "failed": 1, "timed out": 0, "skipped": 0}
    assert [(n["notebook"], n["status"]) for n in document["notebooks"]] == [
        ("notebooks/A/bon.ipynb", "ran"),
        ("notebooks/A/casse.ipynb", "failed"),
        ("notebooks/B/toleré.ipynb", "ran"),
    ]
    assert (
        document["notebooks"][1]["hint"]
        == "tag the cell `raises-exception` if the error is on purpose, or set allow_errors"
    )
    assert all(n["seconds"] > 0 for n in document["notebooks"])

    # nothing is written on a failed build: once fixed, the site gets its report
    (root / "notebooks/A/casse.ipynb").write_text(notebook_json("# Réparé", "print('ok')"), encoding="utf-8")
    assert main(["build", str(root), "--execute", "-q", "-j", "1", "--report-json", str(report)]) == 0
    html = (root / "site/_reports/execution.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and '<link rel="stylesheet" href="../static/coursegen.css">' in html
    assert "<h1>Rapport d'exécution des notebooks</h1>" in html
    assert "<p>1 exécutés, 2 repris du cache, 0 en échec, 0 hors délai, 0 non exécutés</p>" in html
    assert (
        '<tr class="run-cached"><td><code>notebooks/A/bon.ipynb</code></td><td>en cache</td><td class="number"></td><td></td></tr>'
        in html
    )
    assert '<meta name="robots" content="noindex">' in html
    assert (
        "_reports" not in (root / "site/sitemap.xml").read_text()
        and "_reports" not in (root / "site/search/index.js").read_text()
    )
    assert not any(
        "_reports" in path.read_text(encoding="utf-8")
        for path in (root / "site").rglob("*.html")
        if path.name != "execution.html"
    ), "linked from nowhere"
    assert runs(log) == ["bon"]
    assert json.loads(report.read_text())["counts"]["cached"] == 2


def test_no_report_without_execution(make_course):
    root = make_course({"notebooks/A/bon.ipynb": notebook_json("# Bon", "print(1)")})
    result = run_build(root)
    assert result.runs == [] and not (root / "site/_reports").exists()


def test_progress_per_notebook_on_a_terminal_and_in_a_log():
    """On a terminal: a rich bar of the notebooks done and a coloured line per notebook; in a log
    (no terminal): the same lines, plain."""
    import io

    from rich.console import Console

    from coursegen.report import Reporter
    from coursegen.run_report import RunProgress
    from coursegen.runs import RunRecord

    records = [
        RunRecord("notebooks/A/un.ipynb", "", "ran", 2.5),
        RunRecord("notebooks/B/deux.ipynb", "", "failed", 1.0, error="ZeroDivisionError"),
    ]
    reporter = Reporter()
    reporter.console = Console(file=io.StringIO(), record=True, force_terminal=True, width=100)
    progress = RunProgress(reporter.console, bar=reporter.bar)
    with reporter.live():
        progress(None, 1, 3)  # one cached: the bar starts at 1/3
        assert reporter._progress.tasks[0].fields["stage"] == "notebooks"
        assert (reporter._progress.tasks[0].completed, reporter._progress.tasks[0].total) == (1, 3)
        for done, record in enumerate(records, start=2):
            progress(record, done, 3)
        assert reporter._progress.tasks[0].completed == 3
        assert reporter._progress.tasks[0].description == "notebooks/B/deux.ipynb"
    shown = reporter.console.export_text()
    assert "[2/3] ran       notebooks/A/un.ipynb (2.5 s)" in shown
    assert "[3/3] failed    notebooks/B/deux.ipynb (1.0 s)" in shown

    log = io.StringIO()
    plain = Console(file=log, force_terminal=False, width=100)
    quiet_bar = RunProgress(plain)
    quiet_bar(None, 1, 3)
    for done, record in enumerate(records, start=2):
        quiet_bar(record, done, 3)
    assert log.getvalue().splitlines() == [
        "[2/3] ran       notebooks/A/un.ipynb (2.5 s)",
        "[3/3] failed    notebooks/B/deux.ipynb (1.0 s)",
    ]


def test_serve_does_not_run_a_failed_notebook_again_until_it_or_its_data_change(make_course, tmp_path):
    """A preview rebuilds at every save: a notebook that failed with the same code, kernel and
    data is reported as failed again without running (it may take minutes); an edit to it, or to
    a file it can read, runs it again. A plain `build` (no session memory) always tries again."""
    from coursegen.session import NOT_RUN_AGAIN, FailureMemory

    log = tmp_path / "runs.log"
    failing = notebook_json("# Cassé", append_cell(log, "casse"), "print(open('seuil.txt').read())\n1 / 0")
    root = make_course(
        {
            "course.yml": "notebooks:\n  execute: always\n",
            "notebooks/A/casse.ipynb": failing,
            "notebooks/A/seuil.txt": "3\n",
            "content/A/lecon.md": "# Leçon\n",
        }
    )
    session = FailureMemory()
    first = run_build(root, failures=session)
    assert first.runs[0].status == "failed" and runs(log) == ["casse"]
    (root / "content/A/lecon.md").write_text("# Leçon\n\nUne phrase de plus.\n", encoding="utf-8")
    second = run_build(root, failures=session)
    assert runs(log) == ["casse"], "saving a lesson does not run the failing notebook again"
    assert second.runs[0].status == "failed" and second.runs[0].hint.endswith(NOT_RUN_AGAIN)
    reported = formatted(first)
    assert len(reported) == 1 and "ZeroDivisionError" in reported[0], reported
    assert formatted(second) == [f"{reported[0]}; {NOT_RUN_AGAIN}"], "reported as the first time, and why"
    (root / "notebooks/A/seuil.txt").write_text("4\n", encoding="utf-8")
    run_build(root, failures=session)
    assert runs(log) == ["casse", "casse"], "a change to what it reads runs it again"
    run_build(root)
    assert runs(log) == ["casse", "casse", "casse"], "a build without a session tries again"
