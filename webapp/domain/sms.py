"""What the SMS notices say and to whom (docs/rules.md §SMS notices).

Every notice to an applicant that has an e-mail form has a short SMS form, queued in the same transaction
as the e-mail row (outbox kind "sms") when the applicant gave a mobile number: the agency, the request's
number, which notice it is and a link to the tracking page — never the access code. The citizen's sign-in
codes go by SMS too, and so does a lost access code made anew at the applicant's asking (the one SMS that
carries an access code, to the mobile number on file only). As with e-mail, the text is written when the
relay sends the row; nothing here sends (workers/sms.py does).

SMS in China go out only through templates approved by the provider, so each message is a template
(`notice` or `code`) and its parameters; the file sink writes the same text the template gives.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.orm import Session

from webapp.domain.states import NOTICE_KINDS
from webapp.models import Event, OutboxMessage, Request

SMS_KIND = "sms"
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS = re.compile(r"[\s\-()（）]")
TEMPLATES = {
    "notice": "【{agency}】您的政府信息公开申请{number}有新进展：{notice}。详情请凭查询码查看：{url}",
    "code": "您的登录验证码为{code}，10分钟内有效。如非本人操作，请忽略本短信。",
    "access_code": "您的政府信息公开申请{number}的新查询码为{code}，原查询码已失效。查询：{url}",
}


def mobile_digits(phone: str) -> str | None:
    """The 11 digits of a mainland mobile number (separators and +86 allowed), else None."""
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", phone or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    return digits if _MOBILE.fullmatch(digits) else None


@dataclass(frozen=True)
class Sms:
    to: str  # 11 digits; empty when there is nobody to text
    template: str  # a key of TEMPLATES
    params: dict[str, str]

    @property
    def text(self) -> str:
        return TEMPLATES[self.template].format(**self.params)


def queue_sms(session: Session, req: Request, ev: Event, notice: str, *, now: dt.datetime) -> None:
    """Queue the SMS form of the notice `ev` sends, when the applicant gave a mobile number."""
    if mobile_digits(req.applicant_phone or "") is None:
        return
    session.add(
        OutboxMessage(
            kind=SMS_KIND,
            request=req,
            delivery_key=f"sms:{req.tracking_number}:{ev.seq}",
            payload={"notice": notice, "event_seq": ev.seq},
            created_at=now,
            next_attempt_at=now,
        )
    )


def short_title(title: str) -> str:
    """政府信息公开申请受理回执 -> 受理回执: the notice's name without what every one of them starts with."""
    for prefix in ("政府信息公开申请", "政府信息公开"):
        if title.startswith(prefix):
            return title[len(prefix) :]
    return title


def compose_sms(msg: OutboxMessage, *, base_url: str, notify: str = "both") -> Sms:
    """The SMS of one outbox row. `notify` is the applicant's choice (webapp/domain/citizens.py): an
    applicant who wants e-mail only gets no SMS (`to` empty)."""
    payload = msg.payload
    if payload.get("notice") == "citizen_code":
        return Sms(str(payload["to"]), "code", {"code": str(payload.get("code", ""))})
    if payload.get("notice") == "access_code":  # a lost access code, made anew (domain/lost_codes.py)
        number = str(payload.get("tracking_number", ""))
        url = f"{base_url.rstrip('/')}/track?tracking_number={quote(number)}"
        params = {"number": number, "code": str(payload.get("code", "")), "url": url}
        return Sms(str(payload["to"]), "access_code", params)
    req = msg.request
    if req is None:
        raise ValueError(f"outbox row {msg.id} has no request")
    notice = NOTICE_KINDS[str(payload["notice"])]
    to = mobile_digits(req.applicant_phone or "") if notify != "email" else None
    url = f"{base_url.rstrip('/')}/track?tracking_number={quote(req.tracking_number)}"
    params = {
        "agency": req.agency.name,
        "number": req.tracking_number,
        "notice": short_title(notice.title),
        "url": url,
    }
    return Sms(to or "", "notice", params)
