"""Acting on a request (docs/rules.md §Lifecycle): the only code that changes a status after intake.

`act()` checks who may act, the version, the status and the date, hands the fields to the action's own
handler (handlers.py, declared in spec.py), and only when nothing is wrong changes the request, appends
its history event, stores the recomputed clock and issues the document, in the caller's transaction. It
flushes and never commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from webapp import authz
from webapp.domain import documents, fees
from webapp.domain.calendar import WorkCalendar, china_today, current_calendar
from webapp.domain.deadlines import RULES
from webapp.domain.errors import Conflict, Forbidden, IllegalTransition, ValidationError
from webapp.domain.release import delivery_of
from webapp.domain.requests.actions import steps
from webapp.domain.requests.actions.handlers import ACTION_SPECS
from webapp.domain.requests.actions.spec import Context
from webapp.domain.requests.history import append_event, last_dated_event, pending_extension, store_clock
from webapp.domain.states import ACTION_LABELS, STATUS_LABELS, TRANSITIONS, Status, allowed_actions
from webapp.i18n import _l
from webapp.models import Request, User

__all__ = [
    "ACTION_SPECS",
    "act",
    "applicant_correct",
    "applicant_withdraw",
    "available_actions",
    "may_act",
]


def may_act(actor: User | None, req: Request, action: str) -> None:
    """Staff act only on their own agencies' requests; only a head approves an extension."""
    if actor is None:
        return  # the applicant (checked by access code) or the platform's own sweeps
    if not authz.may_see_request(actor, req):
        raise Forbidden(_l("无权办理该申请"))
    if action == "extend" and not authz.has_role(actor, authz.HEAD):
        raise Forbidden(
            _l("延期答复须经政府信息公开工作机构负责人批准"), {"action": _l("仅负责人可批准延期")}
        )


def act(
    session: Session,
    req: Request,
    action: str,
    actor: User | None,
    *,
    now: dt.datetime,
    on: dt.date | None = None,
    version: int | None = None,
    **fields: Any,
) -> Request:
    """Carry out one action of docs/rules.md §Lifecycle on a request, or raise and change nothing."""
    if action not in TRANSITIONS:
        raise ValidationError(
            _l("未知的办理操作"), {"action": _l("应为以下之一：%(values)s", values="、".join(TRANSITIONS))}
        )
    may_act(actor, req, action)
    if version is not None and version != req.version:
        raise Conflict(
            _l("该申请已被他人修改，请刷新后重试"),
            {"version": _l("当前版本为%(version)s", version=req.version)},
        )
    spec = ACTION_SPECS[action]
    status = Status(req.status)
    if status not in spec.allowed_from:
        raise IllegalTransition(
            _l(
                "申请当前状态为“%(status)s”，不能%(action)s",
                status=STATUS_LABELS[status],
                action=ACTION_LABELS[action],
            ),
            {"action": _l("当前状态不允许此操作")},
        )

    document_text = documents.clean_text(fields.pop("document_text", None))
    today = china_today(now)
    on = on or today
    if on > today:
        raise ValidationError(_l("办理日期有误"), {"on": _l("日期不能晚于今天")})
    if on < last_dated_event(req):
        raise ValidationError(
            _l("办理日期有误"),
            {"on": _l("日期不能早于该申请上一办理环节（%(date)s）", date=last_dated_event(req).isoformat())},
        )

    cal = current_calendar(session)
    declared = {name: value for name, value in fields.items() if name in spec.field_names}
    c = Context(session, req, actor, on, status, RULES[req.rules], cal, declared, now=now)
    c.errors.update({name: _l("不支持的字段") for name in fields if name not in spec.field_names})
    spec.handler(c)
    assert not c.fields, f"{action}'s handler reads every field it declares"  # noqa: S101
    if document_text is not None and not spec.sends_document:
        c.errors["document_text"] = _l("该操作不出具文书")
    if c.errors:
        raise ValidationError(_l("办理信息有误，请检查标出的字段"), c.errors)

    new_status = spec.target or status
    for name, value in c.updates.items():
        setattr(req, name, value)
    req.status = new_status
    req.updated_at = now
    flag_modified(req, "updated_at")  # every action bumps the version, even one that changes no column
    ev = append_event(
        session,
        req,
        spec.event_type,
        on=on,
        now=now,
        actor=actor,
        from_status=status,
        to_status=new_status,
        note=c.note,
        data=c.data,
    )
    store_clock(req, cal)
    documents.issue(session, req, ev, now=now, actor=actor, text=document_text)
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(_l("该申请已被他人修改，请刷新后重试")) from exc
    except IntegrityError as exc:
        # Another transaction wrote this request's next history entry first.
        if "uq_request_events_request_seq" not in str(exc.orig):
            raise
        raise Conflict(_l("该申请已被他人修改，请刷新后重试")) from exc
    return req


def applicant_correct(session: Session, req: Request, text: str, *, now: dt.datetime) -> Request:
    """The applicant's correction (补正), received today."""
    return act(session, req, "receive_correction", None, now=now, text=text)


def applicant_withdraw(session: Session, req: Request, reason: str | None, *, now: dt.datetime) -> Request:
    """The applicant withdraws the request: finished as `closed_other` (撤回申请)."""
    return act(session, req, "withdraw", None, now=now, reason=reason)


def available_actions(req: Request, role: str | None, *, today: dt.date, cal: WorkCalendar) -> list[str]:
    """The actions worth offering on this request now: those its status and the role allow
    (states.allowed_actions), less those its own history or dates already rule out."""
    rules = RULES[req.rules]
    pending = pending_extension(req) is not None
    past_due = req.due_on is not None and today > req.due_on
    out = []
    for action in allowed_actions(req.status, role):
        if action == "request_correction" and (
            req.correction_requested
            or (
                rules.correction_window_days is not None
                and today > cal.add_wd(req.received_on, rules.correction_window_days)
            )
        ):
            continue
        if action in ("extend", "propose_extension") and (req.extended_days or past_due):
            continue
        if action == "propose_extension" and (pending or role == "head"):
            continue
        if action == "decline_extension" and not pending:
            continue
        if action == "request_fee" and (
            rules.fee_limit_days is None or past_due or req.received_on < fees.IN_FORCE
        ):
            continue
        if action in ("record_posting", "record_pickup") and (  # the answer's (a notice's: the banner)
            not req.finished
            or req.delivery != ("post" if action == "record_posting" else "pickup")
            or delivery_of(req).delivered
        ):
            continue
        if not steps.worth_offering(req, action):
            continue
        out.append(action)
    return out
