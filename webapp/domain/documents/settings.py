"""An agency's document settings: letterhead, contact block, number scheme and its own texts per kind,
read once per transaction and saved by the administrator."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from webapp.domain import templates
from webapp.domain.documents.numbering import (
    DEFAULT_SCHEME,
    NUMBER_LIMIT,
    column_length,
    format_number,
    scheme_error,
)
from webapp.domain.documents.wording import MAX_BODY
from webapp.domain.errors import ValidationError
from webapp.domain.states import LETTERS, OUTCOME_LABELS, REPLY_OUTCOMES
from webapp.i18n import _l
from webapp.models import Agency
from webapp.models.document import DOCUMENT_KINDS, DocumentSettings

_SETTINGS = "document_settings"  # session.info key: (the transaction, {agency id: its row or None})


def _settings_seen(session: Session) -> dict[int, DocumentSettings | None]:
    real = session() if isinstance(session, scoped_session) else session
    seen = real.info.get(_SETTINGS)
    if seen is None or seen[0] is not real.get_transaction():
        seen = (real.get_transaction(), {})
        real.info[_SETTINGS] = seen
    return seen[1]


def settings_for(session: Session, agency: Agency) -> DocumentSettings:
    """The agency's document settings; defaults (not stored) when the admin has set none."""
    seen = _settings_seen(session)
    if agency.id in seen:
        found = seen[agency.id]
    else:
        found = seen[agency.id] = session.get(DocumentSettings, agency.id)
    return found if found is not None else default_settings(agency)


def default_settings(agency: Agency) -> DocumentSettings:
    """The settings of an agency whose admin has set none (not stored)."""
    return DocumentSettings(
        agency_id=agency.id,
        letterhead="",
        short_name="",
        number_scheme="",
        seal_text="",
        address="",
        postal_code="",
        phone="",
        email="",
        contact_person="",
        review_body="",
        court="",
        fee_payment="",
        overrides={},
    )


def header_of(settings: DocumentSettings, agency: Agency) -> dict[str, object]:
    """The letterhead and contact block frozen with each document."""
    return {
        "agency": agency.name,
        "letterhead": settings.letterhead or agency.name,
        "seal_text": settings.seal_text or agency.name,
        "address": settings.address,
        "postal_code": settings.postal_code,
        "phone": settings.phone,
        "email": settings.email,
        "contact_person": settings.contact_person,
    }


# Agencies' own texts (docs/rules.md §Letters): every document to the applicant by its kind, and the reply
# once per outcome ("reply:<outcome>"), before the text for every outcome ("reply"); the letters to others
# keep the generated text, which the officer may still edit before sending.
APPLICANT_KINDS = tuple(kind for kind in DOCUMENT_KINDS if kind not in LETTERS.values())
REPLY_KEYS = tuple(f"reply:{outcome}" for outcome in OUTCOME_LABELS if outcome in REPLY_OUTCOMES)
OVERRIDABLE = (*REPLY_KEYS, "reply", *(kind for kind in APPLICANT_KINDS if kind != "reply"))


# The notices sent as the count stops (docs/rules.md §Deadlines): correction, consultations, reasons, fee.
# They have no due date to write, so a text of theirs with {due_on} is refused when saved rather than set
# aside when sent; the built-in text tells the working days left.
STOPPING_KINDS = frozenset(
    {"correction_notice", "consultation_notice", "agency_consultation_notice", "reasons_notice", "fee_notice"}
)


def text_problem(text: object, key: str = "") -> Any:
    """Why an agency's own text for `key` cannot be saved (naming the bad placeholder or brace), or None."""
    if text is not None and not isinstance(text, str):
        return _l("应为文本")
    if text and len(text) > MAX_BODY:
        return _l("不能超过%(limit)s个字符", limit=MAX_BODY)
    if text and text.strip():
        problem = templates.template_error(text, templates.LETTER_FIELDS)
        if (
            problem is None
            and key in STOPPING_KINDS
            and "due_on" in templates.placeholders(text, templates.LETTER_FIELDS)
        ):
            return _l(
                "这种告知书发出时答复期限暂停计算，没有答复期限可写，不能使用{due_on}；"
                "系统正文{default}写明剩余工作日"
            )
        return problem
    return None


