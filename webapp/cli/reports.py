"""`flask --app webapp report …`: annex two from the command line, and the year-end snapshots."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.cli.common import fail, now
from webapp.domain import reports
from webapp.domain.calendar import china_today
from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.reports import exports
from webapp.reports.page import render_page

report_group = AppGroup("report", help="Annex two (附表二): tables in every format, year-end snapshots.")


@report_group.command("annex-two")
@click.option("--agency", "agencies", multiple=True, required=True, help="agency code (repeatable, or A,B)")
@click.option("--year", type=int, required=True)
@click.option("--form", type=click.Choice(list(reports.FORMS)), default="2021", show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "xlsx", "pdf", "html"]),
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
        if fmt in ("json", "html"):
            report = reports.full_report(session, scope, year, form)
            body = (
                json.dumps(report, ensure_ascii=False, indent=2, default=str).encode()
                if fmt == "json"
                else render_page(report, now=moment).encode()
            )
        else:
            report = reports.annex_two(session, scope, year, form)
            if fmt == "csv":
                body = exports.to_csv(report)
            elif fmt == "xlsx":
                body = exports.to_xlsx(report, scope.names)
            else:
                body = exports.to_pdf(report, scope.names)
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
