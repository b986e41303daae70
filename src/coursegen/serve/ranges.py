"""Byte ranges (RFC 9110 §14) and streaming for the preview: a video or a large download is sent
in chunks straight from the open file, never read whole, and `Range: bytes=…` gets 206 (Safari
plays a video only then). One range is answered; several (`bytes=0-1,5-9`) get the whole file
with 200, which RFC 9110 allows, rather than a multipart body no page of a course needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 64 * 1024  # bytes read and written at a time
_SINGLE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


UNSATISFIABLE = ByteRange(-1, -2)  # a Range that names no byte of the file: 416


def requested_range(values: list[str] | None, if_range: list[str] | None, size: int) -> ByteRange | None:
    """The one range to send of a file of `size` bytes, UNSATISFIABLE, or None for the whole file
    (no Range, a malformed one, several ranges, or an If-Range: the preview has no validator that
    could match it, so the whole file is the safe answer)."""
    if not values or len(values) != 1 or if_range:
        return None
    match = _SINGLE.fullmatch(values[0].strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # bytes=-n: the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid syntax, ignored
    if start >= size:
        return UNSATISFIABLE
    return ByteRange(start, min(end, size - 1))


def stream(source: BinaryIO, sink: BinaryIO, start: int, length: int) -> None:
    """Copy `length` bytes of `source` from `start` to `sink`, a chunk at a time. A file that became
    shorter meanwhile ends the copy early (the client sees fewer bytes than announced and retries)."""
    source.seek(start)
    left = length
    while left > 0:
        chunk = source.read(min(CHUNK, left))
        if not chunk:
            raise ConnectionAbortedError("the file became shorter while it was sent")
        sink.write(chunk)
        left -= len(chunk)
