"""Block Kit for a report: every number of the period in text (the chart only repeats some of
them), in the reader's language. Pure: a snapshot, the policy and a translator in, blocks out.

Only counts, categories, platforms and services appear: no citizen's words or handle, and no
colleague's name (staff who were supported are a count)."""

from __future__ import annotations

from bot.blocks.kit import SECTION_LIMIT, Block, clip, context, divider, section
from bot.core.i18n import Translator
from bot.core.mrkdwn import Mrkdwn
from bot.flows.policy import Policy
from bot.flows.report import SENTIMENTS, Durations, Period
from bot.usecases.report import ReportSnapshot


def period_words(period: Period, tr: Translator) -> dict[str, str]:
    return {"first": f"{period.first_day:%d/%m/%Y}", "last": f"{period.last_day:%d/%m/%Y}"}


def fallback(snapshot: ReportSnapshot, tr: Translator) -> str:
    return tr("report.fallback", **period_words(snapshot.period, tr))


def hours(value: float | None, tr: Translator) -> str:
    """Hours with one decimal, written the language's way (2,5 u in Dutch, 2.5 h in English)."""
    if value is None:
        return tr.plain("report.no_value")
    number = f"{value:.1f}"
    if tr.language == "nl":
        number = number.replace(".", ",")
    return tr.plain("report.hours", hours=number)


def sentiment_label(sentiment: str, tr: Translator) -> str:
    return tr.plain(f"report.sentiment.{sentiment}")


def category_label(category: str, policy: Policy, tr: Translator) -> str:
    node = policy.nodes.get(category)
    return node.label.get(tr.language) if node else category


def origin_label(origin: str, policy: Policy, tr: Translator) -> str:
    node = policy.nodes.get(origin)
    return node.label.get(tr.language) if node else tr.plain("report.origin_unknown")


def platform_label(platform: str, tr: Translator) -> str:
    try:
        return tr.plain(f"platform.{platform}")
    except KeyError:
        return platform


def service_label(service: str, policy: Policy, tr: Translator) -> str:
    name = policy.service_name(service, tr.language)
    return name[:1].upper() + name[1:]


def _items(pairs, label, tr: Translator) -> str:
    if not pairs:
        return tr.plain("report.none")
    return "\n".join("• " + tr.plural("report.item", count, name=label(key)) for key, count in pairs)


def report_blocks(snapshot: ReportSnapshot, policy: Policy, tr: Translator, *,
                  intro: str | None = None) -> list[Block]:
    words = period_words(snapshot.period, tr)
    blocks: list[Block] = [section(tr("report.title", **words))]
    if intro:
        blocks.append(context(intro))
    blocks.append(section(tr("report.cases", opened=tr.plural("report.opened", snapshot.opened),
                             closed=tr.plural("report.closed", snapshot.closed))))
    blocks.append(section(_breakdown(snapshot, policy, tr)))
    blocks.append(section(_timing(snapshot, policy, tr)))
    blocks.append(section(_services(snapshot, policy, tr)))
    blocks.append(section(_strikes(snapshot, tr)))
    blocks.append(section(_trends(snapshot, policy, tr)))
    blocks.append(divider())
    blocks.append(context(tr("report.files_follow")))
    return blocks


def _limit(text: str) -> Mrkdwn:
    return Mrkdwn(clip(text, SECTION_LIMIT))


def _breakdown(snapshot: ReportSnapshot, policy: Policy, tr: Translator) -> Mrkdwn:
    parts = [
        tr("report.by_sentiment") + "\n" + _items(snapshot.by_sentiment, lambda s: sentiment_label(s, tr), tr),
        tr("report.by_origin") + "\n" + _items(snapshot.by_origin, lambda o: origin_label(o, policy, tr), tr),
        tr("report.by_category") + "\n" + _items(snapshot.by_category, lambda c: category_label(c, policy, tr), tr),
        tr("report.by_platform") + "\n" + _items(snapshot.by_platform, lambda p: platform_label(p, tr), tr),
    ]
    return _limit("\n\n".join(parts))


def _duration_line(key: str, durations: Durations, tr: Translator) -> str:
    if not durations.count:
        return tr(f"{key}_none")
    return tr.plural(key, durations.count,
                     median_business=hours(durations.median_business, tr),
                     p90_business=hours(durations.p90_business, tr),
                     median_clock=hours(durations.median_clock, tr),
                     p90_clock=hours(durations.p90_clock, tr))


def _timing(snapshot: ReportSnapshot, policy: Policy, tr: Translator) -> Mrkdwn:
    business = policy.business_hours
    lines = [
        _duration_line("report.first_decision", snapshot.to_first_decision, tr),
        _duration_line("report.closing", snapshot.to_closing, tr),
        tr("report.hours_note", start=f"{business.start:%H:%M}", end=f"{business.end:%H:%M}"),
    ]
    return _limit("\n".join(lines))


def _services(snapshot: ReportSnapshot, policy: Policy, tr: Translator) -> Mrkdwn:
    if not snapshot.services:
        return tr("report.services_none")
    lines = [tr("report.services")]
    for line in snapshot.services:
        lines.append("• " + tr.plural(
            "report.service_line", line.asked, service=service_label(line.service, policy, tr),
            within=line.within, late=line.late, unanswered=line.unanswered,
            median=hours(line.median_answer_business, tr)))
    return _limit("\n".join(lines))


def _strikes(snapshot: ReportSnapshot, tr: Translator) -> Mrkdwn:
    counts = snapshot.strikes
    lines = [
        tr.plural("report.strikes", counts.recorded, revoked=counts.revoked),
        tr.plural("report.appeals", counts.appeals_upheld + counts.appeals_revoked,
                  upheld=counts.appeals_upheld, overturned=counts.appeals_revoked),
        tr.plural("report.blocks", counts.blocks),
        tr.plural("report.staff", snapshot.staff_supported),
    ]
    return _limit("\n".join(lines))


def _trends(snapshot: ReportSnapshot, policy: Policy, tr: Translator) -> Mrkdwn:
    title = tr.plural("report.trends", snapshot.previous.days, **period_words(snapshot.previous, tr))
    if not snapshot.trends:
        return _limit(title + "\n" + tr("report.none"))
    lines = [title]
    for trend in snapshot.trends:
        lines.append("• " + tr.plural(f"report.trend.{trend.direction}", trend.count,
                                      name=category_label(trend.category, policy, tr),
                                      previous=trend.previous))
    return _limit("\n".join(lines))


def chart_words(snapshot: ReportSnapshot, tr: Translator) -> dict:
    """The chart's title, legend and axis, in the reader's language (plain text: no markup)."""
    key = "report.chart_title_weekly" if snapshot.weekly else "report.chart_title"
    return {
        "title": tr.plain(key, **period_words(snapshot.period, tr)),
        "labels": {s: sentiment_label(s, tr) for s in SENTIMENTS},
        "axis_label": tr.plain("report.chart_axis"),
        "weekly": snapshot.weekly,
    }
