"""``python -m bench``: the whole benchmark, one command. See bench/README.md."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from bench import report
from bench.emulator import BenchEmulator
from bench.load import RoundResult, RoundSpec, serve
from bench.probe import PROBES, run_probe
from bench.seed import seed
from bench.servers import BOT_TARGET, FLOOR_TARGET, PROJECT_ROOT, Server
from bench import prescreen as prescreen_bench
from bench import usecases
from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, free_port
from tests.support.slack_requests import SlackSender

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"
# The made-up social-media team (members of the intake channel) and the lead.
TEAM = [f"U0BENCH{n:03d}" for n in range(1, 11)]
LEAD = LEAD_USER_ID


@dataclass
class Config:
    name: str
    decisions: int
    authors: int
    levels: dict[int, int]  # concurrency -> requests per round
    rounds: int  # A B pairs per level
    usecase_iterations: int
    ready_starts: int
    workers: int = 2
    probe_cases: int = 2  # per journey
    quiet_limit: float = 20.0  # seconds to wait for a quiet machine before timing a start
    recent_posts: int = 20_000  # the repeat check looks among this many posts of the last 14 days


FULL = Config("full", decisions=1_000_000, authors=100_000, levels={1: 300, 10: 1500, 50: 3000},
              rounds=2, usecase_iterations=300, ready_starts=3)
QUICK = Config("quick", decisions=20_000, authors=2_000, levels={1: 30, 10: 80}, rounds=2,
               usecase_iterations=40, ready_starts=1, probe_cases=1, quiet_limit=1.0, recent_posts=500)


@dataclass
class DatabaseRun:
    database: str
    seeded: dict = field(default_factory=dict)
    usecases: dict = field(default_factory=dict)
    rounds: list[dict] = field(default_factory=list)  # server, concurrency, round, samples, wall...
    ready: list[float] = field(default_factory=list)
    ready_busy: list[float] = field(default_factory=list)  # machine busy share during each start
    floor_ready_busy: list[float] = field(default_factory=list)
    floor_ready: list[float] = field(default_factory=list)
    memory: dict[str, dict[int, int]] = field(default_factory=dict)  # server -> pid -> KiB
    logged: dict[str, dict[str, int]] = field(default_factory=dict)  # server -> warnings/errors
    probes: list[dict] = field(default_factory=list)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes (20,000 decisions, concurrency 1 and 10): for CI")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results.md",
                        help="where to write the markdown table (default bench/results.md); "
                             "a .json with every number is written next to it")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_DATABASE_URL") or None,
                        help="an admin URL of a PostgreSQL server (default: $TEST_DATABASE_URL); "
                             "a database is created for the run and dropped afterwards")
    parser.add_argument("--postgres-database", default=None,
                        help="an existing, empty PostgreSQL database to use as is (not created or "
                             "dropped by the benchmark; the tests pass their fresh database)")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--decisions", type=int, help="decision rows to seed")
    parser.add_argument("--authors", type=int, help="authors to seed")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default 2)")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    config = replace(QUICK if args.quick else FULL)
    if args.decisions:
        config.decisions = args.decisions
    if args.authors:
        config.authors = args.authors
    if args.workers:
        config.workers = args.workers
    with_postgres = bool(args.postgres_database or args.postgres_url)
    databases = ([] if args.no_sqlite else ["sqlite"]) + (["postgresql"] if with_postgres else [])
    if not databases:
        print("nothing to measure: --no-sqlite without a PostgreSQL URL", file=sys.stderr)
        return 2
    idle_busy = busy_share(1.0)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="rw-bench-"))
    runs: list[DatabaseRun] = []
    emulator = BenchEmulator().start()
    emulator.set_members(INTAKE_CHANNEL, TEAM)
    try:
        for database in databases:
            runs.append(run_database(database, config, args, emulator, work))
    finally:
        close_load()
        emulator.stop()
        if not args.keep_logs:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}", file=sys.stderr)
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": report.cpu_model(),
        "python": platform.python_version(),
        "mode": config.name,
        "config": asdict(config),
        "seconds": time.perf_counter() - started,
        "idle_busy": idle_busy,
        # The options that shape the run; a PostgreSQL URL is named, never shown (a password).
        "command": " ".join(["python -m bench"] + (["--quick"] if args.quick else [])
                            + (["--postgres-url URL"] if args.postgres_url and not args.postgres_database else [])
                            + (["--postgres-database URL"] if args.postgres_database else [])
                            + (["--no-sqlite"] if args.no_sqlite else [])
                            + [f"--{k} {v}" for k in ("decisions", "authors", "workers")
                               if (v := getattr(args, k))]),
    }
    text = report.render(meta, [asdict(run) for run in runs])
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(
        {"meta": meta, "runs": [report.summary(asdict(run)) for run in runs]}, indent=2), encoding="utf-8")
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


# --- one database ------------------------------------------------------------------------------


def run_database(database: str, config: Config, args: argparse.Namespace, emulator: BenchEmulator,
                 work: Path) -> DatabaseRun:
    run = DatabaseRun(database)
    admin = None
    if database == "sqlite":
        url = f"sqlite:///{work / 'bot.sqlite3'}"
    elif args.postgres_database:
        url = _psycopg(args.postgres_database)
    else:
        admin_url = _psycopg(args.postgres_url)
        name = f"rw_bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        log(f"[{database}] seeding {config.decisions:,} decisions, {config.authors:,} authors")
        seeded = seed(url, decisions=config.decisions, authors=config.authors)
        run.seeded = {k: v for k, v in asdict(seeded).items() if k not in ("struck", "clean", "url")}
        if database == "postgresql":
            # Write the bulk load out now, not while the servers start and the load runs.
            engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as connection:
                    connection.exec_driver_sql("CHECKPOINT")
            except sa.exc.DBAPIError:
                log(f"[{database}] CHECKPOINT not allowed for this user; going on without it")
            finally:
                engine.dispose()
        log(f"[{database}] seeded in {seeded.seconds:.1f}s; timing /strikes in-process")
        run.usecases = usecases.measure(url, seeded, iterations=config.usecase_iterations)
        log(f"[{database}] timing /rapport over a year in-process")
        run.usecases["report"] = usecases.measure_report(url)
        run.usecases["prescreen"] = prescreen_bench.measure(
            url, iterations=config.usecase_iterations, recent=config.recent_posts)
        run_web(run, config, url, seeded, emulator, work / database)
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    return run


def _psycopg(url: str) -> str:
    """The driver this project ships (psycopg 3), as the bot's settings do."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def server_env(emulator: BenchEmulator, database_url: str, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.url,
        "PORT": str(free_port()),
        "DATABASE_URL": database_url,
        "INTAKE_CHANNELS": INTAKE_CHANNEL,
        "LEAD_USER_IDS": LEAD,
        "LANGUAGE": "nl",
        "WEB_CONCURRENCY": str(workers),
        "SCHEDULER": "off",  # irrelevant to the web line, which never starts one
        "PYTHON_DOTENV_DISABLED": "1",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("GUNICORN_THREADS", None)  # the settings' default
    return env


