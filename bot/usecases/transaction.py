"""One transaction per use case, by construction.

A use case is written as a function of a ``Session``; :func:`use_case` turns it into a function
of an engine that opens the transaction, commits when the function returns and rolls back when
it raises (``storage.db.run_in_transaction``: SQLite's ``BEGIN IMMEDIATE``, a fresh attempt after
a passing lock or serialisation conflict). A use case that inserts a row under a unique key can
say what a race with a twin request means: run once more (the second run finds the twin's row),
or a value to return (the row is already there).
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Concatenate, ParamSpec, TypeVar, overload

import sqlalchemy as sa
from sqlmodel import Session

from storage.db import run_in_transaction

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

_RAISE = object()


@overload
def use_case(work: Callable[Concatenate[Session, P], R], /) -> Callable[Concatenate[sa.Engine, P], R]: ...


@overload
def use_case(*, retry_on_conflict: bool = False, on_conflict: Any = _RAISE
             ) -> Callable[[Callable[Concatenate[Session, P], R]], Callable[Concatenate[sa.Engine, P], R]]: ...


def use_case(work=None, /, *, retry_on_conflict: bool = False, on_conflict: Any = _RAISE):
    """``work(session, *args, **kwargs)`` becomes ``use_case(engine, *args, **kwargs)``, run in
    one transaction on ``engine``.

    On a unique-key race (``IntegrityError``), the transaction is rolled back and then, with
    ``retry_on_conflict=True``, the use case runs once more (the twin's row is there now); with
    ``on_conflict=value``, ``value`` is returned (someone else did it at the same moment);
    otherwise the error is raised.
    """
    if retry_on_conflict and on_conflict is not _RAISE:
        raise TypeError("retry_on_conflict and on_conflict exclude each other")

    def decorate(function: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(function)
        def run(engine: sa.Engine, /, *args: Any, **kwargs: Any) -> R:
            def unit(session: Session) -> R:
                return function(session, *args, **kwargs)

            try:
                return run_in_transaction(engine, unit)
            except sa.exc.IntegrityError:
                if retry_on_conflict:
                    logger.info("%s: a twin wrote the same row first; running once more",
                                function.__name__)
                    return run_in_transaction(engine, unit)
                if on_conflict is not _RAISE:
                    return on_conflict
                raise

        return run

    return decorate(work) if work is not None else decorate
