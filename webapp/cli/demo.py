"""`flask demo-data`: a demo agency, its users and a year of requests (webapp/demo.py)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.cli.common import now
from webapp.demo import load_demo
from webapp.extensions import db
from webapp.models import Agency


@click.command("demo-data")
@click.option("--requests", "count", default=400, show_default=True)
@click.option("--seed", default=2013, show_default=True)
@click.option("--if-empty", is_flag=True, help="only when the database has no agency yet")
@with_appcontext
def demo_data(count: int, seed: int, if_empty: bool) -> None:
    """A demo agency, its users and a year of requests, for trying the product."""
    if if_empty and db.session.execute(select(Agency.id).limit(1)).first() is not None:
        click.echo("agencies exist: demo data not loaded")
        return
    click.echo("loading the demo agency, its users and a year of requests…")
    summary = load_demo(db.session(), count=count, seed=seed, now=now())
    db.session.commit()
    for line in summary:
        click.echo(line)
