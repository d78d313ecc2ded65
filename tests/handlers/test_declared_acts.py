"""Every listener declares its act of the permission table, and each act refuses a person without
the role: the real Bolt app, requests dispatched in process (``app.dispatch``) against the Slack
emulator, listeners run in the calling thread."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.core.config import Settings
from bot.deps import Deps
from bot.flows.permissions import ALLOWED, Act, Role
from bot.flows.tree import Click, Move
from bot.handlers import after_ack
from bot.slack import ids
from bot.slack.refs import AuthorRef, ButtonRef, QuestionRef, StrikeRef
from bot.usecases import antennas, cases, routing
from tests.support.bot_process import BOT_TOKEN, INTAKE_CHANNEL, LEAD_USER_ID, SIGNING_SECRET
from tests.support.factories import POLICY, intake
from tests.support.inline import InlineExecutor
from tests.support.slack_emulator import TEAM_ID, SlackEmulator
from tests.support.slack_requests import (
    SlackSender,
    block_actions,
    global_shortcut,
    new_ts,
    sign,
    view_submission,
)

ANNA = "U0ANNA0001"  # a team member: in the intake channel
OUTSIDER = "U0OUTS0001"  # in the workspace, not in the team
ANTENNA = "U0ANTN0009"  # antenna of "mobiliteit"
DM_CHANNEL = "D0ANTN0009"


class InProcess:
    """Slack's requests, built as Slack sends them, handed to ``app.dispatch``."""

    def __init__(self, app: App, slack: SlackEmulator) -> None:
        self.app = app
        self.http = SlackSender("http://127.0.0.1:1", SIGNING_SECRET, emulator=slack)
        self.http.post_signed = self._dispatch  # type: ignore[method-assign]

    def _dispatch(self, body: bytes, content_type: str, **_: object) -> tuple[int, dict, str]:
        headers = {"content-type": content_type,
                   **{k.lower(): v for k, v in sign(SIGNING_SECRET, body, int(time.time())).items()}}
        response = self.app.dispatch(BoltRequest(body=body.decode(), headers=headers))
        return response.status, {}, response.body


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.set_members(INTAKE_CHANNEL, [ANNA])
        yield emulator


@pytest.fixture(scope="module")
def deps(slack, tmp_path_factory) -> Iterator[Deps]:
    database = tmp_path_factory.mktemp("declared") / "bot.sqlite3"
    settings = Settings.from_env({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.url,
        "DATABASE_URL": f"sqlite:///{database}", "INTAKE_CHANNELS": INTAKE_CHANNEL,
        "LEAD_USER_IDS": LEAD_USER_ID, "LANGUAGE": "nl"})
    built = build_deps(settings)
    yield built
    built.engine.dispose()


@pytest.fixture(scope="module")
def app(deps) -> Iterator[App]:
    bolt = create_app(deps)
    bolt._listener_runner.listener_executor = InlineExecutor()  # noqa: SLF001
    before, after_ack._after_ack_pool = after_ack._after_ack_pool, InlineExecutor()  # noqa: SLF001
    yield bolt
    after_ack._after_ack_pool = before  # noqa: SLF001


@pytest.fixture(scope="module")
def sender(app, slack) -> InProcess:
    return InProcess(app, slack)


@pytest.fixture(scope="module")
def question(deps) -> routing.RoutedQuestionSnapshot:
    """A question routed to "mobiliteit", whose only antenna is ANTENNA."""
    antennas.ensure_services(deps.engine, POLICY, team_id=TEAM_ID, language="nl")
    service = antennas.resolve_service(deps.engine, team_id=TEAM_ID, name="mobiliteit")
    antennas.set_antenna(deps.engine, team_id=TEAM_ID, service_id=service.id, user_id=ANTENNA,
                         role="antenna", add=True, by=LEAD_USER_ID, now=deps.clock())
    case, _ = cases.open_case(deps.engine, intake("1796000000.000100", team_id=TEAM_ID))
    for target in ("own", "neutral", "neutral.question"):
        case = cases.click(deps.engine, POLICY, team_id=TEAM_ID, case_id=case.id, version=case.version,
                           click=Click(Move.GOTO, target), user_id=ANNA, now=deps.clock()).case
    return routing.route(deps.engine, POLICY, team_id=TEAM_ID, case_id=case.id, service_id=service.id,
                         question="Wanneer zijn de werken klaar?", context="", fyi=False,
                         user_id=ANNA, now=deps.clock())


