"""A correction refused with files chosen says plainly that they were not kept and must be chosen again
(as the application form does, tests/web/test_submissions.py); nothing is stored."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import People, applicant
from tests.web.conftest import post
from tests.web.test_citizen import PNG
from webapp.domain.requests import act, submit
from webapp.domain.requests.fields import MAX_TEXT
from webapp.models import Attachment


def test_a_refused_correction_says_its_files_were_not_kept(client: FlaskClient, people: People, session: Any):
    now = dt.datetime.now(dt.UTC)
    req, code = submit(
        session,
        agency=people.agency,
        applicant=applicant(),
        description="申请公开预算",
        delivery="email",
        now=now,
        channel="online",
    )
    act(session, req, "request_correction", people.officer, now=now, items="请写明文件名称", period_days=5)
    session.commit()
    assert (
        post(client, "/track", {"tracking_number": req.tracking_number, "access_code": code}).status_code
        == 302
    )
    path = f"/track/{req.tracking_number}/correction"
    for text in ("", "字" * (MAX_TEXT + 1)):  # missing, or too long: refused with the limit named, never cut
        response = post(
            client,
            path,
            {"text": text, "attachments": [(io.BytesIO(PNG), "补充材料.png")]},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert re.search(r'id="attachments-error">.*所选材料没有保存.*重新选择材料', html)
        assert 'id="text-error"' in html
    assert "不能超过" in html
    count = select(func.count()).select_from(Attachment).where(Attachment.request_id == req.id)
    assert session.execute(count).scalar_one() == 0
