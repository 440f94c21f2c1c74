"""The official documents the applicant is sent in writing (SPEC §6), their text and their PDF.

Every event that NOTICES (webapp.domain.states) announces to the applicant sends one document: the
受理回执, the 补正告知书, the 延期答复告知书, the 征求第三方意见告知书, the 收费通知, the
政府信息公开申请答复书 (one text per outcome code of SPEC §4) and the 办结告知书. `issue()` writes it
in the transaction of its event: the text (the officer's edited version, or the default one drafted
here), a number from the agency's scheme, the letterhead as it stands, and the PDF rendered at that
moment; the row is never changed afterwards. `preview()` shows the officer the text an action would
send, without sending it.

The default texts quote the regulation in force on the request's received-on day (SPEC §3): the 2019
《中华人民共和国政府信息公开条例》 (国务院令第711号) or the 2007 one in force from 2008-05-01
(国务院令第492号).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.domain import templates
from webapp.domain.calendar import WorkCalendar, current_calendar
from webapp.domain.errors import ValidationError
from webapp.domain.states import CHANNELS, NOTICES
from webapp.i18n import _l
from webapp.models import Agency, Event, Request, User
from webapp.models.document import DOCUMENT_KINDS, Document, DocumentCounter, DocumentSettings

log = logging.getLogger(__name__)

MAX_BODY = 20000
DEFAULT_SCHEME = "{short}〔{year}〕第{seq}号"
DRY_RUN = "documents_dry_run"  # session.info flag set by preview(): draft the text, store nothing

KIND_LABELS = {
    "receipt": "受理回执",
    "correction_notice": "补正告知书",
    "extension_notice": "延期答复告知书",
    "consultation_notice": "征求第三方意见告知书",
    "fee_notice": "收费通知",
    "reply": "答复书",
    "closure_notice": "办结告知书",
}
TITLES = {
    "receipt": "政府信息公开申请受理回执",
    "correction_notice": "政府信息公开申请补正告知书",
    "extension_notice": "政府信息公开申请延期答复告知书",
    "consultation_notice": "政府信息公开申请征求第三方意见告知书",
    "fee_notice": "政府信息公开信息处理费收费通知",
    "reply": "政府信息公开申请答复书",
    "closure_notice": "政府信息公开申请办结告知书",
    "consultation_letter": "政府信息公开申请征求第三方意见书",
}

REG = "《中华人民共和国政府信息公开条例》"
OFFICE_2010 = "《国务院办公厅关于做好政府信息依申请公开工作的意见》（国办发〔2010〕5号）"
FEE_RULES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"


@dataclass(frozen=True)
class Articles:
    """Where each rule stands in one version of the regulation."""

    reply: str  # the deadline, on-the-spot replies
    extension: str
    consultation: str
    consultation_time: str
    correction: str
    remedy: str


ARTICLES = {
    "2019": Articles(
        reply="第三十三条",
        extension="第三十三条第二款",
        consultation="第三十二条",
        consultation_time="第三十三条第三款",
        correction="第三十条",
        remedy="第五十一条",
    ),
    "2008": Articles(
        reply="第二十四条",
        extension="第二十四条第二款",
        consultation="第二十三条",
        consultation_time="第二十四条第三款",
        correction="第二十一条第（四）项",
        remedy="第三十三条",
    ),
}

# outcome -> (basis, the reply's decision) per rule set. The basis is an article of the regulation
# (or a named document); the decision text follows "经审查，" in the reply.
REPLY_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "2019": {
        "disclosed": (
            f"{REG}第三十六条第（一）项、第（二）项",
            "您申请公开的政府信息属于公开范围，本机关决定予以公开，现随本答复书提供（或告知获取的方式、途径和时间）。"
            "所申请信息已经主动公开的，可通过本机关门户网站政府信息公开专栏等途径获取。",
        ),
        "partially_disclosed": (
            f"{REG}第三十七条",
            "您申请公开的信息中含有不应当公开或者不属于政府信息的内容，但能够作区分处理。本机关向您提供可以公开的"
            "政府信息内容；对不予公开的内容，说明理由如下。",
        ),
        "withheld_state_secret": (
            f"{REG}第十四条、第三十六条第（三）项",
            "您申请公开的政府信息已依法确定为国家秘密，本机关决定不予公开。",
        ),
        "withheld_law_prohibits": (
            f"{REG}第十四条、第三十六条第（三）项",
            "您申请公开的政府信息属于法律、行政法规禁止公开的政府信息，本机关决定不予公开。",
        ),
        "withheld_security_stability": (
            f"{REG}第十四条、第三十六条第（三）项",
            "您申请公开的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关决定不予公开。",
        ),
        "withheld_third_party": (
            f"{REG}第十五条、第三十二条",
            "您申请公开的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害，本机关决定不予公开。",
        ),
        "withheld_internal_affairs": (
            f"{REG}第十六条第一款",
            "您申请公开的信息属于行政机关的内部事务信息（人事管理、后勤管理、内部工作流程等），本机关决定不予公开。",
        ),
        "withheld_deliberative": (
            f"{REG}第十六条第二款",
            "您申请公开的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等"
            "过程性信息，本机关决定不予公开。",
        ),
        "withheld_enforcement_file": (
            f"{REG}第十六条第二款",
            "您申请公开的信息属于行政执法案卷信息，本机关决定不予公开。",
        ),
        "withheld_inquiry_matter": (
            f"{REG}第三十六条第（七）项",
            "您申请公开的信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定，"
            "请依照有关法律、行政法规的规定办理。",
        ),
        "not_held": (
            f"{REG}第三十六条第（五）项",
            "您申请公开的信息不属于本机关负责公开的政府信息。",
        ),
        "not_exist": (
            f"{REG}第三十六条第（四）项",
            "本机关经检索，没有您所申请公开的信息，该政府信息不存在。",
        ),
        "requires_creation": (
            f"{REG}第三十八条",
            "本机关没有现成的您所申请的信息，提供该信息需要对现有政府信息进行加工、分析，本机关不予提供。",
        ),
        "unclear": (
            f"{REG}第三十条",
            "本机关已告知您作出补正，补正后的申请内容仍不明确，本机关无法确定您所申请的政府信息，不予处理。",
        ),
        "not_processed_petition": (
            f"{REG}第三十九条第一款",
            "您以政府信息公开申请的形式提出的是信访、投诉、举报等事项，本机关不作为政府信息公开申请处理，"
            "您可以通过信访、投诉、举报等相应渠道提出。",
        ),
        "not_processed_duplicate": (
            f"{REG}第三十六条第（六）项",
            "本机关已就您提出的政府信息公开申请作出答复，您重复申请公开相同的政府信息，本机关不予重复处理。",
        ),
        "not_processed_publication": (
            f"{REG}第三十九条第二款",
            "您申请获取的是政府公报、报刊、书籍等公开出版物，不作为政府信息公开申请处理，您可以通过出版发行、"
            "图书馆、本机关门户网站等途径获取。",
        ),
        "not_processed_excessive": (
            f"{REG}第三十五条",
            "您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由，经审查申请理由不合理，"
            "本机关不予处理。",
        ),
        "not_processed_reconfirm": (
            f"{REG}的有关规定",
            "您要求本机关确认或者重新出具您已获取的信息，不属于政府信息公开申请的范围，本机关不予处理。",
        ),
    },
    "2008": {
        "disclosed": (
            f"{REG}第二十一条第（一）项",
            "您申请公开的政府信息属于公开范围，本机关决定予以公开，现随本答复书提供（或告知获取该政府信息的方式和途径）。",
        ),
        "partially_disclosed": (
            f"{REG}第二十二条",
            "您申请公开的政府信息中含有不应当公开的内容，但能够作区分处理，本机关向您提供可以公开的信息内容。",
        ),
        "withheld_state_secret": (
            f"{REG}第十四条、第二十一条第（二）项",
            "您申请公开的政府信息涉及国家秘密，属于不予公开的范围。",
        ),
        "withheld_law_prohibits": (
            f"{REG}第二十一条第（二）项",
            "您申请公开的政府信息属于法律、行政法规禁止公开的范围，属于不予公开的范围。",
        ),
        "withheld_security_stability": (
            f"{REG}第八条、第二十一条第（二）项",
            "您申请公开的政府信息公开后可能危及国家安全、公共安全、经济安全和社会稳定，属于不予公开的范围。",
        ),
        "withheld_third_party": (
            f"{REG}第十四条、第二十三条",
            "您申请公开的政府信息涉及商业秘密、个人隐私，公开后可能损害第三方合法权益，属于不予公开的范围。",
        ),
        "withheld_internal_affairs": (
            f"{OFFICE_2010}、{REG}第二十一条第（二）项",
            "您申请公开的信息属于行政机关的内部管理信息，属于不予公开的范围。",
        ),
        "withheld_deliberative": (
            f"{OFFICE_2010}、{REG}第二十一条第（二）项",
            "您申请公开的信息属于处于讨论、研究或者审查中的过程性信息，属于不予公开的范围。",
        ),
        "withheld_enforcement_file": (
            f"{REG}第二十一条第（二）项",
            "您申请公开的信息属于行政执法案卷信息，属于不予公开的范围。",
        ),
        "withheld_inquiry_matter": (
            f"{OFFICE_2010}、{REG}第二十一条第（二）项",
            "您申请公开的信息属于法律、行政法规对获取有特别规定的查询事项，请依照有关法律、行政法规的规定办理。",
        ),
        "not_held": (
            f"{REG}第二十一条第（三）项",
            "您申请公开的信息依法不属于本机关公开。",
        ),
        "not_exist": (
            f"{REG}第二十一条第（三）项",
            "本机关经检索，没有您所申请公开的信息，该政府信息不存在。",
        ),
        "requires_creation": (
            OFFICE_2010,
            "行政机关向申请人提供的政府信息应当是现有的，一般不需要行政机关汇总、加工或者重新制作。您申请的信息"
            "需要另行制作，本机关不予提供。",
        ),
        "unclear": (
            f"{REG}第二十一条第（四）项",
            "本机关已告知您作出更改、补充，补正后的申请内容仍不明确，本机关无法确定您所申请的政府信息。",
        ),
        "not_processed_petition": (
            OFFICE_2010,
            "您以政府信息公开申请的形式提出的是信访、投诉、举报等事项，本机关不作为政府信息公开申请处理，"
            "您可以通过相应渠道提出。",
        ),
        "not_processed_duplicate": (
            OFFICE_2010,
            "您就同一内容反复提出政府信息公开申请，本机关已作出答复，不再重复答复。",
        ),
        "not_processed_publication": (
            f"{REG}第二十一条第（一）项",
            "您申请获取的是公开出版物，您可以通过出版发行、图书馆等途径获取。",
        ),
        "not_processed_excessive": (
            OFFICE_2010,
            "您申请公开政府信息的数量、频次明显超过合理范围，本机关不予处理。",
        ),
        "not_processed_reconfirm": (
            f"{REG}的有关规定",
            "您要求本机关确认或者重新出具您已获取的信息，不属于政府信息公开申请的范围，本机关不予处理。",
        ),
    },
}


def fmt(day: dt.date | None) -> str:
    if day is None:
        return "—"
    return f"{day.year}年{day.month}月{day.day}日"


def remedy_text(rules: str) -> str:
    art = ARTICLES[rules].remedy
    return (
        f"如对本机关的上述行政行为不服，依照{REG}{art}的规定，您可以自收到本文书之日起60日内依法申请行政复议，"
        "或者自收到本文书之日起6个月内依法向人民法院提起行政诉讼。"
    )


# -- the agency's settings --------------------------------------------------------------------------


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


def scheme_error(scheme: str) -> str | None:
    """Why a number scheme cannot be used (naming the bad placeholder), or None."""
    problem = templates.template_error(scheme, templates.NUMBER_FIELDS)
    if problem is not None:
        return problem
    if "seq" not in templates.placeholders(scheme, templates.NUMBER_FIELDS):
        return str(_l("编号格式须包含{seq}（序号）"))
    return None


OVERRIDABLE = tuple(k for k in DOCUMENT_KINDS if k != "consultation_letter")  # agencies' own texts
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
)


def save_settings(
    session: Session,
    agency: Agency,
    values: dict[str, str | None],
    overrides: dict[str, str | None],
    *,
    now: dt.datetime,
) -> DocumentSettings:
    """The admin sets an agency's letterhead, contact block, number scheme and per-kind texts; documents
    already sent keep what they were sent with."""
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
        longest = _number(scheme or DEFAULT_SCHEME, (values.get("short_name") or "").strip() or agency.name)
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
        if text is not None and not isinstance(text, str):
            errors[f"override_{kind}"] = _l("应为文本")
        elif text and len(text) > MAX_BODY:
            errors[f"override_{kind}"] = _l("不能超过%(limit)s个字符", limit=MAX_BODY)
        elif text and text.strip():
            problem = templates.template_error(text, templates.LETTER_FIELDS)
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
    settings.overrides = {k: v.replace("\r\n", "\n").strip() for k, v in overrides.items() if v and v.strip()}
    settings.updated_at = now
    session.flush()
    return settings


KIND_SHORT = {
    "receipt": "受",
    "correction_notice": "补",
    "extension_notice": "延",
    "consultation_notice": "征",
    "fee_notice": "费",
    "reply": "答",
    "closure_notice": "结",
    "consultation_letter": "征",
}


def _length(table: Any, column: str) -> int:
    return int(table.c[column].type.length)


NUMBER_LIMIT = _length(Document.__table__, "number")  # the stored number's column
SETTING_LIMITS = {name: _length(DocumentSettings.__table__, name) for name in SETTING_FIELDS}


def _number(scheme: str, short: str, kind: str = "receipt", year: int = 2026, seq: int | str = 999999) -> str:
    values = {"short": short, "year": year, "seq": seq, "kind": KIND_SHORT[kind]}
    return (
        templates.fill(scheme, values, what="number scheme")
        or templates.fill(DEFAULT_SCHEME, values, what="default number scheme")
        or ""
    )


def document_number(settings: DocumentSettings, agency: Agency, kind: str, year: int, seq: int | None) -> str:
    """The document's number by the agency's scheme (the default one when the stored scheme is unusable),
    never longer than its column (an agency renamed to a long name since, say)."""
    scheme = settings.number_scheme or DEFAULT_SCHEME
    if scheme_error(scheme):
        log.warning("agency %s: unusable number scheme, the default is used instead", agency.code)
        scheme = DEFAULT_SCHEME
    number = _number(scheme, settings.short_name or agency.name, kind, year, "＿＿" if seq is None else seq)
    if len(number) > NUMBER_LIMIT:
        log.warning("agency %s: document number longer than %s characters, cut", agency.code, NUMBER_LIMIT)
        number = number[:NUMBER_LIMIT]
    return number


_COUNTER_UPSERTS: dict[str, Any] = {}


def counter_upsert(session: Session, table: Any) -> Any:
    """`INSERT … ON CONFLICT (agency_id, year) DO UPDATE SET last = last + 1 RETURNING last` on a counter
    table, as a Core statement built once per dialect (params: agency_id, year, last=1)."""
    dialect = session.get_bind().dialect.name
    key = f"{table.name}:{dialect}"
    stmt = _COUNTER_UPSERTS.get(key)
    if stmt is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = _COUNTER_UPSERTS[key] = (
            insert(table)
            .on_conflict_do_update(
                index_elements=[table.c.agency_id, table.c.year], set_={"last": table.c.last + 1}
            )
            .returning(table.c.last)
        )
    return stmt


def next_serial(session: Session, agency: Agency, year: int) -> int:
    """The agency's next document serial of the year: one INSERT … ON CONFLICT DO UPDATE … RETURNING on
    a counter row (one round trip), which holds the row lock to the end of the transaction (two
    concurrent senders never share a number)."""
    stmt = counter_upsert(session, DocumentCounter.__table__)
    params = {"agency_id": agency.id, "year": year, "last": 1}
    return int(session.connection().execute(stmt, params).scalar_one())


# -- the default texts ------------------------------------------------------------------------------


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "……"


def _received(req: Request) -> str:
    return (
        f"本机关于{fmt(req.received_on)}收到您提出的政府信息公开申请（申请编号：{req.tracking_number}），"
        f"申请获取“{_excerpt(req.description)}”。"
    )


def _earlier(req: Request, ev: Event, type_: str) -> Event | None:
    return next((e for e in reversed(req.events) if e.seq < ev.seq and e.type == type_), None)


def draft(req: Request, ev: Event, cal: WorkCalendar, *, overrides: dict[str, object] | None = None) -> str:
    """The default text of the document the event `ev` sends, as of right after it (req's stored clock
    is the one the event left)."""
    kind = NOTICES[ev.type]
    rules = req.rules
    art = ARTICLES[rules]
    reply_days = 20 if rules == "2019" else 15
    paras: list[str] = []
    if kind == "receipt":
        paras.append(
            f"本机关于{fmt(req.received_on)}通过{CHANNELS.get(req.channel, req.channel)}方式"
            "收到您提出的政府信息公开申请，"
            f"申请获取“{_excerpt(req.description)}”，现予登记，申请编号为{req.tracking_number}。"
        )
        paras.append(
            f"依照{REG}{art.reply}的规定，本机关能够当场答复的当场答复；不能当场答复的，将自收到申请之日起"
            f"{reply_days}个工作日内，即于{fmt(req.due_on)}前（含当日）作出答复。需要延长答复期限的，经本机关政府信息"
            f"公开工作机构负责人同意，延长的期限最长不超过{reply_days}个工作日，并另行书面告知。"
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
            f"请于{fmt(deadline)}前（含当日，自本告知书发出之日起{period}个工作日内）向本机关提交补正。"
            "答复期限自本机关收到补正后的申请之日起重新计算。申请人无正当理由逾期不补正的，视为放弃申请，"
            "本机关不再处理该政府信息公开申请。"
        )
    elif kind == "extension_notice":
        days = int(str(ev.data.get("days", 0)))
        paras.append(_received(req))
        paras.append(
            f"因{ev.note.rstrip('。')}，本机关不能在法定期限内作出答复。依照{REG}{art.extension}的规定，"
            f"经本机关政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，延长后的答复期限至"
            f"{fmt(req.due_on)}。"
        )
    elif kind == "consultation_notice":
        paras.append(_received(req))
        limit = "第三方应当自收到征求意见书之日起15个工作日内提出意见。" if rules == "2019" else ""
        paras.append(
            f"您申请公开的政府信息涉及第三方合法权益，依照{REG}{art.consultation}的规定，本机关已于"
            f"{fmt(ev.on)}书面征求第三方的意见。{limit}依照{REG}{art.consultation_time}的规定，"
            "征求第三方意见所需时间不计算在答复期限内。本机关将在征求意见结束后继续办理，并依法作出答复。"
        )
    elif kind == "fee_notice":
        amount = float(str(ev.data.get("amount_yuan", 0)))
        deadline = cal.add_wd(ev.on, 20)
        paras.append(_received(req))
        paras.append(
            f"您申请公开政府信息的数量、频次明显超过合理范围。依照{REG}第四十二条和{FEE_RULES}的规定，"
            f"本机关决定收取信息处理费人民币{amount:.2f}元。"
        )
        paras.append(
            f"请于{fmt(deadline)}前（含当日）缴纳。自本通知发出之日的次日起至缴纳之日止的期间，不计算在答复期限内。"
            "逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。"
        )
    elif kind == "reply":
        outcome = str(ev.data.get("outcome") or req.outcome)
        basis, decision = REPLY_TEXT[rules][outcome]
        paras.append(_received(req))
        if _earlier(req, ev, "correction_received") is not None:
            paras.append(
                f"本机关告知补正后，于{fmt(_earlier(req, ev, 'correction_received').on)}收到您补正后的申请。"  # type: ignore[union-attr]
            )
        paras.append(f"经审查，现答复如下：{decision}")
        if outcome == "not_held":
            if req.referred_agency:
                paras.append(
                    f"经了解，该政府信息由{req.referred_agency}负责公开，您可以向{req.referred_agency}提出申请或者咨询。"
                )
            else:
                paras.append("本机关无法确定负责公开该政府信息的行政机关。")
        elif req.referred_agency:
            paras.append(f"您可以向{req.referred_agency}咨询。")
        if ev.note:
            paras.append(ev.note)
        paras.append(f"依据：{basis}。")
        paras.append(remedy_text(rules))
    elif kind == "closure_notice":
        outcome = str(ev.data.get("outcome") or req.outcome)
        paras.append(_received(req))
        if ev.type == "withdrawn":
            paras.append(f"您于{fmt(ev.on)}撤回了该申请，本机关终止办理。")
        elif outcome == "closed_correction_lapsed":
            asked = _earlier(req, ev, "correction_requested")
            until = cal.add_wd(asked.on, int(str(asked.data["period_days"]))) if asked else None
            paras.append(
                f"本机关于{fmt(asked.on if asked else None)}告知您于{fmt(until)}前补正申请，"
                "您未在补正期限内补正。"
                f"依照{REG}{art.correction}的规定，视为放弃申请，本机关于{fmt(ev.on)}终止办理该政府信息公开申请。"
            )
        elif outcome == "closed_fee_unpaid":
            asked = _earlier(req, ev, "fee_requested")
            until = cal.add_wd(asked.on, 20) if asked else None
            paras.append(
                f"本机关于{fmt(asked.on if asked else None)}通知您于{fmt(until)}前缴纳信息处理费，"
                "您未在规定期限内缴纳。"
                f"依照{REG}第四十二条和{FEE_RULES}的规定，视为放弃申请，本机关于{fmt(ev.on)}终止办理该政府信息公开申请。"
            )
        else:
            paras.append(f"本机关于{fmt(ev.on)}终止办理该申请。")
            if ev.note:
                paras.append(ev.note)
        paras.append(remedy_text(rules))
    template = (overrides or {}).get(f"reply:{req.outcome}" if kind == "reply" else kind) or (
        overrides or {}
    ).get(kind)
    if isinstance(template, str) and template.strip():
        filled = _fill(template, req, ev, "\n".join(paras))
        if filled is not None:
            return filled
    return "\n".join([f"{req.applicant_name}：", *paras])


def _fill(template: str, req: Request, ev: Event, default_body: str) -> str | None:
    """An agency's own template with its {placeholders} filled in; None when it is unusable (a template
    stored before the rules of webapp.domain.templates, say): the default text is sent instead."""
    values = dict(
        applicant=req.applicant_name,
        tracking_number=req.tracking_number,
        received_on=fmt(req.received_on),
        due_on=fmt(req.due_on),
        on=fmt(ev.on),
        description=_excerpt(req.description),
        note=ev.note,
        agency=req.agency.name,
        referred_agency=req.referred_agency or "",
        default=default_body,
        remedy=remedy_text(req.rules),
    )
    return templates.fill(template, values, what=f"agency {req.agency.code}'s letter text")


# -- sending ----------------------------------------------------------------------------------------


def clean_text(text: object) -> str | None:
    """The officer's version of a document's text: None to send the default; a field error otherwise."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):
        raise ValidationError(_l("文书正文应为文本"), {"document_text": _l("应为文本")})
    if len(text) > MAX_BODY:
        raise ValidationError(
            _l("文书正文过长"), {"document_text": _l("不能超过%(limit)s个字符", limit=MAX_BODY)}
        )
    return text.replace("\r\n", "\n").strip()


