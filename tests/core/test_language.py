"""The interface's language rules, checked on the catalogs, the manifest and rendered messages.

- A case is a *dossier* in Dutch, never a *zaak* (in Flanders that is first of all a shop).
- Sentences never embed an action's button label: they use its noun ("Toch verder zonder
  screenshot", not "Toch verder zonder Screenshot bewaren").
- A number shown to someone goes through a plural entry (``tr.plural``), never a plain text.
- Every language has the same placeholders for a key, in every plural form.
"""

from __future__ import annotations

import dataclasses
import re
import string
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from bot.blocks import cases as blocks, kit
from bot.usecases.cases import CaseSnapshot, HistoryLine
from bot.core.config import LANGUAGES
from bot.flows import tree
from bot.flows.policy import load_policy
from bot.core.i18n import Translator, catalog, plural_catalog

ROOT = Path(__file__).resolve().parent.parent.parent
POLICY = load_policy()

# "zaak" names a case nowhere; "Burgerzaken" (a service) and "de stand van zaken" are fine.
ZAAK = re.compile(r"\bzaak\b|(?<!stand van )\bzaken\b", re.IGNORECASE)
# Placeholders that stand for a number of things; they belong in plural entries only, as {n}.
QUANTITIES = {"n", "count", "cases", "strikes", "open", "number", "total", "dropped", "limit"}
# Placeholders a sentence would fill with an action's button label.
LABEL_PLACEHOLDERS = {"label", "action", "button", "requirement"}
# The parts a time pattern (time.*) may use; each language picks its own.
TIME_PARTS = {"day", "dd", "mm", "month", "year", "clock", "date"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def all_texts(language: str) -> dict[str, list[str]]:
    texts = {key: [text] for key, text in catalog(language).items()}
    texts.update({key: list(forms) for key, forms in plural_catalog(language).items()})
    return texts


# --- the checks themselves can fail ------------------------------------------------------------


def zaak_in(text: str) -> bool:
    return bool(ZAAK.search(text))


def test_the_zaak_check_catches_zaak_and_spares_burgerzaken():
    assert zaak_in("Zaak sluiten") and zaak_in("Gewist: 2 zaken") and zaak_in("deze zaak")
    assert not zaak_in("de dienst Burgerzaken") and not zaak_in("Dossier sluiten")
    assert not zaak_in("nieuws over de stand van zaken") and zaak_in("Gewist: 1 zaak")


# --- "dossier", never "zaak" ------------------------------------------------------------------


def test_no_dutch_interface_text_says_zaak():
    offending = {key: forms for key, forms in all_texts("nl").items()
                 if any(zaak_in(form) for form in forms)}
    assert offending == {}


def test_the_manifest_does_not_say_zaak():
    manifest = (ROOT / "manifest.yml").read_text(encoding="utf-8")
    # comments are for the operator, in English; everything else is shown in Slack
    shown = "\n".join(line for line in manifest.splitlines() if not line.lstrip().startswith("#"))
    assert not zaak_in(shown)


def test_the_bundled_policy_does_not_say_zaak_in_dutch():
    def texts(value: object):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "nl" and isinstance(inner, str):
                    yield inner
                else:
                    yield from texts(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from texts(inner)

    import tomllib
    raw = tomllib.loads((ROOT / "bot" / "policy" / "default.toml").read_text(encoding="utf-8"))
    assert [t for t in texts(raw) if zaak_in(t)] == []


# --- placeholders -----------------------------------------------------------------------------


def test_every_key_has_the_same_placeholders_in_every_language_and_form():
    reference = all_texts("nl")
    for language in LANGUAGES:
        texts = all_texts(language)
        assert texts.keys() == reference.keys(), language
        for key, forms in texts.items():
            expected = placeholders(reference[key][0])
            for form in forms:
                if key.startswith("time."):
                    assert placeholders(form) <= TIME_PARTS, (language, key)
                else:
                    assert placeholders(form) == expected, (language, key, form)


def test_plural_keys_are_the_same_in_every_language_and_have_every_form():
    keys = set(plural_catalog("nl"))
    assert keys, "the catalogs have plural entries"
    for language in LANGUAGES:
        plurals = plural_catalog(language)
        assert set(plurals) == keys, language
        assert all(len(forms) == 2 for forms in plurals.values()), language  # nplurals=2 for nl, en


def test_no_text_names_a_button_label_placeholder():
    for language in LANGUAGES:
        for key, forms in all_texts(language).items():
            for form in forms:
                assert not placeholders(form) & LABEL_PLACEHOLDERS, (language, key, form)


# --- numbers go through plural entries --------------------------------------------------------


def test_a_number_is_only_shown_through_a_plural_entry():
    for language in LANGUAGES:
        plural = plural_catalog(language)
        for key, text in catalog(language).items():
            if key in plural:
                assert all("n" in placeholders(form) for form in plural[key]), (language, key)
            else:
                assert not placeholders(text) & QUANTITIES, (
                    f"{language} {key!r} shows a number without its plural form")


@pytest.mark.parametrize("language, one, many", [
    ("nl", "… en 1 eerdere stap", "… en 2 eerdere stappen"),
    ("en", "… and 1 earlier step", "… and 2 earlier steps"),
])
def test_plural_forms_are_chosen_by_the_number(language, one, many):
    tr = Translator(language)
    assert tr.plural("case.earlier_steps", 1) == one
    assert tr.plural("case.earlier_steps", 2) == many
    assert tr.plural("case.earlier_steps", 0) == many.replace("2", "0")


def test_a_plural_entry_can_be_filled_through_the_plain_call_with_n():
    tr = Translator("nl")
    assert tr("route.error_too_long", n=2000) == "Dat is te lang: maximaal 2000 tekens."
    assert tr("route.error_too_long", n=1) == "Dat is te lang: maximaal 1 teken."


# --- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language, short, long", [
    ("nl", "03/12 om 14:05", "03/12/2026 om 14:05"),
    ("en", "3 Dec 14:05", "3 Dec 2026 14:05"),
])
def test_times_read_the_languages_own_way_in_brussels_time(language, short, long):
    tr = Translator(language)
    moment = datetime(2026, 12, 3, 13, 5, tzinfo=timezone.utc)  # 14:05 in Brussels (winter)
    assert tr.time(moment) == short
    assert tr.time(moment, year=True) == long
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)  # 14:00 in Brussels (summer)
    assert tr.time(summer).endswith("14:00")


