"""A request's reviews and lawsuits on its own staff page (/staff/requests/<n>/appeals): recorded with the
day filed, the body or court, the result and the day decided; section 四 of the 2021 form counts what the
page recorded; errors beside the fields; other agencies' staff see nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import People, applicant
from tests.web.conftest import login, post
from webapp.domain import reports
from webapp.domain.requests import act, submit
from webapp.models import Appeal, Request

NOW = dt.datetime.now(dt.UTC)
LAST_YEAR = NOW.year - 1


def replied(session: Any, people: People) -> Request:
    received = dt.date(LAST_YEAR, 3, 6)
    req, _ = submit(
        session,
        agency=people.agency,
        applicant=applicant(),
        description="申请公开某项目的环评审批材料",
        delivery="email",
        now=NOW,
        channel="letter",
        received_on=received,
        registered_by=people.officer,
        require_late_reason=False,
    )
    act(session, req, "reply", people.officer, now=NOW, on=received, outcome="withheld_deliberative")
    session.commit()
    return req


def section_four(session: Any, people: People, year: int) -> list[list[int]]:
    table = reports.annex_two(session, reports.Scope((people.agency,)), year, "2021")
    return [g["values"] for g in table["review_litigation"]["groups"]]


def test_an_officer_records_a_review_and_its_decision_and_section_four_counts_them(
    client: FlaskClient, people: People, session: Any
):
    req = replied(session, people)
    login(client, people.officer)
    page = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    assert f"/staff/requests/{req.tracking_number}/appeals" in page
    url = f"/staff/requests/{req.tracking_number}/appeals"
    assert "没有行政复议或行政诉讼记录" in client.get(url).get_data(as_text=True)

    answer = post(
        client,
        url,
        {
            "appeal-kind": "review",
            "appeal-filed_on": f"{LAST_YEAR}-04-20",
            "appeal-authority": "示范市人民政府",
            "appeal-case_number": f"示政复〔{LAST_YEAR}〕12号",
            "appeal-result": "pending",
        },
    )
    assert answer.status_code == 303
    post(
        client,
        url,
        {
            "appeal-kind": "litigation_direct",
            "appeal-filed_on": f"{LAST_YEAR}-05-02",
            "appeal-authority": "示范市中级人民法院",
            "appeal-result": "upheld",
            "appeal-decided_on": f"{LAST_YEAR}-10-09",
        },
    )
    # Section 四 of last year: the review pending at the year's end, the lawsuit upheld.
    assert section_four(session, people, LAST_YEAR) == [[0, 0, 0, 1, 1], [1, 0, 0, 0, 1], [0, 0, 0, 0, 0]]

    page = client.get(url).get_data(as_text=True)
    assert "示范市人民政府" in page and "示范市中级人民法院" in page and "尚未审结" in page
    review = session.scalar(select(Appeal).where(Appeal.kind == "review"))
    decided = post(
        client,
        f"{url}/{review.id}/decision",
        {f"decide{review.id}-result": "corrected", f"decide{review.id}-decided_on": f"{LAST_YEAR}-06-30"},
    )
    assert decided.status_code == 303
    assert section_four(session, people, LAST_YEAR) == [[0, 1, 0, 0, 1], [1, 0, 0, 0, 1], [0, 0, 0, 0, 0]]
    history = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    assert "行政复议：纠正，示范市人民政府" in history


def test_errors_are_beside_the_fields_and_nothing_is_recorded(
    client: FlaskClient, people: People, session: Any
):
    req = replied(session, people)
    login(client, people.officer)
    url = f"/staff/requests/{req.tracking_number}/appeals"
    pending_with_date = post(
        client,
        url,
        {
            "appeal-kind": "review",
            "appeal-filed_on": f"{LAST_YEAR}-04-20",
            "appeal-result": "pending",
            "appeal-decided_on": f"{LAST_YEAR}-05-20",
        },
    )
    assert pending_with_date.status_code == 422
    assert 'id="appeal-decided_on-error"' in pending_with_date.get_data(as_text=True)
    too_early = post(
        client,
        url,
        {"appeal-kind": "review", "appeal-filed_on": f"{LAST_YEAR}-01-02", "appeal-result": "pending"},
    )
    assert too_early.status_code == 422 and "不能早于收到申请之日" in too_early.get_data(as_text=True)
    missing = post(client, url, {"appeal-kind": "review", "appeal-result": "upheld"})
    assert missing.status_code == 422 and 'id="appeal-filed_on-error"' in missing.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Appeal)) == 0


def test_other_agencies_staff_see_nothing(client: FlaskClient, people: People, session: Any):
    req = replied(session, people)
    login(client, people.stranger)
    url = f"/staff/requests/{req.tracking_number}/appeals"
    assert client.get(url).status_code == 404
    body = {"appeal-kind": "review", "appeal-filed_on": f"{LAST_YEAR}-04-20", "appeal-result": "pending"}
    assert post(client, url, body).status_code == 404
    assert session.scalar(select(func.count()).select_from(Appeal)) == 0
