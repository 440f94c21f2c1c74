"""Scenario tests: one request per intake channel walked through a realistic life over the JSON API.

Each request is registered (or, online, submitted by the citizen), accepted, and then asked to
correct (补正), consulted on (征求第三方意见), charged a fee (信息处理费), extended by the head
(延期答复), replied to, closed or withdrawn, as its scenario says. After every step the answer's clock
is checked; at the end the history and the applicant's own view are.

Every expected date below was counted by hand from the State Council's holiday notices
(国务院办公厅关于某年部分节假日安排的通知), as tests/domain/test_deadlines.py does: `add_wd(d, n)` is the
n-th working day strictly after d, and "=k" after a day means "this is the k-th working day counted".
Weekend days made working days (调休上班) are marked "makeup"; weekday holidays are listed where a count
skips them. The notices used (only the parts inside a counted interval):

- 2019 (国办发明电〔2018〕15号, 劳动节 as changed by 国办发明电〔2019〕2号): 劳动节 5/1–5/4 off,
  4/28 Sun and 5/5 Sun work; 端午 6/7–6/9 off.
- 2024 (国办发明电〔2023〕7号): 劳动节 5/1–5/5 off, 4/28 Sun and 5/11 Sat work; 端午 6/8–6/10 off
  (no makeup day).
- 2025 (国办发明电〔2024〕12号): 春节 1/28–2/4 off, 1/26 Sun and 2/8 Sat work; 清明 4/4–4/6 off
  (no makeup day); 国庆、中秋 10/1–10/8 off, 9/28 Sun and 10/11 Sat work.
- 2026 (国办发明电〔2025〕7号): 春节 2/15–2/23 off, 2/14 Sat and 2/28 Sat work.

The online request is submitted today, so its dates cannot be written down in advance: they are counted
in the test, one day at a time, straight from the `chinese_calendar` package (for a year the package does
not cover, its weekends and fixed-date holidays, as docs/rules.md §Deadlines says), not through the
product's calendar.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import chinese_calendar
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api.conftest import Staff, World, citizen_body, staff_body
from tests.factories import VALID_CREDIT_CODE as CREDIT_CODE
from tests.factories import VALID_RESIDENT_ID as RESIDENT_ID
from webapp.domain.calendar import CHINA

D = dt.date
ONE_DAY = dt.timedelta(days=1)
INTERNAL_EVENTS = {"assigned", "commented"}
CLOCK_FIELDS = (
    "status",
    "due_on",
    "remaining_days",
    "wait_ends_on",
    "extended_days",
    "outcome",
    "finished_on",
)


def answer(r: TestResponse, status: int = 200) -> dict[str, Any]:
    """The JSON body of an answer expected with `status`."""
    body = r.get_json()
    assert r.status_code == status, body
    assert isinstance(body, dict)
    return body


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def expect(
    view: dict[str, Any],
    status: str,
    due: dt.date | None,
    *,
    remaining: int | None = None,
    wait: dt.date | None = None,
    extended: int = 0,
    outcome: str | None = None,
    finished: dt.date | None = None,
) -> None:
    """The clock fields of an answer, all at once so a failure shows the whole picture."""
    got = {k: view[k] for k in CLOCK_FIELDS}
    assert got == {
        "status": status,
        "due_on": iso(due),
        "remaining_days": remaining,
        "wait_ends_on": iso(wait),
        "extended_days": extended,
        "outcome": outcome,
        "finished_on": iso(finished),
    }


def expect_created(w: Walk, rules: str, received: dt.date, due: dt.date) -> None:
    """The 201 answer of a registration with a fixed received-on date."""
    assert w.created["status"] == "received"
    assert w.created["rules"] == rules
    assert w.created["received_on"] == received.isoformat()
    assert w.created["due_on"] == due.isoformat()
    assert w.created["due_provisional"] is False
    assert w.view["received_on"] == received.isoformat()


def steps(view: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The due date's explanation: (kind, from, to, working days, weekday holidays skipped, makeup days)."""
    return [
        (
            s["kind"],
            s["from"],
            s["to"],
            s["working_days"],
            [h["date"] for h in s["holidays_skipped"]],
            [m["date"] for m in s["makeup_workdays"]],
        )
        for s in view["due_explanation"]
    ]


def days(*ds: dt.date) -> list[str]:
    return [d.isoformat() for d in ds]


