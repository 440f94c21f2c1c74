"""The default texts of the documents, drafted from the request and its event in the words of the rule
set in force on the received-on day, or an agency's own text with its {placeholders} filled."""

from __future__ import annotations

import datetime as dt

from webapp.domain import fees, templates
from webapp.domain.calendar import WorkCalendar
from webapp.domain.dates import cn_date
from webapp.domain.deadlines import DUE_AT_REGISTRATION, due_at_registration, registration_day
from webapp.domain.documents import facts
from webapp.domain.documents.steps import excessive, referral, step_notice
from webapp.domain.documents.wording import (
    ARTICLES,
    FEE_RULES,
    REG,
    REPLY_TEXT,
    remedy_text,
    withholding_basis,
)
from webapp.domain.fees import FEE_PERIOD_DAYS
from webapp.domain.states import CHANNELS, DELIVERY, NOTICES, WITHHOLDING_LABELS, chinese
from webapp.models import Event, Request

# A due date counted through a year whose holidays are not yet published (docs/rules.md §Deadlines).
PROVISIONAL = (
    "（暂定：答复期限跨入尚未公布节假日安排的年度，暂按周末和元旦、劳动节、国庆节计算，"
    "公布后如有变化另行告知）"
)
STEP_NOTICES = frozenset({"reasons_notice", "reply_period_notice", "agency_consultation_notice"})


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "……"


def _received(req: Request) -> str:
    return (
        f"本机关于{cn_date(req.received_on)}收到您提出的政府信息公开申请（申请编号：{req.tracking_number}），"
        f"申请获取“{_excerpt(req.description)}”。"
    )


def _earlier(req: Request, ev: Event, type_: str) -> Event | None:
    return facts.earlier(req, ev, type_)


def _notice(req: Request, ev: Event, type_: str) -> Event:
    """The notice a closure rests on (facts.check has made sure it is there)."""
    found = facts.earlier(req, ev, type_)
    assert found is not None, f"{ev.type} without its {type_}"  # noqa: S101
    return found


def fee_paragraphs(ev: Event, cal: WorkCalendar) -> list[str]:
    """The fee notice's own paragraphs (the fee measures, Art. 3–6): the basis, the standard and the
    count or pages, the computation, any reduction, the amount, how and by when to pay."""
    data = ev.data
    computation = fees.recorded(data)
    computed, amount = fees.yuan(data["computed_yuan"]), fees.yuan(data["amount_yuan"])
    deadline = cal.add_wd(ev.on, FEE_PERIOD_DAYS)
    paras = [
        f"您申请公开政府信息超出了一定数量或者频次范围。依照{REG}第四十二条和{FEE_RULES}第三条的规定，"
        f"本机关决定对本件申请收取信息处理费，适用{computation.standard}的标准计算：",
        "；".join(computation.steps) + "。",
    ]
    if amount < computed:
        paras.append(
            f"按标准计算为{computed:.2f}元。因{str(data['reduction_reason']).rstrip('。')}，本机关决定减收为{amount:.2f}元。"
        )
    paras.append(f"应缴纳信息处理费：人民币{amount:.2f}元。")
    pay_how = str(data.get("pay_how") or "").strip()
    how = (
        f"按以下方式缴纳：{pay_how.rstrip('。')}。缴款时请注明申请编号"
        if pay_how  # a notice sent before the agencies set their way of payment, drafted again
        else "按本机关告知的缴款方式（可按本通知书所列联系方式询问）缴纳，缴款时注明申请编号"
    )
    paras.append(
        f"缴纳方式和期限：依照{FEE_RULES}第六条的规定，请自本通知书发出次日起{FEE_PERIOD_DAYS}个工作日内，"
        f"即于{cn_date(deadline)}前（含当日），{how}。本机关收到缴款后，向您出具财政部门统一监（印）制的财政票据。"
        "自本通知书发出之日起至缴纳之日止的期间，不计算在答复期限内。逾期未缴纳的，视为放弃申请，"
        "本机关不再处理该政府信息公开申请。"
    )
    return paras


