"""Every user-facing message has a Vietnamese translation with the same placeholders."""

import functools
import re
import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from reports.i18n import LOCALES_DIR, _, use_locale

ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)
def _extracted() -> frozenset[str]:
    found = set()
    for package in ("handlers", "bot", "reminders", "reports"):
        for _f, _l, msg, _c, _ctx in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2)}
        ):
            found.update(msg if isinstance(msg, tuple) else (msg,))
    return frozenset(found)


def _catalog(locale: str):
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "danvan.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_message_is_translated_to_vietnamese():
    catalog = _catalog("vi")
    missing = sorted(m for m in _extracted() if not (catalog.get(m) and catalog.get(m).string))
    assert missing == []


def test_translations_keep_placeholders():
    catalog = _catalog("vi")
    wrong = [m.id for m in catalog if m.id and m.string and _fields(m.id) != _fields(m.string)]
    assert wrong == []


def test_vietnamese_is_the_default_and_english_available():
    assert _("Submit the report") == "Nộp báo cáo"
    with use_locale("en"):
        assert _("Submit the report") == "Submit the report"
    with use_locale("xx"):
        assert _("Submit the report") == "Nộp báo cáo"


def test_no_stale_vietnamese_entries():
    catalog = _catalog("vi")
    stale = sorted(m.id for m in catalog if m.id and m.id not in _extracted())
    assert stale == []
