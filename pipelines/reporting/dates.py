"""Dates as precise as the register says they are.

A register row dated to a month (`date_precision` month, stored as the 1st) must not read as the
1st of that month: "Oct 2015", not "2015-10-01". The report and the notebooks print event dates
through here; exports keep the ISO date and the precision column side by side.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _as_date(value) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def at_precision(value, precision: str | None = "day") -> str:
    """'29 Aug 2025' for a day, 'Oct 2015' for a month, '2015' for a year; '' for no date."""
    day = _as_date(value)
    if day is None:
        return ""
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def machine_date(value, precision: str | None = "day") -> str:
    """The same date for a <time datetime> attribute: 2025-08-29, 2015-10 or 2015."""
    day = _as_date(value)
    if day is None:
        return ""
    return {"year": day.strftime("%Y"), "month": day.strftime("%Y-%m")}.get(
        precision or "day", day.isoformat()
    )
