"""The print pages' chapter packs (printing/chapter_cache.py): what is found again, what is a miss."""

from __future__ import annotations

from coursegen.printing.book import ChapterSource
from coursegen.printing.chapter_cache import ChapterCache
from coursegen.printing.chapters import ChapterPlace, ChapterRewriter

ANCHORS = {"a/one.html": "a--one", "a/two.html": "a--two"}
PLACES = [ChapterPlace("a/one.html", "a--one", 1), ChapterPlace("a/two.html", "a--two", 1)]


class CountingRewriter(ChapterRewriter):
    def __init__(self):
        super().__init__("a/print.html", ANCHORS)
        self.rewritten: list[str] = []

    def rewrite(self, body, place):
        self.rewritten.append(place.page_url)
        return super().rewrite(body, place)


def make_book(root, bodies: dict[str, str], read_only: bool = False) -> tuple[list[str], list[str]]:
    """The chapters of a two-page print page, and the pages rewritten (not found in the pack)."""
    cache = ChapterCache(root, enabled=True, read_only=read_only)
    kept = cache.book("a/print.html", ANCHORS)
    rewriter = CountingRewriter()
    chapters = [
        kept.rewritten(
            rewriter,
            ChapterSource(lambda url=place.page_url: bodies[url], name=f"body:{bodies[place.page_url]}"),
            place,
        )
        for place in PLACES
    ]
    kept.save()
    return chapters, rewriter.rewritten


def pack(root):
    (path,) = (root / ".coursegen-cache/print-chapters").glob("*.pack")
    return path


BODIES = {"a/one.html": '<h2 id="x">Un</h2><p>é</p>', "a/two.html": '<p><a href="one.html#x">lien</a></p>'}


def test_chapters_are_found_again_and_a_changed_body_alone_is_rewritten(tmp_path):
    first, rewritten = make_book(tmp_path, BODIES)
    assert first == ['<h3 id="a--one--x">Un</h3><p>é</p>', '<p><a href="#a--one--x">lien</a></p>']
    assert rewritten == ["a/one.html", "a/two.html"]
    written = pack(tmp_path).stat().st_mtime_ns
    assert make_book(tmp_path, BODIES) == (first, [])
    assert pack(tmp_path).stat().st_mtime_ns == written, "nothing changed: the pack is not written again"
    changed = {**BODIES, "a/two.html": "<p>autre</p>"}
    assert make_book(tmp_path, changed) == ([first[0], "<p>autre</p>"], ["a/two.html"])
    # the pack holds only what the print page used: the old chapter of a/two.html is gone
    assert b"lien" not in pack(tmp_path).read_bytes()


def test_a_damaged_chapter_is_a_miss_and_a_cut_pack_keeps_what_comes_before(tmp_path):
    first, _ = make_book(tmp_path, BODIES)
    data = pack(tmp_path).read_bytes()
    pack(tmp_path).write_bytes(data.replace("é".encode(), "è".encode()))  # same length, another CRC
    assert make_book(tmp_path, BODIES) == (first, ["a/one.html"])
    data = pack(tmp_path).read_bytes()
    pack(tmp_path).write_bytes(data[:-5])  # a crash in the middle of the last chapter
    assert make_book(tmp_path, BODIES) == (first, ["a/two.html"])
    pack(tmp_path).write_bytes(b"garbage")
    assert make_book(tmp_path, BODIES) == (first, ["a/one.html", "a/two.html"])


def test_a_pack_made_for_other_anchors_or_code_is_not_read(tmp_path):
    make_book(tmp_path, BODIES)
    other = ChapterCache(tmp_path, enabled=True, read_only=False).book(
        "a/print.html", {**ANCHORS, "a/three.html": "a--three"}
    )
    assert other.stored == {}


def test_packs_of_print_pages_gone_are_deleted_and_check_writes_nothing(tmp_path):
    make_book(tmp_path, BODIES)
    cache = ChapterCache(tmp_path, enabled=True, read_only=True)
    cache.prune([])
    assert pack(tmp_path).exists(), "read-only (coursegen check): nothing deleted"
    assert make_book(tmp_path, {**BODIES, "a/one.html": "<p>neuf</p>"}, read_only=True)[1] == ["a/one.html"]
    assert b"neuf" not in pack(tmp_path).read_bytes()
    ChapterCache(tmp_path, enabled=True, read_only=False).prune(["a/print.html"])
    assert pack(tmp_path).exists()
    ChapterCache(tmp_path, enabled=True, read_only=False).prune(["print.html"])
    assert not list((tmp_path / ".coursegen-cache/print-chapters").glob("*.pack"))


