"""Year-end snapshots: a finished year's table frozen per agency and form, with a checksum of the rows
that fed it, the head's sign-off, and what changed since."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain.calendar import china_today
from webapp.domain.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationError
from webapp.domain.reports.layout import EARLIEST_YEAR, FORMS
from webapp.domain.reports.scope import Scope, check_form, may_read_reports, year_bounds
from webapp.domain.reports.tables import R, annex_two, touches_year
from webapp.i18n import _l
from webapp.models import Agency, Appeal, ReportSnapshot, Request, User


def data_checksum(session: Session, agency: Agency, year: int) -> str:
    """SHA-256 over the rows that feed the agency's tables for the year, as they stood at its end:
    the requests touching the year (finishes after 31 December count as not finished), the review and
    litigation records, and the catalogue count. A late correction of any of them changes it."""
    start, end = year_bounds(year)
    done = R.finished_on <= end
    digest = hashlib.sha256(
        f"annex-two|{agency.code}|{year}|catalogue={agency.catalogue_count(year)}\n".encode()
    )
    requests = session.execute(
        select(
            R.id,
            R.channel,
            R.applicant_type,
            R.received_on,
            case((done, R.outcome)),
            case((done, R.finished_on)),
        )
        .where(R.agency_id == agency.id, touches_year(start, end))
        .order_by(R.id)
    )
    for row in requests:
        digest.update(("r|" + "|".join("" if v is None else str(v) for v in row) + "\n").encode())
    decided = Appeal.decided_on <= end
    appeals = session.execute(
        select(
            Appeal.id,
            Appeal.request_id,
            Appeal.kind,
            Appeal.filed_on,
            case((decided, Appeal.result), else_="pending"),
            case((decided, Appeal.decided_on)),
        )
        .join(Request, Request.id == Appeal.request_id)
        .where(Request.agency_id == agency.id, Appeal.filed_on <= end)
        .order_by(Appeal.id)
    )
    for row in appeals:
        digest.update(("a|" + "|".join("" if v is None else str(v) for v in row) + "\n").encode())
    return digest.hexdigest()


def _may_freeze(actor: User | None, agency: Agency) -> None:
    if actor is None:
        return  # the platform's year-end task
    may_read_reports(actor, Scope((agency,)))


def create_snapshot(
    session: Session, agency: Agency, year: int, form: str, *, actor: User | None, now: dt.datetime
) -> ReportSnapshot:
    """Freeze the agency's table for a finished year as the next revision (flushes)."""
    check_form(form)
    _may_freeze(actor, agency)
    today = china_today(now)
    if not EARLIEST_YEAR <= year < today.year:
        raise ValidationError(
            _l("只能冻结已结束的年度"),
            {"year": _l("应在%(first)s至%(last)s之间", first=EARLIEST_YEAR, last=today.year - 1)},
        )
    last = session.execute(
        select(func.max(ReportSnapshot.revision)).where(
            ReportSnapshot.agency_id == agency.id, ReportSnapshot.year == year, ReportSnapshot.form == form
        )
    ).scalar_one_or_none()
    snapshot = ReportSnapshot(
        agency_id=agency.id,
        year=year,
        form=form,
        revision=(last or 0) + 1,
        figures=annex_two(session, Scope((agency,)), year, form),
        checksum=data_checksum(session, agency, year),
        created_at=now,
        created_by_id=actor.id if actor else None,
    )
    try:
        with session.begin_nested():
            session.add(snapshot)
    except IntegrityError as exc:
        raise Conflict(_l("同一年度的快照正在生成，请稍后重试")) from exc
    return snapshot


def snapshot_year(session: Session, year: int, now: dt.datetime) -> list[ReportSnapshot]:
    """The year-end task: freeze `year`'s tables, both forms, for every agency that has none yet.

    Idempotent: a second run (or a run after a head froze one by hand) creates nothing. Flushes; the
    caller commits.
    """
    existing = set(
        session.execute(
            select(ReportSnapshot.agency_id, ReportSnapshot.form)
            .where(ReportSnapshot.year == year)
            .distinct()
        ).all()
    )
    created = []
    for agency in session.execute(select(Agency).order_by(Agency.id)).scalars():
        for form in FORMS:
            if (agency.id, form) not in existing:
                created.append(create_snapshot(session, agency, year, form, actor=None, now=now))
    return created


