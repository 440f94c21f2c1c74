"""The receipt of a request registered after the day it was received (docs/rules.md §Late registration):
dated the day it is issued — the registration day — on the page, in the PDF and in the e-mail, naming
both days, and saying plainly when the due date was already past or near instead of promising it; the
registration form's hint says when a reason is required, as the rule is."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import People, pdf_text
from tests.web.conftest import login, post
from tests.web.test_late_registration import received_days_ago, today
from tests.web.test_staff import registration
from webapp.domain.documents import documents_of, pdf_of
from webapp.domain.notices import compose
from webapp.models import OutboxMessage, Request


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def register(client: FlaskClient, session: Any, received: dt.date) -> tuple[Request, str, str, str]:
    """Register a letter received on `received`: the request, the receipt page, its PDF's text, and the
    e-mail's body."""
    form = registration(received_on=received.isoformat(), email="lisi@example.cn", late_reason="误投他处")
    response = post(client, "/staff/register", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    req = session.scalars(select(Request).order_by(Request.id.desc())).first()
    page = client.get("/staff/register/receipt").get_data(as_text=True)
    receipt = documents_of(session, req)[0]
    assert receipt.kind == "receipt"
    assert receipt.on == today()  # the document's own date: issued today
    pdf = pdf_text(pdf_of(session, receipt))
    msg = session.scalars(
        select(OutboxMessage).where(OutboxMessage.request_id == req.id, OutboxMessage.kind == "notice")
    ).one()
    return req, page, pdf, compose(session, msg).body


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_receipt_registered_after_the_due_date_is_dated_today_and_promises_no_past_date(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    received = received_days_ago(session, 25)
    req, page, pdf, mail = register(client, session, received)
    assert req.due_on is not None and req.due_on < today()
    due = cn(req.due_on)
    # the page
    assert re.search(rf'id="received-on">{cn(received)}<', page)
    assert re.search(rf'id="registered-on">{cn(today())}<', page)
    assert "本申请登记时答复期限已届满，本机关将尽快答复。" in page
    assert re.search(rf'class="receipt-date">[^<]*<br>{cn(today())}<', page)
    # the PDF: both days, the signature's date today, no promise of the past due date
    pdf = flat(pdf)
    assert f"本机关于{cn(received)}" in pdf and f"于{cn(today())}登记" in pdf
    assert "本申请登记时答复期限已届满，本机关将尽快答复。" in pdf
    assert f"即于{due}前" not in pdf
    assert f"{cn(today())}（印章）" in pdf  # signed and sealed today
    # the e-mail
    assert f"本机关于{cn(today())}登记您的申请。" in mail
    assert "本申请登记时答复期限已届满，本机关将尽快答复。" in mail and f"即{due}前作出答复" not in mail


def test_a_receipt_registered_days_before_the_due_date_says_it_is_near(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    received = received_days_ago(session, 18)  # 2 working days left
    _, page, pdf, mail = register(client, session, received)
    for text in (page, flat(pdf), mail):
        assert "本申请登记时答复期限即将届满，本机关将尽快答复。" in text
    assert f"于{cn(today())}登记" in flat(pdf)


def test_a_receipt_registered_in_good_time_promises_the_due_date_and_is_dated_today(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    received = received_days_ago(session, 2)
    req, page, pdf, mail = register(client, session, received)
    due = cn(req.due_on)
    pdf = flat(pdf)
    assert f"于{cn(today())}登记" in pdf and f"即于{due}前（含当日）作出答复" in pdf
    assert "届满" not in pdf and "届满" not in page and "届满" not in mail
    assert f"即{due}前作出答复" in mail


def test_the_reason_hint_says_the_rule_and_whether_it_applies_to_the_date(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.officer)
    blank = client.get("/staff/register").get_data(as_text=True)
    hint = re.search(r'id="late_reason-hint">([^<]*)<', blank).group(1)
    assert hint == "答复期限已过或只剩3个工作日以内时须填写，记入办理记录"  # the rule as it is
    recent = client.get(f"/staff/register/late?received_on={received_days_ago(session, 2).isoformat()}").json
    assert recent["reason_hint"].startswith("选填") and "须填写" not in recent["reason_hint"]
    past = client.get(f"/staff/register/late?received_on={received_days_ago(session, 25).isoformat()}").json
    assert past["reason_hint"].startswith("须填写")
    # the page re-shown after an error says the same for its date
    form = registration(received_on=received_days_ago(session, 2).isoformat(), description="")
    html = post(client, "/staff/register", form).get_data(as_text=True)
    assert re.search(r'id="late_reason-hint">选填', html)
