"""Checking what a request is made of: texts, dates and the applicant (each error names its field)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from webapp.domain.contact import check_email, check_phone
from webapp.domain.deadlines import EARLIEST_RECEIVED_ON
from webapp.domain.identity import id_number_error, normalise_id_number
from webapp.domain.states import APPLICANT_TYPES, ID_KINDS
from webapp.i18n import _l

MAX_TEXT = 5000
MAX_CORRECTION_PERIOD = 30


@dataclass(frozen=True)
class Applicant:
    type: str
    name: str
    id_kind: str | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


def text(
    errors: dict[str, Any], field: str, value: Any, *, required: bool, limit: int = MAX_TEXT
) -> str | None:
    """The stripped text, or None (with `errors[field]` set when it was required, not text or too long)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = _l("必填")
        return None
    if not isinstance(value, str):
        errors[field] = _l("应为文本")
        return None
    if len(value) > limit:
        errors[field] = _l("不能超过%(limit)s个字符", limit=limit)
        return None
    return value.strip()


def check_date(errors: dict[str, Any], field: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        errors[field] = _l("日期不能晚于今天")
    elif day < EARLIEST_RECEIVED_ON:
        errors[field] = _l("日期不能早于2008年5月1日（《条例》施行之日）")


def validate_applicant(errors: dict[str, Any], a: Applicant) -> Applicant:
    if a.type not in APPLICANT_TYPES:
        errors["applicant.type"] = _l("未知的申请人类型")
    name = text(errors, "applicant.name", a.name, required=True, limit=200)
    id_kind, id_number = a.id_kind, normalise_id_number(a.id_number or "") or None
    if id_number and not id_kind:
        id_kind = "resident_id" if a.type == "natural_person" else "credit_code"
    if id_kind is not None and id_kind not in ID_KINDS:
        errors["applicant.id_kind"] = _l("未知的证件类型")
    elif id_kind and id_number:
        problem = id_number_error(id_kind, id_number)
        if problem:
            errors["applicant.id_number"] = problem
    email = text(errors, "applicant.email", a.email, required=False, limit=254)
    if email:
        email, bad_email = check_email(email)
        if bad_email:
            errors["applicant.email"] = bad_email
    phone = text(errors, "applicant.phone", a.phone, required=False, limit=40)
    if phone:
        phone, bad_phone = check_phone(phone)
        if bad_phone:
            errors["applicant.phone"] = bad_phone
    address = text(errors, "applicant.address", a.address, required=False, limit=500)
    if not (email or phone or address):
        errors["applicant"] = _l("请至少提供一种联系方式（电话、电子邮箱或通信地址）")
    return Applicant(a.type, name or "", id_kind if id_number else None, id_number, phone, email, address)
