"""The authorisation matrix: every endpoint of the app × every kind of caller, as real HTTP requests.

Each rule of `app.url_map` must be classified in ENDPOINTS below (a new endpoint without a row fails
`test_every_endpoint_is_classified`); its policy says, for each principal, whether it is let in or which
refusal it gets (docs/api.md §Authentication: 401 without credentials, 403 for a role, 404 for what the caller
may not see; the pages send anonymous callers to log in, and citizens without the access code to /track).

For every case the answer's body is searched for what the caller may not see: the other agency's and the
other applicant's requests (tracking number, name, ID number even masked, description, phone), the
internal note, the full ID number anywhere but the request's own detail for its agency's staff, and the
other agency's staff (their e-mail addresses).

Administration has two levels (webapp/authz.py): the platform's administrator and each agency's. Rows of
the administrator's pages come in variants that really change something — issue a token for agency A's
head or for a platform administrator, create a platform administrator or an officer of A, rename A, set a
calendar day, deactivate users, revoke a token — and each checks the change was made exactly when the
policy lets the caller in (a refused request, whatever its answer, writes nothing). The principals' own
tokens were issued by their administrators (the agency administrators' by the platform's, the platform's
at the command line), as in a real deployment.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import scoped_session

from tests.factories import PASSWORD, PASSWORD_HASH, VALID_RESIDENT_ID, applicant, make_agency
from webapp.domain import accounts, repeated, reports
from webapp.domain.attachments import store_attachment
from webapp.domain.calendar import china_today
from webapp.domain.identity import mask_id_number, resident_id_check_digit
from webapp.domain.reports import annual
from webapp.domain.requests import act, submit
from webapp.domain.saved_views import save_view
from webapp.models import (
    Agency,
    ApiToken,
    CalendarOverride,
    CalendarYear,
    Enquiry,
    InboundEmail,
    PublicAnswer,
    Request,
    User,
)
from webapp.models.document import Document

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


# -- the principals -------------------------------------------------------------------------------------

PRINCIPALS = [
    "anonymous",
    "applicant",  # holds request A's access code
    "other_applicant",  # holds request B's code (another agency's request), tries it on A
    "officer_own",
    "officer_other",
    "head_own",
    "head_other",
    "admin_own",  # an administrator who belongs to agency A: agency A's administrator
    "admin_other",  # agency B's administrator
    "admin_platform",  # an administrator of no agency: the platform's
]
STAFF = {p for p in PRINCIPALS if "_" in p and p.split("_")[0] in ("officer", "head", "admin")}
IN_A = {"officer_own", "head_own", "admin_own"}
ROLE = {p: p.split("_")[0] for p in STAFF}

ALLOW = "allow"
LOGIN = "login"  # a page: redirect to the staff login
TRACK = "track"  # a citizen page: redirect to /track to enter the number and code
ACCOUNT = "account"  # a citizen's account page: redirect to its sign-in (no principal here holds one)


def public(p: str) -> str:
    return ALLOW


def submit_policy(p: str) -> Any:
    """POST /api/v1/requests for agency A: anyone without a token; staff only for their own agency."""
    return ALLOW if p not in STAFF or p in IN_A else 403


def applicant_page(p: str) -> Any:
    return ALLOW if p == "applicant" else TRACK


def account_page(p: str) -> Any:
    """A citizen's account (webapp/web/citizen_account.py): staff and applicants by access code alike are
    sent to the citizens' sign-in; the account's own walls are tested in tests/api/test_citizens_api.py."""
    return ACCOUNT


def citizen_api(p: str) -> Any:
    """/api/v1/citizen/… with a citizen's token only: a staff token or an access code is no citizen's."""
    return 401


def applicant_api(p: str) -> Any:
    return {"applicant": ALLOW, "other_applicant": 404, "anonymous": 401}.get(p, 403)


def viewer_api(p: str) -> Any:
    """The applicant with the code or staff of the agency; anything else as if it did not exist."""
    if p == "anonymous":
        return 401
    return ALLOW if p == "applicant" or p in IN_A else 404


def staff_file_api(p: str) -> Any:
    """A file staff uploaded: staff of the agency only (the applicant sees only their own files)."""
    if p == "anonymous":
        return 401
    return ALLOW if p in IN_A else 404


def agency_staff_api(p: str) -> Any:
    if p not in STAFF:
        return 401
    return ALLOW if p in IN_A else 404


def staff_api(p: str) -> Any:
    return ALLOW if p in STAFF else 401


def reports_api(p: str) -> Any:
    if p not in STAFF:
        return 401
    return ALLOW if p in ("head_own", "admin_own", "admin_platform") else 403


def platform_api(p: str) -> Any:
    """What is the platform administrator's alone (the calendar): 401 without a token, else 403."""
    if p not in STAFF:
        return 401
    return ALLOW if p == "admin_platform" else 403


def member_api(p: str) -> Any:
    """The agency's own staff, whatever their role; others' staff and the platform's administrator 403."""
    if p not in STAFF:
        return 401
    return ALLOW if p in IN_A else 403


def decider_api(p: str) -> Any:
    """Art. 44's groups and decisions (webapp/domain/repeated.py): an officer or head of the agency; its
    administrator sees them (403 to act); others' staff and the platform's administrator find nothing."""
    if p not in STAFF:
        return 401
    if p not in IN_A:
        return 404
    return ALLOW if ROLE[p] in ("officer", "head") else 403


def decider_page(p: str) -> Any:
    if p not in STAFF:
        return LOGIN
    if p not in IN_A:
        return 404
    return ALLOW if ROLE[p] in ("officer", "head") else 403


def sign_off_api(p: str) -> Any:
    if p not in STAFF:
        return 401
    if p == "head_own":
        return ALLOW
    return 404 if p in ("officer_other", "head_other", "admin_other") else 403


def annual_sign_off_api(p: str) -> Any:
    """The whole annual report: only the agency's own head signs it off (the agency is no secret)."""
    if p not in STAFF:
        return 401
    return ALLOW if p == "head_own" else 403


def annual_sign_off_page(p: str) -> Any:
    if p not in STAFF:
        return LOGIN
    return ALLOW if p == "head_own" else 403


def agency_staff_page(p: str) -> Any:
    if p not in STAFF:
        return LOGIN
    return ALLOW if p in IN_A else 404


def head_of_agency_page(p: str) -> Any:
    if p not in STAFF:
        return LOGIN
    if ROLE[p] != "head":
        return 403
    return ALLOW if p in IN_A else 404


def staff_page(p: str) -> Any:
    return ALLOW if p in STAFF else LOGIN


