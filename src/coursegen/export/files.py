"""Where an export goes, and how it is written: one file, made whole beside its place and renamed
into it, so an interrupted export never leaves half a file where the last good one was."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from coursegen.errors import CoursegenError, UsageError
from coursegen.output import SOURCE_DIRS

# FORMAT → the default file name's ending, after the course folder's name (`cours-moodle.xml`)
DEFAULT_SUFFIXES = {"moodle": "moodle.xml", "gift": "gift.txt", "scorm": "scorm.zip"}


def export_path(root: Path, format_name: str, output: Path | None) -> Path:
    """The file to write: `output`, else `<course folder>-<suffix>` in the course folder. Refuses
    a place among the course's sources (the next build would publish it) or a folder."""
    root = root.resolve()
    path = (output if output is not None else root / f"{root.name}-{DEFAULT_SUFFIXES[format_name]}").resolve()
    for name in SOURCE_DIRS:
        if path.is_relative_to(root / name):
            raise UsageError(
                f"the export must not be written inside {name}/ ({path})",
                "choose a file outside the sources with -o, e.g. -o export/cours.zip",
            )
    if path.is_dir():
        raise UsageError(f"{path} is a folder", "give the file to write with -o, e.g. -o cours-moodle.xml")
    if not path.parent.is_dir():
        raise UsageError(
            f"the folder {path.parent} does not exist", "create it, or choose another place with -o"
        )
    return path


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`: write the export there; it replaces `path` when the block
    ends without an error, and is removed otherwise."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        raise CoursegenError(
            f"cannot write {path} ({error.strerror or error})",
            "check the folder's permissions and free space",
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_atomically(path: Path, data: bytes) -> None:
    with atomic_file(path) as temporary:
        temporary.write_bytes(data)