def get_snapshot(session: Session, snapshot_id: int) -> ReportSnapshot:
    snapshot = session.get(ReportSnapshot, snapshot_id)
    if snapshot is None:
        raise NotFound(_l("快照不存在"))
    return snapshot


def sign_off(session: Session, snapshot: ReportSnapshot, *, actor: User, now: dt.datetime) -> ReportSnapshot:
    """The agency's head signs the frozen table off, once (flushes)."""
    if not authz.may_sign_off(actor, snapshot.agency_id):
        raise Forbidden(_l("年度报表须由本机关负责人签发"))
    if snapshot.signed_off_at is not None:
        raise IllegalTransition(_l("该快照已签发"), {"snapshot": _l("已签发，不能重复签发")})
    snapshot.signed_off_by_id, snapshot.signed_off_at = actor.id, now
    session.flush()
    return snapshot


def latest_snapshot(session: Session, agency: Agency, year: int, form: str) -> ReportSnapshot | None:
    return session.execute(
        select(ReportSnapshot)
        .where(
            ReportSnapshot.agency_id == agency.id, ReportSnapshot.year == year, ReportSnapshot.form == form
        )
        .order_by(ReportSnapshot.revision.desc())
        .limit(1)
    ).scalar_one_or_none()


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures that differ between a frozen table and the current one: row, column, both values."""
    out: list[dict[str, Any]] = []
    if old.get("form") == "2013":
        for before, after in zip(old["rows"], new["rows"], strict=True):
            if before["value"] != after["value"]:
                out.append(
                    {
                        "label": after["label"],
                        "column": "数量",
                        "snapshot": before["value"],
                        "current": after["value"],
                    }
                )
        return out
    columns = new["columns"]
    for before, after in zip(old["rows"], new["rows"], strict=True):
        for i, column_label in enumerate(columns):
            b = before["values"][i] if before["values"] else None
            a = after["values"][i] if after["values"] else None
            if a != b:
                out.append({"label": after["label"], "column": column_label, "snapshot": b, "current": a})
    old_four, new_four = old["review_litigation"], new["review_litigation"]
    for before, after in zip(old_four["groups"], new_four["groups"], strict=True):
        for i, column_label in enumerate(new_four["columns"]):
            if before["values"][i] != after["values"][i]:
                out.append(
                    {
                        "label": after["label"]
                        if after["heading"] == after["label"]
                        else f"{after['heading']} {after['label']}",
                        "column": column_label,
                        "snapshot": before["values"][i],
                        "current": after["values"][i],
                    }
                )
    return out


def snapshot_status(session: Session, scope: Scope, year: int, form: str) -> list[dict[str, Any]]:
    """For each agency: its latest snapshot of the table, whether the data changed since (checksum),
    and if so which figures differ now."""
    out: list[dict[str, Any]] = []
    for agency in scope.agencies:
        snap = latest_snapshot(session, agency, year, form)
        if snap is None:
            out.append({"agency": agency.code, "agency_name": agency.name, "snapshot": None})
            continue
        current = data_checksum(session, agency, year)
        changed = current != snap.checksum
        diff = differences(snap.figures, annex_two(session, Scope((agency,)), year, form)) if changed else []
        out.append(
            {
                "agency": agency.code,
                "agency_name": agency.name,
                "snapshot": snapshot_json(snap),
                "current_checksum": current,
                "data_changed": changed,
                "differences": diff,
            }
        )
    return out


def snapshot_json(snap: ReportSnapshot) -> dict[str, Any]:
    return {
        "id": snap.id,
        "agency": snap.agency.code,
        "year": snap.year,
        "form": snap.form,
        "revision": snap.revision,
        "checksum": snap.checksum,
        "created_at": snap.created_at,
        "created_by": snap.created_by.email if snap.created_by else None,
        "signed_off_by": snap.signed_off_by.email if snap.signed_off_by else None,
        # the pages name the head who signed it; the API keeps the e-mail
        "signed_off_by_name": (snap.signed_off_by.name or snap.signed_off_by.email)
        if snap.signed_off_by
        else None,
        "signed_off_at": snap.signed_off_at,
    }
