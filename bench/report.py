"""Numbers to markdown: the tables of bench/results.md, and the targets they are held against."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from pathlib import Path

from bench.usecases import percentile

# The targets (for a 2-core machine).
ACK_RATIO_MAX = 1.5
ACK_P99_MAX_MS = 250.0
ACK_TARGET_CONCURRENCY = 50
STRIKES_P95_MAX_MS = 100.0
SCREEN_P95_MAX_MS = 5.0  # the pre-screen's rules on a post of 2,000 characters
REPEAT_P95_MAX_MS = 50.0  # the repeat check against 20,000 recent posts
WORKER_PEAK_MAX_MIB = 150.0
READY_MAX_S = 2.0
REPORT_MAX_S = 5.0  # /rapport over a year: acknowledged at once, delivered within this
CALLS_PER_CLICK_MAX = 1.0

KINDS = ("intake", "click", "strike_open", "strike_submit", "confirm", "strikes_overview",
         "strikes_history")
COMMON_METHODS = ("chat.postMessage", "chat.update", "views.open", "conversations.members")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def ms(seconds: float) -> float:
    return seconds * 1000


def fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


# --- aggregation -------------------------------------------------------------------------------


def ack_stats(rounds: list[dict]) -> dict[tuple[int, str], dict]:
    """Per (concurrency, server): every round pooled."""
    grouped: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for r in rounds:
        grouped[(r["concurrency"], r["server"])].append(r)
    stats = {}
    for key, group in grouped.items():
        good = [s for r in group for (_, s, status) in r["samples"] if status == 200]
        total = sum(len(r["samples"]) for r in group)
        wall = sum(r["wall"] for r in group)
        stats[key] = {
            "requests": total,
            "errors": total - len(good),
            "p50": ms(percentile(good, 50)),
            "p95": ms(percentile(good, 95)),
            "p99": ms(percentile(good, 99)),
            "throughput": len(good) / wall if wall else float("nan"),
            "in_flight": sum(good) / wall if wall else float("nan"),
            "stalled": sum(r.get("stalled", 0) for r in group),
            "finished": sum(r.get("finished_cases", 0) for r in group),
            "server_cpu_ms": ms(sum(r["cpu"]["server"] for r in group) / total) if total else float("nan"),
        }
    return stats


def drawn_stats(rounds: list[dict]) -> dict[int, dict]:
    """Per concurrency, the bot's rounds pooled: from a click to its result drawn."""
    grouped: dict[int, list[float]] = defaultdict(list)
    for r in rounds:
        if r["server"] == "bot":
            grouped[r["concurrency"]].extend(r.get("drawn") or [])
    return {c: {"clicks": len(d), "p50": ms(percentile(d, 50)), "p95": ms(percentile(d, 95)),
                "p99": ms(percentile(d, 99))} for c, d in grouped.items() if d}


def kind_stats(rounds: list[dict], concurrency: int, server: str) -> dict[str, list[float]]:
    found: dict[str, list[float]] = defaultdict(list)
    for r in rounds:
        if r["concurrency"] == concurrency and r["server"] == server:
            for kind, seconds, status in r["samples"]:
                if status == 200:
                    found[kind].append(seconds)
    return found


def probe_stats(probes: list[dict]) -> dict[str, dict]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for p in probes:
        grouped[p["journey"]].append(p)
    out = {}
    for journey, group in grouped.items():
        methods = sorted({m for p in group for m in p["calls"]})
        mean = {m: statistics.fmean(p["calls"].get(m, 0) for p in group) for m in methods}
        total = statistics.fmean(sum(p["calls"].values()) for p in group)
        intake = statistics.fmean(p["intake_calls"] for p in group)
        refreshes = mean.get("conversations.members", 0.0)
        clicks = group[0]["clicks"]
        out[journey] = {"requests": group[0]["requests"], "clicks": clicks, "total": total,
                        "intake": intake, "refreshes": refreshes,
                        "per_click": (total - intake - refreshes) / clicks if clicks else 0.0,
                        "methods": mean, "cases": len(group)}
    return out


