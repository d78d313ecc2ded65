"""The work after an ack: acknowledged at once in Bolt's listener thread, done in a small pool of
this process's own threads, in order."""

from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from bot.core.work import TrackedExecutor
from bot.handlers.errors import guarded

# Threads per web process for the work after an ack. Bolt's listener threads acknowledge; when they
# also did the work after ack() (the database, drawing, the Slack call), under load the next
# requests' acknowledgements competed with that work for the process's interpreter lock and
# waited. Handed over here, at most this many requests' work runs at once and the rest waits its
# turn in a queue, so acknowledging stays quick and the work is done soon after, in order.
AFTER_ACK_THREADS = 4
_after_ack_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def after_ack(listener: Callable, *, inline: Callable[..., bool] | None = None) -> Callable:
    """For a listener whose first act is ``ack()`` (or an event's, which Bolt acknowledged):
    acknowledge at once, in Bolt's listener thread, and queue the listener itself (guarded) for
    the after-ack threads.

    ``inline(**kwargs)`` says when to run it in Bolt's thread after all: a click that opens a
    modal must call ``views.open`` within three seconds of the click, so it never waits in line.
    """
    run = guarded(listener)

    @functools.wraps(listener)
    def acknowledge(**kwargs):
        if inline is not None and inline(**kwargs):
            return run(**kwargs)
        if "ack" in kwargs:  # events have none: Bolt acknowledged them before any listener
            kwargs["ack"]()
            kwargs["ack"] = _already_acknowledged
        _pool().submit(run, **kwargs)
        return None

    return acknowledge


def _already_acknowledged(*args, **options) -> None:
    return None


def _pool() -> ThreadPoolExecutor:
    # Made on first use, so in each web worker after gunicorn forked it.
    global _after_ack_pool
    with _pool_lock:
        if _after_ack_pool is None:
            # Its tasks count as work in hand: a stopping process finishes them (bot.core.work).
            _after_ack_pool = TrackedExecutor(max_workers=AFTER_ACK_THREADS,
                                                 thread_name_prefix="after-ack")
        return _after_ack_pool
