"""Start the bot as a real process (``python -m bot``, HTTP mode) for end-to-end tests.

    with SlackEmulator() as slack, BotProcess({}, slack, tmp_path) as bot:
        status, _, _ = bot.sender.event(message_event(...))
        slack.wait_for("chat.postMessage")

The bot talks to the emulator (SLACK_API_URL) and uses a SQLite database in
``tmp_path``. Its stdout/stderr go to files in ``tmp_path`` (``bot.logs()``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Mapping

from .slack_emulator import SlackEmulator
from .slack_requests import SlackSender

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

BOT_TOKEN = "xoxb-test-token"
SIGNING_SECRET = "test-signing-secret"
INTAKE_CHANNEL = "C0INTAKE01"
LEAD_USER_ID = "U0LEAD0001"


class BotStartError(RuntimeError):
    """The bot exited or did not become healthy in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_env(
    env_overrides: Mapping[str, str | None],
    tmp_path: str | os.PathLike[str],
    *,
    api_url: str,
    port: int,
) -> dict[str, str]:
    """The environment the bot runs with: os.environ without inherited SLACK_*
    variables (so a developer's real tokens, or SLACK_APP_TOKEN's Socket Mode,
    never leak in), the test settings (with .env loading disabled), then
    ``env_overrides`` (a value of None removes the variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    db_path = Path(tmp_path).resolve() / "bot.sqlite3"
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "PORT": str(port),
            "DATABASE_URL": f"sqlite:///{db_path}",
            "INTAKE_CHANNELS": INTAKE_CHANNEL,
            "LEAD_USER_IDS": LEAD_USER_ID,
            # A policy with the municipality's own links filled in: with the bundled one's
            # example links, every start would also warn the lead in Slack.
            "POLICY_FILE": str(finished_policy(Path(tmp_path).resolve())),
            "LANGUAGE": "nl",
            "PYTHONUNBUFFERED": "1",
            # The bot calls load_dotenv(): a developer's .env (with a real token, or a
            # SLACK_APP_TOKEN that switches to Socket Mode) must not leak into tests.
            "PYTHON_DOTENV_DISABLED": "1",
        }
    )
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


def finished_policy(directory: Path) -> Path:
    """The bundled policy with a made-up municipality's links instead of example.be."""
    from bot.flows.policy import BUNDLED_POLICY

    path = directory / "policy.toml"
    if not path.exists():
        text = BUNDLED_POLICY.read_text(encoding="utf-8").replace("example.be", "gemeente-zonnedorp.be")
        path.write_text(text, encoding="utf-8")
    return path