def summary(run: dict) -> dict:
    """Every number of one database's run, without the raw samples (for the .json file)."""
    uc = run["usecases"]
    return {
        "database": run["database"],
        "seeded": run["seeded"],
        "ack": {f"c{c}-{server}": s for (c, server), s in sorted(ack_stats(run["rounds"]).items())},
        "strikes_ms": {name: {"p50": ms(percentile(uc[name], 50)), "p95": ms(percentile(uc[name], 95))}
                       for name in ("overview", "history")},
        "ready_s": run["ready"],
        "logged": run.get("logged", {}),
        "floor_ready_s": run["floor_ready"],
        "peak_memory_kib": {server: {str(pid): kib for pid, kib in workers.items()}
                            for server, workers in run["memory"].items()},
        "calls_per_case": probe_stats(run["probes"]),
        "round_problems": [f"c{r['concurrency']}-{r['server']}-{r['round']}: {e}"
                           for r in run["rounds"] for e in r.get("errors", [])],
        "drawn": {f"c{c}": d for c, d in sorted(drawn_stats(run["rounds"]).items())},
        "prescreen_ms": {name: {"p50": ms(percentile(uc["prescreen"][name], 50)),
                                "p95": ms(percentile(uc["prescreen"][name], 95))}
                         for name in ("screen", "repeat")} if "prescreen" in uc else {},
        "rounds": [{k: v for k, v in r.items() if k not in ("samples", "drawn")} for r in run["rounds"]],
    }


# --- the document ------------------------------------------------------------------------------