def run_web(run: DatabaseRun, config: Config, url: str, seeded, emulator: BenchEmulator, work: Path) -> None:
    bot = Server("bot", BOT_TARGET, server_env(emulator, url, config.workers), work / "logs")
    floor = Server("floor", FLOOR_TARGET,
                   server_env(emulator, f"sqlite:///{work / 'floor.sqlite3'}", config.workers), work / "logs")
    work.mkdir(parents=True, exist_ok=True)
    lookups = seeded.struck[:500] or seeded.clean
    try:
        for start in range(config.ready_starts):
            seconds = timed_start(bot, run.ready_busy, config.quiet_limit)
            log(f"[{run.database}] bot ready in {seconds:.2f}s")
            if start < config.ready_starts - 1:
                bot.stop()
        run.ready = list(bot.ready_seconds)
        timed_start(floor, run.floor_ready_busy, config.quiet_limit)
        run.floor_ready = list(floor.ready_seconds)

        def spec(server: Server, mode: str, concurrency: int, requests: int, script=(), seed_=1) -> RoundSpec:
            return RoundSpec(mode=mode, url=server.base_url + "/slack/events", secret=SIGNING_SECRET,
                             concurrency=concurrency, requests=requests, emulator_root=emulator.root_url,
                             channel=INTAKE_CHANNEL, team=TEAM, lead=LEAD, lookups=lookups,
                             feed_since=emulator.feed_position(), script=list(script), seed=seed_)

        # Warm-up (not measured): imports, Bolt's auth.test, the member cache, the pools.
        warm = one_round(spec(bot, "live", 4, 40, seed_=99))
        settle(emulator)
        one_round(spec(floor, "replay", 4, 40, warm.script))
        for concurrency, requests in config.levels.items():
            for number in range(1, config.rounds + 1):
                live, cpu = measured(bot, emulator, spec(bot, "live", concurrency, requests,
                                                         seed_=concurrency * 100 + number))
                run.rounds.append(round_record("bot", concurrency, number, live, cpu))
                replay, cpu = measured(floor, emulator, spec(floor, "replay", concurrency, requests,
                                                             live.script))
                run.rounds.append(round_record("floor", concurrency, number, replay, cpu))
                log(f"[{run.database}] c={concurrency} round {number}: bot p99 "
                    f"{usecases.percentile(ok(live), 99) * 1000:.1f} ms, floor p99 "
                    f"{usecases.percentile(ok(replay), 99) * 1000:.1f} ms")
        sender = SlackSender(bot.base_url, SIGNING_SECRET, emulator=emulator)
        for journey in PROBES:
            for n in range(config.probe_cases):
                result = run_probe(emulator, sender, INTAKE_CHANNEL, TEAM[n % len(TEAM)], journey,
                                   f"@bench_probe_{uuid.uuid4().hex[:8]}")
                run.probes.append({"journey": result.journey, "requests": result.requests,
                                   "clicks": result.clicks, "calls": result.calls,
                                   "intake_calls": result.intake_calls})
        emulator.forget_feed()
        run.memory = {"bot": bot.peak_memory_kib(), "floor": floor.peak_memory_kib()}
    finally:
        bot.stop()
        floor.stop()
        run.logged = {"bot": bot.logged(), "floor": floor.logged()}


