"""Reliability: the contract of design/reliability.md §6 and the catalogue cases of §7.1 (C01–C11),
§7.3 (K01–K04), §7.4 (F01–F10) and §7.6 (X01–X04), end to end through the command line.

Every case asserts the exit status, the messages (path, line and column where there is one), that no
traceback reaches the user, and what happened to the previous site: byte-identical whenever the
contract says so (--strict, fatal problems, interruptions), rebuilt otherwise, the bad file's page
being its last good version from the previous site (§6 "non-strict vs strict", decided; an error
page only where no good version exists: see test_lastgood.py).

The unit tests of the same modules (test_frontmatter, test_yamlio, test_output, test_build…) check
the pieces; these tests check what a course author sees.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import notebook_json, snapshot, staging_leftovers, stream_output, write_tree

from coursegen import output
from coursegen.cli import main


@pytest.fixture(scope="module", autouse=True)
def stable_theme(tmp_path_factory):
    """The built-in theme as it is when this module starts. It is the repository's own templates/
    and static/, which others may be editing in this working tree while the suite runs: a copy
    keeps the two builds that a test compares made with the same templates."""
    from coursegen import theme

    copy = tmp_path_factory.mktemp("theme")
    for name in ("templates", "static"):
        shutil.copytree(theme.builtin_theme_dir() / name, copy / name)
    patch = pytest.MonkeyPatch()
    patch.setattr(theme, "builtin_theme_dir", lambda: copy)
    yield copy
    patch.undo()


# ----------------------------------------------------------------------------------------------
# running the command line, reading what it says

# `path[:line[:col]]: error|warning|note: what — what to do` (the part after — is checked apart)
DIAGNOSTIC = re.compile(
    r"^(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: (?P<level>error|warning|note)(?:\[(?P<kind>[a-z-]+)\])?: (?P<what>.+)$"
)
SUMMARY = re.compile(r"(\d+) errors?, (\d+) warnings?")
KEPT = re.compile(r"\d+ pages? kept from the previous build \((its source has|their sources have) errors\)")
INTERNAL = ("Traceback", "internal error", "please report")


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def diagnostics(self) -> list[str]:
        """Every line that is a diagnostic (errors, warnings, notes), as printed."""
        return [line for line in self.lines if DIAGNOSTIC.match(line)]

    def at_level(self, level: str) -> list[str]:
        return [line for line in self.diagnostics if DIAGNOSTIC.match(line)["level"] == level]


def cli(capsys, *argv: str) -> Run:
    """`coursegen ARGV` in this process (one worker for builds), with what it printed."""
    args = [str(a) for a in argv]
    if args and args[0] == "build" and "-j" not in args:
        args += ["-j", "1"]
    capsys.readouterr()
    code = main(args)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def assert_clean_report(run: Run, root: Path | None = None) -> None:
    """§6 diagnostics: every line is a diagnostic or the closing line, paths are relative to the
    course, no traceback, and the summary counts what was listed."""
    for word in INTERNAL:
        assert word not in run.err, run.err
    for line in run.diagnostics:
        path = DIAGNOSTIC.match(line)["path"]
        assert not path.startswith("/"), line
        if root is not None:
            assert str(root) not in path, line
    summary = [line for line in run.lines if SUMMARY.search(line) and not DIAGNOSTIC.match(line)]
    if summary:  # a build or check that ran (fatal usage errors end with their own message)
        last = (
            run.lines[-2] if KEPT.fullmatch(run.lines[-1]) else run.lines[-1]
        )  # then how many pages were kept
        assert last == summary[-1], run.err
        errors, warnings = map(int, SUMMARY.search(summary[-1]).groups())
        assert (errors, warnings) == (len(run.at_level("error")), len(run.at_level("warning"))), run.err


def assert_messages(run: Run, expected: list[str]) -> None:
    """The diagnostics in file order (build prints errors first), each matching its regular expression."""

    def place(line: str) -> tuple:
        found = DIAGNOSTIC.match(line)
        # a file's message without a line (course.yml's closing "has N errors") comes after its others
        return (found["path"], int(found["line"] or 10**9), int(found["col"] or 0))

    got = sorted(run.diagnostics, key=place)
    assert len(got) == len(expected), "\n".join(got)
    for line, pattern in zip(got, expected):
        assert re.fullmatch(pattern, line), f"\n{line!r}\ndoes not match\n{pattern!r}"


def published(out: Path) -> dict[str, str]:
    """Text of every page and script a browser would interpret (not the .ipynb download copies)."""
    return {
        rel: data.decode("utf-8", "replace")
        for rel, data in snapshot(out).items()
        if rel.endswith((".html", ".js", ".xml", ".txt", ".css"))
    }


def assert_nowhere(out: Path, *needles: str) -> None:
    for rel, data in snapshot(out).items():
        for needle in needles:
            assert needle.encode() not in data, f"{needle!r} published in {rel}"


# ----------------------------------------------------------------------------------------------
# a healthy course, built once: each test gets its own copy of the course and of the site


GOOD = {
    "course.yml": "title: Reliable course\nlanguage: en\n",
    "content/index.md": "# Home\n\nWelcome. Start with [module A](A/index.md).\n",
    "content/A/index.md": "---\ntitle: Module A\ntagline: All about A\n---\nModule text.\n",
    "content/A/01_first.md": "---\ntitle: First\nsummary: The first lesson\nnotebook: A/demo.ipynb\n---\n## Part one\n\nSee [the second](02_second.md).\n\n![a diagram](pic.svg)\n",
    "content/A/02_second.md": "---\ntitle: Second\n---\n## Part two\n\nText of the second lesson.\n",
    "content/A/pic.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "content/B/01_other.md": "# Other\n\nBack to [the first](../A/01_first.md#part-one).\n",
    "notebooks/A/demo.ipynb": notebook_json("# Demo", ("code", "print('hi')", [stream_output("hi\n")])),
    "static/extra.css": "body { color: black; }\n",
}
VICTIM = "content/A/02_second.md"  # the lesson the catalogue cases break


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    base = tmp_path_factory.mktemp("good")
    root = write_tree(base / "course", GOOD)
    assert main(["build", str(root), "-o", str(base / "site"), "-q", "-j", "1"]) == 0
    return base


@dataclass
class Previous:
    root: Path
    out: Path
    site: dict[str, bytes]  # the previous site, byte for byte

    def intact(self) -> bool:
        return snapshot(self.out) == self.site and staging_leftovers(self.out.parent) == []


@pytest.fixture
def prev(built_once, tmp_path) -> Previous:
    """A copy of the healthy course and of its built site (cache included, as an author has it: the
    manifest of what was written follows the site to its new place; the copy keeps the times)."""
    shutil.copytree(built_once, tmp_path, dirs_exist_ok=True, symlinks=True)
    root, out = tmp_path / "course", tmp_path / "site"
    old, new = (output.Manifest.path_for(root, folder.resolve()) for folder in (built_once / "site", out))
    for suffix in (".json", ".pages.txt"):
        old.with_suffix(suffix).rename(new.with_suffix(suffix))
    return Previous(root, out, snapshot(out))


def edit(root: Path, files: dict[str, str | bytes], **values: str) -> None:
    """Write `files` into the course; `{name}` placeholders of `values` are filled in (only those)."""

    def fill(data: str | bytes) -> str | bytes:
        if isinstance(data, str):
            for name, value in values.items():
                data = data.replace("{" + name + "}", value)
        return data

    write_tree(root, {rel: fill(data) for rel, data in files.items()})


# ----------------------------------------------------------------------------------------------
# §7.1 / §7.3 / §7.4 catalogue: one mutation of the healthy course per case


@dataclass
class Case:
    id: str
    files: dict[str, str | bytes]
    messages: list[str]  # regular expressions, in printed order
    code: int  # exit status of a plain build
    broken_page: str | None = None  # site page whose source can't be used: kept as it was (non-strict)
    hidden: tuple[str, ...] = ()  # source text that must never be published


LINE = r"[^\n]*"
CASES = [
    # C01 — invalid or unterminated front matter
    Case(
        "C01-colon",
        {VICTIM: "---\ntitle: This thing: crashes\n---\nSECRET BODY\n"},
        [
            rf"content/A/02_second\.md:2:18: error\[yaml\]: invalid YAML: mapping values are not allowed here — a value containing ': ' must be quoted{LINE}"
        ],
        1,
        "A/02_second.html",
        ("SECRET BODY", "This thing: crashes"),
    ),
    Case(
        "C01-tab",
        {VICTIM: "---\ntitle: Tabs\n\tlevel: hard\n---\nSECRET BODY\n"},
        [
            r"content/A/02_second\.md:3:1: error\[yaml\]: invalid YAML: found character '\\t' that cannot start any token — YAML does not allow tabs for indentation: use spaces"
        ],
        1,
        "A/02_second.html",
        ("SECRET BODY", "level: hard"),
    ),
    Case(
        "C01-unclosed",
        {VICTIM: "---\ntitle: Never closed\n\nSECRET BODY\n"},
        [
            r"content/A/02_second\.md:1: error\[yaml\]: the front matter opened on line 1 is never closed — add a line with --- after the front matter"
        ],
        1,
        "A/02_second.html",
        ("SECRET BODY", "Never closed"),
    ),
    # C02 — wrong shape or type: every error of the file in one run; near-miss keys warn
    Case(
        "C02-list",
        {VICTIM: "---\n- a\n- b\n---\nSECRET BODY\n"},
        [
            r"content/A/02_second\.md:2: error\[yaml\]: expected `key: value` lines, found a list — write one `key: value` per line"
        ],
        1,
        "A/02_second.html",
        ("SECRET BODY",),
    ),
    Case(
        "C02-scalar",
        {VICTIM: "---\njust some words\n---\nSECRET BODY\n"},
        [
            r"content/A/02_second\.md:2: error\[yaml\]: expected `key: value` lines, found a single value — write one `key: value` per line"
        ],
        1,
        "A/02_second.html",
        ("SECRET BODY",),
    ),
    Case(
        "C02-types",
        {
            VICTIM: "---\ntitle: Typed\norder: first\ntags: {a: 1}\ntimeline: {}\nstats: [1, 2]\ndraft: maybe\n---\nBody.\n"
        },
        [
            r"content/A/02_second\.md:3: error\[yaml\]: front-matter key 'order' must be a number, not 'first' — write a number, e\.g\. order: 2",
            r"content/A/02_second\.md:4: error\[yaml\]: front-matter key 'tags' must be a list of short texts — write it as a list, e\.g\. tags: \[NLP, Attention\]",
            r"content/A/02_second\.md:5: error\[yaml\]: front-matter key 'timeline' must be a list of entries, one `- key: value` block each — e\.g\. timeline: .*",
            r"content/A/02_second\.md:6: error\[yaml\]: front-matter key 'stats' must be a list of entries, one `- key: value` block each — e\.g\. stats: .*",
            r"content/A/02_second\.md:7: error\[yaml\]: front-matter key 'draft' must be true or false, not 'maybe' — write draft: true or draft: false",
        ],
        1,
    ),
    Case(
        "C02-near-miss",
        {VICTIM: "---\ntitel: Second\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:2: warning\[yaml\]: unknown front-matter key 'titel' — did you mean 'title'\?"
        ],
        0,
    ),
    # C03 — executable YAML tags: refused, nothing runs ({marker} must never appear)
    Case(
        "C03-front-matter",
        {VICTIM: "---\ntitle: Second\nx: !!python/object/apply:os.system ['touch {marker}']\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3:4: error\[yaml\]: invalid YAML: could not determine a constructor for the tag 'tag:yaml\.org,2002:python/object/apply:os\.system' — .+"
        ],
        1,
        "A/02_second.html",
    ),
    Case(
        "C03-name-tag",
        {VICTIM: "---\ntitle: !!python/name:os.system\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:2:8: error\[yaml\]: invalid YAML: could not determine a constructor for the tag 'tag:yaml\.org,2002:python/name:os\.system' — .+"
        ],
        1,
        "A/02_second.html",
    ),
    Case(
        "C03-course-yml",
        {"course.yml": "title: T\nx: !!python/object/apply:os.system ['touch {marker}']\n"},
        [
            r"course\.yml:2:4: error\[config\]: invalid YAML: could not determine a constructor for the tag 'tag:yaml\.org,2002:python/object/apply:os\.system' — .+",
            r"course\.yml: error\[config\]: course\.yml has 1 error; nothing was built — fix it and build again",
        ],
        2,
    ),
    # C04 — alias bomb, deep nesting: refused with the file's name and a line
    Case(
        "C04-alias-bomb",
        {
            VICTIM: "---\n"
            + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
            + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
            + "---\nBody.\n"
        },
        [
            r"content/A/02_second\.md:\d+: error\[yaml\]: YAML too large or too deeply nested \(aliases expanding\?\) — keep it under .+"
        ],
        1,
        "A/02_second.html",
    ),
    Case(
        "C04-deep-nesting",
        {VICTIM: "---\ntitle: Deep\nx: " + "[" * 1000 + "]" * 1000 + "\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:[23]: error\[yaml\]: YAML too (large or too )?deeply nested.* — keep it under .+"
        ],
        1,
        "A/02_second.html",
    ),
    Case(
        "C04-course-yml",
        {"course.yml": "title: T\nx: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n"},
        [
            r"course\.yml:[12]: error\[config\]: YAML too (large or too )?deeply nested.* — keep it under .+",
            r"course\.yml: error\[config\]: course\.yml has 1 error; nothing was built — fix it and build again",
        ],
        2,
    ),
    # C05 — YAML 1.1 surprises and duplicates
    Case(
        "C05-bool-title",
        {VICTIM: "---\ntitle: yes\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:2: error\[yaml\]: front-matter key 'title' must be a text, but YAML reads 'yes' as true — put it in quotes: title: \"yes\""
        ],
        1,
    ),
    Case(
        "C05-numbers",
        {VICTIM: "---\ntitle: Second\nduration: 1:30\ndescription: 1.10\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3: warning\[yaml\]: YAML reads 'duration: 1:30' as the number 90 — put it in quotes: duration: \"1:30\"",
            r"content/A/02_second\.md:4: warning\[yaml\]: YAML reads 'description: 1\.10' as the number 1\.1 — put it in quotes: description: \"1\.10\"",
        ],
        0,
    ),
    Case(
        "C05-duplicate",
        {VICTIM: "---\ntitle: One\nsummary: s\ntitle: Two\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:4: warning\[yaml\]: key 'title' is given twice \(lines 2 and 4\); the last one wins — delete one of them"
        ],
        0,
    ),
    Case(
        "C05-language-no",
        {"course.yml": "title: T\nlanguage: no\n"},
        [
            r"course\.yml:2: error\[config\]: 'language' must be a text, but YAML reads 'no' as false — put it in quotes: language: \"no\"",
            r"course\.yml: error\[config\]: course\.yml has 1 error; nothing was built — fix it and build again",
        ],
        2,
    ),
    # C06 — encodings and odd files
    Case(
        "C06-latin1",
        {VICTIM: b"---\ntitle: Second\n---\nCaf\xe9 cr\xe8me\n"},
        [
            r"content/A/02_second\.md:4:4: error\[encoding\]: not valid UTF-8 \(byte 0xe9\) — save the file as UTF-8 in your editor .+"
        ],
        1,
        "A/02_second.html",
    ),
    Case(
        "C06-utf16",
        {VICTIM: "---\ntitle: Second\n---\nBody.\n".encode("utf-16")},
        [r"content/A/02_second\.md:1:1: error\[encoding\]: not valid UTF-8 \(byte 0xff\) — .+"],
        1,
        "A/02_second.html",
    ),
    Case(
        "C06-empty",
        {VICTIM: ""},
        [
            r"content/A/02_second\.md: warning\[markdown\]: the file is empty — write some content or delete it"
        ],
        0,
    ),
    # C07 — a lesson too big to be one
    Case(
        "C07-too-large",
        {VICTIM: "x" * 5_000_001},
        [
            r"content/A/02_second\.md: error\[files\]: the file is too large \(5 MB\) — split it into lessons under 5 MB"
        ],
        1,
        "A/02_second.html",
    ),
    # C08 — raw HTML passes (author content); links that run code warn at their line
    Case(
        "C08-javascript-links",
        {
            VICTIM: "---\ntitle: Second\n---\nText.\n\n[click](javascript:alert(1))\n\n<a href=\"data:text/html,<b>x</b>\">d</a>\n"
        },
        [
            r"content/A/02_second\.md:6: warning\[links\]: link 'javascript:alert\(1\)' runs code in the reader's browser — .+",
            r"content/A/02_second\.md:8: warning\[links\]: link 'data:text/html,<b>x</b>' runs code in the reader's browser — .+",
        ],
        0,
    ),
    # C09 — broken internal links: warnings with line (and a guess), links left as written
    Case(
        "C09-links",
        {
            VICTIM: "---\ntitle: Second\n---\n[next](03_missing.md)\n\n[nb](../notebooks/A/nope.ipynb)\n\n[part](01_first.md#no-such-part)\n\n[abs](/x.html)\n\n[first](01_frist.md)\n"
        },
        [
            r"content/A/02_second\.md:4: warning\[links\]: link '03_missing\.md' leads nowhere — .+",
            r"content/A/02_second\.md:6: warning\[links\]: link '\.\./notebooks/A/nope\.ipynb' leads nowhere — .+",
            r"content/A/02_second\.md:8: warning\[anchors\]: anchor '01_first\.md#no-such-part' leads nowhere — .+",
            r"content/A/02_second\.md:10: warning\[links\]: absolute link '/x\.html' breaks when the site is opened from a sub-folder or from a file — .+",
            r"content/A/02_second\.md:12: warning\[links\]: link '01_frist\.md' leads nowhere — did you mean '01_first\.md'\?",
        ],
        0,
    ),
    # C10 — two sources, one URL (case-only clash reported on case-sensitive file systems too)
    Case(
        "C10-case-clash",
        {"content/A/Intro.md": "# Intro upper\n", "content/A/intro.md": "# intro lower\n"},
        [
            r"content/A/(Intro|intro)\.md: error\[files\]: 'content/A/(Intro|intro)\.md' and 'content/A/(Intro|intro)\.md' would both be published as 'A/[Ii]ntro\.html' — rename one of them"
        ],
        1,
    ),
    Case(
        "C10-order-tie",
        {
            VICTIM: "---\ntitle: Second\norder: 2\n---\nBody.\n",
            "content/A/01_first.md": "---\ntitle: First\norder: 2\n---\n## Part one\n",
        },
        [
            r"content/A/0[12]_\w+\.md:3: warning\[yaml\]: 'content/A/0[12]_\w+\.md' and 'content/A/0[12]_\w+\.md' both have order: 2; they are sorted by name — give each page its own order"
        ],
        0,
    ),
    # C11 — path escapes in front matter: refused, nothing from outside read or published
    Case(
        "C11-notebook-dotdot",
        {VICTIM: "---\ntitle: Second\nnotebook: ../../../secret.ipynb\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3: error\[notebook\]: notebook '\.\./\.\./\.\./secret\.ipynb' is outside the course — the notebook must be inside the course .+"
        ],
        1,
    ),
    Case(
        "C11-notebook-etc-passwd",
        {VICTIM: "---\ntitle: Second\nnotebook: ../../../../etc/passwd\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3: error\[notebook\]: notebook '\.\./\.\./\.\./\.\./etc/passwd' is outside the course — the notebook must be inside the course .+"
        ],
        1,
    ),
    Case(
        "C11-notebook-absolute",
        {VICTIM: "---\ntitle: Second\nnotebook: {outside}/secret.ipynb\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3: error\[notebook\]: notebook '/.+/secret\.ipynb' is outside the course — .+"
        ],
        1,
    ),
    Case(
        "C11-notebook-encoded",
        {VICTIM: "---\ntitle: Second\nnotebook: '%2e%2e/%2e%2e/%2e%2e/secret.ipynb'\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3: error\[notebook\]: notebook '%2e%2e/%2e%2e/%2e%2e/secret\.ipynb' not found \(looked for content/A/%2e%2e/%2e%2e/%2e%2e/secret\.ipynb, .+\) — .+"
        ],
        1,
    ),
    Case(
        "C11-notebook-backslash",
        {VICTIM: "---\ntitle: Second\nnotebook: '..\\..\\..\\secret.ipynb'\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3: error\[notebook\]: notebook '\.\.\\\.\.\\\.\.\\secret\.ipynb' is outside the course — .+",
            r"content/A/02_second\.md:3: warning\[notebook\]: notebook '\.\.\\\.\.\\\.\.\\secret\.ipynb' is written with Windows backslashes — .+",
        ],
        1,
    ),
    Case(
        "C11-template-dotdot",
        {VICTIM: "---\ntitle: Second\ntemplate: ../../secret.html\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3: error\[template\]: template '\.\./\.\./secret\.html' must be a name inside templates/ — using lesson\.html"
        ],
        1,
    ),
    Case(
        "C11-template-absolute",
        {VICTIM: "---\ntitle: Second\ntemplate: {outside}/secret.html\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:3: error\[template\]: template '/.+/secret\.html' must be a name inside templates/ — using lesson\.html"
        ],
        1,
    ),
    # K01 — course.yml invalid: exit 2 before any output, every error listed with its line
    Case(
        "K01-syntax",
        {"course.yml": "title: [unclosed\nlanguage: en\n"},
        [
            r"course\.yml:\d+:\d+: error\[config\]: invalid YAML: .+ — .+",
            r"course\.yml: error\[config\]: course\.yml has 1 error; nothing was built — fix it and build again",
        ],
        2,
    ),
    Case(
        "K01-every-error",
        {"course.yml": "title: T\nbase_url: 12\nnotebooks: {execute: sometimes}\nlanguage: no\n"},
        [
            r"course\.yml:2: error\[config\]: base_url '12' is not an absolute http\(s\) URL — e\.g\. base_url: https://example\.org/cours/",
            r"course\.yml:3: error\[config\]: notebooks\.execute must be never, auto or always, not 'sometimes'.*",
            r"course\.yml:4: error\[config\]: 'language' must be a text, but YAML reads 'no' as false — put it in quotes: language: \"no\"",
            r"course\.yml: error\[config\]: course\.yml has 3 errors; nothing was built — fix it and build again",
        ],
        2,
    ),
    Case(
        "K01-list",
        {"course.yml": "- title\n- language\n"},
        [
            r"course\.yml:1: error\[config\]: expected `key: value` lines, found a list — write one `key: value` per line",
            r"course\.yml: error\[config\]: course\.yml has 1 error; nothing was built — fix it and build again",
        ],
        2,
    ),
    # K02 — template syntax error: nothing rendered
    Case(
        "K02-syntax",
        {
            "templates/lesson.html": '{% extends "theme/lesson.html" %}\n{% block title %}\n{{ page.title }\n{% endblock %}\n'
        },
        [
            r"templates/lesson\.html:3: error\[template\]: template syntax error: unexpected '}' — fix the template"
        ],
        1,
    ),
    # K03 — template runtime errors: undefined → warning naming template and line; exceptions → error
    Case(
        "K03-undefined",
        {
            "templates/lesson.html": '{% extends "theme/lesson.html" %}\n\n{% block title %}\n{{ page.titel }}\n{% endblock %}\n'
        },
        [r"content/A/0[12]_\w+\.md: warning\[template\]: template lesson\.html line 4: .*'titel'.* — .+"] * 2
        + [r"content/B/01_other\.md: warning\[template\]: template lesson\.html line 4: .*'titel'.* — .+"],
        0,
    ),
    Case(
        "K03-exception",
        {
            "templates/lesson.html": '{% extends "theme/lesson.html" %}\n{% block title %}\n{{ 1 / 0 }}\n{% endblock %}\n'
        },
        [
            r"content/\w/0[12]_\w+\.md: error\[template\]: template lesson\.html line 3: division by zero — fix the template or the page's front matter"
        ]
        * 3,
        1,
    ),
    # K04 — bad template reference
    Case(
        "K04-missing",
        {VICTIM: "---\ntitle: Second\nsummary: s\ntemplate: fancy.html\n---\nBody.\n"},
        [
            r"content/A/02_second\.md:4: error\[template\]: template 'fancy\.html' not found \(looked in .+\) — using lesson\.html"
        ],
        1,
    ),
    # F05 — an unreadable source (simulated: see test_unreadable_lesson) is covered below
]


def _prepare(case: Case, prev: Previous, tmp_path: Path) -> dict:
    """Apply the case's files; outside the course, a secret notebook and template wait to be leaked."""
    outside = tmp_path
    write_tree(
        outside,
        {
            "secret.ipynb": notebook_json("# SECRET-NOTEBOOK-TEXT"),
            "secret.html": "SECRET-TEMPLATE-TEXT {{ page.title }}",
        },
    )
    values = {"marker": str(tmp_path / "pwned"), "outside": str(outside)}
    edit(prev.root, case.files, **values)
    return values


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_catalogue_case_under_strict_keeps_the_previous_site(case, prev, tmp_path, capsys):
    """--strict: any problem fails the build (exit 1; 2 for fatal ones) and nothing is written."""
    _prepare(case, prev, tmp_path)
    run = cli(capsys, "build", prev.root, "-o", prev.out, "--strict")
    assert run.code == (2 if case.code == 2 else 1), run.err
    assert_messages(run, case.messages)
    assert_clean_report(run, prev.root)
    assert prev.intact()
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_catalogue_case(case, prev, tmp_path, capsys):
    """Without --strict: the exit status, every message with its position, the rest of the site
    rebuilt (the last good page in place of an unusable file's), or nothing touched for fatal problems."""
    _prepare(case, prev, tmp_path)
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == case.code, run.err
    assert_messages(run, case.messages)
    assert_clean_report(run, prev.root)
    assert not (tmp_path / "pwned").exists()  # C03: nothing ran
    assert staging_leftovers(prev.out.parent) == []
    if case.code == 2 or case.id.startswith("K02"):  # fatal: the previous site, byte for byte
        assert prev.intact()
        return
    site = published(prev.out)
    for page in ("index.html", "A/index.html", "A/01_first.html", "B/01_other.html", "A/notebooks/demo.html"):
        assert page in site, sorted(site)
    assert "static/extra.css" in site and "A/pic.svg" in snapshot(prev.out)
    if case.broken_page:
        page = site[case.broken_page]
        assert page.encode() == prev.site[case.broken_page]  # its last good version, as it was
        assert run.lines[-1] == "1 page kept from the previous build (its source has errors)"
        for text in case.hidden:  # neither raw YAML nor the body of a file that can't be trusted
            assert text not in page
    assert_nowhere(prev.out, "SECRET-NOTEBOOK-TEXT", "SECRET-TEMPLATE-TEXT", "root:x:0:0")