def render(meta: dict, runs: list[dict]) -> str:
    config = meta["config"]
    per_level = {int(c): n for c, n in config["levels"].items()}
    levels = sorted(per_level)
    top = max(levels)
    parts = [
        "# Reageerwijzer: time to acknowledge, side by side with the floor",
        "",
        f"Measured {meta['date']} on a machine with **{meta['cores']} cores** ({meta['cpu']}), "
        f"Python {meta['python']}; `{meta.get('command', 'python -m bench')}` "
        f"({meta['mode']} run, {meta['seconds'] / 60:.1f} minutes). Before the run the machine's "
        f"cores were {meta['idle_busy'] * 100:.0f}% busy with other work.",
        "",
        f"Both servers run the Procfile's `web` line (gunicorn, `-c python:bot.gunicorn_conf`, "
        f"WEB_CONCURRENCY={config['workers']}, the settings' default threads); the floor swaps only "
        f"the WSGI target for `bench.floor:create_wsgi_app()`, a bare Bolt app whose listeners only "
        f"`ack()`. Load comes from a separate process over new connections to 127.0.0.1; "
        f"each level runs bot, floor, bot, floor ({config['rounds']} rounds each, pooled below). "
        "Requests per round: " + ", ".join(f"{per_level[c]:,} at concurrency {c}" for c in levels) + ". "
        "See bench/README.md for how to read this.",
        "",
        "## Time to acknowledge (until the HTTP response has arrived)",
        "",
    ]
    rows, ratio_rows, round_rows, kind_rows, drawn_rows = [], [], [], [], []
    for run in runs:
        stats = ack_stats(run["rounds"])
        for c, d in sorted(drawn_stats(run["rounds"]).items()):
            drawn_rows.append([run["database"], str(c), str(d["clicks"]), fmt(d["p50"]), fmt(d["p95"]),
                               fmt(d["p99"])])
        for c in levels:
            for server in ("bot", "floor"):
                s = stats.get((c, server))
                if s is None:
                    continue
                rows.append([run["database"], str(c), server, str(s["requests"]), str(s["errors"]),
                             fmt(s["p50"]), fmt(s["p95"]), fmt(s["p99"]), fmt(s["throughput"]),
                             fmt(s["in_flight"], 2), fmt(s["server_cpu_ms"], 2)])
            b, f = stats.get((c, "bot")), stats.get((c, "floor"))
            if b and f:
                ratio_rows.append([run["database"], str(c)] + [
                    fmt(b[k] / f[k], 2) for k in ("p50", "p95", "p99", "throughput")])
        for r in run["rounds"]:
            good = [s for (_, s, status) in r["samples"] if status == 200]
            n, cpu = max(1, len(r["samples"])), r["cpu"]
            busy = cpu["machine_busy"] * 100
            ours = (cpu["server"] + cpu["emulator"] + cpu["client"]) / cpu["span"] if cpu["span"] else 0.0
            others = max(0.0, cpu["machine_busy"] * meta["cores"] - ours)
            round_rows.append([run["database"], str(r["concurrency"]), r["server"], str(r["round"]),
                               fmt(ms(percentile(good, 50))), fmt(ms(percentile(good, 99))),
                               fmt(len(good) / r["wall"] if r["wall"] else float("nan")),
                               str(r.get("finished_cases", 0)), str(r.get("stalled", 0)),
                               fmt(cpu["slack_calls"] / n, 2), str(cpu["identical_updates"]),
                               str(cpu["stale_updates"]),
                               fmt(ms(cpu["server"] / n), 2), fmt(ms(cpu["emulator"] / n), 2),
                               fmt(ms(cpu["client"] / n), 2), fmt(busy), fmt(others, 2)])
        bot_kinds = kind_stats(run["rounds"], top, "bot")
        floor_kinds = kind_stats(run["rounds"], top, "floor")
        for kind in KINDS:
            if kind in bot_kinds and kind in floor_kinds:
                b, f = bot_kinds[kind], floor_kinds[kind]
                kind_rows.append([run["database"], str(top), kind, str(len(b)),
                                  fmt(ms(percentile(b, 50))), fmt(ms(percentile(b, 99))),
                                  fmt(ms(percentile(f, 50))), fmt(ms(percentile(f, 99)))])
    parts += [
        table(["Database", "Concurrency", "Server", "Requests", "Errors", "p50 (ms)", "p95 (ms)",
               "p99 (ms)", "Throughput (req/s)", "Mean in flight", "Server CPU (ms/req)"], rows),
        "",
        "### Ratio bot / floor",
        "",
        table(["Database", "Concurrency", "p50 ratio", "p95 ratio", "p99 ratio", "Throughput ratio"],
              ratio_rows),
        "",
        f"### By request kind, at concurrency {top}",
        "",
        table(["Database", "Concurrency", "Kind", "Requests", "Bot p50 (ms)", "Bot p99 (ms)",
               "Floor p50 (ms)", "Floor p99 (ms)"], kind_rows),
        "",
        "### Until the result is drawn",
        "",
        "The acknowledgement is not the end of a click: the bot then moves the case and redraws its "
        "message. From sending a tree click until the emulator received the redraw with its result "
        "(the load generator's next click on that case waits for it), every bot round pooled:",
        "",
        table(["Database", "Concurrency", "Clicks", "p50 (ms)", "p95 (ms)", "p99 (ms)"], drawn_rows),
        "",
        "### Each round",
        "",
        "Machine noise shows as the spread between a server's two rounds. Cases: the bot's journeys "
        "that reached their end, or stalled (the bot never drew the next step). Slack calls: every "
        "Web API and response_url call the round caused; identical redraws: chat.update calls that "
        "drew a message exactly as it already was; older redraws: calls that drew a case's buttons "
        "for an older version of the case than the message already showed. CPU per request: the "
        "server's (master and workers, including the work a bot round left queued), the emulator's "
        "and the load generator's. Machine busy: all cores, every process, from the round's start "
        "until the server was done; other processes: the cores that were busy beyond these three "
        "(PostgreSQL serving the bot, and anything else running on the machine).",
        "",
        table(["Database", "Concurrency", "Server", "Round", "p50 (ms)", "p99 (ms)",
               "Throughput (req/s)", "Cases finished", "Cases stalled", "Slack calls per request",
               "Identical redraws", "Older redraws", "Server CPU (ms/req)",
               "Emulator CPU (ms/req)", "Load CPU (ms/req)", "Machine busy (%)",
               "Other processes (cores)"], round_rows),
        "",
        "## /strikes in-process (bot.usecases.strikes.overview and bot.usecases.strikes.history)",
        "",
    ]
    strike_rows, web_rows, call_rows = [], [], []
    for run in runs:
        seeded, uc = run["seeded"], run["usecases"]
        strike_rows.append([
            run["database"], str(seeded["decisions"]), str(seeded["cases"]), str(seeded["authors"]),
            str(seeded["struck_authors"]), str(seeded["strikes"]), fmt(seeded["seconds"]),
            str(len(uc["overview"])), fmt(ms(percentile(uc["overview"], 50)), 2),
            fmt(ms(percentile(uc["overview"], 95)), 2), fmt(ms(percentile(uc["history"], 50)), 2),
            fmt(ms(percentile(uc["history"], 95)), 2)])
        for server, ready in (("bot", run["ready"]), ("floor", run["floor_ready"])):
            peaks = [kib / 1024 for kib in run["memory"].get(server, {}).values()]
            logged = run.get("logged", {}).get(server, {})
            busy = run.get("ready_busy" if server == "bot" else "floor_ready_busy")
            web_rows.append([run["database"], server, str(len(ready)), fmt(statistics.median(ready), 2),
                             fmt(max(ready), 2),
                             fmt(statistics.fmean(busy) * 100) if busy else "nan", str(len(peaks)),
                             fmt(max(peaks)) if peaks else "nan", fmt(min(peaks)) if peaks else "nan",
                             str(logged.get("warnings", 0)), str(logged.get("errors", 0))])
        for journey, p in probe_stats(run["probes"]).items():
            other = sum(v for m, v in p["methods"].items() if m not in COMMON_METHODS)
            call_rows.append([run["database"], journey, str(p["cases"]), str(p["requests"]),
                              fmt(p["total"], 2), fmt(p["intake"], 2), fmt(p["refreshes"], 2),
                              fmt(p["per_click"], 2)]
                             + [fmt(p["methods"].get(m, 0.0), 2) for m in COMMON_METHODS[:3]]
                             + [fmt(other, 2)])
    parts += [
        table(["Database", "Decisions", "Cases", "Authors", "Authors with strikes", "Strikes",
               "Seed (s)", "Calls timed", "Overview p50 (ms)", "Overview p95 (ms)", "History p50 (ms)",
               "History p95 (ms)"], strike_rows),
        "",
        "## The pre-screen in-process (bench/prescreen.py)",
        "",
        "The rules on made-up posts of 2,000 characters (every detector, the repeat key and the "
        "fingerprint), and the repeat check against the recent posts of one workspace (the "
        "fingerprints of the last 14 days from the database, the nearest compared word for word).",
        "",
        table(["Database", "Recent posts", "Calls timed", "Rules p50 (ms)", "Rules p95 (ms)",
               "Repeat check p50 (ms)", "Repeat check p95 (ms)"], prescreen_rows(runs)),
        "",
        "## Web process: time to ready and peak memory per worker (VmHWM)",
        "",
        table(["Database", "Server", "Starts", "Ready median (s)", "Ready max (s)",
               "Machine busy during start (%)", "Workers",
               "Peak per worker, max (MiB)", "Peak per worker, min (MiB)", "Warnings logged",
               "Errors logged"], web_rows),
        "",
        "## Slack Web API calls per full case (intake to decision, one case at a time)",
        "",
        "The team's member list (conversations.members) is kept for a minute per worker, so a "
        "refresh now and then is not part of the normal path; it is counted, and left out of calls "
        "per click. Under load, see Slack calls per request in the rounds above.",
        "",
        table(["Database", "Journey", "Cases", "Requests", "Slack calls", "Of which intake",
               "Member-list refreshes", "Calls per click"] + list(COMMON_METHODS[:3]) + ["other"],
              call_rows),
        "",
        "## Targets",
        "",
        table(["Target", "Database", "Measured", "Result"], targets(runs, top)),
    ]
    problems = Counter(f"{run['database']}, concurrency {r['concurrency']}, {r['server']}: {error}"
                       for run in runs for r in run["rounds"] for error in r.get("errors", []))
    if problems:
        parts += ["", "## What went wrong during the rounds (first reasons per round)", ""]
        parts += [f"- {text} ({count}×)" for text, count in sorted(problems.items())]
    profiles = [(run["database"], name, text) for run in runs
                for name, text in run["usecases"].get("profiles", {}).items()]
    if profiles:
        parts += ["", "## Profiles of use cases slower than the target (cProfile, cumulative)", ""]
        for database, name, text in profiles:
            parts += [f"### {name} on {database}", "", "```", text.strip(), "```", ""]
    return "\n".join(parts).rstrip() + "\n"


