"""What the outbox's notices say and to whom (docs/rules.md §Lifecycle), and their delivery state for
officers.

Applicant notices (kind "notice") are queued by webapp.domain.requests in the transaction of the event
they announce; staff notices (kind "staff": due soon, overdue, the daily digest) by the deadline sweeps.
The text is written here, when the relay sends the row, from the event it announces (never from a later
state of the request), in Chinese. Nothing here sends: workers/notices.py does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain import passwords
from webapp.domain.accounts import agency_staff
from webapp.domain.attachments import attachment_path, download_name
from webapp.domain.calendar import WorkCalendar, current_calendar
from webapp.domain.citizens import notify_choice
from webapp.domain.dates import cn_date
from webapp.domain.deadlines import DUE_AT_REGISTRATION, RULES, compute, due_at_registration, registration_day
from webapp.domain.documents import pdf_of
from webapp.domain.documents.steps import referral, step_notice
from webapp.domain.documents.texts import PROVISIONAL, STEP_NOTICES
from webapp.domain.fees import BASIS_NAMES, items_in, yuan
from webapp.domain.release import released_files
from webapp.domain.requests import clock_events
from webapp.domain.states import (
    CHANNELS,
    NOTICE_KINDS,
    OUTCOMES,
    STATUS_LABELS,
    Status,
)
from webapp.models import Document, Event, InboundEmail, OutboxMessage, PasswordReset, Request, User

MB = 1024 * 1024


@dataclass(frozen=True)
class MailOptions:
    """What an applicant's e-mail needs beyond the database: the address of the tracking page (the link
    every notice carries; never the access code), where released files are kept, and how large the
    released files of a reply may be in all to travel as attachments (larger: by the link alone)."""

    public_url: str = "http://127.0.0.1:5000"
    attachment_dir: str = ""
    attach_max_bytes: int = 5 * MB

    def tracking_link(self, tracking_number: str) -> str:
        return f"{self.public_url.rstrip('/')}/track?tracking_number={tracking_number}"


REMEDY = "如对本机关的政府信息公开工作不服，可以依法申请行政复议或者提起行政诉讼。"
FOOTER = "本邮件由政府信息公开申请办理系统自动发送，请勿直接回复。可凭申请编号和查询码在网上查询办理进度。"


@dataclass(frozen=True)
class Letter:
    """One email to send: the relay adds the headers (Message-ID from the delivery key)."""

    to: list[str]
    subject: str
    body: str
    sender_name: str
    in_reply_to: str | None = None
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, PDF): the document sent with the event


def fee_basis(ev: Event) -> str:
    """（按量计收，共40页） or （按件计收，本月第11件） after a fee notice's amount; nothing for a notice
    recorded before the standard was."""
    data = ev.data or {}
    basis = data.get("basis")
    if basis == "per_page" and data.get("pages"):
        return f"（{BASIS_NAMES['per_page']}，共{data['pages']}页）"
    if basis == "per_request" and data.get("count_in_month"):
        first, items = data["count_in_month"], items_in(data)
        if items > 1 and isinstance(first, int):
            return f"（{BASIS_NAMES['per_request']}，拆分计为{items}件，本月第{first}—{first + items - 1}件）"
        return f"（{BASIS_NAMES['per_request']}，本月第{first}件申请）"
    return ""


def message_id_domain(sender: str) -> str:
    """The right-hand side of our Message-IDs: the sender address's domain."""
    domain = sender.rpartition("@")[2].strip(" >").lower()
    return re.sub(r"[^a-z0-9.-]", "", domain) or "gov-disclosure.invalid"


def message_id(delivery_key: str, sender: str) -> str:
    """The delivery key as a Message-ID: a resend of the same notice is recognisably the same email."""
    left = re.sub(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]", ".", delivery_key).strip(".")
    return f"<{left}@{message_id_domain(sender)}>"


# -- composing ------------------------------------------------------------------------------------


