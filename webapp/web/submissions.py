"""One request per submission (docs/rules.md §One request per submission): the application and
registration forms carry a single-use token, and a keyed digest of what each form said, bound to the
browser (its tracking key, webapp/web/tracking.py) or to the officer, is spent with it (both kept by
webapp.domain.idempotency's form tokens, on the server: the cookie gains nothing), so that going back and
sending the same form again — with its token, or with the new one of a page fetched again — opens the
request already made instead of making a second."""

from __future__ import annotations

import hashlib
import hmac
import json

from flask import current_app
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from webapp.domain.idempotency import new_form_token, spend_form_token, spent_form_token
from webapp.extensions import db
from webapp.web import tracking
from webapp.web.common import now
from webapp.web.forms import ApplicationForm

CONTENT = (
    "agency",
    "applicant_type",
    "name",
    "id_kind",
    "id_number",
    "phone",
    "email",
    "address",
    "description",
    "document_number",
    "purpose",
    "delivery",
    "channel",
    "received_on",
)


def issue(form: ApplicationForm) -> None:
    """A fresh token for a form shown anew (a form shown again with its errors keeps the one it had)."""
    if not form.form_token.data:
        form.form_token.data = new_form_token()


def _secret() -> str:
    return str(current_app.secret_key)


def _content_token(form: ApplicationForm, *, create: bool) -> str | None:
    """What the form said, keyed to the one who sent it: the officer, or the citizen's browser."""
    if getattr(current_user, "is_authenticated", False):
        sender = f"staff:{current_user.get_id()}"
    else:
        key = tracking.browser_key(create=create)
        if key is None:
            return None
        sender = f"browser:{key}"
    content = {name: str(form[name].data or "") for name in CONTENT if name in form}
    message = json.dumps([sender, content], sort_keys=True, ensure_ascii=False).encode()
    key_bytes = hashlib.sha256(f"{_secret()}\x00submitted-form".encode()).digest()
    return hmac.new(key_bytes, message, hashlib.sha256).hexdigest()


def earlier(form: ApplicationForm) -> str | None:
    """The tracking number of the request this very form (its token, or the same answers from the same
    browser or officer in the last 24 hours) already made, or None."""
    moment, session = now(), db.session()
    for token in (form.form_token.data, _content_token(form, create=False)):
        number = spent_form_token(session, token, secret=_secret(), now=moment)
        if number is not None:
            return number
    return None


def remember(form: ApplicationForm, tracking_number: str) -> None:
    """Spend the form's token and its content's, in the caller's transaction."""
    moment, session = now(), db.session()
    for token in (form.form_token.data, _content_token(form, create=True)):
        spend_form_token(session, token, tracking_number, secret=_secret(), now=moment)


def made_meanwhile(form: ApplicationForm, exc: IntegrityError) -> str:
    """The same form sent twice at once: the other submission made the request, and this one's token was
    refused by the unique index. Rolls back and answers the request made; any other integrity error is
    raised again."""
    db.session.rollback()
    made = earlier(form)
    if made is None:
        raise exc
    return made