def _has_exited(proc: subprocess.Popen) -> bool:
    """Whether the process has exited, without reaping it: while it is an
    unreaped zombie its pid (= its process group id) cannot be reused, so
    signalling its group afterwards cannot hit an unrelated process."""
    if proc.returncode is not None:
        return True
    try:
        info = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _wait_exited(proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not _has_exited(proc):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def _kill_group(proc: subprocess.Popen, sig: int) -> None:
    """Signal the process group the bot leads (it was started in its own
    session, so the group holds only the bot and its children). Only while
    the bot is not yet reaped."""
    if proc.returncode is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _finish(proc: subprocess.Popen) -> int:
    """Kill what is left of the bot's process group, then reap the bot."""
    _kill_group(proc, signal.SIGKILL)
    return proc.wait(timeout=10)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


class BotProcess:
    """The bot running as a child process against a SlackEmulator."""

    def __init__(
        self,
        env_overrides: Mapping[str, str | None] | None,
        emulator: SlackEmulator,
        tmp_path: str | os.PathLike[str],
    ) -> None:
        self.emulator = emulator
        self.tmp_path = Path(tmp_path).resolve()
        self.tmp_path.mkdir(parents=True, exist_ok=True)
        self.env = bot_env(env_overrides or {}, self.tmp_path, api_url=emulator.url, port=free_port())
        self.port = int(self.env["PORT"])
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.sender = SlackSender(self.base_url, self.env.get("SLACK_SIGNING_SECRET", SIGNING_SECRET), emulator=emulator)
        self.proc: subprocess.Popen | None = None
        self.runs = 0
        self.stdout_path = self.tmp_path / "bot-1.stdout.log"
        self.stderr_path = self.tmp_path / "bot-1.stderr.log"

    # ------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        return self.env.get("DATABASE_URL", "")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def returncode(self) -> int | None:
        """The exit code once stop()/kill() reaped the bot, else None."""
        return self.proc.returncode if self.proc is not None else None

    def is_running(self) -> bool:
        return self.proc is not None and not _has_exited(self.proc)

    def start(self, timeout: float = 20) -> "BotProcess":
        """Start ``python -m bot`` and wait until GET /healthz answers 200.
        Raises BotStartError (with the captured output) if the process exits
        or is not healthy within ``timeout`` seconds. Can be called again after
        stop() (same port, same database); each run gets its own log files."""
        if self.is_running():
            raise RuntimeError("the bot is already running")
        self.runs += 1
        self.stdout_path = self.tmp_path / f"bot-{self.runs}.stdout.log"
        self.stderr_path = self.tmp_path / f"bot-{self.runs}.stderr.log"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=PROJECT_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        health_url = self.base_url + "/healthz"
        while True:
            if _has_exited(self.proc):
                code = _finish(self.proc)
                raise BotStartError(
                    f"the bot exited with code {code} before becoming healthy.\n{self._output_report()}"
                )
            try:
                with urllib.request.urlopen(health_url, timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except urllib.error.HTTPError as e:
                e.close()
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
                pass
            if time.monotonic() >= deadline:
                self.stop()
                raise BotStartError(
                    f"the bot did not answer 200 on {health_url} within {timeout}s.\n{self._output_report()}"
                )
            time.sleep(0.05)

    def stop(self, timeout: float = 10) -> int | None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. Returns the exit code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.returncode is not None:
            return proc.returncode
        if not _has_exited(proc):
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            _wait_exited(proc, timeout)
        # SIGKILL whatever is left (the bot if it ignored SIGTERM, or leftover children), then reap.
        return _finish(proc)

    def kill(self) -> int | None:
        """SIGKILL at once (a crash), for restart/durability tests."""
        proc = self.proc
        if proc is None:
            return None
        return _finish(proc)

    def stdout(self) -> str:
        return _read(self.stdout_path)

    def stderr(self) -> str:
        return _read(self.stderr_path)

    def logs(self) -> str:
        """The current run's captured stdout followed by its stderr."""
        return self.stdout() + self.stderr()

    def _output_report(self) -> str:
        return (
            f"--- stdout ({self.stdout_path}) ---\n{_tail(self.stdout())}\n"
            f"--- stderr ({self.stderr_path}) ---\n{_tail(self.stderr())}"
        )

    def __enter__(self) -> "BotProcess":
        if not self.is_running():
            self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def run_bot_expecting_failure(
    env_overrides: Mapping[str, str | None] | None,
    tmp_path: str | os.PathLike[str],
    timeout: float = 20,
    *,
    emulator: SlackEmulator | None = None,
) -> tuple[int, str, str]:
    """Run the bot with a configuration it should refuse; return
    ``(returncode, stdout, stderr)`` once it exits. Without ``emulator``,
    SLACK_API_URL points at a closed local port, so no call can reach the
    real Slack. Raises AssertionError if the bot is still running after
    ``timeout`` seconds (it is killed first)."""
    tmp = Path(tmp_path).resolve()
    tmp.mkdir(parents=True, exist_ok=True)
    api_url = emulator.url if emulator is not None else f"http://127.0.0.1:{free_port()}/api/"
    env = bot_env(env_overrides or {}, tmp, api_url=api_url, port=free_port())
    out_path, err_path = tmp / "failing-bot.stdout.log", tmp / "failing-bot.stderr.log"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    exited = _wait_exited(proc, timeout)
    returncode = _finish(proc)
    stdout, stderr = _read(out_path), _read(err_path)
    if not exited:
        raise AssertionError(
            f"the bot was expected to exit but was still running after {timeout}s (killed).\n"
            f"--- stdout ---\n{_tail(stdout)}\n--- stderr ---\n{_tail(stderr)}"
        )
    return returncode, stdout, stderr
