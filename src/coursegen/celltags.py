"""Cell tags as Jupyter Book reads them, in every form authors and tools write them.

The tags themselves are applied by the notebook template (`hide-input`, `hide-output`,
`hide-cell`: collapsed `<details>`), nbconvert's TagRemovePreprocessor (`remove-cell`,
`remove-input`, `remove-output`) and nbclient (`raises-exception`: an error expected while
running). Here the other forms become `metadata.tags` first.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[,\s]+")


def normalise_tags(notebook: dict) -> None:
    """In the notebook's JSON, before it is validated: `tags: "hide-input, remove-output"` (a
    string, as hand-written metadata sometimes has them) → a list; JupyterLab's collapsed
    input/output (`metadata.jupyter.source_hidden`/`outputs_hidden`) → `hide-input`/`hide-output`."""
    for cell in notebook.get("cells") or []:
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        if not isinstance(metadata, dict):
            continue
        tags = _as_list(metadata.get("tags"))
        jupyter = metadata.get("jupyter")
        if isinstance(jupyter, dict) and cell.get("cell_type") == "code":
            for flag, tag in (("source_hidden", "hide-input"), ("outputs_hidden", "hide-output")):
                if jupyter.get(flag) is True and tag not in tags:
                    tags.append(tag)
        if tags or "tags" in metadata:
            metadata["tags"] = tags


def drop_removed_streams(notebook) -> None:
    """`remove-stdout`/`remove-stderr` (myst-nb): those streams are left out of the page."""
    for cell in notebook.cells:
        tags = cell.metadata.get("tags") or []
        dropped = {name for name in ("stdout", "stderr") if f"remove-{name}" in tags}
        if dropped and cell.cell_type == "code":
            cell.outputs = [
                output
                for output in cell.outputs
                if not (output.get("output_type") == "stream" and output.get("name") in dropped)
            ]


def _as_list(tags) -> list[str]:
    if isinstance(tags, str):
        return [tag for tag in _SEPARATORS.split(tags.strip("[] ")) if tag]
    if isinstance(tags, list):
        return [str(tag) for tag in tags]
    return []