def compose(
    session: Session,
    req: Request,
    ev: Event,
    *,
    now: dt.datetime,
    actor: User | None,
    text: str | None = None,
    settings: DocumentSettings | None = None,
    serial: int | None = None,
) -> dict[str, Any] | None:
    """The columns of the document event `ev` sends (None if it sends none): numbered, and its text,
    letterhead and contact block as they stand. Under preview() (session.info[DRY_RUN]) not numbered.
    `settings` and `serial`: the agency's settings and the serial when the caller has them already (an
    intake reads both with the agency).

    Nothing is flushed here before the number is taken: the agency's counter row is always locked before
    the request's own row, whatever the caller does next (one lock order, no deadlock)."""
    kind = NOTICES.get(ev.type)
    if kind is None:
        return None
    with session.no_autoflush:
        if settings is None:
            settings = settings_for(session, req.agency)
        cal = current_calendar(session)
        overrides = settings.overrides if isinstance(settings.overrides, dict) else {}
        default = draft(req, ev, cal, overrides=overrides)
        if serial is None and not session.info.get(DRY_RUN):
            serial = next_serial(session, req.agency, ev.on.year)
    body = text if text is not None else default
    return {
        "public_id": secrets.token_hex(8),
        "kind": kind,
        "to_applicant": True,
        "title": TITLES[kind],
        "number": document_number(settings, req.agency, kind, ev.on.year, serial),
        "body": body,
        "header": header_of(settings, req.agency),
        "on": ev.on,
        "pdf": None,
        "sha256": None,
        "edited": text is not None and text != default,
        "created_at": now,
        "created_by_id": actor.id if actor else None,
    }


