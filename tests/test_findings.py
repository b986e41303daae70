"""Findings a teacher can act on: kinds, a screenful in `build`/`serve`, every finding in `check`
(as lines or JSON), and course.yml `checks:` to turn a kind off or up."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import formatted, run_build, write_tree

from coursegen.config import CheckRule, load_config
from coursegen.errors import KINDS, Diagnostic, Diagnostics, Level
from coursegen.findings import SCREEN_LINES, CountLine, apply_checks, parse_kinds, screenful


def finding(path: str, kind: str, level: Level = Level.WARNING, line: int = 1) -> Diagnostic:
    return Diagnostic(path, line, None, level, f"something about {kind}", "fix it", kind)


def text_of(item) -> str:
    return item.text if isinstance(item, CountLine) else item.format()


# ---------------------------------------------------------------- the screenful (pure)


def test_a_few_findings_are_all_shown_in_order():
    items = sorted(
        [finding("a.md", "links"), finding("b.md", "headings"), finding("c.md", "links", Level.ERROR)]
    )
    shown = screenful(items)
    assert [text_of(item) for item in shown] == [
        "c.md:1: error[links]: something about links — fix it",
        "b.md:1: warning[headings]: something about headings — fix it",
        "a.md:1: warning[links]: something about links — fix it",
    ]


def test_thousands_of_findings_fit_a_screen_with_errors_first_and_counts_per_kind():
    items = [finding(f"content/A/{i:04}.md", "headings") for i in range(1300)]
    items += [finding(f"content/A/{i:04}.md", "alt-text") for i in range(400)]
    items += [finding(f"content/A/{i:04}.md", "links", line=3) for i in range(90)]
    items += [finding(f"content/B/{i}.md", "yaml", Level.ERROR) for i in range(9)]
    shown = screenful(sorted(items))
    lines = [text_of(item) for item in shown]
    assert len(lines) <= SCREEN_LINES - 1
    assert all(": error[yaml]:" in line for line in lines[:9])  # the 9 errors that matter, first
    assert "… and 1,297 more headings warnings: `coursegen check --kind headings` lists them" in lines
    assert "… and 397 more alt-text warnings: `coursegen check --kind alt-text` lists them" in lines
    assert "… and 87 more links warnings: `coursegen check --kind links` lists them" in lines
    # rare kinds first: they are seldom noise
    assert lines.index(
        "… and 87 more links warnings: `coursegen check --kind links` lists them"
    ) < lines.index("… and 1,297 more headings warnings: `coursegen check --kind headings` lists them")


def test_many_errors_are_cut_too_and_leave_room_for_each_kind():
    items = [finding(f"x{i:04}.md", "links", Level.ERROR) for i in range(500)]
    items += [finding(f"y{i}.md", kind) for kind in ("headings", "math", "alt-text") for i in range(50)]
    lines = [text_of(item) for item in screenful(sorted(items))]
    assert len(lines) <= SCREEN_LINES - 1
    assert any(line.startswith("… and ") and "more errors: `coursegen check" in line for line in lines)
    for kind in ("headings", "math", "alt-text"):
        assert any(f"`coursegen check --kind {kind}`" in line for line in lines), kind


def test_more_kinds_than_lines_still_fits():
    items = [finding(f"{kind}{i}.md", kind) for kind in KINDS for i in range(5)]
    lines = [text_of(item) for item in screenful(sorted(items), lines=8)]
    assert len(lines) <= 8
    assert lines[-1].startswith("… and ") and "more findings of kinds" in lines[-1]


def test_the_last_finding_of_a_kind_replaces_its_count_line():
    items = sorted(finding(f"{i}.md", "math") for i in range(4))
    lines = [text_of(item) for item in screenful(items, lines=4)]
    assert lines == [text_of(item) for item in items]  # 4 findings in 4 lines, no "… and 1 more"


def test_kinds_are_parsed_with_did_you_mean():
    assert parse_kinds("headings, links") == ["headings", "links"]
    with pytest.raises(ValueError, match=r"unknown kind 'heading' — did you mean 'headings'\?"):
        parse_kinds("heading")


# ---------------------------------------------------------------- course.yml checks:


def test_checks_turn_a_kind_off_or_up_and_never_drop_errors():
    diagnostics = Diagnostics(
        [
            finding("a.md", "headings"),
            finding("a.md", "links"),
            finding("b.md", "headings", Level.ERROR),
            finding("c.md", "math"),
        ]
    )
    silenced = apply_checks(
        diagnostics, {"headings": CheckRule("off"), "links": CheckRule("error"), "math": CheckRule("warning")}
    )
    assert silenced == 1
    assert [(d.path, d.kind, d.level) for d in diagnostics.items] == [
        ("a.md", "links", Level.ERROR),
        ("b.md", "headings", Level.ERROR),
        ("c.md", "math", Level.WARNING),
    ]


def test_a_check_rule_can_name_files():
    diagnostics = Diagnostics(
        [finding("content/A/encodages.md", "encoding"), finding("content/A/other.md", "encoding")]
    )
    apply_checks(diagnostics, {"encoding": CheckRule("off", ("content/A/enc*.md",))})
    assert [d.path for d in diagnostics.items] == ["content/A/other.md"]


def test_checks_in_course_yml_are_read_and_validated(tmp_path):
    write_tree(
        tmp_path,
        {
            "course.yml": "checks:\n  headings: off\n  links: error\n  encoding: {level: off, files: [content/A/x.md]}\n  heading: off\n  math: loud\n",
            "content/index.md": "# Home\n",
        },
    )
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics)
    assert config.checks == {
        "headings": CheckRule("off"),
        "links": CheckRule("error"),
        "encoding": CheckRule("off", ("content/A/x.md",)),
    }
    assert formatted(diagnostics) == [
        "course.yml:1: error[config]: checks.math must be off, warning or error, not 'loud' — e.g. checks: {headings: off, links: error}",
        "course.yml:1: warning[config]: unknown kind of finding 'checks.heading' — did you mean 'headings'?",
    ]


# ---------------------------------------------------------------- the commands

LESSONS = 1000  # about 2,000 findings, as in a real curriculum


@pytest.fixture(scope="module")
def noisy_course(tmp_path_factory) -> Path:
    """A course like a real curriculum: a heading jump and a missing alt text in every lesson, a few
    broken links, one invalid formula and one lesson whose front matter does not parse."""
    files = {"content/index.md": "# Cours\n", "content/B/index.md": "# B\n"}
    for i in range(LESSONS):
        body = f"# Leçon {i}\n\nIntro.\n\n#### Détail\n\n![](fig{i % 3}.png)\n"
        if i % 40 == 0:
            body += f"\nVoir [la suite](suite{i}.md).\n"
        files[f"content/A/{i:03}_lecon.md"] = body
    for i in range(3):
        files[f"content/A/fig{i}.png"] = b"\x89PNG\r\n\x1a\n"
    files["content/B/formule.md"] = "# Formule\n\n$\\foo{$\n"
    files["content/B/casse.md"] = "---\ntitle: [pas fermé\n---\nTexte.\n"
    return write_tree(tmp_path_factory.mktemp("noisy") / "course", files)


def coursegen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "coursegen", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_build_of_a_course_with_hundreds_of_findings_prints_at_most_40_lines(noisy_course, tmp_path):
    run = coursegen("build", str(noisy_course), "-o", str(tmp_path / "site"))
    lines = run.stderr.splitlines()
    assert run.returncode == 1, run.stderr  # the front matter error
    assert len(lines) <= SCREEN_LINES, run.stderr
    assert (
        lines[0]
        == "content/B/casse.md:2:18: error[yaml]: invalid YAML: expected ',' or ']', but got '<stream end>' — check the indentation and quote values with special characters"
    )
    assert (
        f"… and {LESSONS - 3} more headings warnings: `coursegen check --kind headings` lists them" in lines
    )
    assert lines[-1].startswith(f"Built {LESSONS + 5} pages (0 notebooks, ")
    assert lines[-1].endswith(f"1 error, {2 * LESSONS + LESSONS // 40 + 1} warnings → {tmp_path / 'site'}")


def test_check_lists_every_finding_one_per_line(noisy_course):
    run = coursegen("check", str(noisy_course))
    lines = run.stderr.splitlines()
    findings = lines[:-1]
    assert len(findings) == 1 + 2 * LESSONS + LESSONS // 40 + 1, run.stderr[-2000:]
    assert len([line for line in findings if ": warning[headings]: " in line]) == LESSONS
    assert (
        "content/A/040_lecon.md:9: warning[links]: link 'suite40.md' leads nowhere — check the path (it is relative to this file)"
        in findings
    )
    assert (
        "content/B/formule.md:3: warning[math]: unknown LaTeX command '\\foo' in '\\foo{' — shown as code; check its spelling, or define it (\\newcommand in the page, math.macros in course.yml)"
        in findings
    )
    assert lines[-1].startswith(f"Checked {LESSONS + 5} pages (0 notebooks) in ")


def test_check_kind_filters_and_its_exit_status_counts_only_that_kind(noisy_course):
    run = coursegen("check", str(noisy_course), "--kind", "links", "--strict")
    lines = run.stderr.splitlines()
    assert len(lines) == LESSONS // 40 + 1
    assert all(": warning[links]: " in line for line in lines[:-1])
    assert lines[-1].endswith(f"0 errors, {LESSONS // 40} warnings of kind links")
    assert run.returncode == 1  # --strict: the links warnings fail it
    assert coursegen("check", str(noisy_course), "--kind", "math").returncode == 0  # one warning, no error
    bad = coursegen("check", str(noisy_course), "--kind", "heading")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "course: error[build]: unknown kind 'heading' — did you mean 'headings'?"


def test_check_format_json_is_one_document_on_stdout(noisy_course):
    run = coursegen("check", str(noisy_course), "--format", "json")
    document = json.loads(run.stdout)
    assert document["errors"] == 1 and document["warnings"] == 2 * LESSONS + LESSONS // 40 + 1
    assert len(document["findings"]) == 1 + document["warnings"]
    assert document["findings"][0] == {
        "path": "content/A/000_lecon.md",
        "line": 5,
        "col": None,
        "severity": "warning",
        "kind": "headings",
        "message": "heading 'Détail' jumps from level 1 to 4",
        "hint": "use ## for it (the page title is level 1), so screen readers can follow the outline",
    }
    assert {item["kind"] for item in document["findings"]} == {
        "headings",
        "alt-text",
        "links",
        "math",
        "yaml",
    }


def test_checks_silence_a_kind_in_build_and_check(noisy_course, tmp_path):
    course = tmp_path / "course"
    import shutil

    shutil.copytree(noisy_course, course)
    (course / "course.yml").write_text(
        "checks:\n  headings: off\n  alt-text: off\n  math: error\n", encoding="utf-8"
    )
    run = coursegen("check", str(course))
    lines = run.stderr.splitlines()
    assert not any("[headings]" in line or "[alt-text]" in line for line in lines)
    assert (
        "content/B/formule.md:3: error[math]: unknown LaTeX command '\\foo' in '\\foo{' — shown as code; check its spelling, or define it (\\newcommand in the page, math.macros in course.yml)"
        in lines
    )
    assert lines[-1].endswith(
        f"2 errors, {LESSONS // 40} warnings ({2 * LESSONS:,} silenced by course.yml checks)"
    )


def test_every_finding_of_a_build_has_a_kind(noisy_course, tmp_path):
    result = run_build(noisy_course, tmp_path / "site")
    assert result.diagnostics.items
    assert all(d.kind in KINDS for d in result.diagnostics.items)


def test_serve_prints_the_findings_of_each_rebuild(tmp_path):
    from coursegen.serve import PreviewServer

    course = write_tree(
        tmp_path / "course",
        {
            "content/index.md": "# Home\n",
            "content/A/x.md": "# X\n\nSee [y](y.md).\n",
            "content/A/y.md": "# Y\n",
        },
    )
    out, err = io.StringIO(), io.StringIO()
    server = PreviewServer(course, "127.0.0.1", 0, verbosity=2, out=out, err=err)
    server.start()
    try:
        assert "warning" not in out.getvalue()
        builds = server.state().builds
        (course / "content/A/x.md").write_text("# X\n\nSee [z](z.md).\n\n#### Deep\n", encoding="utf-8")
        deadline = time.monotonic() + 30
        while server.state().builds == builds or server.state().building or server.state().pending:
            assert time.monotonic() < deadline, "no rebuild"
            time.sleep(0.05)
        printed = out.getvalue()
        assert (
            "  content/A/x.md:3: warning[links]: link 'z.md' leads nowhere — check the path (it is relative to this file)"
            in printed
        )
        assert "  content/A/x.md:5: warning[headings]: heading 'Deep' jumps from level 1 to 4" in printed
        assert ", 2 warnings" in printed
    finally:
        server.stop()


def test_a_misspelt_template_variable_names_the_closest_one(tmp_path):
    course = write_tree(
        tmp_path / "course",
        {
            "content/index.md": "# Home\n",
            "content/A/x.md": "# X\n",
            "templates/lesson.html": '{% extends "theme/lesson.html" %}\n{% block content %}{{ page.titel }}{{ pgae.title }}{% endblock %}',
        },
    )
    result = run_build(course, tmp_path / "site")
    assert formatted(result) == [
        "content/A/x.md: warning[template]: template lesson.html line 2: 'titel' is not a field of PageView (it is empty on this page) — did you mean 'title'? the names are listed in docs/template-context.md"
    ]
