"""``python -m bot.workspaces``: the operator's command line for the workspaces one deployment
serves (install mode): list them, or change one's settings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.bootstrap import prepare
from bot.core.config import CHANNEL_ID, LANGUAGES
from bot.directory import DIRECTORY_TTL
from bot.flows.policy import PolicyError
from bot.usecases.workspaces import channel_list, configure, listing
from storage.db import create_db_engine


def main(argv: list[str] | None = None) -> None:
    """``python -m bot.workspaces``: list the workspaces served, or change one's settings."""
    parser = argparse.ArgumentParser(prog="python -m bot.workspaces",
                                     description="The workspaces this deployment serves (install mode).")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every workspace, its settings and whether it is served")
    change = commands.add_parser("set", help="change one workspace's settings")
    change.add_argument("team_id", help="the workspace's id, e.g. T0123ABCD")
    change.add_argument("--intake", help="comma-separated intake channel ids, e.g. C0123ABCD,C0456EFGH")
    change.add_argument("--language", choices=LANGUAGES)
    policy = change.add_mutually_exclusive_group()
    policy.add_argument("--policy", metavar="FILE", help="the workspace's own policy file (TOML)")
    policy.add_argument("--default-policy", action="store_true", help="use the deployment's policy again")
    args = parser.parse_args(argv)

    settings = prepare()
    engine = create_db_engine(settings.database_url)
    try:
        if args.command == "list":
            for row in listing(engine):
                state = (f"uninstalled, erased after {row.erase_after:%Y-%m-%d}" if row.uninstalled_at
                         and not row.erased_at else "erased" if row.erased_at else "served")
                print(f"{row.team_id}\t{row.name or '-'}\t{row.language}\t"
                      f"{row.intake_channels or '-'}\t{'own policy' if row.policy else 'default policy'}\t{state}")
            return
        intake = None
        if args.intake is not None:
            intake = channel_list(args.intake)
            if not intake or not all(CHANNEL_ID.match(channel) for channel in intake):
                raise ValueError("--intake must be one or more channel ids like C0123ABCD, comma-separated")
        text = Path(args.policy).read_text(encoding="utf-8") if args.policy else None
        row = configure(engine, team_id=args.team_id, intake_channels=intake, language=args.language,
                        policy=text, default_policy=args.default_policy)
        print(f"{row.team_id}: intake {row.intake_channels}, language {row.language}, "
              f"{'own policy' if row.policy else 'default policy'} (in effect within "
              f"{DIRECTORY_TTL:.0f} s)")
    except (LookupError, ValueError, PolicyError, OSError) as problem:
        print(f"reageerwijzer: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
