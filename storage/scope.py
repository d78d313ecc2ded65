"""The one place where a row is checked against the workspace of the request.

Every row that a request can point at (a case, a strike, a routed question, a service) carries
its workspace's ``team_id``. A use case loads such a row only through :func:`owned`, with the
request's workspace: a row of another workspace is refused with :class:`NotInWorkspace` before
anything is read out of it or written, and the refusal is reported in one place
(:mod:`bot.handlers.errors`).
"""

from __future__ import annotations


class NotInWorkspace(Exception):
    """A reference to a row of another workspace (or to none at all) that a request carried."""

    def __init__(self, kind: str, row_id: object, team_id: str, owner: str | None) -> None:
        super().__init__(f"{kind} {row_id} is not in workspace {team_id}")
        self.kind = kind
        self.row_id = row_id
        self.team_id = team_id
        self.owner = owner  # the row's own workspace: for the log line only, never shown


def owned(row, *, kind: str, row_id: object, team_id: str):
    """``row`` when it belongs to ``team_id``; None when there is no such row; raises
    :class:`NotInWorkspace` when it belongs to another workspace."""
    if row is None:
        return None
    owner = row.team_id
    if owner != team_id:
        raise NotInWorkspace(kind, row_id, team_id, owner)
    return row
