"""`coursegen export scorm`: the site as one SCORM 1.2 SCO.

The package is unzipped, served on 127.0.0.1 and run in headless Chromium under scorm-again's
Scorm12API (npm, pinned, installed by the tests) as the LMS: a harness page owns `window.API` and
opens the package's launch page in a frame, as an LMS's player does.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import threading
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, copy_fixture, run_build
from npm_tools import node, npm_package

from coursegen.export import export

NS = {
    "cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
}
LESSONS = [
    "01_probabilites/01_evenements.html",
    "01_probabilites/02_variables.html",
    "02_inference/01_tests.html",
    "02_inference/02_intervalles.html",
]


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    course = copy_fixture("lms", tmp_path_factory.mktemp("scorm"))
    result = export(course, "scorm")
    assert result.path == course / "lms-scorm.zip" and result.lessons == 4
    assert not result.diagnostics.errors
    return result.path


@pytest.fixture(scope="module")
def unzipped(package, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("served") / "package"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(folder)
    return folder


def test_manifest_is_one_sco_with_the_course_as_items(package):
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.findtext("cp:metadata/cp:schemaversion", namespaces=NS) == "1.2"
    resources = manifest.findall("cp:resources/cp:resource", NS)
    assert len(resources) == 1
    sco = resources[0]
    assert (sco.get("href"), sco.get(f"{{{NS['adlcp']}}}scormtype"), sco.get("type")) == (
        "scorm.html",
        "sco",
        "webcontent",
    )
    listed = {f.get("href") for f in sco.findall("cp:file", NS)}
    assert listed == names - {"imsmanifest.xml"}  # every file listed, every listed file there
    organization = manifest.find("cp:organizations/cp:organization", NS)
    assert manifest.find("cp:organizations", NS).get("default") == organization.get("identifier")
    items = organization.findall(".//cp:item", NS)
    assert {item.get("identifierref") for item in items} == {sco.get("identifier")}
    outline = [
        (item.findtext("cp:title", namespaces=NS), item.get("parameters"))
        for item in organization.findall("cp:item", NS)
    ]
    assert outline == [
        ("Statistiques : premiers pas {niveau 1}", None),
        ("Module 1 — Probabilités", "?page=01_probabilites/index.html"),
        ("Module 2 — Inférence : tests et intervalles", "?page=02_inference/index.html"),
    ]
    lessons = [
        item.get("parameters")
        for module in organization.findall("cp:item", NS)[1:]
        for item in module.findall("cp:item", NS)
    ]
    assert lessons == [f"?page={url}" for url in LESSONS]


def test_pages_load_the_package_script_and_the_web_site_does_not(package, tmp_path):
    with zipfile.ZipFile(package) as archive:
        lesson = archive.read("02_inference/01_tests.html").decode("utf-8")
        home = archive.read("index.html").decode("utf-8")
        assert {"static/scorm/launch.js", "static/scorm/page.js", "scorm.html", "static/coursegen.js"} <= set(
            archive.namelist()
        )
        launch = archive.read("scorm.html").decode("utf-8")
    assert '<script src="../static/scorm/page.js"></script>\n</head>' in lesson
    assert '<script src="static/scorm/page.js"></script>' in home
    settings = json.loads(launch.split('id="coursegen-scorm">')[1].split("</script>")[0])
    assert settings["lessons"] == LESSONS and settings["score"] is True
    assert settings["quizzes"] == [
        "01_probabilites/01_evenements.html#1",
        "01_probabilites/01_evenements.html#2",
        "01_probabilites/02_variables.html#1",
        "02_inference/01_tests.html#1",
        "02_inference/01_tests.html#2",
        "02_inference/01_tests.html#3",
    ]  # as the site shows them
    site = copy_fixture("lms", tmp_path)
    run_build(site)  # a web build publishes none of it
    assert not (site / "site/static/scorm").exists()
    assert "scorm" not in (site / "site/index.html").read_text(encoding="utf-8")


def test_the_same_course_makes_the_same_package(package, tmp_path):
    again = export(package.parent, "scorm", tmp_path / "again.zip").path
    assert again.read_bytes() == package.read_bytes()


CODEC_CHECK = """
const vm = require('vm'), fs = require('fs');
const context = {window: {}, document: {readyState: 'loading', addEventListener() {}}, btoa, atob, console};
vm.runInNewContext(fs.readFileSync(process.argv[1], 'utf8'), context);
const codec = context.window.coursegenScormCodec, n = 1000, q = 3000;
const lessons = Array.from({length: n}, (_, i) => i % 3 !== 1), quizzes = Array.from({length: q}, (_, i) => i % 7 === 0);
const full = codec.encode('0123abcd', Array(n).fill(true), Array(q).fill(true));
const back = codec.decode(codec.encode('0123abcd', lessons, quizzes), '0123abcd', n, q);
process.stdout.write(JSON.stringify({
  full: full.length,
  same: JSON.stringify(back) === JSON.stringify({lessons, quizzes}),
  other_course: codec.decode(full, 'ffffffff', n, q),
  damaged: codec.decode('1.0123abcd.@@@.x', '0123abcd', n, q),
}));
"""


def test_a_thousand_lesson_course_fits_in_suspend_data():
    done = subprocess.run(
        [node(), "-e", CODEC_CHECK, str(REPO / "static/scorm/launch.js")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    checked = json.loads(done.stdout)
    assert checked["full"] <= 4096, checked  # 1,000 lessons and 3,000 quizzes: 1.2 KB of SCORM 1.2's 4 KB
    assert checked["same"] and checked["other_course"] is None and checked["damaged"] is None


# ----------------------------------------------------------------------------------- in a browser

HARNESS = """<!doctype html>
<meta charset="utf-8">
<title>LMS</title>
<link rel="icon" href="data:,">
<script src="scorm12.js"></script>
<script>
  window.API = new Scorm12API({autocommit: false, logLevel: 5});
  window.calls = [];
  var seed = SEED;
  if (seed) API.loadFromJSON(seed);
  ["LMSInitialize", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSFinish"].forEach(function (name) {
    var real = API[name].bind(API);
    API[name] = function () {
      var result = real.apply(null, arguments);
      calls.push({name: name, args: Array.prototype.slice.call(arguments), result: result, error: String(API.LMSGetLastError())});
      return result;
    };
  });
