"""Socket Mode's reliability numbers: ``python -m bench.socket_mode``.

Not part of ``python -m bench``. Starts ``python -m bot`` in Socket Mode with its default
timings against the emulator's Socket Mode server (tests/support/socket_mode_server.py) and, for each
way a connection can drop, measures the time from the drop until a new connection has said
hello, and the CPU the bot used meanwhile. Then the CPU over ten seconds while Slack cannot be
reached at all, next to ten idle seconds. Prints a Markdown table (the README quotes it).

``--client slack-sdk-builtin`` measures slack_sdk's built-in Socket Mode client instead (what
slack_bolt's ``SocketModeHandler`` uses by default, with its default ping interval of 10 s), in a
process of its own that acks every envelope, for comparison.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

from tests.support.bot_process import INTAKE_CHANNEL, BotProcess
from tests.support.slack_emulator import SlackEmulator
from tests.support.socket_mode_server import APP_TOKEN, DROPS, SocketModeServer, SocketSender


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def settle(server: SocketModeServer, age: float = 3.0):
    conn = server.wait_connected()
    wait = conn.hello_at + age - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    return conn


_BUILTIN = """
import sys, threading
from slack_sdk import WebClient
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse
# ping_interval=10: what slack_bolt's SocketModeHandler passes by default (the bot used it so).
client = SocketModeClient(app_token=sys.argv[1], web_client=WebClient(base_url=sys.argv[2]), ping_interval=10)
client.socket_mode_request_listeners.append(
    lambda c, req: c.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id)))
client.connect()
threading.Event().wait()
"""


class _Process:
    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc, self.pid = proc, proc.pid


@contextmanager
def _client(kind: str, slack: SlackEmulator, server: SocketModeServer, tmp: str):
    if kind == "reageerwijzer":
        env = {"SLACK_APP_TOKEN": APP_TOKEN, "SLACK_SIGNING_SECRET": None, "SCHEDULER": "off"}
        with BotProcess(env, slack, tmp) as bot:
            bot.sender = SocketSender(server, slack, bot.base_url)
            yield bot
        return
    proc = subprocess.Popen([sys.executable, "-c", _BUILTIN, APP_TOKEN, slack.url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server.wait_connected(timeout=30)
        yield _Process(proc)
    finally:
        proc.kill()
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="drops of each kind (the worst is shown)")
    parser.add_argument("--client", choices=("reageerwijzer", "slack-sdk-builtin"), default="reageerwijzer")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, SlackEmulator() as slack, SocketModeServer(slack) as server:
        slack.set_members(INTAKE_CHANNEL, ["U0ANNA0001"])
        with _client(args.client, slack, server, tmp) as bot:
            for kind in DROPS:
                times, cpus = [], []
                for _ in range(args.rounds):
                    conn = settle(server)
                    start_cpu, dropped_at = cpu_seconds(bot.pid), time.monotonic()
                    server.drop(kind, conn)
                    times.append(server.reconnected_after(conn, dropped_at, timeout=120))
                    cpus.append(cpu_seconds(bot.pid) - start_cpu)
                rows.append((kind, max(times), max(cpus)))
            settle(server)
            start = cpu_seconds(bot.pid)
            time.sleep(10)
            idle = cpu_seconds(bot.pid) - start
            slack.fail_next("apps.connections.open", status=503, times=10_000)
            conn = server.drop("reset")
            time.sleep(0.5)
            start = cpu_seconds(bot.pid)
            calls_before = len(slack.calls("apps.connections.open"))
            time.sleep(10)
            away = cpu_seconds(bot.pid) - start
            attempts = len(slack.calls("apps.connections.open")) - calls_before
            with slack._lock:  # noqa: SLF001
                slack._faults.pop("apps.connections.open", None)  # noqa: SLF001
            back = server.reconnected_after(conn, time.monotonic(), timeout=120)
    print(f"Client: {args.client}")
    print("| Drop | Connected again after (worst of %d) | CPU meanwhile |" % args.rounds)
    print("|---|---|---|")
    for kind, seconds, cpu in rows:
        print(f"| `{kind}` | {seconds:.2f} s | {cpu:.2f} s |")
    print()
    print(f"Idle, connected: {idle:.2f} s of CPU in 10 s. Slack unreachable: {away:.2f} s of CPU in 10 s "
          f"({attempts} attempts to reconnect); connected {back:.2f} s after Slack answered again.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
