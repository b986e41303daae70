"""Downloads for course.yml `remote_assets: fetch`.

Only http and https (redirects included), only images, audio and video: the type the server
declares and the file's first bytes must both say so — a web page answered with 200 for an image
address is refused. Each file has a size limit, each connection and read a time limit, and all
the downloads of a build one time budget; a few run at once. What was downloaded is kept in
`.coursegen-cache/remote/`, so a later build needs no network for it (the cache is never
re-checked against the server: delete it, or build with --clean, to download again).

SVG files are kept only when they are inert: one with scripts, event handlers, `javascript:`
addresses or embedded HTML is refused. In an `<img>` a browser would not run them, but the copy
published with the site could be opened on its own, from the site's own address.

Hosts of the local network are not refused (a school's own image server is a fair source): what a
contributed page could make the build fetch from them is published only if it is media.
"""

from __future__ import annotations

import hashlib
import html
import http.client
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from coursegen import __version__
from coursegen.cache import CACHE_DIR, write_bytes_atomically, write_text_atomically
from coursegen.config import RemoteAssetSettings

USER_AGENT = f"coursegen/{__version__} (course site generator; keeps copies of the media a course shows, for offline reading)"
WORKERS = 4  # downloads at once: enough to hide latency, few enough to be polite to one host
CHUNK = 64 * 1024
MAX_REDIRECTS = 5
_MEDIA_FAMILIES = ("image", "audio", "video")
_GENERIC_TYPES = ("", "application/octet-stream", "binary/octet-stream")  # the bytes decide


@dataclass(frozen=True)
class Copy:
    """A downloaded file: its name in the site's `_remote/` folder (content digest + extension),
    and where its bytes are (a cache file, or in memory when the build has no cache)."""

    name: str
    path: Path | None = None
    data: bytes | None = None


class FetchFailed(Exception):
    """A download that did not give a media file; the message says why, for the author."""


class RemoteCache:
    """`.coursegen-cache/remote/`: the downloaded files under their site names, and `index.json`
    mapping each address to its file."""

    def __init__(self, root: Path, read_only: bool = False):
        self.folder = root / CACHE_DIR / "remote"
        self.read_only = read_only
        try:
            index = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        self.index: dict[str, str] = index if isinstance(index, dict) else {}
        self._changed = False

    def get(self, address: str) -> Copy | None:
        name = self.index.get(address)
        if not isinstance(name, str) or "/" in name or not (self.folder / name).is_file():
            return None
        return Copy(name, self.folder / name)

    def put(self, address: str, copy: Copy) -> Copy:
        """Keep `copy` (in memory) as the file for `address`; the copy as stored, or as it is when
        it can't be stored (a read-only cache, a full disk)."""
        if (
            self.read_only
            or copy.data is None
            or not write_bytes_atomically(self.folder / copy.name, copy.data)
        ):
            return copy
        self.index[address] = copy.name
        self._changed = True
        return Copy(copy.name, self.folder / copy.name)

    def save(self) -> None:
        if self._changed:
            write_text_atomically(
                self.folder / "index.json",
                json.dumps(self.index, ensure_ascii=False, sort_keys=True, indent=0),
            )
            self._changed = False


def fetch_all(
    addresses: list[str],
    settings: RemoteAssetSettings,
    cache: RemoteCache | None,
    download: bool,
    failed_before: dict[str, FetchFailed] | None = None,
) -> dict[str, Copy | FetchFailed | None]:
    """Each address → its copy (from the cache, or downloaded now), the reason it could not be
    downloaded, or None when it is not in the cache and `download` is False. An address in
    `failed_before` (serve's session) is not tried again; a new failure is added to it."""
    from coursegen.session import NOT_FETCHED_AGAIN

    results: dict[str, Copy | FetchFailed | None] = {}
    missing = []
    for address in dict.fromkeys(addresses):
        cached = cache.get(address) if cache is not None else None
        results[address] = cached
        if cached is None and failed_before and address in failed_before:
            results[address] = FetchFailed(f"{failed_before[address]} ({NOT_FETCHED_AGAIN})")
        elif cached is None and download:
            missing.append(address)
    if not missing:
        return results
    deadline = time.monotonic() + settings.total_timeout
    with ThreadPoolExecutor(min(WORKERS, len(missing)), thread_name_prefix="coursegen-fetch") as pool:
        for address, outcome in zip(
            missing, pool.map(lambda address: _try_download(address, settings, deadline), missing)
        ):
            results[address] = (
                cache.put(address, outcome) if isinstance(outcome, Copy) and cache is not None else outcome
            )
            if isinstance(outcome, FetchFailed) and failed_before is not None:
                failed_before[address] = outcome
    if cache is not None:
        cache.save()
    return results


def _try_download(address: str, settings: RemoteAssetSettings, deadline: float) -> Copy | FetchFailed:
    try:
        data, media_type = download(address, settings, deadline)
    except FetchFailed as failure:
        return failure
    return Copy(hashlib.sha256(data).hexdigest()[:16] + _EXTENSIONS[media_type], data=data)


