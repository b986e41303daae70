"""Keys of a project's files that coursegen does not use, reported together: one warning per file."""

from __future__ import annotations

from collections.abc import Callable

from coursegen.errors import Diagnostics


class UnknownKeys:
    def __init__(self, rel: str, what: str):
        self.rel, self.what = rel, what
        self.lines: dict[str, int] = {}  # name → its line (0: not known), in the order found

    def add(self, name: str, line: int | None) -> None:
        self.lines.setdefault(name, line or 0)

    def check(
        self, mapping: dict, known: set[str], prefix: str = "", line_of: Callable | None = None
    ) -> None:
        """Every key of `mapping` not in `known`, named `prefix` + key, at `line_of(name)` (else
        the mapping's own line)."""
        for key in mapping:
            if str(key) not in known:
                name = f"{prefix}{key}"
                line = line_of(name) if line_of is not None else None
                self.add(name, line if line is not None else getattr(mapping, "line", None))

    def report(self, diagnostics: Diagnostics) -> None:
        """One warning naming them all, in the file's order, at the first one's line."""
        if self.lines:
            names = sorted(self.lines, key=lambda name: self.lines[name] or float("inf"))
            known = [line for line in self.lines.values() if line]
            diagnostics.warning(
                self.rel,
                f"{self.what} coursegen does not use: {', '.join(names)}",
                "the site is built without them (README: Bring your Jupyter Book or MkDocs course)",
                line=min(known) if known else None,
                kind="config",
            )
