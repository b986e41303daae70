"""Content tabs (`=== "Linux"`, pymdownx.tabbed with alternate_style): each panel also carries its
tab's label, shown only in print, where every panel is printed one after the other."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown.treeprocessors import Treeprocessor


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
