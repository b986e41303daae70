"""The build stage of course.yml `remote_assets`, between the bodies and the pages.

Bodies are rendered (and cached) with remote addresses as written, and list them. Here, with
`keep`, the author is told which hosts the site needs; with `fetch`, each address is downloaded
(or taken from the cache) and every page that uses it points at the copy in `_remote/`. Pointing
happens when the page is assembled, so a body's cache never depends on the network: a page's
signature names its copies instead (a page rendered while a download failed is made again once
it succeeds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coursegen.config import RemoteAssetSettings
from coursegen.errors import Diagnostic, Diagnostics, Level, shorten
from coursegen.model import Course, Page
from coursegen.remote_media import fetch_address, host_of

SITE_FOLDER = "_remote"  # never a content path: names starting with `_` are not published from content/
_FETCH_HINT = "set remote_assets: fetch in course.yml to download {} into the site when it is built"


@dataclass(frozen=True)
class _Use:
    """One reference to a remote file, on one page."""

    page: Page
    address: str  # as written
    what: str  # image | video | audio
    line: int | None
    where: str  # "cell 3" in a notebook, else ""

    @property
    def noun(self) -> str:
        return _NOUNS.get(self.what, _NOUNS["image"])[0]

    def report(self, diagnostics: Diagnostics, level: Level, message: str, hint: str) -> None:
        if self.where:
            message += f" (in {self.where})"
        diagnostics.items.append(Diagnostic(self.page.rel, self.line, None, level, message, hint, "assets"))


@dataclass
class RemoteCopies:
    """What the pages get: for each page, its remote addresses that have a copy → the copy's site
    path; and the copies to publish (site path → cache file, or bytes without a cache)."""

    by_page: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, Path | bytes] = field(default_factory=dict)

    def for_page(self, url: str) -> dict[str, str]:
        return self.by_page.get(url, {})


def remote_media_stage(
    course: Course,
    bodies,
    settings: RemoteAssetSettings,
    root: Path,
    diagnostics: Diagnostics,
    *,
    building: bool,
    cache: bool,
    failed_before: dict | None = None,
) -> RemoteCopies:
    """Report, or fetch and publish, the remote media of every page's body.

    `building` is False for `coursegen check`: it lists every reference, and with `fetch` uses the
    downloads already in the cache (a check needs no network and writes nothing). `failed_before`:
    serve's downloads that failed earlier in the session, not tried again (session.py)."""
    uses = [_Use(page, *reference) for page in course.pages for reference in bodies[page.url].remote]
    if not uses:
        return RemoteCopies()
    if settings.mode == "keep":
        (_report_hosts if building else _report_each)(uses, diagnostics)
        return RemoteCopies()
    from coursegen.remote_fetch import RemoteCache, fetch_all  # urllib, ssl…: only to fetch

    store = RemoteCache(root, read_only=not building) if cache else None
    addresses = [fetch_address(use.address) for use in uses]
    outcomes = fetch_all(addresses, settings, store, download=building, failed_before=failed_before)
    return _copies(uses, outcomes, diagnostics)


def _copies(uses: list[_Use], outcomes: dict, diagnostics: Diagnostics) -> RemoteCopies:
    """Each address's outcome (a Copy, a FetchFailed, or None: not downloaded) for the pages."""
    from coursegen.remote_fetch import Copy, FetchFailed

    copies = RemoteCopies()
    failed: dict[str, list[_Use]] = {}
    for use in uses:
        outcome = outcomes[fetch_address(use.address)]
        if isinstance(outcome, Copy):
            site_path = f"{SITE_FOLDER}/{outcome.name}"
            copies.by_page.setdefault(use.page.url, {})[use.address] = site_path
            copies.files[site_path] = outcome.path if outcome.path is not None else outcome.data
        elif isinstance(outcome, FetchFailed):
            failed.setdefault(fetch_address(use.address), []).append(use)
        else:  # `check`, before the build that downloads it
            use.report(
                diagnostics,
                Level.NOTE,
                f"{use.noun} '{shorten(use.address)}' is not downloaded yet",
                "`coursegen build` downloads it into the site (remote_assets: fetch)",
            )
    for address, failures in failed.items():
        first, others = failures[0], len(failures) - 1
        also = f"; used in {others + 1} places" if others else ""
        first.report(
            diagnostics,
            Level.WARNING,
            f"{first.noun} '{shorten(first.address)}' could not be downloaded: {outcomes[address]}{also}",
            f"left as written, so the page needs {host_of(first.address)} to show it; fix the address, or "
            "put a copy in the course and link to that",
        )
    return copies


def _report_hosts(uses: list[_Use], diagnostics: Diagnostics) -> None:
    """`build` with `keep`: one warning per host, at its first reference, with how many there are."""
    by_host: dict[str, list[_Use]] = {}
    for use in uses:
        by_host.setdefault(host_of(use.address), []).append(use)
    for host, host_uses in by_host.items():
        files = len({use.page.rel for use in host_uses})
        spread = f"; used here first, in {files} files in all" if files > 1 else ""
        they = "it" if len(host_uses) == 1 else "them"
        host_uses[0].report(
            diagnostics,
            Level.WARNING,
            f"{_count(host_uses)} loaded from {host}: the site needs the network to show {they}{spread}",
            _FETCH_HINT.format(they) + "; `coursegen check` lists each one",
        )


def _report_each(uses: list[_Use], diagnostics: Diagnostics) -> None:
    """`check` with `keep`: every reference, where it is."""
    for use in uses:
        use.report(
            diagnostics,
            Level.WARNING,
            f"{use.noun} '{shorten(use.address)}' is loaded from {host_of(use.address)}: the page needs "
            "the network to show it",
            _FETCH_HINT.format("it"),
        )


_NOUNS = {"image": ("image", "images"), "video": ("video", "videos"), "audio": ("audio file", "audio files")}


def _count(uses: list[_Use]) -> str:
    """'1 image', '3 images and 1 video'."""
    counts: dict[str, int] = {}
    for use in uses:
        counts[use.what] = counts.get(use.what, 0) + 1
    parts = [f"{count} {_NOUNS[what][count > 1]}" for what, count in counts.items()]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
