"""Signals in the words themselves: e-mail addresses, links, capitals, and the normalised form of
a post that the repeat check compares."""

from __future__ import annotations

import hashlib
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
PRINT_CHARS = 320  # a post's fingerprint is made of the start of its repeat key
PRINT_DISTANCE = 14  # fingerprints this many bits apart or fewer may be near-duplicates
PRINT_CANDIDATES = 10  # at most this many earlier posts are compared word for word


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


_LETTERS = re.compile(r"[^\W\d_]+")
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def without_links(text: str) -> str:
    """``text`` with its links and e-mail addresses taken out."""
    return _URL.sub(" ", _EMAIL.sub(" ", text))


def is_mostly_capitals(text: str) -> bool:
    """Whether most letters are capitals, counting only when there are at least
    ``CAPS_MIN_LETTERS`` letters outside acronyms.

    A short all-capital word among ordinary ones is an acronym (OCMW, NMBS, CD&V); a run of
    all-capital words is shouting once it holds a long word or several words."""
    upper = lower = 0
    for run, capitals in _runs(_LETTERS.findall(text)):
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


def repeat_key(text: str, *, links_removed: bool = False) -> str:
    """A post as the repeat check compares it: without case, links, digits, emoji and
    punctuation; empty when what is left is shorter than ``REPEAT_MIN_CHARS``.
    ``links_removed``: the caller already took links out (:func:`without_links`)."""
    words = (text if links_removed else without_links(text)).lower()
    words = _NOT_LETTERS.sub(" ", words).strip()
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


def fingerprint(key: str) -> int | None:
    """A 64-bit similarity hash (simhash over four-letter pieces) of a repeat key, as a signed
    integer for the database: near-duplicate posts get fingerprints a few bits apart. It cannot
    be turned back into the words. None for a key too short to compare."""
    if not key:
        return None
    pieces = {key[i:i + 4] for i in range(max(1, min(len(key), PRINT_CHARS) - 3))}
    bits = [format(int.from_bytes(hashlib.blake2b(p.encode(), digest_size=8).digest(), "big"), "064b")
            for p in pieces]
    half = len(bits) / 2
    value = int("".join("1" if column.count("1") > half else "0" for column in zip(*bits)), 2)
    return value - (1 << 64) if value >= 1 << 63 else value


def similar_sizes(size: int) -> tuple[int, int]:
    """The sizes a near-duplicate of a repeat key of ``size`` characters can have: a ratio of
    ``REPEAT_SCORE`` needs the shorter key to be at least that share of both together."""
    share = REPEAT_SCORE / (200 - REPEAT_SCORE)  # shorter / longer at the lowest ratio
    return int(size * share), int(size / share) + 1


def nearest(print_: int, earlier: Iterable[tuple[int, int]]) -> list[int]:
    """Of ``earlier`` (an id and a fingerprint each), the ids whose fingerprint is within
    ``PRINT_DISTANCE`` bits of ``print_``, nearest first, at most ``PRINT_CANDIDATES``."""
    mask = (1 << 64) - 1
    close = [(distance, row_id) for row_id, other in earlier
             if (distance := ((print_ ^ other) & mask).bit_count()) <= PRINT_DISTANCE]
    close.sort()
    return [row_id for _, row_id in close[:PRINT_CANDIDATES]]
