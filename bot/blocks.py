"""Block Kit builders: pure functions from snapshots and the policy to ``slack_sdk.models`` objects.

Nothing here talks to Slack or the database. Citizens' words are escaped before they are shown, so
a post containing ``<!channel>`` pings nobody, and long texts are cut to Slack's limits.
"""

from __future__ import annotations

from datetime import datetime

import pytz
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UrlInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot import ids
from bot.cases import CaseSnapshot, Step
from bot.flows import tree
from bot.flows.intake import PLATFORMS
from bot.flows.policy import Policy
from bot.i18n import Translator
from bot.payloads import ButtonRef, CaseRef

SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
BUTTONS_PER_BLOCK = 25
TEXT_INPUT_LIMIT = 3000
DISPLAY_TZ = pytz.timezone("Europe/Brussels")


def escape(text: str) -> str:
    """Slack's three control characters; what remains cannot mention, link or ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int, more: str = "…") -> str:
    return text if len(text) <= limit else text[: limit - len(more)] + more


def quote(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines() or [""])


def local_time(moment: datetime, *, year: bool = False) -> str:
    """A moment as the team reads it: Brussels time, day and month (and year) included."""
    return moment.astimezone(DISPLAY_TZ).strftime("%d/%m/%Y %H:%M" if year else "%d/%m %H:%M")


def iso_local(moment: datetime) -> str:
    """Brussels time for files: sortable, with the offset, so a spreadsheet cannot misread it."""
    return moment.astimezone(DISPLAY_TZ).isoformat(timespec="minutes")


def case_message(case: CaseSnapshot, policy: Policy, tr: Translator) -> list[Block]:
    """The message in a case's thread: where the case is, what to do next, and the path so far."""
    lang = tr.language
    state = case.state
    node = policy.node(case.node_id)
    blocks: list[Block] = []

    if state.status == tree.CLOSED:
        closer = next((s for s in reversed(case.history) if s.action_id == tree.CLOSE), None)
        closed = tr("case.closed_by", user=f"<@{closer.user_id}>", time=local_time(closer.at)) \
            if closer else tr("case.closed")
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{closed}*")))
    else:
        heading = f"*{escape(node.label.get(lang))}*\n{escape(policy.fill(node.about.get(lang)))}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(heading, SECTION_LIMIT))))
        notes = [
            (note.on if policy.switches[note.switch] else note.off).get(lang)
            for note in node.switch_notes
        ]
        if notes:
            text = "\n".join(f"{tr('case.policy_says')} {escape(policy.fill(n))}" for n in notes)
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_LIMIT))]))
        if node.tip is not None:
            tip = f"{tr('case.tip')} {escape(policy.fill(node.tip.get(lang)))}"
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(tip, SECTION_LIMIT))]))
        if node.reply is not None and state.pending_action is None:
            reply = policy.fill(node.reply.get(lang))
            text = f"*{tr('case.suggested_reply')}*\n{quote(escape(reply))}"
            blocks.append(SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT))))
        if state.pending_action is not None:
            blocks.extend(_guard(case, policy, tr))

    blocks.extend(_buttons(case, policy, tr))

    if state.status != tree.CLOSED and policy.staff_check(case.node_id) and state.pending_action is None:
        supported = [s.note for s in case.history if s.action_id == tree.STAFF_SUPPORT]
        text = tr("case.staff_question")
        if supported:
            text += "\n" + tr("case.staff_supported", users=", ".join(f"<@{u}>" for u in supported))
        blocks.append(
            SectionBlock(
                block_id=CaseRef(case.id, case.version).encode(ids.STAFF_BLOCK_PREFIX),
                text=MarkdownTextObject(text=text),
                accessory=UserSelectElement(
                    action_id=ids.STAFF_SELECT,
                    placeholder=PlainTextObject(text=tr("case.staff_pick")),
                ),
            )
        )

    blocks.append(DividerBlock())
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_history(case, policy, tr))]))
    return blocks


def _guard(case: CaseSnapshot, policy: Policy, tr: Translator) -> list[Block]:
    action = policy.actions[case.pending_action]
    lang = tr.language
    lines = [f"*{escape(action.label.get(lang))}*"]
    if action.warning is not None:
        lines.append(f":warning: {escape(policy.fill(action.warning.get(lang)))}")
    if action.requires is not None:
        required = policy.actions[action.requires].label.get(lang)
        if action.requires in case.state.done_actions:
            lines.append(tr("guard.requirement_done", requirement=escape(required)))
        else:
            lines.append(tr("guard.requirement_missing", requirement=escape(required)))
            if action.requires == "evidence" and case.evidence_files == 0:
                lines.append(tr("guard.upload_screenshot"))
    return [SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines), SECTION_LIMIT)))]


