"""``/strikes`` measured in-process: the use-case calls the handler makes, on the bot's own engine.

``overview`` is exactly what ``/strikes`` without arguments runs (the first page, one row more to
know whether there is a next page); ``history`` is what ``/strikes <platform> @handle`` and
``/strikes @handle`` run, for seeded authors with strikes. Each call is one transaction, timed
from the call to its return.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import time
from datetime import datetime, timezone

from bot.usecases import strikes
from bot.flows.policy import load_policy
from bot.flows.strikes import AuthorQuery
from bot.blocks.strikes import OVERVIEW_PAGE
from bench.seed import Seeded
from storage.db import create_db_engine
from tests.support.slack_emulator import TEAM_ID


def _queries(seeded: Seeded, count: int, seed: int = 3) -> list[AuthorQuery]:
    rng = random.Random(seed)
    pool = seeded.struck or seeded.clean
    queries = []
    for n in range(count):
        platform, handle = rng.choice(pool)
        queries.append(AuthorQuery(platform if n % 2 == 0 else None, handle))
    return queries


def measure(url: str, seeded: Seeded, *, iterations: int, warmup: int = 5,
            profile_over_ms: float | None = 100.0) -> dict:
    """Time both use cases ``iterations`` times; profile one that is slower than the target."""
    policy = load_policy(None)
    engine = create_db_engine(url)
    now = datetime.now(timezone.utc)
    try:
        def overview() -> object:
            return strikes.overview(engine, policy, team_id=TEAM_ID, now=now, offset=0,
                                    limit=OVERVIEW_PAGE + 1)

        queries = _queries(seeded, iterations + warmup)

        def history(query: AuthorQuery) -> object:
            return strikes.history(engine, policy, team_id=TEAM_ID, query=query, now=now)

        for n in range(warmup):
            overview()
            history(queries[n])
        overview_times, history_times = [], []
        rows = found = 0
        for n in range(iterations):
            started = time.perf_counter()
            rows = len(overview())
            overview_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            found += len(history(queries[warmup + n]))
            history_times.append(time.perf_counter() - started)
        result = {"overview": overview_times, "history": history_times, "overview_rows": rows,
                  "history_found": found, "profiles": {}}
        if profile_over_ms is not None:
            for name, times, call in (("overview", overview_times, overview),
                                      ("history", history_times, lambda: history(queries[0]))):
                if percentile(times, 95) * 1000 > profile_over_ms:
                    result["profiles"][name] = profile(call, 10)
        return result
    finally:
        engine.dispose()


def profile(call, times: int, top: int = 12) -> str:
    """The functions a slow call spends its time in (cProfile, cumulative)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def percentile(values: list[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


REPORT_DAYS = 365


def measure_report(url: str, *, iterations: int = 2) -> dict:
    """``/rapport`` over the last year, as the handler runs it after the ack: the snapshot, the
    message's blocks, the chart and the decisions CSV. Timed from the first query to the last
    byte of the CSV."""
    from datetime import timedelta

    from bot.blocks import report as views
    from bot.core.i18n import Translator
    from bot.flows.report import LocalMinutes, period_of
    from bot.flows.report_chart import render_chart
    from bot.usecases import report

    policy = load_policy(None)
    zone = policy.business_hours.timezone
    engine = create_db_engine(url)
    tr = Translator("nl")
    today = datetime.now(timezone.utc).date()
    period = period_of(today - timedelta(days=REPORT_DAYS - 1), today, zone)
    times, rows = [], 0
    try:
        for _ in range(iterations):
            started = time.perf_counter()
            snapshot = report.build_report(engine, policy, team_id=TEAM_ID, period=period)
            views.report_blocks(snapshot, policy, tr)
            render_chart(snapshot.buckets, **views.chart_words(snapshot, tr))
            content = report.decisions_csv(engine, team_id=TEAM_ID, period=period,
                                           local=LocalMinutes(zone))
            times.append(time.perf_counter() - started)
            rows = content.count("\n") - 1
        return {"seconds": times, "decisions": rows, "days": REPORT_DAYS}
    finally:
        engine.dispose()
