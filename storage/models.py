"""The rows the bot keeps. Decisions are append-only: a row is written once and never updated."""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.core.clock import utcnow


class QuestionStatus(enum.StrEnum):
    """Where a routed question stands (``routed_question.status``)."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"  # an antenna said they are on it
    ANSWERED = "answered"
    REROUTED = "rerouted"  # "not for us": another question took over
    FYI = "fyi"  # nothing to answer


class JobKind(enum.StrEnum):
    """What a job does (``job.kind``)."""

    REMIND = "remind"  # a question's antennas, at the deadline
    ESCALATE = "escalate"  # a question's backup, at twice the target
    MONITOR = "monitor"  # look at a case's thread again
    CONDUCT_CHECK = "conduct_check"  # was the post rephrased?
    DELIVER_THREAD = "deliver_thread"  # the outbox: post a case's thread message
    DELIVER_REFRESH = "deliver_refresh"  # the outbox: redraw it


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as UTC and gives them back aware, also on SQLite (which drops zones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware datetimes only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _when(**kwargs) -> object:
    return Field(sa_type=UTCDateTime, **kwargs)


class Author(SQLModel, table=True):
    """A citizen's account on one platform, counted once however the handle was written."""

    __tablename__ = "author"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "platform", "handle", name="uq_author_handle"),
        sa.Index("ix_author_team_handle", "team_id", "handle"),  # "/strikes name" on any platform
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    platform: str = Field(max_length=16)
    handle: str = Field(max_length=200)
    created_at: datetime = _when(default_factory=utcnow)