def _buttons(case: CaseSnapshot, policy: Policy, tr: Translator) -> list[Block]:
    """The clicks the tree allows now, grouped: next steps, actions, then back and close."""
    groups: dict[str, list[ButtonElement]] = {"next": [], "act": [], "nav": []}
    for index, click in enumerate(tree.offered_moves(policy, case.state)):
        if click.move is tree.Move.STAFF:
            continue  # a user picker, drawn separately
        button = _button(case, policy, tr, click, index)
        group = {tree.Move.GOTO: "next", tree.Move.BACK: "nav", tree.Move.CLOSE: "nav",
                 tree.Move.REOPEN: "nav"}.get(click.move, "act")
        groups[group].append(button)
    blocks: list[Block] = []
    if groups["act"] and case.state.pending_action is None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=tr("case.actions_hint"))]))
    for name in ("next", "act", "nav"):
        buttons = groups[name]
        for start in range(0, len(buttons), BUTTONS_PER_BLOCK):
            blocks.append(ActionsBlock(elements=buttons[start : start + BUTTONS_PER_BLOCK]))
    return blocks


def _button(
    case: CaseSnapshot, policy: Policy, tr: Translator, click: tree.Click, index: int
) -> ButtonElement:
    lang = tr.language
    move = click.move
    style = None
    url = None
    if move is tree.Move.GOTO:
        label = policy.node(click.target).label.get(lang)
    elif move is tree.Move.ACTION:
        action = policy.actions[click.target]
        label = action.label.get(lang)
        style = action.style
        url = policy.fill(action.url) if action.url else None
        if click.target in case.state.done_actions:
            label = "✓ " + label
    elif move is tree.Move.CONFIRM:
        label, style = tr("guard.confirm", action=policy.actions[click.target].label.get(lang)), "danger"
    elif move is tree.Move.SKIP:
        action = policy.actions[click.target]
        label = tr("guard.skip", requirement=policy.actions[action.requires].label.get(lang))
        style = "danger"
    elif move is tree.Move.CANCEL:
        label = tr("guard.cancel")
    elif move is tree.Move.BACK:
        label = tr("case.back")
    elif move is tree.Move.CLOSE:
        label = tr("case.close")
    else:  # REOPEN
        label = tr("case.reopen")
    return ButtonElement(
        text=PlainTextObject(text=clip(label, BUTTON_TEXT_LIMIT), emoji=True),
        action_id=ids.tree_action_id(move.value, click.target, index),
        value=ButtonRef(case.id, case.version, click).encode(),
        style=style,
        url=url,
    )


def _history(case: CaseSnapshot, policy: Policy, tr: Translator) -> str:
    """Who decided what, when: newest last, the oldest dropped first when it grows too long."""
    header = tr(
        "case.footer",
        case=case.id,
        platform=tr(f"platform.{case.platform}"),
        user=f"<@{case.forwarded_by}>",
        time=local_time(case.forwarded_at),
    )
    if case.author_handle:
        header += " · " + tr("case.author", handle=escape(case.author_handle))
    lines = [describe_step(step, policy, tr) for step in case.history]
    budget = SECTION_LIMIT - len(header) - 60
    shown: list[str] = []
    for line in reversed(lines):
        if budget - len(line) - 1 < 0:
            break
        shown.append(line)
        budget -= len(line) + 1
    shown.reverse()
    dropped = len(lines) - len(shown)
    if dropped:
        shown.insert(0, tr("case.earlier_steps", count=dropped))
    return "\n".join([header, *shown]) if shown else header


