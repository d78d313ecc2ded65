"""Who someone is to the bot, for the table in bot.flows.permissions: the roles it asks for.

Team membership is membership of an intake channel, which only Slack knows: the caller passes
that answer in (``in_team``), asked only when the act needs it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

import sqlalchemy as sa

from bot.flows.permissions import Role
from bot.usecases import antennas, leads, routing


def roles(engine: sa.Engine, *, team_id: str, user_id: str, needed: frozenset[Role],
          in_team: Callable[[], bool], seeds: tuple[str, ...], now: datetime,
          question_id: int | None = None) -> set[Role]:
    """The roles of ``user_id`` among ``needed`` (only those are looked up). The antenna of a
    question's service raises the RoutingProblem that says why the role is not held."""
    found: set[Role] = set()
    if Role.TEAM in needed and in_team():
        found.add(Role.TEAM)
    if Role.LEAD in needed and not found:
        lead = leads.is_lead(engine, team_id=team_id, user_id=user_id)
        if not lead and user_id in seeds:  # a lead named in the settings, perhaps seen first now
            leads.note_seed_seen(engine, team_id=team_id, user_id=user_id, seeds=seeds, now=now)
            lead = leads.is_lead(engine, team_id=team_id, user_id=user_id)
        if lead:
            found.add(Role.LEAD)
    if Role.ANTENNA in needed and not found and antennas.is_antenna(engine, team_id=team_id,
                                                                    user_id=user_id):
        found.add(Role.ANTENNA)
    if Role.SERVICE_ANTENNA in needed and not found and question_id is not None:
        routing.check_answerable(engine, team_id=team_id, question_id=question_id, user_id=user_id)
        found.add(Role.SERVICE_ANTENNA)
    return found