def own_view_page(p: str) -> Any:
    if p not in STAFF:
        return LOGIN
    return ALLOW if p == "officer_own" else 404


def head_page(p: str) -> Any:
    if p not in STAFF:
        return LOGIN
    return ALLOW if ROLE[p] == "head" else 403


def reports_page(p: str) -> Any:
    if p not in STAFF:
        return LOGIN
    return ALLOW if p in ("head_own", "admin_own", "admin_platform") else 403


def head_or_admin_page(p: str) -> Any:
    """A head's or administrator's page about their own agencies (each sees its own)."""
    if p not in STAFF:
        return LOGIN
    return ALLOW if ROLE[p] in ("head", "admin") else 403


def sign_off_page(p: str) -> Any:
    if p not in STAFF:
        return LOGIN
    if ROLE[p] != "head":
        return 403
    return ALLOW if p in IN_A else 404


def dead_link(p: str) -> Any:
    """A password-reset link that opens nothing: the same 404 to everyone."""
    return 404


def track_only(p: str) -> Any:
    return TRACK


def admin_page(p: str) -> Any:
    """Open to administrators of either level (each sees what it manages)."""
    if p not in STAFF:
        return LOGIN
    return ALLOW if ROLE[p] == "admin" else 403


def admin_levels(*, platform: Any = ALLOW, own: Any = ALLOW, other: Any = 404) -> Callable[[str], Any]:
    """An administrator's page or act as each level meets it: the platform's administrator, agency A's
    (`own`) and agency B's (`other`); everyone else as on every administrator's page."""

    def policy(p: str) -> Any:
        found = {"admin_platform": platform, "admin_own": own, "admin_other": other}
        return found.get(p, admin_page(p))

    return policy


of_agency_a = admin_levels()  # agency A's settings, users and tokens: A's administrator and the platform's
platform_only = admin_levels(own=403, other=403)  # the calendar, new agencies
rename_a = admin_levels(own=403, other=404)  # A's name: the platform's; B's administrator does not see A


# -- the seeded world -----------------------------------------------------------------------------------


@dataclass
class World:
    a: Agency
    b: Agency
    req_a: Request  # agency A: the request every URL names
    req_a2: Request  # agency A: another applicant's
    req_b: Request  # agency B
    codes: dict[str, str]
    users: dict[str, User]
    tokens: dict[str, str]
    applicant_file: int
    staff_file: int
    staff_pdf: int
    snapshot: int
    appeal: int
    mail: int
    view: int  # officer_own's saved queue view
    spare_user: int
    spare_b: int  # an officer of agency B
    spare_token: int
    spare_b_token: int  # a token of another officer of agency B
    root2: int  # a second platform administrator
    staff_emails: dict[str, list[str]]  # "a", "b": each agency's staff, whom the other's must not see
    year: int
    document: str  # the public id of request A's receipt (受理回执)
    answer: int  # an answer of agency A published in the public log (of another request)
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    info_group: int = 0  # agency A's group of requests A and A2 (Art. 44)


def seed(session: Any, directory: str) -> World:
    now = dt.datetime.now(dt.UTC)
    today = china_today(now)
    a = make_agency(session, now, code="MXA", name="矩阵甲局")
    b = make_agency(session, now, code="MXB", name="矩阵乙局")
    users: dict[str, User] = {}
    for p in sorted(STAFF):
        agency = None if p == "admin_platform" else (a if p in IN_A else b)
        u = accounts.create_user(
            session, f"{p}@matrix.example", role=ROLE[p], agencies=[agency] if agency else [], now=now
        )
        u.password_hash = PASSWORD_HASH
        users[p] = u
    session.flush()
    # Who issued each principal's token: its agency's administrator; the agency administrators' the
    # platform's; the platform administrator's the command line.
    issuer = {
        p: None
        if p == "admin_platform"
        else users["admin_platform"]
        if ROLE[p] == "admin"
        else users["admin_own" if p in IN_A else "admin_other"]
        for p in STAFF
    }

    people = {
        "a": ("甲矩阵申请人", resident_id("11010519800101001"), "13911110001", "甲-所需信息：矩阵测试预算甲"),
        "a2": (
            "丁矩阵申请人",
            resident_id("44030519850303003"),
            "13911110003",
            "丁-所需信息：矩阵测试预算丁",
        ),
        "b": ("乙矩阵申请人", resident_id("31011519900202002"), "13911110002", "乙-所需信息：矩阵测试预算乙"),
    }
    made: dict[str, Request] = {}
    codes: dict[str, str] = {}
    for key, agency in (("a", a), ("a2", a), ("b", b)):
        name, id_number, phone, description = people[key]
        req, code = submit(
            session,
            agency=agency,
            applicant=applicant(
                name=name, id_kind="resident_id", id_number=id_number, phone=phone, email=None
            ),
            description=description,
            delivery="pickup",
            now=now,
        )
        made[key], codes[key] = req, code
    for key in ("a", "b"):
        officer = users["officer_own" if key == "a" else "officer_other"]
        act(session, made[key], "comment", officer, now=now, note=f"内部意见-{key}-矩阵")

    def attach(req: Request, by: User | None, data: bytes = PNG, name: str = "scan.png") -> int:
        att = store_attachment(
            session,
            req,
            filename=name,
            stream=io.BytesIO(data),
            directory=directory,
            uploaded_by=by,
            now=now,
        )
        return att.id

    applicant_file = attach(made["a"], None)
    staff_file = attach(made["a"], users["officer_own"])
    staff_pdf = attach(made["a"], users["officer_own"], b"%PDF-1.4\n%%EOF\n", "letter.pdf")
    snapshot = reports.create_snapshot(session, a, today.year - 1, "2021", actor=None, now=now)
    # agency A's report on last year in the 2013 format, published: its files are anyone's
    annual.sign_off(
        session,
        annual.report_scope(session, ["MXA"]),
        today.year - 1,
        "2013",
        actor=users["head_own"],
        now=now,
    )
    appeal = reports.record_appeal(
        session, made["a"], kind="review", result="pending", filed_on=today, actor=None, now=now
    )
    mail = InboundEmail(
        agency_id=a.id,
        message_key="<matrix@example>",
        sha256="0" * 64,
        raw_key="matrix.eml",
        status="review",
        reason="no_agency",
        received_at=now,
    )
    session.add(mail)
    published, _ = submit(
        session,
        agency=a,
        applicant=applicant(name="戊公开申请人", phone="13911110005", email=None),
        description="戊-已公开的申请",
        delivery="online",
        now=now,
    )
    act(session, published, "reply", users["officer_own"], now=now, outcome="disclosed", publish=True)
    answer = session.execute(
        select(PublicAnswer.id).where(PublicAnswer.request_id == published.id)
    ).scalar_one()
    spare = accounts.create_user(session, "spare@matrix.example", role="officer", agencies=[a], now=now)
    view = save_view(session, users["officer_own"], "我的逾期", "due=overdue", now=now)
    spare_b = accounts.create_user(session, "spare_b@matrix.example", role="officer", agencies=[b], now=now)
    root2 = accounts.create_user(session, "root2@matrix.example", role="admin", agencies=[], now=now)
    tokens = {p: accounts.issue_token(session, u, now=now, issued_by=issuer[p]) for p, u in users.items()}
    accounts.issue_token(session, spare, now=now, label="spare", issued_by=users["admin_own"])
    session.flush()
    spare_token = max(t.id for t in accounts.list_tokens(session))
    accounts.issue_token(session, spare_b, now=now, label="spare_b", issued_by=users["admin_other"])
    session.flush()
    spare_b_token = max(t.id for t in accounts.list_tokens(session))
    world = World(
        a=a,
        b=b,
        req_a=made["a"],
        req_a2=made["a2"],
        req_b=made["b"],
        codes=codes,
        users=users,
        tokens=tokens,
        applicant_file=applicant_file,
        staff_file=staff_file,
        staff_pdf=staff_pdf,
        snapshot=snapshot.id,
        appeal=appeal.id,
        mail=mail.id,
        view=view.id,
        answer=answer,
        spare_user=spare.id,
        spare_b=spare_b.id,
        spare_token=spare_token,
        spare_b_token=spare_b_token,
        root2=root2.id,
        staff_emails={
            "a": [u.email for u in (*(users[p] for p in sorted(IN_A)), spare)],
            "b": [u.email for u in (*(users[p] for p in sorted(STAFF - IN_A - {"admin_platform"})), spare_b)],
        },
        year=today.year - 1,
        document=session.execute(
            select(Document.public_id).where(Document.request_id == made["a"].id).order_by(Document.id)
        )
        .scalars()
        .first(),
    )
    for key, req in made.items():
        name, id_number, phone, description = people[key]
        world.secrets[key] = {
            "tracking number": req.tracking_number,
            "name": name,
            "ID number": id_number,
            "masked ID number": mask_id_number(id_number) or "",
            "phone": phone,
            "description": description,
            "internal note": f"内部意见-{key}-矩阵",
        }
    world.info_group = repeated.create_group(
        session,
        a,
        title="矩阵测试预算",
        year=made["a"].received_on.year,
        requests=[made["a"], made["a2"]],
        actor=users["officer_own"],
        now=now,
    ).id
    session.commit()
    return world


