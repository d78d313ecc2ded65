"""Start the bot exactly as the Procfile's ``web`` line does, and the floor the same way.

The command is read from the Procfile itself, so the benchmark follows it when it changes; only
the WSGI target is swapped for the floor. The server runs in its own session (process group) and
is stopped by signalling that group, which holds only this server and its workers.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BOT_TARGET = "bot.wsgi:create_wsgi_app()"
FLOOR_TARGET = "bench.floor:create_wsgi_app()"


class StartError(RuntimeError):
    pass


def procfile_web_command() -> list[str]:
    for line in (PROJECT_ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "web":
            argv = shlex.split(command.strip())
            if not argv:
                break
            # The platform runs it with the virtualenv's bin first on PATH; so do we.
            local = Path(sys.executable).parent / argv[0]
            if local.exists():
                argv[0] = str(local)
            return argv
    raise StartError("the Procfile has no web line")


def command_for(target: str) -> list[str]:
    """The web line as it is for the bot; for anything else only the WSGI target differs."""
    argv = procfile_web_command()
    if target == BOT_TARGET:
        return argv
    if BOT_TARGET not in argv:
        raise StartError(f"the Procfile's web line does not serve {BOT_TARGET!r}")
    return [target if arg == BOT_TARGET else arg for arg in argv]


@dataclass
class Server:
    name: str
    target: str
    env: dict[str, str]
    log_dir: Path
    proc: subprocess.Popen | None = None
    ready_seconds: list[float] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.env["PORT"])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> float:
        """Start and wait until ``GET /healthz`` answers 200; returns the seconds that took."""
        if self.proc is not None:
            raise RuntimeError(f"{self.name} is already running")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        run = len(self.ready_seconds) + 1
        with open(self.log_dir / f"{self.name}-{run}.log", "wb") as log:
            started = time.perf_counter()
            self.proc = subprocess.Popen(
                command_for(self.target), cwd=PROJECT_ROOT, env=self.env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        url = self.base_url + "/healthz"
        deadline = started + timeout
        while True:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.proc = None
                raise StartError(f"{self.name} exited with {code} before answering /healthz "
                                 f"(see {self.log_dir})")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        seconds = time.perf_counter() - started
                        self.ready_seconds.append(seconds)
                        return seconds
            except urllib.error.HTTPError as error:
                error.close()
            except OSError:
                pass
            if time.perf_counter() > deadline:
                self.stop()
                raise StartError(f"{self.name} did not answer /healthz within {timeout}s")
            time.sleep(0.01)

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        return children_of(self.proc.pid)

    def cpu_seconds(self) -> float:
        """CPU time of the master and its workers so far."""
        if self.proc is None:
            return 0.0
        return cpu_seconds([self.proc.pid, *self.worker_pids()])

    def peak_memory_kib(self) -> dict[int, int]:
        """VmHWM (peak resident set) of every worker process, by pid."""
        return {pid: kib for pid in self.worker_pids() if (kib := vm_hwm_kib(pid)) is not None}

    def logged(self) -> dict[str, int]:
        """Warning and error lines in this server's logs (every start so far)."""
        counts = {"warnings": 0, "errors": 0}
        for path in self.log_dir.glob(f"{self.name}-*.log"):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if " WARNING " in line or "[WARNING]" in line:
                    counts["warnings"] += 1
                elif any(mark in line for mark in (" ERROR ", "[ERROR]", " CRITICAL ", "[CRITICAL]", "Traceback")):
                    counts["errors"] += 1
        return counts

    def stop(self, timeout: float = 15.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is left in the server's own process group (a stuck worker), then reap.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait(timeout=10)


def children_of(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces, so split after the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == parent:
            found.append(int(entry.name))
    return sorted(found)


def vm_hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far (all their threads)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick
