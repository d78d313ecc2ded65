"""The public house rules from the command line, for operators and webmasters:

    python -m bot.house_rules --format html > huisregels.html
    python -m bot.house_rules --format md --policy /etc/reageerwijzer/policy.toml --language en

The same text as ``/gedragscode exporteer`` in Slack, written from the policy file (the bundled
one unless ``--policy`` or ``POLICY_FILE`` names another). The approval date is the policy's own
(``[house_rules] approved``), or ``--approved`` when the approval was recorded in Slack.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from bot.core.i18n import Translator
from bot.flows import house_rules
from bot.flows.house_rules_render import to_html, to_markdown
from bot.flows.policy import PolicyError, load_policy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.house_rules",
                                     description="Write the public house rules from a policy.")
    parser.add_argument("--format", choices=("html", "md"), default="html")
    parser.add_argument("--policy", help="the policy file (default: POLICY_FILE, else the bundled one)")
    parser.add_argument("--language", choices=("nl", "en"), default=None,
                        help="default: LANGUAGE, else nl")
    parser.add_argument("--approved", type=date.fromisoformat, default=None,
                        help="the approval date to show (YYYY-MM-DD)")
    parser.add_argument("--output", help="write to this file instead of standard output")
    args = parser.parse_args(argv)
    try:
        policy = load_policy(args.policy or os.environ.get("POLICY_FILE") or None)
    except PolicyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    language = args.language or os.environ.get("LANGUAGE") or "nl"
    if language not in ("nl", "en"):
        print(f"error: LANGUAGE must be nl or en, not {language!r}", file=sys.stderr)
        return 2
    built = house_rules.build(policy, Translator(language), approved=args.approved)
    text = to_html(built) if args.format == "html" else to_markdown(built)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