def test_a_closed_case_says_when_with_a_preposition_that_fits():
    tr = Translator("nl")
    text = tr("case.closed_by", user="@An", time=tr.time(datetime(2026, 12, 3, 13, 5,
                                                                 tzinfo=timezone.utc)))
    assert text == "Dossier gesloten door @An op 03/12 om 14:05."


# --- sentences never embed button labels (rendered messages) ---------------------------------


class SpyTranslator(Translator):
    """Records every value a text is filled with."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.filled: list[tuple[str, object]] = []

    def __call__(self, key: str, **values: object) -> str:
        self.filled += [(key, v) for v in values.values()]
        return super().__call__(key, **values)

    def plural(self, key: str, n: int, **values: object) -> str:
        self.filled += [(key, v) for v in values.values()]
        return super().plural(key, n, **values)


AT = datetime(2026, 12, 3, 13, 5, tzinfo=timezone.utc)


def snapshot(node_id: str, history: tuple[HistoryLine, ...], *, pending: str | None = None,
             evidence_files: int = 0) -> CaseSnapshot:
    return CaseSnapshot(
        id=7, team_id="T0FAKE", channel_id="C0FAKE", message_ts="1.1", bot_message_ts="1.2",
        via="message", platform="facebook", link=None, author_platform=None, author_handle=None,
        text="Een verzonnen reactie", forwarded_by="U0FAKE0001", forwarded_at=AT,
        source_permalink=None, origin="own", status=tree.OPEN, node_id=node_id,
        pending_action=pending, version=3, evidence_files=evidence_files, history=history,
    )


def guard_histories(node_id: str, action_id: str):
    """Every stage a guarded action goes through, as the case's history."""
    action = POLICY.actions[action_id]
    step = lambda note, act=action_id: HistoryLine(node_id, act, "U0FAKE0002", AT, note)  # noqa: E731
    yield action_id, (step(tree.REQUESTED),)
    if action.requires:
        yield action_id, (step(tree.REQUESTED), step(tree.WAIVED + action.requires))
        yield action_id, (step(tree.REQUESTED), step(None, action.requires))
        yield None, (step(tree.REQUESTED), step(tree.WAIVED + action.requires),
                     step(tree.WITHOUT + action.requires))
    yield None, (step(tree.REQUESTED), step(tree.CONFIRMED))
    yield None, (step(tree.REQUESTED), step(tree.CANCELLED))


