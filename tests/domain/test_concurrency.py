"""Two officers acting on one request at once: exactly one wins, the other is told it changed (docs/rules.md
§Lifecycle)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.conftest import erase_history
from tests.factories import VALID_RESIDENT_ID, make_agency, make_request, make_user
from webapp.domain.errors import Conflict
from webapp.domain.requests import act
from webapp.extensions import db
from webapp.models import Agency, IdempotencyRecord, OutboxMessage, Request, TrackingCounter, User

pytestmark = pytest.mark.skipif(
    not __import__("os").environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="row-level concurrency is tested on PostgreSQL (TEST_DATABASE_URL)",
)


@pytest.fixture
def committed_request(app: Flask, now: dt.datetime) -> Any:
    with app.app_context():
        with Session(db.engine) as s:
            agency = make_agency(s, now, code="RACE")
            officers = [make_user(s, now, agency, "officer", f"racer{i}@example.gov.cn") for i in (1, 2)]
            req, _ = make_request(s, now, agency, received_on=dt.date(2024, 6, 3), officer=officers[0])
            s.commit()
            ids = (req.id, [o.id for o in officers])
        yield ids
        with Session(db.engine) as s:
            s.execute(delete(OutboxMessage).where(OutboxMessage.request_id == ids[0]))
            erase_history(s, [ids[0]])
            s.execute(delete(Request).where(Request.id == ids[0]))
            s.execute(delete(TrackingCounter))
            s.execute(delete(User).where(User.id.in_(ids[1])))
            s.execute(delete(Agency).where(Agency.code == "RACE"))
            s.commit()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("accept", {}), ("accept", {})),
        (("accept", {}), ("start_consultation", {"party": "某公司"})),
        (("reply", {"outcome": "disclosed", "on": dt.date(2024, 6, 3)}), ("comment", {"note": "同时备注"})),
    ],
)
def test_two_concurrent_actions_exactly_one_wins(
    app: Flask, now: dt.datetime, committed_request, first, second
):
    request_id, officer_ids = committed_request
    loaded = threading.Barrier(2)
    results: dict[int, str] = {}

    def officer(i: int, action: str, fields: dict[str, Any]) -> None:
        with app.app_context(), Session(db.engine) as s:
            req = s.get(Request, request_id)
            user = s.get(User, officer_ids[i])
            assert req is not None
            version = req.version
            req.events  # noqa: B018  (load the history before the other officer writes)
            loaded.wait()
            try:
                act(s, req, action, user, now=now, version=version, **fields)
                s.commit()
                results[i] = "won"
            except Conflict:
                s.rollback()
                results[i] = "conflict"

    threads = [threading.Thread(target=officer, args=(i, *pair)) for i, pair in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == ["conflict", "won"], results

    with app.app_context(), Session(db.engine) as s:
        req = s.execute(select(Request).where(Request.id == request_id)).scalar_one()
        assert req.version == 2, [(e.seq, e.type) for e in req.events]
        assert [e.seq for e in req.events] == [1, 2]


def test_concurrent_retries_with_one_idempotency_key_create_one_request(app: Flask, now: dt.datetime):
    with app.app_context(), Session(db.engine) as s:
        make_agency(s, now, code="RETRY")
        s.commit()
    body = {
        "agency": "RETRY",
        "applicant": {
            "type": "natural_person",
            "name": "张三",
            "id_number": VALID_RESIDENT_ID,
            "email": "zs@example.cn",
        },
        "description": "申请公开某文件",
        "delivery": "email",
    }
    start = threading.Barrier(4)
    answers: list[tuple[int, dict[str, Any]]] = []
    key = str(uuid.uuid4())

    def retry() -> None:
        client = app.test_client()
        start.wait()
        r = client.post("/api/v1/requests", json=body, headers={"Idempotency-Key": key})
        answers.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert [status for status, _ in answers] == [201] * 4
        assert len({a["tracking_number"] for _, a in answers}) == 1
        assert len({a["access_code"] for _, a in answers}) == 1
        with app.app_context(), Session(db.engine) as s:
            agency = s.execute(select(Agency).where(Agency.code == "RETRY")).scalar_one()
            rows = s.execute(select(Request).where(Request.agency_id == agency.id)).scalars().all()
            assert len(rows) == 1
    finally:
        with app.app_context(), Session(db.engine) as s:
            agency_id = s.execute(select(Agency.id).where(Agency.code == "RETRY")).scalar_one()
            s.execute(delete(IdempotencyRecord))
            s.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.request_id.in_(select(Request.id).where(Request.agency_id == agency_id))
                )
            )
            erase_history(s, select(Request.id).where(Request.agency_id == agency_id))
            s.execute(delete(Request).where(Request.agency_id == agency_id))
            s.execute(delete(TrackingCounter).where(TrackingCounter.agency_id == agency_id))
            s.execute(delete(Agency).where(Agency.id == agency_id))
            s.commit()
