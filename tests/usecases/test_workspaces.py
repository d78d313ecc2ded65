"""Install mode's workspaces against real SQLite and PostgreSQL: installing, settings, the
per-workspace Deps, uninstalling, and erasing a departed workspace's data (and only its data)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot import workspaces as operator_cli
from bot.deps import Deps, from_settings
from bot.deps import ServedWorkspace
from bot.directory import Directory
from bot.core.config import Settings
from bot.flows.policy import BUNDLED_POLICY, PolicyError
from bot.flows.strikes import add_months
from bot.core.i18n import Translator
from bot.usecases import workspaces
from storage.db import transaction
from storage.installations import installation_store
from storage.models import Case, Erasure, Job, Lead, Service, Strike, Workspace
from slack_sdk.oauth.installation_store import Bot
from tests.support.factories import NOW, POLICY, strike, violation

AALST, BREE = "T0AALST001", "T0BREE0001"
SETTINGS = Settings.from_env({"SLACK_CLIENT_ID": "1111111111.2222222222",
                              "SLACK_CLIENT_SECRET": "made-up-client-secret",
                              "SLACK_SIGNING_SECRET": "made-up-secret"})
OWN_POLICY = BUNDLED_POLICY.read_text(encoding="utf-8").replace(
    f"retention_months = {POLICY.retention_months}\n", f"retention_months = {POLICY.retention_months + 1}\n")


def install(engine, team_id: str, channel: str = "C0INTAKE01", installer: str = "U0LEAD0001"):
    return workspaces.installed(engine, team_id=team_id, name=f"Stad {team_id}", installer=installer,
                                channel_id=channel, language="nl", now=NOW)


def rows(engine, model, *where):
    with transaction(engine) as session:
        return list(session.exec(select(model).where(*where)))


def test_an_install_sets_up_the_intake_channel_and_the_first_lead_and_a_second_adds_a_channel(engine):
    install(engine, AALST)
    again = install(engine, AALST, channel="C0SECOND01", installer="U0SOMEONE1")
    assert again.intake_channels == "C0INTAKE01,C0SECOND01" and again.installed_by == "U0LEAD0001"
    assert install(engine, AALST, channel="C0SECOND01").intake_channels == "C0INTAKE01,C0SECOND01"


def test_uninstalling_cancels_pending_work_of_that_workspace_only_and_schedules_erasure(engine):
    install(engine, AALST)
    with transaction(engine) as session:
        for team in (AALST, BREE):
            session.add(Job(team_id=team, kind="remind", ref_id=1, due_at=NOW, created_by="U0ANNA0001"))
    erase_after = workspaces.uninstalled(engine, team_id=AALST, retention_months=24, now=NOW)
    assert erase_after == add_months(NOW, 24)
    (aalst_job,) = rows(engine, Job, Job.team_id == AALST)
    (bree_job,) = rows(engine, Job, Job.team_id == BREE)
    assert aalst_job.outcome == workspaces.UNINSTALLED and bree_job.done_at is None
    assert workspaces.departed(engine) == {AALST}
    # Installing again before the date cancels the erasure.
    back = install(engine, AALST)
    assert back.uninstalled_at is None and back.erase_after is None
    assert workspaces.departed(engine) == set()


def test_a_departed_workspace_is_erased_when_its_date_comes_and_nothing_of_another(engine):
    for team in (AALST, BREE):
        install(engine, team)
        strike(engine, violation(engine, f"{team}.1", team_id=team))
        with transaction(engine) as session:
            session.add(Lead(team_id=team, user_id="U0LEAD0001", added_by="settings", added_at=NOW))
    erase_after = workspaces.uninstalled(engine, team_id=BREE, retention_months=24, now=NOW)
    assert workspaces.erase_departed(engine, now=erase_after - timedelta(seconds=1)) == 0
    assert len(rows(engine, Case, Case.team_id == BREE)) == 1

    assert workspaces.erase_departed(engine, now=erase_after) == 1
    for model in (Case, Strike, Lead):
        assert rows(engine, model, model.team_id == BREE) == [], model
        assert len(rows(engine, model, model.team_id == AALST)) == 1, model
    (erasure,) = rows(engine, Erasure, Erasure.team_id == BREE)
    assert (erasure.reason, erasure.cases, erasure.strikes) == ("workspace", 1, 1)
    assert workspaces.erase_departed(engine, now=erase_after + timedelta(days=1)) == 0
    # Coming back after the erasure starts afresh: the new installer leads, the new channel alone.
    back = install(engine, BREE, channel="C0NEWCHAN1", installer="U0NEWLEAD1")
    assert (back.intake_channels, back.installed_by, back.erased_at) == ("C0NEWCHAN1", "U0NEWLEAD1", None)


def test_settings_are_checked_before_they_are_stored(engine):
    install(engine, AALST)
    with pytest.raises(PolicyError):
        workspaces.configure(engine, team_id=AALST, policy="[policy\nname = ")
    assert rows(engine, Workspace)[0].policy is None
    with pytest.raises(LookupError):
        workspaces.configure(engine, team_id=BREE, language="en")
    row = workspaces.configure(engine, team_id=AALST, language="en", policy=OWN_POLICY,
                               intake_channels=("C0OTHER001",))
    assert (row.language, row.intake_channels, row.policy) == ("en", "C0OTHER001", OWN_POLICY)
    assert workspaces.configure(engine, team_id=AALST, default_policy=True).policy is None


class FakeInstallations:
    """Stands in for slack_sdk's installation store: which bot token each workspace has."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens

    def find_bot(self, *, enterprise_id, team_id):
        token = self.tokens.get(team_id)
        return None if token is None else Bot(app_id="A0TEST0001", team_id=team_id, bot_token=token,
                                              bot_id="B0BOT00001", bot_user_id="U0BOT00001",
                                              installed_at=NOW.timestamp())


