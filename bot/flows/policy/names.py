"""The names a policy may use: node and action ids, switches, links and placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.config import LANGUAGES  # noqa: F401 (the policy package names its languages from here)


BUNDLED_POLICY = Path(__file__).resolve().parent.parent.parent / "policy" / "default.toml"

ROOT = "origin"

# Node ids are stable (they go into button values, the decision log and the strike register), so a
# policy may change every text and switch but not invent or drop nodes: other code relies on them.
NODE_IDS = frozenset(
    {
        "origin",
        "own",
        "external",
        "external.monitor",
        "external.misinformation",
        "external.privacy",
        "negative",
        "negative.punishable",
        "negative.privacy",
        "negative.conduct",
        "negative.venting",
        "negative.criticism",
        "negative.discussion",
        "negative.misinformation",
        "negative.spam",
        "neutral",
        "neutral.question",
        "neutral.report",
        "neutral.political",
        "neutral.commercial",
        "neutral.sympathy",
        "neutral.offtopic",
        "positive",
        "positive.compliment",
    }
)

# Actions the bot knows how to carry out or record. A policy chooses which ones each node offers.
ACTION_IDS = frozenset(
    {
        "criteria",
        "evidence",
        "report_platform",
        "report_police",
        "report_unia",
        "report_igvm",
        "report_vmri",
        "inform_service",
        "contact_admins",
        "share_correction",
        "hide",
        "delete",
        "block",
        "warn",
        "strike",
        "reply_public",
        "reply_private",
        "route",
        "monitor",
        "like",
        "leave",
        "inform_college",
    }
)

SWITCHES = frozenset(
    {
        "remove_political",  # party-political self-promotion (the guide's model code: unwanted)
        "remove_political_opinions",  # citizens' political opinions
        "politician_as_citizen_may_stay",
        "allow_commercial",
        "react_to_compliments",
    }
)

# The municipality's own links, in [policy]; each is also a placeholder ``{name}`` in texts.
LINKS = (
    "code_of_conduct_url",  # the house rules (huisregels) for social media
    "criteria_url",  # Unia: which statements are punishable
    "meldpunt_url",  # the municipality's online reporting form (meldpunt)
    "question_form_url",  # the question form (vragenformulier)
    "complaints_url",  # the complaints form (klachtenformulier, Decreet Lokaal Bestuur)
    "privacy_url",  # the privacy page
    "hiernet_url",  # #HierNiet, the house rules many Flemish organisations share
    "police_url",  # the local police zone
)

# Placeholders a text may use; they are filled from the policy itself. ``block`` and
# ``second_warning`` are the strike thresholds, ``months`` how long a strike counts.
PLACEHOLDERS = frozenset(
    {*LINKS, "organisation", "team", "first_warning", "second_warning", "block", "months"}
)

# Extra placeholders some texts get from where they are used.
STRIKE_PLACEHOLDERS = frozenset({"reason"})
ANSWER_PLACEHOLDERS = frozenset({"answer", "service"})

# A setting still holding the example or a hand-filled marker: the bot starts, but warns.
_PLACEHOLDER_URL = re.compile(r"://([a-z0-9-]+\.)*example\.(be|com|org|net)(/|$)|\[|\]|xxx", re.I)
_PLACEHOLDER_TEXT = re.compile(r"\[(link|url|website|e-?mail|adres|address)\]", re.I)
_PLACEHOLDER_CONTACT = re.compile(r"\bexample\.(be|com|org|net)\b", re.I)

REPLY_KINDS = ("public", "private")

STRIKE_STEPS = ("first_warning", "second_warning", "block")

_STYLES = frozenset({"primary", "danger"})

# The sections of the generated house rules, in order; a municipality's own paragraphs name one.
HOUSE_RULES_SECTIONS = ("intro", "allowed", "not_allowed", "tolerated", "procedure", "more")
