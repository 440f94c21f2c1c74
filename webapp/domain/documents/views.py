"""A document as a rendering sees it (`DocumentView`), a request's documents, and the PDF stored with a
document: made once from its frozen contents by the renderer the application plugs in (`use_renderer`),
then always those same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.models import Request
from webapp.models.document import Document


@dataclass(frozen=True)
class DocumentView:
    """Everything a rendering (PDF or HTML) of a document needs."""

    title: str
    number: str
    body: str
    header: dict[str, object]
    date: dt.date
    tracking_number: str

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p.strip()]

    @property
    def contact_lines(self) -> list[str]:
        h = self.header
        labels = (
            ("contact_person", "联系人"),
            ("phone", "联系电话"),
            ("address", "通信地址"),
            ("postal_code", "邮政编码"),
            ("email", "电子邮箱"),
        )
        return [f"{label}：{h[key]}" for key, label in labels if h.get(key)]


def view_of(doc: Document) -> DocumentView:
    return DocumentView(
        doc.title, doc.number, doc.body, dict(doc.header), doc.on, doc.request.tracking_number
    )


def documents_of(session: Session, req: Request, *, applicant: bool = False) -> list[Document]:
    """The request's documents, oldest first; `applicant`: only those sent to the applicant."""
    query = select(Document).where(Document.request_id == req.id).order_by(Document.id)
    if applicant:
        query = query.where(Document.to_applicant.is_(True))
    return list(session.execute(query).scalars())


Renderer = Callable[[DocumentView], bytes]
_renderer: Renderer | None = None


def use_renderer(renderer: Renderer) -> None:
    """The function that makes a document's PDF from its view: the application plugs in webapp.render's
    when it is created (the domain never imports a renderer)."""
    global _renderer
    _renderer = renderer


def pdf_of(session: Session, doc: Document) -> bytes:
    """The document's PDF: rendered from its frozen contents the first time it is needed and stored, then
    always those same bytes (of two renderings at once, the first stored wins). Flushes, never commits."""
    if doc.pdf is not None:
        return doc.pdf
    if _renderer is None:
        raise RuntimeError("no PDF renderer: create_app() plugs webapp.render's in (use_renderer)")
    data = _renderer(view_of(doc))
    session.flush()
    session.execute(
        update(Document)
        .where(Document.id == doc.id, Document.pdf.is_(None))
        .values(pdf=data, sha256=hashlib.sha256(data).hexdigest())
    )
    stored = session.execute(select(Document.pdf, Document.sha256).where(Document.id == doc.id)).one()
    set_committed_value(doc, "pdf", stored.pdf)
    set_committed_value(doc, "sha256", stored.sha256)
    return bytes(stored.pdf)
