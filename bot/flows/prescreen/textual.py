"""Signals in the words themselves: e-mail addresses, links, capitals, and the normalised form of
a post that the repeat check compares."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process

Span = tuple[int, int]

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?![\w-])"
)
_TLDS = (
    "be|nl|com|org|net|eu|info|io|co|ly|gl|at|in|fr|de|uk|me|tv|app|site|online|shop|xyz|biz|gd|"
    "cc|id|to|link|click|store|news|vlaanderen|brussels|gent|live|ru|cn"
)
_URL = re.compile(
    rf"(?:https?://|www\.)[^\s<>|\"]+"
    rf"|(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:{_TLDS})(?![\w@-]|\.\w)(?:/[^\s<>|\"]*)?",
    re.IGNORECASE,
)
# URL shorteners: a link through one of these hides where it leads.
SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly",
    "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "lnkd.in", "s.id", "t.ly",
    "v.gd", "shorte.st", "adf.ly", "bl.ink", "qrco.de", "tiny.one", "short.io", "urlz.fr",
    "fb.me", "trib.al", "dlvr.it", "ift.tt", "soo.gd", "clck.ru", "surl.li", "shorturl.com",
})

CAPS_MIN_LETTERS = 20
CAPS_SHARE = 0.6
ACRONYM_MAX = 5  # an all-capital word this short may be an acronym (OCMW, NMBS, BTW, CD&V)

REPEAT_MIN_CHARS = 40
REPEAT_SCORE = 90  # rapidfuzz ratio (0-100) of two normalised posts that are near-duplicates


def emails(text: str) -> Iterator[tuple[Span, str]]:
    for match in _EMAIL.finditer(text):
        local, _, domain = match.group().partition("@")
        yield match.span(), f"{local[:1]}…@…{domain.rsplit('.', 1)[-1]}"


def links(text: str, *, own: Iterable[str] = ()) -> Iterator[tuple[Span, str, bool]]:
    """Links other than the post's own addresses in ``own``: each with its host and whether it
    goes through a URL shortener."""
    own_keys = {_link_key(o) for o in own if o}
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)")
        if "@" in url.split("/", 1)[0]:
            continue
        if _link_key(url) in own_keys:
            continue
        host = _host(url)
        if not host:
            continue
        yield (match.start(), match.start() + len(url)), host, host in SHORTENERS


def is_mostly_capitals(text: str) -> bool:
    """Whether most letters are capitals, counting only when there are at least
    ``CAPS_MIN_LETTERS`` letters outside acronyms.

    A short all-capital word among ordinary ones is an acronym (OCMW, NMBS, CD&V); a run of
    all-capital words is shouting once it holds a long word or several words."""
    upper = lower = 0
    for run, capitals in _runs(re.findall(r"[^\W\d_]+", _URL.sub(" ", text))):
        if capitals and not _shouting(run):
            continue
        for char in "".join(run):
            if char.isupper():
                upper += 1
            elif char.islower():
                lower += 1
    letters = upper + lower
    return letters >= CAPS_MIN_LETTERS and upper / letters > CAPS_SHARE


def _runs(words: list[str]) -> Iterator[tuple[list[str], bool]]:
    """Consecutive words grouped by whether they are all capitals (single letters join either)."""
    run: list[str] = []
    capitals = False
    for word in words:
        is_capital = word.isupper()
        if run and is_capital != capitals and len(word) > 1:
            yield run, capitals
            run = []
        if not run:
            capitals = is_capital
        run.append(word)
    if run:
        yield run, capitals


def _shouting(run: list[str]) -> bool:
    return any(len(w) > ACRONYM_MAX for w in run) or sum(len(w) >= 3 for w in run) >= 4


def repeat_key(text: str) -> str:
    """A post as the repeat check compares it: without case, links, digits, emoji and
    punctuation; empty when what is left is shorter than ``REPEAT_MIN_CHARS``."""
    words = _URL.sub(" ", _EMAIL.sub(" ", text)).lower()
    words = re.sub(r"[\W\d_]+", " ", words).strip()
    return words if len(words) >= REPEAT_MIN_CHARS else ""


def is_repeat(key: str, earlier: Iterable[str]) -> bool:
    """Whether the post with ``repeat_key`` ``key`` nearly repeats one of the ``earlier`` keys."""
    if not key:
        return False
    candidates = [e for e in earlier if e]
    if not candidates:
        return False
    return process.extractOne(key, candidates, scorer=fuzz.ratio, score_cutoff=REPEAT_SCORE) is not None


def _host(url: str) -> str:
    full = url if re.match(r"https?://", url, re.IGNORECASE) else "http://" + url
    try:
        host = (urlsplit(full).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _link_key(url: str) -> str:
    full = url if re.match(r"https?://", url, re.IGNORECASE) else "http://" + url
    try:
        parts = urlsplit(full.strip())
    except ValueError:
        return url
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    return host + parts.path.rstrip("/")
