"""The translation layer: every text the bot shows that is not in the policy comes from here.

Catalogs are gettext ``.po`` files under ``bot/locale/<language>/LC_MESSAGES/messages.po``, read
with Babel at start-up (no compile step). Message ids are stable keys such as ``case.closed``, so a
key missing from one language is caught by the tests rather than shown to a user in the wrong one.

A text that shows a number is a plural entry (``msgid_plural`` with one ``msgstr[i]`` per plural
form of the language, chosen by the catalog's ``Plural-Forms``): ``tr.plural("key", n)`` fills
``{n}``. Moments are written by :meth:`Translator.time`, in each language's own way ("03/12 om
14:05", "3 Dec 14:05"), always in Brussels time.

Every value filled into a text is escaped for Slack's mrkdwn (:func:`bot.core.mrkdwn.escape`) unless it
is already :class:`~bot.core.mrkdwn.Mrkdwn` (a mention, a link or a channel the bot built, or another
translated text), so a reason, an answer or a name a person typed can never ping or link. Texts
for ``plain_text`` objects (button labels, modal titles, a form's error under a field), where Slack
parses no markup, use :meth:`Translator.plain`, which fills values in as they are.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.core.clock import BRUSSELS
from bot.core.config import LANGUAGES
from bot.core.mrkdwn import Mrkdwn, escape

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LANGUAGE = "nl"


class MissingTranslation(KeyError):
    pass


@dataclass(frozen=True)
class _Texts:
    single: dict[str, str]
    plural: dict[str, tuple[str, ...]]  # one text per plural form, in the catalog's order
    form: Callable[[int], int]  # which plural form a number takes (the catalog's Plural-Forms)


@lru_cache(maxsize=None)
def _load(language: str) -> _Texts:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    single: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    for m in po:
        if not m.id:
            continue
        if isinstance(m.id, (tuple, list)):
            forms = tuple(str(s) for s in m.string)
            if all(forms):
                plural[str(m.id[0])] = forms
        elif m.string:
            single[str(m.id)] = str(m.string)
    return _Texts(single, plural, gettext.c2py(po.plural_expr))


def catalog(language: str) -> dict[str, str]:
    """All keys and texts of one language (a plural entry by its last, most general form)."""
    texts = _load(language)
    return {**texts.single, **{key: forms[-1] for key, forms in texts.plural.items()}}


def plural_catalog(language: str) -> dict[str, tuple[str, ...]]:
    """The plural entries of one language: every form of each."""
    return dict(_load(language).plural)


class Translator:
    """Texts of one language; ``tr("key", name=value)`` fills ``{name}`` placeholders."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        loaded = _load(language)
        self._texts = loaded.single
        self._plural = loaded.plural
        self._form = loaded.form

    def __call__(self, key: str, **values: object) -> Mrkdwn:
        """The text as mrkdwn: every value escaped unless it is already mrkdwn."""
        return Mrkdwn(self._format(key, {k: _safe(v) for k, v in values.items()}))

    def plain(self, key: str, **values: object) -> str:
        """The text for a ``plain_text`` object, where Slack parses no markup: values as they are."""
        return self._format(key, dict(values))

    def _format(self, key: str, values: dict[str, object]) -> str:
        try:
            text = self._texts[key]
        except KeyError:
            if key in self._plural and isinstance(values.get("n"), int):
                n = values.pop("n")
                return self._plural_text(key, n, values)  # type: ignore[arg-type]
            raise MissingTranslation(f"no {self.language!r} text for {key!r}") from None
        return text.format(**values) if values else text

    def plural(self, key: str, n: int, **values: object) -> Mrkdwn:
        """The text for the number ``n`` (in the form the language takes for it), ``{n}`` filled;
        as mrkdwn, every other value escaped unless it is already mrkdwn."""
        return Mrkdwn(self._plural_text(key, n, {k: _safe(v) for k, v in values.items()}))

    def _plural_text(self, key: str, n: int, values: dict[str, object]) -> str:
        try:
            forms = self._plural[key]
        except KeyError:
            raise MissingTranslation(f"no {self.language!r} plural text for {key!r}") from None
        text = forms[min(self._form(n), len(forms) - 1)]
        return text.format(n=n, **values)

    def time(self, moment: datetime, *, year: bool = False, zone: tzinfo | None = None) -> str:
        """A moment as the team reads it, Brussels time unless ``zone`` says otherwise:
        "03/12 om 14:05" in Dutch, "3 Dec 14:05" in English."""
        local = moment.astimezone(zone or BRUSSELS)
        month = self._texts["time.months"].split()[local.month - 1]
        parts = {"day": local.day, "dd": f"{local.day:02d}", "mm": f"{local.month:02d}",
                 "month": month, "year": local.year, "clock": f"{local:%H:%M}"}
        date = self._texts["time.date_year" if year else "time.date"].format(**parts)
        return self._texts["time.moment"].format(date=date, **parts)


def _safe(value: object) -> object:
    """A value as it may be filled into mrkdwn: numbers and mrkdwn as they are, the rest escaped."""
    if isinstance(value, (int, float, Mrkdwn)) and not isinstance(value, bool):
        return value
    return escape(value)