# ----------------------------------------------------------------------------------------------
# §6: messages say what to do; every error of a run in one run; tracebacks only on request

LACKING_A_FIX = {"K01-every-error"}  # 'notebooks.execute must be never, auto or always, not …' has no fix


@pytest.mark.parametrize(
    "case",
    [c for c in CASES],
    ids=[c.id for c in CASES],
)
def test_every_catalogued_message_says_what_to_do(case, prev, tmp_path, capsys):
    _prepare(case, prev, tmp_path)
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    for line in run.diagnostics:
        what = DIAGNOSTIC.match(line)["what"]
        assert " — " in what and what.split(" — ")[-1].strip(), f"no fix in: {line}"


def test_every_error_of_a_run_is_reported_in_one_run(prev, capsys):
    edit(
        prev.root,
        {
            "content/A/02_second.md": "---\ntitle: This thing: crashes\n---\nBody.\n",
            "content/A/03_types.md": "---\norder: first\ntags: {a: 1}\n---\nBody.\n",
            "content/A/04_latin1.md": b"# Caf\xe9\n",
            "content/A/05_links.md": "# Links\n\n[x](nowhere.md)\n",
            "content/B/02_unclosed.md": "---\ntitle: x\n",
            "notebooks/A/broken.ipynb": '{"cells": [\n  {"cell_type": "code",\n',
        },
    )
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 1
    assert_clean_report(run, prev.root)
    assert_messages(
        run,
        [
            r"content/A/02_second\.md:2:18: error\[yaml\]: invalid YAML: .+",
            r"content/A/03_types\.md:2: error\[yaml\]: front-matter key 'order' .+",
            r"content/A/03_types\.md:3: error\[yaml\]: front-matter key 'tags' .+",
            r"content/A/04_latin1\.md:1:6: error\[encoding\]: not valid UTF-8 \(byte 0xe9\) — .+",
            r"content/A/05_links\.md:3: warning\[links\]: link 'nowhere\.md' leads nowhere — .+",
            r"content/B/02_unclosed\.md:1: error\[yaml\]: the front matter opened on line 1 is never closed — .+",
            r"notebooks/A/broken\.ipynb:3:1: error\[notebook\]: not valid JSON — .+",
        ],
    )
    assert re.search(r": 6 errors, 1 warning\b", run.lines[-2]), run.lines[-2]
    # 02_second was good before; the new files (03_types has usable front matter) had no good version
    assert run.lines[-1] == "1 page kept from the previous build (its source has errors)"