def compose(
    session: Session,
    msg: OutboxMessage,
    options: MailOptions | None = None,
    *,
    secret: str = "",
    now: dt.datetime | None = None,
) -> Letter:
    """The email for one outbox row; `to` is empty when there is nobody to write to. `secret` makes the
    link a staff member's account letter carries (a password reset, at `options.public_url`), written at
    `now` (a link expired by then is not sent)."""
    notice = str(msg.payload.get("notice", ""))
    options = options or MailOptions()
    if msg.kind == "notice":
        return _applicant_letter(session, msg, notice, options)
    if msg.kind == "account" and notice == passwords.NOTICE:
        return _reset_letter(session, msg, secret, options.public_url, now or dt.datetime.now(dt.UTC))
    if notice == "citizen_code":
        return _code_letter(msg)
    if notice == "access_code":
        return _access_code_letter(msg, options)
    if notice in ("due_soon", "overdue"):
        return _deadline_letter(session, msg, notice)
    if notice == "digest":
        return _digest_letter(session, msg)
    if notice == "annual_unsigned":
        return _annual_unsigned_letter(session, msg)
    raise ValueError(f"outbox row {msg.id}: unknown notice {msg.kind}/{notice}")


def _event(req: Request, seq: int) -> Event:
    for e in req.events:
        if e.seq == seq:
            return e
    raise ValueError(f"request {req.id} has no event {seq}")


def _due_after(req: Request, seq: int, cal: WorkCalendar) -> dt.date | None:
    """The due date as it stood right after event `seq`."""
    events = [e for e in req.events if e.seq <= seq]
    return compute(RULES[req.rules], req.received_on, clock_events(events), cal).due_on


