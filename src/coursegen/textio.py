"""Reading source text: UTF-8 only, BOM and CRLF tolerated, errors located at the offending byte."""

from __future__ import annotations

from pathlib import Path

from coursegen.errors import Diagnostics


def decode_text(data: bytes, rel: str, diagnostics: Diagnostics) -> str | None:
    """Decode UTF-8 bytes to text with '\\n' newlines; report the first bad byte with its line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = error.start - (before.rfind(b"\n") + 1) + 1
        byte = data[error.start : error.start + 1].hex()
        diagnostics.error(
            rel,
            f"not valid UTF-8 (byte 0x{byte})",
            "save the file as UTF-8 in your editor (it was probably saved as Latin-1/Windows-1252)",
            line=line,
            col=col,
            kind="encoding",
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, rel: str, diagnostics: Diagnostics) -> str | None:
    try:
        data = path.read_bytes()
    except OSError as error:
        diagnostics.error(
            rel,
            f"cannot read the file ({error.strerror})",
            "check that it exists and is readable",
            kind="files",
        )
        return None
    return decode_text(data, rel, diagnostics)
