"""Paths of the author's computer out of published notebook outputs.

Tracebacks and printed paths carry the folder a notebook ran in (`/home/jeanne/cours/notebooks/A`,
the temporary copy coursegen runs it in) and the author's home (`/Users/jeanne/anaconda3/lib/
python3.9/site-packages/…`, `C:\\Users\\jeanne\\…`). On the published page they become paths
relative to the course (`notebooks/A/data.csv`), `~/…` for home folders, and `$TMPDIR/…` for the
temporary folder: nothing personal, and the same page on every computer. ANSI colour codes in
tracebacks are kept as they are (paths are looked for between them, never across them).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

_ANSI = re.compile(r"(\x1b\[[0-9;?]*[A-Za-z])")
_BEFORE = r"(?<![\w.~$-])"  # a path starts a word: not `/srv/home/…`, not `https://x/Users/…`
_HOMES = [
    # C:\Users\jeanne\…, also with the doubled backslashes of a repr() and with slashes
    re.compile(_BEFORE + r"[A-Za-z]:(\\\\|\\|/)(?:Users|Documents and Settings)\1[^\\/\s'\":]+"),
    re.compile(_BEFORE + r"(?:/home|/Users)/[^/\s'\"\\:]+"),
]
_MAC_TEMP = re.compile(_BEFORE + r"(?:/private)?/var/folders/[^/\s]+/[^/\s]+/T(?=/)")


class PathScrubber:
    """Rewrites paths of this computer (and of the computer a notebook was saved on) in text."""

    def __init__(self, course_root: Path, places: dict[str, str] | None = None):
        """`places` maps other folders to what to show instead (the temporary copy a notebook ran
        in → its folder in the course); the course folder itself is shown relative to the course."""
        folders = dict(places or {})
        for form in {str(course_root), str(course_root.resolve())}:
            folders.setdefault(form, "")
        home = home_folder()
        if len(home) > 1:
            folders.setdefault(home, "~")
        for form in {tempfile.gettempdir(), str(Path(tempfile.gettempdir()).resolve())}:
            folders.setdefault(form, "$TMPDIR")
        # longest first: the course folder is inside the home folder, the run copy inside /tmp
        self._folders = [
            (_folder_pattern(folder), shown)
            for folder, shown in sorted(folders.items(), key=lambda item: -len(item[0]))
            if folder not in ("", "/")
        ]

    def text(self, text: str) -> str:
        if "/" not in text and "\\" not in text:
            return text
        pieces = _ANSI.split(text)
        pieces[::2] = [self._plain(piece) for piece in pieces[::2]]  # odd pieces are colour codes
        return "".join(pieces)

    def _plain(self, text: str) -> str:
        for pattern, shown in self._folders:
            text = pattern.sub(lambda match, shown=shown: _shown(shown, match.group("sep")), text)
        for pattern in _HOMES:
            text = pattern.sub("~", text)
        return _MAC_TEMP.sub("$TMPDIR", text)

    def outputs(self, notebook) -> None:
        """Every code cell's outputs, in place: streams, errors and text of displayed data."""
        for cell in notebook.cells:
            for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
                if "text" in output:
                    output["text"] = self._value(output["text"])
                if "evalue" in output:
                    output["evalue"] = self._value(output["evalue"])
                if isinstance(output.get("traceback"), list):
                    output["traceback"] = [self._value(line) for line in output["traceback"]]
                data = output.get("data")
                if isinstance(data, dict):
                    for mime, value in data.items():
                        if mime.startswith("text/"):
                            data[mime] = self._value(value)

    def _value(self, value):
        """Output text is a string, or a list of strings in notebooks saved that way."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.text(item) if isinstance(item, str) else item for item in value]
        return value


def home_folder() -> str:
    """This computer's home folder ("" when it has none, as for some service accounts)."""
    try:
        return str(Path.home())
    except (RuntimeError, KeyError):
        return ""


def _folder_pattern(folder: str) -> re.Pattern:
    # the folder itself, or followed by a separator — never `/home/jeanne/cours2` for `…/cours`
    return re.compile(_BEFORE + re.escape(folder.rstrip("/\\")) + r"(?:(?P<sep>[/\\])|(?![\w.-]))")


def _shown(shown: str, separator: str | None) -> str:
    if separator:
        return f"{shown}/" if shown else ""
    return shown or "."
