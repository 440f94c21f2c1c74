"""Checking what a request is made of: texts, dates and the applicant (each error names its field)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from webapp.domain.contact import check_email, check_phone
from webapp.domain.deadlines import EARLIEST_RECEIVED_ON
from webapp.domain.identity import id_number_error, normalise_id_number
from webapp.domain.states import APPLICANT_TYPES, ID_KINDS, PERSON_ID_KINDS
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


def validate_applicant(
    errors: dict[str, Any], a: Applicant, delivery: str | None = None, *, identity_required: bool = True
) -> Applicant:
    """The applicant as stored, with every problem in `errors` under its field (docs/rules.md §Contacts,
    §Identity): one good e-mail address, a Chinese telephone number, the contact the chosen `delivery`
    needs, and the identity document Art. 29 asks for — a natural person's (居民身份证 by default) or an
    organisation's 统一社会信用代码. `identity_required=False` for a request the platform registers from an
    e-mail, whose sender gave no document (the officer asks for it by a correction notice)."""
    if a.type not in APPLICANT_TYPES:
        errors["applicant.type"] = _l("未知的申请人类型")
    person = a.type == "natural_person"
    name = text(errors, "applicant.name", a.name, required=True, limit=200)
    id_number = normalise_id_number(a.id_number) if isinstance(a.id_number, str) else None
    id_kind = a.id_kind or ("resident_id" if person else "credit_code")
    if id_kind not in ID_KINDS:
        errors["applicant.id_kind"] = _l("未知的证件类型")
    elif person and id_kind not in PERSON_ID_KINDS:
        errors["applicant.id_kind"] = _l("自然人请选择身份证件，统一社会信用代码只用于法人或其他组织")
    elif not person and id_kind != "credit_code" and a.type in APPLICANT_TYPES:
        errors["applicant.id_kind"] = _l("法人或其他组织的证件为统一社会信用代码")
    elif id_number:
        problem = id_number_error(id_kind, id_number)
        if problem:
            errors["applicant.id_number"] = problem
    elif identity_required:
        errors["applicant.id_number"] = _l("请填写证件号码") if person else _l("请填写18位统一社会信用代码")
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
    missing = contact_missing(delivery, email=email, phone=phone, address=address)
    if missing is not None and missing[0] not in errors:
        errors[missing[0]] = missing[1]
    elif not (email or phone or address) and not any(k in errors for k in CONTACT_FIELDS):
        errors["applicant"] = _l("请至少提供一种联系方式（电话、电子邮箱或通信地址）")
    return Applicant(
        a.type, name or "", id_kind if id_number else None, id_number or None, phone, email, address
    )


CONTACT_FIELDS = ("applicant.email", "applicant.phone", "applicant.address")


def contact_missing(
    delivery: str | None, *, email: str | None, phone: str | None, address: str | None
) -> tuple[str, object] | None:
    """The field the chosen way of delivery needs and lacks, with its message, or None (docs/rules.md
    §Contacts): e-mail needs the address, post the postal address, online and pickup a phone or an
    e-mail address to be told by."""
    if delivery == "email" and not email:
        return "applicant.email", _l("选择以电子邮件获取信息，须填写电子邮箱")
    if delivery == "post" and not address:
        return "applicant.address", _l("选择邮寄，须填写通信地址")
    if delivery in ("online", "pickup") and not (phone or email):
        return "applicant.phone", _l("选择网上获取或自行领取，须填写联系电话或电子邮箱，以便通知您")
    return None
