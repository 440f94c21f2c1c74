"""`flask --app webapp report …`: annex two from the command line, and the year-end snapshots."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.cli.common import fail, now
from webapp.domain import reports
from webapp.domain.calendar import china_today
from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.render import FORMATS, FULL_REPORT_FORMATS, export

report_group = AppGroup("report", help="Annex two (附表二): tables in every format, year-end snapshots.")


@report_group.command("annex-two")
@click.option("--agency", "agencies", multiple=True, required=True, help="agency code (repeatable, or A,B)")
@click.option("--year", type=int, required=True)
@click.option("--form", type=click.Choice(list(reports.FORMS)), default="2021", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None)
def annex_two(agencies: tuple[str, ...], year: int, form: str, fmt: str, output: Path | None) -> None:
    """Annex two of one agency, or of several added up, for a year; to FILE or standard output."""
    session = db.session()
    moment = now()
    body: bytes
    try:
        scope = reports.resolve_scope(session, reports.parse_codes(agencies))
        reports.check_year(year, china_today(moment))
        table = reports.full_report if fmt in FULL_REPORT_FORMATS else reports.annex_two
        report = table(session, scope, year, form)
        body = export(report, fmt, names=scope.names, now=moment).body
    except DomainError as exc:
        raise fail(exc) from exc
    if output is None:
        if fmt in ("xlsx", "pdf"):
            raise click.UsageError(f"--output FILE is required for {fmt}")
        sys.stdout.buffer.write(body if body.endswith(b"\n") else body + b"\n")
    else:
        output.write_bytes(body)
        click.echo(f"wrote {output} ({len(body)} bytes)", err=True)


@report_group.command("snapshot")
@click.option("--year", type=int, default=None, help="the year to freeze (default: last year)")
def snapshot(year: int | None) -> None:
    """Freeze a finished year's tables, both forms, for every agency that has none yet."""
    moment = now()
    year = year if year is not None else china_today(moment).year - 1
    try:
        created = reports.snapshot_year(db.session(), year, moment)
    except DomainError as exc:
        raise fail(exc) from exc
    db.session.commit()
    click.echo(f"{year}: {len(created)} snapshot(s) created")
    for s in created:
        click.echo(f"  {s.agency.code} {s.form} revision {s.revision} checksum {s.checksum}")