# -- the table: every endpoint, its policy, and how to call it -------------------------------------------


@dataclass
class Row:
    policy: Callable[[str], Any]
    values: Callable[[World], dict[str, Any]] = lambda w: {}
    bodies: dict[str, Callable[[World], dict[str, Any]]] = field(default_factory=dict)
    policies: dict[str, Callable[[str], Any]] = field(default_factory=dict)  # per method, else `policy`
    last: int = 0  # ends the caller's session: run after the others (1 before 2)
    # What the act changes, read before and after it: let in, it must change; refused, it must not.
    effect: Callable[[World, Any], Any] | None = None
    full_id: bool = False  # the request's own detail: its agency's staff see the whole ID number
    ends_at_login: bool = False  # done, it sends the browser to the login page (with no `next`)


def tn(w: World) -> dict[str, Any]:
    return {"tracking_number": w.req_a.tracking_number}


def form(data: dict[str, Any]) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"data": data}


def upload(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"data": {name: (io.BytesIO(PNG), "scan.png")}, "content_type": "multipart/form-data"}


def api_submission(w: World) -> dict[str, Any]:
    return {
        "json": {
            "agency": "MXA",
            "applicant": {
                "type": "natural_person",
                "name": "丙新申请人",
                "id_number": VALID_RESIDENT_ID,
                "phone": "13900000000",
            },
            "description": "申请公开矩阵测试以外的信息",
            "delivery": "pickup",
        }
    }


def enquiries_of_a(w: World, session: Any) -> Any:
    return session.scalar(select(func.count()).select_from(Enquiry).join(Agency).where(Agency.code == "MXA"))


def report_args(w: World) -> dict[str, Any]:
    return {"query_string": {"agency": "MXA", "year": w.year}}


