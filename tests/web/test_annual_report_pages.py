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
CONFIRMED = {"reviewed": "1", "accept_empty": "1"}  # the confirmation page's boxes ticked


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
    signed = post(client, EDITOR + "/sign-off" + args(year), CONFIRMED)
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
    assert post(client, EDITOR + "/sign-off" + args(year), CONFIRMED).status_code == 302
    html = client.get(EDITOR + args(year)).get_data(as_text=True)
    assert "撤回更正" in html and "更正说明" in html
    assert post(client, EDITOR + "/correction" + args(year), {"reason": " "}).status_code == 422
    answer = post(client, EDITOR + "/correction" + args(year), {"reason": "附表数字录入有误。"})
    assert answer.status_code == 302
    html = client.get(EDITOR + args(year)).get_data(as_text=True)
    assert "更正中：附表数字录入有误。" in html and "签发更正版本" in html and "readonly" not in html
    assert post(client, EDITOR + "/sign-off" + args(year), CONFIRMED).status_code == 302
    html = client.get(EDITOR + args(year)).get_data(as_text=True)
    assert "第2版，更正说明：附表数字录入有误。" in html and "readonly" in html
    post(client, "/staff/logout")
    public = client.get("/agencies/CITYHR/annual-reports").get_data(as_text=True)
    assert public.count(f"{year}年政府信息公开工作年度报告") == 1  # the current version, once
    assert "已更正" in public and "（原版本签发于" in public and "更正说明：附表数字录入有误。" in public
    assert f"/api/v1/public/annual-reports/CITYHR/{year}/2021.pdf" in public
    old = f"/api/v1/public/annual-reports/CITYHR/{year}/2021/versions/1.html"
    assert old in public and client.get(old).status_code == 200


def test_sign_off_is_confirmed_on_a_page_listing_what_is_published(
    session: Any, client: FlaskClient, people: People
):
    """The button leads to a confirmation page, not to the sign-off: it names what is frozen and
    published, warns of the sections still the system's draft and of 五 left empty; the sign-off needs
    the review ticked and the empty section acknowledged, each refusal naming its box."""
    now = dt.datetime.now(dt.UTC)
    year = china_today(now).year - 1
    make_request(session, now, people.agency, received_on=dt.date(year, 4, 1), officer=people.officer)
    session.commit()
    login(client, people.head)
    editor = client.get(EDITOR + args(year)).get_data(as_text=True)
    assert 'method="get" action="/staff/reports/annual/sign-off"' in editor and "签发并公开…" in editor
    page = client.get(EDITOR + "/sign-off" + args(year))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "签发后将冻结并公开" in html and "/agencies/CITYHR/annual-reports" in html
    assert "以下部分为空白，将按空白公开：五、政府信息公开工作存在的主要问题及改进情况" in html
    assert "以下部分仍是系统草稿，本机关未作修改：一、总体情况、三、收到和处理政府信息公开申请情况" in html
    assert 'name="accept_empty"' in html and 'name="reviewed"' in html
    scope = annual.report_scope(session, ["CITYHR"])
    for data, missing in (({}, "请确认已审阅报告全文和表格"), ({"reviewed": "1"}, "请确认知悉空白部分")):
        refused = post(client, EDITOR + "/sign-off" + args(year), data)
        assert refused.status_code == 422 and missing in refused.get_data(as_text=True)
        assert annual.publication_status(session, scope, year, "2021") is None
    # with 五 written, only the review is asked
    post(
        client,
        EDITOR + "/texts" + args(year),
        {"text-problems": "一是工作力量较为薄弱。", "orig-problems": ""},
    )
    html = client.get(EDITOR + "/sign-off" + args(year)).get_data(as_text=True)
    assert "为空白" not in html and 'name="accept_empty"' not in html
    assert post(client, EDITOR + "/sign-off" + args(year), {"reviewed": "1"}).status_code == 302
    assert annual.publication_status(session, scope, year, "2021") is not None


def test_a_year_not_ended_offers_no_sign_off_and_a_refusal_shows_the_report_again(
    session: Any, client: FlaskClient, people: People
):
    this_year = china_today(dt.datetime.now(dt.UTC)).year
    login(client, people.head)
    html = client.get(EDITOR + args(this_year)).get_data(as_text=True)
    reason = f"{this_year}年度尚未结束，{this_year + 1}年1月1日起才能签发。"
    assert reason in html and 'disabled aria-describedby="sign-reason"' in html
    for answer in (
        client.get(EDITOR + "/sign-off" + args(this_year)),
        post(client, EDITOR + "/sign-off" + args(this_year), CONFIRMED),
    ):
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422
        assert "一、总体情况" in html and 'id="sign-error" role="alert"' in html and reason in html
    # signed off already: the report again, the reason beside where the button was
    year = this_year - 1
    assert post(client, EDITOR + "/sign-off" + args(year), CONFIRMED).status_code == 302
    again = post(client, EDITOR + "/sign-off" + args(year), CONFIRMED)
    assert again.status_code == 409 and "年度报告已签发，不能再修改" in again.get_data(as_text=True)
    assert "一、总体情况" in again.get_data(as_text=True)


def test_the_public_finds_the_annual_reports_from_the_home_page(
    session: Any, client: FlaskClient, people: People
):
    """The home page, the public navigation and the answers page link the index of every agency's
    reports, which links each agency's page with its latest year."""
    home = client.get("/").get_data(as_text=True)
    assert home.count('href="/annual-reports"') == 2  # the navigation and the home page's section
    assert "查阅各机关的政府信息公开工作年度报告" in home
    assert 'href="/annual-reports"' in client.get("/answers").get_data(as_text=True)
    index = client.get("/annual-reports")
    assert index.status_code == 200
    html = index.get_data(as_text=True)
    assert 'href="/agencies/CITYHR/annual-reports"' in html and "尚未公开年度报告" in html
    year = china_today(dt.datetime.now(dt.UTC)).year - 1
    login(client, people.head)
    assert post(client, EDITOR + "/sign-off" + args(year), CONFIRMED).status_code == 302
    post(client, "/staff/logout")
    html = client.get("/annual-reports").get_data(as_text=True)
    assert f"已公开1份，最新为{year}年度" in html
    page = client.get("/agencies/CITYHR/annual-reports").get_data(as_text=True)
    assert 'aria-current="page"' in page and 'href="/annual-reports"' in page
