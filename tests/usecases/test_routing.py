"""Routing rules and storage: earlier answers found for similar questions, and timed jobs claimed
once however many schedulers run (real SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.usecases.routing import best_match
from bot.usecases.jobs import claim_due
from storage.db import transaction
from storage.models import Job

EARLIER = [
    "Wanneer wordt het grofvuil opgehaald in de Kerkstraat?",
    "Tot hoe laat is het containerpark open op zaterdag?",
    "Waar kan ik een nieuwe identiteitskaart aanvragen?",
    "Wanneer zijn de wegenwerken in de Stationsstraat klaar?",
    "Mag mijn hond mee in het stadspark?",
    "Hoe vraag ik een parkeerkaart voor bewoners aan?",
]


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("Wanneer komen ze het grofvuil ophalen in de kerkstraat", 0),
        ("Is het containerpark zaterdag open? Tot hoe laat?", 1),
        ("waar vraag ik een identiteitskaart aan", 2),
        ("Tegen wanneer zijn die wegenwerken in de Stationsstraat eindelijk klaar??", 3),
        ("Mogen honden in het stadspark?", 4),
        ("Bewonerskaart parkeren: hoe vraag ik die aan?", 5),
    ],
)
def test_an_earlier_answer_is_found_for_a_question_asked_differently(new, expected):
    match = best_match(new, EARLIER)
    assert match is not None and match[0] == expected


@pytest.mark.parametrize("new", ["Wat een prachtig vuurwerk gisteren!", "Wie is de nieuwe burgemeester?"])
def test_an_unrelated_question_finds_nothing(new):
    assert best_match(new, EARLIER) is None


def test_no_earlier_questions_no_match():
    assert best_match("Wanneer wordt het grofvuil opgehaald?", []) is None


NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def test_two_schedulers_claim_each_due_job_once(engine):
    with transaction(engine) as session:
        for i in range(40):
            session.add(Job(team_id="T0TEST0001", kind="remind", ref_id=i, created_by="U0ANNA0001",
                            due_at=NOW - timedelta(minutes=i)))
        session.add(Job(team_id="T0TEST0001", kind="remind", ref_id=99, created_by="U0ANNA0001",
                        due_at=NOW + timedelta(hours=1)))  # not due yet
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(2)

    def scheduler(name: str) -> None:
        barrier.wait()
        found = []
        for _ in range(5):
            found += [job.ref_id for job in claim_due(engine, now=NOW, worker=name, limit=10)]
        claimed[name] = found

    threads = [threading.Thread(target=scheduler, args=(f"scheduler-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = claimed["scheduler-0"] + claimed["scheduler-1"]
    assert sorted(everything) == list(range(40))  # each due job once, the future one not at all
