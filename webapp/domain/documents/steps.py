"""The wording of the steps the 2019 rules give the agency beyond the plain reply (docs/rules.md
§Agency steps): the agency that holds the information named with its contact (Art. 36(5)); the texts of
the notices of Art. 35 (reasons asked, a later reasonable date), Art. 34 (the co-making agency consulted)
and Art. 32 (the third party told of a disclosure over its objection)."""

from __future__ import annotations

from webapp.domain.calendar import WorkCalendar
from webapp.domain.dates import cn_date
from webapp.domain.documents import facts
from webapp.domain.documents.wording import ARTICLES, REG, remedy_text
from webapp.models import Event, Request


def excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "……"


def referral(req: Request, outcome: str) -> list[str]:
    """The reply's paragraph naming the agency that holds the information and how to reach it, printed
    once (2019 rules Art. 36(5), 2008 Art. 21(3)); for another outcome, where else to ask, if known."""
    name = req.referred_agency
    if not name:
        return ["本机关无法确定负责公开该政府信息的行政机关。"] if outcome == "not_held" else []
    contact = "；".join(
        part
        for part in (
            f"地址：{req.referred_agency_address}" if req.referred_agency_address else "",
            f"电话：{req.referred_agency_phone}" if req.referred_agency_phone else "",
        )
        if part
    )
    named = f"{name}（{contact}）" if contact else name
    if outcome == "not_held":
        return [f"经了解，负责公开该政府信息的行政机关为{named}，您可以向该机关提出申请或者咨询。"]
    return [f"您可以向{named}咨询。"]


def _before(req: Request, ev: Event, *types: str) -> Event | None:
    """The latest event of `types` up to `ev` (a document is drafted as of its event)."""
    return next((e for e in reversed(req.events) if e.seq <= ev.seq and e.type in types), None)


def step_notice(kind: str, req: Request, ev: Event, cal: WorkCalendar) -> list[str]:
    """The paragraphs, after the request's identification, of the notices of the agency steps to the
    applicant: reasons asked (Art. 35), a later reasonable reply date (Art. 35), the co-making agency
    consulted (Art. 34, 33 ¶3)."""
    if kind == "reasons_notice":
        period = int(str(ev.data.get("period_days", 0)))
        return [
            f"经审查，本机关认为您申请公开政府信息的数量、频次明显超过合理范围：{ev.note}",
            f"依照{REG}第三十五条的规定，请您于{cn_date(cal.add_wd(ev.on, period))}前"
            f"（含当日，自本告知书发出之日起{period}个工作日内）向本机关说明理由。本机关认为申请理由不合理的，将告知您不予处理；认为申请理由合理，"
            f"但是无法在{REG}第三十三条规定的期限内答复的，将确定延迟答复的合理期限并告知您。"
            "在收到您说明的理由之前，本机关暂停计算答复期限。",
        ]
    if kind == "reply_period_notice":
        asked = _before(req, ev, "reasons_requested")
        stated = _before(req, ev, "reasons_received")
        due = cn_date(str(ev.data.get("due_on")))
        return [
            f"本机关于{cn_date(asked.on if asked else None)}要求您说明申请理由，"
            f"于{cn_date(stated.on if stated else None)}收到您说明的理由。经审查，本机关认为申请理由合理，"
            f"但因{ev.note.rstrip('。')}，无法在{REG}第三十三条规定的期限内答复。",
            f"依照{REG}第三十五条的规定，本机关确定延迟答复的合理期限为{ev.data.get('reply_days')}个工作日，"
            f"将于{due}前（含当日）作出答复。",
        ]
    if kind == "agency_consultation_notice":
        party = str(ev.data.get("party") or "")
        return [
            f"您申请公开的政府信息由本机关与{party}共同制作。依照{REG}第三十四条的规定，本机关已于{cn_date(ev.on)}"
            f"书面征求{party}的意见。被征求意见机关应当自收到征求意见书之日起15个工作日内提出意见，逾期未提出意见的"
            f"视为同意公开。依照{REG}第三十三条第三款的规定，征求其他机关意见所需时间不计算在答复期限内。"
            "本机关将在征求意见结束后继续办理，并依法作出答复。"
        ]
    raise ValueError(f"no agency-step notice {kind}")


def excessive(req: Request, ev: Event, cal: WorkCalendar) -> list[str]:
    """The reply `not_processed_excessive`: when the reasons were asked and whether they came (Art. 35)."""
    asked = _before(req, ev, "reasons_requested")
    if asked is None:
        return []
    until = cal.add_wd(asked.on, int(str(asked.data.get("period_days", 0))))
    stated = _before(req, ev, "reasons_received")
    answer = f"于{cn_date(stated.on)}收到您说明的理由" if stated else "您未说明理由"
    return [f"本机关于{cn_date(asked.on)}要求您于{cn_date(until)}前说明申请理由，{answer}。"]


def letter(kind: str, req: Request, ev: Event, remedies: tuple[str, str]) -> str:
    """A letter to someone other than the applicant, who is not named in it: the co-making agency
    consulted (Art. 34), the third party told of a disclosure over its objection (Art. 32)."""
    facts.check(kind, req, ev)
    party = str(ev.data.get("party") or "")
    asked = f"申请编号：{req.tracking_number}"
    if kind == "agency_consultation_letter":
        paras = [
            f"{party}：",
            f"本机关于{cn_date(req.received_on)}收到一件政府信息公开申请（{asked}），申请公开"
            f"“{excerpt(req.description)}”。该政府信息由本机关牵头、与贵机关共同制作。依照{REG}第三十四条的规定，"
            "现书面征求贵机关意见。",
            "请贵机关自收到本征求意见书之日起15个工作日内，以书面形式提出是否同意公开的意见；不同意公开的，请说明理由。"
            "逾期未提出意见的，视为同意公开。",
        ]
    elif kind == "third_party_notice":
        consulted = _before(req, ev, "consultation_started")
        article = ARTICLES[req.rules].consultation
        paras = [
            f"{party}：",
            f"本机关于{cn_date(consulted.on if consulted else None)}就一件政府信息公开申请（{asked}）"
            "书面征求贵方意见，贵方不同意公开。",
            f"本机关认为不公开可能对公共利益造成重大影响，依照{REG}{article}的规定，决定予以公开。现将决定公开的"
            "政府信息内容和理由书面告知如下。",
            f"决定公开的政府信息内容：{ev.data.get('content')}",
            f"理由：{ev.note}",
            f"本机关将于本告知书发出后向申请人公开上述信息。{remedy_text(req.rules, *remedies)}",
        ]
    else:
        raise ValueError(f"no agency-step letter {kind}")
    return "\n".join(paras)
