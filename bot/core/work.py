"""Work in hand: what has been acknowledged to Slack and is still being done.

Every thread pool that runs acknowledged work (Bolt's listener threads, the after-ack threads,
Socket Mode's envelope threads) counts its tasks here, so a process told to stop can wait until
all of it is done (bounded) before it exits.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from bot.core.config import exit_on_bad_setting, seconds_from_env

logger = logging.getLogger(__name__)

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
    """A thread pool whose tasks count as work in hand until they are done. A stopping process
    can start the tasks still waiting in its queue at once (:func:`hurry`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._waiting: dict[int, tuple[Future, Callable, tuple, dict]] = {}
        self._waiting_lock = threading.Lock()
        self._tokens = itertools.count()
        _executors.add(self)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        _begin()
        token = next(self._tokens)

        def run():
            with self._waiting_lock:
                self._waiting.pop(token, None)
            return fn(*args, **kwargs)

        try:
            future = super().submit(run)
        except BaseException:
            _end()
            raise
        with self._waiting_lock:
            if not future.done() and not future.running():
                self._waiting[token] = (future, fn, args, kwargs)
        future.add_done_callback(_end)
        future.add_done_callback(lambda _f: self._forget(token))
        return future

    def _forget(self, token: int) -> None:
        with self._waiting_lock:
            self._waiting.pop(token, None)

    def _take_waiting(self) -> list[tuple[Callable, tuple, dict]]:
        with self._waiting_lock:
            waiting = list(self._waiting.values())
        taken = []
        for future, fn, args, kwargs in waiting:
            if future.cancel():  # never started: it is ours to run
                taken.append((fn, args, kwargs))
        return taken


_executors: weakref.WeakSet[TrackedExecutor] = weakref.WeakSet()


def hurry() -> int:
    """Start every task still waiting in a queue now, each in a thread of its own, so that what
    they write to the database first (a case, a decision) is written before the process stops,
    even when the threads ahead of them are held up by a slow Slack. Returns how many."""
    started = 0
    for executor in list(_executors):
        for fn, args, kwargs in executor._take_waiting():
            _begin()
            threading.Thread(target=_run_alone, args=(fn, args, kwargs), name="hurried", daemon=True).start()
            started += 1
    return started


def _run_alone(fn: Callable, args: tuple, kwargs: dict) -> None:
    try:
        fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 (the listeners report their own errors)
        logger.error("a task run at the stop failed: %s", type(error).__name__)
    finally:
        _end()


def finish(timeout: float) -> bool:
    """A stopping process: wait for the work in hand; after half of ``timeout``, start what is
    still queued at once. False when some is still running after ``timeout``."""
    if wait_idle(timeout / 2):
        return True
    hurried = hurry()
    if hurried:
        logger.warning("stopping: %s queued task(s) started at once", hurried)
    return wait_idle(timeout / 2)


def shutdown_timeout() -> float:
    """Seconds a stopping process gives the work in hand (SHUTDOWN_TIMEOUT, default 20)."""
    return exit_on_bad_setting(
        lambda: seconds_from_env("SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT, 0, 600))
