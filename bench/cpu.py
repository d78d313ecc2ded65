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
from concurrent.futures import Future
from pathlib import Path
from urllib.parse import parse_qs

from tests.slack_requests import sign


class InlineExecutor:
    """Runs each submitted listener immediately, in the thread that submits it."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001
            future.set_exception(error)
        return future


class InProcessSender:
    """Looks like ``tests.slack_requests.SlackSender`` to ``bench.probe``, but calls a WSGI app."""

    def __init__(self, app, secret: str, emulator, profiler: cProfile.Profile | None) -> None:  # noqa: ANN001
        from tests.slack_requests import SlackSender

        self.app, self.secret, self.profiler = app, secret, profiler
        self.http = SlackSender("http://127.0.0.1:1", secret, emulator=emulator)  # payloads only
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.sent: list[tuple[str, str, bytes]] = []  # to replay to the floor

    def _call(self, kind: str, content_type: str, body: bytes) -> tuple[int, dict, str]:
        self.sent.append((kind, content_type, body))
        headers = sign(self.secret, body, int(time.time()))
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
            "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
            "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"],
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "3000", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
        }
        status: list[str] = []
        started = time.thread_time()
        if self.profiler is not None:
            self.profiler.enable()
        try:
            reply = b"".join(self.app(environ, lambda s, h, *a: status.append(s)))
        finally:
            if self.profiler is not None:
                self.profiler.disable()
        if not status[0].startswith("200"):
            print(f"{kind}: {status[0]} {reply[:200]!r}", file=sys.stderr)
        self.cpu[kind].append(time.thread_time() - started)
        return int(status[0].split()[0]), {}, ""

    def event(self, event: dict, **_: object) -> tuple[int, dict, str]:
        captured: dict = {}
        self.http.post_signed = lambda body, content_type, **__: captured.update(body=body, ct=content_type) or (0, {}, "")
        self.http.event(event)
        return self._call("intake", captured["ct"], captured["body"])

    def interaction(self, payload: dict, **_: object) -> tuple[int, dict, str]:
        captured: dict = {}
        self.http.post_signed = lambda body, content_type, **__: captured.update(body=body, ct=content_type) or (0, {}, "")
        self.http.interaction(payload)
        kind = payload.get("type", "interaction")
        if kind == "block_actions":
            action = payload["actions"][0]["action_id"]
            kind = "click: strike button" if '"t":"strike"' in (payload["actions"][0].get("value") or "") \
                else "click: confirm measure" if action.startswith("rw_measure:") else "click: tree"
        elif kind == "view_submission":
            kind = "strike form submission"
        return self._call(kind, captured["ct"], captured["body"])

    def command(self, text: str, user: str, channel: str) -> None:
        captured: dict = {}
        self.http.post_signed = lambda body, content_type, **__: captured.update(body=body, ct=content_type) or (0, {}, "")
        self.http.command("/strikes", text, user, channel)
        form = parse_qs(captured["body"].decode())
        kind = "/strikes history" if form.get("text", [""])[0] else "/strikes overview"
        self._call(kind, captured["ct"], captured["body"])


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
    from tests.bot_process import INTAKE_CHANNEL

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
                from bot.handlers import errors

                errors._after_ack_pool = InlineExecutor()
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
