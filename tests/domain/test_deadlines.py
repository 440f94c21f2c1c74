"""Due-date maths (docs/rules.md §Deadlines) over real calendar years.

Every expected date below was counted by hand from the State Council's holiday notices
(国务院办公厅关于某年部分节假日安排的通知) and the working days counted are listed in the comments, so
a reader can check each figure with a paper calendar. `add_wd(d, n)` is the n-th working day strictly
after d; "=k" after a day means "this is the k-th working day counted". Weekend days made working days
(调休上班) are marked "makeup"; weekday holidays are listed where the count skips them.

The notices used (only the parts that fall inside a counted interval are repeated at each test):

- 2018 (国办发明电〔2017〕12号): 劳动节 4/29–5/1 off, 4/28 Sat works; 中秋 9/22–9/24 off;
  国庆 10/1–10/7 off, 9/29 Sat and 9/30 Sun work.
- 2019 (国办发明电〔2018〕15号, 劳动节 as changed by 国办发明电〔2019〕2号): 劳动节 5/1–5/4 off;
  端午 6/7–6/9 off; 中秋 9/13–9/15 off; 国庆 10/1–10/7 off, 9/29 Sun and 10/12 Sat work.
- 2023 (国办发明电〔2022〕16号): 中秋、国庆 9/29–10/6 off, 10/7 Sat and 10/8 Sun work.
- 2024 (国办发明电〔2023〕7号): 春节 2/10–2/17 off, 2/4 Sun and 2/18 Sun work (除夕 2/9 is only
  "encouraged" as leave, it stays a working day); 清明 4/4–4/6 off, 4/7 Sun works; 劳动节 5/1–5/5 off,
  4/28 Sun and 5/11 Sat work; 中秋 9/15–9/17 off, 9/14 Sat works; 国庆 10/1–10/7 off, 9/29 Sun and
  10/12 Sat work.
- 2025 (国办发明电〔2024〕12号): 春节 1/28–2/4 off, 1/26 Sun and 2/8 Sat work; 国庆、中秋 10/1–10/8 off,
  9/28 Sun and 10/11 Sat work.
- 2026 (国办发明电〔2025〕7号): 春节 2/15–2/23 off, 2/14 Sat and 2/28 Sat work. Nothing after 10/10.
- 2027: no notice in the installed package; the overrides used below are test overrides, not the notice.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from webapp.domain.calendar import DayOverride, WorkCalendar, package_years
from webapp.domain.deadlines import RULES, Clock, ClockEvent, compute, rules_for
from webapp.domain.requests.late import late_registration

CAL = WorkCalendar()
D = dt.date
CJK = re.compile(r"[\u4e00-\u9fff]")


def dates(pairs: tuple[tuple[dt.date, str], ...] | list[tuple[dt.date, str]]) -> list[dt.date]:
    return [d for d, _ in pairs]


def all_holidays(clock: Clock) -> list[dt.date]:
    return [d for s in clock.steps for d in dates(s.holidays)]


def all_makeups(clock: Clock) -> list[dt.date]:
    return [d for s in clock.steps for d in dates(s.makeup_workdays)]


# --- rule sets ---------------------------------------------------------------------------------------


def test_rule_sets() -> None:
    r08, r19 = RULES["2008"], RULES["2019"]
    assert (r08.reply_days, r08.max_extension_days) == (15, 15)
    assert (r08.correction_window_days, r08.consultation_limit_days, r08.fee_limit_days) == (None, None, None)
    assert (r19.reply_days, r19.max_extension_days) == (20, 20)
    assert (r19.correction_window_days, r19.consultation_limit_days, r19.fee_limit_days) == (7, 15, 20)
    assert rules_for(D(2008, 5, 1)) is r08
    assert rules_for(D(2026, 6, 1)) is r19


def test_boundary_2019_05_14_uses_2008_rules() -> None:
    received = D(2019, 5, 14)  # Tue, the last day of the 2008 regulation
    rules = rules_for(received)
    assert rules is RULES["2008"]
    assert rules.reply_days == 15
    # 15 working days, no holiday in between:
    # May 15 Wed=1, 16=2, 17 Fri=3, 20 Mon=4, 21=5, 22=6, 23=7, 24 Fri=8, 27 Mon=9, 28=10, 29=11, 30=12,
    # 31 Fri=13, Jun 3 Mon=14, Jun 4 Tue=15 (端午 Jun 7 is not reached).
    clock = compute(rules, received, [], CAL)
    assert clock.due_on == D(2019, 6, 4)
    assert clock.steps[0].days == 15
    assert all_holidays(clock) == []
    assert all_makeups(clock) == []
    assert not clock.provisional


def test_boundary_2019_05_15_uses_2019_rules() -> None:
    received = D(2019, 5, 15)  # Wed, the 2019 regulation takes effect
    rules = rules_for(received)
    assert rules is RULES["2019"]
    assert rules.reply_days == 20
    # May 16 Thu=1, 17 Fri=2, 20 Mon=3, 21=4, 22=5, 23=6, 24 Fri=7, 27 Mon=8, 28=9, 29=10, 30=11,
    # 31 Fri=12, Jun 3 Mon=13, 4=14, 5=15, 6 Thu=16, Jun 7 Fri 端午 holiday (skipped), Jun 10 Mon=17,
    # 11=18, 12=19, Jun 13 Thu=20.
    clock = compute(rules, received, [], CAL)
    assert clock.due_on == D(2019, 6, 13)
    assert all_holidays(clock) == [D(2019, 6, 7)]
    assert all_makeups(clock) == []


# --- National Day with makeup weekend days --------------------------------------------------------------


def test_national_day_2019_sunday_and_saturday_makeups() -> None:
    received = D(2019, 9, 20)  # Fri (中秋 9/13 is already behind)
    # Sep 23 Mon=1, 24=2, 25=3, 26=4, 27 Fri=5, Sep 29 Sun makeup=6, Sep 30 Mon=7,
    # Oct 1–7 国庆 (weekday holidays Oct 1 Tue, 2 Wed, 3 Thu, 4 Fri, 7 Mon), Oct 8 Tue=8, 9=9, 10=10,
    # 11 Fri=11, Oct 12 Sat makeup=12, Oct 14 Mon=13, 15=14, 16=15, 17=16, 18 Fri=17, 21 Mon=18, 22=19,
    # Oct 23 Wed=20.
    clock = compute(rules_for(received), received, [], CAL)
    assert clock.due_on == D(2019, 10, 23)
    start = clock.steps[0]
    assert dates(start.makeup_workdays) == [D(2019, 9, 29), D(2019, 10, 12)]
    assert dates(start.holidays) == [D(2019, 10, d) for d in (1, 2, 3, 4, 7)]
    assert "跳过节假日5天" in start.text
    assert "计入调休上班日2天" in start.text


def test_national_day_2023_saturday_and_sunday_makeups() -> None:
    received = D(2023, 9, 25)  # Mon
    # Sep 26 Tue=1, 27 Wed=2, 28 Thu=3, Sep 29 Fri 中秋 holiday, Sep 30–Oct 6 国庆 (weekday holidays
    # Oct 2 Mon, 3 Tue, 4 Wed, 5 Thu, 6 Fri), Oct 7 Sat makeup=4, Oct 8 Sun makeup=5, Oct 9 Mon=6, 10=7,
    # 11=8, 12=9, 13 Fri=10, 16 Mon=11, 17=12, 18=13, 19=14, 20 Fri=15, 23 Mon=16, 24=17, 25=18, 26=19,
    # Oct 27 Fri=20.
    clock = compute(rules_for(received), received, [], CAL)
    assert clock.due_on == D(2023, 10, 27)
    start = clock.steps[0]
    assert dates(start.makeup_workdays) == [D(2023, 10, 7), D(2023, 10, 8)]
    assert dates(start.holidays) == [D(2023, 9, 29), *(D(2023, 10, d) for d in (2, 3, 4, 5, 6))]
    assert start.kind == "start"
    assert (start.start, start.end, start.days) == (received, D(2023, 10, 27), 20)


# --- Spring Festival ----------------------------------------------------------------------------------


def test_spring_festival_2024() -> None:
    received = D(2024, 2, 1)  # Thu
    # Feb 2 Fri=1, Feb 4 Sun makeup=2, Feb 5 Mon=3, 6=4, 7=5, 8=6, Feb 9 Fri 除夕 (a working day)=7,
    # Feb 10–17 春节 (weekday holidays Feb 12 Mon, 13 Tue, 14 Wed, 15 Thu, 16 Fri), Feb 18 Sun makeup=8,
    # Feb 19 Mon=9, 20=10, 21=11, 22=12, 23 Fri=13, 26 Mon=14, 27=15, 28=16, Feb 29 Thu (leap year)=17,
    # Mar 1 Fri=18, Mar 4 Mon=19, Mar 5 Tue=20.
    clock = compute(rules_for(received), received, [], CAL)
    assert clock.due_on == D(2024, 3, 5)
    assert all_makeups(clock) == [D(2024, 2, 4), D(2024, 2, 18)]
    assert all_holidays(clock) == [D(2024, 2, d) for d in (12, 13, 14, 15, 16)]


def test_spring_festival_2026() -> None:
    received = D(2026, 2, 10)  # Tue
    # Feb 11 Wed=1, 12 Thu=2, 13 Fri=3, Feb 14 Sat makeup=4, Feb 15–23 春节 (weekday holidays Feb 16 Mon,
    # 17, 18, 19, 20 Fri, 23 Mon), Feb 24 Tue=5, 25=6, 26=7, 27 Fri=8, Feb 28 Sat makeup=9, Mar 2 Mon=10,
    # 3=11, 4=12, 5=13, 6 Fri=14, 9 Mon=15, 10=16, 11=17, 12=18, 13 Fri=19, Mar 16 Mon=20.
    clock = compute(rules_for(received), received, [], CAL)
    assert clock.due_on == D(2026, 3, 16)
    assert all_makeups(clock) == [D(2026, 2, 14), D(2026, 2, 28)]
    assert all_holidays(clock) == [D(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
    assert not clock.provisional


# --- correction (补正) restart --------------------------------------------------------------------------


def test_correction_restart_2024() -> None:
    received = D(2024, 4, 1)  # Mon
    # Without correction: Apr 2 Tue=1, 3 Wed=2, Apr 4–6 清明 (weekday holidays Apr 4 Thu, 5 Fri),
    # Apr 7 Sun makeup=3, 8 Mon=4, 9=5, 10=6, 11=7, 12 Fri=8, 15 Mon=9, 16=10, 17=11, 18=12, 19 Fri=13,
    # 22 Mon=14, 23=15, 24=16, 25=17, 26 Fri=18, Apr 28 Sun makeup=19, Apr 29 Mon=20.
    rules = rules_for(received)
    assert compute(rules, received, [], CAL).due_on == D(2024, 4, 29)

    requested = D(2024, 4, 3)  # Wed, 2 working days after receipt (within the 7 allowed)
    # Correction period 15 working days from Apr 3: Apr 4–6 清明 skipped, Apr 7 Sun makeup=1, 8 Mon=2,
    # 9=3, 10=4, 11=5, 12 Fri=6, 15 Mon=7, 16=8, 17=9, 18=10, 19 Fri=11, 22 Mon=12, 23=13, 24=14,
    # Apr 25 Thu=15 -> the period ends Apr 25 and the request lapses the day after, Apr 26.
    waiting = compute(rules, received, [ClockEvent("correction_requested", requested, days=15)], CAL)
    assert waiting.due_on is None
    assert waiting.paused == "correction"
    assert waiting.wait_ends_on == D(2024, 4, 26)
    assert waiting.steps[-1].kind == "correction_requested"
    assert (waiting.steps[-1].start, waiting.steps[-1].end, waiting.steps[-1].days) == (
        requested,
        D(2024, 4, 25),
        15,
    )

    arrived = D(2024, 4, 22)  # Mon
    # The count starts afresh from Apr 22: Apr 23 Tue=1, 24=2, 25=3, 26 Fri=4, Apr 28 Sun makeup=5,
    # Apr 29 Mon=6, 30 Tue=7, May 1–5 劳动节 (weekday holidays May 1 Wed, 2 Thu, 3 Fri), May 6 Mon=8,
    # 7=9, 8=10, 9=11, 10 Fri=12, May 11 Sat makeup=13, May 13 Mon=14, 14=15, 15=16, 16=17, 17 Fri=18,
    # 20 Mon=19, May 21 Tue=20.
    clock = compute(
        rules,
        received,
        [ClockEvent("correction_requested", requested, days=15), ClockEvent("correction_received", arrived)],
        CAL,
    )
    assert clock.due_on == D(2024, 5, 21)
    assert clock.paused is None
    assert clock.wait_ends_on is None
    assert clock.remaining_days is None
    restart = clock.steps[-1]
    assert restart.kind == "restart"
    assert (restart.start, restart.end, restart.days) == (arrived, D(2024, 5, 21), 20)
    assert dates(restart.makeup_workdays) == [D(2024, 4, 28), D(2024, 5, 11)]
    assert dates(restart.holidays) == [D(2024, 5, 1), D(2024, 5, 2), D(2024, 5, 3)]


def test_correction_restart_under_2008_rules() -> None:
    received = D(2018, 4, 20)  # Fri
    rules = rules_for(received)
    assert rules is RULES["2008"]
    requested = D(2018, 4, 23)  # Mon
    # Period of 10 working days: Apr 24 Tue=1, 25=2, 26=3, 27 Fri=4, Apr 28 Sat makeup=5,
    # Apr 29–May 1 劳动节 (weekday holidays Apr 30 Mon, May 1 Tue), May 2 Wed=6, 3=7, 4 Fri=8, 7 Mon=9,
    # May 8 Tue=10 -> lapses on May 9.
    events = [ClockEvent("correction_requested", requested, days=10)]
    assert compute(rules, received, events, CAL).wait_ends_on == D(2018, 5, 9)
    arrived = D(2018, 4, 27)  # Fri
    # 15 working days afresh: Apr 28 Sat makeup=1, Apr 30/May 1 holidays, May 2 Wed=2, 3=3, 4 Fri=4,
    # 7 Mon=5, 8=6, 9=7, 10=8, 11 Fri=9, 14 Mon=10, 15=11, 16=12, 17=13, 18 Fri=14, May 21 Mon=15.
    clock = compute(rules, received, [*events, ClockEvent("correction_received", arrived)], CAL)
    assert clock.due_on == D(2018, 5, 21)
    assert dates(clock.steps[-1].makeup_workdays) == [D(2018, 4, 28)]
    assert dates(clock.steps[-1].holidays) == [D(2018, 4, 30), D(2018, 5, 1)]


# --- consultation (征求第三方意见) pause across a holiday -------------------------------------------------

# Received 2024-09-10 (Tue). Due: Sep 11 Wed=1, 12 Thu=2, 13 Fri=3, Sep 14 Sat makeup=4,
# Sep 15–17 中秋 (weekday holidays Sep 16 Mon, 17 Tue), Sep 18 Wed=5, 19=6, 20 Fri=7, 23 Mon=8, 24=9, 25=10,
# 26 Thu=11, 27 Fri=12, Sep 29 Sun makeup=13, Sep 30 Mon=14, Oct 1–7 国庆 (weekday holidays Oct 1 Tue,
# 2, 3, 4 Fri, 7 Mon), Oct 8 Tue=15, 9=16, 10=17, 11 Fri=18, Oct 12 Sat makeup=19, Oct 14 Mon=20.
CONSULT_RECEIVED = D(2024, 9, 10)
CONSULT_DUE = D(2024, 10, 14)
# Paused on Sep 26 (Thu), before National Day. Remaining = working days in (Sep 26, Oct 14]:
# Sep 27 Fri=1, Sep 29 Sun makeup=2, Sep 30 Mon=3, Oct 8 Tue=4, 9=5, 10=6, 11 Fri=7, Oct 12 Sat makeup=8,
# Oct 14 Mon=9 -> 9 (= 20 − the 11 counted up to Sep 26).
CONSULT_PAUSED = D(2024, 9, 26)
CONSULT_REMAINING = 9
# Automatic end add_wd(Sep 26, 15): the 9 days above up to Oct 14 Mon=9, then 15=10, 16=11, 17=12,
# 18 Fri=13, 21 Mon=14, Oct 22 Tue=15.
CONSULT_AUTO_END = D(2024, 10, 22)
# Resumed on Oct 9 (Wed), after National Day: add_wd(Oct 9, 9) = Oct 10 Thu=1, 11 Fri=2,
# Oct 12 Sat makeup=3, 14 Mon=4, 15=5, 16=6, 17=7, 18 Fri=8, Oct 21 Mon=9.
CONSULT_RESUMED = D(2024, 10, 9)
CONSULT_NEW_DUE = D(2024, 10, 21)


def test_consultation_pause_across_national_day_2024() -> None:
    rules = rules_for(CONSULT_RECEIVED)
    assert compute(rules, CONSULT_RECEIVED, [], CAL).due_on == CONSULT_DUE

    pause = ClockEvent("pause", CONSULT_PAUSED, pause="consultation")
    paused = compute(rules, CONSULT_RECEIVED, [pause], CAL)
    assert paused.due_on is None
    assert paused.paused == "consultation"
    assert paused.remaining_days == CONSULT_REMAINING
    assert paused.wait_ends_on == CONSULT_AUTO_END
    assert rules.consultation_limit_days == 15
    assert paused.steps[-1].kind == "pause"
    assert paused.steps[-1].days == CONSULT_REMAINING
    assert paused.steps[-1].end is None
    assert not paused.is_overdue(D(2024, 12, 31))  # no due date while stopped

    clock = compute(rules, CONSULT_RECEIVED, [pause, ClockEvent("resume", CONSULT_RESUMED)], CAL)
    assert clock.due_on == CONSULT_NEW_DUE
    assert clock.paused is None
    assert clock.wait_ends_on is None
    assert clock.remaining_days is None
    assert [s.kind for s in clock.steps] == ["start", "pause", "resume"]
    resume = clock.steps[-1]
    assert (resume.start, resume.end, resume.days) == (CONSULT_RESUMED, CONSULT_NEW_DUE, CONSULT_REMAINING)
    assert dates(resume.makeup_workdays) == [D(2024, 10, 12)]
    assert dates(resume.holidays) == []
    start = clock.steps[0]
    assert dates(start.makeup_workdays) == [D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)]
    assert dates(start.holidays) == [
        D(2024, 9, 16),
        D(2024, 9, 17),
        *(D(2024, 10, d) for d in (1, 2, 3, 4, 7)),
    ]


def test_consultation_under_2008_rules_has_no_automatic_end() -> None:
    received = D(2018, 9, 17)  # Mon
    rules = rules_for(received)
    assert rules is RULES["2008"]
    # 15 working days: Sep 18 Tue=1, 19=2, 20=3, 21 Fri=4, Sep 22–24 中秋 (weekday holiday Sep 24 Mon),
    # Sep 25 Tue=5, 26=6, 27=7, 28 Fri=8, Sep 29 Sat makeup=9, Sep 30 Sun makeup=10, Oct 1–7 国庆
    # (weekday holidays Oct 1 Mon – Oct 5 Fri), Oct 8 Mon=11, 9=12, 10=13, 11=14, Oct 12 Fri=15.
    plain = compute(rules, received, [], CAL)
    assert plain.due_on == D(2018, 10, 12)
    assert all_makeups(plain) == [D(2018, 9, 29), D(2018, 9, 30)]
    assert all_holidays(plain) == [D(2018, 9, 24), *(D(2018, 10, d) for d in (1, 2, 3, 4, 5))]

    pause = ClockEvent("pause", D(2018, 9, 28), pause="consultation")  # Fri
    # Remaining in (Sep 28, Oct 12]: Sep 29 Sat=1, Sep 30 Sun=2, Oct 8..12 = 3..7 -> 7 (= 15 − 8).
    paused = compute(rules, received, [pause], CAL)
    assert paused.remaining_days == 7
    assert paused.wait_ends_on is None  # the 2008 regulation sets no limit on the third party
    assert paused.paused == "consultation"
    # Resumed Oct 15 (Mon): Oct 16 Tue=1, 17=2, 18=3, 19 Fri=4, 22 Mon=5, 23=6, Oct 24 Wed=7.
    clock = compute(rules, received, [pause, ClockEvent("resume", D(2018, 10, 15))], CAL)
    assert clock.due_on == D(2018, 10, 24)


# --- fee (信息处理费) pause -------------------------------------------------------------------------------


def test_fee_pause_across_spring_festival_2025() -> None:
    received = D(2025, 1, 20)  # Mon
    # Due: Jan 21 Tue=1, 22 Wed=2, 23 Thu=3, 24 Fri=4, Jan 26 Sun makeup=5, Jan 27 Mon=6,
    # Jan 28–Feb 4 春节 (weekday holidays Jan 28 Tue, 29, 30, 31 Fri, Feb 3 Mon, 4 Tue), Feb 5 Wed=7,
    # 6=8, 7 Fri=9, Feb 8 Sat makeup=10, Feb 10 Mon=11, 11=12, 12=13, 13=14, 14 Fri=15, 17 Mon=16, 18=17,
    # 19=18, 20=19, Feb 21 Fri=20.
    rules = rules_for(received)
    assert compute(rules, received, [], CAL).due_on == D(2025, 2, 21)

    notice = D(2025, 1, 22)  # Wed
    # Lapse: add_wd(Jan 22, 20) = Jan 23 Thu=1, 24 Fri=2, Jan 26 Sun makeup=3, 27 Mon=4, (春节),
    # Feb 5 Wed=5, 6=6, 7 Fri=7, Feb 8 Sat makeup=8, Feb 10 Mon=9, 11=10, 12=11, 13=12, 14 Fri=13,
    # 17 Mon=14, 18=15, 19=16, 20=17, 21 Fri=18, 24 Mon=19, Feb 25 Tue=20 -> lapses the day after, Feb 26.
    # Remaining in (Jan 22, Feb 21] = 20 − 2 (Jan 21, 22) = 18.
    pause = ClockEvent("pause", notice, pause="fee")
    paused = compute(rules, received, [pause], CAL)
    assert paused.paused == "fee"
    assert paused.due_on is None
    assert paused.remaining_days == 18
    assert paused.wait_ends_on == D(2025, 2, 26)
    assert "缴费通知书" in paused.steps[-1].text

    paid = D(2025, 2, 10)  # Mon
    # add_wd(Feb 10, 18): Feb 11 Tue=1, 12=2, 13=3, 14 Fri=4, 17 Mon=5, 18=6, 19=7, 20=8, 21 Fri=9,
    # 24 Mon=10, 25=11, 26=12, 27=13, 28 Fri=14, Mar 3 Mon=15, 4=16, 5=17, Mar 6 Thu=18.
    clock = compute(rules, received, [pause, ClockEvent("resume", paid)], CAL)
    assert clock.due_on == D(2025, 3, 6)
    assert clock.wait_ends_on is None


# --- extension (延期) ------------------------------------------------------------------------------------


def test_extension_across_national_day_2025() -> None:
    received = D(2025, 9, 1)  # Mon
    # Sep 2 Tue=1, 3=2, 4=3, 5 Fri=4, 8 Mon=5, 9=6, 10=7, 11=8, 12 Fri=9, 15 Mon=10, 16=11, 17=12, 18=13,
    # 19 Fri=14, 22 Mon=15, 23=16, 24=17, 25=18, 26 Fri=19, Sep 28 Sun makeup=20: due on a Sunday.
    rules = rules_for(received)
    plain = compute(rules, received, [], CAL)
    assert plain.due_on == D(2025, 9, 28)
    assert all_makeups(plain) == [D(2025, 9, 28)]
    # Extension of 20 days approved on Sep 25: add_wd(Sep 28, 20) = Sep 29 Mon=1, Sep 30 Tue=2,
    # Oct 1–8 国庆、中秋 (weekday holidays Oct 1 Wed, 2 Thu, 3 Fri, 6 Mon, 7 Tue, 8 Wed), Oct 9 Thu=3,
    # 10 Fri=4, Oct 11 Sat makeup=5, 13 Mon=6, 14=7, 15=8, 16=9, 17 Fri=10, 20 Mon=11, 21=12, 22=13, 23=14,
    # 24 Fri=15, 27 Mon=16, 28=17, 29=18, 30=19, Oct 31 Fri=20.
    clock = compute(rules, received, [ClockEvent("extend", D(2025, 9, 25), days=20)], CAL)
    assert clock.due_on == D(2025, 10, 31)
    ext = clock.steps[-1]
    assert ext.kind == "extend"
    assert (ext.start, ext.end, ext.days) == (D(2025, 9, 28), D(2025, 10, 31), 20)
    assert dates(ext.holidays) == [D(2025, 10, d) for d in (1, 2, 3, 6, 7, 8)]
    assert dates(ext.makeup_workdays) == [D(2025, 10, 11)]
    assert "延期" in ext.text


def test_extension_while_paused_adds_to_remaining() -> None:
    rules = rules_for(CONSULT_RECEIVED)
    events = [
        ClockEvent("pause", CONSULT_PAUSED, pause="consultation"),
        ClockEvent("extend", D(2024, 10, 8), days=20),
    ]
    paused = compute(rules, CONSULT_RECEIVED, events, CAL)
    assert paused.due_on is None
    assert paused.remaining_days == CONSULT_REMAINING + 20 == 29
    assert paused.steps[-1].kind == "extend"
    assert paused.steps[-1].end is None
    # Resumed Oct 9: add_wd(Oct 9, 29) = Oct 10 Thu=1, 11 Fri=2, Oct 12 Sat makeup=3, 14 Mon=4, 15=5,
    # 16=6, 17=7, 18 Fri=8, 21 Mon=9, 22=10, 23=11, 24=12, 25 Fri=13, 28 Mon=14, 29=15, 30=16, 31=17,
    # Nov 1 Fri=18, 4 Mon=19, 5=20, 6=21, 7=22, 8 Fri=23, 11 Mon=24, 12=25, 13=26, 14=27, 15 Fri=28,
    # Nov 18 Mon=29 (the same as extending the resumed due date Oct 21 by 20).
    clock = compute(rules, CONSULT_RECEIVED, [*events, ClockEvent("resume", CONSULT_RESUMED)], CAL)
    assert clock.due_on == D(2024, 11, 18)
    assert CAL.add_wd(CONSULT_NEW_DUE, 20) == D(2024, 11, 18)


# --- a request already overdue when paused -----------------------------------------------------------


def test_pause_after_due_date_stays_overdue() -> None:
    received = D(2023, 9, 25)  # due Oct 27 2023 (counted in test_national_day_2023_...)
    rules = rules_for(received)
    due = D(2023, 10, 27)
    late_pause = D(2023, 10, 30)  # Mon, after the due date
    pause = ClockEvent("pause", late_pause, pause="consultation")
    paused = compute(rules, received, [pause], CAL)
    assert paused.due_on == due
    assert paused.remaining_days is None
    assert paused.paused == "consultation"
    # The third party still gets 15 working days: Oct 31 Tue=1, Nov 1=2, 2=3, 3 Fri=4, 6 Mon=5, 7=6, 8=7,
    # 9=8, 10 Fri=9, 13 Mon=10, 14=11, 15=12, 16=13, 17 Fri=14, Nov 20 Mon=15.
    assert paused.wait_ends_on == D(2023, 11, 20)
    assert paused.is_overdue(late_pause)
    assert "逾期" in paused.steps[-1].text

    clock = compute(rules, received, [pause, ClockEvent("resume", D(2023, 11, 6))], CAL)
    assert clock.due_on == due
    assert clock.paused is None
    assert clock.is_overdue(D(2023, 11, 6))
    assert not clock.is_overdue(due)  # the due date itself is still in time
    assert clock.is_overdue(due + dt.timedelta(days=1))
    assert "逾期" in clock.steps[-1].text


# --- a year the calendar does not cover ---------------------------------------------------------------


def test_count_into_uncovered_year_is_provisional() -> None:
    assert min(package_years()) == 2004
    assert max(package_years()) == 2026
    assert 2027 not in CAL.covered_years
    received = D(2026, 12, 15)  # Tue
    rules = rules_for(received)
    # Dec 16 Wed=1, 17=2, 18 Fri=3, 21 Mon=4, 22=5, 23=6, 24=7, 25 Fri=8, 28 Mon=9, 29=10, 30=11,
    # Dec 31 Thu=12, then 2027 by its weekends and 元旦 (Jan 1, a date the law fixes): Jan 4 Mon=13,
    # 5=14, 6=15, 7=16, 8 Fri=17, 11 Mon=18, 12=19, Jan 13 Wed=20.
    clock = compute(rules, received, [], CAL)
    assert clock.due_on == D(2027, 1, 13)
    assert clock.provisional
    assert all_holidays(clock) == [D(2027, 1, 1)]

    # Test overrides standing in for the 2027 notice (NOT the official notice, which the package does
    # not hold): 元旦 on Fri Jan 1 2027, and 2027 declared complete.
    cal27 = WorkCalendar([DayOverride(D(2027, 1, 1), False, "元旦")], complete_years={2027})
    assert 2027 in cal27.covered_years
    assert not cal27.is_workday(D(2027, 1, 1))
    # The notice's 元旦 is the date the law fixes: the same count (Jan 4 Mon=13 … Jan 13 Wed=20), no
    # longer provisional.
    clock27 = compute(rules, received, [], cal27)
    assert clock27.due_on == D(2027, 1, 13)
    assert not clock27.provisional
    assert clock27.steps[0].holidays == ((D(2027, 1, 1), "元旦"),)

    # A calendar with the override but without declaring 2027 complete still moves the date, but the
    # deadline stays provisional.
    partial = compute(rules, received, [], WorkCalendar([DayOverride(D(2027, 1, 1), False, "元旦")]))
    assert partial.due_on == D(2027, 1, 13)
    assert partial.provisional

    # A day the administrator sets wins over the fixed date (a local arrangement, a correction).
    worked = compute(rules, received, [], WorkCalendar([DayOverride(D(2027, 1, 1), True, "调休上班")]))
    assert worked.due_on == D(2027, 1, 12)


def test_resume_into_uncovered_year_is_provisional() -> None:
    received = D(2026, 11, 2)  # Mon; the whole count lies in 2026
    rules = rules_for(received)
    # Nov 3 Tue=1 … Nov 30 Mon=20 (Nov 3–6 = 4, 9–13 = 9, 16–20 = 14, 23–27 = 19, Nov 30 = 20).
    assert compute(rules, received, [], CAL).due_on == D(2026, 11, 30)
    # Paused Nov 16 (Mon) with 10 left (Nov 17–20 = 4, 23–27 = 9, Nov 30 = 10), resumed Dec 21 (Mon):
    # Dec 22 Tue=1, 23=2, 24=3, 25 Fri=4, 28 Mon=5, 29=6, 30=7, 31 Thu=8, (Jan 1 2027 元旦) Jan 4 Mon=9,
    # Jan 5 Tue=10.
    events = [
        ClockEvent("pause", D(2026, 11, 16), pause="consultation"),
        ClockEvent("resume", D(2026, 12, 21)),
    ]
    clock = compute(rules, received, events, CAL)
    assert clock.steps[1].days == 10
    assert clock.due_on == D(2027, 1, 5)
    assert clock.provisional


# --- explanation texts --------------------------------------------------------------------------------


def _scenarios() -> list[Clock]:
    c19 = compute(RULES["2019"], D(2019, 9, 20), [ClockEvent("extend", D(2019, 10, 8), days=5)], CAL)
    return [
        c19,
        compute(
            RULES["2019"],
            D(2024, 4, 1),
            [
                ClockEvent("correction_requested", D(2024, 4, 3), days=15),
                ClockEvent("correction_received", D(2024, 4, 22)),
            ],
            CAL,
        ),
        compute(
            RULES["2019"],
            CONSULT_RECEIVED,
            [
                ClockEvent("pause", CONSULT_PAUSED, pause="consultation"),
                ClockEvent("extend", D(2024, 10, 8), days=20),
                ClockEvent("resume", CONSULT_RESUMED),
            ],
            CAL,
        ),
        compute(
            RULES["2019"],
            D(2025, 1, 20),
            [ClockEvent("pause", D(2025, 1, 22), pause="fee"), ClockEvent("resume", D(2025, 2, 10))],
            CAL,
        ),
        compute(
            RULES["2019"],
            D(2023, 9, 25),
            [
                ClockEvent("pause", D(2023, 10, 30), pause="consultation"),
                ClockEvent("resume", D(2023, 11, 6)),
            ],
            CAL,
        ),
        compute(
            RULES["2008"], D(2018, 9, 17), [ClockEvent("pause", D(2018, 9, 28), pause="consultation")], CAL
        ),
    ]


@pytest.mark.parametrize("index", range(6))
def test_steps_are_chinese_and_serialisable(index: int) -> None:
    clock = _scenarios()[index]
    assert clock.steps
    for step in clock.steps:
        assert step.text.strip()
        assert CJK.search(step.text), step.text
        data = step.as_dict()
        encoded = json.dumps(data, ensure_ascii=False)
        assert json.loads(encoded) == data
        assert data["from"] == step.start.isoformat()
        assert data["working_days"] == step.days
        assert [h["date"] for h in data["holidays_skipped"]] == [d.isoformat() for d, _ in step.holidays]


def test_start_step_text_names_the_regulation() -> None:
    c08 = compute(RULES["2008"], D(2019, 5, 14), [], CAL)
    c19 = compute(RULES["2019"], D(2019, 5, 15), [], CAL)
    assert "2008年《条例》第二十四条" in c08.steps[0].text
    assert "2019年《条例》第三十三条" in c19.steps[0].text
    assert "2019年6月13日" in c19.steps[0].text


def test_the_late_registration_example_of_docs_rules_md():
    """docs/rules.md §Late registration: received 2025-03-03, registered 2025-03-28."""
    late = late_registration(CAL, D(2025, 3, 3), D(2025, 3, 28))
    assert late is not None
    assert (late.days_used, late.due_on, late.days_left, late.needs_reason) == (19, D(2025, 3, 31), 1, True)
    assert late_registration(CAL, D(2025, 3, 28), D(2025, 3, 28)) is None
    early = late_registration(CAL, D(2025, 3, 3), D(2025, 3, 4))
    assert early is not None and (early.days_used, early.days_left, early.needs_reason) == (1, 19, False)
