"""Every action_id, callback_id and block_id the bot uses, in one place.

Tree buttons share one prefix matched by a pattern; which node or action a button leads to travels
in its ``value`` (see :mod:`bot.payloads`), never in a label.
"""

import re

TREE_PREFIX = "rw:"
TREE_ACTION = re.compile(r"^rw:")  # every button of the case message
STAFF_SELECT = "rw_staff"  # users_select: which staff member is personally targeted
STAFF_BLOCK_PREFIX = "rw_staff:"  # its block_id carries the case reference

REVIEW_MESSAGE_SHORTCUT = "review_message"  # message shortcut "Beoordeel dit bericht"
NEW_CASE_SHORTCUT = "new_case"  # global shortcut: the form
NEW_CASE_VIEW = "new_case_form"

# Blocks of the new-case form.
FORM_CHANNEL = "form_channel"
FORM_PLATFORM = "form_platform"
FORM_AUTHOR = "form_author"
FORM_LINK = "form_link"
FORM_TEXT = "form_text"
FORM_INPUT = "value"  # the action_id of the single element in each form block


def tree_action_id(move: str, target: str | None, index: int) -> str:
    """Unique within a message (Slack requires it per block); the pattern only looks at the prefix."""
    return f"{TREE_PREFIX}{move}:{target or ''}:{index}"
