"""Rewriting a course file in place (`check --fix-encoding`, `check --fix-notebooks`): the original
is kept beside it as a backup that is never overwritten, and the new text replaces the file in
one step, so an interrupted repair leaves either the old file or the new one, never half of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def replace_keeping_backup(path: Path, data: bytes) -> Path:
    """Write `data` over `path` atomically, after copying the original to `<name>.bak`; an
    existing backup is never overwritten: the next free one is `<name>.1.bak`, `<name>.2.bak`…
    (coursegen never publishes `.bak` files). Returns the backup's path."""
    backup = path.with_name(path.name + ".bak")
    counter = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.{counter}.bak")
        counter += 1
    shutil.copy2(path, backup)
    temporary = path.with_name(f".{path.name}.coursegen-tmp")
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        shutil.copymode(path, temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return backup
