"""What a form opened from a case's button needs, read in one transaction: the case, still as the
button drew it and still open, and for the route form the services and an earlier answer to a
question like the case's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.core.problem import Problem
from bot.usecases.cases import CaseNotFound, CaseSnapshot, read_case
from bot.usecases.routing import INFORM, ServiceView, Similar, find_similar, service_views
from bot.usecases.transaction import use_case
from storage import routing as routing_store


@dataclass(frozen=True)
class ActionForm:
    action: str  # the tree's action whose form this is: "strike", "route" or "inform_service"
    case: CaseSnapshot
    services: list[ServiceView]
    similar: Similar | None


@use_case
def action_form(session: Session, *, team_id: str, case_id: int, version: int,
                action: str) -> ActionForm:
    """A button drawn for an older version of the case, or a closed one, opens nothing: the
    person hears so in the case's thread."""
    case = read_case(session, team_id=team_id, case_id=case_id)
    if case is None:
        raise CaseNotFound(case_id)
    if case.version != version or case.state.status != "open":
        raise Problem("refusal.not_here").in_thread(case.channel_id, case.message_ts)
    if action == "strike":
        return ActionForm(action, case, [], None)
    services = service_views(session, routing_store.services(session, team_id=case.team_id))
    similar = None if action == INFORM else find_similar(session, team_id=case.team_id, text=case.text)
    return ActionForm(action, case, services, similar)
