"""Information requested by several applicants (Art. 44 of the 2019 Regulations; docs/rules.md §Information
many ask for).

An officer groups an agency's requests of one year that ask for the same information (同一政府信息): from
the request page, or from the product's proposals — requests of the year in no group yet, of different
applicants, whose descriptions are alike by `similarity()` (the measure of docs/rules.md §Duplicates).
A group counts its distinct applicants by identity document number (of its kind) or unified social
credit code, never by name: two 张三 with different numbers are two applicants, one number under two names
is one; a request without a number is not counted. A group with two or more is listed for the agency, and
an officer or head of the agency decides: 纳入主动公开 (where and when published) or 不纳入 (why). Each
step is an event of the group's history; an applicant's suggestion to publish (Art. 44, second paragraph)
is recorded on the group as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import authz
from webapp.domain.dates import cn_date
from webapp.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from webapp.domain.requests.duplicates import SIMILAR, similarity
from webapp.i18n import _l
from webapp.models import (
    Agency,
    InformationGroup,
    InformationGroupEvent,
    InformationGroupRequest,
    Request,
    User,
)
from webapp.models.info_groups import DECISIONS

MAX_TITLE = 200
MAX_PLACE = 300
MAX_TEXT = 2000
AT_LEAST = 2  # distinct applicants for the list of Art. 44
PROPOSAL_POOL = 500  # the year's latest requests in no group that proposals compare


# -- who ------------------------------------------------------------------------------------------------


def may_view(user: User | None, agency: Agency) -> bool:
    """The agency's own staff, whatever their role."""
    return authz.in_agency(user, agency.id)


def may_decide(user: User | None, agency: Agency) -> bool:
    """Group, decide, record a suggestion: an officer or head of the agency (docs/architecture.md
    §Authorisation)."""
    return authz.has_role(user, authz.OFFICER, authz.HEAD) and authz.in_agency(user, agency.id)


def require_decider(user: User | None, agency: Agency) -> User:
    if not may_view(user, agency):
        raise NotFound(_l("机关不存在"))
    if not may_decide(user, agency):
        raise Forbidden(_l("只有本机关的经办人或负责人可以处理"))
    assert user is not None  # noqa: S101 -- may_decide is False for None
    return user


def group_of(session: Session, agency: Agency, group_id: int) -> InformationGroup:
    group = session.get(InformationGroup, group_id)
    if group is None or group.agency_id != agency.id:
        raise NotFound(_l("该分组不存在"))
    return group


# -- counting -------------------------------------------------------------------------------------------


def applicant_key(req: Request) -> tuple[str, str] | None:
    """Who the applicant is for counting: the kind and number of the identity document or credit code;
    None without one (the name never counts)."""
    number = (req.applicant_id_number or "").strip().upper()
    return (req.applicant_id_kind or "", number) if number else None


def distinct_applicants(requests: list[Request]) -> int:
    return len({k for k in map(applicant_key, requests) if k is not None})


@dataclass(frozen=True)
class GroupView:
    group: InformationGroup
    requests: list[Request]  # in the order received
    applicants: int
    unidentified: int  # requests without an identity number, not counted

    @property
    def listed(self) -> bool:
        return self.applicants >= AT_LEAST


def view(group: InformationGroup) -> GroupView:
    reqs = sorted((m.request for m in group.members), key=lambda r: (r.received_on, r.id))
    return GroupView(group, reqs, distinct_applicants(reqs), sum(applicant_key(r) is None for r in reqs))


def groups(session: Session, agency: Agency, year: int) -> list[GroupView]:
    """The agency's groups of the year, those of two or more applicants first (most applicants first)."""
    rows = session.execute(
        select(InformationGroup)
        .where(InformationGroup.agency_id == agency.id, InformationGroup.year == year)
        .order_by(InformationGroup.id)
    ).scalars()
    return sorted(map(view, rows), key=lambda v: (not v.listed, -v.applicants, v.group.id))


def group_of_request(session: Session, req: Request) -> InformationGroup | None:
    member = session.get(InformationGroupRequest, req.id)
    return member.group if member else None


def proposals(session: Session, agency: Agency, year: int, *, limit: int = 10) -> list[list[Request]]:
    """Requests of the year in no group, gathered where descriptions are alike (each joins the first
    gathering it resembles the first request of), kept where they come from two or more applicants."""
    grouped = select(InformationGroupRequest.request_id)
    pool = list(
        session.execute(
            select(Request)
            .where(
                Request.agency_id == agency.id,
                Request.received_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
                Request.id.not_in(grouped),
            )
            .order_by(Request.id.desc())
            .limit(PROPOSAL_POOL)
        ).scalars()
    )
    gatherings: list[list[Request]] = []
    for req in reversed(pool):
        for g in gatherings:
            if similarity(g[0].description, req.description) >= SIMILAR:
                g.append(req)
                break
        else:
            gatherings.append([req])
    found = [g for g in gatherings if distinct_applicants(g) >= AT_LEAST]
    return sorted(found, key=lambda g: -distinct_applicants(g))[:limit]


# -- acts -----------------------------------------------------------------------------------------------


def _event(
    session: Session,
    group: InformationGroup,
    type_: str,
    actor: User | None,
    now: dt.datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        InformationGroupEvent(
            group=group, type=type_, at=now, actor_id=actor.id if actor else None, note=note, data=data or {}
        )
    )


