"""The pre-screen's use cases: screening a new case's post in the transaction that opens it, and
how often the team agreed with each signal.

Only codes are kept and logged, never what was found: the post itself stays where it is (the
case's words, erased with the case), and the case message masks what it shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.flows import prescreen
from bot.flows.policy import NODE_IDS
from bot.usecases.transaction import use_case
from storage import cases as case_store
from storage import prescreen as store

logger = logging.getLogger(__name__)

AGREEMENT_DAYS = 90
CATEGORIES = tuple(sorted(n for n in NODE_IDS if "." in n))  # the nodes where the team sorts a post


def screen(session: Session, rules: prescreen.Rules, *, case_id: int, team_id: str, text: str,
           own_links: tuple[str | None, ...], at: datetime) -> tuple[str, ...]:
    """Screen a case's post and keep the codes found with it; returns them, in order."""
    key = prescreen.repeat_key(prescreen.plain_text(text))
    print_ = prescreen.fingerprint(key)
    earlier = earlier_posts(session, rules, team_id=team_id, key=key, print_=print_,
                            not_case=case_id, at=at)
    codes = tuple(s.code for s in prescreen.detect(text, rules, own_links=own_links, earlier=earlier))
    store.keep_screen(session, case_id=case_id, team_id=team_id, at=at, codes=",".join(codes),
                      fingerprint=print_, size=len(key))
    if codes:
        logger.info("case %s: pre-screen signals %s", case_id, ",".join(codes))
    return codes


def earlier_posts(session: Session, rules: prescreen.Rules, *, team_id: str, key: str,
                  print_: int | None, not_case: int | None, at: datetime) -> list[str]:
    """The repeat keys of the workspace's posts of the last ``REPEAT_DAYS`` days whose size and
    fingerprint are close to those of ``key``: the few the repeat check compares word for word."""
    if print_ is None or prescreen.REPEAT not in rules.codes:
        return []
    since = at - timedelta(days=prescreen.REPEAT_DAYS)
    close = prescreen.nearest(print_, store.recent_prints(
        session, team_id=team_id, since=since, sizes=prescreen.similar_sizes(len(key)),
        not_case=not_case))
    return [prescreen.repeat_key(prescreen.plain_text(t))
            for t in store.posts_of(session, team_id=team_id, case_ids=close)]


def screen_new(session: Session, rules: prescreen.Rules | None, *, case_id: int,
               intake: Any) -> tuple[str, ...]:
    """Screen a case opened just now from ``intake`` (:class:`~bot.usecases.cases.Intake`) with
    the policy's ``rules``, in the transaction that opens it; None: not screened."""
    if rules is None:
        return ()
    return screen(session, rules, case_id=case_id, team_id=intake.team_id, text=intake.text,
                  own_links=(intake.link, intake.source_permalink), at=intake.forwarded_at)


def screen_again(session: Session, rules: prescreen.Rules | None, *, team_id: str, channel_id: str,
                 message_ts: str, own_links: tuple[str | None, ...]) -> tuple[str, ...]:
    """Screen the post of the case of a message again: it got its words later (a pasted link to
    a Slack message, unfurled after the case opened). None: not screened."""
    case_id = None if rules is None else case_store.case_id_by_message(
        session, team_id=team_id, channel_id=channel_id, message_ts=message_ts)
    case = None if case_id is None else case_store.get_case(session, team_id=team_id, case_id=case_id)
    if case is None:
        return ()
    return screen(session, rules, case_id=case.id, team_id=team_id, text=case.text,
                  own_links=own_links, at=case.forwarded_at)


@dataclass(frozen=True)
class Agreement:
    """For one signal over a period: in how many cases it came up, how many of those the team
    has sorted into a category, and in how many of those the category agreed with it."""

    code: str
    signalled: int
    sorted: int
    agreed: int

    @property
    def share(self) -> float | None:
        return self.agreed / self.sorted if self.sorted else None


@use_case
def agreement(session: Session, *, team_id: str, now: datetime,
              days: int = AGREEMENT_DAYS) -> tuple[Agreement, ...]:
    """Per signal code that came up in the last ``days`` days, how often the team agreed."""
    since = now - timedelta(days=days)
    rows = store.signalled_since(session, team_id=team_id, since=since)
    chosen = store.categories_chosen(session, team_id=team_id, since=since, categories=CATEGORIES)
    counts: dict[str, list[int]] = {}
    for case_id, codes in rows:
        for code in prescreen.ordered(codes.split(",")):
            tally = counts.setdefault(code, [0, 0, 0])
            tally[0] += 1
            if case_id in chosen:
                tally[1] += 1
                tally[2] += prescreen.agrees(code, chosen[case_id])
    return tuple(Agreement(code, *counts[code]) for code in prescreen.ordered(counts))
