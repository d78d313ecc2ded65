"""Block Kit builders: pure functions from snapshots and the policy to Block Kit JSON (plain dicts).

Nothing here talks to Slack or the database. Citizens' words are escaped before they are shown, so
a post containing ``<!channel>`` pings nobody, and long texts are cut to Slack's limits.

The blocks are plain dicts, not ``slack_sdk.models`` objects: those re-validate every object each
time a Web API call turns them into JSON, which cost a quarter of the bot's CPU per request. Slack's
limits are checked in the tests instead (``tests/test_block_kit.py`` parses every kind of message
and view with ``slack_sdk.models`` and validates it), so a builder that outgrows a limit still fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytz

from bot.slack import ids
from bot.usecases.cases import FILES_NOT_KEPT, CaseSnapshot, Step
from bot.flows import tree
from bot.flows.intake import PLATFORMS, guess_platform
from bot.flows.policy import Policy, Text
from bot.core.i18n import Translator
from bot.core.mrkdwn import Mrkdwn, escape, mention, mentions, link as live_link
from bot.slack.refs import ButtonRef, CaseRef
from bot.blocks.prescreen import signals_block

Block = dict[str, Any]  # one block, element or composition object, as Slack's JSON has it
View = dict[str, Any]

SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
BUTTONS_PER_BLOCK = 25
TEXT_INPUT_LIMIT = 3000
DISPLAY_TZ = pytz.timezone("Europe/Brussels")


# --- Block Kit's parts, as Slack's JSON ---------------------------------------------------------


def plain(text: str, *, emoji: bool = False) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True} if emoji \
        else {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> Block:
    # verbatim: Slack parses only the markup the bot built (mentions, channels, links it made);
    # it does not turn typed URLs, channel names or mentions in the text into live ones.
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str, *, block_id: str | None = None, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id is not None:
        block["block_id"] = block_id
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def divider() -> Block:
    return {"type": "divider"}


def actions(elements: list[Block]) -> Block:
    return {"type": "actions", "elements": elements}


def button(text: str, *, action_id: str, value: str, style: str | None = None,
           url: str | None = None, emoji: bool = False) -> Block:
    element: Block = {"type": "button", "text": plain(text, emoji=emoji), "action_id": action_id,
                      "value": value}
    if style is not None:
        element["style"] = style
    if url is not None:
        element["url"] = url
    return element


def option(text: str, value: str, *, description: str | None = None) -> Block:
    choice: Block = {"text": plain(text), "value": value}
    if description is not None:
        choice["description"] = plain(description)
    return choice


def static_select(options: list[Block], *, initial: Block | None = None) -> Block:
    element: Block = {"type": "static_select", "action_id": ids.FORM_INPUT, "options": options}
    if initial is not None:
        element["initial_option"] = initial
    return element


def radio_buttons(options: list[Block]) -> Block:
    return {"type": "radio_buttons", "action_id": ids.FORM_INPUT, "options": options}


def text_input(*, max_length: int, multiline: bool = False, initial_value: str | None = None) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": ids.FORM_INPUT, "max_length": max_length}
    if multiline:
        element["multiline"] = True
    if initial_value is not None:
        element["initial_value"] = initial_value
    return element


def url_input() -> Block:
    return {"type": "url_text_input", "action_id": ids.FORM_INPUT}


def input_block(block_id: str, label: str, element: Block, *, optional: bool = False,
                hint: str | None = None) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain(label), "element": element}
    if optional:
        block["optional"] = True
    if hint is not None:
        block["hint"] = plain(hint)
    return block


def modal(*, callback_id: str, title: str, submit: str, close: str, blocks: list[Block],
          private_metadata: str | None = None) -> View:
    view: View = {"type": "modal", "callback_id": callback_id, "title": plain(title),
                  "submit": plain(submit), "close": plain(close), "blocks": blocks}
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    return view


# --- text -------------------------------------------------------------------------------------


def post_link(url: str) -> Mrkdwn:
    """The link to a post: live, with the address as its label, only for a plain web address on
    one of the social platforms; any other address is shown as text, not as a link to click."""
    if guess_platform(url) in ("website", "other"):
        return escape(url)
    return live_link(url, url)


def clip(text: str, limit: int, more: str = "…") -> str:
    return text if len(text) <= limit else text[: limit - len(more)] + more


def quote(text: str) -> Mrkdwn:
    """A block quote of ``text`` (escaped unless it already is mrkdwn)."""
    return Mrkdwn("\n".join("> " + line for line in escape(text).splitlines() or [""]))


def local_time(moment: datetime, tr: Translator, *, year: bool = False) -> str:
    """A moment as the team reads it: Brussels time, day and month (and year) included, written
    the language's way (:meth:`Translator.time`)."""
    return tr.time(moment, year=year)


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
        closed = tr("case.closed_by", user=mention(closer.user_id), time=local_time(closer.at, tr)) \
            if closer else tr("case.closed")
        blocks.append(section(f"*{closed}*"))
    else:
        heading = f"*{escape(node.label.get(lang))}*\n{escape(policy.fill(node.about.get(lang)))}"
        blocks.append(section(clip(heading, SECTION_LIMIT)))
        notes = [
            (note.on if policy.switches[note.switch] else note.off).get(lang)
            for note in node.switch_notes
        ]
        if notes:
            text = "\n".join(f"{tr('case.policy_says')} {escape(policy.fill(n))}" for n in notes)
            blocks.append(context(clip(text, SECTION_LIMIT)))
        if node.tip is not None:
            tip = f"{tr('case.tip')} {escape(policy.fill(node.tip.get(lang)))}"
            blocks.append(context(clip(tip, SECTION_LIMIT)))
        if state.pending_action is None:
            blocks.extend(_suggestions(case, policy, tr))
        if state.pending_action is not None:
            blocks.extend(_guard(case, policy, tr))

    blocks.extend(signals_block(case, policy, tr))
    blocks.extend(_buttons(case, policy, tr))

    if state.status != tree.CLOSED and policy.staff_check(case.node_id) and state.pending_action is None:
        supported = [s.note for s in case.history if s.action_id == tree.STAFF_SUPPORT]
        text = tr("case.staff_question")
        if supported:
            text += "\n" + tr("case.staff_supported", users=mentions(supported))
        blocks.append(
            section(
                text,
                block_id=CaseRef(case.id, case.version).encode(ids.STAFF_BLOCK_PREFIX),
                accessory={"type": "users_select", "action_id": ids.STAFF_SELECT,
                           "placeholder": plain(tr("case.staff_pick"))},
            )
        )

    blocks.append(divider())
    blocks.append(context(_history(case, policy, tr)))
    return blocks


