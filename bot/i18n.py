"""The translation layer: every text the bot shows that is not in the policy comes from here.

Catalogs are gettext ``.po`` files under ``bot/locale/<language>/LC_MESSAGES/messages.po``, read
with Babel at start-up (no compile step). Message ids are stable keys such as ``case.closed``, so a
key missing from one language is caught by the tests rather than shown to a user in the wrong one.

Every value filled into a text is escaped for Slack's mrkdwn (:func:`bot.mrkdwn.escape`) unless it
is already :class:`~bot.mrkdwn.Mrkdwn` (a mention, a link or a channel the bot built, or another
translated text), so a reason, an answer or a name a person typed can never ping or link. Texts
for ``plain_text`` objects (button labels, modal titles, a form's error under a field), where Slack
parses no markup, use :meth:`Translator.plain`, which fills values in as they are.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path
from typing import Callable

from babel.messages.pofile import read_po

from bot.config import LANGUAGES
from bot.mrkdwn import Mrkdwn, escape

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "nl"


class MissingTranslation(KeyError):
    pass


@lru_cache(maxsize=None)
def _read(language: str) -> tuple[dict[str, str], dict[str, tuple[str, ...]], Callable[[int], int]]:
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    texts: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for m in po:
        if not m.id or not m.string:
            continue
        if isinstance(m.id, (tuple, list)):  # msgid, msgid_plural and msgstr[n]
            forms = tuple(str(f) for f in m.string)
            if all(forms):
                plurals[str(m.id[0])] = forms
                texts[str(m.id[0])] = forms[-1]
        else:
            texts[str(m.id)] = str(m.string)
    # gettext's own reading of the catalog's Plural-Forms header: the form ngettext picks.
    return texts, plurals, gettext.c2py(po.plural_expr)


def catalog(language: str) -> dict[str, str]:
    """All keys and texts of one language (a plural text by its last form)."""
    return _read(language)[0]


class Translator:
    """Texts of one language; ``tr("key", name=value)`` fills ``{name}`` placeholders."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        self._texts, self._plurals, self._plural_form = _read(language)

    def _text(self, key: str) -> str:
        try:
            return self._texts[key]
        except KeyError:
            raise MissingTranslation(f"no {self.language!r} text for {key!r}") from None

    def __call__(self, key: str, **values: object) -> Mrkdwn:
        """The text as mrkdwn: every value escaped unless it is already mrkdwn."""
        return _fill(self._text(key), values)

    def plain(self, key: str, **values: object) -> str:
        """The text for a ``plain_text`` object, where Slack parses no markup: values as they are."""
        text = self._text(key)
        return text.format(**values) if values else text

    def plural(self, key: str, count: int, **values: object) -> Mrkdwn:
        """ngettext: the form the language uses for ``count``, which fills ``{count}``."""
        forms = self._plurals.get(key)
        if forms is None:
            raise MissingTranslation(f"no {self.language!r} plural text for {key!r}")
        index = min(self._plural_form(count), len(forms) - 1)
        return _fill(forms[index], {**values, "count": count})


def _fill(text: str, values: dict[str, object]) -> Mrkdwn:
    if not values:
        return Mrkdwn(text)
    return Mrkdwn(text.format(**{
        name: value if isinstance(value, (int, float, Mrkdwn)) and not isinstance(value, bool)
        else escape(value)
        for name, value in values.items()
    }))
