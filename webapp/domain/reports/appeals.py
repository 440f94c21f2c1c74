"""Review and litigation records over a request (行政复议, 行政诉讼): what section 四 of the 2021 form
counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from webapp.domain.calendar import china_today
from webapp.domain.dates import reader_date
from webapp.domain.errors import IllegalTransition, ValidationError
from webapp.domain.requests import append_event, may_act
from webapp.i18n import _l
from webapp.models import Appeal, Request, User
from webapp.models.report import APPEAL_KINDS, APPEAL_RESULTS

MAX_TEXT = 2000
MAX_AUTHORITY = 200


def _appeal_dates(
    errors: dict[str, Any],
    req: Request,
    result: str,
    filed_on: dt.date,
    decided_on: dt.date | None,
    today: dt.date,
) -> None:
    if filed_on > today:
        errors["filed_on"] = _l("日期不能晚于今天")
    elif filed_on < req.received_on:
        errors["filed_on"] = _l("不能早于收到申请之日（%(date)s）", date=reader_date(req.received_on))
    if result == "pending":
        if decided_on is not None:
            errors["decided_on"] = _l("尚未审结的案件不能填写审结日期")
    elif decided_on is None:
        errors["decided_on"] = _l("已审结的案件须填写审结日期")
    elif decided_on > today:
        errors["decided_on"] = _l("日期不能晚于今天")
    elif decided_on < filed_on:
        errors["decided_on"] = _l("审结日期不能早于立案日期")


def _appeal_event(
    session: Session,
    req: Request,
    type_: str,
    appeal: Appeal,
    *,
    on: dt.date,
    actor: User | None,
    now: dt.datetime,
) -> None:
    note = f"{APPEAL_KINDS[appeal.kind]}：{APPEAL_RESULTS[appeal.result]}"
    if appeal.authority:
        note += f"，{appeal.authority}"
    if appeal.case_number:
        note += f"（{appeal.case_number}）"
    req.updated_at = now
    flag_modified(req, "updated_at")
    append_event(
        session,
        req,
        type_,
        on=on,
        now=now,
        actor=actor,
        from_status=req.status,
        to_status=req.status,
        note=note,
        data={"appeal_id": appeal.id, "kind": appeal.kind, "result": appeal.result},
    )


def record_appeal(
    session: Session,
    req: Request,
    *,
    kind: str,
    result: str,
    filed_on: dt.date,
    decided_on: dt.date | None = None,
    case_number: str | None = None,
    note: str | None = None,
    authority: str | None = None,
    actor: User | None,
    now: dt.datetime,
) -> Appeal:
    """Record an administrative review or lawsuit over the request, with a history event (flushes).
    `authority`: the body deciding the review (复议机关) or the court hearing the suit."""
    may_act(actor, req, "comment")
    errors: dict[str, Any] = {}
    if kind not in APPEAL_KINDS:
        errors["kind"] = _l("应为以下之一：%(values)s", values="、".join(APPEAL_KINDS))
    if result not in APPEAL_RESULTS:
        errors["result"] = _l("应为以下之一：%(values)s", values="、".join(APPEAL_RESULTS))
    else:
        _appeal_dates(errors, req, result, filed_on, decided_on, china_today(now))
    if case_number is not None and len(case_number) > 100:
        errors["case_number"] = _l("不能超过%(limit)s个字符", limit=100)
    if authority is not None and len(authority.strip()) > MAX_AUTHORITY:
        errors["authority"] = _l("不能超过%(limit)s个字符", limit=MAX_AUTHORITY)
    if note is not None and len(note) > MAX_TEXT:
        errors["note"] = _l("不能超过%(limit)s个字符", limit=MAX_TEXT)
    if errors:
        raise ValidationError(_l("复议、诉讼信息有误，请检查标出的字段"), errors)
    appeal = Appeal(
        request_id=req.id,
        kind=kind,
        result=result,
        filed_on=filed_on,
        decided_on=decided_on,
        case_number=(case_number or "").strip() or None,
        authority=(authority or "").strip() or None,
        note=(note or "").strip(),
        recorded_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
    )
    session.add(appeal)
    session.flush()
    _appeal_event(session, req, "appeal_recorded", appeal, on=filed_on, actor=actor, now=now)
    session.flush()
    return appeal


def decide_appeal(
    session: Session,
    appeal: Appeal,
    *,
    result: str,
    decided_on: dt.date,
    note: str | None = None,
    actor: User | None,
    now: dt.datetime,
) -> Appeal:
    """A pending review or lawsuit is decided: its result and date, with a history event (flushes)."""
    req = appeal.request
    may_act(actor, req, "comment")
    if appeal.result != "pending":
        raise IllegalTransition(_l("该复议、诉讼已审结"), {"result": _l("已审结的案件不能再次审结")})
    errors: dict[str, Any] = {}
    if result not in APPEAL_RESULTS or result == "pending":
        errors["result"] = _l(
            "应为以下之一：%(values)s", values="、".join(r for r in APPEAL_RESULTS if r != "pending")
        )
    else:
        _appeal_dates(errors, req, result, appeal.filed_on, decided_on, china_today(now))
    if note is not None and len(note) > MAX_TEXT:
        errors["note"] = _l("不能超过%(limit)s个字符", limit=MAX_TEXT)
    if errors:
        raise ValidationError(_l("复议、诉讼信息有误，请检查标出的字段"), errors)
    appeal.result, appeal.decided_on, appeal.updated_at = result, decided_on, now
    if note:
        appeal.note = note.strip()
    _appeal_event(session, req, "appeal_decided", appeal, on=decided_on, actor=actor, now=now)
    session.flush()
    return appeal
