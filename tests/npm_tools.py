"""npm packages the export tests check against (never shipped): installed pinned, once, into a
cache folder outside the repository. Without node and npm the tests that need them are skipped,
except under CI (CI=true), where they fail: the machine has them."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

PINNED = {"gift-pegjs": "1.0.2", "scorm-again": "3.4.3"}


def node() -> str:
    found = shutil.which("node")
    if not found or not shutil.which("npm"):
        if os.environ.get("CI"):
            pytest.fail("node and npm are needed for this test (apt-get install nodejs npm)")
        pytest.skip("node and npm are not installed")
    return found


def npm_package(name: str) -> Path:
    """The installed package's folder (node_modules/NAME), installing it on first use."""
    node()
    version = PINNED[name]
    cache = Path(
        os.environ.get("COURSEGEN_TEST_NPM_CACHE") or Path(tempfile.gettempdir()) / "coursegen-test-npm"
    )
    prefix = cache / f"{name}-{version}"
    package = prefix / "node_modules" / name
    if (package / "package.json").is_file():
        return package
    prefix.mkdir(parents=True, exist_ok=True)
    with open(prefix / ".lock", "w") as lock:  # two test runs at once install it once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (package / "package.json").is_file():
            subprocess.run(
                [
                    "npm",
                    "install",
                    "--no-save",
                    "--no-audit",
                    "--no-fund",
                    "--no-package-lock",
                    "--prefix",
                    str(prefix),
                    f"{name}@{version}",
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
    return package
