"""Where the bot's CPU goes per request: ``python -m bench.cpu``.

Not part of ``python -m bench``; evidence for its results. The bot's WSGI app
(``bot.wsgi.create_wsgi_app()``, unchanged) and the floor's run in this process against the
emulator, one request at a time, with Bolt's listener executor (and the bot's after-ack
threads, ``bot.handlers.errors``) replaced by one that runs the listener at once in the calling
thread. So everything a request causes (the request gate, Bolt,
the listener before and after ``ack()``, the database, building the blocks and the Slack call) is
measured in one thread: its CPU time (``time.thread_time``) and a cProfile of it. Requests are
the journeys of ``bench.probe`` (every click on a button the bot drew).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tests.support.inline import InlineExecutor, InProcessSender


def by_package(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own time (tottime) per package, largest first."""
    groups: dict[str, float] = defaultdict(float)
    root = str(Path(__file__).resolve().parent.parent)
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in filename:
            group = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        elif filename.startswith(root):
            group = "project: " + filename[len(root) + 1:].split("/", 1)[0] + "/"
        elif filename == "~":
            group = f"builtins ({name.strip('<>').split(' of ')[0][:40]})" if "method" in name else "builtins"
        else:
            group = "stdlib: " + Path(filename).stem
        groups[group] += tottime
    return sorted(groups.items(), key=lambda item: -item[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20, help="cases per journey")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    from bench.emulator import BenchEmulator
    from bench.probe import PROBES, run_probe
    from bench.run import BOT_TOKEN, LEAD, SIGNING_SECRET, TEAM
    from bench.seed import seed
    from tests.support.bot_process import INTAKE_CHANNEL

    work = Path(tempfile.mkdtemp(prefix="rw-cpu-"))
    url = args.database_url or f"sqlite:///{work / 'bot.sqlite3'}"
    seeded = seed(url, decisions=20_000, authors=2_000)
    emulator = BenchEmulator(feed=False).start()
    emulator.set_members(INTAKE_CHANNEL, TEAM)
    os.environ.update({
        "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": emulator.url,
        "DATABASE_URL": url, "INTAKE_CHANNELS": INTAKE_CHANNEL, "LEAD_USER_IDS": LEAD, "LANGUAGE": "nl",
        "PYTHON_DOTENV_DISABLED": "1", "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    })
    os.environ.pop("SLACK_APP_TOKEN", None)
    try:
        from bench.floor import FloorWsgiApp
        from bot.wsgi import create_wsgi_app

        results = {}
        senders = {}
        for name, factory in (("bot", create_wsgi_app), ("floor", FloorWsgiApp)):
            app = factory()
            bolt = app.slack.app
            bolt._listener_runner.listener_executor = InlineExecutor()
            bolt._listener_runner.lazy_listener_runner.executor = InlineExecutor()
            if name == "bot":  # and the bot's own threads for the work after an ack
                from bot.handlers import after_ack

                after_ack._after_ack_pool = InlineExecutor()
            sender = senders[name] = InProcessSender(app, SIGNING_SECRET, emulator, None)
            if name == "bot":
                for n in range(2):  # warm-up, not profiled: imports, auth.test, the member cache
                    run_probe(emulator, sender, INTAKE_CHANNEL, TEAM[0],
                              list(PROBES)[n % len(PROBES)], f"@cpu_warm_{n}")
                    sender.command("", LEAD, INTAKE_CHANNEL)
                warm = list(sender.sent)
            else:  # the floor gets what the bot got, in the same order
                for kind, content_type, body in warm:
                    sender._call(kind, content_type, body)
            # Two passes: CPU time without a profiler (it would add its own), then the profile.
            profiler = cProfile.Profile(time.thread_time)
            cpu: dict[str, list[float]] = {}
            for number, use in enumerate((None, profiler)):
                sender.cpu.clear()
                sender.profiler = use
                if name == "bot":
                    sender.sent.clear()
                    for n in range(args.cases):
                        for journey in PROBES:
                            run_probe(emulator, sender, INTAKE_CHANNEL, TEAM[n % len(TEAM)], journey,
                                      f"@cpu_{number}_{n}")
                        sender.command("", LEAD, INTAKE_CHANNEL)
                        platform, handle = seeded.struck[n % len(seeded.struck)]
                        sender.command(f"{platform} @{handle}", LEAD, INTAKE_CHANNEL)
                    bot_sent = list(sender.sent)
                    sent_by_pass = getattr(sender, "by_pass", [])
                    sent_by_pass.append(bot_sent)
                    sender.by_pass = sent_by_pass
                else:
                    for kind, content_type, body in senders["bot"].by_pass[number]:
                        sender._call(kind, content_type, body)
                if use is None:
                    cpu = dict(sender.cpu)
            results[name] = (cpu, pstats.Stats(profiler))
    finally:
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"CPU time per request, one request at a time (ms; {args.cases} cases per journey; SQLite, "
          f"{seeded.decisions:,} decisions):\n")
    print("| Request | Count | Bot CPU mean (ms) | Floor CPU mean (ms) |")
    print("|---|---|---|---|")
    bot_cpu, floor_cpu = results["bot"][0], results["floor"][0]
    for kind in sorted(bot_cpu):
        b, f = bot_cpu[kind], floor_cpu.get(kind, [])
        print(f"| {kind} | {len(b)} | {sum(b) / len(b) * 1000:.2f} | "
              f"{(sum(f) / len(f) * 1000) if f else float('nan'):.2f} |")
    for name in ("bot", "floor"):
        stats = results[name][1]
        total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
        print(f"\n{name}: own CPU time by package ({total * 1000:.0f} ms in all)\n")
        print("| Package | ms | share |")
        print("|---|---|---|")
        for group, seconds in by_package(stats)[:15]:
            print(f"| {group} | {seconds * 1000:.0f} | {seconds / total * 100:.1f}% |")
    out = io.StringIO()
    results["bot"][1].stream = out  # type: ignore[attr-defined]
    results["bot"][1].sort_stats("cumulative").print_stats(args.top)
    print("\nbot: functions by cumulative CPU time\n")
    print("```")
    print(_trim(out.getvalue()))
    print("```")
    return 0


def _trim(text: str) -> str:
    lines = text.strip().splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    root = str(Path(__file__).resolve().parent.parent) + "/"
    return "\n".join(re.sub(r"\S*site-packages/", "", line.replace(root, "")) for line in lines[start:])


if __name__ == "__main__":
    sys.exit(main())
