"""What a listener is handed: the Deps of the workspace whose request it is (``context["deps"]``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import sqlalchemy as sa
from slack_bolt import BoltContext

from bot.core.clock import utcnow
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.flows.policy import Policy
from bot.slack.members import MemberCache


@dataclass(frozen=True)
class ServedWorkspace:
    """Where a workspace's posts arrive and who leads it first."""

    team_id: str | None  # None: token mode's one workspace, whichever team that is
    intake_channels: tuple[str, ...]
    lead_user_ids: tuple[str, ...]  # the bootstrap leads; later ones are added with /strikes


def from_settings(settings: Settings) -> ServedWorkspace:
    return ServedWorkspace(team_id=None, intake_channels=settings.intake_channels,
                           lead_user_ids=settings.lead_user_ids)


@dataclass(frozen=True)
class Deps:
    """What every listener needs, handed to it through Bolt's context as ``context["deps"]``."""

    settings: Settings
    engine: sa.Engine
    workspace: ServedWorkspace  # whose request this is: its intake channels and first leads
    policy: Policy  # the workspace's policy and language (install mode: each its own)
    tr: Translator
    clock: Callable[[], datetime] = field(default=utcnow)
    members: MemberCache = field(default_factory=MemberCache)


def deps_of(context: BoltContext) -> Deps:
    return context["deps"]
