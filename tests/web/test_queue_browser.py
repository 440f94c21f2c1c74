"""An officer's day at the queue in headless Chromium (Debian's): filters, sorts, saves the view,
assigns three requests at once, exports the view and reads the XLSX back; and turns an e-mail held for
review into a request in one step. Screenshots of the filtered queue at 1280 and 390 px go to
artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.factories import VALID_RESIDENT_ID, applicant, mail
from tests.web.conftest import PHONE, SCREENSHOTS, Live, screenshot
from tests.web.test_browser import staff_login
from webapp.domain.calendar import china_today
from webapp.domain.mailbox import ingest
from webapp.domain.requests import submit
from webapp.extensions import db
from webapp.models import Agency, InboundEmail, Request, User

pytestmark = pytest.mark.timeout(300)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAMES = [
    ("王五", "email"),
    ("赵六", "letter"),
    ("李四", "email"),
    ("钱七", "email"),
    ("张三", "email"),
    ("孙八", "fax"),
]


@pytest.fixture(scope="module")
def queue_rows(live: Live) -> list[str]:
    """Six requests of the officer's agency, four of them by e-mail, received on six days."""
    with live.app.app_context():
        s = db.session()
        agency = s.execute(select(Agency).where(Agency.code == "CITYHR")).scalar_one()
        officer = s.execute(select(User).where(User.email == live.people["officer"])).scalar_one()
        now = dt.datetime.now(dt.UTC)
        made = []
        for i, (name, channel) in enumerate(NAMES):
            req, _ = submit(
                s,
                agency=agency,
                applicant=applicant(name=name),
                description=f"申请公开{name}所问的2025年度预算",
                delivery="email",
                now=now,
                channel=channel,
                received_on=china_today(now) - dt.timedelta(days=i),
                registered_by=officer,
                require_late_reason=False,
            )
            made.append(req.tracking_number)
        s.commit()
        db.session.remove()
        return made


def test_an_officers_day_filter_sort_save_assign_three_and_export(browser: Any, live: Live, queue_rows):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live.url)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    staff_login(page, live, "officer")
    page.goto("/staff/queue")

    # filter: e-mailed requests only (under 更多筛选), then sort by applicant with the column header
    page.locator("details.more-filters summary").click()
    page.get_by_label("渠道", exact=True).select_option("email")
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url("**/staff/queue?*channel=email*")
    page.get_by_role("link", name="申请人").click()
    page.wait_for_url("**sort=applicant**")
    assert "channel=email" in page.url
    rows = page.locator("table.queue-rows tbody tr")
    names = [rows.nth(i).locator("td").nth(2).inner_text().split("\n")[0] for i in range(rows.count())]
    assert names == ["张三", "李四", "王五", "钱七"]  # e-mail only, by name (code points)

    # save the view, and find it again
    page.get_by_label("保存当前视图为").fill("电邮来的")
    page.get_by_role("button", name="保存视图").click()
    page.wait_for_load_state()
    assert page.get_by_text("已保存视图“电邮来的”。").is_visible()
    page.goto("/staff/queue")
    page.get_by_role("link", name="电邮来的").click()
    page.wait_for_url("**channel=email**")
    assert "sort=applicant" in page.url

    page.set_viewport_size(PHONE)
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "queue-filtered")

    # assign the first three to the head at once
    for i in range(3):
        rows.nth(i).locator("input[type=checkbox]").check()
    page.get_by_label("批量操作").select_option("assign")
    page.locator("#bulk-assignee").select_option(live.people["head"])
    page.get_by_role("button", name="对所选执行").click()
    page.wait_for_load_state()
    assert page.get_by_text("已办理 3 件（共选 3 件）。").is_visible()
    assert "sort=applicant" in page.url and "channel=email" in page.url  # back on the same view
    assignees = [rows.nth(i).locator("td.assignee").inner_text().strip() for i in range(rows.count())]
    assert assignees[3] == "未指派" and len(set(assignees[:3])) == 1 and assignees[0] != "未指派"
    screenshot(page, "queue-assigned")

    # export the view and read the workbook back
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    data = Path(download.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(data)).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0][2] == "申请人" and table[0][-1] == "经办人"
    assert [r[2] for r in table[1:]] == ["张三", "李四", "王五", "钱七"]
    assert [r[-1] for r in table[1:]] == [live.people["head"]] * 3 + [None]
    assert {r[4] for r in table[1:]} == {"电子邮件"}
    ctx.close()


