"""Builders for the objects tests need, through the same domain functions the product uses."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from webapp.domain import accounts
from webapp.domain.requests import Applicant, submit
from webapp.models import Agency, DocumentSettings, Request, User
from webapp.render.pdf import RENDER_LOCK, cjk_font
from workers.deadlines import noon

_serial = itertools.count(1)

VALID_RESIDENT_ID = "11010519491231002X"
VALID_CREDIT_CODE = "91350100M000100Y43"


def at(day: dt.date) -> dt.datetime:
    """Noon of a day in Beijing (the sweeps' own hour)."""
    return noon(day)


# A test agency's way of paying a fee, which its fee notices state (without one it sends none).
FEE_PAYMENT = "通过本机关政务服务窗口缴纳（示范市人民路1号，工作日9:00—17:00）"


def make_agency(session: Session, now: dt.datetime, code: str | None = None, name: str = "测试局") -> Agency:
    agency = accounts.create_agency(session, code or f"AG{next(_serial)}", name, now=now)
    session.add(DocumentSettings(agency_id=agency.id, fee_payment=FEE_PAYMENT, overrides={}))
    session.flush()
    return agency


def make_user(
    session: Session,
    now: dt.datetime,
    agency: Agency | None,
    role: str = "officer",
    email: str | None = None,
    password: str | None = None,
) -> User:
    return accounts.create_user(
        session,
        email or f"user{next(_serial)}@example.gov.cn",
        role=role,
        agencies=[agency] if agency else [],
        password=password,
        now=now,
    )


def applicant(**overrides: object) -> Applicant:
    fields: dict[str, object] = {
        "type": "natural_person",
        "name": "张三",
        "id_number": VALID_RESIDENT_ID,
        "phone": "13900000000",
        "email": "zhangsan@example.cn",
        "address": "示范市解放路8号",
    }
    fields.update(overrides)
    return Applicant(**fields)  # type: ignore[arg-type]


def make_request(
    session: Session,
    now: dt.datetime,
    agency: Agency,
    *,
    received_on: dt.date | None = None,
    channel: str = "letter",
    officer: User | None = None,
) -> tuple[Request, str]:
    if channel != "online" and officer is None:
        officer = make_user(session, now, agency)
    return submit(
        session,
        agency=agency,
        applicant=applicant(),
        description="申请公开2023年度部门预算",
        delivery="email",
        now=now,
        channel=channel,
        received_on=received_on,
        registered_by=officer if channel != "online" else None,
        require_late_reason=False,  # requests of the past, not registrations made today
    )


def mail(
    subject: str = "申请公开2023年度部门预算",
    body: str = "您好：\n\n请公开贵局2023年度部门预算及其说明。\n\n李四",
    sender: str = "李四 <lisi@example.cn>",
    message_id: str | None = "<req-1@example.cn>",
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "ysqgk@agency.test"
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(msg)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext extracts it, with line breaks and spaces removed (lines wrap anywhere)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", "", out.stdout.decode())


PASSWORD = "correct-horse-7"


PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


@dataclass
class People:
    agency: Agency
    other_agency: Agency
    officer: User
    officer2: User
    head: User
    admin: User  # the administrator of `agency` (an agency administrator)
    stranger: User
    stranger_head: User
    platform: User  # the platform's administrator (an administrator of no agency)


def add_people(session: Any, now: dt.datetime) -> People:
    agency = make_agency(session, now, code="CITYHR", name="示范市人力资源和社会保障局")
    other = make_agency(session, now, code="CITYENV", name="示范市生态环境局")

    def user(agency: Agency | None, role: str, email: str, name: str = "") -> User:
        u = make_user(session, now, agency, role, email)
        u.password_hash = PASSWORD_HASH
        u.name = name
        return u

    people = People(
        agency=agency,
        other_agency=other,
        officer=user(agency, "officer", "officer@hr.example", "刘经办"),
        officer2=user(agency, "officer", "officer2@hr.example", "王经办"),
        head=user(agency, "head", "head@hr.example", "陈主任"),
        admin=user(agency, "admin", "admin@hr.example", "系统管理员"),
        stranger=user(other, "officer", "officer@env.example"),
        stranger_head=user(other, "head", "head@env.example"),
        platform=user(None, "admin", "platform@example.gov.cn", "平台管理员"),
    )
    session.flush()
    return people


def reply_fields(outcome: str) -> dict[str, Any]:
    """A reply's fields for any outcome: a partial disclosure names a part withheld and why."""
    withheld = [{"part": "涉及个人信息的内容", "basis": "withheld_third_party"}]
    return {"outcome": outcome, **({"withheld": withheld} if outcome == "partially_disclosed" else {})}


SECRET_LINES = [
    "关于示范项目资金安排的批复",
    "联系人：张三，身份证号110105194912310021，电话13812345678。",
    "邮箱 zhangsan@example.cn，地址北京市东城区。",
    "The budget line: Secret Project Alpha costs 1,000 yuan.",
    "其余内容保持不变，可以公开。",
]


def sample_pdf(lines: list[str] = SECRET_LINES, *, cover: str | None = None, pages: int = 1) -> bytes:
    """A PDF made the way the product makes its own (reportlab, the embedded WQY font): `lines` of CJK
    and Latin text and a red image beside the ID number's line; with `cover`, a black box drawn over the
    line holding that text and nothing removed (a "redaction" that only hides)."""
    image = Image.new("RGB", (60, 20), (200, 30, 30))
    buffer = io.BytesIO()
    with RENDER_LOCK:
        c = canvas.Canvas(buffer, pagesize=A4)
        for _ in range(pages):
            c.setFont(cjk_font(), 12)
            y = 780
            for line in lines:
                c.drawString(72, y, line)
                if cover is not None and cover in line:
                    c.rect(70, y - 3, 460, 15, fill=1)
                y -= 24
            c.drawImage(ImageReader(image), 250, 753, 60, 20)  # over the ID number
            c.showPage()
        c.save()
    return buffer.getvalue()
