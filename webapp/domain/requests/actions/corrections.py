"""The officer's correction of the applicant's details (docs/rules.md §Lifecycle): what arrived on paper
or was read wrongly from an e-mail (a request taken from the mailbox starts as a natural person) — type,
name, identity document, contacts — checked as at intake, with each old and new value in the history."""

from __future__ import annotations

from webapp.domain.requests.actions.spec import CHOICE, TEXT, Context, Field, action
from webapp.domain.requests.fields import MAX_TEXT, Applicant, text, validate_applicant
from webapp.domain.states import APPLICANT_TYPES, ID_KINDS
from webapp.i18n import _l

# action field -> (the request's column, the intake's error key)
CORRECTABLE = {
    "applicant_type": ("applicant_type", "applicant.type"),
    "applicant_name": ("applicant_name", "applicant.name"),
    "id_kind": ("applicant_id_kind", "applicant.id_kind"),
    "id_number": ("applicant_id_number", "applicant.id_number"),
    "phone": ("applicant_phone", "applicant.phone"),
    "email": ("applicant_email", "applicant.email"),
    "address": ("applicant_address", "applicant.address"),
}
DELIVERY_NEEDS = {"email": "email", "post": "address"}


@action(
    "correct_applicant",
    Field("applicant_type", CHOICE, choices=frozenset(APPLICANT_TYPES), doc="the applicant's type"),
    Field("applicant_name", TEXT, limit=200, doc="the applicant's name"),
    Field("id_kind", CHOICE, choices=frozenset(ID_KINDS), doc="the identity document's kind"),
    Field("id_number", TEXT, limit=40, doc="the identity document's number"),
    Field("phone", TEXT, limit=40, doc="the applicant's telephone"),
    Field("email", TEXT, limit=254, doc="the applicant's e-mail address"),
    Field("address", TEXT, limit=500, doc="the applicant's address"),
    Field("note", TEXT, limit=MAX_TEXT, doc="what the correction rests on (a letter, a form on paper)"),
)
def correct_applicant(c: Context) -> None:
    """Each given field replaces the applicant's value (a field left out stays as it is); the whole is
    checked as at intake (identity number, contacts) and the delivery keeps its contact."""
    req = c.req
    given = {name: c.take(name) for name in CORRECTABLE}
    note = text(c.errors, "note", c.take("note"), required=False) or ""
    for name, value in given.items():
        if value is not None and not isinstance(value, str):
            c.errors[name] = _l("应为文本")
    given = {n: v.strip() for n, v in given.items() if isinstance(v, str) and v.strip()}
    if not given and not c.errors:
        c.errors["applicant_name"] = _l("请填写要更正的申请人信息")
        return
    current = {name: getattr(req, column) for name, (column, _key) in CORRECTABLE.items()}
    merged = {**current, **given}
    if "id_number" in given and "id_kind" not in given:
        merged["id_kind"] = None  # derived from the type again, as at intake
    errors: dict[str, object] = {}
    checked = validate_applicant(
        errors,
        Applicant(
            type=str(merged["applicant_type"]),
            name=str(merged["applicant_name"] or ""),
            id_kind=merged["id_kind"],
            id_number=merged["id_number"],
            phone=merged["phone"],
            email=merged["email"],
            address=merged["address"],
        ),
    )
    by_key = {key: name for name, (_column, key) in CORRECTABLE.items()}
    for key, problem in errors.items():
        c.errors[by_key.get(key, "phone")] = problem
    new = {
        "applicant_type": checked.type,
        "applicant_name": checked.name,
        "id_kind": checked.id_kind,
        "id_number": checked.id_number,
        "phone": checked.phone,
        "email": checked.email,
        "address": checked.address,
    }
    needed = DELIVERY_NEEDS.get(req.delivery)
    if needed and not new[needed]:
        c.errors[needed] = _l("申请人选择的获取方式需要此联系方式")
    changes = {
        name: {"old": current[name], "new": new[name]} for name in CORRECTABLE if current[name] != new[name]
    }
    if not changes and not c.errors:
        c.errors["applicant_name"] = _l("与现有信息相同，没有需要更正的内容")
    for name, change in changes.items():
        c.updates[CORRECTABLE[name][0]] = change["new"]
    c.data["changes"] = changes
    c.note = note or "更正申请人信息"
