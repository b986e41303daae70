"""`{include}` and `{literalinclude}`: another file's MyST text, or its code, in the page.

Paths are relative to the page's folder, or to the book's folder when they start with `/` (as
Sphinx reads them), and must stay inside the course. Each file read is a dependency of the page
(`PageScan.dependencies`, by content): editing it renders the page again. Lines are cut as Sphinx
cuts them — `{include}`'s `start-line`/`end-line` count from 0, `{literalinclude}`'s `lines` from 1.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from coursegen.myst import blocks

if TYPE_CHECKING:
    from coursegen.myst.blocks import Directive
    from coursegen.myst.convert import Conversion

MAX_DEPTH = 8  # files including files: deeper is a loop
INCLUDE_OPTIONS = {"start-line", "end-line", "start-after", "end-before", "literal", "code", "heading-offset"}
INCLUDE_OPTIONS |= {"relative-docs", "relative-images", "encoding", "tab-width", "parser"}
LITERAL_OPTIONS = {"language", "linenos", "lineno-start", "lineno-match", "emphasize-lines", "caption"}
LITERAL_OPTIONS |= {"dedent", "lines", "start-after", "end-before", "start-at", "end-at", "prepend", "append"}
LITERAL_OPTIONS |= {"encoding", "tab-width", "diff", "pyobject"}


class IncludeProblem(ValueError):
    """What is wrong with a directive's file or its options, and what to do."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def include(conversion: Conversion, directive: Directive) -> list[str]:
    """The included file's MyST text converted in place (or as code with `literal`/`code`)."""
    try:
        path, text = _read(conversion, directive)
        lines = text.split("\n")
        options = directive.options
        lines = lines[_int_option(options, "start-line", 0) : _int_option(options, "end-line", None)]
        cut = {key: options[key] for key in ("start-after", "end-before") if key in options}
        lines = [line for _, line in _cut_numbered(list(enumerate(lines)), cut, directive)]
    except IncludeProblem as problem:
        return _reported(conversion, directive, problem)
    if "literal" in options or "code" in options:
        from coursegen.myst.directives import code_fence

        return code_fence(options.get("code", "").strip(), blocks.trim_blank(lines))
    offset = _int_option(options, "heading-offset", 0)
    if offset:
        lines = [("#" * offset + line) if blocks.HEADING.match(line) else line for line in lines]
    if not conversion.including:  # what is found in the file is reported at this line of the page
        conversion.include_line = directive.line
    conversion.including.append(path)
    try:
        return ["", *conversion.convert_lines(lines, 0, nested=True), ""]
    finally:
        conversion.including.pop()


def literal_include(conversion: Conversion, directive: Directive) -> list[str]:
    """The file's code in a fence, cut, numbered and highlighted as its options say."""
    from coursegen.myst.directives import _line_ranges, anchor_lines, code_fence, named

    options = directive.options
    try:
        if "pyobject" in options or "diff" in options:
            name = "pyobject" if "pyobject" in options else "diff"
            raise IncludeProblem(
                f"option :{name}: of {{literalinclude}} is not supported",
                "cut the code with :lines:, :start-after: or :start-at: instead",
            )
        _, text = _read(conversion, directive)
        numbered = list(enumerate(text.rstrip("\n").split("\n"), start=1))
        if options.get("lines"):
            wanted = _line_numbers(options["lines"], len(numbered))
            numbered = [pair for pair in numbered if pair[0] in wanted]
        numbered = _cut_numbered(numbered, options, directive)
    except IncludeProblem as problem:
        return _reported(conversion, directive, problem)
    code = [line for _, line in numbered]
    if options.get("dedent") is not None:
        code = textwrap.dedent("\n".join(code)).split("\n")
    if options.get("prepend"):
        code = [options["prepend"], *code]
    if options.get("append"):
        code = [*code, options["append"]]
    attributes = ""
    first = numbered[0][0] if numbered and "lineno-match" in options else options.get("lineno-start") or 1
    if "linenos" in options or "lineno-start" in options or "lineno-match" in options:
        attributes += f' linenums="{first}"'
    if options.get("emphasize-lines"):
        attributes += f' hl_lines="{_line_ranges(options["emphasize-lines"])}"'
    if options.get("caption"):
        attributes += ' title="' + options["caption"].replace('"', "'") + '"'
    language = options.get("language", "").strip() or _language_of(directive.argument)
    anchor = named(conversion, directive, "code", options.get("caption", ""))
    return anchor_lines(anchor) + code_fence(language, code, attributes)


