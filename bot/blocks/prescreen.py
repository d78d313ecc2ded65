"""The pre-screen's block on a case message: what the bot noticed in the post, masked, and what
the guide suggests for it. A hint for the team, never a decision: nothing is preselected.

The block's ``block_id`` is ``signals:`` and the codes found, in their order, so what was
pointed out can be read from the message without its text. No signals, no block.
"""

from __future__ import annotations

from typing import Any

from bot.core.i18n import Translator
from bot.core.mrkdwn import escape
from bot.flows.policy import Policy
from bot.flows.prescreen import PRIVACY_CODES, REPEAT, Rules, detect
from bot.usecases.cases import CaseSnapshot
from bot.usecases.prescreen import Agreement

BLOCK_PREFIX = "signals:"
TEXT_LIMIT = 3000

# The guide's advice per kind of signal: personal data share one.
_ADVICE = {code: "prescreen.advice.privacy" for code in PRIVACY_CODES} | {
    REPEAT: "prescreen.advice.repeat",
    "caps": "prescreen.advice.caps",
    "link": "prescreen.advice.link",
    "link.shortener": "prescreen.advice.shortener",
}


def signals_block(case: CaseSnapshot, policy: Policy, tr: Translator) -> list[dict[str, Any]]:
    """The block with the case's signals (one section), or none when there are none."""
    if not case.signals:
        return []
    # What was found is not stored: it is found again in the post, for the codes kept.
    rules = Rules(codes=case.signals, public_addresses=policy.prescreen.public_addresses)
    shown = {s.code: s.shown for s in detect(case.text, rules,
                                               own_links=(case.link, case.source_permalink))}
    lines = [f"*{tr('prescreen.heading')}*"]
    for i, code in enumerate(case.signals):
        found = ", ".join(escape(value) for value in shown.get(code, ()))
        label = tr(f"prescreen.signal.{code}")
        lines.append(f"• {label}: `{found}`" if found else f"• {label}")
        following = case.signals[i + 1] if i + 1 < len(case.signals) else None
        if following is None or _ADVICE[following] != _ADVICE[code]:
            lines.append(f"      _{tr(_ADVICE[code])}_")
    text = "\n".join(lines)
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT - 1] + "…"
    return [{
        "type": "section",
        "block_id": BLOCK_PREFIX + ",".join(case.signals),
        "text": {"type": "mrkdwn", "text": text, "verbatim": True},
    }]


def agreement_block(rows: tuple[Agreement, ...], tr: Translator) -> list[dict[str, Any]]:
    """For leads: per signal of the last 90 days, how often the team's category agreed with it,
    so a signal that misleads can be switched off in the policy. None when nothing came up."""
    if not rows:
        return []
    lines = [f"*{tr('prescreen.agreement_title')}*"]
    for row in rows:
        label = tr(f"prescreen.signal.{row.code}")
        if row.share is None:
            lines.append("• " + tr("prescreen.agreement_unsorted", signal=label, signalled=row.signalled))
        else:
            lines.append("• " + tr("prescreen.agreement_line", signal=label, agreed=row.agreed,
                                   sorted=row.sorted, percent=round(100 * row.share),
                                   signalled=row.signalled))
    return [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:TEXT_LIMIT],
                                         "verbatim": True}}]