def test_the_queue_with_filters_is_usable_on_a_phone(browser: Any, live: Live, queue_rows):
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", base_url=live.url, is_mobile=True)
    page = ctx.new_page()
    staff_login(page, live, "officer")
    page.goto("/staff/queue?channel=email&sort=applicant&due=")
    # nothing wider than the screen, every row a card with its checkbox
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert page.locator("table.queue-rows tbody tr input[type=checkbox]").first.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "queue-phone-390.png"), full_page=True)
    ctx.close()


def test_an_officer_turns_an_email_into_a_request(browser: Any, live: Live):
    with live.app.app_context():
        s = db.session()
        agency = s.execute(select(Agency).where(Agency.code == "CITYHR")).scalar_one()
        row = ingest(
            s,
            agency,
            mail(
                subject="申请公开2024年度部门决算",
                body="您好：\n请公开贵局2024年度部门决算及其说明。\n周九",
                sender="周九 <zhoujiu@example.cn>",
                message_id="<browser-1@example.cn>",
                attachments=(("身份证.pdf", PDF, "application/pdf"),),
                headers={"Auto-Submitted": "auto-generated"},  # held for review
            ),
            now=dt.datetime.now(dt.UTC),
            inbound_dir=Path(live.app.config["DATA_DIR"]) / "inbound",
            attachment_dir=live.app.config["ATTACHMENT_DIR"],
            own_domain="agency.test",
        )
        assert row is not None and row.status == "review"
        s.commit()
        inbound_id = row.id
        db.session.remove()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", base_url=live.url)
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    staff_login(page, live, "officer")
    assert page.locator("nav .nav-badge").first.inner_text().strip().endswith("1")  # one message waiting
    page.get_by_role("link", name="邮件与通知").click()
    page.get_by_role("link", name="登记为申请").click()
    page.wait_for_url(f"**/staff/register?mail={inbound_id}")
    assert page.get_by_label("姓名或名称").input_value() == "周九"
    assert page.get_by_label("电子邮箱").input_value() == "zhoujiu@example.cn"
    assert "请公开贵局2024年度部门决算及其说明" in page.get_by_label("所需政府信息的描述").input_value()
    assert page.get_by_label("申请渠道").input_value() == "email"
    assert page.get_by_label("收到申请之日").input_value() == china_today(dt.datetime.now(dt.UTC)).isoformat()
    assert page.get_by_text("身份证.pdf").is_visible()
    screenshot(page, "mail-register")
    page.get_by_label("证件号码").fill(VALID_RESIDENT_ID)
    page.get_by_role("button", name="登记并出具回执").click()
    page.wait_for_url("**/staff/register/receipt")
    number = page.locator(".code").first.inner_text().strip()

    page.goto(f"/staff/requests/{number}")
    page.get_by_role("link", name="申请公开2024年度部门决算").click()
    page.wait_for_url(f"**/staff/mail/{inbound_id}")
    assert page.get_by_role("link", name=number).is_visible()
    assert page.get_by_text("请公开贵局2024年度部门决算及其说明").is_visible()
    with live.app.app_context():
        req = db.session.execute(select(Request).where(Request.tracking_number == number)).scalar_one()
        assert req.channel == "email" and [a.filename for a in req.attachments] == ["身份证.pdf"]
        linked = db.session.get(InboundEmail, inbound_id)
        assert linked is not None and (linked.status, linked.request_id) == ("request", req.id)
        db.session.remove()
    ctx.close()
