"""Possible duplicates of a request (docs/rules.md §Duplicates): the same applicant — the same identity
number, e-mail address or telephone number — asking the same agency, within 30 days, for information
described alike. `similarity()` is the one measure of "described alike", for any caller.

An officer may link a request to the one it repeats (an internal history entry); the reply "不予处理：
重复申请" (`not_processed_duplicate`, Art. 36(6) of the 2019 Regulations: 行政机关已就申请人提出的政府信息公开
申请作出答复、申请人重复申请公开相同政府信息的，告知申请人不予重复处理) is allowed only when the request is
linked to an earlier request of the same applicant that the agency has already answered
(`duplicate_original`, which `reply` calls); the letter names that request and its reply's date."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from webapp import authz
from webapp.domain.calendar import china_today
from webapp.domain.errors import Forbidden, IllegalTransition, ValidationError
from webapp.domain.requests.history import append_event
from webapp.domain.states import REPLY_OUTCOMES, chinese
from webapp.i18n import _l
from webapp.models import Request, User

WITHIN_DAYS = 30
SIMILAR = 0.5  # the share of character pairs two descriptions have in common, at least


def _pairs(text: str) -> set[str]:
    """The text's adjacent character pairs, letters and digits only, after NFKC and in lower case: Chinese
    has no spaces between words, and pairs of characters carry most of its meaning."""
    kept = "".join(c for c in unicodedata.normalize("NFKC", text).lower() if c.isalnum())
    return {kept[i : i + 2] for i in range(len(kept) - 1)} or ({kept} if kept else set())


def similarity(a: str, b: str) -> float:
    """How alike two descriptions are, from 0 (nothing in common) to 1 (the same letters and digits in
    the same order): the Dice coefficient of their character pairs."""
    pa, pb = _pairs(a), _pairs(b)
    if not pa or not pb:
        return 0.0
    return 2 * len(pa & pb) / (len(pa) + len(pb))


@dataclass(frozen=True)
class PossibleDuplicate:
    request: Request
    similarity: float
    same: tuple[str, ...]  # what the two applicants share: "id_number", "email", "phone"


def _same(a: Request, b: Request) -> tuple[str, ...]:
    fields = ("id_number", "email", "phone")
    return tuple(
        f
        for f in fields
        if getattr(a, f"applicant_{f}") and getattr(a, f"applicant_{f}") == getattr(b, f"applicant_{f}")
    )


def possible_duplicates(
    session: Session, req: Request, *, within_days: int = WITHIN_DAYS, threshold: float = SIMILAR
) -> list[PossibleDuplicate]:
    """The agency's other requests received within `within_days` of this one's received-on day, by the
    same applicant (identity number, e-mail or phone), whose description is at least `threshold` alike;
    the most alike first."""
    same_applicant = [
        column == value
        for column, value in (
            (Request.applicant_id_number, req.applicant_id_number),
            (Request.applicant_email, req.applicant_email),
            (Request.applicant_phone, req.applicant_phone),
        )
        if value
    ]
    if not same_applicant:
        return []
    window = dt.timedelta(days=within_days)
    candidates = session.execute(
        select(Request)
        .where(
            Request.agency_id == req.agency_id,
            Request.id != req.id,
            Request.received_on.between(req.received_on - window, req.received_on + window),
            or_(*same_applicant),
        )
        .order_by(Request.received_on, Request.id)
        .limit(200)
    ).scalars()
    found = [
        PossibleDuplicate(c, similarity(req.description, c.description), _same(req, c)) for c in candidates
    ]
    return sorted(
        (d for d in found if d.similarity >= threshold), key=lambda d: (-d.similarity, d.request.received_on)
    )


def duplicate_reply_allowed(original: Request) -> bool:
    """Whether a request repeating `original` may be answered 不予处理：重复申请 (Art. 36(6)): only once the
    agency has answered the original (a reply, not a closure or a withdrawal)."""
    return original.finished and original.outcome in REPLY_OUTCOMES


def _same_applicant(a: Request, b: Request) -> bool:
    """The same applicant: the same identity number, e-mail address (case aside) or telephone number
    (separators aside)."""

    def keys(r: Request) -> set[str]:
        phone = "".join(ch for ch in unicodedata.normalize("NFKC", r.applicant_phone or "") if ch.isdigit())
        return {
            k
            for k in (
                f"id:{(r.applicant_id_number or '').upper()}" if r.applicant_id_number else "",
                f"email:{r.applicant_email.lower()}" if r.applicant_email else "",
                f"phone:{phone}" if phone else "",
            )
            if k
        }

    return bool(keys(a) & keys(b))


def duplicate_original(session: Session, req: Request, on: dt.date) -> Request:
    """The earlier request `req` repeats, for the reply 不予处理：重复申请 on `on` (Art. 36(6)): the one it
    is linked to (`link_duplicate`), of the same agency and applicant, received before it and answered
    with a reply by `on`. IllegalTransition (409) saying which of these is missing."""
    number = linked_original(req)

    def refuse(message: object, field: object) -> IllegalTransition:
        return IllegalTransition(message, {"outcome": field})

    if number is None:
        raise refuse(
            _l(
                "“不予处理：重复申请”只适用于申请人重复申请已答复的相同信息：请先将本申请记为原申请的重复申请"
                "（《条例》第三十六条第（六）项）"
            ),
            _l("尚未记为哪一件申请的重复申请"),
        )
    original = session.execute(
        select(Request).where(Request.tracking_number == number, Request.agency_id == req.agency_id)
    ).scalar_one_or_none()
    if original is None or original.id == req.id:
        raise refuse(_l("所记的原申请%(n)s不是本机关的另一件申请", n=number), _l("原申请不存在"))
    if (original.received_on, original.id) > (req.received_on, req.id):
        raise refuse(
            _l("所记的原申请%(n)s晚于本申请收到，不能作为重复申请的依据", n=number), _l("原申请应早于本申请")
        )
    if not _same_applicant(original, req):
        raise refuse(
            _l(
                "所记的原申请%(n)s不是同一申请人提出的，不属于重复申请（《条例》第三十六条第（六）项）",
                n=number,
            ),
            _l("原申请应为同一申请人提出"),
        )
    if not duplicate_reply_allowed(original) or original.finished_on is None or original.finished_on > on:
        raise refuse(
            _l(
                "原申请%(n)s尚未答复：本机关已作出答复的，才能告知申请人不予重复处理（《条例》第三十六条第（六）项）",
                n=number,
            ),
            _l("原申请尚未答复"),
        )
    return original


def linked_original(req: Request) -> str | None:
    """The tracking number of the request this one was last linked to as its duplicate, or None."""
    for ev in reversed(req.events):
        of = ev.data.get("duplicate_of") if isinstance(ev.data, dict) else None
        if isinstance(of, str):
            return of
    return None


def link_duplicate(
    session: Session, req: Request, original: Request, actor: User, *, now: dt.datetime
) -> None:
    """Record in `req`'s history (an internal note) that it repeats `original`, a request of the same
    agency; the caller commits."""
    if not authz.may_see_request(actor, req) or actor.role not in ("officer", "head"):
        raise Forbidden(_l("只能处理本机关的申请"))
    if original.id == req.id or original.agency_id != req.agency_id:
        raise ValidationError(_l("输入有误，请检查标出的字段"), {"original": _l("应为本机关的另一件申请")})
    rule = (
        _l("原申请已答复，可以“不予处理：重复申请”答复（《条例》第三十六条第（六）项）")
        if duplicate_reply_allowed(original)
        else _l("原申请尚未答复，暂不适用“不予处理：重复申请”")
    )
    req.updated_at = now
    flag_modified(req, "updated_at")  # the version moves: a page open elsewhere sees the change
    append_event(
        session,
        req,
        "commented",
        on=china_today(now),
        now=now,
        actor=actor,
        from_status=req.status,
        to_status=req.status,
        note=f"与申请{original.tracking_number}重复。{chinese(rule)}",
        data={"duplicate_of": original.tracking_number},
    )
    session.flush()
