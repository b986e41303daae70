"""docs/commands/*.md say what `--help` says: they are made from the argument parser, and a page
that differs from what the parser gives now fails here (run `python -m coursegen._docs`)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import REPO

from coursegen._docs import command_pages, differences, write_pages
from coursegen.cli import main, make_parser

DOCS = REPO / "docs" / "commands"
COMMANDS = ["build", "check", "serve", "export", "pdf", "new", "convert"]


def test_the_pages_are_up_to_date_with_the_parser():
    assert differences(DOCS) == [], (
        "docs/commands/ differs from `--help`: run `.venv/bin/python -m coursegen._docs` and commit the pages"
    )


def test_one_page_per_command_and_an_index():
    pages = command_pages()
    assert list(pages) == ["README.md", *(f"{name}.md" for name in COMMANDS)]
    for name in COMMANDS:
        assert f"| [`{name}`]({name}.md) |" in pages["README.md"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_and_help_text_of_help_is_on_the_page(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    shown = capsys.readouterr().out
    page = command_pages()[f"{command}.md"]
    options = set(
        re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", shown.split("\n\n", 1)[1])
    )  # after the usage lines
    assert options, shown
    for option in options:
        assert f"`{option}" in page, (
            f"{option} is in `coursegen {command} --help` but not in docs/commands/{command}.md"
        )
    subparser = next(a for a in make_parser()._actions if a.dest == "command").choices[command]
    for action in subparser._actions:
        if action.help:
            assert " ".join(action.help.split()) in page, action.help
    assert " ".join(subparser.description.split()) in page


def test_a_changed_help_text_is_caught_and_regenerated(tmp_path, monkeypatch):
    write_pages(tmp_path)
    assert differences(tmp_path) == []
    (tmp_path / "serve.md").write_text(
        (tmp_path / "serve.md").read_text(encoding="utf-8").replace("port to listen on", "port"),
        encoding="utf-8",
    )
    (tmp_path / "publish.md").write_text("# a command that no longer exists\n", encoding="utf-8")
    assert differences(tmp_path) == [
        f"{tmp_path / 'serve.md'}: differs from --help",
        f"{tmp_path / 'publish.md'}: no such command",
    ]
    assert [p.name for p in write_pages(tmp_path)] == ["serve.md"]
    assert differences(tmp_path) == []


def test_the_module_checks_from_the_command_line(tmp_path):
    check = subprocess.run(
        [sys.executable, "-m", "coursegen._docs", "--check", str(DOCS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (check.returncode, check.stderr) == (0, "")
    stale = subprocess.run(
        [sys.executable, "-m", "coursegen._docs", "--check", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stale.returncode == 1
    assert (
        stale.stderr.splitlines()[0] == f"{tmp_path / 'README.md'}: missing — run python -m coursegen._docs"
    )