class Walk:
    """One request's life through the API, remembering the last answer (and its version)."""

    def __init__(self, client: FlaskClient, created: dict[str, Any], staff: Staff) -> None:
        self.client = client
        self.created = created
        self.tn: str = created["tracking_number"]
        self.code: str = created["access_code"]
        self.view = self.get(staff)

    @classmethod
    def register(
        cls,
        client: FlaskClient,
        staff: Staff,
        channel: str,
        received_on: dt.date,
        **body: Any,
    ) -> Walk:
        r = client.post(
            "/api/v1/requests",
            json=staff_body(channel=channel, received_on=received_on.isoformat(), **body),
            headers=staff.headers,
        )
        return cls(client, answer(r, 201), staff)

    @property
    def url(self) -> str:
        return f"/api/v1/requests/{self.tn}"

    def get(self, staff: Staff) -> dict[str, Any]:
        return answer(self.client.get(self.url, headers=staff.headers))

    def act(self, staff: Staff, action: str, on: dt.date, **fields: Any) -> dict[str, Any]:
        body = {"action": action, "on": on.isoformat(), "version": self.view["version"], **fields}
        done = answer(self.client.post(f"{self.url}/actions", json=body, headers=staff.headers))
        assert done["version"] > self.view["version"]
        self.view = done
        return self.view

    def refused(
        self, staff: Staff, action: str, on: dt.date, status: int, code: str, field: str, **fields: Any
    ) -> None:
        """An action the rules forbid: the error names the field, and the request does not change."""
        body = {"action": action, "on": on.isoformat(), "version": self.view["version"], **fields}
        error = answer(self.client.post(f"{self.url}/actions", json=body, headers=staff.headers), status)
        assert error["error"]["code"] == code
        assert field in error["error"]["fields"], error
        # Unchanged; allowed_actions differs by the viewer's role (only a head may extend).
        now = {k: v for k, v in self.get(staff).items() if k != "allowed_actions"}
        assert now == {k: v for k, v in self.view.items() if k != "allowed_actions"}

    def applicant(self, path: str = "", body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"X-Access-Code": self.code}
        if body is None:
            r = self.client.get(f"{self.url}{path}", headers=headers)
        else:
            r = self.client.post(f"{self.url}{path}", json=body, headers=headers)
        return answer(r)

    def history(self) -> list[tuple[str, str]]:
        return [(e["type"], e["on"]) for e in self.view["events"]]

    def check_applicant_view(self, *internal_notes: str) -> None:
        """The applicant sees the same clock, the public history only, and no officer's name."""
        mine = self.applicant()
        for key in (*CLOCK_FIELDS, "tracking_number", "channel", "received_on", "rules", "due_provisional"):
            assert mine[key] == self.view[key], key
        public = [e for e in self.view["events"] if e["type"] not in INTERNAL_EVENTS]
        assert len(public) < len(self.view["events"])  # the walk did write internal events
        assert [e["type"] for e in mine["events"]] == [e["type"] for e in public]
        assert [e["on"] for e in mine["events"]] == [e["on"] for e in public]
        for event in mine["events"]:
            assert set(event) == {"at", "on", "type", "note"}  # no actor, no internal flag, no data
        for key in ("applicant", "description", "assignee", "allowed_actions"):
            assert key not in mine
        assert mine["due_explanation"] == self.view["due_explanation"]
        text = json.dumps(mine, ensure_ascii=False)
        for note in internal_notes:
            assert note not in text
        assert "@hr.example" not in text


# --- in person, 2008 rules ---------------------------------------------------------------------------


