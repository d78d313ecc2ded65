"""Block Kit builders for /gedragscode: the house rules as the bot enforces them, with what the
team and the leads need to know about them (where they are published, approval, review)."""

from __future__ import annotations

from bot.blocks.kit import SECTION_LIMIT, Block, context, divider, plain, section
from bot.core import mrkdwn
from bot.core.i18n import Translator
from bot.core.mrkdwn import Mrkdwn, escape
from bot.flows.house_rules import Bullets, Heading, HouseRules, Inline, Link, long_date
from bot.flows.policy import Policy
from bot.usecases.house_rules import Standing

HEADER_LIMIT = 150


def house_rules_message(rules: HouseRules, policy: Policy, tr: Translator,
                        standing: Standing) -> list[Block]:
    """The rules as one message: a heading, a section per part, then notes for the team."""
    blocks: list[Block] = [{"type": "header", "text": plain(rules.title[:HEADER_LIMIT])}]
    for part in rules.sections:
        lines = [Mrkdwn(f"*{escape(part.title)}*")] if part.title else []
        for block in part.blocks:
            if isinstance(block, Heading):
                lines.append(Mrkdwn(f"*{escape(block.text)}*"))
            elif isinstance(block, Bullets):
                lines += [Mrkdwn(f"• {_inline(item.parts)}") for item in block.items]
            else:
                lines.append(_inline(block.parts))
        blocks += [section(text) for text in _chunks(lines)]
    blocks.append(context(_inline(rules.status.parts)))
    blocks.append(divider())
    blocks += [section(note) for note in staff_notes(policy, tr, standing)]
    return blocks


def staff_notes(policy: Policy, tr: Translator, standing: Standing) -> list[str]:
    """For the team: where the rules are published and how to export them; for the leads, whether
    they are approved, changed since, and when the review is due."""
    notes = [tr("house_rules.published", url=mrkdwn.link(policy.code_of_conduct_url,
                                                         policy.code_of_conduct_url))]
    approval = standing.approval
    if approval is None:
        notes.append(tr("house_rules.not_approved"))
        return notes
    if standing.changed:
        notes.append(tr("house_rules.changed", date=long_date(approval.approved_on, tr)))
    if standing.review_due is not None:
        key = "house_rules.review_overdue" if standing.review_overdue else "house_rules.review_due_on"
        notes.append(tr(key, date=long_date(standing.review_due, tr)))
    return notes


def review_reminder(tr: Translator, *, approved: str, due: str, changed: bool) -> str:
    text = tr("house_rules.reminder", date=approved, due=due)
    if changed:
        text = Mrkdwn(f"{text}\n{tr('house_rules.reminder_changed')}")
    return text


def _inline(parts: tuple[Inline, ...]) -> Mrkdwn:
    return Mrkdwn("".join(mrkdwn.link(p.url, p.label) if isinstance(p, Link) else escape(p)
                          for p in parts))


def _chunks(lines: list[Mrkdwn]) -> list[str]:
    """Lines joined into texts that each fit one section block."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line[:SECTION_LIMIT]
        if current and len(current) + 1 + len(line) > SECTION_LIMIT:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks

