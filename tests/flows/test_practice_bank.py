"""The practice bank beside the bundled policy: complete, in both languages, and refused when broken."""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest

from bot.flows.policy import PolicyError, load_bank, load_policy, parse_bank, read_bank
from bot.flows.policy.practice import BUNDLED_BANK, categories


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def raw():
    return tomllib.loads(BUNDLED_BANK.read_text(encoding="utf-8"))


def test_the_bundled_bank_fits_the_bundled_policy(policy):
    bank = load_bank(policy)
    assert len(bank.items) >= 60
    counts = Counter(item.reference for item in bank.items)
    assert set(counts) == set(categories(policy))
    assert min(counts.values()) >= 3
    assert len(categories(policy)) == 18  # every leaf of DECISION_TREE.md


def test_every_comment_has_its_reasons_in_dutch_and_english(policy):
    for item in load_bank(policy).items:
        assert item.why.nl.strip() and item.why.en.strip(), item.id
        assert item.why.nl != item.why.en, item.id
        # The reasoning is written, not a label: a few sentences.
        assert len(item.why.nl.split()) >= 15 and len(item.why.en.split()) >= 15, item.id
        for step in item.expected:
            assert step in {ref.id for ref in policy.node(item.reference).actions}, item.id


def test_the_hard_cases_of_the_guide_are_in_the_bank(policy):
    bank = load_bank(policy)
    texts = {item.id: (item.context.nl if item.context else "") + " " + item.text for item in bank.items}
    # A resident posting the same thing several times is off-topic, never spam.
    assert any("drie reacties" in t.lower() and bank.item(i).reference == "neutral.offtopic"
               for i, t in texts.items())
    # Capitals: not meant badly.
    assert any(bank.item(i).text.isupper() and bank.item(i).reference == "neutral.offtopic"
               for i in texts)
    # A politician reacting as a resident.
    assert any("gemeenteraadslid" in t and bank.item(i).reference == "neutral.political"
               for i, t in texts.items())
    # A colleague doxed in an external group.
    assert any(bank.item(i).reference == "external.privacy" and "ambtenaar" in t for i, t in texts.items())
    # Misinformation (unknowing) and disinformation (deliberate) both explained.
    whys = " ".join(item.why.nl for item in bank.items if item.reference == "negative.misinformation")
    assert "Misinformatie" in whys and "Desinformatie" in whys
    # The venting resident is never struck; the insulting one may be.
    assert all("strike" in item.avoid for item in bank.items if item.reference == "negative.venting")
    assert any("strike" in item.expected for item in bank.items if item.reference == "negative.conduct")


def test_the_comments_hold_no_real_contact_data(policy):
    for item in load_bank(policy).items:
        words = f"{item.author} {item.text} {item.context.nl if item.context else ''}"
        assert not re.search(r"\b0\d{2,3}[ /.]?\d{2}[ .]?\d{2}[ .]?\d{2}\b", words), item.id  # phone
        assert not re.search(r"\+32", words), item.id
        assert not re.search(r"[\w.]+@[\w-]+\.\w+", words), item.id  # e-mail
        for url in re.findall(r"\b(?:https?|hxxp)://\S+|www\.\S+", words):
            assert re.search(r"\.example\b", url), (item.id, url)


def _without(raw, item_id):
    return {**raw, "item": [i for i in raw["item"] if i["id"] != item_id]}


def test_a_missing_node_is_refused_in_one_line(policy, raw):
    broken = {**raw, "item": [{**raw["item"][0], "reference": "negative.rudeness"}] + raw["item"][1:]}
    with pytest.raises(PolicyError) as error:
        parse_bank(broken, policy)
    assert "negative.rudeness" in str(error.value) and "\n" not in str(error.value)


def test_a_category_with_children_is_no_reference(policy, raw):
    broken = {**raw, "item": [{**raw["item"][0], "reference": "negative"}] + raw["item"][1:]}
    with pytest.raises(PolicyError, match="not a category"):
        parse_bank(broken, policy)


def test_an_uncovered_category_is_refused_in_one_line(policy, raw):
    sympathy = [i["id"] for i in raw["item"] if i["reference"] == "neutral.sympathy"]
    broken = _without(raw, sympathy[0])
    with pytest.raises(PolicyError) as error:
        parse_bank(broken, policy)
    assert "'neutral.sympathy' has 2 comment(s)" in str(error.value)
    assert "\n" not in str(error.value)


def test_a_step_the_category_does_not_offer_is_refused(policy, raw):
    first = raw["item"][0]
    broken = {**raw, "item": [{**first, "expected": ["like"]}] + raw["item"][1:]}
    with pytest.raises(PolicyError, match="does not offer"):
        parse_bank(broken, policy)


def test_a_doubled_id_or_missing_translation_is_refused(policy, raw):
    with pytest.raises(PolicyError, match="used twice"):
        parse_bank({**raw, "item": raw["item"] + [raw["item"][0]]}, policy)
    first = raw["item"][0]
    broken = {**raw, "item": [{**first, "why": {"nl": first["why"]["nl"]}}] + raw["item"][1:]}
    with pytest.raises(PolicyError, match="lacks a translation for 'en'"):
        parse_bank(broken, policy)


def test_not_toml_is_refused(policy):
    with pytest.raises(PolicyError, match="not valid"):
        read_bank(b"[bank\nname=", policy)


def test_a_municipality_adds_and_replaces_comments_beside_its_policy(policy, raw, tmp_path):
    policy_file = tmp_path / "beleid.toml"
    policy_file.write_text("")  # only its folder matters here
    (tmp_path / "oefenbank.toml").write_text(
        '[bank]\nname = "Eigen"\nversion = "1"\n\n'
        '[[item]]\nid = "eigen-1"\nplatform = "facebook"\nauthor = "Ria Q."\n'
        'text = "Wanneer opent de nieuwe sporthal?"\nreference = "neutral.question"\n'
        'expected = ["reply_public"]\nwhy = { nl = "Een vraag.", en = "A question." }\n\n'
        f'[[item]]\nid = "{raw["item"][0]["id"]}"\nplatform = "x"\nauthor = "Ria Q."\n'
        'text = "Vervangen"\nreference = "negative.punishable"\nexpected = ["evidence"]\n'
        'why = { nl = "Vervangen.", en = "Replaced." }\n',
        encoding="utf-8",
    )
    bank = load_bank(policy, policy_file)
    assert bank.item("eigen-1").reference == "neutral.question"
    assert bank.item(raw["item"][0]["id"]).text == "Vervangen"
    assert len(bank.items) == len(raw["item"]) + 1