def _applicant_letter(session: Session, msg: OutboxMessage, notice: str, options: MailOptions) -> Letter:
    req = msg.request
    if req is None:
        raise ValueError(f"outbox row {msg.id} has no request")
    ev = _event(req, int(str(msg.payload["event_seq"])))
    cal = current_calendar(session)
    rules = RULES[req.rules]
    lines: list[str] = []
    extra: tuple[tuple[str, bytes], ...] = ()  # the released files, when small enough to travel
    if notice == "receipt":
        lines.append(
            f"本机关于{cn_date(req.received_on)}收到您通过{CHANNELS.get(req.channel, req.channel)}方式提出的"
            "政府信息公开申请，现予受理登记。"
        )
        if req.channel == "email":
            lines.append(f"本回执确认收到您的电子邮件申请，收到申请之日为{cn_date(req.received_on)}。")
        registered = registration_day(ev.data, req.received_on)
        if registered != req.received_on:
            lines.append(f"本机关于{cn_date(registered)}登记您的申请。")
        due_after = _due_after(req, ev.seq, cal)
        provisional = PROVISIONAL if due_after == req.due_on and req.due_provisional else ""
        late = due_at_registration(cal, registered, due_after) if registered != req.received_on else None
        if late is None:
            lines.append(
                f"依照《中华人民共和国政府信息公开条例》（{rules.code}年）{rules.article_reply}，"
                f"本机关将在{rules.reply_days}个工作日内、即{cn_date(due_after)}前作出答复{provisional}；"
                "需要延长答复期限的，将另行告知。"
            )
        else:  # registered late: no promise of a date already past
            lines.append(
                f"依照《中华人民共和国政府信息公开条例》（{rules.code}年）{rules.article_reply}，答复期限自收到"
                f"申请之日起{rules.reply_days}个工作日，至{cn_date(due_after)}{provisional}。"
                f"{DUE_AT_REGISTRATION[late]}"
            )
    elif notice == "correction_notice":
        period = int(str(ev.data.get("period_days", 0)))
        lapse = cal.add_wd(ev.on, period)
        lines += [
            f"经审查，您的申请需要补正。请补正以下内容：{ev.note}",
            f"请于{cn_date(lapse)}前（{period}个工作日内）提交补正。答复期限自本机关收到补正之日起重新计算。",
            f"无正当理由逾期不补正的，视为放弃申请，本机关不再处理（《条例》{rules.article_correction}）。",
        ]
    elif notice == "extension_notice":
        due_after = _due_after(req, ev.seq, cal)
        lines += [
            f"因{ev.note or '需要'}，经本机关政府信息公开工作机构负责人同意，"
            f"答复期限延长{ev.data.get('days')}个工作日。",
            f"延长后的答复期限为{cn_date(due_after)}"
            f"{PROVISIONAL if due_after == req.due_on and req.due_provisional else ''}。",
        ]
    elif notice == "consultation_notice":
        lines.append(
            "您申请公开的政府信息涉及第三方合法权益，本机关正在书面征求第三方意见。"
            "征求意见所需时间不计入答复期限。"
        )
        if rules.consultation_limit_days:
            lines.append(
                f"第三方应在{rules.consultation_limit_days}个工作日内提出意见，"
                "逾期未提出的，本机关依照《条例》第三十二条继续办理。"
            )
    elif notice == "fee_notice":
        limit = rules.fee_limit_days or 20
        lines += [
            f"依照《政府信息公开信息处理费管理办法》，本申请需缴纳信息处理费"
            f"{yuan(ev.data.get('amount_yuan')):.2f}元{fee_basis(ev)}。",
            f"请于{cn_date(cal.add_wd(ev.on, limit))}前缴纳；逾期未缴纳的，视为放弃申请，本机关不再处理。"
            "收费期间不计入答复期限。",
        ]
    elif notice == "reply":
        outcome = str(ev.data.get("outcome") or req.outcome or "")
        lines.append(
            f"本机关已于{cn_date(ev.on)}对您的申请作出答复。答复结果：{OUTCOMES.get(outcome, outcome)}。"
        )
        if ev.note:
            lines.append(ev.note)
        lines.extend(referral(req, outcome))
        files = released_files(req)
        if files:
            listed = "\n".join(
                f"{n}. {a.filename}" + (f"（{a.pages}页）" if a.pages else "") for n, a in enumerate(files, 1)
            )
            lines.append(f"随答复提供的政府信息：\n{listed}")
            if sum(a.size for a in files) <= options.attach_max_bytes and options.attachment_dir:
                extra = tuple(
                    (download_name(a), attachment_path(options.attachment_dir, a).read_bytes()) for a in files
                )
                lines.append("上述文件见本邮件附件，也可在查询页面下载。")
            else:
                lines.append("上述文件较大，未随本邮件发送，请通过下方链接在查询页面下载。")
        if ev.data.get("published_where"):
            lines.append(f"已主动公开的信息可通过以下途径获取：{ev.data['published_where']}")
        lines.append("答复书及相关文件可在网上查询。" + REMEDY)
    elif notice == "closure_notice":
        outcome = str(ev.data.get("outcome") or req.outcome or "")
        if ev.type == "withdrawn":
            lines.append(f"您已于{cn_date(ev.on)}撤回申请，本申请办结。")
        elif outcome == "closed_correction_lapsed":
            lines.append(
                f"您未在补正期限内补正申请，依照《条例》{rules.article_correction}，视为放弃申请。"
                f"本机关于{cn_date(ev.on)}终止办理。"
            )
        elif outcome == "closed_fee_unpaid":
            lines.append(f"您未在规定期限内缴纳信息处理费，视为放弃申请。本机关于{cn_date(ev.on)}终止办理。")
        else:
            lines.append(f"您的申请已于{cn_date(ev.on)}办结。{ev.note}".rstrip())
        lines.append(REMEDY)
    elif notice in STEP_NOTICES:  # the agency steps' notices say what their documents say
        lines.extend(step_notice(notice, req, ev, cal))
    else:
        raise ValueError(f"unknown applicant notice {notice}")
    sent = session.execute(
        select(Document).where(Document.event_id == ev.id, Document.to_applicant.is_(True))
    ).scalar_one_or_none()
    if sent is not None:
        lines.append(f"{sent.title}（{sent.number}）见本邮件附件（PDF），以附件为准。")
    body = "\n\n".join(
        [
            f"{req.applicant_name}：",
            *lines,
            f"申请编号：{req.tracking_number}\n办理机关：{req.agency.name}",
            f"查询办理进度、下载文书和文件：{options.tracking_link(req.tracking_number)}\n（请输入申请时获得的查询码）",
            FOOTER,
        ]
    )
    in_reply_to = None
    if notice == "receipt" and req.channel == "email":
        in_reply_to = session.execute(
            select(InboundEmail.message_key).where(
                InboundEmail.request_id == req.id, InboundEmail.message_key.startswith("<")
            )
        ).scalar_one_or_none()
    wanted = bool(req.applicant_email) and notify_choice(session, req) != "sms"
    return Letter(
        to=[req.applicant_email or ""] if wanted else [],
        subject=f"【{req.agency.name}】{NOTICE_KINDS[notice].mail_subject}（申请编号{req.tracking_number}）",
        body=body + "\n",
        sender_name=req.agency.name,
        in_reply_to=in_reply_to,
        attachments=(((f"{sent.title}-{req.tracking_number}.pdf", pdf_of(session, sent)),) if sent else ())
        + extra,
    )


