"""What every ``tlrag`` command shares with the entry point: the user-facing error, its one-line
wording, and the poll default against a loopback base URL (a leaf module: commands import it, and
``_main`` imports the commands, so nothing imports back into ``_main``)."""

from __future__ import annotations

__all__ = ["CLIError", "describe_error", "LOOPBACK_POLL_INTERVAL"]

#: ``--poll-interval`` when none is given and the base URL is loopback (the emulator advances a task
#: one status per poll, so waiting there should cost milliseconds, not the real API's 5 s).
LOOPBACK_POLL_INTERVAL = 0.05


class CLIError(Exception):
    """A user-facing problem: the message is printed as ``error: <message>``."""


def describe_error(exc: BaseException) -> str:
    """The one-line message for an exception (no traceback, no key)."""
    from .._exceptions import TwelveLabsError

    if isinstance(exc, CLIError | TwelveLabsError):
        text = str(exc)
    elif isinstance(exc, FileNotFoundError):
        text = f"no such file: {exc.filename}" if exc.filename else str(exc)
    elif isinstance(exc, IsADirectoryError):
        text = f"is a directory, not a file: {exc.filename}"
    elif isinstance(exc, PermissionError):
        text = f"permission denied: {exc.filename}"
    elif isinstance(exc, OSError):
        text = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    else:
        text = f"unexpected {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"
    return " ".join(text.split()) or type(exc).__name__