</script>
<iframe id="sco" src="package/scorm.html" style="width: 100%; height: 90vh"></iframe>
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="module")
def lms(unzipped):
    """The package and the harness pages, served on 127.0.0.1 from a thread."""
    root = unzipped.parent
    (root / "scorm12.js").write_bytes((npm_package("scorm-again") / "dist/scorm12.js").read_bytes())
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, name="lms-server", daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    from screenshot import CHROMIUM, launch

    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing — CI must not skip the browser tests")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def open_harness(browser, lms, name: str, seed: dict | None):
    root, base = lms
    (root / name).write_text(HARNESS.replace("SEED", json.dumps(seed)), encoding="utf-8")
    page = browser.new_page()
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"error: {error}"))
    page.goto(base + name)
    return page, messages


def course_frame(page):
    return page.frame_locator("#sco").frame_locator("#course")


def shown(page) -> str:
    """The page the package shows, relative to the package."""
    return page.evaluate(
        "() => document.getElementById('sco').contentWindow.document.getElementById('course').contentWindow.location.pathname"
    ).split("/package/", 1)[1]


def finish(page) -> list[dict]:
    """The learner leaves: the LMS's player removes the launch page; the calls the SCO made."""
    page.evaluate("() => document.getElementById('sco').remove()")
    calls = page.evaluate("() => calls")
    return calls


def assert_all_accepted(calls: list[dict]) -> None:
    refused = [
        call
        for call in calls
        if call["error"] != "0" or (call["name"] != "LMSGetValue" and call["result"] != "true")
    ]
    assert not refused, refused
    assert [call["name"] for call in calls].count("LMSInitialize") == 1
    assert [call["name"] for call in calls].count("LMSFinish") == 1 and calls[-1]["name"] == "LMSFinish"


def values_set(calls: list[dict], element: str) -> list[str]:
    return [call["args"][1] for call in calls if call["name"] == "LMSSetValue" and call["args"][0] == element]