def _code_letter(msg: OutboxMessage) -> Letter:
    """A citizen's sign-in code (webapp/domain/citizens.py)."""
    code = str(msg.payload.get("code", ""))
    return Letter(
        to=[str(msg.payload["to"])],
        subject=f"登录验证码：{code}",
        body=f"您的登录验证码为{code}，10分钟内有效。\n\n如非本人操作，请忽略本邮件。\n\n{FOOTER}\n",
        sender_name="政府信息公开申请办理系统",
    )


def _access_code_letter(msg: OutboxMessage, options: MailOptions) -> Letter:
    """A new access code for an applicant who lost theirs (webapp/domain/lost_codes.py)."""
    code = str(msg.payload.get("code", ""))
    number = str(msg.payload.get("tracking_number", ""))
    body = (
        f"您好：\n\n有人在网上申请重新发送政府信息公开申请{number}的查询码。查询码只以加密形式保存，"
        f"无法找回原查询码，系统已为该申请生成新的查询码：\n\n    {code}\n\n"
        "原查询码自即刻起失效，请改用新的查询码。"
        f"凭申请编号和新查询码可查询办理进度：{options.tracking_link(number)}\n\n"
        "如非本人操作，请妥善保管本邮件；新查询码只发送到申请时登记的联系方式。\n\n"
        f"{FOOTER}\n"
    )
    return Letter(
        to=[str(msg.payload["to"])],
        subject=f"政府信息公开申请{number}的新查询码",
        body=body,
        sender_name="政府信息公开申请办理系统",
    )


def staff_emails(session: Session, agency_id: int, assignee_id: int | None = None) -> list[str]:
    """The assignee when there is one, else the agency's active officers and heads."""
    if assignee_id is not None:
        user = session.get(User, assignee_id)
        if user is not None and user.active:
            return [user.email]
    return [user.email for user in agency_staff(session, agency_id)]


def _deadline_letter(session: Session, msg: OutboxMessage, notice: str) -> Letter:
    req = msg.request
    if req is None:
        raise ValueError(f"outbox row {msg.id} has no request")
    due = str(msg.payload.get("due_on"))
    status = STATUS_LABELS[Status(req.status)]
    if notice == "overdue":
        subject = f"【逾期】申请{req.tracking_number}已超过答复期限（{cn_date(due)}）"
        text = f"申请{req.tracking_number}的答复期限为{cn_date(due)}，现已逾期，请尽快办理。"
    else:
        subject = f"【即将到期】申请{req.tracking_number}的答复期限为{cn_date(due)}"
        text = f"申请{req.tracking_number}的答复期限为{cn_date(due)}，即将到期，请及时办理。"
    if req.finished or (req.due_on is not None and req.due_on.isoformat() != due):
        text += f"\n\n（发送时该申请的状态为：{status}；当前答复期限：{cn_date(req.due_on)}。）"
    else:
        text += f"\n\n当前状态：{status}。"
    return Letter(
        to=staff_emails(session, req.agency_id, req.assignee_id),
        subject=subject,
        body=text + "\n",
        sender_name="政府信息公开申请办理系统",
    )


