"""What the pages need to show and hand out official documents: the PDF answer, the application form
filled in from a request, the HTML view of a document."""

from __future__ import annotations

import datetime as dt
import io

from flask import send_file
from werkzeug.wrappers import Response

from webapp.domain.attachments import content_disposition
from webapp.domain.dates import cn_date
from webapp.domain.documents import DocumentView, pdf_of, view_of
from webapp.domain.states import DELIVERY, ID_KINDS
from webapp.extensions import db
from webapp.models import Document, Request


def pdf_answer(data: bytes, filename: str, stand_in: str) -> Response:
    """A PDF to save, named `filename` (Chinese), or `stand_in`.pdf for browsers that need ASCII."""
    response = send_file(io.BytesIO(data), mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(filename, stand_in)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def document_pdf(doc: Document) -> Response:
    """The document's PDF (rendered and stored the first time, which this request then commits)."""
    data = pdf_of(db.session(), doc)
    db.session.commit()
    return pdf_answer(data, f"{doc.title}-{doc.request.tracking_number}.pdf", document_stand_in(doc))


def document_stand_in(doc: Document) -> str:
    """A document's download name in ASCII: reply-DEMO-2026-000245."""
    return f"{doc.kind.replace('_', '-')}-{doc.request.tracking_number}"


def views(docs: list[Document]) -> list[tuple[Document, DocumentView]]:
    return [(doc, view_of(doc)) for doc in docs]


def form_values(req: Request) -> dict[str, str]:
    """The 申请表's fields from a registered request (for the applicant to check and sign)."""
    person = req.applicant_type == "natural_person"
    suffix = "person" if person else "org"
    values = {
        f"name_{suffix}": req.applicant_name,
        f"id_number_{suffix}": req.applicant_id_number or "",
        f"phone_{suffix}": req.applicant_phone or "",
        f"email_{suffix}": req.applicant_email or "",
        f"address_{suffix}": req.applicant_address or "",
        "description": req.description + (f"（文号：{req.document_number}）" if req.document_number else ""),
        "purpose": req.purpose or "",
        "delivery": req.delivery,
        "delivery_label": DELIVERY.get(req.delivery, ""),
        "tracking_number": req.tracking_number,
        "received_on": cn_date(req.received_on),
        "due_on": cn_date(req.due_on),
        "date": cn_date(req.received_on),
        "registered_by": (req.registered_by.name or req.registered_by.email) if req.registered_by else "",
    }
    if person and req.applicant_id_kind:
        values["id_kind_person"] = ID_KINDS.get(req.applicant_id_kind, "")
    return values


def preview_view(doc: Document, body: str, date: dt.date, tracking_number: str) -> DocumentView:
    return DocumentView(doc.title, doc.number, body, dict(doc.header), date, tracking_number)
