"""Each action is described once, beside its handler (webapp/domain/requests/actions/): its fields with
their kinds, bounds and choices. The domain refuses any other field; the API's schema (ActionIn) is derived
from that one description and the staff's forms (ACTION_FORMS) are checked here against it, field by field."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import fields as ma_fields
from marshmallow import validate
from wtforms import (
    BooleanField,
    DecimalField,
    FieldList,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from webapp.api.schemas import ActionIn
from webapp.domain.requests import ACTION_SPECS
from webapp.domain.requests.actions.spec import (
    BOOLEAN,
    CHOICE,
    IDS,
    INTEGER,
    NUMBER,
    PARTS,
    STAFF_EMAIL,
    TEXT,
    Field,
)
from webapp.domain.states import HEAD_ACTIONS, STAFF_ACTIONS, TRANSITIONS
from webapp.web.action_forms import ACTION_FORMS

# the fields every action takes besides its own: the date, the version and (actions that send a
# document) the document's edited text
COMMON = {"on", "version", "document_text", "csrf_token"}


def test_every_action_is_described_once():
    assert set(ACTION_SPECS) == set(TRANSITIONS)
    for name, spec in ACTION_SPECS.items():
        assert spec.name == name
        assert spec.allowed_from == TRANSITIONS[name][0]
        assert spec.head_only == (name in HEAD_ACTIONS)
        assert len({f.name for f in spec.fields}) == len(spec.fields)
        assert not spec.field_names & COMMON


def test_the_api_schema_takes_exactly_the_described_actions_and_fields():
    schema = ActionIn()
    action = schema.fields["action"]
    one_of = next(v for v in action.validators if isinstance(v, validate.OneOf))
    assert set(one_of.choices) == {n for n, s in ACTION_SPECS.items() if s.staff} == STAFF_ACTIONS
    described: dict[str, list[Field]] = {}
    for spec in ACTION_SPECS.values():
        if spec.staff:
            for f in spec.fields:
                described.setdefault(f.name, []).append(f)
    assert set(schema.fields) - {"action", "on", "version", "document_text"} == set(described)
    for name, declared in described.items():
        field = schema.fields[name]
        for f in declared:
            _same_in_schema(field, f)


def _same_in_schema(field: ma_fields.Field, f: Field) -> None:
    kind = {TEXT: ma_fields.String, STAFF_EMAIL: ma_fields.String, INTEGER: ma_fields.Integer}
    kind |= {NUMBER: ma_fields.Float, CHOICE: ma_fields.String, IDS: ma_fields.List, PARTS: ma_fields.List}
    kind |= {BOOLEAN: ma_fields.Boolean}
    assert isinstance(field, kind[f.kind]), f.name
    validators = list(field.validators)
    if f.kind == IDS:
        assert isinstance(field.inner, ma_fields.Integer) and field.inner.strict, f.name
    if f.kind == PARTS:
        basis = field.inner.schema.fields["basis"]
        one_of = next(v for v in basis.validators if isinstance(v, validate.OneOf))
        assert set(one_of.choices) == f.choices, f.name
    if f.limit is not None:
        lengths = [v for v in validators if isinstance(v, validate.Length)]
        assert lengths and lengths[0].max == f.limit, f.name
    if f.kind == CHOICE:
        one_of = next(v for v in validators if isinstance(v, validate.OneOf))
        assert f.choices <= set(one_of.choices), f.name
    if f.kind == INTEGER:
        assert field.strict, f.name  # "3" is not 3 for the domain either


@pytest.mark.parametrize("action", sorted(STAFF_ACTIONS))
def test_each_form_has_exactly_its_actions_described_fields(app, action):
    spec = ACTION_SPECS[action]
    with app.test_request_context():
        form: Any = ACTION_FORMS[action](meta={"csrf": False})
        assert ("document_text" in form._fields) == spec.sends_document
        assert set(form._fields) - COMMON == spec.field_names
        for f in spec.fields:
            _same_in_form(form[f.name], f)


def _same_in_form(field: Any, f: Field) -> None:
    kind = {TEXT: (StringField, TextAreaField), INTEGER: (IntegerField,), NUMBER: (DecimalField,)}
    kind |= {CHOICE: (SelectField,), STAFF_EMAIL: (SelectField,), IDS: (SelectMultipleField,)}
    kind |= {PARTS: (FieldList,)}
    kind |= {BOOLEAN: (BooleanField,)}
    assert isinstance(field, kind[f.kind]), f.name
    if f.kind == PARTS:
        entry = field.entries[0]
        assert {c.value for c in entry["basis"].choices} - {""} == set(f.choices), f.name
        assert field.max_entries == f.limit, f.name
        return
    assert any(isinstance(v, InputRequired) for v in field.validators) == f.required, f.name
    if f.kind == TEXT:
        lengths = [v for v in field.validators if isinstance(v, Length)]
        assert lengths and lengths[0].max == f.limit, f.name
    if f.kind == INTEGER:
        ranges = [v for v in field.validators if isinstance(v, NumberRange)]
        assert ranges and (ranges[0].min, ranges[0].max) == (f.low, f.high), f.name
    if f.kind == CHOICE:
        assert {c.value for c in field.choices} == set(f.choices), f.name