class Case(SQLModel, table=True):
    """A forwarded post and where the team is in the decision tree for it."""

    __tablename__ = "case"
    __table_args__ = (
        # One case per Slack message, so a retried event or a second shortcut finds the first case.
        sa.UniqueConstraint("team_id", "channel_id", "message_ts", name="uq_case_message"),
        sa.Index("ix_case_status_forwarded", "team_id", "status", "forwarded_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    message_ts: str = Field(max_length=32)  # the case's top-level message in the intake channel
    bot_message_ts: str | None = Field(default=None, max_length=32)  # the tree, in its thread
    via: str = Field(max_length=16)  # message | shortcut | form
    source_permalink: str | None = Field(default=None, max_length=500)
    platform: str = Field(max_length=16)
    link: str | None = Field(default=None, max_length=2000)
    author_id: int | None = Field(default=None, foreign_key="author.id", index=True)
    text: str = Field(default="", sa_type=sa.Text)  # the post: a shared message's words, not the comment
    # The team member's own words beside a shared or forwarded message; None when there were none.
    comment: str | None = Field(default=None, sa_type=sa.Text, nullable=True)
    forwarded_by: str = Field(max_length=32)
    forwarded_at: datetime = _when(default_factory=utcnow)
    origin: str | None = Field(default=None, max_length=16)  # own | external, once chosen
    status: str = Field(default="open", max_length=16)  # open | closed
    node_id: str = Field(max_length=64)
    pending_action: str | None = Field(default=None, max_length=64)
    version: int = Field(default=0)  # bumped by every click; buttons carry it to catch stale clicks
    closed_at: datetime | None = _when(default=None, nullable=True)
    erased_at: datetime | None = _when(default=None, nullable=True)  # citizens' words removed


class Evidence(SQLModel, table=True):
    """A Slack file kept with a case as evidence (a screenshot of the post)."""

    __tablename__ = "evidence"
    __table_args__ = (sa.UniqueConstraint("case_id", "file_id", name="uq_evidence_file"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    file_id: str = Field(max_length=32)
    added_by: str = Field(max_length=32)
    added_at: datetime = _when(default_factory=utcnow)


class Decision(SQLModel, table=True):
    """One click in a case: append-only; corrections are new rows, never edits."""

    __tablename__ = "decision"
    __table_args__ = (
        sa.Index("ix_decision_case", "case_id", "id"),
        sa.Index("ix_decision_decided_at", "decided_at"),  # a report's period
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    node_id: str = Field(max_length=64)  # the node the case is at after this decision
    action_id: str | None = Field(default=None, max_length=64)  # None: a move in the tree
    user_id: str = Field(max_length=32)
    decided_at: datetime = _when(default_factory=utcnow)
    policy_version: str = Field(max_length=64)
    note: str | None = Field(default=None, max_length=500)


@sa.event.listens_for(Decision, "before_update")
def _decisions_are_append_only(mapper, connection, target) -> None:
    raise RuntimeError("decisions are append-only: write a new row instead of changing one")


class Strike(SQLModel, table=True):
    """A violation of the code of conduct by an author, counted by the three-strike rule."""

    __tablename__ = "strike"
    __table_args__ = (
        # A double click or a retry records the same strike once.
        sa.UniqueConstraint("case_id", "author_id", name="uq_strike_case_author"),
        sa.Index("ix_strike_team_expires", "team_id", "expires_at", "author_id"),
        sa.Index("ix_strike_author", "author_id", "decided_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    author_id: int = Field(foreign_key="author.id")
    case_id: int = Field(foreign_key="case.id")
    rule: str = Field(max_length=64)  # the node id of the rule broken
    decided_by: str = Field(max_length=32)
    decided_at: datetime = _when()
    expires_at: datetime | None = _when(default=None, nullable=True)  # None: never expires
    reason_internal: str = Field(default="", max_length=2000)
    reason_public: str = Field(default="", max_length=2000)


class StrikeReview(SQLModel, table=True):
    """A lead's revocation or appeal outcome: a new row; the strike itself is never changed."""

    __tablename__ = "strike_review"

    id: int | None = Field(default=None, primary_key=True)
    strike_id: int = Field(foreign_key="strike.id", index=True)
    outcome: str = Field(max_length=16)  # revoked | appeal_upheld | appeal_revoked
    reviewed_by: str = Field(max_length=32)
    reviewed_at: datetime = _when()
    reason: str = Field(max_length=2000)


class AuthorMeasure(SQLModel, table=True):
    """A warning or block the team confirms it carried out on the platform."""

    __tablename__ = "author_measure"
    # Two people confirming the same warning at once record it once.
    __table_args__ = (sa.UniqueConstraint("strike_id", "kind", name="uq_measure_strike_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="author.id", index=True)
    strike_id: int = Field(foreign_key="strike.id")
    kind: str = Field(max_length=16)  # first_warning | second_warning | block
    confirmed_by: str = Field(max_length=32)
    confirmed_at: datetime = _when()


class Lead(SQLModel, table=True):
    """Who may review the strike register; removal is a date, so the history stays."""

    __tablename__ = "lead"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id", name="uq_lead_user"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    added_by: str = Field(max_length=32)  # "settings" for the ones seeded from LEAD_USER_IDS
    added_at: datetime = _when()
    removed_by: str | None = Field(default=None, max_length=32)
    removed_at: datetime | None = _when(default=None, nullable=True)


class Service(SQLModel, table=True):
    """A municipal service that holds facts the team may need, reached through its antennas."""

    __tablename__ = "service"
    __table_args__ = (sa.UniqueConstraint("team_id", "name", name="uq_service_name"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    name: str = Field(max_length=60)
    description: str = Field(default="", max_length=500)
    backup_user_id: str | None = Field(default=None, max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)
    question_minutes: int | None = Field(default=None)  # None: the policy's target
    report_minutes: int | None = Field(default=None)
    active: bool = Field(default=True)


class Antenna(SQLModel, table=True):
    """A service's communication antenna: staff of the service, not a moderator."""

    __tablename__ = "antenna"
    __table_args__ = (sa.UniqueConstraint("service_id", "user_id", name="uq_antenna_user"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    user_id: str = Field(max_length=32)
    added_by: str = Field(max_length=32)
    added_at: datetime = _when()


class RoutedQuestion(SQLModel, table=True):
    """A question (or an FYI) the team sent to a service, and its answer."""

    __tablename__ = "routed_question"
    __table_args__ = (sa.Index("ix_routed_service_status", "service_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    case_id: int = Field(foreign_key="case.id", index=True)
    service_id: int = Field(foreign_key="service.id")
    kind: str = Field(max_length=16)  # question | report | fyi
    question: str = Field(sa_type=sa.Text)
    context: str = Field(default="", sa_type=sa.Text)
    asked_by: str = Field(max_length=32)
    asked_at: datetime = _when()
    due_at: datetime | None = _when(default=None, nullable=True)
    status: str = Field(default=QuestionStatus.OPEN, max_length=16)  # a QuestionStatus
    acknowledged_by: str | None = Field(default=None, max_length=32)
    answered_by: str | None = Field(default=None, max_length=32)
    answered_at: datetime | None = _when(default=None, nullable=True)
    answer: str | None = Field(default=None, sa_type=sa.Text)
    rerouted_to: int | None = Field(default=None)  # the question that took over
    reroute_reason: str | None = Field(default=None, max_length=2000)


DIGEST_JOBS = "kind IN ('weekly_digest', 'service_digest')"


class Job(SQLModel, table=True):
    """Timed work (a reminder, an escalation, a check) that survives restarts and runs once."""

    __tablename__ = "job"
    __table_args__ = (
        sa.Index("ix_job_due", "done_at", "claimed_at", "due_at"),
        # A digest is made ahead of time by every scheduler that looks: one row each.
        sa.Index("uq_job_digest", "team_id", "kind", "ref_id", "due_at", unique=True,
                 sqlite_where=sa.text(DIGEST_JOBS), postgresql_where=sa.text(DIGEST_JOBS)),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    kind: str = Field(max_length=32)  # a JobKind
    ref_id: int  # the routed question or the case the job is about
    due_at: datetime = _when()
    created_by: str = Field(max_length=32)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = _when(default=None, nullable=True)
    done_at: datetime | None = _when(default=None, nullable=True)
    outcome: str | None = Field(default=None, max_length=64)
    attempt: int = Field(default=1)  # outbox deliveries count their tries


class SentMessage(SQLModel, table=True):
    """A message the bot sent that a later click redraws (an antenna's direct message about a
    question, the guidance after a strike): the message to update is read here, never taken
    from a request."""

    __tablename__ = "sent_message"
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "ts", name="uq_sent_message"),
        sa.Index("ix_sent_message_ref", "kind", "ref_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    kind: str = Field(max_length=16)  # question_dm | guidance
    ref_id: int  # the routed question or the strike
    user_id: str | None = Field(default=None, max_length=32)  # a direct message's antenna
    channel_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)
    sent_at: datetime = _when(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """A form submission that must take effect once: the second time the same key comes (the
    same form sent twice, or two people sending the same case's form), nothing happens again."""

    __tablename__ = "submission"
    __table_args__ = (sa.UniqueConstraint("team_id", "key", name="uq_submission_key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    key: str = Field(max_length=200)  # e.g. route:<case>:<version>:<mode>, new_case:<view id>
    user_id: str = Field(max_length=32)
    made_at: datetime = _when(default_factory=utcnow)
    ref_id: int | None = Field(default=None)  # what it made: the question, the case


class Erasure(SQLModel, table=True):
    """That personal data was erased, when, why and by whom: never what was erased."""

    __tablename__ = "erasure"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    reason: str = Field(max_length=16)  # retention | request
    author_id: int | None = Field(default=None)
    requested_by: str | None = Field(default=None, max_length=32)
    erased_at: datetime = _when()
    cases: int = Field(default=0)
    strikes: int = Field(default=0)


class Workspace(SQLModel, table=True):
    """A Slack workspace served in install mode: its intake channels, language and policy.

    The installation itself (the bot token) is kept by slack_sdk's installation store in its own
    tables; this row is what the municipality set up. Uninstalling dates the row and schedules
    the workspace's data for erasure after the retention period; installing again cancels that.
    """

    __tablename__ = "workspace"

    team_id: str = Field(primary_key=True, max_length=32)
    name: str = Field(default="", max_length=200)
    language: str = Field(default="nl", max_length=2)
    intake_channels: str = Field(default="", max_length=500)  # comma-separated channel ids
    policy: str | None = Field(default=None, sa_type=sa.Text)  # TOML; None: the deployment's
    installed_by: str = Field(max_length=32)  # the first lead
    installed_at: datetime = _when()
    uninstalled_at: datetime | None = _when(default=None, nullable=True)
    erase_after: datetime | None = _when(default=None, nullable=True)
    erased_at: datetime | None = _when(default=None, nullable=True)


class HouseRulesApproval(SQLModel, table=True):
    """That the college and the management team approved the house rules: on which date, and for
    which rules (the fingerprint of the settings they are written from). Written once, never
    updated: the latest row is the approval in force, the earlier ones its history."""

    __tablename__ = "house_rules_approval"
    __table_args__ = (sa.Index("ix_house_rules_approval_team", "team_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    approved_on: date
    fingerprint: str = Field(max_length=32)
    source: str = Field(max_length=16)  # policy (its approved date) | lead (/gedragscode goedgekeurd)
    recorded_by: str | None = Field(default=None, max_length=32)  # the lead; None from the policy
    recorded_at: datetime = _when()


# --- Practice (/oefenen): made-up comments only, kept apart from cases, decisions and strikes ----


class PracticeRound(SQLModel, table=True):
    """One person's practice round and where they are in it: the comments to come (ids of the
    practice bank), and the node and steps clicked for the current one."""

    __tablename__ = "practice_round"
    __table_args__ = (sa.Index("ix_practice_round_user", "team_id", "user_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    queue: str = Field(sa_type=sa.Text)  # JSON list of bank item ids, repeats included
    position: int = Field(default=0)
    node_id: str = Field(default="origin", max_length=64)
    clicked: str = Field(default="", max_length=1000)  # action ids, comma-separated, in order
    checked: bool = Field(default=False)
    version: int = Field(default=0)  # raised on every click: a stale or doubled click is known
    started_at: datetime = _when()
    finished_at: datetime | None = _when(default=None, nullable=True)


class PracticeAnswer(SQLModel, table=True):
    """One practice answer: which made-up comment, the category chosen, the reference, right or
    not. Never a case, a decision or a strike; erased with the person's data."""

    __tablename__ = "practice_answer"
    __table_args__ = (sa.Index("ix_practice_answer_user", "team_id", "user_id", "answered_at"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="practice_round.id")
    team_id: str = Field(max_length=32)
    user_id: str = Field(max_length=32)
    item_id: str = Field(max_length=64)
    reference: str = Field(max_length=64)
    chosen: str = Field(max_length=64)
    right: bool
    sentiment_right: bool
    against: int = Field(default=0)  # steps clicked that the guide advises against
    answered_at: datetime = _when()


class CaseScreen(SQLModel, table=True):
    """What the pre-screen found in a case's post: the codes only, never what was found, and a
    fingerprint of the words for the repeat check (a similarity hash: it cannot be read back)."""

    __tablename__ = "case_screen"
    __table_args__ = (sa.Index("ix_case_screen_team_at", "team_id", "screened_at"),)

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    team_id: str = Field(max_length=32)
    screened_at: datetime = _when()  # when the post was forwarded
    codes: str = Field(default="", max_length=300)  # comma-separated signal codes, maybe none
    fingerprint: int | None = Field(default=None, sa_type=sa.BigInteger, nullable=True)
    size: int = Field(default=0)  # the length of the compared words: a repeat has a similar one
