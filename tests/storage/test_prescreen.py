"""The pre-screen with a real database (SQLite and PostgreSQL): codes kept with a new case in the
transaction that opens it, never what was found; repeats within the workspace and 14 days;
agreement with the team's categories over 90 days."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bot.flows import tree
from bot.flows.policy import load_policy
from bot.usecases import cases, prescreen as screening
from bot.usecases.cases import Intake
from storage.db import transaction
from storage.models import CaseScreen

POLICY = load_policy()
RULES = POLICY.prescreen
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
PHONE = "0470 12 34 56"
REPEATED = "Wanneer wordt het fietspad in de Dorpsstraat eindelijk hersteld? Het is levensgevaarlijk!"


def _open(engine, ts: str, text: str, *, team: str = "T0TEST0001", at: datetime = NOW, rules=RULES):
    return cases.open_case(engine, Intake(
        team_id=team, channel_id="C0INTAKE01", message_ts=ts, via="message", text=text,
        link="https://www.facebook.com/gemeente.voorbeeld/posts/1", forwarded_by="U0ANNA0001",
        forwarded_at=at), policy_version=POLICY.version, screening=rules)


def _every_value(engine) -> list[str]:
    """Every text value in every table but the case's own words (the post and its comment)."""
    found = []
    with engine.connect() as connection:
        metadata = sa.MetaData()
        metadata.reflect(connection)
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text))
                       and not (table.name == "case" and c.name in ("text", "comment"))]
            for row in connection.execute(sa.select(*columns)) if columns else []:
                found.extend(str(v) for v in row if v is not None)
    return found


def test_a_new_case_keeps_the_codes_only(engine):
    text = f"Bel die man op {PHONE} of mail jan.peeters@telenet.be, hij woont in de Kerkstraat 12"
    case, created = _open(engine, "1.1", text)
    assert created
    assert case.signals == ("privacy.phone", "privacy.email", "privacy.address")
    again = cases.load_case(engine, team_id="T0TEST0001", case_id=case.id)
    assert again.signals == case.signals
    values = " ".join(_every_value(engine))
    assert "12 34 56" not in values and "0470" not in values and "peeters" not in values
    with transaction(engine) as session:
        row = session.get(CaseScreen, case.id)
        assert row.codes == "privacy.phone,privacy.email,privacy.address"


def test_a_retried_event_screens_once_and_no_signal_no_codes(engine):
    case, _ = _open(engine, "1.1", "Wanneer worden de kerstbomen opgehaald?")
    same, created = _open(engine, "1.1", "Wanneer worden de kerstbomen opgehaald?")
    assert not created and same.signals == case.signals == ()


def test_the_policy_decides_which_codes(engine):
    case, _ = _open(engine, "1.1", f"BEL MIJ DRINGEND OP {PHONE}, HET IS HEEL BELANGRIJK",
                    rules=POLICY.prescreen.__class__(codes=("caps",)))
    assert case.signals == ("caps",)
    unscreened, _ = _open(engine, "1.2", f"bel {PHONE}", rules=None)
    assert unscreened.signals == ()


def test_a_repeat_within_fourteen_days_in_the_same_workspace(engine):
    first, _ = _open(engine, "1.1", REPEATED, at=NOW - timedelta(days=3))
    assert "spam.repeat" not in first.signals
    _open(engine, "1.2", REPEATED, team="T0OTHER001", at=NOW - timedelta(days=1))
    again, _ = _open(engine, "1.3", REPEATED.upper() + " 😡 https://x.be/1")
    assert "spam.repeat" in again.signals
    elsewhere, _ = _open(engine, "1.4", REPEATED, team="T0THIRD001")
    assert "spam.repeat" not in elsewhere.signals  # the other workspace's post is not ours
    late, _ = _open(engine, "1.5", REPEATED, team="T0OTHER001", at=NOW + timedelta(days=14, hours=1))
    assert "spam.repeat" not in late.signals  # the other post is older than 14 days


def test_an_erased_post_is_not_repeated_and_loses_its_fingerprint(engine):
    from storage import privacy

    first, _ = _open(engine, "1.1", REPEATED, at=NOW - timedelta(days=1))
    with transaction(engine) as session:
        from storage.models import Case
        privacy.erase_case(session, session.get(Case, first.id), NOW)
    with transaction(engine) as session:
        assert session.get(CaseScreen, first.id).fingerprint is None
    again, _ = _open(engine, "1.2", REPEATED)
    assert "spam.repeat" not in again.signals


def _choose(engine, case, *targets):
    current = case
    for target in targets:
        result = cases.click(engine, POLICY, team_id=case.team_id, case_id=case.id,
                             version=current.version, click=tree.Click(tree.Move.GOTO, target),
                             user_id="U0ANNA0001", now=NOW + timedelta(minutes=1))
        assert result.refusal is None and not result.stale, target
        current = result.case
    return current


def test_agreement_per_code_over_ninety_days(engine):
    agreeing, _ = _open(engine, "1.1", f"Bel die man op {PHONE}")
    _choose(engine, agreeing, "own", "negative", "negative.privacy")
    other, _ = _open(engine, "1.2", "Mail mij op an.peeters@telenet.be, waar blijft mijn paspoort?")
    _choose(engine, other, "own", "neutral", "neutral.question")
    _open(engine, "1.3", f"Nog eens: {PHONE}")  # not sorted yet
    old, _ = _open(engine, "1.4", f"Oud: {PHONE}", at=NOW - timedelta(days=91))
    _choose(engine, old, "own", "negative", "negative.privacy")

    found = {a.code: a for a in screening.agreement(engine, team_id="T0TEST0001", now=NOW + timedelta(hours=1))}
    assert found["privacy.phone"] == screening.Agreement("privacy.phone", signalled=2, sorted=1, agreed=1)
    assert found["privacy.email"] == screening.Agreement("privacy.email", signalled=1, sorted=1, agreed=0)
    assert found["privacy.phone"].share == 1.0 and found["privacy.email"].share == 0.0
    assert screening.agreement(engine, team_id="T0OTHER001", now=NOW) == ()
