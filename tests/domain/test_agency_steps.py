"""The steps the 2019 rules give the agency beyond the plain reply (docs/rules.md §Agency steps), each
tested with its dates counted by hand and its article cited: Art. 36(5) the holder named with its
contact, once; Art. 51 the review body and the court the letters name; Art. 33 ¶1 on-the-spot replies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import at, make_request, pdf_text
from webapp.domain import documents
from webapp.domain.errors import IllegalTransition, ValidationError
from webapp.domain.reports.performance import performance
from webapp.domain.reports.scope import Scope
from webapp.domain.requests import act
from webapp.models import OutboxMessage, Request
from workers.deadlines import run_sweeps

D = dt.date
RECEIVED = D(2024, 6, 3)  # a Monday, 2019 rules


def new_request(
    session: Any, now: dt.datetime, world: dict[str, Any], received_on: dt.date = RECEIVED
) -> Request:
    req, _ = make_request(session, now, world["agency"], received_on=received_on, officer=world["officer"])
    return req


def letter(session: Any, req: Request) -> str:
    """The last document sent on the request, read back from its PDF."""
    return pdf_text(documents.pdf_of(session, documents.documents_of(session, req)[-1]))


# -- Art. 36(5): the agency that holds the information, and how to reach it ---------------------------


def test_art_36_5_the_reply_names_the_holder_with_its_address_and_phone_once(session, now, world):
    req = new_request(session, now, world)
    act(
        session,
        req,
        "reply",
        world["officer"],
        now=now,
        on=RECEIVED,
        outcome="not_held",
        referred_agency="示范市财政局",
        referred_address="示范市中山路8号",
        referred_phone="０１０-87654321",  # full-width digits, as a Chinese input method types them
    )
    text = letter(session, req)
    assert "第三十六条第（五）项" in text
    assert "负责公开该政府信息的行政机关为示范市财政局（地址：示范市中山路8号；电话：010-87654321）" in text
    assert text.count("示范市财政局") == 1 and text.count("87654321") == 1
    assert (req.referred_agency, req.referred_agency_address, req.referred_agency_phone) == (
        "示范市财政局",
        "示范市中山路8号",
        "010-87654321",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"referred_agency": "示范市财政局"}, "referred_phone"),  # a name without any contact
        ({"referred_phone": "010-87654321"}, "referred_agency"),  # a contact without a name
        ({"referred_agency": "示范市财政局", "referred_phone": "财政局电话"}, "referred_phone"),
    ],
)
def test_art_36_5_a_holder_is_named_with_a_contact_or_not_at_all(session, now, world, fields, field):
    req = new_request(session, now, world)
    with pytest.raises(ValidationError) as caught:
        act(session, req, "reply", world["officer"], now=now, on=RECEIVED, outcome="not_held", **fields)
    assert field in caught.value.fields
    assert req.status == "received" and len(req.events) == 1  # nothing written


# -- Art. 51: the review body and the court ------------------------------------------------------------


def test_art_51_letters_name_the_review_body_and_the_court_the_agency_set(session, now, world):
    documents.save_settings(
        session,
        world["agency"],
        {"review_body": "示范市人民政府", "court": "示范市东城区人民法院"},
        {},
        now=now,
    )
    req = new_request(session, now, world)
    act(session, req, "reply", world["officer"], now=now, on=RECEIVED, outcome="not_exist")
    text = letter(session, req)
    assert "第五十一条" in text
    assert "60日内依法向示范市人民政府申请行政复议" in text
    assert "6个月内依法向示范市东城区人民法院提起行政诉讼" in text
    other = new_request(session, now, world)
    act(session, other, "withdraw", None, now=now, on=RECEIVED)
    assert "向示范市人民政府申请行政复议" in letter(session, other)  # the closure notice too


def test_without_settings_the_remedies_name_no_body(session, now, world):
    req = new_request(session, now, world)
    act(session, req, "reply", world["officer"], now=now, on=RECEIVED, outcome="not_exist")
    text = letter(session, req)
    assert "60日内依法申请行政复议" in text and "6个月内依法向人民法院提起行政诉讼" in text


# -- Art. 33 ¶1: 当场答复 --------------------------------------------------------------------------------


def test_art_33_only_a_reply_the_day_received_with_no_step_between_is_on_the_spot(session, now, world):
    officer = world["officer"]
    spot = new_request(session, now, world)
    act(session, spot, "comment", officer, now=now, on=RECEIVED, note="窗口当场查阅")  # not a step
    act(session, spot, "reply", officer, now=now, on=RECEIVED, outcome="disclosed")
    accepted = new_request(session, now, world)
    act(session, accepted, "accept", officer, now=now, on=RECEIVED)  # a step, the same day
    act(session, accepted, "reply", officer, now=now, on=RECEIVED, outcome="disclosed")
    corrected = new_request(session, now, world)
    act(
        session,
        corrected,
        "request_correction",
        officer,
        now=now,
        on=RECEIVED,
        items="写明文号",
        period_days=5,
    )
    act(session, corrected, "receive_correction", officer, now=now, on=RECEIVED)
    act(session, corrected, "reply", officer, now=now, on=RECEIVED, outcome="disclosed")
    later = new_request(session, now, world)
    act(session, later, "accept", officer, now=now, on=RECEIVED)
    act(session, later, "reply", officer, now=now, on=D(2024, 6, 4), outcome="disclosed")
    flags = [r.events[-1].data["on_the_spot"] for r in (spot, accepted, corrected, later)]
    assert flags == [True, False, False, False]
    session.flush()
    figures = performance(session, Scope((world["agency"],)), 2024)
    assert figures["overall"]["replies"] == 4
    assert figures["overall"]["on_the_spot"] == 1


def doc_of(session: Any, req: Request, kind: str) -> tuple[Any, str]:
    """The request's document of `kind`, and its text read back from its PDF."""
    doc = next(d for d in documents.documents_of(session, req) if d.kind == kind)
    return doc, pdf_text(documents.pdf_of(session, doc))


