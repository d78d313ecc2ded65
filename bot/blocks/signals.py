"""Block Kit for a service's overview: counts per category, kind of report and platform, each
against the period before. Counts under 5 read "fewer than 5"; no words, usernames or names of
citizens or colleagues ever reach this message (the snapshot holds none)."""

from __future__ import annotations

from bot.blocks.kit import SECTION_LIMIT, Block, clip, context, section
from bot.blocks.report import category_label, period_words, platform_label, service_label
from bot.core.i18n import Translator
from bot.core.mrkdwn import Mrkdwn
from bot.flows.policy import Policy
from bot.flows.signals import Line, direction, shown
from bot.usecases.digest import ServiceOverview


def amount(count: int, tr: Translator) -> str:
    value = shown(count)
    return tr.plain("signals.few") if value is None else str(value)


def trend(count: int, before: int, tr: Translator) -> str:
    way = direction(count, before)
    return tr.plain(f"signals.trend.{way}" if way else "signals.trend.unknown")


def _line(name: str, line: Line, tr: Translator) -> str:
    return "• " + tr("signals.line", name=name, amount=amount(line.count, tr),
                     before=amount(line.before, tr), trend=trend(line.count, line.before, tr))


def fallback(overview: ServiceOverview, policy: Policy, tr: Translator) -> str:
    return tr("signals.fallback", service=service_label(overview.service, policy, tr),
              **period_words(overview.signals.period, tr))


def overview_blocks(overview: ServiceOverview, policy: Policy, tr: Translator) -> list[Block]:
    found = overview.signals
    blocks: list[Block] = [
        section(tr("signals.title", service=service_label(overview.service, policy, tr),
                   **period_words(found.period, tr))),
        context(tr("signals.intro", organisation=policy.organisation)),
        section(tr("signals.total", amount=amount(found.total, tr), before=amount(found.total_before, tr),
                   trend=trend(found.total, found.total_before, tr))),
    ]
    parts = [tr("signals.categories")] + [
        _line(category_label(line.key, policy, tr), line, tr) for line in found.categories]
    if found.kinds:
        parts += ["", tr("signals.kinds")] + [
            _line(policy.actions[line.key].done.get(tr.language) if line.key in policy.actions
                  else line.key, line, tr) for line in found.kinds]
    parts += ["", tr("signals.platforms")] + (
        [_line(platform_label(line.key, tr), line, tr) for line in found.platforms]
        or [tr("report.none")])
    blocks.append(section(Mrkdwn(clip("\n".join(parts), SECTION_LIMIT))))
    blocks.append(context(tr("signals.previous", **period_words(found.previous, tr))))
    return blocks
