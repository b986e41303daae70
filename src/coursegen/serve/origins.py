"""Who may ask the preview: its own address only (the Host header: no DNS rebinding), and no other
web site. The preview is private to its author: another web site open in the same browser may link
to it (a top-level navigation), but never read it — no `<script src>`, `fetch`, `<img>` or frame
from another origin gets an answer. Browsers say where a request comes from in `Sec-Fetch-Site` (and
`Sec-Fetch-Mode`/`Sec-Fetch-Dest`); older ones only in `Origin` or `Referer`, checked then."""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Callable
from email.message import Message

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
# Sec-Fetch-Site values of requests the author made: from the preview's own pages, or typed/bookmarked
OWN_SITES = frozenset({"same-origin", "none"})
REFUSAL = (
    "403 Forbidden: this preview answers only to its own pages and to the address bar; "
    "a request made by another web site ({why}) was refused.\n"
)


def cross_site_refusal(headers: Message, allowed_origin: Callable[[list[str]], bool]) -> str | None:
    """Why the request comes from another site (the body of a 403), or None if it may be answered.
    `allowed_origin` tells whether an origin (`http://host:port`) is the preview's own."""
    site = headers.get_all("Sec-Fetch-Site")
    if site is not None:
        value = site[0].strip().lower() if len(site) == 1 else "several values"
        if value in OWN_SITES or _top_level_navigation(headers):
            return None
        return REFUSAL.format(why=f"Sec-Fetch-Site: {value}")
    origin = headers.get_all("Origin")
    if origin is not None:
        return None if allowed_origin(origin) else REFUSAL.format(why="Origin of another site")
    referer = headers.get_all("Referer")
    if referer is not None:
        return (
            None if allowed_origin([_origin_of(referer)]) else REFUSAL.format(why="Referer of another site")
        )
    return None  # no browser said anything: curl, a script of the author's


def _top_level_navigation(headers: Message) -> bool:
    """A link followed (or a bookmark opened) in a tab: the page replaces the other site's one."""
    mode = (headers.get("Sec-Fetch-Mode") or "").strip().lower()
    dest = (headers.get("Sec-Fetch-Dest") or "").strip().lower()
    return mode == "navigate" and dest == "document"


def _origin_of(referer: list[str]) -> str:
    """`http://host:port` of a Referer (an empty string when there are several or it is malformed)."""
    if len(referer) != 1:
        return ""
    try:
        parts = urllib.parse.urlsplit(referer[0].strip())
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    except ValueError:
        return ""


class HostPolicy:
    """Which Host and Origin headers name this preview: a loopback name, the --host given, or (when
    it listens on every interface) an IP address — never another DNS name."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port

    def allowed_host(self, values: list[str]) -> bool:
        """The Host header names this server (loopback, or the --host given): no DNS rebinding."""
        if len(values) != 1:
            return False
        parsed = _split_host(values[0].strip())
        return parsed is not None and self.allowed_name(*parsed)

    def allowed_origin(self, values: list[str]) -> bool:
        if len(values) != 1:
            return False
        try:
            origin = urllib.parse.urlsplit(values[0].strip())
            port = origin.port
        except ValueError:
            return False
        if origin.scheme != "http" or not origin.hostname or origin.path or origin.query:
            return False
        return self.allowed_name(origin.hostname.lower(), port if port is not None else 80)

    def allowed_name(self, name: str, port: int | None) -> bool:
        if port is not None and port != self.port:
            return False
        if name in LOOPBACK_NAMES or name == self.host.lower().strip("[]"):
            return True
        if self.host in WILDCARD_HOSTS:  # visible on the network: any IP address, never a DNS name
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _split_host(value: str) -> tuple[str, int | None] | None:
    """'name', 'name:port', '[v6]' or '[v6]:port' → (lowercase name, port or None); None if malformed."""
    if not value:
        return None
    port_text = ""
    if value.startswith("["):
        end = value.find("]")
        if end == -1:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port_text = rest[1:]
    else:
        name, _, port_text = value.partition(":")
        if ":" in port_text:
            return None
    if port_text:
        if not port_text.isdigit() or len(port_text) > 5:
            return None
        return name.lower(), int(port_text)
    return name.lower(), None