def issue(
    session: Session,
    req: Request,
    ev: Event,
    *,
    now: dt.datetime,
    actor: User | None,
    text: str | None = None,
) -> Document | None:
    """Send the document of event `ev`: number it and freeze what it says (`compose()`) with the event.
    Its PDF is made from exactly that by `pdf_of()`, once, off the request's path (the notice relay does
    it within seconds; a download does it if first). Under preview() the document is drafted but not
    numbered nor stored."""
    values = compose(session, req, ev, now=now, actor=actor, text=text)
    if values is None:
        return None
    doc = Document(**values)
    if session.info.get(DRY_RUN):
        session.info.setdefault("documents_drafted", []).append(doc)
        return doc
    doc.request, doc.event = req, ev
    session.add(doc)
    if ev.type == "consultation_started":  # and the letter to the third party itself (Art. 32 / 2008 Art. 23)
        with session.no_autoflush:
            settings = settings_for(session, req.agency)
            letter_serial = next_serial(session, req.agency, ev.on.year)
        session.add(
            Document(
                public_id=secrets.token_hex(8),
                request=req,
                event=ev,
                kind="consultation_letter",
                to_applicant=False,
                title=TITLES["consultation_letter"],
                number=document_number(
                    settings, req.agency, "consultation_letter", ev.on.year, letter_serial
                ),
                body=consultation_letter(req, ev),
                header=doc.header,
                on=ev.on,
                pdf=None,
                sha256=None,
                edited=False,
                created_at=now,
                created_by_id=doc.created_by_id,
            )
        )
    return doc


