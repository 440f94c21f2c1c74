"""What every page blueprint shares: the clock, the calendar, safe redirects, error pages and the view of
one request (its status, clock and history) that the citizen's and the staff's pages both show."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException

from webapp.domain.attachments import store_attachment
from webapp.domain.calendar import WorkCalendar, china_today, current_calendar
from webapp.domain.deadlines import RULES, Step, compute, due_at_registration
from webapp.domain.documents import documents_of
from webapp.domain.errors import DomainError
from webapp.domain.queue import due_soon, working_days_left
from webapp.domain.release import APPLICATION
from webapp.domain.requests import clock_of
from webapp.domain.states import NOTICES
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Event, Request, User

log = logging.getLogger(__name__)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def calendar() -> WorkCalendar:
    return current_calendar(db.session())


def safe_next(target: str | None, default: str) -> str:
    """A redirect target on this site only (a path, not //host or a scheme)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


@dataclass
class Clock:
    """Where a request's deadline stands today, as the pages show it."""

    due_on: dt.date | None
    provisional: bool
    days_left: int | None  # working days; negative when overdue
    overdue: bool
    due_soon: bool
    paused: str | None
    wait_ends_on: dt.date | None
    steps: list[Step]


def registered_on(req: Request) -> dt.date:
    """The day the request was registered: its received-on day, or the later day a late registration
    recorded in its first event (docs/rules.md §Late registration)."""
    first = req.events[0] if req.events else None
    day = first.data.get("registered_on") if first is not None and isinstance(first.data, dict) else None
    return dt.date.fromisoformat(day) if isinstance(day, str) else req.received_on


def late_due(req: Request) -> str | None:
    """What the receipt says of a late registration's due date ("past", "near"), or None: the
    registration day's view, as the receipt's PDF and e-mail say it (deadlines.due_at_registration)."""
    day = registered_on(req)
    if day == req.received_on:
        return None
    cal = calendar()
    return due_at_registration(cal, day, compute(RULES[req.rules], req.received_on, [], cal).due_on)


def clock_view(req: Request, cal: WorkCalendar, today: dt.date) -> Clock:
    clock = clock_of(req, cal)
    within = int(current_app.config.get("DUE_SOON_WORKING_DAYS") or 3)
    return Clock(
        due_on=req.due_on,
        provisional=req.due_provisional,
        days_left=None if req.finished else working_days_left(cal, today, req.due_on),
        overdue=req.is_overdue(today),
        due_soon=due_soon(cal, today, req, within=within),
        paused=None if req.finished else clock.paused,
        wait_ends_on=req.wait_ends_on,
        steps=clock.steps,
    )


def row_view(req: Request, cal: WorkCalendar, today: dt.date) -> dict[str, Any]:
    """One line of a list of requests: the request with its days left and marks."""
    within = int(current_app.config.get("DUE_SOON_WORKING_DAYS") or 3)
    return {
        "req": req,
        "days_left": None if req.finished else working_days_left(cal, today, req.due_on),
        "overdue": req.is_overdue(today),
        "due_soon": due_soon(cal, today, req, within=within),
    }


def notices(req: Request, *, public_only: bool) -> list[tuple[Event, str]]:
    """The written notices (docs/rules.md §Lifecycle) the request's history has produced, with their kind."""
    return [(e, NOTICES[e.type]) for e in req.events if e.type in NOTICES and (e.public or not public_only)]


def inbound_dir() -> Path:
    """Where the email channel keeps the messages it took (workers/mailbox.py writes them)."""
    return Path(current_app.config["DATA_DIR"]) / "inbound"


def today() -> dt.date:
    return china_today(now())


def receipt_page(req: Request, access_code: str, *, back: str, staff_view: bool = False) -> str:
    """The receipt (受理回执) shown once after a request is made, with its access code and a link to the
    receipt PDF (the current blueprint's `.document` page) once the PDF is made."""
    pdf = next(
        (d for d in documents_of(db.session(), req, applicant=not staff_view) if d.kind == "receipt"), None
    )
    return render_template(
        "receipt.html",
        req=req,
        access_code=access_code,
        receipt_pdf=url_for(".document", tracking_number=req.tracking_number, document_id=pdf.public_id)
        if pdf
        else None,
        registered_on=registered_on(req),
        late_due=late_due(req),
        clock=clock_view(req, calendar(), today()),
        back=back,
        staff_view=staff_view,
    )


def store_uploads(
    req: Request,
    files: list[FileStorage],
    *,
    uploaded_by: User | None,
    moment: dt.datetime,
    purpose: str = APPLICATION,
) -> None:
    """Keep each uploaded file with the request (webapp.domain.attachments checks and records it);
    `purpose` RELEASE: the staff's files released with the reply."""
    for upload in files:
        store_attachment(
            db.session(),
            req,
            filename=upload.filename or "",
            stream=cast(BinaryIO, upload.stream),
            directory=current_app.config["ATTACHMENT_DIR"],
            uploaded_by=uploaded_by,
            now=moment,
            purpose=purpose,
        )


# -- error pages ---------------------------------------------------------------------------------------

ERROR_TEXT = {
    400: (_l("请求无效"), _l("页面已过期或表单无效。请返回上一页，刷新后重试。")),
    403: (_l("无权访问"), _l("您的账号无权访问此页面或进行此操作。")),
    404: (_l("未找到"), _l("页面不存在，或您无权查看。")),
    405: (_l("请求方式不支持"), _l("请通过页面上的按钮操作。")),
    409: (_l("操作未完成"), _l("申请的状态已变化，请刷新页面后重试。")),
    413: (_l("上传内容过大"), _l("一次上传的文件总计不能超过25MB。")),
    422: (_l("输入有误"), _l("请检查输入后重试。")),
    429: (_l("尝试次数过多"), _l("请稍后再试。")),
    500: (_l("系统错误"), _l("服务器内部错误，请稍后再试。")),
}


def error_page(status: int, detail: object | None = None) -> tuple[str, int]:
    title, text = ERROR_TEXT.get(status, ERROR_TEXT[500 if status >= 500 else 400])
    return render_template("error.html", status=status, title=title, text=detail or text), status


def install_error_pages(bp: Blueprint) -> None:
    """HTML error pages for this blueprint's views (the JSON API keeps its own JSON errors)."""

    @bp.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if exc.code is None or exc.code < 400:
            return exc
        if exc.code in (401,):
            return error_page(403)
        response = error_page(exc.code)
        if exc.code == 405 and exc.get_response().headers.get("Allow"):
            return (*response, {"Allow": exc.get_response().headers["Allow"]})
        return response

    @bp.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Any:
        return error_page(exc.http_status if exc.http_status != 401 else 403, exc.message)

    @bp.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_page(500)
