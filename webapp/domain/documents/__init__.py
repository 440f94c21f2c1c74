"""The official documents the applicant is sent in writing (docs/rules.md), their text and their PDF.

Every event that NOTICES (webapp.domain.states) announces to the applicant sends one document: the
受理回执, the 补正告知书, the 延期答复告知书, the 征求第三方意见告知书, the 信息处理费缴费通知书, the
政府信息公开申请答复书 (one text per outcome code) and the 办结告知书. `issue()` writes it in the
transaction of its event: the text (the officer's edited version, or the default one drafted here), a
number from the agency's scheme and the letterhead as they stand; the row is never changed afterwards,
and its PDF is made once from exactly that. `previews.preview()` shows the officer the text an action
would send, without sending it (it carries the action out, so it sits above webapp.domain.requests and
is not among the names below).

The default texts quote the regulation in force on the request's received-on day: the 2019
《中华人民共和国政府信息公开条例》 (国务院令第711号) or the 2007 one in force from 2008-05-01
(国务院令第492号).

By concern: `wording` (articles, each outcome's basis and decision), `texts` (the default texts
drafted from them, an agency's own text filled in), `settings` (letterhead, contact block, number scheme,
own texts), `numbering` (schemes and serials), `issuing` (numbered and frozen with the event), `views`
(what a rendering needs, a request's documents, the stored PDF), `previews`.
"""

from webapp.domain.documents.issuing import clean_text, compose, issue
from webapp.domain.documents.numbering import (
    DEFAULT_SCHEME,
    counter_upsert,
    document_number,
    next_serial,
    scheme_error,
)
from webapp.domain.documents.settings import (
    OVERRIDABLE,
    SETTING_FIELDS,
    default_settings,
    header_of,
    save_settings,
    settings_for,
)
from webapp.domain.documents.views import DocumentView, documents_of, pdf_of, use_renderer, view_of
from webapp.domain.documents.wording import MAX_BODY

__all__ = [
    "DEFAULT_SCHEME",
    "MAX_BODY",
    "OVERRIDABLE",
    "SETTING_FIELDS",
    "DocumentView",
    "clean_text",
    "compose",
    "counter_upsert",
    "default_settings",
    "document_number",
    "documents_of",
    "header_of",
    "issue",
    "next_serial",
    "pdf_of",
    "save_settings",
    "scheme_error",
    "settings_for",
    "use_renderer",
    "view_of",
]
