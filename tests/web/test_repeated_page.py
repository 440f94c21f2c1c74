"""多人申请的信息（第四十四条） (/staff/agencies/<code>/repeated-requests, docs/rules.md §Information many ask
for): the request page links a request to a group; the list shows a group once two applicants (by
identity number) asked; the decision is recorded and shown; other agencies' staff find nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient

from tests.factories import People, applicant
from tests.web.conftest import login, post
from webapp.domain.identity import resident_id_check_digit
from webapp.domain.requests import submit
from webapp.models import InformationGroup, Request

NOW = dt.datetime.now(dt.UTC)


def ask(session: Any, people: People, name: str, first17: str) -> Request:
    req, _ = submit(
        session,
        agency=people.agency,
        applicant=applicant(name=name, id_number=first17 + resident_id_check_digit(first17)),
        description="申请公开本年度最低工资标准调整的测算依据",
        delivery="email",
        now=NOW,
    )
    session.commit()
    return req


def test_link_from_the_request_page_then_decide_on_the_list(
    client: FlaskClient, session: Any, people: People
) -> None:
    a = ask(session, people, "张三", "11010519800101001")
    b = ask(session, people, "张三", "11010519800101002")
    login(client, people.officer)
    page = client.get(f"/staff/requests/{a.tracking_number}").get_data(as_text=True)
    assert "多人申请的信息（第四十四条）" in page

    made = post(
        client, f"/staff/requests/{a.tracking_number}/info-group", {"group": "", "title": "最低工资测算依据"}
    )
    assert made.status_code == 302
    group = session.query(InformationGroup).one()
    url = f"/staff/agencies/CITYHR/repeated-requests?year={NOW.year}"
    listing = client.get(url).get_data(as_text=True)
    assert "本年度没有两名以上申请人申请的同一信息" in listing  # one applicant so far

    post(client, f"/staff/requests/{b.tracking_number}/info-group", {"group": str(group.id)})
    listing = client.get(url).get_data(as_text=True)
    assert "最低工资测算依据" in listing and "2人" in listing

    refused = post(
        client,
        f"/staff/agencies/CITYHR/repeated-requests/{group.id}/decision?year={NOW.year}",
        {"decision": "publish", "published_where": "", "published_on": ""},
    )
    assert refused.status_code == 422
    assert "请填写公开的位置" in refused.get_data(as_text=True)
    decided = post(
        client,
        f"/staff/agencies/CITYHR/repeated-requests/{group.id}/decision?year={NOW.year}",
        {
            "decision": "publish",
            "published_where": "人社局网站·工资收入栏目",
            "published_on": NOW.date().isoformat(),
        },
    )
    assert decided.status_code == 303
    listing = client.get(url).get_data(as_text=True)
    assert "人社局网站·工资收入栏目" in listing and "刘经办" in listing
    english = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Information asked for by several applicants (Art. 44)" in english
    assert "Publish proactively" in english and "纳入主动公开" not in english


def test_other_agencies_staff_find_nothing(client: FlaskClient, session: Any, people: People) -> None:
    a = ask(session, people, "张三", "11010519800101001")
    login(client, people.stranger_head)
    assert client.get("/staff/agencies/CITYHR/repeated-requests").status_code == 404
    refused = post(client, f"/staff/requests/{a.tracking_number}/info-group", {"title": "x"})
    assert refused.status_code == 404
    assert session.query(InformationGroup).count() == 0
