"""The two files a SCORM 1.2 package adds to the site: `imsmanifest.xml` (what the LMS reads) and
the launch page `scorm.html` (the one SCO: it owns the API session and shows the site in a frame)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from coursegen.export.source import LoadedCourse
from coursegen.model import Page, PageKind

LAUNCH_PAGE = "scorm.html"
LAUNCH_SCRIPT = "static/scorm/launch.js"
PAGE_SCRIPT = "static/scorm/page.js"
SCO_ID = "coursegen-sco"


def imsmanifest(loaded: LoadedCourse, identifier: str, files: Iterable[str]) -> str:
    """The course as one organisation: its sections and lessons as items, in reading order, every
    item launching the one SCO (`scorm.html?page=…`); the first item, the course itself, opens
    where the learner left off."""
    title = escape(loaded.config.title, quote=False)
    items = [
        f'      <item identifier="item-home" identifierref="{SCO_ID}" isvisible="true"><title>{title}</title></item>'
    ]
    counter = itertools.count(1)
    for child in loaded.course.home.children:
        items += _items(child, counter, "      ")
    file_lines = "\n".join(f'      <file href="{escape(name)}"/>' for name in files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{escape(identifier)}" version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="course">
    <organization identifier="course">
      <title>{title}</title>
{chr(10).join(items)}
    </organization>
  </organizations>
  <resources>
    <resource identifier="{SCO_ID}" type="webcontent" adlcp:scormtype="sco" href="{LAUNCH_PAGE}">
{file_lines}
    </resource>
  </resources>
</manifest>
"""


def _items(page: Page, counter, indent: str) -> list[str]:
    if not (page.is_section or page.kind is PageKind.LESSON):
        return []
    number = next(counter)
    opening = f'{indent}<item identifier="item-{number}" identifierref="{SCO_ID}" isvisible="true" parameters="?page={escape(_query(page.url))}">'
    title = f"{indent}  <title>{escape(page.title, quote=False)}</title>"
    children = (
        [line for child in page.children for line in _items(child, counter, indent + "  ")]
        if page.is_section
        else []
    )
    return [opening, title, *children, f"{indent}</item>"]


def _query(url: str) -> str:
    return quote(url, safe="/")


def launch_page(loaded: LoadedCourse, settings: dict) -> str:
    """The SCO: a frame for the course, the course's lists for launch.js as JSON."""
    data = json.dumps(settings, ensure_ascii=False).replace("</", "<\\/")
    title = escape(loaded.config.title)
    return f"""<!doctype html>
<html lang="{escape(loaded.config.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>html, body, iframe {{ margin: 0; border: 0; width: 100%; height: 100%; display: block; }}</style>
<script type="application/json" id="coursegen-scorm">{data}</script>
<script src="{LAUNCH_SCRIPT}" defer></script>
</head>
<body>
<iframe id="course" title="{title}"></iframe>
</body>
</html>
"""
