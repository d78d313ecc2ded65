"""Short private answers to the person who acted: text only, no blocks."""

from __future__ import annotations

from bot.blocks.cases import describe_history_line
from bot.blocks.kit import escape, local_time
from bot.core.i18n import Translator
from bot.core.mrkdwn import mention
from bot.core.problem import Problem
from bot.flows.policy import Policy


def problem_text(problem: Problem, policy: Policy, tr: Translator, *, plain: bool = False) -> str:
    """A refusal told to the person, with a service named as a sentence names it ("de
    groendienst"); ``plain`` for a form's error, where Slack parses no markup."""
    values = dict(problem.values)
    if isinstance(values.get("service"), str):
        values["service"] = policy.service_name(values["service"], tr.language)
    return (tr.plain if plain else tr)(problem.key, **values)


def stale_click(case, policy: Policy, tr: Translator) -> str:
    """A click on a button someone else's click already made old: who did what, when."""
    last = case.history[-1] if case.history else None
    if last is None:
        return tr("refusal.not_here")
    return tr("refusal.stale", user=mention(last.user_id), time=local_time(last.at, tr),
              step=describe_history_line(last, policy, tr))


def refused_click(result, policy: Policy, tr: Translator) -> str:
    """A click that changed nothing: made old by someone else's, or refused by the tree here."""
    return stale_click(result.case, policy, tr) if result.stale else tr(f"refusal.{result.refusal.value}")


def lead_changed(verb: str, changed: bool, user: str, tr: Translator) -> str:
    """``/strikes leidinggevenden toevoegen|verwijderen @iemand``: what happened."""
    key = {("add", True): "leads.added", ("remove", True): "leads.removed",
           ("add", False): "leads.add_unchanged", ("remove", False): "leads.remove_unchanged"}[
        (verb, changed)]
    return tr(key, user=mention(user))


def erased(result, tr: Translator) -> str:
    """What erasing an author removed, and what the law says must stay."""
    if not result.authors:
        return tr("privacy.nothing_to_erase")
    return tr("privacy.erased", erased_cases=tr.plural("privacy.erased_cases", result.cases),
              erased_strikes=tr.plural("privacy.erased_strikes", result.strikes)) \
        + "\n" + tr("privacy.not_erasable")


def antennas_changed(verb: str | None, changes, service: str, tr: Translator,
                     deactivated: frozenset[str] = frozenset()) -> str:
    """``/antenne <service> @person [back-up|verwijder]``: a line per person; a deactivated
    account just added as antenna is flagged."""
    key = {None: "antenne.added", "backup": "antenne.backup_set"}.get(verb, "antenne.removed")
    lines = []
    for person, changed in changes:
        lines.append(tr(key if changed else "antenne.unchanged", user=mention(person), service=service))
        if person in deactivated:
            lines.append(":warning: " + tr("antenne.deactivated", users=mention(person)))
    return "\n".join(lines)


def already_routed(first, policy: Policy, tr: Translator) -> str:
    """A route form sent twice (or from a version a colleague already routed): who asked whom."""
    service = policy.service_name(first.service.name, tr.language)
    return tr("route.already_routed", user=mention(first.asked_by), service=escape(service),
              time=local_time(first.asked_at, tr))


def rerouted(old, new, policy: Policy, tr: Translator, *, user: str, reason: str) -> str:
    """The case's thread hears that a question was passed on, by whom and why."""
    return tr("route.thread_rerouted", user=mention(user), reason=reason,
              old=policy.service_name(old.service.name, tr.language),
              new=policy.service_name(new.service.name, tr.language))


def strike_reviewed(review, tr: Translator, *, user: str, at, reason: str) -> str:
    """The case's thread hears that a lead revoked a strike or recorded an appeal, and why."""
    return tr(f"strikes.review.{review.value}", user=mention(user), time=local_time(at, tr),
              reason=reason)
