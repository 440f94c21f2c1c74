"""The data directory is its owner's only: the folder 0700, the SQLite database (and its -wal/-shm files)
0600, and every file the product writes there — attachments, inbound mail, the mail drop, the file
broker's messages — 0600 in 0700 folders, whatever the process's umask; the product's processes also
set the umask 077 for what libraries create there (the beat schedule)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shelve
import stat
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from tests.conftest import app_config
from tests.domain.test_mailbox import OWN, PDF
from tests.factories import People, mail, make_request
from webapp import create_app
from webapp.domain.attachments import store_attachment
from webapp.domain.calendar import china_today
from webapp.domain.mailbox import ingest
from webapp.extensions import db
from workers.broker import Channel
from workers.celery_app import celery_config
from workers.notices import MailDropTransport


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The umask most systems start with (group and others may read what is created); the test's own
    umask is restored afterwards (the app below sets 077)."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_every_file_the_product_writes_is_owner_only(
    app: Flask, session: Any, people: People, tmp_path: Path, wide_umask: None
):
    data = tmp_path / "data"
    now = dt.datetime.now(dt.UTC)
    req, _ = make_request(session, now, people.agency, received_on=china_today(now), officer=people.officer)
    store_attachment(
        session,
        req,
        filename="scan.pdf",
        stream=io.BytesIO(PDF),
        directory=str(data / "attachments"),
        uploaded_by=None,
        now=now,
    )
    session.commit()
    ingest(
        session,
        people.agency,
        mail(attachments=(("letter.pdf", PDF, "application/pdf"),)),
        now=now,
        inbound_dir=data / "inbound",
        attachment_dir=data / "attachments",
        own_domain=OWN,
    )
    session.commit()
    message = EmailMessage()
    message["X-Delivery-Key"] = "notice_TEST_1"
    message.set_content("受理回执")
    MailDropTransport(data / "maildrop").send(message, "from@example.cn", ["to@example.cn"])
    settings = celery_config({**app.config, "DATA_DIR": str(data), "REDIS_URL": None})
    channel = Channel.__new__(Channel)  # only its _put, on the folder celery_config made
    channel.__dict__["data_folder_out"] = settings["broker_transport_options"]["data_folder_in"]
    channel._put("q", {"body": "x"})

    files = [p for p in data.rglob("*") if p.is_file()]
    folders = [p for p in data.rglob("*") if p.is_dir()]
    kinds = {p.relative_to(data).parts[0] for p in files}
    assert kinds == {"attachments", "inbound", "maildrop", "broker"}, files
    assert len([p for p in files if p.parts[-3] == "attachments"]) == 2  # the upload and the mail's PDF
    assert {str(p.relative_to(data)): oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    assert {str(p.relative_to(data)): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}


def test_a_data_directory_and_its_database_are_tightened_at_start(tmp_path: Path, wide_umask: None):
    data = tmp_path / "instance"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # noqa: S103  (as an older version left it)
    (data / "attachments").mkdir()
    os.chmod(data / "attachments", 0o755)  # noqa: S103
    old_file = data / "disclosure.db"
    config = {
        **app_config(f"sqlite:///{old_file}", data),
        "PRIVATE_UMASK": True,  # as in every process of the product
    }
    app = create_app(config)
    try:
        assert oct(mode(data)) == oct(0o700)
        assert oct(mode(data / "attachments")) == oct(0o700)
        assert oct(mode(old_file)) == oct(0o600)  # made by the product, before SQLite would (0644)
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE probe (x INTEGER)"))
            conn.execute(text("INSERT INTO probe VALUES (1)"))
            wal = [p for p in data.iterdir() if p.name.startswith("disclosure.db-")]
            assert wal and all(mode(p) == 0o600 for p in wal), [(p.name, oct(mode(p))) for p in wal]
        # what a library creates there under the process's umask: Celery beat's schedule (a shelve)
        with shelve.open(str(data / "celerybeat-schedule")) as schedule:  # noqa: S301
            schedule["entries"] = {}
        created = [p for p in data.iterdir() if p.name.startswith("celerybeat-schedule")]
        assert created and all(mode(p) == 0o600 for p in created)
    finally:
        with app.app_context():
            db.engine.dispose()
