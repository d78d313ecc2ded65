"""Block Kit's primitives: text objects, blocks, buttons, inputs and modals as Slack's JSON (plain
dicts), and the text helpers every builder shares (escape, clip, quote, local time, a policy's
texts). The builders that use them: bot/blocks/cases.py (the case message and the case forms),
bot/blocks/routing.py and bot/blocks/strikes.py.

Nothing here talks to Slack or the database. Citizens' words are escaped before they are shown, so
a post containing ``<!channel>`` pings nobody, and long texts are cut to Slack's limits.

The blocks are plain dicts, not ``slack_sdk.models`` objects: those re-validate every object each
time a Web API call turns them into JSON, which cost a quarter of the bot's CPU per request. Slack's
limits are checked in the tests instead (``tests/slack/test_block_kit.py`` parses every kind of message
and view with ``slack_sdk.models`` and validates it), so a builder that outgrows a limit still fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.slack import ids
from bot.flows.intake import NOT_SOCIAL, guess_platform
from bot.flows.policy import Policy, Text
from bot.core.clock import BRUSSELS
from bot.core.i18n import Translator
from bot.core.mrkdwn import Mrkdwn, escape, link as live_link

Block = dict[str, Any]  # one block, element or composition object, as Slack's JSON has it
View = dict[str, Any]

SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
BUTTONS_PER_BLOCK = 25
TEXT_INPUT_LIMIT = 3000


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
    if guess_platform(url) in NOT_SOCIAL:
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
    return moment.astimezone(BRUSSELS).isoformat(timespec="minutes")


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