ENDPOINTS: dict[str, Row] = {
    # -- public pages and files
    "citizen.index": Row(public),
    "citizen.apply": Row(public, bodies={"POST": form({"description": "x"})}),
    "citizen.receipt": Row(public),
    "citizen.track": Row(public, bodies={"POST": form({"tracking_number": "NOPE-1", "access_code": "x"})}),
    "citizen.language": Row(public, lambda w: {"code": "zh"}),
    "citizen.forget": Row(public, last=2),
    # a lost access code: anyone may ask, the answer is the same for every number
    "citizen.lost_code": Row(public, bodies={"POST": form({"tracking_number": "NOPE-1"})}),
    "api_v1.AccessCodes": Row(public, bodies={"POST": lambda w: {"json": {"tracking_number": "NOPE-1"}}}),
    # the citizen's account: its sign-in is public; without a signed-in citizen its pages send there
    "citizen.account_sign_in": Row(public, bodies={"POST": form({"contact": "13900000000"})}),
    "citizen.account_code": Row(public, bodies={"POST": form({"code": "000000"})}),
    "citizen.account": Row(account_page),
    "citizen.account_claim": Row(
        account_page, bodies={"POST": form({"tracking_number": "X", "access_code": "y"})}
    ),
    "citizen.account_notify": Row(account_page, bodies={"POST": form({"notify": "sms"})}),
    "citizen.account_request": Row(account_page, tn),
    "citizen.account_sign_out": Row(public, last=2),
    "api_v1.CitizenCodes": Row(public, bodies={"POST": lambda w: {"json": {"email": "matrix@example.cn"}}}),
    "api_v1.CitizenSessions": Row(
        citizen_api, bodies={"POST": lambda w: {"json": {"email": "matrix@example.cn", "code": "000000"}}}
    ),
    "api_v1.CitizenRequests": Row(citizen_api),
    "api_v1.CitizenClaims": Row(
        citizen_api, bodies={"POST": lambda w: {"json": {"tracking_number": "X", "access_code": "y"}}}
    ),
    # the public log (webapp/web/answers.py, webapp/api/public.py): no credentials
    "citizen.answers": Row(public, bodies={"GET": lambda w: {"query_string": {"q": "预算"}}}),
    "citizen.answer": Row(public, lambda w: {"answer_id": w.answer}),
    "api_v1.PublicAnswers": Row(public),
    "api_v1.SimilarAnswers": Row(public, bodies={"GET": lambda w: {"query_string": {"text": "部门预算"}}}),
    "api_v1.public_reply_pdf": Row(public, lambda w: {"answer_id": w.answer}),
    # a file the published reply did not release is refused to everyone alike (a released one is tested in
    # tests/domain/test_public_log.py)
    "api_v1.public_file": Row(
        lambda p: 404, lambda w: {"answer_id": w.answer, "attachment_id": w.staff_file}
    ),
    "staff.login": Row(public, bodies={"POST": form({})}),
    # the login's second step: without a password entered a moment ago it sends the browser to the login
    "staff.login_code": Row(public, bodies={"POST": form({"code": "000000"})}),
    "staff.reports_css": Row(public),
    "static": Row(public, lambda w: {"filename": "app.css"}),
    "favicon": Row(public),
    "api-docs.openapi_json": Row(public),
    # the ops endpoints (webapp/ops.py): probes are public; /metrics answers the loopback address (or the
    # METRICS_TOKEN bearer), which the test client is
    "healthz": Row(public),
    "readyz": Row(public),
    "metrics": Row(public),
    # -- the applicant's pages (the tracked request in the session) and API acts (X-Access-Code)
    "citizen.status": Row(applicant_page, tn),
    "citizen.correct": Row(applicant_page, tn, {"POST": form({"text": "补正内容"})}),
    "citizen.withdraw": Row(applicant_page, tn, {"POST": form({"confirm": "y"})}),
    "citizen.attachment": Row(applicant_page, lambda w: {**tn(w), "attachment_id": w.applicant_file}),
    "citizen.document": Row(applicant_page, lambda w: {**tn(w), "document_id": w.document}),
    "citizen.application_form_pdf": Row(
        public, bodies={"GET": lambda w: {"query_string": {"agency": "MXA"}}}
    ),
    "api_v1.Correction": Row(applicant_api, tn, {"POST": lambda w: {"json": {"text": "补正内容"}}}),
    "api_v1.Withdraw": Row(applicant_api, tn, {"POST": lambda w: {"json": {"reason": "不需要了"}}}),
    # -- the request through the API: its applicant or its agency's staff
    "api_v1.Requests": Row(submit_policy, bodies={"POST": api_submission}),
    "api_v1.RequestView": Row(viewer_api, tn, full_id=True),
    "api_v1.Attachments": Row(viewer_api, tn, {"POST": upload("file")}),
    "api_v1.attachment": Row(viewer_api, lambda w: {**tn(w), "attachment_id": w.applicant_file}),
    "api_v1.Documents": Row(viewer_api, tn),
    "api_v1.document_pdf": Row(viewer_api, lambda w: {**tn(w), "document_id": w.document}),
    "api_v1.Actions": Row(
        agency_staff_api,
        tn,
        {"POST": lambda w: {"json": {"action": "comment", "note": "已阅"}}},
        full_id=True,
    ),
    "api_v1.Appeals": Row(
        agency_staff_api,
        tn,
        {
            "POST": lambda w: {
                "json": {
                    "kind": "review",
                    "result": "pending",
                    "filed_on": china_today(dt.datetime.now(dt.UTC)).isoformat(),
                }
            }
        },
    ),
    "api_v1.AppealDecision": Row(
        agency_staff_api,
        lambda w: {**tn(w), "appeal_id": w.appeal},
        {
            "POST": lambda w: {
                "json": {"result": "upheld", "decided_on": china_today(dt.datetime.now(dt.UTC)).isoformat()}
            }
        },
    ),
    "api_v1.Redactions": Row(
        agency_staff_api, tn, {"POST": lambda w: {"json": {"attachment": w.staff_pdf, "pii": True}}}
    ),
    "api_v1.Queue": Row(staff_api),
    "api_v1.AnnexTwo": Row(reports_api, bodies={"GET": report_args}),
    "api_v1.Snapshots": Row(
        reports_api,
        bodies={
            "GET": lambda w: {"query_string": {"agency": "MXA"}},
            "POST": lambda w: {"json": {"agency": "MXA", "year": w.year, "form": "2021"}},
        },
    ),
    "api_v1.Enquiries": Row(
        member_api,
        bodies={
            "GET": lambda w: {"query_string": {"agency": "MXA", "year": w.year}},
            "POST": lambda w: {
                "json": {
                    "agency": "MXA",
                    "channel": "phone",
                    "on": china_today(dt.datetime.now(dt.UTC)).isoformat(),
                }
            },
        },
    ),
    "api_v1.AnnualFigures": Row(
        reports_api,
        bodies={
            "GET": report_args,
            "PUT": lambda w: {
                **report_args(w),
                "json": {"annex_one": {"total": 3, "news": 1, "other": 2}},
            },
        },
    ),
    "api_v1.SignOff": Row(
        sign_off_api, lambda w: {"snapshot_id": w.snapshot}, {"POST": lambda w: {"json": {}}}
    ),
    "api_v1.AnnualReport": Row(reports_api, bodies={"GET": report_args}),
    "api_v1.AnnualTexts": Row(
        reports_api, bodies={"PUT": lambda w: {**report_args(w), "json": {"sections": {"problems": "矩阵"}}}}
    ),
    "api_v1.AnnualSignOff": Row(annual_sign_off_api, bodies={"POST": report_args}),
    "api_v1.AnnualCorrection": Row(
        annual_sign_off_api, bodies={"POST": lambda w: {**report_args(w), "json": {"reason": "矩阵更正"}}}
    ),
    "api_v1.PublishedReports": Row(public),
    "api_v1.PublishedVersionFile": Row(
        public, lambda w: {"agency": "MXA", "year": w.year, "form": "2013", "version": 1, "fmt": "pdf"}
    ),
    "api_v1.PublishedFile": Row(
        public, lambda w: {"agency": "MXA", "year": w.year, "form": "2013", "fmt": "pdf"}
    ),
    # -- staff pages
    "staff.home": Row(staff_page),
    "staff.logout": Row(public, last=2),  # anyone may log out; it ends at the login page
    "staff.logout_everywhere": Row(staff_page, last=1, ends_at_login=True),
    "staff.queue": Row(staff_page),
    "staff.all_requests": Row(staff_page),
    "staff.register": Row(staff_page, bodies={"POST": form({"description": "x"})}),
    "staff.register_receipt": Row(staff_page),
    "staff.register_late": Row(staff_page),
    "staff.mail_review": Row(staff_page),
    "staff.mail_dismiss": Row(agency_staff_page, lambda w: {"inbound_id": w.mail}),
    "staff.mail_message": Row(agency_staff_page, lambda w: {"inbound_id": w.mail}),
    "staff.queue_export": Row(staff_page, lambda w: {"fmt": "xlsx"}),
    "staff.queue_bulk": Row(
        staff_page,
        bodies={
            "POST": lambda w: {"data": {"action": "comment", "note": "已阅", "n": [w.req_a.tracking_number]}}
        },
    ),
    "staff.queue_save_view": Row(staff_page, bodies={"POST": form({"name": "本周", "query": "due=week"})}),
    "staff.queue_delete_view": Row(own_view_page, lambda w: {"view_id": w.view}),
    "staff.request_page": Row(agency_staff_page, tn, full_id=True),
    "staff.act_on": Row(
        agency_staff_page,
        lambda w: {**tn(w), "action": "comment"},
        {"POST": form({"comment-note": "已阅"})},
        full_id=True,
    ),
    "staff.upload": Row(agency_staff_page, tn, {"POST": upload("attachments")}),
    "staff.upload_release": Row(agency_staff_page, tn, {"POST": upload("files")}),
    "staff.redaction": Row(
        agency_staff_page,
        lambda w: {**tn(w), "attachment_id": w.staff_pdf},
        {"POST": form({"texts": "甲矩阵申请人"})},
    ),
    "staff.duplicate_of": Row(agency_staff_page, tn, {"POST": form({"original": "NOPE-2024-000001"})}),
    "staff.attachment": Row(agency_staff_page, lambda w: {**tn(w), "attachment_id": w.staff_file}),
    "staff.document": Row(agency_staff_page, lambda w: {**tn(w), "document_id": w.document}),
    "staff.application_form_pdf": Row(agency_staff_page, tn, full_id=True),  # for the applicant to sign
    "staff.enquiries": Row(agency_staff_page, bodies={"GET": lambda w: {"query_string": {"agency": "MXA"}}}),
    "staff.log_enquiry": Row(
        agency_staff_page,
        bodies={
            "POST": form(
                {
                    "enquiry-agency": "MXA",
                    "enquiry-channel": "phone",
                    "enquiry-outcome": "answered",
                    "enquiry-on": china_today(dt.datetime.now(dt.UTC)).isoformat(),
                }
            )
        },
        effect=enquiries_of_a,
    ),
    "staff.tally_enquiry": Row(
        agency_staff_page,
        bodies={"POST": form({"tally-agency": "MXA", "tally-channel": "in_person"})},
        effect=enquiries_of_a,
    ),
    "api_v1.RepeatedRequests": Row(
        agency_staff_api,
        lambda w: {"code": "MXA"},
        {
            "POST": lambda w: {
                "json": {
                    "title": "矩阵测试预算",
                    "year": w.req_a.received_on.year,
                    "requests": [w.req_a.tracking_number],
                }
            }
        },
        policies={"POST": decider_api},
    ),
    "api_v1.RepeatedRequestMembers": Row(
        decider_api,
        lambda w: {"code": "MXA", "group_id": w.info_group},
        {"POST": lambda w: {"json": {"tracking_number": w.req_a.tracking_number}}},
    ),
    "api_v1.RepeatedRequestDecision": Row(
        decider_api,
        lambda w: {"code": "MXA", "group_id": w.info_group},
        {"POST": lambda w: {"json": {"decision": "not_publish", "reason": "矩阵测试理由"}}},
    ),
    "api_v1.RepeatedRequestSuggestion": Row(
        decider_api,
        lambda w: {"code": "MXA", "group_id": w.info_group},
        {"POST": lambda w: {"json": {"note": "矩阵测试建议"}}},
    ),
    "staff.repeated_requests": Row(agency_staff_page, lambda w: {"code": "MXA"}),
    "staff.create_info_group": Row(
        decider_page,
        lambda w: {"code": "MXA"},
        {"POST": lambda w: {"data": {"title": "矩阵测试预算", "requests": w.req_a.tracking_number}}},
    ),
    "staff.decide_info_group": Row(
        decider_page,
        lambda w: {"code": "MXA", "group_id": w.info_group},
        {"POST": form({"decision": "not_publish", "reason": "矩阵测试理由"})},
    ),
    "staff.suggest_info_group": Row(
        decider_page,
        lambda w: {"code": "MXA", "group_id": w.info_group},
        {"POST": form({"note": "矩阵测试建议"})},
    ),
    "staff.link_info_group": Row(decider_page, tn, {"POST": form({"title": "矩阵测试预算"})}),
    "staff.appeals": Row(agency_staff_page, tn),
    "staff.record_appeal": Row(
        agency_staff_page,
        tn,
        {
            "POST": form(
                {
                    "appeal-kind": "review",
                    "appeal-result": "pending",
                    "appeal-filed_on": china_today(dt.datetime.now(dt.UTC)).isoformat(),
                }
            )
        },
    ),
    "staff.decide_appeal": Row(
        agency_staff_page,
        lambda w: {**tn(w), "appeal_id": w.appeal},
        {"POST": form({"decide-result": "upheld"})},
    ),
    "staff.figures": Row(reports_page, bodies={"GET": report_args}),
    "staff.save_figures": Row(
        reports_page,
        bodies={
            "POST": lambda w: {
                "data": {
                    "agency": "MXA",
                    "year": str(w.year),
                    "annex_one.total": "3",
                    "annex_one.news": "1",
                    "annex_one.other": "2",
                }
            }
        },
    ),
    "staff.import_figures": Row(
        reports_page,
        bodies={
            "POST": lambda w: {
                "data": {
                    "agency": "MXA",
                    "year": str(w.year),
                    "file": (
                        io.BytesIO(f"机关代码,年度,附表一·主动公开信息数\nMXA,{w.year},1\n".encode()),
                        "f.csv",
                    ),
                },
                "content_type": "multipart/form-data",
            }
        },
    ),
    "staff.confirm_import": Row(
        reports_page,
        bodies={
            "POST": lambda w: {
                "data": {
                    "agency": "MXA",
                    "year": str(w.year),
                    "payload": f'[{{"line": 2, "agency": "MXA", "year": {w.year}, '
                    '"annex_one": {"total": 3, "news": 1, "other": 2}}]',
                }
            }
        },
    ),
    "staff.figures_template": Row(head_or_admin_page, lambda w: {"fmt": "csv"}),
    "staff.approvals": Row(head_page),
    "staff.approve": Row(head_of_agency_page, tn, {"POST": form({"version": "1"})}),
    "staff.decline": Row(head_of_agency_page, tn, {"POST": form({"decline-note": "理由不足"})}),
    "staff.reports_page": Row(reports_page, bodies={"GET": report_args}),
    "staff.reports_export": Row(reports_page, lambda w: {"fmt": "csv"}, {"GET": report_args}),
    "staff.sign_off_snapshot": Row(sign_off_page, lambda w: {"snapshot_id": w.snapshot}),
    "staff.annual_editor": Row(reports_page, bodies={"GET": report_args}),
    "staff.annual_save": Row(
        reports_page, bodies={"POST": lambda w: {**report_args(w), "data": {"text-problems": "矩阵"}}}
    ),
    "staff.annual_export": Row(reports_page, lambda w: {"fmt": "pdf"}, {"GET": report_args}),
    "staff.annual_sign_off": Row(annual_sign_off_page, bodies={"GET": report_args, "POST": report_args}),
    "staff.annual_correction": Row(
        annual_sign_off_page, bodies={"POST": lambda w: {**report_args(w), **form({"reason": "矩阵更正"})(w)}}
    ),
    "staff.annual_css": Row(public),
    "citizen.published_reports": Row(public, lambda w: {"code": "MXA"}),
    "citizen.annual_reports_index": Row(public),
    # the user's own account and two-factor sign-in (for a user not enrolled, the last two go back to it)
    "staff.account": Row(staff_page),
    "staff.account_password": Row(staff_page, bodies={"POST": form({"password-current_password": "x"})}),
    "staff.password_forgot": Row(public, bodies={"POST": form({"email": "nobody@matrix.example"})}),
    "staff.password_reset": Row(dead_link, lambda w: {"token": "1." + "0" * 64}, {"POST": form({})}),
    "staff.two_factor_enrol": Row(staff_page, bodies={"POST": form({"code": "000000"})}),
    "staff.two_factor_recovery_codes": Row(staff_page, bodies={"POST": form({"regenerate-password": "x"})}),
    "staff.two_factor_disable": Row(staff_page, bodies={"POST": form({"disable-password": "x"})}),
    # -- the administrator's pages
    # -- the administrator's pages: two levels (variants below change something for real)
    "admin.index": Row(admin_page),
    "admin.agencies": Row(admin_page, bodies={"POST": form({"code": ""})}, policies={"POST": platform_only}),
    "admin.agency": Row(of_agency_a, lambda w: {"code": "MXA"}),
    "admin.agency_name": Row(
        rename_a, lambda w: {"code": "MXA"}, {"POST": form({"agency-name": "矩阵甲局"})}
    ),
    "admin.agency_parent": Row(rename_a, lambda w: {"code": "MXA"}, {"POST": form({"parent-parent": ""})}),
    "admin.document_settings": Row(
        of_agency_a, lambda w: {"code": "MXA"}, {"POST": form({"documents-x": ""})}
    ),
    "admin.application_form_pdf": Row(of_agency_a, lambda w: {"code": "MXA"}),
    "admin.letter_texts": Row(of_agency_a, lambda w: {"code": "MXA"}),
    "admin.letter_text": Row(
        of_agency_a, lambda w: {"code": "MXA", "key": "reply:disclosed"}, {"POST": form({"text": "{x}"})}
    ),
    "admin.catalogue": Row(of_agency_a, lambda w: {"code": "MXA"}, {"POST": form({"catalogue-year": "x"})}),
    "admin.catalogue_delete": Row(of_agency_a, lambda w: {"code": "MXA", "year": w.year}),
    "admin.users": Row(admin_page, bodies={"POST": form({"email": ""})}),
    "admin.user_active": Row(
        of_agency_a, lambda w: {"user_id": w.spare_user}, {"POST": form({"active": "1"})}
    ),
    "admin.user_edit": Row(of_agency_a, lambda w: {"user_id": w.spare_user}, {"POST": form({"role": "x"})}),
    "admin.user_deactivate": Row(of_agency_a, lambda w: {"user_id": w.spare_user}),
    "admin.tokens": Row(admin_page, bodies={"POST": form({"label": ""})}),
    "admin.revoke": Row(of_agency_a, lambda w: {"token_id": w.spare_token}),
    "admin.reset_user": Row(of_agency_a, lambda w: {"user_id": w.spare_user}),  # two-factor reset
    "admin.agency_requirement": Row(of_agency_a, lambda w: {"code": "MXA"}),  # two-factor requirement
    "admin.agency_upload_limits": Row(
        of_agency_a, lambda w: {"code": "MXA"}, {"POST": form({"limits-applicant_files": "x"})}
    ),
    "admin.calendar_view": Row(admin_page),  # agency administrators look; only the platform's changes
    "admin.calendar_day": Row(platform_only, bodies={"POST": form({"day-day": ""})}),
    "admin.calendar_clear": Row(platform_only, lambda w: {"day": f"{w.year}-06-10"}),
    "admin.calendar_confirm": Row(platform_only, bodies={"POST": form({"confirm-note": ""})}),
    "admin.calendar_notice": Row(platform_only),
    "admin.calendar_notice_read": Row(platform_only, bodies={"POST": form({"text": ""})}),
    "api_v1.HolidayNotices": Row(platform_api, bodies={"POST": lambda w: {"json": {"text": ""}}}),
}


