"""The one way the product writes a day: 2024年6月14日 in Chinese (documents, e-mails, deadline
explanations, pages), 2024-06-14 for an English reader; and a moment, on China's clock."""

from __future__ import annotations

import datetime as dt

from webapp.domain.calendar import CHINA
from webapp.i18n import wants_english


def cn_date(day: dt.date | str | None, *, english: bool = False) -> str:
    """A day (or its ISO text) as Chinese writes it; "—" when there is none."""
    if day is None:
        return "—"
    d = dt.date.fromisoformat(day) if isinstance(day, str) else day
    if english:
        return d.isoformat()
    return f"{d.year}年{d.month}月{d.day}日"


def reader_date(day: dt.date | str | None) -> str:
    """A day as the reader of the page writes it (2024年6月14日, or 2024-06-14 in English): for messages
    shown on the pages, such as an error naming the last day allowed."""
    return cn_date(day, english=wants_english())


def china_time(moment: dt.datetime | None) -> str:
    """A moment as China's clock shows it (2024-06-14 09:30); "—" when there is none."""
    if moment is None:
        return "—"
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