def describe_step(step: Step, policy: Policy, tr: Translator) -> str:
    lang = tr.language
    who = f"<@{step.user_id}>"
    when = local_time(step.at)
    node_label = policy.nodes[step.node_id].label.get(lang) if step.node_id in policy.nodes \
        else step.node_id
    if step.action_id is None:
        what = "→ " + node_label
    elif step.action_id == tree.BACK:
        what = tr("history.back", node=node_label)
    elif step.action_id == tree.CLOSE:
        what = tr("history.closed")
    elif step.action_id == tree.REOPEN:
        what = tr("history.reopened")
    elif step.action_id == tree.STAFF_SUPPORT:
        what = tr("history.staff_support", user=f"<@{step.note}>")
    elif step.action_id in policy.actions:
        action = policy.actions[step.action_id]
        if step.note == tree.REQUESTED:
            what = tr("history.requested", action=action.label.get(lang))
        elif step.note == tree.CANCELLED:
            what = tr("history.cancelled", action=action.label.get(lang))
        elif step.note and step.note.startswith(tree.WITHOUT):
            required = step.note[len(tree.WITHOUT):]
            required_label = policy.actions[required].label.get(lang) \
                if required in policy.actions else required
            what = "✓ " + tr("history.without", action=action.done.get(lang),
                             requirement=required_label)
        else:
            what = "✓ " + action.done.get(lang)
    elif step.action_id in ("route_answered", "route_rerouted"):
        what = tr(f"history.{step.action_id}")
    else:
        what = step.action_id
    return f"{when} {who} {escape(what)}"


def case_card(intake_text: str, link: str | None, platform: str, author: str | None,
              forwarded_by: str, source_permalink: str | None, tr: Translator) -> list[Block]:
    """The top-level message for a case opened by shortcut or form; the tree goes in its thread."""
    lines = [f"*{tr('card.title')}* · {tr(f'platform.{platform}')}"]
    if author:
        lines.append(tr("case.author", handle=escape(author)))
    if link:
        lines.append(escape(link))
    if source_permalink:
        lines.append(f"<{source_permalink}|{tr('card.source')}>")
    lines.append(tr("card.forwarded_by", user=f"<@{forwarded_by}>"))
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines), SECTION_LIMIT)))]
    if intake_text.strip():
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=clip(quote(escape(intake_text)), SECTION_LIMIT)))
        )
    return blocks


def support_message(policy: Policy, tr: Translator, case: CaseSnapshot, sender: str) -> list[Block]:
    """The private message to a staff member who is personally targeted: care, never blame."""
    lang = tr.language
    contacts = "\n".join(
        f"• *{escape(c.name.get(lang))}*: {escape(c.contact)}" for c in policy.support_contacts
    )
    text = tr("support.body", user=f"<@{sender}>") + "\n" + contacts
    return [SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT)))]


def new_case_form(tr: Translator, channels: tuple[str, ...]) -> View:
    """The form behind the global shortcut: a post that was not forwarded as a message."""
    blocks: list[Block] = []
    if len(channels) > 1:
        blocks.append(
            InputBlock(
                block_id=ids.FORM_CHANNEL,
                label=PlainTextObject(text=tr("form.channel")),
                element=StaticSelectElement(
                    action_id=ids.FORM_INPUT,
                    options=[Option(text=PlainTextObject(text=f"#{c}"), value=c) for c in channels],
                    initial_option=Option(text=PlainTextObject(text=f"#{channels[0]}"), value=channels[0]),
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id=ids.FORM_PLATFORM,
            label=PlainTextObject(text=tr("form.platform")),
            optional=True,
            hint=PlainTextObject(text=tr("form.platform_hint")),
            element=StaticSelectElement(
                action_id=ids.FORM_INPUT,
                options=[
                    Option(text=PlainTextObject(text=tr(f"platform.{p}")), value=p) for p in PLATFORMS
                ],
            ),
        ),
        InputBlock(
            block_id=ids.FORM_LINK,
            label=PlainTextObject(text=tr("form.link")),
            optional=True,
            element=UrlInputElement(action_id=ids.FORM_INPUT),
        ),
        InputBlock(
            block_id=ids.FORM_AUTHOR,
            label=PlainTextObject(text=tr("form.author")),
            optional=True,
            hint=PlainTextObject(text=tr("form.author_hint")),
            element=PlainTextInputElement(action_id=ids.FORM_INPUT, max_length=300),
        ),
        InputBlock(
            block_id=ids.FORM_TEXT,
            label=PlainTextObject(text=tr("form.text")),
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.FORM_INPUT, multiline=True, max_length=TEXT_INPUT_LIMIT
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.NEW_CASE_VIEW,
        title=PlainTextObject(text=clip(tr("form.title"), 24)),
        submit=PlainTextObject(text=tr("form.submit")),
        close=PlainTextObject(text=tr("form.cancel")),
        blocks=blocks,
    )
