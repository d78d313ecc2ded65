"""What the bot sends for reports on its own or after ``/rapport``: a period's report in a lead's
private conversation with the bot (the numbers, then the chart and the CSV as files), the weekly
digest to every lead, and a service's overview."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import report as views
from bot.blocks import signals as signal_views
from bot.deps import Deps
from bot.flows.report import LocalMinutes, Period
from bot.flows.report_chart import render_chart
from bot.usecases import digest, report

logger = logging.getLogger(__name__)

# What Slack answers when the app may not share files: the lead hears so, the numbers still come.
NO_FILE_RIGHTS = frozenset({"missing_scope", "not_allowed_token_type", "no_permission"})


def deliver(client: WebClient, deps: Deps, *, team_id: str, user_id: str, period: Period,
            intro: str | None = None) -> bool:
    """The report in ``user_id``'s private conversation with the bot: the numbers as a message,
    then the chart and the CSV as files. False when Slack refused the files (no file rights)."""
    snapshot = report.build_report(deps.engine, deps.policy, team_id=team_id, period=period)
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, text=views.fallback(snapshot, deps.tr),
                            blocks=views.report_blocks(snapshot, deps.policy, deps.tr, intro=intro),
                            unfurl_links=False, unfurl_media=False)
    png = render_chart(snapshot.buckets, **views.chart_words(snapshot, deps.tr))
    content = report.decisions_csv(deps.engine, team_id=team_id, period=period,
                                   local=LocalMinutes(deps.policy.business_hours.timezone))
    words = views.period_words(period, deps.tr)
    stem = f"rapport-{period.first_day:%Y-%m-%d}-{period.last_day:%Y-%m-%d}"
    try:
        client.files_upload_v2(channel=dm, file_uploads=[
            {"content": png, "filename": f"{stem}.png", "title": deps.tr.plain("report.chart_file")},
            {"content": content, "filename": f"{stem}.csv",
             "title": deps.tr.plain("report.csv_file", **words)},
        ])
    except SlackApiError as error:
        if error.response.get("error") not in NO_FILE_RIGHTS:
            raise
        logger.warning("report files for %s not uploaded: %s", team_id, error.response.get("error"))
        return False
    return True


def send_digest(client: WebClient, deps: Deps, *, job_id: int, kind: str, team_id: str,
                ref_id: int) -> str:
    """A digest job of the scheduler: the leads' weekly report or a service's overview."""
    if kind == digest.WEEKLY:
        return send_weekly_digest(client, deps, team_id=team_id, ref_id=ref_id)
    return send_service_overview(client, deps, team_id=team_id, job_id=job_id, service_id=ref_id)


def send_service_overview(client: WebClient, deps: Deps, *, team_id: str, job_id: int,
                          service_id: int) -> str:
    """To the service's channel when it has one, else to each antenna in a direct message."""
    overview = digest.service_overview(deps.engine, deps.policy, team_id=team_id, job_id=job_id,
                                       service_id=service_id)
    if overview is None:
        return "skipped:not_asked"
    where = [overview.channel_id] if overview.channel_id else [
        client.conversations_open(users=user)["channel"]["id"] for user in overview.antennas]
    if not where:
        return "skipped:no_antenna"
    blocks = signal_views.overview_blocks(overview, deps.policy, deps.tr)
    text = signal_views.fallback(overview, deps.policy, deps.tr)
    for channel in where:
        client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False,
                                unfurl_media=False)
    return "sent"


def send_weekly_digest(client: WebClient, deps: Deps, *, team_id: str, ref_id: int) -> str:
    """The scheduler's weekly digest job: last week's report to every lead of the workspace."""
    period = digest.week_of(ref_id, deps.policy.business_hours.timezone)
    users = digest.recipients(deps.engine, team_id=team_id)
    if not users:
        return "skipped:no_leads"
    intro = deps.tr("report.digest_intro")
    delivered = [deliver(client, deps, team_id=team_id, user_id=user, period=period, intro=intro)
                 for user in users]
    return "sent" if all(delivered) else "sent:no_files"
