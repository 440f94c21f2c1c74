"""The enquiry log's page (/staff/enquiries): an enquiry logged from the form, the desk's one-tap counter
and a paper tally, errors beside the fields, other agencies' staff kept out; what is logged is what
annex three counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import People
from tests.web.conftest import login, post
from webapp.domain import reports
from webapp.models import Enquiry


def count(session: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(Enquiry)))


def test_an_officer_logs_an_enquiry_and_taps_the_counter(
    client: FlaskClient, people: People, session: Any, today: dt.date
):
    login(client, people.officer)
    page = client.get("/staff/enquiries")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "咨询登记" in html and "快速计数" in html and "现场接待 +1" in html and "咨询电话 +1" in html

    answer = post(
        client,
        "/staff/enquiries",
        {
            "enquiry-agency": "CITYHR",
            "enquiry-channel": "online",
            "enquiry-topic": "失业保险金申领",
            "enquiry-outcome": "referred",
            "enquiry-service_info": "y",
            "enquiry-on": today.isoformat(),
        },
    )
    assert answer.status_code == 303
    for _ in range(3):
        assert (
            post(
                client, "/staff/enquiries/tally", {"tally-agency": "CITYHR", "tally-channel": "phone"}
            ).status_code
            == 303
        )
    tally = post(
        client,
        "/staff/enquiries/tally",
        {
            "tally-agency": "CITYHR",
            "tally-channel": "in_person",
            "tally-count": "25",
            "tally-on": today.isoformat(),
        },
        follow_redirects=True,
    )
    assert "现场接待 +25" in tally.get_data(as_text=True)

    assert reports.enquiry_counts(session, [people.agency.id], today.year) == {
        "online": 1,
        "in_person": 25,
        "phone": 3,
        "service_info": 1,
    }
    html = client.get("/staff/enquiries").get_data(as_text=True)
    assert "失业保险金申领" in html and "已转办" in html
    assert 'id="tally-phone"' in html
    # today's counts on the buttons
    phone_button = html.split('id="tally-phone"')[1].split("</button>")[0]
    assert '<span class="tally-count"' in phone_button and ">3</span>" in phone_button


def test_errors_are_shown_beside_the_fields_and_nothing_is_logged(
    client: FlaskClient, people: People, session: Any, today: dt.date
):
    login(client, people.officer)
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    answer = post(
        client,
        "/staff/enquiries",
        {
            "enquiry-agency": "CITYHR",
            "enquiry-channel": "fax",
            "enquiry-topic": "问" * 201,
            "enquiry-on": tomorrow,
        },
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "请从列表中选择" in html or "Not a valid choice" in html or "error-summary" in html
    assert 'id="enquiry-topic-error"' in html
    future = post(
        client,
        "/staff/enquiries",
        {
            "enquiry-agency": "CITYHR",
            "enquiry-channel": "phone",
            "enquiry-outcome": "answered",
            "enquiry-on": tomorrow,
        },
    )
    assert future.status_code == 422 and "日期不能晚于今天" in future.get_data(as_text=True)
    zero = post(
        client,
        "/staff/enquiries/tally",
        {"tally-agency": "CITYHR", "tally-channel": "phone", "tally-count": "0"},
    )
    assert zero.status_code == 422 and 'id="tally-count-error"' in zero.get_data(as_text=True)
    assert count(session) == 0


def test_other_agencies_staff_and_the_platform_administrator_are_kept_out(
    client: FlaskClient, people: People, session: Any
):
    login(client, people.stranger)
    assert client.get("/staff/enquiries?agency=CITYHR").status_code == 404
    assert (
        post(
            client, "/staff/enquiries/tally", {"tally-agency": "CITYHR", "tally-channel": "phone"}
        ).status_code
        == 404
    )
    assert client.get("/staff/enquiries").status_code == 200  # their own agency's
    assert count(session) == 0

    fresh = client.application.test_client()
    assert fresh.get("/staff/enquiries").status_code == 302  # to the login page
    login(fresh, people.platform)
    assert fresh.get("/staff/enquiries").status_code == 404  # it answers no enquiry


def test_the_report_page_counts_the_years_enquiries(
    client: FlaskClient, people: People, session: Any, today: dt.date
):
    moment = dt.datetime.now(dt.UTC)
    reports.tally_enquiries(
        session, people.agency, channel="phone", on=today, count=12, actor=people.officer, now=moment
    )
    reports.record_enquiry(
        session,
        people.agency,
        channel="online",
        on=today,
        topic="工伤认定",
        service_info=True,
        outcome="referred",
        actor=people.officer,
        now=moment,
    )
    reports.tally_enquiries(  # another agency's: not counted
        session, people.other_agency, channel="phone", on=today, count=5, actor=people.stranger, now=moment
    )
    session.commit()
    login(client, people.head)
    page = client.get(f"/staff/reports?agency=CITYHR&year={today.year}&form=2021").get_data(as_text=True)
    section = page.split('id="enq-h"')[1].split("</section>")[0]
    cards = dict(
        (name, value)
        for value, name in re.findall(
            r'<div class="value">(\d+)</div><div class="name">([^<]+)</div>', section
        )
    )
    assert cards == {
        "咨询合计（人次）": "13",
        "网上咨询（人次）": "1",
        "现场接待（人次）": "0",
        "咨询电话（人次）": "12",
        "提供服务类信息（条）": "1",
        "转办（人次）": "1",
    }
