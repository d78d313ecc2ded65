"""The workspaces one deployment serves.

In token mode (the default) there is one: the settings' intake channels, leads, policy and
language. In install mode every workspace that added the bot with "Add to Slack" has its own
``workspace`` row: the channel chosen at install becomes its intake channel, the person who
installed it its first lead, and it may carry a policy of its own. :class:`Directory` hands each
request and each scheduled job the :class:`~bot.app.Deps` of its workspace, so the use cases and
listeners below it never see another workspace's settings.

Uninstalling (``app_uninstalled``, or the bot's token revoked) stops all work for the workspace
at once and schedules its data for erasure when the retention period has passed; installing
again before then cancels the erasure. In token mode there is no "Add to Slack" to come back
through: a valid token for the workspace, at start-up or on the next request served, lifts the
uninstall and cancels the erasure, and the leads are told in a direct message.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable

import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot import routing
from bot.flows.policy import Policy, read_policy
from bot.flows.strikes import add_months
from bot.i18n import Translator
from storage import jobs as job_store
from storage import workspaces as store
from storage.db import run_in_transaction
from storage.models import Erasure, Workspace as WorkspaceRow

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store import InstallationStore

    from bot.app import Deps
    from bot.config import Settings

logger = logging.getLogger(__name__)

DIRECTORY_TTL = 30.0  # seconds a workspace's settings are trusted before they are read again
UNINSTALLED = "cancelled:uninstalled"
TOKEN_RECHECK = 60.0  # token mode: seconds between two checks of a token that did not work
ERASURE_CANCELLED, STARTS_AFRESH = "erasure_cancelled", "starts_afresh"


@dataclass(frozen=True)
class Workspace:
    """Where a workspace's posts arrive and who leads it first."""

    team_id: str | None  # None: token mode's one workspace, whichever team that is
    intake_channels: tuple[str, ...]
    lead_user_ids: tuple[str, ...]  # the bootstrap leads; later ones are added with /strikes


def from_settings(settings: Settings) -> Workspace:
    return Workspace(team_id=None, intake_channels=settings.intake_channels,
                     lead_user_ids=settings.lead_user_ids)


def channel_list(text: str) -> tuple[str, ...]:
    return tuple(item for item in (part.strip() for part in text.split(",")) if item)


# --- use cases, one transaction each ----------------------------------------------------------

def installed(engine: sa.Engine, *, team_id: str, name: str, installer: str,
              channel_id: str | None, language: str, now: datetime) -> WorkspaceRow:
    """Record an installation: a new workspace, or one that comes back (its erasure cancelled)
    or adds a channel. The first installer stays the workspace's first lead."""

    def work(session: Session) -> WorkspaceRow:
        row = store.workspace(session, team_id=team_id)
        if row is None:
            row = WorkspaceRow(team_id=team_id, installed_by=installer, installed_at=now,
                               language=language)
        elif row.erased_at is not None:  # its data is gone: it starts afresh
            row.installed_by, row.installed_at, row.erased_at, row.intake_channels = installer, now, None, ""
        row.name = (name or "")[:200]
        row.uninstalled_at = row.erase_after = None
        channels = channel_list(row.intake_channels)
        if channel_id and channel_id not in channels:
            row.intake_channels = ",".join((*channels, channel_id))
        session.add(row)
        session.flush()
        session.refresh(row)
        return row

    row = run_in_transaction(engine, work)
    logger.info("workspace %s installed", team_id)
    return row


def uninstalled(engine: sa.Engine, *, team_id: str, retention_months: int, now: datetime) -> datetime:
    """Stop all work for a workspace and schedule its data for erasure; returns when."""
    erase_after = add_months(now, retention_months)

    def work(session: Session) -> int:
        row = store.workspace(session, team_id=team_id)
        if row is None:  # token mode, or installed before this bot kept workspaces
            row = WorkspaceRow(team_id=team_id, installed_by="", installed_at=now)
        if row.uninstalled_at is None:
            row.uninstalled_at, row.erase_after = now, erase_after
        session.add(row)
        return job_store.cancel_jobs(session, team_id=team_id, now=now, outcome=UNINSTALLED)

    cancelled = run_in_transaction(engine, work)
    logger.info("workspace %s uninstalled: %s pending jobs cancelled, data erased after %s",
                team_id, cancelled, erase_after.date().isoformat())
    return erase_after


def reinstated(engine: sa.Engine, *, team_id: str, now: datetime) -> str | None:
    """Token mode: the bot's token works again in a workspace that was uninstalled. The uninstall
    is lifted: :data:`ERASURE_CANCELLED` when its erasure was still to come, :data:`STARTS_AFRESH`
    when its data were already erased; None when it was not uninstalled."""

    def work(session: Session) -> str | None:
        row = store.workspace(session, team_id=team_id)
        if row is None or row.uninstalled_at is None:
            return None
        outcome = ERASURE_CANCELLED if row.erased_at is None else STARTS_AFRESH
        # Conditional: of two processes starting at once, one lifts it (and tells the leads).
        return outcome if store.lift_uninstall(session, team_id=team_id) else None

    outcome = run_in_transaction(engine, work)
    if outcome is not None:
        logger.info("workspace %s: a valid token again, uninstall lifted (%s)", team_id, outcome)
    return outcome


