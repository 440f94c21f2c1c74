"""The staff's pages for released information (docs/rules.md §Released information, §Redaction): files
uploaded to release with the reply, and the redaction step that makes a copy of a PDF with the marked
passages removed. Pages of the staff blueprint (webapp/web/staff.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from webapp import authz
from webapp.domain.attachments import attachment_path
from webapp.domain.errors import DomainError
from webapp.domain.redaction import find_pii, page_lines
from webapp.domain.release import RELEASE
from webapp.domain.release_files import redact_attachment
from webapp.extensions import db
from webapp.i18n import _l
from webapp.models import Attachment, Request
from webapp.models.base import MAX_ID
from webapp.web.auth import staff, staff_required
from webapp.web.common import now, store_uploads
from webapp.web.forms import PageForm, show_domain_errors
from webapp.web.staff import bp, staff_request


class ReleaseUploadForm(PageForm):
    files = MultipleFileField(_l("上传待公开的文件"))


class RedactionForm(PageForm):
    found = SelectMultipleField(
        _l("系统找到的个人信息"),
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description=_l("身份证号码、电话号码、电子邮箱地址；勾选的将被删除"),
    )
    texts = TextAreaField(
        _l("其他需要删除的内容"),
        [Optional(), Length(max=20000)],
        description=_l("每行一段，按文件中的文字原样填写（可从上方正文中复制）"),
    )


@bp.post("/requests/<tracking_number>/release-files")
@staff_required()
def upload_release(tracking_number: str) -> Any:
    """Files to release with the reply (any type file_types.sniff_release knows), kept as the staff's."""
    req = staff_request(tracking_number)
    form = ReleaseUploadForm()
    chosen = [f for f in (form.files.data or []) if isinstance(f, FileStorage) and f.filename]
    if not form.validate_on_submit() or not chosen:
        flash(_l("请选择要上传的文件"), "error")
        return redirect(url_for(".request_page", tracking_number=req.tracking_number) + "#release")
    try:
        store_uploads(req, chosen, uploaded_by=staff(), moment=now(), purpose=RELEASE)
    except DomainError as exc:
        db.session.rollback()
        for message in exc.fields.values() or [exc.message]:
            flash(f"{exc.message}：{message}", "error")
    else:
        db.session.commit()
        flash(_l("已上传待公开的文件。"), "success")
    return redirect(url_for(".request_page", tracking_number=req.tracking_number) + "#release")


def pdf_of(req: Request, attachment_id: int) -> Attachment:
    att = db.session.get(Attachment, attachment_id)
    if (
        att is None
        or not authz.may_see_attachment(staff(), req, att)
        or att.content_type != "application/pdf"
    ):
        raise NotFound()
    return att


def redaction_page(req: Request, att: Attachment, form: RedactionForm, code: int = 200) -> Any:
    data = Path(attachment_path(current_app.config["ATTACHMENT_DIR"], att)).read_bytes()
    try:
        pages, found = page_lines(data), find_pii(data)
    except DomainError as exc:
        pages, found = [], []
        form.summary = str(exc.message)
    form.found.choices = [(value, value) for value in found]
    if not form.is_submitted():
        form.found.data = found  # every proposal ticked: the officer unticks what may stay
    return render_template("staff/redaction.html", req=req, att=att, form=form, pages=pages), code


@bp.route(
    f"/requests/<tracking_number>/attachments/<int(max={MAX_ID}):attachment_id>/redaction",
    methods=["GET", "POST"],
)
@staff_required()
def redaction(tracking_number: str, attachment_id: int) -> Any:
    """The redaction step: the PDF's text, the personal data found in it, the passages to remove."""
    req = staff_request(tracking_number)
    att = pdf_of(req, attachment_id)
    form = RedactionForm()
    if request.method == "GET" or not form.validate_on_submit():
        return redaction_page(req, att, form, 200 if request.method == "GET" else 422)
    typed = [line.strip() for line in (form.texts.data or "").splitlines() if line.strip()]
    try:
        done = redact_attachment(
            db.session(),
            req,
            att.id,
            texts=[*(form.found.data or []), *typed],
            pii=False,
            actor=staff(),
            directory=current_app.config["ATTACHMENT_DIR"],
            now=now(),
        )
    except DomainError as exc:
        db.session.rollback()
        show_domain_errors(form, exc)
        return redaction_page(req, att, form, exc.http_status)
    db.session.commit()
    flash(
        _l("已生成删除处理后的文件“%(name)s”，删除%(n)s处。", name=done.attachment.filename, n=done.removed),
        "success",
    )
    return redirect(url_for(".request_page", tracking_number=req.tracking_number) + "#release")
