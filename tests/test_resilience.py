"""The app on a PostgreSQL that goes away: while it is unreachable the API answers 503 with Retry-After (a
client retries, with its Idempotency-Key); work committed before the connection died keeps its answer; after
a restart the connections pooled before are not handed to the next requests (pool_pre_ping). A cluster of the
tests' own (initdb, a free port), never the shared one. bench/loadtest/run.py shows the same under load,
with Redis stopped too."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text

from tests.factories import make_agency, make_request
from tests.workers.services import free_port
from webapp import create_app
from webapp.extensions import db
from webapp.models import OutboxMessage
from workers.notices import MailDropTransport, RelaySettings, relay

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def app_on(url: str, data_dir: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATA_DIR": str(data_dir),
        }
    )


def test_api_answers_503_while_the_database_is_unreachable(tmp_path: Path) -> None:
    app = app_on(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing_listens", tmp_path)
    answer = app.test_client().get("/api/v1/queue", headers={"Authorization": "Bearer some-token"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.get_json()["error"]["code"] == "unavailable"


class Cluster:
    def __init__(self, root: Path) -> None:
        self.data, self.port = root / "data", free_port()
        self.as_user: list[str] = []
        if os.getuid() == 0:  # initdb refuses root: the cluster belongs to `postgres`
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.options = f"-p {self.port} -k {root} -c listen_addresses=127.0.0.1"

    def start(self) -> None:
        self.pg_ctl("-l", str(self.data.parent / "pg.log"), "-o", self.options, "start")

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", *args],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd="/",
        )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL server binaries in {PG_BIN} (PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="gd-pg-"))
    os.chmod(root, 0o755)  # noqa: S103  (the postgres user must reach its cluster inside)
    c = Cluster(root)
    subprocess.run(
        [*c.as_user, str(PG_BIN / "initdb"), "-D", str(c.data), "-A", "trust", "-U", "postgres"],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd="/",
    )
    c.start()
    try:
        yield c
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            c.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def cluster_url(cluster: Cluster) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres"


@pytest.mark.e2e
def test_work_done_keeps_its_answer_when_the_connection_dies_before_the_request_ends(
    cluster: Cluster, tmp_path: Path
) -> None:
    app = app_on(cluster_url(cluster), tmp_path)

    def work_then_lose_the_connection() -> dict[str, int]:
        """A view that did its work, then lost its connection (killed by the server) before its end."""
        pid = int(db.session.execute(text("SELECT pg_backend_pid()")).scalar_one())
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return {"pid": pid}

    app.add_url_rule("/work", "work", work_then_lose_the_connection)
    client = app.test_client()
    answer = client.get("/work")  # the request's teardown rolls back on a dead connection
    assert answer.status_code == 200
    assert answer.get_json()["pid"] > 0
    assert client.get("/work").status_code == 200  # and the next request gets a live connection
    with app.app_context():
        db.engine.dispose()


@pytest.mark.e2e
def test_requests_after_a_database_restart_do_not_fail(cluster: Cluster, tmp_path: Path) -> None:
    app = app_on(cluster_url(cluster), tmp_path)

    def backends() -> list[int]:
        """Three requests at once, each on its own pooled connection: their server process ids."""
        with app.app_context():
            conns = [db.engine.connect() for _ in range(3)]
            try:
                return [int(c.execute(text("SELECT pg_backend_pid()")).scalar_one()) for c in conns]
            finally:
                for c in conns:
                    c.close()  # back to the pool, as at the end of a request

    before = backends()
    cluster.pg_ctl("-m", "fast", "restart")  # ends every connection the pool holds
    after = backends()  # would raise OperationalError on a dead pooled connection
    assert len(set(after)) == 3
    assert not set(after) & set(before)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.e2e
def test_a_notice_sent_while_the_database_restarts_is_marked_sent_not_sent_again(
    cluster: Cluster, tmp_path: Path
) -> None:
    """The mail server took the message, then the database went away before `sent_at` was committed: the
    relay waits for it and marks the row, instead of leaving it to be sent again when the lease ends."""
    app = app_on(cluster_url(cluster), tmp_path)
    drop = tmp_path / "maildrop"

    class DatabaseStopsAfterSending(MailDropTransport):
        restarts = 0

        def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> None:
            super().send(message, sender, recipients)
            if not self.restarts:
                self.restarts += 1
                cluster.pg_ctl("-m", "fast", "stop")
                threading.Timer(1.0, cluster.start).start()  # back a moment later

    with app.app_context():
        upgrade()
        session = db.session()
        now = dt.datetime.now(dt.UTC)
        make_request(session, now, make_agency(session, now), channel="online")
        session.commit()
        transport = DatabaseStopsAfterSending(drop)
        result = relay(session, transport, RelaySettings(lease=60.0))
        rows = session.execute(select(OutboxMessage).where(OutboxMessage.kind != "sms")).scalars().all()
        assert transport.restarts == 1
        assert rows
        assert result.sent == len(rows)
        assert all(row.sent_at is not None and row.claimed_until is None for row in rows)
        assert len(list(drop.glob("*.eml"))) == len(rows)
        db.session.remove()
        db.engine.dispose()
