"""Form controls the Markdown extensions write, made complete for every reader: content tabs
(`=== "Linux"`, pymdownx.tabbed with alternate_style) carry their label in each panel, shown only in
print where every panel is printed; task-list checkboxes (`- [x] fait`) are named by their item."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX

_PLACEHOLDER = re.compile(re.escape(STX) + "[^" + re.escape(ETX) + "]*" + re.escape(ETX))
_PLACEHOLDER_INDEX = re.compile(re.escape(STX) + r"wzxhzdk:(\d+)" + re.escape(ETX))


class TabPrintLabels(Treeprocessor):
    def run(self, root):
        for tab_set in root.iter("div"):
            if "tabbed-set" not in (tab_set.get("class") or "").split():
                continue
            labels = next((child for child in tab_set if child.get("class") == "tabbed-labels"), None)
            content = next((child for child in tab_set if child.get("class") == "tabbed-content"), None)
            if labels is None or content is None:
                continue
            for label, block in zip(labels, content):
                printed = etree.Element("p", {"class": "tabbed-print-label", "aria-hidden": "true"})
                printed.text = "".join(label.itertext())
                block.insert(0, printed)
        return None


class TaskListLabels(Treeprocessor):
    """pymdownx.tasklist writes `<li><input type="checkbox" disabled> text</li>` (stashed HTML at the
    start of the item's text): a control with no name for screen readers. The item's own words (not
    those of a nested list) become its name."""

    def run(self, root):
        stash = self.md.htmlStash.rawHtmlBlocks
        for item in root.iter("li"):
            if "task-list-item" not in (item.get("class") or ""):
                continue
            holder = item if (item.text or "").startswith(STX) else next(iter(item), None)
            found = _PLACEHOLDER_INDEX.match((holder.text or "") if holder is not None else "")
            if (
                not found
                or int(found.group(1)) >= len(stash)
                or not isinstance(stash[int(found.group(1))], str)
            ):
                continue
            words = [holder.text[found.end() :]]
            for child in holder:
                if child.tag in ("ul", "ol", "p", "div"):
                    break
                words += ["".join(child.itertext()), child.tail or ""]
            name = " ".join(_PLACEHOLDER.sub("", "".join(words)).split())
            if name:
                index = int(found.group(1))
                stash[index] = stash[index].replace("<input ", f'<input aria-label="{html.escape(name)}" ', 1)
        return None
