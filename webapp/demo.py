"""Demo data: one agency, its staff and a year of requests walked through realistic lives."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.domain import accounts
from webapp.domain.calendar import china_today, current_calendar
from webapp.domain.errors import DomainError
from webapp.domain.identity import CREDIT_ALPHABET, credit_code_check_char, resident_id_check_digit
from webapp.domain.requests import Applicant, act, submit
from webapp.domain.states import CHANNELS, REPLY_OUTCOMES
from webapp.models import Agency, DocumentSettings, User

DEMO_PASSWORD = "demo-password"  # noqa: S105  (documented demo login, printed by the command)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
TOPICS = [
    "2025年度本市城镇职工基本养老保险基金收支情况",
    "某工程项目的环境影响评价批复文件",
    "本单位人员招聘公告及拟聘用人员名单",
    "失业保险金发放标准的制定依据",
    "本区征收补偿方案及补偿标准",
    "职业技能培训补贴资金使用情况",
    "工伤认定决定书（本人）",
    "劳动保障监察投诉处理结果",
]
ORGS = {
    "commercial_enterprise": "白城市某建材有限公司",
    "research_institution": "某大学公共管理研究所",
    "public_interest_org": "某环保公益促进会",
    "legal_service_org": "某律师事务所",
    "other_org": "某社区居民委员会",
}


def load_demo(session: Session, *, count: int, seed: int, now: dt.datetime) -> list[str]:
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not a secret)
    agency = session.execute(select(Agency).where(Agency.code == "DEMO")).scalar_one_or_none()
    if agency is not None:
        return ["demo data already loaded (agency DEMO)"]
    agency = accounts.create_agency(session, "DEMO", "示范市人力资源和社会保障局", now=now)
    agency.report_settings = {"catalogue_counts": {str(now.year - 1): 12, str(now.year): 15}}
    session.add(  # the contact block, the remedies and the way to pay that the demo's letters state
        DocumentSettings(
            agency_id=agency.id,
            contact_person="政府信息公开办公室",
            phone="0000-12345678",
            email="gongkai@demo.gov.cn",
            address="示范市人民路1号示范市人力资源和社会保障局政府信息公开办公室",
            postal_code="000001",
            review_body="示范市人民政府",
            court="示范市示范区人民法院",
            fee_payment="到本机关政务服务窗口（示范市人民路1号一楼，工作日9:00—17:00）缴纳，或转账至"
            "户名：示范市财政局非税收入汇缴专户，开户银行：示范银行人民路支行，账号：0000 0000 0000 0000",
            overrides={},
        )
    )
    officer = accounts.create_user(
        session,
        "officer@demo.gov.cn",
        role="officer",
        agencies=[agency],
        password=DEMO_PASSWORD,
        name="刘经办",
        now=now,
    )
    head = accounts.create_user(
        session,
        "head@demo.gov.cn",
        role="head",
        agencies=[agency],
        password=DEMO_PASSWORD,
        name="陈主任",
        now=now,
    )
    # Two levels of administration (docs/security.md): the platform's administrator (no agency) and
    # the agency's own, who manages DEMO's users, tokens and settings only.
    accounts.create_user(
        session,
        "admin@demo.gov.cn",
        role="admin",
        agencies=[],
        password=DEMO_PASSWORD,
        name="平台管理员",
        now=now,
    )
    accounts.create_user(
        session,
        "agency-admin@demo.gov.cn",
        role="admin",
        agencies=[agency],
        password=DEMO_PASSWORD,
        name="人社局系统管理员",
        now=now,
    )
    cal = current_calendar(session)
    today = china_today(now)
    created = 0
    for _ in range(count):
        received = today - dt.timedelta(days=rng.randint(0, 365))
        if not cal.is_workday(received):
            continue
        try:
            _one_life(session, rng, agency, officer, head, received, today, now)
            created += 1
        except DomainError:
            continue  # a life the rules refuse (e.g. a date past today) is simply skipped
    return [
        f"agency DEMO 示范市人力资源和社会保障局 with {created} requests",
        "users officer@demo.gov.cn, head@demo.gov.cn, agency-admin@demo.gov.cn (DEMO's administrator), "
        f"admin@demo.gov.cn (the platform's administrator) — password {DEMO_PASSWORD}",
        "the administrators set up two-factor sign-in at their first login (an authenticator app; "
        "STAFF_2FA=off to skip it, see README.md)",
    ]


def _identity(rng: random.Random, person: bool) -> str:
    """A well-formed identity number: a resident ID of 白城市洮北区 or a credit code (their check
    characters computed as docs/rules.md §Identity shows)."""
    if person:
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
        first17 = f"220802{born:%Y%m%d}{rng.randint(0, 999):03d}"
        return first17 + resident_id_check_digit(first17)
    first17 = "9122080" + "2" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return first17 + credit_code_check_char(first17)


def _one_life(
    session: Session,
    rng: random.Random,
    agency: Agency,
    officer: User,
    head: User,
    received: dt.date,
    today: dt.date,
    now: dt.datetime,
) -> None:
    cal = current_calendar(session)
    kind = rng.choices([*ORGS, "natural_person"], weights=[1, 1, 1, 1, 1, 15])[0]
    name = ORGS.get(kind) or rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    channel = rng.choices(list(CHANNELS), weights=[3, 1, 2, 10, 3, 1])[0]
    req, _code = submit(
        session,
        agency=agency,
        applicant=Applicant(
            kind,
            name,
            id_number=_identity(rng, kind == "natural_person"),
            phone=f"139{rng.randint(10000000, 99999999)}",
            email=f"applicant{rng.randint(1, 10**6)}@example.cn",
            address=f"吉林省白城市洮北区幸福路{rng.randint(1, 300)}号",
        ),
        description=f"申请公开{rng.choice(TOPICS)}",
        delivery=rng.choice(["email", "post", "pickup", "online"]),
        channel=channel,
        received_on=received,
        registered_by=None if channel == "online" else officer,
        require_late_reason=False,  # a year of the past, not a registration made today
        now=now,
    )

    def step(action: str, after: int, actor: User = officer, **fields: Any) -> bool:
        on = cal.add_wd(max(e.on for e in req.events), after)
        if on > today:
            return False
        act(session, req, action, actor, now=now, on=on, **fields)
        return True

    if not step("accept", rng.randint(0, 2)):
        return
    roll = rng.random()
    if roll < 0.1 and req.rules == "2019":
        if not step(
            "request_correction",
            rng.randint(1, 4),
            items="请明确所需信息的名称、文号或时间范围",
            period_days=10,
        ):
            return
        if rng.random() < 0.3:
            step("close", 11, outcome="closed_correction_lapsed")
            return
        if not step("receive_correction", rng.randint(1, 8)):
            return
    elif roll < 0.2:
        if not step("start_consultation", rng.randint(1, 5), party="相关第三方企业"):
            return
        if not step("end_consultation", rng.randint(3, 15)):
            return
    if rng.random() < 0.1 and not step(
        "extend", rng.randint(5, 12), actor=head, days=rng.randint(5, 15), reason="需要调取档案，难以按期答复"
    ):
        return
    outcome = rng.choices(
        sorted(REPLY_OUTCOMES),
        weights=[6 if o in ("disclosed", "not_exist") else 1 for o in sorted(REPLY_OUTCOMES)],
    )[0]
    withheld = [{"part": "涉及个人信息的内容", "basis": "withheld_third_party"}]
    extra: dict[str, Any] = {"withheld": withheld} if outcome == "partially_disclosed" else {}
    step("reply", rng.randint(1, 14), outcome=outcome, note="详见答复书", **extra)
