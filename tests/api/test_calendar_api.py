"""POST /api/v1/calendar/notices (docs/api.md §Holiday notices): the platform administrator's reading of
a holiday notice, compared with the stored calendar, and with apply=true stored and confirmed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.api.conftest import World
from tests.factories import make_user
from webapp.domain.accounts import issue_token
from webapp.domain.calendar import current_calendar
from webapp.models import CalendarOverride, CalendarYear

NOTICES = Path(__file__).resolve().parents[1] / "data" / "holiday_notices"
URL = "/api/v1/calendar/notices"


def platform_headers(session: Any) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    root = make_user(session, now, None, "admin", "root@platform.example")
    token = issue_token(session, root, now=now)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def overrides(session: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(CalendarOverride)))


def test_the_2026_notice_is_read_without_changing_anything(client: FlaskClient, world: World, session: Any):
    headers = platform_headers(session)
    text = (NOTICES / "2026.txt").read_text(encoding="utf-8")
    response = client.post(URL, json={"text": text}, headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert sorted(body) == ["changes", "holidays", "workdays", "year"]
    assert body["year"] == 2026 and body["changes"] == []
    assert body["holidays"][:3] == ["2026-01-01", "2026-01-02", "2026-01-03"] and len(body["holidays"]) == 33
    assert body["workdays"] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    assert session.get(CalendarYear, 2026) is None and overrides(session) == 0


def test_apply_true_stores_the_difference_and_confirms_the_year(
    client: FlaskClient, world: World, session: Any
):
    headers = platform_headers(session)
    # 2027's arrangement is not in the package: a notice in its style, given the year.
    text = (
        "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
        "二、春节：2月6日至12日放假调休，共7天。2月20日（周六）上班。\n"
        "三、国庆节：10月1日（周五）至3日（周日）放假，共3天。"
    )
    preview = client.post(URL, json={"text": text, "year": 2027}, headers=headers).json
    # 元旦 (1 January, a date the law fixes) is a day off already: the difference is 春节's
    assert [c["day"] for c in preview["changes"]] == [
        "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-20"
    ]  # fmt: skip
    assert preview["changes"][0] == {
        "day": "2027-02-08",
        "stored": "workday",
        "notice": "day_off",
        "name": "春节",
    }
    assert session.get(CalendarYear, 2027) is None
    applied = client.post(f"{URL}?apply=true", json={"text": text, "year": 2027}, headers=headers)
    assert applied.status_code == 200 and applied.json["changes"] == preview["changes"]
    session.expire_all()
    assert session.get(CalendarYear, 2027) is not None and overrides(session) == 6
    again = client.post(URL, json={"text": text, "year": 2027}, headers=headers).json
    assert again["changes"] == []
    # the year confirmed, 元旦 stays a day off
    assert not current_calendar(session).is_workday(dt.date(2027, 1, 1))


def test_who_may_and_bad_input(client: FlaskClient, world: World, session: Any):
    text = (NOTICES / "2025.txt").read_text(encoding="utf-8")
    assert client.post(URL, json={"text": text}).status_code == 401
    for who in (world.officer, world.head, world.admin):  # an agency's administrator too
        answer = client.post(f"{URL}?apply=true", json={"text": text}, headers=who.headers)
        assert answer.status_code == 403
    assert session.get(CalendarYear, 2025) is None
    headers = platform_headers(session)
    for body, field in [
        ({"text": "一、元旦：1月1日放假。"}, "year"),
        ({"text": text, "year": 2024}, "year"),
        ({"text": "放假安排另行通知", "year": 2026}, "text"),
        ({"text": ""}, "text"),
        ({}, "text"),
        ({"text": text, "colour": 1}, "colour"),
    ]:
        answer = client.post(f"{URL}?apply=true", json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.json)
        assert field in answer.json["error"]["fields"], answer.json
    assert session.get(CalendarYear, 2025) is None and overrides(session) == 0