def test_in_person_2008_rules_correction_consultation_extension(client: FlaskClient, world: World) -> None:
    received = D(2019, 4, 22)  # Mon, before 2019-05-15: the 2008 regulation, 15 working days
    w = Walk.register(client, world.officer, "in_person", received, delivery="pickup")
    # Due add_wd(Apr 22, 15): Apr 23 Tue=1, 24=2, 25=3, 26 Fri=4, Apr 28 Sun makeup=5, 29 Mon=6,
    # 30 Tue=7, May 1–4 劳动节 (weekday holidays May 1 Wed, 2 Thu, 3 Fri), May 5 Sun makeup=8, 6 Mon=9,
    # 7=10, 8=11, 9=12, 10 Fri=13, 13 Mon=14, May 14 Tue=15.
    due = D(2019, 5, 14)
    expect_created(w, "2008", received, due)
    expect(w.view, "received", due)
    assert w.view["channel"] == "in_person"

    expect(w.act(world.officer, "accept", D(2019, 4, 23)), "in_progress", due)
    w.act(world.officer, "assign", D(2019, 4, 23), assignee=world.officer2.user.email)
    expect(w.view, "in_progress", due)
    assert w.view["assignee"] == world.officer2.user.email

    # 2008 rules know no 7-day window for a correction. Asked Apr 24 (Wed) with 10 working days:
    # Apr 25 Thu=1, 26 Fri=2, Apr 28 Sun makeup=3, 29 Mon=4, 30 Tue=5, (May 1–3 劳动节), May 5 Sun makeup=6,
    # 6 Mon=7, 7=8, 8=9, May 9 Thu=10 -> the period ends May 9, lapse on the day after, May 10.
    w.act(
        world.officer2,
        "request_correction",
        D(2019, 4, 24),
        items="请写明所需文件的名称或文号",
        period_days=10,
    )
    expect(w.view, "awaiting_correction", None, wait=D(2019, 5, 10))

    # The applicant brought the correction on May 6 (Mon): 15 working days afresh, May 7 Tue=1, 8=2, 9=3,
    # 10 Fri=4, 13 Mon=5, 14=6, 15=7, 16=8, 17 Fri=9, 20 Mon=10, 21=11, 22=12, 23=13, 24 Fri=14,
    # May 27 Mon=15. The request keeps the 2008 rules although the count runs past 2019-05-15.
    due = D(2019, 5, 27)
    expect(w.act(world.officer2, "receive_correction", D(2019, 5, 6)), "in_progress", due)

    # Consultation from May 13 (Mon). Remaining = working days in (May 13, May 27]: May 14 Tue=1, 15=2,
    # 16=3, 17 Fri=4, 20 Mon=5, 21=6, 22=7, 23=8, 24 Fri=9, May 27 Mon=10 -> 10 (= 15 − the 5 counted,
    # May 7, 8, 9, 10, 13). The 2008 regulation sets the third party no limit: no wait_ends_on.
    w.act(world.officer2, "start_consultation", D(2019, 5, 13), party="某科技有限公司")
    expect(w.view, "consulting", None, remaining=10)
    w.act(world.officer2, "comment", D(2019, 5, 20), note="内部备注：第三方电话称下周书面答复")
    expect(w.view, "consulting", None, remaining=10)

    # Resumed May 31 (Fri): add_wd(May 31, 10) = Jun 3 Mon=1, 4=2, 5=3, 6 Thu=4, Jun 7 Fri 端午 (skipped),
    # Jun 10 Mon=5, 11=6, 12=7, 13=8, 14 Fri=9, Jun 17 Mon=10.
    due = D(2019, 6, 17)
    expect(w.act(world.officer2, "end_consultation", D(2019, 5, 31)), "in_progress", due)

    # No information processing fee under the 2008 regulation; an officer may not extend; at most 15 days.
    w.refused(
        world.officer2,
        "request_fee",
        D(2019, 6, 3),
        409,
        "illegal_transition",
        "action",
        basis="per_page",
        pages=31,
    )
    w.refused(
        world.officer2, "extend", D(2019, 6, 14), 403, "forbidden", "action", days=5, reason="需要更多时间"
    )
    w.refused(
        world.head, "extend", D(2019, 6, 14), 422, "validation_error", "days", days=16, reason="材料较多"
    )

    # The head extends by 15 on Jun 14 (before the deadline Jun 17): add_wd(Jun 17, 15) = Jun 18 Tue=1,
    # 19=2, 20=3, 21 Fri=4, 24 Mon=5, 25=6, 26=7, 27=8, 28 Fri=9, Jul 1 Mon=10, 2=11, 3=12, 4=13, 5 Fri=14,
    # Jul 8 Mon=15.
    final_due = D(2019, 7, 8)
    w.act(world.head, "extend", D(2019, 6, 14), days=15, reason="需对大量档案进行检索")
    expect(w.view, "in_progress", final_due, extended=15)
    w.refused(
        world.head, "extend", D(2019, 6, 17), 409, "illegal_transition", "action", days=1, reason="再延"
    )

    w.act(
        world.officer2,
        "reply",
        D(2019, 7, 5),
        outcome="partially_disclosed",
        note="部分涉及个人隐私",
        withheld=[{"part": "职工个人信息", "basis": "withheld_third_party"}],
    )
    expect(
        w.view,
        "replied",
        final_due,
        extended=15,
        outcome="partially_disclosed",
        finished=D(2019, 7, 5),
    )
    assert w.view["overdue"] is False

    assert w.history() == [
        ("submitted", "2019-04-22"),
        ("accepted", "2019-04-23"),
        ("assigned", "2019-04-23"),
        ("correction_requested", "2019-04-24"),
        ("correction_received", "2019-05-06"),
        ("consultation_started", "2019-05-13"),
        ("commented", "2019-05-20"),
        ("consultation_ended", "2019-05-31"),
        ("extended", "2019-06-14"),
        ("replied", "2019-07-05"),
    ]
    actors = {e["type"]: e["actor"] for e in w.view["events"]}
    assert actors["submitted"] == actors["accepted"] == world.officer.user.email
    assert actors["replied"] == world.officer2.user.email
    assert actors["extended"] == world.head.user.email
    assert steps(w.view) == [
        ("start", "2019-04-22", "2019-05-14", 15, days(*(D(2019, 5, d) for d in (1, 2, 3))),
         days(D(2019, 4, 28), D(2019, 5, 5))),
        ("correction_requested", "2019-04-24", "2019-05-09", 10, [], []),
        ("restart", "2019-05-06", "2019-05-27", 15, [], []),
        ("pause", "2019-05-13", None, 10, [], []),
        ("resume", "2019-05-31", "2019-06-17", 10, days(D(2019, 6, 7)), []),
        ("extend", "2019-06-17", "2019-07-08", 15, [], []),
    ]  # fmt: skip
    w.check_applicant_view("第三方电话称下周书面答复")


# --- fax, across National Day 2025 ---------------------------------------------------------------------


