"""Official documents (docs/rules.md §Lifecycle, §Outcomes): every kind, every outcome, both rule sets, read
back from the PDF through pdftotext — the articles cited, the dates, the names, the remedies, the number."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.factories import at, make_agency, make_request, pdf_text
from webapp.domain import documents
from webapp.domain.calendar import current_calendar
from webapp.domain.documents.previews import preview
from webapp.domain.errors import IllegalTransition, ValidationError
from webapp.domain.requests import act, applicant_withdraw
from webapp.domain.requests.duplicates import link_duplicate
from webapp.domain.states import REPLY_OUTCOMES
from webapp.models import Document, DocumentSettings, Request

D = dt.date
R2019 = D(2024, 6, 3)  # a Monday; due add_wd(…, 20) = 2024-07-02 (端午节 2024-06-10 skipped)
R2008 = D(2018, 6, 4)  # a Monday, before 2019-05-15: 2008 rules


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.fixture(autouse=True)
def letterhead(session: Any, world: dict[str, Any]) -> None:
    """The world's agency with its document settings."""
    agency = world["agency"]
    session.merge(
        DocumentSettings(
            agency_id=agency.id,
            letterhead="示范市人力资源和社会保障局政府信息公开办公室",
            short_name="示人社公开",
            number_scheme="{short}〔{year}〕第{seq}号",
            seal_text="示范市人力资源和社会保障局",
            address="示范市人民路1号",
            postal_code="100001",
            phone="010-12345678",
            email="gk@hr.example.gov.cn",
            contact_person="李明",
            overrides={},
        )
    )
    session.flush()


def new_request(session: Any, now: dt.datetime, world: dict[str, Any], received_on: dt.date) -> Request:
    req, _ = make_request(session, now, world["agency"], received_on=received_on, officer=world["officer"])
    return req


def docs(session: Any, req: Request) -> list[Document]:
    return documents.documents_of(session, req)


def last_doc(session: Any, req: Request) -> tuple[Document, str]:
    doc = docs(session, req)[-1]
    return doc, pdf_text(documents.pdf_of(session, doc))


@pytest.mark.parametrize(
    ("received", "article", "days"), [(R2019, "第三十三条", 20), (R2008, "第二十四条", 15)]
)
def test_the_receipt_is_sent_on_submission_with_the_due_date_and_the_number(
    session: Any, now: dt.datetime, world: dict[str, Any], received: dt.date, article: str, days: int
):
    req = new_request(session, now, world, received)
    (doc,) = docs(session, req)
    text = pdf_text(documents.pdf_of(session, doc))
    assert doc.kind == "receipt"
    assert doc.event.type == "submitted"
    assert doc.number == f"示人社公开〔{received.year}〕第1号"
    assert doc.number in text
    assert "政府信息公开申请受理回执" in text
    assert "示范市人力资源和社会保障局政府信息公开办公室" in text  # the letterhead
    assert f"《中华人民共和国政府信息公开条例》{article}" in text
    if received == R2008:  # registered years later: the period and its last day, no date promised
        assert f"为{days}个工作日，至{cn(req.due_on)}" in text  # type: ignore[arg-type]
        assert "本申请登记时答复期限已届满，本机关将尽快答复。" in text
    else:
        assert f"{days}个工作日内" in text
        assert f"即于{cn(req.due_on)}前" in text  # type: ignore[arg-type]
    assert cn(received) in text
    assert "张三：" in text
    assert req.tracking_number in text
    assert "联系人：李明" in text
    assert "联系电话：010-12345678" in text
    assert "（印章）" in text


