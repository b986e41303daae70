"""`coursegen serve`: build into a temporary folder, serve it, rebuild on change, reload the browser.

Threads (everything but the HTTP handlers is one of these):
  * the builder (`_build_loop`): the only thread that builds or writes the preview folder. It sleeps
    until the watchers report a change, waits until changes stop for `debounce` seconds (an atomic
    save or a 200-file `git checkout` is one batch), takes every pending change and rebuilds once;
    changes that arrive meanwhile are pending again, hence exactly one more rebuild after it.
  * two watchers (watch.py) that only add paths to the pending set.
  * the HTTP server loop and one thread per connection (idle connections time out).

One `Condition` guards the state. The builder writes (sync_site, or a direct copy) while holding it,
and a request opens its file while holding it (a page is read whole; any other file is streamed
from the open file afterwards, and the builder replaces a changed file by a new one rather than
rewriting it), so a page or a download is never seen half-written. A request first
waits (at most `request_wait` seconds) while changes are pending or a build runs, so a reload after
a save shows the new page. Each build that changes the site or its errors bumps the `epoch`; the
event channel (`/__coursegen__/events`, Server-Sent Events) sends the epoch and the server's instance
id, and the script injected into every HTML response reloads the page when either differs from the
ones it was served with (and reconnects, with back-off, when the server restarts).

A failed build keeps the last good site and adds an overlay listing the escaped errors to every
HTML response, until a build succeeds. A build with errors in some sources keeps the last good
version of their pages (see lastgood.py: the preview folder's manifest knows them) under the same
overlay, which names them; a page with no good version yet says it could not be rendered.
"""

from __future__ import annotations

import signal
import sys

from coursegen.build import BuildOptions
from coursegen.serve.http import PortInUseError, content_type, resolve_request
from coursegen.serve.page import error_overlay, inject
from coursegen.serve.preview import PreviewServer, PreviewState

__all__ = [
    "PortInUseError",
    "PreviewServer",
    "PreviewState",
    "content_type",
    "error_overlay",
    "inject",
    "resolve_request",
    "run_serve",
]


def run_serve(args) -> int:
    """`coursegen serve`: serve until Ctrl-C or SIGTERM, then clean up. Returns the exit status."""
    # Ctrl-C always stops the preview, even when started from a shell that ignores SIGINT; the
    # caller's handlers come back when it returns (tests and tools call this in their own process)
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    quiet = getattr(args, "quiet", False)
    options = BuildOptions(
        drafts=getattr(args, "drafts", False), audience=getattr(args, "audience", "learner")
    )
    server = PreviewServer(
        args.course_dir, args.host, args.port, options=options, verbosity=1 if quiet else 2
    )
    serving = False
    try:  # everything after this line is inside: an interrupt anywhere still removes the temporary folder
        if not quiet:
            print(f"Building {server.root} …", flush=True)
        server.start()
        serving = True
        print(f"Serving {server.root} at {server.url} — edits reload the page; Ctrl-C to stop", flush=True)
        if getattr(args, "verbose", False):
            print(f"preview folder: {server.site_dir}", flush=True)
        if args.open:
            import webbrowser

            webbrowser.open(server.url)
        server.wait()
    except PortInUseError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        _ignore_signals()  # a second Ctrl-C must not leave the temporary folder behind
        server.stop()
        _restore_signals(previous)
    if not serving:
        print("interrupted", file=sys.stderr)
        return 130
    print("stopped; the temporary preview folder was removed", flush=True)
    return 0


def _restore_signals(handlers: dict) -> None:
    for signum, handler in handlers.items():
        try:
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        except (ValueError, OSError, TypeError):  # not the main thread
            pass


def _ignore_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(signum, signal.SIG_IGN)
        except (ValueError, OSError):  # not the main thread
            pass