def noun(policy: Policy, action_id: str, language: str) -> str:
    """How a sentence names an action ("screenshot"): never its button label."""
    return policy.actions[action_id].noun.get(language)


def suggested_text(text: Text, policy: Policy, tr: Translator, **extra: str) -> str:
    """A text for the citizen, quoted: the je-vorm, then (in Dutch) the u-vorm to mirror a
    citizen who writes u."""
    shown = quote(escape(policy.fill(text.get(tr.language), **extra)))
    formal = text.get(tr.language, formal=True)
    if formal != text.get(tr.language):
        shown += f"\n_{tr('case.u_form')}_\n" + quote(escape(policy.fill(formal, **extra)))
    return shown


def _suggestions(case: CaseSnapshot, policy: Policy, tr: Translator) -> list[Block]:
    """The node's suggested replies (those its switches allow), the tone checklist, and one line
    per offered action that says who handles what."""
    lang = tr.language
    blocks: list[Block] = []
    replies = policy.replies_on(case.node_id)
    for reply in replies:
        text = f"*{escape(reply.title.get(lang))}*\n{suggested_text(reply.text, policy, tr)}"
        blocks.append(section(clip(text, SECTION_LIMIT)))
    if replies and policy.tone is not None:
        blocks.append(context(clip(escape(policy.fill(policy.tone.get(lang))), SECTION_LIMIT)))
    hints = [escape(policy.fill(a.hint.get(lang))) for a in policy.actions_on(case.node_id)
             if a.hint is not None]
    if hints:
        blocks.append(context(clip("\n".join(hints), SECTION_LIMIT)))
    return blocks


