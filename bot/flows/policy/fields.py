"""Reading one TOML field of a policy, with the place named in every error."""

from __future__ import annotations

import re
from datetime import time
from typing import Any, Mapping

from bot.flows.policy.model import PolicyError, Text
from bot.flows.policy.names import LANGUAGES



def _clock(body: Mapping[str, Any], key: str) -> time:
    value = body.get(key)
    if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}", value):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise PolicyError(f"business_hours.{key} must be a time like \"09:00\"")


def _only(body: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    for key in body:
        if key not in allowed:
            raise PolicyError(f"unknown key {where}.{key}")


def _table(raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    if key not in raw:
        raise PolicyError(f"missing [{where}]")
    return _as_table(raw[key], where)


def _as_table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must be a table")
    return value


def _list(raw: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key)
    if not isinstance(value, list):
        raise PolicyError(f"{where} must be a list")
    return value


def _str(body: Mapping[str, Any], key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where} is missing or empty")
    return value


def _str_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where} must be a list of ids")
    return value


def _url(body: Mapping[str, Any], key: str, where: str) -> str:
    value = _str(body, key, where)
    if not re.match(r"https?://\S+$", value):
        raise PolicyError(f"{where} must be an http(s) URL")
    return value


def _text(body: Mapping[str, Any], key: str, where: str, *, formal: bool = False) -> Text:
    """A text per language; ``formal``: a text for citizens, which also needs its u-vorm (nl_u)."""
    value = body.get(key)
    if value is None:
        raise PolicyError(f"{where} is missing")
    if not isinstance(value, dict):
        raise PolicyError(f"{where} must give a text per language ({', '.join(LANGUAGES)})")
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            raise PolicyError(f"{where} lacks a translation for {language!r}")
    for language in value:
        if language not in LANGUAGES and not (formal and language == "nl_u"):
            raise PolicyError(f"{where} has a text in unsupported language {language!r}")
    if formal:
        u = value.get("nl_u")
        if not isinstance(u, str) or not u.strip():
            raise PolicyError(f"{where} lacks its u-vorm variant (nl_u)")
        return Text(nl=value["nl"], en=value["en"], nl_u=u)
    return Text(nl=value["nl"], en=value["en"])