def download(address: str, settings: RemoteAssetSettings, deadline: float) -> tuple[bytes, str]:
    """The bytes at `address` and their media type, as sniffed; raises FetchFailed."""
    if urlsplit(address).scheme not in ("http", "https"):
        raise FetchFailed("only http and https addresses are downloaded")
    if time.monotonic() > deadline:
        raise FetchFailed(_over_budget(settings))
    request = urllib.request.Request(
        address, headers={"User-Agent": USER_AGENT, "Accept": "image/*, audio/*, video/*;q=0.9, */*;q=0.1"}
    )
    try:
        with _opener().open(request, timeout=settings.timeout) as response:
            declared = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if declared not in _GENERIC_TYPES and declared.split("/")[0] not in _MEDIA_FAMILIES:
                what = "a web page" if declared in ("text/html", "application/xhtml+xml") else declared
                raise FetchFailed(
                    f"the server answered with {what} ({declared}), not an image, a sound or a video"
                )
            data = _read_within_limits(response, settings, deadline)
    except urllib.error.HTTPError as error:
        error.close()
        if 300 <= error.code < 400:
            raise FetchFailed(f"too many redirections (more than {MAX_REDIRECTS})") from None
        raise FetchFailed(f"the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FetchFailed(_network_reason(error.reason, settings)) from None
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise FetchFailed(_network_reason(error, settings)) from None
    return data, _checked_type(data, declared)


def _read_within_limits(response, settings: RemoteAssetSettings, deadline: float) -> bytes:
    limit = int(settings.max_size_mb * 1_000_000)
    limit_text = f"{settings.max_size_mb:g} MB (remote_assets.max_size_mb)"
    length = (response.headers.get("Content-Length") or "").strip()
    if length.isdigit() and int(length) > limit:  # announced: refused before reading it
        raise FetchFailed(f"the file is {int(length) / 1e6:.3g} MB, bigger than {limit_text}")
    too_big = f"the file is bigger than {limit_text}"
    chunks, size = [], 0
    # read1: what one read of the socket gives, so that a server dripping bytes meets the deadline
    while chunk := response.read1(CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchFailed(too_big)
        if time.monotonic() > deadline:
            raise FetchFailed(_over_budget(settings))
        chunks.append(chunk)
    return b"".join(chunks)


def _checked_type(data: bytes, declared: str) -> str:
    """The media type of `data` by its first bytes; it must agree with what the server declared."""
    sniffed = sniff(data)
    if sniffed is None:
        looks = (
            "it looks like a web page"
            if re.match(rb"\s*(<!doctype html|<html|<head|<body)", data[:512], re.IGNORECASE)
            else "its bytes are of no known media format"
        )
        raise FetchFailed(
            f"the file is not an image, a sound or a video ({looks}; the server called it "
            f"{declared or 'nothing'})"
        )
    if declared not in _GENERIC_TYPES and declared.split("/")[0] not in _families(sniffed):
        raise FetchFailed(f"the server called it {declared} but the file is {sniffed}")
    if sniffed == "image/svg+xml" and _ACTIVE_SVG.search(html.unescape(data.decode("utf-8", "replace"))):
        raise FetchFailed(
            "the SVG carries scripts, event handlers or embedded HTML, which the site would publish (refused)"
        )
    return sniffed


# first bytes → media type; the extension names the site's copy
_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/avif": ".avif",
    "image/bmp": ".bmp",
    "image/x-icon": ".ico",
    "image/tiff": ".tif",
    "image/svg+xml": ".svg",
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "audio/flac": ".flac",
    "audio/ogg": ".ogg",
    "audio/mp4": ".m4a",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
}
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
    (b"\x1a\x45\xdf\xa3", "video/webm"),
)
# an XML declaration, comments and a doctype (Illustrator's declares entities in it) may come first
_SVG = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!doctype\s+svg[^>\[]*(?:\[.*?\]\s*)?>\s*)*<svg[\s>]",
    re.IGNORECASE | re.DOTALL,
)
# looked for once character references are decoded (`&#106;avascript:`)
_ACTIVE_SVG = re.compile(
    r"<script|<foreignobject|<iframe|<embed|<object|[\s\"'/]on[a-z]+\s*=|javascript:", re.IGNORECASE
)


def sniff(data: bytes) -> str | None:
    """The media type `data` starts like, or None."""
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE"):
        return "image/webp" if data[8:12] == b"WEBP" else "audio/wav"
    if data[4:8] == b"ftyp":  # ISO media: the brand says which
        brand = data[8:12]
        return {
            b"avif": "image/avif",
            b"avis": "image/avif",
            b"M4A ": "audio/mp4",
            b"qt  ": "video/quicktime",
        }.get(brand, "video/mp4")
    if len(data) > 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:  # an MPEG audio frame
        return "audio/mpeg"
    if _SVG.match(data[:8192].removeprefix(b"\xef\xbb\xbf")):
        return "image/svg+xml"
    return None


def _families(media_type: str) -> tuple[str, ...]:
    """Containers that hold sound or picture alike are declared either way."""
    if media_type in ("video/webm", "audio/ogg", "video/mp4", "audio/mp4"):
        return ("audio", "video")
    return (media_type.split("/")[0],)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            fp.close()
            raise FetchFailed(f"the server redirected to '{newurl}', which is not an http address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_HttpOnlyRedirects)


def _network_reason(reason, settings: RemoteAssetSettings) -> str:
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"no answer within {settings.timeout:g} s (remote_assets.timeout)"
    if isinstance(reason, ConnectionRefusedError):
        return "the server refused the connection (is it down?)"
    if isinstance(reason, socket.gaierror):
        return "the host name could not be resolved (offline, or a typo in the address?)"
    if isinstance(reason, ssl.SSLError):
        return f"the secure connection failed ({getattr(reason, 'reason', None) or reason})"
    if isinstance(reason, OSError) and reason.strerror:
        return f"the download failed ({reason.strerror})"
    return f"the download failed ({reason})"


def _over_budget(settings: RemoteAssetSettings) -> str:
    return f"the downloads took longer than {settings.total_timeout:g} s in all (remote_assets.total_timeout)"