def notices(session: Any, req: Request) -> list[str]:
    rows = session.execute(
        select(OutboxMessage.payload).where(
            OutboxMessage.request_id == req.id, OutboxMessage.kind == "notice"
        )
    ).scalars()
    return [p["notice"] for p in rows]


# Received Monday 2024-06-03 (2019 rules): due add_wd(06-03, 20) = 2024-07-02 (06-10 端午节 skipped)
# Paused on Wednesday 06-05, 18 working days remain (06-06, 07, 11–14, 17–21, 24–28, 07-01, 07-02).


# -- Art. 35: reasons asked, then a later reasonable date or 不予处理 ----------------------------------


def test_art_35_reasons_asked_stop_the_clock_and_a_later_reasonable_date_is_set(session, world):
    officer = world["officer"]
    req = new_request(session, at(RECEIVED), world)
    act(session, req, "accept", officer, now=at(D(2024, 6, 4)), on=D(2024, 6, 4))
    act(
        session,
        req,
        "request_reasons",
        officer,
        now=at(D(2024, 6, 5)),
        items="一个月内提出政府信息公开申请120件",
        period_days=10,
    )
    assert (req.status, req.due_on, req.remaining_days, req.wait_ends_on) == (
        "awaiting_reasons",
        None,
        18,
        None,
    )
    _, text = doc_of(session, req, "reasons_notice")
    # add_wd(06-05, 10): 06-06, 07, 11, 12, 13, 14, 17, 18, 19, 20
    assert (
        "第三十五条" in text
        and "请您于2024年6月20日前" in text
        and "一个月内提出政府信息公开申请120件" in text
    )
    assert "政府信息公开申请说明理由告知书" in text
    act(session, req, "receive_reasons", officer, now=at(D(2024, 6, 14)), text="用于学术研究")
    # add_wd(06-14, 18): 06-17–21 (5), 06-24–28 (10), 07-01–05 (15), 07-08, 09, 10 (18)
    assert (req.status, req.due_on) == ("in_progress", D(2024, 7, 10))
    with pytest.raises(ValidationError) as caught:  # add_wd(06-17, 15) = 07-08, not later than 07-10
        act(
            session,
            req,
            "set_reply_period",
            officer,
            now=at(D(2024, 6, 17)),
            reply_days=15,
            reason="数量较大",
        )
    assert "reply_days" in caught.value.fields
    act(
        session,
        req,
        "set_reply_period",
        officer,
        now=at(D(2024, 6, 17)),
        reply_days=30,
        reason="需逐件检索120件档案",
    )
    # add_wd(06-17, 30): 06-18–21 (4), 06-24–28 (9), 07-01–05 (14), 07-08–12 (19), 07-15–19 (24),
    # 07-22–26 (29), 07-29 (30)
    assert req.due_on == D(2024, 7, 29)
    _, text = doc_of(session, req, "reply_period_notice")
    assert "政府信息公开申请延迟答复告知书" in text
    assert "本机关于2024年6月5日要求您说明申请理由，于2024年6月14日收到您说明的理由" in text
    assert "延迟答复的合理期限为30个工作日，将于2024年7月29日前" in text and "第三十五条" in text
    assert notices(session, req) == ["receipt", "reasons_notice", "reply_period_notice"]
    with pytest.raises(IllegalTransition):  # once
        act(session, req, "set_reply_period", officer, now=at(D(2024, 6, 18)), reply_days=40, reason="再延")


