"""Each workspace's Deps and Web API client.

In token mode (the default) there is one: the settings' intake channels, leads, policy and
language. In install mode every workspace that added the bot with "Add to Slack" has its own
``workspace`` row: the channel chosen at install becomes its intake channel, the person who
installed it its first lead, and it may carry a policy of its own. :class:`Directory` hands each
request and each scheduled job the :class:`~bot.deps.Deps` of its workspace, so the use cases and
listeners below it never see another workspace's settings.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import TYPE_CHECKING, Callable

import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.i18n import Translator
from bot.deps import Deps, ServedWorkspace
from bot.flows.policy import Policy, read_policy
from bot.slack.client import slack_client
from bot.usecases import antennas
from bot.usecases import workspaces as workspace_cases
from bot.usecases.leads import leads
from bot.usecases.workspaces import ERASURE_CANCELLED, channel_list, departed, reinstated
from storage.installations import installation_store
from storage.models import Workspace as WorkspaceRow

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store import InstallationStore

logger = logging.getLogger(__name__)

DIRECTORY_TTL = 30.0  # seconds a workspace's settings are trusted before they are read again
TOKEN_RECHECK = 60.0  # token mode: seconds between two checks of a token that did not work


class Directory:
    """The Deps and the Web API client of each workspace.

    Token mode: the one set of Deps and client for every request. Install mode: read from the
    ``workspace`` row and the installation store, and remembered for ``ttl`` seconds, so a
    click costs no extra query and a change made with ``python -m bot.workspaces`` is seen
    within half a minute.
    """

    def __init__(self, base: Deps, *, client: Callable[[str], WebClient],
                 installations: InstallationStore | None = None, ttl: float = DIRECTORY_TTL) -> None:
        self.base = base
        self.installations = installations
        self.ttl = ttl
        self._client = client
        self._lock = threading.Lock()
        self._deps: dict[str, tuple[float, Deps | None]] = {}
        self._policies: dict[str, Policy] = {}
        self._translators: dict[str, Translator] = {base.tr.language: base.tr}
        self._clients: dict[str, WebClient] = {}
        self._departed: set[str] | None = None  # token mode: uninstalled workspaces, read lazily
        self._token_checked = float("-inf")  # token mode: when a token last failed its check
        self._seeded: set[str] = set()  # token mode: workspaces given their services already

    @property
    def install_mode(self) -> bool:
        return self.installations is not None

    def deps_for(self, team_id: str | None) -> Deps | None:
        """The workspace's Deps; None when it is not (or no longer) served."""
        if not self.install_mode:
            if team_id:
                self._seed_once(team_id)
            return self.base
        if not team_id:
            return None
        now = time.monotonic()
        with self._lock:
            cached = self._deps.get(team_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        row = workspace_cases.workspace_of(self.base.engine, team_id=team_id)
        deps = self._deps_of(row) if row is not None and row.uninstalled_at is None else None
        if deps is not None:
            seed_services(deps, team_id)
        with self._lock:
            self._deps[team_id] = (now + self.ttl, deps)
        return deps

    def _seed_once(self, team_id: str) -> None:
        with self._lock:
            if team_id in self._seeded:
                return
        if seed_services(self.base, team_id):
            with self._lock:
                self._seeded.add(team_id)

    def forget(self, team_id: str) -> None:
        with self._lock:
            self._deps.pop(team_id, None)
            self._seeded.discard(team_id)  # its services may have been erased meanwhile
            self._departed = None  # token mode: read again (an uninstall was just recorded)

    def lift_token_mode_uninstall(self, team_id: str | None = None, *,
                                  client: WebClient | None = None) -> str | None:
        """Token mode: when the workspace of the configured token was uninstalled and the token
        works (``auth.test`` names that workspace), lift the uninstall, cancel the erasure and
        tell the leads. Called at start-up (``team_id`` None) and for each request served (its
        workspace); costs nothing once no workspace is uninstalled. Returns what was done."""
        if self.install_mode:
            return None
        with self._lock:
            known = self._departed
        if known is None:
            known = departed(self.base.engine)
            with self._lock:
                self._departed = known
        if not known or (team_id is not None and team_id not in known):
            return None
        if time.monotonic() - self._token_checked < TOKEN_RECHECK:
            return None
        client = client or self.client_for("")
        try:
            team = client.auth_test().get("team_id")
        except SlackApiError as error:
            logger.info("token mode: the token does not work (%s); the uninstall stays",
                        error.response.get("error"))
            team = None
        if not team or team not in known or (team_id is not None and team != team_id):
            self._token_checked = time.monotonic()
            return None
        outcome = reinstated(self.base.engine, team_id=team, now=self.base.clock())
        self.forget(team)
        if outcome == ERASURE_CANCELLED:
            self._tell_leads(client, team)
        return outcome

    def _tell_leads(self, client: WebClient, team_id: str) -> None:
        people = dict.fromkeys((*self.base.workspace.lead_user_ids,
                                *leads(self.base.engine, team_id=team_id)))
        for user in people:
            try:
                client.chat_postMessage(channel=user, text=self.base.tr("workspace.reinstalled"))
            except SlackApiError as error:
                logger.warning("could not tell lead %s that the uninstall was lifted (%s)", user,
                               error.response.get("error"))

    def client_for(self, team_id: str) -> WebClient | None:
        """The Web API client that acts in the workspace; None once the bot is uninstalled."""
        if not self.install_mode:
            return self._client(self.base.settings.bot_token or "")
        bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        with self._lock:
            client = self._clients.get(bot.bot_token)
            if client is None:
                client = self._clients[bot.bot_token] = self._client(bot.bot_token)
        return client

    def served(self) -> list[Deps]:
        """Every workspace's Deps (for the scheduler's sweeps)."""
        if not self.install_mode:
            return [self.base]
        rows = workspace_cases.served(self.base.engine)
        return [self._deps_of(row) for row in rows]

    def _deps_of(self, row: WorkspaceRow) -> Deps:
        with self._lock:
            policy = self.base.policy
            if row.policy:
                policy = self._policies.get(row.policy)
                if policy is None:
                    policy = self._policies[row.policy] = read_policy(
                        row.policy.encode("utf-8"), source=f"the policy of workspace {row.team_id}")
            tr = self._translators.get(row.language)
            if tr is None:
                tr = self._translators[row.language] = Translator(row.language)
        workspace = ServedWorkspace(team_id=row.team_id,
                                    intake_channels=channel_list(row.intake_channels),
                                    lead_user_ids=(row.installed_by,) if row.installed_by else ())
        return dataclasses.replace(self.base, workspace=workspace, policy=policy, tr=tr)


def directory(deps: Deps) -> Directory:
    """Which Deps and client serve each workspace (one in token mode, each install's otherwise)."""
    settings = deps.settings
    installations = installation_store(deps.engine, settings.client_id) if settings.install_mode else None
    return Directory(deps, client=lambda token: slack_client(settings, token=token),
                     installations=installations)


def seed_services(deps: Deps, team_id: str) -> bool:
    """A served workspace that has no services yet gets the ones its policy proposes, described
    in its language: done when its Deps are made (the first request of each workspace in token
    mode), so listing the services and the route form only read. False when the database did not
    take it; the next request tries again."""
    try:
        antennas.ensure_services(deps.engine, deps.policy, team_id=team_id, language=deps.tr.language)
    except sa.exc.SQLAlchemyError as error:
        logger.warning("could not give workspace %s its services yet (%s)", team_id,
                       type(error).__name__)
        return False
    return True