def test_fax_across_national_day_correction_consultation_extension(client: FlaskClient, world: World) -> None:
    received = D(2025, 9, 15)  # Mon, both sides confirmed the fax
    applicant = {
        "type": "legal_service_org",
        "name": "某某律师事务所",
        "id_number": CREDIT_CODE,
        "address": "示范市人民路1号",
    }
    w = Walk.register(client, world.officer, "fax", received, applicant=applicant, delivery="post")
    # Due add_wd(Sep 15, 20): Sep 16 Tue=1, 17=2, 18=3, 19 Fri=4, 22 Mon=5, 23=6, 24=7, 25=8, 26 Fri=9,
    # Sep 28 Sun makeup=10, 29 Mon=11, 30 Tue=12, Oct 1–8 国庆、中秋 (weekday holidays Oct 1 Wed, 2 Thu,
    # 3 Fri, 6 Mon, 7 Tue, 8 Wed), Oct 9 Thu=13, 10 Fri=14, Oct 11 Sat makeup=15, 13 Mon=16, 14=17, 15=18,
    # 16=19, Oct 17 Fri=20.
    due = D(2025, 10, 17)
    expect_created(w, "2019", received, due)
    expect(w.view, "received", due)
    assert w.view["applicant_type"] == "legal_service_org"

    # A reply from `received` is only an on-the-spot reply: on the next day the request must be accepted.
    w.refused(world.officer, "reply", D(2025, 9, 16), 409, "illegal_transition", "on", outcome="disclosed")
    expect(w.act(world.officer, "accept", D(2025, 9, 16)), "in_progress", due)

    # Correction only within 7 working days of receipt: add_wd(Sep 15, 7) = Sep 16 Tue=1, 17=2, 18=3,
    # 19 Fri=4, 22 Mon=5, 23 Tue=6, Sep 24 Wed=7. Sep 25 is one day too late; Sep 24 is the last day.
    w.refused(world.officer, "request_correction", D(2025, 9, 25), 409, "illegal_transition", "on",
              items="请明确信息所属年度", period_days=10)  # fmt: skip
    # Period of 10 working days from Sep 24: Sep 25 Thu=1, 26 Fri=2, Sep 28 Sun makeup=3, 29 Mon=4,
    # 30 Tue=5, (Oct 1–8 holidays), Oct 9 Thu=6, 10 Fri=7, Oct 11 Sat makeup=8, 13 Mon=9, Oct 14 Tue=10
    # -> the request would lapse on Oct 15.
    w.act(world.officer, "request_correction", D(2025, 9, 24), items="请明确信息所属年度", period_days=10)
    expect(w.view, "awaiting_correction", None, wait=D(2025, 10, 15))

    # The corrected fax arrived Oct 9 (Thu, the first working day after the holiday): 20 afresh,
    # Oct 10 Fri=1, Oct 11 Sat makeup=2, 13 Mon=3, 14=4, 15=5, 16=6, 17 Fri=7, 20 Mon=8, 21=9, 22=10,
    # 23=11, 24 Fri=12, 27 Mon=13, 28=14, 29=15, 30=16, 31 Fri=17, Nov 3 Mon=18, 4=19, Nov 5 Wed=20.
    due = D(2025, 11, 5)
    expect(w.act(world.officer, "receive_correction", D(2025, 10, 9)), "in_progress", due)

    # Consultation from Oct 16 (Thu). Remaining = working days in (Oct 16, Nov 5]: Oct 17 Fri=1,
    # 20–24 = 2..6, 27–31 = 7..11, Nov 3 Mon=12, 4=13, Nov 5=14 -> 14 (= 20 − the 6 counted, Oct 10, 11,
    # 13, 14, 15, 16). The third party's 15 days: add_wd(Oct 16, 15) = Oct 17 Fri=1, 20–24 = 2..6,
    # 27–31 = 7..11, Nov 3 Mon=12, 4=13, 5=14, Nov 6 Thu=15.
    w.act(world.officer, "start_consultation", D(2025, 10, 16), party="被申请信息涉及的某建设公司")
    expect(w.view, "consulting", None, remaining=14, wait=D(2025, 11, 6))

    # The head extends while the clock is stopped: the 20 days join the remaining 14 -> 34; the
    # consultation's own limit does not move. At most 20 under the 2019 rules.
    w.refused(world.head, "extend", D(2025, 10, 30), 422, "validation_error", "days", days=21, reason="复杂")
    w.act(world.head, "extend", D(2025, 10, 30), days=20, reason="需征求第三方意见且涉及多个年度档案")
    expect(w.view, "consulting", None, remaining=34, wait=D(2025, 11, 6), extended=20)
    w.act(world.officer, "comment", D(2025, 10, 30), note="内部备注：第三方态度消极，拟不予公开")

    # The third party answered; resumed Nov 3 (Mon): add_wd(Nov 3, 34) = Nov 4 Tue=1, 5=2, 6=3, 7 Fri=4,
    # 10–14 = 5..9, 17–21 = 10..14, 24–28 = 15..19, Dec 1–5 = 20..24, 8–12 = 25..29, Dec 15 Mon=30, 16=31,
    # 17=32, 18=33, Dec 19 Fri=34 (no holiday; 元旦 2026 is beyond).
    final_due = D(2025, 12, 19)
    w.act(world.officer, "end_consultation", D(2025, 11, 3))
    expect(w.view, "in_progress", final_due, extended=20)

    w.act(world.officer, "reply", D(2025, 12, 10), outcome="withheld_third_party", note="第三方不同意公开")
    expect(
        w.view,
        "replied",
        final_due,
        extended=20,
        outcome="withheld_third_party",
        finished=D(2025, 12, 10),
    )
    # Staff may still comment on a finished request, but a comment needs a note.
    w.refused(world.officer, "comment", D(2025, 12, 10), 422, "validation_error", "note")

    assert w.history() == [
        ("submitted", "2025-09-15"),
        ("accepted", "2025-09-16"),
        ("correction_requested", "2025-09-24"),
        ("correction_received", "2025-10-09"),
        ("consultation_started", "2025-10-16"),
        ("extended", "2025-10-30"),
        ("commented", "2025-10-30"),
        ("consultation_ended", "2025-11-03"),
        ("replied", "2025-12-10"),
    ]
    national_day = days(*(D(2025, 10, d) for d in (1, 2, 3, 6, 7, 8)))
    assert steps(w.view) == [
        ("start", "2025-09-15", "2025-10-17", 20, national_day, days(D(2025, 9, 28), D(2025, 10, 11))),
        ("correction_requested", "2025-09-24", "2025-10-14", 10, [], []),
        ("restart", "2025-10-09", "2025-11-05", 20, [], days(D(2025, 10, 11))),
        ("pause", "2025-10-16", None, 14, [], []),
        ("extend", "2025-10-30", None, 20, [], []),
        ("resume", "2025-11-03", "2025-12-19", 34, [], []),
    ]
    w.check_applicant_view("第三方态度消极")


# --- email, across Spring Festival 2026, with a fee ------------------------------------------------------