def erase_departed(engine: sa.Engine, *, now: datetime) -> int:
    """Erase every row of the workspaces whose erasure date has come; returns how many."""

    def work(session: Session) -> int:
        rows = store.due_for_erasure(session, now=now)
        for row in rows:
            deleted = store.delete_team_data(session, team_id=row.team_id)
            row.erased_at, row.policy, row.name = now, None, ""
            session.add(row)
            session.add(Erasure(team_id=row.team_id, reason="workspace", erased_at=now,
                                cases=deleted["case"], strikes=deleted["strike"]))
        return len(rows)

    erased = run_in_transaction(engine, work)
    if erased:
        logger.info("erased the data of %s uninstalled workspaces", erased)
    return erased


def configure(engine: sa.Engine, *, team_id: str, intake_channels: tuple[str, ...] | None = None,
              language: str | None = None, policy: str | None = None,
              default_policy: bool = False) -> WorkspaceRow:
    """Change a workspace's settings (the operator's ``python -m bot.workspaces``)."""

    def work(session: Session) -> WorkspaceRow:
        row = store.workspace(session, team_id=team_id)
        if row is None:
            raise LookupError(f"no workspace {team_id} has installed the bot")
        if intake_channels is not None:
            row.intake_channels = ",".join(intake_channels)
        if language is not None:
            row.language = language
        if policy is not None:
            read_policy(policy.encode("utf-8"))  # a policy that does not load is never stored
            row.policy = policy
        if default_policy:
            row.policy = None
        session.add(row)
        session.flush()
        session.refresh(row)
        return row

    return run_in_transaction(engine, work)


def listing(engine: sa.Engine) -> list[WorkspaceRow]:
    return run_in_transaction(engine, store.every_workspace)


def departed(engine: sa.Engine) -> set[str]:
    return run_in_transaction(engine, store.departed_team_ids)


# --- per request and per job -----------------------------------------------------------------

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
        row = run_in_transaction(self.base.engine, lambda s: store.workspace(s, team_id=team_id))
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
        from bot.strikes import leads

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
        rows = run_in_transaction(self.base.engine, store.served)
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
        workspace = Workspace(team_id=row.team_id, intake_channels=channel_list(row.intake_channels),
                              lead_user_ids=(row.installed_by,) if row.installed_by else ())
        return dataclasses.replace(self.base, workspace=workspace, policy=policy, tr=tr)


def seed_services(deps: Deps, team_id: str) -> bool:
    """A served workspace that has no services yet gets the ones its policy proposes, described
    in its language: done when its Deps are made (the first request of each workspace in token
    mode), so listing the services and the route form only read. False when the database did not
    take it; the next request tries again."""
    try:
        routing.ensure_services(deps.engine, deps.policy, team_id=team_id, language=deps.tr.language)
    except sa.exc.SQLAlchemyError as error:
        logger.warning("could not give workspace %s its services yet (%s)", team_id,
                       type(error).__name__)
        return False
    return True


# --- the operator's command line ----------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    """``python -m bot.workspaces``: list the workspaces served, or change one's settings."""
    import argparse
    import sys
    from pathlib import Path

    from bot.__main__ import prepare
    from bot.config import CHANNEL_ID, LANGUAGES
    from bot.flows.policy import PolicyError
    from storage.db import create_db_engine

    parser = argparse.ArgumentParser(prog="python -m bot.workspaces",
                                     description="The workspaces this deployment serves (install mode).")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every workspace, its settings and whether it is served")
    change = commands.add_parser("set", help="change one workspace's settings")
    change.add_argument("team_id", help="the workspace's id, e.g. T0123ABCD")
    change.add_argument("--intake", help="comma-separated intake channel ids, e.g. C0123ABCD,C0456EFGH")
    change.add_argument("--language", choices=LANGUAGES)
    policy = change.add_mutually_exclusive_group()
    policy.add_argument("--policy", metavar="FILE", help="the workspace's own policy file (TOML)")
    policy.add_argument("--default-policy", action="store_true", help="use the deployment's policy again")
    args = parser.parse_args(argv)

    settings = prepare()
    engine = create_db_engine(settings.database_url)
    try:
        if args.command == "list":
            for row in listing(engine):
                state = (f"uninstalled, erased after {row.erase_after:%Y-%m-%d}" if row.uninstalled_at
                         and not row.erased_at else "erased" if row.erased_at else "served")
                print(f"{row.team_id}\t{row.name or '-'}\t{row.language}\t"
                      f"{row.intake_channels or '-'}\t{'own policy' if row.policy else 'default policy'}\t{state}")
            return
        intake = None
        if args.intake is not None:
            intake = channel_list(args.intake)
            if not intake or not all(CHANNEL_ID.match(channel) for channel in intake):
                raise ValueError("--intake must be one or more channel ids like C0123ABCD, comma-separated")
        text = Path(args.policy).read_text(encoding="utf-8") if args.policy else None
        row = configure(engine, team_id=args.team_id, intake_channels=intake, language=args.language,
                        policy=text, default_policy=args.default_policy)
        print(f"{row.team_id}: intake {row.intake_channels}, language {row.language}, "
              f"{'own policy' if row.policy else 'default policy'} (in effect within "
              f"{DIRECTORY_TTL:.0f} s)")
    except (LookupError, ValueError, PolicyError, OSError) as problem:
        print(f"reageerwijzer: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
