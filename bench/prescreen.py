"""The pre-screen measured in-process: what it adds to a new case, on made-up posts.

``screen`` times the rules on a post of 2,000 characters (every detector, the repeat key and the
fingerprint), as :func:`bot.usecases.prescreen.screen` runs them before the first message is drawn.
``repeat`` times the repeat check against the workspace's recent posts: the fingerprints of the
last 14 days read from the database, the nearest compared word for word. The recent posts are
seeded for a workspace of their own, so the rest of the benchmark does not see them.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bot.flows import prescreen
from bot.flows.policy import load_policy
from bot.usecases import prescreen as screening
from storage.db import create_db_engine, transaction
from storage.models import Case, CaseScreen

TEAM = "T0BENCHPS1"  # a made-up workspace of its own
POST_CHARS = 2000
WORDS = (
    "de het een en van in op voor met niet is dat wij jullie ik je gemeente straat fietspad "
    "container afval park school bus station markt bibliotheek zwembad vergunning parking "
    "wegenwerken verlichting speeltuin boom bank loket afspraak paspoort kapot hersteld eindelijk "
    "vandaag morgen week maand waarom wanneer hoe lang bedankt proficiat schandalig gevaarlijk "
    "prachtig graag snel nog altijd weer al niemand iedereen buurt wijk dorp centrum kerk"
).split()
EXTRAS = (
    "Bel mij op 0470 12 34 56.", "Mail an.peeters@voorbeeld.be aub.", "Ik woon in de Kerkstraat 12.",
    "Zie https://bit.ly/abc123 voor meer.", "WAAROM DOET NIEMAND HIER IETS AAN?", "Factuur 2024-00123.",
    "Op 12/03/2024 om 14.30 was er niemand.", "Het kostte 1.250,00 euro.", "Het OCMW en de NMBS.",
)


def post(rng: random.Random, chars: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append(rng.choice(EXTRAS) if rng.random() < 0.04 else rng.choice(WORDS))
    return " ".join(words)[:chars]


def seed_recent(engine: sa.Engine, count: int, now: datetime, rng: random.Random) -> list[str]:
    """``count`` posts forwarded in the last 14 days, each with its fingerprint; returns a
    hundred of their texts."""
    cases, screens = [], []
    for n in range(count):
        text = post(rng, rng.randint(60, 600))
        at = now - timedelta(seconds=rng.randint(60, 13 * 24 * 3600))
        cases.append({"team_id": TEAM, "channel_id": "C0BENCHPS1", "message_ts": f"1800000000.{n:06d}",
                      "via": "message", "platform": "facebook", "text": text,
                      "forwarded_by": "U0BENCHPS1", "forwarded_at": at, "node_id": "origin"})
        key = prescreen.repeat_key(text)
        screens.append((at, prescreen.fingerprint(key), len(key)))
    with transaction(engine) as session:
        connection = session.connection()
        for start in range(0, count, 1000):
            connection.execute(sa.insert(Case.__table__), cases[start:start + 1000])
        ids = list(connection.execute(sa.select(Case.__table__.c.id).where(
            Case.__table__.c.team_id == TEAM).order_by(Case.__table__.c.id)).scalars())
        rows = [{"case_id": case_id, "team_id": TEAM, "screened_at": at, "codes": "", "fingerprint": fp,
                 "size": size} for case_id, (at, fp, size) in zip(ids, screens)]
        for start in range(0, len(rows), 1000):
            connection.execute(sa.insert(CaseScreen.__table__), rows[start:start + 1000])
    return [c["text"] for c in cases[:100]]


def measure(url: str, *, iterations: int, recent: int, warmup: int = 5) -> dict:
    """Time the rules on 2,000-character posts, and the repeat check against ``recent`` posts."""
    rng = random.Random(17)
    rules = load_policy(None).prescreen
    now = datetime.now(timezone.utc)
    posts = [post(rng, POST_CHARS) for _ in range(iterations + warmup)]
    screen_times = []
    for n, text in enumerate(posts):
        started = time.perf_counter()
        prescreen.detect(text, rules, own_links=("https://www.facebook.com/gemeente/posts/1",))
        prescreen.fingerprint(prescreen.repeat_key(prescreen.plain_text(text)))
        if n >= warmup:
            screen_times.append(time.perf_counter() - started)

    engine = create_db_engine(url)
    try:
        started = time.perf_counter()
        seeded = seed_recent(engine, recent, now, rng)
        seed_seconds = time.perf_counter() - started
        repeat_times = []
        found = 0
        for n in range(iterations + warmup):
            # Half the posts nearly repeat a recent one (shouted, a word added), half are new.
            text = (rng.choice(seeded).upper() + " echt") if n % 2 else post(rng, rng.randint(60, 600))
            started = time.perf_counter()
            key = prescreen.repeat_key(prescreen.plain_text(text))
            with transaction(engine) as session:
                earlier = screening.earlier_posts(session, rules, team_id=TEAM, at=now, not_case=None,
                                                  key=key, print_=prescreen.fingerprint(key))
            found += prescreen.is_repeat(key, earlier)
            if n >= warmup:
                repeat_times.append(time.perf_counter() - started)
    finally:
        engine.dispose()
    return {"screen": screen_times, "repeat": repeat_times, "recent": recent, "chars": POST_CHARS,
            "seed_seconds": seed_seconds, "repeats_found": found}