def merged_texts(current: object, changes: dict[str, str | None]) -> dict[str, object]:
    """The agency's own texts with `changes` made: a text replaces its kind's, an empty one removes it."""
    texts = dict(current) if isinstance(current, dict) else {}
    for key, text in changes.items():
        if text and text.strip():
            texts[key] = text.replace("\r\n", "\n").strip()
        else:
            texts.pop(key, None)
    return texts


SETTING_FIELDS = (
    "letterhead",
    "short_name",
    "number_scheme",
    "seal_text",
    "address",
    "postal_code",
    "phone",
    "email",
    "contact_person",
    "review_body",
    "court",
    "fee_payment",
)


def save_settings(
    session: Session,
    agency: Agency,
    values: dict[str, str | None],
    overrides: dict[str, str | None],
    *,
    now: dt.datetime,
) -> DocumentSettings:
    """The admin sets an agency's letterhead, contact block, number scheme and own texts (`overrides`: the
    texts given replace those of their kinds, an empty one goes back to the built-in text, the others are
    kept); documents already sent keep what they were sent with."""
    errors: dict[str, Any] = {}
    for name in SETTING_FIELDS:
        value = values.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = _l("应为文本")
        elif value and len(value.strip()) > SETTING_LIMITS[name]:
            errors[name] = _l("不能超过%(limit)s个字符", limit=SETTING_LIMITS[name])
    scheme = (values.get("number_scheme") or "").strip()
    if scheme and "number_scheme" not in errors and scheme_error(scheme):
        errors["number_scheme"] = scheme_error(scheme)
    elif (scheme or values.get("short_name")) and not {"number_scheme", "short_name"} & set(errors):
        longest = format_number(
            scheme or DEFAULT_SCHEME, (values.get("short_name") or "").strip() or agency.name
        )
        if len(longest) > NUMBER_LIMIT:
            errors["number_scheme"] = _l(
                "按此格式生成的文书编号可达%(length)s个字符，不能超过%(limit)s个（请缩短格式或发文机关代字）",
                length=len(longest),
                limit=NUMBER_LIMIT,
            )
    unknown = set(overrides) - set(OVERRIDABLE)
    if unknown:
        errors["overrides"] = _l("未知的文书种类：%(kinds)s", kinds="、".join(sorted(unknown)))
    for kind, text in overrides.items():
        problem = text_problem(text, kind)
        if problem is not None:
            errors[f"override_{kind}"] = problem
    if errors:
        raise ValidationError(_l("文书设置有误，请检查标出的字段"), errors)
    settings = session.get(DocumentSettings, agency.id)
    if settings is None:
        settings = settings_for(session, agency)
        session.add(settings)
    _settings_seen(session)[agency.id] = settings
    for name in SETTING_FIELDS:
        setattr(settings, name, (values.get(name) or "").strip())
    settings.overrides = merged_texts(settings.overrides, overrides)
    settings.updated_at = now
    session.flush()
    return settings


SETTING_LIMITS = {name: column_length(DocumentSettings.__table__, name) for name in SETTING_FIELDS}


@event.listens_for(Session, "before_flush")
def _forget_settings(session: Session, flush_context: Any, instances: Any) -> None:
    """A flush that writes document settings (an admin's change, a test's row) forgets what this
    transaction has read of them."""
    if _SETTINGS in session.info and any(
        isinstance(o, DocumentSettings) for o in itertools.chain(session.new, session.dirty, session.deleted)
    ):
        del session.info[_SETTINGS]


@event.listens_for(Session, "after_soft_rollback")
def _forget_settings_on_rollback(session: Session, previous_transaction: Any) -> None:
    """A rollback (a savepoint's too) may take back a settings row read or written within it."""
    session.info.pop(_SETTINGS, None)