def ok(result: RoundResult) -> list[float]:
    return [seconds for _, seconds, status in result.samples if status == 200]


def measured(server: Server, emulator: BenchEmulator, spec: RoundSpec) -> tuple[RoundResult, dict]:
    """One round, and the CPU time used for it from the load generator's "go" until the server is
    done (for the bot: until it makes no more Slack calls, so the work a round left queued counts):
    the server's (master and workers), the emulator's (this process), the load generator's, and
    the whole machine's busy share (``/proc/stat``: everything, PostgreSQL included)."""
    readings: dict = {}

    def before() -> None:
        readings.update(started=time.perf_counter(), server=server.cpu_seconds(),
                        own=time.process_time(), machine=machine_ticks(),
                        calls=sum(emulator.count_snapshot().values()),
                        redraws=emulator.redraw_snapshot())

    def after() -> None:
        end: dict = {}

        def done() -> None:  # the latest moment the server was seen working
            end.update(server=server.cpu_seconds(), own=time.process_time(), machine=machine_ticks(),
                       at=time.perf_counter())

        done()
        if spec.mode == "live":  # the floor leaves nothing queued
            settle(emulator, forget=False, on_activity=done)
        busy, total = (b - a for a, b in zip(readings["machine"], end["machine"]))
        readings.update(server=end["server"] - readings["server"], own=end["own"] - readings["own"],
                        span=end["at"] - readings["started"],
                        busy=busy / total if total else float("nan"),
                        calls=sum(emulator.count_snapshot().values()) - readings["calls"],
                        redraws=[b - a for a, b in zip(readings["redraws"], emulator.redraw_snapshot())])

    result = one_round(spec, before, after)
    emulator.forget_feed()
    cpu = {"server": readings["server"], "emulator": readings["own"], "client": result.client_cpu,
           "span": readings["span"], "machine_busy": readings["busy"],
           "slack_calls": readings["calls"], "identical_updates": readings["redraws"][0],
           "stale_updates": readings["redraws"][1]}
    return result, cpu


