"""Temml (LaTeX → MathML Core) run at build time in an embedded V8 (mini-racer): no browser script.

Starting V8 and loading Temml costs ~0.2 s, so a process starts one engine, on its first formula
(`temml_engine()`): a course without math never starts it. The engine is closed when the process
exits (mini-racer can hang at exit when a context is left open).
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

# The JavaScript side: one call per formula; Temml's ParseError comes back as data, not as an
# exception whose text would carry the whole minified source.
_WRAPPER = """
var coursegenRender = function (tex, display, macros) {
  try {
    return {mathml: temml.renderToString(tex, {displayMode: display, throwOnError: true, macros: macros, trust: false})};
  } catch (error) {
    return {error: String(error && error.message || error), parse: error instanceof temml.ParseError};
  }
};
// A page's formulas in one call: [[tex, display, index of its macros]], [macros…]. Temml may add
// to the macros it is given (with gdef), so each formula gets its own copy.
var coursegenRenderMany = function (items, macroSets) {
  return items.map(function (item) { return coursegenRender(item[0], item[1], Object.assign({}, macroSets[item[2]])); });
};
"""
_POSITION = re.compile(r"\s+at (?:position \d+|end of input):.*$", re.DOTALL)
# Temml's words for a command or environment it doesn't know
_UNKNOWN = re.compile(
    r"^(?:Unsupported function name|Undefined control sequence): (\\\S+)$|^No such environment: (\S+)$"
)
TIMEOUT_MS = 10_000  # a formula that takes longer is a macro loop, not mathematics
CLOSE_WAIT = 2.0  # seconds close() waits for a call in another thread
MEMO_SIZE = 50_000  # formulas a process remembers (render_many): a few MB of MathML


class MathProblem(ValueError):
    """LaTeX that Temml can't read: the message, and the unknown command when that is the cause."""

    def __init__(self, message: str, unknown: str = ""):
        super().__init__(message)
        self.unknown = unknown  # e.g. "\\foo" or "\\begin{foo}"


def temml_script() -> Path:
    """temml.min.js as vendored with the theme (scripts/vendor.py): read at build time only."""
    from coursegen.theme import builtin_theme_dir

    return builtin_theme_dir() / "static" / "vendor" / "temml" / "temml.min.js"


class TemmlEngine:
    """One V8 context with Temml loaded. Thread-safe (a lock around each call)."""

    def __init__(self, script: Path | None = None):
        import asyncio  # (40 ms: a build whose pages are all kept never imports it)

        from py_mini_racer import mini_racer  # imported only when a page has math

        # V8 answers on an asyncio loop of our own, on its own thread: left to choose, mini-racer
        # would take the caller's running loop (a Playwright script, a server) and could then be
        # called from that thread only, without timeouts.
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(
            target=self._loop.run_forever, name="coursegen-math-engine", daemon=True
        )
        self._loop_thread.start()
        self._lock = threading.Lock()
        self._converted: dict[tuple[str, bool, tuple], dict] = {}  # V8's answer by formula (render_many)
        self._maker = mini_racer(self._loop)
        self._context = self._maker.__enter__()
        atexit.register(self.close)
        self._context.eval((script or temml_script()).read_text(encoding="utf-8"))
        self._context.eval(_WRAPPER)
        self.version = self._context.eval("temml.version")

    def render(self, latex: str, display: bool, macros: Mapping[str, str] | None = None) -> str:
        """MathML for `latex`; raises MathProblem when Temml can't read it."""
        result = self.render_many([(latex, display, tuple(sorted((macros or {}).items())))])[0]
        if isinstance(result, MathProblem):
            raise result
        return result

    def render_many(self, formulas: Sequence[tuple[str, bool, tuple]]) -> list[str | MathProblem]:
        """MathML (or the problem) for each (latex, display, macros as (name, body) pairs), in one
        call: each call to V8 waits for its thread, which costs more than converting a formula.
        A formula this process already converted is not sent again: courses repeat theirs
        ($x$, $\\theta$, the same loss on every page of a module)."""
        with self._lock:
            known = self._converted
            wanted = [formula for formula in dict.fromkeys(formulas) if formula not in known]
            if wanted:
                macro_sets: dict[tuple, int] = {}
                items = [
                    [latex, display, macro_sets.setdefault(macros, len(macro_sets))]
                    for latex, display, macros in wanted
                ]
                results = self._context.call(
                    "coursegenRenderMany",
                    items,
                    [dict(macros) for macros in macro_sets],
                    timeout=TIMEOUT_MS + 100 * len(items),
                )
                if len(known) + len(wanted) > MEMO_SIZE:  # bounded: a huge course starts it again
                    known.clear()
                known.update(zip(wanted, results))
            # each use gets its own outcome: a MathProblem is raised, and carries its traceback
            return [_outcome(known[formula]) for formula in formulas]

    def close(self) -> None:
        """Let a call in another thread finish (for a while), stop the loop, then free V8 (once;
        also run at exit). In that order: a call cut short (Ctrl-C, SIGTERM) still has its answer
        on its way to the loop, which must not read it from a freed context."""
        maker, self._maker = self._maker, None
        if maker is not None:
            finished = self._lock.acquire(timeout=CLOSE_WAIT)
            try:
                self._context = None
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop_thread.join()
                maker.__exit__(None, None, None)
            finally:
                if finished:
                    self._lock.release()


def _outcome(result: dict) -> str | MathProblem:
    if "mathml" in result:
        return result["mathml"]
    message = _POSITION.sub("", result["error"]).strip()
    if not result.get("parse"):  # Temml stumbled on input it doesn't expect (e.g. a lone `x^`)
        return MathProblem("it could not be read: is something missing, such as the argument of ^ or _?")
    unknown = _UNKNOWN.match(message)
    if unknown:
        return MathProblem(message, unknown=unknown.group(1) or f"\\begin{{{unknown.group(2)}}}")
    return MathProblem(message)


@functools.lru_cache(maxsize=1)
def temml_engine() -> TemmlEngine:
    """The process's engine, started on first use (each worker process of `build -j` has its own)."""
    return TemmlEngine()


def engine_version() -> str:
    """What the converter's output depends on, for cache keys — without starting the engine: the
    vendored Temml's version (static/vendor/VENDOR.json) and mini-racer's."""
    from coursegen.cache import installed_version

    try:
        record = json.loads((temml_script().parents[1] / "VENDOR.json").read_text(encoding="utf-8"))
        temml = next(package["version"] for package in record["packages"] if package["name"] == "temml")
    except (OSError, ValueError, KeyError, StopIteration):
        temml = "unknown"
    return f"temml={temml},mini-racer={installed_version('mini-racer')}"
