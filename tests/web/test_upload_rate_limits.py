"""The applicant's uploads are rate-limited per address and per request (each file counts), on the API
and the pages; the refusal names the limit (429 with Retry-After); a stranger with a wrong access code
does not use up a request's budget; staff are not limited. Their own app with limits on, in memory."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import app_config
from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_upload_limits import PDF, api_upload, beside, open_request
from webapp import create_app
from webapp.domain.requests import act
from webapp.extensions import db

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_UPLOAD": "4 per minute",
    "RATELIMIT_UPLOAD_REQUEST": "2 per hour",
    "RATELIMIT_TRACKING": "100 per minute",
    "RATELIMIT_SUBMISSION": "100 per minute",
}
PER_REQUEST = "上传过于频繁：每件申请每小时最多上传2个文件，请稍后再试。"
PER_ADDRESS = "上传过于频繁：同一网络地址每分钟最多上传4个文件，请稍后再试。"


@pytest.fixture(scope="module")
def limited_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app({**app_config(database_url, tmp_path_factory.mktemp("upload-limits")), **LIMITS})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def limited(limited_app: Flask, session: Any) -> FlaskClient:
    limited_app.extensions["rate_limiter"].reset()
    return limited_app.test_client()


def assert_refused(response: Any, message: str) -> None:
    assert response.status_code == 429
    assert response.json["error"] == {"code": "rate_limited", "message": message, "fields": {"file": message}}
    assert 0 < int(response.headers["Retry-After"]) <= 3600


def test_the_api_limits_uploads_per_request_and_per_address(
    limited: FlaskClient, session: Any, people: People
):
    first, first_code = open_request(session, people)
    second, second_code = open_request(session, people)
    # a stranger guessing the access code from another address does not use up the request's budget
    wrong, elsewhere = {"X-Access-Code": "AAAA-AAAA-AAAA-AAAA"}, {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        assert api_upload(limited, first.tracking_number, wrong, environ_base=elsewhere).status_code == 404
    for _ in range(2):
        assert api_upload(limited, first.tracking_number, {"X-Access-Code": first_code}).status_code == 201
    assert_refused(api_upload(limited, first.tracking_number, {"X-Access-Code": first_code}), PER_REQUEST)
    english = api_upload(
        limited, first.tracking_number, {"X-Access-Code": first_code, "Accept-Language": "en"}
    )
    assert english.json["error"]["message"] == (
        "Too many uploads: at most 2 files per hour onto one request. Please try again later."
    )
    # the address has sent 4 files now (the refused ones count too): the second request waits as well
    assert_refused(api_upload(limited, second.tracking_number, {"X-Access-Code": second_code}), PER_ADDRESS)
    # staff with a token are not limited (their cap still holds)
    token = {"Authorization": f"Bearer {staff_token(session, people)}"}
    for _ in range(3):
        assert api_upload(limited, first.tracking_number, token).status_code == 201


def staff_token(session: Any, people: People) -> str:
    from webapp.domain.accounts import issue_token

    secret = issue_token(session, people.officer, now=dt.datetime.now(dt.UTC))
    session.commit()
    return secret


def test_a_correction_over_the_limit_says_so_beside_the_file_input(
    limited: FlaskClient, session: Any, people: People
):
    req, code = open_request(session, people)
    act(
        session,
        req,
        "request_correction",
        people.officer,
        now=dt.datetime.now(dt.UTC),
        items="补充",
        period_days=10,
    )
    session.commit()
    response = post(limited, "/track", {"tracking_number": req.tracking_number, "access_code": code})
    assert response.status_code == 302
    files = [(io.BytesIO(PDF), f"{i}.pdf") for i in range(3)]
    refused = post(
        limited,
        f"/track/{req.tracking_number}/correction",
        {"text": "补正内容", "attachments": files},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 429
    assert beside(refused.text, "attachments") == PER_REQUEST
    assert "补正内容" in refused.text  # the form comes back as it was sent
    session.refresh(req)
    assert req.status == "awaiting_correction" and req.attachments == []
    # the officer's uploads on the pages are not limited
    login(limited, people.officer)
    page = f"/staff/requests/{req.tracking_number}/attachments"
    for _ in range(3):
        assert post(limited, page, {"attachments": (io.BytesIO(PDF), "letter.pdf")}).status_code == 302