def test_each_workspace_gets_its_own_deps_and_client(engine):
    install(engine, AALST)
    install(engine, BREE, channel="C0BREE0001", installer="U0BRLEAD01")
    workspaces.configure(engine, team_id=BREE, language="en", policy=OWN_POLICY)
    base = Deps(settings=SETTINGS, engine=engine, workspace=ServedWorkspace(None, (), ()),
                policy=POLICY, tr=Translator("nl"))
    directory = Directory(base, client=lambda token: token,
                                     installations=FakeInstallations({AALST: "xoxb-aalst", BREE: "xoxb-bree"}))
    aalst, bree = directory.deps_for(AALST), directory.deps_for(BREE)
    assert aalst.workspace == ServedWorkspace(AALST, ("C0INTAKE01",), ("U0LEAD0001",))
    assert bree.workspace == ServedWorkspace(BREE, ("C0BREE0001",), ("U0BRLEAD01",))
    assert (aalst.policy, aalst.tr.language) == (POLICY, "nl")
    assert bree.policy.retention_months == POLICY.retention_months + 1 and bree.tr.language == "en"
    assert directory.client_for(AALST) == "xoxb-aalst" and directory.client_for(BREE) == "xoxb-bree"
    assert directory.deps_for("T0NOBODY01") is None and directory.deps_for(None) is None
    assert {d.workspace.team_id for d in directory.served()} == {AALST, BREE}

    workspaces.uninstalled(engine, team_id=BREE, retention_months=24, now=NOW)
    assert directory.deps_for(BREE) is not None  # remembered for a moment...
    directory.forget(BREE)
    assert directory.deps_for(BREE) is None  # ...then no longer served
    assert {d.workspace.team_id for d in directory.served()} == {AALST}


def test_token_mode_has_one_workspace_whatever_the_team(engine):
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-made-up", "SLACK_SIGNING_SECRET": "made-up",
                                  "INTAKE_CHANNELS": "C0INTAKE01", "LEAD_USER_IDS": "U0LEAD0001"})
    base = Deps(settings=settings, engine=engine, workspace=from_settings(settings),
                policy=POLICY, tr=Translator("nl"))
    directory = Directory(base, client=lambda token: token)
    assert directory.deps_for(AALST) is base and directory.deps_for(None) is base
    assert directory.client_for(AALST) == "xoxb-made-up" and directory.served() == [base]


def test_the_installation_store_shares_the_database(engine):
    store = installation_store(engine, SETTINGS.client_id)
    assert store.find_bot(enterprise_id=None, team_id=AALST) is None  # its tables exist, empty


