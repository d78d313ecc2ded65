"""Use cases for a workspace's services and their antennas (``/antenne``), one transaction each."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from rapidfuzz import fuzz, process
from sqlmodel import Session

from bot.flows.commands import AntenneCommand
from bot.flows.policy import Policy
from bot.usecases.routing import RoutedQuestionSnapshot, RoutingProblem, ServiceView, service_views, standard_answers
from bot.usecases.transaction import use_case
from storage import routing as store
from storage.models import Antenna, Service

logger = logging.getLogger(__name__)


@use_case(on_conflict=None)  # another process seeded them at the same moment
def ensure_services(session: Session, policy: Policy, *, team_id: str, language: str) -> None:
    """A workspace without services gets the ones the policy proposes (its Deps are made, see
    :func:`bot.directory.seed_services`); one that has any keeps them as they are."""
    if store.has_any_service(session, team_id=team_id):
        return
    for proposal in policy.routing.services:
        store.add(session, Service(team_id=team_id, name=proposal.name,
                                   description=proposal.description.get(language)))


@use_case
def is_antenna(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether someone is an antenna or backup of any active service of the workspace."""
    services = store.services(session, team_id=team_id)
    return any(user_id in people for people in store.answering(session, services=services).values())


@use_case
def list_services(session: Session, *, team_id: str) -> list[ServiceView]:
    return service_views(session, store.services(session, team_id=team_id))


@use_case
def resolve_service(session: Session, *, team_id: str, name: str) -> ServiceView:
    """A service by name; raises RoutingProblem offering the closest name when there is none."""
    wanted = " ".join(name.lower().split())
    found = store.service_by_name(session, team_id=team_id, name=wanted)
    if found is not None and found.active:
        return service_views(session, [found])[0]
    names = [s.name for s in store.services(session, team_id=team_id)]
    best = process.extractOne(wanted, names, scorer=fuzz.WRatio) if names and wanted else None
    if best is not None and best[1] >= 60:
        raise RoutingProblem("antenne.unknown_service_suggest", name=wanted[:60], suggestion=best[0])
    raise RoutingProblem("antenne.unknown_service", name=wanted[:60])


@use_case
def set_antenna(session: Session, *, team_id: str, service_id: int, user_id: str, role: str,
                add: bool, by: str, now: datetime) -> bool:
    """Add or remove an antenna, or set or clear the backup; False when nothing changed."""
    changed = _change_antenna(session, team_id=team_id, service_id=service_id, user_id=user_id,
                              role=role, add=add, by=by, now=now)
    if changed:
        logger.info("service %s: %s %s %s by %s", service_id, role, "added" if add else "removed", user_id, by)
    return changed


def _change_antenna(session: Session, *, team_id: str, service_id: int, user_id: str, role: str,
                    add: bool, by: str, now: datetime) -> bool:
    service = store.service(session, team_id=team_id, service_id=service_id)
    if service is None:
        raise RoutingProblem("antenne.unknown_service", name=str(service_id))
    if role == "backup":
        new = user_id if add else None
        if service.backup_user_id == new or (not add and service.backup_user_id != user_id):
            return False
        service.backup_user_id = new
        session.add(service)
        return True
    row = store.antenna_row(session, service_id=service_id, user_id=user_id)
    if add == (row is not None):
        return False
    if add:
        store.add(session, Antenna(service_id=service_id, user_id=user_id, added_by=by, added_at=now))
    else:
        session.delete(row)
    return True


@use_case
def configure_service(session: Session, *, team_id: str, service_id: int,
                      question_minutes: int | None = None, report_minutes: int | None = None,
                      channel_id: str | None = None, by: str) -> ServiceView:
    """A service's own response-time targets (business minutes) or its channel for FYIs."""
    for value in (question_minutes, report_minutes):
        if value is not None and not 1 <= value <= 100_000:
            raise RoutingProblem("antenne.usage")
    service = store.service(session, team_id=team_id, service_id=service_id)
    if service is None:
        raise RoutingProblem("antenne.unknown_service", name=str(service_id))
    if question_minutes is not None:
        service.question_minutes = question_minutes
    if report_minutes is not None:
        service.report_minutes = report_minutes
    if channel_id is not None:
        service.channel_id = channel_id
    session.add(service)
    session.flush()
    logger.info("service %s configured by %s", service_id, by)
    return service_views(session, [service])[0]


@dataclass(frozen=True)
class AntenneDone:
    """What ``/antenne <service> …`` did: the service as it is now, its standard answers (shown),
    and for people, each person with whether anything changed."""

    service: ServiceView
    answers: tuple[RoutedQuestionSnapshot, ...] = ()
    changes: tuple[tuple[str, bool], ...] = ()


def antenne(engine: sa.Engine, command: AntenneCommand, *, team_id: str, by: str,
            now: datetime) -> AntenneDone:
    """``/antenne <service>`` (show it), ``… termijn|kanaal …`` (its settings) or ``… @person
    [back-up|verwijder]`` (its antennas). Raises RoutingProblem for an unknown service."""
    service = resolve_service(engine, team_id=team_id, name=command.service)
    if command.kind == "settings":
        return AntenneDone(configure_service(
            engine, team_id=team_id, service_id=service.id, question_minutes=command.question_minutes,
            report_minutes=command.report_minutes, channel_id=command.channel, by=by))
    if command.kind == "show":
        return AntenneDone(service, answers=tuple(standard_answers(engine, team_id=team_id,
                                                                   service_id=service.id)))
    changes = tuple(
        (person, set_antenna(engine, team_id=team_id, service_id=service.id, user_id=person,
                             role="backup" if command.verb == "backup" else "antenna",
                             add=command.verb != "remove", by=by, now=now))
        for person in command.people)
    return AntenneDone(service, changes=changes)
