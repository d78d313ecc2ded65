"""Block Kit for practising the tree (``/oefenen``): a made-up comment, the tree's own buttons from
the same policy, the comparison with the guide's answer, and the results.

The buttons are drawn as a real case's are (same labels, same ⚠️ on steps clicked before they are
done, same styles); only their value differs: a practice round, never a case.
"""

from __future__ import annotations

from bot.blocks.kit import (
    BUTTON_TEXT_LIMIT, BUTTONS_PER_BLOCK, SECTION_LIMIT, Block, actions, button, clip, context,
    divider, noun, quote, section,
)
from bot.core.i18n import Translator
from bot.core.mrkdwn import Mrkdwn, escape
from bot.flows import practice as rules
from bot.flows import tree
from bot.flows.policy import Policy, PracticeItem
from bot.flows.practice import Click, Move, Score
from bot.slack import ids
from bot.slack.refs import PracticeRef

# What the guide advises against, each a text (kept as literals so every key is found in the code).
AGAINST = {
    "avoid": "practice.against_avoid",
    "not_offered": "practice.against_not_offered",
    "without": "practice.against_without",
}


def practice_message(view, policy: Policy, tr: Translator, *, buttons: bool = True) -> list[Block]:
    """One made-up comment: the card, where the person is in the tree, and the buttons; after
    checking, the comparison with the reference answer. ``view`` is a use case's RoundView."""
    blocks = comment_card(view.item, view.position, view.total, tr)
    state = view.state
    if view.score is not None or state.checked:
        if view.score is not None:
            blocks.extend(feedback(view.item, view.score, policy, tr))
    else:
        node = policy.node(state.node_id)
        lang = tr.language
        heading = f"*{escape(node.label.get(lang))}*\n{escape(policy.fill(node.about.get(lang)))}"
        blocks.append(section(clip(heading, SECTION_LIMIT)))
        if rules.is_category(policy, state.node_id):
            blocks.append(context(tr("practice.steps_hint")))
    if buttons:
        blocks.extend(_buttons(view, policy, tr))
    return blocks


def comment_card(item: PracticeItem, position: int, size: int, tr: Translator) -> list[Block]:
    lines = [f"*{tr('practice.title', at=position + 1, size=size)}* · {tr(f'platform.{item.platform}')}",
             tr("case.author", handle=escape(item.author))]
    if item.context is not None:
        lines.append(tr("practice.context", context=escape(item.context.get(tr.language))))
    return [section(clip("\n".join(lines), SECTION_LIMIT)),
            section(clip(quote(escape(item.text)), SECTION_LIMIT)),
            context(tr("practice.made_up"))]


def feedback(item: PracticeItem, score: Score, policy: Policy, tr: Translator) -> list[Block]:
    """Right or not, the reference category and its path, the steps the guide expects, the ones
    clicked that it advises against, and why."""
    lang = tr.language
    category = escape(policy.node(score.reference).label.get(lang))
    chosen = escape(policy.node(score.chosen).label.get(lang))
    if score.category_right:
        verdict = tr("practice.right", category=Mrkdwn(category))
    elif score.sentiment_right:
        verdict = tr("practice.partial", category=Mrkdwn(category), chosen=Mrkdwn(chosen))
    else:
        verdict = tr("practice.wrong", category=Mrkdwn(category), chosen=Mrkdwn(chosen))
    path = " › ".join(escape(policy.node(n).label.get(lang)) for n in policy.path_to(score.reference)[1:])
    lines = [verdict, tr("practice.path", path=Mrkdwn(path))]
    steps = [("✓ " if s in score.expected_clicked else "• ") + escape(_capital(noun(policy, s, lang)))
             for s in score.expected]
    lines += ["", tr("practice.expected"), *steps]
    if score.against:
        lines += ["", tr("practice.against_title")]
        for against in score.against:
            values = {"step": _capital(noun(policy, against.action, lang))}
            if against.reason == "not_offered":
                values["category"] = policy.node(score.reference).label.get(lang)
            if against.reason == "without":
                values["requires"] = noun(policy, against.requires, lang)
            lines.append("⚠️ " + tr(AGAINST[against.reason], **values))
    why = f"*{tr('practice.why')}*\n{escape(item.why.get(lang))}"
    return [section(clip("\n".join(lines), SECTION_LIMIT)), section(clip(why, SECTION_LIMIT))]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _buttons(view, policy: Policy, tr: Translator) -> list[Block]:
    groups: dict[str, list[Block]] = {"next": [], "act": [], "nav": []}
    for index, click in enumerate(rules.offered(policy, view.state)):
        group = {Move.GOTO: "next", Move.ACTION: "act"}.get(click.move, "nav")
        groups[group].append(_button(view, policy, tr, click, index))
    blocks: list[Block] = []
    for name in ("next", "act", "nav"):
        buttons = groups[name]
        for start in range(0, len(buttons), BUTTONS_PER_BLOCK):
            blocks.append(actions(buttons[start:start + BUTTONS_PER_BLOCK]))
    return blocks


