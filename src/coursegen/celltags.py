"""Cell tags as Jupyter Book reads them, in every form authors and tools write them.

The tags themselves are applied by the notebook template (`hide-input`, `hide-output`,
`hide-cell`: collapsed `<details>`), nbconvert's TagRemovePreprocessor (`remove-cell`,
`remove-input`, `remove-output`) and nbclient (`raises-exception`: an error expected while
running). Here the other forms become `metadata.tags` first.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[,\s]+")


def normalise_tags(notebook) -> None:
    """`tags: "hide-input, remove-output"` (a string, as hand-written MyST options sometimes are) → a
    list; JupyterLab's collapsed input/output (`metadata.jupyter.source_hidden`/`outputs_hidden`)
    → `hide-input`/`hide-output`; `remove-stdout`/`remove-stderr` (myst-nb) drop those streams."""
    for cell in notebook.cells:
        tags = _as_list(cell.metadata.get("tags"))
        jupyter = cell.metadata.get("jupyter")
        if isinstance(jupyter, dict) and cell.cell_type == "code":
            for flag, tag in (("source_hidden", "hide-input"), ("outputs_hidden", "hide-output")):
                if jupyter.get(flag) is True and tag not in tags:
                    tags.append(tag)
        if tags or "tags" in cell.metadata:
            cell.metadata["tags"] = tags
        if cell.cell_type == "code" and cell.get("outputs"):
            dropped = {name for name in ("stdout", "stderr") if f"remove-{name}" in tags}
            if dropped:
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
