"""The office's text kept, the head's sign-off and the published reports (docs/rules.md §The annual
report): text saved per agency set, year and form; a report signed off per agency, year and form, frozen
with its figures, its text and the checksum of the data behind it, and public from then on. The head may
correct it: a correction opened with its reason (更正说明) lets the texts be edited again, and the next
sign-off is a new version superseding the old one; every version stays public."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from webapp import authz
from webapp.domain.calendar import china_today
from webapp.domain.errors import Forbidden, IllegalTransition, ValidationError
from webapp.domain.reports.annual import sources
from webapp.domain.reports.annual.build import annual_report, saved_texts
from webapp.domain.reports.annual.layout import TEXT_KEYS
from webapp.domain.reports.annual.scope import ReportScope
from webapp.domain.reports.layout import EARLIEST_YEAR
from webapp.domain.reports.scope import check_form, may_read_reports
from webapp.domain.reports.snapshots import data_checksum
from webapp.i18n import _l
from webapp.models import Agency, AnnualReportPublication, AnnualReportText, User

MAX_TEXT = 20000
MAX_REASON = 2000  # 更正说明


def _row(session: Session, scope: ReportScope, year: int, now: dt.datetime) -> AnnualReportText:
    row = saved_texts(session, scope, year)
    if row is None:
        row = AnnualReportText(agencies=scope.key, year=year, texts={}, updated_at=now)
        session.add(row)
    return row


def save_texts(
    session: Session,
    scope: ReportScope,
    year: int,
    form: str,
    changes: dict[str, str | None],
    *,
    actor: User | None,
    now: dt.datetime,
) -> None:
    """The office's text of some sections (None: back to the product's draft); flushes.

    Refused (422, the section named) for a section without text, a text too long, or a report already
    signed off for one of the agencies."""
    check_form(form)
    keys = TEXT_KEYS[form]
    errors: dict[str, Any] = {}
    for key, text in changes.items():
        if key not in keys:
            errors[f"sections.{key}"] = _l("该部分没有文字，可填写：%(keys)s", keys="、".join(keys))
        elif text is not None and len(text) > MAX_TEXT:
            errors[f"sections.{key}"] = _l("不能超过%(limit)s个字符", limit=MAX_TEXT)
    if errors:
        raise ValidationError(_l("年度报告文字有误，请检查标出的部分"), errors)
    _not_signed(session, scope, year, form)
    row = _row(session, scope, year, now)
    texts = dict(row.texts)
    for key, text in changes.items():
        if text is None:
            texts.pop(f"{form}:{key}", None)
        else:
            texts[f"{form}:{key}"] = {
                "text": text.replace("\r\n", "\n").strip(),
                "edited": actor is not None,
                "at": now.isoformat(),
                "by": actor.email if actor else None,
            }
    row.texts, row.updated_at, row.updated_by_id = texts, now, actor.id if actor else None
    flag_modified(row, "texts")
    session.flush()


def save_drafts(session: Session, scope: ReportScope, year: int, form: str, *, now: dt.datetime) -> bool:
    """The January job: keep the product's first draft of every text section not saved yet (an office's
    edit is never replaced). True when something was saved; flushes."""
    report = annual_report(session, scope, year, form)
    row = saved_texts(session, scope, year)
    have = dict(row.texts) if row else {}
    missing = {
        s["key"]: s["text"] for s in report["sections"] if "text" in s and f"{form}:{s['key']}" not in have
    }
    if not missing:
        return False
    save_texts(session, scope, year, form, missing, actor=None, now=now)
    return True


# -- sign-off ------------------------------------------------------------------------------------------


def report_checksum(session: Session, scope: ReportScope, year: int) -> str:
    """SHA-256 over everything the tables are computed from: each counted agency's requests and appeals
    as annex two's snapshots checksum them, and the entered figures, enquiries and fees."""
    digest = hashlib.sha256(f"annual|{scope.key}|{year}\n".encode())
    for agency in scope.counted.agencies:
        digest.update(f"{agency.code}:{data_checksum(session, agency, year)}\n".encode())
    ids = scope.counted.ids
    others = {
        "figures": sources.annual_figures(session, ids, year),
        "enquiries": sources.enquiry_counts(session, ids, year),
        "fees": sources.fee_figures(session, ids, year),
    }
    digest.update(json.dumps(others, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def get_publication(
    session: Session, agency: Agency, year: int, form: str, *, version: int | None = None
) -> AnnualReportPublication | None:
    """The current version of the agency's report (the one no correction superseded), or the given
    version."""
    query = select(AnnualReportPublication).where(
        AnnualReportPublication.agency_id == agency.id,
        AnnualReportPublication.year == year,
        AnnualReportPublication.form == form,
    )
    if version is None:
        query = query.where(AnnualReportPublication.superseded_at.is_(None))
    else:
        query = query.where(AnnualReportPublication.version == version)
    return session.execute(query).scalar_one_or_none()


def earlier_versions(session: Session, pub: AnnualReportPublication) -> list[AnnualReportPublication]:
    """The versions a publication superseded, newest first."""
    return list(
        session.execute(
            select(AnnualReportPublication)
            .where(
                AnnualReportPublication.agency_id == pub.agency_id,
                AnnualReportPublication.year == pub.year,
                AnnualReportPublication.form == pub.form,
                AnnualReportPublication.version < pub.version,
            )
            .order_by(AnnualReportPublication.version.desc())
        ).scalars()
    )


def _not_signed(session: Session, scope: ReportScope, year: int, form: str) -> None:
    """Refused once signed off, unless the head opened a correction of the signed-off version."""
    for agency in scope.asked.agencies:
        pub = get_publication(session, agency, year, form)
        if pub is not None and not pub.correcting:
            raise IllegalTransition(
                _l("年度报告已签发，不能再修改；如需更正，请负责人先说明更正理由"),
                {"agency": _l("%(code)s 的报告已签发", code=agency.code)},
            )


def open_correction(
    session: Session, scope: ReportScope, year: int, form: str, reason: str, *, actor: User, now: dt.datetime
) -> AnnualReportPublication:
    """The head withdraws the signed-off report for correction, stating why (更正说明); flushes. The
    published version stays public until the corrected one is signed off; the texts may be edited again.
    Refused (422 on `reason`) without a reason or with one too long, (409) before a sign-off or while a
    correction is already open (its reason then stands)."""
    check_form(form)
    if len(scope.asked.agencies) != 1:
        raise ValidationError(_l("每次签发一个机关的年度报告"), {"agency": _l("只能指定一个机关")})
    agency = scope.asked.agencies[0]
    may_read_reports(actor, scope.asked)
    if not authz.may_sign_off(actor, agency.id):
        raise Forbidden(_l("年度报告须由本机关负责人签发"))
    reason = reason.replace("\r\n", "\n").strip()
    if not reason:
        raise ValidationError(_l("请说明更正理由"), {"reason": _l("必填")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            _l("请说明更正理由"), {"reason": _l("不能超过%(limit)s个字符", limit=MAX_REASON)}
        )
    pub = get_publication(session, agency, year, form)
    if pub is None:
        raise IllegalTransition(_l("年度报告尚未签发，无需更正"))
    if pub.correcting:
        raise IllegalTransition(_l("该报告已在更正中"))
    pub.correcting = {"reason": reason, "by": actor.email, "at": now.isoformat()}
    session.flush()
    return pub


def sign_off(
    session: Session, scope: ReportScope, year: int, form: str, *, actor: User, now: dt.datetime
) -> AnnualReportPublication:
    """The agency's head signs its whole report off and publishes it (flushes): once per agency, year and
    form; the year must be over; refused while a sentence quotes a number the tables contradict."""
    check_form(form)
    if len(scope.asked.agencies) != 1:
        raise ValidationError(_l("每次签发一个机关的年度报告"), {"agency": _l("只能指定一个机关")})
    agency = scope.asked.agencies[0]
    may_read_reports(actor, scope.asked)
    if not authz.may_sign_off(actor, agency.id):
        raise Forbidden(_l("年度报告须由本机关负责人签发"))
    if not EARLIEST_YEAR <= year < china_today(now).year:
        raise ValidationError(
            _l("只能签发已结束年度的报告"),
            {"year": _l("应在%(first)s至%(last)s之间", first=EARLIEST_YEAR, last=china_today(now).year - 1)},
        )
    _not_signed(session, scope, year, form)
    previous = get_publication(session, agency, year, form)
    report = annual_report(session, scope, year, form)
    flagged = {f"sections.{s['key']}": s["flags"] for s in report["sections"] if s.get("flags")}
    if flagged:
        raise IllegalTransition(
            _l("报告文字引用的数字与表格不符，请修改后再签发"),
            {key: _l("%(n)s处数字与表格不符", n=len(found)) for key, found in flagged.items()},
        )
    publication = AnnualReportPublication(
        agency_id=agency.id,
        year=year,
        form=form,
        report=json.loads(json.dumps(report, default=_json_default)),
        checksum=report_checksum(session, scope, year),
        signed_off_at=now,
        signed_off_by_id=actor.id,
    )
    if previous is not None:  # a correction: the new version supersedes the signed-off one
        publication.version = previous.version + 1
        publication.correction = str((previous.correcting or {}).get("reason", ""))
    try:
        with session.begin_nested():
            if previous is not None:
                previous.superseded_at, previous.correcting = now, None
            session.add(publication)
    except IntegrityError as exc:
        raise IllegalTransition(_l("年度报告已签发，不能再修改")) from exc
    return publication


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def publications(
    session: Session, *, agency: Agency | None = None, year: int | None = None
) -> list[AnnualReportPublication]:
    """The published reports, newest year first: the current version of each."""
    query = (
        select(AnnualReportPublication)
        .join(Agency, Agency.id == AnnualReportPublication.agency_id)
        .where(AnnualReportPublication.superseded_at.is_(None))
    )
    if agency is not None:
        query = query.where(AnnualReportPublication.agency_id == agency.id)
    if year is not None:
        query = query.where(AnnualReportPublication.year == year)
    return list(
        session.execute(
            query.order_by(AnnualReportPublication.year.desc(), Agency.code, AnnualReportPublication.form)
        ).scalars()
    )


def publication_status(session: Session, scope: ReportScope, year: int, form: str) -> dict[str, Any] | None:
    """For one agency's report: when and by whom it was signed off, and whether the data changed since."""
    if len(scope.asked.agencies) != 1:
        return None
    pub = get_publication(session, scope.asked.agencies[0], year, form)
    if pub is None:
        return None
    return {
        "signed_off_at": pub.signed_off_at,
        "signed_off_by": pub.signed_off_by.email,
        "signed_off_by_name": pub.signed_off_by.name or pub.signed_off_by.email,  # as the pages name them
        "checksum": pub.checksum,
        "data_changed": report_checksum(session, scope, year) != pub.checksum,
        "version": pub.version,
        "correction": pub.correction,
        "correcting": (pub.correcting or {}).get("reason"),
    }