def _button(view, policy: Policy, tr: Translator, click: Click, index: int) -> Block:
    lang = tr.language
    style = url = None
    if click.move is Move.GOTO:
        label = policy.node(click.target).label.get(lang)
    elif click.move is Move.ACTION:
        action = policy.actions[click.target]
        label, style = action.label.get(lang), action.style
        url = policy.fill(action.url) if action.url else None
        if click.target in view.state.clicked:
            label = "✓ " + label
        elif tree.is_guarded(policy, click.target):
            label = "⚠️ " + label  # as on a real case: clicked before it is done
    elif click.move is Move.BACK:
        label = tr.plain("case.back")
    elif click.move is Move.CHECK:
        label, style = tr.plain("practice.check"), "primary"
    elif click.move is Move.NEXT:
        label, style = tr.plain("practice.next"), "primary"
    else:
        label = tr.plain("practice.stop")
    return button(clip(label, BUTTON_TEXT_LIMIT), emoji=True,
                  action_id=ids.practice_action_id(click.move.value, click.target, index),
                  value=PracticeRef(view.round_id, view.version, click).encode(),
                  style=style, url=url)


def round_done(view, tr: Translator) -> list[Block]:
    if view.answered:
        text = tr.plural("practice.done", view.answered, right=view.right)
    else:
        text = tr("practice.stopped")
    return [section(f"{text}\n{tr('practice.again')}")]


def results(mine, team: dict[str, tuple[int, int]] | None, policy: Policy, tr: Translator) -> list[Block]:
    """The person's own results; for a lead, the team's totals per category below (no names)."""
    lang = tr.language
    blocks: list[Block] = [section(tr("practice.results_title"))]
    if not mine.shares:
        blocks.append(section(tr("practice.results_none")))
    else:
        lines = [tr.plural("practice.results_rounds", mine.rounds)]
        lines += [_share_line(policy, category, mine.shares, tr) for category in _ordered(policy, mine.shares)]
        blocks.append(section(clip("\n".join(lines), SECTION_LIMIT)))
        weak = ", ".join(escape(policy.node(c).label.get(lang)) for c in mine.to_practise)
        blocks.append(context(tr("practice.results_practise", categories=Mrkdwn(weak)) if weak
                              else tr("practice.results_all_good")))
    if team is not None:
        blocks.append(divider())
        blocks += team_totals(team, policy, tr)
    return blocks


def _ordered(policy: Policy, shares: dict[str, tuple[int, int]]) -> list[str]:
    return [node_id for node_id in policy.nodes if node_id in shares]


def _share_line(policy: Policy, category: str, shares: dict[str, tuple[int, int]], tr: Translator) -> str:
    answered, right = shares[category]
    label = escape(policy.node(category).label.get(tr.language))
    return "• " + tr.plural("practice.share", answered, category=Mrkdwn(label), right=right,
                            percent=round(100 * right / answered))


def team_totals(team: dict[str, tuple[int, int]], policy: Policy, tr: Translator) -> list[Block]:
    """The team's totals per category, for a lead: never a name, never a person's share."""
    if not team:
        return [section(tr("practice.team_title")), section(tr("practice.team_none"))]
    lines = [_share_line(policy, c, team, tr) for c in _ordered(policy, team)]
    return [section(tr("practice.team_title")), section(clip("\n".join(lines), SECTION_LIMIT))]
