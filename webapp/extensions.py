"""Flask extensions, created unbound and initialised by create_app()."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from webapp.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
