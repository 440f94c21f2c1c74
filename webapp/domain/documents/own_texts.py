"""An agency's own texts of its letters to the applicant (docs/rules.md §Letters), as the administrator's
text editor handles them: which texts there are (the reply once per outcome and once for every outcome,
each notice), the built-in text to start from, saving one text, and a preview of an unsaved text on one
of the agency's own requests.

The preview writes the unsaved text into the agency's settings inside a savepoint that is rolled back,
then drafts the letter exactly as sending would: a reply on a request that can still take it through
the officer's preview (`previews.preview()`: the reply carried out and rolled back), any other letter
from the request's own event that sent it. Nothing is kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain.documents.issuing import DRY_RUN, compose
from webapp.domain.documents.previews import preview
from webapp.domain.documents.settings import OVERRIDABLE, merged_texts, settings_for, text_problem
from webapp.domain.documents.wording import REPLY_TEXT
from webapp.domain.errors import DomainError, NotFound, ValidationError
from webapp.domain.states import NOTICE_LABELS, NOTICES, OUTCOME_LABELS, UNFINISHED
from webapp.i18n import _l
from webapp.models import Agency, Request
from webapp.models.document import Document, DocumentSettings

# What a previewed reply carries where the officer would write something: shown as examples.
EXAMPLE_NOTE = "（示例：经办人填写的办理说明）"
EXAMPLE_WITHHELD = [{"part": "（示例：不予公开的部分）", "basis": "withheld_third_party"}]


def label(key: str) -> Any:
    """A text's name: its notice's, or the reply's with its outcome."""
    kind, _, outcome = key.partition(":")
    if outcome:
        return _l("答复书（%(outcome)s）", outcome=OUTCOME_LABELS[outcome])
    if kind == "reply":
        return _l("答复书（未单独设置正文的办理结果通用）")
    return NOTICE_LABELS[kind]


def key_or_404(key: str) -> str:
    if key not in OVERRIDABLE:
        raise NotFound(_l("没有这种文书"))
    return key


def starter(key: str) -> str:
    """The built-in text as a template to start from. A reply of one outcome: its decision and basis in
    the words of the 2019 rules around the request's fields; any other text: the built-in text whole
    ({default}), which is drafted from the event's own facts (periods, days, amounts, files)."""
    outcome = key.partition(":")[2]
    if not outcome:
        return "{applicant}：\n{default}"
    basis, decision = REPLY_TEXT["2019"][outcome]
    return "\n".join(
        [
            "{applicant}：",
            "本机关于{received_on}收到您提出的政府信息公开申请（申请编号：{tracking_number}），"
            "申请获取“{description}”。",
            f"经审查，现答复如下：{decision}",
            "{note}",
            f"依据：{basis}。",
            "{remedy}",
        ]
    )


def texts_of(session: Session, agency: Agency) -> list[tuple[str, Any, str]]:
    """Every text the agency may set: (key, name, its own text or "" for the built-in one)."""
    own = settings_for(session, agency).overrides
    own = own if isinstance(own, dict) else {}
    return [(key, label(key), str(own.get(key) or "")) for key in OVERRIDABLE]


def save_text(session: Session, agency: Agency, key: str, text: str | None, *, now: dt.datetime) -> None:
    """The administrator saves one of the agency's own texts (empty: back to the built-in text); a text
    with an unknown placeholder or a lone brace is refused naming it, and nothing is saved. Letters
    already sent keep their words (webapp.models.document: a document never changes)."""
    key_or_404(key)
    problem = text_problem(text, key)
    if problem is not None:
        raise ValidationError(_l("正文有误，未保存"), {"text": problem})
    settings = session.get(DocumentSettings, agency.id)
    if settings is None:
        settings = settings_for(session, agency)
        session.add(settings)
    settings.overrides = merged_texts(settings.overrides, {key: text})
    settings.updated_at = now
    session.flush()


@dataclass(frozen=True)
class Preview:
    letter: Document  # with the unsaved text
    built_in: Document  # with none of the agency's texts for it
    on: dt.date


def preview_text(
    session: Session,
    agency: Agency,
    tracking_number: str,
    key: str,
    text: str | None,
    *,
    now: dt.datetime,
    today: dt.date,
) -> Preview:
    """The letter of `key` on the agency's request `tracking_number` as it would read with the unsaved
    `text`, and as it reads with the built-in text. Refused naming the field: a bad text, a request not
    the agency's, a request that cannot take this letter."""
    key_or_404(key)
    problem = text_problem(text, key)
    if problem is not None:
        raise ValidationError(_l("正文有误"), {"text": problem})
    req = session.execute(
        select(Request).where(
            Request.tracking_number == (tracking_number or "").strip(), Request.agency_id == agency.id
        )
    ).scalar_one_or_none()
    if req is None:
        raise ValidationError(_l("找不到这件申请"), {"tracking_number": _l("本机关没有这个申请编号的申请")})
    kind = key.partition(":")[0]
    letter, on = _drafted(session, req, key, {key: text or ""}, now=now, today=today)
    built_in, _ = _drafted(session, req, key, {key: None, kind: None}, now=now, today=today)
    return Preview(letter, built_in, on)


def _drafted(
    session: Session,
    req: Request,
    key: str,
    texts: dict[str, str | None],
    *,
    now: dt.datetime,
    today: dt.date,
) -> tuple[Document, dt.date]:
    """The letter drafted with the agency's texts changed as `texts` says, in a savepoint rolled back."""
    savepoint = session.begin_nested()
    try:
        settings = session.get(DocumentSettings, req.agency_id)
        if settings is None:
            settings = settings_for(session, req.agency)
            session.add(settings)
        settings.overrides = merged_texts(settings.overrides, texts)
        session.flush()
        return _letter(session, req, key, now=now, today=today)
    finally:
        savepoint.rollback()


def _letter(
    session: Session, req: Request, key: str, *, now: dt.datetime, today: dt.date
) -> tuple[Document, dt.date]:
    kind, _, outcome = key.partition(":")
    if kind == "reply" and req.status in UNFINISHED:
        chosen = outcome or "not_exist"
        extra = {"withheld": EXAMPLE_WITHHELD} if chosen == "partially_disclosed" else {}
        try:
            found = preview(
                session, req, "reply", None, now=now, on=today, outcome=chosen, note=EXAMPLE_NOTE, **extra
            )
        except DomainError as exc:
            raise ValidationError(
                _l("不能在这件申请上预览"),
                {"tracking_number": _l("这件申请现在不能答复：%(reason)s", reason=exc.message)},
            ) from exc
        assert found is not None  # noqa: S101  (a reply always sends its letter)
        return found, today
    sent = next(
        (
            e
            for e in reversed(req.events)
            if NOTICES.get(e.type) == kind and (not outcome or (e.data or {}).get("outcome") == outcome)
        ),
        None,
    )
    if sent is None:
        raise ValidationError(
            _l("不能在这件申请上预览"),
            {
                "tracking_number": _l(
                    "这件申请没有发出过%(letter)s，也不能再发出；请选择一件发出过或正在办理的申请",
                    letter=label(key),
                )
            },
        )
    session.info[DRY_RUN] = True
    try:
        values = compose(session, req, sent, now=now, actor=None)
    finally:
        session.info.pop(DRY_RUN, None)
    assert values is not None  # noqa: S101  (the event sends a notice)
    return Document(**values), sent.on
