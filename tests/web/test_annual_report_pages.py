"""The annual report's pages (docs/rules.md §The annual report): the editor of heads and administrators —
only what the office changed is kept as its text, a section goes back to the draft, the head signs off —
and the agency's public list, without login."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient

from tests.factories import People, make_request
from tests.web.conftest import login, post
from webapp.domain.calendar import china_today
from webapp.domain.reports import annual

EDITOR = "/staff/reports/annual"


def args(year: int) -> str:
    return f"?agency=CITYHR&year={year}&form=2021"


def test_the_editor_keeps_only_what_the_office_changed(session: Any, client: FlaskClient, people: People):
    now = dt.datetime.now(dt.UTC)
    year = china_today(now).year - 1
    make_request(session, now, people.agency, received_on=dt.date(year, 4, 1), officer=people.officer)
    session.commit()
    login(client, people.head)
    page = client.get(EDITOR + args(year))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "一、总体情况" in html and "六、其他需要报告的事项" in html and "系统草稿" in html
    report = annual.annual_report(session, annual.report_scope(session, ["CITYHR"]), year, "2021")
    drafted = {s["key"]: s["text"] for s in report["sections"] if "text" in s}
    data = {f"text-{k}": v for k, v in drafted.items()} | {f"orig-{k}": v for k, v in drafted.items()}
    data["text-problems"] = "一是工作力量较为薄弱。"
    answer = post(client, EDITOR + "/texts" + args(year), data)
    assert answer.status_code == 302
    row = annual.build.saved_texts(session, annual.report_scope(session, ["CITYHR"]), year)
    assert row is not None and set(row.texts) == {"2021:problems"}
    assert row.texts["2021:problems"]["edited"] is True
    post(client, EDITOR + "/texts" + args(year), {"reset": "problems"})
    session.expire_all()
    assert annual.build.saved_texts(session, annual.report_scope(session, ["CITYHR"]), year).texts == {}
    signed = post(client, EDITOR + "/sign-off" + args(year), {})
    assert signed.status_code == 302
    html = client.get(EDITOR + args(year)).get_data(as_text=True)
    assert "签发并公开" in html and "readonly" in html
    post(client, "/staff/logout")
    public = client.get("/agencies/CITYHR/annual-reports").get_data(as_text=True)
    assert f"{year}年政府信息公开工作年度报告" in public
    assert f"/api/v1/public/annual-reports/CITYHR/{year}/2021.pdf" in public


def test_who_sees_the_editor(client: FlaskClient, people: People):
    login(client, people.officer)
    assert client.get(EDITOR).status_code == 403
    post(client, "/staff/logout")
    assert client.get("/agencies/NOPE/annual-reports").status_code == 404
    assert "尚未公开年度报告" in client.get("/agencies/CITYHR/annual-reports").get_data(as_text=True)


def test_a_corrected_report_shows_its_correction_and_the_original(
    session: Any, client: FlaskClient, people: People
):
    now = dt.datetime.now(dt.UTC)
    year = china_today(now).year - 1
    make_request(session, now, people.agency, received_on=dt.date(year, 4, 1), officer=people.officer)
    session.commit()
    login(client, people.head)
    assert post(client, EDITOR + "/sign-off" + args(year), {}).status_code == 302
    html = client.get(EDITOR + args(year)).get_data(as_text=True)
    assert "撤回更正" in html and "更正说明" in html
    assert post(client, EDITOR + "/correction" + args(year), {"reason": " "}).status_code == 422
    answer = post(client, EDITOR + "/correction" + args(year), {"reason": "附表数字录入有误。"})
    assert answer.status_code == 302
    html = client.get(EDITOR + args(year)).get_data(as_text=True)
    assert "更正中：附表数字录入有误。" in html and "签发更正版本" in html and "readonly" not in html
    assert post(client, EDITOR + "/sign-off" + args(year), {}).status_code == 302
    html = client.get(EDITOR + args(year)).get_data(as_text=True)
    assert "第2版，更正说明：附表数字录入有误。" in html and "readonly" in html
    post(client, "/staff/logout")
    public = client.get("/agencies/CITYHR/annual-reports").get_data(as_text=True)
    assert public.count(f"{year}年政府信息公开工作年度报告") == 1  # the current version, once
    assert "已更正" in public and "（原版本签发于" in public and "更正说明：附表数字录入有误。" in public
    assert f"/api/v1/public/annual-reports/CITYHR/{year}/2021.pdf" in public
    old = f"/api/v1/public/annual-reports/CITYHR/{year}/2021/versions/1.html"
    assert old in public and client.get(old).status_code == 200