def _link(session: Session, group: InformationGroup, req: Request, actor: User, now: dt.datetime) -> None:
    errors: dict[str, Any] = {}
    if req.agency_id != group.agency_id:
        raise NotFound(_l("申请不存在或访问码不正确"))
    if req.received_on.year != group.year:
        errors["requests"] = _l(
            "申请%(number)s不是%(year)s年收到的", number=req.tracking_number, year=group.year
        )
        raise ValidationError(_l("输入有误，请检查标出的字段"), errors)
    member = session.get(InformationGroupRequest, req.id)
    if member is not None and member.group_id == group.id:
        return
    moved_from = member.group.title if member is not None else None
    if member is not None:
        session.delete(member)
        session.flush()
    session.add(InformationGroupRequest(request_id=req.id, group=group, linked_at=now, linked_by_id=actor.id))
    note = f"申请{req.tracking_number}"
    if moved_from:
        note += f"（原属“{moved_from}”）"
    _event(session, group, "linked", actor, now, note, {"request": req.tracking_number})


def _title(title: str | None) -> str:
    cleaned = (title or "").strip()
    if not cleaned:
        raise ValidationError(_l("输入有误，请检查标出的字段"), {"title": _l("请填写所申请的信息")})
    if len(cleaned) > MAX_TITLE:
        raise ValidationError(
            _l("输入有误，请检查标出的字段"), {"title": _l("不能超过%(limit)s个字符", limit=MAX_TITLE)}
        )
    return cleaned


def create_group(
    session: Session,
    agency: Agency,
    *,
    title: str,
    year: int,
    requests: list[Request],
    actor: User | None,
    now: dt.datetime,
) -> InformationGroup:
    """A new group of the year with its requests (one at least), each moved from any group it was in."""
    user = require_decider(actor, agency)
    cleaned = _title(title)
    if not requests:
        raise ValidationError(_l("输入有误，请检查标出的字段"), {"requests": _l("至少选择一件申请")})
    group = InformationGroup(
        agency_id=agency.id, year=year, title=cleaned, created_at=now, created_by_id=user.id
    )
    session.add(group)
    _event(session, group, "created", user, now, cleaned)
    for req in requests:
        _link(session, group, req, user, now)
    session.flush()
    return group


def link_request(
    session: Session, group: InformationGroup, req: Request, *, actor: User | None, now: dt.datetime
) -> None:
    """The request asks for the group's information (moved from any other group)."""
    user = require_decider(actor, group.agency)
    _link(session, group, req, user, now)
    session.flush()


def decide(
    session: Session,
    group: InformationGroup,
    *,
    decision: str,
    published_where: str | None = None,
    published_on: dt.date | None = None,
    reason: str | None = None,
    actor: User | None,
    now: dt.datetime,
) -> InformationGroup:
    """The agency's decision on the group's information: 纳入主动公开 with where and when it was published,
    or 不纳入 with the reason. A later decision replaces the earlier one; the history keeps both."""
    user = require_decider(actor, group.agency)
    if not view(group).listed and not any(e.type == "suggested" for e in group.events):
        raise Conflict(
            _l("不足两名申请人，也没有申请人建议，无需作出决定"),
            {"decision": _l("至少两名不同申请人（按证件号码计）或有申请人建议")},
        )
    errors: dict[str, Any] = {}
    place = (published_where or "").strip()
    why = (reason or "").strip()
    if decision not in DECISIONS:
        errors["decision"] = _l("应为以下之一：%(values)s", values="、".join(DECISIONS))
    elif decision == "publish":
        if not place:
            errors["published_where"] = _l("请填写公开的位置（如政府网站栏目或网址）")
        elif len(place) > MAX_PLACE:
            errors["published_where"] = _l("不能超过%(limit)s个字符", limit=MAX_PLACE)
        if published_on is None:
            errors["published_on"] = _l("请填写公开日期")
    elif not why:
        errors["reason"] = _l("不纳入主动公开的，请说明理由")
    if len(why) > MAX_TEXT:
        errors["reason"] = _l("不能超过%(limit)s个字符", limit=MAX_TEXT)
    if errors:
        raise ValidationError(_l("输入有误，请检查标出的字段"), errors)
    publish = decision == "publish"
    group.decision = decision
    group.decided_at = now
    group.decided_by_id = user.id
    group.published_where = place if publish else None
    group.published_on = published_on if publish else None
    group.reason = why or None
    note = DECISIONS[decision]
    if publish and published_on is not None:
        note += f"：{cn_date(published_on)}，{place}"
    elif why:
        note += f"：{why}"
    data = {
        "decision": decision,
        "published_on": published_on.isoformat() if publish and published_on else None,
        "published_where": place if publish else None,
        "reason": why or None,
    }
    _event(session, group, "decided", user, now, note, data)
    session.flush()
    return group


def record_suggestion(
    session: Session,
    group: InformationGroup,
    *,
    note: str,
    request: Request | None = None,
    actor: User | None,
    now: dt.datetime,
) -> None:
    """An applicant's suggestion that the information be published proactively (Art. 44, second
    sentence: 涉及公众利益调整、需要公众广泛知晓或者需要公众参与决策), recorded on the group."""
    user = require_decider(actor, group.agency)
    text_ = (note or "").strip()
    if not text_ or len(text_) > MAX_TEXT:
        message = _l("请填写申请人的建议") if not text_ else _l("不能超过%(limit)s个字符", limit=MAX_TEXT)
        raise ValidationError(_l("输入有误，请检查标出的字段"), {"note": message})
    if request is not None and request.agency_id != group.agency_id:
        raise NotFound(_l("申请不存在或访问码不正确"))
    data = {"request": request.tracking_number} if request is not None else {}
    _event(session, group, "suggested", user, now, text_, data)
    session.flush()
