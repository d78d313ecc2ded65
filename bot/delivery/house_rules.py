"""What the bot tells the leads about the house rules on its own: that their review is due, or
that what the bot applies changed since they were approved (the scheduler's jobs)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks import house_rules as views
from bot.deps import Deps
from bot.flows import house_rules as rules
from bot.usecases import house_rules


def send_lead_notice(deps: Deps, client: WebClient, *, kind: str, team_id: str,
                     approval_id: int) -> str:
    """The scheduler's jobs: tell each lead, in a direct message, that the review is due, or that
    what the bot applies changed since the approval."""
    notice = house_rules.lead_notice(deps.engine, deps.policy, team_id=team_id,
                                     approval_id=approval_id, now=deps.clock())
    if notice is None:
        return "skipped:approved_again"
    approved = rules.long_date(notice.approval.approved_on, deps.tr)
    if kind == house_rules.CHANGED_JOB:
        if not notice.changed:
            return "skipped:unchanged"
        text = deps.tr("house_rules.changed", date=approved)
    else:
        text = views.review_reminder(deps.tr, approved=approved,
                                     due=rules.long_date(notice.due, deps.tr), changed=notice.changed)
    for lead in notice.leads:
        client.chat_postMessage(channel=lead, text=text, unfurl_links=False)
    return "sent" if notice.leads else "skipped:no_leads"
