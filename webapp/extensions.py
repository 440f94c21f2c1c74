"""Flask extensions, created unbound and initialised by create_app()."""

from __future__ import annotations

import logging

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import DBAPIError

from webapp.models.base import Base

log = logging.getLogger(__name__)

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()  # every HTML form; the JSON API (/api/…) is exempt: it takes no cookies
login_manager = LoginManager()  # staff sessions on the HTML pages


def end_session(_exc: BaseException | None = None) -> None:
    """At the end of a request or task: give the session's connection back, and if the database dropped
    that connection meanwhile (a restart after the work was committed), let the answer stand.

    Flask-SQLAlchemy's own teardown rolls the session back; on a connection the server ended, that
    rollback raises, and the client got a bare 500 for work that was done. Here the dead connection is
    thrown away instead (the pool opens a new one), and Flask-SQLAlchemy's teardown finds nothing left.
    """
    try:
        db.session.remove()
    except DBAPIError as exc:
        log.warning("database connection lost at the end of the request: %s", type(exc.orig).__name__)
        db.session.registry().invalidate()
        db.session.registry.clear()
