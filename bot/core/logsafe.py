"""Log lines carry ids, never citizens' words: not in messages, and not in tracebacks.

An exception's message can hold whatever its code was given: a database error quotes the values it
was sent (a post's text, a handle), a ``ValueError`` the text it could not read. A traceback logged
by this formatter keeps where it happened (files, lines, functions) and each exception's type, but
never an exception's message or arguments.
"""

from __future__ import annotations

import logging
import traceback

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def traceback_without_messages(error: BaseException | None) -> str:
    """The frames and exception types of ``error`` and its causes, without their messages."""
    parts: list[str] = []
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        frames = traceback.extract_tb(error.__traceback__)
        lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames),
                 f"{type(error).__module__}.{type(error).__qualname__} (message not logged)\n"]
        parts.insert(0, "".join(lines))
        cause = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        if cause is not None:
            parts.insert(0, "\nThe above led to the following:\n\n")
        error = cause
    return "".join(parts).rstrip("\n")


class SafeFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return traceback_without_messages(ei[1] if ei else None)


def handler() -> logging.Handler:
    """A stderr handler whose tracebacks hold no exception messages."""
    stream = logging.StreamHandler()
    stream.setFormatter(SafeFormatter(FORMAT))
    return stream
