"""The administrator's editor of an agency's own letter texts (on the admin blueprint of webapp/web/admin.py;
docs/rules.md §Letters): the list of texts (the reply once per outcome, each notice to the applicant),
and one text's page with the fields it may use beside it, the built-in text to start from, a preview on
one of the agency's requests of the text as typed (not saved), and saving it. Within the same walls as
the agency's other settings: its own administrators and the platform's."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from webapp.domain import templates
from webapp.domain.documents import own_texts
from webapp.domain.errors import DomainError
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Agency
from webapp.web.admin import agency_or_404, bp
from webapp.web.admin_forms import LetterTextForm
from webapp.web.common import now, today
from webapp.web.documents import preview_view
from webapp.web.forms import show_domain_errors


@bp.get("/agencies/<code>/texts")
def letter_texts(code: str) -> Any:
    agency = agency_or_404(code)
    return render_template(
        "admin/letter_texts.html", agency=agency, texts=own_texts.texts_of(db.session(), agency)
    )


def text_page(agency: Agency, key: str, form: LetterTextForm, *, shown: Any = None, code: int = 200) -> Any:
    return (
        render_template(
            "admin/letter_text.html",
            agency=agency,
            key=key,
            name=own_texts.label(key),
            form=form,
            fields=[(name, templates.FIELD_MEANINGS[name]) for name in templates.LETTER_FIELDS],
            starter=own_texts.starter(key),
            shown=shown,
        ),
        code,
    )


@bp.route("/agencies/<code>/texts/<key>", methods=["GET", "POST"])
def letter_text(code: str, key: str) -> Any:
    """GET: the text as saved. POST with `preview`: the letter on the chosen request as the typed text
    would make it (nothing saved); POST otherwise: the text saved, or its error beside it."""
    agency = agency_or_404(code)
    own_texts.key_or_404(key)
    form = LetterTextForm(formdata=None if request.method == "GET" else request.form)
    if request.method == "GET":
        form.text.data = dict((k, t) for k, _, t in own_texts.texts_of(db.session(), agency))[key]
        return text_page(agency, key, form)
    if not form.validate_on_submit():
        return text_page(agency, key, form, code=422)
    if "preview" in request.form:
        try:
            found = own_texts.preview_text(
                db.session(),
                agency,
                form.tracking_number.data or "",
                key,
                form.text.data,
                now=now(),
                today=today(),
            )
        except DomainError as exc:
            db.session.rollback()
            show_domain_errors(form, exc)
            return text_page(agency, key, form, code=exc.http_status)
        number = form.tracking_number.data or ""
        shown = (
            preview_view(found.letter, found.letter.body, found.on, number),
            preview_view(found.built_in, found.built_in.body, found.on, number),
        )
        db.session.rollback()
        return text_page(agency, key, form, shown=shown)
    try:
        own_texts.save_text(db.session(), agency, key, form.text.data, now=now())
    except DomainError as exc:
        db.session.rollback()
        show_domain_errors(form, exc)
        return text_page(agency, key, form, code=exc.http_status)
    db.session.commit()
    flash(
        _l("已保存%(name)s的正文。此后发出的文书使用新正文，已发出的文书不变。", name=own_texts.label(key)),
        "success",
    )
    return redirect(url_for(".letter_text", code=agency.code, key=key))
