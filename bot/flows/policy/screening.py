"""The policy's ``[prescreen]`` section: which pre-screen signals are on, and the municipality's
own public addresses (town hall, services), which are never pointed out as personal data."""

from __future__ import annotations

from typing import Any, Mapping

from bot.flows.policy.fields import _as_table, _only
from bot.flows.policy.model import PolicyError
from bot.flows.prescreen import CODES, Rules, street_key


def read_prescreen(raw: Mapping[str, Any]) -> Rules:
    """The section as :class:`~bot.flows.prescreen.Rules`; a policy without it has every signal
    on and no public addresses."""
    if "prescreen" not in raw:
        return Rules()
    body = _as_table(raw["prescreen"], "prescreen")
    _only(body, "prescreen", {"codes", "public_addresses"})
    codes = body.get("codes", list(CODES))
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise PolicyError("prescreen.codes must be a list of signal codes")
    for code in codes:
        if code not in CODES:
            raise PolicyError(f"unknown signal prescreen.codes {code!r} (known: {', '.join(CODES)})")
    if len(set(codes)) != len(codes):
        raise PolicyError("prescreen.codes lists a code twice")
    addresses = body.get("public_addresses", [])
    if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
        raise PolicyError("prescreen.public_addresses must be a list of addresses")
    for address in addresses:
        if not street_key(address):
            raise PolicyError(f"prescreen.public_addresses: {address!r} is not a street and "
                              "house number (e.g. \"Marktplein 1, 9999 Dorp\")")
    return Rules(codes=tuple(c for c in CODES if c in codes), public_addresses=tuple(addresses))
