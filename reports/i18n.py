"""gettext for every layer: ``_()`` translates into the locale of the event being handled.

Catalogs are the ``.po`` files under ``locales/`` (in a checkout), shipped inside the wheel as
``reports/locales/`` (package data, see ``pyproject.toml``); they are compiled in memory on first
use, so a fresh checkout needs no build step. Message ids are English; Vietnamese is the default
locale. A missing catalog is logged once as an error: the texts would silently be English.
"""

from __future__ import annotations

import gettext
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Iterator

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

log = logging.getLogger(__name__)


def _locales_dir() -> Path:
    shipped = Path(__file__).resolve().parent / "locales"  # installed from a wheel
    return shipped if shipped.is_dir() else Path(__file__).resolve().parent.parent / "locales"


LOCALES_DIR = _locales_dir()
DOMAIN = "danvan"
DEFAULT_LOCALE = "vi"
SUPPORTED = ("vi", "en")

_locale: ContextVar[str] = ContextVar("danvan_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=8)
def translations(locale: str) -> gettext.NullTranslations:
    po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        if locale != "en":  # English is the message ids themselves
            log.error("the %s catalog is missing (%s): texts will be shown in English", locale, po)
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def _(message: str) -> str:
    return translations(_locale.get()).gettext(message)


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    token = _locale.set(locale if locale in SUPPORTED else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _locale.reset(token)
