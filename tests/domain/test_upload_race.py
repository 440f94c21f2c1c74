"""Two uploads at once onto a request with one place left under its cap: the request's row is locked for
the count, so exactly one is kept and the other is refused with the limit named (413), not a 500 — and
the refused file is never written."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tests.conftest import erase_history
from tests.factories import make_agency, make_request, make_user
from webapp.domain.attachments import store_attachment
from webapp.domain.upload_limits import UploadRefused, save_limits
from webapp.extensions import db
from webapp.models import Agency, Attachment, OutboxMessage, Request, TrackingCounter, User

pytestmark = pytest.mark.skipif(
    not __import__("os").environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="row-level concurrency is tested on PostgreSQL (TEST_DATABASE_URL)",
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def one_place_left(app: Flask, now: dt.datetime) -> Any:
    with app.app_context():
        with Session(db.engine) as s:
            agency = make_agency(s, now, code="UPRACE")
            officer = make_user(s, now, agency, "officer", "uprace@example.gov.cn")
            req, _ = make_request(s, now, agency, received_on=dt.date(2024, 6, 3), officer=officer)
            save_limits(s, agency, {"applicant_files": 1})
            s.commit()
            ids = (req.id, officer.id)
        yield ids[0]
        with Session(db.engine) as s:
            s.execute(delete(OutboxMessage).where(OutboxMessage.request_id == ids[0]))
            erase_history(s, [ids[0]])
            s.execute(delete(Attachment).where(Attachment.request_id == ids[0]))
            s.execute(delete(Request).where(Request.id == ids[0]))
            s.execute(delete(TrackingCounter))
            s.execute(delete(User).where(User.id == ids[1]))
            s.execute(delete(Agency).where(Agency.code == "UPRACE"))
            s.commit()


def test_two_uploads_at_once_cannot_both_take_the_last_place(
    app: Flask, now: dt.datetime, one_place_left: int, tmp_path: Path
):
    loaded = threading.Barrier(2)
    results: dict[int, str] = {}

    def applicant(i: int) -> None:
        with app.app_context(), Session(db.engine) as s:
            req = s.get(Request, one_place_left)
            assert req is not None
            req.attachments  # noqa: B018  (both have seen no file before either writes)
            loaded.wait()
            try:
                store_attachment(
                    s,
                    req,
                    filename=f"{i}.pdf",
                    stream=io.BytesIO(PDF),
                    directory=str(tmp_path),
                    uploaded_by=None,
                    now=now,
                )
                s.commit()
                results[i] = "kept"
            except UploadRefused as exc:
                s.rollback()
                results[i] = str(exc.message)

    threads = [threading.Thread(target=applicant, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results.values()) == ["kept", "每件申请最多上传1个文件，已上传1个"], results
    with app.app_context(), Session(db.engine) as s:
        count = s.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.request_id == one_place_left)
        )
        assert count == 1
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