def test_the_2019_receipt_gives_the_due_date_counted_over_the_dragon_boat_holiday(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    _, text = last_doc(session, new_request(session, now, world, R2019))
    assert "即于2024年7月2日前" in text


def test_numbers_follow_the_agencys_scheme_one_sequence_per_year(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    first = new_request(session, now, world, R2019)
    act(session, first, "accept", world["officer"], now=now, on=D(2024, 6, 4))
    act(session, first, "reply", world["officer"], now=now, on=D(2024, 6, 5), outcome="disclosed")
    second = new_request(session, now, world, D(2024, 6, 5))
    numbers = [d.number for d in docs(session, first) + docs(session, second)]
    assert numbers == ["示人社公开〔2024〕第1号", "示人社公开〔2024〕第2号", "示人社公开〔2024〕第3号"]
    # a new year starts again at 1
    assert docs(session, new_request(session, now, world, R2008))[0].number == "示人社公开〔2018〕第1号"


def test_without_settings_the_agencys_name_heads_and_numbers_the_document(session: Any, now: dt.datetime):
    agency = make_agency(session, now, code="PLAIN", name="示范市统计局")
    req, _ = make_request(session, now, agency, received_on=R2019)
    doc, text = last_doc(session, req)
    assert doc.number == "示范市统计局〔2024〕第1号"
    assert text.startswith("示范市统计局示范市统计局〔2024〕第1号")  # letterhead, then the number


@pytest.mark.parametrize(
    ("received", "article", "on"),
    [(R2019, "第三十条", D(2024, 6, 5)), (R2008, "第二十一条第（四）项", D(2018, 6, 5))],
)
def test_correction_notice_names_what_to_correct_and_by_when(
    session: Any, now: dt.datetime, world: dict[str, Any], received: dt.date, article: str, on: dt.date
):
    req = new_request(session, now, world, received)
    act(
        session,
        req,
        "request_correction",
        world["officer"],
        now=now,
        on=on,
        items="请写明所需文件的名称和年份",
        period_days=10,
    )
    doc, text = last_doc(session, req)
    until = current_calendar(session).add_wd(on, 10)
    assert doc.kind == "correction_notice"
    assert "政府信息公开申请补正告知书" in text
    assert f"《中华人民共和国政府信息公开条例》{article}" in text
    assert "请写明所需文件的名称和年份" in text
    assert f"请于{cn(until)}前" in text
    assert "10个工作日内" in text
    assert "视为放弃申请" in text
    assert cn(on) in text  # the document's date


def test_correction_deadline_counts_working_days_over_the_holiday(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    req = new_request(session, now, world, R2019)
    act(
        session,
        req,
        "request_correction",
        world["officer"],
        now=now,
        on=D(2024, 6, 5),
        items="请说明",
        period_days=5,
    )
    # Jun 6, 7, (10 端午节), 11, 12, 13
    assert "请于2024年6月13日前" in last_doc(session, req)[1]


@pytest.mark.parametrize(("received", "article"), [(R2019, "第三十三条第二款"), (R2008, "第二十四条第二款")])
def test_extension_notice_gives_the_new_due_date(
    session: Any, now: dt.datetime, world: dict[str, Any], received: dt.date, article: str
):
    req = new_request(session, now, world, received)
    before = req.due_on
    on = received + dt.timedelta(days=2)
    act(session, req, "extend", world["head"], now=now, on=on, days=10, reason="需要调取档案")
    doc, text = last_doc(session, req)
    assert req.due_on == current_calendar(session).add_wd(before, 10)  # type: ignore[arg-type]
    assert doc.kind == "extension_notice"
    assert "政府信息公开申请延期答复告知书" in text
    assert f"《中华人民共和国政府信息公开条例》{article}" in text
    assert "因需要调取档案" in text
    assert "延长10个工作日" in text
    assert f"延长后的答复期限至{cn(req.due_on)}" in text  # type: ignore[arg-type]
    assert "负责人同意" in text


@pytest.mark.parametrize(
    ("received", "articles"),
    [(R2019, ("第三十二条", "第三十三条第三款", "15个工作日")), (R2008, ("第二十三条", "第二十四条第三款"))],
)
def test_consultation_notice_says_the_time_is_not_counted(
    session: Any, now: dt.datetime, world: dict[str, Any], received: dt.date, articles: tuple[str, ...]
):
    req = new_request(session, now, world, received)
    act(session, req, "start_consultation", world["officer"], now=now, on=received, party="某某科技有限公司")
    doc = docs(session, req)[1]
    text = pdf_text(documents.pdf_of(session, doc))
    assert doc.kind == "consultation_notice"
    for article in articles:
        assert article in text
    assert "不计算在答复期限内" in text
    assert "某某科技有限公司" not in text  # the third party is not named to the applicant


@pytest.mark.parametrize(("received", "article"), [(R2019, "第三十二条"), (R2008, "第二十三条")])
def test_the_third_party_gets_its_own_consultation_letter(
    session: Any, now: dt.datetime, world: dict[str, Any], received: dt.date, article: str
):
    req = new_request(session, now, world, received)
    act(session, req, "start_consultation", world["officer"], now=now, on=received, party="某某科技有限公司")
    notice, letter = docs(session, req)[1:]
    assert (notice.kind, notice.to_applicant) == ("consultation_notice", True)
    assert (letter.kind, letter.to_applicant) == ("consultation_letter", False)
    assert letter.event_id == notice.event_id
    assert letter.number == f"示人社公开〔{received.year}〕第3号"
    text = pdf_text(documents.pdf_of(session, letter))
    assert "政府信息公开申请征求第三方意见书" in text
    assert "某某科技有限公司：" in text
    assert f"《中华人民共和国政府信息公开条例》{article}" in text
    assert "申请公开2023年度部门预算" in text
    assert "张三" not in text  # the applicant is not named to the third party
    assert ("15个工作日内" in text) == (received == R2019)
    assert "公共利益造成重大影响" in text


def test_fee_notice_gives_the_amount_the_basis_and_the_deadline(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    req = new_request(session, now, world, R2019)
    act(session, req, "request_fee", world["officer"], now=now, on=D(2024, 6, 4), basis="per_page", pages=40)
    doc, text = last_doc(session, req)
    until = current_calendar(session).add_wd(D(2024, 6, 4), 20)
    assert doc.kind == "fee_notice"
    assert "第四十二条" in text
    assert "国办函〔2020〕109号" in text
    assert "人民币100.00元" in text
    assert "按量计收（《政府信息公开信息处理费管理办法》第五条）" in text
    assert "提供的政府信息共40页；30页以下（含30页）不收费；第31—40页，10页×10元/页＝100元；合计100元" in text
    assert f"第六条的规定，请自本通知书发出次日起20个工作日内，即于{cn(until)}前（含当日）" in text
    assert "财政票据" in text and "视为放弃申请" in text


def test_no_fee_notice_under_the_2008_rules(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, R2008)
    with pytest.raises(IllegalTransition):
        act(session, req, "request_fee", world["officer"], now=now, on=R2008, basis="per_page", pages=40)
    assert [d.kind for d in docs(session, req)] == ["receipt"]


# The article each outcome's reply must cite: docs/rules.md §Outcomes, both rule sets.
BASIS = {
    "disclosed": ("第三十六条第（一）项、第（二）项", "第二十一条第（一）项"),
    "partially_disclosed": ("第三十七条", "第二十二条"),
    "withheld_state_secret": ("第十四条", "第十四条"),
    "withheld_law_prohibits": ("第十四条", "第二十一条第（二）项"),
    "withheld_security_stability": ("第十四条", "第八条"),
    "withheld_third_party": ("第十五条、第三十二条", "第十四条、第二十三条"),
    "withheld_internal_affairs": ("第十六条第一款", "国办发〔2010〕5号"),
    "withheld_deliberative": ("第十六条第二款", "国办发〔2010〕5号"),
    "withheld_enforcement_file": ("第十六条第二款", "第二十一条第（二）项"),
    "withheld_inquiry_matter": ("第三十六条第（七）项", "国办发〔2010〕5号"),
    "not_held": ("第三十六条第（五）项", "第二十一条第（三）项"),
    "not_exist": ("第三十六条第（四）项", "第二十一条第（三）项"),
    "requires_creation": ("第三十八条", "国办发〔2010〕5号"),
    "unclear": ("第三十条", "第二十一条第（四）项"),
    "not_processed_petition": ("第三十九条第一款", "国办发〔2010〕5号"),
    "not_processed_duplicate": ("第三十六条第（六）项", "国办发〔2010〕5号"),
    "not_processed_publication": ("第三十九条第二款", "第二十一条第（一）项"),
    "not_processed_excessive": ("第三十五条", "国办发〔2010〕5号"),
    "not_processed_reconfirm": (
        "《中华人民共和国政府信息公开条例》的有关规定",
        "《中华人民共和国政府信息公开条例》的有关规定",
    ),
}
DECISION = {  # a phrase of each outcome's own decision
    "disclosed": "予以公开",
    "partially_disclosed": "区分处理",
    "withheld_state_secret": "国家秘密",
    "withheld_law_prohibits": "法律、行政法规禁止公开",
    "withheld_security_stability": "社会稳定",
    "withheld_third_party": "第三方合法权益",
    "withheld_internal_affairs": "内部",
    "withheld_deliberative": "过程性信息",
    "withheld_enforcement_file": "行政执法案卷",
    "withheld_inquiry_matter": "特别规定",
    "not_held": "不属于本机关",
    "not_exist": "该政府信息不存在",
    "requires_creation": "不予提供",
    "unclear": "仍不明确",
    "not_processed_petition": "信访",
    "not_processed_duplicate": "重复",
    "not_processed_publication": "出版物",
    "not_processed_excessive": "明显超过合理范围",
    "not_processed_reconfirm": "重新出具",
}


def test_every_reply_outcome_has_a_basis_in_this_test():
    assert set(BASIS) == set(DECISION) == REPLY_OUTCOMES


@pytest.mark.parametrize("rules", ["2019", "2008"])
@pytest.mark.parametrize("outcome", sorted(REPLY_OUTCOMES))
def test_reply_cites_the_article_of_its_outcome_and_states_the_remedies(
    session: Any, now: dt.datetime, world: dict[str, Any], outcome: str, rules: str
):
    received = R2019 if rules == "2019" else R2008
    earlier = None
    if outcome == "not_processed_duplicate":  # Art. 36(6): only for a repeat of a request already answered
        earlier = new_request(session, now, world, received - dt.timedelta(days=7))
        act(session, earlier, "reply", world["officer"], now=now, on=earlier.received_on, outcome="disclosed")
    req = new_request(session, now, world, received)
    if earlier is not None:
        link_duplicate(session, req, earlier, world["officer"], now=now)
    replied_on = received + dt.timedelta(days=3)
    act(session, req, "accept", world["officer"], now=now, on=received + dt.timedelta(days=1))
    asked = outcome == "not_processed_excessive" and rules == "2019"
    if asked:  # 2019 Art. 35: 不予处理 only after the applicant was asked to state reasons
        act(
            session,
            req,
            "request_reasons",
            world["officer"],
            now=now,
            on=received + dt.timedelta(days=2),
            items="同日提出申请50件",
            period_days=5,
        )
    parts = [{"part": "第三页的个人信息", "basis": "withheld_third_party"}]
    extra = {"withheld": parts} if outcome == "partially_disclosed" else {}
    act(session, req, "reply", world["officer"], now=now, on=replied_on, outcome=outcome, **extra)
    doc, text = last_doc(session, req)
    basis = BASIS[outcome][0 if rules == "2019" else 1]
    assert doc.kind == "reply"
    assert doc.title == "政府信息公开申请答复书"
    assert "政府信息公开申请答复书" in text
    assert basis in text
    assert DECISION[outcome] in text
    assert "张三：" in text
    assert f"本机关于{cn(received)}收到您提出的政府信息公开申请" in text
    assert "申请公开2023年度部门预算" in text
    assert cn(replied_on) in text
    remedy_article = "第五十一条" if rules == "2019" else "第三十三条"
    assert f"《中华人民共和国政府信息公开条例》{remedy_article}" in text
    assert "60日内依法申请行政复议" in text
    assert "6个月内依法向人民法院提起行政诉讼" in text
    assert "示范市人力资源和社会保障局" in text
    if earlier is not None:  # the letter names the earlier request and the day it was answered
        assert f"申请编号{earlier.tracking_number}" in text
        assert f"本机关已于{cn(earlier.received_on)}作出答复" in text
    assert doc.number == f"示人社公开〔{received.year}〕第{(3 if asked else 2) + (2 if earlier else 0)}号"


@pytest.mark.parametrize("rules", ["2019", "2008"])
def test_not_held_reply_names_the_agency_that_holds_the_information(
    session: Any, now: dt.datetime, world: dict[str, Any], rules: str
):
    received = R2019 if rules == "2019" else R2008
    req = new_request(session, now, world, received)
    act(
        session,
        req,
        "reply",
        world["officer"],
        now=now,
        on=received,
        outcome="not_held",
        referred_agency="示范市财政局",
        referred_address="示范市中山路8号",
        referred_phone="010-87654321",
    )
    _, text = last_doc(session, req)
    # 2019 rules Art. 36(5), 2008 Art. 21(3): the holder's name and its contact, the name printed once
    assert "负责公开该政府信息的行政机关为示范市财政局（地址：示范市中山路8号；电话：010-87654321）" in text
    assert "您可以向该机关提出申请或者咨询" in text
    assert text.count("示范市财政局") == 1


def test_not_held_without_a_known_holder_says_so(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, R2019)
    act(session, req, "reply", world["officer"], now=now, on=R2019, outcome="not_held")
    assert "无法确定负责公开该政府信息的行政机关" in last_doc(session, req)[1]


def test_reply_after_a_correction_mentions_the_corrected_request(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    req = new_request(session, now, world, R2019)
    act(
        session,
        req,
        "request_correction",
        world["officer"],
        now=now,
        on=D(2024, 6, 4),
        items="请说明",
        period_days=5,
    )
    act(session, req, "receive_correction", world["officer"], now=now, on=D(2024, 6, 6))
    act(session, req, "reply", world["officer"], now=now, on=D(2024, 6, 7), outcome="unclear")
    _, text = last_doc(session, req)
    assert "于2024年6月6日收到您补正后的申请" in text
    assert "第三十条" in text


@pytest.mark.parametrize("rules", ["2019", "2008"])
def test_closure_for_a_lapsed_correction(session: Any, now: dt.datetime, world: dict[str, Any], rules: str):
    received = R2019 if rules == "2019" else R2008
    req = new_request(session, now, world, received)
    asked = received + dt.timedelta(days=1)
    act(
        session, req, "request_correction", world["officer"], now=now, on=asked, items="请说明", period_days=3
    )
    until = current_calendar(session).add_wd(asked, 3)
    closed = until + dt.timedelta(days=1)
    act(session, req, "close", None, now=now, on=closed, outcome="closed_correction_lapsed")
    doc, text = last_doc(session, req)
    assert doc.kind == "closure_notice"
    assert "政府信息公开申请办结告知书" in text
    assert f"告知您于{cn(until)}前补正申请" in text
    assert ("第三十条" if rules == "2019" else "第二十一条第（四）项") in text
    assert f"本机关于{cn(closed)}终止办理" in text
    assert "60日内依法申请行政复议" in text
    assert doc.created_by_id is None  # the workers' own act


def test_closure_for_an_unpaid_fee(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, R2019)
    act(session, req, "request_fee", world["officer"], now=now, on=D(2024, 6, 4), basis="per_page", pages=35)
    until = current_calendar(session).add_wd(D(2024, 6, 4), 20)
    lapsed = until + dt.timedelta(days=1)
    act(session, req, "close", None, now=at(lapsed), on=lapsed, outcome="closed_fee_unpaid")
    _, text = last_doc(session, req)
    assert f"于{cn(until)}前缴纳信息处理费" in text
    assert "第四十二条" in text


def test_closure_when_the_applicant_withdraws(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, D(2024, 6, 12))
    applicant_withdraw(session, req, None, now=now)
    doc, text = last_doc(session, req)
    assert doc.kind == "closure_notice"
    assert "您于2024年6月14日撤回了该申请" in text
    assert "6个月内依法向人民法院提起行政诉讼" in text


def test_the_officers_edited_text_is_what_is_frozen(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, R2019)
    drafted = preview(session, req, "reply", world["officer"], now=now, on=R2019, outcome="not_exist")
    assert drafted is not None
    assert "该政府信息不存在" in drafted.body
    assert docs(session, req)[-1].kind == "receipt"  # the preview sent nothing
    assert req.status == "received"
    edited = drafted.body.replace("该政府信息不存在。", "该政府信息不存在。本机关检索了2023年全部收文登记。")
    act(session, req, "reply", world["officer"], now=now, on=R2019, outcome="not_exist", document_text=edited)
    doc, text = last_doc(session, req)
    assert doc.body == edited
    assert doc.edited is True
    assert "本机关检索了2023年全部收文登记" in text
    assert doc.created_by_id == world["officer"].id


def test_preview_text_is_the_text_sent_when_not_edited(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, R2019)
    fields = {"items": "请写明文件名称", "period_days": 7}
    drafted = preview(session, req, "request_correction", world["officer"], now=now, on=R2019, **fields)
    act(session, req, "request_correction", world["officer"], now=now, on=R2019, **fields)
    doc = docs(session, req)[-1]
    assert drafted is not None
    assert doc.body == drafted.body
    assert doc.edited is False
    assert doc.number == "示人社公开〔2024〕第2号"  # the preview took no number


def test_preview_refuses_what_the_action_refuses(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, R2019)
    with pytest.raises(ValidationError) as caught:
        preview(session, req, "request_correction", world["officer"], now=now, on=R2019, items="x")
    assert "period_days" in caught.value.fields


def test_a_sent_document_cannot_be_changed(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, R2019)
    doc = docs(session, req)[0]
    assert doc.pdf is None  # nothing rendered on the request's path
    settings = session.get(DocumentSettings, world["agency"].id)
    settings.letterhead = "别的名称"
    settings.phone = "000-0000000"
    session.flush()
    # rendered later, it still says what was sent: the letterhead and contact block frozen with it
    text = pdf_text(documents.pdf_of(session, doc))
    assert "示范市人力资源和社会保障局政府信息公开办公室" in text and "别的名称" not in text
    assert "010-12345678" in text
    pdf = doc.pdf
    assert documents.pdf_of(session, doc) is pdf  # made once, then always the same bytes
    stored = session.execute(select(Document.pdf, Document.sha256).where(Document.id == doc.id)).one()
    assert stored.pdf == pdf and stored.sha256 == hashlib.sha256(pdf).hexdigest()
    doc.body = "改过的正文"
    with pytest.raises(ValueError, match="cannot change"):
        session.flush()


def test_document_text_on_an_action_that_sends_none_is_refused(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    req = new_request(session, now, world, R2019)
    with pytest.raises(ValidationError) as caught:
        act(session, req, "accept", world["officer"], now=now, on=R2019, document_text="正文")
    assert "document_text" in caught.value.fields
    assert req.status == "received"


def test_a_refused_action_sends_no_document(session: Any, now: dt.datetime, world: dict[str, Any]):
    req = new_request(session, now, world, R2019)
    with pytest.raises(ValidationError):
        act(session, req, "reply", world["officer"], now=now, on=R2019, outcome="nonsense")
    count = session.execute(select(func.count()).select_from(Document).where(Document.request_id == req.id))
    assert count.scalar_one() == 1


def test_agency_template_override_replaces_the_default_text(
    session: Any, now: dt.datetime, world: dict[str, Any]
):
    settings = session.get(DocumentSettings, world["agency"].id)
    settings.overrides = {
        "receipt": "{applicant}：\n我局已收到您的申请（{tracking_number}），将于{due_on}前答复。"
    }
    session.flush()
    req = new_request(session, now, world, R2019)
    _, text = last_doc(session, req)
    assert f"我局已收到您的申请（{req.tracking_number}），将于2024年7月2日前答复。" in text


def test_number_scheme_is_checked():
    assert documents.scheme_error("{short}〔{year}〕{seq}号") is None
    assert documents.scheme_error("{short}〔{year}〕号") is not None
    assert documents.scheme_error("{short}{nope}{seq}") is not None
