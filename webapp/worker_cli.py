"""Flask commands for what the workers do (API.md, Command line): `sweep`, `notices …`, `mailbox …`.

Each runs the same code as the scheduled task, once, in the foreground: for operators and for catching up.
"""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.domain.calendar import china_today
from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.models import Agency, AgencyMailbox


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _agency(code: str) -> Agency:
    agency = db.session.execute(select(Agency).where(Agency.code == code)).scalar_one_or_none()
    if agency is None:
        raise click.ClickException(f"unknown agency {code}")
    return agency


def _fail(exc: DomainError) -> click.ClickException:
    details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
    return click.ClickException(f"{exc.message}" + (f" ({details})" if details else ""))


def register_worker_cli(app: Flask) -> None:
    @app.cli.command("sweep")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="as of this day")
    def sweep(today: dt.datetime | None) -> None:
        """Run the deadline sweeps once, exactly as the workers' schedule does, as of TODAY (or today)."""
        from workers.deadlines import run_sweeps

        now = _now()
        day = today.date() if today else china_today(now)
        if day > china_today(now):
            raise click.ClickException("--today cannot be a day still to come")
        result = run_sweeps(
            db.session(), today=day, now=now, due_soon_days=int(current_app.config["DUE_SOON_WORKING_DAYS"])
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

    notices = AppGroup("notices", help="The outbox of notices: send now, list and retry failures.")
    app.cli.add_command(notices)

    @notices.command("send")
    def send() -> None:
        """Send the due notices now (what the relay does every few seconds)."""
        from workers.notices import RelaySettings, relay, transport_from_config

        transport = transport_from_config(current_app.config)
        try:
            result = relay(db.session(), transport, RelaySettings.from_config(current_app.config))
        finally:
            transport.close()
        click.echo(
            f"{result.sent} sent, {result.retrying} to retry, {result.failed} failed ({transport.name})"
        )

    @notices.command("failed")
    @click.option("--agency", "code", default=None)
    def failed(code: str | None) -> None:
        """List the notices the relay gave up on."""
        from webapp.domain.notices import failed_notices

        ids = [_agency(code).id] if code else list(db.session.execute(select(Agency.id)).scalars())
        for n in failed_notices(db.session(), ids):
            click.echo(f"{n.id}\t{n.tracking_number}\t{n.label}\t{n.attempts}\t{n.last_error}")

    @notices.command("retry")
    @click.argument("outbox_id", type=int)
    def retry(outbox_id: int) -> None:
        """Send a failed notice again."""
        from webapp.domain.notices import retry_notice

        try:
            retry_notice(db.session(), outbox_id, now=_now())
        except DomainError as exc:
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(f"notice {outbox_id} queued again")

    mailbox = AppGroup("mailbox", help="The email channel: each agency's request mailbox (IMAP).")
    app.cli.add_command(mailbox)

    @mailbox.command("set")
    @click.argument("code")
    @click.option("--host", required=True)
    @click.option("--port", type=int, default=993, show_default=True)
    @click.option("--user", "username", required=True)
    @click.option("--password", envvar="MAILBOX_PASSWORD", default=None, help="or MAILBOX_PASSWORD")
    @click.option("--folder", default="INBOX", show_default=True)
    @click.option(
        "--security", type=click.Choice(["ssl", "starttls", "none"]), default="ssl", show_default=True
    )
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
        from webapp.domain.mailbox import set_mailbox

        try:
            set_mailbox(
                db.session(),
                _agency(code),
                host=host,
                port=port,
                username=username,
                password=password,
                folder=folder,
                security=security,
                enabled=not disable,
                secret_key=current_app.config["SECRET_KEY"],
                now=_now(),
            )
        except DomainError as exc:
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(
            f"mailbox of {code}: {username} at {host}:{port} ({security}) {'disabled' if disable else 'on'}"
        )

    @mailbox.command("poll")
    def poll() -> None:
        """Poll every enabled mailbox once, now."""
        from workers.mailbox import PollSettings, poll_all

        for r in poll_all(db.session(), PollSettings.from_config(current_app.config)):
            state = "busy (another poller)" if r.skipped else (r.error or "ok")
            click.echo(f"mailbox {r.mailbox_id}: {r.requests} requests, {r.review} for review, {state}")

    @mailbox.command("show")
    def show() -> None:
        """The configured mailboxes and how their last poll went."""
        rows = db.session.execute(select(AgencyMailbox).order_by(AgencyMailbox.id)).scalars()
        for mb in rows:
            polled = mb.last_polled_at.isoformat() if mb.last_polled_at else "never"
            click.echo(
                f"{mb.agency.code}\t{mb.username}@{mb.host}:{mb.port}/{mb.folder}\t"
                f"{'on' if mb.enabled else 'off'}\tlast poll {polled}\t{mb.last_error or ''}"
            )

    @mailbox.command("review")
    @click.option("--agency", "code", default=None)
    def review(code: str | None) -> None:
        """Messages that were not taken as requests (auto-replies, bounces …), for an officer to look at."""
        from webapp.domain.mailbox import mail_for_review, review_label

        ids = [_agency(code).id] if code else list(db.session.execute(select(Agency.id)).scalars())
        for row in mail_for_review(db.session(), ids):
            click.echo(f"{row.id}\t{row.received_at.isoformat()}\t{review_label(row)}\t{row.subject}")

    @mailbox.command("dismiss")
    @click.argument("inbound_id", type=int)
    def dismiss(inbound_id: int) -> None:
        """Take a message off the review list (dealt with by hand)."""
        from webapp.domain.mailbox import dismiss_mail

        try:
            dismiss_mail(db.session(), inbound_id, actor=None, now=_now())
        except DomainError as exc:
            raise _fail(exc) from exc
        db.session.commit()
        click.echo(f"message {inbound_id} dismissed")
