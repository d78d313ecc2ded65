"""A register the size of years of moderation, made up and written in bulk.

``seed(url, decisions=1_000_000, authors=100_000)`` migrates the database (the bot's own
migrations) and fills it with made-up cases walked through the tree, their decision log, and
strikes for a realistic share of the authors: about one author in twenty has broken the code of
conduct, most of them once; strikes are spread over two years, so about half have expired; a few
were revoked or upheld on appeal, and most warnings were confirmed.

SQLite gets SQLAlchemy Core ``executemany`` in large batches (through the bot's column types, so
timestamps are stored exactly as the bot stores them); PostgreSQL gets ``COPY``. Nothing is written
one row at a time. Every handle and text is made up; no real person is named.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterator, Sequence

import sqlalchemy as sa

from bot.flows.policy import load_policy
from storage.db import migrate
from storage.models import Author, AuthorMeasure, Case, Decision, Strike, StrikeReview
from tests.support.slack_emulator import TEAM_ID

SOCIAL = ("facebook", "instagram", "x", "tiktok", "linkedin", "youtube")
STRUCK_SHARE = 0.05  # authors with at least one strike
# Made-up team members who made the seeded decisions (not the ones the load generator uses).
SEED_TEAM = tuple(f"U0SEED{n:04d}" for n in range(1, 9))
TEXTS = (
    "Wanneer wordt het grofvuil opgehaald in onze straat?",
    "Waarom staat de straatverlichting overdag aan?",
    "Mooi gedaan met het nieuwe speelplein!",
    "Het containerpark is weer veel te vroeg dicht.",
    "Wie beslist er eigenlijk over die nieuwe parkeerregels?",
)
# (node, action) paths through the bundled tree; the strike path is used for struck cases only.
PATHS = (
    (("own", None), ("neutral", None), ("neutral.question", None),
     ("neutral.question", "reply_public"), ("neutral.question", "close")),
    (("own", None), ("negative", None), ("negative.criticism", None),
     ("negative.criticism", "reply_public"), ("negative.criticism", "close")),
    (("external", None), ("external.monitor", None), ("external.monitor", "monitor"),
     ("external.monitor", "close")),
    (("own", None), ("negative", None), ("negative.venting", None),
     ("negative.venting", "reply_private"), ("negative.venting", "reply_public"),
     ("negative.venting", "close")),
)
STRIKE_PATH = (("own", None), ("negative", None), ("negative.conduct", None),
               ("negative.conduct", "strike"), ("negative.conduct", "warn"),
               ("negative.conduct", "close"))


@dataclass
class Seeded:
    """What was written, and what a lookup can ask for."""

    url: str
    decisions: int = 0
    cases: int = 0
    authors: int = 0
    struck_authors: int = 0
    strikes: int = 0
    reviews: int = 0
    measures: int = 0
    seconds: float = 0.0
    struck: list[tuple[str, str]] = field(default_factory=list)  # (platform, handle)
    clean: list[tuple[str, str]] = field(default_factory=list)  # authors without strikes


def handle_of(author_id: int) -> str:
    return f"inwoner_{author_id:06d}"


def platform_of(author_id: int) -> str:
    return SOCIAL[author_id % len(SOCIAL)]


class _Plan:
    """Every row, generated lazily and deterministically (one ``random.Random``)."""

    def __init__(self, decisions: int, authors: int, now: datetime, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.n_decisions = decisions
        self.n_authors = authors
        self.now = now
        self.policy_version = load_policy(None).version
        # Strikes: which authors, how many each, and one case per strike.
        struck_ids = sorted(self.rng.sample(range(1, authors + 1), max(1, int(authors * STRUCK_SHARE))))
        self.strike_plan: list[int] = []  # author id per strike, in case order
        for author_id in struck_ids:
            roll = self.rng.random()
            count = 1 if roll < 0.60 else 2 if roll < 0.85 else 3 if roll < 0.95 else self.rng.randint(4, 6)
            self.strike_plan.extend([author_id] * count)
        self.rng.shuffle(self.strike_plan)
        self.struck_ids = struck_ids
        self.case_paths: list[tuple] = []
        total = 0
        while total < decisions:
            if len(self.case_paths) < len(self.strike_plan):
                path = STRIKE_PATH
            else:
                path = PATHS[self.rng.randrange(len(PATHS))]
            path = path[: decisions - total]
            self.case_paths.append(path)
            total += len(path)
        # A register this size always has strike cases; a tiny one may hold fewer strikes.
        strike_cases = sum(1 for p in self.case_paths if len(p) > 3 and p[3] == ("negative.conduct", "strike"))
        self.strike_plan = self.strike_plan[:strike_cases]
        self.case_when: list[datetime] = []
        span = timedelta(days=730).total_seconds()
        for _ in self.case_paths:
            self.case_when.append(now - timedelta(seconds=self.rng.random() * span + 3600))

    def authors(self) -> Iterator[dict]:
        created = self.now - timedelta(days=800)
        for author_id in range(1, self.n_authors + 1):
            yield {"id": author_id, "team_id": TEAM_ID, "platform": platform_of(author_id),
                   "handle": handle_of(author_id), "created_at": created}

    def cases(self) -> Iterator[dict]:
        rng = random.Random(11)
        for index, path in enumerate(self.case_paths):
            case_id = index + 1
            if index < len(self.strike_plan):
                author_id = self.strike_plan[index]
            else:
                author_id = rng.randint(1, self.n_authors) if rng.random() < 0.8 else None
            when = self.case_when[index]
            node, _ = path[-1]
            closed = path[-1][1] == "close"
            origin = "external" if path[0][0] == "external" else "own"
            yield {
                "id": case_id, "team_id": TEAM_ID, "channel_id": "C0SEEDED01",
                "message_ts": f"{1600000000 + case_id}.000100",
                "bot_message_ts": f"{1600000000 + case_id}.000200", "via": "message",
                "source_permalink": None,
                "platform": platform_of(author_id) if author_id else "other", "link": None,
                "author_id": author_id, "text": TEXTS[case_id % len(TEXTS)],
                "forwarded_by": SEED_TEAM[case_id % len(SEED_TEAM)], "forwarded_at": when,
                "origin": origin, "status": "closed" if closed else "open", "node_id": node,
                "pending_action": None, "version": len(path),
                "closed_at": when + timedelta(minutes=len(path)) if closed else None,
            }

    def decisions(self) -> Iterator[dict]:
        decision_id = 0
        for index, path in enumerate(self.case_paths):
            when = self.case_when[index]
            user = SEED_TEAM[index % len(SEED_TEAM)]
            for step, (node, action) in enumerate(path):
                decision_id += 1
                note = f"strike:{index + 1}" if action in ("strike", "warn") else None
                yield {"id": decision_id, "case_id": index + 1, "node_id": node, "action_id": action,
                       "user_id": user, "decided_at": when + timedelta(minutes=step),
                       "policy_version": self.policy_version, "note": note}

    def strikes(self) -> Iterator[dict]:
        # Strike n belongs to case n (the first cases are the strike cases).
        for index, author_id in enumerate(self.strike_plan):
            decided = self.case_when[index] + timedelta(minutes=3)
            yield {"id": index + 1, "team_id": TEAM_ID, "author_id": author_id, "case_id": index + 1,
                   "rule": "negative.conduct", "decided_by": SEED_TEAM[index % len(SEED_TEAM)],
                   "decided_at": decided, "expires_at": decided + timedelta(days=365),
                   "reason_internal": "Scheldwoorden naar het team (testgegevens)",
                   "reason_public": "je scheldt andere mensen uit"}

    def reviews_and_measures(self) -> tuple[list[dict], list[dict]]:
        rng = random.Random(13)
        reviews, measures = [], []
        seen: dict[int, int] = {}
        steps = ("first_warning", "second_warning", "block")
        for index, author_id in enumerate(self.strike_plan):
            strike_id = index + 1
            decided = self.case_when[index] + timedelta(minutes=3)
            nth = seen[author_id] = seen.get(author_id, 0) + 1
            if rng.random() < 0.7:
                measures.append({"id": len(measures) + 1, "author_id": author_id, "strike_id": strike_id,
                                 "kind": steps[min(nth, 3) - 1], "confirmed_by": SEED_TEAM[0],
                                 "confirmed_at": decided + timedelta(minutes=10)})
            roll = rng.random()
            if roll < 0.04:
                outcome = "revoked" if roll < 0.03 else "appeal_upheld"
                reviews.append({"id": len(reviews) + 1, "strike_id": strike_id, "outcome": outcome,
                                "reviewed_by": "U0LEAD0001", "reviewed_at": decided + timedelta(days=3),
                                "reason": "Herbekeken (testgegevens)"})
        return reviews, measures


def _batches(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


TABLES: Sequence[tuple[str, type]] = (
    ("author", Author), ("case", Case), ("decision", Decision), ("strike", Strike),
    ("strike_review", StrikeReview), ("author_measure", AuthorMeasure),
)


def _write_sqlite(engine: sa.Engine, plan: _Plan, reviews: list[dict], measures: list[dict]) -> None:
    sources = {"author": plan.authors(), "case": plan.cases(), "decision": plan.decisions(),
               "strike": plan.strikes(), "strike_review": iter(reviews),
               "author_measure": iter(measures)}
    with engine.connect() as connection:
        # A fresh file written once: no need to survive a power cut half-way.
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        connection.commit()
        for name, model in TABLES:
            table = model.__table__
            with connection.begin():
                for batch in _batches(sources[name], 50_000):
                    connection.execute(sa.insert(table), batch)


def _write_postgres(engine: sa.Engine, plan: _Plan, reviews: list[dict], measures: list[dict]) -> None:
    sources = {"author": plan.authors(), "case": plan.cases(), "decision": plan.decisions(),
               "strike": plan.strikes(), "strike_review": iter(reviews),
               "author_measure": iter(measures)}
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            for name, _model in TABLES:
                rows = sources[name]
                first = next(rows, None)
                if first is None:
                    continue
                # The columns this seed knows; newer nullable ones are left empty, as on insert.
                columns = list(first)
                quoted = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
                    copy.write_row([first[c] for c in columns])
                    for row in rows:
                        copy.write_row([row[c] for c in columns])
                # Ids were given explicitly: move each sequence past them, as inserts would.
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{name}\"), 0) + 1, false)")
        connection.commit()
        # Autovacuum would analyse tables this size within a minute; do it now.
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        raw.close()


def seed(url: str, *, decisions: int, authors: int, now: datetime | None = None) -> Seeded:
    """Migrate and fill an empty database at ``url``."""
    started = time.perf_counter()
    now = now or datetime.now(timezone.utc)
    engine = sa.create_engine(url)
    try:
        migrate(engine)
        plan = _Plan(decisions, authors, now)
        reviews, measures = plan.reviews_and_measures()
        if engine.dialect.name == "sqlite":
            _write_sqlite(engine, plan, reviews, measures)
        else:
            _write_postgres(engine, plan, reviews, measures)
    finally:
        engine.dispose()
    struck = sorted(set(plan.strike_plan))
    struck_set = set(struck)
    rng = random.Random(17)
    clean_ids = [i for i in rng.sample(range(1, authors + 1), min(authors, 400)) if i not in struck_set][:200]
    return Seeded(
        url=url, decisions=decisions, cases=len(plan.case_paths), authors=authors,
        struck_authors=len(struck), strikes=len(plan.strike_plan), reviews=len(reviews),
        measures=len(measures), seconds=time.perf_counter() - started,
        struck=[(platform_of(i), handle_of(i)) for i in struck],
        clean=[(platform_of(i), handle_of(i)) for i in clean_ids],
    )
