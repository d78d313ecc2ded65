"""The translation layer: every text the bot shows that is not in the policy comes from here.

Catalogs are gettext ``.po`` files under ``bot/locale/<language>/LC_MESSAGES/messages.po``, read
with Babel at start-up (no compile step). Message ids are stable keys such as ``case.closed``, so a
key missing from one language is caught by the tests rather than shown to a user in the wrong one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.config import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "nl"


class MissingTranslation(KeyError):
    pass


@lru_cache(maxsize=None)
def catalog(language: str) -> dict[str, str]:
    """All keys and texts of one language."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


class Translator:
    """Texts of one language; ``tr("key", name=value)`` fills ``{name}`` placeholders."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language
        self._texts = catalog(language)

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = self._texts[key]
        except KeyError:
            raise MissingTranslation(f"no {self.language!r} text for {key!r}") from None
        return text.format(**values) if values else text
