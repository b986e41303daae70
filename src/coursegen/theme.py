"""Where the theme lives, and the Jinja environment: course templates first, built-in theme second."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import jinja2

from coursegen.cache import write_bytes_atomically


def builtin_theme_dir() -> Path:
    """The built-in theme: shipped inside the wheel as coursegen/theme, or the repo's top level in a checkout."""
    packaged = Path(__file__).resolve().parent / "theme"  # (not importlib.resources: see strings.py)
    if (packaged / "templates").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "templates" / "base.html").is_file():
        return checkout
    raise FileNotFoundError(
        "coursegen's built-in theme is missing (no coursegen/theme/templates): reinstall coursegen"
    )


@dataclass(frozen=True)
class Theme:
    """Template and static folders, in lookup order (the course's own first)."""

    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]
    builtin: Path


def load_theme(root: Path) -> Theme:
    builtin = builtin_theme_dir()
    template_dirs, static_dirs = [], []
    for folder, bucket in (("templates", template_dirs), ("static", static_dirs)):
        own = (root / folder).resolve()
        if own.is_dir() and own != (builtin / folder).resolve():
            bucket.append(own)
        bucket.append(builtin / folder)
    return Theme(tuple(template_dirs), tuple(static_dirs), builtin)


def make_environment(
    theme: Theme, strict: bool = True, bytecode_dir: Path | None = None
) -> jinja2.Environment:
    """`theme/x.html` always names the built-in template, so an override can extend its original.

    With `bytecode_dir`, compiled templates are kept there (Jinja checks each one against its
    template's text), so a rebuild does not compile the theme again; a folder that can't be made
    only costs that speed."""
    try:
        if bytecode_dir is not None:
            bytecode_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        bytecode_dir = None
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"theme": jinja2.FileSystemLoader(str(theme.builtin / "templates"))}),
            jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        ]
    )
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined if strict else jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_BytecodeCache(str(bytecode_dir)) if bytecode_dir is not None else None,
    )


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates, each file starting with the SHA-256 of the rest, checked before Jinja
    reads it: marshal trusts its input, so two flipped bytes in a plain Jinja cache file crash
    the interpreter, at every build. A file that fails the check is compiled again."""

    def __init__(self, directory: str):
        super().__init__(directory, pattern="__coursegen_%s.cache")  # never reads Jinja's unchecked files

    def load_bytecode(self, bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as file:
                data = file.read()
        except OSError:  # none yet, or the cache was deleted
            return
        expected, payload = data[:32], data[32:]
        if not payload or hashlib.sha256(payload).digest() != expected:
            return
        try:
            bucket.bytecode_from_string(payload)
        except Exception:  # checked, yet unreadable: compile again
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        payload = bucket.bytecode_to_string()
        # a read-only or full disk (or a deleted cache) only costs speed: not written, no error
        write_bytes_atomically(
            Path(self._get_cache_filename(bucket)), hashlib.sha256(payload).digest() + payload
        )


# static/ folders whose files only packages use (`coursegen export scorm`): not published in a site
PACKAGE_ONLY_STATIC = ("scorm",)


def static_files(theme: Theme, diagnostics=None, package: str = "") -> dict[str, Path]:
    """Every static asset by its path under static/; a course's file replaces the built-in one.

    Hidden and junk files are skipped, and so is anything reached through a symbolic link that
    leads outside its static/ folder (nothing from outside the course is ever published). The
    folders of PACKAGE_ONLY_STATIC are left out, but for `package`'s own (`package="scorm"`).
    """
    from coursegen.discover import is_ignored

    files: dict[str, Path] = {}
    build_only = _build_only_files(theme.builtin / "static")
    for folder in reversed(theme.static_dirs):
        if not folder.is_dir():
            continue
        real_folder = folder.resolve()
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if any(is_ignored(part) for part in rel.parts) or path in build_only:
                continue
            if rel.parts[0] in PACKAGE_ONLY_STATIC and rel.parts[0] != package:
                continue
            if path.is_symlink() and path.is_dir() and not path.resolve().is_relative_to(real_folder):
                if diagnostics is not None:
                    diagnostics.warning(
                        f"static/{rel.as_posix()}",
                        "symbolic link to a folder outside static/, skipped",
                        "copy the files into static/ instead",
                        kind="files",
                    )
                continue
            if not path.is_file():
                continue
            if not path.resolve().is_relative_to(real_folder):
                if diagnostics is not None:
                    diagnostics.warning(
                        f"static/{rel.as_posix()}",
                        "symbolic link leads outside static/, skipped",
                        "copy the file into static/ instead",
                        kind="files",
                    )
                continue
            files[rel.as_posix()] = path
    return dict(sorted(files.items()))


def _build_only_files(static: Path) -> set[Path]:
    """Vendored files used while building, never published (static/vendor/VENDOR.json
    `build_only`: Temml's script, which runs in the build, not in the learner's browser)."""
    import json

    try:
        record = json.loads((static / "vendor" / "VENDOR.json").read_text(encoding="utf-8"))
        return {
            static / "vendor" / rel for package in record["packages"] for rel in package.get("build_only", [])
        }
    except (OSError, ValueError, KeyError, TypeError):
        return set()
