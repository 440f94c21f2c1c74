"""The fee on the staff pages (docs/rules.md §Fees, §Closures): the computation shown beside the form and
in the preview, a raised amount refused beside its field, the payment's form, a closure before the lapse
refused with its reason."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from flask.testing import FlaskClient

from tests.factories import People
from tests.web.conftest import login, post
from tests.web.test_staff import letter
from webapp.domain.states import Status


def text_of(response: Any) -> str:
    return html_lib.unescape(response.get_data(as_text=True))


def test_the_officer_sees_the_fee_computed_and_may_only_lower_it(
    client: FlaskClient, people: People, session
):
    req = letter(session, people)
    session.commit()
    login(client, people.officer)
    page = text_of(client.get(f"/staff/requests/{req.tracking_number}"))
    assert "向本机关提出的第1件申请，按标准计算0元" in page
    assert "31—100页的部分10元/页" in page
    path = f"/staff/requests/{req.tracking_number}/actions/request_fee"
    fields = {
        "request_fee-version": str(req.version),
        "request_fee-basis": "per_page",
        "request_fee-pages": "40",
    }
    preview = text_of(post(client, path, {**fields, "preview": "1"}))
    assert "第31—40页，10页×10元/页＝100元" in preview and "人民币100.00元" in preview
    raised = post(client, path, {**fields, "request_fee-amount_yuan": "200"})
    assert raised.status_code == 422
    assert re.search(r'id="request_fee-amount_yuan-error">.*不能高于按标准计算的100元', text_of(raised))
    free = post(client, path, {**fields, "request_fee-pages": "30"})
    assert free.status_code == 409 and "按标准计算的信息处理费为0元" in text_of(free)
    assert post(client, path, fields).status_code == 302
    session.refresh(req)
    assert req.status == Status.AWAITING_FEE

    close = post(
        client,
        f"/staff/requests/{req.tracking_number}/actions/close",
        {"close-version": str(req.version), "close-outcome": "closed_fee_unpaid"},
    )
    assert close.status_code == 409 and "期限尚未届满" in text_of(close)

    pay = f"/staff/requests/{req.tracking_number}/actions/receive_fee"
    version = {"receive_fee-version": str(req.version)}
    unnumbered = post(client, pay, {**version, "receive_fee-amount_yuan": "100"})
    assert unnumbered.status_code == 422
    assert re.search(r'id="receive_fee-receipt_number-error">.*必填', text_of(unnumbered))
    wrong = post(
        client, pay, {**version, "receive_fee-amount_yuan": "90", "receive_fee-receipt_number": "No.0031"}
    )
    assert wrong.status_code == 422
    assert re.search(r'id="receive_fee-amount_yuan-error">.*应为缴费通知书载明的100.00元', text_of(wrong))
    paid = post(
        client,
        pay,
        {
            "receive_fee-version": str(req.version),
            "receive_fee-amount_yuan": "100",
            "receive_fee-receipt_number": "No.0031",
        },
    )
    assert paid.status_code == 302
    session.refresh(req)
    assert req.status == Status.IN_PROGRESS and req.events[-1].data["receipt_number"] == "No.0031"


def test_the_officer_splits_a_request_into_items(client: FlaskClient, people: People, session):
    """The 9th request of the applicant's month split into 4 items: places 9–12, 0 + 0 + 100 + 100 = 200."""
    for _ in range(8):
        letter(session, people)
    req = letter(session, people)
    session.commit()
    login(client, people.officer)
    page = text_of(client.get(f"/staff/requests/{req.tracking_number}"))
    assert "向本机关提出的第9件申请，按标准计算0元" in page
    assert "可按一事一申请原则填写拆分件数" in page and "拆分件数（按件计收时选填）" in page
    path = f"/staff/requests/{req.tracking_number}/actions/request_fee"
    fields = {
        "request_fee-version": str(req.version),
        "request_fee-basis": "per_request",
        "request_fee-split_into": "4",
    }
    preview = text_of(post(client, path, {**fields, "preview": "1"}))
    assert "按一事一申请原则拆分计为4件，为您本自然月内向本机关提出的第9—12件" in preview
    assert "第9—10件不收费，第11—12件100元/件，合计200元" in preview and "人民币200.00元" in preview
    by_page = post(client, path, {**fields, "request_fee-basis": "per_page", "request_fee-pages": "40"})
    assert by_page.status_code == 422
    assert re.search(r'id="request_fee-split_into-error">.*按量计收不填拆分件数', text_of(by_page))
    zero = post(client, path, {**fields, "request_fee-split_into": "0"})
    assert zero.status_code == 422 and 'id="request_fee-split_into-error"' in text_of(zero)
    assert post(client, path, fields).status_code == 302
    session.refresh(req)
    assert req.status == Status.AWAITING_FEE and req.events[-1].data["items"] == 4
    assert "第9—10件不收费，第11—12件100元/件，合计200元" in text_of(
        client.get(f"/staff/requests/{req.tracking_number}")
    )