def targets(runs: list[dict], top: int) -> list[list[str]]:
    rows = []
    quick = top < ACK_TARGET_CONCURRENCY
    for run in runs:
        db = run["database"]
        stats = ack_stats(run["rounds"])
        b, f = stats.get((top, "bot")), stats.get((top, "floor"))
        if b and f:
            ratio = b["p99"] / f["p99"]
            met = ratio <= ACK_RATIO_MAX and b["p99"] < ACK_P99_MAX_MS
            where = f"at concurrency {top}" + (" (quick run: the target is for 50)" if quick else "")
            rows.append([f"ack p99 ≤ {ACK_RATIO_MAX}× floor and < {ACK_P99_MAX_MS:.0f} ms", db,
                         f"{b['p99']:.1f} ms vs floor {f['p99']:.1f} ms = {ratio:.2f}× {where}",
                         "met" if met else "**missed**"])
        uc = run["usecases"]
        for name in ("overview", "history"):
            p95 = ms(percentile(uc[name], 95))
            rows.append([f"/strikes {name} p95 < {STRIKES_P95_MAX_MS:.0f} ms", db,
                         f"{p95:.2f} ms at {run['seeded']['decisions']:,} decisions",
                         "met" if p95 < STRIKES_P95_MAX_MS else "**missed**"])
        if uc.get("report"):
            worst = max(uc["report"]["seconds"])
            rows.append([f"/rapport over a year < {REPORT_MAX_S:.0f} s", db,
                         f"{worst:.2f} s worst of {len(uc['report']['seconds'])}, "
                         f"{uc['report']['decisions']:,} decisions in the CSV",
                         "met" if worst < REPORT_MAX_S else "**missed**"])
        rows += prescreen_targets(run)
        peaks = [kib / 1024 for kib in run["memory"].get("bot", {}).values()]
        if peaks:
            rows.append([f"< {WORKER_PEAK_MAX_MIB:.0f} MB peak per web worker", db,
                         f"{max(peaks):.1f} MiB (largest of {len(peaks)} workers)",
                         "met" if max(peaks) < WORKER_PEAK_MAX_MIB else "**missed**"])
        if run["ready"]:
            worst = max(run["ready"])
            rows.append([f"< {READY_MAX_S:.0f} s to ready", db,
                         f"{statistics.median(run['ready']):.2f} s median, {worst:.2f} s worst "
                         f"of {len(run['ready'])}", "met" if worst < READY_MAX_S else "**missed**"])
        for journey, p in probe_stats(run["probes"]).items():
            if journey.startswith("question"):
                refresh = f" (+{p['refreshes']:.2f} member-list refresh)" if p["refreshes"] else ""
                rows.append(["one Slack call per click (normal path)", db,
                             f"{p['per_click']:.2f} calls per click{refresh}, {journey}",
                             "met" if p["per_click"] <= CALLS_PER_CLICK_MAX else "**missed**"])
    return rows


