"""Every text the bot shows exists in every language, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.core.config import LANGUAGES
from bot.flows.intake import PLATFORMS
from bot.flows.strikes import Review, Step
from bot.flows.tree import Refusal
from bot.core.i18n import MissingTranslation, Translator, catalog

BOT = Path(__file__).resolve().parent.parent.parent / "bot"
LITERAL_KEY = re.compile(r"""\b(?:tr|StrikeProblem)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


ANY_LITERAL = re.compile(r"""["']([a-z_]+(?:\.[a-z_]+)+)["']""")


def keys_used_in_code() -> set[str]:
    keys = set()
    prefixes = {key.split(".")[0] for key in catalog("nl")}
    for path in BOT.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        keys |= set(LITERAL_KEY.findall(source))
        # Keys kept in tables (e.g. {"add": "leads.added"}) count too: any literal that looks
        # like a key of a known family.
        # The policy's literals name places in the policy file, the pre-screen's are signal codes:
        # not texts.
        if not {BOT / "flows" / "policy", BOT / "flows" / "prescreen"} & set(path.parents):
            keys |= {k for k in ANY_LITERAL.findall(source) if k.split(".")[0] in prefixes}
    # Keys built from data: one per platform and per refusal.
    keys |= {f"platform.{p}" for p in PLATFORMS}
    keys |= {f"refusal.{r.value}" for r in Refusal}
    keys |= {f"strikes.step.{s.value}" for s in Step} | {"strikes.step.none"}
    keys |= {f"strikes.confirm.{s.value}" for s in Step}
    keys |= {f"strikes.review.{r.value}" for r in Review}
    keys |= {f"strikes.outcome.{r.value}" for r in (Review.APPEAL_UPHELD, Review.APPEAL_REVOKED)}
    keys |= {f"leads.{verb}" for verb in ("added", "removed", "add_unchanged", "remove_unchanged")}
    return keys


def test_the_code_uses_keys_and_finds_them():
    used = keys_used_in_code()
    assert len(used) > 40  # the scan works: it found the keys of the case message and the form


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_the_code_uses_has_a_text(language):
    missing = sorted(keys_used_in_code() - catalog(language).keys())
    assert missing == []


def test_all_languages_have_the_same_keys_and_placeholders():
    nl, en = catalog("nl"), catalog("en")
    assert nl.keys() == en.keys()
    for key in nl:
        if key.startswith("time."):
            continue  # each language writes a moment its own way (tests/core/test_language.py)
        assert placeholders(nl[key]) == placeholders(en[key]), key


def test_dutch_is_the_default_and_english_is_english():
    assert Translator()("case.close") == "Dossier sluiten"
    assert Translator("en")("case.close") == "Close case"


def test_a_missing_key_is_an_error_not_a_silent_fallback():
    with pytest.raises(MissingTranslation):
        Translator("en")("no.such.key")


def test_the_readme_diagram_is_generated_from_the_bundled_policy():
    from bot.diagram import readme_block
    from bot.flows.policy import load_policy

    readme = (BOT.parent / "README.md").read_text(encoding="utf-8")
    assert readme_block(load_policy()) in readme, "README diagram is stale: run `make diagram`"
