"""The lead queries on real SQLite and PostgreSQL, and the split between reading who leads and
noting a seed lead the first time they are seen."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from bot.usecases import leads as lead_cases
from storage import leads
from storage.db import transaction
from storage.models import Lead

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
TEAM, OTHER = "T0TEST0001", "T0OTHER001"
LEAD, ANNA, BERT = "U0LEAD0001", "U0ANNA0001", "U0BERT0001"


def all_leads(engine) -> list[Lead]:
    with transaction(engine) as session:
        return list(session.exec(select(Lead).order_by(Lead.id)))


def test_an_added_lead_is_found_in_its_workspace_only(engine):
    with transaction(engine) as session:
        added = leads.add_lead(session, team_id=TEAM, user_id=ANNA, by=LEAD, now=NOW)
        assert added.id is not None  # flushed: the row exists in the transaction
    with transaction(engine) as session:
        row = leads.lead_row(session, team_id=TEAM, user_id=ANNA)
        assert (row.added_by, row.added_at, row.removed_by, row.removed_at) == (LEAD, NOW, None, None)
        assert leads.lead_row(session, team_id=OTHER, user_id=ANNA) is None
        assert leads.lead_row(session, team_id=TEAM, user_id=BERT) is None


def test_current_leads_leave_out_removed_ones_and_list_the_longest_serving_first(engine):
    with transaction(engine) as session:
        leads.add_lead(session, team_id=TEAM, user_id=BERT, by=LEAD, now=NOW)
        leads.add_lead(session, team_id=TEAM, user_id=LEAD, by="settings", now=NOW - timedelta(days=2))
        leads.add_lead(session, team_id=TEAM, user_id=ANNA, by=LEAD, now=NOW - timedelta(days=1))
        leads.add_lead(session, team_id=OTHER, user_id=ANNA, by=LEAD, now=NOW)
    with transaction(engine) as session:
        assert [r.user_id for r in leads.current_leads(session, team_id=TEAM)] == [LEAD, ANNA, BERT]
        row = leads.lead_row(session, team_id=TEAM, user_id=ANNA)
        leads.remove_lead(session, row, by=LEAD, now=NOW)
    with transaction(engine) as session:
        assert [r.user_id for r in leads.current_leads(session, team_id=TEAM, for_update=True)] == [LEAD, BERT]
        row = leads.lead_row(session, team_id=TEAM, user_id=ANNA)
        assert (row.removed_by, row.removed_at) == (LEAD, NOW)
        leads.restore_lead(session, row, by=BERT, now=NOW + timedelta(hours=1))
    with transaction(engine) as session:
        row = leads.lead_row(session, team_id=TEAM, user_id=ANNA)
        assert (row.added_by, row.added_at, row.removed_by, row.removed_at) == (
            BERT, NOW + timedelta(hours=1), None, None)
        assert [r.user_id for r in leads.current_leads(session, team_id=TEAM)] == [LEAD, BERT, ANNA]
    assert len(all_leads(engine)) == 4  # restoring reuses the row


def test_asking_whether_someone_leads_writes_nothing(engine):
    assert not lead_cases.is_lead(engine, team_id=TEAM, user_id=LEAD)
    assert all_leads(engine) == []


def test_a_seed_lead_is_noted_once_and_only_when_in_the_seeds(engine):
    assert not lead_cases.note_seed_seen(engine, team_id=TEAM, user_id=ANNA, seeds=(LEAD,), now=NOW)
    assert all_leads(engine) == []
    assert lead_cases.note_seed_seen(engine, team_id=TEAM, user_id=LEAD, seeds=(LEAD,), now=NOW)
    assert not lead_cases.note_seed_seen(engine, team_id=TEAM, user_id=LEAD, seeds=(LEAD,),
                                      now=NOW + timedelta(days=1))
    (row,) = all_leads(engine)
    assert (row.team_id, row.user_id, row.added_by, row.added_at) == (TEAM, LEAD, lead_cases.SETTINGS_SEED, NOW)
    assert lead_cases.is_lead(engine, team_id=TEAM, user_id=LEAD)
    assert not lead_cases.is_lead(engine, team_id=OTHER, user_id=LEAD)


def test_a_removed_seed_lead_is_not_noted_again(engine):
    assert lead_cases.note_seed_seen(engine, team_id=TEAM, user_id=LEAD, seeds=(LEAD, ANNA), now=NOW)
    assert lead_cases.note_seed_seen(engine, team_id=TEAM, user_id=ANNA, seeds=(LEAD, ANNA), now=NOW)
    assert lead_cases.set_lead(engine, team_id=TEAM, user_id=ANNA, lead=False, by=LEAD, now=NOW)
    assert not lead_cases.note_seed_seen(engine, team_id=TEAM, user_id=ANNA, seeds=(LEAD, ANNA), now=NOW)
    assert not lead_cases.is_lead(engine, team_id=TEAM, user_id=ANNA)
    assert lead_cases.leads(engine, team_id=TEAM) == [LEAD]