def test_art_35_unreasonable_or_no_reasons_is_answered_not_processed(session, world):
    officer = world["officer"]
    req = new_request(session, at(RECEIVED), world)
    with pytest.raises(IllegalTransition):  # not without asking first
        act(session, req, "reply", officer, now=at(RECEIVED), outcome="not_processed_excessive")
    act(
        session,
        req,
        "request_reasons",
        officer,
        now=at(D(2024, 6, 5)),
        items="同日提出申请50件",
        period_days=10,
    )
    with pytest.raises(IllegalTransition):  # while the reasons are awaited, no other reply
        act(session, req, "reply", officer, now=at(D(2024, 6, 24)), outcome="disclosed")
    act(session, req, "reply", officer, now=at(D(2024, 6, 24)), outcome="not_processed_excessive")
    assert (req.status, req.outcome, req.finished_on) == (
        "replied",
        "not_processed_excessive",
        D(2024, 6, 24),
    )
    _, text = doc_of(session, req, "reply")
    assert "本机关于2024年6月5日要求您于2024年6月20日前说明申请理由，您未说明理由。" in text
    assert "第三十五条" in text and "明显超过合理范围" in text


def test_art_35_has_no_counterpart_in_the_2008_rules(session, world):
    req = new_request(session, at(RECEIVED), world, D(2018, 6, 4))
    with pytest.raises(IllegalTransition):
        act(session, req, "request_reasons", world["officer"], now=at(RECEIVED), items="很多", period_days=5)
    act(
        session,
        req,
        "reply",
        world["officer"],
        now=at(RECEIVED),
        on=D(2018, 6, 4),
        outcome="not_processed_excessive",
    )
    assert "国办发〔2010〕5号" in doc_of(session, req, "reply")[1]


# -- Art. 34: the co-making agency consulted -------------------------------------------------------------


def test_art_34_the_co_making_agency_silent_for_15_working_days_consents(session, world):
    officer = world["officer"]
    req = new_request(session, at(RECEIVED), world)
    act(session, req, "consult_agency", officer, now=at(D(2024, 6, 5)), agency_name="示范市财政局")
    # add_wd(06-05, 15): 06-06, 07, 11–14, 17–21, 24–27
    assert (req.status, req.remaining_days, req.wait_ends_on) == ("consulting", 18, D(2024, 6, 27))
    letter_doc, letter_text = doc_of(session, req, "agency_consultation_letter")
    assert not letter_doc.to_applicant
    assert "示范市财政局：" in letter_text
    assert (
        "第三十四条" in letter_text
        and "15个工作日内" in letter_text
        and "逾期未提出意见的，视为同意公开" in letter_text
    )
    assert "张三" not in letter_text  # the applicant is not named to the other agency
    _, notice_text = doc_of(session, req, "agency_consultation_notice")
    assert (
        "第三十四条" in notice_text
        and "第三十三条第三款" in notice_text
        and "不计算在答复期限内" in notice_text
    )
    assert notices(session, req) == ["receipt", "agency_consultation_notice"]
    session.commit()
    run_sweeps(session, today=D(2024, 6, 28), now=at(D(2024, 6, 28)))
    session.refresh(req)
    ended = req.events[-1]
    assert (ended.type, ended.on, ended.data["opinion"]) == (
        "consultation_ended",
        D(2024, 6, 27),
        "deemed_consent",
    )
    assert "视为同意公开" in ended.note and "第三十四条" in ended.note
    # add_wd(06-27, 18): 06-28 (1), 07-01–05 (6), 07-08–12 (11), 07-15–19 (16), 07-22, 23 (18)
    assert (req.status, req.due_on) == ("in_progress", D(2024, 7, 23))


