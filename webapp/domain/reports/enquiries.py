"""The enquiry log (咨询, docs/rules.md §Enquiries): one row per enquiry the agency answered or referred —
on its website, at the desk or by phone — logged by its staff in seconds, or tallied at a busy desk (one
tap, one enquiry of that channel today). Annex three of the 2013 form (附表三 咨询情况统计) and the report
page count them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain.calendar import china_today
from webapp.domain.errors import Forbidden, ValidationError
from webapp.domain.reports.layout import EARLIEST_YEAR
from webapp.domain.reports.scope import year_bounds
from webapp.i18n import _l
from webapp.models import Agency, Enquiry, User
from webapp.models.annual import ENQUIRY_CHANNELS, ENQUIRY_OUTCOMES

MAX_TOPIC = 200
MAX_TALLY = 1000  # enquiries added at once from a desk's paper tally
EARLIEST_DAY = dt.date(EARLIEST_YEAR, 1, 1)

# 附表三 咨询情况统计, rows as the seed prints them: (label, unit, key of enquiry_counts())
ANNEX_THREE_TITLE = "附表三 咨询情况统计"
ANNEX_THREE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("提供服务类信息数", "条", "service_info"),
    ("网上咨询数", "人次", "online"),
    ("现场接待人数", "人次", "in_person"),
    ("咨询电话接听数", "人次", "phone"),
)


def may_log_enquiry(user: User | None, agency: Agency) -> None:
    if not authz.may_log_enquiry(user, agency):
        raise Forbidden(
            _l("仅本机关的工作人员可登记咨询"),
            {"agency": _l("不是您所属的机关：%(codes)s", codes=agency.code)},
        )


def _check(errors: dict[str, Any], channel: str, on: dt.date, outcome: str, today: dt.date) -> None:
    if channel not in ENQUIRY_CHANNELS:
        errors["channel"] = _l("应为以下之一：%(values)s", values="、".join(ENQUIRY_CHANNELS))
    if outcome not in ENQUIRY_OUTCOMES:
        errors["outcome"] = _l("应为以下之一：%(values)s", values="、".join(ENQUIRY_OUTCOMES))
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        errors["on"] = _l("应为日期")
    elif on > today:
        errors["on"] = _l("日期不能晚于今天")
    elif on < EARLIEST_DAY:
        errors["on"] = _l("日期不能早于%(date)s", date=EARLIEST_DAY.isoformat())


def record_enquiry(
    session: Session,
    agency: Agency,
    *,
    channel: str,
    on: dt.date,
    topic: str | None = None,
    service_info: bool = False,
    outcome: str = "answered",
    actor: User | None,
    now: dt.datetime,
) -> Enquiry:
    """Log one enquiry (staff of the agency). Checked first, each wrong field named; flushes."""
    may_log_enquiry(actor, agency)
    errors: dict[str, Any] = {}
    _check(errors, channel, on, outcome, china_today(now))
    topic = " ".join((topic or "").split())
    if len(topic) > MAX_TOPIC:
        errors["topic"] = _l("不能超过%(limit)s个字符", limit=MAX_TOPIC)
    if not isinstance(service_info, bool):
        errors["service_info"] = _l("应为是或否")
    if errors:
        raise ValidationError(_l("咨询登记有误，请检查标出的字段"), errors)
    enquiry = Enquiry(
        agency_id=agency.id,
        channel=channel,
        asked_on=on,
        topic=topic,
        service_info=service_info,
        outcome=outcome,
        recorded_by_id=actor.id if actor else None,
        created_at=now,
    )
    session.add(enquiry)
    session.flush()
    return enquiry


def tally_enquiries(
    session: Session,
    agency: Agency,
    *,
    channel: str,
    on: dt.date,
    count: int = 1,
    actor: User | None,
    now: dt.datetime,
) -> int:
    """The desk's counter: `count` enquiries of `channel` answered on `on`, without topic (one tap is
    one; a day's paper tally may be added at once, at most 1,000). One statement; flushes. Returns the
    channel's count for that day afterwards."""
    may_log_enquiry(actor, agency)
    errors: dict[str, Any] = {}
    _check(errors, channel, on, "answered", china_today(now))
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TALLY:
        errors["count"] = _l("应为1至%(max)s之间的整数", max=MAX_TALLY)
    if errors:
        raise ValidationError(_l("咨询登记有误，请检查标出的字段"), errors)
    row = {
        "agency_id": agency.id,
        "channel": channel,
        "asked_on": on,
        "topic": "",
        "service_info": False,
        "outcome": "answered",
        "recorded_by_id": actor.id if actor else None,
        "created_at": now,
    }
    session.execute(insert(Enquiry), [row] * count)
    session.flush()
    return day_counts(session, agency.id, on)[channel]


