"""Flask commands for what the workers do (docs/api.md, Command line): `sweep`, `notices …`, `mailbox …`.

Each runs the same code as the scheduled task, once, in the foreground: for operators and for catching up.
They are declared under the `webapp.commands` entry point (pyproject.toml), which `flask --app webapp`
loads (webapp/cli/__init__.py): the workers depend on the web application, never the other way round.
The task modules (which import Celery) are imported when a command runs, not when the app is created.
"""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from webapp.cli.common import agency, agency_ids, fail, now
from webapp.domain.calendar import china_today
from webapp.domain.errors import DomainError
from webapp.domain.mailbox import dismiss_mail, mail_for_review, review_label, set_mailbox
from webapp.domain.notice_states import failed_notices, retry_notice
from webapp.extensions import db
from webapp.models import AgencyMailbox


@click.command("sweep")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="as of this day")
@with_appcontext
def sweep(today: dt.datetime | None) -> None:
    """Run the deadline sweeps once, exactly as the workers' schedule does, as of TODAY (or today)."""
    from workers.deadlines import run_sweeps  # imports Celery: only when the command runs

    moment = now()
    day = today.date() if today else china_today(moment)
    if day > china_today(moment):
        raise click.ClickException("--today cannot be a day still to come")
    result = run_sweeps(
        db.session(), today=day, now=moment, due_soon_days=int(current_app.config["DUE_SOON_WORKING_DAYS"])
    )
    click.echo(f"sweep as of {day.isoformat()}:")
    for name, count in result.summary().items():
        click.echo(f"  {name}: {count}")
    for label, numbers in (
        ("closed_correction_lapsed", result.corrections_lapsed),
        ("closed_fee_unpaid", result.fees_unpaid),
        ("consultation ended", result.consultations_resumed),
    ):
        for number in numbers:
            click.echo(f"  {number} {label}")


notices_group = AppGroup("notices", help="The outbox of notices: send now, list and retry failures.")


@notices_group.command("send")
def send() -> None:
    """Send the due notices now (what the relay does every few seconds)."""
    from workers.notices import RelaySettings, relay, transport_from_config  # imports Celery

    transport = transport_from_config(current_app.config)
    try:
        result = relay(db.session(), transport, RelaySettings.from_config(current_app.config))
    finally:
        transport.close()
    click.echo(f"{result.sent} sent, {result.retrying} to retry, {result.failed} failed ({transport.name})")


@notices_group.command("failed")
@click.option("--agency", "code", default=None)
def failed(code: str | None) -> None:
    """List the notices the relay gave up on."""
    for n in failed_notices(db.session(), agency_ids(code)):
        click.echo(f"{n.id}\t{n.tracking_number}\t{n.label}\t{n.attempts}\t{n.last_error}")


@notices_group.command("retry")
@click.argument("outbox_id", type=int)
def retry(outbox_id: int) -> None:
    """Send a failed notice again."""
    try:
        retry_notice(db.session(), outbox_id, now=now())
    except DomainError as exc:
        raise fail(exc) from exc
    db.session.commit()
    click.echo(f"notice {outbox_id} queued again")


mailbox_group = AppGroup("mailbox", help="The email channel: each agency's request mailbox (IMAP).")


@mailbox_group.command("set")
@click.argument("code")
@click.option("--host", required=True)
@click.option("--port", type=int, default=993, show_default=True)
@click.option("--user", "username", required=True)
@click.option("--password", envvar="MAILBOX_PASSWORD", default=None, help="or MAILBOX_PASSWORD")
@click.option("--folder", default="INBOX", show_default=True)
@click.option("--security", type=click.Choice(["ssl", "starttls", "none"]), default="ssl", show_default=True)
@click.option("--disable", is_flag=True, help="keep the settings but stop polling")
def set_box(
    code: str,
    host: str,
    port: int,
    username: str,
    password: str | None,
    folder: str,
    security: str,
    disable: bool,
) -> None:
    """Set the IMAP mailbox the workers poll for AGENCY's email requests."""
    try:
        set_mailbox(
            db.session(),
            agency(code),
            host=host,
            port=port,
            username=username,
            password=password,
            folder=folder,
            security=security,
            enabled=not disable,
            secret_key=current_app.config["SECRET_KEY"],
            now=now(),
        )
    except DomainError as exc:
        raise fail(exc) from exc
    db.session.commit()
    click.echo(
        f"mailbox of {code}: {username} at {host}:{port} ({security}) {'disabled' if disable else 'on'}"
    )


@mailbox_group.command("poll")
def poll() -> None:
    """Poll every enabled mailbox once, now."""
    from workers.mailbox import PollSettings, poll_all  # imports Celery

    for r in poll_all(db.session(), PollSettings.from_config(current_app.config)):
        state = "busy (another poller)" if r.skipped else (r.error or "ok")
        click.echo(f"mailbox {r.mailbox_id}: {r.requests} requests, {r.review} for review, {state}")


@mailbox_group.command("show")
def show() -> None:
    """The configured mailboxes and how their last poll went."""
    rows = db.session.execute(select(AgencyMailbox).order_by(AgencyMailbox.id)).scalars()
    for mb in rows:
        polled = mb.last_polled_at.isoformat() if mb.last_polled_at else "never"
        click.echo(
            f"{mb.agency.code}\t{mb.username}@{mb.host}:{mb.port}/{mb.folder}\t"
            f"{'on' if mb.enabled else 'off'}\tlast poll {polled}\t{mb.last_error or ''}"
        )


@mailbox_group.command("review")
@click.option("--agency", "code", default=None)
def review(code: str | None) -> None:
    """Messages that were not taken as requests (auto-replies, bounces …), for an officer to look at."""
    for row in mail_for_review(db.session(), agency_ids(code)):
        click.echo(f"{row.id}\t{row.received_at.isoformat()}\t{review_label(row)}\t{row.subject}")


@mailbox_group.command("dismiss")
@click.argument("inbound_id", type=int)
def dismiss(inbound_id: int) -> None:
    """Take a message off the review list (dealt with by hand)."""
    try:
        dismiss_mail(db.session(), inbound_id, actor=None, now=now())
    except DomainError as exc:
        raise fail(exc) from exc
    db.session.commit()
    click.echo(f"message {inbound_id} dismissed")
