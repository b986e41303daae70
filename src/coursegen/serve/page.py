"""What `coursegen serve` adds to the pages it serves: the live-reload script and, while the last
build has errors, an overlay listing them. The script and the overlay's CSS are files beside this
module (livereload.js, overlay.css), read once."""

from __future__ import annotations

import functools
import html
from pathlib import Path

PREFIX = "/__coursegen__/"
EVENTS_URL = PREFIX + "events"
SCRIPT_URL = PREFIX + "livereload.js"
MAX_OVERLAY_ERRORS = 50
HERE = Path(__file__).parent

NOT_FOUND_PAGE = (
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\n"
    "<body><h1>Not found</h1><p>There is no such page in the preview.</p></body></html>\n"
)


@functools.cache
def live_reload_js() -> bytes:
    """Served at SCRIPT_URL; each HTML response loads it with the epoch and instance it was served with."""
    return (HERE / "livereload.js").read_bytes()


@functools.cache
def _overlay_css() -> str:
    return (HERE / "overlay.css").read_text(encoding="utf-8")


def error_overlay(errors: tuple[str, ...] | list[str], kept: tuple[str, ...] | list[str] = ()) -> str:
    """A fixed box at the top of the page listing the (escaped) errors of the last build, and the
    sources whose page is still their last good version."""
    if not errors:
        return ""
    shown = list(errors[:MAX_OVERLAY_ERRORS])
    items = "".join(f"<li>{html.escape(line)}</li>" for line in shown)
    more = len(errors) - len(shown)
    if more:
        items += f"<li>… and {more} more (see the terminal)</li>"
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    if kept:
        names = ", ".join(html.escape(rel) for rel in kept)
        what = "page shows its" if len(kept) == 1 else "pages show their"
        items = f'<li class="kept">Until fixed, {len(kept)} {what} last good version: {names}</li>' + items
    return (
        f"<style>{_overlay_css()}</style>"
        '<div id="coursegen-build-errors" role="alert">'
        f"<strong>coursegen: the last build found {count}. Fix and save: the page reloads by itself.</strong>"
        f"<ul>{items}</ul></div>"
    )


def inject(
    page: bytes,
    epoch: int,
    errors: tuple[str, ...],
    instance: str,
    base: bool = False,
    kept: tuple[str, ...] = (),
) -> bytes:
    """The page with the error overlay and the live-reload script before its last </body>."""
    snippet = (
        error_overlay(errors, kept)
        + f'<script src="{SCRIPT_URL}" data-epoch="{epoch}" data-instance="{html.escape(instance)}"></script>'
    )
    extra = snippet.encode("ascii", "xmlcharrefreplace")
    lower = page.lower()
    if (
        base and b"<base" not in lower
    ):  # the 404 page is built for the site root: keep its links working anywhere
        head = lower.find(b"<head>")
        if head != -1:
            page = page[: head + 6] + b'<base href="/">' + page[head + 6 :]
            lower = page.lower()
    index = lower.rfind(b"</body>")
    if index == -1:
        return page + extra
    return page[:index] + extra + page[index:]
