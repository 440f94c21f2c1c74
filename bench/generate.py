"""Generate a city's worth of requests: N requests over 100 agencies and 8 years (2019–2026), loaded by COPY.

Run (creates the database afresh with `flask db upgrade`, then loads it):

    .venv/bin/python bench/generate.py --database gd_bench --requests 1000000
    .venv/bin/python bench/generate.py --database gd_bench_100k --requests 100000 --open 25000
    .venv/bin/python bench/generate.py --database gd_bench_10k --requests 10000

The rows are the ones the product itself writes: statuses and their history events in the order the
actions allow (submitted, accepted, correction_requested/received, consultation_started/ended,
fee_requested/received, extension_proposed, extended, replied/closed/withdrawn), each closed request with
its outcome (docs/rules.md §Outcomes) and finished_on, and the clock fields (due_on, remaining_days,
wait_ends_on, due_provisional) replayed with the product's own calendar (`WorkCalendar.add_wd`/`count_wd`, the
same steps as `domain.deadlines.compute`; a sample is checked against `compute` itself).

The open requests (`--open`, default 2.5% of N) are received in the 50 days before TODAY and drawn from
their own random stream: every dataset with the same `--open` has the same open requests, due dates and
waits (the sweep benchmark compares sizes with the same number of due items).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from webapp.domain.calendar import WorkCalendar
from webapp.domain.deadlines import RULES, ClockEvent, compute, rules_for
from webapp.domain.states import CHANNELS

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
TODAY = dt.date(2026, 11, 27)  # the data ends here; benchmarks run "as of" this day
FIRST = dt.date(2019, 1, 1)
OPEN_WINDOW_DAYS = 50
CST = dt.timezone(dt.timedelta(hours=8))

DISTRICTS = ["市", "东城区", "西城区", "南湖区", "北山区", "高新区", "经开区", "临江县", "青石县", "白云县"]
DEPARTMENTS = [
    "人民政府办公室",
    "公安局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "生态环境局",
    "教育局",
    "人力资源和社会保障局",
    "市场监督管理局",
    "交通运输局",
    "卫生健康委员会",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强红梅海燕晓东立新春"
COMPANIES = ["建设工程有限公司", "房地产开发有限公司", "环保科技有限公司", "律师事务所", "物业服务有限公司"]
SUBJECTS = [
    "国有土地上房屋征收补偿方案",
    "建设项目环境影响评价文件及批复",
    "行政处罚决定书",
    "建设用地规划许可证及附图",
    "拆迁安置补偿协议",
    "政府采购项目合同",
    "财政预算执行情况",
    "学校招生划片范围",
    "食品安全抽检结果",
    "交通事故认定的依据",
    "社会保险费征缴记录",
    "企业信用监管记录",
]

# Mixes (shares of requests), after the published annual reports' typical proportions.
CHANNEL_MIX = {"online": 56, "letter": 22, "in_person": 11, "email": 7, "fax": 1, "other": 3}
APPLICANT_MIX = {
    "natural_person": 88,
    "commercial_enterprise": 6,
    "research_institution": 0.3,
    "public_interest_org": 0.4,
    "legal_service_org": 2.3,
    "other_org": 3,
}
REPLY_MIX = {
    "disclosed": 34,
    "partially_disclosed": 7,
    "withheld_state_secret": 0.2,
    "withheld_law_prohibits": 0.4,
    "withheld_security_stability": 0.3,
    "withheld_third_party": 0.8,
    "withheld_internal_affairs": 1.2,
    "withheld_deliberative": 1.5,
    "withheld_enforcement_file": 1.0,
    "withheld_inquiry_matter": 1.5,
    "not_held": 22,
    "not_exist": 3,
    "requires_creation": 3,
    "unclear": 2,
    "not_processed_petition": 5,
    "not_processed_duplicate": 3,
    "not_processed_publication": 0.8,
    "not_processed_excessive": 0.5,
    "not_processed_reconfirm": 1.0,
}
DELIVERY_MIX = {"email": 30, "post": 45, "pickup": 10, "online": 15}
OPEN_STATUS_MIX = {
    "received": 15,
    "in_progress": 62,
    "awaiting_correction": 12,
    "consulting": 7,
    "awaiting_fee": 4,
}
MONTH_WEIGHT = [1.6, 0.8, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 1.0, 1.1]  # the January rush
YEAR_WEIGHT = {2019: 0.8, 2020: 0.85, 2021: 0.9, 2022: 0.95, 2023: 1.0, 2024: 1.05, 2025: 1.15, 2026: 1.25}
STAFF_PER_AGENCY = 20  # one head and 19 officers: 2,000 staff


def chooser(rng: random.Random, mix: dict[str, float]) -> Any:
    keys = list(mix)
    cum = list(itertools.accumulate(mix.values()))
    total = cum[-1]

    def pick() -> str:
        return keys[bisect.bisect(cum, rng.random() * total)]

    return pick


N = "\\N"


def esc(v: object) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v)


def jsonish(data: dict[str, object] | None) -> str:
    """json.dumps for the flat dicts of event data (str, int, float, bool values)."""
    if not data:
        return "{}"
    parts = []
    for k, v in data.items():
        val = f'"{v}"' if isinstance(v, str) else ("true" if v is True else "false" if v is False else str(v))
        parts.append(f'"{k}": {val}')
    return "{" + ", ".join(parts) + "}"


def line(*values: object) -> str:
    return "\t".join(map(esc, values)) + "\n"


class Clock:
    """The steps of `domain.deadlines.compute` for the events generated here, on add_wd/count_wd."""

    def __init__(self, cal: WorkCalendar, rules: str, received: dt.date) -> None:
        self.cal, self.r = cal, RULES[rules]
        self.due: dt.date | None = cal.add_wd(received, self.r.reply_days)
        self.provisional = cal.is_provisional(received, self.due)
        self.remaining: int | None = None
        self.wait: dt.date | None = None
        self.events: list[ClockEvent] = []

    def correction_requested(self, on: dt.date, days: int) -> None:
        self.events.append(ClockEvent("correction_requested", on, days))
        self.due, self.remaining, self.wait = None, None, self.cal.add_wd(on, days) + dt.timedelta(days=1)

    def correction_received(self, on: dt.date) -> None:
        self.events.append(ClockEvent("correction_received", on))
        self.due = self.cal.add_wd(on, self.r.reply_days)
        self.remaining, self.wait, self.provisional = None, None, self.cal.is_provisional(on, self.due)

    def pause(self, on: dt.date, kind: str) -> None:
        self.events.append(ClockEvent("pause", on, pause=kind))  # type: ignore[arg-type]
        limit = self.r.consultation_limit_days if kind == "consultation" else self.r.fee_limit_days
        self.wait = None
        if limit is not None:
            end = self.cal.add_wd(on, limit)
            self.wait = end if kind == "consultation" else end + dt.timedelta(days=1)
        if self.due is not None and on <= self.due:
            self.remaining, self.due = self.cal.count_wd(on, self.due), None

    def resume(self, on: dt.date) -> None:
        self.events.append(ClockEvent("resume", on))
        self.wait = None
        if self.remaining is not None:
            self.due = self.cal.add_wd(on, self.remaining)
            self.provisional = self.provisional or self.cal.is_provisional(on, self.due)
            self.remaining = None

    def extend(self, on: dt.date, days: int) -> None:
        self.events.append(ClockEvent("extend", on, days))
        assert self.due is not None
        due = self.cal.add_wd(self.due, days)
        self.provisional = self.provisional or self.cal.is_provisional(self.due, due)
        self.due = due


class Generator:
    def __init__(self, n: int, n_open: int, agencies: int, seed: int) -> None:
        self.cal = WorkCalendar()
        self.n, self.n_open, self.n_agencies = n, n_open, agencies
        self.rng = random.Random(seed)  # noqa: S311 - test data
        self.open_rng = random.Random(seed + 1)  # noqa: S311
        self.event_id = 0
        self.serials: dict[tuple[int, int], int] = {}
        self.checked: list[
            tuple[str, dt.date, list[ClockEvent], dt.date | None, int | None, dt.date | None]
        ] = []
        self.appeals: list[str] = []
        self.events_out: list[str] = []

    # -- dates -----------------------------------------------------------------------------------------
    def received_dates(self) -> list[tuple[dt.date, int, int]]:
        """(received_on, is_open, serial): closed ones over 2019-01-01..TODAY-10, open ones in 50 days."""
        days, weights = [], []
        day = FIRST
        last_closed = TODAY - dt.timedelta(days=10)
        while day <= last_closed:
            w = (
                YEAR_WEIGHT[day.year]
                * MONTH_WEIGHT[day.month - 1]
                * (1.0 if self.cal.is_workday(day) else 0.12)
            )
            days.append(day)
            weights.append(w)
            day += dt.timedelta(days=1)
        closed = self.rng.choices(
            days, cum_weights=list(itertools.accumulate(weights)), k=self.n - self.n_open
        )
        recent = [TODAY - dt.timedelta(days=i) for i in range(OPEN_WINDOW_DAYS)]
        rw = [1.0 if self.cal.is_workday(d) else 0.12 for d in recent]
        opened = self.open_rng.choices(recent, weights=rw, k=self.n_open)
        rows = [(d, 0, i) for i, d in enumerate(closed)] + [(d, 1, i) for i, d in enumerate(opened)]
        rows.sort()
        return rows

    # -- one request -----------------------------------------------------------------------------------
    def event(
        self,
        rid: int,
        seq: int,
        type_: str,
        on: dt.date,
        actor: int | None,
        frm: str | None,
        to: str | None,
        note: str = "",
        data: str = "{}",
        public: str = "t",
    ) -> None:
        self.event_id += 1
        self.events_out.append(
            f"{self.event_id}\t{rid}\t{seq}\t{type_}\t{on}\t{on} {9 + seq % 8:02d}:{rid % 60:02d}:00+08\t"
            f"{N if actor is None else actor}\t{N if frm is None else frm}\t"
            f"{N if to is None else to}\t{note}\t"
            f"{public}\t{data}\n"
        )

    def request(self, rid: int, received: dt.date, is_open: bool) -> str:
        rng = self.open_rng if is_open else self.rng
        pick = self.pickers_open if is_open else self.pickers
        agency = 1 + int(rng.random() ** 1.3 * self.n_agencies)  # some agencies get far more than others
        agency = min(agency, self.n_agencies)
        staff0 = (agency - 1) * STAFF_PER_AGENCY + 1  # the head; officers follow
        officer = staff0 + 1 + int(rng.random() * (STAFF_PER_AGENCY - 1))
        channel = pick["channel"]()
        atype = pick["applicant"]()
        rules = rules_for(received).code
        r = RULES[rules]
        cal = self.cal
        key = (agency, received.year)
        self.serials[key] = serial = self.serials.get(key, 0) + 1
        tracking = f"A{agency:03d}-{received.year}-{serial:06d}"
        clock = Clock(cal, rules, received)
        registered = None if channel == "online" else officer
        seq = 1
        self.event(
            rid,
            seq,
            "submitted",
            received,
            registered,
            None,
            "received",
            f"通过{CHANNELS[channel]}渠道收到申请",
            f'{{"channel": "{channel}"}}',
        )
        status, last = "received", received
        outcome: str | None = None
        finished: dt.date | None = None
        extended = 0
        corrected = False

        def ev(
            type_: str,
            on: dt.date,
            to: str,
            note: str = "",
            data: dict[str, object] | None = None,
            actor: int | None = officer,
            public: str = "t",
        ) -> None:
            nonlocal seq, status, last
            seq += 1
            self.event(rid, seq, type_, on, actor, status, to, note, jsonish(data), public)
            status = to
            if type_ not in ("extension_proposed",):
                last = max(last, on)

        def soon(day: dt.date, lo: int, hi: int) -> dt.date:
            return min(cal.add_wd(day, rng.randint(lo, hi)), TODAY)

        if is_open:
            target = pick["open_status"]()
            if target == "awaiting_fee" and rules != "2019":
                target = "in_progress"
        else:
            target = "replied"
        on_the_spot = not is_open and channel == "in_person" and rng.random() < 0.25
        if on_the_spot:
            outcome = pick["reply"]()
            ev("replied", received, "replied", "当场答复", {"on_the_spot": True, "outcome": outcome})
            finished = received
        elif target != "received":
            u = rng.random()
            want_correction = (
                target == "awaiting_correction"
                or (not is_open and u < 0.10)
                or (target == "in_progress" and u < 0.05)
            )
            if want_correction:
                window = r.correction_window_days or 10
                c_on = soon(received, 0, min(window, 5))
                period = rng.choice((5, 10, 15))
                ev(
                    "correction_requested",
                    c_on,
                    "awaiting_correction",
                    "请补正所需信息的名称、文号或其他特征描述",
                    {"period_days": period},
                )
                clock.correction_requested(c_on, period)
                corrected = True
                assert clock.wait is not None
                lapse = clock.wait
                if target == "awaiting_correction":
                    pass
                elif not is_open and rng.random() < 0.3 and lapse <= TODAY:
                    outcome, finished = "closed_correction_lapsed", lapse
                    ev(
                        "closed",
                        lapse,
                        "replied",
                        "补正期限届满，申请人未补正，视为放弃申请",
                        {"outcome": outcome},
                        actor=None,
                    )
                else:
                    x = soon(c_on, 1, period)
                    ev("correction_received", x, "in_progress", "申请人已补正")
                    clock.correction_received(x)
            else:
                a_on = soon(received, 0, 2)
                ev("accepted", a_on, "in_progress")
            if finished is None and status == "in_progress":
                pauses = []
                if target == "consulting" or (not is_open and rng.random() < 0.04):
                    pauses.append("consultation")
                if rules == "2019" and (target == "awaiting_fee" or (not is_open and rng.random() < 0.01)):
                    pauses.append("fee")
                for kind in pauses:
                    p_on = soon(last, 1, 6)
                    if kind == "consultation":
                        ev(
                            "consultation_started",
                            p_on,
                            "consulting",
                            "征求第三方意见，期间不计入答复期限",
                            {"party": "相关企业"},
                        )
                    else:
                        ev(
                            "fee_requested",
                            p_on,
                            "awaiting_fee",
                            "信息处理费100.00元（按量计收：40页）",
                            {"basis": "per_page", "pages": 40, "computed_yuan": 100.0, "amount_yuan": 100.0},
                        )
                    clock.pause(p_on, kind)
                    if target in ("consulting", "awaiting_fee"):
                        break
                    if (
                        kind == "fee"
                        and rng.random() < 0.4
                        and clock.wait is not None
                        and clock.wait <= TODAY
                    ):
                        outcome, finished = "closed_fee_unpaid", clock.wait
                        ev(
                            "closed",
                            clock.wait,
                            "replied",
                            "缴费期限届满，申请人未缴纳信息处理费，视为放弃申请",
                            {"outcome": outcome},
                            actor=None,
                        )
                        break
                    end = soon(p_on, 2, 15)
                    if kind == "consultation":
                        ev("consultation_ended", end, "in_progress")
                    else:
                        paid = {"amount_yuan": 100.0, "receipt_number": f"B{rid}"}
                        ev("fee_received", end, "in_progress", "收到信息处理费100.00元", paid)
                    clock.resume(end)
            if finished is None and status == "in_progress" and clock.due is not None:
                if rng.random() < (0.08 if not is_open else 0.05) and last <= clock.due:
                    x_on = min(soon(last, 1, 15), clock.due)
                    days = r.max_extension_days
                    ev(
                        "extension_proposed",
                        x_on,
                        "in_progress",
                        "需调取档案，提请延期",
                        {"days": days},
                        public="f",
                    )
                    ev("extended", x_on, "in_progress", "经负责人同意延期答复", {"days": days}, actor=staff0)
                    clock.extend(x_on, days)
                    extended = days
                if not is_open:
                    u = rng.random()
                    if u < 0.025:
                        outcome, finished = "closed_other", soon(last, 0, 10)
                        ev(
                            "withdrawn",
                            finished,
                            "replied",
                            "申请人撤回申请",
                            {"outcome": outcome},
                            actor=None,
                        )
                    elif u < 0.035:
                        outcome, finished = "closed_other", soon(last, 0, 10)
                        ev("closed", finished, "replied", "其他原因办结", {"outcome": outcome})
                    else:
                        outcome = pick["reply"]()
                        due = clock.due
                        if rng.random() < 0.06:  # late
                            f_on = cal.add_wd(due, rng.randint(1, 10))
                        else:
                            span = cal.count_wd(last, due)
                            f_on = cal.add_wd(last, rng.randint(min(1, span), span)) if span else last
                        finished = max(last, min(f_on, TODAY))
                        ev(
                            "replied",
                            finished,
                            "replied",
                            "已答复",
                            {"on_the_spot": finished == received, "outcome": outcome},
                        )
            if not is_open and finished is None:  # a wait that ends after TODAY: closed as withdrawn
                outcome, finished = "closed_other", last
                ev("withdrawn", last, "replied", "申请人撤回申请", {"outcome": outcome}, actor=None)

        if rid % 997 == 0:
            self.checked.append((rules, received, list(clock.events), clock.due, clock.remaining, clock.wait))
        if (
            finished is not None
            and outcome in ("withheld_third_party", "not_held", "partially_disclosed")
            and rng.random() < 0.02
        ):
            self.appeal(rid, finished, officer)
        done = finished is not None
        made = dt.datetime.combine(received, dt.time(9, rid % 60), tzinfo=CST).astimezone(dt.UTC)
        updated = dt.datetime.combine(last, dt.time(17, rid % 60), tzinfo=CST).astimezone(dt.UTC)
        if atype == "natural_person":
            name = (
                rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            )
            id_kind, id_no = "resident_id", f"3301{rid % 10**14:014d}"
        else:
            name = rng.choice(DISTRICTS[1:]) + rng.choice(SURNAMES) + "氏" + rng.choice(COMPANIES)
            id_kind, id_no = "credit_code", f"91330100{rid % 10**10:010d}"
        subject = rng.choice(SUBJECTS)
        return line(
            rid,
            tracking,
            hashlib.sha256(tracking.encode()).hexdigest(),
            agency,
            channel,
            received,
            registered,
            officer,
            atype,
            name,
            id_kind,
            id_no,
            f"138{rid % 10**8:08d}",
            None,
            f"某省某市某路{rid % 999 + 1}号",
            f"申请公开{received.year - 1}年度{subject}（编号{rid}）",
            None,
            "了解相关情况",
            pick["delivery"](),
            rules,
            status,
            clock.due,
            clock.provisional,
            None if done else clock.remaining,
            None if done else clock.wait,
            extended,
            corrected,
            outcome,
            finished,
            None,
            made,
            updated,
            seq,
        )

    def appeal(self, rid: int, finished: dt.date, officer: int) -> None:
        rng = self.rng
        filed = finished + dt.timedelta(days=rng.randint(10, 55))
        if filed > TODAY:
            return
        kind = rng.choice(("review", "review", "review", "litigation_direct", "litigation_after_review"))
        decided = filed + dt.timedelta(days=rng.randint(30, 120))
        result = (
            rng.choice(("upheld", "upheld", "upheld", "corrected", "other"))
            if decided <= TODAY
            else "pending"
        )
        at = dt.datetime.combine(filed, dt.time(10), tzinfo=CST).astimezone(dt.UTC)
        self.appeals.append(
            line(
                len(self.appeals) + 1,
                rid,
                kind,
                result,
                filed,
                decided if result != "pending" else None,
                None,
                "",
                officer,
                at,
                at,
            )
        )

    # -- the load --------------------------------------------------------------------------------------
    def rows(self) -> Iterator[str]:
        for rid, (received, is_open, _) in enumerate(self.received_dates(), start=1):
            yield self.request(rid, received, bool(is_open))

    def setup_pickers(self) -> None:
        def make(rng: random.Random) -> dict[str, Any]:
            return {
                "channel": chooser(rng, CHANNEL_MIX),
                "applicant": chooser(rng, APPLICANT_MIX),
                "reply": chooser(rng, REPLY_MIX),
                "delivery": chooser(rng, DELIVERY_MIX),
                "open_status": chooser(rng, OPEN_STATUS_MIX),
            }

        self.pickers, self.pickers_open = make(self.rng), make(self.open_rng)


REQUEST_COLUMNS = (
    "id, tracking_number, access_code_hash, agency_id, channel, received_on, registered_by_id, assignee_id, "
    "applicant_type, applicant_name, applicant_id_kind, applicant_id_number, applicant_phone, "
    "applicant_email, "
    "applicant_address, description, document_number, purpose, delivery, rules, status, due_on, "
    "due_provisional, remaining_days, wait_ends_on, extended_days, correction_requested, outcome, "
    "finished_on, "
    "referred_agency, created_at, updated_at, version"
)
EVENT_COLUMNS = 'id, request_id, seq, type, "on", at, actor_id, from_status, to_status, note, public, data'
APPEAL_COLUMNS = (
    "id, request_id, kind, result, filed_on, decided_on, case_number, note, recorded_by_id, "
    "created_at, updated_at"
)


def recreate(database: str) -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    url = f"{PG}/{database}"
    env = {**os.environ, "DATABASE_URL": url, "RATELIMIT_ENABLED": "false"}
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/flask"), "--app", "webapp", "db", "upgrade"],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
    )
    return url


def load(url: str, gen: Generator) -> None:
    now = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        with conn.cursor() as cur:
            with cur.copy(
                "COPY agencies (id, code, name, rules, report_settings, created_at) FROM STDIN"
            ) as cp:
                for a in range(1, gen.n_agencies + 1):
                    district, dept = DISTRICTS[(a - 1) // 10 % 10], DEPARTMENTS[(a - 1) % 10]
                    settings = {"catalogue_counts": {str(y): 30 + a % 40 for y in YEAR_WEIGHT}}
                    cp.write(
                        line(
                            a,
                            f"A{a:03d}",
                            f"{district}{dept}" + ("" if a <= 100 else str(a)),
                            "{}",
                            json.dumps(settings),
                            now,
                        )
                    )
            with cur.copy(
                "COPY users (id, email, name, role, password_hash, active, created_at) FROM STDIN"
            ) as cp:
                for a in range(1, gen.n_agencies + 1):
                    for k in range(STAFF_PER_AGENCY):
                        uid = (a - 1) * STAFF_PER_AGENCY + k + 1
                        role = "head" if k == 0 else "officer"
                        cp.write(line(uid, f"u{uid}@a{a:03d}.bench", f"经办人{uid}", role, None, True, now))
                supervisor = gen.n_agencies * STAFF_PER_AGENCY + 1
                cp.write(line(supervisor, "supervisor@bench", "市级督办", "officer", None, True, now))
            with cur.copy("COPY agency_members (user_id, agency_id) FROM STDIN") as cp:
                for a in range(1, gen.n_agencies + 1):
                    for k in range(STAFF_PER_AGENCY):
                        cp.write(line((a - 1) * STAFF_PER_AGENCY + k + 1, a))
                    cp.write(line(supervisor, a))
        conn.commit()

        # Bulk load as a DBA would: the secondary indexes of the two big tables dropped and built again
        # afterwards (sorted, in bulk), and the foreign-key triggers off for the load (the rows are made
        # consistent here; superuser only).
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('requests', 'request_events') "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET session_replication_role = replica")
        conn.commit()
        t0 = time.perf_counter()
        chunk: list[str] = []
        done = 0
        rows = gen.rows()
        while True:
            chunk = list(itertools.islice(rows, 20000))
            if not chunk:
                break
            with conn.cursor() as cur:
                with cur.copy(f"COPY requests ({REQUEST_COLUMNS}) FROM STDIN") as cp:
                    cp.write("".join(chunk))
                with cur.copy(f"COPY request_events ({EVENT_COLUMNS}) FROM STDIN") as cp:
                    cp.write("".join(gen.events_out))
            gen.events_out.clear()
            done += len(chunk)
            conn.commit()
            if done % 100000 == 0 or done == gen.n:
                el = time.perf_counter() - t0
                print(
                    f"  {done:>9,} requests, {gen.event_id:>10,} events  {el:6.1f} s  "
                    f"{done / el:9,.0f} req/s",
                    flush=True,
                )
        with conn.cursor() as cur:
            if gen.appeals:
                with cur.copy(f"COPY appeals ({APPEAL_COLUMNS}) FROM STDIN") as cp:
                    cp.write("".join(gen.appeals))
            with cur.copy("COPY tracking_counters (agency_id, year, last) FROM STDIN") as cp:
                for (agency, year), last in gen.serials.items():
                    cp.write(line(agency, year, last))
            for table in ("agencies", "users", "requests", "request_events", "appeals"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        conn.commit()
        t_rows = time.perf_counter() - t0
        conn.execute("SET session_replication_role = origin")
        conn.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            conn.execute(definition)
        conn.commit()
        t_load = time.perf_counter() - t0
        print(f"  rows in {t_rows:.1f} s; {len(indexes)} secondary indexes built in {t_load - t_rows:.1f} s")
        conn.autocommit = True
        t1 = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        t_vac = time.perf_counter() - t1
    print(
        f"loaded {gen.n:,} requests and {gen.event_id:,} events in {t_load:.1f} s "
        f"({gen.n / t_load:,.0f} requests/s, {(gen.n + gen.event_id) / t_load:,.0f} rows/s); "
        f"VACUUM ANALYZE {t_vac:.1f} s"
    )


def check_clock(gen: Generator) -> int:
    """Replay a sample with the product's `compute` (needs an app context for its gettext)."""
    from webapp import create_app

    app = create_app()
    bad = 0
    with app.app_context():
        for rules, received, events, due, remaining, wait in gen.checked:
            c = compute(RULES[rules], received, events, gen.cal)
            if (c.due_on, c.remaining_days, c.wait_ends_on) != (due, remaining, wait):
                bad += 1
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", default="gd_bench")
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--open", type=int, default=None, help="open requests (default 2.5%% of --requests)")
    ap.add_argument("--agencies", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20261128)
    args = ap.parse_args()
    n_open = args.open if args.open is not None else args.requests // 40
    if not 0 <= n_open <= args.requests:
        sys.exit("--open must be between 0 and --requests")
    t0 = time.perf_counter()
    url = recreate(args.database)
    print(
        f"{args.database}: schema by flask db upgrade in {time.perf_counter() - t0:.1f} s; "
        f"generating {args.requests:,} requests ({n_open:,} open) over {args.agencies} agencies, 2019–{TODAY}"
    )
    gen = Generator(args.requests, n_open, args.agencies, args.seed)
    gen.setup_pickers()
    load(url, gen)
    bad = check_clock(gen)
    print(
        f"clock fields checked against domain.deadlines.compute on {len(gen.checked):,} requests: "
        f"{bad} mismatches; total {time.perf_counter() - t0:.1f} s"
    )
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