def test_fatal_config_summary_counts_errors_and_warnings_apart(prev, capsys):
    edit(prev.root, {"course.yml": "title: T\ntitel: typo\nbase_url: 12\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 2
    assert_messages(
        run,
        [
            r"course\.yml:2: warning\[config\]: unknown key 'titel' — did you mean 'title'\?",
            r"course\.yml:3: error\[config\]: base_url '12' is not an absolute http\(s\) URL — .+",
            r"course\.yml: error\[config\]: course\.yml has \d+ errors?; nothing was built — fix it and build again",
        ],
    )
    assert prev.intact()


def test_invalid_course_yml_stops_before_any_output(tmp_path, capsys):
    root = write_tree(
        tmp_path / "course",
        {**GOOD, "course.yml": "title: T\nbase_url: 12\nnotebooks: {execute: sometimes}\n"},
    )
    before = snapshot(root)
    run = cli(capsys, "build", root)
    assert run.code == 2
    assert [line.split(": error[")[0] for line in run.lines] == ["course.yml:2", "course.yml:3", "course.yml"]
    assert snapshot(root) == before  # no site/, no cache, no lock
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course"]


def test_fatal_config_summary_does_not_count_warnings_as_errors(prev, capsys):
    edit(prev.root, {"course.yml": "title: T\ntitel: typo\nbase_url: 12\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.lines[-1].startswith("course.yml: error[config]: course.yml has 1 error;"), run.lines[-1]


def test_internal_error_is_one_line_without_v_and_a_traceback_with_it(prev, capsys, monkeypatch):
    from coursegen import markdown_render

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    edit(prev.root, {VICTIM: "# Changed\n\nso it is rendered again.\n"})
    monkeypatch.setattr(markdown_render.MarkdownRenderer, "render", broken)
    run = cli(capsys, "build", prev.root, "-o", prev.out, "--clean")
    # a page the renderer chokes on: reported, the others still built, no traceback
    assert run.code == 1
    assert "Traceback" not in run.err
    assert any(
        "could not be rendered (RuntimeError: simulated bug) — please report this" in line
        for line in run.diagnostics
    )
    with pytest.raises(RuntimeError, match="simulated bug"):  # -v lets it through: the traceback is printed
        main(["build", str(prev.root), "-o", str(prev.out), "--clean", "-v", "-j", "1"])


def test_v_prints_the_traceback_of_an_internal_error_in_a_real_process(prev):
    script = textwrap.dedent(
        """
        import sys
        import coursegen.build as b
        def boom(*args, **kwargs):
            raise RuntimeError("simulated bug")
        b.render_site = boom
        from coursegen.cli import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    args = [sys.executable, "-c", script, "build", str(prev.root), "-o", str(prev.out), "-j", "1"]
    quiet = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 1
    assert quiet.stderr.strip() == (
        "internal error: RuntimeError: simulated bug — please report it (run again with -v for the traceback); "
        "if the build cache was damaged, run `coursegen build --clean`"
    )
    loud = subprocess.run(args + ["-v"], capture_output=True, text=True, timeout=120)
    assert loud.returncode != 0
    assert "Traceback (most recent call last)" in loud.stderr and "RuntimeError: simulated bug" in loud.stderr
    assert prev.intact()


# ----------------------------------------------------------------------------------------------
# C03–C05 details: nothing runs, the fix is quoted


@pytest.mark.parametrize(
    "yaml_line",
    [
        "x: !!python/object/apply:os.system ['touch {marker}']",
        "x: !!python/object/apply:subprocess.check_call [['touch', '{marker}']]",
        "x: !!python/object/new:os.system ['touch {marker}']",
        "x: !python/object/apply:os.system ['touch {marker}']",
    ],
)
def test_no_yaml_tag_runs_anything_anywhere(yaml_line, prev, tmp_path, capsys):
    marker = tmp_path / "pwned"
    line = yaml_line.format(marker=marker)
    edit(prev.root, {VICTIM: f"---\ntitle: T\n{line}\n---\nBody.\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 1
    assert re.fullmatch(
        r"content/A/02_second\.md:3:\d+: error\[yaml\]: invalid YAML: .+", run.at_level("error")[0]
    )
    edit(prev.root, {VICTIM: "# ok\n", "course.yml": f"title: T\n{line}\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 2
    assert re.fullmatch(r"course\.yml:2:\d+: error\[config\]: invalid YAML: .+", run.lines[0])
    assert not marker.exists()


@pytest.mark.parametrize(
    "where, text, expected",
    [
        (VICTIM, "---\ntitle: yes\n---\nBody.\n", "title: 'yes'"),
        (VICTIM, "---\ntitle: Second\nsummary: off\n---\nBody.\n", "summary: 'off'"),
        ("course.yml", "title: T\nlanguage: no\n", "language: 'no'"),
    ],
    ids=["title-yes", "summary-off", "language-no"],
)
def test_a_yaml_11_boolean_in_a_text_field_quotes_the_fix(where, text, expected, prev, capsys):
    edit(prev.root, {where: text})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    error = run.at_level("error")[0]
    fix = error.split(" — ", 1)[1]
    key, value = expected.split(": ")
    assert expected in fix or f'{key}: "{value.strip(chr(39))}"' in fix, error


def test_duration_is_free_text_so_a_number_is_kept_as_written(prev, capsys):
    # `duration` is shown as written ("45 min", "2 h", "-5" if the author insists): not a schema error
    edit(prev.root, {VICTIM: "---\ntitle: Second\nduration: -5\n---\nBody.\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    assert "-5" in (prev.out / "A/02_second.html").read_text(encoding="utf-8")


def test_duplicate_keys_fail_under_strict_naming_both_lines(prev, capsys):
    edit(
        prev.root,
        {
            "course.yml": "title: Reliable course\nlanguage: en\ntitle: Again\n",
            VICTIM: "---\ntags: [a]\ntags: [b]\n---\nBody.\n",
        },
    )
    run = cli(capsys, "build", prev.root, "-o", prev.out, "--strict")
    assert run.code == 1
    assert_messages(
        run,
        [
            r"content/A/02_second\.md:3: warning\[yaml\]: key 'tags' is given twice \(lines 2 and 3\); the last one wins — delete one of them",
            r"course\.yml:3: warning\[config\]: key 'title' is given twice \(lines 1 and 3\); the last one wins — delete one of them",
        ],
    )
    assert prev.intact()


# ----------------------------------------------------------------------------------------------
# C06 — encodings: BOM and CRLF build exactly like UTF-8 LF; a body-less lesson warns

LESSON_LF = "---\ntitle: Second\ntags: [a, b]\n---\n## Part two\n\nText of the second lesson, café.\n\n```python\nprint(1)\n```\n"


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda s: b"\xef\xbb\xbf" + s.encode(), id="bom"),
        pytest.param(lambda s: s.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda s: b"\xef\xbb\xbf" + s.replace("\n", "\r\n").encode(), id="bom-crlf"),
        pytest.param(lambda s: s.replace("\n", "\r").encode(), id="cr"),
    ],
)
def test_bom_and_crlf_build_byte_identical_sites(variant, tmp_path, capsys):
    plain = write_tree(
        tmp_path / "plain" / "course", {**GOOD, VICTIM: LESSON_LF, "course.yml": GOOD["course.yml"]}
    )
    odd = write_tree(
        tmp_path / "odd" / "course",
        {**GOOD, VICTIM: variant(LESSON_LF), "course.yml": variant(GOOD["course.yml"])},
    )
    assert cli(capsys, "build", plain, "-o", tmp_path / "site1").code == 0
    run = cli(capsys, "build", odd, "-o", tmp_path / "site2")
    assert run.code == 0 and run.diagnostics == [], run.err
    assert snapshot(tmp_path / "site1") == snapshot(tmp_path / "site2")


def test_a_lesson_with_front_matter_only_builds(prev, capsys):
    # a stub lesson (its card on the module page is what matters for now) is not an error
    edit(prev.root, {VICTIM: "---\ntitle: Second\n---\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    assert (prev.out / "A/02_second.html").is_file()


# ----------------------------------------------------------------------------------------------
# C07 — pathological Markdown: a page or a clear error, never a traceback (no timing asserted)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(">" * 20000 + " deep\n", id="nested-quotes"),
        pytest.param("*" * 20000 + "\n", id="stars"),
        pytest.param("[" * 2000 + "x" + "](y)" * 2000 + "\n", id="nested-links"),
        pytest.param("_" * 5000 + "a" + "_" * 5000 + "\n", id="underscores"),
        pytest.param("`" * 3000 + "\n", id="backticks"),
    ],
)
def test_pathological_markdown_gives_a_page_or_an_error(body, prev, capsys):
    edit(prev.root, {VICTIM: body})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code in (0, 1)
    assert_clean_report(run, prev.root)
    assert (prev.out / "A/02_second.html").is_file()
    if run.code == 1:
        assert run.at_level("error") == [
            "content/A/02_second.md: error[markdown]: too deeply nested (quotes or lists inside each other hundreds of times) — flatten the structure"
        ]


# ----------------------------------------------------------------------------------------------
# C08 — raw HTML and javascript: links; markdown.sanitize

ACTIVE_BODY = "---\ntitle: Second\n---\nText <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[click](javascript:alert(3))\n\n<a href=\"javascript:alert(4)\">raw</a>\n\n<a href='JaVaScRiPt:alert(5)'>mixed</a>\n"


def test_raw_html_passes_by_default_and_javascript_links_warn(prev, capsys):
    edit(prev.root, {VICTIM: ACTIVE_BODY})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    assert_messages(
        run,
        [
            r"content/A/02_second\.md:8: warning\[links\]: link 'javascript:alert\(3\)' runs code in the reader's browser — .+",
            r"content/A/02_second\.md:10: warning\[links\]: link 'javascript:alert\(4\)' runs code in the reader's browser — .+",
            r"content/A/02_second\.md:12: warning\[links\]: link 'JaVaScRiPt:alert\(5\)' runs code in the reader's browser — .+",
        ],
    )
    page = (prev.out / "A/02_second.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" in page  # author content, documented
    assert "onerror=alert(2)" in page


def test_markdown_sanitize_strips_active_content(prev, capsys):
    edit(
        prev.root,
        {
            VICTIM: ACTIVE_BODY,
            "course.yml": "title: Reliable course\nlanguage: en\nmarkdown:\n  sanitize: true\n",
        },
    )
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    assert_clean_report(run, prev.root)
    page = (prev.out / "A/02_second.html").read_text(encoding="utf-8")
    article = re.search(r'<article class="prose">(.*?)</article>', page, re.S).group(1)
    assert "Text" in article and ">click</a>" in article and ">raw</a>" in article
    for active in ("alert(1)", "onerror", "javascript:", "JaVaScRiPt:", "<script>alert"):
        assert active.lower() not in article.lower(), active


# ----------------------------------------------------------------------------------------------
# C09 — broken links are left as written; --strict fails on them


def test_broken_links_are_left_as_written(prev, capsys):
    edit(prev.root, {VICTIM: "---\ntitle: Second\n---\n[next](03_missing.md) and [part](01_first.md#nope)\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    page = (prev.out / "A/02_second.html").read_text(encoding="utf-8")
    assert '<a href="03_missing.md">next</a>' in page
    assert '<a href="01_first.html#nope">part</a>' in page  # the page exists: its link is rewritten


# ----------------------------------------------------------------------------------------------
# C10 — one URL per source, NFC/NFD, deterministic order


def test_nfc_and_nfd_names_never_make_two_pages(prev, capsys):
    nfc, nfd = "content/A/\u00dcbersicht.md", "content/A/U\u0308bersicht.md"
    edit(prev.root, {nfc: "# NFC\n", nfd: "# NFD\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 1
    [error] = run.at_level("error")
    assert "would both be published as 'A/\u00dcbersicht.html'" in error
    pages = [rel for rel in snapshot(prev.out) if "bersicht" in rel]
    assert pages == ["A/\u00dcbersicht.html"]


def test_two_builds_of_one_input_are_byte_identical_even_with_ties(prev, tmp_path, capsys):
    edit(
        prev.root,
        {
            "content/A/02_second.md": "---\norder: 1\n---\n# B\n",
            "content/A/01_first.md": "---\norder: 1\n---\n# A\n\n## Part one\n",
            "content/A/03_third.md": "---\norder: 1\n---\n# C\n",
        },
    )
    one = cli(capsys, "build", prev.root, "-o", tmp_path / "one", "--clean")
    two = cli(capsys, "build", prev.root, "-o", tmp_path / "two", "--clean")
    assert one.code == two.code == 0
    assert one.diagnostics == two.diagnostics and len(one.diagnostics) == 2
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    module = (tmp_path / "one/A/index.html").read_text(encoding="utf-8")
    assert (
        module.index("01_first.html") < module.index("02_second.html") < module.index("03_third.html")
    )  # ties: by name


# ----------------------------------------------------------------------------------------------
# C11 / K04 — front-matter paths never reach outside the course


def test_nothing_outside_the_course_is_read_for_front_matter_paths(prev, tmp_path, capsys, monkeypatch):
    write_tree(
        tmp_path,
        {"secret.ipynb": notebook_json("# SECRET-NOTEBOOK-TEXT"), "secret.html": "SECRET-TEMPLATE-TEXT"},
    )
    edit(
        prev.root,
        {
            "content/A/02_second.md": "---\nnotebook: ../../../secret.ipynb\ntemplate: ../../secret.html\n---\nBody.\n",
            "content/A/03.md": f"---\nnotebook: {tmp_path}/secret.ipynb\ntemplate: {tmp_path}/secret.html\n---\nBody.\n",
            "content/A/04.md": "---\nnotebook: /etc/passwd\n---\nBody.\n",
        },
    )
    opened: list[str] = []
    real_open = open

    def spy_open(file, *args, **kwargs):
        opened.append(os.path.realpath(file) if isinstance(file, (str, bytes, os.PathLike)) else str(file))
        return real_open(file, *args, **kwargs)

    import builtins
    import io

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    monkeypatch.undo()
    assert run.code == 1
    assert len(run.at_level("error")) == 5
    secrets = {str((tmp_path / name).resolve()) for name in ("secret.ipynb", "secret.html")} | {"/etc/passwd"}
    assert not secrets & set(opened)
    assert_nowhere(prev.out, "SECRET-NOTEBOOK-TEXT", "SECRET-TEMPLATE-TEXT", "root:x:0:0")
    outside = {p for p in tmp_path.iterdir()} - {
        prev.root,
        prev.out,
        tmp_path / "secret.ipynb",
        tmp_path / "secret.html",
    }
    assert all(p.name.startswith(".site.coursegen-lock") for p in outside), outside  # nothing written beside


# ----------------------------------------------------------------------------------------------
# K02 / K03 — templates


def test_template_syntax_error_names_the_template_line_and_keeps_the_site(prev, capsys):
    edit(prev.root, {"templates/partials/extra.html": "<p>\n{% if page.title %}\n{{ page.title }}\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 1
    assert_messages(
        run,
        [
            r"templates/partials/extra\.html:3: error\[template\]: template syntax error: Unexpected end of template\..+ — fix the template"
        ],
    )
    assert (
        run.lines[-1]
        == "Nothing written (errors were found): 1 error, 0 warnings; the previous site is unchanged"
    )
    assert prev.intact()


def test_undefined_template_variable_fails_under_strict_and_keeps_the_site(prev, capsys):
    edit(
        prev.root,
        {
            "templates/section.html": '{% extends "theme/section.html" %}\n{% block title %}{% for x in page.nothing %}{{ x }}{% endfor %}{% endblock %}\n'
        },
    )
    run = cli(capsys, "build", prev.root, "-o", prev.out, "--strict")
    assert run.code == 1
    assert run.diagnostics and all(
        re.fullmatch(
            r"content/(A|B)/index\.md: warning\[template\]: template section\.html line 2: .*'nothing'.* — .+|(A|B)/index\.html: warning\[template\]: template section\.html line 2: .*",
            line,
        )
        for line in run.diagnostics
    ), run.err
    assert prev.intact()


def test_template_exception_keeps_the_good_pages_and_publishes_an_error_page_not_an_empty_file(prev, capsys):
    edit(
        prev.root,
        {
            "templates/lesson.html": '{% extends "theme/lesson.html" %}\n{% block title %}\n{{ 1 / 0 }}\n{% endblock %}\n',
            "content/A/03_new.md": "# New\n\nA lesson that was never built.\n",
        },
    )
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 1
    for lesson in ("A/01_first.html", "A/02_second.html", "B/01_other.html"):  # their last good version
        assert (prev.out / lesson).read_bytes() == prev.site[lesson], lesson
    assert run.lines[-1] == "3 pages kept from the previous build (their sources have errors)"
    page = (prev.out / "A/03_new.html").read_text(encoding="utf-8")  # none: a page that says why
    assert "<html" in page and "division by zero" in page and "This page could not be rendered" in page


# ----------------------------------------------------------------------------------------------
# F01 / F02 — where the site may be written


@pytest.mark.parametrize("out", ["content/site", "content", "notebooks/site", "static", ".", ".."])
def test_unsafe_output_folders_exit_2_and_touch_nothing(out, prev, capsys, monkeypatch):
    before = snapshot(prev.root.parent)
    monkeypatch.chdir(prev.root)
    run = cli(capsys, "build", "-o", out)
    assert run.code == 2
    [line] = run.lines
    assert re.fullmatch(r"course: error\[build\]: the output folder .+ — .+", line)
    assert_clean_report(run)
    assert snapshot(prev.root.parent) == before


def test_someone_elses_folder_is_refused_and_left_untouched(prev, tmp_path, capsys):
    documents = write_tree(
        tmp_path / "Documents", {"thesis.tex": "precious", ".hidden": "mine", "sub/x.txt": "x"}
    )
    before = snapshot(documents)
    run = cli(capsys, "build", prev.root, "-o", documents)
    assert run.code == 2
    assert run.lines == [
        f"course: error[build]: the output folder {documents.resolve()} is not empty and was not made by coursegen — coursegen never overwrites a folder it did not create: empty it or choose another one with -o"
    ]
    assert snapshot(documents) == before
    assert staging_leftovers(tmp_path) == []


def test_the_authors_git_and_cname_survive_a_rebuild(prev, capsys):
    write_tree(
        prev.out,
        {
            ".git/HEAD": "ref: refs/heads/gh-pages\n",
            ".git/objects/ab/cd": b"\x00\x01",
            "CNAME": "course.example.org\n",
            ".nojekyll": "",
        },
    )
    edit(prev.root, {VICTIM: "# Changed\n"})
    assert cli(capsys, "build", prev.root, "-o", prev.out).code == 0
    after = snapshot(prev.out)
    assert after[".git/HEAD"] == b"ref: refs/heads/gh-pages\n"
    assert after[".git/objects/ab/cd"] == b"\x00\x01"
    assert after["CNAME"] == b"course.example.org\n"
    assert ".nojekyll" in after
    assert "Changed" in after["A/02_second.html"].decode()


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="running as root: chmod does not stop root from writing, so an unwritable folder can't be made",
)
def test_unwritable_output_parent_exits_2(prev, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        run = cli(capsys, "build", prev.root, "-o", locked / "site")
        assert run.code == 2
        assert run.lines == [
            f"course: error[build]: cannot write to {locked.resolve()} — choose an output folder you can write to with -o"
        ]
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_unreadable_lesson_is_an_error_naming_it_and_the_rest_builds(prev, capsys, monkeypatch):
    """F05 without root: reading the lesson fails as chmod 000 would make it fail."""
    victim = (prev.root / VICTIM).resolve()
    real = Path.read_bytes

    def read_bytes(self):
        if Path(self).resolve() == victim:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 1
    assert_messages(
        run,
        [
            r"content/A/02_second\.md: error\[files\]: cannot read the file \(Permission denied\) — check that it exists and is readable"
        ],
    )
    assert_clean_report(run, prev.root)
    assert (prev.out / "A/01_first.html").is_file() and (prev.out / "A/02_second.html").is_file()


# ----------------------------------------------------------------------------------------------
# F03 / F04 — interruption and faults: the previous site, byte for byte, and no staging folder


def _touch_every_page(root: Path) -> None:
    """A change every page depends on (the course title): nothing can be hard-linked from the old site."""
    edit(root, {"course.yml": "title: Renamed course\nlanguage: en\n"})


@pytest.mark.parametrize("after", [0, 3, 7])  # 8 pages are written (the other files are linked)
def test_interrupt_while_writing_exits_130_and_keeps_the_site(after, prev, capsys, monkeypatch):
    _touch_every_page(prev.root)
    real = output.write_file
    count = {"n": 0}

    def write_file(target, item, rel):
        count["n"] += 1
        if count["n"] > after:
            raise KeyboardInterrupt
        real(target, item, rel)

    monkeypatch.setattr(output, "write_file", write_file)
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert count["n"] == after + 1  # the interrupt did land while writing
    assert run.code == 130
    assert run.lines == ["interrupted; the previous site was left as it was"]
    assert prev.intact()


def test_interrupt_during_the_swap_keeps_the_site(prev, capsys, monkeypatch):
    """Where the two folders can't trade names in one step (see test_site_swap for that), the old
    site is renamed aside, then the new one into place: a failure between the two puts it back."""
    from coursegen import siteswap

    monkeypatch.setattr(siteswap, "exchange", lambda first, second: False)
    _touch_every_page(prev.root)
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst, *args, **kwargs):
        if any(".coursegen-" + kind in str(path) for kind in ("new-", "old-") for path in (src, dst)):
            calls["n"] += 1
            if calls["n"] == 2:  # the old site moved aside, the new one not yet in place
                raise KeyboardInterrupt
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(output.os, "replace", replace)
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    monkeypatch.undo()
    assert run.code == 130
    assert prev.intact()


def test_disk_full_while_copying_a_file_exits_1_and_keeps_the_site(prev, capsys, monkeypatch):
    edit(prev.root, {"content/A/pic.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="2"/>\n'})

    def copyfile(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.shutil, "copyfile", copyfile)
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    monkeypatch.undo()
    assert run.code == 1
    assert re.fullmatch(
        r"course: error\[build\]: disk full while writing \S+ — free some space; the previous site was left as it was",
        run.lines[-1],
    ), run.err
    assert "Traceback" not in run.err
    assert prev.intact()


def _big_course(root: Path, lessons: int) -> None:
    files = {"course.yml": "title: Big\n", "content/index.md": "# Big\n"}
    for n in range(lessons):
        files[f"content/M{n // 50}/{n:04d}.md"] = (
            f"---\ntitle: Lesson {n}\n---\n## Part\n\nText {n} with **bold** and `code` and [home](../index.md).\n\n```python\nprint({n})\n```\n"
        )
    write_tree(root, files)


def test_sigterm_during_a_real_build_exits_143_and_keeps_the_site(tmp_path):
    """A real `python -m coursegen build`, terminated once it is rendering (it says so with -v)."""
    for lessons in (300, 1000, 3000):
        root, out = tmp_path / f"big{lessons}", tmp_path / f"site{lessons}"
        _big_course(root, lessons)
        command = [sys.executable, "-m", "coursegen", "build", str(root), "-o", str(out), "-j", "1"]
        subprocess.run(command + ["-q"], check=True, timeout=600, cwd=tmp_path)
        before = snapshot(out)
        edit(root, {"course.yml": "title: Big, renamed\n"})  # every page must be rendered again
        process = subprocess.Popen(
            command + ["-v", "--clean"],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            cwd=tmp_path,
        )
        first = process.stderr.readline()  # -v names each file as it is rendered: the build is under way
        while first and not first.startswith("  content/"):
            first = process.stderr.readline()
        process.send_signal(signal.SIGTERM)
        rest = process.stderr.read()
        code = process.wait(timeout=600)
        if code == 0:  # finished before the signal landed: try a bigger course
            continue
        assert first.startswith("  content/"), first
        assert code == 143, rest  # 128 + SIGTERM, as a shell reports it
        assert "interrupted; the previous site was left as it was" in rest
        assert "Traceback" not in rest
        assert snapshot(out) == before
        assert staging_leftovers(tmp_path) == []
        return
    pytest.fail("even 3000 lessons were built before SIGTERM landed")


# ----------------------------------------------------------------------------------------------
# F06 / F07 — symbolic links


def test_symlinks_leading_outside_are_skipped_with_a_warning(prev, tmp_path, capsys):
    secret = write_tree(
        tmp_path / "outside",
        {"secret.md": "# OUTSIDE-SECRET\n", "keys/id_rsa": "OUTSIDE-SECRET", "style.css": "OUTSIDE-SECRET"},
    )
    os.symlink(secret / "secret.md", prev.root / "content/A/leak.md")
    os.symlink(secret / "keys", prev.root / "content/A/keys")
    os.symlink(secret / "style.css", prev.root / "static/leak.css")
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    assert_messages(
        run,
        [
            r"content/A/keys: warning\[files\]: symbolic link leads outside the course, skipped — copy the file into the course instead",
            r"content/A/leak\.md: warning\[files\]: symbolic link leads outside the course, skipped — copy the file into the course instead",
            r"static/leak\.css: warning\[files\]: symbolic link leads outside static/, skipped — copy the file into static/ instead",
        ],
    )
    assert_nowhere(prev.out, "OUTSIDE-SECRET")
    assert not any("leak" in rel or "keys" in rel for rel in snapshot(prev.out))


def test_symlinked_static_folder_leading_outside_warns(prev, tmp_path, capsys):
    secret = write_tree(tmp_path / "outside", {"id_rsa": "OUTSIDE-SECRET"})
    os.symlink(secret, prev.root / "static/home")
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert_nowhere(prev.out, "OUTSIDE-SECRET")
    assert any(line.startswith("static/home: warning[files]: ") for line in run.diagnostics), run.err


def test_dangling_link_warns_and_a_folder_loop_makes_no_duplicate_pages(prev, capsys):
    os.symlink(prev.root / "content/A/gone.md", prev.root / "content/A/dangling.md")
    os.symlink(prev.root / "content", prev.root / "content/A/loop")
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    assert_clean_report(run, prev.root)
    assert (
        "content/A/dangling.md: warning[files]: broken symbolic link, skipped — remove it or point it at an existing file"
        in run.diagnostics
    )
    pages = sorted(rel for rel in snapshot(prev.out) if rel.endswith(".html"))
    assert pages == sorted(rel for rel in prev.site if rel.endswith(".html"))  # each real folder once


def test_symlink_folder_loop_warns(prev, capsys):
    os.symlink(prev.root / "content", prev.root / "content/A/loop")
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert any(line.startswith("content/A/loop: warning[files]: ") for line in run.diagnostics), run.err


def test_symlink_file_loop_warns_without_a_traceback(prev, capsys):
    os.symlink("b.md", prev.root / "content/A/a.md")
    os.symlink("a.md", prev.root / "content/A/b.md")
    os.symlink("self.md", prev.root / "content/A/self.md")
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert_clean_report(run, prev.root)
    assert run.code == 0
    assert {line.split(":")[0] for line in run.at_level("warning")} >= {
        "content/A/a.md",
        "content/A/b.md",
        "content/A/self.md",
    }


# ----------------------------------------------------------------------------------------------
# F08 — awkward names


AWKWARD = {
    "content/A/U\u0308bersicht.md": "# Übersicht\n",  # NFD, as macOS writes it
    "content/A/♪.md": "# Note\n",
    "content/A/with space.md": "# Space\n",
    "content/A/p%c.md": "# Percent\n",
    "content/A/q?.md": "# Question\n",
    "content/A/CON.md": "# Con\n",
}
AWKWARD_LINKS = "[u](\u00dcbersicht.md) [n](♪.md) [s](with%20space.md) [s2](<with space.md>) [p](p%25c.md) [q](q%3F.md) [c](CON.md)\n"


def _hrefs_resolve(out: Path) -> list[str]:
    """Every relative href/src of every page, and whether it names a file of the site."""
    from urllib.parse import unquote, urlsplit

    broken = []
    for rel, text in published(out).items():
        if not rel.endswith(".html"):
            continue
        for href in re.findall(r'(?:href|src)="([^"]*)"', text):
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("#", "//", "/")) or not parts.path:
                continue
            target = (out / rel).parent / unquote(parts.path)
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{rel}: {href}")
    return broken


def test_awkward_names_get_encoded_urls_that_resolve(prev, capsys):
    edit(prev.root, {**AWKWARD, "content/A/index.md": "---\ntitle: Module A\n---\n" + AWKWARD_LINKS})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    assert_messages(
        run,
        [
            r"content/A/CON\.md: warning\[files\]: the name 'CON\.md' can't be used on Windows — .+",
            r"content/A/q\?\.md: warning\[files\]: the name 'q\?\.md' can't be used on Windows — .+",
        ],
    )
    assert _hrefs_resolve(prev.out) == []
    module = (prev.out / "A/index.html").read_text(encoding="utf-8")
    for href in ("%C3%9Cbersicht.html", "%E2%99%AA.html", "with%20space.html", "p%25c.html", "q%3F.html"):
        assert f'href="{href}"' in module, href


def test_a_hash_in_a_file_name_is_percent_encoded(prev, capsys):
    edit(
        prev.root,
        {"content/A/a#b.md": "# Hash\n", "content/A/index.md": "---\ntitle: Module A\n---\n[h](a%23b.md)\n"},
    )
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0
    assert (prev.out / "A/a#b.html").is_file()
    assert _hrefs_resolve(prev.out) == []
    assert 'href="a%23b.html"' in (prev.out / "A/index.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# F09 — hidden, junk, checkpoint and backup files are never published


JUNK = [
    ".ipynb_checkpoints/x-checkpoint.ipynb",
    ".DS_Store",
    ".git/config",
    "__pycache__/m.cpython-311.pyc",
    "x.md~",
    ".x.swp",
    ".env",
    "x.md.bak",
    "_private.md",
    "Thumbs.db",
]


def test_hidden_and_junk_files_are_never_published(prev, capsys):
    files = {}
    for folder in ("content/A", "notebooks/A", "static"):
        for junk in JUNK:
            files[f"{folder}/{junk}"] = (
                "JUNK-SECRET" if not junk.endswith(".ipynb") else notebook_json("# JUNK-SECRET")
            )
    edit(prev.root, files)
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 0 and run.diagnostics == [], run.err
    assert_nowhere(prev.out, "JUNK-SECRET")
    names = {Path(rel).name for rel in snapshot(prev.out)} - {".coursegen-site"}
    assert not {n for n in names if n.startswith((".", "_")) or n.endswith(("~", ".swp", ".bak", ".pyc"))}, (
        names
    )


# ----------------------------------------------------------------------------------------------
# F10 — another coursegen writing the same output (a real second process holds the lock)


def test_build_while_another_process_holds_the_lock_exits_2(prev, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib; from coursegen.output import OutputLock; l = OutputLock(pathlib.Path(sys.argv[1])).__enter__(); print('locked', flush=True); sys.stdin.read()",
            str(prev.out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        edit(prev.root, {VICTIM: "# Changed\n"})
        run = cli(capsys, "build", prev.root, "-o", prev.out)
        assert run.code == 2
        assert (
            run.lines[-1]
            == f"course: error[build]: another coursegen is writing {prev.out} — wait for it to finish, then build again"
        )
        assert prev.intact()
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert cli(capsys, "build", prev.root, "-o", prev.out).code == 0  # released with its process


# ----------------------------------------------------------------------------------------------
# §7.6 learner side — X01 front-matter values escaped everywhere, X02 URL values, X03 scripts, X04 attributes

PAYLOADS = {
    "script": "<script>alert({n})</script>",
    "img": '"><img src=x onerror=alert({n})>',
}
RAW = ("<script>alert(", "<img src=x", '" onmouseover="')


def _escaped(payload: str) -> str:
    import markupsafe

    return str(markupsafe.escape(payload))


def _xss_course(kind: str) -> tuple[dict[str, str], dict[str, int]]:
    """A course where every text value carries a numbered payload: field → number."""
    import yaml

    numbers: dict[str, int] = {}

    def p(field: str) -> str:
        numbers[field] = len(numbers) + 100
        return yaml.safe_dump(PAYLOADS[kind].format(n=numbers[field]), default_style='"', width=1000).strip()

    def lesson(prefix: str) -> str:
        return (
            f"---\ntitle: {p(prefix + 'title')}\ndescription: {p(prefix + 'description')}\nsummary: {p(prefix + 'summary')}\n"
            f"tags: [{p(prefix + 'tag')}, 'x\" onmouseover=\"alert(1)']\ntopics: [{p(prefix + 'topic')}]\nlevel: {p(prefix + 'level')}\n"
            f"duration: {p(prefix + 'duration')}\nicon: {p(prefix + 'icon')}\ncategory: {p(prefix + 'category')}\nnotebook: demo.ipynb\n---\n"
            f"## Heading {PAYLOADS[kind].format(n=0).replace('<', '&lt;')}\n\nBody.\n"
        )

    def section(prefix: str) -> str:
        return (
            f"---\ntitle: {p(prefix + 'title')}\ndescription: {p(prefix + 'description')}\ntagline: {p(prefix + 'tagline')}\n"
            f"icon: {p(prefix + 'icon')}\ntags: [{p(prefix + 'tag')}]\n"
            f"timeline:\n  - {{year: {p(prefix + 'year')}, title: {p(prefix + 'tl_title')}, text: {p(prefix + 'tl_text')}, icon: {p(prefix + 'tl_icon')}}}\n"
            f"stats:\n  - {{value: {p(prefix + 'st_value')}, label: {p(prefix + 'st_label')}, icon: {p(prefix + 'st_icon')}}}\n---\nSection.\n"
        )

    files = {
        "course.yml": f"title: {p('course_title')}\ndescription: {p('course_description')}\nauthor: {p('course_author')}\nbase_url: https://example.org/c/\n",
        "content/index.md": section("home_"),
        "content/A/index.md": section("A_"),
        "content/A/01.md": lesson("l1_"),
        "content/A/02.md": lesson("l2_"),
        "content/B/01.md": "# Plain\n\nText.\n",
    }
    numbers["nb_title"] = len(numbers) + 100
    metadata = {
        "title": PAYLOADS[kind].format(n=numbers["nb_title"]),
        "kernelspec": {"name": "python3", "display_name": "P", "language": "python"},
    }
    files["content/A/demo.ipynb"] = notebook_json("# Demo", metadata=metadata)
    return files, numbers


# where each value must show up, escaped (proving it reached the page, and was escaped there)
EXPECTED_PLACES = {
    "A/01.html": [
        "l1_title",
        "l1_description",
        "l1_level",
        "l1_duration",
        "l1_tag",
        "l1_icon",
        "A_title",
        "course_title",
        "course_author",
        "l2_title",
    ],  # page, <title>, meta, breadcrumbs, header nav, next
    "A/02.html": ["l1_title", "l2_title"],  # prev
    "A/index.html": [
        "A_title",
        "A_tagline",
        "A_year",
        "A_tl_title",
        "A_tl_text",
        "A_st_value",
        "A_st_label",
        "l1_title",
        "l1_summary",
        "l1_topic",
        "l1_level",
        "l1_tag",
    ],  # cards
    "index.html": ["home_tagline", "A_title", "course_title", "course_description"],  # hero, cards, nav
    "B/01.html": ["course_description", "A_title"],  # meta description of a page without one; header nav
    "A/demo.html": ["nb_title"],
}


@pytest.mark.parametrize("kind", sorted(PAYLOADS))
def test_front_matter_values_are_escaped_everywhere(kind, tmp_path, capsys):
    files, numbers = _xss_course(kind)
    root = write_tree(tmp_path / "course", files)
    run = cli(capsys, "build", root, "-o", tmp_path / "site")
    assert run.code == 0, run.err
    site = published(tmp_path / "site")
    for rel, text in site.items():
        for raw in RAW:
            assert raw not in text, f"{raw!r} unescaped in {rel}"
        if rel.endswith(".js") or rel.endswith(".xml"):
            assert "</script" not in text.lower()
    for rel, fields in EXPECTED_PLACES.items():
        for field in fields:
            escaped = _escaped(PAYLOADS[kind].format(n=numbers[field]))
            assert escaped in site[rel], f"{field} ({escaped}) not shown in {rel}"
    lesson = site["A/01.html"]
    title = re.search(r"<title>(.*?)</title>", lesson, re.S).group(1)
    assert _escaped(PAYLOADS[kind].format(n=numbers["l1_title"])) in title
    description = re.search(r'<meta name="description" content="([^"]*)"', lesson).group(1)
    assert _escaped(PAYLOADS[kind].format(n=numbers["l1_description"])) in description
    assert "x&#34; onmouseover=&#34;alert(1)" in lesson  # X04: a tag used in an attribute-safe way


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "JAVASCRIPT:alert(1)",
        "//evil.example/",
    ],
)
def test_dangerous_base_url_is_refused(url, prev, capsys):
    edit(prev.root, {"course.yml": f"title: T\nbase_url: '{url}'\n"})
    run = cli(capsys, "build", prev.root, "-o", prev.out)
    assert run.code == 2
    assert re.fullmatch(
        r"course\.yml:2: error\[config\]: base_url '.+' is not an absolute http\(s\) URL — .+", run.lines[0]
    )
    assert prev.intact()


def test_values_inside_the_search_script_cannot_close_it(tmp_path, capsys):
    root = write_tree(
        tmp_path / "course",
        {
            "content/index.md": "# Home\n",
            "content/A/x.md": "---\ntitle: \"</script><script>alert(1)</script>\\u2028\\u2029 end\"\n---\nBody </script><script>alert(2)</script> \u2028 text.\n",
        },
    )
    assert cli(capsys, "build", root, "-o", tmp_path / "site").code == 0
    generated = {
        rel: text
        for rel, text in published(tmp_path / "site").items()
        if rel.endswith(".js") and not rel.startswith("static/")
    }
    assert generated, "no search index"
    for rel, text in generated.items():
        assert "<" not in text, rel  # so no value can close a <script> element
        assert "\u2028" not in text and "\u2029" not in text, rel
        assert "alert(1)" in text  # the values are there, escaped


def test_heading_text_in_the_table_of_contents_is_escaped(prev, capsys):
    edit(
        prev.root,
        {
            VICTIM: "---\ntitle: Second\n---\n## A `<script>alert(1)</script>` heading\n\n## B &lt;img src=x onerror=alert(2)&gt;\n\nText.\n"
        },
    )
    assert cli(capsys, "build", prev.root, "-o", prev.out).code == 0
    page = (prev.out / "A/02_second.html").read_text(encoding="utf-8")
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    assert "<script>" not in toc and "<img" not in toc
    assert "alert(1)" in toc and "alert(2)" in toc


# ----------------------------------------------------------------------------------------------
# mojibake (garbled UTF-8) in a real course: warnings with line and the repaired text

SEED = Path(__file__).parent / "fixtures/seed/module6-index.md"  # a copy of shared/seed: garbled on purpose


@pytest.fixture
def garbled(prev):
    if not SEED.is_file():
        pytest.skip(f"{SEED} is not available")
    shutil.copyfile(SEED, prev.root / "content/A/index.md")
    return prev


def test_garbled_text_warns_with_line_and_repaired_text(garbled, capsys):
    run = cli(capsys, "check", garbled.root)  # every finding (build shows the first few of each kind)
    assert run.code == 0
    assert_clean_report(run, garbled.root)
    warnings = [line for line in run.at_level("warning") if "garbled" in line]
    assert warnings[0] == (
        "content/A/index.md:2: warning[encoding]: garbled text (UTF-8 read as Windows-1252?), should probably read: "
        "title: Module 6 - Transformers et Mécanismes d'Attention — repair the file with `coursegen check --fix-encoding` (a .bak copy is kept)"
    )
    assert re.fullmatch(
        r"content/A/index\.md:\d+: warning\[encoding\]: \d+ more garbled lines from here on — .+",
        warnings[-1],
    )
    assert all(re.match(r"content/A/index\.md:\d+: ", line) for line in warnings)
