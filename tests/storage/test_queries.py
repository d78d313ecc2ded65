"""Queries moved out of the use cases into storage, on real SQLite and PostgreSQL: taking a shared
message's words, lifting an uninstall, listing every workspace, a row's service."""

from __future__ import annotations

from datetime import datetime, timezone

from storage import cases, routing, workspaces
from storage.db import transaction
from storage.models import Case, Service, Workspace

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
TEAM, OTHER = "T0TEST0001", "T0OTHER001"
LINK_ONLY = "https://example.slack.com/archives/C0INTAKE01/p1732440000000100"


def a_case(session, ts: str, *, team: str = TEAM, erased: bool = False) -> int:
    row = Case(team_id=team, channel_id="C0INTAKE01", message_ts=ts, via="message", platform="other",
               text=LINK_ONLY, forwarded_by="U0ANNA0001", node_id="origin",
               erased_at=NOW if erased else None)
    session.add(row)
    session.flush()
    return row.id


def take(session, ts: str, *, team: str = TEAM, was: str = LINK_ONLY) -> bool:
    return cases.take_shared_words(session, team_id=team, channel_id="C0INTAKE01", message_ts=ts,
                                   was=was, text="Gedeelde woorden", comment=None,
                                   source_permalink=LINK_ONLY, link=None, platform="slack")


def test_a_case_takes_the_shared_words_only_while_its_post_is_unchanged(engine):
    with transaction(engine) as session:
        plain = a_case(session, "1.1")
        erased = a_case(session, "1.2", erased=True)
        elsewhere = a_case(session, "1.1", team=OTHER)
    with transaction(engine) as session:
        assert take(session, "1.1")
        assert not take(session, "1.1")  # its post is no longer the link alone
        assert not take(session, "1.2")
        assert not take(session, "1.3")
    with transaction(engine) as session:
        taken = session.get(Case, plain)
        assert (taken.text, taken.source_permalink, taken.platform) == ("Gedeelde woorden", LINK_ONLY, "slack")
        assert session.get(Case, erased).text == LINK_ONLY
        assert session.get(Case, elsewhere).text == LINK_ONLY


def test_an_uninstall_is_lifted_once(engine):
    with transaction(engine) as session:
        session.add(Workspace(team_id=TEAM, installed_by="U0LEAD0001", installed_at=NOW,
                              uninstalled_at=NOW, erase_after=NOW, erased_at=NOW))
        session.add(Workspace(team_id=OTHER, installed_by="U0LEAD0001", installed_at=NOW))
    with transaction(engine) as session:
        assert workspaces.lift_uninstall(session, team_id=TEAM)
        assert not workspaces.lift_uninstall(session, team_id=TEAM)
        assert not workspaces.lift_uninstall(session, team_id=OTHER)
        assert not workspaces.lift_uninstall(session, team_id="T0NOBODY01")
    with transaction(engine) as session:
        row = session.get(Workspace, TEAM)
        assert (row.uninstalled_at, row.erase_after, row.erased_at) == (None, None, None)
        assert [w.team_id for w in workspaces.every_workspace(session)] == sorted([TEAM, OTHER])


def test_a_row_s_service_is_found_by_its_id(engine):
    with transaction(engine) as session:
        service = Service(team_id=TEAM, name="wegen")
        session.add(service)
        session.flush()
        assert routing.service_of(session, service_id=service.id).name == "wegen"
        assert routing.service_of(session, service_id=service.id + 1) is None
