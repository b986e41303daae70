"""Full-page screenshot of a page of a built coursegen site (used for the README picture).

    python tests/screenshot.py SITE_DIR OUT.png [PAGE]

PAGE is a path inside SITE_DIR (default: module6/index.html, the example course's module page).
The page is opened from file:// in Debian's Chromium (/usr/bin/chromium) at 1280 px wide, with
reduced motion so that every card is already shown. This file also holds the browser settings
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


def screenshot(site: Path, out: Path, page_path: str = DEFAULT_PAGE, width: int = 1280) -> Path:
    from playwright.sync_api import sync_playwright

    target = (site / page_path).resolve()
    if not target.is_file():
        raise SystemExit(f"{target} does not exist: build the site first (coursegen build . -o {site})")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport={"width": width, "height": 900}, reduced_motion="reduce", color_scheme="light")
            page = context.new_page()
            page.goto(target.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print("usage: python tests/screenshot.py SITE_DIR OUT.png [PAGE]", file=sys.stderr)
        return 2
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 1
    site, out = Path(args[0]), Path(args[1])
    written = screenshot(site, out, args[2] if len(args) == 3 else DEFAULT_PAGE)
    print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
