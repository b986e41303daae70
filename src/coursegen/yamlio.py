"""Safe YAML reading with positions: every problem comes back with the line in the *file*."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coursegen.errors import Diagnostics

if TYPE_CHECKING:
    import yaml

    from coursegen.cache import IndexCache

# Front matter and course.yml are small: anything beyond these is a mistake or an attack (alias bomb).
MAX_NODES = 20_000
MAX_DEPTH = 40


def _fast_loader():
    """libyaml's parser when PyYAML was built with it (10× faster on a thousand lessons); same safe
    constructor. PyYAML is imported here, on first use: a rebuild whose YAML all comes from the
    cache doesn't load it."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlProblem(Exception):
    message: str
    hint: str
    line: int | None
    col: int | None


def load_yaml_mapping(
    text: str,
    rel: str,
    line_offset: int = 0,
    diagnostics: Diagnostics | None = None,
    raw: dict[str, str] | None = None,
    cache: IndexCache | None = None,
) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse `text` as a YAML mapping with the safe loader.

    Returns the data and the file line of each top-level key (and of the keys of a top-level
    mapping, as `parent.key`). `line_offset` is the number of file
    lines before the YAML text (front matter starts after `---`). When `raw` is given, it receives
    the source text of each top-level plain scalar, so callers can tell `1.10` from `1.1`.
    Raises YamlProblem. With a `cache`, a text parsed before (in any file) is not parsed again.
    """
    key = hashlib.sha256(text.encode("utf-8")).hexdigest() if cache is not None else ""
    stored = cache.get(key) if cache is not None else None
    parsed = _restored(stored, line_offset) if stored is not None else None
    if parsed is None:
        parsed = _parse_explained(text, line_offset)
        if cache is not None:
            _remember(cache, key, parsed, line_offset)
    data, key_lines, scalars, duplicates = parsed
    for key_name, first, again in duplicates:
        if diagnostics is not None:
            diagnostics.warning(
                rel,
                f"key '{key_name}' is given twice (lines {first} and {again}); the last one wins",
                "delete one of them",
                line=again,
                kind="config" if rel == "course.yml" else "yaml",
            )
    if raw is not None:
        raw.update(scalars)
    return data, key_lines


def _restored(stored, line_offset: int):
    """A parse kept by `_remember`, its lines moved by `line_offset`; None for an entry of another
    shape (a damaged cache: the text is parsed again)."""
    try:
        data, lines, scalars, duplicates = stored
        if not isinstance(data, dict) or not isinstance(scalars, dict):
            return None
        key_lines = {k: v + line_offset for k, v in lines.items() if type(v) is int}
        duplicated = [
            (k, a + line_offset, b + line_offset)
            for k, a, b in duplicates
            if isinstance(k, str) and type(a) is int and type(b) is int
        ]
    except (ValueError, TypeError, AttributeError):
        return None
    if len(key_lines) != len(lines) or len(duplicated) != len(duplicates):
        return None
    return data, key_lines, scalars, duplicated


def _remember(cache: IndexCache, key: str, parsed, line_offset: int) -> None:
    """Keep a parse whose data survives JSON unchanged (not dates, not number keys)."""
    data, lines, scalars, duplicates = parsed
    try:
        if json.loads(json.dumps(data)) != data:
            return
    except (TypeError, ValueError):
        return
    cache.put(
        key,
        [
            data,
            {k: v - line_offset for k, v in lines.items()},
            scalars,
            [(k, a - line_offset, b - line_offset) for k, a, b in duplicates],
        ],
    )


def _parse_explained(text: str, line_offset: int):
    """Parse with libyaml; on any problem, again with the pure-Python parser, whose messages say more."""
    import yaml

    try:
        return _parse(_fast_loader(), text, line_offset)
    except (yaml.YAMLError, RecursionError):
        # libyaml's messages are terse: read it again with the pure-Python parser to explain it
        try:
            return _parse(yaml.SafeLoader, text, line_offset)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 + line_offset if mark else None
            col = mark.column + 1 if mark else None
            what = error.problem or error.context or "invalid YAML"
            raise YamlProblem(f"invalid YAML: {what}", _yaml_hint(what), line, col) from None
        except yaml.YAMLError as error:
            raise YamlProblem(f"invalid YAML: {error}", "check the syntax", None, None) from None
        except RecursionError:  # the parser recurses per nesting level: refuse absurd depth
            raise YamlProblem(
                "YAML too deeply nested", f"keep it under {MAX_DEPTH} levels", line_offset + 1, None
            ) from None


def _parse(loader_class, text: str, line_offset: int):
    """(data, key lines, raw scalars, duplicate keys) — raises PyYAML's errors or YamlProblem."""
    import yaml

    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, {}, []
        if not isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + 1 + line_offset
            raise YamlProblem(
                "expected `key: value` lines, found " + _node_kind(node),
                "write one `key: value` per line",
                line,
                None,
            )
        _check_size(node, line_offset)
        key_lines: dict[str, int] = {}
        scalars: dict[str, str] = {}
        duplicates = []
        nested_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1 + line_offset
            if key in key_lines:
                duplicates.append((key, key_lines[key], line))
            key_lines[key] = line
            if isinstance(value_node, yaml.ScalarNode) and not value_node.style:
                scalars[key] = value_node.value
            elif isinstance(value_node, yaml.MappingNode):  # `notebooks: {kernel: …}`: its keys' lines too
                for sub_key, _ in value_node.value:
                    if isinstance(sub_key, yaml.ScalarNode):
                        nested_lines[f"{key}.{sub_key.value}"] = sub_key.start_mark.line + 1 + line_offset
        key_lines = {**nested_lines, **key_lines}
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise YamlProblem(
            "expected `key: value` lines", "write one `key: value` per line", line_offset + 1, None
        )
    return {str(k): v for k, v in data.items()}, key_lines, scalars, duplicates


def _check_size(root: yaml.Node, line_offset: int) -> None:
    """Refuse alias bombs and absurd nesting before constructing anything."""
    import yaml

    count = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            line = node.start_mark.line + 1 + line_offset
            raise YamlProblem(
                "YAML too large or too deeply nested (aliases expanding?)",
                f"keep it under {MAX_NODES} values and {MAX_DEPTH} levels",
                line,
                None,
            )
        if isinstance(node, yaml.ScalarNode) and _has_surrogate(node.value):
            raise YamlProblem(
                "a \\u escape here is half of a character (a surrogate such as \\uD800): it can't be written as UTF-8",
                "write the character itself, or remove the escape",
                node.start_mark.line + 1 + line_offset,
                node.start_mark.column + 1,
            )
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)


def _has_surrogate(text: str) -> bool:
    """A lone surrogate (YAML "\\uD800"): Python keeps it, but no UTF-8 page can hold it."""
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _node_kind(node: yaml.Node) -> str:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "a single value"


def _yaml_hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return "a value containing ': ' must be quoted, e.g. title: \"Module 6: Transformers\""
    if "found character '\\t'" in what:
        return "YAML does not allow tabs for indentation: use spaces"
    if "could not find expected ':'" in what:
        return "each line needs `key: value`; quote values that contain ':' or '#'"
    return "check the indentation and quote values with special characters"