def test_email_across_spring_festival_with_fee_and_extension(client: FlaskClient, world: World) -> None:
    received = D(2026, 2, 5)  # Thu, both sides confirmed the email
    applicant = {
        "type": "commercial_enterprise",
        "name": "示范市某某科技有限公司",
        "id_number": CREDIT_CODE,
        "email": "gongsi@example.cn",
    }
    w = Walk.register(client, world.officer, "email", received, applicant=applicant)
    # Due add_wd(Feb 5, 20): Feb 6 Fri=1, 9 Mon=2, 10=3, 11=4, 12=5, 13 Fri=6, Feb 14 Sat makeup=7,
    # Feb 15–23 春节 (weekday holidays Feb 16 Mon, 17 Tue, 18 Wed, 19 Thu, 20 Fri, 23 Mon), Feb 24 Tue=8,
    # 25=9, 26=10, 27 Fri=11, Feb 28 Sat makeup=12, Mar 2 Mon=13, 3=14, 4=15, 5=16, 6 Fri=17, 9 Mon=18,
    # 10=19, Mar 11 Wed=20.
    due = D(2026, 3, 11)
    expect_created(w, "2019", received, due)
    expect(w.view, "received", due)

    expect(w.act(world.officer, "accept", D(2026, 2, 6)), "in_progress", due)
    w.act(world.officer, "assign", D(2026, 2, 6), assignee=world.officer2.user.email)

    # Fee notice Feb 12 (Thu). Remaining = working days in (Feb 12, Mar 11]: Feb 13 Fri=1,
    # Feb 14 Sat makeup=2, Feb 24 Tue=3, 25=4, 26=5, 27=6, Feb 28 Sat makeup=7, Mar 2 Mon=8, 3=9, 4=10,
    # 5=11, 6=12, 9=13, 10=14, Mar 11=15 -> 15 (= 20 − the 5 counted, Feb 6, 9, 10, 11, 12).
    # Unpaid, it lapses the day after add_wd(Feb 12, 20) = Feb 13 Fri=1, Feb 14 Sat makeup=2,
    # (春节 Feb 15–23), Feb 24 Tue=3, 25=4, 26=5, 27=6, Feb 28 Sat makeup=7, Mar 2 Mon=8, 3=9, 4=10, 5=11,
    # 6=12, 9=13, 10=14, 11=15, 12=16, 13 Fri=17, 16 Mon=18, 17=19, Mar 18 Wed=20 -> Mar 19.
    w.refused(world.officer2, "request_fee", D(2026, 2, 12), 422, "validation_error", "basis", amount_yuan=0)
    w.refused(
        world.officer2,
        "request_fee",
        D(2026, 2, 12),
        409,
        "illegal_transition",
        "pages",
        basis="per_page",
        pages=30,
    )
    w.act(
        world.officer2,
        "request_fee",
        D(2026, 2, 12),
        basis="per_page",
        pages=43,
        amount_yuan=125.5,
        reduction_reason="部分页面为空白页",
    )
    expect(w.view, "awaiting_fee", None, remaining=15, wait=D(2026, 3, 19))
    w.act(world.officer2, "comment", D(2026, 2, 13), note="内部备注：按件计收标准核算")

    # Paid on Feb 25 (Wed): add_wd(Feb 25, 15) = Feb 26 Thu=1, 27 Fri=2, Feb 28 Sat makeup=3, Mar 2 Mon=4,
    # 3=5, 4=6, 5=7, 6 Fri=8, 9 Mon=9, 10=10, 11=11, 12=12, 13 Fri=13, 16 Mon=14, Mar 17 Tue=15.
    due = D(2026, 3, 17)
    expect(
        w.act(world.officer2, "receive_fee", D(2026, 2, 25), amount_yuan=125.5, receipt_number="0001"),
        "in_progress",
        due,
    )

    # Extended by 10 on the due day itself (still in time): add_wd(Mar 17, 10) = Mar 18 Wed=1, 19=2,
    # 20 Fri=3, 23 Mon=4, 24=5, 25=6, 26=7, 27 Fri=8, 30 Mon=9, Mar 31 Tue=10 (清明 Apr 4–6 is beyond).
    final_due = D(2026, 3, 31)
    w.act(world.head, "extend", D(2026, 3, 17), days=10, reason="数据需从多个系统汇总")
    expect(w.view, "in_progress", final_due, extended=10)

    # An action dated before the last event is refused.
    w.refused(world.officer2, "reply", D(2026, 3, 16), 422, "validation_error", "on", outcome="disclosed")
    w.act(world.officer2, "reply", D(2026, 3, 30), outcome="disclosed")
    expect(w.view, "replied", final_due, extended=10, outcome="disclosed", finished=D(2026, 3, 30))

    assert w.history() == [
        ("submitted", "2026-02-05"),
        ("accepted", "2026-02-06"),
        ("assigned", "2026-02-06"),
        ("fee_requested", "2026-02-12"),
        ("commented", "2026-02-13"),
        ("fee_received", "2026-02-25"),
        ("extended", "2026-03-17"),
        ("replied", "2026-03-30"),
    ]
    spring_festival = days(*(D(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)))
    assert steps(w.view) == [
        ("start", "2026-02-05", "2026-03-11", 20, spring_festival, days(D(2026, 2, 14), D(2026, 2, 28))),
        ("pause", "2026-02-12", None, 15, [], []),
        ("resume", "2026-02-25", "2026-03-17", 15, [], days(D(2026, 2, 28))),
        ("extend", "2026-03-17", "2026-03-31", 10, [], []),
    ]
    w.check_applicant_view("按件计收标准核算")


