"""The practice bank: made-up comments to practise the tree on, checked against a policy.

The bank is data beside the policy (``bot/policy/oefenbank.toml``); a municipality adds its own
comments in an ``oefenbank.toml`` beside its POLICY_FILE (an item with the same id replaces the
bundled one). Like the policy, a bank that does not fit the tree is refused with one line: a
practice round that teaches a category the tree does not have teaches the wrong thing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from bot.flows.intake import PLATFORMS
from bot.flows.policy.fields import _as_table, _list, _only, _str, _str_list, _table, _text
from bot.flows.policy.model import Policy, PolicyError, Text
from bot.flows.policy.names import BUNDLED_POLICY

BUNDLED_BANK = BUNDLED_POLICY.parent / "oefenbank.toml"
BANK_FILE_NAME = "oefenbank.toml"
MIN_PER_CATEGORY = 3


@dataclass(frozen=True)
class PracticeItem:
    """One made-up comment and the guide's answer to it."""

    id: str
    platform: str
    author: str
    text: str
    reference: str  # the category (a leaf node id) the guide would choose
    expected: tuple[str, ...]  # the steps the guide expects there
    avoid: tuple[str, ...]  # steps the guide advises against for this comment
    why: Text  # the guide's reasoning, in the bank's own words
    context: Text | None = None  # what it is under, or where it was posted


@dataclass(frozen=True)
class PracticeBank:
    name: str
    version: str
    items: tuple[PracticeItem, ...]

    def item(self, item_id: str) -> PracticeItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)


def categories(policy: Policy) -> list[str]:
    """The tree's categories: every node without children, in the policy's order."""
    return [node.id for node in policy.nodes.values() if not node.children]


def load_bank(policy: Policy, policy_file: str | Path | None = None) -> PracticeBank:
    """The bundled bank, with the comments of an ``oefenbank.toml`` beside ``policy_file`` added
    (or replacing bundled ones by id); checked against ``policy``."""
    raw = _read(BUNDLED_BANK)
    local = Path(policy_file).resolve().parent / BANK_FILE_NAME if policy_file else None
    if local is not None and local.exists() and local != BUNDLED_BANK.resolve():
        extra = _read(local)
        ids = {item.get("id") for item in extra.get("item", []) if isinstance(item, dict)}
        kept = [i for i in raw.get("item", []) if not isinstance(i, dict) or i.get("id") not in ids]
        raw = {**raw, "item": kept + list(extra.get("item", []))}
    return parse_bank(raw, policy)


def read_bank(raw_bytes: bytes, policy: Policy, *, source: str = "the practice bank") -> PracticeBank:
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{source} is not valid UTF-8 TOML: {exc}") from None
    return parse_bank(raw, policy)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"cannot read practice bank {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"practice bank {path} is not valid UTF-8 TOML: {exc}") from None


def parse_bank(raw: Mapping[str, Any], policy: Policy) -> PracticeBank:
    """Build the bank, or raise :class:`PolicyError` naming one problem in one line."""
    _only(raw, "practice bank", {"bank", "item"})
    meta = _table(raw, "bank", "bank")
    _only(meta, "bank", {"name", "version"})
    items: list[PracticeItem] = []
    seen: set[str] = set()
    for i, body in enumerate(_list(raw, "item", "practice bank [[item]]")):
        item = _item(_as_table(body, f"item[{i}]"), i, policy)
        if item.id in seen:
            raise PolicyError(f"practice bank: item id {item.id!r} is used twice")
        seen.add(item.id)
        items.append(item)
    for category in categories(policy):
        count = sum(1 for item in items if item.reference == category)
        if count < MIN_PER_CATEGORY:
            raise PolicyError(f"practice bank: category {category!r} has {count} comment(s); "
                              f"at least {MIN_PER_CATEGORY} are needed")
    return PracticeBank(name=_str(meta, "name", "bank.name"),
                        version=_str(meta, "version", "bank.version"), items=tuple(items))


def _item(body: Mapping[str, Any], index: int, policy: Policy) -> PracticeItem:
    item_id = body.get("id")
    where = f"practice bank item {item_id!r}" if isinstance(item_id, str) else f"item[{index}]"
    _only(body, where, {"id", "platform", "author", "text", "context", "reference", "expected",
                        "avoid", "why"})
    item_id = _str(body, "id", f"{where}.id")
    platform = _str(body, "platform", f"{where}.platform")
    if platform not in PLATFORMS:
        raise PolicyError(f"{where}.platform must be one of {list(PLATFORMS)}")
    reference = _str(body, "reference", f"{where}.reference")
    node = policy.nodes.get(reference)
    if node is None:
        raise PolicyError(f"{where}.reference names unknown node {reference!r}")
    if node.children:
        raise PolicyError(f"{where}.reference {reference!r} is not a category (it has children)")
    offered = {ref.id for ref in node.actions}
    expected = tuple(_str_list(body.get("expected"), f"{where}.expected"))
    if not expected:
        raise PolicyError(f"{where}.expected must name at least one step")
    for step in expected:
        if step not in offered:
            raise PolicyError(f"{where}.expected names step {step!r}, which {reference!r} "
                              "does not offer")
    avoid = tuple(_str_list(body.get("avoid", []), f"{where}.avoid"))
    for step in avoid:
        if step not in policy.actions:
            raise PolicyError(f"{where}.avoid names unknown step {step!r}")
        if step in expected:
            raise PolicyError(f"{where}: step {step!r} is both expected and advised against")
    return PracticeItem(
        id=item_id,
        platform=platform,
        author=_str(body, "author", f"{where}.author"),
        text=_str(body, "text", f"{where}.text"),
        reference=reference,
        expected=expected,
        avoid=avoid,
        why=_text(body, "why", f"{where}.why"),
        context=_text(body, "context", f"{where}.context") if "context" in body else None,
    )
