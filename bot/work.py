"""Work in hand: what has been acknowledged to Slack and is still being done.

Every thread pool that runs acknowledged work (Bolt's listener threads, the after-ack threads,
Socket Mode's envelope threads) counts its tasks here, so a process told to stop can wait until
all of it is done (bounded) before it exits.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

DEFAULT_SHUTDOWN_TIMEOUT = 20.0

_cond = threading.Condition()
_busy = 0


def _begin() -> None:
    global _busy
    with _cond:
        _busy += 1


def _end(_future: Future | None = None) -> None:
    global _busy
    with _cond:
        _busy -= 1
        if _busy <= 0:
            _cond.notify_all()


def busy() -> int:
    """How many acknowledged tasks are queued or running."""
    with _cond:
        return _busy


def wait_idle(timeout: float) -> bool:
    """Wait until no acknowledged work is left; False when some is still there after ``timeout``."""
    deadline = time.monotonic() + timeout
    with _cond:
        while _busy > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            _cond.wait(left)
        return True


class TrackedExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks count as work in hand until they are done."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        _begin()
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            _end()
            raise
        future.add_done_callback(_end)
        return future


def shutdown_timeout() -> float:
    """Seconds a stopping process gives the work in hand (SHUTDOWN_TIMEOUT, default 20)."""
    raw = os.environ.get("SHUTDOWN_TIMEOUT", "")
    try:
        value = float(raw) if raw else DEFAULT_SHUTDOWN_TIMEOUT
    except ValueError:
        value = -1
    if not 0 <= value <= 600:
        print("reageerwijzer: SHUTDOWN_TIMEOUT must be a number of seconds from 0 to 600", file=sys.stderr)
        raise SystemExit(2)
    return value
