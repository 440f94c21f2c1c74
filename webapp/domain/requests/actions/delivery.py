"""Delivery by post or in person (docs/rules.md §Delivery): the answer posted (`record_posting`) or
collected (`record_pickup`), once, for the delivery the applicant chose; and, with `notice`, any other
notice the applicant was sent — a receipt, a correction notice, a fee notice — printed and posted or handed
over because no e-mail carried it (docs/rules.md §Undelivered notices), once per notice."""

from __future__ import annotations

from webapp.domain.errors import IllegalTransition
from webapp.domain.release import delivery_of
from webapp.domain.requests.actions.spec import INTEGER, TEXT, Context, Field, action
from webapp.domain.requests.fields import text
from webapp.domain.states import DELIVERY_LABELS, NOTICE_LABELS, NOTICES, chinese
from webapp.i18n import _l
from webapp.models import Event, Request

HANDED = ("posted", "collected")  # the events of a posting or a collection
NOTICE_FIELD_DOC = (
    "the seq of the history event whose notice (receipt, correction notice, fee notice …) was posted or "
    "handed over; omitted: the answer (reply or closure notice)"
)


def answer_event(req: Request) -> Event | None:
    """The event that finished the request (its reply, closure or withdrawal), whose notice is the answer."""
    if not req.finished:
        return None
    return next((e for e in reversed(req.events) if e.to_status == "replied" and e.type in NOTICES), None)


def handed_notices(req: Request) -> set[int]:
    """The seqs of the events whose notice was recorded as posted or collected (not the answer's)."""
    return {
        int(str(e.data["notice_seq"])) for e in req.events if e.type in HANDED and e.data.get("notice_seq")
    }


@action(
    "record_posting",
    Field("carrier", TEXT, required=True, limit=100, doc="the postal carrier (e.g. 中国邮政EMS)"),
    Field("tracking_code", TEXT, required=True, limit=100, doc="the carrier's tracking number"),
    Field("notice", INTEGER, low=1, doc=NOTICE_FIELD_DOC),
)
def record_posting(c: Context) -> None:
    """The answer — or, with `notice`, another notice — posted (邮寄) on `on`, by a carrier under its
    tracking number."""
    carrier = text(c.errors, "carrier", c.take("carrier"), required=True, limit=100)
    code = text(c.errors, "tracking_code", c.take("tracking_code"), required=True, limit=100)
    which = _which(c, "post")
    c.data.update(carrier=carrier or "", tracking_code=code or "")
    c.note = f"{which}{carrier}，运单号{code}"


@action(
    "record_pickup",
    Field("collected_by", TEXT, required=True, limit=200, doc="who collected the answer"),
    Field("notice", INTEGER, low=1, doc=NOTICE_FIELD_DOC),
)
def record_pickup(c: Context) -> None:
    """The answer — or, with `notice`, another notice — collected in person (自行领取) on `on`, by whom."""
    who = text(c.errors, "collected_by", c.take("collected_by"), required=True, limit=200)
    which = _which(c, "pickup")
    c.data["collected_by"] = who or ""
    c.note = f"{which}领取人：{who}"


def _which(c: Context, how: str) -> str:
    """What was posted or collected: the answer (nothing recorded but the delivery), or the notice `notice`
    names (its seq and kind recorded, and its name leads the note)."""
    seq = c.take("notice")
    if seq is not None and (not isinstance(seq, int) or isinstance(seq, bool)):
        c.errors["notice"] = _l("应为本申请某一通知的办理记录序号")
        return ""
    answer = answer_event(c.req)
    if seq is None or (answer is not None and seq == answer.seq):
        if answer is None:
            raise IllegalTransition(_l("尚未答复：请指明所邮寄或领取的通知"), {"notice": _l("请选择通知")})
        _deliverable(c, how)
        return ""
    ev = next((e for e in c.req.events if e.seq == seq and e.type in NOTICES), None)
    if ev is None:
        c.errors["notice"] = _l("不是本申请发给申请人的通知")
        return ""
    if seq in handed_notices(c.req):
        raise IllegalTransition(_l("该通知已登记送达"), {"notice": _l("该通知已登记送达")})
    if c.on < ev.on:
        c.errors["on"] = _l("日期不能早于通知发出之日（%(date)s）", date=ev.on.isoformat())
    kind = NOTICES[ev.type]
    c.data.update(notice_seq=seq, notice=kind)
    return f"{chinese(NOTICE_LABELS[kind])}："


def _deliverable(c: Context, how: str) -> None:
    if c.req.delivery != how:
        raise IllegalTransition(
            _l("申请人选择的获取方式不是%(how)s", how=DELIVERY_LABELS[how]),
            {"action": _l("请按申请人选择的方式送达")},
        )
    if delivery_of(c.req).delivered:
        raise IllegalTransition(_l("已登记送达"), {"action": _l("该答复已送达")})