def test_art_34_has_no_counterpart_in_the_2008_rules(session, world):
    req = new_request(session, at(RECEIVED), world, D(2018, 6, 4))
    with pytest.raises(IllegalTransition):
        act(session, req, "consult_agency", world["officer"], now=at(RECEIVED), agency_name="示范市财政局")


# -- Art. 32: disclosure over the third party's objection ------------------------------------------------


def test_art_32_a_disclosure_over_an_objection_is_told_to_the_third_party_first(session, world):
    officer = world["officer"]
    req = new_request(session, at(RECEIVED), world)
    act(session, req, "start_consultation", officer, now=at(D(2024, 6, 5)), party="某科技有限公司")
    act(
        session,
        req,
        "end_consultation",
        officer,
        now=at(D(2024, 6, 12)),
        opinion="objected",
        note="涉及商业秘密",
    )
    # add_wd(06-12, 18): 06-13, 14 (2), 06-17–21 (7), 06-24–28 (12), 07-01–05 (17), 07-08 (18)
    assert (req.due_on, req.events[-1].data["opinion"]) == (D(2024, 7, 8), "objected")
    assert "第三方不同意公开" in req.events[-1].note
    with pytest.raises(IllegalTransition) as refused:
        act(session, req, "reply", officer, now=at(D(2024, 6, 13)), outcome="disclosed")
    assert "第三十二条" in str(refused.value)
    act(
        session,
        req,
        "notify_third_party",
        officer,
        now=at(D(2024, 6, 13)),
        content="2023年度某项目的中标金额",
        reason="该项目使用财政资金，中标金额涉及重大公共利益",
    )
    told = req.events[-1]
    assert (told.type, told.on, told.data["party"]) == (
        "third_party_notified",
        D(2024, 6, 13),
        "某科技有限公司",
    )
    doc, text = doc_of(session, req, "third_party_notice")
    assert not doc.to_applicant and doc.title == "政府信息决定公开告知书"
    assert "某科技有限公司：" in text and "第三十二条" in text
    assert "2023年度某项目的中标金额" in text and "中标金额涉及重大公共利益" in text
    assert "张三" not in text
    assert notices(session, req) == ["receipt", "consultation_notice"]  # nothing mailed to the applicant
    act(session, req, "reply", officer, now=at(D(2024, 6, 14)), outcome="disclosed")
    assert req.outcome == "disclosed"


def test_art_32_nothing_to_tell_without_an_objection(session, world):
    officer = world["officer"]
    req = new_request(session, at(RECEIVED), world)
    act(session, req, "start_consultation", officer, now=at(D(2024, 6, 5)), party="某科技有限公司")
    act(session, req, "end_consultation", officer, now=at(D(2024, 6, 7)), opinion="consented")
    with pytest.raises(IllegalTransition):
        act(session, req, "notify_third_party", officer, now=at(D(2024, 6, 7)), content="x", reason="y")
    act(session, req, "reply", officer, now=at(D(2024, 6, 7)), outcome="disclosed")  # consent: no notice


def test_art_32_a_third_party_silent_for_15_working_days_leaves_the_decision_to_the_agency(session, world):
    req = new_request(session, at(RECEIVED), world)
    act(session, req, "start_consultation", world["officer"], now=at(D(2024, 6, 5)), party="某科技有限公司")
    session.commit()
    run_sweeps(session, today=D(2024, 6, 28), now=at(D(2024, 6, 28)))
    session.refresh(req)
    ended = req.events[-1]
    assert (ended.on, ended.data["opinion"], ended.data["consulted"]) == (
        D(2024, 6, 27),
        "lapsed",
        "third_party",
    )
    assert "由本机关依照《条例》的规定决定是否公开" in ended.note