def declarations(listener) -> list[Callable]:
    return [m.func for m in listener.middleware
            if hasattr(getattr(m, "func", None), "acts")]


# --- every listener declares its act -----------------------------------------------------------


def test_every_registered_listener_declares_its_act(app):
    assert app._listeners  # noqa: SLF001
    for listener in app._listeners:  # noqa: SLF001
        declared = declarations(listener)
        name = getattr(listener.ack_function, "__name__", repr(listener))
        assert declared, f"{name} declares no act"
        for declaration in declared:
            assert declaration.acts or getattr(declaration, "no_person", ""), \
                f"{name}: an empty declaration that does not say no person acts"
            assert declaration.acts <= set(Act)


def test_every_act_of_the_table_is_declared_by_a_listener(app):
    declared = set().union(*(d.acts for listener in app._listeners  # noqa: SLF001
                             for d in declarations(listener)))
    assert declared == set(Act)


def test_a_listener_without_a_declaration_is_found(deps):
    bolt = create_app(deps)
    bolt.action("undeclared_action")(lambda ack: ack())
    assert [l for l in bolt._listeners if not declarations(l)]  # noqa: SLF001


# --- every act refuses a person without the role ------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    refusal: str  # the key of what a person without the role hears
    refused: str  # someone without the role
    allowed: str  # someone with it
    send: Callable[[InProcess, str, routing.RoutedQuestionSnapshot], tuple[int, dict, str]]


def _click(action_id: str, value: str, channel: str = INTAKE_CHANNEL):
    def send(sender: InProcess, who: str, question) -> tuple[int, dict, str]:
        return sender.http.interaction(block_actions(who, channel, new_ts(), action_id, value))
    return send


def _command(command: str, text: str):
    def send(sender: InProcess, who: str, question) -> tuple[int, dict, str]:
        return sender.http.command(command, text, who, INTAKE_CHANNEL)
    return send


def _answer_click(sender: InProcess, who: str, question) -> tuple[int, dict, str]:
    return sender.http.interaction(block_actions(who, DM_CHANNEL, new_ts(), ids.QUESTION_ANSWER,
                                                 str(question.id)))


def _route_form(sender: InProcess, who: str, question) -> tuple[int, dict, str]:
    return sender.http.interaction(view_submission(
        ids.ROUTE_VIEW, who, {}, QuestionRef(10**6, 1, "ask").encode()))


def _new_case(sender: InProcess, who: str, question) -> tuple[int, dict, str]:
    return sender.http.interaction(global_shortcut(ids.NEW_CASE_SHORTCUT, who))


