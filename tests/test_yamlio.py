"""yamlio.load_yaml_mapping: safe loading, with every position counted in the file."""

from __future__ import annotations

import pytest
from conftest import formatted

from coursegen.errors import Diagnostics
from coursegen.yamlio import MAX_DEPTH, YamlProblem, load_yaml_mapping


def problem_of(text: str, line_offset: int = 0) -> YamlProblem:
    with pytest.raises(YamlProblem) as caught:
        load_yaml_mapping(text, "content/A/x.md", line_offset=line_offset)
    return caught.value


@pytest.mark.parametrize(
    "text, offset, data, lines",
    [
        ("title: a\norder: 2\n", 0, {"title": "a", "order": 2}, {"title": 1, "order": 2}),
        ("title: a\norder: 2\n", 1, {"title": "a", "order": 2}, {"title": 2, "order": 3}),
        (
            "# comment\n\ntitle: a\n\ntags:\n  - x\n  - y\nicon: i\n",
            10,
            {"title": "a", "tags": ["x", "y"], "icon": "i"},
            {"title": 13, "tags": 15, "icon": 18},
        ),
        ("1: a\n2: b\n", 0, {"1": "a", "2": "b"}, {"1": 1, "2": 2}),  # keys are always text
        ("", 5, {}, {}),
        ("# only a comment\n", 5, {}, {}),
    ],
)
def test_key_lines_with_offset(text, offset, data, lines):
    assert load_yaml_mapping(text, "content/A/x.md", line_offset=offset) == (data, lines)


def test_duplicate_key_warns_naming_both_lines_and_the_last_wins():
    diagnostics = Diagnostics()
    data, lines = load_yaml_mapping(
        "title: first\norder: 1\ntitle: second\n", "content/A/x.md", line_offset=1, diagnostics=diagnostics
    )
    assert data == {"title": "second", "order": 1}
    assert lines == {"title": 4, "order": 3}
    assert formatted(diagnostics) == [
        "content/A/x.md:4: warning[yaml]: key 'title' is given twice (lines 2 and 4); the last one wins — delete one of them"
    ]


@pytest.mark.parametrize(
    "text, offset, message, hint, line, col",
    [
        (
            "title: This thing: crashes",
            0,
            "invalid YAML: mapping values are not allowed here",
            "a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\"",
            1,
            18,
        ),
        (
            "title: ok\ndescription: This thing: crashes",
            1,
            "invalid YAML: mapping values are not allowed here",
            "a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\"",
            3,
            24,
        ),
        (
            "title: ok\n\torder: 2",
            4,
            "invalid YAML: found character '\\t' that cannot start any token",
            "YAML does not allow tabs for indentation: use spaces",
            6,
            1,
        ),
        (
            "title: ok\ntags: [a, b\norder: 2",
            1,
            "invalid YAML: expected ',' or ']', but got ':'",
            "check the indentation and quote values with special characters",
            4,
            6,
        ),
        (
            "title: ok\ntags: [a, b",
            1,
            "invalid YAML: expected ',' or ']', but got '<stream end>'",
            "check the indentation and quote values with special characters",
            3,
            12,
        ),
        (
            "a: 1\n  b: 2",
            0,
            "invalid YAML: mapping values are not allowed here",
            "a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\"",
            2,
            4,
        ),
        (
            "title: \"unclosed",
            2,
            "invalid YAML: found unexpected end of stream",
            "check the indentation and quote values with special characters",
            3,
            17,
        ),
        (
            "? [a, b]\n: 1",
            0,
            "invalid YAML: found unhashable key",
            "check the indentation and quote values with special characters",
            1,
            3,
        ),
    ],
)
def test_syntax_error_line_and_column_are_counted_in_the_file(text, offset, message, hint, line, col):
    problem = problem_of(text, offset)
    assert (problem.message, problem.hint, problem.line, problem.col) == (message, hint, line, col)


@pytest.mark.parametrize(
    "text, offset, kind, line",
    [
        ("- a\n- b\n", 1, "a list", 2),
        ("\n\n- a\n", 1, "a list", 4),
        ("just text", 0, "a single value", 1),
        ("42", 3, "a single value", 4),
    ],
)
def test_a_list_or_value_instead_of_a_mapping(text, offset, kind, line):
    problem = problem_of(text, offset)
    assert (problem.message, problem.hint, problem.line, problem.col) == (
        f"expected `key: value` lines, found {kind}",
        "write one `key: value` per line",
        line,
        None,
    )


BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]" for prev, name in zip("abcdefgh", "bcdefghi")),
    ]
)


def test_alias_bomb_is_rejected_before_expanding():
    # 9**9 values if expanded: being answered at all shows the document was refused unexpanded
    problem = problem_of(BOMB, line_offset=1)
    assert problem.message == "YAML too large or too deeply nested (aliases expanding?)"
    assert problem.hint == "keep it under 20000 values and 40 levels"
    assert problem.line is not None and 2 <= problem.line <= 10


def test_small_aliases_are_fine():
    data, _ = load_yaml_mapping("base: &b {year: 2017, title: T}\ntimeline: [*b, *b]\n", "x.md")
    assert data["timeline"] == [{"year": 2017, "title": "T"}] * 2


def test_nesting_beyond_the_limit_is_rejected():
    depth = MAX_DEPTH + 5
    problem = problem_of("a: " + "[" * depth + "]" * depth)
    assert problem.message == "YAML too large or too deeply nested (aliases expanding?)"


def test_very_deep_nesting_is_a_yaml_problem_not_a_crash():
    problem = problem_of("a: " + "[" * 1000 + "]" * 1000, line_offset=1)
    assert (problem.message, problem.line) == ("YAML too deeply nested", 2)


def test_python_tags_are_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "pwned"
    problem = problem_of(f"title: x\nx: !!python/object/apply:os.system ['touch {marker}']\n", line_offset=1)
    assert (
        problem.message
        == "invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
    )
    assert (problem.line, problem.col) == (3, 4)
    assert not marker.exists()


@pytest.mark.parametrize(
    "text, value",
    [
        ("x: yes", True),  # YAML 1.1: the reason string fields say "put it in quotes"
        ("x: no", False),
        ("x: 'no'", "no"),
        ("x: 01", 1),
        ("x: 1.10", 1.1),
        ("x: null", None),
    ],
)
def test_yaml_11_typing_is_what_pyyaml_safe_loader_gives(text, value):
    data, _ = load_yaml_mapping(text, "x.md")
    assert data == {"x": value}