def _guard(case: CaseSnapshot, policy: Policy, tr: Translator) -> list[Block]:
    """A guarded action was asked for and not yet carried out: first what to know, then do it."""
    action = policy.actions[case.pending_action]
    lang = tr.language
    lines = [f"*{escape(action.label.get(lang))}*"]
    if action.warning is not None or action.requires is not None:
        lines.append(tr("guard.intent"))
    if action.warning is not None:
        lines.append(f":warning: {escape(policy.fill(action.warning.get(lang)))}")
    state = case.state
    ready = True
    if action.requires is not None:
        required = escape(noun(policy, action.requires, lang))
        if action.requires in state.done_actions:
            done = policy.actions[action.requires].done.get(lang)
            lines.append("✓ " + escape(done))
        elif state.requirement_waived:
            lines.append(tr("guard.requirement_waived", noun=required))
        else:
            ready = False
            lines.append(tr("guard.requirement_missing", noun=required))
            if action.requires == "evidence" and case.evidence_files == 0:
                lines.append(tr("guard.upload_screenshot"))
    if ready:
        lines.append(tr("guard.now"))
    return [section(clip("\n".join(lines), SECTION_LIMIT))]


def _buttons(case: CaseSnapshot, policy: Policy, tr: Translator) -> list[Block]:
    """The clicks the tree allows now, grouped: next steps, actions, then back and close."""
    groups: dict[str, list[Block]] = {"next": [], "act": [], "nav": []}
    for index, click in enumerate(tree.offered_moves(policy, case.state)):
        if click.move is tree.Move.STAFF:
            continue  # a user picker, drawn separately
        group = {tree.Move.GOTO: "next", tree.Move.BACK: "nav", tree.Move.CLOSE: "nav",
                 tree.Move.REOPEN: "nav"}.get(click.move, "act")
        groups[group].append(_button(case, policy, tr, click, index))
    blocks: list[Block] = []
    if groups["act"] and case.state.pending_action is None:
        guarded = any(tree.is_guarded(policy, a.id) for a in policy.actions_on(case.node_id))
        blocks.append(context(tr("case.actions_hint_guarded" if guarded else "case.actions_hint")))
    for name in ("next", "act", "nav"):
        buttons = groups[name]
        for start in range(0, len(buttons), BUTTONS_PER_BLOCK):
            blocks.append(actions(buttons[start : start + BUTTONS_PER_BLOCK]))
    return blocks


