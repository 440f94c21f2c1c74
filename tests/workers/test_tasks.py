"""The Celery application's settings and schedule, and the thin task functions themselves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask

from tests.factories import make_agency
from webapp.config import WorkerSettings
from workers import schedule
from workers.celery_app import celery_config
from workers.deadlines import sweep
from workers.notices import relay_notices
from workers.reports import snapshot_last_year_now


def test_one_schedule_with_explicit_task_names(app: Flask):
    entries = schedule.beat_schedule(app.config)
    assert {e["task"] for e in entries.values()} == {
        "workers.deadlines.sweep",
        "workers.notices.relay",
        "workers.sms.relay",
        "workers.mailbox.poll",
        "workers.reports.snapshot_last_year",
        "workers.housekeeping.purge",
        "workers.annual_reports.draft_last_year",
        "workers.annual_reports.remind_unsigned",
    }
    assert entries["notice-relay"]["schedule"] == dt.timedelta(seconds=5)
    assert entries["deadline-sweep"]["options"]["expires"] == 600


def test_embedded_broker_without_redis_and_json_only(app: Flask, tmp_path: Path):
    config = {**app.config, "REDIS_URL": None, "DATA_DIR": str(tmp_path)}
    settings = celery_config(config)
    assert settings["broker_url"] == "filesystem://localhost//"
    assert (tmp_path / "broker" / "queue").is_dir()
    assert settings["accept_content"] == ["json"] and settings["task_serializer"] == "json"
    assert settings["task_ignore_result"] and settings["result_backend"] is None

    redis = celery_config({**config, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert redis["broker_url"] == "redis://127.0.0.1:6379/0"
    assert redis["task_default_queue"] == "gov-disclosure"


def test_worker_settings_from_the_environment():
    s = WorkerSettings.from_env(
        {"SMTP_HOST": "smtp.example.gov.cn", "SMTP_PORT": "465", "SMTP_FROM": "a@b.cn"}
    )
    assert (s.smtp_host, s.smtp_port, s.smtp_security, s.smtp_from) == (
        "smtp.example.gov.cn",
        465,
        "ssl",
        "a@b.cn",
    )
    assert WorkerSettings.from_env({"SMTP_PORT": "587"}).smtp_security == "starttls"
    assert WorkerSettings.from_env({}).smtp_host is None  # the mail drop


def test_the_tasks_run_in_the_app_context(app: Flask, session: Any, tmp_path: Path):
    with app.app_context():
        app.config["DATA_DIR"], saved = str(tmp_path), app.config["DATA_DIR"]
        try:
            assert set(sweep.run()) >= {"corrections_lapsed", "overdue_marked", "digests"}
            assert sweep.run(today="2024-06-14")["corrections_lapsed"] == 0
            assert relay_notices.run() == {"sent": 0, "retrying": 0, "failed": 0}
        finally:
            app.config["DATA_DIR"] = saved


def test_the_january_snapshot_is_taken_once(session: Any):
    now = dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC)
    make_agency(session, now, code="SNAP")
    first = snapshot_last_year_now(session, now)
    assert first >= 2  # both forms, for every agency
    assert snapshot_last_year_now(session, now) == 0


def test_the_embedded_broker_survives_a_message_cut_short(tmp_path: Path):
    """A producer killed mid-write leaves a truncated file: the next consumer drops it and goes on."""
    from kombu import Connection

    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
    }
    with Connection(
        "filesystem://localhost//", transport="workers.broker:Transport", transport_options=options
    ) as conn:
        queue = conn.SimpleQueue("jobs")
        # kombu names files "<monotonic ms>_<uuid>.<queue>.msg": a leading "0" sorts before any of them.
        (folders["queue"] / "0_cut.jobs.msg").write_bytes(b'{"body": "eyJ')
        queue.put({"task": "workers.notices.relay"})
        assert not any(p.name.endswith(".tmp") for p in folders["queue"].iterdir())
        message = queue.get(timeout=5)
        assert message.payload == {"task": "workers.notices.relay"}
        message.ack()
        queue.close()
    assert list(folders["queue"].iterdir()) == [] and list(folders["processed"].iterdir()) == []
