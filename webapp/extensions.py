"""Flask extensions, created unbound and initialised by create_app()."""

from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from webapp.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()  # every HTML form; the JSON API (/api/…) is exempt: it takes no cookies
login_manager = LoginManager()  # staff sessions on the HTML pages