def enquiry_counts(session: Session, agency_ids: Sequence[int], year: int) -> dict[str, int]:
    """The year's enquiries over the agencies: `{"online", "in_person", "phone", "service_info"}` —
    by channel, and those that gave service information (提供服务类信息数). One grouped query."""
    counts = {channel: 0 for channel in ENQUIRY_CHANNELS} | {"service_info": 0}
    if not agency_ids:
        return counts
    start, end = year_bounds(year)
    rows = session.execute(
        select(
            Enquiry.channel,
            func.count(),
            func.coalesce(func.sum(case((Enquiry.service_info, 1), else_=0)), 0),
        )
        .where(Enquiry.agency_id.in_(list(agency_ids)), Enquiry.asked_on.between(start, end))
        .group_by(Enquiry.channel)
    )
    for channel, number, service in rows:
        counts[channel] = int(number)
        counts["service_info"] += int(service)
    return counts


def annex_three_rows(session: Session, agency_ids: Sequence[int], year: int) -> list[dict[str, Any]]:
    """附表三 咨询情况统计 as the seed prints it: rows `{"key", "label", "unit", "value"}`."""
    counts = enquiry_counts(session, agency_ids, year)
    return [
        {"key": key, "label": label, "unit": unit, "value": counts[key]}
        for label, unit, key in ANNEX_THREE_ROWS
    ]


def day_counts(session: Session, agency_id: int, day: dt.date) -> dict[str, int]:
    """One agency's enquiries of one day by channel (the desk's counter shows them)."""
    counts = {channel: 0 for channel in ENQUIRY_CHANNELS}
    rows = session.execute(
        select(Enquiry.channel, func.count())
        .where(Enquiry.agency_id == agency_id, Enquiry.asked_on == day)
        .group_by(Enquiry.channel)
    )
    for channel, number in rows:
        counts[channel] = int(number)
    return counts


def enquiry_summary(session: Session, agency_ids: Sequence[int], year: int) -> dict[str, Any]:
    """What the report page shows of the year's enquiries: by channel and outcome, the month's counts."""
    start, end = year_bounds(year)
    by: dict[str, dict[str, int]] = {c: {o: 0 for o in ENQUIRY_OUTCOMES} for c in ENQUIRY_CHANNELS}
    months = [0] * 12
    if agency_ids:
        month = func.extract("month", Enquiry.asked_on)
        rows = session.execute(
            select(Enquiry.channel, Enquiry.outcome, month, func.count())
            .where(Enquiry.agency_id.in_(list(agency_ids)), Enquiry.asked_on.between(start, end))
            .group_by(Enquiry.channel, Enquiry.outcome, month)
        )
        for channel, outcome, m, number in rows:
            by[channel][outcome] += int(number)
            months[int(m) - 1] += int(number)
    counts = enquiry_counts(session, agency_ids, year)
    return {
        "counts": counts,
        "total": sum(counts[c] for c in ENQUIRY_CHANNELS),
        "by_channel": by,
        "referred": sum(by[c]["referred"] for c in ENQUIRY_CHANNELS),
        "monthly": months,
    }


def recent_enquiries(session: Session, agency_ids: Sequence[int], limit: int = 20) -> list[Enquiry]:
    """The last enquiries logged with their topic, newest first (the counter's taps have none)."""
    if not agency_ids:
        return []
    return list(
        session.execute(
            select(Enquiry)
            .where(Enquiry.agency_id.in_(list(agency_ids)), Enquiry.topic != "")
            .order_by(Enquiry.asked_on.desc(), Enquiry.id.desc())
            .limit(limit)
        ).scalars()
    )
