#!/usr/bin/env python3
"""Third-party files shipped with coursegen's theme, fetched from the npm registry.

    python scripts/vendor.py           fetch each pinned package, check it, copy its files
    python scripts/vendor.py --check   check the files in static/vendor/ against VENDOR.json (no network)

Each package is fetched at its pinned version with `npm pack` (the ordinary npm client), its
tarball's sha256 is checked against the pin, and only the files listed below are copied, with
the package's license, into static/vendor/<folder>/. static/vendor/VENDOR.json records name,
version, tarball hash, license and the hash of every copied file. Never edit the copied files:
change a pin here and run the script again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parents[1] / "static" / "vendor"
RECORD = VENDOR_DIR / "VENDOR.json"


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    sha256: str  # of the npm tarball
    license: str
    folder: str  # under static/vendor/
    files: tuple[str, ...]  # paths inside the package (without the leading "package/")
    build_only: tuple[str, ...] = ()  # used when the site is built, not published with it
    purpose: str = ""


PINS = (
    Pin(
        name="temml",
        version="0.13.5",
        sha256="bca5b76dd26d1d6c81f8d817f6cc8bf0f0a1a7787512e281d5c22b986f8ae582",
        license="MIT",
        folder="temml",
        files=("LICENSE", "dist/temml.min.js", "dist/Temml-Local.css", "dist/Temml.woff2"),
        build_only=("dist/temml.min.js",),
        purpose="LaTeX to MathML at build time (temml.min.js, run in an embedded V8); its stylesheet and script-capitals font in pages with math",
    ),
    Pin(
        name="@fontsource/noto-sans-math",
        version="5.3.0",
        sha256="8f6894fffd5863699e279c669d6eae9d3a1218cc9e20aed84efb64a98aee03d8",
        license="OFL-1.1",
        folder="noto-sans-math",
        files=("LICENSE", "files/noto-sans-math-latin-400-normal.woff2"),
        purpose="the math font (OpenType MATH table: stretched delimiters, radicals, large operators) of pages with math",
    ),
    Pin(
        name="reveal.js",
        version="6.0.2",
        sha256="2f0c20bfb02447a198a1ebe8a8c097a5437d035caa38f2820bf4ba887a3eac91",
        license="MIT",
        folder="reveal",
        files=("LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/plugin/notes.js"),
        purpose="the slide decks (x.slides.html): navigation, overview, fragments, print one slide per page, and the speaker view (notes plugin); loaded only by deck pages",
    ),
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(pin: Pin, workdir: Path) -> Path:
    """The package's tarball, fetched by npm and checked against the pinned hash."""
    result = subprocess.run(
        [
            "npm",
            "pack",
            f"{pin.name}@{pin.version}",
            "--json",
            "--pack-destination",
            str(workdir),
            "--ignore-scripts",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = workdir / json.loads(result.stdout)[0]["filename"]
    actual = sha256_of(tarball)
    if actual != pin.sha256:
        raise SystemExit(
            f"{pin.name}@{pin.version}: tarball sha256 is {actual}, pinned {pin.sha256}: refusing to vendor it"
        )
    return tarball


def install(pin: Pin, tarball: Path) -> dict:
    """Copy the pinned files out of the tarball; the record of what was copied."""
    target = VENDOR_DIR / pin.folder
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():  # files of a previous version that are no longer wanted
        if old.is_file() and old.name not in {Path(name).name for name in pin.files}:
            old.unlink()
    files = {}
    with tarfile.open(tarball) as archive:
        for name in pin.files:
            member = archive.getmember(f"package/{name}")
            data = archive.extractfile(member).read()
            path = target / Path(name).name
            path.write_bytes(data)
            files[f"{pin.folder}/{path.name}"] = hashlib.sha256(data).hexdigest()
    return {
        "name": pin.name,
        "version": pin.version,
        "tarball_sha256": pin.sha256,
        "license": pin.license,
        "purpose": pin.purpose,
        "files": files,
        "build_only": [f"{pin.folder}/{Path(name).name}" for name in pin.build_only],
    }


def check() -> list[str]:
    """Problems with the vendored files: missing, changed, or not what VENDOR.json records."""
    problems = []
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    pinned = {(pin.name, pin.version) for pin in PINS}
    for package in record["packages"]:
        if (package["name"], package["version"]) not in pinned:
            problems.append(
                f"{package['name']}@{package['version']} is recorded but not pinned in scripts/vendor.py"
            )
        for rel, expected in package["files"].items():
            path = VENDOR_DIR / rel
            if not path.is_file():
                problems.append(f"static/vendor/{rel} is missing")
            elif sha256_of(path) != expected:
                problems.append(
                    f"static/vendor/{rel} differs from the {package['name']}@{package['version']} release (it must not be edited)"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check static/vendor/ against VENDOR.json")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    packages = []
    with tempfile.TemporaryDirectory() as workdir:
        for pin in PINS:
            packages.append(install(pin, fetch(pin, Path(workdir))))
            print(f"vendored {pin.name}@{pin.version} into static/vendor/{pin.folder}/")
    RECORD.write_text(
        json.dumps({"packages": packages}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
