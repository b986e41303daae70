"""Before a release: the tag pushed (`v0.2.0`) names the version in src/coursegen/__init__.py, and
CHANGELOG.md has a dated section for it (`## [0.2.0] - 2026-12-24`). Standard library only.

    python3 .ci/release_check.py v0.2.0
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def package_version() -> str:
    text = (REPO / "src" / "coursegen" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE).group(1)


def problems(tag: str) -> list[str]:
    version = package_version()
    found = []
    if tag != f"v{version}":
        found.append(
            f"the tag {tag} does not name the version in src/coursegen/__init__.py ({version}): tag v{version}, or change __version__"
        )
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    if not re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.MULTILINE):
        found.append(
            f"CHANGELOG.md has no section '## [{version}] - YYYY-MM-DD': move the Unreleased entries under it"
        )
    return found


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for problem in problems(sys.argv[1]):
        print(f"error: {problem}", file=sys.stderr)
    sys.exit(1 if problems(sys.argv[1]) else 0)