def rendered_cases():
    for node_id in POLICY.nodes:
        yield snapshot(node_id, ())
        for ref in POLICY.actions_on(node_id):
            if tree.is_guarded(POLICY, ref.id):
                for pending, history in guard_histories(node_id, ref.id):
                    yield snapshot(node_id, history, pending=pending, evidence_files=0)
            else:
                yield snapshot(node_id, (HistoryLine(node_id, ref.id, "U0FAKE0002", AT, None),))


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_rendered_sentence_is_built_from_an_action_label(language):
    labels = {a.label.get(language) for a in POLICY.actions.values()}
    # A label that is also its own noun ("Spam" as both) would not be a fault; none is today.
    nouns = {kit.noun(POLICY, a, language) for a in POLICY.actions}
    suspicious = labels - nouns
    tr = SpyTranslator(language)
    count = 0
    for case in rendered_cases():
        blocks.case_message(case, POLICY, tr)
        count += 1
    assert count > 50
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(label)}(?!\w)" for label in suspicious))
    embedded = [(key, value) for key, value in tr.filled
                if isinstance(value, str) and pattern.search(value)]
    assert embedded == []


def test_the_label_check_catches_a_sentence_built_from_a_label():
    """The spy sees what the old builder did: the label of "Screenshot bewaren" in a sentence."""
    tr = SpyTranslator("nl")
    tr("guard.skip", noun=POLICY.actions["evidence"].label.get("nl"))
    labels = {a.label.get("nl") for a in POLICY.actions.values()}
    assert any(v in labels for _, v in tr.filled)


@pytest.mark.parametrize("language, skip, history", [
    ("nl", "Toch verder zonder screenshot", "✓ Verwijderd (bewust zonder screenshot)"),
    ("en", "Go on without a screenshot", "✓ Deleted (deliberately, no screenshot)"),
])
def test_the_screenshot_sentences_read_as_the_guide_would_write_them(language, skip, history):
    tr = Translator(language)
    node = "negative.spam"
    waiting = snapshot(node, (HistoryLine(node, "delete", "U0FAKE0002", AT, tree.REQUESTED),),
                       pending="delete")
    message = str(blocks.case_message(waiting, POLICY, tr))
    assert skip in message
    done = snapshot(node, (HistoryLine(node, "delete", "U0FAKE0002", AT, tree.REQUESTED),
                           HistoryLine(node, "delete", "U0FAKE0002", AT, tree.WAIVED + "evidence"),
                           HistoryLine(node, "delete", "U0FAKE0002", AT, tree.WITHOUT + "evidence")))
    assert history in str(blocks.case_message(done, POLICY, tr))


# --- the guard comes before the act -----------------------------------------------------------


def texts_of(message: list[dict]) -> str:
    return str(message)


@pytest.mark.parametrize("action_id", ["delete", "block"])
def test_irreversible_buttons_say_they_come_first_and_the_warning_shows_before_the_act(action_id):
    tr = Translator("nl")
    node = next(n for n in POLICY.nodes
                if action_id in {a.id for a in POLICY.actions_on(n)})
    fresh = blocks.case_message(snapshot(node, ()), POLICY, tr)
    buttons = [e for b in fresh if b["type"] == "actions" for e in b["elements"]]
    label = POLICY.actions[action_id].label.get("nl")
    assert any(e["text"]["text"] == "⚠️ " + label for e in buttons)
    assert tr("case.actions_hint_guarded") in texts_of(fresh)
    assert "klik wat je gedaan hebt" not in texts_of(fresh)

    asked = snapshot(node, (HistoryLine(node, action_id, "U0FAKE0002", AT, tree.REQUESTED),),
                     pending=action_id)
    message = texts_of(blocks.case_message(asked, POLICY, tr))
    warning = POLICY.actions[action_id].warning
    assert warning is not None
    assert kit.escape(POLICY.fill(warning.get("nl")))[:40] in message
    assert tr("guard.intent") in message
    if POLICY.actions[action_id].requires:
        # The screenshot comes first: no confirmation until it is there or deliberately skipped.
        assert tr("guard.confirm") not in message
    else:
        assert tr("guard.confirm") in message and tr("guard.now") in message


def test_the_intent_and_the_confirmation_read_apart_in_the_history():
    tr = Translator("nl")
    node = "negative.spam"
    case = snapshot(node, (HistoryLine(node, "evidence", "U0FAKE0002", AT, None),
                           HistoryLine(node, "delete", "U0FAKE0002", AT, tree.REQUESTED),
                           HistoryLine(node, "delete", "U0FAKE0002", AT, tree.CONFIRMED)))
    history = blocks.case_message(case, POLICY, tr)[-1]["elements"][0]["text"]
    assert "wilde overgaan tot verwijdering" in history
    assert "✓ Verwijderd" in history
    assert history.index("wilde overgaan tot verwijdering") < history.index("✓ Verwijderd")