def prescreen_rows(runs: list[dict]) -> list[list[str]]:
    rows = []
    for run in runs:
        p = run["usecases"].get("prescreen")
        if p:
            rows.append([run["database"], str(p["recent"]), str(len(p["screen"])),
                         fmt(ms(percentile(p["screen"], 50)), 2), fmt(ms(percentile(p["screen"], 95)), 2),
                         fmt(ms(percentile(p["repeat"], 50)), 2), fmt(ms(percentile(p["repeat"], 95)), 2)])
    return rows


def prescreen_targets(run: dict) -> list[list[str]]:
    p = run["usecases"].get("prescreen")
    if not p:
        return []
    screen, repeat = ms(percentile(p["screen"], 95)), ms(percentile(p["repeat"], 95))
    return [
        [f"pre-screen p95 < {SCREEN_P95_MAX_MS:.0f} ms ({p['chars']:,} characters)", run["database"],
         f"{screen:.2f} ms", "met" if screen < SCREEN_P95_MAX_MS else "**missed**"],
        [f"repeat check p95 < {REPEAT_P95_MAX_MS:.0f} ms (20,000 recent posts)", run["database"],
         f"{repeat:.2f} ms against {p['recent']:,} recent posts",
         "met" if repeat < REPEAT_P95_MAX_MS else "**missed**"],
    ]