def test_the_operator_command_line(engine, monkeypatch, capsys, tmp_path):
    install(engine, AALST)
    url = engine.url.render_as_string(hide_password=False)
    for name, value in {"SLACK_CLIENT_ID": SETTINGS.client_id, "SLACK_CLIENT_SECRET": "made-up",
                        "SLACK_SIGNING_SECRET": "made-up", "DATABASE_URL": url,
                        "PYTHON_DOTENV_DISABLED": "1", "SLACK_BOT_TOKEN": "", "INTAKE_CHANNELS": "",
                        "LEAD_USER_IDS": ""}.items():
        monkeypatch.setenv(name, value)
    operator_cli.main(["list"])
    assert f"{AALST}\tStad {AALST}\tnl\tC0INTAKE01\tdefault policy\tserved" in capsys.readouterr().out

    policy = tmp_path / "aalst.toml"
    policy.write_text(OWN_POLICY, encoding="utf-8")
    operator_cli.main(["set", AALST, "--intake", "C0INTAKE01,C0SECOND01", "--language", "en",
                     "--policy", str(policy)])
    assert "own policy" in capsys.readouterr().out
    assert rows(engine, Workspace)[0].intake_channels == "C0INTAKE01,C0SECOND01"

    for bad in (["set", AALST, "--intake", "#sociale-media"], ["set", BREE, "--language", "en"]):
        with pytest.raises(SystemExit) as stopped:
            operator_cli.main(bad)
        assert stopped.value.code == 2
        error = capsys.readouterr().err
        assert error.startswith("reageerwijzer: ") and error.count("\n") == 1


def service_names(engine, team_id: str) -> list[str]:
    with transaction(engine) as session:
        return sorted(s.name for s in session.exec(select(Service).where(Service.team_id == team_id)))


def test_a_workspace_gets_its_policy_s_services_when_its_deps_are_made(engine):
    proposed = sorted(s.name for s in POLICY.routing.services)
    assert proposed  # the bundled policy proposes services
    install(engine, AALST)
    install(engine, BREE, channel="C0BREE0001")
    base = Deps(settings=SETTINGS, engine=engine, workspace=ServedWorkspace(None, (), ()),
                policy=POLICY, tr=Translator("nl"))
    directory = Directory(base, client=lambda token: token,
                                     installations=FakeInstallations({AALST: "xoxb-aalst"}))
    assert directory.served() and service_names(engine, AALST) == []  # the scheduler's sweep adds none
    directory.deps_for(AALST)
    assert service_names(engine, AALST) == proposed and service_names(engine, BREE) == []
    assert directory.deps_for("T0NOBODY01") is None and service_names(engine, "T0NOBODY01") == []
    # Services a workspace already has are kept as they are: a renamed or removed one stays so.
    with transaction(engine) as session:
        for service in session.exec(select(Service).where(Service.team_id == AALST)):
            if service.name != proposed[0]:
                session.delete(service)
    directory.forget(AALST)
    directory.deps_for(AALST)
    assert service_names(engine, AALST) == proposed[:1]


def test_token_mode_gives_each_workspace_its_services_at_its_first_request(engine):
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-made-up", "SLACK_SIGNING_SECRET": "made-up",
                                  "INTAKE_CHANNELS": "C0INTAKE01", "LEAD_USER_IDS": "U0LEAD0001"})
    base = Deps(settings=settings, engine=engine, workspace=from_settings(settings),
                policy=POLICY, tr=Translator("en"))
    directory = Directory(base, client=lambda token: token)
    directory.deps_for(None)
    assert service_names(engine, AALST) == []
    assert directory.deps_for(AALST) is base
    proposed = sorted(s.name for s in POLICY.routing.services)
    assert service_names(engine, AALST) == proposed
    with transaction(engine) as session:
        descriptions = {s.name: s.description for s in session.exec(select(Service))}
    assert descriptions == {s.name: s.description.get("en") for s in POLICY.routing.services}
    # Erased with the workspace's data, they come back once the uninstall is lifted (forget).
    with transaction(engine) as session:
        for service in session.exec(select(Service)):
            session.delete(service)
    directory.deps_for(AALST)
    assert service_names(engine, AALST) == []  # seeded once per process and workspace
    directory.forget(AALST)
    directory.deps_for(AALST)
    assert service_names(engine, AALST) == proposed