def _button(
    case: CaseSnapshot, policy: Policy, tr: Translator, click: tree.Click, index: int
) -> Block:
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
        elif tree.is_guarded(policy, click.target) and case.state.pending_action is None:
            label = "⚠️ " + label  # clicked before it is done: the warning comes first
    elif move is tree.Move.CONFIRM:
        label, style = tr.plain("guard.confirm"), "danger"
    elif move is tree.Move.SKIP:
        action = policy.actions[click.target]
        label = tr.plain("guard.skip", noun=noun(policy, action.requires, lang))
        style = "danger"
    elif move is tree.Move.CANCEL:
        label = tr("guard.cancel")
    elif move is tree.Move.BACK:
        label = tr("case.back")
    elif move is tree.Move.CLOSE:
        label = tr("case.close")
    else:  # REOPEN
        label = tr("case.reopen")
    return button(
        clip(label, BUTTON_TEXT_LIMIT),
        emoji=True,
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
        user=mention(case.forwarded_by),
        time=local_time(case.forwarded_at, tr),
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
        shown.insert(0, tr.plural("case.earlier_steps", dropped))
    return "\n".join([header, *shown]) if shown else header


def describe_step(step: Step, policy: Policy, tr: Translator) -> str:
    lang = tr.language
    who = mention(step.user_id)
    when = local_time(step.at, tr)
    node_label = policy.nodes[step.node_id].label.get(lang) if step.node_id in policy.nodes \
        else step.node_id
    what: object
    if step.action_id is None:
        what = "→ " + node_label
    elif step.action_id == tree.BACK:
        what = tr("history.back", node=node_label)
    elif step.action_id == tree.CLOSE:
        what = tr("history.closed")
    elif step.action_id == tree.REOPEN:
        what = tr("history.reopened")
    elif step.action_id == tree.STAFF_SUPPORT:
        what = tr("history.staff_support", user=mention(step.note))
    elif step.action_id in policy.actions:
        action = policy.actions[step.action_id]
        if step.note == tree.REQUESTED:
            what = Mrkdwn("⚠️ " + tr("history.requested", noun=noun(policy, action.id, lang)))
        elif step.note == tree.CANCELLED:
            what = tr("history.cancelled", noun=noun(policy, action.id, lang))
        elif step.note and step.note.startswith((tree.WITHOUT, tree.WAIVED)):
            waived = step.note.startswith(tree.WAIVED)
            required = step.note[len(tree.WAIVED if waived else tree.WITHOUT):]
            required_noun = noun(policy, required, lang) if required in policy.actions else required
            what = tr("history.waived", noun=required_noun) if waived else \
                Mrkdwn("✓ " + tr("history.without", done=action.done.get(lang), noun=required_noun))
        else:
            what = "✓ " + action.done.get(lang)
    elif step.action_id in ("route_answered", "route_rerouted"):
        what = tr(f"history.{step.action_id}")
    elif step.action_id == FILES_NOT_KEPT:
        count = step.note.split(":", 1)[-1] if step.note else ""
        what = tr.plural("history.files_not_kept", int(count) if count.isdigit() else 0)
    else:
        what = step.action_id
    return Mrkdwn(f"{when} {who} {escape(what)}")


def case_card(intake_text: str, link: str | None, platform: str, author: str | None,
              forwarded_by: str, source_permalink: str | None, tr: Translator, *,
              comment: str | None = None) -> list[Block]:
    """The top-level message for a case opened by shortcut or form; the tree goes in its thread."""
    lines = [f"*{tr('card.title')}* · {tr(f'platform.{platform}')}"]
    if author:
        lines.append(tr("case.author", handle=escape(author)))
    if link:
        lines.append(post_link(link))
    if source_permalink:
        lines.append(live_link(source_permalink, tr('card.source')))
    lines.append(tr("card.forwarded_by", user=mention(forwarded_by)))
    blocks: list[Block] = [section(clip("\n".join(lines), SECTION_LIMIT))]
    if intake_text.strip():
        blocks.append(
            section(clip(quote(escape(intake_text)), SECTION_LIMIT))
        )
    if comment and comment.strip():
        # The team member's own words, apart from the citizen's: never mistaken for the post.
        text = tr("card.comment", user=mention(forwarded_by)) + "\n" + quote(escape(comment))
        blocks.append(context(clip(text, SECTION_LIMIT)))
    return blocks


def support_message(policy: Policy, tr: Translator, case: CaseSnapshot, sender: str) -> list[Block]:
    """The private message to a staff member who is personally targeted: care, never blame."""
    lang = tr.language
    contacts = "\n".join(
        f"• *{escape(c.name.get(lang))}*: {escape(c.contact)}" for c in policy.support_contacts
    )
    text = tr("support.body", user=mention(sender)) + "\n" + contacts
    return [section(clip(text, SECTION_LIMIT))]


def new_case_form(tr: Translator, channels: tuple[str, ...]) -> View:
    """The form behind the global shortcut: a post that was not forwarded as a message."""
    blocks: list[Block] = []
    if len(channels) > 1:
        blocks.append(input_block(
            ids.FORM_CHANNEL, tr("form.channel"),
            static_select([option(f"#{c}", c) for c in channels],
                          initial=option(f"#{channels[0]}", channels[0])),
        ))
    blocks += [
        input_block(
            ids.FORM_PLATFORM, tr("form.platform"), optional=True, hint=tr("form.platform_hint"),
            element=static_select([option(tr(f"platform.{p}"), p) for p in PLATFORMS]),
        ),
        input_block(ids.FORM_LINK, tr("form.link"), url_input(), optional=True),
        input_block(ids.FORM_AUTHOR, tr("form.author"), text_input(max_length=300), optional=True,
                    hint=tr("form.author_hint")),
        input_block(ids.FORM_TEXT, tr("form.text"),
                    text_input(max_length=TEXT_INPUT_LIMIT, multiline=True), optional=True),
    ]
    return modal(
        callback_id=ids.NEW_CASE_VIEW,
        title=clip(tr("form.title"), 24),
        submit=tr("form.submit"),
        close=tr("form.cancel"),
        blocks=blocks,
    )
