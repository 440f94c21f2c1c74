"""Generated years of requests for the annex-two tests, and an independent count of both forms in plain
Python (docs/rules.md §Outcomes, §Annex two written out again here, on purpose not reusing
webapp.domain.reports)."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tests.factories import VALID_CREDIT_CODE, VALID_RESIDENT_ID, applicant, reply_fields
from webapp.domain.calendar import WorkCalendar, current_calendar
from webapp.domain.errors import DomainError
from webapp.domain.requests import act, submit
from webapp.models import Agency, Appeal, Event, Request, User

TYPES = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_interest_org",
    "legal_service_org",
    "other_org",
]
CHANNELS = ["in_person", "fax", "email", "online", "letter", "other"]
UNFINISHED = ["received", "in_progress", "awaiting_correction", "consulting", "awaiting_fee"]

# docs/rules.md §Annex two, row by row.
ROW_2021 = {
    "disclosed": "3.1",
    "partially_disclosed": "3.2",
    "withheld_state_secret": "3.3.1",
    "withheld_law_prohibits": "3.3.2",
    "withheld_security_stability": "3.3.3",
    "withheld_third_party": "3.3.4",
    "withheld_internal_affairs": "3.3.5",
    "withheld_deliberative": "3.3.6",
    "withheld_enforcement_file": "3.3.7",
    "withheld_inquiry_matter": "3.3.8",
    "not_held": "3.4.1",
    "not_exist": "3.4.1",
    "requires_creation": "3.4.2",
    "unclear": "3.4.3",
    "not_processed_petition": "3.5.1",
    "not_processed_duplicate": "3.5.2",
    "not_processed_publication": "3.5.3",
    "not_processed_excessive": "3.5.4",
    "not_processed_reconfirm": "3.5.5",
    "closed_correction_lapsed": "3.6.1",
    "closed_fee_unpaid": "3.6.2",
    "closed_other": "3.6.3",
}
OUTCOMES = list(ROW_2021)
CLOSURES = {"closed_correction_lapsed", "closed_fee_unpaid", "closed_other"}
REPLIES = [o for o in OUTCOMES if o not in CLOSURES]
ROWS_2021_ORDER = [
    "received",
    "carried_in",
    None,
    "3.1",
    "3.2",
    None,
    *[f"3.3.{i}" for i in range(1, 9)],
    None,
    *[f"3.4.{i}" for i in range(1, 4)],
    None,
    *[f"3.5.{i}" for i in range(1, 6)],
    None,
    *[f"3.6.{i}" for i in range(1, 4)],
    "finished",
    "carried_out",
]


@dataclass
class Row:
    id: int
    agency_id: int
    channel: str
    applicant_type: str
    received_on: dt.date
    finished_on: dt.date | None
    outcome: str | None
    due_on: dt.date | None
    pauses: list[tuple[dt.date, dt.date]] = field(default_factory=list)


def load_rows(session: Session, agency_ids: list[int]) -> list[Row]:
    """Every request of the agencies, with its paused intervals read from its events."""
    rows = {
        r.id: Row(
            r.id, r.agency_id, r.channel, r.applicant_type, r.received_on, r.finished_on, r.outcome, r.due_on
        )
        for r in session.execute(select(Request).where(Request.agency_id.in_(agency_ids))).scalars()
    }
    starts = {"correction_requested": "correction_received", "consultation_started": "consultation_ended"}
    starts["fee_requested"] = "fee_received"
    events = session.execute(
        select(Event.request_id, Event.seq, Event.type, Event.on)
        .where(Event.request_id.in_(list(rows)))
        .order_by(Event.request_id, Event.seq)
    ).all()
    open_pause: dict[int, tuple[str, dt.date]] = {}
    for request_id, _seq, type_, on in events:
        if type_ in starts:
            open_pause[request_id] = (starts[type_], on)
        elif request_id in open_pause and open_pause[request_id][0] == type_:
            rows[request_id].pauses.append((open_pause.pop(request_id)[1], on))
    return list(rows.values())


def in_year(day: dt.date | None, year: int) -> bool:
    return day is not None and day.year == year


def expected_2013(rows: list[Row], year: int, catalogue: int = 0) -> list[int]:
    received = [r for r in rows if in_year(r.received_on, year)]
    finished = [r for r in rows if in_year(r.finished_on, year)]
    out = [catalogue, len(received)]
    out += [sum(1 for r in received if r.channel == c) for c in CHANNELS]
    out.append(len(finished))
    disclosed = sum(1 for r in finished if r.outcome == "disclosed")
    partial = sum(1 for r in finished if r.outcome == "partially_disclosed")
    out += [disclosed, partial, len(finished) - disclosed - partial]
    out.append(sum(1 for r in finished if r.outcome == "not_exist"))
    out.append(sum(1 for r in finished if r.outcome == "not_held"))
    out.append(sum(1 for r in finished if r.outcome in ("unclear", "closed_correction_lapsed")))
    return out


def expected_2021(rows: list[Row], year: int) -> list[list[int] | None]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    table: list[list[int] | None] = []
    for key in ROWS_2021_ORDER:
        if key is None:
            table.append(None)
            continue
        values = []
        for t in TYPES:
            n = 0
            for r in rows:
                if r.applicant_type != t:
                    continue
                if key == "received":
                    n += start <= r.received_on <= end
                elif key == "carried_in":
                    n += r.received_on < start and (r.finished_on is None or r.finished_on >= start)
                elif key == "carried_out":
                    n += r.received_on <= end and (r.finished_on is None or r.finished_on > end)
                elif key == "finished":
                    n += in_year(r.finished_on, year)
                else:
                    n += in_year(r.finished_on, year) and ROW_2021[str(r.outcome)] == key
            values.append(n)
        table.append([*values, sum(values)])
    return table


def expected_section_four(appeals: list[Appeal], year: int) -> list[list[int]]:
    end = dt.date(year, 12, 31)
    out = []
    for kind in ("review", "litigation_direct", "litigation_after_review"):
        mine = [a for a in appeals if a.kind == kind and a.filed_on <= end]
        decided = [a for a in mine if in_year(a.decided_on, year)]
        counts = [sum(1 for a in decided if a.result == r) for r in ("upheld", "corrected", "other")]
        pending = sum(1 for a in mine if a.decided_on is None or a.decided_on > end)
        out.append([*counts, pending, sum(counts) + pending])
    return out


def expected_performance(rows: list[Row], year: int, cal: WorkCalendar) -> dict[str, Any]:
    replies = [r for r in rows if in_year(r.finished_on, year) and r.outcome in REPLIES]

    def figures(group: list[Row]) -> dict[str, Any]:
        days = [
            cal.count_wd(r.received_on, r.finished_on) - sum(cal.count_wd(s, e) for s, e in r.pauses)  # type: ignore[arg-type]
            for r in group
        ]
        return {
            "replies": len(group),
            "on_time": sum(1 for r in group if r.finished_on <= r.due_on),  # type: ignore[operator]
            "late": sum(1 for r in group if r.finished_on > r.due_on),  # type: ignore[operator]
            "on_the_spot": sum(1 for r in group if r.finished_on == r.received_on),
            "mean_days": round(statistics.fmean(days), 2),
            "median_days": round(float(statistics.median(days)), 2),
        }

    return {
        "overall": figures(replies),
        "by_channel": {
            c: figures([r for r in replies if r.channel == c])
            for c in CHANNELS
            if any(r.channel == c for r in replies)
        },
        "by_outcome": {
            o: figures([r for r in replies if r.outcome == o])
            for o in REPLIES
            if any(r.outcome == o for r in replies)
        },
    }


# -- generation -----------------------------------------------------------------------------------


def bulk_requests(
    session: Session,
    agency: Agency,
    rng: random.Random,
    count: int,
    *,
    first: dt.date,
    last: dt.date,
    today: dt.date,
) -> None:
    """`count` requests inserted directly, consistent with the table's CHECK constraints."""
    span = (last - first).days
    now = dt.datetime(2024, 6, 14, 2, tzinfo=dt.UTC)
    rows = []
    for i in range(count):
        received = first + dt.timedelta(days=rng.randint(0, span))
        finished = None
        outcome = None
        status = rng.choice(UNFINISHED)
        if rng.random() < 0.8:
            finished = min(
                received + dt.timedelta(days=rng.choice([0, 0, 1, 5, 12, 20, 30, 45, 70, 120])), today
            )
            outcome = rng.choice(OUTCOMES)
            status = "replied"
        rows.append(
            {
                "tracking_number": f"{agency.code}-B{i:06d}",
                "access_code_hash": "0" * 64,
                "agency_id": agency.id,
                "channel": rng.choice(CHANNELS),
                "received_on": received,
                "applicant_type": rng.choices(TYPES, weights=[10, 3, 2, 2, 2, 2])[0],
                "applicant_name": "张三",
                "description": "申请公开某项政府信息",
                "delivery": "email",
                "rules": "2019" if received >= dt.date(2019, 5, 15) else "2008",
                "status": status,
                "due_on": received + dt.timedelta(days=28),
                "due_provisional": False,
                "extended_days": 0,
                "correction_requested": False,
                "outcome": outcome,
                "finished_on": finished,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    session.execute(insert(Request), rows)


def lived_requests(
    session: Session,
    agency: Agency,
    officer: User,
    head: User,
    rng: random.Random,
    count: int,
    *,
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
) -> int:
    """`count` requests walked through their lives by submit() and act(), every path of docs/rules.md
    §Lifecycle."""
    cal = current_calendar(session)
    span = (last - first).days
    made = 0
    for i in range(count):
        received = first + dt.timedelta(days=rng.randint(0, span))
        while not cal.is_workday(received):
            received += dt.timedelta(days=1)
        kind = rng.choice(TYPES)
        channel = rng.choice(CHANNELS)
        req, _ = submit(
            session,
            agency=agency,
            applicant=applicant(
                type=kind,
                id_number=VALID_RESIDENT_ID if kind == "natural_person" else VALID_CREDIT_CODE,
                name="张三" if kind == "natural_person" else "某单位",
            ),
            description="申请公开某项政府信息",
            delivery="email",
            now=now,
            channel=channel,
            received_on=received,
            registered_by=None if channel == "online" else officer,
            require_late_reason=False,  # requests of the past
        )

        def at(n: int, req: Request = req) -> dt.date:
            return cal.add_wd(max(e.on for e in req.events), n)

        path = i % 10
        try:
            if path == 0:
                act(session, req, "reply", officer, now=now, on=received, **reply_fields(rng.choice(REPLIES)))
            elif path == 7:
                act(session, req, "withdraw", None, now=now, on=at(rng.randint(0, 5)), reason="不需要了")
            else:
                act(session, req, "accept", officer, now=now, on=at(rng.randint(0, 2)))
                if path == 2 or path == 3:
                    act(
                        session,
                        req,
                        "request_correction",
                        officer,
                        now=now,
                        on=at(1),
                        items="写明文号",
                        period_days=10,
                    )
                    if path == 2:
                        act(session, req, "receive_correction", officer, now=now, on=at(rng.randint(1, 9)))
                    else:
                        lapse = cal.add_wd(max(e.on for e in req.events), 10) + dt.timedelta(days=1)
                        act(
                            session, req, "close", None, now=now, on=lapse, outcome="closed_correction_lapsed"
                        )
                elif path == 4:
                    act(session, req, "start_consultation", officer, now=now, on=at(2), party="某公司")
                    act(session, req, "end_consultation", officer, now=now, on=at(rng.randint(1, 14)))
                elif path == 5 or path == 6:
                    act(session, req, "request_fee", officer, now=now, on=at(1), basis="per_page", pages=40)
                    if path == 5:
                        act(
                            session,
                            req,
                            "receive_fee",
                            officer,
                            now=now,
                            on=at(rng.randint(1, 15)),
                            amount_yuan=100,
                            receipt_number=f"R{i}",
                        )
                    else:
                        act(session, req, "close", None, now=now, on=at(21), outcome="closed_fee_unpaid")
                elif path == 8:
                    act(session, req, "extend", head, now=now, on=at(3), days=10, reason="需要调取档案")
                if path != 9 and not req.finished:
                    late = path == 8 and rng.random() < 0.5
                    on = cal.add_wd(req.due_on, 2) if late and req.due_on else at(rng.randint(1, 18))
                    act(session, req, "reply", officer, now=now, on=on, **reply_fields(rng.choice(REPLIES)))
        except DomainError:
            pass  # a date past `now`: the request stays open, carried over
        made += 1
    return made


def appeals_for(session: Session, rng: random.Random, agency_ids: list[int], count: int) -> list[Appeal]:
    """Review and litigation records over finished requests: decided in their year, later, or pending."""
    finished = session.execute(
        select(Request.id, Request.finished_on)
        .where(Request.agency_id.in_(agency_ids), Request.finished_on.is_not(None))
        .order_by(Request.id)
    ).all()
    now = dt.datetime(2024, 6, 14, 2, tzinfo=dt.UTC)
    made = []
    for request_id, finished_on in rng.sample(finished, count):
        filed = finished_on + dt.timedelta(days=rng.randint(5, 60))
        result = rng.choice(["upheld", "corrected", "other", "pending"])
        decided = None if result == "pending" else filed + dt.timedelta(days=rng.randint(10, 200))
        appeal = Appeal(
            request_id=request_id,
            kind=rng.choice(["review", "litigation_direct", "litigation_after_review"]),
            result=result,
            filed_on=filed,
            decided_on=decided,
            note="",
            created_at=now,
            updated_at=now,
        )
        session.add(appeal)
        made.append(appeal)
    session.flush()
    return made
