"""The officers' and heads' pages through the test client: registering, the queue with its marks, filters
and search, the request page's action forms (exactly those the state allows), conflicts, approvals."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import VALID_RESIDENT_ID, People, applicant
from tests.web.conftest import login, post
from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.requests import act, submit
from webapp.domain.states import Status
from webapp.models import Request


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def letter(session: Any, people: People, *, received_on: dt.date | None = None, **kw: Any) -> Request:
    moment = now()
    description = kw.pop("description", "申请公开2025年度部门预算")
    req, _ = submit(
        session,
        agency=people.agency,
        applicant=applicant(**kw),
        description=description,
        delivery="email",
        now=moment,
        channel="letter",
        received_on=received_on or china_today(moment),
        registered_by=people.officer,
        require_late_reason=False,
    )
    return req


def offered(html: str) -> list[str]:
    """The actions whose forms the request page offers, by the URL each form posts to."""
    return re.findall(r'action="/staff/requests/[^/"]+/actions/([a-z_]+)"', html)


def registration(**overrides: Any) -> dict[str, Any]:
    form = {
        "agency": "CITYHR",
        "channel": "letter",
        "received_on": china_today(now()).isoformat(),
        "applicant_type": "natural_person",
        "name": "李四",
        "id_kind": "resident_id",
        "id_number": VALID_RESIDENT_ID,
        "address": "示范市人民路1号",
        "description": "申请公开2025年度部门预算",
        "delivery": "post",
    }
    form.update(overrides)
    return form


def test_registering_a_letter(client: FlaskClient, people: People, session):
    login(client, people.officer)
    received = china_today(now()) - dt.timedelta(days=3)
    response = post(client, "/staff/register", registration(received_on=received.isoformat()))
    assert response.status_code == 302 and response.location == "/staff/register/receipt"
    req = session.scalars(select(Request).order_by(Request.id.desc())).first()
    assert (req.channel, req.received_on, req.registered_by_id) == ("letter", received, people.officer.id)
    html = client.get("/staff/register/receipt").get_data(as_text=True)
    assert req.tracking_number in html and 'id="access-code"' in html
    assert f'href="/staff/requests/{req.tracking_number}"' in html


def test_registration_errors_are_beside_the_fields(client: FlaskClient, people: People):
    login(client, people.officer)
    tomorrow = china_today(now()) + dt.timedelta(days=1)
    response = post(client, "/staff/register", registration(received_on=tomorrow.isoformat()))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="received_on-error">.*日期不能晚于今天', html)
    response = post(client, "/staff/register", registration(received_on="2024-13-40", channel="online"))
    html = response.get_data(as_text=True)
    assert re.search(r'id="received_on-error">.*请输入有效日期', html)
    assert re.search(r'id="channel-error">.*请从列表中选择', html)  # online is the citizen's own form
    response = post(client, "/staff/register", registration(agency="CITYENV"))
    assert re.search(r'id="agency-error">.*请从列表中选择', response.get_data(as_text=True))


def test_the_queue_marks_overdue_and_due_soon_and_counts_working_days(
    client: FlaskClient, people: People, session
):
    today = china_today(now())
    cal = current_calendar(session)
    late = letter(session, people, received_on=today - dt.timedelta(days=60), name="逾期人")
    soon_received = today
    while cal.count_wd(today, cal.add_wd(soon_received, 20)) > 2:
        soon_received -= dt.timedelta(days=1)
    soon = letter(session, people, received_on=soon_received, name="将到期人")
    fresh = letter(session, people, name="新申请人")
    session.commit()
    login(client, people.officer)
    html = client.get("/staff/queue").get_data(as_text=True)
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<tr class="[^"]*">.*?href="/staff/requests/([^"]+)".*?</tr>', html, re.S)
    }
    assert "is-overdue" in rows[late.tracking_number] and "已逾期" in rows[late.tracking_number]
    assert "is-soon" in rows[soon.tracking_number] and "即将到期" in rows[soon.tracking_number]
    left = cal.count_wd(today, fresh.due_on)
    assert re.search(rf"剩余工作日[^<]*\"><div>\s*{left}\s*</div>", rows[fresh.tracking_number])
    assert list(rows) == [late.tracking_number, soon.tracking_number, fresh.tracking_number]  # by due date
    only_late = client.get("/staff/queue?overdue=y").get_data(as_text=True)
    assert late.tracking_number in only_late and fresh.tracking_number not in only_late


def test_search_by_number_name_or_text(client: FlaskClient, people: People, session):
    a = letter(session, people, name="欧阳修", description="申请公开河道整治工程的环评批复")
    b = letter(session, people, name="王安石", description="申请公开新法实施细则")
    session.commit()
    login(client, people.officer)

    def found(q: str, page: str = "/staff/queue") -> set[str]:
        html = client.get(page, query_string={"q": q}).get_data(as_text=True)
        return set(re.findall(r'href="/staff/requests/([^"]+)"', html))

    assert found(a.tracking_number) == {a.tracking_number}
    assert found(a.tracking_number[-6:]) == {a.tracking_number}
    assert found("欧阳") == {a.tracking_number}
    assert found("新法") == {b.tracking_number}
    assert found("100%_") == set()  # LIKE's wildcards are plain text
    act(session, b, "close", people.officer, now=now(), outcome="closed_other")
    session.commit()
    assert found("新法") == set()  # the queue is open requests
    assert found("新法", "/staff/requests") == {b.tracking_number}  # every request, finished too


def test_the_queue_pages_with_a_cursor(client: FlaskClient, people: People, session):
    for i in range(27):
        letter(session, people, name=f"申请人{i}")
    session.commit()
    login(client, people.officer)
    html = client.get("/staff/queue").get_data(as_text=True)
    first = re.findall(r'href="/staff/requests/([^"]+)"', html)
    assert len(first) == 25
    next_url = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    html = client.get(next_url).get_data(as_text=True)
    second = re.findall(r'href="/staff/requests/([^"]+)"', html)
    assert len(second) == 2 and not set(first) & set(second)
    assert 'rel="next"' not in html and "第一页" in html
    assert client.get("/staff/queue?cursor=garbage").status_code == 422


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        ("received", "officer", ["accept", "request_correction", "start_consultation", "request_fee",
                                 "request_reasons", "consult_agency", "propose_extension", "reply", "assign",
                                 "comment", "close", "correct_applicant"]),
        ("received", "head", ["accept", "request_correction", "start_consultation", "request_fee",
                              "request_reasons", "consult_agency", "extend", "reply", "assign", "comment",
                              "close", "correct_applicant"]),
        ("awaiting_correction", "officer", ["receive_correction", "assign", "comment", "close",
                                            "correct_applicant"]),
        ("replied", "officer", ["comment", "correct_applicant"]),
        ("replied", "head", ["comment", "correct_applicant"]),
    ],
)  # fmt: skip
def test_the_request_page_offers_exactly_the_forms_the_state_allows(
    client: FlaskClient, people: People, session, status: str, role: str, expected: list[str]
):
    req = letter(session, people)
    if status == "awaiting_correction":
        act(session, req, "request_correction", people.officer, now=now(), items="x", period_days=5)
    elif status == "replied":
        act(session, req, "reply", people.officer, now=now(), outcome="disclosed")
    session.commit()
    login(client, getattr(people, role))
    html = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    assert offered(html) == expected


def test_an_action_through_its_form(client: FlaskClient, people: People, session):
    req = letter(session, people)
    session.commit()
    login(client, people.officer)
    path = f"/staff/requests/{req.tracking_number}/actions/request_correction"
    response = post(
        client,
        path,
        {
            "request_correction-version": str(req.version),
            "request_correction-items": "",
            "request_correction-period_days": "99",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="request_correction-items-error">.*必填', html)
    assert re.search(r'id="request_correction-period_days-error">.*应为1至30之间的整数', html)
    assert 'id="action-request_correction" open' in html  # the failed form stays open
    response = post(
        client,
        path,
        {
            "request_correction-version": str(req.version),
            "request_correction-items": "请写明年度",
            "request_correction-period_days": "10",
        },
    )
    assert response.status_code == 302
    session.refresh(req)
    assert req.status == Status.AWAITING_CORRECTION and req.events[-1].note == "请写明年度"
    assert "已办理：告知补正" in client.get(response.location).get_data(as_text=True)


def test_a_stale_form_is_refused_with_a_conflict(client: FlaskClient, people: People, session):
    req = letter(session, people)
    session.commit()
    stale = str(req.version)
    login(client, people.officer)
    assert (
        post(
            client, f"/staff/requests/{req.tracking_number}/actions/accept", {"accept-version": stale}
        ).status_code
        == 302
    )
    response = post(
        client,
        f"/staff/requests/{req.tracking_number}/actions/comment",
        {"comment-version": stale, "comment-note": "x"},
    )
    assert response.status_code == 409
    assert "该申请已被他人修改，请刷新后重试" in response.get_data(as_text=True)
    session.refresh(req)
    assert [e.type for e in req.events] == ["submitted", "accepted"]


def test_an_action_the_state_does_not_allow_is_refused(client: FlaskClient, people: People, session):
    req = letter(session, people)
    session.commit()
    login(client, people.officer)
    response = post(client, f"/staff/requests/{req.tracking_number}/actions/end_consultation")
    assert response.status_code == 409
    assert "不能结束征求意见" in response.get_data(as_text=True)
    response = post(
        client,
        f"/staff/requests/{req.tracking_number}/actions/extend",
        {"extend-days": "5", "extend-reason": "x"},
    )
    assert response.status_code == 403  # only a head extends
    assert post(client, f"/staff/requests/{req.tracking_number}/actions/no_such").status_code == 404
    session.refresh(req)
    assert len(req.events) == 1


def test_the_request_page_explains_the_due_date(client: FlaskClient, people: People, session):
    req = letter(session, people, received_on=dt.date(2024, 6, 3))
    session.commit()
    login(client, people.officer)
    html = client.get(f"/staff/requests/{req.tracking_number}").get_data(as_text=True)
    assert "自2024年6月3日次日起算20个工作日，至2024年7月2日" in html
    assert "跳过的节假日" in html and "2024年6月10日（端午节）" in html


def test_the_head_approves_and_declines_proposals(client: FlaskClient, people: People, session):
    first, second = letter(session, people), letter(session, people)
    for req in (first, second):
        act(session, req, "propose_extension", people.officer, now=now(), days=5, reason="档案在外地")
    session.commit()
    due = first.due_on
    login(client, people.head)
    html = client.get("/staff/approvals").get_data(as_text=True)
    assert (
        f'id="proposal-{first.tracking_number}"' in html and f'id="proposal-{second.tracking_number}"' in html
    )
    assert "档案在外地" in html
    response = post(
        client, f"/staff/approvals/{first.tracking_number}/approve", {"version": str(first.version)}
    )
    assert response.status_code == 302
    response = post(
        client, f"/staff/approvals/{second.tracking_number}/decline", {"decline-note": "请先调档"}
    )
    assert response.status_code == 302
    session.refresh(first)
    session.refresh(second)
    assert first.extended_days == 5 and first.due_on == current_calendar(session).add_wd(due, 5)
    assert second.extended_days == 0 and second.events[-1].type == "extension_declined"
    assert "没有待审批的延期申请" in client.get("/staff/approvals").get_data(as_text=True)
    # Approving again: nothing is pending.
    response = post(client, f"/staff/approvals/{first.tracking_number}/approve")
    assert response.status_code == 409 and "没有待审批的延期申请" in response.get_data(as_text=True)


def test_the_reports_page_shows_annex_two(client: FlaskClient, people: People, session):
    letter(session, people)
    session.commit()
    login(client, people.head)
    year = china_today(now()).year
    html = client.get(f"/staff/reports?agency=CITYHR&year={year}&form=2013").get_data(as_text=True)
    assert "申请总数" in html and "依申请公开信息目录数" in html
    response = client.get(f"/staff/reports/export.csv?agency=CITYHR&year={year}&form=2013")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert client.get(f"/staff/reports?agency=CITYENV&year={year}").status_code == 403
    assert client.get("/staff/reports/annex-two.css").mimetype == "text/css"


def test_the_head_signs_off_the_years_snapshot_on_the_reports_page(
    client: FlaskClient, people: People, session
):
    from webapp.domain.reports import create_snapshot

    year = china_today(now()).year - 1
    snapshot = create_snapshot(session, people.agency, year, "2021", actor=None, now=now())
    session.commit()
    page = f"/staff/reports?agency=CITYHR&year={year}&form=2021"
    login(client, people.officer)
    assert client.get(page).status_code == 403  # officers see no reports
    assert post(client, f"/staff/reports/snapshots/{snapshot.id}/sign-off").status_code == 403
    post(client, "/staff/logout")
    login(client, people.head)
    html = client.get(page).get_data(as_text=True)
    assert "尚未经负责人签发" in html and "签发此快照" in html
    response = post(
        client, f"/staff/reports/snapshots/{snapshot.id}/sign-off?agency=CITYHR&year={year}&form=2021"
    )
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "签发此快照" not in html and f"已由{people.head.name}于" in html
    assert snapshot.signed_off_by_id == people.head.id
    # once only, and never another agency's
    again = post(client, f"/staff/reports/snapshots/{snapshot.id}/sign-off")
    assert again.status_code == 409
    assert post(client, "/staff/reports/snapshots/999999/sign-off").status_code == 404


def test_officers_see_mail_to_review_and_dismiss_it(client: FlaskClient, people: People, session):
    from webapp.models import InboundEmail

    def inbound(agency: Any, subject: str) -> InboundEmail:
        row = InboundEmail(
            agency_id=agency.id,
            message_key=f"<{subject}@example.cn>",
            sha256="0" * 64,
            from_address="mailer-daemon@example.cn",
            subject=subject,
            raw_key=f"{subject}.eml",
            status="review",
            reason="bounce",
            skipped_attachments=[],
            received_at=now(),
        )
        session.add(row)
        return row

    ours, theirs = inbound(people.agency, "退信：无法投递"), inbound(people.other_agency, "别的机关的退信")
    session.commit()
    login(client, people.officer)
    html = client.get("/staff/mail").get_data(as_text=True)
    assert "退信：无法投递" in html and "别的机关的退信" not in html
    assert "没有发送失败的通知" in html
    assert post(client, f"/staff/mail/{theirs.id}/dismiss").status_code == 404
    assert post(client, f"/staff/mail/{ours.id}/dismiss").status_code == 302
    assert ours.status == "dismissed" and ours.reviewed_by_id == people.officer.id
    assert "退信：无法投递" not in client.get("/staff/mail").get_data(as_text=True)
