"""The organisation's policy: the decision tree, its texts and the switches of the code of conduct.

A policy is one TOML file (the bundled default follows the guide). It is loaded once at start-up
and validated as a whole: a broken policy stops the bot with one line naming the problem, because a
moderation tool that silently skips a step is worse than one that does not start.

The model (``model``) and the names it may use (``names``) apart from reading and checking the
TOML (``reading``, ``checks``, ``fields``); every public name is imported from here.
"""

from bot.flows.policy.names import (  # noqa: F401 (the policy's public names)
    LANGUAGES,
    BUNDLED_POLICY,
    ROOT,
    NODE_IDS,
    ACTION_IDS,
    SWITCHES,
    LINKS,
    PLACEHOLDERS,
    STRIKE_PLACEHOLDERS,
    ANSWER_PLACEHOLDERS,
    REPLY_KINDS,
    STRIKE_STEPS,
    HOUSE_RULES_SECTIONS,
)
from bot.flows.policy.model import (  # noqa: F401 (the policy's public names)
    PolicyError,
    Text,
    ActionRef,
    Reply,
    SwitchNote,
    Node,
    Action,
    SupportContact,
    BusinessHours,
    StrikeRule,
    ServiceProposal,
    Routing,
    Inbox,
    Policy,
    OwnParagraph,
    PlatformTerms,
    HouseRulesSettings,
)
from bot.flows.policy.reading import (  # noqa: F401 (the policy's public names)
    load_policy,
    read_policy,
    parse_policy,
)
from bot.flows.policy.practice import (  # noqa: F401 (the practice bank beside the policy)
    PracticeItem,
    PracticeBank,
    categories,
    load_bank,
    read_bank,
    parse_bank,
)
