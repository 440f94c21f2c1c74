"""The steps the 2019 rules give the agency beyond the plain reply (docs/rules.md §Agency steps), each
tested with its dates counted by hand and its article cited: Art. 36(5) the holder named with its
contact, once; Art. 51 the review body and the court the letters name; Art. 33 ¶1 on-the-spot replies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import make_request, pdf_text
from webapp.domain import documents
from webapp.domain.errors import ValidationError
from webapp.domain.reports.performance import performance
from webapp.domain.reports.scope import Scope
from webapp.domain.requests import act
from webapp.models import Request

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
