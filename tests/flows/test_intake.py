"""A forwarded post: its link, the platform it came from and its author's handle.

Pure tests: no Slack, no database. People and handles are made up.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.intake import PLATFORMS, find_link, guess_platform, normalise_handle

HANDLE = re.compile(r"[a-z0-9._-]{1,100}")

# ---------------------------------------------------------------------------------------------
# find_link
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "link"),
    [
        (
            "Kijk eens: <https://www.facebook.com/fictieve.bakkerij/posts/123|facebook.com/fictieve.bakkerij>",
            "https://www.facebook.com/fictieve.bakkerij/posts/123",
        ),
        ("<https://x.com/verzonnen_naam/status/42>", "https://x.com/verzonnen_naam/status/42"),
        (
            "eerst <https://www.instagram.com/p/AbC123/|deze> en dan <https://example.be/b>",
            "https://www.instagram.com/p/AbC123/",
        ),
        ("<http://example.be/pad?a=1|label met spaties>", "http://example.be/pad?a=1"),
    ],
)
def test_find_link_in_slack_formatted_text(text: str, link: str) -> None:
    assert find_link(text) == link


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("zie https://www.tiktok.com/@verzonnen.naam/video/7", "https://www.tiktok.com/@verzonnen.naam/video/7"),
        ("Dit bericht: https://example.be/nieuws/item.", "https://example.be/nieuws/item"),
        ("Hier https://example.be/a, en ook elders", "https://example.be/a"),
        ("Wat is dit?? https://example.be/vraag?!", "https://example.be/vraag"),
        ("(bron: https://example.be/bron)", "https://example.be/bron"),
        ("https://example.be/x;", "https://example.be/x"),
        ("https://example.be/x:", "https://example.be/x"),
        ("https://example.be/pad/?id=5", "https://example.be/pad/?id=5"),
        ("twee: https://example.be/1 https://example.be/2", "https://example.be/1"),
    ],
)
def test_find_link_in_plain_text_drops_trailing_punctuation(text: str, link: str) -> None:
    assert find_link(text) == link


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "Een reactie zonder link.",
        "www.example.be zonder schema",
        "<@U0FAKEUSER1> kijk eens",
        "<#C0FAKECHAN|kanaal>",
        "ftp://example.be/bestand",
    ],
)
def test_find_link_gives_none_without_a_link(text: str | None) -> None:
    assert find_link(text) is None


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_find_link_never_fails(text: str) -> None:
    link = find_link(text)
    assert link is None or (link.startswith(("http://", "https://")) and link in text)


# ---------------------------------------------------------------------------------------------
# guess_platform
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "platform"),
    [
        ("https://facebook.com/verzonnen.naam", "facebook"),
        ("https://www.facebook.com/verzonnen.naam/posts/1", "facebook"),
        ("https://m.facebook.com/story.php?story_fbid=1", "facebook"),
        ("https://fb.watch/aBcDeF/", "facebook"),
        ("HTTPS://WWW.FACEBOOK.COM/Verzonnen", "facebook"),
        ("https://www.instagram.com/p/AbC123/", "instagram"),
        ("https://instagram.com/verzonnen.naam", "instagram"),
        ("https://x.com/verzonnen_naam/status/1", "x"),
        ("https://twitter.com/verzonnen_naam", "x"),
        ("https://mobile.twitter.com/verzonnen_naam/status/1", "x"),
        ("https://www.tiktok.com/@verzonnen.naam/video/1", "tiktok"),
        ("https://vm.tiktok.com/ZMabc123/", "tiktok"),
        ("https://www.linkedin.com/in/verzonnen-naam", "linkedin"),
        ("https://www.youtube.com/watch?v=abc", "youtube"),
        ("https://m.youtube.com/@verzonnen", "youtube"),
        ("https://youtu.be/abc123", "youtube"),
        ("https://www.example.be/nieuws", "website"),
        ("http://gemeente-fictief.be", "website"),
        ("https://notfacebook.com/verzonnen", "website"),
        ("https://facebook.com.example.org/x", "website"),
        ("https://myinstagram.com/x", "website"),
        ("https://x.company.example/x", "website"),
        ("https://facebook.com@example.org/x", "website"),
    ],
)
def test_guess_platform(link: str, platform: str) -> None:
    assert guess_platform(link) == platform


@pytest.mark.parametrize(
    "link", [None, "", "geen link", "facebook", "http://", "https://[::1", "://", "   "]
)
def test_guess_platform_without_a_usable_link_is_other(link: str | None) -> None:
    assert guess_platform(link) == "other"


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.text(), st.text().map(lambda t: "https://" + t)))
def test_guess_platform_always_names_a_known_platform(link: str | None) -> None:
    assert guess_platform(link) in PLATFORMS


# ---------------------------------------------------------------------------------------------
# normalise_handle
# ---------------------------------------------------------------------------------------------

SAME_PERSON = [
    (
        "instagram",
        "jan.verzonnen",
        [
            "jan.verzonnen",
            "Jan.Verzonnen",
            "@jan.verzonnen",
            "  @JAN.VERZONNEN \n",
            "https://www.instagram.com/jan.verzonnen/",
            "https://instagram.com/jan.verzonnen",
            "instagram.com/jan.verzonnen/",
            "www.instagram.com/Jan.Verzonnen/?hl=nl",
        ],
    ),
    (
        "x",
        "an_fictief",
        [
            "an_fictief",
            "@An_Fictief",
            "https://x.com/an_fictief",
            "x.com/An_Fictief",
            "https://twitter.com/an_fictief/",
            "https://mobile.twitter.com/an_fictief",
            "https://x.com/an_fictief/status/12345",
        ],
    ),
    (
        "tiktok",
        "piet.bedacht",
        [
            "@piet.bedacht",
            "piet.bedacht",
            "https://www.tiktok.com/@piet.bedacht",
            "tiktok.com/@Piet.Bedacht",
            "https://www.tiktok.com/@piet.bedacht/video/7",
        ],
    ),
    (
        "facebook",
        "100000123",
        [
            "100000123",
            "https://www.facebook.com/profile.php?id=100000123",
            "facebook.com/profile.php?id=100000123",
            "https://m.facebook.com/profile.php?id=100000123&ref=xyz",
        ],
    ),
    (
        "facebook",
        "mieke.fictief",
        [
            "Mieke.Fictief",
            "https://www.facebook.com/mieke.fictief",
            "facebook.com/mieke.fictief/",
        ],
    ),
    (
        "linkedin",
        "lotte-verzonnen",
        [
            "lotte-verzonnen",
            "https://www.linkedin.com/in/lotte-verzonnen/",
            "linkedin.com/in/Lotte-Verzonnen",
        ],
    ),
    (
        "youtube",
        "kanaalfictief",
        [
            "@KanaalFictief",
            "https://www.youtube.com/@kanaalfictief",
            "youtube.com/@KanaalFictief",
            "https://www.youtube.com/@kanaalfictief/videos",
        ],
    ),
]


@pytest.mark.parametrize(("platform", "handle", "spellings"), SAME_PERSON,
                         ids=[f"{p}-{h}" for p, h, _ in SAME_PERSON])
def test_every_spelling_of_a_person_gives_one_handle(
    platform: str, handle: str, spellings: list[str]
) -> None:
    for spelling in spellings:
        assert normalise_handle(platform, spelling) == handle, spelling


@pytest.mark.parametrize(
    ("platform", "link"),
    [
        ("facebook", "https://www.facebook.com/groups/fictieve.groep"),
        ("facebook", "facebook.com/groups/fictieve.groep/posts/1"),
        ("facebook", "https://www.facebook.com/watch?v=123"),
        ("facebook", "https://www.facebook.com/permalink.php?story_fbid=1&id=2"),
        ("facebook", "https://www.facebook.com/share/p/AbC/"),
        ("facebook", "https://www.facebook.com/profile.php"),
        ("instagram", "https://www.instagram.com/p/AbC123/"),
        ("instagram", "instagram.com/p/abc"),
        ("instagram", "https://www.instagram.com/reel/AbC123/"),
        ("x", "https://x.com/i/web/status/1"),
        ("x", "https://x.com/hashtag/fictief"),
        ("x", "https://x.com/"),
        ("linkedin", "https://www.linkedin.com/posts/fictief_activity-1"),
        ("linkedin", "https://www.linkedin.com/feed/update/urn:li:activity:1/"),
        ("youtube", "https://www.youtube.com/watch?v=abc"),
        ("youtube", "https://www.youtube.com/shorts/abc"),
        ("linkedin", "https://www.linkedin.com/in/"),
    ],
)
def test_a_post_link_gives_no_handle(platform: str, link: str) -> None:
    assert normalise_handle(platform, link) is None


@pytest.mark.parametrize(
    ("platform", "link"),
    [
        ("tiktok", "https://www.tiktok.com/t/ZTabc123/"),
        ("tiktok", "https://vm.tiktok.com/ZMabc123/"),
        ("youtube", "https://youtu.be/AbCdEf12345"),
        ("facebook", "https://fb.watch/aBcDeF/"),
    ],
)
def test_a_short_post_link_gives_no_handle(platform: str, link: str) -> None:
    assert normalise_handle(platform, link) is None


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "\n\t",
        "@",
        "@@  ",
        None,
        "a" * 10_000,
        "@" + "b" * 10_000,
        "a" * 101,
        "jan verzonnen",
        "Jan Verzonnen (bewoner)",
        "😀",
        "jan😀",
        "jan/verzonnen",
        "jan,verzonnen",
        "ｊａｎ",
    ],
)
def test_nothing_usable_gives_none(raw: str | None) -> None:
    assert normalise_handle("instagram", raw) is None


def test_the_longest_handle_is_kept() -> None:
    assert normalise_handle("x", "A" * 100) == "a" * 100


HANDLE_LIKE = st.text(alphabet="abcXYZ019._-@ /:?=", max_size=40)
URL_LIKE = st.builds(
    lambda scheme, host, path: scheme + host + path,
    st.sampled_from(["", "http://", "https://", "HTTPS://"]),
    st.sampled_from(["facebook.com", "www.facebook.com", "m.facebook.com", "instagram.com",
                     "x.com", "twitter.com", "www.tiktok.com", "www.linkedin.com",
                     "youtube.com", "youtu.be", "example.be"]),
    st.text(alphabet="abcXYZ019._-@/?=&%", max_size=40).map(lambda p: "/" + p),
)


@settings(max_examples=300, deadline=None)
@given(platform=st.sampled_from(PLATFORMS), raw=st.one_of(st.text(), HANDLE_LIKE, URL_LIKE))
def test_a_handle_is_none_or_plain_and_normalising_is_idempotent(platform: str, raw: str) -> None:
    once = normalise_handle(platform, raw)
    if once is None:
        return
    assert HANDLE.fullmatch(once), once
    assert normalise_handle(platform, once) == once
    assert normalise_handle(platform, "@" + once.upper()) == once
