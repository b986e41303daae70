"""Print pages to PDF with the system's Chromium (headless print-to-PDF): CSS @page for the paper
and the page numbers, the document outline (bookmarks) from the headings, MathML drawn by the
browser itself. Never LaTeX, and never the network: Chromium resolves no host name (so requests
fail before they leave the machine), runs with a throwaway profile and no background services."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from coursegen.errors import CoursegenError, UsageError

CHROMIUM_ENV = "COURSEGEN_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PRINT_TIMEOUT = 180  # seconds for one PDF: a whole course with its notebooks' figures
# no request leaves the machine: every host name (IP addresses included) resolves to nothing
OFFLINE_FLAGS = (
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--no-pings",
    "--no-first-run",
    "--no-default-browser-check",
)
PRINT_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--hide-scrollbars",
    "--mute-audio",
    "--no-pdf-header-footer",  # the page numbers come from print.css (@page margin boxes)
    "--generate-pdf-document-outline",  # bookmarks from the headings
)
INSTALL_HINT = (
    "install it (Debian/Ubuntu: apt-get install chromium; macOS: brew install --cask chromium) "
    f"or give its path with --chromium PATH or {CHROMIUM_ENV}=PATH"
)


def find_chromium(given: str | None) -> str:
    """The Chromium to print with: --chromium, else $COURSEGEN_CHROMIUM, else the first of the usual
    names on PATH. UsageError (exit 2) with how to install it when there is none."""
    wanted = given or os.environ.get(CHROMIUM_ENV, "")
    if wanted:
        found = shutil.which(wanted)
        if found is None:
            raise UsageError(f"Chromium was not found at {wanted}", INSTALL_HINT)
        return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise UsageError("Chromium was not found: `coursegen pdf` prints with it", INSTALL_HINT)


def print_to_pdf(chromium: str, page: Path, target: Path) -> None:
    """Print the HTML file `page` to `target` (written whole or not at all)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="coursegen-chromium-") as profile:
        partial = Path(profile) / "out.pdf"
        command = [
            chromium,
            *PRINT_FLAGS,
            *OFFLINE_FLAGS,
            *(["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # root: no sandbox
            f"--user-data-dir={profile}/profile",
            f"--print-to-pdf={partial}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=PRINT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CoursegenError(
                f"Chromium did not finish printing {page.name} in {PRINT_TIMEOUT} s", "try again"
            ) from None
        except OSError as error:
            raise UsageError(f"Chromium could not be started ({error.strerror})", INSTALL_HINT) from None
        if done.returncode != 0 or not _is_pdf(partial):
            last = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise CoursegenError(
                f"Chromium could not print {page.name} (exit status {done.returncode}) {last[0]}".strip(),
                "check that Chromium starts: chromium --headless --version",
            )
        _copy_in(partial, target)


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(5) == b"%PDF-"
    except OSError:
        return False


def _copy_in(partial: Path, target: Path) -> None:
    """A copy beside the target (the profile may be on another file system), then a rename: never half a PDF."""
    beside = target.with_name(f".{target.name}.partial")
    shutil.copyfile(partial, beside)
    os.replace(beside, target)