def timed_start(server: Server, busy_shares: list[float], quiet_limit: float) -> float:
    """Start on a quiet machine; note how busy the machine was while the server started."""
    quiet_machine(limit=quiet_limit)
    before = machine_ticks()
    seconds = server.start()
    busy, total = (b - a for a, b in zip(before, machine_ticks()))
    busy_shares.append(busy / total if total else float("nan"))
    return seconds


def quiet_machine(threshold: float = 0.3, window: float = 0.5, limit: float = 20.0) -> float:
    """Wait (at most ``limit`` seconds) until the machine's cores are less than ``threshold`` busy
    over ``window`` seconds, so a start is not timed while, say, the database flushes; returns the
    last busy share seen."""
    deadline = time.monotonic() + limit
    while True:
        share = busy_share(window)
        if share < threshold or time.monotonic() > deadline:
            return share


def busy_share(seconds: float) -> float:
    """How busy the machine's cores are, over the next ``seconds``."""
    before = machine_ticks()
    time.sleep(seconds)
    busy, total = (b - a for a, b in zip(before, machine_ticks()))
    return busy / total if total else 0.0


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return total - idle, total


def round_record(server: str, concurrency: int, number: int, result: RoundResult, cpu: dict) -> dict:
    return {"server": server, "concurrency": concurrency, "round": number, "samples": result.samples,
            "wall": result.wall, "stalled": result.stalled, "finished_cases": result.finished_cases,
            "errors": result.errors, "cpu": cpu, "drawn": result.drawn}


class LoadGenerator:
    """The load generator's process (``bench.load.serve``), started once and given one round at a
    time; every wait on it is bounded, and a round that overruns ends the process."""

    def __init__(self) -> None:
        self.process = None
        self.connection = None

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child,), daemon=True, name="bench-load")
        self.process.start()
        child.close()

    def run(self, spec: RoundSpec, before=None, after=None) -> RoundResult:  # noqa: ANN001
        if self.process is None or not self.process.is_alive():
            self._start()
        limit = 60 + spec.requests * 0.5
        try:
            self.connection.send(spec)
            message = self._receive(60, "did not take the round")
            if isinstance(message, BaseException):
                raise message
            if before is not None:
                before()
            self.connection.send("go")
            if not self.connection.poll(limit):
                raise RuntimeError(f"a load round did not finish within {limit:.0f}s")
            if after is not None:
                after()
            result = self._receive(30, "sent no result")
        except BaseException:
            self.close(kill=True)
            raise
        if isinstance(result, BaseException):
            raise result
        return result

    def _receive(self, timeout: float, what: str):  # noqa: ANN202
        if not self.connection.poll(timeout):
            raise RuntimeError(f"the load generator {what} within {timeout:.0f}s")
        try:
            return self.connection.recv()
        except EOFError:
            raise RuntimeError(f"the load generator exited with {self.process.exitcode}") from None

    def close(self, kill: bool = False) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if not kill:
            try:
                self.connection.send(None)
            except OSError:
                pass
            process.join(timeout=10)
        if process.is_alive():
            process.kill()
        process.join(timeout=10)
        self.connection.close()


_LOAD = LoadGenerator()


def close_load() -> None:
    _LOAD.close()


def one_round(spec: RoundSpec, before=None, after=None) -> RoundResult:  # noqa: ANN001
    """Run a round in the load generator's process and wait for its result (bounded in time);
    ``before`` runs just before the round starts, ``after`` as soon as it has ended."""
    return _LOAD.run(spec, before, after)


def settle(emulator: BenchEmulator, quiet: float = 0.5, limit: float = 30.0, forget: bool = True,
           on_activity=None) -> None:  # noqa: ANN001
    """Let the bot finish what the last round queued, so it does not spill into the floor's: wait
    until it has made no Slack call for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    last, since = sum(emulator.count_snapshot().values()), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = sum(emulator.count_snapshot().values())
        if now != last:
            last, since = now, time.monotonic()
            if on_activity is not None:
                on_activity()
        elif time.monotonic() - since >= quiet:
            break
    if forget:
        emulator.forget_feed()


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