LEAD = LEAD_USER_ID
ATTEMPTS = {
    Act.OPEN_CASE: Attempt("access.refused", OUTSIDER, ANNA, _new_case),
    Act.WALK_TREE: Attempt("access.refused", OUTSIDER, ANNA, _click(
        "rw:goto", ButtonRef(10**6, 1, Click(Move.GOTO, "own")).encode())),
    Act.RECORD_STRIKE: Attempt("access.refused", ANTENNA, ANNA, _click(
        "rw_measure:warning", StrikeRef(10**6, "warning").encode())),
    Act.ROUTE: Attempt("access.refused", OUTSIDER, LEAD, _route_form),
    Act.LIST_SERVICES: Attempt("access.refused", OUTSIDER, ANTENNA, _command("/antenne", "")),
    Act.ANSWER: Attempt("route.error_not_your_service", ANNA, ANTENNA, _answer_click),
    Act.REVIEW_REGISTER: Attempt("strikes.not_for_you", ANNA, LEAD, _command("/strikes", "")),
    Act.REVOKE_STRIKE: Attempt("strikes.not_for_you", ANTENNA, LEAD, _click(
        "rw_review:revoked", StrikeRef(10**6, "revoked").encode())),
    Act.EXPORT_REGISTER: Attempt("strikes.not_for_you", ANNA, LEAD, _command("/strikes", "exporteer")),
    Act.ACCESS_DATA: Attempt("strikes.not_for_you", ANNA, LEAD, _command("/strikes", "gegevens @fien")),
    Act.ERASE_DATA: Attempt("strikes.not_for_you", ANNA, LEAD, _click(
        ids.ERASE_ACTION, AuthorRef("instagram", "fien").encode())),
    Act.MANAGE_LEADS: Attempt("strikes.not_for_you", ANNA, LEAD, _command("/strikes", "leidinggevenden")),
    Act.MANAGE_ANTENNAS: Attempt("antenne.leads_only", ANNA, LEAD, _command(
        "/antenne", f"mobiliteit <@{ANNA}|anna>")),
    Act.SHOW_HOUSE_RULES: Attempt("access.refused", OUTSIDER, ANNA, _command("/gedragscode", "")),
    Act.APPROVE_HOUSE_RULES: Attempt("house_rules.leads_only", ANNA, LEAD, _command(
        "/gedragscode", "goedgekeurd 2026-01-15")),
    Act.VIEW_REPORT: Attempt("strikes.not_for_you", ANNA, LEAD, _command("/rapport", "")),
    Act.PRACTISE: Attempt("access.refused", OUTSIDER, ANNA, _command("/oefenen", "resultaten")),
    Act.PRACTICE_TOTALS: Attempt("access.refused", ANNA, LEAD, _command("/oefenen", "team")),
    Act.ERASE_PRACTICE: Attempt("access.refused", ANNA, LEAD, _command(
        "/oefenen", f"wis <@{ANNA}|anna>")),
}


def test_every_act_is_tried():
    assert set(ATTEMPTS) == set(Act)
    for act, attempt in ATTEMPTS.items():
        holder = {ANNA: Role.TEAM, LEAD: Role.LEAD, ANTENNA: Role.SERVICE_ANTENNA if act is Act.ANSWER
                  else Role.ANTENNA}[attempt.allowed]
        assert holder in ALLOWED[act], act


def _told(slack: SlackEmulator, reply: tuple[int, dict, str], text: str) -> bool:
    """The text reached the person: in the form's answer, ephemerally, by response_url or DM."""
    shown = json.dumps([c.params for c in slack.calls()], ensure_ascii=False, default=str) + str(reply[2])
    return json.dumps(text, ensure_ascii=False)[1:-1] in shown


def _refusal_text(deps: Deps, key: str) -> str:
    return deps.tr(key, service=deps.policy.service_name("mobiliteit", deps.tr.language))


@pytest.mark.parametrize("act", list(ATTEMPTS), ids=lambda act: act.name)
def test_a_person_without_the_role_is_refused(act, sender, slack, deps, question):
    attempt = ATTEMPTS[act]
    text = _refusal_text(deps, attempt.refusal)
    slack.clear_calls()
    reply = attempt.send(sender, attempt.refused, question)
    assert reply[0] == 200
    assert _told(slack, reply, text), f"{act.name}: {attempt.refused} was not refused"
    # Nothing was opened, written or listed for them: the refusal is all they got.
    assert slack.calls("views.open") == [] and slack.calls("files.completeUploadExternal") == []
    assert slack.calls("chat.update") == []


@pytest.mark.parametrize("act", list(ATTEMPTS), ids=lambda act: act.name)
def test_a_person_with_the_role_gets_past_the_check(act, sender, slack, deps, question):
    attempt = ATTEMPTS[act]
    slack.clear_calls()
    reply = attempt.send(sender, attempt.allowed, question)
    assert reply[0] == 200
    assert not _told(slack, reply, _refusal_text(deps, attempt.refusal)), act.name
    assert not _told(slack, reply, deps.tr("access.refused")), act.name