# --- letter, 2024, closed without a reply letter ---------------------------------------------------------


def test_letter_correction_consultation_then_closed_other(client: FlaskClient, world: World) -> None:
    received = D(2024, 4, 26)  # Fri, the day the agency signed for the registered letter
    applicant = {
        "type": "natural_person",
        "name": "李四",
        "id_number": RESIDENT_ID,
        "address": "示范市解放路8号",
    }
    w = Walk.register(client, world.officer, "letter", received, applicant=applicant, delivery="post")
    # Due add_wd(Apr 26, 20): Apr 28 Sun makeup=1, 29 Mon=2, 30 Tue=3, May 1–5 劳动节 (weekday holidays
    # May 1 Wed, 2 Thu, 3 Fri), May 6 Mon=4, 7=5, 8=6, 9=7, 10 Fri=8, May 11 Sat makeup=9, 13 Mon=10,
    # 14=11, 15=12, 16=13, 17 Fri=14, 20 Mon=15, 21=16, 22=17, 23=18, 24 Fri=19, May 27 Mon=20.
    due = D(2024, 5, 27)
    expect_created(w, "2019", received, due)
    expect(w.view, "received", due)

    # Accepted on the makeup Sunday Apr 28 (a working day).
    expect(w.act(world.officer, "accept", D(2024, 4, 28)), "in_progress", due)

    # Correction asked Apr 30 (Tue), within add_wd(Apr 26, 7) = Apr 28 Sun makeup=1, 29=2, 30=3, May 6=4,
    # 7=5, 8=6, May 9=7. Period 5: May 6 Mon=1, 7=2, 8=3, 9=4, May 10 Fri=5 -> lapse on May 11 (a
    # Saturday, the makeup workday; the lapse date is simply the next calendar day).
    w.act(world.officer, "request_correction", D(2024, 4, 30), items="请提供身份证明复印件", period_days=5)
    expect(w.view, "awaiting_correction", None, wait=D(2024, 5, 11))

    # The corrected letter arrived May 9 (Thu): 20 afresh, May 10 Fri=1, May 11 Sat makeup=2, 13 Mon=3,
    # 14=4, 15=5, 16=6, 17 Fri=7, 20 Mon=8, 21=9, 22=10, 23=11, 24 Fri=12, 27 Mon=13, 28=14, 29=15, 30=16,
    # 31 Fri=17, Jun 3 Mon=18, 4=19, Jun 5 Wed=20 (端午 Jun 10 is not reached).
    due = D(2024, 6, 5)
    expect(w.act(world.officer, "receive_correction", D(2024, 5, 9)), "in_progress", due)
    # A correction is asked once only, even while still inside the 7-day window (May 9 is its last day).
    w.refused(world.officer, "request_correction", D(2024, 5, 9), 409, "illegal_transition", "action",
              items="再次补正", period_days=5)  # fmt: skip

    # Consultation from May 20 (Mon). Remaining = working days in (May 20, Jun 5]: May 21 Tue=1, 22=2,
    # 23=3, 24 Fri=4, 27–31 = 5..9, Jun 3 Mon=10, 4=11, Jun 5=12 -> 12 (= 20 − the 8 counted, May 10, 11,
    # 13, 14, 15, 16, 17, 20). The third party's limit add_wd(May 20, 15) = May 21–24 = 1..4,
    # May 27–31 = 5..9, Jun 3–7 = 10..14, Jun 10 Mon 端午 (skipped), Jun 11 Tue=15.
    w.act(world.officer, "start_consultation", D(2024, 5, 20), party="信息涉及的某物业公司")
    expect(w.view, "consulting", None, remaining=12, wait=D(2024, 6, 11))

    # Resumed May 27 (Mon): add_wd(May 27, 12) = May 28 Tue=1, 29=2, 30=3, 31 Fri=4, Jun 3 Mon=5, 4=6,
    # 5=7, 6=8, 7 Fri=9, Jun 10 Mon 端午 (skipped), Jun 11 Tue=10, 12=11, Jun 13 Thu=12.
    due = D(2024, 6, 13)
    expect(w.act(world.officer, "end_consultation", D(2024, 5, 27)), "in_progress", due)
    w.act(world.officer, "comment", D(2024, 6, 3), note="内部备注：申请人来电表示已从其他渠道获得")

    # Closed without a reply letter on Jun 3; reply and close each refuse the other's outcomes. The due
    # date stays as it was when the request finished.
    w.refused(
        world.officer, "reply", D(2024, 6, 3), 422, "validation_error", "outcome", outcome="closed_other"
    )
    w.refused(world.officer, "close", D(2024, 6, 3), 422, "validation_error", "outcome", outcome="disclosed")
    w.act(world.officer, "close", D(2024, 6, 3), outcome="closed_other", note="申请人已通过其他途径获取")
    expect(w.view, "replied", due, outcome="closed_other", finished=D(2024, 6, 3))
    assert w.view["allowed_actions"] == ["comment", "record_posting", "record_pickup", "correct_applicant"]
    w.refused(world.officer, "accept", D(2024, 6, 3), 409, "illegal_transition", "action")

    assert w.history() == [
        ("submitted", "2024-04-26"),
        ("accepted", "2024-04-28"),
        ("correction_requested", "2024-04-30"),
        ("correction_received", "2024-05-09"),
        ("consultation_started", "2024-05-20"),
        ("consultation_ended", "2024-05-27"),
        ("commented", "2024-06-03"),
        ("closed", "2024-06-03"),
    ]
    assert steps(w.view) == [
        ("start", "2024-04-26", "2024-05-27", 20, days(*(D(2024, 5, d) for d in (1, 2, 3))),
         days(D(2024, 4, 28), D(2024, 5, 11))),
        ("correction_requested", "2024-04-30", "2024-05-10", 5, [], []),
        ("restart", "2024-05-09", "2024-06-05", 20, [], days(D(2024, 5, 11))),
        ("pause", "2024-05-20", None, 12, [], []),
        ("resume", "2024-05-27", "2024-06-13", 12, days(D(2024, 6, 10)), []),
    ]  # fmt: skip
    w.check_applicant_view("申请人来电表示已从其他渠道获得")