def _read(conversion: Conversion, directive: Directive) -> tuple[Path, str]:
    """The file the directive names (a dependency of the page), and its text."""
    written = directive.argument.strip()
    page = conversion.page
    if not written or not page.source_dir:
        raise IncludeProblem(
            f"{{{directive.name}}} names no file", f"write ```{{{directive.name}}} path/to/file"
        )
    # relative to the file being read: the page, or the included file that includes this one
    folder = conversion.including[-1].parent if conversion.including else Path(page.source_dir)
    base = Path(page.source_root) if written.startswith("/") else folder
    path = (base / written.lstrip("/")).resolve()
    root = Path(page.source_root).resolve()
    if not path.is_relative_to(root):
        where = "content/" if root.name == "content" else "the project's folder"
        raise IncludeProblem(
            f"{{{directive.name}}} '{written}' is outside {where}",
            f"keep included files inside {where} (nothing else is read)",
        )
    if len(conversion.including) >= MAX_DEPTH or path in conversion.including:
        raise IncludeProblem(
            f"{{{directive.name}}} '{written}' includes itself, directly or through other files",
            f"an included file may include others, {MAX_DEPTH} levels deep, never one it is part of",
        )
    try:
        data = path.read_bytes()
    except OSError:
        raise IncludeProblem(
            f"{{{directive.name}}} '{written}' not found",
            "give its path from the page's folder, or from the course's folder with a leading /",
        ) from None
    conversion.scan.dependencies.append(
        f"{path.relative_to(root).as_posix()}:{hashlib.sha256(data).hexdigest()}"
    )
    return path, data.decode("utf-8", "replace").replace("\r\n", "\n")


def _reported(conversion: Conversion, directive: Directive, problem: IncludeProblem) -> list[str]:
    from coursegen.myst.unsupported import unsupported_block

    conversion.report(directive.line, str(problem), problem.hint, kind="markdown")
    return unsupported_block(
        f"{{{directive.name}}}", directive.source, str(problem), conversion.words["source"]
    )


def _int_option(options: dict[str, str], name: str, default: int | None) -> int | None:
    value = options.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise IncludeProblem(
            f"option :{name}: must be a whole number, not '{value}'", f"e.g. :{name}: 2"
        ) from None


def _cut_numbered(numbered: list[tuple[int, str]], options: dict[str, str], directive: Directive) -> list:
    """`start-after`/`start-at` and `end-before`/`end-at` on (line number, line) pairs."""
    for key, keep in (("start-after", False), ("start-at", True)):
        if options.get(key):
            index = _line_holding(numbered, options[key], key, directive)
            numbered = numbered[index if keep else index + 1 :]
    for key, keep in (("end-before", False), ("end-at", True)):
        if options.get(key):
            index = _line_holding(numbered, options[key], key, directive)
            numbered = numbered[: index + 1 if keep else index]
    return numbered


def _line_holding(numbered: list[tuple[int, str]], text: str, key: str, directive: Directive) -> int:
    """The index of the first line holding `text` (the value of option `key`)."""
    index = next((i for i, (_, line) in enumerate(numbered) if text in line), None)
    if index is None:
        raise IncludeProblem(
            f"'{text}' (:{key}: of {{{directive.name}}}) is not in the file", "copy it from the file"
        )
    return index


def _line_numbers(text: str, count: int) -> set[int]:
    """Sphinx's `1,3,5-10,20-` as a set of line numbers (from 1)."""
    wanted: set[int] = set()
    for part in (part.strip() for part in text.split(",")):
        first, dash, last = part.partition("-")
        try:
            low = int(first) if first else 1
            high = (int(last) if last else count) if dash else low
        except ValueError:
            raise IncludeProblem(
                f"option :lines: must list line numbers, not '{text}'", "e.g. :lines: 1,3,5-10"
            ) from None
        wanted.update(range(low, high + 1))
    return wanted


def _language_of(path: str) -> str:
    """Pygments' name for a file's language, from its name (`.py` → python); "" when unknown."""
    from pygments.lexers import find_lexer_class_for_filename
    from pygments.util import ClassNotFound

    try:
        lexer = find_lexer_class_for_filename(Path(path.strip()).name)
    except ClassNotFound:
        return ""
    return lexer.aliases[0] if lexer is not None and lexer.aliases else ""