def tokens_of(p: str) -> Callable[[World, Any], Any]:
    return lambda w, session: session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.user_id == w.users[p].id)
    )


def user_exists(email: str) -> Callable[[World, Any], Any]:
    return lambda w, session: session.scalar(
        select(func.count()).select_from(User).where(User.email == email)
    )


def active(user: Callable[[World], int]) -> Callable[[World, Any], Any]:
    return lambda w, session: session.get(User, user(w)).active


NEW_PASSWORD = "matrix-password-1"


def notice_text(year: int) -> str:
    """A holiday notice in the State Council's words for a year no other case touches."""
    return f"国务院办公厅关于{year}年部分节假日安排的通知\n一、元旦：1月1日放假。"


# Second rows of some routes: the attachment download routes take a file staff uploaded, which the
# applicant with the code must not get either; the administrator's acts are tried for real, each with
# the change it makes.
VARIANTS: dict[str, list[Row]] = {
    "api_v1.attachment": [Row(staff_file_api, lambda w: {**tn(w), "attachment_id": w.staff_file})],
    "citizen.attachment": [Row(track_only, lambda w: {**tn(w), "attachment_id": w.staff_file})],
    "admin.tokens": [
        # a token for agency A's head: A's administrator or the platform's, never B's
        Row(
            admin_page,
            bodies={"POST": lambda w: {"data": {"user": str(w.users["head_own"].id), "label": "矩阵"}}},
            policies={"POST": of_agency_a},
            effect=tokens_of("head_own"),
        ),
        # a token for the platform's administrator: only the platform's
        Row(
            admin_page,
            bodies={"POST": lambda w: {"data": {"user": str(w.users["admin_platform"].id)}}},
            policies={"POST": admin_levels(own=404, other=404)},
            effect=tokens_of("admin_platform"),
        ),
    ],
    "admin.users": [
        # a new platform administrator (an administrator of no agency): only the platform's makes one
        Row(
            admin_page,
            bodies={
                "POST": form({"email": "root3@matrix.example", "role": "admin", "password": NEW_PASSWORD})
            },
            policies={"POST": admin_levels(own=422, other=422)},
            effect=user_exists("root3@matrix.example"),
        ),
        # a new officer of agency A: not by B's administrator (A is not among its choices)
        Row(
            admin_page,
            bodies={
                "POST": lambda w: {
                    "data": {
                        "email": "new-a@matrix.example",
                        "role": "officer",
                        "agencies": str(w.a.id),
                        "password": NEW_PASSWORD,
                    }
                }
            },
            policies={"POST": admin_levels(other=422)},
            effect=user_exists("new-a@matrix.example"),
        ),
    ],
    "admin.agencies": [
        Row(
            admin_page,
            bodies={"POST": form({"code": "MXNEW", "name": "矩阵新局"})},
            policies={"POST": platform_only},
            effect=lambda w, session: session.scalar(
                select(func.count()).select_from(Agency).where(Agency.code == "MXNEW")
            ),
        )
    ],
    "admin.agency_name": [
        Row(
            rename_a,
            lambda w: {"code": "MXA"},
            {"POST": form({"agency-name": "矩阵甲局（改）"})},
            effect=lambda w, session: session.get(Agency, w.a.id).name,
        )
    ],
    "admin.calendar_day": [
        Row(
            platform_only,
            bodies={
                "POST": lambda w: {
                    "data": {"day-day": f"{w.year}-06-12", "day-kind": "holiday", "day-name": "矩阵"}
                }
            },
            effect=lambda w, session: session.get(CalendarOverride, dt.date(w.year, 6, 12)) is not None,
        )
    ],
    "admin.calendar_notice_read": [
        Row(
            platform_only,
            bodies={"POST": lambda w: {"data": {"text": notice_text(w.year + 3), "apply": "1"}}},
            effect=lambda w, session: session.get(CalendarYear, w.year + 3) is not None,
        )
    ],
    "api_v1.HolidayNotices": [
        Row(
            platform_api,
            lambda w: {"apply": "true"},
            {"POST": lambda w: {"json": {"text": notice_text(w.year + 4)}}},
            effect=lambda w, session: session.get(CalendarYear, w.year + 4) is not None,
        )
    ],
    "admin.user_edit": [
        # agency A's head renamed: A's administrator or the platform's
        Row(
            of_agency_a,
            lambda w: {"user_id": w.users["head_own"].id},
            {"POST": lambda w: {"data": {"name": "矩阵改名", "role": "head", "agencies": str(w.a.id)}}},
            effect=lambda w, session: session.get(User, w.users["head_own"].id).name,
        ),
        # agency A's head made a platform administrator (an administrator of no agency): only the platform's
        Row(
            of_agency_a,
            lambda w: {"user_id": w.users["head_own"].id},
            {"POST": form({"role": "admin"})},
            policies={"POST": admin_levels(own=422)},
            effect=lambda w, session: session.get(User, w.users["head_own"].id).role,
        ),
        # agency B's officer moved into agency A: B's administrator may not give A, A's may not see B's
        Row(
            admin_levels(own=404, other=ALLOW),
            lambda w: {"user_id": w.spare_b},
            {"POST": lambda w: {"data": {"role": "officer", "agencies": str(w.a.id)}}},
            policies={"POST": admin_levels(own=404, other=422)},
            effect=lambda w, session: sorted(a.code for a in session.get(User, w.spare_b).agencies),
        ),
    ],
    "admin.user_active": [
        # deactivate agency A's head: A's administrator or the platform's
        Row(
            of_agency_a,
            lambda w: {"user_id": w.users["head_own"].id},
            {"POST": form({"active": "0"})},
            effect=active(lambda w: w.users["head_own"].id),
        ),
        # deactivate a platform administrator: only the platform's
        Row(
            admin_levels(own=404, other=404),
            lambda w: {"user_id": w.root2},
            {"POST": form({"active": "0"})},
            effect=active(lambda w: w.root2),
        ),
    ],
    "admin.revoke": [
        # a token of agency B's officer: B's administrator or the platform's
        Row(
            admin_levels(own=404, other=ALLOW),
            lambda w: {"token_id": w.spare_b_token},
            effect=lambda w, session: session.get(ApiToken, w.spare_b_token).revoked_at is not None,
        )
    ],
}