# --- other channel, across Spring Festival 2025, withdrawn by the applicant ------------------------------


def test_other_channel_across_spring_festival_then_withdrawn(client: FlaskClient, world: World) -> None:
    received = D(2025, 1, 23)  # Thu, transferred from the 12345 hotline; the day both sides confirmed
    applicant = {
        "type": "public_interest_org",
        "name": "示范市某公益协会",
        "id_number": CREDIT_CODE,
        "phone": "02088888888",
    }
    w = Walk.register(client, world.officer, "other", received, applicant=applicant, delivery="pickup")
    # Due add_wd(Jan 23, 20): Jan 24 Fri=1, Jan 26 Sun makeup=2, 27 Mon=3, Jan 28–Feb 4 春节 (weekday
    # holidays Jan 28 Tue, 29 Wed, 30 Thu, 31 Fri, Feb 3 Mon, 4 Tue), Feb 5 Wed=4, 6=5, 7 Fri=6,
    # Feb 8 Sat makeup=7, 10 Mon=8, 11=9, 12=10, 13=11, 14 Fri=12, 17 Mon=13, 18=14, 19=15, 20=16,
    # 21 Fri=17, 24 Mon=18, 25=19, Feb 26 Wed=20.
    due = D(2025, 2, 26)
    expect_created(w, "2019", received, due)
    expect(w.view, "received", due)

    expect(w.act(world.officer, "accept", D(2025, 1, 24)), "in_progress", due)

    # Consultation from Jan 27 (Mon, the last day before the holiday). Remaining = working days in
    # (Jan 27, Feb 26]: Feb 5 Wed=1, 6=2, 7=3, Feb 8 Sat makeup=4, 10–14 = 5..9, 17–21 = 10..14,
    # 24 Mon=15, 25=16, Feb 26=17 -> 17 (= 20 − the 3 counted, Jan 24, 26, 27). The third party's limit
    # add_wd(Jan 27, 15) = Feb 5=1, 6=2, 7=3, Feb 8 Sat makeup=4, 10–14 = 5..9, 17–21 = 10..14,
    # Feb 24 Mon=15.
    w.act(world.officer, "start_consultation", D(2025, 1, 27), party="相关街道办事处")
    expect(w.view, "consulting", None, remaining=17, wait=D(2025, 2, 24))
    w.act(world.officer, "assign", D(2025, 2, 5), assignee=world.head.user.email)

    # Resumed Feb 17 (Mon): add_wd(Feb 17, 17) = Feb 18 Tue=1, 19=2, 20=3, 21 Fri=4, 24–28 = 5..9,
    # Mar 3–7 = 10..14, Mar 10 Mon=15, 11=16, Mar 12 Wed=17.
    due = D(2025, 3, 12)
    expect(w.act(world.head, "end_consultation", D(2025, 2, 17)), "in_progress", due)

    # Extended by 20 on the due day Mar 12: add_wd(Mar 12, 20) = Mar 13 Thu=1, 14 Fri=2, 17–21 = 3..7,
    # 24–28 = 8..12, Mar 31 Mon=13, Apr 1=14, 2=15, 3 Thu=16, Apr 4 Fri 清明 (skipped), Apr 7 Mon=17,
    # 8=18, 9=19, Apr 10 Thu=20. A day after the due date it could not have been extended.
    w.refused(world.head, "extend", D(2025, 3, 13), 409, "illegal_transition", "on", days=20, reason="迟了")
    final_due = D(2025, 4, 10)
    w.act(world.head, "extend", D(2025, 3, 12), days=20, reason="涉及多个街道的数据汇总")
    expect(w.view, "in_progress", final_due, extended=20)
    w.act(world.head, "comment", D(2025, 3, 12), note="内部备注：拟部分公开")

    # The applicant withdraws with the access code; that acts on today's date (China Standard Time).
    before = dt.datetime.now(CHINA).date()
    mine = w.applicant("/withdraw", {"reason": "已不再需要"})
    after = dt.datetime.now(CHINA).date()
    assert mine["finished_on"] in (before.isoformat(), after.isoformat())
    withdrawn_on = D.fromisoformat(mine["finished_on"])
    expect(mine, "replied", final_due, extended=20, outcome="closed_other", finished=withdrawn_on)
    w.view = w.get(world.officer)
    expect(w.view, "replied", final_due, extended=20, outcome="closed_other", finished=withdrawn_on)
    assert w.view["overdue"] is False
    # Finished: the applicant cannot withdraw again, nor the officer act on it.
    r = client.post(f"{w.url}/withdraw", json={}, headers={"X-Access-Code": w.code})
    assert answer(r, 409)["error"]["code"] == "illegal_transition"
    w.refused(world.officer, "end_consultation", withdrawn_on, 409, "illegal_transition", "action")

    assert w.history() == [
        ("submitted", "2025-01-23"),
        ("accepted", "2025-01-24"),
        ("consultation_started", "2025-01-27"),
        ("assigned", "2025-02-05"),
        ("consultation_ended", "2025-02-17"),
        ("extended", "2025-03-12"),
        ("commented", "2025-03-12"),
        ("withdrawn", withdrawn_on.isoformat()),
    ]
    withdrawn = w.view["events"][-1]
    assert withdrawn["actor"] is None
    assert withdrawn["note"] == "已不再需要"
    spring_festival = days(D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31), D(2025, 2, 3),
                           D(2025, 2, 4))  # fmt: skip
    assert steps(w.view) == [
        ("start", "2025-01-23", "2025-02-26", 20, spring_festival, days(D(2025, 1, 26), D(2025, 2, 8))),
        ("pause", "2025-01-27", None, 17, [], []),
        ("resume", "2025-02-17", "2025-03-12", 17, [], []),
        ("extend", "2025-03-12", "2025-04-10", 20, days(D(2025, 4, 4)), []),
    ]
    w.check_applicant_view("拟部分公开")


