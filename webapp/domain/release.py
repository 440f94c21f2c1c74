"""Released information (docs/rules.md §Released information): the files an agency hands over with a
予以公开 or 部分公开 reply, the place where information already published can be had (2019 rules Art.
36(2)), the parts withheld with their basis (Art. 37), and whether and when the answer reached the
applicant.

Who may fetch a released file is decided here, once: the applicant with the request's access code (the
API and the tracking page), the request's agency staff, and whatever else will show released files (a
public log) through `released_files` / `released_file`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from webapp.domain.states import RELEASING_OUTCOMES, WITHHOLDING_BASES, WITHHOLDING_LABELS, chinese
from webapp.i18n import _l
from webapp.models import Attachment, Event, Request

APPLICATION, RELEASE = "application", "release"  # an attachment's purpose
PURPOSES = (APPLICATION, RELEASE)
MAX_RELEASED = 200  # files one reply releases
MAX_WHERE = 500  # characters of published_where
MAX_PARTS = 50  # withheld parts one reply lists
MAX_PART = 200  # characters naming one part


def released_files(req: Request) -> list[Attachment]:
    """The files the request's reply released, in the order the reply lists them."""
    return sorted((a for a in req.attachments if a.released_on is not None), key=lambda a: a.id)


def released_file(req: Request, attachment_id: int) -> Attachment | None:
    """One released file of the request, or None (not there, or not released)."""
    return next((a for a in released_files(req) if a.id == attachment_id), None)


def release_candidates(req: Request) -> list[Attachment]:
    """The files staff uploaded to release that no reply has released yet (the reply form's choices)."""
    return sorted(
        (a for a in req.attachments if a.purpose == RELEASE and a.released_on is None), key=lambda a: a.id
    )


def check_release(
    errors: dict[str, Any],
    req: Request,
    outcome: object,
    *,
    released: object,
    published_where: object,
    withheld: object,
) -> dict[str, Any]:
    """The reply's released files, publication place and withheld parts, checked (errors by field); the
    event's data to record them. Files and place only with 予以公开/部分公开, withheld parts only with
    部分公开."""
    data: dict[str, Any] = {}
    releasing = outcome in RELEASING_OUTCOMES
    ids = released if released is not None else []
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        errors["released"] = _l("应为本申请待公开文件的编号列表")
        ids = []
    if ids and not releasing:
        errors["released"] = _l("仅予以公开或部分公开时提供文件")
    elif len(ids) > MAX_RELEASED or len(set(ids)) != len(ids):
        errors["released"] = _l("文件不能重复，最多%(n)s个", n=MAX_RELEASED)
    elif ids:
        candidates = {a.id: a for a in release_candidates(req)}
        unknown = [i for i in ids if i not in candidates]
        if unknown:
            errors["released"] = _l("不是本申请待公开的文件：%(ids)s", ids="、".join(str(i) for i in unknown))
        else:
            data["released"] = [
                {"id": i, "name": candidates[i].filename, "pages": candidates[i].pages} for i in ids
            ]
    if published_where is not None:
        if not isinstance(published_where, str) or len(published_where) > MAX_WHERE:
            errors["published_where"] = _l("不能超过%(limit)s个字符", limit=MAX_WHERE)
        elif published_where.strip() and not releasing:
            errors["published_where"] = _l("仅予以公开或部分公开时填写")
        elif published_where.strip():
            data["published_where"] = published_where.strip()
    parts = _parts(errors, withheld)
    if parts and outcome != "partially_disclosed":
        errors["withheld"] = _l("仅部分公开时列明不予公开的内容")
    elif outcome == "partially_disclosed" and not parts and "withheld" not in errors:
        errors["withheld"] = _l("部分公开须列明不予公开的内容及理由")
    elif parts:
        data["withheld"] = parts
    return data


def _parts(errors: dict[str, Any], withheld: object) -> list[dict[str, str]]:
    if withheld is None:
        return []
    if not isinstance(withheld, list) or len(withheld) > MAX_PARTS:
        errors["withheld"] = _l("应为不予公开的内容列表，最多%(n)s项", n=MAX_PARTS)
        return []
    parts = []
    for n, entry in enumerate(withheld):
        part = entry.get("part") if isinstance(entry, dict) else None
        basis = entry.get("basis") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or set(entry) - {"part", "basis"}:
            errors[f"withheld.{n}"] = _l("每项应为{part, basis}")
        elif not isinstance(part, str) or not part.strip() or len(part) > MAX_PART:
            errors[f"withheld.{n}.part"] = _l("请写明不予公开的内容（不超过%(limit)s个字符）", limit=MAX_PART)
        elif basis not in WITHHOLDING_BASES:
            errors[f"withheld.{n}.basis"] = _l("请选择不予公开的理由")
        else:
            parts.append({"part": part.strip(), "basis": str(basis)})
    return parts


def mark_released(req: Request, data: dict[str, Any], on: dt.date) -> None:
    """The files the reply lists become the applicant's to download from `on`."""
    ids = {int(f["id"]) for f in data.get("released", [])}
    for a in req.attachments:
        if a.id in ids:
            a.released_on = on


def withholding_label(basis: str) -> str:
    return chinese(WITHHOLDING_LABELS[basis])


# -- delivery ----------------------------------------------------------------------------------------------

DELIVERY_EVENTS = frozenset({"posted", "collected", "emailed"})


def answer_delivery(e: Event) -> bool:
    """Whether `e` delivered the answer: a posting, collection or e-mail not of another notice (a
    posting with `notice_seq` is that of a receipt, a correction notice …)."""
    return e.type in DELIVERY_EVENTS and not (isinstance(e.data, dict) and e.data.get("notice_seq"))


@dataclass(frozen=True)
class Delivery:
    """Whether and when the answer reached the applicant, and how (docs/rules.md §Delivery)."""

    delivered: bool
    on: dt.date | None
    how: str | None  # online, email, post, pickup
    detail: str  # the event's note: carrier and number, who collected it

    def as_dict(self) -> dict[str, object]:
        return {"delivered": self.delivered, "on": self.on, "how": self.how, "detail": self.detail}


def delivery_of(req: Request) -> Delivery:
    """The answer (reply or closure) is delivered when posted, collected or e-mailed (each an event),
    or, for delivery `online`, as soon as it is on the tracking page: the day of the reply."""
    if not req.finished:
        return Delivery(False, None, None, "")
    event: Event | None = next((e for e in reversed(req.events) if answer_delivery(e)), None)
    if event is not None:
        how = {"posted": "post", "collected": "pickup", "emailed": "email"}[event.type]
        return Delivery(True, event.on, how, event.note)
    if req.delivery == "online":
        return Delivery(True, req.finished_on, "online", "")
    return Delivery(False, None, None, "")
