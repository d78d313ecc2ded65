"""Numbers that identify a person: national register and BIS numbers, IBANs, phone numbers.

The checks are the libraries' (python-stdnum's mod 97 for national numbers and IBANs,
phonenumbers' number plans): a number is flagged only when it is a real one, so a date, an
amount, an invoice number or an 11-digit number that fails the check is not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from stdnum import iban as _iban
from stdnum.be import bis as _bis
from stdnum.be import nn as _nn

Span = tuple[int, int]

# 11 digits, written as one run or as YY.MM.DD-SSS.CC with dots, spaces, dashes or slashes.
_NATIONAL = re.compile(r"(?<![\w.,/-])\d{2}[. ]?\d{2}[. ]?\d{2}[-. /]?\d{3}[. ]?\d{2}(?![\w/-]|[.,]\d)")
# Two letters, two check digits, then 11 to 30 letters and digits, possibly in groups of four.
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{1,4}){3,8}(?![\w])", re.IGNORECASE)
_SEP = r"[ ./-]?"
_PHONE = re.compile(
    rf"(?<![\w+/.,-])(?:(?:\+|00)\d{{2}}{_SEP}(?:\(0\) ?)?\d(?:{_SEP}\d){{6,10}}"
    rf"|0\d(?:{_SEP}\d){{7,8}})(?![\w/-]|[.,]\d)"
)
_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}")
_REGIONS = ("BE", "NL")  # Belgian and Dutch number plans; an international number of either too


def national_numbers(text: str) -> Iterator[tuple[Span, str]]:
    """National register and BIS numbers with a valid check (births from 2000 included)."""
    for match in _NATIONAL.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if _nn.is_valid(digits) or _bis.is_valid(digits):
            yield match.span(), f"xx.xx.xx-xxx.{digits[-2:]}"


def ibans(text: str) -> Iterator[tuple[Span, str]]:
    """IBANs of any country whose check digits (mod 97) and length are right."""
    for match in _IBAN.finditer(text):
        value = match.group()
        # A greedy match may take the next word's first letters: try shorter until it checks.
        for end in range(len(value), 14, -1):
            candidate = value[:end].rstrip()
            if _iban.is_valid(candidate, check_country=False):
                compact = _iban.compact(candidate)
                start = match.start()
                yield (start, start + len(candidate)), f"{compact[:2]}xx … {compact[-2:]}"
                break


def phones(text: str, *, skip: list[Span]) -> Iterator[tuple[Span, str]]:
    """Belgian or Dutch phone numbers in a real number plan range, outside the spans in
    ``skip`` (numbers already found as something else).

    Candidates are digits written as people write a phone number (an international prefix, or a
    leading 0 in the national form); phonenumbers then decides whether the number exists."""
    for match in _PHONE.finditer(text):
        span = match.span()
        raw = match.group()
        if _overlaps(span, skip) or _DATE.search(raw):
            continue
        number = _parse(raw)
        if number is not None:
            yield span, _mask_phone(number)


def _parse(raw: str) -> phonenumbers.PhoneNumber | None:
    for region in _REGIONS:
        try:
            number = phonenumbers.parse(raw.replace("(0)", ""), region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and phonenumbers.region_code_for_number(number) in _REGIONS:
            return number
    return None


def _mask_phone(number: phonenumbers.PhoneNumber) -> str:
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = [i for i, c in enumerate(shown) if c.isdigit()]
    keep = set(digits[:2] + digits[-2:])
    return "".join(c if (not c.isdigit() or i in keep) else "x" for i, c in enumerate(shown))


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)
