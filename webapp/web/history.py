"""A request's history as the staff pages show it, in the reader's language (the templates' helpers
`event_actor`, `event_detail`, `event_note`): who acted — the staff member by name, or the applicant, or the
system, never "申请人或系统" — whom a request was assigned to ("指派给 X"), and the notes the product itself
writes (a channel, a calendar change, a fee, a failed notice…), which are stored in Chinese and shown in
English to an English reader. What a person typed stays as typed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from webapp.domain.dates import cn_date
from webapp.domain.requests.history import applicant_sees
from webapp.domain.states import CHANNEL_LABELS, CHANNELS, NOTICE_LABELS, NOTICES
from webapp.i18n import _l, wants_english
from webapp.models import Event, User

# The events an applicant makes without an account (the actor is empty): the rest without one are the
# product's own (sweeps, the mail channel, the relay, a command on the server).
APPLICANT_EVENTS = frozenset({"correction_received", "withdrawn", "attachment_added"})


def person(user: User) -> str:
    if not user.name:
        return user.email
    return f"{user.name} ({user.email})" if wants_english() else f"{user.name}（{user.email}）"


def event_actor(e: Event, channel: str | None = None) -> str:
    """Who made the event: a staff member by the name they had then (the event's own record of it) and
    their address, the applicant, or the system."""
    if e.actor is not None:
        name = e.actor_name if e.actor_name is not None else (e.actor.name or e.actor.email)
        if name == e.actor.email:
            return name
        return f"{name} ({e.actor.email})" if wants_english() else f"{name}（{e.actor.email}）"
    if e.type in APPLICANT_EVENTS or (e.type == "submitted" and (channel or "online") == "online"):
        return str(_l("申请人"))
    return str(_l("系统"))


def event_detail(e: Event) -> str:
    """What the event's data adds to its name: whom a request was assigned to."""
    if e.type == "assigned" and (e.data or {}).get("assignee"):
        data = e.data or {}
        who = str(data.get("assignee_name") or "") or str(data["assignee"])
        if data.get("assignee_name"):
            aside = f" ({data['assignee']})" if wants_english() else f"（{data['assignee']}）"
            who = f"{data['assignee_name']}{aside}"
        return str(_l("指派给 %(who)s", who=who))
    return ""


_CHANNEL_CODES = {str(name): code for code, name in CHANNELS.items()}
_NOTICE_CODES = {str(NOTICE_LABELS[code]): code for code in NOTICES.values() if code in NOTICE_LABELS}


def _channel(name: str) -> str:
    code = _CHANNEL_CODES.get(name)
    return str(CHANNEL_LABELS[code]) if code in CHANNEL_LABELS else name


def _notice(name: str) -> str:
    code = _NOTICE_CODES.get(name)
    return str(NOTICE_LABELS[code]) if code else name


# A day in a note the product wrote: 2027年1月8日, or ISO in the notes written before 2026-12-05, or none.
DAY = r"(\d{4}-\d\d-\d\d|\d{4}年\d{1,2}月\d{1,2}日|—)"


def _day(text: str) -> str:
    """A day of a stored note as the reader writes it (2027年1月8日, or 2027-01-08 in English)."""
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text):
        return cn_date(dt.date(*(int(g) for g in m.groups())), english=wants_english())
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return cn_date(text, english=wants_english())
    return text


def _calendar_reason(reason: str) -> str:
    if m := re.fullmatch(r"工作日历调整（" + DAY + r"(放假|调休上班|删除)）", reason):
        kind = {"放假": _l("放假"), "调休上班": _l("调休上班"), "删除": _l("删除")}[m.group(2)]
        return str(_l("工作日历调整（%(day)s%(kind)s）", day=_day(m.group(1)), kind=kind))
    if m := re.fullmatch(r"(\d{4})年节假日安排已按国务院办公厅通知录入", reason):
        return str(_l("%(year)s年节假日安排已按国务院办公厅通知录入", year=m.group(1)))
    if m := re.fullmatch(r"(\d{4})年节假日安排已录入", reason):
        return str(_l("%(year)s年节假日安排已录入", year=m.group(1)))
    return reason