def consultation_letter(req: Request, ev: Event) -> str:
    """征求第三方意见书: what is asked and the third party's rights; the applicant is not named to it."""
    art = ARTICLES[req.rules]
    party = str(ev.data.get("party") or "")
    paras = [
        f"{party}：",
        f"本机关于{fmt(req.received_on)}收到一件政府信息公开申请（申请编号：{req.tracking_number}），申请公开"
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


def pdf_of(session: Session, doc: Document) -> bytes:
    """The document's PDF: rendered from its frozen contents the first time it is needed and stored, then
    always those same bytes (of two renderings at once, the first stored wins). Flushes, never commits."""
    if doc.pdf is not None:
        return doc.pdf
    from webapp.document_pdf import render  # reportlab is imported only when a PDF is made

    data = render(view_of(doc))
    session.flush()
    session.execute(
        update(Document)
        .where(Document.id == doc.id, Document.pdf.is_(None))
        .values(pdf=data, sha256=hashlib.sha256(data).hexdigest())
    )
    stored = session.execute(select(Document.pdf, Document.sha256).where(Document.id == doc.id)).one()
    set_committed_value(doc, "pdf", stored.pdf)
    set_committed_value(doc, "sha256", stored.sha256)
    return bytes(stored.pdf)


@dataclass(frozen=True)
class DocumentView:
    """Everything a rendering (PDF or HTML) of a document needs."""

    title: str
    number: str
    body: str
    header: dict[str, object]
    date: dt.date
    tracking_number: str

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p.strip()]

    @property
    def contact_lines(self) -> list[str]:
        h = self.header
        labels = (
            ("contact_person", "联系人"),
            ("phone", "联系电话"),
            ("address", "通信地址"),
            ("postal_code", "邮政编码"),
            ("email", "电子邮箱"),
        )
        return [f"{label}：{h[key]}" for key, label in labels if h.get(key)]


