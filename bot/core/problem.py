"""The one user-facing refusal: a problem with a text key and its values.

Rules, use cases and the Slack plumbing raise a :class:`Problem` when what someone asked cannot
be done (bad input, a state that does not allow it, a button from an older message). It is told
to that person in one place, :func:`bot.handlers.errors.guarded`, through the translation layer.
A ``Problem`` is deliberately not a ``ValueError``: a programming error is never mistaken for a
refusal, and reaches the generic error path instead.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Union


class Problem(Exception):
    """``key`` names the text to show (the class's ``default_key`` when omitted); ``values``
    fill it. ``block`` is the form field it belongs to; ``thread`` the (channel, ts) of the
    thread where it is told, when the request itself carries no place to answer."""

    default_key = "refusal.outdated"

    def __init__(self, key: str | None = None, /, **values: object) -> None:
        self.key = key or self.default_key
        super().__init__(self.key)
        self.values = values
        self.block: str | None = None
        self.thread: tuple[str, str | None] | None = None

    def in_thread(self, channel: str, ts: str | None) -> "Problem":
        """The same problem, told (privately) in this thread."""
        self.thread = (channel, ts)
        return self


FieldOf = Union[str, Callable[[Problem], str]]


@contextmanager
def on_field(block: FieldOf) -> Iterator[None]:
    """Problems raised inside show on this field of the form being submitted (``block`` may
    choose the field from the problem). A field the problem already names wins."""
    try:
        yield
    except Problem as problem:
        if problem.block is None:
            problem.block = block(problem) if callable(block) else block
        raise


@contextmanager
def told_as(key: str) -> Iterator[None]:
    """Problems raised inside are told with this text instead (a button whose message no longer
    applies is "outdated", whatever the use case found wrong)."""
    try:
        yield
    except Problem as problem:
        problem.key = key
        problem.values = {}
        raise
