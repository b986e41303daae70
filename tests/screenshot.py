"""Screenshot of a page of a built coursegen site (used for the README pictures).

    python tests/screenshot.py SITE_DIR OUT.png [PAGE] [--width 1280] [--height N] [--dark]

PAGE is a path inside SITE_DIR (default: module6/index.html, the example course's module page),
with a `#fragment` if needed (a deck's slide: module6/02_mecanismes_attention.slides.html#/3).
The page is opened from file:// in Debian's Chromium (/usr/bin/chromium), 1280 px wide by default,
with reduced motion so that every card is already shown; the whole page, or its first N pixels
with --height; in the dark colour scheme with --dark. This file also holds the browser settings
shared with tests/test_browser.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
DEFAULT_PAGE = "module6/index.html"


def launch(playwright):
    """Debian's Chromium, headless, with nothing of its own that talks to the network."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def screenshot(
    site: Path,
    out: Path,
    page_path: str = DEFAULT_PAGE,
    width: int = 1280,
    height: int = 0,
    dark: bool = False,
) -> Path:
    from playwright.sync_api import sync_playwright

    path, _, fragment = page_path.partition("#")
    target = (site / path).resolve()
    if not target.is_file():
        raise SystemExit(f"{target} does not exist: build the site first (coursegen build . -o {site})")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height or 900},
                reduced_motion="reduce",
                color_scheme="dark" if dark else "light",
            )
            page = context.new_page()
            page.goto(target.as_uri() + (f"#{fragment}" if fragment else ""), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=not height)
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Screenshot of a page of a built coursegen site.")
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("page", nargs="?", default=DEFAULT_PAGE)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument(
        "--height", type=int, default=0, help="only the first HEIGHT pixels (default: the whole page)"
    )
    parser.add_argument("--dark", action="store_true", help="the dark colour scheme")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 1
    written = screenshot(args.site, args.out, args.page, args.width, args.height, args.dark)
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