def _reset_letter(
    session: Session, msg: OutboxMessage, secret: str, public_url: str, now: dt.datetime
) -> Letter:
    """The staff member's password-reset link; nothing to send once it is used or expired (a resend
    would carry a dead link) or without the secret that makes it."""
    reset = session.get(PasswordReset, int(str(msg.payload.get("reset_id"))))
    if reset is None or not secret:
        raise ValueError(f"outbox row {msg.id}: no reset or no SECRET_KEY")
    alive = reset.used_at is None and reset.expires_at > now and reset.user.active
    link = f"{public_url.rstrip('/')}/staff/password/reset/{passwords.token_of(reset, secret)}"
    minutes = int(passwords.RESET_VALID.total_seconds() // 60)
    body = (
        f"{reset.user.name or reset.user.email}：\n\n"
        f"有人（希望是您本人）申请重置政府信息公开申请办理系统的登录密码。请在{minutes}分钟内打开下面的链接设置新密码，"
        f"链接只能使用一次：\n\n{link}\n\n"
        "如果不是您本人申请，请忽略本邮件，您的密码不会改变。\n\n"
        "本邮件由政府信息公开申请办理系统自动发送，请勿直接回复。\n"
    )
    return Letter(
        to=[reset.user.email] if alive else [],
        subject="重置登录密码",
        body=body,
        sender_name="政府信息公开申请办理系统",
    )


def _digest_letter(session: Session, msg: OutboxMessage) -> Letter:
    p = msg.payload
    agency_id = int(str(p["agency_id"]))
    overdue = [tuple(x) for x in p.get("overdue", [])]  # type: ignore[attr-defined]
    due_soon = [tuple(x) for x in p.get("due_soon", [])]  # type: ignore[attr-defined]
    failed = int(str(p.get("failed_notices", 0)))
    review = int(str(p.get("mail_for_review", 0)))
    date = str(p["date"])
    agency = p.get("agency_name", "")
    parts = [f"{agency}{cn_date(date)}办理提醒：逾期{len(overdue)}件，即将到期{len(due_soon)}件。"]
    if overdue:
        parts.append("已逾期：\n" + "\n".join(f"  {tn}　答复期限{cn_date(d)}" for tn, d in overdue))
    if due_soon:
        parts.append("即将到期：\n" + "\n".join(f"  {tn}　答复期限{cn_date(d)}" for tn, d in due_soon))
    undelivered_count = int(str(p.get("undelivered_notices", 0)))
    if failed:
        parts.append(
            f"发送失败、需要处理的通知：{failed}件。请在“邮件与通知”页核对申请人的电子邮箱后重新发送，"
            "或打印文书邮寄、电话告知申请人。"
        )
    if undelivered_count:
        parts.append(
            f"申请人没有电子邮箱、未发电子邮件的通知：{undelivered_count}件（近一日）。"
            "请在申请页面查看，打印文书邮寄或当面送达并登记，或电话告知申请人。"
        )
    if review:
        parts.append(f"待人工审核的申请邮箱来信：{review}封。")
    parts.append("本邮件由政府信息公开申请办理系统自动发送。")
    return Letter(
        to=staff_emails(session, agency_id),
        subject=f"【每日提醒】{cn_date(date)} 逾期{len(overdue)}件，即将到期{len(due_soon)}件",
        body="\n\n".join(parts) + "\n",
        sender_name="政府信息公开申请办理系统",
    )


def _annual_unsigned_letter(session: Session, msg: OutboxMessage) -> Letter:
    """To the agency's heads: its annual report on the year is not signed off and the deadline nears."""
    p = msg.payload
    agency_id = int(str(p["agency_id"]))
    year, deadline, agency = p["year"], str(p["deadline"]), p.get("agency_name", "")
    heads = [u.email for u in agency_staff(session, agency_id) if u.role == "head"]
    text = (
        f"{agency}{year}年政府信息公开工作年度报告尚未签发。依照《中华人民共和国政府信息公开条例》第五十条，"
        f"年度报告应于{cn_date(deadline)}前向社会公布。请在系统“年度报告”页面核对数字和文字后签发。\n\n"
        "本邮件由政府信息公开申请办理系统自动发送。"
    )
    return Letter(
        to=heads,
        subject=f"【年度报告】{year}年度报告尚未签发，公布期限{cn_date(deadline)}",
        body=text + "\n",
        sender_name="政府信息公开申请办理系统",
    )