def draft(
    req: Request,
    ev: Event,
    cal: WorkCalendar,
    *,
    overrides: dict[str, object] | None = None,
    remedies: tuple[str, str] = ("", ""),
) -> str:
    """The default text of the document the event `ev` sends, as of right after it (req's stored clock
    is the one the event left); `remedies`: the review body and the court the agency's letters name."""
    kind = NOTICES[ev.type]
    facts.check(kind, req, ev)
    rules = req.rules
    art = ARTICLES[rules]
    reply_days = 20 if rules == "2019" else 15
    paras: list[str] = []
    if kind == "receipt":
        registered = registration_day(ev.data, req.received_on)
        when = f"，于{cn_date(registered)}登记" if registered != req.received_on else ""
        paras.append(
            f"本机关于{cn_date(req.received_on)}通过{CHANNELS.get(req.channel, req.channel)}方式"
            f"收到您提出的政府信息公开申请{when}，"
            f"申请获取“{_excerpt(req.description)}”，现予登记，申请编号为{req.tracking_number}。"
        )
        provisional = PROVISIONAL if req.due_provisional else ""
        late = due_at_registration(cal, registered, req.due_on) if registered != req.received_on else None
        if late is None:
            paras.append(
                f"依照{REG}{art.reply}的规定，本机关能够当场答复的当场答复；不能当场答复的，将自收到申请之日起"
                f"{reply_days}个工作日内，即于{cn_date(req.due_on)}前（含当日）作出答复{provisional}。"
                f"需要延长答复期限的，经本机关政府信息公开工作机构负责人同意，延长的期限最长不超过{reply_days}个"
                "工作日，并另行书面告知。"
            )
        else:  # registered late: the due date, counted from the day received, is past or near
            paras.append(
                f"依照{REG}{art.reply}的规定，答复期限自收到申请之日起计算，为{reply_days}个工作日，"
                f"至{cn_date(req.due_on)}（含当日）{provisional}。{DUE_AT_REGISTRATION[late]}"
            )
        paras.append("您可以凭申请编号和查询码在网上查询办理进度、接收告知书和答复书。")
    elif kind == "correction_notice":
        period = int(str(ev.data.get("period_days", 0)))
        deadline = cal.add_wd(ev.on, period)
        paras.append(_received(req))
        what = "作出补正" if rules == "2019" else "作出更改、补充"
        paras.append(f"经审查，您的申请内容不明确。依照{REG}{art.correction}的规定，请您就以下事项{what}：")
        paras.append(ev.note)
        paras.append(
            f"请于{cn_date(deadline)}前（含当日，自本告知书发出之日起{period}个工作日内）向本机关提交补正。"
            "答复期限自本机关收到补正后的申请之日起重新计算。申请人无正当理由逾期不补正的，视为放弃申请，"
            "本机关不再处理该政府信息公开申请。"
        )
    elif kind == "extension_notice":
        days = int(str(ev.data.get("days", 0)))
        paras.append(_received(req))
        if req.due_on is not None:
            provisional = PROVISIONAL if req.due_provisional else ""
            extended = f"延长后的答复期限至{cn_date(req.due_on)}{provisional}。"
        else:  # approved while the count is stopped: the days left are told, the date once it resumes
            extended = (
                f"答复期限暂停计算期间，延长后剩余的答复期限为{req.remaining_days}个工作日，"
                "恢复计算后另行告知具体日期。"
            )
        paras.append(
            f"因{ev.note.rstrip('。')}，本机关不能在法定期限内作出答复。依照{REG}{art.extension}的规定，"
            f"经本机关政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，{extended}"
        )
    elif kind == "consultation_notice":
        paras.append(_received(req))
        limit = "第三方应当自收到征求意见书之日起15个工作日内提出意见。" if rules == "2019" else ""
        paras.append(
            f"您申请公开的政府信息涉及第三方合法权益，依照{REG}{art.consultation}的规定，本机关已于"
            f"{cn_date(ev.on)}书面征求第三方的意见。{limit}依照{REG}{art.consultation_time}的规定，"
            "征求第三方意见所需时间不计算在答复期限内。本机关将在征求意见结束后继续办理，并依法作出答复。"
        )
    elif kind == "fee_notice":
        paras.append(_received(req))
        paras += fee_paragraphs(ev, cal)
    elif kind in STEP_NOTICES:
        paras.append(_received(req))
        paras.extend(step_notice(kind, req, ev, cal))
    elif kind == "reply":
        outcome = str(ev.data.get("outcome") or req.outcome)
        basis, decision = REPLY_TEXT[rules][outcome]
        paras.append(_received(req))
        if outcome == "not_processed_excessive":
            paras.extend(excessive(req, ev, cal))
        earlier = ev.data.get("duplicate_of") if outcome == "not_processed_duplicate" else None
        if isinstance(earlier, dict):  # the earlier request answered (Art. 36(6)) and its reply's date
            paras.append(
                f"您曾于{cn_date(dt.date.fromisoformat(str(earlier['received_on'])))}就相同的政府信息提出申请"
                f"（申请编号{earlier['tracking_number']}），本机关已于"
                f"{cn_date(dt.date.fromisoformat(str(earlier['replied_on'])))}作出答复。"
            )
        corrected = _earlier(req, ev, "correction_received")
        if corrected is not None:
            paras.append(f"本机关告知补正后，于{cn_date(corrected.on)}收到您补正后的申请。")
        paras.append(f"经审查，现答复如下：{decision}")
        paras.extend(_released(req, ev))
        paras.extend(referral(req, outcome))
        if ev.note:
            paras.append(ev.note)
        paras.append(f"依据：{basis}。")
        paras.append(remedy_text(rules, *remedies))
    elif kind == "closure_notice":
        outcome = str(ev.data.get("outcome") or req.outcome)
        paras.append(_received(req))
        if ev.type == "withdrawn":
            paras.append(f"您于{cn_date(ev.on)}撤回了该申请，本机关终止办理。")
        elif outcome == "closed_correction_lapsed":
            asked = _notice(req, ev, "correction_requested")
            until = cal.add_wd(asked.on, int(str(asked.data["period_days"])))
            paras.append(
                f"本机关于{cn_date(asked.on)}告知您于{cn_date(until)}前补正申请，"
                "您未在补正期限内补正。"
                f"依照{REG}{art.correction}的规定，视为放弃申请，本机关于{cn_date(ev.on)}终止办理该政府信息公开申请。"
            )
        elif outcome == "closed_fee_unpaid":
            asked = _notice(req, ev, "fee_requested")
            until = cal.add_wd(asked.on, FEE_PERIOD_DAYS)
            paras.append(
                f"本机关于{cn_date(asked.on)}通知您于{cn_date(until)}前缴纳信息处理费，"
                "您未在规定期限内缴纳。"
                f"依照{REG}第四十二条和{FEE_RULES}的规定，视为放弃申请，本机关于{cn_date(ev.on)}终止办理该政府信息公开申请。"
            )
        else:
            paras.append(f"本机关于{cn_date(ev.on)}终止办理该申请。")
            if ev.note:
                paras.append(ev.note)
        paras.append(remedy_text(rules, *remedies))
    # The agency's own text (docs/rules.md §Letters): the reply's for its outcome, else for every outcome.
    own = overrides or {}
    outcome_key = f"reply:{ev.data.get('outcome') or req.outcome}" if kind == "reply" else kind
    template = own.get(outcome_key) or own.get(kind)
    if isinstance(template, str) and template.strip():
        filled = _fill(template, req, ev, "\n".join(paras), remedies)
        if filled is not None:
            return filled
    return "\n".join([f"{req.applicant_name}：", *paras])


