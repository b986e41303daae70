"""`coursegen check --fix-encoding` and `--fix-notebooks`: the only commands that change a course.

Each repairs files in place before the check runs, keeps the original beside it as `<name>.bak`
(never overwriting an earlier backup: see rewrite.replace_keeping_backup), reports every file it
changed, and says so when there was nothing to do: a second run changes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coursegen.encoding import BOM
from coursegen.nbsalvage import Damage, read_notebook_json
from coursegen.rewrite import replace_keeping_backup


def fix_encoding(course_dir: Path, say: Callable[[str], None]) -> None:
    """Convert Windows-1252/Latin-1 files to UTF-8 and repair garbled lines (outside code) in
    course.yml and the Markdown pages; notebooks are only converted (Jupyter writes UTF-8, and
    their text is JSON)."""
    from coursegen.discover import discover_sources
    from coursegen.encoding import repair_file
    from coursegen.errors import Diagnostics
    from coursegen.model import SourceKind

    root = course_dir.resolve()
    candidates = [(root / "course.yml", False, True)] if (root / "course.yml").is_file() else []
    for source in discover_sources(root, Diagnostics()):
        if source.kind is SourceKind.MARKDOWN:
            candidates.append((source.path, True, True))
        elif source.kind is SourceKind.NOTEBOOK:
            candidates.append((source.path, False, False))
    changed = 0
    for path, markdown, garbled in candidates:
        try:
            repaired = repair_file(path, markdown=markdown, garbled=garbled)
        except OSError as error:
            say(f"{path.relative_to(root).as_posix()}: not repaired ({error.strerror})")
            continue
        if repaired:
            changed += 1
            say(f"{path.relative_to(root).as_posix()}: {repaired.describe()}")
    if not changed:
        say("--fix-encoding: nothing to convert or repair: no file changed")


def fix_notebooks(course_dir: Path, say: Callable[[str], None]) -> None:
    """Write back every notebook with schema slips (repaired) or JSON broken around intact cells
    (salvaged). Notebooks that need neither, and those whose cells can't be read, are left alone
    (the check that follows reports the latter)."""
    from coursegen.discover import discover_sources
    from coursegen.errors import Diagnostics
    from coursegen.model import SourceKind

    root = course_dir.resolve()
    changed = 0
    for source in discover_sources(root, Diagnostics()):
        if source.kind is not SourceKind.NOTEBOOK or source.is_text_notebook:  # no JSON to mend
            continue
        rel = source.rel.as_posix()
        try:
            fixed = fix_notebook_file(source.path)
        except (
            OSError,
            ValueError,
            RecursionError,
        ) as problem:  # unreadable, not UTF-8, cells unreadable: the check reports it
            if isinstance(problem, NotRewritten):
                say(f"{rel}: not rewritten: {problem}")
            continue
        if fixed:
            changed += 1
            say(f"{rel}: {fixed.describe()}")
    if not changed:
        say("--fix-notebooks: no notebook has schema slips or broken JSON: no file changed")


class NotRewritten(ValueError):
    """A notebook the repair would change but that is not written back: why."""


@dataclass(frozen=True)
class NotebookFix:
    slips: int
    damage: Damage | None
    backup: Path

    def describe(self) -> str:
        done = []
        if self.damage is not None:
            where = f"line {self.damage.line}, column {self.damage.col}"
            cells = f"its {self.damage.cells} cells" if self.damage.cells != 1 else "its cell"
            done.append(
                f"removed the text after the notebook ({where})"
                if self.damage.trailing
                else f"salvaged {cells} from broken JSON ({where})"
            )
            done.extend(self.damage.lost)
        if self.slips:
            done.append(f"repaired {self.slips} schema slip{'s' if self.slips > 1 else ''}")
        return f"{', '.join(done)} (original kept as {self.backup.name})"


def fix_notebook_file(path: Path) -> NotebookFix | None:
    """Repair and salvage one notebook in place (see nbrepair, nbsalvage), keeping the file's own
    layout (indent, key order, line breaks, final newline), and a .bak of the original. None
    when it needs nothing. Raises OSError or ValueError (UnicodeDecodeError, JSONDecodeError)
    when it can't be read, NotRewritten when the result would not be a valid notebook."""
    from coursegen.nbrepair import repair_notebook

    data = path.read_bytes()
    bom = data.startswith(BOM)
    text = data[len(BOM) if bom else 0 :].decode("utf-8")
    notebook, damage = read_notebook_json(text)
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None
    major = notebook.get("nbformat")
    if isinstance(major, int) and not isinstance(major, bool) and major != 4:
        return None  # format 3 is upgraded by Jupyter when saved; format 5+ is not known
    layout = _Layout.of(text, notebook)
    had_cells = bool(notebook["cells"])
    slips = repair_notebook(notebook)
    if not slips and damage is None:
        return None
    if had_cells and not notebook["cells"]:
        raise NotRewritten("none of its cells could be repaired")
    written = layout.dumps(notebook)
    _check_valid(written)
    backup = replace_keeping_backup(path, (BOM if bom else b"") + written.encode("utf-8"))
    return NotebookFix(len(slips), damage, backup)


def _check_valid(text: str) -> None:
    from nbformat.validator import iter_validate

    error = next(iter_validate(json.loads(text)), None)
    if error is not None:
        raise NotRewritten(f"the repaired notebook would still be invalid ({str(error).splitlines()[0]})")


@dataclass(frozen=True)
class _Layout:
    """How a notebook file is written, to write it back the same way: Jupyter writes indent 1,
    sorted keys, UTF-8 characters (not \\u escapes) and a final newline; Colab indent 2 and its
    own key order."""

    indent: int | None
    sort_keys: bool
    ascii_only: bool
    compact: bool  # no spaces after , and : (with no indent)
    newline: str
    final_newline: bool

    @classmethod
    def of(cls, text: str, notebook: dict) -> _Layout:
        indented = re.search(r"\n( +)\S", text)
        samples = [notebook] + [cell for cell in notebook["cells"][:5] if isinstance(cell, dict)]
        return cls(
            indent=len(indented.group(1)) if indented else None,
            sort_keys=all(list(sample) == sorted(sample) for sample in samples),
            ascii_only=text.isascii() and "\\u" in text,
            compact=not indented and '": ' not in text,
            newline="\r\n" if "\r\n" in text else "\n",
            final_newline=text.endswith("\n"),
        )

    def dumps(self, notebook: dict) -> str:
        separators = (",", ":") if self.compact else (",", ": ") if self.indent is not None else (", ", ": ")
        text = json.dumps(
            notebook,
            indent=self.indent,
            sort_keys=self.sort_keys,
            ensure_ascii=self.ascii_only,
            separators=separators,
        )
        text += "\n" if self.final_newline else ""
        return text.replace("\n", self.newline) if self.newline != "\n" else text
