"""The staff queue's page: filters and order kept in the URL, the assignee column, saved views, bulk
actions (each request its own transaction and history event, failures reported per row), exports of the
view and of a selection (read back with openpyxl), and the navigation's badges."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import People, applicant
from tests.web.conftest import login, post
from webapp.domain.calendar import china_today
from webapp.domain.requests import act, submit
from webapp.models import Event, InboundEmail, Request, SavedView


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def letter(session: Any, people: People, name: str, channel: str = "letter", days_ago: int = 0) -> Request:
    req, _ = submit(
        session,
        agency=people.agency,
        applicant=applicant(name=name),
        description=f"{name}申请公开预算",
        delivery="email",
        now=now(),
        channel=channel,
        received_on=china_today(now()) - dt.timedelta(days=days_ago),
        registered_by=people.officer,
        require_late_reason=False,
    )
    return req


def numbers(html: str) -> list[str]:
    return re.findall(r'href="/staff/requests/([^"]+)"', html)


def test_filters_and_order_are_in_the_url_and_the_assignee_is_a_column(client: FlaskClient, people, session):
    a = letter(session, people, "王五", "email", 3)
    b = letter(session, people, "李四", "email", 1)
    c = letter(session, people, "张三", "fax", 2)
    act(session, b, "assign", people.officer, now=now(), assignee=people.officer2.email)
    session.commit()
    login(client, people.officer)
    html = client.get("/staff/queue?channel=email&sort=-received_on").get_data(as_text=True)
    assert numbers(html) == [b.tracking_number, a.tracking_number]
    assert '<option selected value="email">' in html or 'value="email" selected' in html
    assert people.officer2.name in html and "未指派" in html  # the assignee column
    html = client.get("/staff/queue?sort=applicant").get_data(as_text=True)
    assert numbers(html) == [c.tracking_number, b.tracking_number, a.tracking_number]  # 张 李 王
    # the column headers keep the filters and change the order
    assert 'href="/staff/queue?channel=email&amp;sort=applicant"' in client.get(
        "/staff/queue?channel=email"
    ).get_data(as_text=True)
    html = client.get(f"/staff/queue?assignee={people.officer2.email}").get_data(as_text=True)
    assert numbers(html) == [b.tracking_number]
    html = client.get("/staff/queue?assignee=none&received_from=2000-01-01&channel=fax").get_data(
        as_text=True
    )
    assert numbers(html) == [c.tracking_number]


def test_a_view_is_saved_listed_and_deleted_by_its_owner_only(client: FlaskClient, people, session):
    login(client, people.officer)
    r = post(client, "/staff/queue/views", {"name": "电子邮件来的", "query": "channel=email&cursor=x&evil=1"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/queue?channel=email")
    view = session.execute(select(SavedView)).scalar_one()
    assert (view.name, view.query, view.user_id) == ("电子邮件来的", "channel=email", people.officer.id)
    html = client.get("/staff/queue").get_data(as_text=True)
    assert "电子邮件来的" in html and "我的逾期" in html and "本周到期" in html
    assert post(client, "/staff/queue/views", {"name": "", "query": "channel=fax"}).status_code == 302
    assert session.execute(select(SavedView)).scalars().all() == [view]  # a view needs a name
    post(client, "/staff/logout")
    login(client, people.officer2)
    assert post(client, f"/staff/queue/views/{view.id}/delete").status_code == 404
    assert "电子邮件来的" not in client.get("/staff/queue").get_data(as_text=True)
    post(client, "/staff/logout")
    login(client, people.officer)
    assert post(client, f"/staff/queue/views/{view.id}/delete").status_code == 302
    assert session.execute(select(SavedView)).scalars().all() == []


def test_bulk_assign_is_one_event_per_request_and_reports_the_ones_it_could_not_do(
    client: FlaskClient, people, session
):
    reqs = [letter(session, people, f"申请人{i}") for i in range(3)]
    done = letter(session, people, "已办结")
    act(session, done, "reply", people.officer, now=now(), outcome="disclosed")
    theirs, _ = submit(
        session,
        agency=people.other_agency,
        applicant=applicant(),
        description="别的机关",
        delivery="email",
        now=now(),
        channel="letter",
        received_on=china_today(now()),
        registered_by=people.stranger,
        require_late_reason=False,
    )
    session.commit()
    login(client, people.officer)
    picked = [r.tracking_number for r in reqs] + [done.tracking_number, theirs.tracking_number]
    r = post(
        client,
        "/staff/queue/bulk",
        {"action": "assign", "assignee": people.officer2.email, "n": picked, "back": "sort=applicant"},
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/staff/queue?sort=applicant")
    html = client.get("/staff/queue").get_data(as_text=True)
    assert "已办理 3 件（共选 5 件）" in html
    assert f"{done.tracking_number} 未能办理" in html
    assert "1 件申请不存在" in html and theirs.tracking_number not in html
    for req in reqs:
        session.refresh(req)
        assert req.assignee_id == people.officer2.id
        assigned = [e for e in req.events if e.type == "assigned"]
        assert len(assigned) == 1 and assigned[0].actor_id == people.officer.id
    session.refresh(theirs)
    assert theirs.assignee_id is None
    r = post(client, "/staff/queue/bulk", {"action": "comment", "note": "本周内处理", "n": picked[:2]})
    notes = session.execute(select(Event).where(Event.type == "commented")).scalars().all()
    assert sorted(e.request_id for e in notes) == sorted(r.id for r in reqs[:2])


def test_the_view_exports_as_xlsx_and_csv_in_its_order(client: FlaskClient, people, session):
    a = letter(session, people, "=HYPERLINK(1)", "email", 2)
    b = letter(session, people, "李四", "email", 1)
    letter(session, people, "张三", "fax", 1)
    session.commit()
    login(client, people.officer)
    r = client.get("/staff/queue/export.xlsx?channel=email&sort=-received_on")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["申请编号", "机关", "申请人"] and rows[0][-1] == "经办人"
    assert [row[0] for row in rows[1:]] == [b.tracking_number, a.tracking_number]
    assert rows[2][2] == "'=HYPERLINK(1)"  # never a formula
    assert rows[1][4] == "电子邮件"
    assert client.get("/staff/queue/export.pdf").status_code == 404
    r = client.get("/staff/queue/export.csv?channel=fax")
    lines = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert lines[0][0] == "申请编号" and len(lines) == 2 and lines[1][2] == "张三"
    r = post(client, "/staff/queue/bulk", {"action": "export_xlsx", "n": [b.tracking_number]})
    sheet = load_workbook(io.BytesIO(r.data)).active
    assert [row[0].value for row in sheet.iter_rows()][1:] == [b.tracking_number]


def test_badges_show_pending_mail_and_approvals(client: FlaskClient, people, session):
    session.add(
        InboundEmail(
            agency_id=people.agency.id,
            message_key="<x@y>",
            sha256="0" * 64,
            from_address="a@b.cn",
            subject="自动回复",
            raw_key="x.eml",
            status="review",
            reason="auto_submitted",
            skipped_attachments=[],
            received_at=now(),
        )
    )
    req = letter(session, people, "王五")
    act(session, req, "propose_extension", people.officer, now=now(), days=10, reason="需要调查")
    session.commit()
    login(client, people.officer)
    html = client.get("/staff/queue").get_data(as_text=True)
    assert re.search(
        r'邮件与通知<span class="nav-badge"[^>]*><span class="visually-hidden">待审核的来信</span>1</span>',
        html,
    )
    post(client, "/staff/logout")
    login(client, people.head)
    html = client.get("/staff/queue").get_data(as_text=True)
    assert re.search(
        r'延期审批<span class="nav-badge"[^>]*><span class="visually-hidden">待审批</span>1</span>', html
    )