def _released(req: Request, ev: Event) -> list[str]:
    """What a 予以公开/部分公开 reply hands over (each file by name and pages), where information already
    published is, and each part withheld with its basis (docs/rules.md §Released information)."""
    paras: list[str] = []
    files = ev.data.get("released")
    if isinstance(files, list) and files:
        paras.append(f"现随本答复书向您提供以下政府信息（共{len(files)}件）：")
        for n, f in enumerate(files, 1):
            pages = f.get("pages")
            paras.append(f"{n}. {f.get('name')}" + (f"（{pages}页）" if pages else ""))
        if req.delivery in ("online", "email"):
            paras.append("您可以凭申请编号和查询码在网上查询页面下载上述文件。")
    where = ev.data.get("published_where")
    if where:
        paras.append(f"您申请获取的政府信息已经主动公开，您可以通过以下方式和途径获取：{where}")
    if not files and not where and str(ev.data.get("outcome")) in ("disclosed", "partially_disclosed"):
        paras.append(f"本机关将按您选择的获取方式（{DELIVERY.get(req.delivery, req.delivery)}）另行提供。")
    parts = ev.data.get("withheld")
    if isinstance(parts, list) and parts:
        paras.append("不予公开的内容及理由如下：")
        for n, p in enumerate(parts, 1):
            basis = str(p.get("basis"))
            reason = chinese(WITHHOLDING_LABELS[basis]).rpartition("：")[2]
            paras.append(f"{n}. {p.get('part')}：{reason}，依据{withholding_basis(req.rules, basis)}。")
    return paras


