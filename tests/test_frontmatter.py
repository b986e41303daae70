"""Reading a Markdown source: bytes → text (textio), front matter split and typed (frontmatter),
title and body (parse)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from conftest import formatted

from coursegen.errors import Diagnostics
from coursegen.frontmatter import (
    KNOWN_FIELDS,
    PageMeta,
    Stat,
    TimelineEntry,
    first_heading,
    parse_front_matter,
    split_front_matter,
)
from coursegen.model import PageKind, SourceFile, SourceKind, site_position
from coursegen.parse import parse_source
from coursegen.textio import decode_text

# ----------------------------------------------------------------------------------------------
# textio.decode_text


@pytest.mark.parametrize(
    "data, text",
    [
        (b"plain\n", "plain\n"),
        (b"\xef\xbb\xbf---\ntitle: x\n", "---\ntitle: x\n"),  # BOM dropped
        (b"a\r\nb\r\n", "a\nb\n"),  # CRLF
        (b"a\rb\r", "a\nb\n"),  # old Mac CR
        (b"\xef\xbb\xbfa\r\nb", "a\nb"),
        ("caf\u00e9 \U0001f680\n".encode(), "caf\u00e9 \U0001f680\n"),
    ],
)
def test_decode_text(data, text):
    diagnostics = Diagnostics()
    assert decode_text(data, "content/x.md", diagnostics) == text
    assert diagnostics.items == []


@pytest.mark.parametrize(
    "data, where, byte",
    [
        (b"ok\nabc caf\xe9\n", "2:8", "e9"),  # Latin-1 é on line 2, column 8
        (b"\xe9t\xe9\n", "1:1", "e9"),
        (b"line 1\r\nline 2\r\n\x93quoted\x94\r\n", "3:1", "93"),  # Windows-1252 quotes, CRLF file
        (b"\xef\xbb\xbfa\n\xffb", "2:1", "ff"),  # the column counts from the line start, BOM or not
    ],
)
def test_decode_text_reports_the_first_bad_byte(data, where, byte):
    diagnostics = Diagnostics()
    assert decode_text(data, "content/A/x.md", diagnostics) is None
    assert formatted(diagnostics) == [
        f"content/A/x.md:{where}: error[encoding]: not valid UTF-8 (byte 0x{byte}) — save the file as UTF-8 in your editor (it was probably saved as Latin-1/Windows-1252)"
    ]


# ----------------------------------------------------------------------------------------------
# split_front_matter


@pytest.mark.parametrize(
    "text, yaml_text, yaml_first_line, body, body_first_line",
    [
        ("# Title\n\nBody\n", None, 0, "# Title\n\nBody\n", 1),
        ("---\ntitle: x\n---\nbody\n", "title: x", 2, "body\n", 4),
        ("---\ntitle: x\norder: 2\n---\n\n# T\n", "title: x\norder: 2", 2, "\n# T\n", 5),
        ("---\ntitle: x\n...\nbody", "title: x", 2, "body", 4),  # YAML's own end marker
        ("---\n---\nbody", "", 2, "body", 3),  # empty front matter
        ("---   \ntitle: x\n---  \nbody", "title: x", 2, "body", 4),  # trailing spaces on the fences
        ("text\n---\nmore\n", None, 0, "text\n---\nmore\n", 1),  # a rule later on is not front matter
        ("", None, 0, "", 1),
    ],
)
def test_split_front_matter(text, yaml_text, yaml_first_line, body, body_first_line):
    split = split_front_matter(text)
    assert (split.yaml_text, split.yaml_first_line, split.body, split.body_first_line) == (
        yaml_text,
        yaml_first_line,
        body,
        body_first_line,
    )


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntitle: x\n---\nbody\n",
        b"\xef\xbb\xbf---\ntitle: x\n---\nbody\n",  # BOM: stripped by decode_text
        b"---\r\ntitle: x\r\n---\r\nbody\r\n",  # CRLF: normalised by decode_text
        b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\nbody\r\n",
    ],
)
def test_bom_and_crlf_split_like_plain_lf(data):
    split = split_front_matter(decode_text(data, "x.md", Diagnostics()))
    assert (split.yaml_text, split.yaml_first_line, split.body, split.body_first_line) == (
        "title: x",
        2,
        "body\n",
        4,
    )


@pytest.mark.parametrize("text", ["---\ntitle: x\nbody\n", "---\n", "---\ntitle: x\n----\nbody"])
def test_unclosed_front_matter_raises(text):
    with pytest.raises(ValueError, match="^the front matter opened on line 1 is never closed$"):
        split_front_matter(text)


# ----------------------------------------------------------------------------------------------
# first_heading


@pytest.mark.parametrize(
    "body, expected",
    [
        ("# Title\ntext", ("Title", 0, True)),
        ("\n\n# Title\n", ("Title", 2, True)),
        ("intro\n# Title\ntext", ("Title", 1, False)),
        ("```\n# a comment\n```\n# Title\n", ("Title", 3, False)),  # ignores code fences
        ("~~~python\n# comment\n~~~\n\n# Real\n", ("Real", 4, False)),
        ("   ```\n# in fence\n   ```\n", ("", None, False)),
        ("## Sub\n# Title", ("Title", 1, False)),
        ("# Title #\n", ("Title", 0, True)),  # closing hashes
        ("# Title {#custom .cls}\n", ("Title", 0, True)),  # attr list
        ("#NoSpace\n", ("", None, False)),
        ("no heading at all\n", ("", None, False)),
    ],
)
def test_first_heading(body, expected):
    assert first_heading(body) == expected


# ----------------------------------------------------------------------------------------------
# parse_front_matter: typing


def meta_of(yaml_text: str, first_line: int = 2) -> tuple[PageMeta, list[str]]:
    diagnostics = Diagnostics()
    meta = parse_front_matter(yaml_text, first_line, "content/A/x.md", diagnostics)
    return meta, formatted(diagnostics)


@pytest.mark.parametrize(
    "yaml_text, field, value",
    [
        ("title: Attention", "title", "Attention"),
        ("title: 'Module 6: Transformers'", "title", "Module 6: Transformers"),
        ("title: 2017", "title", "2017"),  # numbers are fine as text
        ("description: Un cours", "description", "Un cours"),
        ("category: Deep Learning", "category", "Deep Learning"),
        ("icon: 🤖", "icon", "🤖"),
        ("template: wide.html", "template", "wide.html"),
        ("tagline: L'architecture", "tagline", "L'architecture"),
        ("level: 🔥 Niveau Pro", "level", "🔥 Niveau Pro"),
        ("summary: Court", "summary", "Court"),
        ("duration: 45 min", "duration", "45 min"),
        ("notebook: module6/x.ipynb", "notebook", "module6/x.ipynb"),
        ("tags: [NLP, Attention]", "tags", ("NLP", "Attention")),
        ("tags: NLP", "tags", ("NLP",)),  # one tag without brackets
        ("tags:\n  - a\n  - 2", "tags", ("a", "2")),
        ("topics: [Q, K, V]", "topics", ("Q", "K", "V")),
        ("order: 2", "order", 2),
        ("order: 1.5", "order", 1.5),
        ("order: -1", "order", -1),
        ("draft: true", "draft", True),
        ("draft: false", "draft", False),
        ("title:", "title", ""),  # empty value: the default
        (
            "timeline:\n  - year: 2017\n    title: Transformer\n    text: Attention\n    icon: 🎯\n  - {year: 2018, title: BERT}",
            "timeline",
            (TimelineEntry("2017", "Transformer", "Attention", "🎯"), TimelineEntry("2018", "BERT")),
        ),
        (
            "stats: [{value: 4, label: leçons, icon: 📚}, {value: 3 h, label: durée}]",
            "stats",
            (Stat("4", "leçons", "📚"), Stat("3 h", "durée")),
        ),
    ],
)
def test_front_matter_fields(yaml_text, field, value):
    meta, messages = meta_of(yaml_text)
    assert messages == []
    assert getattr(meta, field) == value
    assert meta.extra == {}


def test_every_documented_field_is_known():
    assert {
        "title", "description", "tags", "category", "order", "icon", "draft", "template", "language",
        "flavor", "tagline", "timeline", "stats",
        "level", "summary", "topics", "duration", "notebook", "slides",
    } == KNOWN_FIELDS  # fmt: skip


def test_key_lines_are_lines_of_the_file():
    meta, _ = meta_of("title: x\n\ntags: [a]\norder: 3", first_line=2)
    assert meta.lines == {"title": 2, "tags": 4, "order": 5}


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        (
            "title: yes",
            "content/A/x.md:2: error[yaml]: front-matter key 'title' must be a text, but YAML reads 'yes' as true — put it in quotes: title: \"yes\"",
        ),
        (
            "summary: no",
            "content/A/x.md:2: error[yaml]: front-matter key 'summary' must be a text, but YAML reads 'no' as false — put it in quotes: summary: \"no\"",
        ),
        (
            "title: [a, b]",
            "content/A/x.md:2: error[yaml]: front-matter key 'title' must be a text, not a list — quote the value, e.g. title: \"…\"",
        ),
        (
            "icon: {a: 1}",
            "content/A/x.md:2: error[yaml]: front-matter key 'icon' must be a text, not a mapping — quote the value, e.g. icon: \"…\"",
        ),
        (
            "tags: {a: 1}",
            "content/A/x.md:2: error[yaml]: front-matter key 'tags' must be a list of short texts — write it as a list, e.g. tags: [NLP, Attention]",
        ),
        (
            "tags: [[a]]",
            "content/A/x.md:2: error[yaml]: front-matter key 'tags' must be a list of short texts — write it as a list, e.g. tags: [NLP, Attention]",
        ),
        (
            "topics: [true]",
            "content/A/x.md:2: error[yaml]: front-matter key 'topics' must be a list of short texts — write it as a list of short texts, one `- item` per line",
        ),
        (
            "order: first",
            "content/A/x.md:2: error[yaml]: front-matter key 'order' must be a number, not 'first' — write a number, e.g. order: 2",
        ),
        (
            "order: true",
            "content/A/x.md:2: error[yaml]: front-matter key 'order' must be a number, not True — write a number, e.g. order: 2",
        ),
        (
            "draft: 1",
            "content/A/x.md:2: error[yaml]: front-matter key 'draft' must be true or false, not 1 — write draft: true or draft: false",
        ),
        (
            "draft: 'yes'",
            "content/A/x.md:2: error[yaml]: front-matter key 'draft' must be true or false, not 'yes' — write draft: true or draft: false",
        ),
        (
            "timeline: {}",
            "content/A/x.md:2: error[yaml]: front-matter key 'timeline' must be a list of entries, one `- key: value` block each — e.g. timeline: [{year: 2017, title: Transformer, text: …}]",
        ),
        (
            "timeline: [{year: 2017}]",
            "content/A/x.md:2: error[yaml]: front-matter key 'timeline' has an entry without title — e.g. timeline: [{year: 2017, title: Transformer, text: …}]",
        ),
        (
            "stats: [1, 2]",
            "content/A/x.md:2: error[yaml]: front-matter key 'stats' must be a list of entries, one `- key: value` block each — e.g. stats: [{value: 4, label: leçons, icon: 📚}]",
        ),
        (
            "stats: [{value: 4, label: x, colour: red}]",
            "content/A/x.md:2: error[yaml]: front-matter key 'stats' has an entry with unknown key(s) colour; known keys: value, label, icon — e.g. stats: [{value: 4, label: leçons, icon: 📚}]",
        ),
    ],
)
def test_wrong_types_are_errors_at_the_key_line(yaml_text, message):
    meta, messages = meta_of(yaml_text)
    assert messages == [message]
    key = yaml_text.split(":")[0]
    assert getattr(meta, key) == getattr(PageMeta(), key)  # the bad value is dropped, the default stays


def test_wrong_type_error_points_at_its_own_line():
    meta, messages = meta_of("title: Fine\ndescription: ok\norder: deux\ntags: [a]", first_line=2)
    assert messages == [
        "content/A/x.md:4: error[yaml]: front-matter key 'order' must be a number, not 'deux' — write a number, e.g. order: 2"
    ]
    assert (meta.title, meta.tags, meta.order) == ("Fine", ("a",), None)


def test_near_miss_key_warns_with_did_you_mean_and_is_kept_in_extra():
    meta, messages = meta_of("title: T\ntitel: Oops\nsumary: S\nlevle: L")
    assert messages == [
        "content/A/x.md:3: warning[yaml]: unknown front-matter key 'titel' — did you mean 'title'?",
        "content/A/x.md:4: warning[yaml]: unknown front-matter key 'sumary' — did you mean 'summary'?",
        "content/A/x.md:5: warning[yaml]: unknown front-matter key 'levle' — did you mean 'level'?",
    ]
    assert meta.title == "T"
    assert meta.extra == {"titel": "Oops", "sumary": "S", "levle": "L"}


def test_unknown_keys_are_kept_in_extra_silently():
    meta, messages = meta_of("author_note: hello\nlinks: [{a: 1}]\nweight: 3")
    assert messages == []
    assert meta.extra == {"author_note": "hello", "links": [{"a": 1}], "weight": 3}


@pytest.mark.parametrize(
    "yaml_text, first_line, message",
    [
        (
            "title: Module 6: Transformers",
            2,
            "content/A/x.md:2:16: error[yaml]: invalid YAML: mapping values are not allowed here — a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\"",
        ),
        (
            "title: ok\ndescription: fine\ntags: a: b",
            2,
            "content/A/x.md:4:8: error[yaml]: invalid YAML: mapping values are not allowed here — a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\"",
        ),
        (
            "title: ok\n\tlevel: x",
            2,
            "content/A/x.md:3:1: error[yaml]: invalid YAML: found character '\\t' that cannot start any token — YAML does not allow tabs for indentation: use spaces",
        ),
        (
            "- a\n- b",
            2,
            "content/A/x.md:2: error[yaml]: expected `key: value` lines, found a list — write one `key: value` per line",
        ),
        (
            "just some words",
            2,
            "content/A/x.md:2: error[yaml]: expected `key: value` lines, found a single value — write one `key: value` per line",
        ),
    ],
)
def test_invalid_yaml_is_located_in_the_file(yaml_text, first_line, message):
    meta, messages = meta_of(yaml_text, first_line)
    assert messages == [message]
    assert meta == PageMeta()


@pytest.mark.parametrize("yaml_text", [None, "", "  \n"])
def test_no_or_empty_front_matter(yaml_text):
    assert meta_of(yaml_text) == (PageMeta(), [])


# ----------------------------------------------------------------------------------------------
# parse_source (Markdown): title, body, kind


def parse(tmp_path: Path, rel: str, data: str | bytes):
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    rel_posix = PurePosixPath(rel)
    source = SourceFile(path=path, rel=rel_posix, site_rel=site_position(rel_posix), kind=SourceKind.MARKDOWN)
    diagnostics = Diagnostics()
    return parse_source(source, diagnostics), formatted(diagnostics)


@pytest.mark.parametrize(
    "rel, text, title",
    [
        ("content/A/01_x.md", "---\ntitle: From front matter\n---\n# From heading\n", "From front matter"),
        ("content/A/01_x.md", "# From heading\n\ntext\n", "From heading"),
        ("content/A/01_x.md", "text\n\n# Later heading\n", "Later heading"),
        ("content/A/02_self-attention.md", "No heading here.\n", "Self attention"),
        ("content/03_my-module/index.md", "text\n", "My module"),  # a section: from its folder's name
        ("content/03_my-module/README.md", "text\n", "My module"),
    ],
)
def test_title_precedence(tmp_path, rel, text, title):
    page, messages = parse(tmp_path, rel, text)
    assert messages == []
    assert page.title == title


def test_leading_heading_is_dropped_from_the_body_keeping_line_numbers(tmp_path):
    page, _ = parse(tmp_path, "content/A/x.md", "---\ntitle: T\n---\n# Heading\n\nText on line 6\n")
    assert page.body_first_line == 4
    assert page.body.split("\n") == ["", "", "Text on line 6", ""]


def test_a_heading_after_content_stays_in_the_body(tmp_path):
    page, _ = parse(tmp_path, "content/A/x.md", "Intro.\n\n# Heading\n")
    assert page.title == "Heading"
    assert page.body == "Intro.\n\n# Heading\n"


@pytest.mark.parametrize(
    "rel, kind, url, folder",
    [
        ("content/index.md", PageKind.HOME, "index.html", ""),
        ("content/A/index.md", PageKind.SECTION, "A/index.html", "A"),
        ("content/A/B/README.md", PageKind.SECTION, "A/B/index.html", "A/B"),
        ("content/A/x.md", PageKind.LESSON, "A/x.html", "A"),
        ("content/x.md", PageKind.LESSON, "x.html", ""),
    ],
)
def test_page_kind_and_url(tmp_path, rel, kind, url, folder):
    page, _ = parse(tmp_path, rel, "# T\n")
    assert (page.kind, page.url, page.folder) == (kind, url, folder)


def test_bom_and_crlf_file_parses_like_lf(tmp_path):
    a, _ = parse(
        tmp_path, "content/A/a.md", b"\xef\xbb\xbf---\r\ntitle: T\r\norder: 2\r\n---\r\nBody line 5\r\n"
    )
    b, _ = parse(tmp_path, "content/A/b.md", b"---\ntitle: T\norder: 2\n---\nBody line 5\n")
    assert (a.meta, a.body, a.body_first_line) == (b.meta, b.body, b.body_first_line)
    assert a.meta.lines == {"title": 2, "order": 3}


def test_unclosed_front_matter_is_an_error_at_line_1(tmp_path):
    page, messages = parse(tmp_path, "content/A/x.md", "---\ntitle: T\n\n# Heading\n")
    assert (page.title, page.body, page.error) == (
        "X",
        "",
        "the front matter opened on line 1 is never closed",
    )
    assert messages == [
        "content/A/x.md:1: error[yaml]: the front matter opened on line 1 is never closed — add a line with --- after the front matter"
    ]


def test_non_utf8_file_is_an_error(tmp_path):
    page, messages = parse(tmp_path, "content/A/x.md", "---\ntitle: Café\n---\n".encode("latin-1"))
    assert (page.title, page.body, page.error) == ("X", "", "the file is not valid UTF-8")
    assert messages == [
        "content/A/x.md:2:11: error[encoding]: not valid UTF-8 (byte 0xe9) — save the file as UTF-8 in your editor (it was probably saved as Latin-1/Windows-1252)"
    ]


def test_empty_file_warns(tmp_path):
    page, messages = parse(tmp_path, "content/A/empty.md", "\n \n")
    assert page.title == "Empty"
    assert messages == [
        "content/A/empty.md: warning[markdown]: the file is empty — write some content or delete it"
    ]