# --- Dutch command words ----------------------------------------------------------------------


def test_the_dutch_usage_lines_show_dutch_words():
    tr = Translator("nl")
    for key, english in (("antenne.usage", ("backup`", "remove`")),
                         ("leads.usage", ("add ", "remove ")),
                         ("strikes.help", ("*/strikes export*", "*/strikes leads*"))):
        text = tr(key)
        assert not any(word in text for word in english), (key, text)
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    hints = " ".join(c["usage_hint"] for c in manifest["features"]["slash_commands"])
    assert not re.search(r"\b(export|leads|remove|backup|handle)\b", hints)


def test_shortcut_names_use_one_form_and_fit_slack():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    names = [s["name"] for s in manifest["features"]["shortcuts"]]
    assert all(len(n) <= 24 for n in names)
    # infinitives, like every button: the last word ends in -en
    assert all(n.split()[-1].endswith("en") for n in names), names


def test_snapshot_fields_are_what_the_builders_read():
    # keeps this module's hand-built snapshots honest when CaseSnapshot grows
    assert {f.name for f in dataclasses.fields(CaseSnapshot)} >= {"pending_action", "history"}


# --- the policy's action fields behind these sentences ----------------------------------------


def _raw_policy() -> dict:
    import copy
    import tomllib

    from bot.flows.policy import BUNDLED_POLICY
    return copy.deepcopy(tomllib.loads(BUNDLED_POLICY.read_text(encoding="utf-8")))


def test_an_action_without_a_noun_is_refused():
    from bot.flows.policy import PolicyError, parse_policy
    raw = _raw_policy()
    raw["actions"]["hide"].pop("noun")
    with pytest.raises(PolicyError, match="actions.hide.noun is missing"):
        parse_policy(raw)


def test_irreversible_must_be_true_or_false():
    from bot.flows.policy import PolicyError, parse_policy
    raw = _raw_policy()
    raw["actions"]["block"]["irreversible"] = "ja"
    with pytest.raises(PolicyError, match="actions.block.irreversible"):
        parse_policy(raw)


def test_a_noun_with_an_unknown_placeholder_is_refused():
    from bot.flows.policy import PolicyError, parse_policy
    raw = _raw_policy()
    raw["actions"]["evidence"]["noun"] = {"nl": "{foto}", "en": "screenshot"}
    with pytest.raises(PolicyError, match="actions.evidence.noun"):
        parse_policy(raw)


# --- the code fills exactly the placeholders each text has ------------------------------------


def _calls_with_literal_keys():
    """(key, keyword names, plural?, where) for every ``tr("key", ...)``, ``deps.tr(...)`` and
    ``tr.plural("key", n, ...)`` in the bot's code whose key is a literal and whose values are all
    named (a call passing ``**values`` is skipped: its names are not known here)."""
    import ast

    for path in (ROOT / "bot").rglob("*.py"):
        tree_ = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree_):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            plural = isinstance(func, ast.Attribute) and func.attr == "plural"
            target = func.value if plural else func
            named_tr = (isinstance(target, ast.Name) and target.id == "tr") or (
                isinstance(target, ast.Attribute) and target.attr == "tr")
            first = node.args[0]
            if not named_tr or not isinstance(first, ast.Constant) or not isinstance(first.value, str):
                continue
            if any(k.arg is None for k in node.keywords):
                continue
            names = {k.arg for k in node.keywords}
            if plural:
                names.add("n")
            yield first.value, names, plural, f"{path.name}:{node.lineno}"


def test_every_call_fills_exactly_the_texts_placeholders():
    calls = list(_calls_with_literal_keys())
    assert len(calls) > 100  # the scan finds the calls
    plurals = plural_catalog("nl")
    for key, names, plural, where in calls:
        for language in LANGUAGES:
            forms = plural_catalog(language)[key] if key in plurals else [catalog(language)[key]]
            for form in forms:
                assert placeholders(form) <= names, (where, language, key, "a placeholder stays empty")
                assert names - {"n"} <= placeholders(form) | ({"n"} if plural else set()), (
                    where, language, key, "a value has no place in the text")
        assert plural == (key in plurals) or (not plural and "n" in names), (where, key)
