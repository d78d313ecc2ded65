"""Block Kit builders for a case: the message in its thread (where the case is, what to do next,
the path so far), the card of a case opened by shortcut or form, the form behind the shortcut, and
the private message to a staff member who is targeted. Pure functions returning Block Kit JSON (see
bot/blocks/kit.py); citizens' words are escaped."""

from __future__ import annotations

from bot.blocks.prescreen import signals_block
from bot.slack import ids
from bot.blocks.kit import (BUTTON_TEXT_LIMIT, BUTTONS_PER_BLOCK, SECTION_LIMIT, TEXT_INPUT_LIMIT,
    Block, View, actions, button, clip, context, divider, input_block, local_time, modal, noun,
    option, plain, post_link, quote, section, static_select, suggested_text, text_input, url_input)
from bot.usecases.cases import FILES_NOT_KEPT, CaseSnapshot, HistoryLine
from bot.flows import tree
from bot.flows.intake import PLATFORMS
from bot.flows.policy import Policy
from bot.core.i18n import Translator
from bot.core.mrkdwn import Mrkdwn, escape, mention, mentions, link as live_link
from bot.slack.refs import ButtonRef, CaseRef


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
    lines = [describe_history_line(line, policy, tr) for line in case.history]
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


def describe_history_line(line: HistoryLine, policy: Policy, tr: Translator) -> str:
    lang = tr.language
    who = mention(line.user_id)
    when = local_time(line.at, tr)
    node_label = policy.nodes[line.node_id].label.get(lang) if line.node_id in policy.nodes \
        else line.node_id
    what: object
    if line.action_id is None:
        what = "→ " + node_label
    elif line.action_id == tree.BACK:
        what = tr("history.back", node=node_label)
    elif line.action_id == tree.CLOSE:
        what = tr("history.closed")
    elif line.action_id == tree.REOPEN:
        what = tr("history.reopened")
    elif line.action_id == tree.STAFF_SUPPORT:
        what = tr("history.staff_support", user=mention(line.note))
    elif line.action_id in policy.actions:
        action = policy.actions[line.action_id]
        if line.note == tree.REQUESTED:
            what = Mrkdwn("⚠️ " + tr("history.requested", noun=noun(policy, action.id, lang)))
        elif line.note == tree.CANCELLED:
            what = tr("history.cancelled", noun=noun(policy, action.id, lang))
        elif line.note and line.note.startswith((tree.WITHOUT, tree.WAIVED)):
            waived = line.note.startswith(tree.WAIVED)
            required = line.note[len(tree.WAIVED if waived else tree.WITHOUT):]
            required_noun = noun(policy, required, lang) if required in policy.actions else required
            what = tr("history.waived", noun=required_noun) if waived else \
                Mrkdwn("✓ " + tr("history.without", done=action.done.get(lang), noun=required_noun))
        else:
            what = "✓ " + action.done.get(lang)
    elif line.action_id in ("route_answered", "route_rerouted"):
        what = tr(f"history.{line.action_id}")
    elif line.action_id == FILES_NOT_KEPT:
        count = line.note.split(":", 1)[-1] if line.note else ""
        what = tr.plural("history.files_not_kept", int(count) if count.isdigit() else 0)
    else:
        what = line.action_id
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
