"""The staff's action forms name a field in its Chinese label wherever they say what is wrong with it:
the reply's list of parts withheld, each row of it, and every field of every form."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_staff import letter
from webapp.web.action_forms import ACTION_FORMS

HAN = re.compile(r"[\u4e00-\u9fff]")


def reply(client: FlaskClient, tracking_number: str, version: int, **fields: str) -> str:
    data = {"reply-version": str(version), "reply-outcome": "partially_disclosed"}
    data.update({f"reply-{k.replace('__', '-')}": v for k, v in fields.items()})
    response = post(client, f"/staff/requests/{tracking_number}/actions/reply", data)
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_a_partial_disclosure_without_its_parts_names_them_in_chinese(
    client: FlaskClient, people: People, session
):
    req = letter(session, people)
    session.commit()
    login(client, people.officer)
    html = reply(client, req.tracking_number, req.version)
    assert "不予公开的内容及理由：部分公开须列明不予公开的内容及理由" in html
    assert "Withheld" not in html
    # A part filled in on the second row without its reason: the error is beside that row's reason.
    html = reply(client, req.tracking_number, req.version, withheld__1__part="职工身份证号码")
    assert re.search(r'id="reply-withheld-1-basis-error">.*请选择不予公开的理由', html)
    assert '<a href="#reply-withheld-1-basis">理由：请选择不予公开的理由</a>' in html
    # A part too long for the input: its label and message, not the rows' errors as a dict.
    html = reply(
        client,
        req.tracking_number,
        req.version,
        withheld__0__part="长" * 1000,
        withheld__0__basis="withheld_third_party",
    )
    assert re.search(r'<a href="#reply-withheld-0-part">不予公开的内容：不能超过\d+个字符</a>', html)
    assert "{" not in re.sub(r"<(script|style)[\s\S]*?</\1>", "", html)


def test_every_field_of_every_action_form_has_a_chinese_label(app: Flask):
    """WTForms makes a label from the field's name when it is given none ("Withheld")."""
    with app.test_request_context():
        for action, form_class in ACTION_FORMS.items():
            form = form_class(prefix=action, meta={"csrf": False})
            for field in form:
                if field.type in ("CSRFTokenField", "HiddenField"):
                    continue
                subfields = [s for entry in field for s in entry.form] if field.type == "FieldList" else []
                for f in [field, *subfields]:
                    assert HAN.search(str(f.label.text)), (action, f.name, f.label.text)


def test_a_fee_of_0_yuan_is_explained_to_the_officer_without_addressing_them_as_the_applicant(
    client: FlaskClient, people: People, session
):
    req = letter(session, people)
    session.commit()
    login(client, people.officer)
    path = f"/staff/requests/{req.tracking_number}/actions/request_fee"
    answer = post(client, path, {"request_fee-version": str(req.version), "request_fee-basis": "per_request"})
    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    why = "按标准计算的信息处理费为0元，不能发出缴费通知：本件为申请人本自然月内向本机关提出的第1件申请"
    assert why in html
    assert "本件为您" not in html
