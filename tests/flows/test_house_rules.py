"""The public house rules, written from the policy: the bundled text, what each switch and
threshold changes (and only that), the municipality's own paragraphs, and the files for the
website read back with the standard library's parsers."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser

import pytest

from bot.core.i18n import Translator
from bot.flows import house_rules
from bot.flows.house_rules_render import to_html, to_markdown
from bot.flows.policy import BUNDLED_POLICY, PolicyError, load_policy, parse_policy

NL, EN = Translator("nl"), Translator("en")


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture
def raw() -> dict:
    return tomllib.loads(BUNDLED_POLICY.read_text(encoding="utf-8"))


def sentences(policy, tr=NL, **kwargs) -> list[str]:
    return house_rules.build(policy, tr, **kwargs).sentences()


def switched(policy, **switches):
    return replace(policy, switches={**policy.switches, **switches})


def changed(before: list[str], after: list[str]) -> tuple[set[str], set[str]]:
    return set(before) - set(after), set(after) - set(before)


# --- the bundled policy ------------------------------------------------------------------------


def test_the_bundled_house_rules_say_what_the_guide_asks(policy):
    text = "\n".join(sentences(policy))
    for expected in (
        "Iedereen mag reageren en vragen stellen.",
        "Je mag het oneens zijn met ons of met anderen",
        "beleefd en opbouwend",
        "Anderen aanzetten tot haat, geweld of discriminatie.",
        "Persoonlijke gegevens van iemand anders openbaar maken",
        "Beledigingen, scheldwoorden en agressieve taal.",
        "Partijpolitieke boodschappen",
        "Spam:",
        "Reclame en andere commerciële berichten.",
        "Foute of misleidende informatie.",
        "Een reactie die niet over het onderwerp gaat.",
        "Meerdere reacties onder hetzelfde bericht.",
        "Een reactie in hoofdletters.",
        "Na 1 overtreding krijg je een eerste waarschuwing.",
        "Na 2 overtredingen krijg je een tweede waarschuwing.",
        "Na 3 overtredingen blokkeren we je op onze pagina's.",
        "Een overtreding telt 12 maanden mee.",
        "klachtenformulier",
        "referentienummer",
        "#HierNiet",
        "Facebook, Instagram en X.",
        "Ontwerp: nog niet goedgekeurd door het college van burgemeester en schepenen",
    ):
        assert expected in text, expected


def test_the_house_rules_are_written_in_the_je_vorm(policy):
    import re
    text = " ".join(sentences(policy))
    assert re.search(r"\b(u|uw|U|Uw)\b", text) is None
    assert " je " in text


def test_the_english_house_rules_are_english(policy):
    rules = house_rules.build(policy, EN)
    assert rules.language == "en"
    assert "Everyone may comment and ask questions." in rules.sentences()
    assert "After 3 violations we block you from our pages." in rules.sentences()


def test_the_approval_date_is_shown_written_out(policy):
    rules = house_rules.build(policy, NL, approved=date(2027, 1, 15))
    assert rules.status.text.endswith("op 15 januari 2027.")
    assert house_rules.build(policy, EN, approved=date(2027, 1, 15)).status.text.endswith(
        "on 15 January 2027.")


def test_the_links_are_the_policys_own(policy):
    rules = house_rules.build(policy, NL)
    links = {part.url for section in rules.sections for block in section.blocks
             for item in (block.items if isinstance(block, house_rules.Bullets) else (block,))
             for part in getattr(item, "parts", ()) if isinstance(part, house_rules.Link)}
    assert policy.links["complaints_url"] in links and policy.links["meldpunt_url"] in links
    assert policy.links["criteria_url"] in links and policy.links["hiernet_url"] in links
    assert links <= set(policy.links.values()) | {p.url for p in policy.house_rules.platforms}


# --- switches and thresholds change exactly the sentences they govern ----------------------------


@pytest.mark.parametrize("switch, gone, added", [
    ("remove_political", "Partijpolitieke boodschappen", "Je mag een politieke partij"),
    ("remove_political_opinions", "Politieke meningen:", "Je mag je politieke mening geven"),
    ("allow_commercial", "Je mag reclame maken", "Reclame en andere commerciële berichten."),
    ("react_to_compliments", "We reageren erop", "we reageren er niet op"),
])
def test_a_switch_changes_exactly_its_own_sentences(policy, switch, gone, added):
    on = sentences(switched(policy, **{switch: True}))
    off = sentences(switched(policy, **{switch: False}))
    removed, new = changed(on, off)
    everything = removed | new
    assert any(gone in s for s in everything) and any(added in s for s in everything)
    if switch == "remove_political":  # the mandataris sentence only exists while it is removed
        assert len(removed) <= 2 and len(new) == 1
    else:
        assert len(removed) == 1 and len(new) == 1, (removed, new)


def test_politicians_as_residents_follow_their_switch(policy):
    stay = sentences(switched(policy, remove_political=True, politician_as_citizen_may_stay=True))
    go = sentences(switched(policy, remove_political=True, politician_as_citizen_may_stay=False))
    removed, new = changed(stay, go)
    assert removed == {"Heb je een politiek mandaat? Dan mag je hier reageren als inwoner, net als iedereen."}
    assert new == {"Heb je een politiek mandaat? Dan geldt die regel ook als je als inwoner reageert."}
    # Political content allowed: the rule for politicians says nothing either way.
    free = switched(policy, remove_political=False)
    assert sentences(replace(free, switches={**free.switches, "politician_as_citizen_may_stay": False})) \
        == sentences(free)


@pytest.mark.parametrize("field, value, expected", [
    ("first_warning", 2, "Na 2 overtredingen krijg je een eerste waarschuwing."),
    ("second_warning", 4, "Na 4 overtredingen krijg je een tweede waarschuwing."),
    ("block", 5, "Na 5 overtredingen blokkeren we je op onze pagina's."),
    ("expire_after_months", 6, "Een overtreding telt 6 maanden mee. Daarna vervalt ze."),
    ("expire_after_months", 1, "Een overtreding telt 1 maand mee. Daarna vervalt ze."),
    ("expire_after_months", None, "Een overtreding blijft altijd meetellen."),
])
def test_a_threshold_changes_exactly_its_own_sentence(policy, field, value, expected):
    other = replace(policy, strikes=replace(policy.strikes, **{field: value}))
    removed, new = changed(sentences(policy), sentences(other))
    assert new == {expected} and len(removed) == 1


def test_a_link_in_the_policy_is_the_link_on_the_page(policy):
    links = {**policy.links, "complaints_url": "https://www.zonnedorp.be/klacht"}
    html = to_html(house_rules.build(replace(policy, links=links), NL))
    assert 'href="https://www.zonnedorp.be/klacht"' in html


# --- the municipality's own paragraphs -----------------------------------------------------------


def test_own_paragraphs_appear_in_their_section(raw):
    raw["house_rules"]["paragraphs"] = [
        {"section": "tolerated", "text": {"nl": "Voorbeeld: een reactie over de kermis onder een bericht over de markt.",
                                          "en": "Example: a comment about the fair under a post about the market."}},
        {"section": "more", "title": {"nl": "Contact", "en": "Contact"},
         "text": {"nl": "Mail ons via communicatie@zonnedorp.be of kijk op https://www.zonnedorp.be/contact.",
                  "en": "Mail us at communicatie@zonnedorp.be or see https://www.zonnedorp.be/contact."}},
    ]
    policy = parse_policy(raw)
    rules = house_rules.build(policy, NL)
    tolerated = next(s for s in rules.sections if s.id == "tolerated")
    assert tolerated.blocks[-1].text.startswith("Voorbeeld: een reactie over de kermis")
    more = next(s for s in rules.sections if s.id == "more")
    assert more.blocks[-2] == house_rules.Heading("Contact")
    assert house_rules.Link("https://www.zonnedorp.be/contact", "https://www.zonnedorp.be/contact") \
        in more.blocks[-1].parts
    assert more.blocks[-1].text.endswith("https://www.zonnedorp.be/contact.")  # the dot is no link
    markdown = to_markdown(rules)
    assert "### Contact" in markdown and "(https://www.zonnedorp.be/contact)." in markdown


def test_a_policy_without_house_rules_gets_the_defaults(raw):
    del raw["house_rules"]
    policy = parse_policy(raw)
    assert policy.house_rules.review_months == 12 and policy.house_rules.review_after_elections
    assert policy.house_rules.approved is None and policy.house_rules.paragraphs == ()
    assert "Iedereen mag reageren en vragen stellen." in sentences(policy)


@pytest.mark.parametrize("change, message", [
    (lambda h: h.update(approved="2027-01-15"), "house_rules.approved must be a date"),
    (lambda h: h.update(review_months=0), "house_rules.review_months"),
    (lambda h: h.update(review_after_elections="ja"), "house_rules.review_after_elections"),
    (lambda h: h.update(colour="blue"), "unknown key house_rules.colour"),
    (lambda h: h["paragraphs"].append({"section": "footer", "text": {"nl": "x", "en": "x"}}),
     "house_rules.paragraphs[2].section"),
    (lambda h: h["paragraphs"].append({"section": "intro", "text": {"nl": "x"}}),
     "house_rules.paragraphs[2].text lacks a translation for 'en'"),
    (lambda h: h["paragraphs"].append({"section": "intro", "text": {"nl": "{adres}", "en": "x"}}),
     "unknown placeholder {adres}"),
    (lambda h: h["platforms"].append({"name": "TikTok", "url": "javascript:alert(1)"}),
     "house_rules.platforms[3].url must be an http(s) URL"),
])
def test_the_validator_names_a_broken_house_rules_setting(raw, change, message):
    change(raw["house_rules"])
    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")
                       .replace("{", r"\{").replace("}", r"\}").replace("(", r"\(").replace(")", r"\)")):
        parse_policy(copy.deepcopy(raw))


def test_an_approval_date_is_read(raw):
    raw["house_rules"]["approved"] = date(2027, 1, 15)
    assert parse_policy(raw).house_rules.approved == date(2027, 1, 15)


# --- the fingerprint of what the rules are written from -------------------------------------------


def test_the_fingerprint_follows_the_rules_and_nothing_else(policy):
    base = house_rules.fingerprint(policy)
    assert base == house_rules.fingerprint(load_policy())
    assert house_rules.fingerprint(switched(policy, allow_commercial=True)) != base
    assert house_rules.fingerprint(
        replace(policy, strikes=replace(policy.strikes, expire_after_months=6))) != base
    assert house_rules.fingerprint(
        replace(policy, links={**policy.links, "complaints_url": "https://a.be/k"})) != base
    # A reworded suggested reply or a new version number is not a change of the rules.
    assert house_rules.fingerprint(replace(policy, version="9.9", tone=None)) == base


# --- the files for the website ------------------------------------------------------------------


class _Page(HTMLParser):
    VOID = {"meta", "br", "img", "link", "input", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert page.problems == [] and page.stack == [], (page.problems, page.stack)
    return page


def test_the_html_page_is_complete_and_accessible(policy):
    html = to_html(house_rules.build(policy, NL, approved=date(2027, 1, 15)))
    assert html.startswith("<!DOCTYPE html>")
    page = parsed(html)
    tags = [tag for tag, _ in page.tags]
    assert dict(page.tags)["html"] == {"lang": "nl"}
    assert tags.count("h1") == 1 and tags.count("h2") == 5 and "title" in tags and "main" in tags
    assert tags.count("ul") >= 5 and "li" in tags
    assert ("meta", {"charset": "utf-8"}) in page.tags
    text = "".join(page.text)
    assert "Goedgekeurd door het college van burgemeester en schepenen" in text
    assert "Na 3 overtredingen blokkeren we je op onze pagina's." in text


def test_the_html_page_has_no_script_and_no_link_but_the_policys(policy):
    page = parsed(to_html(house_rules.build(policy, NL)))
    allowed = set(policy.links.values()) | {p.url for p in policy.house_rules.platforms}
    for tag, attrs in page.tags:
        assert tag not in ("script", "iframe", "object", "embed", "link", "img", "base", "form")
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "action"):
            if name in attrs:
                assert attrs[name] in allowed, attrs[name]


def test_hostile_own_paragraphs_are_text_not_markup(raw):
    hostile = '<script>alert(1)</script> <a href="javascript:alert(2)">x</a> [klik](javascript:alert(1)) **vet**'
    raw["house_rules"]["paragraphs"] = [{"section": "intro", "text": {"nl": hostile, "en": hostile}}]
    raw["policy"]["organisation"] = 'Stad "<Zonnedorp>" & co'
    policy = parse_policy(raw)
    rules = house_rules.build(policy, NL)
    page = parsed(to_html(rules))
    assert "script" not in [tag for tag, _ in page.tags]
    assert all("javascript" not in attrs.get("href", "") for _, attrs in page.tags)
    assert [tag for tag, _ in page.tags].count("a") == 5 + len(policy.house_rules.platforms)
    assert '<script>alert(1)</script>' in "".join(page.text)  # shown as typed
    assert 'Stad "<Zonnedorp>" & co' in "".join(page.text)
    markdown = to_markdown(rules)
    assert "<script>" not in markdown and "[klik](javascript" not in markdown
    assert "\\*\\*vet\\*\\*" in markdown


def test_the_markdown_has_the_same_structure(policy):
    markdown = to_markdown(house_rules.build(policy, EN))
    lines = markdown.splitlines()
    assert lines[0] == f"# House rules for the social media of {policy.organisation}"
    assert sum(line.startswith("## ") for line in lines) == 5
    assert "- After 3 violations we block you from our pages." in lines
    assert f"[complaints form]({policy.links['complaints_url']})" in markdown
    assert "\\#HierNiet" in markdown


# --- every warning refers to the published page ---------------------------------------------------


@pytest.mark.parametrize("where", ["strike", "strike_by_rule", "conduct_public", "conduct_private"])
def test_a_warning_without_the_link_to_the_house_rules_is_refused(raw, where):
    if where == "strike":
        text = raw["strikes"]["messages"]["second_warning"]
    elif where == "strike_by_rule":
        text = raw["strikes"]["messages"]["negative.privacy"]["first_warning"]
    else:
        kind = where.split("_")[1]
        text = next(r for r in raw["nodes"]["negative.conduct"]["replies"] if r["kind"] == kind)["text"]
    text["en"] = text["en"].replace("{code_of_conduct_url}", "our website")
    with pytest.raises(PolicyError, match=r"\.en does not link the house rules"):
        parse_policy(raw)


# --- in Slack: Block Kit that Slack's own models read back, nothing typed made live -------------------


def _slack_blocks(policy, standing=None):
    from bot.blocks.house_rules import house_rules_message
    from bot.usecases.house_rules import Standing

    standing = standing or Standing(None, False, None)
    return house_rules_message(house_rules.build(policy, NL), policy, NL, standing)


def test_the_slack_message_is_block_kit_that_round_trips(policy):
    from slack_sdk.models.blocks import Block

    from bot.usecases.house_rules import Approval, Standing

    standing = Standing(Approval(1, date(2026, 1, 15), "x", "lead", "U0LEAD0001"), True,
                        date(2027, 1, 15))
    blocks = _slack_blocks(policy, standing)
    assert len(blocks) <= 50
    for block in blocks:
        assert Block.parse(block).to_dict() == block
    text = str(blocks)
    assert "veranderd sinds de goedkeuring van 15 januari 2026" in text
    assert "ten laatste op 15 januari 2027" in text
    assert f"<{policy.links['complaints_url']}|klachtenformulier>" in text
    overdue = str(_slack_blocks(policy, Standing(standing.approval, False, date(2027, 1, 15), True)))
    assert "moest ten laatste op 15 januari 2027 geëvalueerd worden" in overdue
    assert "veranderd sinds" not in overdue and "Volgende evaluatie" not in overdue


def test_typed_text_in_the_policy_pings_nobody_in_slack(raw):
    hostile = "<!channel> <@U0ANNA0001> <https://evil.example|klik> & *vet*"
    raw["house_rules"]["paragraphs"] = [{"section": "intro", "title": {"nl": hostile, "en": hostile},
                                         "text": {"nl": hostile, "en": hostile}}]
    text = str(_slack_blocks(parse_policy(raw)))
    assert "<!channel>" not in text and "<@U0ANNA0001>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in text


# --- the same export from the command line ----------------------------------------------------


def test_the_command_line_writes_the_same_page(tmp_path, capsys, raw):
    from bot.house_rules import main

    out = tmp_path / "huisregels.html"
    assert main(["--format", "html", "--output", str(out), "--approved", "2027-01-15"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html == to_html(house_rules.build(load_policy(), NL, approved=date(2027, 1, 15)))
    assert main(["--format", "md", "--language", "en"]) == 0
    assert capsys.readouterr().out.startswith("# House rules for the social media of")
    broken = tmp_path / "broken.toml"
    broken.write_text("[policy]\nname = 'x'\n", encoding="utf-8")
    assert main(["--policy", str(broken)]) == 2
    assert "error:" in capsys.readouterr().err
