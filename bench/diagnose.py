"""Where the bot's time to acknowledge goes: ``python -m bench.diagnose``.

Not part of ``python -m bench``; an experiment for when the ack target is missed. It serves the
bot with the Procfile's web line, but through ``bench.diagnose:instrumented_wsgi_app()``, which
builds the very same app (``bot.wsgi.create_wsgi_app()``) and only replaces Bolt's listener
executor by one of the same kind that also records, per listener run, how long it waited in the
executor's queue before a thread took it (Bolt's default is a ``ThreadPoolExecutor`` of 5 threads
per app; buttons, modals and commands are acknowledged from inside that pool, after the wait).
``BENCH_POOL`` sets the pool's size, so the same load can be run with Bolt's default and with a
larger pool. No bot code is changed.

Each worker writes what it saw to ``$BENCH_DIAG_DIR/worker-<pid>.json`` when it exits.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.usecases import percentile


class TimedExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="bolt-listener")
        self.waits: list[float] = []
        self.runs: list[float] = []
        self.lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001
        queued = time.perf_counter()

        def timed():
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with self.lock:
                    self.waits.append(started - queued)
                    self.runs.append(time.perf_counter() - started)

        return super().submit(timed)


def instrumented_wsgi_app():
    """gunicorn's entry point for the experiment: the bot's app with a timed listener executor."""
    from bot.wsgi import create_wsgi_app

    app = create_wsgi_app()
    bolt = app.slack.app
    executor = TimedExecutor(int(os.environ.get("BENCH_POOL", "5")))
    bolt._listener_runner.listener_executor = executor
    bolt._listener_runner.lazy_listener_runner.executor = executor
    handled: list[float] = []
    lock = threading.Lock()

    def wrapped(environ, start_response):
        started = time.perf_counter()
        try:
            return app(environ, start_response)
        finally:
            if environ.get("PATH_INFO") == "/slack/events":
                with lock:
                    handled.append(time.perf_counter() - started)

    def dump() -> None:
        folder = os.environ.get("BENCH_DIAG_DIR")
        if folder:
            with executor.lock, lock:
                data = {"waits": executor.waits, "runs": executor.runs, "handled": handled}
            Path(folder, f"worker-{os.getpid()}.json").write_text(json.dumps(data))

    atexit.register(dump)
    return wrapped


def main(argv: list[str] | None = None) -> int:
    from bench.emulator import BenchEmulator
    from bench.run import LEAD, SIGNING_SECRET, TEAM, close_load, one_round, server_env, settle
    from bench.load import RoundSpec
    from bench.seed import seed
    from bench.servers import Server
    from tests.support.bot_process import INTAKE_CHANNEL

    parser = argparse.ArgumentParser(prog="python -m bench.diagnose", description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--pools", default="5,32", help="listener pool sizes to compare (5 is Bolt's)")
    parser.add_argument("--database-url", default=None,
                        help="an empty database to seed and use (default: a fresh SQLite file)")
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY (default 2)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="rw-diag-"))
    url = args.database_url or f"sqlite:///{work / 'bot.sqlite3'}"
    seeded = seed(url, decisions=20_000, authors=2_000)
    emulator = BenchEmulator().start()
    emulator.set_members(INTAKE_CHANNEL, TEAM)
    rows = []
    try:
        for pool in (int(p) for p in args.pools.split(",")):
            diag = work / f"pool-{pool}"
            diag.mkdir()
            env = server_env(emulator, url, args.workers)
            env.update({"BENCH_POOL": str(pool), "BENCH_DIAG_DIR": str(diag)})
            server = Server(f"bot-pool-{pool}", "bench.diagnose:instrumented_wsgi_app()", env, work / "logs")
            server.start()
            try:
                def spec(n: int, c: int, s: int) -> RoundSpec:
                    return RoundSpec(mode="live", url=server.base_url + "/slack/events", secret=SIGNING_SECRET,
                                     concurrency=c, requests=n, emulator_root=emulator.root_url,
                                     channel=INTAKE_CHANNEL, team=TEAM, lead=LEAD, lookups=seeded.struck,
                                     feed_since=emulator.feed_position(), seed=s)

                one_round(spec(40, 4, 99))
                settle(emulator)
                result = one_round(spec(args.requests, args.concurrency, 7))
                settle(emulator)
            finally:
                server.stop()
            waits, runs, handled = [], [], []
            for file in diag.glob("worker-*.json"):
                data = json.loads(file.read_text())
                waits += data["waits"]
                runs += data["runs"]
                handled += data["handled"]
            acks = {}
            for kind, seconds, status in result.samples:
                if status == 200:
                    acks.setdefault(kind, []).append(seconds)
            every = [s for k in acks.values() for s in k]
            clicks = acks.get("click", [])
            rows.append((pool, len(result.samples), percentile(every, 50), percentile(every, 99),
                         percentile(clicks, 50), percentile(clicks, 99), percentile(waits, 50),
                         percentile(waits, 99), percentile(runs, 50), percentile(handled, 99),
                         len(waits), sum(1 for s in result.samples if s[2] == 200) / result.wall))
    finally:
        close_load()
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{url.split(':')[0]}, {args.workers} workers, concurrency {args.concurrency}, "
          f"{args.requests} requests per pool size; times in ms.\n")
    print("| Listener pool | Requests | Ack p50 | Ack p99 | Click ack p50 | Click ack p99 | "
          "Queue wait p50 | Queue wait p99 | Listener run p50 | In-worker p99 | Listener runs | Throughput (req/s) |")
    print("|" + "---|" * 12)
    for row in rows:
        pool, n, *rest, runs_count, throughput = row
        print(f"| {pool} | {n} | " + " | ".join(f"{v * 1000:.1f}" for v in rest)
              + f" | {runs_count} | {throughput:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
