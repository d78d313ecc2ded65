"""The one place where case references are put into and read out of Slack payloads.

Only ids travel: the case id, the click (a move and its target node or action) and the case's
version when the button was drawn, so a stale or doubled click is recognised. Everything else is
read from the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from bot.core.problem import Problem
from bot.flows.practice import Click as PracticeClick, Move as PracticeMove
from bot.flows.tree import Click, Move


class BadPayload(Problem):
    """A value that this bot did not write, or an older bot wrote differently: to the person who
    sent it, an outdated button or form. ``detail`` says what was wrong, for the log only."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("refusal.outdated")
        self.detail = detail


@dataclass(frozen=True)
class ButtonRef:
    case_id: int
    version: int
    click: Click

    def encode(self) -> str:
        data = {"c": self.case_id, "v": self.version, "m": self.click.move.value}
        if self.click.target is not None:
            data["t"] = self.click.target
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, value: object) -> "ButtonRef":
        try:
            data = json.loads(value) if isinstance(value, str) else None
            if not isinstance(data, dict):
                raise BadPayload("not a button value")
            case_id, version, move = data["c"], data["v"], Move(data["m"])
            target = data.get("t")
            if type(case_id) is not int or type(version) is not int:  # bool is an int: refuse it
                raise BadPayload("ids are not numbers")
            if target is not None and not isinstance(target, str):
                raise BadPayload("target is not text")
        except (KeyError, ValueError, TypeError, RecursionError) as exc:
            raise BadPayload(str(exc)) from None
        return cls(case_id, version, Click(move, target))


@dataclass(frozen=True)
class CaseRef:
    """A case at a version, for elements that carry no value (a user picker): kept in a block_id."""

    case_id: int
    version: int

    def encode(self, prefix: str) -> str:
        return f"{prefix}{self.case_id}:{self.version}"

    @classmethod
    def decode(cls, block_id: object, prefix: str) -> "CaseRef":
        if not isinstance(block_id, str) or not block_id.startswith(prefix):
            raise BadPayload("not a case block")
        try:
            case_id, version = block_id[len(prefix):].split(":")
            return cls(int(case_id), int(version))
        except ValueError:
            raise BadPayload("malformed case block") from None


@dataclass(frozen=True)
class StrikeRef:
    """A strike and what to do with it: a measure to confirm, or a review to record."""

    strike_id: int
    kind: str

    def encode(self) -> str:
        return json.dumps({"s": self.strike_id, "k": self.kind}, separators=(",", ":"))

    @classmethod
    def decode(cls, value: object) -> "StrikeRef":
        try:
            data = json.loads(value) if isinstance(value, str) else None
            if not isinstance(data, dict):
                raise BadPayload("not a strike value")
            strike_id, kind = data["s"], data["k"]
        except (KeyError, ValueError, TypeError, RecursionError) as exc:
            raise BadPayload(str(exc)) from None
        if type(strike_id) is not int or not isinstance(kind, str):
            raise BadPayload("malformed strike value")
        return cls(strike_id, kind)


@dataclass(frozen=True)
class AuthorRef:
    """One author of the register, by platform and handle (both normalised)."""

    platform: str
    handle: str

    def encode(self) -> str:
        return json.dumps({"p": self.platform, "h": self.handle}, separators=(",", ":"))

    @classmethod
    def decode(cls, value: object) -> "AuthorRef":
        try:
            data = json.loads(value) if isinstance(value, str) else None
            if not isinstance(data, dict):
                raise BadPayload("not an author value")
            platform, handle = data["p"], data["h"]
        except (KeyError, ValueError, TypeError, RecursionError) as exc:
            raise BadPayload(str(exc)) from None
        if not isinstance(platform, str) or not isinstance(handle, str):
            raise BadPayload("malformed author value")
        return cls(platform, handle)


@dataclass(frozen=True)
class QuestionRef:
    """The route form's case, at a version, and whether it asks (``ask``) or informs (``fyi``)."""

    case_id: int
    version: int
    mode: str

    def encode(self) -> str:
        return json.dumps({"c": self.case_id, "v": self.version, "m": self.mode}, separators=(",", ":"))

    @classmethod
    def decode(cls, value: object) -> "QuestionRef":
        try:
            data = json.loads(value) if isinstance(value, str) else None
            if not isinstance(data, dict):
                raise BadPayload("not a question value")
            case_id, version, mode = data["c"], data["v"], data["m"]
        except (KeyError, ValueError, TypeError, RecursionError) as exc:
            raise BadPayload(str(exc)) from None
        if type(case_id) is not int or type(version) is not int or mode not in ("ask", "fyi"):
            raise BadPayload("malformed question value")
        return cls(case_id, version, mode)


@dataclass(frozen=True)
class QuestionFormRef:
    """The routed question an antenna's answer or reroute form is about: its id only. The
    messages to update afterwards are read from the database, never from the form."""

    question_id: int

    def encode(self) -> str:
        return str(self.question_id)

    @classmethod
    def decode(cls, value: object) -> "QuestionFormRef":
        if not isinstance(value, str):
            raise BadPayload("not a question reference")
        # Forms opened before this version also carried a channel and a ts: they are ignored.
        first = value.split(":")[0]
        if not first.isdigit() or len(first) > 12 or value.count(":") not in (0, 2):
            raise BadPayload("malformed question reference")
        return cls(int(first))

    @classmethod
    def decode_button(cls, value: object) -> "QuestionFormRef":
        """An antenna's button in their direct message: the question id alone."""
        if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 12:
            raise BadPayload("not a question id")
        return cls(int(value))

@dataclass(frozen=True)
class PracticeRef:
    """A click on a practice message: the round, its version when drawn, and the move. The round
    is checked against the workspace and the person who clicks (``bot.usecases.practice``)."""

    round_id: int
    version: int
    click: PracticeClick

    def encode(self) -> str:
        data = {"r": self.round_id, "v": self.version, "m": self.click.move.value}
        if self.click.target is not None:
            data["t"] = self.click.target
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, value: object) -> "PracticeRef":
        try:
            data = json.loads(value) if isinstance(value, str) else None
            if not isinstance(data, dict):
                raise BadPayload("not a practice value")
            round_id, version, move = data["r"], data["v"], PracticeMove(data["m"])
            target = data.get("t")
        except (KeyError, ValueError, TypeError, RecursionError) as exc:
            raise BadPayload(str(exc)) from None
        if type(round_id) is not int or type(version) is not int:
            raise BadPayload("ids are not numbers")
        if target is not None and (not isinstance(target, str) or len(target) > 64):
            raise BadPayload("malformed target")
        return cls(round_id, version, PracticeClick(move, target))

def page_offset(value: object) -> int:
    """Where a "show more" button's page starts; the first page for anything else."""
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 9 else 0


# --- where in a payload a ref sits ---------------------------------------------------------------


def action_value(read: Callable[[object], object]) -> Callable[[dict], object]:
    """A reader of the clicked element's value."""
    return lambda body: read(_action(body).get("value"))


def metadata(read: Callable[[object], object]) -> Callable[[dict], object]:
    """A reader of the submitted form's private_metadata."""
    return lambda body: read((body.get("view") or {}).get("private_metadata"))


def _action(body: dict) -> dict:
    actions = body.get("actions") if isinstance(body, dict) else None
    return actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}


def clicked_direct_message(body: dict) -> tuple[str, str] | None:
    """The clicked message (channel, ts), when Slack says it is in a direct message with the bot."""
    channel = (body.get("channel") or {}).get("id")
    ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts")
    if isinstance(channel, str) and channel.startswith("D") and isinstance(ts, str):
        return channel, ts
    return None