@dataclass
class Case:
    endpoint: str
    method: str
    row: Row
    variant: int = 0

    @property
    def label(self) -> str:
        return f"{self.method} {self.endpoint}" + (f" (variant {self.variant})" if self.variant else "")

    @property
    def policy(self) -> Callable[[str], Any]:
        return self.row.policies.get(self.method, self.row.policy)


def cases(app: Flask) -> list[Case]:
    found = []
    for rule in app.url_map.iter_rules():
        row = ENDPOINTS.get(rule.endpoint)
        if row is None:
            continue  # test_every_endpoint_is_classified names it
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Case(rule.endpoint, method, row))
            for n, variant in enumerate(VARIANTS.get(rule.endpoint, []), start=1):
                if method in variant.bodies or not variant.bodies:
                    found.append(Case(rule.endpoint, method, variant, n))
    return sorted(found, key=lambda c: (c.row.last, c.endpoint, c.method))


# -- running one principal's row of the matrix ------------------------------------------------------------


def sign_in(app: Flask, w: World, principal: str) -> tuple[FlaskClient, dict[str, str]]:
    """A client as the principal: a staff login session and bearer token, or the applicant's tracked
    request and access code."""
    client = app.test_client()
    headers: dict[str, str] = {}
    if principal in STAFF:
        response = client.post("/staff/login", data={"email": w.users[principal].email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        headers["Authorization"] = f"Bearer {w.tokens[principal]}"
    elif principal in ("applicant", "other_applicant"):
        req, code = (w.req_a, w.codes["a"]) if principal == "applicant" else (w.req_b, w.codes["b"])
        response = client.post("/track", data={"tracking_number": req.tracking_number, "access_code": code})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        headers["X-Access-Code"] = code
    return client, headers


def forbidden_text(w: World, principal: str, case: Case, path: str) -> dict[str, str]:
    """What this principal must not find in this answer."""
    out: dict[str, str] = {}
    for key, secrets in w.secrets.items():
        agency_a = key in ("a", "a2")
        own_request = (principal == "applicant" and key == "a") or (
            principal == "other_applicant" and key == "b"
        )
        staff_sees = (
            principal in STAFF and principal != "admin_platform" and ((principal in IN_A) == agency_a)
        )
        for what, text in secrets.items():
            if staff_sees:
                if what == "ID number" and not (case.row.full_id and key == "a"):
                    out[f"{key}'s {what}"] = text
            elif own_request:
                if what in ("ID number", "internal note"):
                    out[f"{key}'s {what}"] = text
            elif not (what == "tracking number" and text in path):
                out[f"{key}'s {what}"] = text
    if principal in ("applicant", "other_applicant", "anonymous"):
        out["officers' email"] = "officer_own@matrix.example"
    if principal in STAFF and principal != "admin_platform":
        other = "b" if principal in IN_A else "a"
        for email in w.staff_emails[other]:
            out[f"agency {other.upper()}'s staff {email}"] = email
    return out


def readable(response: Any) -> str:
    """The answer as text to search: a PDF's text as pdftotext reads it (poppler-utils, as .ci/run
    installs), anything else as UTF-8."""
    data = response.get_data()
    if response.mimetype == "application/pdf":
        out = subprocess.run(["pdftotext", "-q", "-", "-"], input=data, capture_output=True, check=True)
        return out.stdout.decode("utf-8", "replace").replace(" ", "")
    return data.decode("utf-8", "replace")


def refused(expected: Any, response: Any, api: bool) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response.location.startswith("/staff/login")
    if expected == TRACK:
        return response.status_code == 302 and response.location == "/track"
    if expected == ACCOUNT:
        return response.status_code == 302 and response.location == "/account/sign-in"
    return response.status_code == expected


def let_in(response: Any, case: Case) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    if case.policy is public:  # e.g. the receipt page sends a browser without one to /track
        return True
    location = response.location or ""
    if case.row.ends_at_login and location == "/staff/login":
        return True
    refusals = ("/track", "/account/sign-in")
    return not (response.status_code == 302 and (location.startswith("/staff/login") or location in refusals))


@pytest.fixture
def world(
    app: Flask, session: scoped_session, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # CSRF has its own tests
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path))
    return seed(session, str(tmp_path))


def test_every_endpoint_is_classified(app: Flask):
    """A new endpoint must say who may use it here before it ships."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(ENDPOINTS))
    assert not missing, f"endpoints without a row in tests/test_authz_matrix.py ENDPOINTS: {missing}"
    found = cases(app)
    total, variants = len(found), sum(1 for c in found if c.variant)
    print(f"\nauthorisation matrix: {total - variants} endpoint-methods + {variants} variants", end=" ")
    print(f"× {len(PRINCIPALS)} principals = {total * len(PRINCIPALS)} cases")


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_the_matrix(app: Flask, world: World, principal: str, session: scoped_session):
    client, headers = sign_in(app, world, principal)
    problems: list[str] = []
    run = 0
    for case in cases(app):
        with app.test_request_context():
            path = url_for(case.endpoint, **case.row.values(world))
        api = path.startswith("/api/")
        kwargs = case.row.bodies.get(case.method, lambda w: {})(world)
        effect = case.row.effect
        before = effect(world, session) if effect else None
        response = client.open(path, method=case.method, headers=headers if api else {}, **kwargs)
        body = readable(response)
        response.close()
        expected = case.policy(principal)
        if effect is not None:
            session.expire_all()
            changed = effect(world, session) != before
            if changed != (expected == ALLOW):
                problems.append(
                    f"{case.label} {path}: {'changed' if changed else 'did not change'} what it acts on "
                    f"({response.status_code}), expected {expected}"
                )
        run += 1
        if response.status_code >= 500 and case.endpoint != "readyz":
            problems.append(f"{case.label} {path}: {response.status_code}")
        if expected == ALLOW:
            if not let_in(response, case):
                problems.append(
                    f"{case.label} {path}: refused with {response.status_code} {response.location}"
                )
        elif not refused(expected, response, api):
            problems.append(
                f"{case.label} {path}: expected {expected}, got {response.status_code} {response.location}"
            )
        for what, text in forbidden_text(world, principal, case, path).items():
            if text in body:
                problems.append(f"{case.label} {path}: LEAK of {what} ({response.status_code})")
        session.expire_all()
    print(f"\n{principal}: {run} cases, {len(problems)} problems")
    assert not problems, "\n".join(problems)
    assert run >= len(ENDPOINTS)


# -- the ID number: whole only on the request's own detail for its agency's staff -----------------------


def test_staff_of_the_agency_see_the_whole_id_number_on_the_request_only(app: Flask, world: World):
    secrets = world.secrets["a"]
    client, headers = sign_in(app, world, "officer_own")
    number = world.req_a.tracking_number

    page = client.get(f"/staff/requests/{number}").text
    assert secrets["name"] in page and secrets["ID number"] in page and secrets["internal note"] in page
    detail = client.get(f"/api/v1/requests/{number}", headers=headers).json
    assert detail["applicant"]["id_number"] == secrets["ID number"]

    queue = client.get("/api/v1/queue", headers=headers).json
    mine = next(item for item in queue["items"] if item["tracking_number"] == number)
    assert (
        mine["applicant"]["id_number"]
        == secrets["masked ID number"]
        == "110105********" + secrets["ID number"][-4:]
    )
    for listing in ("/staff/queue", "/staff/requests", f"/staff/requests?q={number}"):
        text = client.get(listing).text
        assert number in text and secrets["ID number"] not in text, listing


def test_the_applicant_never_sees_the_whole_id_number(app: Flask, world: World):
    secrets = world.secrets["a"]
    client, headers = sign_in(app, world, "applicant")
    number = world.req_a.tracking_number
    page = client.get(f"/track/{number}").text
    assert number in page and secrets["ID number"] not in page
    detail = client.get(f"/api/v1/requests/{number}", headers=headers)
    assert detail.status_code == 200 and secrets["ID number"] not in detail.text
    receipt = client.get(f"/track/{number}/documents/{world.document}.pdf")
    assert receipt.status_code == 200
    text = readable(receipt)
    assert number in text and secrets["ID number"] not in text