def _fill(
    template: str, req: Request, ev: Event, default_body: str, remedies: tuple[str, str] = ("", "")
) -> str | None:
    """An agency's own template with its {placeholders} filled in; None when it is unusable (a template
    stored before the rules of webapp.domain.templates, say): the default text is sent instead."""
    if req.due_on is None and "due_on" in templates.placeholders(template, templates.LETTER_FIELDS):
        return None  # the count is stopped: no date to write; the default text tells the days left
    values = dict(
        applicant=req.applicant_name,
        tracking_number=req.tracking_number,
        received_on=cn_date(req.received_on),
        due_on=cn_date(req.due_on),
        on=cn_date(ev.on),
        description=_excerpt(req.description),
        note=ev.note,
        agency=req.agency.name,
        referred_agency=req.referred_agency or "",
        default=default_body,
        remedy=remedy_text(req.rules, *remedies),
    )
    return templates.fill(template, values, what=f"agency {req.agency.code}'s letter text")


def consultation_letter(req: Request, ev: Event) -> str:
    """征求第三方意见书: what is asked and the third party's rights; the applicant is not named to it."""
    facts.check("consultation_letter", req, ev)
    art = ARTICLES[req.rules]
    party = str(ev.data["party"])
    paras = [
        f"{party}：",
        f"本机关于{cn_date(req.received_on)}收到一件政府信息公开申请（申请编号：{req.tracking_number}），申请公开"
        f"“{_excerpt(req.description)}”。本机关认为，该政府信息可能涉及贵方的商业秘密、个人隐私等合法权益。"
        f"依照{REG}{art.consultation}的规定，现书面征求贵方意见。",
    ]
    if req.rules == "2019":
        paras.append(
            "请贵方自收到本征求意见书之日起15个工作日内，以书面形式提出是否同意公开的意见；不同意公开的，请说明理由。"
            "逾期未提出意见的，由本机关依照《条例》的规定决定是否公开。第三方不同意公开且有合理理由的，本机关不予公开；"
            "本机关认为不公开可能对公共利益造成重大影响的，可以决定予以公开，并将决定公开的政府信息内容和理由书面告知贵方。"
        )
    else:
        paras.append(
            "请贵方在收到本征求意见书后及时以书面形式提出是否同意公开的意见。第三方不同意公开的，本机关不予公开；"
            "但本机关认为不公开可能对公共利益造成重大影响的，应当予以公开，并将决定公开的政府信息内容和理由书面通知贵方。"
        )
    return "\n".join(paras)
