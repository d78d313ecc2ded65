"""What a form opened from a button reads, in one transaction: a case's action forms and the
services a question may be passed on to (real SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.core.problem import Problem
from bot.flows.policy import load_policy
from bot.flows.tree import Click, Move
from bot.usecases import antennas, cases, forms, routing
from bot.usecases.cases import Intake
from storage.scope import NotInWorkspace

POLICY = load_policy()
NOW = datetime(2026, 3, 30, 9, 0, tzinfo=timezone.utc)
TEAM = "T0TEST0001"


def open_case(engine) -> cases.CaseSnapshot:
    case, _ = cases.open_case(engine, Intake(
        team_id=TEAM, channel_id="C0INTAKE01", message_ts="1732440000.000100", via="message",
        text="Wanneer wordt het grofvuil opgehaald in de Kerkstraat?", link=None,
        forwarded_by="U0ANNA0001", forwarded_at=NOW))
    return case


def test_a_strike_form_gets_the_case_as_the_button_drew_it(engine):
    case = open_case(engine)
    form = forms.action_form(engine, team_id=TEAM, case_id=case.id, version=case.version, action="strike")
    assert form.case.id == case.id and form.services == [] and form.similar is None


@pytest.mark.parametrize("action", ["route", "inform_service"])
def test_a_route_form_gets_the_workspaces_services(engine, action):
    antennas.ensure_services(engine, POLICY, team_id=TEAM, language="nl")
    case = open_case(engine)
    form = forms.action_form(engine, team_id=TEAM, case_id=case.id, version=case.version, action=action)
    assert [s.id for s in form.services] == [s.id for s in antennas.list_services(engine, team_id=TEAM)]
    assert form.services and form.similar is None  # nothing answered yet


def test_a_button_of_an_older_version_opens_nothing_and_says_so_in_the_thread(engine):
    case = open_case(engine)
    cases.click(engine, POLICY, team_id=TEAM, case_id=case.id, version=case.version,
                click=Click(Move.GOTO, "own"), user_id="U0BERT0001", now=NOW)
    with pytest.raises(Problem) as refused:
        forms.action_form(engine, team_id=TEAM, case_id=case.id, version=case.version, action="route")
    assert refused.value.key == "refusal.not_here"
    assert refused.value.thread == (case.channel_id, case.message_ts)


def test_a_closed_case_opens_no_form(engine):
    case = open_case(engine)
    closed = cases.click(engine, POLICY, team_id=TEAM, case_id=case.id, version=case.version,
                         click=Click(Move.CLOSE), user_id="U0BERT0001", now=NOW).case
    assert closed.status == "closed"
    with pytest.raises(Problem, match="refusal.not_here"):
        forms.action_form(engine, team_id=TEAM, case_id=case.id, version=closed.version, action="strike")


def test_a_question_is_passed_on_to_any_service_but_its_own(engine):
    antennas.ensure_services(engine, POLICY, team_id=TEAM, language="nl")
    case = open_case(engine)
    for target in ("own", "neutral", "neutral.question"):  # where the tree offers to ask a service
        case = cases.click(engine, POLICY, team_id=TEAM, case_id=case.id, version=case.version,
                           click=Click(Move.GOTO, target), user_id="U0ANNA0001", now=NOW).case
    service = antennas.resolve_service(engine, team_id=TEAM, name="mobiliteit")
    asked = routing.route(engine, POLICY, team_id=TEAM, case_id=case.id, service_id=service.id,
                          question="Wanneer rijdt de bus weer?", context="", fyi=False,
                          user_id="U0ANNA0001", now=NOW)
    question, others = routing.reroute_choices(engine, team_id=TEAM, question_id=asked.id)
    assert question.id == asked.id and question.service.id == service.id
    assert sorted(s.id for s in others) == sorted(
        s.id for s in antennas.list_services(engine, team_id=TEAM) if s.id != service.id)
    with pytest.raises(Problem, match="route.error_gone"):
        routing.reroute_choices(engine, team_id=TEAM, question_id=asked.id + 1000)
    with pytest.raises(NotInWorkspace):
        routing.reroute_choices(engine, team_id="T0OTHER001", question_id=asked.id)