def view_of(doc: Document) -> DocumentView:
    return DocumentView(
        doc.title, doc.number, doc.body, dict(doc.header), doc.on, doc.request.tracking_number
    )


def documents_of(session: Session, req: Request, *, applicant: bool = False) -> list[Document]:
    """The request's documents, oldest first; `applicant`: only those sent to the applicant."""
    query = select(Document).where(Document.request_id == req.id).order_by(Document.id)
    if applicant:
        query = query.where(Document.to_applicant.is_(True))
    return list(session.execute(query).scalars())


def preview(
    session: Session,
    req: Request,
    action: str,
    actor: User | None,
    *,
    now: dt.datetime,
    on: dt.date | None = None,
    **fields: Any,
) -> Document | None:
    """The document `action` with these fields would send, drafted by carrying the action out in a
    savepoint that is rolled back: the same validation, dates and text as the real thing, nothing kept.
    Raises what act() raises. None when the action sends no document."""
    from webapp.domain.requests import act

    fields.pop("document_text", None)
    savepoint = session.begin_nested()
    session.info[DRY_RUN] = True
    session.info["documents_drafted"] = []
    try:
        act(session, req, action, actor, now=now, on=on, **fields)
        drafted: list[Document] = session.info["documents_drafted"]
        found = next((d for d in drafted if d.to_applicant), None)
        result = (
            None
            if found is None
            else Document(
                kind=found.kind, title=found.title, number=found.number, body=found.body, header=found.header
            )
        )
    finally:
        session.info.pop(DRY_RUN, None)
        session.info.pop("documents_drafted", None)
        savepoint.rollback()
    return result


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


@event.listens_for(Document, "before_update")
def _frozen(mapper: Any, connection: Any, target: Document) -> None:
    raise ValueError(f"document {target.public_id} was sent and cannot change")


__all__ = ["DOCUMENT_KINDS", "KIND_LABELS", "TITLES", "Document", "issue", "preview"]