def _registration(m: re.Match[str]) -> str:
    parts = [
        str(_l("通过%(channel)s渠道收到申请", channel=_channel(m.group(1)))),
        str(_l("%(day)s登记，登记时已过%(n)s个工作日", day=_day(m.group(2)), n=m.group(3))),
    ]
    if m.group(4) is not None:
        parts.append(str(_l("延迟登记原因：%(reason)s", reason=m.group(4))))
    return ("; " if wants_english() else "；").join(parts)


# The notes the product writes, as stored (Chinese), and how an English reader is shown them.
SYSTEM_NOTES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"通过(.+)渠道收到申请"),
        lambda m: str(_l("通过%(channel)s渠道收到申请", channel=_channel(m.group(1)))),
    ),
    (
        # a registration: the channel, the day registered late and, when asked for, why (typed: as typed)
        re.compile(
            r"通过(.+?)渠道收到申请；(\d{4}年\d{1,2}月\d{1,2}日)登记，登记时已过(\d+)个工作日(?:；延迟登记原因：(.*))?",
            re.S,
        ),
        lambda m: _registration(m),
    ),
    (
        re.compile(r"(.+)：答复期限由" + DAY + "调整为" + DAY),
        lambda m: str(
            _l(
                "%(reason)s：答复期限由%(old)s调整为%(new)s",
                reason=_calendar_reason(m.group(1)),
                old=_day(m.group(2)),
                new=_day(m.group(3)),
            )
        ),
    ),
    (
        re.compile(r"征求第三方意见，期间不计入答复期限"),
        lambda m: str(_l("征求第三方意见，期间不计入答复期限")),
    ),
    (re.compile(r"信息处理费([\d.]+)元"), lambda m: str(_l("信息处理费%(amount)s元", amount=m.group(1)))),
    (re.compile(r"申请人撤回申请"), lambda m: str(_l("申请人撤回申请"))),
    (re.compile(r"上传材料：(.+)", re.S), lambda m: str(_l("上传材料：%(name)s", name=m.group(1)))),
    (
        re.compile(r"上传拟公开的信息：(.+)", re.S),
        lambda m: str(_l("上传拟公开的信息：%(name)s", name=m.group(1))),
    ),
    (re.compile(r"已发送至(\S+@\S+)"), lambda m: str(_l("已发送至%(to)s", to=m.group(1)))),
    (
        re.compile(r"补正期限届满，申请人未补正，视为放弃申请"),
        lambda m: str(_l("补正期限届满，申请人未补正，视为放弃申请")),
    ),
    (
        re.compile(r"缴费期限届满，申请人未缴纳信息处理费，视为放弃申请"),
        lambda m: str(_l("缴费期限届满，申请人未缴纳信息处理费，视为放弃申请")),
    ),
    (
        re.compile(
            r"通知“(.+?)”发送失败（已尝试(\d+)次），请核实联系方式或改用其他方式送达。错误：(.*)", re.S
        ),
        lambda m: str(
            _l(
                "通知“%(notice)s”发送失败（已尝试%(n)s次），请核实联系方式或改用其他方式送达。错误：%(error)s",
                notice=_notice(m.group(1)),
                n=m.group(2),
                error=m.group(3),
            )
        ),
    ),
    (
        re.compile(
            r"申请邮件的以下附件未导入系统（类型不受支持、文件过大或超过上传限额），请查看原始邮件：(.*)",
            re.S,
        ),
        lambda m: str(
            _l(
                "申请邮件的以下附件未导入系统（类型不受支持、文件过大或超过上传限额），请查看原始邮件：%(files)s",
                files=m.group(1),
            )
        ),
    ),
]


def event_note(e: Event, shown: str | None = None) -> str:
    """The event's note (or the part of it `shown` to its reader) in the reader's language when the product
    wrote it (its days as the reader writes them, also in the notes stored with ISO days), else as typed."""
    note = (e.note if shown is None else shown) or ""
    if not note:
        return note
    for pattern, english in SYSTEM_NOTES:
        if m := pattern.fullmatch(note):
            return english(m)
    return note


TEMPLATE_HELPERS: dict[str, Any] = {
    "applicant_sees": applicant_sees,
    "event_actor": event_actor,
    "event_detail": event_detail,
    "event_note": event_note,
}
