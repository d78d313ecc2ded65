"""Who may do what: one table, declared by every listener (bot.handlers.access.require) and
printed in the README.

Team members are the members of an intake channel; leads are kept in the database (seeded from
LEAD_USER_IDS); antennas are named per service and act only on what was routed to that service.
"""

from __future__ import annotations

import enum


class Role(str, enum.Enum):
    TEAM = "team member"
    LEAD = "lead"
    ANTENNA = "antenna"
    # Held only for one question at a time: the antennas and the backup of the service it was
    # routed to, while it is open (the check lives in bot.usecases.routing).
    SERVICE_ANTENNA = "antenna of the question's service"


class Act(str, enum.Enum):
    OPEN_CASE = "open a case (intake message, shortcut, form)"
    WALK_TREE = "walk a case through the tree, record its actions"
    RECORD_STRIKE = "record a strike, confirm a warning or block"
    ROUTE = "route a question or inform a service"
    LIST_SERVICES = "list services, antennas and standard answers (/antenne)"
    ANSWER = "answer, pass on or acknowledge a routed question"
    REVIEW_REGISTER = "review the strike register (/strikes)"
    REVOKE_STRIKE = "revoke a strike, record an appeal's outcome"
    EXPORT_REGISTER = "export the strike register"
    ACCESS_DATA = "export everything stored about an author (right of access)"
    ERASE_DATA = "erase everything stored about an author (right to erasure)"
    MANAGE_LEADS = "add or remove leads"
    MANAGE_ANTENNAS = "set antennas and backups"
    SHOW_HOUSE_RULES = "show and export the house rules (/gedragscode)"
    APPROVE_HOUSE_RULES = "record the approval of the house rules"
    PRACTISE = "practise on made-up comments, see one's own results (/oefenen)"
    PRACTICE_TOTALS = "see the team's practice totals per category, never per person"
    ERASE_PRACTICE = "erase a colleague's practice answers on request"
    VIEW_REPORT = "get the report of a period: numbers, chart, decisions (/rapport)"


ALLOWED: dict[Act, frozenset[Role]] = {
    Act.OPEN_CASE: frozenset({Role.TEAM, Role.LEAD}),
    Act.WALK_TREE: frozenset({Role.TEAM, Role.LEAD}),
    Act.RECORD_STRIKE: frozenset({Role.TEAM, Role.LEAD}),
    Act.ROUTE: frozenset({Role.TEAM, Role.LEAD}),
    Act.LIST_SERVICES: frozenset({Role.TEAM, Role.LEAD, Role.ANTENNA}),
    Act.ANSWER: frozenset({Role.SERVICE_ANTENNA}),
    Act.REVIEW_REGISTER: frozenset({Role.LEAD}),
    Act.REVOKE_STRIKE: frozenset({Role.LEAD}),
    Act.EXPORT_REGISTER: frozenset({Role.LEAD}),
    Act.ACCESS_DATA: frozenset({Role.LEAD}),
    Act.ERASE_DATA: frozenset({Role.LEAD}),
    Act.MANAGE_LEADS: frozenset({Role.LEAD}),
    Act.MANAGE_ANTENNAS: frozenset({Role.LEAD}),
    Act.SHOW_HOUSE_RULES: frozenset({Role.TEAM, Role.LEAD}),
    Act.APPROVE_HOUSE_RULES: frozenset({Role.LEAD}),
    Act.PRACTISE: frozenset({Role.TEAM, Role.LEAD}),
    Act.PRACTICE_TOTALS: frozenset({Role.LEAD}),
    Act.ERASE_PRACTICE: frozenset({Role.LEAD}),
    Act.VIEW_REPORT: frozenset({Role.LEAD}),
}


# Tree buttons whose action is more than a step in the tree.
_ACT_OF_ACTION = {"strike": Act.RECORD_STRIKE, "route": Act.ROUTE, "inform_service": Act.ROUTE}


def act_of_tree_action(action_id: str | None) -> Act:
    """The act a click on a case's message is: most walk the tree; some record more."""
    return _ACT_OF_ACTION.get(action_id or "", Act.WALK_TREE)


# /strikes subcommands (bot.flows.commands.parse_strikes) and the act each one is.
_ACT_OF_STRIKES = {"overview": Act.REVIEW_REGISTER, "help": Act.REVIEW_REGISTER,
                   "history": Act.REVIEW_REGISTER, "export": Act.EXPORT_REGISTER,
                   "data": Act.ACCESS_DATA, "erase": Act.ERASE_DATA, "leads": Act.MANAGE_LEADS}
STRIKES_ACTS = frozenset(_ACT_OF_STRIKES.values())


def act_of_strikes_command(kind: str) -> Act:
    """The act a ``/strikes`` subcommand is (anything not understood reads the register)."""
    return _ACT_OF_STRIKES.get(kind, Act.REVIEW_REGISTER)


def allowed(act: Act, roles: set[Role] | frozenset[Role]) -> bool:
    return bool(ALLOWED[act] & set(roles))


def markdown_table() -> str:
    """The table as it stands in the README (a test keeps the two the same)."""
    roles = list(Role)
    lines = ["| What | " + " | ".join(r.value.capitalize() for r in roles) + " |",
             "|---|" + "---|" * len(roles)]
    for act in Act:
        marks = " | ".join("yes" if role in ALLOWED[act] else "" for role in roles)
        lines.append(f"| {act.value[0].upper() + act.value[1:]} | {marks} |")
    return "\n".join(lines)
