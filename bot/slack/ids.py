"""Every action_id, callback_id and block_id the bot uses, in one place.

Tree buttons share one prefix matched by a pattern; which node or action a button leads to travels
in its ``value`` (see :mod:`bot.slack.refs`), never in a label.
"""

import re

TREE_PREFIX = "rw:"
TREE_ACTION = re.compile(r"^rw:")  # every button of the case message
STAFF_SELECT = "rw_staff"  # users_select: which staff member is personally targeted
STAFF_BLOCK_PREFIX = "rw_staff:"  # its block_id carries the case reference

REVIEW_MESSAGE_SHORTCUT = "review_message"  # message shortcut "Als dossier openen"
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

# The strike register.
STRIKES_COMMAND = "/strikes"
STRIKE_VIEW = "strike_form"  # modal: record a strike from a case
STRIKE_PLATFORM = "strike_platform"
STRIKE_HANDLE = "strike_handle"
STRIKE_REASON_INTERNAL = "strike_reason_internal"
STRIKE_REASON_PUBLIC = "strike_reason_public"
MEASURE_ACTION = re.compile(r"^rw_measure:")  # "warning sent" / "blocked" under a strike
MEASURE_PREFIX = "rw_measure:"
STRIKES_PAGE_ACTION = "rw_strikes_page"  # "show more" in the overview
STRIKES_AUTHOR_ACTION = re.compile(r"^rw_strikes_author:")  # open one author's history
STRIKES_AUTHOR_PREFIX = "rw_strikes_author:"
REVIEW_ACTION = re.compile(r"^rw_review:")  # revoke / appeal outcome, opens a modal
REVIEW_PREFIX = "rw_review:"
REVIEW_VIEW = "strike_review_form"
REVIEW_OUTCOME = "review_outcome"
REVIEW_REASON = "review_reason"

# The public house rules.
HOUSE_RULES_COMMAND = "/gedragscode"

# Routing to the services' communication antennas.
ANTENNE_COMMAND = "/antenne"
ROUTE_VIEW = "route_form"
ROUTE_SERVICE = "route_service"
ROUTE_QUESTION = "route_question"
ROUTE_CONTEXT = "route_context"
QUESTION_ANSWER = "rw_q_answer"  # buttons in the antenna's direct message
QUESTION_REROUTE = "rw_q_reroute"
QUESTION_ACK = "rw_q_ack"
ANSWER_VIEW = "answer_form"
ANSWER_TEXT = "answer_text"
REROUTE_VIEW = "reroute_form"
REROUTE_REASON = "reroute_reason"
ERASE_ACTION = "rw_erase"  # a lead confirms erasing everything about an author

# Practising the tree on made-up comments (/oefenen), in the person's direct messages.
PRACTICE_COMMAND = "/oefenen"
PRACTICE_PREFIX = "rw_practice:"
PRACTICE_ACTION = re.compile(r"^rw_practice:")


def practice_action_id(move: str, target: str | None, index: int) -> str:
    return f"{PRACTICE_PREFIX}{move}:{target or ''}:{index}"


# Reports for leads.
REPORT_COMMAND = "/rapport"