# --- online, today ------------------------------------------------------------------------------------


def package_workday(day: dt.date) -> bool:
    """A working day by the chinese_calendar package itself; for a year it does not cover, a weekday
    that is not 元旦 (1 Jan), 劳动节 (1–2 May) or 国庆节 (1–3 Oct), the dates the law fixes."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in {
            (1, 1),
            (5, 1),
            (5, 2),
            (10, 1),
            (10, 2),
            (10, 3),
        }


def count_forward(day: dt.date, n: int) -> dt.date:
    """add_wd counted one calendar day at a time (independently of webapp.domain.calendar)."""
    counted = 0
    while counted < n:
        day += ONE_DAY
        counted += package_workday(day)
    return day


def counted_provisionally(start: dt.date, end: dt.date) -> bool:
    """Whether (start, end] reaches into a year the package has no holiday notice for."""
    covered = {d.year for d in chinese_calendar.holidays}
    return any(y not in covered for y in range((start + ONE_DAY).year, end.year + 1))


def test_online_submission_walked_today(client: FlaskClient, world: World) -> None:
    # The citizen's submission is received today and every later act is dated today too (no act may be
    # dated in the future), so the dates are counted here from the package's calendar.
    created = answer(client.post("/api/v1/requests", json=citizen_body()), 201)
    today = D.fromisoformat(created["received_on"])
    assert today in (dt.datetime.now(CHINA).date(), dt.datetime.now(CHINA).date() - ONE_DAY)
    due = count_forward(today, 20)
    assert created["status"] == "received"
    assert created["rules"] == "2019"
    assert created["due_on"] == iso(due)
    assert created["due_provisional"] is counted_provisionally(today, due)
    w = Walk(client, created, world.officer)
    assert w.view["channel"] == "online"
    assert w.view["events"][0]["actor"] is None  # submitted by the citizen, not registered by staff
    expect(w.view, "received", due)
    assert w.view["overdue"] is False

    expect(w.act(world.officer, "accept", today), "in_progress", due)
    w.act(world.officer, "comment", today, note="内部备注：申请内容不够具体")

    # Correction asked today with a period of 5: the request lapses the day after add_wd(today, 5).
    w.act(world.officer, "request_correction", today, items="请说明所需预算的具体科目", period_days=5)
    expect(w.view, "awaiting_correction", None, wait=count_forward(today, 5) + ONE_DAY)
    assert w.view["overdue"] is False

    # The applicant's own correction, with the access code: received today, 20 working days afresh.
    mine = w.applicant("/correction", {"text": "所需为一般公共预算支出中的社会保障科目"})
    expect(mine, "in_progress", due)
    assert "actor" not in mine["events"][-1]
    w.view = w.get(world.officer)
    assert w.view["events"][-1]["type"] == "correction_received"
    assert w.view["events"][-1]["actor"] is None
    assert w.view["events"][-1]["on"] == today.isoformat()

    # Consultation started today: all 20 days remain; the third party has until add_wd(today, 15).
    w.act(world.officer, "start_consultation", today, party="某社会组织")
    expect(w.view, "consulting", None, remaining=20, wait=count_forward(today, 15))
    w.act(world.officer, "end_consultation", today)
    expect(w.view, "in_progress", due)

    # Extended by the head by 20: add_wd(due, 20), i.e. the 40th working day after today.
    final_due = count_forward(due, 20)
    assert final_due == count_forward(today, 40)
    w.act(world.head, "extend", today, days=20, reason="需汇总多个科室的数据")
    expect(w.view, "in_progress", final_due, extended=20)
    assert w.view["due_provisional"] is counted_provisionally(today, final_due)

    w.act(world.officer, "reply", today, outcome="disclosed", note="见附件预算表")
    expect(w.view, "replied", final_due, extended=20, outcome="disclosed", finished=today)
    assert w.view["overdue"] is False

    t = today.isoformat()
    assert w.history() == [
        ("submitted", t),
        ("accepted", t),
        ("commented", t),
        ("correction_requested", t),
        ("correction_received", t),
        ("consultation_started", t),
        ("consultation_ended", t),
        ("extended", t),
        ("replied", t),
    ]
    assert [s[0] for s in steps(w.view)] == [
        "start",
        "correction_requested",
        "restart",
        "pause",
        "resume",
        "extend",
    ]
    w.check_applicant_view("申请内容不够具体")