@pytest.mark.browser
def test_a_learner_completes_the_course_and_comes_back(browser, lms):
    page, messages = open_harness(browser, lms, "first.html", None)
    frame = course_frame(page)
    frame.locator(".site-header .brand").wait_for()
    assert shown(page) == "index.html"
    for lesson in LESSONS:  # through the whole course by its own "next" links
        while shown(page) != lesson:
            frame.locator("a[rel=next]").first.click()
            frame.locator("body").wait_for()
            page.wait_for_function(
                "() => document.getElementById('sco').contentWindow.document.getElementById('course').contentDocument.readyState === 'complete'"
            )
        if lesson == LESSONS[0]:  # the first quiz, answered right
            frame.locator("form.quiz").first.locator("input[data-correct]").check()
            frame.locator("form.quiz").first.locator(".quiz-check").click()
        frame.locator("button[data-done]").click()
        assert "is-done" in (frame.locator("button[data-done]").get_attribute("class") or "")
    assert page.evaluate("() => API.cmi.core.lesson_status") == "completed"
    calls = finish(page)
    assert_all_accepted(calls)
    statuses = values_set(calls, "cmi.core.lesson_status")
    assert statuses[0] == "incomplete" and statuses[-1] == "completed" and statuses.count("completed") == 1
    assert values_set(calls, "cmi.core.lesson_location")[-1] == LESSONS[-1]
    assert values_set(calls, "cmi.core.score.raw")[-1] == "17"  # 1 quiz of 6
    assert values_set(calls, "cmi.core.exit") == ["suspend"]
    assert len(values_set(calls, "cmi.suspend_data")[-1]) < 30
    commits = [i for i, call in enumerate(calls) if call["name"] == "LMSCommit"]
    for i, call in enumerate(calls):  # every change is committed before the next one
        if call["name"] == "LMSSetValue" and call["args"][0] in (
            "cmi.suspend_data",
            "cmi.core.lesson_location",
        ):
            assert any(c > i for c in commits), call
    cmi = page.evaluate("() => API.renderCMIToJSONObject(API.cmi, true).cmi")
    assert not [m for m in messages if m.startswith(("error", "warning"))], messages
    page.close()

    seed = {
        "core": {
            "lesson_status": cmi["core"]["lesson_status"],
            "lesson_location": cmi["core"]["lesson_location"],
            "entry": "resume",
            "score": cmi["core"]["score"],
        },
        "suspend_data": cmi["suspend_data"],
    }
    page, messages = open_harness(browser, lms, "second.html", seed)
    frame = course_frame(page)
    frame.locator("button[data-done]").wait_for()
    assert shown(page) == LESSONS[-1]  # back where the learner left
    assert "is-done" in (frame.locator("button[data-done]").get_attribute("class") or "")
    frame.locator(".site-header .brand").click()
    bars = frame.locator("[data-progress]")  # the course's bar and each module card's
    bars.first.wait_for()
    assert bars.count() == 3
    for i in range(3):
        assert bars.nth(i).locator("[aria-valuenow]").get_attribute("aria-valuenow") == bars.nth(
            i
        ).get_attribute("data-total")
    frame.locator(".card a[href]").first.click()  # the first module: every lesson card says done
    badges = frame.locator("[data-lesson] .badge-done")
    badges.first.wait_for()
    assert badges.count() == 2 and all(badges.nth(i).is_visible() for i in range(2))
    calls = finish(page)
    assert_all_accepted(calls)
    assert values_set(calls, "cmi.core.lesson_status") == []  # nothing to change: still completed
    assert page.evaluate("() => API.cmi.core.lesson_status") == "completed"
    assert not [m for m in messages if m.startswith(("error", "warning"))], messages
    page.close()


@pytest.mark.browser
def test_outside_an_lms_progress_stays_in_the_browser(browser, lms):
    _, base = lms
    page = browser.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(base + f"package/scorm.html?page={LESSONS[1]}")
    frame = page.frame_locator("#course")
    frame.locator("button[data-done]").click()
    stored = frame.locator("body").evaluate("body => localStorage.getItem(body.getAttribute('data-course'))")
    assert json.loads(stored) == {"done": {LESSONS[1]: 1}}
    assert any("no SCORM API found" in m for m in messages)
    page.close()


def test_without_done_buttons_a_lesson_is_done_once_opened(make_course):
    course = make_course(
        {
            "course.yml": "title: Sans boutons\ntheme:\n  progress: false\n",
            "content/m/index.md": "# Module\n",
            "content/m/a.md": "# A\n\nTexte.\n",
            "content/m/b.md": "# B\n\nTexte.\n",
        }
    )
    result = export(course, "scorm")
    with zipfile.ZipFile(result.path) as archive:
        launch = archive.read("scorm.html").decode("utf-8")
    settings = json.loads(launch.split('id="coursegen-scorm">')[1].split("</script>")[0])
    assert settings["lessons"] == ["m/a.html", "m/b.html"] and settings["done_on_view"] is True
    assert settings["quizzes"] == [] and settings["score"] is False
    assert result.path.name == "course-scorm.zip"
