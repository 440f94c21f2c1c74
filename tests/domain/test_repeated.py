"""Information requested by several applicants (Art. 44 of the 2019 Regulations, docs/rules.md §Information
many ask for): applicants counted by identity number, not by name; a group listed at two applicants; the
decision recorded with its history; the walls between agencies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import applicant, make_user
from webapp.domain import repeated
from webapp.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from webapp.domain.identity import resident_id_check_digit
from webapp.domain.requests import submit
from webapp.models import Request


def rid(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


ZHANG_1 = rid("11010519800101001")
ZHANG_2 = rid("11010519800101002")
LI = rid("44030519850303003")


def ask(session: Any, now: dt.datetime, agency: Any, name: str, id_number: str | None, text: str) -> Request:
    req, _ = submit(
        session,
        agency=agency,
        applicant=applicant(name=name, id_number=id_number, id_kind="resident_id" if id_number else None),
        description=text,
        delivery="email",
        now=now,
    )
    return req


BUDGET = "申请公开2024年度部门预算及其说明"


def test_the_same_number_under_two_names_is_one_applicant_the_same_name_with_two_numbers_is_two(
    session: Any, now: dt.datetime, world: dict[str, Any]
) -> None:
    agency, officer = world["agency"], world["officer"]
    a = ask(session, now, agency, "张三", ZHANG_1, BUDGET)
    b = ask(session, now, agency, "张叁", ZHANG_1, BUDGET)  # the same person, the name typed otherwise
    group = repeated.create_group(
        session, agency, title="2024年度部门预算", year=now.year, requests=[a, b], actor=officer, now=now
    )
    v = repeated.view(group)
    assert (v.applicants, v.listed) == (1, False)
    assert repeated.groups(session, agency, now.year)[0].listed is False

    c = ask(session, now, agency, "张三", ZHANG_2, BUDGET)  # another 张三: another number
    repeated.link_request(session, group, c, actor=officer, now=now)
    session.expire(group)
    v = repeated.view(group)
    assert (v.applicants, len(v.requests), v.listed) == (2, 3, True)


def test_a_request_without_an_identity_number_is_not_counted(
    session: Any, now: dt.datetime, world: dict[str, Any]
) -> None:
    agency, officer = world["agency"], world["officer"]
    a = ask(session, now, agency, "张三", ZHANG_1, BUDGET)
    b = ask(session, now, agency, "王五", LI, BUDGET)
    b.applicant_id_kind = b.applicant_id_number = None  # an e-mailed request names no document
    group = repeated.create_group(
        session, agency, title="预算", year=now.year, requests=[a, b], actor=officer, now=now
    )
    v = repeated.view(group)
    assert (v.applicants, v.unidentified, v.listed) == (1, 1, False)
    with pytest.raises(Conflict):  # fewer than two applicants, no suggestion: nothing to decide
        repeated.decide(session, group, decision="not_publish", reason="个人信息", actor=officer, now=now)


def test_proposals_gather_alike_descriptions_of_different_applicants(
    session: Any, now: dt.datetime, world: dict[str, Any]
) -> None:
    agency = world["agency"]
    a = ask(session, now, agency, "张三", ZHANG_1, BUDGET)
    b = ask(session, now, agency, "李四", LI, "请公开2024年度部门预算及说明")
    ask(session, now, agency, "张三", ZHANG_1, "申请公开2024年度部门预算")  # the same applicant again
    ask(session, now, agency, "李四", LI, "某某路段道路改造工程的招标文件")  # something else
    found = repeated.proposals(session, agency, now.year)
    assert len(found) == 1
    assert {a.id, b.id} <= {r.id for r in found[0]}
    # grouped, they are proposed no more
    repeated.create_group(
        session, agency, title="预算", year=now.year, requests=found[0], actor=world["officer"], now=now
    )
    assert repeated.proposals(session, agency, now.year) == []


def test_the_decision_is_recorded_with_who_and_when_and_a_later_one_keeps_the_history(
    session: Any, now: dt.datetime, world: dict[str, Any]
) -> None:
    agency, officer, head = world["agency"], world["officer"], world["head"]
    reqs = [ask(session, now, agency, "张三", ZHANG_1, BUDGET), ask(session, now, agency, "李四", LI, BUDGET)]
    group = repeated.create_group(
        session, agency, title="预算", year=now.year, requests=reqs, actor=officer, now=now
    )

    with pytest.raises(ValidationError) as missing:
        repeated.decide(session, group, decision="publish", actor=head, now=now)
    assert set(missing.value.fields) == {"published_where", "published_on"}
    with pytest.raises(ValidationError) as no_reason:
        repeated.decide(session, group, decision="not_publish", actor=head, now=now)
    assert set(no_reason.value.fields) == {"reason"}

    repeated.decide(session, group, decision="not_publish", reason="尚在审核", actor=officer, now=now)
    later = now + dt.timedelta(days=3)
    repeated.decide(
        session,
        group,
        decision="publish",
        published_where="示范市人民政府网站·财政预决算栏目",
        published_on=later.date(),
        actor=head,
        now=later,
    )
    assert (group.decision, group.decided_by_id, group.decided_at) == ("publish", head.id, later)
    assert group.reason is None and group.published_on == later.date()
    decided = [e for e in group.events if e.type == "decided"]
    assert [e.actor_id for e in decided] == [officer.id, head.id]
    assert "尚在审核" in decided[0].note and "财政预决算栏目" in decided[1].note
    day = later.date()
    assert f"{day.year}年{day.month}月{day.day}日" in decided[1].note  # the history's dates in Chinese


def test_an_applicants_suggestion_is_recorded_and_allows_a_decision(
    session: Any, now: dt.datetime, world: dict[str, Any]
) -> None:
    agency, officer = world["agency"], world["officer"]
    a = ask(session, now, agency, "张三", ZHANG_1, BUDGET)
    group = repeated.create_group(
        session, agency, title="预算", year=now.year, requests=[a], actor=officer, now=now
    )
    repeated.record_suggestion(
        session, group, note="涉及全市居民，需要公众广泛知晓", request=a, actor=officer, now=now
    )
    repeated.decide(
        session,
        group,
        decision="publish",
        published_where="政府网站",
        published_on=now.date(),
        actor=officer,
        now=now,
    )
    assert [e.type for e in group.events] == ["created", "linked", "suggested", "decided"]


def test_walls_between_agencies_and_roles(session: Any, now: dt.datetime, world: dict[str, Any]) -> None:
    agency, other = world["agency"], world["other"]
    reqs = [ask(session, now, agency, "张三", ZHANG_1, BUDGET), ask(session, now, agency, "李四", LI, BUDGET)]
    group = repeated.create_group(
        session, agency, title="预算", year=now.year, requests=reqs, actor=world["officer"], now=now
    )
    for stranger in (world["stranger"], world["stranger_head"]):  # another agency's staff: no such thing
        with pytest.raises(NotFound):
            repeated.decide(session, group, decision="not_publish", reason="x", actor=stranger, now=now)
        with pytest.raises(NotFound):
            repeated.create_group(
                session, agency, title="x", year=now.year, requests=reqs, actor=stranger, now=now
            )
    with pytest.raises(NotFound):  # the platform's administrator handles no request
        repeated.decide(session, group, decision="not_publish", reason="x", actor=world["admin"], now=now)
    with pytest.raises(NotFound):  # another agency's group is not found through one's own agency
        repeated.group_of(session, other, group.id)
    theirs = ask(session, now, other, "赵六", rid("31011519900202002"), BUDGET)
    with pytest.raises(NotFound):  # another agency's request cannot join
        repeated.link_request(session, group, theirs, actor=world["officer"], now=now)
    assert group.decision is None
    assert not repeated.may_decide(None, agency)
    assert repeated.may_view(world["head"], agency) and not repeated.may_view(world["stranger"], agency)


def test_an_agency_administrator_sees_but_does_not_decide(
    session: Any, now: dt.datetime, world: dict[str, Any]
) -> None:
    agency = world["agency"]
    admin = make_user(session, now, agency, role="admin")
    reqs = [ask(session, now, agency, "张三", ZHANG_1, BUDGET), ask(session, now, agency, "李四", LI, BUDGET)]
    group = repeated.create_group(
        session, agency, title="预算", year=now.year, requests=reqs, actor=world["officer"], now=now
    )
    assert repeated.may_view(admin, agency)
    with pytest.raises(Forbidden):
        repeated.decide(session, group, decision="not_publish", reason="x", actor=admin, now=now)


def test_a_request_of_another_year_cannot_join(session: Any, now: dt.datetime, world: dict[str, Any]) -> None:
    agency, officer = world["agency"], world["officer"]
    a = ask(session, now, agency, "张三", ZHANG_1, BUDGET)
    with pytest.raises(ValidationError) as refused:
        repeated.create_group(
            session, agency, title="预算", year=now.year - 1, requests=[a], actor=officer, now=now
        )
    assert "requests" in refused.value.fields