def test_without_a_cache_every_chapter_is_rewritten(tmp_path):
    kept = ChapterCache.disabled().book("a/print.html", ANCHORS)
    rewriter = CountingRewriter()
    assert kept.rewritten(rewriter, ChapterSource(lambda: BODIES["a/one.html"]), PLACES[0]).startswith("<h3")
    kept.save()
    assert rewriter.rewritten == ["a/one.html"] and not (tmp_path / ".coursegen-cache").exists()


def test_a_body_prepared_early_is_found_by_the_print_page_and_a_packed_one_is_not_rewritten(tmp_path):
    cache = ChapterCache(tmp_path, enabled=True, read_only=False)
    cache.expect(lambda: [("a/print.html", ANCHORS, PLACES)])
    cache.prepare("a/one.html", BODIES["a/one.html"], BODIES["a/one.html"])  # the key names the HTML here
    cache.prepare("a/elsewhere.html", "k", "<p>no print page holds it</p>")
    kept = cache.book("a/print.html", ANCHORS)
    rewriter = CountingRewriter()
    place = PLACES[0]
    source = ChapterSource(lambda: BODIES["a/one.html"], name=f"body:{BODIES['a/one.html']}")
    assert kept.rewritten(rewriter, source, place) == '<h3 id="a--one--x">Un</h3><p>é</p>'
    assert rewriter.rewritten == [], "rewritten when the body came, not again"
    kept.save()
    again = ChapterCache(tmp_path, enabled=True, read_only=False)
    counting = CountingRewriter()
    again.book("a/print.html", ANCHORS).prepare(
        counting, f"body:{BODIES['a/one.html']}", BODIES["a/one.html"], place
    )
    assert counting.rewritten == [], "already in the pack"


def make_long_book(root, bodies: dict[str, str]) -> list[str]:
    """A print page of len(bodies) chapters (no links between them): the pages rewritten."""
    anchors = {url: url.replace("/", "--")[:-5] for url in bodies}
    places = [ChapterPlace(url, anchor, 1) for url, anchor in anchors.items()]
    kept = ChapterCache(root, enabled=True, read_only=False).book("a/print.html", anchors)
    rewriter = ChapterRewriter("a/print.html", anchors)
    rewritten = []
    for place in places:
        body = bodies[place.page_url]

        def load(body=body, url=place.page_url):
            rewritten.append(url)
            return body

        kept.rewritten(rewriter, ChapterSource(load, name=f"body:{body}"), place)
    kept.save()
    return rewritten


def test_an_edit_appends_its_chapter_and_the_pack_is_written_anew_once_a_quarter_is_unused(tmp_path):
    bodies = {f"a/p{n:02}.html": f"<p>page {n}</p>" for n in range(20)}
    assert len(make_long_book(tmp_path, bodies)) == 20
    before = pack(tmp_path).read_bytes()
    for edit in range(5):  # five edits: 5 stale chapters of 20 used, a quarter, still appended
        bodies["a/p03.html"] = f"<p>page 3, édition {edit}</p>"
        assert make_long_book(tmp_path, bodies) == ["a/p03.html"]
        grown = pack(tmp_path).read_bytes()
        assert grown.startswith(before) and grown.endswith(f"édition {edit}</p>\n".encode()), "appended"
        before = grown
    assert make_long_book(tmp_path, bodies) == [], "every chapter found again, the last one appended too"
    bodies["a/p03.html"] = "<p>page 3, encore</p>"
    assert make_long_book(tmp_path, bodies) == ["a/p03.html"]
    rewritten = pack(tmp_path).read_bytes()
    assert b"dition" not in rewritten and b"encore" in rewritten, (
        "6 unused: written anew, with only what is used"
    )
    assert len(rewritten) < len(before)
    assert make_long_book(tmp_path, bodies) == []


def test_nothing_is_appended_after_a_pack_cut_short_or_damaged(tmp_path):
    bodies = {f"a/p{n:02}.html": f"<p>page {n}</p>" for n in range(8)}
    make_long_book(tmp_path, bodies)
    whole = pack(tmp_path).read_bytes()
    pack(tmp_path).write_bytes(whole[:-3])  # a crash while the last chapter was appended
    assert make_long_book(tmp_path, bodies) == ["a/p07.html"]
    assert pack(tmp_path).read_bytes() == whole, "written anew: an appended chapter would follow the cut one"
    pack(tmp_path).write_bytes(whole.replace(b"page 2", b"page X"))  # same length, another CRC
    bodies["a/p05.html"] = "<p>cinq</p>"
    assert make_long_book(tmp_path, bodies) == ["a/p02.html", "a/p05.html"]
    assert b"page X" not in pack(tmp_path).read_bytes(), "written anew: no damaged bytes kept"
    assert make_long_book(tmp_path, bodies) == []
