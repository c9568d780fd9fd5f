"""Numbers, percentages and dates written the Vietnamese way (Babel, vi_VN), rounded half-up."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from reports.clock import vn_time

DEFAULT_LOCALE = "vi_VN"


def _half_up(value: Decimal | int | float, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_number(value: Decimal | int | float, places: int = 2, locale: str = DEFAULT_LOCALE) -> str:
    """``4840.67`` → ``4.840,67``; ``1028`` → ``1.028``; at most ``places`` decimals, half-up."""
    rounded = _half_up(value, places)
    pattern = "#,##0" + ("." + "#" * places if places else "")
    return format_decimal(rounded, format=pattern, locale=locale)


def fmt_percent(fraction: Decimal | int | float, places: int = 2, locale: str = DEFAULT_LOCALE) -> str:
    """A fraction as a percentage: ``0.8`` → ``80%``, ``0.85476`` → ``85,48%`` (half-up)."""
    rounded = _half_up(Decimal(str(fraction)) * 100, places) / 100
    pattern = "#,##0" + ("." + "#" * places if places else "") + "%"
    return format_percent(rounded, format=pattern, locale=locale)


def fmt_date(value: date, locale: str = DEFAULT_LOCALE) -> str:
    """``19/02/2024``: the short form used inside Vietnamese administrative prose."""
    return format_date(value, "dd/MM/yyyy", locale=locale)


def fmt_moment(moment: datetime | None) -> str:
    """``09:05 19/02/2024``: a stored moment in Vietnam's time, as the chat shows it."""
    if moment is None:
        return ""
    local = vn_time(moment)
    return f"{local.strftime('%H:%M')} {fmt_date(local.date())}"


def date_line(place: str, day: int | None, month: int, year: int) -> str:
    """The decree's place-and-date line: zero before days 1–9 and months 1–2; day may be blank."""
    day_text = f"{day:02d}" if day else "   "
    month_text = f"{month:02d}" if month < 3 else str(month)
    return f"{place}, ngày {day_text} tháng {month_text} năm {year}"


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(n: int) -> str:
    """``n`` in Roman numerals: the body's top headings (I., II.), a quarter (quý III)."""
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)
